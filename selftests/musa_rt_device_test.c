// SPDX-License-Identifier: MIT
/*
 * musa_rt_device_test: libmusa's devices and contexts. Count, selection,
 * properties and attributes against what musa.ko reports, versions, device flags,
 * synchronize and reset, and the driver API's device and primary-context calls,
 * on their success and error paths.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <ctype.h>
#include <stdio.h>

#include "musa_test.h"
#include "musa_rt_test.h"

TEST(count_and_selection)
{
	int n = -1, dev = -1;

	MUSA_OK(musaGetDeviceCount(&n));
	ASSERT_LE(1, n);
	MUSA_FAILS(musaErrorInvalidValue, musaGetDeviceCount(NULL));
	MUSA_OK(musaGetDevice(&dev));
	EXPECT_EQ(0, dev);
	MUSA_FAILS(musaErrorInvalidDevice, musaSetDevice(n));
	MUSA_FAILS(musaErrorInvalidDevice, musaSetDevice(-1));
	MUSA_OK(musaSetDevice(n - 1));
	MUSA_OK(musaGetDevice(&dev));
	EXPECT_EQ(n - 1, dev);
	EXPECT_EQ(musaErrorInvalidDevice, musaGetLastError());
}

/* The properties agree with what musa.ko and sysfs say about the board. */
TEST(properties_come_from_the_device)
{
	struct musaDeviceProp p;
	char bdf[32], want[32];
	int fd = musa_open();

	ASSERT_LE(0, fd);
	MUSA_OK(musaGetDeviceProperties(&p, 0));
	EXPECT_NE(NULL, strstr(p.name, "MTT S5000")) TH_LOG("name '%s'", p.name);
	EXPECT_EQ(musa_param(fd, MUSA_PARAM_VRAM_SIZE), p.totalGlobalMem);
	EXPECT_EQ(musa_param(fd, MUSA_PARAM_COMPUTE_UNITS), (uint64_t)p.multiProcessorCount);
	EXPECT_EQ(musa_param(fd, MUSA_PARAM_SM_CLOCK_MAX_MHZ) * 1000, (uint64_t)p.clockRate);
	EXPECT_EQ(musa_param(fd, MUSA_PARAM_MEM_CLOCK_MAX_MHZ) * 1000,
		  (uint64_t)p.memoryClockRate);
	EXPECT_EQ(musa_param(fd, MUSA_PARAM_MEM_BUS_WIDTH), (uint64_t)p.memoryBusWidth);
	EXPECT_EQ(3, p.major);
	EXPECT_EQ(1, p.minor);
	EXPECT_EQ(32, p.warpSize);
	EXPECT_EQ(1024, p.maxThreadsPerBlock);
	EXPECT_EQ(1, p.unifiedAddressing);
	EXPECT_EQ(1, p.canMapHostMemory);
	EXPECT_EQ(1, p.streamPrioritiesSupported);
	ASSERT_EQ(0, musa_device_bdf(0, bdf, sizeof(bdf)));
	snprintf(want, sizeof(want), "%04x:%02x:%02x.%x", p.pciDomainID, p.pciBusID,
		 p.pciDeviceID, 0);
	EXPECT_STREQ(bdf, want);
	MUSA_FAILS(musaErrorInvalidValue, musaGetDeviceProperties(NULL, 0));
	MUSA_FAILS(musaErrorInvalidDevice, musaGetDeviceProperties(&p, 99));
	close(fd);
}

TEST(attributes_match_properties)
{
	struct musaDeviceProp p;
	int v = -1;

	MUSA_OK(musaGetDeviceProperties(&p, 0));
	MUSA_OK(musaDeviceGetAttribute(&v, musaDevAttrMultiProcessorCount, 0));
	EXPECT_EQ(p.multiProcessorCount, v);
	MUSA_OK(musaDeviceGetAttribute(&v, musaDevAttrComputeCapabilityMajor, 0));
	EXPECT_EQ(3, v);
	MUSA_OK(musaDeviceGetAttribute(&v, musaDevAttrComputeCapabilityMinor, 0));
	EXPECT_EQ(1, v);
	MUSA_OK(musaDeviceGetAttribute(&v, musaDevAttrWarpSize, 0));
	EXPECT_EQ(32, v);
	MUSA_OK(musaDeviceGetAttribute(&v, musaDevAttrPciBusId, 0));
	EXPECT_EQ(p.pciBusID, v);
	MUSA_OK(musaDeviceGetAttribute(&v, musaDevAttrMaxSharedMemoryPerBlockOptin, 0));
	EXPECT_EQ((int)p.sharedMemPerBlockOptin, v);
	MUSA_OK(musaDeviceGetAttribute(&v, musaDevAttrMaxTexture1DWidth, 0));
	EXPECT_EQ(0, v) TH_LOG("no textures");
	MUSA_FAILS(musaErrorInvalidValue, musaDeviceGetAttribute(&v, (enum musaDeviceAttr)0, 0));
	MUSA_FAILS(musaErrorInvalidValue, musaDeviceGetAttribute(&v, (enum musaDeviceAttr)9999, 0));
	MUSA_FAILS(musaErrorInvalidValue, musaDeviceGetAttribute(NULL, musaDevAttrWarpSize, 0));
	MUSA_FAILS(musaErrorInvalidDevice, musaDeviceGetAttribute(&v, musaDevAttrWarpSize, 7));
}

