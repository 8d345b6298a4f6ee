// SPDX-License-Identifier: MIT
/*
 * musa_hostile_test: unprivileged users against musa.ko. The node is opened to a
 * group the way a udev rule for a render/accel group would (root:render 0660, set
 * here and restored after), and every attack runs in a process that has dropped
 * to a plain uid in that group:
 *   - the privileged interfaces stay closed (debugfs, module parameters, the PCI
 *     BARs in sysfs, the emulator's control port) and the node to users outside
 *     the group;
 *   - every ioctl with structured bad arguments (sizes, flags, padding, reserved
 *     fields, other files' handles, huge values, unaligned and overlapping VAs)
 *     gets exactly the errno uapi/musa_drm.h documents;
 *   - random ioctls, numbers and arguments, for MUSA_FUZZ_ITERATIONS rounds
 *     (default 20000), get only documented errnos and never oops;
 *   - a process B attacks a process A of another uid: A's GEM handles, queue ids,
 *     GPU addresses (by copy, by submission, by kernels reading and writing
 *     them), mmap offsets, doorbell page and unsent dma-bufs are refused, B's own
 *     faults stay in B's context, and A's data and queue are untouched;
 *   - a process that corrupts the driver's ring in its own address space cannot
 *     stall the kernel.
 * Afterwards the driver holds what it held before (debugfs objects, queues,
 * contexts, sysfs vram_used) and the kernel log is clean.
 *
 * Prints "# reliability: test=hostile ..." at the end (docs/reliability.md).
 * Runs as root inside a musa-vm guest (it changes users itself); prints TAP.
 */
#include <grp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "musa_reliability.h"
#include "musa_workload.h"

MUSA_RELIABILITY("hostile", "ioctls random_ioctls random_core_ioctls random_other_ioctls "
		 "random_interrupted cross_process_attempts refused unexpected leaks oopses "
		 "emu_crashes")

#define HOSTILE_UID_A		60001
#define HOSTILE_UID_B		60002
#define HOSTILE_UID_OUTSIDER	60003
#define HOSTILE_GROUP_FALLBACK	60000
/* A's secret object lies far above every address the attacker's allocator hands out. */
#define HOSTILE_SECRET_VA	0xc00000000000ull
#define HOSTILE_OBJ		65536
#define HOSTILE_KERNEL_PTR	0xffff888000000000ull

/* ------------------------------------------------------------ bookkeeping */

/* A check in a process the harness does not watch: counted, and said on failure. */
#define HCHECK(cond, ...) hostile_check((cond), __LINE__, #cond, __VA_ARGS__)

static int hostile_check(int ok, int line, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return 1;
	rel_add("unexpected", 1);
	printf("# line %d: %s failed: ", line, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return 0;
}

/* An attack on another process: refused is whether it was. */
static void hostile_attempt(int refused, int line, const char *what)
{
	rel_add("cross_process_attempts", 1);
	if (refused) {
		rel_add("refused", 1);
		return;
	}
	hostile_check(0, line, what, "not refused");
}

#define ATTEMPT(refused) hostile_attempt((refused), __LINE__, #refused)

/* One ioctl that must fail with exactly want (0: succeed). */
static int hx(int fd, unsigned long request, void *arg, int want, int line, const char *what)
{
	int ret = musa_ioctl(fd, request, arg);

	rel_add("ioctls", 1);
	return hostile_check(ret == -want, line, what, "got %d (%s), want %d (%s)", ret,
			     strerror(-ret), -want, strerror(want));
}

/*
 * Applies one change to a valid argument block and expects errno want, e.g.
 * BAD(DRM_IOCTL_MUSA_BO_CREATE, bo_ok, a.pad = 1, EINVAL).
 */
#define BAD(request, ok, change, want) do {					\
	a = (ok);								\
	change;									\
	hx(fd, request, &a, want, __LINE__, #request ": " #change);		\
} while (0)

/* ------------------------------------------------------------ users */

/* Runs fn(arg) in a child as uid, in group (none if 0); 0 if it returned 0. */
static int as_user(uid_t uid, gid_t group, int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* ... and make sure that root cannot be had back. */
		if ((group ? setgroups(1, &group) : setgroups(0, NULL)) || setgid(uid) ||
		    setuid(uid) || !geteuid() || !setuid(0))
			_exit(100);
		_exit(fn(arg) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static pid_t as_user_async(uid_t uid, gid_t group, int (*fn)(void *arg), void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(as_user(uid, group, fn, arg));
	return pid;
}

FIXTURE(hostile)
{
	char node[300];
	struct stat saved;
	gid_t group;
	int kmsg;
	struct musa_usage base;
};

FIXTURE_SETUP(hostile)
{
	struct group *g = getgrnam("render");

	ASSERT_EQ(0, musa_node_path(0, self->node, sizeof(self->node)));
	ASSERT_EQ(0, stat(self->node, &self->saved));
	self->group = g ? g->gr_gid : HOSTILE_GROUP_FALLBACK;
	/* What a udev rule such as SUBSYSTEM=="accel", GROUP="render", MODE="0660" sets. */
	ASSERT_EQ(0, chown(self->node, 0, self->group));
	ASSERT_EQ(0, chmod(self->node, 0660));
	self->kmsg = musa_kmsg_open();
	ASSERT_LE(0, self->kmsg);
	ASSERT_EQ(0, musa_usage_read(&self->base));
}

FIXTURE_TEARDOWN(hostile)
{
	char what[512], reply[64];
	int leaks, bugs;

	EXPECT_EQ(0, chown(self->node, self->saved.st_uid, self->saved.st_gid));
	EXPECT_EQ(0, chmod(self->node, self->saved.st_mode & 07777));
	leaks = musa_usage_settle(&self->base, 5000, what, sizeof(what));
	rel_add("leaks", leaks);
	EXPECT_EQ(0, leaks) TH_LOG("not back to where it was: %s", what);
	bugs = musa_kmsg_bugs(self->kmsg, what, sizeof(what));
	rel_add("oopses", bugs);
	EXPECT_EQ(0, bugs) TH_LOG("%s", what);
	if (!access("/dev/s5000-ctl0", F_OK) &&
	    (musa_ctl("ping", reply, sizeof(reply)) || strcmp(reply, "pong")))
		rel_add("emu_crashes", 1);
	EXPECT_EQ(0, rel_get("emu_crashes"));
	close(self->kmsg);
}

/* ------------------------------------------------ privileged interfaces */

static int hostile_open_errno(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno;
}

static int outsider_is_refused(void *node)
{
	return !HCHECK(hostile_open_errno(node, O_RDWR) == EACCES, "%s", (char *)node);
}

static int member_reaches_only_the_node(void *node)
{
	static const char *const closed[] = {
		"/sys/kernel/debug/dri", "/sys/kernel/debug/accel", MUSA_HANG_TIMEOUT_PARAM,
		"/dev/s5000-ctl0", "/dev/mem",
	};
	char bdf[32], path[300];
	int bad = 0;

	bad += !HCHECK(hostile_open_errno(node, O_RDWR) == 0, "%s", (char *)node);
	for (unsigned int i = 0; i < sizeof(closed) / sizeof(closed[0]); i++) {
		if (access(closed[i], F_OK) && errno == ENOENT)
			continue;
		bad += !HCHECK(hostile_open_errno(closed[i], O_RDWR) == EACCES, "%s", closed[i]);
	}
	if (!musa_device_bdf(0, bdf, sizeof(bdf)))
		for (int i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%d", bdf,
				 i ? S5000_BAR_VRAM : S5000_BAR_REGS);
			bad += !HCHECK(hostile_open_errno(path, O_RDWR) == EACCES, "%s", path);
		}
	return bad;
}

TEST_F(hostile, only_the_group_reaches_the_node_and_nothing_more)
{
	EXPECT_EQ(0, as_user(HOSTILE_UID_OUTSIDER, 0, outsider_is_refused, self->node));
	EXPECT_EQ(0, as_user(HOSTILE_UID_A, self->group, member_reaches_only_the_node,
			     self->node));
}

/* ------------------------------------------------ structured bad arguments */

/* What the structured cases use: valid objects to get wrong in one way at a time. */
struct hostile_kit {
	int fd, other_fd;
	struct musa_bo sys, vram, novram, ro;	/* ro: MUSA_BO_READ_ONLY */
	uint32_t other_handle;			/* a handle only other_fd has */
	struct musa_queue q;
	uint32_t syncobj;
	void *ro_page;				/* read-only host page */
	void *rw_pages;				/* 4 writable host pages */
	uint8_t *edge;				/* a writable page, then no access */
	uint64_t va_end;
};

/* Handles only the other file has: more than this file will ever have. */
#define KIT_OTHER_HANDLES	40

static int kit_open(struct hostile_kit *k)
{
	struct drm_syncobj_create sc = { 0 };
	struct musa_bo other;

	memset(k, 0, sizeof(*k));
	k->fd = musa_open();
	k->other_fd = musa_open();
	if (k->fd < 0 || k->other_fd < 0)
		return -1;
	for (int i = 0; i < KIT_OTHER_HANDLES; i++)
		if (musa_bo_new(k->other_fd, 4096, MUSA_PLACEMENT_SYSTEM, MUSA_BO_NO_VA, &other))
			return -1;
	k->other_handle = other.handle;
	k->va_end = musa_param(k->fd, MUSA_PARAM_VA_END);
	k->ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	k->rw_pages = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	k->edge = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (k->ro_page == MAP_FAILED || k->rw_pages == MAP_FAILED || k->edge == MAP_FAILED ||
	    mprotect(k->edge + 4096, 4096, PROT_NONE))
		return -1;
	if (musa_bo_new(k->fd, HOSTILE_OBJ, MUSA_PLACEMENT_SYSTEM, 0, &k->sys) ||
	    musa_bo_new(k->fd, HOSTILE_OBJ, MUSA_PLACEMENT_VRAM, 0, &k->vram) ||
	    musa_bo_new(k->fd, HOSTILE_OBJ, MUSA_PLACEMENT_VRAM, MUSA_BO_NO_VA, &k->novram) ||
	    musa_bo_new(k->fd, 8192, MUSA_PLACEMENT_SYSTEM, MUSA_BO_READ_ONLY, &k->ro) ||
	    musa_queue_open(k->fd, 4, &k->q) ||
	    musa_ioctl(k->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc))
		return -1;
	k->syncobj = sc.handle;
	return 0;
}

static void bad_params_and_queries(const struct hostile_kit *k)
{
	struct drm_musa_device_info info;
	const struct drm_musa_get_param param_ok = { .param = MUSA_PARAM_VRAM_SIZE };
	const struct drm_musa_query query_ok = {
		.query = MUSA_QUERY_DEVICE_INFO, .size = sizeof(info), .data = (uintptr_t)&info,
	};
	int fd = k->fd;

	for (uint32_t p = 0; p <= MUSA_PARAM_NUM_CONTEXTS; p++) {
		struct drm_musa_get_param a = { .param = p };

		hx(fd, DRM_IOCTL_MUSA_GET_PARAM, &a, 0, __LINE__, "every parameter");
	}
	{
		struct drm_musa_get_param a;

		BAD(DRM_IOCTL_MUSA_GET_PARAM, param_ok, a.param = MUSA_PARAM_NUM_CONTEXTS + 1, EINVAL);
		BAD(DRM_IOCTL_MUSA_GET_PARAM, param_ok, a.param = UINT32_MAX, EINVAL);
		BAD(DRM_IOCTL_MUSA_GET_PARAM, param_ok, a.index = 1, EINVAL);
		BAD(DRM_IOCTL_MUSA_GET_PARAM, param_ok, a.index = UINT32_MAX, EINVAL);
	}
	{
		struct drm_musa_query a;

		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, (void)0, 0);
		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, a.size = 0, 0);
		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, a.size = UINT32_MAX, 0);
		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, a.query = 2, EINVAL);
		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, a.query = UINT32_MAX, EINVAL);
		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, a.size = 1, EINVAL);
		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, a.size = sizeof(info) - 1, EINVAL);
		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, a.reserved[0] = 1, EINVAL);
		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, a.reserved[1] = 1ull << 63, EINVAL);
		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, a.data = 0, EFAULT);
		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, a.data = (uintptr_t)k->ro_page, EFAULT);
		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, a.data = HOSTILE_KERNEL_PTR, EFAULT);
		BAD(DRM_IOCTL_MUSA_QUERY, query_ok, a.data = k->sys.va, EFAULT);
	}
}

