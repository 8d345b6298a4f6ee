// SPDX-License-Identifier: MIT
/*
 * musa_rt_memory_test: libmusa's memory. Device, pinned and registered host
 * memory; copies in every direction and between every kind of pointer (pageable
 * host memory staged, pinned memory direct), checked byte for byte; memsets with
 * ragged edges; pointer attributes; the errors of each call; and CUDA's rules for
 * which calls wait for the device, told apart with a gate that holds the stream.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <sys/mman.h>

#include "musa_test.h"
#include "musa_rt_test.h"

#define BIG	((9u << 20) + 4093)	/* more than two staging buffers, odd */

TEST(device_memory_alloc_and_free)
{
	void *d = (void *)1, *d2;

	MUSA_OK(musaMalloc(&d, 0));
	EXPECT_EQ(NULL, d);
	MUSA_OK(musaMalloc(&d, 12345));
	EXPECT_LE(1ull << 47, (uintptr_t)d);
	EXPECT_GT(1ull << 48, (uintptr_t)d);
	MUSA_OK(musaMalloc(&d2, 1));
	EXPECT_NE(d, d2);
	MUSA_FAILS(musaErrorInvalidValue, musaMalloc(NULL, 16));
	MUSA_FAILS(musaErrorMemoryAllocation, musaMalloc(&d2, 1ull << 46));
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "device memory")) TH_LOG("%s",
		musaGetLastErrorDetail());
	MUSA_FAILS(musaErrorInvalidValue, musaFree((char *)d + 16));
	MUSA_OK(musaFree(d));
	MUSA_FAILS(musaErrorInvalidValue, musaFree(d));
	MUSA_OK(musaFree(NULL));
	EXPECT_EQ(musaErrorInvalidValue, musaGetLastError());
	EXPECT_EQ(musaSuccess, musaGetLastError());
}

TEST(pinned_host_memory)
{
	unsigned int flags = 7;
	void *h, *h2, *dp = NULL;

	MUSA_OK(musaMallocHost(&h, 10000));
	memset(h, 0x11, 10000);
	MUSA_OK(musaHostGetFlags(&flags, h));
	EXPECT_EQ(0, flags);
	MUSA_OK(musaHostGetDevicePointer(&dp, h, 0));
	EXPECT_EQ(h, dp) TH_LOG("unified addressing: the same pointer");
	MUSA_OK(musaHostAlloc(&h2, 4096, musaHostAllocMapped | musaHostAllocPortable));
	MUSA_OK(musaHostGetFlags(&flags, h2));
	EXPECT_EQ(musaHostAllocMapped | musaHostAllocPortable, flags);
	MUSA_FAILS(musaErrorInvalidValue, musaHostAlloc(&h2, 4096, 0x80));
	MUSA_FAILS(musaErrorInvalidValue, musaHostGetDevicePointer(&dp, h, 1));
	MUSA_FAILS(musaErrorInvalidValue, musaHostGetDevicePointer(&dp, &flags, 0));
	MUSA_FAILS(musaErrorInvalidValue, musaFree(h));
	MUSA_FAILS(musaErrorInvalidValue, musaFreeHost((char *)h + 8));
	MUSA_OK(musaFreeHost(h));
	MUSA_OK(musaFreeHost(h2));
	MUSA_FAILS(musaErrorInvalidValue, musaFreeHost(h));
}

