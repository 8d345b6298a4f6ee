// SPDX-License-Identifier: MIT
/*
 * launch.c: running kernels (muLaunchKernel, musaLaunchKernel), their attributes
 * and the occupancy calculator.
 *
 * A launch is checked against the device's limits (uapi/s5000.h) and the kernel's,
 * its arguments are packed as the kernel's parameter records say (from
 * kernelParams, or copied from the caller's buffer with @extra), and one
 * KERNEL_LAUNCH packet goes into the stream's queue with the arguments in the
 * queue's kernarg ring. The launch returns at once; how the kernel ended is found
 * like every device fault, by later calls.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "musa_internal.h"

struct musa_launch {
	struct MUfunc_st *f;
	uint32_t grid[3];
	uint32_t block[3];
	size_t shared;
	void **params;
	void **extra;
};

/* The dimensions and shared memory, against the device's limits and the kernel's. */
static musaError_t musa_launch_check(const struct musa_launch *l)
{
	static const uint32_t grid_max[3] = { S5000_MAX_GRID_X, S5000_MAX_GRID_YZ,
					      S5000_MAX_GRID_YZ };
	static const uint32_t block_max[3] = { 1024, 1024, 64 };
	const char *name = l->f->meta->name;
	uint64_t threads = (uint64_t)l->block[0] * l->block[1] * l->block[2];

	for (int i = 0; i < 3; i++)
		if (!l->grid[i] || l->grid[i] > grid_max[i] || !l->block[i] ||
		    l->block[i] > block_max[i])
			return musa_fail(musaErrorInvalidConfiguration, "kernel %s: grid %ux%ux%u, "
					 "block %ux%ux%u: each dimension must be at least 1, the "
					 "grid at most %ux%ux%u and the block %ux%ux%u", name,
					 l->grid[0], l->grid[1], l->grid[2], l->block[0],
					 l->block[1], l->block[2], grid_max[0], grid_max[1],
					 grid_max[2], block_max[0], block_max[1], block_max[2]);
	if (threads > S5000_MAX_BLOCK_THREADS)
		return musa_fail(musaErrorInvalidConfiguration, "kernel %s: a block of %ux%ux%u = "
				 "%" PRIu64 " threads, more than %u", name, l->block[0],
				 l->block[1], l->block[2], threads, S5000_MAX_BLOCK_THREADS);
	if (threads > l->f->meta->max_threads)
		return musa_fail(musaErrorLaunchOutOfResources, "kernel %s: a block of %" PRIu64
				 " threads, more than the %u it was built for", name, threads,
				 l->f->meta->max_threads);
	if (l->shared > (size_t)l->f->max_dynamic_shared)
		return musa_fail(musaErrorInvalidValue, "kernel %s: %zu bytes of dynamic shared "
				 "memory, more than its limit of %d (raise it with "
				 "musaFuncSetAttribute(MaxDynamicSharedMemorySize), up to %u less "
				 "its %u static bytes)", name, l->shared, l->f->max_dynamic_shared,
				 S5000_MAX_SHARED_BYTES, l->f->meta->static_shared);
	return musaSuccess;
}

/* The packed argument buffer @extra describes (MU_LAUNCH_PARAM_* pairs). */
static musaError_t musa_launch_extra(const struct musa_launch *l, const void **buf)
{
	const struct musa_kernel_meta *k = l->f->meta;
	const size_t *size = NULL;

	*buf = NULL;
	for (int i = 0; l->extra[i] != MU_LAUNCH_PARAM_END; i += 2) {
		if (i >= 64)
			return musa_fail(musaErrorInvalidValue, "extra: no MU_LAUNCH_PARAM_END "
					 "within 32 pairs");
		if (l->extra[i] == MU_LAUNCH_PARAM_BUFFER_POINTER)
			*buf = l->extra[i + 1];
		else if (l->extra[i] == MU_LAUNCH_PARAM_BUFFER_SIZE)
			size = l->extra[i + 1];
		else
			return musa_fail(musaErrorInvalidValue, "extra[%d]: unknown key %p", i,
					 l->extra[i]);
	}
	if (k->kernarg_size && (!*buf || !size))
		return musa_fail(musaErrorInvalidValue, "kernel %s: extra needs both "
				 "MU_LAUNCH_PARAM_BUFFER_POINTER and _SIZE", k->name);
	if (size && *size < k->kernarg_size)
		return musa_fail(musaErrorInvalidValue, "kernel %s: an argument buffer of %zu "
				 "bytes, but its parameters take %u", k->name, *size,
				 k->kernarg_size);
	return musaSuccess;
}