static void close_if_made(int fd, struct drm_musa_bo_create *a)
{
	if (a->handle)
		musa_gem_close(fd, a->handle);
}

static void bad_bo_create(const struct hostile_kit *k)
{
	const struct drm_musa_bo_create ok = { .size = 4096, .placement = MUSA_PLACEMENT_SYSTEM };
	const struct drm_musa_bo_create fixed = {
		.size = 4096, .placement = MUSA_PLACEMENT_SYSTEM, .flags = MUSA_BO_FIXED_VA,
		.gpu_va = 1ull << 40,
	};
	struct drm_musa_bo_create a;
	int fd = k->fd;

	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, (void)0, 0);
	close_if_made(fd, &a);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.size = 1, 0);
	close_if_made(fd, &a);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.size = 0, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.size = UINT64_MAX, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.size = UINT64_MAX - 4094, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.size = UINT64_MAX - 4095, ENOMEM);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.size = 1ull << 50, ENOMEM);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, (a.size = 1ull << 50, a.placement = 0), ENOMEM);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.placement = MUSA_PLACEMENT_DOORBELL, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.placement = MUSA_PLACEMENT_USERPTR, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.placement = UINT32_MAX, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.flags = MUSA_BO_FLAGS + 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.flags = 1u << 31, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.flags = MUSA_BO_NO_VA | MUSA_BO_FIXED_VA, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.pad = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.reserved[0] = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.reserved[1] = 1, EINVAL);
	/* Without MUSA_BO_FIXED_VA the address is the driver's choice. */
	BAD(DRM_IOCTL_MUSA_BO_CREATE, ok, a.gpu_va = 123, 0);
	close_if_made(fd, &a);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, a.gpu_va += 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, a.gpu_va += 2048, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, a.gpu_va = 0, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, a.gpu_va = k->va_end, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, (a.gpu_va = k->va_end - 4096, a.size = 8192), EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, a.gpu_va = UINT64_MAX & ~4095ull, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, (a.gpu_va = 4096, a.size = UINT64_MAX - 8191),
	    EINVAL);
	/* Overlaps: the start, the end, inside, around an existing mapping. */
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, a.gpu_va = k->sys.va, EBUSY);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, a.gpu_va = k->sys.va + HOSTILE_OBJ - 4096, EBUSY);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, (a.gpu_va = k->sys.va - 4096, a.size = 8192), EBUSY);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed,
	    (a.gpu_va = k->sys.va - 4096, a.size = HOSTILE_OBJ + 8192), EBUSY);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, (a.gpu_va = k->vram.va, a.placement = 0), EBUSY);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, a.gpu_va = k->va_end - 4096, 0);
	close_if_made(fd, &a);
	BAD(DRM_IOCTL_MUSA_BO_CREATE, fixed, a.gpu_va = 4096, 0);
	close_if_made(fd, &a);
}

static void bad_bo_info(const struct hostile_kit *k)
{
	const struct drm_musa_bo_info ok = { .handle = k->sys.handle };
	struct drm_musa_bo_info a;
	int fd = k->fd;

	BAD(DRM_IOCTL_MUSA_BO_INFO, ok, (void)0, 0);
	BAD(DRM_IOCTL_MUSA_BO_INFO, ok, a.handle = 0, ENOENT);
	BAD(DRM_IOCTL_MUSA_BO_INFO, ok, a.handle = UINT32_MAX, ENOENT);
	BAD(DRM_IOCTL_MUSA_BO_INFO, ok, a.handle = k->other_handle, ENOENT);
	BAD(DRM_IOCTL_MUSA_BO_INFO, ok, a.pad = 1, EINVAL);
}

static void bad_userptr(const struct hostile_kit *k)
{
	const struct drm_musa_bo_userptr ok = {
		.user_ptr = (uintptr_t)k->rw_pages, .size = 4096,
	};
	struct drm_musa_bo_userptr a;
	int fd = k->fd;

	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, (void)0, 0);
	musa_gem_close(fd, a.handle);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.size = 0, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.size = 100, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.user_ptr += 8, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, (a.user_ptr = UINT64_MAX & ~4095ull, a.size = 8192),
	    EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.flags = MUSA_BO_NO_VA, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.flags = MUSA_BO_CPU_VISIBLE, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.flags = 1u << 31, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.reserved[0] = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.reserved[1] = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, (a.flags = MUSA_BO_FIXED_VA, a.gpu_va = 4097), EINVAL);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, (a.flags = MUSA_BO_FIXED_VA, a.gpu_va = k->sys.va),
	    EBUSY);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.user_ptr = (uintptr_t)k->ro_page, EFAULT);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, (a.user_ptr = (uintptr_t)k->ro_page,
					    a.flags = MUSA_BO_READ_ONLY), 0);
	musa_gem_close(fd, a.handle);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.user_ptr = HOSTILE_KERNEL_PTR, EFAULT);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.user_ptr = 1ull << 46, EFAULT);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.size = 64 << 20, EFAULT);
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.size = 1ull << 50, ENOMEM);
	/* Device memory mapped into the process (a doorbell page) is not memory to pin. */
	BAD(DRM_IOCTL_MUSA_BO_USERPTR, ok, a.user_ptr = (uintptr_t)k->q.db, EFAULT);
}

