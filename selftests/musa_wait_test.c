// SPDX-License-Identifier: MIT
/*
 * musa_wait_test: MUSA_IOCTL_WAIT. Sleeping until a value in memory (system, VRAM
 * or user memory) meets a condition, woken by the queue's interrupt; absolute
 * timeouts; signals; and every class of bad argument.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "musa_test.h"

FIXTURE(wait)
{
	int fd;
	struct musa_queue q;
	struct musa_bo gate;	/* the CPU opens it; a WAIT packet holds the queue on it */
	volatile uint64_t *gate_word;
};

FIXTURE_SETUP(wait)
{
	self->fd = musa_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, musa_queue_open(self->fd, 6, &self->q));
	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &self->gate));
	self->gate_word = musa_bo_map(self->fd, &self->gate);
	ASSERT_NE(NULL, self->gate_word);
	*self->gate_word = 0;
}

FIXTURE_TEARDOWN(wait)
{
	musa_queue_close(&self->q);
	close(self->fd);
}

/* Queues "wait for the gate, then signal the fence"; returns the fence's number. */
static uint64_t gated_fence(struct musa_queue *q, uint64_t gate_va)
{
	struct s5000_pkt_wait w = musa_pkt_wait_ge(gate_va, 1);

	musa_queue_push(q, &w);
	return musa_queue_fence(q);
}

/* Opens the gate from another process after ms milliseconds. */
static pid_t open_gate_later(volatile uint64_t *gate, unsigned int ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		usleep(ms * 1000);
		__atomic_store_n(gate, 1, __ATOMIC_RELEASE);
		_exit(0);
	}
	return pid;
}

TEST_F(wait, sleeps_until_the_queue_signals)
{
	uint64_t seq = gated_fence(&self->q, self->gate.va), start;
	pid_t child;

	ASSERT_EQ(-ETIME, musa_wait(self->fd, self->q.id, self->q.fence_va, seq, MUSA_WAIT_GE, 0))
		TH_LOG("not yet");
	start = musa_now_ns();
	child = open_gate_later(self->gate_word, 100);
	EXPECT_EQ(0, musa_queue_wait(&self->q, seq, 5000));
	EXPECT_LE(90000000ull, musa_now_ns() - start);
	EXPECT_EQ(seq, *self->q.fence);
	waitpid(child, NULL, 0);
}

TEST_F(wait, times_out_at_the_deadline)
{
	uint64_t seq = gated_fence(&self->q, self->gate.va), start = musa_now_ns(), took;

	EXPECT_EQ(-ETIME, musa_queue_wait(&self->q, seq, 200));
	took = musa_now_ns() - start;
	EXPECT_LE(195000000ull, took);
	EXPECT_GT(2000000000ull, took);
	*self->gate_word = 1;
	EXPECT_EQ(0, musa_queue_wait(&self->q, seq, 5000));
}

TEST_F(wait, deadline_in_the_past_polls_once)
{
	struct drm_musa_wait w = {
		.addr = self->q.fence_va, .value = 1, .queue_id = self->q.id,
		.timeout_ns = 1,
	};

	EXPECT_EQ(-ETIME, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	ASSERT_EQ(0, musa_queue_wait(&self->q, musa_queue_fence(&self->q), 5000));
	EXPECT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	w.timeout_ns = 0;
	EXPECT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
}

TEST_F(wait, conditions_and_mask)
{
	struct drm_musa_wait w = { .addr = self->gate.va, .queue_id = self->q.id };

	*self->gate_word = 0x1234;
	w.cond = MUSA_WAIT_EQ; w.value = 0x1234;
	EXPECT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	w.value = 0x1235;
	EXPECT_EQ(-ETIME, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	w.cond = MUSA_WAIT_NE;
	EXPECT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	w.value = 0x1234;
	EXPECT_EQ(-ETIME, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	w.cond = MUSA_WAIT_GE; w.value = 0x1300;
	EXPECT_EQ(-ETIME, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	w.mask = 0xff; w.value = 0x34;
	EXPECT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	w.cond = MUSA_WAIT_EQ; w.mask = 0xf0f0; w.value = 0x1030;
	EXPECT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
}

/* Values in CPU-visible VRAM and in registered user memory can be waited on too. */
TEST_F(wait, on_vram_and_user_memory)
{
	uint64_t *host = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
	struct drm_musa_bo_userptr u = { .user_ptr = (uintptr_t)host, .size = 4096 };
	struct s5000_pkt_signal sig;
	struct musa_bo v;

	ASSERT_NE(MAP_FAILED, host);
	host[0] = 0;
	ASSERT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_USERPTR, &u));
	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_VRAM, MUSA_BO_CPU_VISIBLE, &v));
	sig = musa_pkt_signal(v.va + 8, 77);
	ASSERT_EQ(0, musa_queue_push(&self->q, &sig));
	sig = musa_pkt_signal(u.gpu_va, 88);
	ASSERT_EQ(0, musa_queue_push(&self->q, &sig));
	musa_queue_commit(&self->q);
	EXPECT_EQ(0, musa_wait(self->fd, self->q.id, v.va + 8, 77, MUSA_WAIT_EQ, 5000));
	EXPECT_EQ(0, musa_wait(self->fd, self->q.id, u.gpu_va, 88, MUSA_WAIT_EQ, 5000));
	EXPECT_EQ(88, host[0]);
}

static void on_alarm(int sig)
{
}

/* A signal interrupts the sleep; with SA_RESTART it resumes with the same deadline. */
TEST_F(wait, signals_interrupt_and_restart)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct drm_musa_wait w = {
		.addr = self->q.fence_va, .queue_id = self->q.id,
	};
	uint64_t start;
	pid_t child;

	w.value = gated_fence(&self->q, self->gate.va);
	w.timeout_ns = (int64_t)(musa_now_ns() + 5000000000ull);
	sigaction(SIGALRM, &sa, NULL);
	ualarm(50000, 0);
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	EXPECT_EQ(EINTR, errno);

	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	start = musa_now_ns();
	child = open_gate_later(self->gate_word, 200);
	ualarm(50000, 0);
	EXPECT_EQ(0, ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	EXPECT_LE(190000000ull, musa_now_ns() - start);
	waitpid(child, NULL, 0);
}

TEST_F(wait, rejects_bad_arguments)
{
	struct drm_musa_wait w, good = {
		.addr = self->q.fence_va, .queue_id = self->q.id, .cond = MUSA_WAIT_GE,
	};
	struct musa_bo hidden;

	w = good; w.reserved = 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	w = good; w.cond = 3;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	w = good; w.addr += 4;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w)) TH_LOG("misaligned");
	w = good; w.queue_id = 999;
	EXPECT_EQ(-ENOENT, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w));
	w = good; w.addr = 1ull << 40;
	EXPECT_EQ(-EFAULT, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w)) TH_LOG("unmapped");
	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_VRAM, 0, &hidden));
	w = good; w.addr = hidden.va;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_WAIT, &w)) TH_LOG("hidden VRAM");
}

TEST_HARNESS_MAIN
