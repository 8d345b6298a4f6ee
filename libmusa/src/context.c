// SPDX-License-Identifier: MIT
/*
 * context.c: primary contexts. A context is one open file of the device node,
 * created on first use and torn down by musaDeviceReset, muDevicePrimaryCtxReset
 * or the last muDevicePrimaryCtxRelease (unless the runtime API uses it).
 *
 * Faults. A queue the device stopped (page fault, bad packet, ECC error), the
 * driver's watchdog stopped (hang) or a device reset lost makes the whole process's
 * use of the device fail: the first fault found is kept as the device's sticky
 * error, with words saying which queue, which packet and which address (for a
 * kernel: which kernel, what it did and where, from the status page's fault
 * fields), and every later call that needs the context returns it. Faults are found wherever the
 * library looks at a queue: in every wait, and on entry to every call (a read of
 * each queue's status page, no system call).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "musa_internal.h"

void musa_ctx_init(struct musa_ctx *ctx, struct musa_device *dev)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->dev = dev;
	ctx->fd = -1;
	pthread_mutex_init(&ctx->lock, NULL);
	pthread_mutex_init(&ctx->staging_lock, NULL);
	pthread_cond_init(&ctx->cb_cond, NULL);
	musa_list_init(&ctx->streams);
	musa_list_init(&ctx->events);
	pthread_mutex_init(&ctx->module_lock, NULL);
	musa_list_init(&ctx->modules);
}

/* The device's sticky error, or musaSuccess. */
musaError_t musa_sticky(struct musa_device *dev)
{
	return (musaError_t)__atomic_load_n(&dev->sticky, __ATOMIC_ACQUIRE);
}

enum musa_wait_mode musa_ctx_wait_mode(struct musa_ctx *ctx)
{
	switch (ctx->flags & MU_CTX_SCHED_MASK) {
	case MU_CTX_SCHED_SPIN:
		return MUSA_WAIT_SPIN;
	case MU_CTX_SCHED_YIELD:
		return MUSA_WAIT_YIELD;
	case MU_CTX_SCHED_BLOCKING_SYNC:
		return MUSA_WAIT_BLOCK;
	default:
		return MUSA_WAIT_AUTO;
	}
}

/* Opens the device for this context (ctx->lock held). */
static musaError_t musa_ctx_activate(struct musa_ctx *ctx)
{
	struct musa_device *dev = ctx->dev;
	uint64_t id;
	int ret;

	if (ctx->active)
		return musaSuccess;
	ctx->fd = open(dev->node, O_RDWR | O_CLOEXEC);
	if (ctx->fd < 0)
		return musa_fail(errno == EACCES ? musaErrorNotPermitted :
				 musaErrorInitializationError, "cannot open %s: %s", dev->node,
				 strerror(errno));
	/* Creates the file's GPU address space now rather than on the first object. */
	ret = musa_drm_get_param(ctx->fd, MUSA_PARAM_CONTEXT_ID, &id);
	if (ret) {
		close(ctx->fd);
		ctx->fd = -1;
		return musa_fail(ret == -EBUSY ? musaErrorDevicesUnavailable :
				 musaErrorInitializationError, "%s: no GPU address space for "
				 "this process: %s", dev->bdf, strerror(-ret));
	}
	ctx->legacy = (struct MUstream_st){ .ctx = ctx };
	musa_list_init(&ctx->legacy.link);
	ctx->next_stream_id = 1;
	ctx->active = true;
	musa_log(MUSA_LOG_INFO, "device %d: context opened (%s, address space %" PRIu64 ")",
		 dev->ordinal, dev->node, id);
	return musaSuccess;
}

musaError_t musa_ctx_use(struct musa_ctx *ctx)
{
	musaError_t err = musa_sticky(ctx->dev);

	if (err)
		return musa_fail(err, "%s", ctx->dev->sticky_detail);
	pthread_mutex_lock(&ctx->lock);
	err = musa_ctx_activate(ctx);
	pthread_mutex_unlock(&ctx->lock);
	return err ? err : musa_ctx_check(ctx);
}

