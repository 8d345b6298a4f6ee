/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the guest selftests: finding musa devices and their nodes,
 * ioctl wrappers, memory objects, user-mode queues and the packets that go in
 * them, the emulator's control port, and the driver's debugfs and sysfs files.
 */
#ifndef MUSA_TEST_H
#define MUSA_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "musa_drm.h"
#include "s5000.h"

static int musa_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The PCI address of the index-th device bound to musa.ko, in address order. */
static inline int musa_device_bdf(int index, char *bdf, size_t len)
{
	DIR *dir = opendir("/sys/bus/pci/drivers/musa");
	char *names[64];
	struct dirent *e;
	int n = 0, ret = -ENODEV;

	if (!dir)
		return -errno;
	while ((e = readdir(dir)) && n < 64)
		if (strchr(e->d_name, ':'))
			names[n++] = strdup(e->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), musa_cmp_names);
	if (index < n) {
		snprintf(bdf, len, "%s", names[index]);
		ret = 0;
	}
	while (n--)
		free(names[n]);
	return ret;
}

/* /dev/accel/accelN or /dev/dri/renderDN of the index-th musa device. */
static inline int musa_node_path(int index, char *path, size_t len)
{
	static const char *const kinds[][2] = {
		{ "accel", "accel/" }, { "drm", "dri/" },
	};
	char bdf[32], dirpath[128];
	struct dirent *e;
	DIR *dir;
	int ret = musa_device_bdf(index, bdf, sizeof(bdf));

	if (ret)
		return ret;
	for (int k = 0; k < 2; k++) {
		snprintf(dirpath, sizeof(dirpath), "/sys/bus/pci/devices/%s/%s", bdf, kinds[k][0]);
		dir = opendir(dirpath);
		if (!dir)
			continue;
		while ((e = readdir(dir))) {
			if (!strncmp(e->d_name, "accel", 5) || !strncmp(e->d_name, "renderD", 7)) {
				snprintf(path, len, "/dev/%s%.32s", kinds[k][1], e->d_name);
				closedir(dir);
				return 0;
			}
		}
		closedir(dir);
	}
	return -ENOENT;
}

/* Open the index-th musa device's node; its PCI address goes to bdf. */
static inline int musa_open_node(int index, char *bdf, size_t len)
{
	char path[300];
	int ret = musa_node_path(index, path, sizeof(path));

	if (ret) {
		errno = -ret;
		return -1;
	}
	musa_device_bdf(index, bdf, len);
	return open(path, O_RDWR | O_CLOEXEC);
}

/* A parameter's value, or UINT64_MAX if the ioctl failed. */
static inline uint64_t musa_param(int fd, uint32_t param)
{
	struct drm_musa_get_param p = { .param = param };

	return ioctl(fd, DRM_IOCTL_MUSA_GET_PARAM, &p) ? UINT64_MAX : p.value;
}

/* Size of a BAR from sysfs "resource" (start end flags per line). */
static inline uint64_t musa_sysfs_bar_size(const char *bdf, int bar)
{
	unsigned long long start = 0, end = 0, flags;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return 0;
	for (int i = 0; i <= bar; i++)
		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) != 3)
			start = end = 0;
	fclose(f);
	return end > start ? end - start + 1 : 0;
}

/* ------------------------------------------------------------ ioctls */

/* An ioctl, restarted on EINTR: 0 or -errno. */
static inline int musa_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && errno == EINTR);
	return ret ? -errno : 0;
}

/* Opens the first musa device, or returns -1. */
static inline int musa_open(void)
{
	char bdf[32];

	return musa_open_node(0, bdf, sizeof(bdf));
}

static inline uint64_t musa_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* -------------------------------------------------------- memory objects */

struct musa_bo {
	uint32_t handle;
	uint64_t va;
	uint64_t size;
	void *map;
};

/* 0 or -errno; flags MUSA_BO_*, gpu_va used with MUSA_BO_FIXED_VA. */
static inline int musa_bo_new_at(int fd, uint64_t size, uint32_t placement, uint32_t flags,
				 uint64_t gpu_va, struct musa_bo *bo)
{
	struct drm_musa_bo_create c = {
		.size = size, .placement = placement, .flags = flags, .gpu_va = gpu_va,
	};
	int ret = musa_ioctl(fd, DRM_IOCTL_MUSA_BO_CREATE, &c);

	memset(bo, 0, sizeof(*bo));
	if (ret)
		return ret;
	bo->handle = c.handle;
	bo->va = c.gpu_va;
	bo->size = (size + 4095) & ~4095ull;
	return 0;
}

