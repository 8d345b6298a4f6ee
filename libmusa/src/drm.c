// SPDX-License-Identifier: MIT
/*
 * drm.c: musa.ko's ioctls, each in one shape (zero the arguments, fill them, call
 * the retrying ioctl helper, copy the outputs out, return 0 or -errno), and finding
 * the devices: those bound to musa.ko in PCI address order, each with its node
 * (/dev/accel/accelN on kernels with DRM accel, /dev/dri/renderDN before).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "musa_internal.h"

uint64_t musa_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* drmIoctl restarts on EINTR and EAGAIN; 0 or -errno. */
int musa_drm_ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

int musa_drm_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_musa_get_param args;
	int ret;

	memset(&args, 0, sizeof(args));
	args.param = param;
	ret = musa_drm_ioctl(fd, DRM_IOCTL_MUSA_GET_PARAM, &args);
	if (!ret)
		*value = args.value;
	return ret;
}

static int musa_drm_query(int fd, uint32_t query, void *data, uint32_t size)
{
	struct drm_musa_query args;

	memset(&args, 0, sizeof(args));
	args.query = query;
	args.size = size;
	args.data = (uintptr_t)data;
	return musa_drm_ioctl(fd, DRM_IOCTL_MUSA_QUERY, &args);
}

/*
 * An object in @placement, mapped at @va with MUSA_BO_FIXED_VA, where the driver
 * chooses otherwise, or nowhere with MUSA_BO_NO_VA.
 */
int musa_drm_bo_create(int fd, uint64_t size, uint32_t placement, uint32_t flags, uint64_t va,
		       struct musa_bo *bo)
{
	struct drm_musa_bo_create args;
	int ret;

	memset(&args, 0, sizeof(args));
	args.size = size;
	args.placement = placement;
	args.flags = flags;
	args.gpu_va = va;
	ret = musa_drm_ioctl(fd, DRM_IOCTL_MUSA_BO_CREATE, &args);
	memset(bo, 0, sizeof(*bo));
	if (ret)
		return ret;
	bo->handle = args.handle;
	bo->va = args.gpu_va;
	bo->size = (size + MUSA_PAGE_SIZE - 1) & ~(MUSA_PAGE_SIZE - 1);
	return 0;
}

/*
 * Maps the whole object for the CPU. Children do not inherit the mapping
 * (MADV_DONTFORK): a forked process starts a context of its own and must not
 * share the parent's queues or buffers.
 */
int musa_drm_bo_map(int fd, struct musa_bo *bo)
{
	struct drm_musa_bo_info args;
	void *p;
	int ret;

	memset(&args, 0, sizeof(args));
	args.handle = bo->handle;
	ret = musa_drm_ioctl(fd, DRM_IOCTL_MUSA_BO_INFO, &args);
	if (ret)
		return ret;
	if (!args.mmap_offset)
		return -EINVAL;
	p = mmap(NULL, args.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, args.mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	madvise(p, args.size, MADV_DONTFORK);
	bo->cpu = p;
	bo->size = args.size;
	return 0;
}

/* Unmaps and closes; with fd < 0 (a forked child) only forgets. */
void musa_drm_bo_free(int fd, struct musa_bo *bo)
{
	if (fd >= 0) {
		if (bo->cpu)
			munmap(bo->cpu, bo->size);
		if (bo->handle)
			musa_drm_gem_close(fd, bo->handle);
	}
	memset(bo, 0, sizeof(*bo));
}

int musa_drm_bo_bind_at(int fd, uint32_t handle, uint64_t va)
{
	struct drm_musa_vm_bind args;

	memset(&args, 0, sizeof(args));
	args.op = MUSA_VM_BIND_MAP;
	args.handle = handle;
	args.flags = MUSA_BO_FIXED_VA;
	args.gpu_va = va;
	return musa_drm_ioctl(fd, DRM_IOCTL_MUSA_VM_BIND, &args);
}

/* Pins [ptr, ptr + size) (page-aligned) and maps it at its own address. */
int musa_drm_bo_userptr(int fd, uint64_t ptr, uint64_t size, uint32_t flags, uint32_t *handle)
{
	struct drm_musa_bo_userptr args;
	int ret;

	memset(&args, 0, sizeof(args));
	args.user_ptr = ptr;
	args.size = size;
	args.flags = flags | MUSA_BO_FIXED_VA;
	args.gpu_va = ptr;
	ret = musa_drm_ioctl(fd, DRM_IOCTL_MUSA_BO_USERPTR, &args);
	if (!ret)
		*handle = args.handle;
	return ret;
}

int musa_drm_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close args;

	memset(&args, 0, sizeof(args));
	args.handle = handle;
	return musa_drm_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &args);
}