/* Looks at every queue's status page for a stop nobody has noticed yet. */
musaError_t musa_ctx_check(struct musa_ctx *ctx)
{
	int n = __atomic_load_n(&ctx->nqueues, __ATOMIC_ACQUIRE);
	musaError_t err;

	for (int i = 0; i < n; i++) {
		if (!musa_queue_failed(ctx->queues[i]))
			continue;
		err = musa_ctx_fault(ctx, ctx->queues[i], -EIO);
		if (err)
			return err;
	}
	return musaSuccess;
}

/* The code a kernel's failure (S5000_KFAULT_*) reports, as CUDA would. */
static musaError_t musa_kernel_fault_code(uint32_t kind)
{
	switch (kind) {
	case S5000_KFAULT_ILLEGAL_INSTRUCTION:
	case S5000_KFAULT_BAD_MMA:
		return musaErrorIllegalInstruction;
	case S5000_KFAULT_MISALIGNED:
		return musaErrorMisalignedAddress;
	case S5000_KFAULT_TIMEOUT:
		return musaErrorLaunchTimeout;
	case S5000_KFAULT_TRAP:
		return musaErrorAssert;
	default:
		return musaErrorLaunchFailure;
	}
}

static musaError_t musa_fault_code(const struct drm_musa_queue_state *st,
				   const struct musa_queue *q)
{
	if (st->state == MUSA_QUEUE_STATE_HUNG)
		return musaErrorLaunchTimeout;
	if (st->state == MUSA_QUEUE_STATE_LOST)
		return musaErrorLaunchFailure;
	switch (st->error) {
	case S5000_ERR_PAGE_FAULT:
	case S5000_ERR_DMA:
		return musaErrorIllegalAddress;
	case S5000_ERR_ECC:
		return musaErrorECCUncorrectable;
	case S5000_ERR_WAIT_TIMEOUT:
		return musaErrorLaunchTimeout;
	case S5000_ERR_KERNEL_FAULT:
		return musa_kernel_fault_code(__atomic_load_n(&q->db->fault_kind,
							      __ATOMIC_RELAXED));
	default:
		return musaErrorLaunchFailure;
	}
}

static const char *musa_device_error_name(uint32_t error)
{
	static const char *const names[] = {
		[S5000_ERR_NONE] = "no error",
		[S5000_ERR_PAGE_FAULT] = "page fault",
		[S5000_ERR_BAD_PACKET] = "bad packet",
		[S5000_ERR_BAD_WPTR] = "bad write index",
		[S5000_ERR_WAIT_TIMEOUT] = "WAIT timed out",
		[S5000_ERR_UNSUPPORTED] = "packet not supported by this device",
		[S5000_ERR_DMA] = "system memory access failed",
		[S5000_ERR_ECC] = "uncorrectable ECC error",
		[S5000_ERR_BAD_CONTEXT] = "address space disabled",
		[S5000_ERR_KERNEL_FAULT] = "kernel failed",
	};

	return error < MUSA_ARRAY_SIZE(names) ? names[error] : "unknown device error";
}

/* What a faulting access did, as the device reports it. */
static const char *musa_access_name(uint32_t access)
{
	switch (access) {
	case S5000_ACCESS_READ:
		return "read";
	case S5000_ACCESS_WRITE:
		return "write";
	case S5000_ACCESS_EXEC:
		return "instruction fetch";
	default:
		return "access";
	}
}

