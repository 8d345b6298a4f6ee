// SPDX-License-Identifier: MIT
/*
 * fuzz_packets: queues whose rings hold fuzzer-made packets of every type, run to
 * their end against a context with valid page tables over some VRAM.
 *
 * Each input sets up one or two queues (in one context or two, any priorities, read
 * indices near 0 or near 2^64, with or without read-index write-back), fills their
 * rings with packets, rings the doorbells (or writes a bad write index) and waits
 * until neither queue can move by itself. Then every queue must be idle, parked on a
 * WAIT or BARRIER, or stopped with a defined S5000_ERR_* (the doorbell page and the
 * registers agreeing), each stop reported by exactly one well-formed event, and a
 * parked queue must stop promptly when reset. A queue that stays busy is a hang.
 *
 * Packet fields are steered, not only random: addresses mostly land in the mapped
 * regions (4 KiB pages, a 2 MiB page, a read-only page, guest RAM, a system page
 * outside guest RAM, the queue's own ring), sizes are mostly small, and a launch
 * runs a real kernel through one of a few descriptors, some of them spoilt.
 * KERNEL_LAUNCH timeout_ms is bounded to keep inputs short.
 */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_device.h"
#include "rv.h"

#define PAGE            4096ull
#define DATA_VA         0x100000000ull
#define DATA_VRAM       (8ull << 20)
#define DATA_SIZE       (1ull << 20)
#define BIG_VA          0x200000000ull          /* one 2 MiB page */
#define BIG_VRAM        (16ull << 20)
#define BIG_SIZE        (2ull << 20)
#define SIG_VA          0x300000000ull          /* signals, shared by the contexts */
#define RO_VA           (SIG_VA + PAGE)
#define CODE_VA         (SIG_VA + 2 * PAGE)
#define DESC_VA         (SIG_VA + 3 * PAGE)
#define MISC_VRAM       (6ull << 20)            /* signals, read-only, code, descriptors */
#define RING_VA         0x400000000ull
#define RING_VRAM       (5ull << 20)
#define RING_STRIDE     (64ull << 10)
#define SYS_VA          0x500000000ull          /* guest RAM */
#define SYS_PAGES       16
#define BAD_SYS_VA      (SYS_VA + SYS_PAGES * PAGE)
#define BAD_BUS         0x7f0000000000ull       /* not guest RAM */
#define HOLE_VA         0x600000000ull          /* never mapped */
#define SIGNALS         8
#define DESCS           4
#define LAUNCH_MS_MAX   20
#define SETTLE_MS       4000
#define PARK_GRACE_US   3000

static struct fuzz_device fd;

/* ------------------------------------------------------------ the contexts */

static void map_context(unsigned int ctx)
{
    fuzz_context(&fd, ctx);
    fuzz_map_range(&fd, ctx, DATA_VA, DATA_VRAM, DATA_SIZE, S5000_PTE_WRITE);
    fuzz_map(&fd, ctx, BIG_VA, BIG_VRAM, 1, S5000_PTE_WRITE);
    fuzz_map(&fd, ctx, SIG_VA, MISC_VRAM, 0, S5000_PTE_WRITE);
    fuzz_map(&fd, ctx, RO_VA, MISC_VRAM + PAGE, 0, 0);
    fuzz_map(&fd, ctx, CODE_VA, MISC_VRAM + 2 * PAGE, 0, S5000_PTE_EXEC);
    fuzz_map(&fd, ctx, DESC_VA, MISC_VRAM + 3 * PAGE, 0, S5000_PTE_WRITE);
    fuzz_map_range(&fd, ctx, RING_VA, RING_VRAM, 2 * RING_STRIDE, S5000_PTE_WRITE);
    for (uint64_t i = 0; i < SYS_PAGES; i++)
        fuzz_map(&fd, ctx, SYS_VA + i * PAGE, FUZZ_RAM_BUS + FUZZ_RAM_FREE + i * PAGE, 0,
                 S5000_PTE_SYSTEM | S5000_PTE_WRITE);
    fuzz_map(&fd, ctx, BAD_SYS_VA, BAD_BUS, 0, S5000_PTE_SYSTEM | S5000_PTE_WRITE);
}

static void put_kernel(void)
{
    rv_ids_kernel((uint32_t *)fuzz_vram(&fd, MISC_VRAM + 2 * PAGE));
}

