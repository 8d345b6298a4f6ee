// SPDX-License-Identifier: GPL-2.0
/*
 * Recovery. A watchdog checks every queue with pending work: one that makes no
 * progress for musa.hang_timeout_ms is reset and marked HUNG, which makes its
 * context refuse new work; a queue that will not stop escalates to a device reset,
 * which loses every context. The watchdog also notices a device that no longer
 * answers, and then the DRM device is unplugged: later calls fail with -ENODEV.
 */
#include <drm/drm_drv.h>
#include <linux/interrupt.h>
#include <linux/module.h>

#include "musa_drv.h"
#include "musa_queue.h"
#include "musa_ring.h"
#include "musa_vm.h"

static unsigned int musa_hang_timeout_ms = 10000;
module_param_named(hang_timeout_ms, musa_hang_timeout_ms, uint, 0644);
MODULE_PARM_DESC(hang_timeout_ms,
		 "Reset a queue with pending work that makes no progress for this long, 0: never (default 10000)");

#define MUSA_WATCHDOG_PERIOD	msecs_to_jiffies(100)

enum musa_watch {
	MUSA_WATCH_OK,
	MUSA_WATCH_HUNG,	/* pending work, no progress for too long */
	MUSA_WATCH_STOPPED,	/* stopped with an error no event reported */
};

/* Accounts busy time and tells whether q needs attention (queue_lock held). */
static enum musa_watch musa_watchdog_check(struct musa_queue *q, ktime_t now)
{
	struct s5000_doorbell __iomem *db = musa_doorbell(q->mdev, q->hwid);
	u64 rptr = readq(&db->rptr), wptr = readq(&db->wptr);
	unsigned int timeout_ms = READ_ONCE(musa_hang_timeout_ms);
	u32 state = readl(&db->state);
	bool pending = wptr != rptr;

	if (pending)
		q->busy_ns += ktime_to_ns(ktime_sub(now, q->sampled));
	q->sampled = now;
	if (musa_queue_failed(q))
		return MUSA_WATCH_OK;
	if (state == S5000_QSTATE_ERROR)
		return MUSA_WATCH_STOPPED;
	/* A queue parked on a WAIT packet waits for other work, it is not hung. */
	if (!pending || rptr != q->seen_rptr || state == S5000_QSTATE_WAITING) {
		q->seen_rptr = rptr;
		q->progress = jiffies;
		return MUSA_WATCH_OK;
	}
	if (timeout_ms && time_after(jiffies, q->progress + msecs_to_jiffies(timeout_ms)))
		return MUSA_WATCH_HUNG;
	return MUSA_WATCH_OK;
}

/* The first queue that needs attention, with a reference, and what it needs. */
static struct musa_queue *musa_watchdog_scan(struct musa_device *mdev, enum musa_watch *what)
{
	struct musa_queue *q, *found = NULL;
	ktime_t now = ktime_get();
	enum musa_watch w;
	unsigned long flags;
	u32 hwid;

	spin_lock_irqsave(&mdev->queue_lock, flags);
	for (hwid = 0; hwid < mdev->num_queues; hwid++) {
		q = mdev->hwq[hwid];
		if (!q)
			continue;
		w = musa_watchdog_check(q, now);
		if (w != MUSA_WATCH_OK && !found) {
			found = q;
			*what = w;
			kref_get(&found->ref);
		}
	}
	spin_unlock_irqrestore(&mdev->queue_lock, flags);
	return found;
}

/* A queue the device stopped without telling us (the event was lost). */
static void musa_watchdog_stopped(struct musa_device *mdev, struct musa_queue *q)
{
	struct s5000_doorbell __iomem *db = musa_doorbell(mdev, q->hwid);
	u32 error = readl(&db->error);
	u64 fault_va = readq(&db->fault_addr);

	drm_dbg_driver(&mdev->drm, "queue %u stopped with error %u, no event\n", q->hwid, error);
	musa_queue_fail(q, MUSA_QUEUE_STATE_FAULTED, error, fault_va);
}

/*
 * The kernel's ring serves every client: an error it meets (an uncorrectable ECC
 * error or a failed DMA in memory it touches) fails only the batch in flight,
 * whose caller gets -EIO; then the ring starts again.
 */
static void musa_watchdog_kring(struct musa_device *mdev)
{
	struct musa_queue *q = mdev->kring->queue;
	int ret;

	if (atomic_read(&q->state) != MUSA_QUEUE_STATE_FAULTED)
		return;
	drm_warn(&mdev->drm, "kernel ring stopped with error %u: restarting it\n", q->error);
	mutex_lock(&mdev->reset_lock);
	ret = musa_ring_restart(mdev->kring);
	if (!ret)
		atomic_set(&mdev->kvm->failed, 0);
	mutex_unlock(&mdev->reset_lock);
	if (ret == -ETIMEDOUT)
		musa_reset_device(mdev);
}

static void musa_watchdog_work(struct work_struct *work)
{
	struct musa_device *mdev = container_of(to_delayed_work(work), struct musa_device,
						watchdog);
	enum musa_watch what = MUSA_WATCH_OK;
	struct musa_queue *q = NULL;
	bool alive;
	int idx;

	if (!drm_dev_enter(&mdev->drm, &idx))
		return;
	alive = musa_hw_alive(mdev);
	if (alive)
		q = musa_watchdog_scan(mdev, &what);
	if (q && what == MUSA_WATCH_STOPPED)
		musa_watchdog_stopped(mdev, q);
	if (alive && !atomic_read(&mdev->lost))
		musa_watchdog_kring(mdev);
	drm_dev_exit(idx);
	if (q && what == MUSA_WATCH_HUNG && !atomic_read(&mdev->lost))
		musa_reset_queue_hung(mdev, q);
	if (q)
		musa_queue_put(q);
	if (atomic_read(&mdev->lost))
		return;
	/* Completions are values in memory; a lost interrupt costs one period. */
	musa_irq_wake_all(mdev);
	schedule_delayed_work(&mdev->watchdog, MUSA_WATCHDOG_PERIOD);
}

