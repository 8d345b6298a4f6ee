// SPDX-License-Identifier: GPL-2.0
/*
 * MUSA_IOCTL_SUBMIT: the kernel-mediated path, for interop with the rest of DRM.
 * Each file that uses it gets a kernel ring in its own context, fed by a
 * drm_sched entity, so submissions wait for syncobj fences and produce a
 * dma_fence that syncobjs (binary or timeline) can carry to other devices.
 */
#include <drm/drm_drv.h>
#include <drm/drm_syncobj.h>
#include <linux/dma-fence-chain.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "musa_drv.h"
#include "musa_file.h"
#include "musa_queue.h"
#include "musa_ring.h"
#include "musa_submit.h"
#include "musa_vm.h"

/* 1024 packets: room for several of the largest submissions. */
#define MUSA_SUBMIT_RING_ORDER	10
#define MUSA_SUBMIT_JOB_SLOTS	(MUSA_SUBMIT_MAX_PACKETS + 1)

/**
 * struct musa_submitq - a file's kernel queue
 * @ring: the ring, in the file's context at MUSA_VA_KERNEL
 * @sched: its scheduler
 * @entity: the file's entity on @sched
 * @jobs: jobs not freed yet
 */
struct musa_submitq {
	struct musa_ring *ring;
	struct drm_gpu_scheduler sched;
	struct drm_sched_entity entity;
	atomic_t jobs;
};

/**
 * struct musa_job - one MUSA_IOCTL_SUBMIT
 * @base: the scheduler's job
 * @sq: the queue it runs on
 * @count: packets
 * @packets: @count packets, copied from user space
 */
struct musa_job {
	struct drm_sched_job base;
	struct musa_submitq *sq;
	u32 count;
	u8 packets[][S5000_PACKET_SIZE];
};

static struct musa_job *to_musa_job(struct drm_sched_job *job)
{
	return container_of(job, struct musa_job, base);
}

static struct dma_fence *musa_job_run(struct drm_sched_job *sched_job)
{
	struct musa_job *job = to_musa_job(sched_job);

	if (sched_job->s_fence->finished.error)
		return ERR_PTR(sched_job->s_fence->finished.error);
	return musa_ring_submit(job->sq->ring, job->packets, job->count);
}

/* Hangs are the watchdog's business (musa_reset.c); the scheduler never times out. */
static enum drm_gpu_sched_stat musa_job_timedout(struct drm_sched_job *sched_job)
{
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static void musa_job_free(struct drm_sched_job *sched_job)
{
	struct musa_submitq *sq = to_musa_job(sched_job)->sq;

	drm_sched_job_cleanup(sched_job);
	kvfree(to_musa_job(sched_job));
	if (atomic_dec_and_test(&sq->jobs))
		wake_up_var(&sq->jobs);
}

static const struct drm_sched_backend_ops musa_sched_ops = {
	.run_job = musa_job_run,
	.timedout_job = musa_job_timedout,
	.free_job = musa_job_free,
};

static struct musa_submitq *musa_submitq_create(struct musa_device *mdev, struct musa_vm *vm)
{
	struct drm_gpu_scheduler *sched;
	struct musa_submitq *sq;
	u32 slots = 1u << MUSA_SUBMIT_RING_ORDER;
	int ret;

