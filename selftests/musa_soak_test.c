// SPDX-License-Identifier: MIT
/*
 * musa_soak_test: several processes with several streams each run copies, kernel
 * launches and events for a bounded time while workers are killed at random
 * (SIGKILL) and replaced; every word that comes back is verified. Afterwards
 * everything the driver holds (memory objects, queues, contexts, VRAM) is back
 * where it was, no worker's file grew (fdinfo), and musa.ko unloads and loads
 * again several times with the device working after each.
 *
 * MUSA_SOAK_SECONDS sets the duration (default 30), MUSA_SOAK_PROCESSES the
 * workers (default 4). Prints "# reliability: test=soak ..." at the end
 * (docs/reliability.md). Runs as root inside a musa-vm guest; prints TAP.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "musa_reliability.h"
#include "musa_workload.h"

MUSA_RELIABILITY("soak", "seconds processes streams kills rounds launches copies events "
		 "allocations data_errors worker_failures leaks fdinfo_leaks unload_cycles "
		 "oopses emu_crashes")

#define SOAK_STREAMS		3
#define SOAK_WORDS		16384
#define SOAK_MAX_PROCESSES	16
#define SOAK_UNLOAD_CYCLES	3

static int soak_env(const char *name, int fallback, int max)
{
	const char *v = getenv(name);
	int n = v ? atoi(v) : 0;

	return n > 0 && n <= max ? n : fallback;
}

static int soak_seconds(void)
{
	return soak_env("MUSA_SOAK_SECONDS", 30, 24 * 3600);
}

static const struct wl_config soak_config = {
	.streams = SOAK_STREAMS, .words = SOAK_WORDS, .churn = 1,
};

/* What a worker did, into the totals, before its slot is used again. */
static void soak_account(const struct wl_slot *slot)
{
	rel_add("rounds", slot->rounds);
	rel_add("launches", slot->launches);
	rel_add("copies", slot->copies);
	rel_add("events", slot->events);
	rel_add("allocations", slot->allocations);
	rel_add("data_errors", slot->data_errors);
}

/* A worker that ended by itself before the end: say why, count it. */
static void soak_failed(const struct wl_slot *slot, int status)
{
	rel_note("worker %d ended with status 0x%x after %llu rounds: %s", slot->pid, status,
		 (unsigned long long)slot->rounds, slot->error ? slot->detail : "no error");
	rel_add("worker_failures", 1);
}

static unsigned int soak_seed(int i, int generation)
{
	return 0x50a1u * (unsigned int)(i + 1) + 7919u * (unsigned int)generation;
}

/*
 * Runs the workers until the deadline, killing one at a random moment every one
 * to four seconds and starting another in its place.
 */
static void soak_run(struct wl_slot *slots, int n, volatile int *stop, int seconds)
{
	uint64_t now = musa_now_ns(), end = now + seconds * 1000000000ull;
	uint64_t next_kill = now + (1000 + rand() % 3000) * 1000000ull;
	int status, generation = 0;

	for (int i = 0; i < n; i++)
		wl_spawn(&slots[i], &soak_config, stop, soak_seed(i, generation));
	while ((now = musa_now_ns()) < end) {
		for (int i = 0; i < n; i++) {
			if (waitpid(slots[i].pid, &status, WNOHANG) != slots[i].pid)
				continue;
			soak_failed(&slots[i], status);
			soak_account(&slots[i]);
			wl_spawn(&slots[i], &soak_config, stop, soak_seed(i, ++generation));
		}
		if (now >= next_kill) {
			int i = rand() % n;

			kill(slots[i].pid, SIGKILL);
			waitpid(slots[i].pid, &status, 0);
			rel_add("kills", 1);
			soak_account(&slots[i]);
			wl_spawn(&slots[i], &soak_config, stop, soak_seed(i, ++generation));
			next_kill = now + (1000 + rand() % 3000) * 1000000ull;
		}
		usleep(20000);
	}
	*stop = 1;
	for (int i = 0; i < n; i++) {
		status = wl_reap(slots[i].pid, 60000);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			soak_failed(&slots[i], status);
		if (slots[i].fdinfo_growth) {
			rel_note("worker %d: its file grew by %lld KiB", slots[i].pid,
				 slots[i].fdinfo_growth);
			rel_add("fdinfo_leaks", 1);
		}
		soak_account(&slots[i]);
	}
}

