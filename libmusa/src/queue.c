// SPDX-License-Identifier: MIT
/*
 * queue.c: user-mode queues. The ring, the device's read-index write-back and the
 * fence word live in one system-memory object of the context; the doorbell/status
 * and kick pages are mapped from the object the driver returns. Submitting is
 * stores into memory (packet body, header last with release, write index) and a
 * kick only when the command processor sleeps (uapi/s5000.md).
 *
 * Every batch of work ends with a SIGNAL writing the queue's next sequence number
 * into the fence word, with an interrupt so that a sleeping waiter wakes; waiting
 * is "fence >= seq": spin briefly, then sleep in MUSA_IOCTL_WAIT.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "musa_internal.h"

#define MUSA_FENCE_OFFSET	64	/* after the read index, on a line of its own */
#define MUSA_SPIN_NS		20000	/* how long MUSA_WAIT_AUTO spins */
#define MUSA_SLEEP_SLICE_NS	1000000000ll

static inline void musa_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Creates a queue at device priority @priority (ctx->lock held). */
musaError_t musa_queue_create(struct musa_ctx *ctx, int priority, struct musa_queue **out)
{
	uint64_t ring_bytes = (uint64_t)S5000_PACKET_SIZE << MUSA_RING_ORDER;
	struct musa_bo doorbell = { 0 };
	struct musa_queue *q;
	musaError_t err;
	int ret;

	if (ctx->nqueues == MUSA_MAX_QUEUES)
		return musa_fail(musaErrorDevicesUnavailable, "this context has %d queues already",
				 MUSA_MAX_QUEUES);
	q = calloc(1, sizeof(*q));
	if (q)
		q->slot_stream = calloc(1u << MUSA_RING_ORDER, sizeof(*q->slot_stream));
	if (!q || !q->slot_stream) {
		free(q);
		return musa_fail(musaErrorMemoryAllocation, "no host memory for a queue");
	}
	q->ctx = ctx;
	q->priority = priority;
	q->size = 1u << MUSA_RING_ORDER;
	err = musa_bo_new_mapped(ctx, ring_bytes + MUSA_PAGE_SIZE, &q->bo);
	if (err)
		goto err_free;
	q->ring = q->bo.cpu;
	q->rptr = (volatile uint64_t *)(q->ring + ring_bytes);
	q->rptr_va = q->bo.va + ring_bytes;
	q->fence = (volatile uint64_t *)(q->ring + ring_bytes + MUSA_FENCE_OFFSET);
	q->fence_va = q->bo.va + ring_bytes + MUSA_FENCE_OFFSET;
	ret = musa_drm_queue_create(ctx->fd, q->bo.va, q->rptr_va, MUSA_RING_ORDER, priority,
				    &q->id, &q->doorbell_handle);
	if (ret) {
		err = musa_fail(ret == -EBUSY ? musaErrorDevicesUnavailable :
				musa_errno_error(ret, musaErrorUnknown),
				"cannot create a queue on %s: %s", ctx->dev->bdf,
				ret == -EBUSY ? "every hardware queue is in use" : strerror(-ret));
		goto err_bo;
	}
	doorbell.handle = q->doorbell_handle;
	ret = musa_drm_bo_map(ctx->fd, &doorbell);
	if (ret) {
		err = musa_fail(musaErrorUnknown, "cannot map queue %u's doorbell: %s", q->id,
				strerror(-ret));
		goto err_queue;
	}
	q->db = doorbell.cpu;
	q->kick = (volatile uint32_t *)((uint8_t *)doorbell.cpu + S5000_PAGE_SIZE);
	ctx->queues[ctx->nqueues] = q;
	__atomic_store_n(&ctx->nqueues, ctx->nqueues + 1, __ATOMIC_RELEASE);
	musa_log(MUSA_LOG_INFO, "device %d: queue %u created (priority %d, %u packets)",
		 ctx->dev->ordinal, q->id, priority, q->size);
	*out = q;
	return musaSuccess;

err_queue:
	musa_drm_queue_destroy(ctx->fd, q->id);
	musa_drm_gem_close(ctx->fd, q->doorbell_handle);
err_bo:
	musa_drm_bo_free(ctx->fd, &q->bo);
err_free:
	free(q->slot_stream);
	free(q);
	return err;
}

/* Destroys the queue; without @ioctls (a forked child) only forgets it. */
void musa_queue_destroy(struct musa_queue *q, bool ioctls)
{
	int fd = ioctls ? q->ctx->fd : -1;

	if (ioctls) {
		munmap(q->db, 2 * S5000_PAGE_SIZE);
		musa_drm_queue_destroy(fd, q->id);
		musa_drm_gem_close(fd, q->doorbell_handle);
	}
	musa_kernarg_free(q, ioctls);
	musa_drm_bo_free(fd, &q->bo);
	free(q->slot_stream);
	free(q);
}