int musa_drm_queue_create(int fd, uint64_t ring_va, uint64_t rptr_va, uint32_t order,
			  uint32_t priority, uint32_t *id, uint32_t *doorbell)
{
	struct drm_musa_queue_create args;
	int ret;

	memset(&args, 0, sizeof(args));
	args.ring_va = ring_va;
	args.rptr_va = rptr_va;
	args.ring_order = order;
	args.priority = priority;
	ret = musa_drm_ioctl(fd, DRM_IOCTL_MUSA_QUEUE_CREATE, &args);
	if (!ret) {
		*id = args.queue_id;
		*doorbell = args.doorbell_handle;
	}
	return ret;
}

int musa_drm_queue_destroy(int fd, uint32_t id)
{
	struct drm_musa_queue_destroy args;

	memset(&args, 0, sizeof(args));
	args.queue_id = id;
	return musa_drm_ioctl(fd, DRM_IOCTL_MUSA_QUEUE_DESTROY, &args);
}

int musa_drm_queue_state(int fd, uint32_t id, struct drm_musa_queue_state *st)
{
	memset(st, 0, sizeof(*st));
	st->queue_id = id;
	return musa_drm_ioctl(fd, DRM_IOCTL_MUSA_QUEUE_STATE, st);
}

/* Sleeps until (*addr) <cond> value, or until the absolute CLOCK_MONOTONIC deadline. */
int musa_drm_wait(int fd, uint32_t queue, uint64_t addr, uint64_t value, uint32_t cond,
		  int64_t deadline_ns)
{
	struct drm_musa_wait args;

	memset(&args, 0, sizeof(args));
	args.addr = addr;
	args.value = value;
	args.cond = cond;
	args.queue_id = queue;
	args.timeout_ns = deadline_ns;
	return musa_drm_ioctl(fd, DRM_IOCTL_MUSA_WAIT, &args);
}

/* ------------------------------------------------------------ enumeration */

static int musa_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The node of the PCI device @bdf: its accel or render minor. */
static int musa_find_node(const char *bdf, char *node, size_t len)
{
	static const char *const kinds[][2] = { { "accel", "accel/" }, { "drm", "dri/" } };
	char dirpath[128];
	struct dirent *e;
	DIR *dir;

	for (size_t k = 0; k < MUSA_ARRAY_SIZE(kinds); k++) {
		snprintf(dirpath, sizeof(dirpath), "/sys/bus/pci/devices/%s/%s", bdf, kinds[k][0]);
		dir = opendir(dirpath);
		if (!dir)
			continue;
		while ((e = readdir(dir))) {
			if (strncmp(e->d_name, "accel", 5) && strncmp(e->d_name, "renderD", 7))
				continue;
			snprintf(node, len, "/dev/%s%.32s", kinds[k][1], e->d_name);
			closedir(dir);
			return 0;
		}
		closedir(dir);
	}
	return -ENOENT;
}

