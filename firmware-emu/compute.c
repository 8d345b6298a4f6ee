// SPDX-License-Identifier: MIT
/*
 * KERNEL_LAUNCH: checking a launch, finding its decoded code, and running its blocks
 * on the compute threads. compute.h has the model; simt.h runs a block.
 *
 * Locking: c->lock guards the job list and every job's counters; a compute thread
 * holds it only to take a block and to report one.
 */
#include "compute.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "code_cache.h"
#include "device.h"
#include "log.h"
#include "simt.h"

_Static_assert(sizeof(struct s5000_kernel_desc) == 64, "the descriptor is 64 bytes");

/* How often a waiting launcher calls its wait callback. */
#define WAIT_TICK_NS 1000000ull

struct emu_compute_thread {
    struct emu_compute *c;
    pthread_t thread;
    struct simt_unit unit;
};

/* One launch in progress. */
struct emu_compute_job {
    struct emu_compute_job *next;
    struct simt_launch launch;
    uint64_t blocks;                    /* in the grid */
    uint64_t next_block;                /* the next one to hand out */
    unsigned int running;               /* blocks on compute threads now */
    atomic_bool stop;                   /* a fault or an abort: hand out no more */
    bool failed;
    struct emu_fault fault;             /* the first one */
};

/* ------------------------------------------------------------- validation */

static enum emu_launch_result bad_launch(struct emu_fault *fault, uint64_t desc_va,
                                         const char *why)
{
    emu_guest_error("KERNEL_LAUNCH of descriptor 0x%llx: %s", (unsigned long long)desc_va, why);
    *fault = (struct emu_fault){
        .error = S5000_ERR_KERNEL_FAULT, .kind = S5000_KFAULT_BAD_LAUNCH, .address = desc_va,
    };
    return EMU_LAUNCH_FAILED;
}

static const char *check_desc(const struct s5000_kernel_desc *d)
{
    if (d->magic != S5000_KERNEL_DESC_MAGIC)
        return "descriptor magic is wrong";
    if (d->version != 1)
        return "descriptor version is not 1";
    if (d->flags || d->reserved[0] || d->reserved[1])
        return "descriptor flags or reserved fields are not zero";
    if (d->code_size == 0 || d->code_size % 4 || d->code_size > S5000_MAX_CODE_BYTES)
        return "code_size is not a nonzero multiple of 4 up to S5000_MAX_CODE_BYTES";
    if (d->code_start == 0 || d->code_start % 4 || d->code_start > UINT64_MAX - d->code_size)
        return "code_start is 0, not 4-byte aligned, or the range wraps";
    if (d->entry - d->code_start >= d->code_size || d->entry % 4)
        return "entry is not an instruction in the code range";
    if (d->stack_size % 16 || d->stack_size > S5000_MAX_STACK_BYTES)
        return "stack_size is not a multiple of 16 up to S5000_MAX_STACK_BYTES";
    if (d->max_threads == 0 || d->max_threads > S5000_MAX_BLOCK_THREADS)
        return "max_threads is not 1..S5000_MAX_BLOCK_THREADS";
    return NULL;
}

static const char *check_config(const struct s5000_pkt_kernel_launch *pkt,
                                const struct s5000_kernel_desc *d)
{
    uint64_t threads = (uint64_t)pkt->block[0] * pkt->block[1] * pkt->block[2];
    uint64_t shared = ((uint64_t)d->static_shared + 15) / 16 * 16 + pkt->shared_bytes;

    if (!pkt->grid[0] || !pkt->grid[1] || !pkt->grid[2])
        return "a grid dimension is 0";
    if (pkt->grid[0] > S5000_MAX_GRID_X || pkt->grid[1] > S5000_MAX_GRID_YZ ||
        pkt->grid[2] > S5000_MAX_GRID_YZ)
        return "the grid is larger than S5000_MAX_GRID_X x _YZ x _YZ";
    if (threads == 0)
        return "a block dimension is 0";
    if (threads > d->max_threads)
        return "more threads per block than the kernel's max_threads";
    if (shared > S5000_MAX_SHARED_BYTES)
        return "static and dynamic shared memory exceed S5000_MAX_SHARED_BYTES";
    return NULL;
}

