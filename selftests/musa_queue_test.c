// SPDX-License-Identifier: MIT
/*
 * musa_queue_test: user-mode queues. Creating, inspecting and destroying them with
 * every class of bad argument, and running COPY, FILL and SIGNAL packets written
 * straight into the ring, with no system call per submission.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <setjmp.h>
#include <signal.h>

#include "kselftest_harness.h"
#include "musa_test.h"

FIXTURE(queue)
{
	int fd;
	struct musa_queue q;
};

FIXTURE_SETUP(queue)
{
	self->fd = musa_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, musa_queue_open(self->fd, 8, &self->q));
}

FIXTURE_TEARDOWN(queue)
{
	musa_queue_close(&self->q);
	close(self->fd);
}

TEST_F(queue, starts_active_and_empty)
{
	struct drm_musa_queue_state st;

	ASSERT_EQ(0, musa_queue_state(self->fd, self->q.id, &st));
	EXPECT_EQ(MUSA_QUEUE_STATE_ACTIVE, st.state);
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(0, st.rptr);
	EXPECT_EQ(0, self->q.db->wptr);
}

TEST_F(queue, signal_reaches_memory)
{
	uint64_t seq = musa_queue_fence(&self->q);

	ASSERT_EQ(1, seq);
	ASSERT_EQ(0, musa_queue_wait(&self->q, seq, 5000));
	EXPECT_EQ(1, *self->q.fence);
	EXPECT_EQ(1, *self->q.rptr);
	EXPECT_EQ(1, self->q.db->rptr);
}

/* VRAM -> system and system -> VRAM -> system, checked by the CPU on both ends. */
TEST_F(queue, copy_through_vram)
{
	struct musa_bo src, vram, dst;
	const size_t size = 256 * 1024;
	uint8_t *s, *d;

	ASSERT_EQ(0, musa_bo_new(self->fd, size, MUSA_PLACEMENT_SYSTEM, 0, &src));
	ASSERT_EQ(0, musa_bo_new(self->fd, size, MUSA_PLACEMENT_VRAM, 0, &vram));
	ASSERT_EQ(0, musa_bo_new(self->fd, size, MUSA_PLACEMENT_SYSTEM, 0, &dst));
	s = musa_bo_map(self->fd, &src);
	d = musa_bo_map(self->fd, &dst);
	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, d);
	for (size_t i = 0; i < size; i++)
		s[i] = (uint8_t)(i * 7 + 3);
	memset(d, 0xee, size);
	ASSERT_EQ(0, musa_queue_copy_sync(&self->q, vram.va, src.va, size));
	ASSERT_EQ(0, musa_queue_copy_sync(&self->q, dst.va, vram.va, size));
	EXPECT_EQ(0, memcmp(s, d, size));
	musa_bo_free(self->fd, &src);
	musa_bo_free(self->fd, &vram);
	musa_bo_free(self->fd, &dst);
}

/* New VRAM reads as zeros, whatever it held for its previous owner. */
TEST_F(queue, new_vram_is_zeroed)
{
	struct musa_bo vram, dst;
	const size_t size = 64 * 1024;
	struct s5000_pkt_fill fill;
	uint64_t va;
	uint32_t *d;

	ASSERT_EQ(0, musa_bo_new(self->fd, size, MUSA_PLACEMENT_VRAM, 0, &vram));
	va = vram.va;
	fill = musa_pkt_fill(vram.va, size, 0xdeadbeef);
	ASSERT_EQ(0, musa_queue_push(&self->q, &fill));
	ASSERT_EQ(0, musa_queue_wait(&self->q, musa_queue_fence(&self->q), 5000));
	musa_bo_free(self->fd, &vram);
	/* The same size again, at the same address: most likely the same VRAM. */
	ASSERT_EQ(0, musa_bo_new_at(self->fd, size, MUSA_PLACEMENT_VRAM, MUSA_BO_FIXED_VA, va,
				    &vram));
	ASSERT_EQ(0, musa_bo_new(self->fd, size, MUSA_PLACEMENT_SYSTEM, 0, &dst));
	d = musa_bo_map(self->fd, &dst);
	ASSERT_NE(NULL, d);
	memset(d, 0xff, size);
	ASSERT_EQ(0, musa_queue_copy_sync(&self->q, dst.va, vram.va, size));
	for (size_t i = 0; i < size / 4; i++) {
		ASSERT_EQ(0, d[i]) TH_LOG("word %zu", i);
	}
	musa_bo_free(self->fd, &vram);
	musa_bo_free(self->fd, &dst);
}

