// SPDX-License-Identifier: MIT
/*
 * stream.c: streams over the queue pool, batches of packets, and host functions.
 *
 * A stream takes a queue on its first work: at its priority level, an idle one (no
 * streams, nothing pending), or a new one while the level has fewer than
 * MUSA_DEVICE_MAX_CONNECTIONS, else the one with the fewest streams (two streams on
 * one queue are ordered by it: a false dependency, never a missing one). When the
 * device has no hardware queue left the stream shares any queue the context has.
 *
 * Legacy default stream (stream 0): a batch in it first waits (BARRIER on fences)
 * for the last batch of blocking streams on every other queue; a batch in a
 * blocking stream first waits for the last legacy batch. musaStreamNonBlocking
 * streams do neither.
 *
 * Host functions: the stream's queue signals a fence when everything before the
 * function is done, then parks on a WAIT for a gate slot. A library thread per
 * context waits for the fence, calls the function, writes the gate and kicks the
 * queue. Functions run one at a time, in the order they were enqueued.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "musa_internal.h"

#define MUSA_BATCH_MAX_PACKETS	8	/* besides barriers */

static bool musa_stream_blocking(const struct MUstream_st *s)
{
	return s != &s->ctx->legacy && !(s->flags & musaStreamNonBlocking);
}

/* A queue no stream uses and with nothing pending: as good as a new one. */
static bool musa_queue_idle(struct musa_queue *q)
{
	return !q->nstreams && musa_queue_done(q, q->seq);
}

/* Gives @s a queue (ctx->lock held). */
static musaError_t musa_stream_bind(struct MUstream_st *s)
{
	struct musa_ctx *ctx = s->ctx;
	int level = -s->priority, at_level = 0;
	struct musa_queue *best = NULL, *q;
	musaError_t err;

	for (int i = 0; i < ctx->nqueues; i++) {
		q = ctx->queues[i];
		if (q->priority != level)
			continue;
		at_level++;
		if (!best || musa_queue_idle(q) || (!musa_queue_idle(best) &&
						    q->nstreams < best->nstreams))
			best = q;
	}
	if (!best || (!musa_queue_idle(best) && at_level < musa_config.max_connections)) {
		err = musa_queue_create(ctx, level, &q);
		if (!err) {
			best = q;
		} else if (err != musaErrorDevicesUnavailable || !ctx->nqueues) {
			return err;
		} else if (!best) {
			best = ctx->queues[0];
			for (int i = 1; i < ctx->nqueues; i++)
				if (ctx->queues[i]->nstreams < best->nstreams)
					best = ctx->queues[i];
			musa_log(MUSA_LOG_WARN, "no hardware queue left: stream %d shares queue %u",
				 s->id, best->id);
		}
	}
	s->q = best;
	best->nstreams++;
	return musaSuccess;
}

static void musa_add_dep(struct musa_dep *deps, int *n, struct musa_queue *q, uint64_t seq,
			 const struct MUstream_st *s)
{
	if (!q || q == s->q || !seq || musa_queue_done(q, seq))
		return;
	for (int i = 0; i < *n; i++) {
		if (deps[i].q != q)
			continue;
		if (deps[i].seq < seq)
			deps[i].seq = seq;
		return;
	}
	deps[(*n)++] = (struct musa_dep){ q, seq };
}

/* What a batch in @s must wait for before it runs, besides its queue's order. */
static int musa_batch_deps(struct MUstream_st *s, const struct musa_dep *extra, int nextra,
			   struct musa_dep *deps)
{
	struct musa_ctx *ctx = s->ctx;
	struct MUstream_st *legacy = &ctx->legacy;
	int n = 0;