/* -------------------------------------------------------- compute threads */

static bool job_finished(const struct emu_compute_job *job)
{
    return job->running == 0 &&
           (job->next_block == job->blocks || atomic_load(&job->stop));
}

/* Under lock: the first job with a block to hand out. */
static struct emu_compute_job *pick_job(struct emu_compute *c)
{
    for (struct emu_compute_job *job = c->jobs; job; job = job->next) {
        if (job->next_block < job->blocks && !atomic_load(&job->stop))
            return job;
    }
    return NULL;
}

static void block_id_of(const struct simt_launch *l, uint64_t index, uint32_t id[3])
{
    id[0] = (uint32_t)(index % l->grid[0]);
    id[1] = (uint32_t)(index / l->grid[0] % l->grid[1]);
    id[2] = (uint32_t)(index / l->grid[0] / l->grid[1]);
}

/* Under lock, returns under lock: runs one block of job with the lock dropped. */
static void run_block(struct emu_compute *c, struct emu_compute_thread *t,
                      struct emu_compute_job *job)
{
    uint64_t index = job->next_block++;
    struct emu_fault fault;
    enum simt_result result;
    uint32_t id[3];

    job->running++;
    /* Launches take turns block by block: this one goes to the back. */
    if (job->next && job == c->jobs) {
        struct emu_compute_job **tail = &c->jobs;

        c->jobs = job->next;
        while (*tail)
            tail = &(*tail)->next;
        *tail = job;
        job->next = NULL;
    }
    pthread_mutex_unlock(&c->lock);

    block_id_of(&job->launch, index, id);
    result = simt_run_block(&t->unit, &job->launch, id, &fault);

    pthread_mutex_lock(&c->lock);
    job->running--;
    if (result == SIMT_FAULT && !job->failed) {
        job->failed = true;
        job->fault = fault;
    }
    if (result != SIMT_DONE)
        atomic_store(&job->stop, true);
    if (job_finished(job))
        pthread_cond_broadcast(&c->done);
}

