// SPDX-License-Identifier: MIT
/*
 * slots.c: 8-byte words that the CPU and the device both reach, for event
 * timestamps and for the gates host functions open. They come from pages of
 * system memory; a slot the device may still write (its record or gate is pending)
 * is reused only once the queue that writes it has passed that point.
 */
#include <stdlib.h>

#include "musa_internal.h"

static int musa_grow(void **array, int *cap, size_t elem)
{
	int n = *cap ? *cap * 2 : 64;
	void *p = realloc(*array, n * elem);

	if (!p)
		return -1;
	*array = p;
	*cap = n;
	return 0;
}

static void musa_slots_reclaim(struct musa_slot_pool *pool)
{
	int kept = 0;

	for (int i = 0; i < pool->npending; i++) {
		struct musa_slot_release *r = &pool->pending[i];

		if (musa_queue_done(r->q, r->seq))
			pool->free[pool->nfree++] = r->slot;
		else
			pool->pending[kept++] = *r;
	}
	pool->npending = kept;
}

static musaError_t musa_slots_add_chunk(struct musa_ctx *ctx)
{
	struct musa_slot_pool *pool = &ctx->slots;
	struct musa_slot_chunk *chunk = calloc(1, sizeof(*chunk));
	musaError_t err;

	if (!chunk)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for signal slots");
	err = musa_bo_new_mapped(ctx, MUSA_SLOTS_PER_CHUNK * sizeof(uint64_t), &chunk->bo);
	if (err) {
		free(chunk);
		return err;
	}
	/* Room for every slot there is, so that giving one back never fails. */
	while (pool->free_cap < pool->total + MUSA_SLOTS_PER_CHUNK)
		if (musa_grow((void **)&pool->free, &pool->free_cap, sizeof(*pool->free))) {
			musa_drm_bo_free(ctx->fd, &chunk->bo);
			free(chunk);
			return musa_fail(musaErrorMemoryAllocation, "no host memory for signal "
					 "slots");
		}
	for (int i = MUSA_SLOTS_PER_CHUNK - 1; i >= 0; i--)
		pool->free[pool->nfree++] = (struct musa_slot){
			.cpu = (volatile uint64_t *)chunk->bo.cpu + i,
			.va = chunk->bo.va + i * sizeof(uint64_t),
		};
	pool->total += MUSA_SLOTS_PER_CHUNK;
	chunk->next = pool->chunks;
	pool->chunks = chunk;
	return musaSuccess;
}

/* A zeroed slot (ctx->lock held). */
musaError_t musa_slot_alloc(struct musa_ctx *ctx, struct musa_slot *slot)
{
	struct musa_slot_pool *pool = &ctx->slots;
	musaError_t err;

	if (!pool->nfree)
		musa_slots_reclaim(pool);
	if (!pool->nfree) {
		err = musa_slots_add_chunk(ctx);
		if (err)
			return err;
	}
	*slot = pool->free[--pool->nfree];
	*slot->cpu = 0;
	return musaSuccess;
}

/* Gives @slot back once @q has passed @seq (q NULL: now) (ctx->lock held). */
void musa_slot_release(struct musa_ctx *ctx, struct musa_slot slot, struct musa_queue *q,
		       uint64_t seq)
{
	struct musa_slot_pool *pool = &ctx->slots;

	if (!q || musa_queue_done(q, seq)) {
		pool->free[pool->nfree++] = slot;
		return;
	}
	if (pool->npending == pool->pending_cap &&
	    musa_grow((void **)&pool->pending, &pool->pending_cap, sizeof(*pool->pending)))
		return;		/* leaks one slot rather than risk reusing it early */
	pool->pending[pool->npending++] = (struct musa_slot_release){ slot, q, seq };
}

void musa_slots_free(struct musa_ctx *ctx, bool ioctls)
{
	struct musa_slot_pool *pool = &ctx->slots;
	struct musa_slot_chunk *chunk;

	while ((chunk = pool->chunks)) {
		pool->chunks = chunk->next;
		musa_drm_bo_free(ioctls ? ctx->fd : -1, &chunk->bo);
		free(chunk);
	}
	free(pool->free);
	free(pool->pending);
	*pool = (struct musa_slot_pool){ 0 };
}