TEST(versions_and_pci_bus_id)
{
	char id[32], upper[32];
	int v = 0, dev = -1;

	MUSA_OK(musaRuntimeGetVersion(&v));
	EXPECT_EQ(MUSART_VERSION, v);
	MUSA_OK(musaDriverGetVersion(&v));
	EXPECT_EQ(1000, v) TH_LOG("musa.ko 1.0");
	MUSA_FAILS(musaErrorInvalidValue, musaDriverGetVersion(NULL));
	MUSA_OK(musaDeviceGetPCIBusId(id, sizeof(id), 0));
	MUSA_OK(musaDeviceGetByPCIBusId(&dev, id));
	EXPECT_EQ(0, dev);
	for (size_t i = 0; i <= strlen(id); i++)
		upper[i] = (char)toupper((unsigned char)id[i]);
	MUSA_OK(musaDeviceGetByPCIBusId(&dev, upper + 5));	/* without the domain */
	EXPECT_EQ(0, dev);
	MUSA_FAILS(musaErrorInvalidDevice, musaDeviceGetByPCIBusId(&dev, "00ff:1f:1f.7"));
	MUSA_FAILS(musaErrorInvalidValue, musaDeviceGetByPCIBusId(&dev, "not a bus id"));
}

TEST(flags_and_priorities)
{
	unsigned int flags = 0;
	int least = 1, greatest = 1;

	MUSA_OK(musaSetDeviceFlags(musaDeviceScheduleBlockingSync));
	MUSA_OK(musaGetDeviceFlags(&flags));
	EXPECT_EQ(musaDeviceScheduleBlockingSync | musaDeviceMapHost, flags);
	MUSA_FAILS(musaErrorInvalidValue, musaSetDeviceFlags(0x100));
	MUSA_FAILS(musaErrorInvalidValue,
		   musaSetDeviceFlags(musaDeviceScheduleSpin | musaDeviceScheduleYield));
	MUSA_OK(musaDeviceGetStreamPriorityRange(&least, &greatest));
	EXPECT_EQ(0, least);
	EXPECT_EQ(-3, greatest);
	/* Waits sleeping in the driver still see the work finish. */
	MUSA_OK(musaDeviceSynchronize());
}

/* Reset destroys the context's memory and streams; the next call starts a new one. */
TEST(reset_starts_over)
{
	struct musaPointerAttributes attr;
	uint64_t word = 0;
	musaStream_t s;
	void *d, *h;

	MUSA_OK(musaMalloc(&d, 1 << 20));
	MUSA_OK(musaMallocHost(&h, 4096));
	MUSA_OK(musaStreamCreate(&s));
	MUSA_OK(musaMemsetAsync(d, 1, 1 << 20, s));
	MUSA_OK(musaDeviceReset());
	MUSA_FAILS(musaErrorInvalidValue, musaFree(d));
	MUSA_FAILS(musaErrorInvalidValue, musaFreeHost(h));
	MUSA_FAILS(musaErrorInvalidResourceHandle, musaStreamSynchronize(s));
	MUSA_FAILS(musaErrorInvalidValue, musaPointerGetAttributes(&attr, d));
	MUSA_OK(musaMalloc(&d, 1 << 20));
	MUSA_OK(musaMemset(d, 2, 1 << 20));
	MUSA_OK(musaMemcpy(&word, d, 8, musaMemcpyDeviceToHost));
	EXPECT_EQ(0x0202020202020202ull, word);
	MUSA_OK(musaFree(d));
}

