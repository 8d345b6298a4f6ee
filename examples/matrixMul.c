// SPDX-License-Identifier: MIT
/*
 * matrixMul: CUDA's matrixMul sample, twice: its own tiled shared-memory kernel
 * (matrixMul.mubin, built from matrixMul.mu by musa-cc, beside this program) through
 * the runtime API, then mublasSgemm on the tensor core. Both results are checked
 * against a host reference with the sample's tolerance, and each rate is printed
 * in GFLOP/s from device event times. Exits non-zero on a mismatch or an error.
 *
 *   matrixMul [-wA=N] [-hA=N] [-wB=N] [-iter=N]    (A is hA x wA, B wA x wB)
 */
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "musa.h"
#include "musa_runtime.h"
#include "mublas.h"

#define BLOCK_SIZE 16

#define CHECK(call) do {							\
	int r_ = (int)(call);							\
	if (r_) {								\
		fprintf(stderr, "%s failed: %d: %s\n", #call, r_,		\
			musaGetLastErrorDetail());				\
		exit(1);							\
	}									\
} while (0)

struct dims {
	int hA, wA, wB, iter;
};

static void parse(int argc, char **argv, struct dims *d)
{
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "-wA=", 4))
			d->wA = atoi(argv[i] + 4);
		else if (!strncmp(argv[i], "-hA=", 4))
			d->hA = atoi(argv[i] + 4);
		else if (!strncmp(argv[i], "-wB=", 4))
			d->wB = atoi(argv[i] + 4);
		else if (!strncmp(argv[i], "-iter=", 6))
			d->iter = atoi(argv[i] + 6);
		else {
			fprintf(stderr, "usage: %s [-wA=N] [-hA=N] [-wB=N] [-iter=N]\n", argv[0]);
			exit(2);
		}
	}
	if (d->hA <= 0 || d->wA <= 0 || d->wB <= 0 || d->iter <= 0) {
		fprintf(stderr, "sizes and iterations must be positive\n");
		exit(2);
	}
}

/* The sample's check: relative error over the dot length at most 1e-6. */
static int verify(const char *what, const float *C, const double *ref, int n, int dot_length)
{
	int errors = 0;

	for (int i = 0; i < n; i++) {
		double err = fabs(C[i] - ref[i]), rel = err / fabs(ref[i]) / dot_length;

		if (rel > 1e-6 && errors++ < 10)
			printf("%s: Error! Matrix[%05d]=%.8f, ref=%.8f error term is > 1e-6\n",
			       what, i, C[i], ref[i]);
	}
	printf("%s: %s\n", what, errors ? "Result = FAIL" : "Result = PASS");
	return errors;
}

static void report(const char *what, float ms, const struct dims *d)
{
	double flops = 2.0 * d->hA * d->wA * d->wB;

	printf("%s: Performance= %.3f GFlop/s, Time= %.3f msec, Size= %.0f Ops\n", what,
	       flops * 1e-9 / (ms / 1000.0), ms, flops);
}

/* The tiled kernel from matrixMul.mubin beside this program. */
static const void *tiled_kernel(MUmodule *mod)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	MUfunction f;

	self[n > 0 ? n : 0] = '\0';
	snprintf(path, sizeof(path), "%s/matrixMul.mubin", n > 0 ? dirname(self) : ".");
	CHECK(muModuleLoad(mod, path));
	CHECK(muModuleGetFunction(&f, *mod, "matrixMulTiled"));
	return (const void *)f;
}

/* Average milliseconds of @iter runs of @run between two events. */
static float timed(void (*run)(void *), void *arg, int iter)
{
	musaEvent_t start, stop;
	float ms;

	run(arg);	/* warm-up */
	CHECK(musaEventCreate(&start));
	CHECK(musaEventCreate(&stop));
	CHECK(musaEventRecord(start, 0));
	for (int i = 0; i < iter; i++)
		run(arg);
	CHECK(musaEventRecord(stop, 0));
	CHECK(musaEventSynchronize(stop));
	CHECK(musaEventElapsedTime(&ms, start, stop));
	CHECK(musaEventDestroy(start));
	CHECK(musaEventDestroy(stop));
	return ms / iter;
}

struct job {
	const struct dims *d;
	const void *kernel;
	mublasHandle_t blas;
	float *dA, *dB, *dC;
};

