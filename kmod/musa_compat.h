/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels musa.ko builds for, as probed by conftest.sh.
 * Every MUSA_HAVE_* test lives here; the rest of the driver calls these wrappers.
 */
#ifndef MUSA_COMPAT_H
#define MUSA_COMPAT_H

#include <drm/drm_buddy.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/gpu_scheduler.h>
#include <linux/mm.h>

#include "musa_conftest.h"

#ifdef MUSA_HAVE_DRM_ACCEL
#include <drm/drm_accel.h>
#define MUSA_NODE_FEATURE	DRIVER_COMPUTE_ACCEL
#define MUSA_NODE_OPEN		accel_open
#else
#define MUSA_NODE_FEATURE	DRIVER_RENDER
#define MUSA_NODE_OPEN		drm_open
#endif

#ifdef FOP_UNSIGNED_OFFSET
#define MUSA_NODE_FOP_FLAGS	.fop_flags = FOP_UNSIGNED_OFFSET,
#else
#define MUSA_NODE_FOP_FLAGS
#endif

/*
 * DRM_ACCEL_FOPS or DRM_GEM_FOPS, with the driver's own ioctl entry points: they
 * refuse what the DRM core would let through and should not (musa_drv.c).
 */
#define MUSA_NODE_FOPS(ioctl, compat)		\
	.open = MUSA_NODE_OPEN,			\
	.release = drm_release,			\
	.unlocked_ioctl = ioctl,		\
	.compat_ioctl = compat,			\
	.poll = drm_poll,			\
	.read = drm_read,			\
	.llseek = noop_llseek,			\
	.mmap = drm_gem_mmap,			\
	MUSA_NODE_FOP_FLAGS

static inline void musa_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef MUSA_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void musa_vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef MUSA_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

static inline void musa_buddy_free_list(struct drm_buddy *mm, struct list_head *blocks)
{
#ifdef MUSA_HAVE_BUDDY_FREE_LIST_FLAGS
	drm_buddy_free_list(mm, blocks, 0);
#else
	drm_buddy_free_list(mm, blocks);
#endif
}

/*
 * The scheduler counts credits per job where the kernel supports it, jobs
 * otherwise: a job of n packets uses n + 1 ring slots (its fence packet).
 */
static inline u32 musa_sched_limit(u32 slots, u32 max_job_slots)
{
#ifdef MUSA_HAVE_SCHED_JOB_INIT_CREDITS
	return slots;
#else
	return slots / max_job_slots;
#endif
}

static inline int musa_sched_job_init(struct drm_sched_job *job, struct drm_sched_entity *entity,
				      u32 credits, void *owner)
{
#ifdef MUSA_HAVE_SCHED_JOB_INIT_CREDITS
	return drm_sched_job_init(job, entity, credits, owner);
#else
	return drm_sched_job_init(job, entity, owner);
#endif
}

static inline int musa_sched_init(struct drm_gpu_scheduler *sched,
				  const struct drm_sched_backend_ops *ops, u32 limit,
				  long timeout, const char *name, struct device *dev)
{
#if defined(MUSA_HAVE_SCHED_INIT_ARGS)
	const struct drm_sched_init_args args = {
		.ops = ops,
#ifdef MUSA_HAVE_SCHED_INIT_ARGS_NUM_RQS
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
#endif
		.credit_limit = limit,
		.timeout = timeout,
		.name = name,
		.dev = dev,
	};

	return drm_sched_init(sched, &args);
#elif defined(MUSA_HAVE_SCHED_INIT_SUBMIT_WQ)
	return drm_sched_init(sched, ops, NULL, DRM_SCHED_PRIORITY_COUNT, limit, 0, timeout,
			      NULL, NULL, name, dev);
#else
	return drm_sched_init(sched, ops, limit, 0, timeout, NULL, NULL, name, dev);
#endif
}

/* The fdinfo drm-client-id of a new file: the DRM core's, or one of ours. */
static inline u64 musa_client_id(struct drm_file *file, atomic64_t *next)
{
#ifdef MUSA_HAVE_DRM_FILE_CLIENT_ID
	return file->client_id;
#else
	return atomic64_inc_return(next);
#endif
}

/* Where the device's debugfs files go. */
static inline struct dentry *musa_debugfs_root(struct drm_device *drm)
{
#ifdef MUSA_HAVE_DRM_DEVICE_DEBUGFS_ROOT
	return drm->debugfs_root;
#else
	return drm->primary ? drm->primary->debugfs_root : drm->render->debugfs_root;
#endif
}

/*
 * fdinfo: where the DRM core prints the common keys (drm-driver, drm-client-id)
 * and calls drm_driver.show_fdinfo, the file operation is drm_show_fdinfo;
 * elsewhere musa_fdinfo_show() prints them itself.
 */
#ifdef MUSA_HAVE_DRM_SHOW_FDINFO
#define MUSA_FOPS_SHOW_FDINFO	drm_show_fdinfo
#define MUSA_SHOW_FDINFO_DRIVER_OPS \
	.show_fdinfo = musa_file_show_fdinfo,
#else
void musa_fdinfo_show(struct seq_file *m, struct file *f);
#define MUSA_FOPS_SHOW_FDINFO	musa_fdinfo_show
#define MUSA_SHOW_FDINFO_DRIVER_OPS
#endif

/* Before 6.6 PRIME ioctls fail with -ENOSYS unless the driver names the helpers. */
#ifdef MUSA_HAVE_DRIVER_GEM_PRIME_MMAP
#define MUSA_PRIME_DRIVER_OPS \
	.prime_handle_to_fd = drm_gem_prime_handle_to_fd, \
	.prime_fd_to_handle = drm_gem_prime_fd_to_handle, \
	.gem_prime_mmap = drm_gem_prime_mmap,
#else
#define MUSA_PRIME_DRIVER_OPS
#endif

#endif /* MUSA_COMPAT_H */
