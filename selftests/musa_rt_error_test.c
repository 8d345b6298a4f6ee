// SPDX-License-Identifier: MIT
/*
 * musa_rt_error_test: errors. The thread-local last error with CUDA's rules, the
 * detail string, and sticky device faults: a COPY from freed device memory, a DMA
 * failure the emulator injects and a queue the driver's watchdog declares hung
 * each make every later call that needs the context fail with the fault's code,
 * while calls that need no context, other processes and forked children go on.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <stdio.h>
#include <sys/wait.h>

#include "musa_test.h"
#include "musa_rt_test.h"

TEST(last_error_rules)
{
	void *d;

	EXPECT_EQ(musaSuccess, musaPeekAtLastError());
	EXPECT_STREQ("", musaGetLastErrorDetail());
	MUSA_FAILS(musaErrorInvalidValue, musaMalloc(NULL, 16));
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "devPtr is NULL"));
	MUSA_OK(musaMalloc(&d, 16));
	EXPECT_EQ(musaErrorInvalidValue, musaPeekAtLastError()) TH_LOG("success keeps it");
	EXPECT_EQ(musaErrorInvalidValue, musaPeekAtLastError()) TH_LOG("peek keeps it");
	EXPECT_EQ(musaErrorInvalidValue, musaGetLastError());
	EXPECT_EQ(musaSuccess, musaGetLastError()) TH_LOG("get clears it");
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "devPtr")) TH_LOG("detail stays");
	MUSA_FAILS(musaErrorInvalidDevice, musaSetDevice(77));
	MUSA_FAILS(musaErrorInvalidValue, musaFree((char *)d + 1));
	EXPECT_EQ(musaErrorInvalidValue, musaGetLastError()) TH_LOG("the latest error");
	MUSA_OK(musaFree(d));
}

static void *fail_in_thread(void *arg)
{
	*(musaError_t *)arg = musaPeekAtLastError();
	musaMalloc(NULL, 1);
	return NULL;
}

TEST(last_error_is_per_thread)
{
	musaError_t seen = musaErrorUnknown;
	pthread_t t;

	MUSA_FAILS(musaErrorInvalidDevice, musaSetDevice(-5));
	pthread_create(&t, NULL, fail_in_thread, &seen);
	pthread_join(t, NULL);
	EXPECT_EQ(musaSuccess, seen);
	EXPECT_EQ(musaErrorInvalidDevice, musaGetLastError());
}

/* A copy from freed device memory faults the queue; every later call says so. */
TEST(fault_is_sticky)
{
	struct musaDeviceProp p;
	musaStream_t s = NULL;
	musaEvent_t e;
	char detail[600];
	void *freed, *d;
	int n;

	MUSA_OK(musaStreamCreate(&s));
	MUSA_FAILS(musaErrorIllegalAddress, rt_fault(s, &freed));
	snprintf(detail, sizeof(detail), "%s", musaGetLastErrorDetail());
	EXPECT_NE(NULL, strstr(detail, "faulted: read at GPU VA")) TH_LOG("%s", detail);
	EXPECT_NE(NULL, strstr(detail, "not mapped")) TH_LOG("%s", detail);
	EXPECT_NE(NULL, strstr(detail, "COPY")) TH_LOG("%s", detail);
	/* Every call that needs the context, on any stream, fails the same way. */
	MUSA_FAILS(musaErrorIllegalAddress, musaMalloc(&d, 4096));
	MUSA_FAILS(musaErrorIllegalAddress, musaStreamCreate(&s));
	MUSA_FAILS(musaErrorIllegalAddress, musaEventCreate(&e));
	MUSA_FAILS(musaErrorIllegalAddress, musaDeviceSynchronize());
	MUSA_FAILS(musaErrorIllegalAddress, musaStreamSynchronize(0));
	MUSA_FAILS(musaErrorIllegalAddress, musaMemset(freed, 0, 1));
	MUSA_FAILS(musaErrorIllegalAddress, musaMemGetInfo(NULL, NULL));
	MUSA_FAILS(musaErrorIllegalAddress, musaDeviceReset());
	/* A reset does not clear it. */
	MUSA_FAILS(musaErrorIllegalAddress, musaMalloc(&d, 4096));
	EXPECT_STREQ(detail, musaGetLastErrorDetail());
	EXPECT_EQ(musaErrorIllegalAddress, musaGetLastError());
	EXPECT_EQ(musaErrorIllegalAddress, musaGetLastError()) TH_LOG("cannot be cleared");
	EXPECT_EQ(MUSA_ERROR_ILLEGAL_ADDRESS, muCtxSynchronize());
	/* Calls that need no context still work. */
	MUSA_OK(musaGetDeviceCount(&n));
	MUSA_OK(musaGetDeviceProperties(&p, 0));
	EXPECT_STREQ("musaErrorIllegalAddress", musaGetErrorName(musaErrorIllegalAddress));
}

