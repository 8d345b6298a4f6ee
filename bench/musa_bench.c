// SPDX-License-Identifier: MIT
/*
 * musa_bench: what submission and waiting cost, against one trapped MMIO round
 * trip measured in the same run (a read of the device's scratch register through
 * a sysfs mapping of BAR0, which the VMM forwards to the emulator).
 *
 *   - submissions per second through a user-mode queue (packets and the write
 *     index in memory, a kick only when the command processor sleeps), pipelined
 *     and one at a time;
 *   - submissions per second through MUSA_IOCTL_SUBMIT (drm_sched and a syncobj);
 *   - the latency of MUSA_IOCTL_WAIT for a packet's interrupt, and of spinning on
 *     the value in memory instead.
 *
 * Every figure is also printed as a multiple of the MMIO round trip. Not a test:
 * it asserts nothing and exits 0 unless the device cannot be used.
 *
 * Kernels with CONFIG_IO_STRICT_DEVMEM (Debian's) refuse the sysfs mapping while
 * musa.ko owns BAR0 unless booted with iomem=relaxed; the MMIO round trip is then
 * taken as the difference between a GET_PARAM that reads one register and one
 * that reads none.
 *
 * Usage (in a musa-vm guest): musa_bench [ITERATIONS]
 *   tools/musa-vm --append iomem=relaxed -- build/bench/musa_bench
 */
#include "musa_test.h"

/* Average cost of one trapped register read from user space, in ns; 0 if refused. */
static uint64_t mmio_round_trip_ns(unsigned int n)
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
	return start / n;
}

static uint64_t get_param_ns(int fd, uint32_t param, unsigned int n)
{
	uint64_t start = musa_now_ns();

	for (unsigned int i = 0; i < n; i++)
		musa_param(fd, param);
	return (musa_now_ns() - start) / n;
}

/* Spins on the queue's fence word until it reaches seqno. */
static void spin_fence(struct musa_queue *q, uint64_t seqno)
{
	while (__atomic_load_n(q->fence, __ATOMIC_ACQUIRE) < seqno)
		;
}

/* n NOPs, each published on its own, then one fence: submissions per second. */
static double umq_pipelined(struct musa_queue *q, unsigned int n, uint64_t *kicks)
{
	struct s5000_pkt_nop nop = { .header = S5000_PKT_HEADER(S5000_PKT_NOP, 0, 0) };
	uint64_t start = musa_now_ns(), k = q->kicks;

	for (unsigned int i = 0; i < n; i++) {
		musa_queue_push(q, &nop);
		musa_queue_commit(q);
	}
	spin_fence(q, musa_queue_fence(q));
	*kicks = q->kicks - k;
	return n / ((musa_now_ns() - start) / 1e9);
}

/* One fence at a time, each waited for by spinning: round trips per second. */
static double umq_round_trips(struct musa_queue *q, unsigned int n)
{
	uint64_t start = musa_now_ns();

	for (unsigned int i = 0; i < n; i++)
		spin_fence(q, musa_queue_fence(q));
	return n / ((musa_now_ns() - start) / 1e9);
}

/* One fence at a time, each waited for with MUSA_IOCTL_WAIT: latency in ns. */
static uint64_t wait_latency_ns(struct musa_queue *q, unsigned int n)
{
	uint64_t start = musa_now_ns();

	for (unsigned int i = 0; i < n; i++)
		if (musa_queue_wait(q, musa_queue_fence(q), 5000))
			return 0;
	return (musa_now_ns() - start) / n;
}

/*
 * Work long enough that MUSA_IOCTL_WAIT really sleeps (a 1 MiB copy), then a fence:
 * the average round trip with the CPU spinning on the fence or sleeping in WAIT.
 */
static uint64_t copy_round_trip_ns(struct musa_queue *q, struct musa_bo *bo, unsigned int n,
				   int sleep)
{
	struct s5000_pkt_copy copy = musa_pkt_copy(bo->va, bo->va + (1 << 20), 1 << 20);
	uint64_t start = musa_now_ns(), seqno;

	for (unsigned int i = 0; i < n; i++) {
		musa_queue_push(q, &copy);
		seqno = musa_queue_fence(q);
		if (!sleep)
			spin_fence(q, seqno);
		else if (musa_queue_wait(q, seqno, 5000))
			return 0;
	}
	return (musa_now_ns() - start) / n;
}