static inline int musa_bo_new(int fd, uint64_t size, uint32_t placement, uint32_t flags,
			      struct musa_bo *bo)
{
	return musa_bo_new_at(fd, size, placement, flags, 0, bo);
}

static inline int musa_bo_info(int fd, uint32_t handle, struct drm_musa_bo_info *info)
{
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	return musa_ioctl(fd, DRM_IOCTL_MUSA_BO_INFO, info);
}

/* mmaps the whole object (bo->map), or returns NULL. */
static inline void *musa_bo_map(int fd, struct musa_bo *bo)
{
	struct drm_musa_bo_info info;
	void *p;

	if (musa_bo_info(fd, bo->handle, &info) || !info.mmap_offset)
		return NULL;
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, info.mmap_offset);
	if (p == MAP_FAILED)
		return NULL;
	bo->size = info.size;
	bo->map = p;
	return p;
}

static inline int musa_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	return musa_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

static inline void musa_bo_free(int fd, struct musa_bo *bo)
{
	if (bo->map)
		munmap(bo->map, bo->size);
	if (bo->handle)
		musa_gem_close(fd, bo->handle);
	memset(bo, 0, sizeof(*bo));
}

/* ---------------------------------------------------------------- packets */

static inline struct s5000_pkt_copy musa_pkt_copy(uint64_t dst, uint64_t src, uint64_t size)
{
	return (struct s5000_pkt_copy){
		.header = S5000_PKT_HEADER(S5000_PKT_COPY, 0, 0),
		.src = src, .dst = dst, .size = size,
	};
}

static inline struct s5000_pkt_fill musa_pkt_fill(uint64_t dst, uint64_t size, uint32_t pattern)
{
	return (struct s5000_pkt_fill){
		.header = S5000_PKT_HEADER(S5000_PKT_FILL, 4, 0),
		.dst = dst, .size = size, .pattern = pattern,
	};
}

/* Writes value at addr, with the queue's interrupt (what MUSA_IOCTL_WAIT waits for). */
static inline struct s5000_pkt_signal musa_pkt_signal(uint64_t addr, uint64_t value)
{
	return (struct s5000_pkt_signal){
		.header = S5000_PKT_HEADER(S5000_PKT_SIGNAL, S5000_SIGNAL_WRITE,
					   S5000_PKT_INTERRUPT),
		.addr = addr, .value = value,
	};
}

static inline struct s5000_pkt_wait musa_pkt_wait_ge(uint64_t addr, uint64_t value)
{
	return (struct s5000_pkt_wait){
		.header = S5000_PKT_HEADER(S5000_PKT_WAIT, S5000_WAIT_GE, 0),
		.addr = addr, .value = value, .mask = ~0ull,
	};
}

/* ------------------------------------------------------- user-mode queues */

/*
 * A user-mode queue as libmusa will drive it: the ring, its read index and a fence
 * word in one system-memory object the CPU has mapped; the doorbell and kick pages
 * mapped from the doorbell object. Submitting is stores into memory and, only when
 * the command processor sleeps, one write to the kick page: no system call.
 */
struct musa_queue {
	int fd;
	uint32_t id;
	uint32_t doorbell;
	uint32_t order;
	struct musa_bo bo;		/* ring | read index | fence */
	uint8_t *ring;
	volatile uint64_t *rptr;
	volatile uint64_t *fence;
	uint64_t fence_va;
	struct s5000_doorbell *db;
	volatile uint32_t *kick;
	uint64_t wptr;
	uint64_t seqno;
	uint64_t kicks;
};

#define MUSA_QUEUE_RING_BYTES(order)	((uint64_t)S5000_PACKET_SIZE << (order))

