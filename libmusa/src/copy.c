// SPDX-License-Identifier: MIT
/*
 * copy.c: musaMemcpy, musaMemset and their driver API forms, as COPY and FILL
 * packets in a stream.
 *
 * Each pointer is device memory, pinned host memory (both reached by the device
 * directly) or pageable host memory, which the device cannot reach: copies from
 * it go through two pinned staging buffers in turn, the CPU filling one while the
 * device empties the other; copies to it the other way round. An address in the
 * device range that no allocation holds is passed to the device as it is: the
 * device's MMU is the judge, and a fault there is sticky like any other.
 *
 * Host blocking follows CUDA's rules: a copy from pageable memory returns once its
 * data is staged; one to host memory, and the synchronous forms from pinned memory,
 * once done; copies between device addresses and the *Async forms with pinned
 * memory return at once; host-to-host copies are done by the CPU after the stream
 * has drained. Memsets of device memory never wait; of pinned memory, the
 * synchronous forms do.
 */
#include <string.h>

#include "musa_internal.h"

enum musa_ptr_kind {
	MUSA_PTR_PAGEABLE,
	MUSA_PTR_PINNED,
	MUSA_PTR_DEVICE,
};

struct musa_ptr {
	enum musa_ptr_kind kind;
	uint64_t addr;
};

static const char *const musa_ptr_kinds[] = {
	[MUSA_PTR_PAGEABLE] = "pageable host memory",
	[MUSA_PTR_PINNED] = "pinned host memory",
	[MUSA_PTR_DEVICE] = "device memory",
};

static const char *const musa_copy_kinds[] = {
	"musaMemcpyHostToHost", "musaMemcpyHostToDevice", "musaMemcpyDeviceToHost",
	"musaMemcpyDeviceToDevice", "musaMemcpyDefault",
};

/* The device (other than @ctx's) whose memory holds @addr, or -1. */
static int musa_other_device(struct musa_ctx *ctx, uint64_t addr)
{
	for (int i = 0; i < musa_device_count(); i++) {
		struct musa_ctx *other = &musa_device_get(i)->ctx;
		bool found;

		if (other == ctx)
			continue;
		pthread_mutex_lock(&other->lock);
		found = other->active && musa_alloc_find(other, addr);
		pthread_mutex_unlock(&other->lock);
		if (found)
			return i;
	}
	return -1;
}

/* What [addr, addr + count) is, checked against its allocation. */
static musaError_t musa_classify(struct musa_ctx *ctx, uint64_t addr, size_t count,
				 const char *what, struct musa_ptr *p)
{
	struct musa_alloc *a;
	uint64_t base = 0, size = 0;
	enum musa_alloc_kind kind = MUSA_ALLOC_DEVICE;
	int other;

	if (!addr)
		return musa_fail(musaErrorInvalidValue, "%s is NULL", what);
	pthread_mutex_lock(&ctx->lock);
	a = musa_alloc_find(ctx, addr);
	if (a) {
		base = a->base;
		size = a->size;
		kind = a->kind;
	}
	pthread_mutex_unlock(&ctx->lock);
	p->addr = addr;
	if (a) {
		if (count > base + size - addr)
			return musa_fail(musaErrorInvalidValue, "%s 0x%llx + %zu bytes runs past the "
					 "end of its allocation (0x%llx, %llu bytes)", what,
					 (unsigned long long)addr, count, (unsigned long long)base,
					 (unsigned long long)size);
		p->kind = kind == MUSA_ALLOC_DEVICE ? MUSA_PTR_DEVICE : MUSA_PTR_PINNED;
		return musaSuccess;
	}
	if (addr < MUSA_DEVICE_VA_START) {
		p->kind = MUSA_PTR_PAGEABLE;
		return musaSuccess;
	}
	other = musa_other_device(ctx, addr);
	if (other >= 0)
		return musa_fail(musaErrorInvalidValue, "%s 0x%llx is memory of device %d, not of "
				 "device %d: copies between devices are not supported", what,
				 (unsigned long long)addr, other, ctx->dev->ordinal);
	p->kind = MUSA_PTR_DEVICE;
	return musaSuccess;
}

