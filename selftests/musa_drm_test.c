// SPDX-License-Identifier: MIT
/*
 * musa_drm_test: musa.ko's DRM node and its parameter and query ioctls.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "musa_test.h"

FIXTURE(node)
{
	int fd;
	char bdf[32];
};

FIXTURE_SETUP(node)
{
	self->fd = musa_open_node(0, self->bdf, sizeof(self->bdf));
	ASSERT_LE(0, self->fd) TH_LOG("no musa device node: %s", strerror(errno));
}

FIXTURE_TEARDOWN(node)
{
	close(self->fd);
}

TEST_F(node, kind_fits_the_kernel)
{
	struct stat st;
	int has_accel = stat("/sys/class/accel", &st) == 0;
	char path[300];

	ASSERT_EQ(0, musa_node_path(0, path, sizeof(path)));
	EXPECT_EQ(0, strncmp(path, has_accel ? "/dev/accel/accel" : "/dev/dri/renderD", 16))
		TH_LOG("node %s", path);
}

TEST_F(node, version_names_the_driver)
{
	char name[32] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_VERSION, &v));
	EXPECT_STREQ("musa", name);
}

TEST_F(node, params)
{
	EXPECT_EQ(MUSA_UAPI_VERSION, musa_param(self->fd, MUSA_PARAM_UAPI_VERSION));
	EXPECT_EQ(S5000_PCI_DEVICE_ID, musa_param(self->fd, MUSA_PARAM_DEVICE_ID));
	EXPECT_EQ(S5000_PCI_REVISION, musa_param(self->fd, MUSA_PARAM_REVISION));
	EXPECT_EQ(S5000_VRAM_DEFAULT, musa_param(self->fd, MUSA_PARAM_VRAM_SIZE));
	EXPECT_EQ(musa_sysfs_bar_size(self->bdf, S5000_BAR_VRAM),
		  musa_param(self->fd, MUSA_PARAM_VRAM_CPU_VISIBLE));
	EXPECT_EQ(S5000_TIMESTAMP_FREQ_HZ, musa_param(self->fd, MUSA_PARAM_TIMESTAMP_FREQ));
	EXPECT_LT(0, musa_param(self->fd, MUSA_PARAM_NUM_QUEUES));
	EXPECT_GE(S5000_MAX_QUEUES, musa_param(self->fd, MUSA_PARAM_NUM_QUEUES));
}

TEST_F(node, driver_params)
{
	uint64_t caps = musa_param(self->fd, MUSA_PARAM_CAPABILITIES);
	uint64_t t0, t1, freq = musa_param(self->fd, MUSA_PARAM_TIMESTAMP_FREQ);

	EXPECT_EQ(MUSA_CAP_USER_QUEUES | MUSA_CAP_KERNEL_SUBMIT | MUSA_CAP_USERPTR |
		  MUSA_CAP_PRIME, caps & (MUSA_CAP_USER_QUEUES | MUSA_CAP_KERNEL_SUBMIT |
					  MUSA_CAP_USERPTR | MUSA_CAP_PRIME));
	EXPECT_EQ(1ull << 47, musa_param(self->fd, MUSA_PARAM_VA_START));
	EXPECT_EQ((1ull << 48) - (1ull << 30), musa_param(self->fd, MUSA_PARAM_VA_END));
	EXPECT_EQ(S5000_MAX_CONTEXTS, musa_param(self->fd, MUSA_PARAM_NUM_CONTEXTS));
	EXPECT_LT(0, musa_param(self->fd, MUSA_PARAM_VRAM_USED)) TH_LOG("page tables");
	EXPECT_GT(1000, musa_param(self->fd, MUSA_PARAM_RESET_COUNT));
	EXPECT_GT(1000, musa_param(self->fd, MUSA_PARAM_QUEUE_RESET_COUNT));
	t0 = musa_param(self->fd, MUSA_PARAM_TIMESTAMP);
	usleep(20000);
	t1 = musa_param(self->fd, MUSA_PARAM_TIMESTAMP);
	EXPECT_LE(t0 + freq / 100, t1) TH_LOG("20 ms of device time");
	EXPECT_GT(t0 + freq * 10, t1);
}

/* The address space is made on first use; two files get two contexts. */
TEST_F(node, context_per_file)
{
	int fd2 = musa_open_node(0, self->bdf, sizeof(self->bdf));
	uint64_t a = musa_param(self->fd, MUSA_PARAM_CONTEXT_ID);
	uint64_t b = musa_param(fd2, MUSA_PARAM_CONTEXT_ID);

	EXPECT_LT(0, a) TH_LOG("context 0 is the kernel's");
	EXPECT_GT(S5000_MAX_CONTEXTS, a);
	EXPECT_NE(a, b);
	EXPECT_EQ(a, musa_param(self->fd, MUSA_PARAM_CONTEXT_ID));
	close(fd2);
}