	sq = kzalloc(sizeof(*sq), GFP_KERNEL);
	if (!sq)
		return ERR_PTR(-ENOMEM);
	sq->ring = musa_ring_create(mdev, vm, MUSA_VA_KERNEL, MUSA_SUBMIT_RING_ORDER,
				    "musa-submit");
	if (IS_ERR(sq->ring)) {
		ret = PTR_ERR(sq->ring);
		goto err_free;
	}
	ret = musa_sched_init(&sq->sched, &musa_sched_ops,
			      musa_sched_limit(slots - 1, MUSA_SUBMIT_JOB_SLOTS),
			      MAX_SCHEDULE_TIMEOUT, "musa-submit", mdev->drm.dev);
	if (ret)
		goto err_ring;
	sched = &sq->sched;
	ret = drm_sched_entity_init(&sq->entity, DRM_SCHED_PRIORITY_NORMAL, &sched, 1, NULL);
	if (ret)
		goto err_sched;
	return sq;

err_sched:
	drm_sched_fini(&sq->sched);
err_ring:
	musa_ring_destroy(sq->ring);
err_free:
	kfree(sq);
	return ERR_PTR(ret);
}

/*
 * Waits (briefly) for queued jobs, stops the ring and fails what is left, then
 * lets the scheduler free every job and stop before the ring goes: its thread
 * may still be inside musa_ring_submit(). A job that would have to wait for ring
 * space fails instead: the entity cannot go while one runs.
 */
void musa_submitq_destroy(struct musa_submitq *sq)
{
	musa_ring_close(sq->ring);
	drm_sched_entity_destroy(&sq->entity);
	musa_ring_stop(sq->ring);
	wait_var_event_timeout(&sq->jobs, !atomic_read(&sq->jobs), HZ);
	drm_sched_fini(&sq->sched);
	musa_ring_destroy(sq->ring);
	kfree(sq);
}

struct musa_queue *musa_submitq_queue(struct musa_submitq *sq)
{
	return sq->ring->queue;
}

static struct musa_submitq *musa_file_submitq(struct musa_file *mfile, struct musa_vm *vm)
{
	struct musa_submitq *sq;

	mutex_lock(&mfile->lock);
	sq = mfile->submitq;
	if (!sq) {
		sq = musa_submitq_create(mfile->mdev, vm);
		if (!IS_ERR(sq))
			mfile->submitq = sq;
	}
	mutex_unlock(&mfile->lock);
	return sq;
}

/* The destination of a packet that writes memory, which must not reach the driver's. */
static int musa_submit_check_packet(const void *packet)
{
	u32 header = *(const u32 *)packet;
	u64 dst, size = sizeof(u64);

	switch (S5000_PKT_TYPE(header)) {
	case S5000_PKT_NOP:
	case S5000_PKT_WAIT:
	case S5000_PKT_BARRIER:
	case S5000_PKT_KERNEL_LAUNCH:
		return 0;
	case S5000_PKT_COPY:
		dst = ((const struct s5000_pkt_copy *)packet)->dst;
		size = ((const struct s5000_pkt_copy *)packet)->size;
		break;
	case S5000_PKT_FILL:
		dst = ((const struct s5000_pkt_fill *)packet)->dst;
		size = ((const struct s5000_pkt_fill *)packet)->size;
		break;
	case S5000_PKT_SIGNAL:
		dst = ((const struct s5000_pkt_signal *)packet)->addr;
		break;
	case S5000_PKT_TIMESTAMP:
		dst = ((const struct s5000_pkt_timestamp *)packet)->addr;
		break;
	default:
		return -EINVAL;
	}
	return dst >= MUSA_VA_KERNEL || size > MUSA_VA_KERNEL - dst ? -EINVAL : 0;
}

static struct musa_job *musa_job_create(struct musa_submitq *sq, struct drm_musa_submit *args)
{
	struct musa_job *job;
	u32 i;
	int ret;

	job = kvzalloc(struct_size(job, packets, args->num_packets), GFP_KERNEL);
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->sq = sq;
	job->count = args->num_packets;
	ret = -EFAULT;
	if (copy_from_user(job->packets, u64_to_user_ptr(args->packets),
			   args->num_packets * S5000_PACKET_SIZE))
		goto err_free;
	for (i = 0; i < job->count; i++) {
		ret = musa_submit_check_packet(job->packets[i]);
		if (ret)
			goto err_free;
	}
	ret = musa_sched_job_init(&job->base, &sq->entity, job->count + 1, sq);
	if (ret)
		goto err_free;
	atomic_inc(&sq->jobs);
	return job;

err_free:
	kvfree(job);
	return ERR_PTR(ret);
}

static int musa_job_add_deps(struct musa_job *job, struct drm_file *file,
			     struct drm_musa_submit *args)
{
	struct drm_musa_sync __user *syncs = u64_to_user_ptr(args->in_syncs);
	struct drm_musa_sync sync;
	struct dma_fence *fence;
	u32 i;
	int ret;