/* Whether @kind allows the pointers: "device" takes device or pinned memory. */
static musaError_t musa_check_kind(enum musaMemcpyKind kind, const struct musa_ptr *dst,
				   const struct musa_ptr *src)
{
	static const bool device_side[][2] = {	/* [kind] = { dst, src } */
		[musaMemcpyHostToHost] = { false, false },
		[musaMemcpyHostToDevice] = { true, false },
		[musaMemcpyDeviceToHost] = { false, true },
		[musaMemcpyDeviceToDevice] = { true, true },
	};
	const struct musa_ptr *ptrs[2] = { dst, src };

	if (kind == musaMemcpyDefault)
		return musaSuccess;
	for (int i = 0; i < 2; i++) {
		bool device = device_side[kind][i];
		enum musa_ptr_kind k = ptrs[i]->kind;

		if (device ? k == MUSA_PTR_PAGEABLE : k == MUSA_PTR_DEVICE)
			return musa_fail(musaErrorInvalidValue, "%s: %s 0x%llx is %s",
					 musa_copy_kinds[kind], i ? "src" : "dst",
					 (unsigned long long)ptrs[i]->addr, musa_ptr_kinds[k]);
	}
	return musaSuccess;
}

static musaError_t musa_copy_packet(struct MUstream_st *s, uint64_t dst, uint64_t src,
				    size_t count, struct musa_batch *b)
{
	struct s5000_pkt_copy copy = {
		.header = S5000_PKT_HEADER(S5000_PKT_COPY, 0, 0),
		.src = src,
		.dst = dst,
		.size = count,
	};
	musaError_t err;

	b->q = NULL;
	err = musa_batch_begin(b, s, NULL, 0);
	if (err)
		return err;
	musa_batch_emit(b, &copy);
	return musa_batch_end(b);
}

/* --------------------------------------------------------------- staging */

static musaError_t musa_staging_ready(struct musa_ctx *ctx)
{
	musaError_t err = musaSuccess;

	for (int i = 0; i < 2 && !err; i++)
		if (!ctx->staging[i].bo.handle)
			err = musa_bo_new_mapped(ctx, MUSA_STAGING_BYTES, &ctx->staging[i].bo);
	return err;
}

/* Waits until the device is done with a staging buffer. */
static musaError_t musa_staging_idle(struct musa_staging *st)
{
	return st->q ? musa_queue_wait(st->q, st->seq, musa_ctx_wait_mode(st->q->ctx)) :
		       musaSuccess;
}

void musa_staging_free(struct musa_ctx *ctx, bool ioctls)
{
	for (int i = 0; i < 2; i++) {
		musa_drm_bo_free(ioctls ? ctx->fd : -1, &ctx->staging[i].bo);
		ctx->staging[i].q = NULL;
	}
}

/* Pageable host memory to the device: returns once the last piece is staged. */
static musaError_t musa_copy_staged_in(struct MUstream_st *s, uint64_t dst, const uint8_t *src,
				       size_t count)
{
	struct musa_ctx *ctx = s->ctx;
	musaError_t err;
	size_t off, len;
	int k = 0;

	pthread_mutex_lock(&ctx->staging_lock);
	err = musa_staging_ready(ctx);
	for (off = 0; off < count && !err; off += len, k++) {
		struct musa_staging *st = &ctx->staging[k & 1];
		struct musa_batch b;

		len = count - off < MUSA_STAGING_BYTES ? count - off : MUSA_STAGING_BYTES;
		err = musa_staging_idle(st);
		if (err)
			break;
		memcpy(st->bo.cpu, src + off, len);
		err = musa_copy_packet(s, dst + off, st->bo.va, len, &b);
		if (b.q) {
			st->q = b.q;
			st->seq = b.seq;
		}
	}
	pthread_mutex_unlock(&ctx->staging_lock);
	return err;
}

/* Host memory to device memory, done when this returns (module images). */
musaError_t musa_copy_to_device(struct MUstream_st *s, uint64_t dst, const void *src,
				size_t count)
{
	musaError_t err = musa_copy_staged_in(s, dst, src, count);

	return err ? err : musa_stream_synchronize(s);
}

/* The device to pageable host memory: the device fills one buffer while the CPU
 * empties the other; returns when all is copied. */