static void bad_vm_bind(const struct hostile_kit *k)
{
	const struct drm_musa_vm_bind ok = { .op = MUSA_VM_BIND_MAP, .handle = k->novram.handle };
	struct drm_musa_vm_bind a;
	int fd = k->fd;

	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, a.op = 2, EINVAL);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, a.op = UINT32_MAX, EINVAL);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, a.flags = MUSA_BO_NO_VA, EINVAL);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, a.flags = MUSA_BO_CPU_VISIBLE, EINVAL);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, (a.op = MUSA_VM_BIND_UNMAP, a.flags = MUSA_BO_READ_ONLY),
	    EINVAL);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, a.pad = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, a.reserved[0] = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, a.reserved[1] = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, a.handle = 0, ENOENT);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, a.handle = k->other_handle, ENOENT);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, a.handle = k->q.doorbell, EINVAL);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, a.handle = k->sys.handle, EEXIST);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, (a.flags = MUSA_BO_FIXED_VA, a.gpu_va = 4097), EINVAL);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, (a.flags = MUSA_BO_FIXED_VA, a.gpu_va = k->va_end), EINVAL);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, (a.flags = MUSA_BO_FIXED_VA,
					 a.gpu_va = k->sys.va + HOSTILE_OBJ - 4096), EBUSY);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, (a.op = MUSA_VM_BIND_UNMAP, a.gpu_va = 0), EINVAL);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, (a.op = MUSA_VM_BIND_UNMAP, a.handle = k->sys.handle,
					 a.gpu_va = k->sys.va + 4096), EINVAL);
	/* The queue's ring and read index live in q.bo: its mapping stays. */
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, (a.op = MUSA_VM_BIND_UNMAP, a.handle = k->q.bo.handle,
					 a.gpu_va = k->q.bo.va), EBUSY);
	/* A full cycle: map where asked, refuse a second map, unmap, refuse a second unmap. */
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, (a.flags = MUSA_BO_FIXED_VA, a.gpu_va = 1ull << 41), 0);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, (void)0, EEXIST);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, (a.op = MUSA_VM_BIND_UNMAP, a.gpu_va = 1ull << 41), 0);
	BAD(DRM_IOCTL_MUSA_VM_BIND, ok, (a.op = MUSA_VM_BIND_UNMAP, a.gpu_va = 1ull << 41), EINVAL);
}

static void bad_queues(const struct hostile_kit *k)
{
	const uint64_t ring = k->sys.va;
	const struct drm_musa_queue_create ok = {
		.ring_va = ring, .rptr_va = ring + 4096, .ring_order = 4, .priority = 1,
	};
	struct drm_musa_queue_create a;
	struct drm_musa_queue_destroy d = { .queue_id = 999 };
	const struct drm_musa_queue_state s_ok = { .queue_id = k->q.id };
	int fd = k->fd;

	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.flags = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.pad = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.reserved[0] = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.reserved[1] = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.ring_order = 3, EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.ring_order = 21, EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.ring_order = UINT32_MAX, EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.priority = 4, EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.ring_va += 32, EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.rptr_va += 4, EINVAL);
	/* 2^10 packets are 64 KiB: the ring would run past its object. */
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, (a.ring_va = ring + 4096, a.ring_order = 10), EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.ring_va = 1ull << 45, EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.ring_va = k->va_end, EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.rptr_va = 1ull << 45, EINVAL);
	BAD(DRM_IOCTL_MUSA_QUEUE_CREATE, ok, a.rptr_va = k->ro.va, EINVAL);

	hx(fd, DRM_IOCTL_MUSA_QUEUE_DESTROY, &d, ENOENT, __LINE__, "queue 999");
	d.queue_id = 0;
	hx(fd, DRM_IOCTL_MUSA_QUEUE_DESTROY, &d, ENOENT, __LINE__, "queue 0");
	d.queue_id = k->q.id;
	d.pad = 1;
	hx(fd, DRM_IOCTL_MUSA_QUEUE_DESTROY, &d, EINVAL, __LINE__, "destroy pad");

	{
		struct drm_musa_queue_state a;

		BAD(DRM_IOCTL_MUSA_QUEUE_STATE, s_ok, (void)0, 0);
		BAD(DRM_IOCTL_MUSA_QUEUE_STATE, s_ok, a.queue_id = 999, ENOENT);
		BAD(DRM_IOCTL_MUSA_QUEUE_STATE, s_ok, a.pad = 1, EINVAL);
		BAD(DRM_IOCTL_MUSA_QUEUE_STATE, s_ok, a.reserved = 1, EINVAL);
	}
}

static void bad_waits(const struct hostile_kit *k)
{
	const struct drm_musa_wait ok = {
		.addr = k->q.fence_va, .value = 1, .queue_id = k->q.id, .cond = MUSA_WAIT_GE,
	};
	struct drm_musa_wait a;
	int fd = k->fd;

	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.value = 0, 0);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, (void)0, ETIME);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.timeout_ns = -1, ETIME);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.timeout_ns = (int64_t)musa_now_ns() + 20000000, ETIME);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.cond = 3, EINVAL);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.cond = UINT32_MAX, EINVAL);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.reserved = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.addr += 4, EINVAL);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.addr = 1ull << 45, EFAULT);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.addr = k->va_end, EFAULT);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.addr = k->sys.va + HOSTILE_OBJ - 4, EINVAL);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.addr = k->vram.va, EINVAL);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.queue_id = 0, ENOENT);
	BAD(DRM_IOCTL_MUSA_WAIT, ok, a.queue_id = 999, ENOENT);
}

static void bad_submits(const struct hostile_kit *k)
{
	struct s5000_pkt_nop nop = { .header = S5000_PKT_HEADER(S5000_PKT_NOP, 0, 0) };
	struct s5000_pkt_fill fill = musa_pkt_fill(k->va_end - 4096, 8192, 0);
	struct s5000_pkt_copy copy = musa_pkt_copy(k->va_end - 64, k->sys.va, 128);
	struct s5000_pkt_signal signal = musa_pkt_signal(k->va_end, 1);
	struct s5000_pkt_nop unknown = { .header = 0x7f };
	struct drm_musa_sync bad_sync = { .handle = 999 }, flagged = { .handle = k->syncobj,
								      .flags = 1 };
	struct drm_musa_sync no_fence = { .handle = k->syncobj };
	const struct drm_musa_submit ok = { .packets = (uintptr_t)&nop, .num_packets = 1 };
	struct drm_musa_submit a;
	uint8_t *last = k->edge + 4096 - S5000_PACKET_SIZE;
	int fd = k->fd;

	memcpy(last, &nop, sizeof(nop));

	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.flags = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.reserved[0] = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.reserved[1] = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.num_packets = 0, EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.num_packets = MUSA_SUBMIT_MAX_PACKETS + 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.num_packets = UINT32_MAX, EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.num_in_syncs = MUSA_SUBMIT_MAX_SYNCS + 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.out_point = 1, EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.packets = 0, EFAULT);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.packets = HOSTILE_KERNEL_PTR, EFAULT);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, (a.packets = (uintptr_t)last, a.num_packets = 2), EFAULT);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.packets = (uintptr_t)&unknown, EINVAL);
	/* Writes that reach into the driver's own range of the address space. */
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.packets = (uintptr_t)&fill, EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.packets = (uintptr_t)&copy, EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.packets = (uintptr_t)&signal, EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, (a.num_in_syncs = 1, a.in_syncs = 0), EFAULT);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, (a.num_in_syncs = 1, a.in_syncs = (uintptr_t)&bad_sync),
	    ENOENT);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, (a.num_in_syncs = 1, a.in_syncs = (uintptr_t)&flagged),
	    EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, (a.num_in_syncs = 1, a.in_syncs = (uintptr_t)&no_fence),
	    EINVAL);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.out_sync = 999, ENOENT);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.out_sync = k->sys.handle + 1000, ENOENT);
	BAD(DRM_IOCTL_MUSA_SUBMIT, ok, a.out_sync = k->syncobj, 0);
}