	for (int i = 0; i < nextra; i++)
		musa_add_dep(deps, &n, extra[i].q, extra[i].seq, s);
	if (s == legacy) {
		for (int i = 0; i < ctx->nqueues; i++)
			musa_add_dep(deps, &n, ctx->queues[i], ctx->queues[i]->blocking_seq, s);
	} else if (musa_stream_blocking(s) && legacy->last_seq > s->legacy_seen) {
		musa_add_dep(deps, &n, legacy->q, legacy->last_seq, s);
		s->legacy_seen = legacy->last_seq;
	}
	return n;
}

/*
 * Starts writing packets into @s's queue, after BARRIERs for what the stream must
 * wait for (@extra and the default-stream rules). Holds ctx->lock until
 * musa_batch_end().
 */
musaError_t musa_batch_begin(struct musa_batch *b, struct MUstream_st *s,
			     const struct musa_dep *extra, int nextra)
{
	struct musa_dep deps[MUSA_MAX_QUEUES + 4];
	struct musa_ctx *ctx = s->ctx;
	musaError_t err = musaSuccess;
	int n;

	pthread_mutex_lock(&ctx->lock);
	if (!s->q)
		err = musa_stream_bind(s);
	if (!err) {
		n = musa_batch_deps(s, extra, nextra, deps);
		err = musa_queue_reserve(s->q, n / S5000_BARRIER_MAX + 1 + MUSA_BATCH_MAX_PACKETS);
	}
	if (err) {
		pthread_mutex_unlock(&ctx->lock);
		return err;
	}
	b->s = s;
	b->q = s->q;
	for (int i = 0; i < n; i += S5000_BARRIER_MAX) {
		struct s5000_pkt_barrier bar = { 0 };
		int k = n - i < S5000_BARRIER_MAX ? n - i : S5000_BARRIER_MAX;

		bar.header = S5000_PKT_HEADER(S5000_PKT_BARRIER, k, 0);
		for (int j = 0; j < k; j++) {
			bar.signal[j].addr = deps[i + j].q->fence_va;
			bar.signal[j].value = deps[i + j].seq;
		}
		musa_queue_emit(b->q, &bar, s->id);
	}
	return musaSuccess;
}

void musa_batch_emit(struct musa_batch *b, const void *packet)
{
	musa_queue_emit(b->q, packet, b->s->id);
}

/* A fence in the middle of a batch: the device has done everything before it. */
uint64_t musa_batch_fence(struct musa_batch *b)
{
	return musa_queue_fence(b->q, b->s->id);
}

/* Ends the batch with its fence and hands it to the device; ctx->lock stays held. */
void musa_batch_close(struct musa_batch *b)
{
	b->seq = musa_queue_fence(b->q, b->s->id);
	b->s->last_seq = b->seq;
	if (musa_stream_blocking(b->s))
		b->q->blocking_seq = b->seq;
	musa_queue_commit(b->q);
}

/* Drops ctx->lock; with MUSA_LAUNCH_BLOCKING waits for the batch. */
musaError_t musa_batch_unlock(struct musa_batch *b)
{
	struct musa_ctx *ctx = b->s->ctx;

	pthread_mutex_unlock(&ctx->lock);
	if (!musa_config.launch_blocking)
		return musaSuccess;
	return musa_queue_wait(b->q, b->seq, musa_ctx_wait_mode(ctx));
}

musaError_t musa_batch_end(struct musa_batch *b)
{
	musa_batch_close(b);
	return musa_batch_unlock(b);
}

/* --------------------------------------------------------------- streams */

static bool musa_stream_listed(struct musa_ctx *ctx, struct MUstream_st *s)
{
	musa_list_for_each(pos, &ctx->streams)
		if (pos == &s->link)
			return true;
	return false;
}

musaError_t musa_stream_create(struct musa_ctx *ctx, unsigned int flags, int priority,
			       struct MUstream_st **out)
{
	struct MUstream_st *s = calloc(1, sizeof(*s));

