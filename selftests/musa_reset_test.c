// SPDX-License-Identifier: MIT
/*
 * musa_reset_test: errors and recovery. A page fault marks only the faulting queue
 * and its context; a hung queue (the emulator's control port, or debugfs) is reset
 * by the hang timeout and counted; a device reset loses every context and the
 * device works again for new files; other processes carry on throughout.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "musa_test.h"

FIXTURE(reset)
{
	int fd;
	struct musa_queue q;
	char saved_timeout[32];
};

FIXTURE_SETUP(reset)
{
	FILE *f = fopen(MUSA_HANG_TIMEOUT_PARAM, "r");

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(self->saved_timeout, sizeof(self->saved_timeout), f));
	fclose(f);
	/*
	 * A short hang timeout keeps these tests fast; not too short, or a queue whose
	 * packet a busy host has not run yet looks hung.
	 */
	ASSERT_EQ(0, musa_write_file(MUSA_HANG_TIMEOUT_PARAM, "1000"));
	self->fd = musa_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, musa_queue_open(self->fd, 6, &self->q));
}

FIXTURE_TEARDOWN(reset)
{
	musa_queue_close(&self->q);
	close(self->fd);
	musa_write_file(MUSA_HANG_TIMEOUT_PARAM, self->saved_timeout);
}

/* A new file gets a working context: copy a page and check it. */
static int works_in_new_file(void)
{
	struct musa_queue q;
	struct musa_bo a, b;
	int fd = musa_open(), ret = -1;

	if (fd < 0)
		return -1;
	if (!musa_queue_open(fd, 4, &q) &&
	    !musa_bo_new(fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &a) &&
	    !musa_bo_new(fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &b) &&
	    musa_bo_map(fd, &a) && musa_bo_map(fd, &b)) {
		memset(a.map, 0x77, 4096);
		if (!musa_queue_copy_sync(&q, b.va, a.va, 4096))
			ret = memcmp(a.map, b.map, 4096) ? -1 : 0;
	}
	close(fd);
	return ret;
}

static void expect_context_refuses_work(struct __test_metadata *_metadata, int fd)
{
	struct drm_musa_submit sub = { .num_packets = 1 };
	struct s5000_pkt_nop nop = { .header = S5000_PKT_HEADER(S5000_PKT_NOP, 0, 0) };
	struct musa_bo ring;
	uint32_t id, db;

	ASSERT_EQ(0, musa_bo_new(fd, 8192, MUSA_PLACEMENT_SYSTEM, 0, &ring));
	EXPECT_EQ(-EIO, musa_queue_create_raw(fd, ring.va, ring.va + 4096, 4, &id, &db));
	sub.packets = (uintptr_t)&nop;
	EXPECT_EQ(-EIO, musa_ioctl(fd, DRM_IOCTL_MUSA_SUBMIT, &sub));
}

TEST_F(reset, page_fault_marks_queue_and_context)
{
	const uint64_t bad = (1ull << 46) + 0x1238;
	struct drm_musa_queue_state st;
	struct s5000_pkt_copy copy;
	struct musa_bo dst;

	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &dst));
	copy = musa_pkt_copy(dst.va, bad, 64);
	ASSERT_EQ(0, musa_queue_push(&self->q, &copy));
	EXPECT_EQ(-EIO, musa_queue_wait(&self->q, musa_queue_fence(&self->q), 5000));
	ASSERT_EQ(0, musa_queue_state(self->fd, self->q.id, &st));
	EXPECT_EQ(MUSA_QUEUE_STATE_FAULTED, st.state);
	EXPECT_EQ(S5000_ERR_PAGE_FAULT, st.error);
	EXPECT_EQ(bad, st.fault_va);
	EXPECT_EQ(0, st.rptr) TH_LOG("the faulting packet is not consumed");
	/* Sticky: later waits fail at once, the context takes no new work. */
	EXPECT_EQ(-EIO, musa_queue_wait(&self->q, 1, 5000));
	expect_context_refuses_work(_metadata, self->fd);
	EXPECT_EQ(0, works_in_new_file());
}