/* One worker in a fresh process: two verified rounds. */
static int soak_device_works(void)
{
	static const struct wl_config once = {
		.streams = SOAK_STREAMS, .words = SOAK_WORDS, .churn = 1, .max_rounds = 2,
	};
	volatile int *stop;
	struct wl_slot *slot = wl_slots(1, &stop);
	int status, ret;

	if (!slot)
		return -1;
	*stop = 0;
	status = wl_reap(wl_spawn(slot, &once, stop, 0x1234), 60000);
	ret = WIFEXITED(status) && !WEXITSTATUS(status) && slot->rounds == 2 ? 0 : -1;
	if (ret)
		rel_note("a fresh worker after reloading: %s", slot->error ? slot->detail :
			 "no error, too few rounds");
	munmap(slot, sizeof(*slot) + sizeof(int));
	return ret;
}

/* Unloads musa.ko, once the last file of an exited process has let go of it. */
static int soak_unload(void)
{
	uint64_t deadline = musa_now_ns() + 5000000000ull;
	int ret;

	while ((ret = musa_module_unload()) == -EAGAIN || ret == -EBUSY) {
		if (musa_now_ns() > deadline)
			break;
		usleep(20000);
	}
	return ret;
}

FIXTURE(soak)
{
	int kmsg;
	struct musa_usage base;
};

FIXTURE_SETUP(soak)
{
	self->kmsg = musa_kmsg_open();
	ASSERT_LE(0, self->kmsg);
	ASSERT_EQ(0, musa_usage_read(&self->base)) TH_LOG("debugfs objects, queues, vms");
}

FIXTURE_TEARDOWN(soak)
{
	char first[512], reply[64];
	int bugs = musa_kmsg_bugs(self->kmsg, first, sizeof(first));

	rel_add("oopses", bugs);
	EXPECT_EQ(0, bugs) TH_LOG("%s", first);
	if (!access("/dev/s5000-ctl0", F_OK) &&
	    (musa_ctl("ping", reply, sizeof(reply)) || strcmp(reply, "pong")))
		rel_add("emu_crashes", 1);
	EXPECT_EQ(0, rel_get("emu_crashes"));
	close(self->kmsg);
}

TEST_F_TIMEOUT(soak, workers_killed_at_random_then_module_reloaded, soak_seconds() + 240)
{
	int n = soak_env("MUSA_SOAK_PROCESSES", 4, SOAK_MAX_PROCESSES), seconds = soak_seconds();
	struct musa_usage reloaded = { 0 }, now;
	struct wl_slot *slots;
	volatile int *stop;
	char ko[512], what[512];
	int leaks;

	ASSERT_EQ(0, musa_module_path(ko, sizeof(ko))) TH_LOG("no module path: set MUSA_KO");
	slots = wl_slots(n, &stop);
	ASSERT_NE(NULL, slots);
	srand((unsigned int)musa_now_ns());
	rel_set("seconds", seconds);
	rel_set("processes", n);
	rel_set("streams", n * SOAK_STREAMS);

	soak_run(slots, n, stop, seconds);
	EXPECT_EQ(0, rel_get("data_errors"));
	EXPECT_EQ(0, rel_get("worker_failures"));
	EXPECT_EQ(0, rel_get("fdinfo_leaks"));
	EXPECT_LT(0, rel_get("rounds"));

	leaks = musa_usage_settle(&self->base, 5000, what, sizeof(what));
	rel_add("leaks", leaks);
	EXPECT_EQ(0, leaks) TH_LOG("not back to where it was: %s", what);

	for (int i = 0; i < SOAK_UNLOAD_CYCLES; i++) {
		ASSERT_EQ(0, soak_unload()) TH_LOG("unload %d", i);
		ASSERT_EQ(0, musa_module_load(ko, "")) TH_LOG("load %d: %s", i, ko);
		ASSERT_EQ(0, soak_device_works()) TH_LOG("after load %d", i);
		/* A fresh driver holds the same after each reload, once the worker is gone. */
		ASSERT_EQ(0, musa_usage_read(&now));
		if (!i)
			reloaded = now;
		leaks = musa_usage_settle(&reloaded, 5000, what, sizeof(what));
		rel_add("leaks", leaks);
		EXPECT_EQ(0, leaks) TH_LOG("reload %d: %s", i, what);
		rel_add("unload_cycles", 1);
	}
}

TEST_HARNESS_MAIN
