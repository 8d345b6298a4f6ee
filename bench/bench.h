/* SPDX-License-Identifier: MIT */
/*
 * What the benchmark programs share: the clock, and memcpy's bandwidth, the limit
 * copies are set against (host_limits on the host, musa_rt_bench in the guest).
 */
#ifndef BENCH_H
#define BENCH_H

#include <string.h>
#include <time.h>

/* CLOCK_MONOTONIC, in seconds. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* GB/s of @reps memcpys of @size bytes, after one to warm the caches and pages. */
static inline double memcpy_gbps(void *dst, const void *src, size_t size, size_t reps)
{
	double start;

	memcpy(dst, src, size);
	start = now();
	for (size_t i = 0; i < reps; i++) {
		memcpy(dst, src, size);
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	return (double)size * reps / (now() - start) / 1e9;
}

#endif /* BENCH_H */
