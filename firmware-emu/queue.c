// SPDX-License-Identifier: MIT
/*
 * Per-context and per-queue registers, and how a stopped queue is reported.
 *
 * A queue is programmed while disabled: writes to its setup registers while
 * ENABLE is set are dropped (guest error). What ENABLE does, and the other
 * transitions, happen in cp.c under the scheduler lock.
 */
#include "queue.h"

#include <string.h>

#include "device.h"
#include "log.h"

void emu_queues_init(struct emu_device *dev)
{
    for (unsigned int i = 0; i < S5000_MAX_QUEUES; i++) {
        struct emu_queue *q = &dev->queue[i];

        q->id = i;
        q->db = (struct s5000_doorbell *)(dev->doorbells + (size_t)i * S5000_PAGE_SIZE);
    }
    emu_queues_reset(dev);
}

void emu_queues_reset(struct emu_device *dev)
{
    for (unsigned int i = 0; i < S5000_MAX_CONTEXTS; i++) {
        dev->ctx[i].pt_root = 0;
        dev->ctx[i].control = 0;
        atomic_store(&dev->ctx[i].status, 0);
    }
    emu_mmu_reset(&dev->mmu);

    for (unsigned int i = 0; i < S5000_MAX_QUEUES; i++) {
        struct emu_queue *q = &dev->queue[i];

        memset(&q->cfg, 0, sizeof(q->cfg));
        memset(&q->run, 0, sizeof(q->run));
        q->enable_requested = false;
        q->rptr = 0;
        q->seen_wptr = UINT64_MAX;
        q->wait_since_ns = 0;
        q->sched = EMU_SCHED_OFF;
        q->kick_pending = false;
        q->next = NULL;
        atomic_store(&q->stop, EMU_STOP_NONE);
        atomic_store(&q->hung, false);
        atomic_store(&q->state, S5000_QSTATE_DISABLED);
        atomic_store(&q->error, S5000_ERR_NONE);
        atomic_store(&q->rptr_pub, 0);
        atomic_store(&q->fault_addr, 0);
    }
}

/* ------------------------------------------------------------- contexts */

bool emu_ctx_reg_is64(uint64_t r)
{
    return r == S5000_CTX_PT_ROOT;
}

bool emu_ctx_reg_read(struct emu_device *dev, unsigned int c, uint64_t r, uint64_t *val)
{
    struct emu_context *ctx = &dev->ctx[c];

    switch (r) {
    case S5000_CTX_PT_ROOT:
        *val = ctx->pt_root;
        return true;
    case S5000_CTX_CONTROL:
        *val = ctx->control;
        return true;
    case S5000_CTX_STATUS:
        *val = atomic_load(&ctx->status);
        return true;
    default:
        return false;
    }
}

static void write_ctx_control(struct emu_device *dev, unsigned int c, uint32_t val)
{
    struct emu_context *ctx = &dev->ctx[c];
    bool enable = val & S5000_CTX_ENABLE;

    if (val & ~S5000_CTX_ENABLE)
        emu_guest_error("context %u CONTROL: reserved bits 0x%x ignored", c,
                        val & ~S5000_CTX_ENABLE);
    ctx->control = val & S5000_CTX_ENABLE;
    if (!enable)
        atomic_store(&ctx->status, 0);     /* disabling acknowledges a fault */
    emu_mmu_enable(&dev->mmu, c, enable);
}

bool emu_ctx_reg_write(struct emu_device *dev, unsigned int c, uint64_t r, uint64_t val)
{
    switch (r) {
    case S5000_CTX_PT_ROOT:
        if (val % S5000_PAGE_SIZE != 0 || val >= dev->config.vram_size) {
            emu_guest_error("context %u PT_ROOT 0x%llx: not a 4 KiB aligned VRAM offset",
                            c, (unsigned long long)val);
            return true;
        }
        dev->ctx[c].pt_root = val;
        emu_mmu_set_root(&dev->mmu, c, val);
        return true;
    case S5000_CTX_CONTROL:
        write_ctx_control(dev, c, (uint32_t)val);
        return true;
    default:
        return false;
    }
}

/* ---------------------------------------------------------------- queues */

bool emu_queue_reg_is64(uint64_t r)
{
    switch (r) {
    case S5000_QUEUE_RING_BASE:
    case S5000_QUEUE_RPTR_ADDR:
    case S5000_QUEUE_RPTR_INIT:
    case S5000_QUEUE_RPTR:
        return true;
    default:
        return false;
    }
}

