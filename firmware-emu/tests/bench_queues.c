// SPDX-License-Identifier: MIT
/*
 * Benchmark of the device model through the test client (not a test: it
 * asserts nothing). Every figure is printed beside a reference measured in
 * the same run, with their ratio:
 *
 *   - packets per second for NOP+SIGNAL on a busy queue (doorbells only, a
 *     kick only when the command processor said it sleeps), against trapped
 *     register writes per second (what a trapped doorbell would allow);
 *   - idle-queue submit-to-completion latency (the command processor asleep,
 *     so the submitter kicks), against one trapped register read round trip;
 *   - 256 MiB COPY bandwidth VRAM -> VRAM against host memcpy of the same size
 *     (goal: at least 70 %).
 *
 * Usage: bench_queues PATH-TO-s5000-emu
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../uapi/s5000.h"
#include "client.h"
#include "gpu.h"

#define RAM_SIZE        (64ull << 20)
#define PACKETS         1000000
#define LATENCY_ROUNDS  300
#define COPY_SIZE       (256ull << 20)
#define COPY_ROUNDS     3
#define TIMEOUT_MS      30000

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), compare_u64);
    return v[n / 2];
}

/* ------------------------------------------------------------- packet rate */

static double trapped_writes_per_s(struct client *c)
{
    enum { N = 20000 };
    uint64_t start = now_ns();

    for (int i = 0; i < N; i++)
        wr32(c, S5000_REG_SCRATCH, (uint32_t)i);
    return N / ((now_ns() - start) / 1e9);
}

static void bench_packet_rate(struct gpu *g)
{
    uint64_t ram = gpu_ram_alloc(g, 64);
    volatile uint64_t *counter = gpu_ram(g, ram);
    struct s5000_pkt_nop nop = pkt_nop(0);
    struct s5000_pkt_signal sig = pkt_signal(S5000_SIGNAL_ADD, gpu_ram_va(ram), 1, 0);
    struct gpu_queue q;
    double rate, reference;
    uint64_t start;

    if (!gpu_queue_init(g, &q, 0, 1, 12, 1, 0))
        return;
    start = now_ns();
    for (int i = 0; i < PACKETS; i += 2) {
        gpu_submit(&q, &nop, TIMEOUT_MS);
        gpu_submit(&q, &sig, TIMEOUT_MS);
    }
    if (!gpu_queue_drain(&q, TIMEOUT_MS) || *counter != PACKETS / 2) {
        printf("packet rate: the queue did not complete\n");
        return;
    }
    rate = PACKETS / ((now_ns() - start) / 1e9);
    reference = trapped_writes_per_s(g->c);
    printf("NOP+SIGNAL, busy queue:      %8.3f M packets/s (%llu kicks for %d packets)\n"
           "  trapped register writes:   %8.3f M writes/s\n"
           "  ratio:                     %8.1f x\n",
           rate / 1e6, (unsigned long long)q.kicks, PACKETS, reference / 1e6, rate / reference);
    gpu_queue_set(&q, S5000_QUEUE_CONTROL, 0);
}

/* ---------------------------------------------------------------- latency */

static void bench_latency(struct gpu *g)
{
    static uint64_t latency[LATENCY_ROUNDS], round_trip[LATENCY_ROUNDS];
    uint64_t ram = gpu_ram_alloc(g, 64);
    volatile uint64_t *value = gpu_ram(g, ram);
    struct gpu_queue q;
    uint64_t kicks_before;

    if (!gpu_queue_init(g, &q, 1, 1, 8, 1, 0))
        return;
    kicks_before = q.kicks;
    for (int i = 0; i < LATENCY_ROUNDS; i++) {
        struct s5000_pkt_signal sig = pkt_signal(S5000_SIGNAL_WRITE, gpu_ram_va(ram), (uint64_t)i + 1, 0);
        uint64_t start;

        /* Idle: wait until the command processor has gone to sleep; both are measured so. */
        for (int w = 0; w < 1000 && !q.db->cp_sleeping; w++)
            sleep_ms(1);
        start = now_ns();
        rd32(g->c, S5000_REG_SCRATCH);
        round_trip[i] = now_ns() - start;

        start = now_ns();
        gpu_submit(&q, &sig, TIMEOUT_MS);
        while (__atomic_load_n(value, __ATOMIC_ACQUIRE) != (uint64_t)i + 1)
            ;
        latency[i] = now_ns() - start;
    }
    printf("idle queue, submit to completion: %8.1f us median (%llu of %d submissions kicked)\n"
           "  trapped register read round trip: %8.1f us median\n"
           "  ratio:                     %8.2f\n",
           median(latency, LATENCY_ROUNDS) / 1e3,
           (unsigned long long)(q.kicks - kicks_before), LATENCY_ROUNDS,
           median(round_trip, LATENCY_ROUNDS) / 1e3,
           (double)median(latency, LATENCY_ROUNDS) / (double)median(round_trip, LATENCY_ROUNDS));
    gpu_queue_set(&q, S5000_QUEUE_CONTROL, 0);
}