static inline int musa_queue_create_raw(int fd, uint64_t ring_va, uint64_t rptr_va,
					uint32_t order, uint32_t *id, uint32_t *doorbell)
{
	struct drm_musa_queue_create c = {
		.ring_va = ring_va, .rptr_va = rptr_va, .ring_order = order, .priority = 1,
	};
	int ret = musa_ioctl(fd, DRM_IOCTL_MUSA_QUEUE_CREATE, &c);

	if (!ret) {
		*id = c.queue_id;
		*doorbell = c.doorbell_handle;
	}
	return ret;
}

/* Maps a queue's doorbell object: 2 pages, doorbell/status then kick. */
static inline void *musa_doorbell_map(int fd, uint32_t handle)
{
	struct drm_musa_bo_info info;
	void *p;

	if (musa_bo_info(fd, handle, &info) || !info.mmap_offset)
		return NULL;
	p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, info.mmap_offset);
	return p == MAP_FAILED ? NULL : p;
}

static inline int musa_queue_open(int fd, uint32_t order, struct musa_queue *q)
{
	uint64_t ring_bytes = MUSA_QUEUE_RING_BYTES(order);
	uint8_t *db;
	int ret;

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->order = order;
	ret = musa_bo_new(fd, ring_bytes + 4096, MUSA_PLACEMENT_SYSTEM, 0, &q->bo);
	if (ret)
		return ret;
	if (!musa_bo_map(fd, &q->bo))
		return -ENOMEM;
	q->ring = q->bo.map;
	q->rptr = (volatile uint64_t *)(q->ring + ring_bytes);
	q->fence = q->rptr + 1;
	q->fence_va = q->bo.va + ring_bytes + 8;
	ret = musa_queue_create_raw(fd, q->bo.va, q->bo.va + ring_bytes, order, &q->id,
				    &q->doorbell);
	if (ret)
		return ret;
	db = musa_doorbell_map(fd, q->doorbell);
	if (!db)
		return -ENOMEM;
	q->db = (struct s5000_doorbell *)db;
	q->kick = (volatile uint32_t *)(db + 4096);
	return 0;
}

static inline int musa_queue_destroy(int fd, uint32_t id)
{
	struct drm_musa_queue_destroy d = { .queue_id = id };

	return musa_ioctl(fd, DRM_IOCTL_MUSA_QUEUE_DESTROY, &d);
}

static inline void musa_queue_close(struct musa_queue *q)
{
	if (q->db)
		munmap(q->db, 2 * 4096);
	if (q->id)
		musa_queue_destroy(q->fd, q->id);
	if (q->doorbell)
		musa_gem_close(q->fd, q->doorbell);
	musa_bo_free(q->fd, &q->bo);
	memset(q, 0, sizeof(*q));
}

static inline int musa_queue_state(int fd, uint32_t id, struct drm_musa_queue_state *st)
{
	memset(st, 0, sizeof(*st));
	st->queue_id = id;
	return musa_ioctl(fd, DRM_IOCTL_MUSA_QUEUE_STATE, st);
}

/* Writes one packet into the ring, header last (release); waits for room. */
static inline int musa_queue_push(struct musa_queue *q, const void *packet)
{
	uint64_t size = 1ull << q->order, deadline = musa_now_ns() + 5000000000ull;
	uint8_t *slot = q->ring + (q->wptr & (size - 1)) * S5000_PACKET_SIZE;
	uint32_t header;

	while (q->wptr - __atomic_load_n(q->rptr, __ATOMIC_ACQUIRE) >= size) {
		if (musa_now_ns() > deadline)
			return -ETIME;
		sched_yield();
	}
	memcpy(slot + 4, (const uint8_t *)packet + 4, S5000_PACKET_SIZE - 4);
	memcpy(&header, packet, 4);
	__atomic_store_n((uint32_t *)slot, header, __ATOMIC_RELEASE);
	q->wptr++;
	return 0;
}

/* Publishes the write index; kicks only a sleeping command processor. */
static inline void musa_queue_commit(struct musa_queue *q)
{
	__atomic_store_n(&q->db->wptr, q->wptr, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->db->cp_sleeping, __ATOMIC_ACQUIRE)) {
		*q->kick = 1;
		q->kicks++;
	}
}

/* Queues a SIGNAL of the next sequence number into the fence word; returns it. */
static inline uint64_t musa_queue_fence(struct musa_queue *q)
{
	struct s5000_pkt_signal sig = musa_pkt_signal(q->fence_va, ++q->seqno);

	if (musa_queue_push(q, &sig))
		return 0;
	musa_queue_commit(q);
	return q->seqno;
}

