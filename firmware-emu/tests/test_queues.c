// SPDX-License-Identifier: MIT
/*
 * The device model through the test client, as a driver and its user-mode
 * queues would use it: every packet kind, copies across memory kinds, waits,
 * barriers, ordering, concurrency, priority, the MMU and its faults, events,
 * interrupts, the doorbell/kick protocol under stress, reset during activity,
 * a client going away, fault injection, and a bounded random loop.
 *
 * Usage: test_queues PATH-TO-s5000-emu      (TAP on stdout)
 *
 * Waits are bounded by generous timeouts; nothing asserts how fast anything is,
 * except that a reset completes within its documented bound.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../uapi/s5000.h"
#include "client.h"
#include "gpu.h"
#include "tap.h"

#define RAM_SIZE        (128ull << 20)
#define VRAM_MAPPED     (2ull << 30)    /* VRAM each standard context maps */
#define TIMEOUT_MS      5000
#define RESET_BOUND_MS  1000

static const char *emu_path;

/* A running emulator with one client, a driver-like view of it and its event ring. */
struct session {
    struct emulator e;
    struct client c;
    struct gpu g;
};

static bool session_start(struct session *s, const char *const *args)
{
    if (!emulator_start(&s->e, emu_path, args) ||
        !client_open(&s->c, s->e.sock_path, RAM_SIZE, S5000_MSIX_VECTORS)) {
        emulator_cleanup(&s->e);
        return false;
    }
    gpu_init(&s->g, &s->c);
    gpu_events_init(&s->g, 64);
    return true;
}

/* The server's log goes into the TAP stream after a failure, or always with EMU_TEST_LOGS=1. */
static void session_end(struct session *s)
{
    client_close(&s->c);
    if (tap_failed || getenv("EMU_TEST_LOGS"))
        emulator_dump_log(&s->e);
    emulator_cleanup(&s->e);
}

/* A deterministic generator for test data and the random loop. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void random_fill(void *p, size_t n)
{
    uint8_t *b = p;

    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(rng() >> 24);
}

static bool submit_all(struct gpu_queue *q, const void *packet)
{
    return gpu_submit(q, packet, TIMEOUT_MS);
}

/* Submits a packet and waits for the queue to consume it. */
static bool run_one(struct gpu_queue *q, const void *packet)
{
    return submit_all(q, packet) && gpu_queue_drain(q, TIMEOUT_MS);
}

static uint32_t queue_error(struct gpu_queue *q)
{
    return __atomic_load_n(&q->db->error, __ATOMIC_ACQUIRE);
}

/* The queue stopped with error: doorbell page and registers agree. */
static bool queue_failed_with(struct gpu_queue *q, uint32_t error)
{
    if (!gpu_queue_wait_state(q, S5000_QSTATE_ERROR, TIMEOUT_MS))
        return false;
    return queue_error(q) == error && gpu_queue_reg(q, S5000_QUEUE_ERROR) == error &&
           gpu_queue_reg(q, S5000_QUEUE_STATUS) == S5000_QSTATE_ERROR;
}

/* Skips events until one of type comes; false if none within the timeout. */
static bool next_event_of(struct gpu *g, uint16_t type, struct s5000_event *ev)
{
    while (gpu_event_next(g, ev, TIMEOUT_MS)) {
        if (ev->type == type)
            return true;
    }
    return false;
}

/* ------------------------------------------------------------ packet kinds */

static void test_nop_and_interrupt(struct session *s)
{
    struct gpu_queue q;
    struct s5000_pkt_nop nop = pkt_nop(0), nop_irq = pkt_nop(S5000_PKT_INTERRUPT);
    uint32_t header;

    if (!ok(gpu_queue_init(&s->g, &q, 0, 1, 6, 3, 0), "queue 0 enabled"))
        return;
    ok(run_one(&q, &nop) && *q.rptr == 1 && q.db->rptr == 1 &&
       rd64(&s->c, S5000_REG_QUEUE(0, S5000_QUEUE_RPTR)) == 1,
       "NOP: read index written back to memory, doorbell page and register");
    memcpy(&header, q.ring, 4);
    ok(header == S5000_PKT_INVALID, "the consumed slot's header is INVALID again");
    client_irq_drain(&s->c);
    ok(run_one(&q, &nop_irq) && client_irq_wait(&s->c, 3, TIMEOUT_MS),
       "INTERRUPT flag: the queue's vector fires after completion");
    ok(gpu_queue_wait_state(&q, S5000_QSTATE_IDLE, TIMEOUT_MS), "an idle queue shows IDLE");
}

static bool pattern_ok(const uint8_t *p, uint64_t size, uint64_t pattern, unsigned int width)
{
    for (uint64_t i = 0; i < size; i++) {
        if (p[i] != (uint8_t)(pattern >> (8 * (i % width))))
            return false;
    }
    return true;
}

static void test_fill(struct session *s, struct gpu_queue *q)
{
    static const unsigned int widths[] = { 1, 2, 4, 8 };
    uint64_t ram = gpu_ram_alloc(&s->g, 3 * 8192);
    uint8_t *ram_p = gpu_ram(&s->g, ram), *vram_p = gpu_vram(&s->g, GPU_DATA_VRAM);

    for (unsigned int i = 0; i < 4; i++) {
        unsigned int w = widths[i];
        uint64_t pattern = 0x8877665544332211ull >> (64 - 8 * w);
        uint64_t size = 8192 + 8 * w;
        struct s5000_pkt_fill to_ram = pkt_fill(gpu_ram_va(ram + 8), size, pattern, w);
        struct s5000_pkt_fill to_vram = pkt_fill(gpu_vram_va(GPU_DATA_VRAM + 8), size, pattern, w);

        memset(ram_p, 0xee, 3 * 8192);
        memset(vram_p, 0xee, 3 * 8192);
        ok(run_one(q, &to_ram) && run_one(q, &to_vram) &&
           pattern_ok(ram_p + 8, size, pattern, w) && pattern_ok(vram_p + 8, size, pattern, w) &&
           ram_p[7] == 0xee && ram_p[8 + size] == 0xee && vram_p[7] == 0xee &&
           vram_p[8 + size] == 0xee,
           "FILL %u-byte pattern into guest RAM and VRAM, page-crossing, nothing outside", w);
    }
}