TEST(registered_host_memory)
{
	size_t size = 3 * 4096 + 100;
	char *buf = malloc(size + 8192), *p = buf + 123;
	static const char ro_text[8192] = "read-only";
	unsigned int flags;
	void *dp, *d;
	void *gone = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	munmap(gone, 8192);
	MUSA_OK(musaHostRegister(p, size, musaHostRegisterMapped));
	MUSA_FAILS(musaErrorHostMemoryAlreadyRegistered, musaHostRegister(p, size, 0));
	MUSA_FAILS(musaErrorHostMemoryAlreadyRegistered, musaHostRegister(p + 500, 10, 0));
	MUSA_OK(musaHostGetFlags(&flags, p + 10));
	EXPECT_EQ(musaHostRegisterMapped, flags);
	MUSA_OK(musaHostGetDevicePointer(&dp, p, 0));
	EXPECT_EQ((void *)p, dp);
	/* The device reads and writes the user's own pages. */
	MUSA_OK(musaMalloc(&d, size));
	rt_fill(p, size, 1);
	MUSA_OK(musaMemcpy(d, p, size, musaMemcpyHostToDevice));
	memset(p, 0, size);
	MUSA_OK(musaMemcpy(p, d, size, musaMemcpyDeviceToHost));
	EXPECT_EQ(-1, rt_check(p, size, 1));
	MUSA_FAILS(musaErrorHostMemoryNotRegistered, musaHostUnregister(p + 1));
	MUSA_OK(musaHostUnregister(p));
	MUSA_FAILS(musaErrorHostMemoryNotRegistered, musaHostUnregister(p));
	MUSA_FAILS(musaErrorInvalidValue, musaHostRegister(NULL, 4096, 0));
	MUSA_FAILS(musaErrorInvalidValue, musaHostRegister(p, 0, 0));
	MUSA_FAILS(musaErrorInvalidValue, musaHostRegister(p, 4096, 0x100));
	MUSA_FAILS(musaErrorInvalidValue, musaHostRegister(gone, 8192, 0));
	MUSA_FAILS(musaErrorInvalidValue, musaHostRegister((void *)ro_text, 4096, 0));
	MUSA_OK(musaHostRegister((void *)ro_text, 4096, musaHostRegisterReadOnly));
	MUSA_OK(musaMemcpy(d, ro_text, 16, musaMemcpyHostToDevice));
	MUSA_OK(musaHostUnregister((void *)ro_text));
	MUSA_OK(musaFree(d));
	free(buf);
}

TEST(mem_get_info_follows_allocations)
{
	struct musaDeviceProp p;
	size_t free0, total, free1;
	void *d;

	MUSA_OK(musaGetDeviceProperties(&p, 0));
	MUSA_OK(musaMemGetInfo(&free0, &total));
	EXPECT_EQ(p.totalGlobalMem, total);
	EXPECT_GE(total, free0);
	MUSA_OK(musaMalloc(&d, 64 << 20));
	MUSA_OK(musaMemGetInfo(&free1, NULL));
	EXPECT_GE(free0 - (64 << 20), free1);
	MUSA_OK(musaFree(d));
	MUSA_OK(musaMemGetInfo(&free1, NULL));
	EXPECT_EQ(free0, free1);
}

TEST(pointer_attributes)
{
	struct musaPointerAttributes a;
	char stack[16];
	void *d, *h;

	MUSA_OK(musaMalloc(&d, 4096));
	MUSA_OK(musaMallocHost(&h, 4096));
	MUSA_OK(musaPointerGetAttributes(&a, (char *)d + 100));
	EXPECT_EQ(musaMemoryTypeDevice, a.type);
	EXPECT_EQ(0, a.device);
	EXPECT_EQ((char *)d + 100, a.devicePointer);
	EXPECT_EQ(NULL, a.hostPointer);
	MUSA_OK(musaPointerGetAttributes(&a, h));
	EXPECT_EQ(musaMemoryTypeHost, a.type);
	EXPECT_EQ(h, a.devicePointer);
	EXPECT_EQ(h, a.hostPointer);
	MUSA_OK(musaPointerGetAttributes(&a, stack));
	EXPECT_EQ(musaMemoryTypeUnregistered, a.type);
	EXPECT_EQ(-2, a.device);
	EXPECT_EQ(NULL, a.devicePointer);
	EXPECT_EQ((void *)stack, a.hostPointer);
	MUSA_FAILS(musaErrorInvalidValue, musaPointerGetAttributes(&a, (char *)d + (1 << 30)));
	MUSA_FAILS(musaErrorInvalidValue, musaPointerGetAttributes(NULL, d));
}

/* Every direction between every kind of memory, through musaMemcpyDefault and the
 * explicit kinds, with sizes that span several staging buffers. */
