// teams-loadgen: a closed-loop GetTeam load generator for TeamService, written in C
// from docs/PROTOCOL.md alone, so that the driver costs far less CPU per call than the
// server it loads (`teams bench` spends about as much as the server does).
//
// It seeds one team with --players players, then keeps --in-flight GetTeam calls
// outstanding on each of --connections connections from one thread (epoll), and
// reports calls/s, latency percentiles, its own CPU per call and, with --server-pid,
// the server's. Requests name their method once per connection, then use the 2-byte ref.
//
//   cc -O2 -o teams-loadgen teams-loadgen.c
//   teams-loadgen --server 127.0.0.1:7070 --connections 4 --in-flight 16 --duration 10 --server-pid PID
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define FRAME_REQUEST 1
#define FRAME_RESPONSE 2
#define FRAME_GOAWAY 5
#define FLAG_METHOD_NAME 0x01
#define FLAG_METADATA 0x04
#define FLAG_STATUS_MESSAGE 0x08
#define HEADER_BYTES 10
#define READ_CAPACITY (1 << 20)
#define SLOTS 65536 /* send times by call id; more than any --in-flight allowed */
#define GET_TEAM "/teams.v1.TeamService/GetTeam"

static void die(const char *message) {
    fprintf(stderr, "teams-loadgen: %s\n", message);
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

// MARK: Latency histogram: 32 linear steps per power of two of nanoseconds (≤ 3 % error).

#define SUB_BITS 5
#define BUCKETS (64 << SUB_BITS)
static uint64_t histogram[BUCKETS];

static int bucket_of(uint64_t ns) {
    if (ns < (1u << SUB_BITS)) return (int)ns;
    int msb = 63 - __builtin_clzll(ns);
    return ((msb - SUB_BITS + 1) << SUB_BITS) + (int)((ns >> (msb - SUB_BITS)) & ((1u << SUB_BITS) - 1));
}

static uint64_t bucket_floor(int index) {
    if (index < (1 << SUB_BITS)) return (uint64_t)index;
    int msb = (index >> SUB_BITS) + SUB_BITS - 1;
    return ((uint64_t)1 << msb) | ((uint64_t)(index & ((1 << SUB_BITS) - 1)) << (msb - SUB_BITS));
}

static double percentile_us(uint64_t count, double p) {
    uint64_t rank = (uint64_t)(p * (double)count), seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
        seen += histogram[i];
        if (seen > rank) return (double)bucket_floor(i) / 1000.0;
    }
    return 0;
}

// MARK: Protobuf, by hand: only strings, varints and one nested message.

static size_t put_varint(uint8_t *out, uint64_t value) {
    size_t n = 0;
    while (value >= 0x80) { out[n++] = (uint8_t)(value | 0x80); value >>= 7; }
    out[n++] = (uint8_t)value;
    return n;
}

static size_t put_string(uint8_t *out, int field, const char *text, size_t length) {
    size_t n = put_varint(out, (uint64_t)(field << 3 | 2));
    n += put_varint(out + n, length);
    memcpy(out + n, text, length);
    return n + length;
}

static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *value) {
    *value = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t byte = *(*p)++;
        *value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) return 1;
    }
    return 0;
}

/// The bytes of length-delimited field `field` at the top level of a message, or NULL.
static const uint8_t *find_bytes(const uint8_t *p, const uint8_t *end, int field, size_t *length) {
    while (p < end) {
        uint64_t key, value;
        if (!get_varint(&p, end, &key)) return NULL;
        switch (key & 7) {
        case 0: if (!get_varint(&p, end, &value)) return NULL; break;
        case 1: p += 8; break;
        case 5: p += 4; break;
        case 2:
            if (!get_varint(&p, end, &value) || value > (uint64_t)(end - p)) return NULL;
            if ((int)(key >> 3) == field) { *length = (size_t)value; return p; }
            p += value;
            break;
        default: return NULL;
        }
    }
    return NULL;
}

// MARK: Frames

static void put_u32(uint8_t *out, uint32_t v) { v = htonl(v); memcpy(out, &v, 4); }
static void put_u16(uint8_t *out, uint16_t v) { v = htons(v); memcpy(out, &v, 2); }
static uint32_t get_u32(const uint8_t *in) { uint32_t v; memcpy(&v, in, 4); return ntohl(v); }
static uint16_t get_u16(const uint8_t *in) { uint16_t v; memcpy(&v, in, 2); return ntohs(v); }

