// SPDX-License-Identifier: MIT
/*
 * memory.c: allocations and the table of them that gives every pointer its kind.
 *
 * One address space (unified addressing): device memory lives at the GPU VAs the
 * driver picks, in [2^47, 2^48); pinned host memory is mapped for the device at
 * its own CPU address (a system-memory object mmapped, then bound at the mmap's
 * address; or the user's pages pinned in place for musaHostRegister), so a host
 * pointer to pinned memory is also its device pointer. Anything else below 2^47 is
 * pageable host memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "musa_internal.h"

#define MUSA_HOST_ALLOC_FLAGS (musaHostAllocPortable | musaHostAllocMapped | \
			       musaHostAllocWriteCombined)
#define MUSA_HOST_REGISTER_FLAGS (musaHostRegisterPortable | musaHostRegisterMapped | \
				  musaHostRegisterIoMemory | musaHostRegisterReadOnly)

static uint64_t musa_page_up(uint64_t v)
{
	return (v + MUSA_PAGE_SIZE - 1) & ~(MUSA_PAGE_SIZE - 1);
}

/*
 * System memory the CPU and the device both reach at one address: an object with
 * no GPU VA, mmapped, then bound into the GPU address space at the mmap's address.
 * Pinned host memory (musaMallocHost) and the library's own rings, staging buffers
 * and signal slots are made this way, so the device addresses above 2^47 hold
 * nothing but the user's device allocations.
 */
musaError_t musa_bo_new_mapped(struct musa_ctx *ctx, size_t size, struct musa_bo *bo)
{
	int ret = musa_drm_bo_create(ctx->fd, size, MUSA_PLACEMENT_SYSTEM, MUSA_BO_NO_VA, 0, bo);

	if (!ret)
		ret = musa_drm_bo_map(ctx->fd, bo);
	if (!ret)
		ret = musa_drm_bo_bind_at(ctx->fd, bo->handle, (uintptr_t)bo->cpu);
	if (ret) {
		musa_drm_bo_free(ctx->fd, bo);
		return musa_fail(musa_errno_error(ret, musaErrorUnknown), "cannot allocate %zu "
				 "bytes of pinned host memory: %s", size, strerror(-ret));
	}
	bo->va = (uintptr_t)bo->cpu;
	return musaSuccess;
}

/* ------------------------------------------------------------- the table */

