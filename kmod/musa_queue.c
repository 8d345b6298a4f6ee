// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware queues. User-mode queues run rings that live in their owner's objects;
 * the owner submits by writing packets and the write index in the doorbell page,
 * without system calls. The driver validates and pins the ring and read-index
 * mappings, programs the queue, and hands out the doorbell as a GEM object.
 */
#include <drm/drm_drv.h>
#include <linux/iopoll.h>
#include <linux/xarray.h>

#include "musa_drv.h"
#include "musa_file.h"
#include "musa_gem.h"
#include "musa_queue.h"
#include "musa_ring.h"
#include "musa_vm.h"

/* How long a queue may take to stop after QUEUE_RESET. */
#define MUSA_QUEUE_STOP_US	200000

static u32 musa_queue_reg(struct musa_queue *q, u32 reg)
{
	return S5000_REG_QUEUE(q->hwid, reg);
}

/* Resets the queue and waits until the device has let go of it. */
int musa_queue_stop(struct musa_queue *q)
{
	struct musa_device *mdev = q->mdev;
	u32 status;
	int ret;

	musa_wr32(mdev, musa_queue_reg(q, S5000_QUEUE_CONTROL), S5000_QUEUE_RESET);
	ret = read_poll_timeout(musa_rd32, status, status == S5000_QSTATE_DISABLED, 20,
				MUSA_QUEUE_STOP_US, false, mdev,
				musa_queue_reg(q, S5000_QUEUE_STATUS));
	if (ret && !musa_hw_alive(mdev))
		return -ENODEV;
	return ret;
}

/* Programs the queue from a clean state and enables it at read index 0. */
int musa_queue_start(struct musa_queue *q)
{
	struct musa_device *mdev = q->mdev;
	struct s5000_doorbell __iomem *db = musa_doorbell(mdev, q->hwid);
	int ret;

	ret = musa_queue_stop(q);
	if (ret)
		return ret;
	writeq(0, &db->wptr);
	musa_wr64(mdev, musa_queue_reg(q, S5000_QUEUE_RING_BASE), q->config.ring_va);
	musa_wr64(mdev, musa_queue_reg(q, S5000_QUEUE_RPTR_ADDR), q->config.rptr_va);
	musa_wr64(mdev, musa_queue_reg(q, S5000_QUEUE_RPTR_INIT), 0);
	musa_wr32(mdev, musa_queue_reg(q, S5000_QUEUE_RING_ORDER), q->config.order);
	musa_wr32(mdev, musa_queue_reg(q, S5000_QUEUE_CONTEXT), q->vm->ctx);
	musa_wr32(mdev, musa_queue_reg(q, S5000_QUEUE_VECTOR), q->vector->index);
	musa_wr32(mdev, musa_queue_reg(q, S5000_QUEUE_PRIORITY), q->config.priority);
	musa_wr32(mdev, musa_queue_reg(q, S5000_QUEUE_CONTROL), S5000_QUEUE_ENABLE);
	q->seen_rptr = 0;
	q->progress = jiffies;
	return 0;
}

u64 musa_queue_rptr(struct musa_queue *q)
{
	return readq(&musa_doorbell(q->mdev, q->hwid)->rptr);
}

u64 musa_queue_wptr(struct musa_queue *q)
{
	return readq(&musa_doorbell(q->mdev, q->hwid)->wptr);
}

/* The submission protocol of uapi/s5000.h, for the kernel's rings. */
void musa_queue_kick(struct musa_queue *q, u64 wptr)
{
	struct s5000_doorbell __iomem *db = musa_doorbell(q->mdev, q->hwid);

	writeq(wptr, &db->wptr);
	/* The write index before cp_sleeping: the device does the converse. */
	mb();
	if (readl(&db->cp_sleeping))
		musa_wr32(q->mdev, S5000_REG_KICK, q->hwid);
}

static void musa_queue_release(struct kref *ref)
{
	kfree(container_of(ref, struct musa_queue, ref));
}

void musa_queue_put(struct musa_queue *q)
{
	kref_put(&q->ref, musa_queue_release);
}

/* Marks the queue stopped (the first reason sticks) and wakes whoever waits on it. */
static void musa_queue_mark(struct musa_queue *q, int state, u32 error, u64 fault_va)
{
	struct musa_device *mdev = q->mdev;
	unsigned long flags;
	bool first;

	spin_lock_irqsave(&mdev->queue_lock, flags);
	first = !musa_queue_failed(q);
	if (first) {
		q->error = error;
		q->fault_va = fault_va;
		atomic_set(&q->state, state);
	}
	spin_unlock_irqrestore(&mdev->queue_lock, flags);
	if (first && q->ring)
		musa_ring_fail(q->ring, state == MUSA_QUEUE_STATE_LOST ? -ENODEV : -EIO);
	wake_up_all(&q->vector->wq);
}