static musaError_t musa_copy_staged_out(struct MUstream_st *s, uint8_t *dst, uint64_t src,
					size_t count)
{
	struct musa_ctx *ctx = s->ctx;
	size_t off = 0, len = 0, prev_off = 0, prev_len = 0;
	struct musa_staging *prev = NULL;
	musaError_t err;
	int k = 0;

	pthread_mutex_lock(&ctx->staging_lock);
	err = musa_staging_ready(ctx);
	for (; !err && (off < count || prev); off += len, k++) {
		struct musa_staging *st = &ctx->staging[k & 1];
		struct musa_batch b;

		len = count - off < MUSA_STAGING_BYTES ? count - off : MUSA_STAGING_BYTES;
		if (len) {
			b.q = NULL;
			err = musa_staging_idle(st);
			if (!err)
				err = musa_copy_packet(s, st->bo.va, src + off, len, &b);
			if (b.q) {
				st->q = b.q;
				st->seq = b.seq;
			}
			if (err)
				break;
		}
		if (prev) {
			err = musa_staging_idle(prev);
			if (!err)
				memcpy(dst + prev_off, prev->bo.cpu, prev_len);
		}
		prev = len ? st : NULL;
		prev_off = off;
		prev_len = len;
	}
	pthread_mutex_unlock(&ctx->staging_lock);
	return err;
}

/* ------------------------------------------------------------------ copies */

static musaError_t musa_memcpy(struct MUstream_st *s, void *dst, const void *src, size_t count,
			       enum musaMemcpyKind kind, bool async)
{
	struct musa_ptr d, sp;
	struct musa_batch b;
	musaError_t err;

	if ((unsigned int)kind > musaMemcpyDefault)
		return musa_fail(musaErrorInvalidMemcpyDirection, "copy kind %d is not a "
				 "musaMemcpyKind", (int)kind);
	if (!count)
		return musaSuccess;
	err = musa_classify(s->ctx, (uintptr_t)dst, count, "dst", &d);
	if (!err)
		err = musa_classify(s->ctx, (uintptr_t)src, count, "src", &sp);
	if (!err)
		err = musa_check_kind(kind, &d, &sp);
	if (err)
		return err;
	if (d.addr < sp.addr + count && sp.addr < d.addr + count)
		return musa_fail(musaErrorInvalidValue, "dst 0x%llx and src 0x%llx: %zu-byte "
				 "ranges overlap", (unsigned long long)d.addr,
				 (unsigned long long)sp.addr, count);
	if (d.kind != MUSA_PTR_DEVICE && sp.kind != MUSA_PTR_DEVICE) {
		err = musa_stream_synchronize(s);
		if (!err)
			memcpy(dst, src, count);
		return err;
	}
	if (sp.kind == MUSA_PTR_PAGEABLE)
		return musa_copy_staged_in(s, d.addr, src, count);
	if (d.kind == MUSA_PTR_PAGEABLE)
		return musa_copy_staged_out(s, dst, sp.addr, count);
	err = musa_copy_packet(s, d.addr, sp.addr, count, &b);
	if (!err && !async && (d.kind == MUSA_PTR_PINNED || sp.kind == MUSA_PTR_PINNED))
		err = musa_queue_wait(b.q, b.seq, musa_ctx_wait_mode(s->ctx));
	return err;
}

