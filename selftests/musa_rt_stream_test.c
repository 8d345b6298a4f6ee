// SPDX-License-Identifier: MIT
/*
 * musa_rt_stream_test: streams and events. Creation with flags and priorities,
 * query and synchronize, host functions in stream order, cross-stream waits on
 * events, the legacy default stream's implicit ordering against blocking and
 * non-blocking streams, per-thread default streams, the shared queue pool, and
 * event timing from device timestamps.
 *
 * Ordering is observed with gates: a host function that holds its stream's queue
 * until the test opens it.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <stdio.h>
#include <sys/resource.h>

#include "musa_test.h"
#include "musa_rt_test.h"

TEST(create_and_destroy)
{
	musaStream_t s, s2;
	unsigned int flags = 9;
	int prio = 9;

	MUSA_OK(musaStreamCreate(&s));
	MUSA_OK(musaStreamGetFlags(s, &flags));
	EXPECT_EQ(musaStreamDefault, flags);
	MUSA_OK(musaStreamGetPriority(s, &prio));
	EXPECT_EQ(0, prio);
	MUSA_OK(musaStreamCreateWithPriority(&s2, musaStreamNonBlocking, -10));
	MUSA_OK(musaStreamGetFlags(s2, &flags));
	EXPECT_EQ(musaStreamNonBlocking, flags);
	MUSA_OK(musaStreamGetPriority(s2, &prio));
	EXPECT_EQ(-3, prio) TH_LOG("clamped to the greatest priority");
	MUSA_OK(musaStreamDestroy(s2));
	MUSA_OK(musaStreamCreateWithPriority(&s2, 0, 5));
	MUSA_OK(musaStreamGetPriority(s2, &prio));
	EXPECT_EQ(0, prio);
	MUSA_FAILS(musaErrorInvalidValue, musaStreamCreateWithFlags(&s2, 0x2));
	MUSA_FAILS(musaErrorInvalidValue, musaStreamCreate(NULL));
	MUSA_OK(musaStreamQuery(s));
	MUSA_OK(musaStreamSynchronize(s));
	MUSA_OK(musaStreamDestroy(s));
	MUSA_FAILS(musaErrorInvalidResourceHandle, musaStreamDestroy(s));
	MUSA_FAILS(musaErrorInvalidResourceHandle, musaStreamSynchronize(s));
	MUSA_FAILS(musaErrorInvalidResourceHandle, musaStreamDestroy(0));
	MUSA_FAILS(musaErrorInvalidResourceHandle, musaStreamDestroy(musaStreamPerThread));
	MUSA_OK(musaStreamSynchronize(musaStreamLegacy));
	MUSA_OK(musaStreamQuery(musaStreamPerThread));
}

/* A stream's work runs in order; query says NotReady until it is done. */
TEST(query_and_order)
{
	struct rt_gate g;
	musaStream_t s;
	uint32_t *h;
	void *d;

	rt_gate_init(&g);
	MUSA_OK(musaStreamCreate(&s));
	MUSA_OK(musaMalloc(&d, 4096));
	MUSA_OK(musaMallocHost((void **)&h, 4096));
	MUSA_OK(rt_gate_close(&g, s));
	MUSA_OK(musaMemsetAsync(d, 0x33, 4096, s));
	MUSA_OK(musaMemcpyAsync(h, d, 4096, musaMemcpyDeviceToHost, s));
	MUSA_FAILS(musaErrorNotReady, musaStreamQuery(s));
	EXPECT_EQ(musaSuccess, musaPeekAtLastError()) TH_LOG("not ready is not an error");
	usleep(100000);
	MUSA_FAILS(musaErrorNotReady, musaStreamQuery(s));
	EXPECT_EQ(0, h[0]);
	rt_gate_open(&g);
	MUSA_OK(musaStreamSynchronize(s));
	MUSA_OK(musaStreamQuery(s));
	EXPECT_EQ(0x33333333, h[1023]);
	MUSA_OK(musaStreamDestroy(s));
}

