/* SPDX-License-Identifier: MIT */
/*
 * Contexts and queues: their registers, and the state a queue carries between
 * the serving thread that programs it and the command processor that runs it.
 *
 * Ownership: cfg and enable_requested belong to the serving thread (register
 * writes). Everything from `run` to `hung` belongs to the worker
 * holding the queue (sched == EMU_SCHED_RUNNING) and otherwise to whoever
 * holds the scheduler lock. The published fields are atomics any thread reads.
 */
#ifndef EMU_QUEUE_H
#define EMU_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../uapi/s5000.h"

struct emu_device;
struct emu_fault;

struct emu_context {
    uint64_t pt_root;
    uint32_t control;                   /* S5000_CTX_ENABLE as written */
    atomic_uint status;                 /* S5000_CTX_FAULTED */
};

struct emu_queue_config {
    uint64_t ring_base;                 /* GPU VA, 64-byte aligned */
    uint64_t rptr_addr;                 /* GPU VA, 8-byte aligned; 0: no write-back */
    uint64_t rptr_init;
    uint32_t ring_order;                /* 0 until programmed */
    uint32_t context;
    uint32_t vector;
    uint32_t priority;
};

/* Where a queue is as far as the scheduler (cp.c) is concerned. */
enum emu_sched {
    EMU_SCHED_OFF,                      /* disabled, or stopped with an error */
    EMU_SCHED_IDLE,                     /* enabled; waits for its doorbell or a kick */
    EMU_SCHED_RUNNABLE,                 /* on a run list */
    EMU_SCHED_RUNNING,                  /* held by a worker */
    EMU_SCHED_PARKED,                   /* on a WAIT or BARRIER; re-checked later */
    EMU_SCHED_HUNG,                     /* "hang" fault injection: never picked */
};

/* What the serving thread asked of a running queue. */
enum emu_stop {
    EMU_STOP_NONE,
    EMU_STOP_DISABLE,                   /* at the next packet boundary */
    EMU_STOP_RESET,                     /* at once, even inside a packet */
};

struct emu_queue {
    unsigned int id;
    struct s5000_doorbell *db;          /* in the mapped doorbell area */

    struct emu_queue_config cfg;        /* registers, as programmed */
    bool enable_requested;              /* QUEUE_CONTROL.ENABLE as written */

    struct emu_queue_config run;        /* cfg as it was at ENABLE */
    uint64_t rptr;
    uint64_t seen_wptr;                 /* wptr when last looked at; ~0 forces a look */
    uint64_t wait_since_ns;             /* when the packet at rptr first parked, or 0 */
    enum emu_sched sched;
    bool kick_pending;                  /* kicked while running: look again (under the lock) */
    struct emu_queue *next;             /* run-list link */
    atomic_int stop;                    /* enum emu_stop */
    atomic_bool hung;

    _Atomic uint32_t state;             /* S5000_QSTATE_* */
    _Atomic uint32_t error;             /* S5000_ERR_* */
    _Atomic uint64_t rptr_pub;
    _Atomic uint64_t fault_addr;
};

void emu_queues_init(struct emu_device *dev);

/* Power-on state of every context and queue (no worker may hold a queue). */
void emu_queues_reset(struct emu_device *dev);

/* Register decode for [S5000_REG_CTX_BASE, ...) and [S5000_REG_QUEUE_BASE, ...). */
bool emu_ctx_reg_is64(uint64_t r);
bool emu_ctx_reg_read(struct emu_device *dev, unsigned int c, uint64_t r, uint64_t *val);
bool emu_ctx_reg_write(struct emu_device *dev, unsigned int c, uint64_t r, uint64_t val);
bool emu_queue_reg_is64(uint64_t r);
bool emu_queue_reg_read(struct emu_device *dev, unsigned int q, uint64_t r, uint64_t *val);
bool emu_queue_reg_write(struct emu_device *dev, unsigned int q, uint64_t r, uint64_t val);

/* Forgets a queue's error and fault, in its registers and doorbell page. */
void emu_queue_clear_error(struct emu_queue *q);

/* Publishes a queue's state in its doorbell page and registers. */
void emu_queue_publish_state(struct emu_queue *q, uint32_t state);
void emu_queue_publish_rptr(struct emu_queue *q);

/*
 * Stops the queue held by the calling worker with an error: records it where
 * the driver reads it (doorbell page, registers, event ring, INT_CAUSE) and
 * raises the event vector. fault may be NULL for errors that are not accesses.
 */
void emu_queue_fail(struct emu_device *dev, struct emu_queue *q, uint32_t error,
                    const struct emu_fault *fault);

#endif /* EMU_QUEUE_H */
