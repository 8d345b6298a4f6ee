// SPDX-License-Identifier: MIT
/*
 * musa_rt_bench: what the runtime delivers, measured in a musa-vm guest. The limits
 * these figures are set against (host memcpy, the trapped MMIO round trip, linear
 * scaling) are measured in the same run by tools/musa-bench.
 *
 *   bandwidth    musaMemcpy per direction and size, pinned and pageable host
 *                memory, each copy waited for (bandwidthTest's method); and the
 *                guest's own memcpy of the same sizes;
 *   launch       musaLaunchKernel of an empty kernel <<<1, 1>>>: launches per second
 *                pipelined, and one launch plus musaStreamSynchronize at a time;
 *   streams      1, 2, 4, 8 non-blocking streams of one device, each running the same
 *                work (one-block kernels of a fixed instruction count; 4 MiB device
 *                copies): the total rate;
 *   devices      1..N devices (musaGetDeviceCount), one stream each, all at once,
 *                each running kernels that fill the device, or device copies.
 *
 * Output: "key value" lines, '#' lines for people. Not a test: it asserts nothing
 * and exits 0 unless the device cannot be used.
 *
 * Usage: musa_rt_bench [--smoke]   (in a musa-vm guest; --smoke: small sizes, few
 *        repetitions, only to show that every figure can be taken)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "musa.h"
#include "musa_runtime.h"
#include "kernels/spin.h"

extern const unsigned char compute_bench_image[];

#define MAX_DEVICES	8
#define MAX_STREAMS	8

#define CHECK(call) do {								\
	long r_ = (long)(call);								\
	if (r_) {									\
		fprintf(stderr, "musa_rt_bench: %s: error %ld: %s\n", #call, r_,	\
			musaGetLastErrorDetail());					\
		exit(1);								\
	}										\
} while (0)

static int smoke;

/* The kernels of one device's context. */
static struct device_kernels {
	MUmodule module;
	MUfunction empty, spin;
} kernels[MAX_DEVICES];

/* ------------------------------------------------------------ bandwidth */

/* GB/s of @reps copies of @size bytes, each waited for. */
static double copy_gbps(void *dst, const void *src, size_t size, enum musaMemcpyKind kind,
			int reps)
{
	double start;

	CHECK(musaMemcpy(dst, src, size, kind));	/* warm: pages touched, queue made */
	start = now();
	for (int i = 0; i < reps; i++)
		CHECK(musaMemcpy(dst, src, size, kind));
	CHECK(musaDeviceSynchronize());
	return (double)size * reps / (now() - start) / 1e9;
}

/* Repetitions for one size: about @bytes in all, between 2 and 1000. */
static int reps_for(size_t size, size_t bytes)
{
	size_t r = bytes / size;

	return r < 2 ? 2 : r > 1000 ? 1000 : (int)r;
}

static void bandwidth(size_t max)
{
	void *d, *d2, *pinned, *pinned2;
	char *pageable = malloc(max), *pageable2 = malloc(max);
	const struct {
		const char *key;
		void **dst, **src;
		enum musaMemcpyKind kind;
	} runs[] = {
		{ "h2d_pinned", &d, &pinned, musaMemcpyHostToDevice },
		{ "d2h_pinned", &pinned2, &d, musaMemcpyDeviceToHost },
		{ "h2d_pageable", &d, (void **)&pageable, musaMemcpyHostToDevice },
		{ "d2h_pageable", (void **)&pageable2, &d, musaMemcpyDeviceToHost },
		{ "d2d", &d2, &d, musaMemcpyDeviceToDevice },
	};

	CHECK(!pageable || !pageable2);
	CHECK(musaMalloc(&d, max));
	CHECK(musaMalloc(&d2, max));
	CHECK(musaMallocHost(&pinned, max));
	CHECK(musaMallocHost(&pinned2, max));
	memset(pageable, 1, max);
	memset(pageable2, 3, max);
	memset(pinned, 2, max);
	memset(pinned2, 4, max);
	for (size_t size = 4096; size <= max; size *= 4) {
		int reps = reps_for(size, smoke ? 4 << 20 : 256 << 20);

		printf("bw_guest_memcpy_%zu %.6g\n", size,
		       memcpy_gbps(pageable2, pageable, size, reps));
		for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
			printf("bw_%s_%zu %.6g\n", runs[i].key, size,
			       copy_gbps(*runs[i].dst, *runs[i].src, size, runs[i].kind, reps));
		fflush(stdout);
	}
	CHECK(musaFree(d));
	CHECK(musaFree(d2));
	CHECK(musaFreeHost(pinned));
	CHECK(musaFreeHost(pinned2));
	free(pageable);
	free(pageable2);
}