/* The index of the first allocation that starts above @addr (ctx->lock held). */
static int musa_alloc_index(struct musa_ctx *ctx, uint64_t addr)
{
	int lo = 0, hi = ctx->nallocs;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (ctx->allocs[mid]->base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The allocation holding @addr, or NULL (ctx->lock held). */
struct musa_alloc *musa_alloc_find(struct musa_ctx *ctx, uint64_t addr)
{
	int i = musa_alloc_index(ctx, addr);

	if (i && addr - ctx->allocs[i - 1]->base < ctx->allocs[i - 1]->size)
		return ctx->allocs[i - 1];
	return NULL;
}

/* The allocation overlapping [addr, addr + size), or NULL (ctx->lock held). */
static struct musa_alloc *musa_alloc_overlap(struct musa_ctx *ctx, uint64_t addr, uint64_t size)
{
	int i = musa_alloc_index(ctx, addr + size - 1);

	if (i && ctx->allocs[i - 1]->base + ctx->allocs[i - 1]->size > addr)
		return ctx->allocs[i - 1];
	return NULL;
}

static musaError_t musa_alloc_insert(struct musa_ctx *ctx, const struct musa_alloc *proto)
{
	struct musa_alloc *a = malloc(sizeof(*a));
	int i;

	if (a && ctx->nallocs == ctx->allocs_cap) {
		int cap = ctx->allocs_cap ? 2 * ctx->allocs_cap : 64;
		void *p = realloc(ctx->allocs, cap * sizeof(*ctx->allocs));

		if (!p) {
			free(a);
			a = NULL;
		} else {
			ctx->allocs = p;
			ctx->allocs_cap = cap;
		}
	}
	if (!a)
		return musa_fail(musaErrorMemoryAllocation, "no host memory to track an "
				 "allocation");
	*a = *proto;
	i = musa_alloc_index(ctx, a->base);
	memmove(&ctx->allocs[i + 1], &ctx->allocs[i], (ctx->nallocs - i) * sizeof(*ctx->allocs));
	ctx->allocs[i] = a;
	ctx->nallocs++;
	return musaSuccess;
}

/* Unmaps (musaMallocHost) and closes the object; with fd < 0 only forgets it. */
static void musa_alloc_release(struct musa_alloc *a, int fd)
{
	musa_drm_bo_free(fd, &a->bo);
	free(a);
}

/* Takes @a out of the table and frees it (ctx->lock held). */
static void musa_alloc_remove(struct musa_ctx *ctx, struct musa_alloc *a)
{
	int i = musa_alloc_index(ctx, a->base) - 1;

	memmove(&ctx->allocs[i], &ctx->allocs[i + 1],
		(ctx->nallocs - i - 1) * sizeof(*ctx->allocs));
	ctx->nallocs--;
	musa_alloc_release(a, ctx->fd);
}

void musa_allocs_free(struct musa_ctx *ctx, bool ioctls)
{
	for (int i = 0; i < ctx->nallocs; i++)
		musa_alloc_release(ctx->allocs[i], ioctls ? ctx->fd : -1);
	ctx->nallocs = 0;
}

/* Finds @ptr as the start of an allocation of @kind; words why not otherwise. */
static musaError_t musa_alloc_start(struct musa_ctx *ctx, uint64_t ptr, enum musa_alloc_kind kind,
				    musaError_t missing, const char *what, struct musa_alloc **out)
{
	static const char *const kinds[] = {
		[MUSA_ALLOC_DEVICE] = "device memory",
		[MUSA_ALLOC_HOST] = "pinned host memory from musaMallocHost",
		[MUSA_ALLOC_REGISTERED] = "host memory registered with musaHostRegister",
	};
	struct musa_alloc *a = musa_alloc_find(ctx, ptr);

	if (!a)
		return musa_fail(missing, "%s: 0x%llx is not %s of device %d", what,
				 (unsigned long long)ptr, kinds[kind], ctx->dev->ordinal);
	if (a->kind != kind)
		return musa_fail(musaErrorInvalidValue, "%s: 0x%llx is %s, not %s", what,
				 (unsigned long long)ptr, kinds[a->kind], kinds[kind]);
	if (a->base != ptr)
		return musa_fail(missing, "%s: 0x%llx is %llu bytes into an allocation at 0x%llx, "
				 "not its start", what, (unsigned long long)ptr,
				 (unsigned long long)(ptr - a->base), (unsigned long long)a->base);
	*out = a;
	return musaSuccess;
}

/* ------------------------------------------------------------ operations */

/*
 * Device memory of device i lives in a window of its own, [2^47 + i * 2^43,
 * 2^47 + (i + 1) * 2^43), so that a device pointer names its device, as CUDA's
 * unified addressing promises, although each context is an address space of its
 * own. Within the window: the lowest gap that fits, aligned like the driver's own
 * choices so that large pages can map it (ctx->lock held).
 */
static int musa_device_va(struct musa_ctx *ctx, uint64_t size, uint64_t *va)
{
	uint64_t align = size >= (1ull << 30) ? 1ull << 30 : size >= (2ull << 20) ? 2ull << 20 :
			 MUSA_PAGE_SIZE;
	uint64_t start = MUSA_DEVICE_VA_START + (uint64_t)ctx->dev->ordinal * MUSA_DEVICE_VA_WINDOW;
	uint64_t end = start + MUSA_DEVICE_VA_WINDOW, at = start;

	if (end > MUSA_DEVICE_VA_END)
		end = MUSA_DEVICE_VA_END;
	for (int i = musa_alloc_index(ctx, start - 1); i < ctx->nallocs; i++) {
		struct musa_alloc *a = ctx->allocs[i];

		if (a->bo.va >= end)
			break;
		if (((at + align - 1) & ~(align - 1)) + size <= a->bo.va)
			break;
		at = a->bo.va + a->bo.size;
	}
	at = (at + align - 1) & ~(align - 1);
	if (at + size > end || at + size < at)
		return -ENOSPC;
	*va = at;
	return 0;
}

/* Device memory; @internal: the library's own, which the user's frees refuse. */
musaError_t musa_mem_alloc_device(struct musa_ctx *ctx, size_t size, bool internal, uint64_t *va)
{
	struct musa_alloc a = { .size = size, .kind = MUSA_ALLOC_DEVICE, .internal = internal };
	musaError_t err = musaSuccess;
	uint64_t used = 0, at = 0;
	int ret;

	pthread_mutex_lock(&ctx->lock);
	ret = musa_device_va(ctx, musa_page_up(size), &at);
	if (!ret)
		ret = musa_drm_bo_create(ctx->fd, size, MUSA_PLACEMENT_VRAM, MUSA_BO_FIXED_VA, at,
					 &a.bo);
	if (!ret) {
		a.base = a.bo.va = at;
		err = musa_alloc_insert(ctx, &a);
		if (err)
			musa_drm_bo_free(ctx->fd, &a.bo);
	}
	pthread_mutex_unlock(&ctx->lock);
	if (ret) {
		musa_drm_get_param(ctx->fd, MUSA_PARAM_VRAM_USED, &used);
		return musa_fail(musa_errno_error(ret, musaErrorUnknown), "cannot allocate %zu "
				 "bytes of device memory on device %d (%llu of %llu MiB in use): %s",
				 size, ctx->dev->ordinal, (unsigned long long)(used >> 20),
				 (unsigned long long)(ctx->dev->vram_size >> 20),
				 ret == -ENOSPC ? "GPU address space exhausted" : strerror(-ret));
	}
	if (!err)
		*va = a.base;
	return err;
}

/* Frees device memory once the device is done with everything written so far. */
musaError_t musa_mem_free_device(struct musa_ctx *ctx, uint64_t va, bool internal,
				 const char *what)
{
	struct musa_alloc *a;
	musaError_t err;

	pthread_mutex_lock(&ctx->lock);
	err = musa_alloc_start(ctx, va, MUSA_ALLOC_DEVICE, musaErrorInvalidValue, what, &a);
	if (!err && a->internal != internal)
		err = musa_fail(musaErrorInvalidValue, "%s: 0x%llx holds a loaded module; "
				"muModuleUnload frees it", what, (unsigned long long)va);
	pthread_mutex_unlock(&ctx->lock);
	if (!err)
		err = musa_ctx_synchronize(ctx);
	if (err)
		return err;
	pthread_mutex_lock(&ctx->lock);
	a = musa_alloc_find(ctx, va);
	if (a && a->base == va)
		musa_alloc_remove(ctx, a);
	pthread_mutex_unlock(&ctx->lock);
	return musaSuccess;
}

musaError_t musa_mem_alloc_host(struct musa_ctx *ctx, size_t size, unsigned int flags,
				void **ptr)
{
	struct musa_alloc a = { .size = size, .kind = MUSA_ALLOC_HOST, .flags = flags };
	musaError_t err;

	if (flags & ~(unsigned int)MUSA_HOST_ALLOC_FLAGS)
		return musa_fail(musaErrorInvalidValue, "musaHostAlloc: unknown flags 0x%x",
				 flags & ~(unsigned int)MUSA_HOST_ALLOC_FLAGS);
	err = musa_bo_new_mapped(ctx, size, &a.bo);
	if (err)
		return err;
	a.base = a.bo.va;
	pthread_mutex_lock(&ctx->lock);
	err = musa_alloc_insert(ctx, &a);
	pthread_mutex_unlock(&ctx->lock);
	if (err)
		musa_drm_bo_free(ctx->fd, &a.bo);
	else
		*ptr = a.bo.cpu;
	return err;
}

musaError_t musa_mem_free_host(struct musa_ctx *ctx, void *ptr)
{
	struct musa_alloc *a;
	musaError_t err;

	pthread_mutex_lock(&ctx->lock);
	err = musa_alloc_start(ctx, (uintptr_t)ptr, MUSA_ALLOC_HOST, musaErrorInvalidValue,
			       "musaFreeHost", &a);
	pthread_mutex_unlock(&ctx->lock);
	if (!err)
		err = musa_ctx_synchronize(ctx);
	if (err)
		return err;
	pthread_mutex_lock(&ctx->lock);
	a = musa_alloc_find(ctx, (uintptr_t)ptr);
	if (a && a->base == (uintptr_t)ptr)
		musa_alloc_remove(ctx, a);
	pthread_mutex_unlock(&ctx->lock);
	return musaSuccess;
}

/* Pins the pages under [ptr, ptr + size) where they are and maps them there. */
musaError_t musa_mem_register(struct musa_ctx *ctx, void *ptr, size_t size, unsigned int flags)
{
	uint64_t start = (uintptr_t)ptr & ~(MUSA_PAGE_SIZE - 1);
	uint64_t end = musa_page_up((uintptr_t)ptr + size);
	struct musa_alloc a = {
		.base = (uintptr_t)ptr, .size = size, .kind = MUSA_ALLOC_REGISTERED,
		.flags = flags, .bo = { .va = start, .size = end - start },
	};
	struct musa_alloc *old;
	musaError_t err;
	int ret;

	if (!ptr || !size)
		return musa_fail(musaErrorInvalidValue, "musaHostRegister: %s is 0",
				 ptr ? "size" : "ptr");
	if (flags & ~(unsigned int)MUSA_HOST_REGISTER_FLAGS)
		return musa_fail(musaErrorInvalidValue, "musaHostRegister: unknown flags 0x%x",
				 flags & ~(unsigned int)MUSA_HOST_REGISTER_FLAGS);
	if ((uintptr_t)ptr >= MUSA_DEVICE_VA_START || end > MUSA_DEVICE_VA_START)
		return musa_fail(musaErrorInvalidValue, "musaHostRegister: %p is not a host "
				 "address", ptr);
	pthread_mutex_lock(&ctx->lock);
	old = musa_alloc_overlap(ctx, (uintptr_t)ptr, size);
	pthread_mutex_unlock(&ctx->lock);
	if (old)
		return musa_fail(musaErrorHostMemoryAlreadyRegistered, "musaHostRegister: "
				 "[%p, +%zu) overlaps pinned memory at 0x%llx (%llu bytes)", ptr,
				 size, (unsigned long long)old->base,
				 (unsigned long long)old->size);
	ret = musa_drm_bo_userptr(ctx->fd, start, end - start,
				  flags & musaHostRegisterReadOnly ? MUSA_BO_READ_ONLY : 0,
				  &a.bo.handle);
	if (ret == -EBUSY)
		return musa_fail(musaErrorHostMemoryAlreadyRegistered, "musaHostRegister: the "
				 "pages of [%p, +%zu) are pinned already", ptr, size);
	if (ret)
		return musa_fail(ret == -EFAULT || ret == -EINVAL ? musaErrorInvalidValue :
				 musa_errno_error(ret, musaErrorUnknown), "musaHostRegister: "
				 "cannot pin [%p, +%zu): %s", ptr, size,
				 ret == -EFAULT ? (flags & musaHostRegisterReadOnly ?
						   "not mapped" : "not mapped writable") :
				 strerror(-ret));
	pthread_mutex_lock(&ctx->lock);
	err = musa_alloc_insert(ctx, &a);
	pthread_mutex_unlock(&ctx->lock);
	if (err)
		musa_drm_gem_close(ctx->fd, a.bo.handle);
	return err;
}

musaError_t musa_mem_unregister(struct musa_ctx *ctx, void *ptr)
{
	struct musa_alloc *a;
	musaError_t err;

	pthread_mutex_lock(&ctx->lock);
	err = musa_alloc_start(ctx, (uintptr_t)ptr, MUSA_ALLOC_REGISTERED,
			       musaErrorHostMemoryNotRegistered, "musaHostUnregister", &a);
	pthread_mutex_unlock(&ctx->lock);
	if (!err)
		err = musa_ctx_synchronize(ctx);
	if (err)
		return err;
	pthread_mutex_lock(&ctx->lock);
	a = musa_alloc_find(ctx, (uintptr_t)ptr);
	if (a && a->base == (uintptr_t)ptr)
		musa_alloc_remove(ctx, a);
	pthread_mutex_unlock(&ctx->lock);
	return musaSuccess;
}

musaError_t musa_mem_get_info(struct musa_ctx *ctx, size_t *free, size_t *total)
{
	uint64_t used;
	int ret = musa_drm_get_param(ctx->fd, MUSA_PARAM_VRAM_USED, &used);

	if (ret)
		return musa_fail(musaErrorUnknown, "cannot read device %d's memory use: %s",
				 ctx->dev->ordinal, strerror(-ret));
	if (free)
		*free = used < ctx->dev->vram_size ? ctx->dev->vram_size - used : 0;
	if (total)
		*total = ctx->dev->vram_size;
	return musaSuccess;
}

/* The allocation holding @addr in any device's context; its context in @owner. */
static struct musa_alloc *musa_alloc_find_any(uint64_t addr, struct musa_alloc *copy,
					      struct musa_ctx **owner)
{
	for (int i = 0; i < musa_device_count(); i++) {
		struct musa_ctx *ctx = &musa_device_get(i)->ctx;
		struct musa_alloc *a;

		pthread_mutex_lock(&ctx->lock);
		a = ctx->active ? musa_alloc_find(ctx, addr) : NULL;
		if (a)
			*copy = *a;
		pthread_mutex_unlock(&ctx->lock);
		if (a) {
			*owner = ctx;
			return copy;
		}
	}
	return NULL;
}

static musaError_t musa_pointer_attributes(struct musaPointerAttributes *attr, const void *ptr)
{
	struct musa_alloc copy, *a;
	struct musa_ctx *owner;

	if (!attr)
		return musa_fail(musaErrorInvalidValue, "musaPointerGetAttributes: attributes is "
				 "NULL");
	a = musa_alloc_find_any((uintptr_t)ptr, &copy, &owner);
	if (!a && (uintptr_t)ptr >= MUSA_DEVICE_VA_START)
		return musa_fail(musaErrorInvalidValue, "musaPointerGetAttributes: %p is in the "
				 "device address range but not allocated", ptr);
	if (!a) {
		*attr = (struct musaPointerAttributes){
			.type = musaMemoryTypeUnregistered, .device = -2,
			.hostPointer = (void *)ptr,
		};
		return musaSuccess;
	}
	attr->type = a->kind == MUSA_ALLOC_DEVICE ? musaMemoryTypeDevice : musaMemoryTypeHost;
	attr->device = owner->dev->ordinal;
	attr->devicePointer = (void *)ptr;
	attr->hostPointer = a->kind == MUSA_ALLOC_DEVICE ? NULL : (void *)ptr;
	return musaSuccess;
}

/* ------------------------------------------------------ the runtime API */

MUSA_EXPORT musaError_t musaMalloc(void **devPtr, size_t size)
{
	struct musa_ctx *ctx;
	uint64_t va = 0;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && !devPtr)
		err = musa_fail(musaErrorInvalidValue, "musaMalloc: devPtr is NULL");
	if (!err && size)
		err = musa_mem_alloc_device(ctx, size, false, &va);
	if (!err)
		*devPtr = (void *)(uintptr_t)va;
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaFree(void *devPtr)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && devPtr)
		err = musa_mem_free_device(ctx, (uintptr_t)devPtr, false, "musaFree");
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaHostAlloc(void **pHost, size_t size, unsigned int flags)
{
	struct musa_ctx *ctx;
	void *p = NULL;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && !pHost)
		err = musa_fail(musaErrorInvalidValue, "musaHostAlloc: pHost is NULL");
	if (!err && size)
		err = musa_mem_alloc_host(ctx, size, flags, &p);
	if (!err)
		*pHost = p;
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaMallocHost(void **ptr, size_t size)
{
	return musaHostAlloc(ptr, size, musaHostAllocDefault);
}

MUSA_EXPORT musaError_t musaFreeHost(void *ptr)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && ptr)
		err = musa_mem_free_host(ctx, ptr);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaHostRegister(void *ptr, size_t size, unsigned int flags)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_mem_register(ctx, ptr, size, flags);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaHostUnregister(void *ptr)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_mem_unregister(ctx, ptr);
	return musa_rt_return(err, __func__);
}

