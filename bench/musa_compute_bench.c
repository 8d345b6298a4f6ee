// SPDX-License-Identifier: MIT
/*
 * musa_compute_bench: how fast the device computes, measured in a musa-vm guest.
 * Prints "key value" lines; tools/musa-bench sets them beside the host's limits
 * (qemu-riscv64 running the same loop, OpenBLAS on as many host threads as the
 * emulator has compute threads).
 *
 *   device_scalar_ips    instructions per second of one thread running spin.h's loop
 *   device_parallel_ips  the same loop in 64 blocks of 256 threads, all threads'
 *                        instructions per second
 *   gemm_TYPE_gflops     mublasGemmEx, N x N x N, for fp64 (FP64 in and out), fp32,
 *                        tf32 (FP32 data, COMPUTE_32F_FAST_TF32), bf16, fp16 and fp8
 *                        (E4M3) in with FP32 out; the best of three
 *
 * Usage: musa_compute_bench [N | --smoke]   (GEMM size, default 1024; --smoke: N=128,
 *        short loops, one GEMM of each type)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
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

/* One GEMM configuration of mublasGemmEx. */
struct gemm_type {
	const char *key;
	musaDataType in, out;
	mublasComputeType_t compute;
	size_t in_size, out_size;
};

static const struct gemm_type gemm_types[] = {
	{ "fp64", MUSA_R_64F, MUSA_R_64F, MUBLAS_COMPUTE_64F, 8, 8 },
	{ "fp32", MUSA_R_32F, MUSA_R_32F, MUBLAS_COMPUTE_32F, 4, 4 },
	{ "tf32", MUSA_R_32F, MUSA_R_32F, MUBLAS_COMPUTE_32F_FAST_TF32, 4, 4 },
	{ "bf16", MUSA_R_16BF, MUSA_R_32F, MUBLAS_COMPUTE_32F, 2, 4 },
	{ "fp16", MUSA_R_16F, MUSA_R_32F, MUBLAS_COMPUTE_32F, 2, 4 },
	{ "fp8", MUSA_R_8F_E4M3, MUSA_R_32F, MUBLAS_COMPUTE_32F, 1, 4 },
};

/* GFLOP/s of the best of @reps n x n x n GEMMs of type @t. */
static double gemm_gflops(mublasHandle_t blas, const struct gemm_type *t, int n, int reps)
{
	const double alpha64 = 1.0, beta64 = 0.0;
	const float alpha32 = 1.0f, beta32 = 0.0f;
	int fp64 = t->compute == MUBLAS_COMPUTE_64F;
	void *a, *b, *c;
	double best = 0;

	CHECK(musaMalloc(&a, t->in_size * n * n));
	CHECK(musaMalloc(&b, t->in_size * n * n));
	CHECK(musaMalloc(&c, t->out_size * n * n));
	/*
	 * Constant operands of every byte 0x3c: 1.5 in E4M3, 1.06 in FP16, 0.0115 in
	 * BF16 and FP32, 1.6e-18 in FP64 (all normal numbers).
	 */
	CHECK(musaMemset(a, 0x3c, t->in_size * n * n));
	CHECK(musaMemset(b, 0x3c, t->in_size * n * n));
	for (int rep = 0; rep < reps; rep++) {
		double start = now(), gflops;

		CHECK(mublasGemmEx(blas, MUBLAS_OP_N, MUBLAS_OP_N, n, n, n,
				   fp64 ? (const void *)&alpha64 : &alpha32, a, t->in, n,
				   b, t->in, n, fp64 ? (const void *)&beta64 : &beta32,
				   c, t->out, n, t->compute, MUBLAS_GEMM_DEFAULT));
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
	int smoke = argc > 1 && !strcmp(argv[1], "--smoke");
	int n = smoke ? 128 : argc > 1 ? atoi(argv[1]) : 1024, reps = smoke ? 1 : 3;
	MUmodule module;
	MUfunction spin_kernel;
	mublasHandle_t blas;

	if (n < 64) {
		fprintf(stderr, "usage: musa_compute_bench [N >= 64 | --smoke]\n");
		return 2;
	}
	CHECK(musaFree(NULL));		/* the primary context, current */
	CHECK(muModuleLoadData(&module, compute_bench_image));
	CHECK(muModuleGetFunction(&spin_kernel, module, "spin_kernel"));
	spin_ips(spin_kernel, 1, 1, 1000);	/* warm: code decoded, stacks allocated */

	printf("spin_insns_per_iter %d\n", SPIN_INSNS_PER_ITER);
	printf("device_scalar_ips %.6g\n",
	       spin_ips(spin_kernel, 1, 1, smoke ? 200000 : 20000000));
	printf("device_parallel_ips %.6g\n",
	       spin_ips(spin_kernel, 64, 256, smoke ? 200 : 20000));
	printf("gemm_n %d\n", n);
	fflush(stdout);

	CHECK(mublasCreate(&blas));
	for (size_t i = 0; i < sizeof(gemm_types) / sizeof(gemm_types[0]); i++) {
		printf("gemm_%s_gflops %.6g\n", gemm_types[i].key,
		       gemm_gflops(blas, &gemm_types[i], n, reps));
		fflush(stdout);
	}
	CHECK(mublasDestroy(blas));
	CHECK(muModuleUnload(module));
	return 0;
}
