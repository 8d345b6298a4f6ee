/* SPDX-License-Identifier: MIT */
/*
 * A verified GPU workload for the reliability tests (soak, fault injection, a
 * vanishing device), run by worker processes, each with its own context and
 * several streams. Every round, on every stream, a worker writes a pattern into
 * pinned host memory, copies it to the device, runs a kernel that checks it word
 * by word and writes a transform of it, records events (the next stream waits for
 * one), copies the result device to device and back, and checks every word and
 * the kernel's mismatch count on the host.
 *
 * Workers report through a slot in shared memory: rounds, copies, launches and
 * events done, words that came back wrong, and the first error a call returned
 * with its time. The caller forks them (wl_spawn) from a process that has not
 * used libmusa: the harness's test process, never a worker.
 *
 * The kernels are selftests/kernels/reliability.mu, embedded as reliability_image.
 */
#ifndef MUSA_WORKLOAD_H
#define MUSA_WORKLOAD_H

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kernels/reliability.h"
#include "musa.h"
#include "musa_runtime.h"
#include "musa_test.h"

extern const unsigned char reliability_image[];

#define WL_MAX_STREAMS	4
#define WL_BLOCK	256

struct wl_config {
	int streams;		/* 1..WL_MAX_STREAMS */
	unsigned int words;	/* 32-bit words per buffer, a multiple of WL_BLOCK */
	int churn;		/* also allocate, clear and free device memory each round */
	uint64_t max_rounds;	/* stop after this many rounds; 0: only when told */
};

/* What one worker did, in memory shared with the process that started it. */
struct wl_slot {
	pid_t pid;
	unsigned int seed;
	uint64_t rounds;	/* verified rounds */
	uint64_t copies, launches, events, allocations;
	uint64_t data_errors;	/* words that came back wrong */
	uint64_t last_ns;	/* when the last round was verified (musa_now_ns) */
	int error;		/* the first musaError_t a call returned, or 0 */
	uint64_t error_ns;	/* when */
	char detail[200];	/* libmusa's detail string for it */
	long long fdinfo_growth;	/* KiB the file's memory grew from round 1 to the end */
};

/* Everything one worker process uses. */
struct wl_worker {
	struct wl_slot *slot;
	const struct wl_config *cfg;
	MUfunction check;
	musaStream_t stream[WL_MAX_STREAMS];
	musaEvent_t start[WL_MAX_STREAMS], done[WL_MAX_STREAMS];
	unsigned int *d_in[WL_MAX_STREAMS], *d_out[WL_MAX_STREAMS], *d_copy[WL_MAX_STREAMS];
	unsigned int *d_err[WL_MAX_STREAMS];
	unsigned int *h_in[WL_MAX_STREAMS], *h_out[WL_MAX_STREAMS], *h_err[WL_MAX_STREAMS];
	unsigned int seed[WL_MAX_STREAMS];
};

/* Records the first error; returns it. */
static inline musaError_t wl_fail(struct wl_slot *slot, musaError_t err)
{
	if (err && !slot->error) {
		slot->error_ns = musa_now_ns();
		snprintf(slot->detail, sizeof(slot->detail), "%s: %s", musaGetErrorName(err),
			 musaGetLastErrorDetail());
		__atomic_store_n(&slot->error, (int)err, __ATOMIC_RELEASE);
	}
	return err;
}

#define WL_TRY(w, call) do {							\
	musaError_t e_ = (call);						\
	if (e_)									\
		return wl_fail((w)->slot, e_);					\
} while (0)