/* MUSA_IOCTL_WAIT: 0, or -errno (-ETIME at the deadline). */
static inline int musa_wait(int fd, uint32_t queue, uint64_t addr, uint64_t value,
			    uint32_t cond, uint64_t timeout_ms)
{
	struct drm_musa_wait w = {
		.addr = addr, .value = value, .queue_id = queue, .cond = cond,
		.timeout_ns = (int64_t)(musa_now_ns() + timeout_ms * 1000000ull),
	};

	return musa_ioctl(fd, DRM_IOCTL_MUSA_WAIT, &w);
}

/* Waits for the queue's fence to reach seqno. */
static inline int musa_queue_wait(struct musa_queue *q, uint64_t seqno, uint64_t timeout_ms)
{
	return musa_wait(q->fd, q->id, q->fence_va, seqno, MUSA_WAIT_GE, timeout_ms);
}

/* Copies size bytes on the device and waits for it. */
static inline int musa_queue_copy_sync(struct musa_queue *q, uint64_t dst, uint64_t src,
				       uint64_t size)
{
	struct s5000_pkt_copy c = musa_pkt_copy(dst, src, size);
	int ret = musa_queue_push(q, &c);

	return ret ? ret : musa_queue_wait(q, musa_queue_fence(q), 5000);
}

/* ------------------------------------------- emulator control, debugfs, sysfs */

/* Sends a command to the emulator's control port; the first reply line goes to reply. */
static inline int musa_ctl(const char *cmd, char *reply, size_t len)
{
	struct pollfd pfd;
	size_t n = 0;
	char c;
	int fd = open("/dev/s5000-ctl0", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) != 1) {
		close(fd);
		return -EIO;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (n + 1 < len && poll(&pfd, 1, 5000) == 1 && read(fd, &c, 1) == 1 && c != '\n')
		reply[n++] = c;
	reply[n] = '\0';
	close(fd);
	return 0;
}

/* The path of one of the driver's debugfs files for the first device. */
static inline int musa_debugfs_path(const char *file, char *path, size_t len)
{
	char bdf[32], name[256];
	struct dirent *e;
	DIR *dir;
	FILE *f;

	if (musa_device_bdf(0, bdf, sizeof(bdf)))
		return -ENODEV;
	snprintf(path, len, "/sys/kernel/debug/accel/%s/%s", bdf, file);
	if (!access(path, F_OK))
		return 0;
	dir = opendir("/sys/kernel/debug/dri");
	if (!dir)
		return -ENOENT;
	while ((e = readdir(dir))) {
		snprintf(path, len, "/sys/kernel/debug/dri/%.64s/name", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		name[0] = '\0';
		if (!fgets(name, sizeof(name), f))
			name[0] = '\0';
		fclose(f);
		snprintf(path, len, "/sys/kernel/debug/dri/%.64s/%s", e->d_name, file);
		if (strstr(name, bdf) && !access(path, F_OK)) {
			closedir(dir);
			return 0;
		}
	}
	closedir(dir);
	return -ENOENT;
}

/* One line of the driver's debugfs "queues": a hardware queue in use. */
struct musa_hwq {
	unsigned int hwid;
	char kind[16];		/* user, submit or kernel */
	unsigned int id;	/* the owner's queue id */
	unsigned int ctx;
	int pid;
	char state[16];
	unsigned long long rptr, wptr;
};

/* Reads debugfs "queues" into q (up to max); the number of queues, or -1. */
static inline int musa_hwq_list(struct musa_hwq *q, int max)
{
	char path[300], line[256];
	int n = 0;
	FILE *f;

	if (musa_debugfs_path("queues", path, sizeof(path)))
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n < max)
		if (sscanf(line, "%u %15s %u %u %d %15s %*u %llu %llu", &q[n].hwid, q[n].kind,
			   &q[n].id, &q[n].ctx, &q[n].pid, q[n].state, &q[n].rptr,
			   &q[n].wptr) == 8)
			n++;
	fclose(f);
	return n;
}

