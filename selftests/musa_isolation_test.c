// SPDX-License-Identifier: MIT
/*
 * musa_isolation_test: two processes, each with its own file, cannot reach each
 * other's objects, addresses, queues or doorbells, and a queue that faults in one
 * does not disturb the other's.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "musa_test.h"

/* What the parent shows the child: its handles, addresses, ids and offsets. */
struct secrets {
	uint32_t bo_handle;
	uint32_t queue_id;
	uint32_t doorbell;
	uint64_t bo_va;
	uint64_t bo_mmap;
	uint64_t doorbell_mmap;
	uint64_t ctx;
};

FIXTURE(two)
{
	int fd;
	struct musa_queue q;
	struct musa_bo bo;
	struct secrets s;
};

FIXTURE_SETUP(two)
{
	struct drm_musa_bo_info info;

	self->fd = musa_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, musa_queue_open(self->fd, 6, &self->q));
	ASSERT_EQ(0, musa_bo_new(self->fd, 65536, MUSA_PLACEMENT_SYSTEM, 0, &self->bo));
	ASSERT_NE(NULL, musa_bo_map(self->fd, &self->bo));
	memset(self->bo.map, 0x42, 65536);
	ASSERT_EQ(0, musa_bo_info(self->fd, self->bo.handle, &info));
	self->s.bo_mmap = info.mmap_offset;
	ASSERT_EQ(0, musa_bo_info(self->fd, self->q.doorbell, &info));
	self->s.doorbell_mmap = info.mmap_offset;
	self->s.bo_handle = self->bo.handle;
	self->s.bo_va = self->bo.va;
	self->s.queue_id = self->q.id;
	self->s.doorbell = self->q.doorbell;
	self->s.ctx = musa_param(self->fd, MUSA_PARAM_CONTEXT_ID);
}

FIXTURE_TEARDOWN(two)
{
	musa_queue_close(&self->q);
	close(self->fd);
}

/* Runs fn in a child process with a file of its own; returns its exit status. */
static int in_other_process(int (*fn)(int fd, const struct secrets *s), const struct secrets *s)
{
	int status, fd;
	pid_t pid = fork();

	if (pid == 0) {
		fd = musa_open();
		_exit(fd < 0 ? 100 : fn(fd, s));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Each check returns its number when it fails, so the parent can say which. */
static int try_handles_and_ids(int fd, const struct secrets *s)
{
	struct drm_musa_bo_info info = { .handle = s->bo_handle };
	struct drm_musa_vm_bind b = { .handle = s->bo_handle };
	struct drm_musa_queue_state st = { .queue_id = s->queue_id };
	struct drm_musa_queue_destroy d = { .queue_id = s->queue_id };
	struct drm_prime_handle p = { .handle = s->bo_handle };
	struct musa_bo mine;

	if (musa_ioctl(fd, DRM_IOCTL_MUSA_BO_INFO, &info) != -ENOENT)
		return 1;
	if (musa_ioctl(fd, DRM_IOCTL_MUSA_VM_BIND, &b) != -ENOENT)
		return 2;
	if (musa_ioctl(fd, DRM_IOCTL_MUSA_QUEUE_STATE, &st) != -ENOENT)
		return 3;
	if (musa_ioctl(fd, DRM_IOCTL_MUSA_QUEUE_DESTROY, &d) != -ENOENT)
		return 4;
	if (musa_wait(fd, s->queue_id, s->bo_va, 0, MUSA_WAIT_EQ, 0) != -ENOENT)
		return 5;
	if (musa_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p) != -ENOENT)
		return 6;
	if (musa_param(fd, MUSA_PARAM_CONTEXT_ID) == s->ctx)
		return 7;
	/* Its own object at the same address is fine: address spaces are separate. */
	if (musa_bo_new_at(fd, 4096, MUSA_PLACEMENT_SYSTEM, MUSA_BO_FIXED_VA, s->bo_va, &mine))
		return 8;
	return 0;
}

TEST_F(two, handles_and_ids_are_per_file)
{
	EXPECT_EQ(0, in_other_process(try_handles_and_ids, &self->s));
}

static int try_mmap_offsets(int fd, const struct secrets *s)
{
	if (mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, s->bo_mmap) != MAP_FAILED)
		return 1;
	if (mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, s->doorbell_mmap) !=
	    MAP_FAILED)
		return 2;
	return 0;
}