static void *compute_main(void *arg)
{
    struct emu_compute_thread *t = arg;
    struct emu_compute *c = t->c;

    pthread_mutex_lock(&c->lock);
    while (!c->exiting) {
        struct emu_compute_job *job = pick_job(c);

        if (job) {
            run_block(c, t, job);
            continue;
        }
        /* Invalidations must not wait for a unit that has nothing to do. */
        simt_unit_idle(&t->unit);
        pthread_cond_wait(&c->work, &c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    simt_unit_idle(&t->unit);
    return NULL;
}

/* ------------------------------------------------------------------ launch */

static const char *kfault_name(uint32_t kind)
{
    static const char *const names[] = {
        [S5000_KFAULT_ILLEGAL_INSTRUCTION] = "illegal instruction",
        [S5000_KFAULT_MISALIGNED] = "misaligned access",
        [S5000_KFAULT_STACK_OVERFLOW] = "stack overflow",
        [S5000_KFAULT_SHARED_BOUNDS] = "shared memory out of bounds",
        [S5000_KFAULT_BARRIER_DEADLOCK] = "barrier deadlock",
        [S5000_KFAULT_TIMEOUT] = "timeout",
        [S5000_KFAULT_TRAP] = "trap",
        [S5000_KFAULT_BAD_LAUNCH] = "bad launch",
        [S5000_KFAULT_BAD_MMA] = "bad MMA descriptor",
        [S5000_KFAULT_FETCH] = "jump outside the code",
    };

    return kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "memory";
}

/* Kernel faults are the guest's errors: they are logged like other guest errors. */
static void log_fault(const struct emu_fault *f, uint64_t desc_va)
{
    emu_guest_error("kernel of descriptor 0x%llx: %s fault (error %u) at 0x%llx, pc 0x%llx",
                    (unsigned long long)desc_va, kfault_name(f->kind), f->error,
                    (unsigned long long)f->address, (unsigned long long)f->pc);
}

static void deadline_after(struct timespec *ts, uint64_t ns)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ns / 1000000000u);
    ts->tv_nsec += (long)(ns % 1000000000u);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void list_remove(struct emu_compute *c, struct emu_compute_job *job)
{
    struct emu_compute_job **link = &c->jobs;

    while (*link != job)
        link = &(*link)->next;
    *link = job->next;
}

/*
 * Hands the job to the compute threads and waits for its end, accounting the time to
 * the compute engine as it goes, so that utilisation shows a long kernel while it runs.
 */
static bool run_job(struct emu_compute *c, struct emu_compute_job *job, bool (*wait)(void *),
                    void *arg)
{
    uint64_t since = emu_now_ns();
    bool aborted = false;
    struct timespec deadline;

    pthread_mutex_lock(&c->lock);
    job->next = c->jobs;
    c->jobs = job;
    pthread_cond_broadcast(&c->work);
    while (!job_finished(job)) {
        uint64_t now;

        deadline_after(&deadline, WAIT_TICK_NS);
        pthread_cond_timedwait(&c->done, &c->lock, &deadline);
        if (job_finished(job))
            break;
        pthread_mutex_unlock(&c->lock);
        now = emu_now_ns();
        emu_telemetry_account(c->telemetry, EMU_ENGINE_COMPUTE, since, now);
        since = now;
        if (wait && wait(arg)) {
            aborted = true;
            atomic_store(&job->stop, true);
        }
        pthread_mutex_lock(&c->lock);
    }
    list_remove(c, job);
    pthread_mutex_unlock(&c->lock);
    emu_telemetry_account(c->telemetry, EMU_ENGINE_COMPUTE, since, emu_now_ns());
    return !aborted;
}

static void setup_launch(struct emu_compute *c, struct simt_launch *l, unsigned int ctx,
                         const struct s5000_pkt_kernel_launch *pkt,
                         const struct s5000_kernel_desc *d, const struct simt_program *prog)
{
    uint32_t timeout_ms = pkt->timeout_ms ? pkt->timeout_ms : S5000_KERNEL_TIMEOUT_MS;
    uint32_t dyn_offset = (d->static_shared + 15) / 16 * 16;

    *l = (struct simt_launch){
        .prog = prog, .ctx = ctx, .kernarg = pkt->kernarg,
        .grid = { pkt->grid[0], pkt->grid[1], pkt->grid[2] },
        .block = { pkt->block[0], pkt->block[1], pkt->block[2] },
        .threads = (uint32_t)pkt->block[0] * pkt->block[1] * pkt->block[2],
        .dyn_shared = pkt->shared_bytes, .dyn_offset = dyn_offset,
        .shared_size = dyn_offset + pkt->shared_bytes,
        .stack_size = d->stack_size, .budget = c->budget,
        .deadline_ns = emu_now_ns() + timeout_ms * 1000000ull,
    };
    simt_program_index(prog, d->entry, &l->entry);
}

enum emu_launch_result emu_compute_launch(struct emu_compute *c, struct emu_tlb *tlb,
                                          unsigned int ctx,
                                          const struct s5000_pkt_kernel_launch *pkt,
                                          bool (*wait)(void *arg), void *arg,
                                          struct emu_fault *fault)
{
    struct s5000_kernel_desc desc;
    struct emu_compute_job *job;
    enum emu_launch_result result;
    struct emu_code *code;
    const char *why;

    if (pkt->code % 64)
        return bad_launch(fault, pkt->code, "descriptor not 64-byte aligned");
    if (!emu_mem_read(c->mmu, tlb, ctx, pkt->code, &desc, sizeof(desc), fault))
        return EMU_LAUNCH_FAILED;
    why = check_desc(&desc);
    if (!why)
        why = check_config(pkt, &desc);
    if (why)
        return bad_launch(fault, pkt->code, why);
    code = emu_code_get(c->code, c->mmu, tlb, ctx, desc.code_start, desc.code_size, fault);
    if (!code)
        return EMU_LAUNCH_FAILED;

    job = calloc(1, sizeof(*job));
    if (!job) {
        emu_code_put(c->code, code);
        return bad_launch(fault, pkt->code, "out of host memory");
    }
    setup_launch(c, &job->launch, ctx, pkt, &desc, emu_code_program(code));
    job->launch.written = emu_code_writes(c->code, code, job->launch.entry);
    job->launch.stop = &job->stop;
    job->blocks = (uint64_t)pkt->grid[0] * pkt->grid[1] * pkt->grid[2];
    atomic_init(&job->stop, false);

    if (!run_job(c, job, wait, arg))
        result = EMU_LAUNCH_ABORTED;
    else if (job->failed)
        result = EMU_LAUNCH_FAILED;
    else
        result = EMU_LAUNCH_DONE;
    if (job->failed) {
        *fault = job->fault;
        log_fault(fault, pkt->code);
    }
    emu_code_put(c->code, code);
    free(job);
    return result;
}

/* ------------------------------------------------------------- lifecycle */

static int start_thread(struct emu_compute *c, struct emu_compute_thread *t, unsigned int id)
{
    int err;

    t->c = c;
    if (simt_unit_init(&t->unit, c->mmu, id) < 0) {
        emu_err("compute unit %u: out of memory or no TLB slot left in the MMU", id);
        return -1;
    }
    err = pthread_create(&t->thread, NULL, compute_main, t);
    if (err) {
        emu_err("starting compute thread %u: %s", id, strerror(err));
        simt_unit_fini(&t->unit);
        return -1;
    }
    return 0;
}

int emu_compute_init(struct emu_compute *c, struct emu_mmu *mmu, struct emu_telemetry *t,
                     unsigned int n)
{
    pthread_condattr_t attr;

    memset(c, 0, sizeof(*c));
    c->mmu = mmu;
    c->telemetry = t;
    c->budget = EMU_COMPUTE_THREAD_BUDGET;
    pthread_mutex_init(&c->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&c->work, &attr);
    pthread_cond_init(&c->done, &attr);
    pthread_condattr_destroy(&attr);
    c->code = emu_code_cache_new();
    c->threads = calloc(n, sizeof(*c->threads));
    if (!c->code || !c->threads) {
        emu_err("out of memory");
        emu_compute_fini(c);
        return -1;
    }
    for (c->nthreads = 0; c->nthreads < n; c->nthreads++) {
        if (start_thread(c, &c->threads[c->nthreads], c->nthreads) < 0) {
            emu_compute_fini(c);
            return -1;
        }
    }
    return 0;
}

void emu_compute_fini(struct emu_compute *c)
{
    pthread_mutex_lock(&c->lock);
    c->exiting = true;
    pthread_cond_broadcast(&c->work);
    pthread_mutex_unlock(&c->lock);
    for (unsigned int i = 0; i < c->nthreads; i++) {
        pthread_join(c->threads[i].thread, NULL);
        simt_unit_fini(&c->threads[i].unit);
    }
    emu_code_cache_free(c->code);
    free(c->threads);
    c->code = NULL;
    c->threads = NULL;
    c->nthreads = 0;
    pthread_cond_destroy(&c->done);
    pthread_cond_destroy(&c->work);
    pthread_mutex_destroy(&c->lock);
}

void emu_compute_counts(struct emu_compute *c, uint64_t *warp_instructions,
                        uint64_t *thread_instructions)
{
    *warp_instructions = *thread_instructions = 0;
    for (unsigned int i = 0; i < c->nthreads; i++) {
        struct simt_unit *u = &c->threads[i].unit;

        *warp_instructions += atomic_load_explicit(&u->warp_instructions, memory_order_relaxed);
        *thread_instructions += atomic_load_explicit(&u->thread_instructions,
                                                     memory_order_relaxed);
    }
}