/* --------------------------------------------------------------- launch */

static void launch(unsigned int n)
{
	musaStream_t s;
	double start;
	const void *empty = kernels[0].empty;
	dim3 one = { 1, 1, 1 };

	CHECK(musaStreamCreateWithFlags(&s, musaStreamNonBlocking));
	for (int i = 0; i < 20; i++)		/* warm: the stream's queue, the code */
		CHECK(musaLaunchKernel(empty, one, one, NULL, 0, s));
	CHECK(musaStreamSynchronize(s));

	start = now();
	for (unsigned int i = 0; i < n; i++)
		CHECK(musaLaunchKernel(empty, one, one, NULL, 0, s));
	CHECK(musaStreamSynchronize(s));
	printf("rt_launch_rate %.6g\n", n / (now() - start));

	n = n / 4 + 1;
	start = now();
	for (unsigned int i = 0; i < n; i++) {
		CHECK(musaLaunchKernel(empty, one, one, NULL, 0, s));
		CHECK(musaStreamSynchronize(s));
	}
	printf("rt_launch_sync_ns %.6g\n", (now() - start) / n * 1e9);
	CHECK(musaStreamDestroy(s));
}

/* -------------------------------------------------------------- scaling */

/*
 * One worker of a scaling run: a stream on a device, with its buffers, and the work
 * it queues (a struct work): kernels of @blocks blocks of 32 threads, spin.h's loop
 * @iterations times per thread, or copies of @copy_bytes within the device.
 */
struct worker {
	int device;
	musaStream_t stream;
	unsigned long *out;
	void *src, *dst;
};

struct work {
	const char *kind;		/* "kernel" or "copy" */
	unsigned int blocks;
	unsigned long iterations;
	size_t copy_bytes;
	int reps;
};

static int is_copy(const struct work *work)
{
	return !strcmp(work->kind, "copy");
}

static void worker_setup(struct worker *w, int device, const struct work *work)
{
	memset(w, 0, sizeof(*w));
	w->device = device;
	CHECK(musaSetDevice(device));
	CHECK(musaStreamCreateWithFlags(&w->stream, musaStreamNonBlocking));
	if (is_copy(work)) {
		CHECK(musaMalloc(&w->src, work->copy_bytes));
		CHECK(musaMalloc(&w->dst, work->copy_bytes));
		CHECK(musaMemset(w->src, 5, work->copy_bytes));
	} else {
		CHECK(musaMalloc((void **)&w->out, sizeof(*w->out) * 32 * work->blocks));
	}
}

static void worker_teardown(struct worker *w)
{
	CHECK(musaSetDevice(w->device));
	CHECK(musaStreamDestroy(w->stream));
	CHECK(musaFree(w->out));
	CHECK(musaFree(w->src));
	CHECK(musaFree(w->dst));
}

static void worker_queue(struct worker *w, const struct work *work, int reps)
{
	unsigned long iterations = work->iterations;
	void *args[] = { &iterations, &w->out };
	dim3 grid = { work->blocks, 1, 1 }, block = { 32, 1, 1 };

	CHECK(musaSetDevice(w->device));
	for (int i = 0; i < reps; i++) {
		if (is_copy(work))
			CHECK(musaMemcpyAsync(w->dst, w->src, work->copy_bytes,
					      musaMemcpyDeviceToDevice, w->stream));
		else
			CHECK(musaLaunchKernel(kernels[w->device].spin, grid, block, args, 0,
					       w->stream));
	}
}

/*
 * @n workers all at once, each queueing the same work (asynchronous, so one host
 * thread keeps every stream busy): the total rate, G instructions/s or GB/s.
 */
