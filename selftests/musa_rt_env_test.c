// SPDX-License-Identifier: MIT
/*
 * musa_rt_env_test: processes and the environment. A child forked after its
 * parent used libmusa gets a context of its own on its first call and cannot reach
 * the parent's memory; two processes copy at once; MUSA_VISIBLE_DEVICES selects and
 * orders devices (ordinals and UUID prefixes, ending at a bad entry);
 * MUSA_LAUNCH_BLOCKING makes asynchronous calls wait; MUSA_LOG writes levels and a
 * packet trace to MUSA_LOG_FILE.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <stdio.h>
#include <sys/wait.h>

#include "musa_test.h"
#include "musa_rt_test.h"

/* Runs @fn in a forked child; its exit status (0 = passed). */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

struct parent_state {
	void *d;
	void *pinned;
};

static int child_after_parent(void *arg)
{
	struct parent_state *parent = arg;
	struct musaPointerAttributes attr;
	char *buf = malloc(1 << 20), *back = malloc(1 << 20);
	void *d;

	/* The parent's allocations are not the child's. */
	if (musaPointerGetAttributes(&attr, parent->d) != musaErrorInvalidValue)
		return 1;
	if (musaFreeHost(parent->pinned) != musaErrorInvalidValue)
		return 2;
	if (musaMalloc(&d, 1 << 20))
		return 3;
	rt_fill(buf, 1 << 20, 5);
	if (musaMemcpy(d, buf, 1 << 20, musaMemcpyHostToDevice) ||
	    musaMemcpy(back, d, 1 << 20, musaMemcpyDeviceToHost))
		return 4;
	if (rt_check(back, 1 << 20, 5) != -1)
		return 5;
	return musaDeviceSynchronize() ? 6 : 0;
}

TEST(forked_child_gets_its_own_context)
{
	struct parent_state st;
	char *h = malloc(1 << 20);
	struct rt_gate g;

	rt_gate_init(&g);
	MUSA_OK(musaMalloc(&st.d, 1 << 20));
	MUSA_OK(musaMallocHost(&st.pinned, 4096));
	MUSA_OK(musaMemset(st.d, 0x61, 1 << 20));
	/* The parent has work pending and a host function thread when it forks. */
	MUSA_OK(rt_gate_close(&g, 0));
	EXPECT_EQ(0, in_child(child_after_parent, &st));
	rt_gate_open(&g);
	MUSA_OK(musaMemcpy(h, st.d, 1 << 20, musaMemcpyDeviceToHost));
	EXPECT_EQ(0x61, h[(1 << 20) - 1]);
	MUSA_OK(musaFreeHost(st.pinned));
	MUSA_OK(musaFree(st.d));
}

static int copy_loop(void *arg)
{
	size_t size = 3 << 20;
	char *a = malloc(size), *b = malloc(size);
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	musaStream_t s;
	void *d;

	if (musaMalloc(&d, size) || musaStreamCreate(&s))
		return 1;
	for (int i = 0; i < 4; i++) {
		rt_fill(a, size, seed + i);
		if (musaMemcpyAsync(d, a, size, musaMemcpyHostToDevice, s) ||
		    musaMemcpyAsync(b, d, size, musaMemcpyDeviceToHost, s))
			return 2;
		if (rt_check(b, size, seed + i) != -1)
			return 3;
	}
	return 0;
}

/* Two processes at once, each with its own context, queues and data. */
TEST(two_processes_at_once)
{
	pid_t pids[2];
	int status;

	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(copy_loop((void *)(uintptr_t)(10 * i + 1)));
	}
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("process %d", i);
	}
}

/* ------------------------------------------------------ MUSA_VISIBLE_DEVICES */