/* More work than the ring holds, behind a held stream: the caller waits for room. */
TEST(full_ring_waits_for_room)
{
	struct rt_gate g;
	musaStream_t s;
	uint32_t *h;
	void *d;

	rt_gate_init(&g);
	MUSA_OK(musaStreamCreate(&s));
	MUSA_OK(musaMalloc(&d, 4096));
	MUSA_OK(musaMallocHost((void **)&h, 4096));
	MUSA_OK(rt_gate_close(&g, s));
	rt_gate_open_later(&g, 300);
	for (int i = 0; i < 1500; i++) {
		MUSA_OK(musaMemsetAsync(d, i & 0xff, 4096, s));
	}
	EXPECT_TRUE(rt_gate_is_open(&g)) TH_LOG("3000 packets fit a 1024-packet ring");
	MUSA_OK(musaMemcpyAsync(h, d, 4096, musaMemcpyDeviceToHost, s));
	MUSA_OK(musaStreamSynchronize(s));
	EXPECT_EQ(0x01010101u * (1499 & 0xff), h[1023]);
	rt_gate_join(&g);
	MUSA_OK(musaStreamDestroy(s));
}

struct order_log {
	int calls[8];
	int n;
	uint32_t *seen;		/* what the device wrote before each call */
	uint32_t values[8];
};

static void MUSART_CB record_call(void *arg)
{
	struct order_log *log = arg;

	log->values[log->n] = *log->seen;
	log->calls[log->n] = log->n;
	log->n++;
}

static void MUSART_CB record_status(musaStream_t stream, musaError_t status, void *arg)
{
	struct order_log *log = arg;

	log->values[log->n] = status;
	log->calls[log->n++] = 100;
	(void)stream;
}

/* Host functions see the work before them done, and later work waits for them. */
TEST(host_functions_run_in_stream_order)
{
	struct order_log log = { 0 };
	musaStream_t s;
	uint32_t *h;
	void *d;

	MUSA_OK(musaStreamCreate(&s));
	MUSA_OK(musaMalloc(&d, 4096));
	MUSA_OK(musaMallocHost((void **)&h, 4096));
	log.seen = h;
	for (int i = 0; i < 4; i++) {
		MUSA_OK(musaMemsetAsync(d, i + 1, 4096, s));
		MUSA_OK(musaMemcpyAsync(h, d, 4, musaMemcpyDeviceToHost, s));
		MUSA_OK(musaLaunchHostFunc(s, record_call, &log));
	}
	MUSA_OK(musaStreamAddCallback(s, record_status, &log, 0));
	MUSA_OK(musaStreamSynchronize(s));
	ASSERT_EQ(5, log.n);
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(0x01010101u * (i + 1), log.values[i]) TH_LOG("call %d", i);
	}
	EXPECT_EQ(100, log.calls[4]);
	EXPECT_EQ(musaSuccess, log.values[4]);
	MUSA_FAILS(musaErrorInvalidValue, musaLaunchHostFunc(s, NULL, NULL));
	MUSA_FAILS(musaErrorInvalidValue, musaStreamAddCallback(s, record_status, &log, 1));
	MUSA_OK(musaStreamDestroy(s));
}

