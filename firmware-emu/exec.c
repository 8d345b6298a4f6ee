// SPDX-License-Identifier: MIT
/*
 * Packet execution: one bounded batch of the queue a worker holds.
 *
 * A slot runs once the doorbell's write index is past it and its header type
 * is not INVALID. After it ran, INVALID goes back into its header and only
 * then is the read index published (write-back address, doorbell page), so a
 * submitter that sees the slot consumed may reuse it at once. Every memory
 * access goes through the queue's context (mmu.h).
 */
#include <string.h>

#include "cp.h"
#include "device.h"
#include "log.h"

#define BATCH_PACKETS 64
#define BATCH_NS 2000000ull
/* A COPY or FILL runs in pieces, so a reset or another queue never waits on a huge one. */
#define PIECE_BYTES (8ull << 20)

enum step {
    STEP_DONE,                  /* the packet completed */
    STEP_IDLE,                  /* nothing to run */
    STEP_PARK,                  /* a WAIT or BARRIER is not satisfied yet */
    STEP_FAIL,                  /* the queue stops with x->error */
    STEP_ABORT,                 /* stopped inside a packet: it did not complete */
};

struct exec {
    struct emu_worker *w;
    struct emu_device *dev;
    struct emu_queue *q;
    unsigned int ctx;
    uint32_t error;             /* on STEP_FAIL */
    struct emu_fault fault;     /* on STEP_FAIL, if has_fault */
    bool has_fault;
    bool signalled;
    uint64_t engine_ns;         /* spent on (and accounted to) the copy engine or kernels */
};

union packet {
    uint32_t header;
    uint8_t bytes[S5000_PACKET_SIZE];
    struct s5000_pkt_copy copy;
    struct s5000_pkt_fill fill;
    struct s5000_pkt_signal signal;
    struct s5000_pkt_wait wait;
    struct s5000_pkt_barrier barrier;
    struct s5000_pkt_timestamp timestamp;
    struct s5000_pkt_kernel_launch launch;
};

_Static_assert(sizeof(union packet) == S5000_PACKET_SIZE, "packets are 64 bytes");

/* ----------------------------------------------------------------- helpers */

static enum step access_failed(struct exec *x)
{
    x->error = x->fault.error;
    x->has_fault = true;
    return STEP_FAIL;
}

static enum step bad_packet(struct exec *x, const char *why)
{
    emu_guest_error("queue %u packet %llu: %s", x->q->id, (unsigned long long)x->q->rptr, why);
    x->error = S5000_ERR_BAD_PACKET;
    return STEP_FAIL;
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++) {
        if (b[i])
            return false;
    }
    return true;
}

/* Only a reset stops a packet midway; a disable waits for its end. */
static bool must_abort(struct exec *x)
{
    return atomic_load_explicit(&x->q->stop, memory_order_relaxed) == EMU_STOP_RESET ||
           atomic_load_explicit(&x->dev->reset_pending, memory_order_relaxed);
}

static bool must_pause(struct exec *x)
{
    return atomic_load_explicit(&x->q->stop, memory_order_relaxed) != EMU_STOP_NONE ||
           atomic_load_explicit(&x->q->hung, memory_order_relaxed) ||
           !emu_device_running(x->dev);
}

/* ------------------------------------------------------- copy engine kinds */

static bool ranges_overlap(uint64_t a, uint64_t b, uint64_t size)
{
    return a < b + size && b < a + size;
}

/* One piece of a COPY (fill == false) or FILL, timed on the copy engine. */
static bool copy_piece(struct exec *x, const union packet *p, bool fill, uint64_t done,
                       uint64_t len)
{
    struct emu_worker *w = x->w;
    uint64_t start = emu_now_ns(), end;
    bool good;

    if (fill)
        good = emu_fill(&x->dev->mmu, &w->tlb, x->ctx, p->fill.dst + done, len,
                        p->fill.pattern, S5000_PKT_ARG(p->header), &x->fault);
    else
        good = emu_copy(&x->dev->mmu, &w->tlb, x->ctx, p->copy.dst + done,
                        p->copy.src + done, len, &x->fault);
    end = emu_now_ns();
    x->engine_ns += end - start;
    emu_telemetry_account(&x->dev->telemetry, EMU_ENGINE_COPY, start, end);
    return good;
}