/* The arguments, packed into @buf (kernarg_size bytes). */
static musaError_t musa_launch_args(const struct musa_launch *l, uint8_t *buf)
{
	const struct musa_kernel_meta *k = l->f->meta;
	const void *packed;
	musaError_t err;

	memset(buf, 0, k->kernarg_size);
	if (l->params && l->extra)
		return musa_fail(musaErrorInvalidValue, "kernel %s: both kernelParams and extra "
				 "given", k->name);
	if (l->extra) {
		err = musa_launch_extra(l, &packed);
		if (!err && k->kernarg_size)
			memcpy(buf, packed, k->kernarg_size);
		return err;
	}
	if (!l->params && k->num_params)
		return musa_fail(musaErrorInvalidValue, "kernel %s takes %u parameters, but no "
				 "arguments were given", k->name, k->num_params);
	for (uint32_t i = 0; i < k->num_params; i++) {
		if (!l->params[i])
			return musa_fail(musaErrorInvalidValue, "kernel %s: the pointer to argument "
					 "%u is NULL", k->name, i);
		memcpy(buf + k->params[i].offset, l->params[i], k->params[i].size);
	}
	return musaSuccess;
}

/* One KERNEL_LAUNCH in @s, with the arguments from @args. */
static musaError_t musa_launch_submit(const struct musa_launch *l, struct MUstream_st *s,
				      const uint8_t *args)
{
	const struct musa_kernel_meta *k = l->f->meta;
	struct s5000_pkt_kernel_launch p = {
		.header = S5000_PKT_HEADER(S5000_PKT_KERNEL_LAUNCH, 0, 0),
		.grid = { l->grid[0], l->grid[1], l->grid[2] },
		.block = { l->block[0], l->block[1], l->block[2] },
		.shared_bytes = (uint32_t)l->shared,
		.kernarg_size = k->kernarg_size,
		.code = l->f->desc_va,
		.timeout_ms = musa_config.kernel_timeout_ms,
	};
	struct musa_batch b;
	musaError_t err;
	uint64_t va;
	void *cpu;

	err = musa_batch_begin(&b, s, NULL, 0);
	if (err)
		return err;
	if (k->kernarg_size) {
		err = musa_kernarg_alloc(b.q, k->kernarg_size, k->kernarg_align, &cpu, &va);
		if (err) {
			musa_batch_close(&b);
			musa_batch_unlock(&b);
			return err;
		}
		memcpy(cpu, args, k->kernarg_size);
		p.kernarg = va;
	}
	musa_batch_emit(&b, &p);
	musa_batch_close(&b);
	if (k->kernarg_size)
		musa_kernarg_commit(b.q, b.seq);
	return musa_batch_unlock(&b);
}

static musaError_t musa_launch(const struct musa_launch *l, struct MUstream_st *s)
{
	uint8_t small[512], *args = small;
	musaError_t err = musa_launch_check(l);

	if (err)
		return err;
	if (l->f->meta->kernarg_size > sizeof(small)) {
		args = malloc(l->f->meta->kernarg_size);
		if (!args)
			return musa_fail(musaErrorMemoryAllocation, "no host memory for arguments");
	}
	err = musa_launch_args(l, args);
	if (!err)
		err = musa_launch_submit(l, s, args);
	if (args != small)
		free(args);
	return err;
}

/* ------------------------------------------------------------ attributes */

static musaError_t musa_func_attribute(const struct MUfunc_st *f, int attr, int *value)
{
	switch (attr) {
	case MU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK:
		*value = (int)f->meta->max_threads;
		break;
	case MU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES:
		*value = (int)f->meta->static_shared;
		break;
	case MU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES:
		*value = (int)f->meta->stack_size;
		break;
	case MU_FUNC_ATTRIBUTE_NUM_REGS:
		*value = MUSA_THREAD_REGS;
		break;
	case MU_FUNC_ATTRIBUTE_PTX_VERSION:
	case MU_FUNC_ATTRIBUTE_BINARY_VERSION:
		*value = 31;
		break;
	case MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES:
		*value = f->max_dynamic_shared;
		break;
	case MU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT:
		*value = f->carveout;
		break;
	default:
		if (attr < 0 || attr >= MU_FUNC_ATTRIBUTE_MAX)
			return musa_fail(musaErrorInvalidValue, "function attribute %d is unknown",
					 attr);
		*value = 0;	/* constant memory, cache modes, clusters: none */
		break;
	}
	return musaSuccess;
}