/* Fills @count bytes at @dst with the @width-byte @value (1, 2 or 4). */
static musaError_t musa_memset(struct MUstream_st *s, uint64_t dst, uint32_t value,
			       unsigned int width, size_t count, bool async)
{
	uint64_t narrow = value & (width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1);
	uint64_t pattern = narrow;
	struct s5000_pkt_fill fill = { 0 };
	uint64_t head = 0, body = count, wide = width;
	struct musa_ptr p;
	struct musa_batch b;
	musaError_t err;

	if (!count)
		return musaSuccess;
	err = musa_classify(s->ctx, dst, count, "devPtr", &p);
	if (err)
		return err;
	if (p.kind == MUSA_PTR_PAGEABLE)
		return musa_fail(musaErrorInvalidValue, "devPtr 0x%llx is pageable host memory: "
				 "only device and pinned memory can be set",
				 (unsigned long long)dst);
	if (dst % width)
		return musa_fail(musaErrorInvalidValue, "devPtr 0x%llx is not %u-byte aligned",
				 (unsigned long long)dst, width);
	/* Bytes: a ragged head and tail, and the middle eight bytes at a time. */
	if (width == 1 && count >= 16) {
		head = (8 - dst % 8) % 8;
		body = (count - head) & ~7ull;
		wide = 8;
		pattern *= 0x0101010101010101ull;
	}
	err = musa_batch_begin(&b, s, NULL, 0);
	if (err)
		return err;
	const struct { uint64_t at, size, width; } parts[] = {
		{ dst, head, width },
		{ dst + head, body, wide },
		{ dst + head + body, count - head - body, width },
	};
	for (size_t i = 0; i < MUSA_ARRAY_SIZE(parts); i++) {
		if (!parts[i].size)
			continue;
		fill.header = S5000_PKT_HEADER(S5000_PKT_FILL, parts[i].width, 0);
		fill.dst = parts[i].at;
		fill.size = parts[i].size;
		fill.pattern = parts[i].width == 8 ? pattern : narrow;
		musa_batch_emit(&b, &fill);
	}
	err = musa_batch_end(&b);
	if (!err && !async && p.kind == MUSA_PTR_PINNED)
		err = musa_queue_wait(b.q, b.seq, musa_ctx_wait_mode(s->ctx));
	return err;
}

/* ------------------------------------------------------ the entry points */

/* The stream an *Async call names, or the legacy stream for the synchronous forms. */
static musaError_t musa_rt_stream(musaStream_t handle, struct MUstream_st **s)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_rt_enter(&ctx);

	return err ? err : musa_stream_resolve(ctx, handle, s);
}

static musaError_t musa_drv_stream(MUstream handle, struct MUstream_st **s)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);

	return err ? err : musa_stream_resolve(ctx, handle, s);
}

MUSA_EXPORT musaError_t musaMemcpy(void *dst, const void *src, size_t count,
				   enum musaMemcpyKind kind)
{
	struct MUstream_st *s;
	musaError_t err = musa_rt_stream(NULL, &s);

	if (!err)
		err = musa_memcpy(s, dst, src, count, kind, false);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaMemcpyAsync(void *dst, const void *src, size_t count,
					enum musaMemcpyKind kind, musaStream_t stream)
{
	struct MUstream_st *s;
	musaError_t err = musa_rt_stream(stream, &s);