/* Stream b waits for an event recorded in stream a. */
TEST(stream_waits_for_event)
{
	struct rt_gate g;
	musaStream_t a, b;
	musaEvent_t e;
	uint32_t *h;
	void *d;

	rt_gate_init(&g);
	MUSA_OK(musaStreamCreateWithFlags(&a, musaStreamNonBlocking));
	MUSA_OK(musaStreamCreateWithFlags(&b, musaStreamNonBlocking));
	MUSA_OK(musaEventCreateWithFlags(&e, musaEventDisableTiming));
	MUSA_OK(musaMalloc(&d, 4096));
	MUSA_OK(musaMallocHost((void **)&h, 4096));
	MUSA_OK(rt_gate_close(&g, a));
	MUSA_OK(musaMemsetAsync(d, 0x44, 4096, a));
	MUSA_OK(musaEventRecord(e, a));
	MUSA_OK(musaStreamWaitEvent(b, e, 0));
	MUSA_OK(musaMemcpyAsync(h, d, 4096, musaMemcpyDeviceToHost, b));
	usleep(100000);
	MUSA_FAILS(musaErrorNotReady, musaStreamQuery(b));
	MUSA_FAILS(musaErrorNotReady, musaEventQuery(e));
	rt_gate_open(&g);
	MUSA_OK(musaStreamSynchronize(b));
	EXPECT_EQ(0x44444444, h[100]) TH_LOG("b copied after a's memset");
	MUSA_OK(musaEventQuery(e));
	MUSA_FAILS(musaErrorInvalidValue, musaStreamWaitEvent(b, e, 4));
	MUSA_FAILS(musaErrorInvalidResourceHandle, musaStreamWaitEvent(b, (musaEvent_t)h, 0));
	MUSA_OK(musaEventDestroy(e));
}

/* Legacy stream 0 waits for blocking streams, and they wait for it. */
TEST(legacy_stream_orders_blocking_streams)
{
	struct rt_gate g1, g2;
	musaStream_t blocking, nonblocking;
	uint8_t *h;
	void *d;

	rt_gate_init(&g1);
	rt_gate_init(&g2);
	MUSA_OK(musaStreamCreate(&blocking));
	MUSA_OK(musaStreamCreateWithFlags(&nonblocking, musaStreamNonBlocking));
	MUSA_OK(musaMalloc(&d, 4096));
	MUSA_OK(musaMallocHost((void **)&h, 4096));

	/* Work in stream 0 waits for the held blocking stream... */
	MUSA_OK(rt_gate_close(&g1, blocking));
	MUSA_OK(musaMemsetAsync(d, 1, 16, 0));
	/* ... but a non-blocking stream does not. */
	MUSA_OK(musaMemsetAsync(h, 2, 16, nonblocking));
	MUSA_OK(musaStreamSynchronize(nonblocking));
	EXPECT_EQ(2, h[15]);
	MUSA_FAILS(musaErrorNotReady, musaStreamQuery(0));
	rt_gate_open(&g1);
	MUSA_OK(musaStreamSynchronize(0));

	/* Work in a blocking stream waits for held stream 0; a non-blocking one does not. */
	MUSA_OK(rt_gate_close(&g2, 0));
	MUSA_OK(musaMemsetAsync(h, 3, 16, blocking));
	MUSA_OK(musaMemsetAsync(h + 16, 4, 16, nonblocking));
	MUSA_OK(musaStreamSynchronize(nonblocking));
	EXPECT_EQ(4, h[16]);
	usleep(100000);
	MUSA_FAILS(musaErrorNotReady, musaStreamQuery(blocking));
	EXPECT_EQ(2, h[0]);
	rt_gate_open(&g2);
	MUSA_OK(musaStreamSynchronize(blocking));
	EXPECT_EQ(3, h[0]);
	MUSA_OK(musaStreamDestroy(blocking));
	MUSA_OK(musaStreamDestroy(nonblocking));
}

/* musaStreamSynchronize(0) also waits for the blocking streams' earlier work. */
TEST(legacy_synchronize_covers_blocking_streams)
{
	struct rt_gate g;
	musaStream_t s;

	rt_gate_init(&g);
	MUSA_OK(musaStreamCreate(&s));
	MUSA_OK(rt_gate_close(&g, s));
	rt_gate_open_later(&g, 300);
	MUSA_OK(musaStreamSynchronize(0));
	EXPECT_TRUE(rt_gate_is_open(&g));
	rt_gate_join(&g);
	MUSA_OK(musaStreamDestroy(s));
}

struct per_thread_arg {
	struct rt_gate *gate;
	uint8_t *h;
	musaError_t err;
};

static void *hold_per_thread_stream(void *p)
{
	struct per_thread_arg *a = p;

	a->err = rt_gate_close(a->gate, musaStreamPerThread);
	if (!a->err)
		a->err = musaMemsetAsync(a->h, 7, 16, musaStreamPerThread);
	return NULL;
}

