// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-owned rings and their fences. The driver writes packets into DMA memory
 * mapped into a context, follows each batch with a SIGNAL of the batch's sequence
 * number (with an interrupt), and signals the batch's dma_fence when the interrupt
 * shows the number in memory. The kernel context's ring clears VRAM with FILL.
 */
#include <drm/drm_drv.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>

#include "musa_drv.h"
#include "musa_queue.h"
#include "musa_ring.h"
#include "musa_vm.h"

/**
 * struct musa_fence - completion of one batch on a kernel ring
 * @base: the fence
 * @ring: its ring
 * @link: in the ring's pending fences
 */
struct musa_fence {
	struct dma_fence base;
	struct musa_ring *ring;
	struct list_head link;
};

static struct musa_fence *to_musa_fence(struct dma_fence *f)
{
	return container_of(f, struct musa_fence, base);
}

static const char *musa_fence_driver_name(struct dma_fence *f)
{
	return MUSA_DRIVER_NAME;
}

static const char *musa_fence_timeline_name(struct dma_fence *f)
{
	return to_musa_fence(f)->ring->name;
}

static bool musa_fence_signaled(struct dma_fence *f)
{
	struct musa_ring *ring = to_musa_fence(f)->ring;

	return READ_ONCE(ring->status[MUSA_RING_FENCE]) >= f->seqno;
}

static const struct dma_fence_ops musa_fence_ops = {
	.get_driver_name = musa_fence_driver_name,
	.get_timeline_name = musa_fence_timeline_name,
	.signaled = musa_fence_signaled,
};

static u64 musa_ring_size(struct musa_ring *ring)
{
	return (u64)S5000_PACKET_SIZE << ring->order;
}

static int musa_ring_map(struct musa_ring *ring)
{
	struct musa_vm *vm = ring->vm;
	u64 size = musa_ring_size(ring);
	int ret;

	mutex_lock(&vm->lock);
	ret = musa_vm_map_range(vm, ring->va, ring->dma, size,
				S5000_PTE_WRITE | S5000_PTE_SYSTEM);
	if (!ret) {
		ret = musa_vm_map_range(vm, ring->va + size, ring->status_dma, PAGE_SIZE,
					S5000_PTE_WRITE | S5000_PTE_SYSTEM);
		if (ret)
			musa_vm_unmap_range(vm, ring->va, size);
	}
	mutex_unlock(&vm->lock);
	return ret;
}

static void musa_ring_free(struct musa_ring *ring)
{
	struct device *dev = ring->mdev->drm.dev;

	if (ring->status)
		dma_free_coherent(dev, PAGE_SIZE, ring->status, ring->status_dma);
	if (ring->cpu)
		dma_free_coherent(dev, musa_ring_size(ring), ring->cpu, ring->dma);
	mutex_destroy(&ring->lock);
	kfree(ring);
}

/*
 * Creates a ring of 1 << order packets at va in vm (a range the driver reserves
 * for itself) and a hardware queue to run it. The caller is inside drm_dev_enter().
 */
