// SPDX-License-Identifier: MIT
/*
 * musa_bench: what submitting work and waiting for it cost through the driver's
 * two paths, against one trapped MMIO round trip measured in the same run (a read
 * of the device's scratch register through a sysfs mapping of BAR0, which the VMM
 * forwards to the emulator).
 *
 *   user-mode queue  packets and the write index in memory, a doorbell kick only
 *                    when the command processor sleeps; waited for by spinning on
 *                    the fence in memory or sleeping in MUSA_IOCTL_WAIT;
 *   kernel-mediated  MUSA_IOCTL_SUBMIT (drm_sched, a syncobj per submission).
 *
 * Each path is timed with NOPs and with launches of an empty kernel (one thread,
 * its code a single `ret`, written here into a buffer of this file's own), both
 * pipelined (launch rate) and one at a time (synchronize latency).
 *
 * Output: "key value" lines (tools/musa-bench sets them beside their limits), '#'
 * lines for people. Not a test: it asserts nothing and exits 0 unless the device
 * cannot be used.
 *
 * Kernels with CONFIG_IO_STRICT_DEVMEM (Debian's) refuse the sysfs mapping while
 * musa.ko owns BAR0 unless booted with iomem=relaxed; the MMIO round trip is then
 * taken as the difference between a GET_PARAM that reads one register and one
 * that reads none (mmio_direct 0).
 *
 * Usage (in a musa-vm guest): musa_bench [ITERATIONS]
 *   tools/musa-vm --append iomem=relaxed -- build/bench/musa_bench
 */
#include "musa_test.h"

#define RISCV_RET	0x00008067u	/* jalr x0, 0(ra): to S5000_EXIT_PC, the thread exits */

static void put(const char *key, double value)
{
	printf("%s %.6g\n", key, value);
}

/* Average cost of one trapped register read from user space, in ns; 0 if refused. */
static double mmio_round_trip_ns(unsigned int n)
{
	char bdf[32], path[128];
	volatile uint32_t *regs;
	uint64_t start;
	int fd;

	if (musa_device_bdf(0, bdf, sizeof(bdf)))
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", bdf);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		return 0;
	regs = mmap(NULL, S5000_REGS_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (regs == MAP_FAILED)
		return 0;
	start = musa_now_ns();
	for (unsigned int i = 0; i < n; i++)
		(void)regs[S5000_REG_SCRATCH / 4];
	start = musa_now_ns() - start;
	munmap((void *)regs, S5000_REGS_SIZE);
	return (double)start / n;
}

static double get_param_ns(int fd, uint32_t param, unsigned int n)
{
	uint64_t start = musa_now_ns();

	for (unsigned int i = 0; i < n; i++)
		musa_param(fd, param);
	return (double)(musa_now_ns() - start) / n;
}

/* An empty kernel in a buffer of @fd's: the descriptor at 0, one `ret` at 64. */
static int empty_kernel(int fd, struct musa_bo *bo, struct s5000_pkt_kernel_launch *launch)
{
	struct s5000_kernel_desc *desc;

	if (musa_bo_new(fd, 4096, MUSA_PLACEMENT_SYSTEM, 0, bo) || !musa_bo_map(fd, bo))
		return -1;
	desc = bo->map;
	*desc = (struct s5000_kernel_desc){
		.magic = S5000_KERNEL_DESC_MAGIC, .version = 1,
		.entry = bo->va + 64, .code_start = bo->va + 64, .code_size = 4,
		.stack_size = 16, .max_threads = 1,
	};
	*(uint32_t *)((char *)bo->map + 64) = RISCV_RET;
	*launch = (struct s5000_pkt_kernel_launch){
		.header = S5000_PKT_HEADER(S5000_PKT_KERNEL_LAUNCH, 0, 0),
		.grid = { 1, 1, 1 }, .block = { 1, 1, 1 }, .code = bo->va,
	};
	return 0;
}

/* Spins on the queue's fence word until it reaches seqno. */
static void spin_fence(struct musa_queue *q, uint64_t seqno)
{
	while (__atomic_load_n(q->fence, __ATOMIC_ACQUIRE) < seqno)
		;
}

/* n packets, each published on its own, then one fence: submissions per second. */
static double umq_rate(struct musa_queue *q, const void *packet, unsigned int n,
		       uint64_t *kicks)
{
	uint64_t start = musa_now_ns(), k = q->kicks;

	for (unsigned int i = 0; i < n; i++) {
		musa_queue_push(q, packet);
		musa_queue_commit(q);
	}
	spin_fence(q, musa_queue_fence(q));
	if (kicks)
		*kicks = q->kicks - k;
	return n / ((musa_now_ns() - start) / 1e9);
}

/*
 * One packet (or none) and a fence at a time, each waited for by spinning or by
 * sleeping in MUSA_IOCTL_WAIT: the average round trip in ns, 0 on failure.
 */
static double umq_round_trip_ns(struct musa_queue *q, const void *packet, unsigned int n,
				int sleep)
{
	uint64_t start = musa_now_ns(), seqno;

	for (unsigned int i = 0; i < n; i++) {
		if (packet)
			musa_queue_push(q, packet);
		seqno = musa_queue_fence(q);
		if (!sleep)
			spin_fence(q, seqno);
		else if (musa_queue_wait(q, seqno, 5000))
			return 0;
	}
	return (double)(musa_now_ns() - start) / n;
}

static int syncobj_wait(int fd, uint32_t handle)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&handle, .count_handles = 1,
		.timeout_nsec = (int64_t)(musa_now_ns() + 30000000000ull),
	};

	return musa_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