static double scaling_rate(struct worker *workers, int n, const struct work *work)
{
	double start, amount;

	for (int i = 0; i < n; i++)		/* warm: queues made, code decoded */
		worker_queue(&workers[i], work, 1);
	for (int i = 0; i < n; i++)
		CHECK(musaStreamSynchronize(workers[i].stream));
	start = now();
	for (int i = 0; i < n; i++)
		worker_queue(&workers[i], work, work->reps);
	for (int i = 0; i < n; i++) {
		CHECK(musaSetDevice(workers[i].device));
		CHECK(musaStreamSynchronize(workers[i].stream));
	}
	amount = is_copy(work) ?
		(double)work->copy_bytes * work->reps * n :
		(double)SPIN_INSNS_PER_ITER * work->iterations * 32 * work->blocks *
		work->reps * n;
	return amount / (now() - start) / 1e9;
}

/* The rate with 1, 2, 4, ... @max workers: streams of device 0, or one per device. */
static void scaling(const char *over, int max, const struct work *work)
{
	struct worker workers[MAX_STREAMS > MAX_DEVICES ? MAX_STREAMS : MAX_DEVICES];
	int devices = !strcmp(over, "devices");

	for (int n = 1; n <= max; n = devices ? n + 1 : n * 2) {
		for (int i = 0; i < n; i++)
			worker_setup(&workers[i], devices ? i : 0, work);
		printf("scale_%s_%s_%d %.6g\n", over, work->kind, n,
		       scaling_rate(workers, n, work));
		fflush(stdout);
		for (int i = 0; i < n; i++)
			worker_teardown(&workers[i]);
	}
	CHECK(musaSetDevice(0));
}

int main(int argc, char **argv)
{
	struct musaDeviceProp p;
	int count;

	smoke = argc > 1 && !strcmp(argv[1], "--smoke");
	/* One user-mode queue per stream, up to eight (the runtime's default is four). */
	setenv("MUSA_DEVICE_MAX_CONNECTIONS", "8", 0);
	CHECK(musaGetDeviceCount(&count));
	if (count > MAX_DEVICES)
		count = MAX_DEVICES;
	for (int d = count - 1; d >= 0; d--) {
		CHECK(musaSetDevice(d));
		CHECK(musaFree(NULL));	/* the device's primary context, current */
		CHECK(muModuleLoadData(&kernels[d].module, compute_bench_image));
		CHECK(muModuleGetFunction(&kernels[d].empty, kernels[d].module, "empty_kernel"));
		CHECK(muModuleGetFunction(&kernels[d].spin, kernels[d].module, "spin_kernel"));
	}
	CHECK(musaGetDeviceProperties(&p, 0));
	printf("# musa_rt_bench: %d x %s, %d compute units each%s\n", count, p.name,
	       p.multiProcessorCount, smoke ? " (smoke pass)" : "");
	printf("devices %d\ncompute_units %d\n", count, p.multiProcessorCount);

	bandwidth(smoke ? 1 << 20 : 64 << 20);
	launch(smoke ? 100 : 2000);
	/* One-block kernels (one compute unit each), and copies within the device. */
	scaling("streams", MAX_STREAMS, &(struct work){
		.kind = "kernel", .blocks = 1, .iterations = smoke ? 2000 : 100000, .reps = smoke ? 1 : 16 });
	scaling("streams", MAX_STREAMS, &(struct work){
		.kind = "copy", .copy_bytes = smoke ? 1 << 20 : 4 << 20, .reps = smoke ? 2 : 256 });
	/* Kernels with a block for each compute unit, twice over: each fills its device. */
	scaling("devices", count, &(struct work){
		.kind = "kernel", .blocks = 2 * p.multiProcessorCount,
		.iterations = smoke ? 1000 : 50000, .reps = smoke ? 1 : 2 });
	scaling("devices", count, &(struct work){
		.kind = "copy", .copy_bytes = smoke ? 1 << 20 : 4 << 20, .reps = smoke ? 2 : 256 });
	for (int d = 0; d < count; d++) {
		CHECK(musaSetDevice(d));
		CHECK(muModuleUnload(kernels[d].module));
	}
	return 0;
}