bool musa_queue_done(struct musa_queue *q, uint64_t seq)
{
	return __atomic_load_n(q->fence, __ATOMIC_ACQUIRE) >= seq;
}

/* The status page says the queue stopped (or was reset): ask the driver. */
bool musa_queue_failed(struct musa_queue *q)
{
	uint32_t state = __atomic_load_n(&q->db->state, __ATOMIC_ACQUIRE);

	return state == S5000_QSTATE_ERROR || state == S5000_QSTATE_DISABLED;
}

static uint64_t musa_queue_room(struct musa_queue *q)
{
	return q->size - (q->wptr - __atomic_load_n(q->rptr, __ATOMIC_ACQUIRE));
}

/* Waits until @packets slots are free (ctx->lock held: only the device can free them). */
musaError_t musa_queue_reserve(struct musa_queue *q, uint32_t packets)
{
	musaError_t err;
	int ret;

	while (musa_queue_room(q) < packets) {
		if (musa_queue_failed(q)) {
			err = musa_ctx_fault(q->ctx, q, -EIO);
			if (err)
				return err;
		}
		ret = musa_drm_wait(q->ctx->fd, q->id, q->rptr_va, q->wptr + packets - q->size,
				    MUSA_WAIT_GE, (int64_t)(musa_now_ns() + 10000000));
		if (ret && ret != -ETIME && ret != -EIO)
			return musa_fail(musaErrorUnknown, "waiting for room in queue %u: %s",
					 q->id, strerror(-ret));
	}
	return musaSuccess;
}

/* Writes one packet, header last (room reserved, ctx->lock held). */
void musa_queue_emit(struct musa_queue *q, const void *packet, int stream_id)
{
	uint32_t index = q->wptr & (q->size - 1);
	uint8_t *slot = q->ring + (size_t)index * S5000_PACKET_SIZE;
	uint32_t header;
	char what[160];

	memcpy(slot + 4, (const uint8_t *)packet + 4, S5000_PACKET_SIZE - 4);
	memcpy(&header, packet, sizeof(header));
	__atomic_store_n((uint32_t *)slot, header, __ATOMIC_RELEASE);
	q->slot_stream[index] = stream_id;
	if (musa_config.log_packets) {
		musa_packet_describe(packet, what, sizeof(what));
		musa_log_packet("queue %u #%" PRIu64 " stream %d: %s", q->id, q->wptr, stream_id,
				what);
	}
	q->wptr++;
}

/* Writes a SIGNAL of the next sequence number into the fence word; returns it. */
uint64_t musa_queue_fence(struct musa_queue *q, int stream_id)
{
	struct s5000_pkt_signal sig = {
		.header = S5000_PKT_HEADER(S5000_PKT_SIGNAL, S5000_SIGNAL_WRITE,
					   S5000_PKT_INTERRUPT),
		.addr = q->fence_va,
		.value = ++q->seq,
	};

	musa_queue_emit(q, &sig, stream_id);
	return q->seq;
}

/* Wakes the command processor only if it sleeps. */
void musa_queue_commit(struct musa_queue *q)
{
	__atomic_store_n(&q->db->wptr, q->wptr, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->db->cp_sleeping, __ATOMIC_ACQUIRE))
		*q->kick = 1;
}

/* After the CPU wrote a value the queue is parked on: have it looked at now. */
void musa_queue_kick(struct musa_queue *q)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*q->kick = 1;
}

static musaError_t musa_queue_check(struct musa_queue *q, uint64_t seq, bool *done)
{
	musaError_t err;

	*done = musa_queue_done(q, seq);
	if (*done || !musa_queue_failed(q))
		return musaSuccess;
	err = musa_ctx_fault(q->ctx, q, -EIO);
	*done = !err && musa_queue_done(q, seq);
	return err;
}

/* Spins per @mode; true when the fence got there (or an error was found). */
static bool musa_queue_spin(struct musa_queue *q, uint64_t seq, enum musa_wait_mode mode,
			    musaError_t *err)
{
	uint64_t start = musa_now_ns();
	bool done = false;

	if (mode == MUSA_WAIT_BLOCK)
		return false;
	for (unsigned int i = 1;; i++) {
		*err = musa_queue_check(q, seq, &done);
		if (done || *err)
			return true;
		if (mode == MUSA_WAIT_YIELD)
			sched_yield();
		else
			musa_cpu_relax();
		if (mode == MUSA_WAIT_AUTO && !(i % 32) && musa_now_ns() - start > MUSA_SPIN_NS)
			return false;
	}
}