/* Resets a queue that stopped making progress; a queue that will not stop resets the device. */
void musa_reset_queue_hung(struct musa_device *mdev, struct musa_queue *q)
{
	int ret = -ENODEV, idx;

	drm_warn(&mdev->drm, "queue %u of process %d made no progress for %u ms: resetting it\n",
		 q->hwid, q->pid, musa_hang_timeout_ms);
	atomic_inc(&mdev->queue_resets);
	musa_queue_fail(q, MUSA_QUEUE_STATE_HUNG, 0, 0);

	mutex_lock(&mdev->reset_lock);
	if (mdev->hwq[q->hwid] != q) {
		ret = 0;	/* destroyed meanwhile */
	} else if (drm_dev_enter(&mdev->drm, &idx)) {
		ret = musa_queue_stop(q);
		if (!ret && q->ring == mdev->kring)
			ret = musa_ring_restart(q->ring);
		drm_dev_exit(idx);
	}
	mutex_unlock(&mdev->reset_lock);
	if (ret == -ETIMEDOUT)
		musa_reset_device(mdev);
}

/* Marks every queue with state: they and their contexts take no more work. */
static void musa_reset_fail_all(struct musa_device *mdev, int state)
{
	struct musa_queue *q[S5000_MAX_QUEUES];
	unsigned long flags;
	u32 hwid, n = 0;

	spin_lock_irqsave(&mdev->queue_lock, flags);
	for (hwid = 0; hwid < mdev->num_queues; hwid++) {
		if (mdev->hwq[hwid]) {
			q[n] = mdev->hwq[hwid];
			kref_get(&q[n++]->ref);
		}
	}
	spin_unlock_irqrestore(&mdev->queue_lock, flags);
	while (n--) {
		musa_queue_fail(q[n], state, 0, 0);
		musa_queue_put(q[n]);
	}
	musa_irq_wake_all(mdev);
}

/* Re-enables the device after a reset: events, contexts, the kernel's ring. */
static int musa_reset_restore(struct musa_device *mdev)
{
	struct musa_vm *vm;

	musa_hw_setup_events(mdev);
	musa_wr32(mdev, S5000_REG_CONTROL, S5000_CONTROL_ENABLE);
	mutex_lock(&mdev->vms_lock);
	list_for_each_entry(vm, &mdev->vms, link)
		musa_vm_program(vm);
	mutex_unlock(&mdev->vms_lock);
	return musa_ring_restart(mdev->kring);
}

/* Resets the whole device: every queue is lost, every context refuses new work. */
int musa_reset_device(struct musa_device *mdev)
{
	int irq = pci_irq_vector(mdev->pdev, S5000_EVENT_VECTOR);
	int ret, idx;

	mutex_lock(&mdev->reset_lock);
	ret = musa_dev_enter(mdev, &idx);
	if (ret)
		goto out_unlock;
	drm_warn(&mdev->drm, "resetting the device\n");
	atomic_inc(&mdev->resets);
	musa_reset_fail_all(mdev, MUSA_QUEUE_STATE_LOST);
	disable_irq(irq);
	ret = musa_hw_reset(mdev);
	if (!ret)
		ret = musa_reset_restore(mdev);
	enable_irq(irq);
	drm_dev_exit(idx);
out_unlock:
	mutex_unlock(&mdev->reset_lock);
	if (ret)
		drm_err(&mdev->drm, "device reset failed: %d\n", ret);
	return ret;
}

static void musa_lost_work(struct work_struct *work)
{
	struct musa_device *mdev = container_of(work, struct musa_device, lost_work);

	drm_dev_unplug(&mdev->drm);
}

/* The device stopped answering: fail everything, then unplug (in process context). */
void musa_device_lost(struct musa_device *mdev)
{
	if (atomic_xchg(&mdev->lost, 1))
		return;
	drm_err(&mdev->drm, "device stopped answering: unplugging it\n");
	musa_reset_fail_all(mdev, MUSA_QUEUE_STATE_LOST);
	schedule_work(&mdev->lost_work);
}

void musa_reset_init(struct musa_device *mdev)
{
	INIT_DELAYED_WORK(&mdev->watchdog, musa_watchdog_work);
	INIT_WORK(&mdev->lost_work, musa_lost_work);
	schedule_delayed_work(&mdev->watchdog, MUSA_WATCHDOG_PERIOD);
}

/* Removal: stop the watchdog, fail everything, stop the device. */
void musa_reset_fini(struct musa_device *mdev)
{
	cancel_delayed_work_sync(&mdev->watchdog);
	mutex_lock(&mdev->reset_lock);
	atomic_set(&mdev->lost, 1);
	musa_reset_fail_all(mdev, MUSA_QUEUE_STATE_LOST);
	musa_hw_stop(mdev);
	mutex_unlock(&mdev->reset_lock);
	/* An unplug scheduled before @lost was set has finished after this. */
	flush_work(&mdev->lost_work);
}