/* Driver ioctl numbers past the table, and the doorbell that cannot be exported. */
static void bad_numbers_and_exports(const struct hostile_kit *k)
{
	struct drm_prime_handle p = { .handle = k->q.doorbell, .flags = DRM_CLOEXEC };
	uint8_t buf[256] = { 0 };
	int fd = k->fd;

	for (unsigned int nr = DRM_MUSA_SUBMIT + 1; nr < 0x60; nr++)
		hx(fd, DRM_IOWR(DRM_COMMAND_BASE + nr, struct drm_musa_submit), buf, EINVAL,
		   __LINE__, "an ioctl number past the driver's table");
	hx(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p, EPERM, __LINE__, "exporting a doorbell");
	p.handle = k->other_handle;
	hx(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p, ENOENT, __LINE__, "exporting another's handle");
	p.handle = k->sys.handle;
	p.flags = 1u << 30;
	hx(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p, EINVAL, __LINE__, "export flags");
}

static int structured_cases(void *unused)
{
	struct hostile_kit k;
	uint64_t before = rel_get("unexpected");

	if (!HCHECK(kit_open(&k) == 0, "the objects the cases start from: %s", strerror(errno)))
		return 1;
	bad_params_and_queries(&k);
	bad_bo_create(&k);
	bad_bo_info(&k);
	bad_userptr(&k);
	bad_vm_bind(&k);
	bad_queues(&k);
	bad_waits(&k);
	bad_submits(&k);
	bad_numbers_and_exports(&k);
	/* After all that the queue still works. */
	HCHECK(musa_queue_wait(&k.q, musa_queue_fence(&k.q), 5000) == 0, "the kit's queue");
	return rel_get("unexpected") != before;
}

TEST_F(hostile, structured_bad_arguments_get_the_documented_errno)
{
	EXPECT_EQ(0, as_user(HOSTILE_UID_A, self->group, structured_cases, NULL));
	rel_note("%llu ioctls with bad arguments", (unsigned long long)rel_get("ioctls"));
}

/* ------------------------------------------------------------ random ioctls */

#define FUZZ_BUF		(1 << 20)
#define FUZZ_POOL		32
#define FUZZ_QUEUES		8
#define FUZZ_REOPEN		400	/* a fresh file (and context) this often */
#define FUZZ_TIMER_US		100000	/* a call still blocked after this is interrupted */
#define FUZZ_MAX_SIZE		(1u << 20)	/* objects that may succeed stay this small */
#define FUZZ_DRIVER_IOCTLS	(DRM_MUSA_SUBMIT + 1)
#define E(x)			(1ull << (x))

/* The errnos uapi/musa_drm.h documents for each ioctl (and EINTR: our timer). */
static const uint64_t fuzz_allowed[FUZZ_DRIVER_IOCTLS] = {
	[DRM_MUSA_GET_PARAM] = E(EINVAL) | E(EBUSY) | E(ENODEV),
	[DRM_MUSA_QUERY] = E(EINVAL) | E(EFAULT) | E(ENODEV),
	[DRM_MUSA_BO_CREATE] = E(EINVAL) | E(ENOMEM) | E(ENOSPC) | E(EBUSY) | E(EIO) | E(ENODEV),
	[DRM_MUSA_BO_INFO] = E(ENOENT) | E(EINVAL),
	[DRM_MUSA_BO_USERPTR] = E(EINVAL) | E(EFAULT) | E(ENOMEM) | E(ENOSPC) | E(EBUSY) |
				E(ENODEV),
	[DRM_MUSA_VM_BIND] = E(EINVAL) | E(ENOENT) | E(EEXIST) | E(EBUSY) | E(ENOSPC) |
			     E(ENOMEM) | E(ENODEV),
	[DRM_MUSA_QUEUE_CREATE] = E(EINVAL) | E(EIO) | E(EBUSY) | E(ENODEV),
	[DRM_MUSA_QUEUE_DESTROY] = E(ENOENT) | E(EINVAL),
	[DRM_MUSA_QUEUE_STATE] = E(ENOENT) | E(EINVAL) | E(ENODEV),
	[DRM_MUSA_WAIT] = E(ETIME) | E(EIO) | E(EINVAL) | E(EFAULT) | E(ENOENT) | E(ENODEV),
	[DRM_MUSA_SUBMIT] = E(EINVAL) | E(EFAULT) | E(ENOENT) | E(EIO) | E(EBUSY) | E(ENODEV),
};

static const uint32_t fuzz_sizes[FUZZ_DRIVER_IOCTLS] = {
	sizeof(struct drm_musa_get_param), sizeof(struct drm_musa_query),
	sizeof(struct drm_musa_bo_create), sizeof(struct drm_musa_bo_info),
	sizeof(struct drm_musa_bo_userptr), sizeof(struct drm_musa_vm_bind),
	sizeof(struct drm_musa_queue_create), sizeof(struct drm_musa_queue_destroy),
	sizeof(struct drm_musa_queue_state), sizeof(struct drm_musa_wait),
	sizeof(struct drm_musa_submit),
};

/* What random arguments draw on: memory to point at, and things that exist. */
struct fuzz {
	int fd;
	uint64_t rng;
	uint8_t *buf;			/* FUZZ_BUF of host memory, packets at its start */
	uint8_t *ro;			/* a read-only page */
	uint32_t handles[FUZZ_POOL];
	uint64_t vas[FUZZ_POOL];
	int nbo;
	uint32_t queues[FUZZ_QUEUES];
	int nq;
	uint32_t syncobj;
	uint64_t mismatches;
};