/* Many packets, several times around the ring, with no system call in between. */
TEST_F(queue, ring_wraps_without_syscalls)
{
	struct musa_bo buf;
	const int count = 4 * 256 + 17;
	struct s5000_pkt_fill fill;
	uint32_t *p;
	int i;

	ASSERT_EQ(0, musa_bo_new(self->fd, count * 4, MUSA_PLACEMENT_SYSTEM, 0, &buf));
	p = musa_bo_map(self->fd, &buf);
	ASSERT_NE(NULL, p);
	memset(p, 0, count * 4);
	for (i = 0; i < count; i++) {
		fill = musa_pkt_fill(buf.va + i * 4, 4, 0x1000 + i);
		ASSERT_EQ(0, musa_queue_push(&self->q, &fill));
		if (i % 16 == 15)
			musa_queue_commit(&self->q);
	}
	ASSERT_EQ(0, musa_queue_wait(&self->q, musa_queue_fence(&self->q), 10000));
	for (i = 0; i < count; i++) {
		ASSERT_EQ(0x1000 + i, p[i]) TH_LOG("word %d", i);
	}
	EXPECT_EQ(count + 1, *self->q.rptr);
	musa_bo_free(self->fd, &buf);
}

/* Time with work pending counts as engine time of the file that owns the queue. */
TEST_F(queue, fdinfo_engine_time_counts_pending_work)
{
	long long before = musa_fdinfo(self->fd, "drm-engine-compute"), after;
	struct musa_bo gate;
	struct s5000_pkt_wait w;
	uint64_t seq;
	int fd2 = musa_open();

	ASSERT_LE(0, before);
	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &gate));
	ASSERT_NE(NULL, musa_bo_map(self->fd, &gate));
	*(volatile uint64_t *)gate.map = 0;
	w = musa_pkt_wait_ge(gate.va, 1);
	ASSERT_EQ(0, musa_queue_push(&self->q, &w));
	seq = musa_queue_fence(&self->q);
	usleep(500000);
	*(volatile uint64_t *)gate.map = 1;
	ASSERT_EQ(0, musa_queue_wait(&self->q, seq, 5000));
	after = musa_fdinfo(self->fd, "drm-engine-compute");
	EXPECT_LE(before + 300000000ll, after) TH_LOG("%lld ns -> %lld ns", before, after);
	EXPECT_GE(before + 5000000000ll, after);
	EXPECT_EQ(0, musa_fdinfo(fd2, "drm-engine-compute")) TH_LOG("another client");
	close(fd2);
}

TEST_F(queue, two_queues_of_one_file_run_independently)
{
	struct musa_queue q2;
	uint64_t a, b;

	ASSERT_EQ(0, musa_queue_open(self->fd, 4, &q2));
	EXPECT_NE(self->q.id, q2.id);
	a = musa_queue_fence(&self->q);
	b = musa_queue_fence(&q2);
	EXPECT_EQ(0, musa_queue_wait(&q2, b, 5000));
	EXPECT_EQ(0, musa_queue_wait(&self->q, a, 5000));
	musa_queue_close(&q2);
}

FIXTURE(queue_args)
{
	int fd;
	struct musa_bo ring;
	struct musa_bo ro;
};

FIXTURE_SETUP(queue_args)
{
	self->fd = musa_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, musa_bo_new(self->fd, 64 * 1024, MUSA_PLACEMENT_SYSTEM, 0, &self->ring));
	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_SYSTEM, MUSA_BO_READ_ONLY,
				 &self->ro));
}

FIXTURE_TEARDOWN(queue_args)
{
	close(self->fd);
}

static int create(int fd, struct drm_musa_queue_create *c)
{
	return musa_ioctl(fd, DRM_IOCTL_MUSA_QUEUE_CREATE, c);
}

TEST_F(queue_args, create_rejects_bad_arguments)
{
	struct drm_musa_queue_create good = {
		.ring_va = self->ring.va, .rptr_va = self->ring.va + 32768, .ring_order = 8,
	};
	struct drm_musa_queue_create c;

	c = good; c.flags = 1;
	EXPECT_EQ(-EINVAL, create(self->fd, &c));
	c = good; c.pad = 1;
	EXPECT_EQ(-EINVAL, create(self->fd, &c));
	c = good; c.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, create(self->fd, &c));
	c = good; c.ring_order = 3;
	EXPECT_EQ(-EINVAL, create(self->fd, &c));
	c = good; c.ring_order = 21;
	EXPECT_EQ(-EINVAL, create(self->fd, &c));
	c = good; c.priority = 4;
	EXPECT_EQ(-EINVAL, create(self->fd, &c));
	c = good; c.ring_va += 32;
	EXPECT_EQ(-EINVAL, create(self->fd, &c)) TH_LOG("misaligned ring");
	c = good; c.rptr_va += 4;
	EXPECT_EQ(-EINVAL, create(self->fd, &c)) TH_LOG("misaligned read index");
	c = good; c.ring_order = 11;	/* 128 KiB: past the end of the 64 KiB object */
	EXPECT_EQ(-EINVAL, create(self->fd, &c)) TH_LOG("ring outside one object");
	c = good; c.ring_va = 1ull << 40;
	EXPECT_EQ(-EINVAL, create(self->fd, &c)) TH_LOG("unmapped ring");
	c = good; c.rptr_va = self->ring.va + 64 * 1024;
	EXPECT_EQ(-EINVAL, create(self->fd, &c)) TH_LOG("unmapped read index");
	c = good; c.rptr_va = self->ro.va;
	EXPECT_EQ(-EINVAL, create(self->fd, &c)) TH_LOG("read-only read index");
	c = good;
	EXPECT_EQ(0, create(self->fd, &c));
	EXPECT_LT(0, c.queue_id);
	EXPECT_LT(0, c.doorbell_handle);
}