	if (!s)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for a stream");
	s->ctx = ctx;
	s->flags = flags;
	if (priority > 0)
		priority = 0;
	if (priority < -S5000_QUEUE_PRIORITY_MAX)
		priority = -S5000_QUEUE_PRIORITY_MAX;
	s->priority = priority;
	pthread_mutex_lock(&ctx->lock);
	s->id = ctx->next_stream_id++;
	musa_list_add(&ctx->streams, &s->link);
	pthread_mutex_unlock(&ctx->lock);
	*out = s;
	return musaSuccess;
}

/* Forgets the stream; its work already written completes by itself (ctx->lock held). */
void musa_stream_free(struct MUstream_st *s)
{
	if (s->q)
		s->q->nstreams--;
	musa_list_del(&s->link);
	free(s);
}

/* The calling thread's default stream on @ctx's device, created on first use. */
static musaError_t musa_stream_per_thread(struct musa_ctx *ctx, struct MUstream_st **s)
{
	int ordinal = ctx->dev->ordinal;
	struct MUstream_st *mine = musa_tls.per_thread[ordinal];
	bool listed;
	musaError_t err;

	pthread_mutex_lock(&ctx->lock);
	listed = mine && musa_stream_listed(ctx, mine);
	pthread_mutex_unlock(&ctx->lock);
	if (!listed) {
		err = musa_stream_create(ctx, musaStreamDefault, 0, &mine);
		if (err)
			return err;
		mine->per_thread = true;
		musa_tls.per_thread[ordinal] = mine;
	}
	*s = mine;
	return musaSuccess;
}

/*
 * The stream behind a handle: 0 and musaStreamLegacy are @ctx's legacy stream,
 * musaStreamPerThread the thread's own; others must be live streams of some
 * device, whose context is then checked as the current one was.
 */
musaError_t musa_stream_resolve(struct musa_ctx *ctx, musaStream_t handle,
				struct MUstream_st **s)
{
	struct musa_ctx *owner;
	bool found;

	if (!handle || handle == musaStreamLegacy) {
		*s = &ctx->legacy;
		return musaSuccess;
	}
	if (handle == musaStreamPerThread)
		return musa_stream_per_thread(ctx, s);
	for (int i = 0; i < musa_device_count(); i++) {
		owner = &musa_device_get(i)->ctx;
		pthread_mutex_lock(&owner->lock);
		found = owner->active && musa_stream_listed(owner, handle);
		pthread_mutex_unlock(&owner->lock);
		if (found) {
			*s = handle;
			return owner == ctx ? musaSuccess : musa_ctx_use(owner);
		}
	}
	return musa_fail(musaErrorInvalidResourceHandle, "stream %p is not a live stream",
			 (void *)handle);
}

/* What waiting for @s means: its last batch, and for stream 0 what that waits for. */
static int musa_stream_targets(struct MUstream_st *s, struct musa_dep *deps)
{
	struct musa_ctx *ctx = s->ctx;
	int n = 0;

	pthread_mutex_lock(&ctx->lock);
	if (s->q && s->last_seq)
		deps[n++] = (struct musa_dep){ s->q, s->last_seq };
	if (s == &ctx->legacy)
		for (int i = 0; i < ctx->nqueues; i++)
			if (ctx->queues[i]->blocking_seq)
				deps[n++] = (struct musa_dep){ ctx->queues[i],
							       ctx->queues[i]->blocking_seq };
	pthread_mutex_unlock(&ctx->lock);
	return n;
}

musaError_t musa_stream_synchronize(struct MUstream_st *s)
{
	struct musa_dep deps[MUSA_MAX_QUEUES + 1];
	int n = musa_stream_targets(s, deps);
	musaError_t err = musaSuccess;

	for (int i = 0; i < n && !err; i++)
		err = musa_queue_wait(deps[i].q, deps[i].seq, musa_ctx_wait_mode(s->ctx));
	return err;
}

static musaError_t musa_stream_query(struct MUstream_st *s)
{
	struct musa_dep deps[MUSA_MAX_QUEUES + 1];
	int n = musa_stream_targets(s, deps);
	musaError_t err = musa_ctx_check(s->ctx);

	for (int i = 0; i < n && !err; i++)
		if (!musa_queue_done(deps[i].q, deps[i].seq))
			return musaErrorNotReady;
	return err;
}