/// Writes a REQUEST frame; a non-NULL `method` is sent by name and bound to `ref`.
static size_t put_request(uint8_t *out, uint32_t call_id, uint16_t ref, const char *method, const uint8_t *payload, size_t payload_length) {
    size_t n = HEADER_BYTES;
    put_u16(out + n, ref); n += 2;
    if (method) {
        size_t length = strlen(method);
        out[n++] = (uint8_t)length;
        memcpy(out + n, method, length); n += length;
    }
    memcpy(out + n, payload, payload_length); n += payload_length;
    put_u32(out, (uint32_t)(n - 4));
    out[4] = FRAME_REQUEST;
    out[5] = method ? FLAG_METHOD_NAME : 0;
    put_u32(out + 6, call_id);
    return n;
}

struct response {
    uint8_t type, status;
    uint32_t call_id;
    const uint8_t *message, *payload;
    size_t message_length, payload_length;
};

/// Parses the frame at `p` (of `available` bytes): its size, 0 when incomplete, -1 when unreadable.
static long parse_frame(const uint8_t *p, size_t available, struct response *r) {
    if (available < 4) return 0;
    uint32_t length = get_u32(p);
    if (length < 6) return -1;
    if (available < 4 + (size_t)length) return 0;
    const uint8_t *end = p + 4 + length, *q = p + HEADER_BYTES;
    memset(r, 0, sizeof *r);
    r->type = p[4];
    r->call_id = get_u32(p + 6);
    uint8_t flags = p[5];
    if (r->type == FRAME_RESPONSE) {
        if (q >= end) return -1;
        r->status = *q++;
        if (flags & FLAG_STATUS_MESSAGE) {
            if (end - q < 2) return -1;
            r->message_length = get_u16(q); q += 2;
            if ((size_t)(end - q) < r->message_length) return -1;
            r->message = q; q += r->message_length;
        }
        if (flags & FLAG_METADATA) {
            if (end - q < 2) return -1;
            size_t skip = get_u16(q); q += 2;
            if ((size_t)(end - q) < skip) return -1;
            q += skip;
        }
    } else if (r->type == FRAME_GOAWAY) {
        if (end - q < 7) return -1;
        r->status = q[0];
        r->message_length = get_u16(q + 5);
        r->message = q + 7;
        if ((size_t)(end - r->message) < r->message_length) return -1;
        q = end;
    }
    r->payload = q;
    r->payload_length = (size_t)(end - q);
    return (long)(4 + length);
}

// MARK: Connections

struct connection {
    int fd;
    uint8_t *in;
    size_t in_length;
    uint32_t next_call_id;
    int method_bound;
    uint64_t sent_at[SLOTS];
};

static int connect_to(const char *host, const char *port) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found;
    int error = getaddrinfo(host, port, &hints, &found);
    if (error) { fprintf(stderr, "teams-loadgen: %s:%s: %s\n", host, port, gai_strerror(error)); exit(1); }
    int fd = socket(found->ai_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
        fprintf(stderr, "teams-loadgen: cannot connect to %s:%s: %s\n", host, port, strerror(errno));
        exit(1);
    }
    freeaddrinfo(found);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval patience = {.tv_sec = 10};  // for the blocking reads of seeding
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    return fd;
}

static void write_all(int fd, const uint8_t *bytes, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, bytes, length);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) { fprintf(stderr, "teams-loadgen: write: %s\n", strerror(errno)); exit(1); }
        bytes += n; length -= (size_t)n;
    }
}

static void fail_call(const char *what, const struct response *r) {
    fprintf(stderr, "teams-loadgen: %s: status %u: %.*s\n", what, r->status, (int)r->message_length, (const char *)r->message);
    exit(1);
}

/// One blocking call on a blocking socket, for seeding; the payload lands in `out`.
static size_t call_once(struct connection *c, const char *method, const uint8_t *payload, size_t length, uint8_t *out, size_t capacity) {
    static uint8_t frame[4096];
    write_all(c->fd, frame, put_request(frame, ++c->next_call_id, 0, method, payload, length));
    for (;;) {
        struct response r;
        long size = parse_frame(c->in, c->in_length, &r);
        if (size < 0) die("the server sent an unreadable frame");
        if (size > 0) {
            if (r.type != FRAME_RESPONSE || r.status != 0) fail_call(method, &r);
            size_t n = r.payload_length < capacity ? r.payload_length : capacity;
            memcpy(out, r.payload, n);
            memmove(c->in, c->in + size, c->in_length - (size_t)size);
            c->in_length -= (size_t)size;
            return n;
        }
        ssize_t n = read(c->fd, c->in + c->in_length, READ_CAPACITY - c->in_length);
        if (n == 0) die("the server closed the connection while seeding");
        if (n < 0) { fprintf(stderr, "teams-loadgen: no answer while seeding: %s\n", strerror(errno)); exit(1); }
        c->in_length += (size_t)n;
    }
}

