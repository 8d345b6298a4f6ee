// SPDX-License-Identifier: MIT
/*
 * musa_bo_test: memory objects. VRAM and system memory, CPU mappings with data seen
 * from both the CPU and the device, fixed and driver-chosen GPU addresses, user
 * memory, explicit VM binds, PRIME sharing (with this device and with vgem), fdinfo
 * accounting, and every class of bad argument with its errno.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "musa_test.h"

FIXTURE(bo)
{
	int fd;
	uint64_t va_start, va_end, vram, aperture;
	struct musa_queue q;
};

FIXTURE_SETUP(bo)
{
	self->fd = musa_open();
	ASSERT_LE(0, self->fd);
	self->va_start = musa_param(self->fd, MUSA_PARAM_VA_START);
	self->va_end = musa_param(self->fd, MUSA_PARAM_VA_END);
	self->vram = musa_param(self->fd, MUSA_PARAM_VRAM_SIZE);
	self->aperture = musa_param(self->fd, MUSA_PARAM_VRAM_CPU_VISIBLE);
	ASSERT_EQ(0, musa_queue_open(self->fd, 6, &self->q));
}

FIXTURE_TEARDOWN(bo)
{
	musa_queue_close(&self->q);
	close(self->fd);
}

/* Fills a CPU-visible object from the CPU, copies it on the device, compares. */
static int roundtrip(struct musa_queue *q, struct musa_bo *a, struct musa_bo *b, size_t size)
{
	uint8_t *pa = a->map, *pb = b->map;

	for (size_t i = 0; i < size; i++)
		pa[i] = (uint8_t)(i * 13 + 1);
	memset(pb, 0, size);
	if (musa_queue_copy_sync(q, b->va, a->va, size))
		return -1;
	return memcmp(pa, pb, size) ? -1 : 0;
}

TEST_F(bo, addresses_lie_above_user_space)
{
	struct musa_bo v, s;

	EXPECT_EQ(1ull << 47, self->va_start);
	EXPECT_EQ((1ull << 48) - (1ull << 30), self->va_end);
	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_VRAM, 0, &v));
	ASSERT_EQ(0, musa_bo_new(self->fd, 3 << 20, MUSA_PLACEMENT_SYSTEM, 0, &s));
	EXPECT_LE(self->va_start, v.va);
	EXPECT_GE(self->va_end, v.va + 4096);
	EXPECT_LE(self->va_start, s.va);
	EXPECT_EQ(0, s.va % (2 << 20)) TH_LOG("large objects are 2 MiB aligned");
	EXPECT_TRUE(v.va + 4096 <= s.va || s.va + (3 << 20) <= v.va);
}

TEST_F(bo, info_describes_the_object)
{
	struct drm_musa_bo_info info;
	struct musa_bo v;

	ASSERT_EQ(0, musa_bo_new(self->fd, 5000, MUSA_PLACEMENT_VRAM, MUSA_BO_CPU_VISIBLE, &v));
	ASSERT_EQ(0, musa_bo_info(self->fd, v.handle, &info));
	EXPECT_EQ(8192, info.size);
	EXPECT_EQ(MUSA_PLACEMENT_VRAM, info.placement);
	EXPECT_EQ(MUSA_BO_CPU_VISIBLE, info.flags);
	EXPECT_EQ(v.va, info.gpu_va);
	EXPECT_NE(0, info.mmap_offset);
	EXPECT_EQ(-ENOENT, musa_bo_info(self->fd, v.handle + 1000, &info));
	info.handle = v.handle;
	info.pad = 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_INFO, &info));
}

TEST_F(bo, vram_use_is_counted)
{
	uint64_t before = musa_param(self->fd, MUSA_PARAM_VRAM_USED);
	struct musa_bo v;

	ASSERT_EQ(0, musa_bo_new(self->fd, 1 << 20, MUSA_PLACEMENT_VRAM, 0, &v));
	EXPECT_EQ(before + (1 << 20), musa_param(self->fd, MUSA_PARAM_VRAM_USED));
	EXPECT_EQ(before + (1 << 20), musa_sysfs_u64("vram_used"));
	musa_bo_free(self->fd, &v);
	EXPECT_EQ(before, musa_param(self->fd, MUSA_PARAM_VRAM_USED));
}