static void test_signal_timestamp(struct session *s, struct gpu_queue *q)
{
    uint64_t ram = gpu_ram_alloc(&s->g, 64);
    volatile uint64_t *r = gpu_ram(&s->g, ram);
    volatile uint64_t *v = gpu_vram(&s->g, GPU_DATA_VRAM);
    struct s5000_pkt_signal w1 = pkt_signal(S5000_SIGNAL_WRITE, gpu_ram_va(ram), 40, 0);
    struct s5000_pkt_signal a1 = pkt_signal(S5000_SIGNAL_ADD, gpu_ram_va(ram), 2, 0);
    struct s5000_pkt_signal w2 = pkt_signal(S5000_SIGNAL_WRITE, gpu_vram_va(GPU_DATA_VRAM), 1ull << 40, 0);
    struct s5000_pkt_signal a2 = pkt_signal(S5000_SIGNAL_ADD, gpu_vram_va(GPU_DATA_VRAM), ~0ull, 0);
    struct s5000_pkt_timestamp ts = pkt_timestamp(gpu_ram_va(ram + 8));
    uint64_t t0, t1;

    ok(run_one(q, &w1) && run_one(q, &a1) && r[0] == 42, "SIGNAL WRITE and ADD in guest RAM");
    ok(run_one(q, &w2) && run_one(q, &a2) && v[0] == (1ull << 40) - 1,
       "SIGNAL WRITE and ADD (wrapping) in VRAM");
    t0 = rd64(&s->c, S5000_REG_TIMESTAMP);
    ok(run_one(q, &ts), "TIMESTAMP executes");
    t1 = rd64(&s->c, S5000_REG_TIMESTAMP);
    ok(r[1] >= t0 && r[1] <= t1, "TIMESTAMP lies between two TIMESTAMP register reads");
}

static void test_wait_conditions(struct session *s, struct gpu_queue *q)
{
    static const struct { unsigned int cond; uint64_t value; } holds[] = {
        { S5000_WAIT_EQ, 0x34 }, { S5000_WAIT_NE, 0x35 }, { S5000_WAIT_GE, 0x34 },
        { S5000_WAIT_GT, 0x33 }, { S5000_WAIT_LE, 0x34 }, { S5000_WAIT_LT, 0x35 },
    };
    uint64_t ram = gpu_ram_alloc(&s->g, 64);
    volatile uint64_t *r = gpu_ram(&s->g, ram);
    bool all = true;

    r[0] = 0x1234;              /* masked with 0xff: 0x34 */
    for (unsigned int i = 0; i < 6; i++) {
        struct s5000_pkt_wait w = pkt_wait(holds[i].cond, gpu_ram_va(ram), holds[i].value, 0xff, 0);

        all &= run_one(q, &w);
    }
    ok(all, "WAIT: each of the six conditions, under a mask, already true: completes");
}

static void test_barrier_satisfied(struct session *s, struct gpu_queue *q)
{
    uint64_t ram = gpu_ram_alloc(&s->g, 64);
    volatile uint64_t *r = gpu_ram(&s->g, ram);
    struct s5000_pkt_barrier b = { .header = S5000_PKT_HEADER(S5000_PKT_BARRIER, 3, 0) };

    r[0] = 5;
    r[1] = 6;
    r[2] = 7;
    for (int i = 0; i < 3; i++) {
        b.signal[i].addr = gpu_ram_va(ram + 8 * i);
        b.signal[i].value = 5 + i;
    }
    ok(run_one(q, &b), "BARRIER on three signals already at their values completes");
}

static void test_bad_packets(struct session *s)
{
    struct gpu_queue q;
    struct s5000_pkt_nop unknown = { .header = 99 };
    struct s5000_pkt_nop reserved = pkt_nop(0);
    /* Its descriptor is not 64-byte aligned: the launch is refused before any code runs. */
    struct s5000_pkt_kernel_launch launch = {
        .header = S5000_PKT_HEADER(S5000_PKT_KERNEL_LAUNCH, 0, 0), .code = gpu_ram_va(8),
    };
    struct s5000_pkt_fill fill3 = pkt_fill(gpu_ram_va(0), 9, 0, 3);
    struct s5000_pkt_signal bad_op = pkt_signal(7, gpu_ram_va(0), 0, 0);
    struct s5000_pkt_copy overlap = pkt_copy(gpu_ram_va(64), gpu_ram_va(0), 128);
    struct s5000_event ev;

    reserved.pad[3] = 1;
    if (!ok(gpu_queue_init(&s->g, &q, 1, 1, 4, 1, 0), "queue 1 enabled"))
        return;
    ok(submit_all(&q, &launch) && queue_failed_with(&q, S5000_ERR_KERNEL_FAULT) &&
       q.db->fault_kind == S5000_KFAULT_BAD_LAUNCH && q.db->fault_addr == gpu_ram_va(8) &&
       next_event_of(&s->g, S5000_EVENT_QUEUE_ERROR, &ev) && ev.error == S5000_ERR_KERNEL_FAULT &&
       ev.queue == 1 && ev.context == 1,
       "KERNEL_LAUNCH of a misaligned descriptor: KERNEL_FAULT, BAD_LAUNCH, event recorded");
    ok(gpu_queue_restart(&q) && submit_all(&q, &unknown) &&
       queue_failed_with(&q, S5000_ERR_BAD_PACKET), "unknown packet type: BAD_PACKET");
    ok(gpu_queue_restart(&q) && submit_all(&q, &reserved) &&
       queue_failed_with(&q, S5000_ERR_BAD_PACKET), "nonzero reserved field: BAD_PACKET");
    ok(gpu_queue_restart(&q) && submit_all(&q, &fill3) &&
       queue_failed_with(&q, S5000_ERR_BAD_PACKET), "FILL of width 3: BAD_PACKET");
    ok(gpu_queue_restart(&q) && submit_all(&q, &bad_op) &&
       queue_failed_with(&q, S5000_ERR_BAD_PACKET), "SIGNAL with an unknown operation: BAD_PACKET");
    ok(gpu_queue_restart(&q) && submit_all(&q, &overlap) &&
       queue_failed_with(&q, S5000_ERR_BAD_PACKET), "COPY with overlapping ranges: BAD_PACKET");
    ok(*q.rptr == 0 && q.db->rptr == 0, "a failed queue's read index stays on the failed packet");

    ok(gpu_queue_restart(&q), "queue reset and enabled again");
    q.db->wptr = 100;       /* more than 16 slots ahead */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    wr32(&s->c, S5000_REG_KICK, 1);
    ok(queue_failed_with(&q, S5000_ERR_BAD_WPTR), "write index more than the ring ahead: BAD_WPTR");
    gpu_queue_restart(&q);
    gpu_queue_set(&q, S5000_QUEUE_CONTROL, 0);
}

static void test_packet_kinds(struct session *s)
{
    struct gpu_queue q;

    gpu_context(&s->g, 1, VRAM_MAPPED);
    test_nop_and_interrupt(s);
    if (!gpu_queue_init(&s->g, &q, 2, 1, 8, 2, 1))
        return;
    test_fill(s, &q);
    test_signal_timestamp(s, &q);
    test_wait_conditions(s, &q);
    test_barrier_satisfied(s, &q);
    test_bad_packets(s);
}

/* ------------------------------------------------------------------ copies */

enum kind { RAM, VRAM };

/* Where buffer i of a kind lives: host pointer and GPU VA. */
static uint8_t *buffer(struct session *s, enum kind k, uint64_t off, uint64_t *va)
{
    if (k == RAM) {
        *va = gpu_ram_va(off);
        return gpu_ram(&s->g, off);
    }
    *va = gpu_vram_va(GPU_DATA_VRAM + off);
    return gpu_vram(&s->g, GPU_DATA_VRAM + off);
}