/* How a kernel failed, in words, from the status page's fault fields. */
static void musa_kernel_fault_words(const struct s5000_doorbell *db, uint32_t error,
				    const struct s5000_pkt_kernel_launch *p, char *buf, size_t len)
{
	uint64_t addr = __atomic_load_n(&db->fault_addr, __ATOMIC_RELAXED);
	const char *access = musa_access_name(__atomic_load_n(&db->fault_access,
							      __ATOMIC_RELAXED));
	uint32_t kind = __atomic_load_n(&db->fault_kind, __ATOMIC_RELAXED);

	if (error == S5000_ERR_PAGE_FAULT) {
		snprintf(buf, len, "%s at GPU VA 0x%llx not mapped", access,
			 (unsigned long long)addr);
		return;
	}
	switch (kind) {
	case S5000_KFAULT_ILLEGAL_INSTRUCTION:
		snprintf(buf, len, "illegal instruction");
		break;
	case S5000_KFAULT_MISALIGNED:
		snprintf(buf, len, "misaligned %s at GPU VA 0x%llx", access,
			 (unsigned long long)addr);
		break;
	case S5000_KFAULT_STACK_OVERFLOW:
		snprintf(buf, len, "stack overflow: %s at 0x%llx, below the thread's stack",
			 access, (unsigned long long)addr);
		break;
	case S5000_KFAULT_SHARED_BOUNDS:
		snprintf(buf, len, "shared memory %s at offset 0x%llx, past the block's shared "
			 "memory (%u bytes dynamic)", access,
			 (unsigned long long)(addr - S5000_SHARED_BASE), p->shared_bytes);
		break;
	case S5000_KFAULT_BARRIER_DEADLOCK:
		snprintf(buf, len, "barrier deadlock: threads wait at a barrier the rest of their "
			 "block never reaches");
		break;
	case S5000_KFAULT_TIMEOUT:
		snprintf(buf, len, "ran longer than its %u ms limit (MUSA_KERNEL_TIMEOUT_MS)",
			 p->timeout_ms ? p->timeout_ms : S5000_KERNEL_TIMEOUT_MS);
		break;
	case S5000_KFAULT_TRAP:
		snprintf(buf, len, "device-side assert (trap code %llu)", (unsigned long long)addr);
		break;
	case S5000_KFAULT_BAD_LAUNCH:
		snprintf(buf, len, "the device refused the launch: its descriptor, dimensions or "
			 "resources are invalid");
		break;
	case S5000_KFAULT_BAD_MMA:
		snprintf(buf, len, "invalid MMA descriptor at GPU VA 0x%llx",
			 (unsigned long long)addr);
		break;
	case S5000_KFAULT_FETCH:
		snprintf(buf, len, "jumped outside its code to 0x%llx", (unsigned long long)addr);
		break;
	default:
		snprintf(buf, len, "failed (fault kind %u)", kind);
		break;
	}
}

/* "kernel NAME faulted: ... (pc 0x... = NAME+0x.. in FILE; ...)" for a launch packet. */
static void musa_kernel_fault_describe(struct musa_queue *q, const struct drm_musa_queue_state *st,
				       const struct s5000_pkt_kernel_launch *p, int stream,
				       char *buf, size_t len)
{
	uint64_t pc = __atomic_load_n(&q->db->fault_pc, __ATOMIC_RELAXED);
	char kernel[128], where[192], what[192];

	musa_module_describe(q->ctx, p->code, pc, kernel, sizeof(kernel), where, sizeof(where));
	musa_kernel_fault_words(q->db, st->error, p, what, sizeof(what));
	snprintf(buf, len, "kernel %.80s faulted: %.150s (pc 0x%llx%s%.100s; grid %ux%ux%u, "
		 "block %ux%ux%u, "
		 "queue %u, stream %d)", kernel, what, (unsigned long long)pc, *where ? " = " : "",
		 where, p->grid[0], p->grid[1], p->grid[2], p->block[0], p->block[1], p->block[2],
		 q->id, stream);
}