static void run_tiled(void *arg)
{
	struct job *j = arg;
	dim3 grid = { (j->d->wB + BLOCK_SIZE - 1) / BLOCK_SIZE,
		      (j->d->hA + BLOCK_SIZE - 1) / BLOCK_SIZE, 1 };
	void *args[] = { &j->dC, &j->dA, &j->dB, (void *)&j->d->hA, (void *)&j->d->wA,
			 (void *)&j->d->wB };

	CHECK(musaLaunchKernel(j->kernel, grid, (dim3){ BLOCK_SIZE, BLOCK_SIZE, 1 }, args, 0, 0));
}

/* Row-major C = A B is column-major C^T = B^T A^T: cuBLAS's usual trick. */
static void run_sgemm(void *arg)
{
	struct job *j = arg;
	const float one = 1, zero = 0;

	CHECK(mublasSgemm(j->blas, MUBLAS_OP_N, MUBLAS_OP_N, j->d->wB, j->d->hA, j->d->wA, &one,
			  j->dB, j->d->wB, j->dA, j->d->wA, &zero, j->dC, j->d->wB));
}

int main(int argc, char **argv)
{
	struct dims d = { 128, 96, 160, 3 };
	size_t sa, sb, sc;
	float *A, *B, *C;
	double *ref;
	struct job job = { &d, NULL, NULL, NULL, NULL, NULL };
	MUmodule mod;
	int errors;

	parse(argc, argv, &d);
	printf("[Matrix Multiply Using MUSA] - Starting...\n");
	printf("MatrixA(%d,%d), MatrixB(%d,%d)\n", d.wA, d.hA, d.wB, d.wA);
	sa = (size_t)d.hA * d.wA;
	sb = (size_t)d.wA * d.wB;
	sc = (size_t)d.hA * d.wB;
	A = malloc(sa * 4);
	B = malloc(sb * 4);
	C = malloc(sc * 4);
	ref = calloc(sc, sizeof(*ref));
	if (!A || !B || !C || !ref)
		return 1;
	for (size_t i = 0; i < sa; i++)
		A[i] = rand() / (float)RAND_MAX;
	for (size_t i = 0; i < sb; i++)
		B[i] = rand() / (float)RAND_MAX;
	for (int r = 0; r < d.hA; r++)
		for (int k = 0; k < d.wA; k++)
			for (int c = 0; c < d.wB; c++)
				ref[(size_t)r * d.wB + c] += (double)A[(size_t)r * d.wA + k] *
							     B[(size_t)k * d.wB + c];

	CHECK(musaMalloc((void **)&job.dA, sa * 4));
	CHECK(musaMalloc((void **)&job.dB, sb * 4));
	CHECK(musaMalloc((void **)&job.dC, sc * 4));
	CHECK(musaMemcpy(job.dA, A, sa * 4, musaMemcpyHostToDevice));
	CHECK(musaMemcpy(job.dB, B, sb * 4, musaMemcpyHostToDevice));
	CHECK(muInit(0));
	job.kernel = tiled_kernel(&mod);
	CHECK(mublasCreate(&job.blas));

	printf("Computing result using the tiled shared-memory kernel...\n");
	report("matrixMulTiled", timed(run_tiled, &job, d.iter), &d);
	CHECK(musaMemcpy(C, job.dC, sc * 4, musaMemcpyDeviceToHost));
	errors = verify("matrixMulTiled", C, ref, (int)sc, d.wA);

	CHECK(musaMemset(job.dC, 0, sc * 4));
	printf("Computing result using mublasSgemm...\n");
	report("mublasSgemm", timed(run_sgemm, &job, d.iter), &d);
	CHECK(musaMemcpy(C, job.dC, sc * 4, musaMemcpyDeviceToHost));
	errors += verify("mublasSgemm", C, ref, (int)sc, d.wA);

	CHECK(mublasDestroy(job.blas));
	CHECK(muModuleUnload(mod));
	CHECK(musaFree(job.dA));
	CHECK(musaFree(job.dB));
	CHECK(musaFree(job.dC));
	free(A);
	free(B);
	free(C);
	free(ref);
	printf("\nNOTE: The MUSA Samples are not meant for performance measurements on an "
	       "emulated device.\n");
	return errors ? 1 : 0;
}