/*
 * The device, the hang timeout or a reset stopped the queue: its context too,
 * first, so that whoever the queue's failure wakes finds the context refusing work.
 */
void musa_queue_fail(struct musa_queue *q, int state, u32 error, u64 fault_va)
{
	musa_vm_fail(q->vm, state);
	musa_queue_mark(q, state, error, fault_va);
}

/* A reference to the queue behind a hardware id, or NULL. */
struct musa_queue *musa_queue_get_hw(struct musa_device *mdev, u32 hwid)
{
	struct musa_queue *q = NULL;
	unsigned long flags;

	spin_lock_irqsave(&mdev->queue_lock, flags);
	if (hwid < S5000_MAX_QUEUES && mdev->hwq[hwid]) {
		q = mdev->hwq[hwid];
		kref_get(&q->ref);
	}
	spin_unlock_irqrestore(&mdev->queue_lock, flags);
	return q;
}

static void musa_queue_publish(struct musa_queue *q, struct musa_queue *entry)
{
	struct musa_device *mdev = q->mdev;
	unsigned long flags;

	spin_lock_irqsave(&mdev->queue_lock, flags);
	mdev->hwq[q->hwid] = entry;
	spin_unlock_irqrestore(&mdev->queue_lock, flags);
}

/*
 * Takes a free hardware queue and starts it running config in vm. The caller is
 * inside drm_dev_enter().
 */
struct musa_queue *musa_queue_create_hw(struct musa_device *mdev, struct musa_vm *vm,
					const struct musa_queue_config *config)
{
	struct musa_queue *q;
	int ret;

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return ERR_PTR(-ENOMEM);
	kref_init(&q->ref);
	q->mdev = mdev;
	q->vm = vm;
	q->config = *config;
	q->pid = task_tgid_nr(current);
	q->sampled = ktime_get();

	ret = ida_alloc_max(&mdev->queue_ida, mdev->num_queues - 1, GFP_KERNEL);
	if (ret < 0) {
		kfree(q);
		return ERR_PTR(ret == -ENOSPC ? -EBUSY : ret);
	}
	q->hwid = ret;
	q->vector = musa_queue_vector(mdev, q->hwid);

	/* Removal sets @lost under reset_lock: no queue starts after it. */
	mutex_lock(&mdev->reset_lock);
	musa_queue_publish(q, q);
	ret = atomic_read(&mdev->lost) ? -ENODEV : musa_queue_start(q);
	if (ret)
		musa_queue_publish(q, NULL);
	mutex_unlock(&mdev->reset_lock);
	if (ret) {
		ida_free(&mdev->queue_ida, q->hwid);
		kfree(q);
		return ERR_PTR(ret);
	}
	return q;
}

/*
 * Stops the queue for good and frees its hardware id; the caller still holds its
 * reference. A queue that will not stop may still write memory: reset the device.
 */
void musa_queue_destroy_hw(struct musa_queue *q)
{
	struct musa_device *mdev = q->mdev;
	int ret = 0, idx;

	mutex_lock(&mdev->reset_lock);
	if (drm_dev_enter(&mdev->drm, &idx)) {
		ret = musa_queue_stop(q);
		drm_dev_exit(idx);
	}
	musa_queue_publish(q, NULL);
	mutex_unlock(&mdev->reset_lock);
	if (ret == -ETIMEDOUT) {
		drm_err(&mdev->drm, "queue %u did not stop: resetting the device\n", q->hwid);
		musa_reset_device(mdev);
	}
	musa_queue_mark(q, MUSA_QUEUE_STATE_LOST, 0, 0);
	ida_free(&mdev->queue_ida, q->hwid);
}

static void musa_queue_destroy_user(struct musa_file *mfile, struct musa_queue *q)
{
	musa_queue_destroy_hw(q);
	musa_bo_revoke(q->doorbell);
	drm_gem_object_put(&q->doorbell->base);
	musa_vm_unpin(q->ring_map);
	musa_vm_unpin(q->rptr_map);
	mfile->busy_ns += q->busy_ns;
	musa_queue_put(q);
}

void musa_file_destroy_queues(struct musa_file *mfile)
{
	struct musa_queue *q;
	unsigned long id;

	xa_for_each(&mfile->queues, id, q) {
		xa_erase(&mfile->queues, id);
		musa_queue_destroy_user(mfile, q);
	}
}

struct musa_queue *musa_queue_get_by_id(struct musa_file *mfile, u32 id)
{
	struct musa_queue *q;

	xa_lock(&mfile->queues);
	q = xa_load(&mfile->queues, id);
	if (q)
		kref_get(&q->ref);
	xa_unlock(&mfile->queues);
	return q;
}