/* Words what stopped @q, from the driver's account and the packet in the ring. */
static void musa_fault_describe(struct musa_queue *q, const struct drm_musa_queue_state *st,
				char *buf, size_t len)
{
	const uint8_t *packet = q->ring + (st->rptr & (q->size - 1)) * S5000_PACKET_SIZE;
	int stream = q->slot_stream[st->rptr & (q->size - 1)];
	bool launch = S5000_PKT_TYPE(*(const uint32_t *)packet) == S5000_PKT_KERNEL_LAUNCH;
	char what[160];

	musa_packet_describe(packet, what, sizeof(what));
	if (st->state == MUSA_QUEUE_STATE_HUNG)
		snprintf(buf, len, "queue %u hung: no progress within the driver's hang timeout, "
			 "stopped at %s (stream %d)", q->id, what, stream);
	else if (st->state == MUSA_QUEUE_STATE_LOST)
		snprintf(buf, len, "queue %u was lost in a reset or removal of device %s, "
			 "at %s (stream %d)", q->id, q->ctx->dev->bdf, what, stream);
	else if (launch && (st->error == S5000_ERR_PAGE_FAULT ||
			    st->error == S5000_ERR_KERNEL_FAULT))
		musa_kernel_fault_describe(q, st, (const void *)packet, stream, buf, len);
	else if (st->error == S5000_ERR_PAGE_FAULT)
		snprintf(buf, len, "queue %u faulted: %s at GPU VA 0x%llx not mapped (%s, "
			 "stream %d)", q->id, musa_access_name(__atomic_load_n(
					 &q->db->fault_access, __ATOMIC_RELAXED)),
			 (unsigned long long)st->fault_va, what, stream);
	else if (st->fault_va)
		snprintf(buf, len, "queue %u faulted: %s at GPU VA 0x%llx (%s, stream %d)",
			 q->id, musa_device_error_name(st->error),
			 (unsigned long long)st->fault_va, what, stream);
	else
		snprintf(buf, len, "queue %u faulted: %s (%s, stream %d)", q->id,
			 musa_device_error_name(st->error), what, stream);
}

/*
 * @q looked stopped (or a wait on it returned @ioctl_ret): ask the driver, and if
 * it really failed make that the device's sticky error. Returns the sticky error,
 * or musaSuccess when the queue is fine after all.
 */
musaError_t musa_ctx_fault(struct musa_ctx *ctx, struct musa_queue *q, int ioctl_ret)
{
	struct musa_device *dev = ctx->dev;
	struct drm_musa_queue_state st;
	char detail[MUSA_DETAIL_LEN];
	int ret = musa_drm_queue_state(ctx->fd, q->id, &st);

	if (ret == -ENODEV || ioctl_ret == -ENODEV) {
		st.state = MUSA_QUEUE_STATE_LOST;
		st.rptr = __atomic_load_n(q->rptr, __ATOMIC_ACQUIRE);
	} else if (ret) {
		return musa_fail(musaErrorUnknown, "queue %u: the driver cannot say how it is: %s",
				 q->id, strerror(-ret));
	}
	if (st.state == MUSA_QUEUE_STATE_ACTIVE)
		return musaSuccess;
	musa_fault_describe(q, &st, detail, sizeof(detail));
	pthread_mutex_lock(&dev->sticky_lock);
	if (!dev->sticky) {
		snprintf(dev->sticky_detail, sizeof(dev->sticky_detail), "%s", detail);
		__atomic_store_n(&dev->sticky, musa_fault_code(&st, q), __ATOMIC_RELEASE);
		musa_log(MUSA_LOG_ERROR, "device %d: %s", dev->ordinal, detail);
	}
	pthread_mutex_unlock(&dev->sticky_lock);
	return musa_fail(musa_sticky(dev), "%s", dev->sticky_detail);
}

/* Waits for everything written into the context's queues so far. */
musaError_t musa_ctx_synchronize(struct musa_ctx *ctx)
{
	struct musa_dep deps[MUSA_MAX_QUEUES];
	musaError_t err = musaSuccess;
	int n;

	pthread_mutex_lock(&ctx->lock);
	n = ctx->nqueues;
	for (int i = 0; i < n; i++)
		deps[i] = (struct musa_dep){ ctx->queues[i], ctx->queues[i]->seq };
	pthread_mutex_unlock(&ctx->lock);
	for (int i = 0; i < n && !err; i++)
		err = musa_queue_wait(deps[i].q, deps[i].seq, musa_ctx_wait_mode(ctx));
	return err;
}

/* Frees everything of the context; without @ioctls (a forked child) only forgets. */
static void musa_ctx_release(struct musa_ctx *ctx, bool ioctls)
{
	musa_list_for_each(pos, &ctx->events)
		musa_event_free(musa_container_of(pos, struct MUevent_st, link));
	musa_list_for_each(pos, &ctx->streams)
		musa_stream_free(musa_container_of(pos, struct MUstream_st, link));
	musa_modules_free(ctx);
	musa_allocs_free(ctx, ioctls);
	musa_staging_free(ctx, ioctls);
	musa_slots_free(ctx, ioctls);
	for (int i = 0; i < ctx->nqueues; i++)
		musa_queue_destroy(ctx->queues[i], ioctls);
	__atomic_store_n(&ctx->nqueues, 0, __ATOMIC_RELEASE);
	if (ctx->fd >= 0)
		close(ctx->fd);
	ctx->fd = -1;
	ctx->active = false;
}