static bool copy_case(struct session *s, struct gpu_queue *q, uint64_t base, enum kind from,
                      enum kind to, uint64_t src_off, uint64_t dst_off, uint64_t size)
{
    uint64_t src_va, dst_va;
    uint8_t *src = buffer(s, from, base + src_off, &src_va);
    uint8_t *dst = buffer(s, to, base + (32ull << 20) + dst_off, &dst_va);
    struct s5000_pkt_copy c = pkt_copy(dst_va, src_va, size);

    random_fill(src, size);
    memset(dst - 1, 0x5a, size + 2);
    return run_one(q, &c) && memcmp(src, dst, size) == 0 && dst[-1] == 0x5a &&
           dst[size] == 0x5a;
}

static void test_copies(struct session *s)
{
    static const char *const names[] = { "guest RAM", "VRAM" };
    uint64_t base = gpu_ram_alloc(&s->g, 64ull << 20);
    struct gpu_queue q;

    if (!gpu_queue_init(&s->g, &q, 3, 1, 6, 1, 0))
        return;
    for (int from = RAM; from <= VRAM; from++) {
        for (int to = RAM; to <= VRAM; to++) {
            ok(copy_case(s, &q, from == RAM || to == RAM ? base : 0, from, to, 64, 128, 4096),
               "COPY %s -> %s, one page", names[from], names[to]);
            ok(copy_case(s, &q, from == RAM || to == RAM ? base : 0, from, to, 4093, 1, 3 * 4096 + 77),
               "COPY %s -> %s, unaligned and page-crossing", names[from], names[to]);
            ok(copy_case(s, &q, from == RAM || to == RAM ? base : 0, from, to, 3, 4096 - 5,
                         (20ull << 20) + 13),
               "COPY %s -> %s, 20 MiB (several pieces), unaligned", names[from], names[to]);
        }
    }
    gpu_queue_set(&q, S5000_QUEUE_CONTROL, 0);
}

/* ------------------------------------------------------- waits and barriers */

static void test_wait_released(struct session *s)
{
    struct gpu_queue a, b;
    uint64_t ram = gpu_ram_alloc(&s->g, 64);
    volatile uint64_t *r = gpu_ram(&s->g, ram);
    struct s5000_pkt_wait wait = pkt_wait(S5000_WAIT_GE, gpu_ram_va(ram), 1, ~0ull, 0);
    struct s5000_pkt_signal done = pkt_signal(S5000_SIGNAL_WRITE, gpu_ram_va(ram + 8), 1, 0);
    struct s5000_pkt_signal release = pkt_signal(S5000_SIGNAL_WRITE, gpu_ram_va(ram), 1, 0);
    struct s5000_pkt_wait wait2 = pkt_wait(S5000_WAIT_EQ, gpu_ram_va(ram + 16), 7, ~0ull, 0);
    struct s5000_pkt_wait forever = pkt_wait(S5000_WAIT_EQ, gpu_ram_va(ram + 24), 1, ~0ull, 5000000);

    if (!gpu_queue_init(&s->g, &a, 4, 1, 4, 1, 0) || !gpu_queue_init(&s->g, &b, 5, 1, 4, 1, 0))
        return;
    submit_all(&a, &wait);
    submit_all(&a, &done);
    ok(gpu_queue_wait_state(&a, S5000_QSTATE_WAITING, TIMEOUT_MS), "WAIT not satisfied: queue parks (WAITING)");
    sleep_ms(20);
    ok(r[1] == 0 && *a.rptr == 0, "... and nothing after it runs");
    ok(run_one(&b, &release) && gpu_queue_drain(&a, TIMEOUT_MS) && r[1] == 1,
       "a SIGNAL from another queue releases it; the next packet runs");

    submit_all(&a, &wait2);
    ok(gpu_queue_wait_state(&a, S5000_QSTATE_WAITING, TIMEOUT_MS), "parked again");
    __atomic_store_n(&r[2], 7, __ATOMIC_RELEASE);
    ok(gpu_queue_drain(&a, TIMEOUT_MS), "a CPU write releases it too (periodic re-check)");

    submit_all(&a, &forever);
    ok(queue_failed_with(&a, S5000_ERR_WAIT_TIMEOUT) && a.db->fault_addr == gpu_ram_va(ram + 24),
       "WAIT with a 5 ms timeout that never holds: WAIT_TIMEOUT, its address recorded");
    gpu_queue_set(&a, S5000_QUEUE_CONTROL, S5000_QUEUE_RESET);
    gpu_queue_set(&b, S5000_QUEUE_CONTROL, 0);
}

static void test_barrier_released(struct session *s)
{
    struct gpu_queue a, b, c;
    uint64_t ram = gpu_ram_alloc(&s->g, 64);
    volatile uint64_t *r = gpu_ram(&s->g, ram);
    struct s5000_pkt_barrier bar = { .header = S5000_PKT_HEADER(S5000_PKT_BARRIER, 3, 0) };
    struct s5000_pkt_signal done = pkt_signal(S5000_SIGNAL_WRITE, gpu_ram_va(ram + 24), 1, 0);
    struct s5000_pkt_signal add1 = pkt_signal(S5000_SIGNAL_ADD, gpu_ram_va(ram), 1, 0);
    struct s5000_pkt_signal add2 = pkt_signal(S5000_SIGNAL_ADD, gpu_ram_va(ram + 8), 2, 0);
    struct s5000_pkt_signal set3 = pkt_signal(S5000_SIGNAL_WRITE, gpu_ram_va(ram + 16), 3, 0);

    for (int i = 0; i < 3; i++) {
        bar.signal[i].addr = gpu_ram_va(ram + 8 * i);
        bar.signal[i].value = (uint64_t)i + 1;
    }
    if (!gpu_queue_init(&s->g, &a, 6, 1, 4, 1, 0) || !gpu_queue_init(&s->g, &b, 7, 1, 4, 1, 0) ||
        !gpu_queue_init(&s->g, &c, 8, 1, 4, 1, 0))
        return;
    submit_all(&a, &bar);
    submit_all(&a, &done);
    ok(gpu_queue_wait_state(&a, S5000_QSTATE_WAITING, TIMEOUT_MS), "BARRIER on three signals parks");
    ok(run_one(&b, &add1) && run_one(&c, &add2), "two of the three signals arrive");
    sleep_ms(20);
    ok(r[3] == 0 && gpu_queue_reg(&a, S5000_QUEUE_STATUS) == S5000_QSTATE_WAITING,
       "the barrier still holds with one missing");
    ok(run_one(&b, &set3) && gpu_queue_drain(&a, TIMEOUT_MS) && r[3] == 1,
       "the third releases it");
    gpu_queue_set(&a, S5000_QUEUE_CONTROL, 0);
    gpu_queue_set(&b, S5000_QUEUE_CONTROL, 0);
    gpu_queue_set(&c, S5000_QUEUE_CONTROL, 0);
}

