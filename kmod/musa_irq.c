// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts. MSI-X only: vector 0 carries events and errors, the others queue
 * completions; with fewer vectors than queues, queues share them (and with one
 * vector, everything is on vector 0). A completion interrupt is only a hint that
 * values in memory changed: it wakes the vector's sleepers and signals the fences
 * of kernel rings. Errors arrive as entries of the event ring.
 */
#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/module.h>

#include "musa_drv.h"
#include "musa_queue.h"
#include "musa_ring.h"
#include "musa_vm.h"

struct musa_vector *musa_queue_vector(struct musa_device *mdev, u32 hwid)
{
	if (mdev->num_vectors == 1)
		return &mdev->vectors[S5000_EVENT_VECTOR];
	return &mdev->vectors[1 + hwid % (mdev->num_vectors - 1)];
}

/* Signals the kernel rings whose queues interrupt through vec. */
static void musa_irq_signal_rings(struct musa_vector *vec)
{
	struct musa_device *mdev = vec->mdev;
	struct musa_queue *q;
	unsigned long flags;
	u32 hwid;

	spin_lock_irqsave(&mdev->queue_lock, flags);
	for (hwid = 0; hwid < mdev->num_queues; hwid++) {
		q = mdev->hwq[hwid];
		if (q && q->ring && q->vector == vec)
			musa_ring_signal(q->ring);
	}
	spin_unlock_irqrestore(&mdev->queue_lock, flags);
}

static irqreturn_t musa_irq_queue(int irq, void *arg)
{
	struct musa_vector *vec = arg;

	musa_irq_signal_rings(vec);
	wake_up_all(&vec->wq);
	return IRQ_HANDLED;
}

/*
 * An event names the queue that stopped (or only the context) and why; the queue
 * and its context are marked. ECC reports without a queue are only logged.
 */
static void musa_event_handle(struct musa_device *mdev, const struct s5000_event *ev)
{
	struct musa_queue *q;
	struct musa_vm *vm;

	drm_dbg_driver(&mdev->drm, "event %u queue %u context %u error %u address 0x%llx\n",
		       ev->type, ev->queue, ev->context, ev->error, ev->address);
	if (ev->type == S5000_EVENT_ECC && ev->error)
		drm_err_ratelimited(&mdev->drm, "uncorrectable memory error\n");
	if (!ev->error || ev->type == S5000_EVENT_RESET_DONE)
		return;
	q = musa_queue_get_hw(mdev, ev->queue);
	if (q) {
		musa_queue_fail(q, MUSA_QUEUE_STATE_FAULTED, ev->error, ev->address);
		musa_queue_put(q);
		return;
	}
	mutex_lock(&mdev->vms_lock);
	list_for_each_entry(vm, &mdev->vms, link)
		if (vm->ctx == ev->context)
			musa_vm_fail(vm, MUSA_QUEUE_STATE_FAULTED);
	mutex_unlock(&mdev->vms_lock);
}

/* Vector 0: drain the event ring, then acknowledge the causes. */
static irqreturn_t musa_irq_event_thread(int irq, void *arg)
{
	struct musa_vector *vec = arg;
	struct musa_device *mdev = vec->mdev;
	struct s5000_event ev;
	u32 cause;
	u64 wptr;
	int idx;

	if (!drm_dev_enter(&mdev->drm, &idx))
		return IRQ_HANDLED;
	cause = musa_rd32(mdev, S5000_REG_INT_CAUSE);
	if (cause == ~0u && !musa_hw_alive(mdev)) {
		drm_dev_exit(idx);
		return IRQ_HANDLED;
	}
	musa_wr32(mdev, S5000_REG_INT_CAUSE, cause);
	wptr = READ_ONCE(*mdev->event_wptr);
	dma_rmb();
	while (mdev->event_rptr != wptr) {
		ev = mdev->events[mdev->event_rptr % MUSA_EVENT_RING_ENTRIES];
		mdev->event_rptr++;
		musa_event_handle(mdev, &ev);
	}
	musa_wr64(mdev, S5000_REG_EVENT_RPTR, mdev->event_rptr);
	if (cause & S5000_INT_EVENT_OVERFLOW)
		drm_err_ratelimited(&mdev->drm, "%llu device events lost\n",
				    musa_rd64(mdev, S5000_REG_EVENTS_LOST));
	drm_dev_exit(idx);
	return IRQ_HANDLED;
}