	if (!err)
		err = musa_memcpy(s, dst, src, count, kind, true);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaMemset(void *devPtr, int value, size_t count)
{
	struct MUstream_st *s;
	musaError_t err = musa_rt_stream(NULL, &s);

	if (!err)
		err = musa_memset(s, (uintptr_t)devPtr, (uint8_t)value, 1, count, false);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaMemsetAsync(void *devPtr, int value, size_t count,
					musaStream_t stream)
{
	struct MUstream_st *s;
	musaError_t err = musa_rt_stream(stream, &s);

	if (!err)
		err = musa_memset(s, (uintptr_t)devPtr, (uint8_t)value, 1, count, true);
	return musa_rt_return(err, __func__);
}

/* One driver API copy: @async selects the stream, else the legacy one. */
static MUresult musa_drv_memcpy(void *dst, const void *src, size_t count,
				enum musaMemcpyKind kind, MUstream stream, bool async,
				const char *func)
{
	struct MUstream_st *s;
	musaError_t err = musa_drv_stream(async ? stream : NULL, &s);

	if (!err)
		err = musa_memcpy(s, dst, src, count, kind, async);
	return musa_drv_return(err, func);
}

#define MUSA_PTR(dptr) ((void *)(uintptr_t)(dptr))

MUSA_EXPORT MUresult muMemcpy(MUdeviceptr dst, MUdeviceptr src, size_t ByteCount)
{
	return musa_drv_memcpy(MUSA_PTR(dst), MUSA_PTR(src), ByteCount, musaMemcpyDefault, NULL,
			       false, __func__);
}

MUSA_EXPORT MUresult muMemcpyAsync(MUdeviceptr dst, MUdeviceptr src, size_t ByteCount,
				   MUstream hStream)
{
	return musa_drv_memcpy(MUSA_PTR(dst), MUSA_PTR(src), ByteCount, musaMemcpyDefault,
			       hStream, true, __func__);
}

MUSA_EXPORT MUresult muMemcpyHtoD(MUdeviceptr dstDevice, const void *srcHost, size_t ByteCount)
{
	return musa_drv_memcpy(MUSA_PTR(dstDevice), srcHost, ByteCount, musaMemcpyHostToDevice,
			       NULL, false, __func__);
}

MUSA_EXPORT MUresult muMemcpyDtoH(void *dstHost, MUdeviceptr srcDevice, size_t ByteCount)
{
	return musa_drv_memcpy(dstHost, MUSA_PTR(srcDevice), ByteCount, musaMemcpyDeviceToHost,
			       NULL, false, __func__);
}

MUSA_EXPORT MUresult muMemcpyDtoD(MUdeviceptr dstDevice, MUdeviceptr srcDevice, size_t ByteCount)
{
	return musa_drv_memcpy(MUSA_PTR(dstDevice), MUSA_PTR(srcDevice), ByteCount,
			       musaMemcpyDeviceToDevice, NULL, false, __func__);
}

MUSA_EXPORT MUresult muMemcpyHtoDAsync(MUdeviceptr dstDevice, const void *srcHost,
				       size_t ByteCount, MUstream hStream)
{
	return musa_drv_memcpy(MUSA_PTR(dstDevice), srcHost, ByteCount, musaMemcpyHostToDevice,
			       hStream, true, __func__);
}

MUSA_EXPORT MUresult muMemcpyDtoHAsync(void *dstHost, MUdeviceptr srcDevice, size_t ByteCount,
				       MUstream hStream)
{
	return musa_drv_memcpy(dstHost, MUSA_PTR(srcDevice), ByteCount, musaMemcpyDeviceToHost,
			       hStream, true, __func__);
}

MUSA_EXPORT MUresult muMemcpyDtoDAsync(MUdeviceptr dstDevice, MUdeviceptr srcDevice,
				       size_t ByteCount, MUstream hStream)
{
	return musa_drv_memcpy(MUSA_PTR(dstDevice), MUSA_PTR(srcDevice), ByteCount,
			       musaMemcpyDeviceToDevice, hStream, true, __func__);
}

static MUresult musa_drv_memset(MUdeviceptr dst, uint32_t value, unsigned int width, size_t n,
				MUstream stream, bool async, const char *func)
{
	struct MUstream_st *s;
	musaError_t err = musa_drv_stream(async ? stream : NULL, &s);

	if (!err)
		err = musa_memset(s, dst, value, width, n * width, async);
	return musa_drv_return(err, func);
}

MUSA_EXPORT MUresult muMemsetD8(MUdeviceptr dstDevice, unsigned char uc, size_t N)
{
	return musa_drv_memset(dstDevice, uc, 1, N, NULL, false, __func__);
}

MUSA_EXPORT MUresult muMemsetD16(MUdeviceptr dstDevice, unsigned short us, size_t N)
{
	return musa_drv_memset(dstDevice, us, 2, N, NULL, false, __func__);
}

MUSA_EXPORT MUresult muMemsetD32(MUdeviceptr dstDevice, unsigned int ui, size_t N)
{
	return musa_drv_memset(dstDevice, ui, 4, N, NULL, false, __func__);
}

MUSA_EXPORT MUresult muMemsetD8Async(MUdeviceptr dstDevice, unsigned char uc, size_t N,
				     MUstream hStream)
{
	return musa_drv_memset(dstDevice, uc, 1, N, hStream, true, __func__);
}

MUSA_EXPORT MUresult muMemsetD16Async(MUdeviceptr dstDevice, unsigned short us, size_t N,
				      MUstream hStream)
{
	return musa_drv_memset(dstDevice, us, 2, N, hStream, true, __func__);
}

MUSA_EXPORT MUresult muMemsetD32Async(MUdeviceptr dstDevice, unsigned int ui, size_t N,
				      MUstream hStream)
{
	return musa_drv_memset(dstDevice, ui, 4, N, hStream, true, __func__);
}
