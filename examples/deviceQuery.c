// SPDX-License-Identifier: MIT
/*
 * deviceQuery: what every device says about itself, as CUDA's sample prints it, and
 * a check that the runtime and driver APIs agree. Exits non-zero on a mismatch.
 */
#include <stdio.h>
#include <string.h>

#include "musa.h"
#include "musa_runtime.h"

static int failures;

static void check(int ok, const char *what, int device)
{
	if (!ok) {
		printf("  MISMATCH on device %d: %s\n", device, what);
		failures++;
	}
}

/* The runtime's attributes and the driver API agree with the properties. */
static void cross_check(int dev, const struct musaDeviceProp *p)
{
	char name[256];
	size_t bytes = 0;
	MUuuid uuid;
	int v = -1;

	musaDeviceGetAttribute(&v, musaDevAttrMultiProcessorCount, dev);
	check(v == p->multiProcessorCount, "multiprocessor count attribute", dev);
	musaDeviceGetAttribute(&v, musaDevAttrComputeCapabilityMajor, dev);
	check(v == p->major, "compute capability attribute", dev);
	check(muDeviceGetName(name, sizeof(name), dev) == MUSA_SUCCESS &&
	      !strcmp(name, p->name), "muDeviceGetName", dev);
	check(muDeviceTotalMem(&bytes, dev) == MUSA_SUCCESS && bytes == p->totalGlobalMem,
	      "muDeviceTotalMem", dev);
	check(muDeviceGetUuid(&uuid, dev) == MUSA_SUCCESS &&
	      !memcmp(uuid.bytes, p->uuid.bytes, 16), "muDeviceGetUuid", dev);
	check(strstr(p->name, "MTT S5000") != NULL, "name contains MTT S5000", dev);
}

static void print_device(int dev, int driver, int runtime)
{
	struct musaDeviceProp p;
	const unsigned char *u;

	if (musaGetDeviceProperties(&p, dev)) {
		check(0, musaGetLastErrorDetail(), dev);
		return;
	}
	u = (const unsigned char *)p.uuid.bytes;
	printf("\nDevice %d: \"%s\"\n", dev, p.name);
	printf("  MUSA Driver Version / Runtime Version          %d.%d / %d.%d\n",
	       driver / 1000, (driver % 100) / 10, runtime / 1000, (runtime % 100) / 10);
	printf("  MUSA Capability Major/Minor version number:    %d.%d\n", p.major, p.minor);
	printf("  Total amount of global memory:                 %.0f MBytes (%zu bytes)\n",
	       p.totalGlobalMem / 1048576.0, p.totalGlobalMem);
	printf("  (%03d) Multiprocessors                          \n", p.multiProcessorCount);
	printf("  GPU Max Clock rate:                            %.0f MHz (%0.2f GHz)\n",
	       p.clockRate * 1e-3f, p.clockRate * 1e-6f);
	printf("  Memory Clock rate:                             %.0f Mhz\n", p.memoryClockRate * 1e-3f);
	printf("  Memory Bus Width:                              %d-bit\n", p.memoryBusWidth);
	printf("  L2 Cache Size:                                 %d bytes\n", p.l2CacheSize);
	printf("  Total amount of constant memory:               %zu bytes\n", p.totalConstMem);
	printf("  Total amount of shared memory per block:       %zu bytes\n", p.sharedMemPerBlock);
	printf("  Total shared memory per multiprocessor:        %zu bytes\n",
	       p.sharedMemPerMultiprocessor);
	printf("  Total number of registers available per block: %d\n", p.regsPerBlock);
	printf("  Warp size:                                     %d\n", p.warpSize);
	printf("  Maximum number of threads per multiprocessor:  %d\n",
	       p.maxThreadsPerMultiProcessor);
	printf("  Maximum number of threads per block:           %d\n", p.maxThreadsPerBlock);
	printf("  Max dimension size of a thread block (x,y,z): (%d, %d, %d)\n",
	       p.maxThreadsDim[0], p.maxThreadsDim[1], p.maxThreadsDim[2]);
	printf("  Max dimension size of a grid size    (x,y,z): (%d, %d, %d)\n",
	       p.maxGridSize[0], p.maxGridSize[1], p.maxGridSize[2]);
	printf("  Maximum memory pitch:                          %zu bytes\n", p.memPitch);
	printf("  Concurrent copy and kernel execution:          %s with %d copy engine(s)\n",
	       p.deviceOverlap ? "Yes" : "No", p.asyncEngineCount);
	printf("  Run time limit on kernels:                     %s\n",
	       p.kernelExecTimeoutEnabled ? "Yes" : "No");
	printf("  Support host page-locked memory mapping:       %s\n",
	       p.canMapHostMemory ? "Yes" : "No");
	printf("  Device has ECC support:                        %s\n",
	       p.ECCEnabled ? "Enabled" : "Disabled");
	printf("  Device supports Unified Addressing (UVA):      %s\n",
	       p.unifiedAddressing ? "Yes" : "No");
	printf("  Supports Cooperative Kernel Launch:            %s\n",
	       p.cooperativeLaunch ? "Yes" : "No");
	printf("  Device PCI Domain ID / Bus ID / location ID:   %d / %d / %d\n",
	       p.pciDomainID, p.pciBusID, p.pciDeviceID);
	printf("  Device UUID:                                   MTGPU-%02x%02x%02x%02x-%02x%02x-"
	       "%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n", u[0], u[1], u[2], u[3], u[4],
	       u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	cross_check(dev, &p);
}

int main(void)
{
	int count = 0, driver = 0, runtime = 0;
	musaError_t err;

	printf("deviceQuery Starting...\n\n MUSA Device Query (Runtime API) version\n\n");
	err = musaGetDeviceCount(&count);
	if (err) {
		printf("musaGetDeviceCount returned %d\n-> %s\n(%s)\nResult = FAIL\n", (int)err,
		       musaGetErrorString(err), musaGetLastErrorDetail());
		return 1;
	}
	printf("Detected %d MUSA Capable device(s)\n", count);
	muInit(0);
	musaDriverGetVersion(&driver);
	musaRuntimeGetVersion(&runtime);
	for (int dev = 0; dev < count; dev++)
		print_device(dev, driver, runtime);
	printf("\ndeviceQuery, MUSA Driver = MUSART, MUSA Driver Version = %d.%d, MUSA Runtime "
	       "Version = %d.%d, NumDevs = %d\n", driver / 1000, (driver % 100) / 10,
	       runtime / 1000, (runtime % 100) / 10, count);
	printf("Result = %s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