TEST_F(bo, cpu_visible_vram_maps_both_ways)
{
	struct musa_bo vram, sys;
	const size_t size = 128 * 1024;

	ASSERT_EQ(0, musa_bo_new(self->fd, size, MUSA_PLACEMENT_VRAM, MUSA_BO_CPU_VISIBLE, &vram));
	ASSERT_EQ(0, musa_bo_new(self->fd, size, MUSA_PLACEMENT_SYSTEM, 0, &sys));
	ASSERT_NE(NULL, musa_bo_map(self->fd, &vram));
	ASSERT_NE(NULL, musa_bo_map(self->fd, &sys));
	EXPECT_EQ(0, roundtrip(&self->q, &vram, &sys, size)) TH_LOG("CPU -> VRAM -> system");
	EXPECT_EQ(0, roundtrip(&self->q, &sys, &vram, size)) TH_LOG("CPU -> system -> VRAM");
	musa_bo_free(self->fd, &vram);
	musa_bo_free(self->fd, &sys);
}

TEST_F(bo, hidden_vram_cannot_be_mapped)
{
	struct drm_musa_bo_info info;
	struct musa_bo v;

	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_VRAM, 0, &v));
	ASSERT_EQ(0, musa_bo_info(self->fd, v.handle, &info));
	EXPECT_EQ(0, info.mmap_offset);
	EXPECT_EQ(NULL, musa_bo_map(self->fd, &v));
}

TEST_F(bo, mmap_beyond_the_object_fails)
{
	struct drm_musa_bo_info info;
	struct musa_bo s;
	void *p;

	ASSERT_EQ(0, musa_bo_new(self->fd, 8192, MUSA_PLACEMENT_SYSTEM, 0, &s));
	ASSERT_EQ(0, musa_bo_info(self->fd, s.handle, &info));
	p = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, self->fd, info.mmap_offset);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, info.mmap_offset + 8192);
	EXPECT_EQ(MAP_FAILED, p);
	musa_gem_close(self->fd, s.handle);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, info.mmap_offset);
	EXPECT_EQ(MAP_FAILED, p) TH_LOG("mmap after close");
}

TEST_F(bo, fixed_va_anywhere_in_user_range)
{
	const uint64_t at = 0x7f0000000000ull;	/* like a host pointer */
	struct drm_musa_bo_info info;
	struct musa_bo s, d;

	ASSERT_EQ(0, musa_bo_new_at(self->fd, 65536, MUSA_PLACEMENT_SYSTEM, MUSA_BO_FIXED_VA, at,
				    &s));
	EXPECT_EQ(at, s.va);
	ASSERT_EQ(0, musa_bo_info(self->fd, s.handle, &info));
	EXPECT_EQ(at, info.gpu_va);
	ASSERT_EQ(0, musa_bo_new(self->fd, 65536, MUSA_PLACEMENT_SYSTEM, 0, &d));
	ASSERT_NE(NULL, musa_bo_map(self->fd, &s));
	ASSERT_NE(NULL, musa_bo_map(self->fd, &d));
	EXPECT_EQ(0, roundtrip(&self->q, &s, &d, 65536));
	/* The range is taken now. */
	EXPECT_EQ(-EBUSY, musa_bo_new_at(self->fd, 4096, MUSA_PLACEMENT_VRAM, MUSA_BO_FIXED_VA,
					 at + 8192, &d));
}

TEST_F(bo, create_rejects_bad_arguments)
{
	struct drm_musa_bo_create c;
	const struct drm_musa_bo_create good = { .size = 4096 };

	c = good; c.pad = 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c));
	c = good; c.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c));
	c = good; c.flags = 1u << 7;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c));
	c = good; c.placement = MUSA_PLACEMENT_DOORBELL;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c));
	c = good; c.size = 0;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c));
	c = good; c.size = UINT64_MAX - 100;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c))
		TH_LOG("size whose rounding overflows");
	c = good; c.size = self->vram + 4096;
	EXPECT_EQ(-ENOMEM, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c));
	c = good; c.size = self->aperture + 4096; c.flags = MUSA_BO_CPU_VISIBLE;
	EXPECT_EQ(-ENOMEM, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c));
	c = good; c.flags = MUSA_BO_NO_VA | MUSA_BO_FIXED_VA; c.gpu_va = 1ull << 32;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c));
	c = good; c.flags = MUSA_BO_FIXED_VA; c.gpu_va = (1ull << 32) + 100;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c)) TH_LOG("misaligned");
	c = good; c.flags = MUSA_BO_FIXED_VA; c.gpu_va = 0;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c)) TH_LOG("page 0");
	c = good; c.flags = MUSA_BO_FIXED_VA; c.gpu_va = self->va_end;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c)) TH_LOG("driver's");
	c = good; c.flags = MUSA_BO_FIXED_VA; c.gpu_va = self->va_end - 4096; c.size = 8192;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c)) TH_LOG("straddles");
	c = good; c.flags = MUSA_BO_FIXED_VA; c.gpu_va = 1ull << 63;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c)) TH_LOG("huge");
	c = good;
	EXPECT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_CREATE, &c));
}