static inline musaError_t wl_setup(struct wl_worker *w)
{
	size_t bytes = (size_t)w->cfg->words * 4;
	MUmodule mod;

	WL_TRY(w, musaFree(NULL));
	if (muInit(0) || muModuleLoadData(&mod, reliability_image) ||
	    muModuleGetFunction(&w->check, mod, "rel_check"))
		return wl_fail(w->slot, musaErrorInvalidKernelImage);
	for (int s = 0; s < w->cfg->streams; s++) {
		WL_TRY(w, musaStreamCreateWithFlags(&w->stream[s], musaStreamNonBlocking));
		WL_TRY(w, musaEventCreate(&w->start[s]));
		WL_TRY(w, musaEventCreate(&w->done[s]));
		WL_TRY(w, musaMalloc((void **)&w->d_in[s], bytes));
		WL_TRY(w, musaMalloc((void **)&w->d_out[s], bytes));
		WL_TRY(w, musaMalloc((void **)&w->d_copy[s], bytes));
		WL_TRY(w, musaMalloc((void **)&w->d_err[s], 4));
		WL_TRY(w, musaMallocHost((void **)&w->h_in[s], bytes));
		WL_TRY(w, musaMallocHost((void **)&w->h_out[s], bytes));
		WL_TRY(w, musaMallocHost((void **)&w->h_err[s], 4));
	}
	return musaSuccess;
}

/* Queues one stream's share of a round. */
static inline musaError_t wl_queue_stream(struct wl_worker *w, int s, uint64_t round)
{
	unsigned int n = w->cfg->words, seed = w->slot->seed ^ (unsigned int)(round * 977 + s);
	musaStream_t st = w->stream[s];
	size_t bytes = (size_t)n * 4;
	void *args[] = { &w->d_in[s], &w->d_out[s], &seed, &n, &w->d_err[s] };

	w->seed[s] = seed;
	for (unsigned int i = 0; i < n; i++)
		w->h_in[s][i] = rel_word(seed, i);
	memset(w->h_out[s], 0, bytes);
	*w->h_err[s] = ~0u;
	WL_TRY(w, musaEventRecord(w->start[s], st));
	WL_TRY(w, musaMemsetAsync(w->d_err[s], 0, 4, st));
	WL_TRY(w, musaMemcpyAsync(w->d_in[s], w->h_in[s], bytes, musaMemcpyHostToDevice, st));
	WL_TRY(w, musaLaunchKernel((const void *)w->check, (dim3){ n / WL_BLOCK, 1, 1 },
				   (dim3){ WL_BLOCK, 1, 1 }, args, 0, st));
	WL_TRY(w, musaEventRecord(w->done[s], st));
	/* The next stream's work of this round starts after this kernel. */
	WL_TRY(w, musaStreamWaitEvent(w->stream[(s + 1) % w->cfg->streams], w->done[s], 0));
	WL_TRY(w, musaMemcpyAsync(w->d_copy[s], w->d_out[s], bytes, musaMemcpyDeviceToDevice, st));
	WL_TRY(w, musaMemcpyAsync(w->h_out[s], w->d_copy[s], bytes, musaMemcpyDeviceToHost, st));
	WL_TRY(w, musaMemcpyAsync(w->h_err[s], w->d_err[s], 4, musaMemcpyDeviceToHost, st));
	w->slot->copies += 4;
	w->slot->launches++;
	w->slot->events += 2;
	return musaSuccess;
}

/* Waits for one stream and checks what came back: the bad words, or an error. */
static inline musaError_t wl_check_stream(struct wl_worker *w, int s)
{
	unsigned int bad = 0;
	float ms = -1;

	WL_TRY(w, musaStreamSynchronize(w->stream[s]));
	WL_TRY(w, musaEventQuery(w->done[s]));
	WL_TRY(w, musaEventElapsedTime(&ms, w->start[s], w->done[s]));
	if (ms < 0)
		bad++;
	for (unsigned int i = 0; i < w->cfg->words; i++)
		bad += w->h_out[s][i] != rel_mix(rel_word(w->seed[s], i), i);
	bad += *w->h_err[s];
	w->slot->data_errors += bad;
	return musaSuccess;
}

