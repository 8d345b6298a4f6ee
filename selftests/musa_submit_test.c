// SPDX-License-Identifier: MIT
/*
 * musa_submit_test: the kernel-mediated path. Packets submitted through the kernel
 * run in the file's address space, signal binary and timeline syncobjs, wait for
 * fences of other files, fail sticky when they fault, and every class of bad
 * argument is refused with its errno.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include "kselftest_harness.h"
#include "musa_test.h"

static int syncobj_create(int fd, uint32_t *handle)
{
	struct drm_syncobj_create c = { 0 };
	int ret = musa_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	*handle = c.handle;
	return ret;
}

/* Waits for a binary syncobj (point 0) or a timeline point; 0 or -errno. */
static int syncobj_wait(int fd, uint32_t handle, uint64_t point, uint64_t timeout_ms)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&handle, .points = (uintptr_t)&point,
		.timeout_nsec = (int64_t)(musa_now_ns() + timeout_ms * 1000000ull),
		.count_handles = 1, .flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	return musa_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

static int submit(int fd, const void *packets, uint32_t count, uint32_t out, uint64_t point,
		  const struct drm_musa_sync *in, uint32_t nin, uint64_t *seqno)
{
	struct drm_musa_submit s = {
		.packets = (uintptr_t)packets, .num_packets = count,
		.in_syncs = (uintptr_t)in, .num_in_syncs = nin,
		.out_sync = out, .out_point = point,
	};
	int ret = musa_ioctl(fd, DRM_IOCTL_MUSA_SUBMIT, &s);

	if (seqno)
		*seqno = s.seqno;
	return ret;
}

FIXTURE(submit)
{
	int fd;
	struct musa_bo buf;
	uint32_t *words;
	uint32_t sync;
};

FIXTURE_SETUP(submit)
{
	self->fd = musa_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, musa_bo_new(self->fd, 65536, MUSA_PLACEMENT_SYSTEM, 0, &self->buf));
	self->words = musa_bo_map(self->fd, &self->buf);
	ASSERT_NE(NULL, self->words);
	memset(self->words, 0, 65536);
	ASSERT_EQ(0, syncobj_create(self->fd, &self->sync));
}

FIXTURE_TEARDOWN(submit)
{
	close(self->fd);
}

TEST_F(submit, packets_run_and_signal_a_syncobj)
{
	struct s5000_pkt_fill fill[2] = {
		musa_pkt_fill(self->buf.va, 4096, 0x11111111),
		musa_pkt_fill(self->buf.va + 4096, 4096, 0x22222222),
	};
	uint64_t seq1, seq2;

	ASSERT_EQ(0, submit(self->fd, fill, 2, self->sync, 0, NULL, 0, &seq1));
	ASSERT_EQ(0, syncobj_wait(self->fd, self->sync, 0, 5000));
	EXPECT_EQ(0x11111111, self->words[0]);
	EXPECT_EQ(0x22222222, self->words[2047]);
	ASSERT_EQ(0, submit(self->fd, fill, 1, 0, 0, NULL, 0, &seq2));
	EXPECT_EQ(seq1 + 1, seq2);
}

TEST_F(submit, timeline_points)
{
	struct s5000_pkt_fill fill = musa_pkt_fill(self->buf.va, 4, 5);
	struct drm_syncobj_create c = { 0 };
	uint32_t tl;

	ASSERT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_CREATE, &c));
	tl = c.handle;
	ASSERT_EQ(0, submit(self->fd, &fill, 1, tl, 5, NULL, 0, NULL));
	fill.pattern = 9;
	ASSERT_EQ(0, submit(self->fd, &fill, 1, tl, 9, NULL, 0, NULL));
	EXPECT_EQ(0, syncobj_wait(self->fd, tl, 9, 5000));
	EXPECT_EQ(0, syncobj_wait(self->fd, tl, 5, 0));
	EXPECT_EQ(9, self->words[0]);
}

/* File B's work waits for file A's, which waits for the CPU to open a gate. */
TEST_F(submit, waits_for_another_files_fence)
{
	struct drm_syncobj_handle exp = { 0 }, imp = { 0 };
	struct drm_musa_sync in = { 0 };
	struct s5000_pkt_wait gate = musa_pkt_wait_ge(self->buf.va + 8192, 1);
	struct s5000_pkt_fill mark;
	struct musa_bo buf2;
	uint32_t *words2, out2;
	int fd2 = musa_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, syncobj_create(fd2, &out2));
	ASSERT_EQ(0, submit(self->fd, &gate, 1, self->sync, 0, NULL, 0, NULL));
	exp.handle = self->sync;
	ASSERT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &exp));
	imp.fd = exp.fd;
	ASSERT_EQ(0, musa_ioctl(fd2, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &imp));
	close(exp.fd);

	ASSERT_EQ(0, musa_bo_new(fd2, 4096, MUSA_PLACEMENT_SYSTEM, 0, &buf2));
	words2 = musa_bo_map(fd2, &buf2);
	ASSERT_NE(NULL, words2);
	words2[0] = 0;
	mark = musa_pkt_fill(buf2.va, 4, 0xabc);
	in.handle = imp.handle;
	ASSERT_EQ(0, submit(fd2, &mark, 1, out2, 0, &in, 1, NULL));
	usleep(200000);
	EXPECT_EQ(0, words2[0]) TH_LOG("ran before its dependency");
	self->words[2048] = 1;	/* opens the gate */
	EXPECT_EQ(0, syncobj_wait(fd2, out2, 0, 5000));
	EXPECT_EQ(0xabc, words2[0]);
	close(fd2);
}