	for (i = 0; i < args->num_in_syncs; i++) {
		if (copy_from_user(&sync, &syncs[i], sizeof(sync)))
			return -EFAULT;
		if (sync.flags)
			return -EINVAL;
		ret = drm_syncobj_find_fence(file, sync.handle, sync.point, 0, &fence);
		if (ret)
			return ret;
		ret = drm_sched_job_add_dependency(&job->base, fence);
		if (ret)
			return ret;
	}
	return 0;
}

/* What will carry the job's fence: looked up before the job is armed. */
struct musa_out_sync {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

static int musa_out_sync_get(struct drm_file *file, struct drm_musa_submit *args,
			     struct musa_out_sync *out)
{
	memset(out, 0, sizeof(*out));
	if (!args->out_sync)
		return 0;
	out->syncobj = drm_syncobj_find(file, args->out_sync);
	if (!out->syncobj)
		return -ENOENT;
	out->point = args->out_point;
	if (out->point) {
		out->chain = dma_fence_chain_alloc();
		if (!out->chain) {
			drm_syncobj_put(out->syncobj);
			return -ENOMEM;
		}
	}
	return 0;
}

static void musa_out_sync_put(struct musa_out_sync *out, struct dma_fence *fence)
{
	if (!out->syncobj)
		return;
	if (fence && out->chain)
		drm_syncobj_add_point(out->syncobj, out->chain, fence, out->point);
	else if (fence)
		drm_syncobj_replace_fence(out->syncobj, fence);
	else
		dma_fence_chain_free(out->chain);
	drm_syncobj_put(out->syncobj);
}

static int musa_submit_check(struct drm_musa_submit *args)
{
	if (args->flags || args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (!args->num_packets || args->num_packets > MUSA_SUBMIT_MAX_PACKETS)
		return -EINVAL;
	if (args->num_in_syncs > MUSA_SUBMIT_MAX_SYNCS)
		return -EINVAL;
	if (!args->out_sync && args->out_point)
		return -EINVAL;
	return 0;
}

static int musa_submit(struct drm_file *file, struct musa_submitq *sq,
		       struct drm_musa_submit *args)
{
	struct musa_out_sync out;
	struct dma_fence *fence;
	struct musa_job *job;
	int ret;

	job = musa_job_create(sq, args);
	if (IS_ERR(job))
		return PTR_ERR(job);
	ret = musa_job_add_deps(job, file, args);
	if (!ret)
		ret = musa_out_sync_get(file, args, &out);
	if (ret) {
		musa_job_free(&job->base);
		return ret;
	}
	drm_sched_job_arm(&job->base);
	fence = dma_fence_get(&job->base.s_fence->finished);
	args->seqno = fence->seqno;
	drm_sched_entity_push_job(&job->base);
	musa_out_sync_put(&out, fence);
	dma_fence_put(fence);
	return 0;
}

int musa_submit_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct musa_device *mdev = to_musa_device(drm);
	struct musa_file *mfile = file->driver_priv;
	struct drm_musa_submit *args = data;
	struct musa_submitq *sq;
	struct musa_vm *vm;
	int ret, idx;

	ret = musa_submit_check(args);
	if (ret)
		return ret;
	ret = musa_dev_enter(mdev, &idx);
	if (ret)
		return ret;
	vm = musa_file_vm(mfile);
	if (IS_ERR(vm)) {
		ret = PTR_ERR(vm);
		goto out_exit;
	}
	ret = -EIO;
	if (atomic_read(&vm->failed))
		goto out_exit;
	sq = musa_file_submitq(mfile, vm);
	ret = IS_ERR(sq) ? PTR_ERR(sq) : musa_submit(file, sq, args);
out_exit:
	drm_dev_exit(idx);
	return ret;
}
