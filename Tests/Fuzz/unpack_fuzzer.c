/* libFuzzer target over protoc-c's unpack of every message type of proto/.
 *
 * The first byte picks the message type; the rest is unpacked with protobuf-c's
 * default allocator (so ASan sees every allocation and LeakSanitizer every leak),
 * packed again (the packed size must be what get_packed_size promised, and the
 * packed bytes must unpack), and unpacked once more into the arena the server
 * uses, with the server's cap. Built by `make fuzz` with clang
 * -fsanitize=fuzzer,address against protobuf-c's own source, instrumented too. */
#include <stdlib.h>
#include "CTeamsProtobuf.h"
#include "all_messages.h"

static const size_t message_count = sizeof(teams_all_messages) / sizeof(teams_all_messages[0]);

/* protobuf-c 1.4.1 accepts field number 0 (which protobuf forbids) when its key is
 * encoded in more than one byte, keeps it as an unknown field, and packs it back
 * as the one-byte key 0x00, which it then rejects. Found by this fuzzer
 * (Tests/Fuzz/crashes/unpack-crash-6f06e9...). Harmless to the server, whose
 * bridge drops unknown fields, so such a message is exempt from the round trip. */
static int has_field_number_zero(const ProtobufCMessage *message) {
    for (unsigned i = 0; i < message->n_unknown_fields; i++) {
        if (message->unknown_fields[i].tag == 0) return 1;
    }
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    for (unsigned i = 0; i < descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields[i];
        if (field->type != PROTOBUF_C_TYPE_MESSAGE) continue;
        const char *base = (const char *)message;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *)(base + field->quantifier_offset);
            ProtobufCMessage *const *elements = *(ProtobufCMessage *const *const *)(base + field->offset);
            for (size_t j = 0; j < count; j++) {
                if (elements[j] != NULL && has_field_number_zero(elements[j])) return 1;
            }
        } else {
            const ProtobufCMessage *child = *(const ProtobufCMessage *const *)(base + field->offset);
            if (child != NULL && has_field_number_zero(child)) return 1;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const ProtobufCMessageDescriptor *descriptor = teams_all_messages[data[0] % message_count];
    const uint8_t *bytes = data + 1;
    size_t length = size - 1;

    ProtobufCMessage *message = protobuf_c_message_unpack(descriptor, NULL, length, bytes);
    if (message != NULL) {
        size_t packed_size = protobuf_c_message_get_packed_size(message);
        uint8_t *packed = malloc(packed_size > 0 ? packed_size : 1);
        if (protobuf_c_message_pack(message, packed) != packed_size) abort();
        ProtobufCMessage *again = protobuf_c_message_unpack(descriptor, NULL, packed_size, packed);
        if (again == NULL && !has_field_number_zero(message)) abort();
        if (again != NULL) protobuf_c_message_free_unpacked(again, NULL);
        free(packed);
        protobuf_c_message_free_unpacked(message, NULL);
    }

    RPCArena arena;
    rpc_arena_init(&arena, (64u << 10) + 16 * length);
    (void)protobuf_c_message_unpack(descriptor, &arena.allocator, length, bytes);
    rpc_arena_release(&arena);
    return 0;
}
