// SPDX-License-Identifier: MIT
/*
 * musa_vanish_test: the emulator drops off the bus mid-run (the control port's
 * "vanish"). The guest kernel stays healthy: nothing oopses or warns, a process
 * busy on a queue gets an error instead of hanging, every later call fails with
 * -ENODEV, device mappings fault, the node goes away, and musa.ko unloads.
 *
 * Kills the emulator: run it alone in its own VM (tools/run-tests does).
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "musa_test.h"

/* A process submitting and waiting in a loop; exits 0 once it sees the device go. */
static pid_t busy_process(void)
{
	struct musa_queue q;
	pid_t pid = fork();
	int fd, ret;

	if (pid)
		return pid;
	fd = musa_open();
	if (fd < 0 || musa_queue_open(fd, 6, &q))
		_exit(10);
	for (;;) {
		ret = musa_queue_wait(&q, musa_queue_fence(&q), 5000);
		if (ret == -ENODEV || ret == -EIO)
			_exit(0);
		if (ret)
			_exit(11);
	}
}

/* Reads a register-backed parameter until the driver notices; -ENODEV then. */
static int wait_for_detection(int fd, uint64_t timeout_ms)
{
	struct drm_musa_get_param p = { .param = MUSA_PARAM_TIMESTAMP };
	uint64_t deadline = musa_now_ns() + timeout_ms * 1000000ull;
	int ret;

	do {
		ret = musa_ioctl(fd, DRM_IOCTL_MUSA_GET_PARAM, &p);
		if (ret)
			return ret;
		usleep(10000);
	} while (musa_now_ns() < deadline);
	return 0;
}

static int node_gone(uint64_t timeout_ms)
{
	uint64_t deadline = musa_now_ns() + timeout_ms * 1000000ull;
	char path[300];

	while (!musa_node_path(0, path, sizeof(path))) {
		if (musa_now_ns() > deadline)
			return 0;
		usleep(10000);
	}
	return 1;
}

TEST(vanish_leaves_the_kernel_healthy)
{
	struct drm_musa_bo_create c = { .size = 4096 };
	struct drm_musa_query query = { .query = MUSA_QUERY_TELEMETRY };
	struct drm_musa_submit sub = { .num_packets = 1 };
	struct s5000_pkt_fill fill;
	struct musa_queue q;
	struct musa_bo bo;
	char reply[128], first[512];
	int kmsg = musa_kmsg_open(), fd = musa_open(), status;
	uint32_t id, db;
	uint64_t start;
	pid_t busy;

	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, musa_queue_open(fd, 6, &q));
	ASSERT_EQ(0, musa_bo_new(fd, 8192, MUSA_PLACEMENT_SYSTEM, 0, &bo));
	ASSERT_EQ(0, musa_queue_wait(&q, musa_queue_fence(&q), 5000));
	busy = busy_process();
	usleep(200000);

	ASSERT_EQ(0, musa_ctl("vanish", reply, sizeof(reply)));
	EXPECT_STREQ("ok", reply);
	start = musa_now_ns();
	ASSERT_EQ(-ENODEV, wait_for_detection(fd, 10000));
	TH_LOG("detected after %llu ms", (unsigned long long)(musa_now_ns() - start) / 1000000);

	/* Every call fails with -ENODEV, driver-only ones too. */
	EXPECT_EQ(UINT64_MAX, musa_param(fd, MUSA_PARAM_UAPI_VERSION));
	EXPECT_EQ(-ENODEV, musa_ioctl(fd, DRM_IOCTL_MUSA_BO_CREATE, &c));
	EXPECT_EQ(-ENODEV, musa_ioctl(fd, DRM_IOCTL_MUSA_QUERY, &query));
	EXPECT_EQ(-ENODEV, musa_queue_create_raw(fd, bo.va, bo.va + 4096, 4, &id, &db));
	EXPECT_EQ(-ENODEV, musa_queue_wait(&q, q.seqno + 1, 1000));
	fill = musa_pkt_fill(bo.va, 4, 1);
	sub.packets = (uintptr_t)&fill;
	EXPECT_EQ(-ENODEV, musa_ioctl(fd, DRM_IOCTL_MUSA_SUBMIT, &sub));

	ASSERT_EQ(busy, waitpid(busy, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("the busy process");

	EXPECT_TRUE(node_gone(5000)) TH_LOG("the node is unregistered");
	/* drm_dev_unplug() removes the node before it unmaps user mappings. */
	for (int i = 0; i < 500 && !musa_read_faults(&q.db->rptr); i++)
		usleep(10000);
	EXPECT_TRUE(musa_read_faults(&q.db->rptr)) TH_LOG("doorbell mapping");
	musa_queue_close(&q);
	musa_bo_free(fd, &bo);
	close(fd);
	EXPECT_GT(0, musa_open());

	start = musa_now_ns();
	EXPECT_EQ(0, syscall(SYS_delete_module, "musa", O_NONBLOCK)) TH_LOG("unload: %s",
									    strerror(errno));
	EXPECT_GT(10000000000ull, musa_now_ns() - start);
	EXPECT_EQ(0, musa_kmsg_bugs(kmsg, first, sizeof(first))) TH_LOG("%s", first);
}

TEST_HARNESS_MAIN