/* Descriptor 0 is good; the others are spoilt where the input says. */
static void put_descriptors(struct fuzz_input *in)
{
    struct s5000_kernel_desc *d = (struct s5000_kernel_desc *)fuzz_vram(&fd, MISC_VRAM + 3 * PAGE);

    for (unsigned int i = 0; i < DESCS; i++) {
        d[i] = (struct s5000_kernel_desc){
            .magic = S5000_KERNEL_DESC_MAGIC, .version = 1, .entry = CODE_VA,
            .code_start = CODE_VA, .code_size = RV_IDS_KERNEL_WORDS * 4,
            .stack_size = 256, .max_threads = S5000_MAX_BLOCK_THREADS,
        };
        /* Up to four bytes of the descriptor replaced. */
        for (unsigned int n = i ? fuzz_u8(in) % 5 : 0; n; n--) {
            unsigned int at = fuzz_below(in, sizeof(d[i]));

            ((uint8_t *)&d[i])[at] = fuzz_u8(in);
        }
    }
}

/* ---------------------------------------------------------------- packets */

/* An address in one of the regions, aligned to align, or anything. */
static uint64_t pick_addr(struct fuzz_input *in, const struct fuzz_queue *q, uint64_t align)
{
    unsigned int sel = fuzz_u8(in) % 11;
    uint64_t off = fuzz_u32(in), va;

    switch (sel) {
    case 0: case 1: case 2: va = DATA_VA + off % DATA_SIZE; break;
    case 3:  va = BIG_VA + off % BIG_SIZE; break;
    case 4: case 5: va = SIG_VA + off % SIGNALS * 8; break;
    case 6:  va = SYS_VA + off % (SYS_PAGES * PAGE); break;
    case 7:  va = RO_VA + off % PAGE; break;
    case 8:  va = q->ring_va + off % (S5000_PACKET_SIZE << q->order); break;
    case 9:  va = (off & 1 ? BAD_SYS_VA : HOLE_VA) + off % PAGE; break;
    default: return fuzz_u64(in);
    }
    return va & ~(align - 1);
}

static uint64_t pick_size(struct fuzz_input *in)
{
    switch (fuzz_u8(in) % 5) {
    case 0:  return fuzz_u8(in);
    case 1:  return fuzz_u16(in);
    case 2:  return fuzz_u32(in) % (4u << 20);
    case 3:  return (uint64_t)(fuzz_u8(in) % 3) << 20;
    default: return fuzz_u64(in);
    }
}

static uint64_t pick_small(struct fuzz_input *in)
{
    return fuzz_u8(in) & 0x80 ? fuzz_u64(in) : fuzz_u8(in) % 8;
}

static uint32_t header(struct fuzz_input *in, unsigned int type, unsigned int arg)
{
    uint32_t flags = fuzz_u8(in) & 1 ? S5000_PKT_INTERRUPT : 0;

    return S5000_PKT_HEADER(type, arg, flags);
}

static void make_copy(struct fuzz_input *in, const struct fuzz_queue *q, struct s5000_pkt_copy *p)
{
    p->header = header(in, S5000_PKT_COPY, 0);
    p->src = pick_addr(in, q, 1);
    p->dst = pick_addr(in, q, 1);
    p->size = pick_size(in);
}

static void make_fill(struct fuzz_input *in, const struct fuzz_queue *q, struct s5000_pkt_fill *p)
{
    unsigned int width = 1u << (fuzz_u8(in) % 4);
    uint64_t size = pick_size(in);

    p->header = header(in, S5000_PKT_FILL, width);
    p->dst = pick_addr(in, q, width);
    p->size = size - size % width;
    p->pattern = fuzz_u64(in);
}

static void make_signal(struct fuzz_input *in, const struct fuzz_queue *q,
                        struct s5000_pkt_signal *p)
{
    p->header = header(in, S5000_PKT_SIGNAL, fuzz_u8(in) % 2);
    p->addr = pick_addr(in, q, 8);
    p->value = pick_small(in);
}