/* n kernel submissions of one NOP, the last with a syncobj: submissions per second. */
static double submit_rate(int fd, unsigned int n)
{
	struct s5000_pkt_nop nop = { .header = S5000_PKT_HEADER(S5000_PKT_NOP, 0, 0) };
	struct drm_syncobj_create c = { 0 };
	struct drm_musa_submit s = { .packets = (uintptr_t)&nop, .num_packets = 1 };
	struct drm_syncobj_wait w = { .count_handles = 1 };
	uint64_t start;

	if (musa_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c))
		return 0;
	start = musa_now_ns();
	for (unsigned int i = 0; i < n; i++) {
		s.out_sync = i == n - 1 ? c.handle : 0;
		if (musa_ioctl(fd, DRM_IOCTL_MUSA_SUBMIT, &s))
			return 0;
	}
	w.handles = (uintptr_t)&c.handle;
	w.timeout_nsec = (int64_t)(musa_now_ns() + 30000000000ull);
	if (musa_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w))
		return 0;
	return n / ((musa_now_ns() - start) / 1e9);
}

static void line(const char *what, double us, double mmio_us)
{
	printf("%-52s %10.2f us  %8.2f x MMIO\n", what, us, us / mmio_us);
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : 2000;
	uint64_t mmio, kicks, bare, one_reg, spun, slept;
	double rate, mmio_us;
	struct musa_queue q;
	struct musa_bo bo;
	int fd = musa_open();

	if (fd < 0 || musa_queue_open(fd, 10, &q)) {
		fprintf(stderr, "musa_bench: no usable musa device\n");
		return 1;
	}
	bare = get_param_ns(fd, MUSA_PARAM_UAPI_VERSION, n);
	one_reg = get_param_ns(fd, MUSA_PARAM_COMPUTE_UNITS, n);
	mmio = mmio_round_trip_ns(n);
	printf("musa_bench: %u iterations per figure; costs per operation\n", n);
	if (mmio) {
		printf("MMIO round trip: a read of S5000_REG_SCRATCH through BAR0\n");
	} else {
		mmio = one_reg > bare ? one_reg - bare : 1;
		printf("MMIO round trip: GET_PARAM with one register read minus without "
		       "(boot with iomem=relaxed to time it directly)\n");
	}
	mmio_us = mmio / 1000.0;
	line("trapped MMIO round trip (register read)", mmio_us, mmio_us);
	line("GET_PARAM, no register (system call only)", bare / 1000.0, mmio_us);
	line("GET_PARAM reading one register", one_reg / 1000.0, mmio_us);

	umq_round_trips(&q, 50);	/* warm up */
	rate = umq_pipelined(&q, n, &kicks);
	line("user-mode queue submission, pipelined", 1e6 / rate, mmio_us);
	printf("    %.0f submissions/s, %llu kicks for %u submissions\n", rate,
	       (unsigned long long)kicks, n);
	rate = umq_round_trips(&q, n);
	line("user-mode queue round trip, CPU spins on the fence", 1e6 / rate, mmio_us);
	printf("    %.0f round trips/s\n", rate);
	rate = submit_rate(fd, n);
	line("SUBMIT ioctl submission (drm_sched, syncobj)", rate ? 1e6 / rate : 0, mmio_us);
	printf("    %.0f submissions/s\n", rate);
	line("WAIT ioctl round trip (short work)",
	     wait_latency_ns(&q, n / 4 ? n / 4 : 1) / 1000.0, mmio_us);
	if (!musa_bo_new(fd, 2 << 20, MUSA_PLACEMENT_SYSTEM, 0, &bo)) {
		spun = copy_round_trip_ns(&q, &bo, n / 20 + 1, 0);
		slept = copy_round_trip_ns(&q, &bo, n / 20 + 1, 1);
		line("1 MiB copy + fence, CPU spins", spun / 1000.0, mmio_us);
		line("1 MiB copy + fence, CPU sleeps in WAIT", slept / 1000.0, mmio_us);
		line("  wake-up cost of WAIT (interrupt) over spinning",
		     ((double)slept - (double)spun) / 1000.0, mmio_us);
	}
	musa_queue_close(&q);
	close(fd);
	return 0;
}