/* The pinned allocation holding @ptr in @ctx, copied out. */
static musaError_t musa_pinned_lookup(struct musa_ctx *ctx, const void *ptr, const char *what,
				      struct musa_alloc *copy)
{
	struct musa_alloc *a;

	pthread_mutex_lock(&ctx->lock);
	a = musa_alloc_find(ctx, (uintptr_t)ptr);
	if (a)
		*copy = *a;
	pthread_mutex_unlock(&ctx->lock);
	if (!a || a->kind == MUSA_ALLOC_DEVICE)
		return musa_fail(musaErrorInvalidValue, "%s: %p is not pinned host memory of "
				 "device %d", what, ptr, ctx->dev->ordinal);
	return musaSuccess;
}

MUSA_EXPORT musaError_t musaHostGetDevicePointer(void **pDevice, void *pHost, unsigned int flags)
{
	struct musa_ctx *ctx;
	struct musa_alloc a;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && (!pDevice || flags))
		err = musa_fail(musaErrorInvalidValue, "musaHostGetDevicePointer: %s",
				pDevice ? "flags must be 0" : "pDevice is NULL");
	if (!err)
		err = musa_pinned_lookup(ctx, pHost, "musaHostGetDevicePointer", &a);
	if (!err)
		*pDevice = pHost;
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaHostGetFlags(unsigned int *pFlags, void *pHost)
{
	struct musa_ctx *ctx;
	struct musa_alloc a;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err && !pFlags)
		err = musa_fail(musaErrorInvalidValue, "musaHostGetFlags: pFlags is NULL");
	if (!err)
		err = musa_pinned_lookup(ctx, pHost, "musaHostGetFlags", &a);
	if (!err)
		*pFlags = a.flags;
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaMemGetInfo(size_t *free, size_t *total)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_mem_get_info(ctx, free, total);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaPointerGetAttributes(struct musaPointerAttributes *attributes,
						 const void *ptr)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	if (!err)
		err = musa_pointer_attributes(attributes, ptr);
	return musa_rt_return(err, __func__);
}

