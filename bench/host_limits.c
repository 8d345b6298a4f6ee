// SPDX-License-Identifier: MIT
/*
 * host_limits: the host's side of tools/musa-bench, the limits the device's figures
 * are set against, measured in the same run:
 *
 *   host_memcpy_SIZE    GB/s of memcpy of SIZE bytes (4 KiB, 16 KiB, ... MAX), one
 *                       thread, source and destination apart (what a copy engine
 *                       thread does);
 *   host_dgemm_gflops   OpenBLAS dgemm, N x N x N, on THREADS threads;
 *   host_sgemm_gflops   OpenBLAS sgemm, the same.
 *
 * Usage: host_limits THREADS N MAX
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

void openblas_set_num_threads(int num_threads);

/* memcpy of @size bytes, about 256 MiB in all (4 to 100 000 times). */
static double host_memcpy_gbps(char *dst, const char *src, size_t size)
{
	size_t reps = (256u << 20) / size;

	return memcpy_gbps(dst, src, size, reps < 4 ? 4 : reps > 100000 ? 100000 : reps);
}

/* The best of three n x n x n GEMMs, in GFLOP/s; @dp: double, else float. */
static double gemm_gflops(int n, int dp)
{
	size_t elems = (size_t)n * n, elem = dp ? sizeof(double) : sizeof(float);
	char *a = malloc(elems * elem), *b = malloc(elems * elem), *c = calloc(elems, elem);
	double best = 0;

	if (!a || !b || !c) {
		fprintf(stderr, "host_limits: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < elems; i++) {
		if (dp) {
			((double *)a)[i] = (double)(i % 17) / 16;
			((double *)b)[i] = (double)(i % 13) / 12;
		} else {
			((float *)a)[i] = (float)(i % 17) / 16;
			((float *)b)[i] = (float)(i % 13) / 12;
		}
	}
	for (int rep = 0; rep < 4; rep++) {	/* the first warms the threads up */
		double t0 = now(), gflops;

		if (dp)
			cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0,
				    (double *)a, n, (double *)b, n, 0.0, (double *)c, n);
		else
			cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f,
				    (float *)a, n, (float *)b, n, 0.0f, (float *)c, n);
		gflops = 2.0 * n * n * n / (now() - t0) / 1e9;
		if (rep && gflops > best)
			best = gflops;
	}
	free(a);
	free(b);
	free(c);
	return best;
}

int main(int argc, char **argv)
{
	int threads = argc > 3 ? atoi(argv[1]) : 0, n = argc > 3 ? atoi(argv[2]) : 0;
	size_t max = argc > 3 ? strtoull(argv[3], NULL, 0) : 0;
	char *src, *dst;

	if (threads < 1 || n < 16 || max < 4096) {
		fprintf(stderr, "usage: host_limits THREADS N MAX\n");
		return 2;
	}
	src = malloc(max);
	dst = malloc(max);
	if (!src || !dst)
		return 1;
	memset(src, 1, max);
	memset(dst, 2, max);
	for (size_t size = 4096; size <= max; size *= 4)
		printf("host_memcpy_%zu %.6g\n", size, host_memcpy_gbps(dst, src, size));
	free(src);
	free(dst);
	openblas_set_num_threads(threads);
	printf("host_dgemm_gflops %.6g\n", gemm_gflops(n, 1));
	printf("host_sgemm_gflops %.6g\n", gemm_gflops(n, 0));
	return 0;
}