/* Thread exit: its per-thread default streams go (their work still completes). */
void musa_thread_exit_streams(struct musa_thread *t)
{
	for (int i = 0; i < musa_device_count(); i++) {
		struct musa_ctx *ctx = &musa_device_get(i)->ctx;
		struct MUstream_st *s = t->per_thread[i];

		if (!s)
			continue;
		pthread_mutex_lock(&ctx->lock);
		if (musa_stream_listed(ctx, s))
			musa_stream_free(s);
		pthread_mutex_unlock(&ctx->lock);
		t->per_thread[i] = NULL;
	}
}

/* -------------------------------------------------------- host functions */

static void *musa_callback_thread(void *arg)
{
	struct musa_ctx *ctx = arg;
	struct musa_callback *cb;
	musaError_t err;

	pthread_mutex_lock(&ctx->lock);
	for (;;) {
		while (!ctx->cb_head && !ctx->cb_stop)
			pthread_cond_wait(&ctx->cb_cond, &ctx->lock);
		cb = ctx->cb_head;
		if (!cb)
			break;
		ctx->cb_head = cb->next;
		if (!ctx->cb_head)
			ctx->cb_tail = &ctx->cb_head;
		pthread_mutex_unlock(&ctx->lock);

		err = musa_queue_wait(cb->q, cb->ready_seq, MUSA_WAIT_AUTO);
		if (cb->stream_cb)
			cb->stream_cb(cb->stream, err, cb->data);
		else if (!err)
			cb->fn(cb->data);
		__atomic_store_n(cb->gate.cpu, 1, __ATOMIC_RELEASE);
		musa_queue_kick(cb->q);

		pthread_mutex_lock(&ctx->lock);
		musa_slot_release(ctx, cb->gate, cb->q, cb->done_seq);
		free(cb);
	}
	pthread_mutex_unlock(&ctx->lock);
	return NULL;
}

/* Queues @cb for the library thread, starting it if needed (ctx->lock held). */
static musaError_t musa_callback_enqueue(struct musa_ctx *ctx, struct musa_callback *cb)
{
	if (!ctx->cb_running) {
		ctx->cb_head = NULL;
		ctx->cb_tail = &ctx->cb_head;
		if (pthread_create(&ctx->cb_thread, NULL, musa_callback_thread, ctx))
			return musa_fail(musaErrorOperatingSystem, "cannot start the host "
					 "function thread");
		ctx->cb_running = true;
	}
	*ctx->cb_tail = cb;
	ctx->cb_tail = &cb->next;
	pthread_cond_signal(&ctx->cb_cond);
	return musaSuccess;
}

musaError_t musa_host_func(struct MUstream_st *s, musaHostFn_t fn, musaStreamCallback_t stream_cb,
			   musaStream_t handle, void *data)
{
	struct musa_callback *cb = calloc(1, sizeof(*cb));
	struct s5000_pkt_wait wait = {
		.header = S5000_PKT_HEADER(S5000_PKT_WAIT, S5000_WAIT_GE, 0),
		.value = 1,
		.mask = ~0ull,
	};
	struct musa_batch b;
	musaError_t err, unlock_err;

	if (!cb)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for a host function");
	*cb = (struct musa_callback){ .fn = fn, .stream_cb = stream_cb, .stream = handle,
				      .data = data };
	err = musa_batch_begin(&b, s, NULL, 0);
	if (err) {
		free(cb);
		return err;
	}
	err = musa_slot_alloc(s->ctx, &cb->gate);
	if (err) {
		free(cb);
		musa_batch_close(&b);
		musa_batch_unlock(&b);
		return err;
	}
	cb->q = b.q;
	cb->ready_seq = musa_batch_fence(&b);
	wait.addr = cb->gate.va;
	musa_batch_emit(&b, &wait);
	musa_batch_close(&b);
	cb->done_seq = b.seq;
	err = musa_callback_enqueue(s->ctx, cb);
	if (err) {
		/* Nobody will call it: open the gate so that the queue goes on. */
		*cb->gate.cpu = 1;
		musa_queue_kick(cb->q);
		free(cb);
	}
	unlock_err = musa_batch_unlock(&b);
	return err ? err : unlock_err;
}

