// SPDX-License-Identifier: MIT
/*
 * musa_fault_injection_test: faults injected through the emulator's control port
 * (/dev/s5000-ctl0) while three worker processes run verified copies and kernels
 * (selftests/musa_workload.h): a hung queue, uncorrectable and corrected ECC
 * errors, a failed DMA, and the last two again where only the driver's own ring
 * meets them. Each time the affected context, and only it, gets its error; the
 * other contexts go on with verified data; a new context works; and all of it
 * within FI_BOUND_MS of the injection. The vanishing device is
 * solo/musa_vanish_workload_test (it ends the emulator).
 *
 * Prints "# reliability: test=fault-injection ..." at the end (docs/reliability.md).
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include "kselftest_harness.h"
#include "musa_reliability.h"
#include "musa_workload.h"

MUSA_RELIABILITY("fault-injection", "faults_injected affected_contexts detect_ms:max "
		 "recovery_ms:max recovery_ms_bound hang_ms ecc_ms dma_ms ecc_corrected_ms "
		 "kring_ecc_ms kring_dma_ms other_rounds data_errors unexpected_errors leaks "
		 "oopses emu_crashes")

#define FI_WORKERS		3
#define FI_HANG_TIMEOUT_MS	"1000"
/*
 * From the injection to the last of: the affected context has its error, every
 * other context has verified two more rounds, a new context has verified one. A
 * hang takes the hang timeout (1 s here) plus the watchdog's period; the rest take
 * an interrupt. The bound is generous: a 2-CPU guest under TCG, 4 busy processes.
 */
#define FI_BOUND_MS		10000

static const struct wl_config fi_config = { .streams = 2, .words = 16384 };

FIXTURE(faults)
{
	int kmsg;
	char saved_timeout[32];
	struct musa_usage base;
	struct wl_slot *slots;		/* FI_WORKERS, then one for a new context */
	volatile int *stop;
};

FIXTURE_SETUP(faults)
{
	FILE *f = fopen(MUSA_HANG_TIMEOUT_PARAM, "r");

	if (access("/dev/s5000-ctl0", F_OK))
		SKIP(return, "no emulator control port");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(self->saved_timeout, sizeof(self->saved_timeout), f));
	fclose(f);
	ASSERT_EQ(0, musa_write_file(MUSA_HANG_TIMEOUT_PARAM, FI_HANG_TIMEOUT_MS));
	self->kmsg = musa_kmsg_open();
	ASSERT_LE(0, self->kmsg);
	ASSERT_EQ(0, musa_usage_read(&self->base));
	self->slots = wl_slots(FI_WORKERS + 1, &self->stop);
	ASSERT_NE(NULL, self->slots);
	for (int i = 0; i < FI_WORKERS; i++)
		wl_spawn(&self->slots[i], &fi_config, self->stop, 0xfa17u + i);
	for (int i = 0; i < FI_WORKERS; i++) {
		ASSERT_EQ(0, wl_wait_rounds(&self->slots[i], 2, 60000))
			TH_LOG("worker %d: %s", i, self->slots[i].detail);
	}
}

FIXTURE_TEARDOWN(faults)
{
	char first[512], reply[64];
	int bugs, leaks;

	if (!self->slots)
		return;
	*self->stop = 1;
	for (int i = 0; i < FI_WORKERS; i++) {
		kill(self->slots[i].pid, SIGCONT);
		wl_reap(self->slots[i].pid, 30000);
		rel_add("data_errors", self->slots[i].data_errors);
	}
	musa_write_file(MUSA_HANG_TIMEOUT_PARAM, self->saved_timeout);
	leaks = musa_usage_settle(&self->base, 5000, first, sizeof(first));
	rel_add("leaks", leaks);
	EXPECT_EQ(0, leaks) TH_LOG("not back to where it was: %s", first);
	bugs = musa_kmsg_bugs(self->kmsg, first, sizeof(first));
	rel_add("oopses", bugs);
	EXPECT_EQ(0, bugs) TH_LOG("%s", first);
	if (musa_ctl("ping", reply, sizeof(reply)) || strcmp(reply, "pong"))
		rel_add("emu_crashes", 1);
	EXPECT_EQ(0, rel_get("emu_crashes"));
	close(self->kmsg);
}

static uint64_t fi_ms_since(uint64_t t0)
{
	return (musa_now_ns() - t0) / 1000000;
}

static int fi_inject(const char *cmd)
{
	char reply[128];

	if (musa_ctl(cmd, reply, sizeof(reply)) || strcmp(reply, "ok")) {
		rel_note("control port: %s: %s", cmd, reply);
		return -1;
	}
	return 0;
}