/* The hardware queue behind this process's user-mode queue id, from debugfs; or -1. */
static inline int musa_queue_hwid(uint32_t id)
{
	struct musa_hwq q[S5000_MAX_QUEUES];
	int n = musa_hwq_list(q, S5000_MAX_QUEUES), found = -1;

	for (int i = 0; i < n; i++)
		if (!strcmp(q[i].kind, "user") && q[i].id == id && q[i].pid == getpid())
			found = (int)q[i].hwid;
	return found;
}

/* Writes text to a file (debugfs, sysfs); 0 or -errno. */
static inline int musa_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/* Reads a number from a file, or returns UINT64_MAX. */
static inline uint64_t musa_read_u64(const char *path)
{
	unsigned long long v;
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return UINT64_MAX;
	n = fscanf(f, "%llu", &v);
	fclose(f);
	return n == 1 ? v : UINT64_MAX;
}

/* A sysfs attribute of the first device. */
static inline uint64_t musa_sysfs_u64(const char *attr)
{
	char bdf[32], path[256];

	if (musa_device_bdf(0, bdf, sizeof(bdf)))
		return UINT64_MAX;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	return musa_read_u64(path);
}

#define MUSA_HANG_TIMEOUT_PARAM "/sys/module/musa/parameters/hang_timeout_ms"

/* ------------------------------------------------- what the driver holds */

/*
 * What the driver holds for all its clients together. A test compares it before
 * and after: every figure returns to where it was once the test's files are closed.
 * Figures 0 to MUSA_PLACEMENT_USERPTR are the live objects of each placement
 * (debugfs "objects").
 */
enum {
	MUSA_USAGE_QUEUES = MUSA_PLACEMENT_USERPTR + 1,	/* hardware queues (debugfs "queues") */
	MUSA_USAGE_CONTEXTS,				/* address spaces (debugfs "vms") */
	MUSA_USAGE_VRAM_USED,				/* bytes (sysfs vram_used) */
	MUSA_USAGE_FIELDS
};

struct musa_usage {
	long long v[MUSA_USAGE_FIELDS];
};

static const char *const musa_usage_names[MUSA_USAGE_FIELDS] = {
	"vram objects", "system objects", "doorbell objects", "userptr objects",
	"queues", "contexts", "vram_used",
};

/* Counts the lines of a debugfs file that start with prefix (every line: ""). */
static inline long long musa_debugfs_lines(const char *file, const char *prefix)
{
	char path[300], line[512];
	long long n = 0;
	FILE *f;

	if (musa_debugfs_path(file, path, sizeof(path)))
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, prefix, strlen(prefix));
	fclose(f);
	return n;
}

/* 0, or -1 if a figure could not be read. */
static inline int musa_usage_read(struct musa_usage *u)
{
	static const char *const placements[] = { "vram", "system", "doorbell", "userptr" };
	char path[300], name[16];
	long long v;
	FILE *f;

	memset(u, 0xff, sizeof(*u));
	if (musa_debugfs_path("objects", path, sizeof(path)) || !(f = fopen(path, "r")))
		return -1;
	while (fscanf(f, "%15s %lld", name, &v) == 2)
		for (int i = 0; i <= MUSA_PLACEMENT_USERPTR; i++)
			if (!strcmp(name, placements[i]))
				u->v[i] = v;
	fclose(f);
	u->v[MUSA_USAGE_QUEUES] = musa_debugfs_lines("queues", "") - 1;	/* less the header */
	u->v[MUSA_USAGE_CONTEXTS] = musa_debugfs_lines("vms", "context ");
	u->v[MUSA_USAGE_VRAM_USED] = (long long)musa_sysfs_u64("vram_used");
	for (int i = 0; i < MUSA_USAGE_FIELDS; i++)
		if (u->v[i] < 0)
			return -1;
	return 0;
}

/* How many figures of now differ from base; they are named in what. */
static inline int musa_usage_diff(const struct musa_usage *base, const struct musa_usage *now,
				  char *what, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (len)
		what[0] = '\0';
	for (int i = 0; i < MUSA_USAGE_FIELDS; i++) {
		if (base->v[i] == now->v[i])
			continue;
		n++;
		if (used < len)
			used += snprintf(what + used, len - used, "%s%s %lld -> %lld", n > 1 ? ", " : "",
					 musa_usage_names[i], base->v[i], now->v[i]);
	}
	return n;
}