struct musa_ring *musa_ring_create(struct musa_device *mdev, struct musa_vm *vm, u64 va,
				   u32 order, const char *name)
{
	struct device *dev = mdev->drm.dev;
	struct musa_queue_config config = { .ring_va = va, .order = order, .priority = 1 };
	struct musa_ring *ring;
	int ret;

	ring = kzalloc(sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return ERR_PTR(-ENOMEM);
	ring->mdev = mdev;
	ring->vm = vm;
	ring->order = order;
	ring->va = va;
	mutex_init(&ring->lock);
	spin_lock_init(&ring->fence_lock);
	INIT_LIST_HEAD(&ring->pending);
	ring->context = dma_fence_context_alloc(1);
	strscpy(ring->name, name, sizeof(ring->name));

	ret = -ENOMEM;
	ring->cpu = dma_alloc_coherent(dev, musa_ring_size(ring), &ring->dma, GFP_KERNEL);
	ring->status = dma_alloc_coherent(dev, PAGE_SIZE, &ring->status_dma, GFP_KERNEL);
	if (!ring->cpu || !ring->status)
		goto err_free;
	ret = musa_ring_map(ring);
	if (ret)
		goto err_free;

	config.rptr_va = va + musa_ring_size(ring) + MUSA_RING_RPTR * sizeof(u64);
	ring->queue = musa_queue_create_hw(mdev, vm, &config);
	if (IS_ERR(ring->queue)) {
		ret = PTR_ERR(ring->queue);
		goto err_unmap;
	}
	ring->queue->ring = ring;
	return ring;

err_unmap:
	mutex_lock(&vm->lock);
	musa_vm_unmap_range(vm, va, musa_ring_size(ring) + PAGE_SIZE);
	mutex_unlock(&vm->lock);
err_free:
	musa_ring_free(ring);
	return ERR_PTR(ret);
}

/*
 * The owner is going: batches waiting for room fail at once, so that nothing
 * waits for a ring nobody will drain (its queue may be parked on a WAIT for ever).
 */
void musa_ring_close(struct musa_ring *ring)
{
	WRITE_ONCE(ring->closing, true);
	wake_up_all(&ring->queue->vector->wq);
}

/*
 * Stops the queue for good and fails what is still pending; later batches fail
 * without touching the device. The ring stays until musa_ring_destroy(), for a
 * submitter that may still be inside musa_ring_submit().
 */
void musa_ring_stop(struct musa_ring *ring)
{
	if (ring->stopped)
		return;
	ring->stopped = true;
	musa_queue_destroy_hw(ring->queue);
	musa_ring_fail(ring, -ECANCELED);
}

/* Stops the ring if it runs, and frees it: nobody may submit to it any more. */
void musa_ring_destroy(struct musa_ring *ring)
{
	struct musa_vm *vm = ring->vm;

	musa_ring_stop(ring);
	musa_queue_put(ring->queue);
	mutex_lock(&vm->lock);
	musa_vm_unmap_range(vm, ring->va, musa_ring_size(ring) + PAGE_SIZE);
	mutex_unlock(&vm->lock);
	musa_ring_free(ring);
}

/* After a device reset: start again from an empty ring. */
int musa_ring_restart(struct musa_ring *ring)
{
	int ret;

	mutex_lock(&ring->lock);
	memset(ring->cpu, 0, musa_ring_size(ring));
	ring->status[MUSA_RING_FENCE] = ring->seqno;
	ring->status[MUSA_RING_RPTR] = 0;
	ring->wptr = 0;
	ret = musa_queue_start(ring->queue);
	if (!ret)
		atomic_set(&ring->queue->state, MUSA_QUEUE_STATE_ACTIVE);
	mutex_unlock(&ring->lock);
	return ret;
}

/* Copies a packet in, header last, so the device never runs half a packet. */
static void musa_ring_write(struct musa_ring *ring, const void *packet)
{
	void *slot = ring->cpu + (ring->wptr & ((1ull << ring->order) - 1)) * S5000_PACKET_SIZE;
	u32 header;

	memcpy(slot + sizeof(header), packet + sizeof(header), S5000_PACKET_SIZE - sizeof(header));
	memcpy(&header, packet, sizeof(header));
	dma_wmb();
	WRITE_ONCE(*(u32 *)slot, header);
	ring->wptr++;
}

/*
 * Room for count packets, by the device's read index in the doorbell page: the
 * write-back copy in @status lies in the ring's context, where the owner's own
 * queues can overwrite it. A read index past the write index (a device that no
 * longer answers reads all ones) never makes room.
 */
static bool musa_ring_fits(struct musa_ring *ring, u32 count)
{
	u64 rptr = musa_queue_rptr(ring->queue);

	return rptr <= ring->wptr && ring->wptr + count - rptr <= 1ull << ring->order;
}

/*
 * Waits until count packets fit, as long as the queue works (a hang fails it) and
 * the owner stays. A failed queue is never touched again: its hardware id may
 * belong to another queue by now.
 */
static int musa_ring_wait_space(struct musa_ring *ring, u32 count)
{
	struct musa_queue *q = ring->queue;

	wait_event(q->vector->wq, musa_queue_failed(q) || READ_ONCE(ring->closing) ||
		   musa_ring_fits(ring, count));
	if (musa_queue_failed(q))
		return -EIO;
	return musa_ring_fits(ring, count) ? 0 : -ECANCELED;
}

/*
 * Queues count packets and a SIGNAL of the batch's number; returns the batch's
 * fence, or an error pointer if the queue has failed.
 */
struct dma_fence *musa_ring_submit(struct musa_ring *ring, const void *packets, u32 count)
{
	struct s5000_pkt_signal signal = {
		.header = S5000_PKT_HEADER(S5000_PKT_SIGNAL, S5000_SIGNAL_WRITE,
					   S5000_PKT_INTERRUPT),
		.addr = ring->va + musa_ring_size(ring) + MUSA_RING_FENCE * sizeof(u64),
	};
	struct musa_fence *fence;
	unsigned long flags;
	int ret, idx;
	u32 i;

	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence)
		return ERR_PTR(-ENOMEM);
	fence->ring = ring;
	if (!drm_dev_enter(&ring->mdev->drm, &idx)) {
		kfree(fence);
		return ERR_PTR(-ENODEV);
	}
	mutex_lock(&ring->lock);
	ret = musa_ring_wait_space(ring, count + 1);
	if (ret) {
		kfree(fence);
		fence = ERR_PTR(ret);
		goto out_unlock;
	}
	signal.value = ++ring->seqno;
	dma_fence_init(&fence->base, &musa_fence_ops, &ring->fence_lock, ring->context,
		       signal.value);
	for (i = 0; i < count; i++)
		musa_ring_write(ring, packets + i * S5000_PACKET_SIZE);
	musa_ring_write(ring, &signal);

	spin_lock_irqsave(&ring->fence_lock, flags);
	list_add_tail(&fence->link, &ring->pending);
	dma_fence_get(&fence->base);
	spin_unlock_irqrestore(&ring->fence_lock, flags);
	/* A failure that came after the check above may have missed this fence. */
	if (musa_queue_failed(ring->queue))
		musa_ring_fail(ring, atomic_read(&ring->queue->state) == MUSA_QUEUE_STATE_LOST ?
				     -ENODEV : -EIO);
	else
		musa_queue_kick(ring->queue, ring->wptr);
out_unlock:
	mutex_unlock(&ring->lock);
	drm_dev_exit(idx);
	return IS_ERR(fence) ? ERR_CAST(fence) : &fence->base;
}