/* With two devices (musa-vm --devices 2): each has its own context and memory. */
TEST(second_device)
{
	char first[32], second[32], h[16] = "x";
	struct musaPointerAttributes attr;
	void *d0, *d1;
	int n;

	MUSA_OK(musaGetDeviceCount(&n));
	if (n < 2)
		SKIP(return, "one device");
	MUSA_OK(musaDeviceGetPCIBusId(first, sizeof(first), 0));
	MUSA_OK(musaDeviceGetPCIBusId(second, sizeof(second), 1));
	EXPECT_LT(0, strcmp(second, first)) TH_LOG("PCI bus order");
	MUSA_OK(musaMalloc(&d0, 4096));
	MUSA_OK(musaSetDevice(1));
	MUSA_OK(musaMalloc(&d1, 4096));
	MUSA_OK(musaPointerGetAttributes(&attr, d1));
	EXPECT_EQ(1, attr.device);
	MUSA_OK(musaPointerGetAttributes(&attr, d0));
	EXPECT_EQ(0, attr.device) TH_LOG("one address space over all devices");
	MUSA_OK(musaMemcpy(d1, h, sizeof(h), musaMemcpyHostToDevice));
	MUSA_FAILS(musaErrorInvalidValue, musaMemcpy(d1, d0, 16, musaMemcpyDeviceToDevice));
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "memory of device 0"));
	MUSA_OK(musaMemcpy(h, d1, sizeof(h), musaMemcpyDeviceToHost));
	EXPECT_EQ('x', h[0]);
	MUSA_OK(musaFree(d1));
	MUSA_FAILS(musaErrorInvalidValue, musaFree(d0));
	MUSA_OK(musaSetDevice(0));
	MUSA_OK(musaFree(d0));
}

TEST(error_names_and_strings)
{
	const char *s = NULL;

	EXPECT_STREQ("musaSuccess", musaGetErrorName(musaSuccess));
	EXPECT_STREQ("musaErrorIllegalAddress", musaGetErrorName(musaErrorIllegalAddress));
	EXPECT_STREQ("an illegal memory access was encountered",
		     musaGetErrorString(musaErrorIllegalAddress));
	EXPECT_STREQ("invalid argument", musaGetErrorString(musaErrorInvalidValue));
	EXPECT_STREQ("unrecognized error code", musaGetErrorName((musaError_t)12345));
	EXPECT_STREQ("unrecognized error code", musaGetErrorString((musaError_t)12345));
	EXPECT_EQ(MUSA_SUCCESS, muGetErrorName(MUSA_ERROR_INVALID_CONTEXT, &s));
	EXPECT_STREQ("MUSA_ERROR_INVALID_CONTEXT", s);
	EXPECT_EQ(MUSA_SUCCESS, muGetErrorString(MUSA_ERROR_NOT_READY, &s));
	EXPECT_STREQ("device not ready", s);
	EXPECT_EQ(MUSA_ERROR_INVALID_VALUE, muGetErrorName((MUresult)12345, &s));
	EXPECT_EQ(NULL, s);
	EXPECT_EQ(MUSA_ERROR_INVALID_VALUE, muGetErrorString(MUSA_SUCCESS, NULL));
}

/* ------------------------------------------------------------- driver API */

TEST(driver_api_needs_mu_init)
{
	MUcontext ctx;
	int n;

	EXPECT_EQ(MUSA_ERROR_NOT_INITIALIZED, muDeviceGetCount(&n));
	EXPECT_EQ(MUSA_ERROR_NOT_INITIALIZED, muCtxGetCurrent(&ctx));
	EXPECT_EQ(MUSA_ERROR_INVALID_VALUE, muInit(1));
	MU_OK(muInit(0));
	MU_OK(muDeviceGetCount(&n));
	EXPECT_LE(1, n);
}

TEST(driver_api_devices)
{
	struct musaDeviceProp p;
	char name[64], id[32], bdf[32];
	size_t bytes = 0;
	MUdevice dev = -1;
	MUuuid uuid;
	int v = 0;

	MU_OK(muInit(0));
	MU_OK(muDeviceGet(&dev, 0));
	EXPECT_EQ(0, dev);
	EXPECT_EQ(MUSA_ERROR_INVALID_DEVICE, muDeviceGet(&dev, 42));
	MU_OK(muDeviceGetName(name, sizeof(name), 0));
	EXPECT_NE(NULL, strstr(name, "MTT S5000"));
	MU_OK(muDeviceGetName(name, 4, 0));
	EXPECT_EQ(3, strlen(name)) TH_LOG("truncated to len - 1");
	MU_OK(muDeviceTotalMem(&bytes, 0));
	MUSA_OK(musaGetDeviceProperties(&p, 0));
	EXPECT_EQ(p.totalGlobalMem, bytes);
	MU_OK(muDeviceGetAttribute(&v, MU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 0));
	EXPECT_EQ(p.multiProcessorCount, v);
	MU_OK(muDeviceGetAttribute(&v, MU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 0));
	EXPECT_EQ(3, v);
	EXPECT_EQ(MUSA_ERROR_INVALID_VALUE, muDeviceGetAttribute(&v, (MUdevice_attribute)0, 0));
	MU_OK(muDeviceGetUuid(&uuid, 0));
	EXPECT_EQ(0, memcmp(uuid.bytes, p.uuid.bytes, 16));
	EXPECT_EQ(0x80, uuid.bytes[6] & 0xf0) TH_LOG("version 8");
	MU_OK(muDeviceGetPCIBusId(id, sizeof(id), 0));
	ASSERT_EQ(0, musa_device_bdf(0, bdf, sizeof(bdf)));
	EXPECT_STREQ(bdf, id);
	MU_OK(muDriverGetVersion(&v));
	EXPECT_EQ(1000, v);
}