/*
 * Waits up to timeout_ms for the usage to return to base (a process that just
 * exited may still be closing its file); the figures that still differ, as above.
 */
static inline int musa_usage_settle(const struct musa_usage *base, int timeout_ms, char *what,
				    size_t len)
{
	uint64_t deadline = musa_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	struct musa_usage now;
	int n;

	for (;;) {
		if (musa_usage_read(&now)) {
			snprintf(what, len, "usage unreadable");
			return MUSA_USAGE_FIELDS;
		}
		n = musa_usage_diff(base, &now, what, len);
		if (!n || musa_now_ns() > deadline)
			return n;
		usleep(20000);
	}
}

/* The descriptor of this process's open musa node (libmusa's), or -1. */
static inline int musa_own_node_fd(void)
{
	char node[300], link[64], target[300];
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	ssize_t n;
	int fd = -1;

	if (!dir || musa_node_path(0, node, sizeof(node))) {
		if (dir)
			closedir(dir);
		return -1;
	}
	while ((e = readdir(dir)) && fd < 0) {
		snprintf(link, sizeof(link), "/proc/self/fd/%.32s", e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (!strcmp(target, node))
			fd = atoi(e->d_name);
	}
	closedir(dir);
	return fd;
}

/* ------------------------------------------------ loading the module again */

/*
 * The module to load: $MUSA_KO, or the one musa-vm inserted (its run folder is on
 * the kernel command line). 0, or -1 if there is none.
 */
static inline int musa_module_path(char *path, size_t len)
{
	const char *env = getenv("MUSA_KO");
	char cmdline[4096], *run, *end;
	FILE *f;

	if (env && *env) {
		snprintf(path, len, "%s", env);
		return 0;
	}
	f = fopen("/proc/cmdline", "r");
	if (!f)
		return -1;
	run = fgets(cmdline, sizeof(cmdline), f);
	fclose(f);
	run = run ? strstr(cmdline, "musavm_run=") : NULL;
	if (!run)
		return -1;
	run += strlen("musavm_run=");
	end = run + strcspn(run, " \n");
	*end = '\0';
	snprintf(path, len, "%s/module", run);
	f = fopen(path, "r");
	if (!f)
		return -1;
	run = fgets(path, (int)len, f);
	fclose(f);
	if (!run)
		return -1;
	path[strcspn(path, "\n")] = '\0';
	return path[0] ? 0 : -1;
}

static inline int musa_module_unload(void)
{
	return syscall(SYS_delete_module, "musa", O_NONBLOCK) ? -errno : 0;
}

static inline int musa_module_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* ------------------------------------------------------------ kernel log */

/* Opens the kernel log positioned at its end: only later messages are read. */
static inline int musa_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Counts messages since musa_kmsg_open() that show a kernel bug (warnings,
 * oopses, slab corruption found by slub_debug); the first goes to first.
 */
static inline int musa_kmsg_bugs(int fd, char *first, size_t len)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "Call Trace", "general protection",
		"Poison overwritten", "Redzone", "Object padding", "kernel BUG",
		"refcount_t:", "list_add corruption", "list_del corruption",
	};
	char rec[2048];
	ssize_t n;
	int bugs = 0;

	if (len)
		first[0] = '\0';
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = '\0';
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (!strstr(rec, bad[i]))
				continue;
			if (!bugs++ && len)
				snprintf(first, len, "%.*s", (int)(len - 1), rec);
			break;
		}
	}
	return bugs;
}

/* The fdinfo value of key (KiB for memory, ns for engines) of fd, or -1. */
static inline long long musa_fdinfo(int fd, const char *key)
{
	char path[64], line[256];
	long long v = -1;
	size_t n = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoll(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static sigjmp_buf musa_fault_jmp;

static void musa_on_sigbus(int sig)
{
	siglongjmp(musa_fault_jmp, 1);
}

/* Whether reading the byte at p raises SIGBUS (a revoked mapping). */
static inline int musa_read_faults(const volatile void *p)
{
	struct sigaction sa = { .sa_handler = musa_on_sigbus }, old;
	int faulted = 0;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(musa_fault_jmp, 1) == 0)
		(void)*(const volatile uint8_t *)p;
	else
		faulted = 1;
	sigaction(SIGBUS, &old, NULL);
	return faulted;
}

#endif /* MUSA_TEST_H */
