// SPDX-License-Identifier: MIT
/*
 * simpleStreams: the same work split over several streams, which overlap, against
 * one stream doing it all, as CUDA's sample shows. Each stream fills its part of a
 * device array and copies it back into pinned memory; the result is checked.
 * Exits non-zero on a mismatch.
 *
 * Usage: simpleStreams [NSTREAMS] [MIB]
 */
#include <stdio.h>
#include <stdlib.h>

#include "musa_runtime.h"

#define CHECK(call) do {							\
	musaError_t e_ = (call);						\
	if (e_) {								\
		printf("%s failed: %s (%s)\n", #call, musaGetErrorName(e_),	\
		       musaGetLastErrorDetail());				\
		exit(1);							\
	}									\
} while (0)

/* Each of @n streams fills its chunk with its number + @round and copies it back. */
static float run(musaStream_t *streams, int n, unsigned char *h, unsigned char *d, size_t size,
		 int round)
{
	size_t chunk = size / n;
	musaEvent_t start, stop;
	float ms = 0;

	CHECK(musaEventCreate(&start));
	CHECK(musaEventCreate(&stop));
	CHECK(musaEventRecord(start, 0));
	for (int i = 0; i < n; i++) {
		CHECK(musaMemsetAsync(d + i * chunk, i + round, chunk, streams[i]));
		CHECK(musaMemcpyAsync(h + i * chunk, d + i * chunk, chunk,
				      musaMemcpyDeviceToHost, streams[i]));
	}
	CHECK(musaEventRecord(stop, 0));	/* stream 0 waits for them all */
	CHECK(musaEventSynchronize(stop));
	CHECK(musaEventElapsedTime(&ms, start, stop));
	CHECK(musaEventDestroy(start));
	CHECK(musaEventDestroy(stop));
	return ms;
}

static int check(const unsigned char *h, size_t size, int n, int round)
{
	size_t chunk = size / n;

	for (size_t i = 0; i < chunk * n; i++) {
		if (h[i] != (unsigned char)(i / chunk + round)) {
			printf("mismatch at byte %zu: %u, expected %u\n", i, h[i],
			       (unsigned char)(i / chunk + round));
			return 0;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	int nstreams = argc > 1 ? atoi(argv[1]) : 4;
	size_t size = (argc > 2 ? strtoul(argv[2], NULL, 10) : 64) << 20;
	musaStream_t *streams = calloc(nstreams, sizeof(*streams)), one;
	struct musaDeviceProp p;
	unsigned char *h, *d;
	float serial, streamed;
	int ok;

	if (nstreams < 1 || !streams || !size)
		return 2;
	CHECK(musaGetDeviceProperties(&p, 0));
	printf("[ simpleStreams ]\n> Device: %s, %d streams, %zu MiB\n", p.name, nstreams,
	       size >> 20);
	CHECK(musaMallocHost((void **)&h, size));
	CHECK(musaMalloc((void **)&d, size));
	for (int i = 0; i < nstreams; i++)
		CHECK(musaStreamCreate(&streams[i]));
	CHECK(musaStreamCreate(&one));

	/* One stream for every chunk: the work runs in order. */
	musaStream_t *serial_streams = calloc(nstreams, sizeof(*serial_streams));

	for (int i = 0; i < nstreams; i++)
		serial_streams[i] = one;
	serial = run(serial_streams, nstreams, h, d, size, 1);
	ok = check(h, size, nstreams, 1);
	streamed = run(streams, nstreams, h, d, size, 7);
	ok &= check(h, size, nstreams, 7);
	printf("memset + copy, 1 stream:        %.2f ms\n", serial);
	printf("memset + copy, %d streams:       %.2f ms\n", nstreams, streamed);
	for (int i = 0; i < nstreams; i++)
		CHECK(musaStreamDestroy(streams[i]));
	CHECK(musaStreamDestroy(one));
	CHECK(musaFreeHost(h));
	CHECK(musaFree(d));
	free(streams);
	free(serial_streams);
	printf("Test %s\n", ok ? "PASSED" : "FAILED");
	return ok ? 0 : 1;
}