/* Destroys the context's resources; the next use opens it anew. */
void musa_ctx_teardown(struct musa_ctx *ctx)
{
	if (!ctx->active)
		return;
	musa_ctx_synchronize(ctx);
	musa_callbacks_stop(ctx);
	pthread_mutex_lock(&ctx->staging_lock);
	pthread_mutex_lock(&ctx->lock);
	musa_ctx_release(ctx, true);
	pthread_mutex_unlock(&ctx->lock);
	pthread_mutex_unlock(&ctx->staging_lock);
	musa_log(MUSA_LOG_INFO, "device %d: context destroyed", ctx->dev->ordinal);
}

/* In a forked child: the parent's context is not ours; forget it. */
void musa_ctx_forget(struct musa_ctx *ctx)
{
	struct musa_callback *cb;

	/* Held across the fork by the parent's handler; the child is alone now. */
	pthread_mutex_init(&ctx->module_lock, NULL);
	if (ctx->active) {
		int fd = ctx->fd;

		ctx->fd = -1;
		musa_ctx_release(ctx, false);
		close(fd);
	}
	while ((cb = ctx->cb_head)) {
		ctx->cb_head = cb->next;
		free(cb);
	}
	free(ctx->allocs);
	musa_ctx_init(ctx, ctx->dev);
}

/* ------------------------------------------------------------- handles */

static struct musa_ctx *musa_ctx_from_handle(MUcontext handle)
{
	for (int i = 0; i < musa_device_count(); i++)
		if ((void *)&musa_device_get(i)->ctx == (void *)handle)
			return &musa_device_get(i)->ctx;
	return NULL;
}

/* ------------------------------------------------------ the runtime API */

MUSA_EXPORT musaError_t musaSetDevice(int device)
{
	struct musa_device *dev;
	musaError_t err = musa_device_lookup(device, &dev);

	if (!err) {
		musa_tls.device = device;
		musa_tls.current = &dev->ctx;
		err = musa_rt_enter(&(struct musa_ctx *){ NULL });
	}
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaGetDevice(int *device)
{
	musaError_t err = musa_init();

	if (!err && !device)
		err = musa_fail(musaErrorInvalidValue, "musaGetDevice: device is NULL");
	if (!err)
		*device = musa_tls.current ? musa_tls.current->dev->ordinal : musa_tls.device;
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaDeviceSynchronize(void)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_ctx_synchronize(ctx);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaDeviceReset(void)
{
	musaError_t err = musa_init();
	struct musa_device *dev;

	if (!err) {
		dev = musa_tls.current ? musa_tls.current->dev : musa_device_get(musa_tls.device);
		musa_ctx_teardown(&dev->ctx);
		dev->ctx.runtime_used = false;
		err = musa_sticky(dev);
		if (err)
			musa_fail(err, "%s", dev->sticky_detail);
	}
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaSetDeviceFlags(unsigned int flags)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && (flags & ~(unsigned int)musaDeviceMask))
		err = musa_fail(musaErrorInvalidValue, "musaSetDeviceFlags: unknown flags 0x%x",
				flags & ~(unsigned int)musaDeviceMask);
	if (!err && (flags & musaDeviceScheduleMask) &&
	    __builtin_popcount(flags & musaDeviceScheduleMask) > 1)
		err = musa_fail(musaErrorInvalidValue, "musaSetDeviceFlags: more than one "
				"musaDeviceSchedule* flag in 0x%x", flags);
	if (!err)
		ctx->flags = flags;
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaGetDeviceFlags(unsigned int *flags)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && !flags)
		err = musa_fail(musaErrorInvalidValue, "musaGetDeviceFlags: flags is NULL");
	if (!err)
		*flags = ctx->flags | musaDeviceMapHost;
	return musa_rt_return(err, __func__);
}