/* -------------------------------------------------- ordering and concurrency */

static void test_ordering(struct session *s)
{
    enum { N = 300 };
    uint64_t ram = gpu_ram_alloc(&s->g, 8 * (N + 1));
    volatile uint64_t *r = gpu_ram(&s->g, ram);
    struct gpu_queue q;
    bool in_order = true;

    if (!gpu_queue_init(&s->g, &q, 9, 1, 7, 1, 0))
        return;
    /* Each COPY must see the SIGNAL before it: slot i ends up holding i. */
    for (uint64_t i = 1; i <= N; i++) {
        struct s5000_pkt_signal sig = pkt_signal(S5000_SIGNAL_WRITE, gpu_ram_va(ram), i, 0);
        struct s5000_pkt_copy cp = pkt_copy(gpu_ram_va(ram + 8 * i), gpu_ram_va(ram), 8);

        submit_all(&q, &sig);
        submit_all(&q, &cp);
    }
    ok(gpu_queue_drain(&q, TIMEOUT_MS), "%d SIGNAL+COPY pairs complete", N);
    for (uint64_t i = 1; i <= N; i++)
        in_order &= r[i] == i;
    ok(in_order, "in-queue order: every COPY saw the SIGNAL submitted before it");
    gpu_queue_set(&q, S5000_QUEUE_CONTROL, 0);
}

static void test_concurrency(struct session *s)
{
    uint64_t ram = gpu_ram_alloc(&s->g, 64);
    volatile uint64_t *r = gpu_ram(&s->g, ram);
    struct s5000_pkt_signal sig = pkt_signal(S5000_SIGNAL_WRITE, gpu_ram_va(ram), 1, 0);
    struct gpu_queue big, small;
    bool before;

    if (!gpu_queue_init(&s->g, &big, 10, 1, 6, 1, 0) ||
        !gpu_queue_init(&s->g, &small, 11, 1, 4, 1, 0))
        return;
    /* 16 x 64 MiB of copying on one queue... */
    for (int i = 0; i < 16; i++) {
        struct s5000_pkt_copy c = pkt_copy(gpu_vram_va(1ull << 30), gpu_vram_va(1280ull << 20),
                                           64ull << 20);

        submit_all(&big, &c);
    }
    /* ... while a SIGNAL on another queue completes meanwhile. */
    ok(run_one(&small, &sig) && r[0] == 1, "a queue runs while another copies 1 GiB");
    before = __atomic_load_n(big.rptr, __ATOMIC_ACQUIRE) < 16;
    ok(before, "... and it finished before the copies did");
    ok(gpu_queue_drain(&big, 4 * TIMEOUT_MS), "the copies complete");
    gpu_queue_set(&big, S5000_QUEUE_CONTROL, 0);
    gpu_queue_set(&small, S5000_QUEUE_CONTROL, 0);
}

/* ---------------------------------------------------------------------- MMU */

static void test_mmu_translation(struct session *s)
{
    uint64_t page = gpu_ram_alloc(&s->g, 4096);
    volatile uint64_t *host = gpu_ram(&s->g, page);
    volatile uint8_t *vram = gpu_vram(&s->g, GPU_DATA_VRAM + (6ull << 20));
    const uint64_t va4k = 0x7654321000ull, va2m = 0x40000000ull;
    struct s5000_pkt_signal s4k = pkt_signal(S5000_SIGNAL_WRITE, va4k + 0x18, 0xabcd, 0);
    struct s5000_pkt_signal s2m = pkt_signal(S5000_SIGNAL_WRITE, va2m + 0x123458, 0xef01, 0);
    struct gpu_queue q;

    gpu_context(&s->g, 2, 64ull << 20);
    gpu_map(&s->g, 2, va4k, s->c.ram_bus + page, 4096, S5000_PTE_WRITE | S5000_PTE_SYSTEM, 12);
    gpu_map(&s->g, 2, va2m, GPU_DATA_VRAM + (6ull << 20), 2ull << 20, S5000_PTE_WRITE, 21);
    wr32(&s->c, S5000_REG_TLB_INVALIDATE, 2);
    if (!gpu_queue_init(&s->g, &q, 12, 2, 4, 1, 0))
        return;
    ok(run_one(&q, &s4k) && host[3] == 0xabcd, "4 KiB page: the write lands at its bus address");
    ok(run_one(&q, &s2m) && *(volatile uint64_t *)(vram + 0x123458) == 0xef01,
       "2 MiB page: the write lands at its VRAM offset");
    gpu_queue_set(&q, S5000_QUEUE_CONTROL, 0);
}

/* A fault in context 3 is recorded everywhere the driver looks. */
static void fault_case(struct session *s, struct gpu_queue *q, uint64_t va, uint32_t error,
                       uint16_t event_type, const char *what)
{
    struct s5000_pkt_signal sig = pkt_signal(S5000_SIGNAL_WRITE, va, 1, 0);
    struct s5000_event ev;
    uint32_t cause;

    wr32(&s->c, S5000_REG_INT_CAUSE, ~0u);
    client_irq_drain(&s->c);
    ok(gpu_queue_restart(q) && submit_all(q, &sig) && queue_failed_with(q, error) &&
       q->db->fault_addr == va, "%s: queue stops, error and address in its doorbell page", what);
    ok(next_event_of(&s->g, event_type, &ev) && ev.queue == q->id && ev.context == 3 &&
       ev.address == va && ev.access == S5000_ACCESS_WRITE && ev.error == error,
       "%s: event with address, write access, queue and context", what);
    cause = rd32(&s->c, S5000_REG_INT_CAUSE);
    ok((cause & S5000_INT_QUEUE_ERROR) &&
       (error != S5000_ERR_PAGE_FAULT || (cause & S5000_INT_PAGE_FAULT)) &&
       client_irq_wait(&s->c, S5000_EVENT_VECTOR, TIMEOUT_MS),
       "%s: INT_CAUSE set and the event vector fired", what);
}