/* The device count with MUSA_VISIBLE_DEVICES=@spec, from a fresh process. */
static int count_with(const char *spec)
{
	int status, n = -1;
	pid_t pid = fork();

	if (pid == 0) {
		musaError_t err;

		setenv("MUSA_VISIBLE_DEVICES", spec, 1);
		err = musaGetDeviceCount(&n);
		if ((err == musaSuccess) != (n > 0) || (err && err != musaErrorNoDevice))
			_exit(100);
		_exit(n);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(visible_devices)
{
	struct musaDeviceProp p;
	char spec[80];
	int n;

	MUSA_OK(musaGetDeviceCount(&n));
	MUSA_OK(musaGetDeviceProperties(&p, 0));
	EXPECT_EQ(0, count_with(""));
	EXPECT_EQ(1, count_with("0"));
	EXPECT_EQ(1, count_with(" 0 "));
	EXPECT_EQ(1, count_with("0,0")) TH_LOG("a repeat ends the list");
	EXPECT_EQ(0, count_with("99"));
	EXPECT_EQ(0, count_with("nonsense,0")) TH_LOG("a bad entry ends the list");
	EXPECT_EQ(n > 1 ? 2 : 1, count_with("0,1"));
	/* Up to the first dash, so that the part without the prefix is never all digits (an ordinal). */
	snprintf(spec, sizeof(spec), "MTGPU-%02x%02x%02x%02x-", (uint8_t)p.uuid.bytes[0],
		 (uint8_t)p.uuid.bytes[1], (uint8_t)p.uuid.bytes[2], (uint8_t)p.uuid.bytes[3]);
	EXPECT_EQ(1, count_with(spec)) TH_LOG("%s", spec);
	EXPECT_EQ(1, count_with(spec + 6)) TH_LOG("without the prefix: %s", spec + 6);
}

TEST(no_visible_device)
{
	void *d;
	int n = 5;

	setenv("MUSA_VISIBLE_DEVICES", "", 1);
	MUSA_FAILS(musaErrorNoDevice, musaGetDeviceCount(&n));
	EXPECT_EQ(0, n);
	MUSA_FAILS(musaErrorNoDevice, musaMalloc(&d, 16));
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "MUSA_VISIBLE_DEVICES"));
	EXPECT_EQ(MUSA_ERROR_NO_DEVICE, muInit(0));
}

/* ------------------------------------------------------ MUSA_LAUNCH_BLOCKING */

/* Every asynchronous call waits for its work: here, a host function held 300 ms. */
TEST(launch_blocking_waits)
{
	struct rt_gate g;
	musaStream_t s;
	uint8_t *h;

	setenv("MUSA_LAUNCH_BLOCKING", "1", 1);
	rt_gate_init(&g);
	MUSA_OK(musaStreamCreate(&s));
	MUSA_OK(musaMallocHost((void **)&h, 4096));
	rt_gate_open_later(&g, 300);
	MUSA_OK(rt_gate_close(&g, s));
	EXPECT_TRUE(rt_gate_is_open(&g)) TH_LOG("returned before the host function did");
	rt_gate_join(&g);
	MUSA_OK(musaMemsetAsync(h, 9, 4096, s));
	EXPECT_EQ(9, h[4095]) TH_LOG("done when the call returns");
}

TEST(without_launch_blocking_async_returns)
{
	struct rt_gate g;
	musaStream_t s;
	void *d, *d2;

	setenv("MUSA_LAUNCH_BLOCKING", "0", 1);
	rt_gate_init(&g);
	MUSA_OK(musaStreamCreate(&s));
	MUSA_OK(musaMalloc(&d, 4096));
	MUSA_OK(musaMalloc(&d2, 4096));
	MUSA_OK(rt_gate_close(&g, s));
	MUSA_OK(musaMemcpyAsync(d2, d, 4096, musaMemcpyDeviceToDevice, s));
	EXPECT_FALSE(rt_gate_is_open(&g));
	rt_gate_open(&g);
	MUSA_OK(musaStreamSynchronize(s));
}

/* ------------------------------------------------------------------ MUSA_LOG */

/* Lines of @path containing @what. */
static int lines_with(const char *path, const char *what)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, what) != NULL;
	fclose(f);
	return n;
}