/* Each thread has its own musaStreamPerThread; one held does not hold the other. */
TEST(per_thread_streams_are_separate)
{
	struct per_thread_arg arg;
	struct rt_gate g;
	pthread_t t;
	uint8_t *h;

	rt_gate_init(&g);
	MUSA_OK(musaMallocHost((void **)&h, 4096));
	arg = (struct per_thread_arg){ .gate = &g, .h = h };
	pthread_create(&t, NULL, hold_per_thread_stream, &arg);
	pthread_join(t, NULL);
	MUSA_OK(arg.err);
	ASSERT_TRUE(rt_gate_wait_entered(&g));
	MUSA_OK(musaMemsetAsync(h + 16, 8, 16, musaStreamPerThread));
	MUSA_OK(musaStreamSynchronize(musaStreamPerThread));
	EXPECT_EQ(8, h[16]);
	EXPECT_EQ(0, h[0]) TH_LOG("the other thread's stream is still held");
	rt_gate_open(&g);
	MUSA_OK(musaDeviceSynchronize());
	EXPECT_EQ(7, h[0]);
}

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* A long wait sleeps in the driver; with musaDeviceScheduleSpin it spins instead. */
TEST(waits_sleep_unless_told_to_spin)
{
	struct rt_gate g;
	musaStream_t s;
	double cpu;

	MUSA_OK(musaStreamCreate(&s));
	for (int spin = 0; spin < 2; spin++) {
		MUSA_OK(musaSetDeviceFlags(spin ? musaDeviceScheduleSpin : musaDeviceScheduleAuto));
		rt_gate_init(&g);
		MUSA_OK(rt_gate_close(&g, s));
		ASSERT_TRUE(rt_gate_wait_entered(&g));
		rt_gate_open_later(&g, 400);
		cpu = cpu_ms();
		MUSA_OK(musaStreamSynchronize(s));
		cpu = cpu_ms() - cpu;
		rt_gate_join(&g);
		if (spin) {
			EXPECT_LT(250, cpu) TH_LOG("spinning: %.1f ms of CPU in 400 ms", cpu);
		} else {
			EXPECT_GT(100, cpu) TH_LOG("sleeping: %.1f ms of CPU in 400 ms", cpu);
		}
	}
	MUSA_OK(musaStreamDestroy(s));
}

/* The queues this process owns, from the driver's debugfs list. */
static int own_queues(void)
{
	char path[300], line[256], kind[16];
	unsigned int hwid, qid, ctx;
	int pid, n = 0;
	FILE *f;

	if (musa_debugfs_path("queues", path, sizeof(path)))
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u %15s %u %u %d", &hwid, kind, &qid, &ctx, &pid) == 5 &&
		    !strcmp(kind, "user") && pid == getpid())
			n++;
	fclose(f);
	return n;
}

/* Many streams share a few queues (MUSA_DEVICE_MAX_CONNECTIONS per priority). */
TEST(streams_share_a_small_pool_of_queues)
{
	musaStream_t s[24], hi;
	uint32_t *h;
	void *d;

	MUSA_OK(musaMalloc(&d, 24 * 4096));
	MUSA_OK(musaMallocHost((void **)&h, 24 * 4096));
	for (int i = 0; i < 24; i++) {
		MUSA_OK(musaStreamCreate(&s[i]));
		MUSA_OK(musaMemsetAsync((char *)d + i * 4096, i, 4096, s[i]));
		MUSA_OK(musaMemcpyAsync(h + i * 1024, (char *)d + i * 4096, 4096,
					musaMemcpyDeviceToHost, s[i]));
	}
	MUSA_OK(musaDeviceSynchronize());
	for (int i = 0; i < 24; i++) {
		ASSERT_EQ(0x01010101u * i, h[i * 1024 + 1023]) TH_LOG("stream %d", i);
	}
	EXPECT_EQ(4, own_queues());
	MUSA_OK(musaStreamCreateWithPriority(&hi, 0, -3));
	MUSA_OK(musaMemsetAsync(d, 9, 4096, hi));
	MUSA_OK(musaStreamSynchronize(hi));
	EXPECT_EQ(5, own_queues()) TH_LOG("a queue of its own priority");
	for (int i = 0; i < 24; i++) {
		MUSA_OK(musaStreamDestroy(s[i]));
	}
}

