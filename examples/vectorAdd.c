// SPDX-License-Identifier: MIT
/*
 * vectorAdd: CUDA's vectorAddDrv sample on libmusa's driver API. The kernel is a code
 * object (vectorAdd.mubin, built from vectorAdd.mu by musa-cc, beside this program)
 * loaded with muModuleLoad and run with muLaunchKernel; the sum is checked on the
 * host. Exits non-zero on a mismatch or an error.
 *
 *   vectorAdd [--module=FILE] [--n=ELEMENTS]
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "musa.h"
#include "musa_runtime.h"

#define CHECK(call) do {							\
	MUresult r_ = (call);							\
	if (r_ != MUSA_SUCCESS) {						\
		const char *name_ = NULL;					\
		muGetErrorName(r_, &name_);					\
		fprintf(stderr, "%s failed: %s (%d): %s\n", #call,		\
			name_ ? name_ : "?", (int)r_, musaGetLastErrorDetail());	\
		exit(1);							\
	}									\
} while (0)

/* vectorAdd.mubin in this program's folder. */
static void default_module(char *path, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	snprintf(path, len, "%s/vectorAdd.mubin", n > 0 ? dirname(self) : ".");
}

int main(int argc, char **argv)
{
	char module_path[PATH_MAX + 32];
	int n = 50000, threads = 256, blocks;
	float *a, *b, *c;
	MUdeviceptr da, db, dc;
	MUcontext ctx;
	MUmodule mod;
	MUfunction vector_add;
	size_t bytes;

	default_module(module_path, sizeof(module_path));
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--module=", 9))
			snprintf(module_path, sizeof(module_path), "%s", argv[i] + 9);
		else if (!strncmp(argv[i], "--n=", 4))
			n = atoi(argv[i] + 4);
		else {
			fprintf(stderr, "usage: %s [--module=FILE] [--n=ELEMENTS]\n", argv[0]);
			return 2;
		}
	}
	if (n <= 0)
		n = 1;
	printf("[Vector addition of %d elements]\n", n);
	bytes = (size_t)n * sizeof(float);
	a = malloc(bytes);
	b = malloc(bytes);
	c = malloc(bytes);
	if (!a || !b || !c)
		return 1;
	for (int i = 0; i < n; i++) {
		a[i] = rand() / (float)RAND_MAX;
		b[i] = rand() / (float)RAND_MAX;
	}

	CHECK(muInit(0));
	CHECK(muDevicePrimaryCtxRetain(&ctx, 0));
	CHECK(muCtxSetCurrent(ctx));
	CHECK(muModuleLoad(&mod, module_path));
	CHECK(muModuleGetFunction(&vector_add, mod, "vectorAdd"));
	CHECK(muMemAlloc(&da, bytes));
	CHECK(muMemAlloc(&db, bytes));
	CHECK(muMemAlloc(&dc, bytes));
	CHECK(muMemcpyHtoD(da, a, bytes));
	CHECK(muMemcpyHtoD(db, b, bytes));

	blocks = (n + threads - 1) / threads;
	printf("MUSA kernel launch with %d blocks of %d threads\n", blocks, threads);
	{
		void *args[] = { &da, &db, &dc, &n };

		CHECK(muLaunchKernel(vector_add, blocks, 1, 1, threads, 1, 1, 0, NULL, args, NULL));
	}
	CHECK(muMemcpyDtoH(c, dc, bytes));

	for (int i = 0; i < n; i++) {
		if (c[i] != a[i] + b[i]) {
			fprintf(stderr, "Result verification failed at element %d: %g + %g != %g\n",
				i, a[i], b[i], c[i]);
			return 1;
		}
	}
	CHECK(muMemFree(da));
	CHECK(muMemFree(db));
	CHECK(muMemFree(dc));
	CHECK(muModuleUnload(mod));
	CHECK(muDevicePrimaryCtxRelease(0));
	free(a);
	free(b);
	free(c);
	printf("Test PASSED\nDone\n");
	return 0;
}