static enum step run_pieces(struct exec *x, const union packet *p, bool fill, uint64_t size)
{
    for (uint64_t done = 0; done < size; done += PIECE_BYTES) {
        uint64_t len = size - done < PIECE_BYTES ? size - done : PIECE_BYTES;

        if (done) {
            if (must_abort(x))
                return STEP_ABORT;
            emu_cp_poll_doorbells(x->dev);
        }
        if (!copy_piece(x, p, fill, done, len))
            return access_failed(x);
    }
    atomic_fetch_add_explicit(fill ? &x->w->stats.bytes_filled : &x->w->stats.bytes_copied,
                              size, memory_order_relaxed);
    return STEP_DONE;
}

static enum step exec_copy(struct exec *x, const union packet *p)
{
    const struct s5000_pkt_copy *c = &p->copy;

    if (c->pad || !all_zero(c->reserved, sizeof(c->reserved)) || S5000_PKT_ARG(c->header))
        return bad_packet(x, "COPY: nonzero reserved field");
    if (c->size > UINT64_MAX - c->src || c->size > UINT64_MAX - c->dst)
        return bad_packet(x, "COPY: range wraps around");
    if (c->size && ranges_overlap(c->src, c->dst, c->size))
        return bad_packet(x, "COPY: source and destination overlap");
    return run_pieces(x, p, false, c->size);
}

static enum step exec_fill(struct exec *x, const union packet *p)
{
    const struct s5000_pkt_fill *f = &p->fill;
    unsigned int width = S5000_PKT_ARG(f->header);

    if (f->pad || !all_zero(f->reserved, sizeof(f->reserved)))
        return bad_packet(x, "FILL: nonzero reserved field");
    if (width != 1 && width != 2 && width != 4 && width != 8)
        return bad_packet(x, "FILL: pattern width is not 1, 2, 4 or 8");
    if (f->size % width != 0 || f->dst % width != 0)
        return bad_packet(x, "FILL: size or address not a multiple of the pattern width");
    if (f->size > UINT64_MAX - f->dst)
        return bad_packet(x, "FILL: range wraps around");
    return run_pieces(x, p, true, f->size);
}

/* ------------------------------------------------------------- signalling */

static enum step exec_signal(struct exec *x, const union packet *p)
{
    const struct s5000_pkt_signal *s = &p->signal;
    struct emu_device *dev = x->dev;
    unsigned int op = S5000_PKT_ARG(s->header);
    bool good;

    if (s->pad || !all_zero(s->reserved, sizeof(s->reserved)))
        return bad_packet(x, "SIGNAL: nonzero reserved field");
    if (op != S5000_SIGNAL_WRITE && op != S5000_SIGNAL_ADD)
        return bad_packet(x, "SIGNAL: unknown operation");
    if (s->addr % 8)
        return bad_packet(x, "SIGNAL: address not 8-byte aligned");
    if (op == S5000_SIGNAL_WRITE)
        good = emu_mem_store64(&dev->mmu, &x->w->tlb, x->ctx, s->addr, s->value, &x->fault);
    else
        good = emu_mem_add64(&dev->mmu, &x->w->tlb, x->ctx, s->addr, s->value, &x->fault);
    if (!good)
        return access_failed(x);
    x->signalled = true;
    return STEP_DONE;
}

static bool compare(uint64_t val, unsigned int cond, uint64_t ref)
{
    switch (cond) {
    case S5000_WAIT_EQ: return val == ref;
    case S5000_WAIT_NE: return val != ref;
    case S5000_WAIT_GE: return val >= ref;
    case S5000_WAIT_GT: return val > ref;
    case S5000_WAIT_LE: return val <= ref;
    default:            return val < ref;
    }
}

/* The packet at rptr is not satisfied: park, unless its time is up. */
static enum step park(struct exec *x, uint64_t timeout_ns, uint64_t addr)
{
    struct emu_queue *q = x->q;
    uint64_t now = emu_now_ns();

    if (q->wait_since_ns == 0)
        q->wait_since_ns = now;
    if (timeout_ns && now - q->wait_since_ns >= timeout_ns) {
        x->error = S5000_ERR_WAIT_TIMEOUT;
        x->fault = (struct emu_fault){ .address = addr, .access = S5000_ACCESS_READ };
        x->has_fault = true;
        return STEP_FAIL;
    }
    return STEP_PARK;
}

static enum step exec_wait(struct exec *x, const union packet *p)
{
    const struct s5000_pkt_wait *wt = &p->wait;
    unsigned int cond = S5000_PKT_ARG(wt->header);
    uint64_t val;

