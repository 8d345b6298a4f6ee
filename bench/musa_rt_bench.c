// SPDX-License-Identifier: MIT
/*
 * musa_rt_bench: what libmusa costs, as ratios to baselines measured in the same
 * run rather than to figures from another day.
 *
 *   - copy bandwidth (bandwidthTest-style, pinned and pageable host memory, every
 *     direction) against the CPU's memcpy of the same size;
 *   - the enqueue rate of musaMemsetAsync and musaMemcpyAsync against writing the
 *     same FILL or COPY packet plus a fence straight into a user-mode queue;
 *   - synchronize latency (a small memset, then musaStreamSynchronize) against the
 *     same round trip on a raw queue, waited for with MUSA_IOCTL_WAIT.
 *
 * The raw queue is the kmod benchmark's (selftests/musa_test.h), on a file of its
 * own. Not a test: it asserts nothing and exits 0 unless the device cannot be used.
 *
 * Usage (in a musa-vm guest): musa_rt_bench [MIB] [ITERATIONS]
 */
#include "musa_test.h"
#include "musa_runtime.h"

#define CHECK(call) do {								\
	musaError_t e_ = (call);							\
	if (e_) {									\
		fprintf(stderr, "musa_rt_bench: %s: %s: %s\n", #call,			\
			musaGetErrorName(e_), musaGetLastErrorDetail());		\
		exit(1);								\
	}										\
} while (0)

static double seconds_since(uint64_t start_ns)
{
	return (musa_now_ns() - start_ns) / 1e9;
}

/* GB/s of @reps copies of @size bytes, each waited for. */
static double copy_gbps(void *dst, const void *src, size_t size, enum musaMemcpyKind kind,
			int reps)
{
	uint64_t start;

	CHECK(musaMemcpy(dst, src, size, kind));	/* warm up */
	CHECK(musaDeviceSynchronize());
	start = musa_now_ns();
	for (int i = 0; i < reps; i++)
		CHECK(musaMemcpy(dst, src, size, kind));
	CHECK(musaDeviceSynchronize());
	return (double)size * reps / seconds_since(start) / 1e9;
}

static double memcpy_gbps(void *dst, const void *src, size_t size, int reps)
{
	uint64_t start;

	memcpy(dst, src, size);
	start = musa_now_ns();
	for (int i = 0; i < reps; i++) {
		memcpy(dst, src, size);
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	return (double)size * reps / seconds_since(start) / 1e9;
}

static void bandwidth(size_t size, int reps)
{
	void *d, *d2, *pinned, *pinned2;
	char *pageable = malloc(size), *pageable2 = malloc(size);
	double host;
	const struct {
		const char *what;
		void **dst, **src;
		enum musaMemcpyKind kind;
	} runs[] = {
		{ "host to device, pinned", &d, &pinned, musaMemcpyHostToDevice },
		{ "device to host, pinned", &pinned2, &d, musaMemcpyDeviceToHost },
		{ "host to device, pageable", &d, (void **)&pageable, musaMemcpyHostToDevice },
		{ "device to host, pageable", (void **)&pageable2, &d, musaMemcpyDeviceToHost },
		{ "device to device", &d2, &d, musaMemcpyDeviceToDevice },
	};

	CHECK(musaMalloc(&d, size));
	CHECK(musaMalloc(&d2, size));
	CHECK(musaMallocHost(&pinned, size));
	CHECK(musaMallocHost(&pinned2, size));
	memset(pageable, 1, size);
	memset(pinned, 2, size);
	host = memcpy_gbps(pageable2, pageable, size, reps);
	printf("bandwidth, %zu MiB copies (host memcpy: %.2f GB/s)\n", size >> 20, host);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		double gbps = copy_gbps(*runs[i].dst, *runs[i].src, size, runs[i].kind, reps);

		printf("  %-44s %8.2f GB/s %8.2f x host memcpy\n", runs[i].what, gbps,
		       gbps / host);
	}
	CHECK(musaFree(d));
	CHECK(musaFree(d2));
	CHECK(musaFreeHost(pinned));
	CHECK(musaFreeHost(pinned2));
	free(pageable);
	free(pageable2);
}

/* Raw queue: @n packets (each with a fence, as libmusa writes them) per second. */
static double raw_enqueue_rate(struct musa_queue *q, const void *packet, unsigned int n)
{
	uint64_t start = musa_now_ns(), seq = 0;

	for (unsigned int i = 0; i < n; i++) {
		musa_queue_push(q, packet);
		seq = musa_queue_fence(q);
	}
	musa_queue_wait(q, seq, 30000);
	return n / seconds_since(start);
}