static void make_wait(struct fuzz_input *in, const struct fuzz_queue *q, struct s5000_pkt_wait *p)
{
    p->header = header(in, S5000_PKT_WAIT, fuzz_u8(in) % 6);
    p->addr = pick_addr(in, q, 8);
    p->value = pick_small(in);
    p->mask = fuzz_u8(in) & 1 ? ~0ull : pick_small(in);
    /* Forever, about a millisecond, or anything. */
    switch (fuzz_u8(in) % 4) {
    case 0: case 1: p->timeout_ns = 0; break;
    case 2: p->timeout_ns = fuzz_u16(in) * 32ull; break;
    default: p->timeout_ns = fuzz_u64(in); break;
    }
}

static void make_barrier(struct fuzz_input *in, const struct fuzz_queue *q,
                         struct s5000_pkt_barrier *p)
{
    unsigned int count = 1 + fuzz_u8(in) % S5000_BARRIER_MAX;

    p->header = header(in, S5000_PKT_BARRIER, count);
    for (unsigned int i = 0; i < count; i++) {
        p->signal[i].addr = pick_addr(in, q, 8);
        p->signal[i].value = pick_small(in);
    }
}

static void make_timestamp(struct fuzz_input *in, const struct fuzz_queue *q,
                           struct s5000_pkt_timestamp *p)
{
    p->header = header(in, S5000_PKT_TIMESTAMP, 0);
    p->addr = pick_addr(in, q, 8);
}

static uint32_t pick_dim(struct fuzz_input *in, uint32_t small)
{
    return fuzz_u8(in) & 0x80 ? fuzz_u32(in) : 1 + fuzz_u8(in) % small;
}

static void make_launch(struct fuzz_input *in, const struct fuzz_queue *q,
                        struct s5000_pkt_kernel_launch *p)
{
    p->header = header(in, S5000_PKT_KERNEL_LAUNCH, 0);
    for (unsigned int i = 0; i < 3; i++)
        p->grid[i] = pick_dim(in, i ? 1 : 4);
    for (unsigned int i = 0; i < 3; i++)
        p->block[i] = (uint16_t)pick_dim(in, i ? 2 : 64);
    p->shared_bytes = fuzz_u8(in) & 1 ? fuzz_u32(in) : fuzz_u8(in) * 16u;
    p->kernarg = fuzz_u8(in) & 0x80 ? pick_addr(in, q, 8) : DATA_VA;
    p->code = fuzz_u8(in) & 0x80 ? pick_addr(in, q, 64) : DESC_VA + fuzz_u8(in) % DESCS * 64;
    p->kernarg_size = 8;
    p->timeout_ms = 1 + fuzz_u8(in) % LAUNCH_MS_MAX;
}

/* Now and then a byte spoilt, past the packet type. */
static void spoil(struct fuzz_input *in, uint8_t *p)
{
    if (fuzz_u8(in) < 16)
        p[1 + fuzz_below(in, S5000_PACKET_SIZE - 1)] = fuzz_u8(in);
}

static void make_packet(struct fuzz_input *in, const struct fuzz_queue *q, uint8_t *p)
{
    unsigned int kind = fuzz_u8(in) % 10;

    memset(p, 0, S5000_PACKET_SIZE);
    switch (kind) {
    case 0: ((struct s5000_pkt_nop *)p)->header = header(in, S5000_PKT_NOP, 0); break;
    case 1: make_copy(in, q, (void *)p); break;
    case 2: make_fill(in, q, (void *)p); break;
    case 3: make_signal(in, q, (void *)p); break;
    case 4: make_wait(in, q, (void *)p); break;
    case 5: make_barrier(in, q, (void *)p); break;
    case 6: make_timestamp(in, q, (void *)p); break;
    case 7: make_launch(in, q, (void *)p); break;
    case 8: fuzz_bytes(in, p, S5000_PACKET_SIZE); break;
    default: p[0] = (uint8_t)(9 + fuzz_u8(in));  /* a type the device does not know */
    }
    /* A raw launch must end soon too; KERNEL_LAUNCH's timeout is at bytes 48..51. */
    if (S5000_PKT_TYPE(p[0]) == S5000_PKT_KERNEL_LAUNCH) {
        struct s5000_pkt_kernel_launch *k = (void *)p;

        k->timeout_ms = 1 + k->timeout_ms % LAUNCH_MS_MAX;
    }
    if (kind < 8)
        spoil(in, p);
}

/* ----------------------------------------------------------------- queues */