    if (wt->pad || !all_zero(wt->reserved, sizeof(wt->reserved)))
        return bad_packet(x, "WAIT: nonzero reserved field");
    if (cond > S5000_WAIT_LT)
        return bad_packet(x, "WAIT: unknown condition");
    if (wt->addr % 8)
        return bad_packet(x, "WAIT: address not 8-byte aligned");
    if (!emu_mem_load64(&x->dev->mmu, &x->w->tlb, x->ctx, wt->addr, &val, &x->fault))
        return access_failed(x);
    if (!compare(val & wt->mask, cond, wt->value))
        return park(x, wt->timeout_ns, wt->addr);
    return STEP_DONE;
}

static enum step exec_barrier(struct exec *x, const union packet *p)
{
    const struct s5000_pkt_barrier *b = &p->barrier;
    unsigned int count = S5000_PKT_ARG(b->header);
    uint64_t val;

    if (b->pad || b->reserved)
        return bad_packet(x, "BARRIER: nonzero reserved field");
    if (count < 1 || count > S5000_BARRIER_MAX)
        return bad_packet(x, "BARRIER: signal count is not 1..3");
    if (!all_zero(&b->signal[count], (S5000_BARRIER_MAX - count) * sizeof(b->signal[0])))
        return bad_packet(x, "BARRIER: unused signal entry not zero");
    for (unsigned int i = 0; i < count; i++) {
        if (b->signal[i].addr % 8)
            return bad_packet(x, "BARRIER: address not 8-byte aligned");
    }
    for (unsigned int i = 0; i < count; i++) {
        if (!emu_mem_load64(&x->dev->mmu, &x->w->tlb, x->ctx, b->signal[i].addr, &val, &x->fault))
            return access_failed(x);
        if (val < b->signal[i].value)
            return park(x, 0, b->signal[i].addr);
    }
    return STEP_DONE;
}

static enum step exec_timestamp(struct exec *x, const union packet *p)
{
    const struct s5000_pkt_timestamp *t = &p->timestamp;

    if (t->pad || !all_zero(t->reserved, sizeof(t->reserved)) || S5000_PKT_ARG(t->header))
        return bad_packet(x, "TIMESTAMP: nonzero reserved field");
    if (t->addr % 8)
        return bad_packet(x, "TIMESTAMP: address not 8-byte aligned");
    if (!emu_mem_store64(&x->dev->mmu, &x->w->tlb, x->ctx, t->addr, emu_timestamp_now(), &x->fault))
        return access_failed(x);
    return STEP_DONE;
}

/* ------------------------------------------------------------------ kernels */

/* While a launch runs: other queues' doorbells are watched, a reset stops it. */
static bool launch_wait(void *arg)
{
    struct exec *x = arg;

    emu_cp_poll_doorbells(x->dev);
    return must_abort(x);
}

static enum step exec_launch(struct exec *x, const union packet *p)
{
    const struct s5000_pkt_kernel_launch *k = &p->launch;
    uint64_t start = emu_now_ns();
    enum emu_launch_result result;

    if (S5000_PKT_ARG(k->header) || k->pad || k->pad2 || k->reserved)
        return bad_packet(x, "KERNEL_LAUNCH: nonzero reserved field");
    /* The compute units account their time themselves. */
    result = emu_compute_launch(&x->dev->compute, &x->w->tlb, x->ctx, k, launch_wait, x,
                                &x->fault);
    x->engine_ns += emu_now_ns() - start;
    switch (result) {
    case EMU_LAUNCH_DONE:    return STEP_DONE;
    case EMU_LAUNCH_ABORTED: return STEP_ABORT;
    default:                 return access_failed(x);
    }
}

/* ---------------------------------------------------------------- dispatch */

/* Header bits 9..15 are reserved for flags to come. */
#define HEADER_RESERVED 0x0000fe00u

static enum step execute(struct exec *x, const union packet *p)
{
    if (p->header & HEADER_RESERVED)
        return bad_packet(x, "reserved header bits set");
    switch (S5000_PKT_TYPE(p->header)) {
    case S5000_PKT_NOP:
        if (S5000_PKT_ARG(p->header) || !all_zero(p->bytes + 4, sizeof(p->bytes) - 4))
            return bad_packet(x, "NOP: nonzero reserved field");
        return STEP_DONE;
    case S5000_PKT_COPY:        return exec_copy(x, p);
    case S5000_PKT_FILL:        return exec_fill(x, p);
    case S5000_PKT_SIGNAL:      return exec_signal(x, p);
    case S5000_PKT_WAIT:        return exec_wait(x, p);
    case S5000_PKT_BARRIER:     return exec_barrier(x, p);
    case S5000_PKT_TIMESTAMP:   return exec_timestamp(x, p);
    case S5000_PKT_KERNEL_LAUNCH: return exec_launch(x, p);
    default:
        return bad_packet(x, "unknown packet type");
    }
}

