/* SPDX-License-Identifier: MIT */
/*
 * The device core as the harnesses drive it: no socket, no QEMU. One device for
 * the whole run, back in its power-on state (VRAM and guest RAM zeroed) before each
 * input, so that inputs do not depend on each other. The harness plays the kernel
 * driver: it writes page tables into VRAM by hand, programs queues through the
 * registers and submits through the doorbell pages.
 *
 * Guest RAM is FUZZ_RAM_SIZE bytes at bus address FUZZ_RAM_BUS, host memory between
 * inaccessible guard areas, so that an access past it is a crash (AddressSanitizer
 * does not see into mmap()ed memory). The event ring lives at its start.
 */
#ifndef EMU_FUZZ_DEVICE_H
#define EMU_FUZZ_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "../uapi/s5000.h"
#include "device.h"

#define FUZZ_VRAM_SIZE      (256ull << 20)
#define FUZZ_APERTURE_SIZE  (64ull << 20)
#define FUZZ_QUEUES         4
#define FUZZ_TABLES_END     (4ull << 20)            /* page tables are below */
#define FUZZ_RAM_BUS        (1ull << 32)
#define FUZZ_RAM_SIZE       (1ull << 20)
#define FUZZ_EVENTS         64                      /* entries of the event ring */
#define FUZZ_EVENT_WPTR     (FUZZ_EVENTS * sizeof(struct s5000_event))
#define FUZZ_RAM_FREE       (64ull << 10)           /* guest RAM from here is the harness's */

struct fuzz_device {
    struct emu_device dev;
    uint64_t next_table;
    uint64_t root[S5000_MAX_CONTEXTS];
    uint8_t *ram;                       /* guest RAM's host memory */
};

/* A queue as its submitter sees it. */
struct fuzz_queue {
    unsigned int id;
    unsigned int ctx;
    uint64_t ring_va;
    uint8_t *ring;                      /* host address of the ring (VRAM) */
    unsigned int order;
    uint64_t rptr_addr;
    uint64_t rptr_init;
    unsigned int priority;
    uint64_t wptr;
    bool bad_wptr;                      /* the submitter wrote a wrong write index */
};

/* A queue that nothing will make progress any more (fuzz_queues_settle()). */
struct fuzz_queue_end {
    uint32_t state;
    uint32_t error;
    uint32_t kind;
    uint32_t access;
    uint64_t rptr;
    uint64_t addr;
    uint64_t pc;
    /* The same in the queue's registers. */
    uint32_t reg_state;
    uint32_t reg_error;
    uint64_t reg_rptr;
};

/* Once. compute_threads: 0 for none needed (1 is started: the device needs one). */
void fuzz_device_init(struct fuzz_device *f, unsigned int compute_threads);

/* Power-on state, zeroed memory, device enabled, event ring on; a slow reset is a hang. */
void fuzz_device_reset(struct fuzz_device *f);

uint64_t fuzz_reg_read(struct fuzz_device *f, uint64_t offset, unsigned int size);
void fuzz_reg_write(struct fuzz_device *f, uint64_t offset, unsigned int size, uint64_t val);

/* Host address of VRAM at offset. */
static inline uint8_t *fuzz_vram(struct fuzz_device *f, uint64_t offset)
{
    return f->dev.vram + offset;
}

static inline struct s5000_doorbell *fuzz_doorbell(struct fuzz_device *f, unsigned int q)
{
    return (struct s5000_doorbell *)(f->dev.doorbells + (uint64_t)q * S5000_PAGE_SIZE);
}

/* A fresh, zeroed page-table page below FUZZ_TABLES_END: its VRAM offset. */
uint64_t fuzz_new_table(struct fuzz_device *f);

/* Gives ctx a root table and enables it. */
void fuzz_context(struct fuzz_device *f, unsigned int ctx);

/*
 * Maps one page of ctx at va, of level 0 (4 KiB), 1 (2 MiB) or 2 (1 GiB), to addr
 * (a VRAM offset, or a bus address with S5000_PTE_SYSTEM); VALID and LEAF are added.
 * Does not invalidate: contexts are set up before their queues run.
 */
void fuzz_map(struct fuzz_device *f, unsigned int ctx, uint64_t va, uint64_t addr, int level,
              uint64_t flags);

/* Maps [va, va + size) to [vram, vram + size) with 4 KiB pages. */
void fuzz_map_range(struct fuzz_device *f, unsigned int ctx, uint64_t va, uint64_t vram,
                    uint64_t size, uint64_t flags);

/* Programs and enables queue q->id as *q says; q->wptr starts at q->rptr_init. */
void fuzz_queue_start(struct fuzz_device *f, struct fuzz_queue *q);

/* Writes a packet at the next slot, header last (release); does not ring the doorbell. */
void fuzz_queue_put(struct fuzz_queue *q, const void *packet);

/* Publishes q->wptr in the doorbell page, and kicks if the command processors sleep. */
void fuzz_queue_ring(struct fuzz_device *f, const struct fuzz_queue *q);

/* Kicks queue id through its kick page. */
void fuzz_queue_kick(struct fuzz_device *f, unsigned int id);

/*
 * Waits until none of the n queues can make progress by itself (each disabled,
 * stopped, idle or parked on a WAIT or BARRIER), and says where each ended. A queue
 * still busy after timeout_ms is a hang.
 */
void fuzz_queues_settle(struct fuzz_device *f, struct fuzz_queue *const *q, unsigned int n,
                        unsigned int timeout_ms, struct fuzz_queue_end *end);

/* Resets queue id; it must read DISABLED within a second. */
void fuzz_queue_reset(struct fuzz_device *f, unsigned int id);

/* The event ring's entries written since the last reset; NULL if the ring is off. */
const struct s5000_event *fuzz_events(struct fuzz_device *f, uint64_t *count);

/* Checks what the spec promises about a queue that ended (end) and its registers. */
void fuzz_check_queue_end(const struct fuzz_queue *q,
                          const struct fuzz_queue_end *end);

#endif /* EMU_FUZZ_DEVICE_H */