/* ------------------------------------------------------- the driver API */

MUSA_EXPORT MUresult muMemAlloc(MUdeviceptr *dptr, size_t bytesize)
{
	struct musa_ctx *ctx;
	uint64_t va;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err && (!dptr || !bytesize))
		err = musa_fail(musaErrorInvalidValue, "muMemAlloc: %s", dptr ? "bytesize is 0" :
				"dptr is NULL");
	if (!err)
		err = musa_mem_alloc_device(ctx, bytesize, false, &va);
	if (!err)
		*dptr = va;
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muMemFree(MUdeviceptr dptr)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_mem_free_device(ctx, dptr, false, "muMemFree");
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muMemGetInfo(size_t *free, size_t *total)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_mem_get_info(ctx, free, total);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muMemHostAlloc(void **pp, size_t bytesize, unsigned int Flags)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err && (!pp || !bytesize))
		err = musa_fail(musaErrorInvalidValue, "muMemHostAlloc: %s", pp ?
				"bytesize is 0" : "pp is NULL");
	if (!err)
		err = musa_mem_alloc_host(ctx, bytesize, Flags, pp);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muMemAllocHost(void **pp, size_t bytesize)
{
	return muMemHostAlloc(pp, bytesize, 0);
}

MUSA_EXPORT MUresult muMemFreeHost(void *p)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_mem_free_host(ctx, p);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muMemHostRegister(void *p, size_t bytesize, unsigned int Flags)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_mem_register(ctx, p, bytesize, Flags);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muMemHostUnregister(void *p)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_mem_unregister(ctx, p);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muMemGetAddressRange(MUdeviceptr *pbase, size_t *psize, MUdeviceptr dptr)
{
	struct musa_ctx *ctx;
	struct musa_alloc *a;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err) {
		pthread_mutex_lock(&ctx->lock);
		a = musa_alloc_find(ctx, dptr);
		if (a && pbase)
			*pbase = a->base;
		if (a && psize)
			*psize = a->size;
		pthread_mutex_unlock(&ctx->lock);
		if (!a)
			err = musa_fail(musaErrorSymbolNotFound, "muMemGetAddressRange: 0x%llx is "
					"not allocated", dptr);
	}
	return musa_drv_return(err, __func__);
}
