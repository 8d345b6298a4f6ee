// SPDX-License-Identifier: MIT
/*
 * event.c: events. Recording one writes a batch into the stream's queue: a
 * TIMESTAMP packet into a fresh slot (unless the event has DisableTiming), then the
 * batch's fence. The event is that (queue, sequence number) pair; it has completed
 * once the queue's fence has passed it, and its time is the slot's device
 * timestamp (MUSA_PARAM_TIMESTAMP_FREQ, 100 MHz on the S5000).
 *
 * A stream waits for an event with a BARRIER on the event's queue fence (nothing at
 * all when the event's queue is the stream's own: queues run in order).
 */
#include <stdlib.h>

#include "musa_internal.h"

#define MUSA_EVENT_FLAGS (musaEventBlockingSync | musaEventDisableTiming | musaEventInterprocess)

static bool musa_event_listed(struct musa_ctx *ctx, struct MUevent_st *e)
{
	musa_list_for_each(pos, &ctx->events)
		if (pos == &e->link)
			return true;
	return false;
}

static musaError_t musa_event_resolve(musaEvent_t handle, struct MUevent_st **e)
{
	struct musa_ctx *ctx;
	bool found;

	for (int i = 0; handle && i < musa_device_count(); i++) {
		ctx = &musa_device_get(i)->ctx;
		pthread_mutex_lock(&ctx->lock);
		found = ctx->active && musa_event_listed(ctx, handle);
		pthread_mutex_unlock(&ctx->lock);
		if (found) {
			*e = handle;
			return musa_ctx_use(ctx);
		}
	}
	return musa_fail(musaErrorInvalidResourceHandle, "event %p is not a live event",
			 (void *)handle);
}

static musaError_t musa_event_create(struct musa_ctx *ctx, unsigned int flags,
				     struct MUevent_st **out)
{
	struct MUevent_st *e;

	if (flags & ~(unsigned int)MUSA_EVENT_FLAGS)
		return musa_fail(musaErrorInvalidValue, "event flags 0x%x: unknown flags 0x%x",
				 flags, flags & ~(unsigned int)MUSA_EVENT_FLAGS);
	if ((flags & musaEventInterprocess) && !(flags & musaEventDisableTiming))
		return musa_fail(musaErrorInvalidValue, "an interprocess event needs "
				 "musaEventDisableTiming");
	if (flags & musaEventInterprocess)
		return musa_fail(musaErrorNotSupported, "interprocess events are not supported");
	e = calloc(1, sizeof(*e));
	if (!e)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for an event");
	e->ctx = ctx;
	e->flags = flags;
	pthread_mutex_lock(&ctx->lock);
	musa_list_add(&ctx->events, &e->link);
	pthread_mutex_unlock(&ctx->lock);
	*out = e;
	return musaSuccess;
}

/* Forgets the event (ctx->lock held; its slot goes with the context's pool). */
void musa_event_free(struct MUevent_st *e)
{
	musa_list_del(&e->link);
	free(e);
}

static musaError_t musa_event_destroy(musaEvent_t handle)
{
	struct MUevent_st *e;
	struct musa_ctx *ctx;
	musaError_t err = musa_event_resolve(handle, &e);

	if (err)
		return err;
	ctx = e->ctx;
	pthread_mutex_lock(&ctx->lock);
	if (e->has_ts)
		musa_slot_release(ctx, e->ts, e->q, e->seq);
	musa_event_free(e);
	pthread_mutex_unlock(&ctx->lock);
	return musaSuccess;
}

static musaError_t musa_event_record(struct musa_ctx *ctx, musaEvent_t event, musaStream_t stream)
{
	struct s5000_pkt_timestamp ts = {
		.header = S5000_PKT_HEADER(S5000_PKT_TIMESTAMP, 0, 0),
	};
	struct musa_slot slot = { 0 };
	struct MUstream_st *s;
	struct MUevent_st *e;
	struct musa_batch b;
	musaError_t unlock_err, err = musa_event_resolve(event, &e);

	if (!err)
		err = musa_stream_resolve(ctx, stream, &s);
	if (!err && s->ctx != e->ctx)
		err = musa_fail(musaErrorInvalidResourceHandle, "event %p belongs to device %d, "
				"stream %p to device %d", (void *)event, e->ctx->dev->ordinal,
				(void *)stream, s->ctx->dev->ordinal);
	if (!err)
		err = musa_batch_begin(&b, s, NULL, 0);
	if (err)
		return err;
	if (!(e->flags & musaEventDisableTiming)) {
		err = musa_slot_alloc(e->ctx, &slot);
		if (!err) {
			ts.addr = slot.va;
			musa_batch_emit(&b, &ts);
		}
	}
	musa_batch_close(&b);
	if (!err) {
		/* The previous record may still be pending: its slot waits for it. */
		if (e->has_ts)
			musa_slot_release(e->ctx, e->ts, e->q, e->seq);
		e->ts = slot;
		e->has_ts = !(e->flags & musaEventDisableTiming);
		e->q = b.q;
		e->seq = b.seq;
	}
	unlock_err = musa_batch_unlock(&b);
	return err ? err : unlock_err;
}

static musaError_t musa_event_query(musaEvent_t event)
{
	struct MUevent_st *e;
	musaError_t err = musa_event_resolve(event, &e);

	if (err || !e->q)
		return err;
	err = musa_ctx_check(e->ctx);
	if (!err && !musa_queue_done(e->q, e->seq))
		err = musaErrorNotReady;
	return err;
}

static musaError_t musa_event_synchronize(musaEvent_t event)
{
	struct MUevent_st *e;
	musaError_t err = musa_event_resolve(event, &e);

	if (err || !e->q)
		return err;
	return musa_queue_wait(e->q, e->seq, e->flags & musaEventBlockingSync ? MUSA_WAIT_BLOCK :
			       musa_ctx_wait_mode(e->ctx));
}