/*
 * n MUSA_IOCTL_SUBMITs of one packet. Pipelined (@sync 0): only the last one with a
 * syncobj, submissions per second. One at a time (@sync 1): each with the syncobj,
 * waited for, the average round trip in ns. 0 on failure.
 */
static double submit(int fd, const void *packet, unsigned int n, int sync)
{
	struct drm_syncobj_create c = { 0 };
	struct drm_musa_submit s = { .packets = (uintptr_t)packet, .num_packets = 1 };
	uint64_t start, ns;

	if (musa_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c))
		return 0;
	start = musa_now_ns();
	for (unsigned int i = 0; i < n; i++) {
		s.out_sync = sync || i == n - 1 ? c.handle : 0;
		if (musa_ioctl(fd, DRM_IOCTL_MUSA_SUBMIT, &s))
			return 0;
		if (sync && syncobj_wait(fd, c.handle))
			return 0;
	}
	if (!sync && syncobj_wait(fd, c.handle))
		return 0;
	ns = musa_now_ns() - start;
	return sync ? (double)ns / n : n / (ns / 1e9);
}

int main(int argc, char **argv)
{
	struct s5000_pkt_nop nop = { .header = S5000_PKT_HEADER(S5000_PKT_NOP, 0, 0) };
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : 2000, few = n / 4 + 1;
	struct s5000_pkt_kernel_launch launch;
	double mmio, bare, one_reg, rate;
	struct musa_bo code, buf;
	struct musa_queue q;
	uint64_t kicks;
	int fd = musa_open();

	if (fd < 0 || musa_queue_open(fd, 10, &q) || empty_kernel(fd, &code, &launch)) {
		fprintf(stderr, "musa_bench: no usable musa device\n");
		return 1;
	}
	printf("# musa_bench: %u iterations per figure\n", n);
	bare = get_param_ns(fd, MUSA_PARAM_UAPI_VERSION, n);
	one_reg = get_param_ns(fd, MUSA_PARAM_COMPUTE_UNITS, n);
	mmio = mmio_round_trip_ns(n);
	put("mmio_direct", mmio > 0);
	if (!mmio)
		mmio = one_reg > bare ? one_reg - bare : 1;
	put("mmio_round_trip_ns", mmio);
	put("get_param_ns", bare);

	umq_round_trip_ns(&q, &launch, 50, 0);	/* warm up: the code is decoded */
	rate = umq_rate(&q, &nop, n, &kicks);
	put("umq_nop_rate", rate);
	put("umq_nop_kicks_per_packet", (double)kicks / n);
	put("umq_launch_rate", umq_rate(&q, &launch, n, NULL));
	put("umq_fence_spin_ns", umq_round_trip_ns(&q, NULL, n, 0));
	put("umq_fence_wait_ns", umq_round_trip_ns(&q, NULL, few, 1));
	put("umq_launch_spin_ns", umq_round_trip_ns(&q, &launch, n, 0));
	put("umq_launch_wait_ns", umq_round_trip_ns(&q, &launch, few, 1));

	put("submit_nop_rate", submit(fd, &nop, n, 0));
	put("submit_launch_rate", submit(fd, &launch, n, 0));
	put("submit_launch_sync_ns", submit(fd, &launch, few, 1));

	/* Work long enough that WAIT really sleeps: a 1 MiB copy, spun on and slept on. */
	if (!musa_bo_new(fd, 2 << 20, MUSA_PLACEMENT_SYSTEM, 0, &buf)) {
		struct s5000_pkt_copy copy = musa_pkt_copy(buf.va, buf.va + (1 << 20), 1 << 20);

		put("umq_copy_1m_spin_ns", umq_round_trip_ns(&q, &copy, n / 20 + 1, 0));
		put("umq_copy_1m_wait_ns", umq_round_trip_ns(&q, &copy, n / 20 + 1, 1));
		musa_bo_free(fd, &buf);
	}
	musa_bo_free(fd, &code);
	musa_queue_close(&q);
	close(fd);
	return 0;
}