static uint64_t fz_rand(struct fuzz *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

static const uint64_t fz_interesting[] = {
	0, 1, 2, 3, 4, 7, 8, 15, 16, 63, 64, 255, 256, 4095, 4096, 4097, 65535, 65536,
	1u << 20, 1u << 21, 0x7fffffff, 0x80000000u, 0xffffffffu, 1ull << 32, 1ull << 40,
	1ull << 46, 1ull << 47, (1ull << 48) - (1ull << 30), (1ull << 48) - 4096, 1ull << 48,
	1ull << 63, UINT64_MAX - 4095, UINT64_MAX - 1, UINT64_MAX, HOSTILE_KERNEL_PTR,
};

/* A value for any field: boundaries, random bits, or something that exists. */
static uint64_t fz_value(struct fuzz *f)
{
	uint64_t r = fz_rand(f);

	switch (r % 8) {
	case 0:
		return fz_interesting[(r >> 8) % (sizeof(fz_interesting) / sizeof(fz_interesting[0]))];
	case 1:
		return fz_rand(f);
	case 2:
		return (r >> 8) % 64;
	case 3:
		return f->nbo ? f->vas[(r >> 8) % f->nbo] + ((r >> 16) % 16) * 8 : 0;
	case 4:
		return f->nbo ? f->handles[(r >> 8) % f->nbo] : 1;
	case 5:
		return (uintptr_t)f->buf + ((r >> 8) % FUZZ_BUF & ~7ull);
	case 6:
		return (r >> 8) % 2 ? (uintptr_t)f->ro : 0;
	default:
		return f->nq ? f->queues[(r >> 8) % f->nq] : f->syncobj;
	}
}

/* Random packets at the start of buf, for SUBMIT to copy in. */
static void fz_packets(struct fuzz *f)
{
	for (int i = 0; i < 64; i++) {
		uint64_t *p = (uint64_t *)(f->buf + i * S5000_PACKET_SIZE);

		for (int w = 1; w < S5000_PACKET_SIZE / 8; w++)
			p[w] = fz_value(f);
		p[0] = S5000_PKT_HEADER(fz_rand(f) % 10, fz_rand(f) % 9, 0);
	}
}

static uint64_t fz_pool_va(struct fuzz *f)
{
	return f->nbo ? f->vas[fz_rand(f) % f->nbo] : 1ull << 47;
}

/* A plausible argument for driver ioctl nr, drawn from what exists. */
static void fz_template(struct fuzz *f, unsigned int nr, void *arg)
{
	uint64_t r = fz_rand(f);

	switch (nr) {
	case DRM_MUSA_GET_PARAM:
		*(struct drm_musa_get_param *)arg = (struct drm_musa_get_param){ .param = r % 24 };
		break;
	case DRM_MUSA_QUERY:
		*(struct drm_musa_query *)arg = (struct drm_musa_query){
			.query = r % 2, .size = r & 2 ? 0 : 128, .data = (uintptr_t)f->buf };
		break;
	case DRM_MUSA_BO_CREATE:
		*(struct drm_musa_bo_create *)arg = (struct drm_musa_bo_create){
			.size = 4096ull << (r % 5), .placement = (r >> 4) % 2,
			.flags = (r >> 8) % 16, .gpu_va = (1ull << 40) + ((r >> 12) % 4096) * 4096 };
		break;
	case DRM_MUSA_BO_USERPTR:
		*(struct drm_musa_bo_userptr *)arg = (struct drm_musa_bo_userptr){
			.user_ptr = (uintptr_t)f->buf + ((r >> 8) % 128) * 4096,
			.size = 4096 * (1 + r % 4), .flags = r & 16 ? MUSA_BO_READ_ONLY : 0 };
		break;
	case DRM_MUSA_VM_BIND:
		*(struct drm_musa_vm_bind *)arg = (struct drm_musa_vm_bind){
			.op = r % 2, .handle = (uint32_t)fz_value(f),
			.flags = r & 4 ? MUSA_BO_FIXED_VA : 0, .gpu_va = fz_pool_va(f) };
		break;
	case DRM_MUSA_QUEUE_CREATE:
		*(struct drm_musa_queue_create *)arg = (struct drm_musa_queue_create){
			.ring_va = fz_pool_va(f), .rptr_va = fz_pool_va(f) + 4096,
			.ring_order = 4 + r % 3, .priority = (r >> 4) % 4 };
		break;
	case DRM_MUSA_WAIT:
		*(struct drm_musa_wait *)arg = (struct drm_musa_wait){
			.addr = fz_pool_va(f), .value = fz_value(f), .cond = r % 3,
			.queue_id = f->nq ? f->queues[(r >> 4) % f->nq] : 1,
			.timeout_ns = (int64_t)musa_now_ns() + 1000000 };
		break;
	case DRM_MUSA_SUBMIT:
		*(struct drm_musa_submit *)arg = (struct drm_musa_submit){
			.packets = (uintptr_t)f->buf + (r % 60) * S5000_PACKET_SIZE,
			.num_packets = 1 + (r >> 8) % 4, .num_in_syncs = (r >> 12) % 2,
			.in_syncs = (uintptr_t)f->buf + FUZZ_BUF / 2,
			.out_sync = r & 1 ? f->syncobj : 0 };
		break;
	default:	/* BO_INFO, QUEUE_DESTROY, QUEUE_STATE: a handle or id */
		*(uint32_t *)arg = (uint32_t)fz_value(f);
		break;
	}
}

/* Changes 0 to 3 words of the argument to any value. */
static void fz_mutate(struct fuzz *f, uint8_t *arg, uint32_t size)
{
	for (uint64_t n = fz_rand(f) % 4; n && size >= 4; n--) {
		uint64_t v = fz_value(f);
		uint32_t at = (fz_rand(f) % (size / 4)) * 4;

		if (at % 8 == 0 && at + 8 <= size && fz_rand(f) % 2)
			memcpy(arg + at, &v, 8);
		else
			memcpy(arg + at, &v, 4);
	}
}

/* Objects that could be created stay small: the guest's memory is not the subject. */
static void fz_clamp(unsigned int nr, void *arg)
{
	struct drm_musa_bo_create *c = arg;

	if (nr == DRM_MUSA_BO_CREATE && c->size > FUZZ_MAX_SIZE && c->size < (1ull << 50))
		c->size = 1 + c->size % FUZZ_MAX_SIZE;
}

/* Keeps what a successful call made, for later calls to use. */
static void fz_keep(struct fuzz *f, unsigned int nr, const void *arg)
{
	const struct drm_musa_bo_create *c = arg;
	const struct drm_musa_bo_userptr *u = arg;
	const struct drm_musa_queue_create *q = arg;

	if (nr == DRM_MUSA_BO_CREATE || nr == DRM_MUSA_BO_USERPTR) {
		if (f->nbo == FUZZ_POOL) {
			musa_gem_close(f->fd, f->handles[0]);
			f->handles[0] = f->handles[--f->nbo];
			f->vas[0] = f->vas[f->nbo];
		}
		f->handles[f->nbo] = nr == DRM_MUSA_BO_CREATE ? c->handle : u->handle;
		f->vas[f->nbo++] = nr == DRM_MUSA_BO_CREATE ? c->gpu_va : u->gpu_va;
	} else if (nr == DRM_MUSA_QUEUE_CREATE && f->nq < FUZZ_QUEUES) {
		f->queues[f->nq++] = q->queue_id;
	}
}

static void fz_on_timer(int sig)
{
}

/* One ioctl under the timer: 0 or an errno. */
static int fz_call(int fd, unsigned long request, void *arg)
{
	struct itimerval t = { .it_value = { .tv_usec = FUZZ_TIMER_US } }, off = { 0 };
	int ret, err;

	setitimer(ITIMER_REAL, &t, NULL);
	ret = ioctl(fd, request, arg);
	err = ret ? errno : 0;
	setitimer(ITIMER_REAL, &off, NULL);
	if (err == EINTR)
		rel_add("random_interrupted", 1);
	return err;
}

/* A driver ioctl, plausible then mutated; its errno must be a documented one. */
static void fz_driver(struct fuzz *f, uint8_t *arg)
{
	unsigned int nr = fz_rand(f) % FUZZ_DRIVER_IOCTLS;
	unsigned long request = DRM_IOWR(DRM_COMMAND_BASE + nr, uint8_t[fuzz_sizes[nr]]);
	int err;

	memset(arg, 0, 256);
	fz_template(f, nr, arg);
	fz_mutate(f, arg, fuzz_sizes[nr]);
	fz_clamp(nr, arg);
	err = fz_call(f->fd, request, arg);
	rel_add("random_ioctls", 1);
	if (!err)
		fz_keep(f, nr, arg);
	else if (err != EINTR && (err >= 64 || !(fuzz_allowed[nr] & E(err))) &&
		 !f->mismatches++)
		rel_note("ioctl 0x%x: %s is not documented for it", DRM_COMMAND_BASE + nr,
			 strerror(err));
}

/* A driver ioctl number (or one past the table) with any size, direction and bytes. */
static void fz_driver_raw(struct fuzz *f, uint8_t *arg)
{
	unsigned int nr = fz_rand(f) % (FUZZ_DRIVER_IOCTLS + 5);
	unsigned long request = _IOC(fz_rand(f) % 4, DRM_IOCTL_BASE, DRM_COMMAND_BASE + nr,
				     fz_rand(f) % 257);
	uint64_t allowed = nr < FUZZ_DRIVER_IOCTLS ? fuzz_allowed[nr] : 0;
	int err;

	for (int i = 0; i < 256; i += 8) {
		uint64_t v = fz_value(f);

		memcpy(arg + i, &v, 8);
	}
	if (nr < FUZZ_DRIVER_IOCTLS)
		fz_clamp(nr, arg);
	err = fz_call(f->fd, request, arg);
	rel_add("random_ioctls", 1);
	if (!err && nr < FUZZ_DRIVER_IOCTLS && _IOC_DIR(request) == (_IOC_READ | _IOC_WRITE) &&
	    _IOC_SIZE(request) >= fuzz_sizes[nr])
		fz_keep(f, nr, arg);
	else if (err && err != EINTR && (err >= 64 || !((allowed | E(EINVAL)) & E(err))) &&
		 !f->mismatches++)
		rel_note("ioctl 0x%lx: %s is not documented for it", request, strerror(err));
}

/* The DRM core's ioctls and any number at all: they must only fail cleanly. */
static void fz_other(struct fuzz *f, uint8_t *arg, int core)
{
	unsigned int nr = fz_rand(f) % 0x80;
	unsigned long request;

	for (int i = 0; i < 256; i += 8) {
		uint64_t v = fz_value(f);

		memcpy(arg + i, &v, 8);
	}
	if (core)
		request = _IOC(fz_rand(f) % 4, DRM_IOCTL_BASE, nr < 0x40 ? nr : nr + 0x60,
			       fz_rand(f) % 257);
	else
		request = (uint32_t)fz_rand(f);
	fz_call(f->fd, request, arg);
	rel_add(core ? "random_core_ioctls" : "random_other_ioctls", 1);
}

static int fz_open(struct fuzz *f)
{
	struct drm_syncobj_create sc = { 0 };

	if (f->fd >= 0)
		close(f->fd);
	f->nbo = 0;
	f->nq = 0;
	f->fd = musa_open();
	if (f->fd < 0 || musa_ioctl(f->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc))
		return -1;
	f->syncobj = sc.handle;
	return 0;
}

static uint64_t fuzz_iterations(void)
{
	const char *v = getenv("MUSA_FUZZ_ITERATIONS");

	return v && atoll(v) > 0 ? (uint64_t)atoll(v) : 20000;
}

static int random_ioctls(void *unused)
{
	struct sigaction sa = { .sa_handler = fz_on_timer };	/* no SA_RESTART */
	struct fuzz f = { .fd = -1 };
	const char *seed = getenv("MUSA_FUZZ_SEED");
	uint64_t n = fuzz_iterations();
	/* Any ioctl number may name up to 16 KiB for the kernel to copy back. */
	static uint8_t arg[1 << _IOC_SIZEBITS];
	struct musa_queue q;

	f.rng = seed ? strtoull(seed, NULL, 0) : musa_now_ns() | 1;
	rel_note("random ioctls: %llu, MUSA_FUZZ_SEED=0x%llx", (unsigned long long)n,
		 (unsigned long long)f.rng);
	sigaction(SIGALRM, &sa, NULL);
	f.buf = mmap(NULL, FUZZ_BUF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f.ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f.buf == MAP_FAILED || f.ro == MAP_FAILED)
		return 1;
	for (uint64_t i = 0; i < n; i++) {
		if (!(i % FUZZ_REOPEN) && !HCHECK(fz_open(&f) == 0, "open: %s", strerror(errno)))
			return 1;
		if (!(i % 64))
			fz_packets(&f);
		switch (fz_rand(&f) % 10) {
		case 0:
			fz_driver_raw(&f, arg);
			break;
		case 1:
			fz_other(&f, arg, 1);
			break;
		case 2:
			fz_other(&f, arg, 0);
			break;
		default:
			fz_driver(&f, arg);
			break;
		}
	}
	close(f.fd);
	rel_add("unexpected", f.mismatches);
	/* The device still works for a new file. */
	f.fd = musa_open();
	HCHECK(f.fd >= 0 && !musa_queue_open(f.fd, 4, &q) &&
	       !musa_queue_wait(&q, musa_queue_fence(&q), 5000), "a new file after the storm");
	return f.mismatches != 0;
}

TEST_F_TIMEOUT(hostile, random_ioctls_fail_cleanly, 600)
{
	EXPECT_EQ(0, as_user(HOSTILE_UID_A, self->group, random_ioctls, NULL));
	rel_note("%llu random ioctls, %llu interrupted by the timer",
	       (unsigned long long)(rel_get("random_ioctls") + rel_get("random_core_ioctls") +
				    rel_get("random_other_ioctls")),
	       (unsigned long long)rel_get("random_interrupted"));
}

/* ----------------------------------------------- one process against another */

#define XP_SECRET_BYTE		0xa5
#define XP_VRAM_BYTE		0x5a
#define XP_SHARED_BYTE		0x33
#define XP_OWN_BYTE		0x77
#define XP_TIMEOUT_MS		120000

/* What the victim A shows the attacker B (as if B had guessed it all). */
struct xp_secrets {
	pid_t pid;
	uint32_t handles[4];		/* secret, vram, shared, unsent */
	uint64_t secret_va, vram_va;
	uint64_t mmap_offsets[5];	/* the four objects' and the doorbell's */
	uint32_t queue_id;
	int unsent_fd;			/* A's fd number of a dma-buf it kept */
	int victim_ok;			/* A found its data and queue intact */
	uint64_t kernel_addr;		/* where B's next kernel reads or writes */
	int kernel_poke;		/* writes, rather than reads */
	uint64_t kernel_value;		/* what it read */
	int kernel_error;		/* and how it ended */
	char kernel_detail[200];
};

struct xp {
	struct xp_secrets *s;		/* shared memory */
	int sock;			/* A's or B's end of a socketpair */
};

static int xp_send_fd(int sock, int fd)
{
	char byte = 1, control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int xp_recv_fd(int sock)
{
	char byte, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Waits for one byte from the other side: 0, or -1 after the timeout. */
static int xp_wait(int sock)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	char byte;

	return poll(&p, 1, XP_TIMEOUT_MS) == 1 && read(sock, &byte, 1) == 1 ? 0 : -1;
}

static int xp_export(int fd, uint32_t handle)
{
	struct drm_prime_handle p = { .handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR };

	return musa_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p) ? -1 : p.fd;
}

static int xp_all_bytes(const void *p, size_t n, uint8_t byte)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)p)[i] != byte)
			return 0;
	return 1;
}