static uint64_t pick_rptr_init(struct fuzz_input *in)
{
    switch (fuzz_u8(in) % 4) {
    case 0:  return 0;
    case 1:  return fuzz_u16(in);
    case 2:  return UINT64_MAX - fuzz_u8(in);    /* the 64-bit index wraps */
    default: return fuzz_u64(in);
    }
}

static void setup_queue(struct fuzz_input *in, struct fuzz_queue *q, unsigned int id,
                        unsigned int ctx)
{
    /* One statement each: the order of an initializer's reads would be unspecified. */
    unsigned int wb = fuzz_u8(in) % 3, order = 4 + fuzz_u8(in) % 3;
    uint64_t rptr_init = pick_rptr_init(in);
    unsigned int priority = fuzz_u8(in) % (S5000_QUEUE_PRIORITY_MAX + 1);

    *q = (struct fuzz_queue){
        .id = id, .ctx = ctx, .ring_va = RING_VA + id * RING_STRIDE,
        .ring = fuzz_vram(&fd, RING_VRAM + id * RING_STRIDE), .order = order,
        .rptr_addr = wb == 0 ? 0 : wb == 1 ? SIG_VA + (SIGNALS + id) * 8 : RO_VA,
        .rptr_init = rptr_init, .priority = priority,
    };
    fuzz_queue_start(&fd, q);
}

static void fill_ring(struct fuzz_input *in, struct fuzz_queue *q, unsigned int count)
{
    uint8_t packet[S5000_PACKET_SIZE];

    for (unsigned int i = 0; i < count; i++) {
        make_packet(in, q, packet);
        fuzz_queue_put(q, packet);
    }
}

/* Rings the doorbell, or, when the input says so, writes a write index that is wrong. */
static void submit(struct fuzz_input *in, struct fuzz_queue *q)
{
    uint8_t how = fuzz_u8(in);

    if (how >= 8) {
        fuzz_queue_ring(&fd, q);
        return;
    }
    if (how < 4)
        q->wptr += (1ull << q->order) + 1 + how;        /* more than the ring ahead */
    else
        q->wptr = q->rptr_init - (how - 3);             /* behind the read index */
    q->bad_wptr = true;
    fuzz_queue_ring(&fd, q);
}

/* ----------------------------------------------------------------- checks */

static uint32_t slot_header(const struct fuzz_queue *q, uint64_t index)
{
    const uint8_t *slot = q->ring + (index & ((1ull << q->order) - 1)) * S5000_PACKET_SIZE;

    return __atomic_load_n((const uint32_t *)slot, __ATOMIC_ACQUIRE);
}

/*
 * An idle queue with a packet ready at its read index: the packet may have been
 * written by the device itself (a COPY into the ring), which needs a kick; after one,
 * the queue must go on.
 */
static void kick_idle(struct fuzz_queue *const *q, unsigned int n, struct fuzz_queue_end *end)
{
    bool kicked = false;
    uint64_t before[2];

    for (unsigned int i = 0; i < n; i++) {
        before[i] = end[i].rptr;
        if (end[i].state == S5000_QSTATE_IDLE && end[i].rptr != q[i]->wptr &&
            S5000_PKT_TYPE(slot_header(q[i], end[i].rptr)) != S5000_PKT_INVALID) {
            fuzz_queue_kick(&fd, q[i]->id);
            kicked = true;
        }
    }
    if (!kicked)
        return;
    fuzz_queues_settle(&fd, q, n, SETTLE_MS, end);
    for (unsigned int i = 0; i < n; i++) {
        fuzz_check(!(end[i].state == S5000_QSTATE_IDLE && end[i].rptr == before[i] &&
                     end[i].rptr != q[i]->wptr &&
                     S5000_PKT_TYPE(slot_header(q[i], end[i].rptr)) != S5000_PKT_INVALID),
                   "queue %u idles over a ready packet at %llu even after a kick", q[i]->id,
                   (unsigned long long)end[i].rptr);
    }
}

/* A parked queue waits at a WAIT or BARRIER at its read index. */
static void check_parked(const struct fuzz_queue *q, const struct fuzz_queue_end *end)
{
    unsigned int type = S5000_PKT_TYPE(slot_header(q, end->rptr));

    fuzz_check(type == S5000_PKT_WAIT || type == S5000_PKT_BARRIER,
               "queue %u parked on a packet of type %u", q->id, type);
}