struct worker {
	int id;
	int bad;
	musaError_t err;
};

/* Copies through its own stream, the per-thread stream and stream 0, checking. */
static void *copy_worker(void *arg)
{
	struct worker *w = arg;
	size_t size = 256 << 10;
	char *a = malloc(size), *b = malloc(size);
	musaStream_t streams[3] = { NULL, musaStreamPerThread, 0 };
	void *d;

	w->err = musaStreamCreateWithFlags(&streams[0], w->id & 1 ? musaStreamNonBlocking : 0);
	if (!w->err)
		w->err = musaMalloc(&d, size);
	for (int i = 0; i < 12 && !w->err; i++) {
		musaStream_t s = streams[i % 3];

		rt_fill(a, size, w->id * 100 + i);
		w->err = musaMemcpyAsync(d, a, size, musaMemcpyHostToDevice, s);
		if (!w->err)
			w->err = musaMemcpyAsync(b, d, size, musaMemcpyDeviceToHost, s);
		w->bad += rt_check(b, size, w->id * 100 + i) != -1;
	}
	if (!w->err)
		w->err = musaStreamDestroy(streams[0]);
	if (!w->err)
		w->err = musaFree(d);
	free(a);
	free(b);
	return NULL;
}

TEST(threads_share_the_context)
{
	struct worker w[6];
	pthread_t t[6];

	for (int i = 0; i < 6; i++) {
		w[i] = (struct worker){ .id = i };
		pthread_create(&t[i], NULL, copy_worker, &w[i]);
	}
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(musaSuccess, w[i].err) TH_LOG("thread %d: %s", i,
							musaGetErrorName(w[i].err));
		EXPECT_EQ(0, w[i].bad) TH_LOG("thread %d", i);
	}
	MUSA_OK(musaDeviceSynchronize());
}

/* ------------------------------------------------------------------ events */

TEST(event_create_and_errors)
{
	musaEvent_t e;
	float ms;

	MUSA_FAILS(musaErrorInvalidValue, musaEventCreateWithFlags(&e, 0x10));
	MUSA_FAILS(musaErrorInvalidValue, musaEventCreateWithFlags(&e, musaEventInterprocess));
	MUSA_FAILS(musaErrorNotSupported, musaEventCreateWithFlags(&e, musaEventInterprocess |
							      musaEventDisableTiming));
	MUSA_FAILS(musaErrorInvalidValue, musaEventCreate(NULL));
	MUSA_OK(musaEventCreateWithFlags(&e, musaEventBlockingSync));
	MUSA_OK(musaEventQuery(e));	/* never recorded: complete */
	MUSA_OK(musaEventSynchronize(e));
	MUSA_FAILS(musaErrorInvalidResourceHandle, musaEventElapsedTime(&ms, e, e));
	MUSA_OK(musaEventRecord(e, 0));
	MUSA_OK(musaEventSynchronize(e));
	MUSA_OK(musaEventElapsedTime(&ms, e, e));
	EXPECT_EQ(0, ms);
	MUSA_FAILS(musaErrorInvalidValue, musaEventElapsedTime(NULL, e, e));
	MUSA_FAILS(musaErrorInvalidValue, musaEventRecordWithFlags(e, 0, 2));
	MUSA_OK(musaEventDestroy(e));
	MUSA_FAILS(musaErrorInvalidResourceHandle, musaEventDestroy(e));
	MUSA_FAILS(musaErrorInvalidResourceHandle, musaEventRecord(e, 0));
	MUSA_FAILS(musaErrorInvalidResourceHandle, musaEventQuery(NULL));
}