/* Reads what the runtime needs to know about a device from its node. */
static int musa_probe_device(struct musa_device *dev, char *why, size_t len)
{
	static const struct {
		uint32_t param;
		size_t offset;
	} params[] = {
		{ MUSA_PARAM_UAPI_VERSION, offsetof(struct musa_device, uapi_version) },
		{ MUSA_PARAM_CAPABILITIES, offsetof(struct musa_device, caps) },
		{ MUSA_PARAM_VRAM_SIZE, offsetof(struct musa_device, vram_size) },
		{ MUSA_PARAM_TIMESTAMP_FREQ, offsetof(struct musa_device, ts_freq) },
		{ MUSA_PARAM_COMPUTE_UNITS, offsetof(struct musa_device, compute_units) },
		{ MUSA_PARAM_SM_CLOCK_MAX_MHZ, offsetof(struct musa_device, sm_clock_mhz) },
		{ MUSA_PARAM_MEM_CLOCK_MAX_MHZ, offsetof(struct musa_device, mem_clock_mhz) },
		{ MUSA_PARAM_MEM_BUS_WIDTH, offsetof(struct musa_device, mem_bus_width) },
		{ MUSA_PARAM_NUM_QUEUES, offsetof(struct musa_device, num_queues) },
	};
	int fd = open(dev->node, O_RDWR | O_CLOEXEC);
	drmVersionPtr version;
	int ret = 0;

	if (fd < 0) {
		ret = -errno;
		snprintf(why, len, "cannot open %s: %s", dev->node, strerror(errno));
		return ret;
	}
	for (size_t i = 0; i < MUSA_ARRAY_SIZE(params) && !ret; i++)
		ret = musa_drm_get_param(fd, params[i].param,
					 (uint64_t *)((char *)dev + params[i].offset));
	if (!ret)
		ret = musa_drm_query(fd, MUSA_QUERY_DEVICE_INFO, &dev->info, sizeof(dev->info));
	version = drmGetVersion(fd);
	if (version) {
		dev->driver_version = 1000 * version->version_major + 10 * version->version_minor;
		drmFreeVersion(version);
	}
	if (ret)
		snprintf(why, len, "%s does not answer musa.ko's queries: %s", dev->node,
			 strerror(-ret));
	close(fd);
	dev->info.name[sizeof(dev->info.name) - 1] = '\0';
	return ret;
}

/*
 * Every device bound to musa.ko, in PCI address order, probed; returns how many,
 * or -errno with the reason in @why (the driver is missing, a node cannot be
 * opened or answered).
 */
int musa_drm_enumerate(struct musa_device **devices, int max, char *why, size_t len)
{
	DIR *dir = opendir("/sys/bus/pci/drivers/musa");
	char *names[MUSA_MAX_DEVICES];
	struct musa_device *dev;
	struct dirent *e;
	int n = 0, found = 0, ret = 0;

	if (!dir) {
		snprintf(why, len, "the musa kernel driver is not loaded "
			 "(no /sys/bus/pci/drivers/musa)");
		return -ENODEV;
	}
	while ((e = readdir(dir)) && n < MUSA_MAX_DEVICES)
		if (strchr(e->d_name, ':'))
			names[n++] = strdup(e->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), musa_cmp_names);
	for (int i = 0; i < n && found < max && !ret; i++) {
		dev = calloc(1, sizeof(*dev));
		if (!dev || !names[i]) {
			free(dev);
			ret = -ENOMEM;
			break;
		}
		snprintf(dev->bdf, sizeof(dev->bdf), "%s", names[i]);
		ret = musa_find_node(dev->bdf, dev->node, sizeof(dev->node));
		if (ret)
			snprintf(why, len, "%s is bound to musa.ko but has no device node",
				 dev->bdf);
		else
			ret = musa_probe_device(dev, why, len);
		if (ret)
			free(dev);
		else
			devices[found++] = dev;
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	if (ret) {
		while (found--)
			free(devices[found]);
		return ret;
	}
	return found;
}