/// Creates team "b0" with players "p1", "p2", ... (GK, DEF, MID, ST in turn), as the
/// gRPC baselines' seeder does, so that payloads match; returns the id's length, the id in `id`.
static size_t seed_team(struct connection *c, int players, char *id, size_t capacity) {
    uint8_t request[512], response[65536];
    char name[64];
    int name_length = snprintf(name, sizeof name, "b0");  // as teams bench and grpc-teams-seed-go name theirs
    size_t n = call_once(c, "/teams.v1.TeamService/CreateTeam", request, put_string(request, 1, name, (size_t)name_length), response, sizeof response);
    size_t team_length, id_length;
    const uint8_t *team = find_bytes(response, response + n, 1, &team_length);
    const uint8_t *found = team ? find_bytes(team, team + team_length, 1, &id_length) : NULL;
    if (!found || id_length >= capacity) die("CreateTeam answered without a team id");
    memcpy(id, found, id_length);
    for (int i = 0; i < players; i++) {
        uint8_t player[64];
        char player_name[32];
        int player_name_length = snprintf(player_name, sizeof player_name, "p%d", i + 1);
        size_t player_length = put_string(player, 1, player_name, (size_t)player_name_length);
        player[player_length++] = 2 << 3;  // position, a varint
        player[player_length++] = (uint8_t)(1 + i % 4);
        size_t length = put_string(request, 1, id, id_length);
        length += put_string(request + length, 2, (const char *)player, player_length);
        call_once(c, "/teams.v1.TeamService/AddPlayer", request, length, response, sizeof response);
    }
    return id_length;
}

// MARK: The run

