/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the runtime tests (musa_rt_*_test.c): checked calls that print
 * libmusa's detail string on failure, data patterns, and gates: a host function
 * that holds a stream until the test opens it, so that a test can tell whether a
 * call waited for the stream or returned at once.
 *
 * The kselftest harness runs every test in a process of its own, forked from a
 * parent that never calls libmusa, so each test starts with a fresh context and
 * its own environment (MUSA_* variables set before the first call take effect).
 */
#ifndef MUSA_RT_TEST_H
#define MUSA_RT_TEST_H

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "musa.h"
#include "musa_runtime.h"

/* The call must succeed; otherwise say what libmusa found wrong. */
#define MUSA_OK(call) do {							\
	musaError_t e_ = (call);						\
	ASSERT_EQ(musaSuccess, e_) TH_LOG("%s: %s: %s", #call, musaGetErrorName(e_), \
					  musaGetLastErrorDetail());		\
} while (0)

#define MU_OK(call) do {							\
	MUresult r_ = (call);							\
	ASSERT_EQ(MUSA_SUCCESS, r_) TH_LOG("%s: %d: %s", #call, (int)r_,	\
					   musaGetLastErrorDetail());		\
} while (0)

/* The call must fail with exactly @code. */
#define MUSA_FAILS(code, call) do {						\
	musaError_t e_ = (call);						\
	EXPECT_EQ(code, e_) TH_LOG("%s: got %s: %s", #call, musaGetErrorName(e_),	\
				   musaGetLastErrorDetail());			\
} while (0)

static inline uint64_t rt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Byte i of pattern @seed. */
static inline uint8_t rt_byte(size_t i, unsigned int seed)
{
	return (uint8_t)((i * 131 + seed * 7 + (i >> 9)) ^ (i >> 3));
}

static inline void rt_fill(void *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = rt_byte(i, seed);
}

/* The first byte that differs from pattern @seed, or -1. */
static inline long rt_check(const void *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)p)[i] != rt_byte(i, seed))
			return (long)i;
	return -1;
}

/* ------------------------------------------------------------------ gates */

struct rt_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int open;
	int entered;		/* the host function is running (the stream got there) */
	int delay_ms;
	pthread_t opener;
};

static inline void rt_gate_init(struct rt_gate *g)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
}

static void MUSART_CB rt_gate_fn(void *arg)
{
	struct rt_gate *g = arg;

	pthread_mutex_lock(&g->lock);
	g->entered = 1;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

/* Holds @s (its queue) at this point until rt_gate_open(). */
static inline musaError_t rt_gate_close(struct rt_gate *g, musaStream_t s)
{
	return musaLaunchHostFunc(s, rt_gate_fn, g);
}

static inline void rt_gate_open(struct rt_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = 1;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static inline int rt_gate_is_open(struct rt_gate *g)
{
	int open;

	pthread_mutex_lock(&g->lock);
	open = g->open;
	pthread_mutex_unlock(&g->lock);
	return open;
}

static void *rt_gate_opener(void *arg)
{
	struct rt_gate *g = arg;

	usleep(g->delay_ms * 1000);
	rt_gate_open(g);
	return NULL;
}

/* Opens the gate from another thread after @ms: for calls that must wait for it. */
static inline void rt_gate_open_later(struct rt_gate *g, int ms)
{
	g->delay_ms = ms;
	pthread_create(&g->opener, NULL, rt_gate_opener, g);
}

static inline void rt_gate_join(struct rt_gate *g)
{
	pthread_join(g->opener, NULL);
}

/* Waits (up to 10 s) until the stream has reached the gate's host function. */
static inline int rt_gate_wait_entered(struct rt_gate *g)
{
	uint64_t end = rt_now_ms() + 10000;
	int entered;

	do {
		pthread_mutex_lock(&g->lock);
		entered = g->entered;
		pthread_mutex_unlock(&g->lock);
		if (!entered)
			usleep(1000);
	} while (!entered && rt_now_ms() < end);
	return entered;
}

/* Makes the device fault on @stream: a copy from device memory freed before. */
static inline musaError_t rt_fault(musaStream_t stream, void **freed)
{
	static char host[4096];
	void *d;
	musaError_t err = musaMalloc(&d, 1 << 20);

	if (!err)
		err = musaFree(d);
	if (!err)
		err = musaMemcpyAsync(host, (char *)d + 4096, sizeof(host),
				      musaMemcpyDeviceToHost, stream);
	if (freed)
		*freed = d;
	return err;
}

#endif /* MUSA_RT_TEST_H */