TEST_F(node, sysfs_status_attributes)
{
	EXPECT_EQ(S5000_VRAM_DEFAULT, musa_sysfs_u64("vram_total"));
	EXPECT_EQ(musa_param(self->fd, MUSA_PARAM_VRAM_CPU_VISIBLE),
		  musa_sysfs_u64("vram_cpu_visible"));
	EXPECT_LT(0, musa_sysfs_u64("vram_used"));
	EXPECT_EQ(musa_param(self->fd, MUSA_PARAM_RESET_COUNT), musa_sysfs_u64("reset_count"));
	EXPECT_LT(20000, musa_sysfs_u64("temperature_mc"));
	EXPECT_LT(0, musa_sysfs_u64("power_mw"));
	EXPECT_GE(100, musa_sysfs_u64("util_compute"));
	EXPECT_LE(1, musa_sysfs_u64("queues_used")) TH_LOG("the kernel's ring");
	EXPECT_EQ(musa_param(self->fd, MUSA_PARAM_NUM_QUEUES), musa_sysfs_u64("queues_total"));
}

TEST_F(node, debugfs_files_read)
{
	static const char *const files[] = { "queues", "vms", "registers", "vram" };
	char path[300], buf[4096];
	ssize_t n;
	int fd;

	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(0, musa_debugfs_path(files[i], path, sizeof(path))) TH_LOG("%s", files[i]);
		fd = open(path, O_RDONLY);
		ASSERT_LE(0, fd) TH_LOG("%s", path);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		EXPECT_LT(0, n) TH_LOG("%s", path);
		buf[n > 0 ? n : 0] = '\0';
		if (i == 0) {
			EXPECT_NE(NULL, strstr(buf, "kernel")) TH_LOG("the kernel's ring: %s", buf);
		}
		if (i == 2) {
			EXPECT_NE(NULL, strstr(buf, "0x30303553")) TH_LOG("IDENT: %s", buf);
		}
	}
}

/* Every device bound to musa.ko has a node of its own. */
TEST_F(node, one_node_per_device)
{
	char bdf[32], path[300], seen[8][300];
	int n;

	for (n = 0; n < 8 && !musa_device_bdf(n, bdf, sizeof(bdf)); n++) {
		ASSERT_EQ(0, musa_node_path(n, path, sizeof(path))) TH_LOG("%s", bdf);
		for (int i = 0; i < n; i++) {
			EXPECT_STRNE(seen[i], path);
		}
		snprintf(seen[n], sizeof(seen[n]), "%s", path);
	}
	EXPECT_LE(1, n);
}

TEST_F(node, pci_bus_param_names_this_device)
{
	uint64_t v = musa_param(self->fd, MUSA_PARAM_PCI_BUS);
	char bdf[32];

	snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%u", (unsigned int)(v >> 16),
		 (unsigned int)(v >> 8) & 0xff, (unsigned int)(v & 0xff) >> 3,
		 (unsigned int)v & 7);
	EXPECT_STREQ(self->bdf, bdf);
}

TEST_F(node, bad_params_are_rejected)
{
	struct drm_musa_get_param p = { .param = 0xffff };

	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_MUSA_GET_PARAM, &p));
	EXPECT_EQ(EINVAL, errno);
	p.param = MUSA_PARAM_UAPI_VERSION;
	p.index = 1;
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_MUSA_GET_PARAM, &p));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(node, device_info)
{
	struct drm_musa_device_info info;
	struct drm_musa_query q = { .query = MUSA_QUERY_DEVICE_INFO };

	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_MUSA_QUERY, &q));
	EXPECT_EQ(sizeof(info), q.size);
	memset(&info, 0, sizeof(info));
	q.data = (uintptr_t)&info;
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_MUSA_QUERY, &q));
	EXPECT_NE(NULL, strstr(info.name, "MTT S5000")) TH_LOG("name '%s'", info.name);
	EXPECT_EQ(S5000_VRAM_DEFAULT, info.vram_size);
	EXPECT_LT(0, info.pcie_gen);
	EXPECT_LT(0, info.pcie_width);
}

TEST_F(node, telemetry_is_plausible)
{
	struct drm_musa_telemetry t;
	struct drm_musa_query q = {
		.query = MUSA_QUERY_TELEMETRY, .size = sizeof(t), .data = (uintptr_t)&t,
	};

	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_MUSA_QUERY, &q));
	EXPECT_LT(20000, t.temp_mc);
	EXPECT_GT(110000, t.temp_mc);
	EXPECT_LT(0, t.power_mw);
	EXPECT_GE(t.power_limit_mw, t.power_mw);
	EXPECT_LT(0, t.sm_clock_mhz);
	EXPECT_GE(100, t.util_compute);
	EXPECT_GE(100, t.util_copy);
}

TEST_F(node, bad_queries_are_rejected)
{
	struct drm_musa_device_info info;
	struct drm_musa_query q = {
		.query = MUSA_QUERY_DEVICE_INFO, .size = sizeof(info) - 1,
		.data = (uintptr_t)&info,
	};

	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_MUSA_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
	q.size = sizeof(info);
	q.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_MUSA_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
	q.reserved[1] = 0;
	q.query = 99;
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_MUSA_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
	q.query = MUSA_QUERY_DEVICE_INFO;
	q.data = 8;
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_MUSA_QUERY, &q));
	EXPECT_EQ(EFAULT, errno);
}

TEST_HARNESS_MAIN