TEST_F(submit, fault_fails_the_context)
{
	struct s5000_pkt_copy copy = musa_pkt_copy(self->buf.va, 1ull << 45, 64);
	struct s5000_pkt_fill fill = musa_pkt_fill(self->buf.va, 4, 1);

	ASSERT_EQ(0, submit(self->fd, &copy, 1, self->sync, 0, NULL, 0, NULL));
	EXPECT_EQ(0, syncobj_wait(self->fd, self->sync, 0, 5000)) TH_LOG("completes, in error");
	EXPECT_EQ(-EIO, submit(self->fd, &fill, 1, 0, 0, NULL, 0, NULL));
}

TEST_F(submit, rejects_bad_arguments)
{
	struct s5000_pkt_fill fill[MUSA_SUBMIT_MAX_PACKETS + 1];
	struct drm_musa_sync in[MUSA_SUBMIT_MAX_SYNCS + 1];
	struct drm_musa_submit s, good = { .num_packets = 1 };
	uint64_t va_end = musa_param(self->fd, MUSA_PARAM_VA_END);
	struct drm_syncobj_create signalled = { .flags = DRM_SYNCOBJ_CREATE_SIGNALED };

	for (int i = 0; i <= MUSA_SUBMIT_MAX_PACKETS; i++)
		fill[i] = musa_pkt_fill(self->buf.va, 4, i);
	memset(in, 0, sizeof(in));
	ASSERT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_CREATE, &signalled));
	in[0].handle = signalled.handle;
	good.packets = (uintptr_t)fill;

	s = good; s.flags = 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s));
	s = good; s.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s));
	s = good; s.num_packets = 0;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s));
	s = good; s.num_packets = MUSA_SUBMIT_MAX_PACKETS + 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s));
	s = good; s.num_in_syncs = MUSA_SUBMIT_MAX_SYNCS + 1; s.in_syncs = (uintptr_t)in;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s));
	s = good; s.out_point = 3;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s)) TH_LOG("point alone");
	s = good; s.packets = 16;
	EXPECT_EQ(-EFAULT, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s));
	s = good; s.num_in_syncs = 1; s.in_syncs = 16;
	EXPECT_EQ(-EFAULT, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s));
	s = good; s.out_sync = 999;
	EXPECT_EQ(-ENOENT, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s));
	in[1].handle = 999;
	s = good; s.num_in_syncs = 2; s.in_syncs = (uintptr_t)in;
	EXPECT_EQ(-ENOENT, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s));
	in[1].handle = self->sync;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s)) TH_LOG("no fence yet");
	in[1].handle = signalled.handle; in[1].flags = 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s)) TH_LOG("sync flags");
	fill[0].header = S5000_PKT_HEADER(99, 0, 0);
	s = good;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s)) TH_LOG("unknown type");
	fill[0] = musa_pkt_fill(va_end + 4096, 4, 0);
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s))
		TH_LOG("writes the driver's ring");
	fill[0] = musa_pkt_fill(self->buf.va, 4, 0);
	s = good; s.num_packets = MUSA_SUBMIT_MAX_PACKETS;
	EXPECT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_SUBMIT, &s));
}

/* Many submissions, more than the ring holds at once, all complete in order. */
TEST_F(submit, many_submissions_in_order)
{
	struct s5000_pkt_fill fill[8];
	int n = 300;

	for (int i = 0; i < n; i++) {
		for (int j = 0; j < 8; j++)
			fill[j] = musa_pkt_fill(self->buf.va + j * 4, 4, i * 8 + j);
		ASSERT_EQ(0, submit(self->fd, fill, 8, i == n - 1 ? self->sync : 0, 0, NULL, 0,
				    NULL));
	}
	ASSERT_EQ(0, syncobj_wait(self->fd, self->sync, 0, 10000));
	for (int j = 0; j < 8; j++)
		EXPECT_EQ((n - 1) * 8 + j, self->words[j]);
}

TEST_HARNESS_MAIN
