// SPDX-License-Identifier: GPL-2.0
/*
 * MUSA_IOCTL_WAIT: sleep until a 64-bit value in memory meets a condition. The
 * value is read by the CPU where the object lives (system pages, user pages or the
 * aperture); the sleep is woken by the completion vector of the queue that will
 * change it, and ends early when that queue fails or the device goes.
 */
#include <drm/drm_drv.h>
#include <drm/drm_utils.h>

#include "musa_drv.h"
#include "musa_file.h"
#include "musa_gem.h"
#include "musa_queue.h"
#include "musa_vm.h"

/**
 * struct musa_waiter - one MUSA_IOCTL_WAIT in progress
 * @mdev: the device
 * @args: what is waited for
 * @q: the queue that will change the value
 * @bo: the object holding the value
 * @ptr: where the CPU reads it
 */
struct musa_waiter {
	struct musa_device *mdev;
	const struct drm_musa_wait *args;
	struct musa_queue *q;
	struct musa_bo *bo;
	struct musa_cpu_ptr ptr;
};

static bool musa_wait_met(const struct drm_musa_wait *args, u64 val)
{
	val &= args->mask ? args->mask : ~0ull;
	switch (args->cond) {
	case MUSA_WAIT_GE:
		return val >= args->value;
	case MUSA_WAIT_EQ:
		return val == args->value;
	default:
		return val != args->value;
	}
}

/* 1 when the condition holds, 0 to keep waiting, or the error that ends the wait. */
static int musa_wait_check(struct musa_waiter *w)
{
	bool met;
	int idx;

	if (musa_dev_enter(w->mdev, &idx))
		return -ENODEV;
	met = musa_wait_met(w->args, musa_cpu_ptr_read(w->mdev, &w->ptr));
	drm_dev_exit(idx);
	if (met)
		return 1;
	return musa_queue_failed(w->q) ? -EIO : 0;
}

/*
 * Finds the object holding addr and where the CPU reads it. The mapping may go
 * while we sleep, but the reference keeps the object's pages (or VRAM) in place.
 */
static int musa_wait_resolve(struct musa_waiter *w, u64 addr)
{
	struct musa_vm *vm = w->q->vm;
	struct musa_mapping *m;
	u64 offset = 0;
	int ret;

	mutex_lock(&vm->lock);
	m = musa_vm_lookup(vm, addr, sizeof(u64));
	if (m) {
		w->bo = m->bo;
		offset = addr - m->node.start;
		drm_gem_object_get(&w->bo->base);
	}
	mutex_unlock(&vm->lock);
	if (!w->bo)
		return -EFAULT;
	ret = musa_bo_cpu_ptr(w->bo, offset, &w->ptr);
	if (ret)
		drm_gem_object_put(&w->bo->base);
	return ret;
}

static int musa_wait_check_args(const struct drm_musa_wait *args)
{
	if (args->reserved || args->cond > MUSA_WAIT_NE)
		return -EINVAL;
	if (!IS_ALIGNED(args->addr, sizeof(u64)))
		return -EINVAL;
	return 0;
}

int musa_wait_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct musa_file *mfile = file->driver_priv;
	struct drm_musa_wait *args = data;
	struct musa_waiter w = { .mdev = to_musa_device(drm), .args = args };
	long timeout;
	int ret;

	ret = musa_wait_check_args(args);
	if (ret)
		return ret;
	w.q = musa_queue_get_by_id(mfile, args->queue_id);
	if (!w.q)
		return -ENOENT;
	ret = musa_wait_resolve(&w, args->addr);
	if (ret)
		goto out_put_queue;

	timeout = drm_timeout_abs_to_jiffies(args->timeout_ns);
	timeout = wait_event_interruptible_timeout(w.q->vector->wq,
						   (ret = musa_wait_check(&w)) != 0, timeout);
	if (timeout == 0 && !ret)
		ret = -ETIME;
	else if (timeout < 0)
		ret = timeout;
	else if (ret > 0)
		ret = 0;

	drm_gem_object_put(&w.bo->base);
out_put_queue:
	musa_queue_put(w.q);
	return ret;
}