static void test_mmu_faults(struct session *s)
{
    uint64_t page = gpu_ram_alloc(&s->g, 4096);
    const uint64_t ro_va = 0x30000000ull, outside_va = 0x31000000ull;
    struct s5000_pkt_wait read_ro = pkt_wait(S5000_WAIT_EQ, ro_va, 0, ~0ull, 0);
    struct s5000_pkt_signal other = pkt_signal(S5000_SIGNAL_WRITE, gpu_ram_va(page + 8), 9, 0);
    volatile uint64_t *host = gpu_ram(&s->g, page);
    struct gpu_queue q, same_ctx, other_ctx;

    gpu_context(&s->g, 3, 64ull << 20);
    gpu_context(&s->g, 4, 64ull << 20);
    gpu_map(&s->g, 3, ro_va, s->c.ram_bus + page, 4096, S5000_PTE_SYSTEM, 12);
    gpu_map(&s->g, 3, outside_va, 0x7000000000ull, 4096, S5000_PTE_WRITE | S5000_PTE_SYSTEM, 12);
    if (!gpu_queue_init(&s->g, &q, 13, 3, 4, 1, 0) ||
        !gpu_queue_init(&s->g, &same_ctx, 14, 3, 4, 1, 0) ||
        !gpu_queue_init(&s->g, &other_ctx, 15, 4, 4, 1, 0))
        return;
    fault_case(s, &q, 0x5000000000ull, S5000_ERR_PAGE_FAULT, S5000_EVENT_PAGE_FAULT, "unmapped address");
    ok(rd32(&s->c, S5000_REG_CTX(3, S5000_CTX_STATUS)) & S5000_CTX_FAULTED,
       "the faulting context is marked FAULTED");
    ok(run_one(&other_ctx, &other) && host[1] == 9, "another context's queue keeps working");
    other.value = 10;
    ok(run_one(&same_ctx, &other) && host[1] == 10,
       "another queue of the same context keeps working (only the faulting queue stops)");
    ok(gpu_queue_restart(&q) && run_one(&q, &read_ro), "a read-only page can be read");
    fault_case(s, &q, ro_va, S5000_ERR_PAGE_FAULT, S5000_EVENT_PAGE_FAULT, "write to a read-only page");
    fault_case(s, &q, outside_va, S5000_ERR_DMA, S5000_EVENT_QUEUE_ERROR,
               "system address outside guest RAM");
    wr32(&s->c, S5000_REG_CTX(3, S5000_CTX_CONTROL), 0);
    ok(rd32(&s->c, S5000_REG_CTX(3, S5000_CTX_STATUS)) == 0, "disabling the context clears FAULTED");
    ok(gpu_queue_restart(&q) && submit_all(&q, &other) && queue_failed_with(&q, S5000_ERR_BAD_CONTEXT),
       "a queue of a disabled context stops with BAD_CONTEXT");
    gpu_queue_set(&q, S5000_QUEUE_CONTROL, S5000_QUEUE_RESET);
    gpu_queue_set(&same_ctx, S5000_QUEUE_CONTROL, 0);
    gpu_queue_set(&other_ctx, S5000_QUEUE_CONTROL, 0);
}

/* ------------------------------------------------------- interrupts, events */

static void test_interrupts(struct session *s)
{
    enum { N = 50 };
    uint64_t ram = gpu_ram_alloc(&s->g, 64);
    volatile uint64_t *r = gpu_ram(&s->g, ram);
    struct s5000_pkt_signal add = pkt_signal(S5000_SIGNAL_ADD, gpu_ram_va(ram), 1, S5000_PKT_INTERRUPT);
    struct gpu_queue a, b;
    uint64_t count = 0, n;

    if (!gpu_queue_init(&s->g, &a, 16, 1, 7, 7, 0) || !gpu_queue_init(&s->g, &b, 17, 1, 7, 7, 0))
        return;
    client_irq_drain(&s->c);
    ok(run_one(&a, &add) && client_irq_wait(&s->c, 7, TIMEOUT_MS) && run_one(&b, &add) &&
       client_irq_wait(&s->c, 7, TIMEOUT_MS) && r[0] == 2,
       "two queues sharing vector 7 both raise it");
    for (int i = 0; i < N; i++)
        submit_all(&a, &add);
    ok(gpu_queue_drain(&a, TIMEOUT_MS) && r[0] == 2 + N, "%d interrupting packets complete", N);
    sleep_ms(20);
    while (read(s->c.irq_fd[7], &n, sizeof(n)) == sizeof(n))
        count += n;
    ok(count >= 1 && count <= N, "interrupts are a hint: %llu for %d packets, completion is in memory",
       (unsigned long long)count, N);
    gpu_queue_set(&a, S5000_QUEUE_CONTROL, 0);
    gpu_queue_set(&b, S5000_QUEUE_CONTROL, 0);
}

static void test_event_overflow(struct session *s)
{
    struct s5000_pkt_signal bad = pkt_signal(S5000_SIGNAL_WRITE, 0x6000000000ull, 1, 0);
    uint64_t lost = rd64(&s->c, S5000_REG_EVENTS_LOST);
    struct s5000_event *ring;
    volatile uint64_t *wptr;
    struct gpu_queue q;
    bool stopped = true;

    gpu_events_init(&s->g, 4);
    ring = gpu_ram(&s->g, s->g.ev_ring);
    wptr = gpu_ram(&s->g, s->g.ev_wptr);
    if (!gpu_queue_init(&s->g, &q, 18, 1, 4, 1, 0))
        return;
    wr32(&s->c, S5000_REG_INT_CAUSE, ~0u);
    for (int i = 0; i < 6; i++) {
        bad.addr = 0x6000000000ull + 4096 * (uint64_t)i;
        stopped &= gpu_queue_restart(&q) && submit_all(&q, &bad) &&
                   queue_failed_with(&q, S5000_ERR_PAGE_FAULT);
    }
    ok(stopped, "six faults with nobody reading the events");
    ok(*wptr == 4 && rd64(&s->c, S5000_REG_EVENTS_LOST) == lost + 2 &&
       (rd32(&s->c, S5000_REG_INT_CAUSE) & S5000_INT_EVENT_OVERFLOW),
       "a ring of 4 takes 4; 2 are counted lost and EVENT_OVERFLOW is set");
    ok(ring[0].address == 0x6000000000ull && ring[3].address == 0x6000003000ull,
       "unread entries were not overwritten");
    wr64(&s->c, S5000_REG_EVENT_RPTR, 4);
    ok(gpu_queue_restart(&q) && submit_all(&q, &bad) && wait_u64(wptr, 5, TIMEOUT_MS) &&
       ring[0].address == bad.addr, "once read, the next event is written");
    gpu_queue_set(&q, S5000_QUEUE_CONTROL, S5000_QUEUE_RESET);
    gpu_events_init(&s->g, 64);
}

/* ----------------------------------------------------- control interface */

static bool ctl(struct session *s, const char *cmd, char *line, size_t size)
{
    int fd = connect_unix(s->e.ctl_path, 1000);
    bool done = fd >= 0 && control_command(fd, cmd, line, size);

    if (fd >= 0)
        close(fd);
    return done;
}

static uint64_t counter(const char *line, const char *name)
{
    const char *at = strstr(line, name);

    return at ? strtoull(at + strlen(name) + 1, NULL, 10) : UINT64_MAX;
}

