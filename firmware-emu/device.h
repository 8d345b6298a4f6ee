/* SPDX-License-Identifier: MIT */
/*
 * The S5000 device core: its memory (BAR0 backing, VRAM, guest RAM through the
 * DMA table), the register file, contexts, queues, command processors, events,
 * telemetry and reset. No vfio-user here: a transport serves it through the
 * BAR accessors and two seams, the notify fd (something for the serving thread
 * to do) and emu_device_service() (which vectors to raise).
 *
 * Threading: one serving thread makes every call declared here; the command
 * processor threads (cp.h) run packets and only talk back through atomics, the
 * notify fd and the pending-vector mask.
 */
#ifndef EMU_DEVICE_H
#define EMU_DEVICE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compute.h"
#include "cp.h"
#include "dma.h"
#include "events.h"
#include "mmu.h"
#include "queue.h"
#include "regs.h"
#include "telemetry.h"

struct emu_config {
    uint64_t vram_size;
    uint64_t aperture_size;     /* the first part of VRAM, seen through BAR2 */
    unsigned int num_queues;    /* 1..S5000_MAX_QUEUES */
    unsigned int cp_threads;    /* command processor threads */
    unsigned int compute_threads; /* run thread blocks: 1..EMU_COMPUTE_THREADS_MAX */
    unsigned int poll_us;       /* how long an idle CP polls doorbells after activity */
    uint64_t serial;
};

#define EMU_CP_THREADS_MAX 16

_Static_assert(EMU_CP_THREADS_MAX + EMU_COMPUTE_THREADS_MAX <= EMU_MMU_MAX_TLBS,
               "every engine thread's TLB can be registered");

/* What the device did, for the control interface's "counters". */
struct emu_counters {
    _Atomic uint64_t faults;            /* queues stopped by a bad memory access */
    _Atomic uint64_t queue_errors;      /* queues stopped for any reason */
    _Atomic uint64_t resets;
    _Atomic uint64_t kicks;
    _Atomic uint64_t interrupts;        /* vector raises requested */
    _Atomic uint64_t events;            /* written to the event ring */
};

struct emu_device {
    struct emu_config config;
    struct emu_regs regs;
    struct emu_dma_table dma;
    struct emu_memory mem;
    struct emu_mmu mmu;
    struct emu_context ctx[S5000_MAX_CONTEXTS];
    struct emu_queue queue[S5000_MAX_QUEUES];
    struct emu_events events;
    struct emu_telemetry telemetry;
    struct emu_cp cp;
    struct emu_compute compute;
    struct emu_counters counters;

    int bar0_fd;        /* memfd of S5000_BAR0_SIZE; clients map only its doorbell pages */
    int vram_fd;        /* sparse memfd of config.vram_size */
    uint8_t *doorbells; /* our mapping of the doorbell pages */
    uint8_t *vram;      /* our mapping of all of VRAM */

    int notify_fd;      /* eventfd: the serving thread has something to do */
    _Atomic uint64_t irq_pending;       /* bit per MSI-X vector */
    atomic_bool reset_pending;          /* STATUS.RESETTING */
};

/* Returns 0, or -1 with the reason logged. Starts the command processor threads. */
int emu_device_init(struct emu_device *dev, const struct emu_config *config);
void emu_device_fini(struct emu_device *dev);

/*
 * Trapped BAR accesses, offset relative to the BAR and already bounds-checked
 * against its size. Guest errors are logged and complete harmlessly (reads
 * give zeros); false only if the host itself failed.
 */
bool emu_device_bar0_access(struct emu_device *dev, uint64_t offset, void *buf,
                            size_t count, bool is_write);
bool emu_device_bar2_access(struct emu_device *dev, uint64_t offset, void *buf,
                            size_t count, bool is_write);

/*
 * Reset. emu_device_reset_request() never blocks: it stops every queue (a
 * running one at its next packet or copy piece) and shows STATUS.RESETTING
 * until the reset completes, at once if nothing was running, else from
 * emu_device_service(). emu_device_reset() additionally waits for it, at most
 * timeout_ms; false if that was not enough (the reset still completes later).
 * Both are idempotent.
 */
void emu_device_reset_request(struct emu_device *dev);
bool emu_device_reset(struct emu_device *dev, unsigned int timeout_ms);

/*
 * The serving thread calls this when notify_fd is readable: finishes a pending
 * reset, and returns the mask of vectors to raise now (and forgets them).
 */
uint64_t emu_device_service(struct emu_device *dev);

/* Any thread: ask the serving thread to raise an MSI-X vector. */
void emu_device_raise(struct emu_device *dev, unsigned int vector);

/* Any thread: make notify_fd readable, so that the serving thread calls emu_device_service(). */
void emu_device_notify(struct emu_device *dev);

/* Fault injection (the control interface). */
void emu_device_inject_ecc(struct emu_device *dev, bool uncorrectable);
void emu_device_fail_next_dma(struct emu_device *dev);

/* Writes the control interface's "counters" line (without newline) into buf. */
void emu_device_format_counters(struct emu_device *dev, char *buf, size_t size);

/* Whether CONTROL.ENABLE is set and no reset is pending. */
bool emu_device_running(struct emu_device *dev);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t emu_now_ns(void);

#endif /* EMU_DEVICE_H */
