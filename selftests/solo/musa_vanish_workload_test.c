// SPDX-License-Identifier: MIT
/*
 * musa_vanish_workload_test: the emulator drops off the bus (the control port's
 * "vanish") while three worker processes run verified copies and kernels
 * (selftests/musa_workload.h). Every worker gets an error from its next call and
 * exits, none hangs, none saw wrong data before; the node goes away, musa.ko
 * unloads, and the kernel log stays clean, all within VANISH_BOUND_MS.
 *
 * Kills the emulator: run it alone in its own VM (tools/run-tests does). Prints
 * "# reliability: test=vanish ..." at the end (docs/reliability.md).
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include "kselftest_harness.h"
#include "musa_reliability.h"
#include "musa_workload.h"

MUSA_RELIABILITY("vanish", "faults_injected contexts contexts_failed detect_ms:max "
		 "exit_ms:max unload_ms recovery_ms_bound rounds data_errors oopses")

#define VANISH_WORKERS		3
/* Generous: the watchdog notices a silent device within its 100 ms period. */
#define VANISH_BOUND_MS		10000

static const struct wl_config vanish_config = { .streams = 2, .words = 16384 };

static uint64_t vanish_ms_since(uint64_t t0)
{
	return (musa_now_ns() - t0) / 1000000;
}

/* Waits until every worker has an error; 0, or -1 past the bound. */
static int vanish_all_failed(struct wl_slot *slots, uint64_t t0)
{
	int failed;

	do {
		failed = 0;
		for (int i = 0; i < VANISH_WORKERS; i++)
			failed += __atomic_load_n(&slots[i].error, __ATOMIC_ACQUIRE) != 0;
		if (failed == VANISH_WORKERS)
			return 0;
		usleep(2000);
	} while (vanish_ms_since(t0) < VANISH_BOUND_MS);
	return -1;
}

FIXTURE(vanish) {};
FIXTURE_SETUP(vanish) {}
FIXTURE_TEARDOWN(vanish) {}

TEST_F_TIMEOUT(vanish, under_load_fails_every_context_and_nothing_else, 120)
{
	char reply[128], first[512], path[300];
	int kmsg = musa_kmsg_open(), status;
	volatile int *stop;
	struct wl_slot *slots = wl_slots(VANISH_WORKERS, &stop);
	uint64_t t0;

	ASSERT_LE(0, kmsg);
	ASSERT_NE(NULL, slots);
	rel_set("recovery_ms_bound", VANISH_BOUND_MS);
	for (int i = 0; i < VANISH_WORKERS; i++)
		wl_spawn(&slots[i], &vanish_config, stop, 0x7a51u + i);
	for (int i = 0; i < VANISH_WORKERS; i++) {
		ASSERT_EQ(0, wl_wait_rounds(&slots[i], 2, 60000)) TH_LOG("%s", slots[i].detail);
	}
	rel_set("contexts", VANISH_WORKERS);

	t0 = musa_now_ns();
	ASSERT_EQ(0, musa_ctl("vanish", reply, sizeof(reply)));
	ASSERT_STREQ("ok", reply);
	rel_add("faults_injected", 1);
	EXPECT_EQ(0, vanish_all_failed(slots, t0));
	for (int i = 0; i < VANISH_WORKERS; i++) {
		int err = slots[i].error;

		if (err)
			rel_max("detect_ms", (slots[i].error_ns - t0) / 1000000);
		rel_add("contexts_failed", err != 0);
		EXPECT_TRUE(err == musaErrorLaunchFailure || err == musaErrorDevicesUnavailable)
			TH_LOG("worker %d: %s", i, slots[i].detail);
		status = wl_reap(slots[i].pid, VANISH_BOUND_MS);
		EXPECT_TRUE(WIFEXITED(status)) TH_LOG("worker %d did not exit by itself", i);
		rel_max("exit_ms", vanish_ms_since(t0));
		rel_add("rounds", slots[i].rounds);
		rel_add("data_errors", slots[i].data_errors);
		EXPECT_EQ(0, slots[i].data_errors);
	}

	for (int i = 0; i < 500 && !musa_node_path(0, path, sizeof(path)); i++)
		usleep(10000);
	EXPECT_NE(0, musa_node_path(0, path, sizeof(path))) TH_LOG("the node is still there");
	t0 = musa_now_ns();
	EXPECT_EQ(0, musa_module_unload()) TH_LOG("unload: %s", strerror(errno));
	rel_set("unload_ms", vanish_ms_since(t0));
	EXPECT_GE(VANISH_BOUND_MS, vanish_ms_since(t0));
	rel_add("oopses", musa_kmsg_bugs(kmsg, first, sizeof(first)));
	EXPECT_EQ(0, rel_get("oopses")) TH_LOG("%s", first);
}

TEST_HARNESS_MAIN