/* From the queue's interrupt: signal every batch the device has finished. */
void musa_ring_signal(struct musa_ring *ring)
{
	u64 done = READ_ONCE(ring->status[MUSA_RING_FENCE]);
	struct musa_fence *fence, *next;
	unsigned long flags;

	spin_lock_irqsave(&ring->fence_lock, flags);
	list_for_each_entry_safe(fence, next, &ring->pending, link) {
		if (fence->base.seqno > done)
			break;
		list_del(&fence->link);
		dma_fence_signal_locked(&fence->base);
		dma_fence_put(&fence->base);
	}
	spin_unlock_irqrestore(&ring->fence_lock, flags);
}

/* Completes every pending batch with error. */
void musa_ring_fail(struct musa_ring *ring, int error)
{
	struct musa_fence *fence, *next;
	unsigned long flags;

	musa_ring_signal(ring);
	spin_lock_irqsave(&ring->fence_lock, flags);
	list_for_each_entry_safe(fence, next, &ring->pending, link) {
		list_del(&fence->link);
		dma_fence_set_error(&fence->base, error);
		dma_fence_signal_locked(&fence->base);
		dma_fence_put(&fence->base);
	}
	spin_unlock_irqrestore(&ring->fence_lock, flags);
}

/* Batches of FILL packets, each waited for: the ring never holds more. */
#define MUSA_CLEAR_BATCH	64

/*
 * Zeroes VRAM blocks through the kernel context, which sees VRAM at VA 0, and
 * waits: no one may see the memory's previous contents.
 */
int musa_ring_clear_vram(struct musa_ring *ring, struct list_head *blocks)
{
	struct drm_buddy *mm = &ring->mdev->vram.mm;
	struct drm_buddy_block *block;
	struct s5000_pkt_fill *fill;
	struct dma_fence *fence;
	unsigned int n = 0;
	long ret = 0;

	fill = kcalloc(MUSA_CLEAR_BATCH, sizeof(*fill), GFP_KERNEL);
	if (!fill)
		return -ENOMEM;
	list_for_each_entry(block, blocks, link) {
		fill[n].header = S5000_PKT_HEADER(S5000_PKT_FILL, sizeof(u64), 0);
		fill[n].dst = drm_buddy_block_offset(block);
		fill[n].size = drm_buddy_block_size(mm, block);
		if (++n < MUSA_CLEAR_BATCH && !list_is_last(&block->link, blocks))
			continue;
		fence = musa_ring_submit(ring, fill, n);
		if (IS_ERR(fence)) {
			ret = PTR_ERR(fence);
			break;
		}
		/* Not interruptible: the device must be done before the memory is reused. */
		ret = dma_fence_wait(fence, false);
		if (!ret)
			ret = fence->error;
		dma_fence_put(fence);
		if (ret)
			break;
		n = 0;
	}
	kfree(fill);
	return ret;
}
