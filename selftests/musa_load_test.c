// SPDX-License-Identifier: MIT
/*
 * musa_load_test: the module loads and unloads many times, and the device unbinds
 * and binds again with a file still open, with nothing wrong in the kernel log
 * (guests boot with slub_debug=FZP). Leaves musa.ko loaded and bound.
 *
 * The module to load is $MUSA_KO, or the one musa-vm inserted (its run folder is
 * on the kernel command line).
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "musa_test.h"

/* Opens the device and copies a page through a queue: 0 if it all works. */
static int device_works(void)
{
	struct musa_queue q = { 0 };
	struct musa_bo a = { 0 }, b = { 0 };
	int fd = musa_open(), ret = -1;

	if (fd < 0)
		return -1;
	if (!musa_queue_open(fd, 4, &q) &&
	    !musa_bo_new(fd, 4096, MUSA_PLACEMENT_VRAM, MUSA_BO_CPU_VISIBLE, &a) &&
	    !musa_bo_new(fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &b) &&
	    musa_bo_map(fd, &a) && musa_bo_map(fd, &b)) {
		memset(a.map, 0x3c, 4096);
		if (!musa_queue_copy_sync(&q, b.va, a.va, 4096))
			ret = memcmp(a.map, b.map, 4096) ? -1 : 0;
	}
	/* Mappings hold the file (and the module) until they go. */
	musa_queue_close(&q);
	musa_bo_free(fd, &a);
	musa_bo_free(fd, &b);
	close(fd);
	return ret;
}

/* Four queues, each waited on with MUSA_IOCTL_WAIT behind a gate: 0 if all wake. */
static int several_queues_wait(void)
{
	struct musa_queue q[4] = { 0 };
	struct musa_bo gate = { 0 };
	struct s5000_pkt_wait w;
	uint64_t seq[4];
	int fd = musa_open(), ret = -1, i;

	if (fd < 0 || musa_bo_new(fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &gate) ||
	    !musa_bo_map(fd, &gate))
		goto out;
	*(volatile uint64_t *)gate.map = 0;
	for (i = 0; i < 4; i++) {
		w = musa_pkt_wait_ge(gate.va, 1);
		if (musa_queue_open(fd, 4, &q[i]) || musa_queue_push(&q[i], &w))
			goto out;
		seq[i] = musa_queue_fence(&q[i]);
	}
	usleep(50000);
	*(volatile uint64_t *)gate.map = 1;
	for (ret = 0, i = 0; i < 4; i++)
		ret |= musa_queue_wait(&q[i], seq[i], 5000);
out:
	for (i = 0; i < 4; i++)
		musa_queue_close(&q[i]);
	musa_bo_free(fd, &gate);
	close(fd);
	return ret;
}

FIXTURE(load)
{
	int kmsg;
	char ko[512];
	char bdf[32];
};

FIXTURE_SETUP(load)
{
	if (musa_module_path(self->ko, sizeof(self->ko)))
		SKIP(return, "no module path: set MUSA_KO");
	ASSERT_EQ(0, musa_device_bdf(0, self->bdf, sizeof(self->bdf)));
	self->kmsg = musa_kmsg_open();
	ASSERT_LE(0, self->kmsg);
}

FIXTURE_TEARDOWN(load)
{
	char first[512];

	EXPECT_EQ(0, musa_kmsg_bugs(self->kmsg, first, sizeof(first))) TH_LOG("%s", first);
	close(self->kmsg);
}

TEST_F(load, unload_and_load_many_times)
{
	struct stat st;

	for (int i = 0; i < 5; i++) {
		ASSERT_EQ(0, musa_module_unload()) TH_LOG("round %d", i);
		EXPECT_NE(0, stat("/sys/module/musa", &st));
		ASSERT_EQ(0, musa_module_load(self->ko, "")) TH_LOG("round %d: %s", i, self->ko);
		ASSERT_EQ(0, device_works()) TH_LOG("round %d", i);
	}
}

/* Fewer MSI-X vectors than queues: queues share them, events share vector 0. */
TEST_F(load, fewer_vectors_are_shared)
{
	static const char *const params[] = { "max_vectors=1", "max_vectors=3", "" };

	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, musa_module_unload());
		ASSERT_EQ(0, musa_module_load(self->ko, params[i])) TH_LOG("%s", params[i]);
		EXPECT_EQ(0, device_works()) TH_LOG("%s", params[i]);
		EXPECT_EQ(0, several_queues_wait()) TH_LOG("%s", params[i]);
	}
}

static int pci_driver_write(const char *what, const char *bdf)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/musa/%s", what);
	return musa_write_file(path, bdf);
}

TEST_F(load, unbind_and_bind_with_an_open_file)
{
	struct drm_musa_bo_create c = { .size = 4096 };
	struct musa_queue q;
	struct musa_bo v;
	int fd = musa_open();
	pid_t child;
	int status;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, musa_queue_open(fd, 4, &q));
	ASSERT_EQ(0, musa_bo_new(fd, 4096, MUSA_PLACEMENT_VRAM, MUSA_BO_CPU_VISIBLE, &v));
	ASSERT_NE(NULL, musa_bo_map(fd, &v));
	((uint32_t *)v.map)[0] = 5;

	/* A sleeper on the queue is woken by the removal. */
	child = fork();
	if (child == 0)
		_exit(musa_queue_wait(&q, 1000, 20000) == -ENODEV ? 0 : 1);
	usleep(200000);
	ASSERT_EQ(0, pci_driver_write("unbind", self->bdf));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("the waiter did not get -ENODEV");

	EXPECT_EQ(UINT64_MAX, musa_param(fd, MUSA_PARAM_UAPI_VERSION));
	EXPECT_EQ(-ENODEV, musa_ioctl(fd, DRM_IOCTL_MUSA_BO_CREATE, &c));
	EXPECT_EQ(-ENODEV, musa_queue_wait(&q, 1, 100));
	EXPECT_TRUE(musa_read_faults(v.map)) TH_LOG("VRAM mapping after removal");
	EXPECT_TRUE(musa_read_faults(q.db)) TH_LOG("doorbell mapping after removal");
	musa_queue_close(&q);
	musa_bo_free(fd, &v);
	close(fd);

	ASSERT_EQ(0, pci_driver_write("bind", self->bdf));
	EXPECT_EQ(0, device_works());
}

TEST_HARNESS_MAIN