/* Vector 0 also completes queues when it is the only vector. */
static irqreturn_t musa_irq_event(int irq, void *arg)
{
	musa_irq_queue(irq, arg);
	return IRQ_WAKE_THREAD;
}

/* Event ring memory lives as long as the DRM device: a late event finds it. */
static int musa_irq_alloc_events(struct musa_device *mdev)
{
	struct device *dev = mdev->drm.dev;

	mdev->events = dmam_alloc_coherent(dev, MUSA_EVENT_RING_ENTRIES * sizeof(*mdev->events),
					   &mdev->events_dma, GFP_KERNEL);
	mdev->event_wptr = dmam_alloc_coherent(dev, sizeof(u64), &mdev->event_wptr_dma,
					       GFP_KERNEL);
	if (!mdev->events || !mdev->event_wptr)
		return -ENOMEM;
	return 0;
}

static int musa_irq_request(struct musa_device *mdev, unsigned int i)
{
	struct musa_vector *vec = &mdev->vectors[i];
	int irq = pci_irq_vector(mdev->pdev, i);

	if (i == S5000_EVENT_VECTOR)
		return request_threaded_irq(irq, musa_irq_event, musa_irq_event_thread,
					    IRQF_ONESHOT, "musa-events", vec);
	return request_irq(irq, musa_irq_queue, 0, "musa-queue", vec);
}

static unsigned int musa_max_vectors = S5000_MSIX_VECTORS;
module_param_named(max_vectors, musa_max_vectors, uint, 0444);
MODULE_PARM_DESC(max_vectors, "Use at most this many MSI-X vectors, 1..33 (default 33)");

/* MSI-X only; the device has no INTx. Fewer vectors than asked for is fine. */
int musa_irq_init(struct musa_device *mdev)
{
	unsigned int i, max = clamp(musa_max_vectors, 1u, (unsigned int)S5000_MSIX_VECTORS);
	int nvec, ret;

	ret = musa_irq_alloc_events(mdev);
	if (ret)
		return ret;
	nvec = pci_alloc_irq_vectors(mdev->pdev, 1, max, PCI_IRQ_MSIX);
	if (nvec < 0)
		return nvec;
	mdev->num_vectors = nvec;
	mdev->vectors = drmm_kcalloc(&mdev->drm, nvec, sizeof(*mdev->vectors), GFP_KERNEL);
	if (!mdev->vectors) {
		ret = -ENOMEM;
		goto err_free_vectors;
	}
	for (i = 0; i < nvec; i++) {
		mdev->vectors[i].mdev = mdev;
		mdev->vectors[i].index = i;
		init_waitqueue_head(&mdev->vectors[i].wq);
	}
	for (i = 0; i < nvec; i++) {
		ret = musa_irq_request(mdev, i);
		if (ret)
			goto err_free_irqs;
	}
	return 0;

err_free_irqs:
	while (i--)
		free_irq(pci_irq_vector(mdev->pdev, i), &mdev->vectors[i]);
err_free_vectors:
	pci_free_irq_vectors(mdev->pdev);
	return ret;
}

void musa_irq_fini(struct musa_device *mdev)
{
	unsigned int i;

	for (i = 0; i < mdev->num_vectors; i++)
		free_irq(pci_irq_vector(mdev->pdev, i), &mdev->vectors[i]);
	pci_free_irq_vectors(mdev->pdev);
}

/* Wakes every sleeper: something they wait for may have changed without a vector. */
void musa_irq_wake_all(struct musa_device *mdev)
{
	unsigned int i;

	for (i = 0; i < mdev->num_vectors; i++) {
		musa_irq_signal_rings(&mdev->vectors[i]);
		wake_up_all(&mdev->vectors[i].wq);
	}
}