TEST_F(reset, bad_packet_fails_the_queue)
{
	struct drm_musa_queue_state st;
	struct s5000_pkt_nop bad = { .header = 0x7f };

	ASSERT_EQ(0, musa_queue_push(&self->q, &bad));
	EXPECT_EQ(-EIO, musa_queue_wait(&self->q, musa_queue_fence(&self->q), 5000));
	ASSERT_EQ(0, musa_queue_state(self->fd, self->q.id, &st));
	EXPECT_EQ(MUSA_QUEUE_STATE_FAULTED, st.state);
	EXPECT_EQ(S5000_ERR_BAD_PACKET, st.error);
}

/* The emulator's control port injects an error into the device; skip without one. */
static int inject(const char *cmd)
{
	char reply[128];

	if (access("/dev/s5000-ctl0", F_OK))
		return 1;
	if (musa_ctl(cmd, reply, sizeof(reply)) || strcmp(reply, "ok"))
		return -1;
	return 0;
}

static void expect_queue_error(struct __test_metadata *_metadata, int fd, uint32_t id,
			       uint32_t error)
{
	struct drm_musa_queue_state st;

	ASSERT_EQ(0, musa_queue_state(fd, id, &st));
	EXPECT_EQ(MUSA_QUEUE_STATE_FAULTED, st.state);
	EXPECT_EQ(error, st.error);
}

TEST_F(reset, uncorrectable_ecc_error_fails_the_queue_that_meets_it)
{
	struct drm_musa_telemetry t0, t1;
	struct drm_musa_query q = {
		.query = MUSA_QUERY_TELEMETRY, .size = sizeof(t0), .data = (uintptr_t)&t0,
	};
	struct musa_bo v, s;
	int ret;

	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_VRAM, 0, &v));
	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &s));
	ASSERT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_QUERY, &q));
	ret = inject("ecc uncorrected");
	if (ret > 0)
		SKIP(return, "no emulator control port");
	ASSERT_EQ(0, ret);
	EXPECT_EQ(-EIO, musa_queue_copy_sync(&self->q, s.va, v.va, 4096));
	expect_queue_error(_metadata, self->fd, self->q.id, S5000_ERR_ECC);
	q.data = (uintptr_t)&t1;
	ASSERT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_QUERY, &q));
	EXPECT_EQ(t0.ecc_uncorrected + 1, t1.ecc_uncorrected);
	EXPECT_EQ(0, works_in_new_file());
}

TEST_F(reset, failed_dma_fails_the_queue)
{
	struct musa_bo s;
	struct s5000_pkt_fill fill;
	int ret;

	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &s));
	ret = inject("dma-fail");
	if (ret > 0)
		SKIP(return, "no emulator control port");
	ASSERT_EQ(0, ret);
	fill = musa_pkt_fill(s.va, 4096, 1);
	ASSERT_EQ(0, musa_queue_push(&self->q, &fill));
	EXPECT_EQ(-EIO, musa_queue_wait(&self->q, musa_queue_fence(&self->q), 5000));
	expect_queue_error(_metadata, self->fd, self->q.id, S5000_ERR_DMA);
	EXPECT_EQ(0, works_in_new_file());
}

/* Work stuck behind a hung queue: the watchdog resets it and waiters get -EIO. */
static void expect_hang_recovered(struct __test_metadata *_metadata, int fd,
				  struct musa_queue *q, uint64_t seq, int resets_before)
{
	struct drm_musa_queue_state st;
	uint64_t start = musa_now_ns();

	EXPECT_EQ(-EIO, musa_queue_wait(q, seq, 10000));
	EXPECT_GT(5000000000ull, musa_now_ns() - start);
	ASSERT_EQ(0, musa_queue_state(fd, q->id, &st));
	EXPECT_EQ(MUSA_QUEUE_STATE_HUNG, st.state);
	EXPECT_EQ(resets_before + 1, (int)musa_param(fd, MUSA_PARAM_QUEUE_RESET_COUNT));
	EXPECT_EQ(resets_before + 1, (int)musa_sysfs_u64("queue_reset_count"));
	expect_context_refuses_work(_metadata, fd);
	EXPECT_EQ(0, works_in_new_file());
}

TEST_F(reset, hung_queue_is_reset_by_the_watchdog)
{
	int resets = (int)musa_param(self->fd, MUSA_PARAM_QUEUE_RESET_COUNT);
	int hwid = musa_queue_hwid(self->q.id);
	char cmd[32], reply[128];
	uint64_t seq;

	ASSERT_LE(0, hwid);
	if (access("/dev/s5000-ctl0", F_OK))
		SKIP(return, "no emulator control port");
	snprintf(cmd, sizeof(cmd), "hang %d", hwid);
	ASSERT_EQ(0, musa_ctl(cmd, reply, sizeof(reply)));
	ASSERT_EQ(0, strncmp(reply, "ok", 2)) TH_LOG("control port: %s", reply);
	seq = musa_queue_fence(&self->q);
	expect_hang_recovered(_metadata, self->fd, &self->q, seq, resets);
}