bool emu_queue_reg_read(struct emu_device *dev, unsigned int qid, uint64_t r, uint64_t *val)
{
    struct emu_queue *q = &dev->queue[qid];

    if (qid >= dev->config.num_queues)
        return false;
    switch (r) {
    case S5000_QUEUE_RING_BASE:  *val = q->cfg.ring_base; return true;
    case S5000_QUEUE_RPTR_ADDR:  *val = q->cfg.rptr_addr; return true;
    case S5000_QUEUE_RPTR_INIT:  *val = q->cfg.rptr_init; return true;
    case S5000_QUEUE_RING_ORDER: *val = q->cfg.ring_order; return true;
    case S5000_QUEUE_CONTEXT:    *val = q->cfg.context; return true;
    case S5000_QUEUE_VECTOR:     *val = q->cfg.vector; return true;
    case S5000_QUEUE_PRIORITY:   *val = q->cfg.priority; return true;
    case S5000_QUEUE_CONTROL:    *val = q->enable_requested ? S5000_QUEUE_ENABLE : 0; return true;
    case S5000_QUEUE_STATUS:     *val = atomic_load(&q->state); return true;
    case S5000_QUEUE_ERROR:      *val = atomic_load(&q->error); return true;
    case S5000_QUEUE_RPTR:       *val = atomic_load(&q->rptr_pub); return true;
    default:                     return false;
    }
}

/* A value for a setup register, or a logged reason why not. */
static bool setup_value_ok(const struct emu_queue *q, uint64_t r, uint64_t val)
{
    const char *why = NULL;

    if (q->enable_requested)
        why = "the queue is enabled";
    else if (r == S5000_QUEUE_RING_BASE && val % S5000_PACKET_SIZE != 0)
        why = "not 64-byte aligned";
    else if (r == S5000_QUEUE_RPTR_ADDR && val % 8 != 0)
        why = "not 8-byte aligned";
    else if (r == S5000_QUEUE_RING_ORDER && (val < 4 || val > 20))
        why = "not 4..20";
    else if (r == S5000_QUEUE_CONTEXT && val >= S5000_MAX_CONTEXTS)
        why = "no such context";
    else if (r == S5000_QUEUE_VECTOR && val >= S5000_MSIX_VECTORS)
        why = "no such vector";
    else if (r == S5000_QUEUE_PRIORITY && val > S5000_QUEUE_PRIORITY_MAX)
        why = "not 0..3";
    if (why)
        emu_guest_error("queue %u register 0x%02llx = 0x%llx: %s; dropped", q->id,
                        (unsigned long long)r, (unsigned long long)val, why);
    return why == NULL;
}

static void write_queue_control(struct emu_device *dev, struct emu_queue *q, uint32_t val)
{
    const uint32_t known = S5000_QUEUE_ENABLE | S5000_QUEUE_RESET;

    if (val & ~known)
        emu_guest_error("queue %u CONTROL: reserved bits 0x%x ignored", q->id, val & ~known);
    if (val & S5000_QUEUE_RESET) {
        q->enable_requested = false;
        emu_cp_reset_queue(dev, q);
    } else if ((val & S5000_QUEUE_ENABLE) && !q->enable_requested) {
        q->enable_requested = emu_cp_enable_queue(dev, q);
    } else if (!(val & S5000_QUEUE_ENABLE) && q->enable_requested) {
        q->enable_requested = false;
        emu_cp_disable_queue(dev, q);
    }
}

bool emu_queue_reg_write(struct emu_device *dev, unsigned int qid, uint64_t r, uint64_t val)
{
    struct emu_queue *q = &dev->queue[qid];
    struct emu_queue_config *cfg = &q->cfg;

    if (qid >= dev->config.num_queues)
        return false;
    switch (r) {
    case S5000_QUEUE_CONTROL:
        write_queue_control(dev, q, (uint32_t)val);
        return true;
    case S5000_QUEUE_RING_BASE:
    case S5000_QUEUE_RPTR_ADDR:
    case S5000_QUEUE_RPTR_INIT:
    case S5000_QUEUE_RING_ORDER:
    case S5000_QUEUE_CONTEXT:
    case S5000_QUEUE_VECTOR:
    case S5000_QUEUE_PRIORITY:
        break;
    default:
        return false;
    }
    if (!setup_value_ok(q, r, val))
        return true;
    switch (r) {
    case S5000_QUEUE_RING_BASE:  cfg->ring_base = val; break;
    case S5000_QUEUE_RPTR_ADDR:  cfg->rptr_addr = val; break;
    case S5000_QUEUE_RPTR_INIT:  cfg->rptr_init = val; break;
    case S5000_QUEUE_RING_ORDER: cfg->ring_order = (uint32_t)val; break;
    case S5000_QUEUE_CONTEXT:    cfg->context = (uint32_t)val; break;
    case S5000_QUEUE_VECTOR:     cfg->vector = (uint32_t)val; break;
    case S5000_QUEUE_PRIORITY:   cfg->priority = (uint32_t)val; break;
    }
    return true;
}