/* Elapsed time comes from the device's clock: a held stream shows the hold. */
TEST(event_timing_measures_device_time)
{
	musaEvent_t start, stop, untimed;
	struct rt_gate g;
	uint64_t t0, t1;
	musaStream_t s;
	float ms = -1;

	rt_gate_init(&g);
	MUSA_OK(musaStreamCreate(&s));
	MUSA_OK(musaEventCreate(&start));
	MUSA_OK(musaEventCreateWithFlags(&stop, musaEventBlockingSync));
	MUSA_OK(musaEventCreateWithFlags(&untimed, musaEventDisableTiming));
	t0 = rt_now_ms();
	MUSA_OK(musaEventRecord(start, s));
	MUSA_OK(rt_gate_close(&g, s));
	MUSA_OK(musaEventRecord(stop, s));
	MUSA_OK(musaEventRecord(untimed, s));
	MUSA_FAILS(musaErrorNotReady, musaEventQuery(stop));
	MUSA_FAILS(musaErrorNotReady, musaEventElapsedTime(&ms, start, stop));
	usleep(300000);
	rt_gate_open(&g);
	MUSA_OK(musaEventSynchronize(stop));
	t1 = rt_now_ms();
	MUSA_OK(musaEventElapsedTime(&ms, start, stop));
	EXPECT_LE(290, ms);
	EXPECT_GE(t1 - t0 + 5, ms) TH_LOG("%.3f ms within %llu ms", ms,
					  (unsigned long long)(t1 - t0));
	MUSA_OK(musaEventElapsedTime(&ms, stop, start));
	EXPECT_GE(-290, ms) TH_LOG("negative when the end comes first");
	MUSA_FAILS(musaErrorInvalidResourceHandle, musaEventElapsedTime(&ms, start, untimed));
	/* Recorded again: the new record counts. */
	MUSA_OK(musaEventRecord(start, s));
	MUSA_OK(musaEventRecord(stop, s));
	MUSA_OK(musaEventSynchronize(stop));
	MUSA_OK(musaEventElapsedTime(&ms, start, stop));
	EXPECT_GT(100, ms);
	EXPECT_LE(0, ms);
	MUSA_OK(musaEventDestroy(start));
	MUSA_OK(musaEventDestroy(stop));
	MUSA_OK(musaEventDestroy(untimed));
}

TEST(driver_api_streams_and_events)
{
	MUcontext ctx;
	MUstream s;
	MUevent a, b;
	float ms;
	int hits = 0;

	MU_OK(muInit(0));
	MU_OK(muDevicePrimaryCtxRetain(&ctx, 0));
	MU_OK(muCtxSetCurrent(ctx));
	MU_OK(muStreamCreateWithPriority(&s, MU_STREAM_NON_BLOCKING, -1));
	MU_OK(muEventCreate(&a, MU_EVENT_DEFAULT));
	MU_OK(muEventCreate(&b, MU_EVENT_BLOCKING_SYNC));
	MU_OK(muEventRecord(a, s));
	MU_OK(muLaunchHostFunc(s, (MUhostFn)(void (*)(void *))record_call,
			       &(struct order_log){ .seen = (uint32_t *)&hits }));
	MU_OK(muEventRecord(b, s));
	MU_OK(muStreamWaitEvent(NULL, b, 0));
	MU_OK(muEventSynchronize(b));
	MU_OK(muEventQuery(b));
	MU_OK(muEventElapsedTime(&ms, a, b));
	EXPECT_LE(0, ms);
	MU_OK(muStreamQuery(s));
	MU_OK(muStreamSynchronize(s));
	EXPECT_EQ(MUSA_ERROR_INVALID_VALUE, muStreamCreate(&s, 4));
	MU_OK(muEventDestroy(a));
	MU_OK(muEventDestroy(b));
	EXPECT_EQ(MUSA_ERROR_INVALID_HANDLE, muEventDestroy(b));
	MU_OK(muStreamDestroy(s));
	MU_OK(muCtxSynchronize());
}

TEST_HARNESS_MAIN