TEST(driver_api_primary_context)
{
	MUcontext ctx = NULL, cur = (MUcontext)1;
	unsigned int flags = 1;
	MUdevice dev = -1;
	int active = -1;

	MU_OK(muInit(0));
	MU_OK(muCtxGetCurrent(&cur));
	EXPECT_EQ(NULL, cur);
	EXPECT_EQ(MUSA_ERROR_INVALID_CONTEXT, muCtxSynchronize());
	EXPECT_EQ(MUSA_ERROR_INVALID_CONTEXT, muDevicePrimaryCtxRelease(0));
	MU_OK(muDevicePrimaryCtxGetState(0, &flags, &active));
	EXPECT_EQ(0, active);
	MU_OK(muDevicePrimaryCtxRetain(&ctx, 0));
	ASSERT_NE(NULL, ctx);
	MU_OK(muDevicePrimaryCtxGetState(0, &flags, &active));
	EXPECT_EQ(1, active);
	MU_OK(muCtxSetCurrent(ctx));
	MU_OK(muCtxGetCurrent(&cur));
	EXPECT_EQ(ctx, cur);
	MU_OK(muCtxGetDevice(&dev));
	EXPECT_EQ(0, dev);
	MU_OK(muCtxSynchronize());
	EXPECT_EQ(MUSA_ERROR_INVALID_CONTEXT, muCtxSetCurrent((MUcontext)&flags));
	MU_OK(muDevicePrimaryCtxSetFlags(0, MU_CTX_SCHED_YIELD));
	EXPECT_EQ(MUSA_ERROR_INVALID_VALUE, muDevicePrimaryCtxSetFlags(0, 0x1000));
	/* The last release destroys it. */
	MU_OK(muDevicePrimaryCtxRelease(0));
	MU_OK(muDevicePrimaryCtxGetState(0, &flags, &active));
	EXPECT_EQ(0, active);
	MU_OK(muCtxSetCurrent(NULL));
	EXPECT_EQ(MUSA_ERROR_INVALID_CONTEXT, muCtxSynchronize());
}

/* The runtime and the driver API share the primary context and its memory. */
TEST(runtime_and_driver_api_share_the_context)
{
	MUdeviceptr base = 0, dptr = 0;
	MUcontext ctx = NULL, primary = NULL;
	size_t size = 0;
	uint32_t words[4];
	void *d;

	MUSA_OK(musaMalloc(&d, 3000));
	MU_OK(muCtxGetCurrent(&ctx));
	ASSERT_NE(NULL, ctx) TH_LOG("the runtime made its context current");
	MU_OK(muDevicePrimaryCtxRetain(&primary, 0));
	EXPECT_EQ(ctx, primary);
	MU_OK(muMemGetAddressRange(&base, &size, (MUdeviceptr)(uintptr_t)d + 100));
	EXPECT_EQ((MUdeviceptr)(uintptr_t)d, base);
	EXPECT_EQ(3000, size);
	EXPECT_EQ(MUSA_ERROR_NOT_FOUND,
		  muMemGetAddressRange(&base, &size, (1ull << 47) + (1ull << 40)));
	MU_OK(muMemsetD32((MUdeviceptr)(uintptr_t)d, 0xabcd1234, 4));
	MUSA_OK(musaMemcpy(words, d, sizeof(words), musaMemcpyDeviceToHost));
	EXPECT_EQ(0xabcd1234, words[3]);
	MU_OK(muMemAlloc(&dptr, 64));
	MUSA_OK(musaMemcpy((void *)(uintptr_t)dptr, d, 16, musaMemcpyDeviceToDevice));
	MU_OK(muMemcpyDtoH(words, dptr, sizeof(words)));
	EXPECT_EQ(0xabcd1234, words[0]);
	MUSA_OK(musaFree((void *)(uintptr_t)dptr));
	EXPECT_EQ(MUSA_ERROR_INVALID_VALUE, muMemFree(dptr));
	MU_OK(muDevicePrimaryCtxRelease(0));
	/* Still in use by the runtime: not destroyed. */
	MUSA_OK(musaFree(d));
}

TEST_HARNESS_MAIN