/* Stops the context's host function thread once its queue is empty. */
void musa_callbacks_stop(struct musa_ctx *ctx)
{
	pthread_t thread;

	pthread_mutex_lock(&ctx->lock);
	if (!ctx->cb_running) {
		pthread_mutex_unlock(&ctx->lock);
		return;
	}
	ctx->cb_stop = true;
	thread = ctx->cb_thread;
	pthread_cond_broadcast(&ctx->cb_cond);
	pthread_mutex_unlock(&ctx->lock);
	pthread_join(thread, NULL);
	pthread_mutex_lock(&ctx->lock);
	ctx->cb_running = false;
	ctx->cb_stop = false;
	pthread_mutex_unlock(&ctx->lock);
}

/* ------------------------------------------------------ the runtime API */

MUSA_EXPORT musaError_t musaStreamCreateWithPriority(musaStream_t *pStream, unsigned int flags,
						     int priority)
{
	struct musa_ctx *ctx;
	struct MUstream_st *s;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && !pStream)
		err = musa_fail(musaErrorInvalidValue, "musaStreamCreate: pStream is NULL");
	if (!err && (flags & ~(unsigned int)musaStreamNonBlocking))
		err = musa_fail(musaErrorInvalidValue, "musaStreamCreate: unknown flags 0x%x",
				flags & ~(unsigned int)musaStreamNonBlocking);
	if (!err)
		err = musa_stream_create(ctx, flags, priority, &s);
	if (!err)
		*pStream = s;
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaStreamCreateWithFlags(musaStream_t *pStream, unsigned int flags)
{
	return musaStreamCreateWithPriority(pStream, flags, 0);
}

MUSA_EXPORT musaError_t musaStreamCreate(musaStream_t *pStream)
{
	return musaStreamCreateWithPriority(pStream, musaStreamDefault, 0);
}

/* A stream the caller created (not 0, the legacy or the per-thread stream). */
static musaError_t musa_stream_own(struct musa_ctx *ctx, musaStream_t handle,
				   struct MUstream_st **s)
{
	musaError_t err;

	if (!handle || handle == musaStreamLegacy || handle == musaStreamPerThread)
		return musa_fail(musaErrorInvalidResourceHandle, "the default stream %p cannot "
				 "be destroyed", (void *)handle);
	err = musa_stream_resolve(ctx, handle, s);
	if (!err && (*s)->per_thread)
		err = musa_fail(musaErrorInvalidResourceHandle, "a per-thread default stream "
				"cannot be destroyed");
	return err;
}

static musaError_t musa_stream_destroy(struct musa_ctx *ctx, musaStream_t handle)
{
	struct MUstream_st *s;
	musaError_t err = musa_stream_own(ctx, handle, &s);

	if (err)
		return err;
	ctx = s->ctx;
	pthread_mutex_lock(&ctx->lock);
	musa_stream_free(s);
	pthread_mutex_unlock(&ctx->lock);
	return musaSuccess;
}