/* Raw queue: a FILL and a fence, waited for by spinning or in MUSA_IOCTL_WAIT, in ns. */
static double raw_round_trip_ns(struct musa_queue *q, uint64_t va, unsigned int n, int sleep)
{
	struct s5000_pkt_fill fill = musa_pkt_fill(va, 4, 0);
	uint64_t start = musa_now_ns(), seq;

	for (unsigned int i = 0; i < n; i++) {
		musa_queue_push(q, &fill);
		seq = musa_queue_fence(q);
		if (sleep)
			musa_queue_wait(q, seq, 5000);
		else
			while (__atomic_load_n(q->fence, __ATOMIC_ACQUIRE) < seq)
				;
	}
	return (musa_now_ns() - start) / (double)n;
}

static double rt_memset_rate(musaStream_t s, void *d, unsigned int n)
{
	uint64_t start = musa_now_ns();

	for (unsigned int i = 0; i < n; i++)
		CHECK(musaMemsetAsync(d, i, 4, s));
	CHECK(musaStreamSynchronize(s));
	return n / seconds_since(start);
}

static double rt_copy_rate(musaStream_t s, void *d, unsigned int n)
{
	uint64_t start = musa_now_ns();

	for (unsigned int i = 0; i < n; i++)
		CHECK(musaMemcpyAsync((char *)d + 64, d, 64, musaMemcpyDeviceToDevice, s));
	CHECK(musaStreamSynchronize(s));
	return n / seconds_since(start);
}

static double rt_round_trip_ns(musaStream_t s, void *d, unsigned int n)
{
	uint64_t start = musa_now_ns();

	for (unsigned int i = 0; i < n; i++) {
		CHECK(musaMemsetAsync(d, i, 4, s));
		CHECK(musaStreamSynchronize(s));
	}
	return (musa_now_ns() - start) / (double)n;
}

static void overhead(unsigned int n)
{
	struct s5000_pkt_fill fill;
	struct s5000_pkt_copy copy;
	struct musa_queue q;
	struct musa_bo bo;
	double raw, rt;
	musaStream_t s;
	void *d;
	int fd = musa_open();

	if (fd < 0 || musa_queue_open(fd, 10, &q) ||
	    musa_bo_new(fd, 4096, MUSA_PLACEMENT_VRAM, 0, &bo)) {
		fprintf(stderr, "musa_rt_bench: no raw queue for the baseline\n");
		exit(1);
	}
	fill = musa_pkt_fill(bo.va, 4, 0);
	copy = musa_pkt_copy(bo.va + 64, bo.va, 64);
	CHECK(musaStreamCreateWithFlags(&s, musaStreamNonBlocking));
	CHECK(musaMalloc(&d, 4096));
	rt_round_trip_ns(s, d, 20);	/* warm up: the stream's queue exists */
	raw_round_trip_ns(&q, bo.va, 20, 0);
	printf("runtime overhead, %u operations each (raw: packets straight into a queue)\n", n);
	raw = raw_enqueue_rate(&q, &fill, n);
	rt = rt_memset_rate(s, d, n);
	printf("  %-44s %8.0f /s   raw %8.0f /s   %6.2f x raw\n", "enqueue musaMemsetAsync",
	       rt, raw, rt / raw);
	raw = raw_enqueue_rate(&q, &copy, n);
	rt = rt_copy_rate(s, d, n);
	printf("  %-44s %8.0f /s   raw %8.0f /s   %6.2f x raw\n", "enqueue musaMemcpyAsync (D2D)",
	       rt, raw, rt / raw);
	rt = rt_round_trip_ns(s, d, n / 4 + 1);
	for (int sleep = 0; sleep < 2; sleep++) {
		raw = raw_round_trip_ns(&q, bo.va, n / 4 + 1, sleep);
		printf("  %-44s %8.1f us   raw %8.1f us   %6.2f x raw (%s)\n",
		       "memset + musaStreamSynchronize", rt / 1000, raw / 1000, rt / raw,
		       sleep ? "sleeping in WAIT" : "spinning");
	}
	CHECK(musaStreamDestroy(s));
	CHECK(musaFree(d));
	musa_bo_free(fd, &bo);
	musa_queue_close(&q);
	close(fd);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 32;
	unsigned int n = argc > 2 ? (unsigned int)atoi(argv[2]) : 2000;
	struct musaDeviceProp p;

	CHECK(musaGetDeviceProperties(&p, 0));
	printf("musa_rt_bench: %s, %d compute units\n", p.name, p.multiProcessorCount);
	bandwidth(mib << 20, 8);
	overhead(n);
	return 0;
}
