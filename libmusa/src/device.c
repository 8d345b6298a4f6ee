// SPDX-License-Identifier: MIT
/*
 * device.c: what a device is, in CUDA's terms. Properties come from musa.ko's
 * parameters where the board reports them (name, memory, compute units, clocks,
 * bus width, PCI address, serial); the limits kernels meet are the device ISA's
 * (uapi/s5000.h: 32-thread warps, 1024 threads per block, grids of 2^31 - 1 x 65535
 * x 65535, 228 KiB of shared memory per block of which 48 KiB without opt-in, as
 * in CUDA); the rest are the S5000's published figures (compute capability 3.1).
 *
 * The UUID is derived from the board serial (s5000_uuid_from_serial() in
 * uapi/s5000.h), so it is stable across boots and processes and every tool agrees on
 * it; written "MTGPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
 */
#include <stdio.h>
#include <string.h>

#include "musa_internal.h"

void musa_uuid_string(const unsigned char u[16], char *buf, size_t len)
{
	snprintf(buf, len, "MTGPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
		 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

void musa_device_props(const struct musa_device *dev, struct musaDeviceProp *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", dev->info.name);
	memcpy(p->uuid.bytes, dev->uuid, sizeof(p->uuid.bytes));
	p->totalGlobalMem = dev->vram_size;
	p->sharedMemPerBlock = MUSA_DEFAULT_SHARED;
	p->regsPerBlock = S5000_MAX_BLOCK_THREADS * MUSA_THREAD_REGS;
	p->warpSize = S5000_WARP_SIZE;
	p->memPitch = 2147483647;
	p->maxThreadsPerBlock = S5000_MAX_BLOCK_THREADS;
	p->maxThreadsDim[0] = 1024;
	p->maxThreadsDim[1] = 1024;
	p->maxThreadsDim[2] = 64;
	p->maxGridSize[0] = S5000_MAX_GRID_X;
	p->maxGridSize[1] = S5000_MAX_GRID_YZ;
	p->maxGridSize[2] = S5000_MAX_GRID_YZ;
	p->clockRate = (int)(dev->sm_clock_mhz * 1000);
	p->totalConstMem = 8192;
	p->major = 3;
	p->minor = 1;
	p->textureAlignment = 512;
	p->texturePitchAlignment = 32;
	p->deviceOverlap = 1;
	p->multiProcessorCount = (int)dev->compute_units;
	p->kernelExecTimeoutEnabled = 1;	/* musa.ko's hang timeout */
	p->canMapHostMemory = 1;
	p->surfaceAlignment = 512;
	p->concurrentKernels = 1;
	p->ECCEnabled = 1;
	p->pciBusID = (int)dev->info.pci_bus;
	p->pciDeviceID = (int)(dev->info.pci_devfn >> 3);
	p->pciDomainID = (int)dev->info.pci_domain;
	p->asyncEngineCount = 1;
	p->unifiedAddressing = 1;
	p->memoryClockRate = (int)(dev->mem_clock_mhz * 1000);
	p->memoryBusWidth = (int)dev->mem_bus_width;
	p->l2CacheSize = 60 << 20;
	p->maxThreadsPerMultiProcessor = 2048;
	p->streamPrioritiesSupported = 1;
	p->globalL1CacheSupported = 1;
	p->localL1CacheSupported = 1;
	p->sharedMemPerMultiprocessor = S5000_MAX_SHARED_BYTES;
	p->regsPerMultiprocessor = 2048 * MUSA_THREAD_REGS;
	p->multiGpuBoardGroupID = dev->ordinal;
	p->singleToDoublePrecisionPerfRatio = 2;
	p->canUseHostPointerForRegisteredMem = 1;
	p->cooperativeLaunch = 0;	/* no grid-wide synchronisation */
	p->sharedMemPerBlockOptin = S5000_MAX_SHARED_BYTES;
	p->maxBlocksPerMultiProcessor = 32;
	p->hostRegisterSupported = 1;
	p->hostRegisterReadOnlySupported = 1;
}

/* One attribute, with CUDA's number. */
musaError_t musa_device_attribute(const struct musa_device *dev, int attr, int *value)
{
	struct musaDeviceProp p;

	musa_device_props(dev, &p);
	switch (attr) {
	case musaDevAttrMaxThreadsPerBlock: *value = p.maxThreadsPerBlock; break;
	case musaDevAttrMaxBlockDimX: *value = p.maxThreadsDim[0]; break;
	case musaDevAttrMaxBlockDimY: *value = p.maxThreadsDim[1]; break;
	case musaDevAttrMaxBlockDimZ: *value = p.maxThreadsDim[2]; break;
	case musaDevAttrMaxGridDimX: *value = p.maxGridSize[0]; break;
	case musaDevAttrMaxGridDimY: *value = p.maxGridSize[1]; break;
	case musaDevAttrMaxGridDimZ: *value = p.maxGridSize[2]; break;
	case musaDevAttrMaxSharedMemoryPerBlock: *value = (int)p.sharedMemPerBlock; break;
	case musaDevAttrTotalConstantMemory: *value = (int)p.totalConstMem; break;
	case musaDevAttrWarpSize: *value = p.warpSize; break;
	case musaDevAttrMaxPitch: *value = (int)p.memPitch; break;
	case musaDevAttrMaxRegistersPerBlock: *value = p.regsPerBlock; break;
	case musaDevAttrClockRate: *value = p.clockRate; break;
	case musaDevAttrTextureAlignment: *value = (int)p.textureAlignment; break;
	case musaDevAttrGpuOverlap: *value = p.deviceOverlap; break;
	case musaDevAttrMultiProcessorCount: *value = p.multiProcessorCount; break;
	case musaDevAttrKernelExecTimeout: *value = p.kernelExecTimeoutEnabled; break;
	case musaDevAttrIntegrated: *value = p.integrated; break;
	case musaDevAttrCanMapHostMemory: *value = p.canMapHostMemory; break;
	case musaDevAttrComputeMode: *value = p.computeMode; break;
	case musaDevAttrSurfaceAlignment: *value = (int)p.surfaceAlignment; break;
	case musaDevAttrConcurrentKernels: *value = p.concurrentKernels; break;
	case musaDevAttrEccEnabled: *value = p.ECCEnabled; break;
	case musaDevAttrPciBusId: *value = p.pciBusID; break;
	case musaDevAttrPciDeviceId: *value = p.pciDeviceID; break;
	case musaDevAttrTccDriver: *value = p.tccDriver; break;
	case musaDevAttrMemoryClockRate: *value = p.memoryClockRate; break;
	case musaDevAttrGlobalMemoryBusWidth: *value = p.memoryBusWidth; break;
	case musaDevAttrL2CacheSize: *value = p.l2CacheSize; break;
	case musaDevAttrMaxThreadsPerMultiProcessor: *value = p.maxThreadsPerMultiProcessor; break;
	case musaDevAttrAsyncEngineCount: *value = p.asyncEngineCount; break;
	case musaDevAttrUnifiedAddressing: *value = p.unifiedAddressing; break;
	case musaDevAttrPciDomainId: *value = p.pciDomainID; break;
	case musaDevAttrTexturePitchAlignment: *value = (int)p.texturePitchAlignment; break;
	case musaDevAttrComputeCapabilityMajor: *value = p.major; break;
	case musaDevAttrComputeCapabilityMinor: *value = p.minor; break;
	case musaDevAttrStreamPrioritiesSupported: *value = p.streamPrioritiesSupported; break;
	case musaDevAttrGlobalL1CacheSupported: *value = p.globalL1CacheSupported; break;
	case musaDevAttrLocalL1CacheSupported: *value = p.localL1CacheSupported; break;
	case musaDevAttrMaxSharedMemoryPerMultiprocessor:
		*value = (int)p.sharedMemPerMultiprocessor;
		break;
	case musaDevAttrMaxRegistersPerMultiprocessor: *value = p.regsPerMultiprocessor; break;
	case musaDevAttrManagedMemory: *value = p.managedMemory; break;
	case musaDevAttrIsMultiGpuBoard: *value = p.isMultiGpuBoard; break;
	case musaDevAttrMultiGpuBoardGroupID: *value = p.multiGpuBoardGroupID; break;
	case musaDevAttrSingleToDoublePrecisionPerfRatio:
		*value = p.singleToDoublePrecisionPerfRatio;
		break;
	case musaDevAttrCanUseHostPointerForRegisteredMem:
		*value = p.canUseHostPointerForRegisteredMem;
		break;
	case musaDevAttrCooperativeLaunch: *value = p.cooperativeLaunch; break;
	case musaDevAttrMaxSharedMemoryPerBlockOptin: *value = (int)p.sharedMemPerBlockOptin; break;
	case musaDevAttrHostRegisterSupported: *value = p.hostRegisterSupported; break;
	case musaDevAttrMaxBlocksPerMultiprocessor: *value = p.maxBlocksPerMultiProcessor; break;
	case musaDevAttrHostRegisterReadOnlySupported:
		*value = p.hostRegisterReadOnlySupported;
		break;
	case musaDevAttrNumaId:
	case musaDevAttrHostNumaId:
		*value = -1;
		break;
	default:
		/* Textures, surfaces, managed memory, pools, IPC, ...: known, absent. */
		if (attr < musaDevAttrMaxThreadsPerBlock || attr >= musaDevAttrMax)
			return musa_fail(musaErrorInvalidValue, "device attribute %d is unknown",
					 attr);
		*value = 0;
		break;
	}
	return musaSuccess;
}

/* ------------------------------------------------------ the runtime API */

MUSA_EXPORT musaError_t musaGetDeviceCount(int *count)
{
	musaError_t err;

	if (!count)
		return musa_rt_return(musa_fail(musaErrorInvalidValue, "musaGetDeviceCount: "
						"count is NULL"), __func__);
	err = musa_init();
	*count = err ? 0 : musa_device_count();
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaGetDeviceProperties(struct musaDeviceProp *prop, int device)
{
	struct musa_device *dev;
	musaError_t err = musa_device_lookup(device, &dev);

	if (!err && !prop)
		err = musa_fail(musaErrorInvalidValue, "musaGetDeviceProperties: prop is NULL");
	if (!err)
		musa_device_props(dev, prop);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaDeviceGetAttribute(int *value, enum musaDeviceAttr attr, int device)
{
	struct musa_device *dev;
	musaError_t err = musa_device_lookup(device, &dev);

	if (!err && !value)
		err = musa_fail(musaErrorInvalidValue, "musaDeviceGetAttribute: value is NULL");
	if (!err)
		err = musa_device_attribute(dev, attr, value);
	return musa_rt_return(err, __func__);
}

static musaError_t musa_pci_bus_id(struct musa_device *dev, char *buf, int len)
{
	if (!buf || len <= 0)
		return musa_fail(musaErrorInvalidValue, "the PCI bus id buffer is NULL or empty");
	snprintf(buf, len, "%04x:%02x:%02x.%x", dev->info.pci_domain, dev->info.pci_bus,
		 dev->info.pci_devfn >> 3, dev->info.pci_devfn & 7);
	return musaSuccess;
}

MUSA_EXPORT musaError_t musaDeviceGetPCIBusId(char *pciBusId, int len, int device)
{
	struct musa_device *dev;
	musaError_t err = musa_device_lookup(device, &dev);

	if (!err)
		err = musa_pci_bus_id(dev, pciBusId, len);
	return musa_rt_return(err, __func__);
}

MUSA_EXPORT musaError_t musaDeviceGetByPCIBusId(int *device, const char *pciBusId)
{
	unsigned int domain = 0, bus, slot, fn;
	musaError_t err = musa_init();

	if (!err && (!device || !pciBusId))
		err = musa_fail(musaErrorInvalidValue, "musaDeviceGetByPCIBusId: NULL argument");
	if (!err && sscanf(pciBusId, "%x:%x:%x.%x", &domain, &bus, &slot, &fn) != 4) {
		domain = 0;
		if (sscanf(pciBusId, "%x:%x.%x", &bus, &slot, &fn) != 3)
			err = musa_fail(musaErrorInvalidValue, "'%s' is not a PCI bus id", pciBusId);
	}
	for (int i = 0; !err && i < musa_device_count(); i++) {
		struct musa_device *dev = musa_device_get(i);

		if (dev->info.pci_domain == domain && dev->info.pci_bus == bus &&
		    dev->info.pci_devfn == (slot << 3 | fn)) {
			*device = i;
			return musa_rt_return(musaSuccess, __func__);
		}
	}
	if (!err)
		err = musa_fail(musaErrorInvalidDevice, "no visible device at %s", pciBusId);
	return musa_rt_return(err, __func__);
}

static int musa_driver_version(void)
{
	return !musa_init() ? musa_device_get(0)->driver_version : 0;
}

MUSA_EXPORT musaError_t musaDriverGetVersion(int *driverVersion)
{
	if (!driverVersion)
		return musa_rt_return(musa_fail(musaErrorInvalidValue, "musaDriverGetVersion: "
						"driverVersion is NULL"), __func__);
	*driverVersion = musa_driver_version();
	return musa_rt_return(musaSuccess, __func__);
}

MUSA_EXPORT musaError_t musaRuntimeGetVersion(int *runtimeVersion)
{
	if (!runtimeVersion)
		return musa_rt_return(musa_fail(musaErrorInvalidValue, "musaRuntimeGetVersion: "
						"runtimeVersion is NULL"), __func__);
	*runtimeVersion = MUSART_VERSION;
	return musa_rt_return(musaSuccess, __func__);
}

/* ------------------------------------------------------- the driver API */

MUSA_EXPORT MUresult muDriverGetVersion(int *driverVersion)
{
	musaError_t err = musaSuccess;

	if (!driverVersion)
		err = musa_fail(musaErrorInvalidValue, "muDriverGetVersion: driverVersion is NULL");
	else
		*driverVersion = musa_driver_version();
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muDeviceGetCount(int *count)
{
	musaError_t err = musa_drv_init_check();

	if (!err && !count)
		err = musa_fail(musaErrorInvalidValue, "muDeviceGetCount: count is NULL");
	if (!err)
		*count = musa_device_count();
	return musa_drv_return(err, __func__);
}

/* The device behind a driver API handle, after the muInit check. */
static musaError_t musa_drv_device(MUdevice handle, struct musa_device **dev)
{
	musaError_t err = musa_drv_init_check();

	return err ? err : musa_device_lookup(handle, dev);
}

MUSA_EXPORT MUresult muDeviceGet(MUdevice *device, int ordinal)
{
	struct musa_device *dev;
	musaError_t err = musa_drv_device(ordinal, &dev);

	if (!err && !device)
		err = musa_fail(musaErrorInvalidValue, "muDeviceGet: device is NULL");
	if (!err)
		*device = ordinal;
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muDeviceGetName(char *name, int len, MUdevice dev)
{
	struct musa_device *d;
	musaError_t err = musa_drv_device(dev, &d);

	if (!err && (!name || len <= 0))
		err = musa_fail(musaErrorInvalidValue, "muDeviceGetName: no room for the name");
	if (!err)
		snprintf(name, len, "%s", d->info.name);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muDeviceGetUuid(MUuuid *uuid, MUdevice dev)
{
	struct musa_device *d;
	musaError_t err = musa_drv_device(dev, &d);

	if (!err && !uuid)
		err = musa_fail(musaErrorInvalidValue, "muDeviceGetUuid: uuid is NULL");
	if (!err)
		memcpy(uuid->bytes, d->uuid, sizeof(uuid->bytes));
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muDeviceTotalMem(size_t *bytes, MUdevice dev)
{
	struct musa_device *d;
	musaError_t err = musa_drv_device(dev, &d);

	if (!err && !bytes)
		err = musa_fail(musaErrorInvalidValue, "muDeviceTotalMem: bytes is NULL");
	if (!err)
		*bytes = d->vram_size;
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muDeviceGetAttribute(int *pi, MUdevice_attribute attrib, MUdevice dev)
{
	struct musa_device *d;
	musaError_t err = musa_drv_device(dev, &d);

	if (!err && !pi)
		err = musa_fail(musaErrorInvalidValue, "muDeviceGetAttribute: pi is NULL");
	if (!err)
		err = musa_device_attribute(d, attrib, pi);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muDeviceGetPCIBusId(char *pciBusId, int len, MUdevice dev)
{
	struct musa_device *d;
	musaError_t err = musa_drv_device(dev, &d);

	if (!err)
		err = musa_pci_bus_id(d, pciBusId, len);
	return musa_drv_return(err, __func__);
}