/* A's objects: mapped, filled, exported (one sent to B, one kept), and a queue. */
static int xp_victim_setup(int fd, struct xp_secrets *s, struct musa_bo *bo,
			   struct musa_queue *q, int *shared_fd)
{
	static const uint32_t placement[4] = {
		MUSA_PLACEMENT_SYSTEM, MUSA_PLACEMENT_VRAM, MUSA_PLACEMENT_SYSTEM,
		MUSA_PLACEMENT_VRAM,
	};
	static const uint8_t fill[4] = { XP_SECRET_BYTE, XP_VRAM_BYTE, XP_SHARED_BYTE, 0x11 };
	struct drm_musa_bo_info info;

	for (int i = 0; i < 4; i++) {
		uint32_t flags = placement[i] == MUSA_PLACEMENT_VRAM ? MUSA_BO_CPU_VISIBLE : 0;

		if (musa_bo_new_at(fd, HOSTILE_OBJ, placement[i], flags | (i ? 0 : MUSA_BO_FIXED_VA),
				   HOSTILE_SECRET_VA, &bo[i]) || !musa_bo_map(fd, &bo[i]) ||
		    musa_bo_info(fd, bo[i].handle, &info))
			return -1;
		memset(bo[i].map, fill[i], HOSTILE_OBJ);
		s->handles[i] = bo[i].handle;
		s->mmap_offsets[i] = info.mmap_offset;
	}
	if (musa_queue_open(fd, 6, q) || musa_bo_info(fd, q->doorbell, &info))
		return -1;
	s->mmap_offsets[4] = info.mmap_offset;
	s->secret_va = bo[0].va;
	s->vram_va = bo[1].va;
	s->queue_id = q->id;
	s->pid = getpid();
	*shared_fd = xp_export(fd, bo[2].handle);
	s->unsent_fd = xp_export(fd, bo[3].handle);
	return *shared_fd < 0 || s->unsent_fd < 0 ? -1 : 0;
}

/* A: shows its secrets, sends one dma-buf, waits for B, then checks nothing changed. */
static int xp_victim(void *arg)
{
	struct xp *x = arg;
	struct xp_secrets *s = x->s;
	struct musa_bo bo[4], scratch;
	struct drm_musa_queue_state st;
	struct musa_queue q;
	int fd = musa_open(), shared_fd = -1;
	long long kib;

	if (!HCHECK(fd >= 0 && !xp_victim_setup(fd, s, bo, &q, &shared_fd), "A's setup"))
		return 1;
	kib = musa_fdinfo(fd, "drm-memory-vram") + musa_fdinfo(fd, "drm-memory-system");
	if (!HCHECK(!xp_send_fd(x->sock, shared_fd), "sending the shared dma-buf"))
		return 1;
	close(shared_fd);
	if (!HCHECK(!xp_wait(x->sock), "B finished"))
		return 1;
	HCHECK(xp_all_bytes(bo[0].map, HOSTILE_OBJ, XP_SECRET_BYTE), "A's secret object");
	HCHECK(xp_all_bytes(bo[1].map, HOSTILE_OBJ, XP_VRAM_BYTE), "A's VRAM object");
	HCHECK(!musa_queue_state(fd, q.id, &st) && st.state == MUSA_QUEUE_STATE_ACTIVE &&
	       !st.error, "A's queue: state %u error %u", st.state, st.error);
	HCHECK(!musa_bo_new(fd, HOSTILE_OBJ, MUSA_PLACEMENT_SYSTEM, 0, &scratch) &&
	       musa_bo_map(fd, &scratch) &&
	       !musa_queue_copy_sync(&q, scratch.va, s->secret_va, HOSTILE_OBJ) &&
	       xp_all_bytes(scratch.map, HOSTILE_OBJ, XP_SECRET_BYTE), "A's device copy");
	musa_bo_free(fd, &scratch);
	HCHECK(kib == musa_fdinfo(fd, "drm-memory-vram") + musa_fdinfo(fd, "drm-memory-system"),
	       "A's fdinfo memory");
	s->victim_ok = rel_get("unexpected") == 0;
	return 0;
}

