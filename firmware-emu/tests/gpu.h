/* SPDX-License-Identifier: MIT */
/*
 * Programming the device the way a driver would, over a test client: page
 * tables in VRAM (written through the BAR2 aperture), contexts, queues with
 * their rings in guest RAM, the doorbell/kick submission protocol, packets,
 * and the event ring.
 *
 * Every context the tests build sees the same layout: guest RAM at
 * GPU_RAM_VA + (offset in guest RAM), 4 KiB pages, and VRAM at
 * GPU_VRAM_VA + (VRAM offset), 2 MiB pages, both writable.
 */
#ifndef EMU_TESTS_GPU_H
#define EMU_TESTS_GPU_H

#include <stdbool.h>
#include <stdint.h>

#include "client.h"

#define GPU_RAM_VA      0x100000000000ull
#define GPU_VRAM_VA     0x200000000000ull
/* Page tables live at the start of the aperture; test data in VRAM starts above. */
#define GPU_TABLES_END  (16ull << 20)
#define GPU_DATA_VRAM   GPU_TABLES_END

struct gpu {
    struct client *c;
    uint64_t next_table;        /* VRAM offset of the next free page-table page */
    uint64_t ram_next;          /* offset of the next free guest-RAM byte */
    /* The event ring, once gpu_events_init() set it up. */
    uint64_t ev_ring, ev_wptr;  /* offsets in guest RAM */
    uint64_t ev_size, ev_rptr;
};

struct gpu_queue {
    struct gpu *g;
    unsigned int id, ctx, order;
    uint8_t *ring;              /* host view of the ring in guest RAM */
    uint64_t ring_va;
    volatile uint64_t *rptr;    /* the read-index write-back, in guest RAM */
    uint64_t rptr_va;
    volatile struct s5000_doorbell *db;
    uint64_t wptr;              /* index of the next packet to write */
    uint64_t kicks;             /* how often the submitter had to kick */
};

/* Enables the device (CONTROL.ENABLE); page tables go to [4 KiB, GPU_TABLES_END). */
void gpu_init(struct gpu *g, struct client *c);

/* Guest RAM: an offset for size bytes (zeroed, 4 KiB aligned), and its addresses. */
uint64_t gpu_ram_alloc(struct gpu *g, uint64_t size);
void *gpu_ram(struct gpu *g, uint64_t offset);
static inline uint64_t gpu_ram_va(uint64_t offset) { return GPU_RAM_VA + offset; }
/* VRAM in the aperture, through BAR2. */
void *gpu_vram(struct gpu *g, uint64_t offset);
static inline uint64_t gpu_vram_va(uint64_t offset) { return GPU_VRAM_VA + offset; }

/*
 * Maps [va, va + size) to addr in ctx's tables with pages of 1 << page_shift
 * bytes (12 or 21); flags are S5000_PTE_WRITE and S5000_PTE_SYSTEM.
 */
void gpu_map(struct gpu *g, unsigned int ctx, uint64_t va, uint64_t addr, uint64_t size,
             uint64_t flags, unsigned int page_shift);
/* Removes the 4 KiB (or 2 MiB) mapping at va; invalidate the TLB afterwards. */
void gpu_unmap(struct gpu *g, unsigned int ctx, uint64_t va);
/* A context with the standard layout (all guest RAM, VRAM [0, vram_bytes)), enabled. */
void gpu_context(struct gpu *g, unsigned int ctx, uint64_t vram_bytes);

/* Programs and enables a queue with a ring of 1 << order packets in guest RAM. */
bool gpu_queue_init(struct gpu *g, struct gpu_queue *q, unsigned int id, unsigned int ctx,
                    unsigned int order, unsigned int vector, unsigned int priority);
/* Resets the queue (QUEUE_CONTROL.RESET), empties its ring and enables it again at 0. */
bool gpu_queue_restart(struct gpu_queue *q);
/* Queue registers. */
uint32_t gpu_queue_reg(struct gpu_queue *q, uint64_t r);
void gpu_queue_set(struct gpu_queue *q, uint64_t r, uint32_t val);

/* Writes a packet at wptr, body first, header last with release; does not ring. */
void gpu_queue_write(struct gpu_queue *q, const void *packet);
/* Publishes wptr; kicks only if the command processor said it sleeps. */
void gpu_queue_ring(struct gpu_queue *q);
/* Waits for room, writes and rings; false if no room came within timeout_ms. */
bool gpu_submit(struct gpu_queue *q, const void *packet, long timeout_ms);
/* Whether the queue consumed everything up to index within timeout_ms. */
bool gpu_queue_wait(struct gpu_queue *q, uint64_t index, long timeout_ms);
bool gpu_queue_drain(struct gpu_queue *q, long timeout_ms);
/* Whether the doorbell page shows state within timeout_ms. */
bool gpu_queue_wait_state(struct gpu_queue *q, uint32_t state, long timeout_ms);

/* Packets. */
struct s5000_pkt_nop pkt_nop(uint32_t flags);
struct s5000_pkt_copy pkt_copy(uint64_t dst, uint64_t src, uint64_t size);
struct s5000_pkt_fill pkt_fill(uint64_t dst, uint64_t size, uint64_t pattern, unsigned int width);
struct s5000_pkt_signal pkt_signal(unsigned int op, uint64_t addr, uint64_t value, uint32_t flags);
struct s5000_pkt_wait pkt_wait(unsigned int cond, uint64_t addr, uint64_t value, uint64_t mask,
                               uint64_t timeout_ns);
struct s5000_pkt_timestamp pkt_timestamp(uint64_t addr);

/* The event ring, in guest RAM. */
void gpu_events_init(struct gpu *g, uint64_t entries);
/* The next unread event within timeout_ms: false if none came. */
bool gpu_event_next(struct gpu *g, struct s5000_event *event, long timeout_ms);

/* Waits until *p == value (64-bit, acquire) or timeout_ms passes. */
bool wait_u64(volatile uint64_t *p, uint64_t value, long timeout_ms);

#endif /* EMU_TESTS_GPU_H */