/* ------------------------------------------------------------- bandwidth */

static double host_memcpy_gbps(void)
{
    uint8_t *src = malloc(COPY_SIZE), *dst = malloc(COPY_SIZE);
    uint64_t best = UINT64_MAX;

    if (!src || !dst) {
        free(src);
        free(dst);
        return 0;
    }
    memset(src, 1, COPY_SIZE);
    memset(dst, 2, COPY_SIZE);
    for (int i = 0; i < COPY_ROUNDS + 1; i++) {
        uint64_t start = now_ns(), t;

        memcpy(dst, src, COPY_SIZE);
        t = now_ns() - start;
        /* Keep the copy from being optimised away. */
        __asm__ __volatile__("" : : "r"(dst) : "memory");
        if (i > 0 && t < best)
            best = t;
    }
    free(src);
    free(dst);
    return COPY_SIZE / (best / 1e9) / 1e9;
}

static double device_copy_gbps(struct gpu *g)
{
    const uint64_t src = 1ull << 30, dst = src + COPY_SIZE;
    struct s5000_pkt_fill fill = pkt_fill(gpu_vram_va(src), COPY_SIZE, 0x0102030405060708ull, 8);
    struct s5000_pkt_copy copy = pkt_copy(gpu_vram_va(dst), gpu_vram_va(src), COPY_SIZE);
    struct gpu_queue q;
    uint64_t best = UINT64_MAX;

    if (!gpu_queue_init(g, &q, 2, 1, 4, 1, 0))
        return 0;
    /* Both buffers exist before the clock runs, as the host's do. */
    gpu_submit(&q, &fill, TIMEOUT_MS);
    for (int i = 0; i < COPY_ROUNDS + 1; i++) {
        uint64_t start = now_ns(), t;

        gpu_submit(&q, &copy, TIMEOUT_MS);
        if (!gpu_queue_drain(&q, TIMEOUT_MS))
            return 0;
        t = now_ns() - start;
        if (i > 0 && t < best)
            best = t;
    }
    gpu_queue_set(&q, S5000_QUEUE_CONTROL, 0);
    return COPY_SIZE / (best / 1e9) / 1e9;
}

static void bench_copy_bandwidth(struct gpu *g)
{
    double device = device_copy_gbps(g), host = host_memcpy_gbps();

    printf("256 MiB COPY VRAM -> VRAM:   %8.2f GB/s (best of %d)\n"
           "  host memcpy, 256 MiB:      %8.2f GB/s (best of %d)\n"
           "  ratio:                     %8.0f %% (goal >= 70 %%)\n",
           device, COPY_ROUNDS, host, COPY_ROUNDS, host > 0 ? 100 * device / host : 0);
}

int main(int argc, char **argv)
{
    struct emulator e;
    struct client c;
    struct gpu g;

    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-TO-s5000-emu\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (!emulator_start(&e, argv[1], NULL) || !client_open(&c, e.sock_path, RAM_SIZE, 4)) {
        fprintf(stderr, "bench_queues: could not start and set up %s\n", argv[1]);
        emulator_cleanup(&e);
        return 1;
    }
    gpu_init(&g, &c);
    gpu_context(&g, 1, 2ull << 30);
    printf("s5000-emu queue benchmark (every reference measured in this run)\n");
    bench_packet_rate(&g);
    bench_latency(&g);
    bench_copy_bandwidth(&g);
    client_close(&c);
    emulator_cleanup(&e);
    return 0;
}