static void test_control(struct session *s)
{
    uint64_t ram = gpu_ram_alloc(&s->g, 64);
    volatile uint64_t *r = gpu_ram(&s->g, ram);
    struct s5000_pkt_signal sig = pkt_signal(S5000_SIGNAL_WRITE, gpu_ram_va(ram), 5, 0);
    struct s5000_pkt_signal to_vram = pkt_signal(S5000_SIGNAL_WRITE, gpu_vram_va(GPU_DATA_VRAM), 5, 0);
    struct s5000_event ev;
    struct gpu_queue q;
    char line[1024];

    if (!gpu_queue_init(&s->g, &q, 19, 1, 4, 1, 0))
        return;
    ok(ctl(s, "hang 19\n", line, sizeof(line)) && strcmp(line, "ok") == 0, "control: hang 19");
    submit_all(&q, &sig);
    sleep_ms(50);
    ok(r[0] == 0 && *q.rptr == 0 && gpu_queue_reg(&q, S5000_QUEUE_STATUS) == S5000_QSTATE_RUNNING,
       "a hung queue makes no progress and looks busy");
    ok(gpu_queue_restart(&q) && run_one(&q, &sig) && r[0] == 5, "a queue reset recovers it");

    ok(ctl(s, "dma-fail\n", line, sizeof(line)) && strcmp(line, "ok") == 0, "control: dma-fail");
    ok(submit_all(&q, &sig) && queue_failed_with(&q, S5000_ERR_DMA),
       "the next system-memory access fails: the queue stops with DMA");

    wr32(&s->c, S5000_REG_INT_CAUSE, ~0u);
    ok(ctl(s, "ecc corrected\n", line, sizeof(line)) && strcmp(line, "ok") == 0 &&
       rd64(&s->c, S5000_REG_ECC_CORRECTED) == 1 && next_event_of(&s->g, S5000_EVENT_ECC, &ev) &&
       ev.error == 0 && (rd32(&s->c, S5000_REG_INT_CAUSE) & S5000_INT_ECC),
       "control: ecc corrected counts, reports an ECC event and sets INT_CAUSE");
    ok(ctl(s, "ecc uncorrected\n", line, sizeof(line)) && strcmp(line, "ok") == 0 &&
       rd64(&s->c, S5000_REG_ECC_UNCORRECTED) == 1 && next_event_of(&s->g, S5000_EVENT_ECC, &ev) &&
       ev.error == S5000_ERR_ECC && (rd32(&s->c, S5000_REG_STATUS) & S5000_STATUS_ERROR),
       "control: ecc uncorrected counts, reports, and sets STATUS.ERROR");
    ok(gpu_queue_restart(&q) && submit_all(&q, &to_vram) && queue_failed_with(&q, S5000_ERR_ECC) &&
       next_event_of(&s->g, S5000_EVENT_ECC, &ev) && ev.queue == 19,
       "the next VRAM access is poisoned: the queue stops with ECC");
    ok(ctl(s, "counters\n", line, sizeof(line)) && counter(line, "packets") > 0 &&
       counter(line, "faults") >= 2 && counter(line, "ecc_uncorrected") == 1 &&
       counter(line, "kicks") > 0 && counter(line, "events_lost") != UINT64_MAX,
       "control: counters (%s)", line);
    ok(ctl(s, "help\n", line, sizeof(line)) && strstr(line, "hang") && strstr(line, "counters"),
       "control: help");
    ok(ctl(s, "hang 99\n", line, sizeof(line)) && strncmp(line, "error", 5) == 0,
       "control: hang of a queue that does not exist is refused");
    gpu_queue_set(&q, S5000_QUEUE_CONTROL, S5000_QUEUE_RESET);
}

static void test_telemetry(struct session *s)
{
    struct s5000_pkt_copy c = pkt_copy(gpu_vram_va(1ull << 30), gpu_vram_va(1280ull << 20), 64ull << 20);
    uint32_t temp, power;
    struct gpu_queue q;
    bool copied = gpu_queue_init(&s->g, &q, 25, 1, 4, 1, 0);

    for (int i = 0; i < 4; i++)
        copied &= submit_all(&q, &c);
    copied &= gpu_queue_drain(&q, TIMEOUT_MS);
    gpu_queue_set(&q, S5000_QUEUE_CONTROL, 0);
    temp = rd32(&s->c, S5000_REG_TEMP_MC);
    power = rd32(&s->c, S5000_REG_POWER_MW);
    ok(copied && rd32(&s->c, S5000_REG_UTIL_COPY) > 0,
       "copy utilisation shows 256 MiB just copied (%u%%)", rd32(&s->c, S5000_REG_UTIL_COPY));
    ok(power > 0 && power <= rd32(&s->c, S5000_REG_POWER_LIMIT_MW) && temp > 20000 && temp < 100000,
       "power %u mW within the limit, temperature %u m°C plausible", power, temp);
    ok(rd32(&s->c, S5000_REG_SM_CLOCK_MHZ) <= rd32(&s->c, S5000_REG_SM_CLOCK_MAX_MHZ) &&
       rd32(&s->c, S5000_REG_MEM_CLOCK_MHZ) <= rd32(&s->c, S5000_REG_MEM_CLOCK_MAX_MHZ) &&
       rd32(&s->c, S5000_REG_LINK_BANDWIDTH_MBPS) == 784000,
       "clocks within their maxima; 784 GB/s card-to-card link");
}

/* ------------------------------------------------------------------ stress */

struct stress {
    struct gpu_queue *q;
    uint64_t shared, own;       /* VAs of the counters */
    int packets;
    bool all_submitted;
};

static void *stress_submitter(void *arg)
{
    struct stress *st = arg;
    struct s5000_pkt_signal shared = pkt_signal(S5000_SIGNAL_ADD, st->shared, 1, 0);
    struct s5000_pkt_signal own = pkt_signal(S5000_SIGNAL_ADD, st->own, 1, 0);

    st->all_submitted = true;
    for (int i = 0; i < st->packets; i += 2) {
        /* Now and then a pause long enough for the command processor to fall asleep. */
        if (i % 4000 == 3998)
            sleep_ms(2);
        st->all_submitted &= submit_all(st->q, &shared) && submit_all(st->q, &own);
    }
    return NULL;
}