static uint16_t event_type_of(uint32_t error)
{
    return error == S5000_ERR_PAGE_FAULT ? S5000_EVENT_PAGE_FAULT :
           error == S5000_ERR_ECC ? S5000_EVENT_ECC : S5000_EVENT_QUEUE_ERROR;
}

/* Whether an event says what a queue's doorbell page says. */
static bool event_matches(const struct s5000_event *ev, const struct fuzz_queue *q,
                          const struct fuzz_queue_end *end)
{
    return ev->type == event_type_of(end->error) && ev->error == end->error &&
           ev->address == end->addr && ev->context == q->ctx && ev->access == end->access &&
           ev->pad == 0 && ev->pad2 == 0;
}

/*
 * Every stopped queue posted exactly one event, which says what its doorbell page
 * says. A queue that was parked may have timed out since, before its reset.
 */
static void check_events(struct fuzz_queue *const *q, unsigned int n,
                         const struct fuzz_queue_end *end)
{
    unsigned int seen[2] = { 0, 0 };
    uint64_t count;
    const struct s5000_event *ev = fuzz_events(&fd, &count);

    fuzz_check(ev != NULL, "the event ring went off");
    fuzz_check(count <= 2 * n, "%llu events from %u queues", (unsigned long long)count, n);
    for (uint64_t e = 0; e < count; e++) {
        unsigned int i = ev[e].queue == q[0]->id ? 0 : 1;

        fuzz_check(i < n && ev[e].queue == q[i]->id && seen[i]++ == 0,
                   "event %llu is for queue %u, which posted one already or is not running",
                   (unsigned long long)e, ev[e].queue);
        if (end[i].state == S5000_QSTATE_WAITING)
            fuzz_check(ev[e].type == S5000_EVENT_QUEUE_ERROR &&
                       ev[e].error == S5000_ERR_WAIT_TIMEOUT,
                       "queue %u was parked but posted error %u", q[i]->id, ev[e].error);
        else
            fuzz_check(end[i].state == S5000_QSTATE_ERROR && event_matches(&ev[e], q[i], &end[i]),
                       "queue %u: its event (type %u error %u address 0x%llx) does not match "
                       "its doorbell page (state %u error %u address 0x%llx)", q[i]->id,
                       ev[e].type, ev[e].error, (unsigned long long)ev[e].address,
                       end[i].state, end[i].error, (unsigned long long)end[i].addr);
    }
    for (unsigned int i = 0; i < n; i++)
        fuzz_check(end[i].state != S5000_QSTATE_ERROR || seen[i] == 1,
                   "queue %u stopped without an event", q[i]->id);
}

static void check_summary(struct fuzz_queue *const *q, unsigned int n,
                          const struct fuzz_queue_end *end)
{
    uint32_t cause = (uint32_t)fuzz_reg_read(&fd, S5000_REG_INT_CAUSE, 4);

    for (unsigned int i = 0; i < n; i++) {
        uint64_t ctx_status = S5000_REG_CTX(q[i]->ctx, S5000_CTX_STATUS);
        uint32_t faulted = (uint32_t)fuzz_reg_read(&fd, ctx_status, 4);

        if (end[i].state != S5000_QSTATE_ERROR)
            continue;
        fuzz_check(cause & S5000_INT_QUEUE_ERROR, "INT_CAUSE 0x%x lacks QUEUE_ERROR", cause);
        if (end[i].error == S5000_ERR_PAGE_FAULT)
            fuzz_check((cause & S5000_INT_PAGE_FAULT) && (faulted & S5000_CTX_FAULTED),
                       "a page fault without INT_CAUSE.PAGE_FAULT or CTX_FAULTED");
    }
    fuzz_check(!(cause & ~0x1fu), "INT_CAUSE has undefined bits: 0x%x", cause);
}