/* B, in a file with nothing of its own yet: A's handles and queue ids name nothing. */
static void xp_names(int fd, const struct xp_secrets *s)
{
	for (int i = 0; i < 4; i++) {
		uint32_t h = s->handles[i];
		struct drm_musa_bo_info info = { .handle = h };
		struct drm_musa_vm_bind bind = { .handle = h };
		struct drm_gem_close close_arg = { .handle = h };
		struct drm_prime_handle prime = { .handle = h, .flags = DRM_CLOEXEC };
		struct drm_gem_flink flink = { .handle = h };
		struct drm_gem_open open_arg = { .name = i + 1 };

		ATTEMPT(musa_ioctl(fd, DRM_IOCTL_MUSA_BO_INFO, &info) == -ENOENT);
		ATTEMPT(musa_ioctl(fd, DRM_IOCTL_MUSA_VM_BIND, &bind) == -ENOENT);
		ATTEMPT(musa_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close_arg) == -EINVAL);
		ATTEMPT(musa_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime) == -ENOENT);
		ATTEMPT(musa_ioctl(fd, DRM_IOCTL_GEM_FLINK, &flink) == -EACCES);
		ATTEMPT(musa_ioctl(fd, DRM_IOCTL_GEM_OPEN, &open_arg) == -EACCES);
	}
	{
		struct drm_musa_queue_state st = { .queue_id = s->queue_id };
		struct drm_musa_queue_destroy d = { .queue_id = s->queue_id };

		ATTEMPT(musa_ioctl(fd, DRM_IOCTL_MUSA_QUEUE_STATE, &st) == -ENOENT);
		ATTEMPT(musa_ioctl(fd, DRM_IOCTL_MUSA_QUEUE_DESTROY, &d) == -ENOENT);
		ATTEMPT(musa_wait(fd, s->queue_id, s->secret_va, 0, MUSA_WAIT_EQ, 0) == -ENOENT);
	}
}

static int xp_mmap_errno(int fd, uint64_t offset, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);

	if (p != MAP_FAILED) {
		munmap(p, len);
		return 0;
	}
	return errno;
}

/* B: A's mmap offsets, A's kept dma-buf, file descriptors that are not dma-bufs. */
static void xp_offsets_and_fds(int fd, const struct xp_secrets *s, int dmabuf)
{
	char path[64];
	int pidfd;

	for (int i = 0; i < 5; i++)
		ATTEMPT(xp_mmap_errno(fd, s->mmap_offsets[i], 4096) == EACCES);
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", s->pid, s->unsent_fd);
	ATTEMPT(hostile_open_errno(path, O_RDWR) == EACCES);
	pidfd = syscall(SYS_pidfd_open, s->pid, 0);
	ATTEMPT(pidfd >= 0 && syscall(SYS_pidfd_getfd, pidfd, s->unsent_fd, 0) < 0 &&
		errno == EPERM);
	if (pidfd >= 0)
		close(pidfd);
	for (int other = -1; other <= fd + 1; other++) {
		struct drm_prime_handle p = { .fd = other };
		int ret;

		if (other == dmabuf)
			continue;
		ret = musa_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);
		ATTEMPT(ret == (fcntl(other, F_GETFD) < 0 ? -EBADF : -EINVAL));
	}
}

/* B: the dma-buf A chose to send works, and reaches nothing more than its object. */
static void xp_shared(int fd, int dmabuf, struct musa_queue *q)
{
	struct drm_prime_handle p = { .fd = dmabuf };
	struct drm_musa_vm_bind bind = { .op = MUSA_VM_BIND_MAP };
	struct drm_musa_bo_info info;
	struct musa_bo own;

	if (!HCHECK(!musa_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p), "importing A's dma-buf"))
		return;
	bind.handle = p.handle;
	HCHECK(!musa_ioctl(fd, DRM_IOCTL_MUSA_VM_BIND, &bind), "mapping it");
	HCHECK(!musa_bo_new(fd, HOSTILE_OBJ, MUSA_PLACEMENT_SYSTEM, 0, &own) &&
	       musa_bo_map(fd, &own) &&
	       !musa_queue_copy_sync(q, own.va, bind.gpu_va, HOSTILE_OBJ) &&
	       xp_all_bytes(own.map, HOSTILE_OBJ, XP_SHARED_BYTE), "reading what A shared");
	musa_bo_free(fd, &own);
	if (HCHECK(!musa_bo_info(fd, p.handle, &info) && info.mmap_offset, "its mmap offset"))
		ATTEMPT(xp_mmap_errno(fd, info.mmap_offset, 2 * HOSTILE_OBJ) == EINVAL);
}

/* B: its own queue copies from A's address: B's queue faults there, A's data stays. */
static void xp_copy_from_victim(const struct xp_secrets *s)
{
	struct drm_musa_queue_state st;
	struct musa_queue q;
	struct musa_bo dst;
	int fd = musa_open();

	if (!HCHECK(fd >= 0 && !musa_queue_open(fd, 4, &q) &&
		    !musa_bo_new(fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &dst), "B's queue"))
		return;
	ATTEMPT(musa_queue_copy_sync(&q, dst.va, s->secret_va, 4096) == -EIO &&
		!musa_queue_state(fd, q.id, &st) && st.state == MUSA_QUEUE_STATE_FAULTED &&
		st.error == S5000_ERR_PAGE_FAULT && st.fault_va == s->secret_va);
	close(fd);
}

/* B: an object of its own at A's address is B's memory, not A's. */
static void xp_alias_victim_address(const struct xp_secrets *s)
{
	struct musa_bo mine, dst;
	struct musa_queue q;
	int fd = musa_open();

	if (!HCHECK(fd >= 0 && !musa_queue_open(fd, 4, &q), "B's queue"))
		return;
	ATTEMPT(musa_wait(fd, q.id, s->secret_va, 0, MUSA_WAIT_EQ, 0) == -EFAULT);
	if (HCHECK(!musa_bo_new_at(fd, 4096, MUSA_PLACEMENT_SYSTEM, MUSA_BO_FIXED_VA,
				   s->secret_va, &mine) && musa_bo_map(fd, &mine) &&
		   !musa_bo_new(fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &dst) && musa_bo_map(fd, &dst),
		   "B's object at A's address")) {
		memset(mine.map, XP_OWN_BYTE, 4096);
		ATTEMPT(!musa_queue_copy_sync(&q, dst.va, s->secret_va, 4096) &&
			xp_all_bytes(dst.map, 4096, XP_OWN_BYTE));
	}
	close(fd);
}

/* B: a kernel-mediated submission reading A's VRAM address fails B's context. */
static void xp_submit_from_victim(const struct xp_secrets *s)
{
	struct drm_syncobj_create sc = { 0 };
	struct drm_syncobj_wait w = { .count_handles = 1 };
	struct s5000_pkt_copy copy;
	struct drm_musa_submit sub = { .num_packets = 1 };
	struct musa_bo dst, ring;
	uint32_t id, db;
	int fd = musa_open();

	if (!HCHECK(fd >= 0 && !musa_bo_new_at(fd, 4096, MUSA_PLACEMENT_SYSTEM,
					      MUSA_BO_FIXED_VA, 1ull << 32, &dst) &&
		    musa_bo_map(fd, &dst) && !musa_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc),
		    "B's submission"))
		return;
	memset(dst.map, XP_OWN_BYTE, 4096);
	copy = musa_pkt_copy(dst.va, s->vram_va, 4096);
	sub.packets = (uintptr_t)&copy;
	sub.out_sync = sc.handle;
	w.handles = (uintptr_t)&sc.handle;
	w.timeout_nsec = (int64_t)musa_now_ns() + 10000000000ll;
	HCHECK(!musa_ioctl(fd, DRM_IOCTL_MUSA_SUBMIT, &sub) &&
	       !musa_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w), "the submission completes");
	ATTEMPT(xp_all_bytes(dst.map, 4096, XP_OWN_BYTE) &&
		!musa_bo_new(fd, 8192, MUSA_PLACEMENT_SYSTEM, 0, &ring) &&
		musa_queue_create_raw(fd, ring.va, ring.va + 4096, 4, &id, &db) == -EIO);
	close(fd);
}

/* B: a write index far past its ring, through its own doorbell page, fails only B. */
static void xp_doorbell(void)
{
	struct drm_musa_queue_state st;
	struct musa_queue q;
	uint64_t deadline = musa_now_ns() + 5000000000ull;
	int fd = musa_open();

	if (!HCHECK(fd >= 0 && !musa_queue_open(fd, 4, &q), "B's queue"))
		return;
	q.wptr = 1ull << 40;
	musa_queue_commit(&q);
	do {
		usleep(10000);
		musa_queue_state(fd, q.id, &st);
	} while (st.state == MUSA_QUEUE_STATE_ACTIVE && musa_now_ns() < deadline);
	ATTEMPT(st.state == MUSA_QUEUE_STATE_FAULTED && st.error == S5000_ERR_BAD_WPTR);
	close(fd);
}