TEST_F(bo, aperture_runs_out)
{
	struct musa_bo b[16];
	int n = 0, ret;

	do {
		ret = musa_bo_new(self->fd, 32 << 20, MUSA_PLACEMENT_VRAM, MUSA_BO_CPU_VISIBLE,
				  &b[n]);
	} while (!ret && ++n < 16);
	EXPECT_EQ(-ENOMEM, ret);
	EXPECT_LE(self->aperture / (32 << 20) - 2, n);
	while (n--)
		musa_bo_free(self->fd, &b[n]);
	EXPECT_EQ(0, musa_bo_new(self->fd, 32 << 20, MUSA_PLACEMENT_VRAM, MUSA_BO_CPU_VISIBLE,
				 &b[0])) TH_LOG("freed aperture is reused");
}

TEST_F(bo, no_va_then_bind_and_unbind)
{
	struct drm_musa_vm_bind b = { .op = MUSA_VM_BIND_MAP };
	struct drm_musa_bo_info info;
	struct musa_bo s, d;

	ASSERT_EQ(0, musa_bo_new(self->fd, 65536, MUSA_PLACEMENT_SYSTEM, MUSA_BO_NO_VA, &s));
	EXPECT_EQ(0, s.va);
	ASSERT_EQ(0, musa_bo_info(self->fd, s.handle, &info));
	EXPECT_EQ(0, info.gpu_va);
	b.handle = s.handle;
	ASSERT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b));
	EXPECT_LE(self->va_start, b.gpu_va);
	s.va = b.gpu_va;
	EXPECT_EQ(-EEXIST, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b));
	ASSERT_EQ(0, musa_bo_new(self->fd, 65536, MUSA_PLACEMENT_SYSTEM, 0, &d));
	ASSERT_NE(NULL, musa_bo_map(self->fd, &s));
	ASSERT_NE(NULL, musa_bo_map(self->fd, &d));
	EXPECT_EQ(0, roundtrip(&self->q, &s, &d, 65536));
	b.op = MUSA_VM_BIND_UNMAP;
	b.gpu_va = s.va + 4096;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b)) TH_LOG("not its start");
	b.gpu_va = s.va;
	EXPECT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b));
	ASSERT_EQ(0, musa_bo_info(self->fd, s.handle, &info));
	EXPECT_EQ(0, info.gpu_va);
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b)) TH_LOG("twice");
}

TEST_F(bo, bind_rejects_bad_arguments)
{
	struct drm_musa_vm_bind b, good = { .op = MUSA_VM_BIND_MAP };
	struct musa_bo s;

	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_SYSTEM, MUSA_BO_NO_VA, &s));
	good.handle = s.handle;
	b = good; b.op = 7;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b));
	b = good; b.pad = 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b));
	b = good; b.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b));
	b = good; b.flags = MUSA_BO_CPU_VISIBLE;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b));
	b = good; b.flags = MUSA_BO_FIXED_VA; b.gpu_va = 12345;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b));
	b = good; b.handle = 9999;
	EXPECT_EQ(-ENOENT, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b));
	b = good; b.handle = self->q.doorbell;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b)) TH_LOG("doorbell");
	b = good; b.op = MUSA_VM_BIND_UNMAP; b.flags = MUSA_BO_READ_ONLY;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b));
	/* A queue's ring mapping stays while the queue lives. */
	b = good; b.op = MUSA_VM_BIND_UNMAP; b.handle = self->q.bo.handle; b.gpu_va = self->q.bo.va;
	EXPECT_EQ(-EBUSY, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b));
}

