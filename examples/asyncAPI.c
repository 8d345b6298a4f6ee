// SPDX-License-Identifier: MIT
/*
 * asyncAPI: the CPU keeps working while the device does the work it was given,
 * as CUDA's sample shows: asynchronous copies and a memset between two events, and a
 * CPU loop counting until the stop event completes. Reports the CPU time spent
 * issuing the work, the device time between the events and the CPU iterations that
 * overlapped it. Exits non-zero when the data is wrong or nothing overlapped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "musa_runtime.h"

#define CHECK(call) do {							\
	musaError_t e_ = (call);						\
	if (e_) {								\
		printf("%s failed: %s (%s)\n", #call, musaGetErrorName(e_),	\
		       musaGetLastErrorDetail());				\
		exit(1);							\
	}									\
} while (0)

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(void)
{
	const size_t n = 16 << 20;		/* ints: 64 MiB */
	const int value = 26;
	unsigned long counter = 0;
	musaEvent_t start, stop;
	struct musaDeviceProp p;
	double issue_ms;
	float gpu_ms = 0;
	int *a, *d_a, *d_b, bad = 0;

	CHECK(musaGetDeviceProperties(&p, 0));
	printf("[asyncAPI] - Starting...\nMUSA device [%s]\n", p.name);
	CHECK(musaMallocHost((void **)&a, n * sizeof(int)));
	for (size_t i = 0; i < n; i++)
		a[i] = value;
	CHECK(musaMalloc((void **)&d_a, n * sizeof(int)));
	CHECK(musaMalloc((void **)&d_b, n * sizeof(int)));
	CHECK(musaEventCreate(&start));
	CHECK(musaEventCreate(&stop));
	CHECK(musaDeviceSynchronize());

	issue_ms = now_ms();
	CHECK(musaEventRecord(start, 0));
	CHECK(musaMemsetAsync(d_b, 0, n * sizeof(int), 0));
	CHECK(musaMemcpyAsync(d_a, a, n * sizeof(int), musaMemcpyHostToDevice, 0));
	CHECK(musaMemcpyAsync(d_b, d_a, n * sizeof(int), musaMemcpyDeviceToDevice, 0));
	CHECK(musaMemsetAsync(a, 0, n * sizeof(int), 0));
	CHECK(musaMemcpyAsync(a, d_b, n * sizeof(int), musaMemcpyDeviceToHost, 0));
	CHECK(musaEventRecord(stop, 0));
	issue_ms = now_ms() - issue_ms;

	/* The CPU does something useful until the device is done. */
	while (musaEventQuery(stop) == musaErrorNotReady)
		counter++;
	CHECK(musaPeekAtLastError());
	CHECK(musaEventElapsedTime(&gpu_ms, start, stop));
	printf("time spent executing by the GPU: %.2f ms\n", gpu_ms);
	printf("time spent by CPU in MUSA calls: %.2f ms\n", issue_ms);
	printf("CPU executed %lu iterations while waiting for GPU to finish\n", counter);
	for (size_t i = 0; i < n; i++)
		bad += a[i] != value;
	if (bad)
		printf("%d elements wrong\n", bad);
	if (!counter)
		printf("no CPU work overlapped the device's\n");
	CHECK(musaEventDestroy(start));
	CHECK(musaEventDestroy(stop));
	CHECK(musaFreeHost(a));
	CHECK(musaFree(d_a));
	CHECK(musaFree(d_b));
	printf("%s\n", !bad && counter ? "Test PASSED" : "Test FAILED");
	return !bad && counter ? 0 : 1;
}