TEST_F(two, mmap_offsets_are_per_file)
{
	EXPECT_EQ(0, in_other_process(try_mmap_offsets, &self->s));
}

/* The child reads the parent's address through its own queue: its own queue faults. */
static int try_parent_address(int fd, const struct secrets *s)
{
	struct drm_musa_queue_state st;
	struct musa_queue q;
	struct musa_bo dst;
	int ret;

	if (musa_queue_open(fd, 4, &q) || musa_bo_new(fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &dst))
		return 1;
	ret = musa_queue_copy_sync(&q, dst.va, s->bo_va + 65536 * 4, 4096);
	if (ret != -EIO)
		return 2;
	if (musa_queue_state(fd, q.id, &st) || st.state != MUSA_QUEUE_STATE_FAULTED)
		return 3;
	if (st.error != S5000_ERR_PAGE_FAULT || st.fault_va != s->bo_va + 65536 * 4)
		return 4;
	return 0;
}

TEST_F(two, other_address_space_faults_only_the_intruder)
{
	struct drm_musa_queue_state st;
	struct musa_bo dst;

	/* A page above the parent's object: unmapped in both address spaces. */
	EXPECT_EQ(0, in_other_process(try_parent_address, &self->s));
	ASSERT_EQ(0, musa_queue_state(self->fd, self->q.id, &st));
	EXPECT_EQ(MUSA_QUEUE_STATE_ACTIVE, st.state);
	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &dst));
	ASSERT_NE(NULL, musa_bo_map(self->fd, &dst));
	EXPECT_EQ(0, musa_queue_copy_sync(&self->q, dst.va, self->bo.va, 4096));
	EXPECT_EQ(0x42, ((uint8_t *)dst.map)[4095]);
}

/* While the parent streams work, the child's queue faults; the stream is unharmed. */
static int fault_now(int fd, const struct secrets *s)
{
	struct musa_queue q;
	struct s5000_pkt_fill fill = musa_pkt_fill(8 << 20, 4096, 1);	/* unmapped */

	if (musa_queue_open(fd, 4, &q) || musa_queue_push(&q, &fill))
		return 1;
	return musa_queue_wait(&q, musa_queue_fence(&q), 5000) == -EIO ? 0 : 2;
}

TEST_F(two, faulting_queue_does_not_disturb_another_process)
{
	struct drm_musa_queue_state st;
	uint32_t *words = self->bo.map;
	struct s5000_pkt_fill fill;
	uint64_t last = 0;
	int round;

	for (round = 0; round < 4; round++) {
		for (int i = 0; i < 40; i++) {
			fill = musa_pkt_fill(self->bo.va + (uint64_t)i * 4, 4, round * 100 + i);
			ASSERT_EQ(0, musa_queue_push(&self->q, &fill));
		}
		last = musa_queue_fence(&self->q);
		if (round == 1)
			EXPECT_EQ(0, in_other_process(fault_now, &self->s));
	}
	ASSERT_EQ(0, musa_queue_wait(&self->q, last, 5000));
	for (int i = 0; i < 40; i++) {
		ASSERT_EQ(300 + i, words[i]);
	}
	ASSERT_EQ(0, musa_queue_state(self->fd, self->q.id, &st));
	EXPECT_EQ(MUSA_QUEUE_STATE_ACTIVE, st.state);
	EXPECT_EQ(0, st.error);
}

TEST_HARNESS_MAIN