static musaError_t musa_event_elapsed(float *ms, musaEvent_t start, musaEvent_t end)
{
	struct MUevent_st *e[2];
	musaError_t err = musaSuccess;

	if (!ms)
		return musa_fail(musaErrorInvalidValue, "musaEventElapsedTime: ms is NULL");
	for (int i = 0; i < 2 && !err; i++) {
		err = musa_event_resolve(i ? end : start, &e[i]);
		if (err)
			break;
		if (e[i]->flags & musaEventDisableTiming)
			err = musa_fail(musaErrorInvalidResourceHandle, "the %s event was created "
					"with musaEventDisableTiming", i ? "end" : "start");
		else if (!e[i]->q)
			err = musa_fail(musaErrorInvalidResourceHandle, "the %s event was never "
					"recorded", i ? "end" : "start");
	}
	if (!err && e[0]->ctx != e[1]->ctx)
		err = musa_fail(musaErrorInvalidResourceHandle, "the events belong to different "
				"devices");
	if (!err)
		err = musa_ctx_check(e[0]->ctx);
	if (err)
		return err;
	if (!musa_queue_done(e[0]->q, e[0]->seq) || !musa_queue_done(e[1]->q, e[1]->seq))
		return musaErrorNotReady;
	*ms = (float)((double)(int64_t)(*e[1]->ts.cpu - *e[0]->ts.cpu) * 1000.0 /
		      (double)e[0]->ctx->dev->ts_freq);
	return musaSuccess;
}

static musaError_t musa_stream_wait_event(struct musa_ctx *ctx, musaStream_t stream,
					  musaEvent_t event, unsigned int flags)
{
	struct MUstream_st *s;
	struct MUevent_st *e;
	struct musa_batch b;
	struct musa_dep dep;
	musaError_t err = musaSuccess;

	if (flags & ~(unsigned int)musaEventWaitExternal)
		return musa_fail(musaErrorInvalidValue, "musaStreamWaitEvent: unknown flags 0x%x",
				 flags);
	err = musa_stream_resolve(ctx, stream, &s);
	if (!err)
		err = musa_event_resolve(event, &e);
	if (err || !e->q)
		return err;
	if (e->ctx != s->ctx)
		return musa_fail(musaErrorNotSupported, "stream %p on device %d cannot wait for "
				 "an event of device %d", (void *)stream, s->ctx->dev->ordinal,
				 e->ctx->dev->ordinal);
	pthread_mutex_lock(&e->ctx->lock);
	dep = (struct musa_dep){ e->q, e->seq };
	pthread_mutex_unlock(&e->ctx->lock);
	err = musa_batch_begin(&b, s, &dep, 1);
	return err ? err : musa_batch_end(&b);
}

/* ------------------------------------------------------ the runtime API */

MUSA_EXPORT musaError_t musaEventCreateWithFlags(musaEvent_t *event, unsigned int flags)
{
	struct musa_ctx *ctx;
	struct MUevent_st *e;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && !event)
		err = musa_fail(musaErrorInvalidValue, "musaEventCreate: event is NULL");
	if (!err)
		err = musa_event_create(ctx, flags, &e);
	if (!err)
		*event = e;
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaEventCreate(musaEvent_t *event)
{
	return musaEventCreateWithFlags(event, musaEventDefault);
}

MUSA_EXPORT musaError_t musaEventDestroy(musaEvent_t event)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_event_destroy(event);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaEventRecord(musaEvent_t event, musaStream_t stream)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_event_record(ctx, event, stream);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaEventRecordWithFlags(musaEvent_t event, musaStream_t stream,
						 unsigned int flags)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && flags & ~(unsigned int)musaEventRecordExternal)
		err = musa_fail(musaErrorInvalidValue, "musaEventRecordWithFlags: unknown flags "
				"0x%x", flags);
	if (!err)
		err = musa_event_record(ctx, event, stream);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaEventQuery(musaEvent_t event)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_event_query(event);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaEventSynchronize(musaEvent_t event)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_event_synchronize(event);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaEventElapsedTime(float *ms, musaEvent_t start, musaEvent_t end)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_event_elapsed(ms, start, end);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaStreamWaitEvent(musaStream_t stream, musaEvent_t event,
					    unsigned int flags)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_stream_wait_event(ctx, stream, event, flags);
	return musa_rt_return(err, __func__);
}

/* ------------------------------------------------------- the driver API */

MUSA_EXPORT MUresult muEventCreate(MUevent *phEvent, unsigned int Flags)
{
	struct musa_ctx *ctx;
	struct MUevent_st *e;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err && !phEvent)
		err = musa_fail(musaErrorInvalidValue, "muEventCreate: phEvent is NULL");
	if (!err)
		err = musa_event_create(ctx, Flags, &e);
	if (!err)
		*phEvent = e;
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muEventDestroy(MUevent hEvent)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_event_destroy(hEvent);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muEventRecord(MUevent hEvent, MUstream hStream)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_event_record(ctx, hEvent, hStream);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muEventQuery(MUevent hEvent)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_event_query(hEvent);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muEventSynchronize(MUevent hEvent)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_event_synchronize(hEvent);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muEventElapsedTime(float *pMilliseconds, MUevent hStart, MUevent hEnd)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_event_elapsed(pMilliseconds, hStart, hEnd);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muStreamWaitEvent(MUstream hStream, MUevent hEvent, unsigned int Flags)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_stream_wait_event(ctx, hStream, hEvent, Flags);
	return musa_drv_return(err, __func__);
}
