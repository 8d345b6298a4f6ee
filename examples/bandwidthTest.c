// SPDX-License-Identifier: MIT
/*
 * bandwidthTest: host-to-device, device-to-host and device-to-device bandwidth for
 * pinned and pageable host memory, timed with events as CUDA's sample does, and the
 * data of every direction checked. Exits non-zero on a mismatch or an error.
 *
 * Usage: bandwidthTest [--memory=pinned|pageable|both] [--size=MIB] [--repeat=N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musa_runtime.h"

#define CHECK(call) do {							\
	musaError_t e_ = (call);						\
	if (e_) {								\
		printf("%s failed: %s (%s)\nResult = FAIL\n", #call,		\
		       musaGetErrorName(e_), musaGetLastErrorDetail());		\
		exit(1);							\
	}									\
} while (0)

struct buffers {
	size_t size;
	unsigned char *h_src, *h_dst;	/* pinned or pageable */
	void *d_a, *d_b;
};

/* MB/s of @repeat copies, timed by events around them in stream 0. */
static double timed_copy(void *dst, const void *src, size_t size, enum musaMemcpyKind kind,
			 int repeat, int pinned)
{
	musaEvent_t start, stop;
	float ms = 0;

	CHECK(musaEventCreate(&start));
	CHECK(musaEventCreate(&stop));
	CHECK(musaEventRecord(start, 0));
	for (int i = 0; i < repeat; i++) {
		if (pinned)
			CHECK(musaMemcpyAsync(dst, src, size, kind, 0));
		else
			CHECK(musaMemcpy(dst, src, size, kind));
	}
	CHECK(musaEventRecord(stop, 0));
	CHECK(musaEventSynchronize(stop));
	CHECK(musaEventElapsedTime(&ms, start, stop));
	CHECK(musaEventDestroy(start));
	CHECK(musaEventDestroy(stop));
	return (double)size * repeat / (1 << 20) / (ms / 1000.0);
}

static int same(const unsigned char *a, const unsigned char *b, size_t n, const char *what)
{
	if (!memcmp(a, b, n))
		return 1;
	printf("  data mismatch after %s\n", what);
	return 0;
}

static int run(int pinned, size_t size, int repeat)
{
	struct buffers b = { .size = size };
	double h2d, d2h, d2d;
	int ok = 1;

	if (pinned) {
		CHECK(musaMallocHost((void **)&b.h_src, size));
		CHECK(musaMallocHost((void **)&b.h_dst, size));
	} else {
		b.h_src = malloc(size);
		b.h_dst = malloc(size);
	}
	CHECK(musaMalloc(&b.d_a, size));
	CHECK(musaMalloc(&b.d_b, size));
	for (size_t i = 0; i < size; i++)
		b.h_src[i] = (unsigned char)(i * 2654435761u >> 24);
	h2d = timed_copy(b.d_a, b.h_src, size, musaMemcpyHostToDevice, repeat, pinned);
	d2h = timed_copy(b.h_dst, b.d_a, size, musaMemcpyDeviceToHost, repeat, pinned);
	ok &= same(b.h_src, b.h_dst, size, "host to device to host");
	d2d = timed_copy(b.d_b, b.d_a, size, musaMemcpyDeviceToDevice, repeat, 1);
	memset(b.h_dst, 0, size);
	CHECK(musaMemcpy(b.h_dst, b.d_b, size, musaMemcpyDeviceToHost));
	ok &= same(b.h_src, b.h_dst, size, "device to device");
	printf(" %s memory, %zu MiB transfers:\n", pinned ? "Pinned" : "Pageable", size >> 20);
	printf("   Host to Device Bandwidth     %10.1f MB/s\n", h2d);
	printf("   Device to Host Bandwidth     %10.1f MB/s\n", d2h);
	printf("   Device to Device Bandwidth   %10.1f MB/s\n", d2d);
	CHECK(musaFree(b.d_a));
	CHECK(musaFree(b.d_b));
	if (pinned) {
		CHECK(musaFreeHost(b.h_src));
		CHECK(musaFreeHost(b.h_dst));
	} else {
		free(b.h_src);
		free(b.h_dst);
	}
	return ok;
}

int main(int argc, char **argv)
{
	const char *memory = "both";
	struct musaDeviceProp p;
	size_t mib = 32;
	int repeat = 10, ok = 1;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--memory=", 9))
			memory = argv[i] + 9;
		else if (!strncmp(argv[i], "--size=", 7))
			mib = strtoul(argv[i] + 7, NULL, 10);
		else if (!strncmp(argv[i], "--repeat=", 9))
			repeat = atoi(argv[i] + 9);
		else {
			printf("usage: %s [--memory=pinned|pageable|both] [--size=MIB] "
			       "[--repeat=N]\n", argv[0]);
			return 2;
		}
	}
	CHECK(musaGetDeviceProperties(&p, 0));
	printf("[MUSA Bandwidth Test] - Starting...\n Device 0: %s\n Quick Mode\n\n", p.name);
	if (strcmp(memory, "pageable"))
		ok &= run(1, mib << 20, repeat);
	if (strcmp(memory, "pinned"))
		ok &= run(0, mib << 20, repeat);
	printf("\nResult = %s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