/* Waits until a worker has an error: its index, or -1 if none did within the bound. */
static int fi_wait_affected(struct wl_slot *slots, uint64_t t0)
{
	do {
		for (int i = 0; i < FI_WORKERS; i++)
			if (__atomic_load_n(&slots[i].error, __ATOMIC_ACQUIRE))
				return i;
		usleep(2000);
	} while (fi_ms_since(t0) < FI_BOUND_MS);
	return -1;
}

/* Every worker but @affected verifies two more rounds: 0, or -1. */
static int fi_others_go_on(struct wl_slot *slots, int affected)
{
	for (int i = 0; i < FI_WORKERS; i++) {
		uint64_t from = __atomic_load_n(&slots[i].rounds, __ATOMIC_ACQUIRE);

		if (i == affected)
			continue;
		if (wl_wait_rounds(&slots[i], from + 2, FI_BOUND_MS)) {
			rel_note("worker %d stopped: %s", i, slots[i].detail);
			return -1;
		}
		rel_add("other_rounds", 2);
	}
	return 0;
}

/* A context created now verifies a round: 0, or -1. */
static int fi_new_context_works(struct wl_slot *slot)
{
	static const struct wl_config once = { .streams = 2, .words = 16384, .max_rounds = 1 };
	static const volatile int never;
	int status = wl_reap(wl_spawn(slot, &once, &never, 0xc0ffee), FI_BOUND_MS);

	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		rel_note("a new context: status 0x%x: %s", status, slot->detail);
		return -1;
	}
	return 0;
}

/* Figures of one injection: key_ms is the recovery time. */
static void fi_record(const char *key, uint64_t detect_ms, uint64_t recovery_ms)
{
	char name[32];

	snprintf(name, sizeof(name), "%s_ms", key);
	rel_add("faults_injected", 1);
	rel_max("detect_ms", detect_ms);
	rel_max("recovery_ms", recovery_ms);
	rel_set(name, recovery_ms);
	rel_set("recovery_ms_bound", FI_BOUND_MS);
}

/*
 * After an injection at t0 that @expect says what the affected context gets
 * (musaSuccess: nobody is affected): exactly one worker (@victim, if >= 0) fails
 * with @expect, the others go on, a new context works, all within the bound.
 */
static void fi_expect_recovery(struct __test_metadata *_metadata, struct wl_slot *slots,
			       uint64_t t0, musaError_t expect, int victim, const char *key)
{
	uint64_t detect_ms = 0;
	int affected = -1, failed = 0;

	if (expect) {
		affected = fi_wait_affected(slots, t0);
		ASSERT_LE(0, affected) TH_LOG("no context got an error in %d ms", FI_BOUND_MS);
		detect_ms = (slots[affected].error_ns - t0) / 1000000;
		rel_add("affected_contexts", 1);
		EXPECT_EQ(expect, (musaError_t)slots[affected].error) TH_LOG("%s",
									    slots[affected].detail);
		if (victim >= 0) {
			EXPECT_EQ(victim, affected);
		}
	} else {
		usleep(300000);
	}
	EXPECT_EQ(0, fi_others_go_on(slots, affected));
	EXPECT_EQ(0, fi_new_context_works(&slots[FI_WORKERS]));
	for (int i = 0; i < FI_WORKERS; i++)
		failed += i != affected && slots[i].error;
	rel_add("unexpected_errors", failed);
	EXPECT_EQ(0, failed) TH_LOG("a context that met no fault failed");
	for (int i = 0; i <= FI_WORKERS; i++) {
		EXPECT_EQ(0, slots[i].data_errors) TH_LOG("worker %d", i);
	}
	fi_record(key, detect_ms, fi_ms_since(t0));
	EXPECT_GE(FI_BOUND_MS, fi_ms_since(t0));
	rel_note("%s: error after %llu ms, recovered after %llu ms", key,
		 (unsigned long long)detect_ms, (unsigned long long)fi_ms_since(t0));
}

TEST_F_TIMEOUT(faults, hung_queue_fails_only_its_context, 90)
{
	struct musa_hwq q[S5000_MAX_QUEUES];
	int n = musa_hwq_list(q, S5000_MAX_QUEUES), hung = 0;
	char cmd[32];
	uint64_t t0 = musa_now_ns();

	for (int i = 0; i < n; i++) {
		if (q[i].pid != self->slots[0].pid || strcmp(q[i].kind, "user"))
			continue;
		snprintf(cmd, sizeof(cmd), "hang %u", q[i].hwid);
		ASSERT_EQ(0, fi_inject(cmd));
		hung++;
	}
	ASSERT_LT(0, hung) TH_LOG("worker 0 has no queue in debugfs");
	fi_expect_recovery(_metadata, self->slots, t0, musaErrorLaunchTimeout, 0, "hang");
}

