// SPDX-License-Identifier: MIT
/*
 * eventTiming: timing device work with events. Copies of growing size between two
 * events, with the device's bandwidth; a stream held by a host function for a known
 * time, which the events must show (device timestamps, within the host's own
 * measurement); and the errors CUDA gives for pending and untimed events. Exits
 * non-zero when a time or an error is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "musa_runtime.h"

#define CHECK(call) do {							\
	musaError_t e_ = (call);						\
	if (e_) {								\
		printf("%s failed: %s (%s)\n", #call, musaGetErrorName(e_),	\
		       musaGetLastErrorDetail());				\
		exit(1);							\
	}									\
} while (0)

static int failures;

static void expect(int ok, const char *what)
{
	printf("  %-58s %s\n", what, ok ? "ok" : "WRONG");
	failures += !ok;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void MUSART_CB hold_100ms(void *arg)
{
	(void)arg;
	usleep(100000);
}

int main(void)
{
	musaEvent_t start, stop, untimed;
	double host_ms;
	musaStream_t s;
	void *a, *b;
	float ms;

	CHECK(musaStreamCreate(&s));
	CHECK(musaEventCreate(&start));
	CHECK(musaEventCreateWithFlags(&stop, musaEventBlockingSync));
	CHECK(musaEventCreateWithFlags(&untimed, musaEventDisableTiming));
	CHECK(musaMalloc(&a, 64 << 20));
	CHECK(musaMalloc(&b, 64 << 20));

	printf("device-to-device copies, timed by events:\n");
	for (size_t size = 1 << 20; size <= 64 << 20; size <<= 2) {
		CHECK(musaEventRecord(start, s));
		CHECK(musaMemcpyAsync(b, a, size, musaMemcpyDeviceToDevice, s));
		CHECK(musaEventRecord(stop, s));
		CHECK(musaEventSynchronize(stop));
		CHECK(musaEventElapsedTime(&ms, start, stop));
		printf("  %6zu KiB  %9.3f ms  %9.1f MB/s\n", size >> 10, ms,
		       ms > 0 ? size / 1048576.0 / (ms / 1000) : 0);
		failures += ms < 0;
	}

	printf("a stream held 100 ms by a host function:\n");
	host_ms = now_ms();
	CHECK(musaEventRecord(start, s));
	CHECK(musaLaunchHostFunc(s, hold_100ms, NULL));
	CHECK(musaEventRecord(stop, s));
	CHECK(musaEventRecord(untimed, s));
	expect(musaEventQuery(stop) == musaErrorNotReady, "query of a pending event: not ready");
	expect(musaEventElapsedTime(&ms, start, stop) == musaErrorNotReady,
	       "elapsed time of a pending event: not ready");
	CHECK(musaEventSynchronize(stop));
	host_ms = now_ms() - host_ms;
	CHECK(musaEventElapsedTime(&ms, start, stop));
	printf("  events: %.3f ms, host: %.3f ms\n", ms, host_ms);
	expect(ms >= 99.0 && ms <= host_ms + 1.0, "the events saw the hold");
	expect(musaEventElapsedTime(&ms, start, untimed) == musaErrorInvalidResourceHandle,
	       "elapsed time of an untimed event: invalid handle");
	CHECK(musaGetLastError() == musaErrorInvalidResourceHandle ? musaSuccess :
	      musaErrorUnknown);

	CHECK(musaEventDestroy(start));
	CHECK(musaEventDestroy(stop));
	CHECK(musaEventDestroy(untimed));
	CHECK(musaStreamDestroy(s));
	CHECK(musaFree(a));
	CHECK(musaFree(b));
	printf("Test %s\n", failures ? "FAILED" : "PASSED");
	return failures ? 1 : 0;
}
