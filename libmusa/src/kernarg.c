// SPDX-License-Identifier: MIT
/*
 * kernarg.c: where kernel arguments live while the device reads them. Each queue
 * has a ring of pinned memory, mapped for the device at its CPU address; a launch
 * takes the next bytes, the CPU writes the arguments there, and the bytes come back
 * once the queue's fence passes the launch's batch. Launches in a queue complete in
 * order, so the bytes in use are always one run from the oldest launch on.
 */
#include <stdlib.h>

#include "musa_internal.h"

static uint64_t musa_align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

static musaError_t musa_kernarg_setup(struct musa_queue *q)
{
	struct musa_kernarg_ring *r = &q->kernarg;
	musaError_t err;

	r->uses = calloc(q->size, sizeof(*r->uses));
	if (!r->uses)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for kernel arguments");
	err = musa_bo_new_mapped(q->ctx, MUSA_KERNARG_RING_BYTES, &r->bo);
	if (err) {
		free(r->uses);
		r->uses = NULL;
	}
	return err;
}

/* Forgets the launches the device has finished with. */
static void musa_kernarg_reclaim(struct musa_queue *q)
{
	struct musa_kernarg_ring *r = &q->kernarg;

	while (r->count && musa_queue_done(q, r->uses[r->first].seq)) {
		r->tail = r->uses[r->first].end;
		r->first = (r->first + 1) % q->size;
		r->count--;
	}
	if (!r->count)
		r->tail = r->head;
}

/* Waits until @need more bytes fit and another launch can be tracked (ctx->lock held). */
static musaError_t musa_kernarg_room(struct musa_queue *q, uint64_t need)
{
	struct musa_kernarg_ring *r = &q->kernarg;
	musaError_t err;

	for (;;) {
		musa_kernarg_reclaim(q);
		if (r->head + need - r->tail <= MUSA_KERNARG_RING_BYTES && r->count < q->size)
			return musaSuccess;
		err = musa_queue_wait(q, r->uses[r->first].seq, musa_ctx_wait_mode(q->ctx));
		if (err)
			return err;
	}
}

/*
 * @size bytes aligned to @align (a power of two up to 4096) for the arguments of a
 * launch about to be written into @q (ctx->lock held); musa_kernarg_commit() says
 * which batch reads them.
 */
musaError_t musa_kernarg_alloc(struct musa_queue *q, uint32_t size, uint32_t align, void **cpu,
			       uint64_t *va)
{
	struct musa_kernarg_ring *r = &q->kernarg;
	uint64_t pos, pad;
	musaError_t err;

	if (!r->bo.handle) {
		err = musa_kernarg_setup(q);
		if (err)
			return err;
	}
	align = align < 16 ? 16 : align;
	pos = r->head % MUSA_KERNARG_RING_BYTES;
	pad = musa_align_up(pos, align) - pos;
	if (pos + pad + size > MUSA_KERNARG_RING_BYTES)
		pad = MUSA_KERNARG_RING_BYTES - pos;	/* not across the end: start over */
	err = musa_kernarg_room(q, pad + size);
	if (err)
		return err;
	r->head += pad;
	*cpu = (uint8_t *)r->bo.cpu + r->head % MUSA_KERNARG_RING_BYTES;
	*va = r->bo.va + r->head % MUSA_KERNARG_RING_BYTES;
	r->head += size;
	return musaSuccess;
}

/* The bytes handed out by the last musa_kernarg_alloc() are read by the batch ending
 * with fence @seq. */
void musa_kernarg_commit(struct musa_queue *q, uint64_t seq)
{
	struct musa_kernarg_ring *r = &q->kernarg;

	if (!r->uses)
		return;
	r->uses[(r->first + r->count) % q->size] = (struct musa_kernarg_use){ r->head, seq };
	r->count++;
}

void musa_kernarg_free(struct musa_queue *q, bool ioctls)
{
	musa_drm_bo_free(ioctls ? q->ctx->fd : -1, &q->kernarg.bo);
	free(q->kernarg.uses);
	q->kernarg = (struct musa_kernarg_ring){ 0 };
}