/* Found without waiting on the faulted queue: by the next call into the context. */
TEST(fault_found_by_a_later_call)
{
	uint64_t end = rt_now_ms() + 10000;
	musaError_t err = musaSuccess;
	musaStream_t s;
	void *d, *h;

	MUSA_OK(musaStreamCreateWithFlags(&s, musaStreamNonBlocking));
	MUSA_OK(musaMallocHost(&h, 4096));
	MUSA_OK(musaMalloc(&d, 1 << 20));
	MUSA_OK(musaFree(d));
	MUSA_OK(musaMemcpyAsync(h, d, 4096, musaMemcpyDeviceToHost, s));
	while (!err && rt_now_ms() < end) {
		err = musaMalloc(&d, 64);
		usleep(10000);
	}
	EXPECT_EQ(musaErrorIllegalAddress, err) TH_LOG("%s", musaGetLastErrorDetail());
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "faulted"));
}

/* With MUSA_LAUNCH_BLOCKING the faulting call itself reports the fault. */
TEST(launch_blocking_reports_at_the_call)
{
	void *h, *d;

	setenv("MUSA_LAUNCH_BLOCKING", "1", 1);
	MUSA_OK(musaMallocHost(&h, 4096));
	MUSA_OK(musaMalloc(&d, 1 << 20));
	MUSA_OK(musaFree(d));
	MUSA_FAILS(musaErrorIllegalAddress, musaMemcpyAsync(h, d, 4096, musaMemcpyDeviceToHost, 0));
}

/* The driver API reports the same fault with its own code. */
TEST(fault_in_the_driver_api)
{
	MUdeviceptr d;
	MUcontext ctx;
	char h[64];

	MU_OK(muInit(0));
	MU_OK(muDevicePrimaryCtxRetain(&ctx, 0));
	MU_OK(muCtxSetCurrent(ctx));
	MU_OK(muMemAlloc(&d, 1 << 20));
	MU_OK(muMemFree(d));
	EXPECT_EQ(MUSA_ERROR_ILLEGAL_ADDRESS, muMemcpyDtoH(h, d, sizeof(h)));
	EXPECT_EQ(MUSA_ERROR_ILLEGAL_ADDRESS, muMemAlloc(&d, 64));
	EXPECT_EQ(musaSuccess, musaPeekAtLastError()) TH_LOG("the driver API has no last error");
}

/* A device fault in one process leaves another process's context alone. */
TEST(fault_stays_in_its_process)
{
	int status;
	pid_t pid;
	void *d;

	MUSA_OK(musaMalloc(&d, 4096));
	pid = fork();
	if (pid == 0)
		_exit(rt_fault(0, NULL) == musaErrorIllegalAddress &&
		      musaMalloc(&d, 64) == musaErrorIllegalAddress ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	MUSA_OK(musaMemset(d, 1, 4096));
	MUSA_OK(musaDeviceSynchronize());
	MUSA_OK(musaFree(d));
}

/* An injected failure of a system-memory access: an illegal address too. */
TEST(dma_failure_is_sticky)
{
	char reply[128];
	void *h, *d;

	MUSA_OK(musaMallocHost(&h, 4096));
	MUSA_OK(musaMalloc(&d, 4096));
	ASSERT_EQ(0, musa_ctl("dma-fail", reply, sizeof(reply)));
	ASSERT_STREQ("ok", reply);
	MUSA_FAILS(musaErrorIllegalAddress, musaMemcpy(d, h, 4096, musaMemcpyHostToDevice));
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "system memory access failed"))
		TH_LOG("%s", musaGetLastErrorDetail());
	MUSA_FAILS(musaErrorIllegalAddress, musaMalloc(&d, 64));
}

/* A queue that makes no progress is stopped by the driver: a launch timeout. */
TEST(hang_is_a_launch_timeout)
{
	char reply[128], old[32] = "10000";
	int hwid = -1;
	FILE *f = fopen(MUSA_HANG_TIMEOUT_PARAM, "r");
	musaError_t err;
	void *d;

	ASSERT_NE(NULL, f);
	if (!fgets(old, sizeof(old), f))
		strcpy(old, "10000");
	fclose(f);
	ASSERT_EQ(0, musa_write_file(MUSA_HANG_TIMEOUT_PARAM, "300"));
	MUSA_OK(musaMalloc(&d, 4096));
	MUSA_OK(musaMemset(d, 0, 4096));
	MUSA_OK(musaDeviceSynchronize());
	for (unsigned int id = 1; id < 64 && hwid < 0; id++)
		hwid = musa_queue_hwid(id);
	ASSERT_LE(0, hwid);
	snprintf(reply, sizeof(reply), "hang %d", hwid);
	ASSERT_EQ(0, musa_ctl(reply, reply, sizeof(reply)));
	EXPECT_STREQ("ok", reply);
	MUSA_OK(musaMemset(d, 1, 4096));
	err = musaDeviceSynchronize();
	musa_write_file(MUSA_HANG_TIMEOUT_PARAM, old);
	EXPECT_EQ(musaErrorLaunchTimeout, err) TH_LOG("%s", musaGetLastErrorDetail());
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "hung"));
	MUSA_FAILS(musaErrorLaunchTimeout, musaMalloc(&d, 64));
}

TEST_HARNESS_MAIN