/* ------------------------------------------------------- the driver API */

MUSA_EXPORT MUresult muDevicePrimaryCtxRetain(MUcontext *pctx, MUdevice dev)
{
	musaError_t err = musa_drv_init_check();
	struct musa_device *d;

	if (!err)
		err = musa_device_lookup(dev, &d);
	if (!err && !pctx)
		err = musa_fail(musaErrorInvalidValue, "muDevicePrimaryCtxRetain: pctx is NULL");
	if (!err)
		err = musa_ctx_use(&d->ctx);
	if (!err) {
		pthread_mutex_lock(&d->ctx.lock);
		d->ctx.retained++;
		pthread_mutex_unlock(&d->ctx.lock);
		*pctx = (MUcontext)&d->ctx;
	}
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muDevicePrimaryCtxRelease(MUdevice dev)
{
	musaError_t err = musa_drv_init_check();
	struct musa_device *d;
	bool last = false;

	if (!err)
		err = musa_device_lookup(dev, &d);
	if (!err) {
		pthread_mutex_lock(&d->ctx.lock);
		if (d->ctx.retained <= 0)
			err = musa_fail(musaErrorDeviceUninitialized, "muDevicePrimaryCtxRelease: "
					"device %d's primary context is not retained", dev);
		else
			last = --d->ctx.retained == 0;
		pthread_mutex_unlock(&d->ctx.lock);
	}
	/* The runtime API keeps using it until musaDeviceReset. */
	if (last && !d->ctx.runtime_used)
		musa_ctx_teardown(&d->ctx);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muDevicePrimaryCtxReset(MUdevice dev)
{
	musaError_t err = musa_drv_init_check();
	struct musa_device *d;

	if (!err)
		err = musa_device_lookup(dev, &d);
	if (!err)
		musa_ctx_teardown(&d->ctx);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muDevicePrimaryCtxGetState(MUdevice dev, unsigned int *flags, int *active)
{
	musaError_t err = musa_drv_init_check();
	struct musa_device *d;

	if (!err)
		err = musa_device_lookup(dev, &d);
	if (!err && (!flags || !active))
		err = musa_fail(musaErrorInvalidValue, "muDevicePrimaryCtxGetState: NULL argument");
	if (!err) {
		*flags = d->ctx.flags;
		*active = d->ctx.active;
	}
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muDevicePrimaryCtxSetFlags(MUdevice dev, unsigned int flags)
{
	musaError_t err = musa_drv_init_check();
	struct musa_device *d;

	if (!err)
		err = musa_device_lookup(dev, &d);
	if (!err && (flags & ~(unsigned int)MU_CTX_FLAGS_MASK))
		err = musa_fail(musaErrorInvalidValue, "muDevicePrimaryCtxSetFlags: unknown flags "
				"0x%x", flags & ~(unsigned int)MU_CTX_FLAGS_MASK);
	if (!err)
		d->ctx.flags = flags;
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muCtxSetCurrent(MUcontext handle)
{
	musaError_t err = musa_drv_init_check();
	struct musa_ctx *ctx = NULL;

	if (!err && handle) {
		ctx = musa_ctx_from_handle(handle);
		if (!ctx)
			err = musa_fail(musaErrorDeviceUninitialized, "muCtxSetCurrent: %p is not a "
					"context", (void *)handle);
	}
	if (!err) {
		musa_tls.current = ctx;
		if (ctx)
			musa_tls.device = ctx->dev->ordinal;
	}
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muCtxGetCurrent(MUcontext *pctx)
{
	musaError_t err = musa_drv_init_check();

	if (!err && !pctx)
		err = musa_fail(musaErrorInvalidValue, "muCtxGetCurrent: pctx is NULL");
	if (!err)
		*pctx = (MUcontext)musa_tls.current;
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muCtxGetDevice(MUdevice *device)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err && !device)
		err = musa_fail(musaErrorInvalidValue, "muCtxGetDevice: device is NULL");
	if (!err)
		*device = ctx->dev->ordinal;
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muCtxSynchronize(void)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_ctx_synchronize(ctx);
	return musa_drv_return(err, __func__);
}