/*
 * The slot's header back to INVALID (its second word kept: it belongs to the
 * packet body), then the read index out, then the interrupt.
 */
static enum step complete(struct exec *x, uint64_t slot, uint64_t first_word)
{
    struct emu_device *dev = x->dev;
    struct emu_queue *q = x->q;
    struct emu_tlb *tlb = &x->w->tlb;

    q->wait_since_ns = 0;
    if (!emu_mem_store64(&dev->mmu, tlb, x->ctx, slot, first_word & ~0xffffffffull, &x->fault))
        return access_failed(x);
    q->rptr++;
    if (q->run.rptr_addr &&
        !emu_mem_store64(&dev->mmu, tlb, x->ctx, q->run.rptr_addr, q->rptr, &x->fault))
        return access_failed(x);
    emu_queue_publish_rptr(q);
    atomic_fetch_add_explicit(&x->w->stats.packets, 1, memory_order_relaxed);
    if ((uint32_t)first_word & S5000_PKT_INTERRUPT)
        emu_device_raise(dev, q->run.vector);
    return STEP_DONE;
}

/* Reads the packet at rptr: the header first, with acquire, then the body. */
static enum step fetch(struct exec *x, uint64_t slot, uint64_t *first_word, union packet *p)
{
    struct emu_device *dev = x->dev;

    if (!emu_mem_load64(&dev->mmu, &x->w->tlb, x->ctx, slot, first_word, &x->fault))
        return access_failed(x);
    if (S5000_PKT_TYPE((uint32_t)*first_word) == S5000_PKT_INVALID)
        return STEP_IDLE;       /* not written yet: the next doorbell or kick looks again */
    atomic_thread_fence(memory_order_acquire);
    if (!emu_mem_read(&dev->mmu, &x->w->tlb, x->ctx, slot, p, sizeof(*p), &x->fault))
        return access_failed(x);
    memcpy(p->bytes, first_word, sizeof(*first_word));
    return STEP_DONE;
}

static enum step step(struct exec *x)
{
    struct emu_queue *q = x->q;
    uint64_t size = 1ull << q->run.ring_order;
    uint64_t wptr = __atomic_load_n(&q->db->wptr, __ATOMIC_ACQUIRE);
    uint64_t slot = q->run.ring_base + (q->rptr & (size - 1)) * S5000_PACKET_SIZE;
    uint64_t first_word;
    union packet p;
    enum step result;

    q->seen_wptr = wptr;
    if (wptr == q->rptr)
        return STEP_IDLE;
    /* Modulo 2^64, as the indices are: behind rptr is far ahead, and an index may wrap. */
    if (wptr - q->rptr > size) {
        emu_guest_error("queue %u: write index %llu with read index %llu and %llu slots",
                        q->id, (unsigned long long)wptr, (unsigned long long)q->rptr,
                        (unsigned long long)size);
        x->error = S5000_ERR_BAD_WPTR;
        return STEP_FAIL;
    }
    result = fetch(x, slot, &first_word, &p);
    if (result != STEP_DONE)
        return result;
    result = execute(x, &p);
    if (result != STEP_DONE)
        return result;
    return complete(x, slot, first_word);
}

enum emu_batch emu_exec_batch(struct emu_worker *w, struct emu_queue *q,
                              struct emu_batch_report *report)
{
    struct exec x = { .w = w, .dev = w->dev, .q = q, .ctx = q->run.context };
    uint64_t start = emu_now_ns(), now = start;
    enum emu_batch result = EMU_BATCH_MORE;

    emu_queue_publish_state(q, S5000_QSTATE_RUNNING);
    for (unsigned int n = 0; n < BATCH_PACKETS && now - start < BATCH_NS; n++) {
        enum step s = must_pause(&x) ? STEP_ABORT : step(&x);

        if (s == STEP_DONE) {
            report->packets++;
            now = emu_now_ns();
            continue;
        }
        if (s == STEP_IDLE)
            result = EMU_BATCH_IDLE;
        else if (s == STEP_PARK)
            result = EMU_BATCH_PARKED;
        else if (s == STEP_FAIL)
            result = EMU_BATCH_FAILED;
        if (s == STEP_FAIL)
            emu_queue_fail(x.dev, q, x.error, x.has_fault ? &x.fault : NULL);
        now = emu_now_ns();
        break;
    }
    if (now - start > x.engine_ns)
        emu_telemetry_account(&x.dev->telemetry, EMU_ENGINE_COMPUTE, start + x.engine_ns, now);
    report->signalled = x.signalled;
    return result;
}