TEST(copies_between_every_kind_of_memory)
{
	char *pageable = malloc(BIG), *pageable2 = malloc(BIG), *reg = malloc(BIG);
	void *d, *d2, *pinned, *pinned2;
	void *kinds[5];

	MUSA_OK(musaMalloc(&d, BIG));
	MUSA_OK(musaMalloc(&d2, BIG));
	MUSA_OK(musaMallocHost(&pinned, BIG));
	MUSA_OK(musaMallocHost(&pinned2, BIG));
	MUSA_OK(musaHostRegister(reg, BIG, 0));
	kinds[0] = pageable; kinds[1] = pinned; kinds[2] = reg; kinds[3] = d; kinds[4] = d2;
	rt_fill(pageable, BIG, 3);
	/* A chain through every kind: each hop copies what the previous one holds. */
	for (int hop = 0; hop < 4; hop++) {
		MUSA_OK(musaMemcpy(kinds[hop + 1], kinds[hop], BIG, musaMemcpyDefault));
	}
	MUSA_OK(musaMemcpy(pageable2, d2, BIG, musaMemcpyDeviceToHost));
	EXPECT_EQ(-1, rt_check(pageable2, BIG, 3));
	MUSA_OK(musaMemcpy(pinned2, d, BIG, musaMemcpyDeviceToHost));
	EXPECT_EQ(-1, rt_check(pinned2, BIG, 3));
	/* Explicit kinds, small and unaligned. */
	rt_fill(pageable, 777, 4);
	MUSA_OK(musaMemcpy((char *)d + 3, pageable, 777, musaMemcpyHostToDevice));
	MUSA_OK(musaMemcpy((char *)d2 + 5, (char *)d + 3, 777, musaMemcpyDeviceToDevice));
	MUSA_OK(musaMemcpy((char *)pinned + 1, (char *)d2 + 5, 777, musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(pageable2, (char *)pinned + 1, 777, musaMemcpyHostToHost));
	EXPECT_EQ(-1, rt_check(pageable2, 777, 4));
	MUSA_OK(musaMemcpy(pageable2, pageable, 777, musaMemcpyHostToHost));
	/* Pinned memory is both host and device memory. */
	MUSA_OK(musaMemcpy(pinned2, pinned, 777, musaMemcpyHostToDevice));
	MUSA_OK(musaHostUnregister(reg));
	MUSA_OK(musaFree(d));
	MUSA_OK(musaFree(d2));
	MUSA_OK(musaFreeHost(pinned));
	MUSA_OK(musaFreeHost(pinned2));
	free(pageable);
	free(pageable2);
	free(reg);
}

TEST(copy_errors)
{
	char host[64], host2[64];
	void *d, *d2;

	MUSA_OK(musaMalloc(&d, 4096));
	MUSA_OK(musaMalloc(&d2, 4096));
	MUSA_FAILS(musaErrorInvalidMemcpyDirection, musaMemcpy(d, d2, 8, (enum musaMemcpyKind)5));
	MUSA_FAILS(musaErrorInvalidValue, musaMemcpy(d, host, 8, musaMemcpyDeviceToDevice));
	MUSA_FAILS(musaErrorInvalidValue, musaMemcpy(host, host2, 8, musaMemcpyDeviceToHost));
	MUSA_FAILS(musaErrorInvalidValue, musaMemcpy(host, d, 8, musaMemcpyHostToHost));
	MUSA_FAILS(musaErrorInvalidValue, musaMemcpy(NULL, d, 8, musaMemcpyDefault));
	MUSA_FAILS(musaErrorInvalidValue, musaMemcpy(host, (char *)d + 4090, 8, musaMemcpyDefault));
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "past the end")) TH_LOG("%s",
		musaGetLastErrorDetail());
	MUSA_FAILS(musaErrorInvalidValue, musaMemcpy((char *)d + 8, d, 16, musaMemcpyDefault));
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "overlap"));
	MUSA_OK(musaMemcpy(NULL, NULL, 0, musaMemcpyDefault));
	MUSA_FAILS(musaErrorInvalidValue, musaMemset(host, 0, 8));
	/* Nothing went to the device: the context is fine. */
	MUSA_OK(musaDeviceSynchronize());
	MUSA_OK(musaFree(d));
	MUSA_OK(musaFree(d2));
}

/* Byte memsets of every alignment and length around the 8-byte middle part. */
TEST(memset_edges)
{
	uint8_t *h = malloc(256);
	void *d;

	MUSA_OK(musaMalloc(&d, 256));
	for (int off = 0; off < 9; off++) {
		for (int len = 0; len < 40; len += 3) {
			MUSA_OK(musaMemset(d, 0xee, 256));
			MUSA_OK(musaMemset((char *)d + off, off + len, len));
			MUSA_OK(musaMemcpy(h, d, 256, musaMemcpyDeviceToHost));
			for (int i = 0; i < 256; i++) {
				uint8_t want = i >= off && i < off + len ? off + len : 0xee;

				ASSERT_EQ(want, h[i]) TH_LOG("off %d len %d byte %d", off, len, i);
			}
		}
	}
	MUSA_OK(musaFree(d));
	free(h);
}