static double cpu_seconds_self(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/// The process's user + system CPU from /proc/PID/stat, or -1 when it cannot be read.
static double cpu_seconds_of(int pid) {
    char path[64], text[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *file = fopen(path, "r");
    if (!file) return -1;
    size_t n = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[n] = 0;
    char *p = strrchr(text, ')');  // the command name may hold spaces
    unsigned long utime, stime;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static void usage(void) {
    fprintf(stderr,
        "usage: teams-loadgen [--server HOST:PORT] [--connections N] [--in-flight N] [--duration S]\n"
        "                     [--warmup S] [--players N] [--server-pid PID] [--json]\n");
    exit(2);
}

static long number_option(const char *name, const char *value, long low, long high) {
    char *end;
    long n = value ? strtol(value, &end, 10) : 0;
    if (!value || *end || n < low || n > high) {
        fprintf(stderr, "teams-loadgen: %s must be a whole number from %ld to %ld, got '%s'\n", name, low, high, value ? value : "");
        exit(2);
    }
    return n;
}

int main(int argc, char **argv) {
    char server[256] = "127.0.0.1:7070";
    long connections = 4, in_flight = 16, duration = 10, warmup = 2, players = 11, server_pid = 0;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--server") && value) { snprintf(server, sizeof server, "%s", value); i++; }
        else if (!strcmp(argv[i], "--connections")) { connections = number_option("--connections", value, 1, 1024); i++; }
        else if (!strcmp(argv[i], "--in-flight")) { in_flight = number_option("--in-flight", value, 1, 1000); i++; }
        else if (!strcmp(argv[i], "--duration")) { duration = number_option("--duration", value, 1, 3600); i++; }
        else if (!strcmp(argv[i], "--warmup")) { warmup = number_option("--warmup", value, 0, 3600); i++; }
        else if (!strcmp(argv[i], "--players")) { players = number_option("--players", value, 0, 100); i++; }
        else if (!strcmp(argv[i], "--server-pid")) { server_pid = number_option("--server-pid", value, 1, 1 << 30); i++; }
        else if (!strcmp(argv[i], "--json")) json = 1;
        else usage();
    }
    char *colon = strrchr(server, ':');
    if (!colon) die("--server must be HOST:PORT");
    *colon = 0;
    const char *host = server, *port = colon + 1;

    struct connection *all = calloc((size_t)connections, sizeof *all);
    if (!all) die("out of memory");
    for (long i = 0; i < connections; i++) {
        all[i].fd = connect_to(host, port);
        all[i].in = malloc(READ_CAPACITY);
        if (!all[i].in) die("out of memory");
    }
    char id[128];
    size_t id_length = seed_team(&all[0], (int)players, id, sizeof id);
    uint8_t get_request[160];
    size_t get_length = put_string(get_request, 1, id, id_length);

    int epoll = epoll_create1(0);
    for (long i = 0; i < connections; i++) {
        fcntl(all[i].fd, F_SETFL, fcntl(all[i].fd, F_GETFL) | O_NONBLOCK);
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = &all[i]};
        epoll_ctl(epoll, EPOLL_CTL_ADD, all[i].fd, &event);
    }

    // Requests written in reply to one read go out in one write.
    static uint8_t out[1 << 20];
    uint64_t start = now_ns();
    for (long i = 0; i < connections; i++) {
        struct connection *c = &all[i];
        size_t n = 0;
        for (long k = 0; k < in_flight; k++) {
            uint32_t call_id = ++c->next_call_id;
            n += put_request(out + n, call_id, 1, c->method_bound ? NULL : GET_TEAM, get_request, get_length);
            c->method_bound = 1;
            c->sent_at[call_id % SLOTS] = start;
        }
        write_all(c->fd, out, n);
    }

    uint64_t measure_from = start + (uint64_t)warmup * 1000000000u, stop_at = measure_from + (uint64_t)duration * 1000000000u;
    uint64_t calls = 0, failed = 0, wire_bytes = 0, payload_bytes = 0;
    double self_cpu = 0, server_cpu = 0;
    int measuring = 0;
    struct epoll_event events[64];
    for (;;) {
        int ready = epoll_wait(epoll, events, 64, 1000);
        uint64_t now = now_ns();
        if (!measuring && now >= measure_from) {
            measuring = 1;
            memset(histogram, 0, sizeof histogram);
            calls = failed = wire_bytes = payload_bytes = 0;
            measure_from = now;
            self_cpu = cpu_seconds_self();
            server_cpu = server_pid ? cpu_seconds_of((int)server_pid) : 0;
        }
        if (measuring && now >= stop_at) break;
        for (int e = 0; e < ready; e++) {
            struct connection *c = events[e].data.ptr;
            ssize_t got = read(c->fd, c->in + c->in_length, READ_CAPACITY - c->in_length);
            if (got == 0) die("the server closed a connection");
            if (got < 0) { if (errno == EAGAIN || errno == EINTR) continue; die(strerror(errno)); }
            c->in_length += (size_t)got;
            wire_bytes += (uint64_t)got;
            size_t offset = 0, n = 0;
            struct response r;
            long size;
            while ((size = parse_frame(c->in + offset, c->in_length - offset, &r)) > 0) {
                offset += (size_t)size;
                if (r.type == FRAME_GOAWAY) fail_call("GOAWAY", &r);
                if (r.type != FRAME_RESPONSE) continue;
                if (r.status != 0) {
                    if (failed++ == 0) fprintf(stderr, "teams-loadgen: GetTeam failed: status %u: %.*s\n", r.status, (int)r.message_length, (const char *)r.message);
                }
                calls++;
                payload_bytes += r.payload_length + get_length;
                histogram[bucket_of(now - c->sent_at[r.call_id % SLOTS])]++;
                uint32_t call_id = ++c->next_call_id;
                n += put_request(out + n, call_id, 1, NULL, get_request, get_length);
                c->sent_at[call_id % SLOTS] = now;
            }
            if (size < 0) die("the server sent an unreadable frame");
            memmove(c->in, c->in + offset, c->in_length - offset);
            c->in_length -= offset;
            if (n) write_all(c->fd, out, n);
            wire_bytes += n;
        }
    }
    double seconds = (double)(now_ns() - measure_from) / 1e9;
    double driver = (cpu_seconds_self() - self_cpu) / (double)calls * 1e6;
    double served = server_pid ? (cpu_seconds_of((int)server_pid) - server_cpu) / (double)calls * 1e6 : -1;
    double rate = (double)calls / seconds;
    // Bytes each way per call, and what of them is not the GetTeam request and response messages.
    double wire = (double)wire_bytes / (double)calls, framing = (double)(wire_bytes - payload_bytes) / (double)calls;
    if (json) {
        printf("{\"calls\":%llu,\"failed\":%llu,\"seconds\":%.3f,\"calls_per_second\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
               "\"p999_us\":%.1f,\"driver_cpu_us_per_call\":%.3f,\"server_cpu_us_per_call\":%.3f,"
               "\"wire_bytes_per_call\":%.1f,\"framing_bytes_per_call\":%.1f}\n",
               (unsigned long long)calls, (unsigned long long)failed, seconds, rate, percentile_us(calls, 0.5),
               percentile_us(calls, 0.99), percentile_us(calls, 0.999), driver, served, wire, framing);
    } else {
        printf("GetTeam of %ld players, %ld connections x %ld in flight, %.1f s\n", players, connections, in_flight, seconds);
        printf("  %.0f calls/s, %llu calls, %llu failed\n", rate, (unsigned long long)calls, (unsigned long long)failed);
        printf("  latency p50 %.1f us, p99 %.1f us, p99.9 %.1f us\n", percentile_us(calls, 0.5), percentile_us(calls, 0.99), percentile_us(calls, 0.999));
        printf("  %.1f bytes on the wire per call, %.1f of them framing\n", wire, framing);
        printf("  CPU per call: driver %.3f us", driver);
        if (server_pid) printf(", server %.3f us", served);
        printf("\n");
    }
    return failed ? 1 : 0;
}