TEST_F_TIMEOUT(faults, uncorrectable_ecc_error_fails_the_context_that_meets_it, 90)
{
	uint64_t t0 = musa_now_ns();

	ASSERT_EQ(0, fi_inject("ecc uncorrected"));
	fi_expect_recovery(_metadata, self->slots, t0, musaErrorECCUncorrectable, -1, "ecc");
}

TEST_F_TIMEOUT(faults, failed_dma_fails_the_context_that_meets_it, 90)
{
	uint64_t t0 = musa_now_ns();

	ASSERT_EQ(0, fi_inject("dma-fail"));
	fi_expect_recovery(_metadata, self->slots, t0, musaErrorIllegalAddress, -1, "dma");
}

static int fi_telemetry(struct drm_musa_telemetry *t)
{
	struct drm_musa_query q = {
		.query = MUSA_QUERY_TELEMETRY, .size = sizeof(*t), .data = (uintptr_t)t,
	};
	int fd = musa_open(), ret;

	if (fd < 0)
		return -errno;
	ret = musa_ioctl(fd, DRM_IOCTL_MUSA_QUERY, &q);
	close(fd);
	return ret;
}

TEST_F_TIMEOUT(faults, corrected_ecc_error_is_counted_and_harms_nobody, 90)
{
	struct drm_musa_telemetry before, after;
	uint64_t t0;

	ASSERT_EQ(0, fi_telemetry(&before));
	t0 = musa_now_ns();
	ASSERT_EQ(0, fi_inject("ecc corrected"));
	fi_expect_recovery(_metadata, self->slots, t0, musaSuccess, -1, "ecc_corrected");
	ASSERT_EQ(0, fi_telemetry(&after));
	EXPECT_EQ(before.ecc_corrected + 1, after.ecc_corrected);
	EXPECT_EQ(before.ecc_uncorrected, after.ecc_uncorrected);
}

/* Stops the workers and waits until their queues are idle: the next access is ours. */
static int fi_pause_workers(struct wl_slot *slots)
{
	struct musa_hwq q[S5000_MAX_QUEUES];
	uint64_t deadline = musa_now_ns() + 5000000000ull;
	int busy, n;

	for (int i = 0; i < FI_WORKERS; i++)
		kill(slots[i].pid, SIGSTOP);
	do {
		usleep(10000);
		n = musa_hwq_list(q, S5000_MAX_QUEUES);
		busy = n < 0;
		for (int i = 0; i < n; i++)
			busy += q[i].rptr != q[i].wptr;
	} while (busy && musa_now_ns() < deadline);
	return busy ? -1 : 0;
}

static void fi_resume_workers(struct wl_slot *slots)
{
	for (int i = 0; i < FI_WORKERS; i++)
		kill(slots[i].pid, SIGCONT);
}

/*
 * The driver's own ring meets the fault while it clears VRAM for a new object:
 * that allocation fails with -EIO, the ring restarts, the next allocation works,
 * and the workers (paused meanwhile, so that the ring's access is the next) go on.
 */
static void fi_kernel_ring_meets(struct __test_metadata *_metadata, struct wl_slot *slots,
				 const char *cmd, const char *key)
{
	uint64_t t0, detect_ms;
	struct musa_bo bo;
	int fd = musa_open(), ret;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fi_pause_workers(slots)) TH_LOG("workers' queues did not go idle");
	t0 = musa_now_ns();
	ASSERT_EQ(0, fi_inject(cmd));
	ret = musa_bo_new(fd, 65536, MUSA_PLACEMENT_VRAM, 0, &bo);
	detect_ms = fi_ms_since(t0);
	EXPECT_EQ(-EIO, ret) TH_LOG("the allocation that met the fault");
	if (!ret)
		musa_gem_close(fd, bo.handle);
	rel_add("affected_contexts", 1);
	do {
		usleep(10000);
		ret = musa_bo_new(fd, 65536, MUSA_PLACEMENT_VRAM, 0, &bo);
	} while (ret == -EIO && fi_ms_since(t0) < FI_BOUND_MS);
	EXPECT_EQ(0, ret) TH_LOG("allocations after the kernel's ring recovered");
	if (!ret)
		musa_gem_close(fd, bo.handle);
	close(fd);
	fi_resume_workers(slots);
	fi_expect_recovery(_metadata, slots, t0, musaSuccess, -1, key);
	rel_max("detect_ms", detect_ms);
}

TEST_F_TIMEOUT(faults, ecc_error_in_the_kernel_ring_fails_one_allocation, 90)
{
	fi_kernel_ring_meets(_metadata, self->slots, "ecc uncorrected", "kring_ecc");
}

TEST_F_TIMEOUT(faults, failed_dma_in_the_kernel_ring_fails_one_allocation, 90)
{
	fi_kernel_ring_meets(_metadata, self->slots, "dma-fail", "kring_dma");
}

TEST_HARNESS_MAIN