TEST(memset_pinned_and_async)
{
	musaStream_t s;
	uint8_t *h;
	void *d;

	MUSA_OK(musaMallocHost((void **)&h, 1 << 20));
	MUSA_OK(musaMemset(h, 0x42, 1 << 20));
	EXPECT_EQ(0x42, h[0]);
	EXPECT_EQ(0x42, h[(1 << 20) - 1]);
	MUSA_OK(musaStreamCreate(&s));
	MUSA_OK(musaMalloc(&d, 1 << 20));
	MUSA_OK(musaMemsetAsync(d, 0x17, 1 << 20, s));
	MUSA_OK(musaMemcpyAsync(h, d, 1 << 20, musaMemcpyDeviceToHost, s));
	MUSA_OK(musaStreamSynchronize(s));
	EXPECT_EQ(0x17, h[12345]);
	MUSA_OK(musaFreeHost(h));
	MUSA_OK(musaFree(d));
}

/* ------------------------------------------------------------ driver API */

TEST(driver_api_memory)
{
	MUcontext ctx;
	MUdeviceptr d = 0, d2 = 0;
	MUstream s;
	uint16_t h16[8];
	uint32_t h32[8];
	uint8_t h8[40];

	MU_OK(muInit(0));
	MU_OK(muDevicePrimaryCtxRetain(&ctx, 0));
	MU_OK(muCtxSetCurrent(ctx));
	EXPECT_EQ(MUSA_ERROR_INVALID_VALUE, muMemAlloc(&d, 0));
	MU_OK(muMemAlloc(&d, 4096));
	MU_OK(muMemAlloc(&d2, 4096));
	MU_OK(muStreamCreate(&s, MU_STREAM_NON_BLOCKING));
	MU_OK(muMemsetD8(d, 0x5a, 40));
	MU_OK(muMemcpyDtoH(h8, d, 40));
	EXPECT_EQ(0x5a, h8[39]);
	MU_OK(muMemsetD16(d + 2, 0xbeef, 8));
	MU_OK(muMemcpyDtoH(h16, d + 2, sizeof(h16)));
	EXPECT_EQ(0xbeef, h16[7]);
	EXPECT_EQ(MUSA_ERROR_INVALID_VALUE, muMemsetD16(d + 1, 1, 4)) TH_LOG("misaligned");
	EXPECT_EQ(MUSA_ERROR_INVALID_VALUE, muMemsetD32(d + 2, 1, 4));
	MU_OK(muMemsetD32Async(d, 0xdeadbeef, 8, s));
	MU_OK(muMemcpyDtoDAsync(d2, d, 32, s));
	MU_OK(muMemcpyDtoHAsync(h32, d2, sizeof(h32), s));
	MU_OK(muStreamSynchronize(s));
	EXPECT_EQ(0xdeadbeef, h32[7]);
	h32[0] = 7;
	MU_OK(muMemcpyHtoD(d, h32, 4));
	MU_OK(muMemcpyHtoDAsync(d + 4, h32, 4, s));
	MU_OK(muMemsetD16Async(d + 8, 0x1111, 2, s));
	MU_OK(muMemsetD8Async(d + 12, 0x22, 4, s));
	MU_OK(muStreamSynchronize(s));
	MU_OK(muMemcpyDtoD(d2, d, 16));
	MU_OK(muMemcpy((MUdeviceptr)(uintptr_t)h32, d2, 16));
	EXPECT_EQ(7, h32[0]);
	EXPECT_EQ(7, h32[1]);
	EXPECT_EQ(0x11111111, h32[2]);
	EXPECT_EQ(0x22222222, h32[3]);
	MU_OK(muMemcpyAsync(d2, (MUdeviceptr)(uintptr_t)h32, 4, s));
	MU_OK(muStreamDestroy(s));
	MU_OK(muMemFree(d));
	MU_OK(muMemFree(d2));
	EXPECT_EQ(MUSA_ERROR_INVALID_VALUE, muMemFree(d));
	MU_OK(muDevicePrimaryCtxRelease(0));
}

