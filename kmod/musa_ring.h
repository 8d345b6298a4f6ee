/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rings the kernel owns: the packets are written by the driver into DMA memory
 * mapped into a context, each batch ends with a SIGNAL of its sequence number, and
 * a dma_fence per batch signals from the queue's interrupt.
 */
#ifndef MUSA_RING_H
#define MUSA_RING_H

#include <linux/dma-fence.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

struct musa_device;
struct musa_queue;
struct musa_vm;

/**
 * struct musa_ring - a ring of packets the kernel writes
 * @mdev: the device
 * @vm: the address space it runs in
 * @queue: the hardware queue running it
 * @order: it holds 1 << @order packets
 * @cpu: the packets, in DMA memory
 * @dma: their bus address
 * @status: DMA memory the device writes: [0] the last signalled sequence number,
 *          [1] the read index. Work in the ring's context can write it too, so
 *          the driver takes ring space from the doorbell page instead.
 * @status_dma: its bus address
 * @va: GPU VA of the packets; @status follows at @va + ring size
 * @lock: serialises writers
 * @wptr: packets written
 * @closing: the owner is going: a batch that has to wait for space fails instead
 * @stopped: the queue is stopped for good (musa_ring_stop())
 * @fence_lock: guards @pending, the lock of every fence of the ring
 * @pending: fences not signalled yet, oldest first
 * @context: dma_fence context
 * @seqno: sequence number of the last batch
 * @name: timeline name
 */
struct musa_ring {
	struct musa_device *mdev;
	struct musa_vm *vm;
	struct musa_queue *queue;
	u32 order;
	void *cpu;
	dma_addr_t dma;
	u64 *status;
	dma_addr_t status_dma;
	u64 va;
	struct mutex lock;		/* serialises writers */
	u64 wptr;
	bool closing;
	bool stopped;
	spinlock_t fence_lock;		/* guards pending */
	struct list_head pending;
	u64 context;
	u64 seqno;
	char name[32];
};

#define MUSA_RING_FENCE		0
#define MUSA_RING_RPTR		1

struct musa_ring *musa_ring_create(struct musa_device *mdev, struct musa_vm *vm, u64 va,
				   u32 order, const char *name);
void musa_ring_close(struct musa_ring *ring);
void musa_ring_stop(struct musa_ring *ring);
void musa_ring_destroy(struct musa_ring *ring);
int musa_ring_restart(struct musa_ring *ring);
struct dma_fence *musa_ring_submit(struct musa_ring *ring, const void *packets, u32 count);
void musa_ring_signal(struct musa_ring *ring);
void musa_ring_fail(struct musa_ring *ring, int error);
int musa_ring_clear_vram(struct musa_ring *ring, struct list_head *blocks);

#endif /* MUSA_RING_H */