static void finish(struct fuzz_queue *const *q, unsigned int n)
{
    struct fuzz_queue_end end[2];
    bool parked = false;

    fuzz_queues_settle(&fd, q, n, SETTLE_MS, end);
    for (unsigned int i = 0; i < n; i++)
        parked |= end[i].state == S5000_QSTATE_WAITING;
    /* A short WAIT timeout may still strike. */
    if (parked) {
        usleep(PARK_GRACE_US);
        fuzz_queues_settle(&fd, q, n, SETTLE_MS, end);
    }
    kick_idle(q, n, end);
    for (unsigned int i = 0; i < n; i++)
        fuzz_note("queue %u: state %u error %u kind %u at 0x%llx, read index %llu of %llu",
                  q[i]->id, end[i].state, end[i].error, end[i].kind,
                  (unsigned long long)end[i].addr, (unsigned long long)end[i].rptr,
                  (unsigned long long)q[i]->wptr);
    for (unsigned int i = 0; i < n; i++) {
        fuzz_check_queue_end(q[i], &end[i]);
        if (end[i].state == S5000_QSTATE_WAITING) {
            check_parked(q[i], &end[i]);
            fuzz_queue_reset(&fd, q[i]->id);
        }
    }
    check_events(q, n, end);
    check_summary(q, n, end);
}

/* -------------------------------------------------------------- the input */

void fuzz_harness_init(void)
{
    fuzz_device_init(&fd, 1);
}

void fuzz_harness_run(struct fuzz_input *in)
{
    struct fuzz_queue qa, qb, *q[2] = { &qa, &qb };
    uint8_t flags = fuzz_u8(in);
    unsigned int n = flags & 1 ? 2 : 1;

    fuzz_device_reset(&fd);
    map_context(1);
    map_context(2);
    put_kernel();
    put_descriptors(in);
    for (unsigned int i = 0; i < SIGNALS; i++)
        ((uint64_t *)fuzz_vram(&fd, MISC_VRAM))[i] = fuzz_u8(in) % 4;
    setup_queue(in, &qa, 0, 1);
    if (n == 2)
        setup_queue(in, &qb, 1, flags & 2 ? 2 : 1);
    for (unsigned int i = 0; i < n; i++)
        fill_ring(in, q[i], fuzz_below(in, (1u << q[i]->order) + 1));
    for (unsigned int i = 0; i < n; i++)
        submit(in, q[(i + (flags >> 2)) % n]);
    finish(q, n);
}

/* ------------------------------------------------------------------ seeds */

static void seed_queue(struct fuzz_output *out, unsigned int rptr_kind)
{
    fuzz_put_u8(out, 1);                /* write-back into the signals page */
    fuzz_put_u8(out, 0);                /* ring order 4 */
    fuzz_put_u8(out, (uint8_t)rptr_kind);
    if (rptr_kind == 1)
        fuzz_put_u16(out, 1000);
    if (rptr_kind == 2)
        fuzz_put_u8(out, 3);
    fuzz_put_u8(out, 1);                /* priority */
}

static void seed_addr(struct fuzz_output *out, unsigned int region, uint32_t off)
{
    fuzz_put_u8(out, (uint8_t)region);
    fuzz_put_u32(out, off);
}

/* Packet kinds, in make_packet()'s numbering. */
enum { K_NOP, K_COPY, K_FILL, K_SIGNAL, K_WAIT, K_BARRIER, K_TIMESTAMP, K_LAUNCH };

static void seed_end_packet(struct fuzz_output *out)
{
    fuzz_put_u8(out, 0xff);             /* spoil nothing */
}

static void seed_one_of_each(struct fuzz_output *out)
{
    fuzz_put_u8(out, K_NOP);
    fuzz_put_u8(out, 1);                /* interrupt */
    seed_end_packet(out);
    fuzz_put_u8(out, K_FILL);
    fuzz_put_u8(out, 3);                /* 8-byte pattern */
    fuzz_put_u8(out, 0);                /* size: one byte's worth */
    fuzz_put_u8(out, 64);
    fuzz_put_u8(out, 0);
    seed_addr(out, 0, 0x1000);
    fuzz_put_u64(out, 0x0123456789abcdefull);
    seed_end_packet(out);
    fuzz_put_u8(out, K_COPY);
    fuzz_put_u8(out, 0);
    seed_addr(out, 0, 0x1000);
    seed_addr(out, 6, 0x40);
    fuzz_put_u8(out, 0);
    fuzz_put_u8(out, 64);
    seed_end_packet(out);
    fuzz_put_u8(out, K_SIGNAL);
    fuzz_put_u8(out, 1);                /* ADD */
    fuzz_put_u8(out, 0);
    seed_addr(out, 4, 1);
    fuzz_put_u8(out, 0);                /* value 1 */
    fuzz_put_u8(out, 1);
    seed_end_packet(out);
    fuzz_put_u8(out, K_WAIT);
    fuzz_put_u8(out, 2);                /* GE */
    fuzz_put_u8(out, 0);
    seed_addr(out, 4, 1);
    fuzz_put_u8(out, 0);
    fuzz_put_u8(out, 1);
    fuzz_put_u8(out, 1);                /* mask all ones */
    fuzz_put_u8(out, 2);                /* short timeout */
    fuzz_put_u16(out, 100);
    seed_end_packet(out);
    fuzz_put_u8(out, K_TIMESTAMP);
    fuzz_put_u8(out, 0);
    seed_addr(out, 0, 0x2000);
    seed_end_packet(out);
}