/* ------------------------------------------------------ host blocking rules */

FIXTURE(blocking)
{
	struct rt_gate gate;
	void *d, *d2, *pinned;
	char *pageable;
};

FIXTURE_SETUP(blocking)
{
	rt_gate_init(&self->gate);
	self->pageable = malloc(1 << 20);
	rt_fill(self->pageable, 1 << 20, 9);
	MUSA_OK(musaMalloc(&self->d, 1 << 20));
	MUSA_OK(musaMalloc(&self->d2, 1 << 20));
	MUSA_OK(musaMallocHost(&self->pinned, 1 << 20));
	/* The legacy stream, which synchronous calls use, waits at the gate. */
	MUSA_OK(rt_gate_close(&self->gate, 0));
	ASSERT_TRUE(rt_gate_wait_entered(&self->gate));
}

FIXTURE_TEARDOWN(blocking)
{
	rt_gate_open(&self->gate);
	musaDeviceSynchronize();
}

/* Device to device does not wait: it returns with the stream still held. */
TEST_F(blocking, device_to_device_returns_at_once)
{
	MUSA_OK(musaMemcpy(self->d2, self->d, 1 << 20, musaMemcpyDeviceToDevice));
	EXPECT_FALSE(rt_gate_is_open(&self->gate));
	MUSA_OK(musaMemset(self->d, 0, 1 << 20));
	EXPECT_FALSE(rt_gate_is_open(&self->gate)) TH_LOG("memset of device memory");
	MUSA_FAILS(musaErrorNotReady, musaStreamQuery(0));
}

/* From pageable memory: returns once staged, before the device copied it. */
TEST_F(blocking, from_pageable_returns_once_staged)
{
	MUSA_OK(musaMemcpy(self->d, self->pageable, 1 << 20, musaMemcpyHostToDevice));
	EXPECT_FALSE(rt_gate_is_open(&self->gate));
	memset(self->pageable, 0, 1 << 20);	/* the caller may reuse its buffer */
	rt_gate_open(&self->gate);
	MUSA_OK(musaMemcpy(self->pinned, self->d, 1 << 20, musaMemcpyDeviceToHost));
	EXPECT_EQ(-1, rt_check(self->pinned, 1 << 20, 9));
}

/* Async with pinned memory returns at once, in either direction. */
TEST_F(blocking, async_with_pinned_memory_returns_at_once)
{
	MUSA_OK(musaMemcpyAsync(self->d, self->pinned, 1 << 20, musaMemcpyHostToDevice, 0));
	MUSA_OK(musaMemcpyAsync(self->pinned, self->d2, 1 << 20, musaMemcpyDeviceToHost, 0));
	MUSA_OK(musaMemsetAsync(self->pinned, 1, 1 << 20, 0));
	EXPECT_FALSE(rt_gate_is_open(&self->gate));
}

/* These wait for the device: they return only after the gate opened. */
TEST_F(blocking, to_host_waits)
{
	rt_gate_open_later(&self->gate, 300);
	MUSA_OK(musaMemcpy(self->pageable, self->d, 4096, musaMemcpyDeviceToHost));
	EXPECT_TRUE(rt_gate_is_open(&self->gate));
	rt_gate_join(&self->gate);
}

TEST_F(blocking, pinned_to_device_waits)
{
	rt_gate_open_later(&self->gate, 300);
	MUSA_OK(musaMemcpy(self->d, self->pinned, 4096, musaMemcpyHostToDevice));
	EXPECT_TRUE(rt_gate_is_open(&self->gate));
	rt_gate_join(&self->gate);
}

TEST_F(blocking, pinned_memset_waits)
{
	rt_gate_open_later(&self->gate, 300);
	MUSA_OK(musaMemset(self->pinned, 3, 4096));
	EXPECT_TRUE(rt_gate_is_open(&self->gate));
	EXPECT_EQ(3, ((uint8_t *)self->pinned)[4095]);
	rt_gate_join(&self->gate);
}

TEST_F(blocking, host_to_host_waits_for_the_stream)
{
	rt_gate_open_later(&self->gate, 300);
	MUSA_OK(musaMemcpy(self->pageable, self->pinned, 4096, musaMemcpyHostToHost));
	EXPECT_TRUE(rt_gate_is_open(&self->gate));
	rt_gate_join(&self->gate);
}

TEST_HARNESS_MAIN