/* B: everything but kernels, through the raw ioctls. */
static int xp_attacker(void *arg)
{
	struct xp *x = arg;
	struct musa_queue q;
	int dmabuf = xp_recv_fd(x->sock), fd = musa_open();

	if (!HCHECK(dmabuf >= 0 && fd >= 0, "B's start"))
		return 1;
	xp_names(fd, x->s);
	xp_offsets_and_fds(fd, x->s, dmabuf);
	if (HCHECK(!musa_queue_open(fd, 4, &q), "B's queue"))
		xp_shared(fd, dmabuf, &q);
	close(fd);
	xp_copy_from_victim(x->s);
	xp_alias_victim_address(x->s);
	xp_submit_from_victim(x->s);
	xp_doorbell();
	return 0;
}

/* In a new process of B (kernel faults are sticky): one kernel on s->kernel_addr. */
static int xp_kernel(void *arg)
{
	struct xp_secrets *s = ((struct xp *)arg)->s;
	unsigned long long addr = s->kernel_addr, value = 0x0badbeef, *out = NULL;
	void *args[] = { &addr, s->kernel_poke ? (void *)&value : (void *)&out };
	MUfunction f;
	MUmodule mod;
	musaError_t err;

	if (musaFree(NULL) || muInit(0) || muModuleLoadData(&mod, reliability_image) ||
	    muModuleGetFunction(&f, mod, s->kernel_poke ? "rel_poke" : "rel_peek") ||
	    musaMalloc((void **)&out, 8) || musaMemset(out, 0, 8))
		return 1;
	err = musaLaunchKernel((const void *)f, (dim3){ 1, 1, 1 }, (dim3){ 32, 1, 1 }, args, 0, 0);
	if (!err)
		err = musaDeviceSynchronize();
	s->kernel_error = err;
	snprintf(s->kernel_detail, sizeof(s->kernel_detail), "%s", musaGetLastErrorDetail());
	if (!err)
		musaMemcpy(&s->kernel_value, out, 8, musaMemcpyDeviceToHost);
	return 0;
}

static void xp_run_kernel(struct xp *x, gid_t group, uint64_t addr, int poke)
{
	x->s->kernel_addr = addr;
	x->s->kernel_poke = poke;
	x->s->kernel_value = 0;
	x->s->kernel_error = -1;
	HCHECK(as_user(HOSTILE_UID_B, group, xp_kernel, x) == 0, "B's kernel ran");
}

/*
 * B's kernels read and write A's secret address (B has nothing there: a fault in
 * B's own context, naming the address), and read A's VRAM address (whatever B has
 * there, or a fault: never A's bytes).
 */
static void xp_kernels(struct xp *x, gid_t group)
{
	struct xp_secrets *s = x->s;
	char want[64];

	snprintf(want, sizeof(want), "0x%llx", (unsigned long long)s->secret_va);
	for (int poke = 0; poke < 2; poke++) {
		xp_run_kernel(x, group, s->secret_va, poke);
		ATTEMPT(s->kernel_error == musaErrorIllegalAddress &&
			strstr(s->kernel_detail, want));
	}
	xp_run_kernel(x, group, s->vram_va, 0);
	ATTEMPT(s->kernel_error || s->kernel_value != 0x5a5a5a5a5a5a5a5aull);
}

TEST_F_TIMEOUT(hostile, another_process_is_out_of_reach, 240)
{
	struct xp_secrets *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct xp a = { .s = s }, b = { .s = s };
	int sv[2], status;
	pid_t victim, attacker;

	ASSERT_NE(MAP_FAILED, s);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	a.sock = sv[0];
	b.sock = sv[1];
	victim = as_user_async(HOSTILE_UID_A, self->group, xp_victim, &a);
	attacker = as_user_async(HOSTILE_UID_B, self->group, xp_attacker, &b);
	ASSERT_EQ(attacker, waitpid(attacker, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("the attacker");
	xp_kernels(&b, self->group);
	ASSERT_EQ(1, write(sv[1], "", 1));
	ASSERT_EQ(victim, waitpid(victim, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("the victim");
	EXPECT_TRUE(s->victim_ok);
	EXPECT_EQ(rel_get("cross_process_attempts"), rel_get("refused"));
	EXPECT_EQ(0, rel_get("unexpected"));
	rel_note("B's kernel at A's address: %s", s->kernel_detail);
	rel_note("%llu attempts on another process, %llu refused",
	       (unsigned long long)rel_get("cross_process_attempts"),
	       (unsigned long long)rel_get("refused"));
}

/* --------------------------------------------- the driver's ring in one's own VM */

/*
 * The kernel-mediated path runs a ring the driver keeps in each file's own address
 * space, at MUSA_PARAM_VA_END: 1024 packets (64 KiB), then a status page whose
 * second word is the read index the device writes back. The file's own queues can
 * write there too.
 */
#define OWN_RING_BYTES		(1024 * S5000_PACKET_SIZE)

static int own_submit(int fd, const void *packets, uint32_t n, uint32_t out_sync)
{
	struct drm_musa_submit sub = {
		.packets = (uintptr_t)packets, .num_packets = n, .out_sync = out_sync,
	};

	return musa_ioctl(fd, DRM_IOCTL_MUSA_SUBMIT, &sub);
}

static int own_sync_wait(int fd, uint32_t handle, int64_t timeout_ms)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&handle, .count_handles = 1,
		.timeout_nsec = (int64_t)musa_now_ns() + timeout_ms * 1000000,
	};

	return musa_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

/*
 * A read index far ahead of the driver's write index: the driver, had it believed
 * the write-back, would wait for room for ever, in the scheduler's thread.
 */
static void own_ring_corrupt_read_index(int fd, uint32_t syncobj)
{
	struct s5000_pkt_nop nop = { .header = S5000_PKT_HEADER(S5000_PKT_NOP, 0, 0) };
	uint64_t rptr_va = musa_param(fd, MUSA_PARAM_VA_END) + OWN_RING_BYTES + 8;
	struct s5000_pkt_fill fill = musa_pkt_fill(rptr_va, 8, 0);
	struct musa_queue q;

	fill.header = S5000_PKT_HEADER(S5000_PKT_FILL, 8, 0);
	fill.pattern = 1ull << 32;
	if (!HCHECK(!musa_queue_open(fd, 4, &q) && !own_submit(fd, &nop, 1, syncobj) &&
		    !own_sync_wait(fd, syncobj, 10000), "a first submission"))
		return;
	HCHECK(!musa_queue_push(&q, &fill) && !musa_queue_wait(&q, musa_queue_fence(&q), 5000),
	       "writing the driver's read index");
	ATTEMPT(!own_submit(fd, &nop, 1, syncobj) && !own_sync_wait(fd, syncobj, 10000));
}

/* A ring parked for ever on a WAIT, then full: closing the file still ends. */
static void own_ring_park_and_close(int fd)
{
	static struct s5000_pkt_nop nops[4];
	struct s5000_pkt_wait wait;
	struct musa_bo never;
	uint64_t t0;
	int full = 1;

	for (int i = 0; i < 4; i++)
		nops[i].header = S5000_PKT_HEADER(S5000_PKT_NOP, 0, 0);
	if (!HCHECK(!musa_bo_new(fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, &never), "an object"))
		return;
	wait = musa_pkt_wait_ge(never.va, 1);
	HCHECK(!own_submit(fd, &wait, 1, 0), "a WAIT that never ends");
	for (int i = 0; i < 300; i++)
		full &= !own_submit(fd, nops, 4, 0);
	HCHECK(full, "submissions past the ring's room");
	t0 = musa_now_ns();
	close(fd);
	ATTEMPT(musa_now_ns() - t0 < 5000000000ull);
}

static int own_ring(void *unused)
{
	struct drm_syncobj_create sc = { 0 };
	int fd = musa_open();

	if (!HCHECK(fd >= 0 && !musa_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc), "open"))
		return 1;
	own_ring_corrupt_read_index(fd, sc.handle);
	own_ring_park_and_close(fd);
	return 0;
}

TEST_F_TIMEOUT(hostile, own_driver_ring_cannot_stall_the_kernel, 60)
{
	uint64_t before = rel_get("refused");

	EXPECT_EQ(0, as_user(HOSTILE_UID_A, self->group, own_ring, NULL));
	EXPECT_EQ(before + 2, rel_get("refused"));
	EXPECT_EQ(0, rel_get("unexpected"));
}

TEST_HARNESS_MAIN