/* ------------------------------------------------------------ publishing */

void emu_queue_clear_error(struct emu_queue *q)
{
    atomic_store(&q->error, S5000_ERR_NONE);
    atomic_store(&q->fault_addr, 0);
    __atomic_store_n(&q->db->error, S5000_ERR_NONE, __ATOMIC_RELAXED);
    __atomic_store_n(&q->db->fault_addr, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&q->db->fault_pc, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&q->db->fault_kind, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&q->db->fault_access, 0, __ATOMIC_RELAXED);
}

void emu_queue_publish_state(struct emu_queue *q, uint32_t state)
{
    atomic_store(&q->state, state);
    __atomic_store_n(&q->db->state, state, __ATOMIC_RELEASE);
}

void emu_queue_publish_rptr(struct emu_queue *q)
{
    atomic_store(&q->rptr_pub, q->rptr);
    __atomic_store_n(&q->db->rptr, q->rptr, __ATOMIC_RELEASE);
}

static uint16_t event_type(uint32_t error)
{
    switch (error) {
    case S5000_ERR_PAGE_FAULT: return S5000_EVENT_PAGE_FAULT;
    case S5000_ERR_ECC:        return S5000_EVENT_ECC;
    default:                   return S5000_EVENT_QUEUE_ERROR;
    }
}

static uint32_t int_cause(uint32_t error)
{
    switch (error) {
    case S5000_ERR_PAGE_FAULT: return S5000_INT_QUEUE_ERROR | S5000_INT_PAGE_FAULT;
    case S5000_ERR_ECC:        return S5000_INT_QUEUE_ERROR | S5000_INT_ECC;
    default:                   return S5000_INT_QUEUE_ERROR;
    }
}

static void count_failure(struct emu_device *dev, uint32_t error)
{
    atomic_fetch_add_explicit(&dev->counters.queue_errors, 1, memory_order_relaxed);
    if (error == S5000_ERR_PAGE_FAULT || error == S5000_ERR_DMA || error == S5000_ERR_ECC)
        atomic_fetch_add_explicit(&dev->counters.faults, 1, memory_order_relaxed);
    if (error == S5000_ERR_ECC)
        atomic_store(&dev->regs.error, true);
}

/*
 * Only this queue stops: other queues of the same context keep running (their
 * own bad accesses stop them too), and the context's FAULTED bit tells the
 * driver that its address space is suspect.
 */
void emu_queue_fail(struct emu_device *dev, struct emu_queue *q, uint32_t error,
                    const struct emu_fault *fault)
{
    uint64_t address = fault ? fault->address : 0;
    struct s5000_event event = {
        .type = event_type(error),
        .queue = (uint16_t)q->id,
        .context = (uint16_t)q->run.context,
        .access = fault ? fault->access : 0,
        .error = error,
        .address = address,
    };

    atomic_store(&q->error, error);
    atomic_store(&q->fault_addr, address);
    __atomic_store_n(&q->db->error, error, __ATOMIC_RELAXED);
    __atomic_store_n(&q->db->fault_addr, address, __ATOMIC_RELAXED);
    __atomic_store_n(&q->db->fault_pc, fault ? fault->pc : 0, __ATOMIC_RELAXED);
    __atomic_store_n(&q->db->fault_kind, fault ? fault->kind : 0, __ATOMIC_RELAXED);
    __atomic_store_n(&q->db->fault_access, fault ? fault->access : 0, __ATOMIC_RELAXED);
    emu_queue_publish_rptr(q);
    emu_queue_publish_state(q, S5000_QSTATE_ERROR);
    if (error == S5000_ERR_PAGE_FAULT)
        atomic_fetch_or(&dev->ctx[q->run.context].status, S5000_CTX_FAULTED);
    count_failure(dev, error);
    emu_debug("queue %u stopped: error %u (kind %u) at GPU VA 0x%llx, pc 0x%llx (packet %llu)",
              q->id, error, fault ? fault->kind : 0, (unsigned long long)address,
              (unsigned long long)(fault ? fault->pc : 0), (unsigned long long)q->rptr);
    emu_events_post(dev, &event, int_cause(error));
}
