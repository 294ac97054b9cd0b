#include "teams_arena.h"
#include <stdlib.h>

typedef struct OverflowBlock {
    struct OverflowBlock *next;
    _Alignas(16) uint8_t bytes[];
} OverflowBlock;

static void *arena_alloc(void *data, size_t size) { return teams_arena_alloc((TeamsArena *)data, size); }
static void arena_free(void *data, void *pointer) { (void)data; (void)pointer; }

void teams_arena_init(TeamsArena *arena) {
    arena->allocator.alloc = arena_alloc;
    arena->allocator.free = arena_free;
    arena->allocator.allocator_data = arena;
    arena->cursor = arena->storage;
    arena->end = arena->storage + sizeof(arena->storage);
    arena->overflow = NULL;
}

void *teams_arena_alloc(TeamsArena *arena, size_t size) {
    size_t rounded = (size + 7u) & ~(size_t)7u;
    if (rounded < size) return NULL; /* overflowed */
    if ((size_t)(arena->end - arena->cursor) >= rounded) {
        void *result = arena->cursor;
        arena->cursor += rounded;
        return result;
    }
    /* Continue in a new block, at least as large as the inline storage. */
    size_t capacity = rounded > sizeof(arena->storage) ? rounded : sizeof(arena->storage);
    if (capacity > SIZE_MAX - sizeof(OverflowBlock)) return NULL;
    OverflowBlock *block = malloc(sizeof(OverflowBlock) + capacity);
    if (block == NULL) return NULL;
    block->next = arena->overflow;
    arena->overflow = block;
    arena->cursor = block->bytes + rounded;
    arena->end = block->bytes + capacity;
    return block->bytes;
}

void teams_arena_release(TeamsArena *arena) {
    OverflowBlock *block = arena->overflow;
    while (block != NULL) {
        OverflowBlock *next = block->next;
        free(block);
        block = next;
    }
    arena->overflow = NULL;
    arena->cursor = arena->storage;
    arena->end = arena->storage + sizeof(arena->storage);
}