static musaError_t musa_func_set_attribute(struct MUfunc_st *f, int attr, int value)
{
	uint32_t room = S5000_MAX_SHARED_BYTES - f->meta->static_shared;

	switch (attr) {
	case MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES:
		if (value < 0 || (uint32_t)value > room)
			return musa_fail(musaErrorInvalidValue, "kernel %s: %d bytes of dynamic "
					 "shared memory: at most %u (%u per block less %u static)",
					 f->meta->name, value, room, S5000_MAX_SHARED_BYTES,
					 f->meta->static_shared);
		f->max_dynamic_shared = value;
		return musaSuccess;
	case MU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT:
		if (value < -1 || value > 100)
			return musa_fail(musaErrorInvalidValue, "a shared memory carveout of %d%%: "
					 "-1 or 0 to 100", value);
		f->carveout = value;
		return musaSuccess;
	default:
		return musa_fail(musaErrorInvalidValue, "function attribute %d cannot be set",
				 attr);
	}
}

/* ------------------------------------------------------------- occupancy */

/* Blocks of @block threads with @dyn bytes of dynamic shared memory per multiprocessor. */
static int musa_occupancy_blocks(const struct musa_device *dev, const struct MUfunc_st *f,
				 int block, size_t dyn)
{
	struct musaDeviceProp p;
	size_t shared = f->meta->static_shared + dyn;
	int warps = (block + S5000_WARP_SIZE - 1) / S5000_WARP_SIZE, n;

	if (block <= 0 || block > (int)f->meta->max_threads || dyn > (size_t)f->max_dynamic_shared)
		return 0;
	musa_device_props(dev, &p);
	n = p.maxBlocksPerMultiProcessor;
	if (p.maxThreadsPerMultiProcessor / (warps * S5000_WARP_SIZE) < n)
		n = p.maxThreadsPerMultiProcessor / (warps * S5000_WARP_SIZE);
	if (p.regsPerMultiprocessor / (warps * S5000_WARP_SIZE * MUSA_THREAD_REGS) < n)
		n = p.regsPerMultiprocessor / (warps * S5000_WARP_SIZE * MUSA_THREAD_REGS);
	if (shared && p.sharedMemPerMultiprocessor / shared < (size_t)n)
		n = (int)(p.sharedMemPerMultiprocessor / shared);
	return n;
}

struct musa_potential {
	MUoccupancyB2DSize b2d;
	size_t dyn;
	int limit;
};

/* The block size that keeps the most threads resident; the grid that fills the device. */
static musaError_t musa_occupancy_potential(const struct musa_device *dev,
					    const struct MUfunc_st *f,
					    const struct musa_potential *q, int *min_grid,
					    int *block)
{
	int limit = (int)f->meta->max_threads, best = 0, best_blocks = 0;

	if (!min_grid || !block)
		return musa_fail(musaErrorInvalidValue, "minGridSize and blockSize must not be "
				 "NULL");
	if (q->limit > 0 && q->limit < limit)
		limit = q->limit;
	for (int b = limit - limit % S5000_WARP_SIZE; b > 0; b -= S5000_WARP_SIZE) {
		int n = musa_occupancy_blocks(dev, f, b, q->b2d ? q->b2d(b) : q->dyn);

		if (n * b > best * best_blocks) {
			best = b;
			best_blocks = n;
		}
	}
	*block = best;
	*min_grid = best_blocks * (int)dev->compute_units;
	return musaSuccess;
}

/* Dynamic shared memory each of @blocks blocks of @block threads can have at once. */
static musaError_t musa_occupancy_dyn_smem(const struct musa_device *dev,
					   const struct MUfunc_st *f, int blocks, int block,
					   size_t *dyn)
{
	struct musaDeviceProp p;
	size_t share, room;

	if (!dyn || blocks <= 0 || block <= 0)
		return musa_fail(musaErrorInvalidValue, "dynamicSmemSize NULL, or %d blocks of %d "
				 "threads", blocks, block);
	musa_device_props(dev, &p);
	*dyn = 0;
	if (musa_occupancy_blocks(dev, f, block, 0) < blocks)
		return musaSuccess;
	share = p.sharedMemPerMultiprocessor / blocks;
	room = share > f->meta->static_shared ? share - f->meta->static_shared : 0;
	*dyn = room < (size_t)f->max_dynamic_shared ? room : (size_t)f->max_dynamic_shared;
	return musaSuccess;
}

