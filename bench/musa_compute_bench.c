// SPDX-License-Identifier: MIT
/*
 * musa_compute_bench: the device side of bench/compute-bench (run in a musa-vm guest).
 * Prints "key value" lines; the script sets them beside the host's limits.
 *
 *   device_scalar_ips    instructions per second of one thread running spin.h's loop
 *   device_parallel_ips  the same loop in many blocks of many threads, all threads'
 *                        instructions per second (the script divides by the number of
 *                        compute threads)
 *   device_sgemm_gflops  mublasSgemm, N x N x N
 *   device_fp8_gflops    mublasGemmEx, E4M3 x E4M3 -> FP32, N x N x N
 *
 * Usage: musa_compute_bench [N]   (GEMM size, default 1024)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "musa.h"
#include "musa_runtime.h"
#include "mublas.h"
#include "kernels/spin.h"

extern const unsigned char compute_bench_image[];

#define CHECK(call) do {								\
	long r_ = (long)(call);								\
	if (r_) {									\
		fprintf(stderr, "musa_compute_bench: %s: error %ld: %s\n", #call, r_,	\
			musaGetLastErrorDetail());					\
		exit(1);								\
	}										\
} while (0)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Instructions per second of blocks x threads copies of the loop, iterations each. */
static double spin_ips(MUfunction spin_kernel, unsigned int blocks, unsigned int threads,
		       unsigned long iterations)
{
	unsigned long *out;
	void *args[] = { &iterations, &out };
	double start, seconds;

	CHECK(musaMalloc((void **)&out, sizeof(*out) * blocks * threads));
	start = now();
	CHECK(muLaunchKernel(spin_kernel, blocks, 1, 1, threads, 1, 1, 0, NULL, args, NULL));
	CHECK(musaDeviceSynchronize());
	seconds = now() - start;
	CHECK(musaFree(out));
	return (double)SPIN_INSNS_PER_ITER * iterations * blocks * threads / seconds;
}

/* GFLOP/s of the best of a few n x n x n GEMMs of @type into FP32. */
static double gemm_gflops(mublasHandle_t blas, musaDataType type, size_t elem, int n)
{
	const float alpha = 1.0f, beta = 0.0f;
	void *a, *b, *c;
	double best = 0;

	CHECK(musaMalloc(&a, elem * n * n));
	CHECK(musaMalloc(&b, elem * n * n));
	CHECK(musaMalloc(&c, sizeof(float) * n * n));
	/* 0x3c: 1.5 in E4M3, a small normal float bit pattern otherwise. */
	CHECK(musaMemset(a, 0x3c, elem * n * n));
	CHECK(musaMemset(b, 0x3c, elem * n * n));
	for (int rep = 0; rep < 3; rep++) {
		double start = now(), gflops;

		CHECK(mublasGemmEx(blas, MUBLAS_OP_N, MUBLAS_OP_N, n, n, n, &alpha, a, type, n,
				   b, type, n, &beta, c, MUSA_R_32F, n, MUBLAS_COMPUTE_32F,
				   MUBLAS_GEMM_DEFAULT));
		CHECK(musaDeviceSynchronize());
		gflops = 2.0 * n * n * n / (now() - start) / 1e9;
		if (gflops > best)
			best = gflops;
	}
	CHECK(musaFree(a));
	CHECK(musaFree(b));
	CHECK(musaFree(c));
	return best;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1024;
	MUmodule module;
	MUfunction spin_kernel;
	mublasHandle_t blas;

	if (n < 64) {
		fprintf(stderr, "usage: musa_compute_bench [N >= 64]\n");
		return 2;
	}
	CHECK(musaFree(NULL));		/* the primary context, current */
	CHECK(muModuleLoadData(&module, compute_bench_image));
	CHECK(muModuleGetFunction(&spin_kernel, module, "spin_kernel"));
	spin_ips(spin_kernel, 1, 1, 1000);	/* warm: code decoded, stacks allocated */

	printf("spin_insns_per_iter %d\n", SPIN_INSNS_PER_ITER);
	printf("device_scalar_ips %.4g\n", spin_ips(spin_kernel, 1, 1, 20000000));
	printf("device_parallel_ips %.4g\n", spin_ips(spin_kernel, 64, 256, 20000));

	CHECK(mublasCreate(&blas));
	printf("device_sgemm_gflops %.4g\n", gemm_gflops(blas, MUSA_R_32F, sizeof(float), n));
	printf("device_fp8_gflops %.4g\n", gemm_gflops(blas, MUSA_R_8F_E4M3, 1, n));
	CHECK(mublasDestroy(blas));
	CHECK(muModuleUnload(module));
	return 0;
}