TEST_F(reset, injected_hang_is_reset)
{
	int resets = (int)musa_param(self->fd, MUSA_PARAM_QUEUE_RESET_COUNT);
	int hwid = musa_queue_hwid(self->q.id);
	char path[300], text[16];
	struct musa_bo gate;
	struct s5000_pkt_wait w;
	uint64_t seq;

	ASSERT_LE(0, hwid);
	ASSERT_EQ(0, musa_debugfs_path("inject_hang", path, sizeof(path)));
	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &gate));
	w = musa_pkt_wait_ge(gate.va, 1);	/* never opened */
	ASSERT_EQ(0, musa_queue_push(&self->q, &w));
	seq = musa_queue_fence(&self->q);
	snprintf(text, sizeof(text), "%d", hwid);
	ASSERT_EQ(0, musa_write_file(path, text));
	expect_hang_recovered(_metadata, self->fd, &self->q, seq, resets);
}

TEST_F(reset, injected_fault_is_reported)
{
	int hwid = musa_queue_hwid(self->q.id);
	struct drm_musa_queue_state st;
	char path[300], text[48];

	ASSERT_LE(0, hwid);
	ASSERT_EQ(0, musa_debugfs_path("inject_fault", path, sizeof(path)));
	snprintf(text, sizeof(text), "%d 0xdead000", hwid);
	ASSERT_EQ(0, musa_write_file(path, text));
	ASSERT_EQ(0, musa_queue_state(self->fd, self->q.id, &st));
	EXPECT_EQ(MUSA_QUEUE_STATE_FAULTED, st.state);
	EXPECT_EQ(0xdead000, st.fault_va);
	EXPECT_EQ(-EIO, musa_queue_wait(&self->q, 1, 1000));
}

/* A child keeps its queue busy while the parent's queue hangs and is reset. */
TEST_F(reset, hang_does_not_disturb_another_process)
{
	int hwid = musa_queue_hwid(self->q.id), status;
	char path[300], text[16];
	pid_t child;

	ASSERT_LE(0, hwid);
	ASSERT_EQ(0, musa_debugfs_path("inject_hang", path, sizeof(path)));
	child = fork();
	if (child == 0) {
		struct musa_queue q;
		int fd = musa_open();

		if (fd < 0 || musa_queue_open(fd, 4, &q))
			_exit(1);
		for (int i = 0; i < 200; i++)
			if (musa_queue_wait(&q, musa_queue_fence(&q), 5000))
				_exit(2);
		_exit(0);
	}
	snprintf(text, sizeof(text), "%d", hwid);
	ASSERT_EQ(0, musa_write_file(path, text));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* A device reset loses every queue and context; new files work again. */
TEST_F(reset, device_reset_loses_contexts_and_recovers)
{
	int resets = (int)musa_param(self->fd, MUSA_PARAM_RESET_COUNT);
	struct drm_musa_queue_state st;
	char path[300];

	ASSERT_EQ(0, musa_queue_wait(&self->q, musa_queue_fence(&self->q), 5000));
	ASSERT_EQ(0, musa_debugfs_path("reset", path, sizeof(path)));
	ASSERT_EQ(0, musa_write_file(path, "1"));
	EXPECT_EQ(resets + 1, (int)musa_param(self->fd, MUSA_PARAM_RESET_COUNT));
	EXPECT_EQ(resets + 1, (int)musa_sysfs_u64("reset_count"));
	ASSERT_EQ(0, musa_queue_state(self->fd, self->q.id, &st));
	EXPECT_EQ(MUSA_QUEUE_STATE_LOST, st.state);
	EXPECT_EQ(-EIO, musa_queue_wait(&self->q, 2, 1000));
	expect_context_refuses_work(_metadata, self->fd);
	EXPECT_EQ(0, works_in_new_file());
	/* VRAM objects are still cleared by the kernel's ring after the reset. */
	EXPECT_EQ(0, works_in_new_file());
}

TEST_HARNESS_MAIN