static void seed_launch(struct fuzz_output *out, unsigned int desc)
{
    fuzz_put_u8(out, K_LAUNCH);
    fuzz_put_u8(out, 0);                /* header flags */
    fuzz_put_u8(out, 0);                /* grid x: 1 + 1 */
    fuzz_put_u8(out, 1);
    for (int i = 0; i < 2; i++) {
        fuzz_put_u8(out, 0);
        fuzz_put_u8(out, 0);
    }
    fuzz_put_u8(out, 0);                /* block x: 1 + 31 */
    fuzz_put_u8(out, 31);
    for (int i = 0; i < 2; i++) {
        fuzz_put_u8(out, 0);
        fuzz_put_u8(out, 0);
    }
    fuzz_put_u8(out, 0);                /* shared: 0 */
    fuzz_put_u8(out, 0);
    fuzz_put_u8(out, 0);                /* kernarg: the data region */
    fuzz_put_u8(out, 0);                /* code: descriptor desc */
    fuzz_put_u8(out, (uint8_t)desc);
    fuzz_put_u8(out, 10);               /* timeout */
    seed_end_packet(out);
}

/* flags, then descriptor 1 with spoilt_bytes bytes of its magic spoilt, then the signals. */
static void seed_header(struct fuzz_output *out, uint8_t flags, unsigned int spoilt_bytes)
{
    fuzz_put_u8(out, flags);
    fuzz_put_u8(out, (uint8_t)spoilt_bytes);
    for (unsigned int i = 0; i < spoilt_bytes; i++) {
        fuzz_put_u8(out, (uint8_t)i);   /* at byte i */
        fuzz_put_u8(out, 0x55);
    }
    fuzz_put_u8(out, 0);                /* descriptors 2 and 3 are good */
    fuzz_put_u8(out, 0);
    for (unsigned int i = 0; i < SIGNALS; i++)
        fuzz_put_u8(out, 0);
}

void fuzz_harness_seeds(void)
{
    struct fuzz_output out = { 0 };

    /* One queue, one packet of each plain kind. */
    seed_header(&out, 0, 0);
    seed_queue(&out, 0);
    fuzz_put_u8(&out, 6);
    seed_one_of_each(&out);
    fuzz_put_u8(&out, 0xff);            /* ring the doorbell */
    fuzz_seed(&out);

    /* Two queues in two contexts, the first waiting for the second's signal. */
    seed_header(&out, 3, 0);
    seed_queue(&out, 1);
    seed_queue(&out, 2);
    fuzz_put_u8(&out, 6);
    seed_one_of_each(&out);
    fuzz_put_u8(&out, 6);
    seed_one_of_each(&out);
    fuzz_put_u8(&out, 0xff);
    fuzz_put_u8(&out, 0xff);
    fuzz_seed(&out);

    /* Launches: a good descriptor, then a spoilt one. */
    seed_header(&out, 0, 1);
    seed_queue(&out, 0);
    fuzz_put_u8(&out, 2);
    seed_launch(&out, 0);
    seed_launch(&out, 1);
    fuzz_put_u8(&out, 0xff);
    fuzz_seed(&out);

    /* A write index too far ahead. */
    seed_header(&out, 0, 0);
    seed_queue(&out, 0);
    fuzz_put_u8(&out, 1);
    seed_one_of_each(&out);
    fuzz_put_u8(&out, 1);
    fuzz_seed(&out);
}