static void *user_pages(size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int userptr(int fd, void *p, uint64_t size, uint32_t flags, uint64_t va,
		   struct drm_musa_bo_userptr *u)
{
	*u = (struct drm_musa_bo_userptr){
		.user_ptr = (uintptr_t)p, .size = size, .flags = flags, .gpu_va = va,
	};
	return musa_ioctl(fd, DRM_IOCTL_MUSA_BO_USERPTR, u);
}

/* Host memory registered at its own address: the device writes where the CPU reads. */
TEST_F(bo, userptr_at_the_host_address)
{
	const size_t size = 64 * 1024;
	struct drm_musa_bo_userptr u;
	struct drm_musa_bo_info info;
	struct musa_bo v;
	uint32_t *host = user_pages(size, PROT_READ | PROT_WRITE);
	struct s5000_pkt_fill fill;

	ASSERT_NE(NULL, host);
	memset(host, 0, size);
	ASSERT_EQ(0, userptr(self->fd, host, size, MUSA_BO_FIXED_VA, (uintptr_t)host, &u));
	EXPECT_EQ((uintptr_t)host, u.gpu_va);
	ASSERT_EQ(0, musa_bo_info(self->fd, u.handle, &info));
	EXPECT_EQ(MUSA_PLACEMENT_USERPTR, info.placement);
	EXPECT_EQ(0, info.mmap_offset);
	ASSERT_EQ(0, musa_bo_new(self->fd, size, MUSA_PLACEMENT_VRAM, 0, &v));
	fill = musa_pkt_fill(v.va, size, 0x5a5a1234);
	ASSERT_EQ(0, musa_queue_push(&self->q, &fill));
	ASSERT_EQ(0, musa_queue_copy_sync(&self->q, (uintptr_t)host, v.va, size));
	for (size_t i = 0; i < size / 4; i++) {
		ASSERT_EQ(0x5a5a1234, host[i]) TH_LOG("word %zu", i);
	}
}

TEST_F(bo, userptr_rejects_bad_arguments)
{
	struct drm_musa_bo_userptr u;
	uint8_t *rw = user_pages(8192, PROT_READ | PROT_WRITE);
	uint8_t *ro = user_pages(8192, PROT_READ);

	ASSERT_NE(NULL, rw);
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EINVAL, userptr(self->fd, rw + 8, 4096, 0, 0, &u)) TH_LOG("misaligned");
	EXPECT_EQ(-EINVAL, userptr(self->fd, rw, 100, 0, 0, &u)) TH_LOG("partial page");
	EXPECT_EQ(-EINVAL, userptr(self->fd, rw, 0, 0, 0, &u));
	EXPECT_EQ(-EINVAL, userptr(self->fd, (void *)(uintptr_t)(UINT64_MAX - 4095), 8192, 0, 0,
				   &u)) TH_LOG("wraps");
	EXPECT_EQ(-EINVAL, userptr(self->fd, rw, 4096, MUSA_BO_CPU_VISIBLE, 0, &u));
	EXPECT_EQ(-EINVAL, userptr(self->fd, rw, 4096, MUSA_BO_FIXED_VA, 0, &u));
	u = (struct drm_musa_bo_userptr){ .user_ptr = (uintptr_t)rw, .size = 4096 };
	u.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, musa_ioctl(self->fd, DRM_IOCTL_MUSA_BO_USERPTR, &u));
	EXPECT_EQ(-EFAULT, userptr(self->fd, (void *)(uintptr_t)0x1000, 4096, 0, 0, &u))
		TH_LOG("not mapped");
	EXPECT_EQ(-EFAULT, userptr(self->fd, ro, 4096, 0, 0, &u)) TH_LOG("read-only pages");
	EXPECT_EQ(0, userptr(self->fd, ro, 4096, MUSA_BO_READ_ONLY, 0, &u));
	EXPECT_EQ(0, userptr(self->fd, rw, 8192, 0, 0, &u));
}

/* Another file imports an object by PRIME and both see the same memory. */
TEST_F(bo, prime_shares_vram_between_files)
{
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC };
	struct drm_prime_handle imp = { 0 };
	struct drm_musa_vm_bind b = { .op = MUSA_VM_BIND_MAP };
	struct musa_queue q2;
	struct musa_bo v, sys;
	struct s5000_pkt_fill fill;
	int fd2 = musa_open();
	uint32_t *p;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, musa_bo_new(self->fd, 65536, MUSA_PLACEMENT_VRAM, 0, &v));
	exp.handle = v.handle;
	ASSERT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp));
	imp.fd = exp.fd;
	ASSERT_EQ(0, musa_ioctl(fd2, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp));
	close(exp.fd);
	b.handle = imp.handle;
	ASSERT_EQ(0, musa_ioctl(fd2, DRM_IOCTL_MUSA_VM_BIND, &b));
	ASSERT_EQ(0, musa_queue_open(fd2, 4, &q2));
	fill = musa_pkt_fill(b.gpu_va, 65536, 0xc0ffee);
	ASSERT_EQ(0, musa_queue_push(&q2, &fill));
	ASSERT_EQ(0, musa_queue_wait(&q2, musa_queue_fence(&q2), 5000));
	/* Read back through the exporter's mapping. */
	ASSERT_EQ(0, musa_bo_new(self->fd, 65536, MUSA_PLACEMENT_SYSTEM, 0, &sys));
	p = musa_bo_map(self->fd, &sys);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, musa_queue_copy_sync(&self->q, sys.va, v.va, 65536));
	EXPECT_EQ(0xc0ffee, p[0]);
	EXPECT_EQ(0xc0ffee, p[16383]);
	musa_queue_close(&q2);
	close(fd2);
}