static void test_stress(struct session *s)
{
    enum { PER_THREAD = 60000 };
    uint64_t ram = gpu_ram_alloc(&s->g, 64);
    volatile uint64_t *r = gpu_ram(&s->g, ram);
    struct gpu_queue q[2];
    struct stress st[2];
    pthread_t threads[2];

    if (!gpu_queue_init(&s->g, &q[0], 20, 1, 10, 1, 0) || !gpu_queue_init(&s->g, &q[1], 21, 1, 10, 1, 0))
        return;
    for (int i = 0; i < 2; i++) {
        st[i] = (struct stress){ .q = &q[i], .shared = gpu_ram_va(ram),
                                 .own = gpu_ram_va(ram + 8 + 8 * i), .packets = PER_THREAD };
        pthread_create(&threads[i], NULL, stress_submitter, &st[i]);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    ok(st[0].all_submitted && st[1].all_submitted && gpu_queue_drain(&q[0], TIMEOUT_MS) &&
       gpu_queue_drain(&q[1], TIMEOUT_MS),
       "two threads submitted %d packets on two queues through the doorbells", 2 * PER_THREAD);
    ok(r[0] == PER_THREAD && r[1] == PER_THREAD / 2 && r[2] == PER_THREAD / 2,
       "every SIGNAL ran exactly once (shared %llu, own %llu and %llu)",
       (unsigned long long)r[0], (unsigned long long)r[1], (unsigned long long)r[2]);
    ok(q[0].kicks + q[1].kicks > 0, "the kick path was taken when the CP slept (%llu kicks)",
       (unsigned long long)(q[0].kicks + q[1].kicks));
    gpu_queue_set(&q[0], S5000_QUEUE_CONTROL, 0);
    gpu_queue_set(&q[1], S5000_QUEUE_CONTROL, 0);
}

/* -------------------------------------------------------------------- reset */

/* A queue parked on a WAIT and another deep in 2 GiB of copies. */
static bool start_activity(struct session *s, struct gpu_queue *parked, struct gpu_queue *busy)
{
    uint64_t ram = gpu_ram_alloc(&s->g, 64);
    struct s5000_pkt_wait wait = pkt_wait(S5000_WAIT_EQ, gpu_ram_va(ram), 1, ~0ull, 0);

    gpu_context(&s->g, 5, VRAM_MAPPED);
    if (!gpu_queue_init(&s->g, parked, 22, 5, 4, 1, 0) || !gpu_queue_init(&s->g, busy, 23, 5, 6, 1, 0))
        return false;
    submit_all(parked, &wait);
    for (int i = 0; i < 32; i++) {
        struct s5000_pkt_copy c = pkt_copy(gpu_vram_va(1ull << 30), gpu_vram_va(1280ull << 20),
                                           64ull << 20);

        submit_all(busy, &c);
    }
    return gpu_queue_wait_state(parked, S5000_QSTATE_WAITING, TIMEOUT_MS) &&
           gpu_queue_wait_state(busy, S5000_QSTATE_RUNNING, TIMEOUT_MS);
}

static bool power_on_state(struct session *s)
{
    return rd32(&s->c, S5000_REG_CONTROL) == 0 && rd32(&s->c, S5000_REG_STATUS) == 0 &&
           rd32(&s->c, S5000_REG_QUEUE(22, S5000_QUEUE_STATUS)) == S5000_QSTATE_DISABLED &&
           rd32(&s->c, S5000_REG_QUEUE(23, S5000_QUEUE_STATUS)) == S5000_QSTATE_DISABLED &&
           rd64(&s->c, S5000_REG_CTX(5, S5000_CTX_PT_ROOT)) == 0 &&
           rd64(&s->c, S5000_REG_EVENT_RING_SIZE) == 0 &&
           rd32(&s->c, S5000_REG_INT_CAUSE) == S5000_INT_RESET_DONE &&
           s->c.doorbells[S5000_PAGE_SIZE * 23] == 0;
}

/* After a reset the device is programmed from scratch and works. */
static bool works_again(struct session *s)
{
    uint64_t ram = gpu_ram_alloc(&s->g, 64);
    volatile uint64_t *r = gpu_ram(&s->g, ram);
    struct s5000_pkt_signal sig = pkt_signal(S5000_SIGNAL_WRITE, gpu_ram_va(ram), 77, 0);
    struct gpu_queue q;

    s->g.next_table = S5000_PAGE_SIZE;
    wr32(&s->c, S5000_REG_CONTROL, S5000_CONTROL_ENABLE);
    gpu_events_init(&s->g, 64);
    gpu_context(&s->g, 1, VRAM_MAPPED);
    return gpu_queue_init(&s->g, &q, 0, 1, 4, 1, 0) && run_one(&q, &sig) && r[0] == 77;
}

static void test_reset_register(struct session *s)
{
    struct gpu_queue parked, busy;
    uint32_t resets = rd32(&s->c, S5000_REG_RESET_COUNT);
    uint64_t start;
    long ms = -1;

    if (!ok(start_activity(s, &parked, &busy), "a queue parked on WAIT, another copying"))
        return;
    start = now_ns();
    wr32(&s->c, S5000_REG_CONTROL, S5000_CONTROL_RESET);
    while ((now_ns() - start) / 1000000 < 5000) {
        if (!(rd32(&s->c, S5000_REG_STATUS) & S5000_STATUS_RESETTING)) {
            ms = (long)((now_ns() - start) / 1000000);
            break;
        }
    }
    ok(ms >= 0 && ms < RESET_BOUND_MS, "CONTROL.RESET during activity completes within %d ms (%ld ms)",
       RESET_BOUND_MS, ms);
    ok(rd32(&s->c, S5000_REG_RESET_COUNT) == resets + 1 && power_on_state(s),
       "registers, queues, contexts, events and doorbells are at power-on state");
    ok(works_again(s), "the device works after the reset");
}

static void test_reset_vfio_user(struct session *s)
{
    struct gpu_queue parked, busy;
    uint64_t start;
    int ret;

    if (!ok(start_activity(s, &parked, &busy), "again a queue parked and one copying"))
        return;
    start = now_ns();
    ret = client_request(&s->c, CMD_DEVICE_RESET, NULL, 0);
    ok(ret == 0 && (now_ns() - start) / 1000000 < RESET_BOUND_MS && power_on_state(s),
       "vfio-user DEVICE_RESET during activity answers within %d ms, at power-on state",
       RESET_BOUND_MS);
    ok(works_again(s), "the device works after it");
}

/* ------------------------------------------------------ clients come and go */

static void test_reconnect(struct session *s)
{
    struct gpu_queue parked, busy;
    uint32_t resets = rd32(&s->c, S5000_REG_RESET_COUNT);

    ok(start_activity(s, &parked, &busy), "activity before the client goes");
    client_close(&s->c);
    if (!ok(client_open(&s->c, s->e.sock_path, RAM_SIZE, 8), "a new client connects and sets up"))
        return;
    ok(rd32(&s->c, S5000_REG_RESET_COUNT) > resets && power_on_state(s),
       "the disconnect reset the device");
    s->g.c = &s->c;
    s->g.ram_next = 0;
    ok(works_again(s), "the new client's queue works");
    ok(emulator_alive(&s->e), "the server is still running");
}

/* -------------------------------------------------------------- priorities */

static bool timestamps(struct gpu_queue *q, uint64_t ram, int n)
{
    bool all = true;

    for (int i = 0; i < n; i++) {
        struct s5000_pkt_timestamp t = pkt_timestamp(gpu_ram_va(ram + 8 * (uint64_t)i));

        all &= submit_all(q, &t);
    }
    return all;
}

static void min_max(volatile uint64_t *t, int n, uint64_t *min, uint64_t *max)
{
    *min = UINT64_MAX;
    *max = 0;
    for (int i = 0; i < n; i++) {
        *min = t[i] < *min ? t[i] : *min;
        *max = t[i] > *max ? t[i] : *max;
    }
}

/* One command processor thread, so that priority and round-robin decide the order. */
static void test_priority(void)
{
    const char *const args[] = { "--cp-threads", "1", NULL };
    enum { N = 32, M = 200 };
    struct session s;
    struct gpu_queue low, high, rr[2];
    uint64_t lo_min, lo_max, hi_min, hi_max, a_min, a_max, b_min, b_max;
    uint64_t t_low, t_high, t_a, t_b;

    if (!ok(session_start(&s, args), "server with one command processor thread"))
        return;
    gpu_context(&s.g, 1, 64ull << 20);
    t_low = gpu_ram_alloc(&s.g, 8 * N);
    t_high = gpu_ram_alloc(&s.g, 8 * N);
    t_a = gpu_ram_alloc(&s.g, 8 * M);
    t_b = gpu_ram_alloc(&s.g, 8 * M);
    gpu_queue_init(&s.g, &low, 0, 1, 6, 1, 0);
    gpu_queue_init(&s.g, &high, 1, 1, 6, 1, 3);
    gpu_queue_init(&s.g, &rr[0], 2, 1, 8, 1, 1);
    gpu_queue_init(&s.g, &rr[1], 3, 1, 8, 1, 1);

    /* Everything queued while the command processors are stopped, then let go. */
    wr32(&s.c, S5000_REG_CONTROL, 0);
    ok(timestamps(&low, t_low, N) && timestamps(&high, t_high, N), "low and high priority queues filled");
    wr32(&s.c, S5000_REG_CONTROL, S5000_CONTROL_ENABLE);
    ok(gpu_queue_drain(&low, TIMEOUT_MS) && gpu_queue_drain(&high, TIMEOUT_MS), "both complete");
    min_max(gpu_ram(&s.g, t_low), N, &lo_min, &lo_max);
    min_max(gpu_ram(&s.g, t_high), N, &hi_min, &hi_max);
    ok(hi_max <= lo_min, "the high-priority queue ran first");

    wr32(&s.c, S5000_REG_CONTROL, 0);
    ok(timestamps(&rr[0], t_a, M) && timestamps(&rr[1], t_b, M), "two equal-priority queues filled");
    wr32(&s.c, S5000_REG_CONTROL, S5000_CONTROL_ENABLE);
    ok(gpu_queue_drain(&rr[0], TIMEOUT_MS) && gpu_queue_drain(&rr[1], TIMEOUT_MS), "both complete");
    min_max(gpu_ram(&s.g, t_a), M, &a_min, &a_max);
    min_max(gpu_ram(&s.g, t_b), M, &b_min, &b_max);
    ok(a_min < b_max && b_min < a_max, "equal priorities take turns (round-robin)");
    session_end(&s);
}

/* ------------------------------------------------------------ random loop */

static void fuzz_registers(struct session *s, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        uint64_t r = rng();
        unsigned int size = (r & 1) ? 8 : 4;
        uint64_t offset = (rng() % S5000_REGS_SIZE) & ~(uint64_t)(size - 1);
        uint64_t val = rng();

        /* Mostly the implemented blocks, sometimes anywhere in BAR0. */
        if ((r >> 1) % 8 == 0)
            offset = (rng() % S5000_BAR0_SIZE) & ~3ull;
        else if ((r >> 1) % 8 < 4)
            offset = S5000_REG_QUEUE_BASE + rng() % (S5000_MAX_QUEUES * S5000_REG_QUEUE_STRIDE);
        offset &= ~(uint64_t)(size - 1);
        client_region_io(&s->c, S5000_BAR_REGS, offset, &val, size, true);
    }
}