/* Device memory that comes and goes: the allocator and the VRAM clear under load. */
static inline musaError_t wl_churn(struct wl_worker *w, uint64_t round)
{
	size_t bytes = 4096 << (round % 5);
	void *p;

	WL_TRY(w, musaMalloc(&p, bytes));
	WL_TRY(w, musaMemsetAsync(p, (int)round, bytes, w->stream[0]));
	WL_TRY(w, musaStreamSynchronize(w->stream[0]));
	WL_TRY(w, musaFree(p));
	w->slot->allocations++;
	return musaSuccess;
}

static inline musaError_t wl_round(struct wl_worker *w, uint64_t round)
{
	for (int s = 0; s < w->cfg->streams; s++)
		WL_TRY(w, wl_queue_stream(w, s, round));
	for (int s = 0; s < w->cfg->streams; s++)
		WL_TRY(w, wl_check_stream(w, s));
	if (w->cfg->churn)
		WL_TRY(w, wl_churn(w, round));
	__atomic_store_n(&w->slot->last_ns, musa_now_ns(), __ATOMIC_RELEASE);
	__atomic_add_fetch(&w->slot->rounds, 1, __ATOMIC_RELEASE);
	return musaSuccess;
}

/* Memory the file holds, KiB (fdinfo): it must not grow from round to round. */
static inline long long wl_fdinfo_kib(void)
{
	int fd = musa_own_node_fd();

	return fd < 0 ? -1 : musa_fdinfo(fd, "drm-memory-vram") +
			     musa_fdinfo(fd, "drm-memory-system");
}

/* The worker: rounds until *stop, an error or max_rounds; its exit status. */
static inline int wl_run(struct wl_slot *slot, const struct wl_config *cfg,
			 const volatile int *stop)
{
	struct wl_worker w = { .slot = slot, .cfg = cfg };
	long long first = -1;
	uint64_t round;

	if (wl_setup(&w))
		return 3;
	for (round = 0; !*stop && (!cfg->max_rounds || round < cfg->max_rounds); round++) {
		if (wl_round(&w, round))
			return 3;
		if (!round)
			first = wl_fdinfo_kib();
	}
	slot->fdinfo_growth = first < 0 ? 0 : wl_fdinfo_kib() - first;
	return slot->data_errors ? 4 : 0;
}

/* Starts a worker in a new process, its figures in slot (zeroed here). */
static inline pid_t wl_spawn(struct wl_slot *slot, const struct wl_config *cfg,
			     const volatile int *stop, unsigned int seed)
{
	pid_t pid;

	memset(slot, 0, sizeof(*slot));
	slot->seed = seed;
	pid = fork();
	if (pid == 0) {
		/* A test that ends early leaves no workers behind. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(wl_run(slot, cfg, stop));
	}
	slot->pid = pid;
	return pid;
}

/* Waits until the worker has verified rounds rounds: 0, or -1 on an error or timeout. */
static inline int wl_wait_rounds(struct wl_slot *slot, uint64_t rounds, int timeout_ms)
{
	uint64_t deadline = musa_now_ns() + (uint64_t)timeout_ms * 1000000ull;

	while (__atomic_load_n(&slot->rounds, __ATOMIC_ACQUIRE) < rounds) {
		if (__atomic_load_n(&slot->error, __ATOMIC_ACQUIRE) || musa_now_ns() > deadline)
			return -1;
		usleep(5000);
	}
	return 0;
}

/* Shared memory for n slots and a stop flag after them; NULL on failure. */
static inline struct wl_slot *wl_slots(int n, volatile int **stop)
{
	size_t bytes = sizeof(struct wl_slot) * n + sizeof(int);
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	*stop = (volatile int *)((char *)p + sizeof(struct wl_slot) * n);
	return p;
}

/* Waits for a worker to exit, killing it after timeout_ms; its wait status. */
static inline int wl_reap(pid_t pid, int timeout_ms)
{
	uint64_t deadline = musa_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	int status = 0;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (musa_now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(5000);
	}
	return status;
}

#endif /* MUSA_WORKLOAD_H */