/* Waits until @q's fence reaches @seq; the device's sticky error if it failed. */
musaError_t musa_queue_wait(struct musa_queue *q, uint64_t seq, enum musa_wait_mode mode)
{
	musaError_t err = musaSuccess;
	bool done;
	int ret;

	if (musa_queue_done(q, seq))
		return musaSuccess;
	if (musa_queue_spin(q, seq, mode, &err))
		return err;
	for (;;) {
		ret = musa_drm_wait(q->ctx->fd, q->id, q->fence_va, seq, MUSA_WAIT_GE,
				    (int64_t)musa_now_ns() + MUSA_SLEEP_SLICE_NS);
		if (!ret || musa_queue_done(q, seq))
			return musaSuccess;
		if (ret == -EIO || ret == -ENODEV) {
			err = musa_ctx_fault(q->ctx, q, ret);
			if (err)
				return err;
		} else if (ret != -ETIME) {
			return musa_fail(musaErrorUnknown, "waiting on queue %u: %s", q->id,
					 strerror(-ret));
		}
		err = musa_queue_check(q, seq, &done);
		if (done || err)
			return err;
		/*
		 * Another queue of the context may have failed: this one can then be
		 * parked for ever on a WAIT for that queue's signal.
		 */
		err = musa_ctx_check(q->ctx);
		if (err)
			return err;
	}
}

/* One line for the log and for fault reports. */
void musa_packet_describe(const void *packet, char *buf, size_t len)
{
	static const char *const conds[] = { "==", "!=", ">=", ">", "<=", "<" };
	const union {
		uint32_t header;
		struct s5000_pkt_copy copy;
		struct s5000_pkt_fill fill;
		struct s5000_pkt_signal signal;
		struct s5000_pkt_wait wait;
		struct s5000_pkt_barrier barrier;
		struct s5000_pkt_timestamp ts;
		struct s5000_pkt_kernel_launch launch;
	} *p = packet;
	uint32_t arg = S5000_PKT_ARG(p->header);
	int n;

	switch (S5000_PKT_TYPE(p->header)) {
	case S5000_PKT_NOP:
		snprintf(buf, len, "NOP");
		break;
	case S5000_PKT_COPY:
		snprintf(buf, len, "COPY 0x%llx -> 0x%llx, %llu bytes",
			 (unsigned long long)p->copy.src, (unsigned long long)p->copy.dst,
			 (unsigned long long)p->copy.size);
		break;
	case S5000_PKT_FILL:
		snprintf(buf, len, "FILL 0x%llx, %llu bytes of 0x%llx (%u-byte pattern)",
			 (unsigned long long)p->fill.dst, (unsigned long long)p->fill.size,
			 (unsigned long long)p->fill.pattern, arg);
		break;
	case S5000_PKT_SIGNAL:
		snprintf(buf, len, "SIGNAL 0x%llx %s %llu", (unsigned long long)p->signal.addr,
			 arg == S5000_SIGNAL_ADD ? "+=" : "=", (unsigned long long)p->signal.value);
		break;
	case S5000_PKT_WAIT:
		snprintf(buf, len, "WAIT 0x%llx %s %llu", (unsigned long long)p->wait.addr,
			 arg < MUSA_ARRAY_SIZE(conds) ? conds[arg] : "?",
			 (unsigned long long)p->wait.value);
		break;
	case S5000_PKT_BARRIER:
		n = snprintf(buf, len, "BARRIER");
		for (uint32_t i = 0; i < arg && i < S5000_BARRIER_MAX; i++)
			if (n > 0 && (size_t)n < len)
				n += snprintf(buf + n, len - n, " 0x%llx >= %llu",
					      (unsigned long long)p->barrier.signal[i].addr,
					      (unsigned long long)p->barrier.signal[i].value);
		break;
	case S5000_PKT_TIMESTAMP:
		snprintf(buf, len, "TIMESTAMP -> 0x%llx", (unsigned long long)p->ts.addr);
		break;
	case S5000_PKT_KERNEL_LAUNCH:
		snprintf(buf, len, "KERNEL_LAUNCH code 0x%llx grid %ux%ux%u block %ux%ux%u",
			 (unsigned long long)p->launch.code, p->launch.grid[0], p->launch.grid[1],
			 p->launch.grid[2], p->launch.block[0], p->launch.block[1],
			 p->launch.block[2]);
		break;
	default:
		snprintf(buf, len, "packet of type %u", S5000_PKT_TYPE(p->header));
		break;
	}
}