/* ------------------------------------------------------ the runtime API */

/* The current context and the kernel @func names in it. */
static musaError_t musa_rt_func(const void *func, struct musa_ctx **ctx, struct MUfunc_st **f)
{
	musaError_t err = musa_rt_enter(ctx);

	return err ? err : musa_func_resolve(*ctx, func, musaErrorInvalidDeviceFunction, f);
}

MUSA_EXPORT musaError_t musaLaunchKernel(const void *func, dim3 gridDim, dim3 blockDim,
					 void **args, size_t sharedMem, musaStream_t stream)
{
	struct musa_launch l = {
		.grid = { gridDim.x, gridDim.y, gridDim.z },
		.block = { blockDim.x, blockDim.y, blockDim.z },
		.shared = sharedMem, .params = args,
	};
	struct MUstream_st *s;
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_func(func, &ctx, &l.f);

	if (!err)
		err = musa_stream_resolve(ctx, stream, &s);
	if (!err)
		err = musa_launch(&l, s);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaFuncGetAttributes(struct musaFuncAttributes *attr, const void *func)
{
	struct MUfunc_st *f;
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_func(func, &ctx, &f);

	if (!err && !attr)
		err = musa_fail(musaErrorInvalidValue, "musaFuncGetAttributes: attr is NULL");
	if (!err) {
		memset(attr, 0, sizeof(*attr));
		attr->sharedSizeBytes = f->meta->static_shared;
		attr->localSizeBytes = f->meta->stack_size;
		attr->maxThreadsPerBlock = (int)f->meta->max_threads;
		musa_func_attribute(f, MU_FUNC_ATTRIBUTE_NUM_REGS, &attr->numRegs);
		musa_func_attribute(f, MU_FUNC_ATTRIBUTE_PTX_VERSION, &attr->ptxVersion);
		musa_func_attribute(f, MU_FUNC_ATTRIBUTE_BINARY_VERSION, &attr->binaryVersion);
		attr->maxDynamicSharedSizeBytes = f->max_dynamic_shared;
		attr->preferredShmemCarveout = f->carveout;
	}
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaFuncSetAttribute(const void *func, enum musaFuncAttribute attr,
					     int value)
{
	struct MUfunc_st *f;
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_func(func, &ctx, &f);

	if (!err)
		err = musa_func_set_attribute(f, attr, value);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(
	int *numBlocks, const void *func, int blockSize, size_t dynamicSMemSize,
	unsigned int flags)
{
	struct MUfunc_st *f;
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_func(func, &ctx, &f);

	if (!err && (!numBlocks || flags & ~(unsigned int)musaOccupancyDisableCachingOverride))
		err = musa_fail(musaErrorInvalidValue, "numBlocks is NULL or flags 0x%x unknown",
				flags);
	if (!err)
		*numBlocks = musa_occupancy_blocks(ctx->dev, f, blockSize, dynamicSMemSize);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaOccupancyMaxActiveBlocksPerMultiprocessor(int *numBlocks,
								      const void *func,
								      int blockSize,
								      size_t dynamicSMemSize)
{
	return musaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(numBlocks, func, blockSize,
								      dynamicSMemSize,
								      musaOccupancyDefault);
}

MUSA_EXPORT musaError_t musaOccupancyMaxPotentialBlockSize(int *minGridSize, int *blockSize,
							   const void *func,
							   size_t dynamicSMemSize,
							   int blockSizeLimit)
{
	struct musa_potential q = { .dyn = dynamicSMemSize, .limit = blockSizeLimit };
	struct MUfunc_st *f;
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_func(func, &ctx, &f);

	if (!err)
		err = musa_occupancy_potential(ctx->dev, f, &q, minGridSize, blockSize);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaOccupancyAvailableDynamicSMemPerBlock(size_t *dynamicSmemSize,
								  const void *func,
								  int numBlocks, int blockSize)
{
	struct MUfunc_st *f;
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_func(func, &ctx, &f);

	if (!err)
		err = musa_occupancy_dyn_smem(ctx->dev, f, numBlocks, blockSize, dynamicSmemSize);
	return musa_rt_return(err, __func__);
}

/* ------------------------------------------------------- the driver API */

static musaError_t musa_drv_func(MUfunction hfunc, struct musa_ctx **ctx, struct MUfunc_st **f)
{
	musaError_t err = musa_drv_enter(ctx);

	return err ? err : musa_func_resolve(*ctx, hfunc, musaErrorInvalidResourceHandle, f);
}

MUSA_EXPORT MUresult muLaunchKernel(MUfunction f, unsigned int gridDimX, unsigned int gridDimY,
				    unsigned int gridDimZ, unsigned int blockDimX,
				    unsigned int blockDimY, unsigned int blockDimZ,
				    unsigned int sharedMemBytes, MUstream hStream,
				    void **kernelParams, void **extra)
{
	struct musa_launch l = {
		.grid = { gridDimX, gridDimY, gridDimZ },
		.block = { blockDimX, blockDimY, blockDimZ },
		.shared = sharedMemBytes, .params = kernelParams, .extra = extra,
	};
	struct MUstream_st *s;
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_func(f, &ctx, &l.f);

	if (!err)
		err = musa_stream_resolve(ctx, hStream, &s);
	if (!err)
		err = musa_launch(&l, s);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muFuncGetAttribute(int *pi, MUfunction_attribute attrib, MUfunction hfunc)
{
	struct MUfunc_st *f;
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_func(hfunc, &ctx, &f);

	if (!err && !pi)
		err = musa_fail(musaErrorInvalidValue, "muFuncGetAttribute: pi is NULL");
	if (!err)
		err = musa_func_attribute(f, attrib, pi);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muFuncSetAttribute(MUfunction hfunc, MUfunction_attribute attrib, int value)
{
	struct MUfunc_st *f;
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_func(hfunc, &ctx, &f);

	if (!err)
		err = musa_func_set_attribute(f, attrib, value);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muFuncGetName(const char **name, MUfunction hfunc)
{
	struct MUfunc_st *f;
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_func(hfunc, &ctx, &f);

	if (!err && !name)
		err = musa_fail(musaErrorInvalidValue, "muFuncGetName: name is NULL");
	if (!err)
		*name = f->meta->name;
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(
	int *numBlocks, MUfunction func, int blockSize, size_t dynamicSMemSize,
	unsigned int flags)
{
	struct MUfunc_st *f;
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_func(func, &ctx, &f);

	if (!err && (!numBlocks || flags & ~(unsigned int)MU_OCCUPANCY_DISABLE_CACHING_OVERRIDE))
		err = musa_fail(musaErrorInvalidValue, "numBlocks is NULL or flags 0x%x unknown",
				flags);
	if (!err)
		*numBlocks = musa_occupancy_blocks(ctx->dev, f, blockSize, dynamicSMemSize);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muOccupancyMaxActiveBlocksPerMultiprocessor(int *numBlocks, MUfunction func,
								 int blockSize,
								 size_t dynamicSMemSize)
{
	return muOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(numBlocks, func, blockSize,
								    dynamicSMemSize,
								    MU_OCCUPANCY_DEFAULT);
}

MUSA_EXPORT MUresult muOccupancyMaxPotentialBlockSize(int *minGridSize, int *blockSize,
						      MUfunction func,
						      MUoccupancyB2DSize blockSizeToDynamicSMemSize,
						      size_t dynamicSMemSize, int blockSizeLimit)
{
	struct musa_potential q = {
		.b2d = blockSizeToDynamicSMemSize, .dyn = dynamicSMemSize,
		.limit = blockSizeLimit,
	};
	struct MUfunc_st *f;
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_func(func, &ctx, &f);

	if (!err)
		err = musa_occupancy_potential(ctx->dev, f, &q, minGridSize, blockSize);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muOccupancyAvailableDynamicSMemPerBlock(size_t *dynamicSmemSize,
							     MUfunction func, int numBlocks,
							     int blockSize)
{
	struct MUfunc_st *f;
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_func(func, &ctx, &f);

	if (!err)
		err = musa_occupancy_dyn_smem(ctx->dev, f, numBlocks, blockSize, dynamicSmemSize);
	return musa_drv_return(err, __func__);
}