TEST_F(queue_args, destroy_and_state_reject_bad_ids)
{
	struct drm_musa_queue_destroy d = { .queue_id = 12345 };
	struct drm_musa_queue_state st = { .queue_id = 12345 };
	uint32_t id, db;

	EXPECT_EQ(-ENOENT, musa_ioctl(self->fd, DRM_IOCTL_MUSA_QUEUE_DESTROY, &d));
	EXPECT_EQ(-ENOENT, musa_ioctl(self->fd, DRM_IOCTL_MUSA_QUEUE_STATE, &st));
	ASSERT_EQ(0, musa_queue_create_raw(self->fd, self->ring.va, self->ring.va + 32768, 8,
					   &id, &db));
	d.queue_id = id;
	d.pad = 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_QUEUE_DESTROY, &d));
	st.queue_id = id;
	st.reserved = 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_QUEUE_STATE, &st));
	d.pad = 0;
	EXPECT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_QUEUE_DESTROY, &d));
	EXPECT_EQ(-ENOENT, musa_ioctl(self->fd, DRM_IOCTL_MUSA_QUEUE_DESTROY, &d));
	st.reserved = 0;
	EXPECT_EQ(-ENOENT, musa_ioctl(self->fd, DRM_IOCTL_MUSA_QUEUE_STATE, &st));
}

/* The ring's object may be closed while the queue runs: the queue keeps it. */
TEST_F(queue_args, queue_keeps_its_ring_mapped)
{
	struct musa_queue q;
	uint64_t seq;

	ASSERT_EQ(0, musa_queue_open(self->fd, 6, &q));
	ASSERT_EQ(0, musa_gem_close(self->fd, q.bo.handle));
	q.bo.handle = 0;
	seq = musa_queue_fence(&q);
	EXPECT_EQ(0, musa_queue_wait(&q, seq, 5000));
	musa_queue_close(&q);
}

/* Every hardware queue can be taken, and the next one is refused with -EBUSY. */
TEST_F(queue_args, hardware_queues_run_out)
{
	int n = (int)musa_param(self->fd, MUSA_PARAM_NUM_QUEUES), made = 0, ret;
	uint32_t id, db;

	for (int i = 0; i < n; i++) {
		ret = musa_queue_create_raw(self->fd, self->ring.va, self->ring.va + 32768, 8,
					    &id, &db);
		if (ret)
			break;
		made++;
	}
	EXPECT_EQ(-EBUSY, ret);
	EXPECT_LT(0, made);
	EXPECT_GT(n, made) TH_LOG("the kernel's own ring takes one");
}

/* Once its queue is gone, a doorbell mapping faults: another queue may own the page. */
TEST_F(queue_args, doorbell_revoked_on_destroy)
{
	struct musa_queue q;
	volatile uint64_t *wptr;

	ASSERT_EQ(0, musa_queue_open(self->fd, 6, &q));
	wptr = (volatile uint64_t *)&q.db->wptr;
	EXPECT_EQ(0, *wptr);
	ASSERT_EQ(0, musa_queue_destroy(self->fd, q.id));
	q.id = 0;
	EXPECT_EQ(1, musa_read_faults(wptr));
	/* And it cannot be mapped again. */
	EXPECT_EQ(NULL, musa_doorbell_map(self->fd, q.doorbell));
	musa_queue_close(&q);
}

TEST_F(queue_args, doorbell_is_not_executable_nor_exportable)
{
	struct drm_prime_handle prime = { .flags = DRM_CLOEXEC };
	struct drm_musa_bo_info info;
	uint32_t id, db;
	void *p;

	ASSERT_EQ(0, musa_queue_create_raw(self->fd, self->ring.va, self->ring.va + 32768, 8,
					   &id, &db));
	ASSERT_EQ(0, musa_bo_info(self->fd, db, &info));
	EXPECT_EQ(MUSA_PLACEMENT_DOORBELL, info.placement);
	EXPECT_EQ(8192, info.size);
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, self->fd, info.mmap_offset);
	EXPECT_EQ(MAP_FAILED, p);
	prime.handle = db;
	EXPECT_EQ(-EPERM, musa_ioctl(self->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime));
}

TEST_HARNESS_MAIN