TEST(log_levels_and_packet_trace)
{
	char path[] = "/tmp/musa_rt_log_XXXXXX";
	int fd = mkstemp(path);
	void *d;

	ASSERT_LE(0, fd);
	close(fd);
	setenv("MUSA_LOG", "info,packets", 1);
	setenv("MUSA_LOG_FILE", path, 1);
	MUSA_OK(musaMalloc(&d, 4096));
	MUSA_OK(musaMemset(d, 1, 4096));
	MUSA_FAILS(musaErrorInvalidValue, musaFree((char *)d + 1));
	MUSA_OK(musaDeviceSynchronize());
	EXPECT_LE(1, lines_with(path, "] I: device 0: ")) TH_LOG("info lines");
	EXPECT_LE(1, lines_with(path, "queue 1 created"));
	EXPECT_LE(1, lines_with(path, "] P: queue 1 #")) TH_LOG("the packet trace");
	EXPECT_LE(1, lines_with(path, "FILL 0x"));
	EXPECT_LE(1, lines_with(path, "SIGNAL 0x"));
	EXPECT_EQ(1, lines_with(path, "] E: musaFree: musaErrorInvalidValue (1): musaFree: 0x"));
	unlink(path);
}

TEST(log_errors_only)
{
	char path[] = "/tmp/musa_rt_log_XXXXXX";
	int fd = mkstemp(path);
	void *d;

	ASSERT_LE(0, fd);
	close(fd);
	setenv("MUSA_LOG", "1", 1);
	setenv("MUSA_LOG_FILE", path, 1);
	MUSA_OK(musaMalloc(&d, 4096));
	MUSA_OK(musaMemset(d, 1, 4096));
	MUSA_FAILS(musaErrorInvalidResourceHandle, musaStreamDestroy(0));
	EXPECT_EQ(0, lines_with(path, "] I: "));
	EXPECT_EQ(0, lines_with(path, "FILL"));
	EXPECT_EQ(1, lines_with(path, "] E: musaStreamDestroy: musaErrorInvalidResourceHandle"));
	unlink(path);
}

/* The packet trace shows pinned memory copied directly, pageable memory staged. */
TEST(pinned_copies_direct_pageable_staged)
{
	char path[] = "/tmp/musa_rt_log_XXXXXX", want[64];
	int fd = mkstemp(path);
	char *pageable = malloc(6 << 20);
	void *d, *pinned;

	ASSERT_LE(0, fd);
	close(fd);
	setenv("MUSA_LOG", "packets", 1);
	setenv("MUSA_LOG_FILE", path, 1);
	MUSA_OK(musaMalloc(&d, 6 << 20));
	MUSA_OK(musaMallocHost(&pinned, 4096));
	MUSA_OK(musaMemcpy(d, pinned, 4096, musaMemcpyHostToDevice));
	snprintf(want, sizeof(want), "COPY %p -> %p, 4096 bytes", pinned, d);
	EXPECT_EQ(1, lines_with(path, want)) TH_LOG("%s", want);
	MUSA_OK(musaMemcpy(d, pageable, 6 << 20, musaMemcpyHostToDevice));
	snprintf(want, sizeof(want), "%p", (void *)pageable);
	EXPECT_EQ(0, lines_with(path, want)) TH_LOG("the device never sees pageable memory");
	snprintf(want, sizeof(want), "-> %p, 4194304 bytes", d);
	EXPECT_EQ(1, lines_with(path, want)) TH_LOG("a full staging buffer, then the rest");
	snprintf(want, sizeof(want), "-> %p, 2097152 bytes", (char *)d + (4 << 20));
	EXPECT_EQ(1, lines_with(path, want)) TH_LOG("%s", want);
	unlink(path);
	free(pageable);
}

TEST(log_debug_traces_every_call)
{
	char path[] = "/tmp/musa_rt_log_XXXXXX";
	int fd = mkstemp(path), n;

	ASSERT_LE(0, fd);
	close(fd);
	setenv("MUSA_LOG", "debug", 1);
	setenv("MUSA_LOG_FILE", path, 1);
	MUSA_OK(musaGetDeviceCount(&n));
	MUSA_OK(musaDeviceSynchronize());
	EXPECT_EQ(1, lines_with(path, "] D: musaDeviceSynchronize: musaSuccess"));
	EXPECT_LE(1, lines_with(path, "] I: device 0: context opened"));
	unlink(path);
}

TEST_HARNESS_MAIN