MUSA_EXPORT musaError_t musaStreamDestroy(musaStream_t stream)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_stream_destroy(ctx, stream);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaStreamSynchronize(musaStream_t stream)
{
	struct musa_ctx *ctx;
	struct MUstream_st *s;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_stream_resolve(ctx, stream, &s);
	if (!err)
		err = musa_stream_synchronize(s);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaStreamQuery(musaStream_t stream)
{
	struct musa_ctx *ctx;
	struct MUstream_st *s;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_stream_resolve(ctx, stream, &s);
	if (!err)
		err = musa_stream_query(s);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaStreamGetFlags(musaStream_t hStream, unsigned int *flags)
{
	struct musa_ctx *ctx;
	struct MUstream_st *s;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && !flags)
		err = musa_fail(musaErrorInvalidValue, "musaStreamGetFlags: flags is NULL");
	if (!err)
		err = musa_stream_resolve(ctx, hStream, &s);
	if (!err)
		*flags = s->flags;
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaStreamGetPriority(musaStream_t hStream, int *priority)
{
	struct musa_ctx *ctx;
	struct MUstream_st *s;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && !priority)
		err = musa_fail(musaErrorInvalidValue, "musaStreamGetPriority: priority is NULL");
	if (!err)
		err = musa_stream_resolve(ctx, hStream, &s);
	if (!err)
		*priority = s->priority;
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaDeviceGetStreamPriorityRange(int *leastPriority,
							 int *greatestPriority)
{
	musaError_t err = musa_init();

	if (!err && leastPriority)
		*leastPriority = 0;
	if (!err && greatestPriority)
		*greatestPriority = -S5000_QUEUE_PRIORITY_MAX;
	return musa_rt_return(err, __func__);
}

static musaError_t musa_launch_host(struct musa_ctx *ctx, musaStream_t stream, musaHostFn_t fn,
				    musaStreamCallback_t cb, void *data)
{
	struct MUstream_st *s;
	musaError_t err;

	if (!fn && !cb)
		return musa_fail(musaErrorInvalidValue, "the host function is NULL");
	err = musa_stream_resolve(ctx, stream, &s);
	return err ? err : musa_host_func(s, fn, cb, stream, data);
}

MUSA_EXPORT musaError_t musaLaunchHostFunc(musaStream_t stream, musaHostFn_t fn, void *userData)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_launch_host(ctx, stream, fn, NULL, userData);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaStreamAddCallback(musaStream_t stream, musaStreamCallback_t callback,
					      void *userData, unsigned int flags)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && flags)
		err = musa_fail(musaErrorInvalidValue, "musaStreamAddCallback: flags 0x%x: must "
				"be 0", flags);
	if (!err)
		err = musa_launch_host(ctx, stream, NULL, callback, userData);
	return musa_rt_return(err, __func__);
}

/* ------------------------------------------------------- the driver API */

MUSA_EXPORT MUresult muStreamCreateWithPriority(MUstream *phStream, unsigned int flags,
						int priority)
{
	struct musa_ctx *ctx;
	struct MUstream_st *s;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err && !phStream)
		err = musa_fail(musaErrorInvalidValue, "muStreamCreate: phStream is NULL");
	if (!err && (flags & ~(unsigned int)MU_STREAM_NON_BLOCKING))
		err = musa_fail(musaErrorInvalidValue, "muStreamCreate: unknown flags 0x%x",
				flags & ~(unsigned int)MU_STREAM_NON_BLOCKING);
	if (!err)
		err = musa_stream_create(ctx, flags, priority, &s);
	if (!err)
		*phStream = s;
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muStreamCreate(MUstream *phStream, unsigned int Flags)
{
	return muStreamCreateWithPriority(phStream, Flags, 0);
}

MUSA_EXPORT MUresult muStreamDestroy(MUstream hStream)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_stream_destroy(ctx, hStream);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muStreamSynchronize(MUstream hStream)
{
	struct musa_ctx *ctx;
	struct MUstream_st *s;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_stream_resolve(ctx, hStream, &s);
	if (!err)
		err = musa_stream_synchronize(s);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muStreamQuery(MUstream hStream)
{
	struct musa_ctx *ctx;
	struct MUstream_st *s;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_stream_resolve(ctx, hStream, &s);
	if (!err)
		err = musa_stream_query(s);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muLaunchHostFunc(MUstream hStream, MUhostFn fn, void *userData)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_launch_host(ctx, hStream, fn, NULL, userData);
	return musa_drv_return(err, __func__);
}
