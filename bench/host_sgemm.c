// SPDX-License-Identifier: MIT
/*
 * The host's limit for the device GEMM benchmark: OpenBLAS sgemm on a given number of
 * host threads, the same number the emulator's compute units use.
 *
 *   host_sgemm THREADS [N]   ->   "host_sgemm_gflops <value>"
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void openblas_set_num_threads(int num_threads);

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 1;
	int n = argc > 2 ? atoi(argv[2]) : 1024;
	size_t elems = (size_t)n * n;
	float *a = malloc(elems * sizeof(*a)), *b = malloc(elems * sizeof(*b));
	float *c = calloc(elems, sizeof(*c));
	double best = 0;

	if (threads < 1 || n < 16 || !a || !b || !c) {
		fprintf(stderr, "usage: host_sgemm THREADS [N >= 16]\n");
		return 2;
	}
	for (size_t i = 0; i < elems; i++) {
		a[i] = (float)(i % 17) / 16;
		b[i] = (float)(i % 13) / 12;
	}
	openblas_set_num_threads(threads);
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now(), gflops;

		cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n,
			    0.0f, c, n);
		gflops = 2.0 * n * n * n / (now() - t0) / 1e9;
		if (gflops > best)
			best = gflops;
	}
	printf("host_sgemm_gflops %.2f\n", best);
	free(a);
	free(b);
	free(c);
	return 0;
}