/* Opens vgem's node, loading vgem if needed; -1 if there is none. */
static int open_vgem(void)
{
	char path[64], name[16];
	struct drm_version v;
	int fd;

	if (system("modprobe vgem 2>/dev/null"))
		return -1;
	for (int i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		v = (struct drm_version){ .name = name, .name_len = sizeof(name) - 1 };
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	return -1;
}

/* A buffer of another driver, imported: the device writes it, the CPU reads it there. */
TEST_F(bo, prime_imports_vgem_buffers)
{
	struct drm_mode_create_dumb dumb = { .width = 4096, .height = 4, .bpp = 8 };
	struct drm_mode_map_dumb map = { 0 };
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_prime_handle imp = { 0 };
	struct drm_musa_vm_bind b = { .op = MUSA_VM_BIND_MAP };
	struct s5000_pkt_fill fill;
	struct musa_bo v;
	int vgem = open_vgem();
	uint32_t *p;

	if (vgem < 0)
		SKIP(return, "no vgem module");
	ASSERT_EQ(0, musa_ioctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &dumb));
	exp.handle = dumb.handle;
	ASSERT_EQ(0, musa_ioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp));
	imp.fd = exp.fd;
	ASSERT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp));
	b.handle = imp.handle;
	ASSERT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_VM_BIND, &b));
	fill = musa_pkt_fill(b.gpu_va, 16384, 0xfeed0001);
	ASSERT_EQ(0, musa_queue_push(&self->q, &fill));
	ASSERT_EQ(0, musa_queue_wait(&self->q, musa_queue_fence(&self->q), 5000));
	map.handle = dumb.handle;
	ASSERT_EQ(0, musa_ioctl(vgem, DRM_IOCTL_MODE_MAP_DUMB, &map));
	p = mmap(NULL, 16384, PROT_READ, MAP_SHARED, vgem, map.offset);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0xfeed0001, p[0]);
	EXPECT_EQ(0xfeed0001, p[4095]);
	munmap(p, 16384);

	/* VRAM stays on this device: vgem cannot attach it. */
	ASSERT_EQ(0, musa_bo_new(self->fd, 4096, MUSA_PLACEMENT_VRAM, 0, &v));
	exp.handle = v.handle;
	close(exp.fd);
	ASSERT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp));
	imp.fd = exp.fd;
	EXPECT_NE(0, musa_ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp));
	close(exp.fd);
	close(vgem);
}

TEST_F(bo, fdinfo_counts_memory_per_client)
{
	long long vram = musa_fdinfo(self->fd, "drm-memory-vram");
	long long sys = musa_fdinfo(self->fd, "drm-memory-system");
	int fd2 = musa_open();
	struct musa_bo v, s;

	ASSERT_LE(0, vram);
	ASSERT_LE(0, sys);
	EXPECT_LE(0, musa_fdinfo(self->fd, "drm-client-id"));
	EXPECT_NE(musa_fdinfo(self->fd, "drm-client-id"), musa_fdinfo(fd2, "drm-client-id"));
	EXPECT_LE(0, musa_fdinfo(self->fd, "drm-engine-compute"));
	ASSERT_EQ(0, musa_bo_new(self->fd, 1 << 20, MUSA_PLACEMENT_VRAM, 0, &v));
	ASSERT_EQ(0, musa_bo_new(self->fd, 2 << 20, MUSA_PLACEMENT_SYSTEM, 0, &s));
	EXPECT_EQ(vram + 1024, musa_fdinfo(self->fd, "drm-memory-vram"));
	EXPECT_EQ(sys + 2048, musa_fdinfo(self->fd, "drm-memory-system"));
	EXPECT_EQ(vram + 1024, musa_fdinfo(self->fd, "drm-total-vram"));
	EXPECT_EQ(0, musa_fdinfo(fd2, "drm-memory-vram")) TH_LOG("another client");
	close(fd2);
}

TEST_HARNESS_MAIN