/* A packet of random bytes, often with a known type and addresses into mapped memory. */
static void random_packet(uint8_t *p, uint64_t ram_va)
{
    uint64_t *words = (uint64_t *)p;

    random_fill(p, S5000_PACKET_SIZE);
    if (rng() % 4 == 0)
        return;
    p[0] = (uint8_t)(1 + rng() % 8);
    p[1] &= 1;
    if (rng() % 2)
        memset(p + 4, 0, S5000_PACKET_SIZE - 4);
    for (int i = 1; i < 8; i++) {
        if (rng() % 3 == 0)
            words[i] = ram_va + (rng() % (1 << 20));
        else if (rng() % 3 == 0)
            words[i] = rng() % (1 << 16);
    }
}

static void fuzz_packets(struct session *s, int rounds)
{
    uint64_t scratch = gpu_ram_alloc(&s->g, 2 << 20);
    struct gpu_queue q;

    gpu_context(&s->g, 6, 64ull << 20);
    if (!gpu_queue_init(&s->g, &q, 24, 6, 5, 2, 0))
        return;
    for (int i = 0; i < rounds; i++) {
        uint8_t packet[S5000_PACKET_SIZE];

        for (int n = 0; n < 8; n++) {
            random_packet(packet, gpu_ram_va(scratch));
            gpu_queue_write(&q, packet);
        }
        gpu_queue_ring(&q);
        sleep_ms(1);
        gpu_queue_restart(&q);
    }
}

static void test_random(void)
{
    const char *const args[] = { "--vram-gib", "4", NULL };
    struct session s;
    bool answers;

    if (!ok(session_start(&s, args), "server for the random loop"))
        return;
    fuzz_registers(&s, 20000);
    answers = rd32(&s.c, S5000_REG_IDENT) == S5000_IDENT_MAGIC;
    ok(answers && emulator_alive(&s.e), "20000 random register writes: the server still answers");

    client_request(&s.c, CMD_DEVICE_RESET, NULL, 0);
    s.g.next_table = S5000_PAGE_SIZE;
    s.g.ram_next = 0;
    gpu_init(&s.g, &s.c);
    gpu_events_init(&s.g, 64);
    fuzz_packets(&s, 300);
    answers = rd32(&s.c, S5000_REG_IDENT) == S5000_IDENT_MAGIC;
    ok(answers && emulator_alive(&s.e), "2400 random packets: the server still answers");
    ok(emulator_stop(&s.e, 3000) == 0, "and exits cleanly on SIGTERM");
    session_end(&s);
}

int main(int argc, char **argv)
{
    struct session s;

    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-TO-s5000-emu\n", argv[0]);
        return 2;
    }
    emu_path = argv[1];
    signal(SIGPIPE, SIG_IGN);

    if (ok(session_start(&s, NULL), "server started, client set up")) {
        test_packet_kinds(&s);
        test_copies(&s);
        test_wait_released(&s);
        test_barrier_released(&s);
        test_ordering(&s);
        test_concurrency(&s);
        test_mmu_translation(&s);
        test_mmu_faults(&s);
        test_interrupts(&s);
        test_event_overflow(&s);
        test_control(&s);
        test_telemetry(&s);
        test_stress(&s);
        test_reset_register(&s);
        test_reset_vfio_user(&s);
        test_reconnect(&s);
        session_end(&s);
    }
    test_priority();
    test_random();
    return tap_done();
}