static int musa_queue_create_check(struct drm_musa_queue_create *args)
{
	if (args->flags || args->pad || args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (args->ring_order < 4 || args->ring_order > 20)
		return -EINVAL;
	if (args->priority > S5000_QUEUE_PRIORITY_MAX)
		return -EINVAL;
	if (!IS_ALIGNED(args->ring_va, S5000_PACKET_SIZE) || !IS_ALIGNED(args->rptr_va, 8))
		return -EINVAL;
	return 0;
}

/* Pins the ring and read-index mappings the queue will use. */
static int musa_queue_pin(struct musa_queue *q, struct musa_vm *vm)
{
	u64 ring_bytes = (u64)S5000_PACKET_SIZE << q->config.order;

	q->ring_map = musa_vm_pin(vm, q->config.ring_va, ring_bytes, false);
	if (!q->ring_map)
		return -EINVAL;
	q->rptr_map = musa_vm_pin(vm, q->config.rptr_va, sizeof(u64), true);
	if (!q->rptr_map) {
		musa_vm_unpin(q->ring_map);
		return -EINVAL;
	}
	return 0;
}

static int musa_queue_create_user(struct drm_file *file, struct musa_vm *vm,
				  struct drm_musa_queue_create *args)
{
	struct musa_file *mfile = file->driver_priv;
	struct musa_queue_config config = {
		.ring_va = args->ring_va, .rptr_va = args->rptr_va,
		.order = args->ring_order, .priority = args->priority,
	};
	struct musa_queue *q;
	u32 handle;
	int ret;

	q = musa_queue_create_hw(mfile->mdev, vm, &config);
	if (IS_ERR(q))
		return PTR_ERR(q);
	q->owner = mfile;
	ret = musa_queue_pin(q, vm);
	if (ret)
		goto err_destroy;
	q->doorbell = musa_bo_create_doorbell(mfile->mdev, q->hwid);
	if (IS_ERR(q->doorbell)) {
		ret = PTR_ERR(q->doorbell);
		goto err_unpin;
	}
	ret = drm_gem_handle_create(file, &q->doorbell->base, &handle);
	if (ret)
		goto err_put_doorbell;
	ret = xa_alloc(&mfile->queues, &q->id, q, XA_LIMIT(1, U32_MAX), GFP_KERNEL);
	if (ret) {
		drm_gem_handle_delete(file, handle);
		goto err_put_doorbell;
	}
	args->queue_id = q->id;
	args->doorbell_handle = handle;
	return 0;

err_put_doorbell:
	musa_bo_revoke(q->doorbell);
	drm_gem_object_put(&q->doorbell->base);
err_unpin:
	musa_vm_unpin(q->ring_map);
	musa_vm_unpin(q->rptr_map);
err_destroy:
	musa_queue_destroy_hw(q);
	musa_queue_put(q);
	return ret;
}

int musa_queue_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct musa_device *mdev = to_musa_device(drm);
	struct drm_musa_queue_create *args = data;
	struct musa_vm *vm;
	int ret, idx;

	ret = musa_queue_create_check(args);
	if (ret)
		return ret;
	ret = musa_dev_enter(mdev, &idx);
	if (ret)
		return ret;
	vm = musa_file_vm(file->driver_priv);
	if (IS_ERR(vm))
		ret = PTR_ERR(vm);
	else if (atomic_read(&vm->failed))
		ret = -EIO;
	else
		ret = musa_queue_create_user(file, vm, args);
	drm_dev_exit(idx);
	return ret;
}

int musa_queue_destroy_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct musa_file *mfile = file->driver_priv;
	struct drm_musa_queue_destroy *args = data;
	struct musa_queue *q;

	if (args->pad)
		return -EINVAL;
	q = xa_erase(&mfile->queues, args->queue_id);
	if (!q)
		return -ENOENT;
	musa_queue_destroy_user(mfile, q);
	return 0;
}

int musa_queue_state_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct musa_device *mdev = to_musa_device(drm);
	struct drm_musa_queue_state *args = data;
	struct musa_queue *q;
	unsigned long flags;
	int ret, idx;

	if (args->pad || args->reserved)
		return -EINVAL;
	q = musa_queue_get_by_id(file->driver_priv, args->queue_id);
	if (!q)
		return -ENOENT;
	ret = musa_dev_enter(mdev, &idx);
	if (!ret) {
		args->rptr = musa_queue_rptr(q);
		drm_dev_exit(idx);
		spin_lock_irqsave(&mdev->queue_lock, flags);
		args->state = atomic_read(&q->state);
		args->error = q->error;
		args->fault_va = q->fault_va;
		spin_unlock_irqrestore(&mdev->queue_lock, flags);
	}
	musa_queue_put(q);
	return ret;
}
