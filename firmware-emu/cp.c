// SPDX-License-Identifier: MIT
/*
 * The command processor pool: scheduling, polling, sleeping, and the queue
 * life-cycle transitions the serving thread asks for. See cp.h for the design;
 * packet execution is in exec.c.
 */
#include "cp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device.h"
#include "log.h"

/* How often parked queues are re-checked while nothing else wakes them. */
#define TICK_NS 1000000ull

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/* --------------------------------------------------------------- run lists */

static void list_push(struct emu_run_list *l, struct emu_queue *q)
{
    q->next = NULL;
    if (l->tail)
        l->tail->next = q;
    else
        l->head = q;
    l->tail = q;
}

static struct emu_queue *list_pop(struct emu_run_list *l)
{
    struct emu_queue *q = l->head;

    if (q) {
        l->head = q->next;
        if (l->head == NULL)
            l->tail = NULL;
        q->next = NULL;
    }
    return q;
}

static void list_remove(struct emu_run_list *l, struct emu_queue *q)
{
    struct emu_queue **link = &l->head, *prev = NULL;

    while (*link && *link != q) {
        prev = *link;
        link = &(*link)->next;
    }
    if (*link == NULL)
        return;
    *link = q->next;
    if (l->tail == q)
        l->tail = prev;
    q->next = NULL;
}

static bool has_runnable(const struct emu_cp *cp)
{
    for (int p = S5000_QUEUE_PRIORITY_MAX; p >= 0; p--) {
        if (cp->runnable[p].head)
            return true;
    }
    return false;
}

/* ------------------------------------------------- transitions (under lock) */

static void make_runnable(struct emu_device *dev, struct emu_queue *q)
{
    struct emu_cp *cp = &dev->cp;

    if (q->sched == EMU_SCHED_PARKED)
        cp->parked--;
    q->sched = EMU_SCHED_RUNNABLE;
    list_push(&cp->runnable[q->run.priority], q);
    /* An idle poller finds it by itself; otherwise somebody must wake up for it. */
    if (cp->sleepers && !cp->polling)
        pthread_cond_signal(&cp->wake);
}

/* Takes a queue that no worker holds off every list. */
static void unschedule(struct emu_cp *cp, struct emu_queue *q)
{
    if (q->sched == EMU_SCHED_RUNNABLE)
        list_remove(&cp->runnable[q->run.priority], q);
    else if (q->sched == EMU_SCHED_PARKED)
        cp->parked--;
    q->sched = EMU_SCHED_OFF;
}

static void finish_disable(struct emu_cp *cp, struct emu_queue *q)
{
    unschedule(cp, q);
    atomic_store(&q->stop, EMU_STOP_NONE);
    q->wait_since_ns = 0;
    emu_queue_publish_state(q, S5000_QSTATE_DISABLED);
}

static void finish_reset(struct emu_cp *cp, struct emu_queue *q)
{
    finish_disable(cp, q);
    atomic_store(&q->hung, false);
    emu_queue_clear_error(q);
}

static void unpark_all(struct emu_device *dev)
{
    for (unsigned int i = 0; i < dev->config.num_queues && dev->cp.parked; i++) {
        if (dev->queue[i].sched == EMU_SCHED_PARKED)
            make_runnable(dev, &dev->queue[i]);
    }
}

/* A worker gives back the queue it ran. */
static void release(struct emu_device *dev, struct emu_queue *q, enum emu_batch result)
{
    struct emu_cp *cp = &dev->cp;
    int stop = atomic_load(&q->stop);

    q->sched = EMU_SCHED_OFF;   /* held by nobody; set properly below */
    if (stop == EMU_STOP_RESET || atomic_load(&dev->reset_pending)) {
        finish_reset(cp, q);
    } else if (stop == EMU_STOP_DISABLE) {
        finish_disable(cp, q);
    } else if (result == EMU_BATCH_FAILED) {
        /* stays off, in the ERROR state emu_queue_fail() published */
    } else if (atomic_load(&q->hung)) {
        q->sched = EMU_SCHED_HUNG;
    } else if (result == EMU_BATCH_PARKED && !q->kick_pending) {
        q->sched = EMU_SCHED_PARKED;
        cp->parked++;
        emu_queue_publish_state(q, S5000_QSTATE_WAITING);
    } else if (result != EMU_BATCH_IDLE || q->kick_pending) {
        q->seen_wptr = UINT64_MAX;
        make_runnable(dev, q);
    } else {
        q->sched = EMU_SCHED_IDLE;
        emu_queue_publish_state(q, S5000_QSTATE_IDLE);
    }
    q->kick_pending = false;
}

/* ---------------------------------------------------------- doorbell watch */

/*
 * Under lock: idle and parked queues whose write index moved since a worker
 * last looked become runnable (a parked one re-checks its wait). True if any.
 */
static bool scan_doorbells(struct emu_device *dev)
{
    bool found = false;

    for (unsigned int i = 0; i < dev->config.num_queues; i++) {
        struct emu_queue *q = &dev->queue[i];

        if (q->sched != EMU_SCHED_IDLE && q->sched != EMU_SCHED_PARKED)
            continue;
        if (__atomic_load_n(&q->db->wptr, __ATOMIC_ACQUIRE) != q->seen_wptr) {
            make_runnable(dev, q);
            found = true;
        }
    }
    return found;
}

/* Under lock: cp_sleeping in every enabled queue's doorbell page. */
static void publish_sleeping(struct emu_device *dev, bool asleep)
{
    dev->cp.doorbells_asleep = asleep;
    for (unsigned int i = 0; i < dev->config.num_queues; i++) {
        struct emu_queue *q = &dev->queue[i];

        if (q->sched != EMU_SCHED_OFF || !asleep)
            __atomic_store_n(&q->db->cp_sleeping, asleep, __ATOMIC_RELAXED);
    }
    /* Pairs with the submitter's barrier between its wptr store and cp_sleeping load. */
    atomic_thread_fence(memory_order_seq_cst);
}

void emu_cp_poll_doorbells(struct emu_device *dev)
{
    struct emu_cp *cp = &dev->cp;

    pthread_mutex_lock(&cp->lock);
    scan_doorbells(dev);
    pthread_mutex_unlock(&cp->lock);
}

/* ------------------------------------------------------------------ worker */

static struct emu_queue *pick(struct emu_device *dev)
{
    struct emu_cp *cp = &dev->cp;

    if (!emu_device_running(dev))
        return NULL;
    for (int p = S5000_QUEUE_PRIORITY_MAX; p >= 0; p--) {
        struct emu_queue *q = list_pop(&cp->runnable[p]);

        if (q)
            return q;
    }
    return NULL;
}

/* Under lock, returns under lock: one batch of q, with the lock dropped meanwhile. */
static void run(struct emu_worker *w, struct emu_queue *q)
{
    struct emu_device *dev = w->dev;
    struct emu_cp *cp = &dev->cp;
    struct emu_batch_report report = { 0 };
    enum emu_batch result;

    q->sched = EMU_SCHED_RUNNING;
    cp->running++;
    if (has_runnable(cp) && cp->sleepers && !cp->polling)
        pthread_cond_signal(&cp->wake);
    pthread_mutex_unlock(&cp->lock);

    result = emu_exec_batch(w, q, &report);

    pthread_mutex_lock(&cp->lock);
    cp->running--;
    if (report.packets)
        cp->last_activity_ns = emu_now_ns();
    release(dev, q, result);
    if (report.signalled)
        unpark_all(dev);
    if (cp->running == 0 && atomic_load(&dev->reset_pending)) {
        pthread_cond_broadcast(&cp->quiet);
        emu_device_notify(dev);
    }
}

/* Under lock: re-checks parked queues once per tick. True if it did. */
static bool tick(struct emu_device *dev)
{
    struct emu_cp *cp = &dev->cp;
    uint64_t now;

    if (cp->parked == 0 || !emu_device_running(dev))
        return false;
    now = emu_now_ns();
    if (now - cp->last_tick_ns < TICK_NS)
        return false;
    cp->last_tick_ns = now;
    unpark_all(dev);
    return true;
}

/*
 * Under lock: for a while after activity, one idle worker watches the doorbells
 * instead of sleeping, so a busy submitter never needs to kick. True if it polled.
 */
static bool poll_doorbells(struct emu_device *dev)
{
    struct emu_cp *cp = &dev->cp;
    uint64_t budget = (uint64_t)dev->config.poll_us * 1000;
    uint64_t now = emu_now_ns();

    if (cp->polling || !emu_device_running(dev) || now - cp->last_activity_ns >= budget)
        return false;
    cp->polling = true;
    while (!cp->exiting && !has_runnable(cp) && emu_device_running(dev) &&
           now - cp->last_activity_ns < budget) {
        if (scan_doorbells(dev))
            break;
        pthread_mutex_unlock(&cp->lock);
        for (int i = 0; i < 64; i++)
            cpu_relax();
        pthread_mutex_lock(&cp->lock);
        now = emu_now_ns();
    }
    cp->polling = false;
    return true;
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

/*
 * Under lock. The last worker to sleep publishes cp_sleeping and looks at the
 * doorbells once more; from then on only a kick (or a tick, while queues are
 * parked) wakes the pool.
 */
static void sleep_until_needed(struct emu_device *dev)
{
    struct emu_cp *cp = &dev->cp;
    struct timespec deadline;

    if (cp->awake == 1 && !cp->doorbells_asleep) {
        publish_sleeping(dev, true);
        if (scan_doorbells(dev)) {
            publish_sleeping(dev, false);
            return;
        }
    }
    cp->awake--;
    cp->sleepers++;
    if (cp->parked && emu_device_running(dev)) {
        deadline_after(&deadline, TICK_NS);
        pthread_cond_timedwait(&cp->wake, &cp->lock, &deadline);
    } else {
        pthread_cond_wait(&cp->wake, &cp->lock);
    }
    cp->sleepers--;
    cp->awake++;
    if (cp->doorbells_asleep)
        publish_sleeping(dev, false);
}

static void *worker_main(void *arg)
{
    struct emu_worker *w = arg;
    struct emu_device *dev = w->dev;
    struct emu_cp *cp = &dev->cp;

    pthread_mutex_lock(&cp->lock);
    while (!cp->exiting) {
        struct emu_queue *q = pick(dev);

        if (q)
            run(w, q);
        else if (!tick(dev) && !poll_doorbells(dev))
            sleep_until_needed(dev);
    }
    cp->awake--;
    pthread_mutex_unlock(&cp->lock);
    return NULL;
}

/* --------------------------------------------------------------- lifecycle */

static void init_sync(struct emu_cp *cp)
{
    pthread_condattr_t attr;

    pthread_mutex_init(&cp->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&cp->wake, &attr);
    pthread_cond_init(&cp->quiet, &attr);
    pthread_condattr_destroy(&attr);
}

int emu_cp_start(struct emu_device *dev)
{
    struct emu_cp *cp = &dev->cp;
    unsigned int n = dev->config.cp_threads;

    memset(cp, 0, sizeof(*cp));
    init_sync(cp);
    cp->workers = calloc(n, sizeof(*cp->workers));
    if (cp->workers == NULL) {
        emu_err("out of memory");
        return -1;
    }
    for (unsigned int i = 0; i < n; i++) {
        struct emu_worker *w = &cp->workers[i];
        int err;

        w->dev = dev;
        w->index = i;
        emu_tlb_init(&w->tlb);
        /* So that a TLB invalidation waits for this worker's accesses in flight. */
        if (!emu_mmu_register_tlb(&dev->mmu, &w->tlb)) {
            emu_err("command processor %u: no TLB slot left in the MMU", i);
            emu_cp_stop(dev);
            return -1;
        }
        pthread_mutex_lock(&cp->lock);
        cp->awake++;
        pthread_mutex_unlock(&cp->lock);
        err = pthread_create(&w->thread, NULL, worker_main, w);
        if (err) {
            emu_err("starting command processor %u: %s", i, strerror(err));
            cp->awake--;
            emu_cp_stop(dev);
            return -1;
        }
        cp->nworkers++;
    }
    return 0;
}

/* The caller has stopped every queue: workers are between batches or asleep. */
void emu_cp_stop(struct emu_device *dev)
{
    struct emu_cp *cp = &dev->cp;

    pthread_mutex_lock(&cp->lock);
    cp->exiting = true;
    pthread_cond_broadcast(&cp->wake);
    pthread_mutex_unlock(&cp->lock);
    for (unsigned int i = 0; i < cp->nworkers; i++)
        pthread_join(cp->workers[i].thread, NULL);
    /* Also the TLB of a worker that failed to start. */
    for (unsigned int i = 0; cp->workers && i < dev->config.cp_threads; i++)
        emu_mmu_unregister_tlb(&cp->workers[i].tlb);
    free(cp->workers);
    cp->workers = NULL;
    cp->nworkers = 0;
    pthread_cond_destroy(&cp->quiet);
    pthread_cond_destroy(&cp->wake);
    pthread_mutex_destroy(&cp->lock);
}

/* ------------------------------------------------- serving-thread requests */

bool emu_cp_enable_queue(struct emu_device *dev, struct emu_queue *q)
{
    struct emu_cp *cp = &dev->cp;
    const char *why = NULL;

    pthread_mutex_lock(&cp->lock);
    if (q->sched != EMU_SCHED_OFF || atomic_load(&q->stop) != EMU_STOP_NONE)
        why = "it is still stopping (poll its STATUS for DISABLED)";
    else if (q->cfg.ring_order == 0)
        why = "RING_ORDER is not programmed";
    if (why == NULL) {
        q->run = q->cfg;
        q->rptr = q->cfg.rptr_init;
        q->seen_wptr = UINT64_MAX;
        q->wait_since_ns = 0;
        emu_queue_clear_error(q);
        __atomic_store_n(&q->db->wptr, q->rptr, __ATOMIC_RELAXED);
        __atomic_store_n(&q->db->cp_sleeping, 0, __ATOMIC_RELAXED);
        emu_queue_publish_rptr(q);
        emu_queue_publish_state(q, S5000_QSTATE_IDLE);
        make_runnable(dev, q);
    }
    pthread_mutex_unlock(&cp->lock);
    if (why)
        emu_guest_error("queue %u: ENABLE refused: %s", q->id, why);
    return why == NULL;
}

/* Stops a queue now, or asks the worker holding it to. */
static void stop_queue(struct emu_device *dev, struct emu_queue *q, enum emu_stop how)
{
    struct emu_cp *cp = &dev->cp;

    pthread_mutex_lock(&cp->lock);
    if (q->sched == EMU_SCHED_RUNNING) {
        if (how == EMU_STOP_RESET || atomic_load(&q->stop) == EMU_STOP_NONE)
            atomic_store(&q->stop, how);
    } else if (how == EMU_STOP_RESET) {
        finish_reset(cp, q);
    } else {
        finish_disable(cp, q);
    }
    pthread_mutex_unlock(&cp->lock);
}

void emu_cp_disable_queue(struct emu_device *dev, struct emu_queue *q)
{
    stop_queue(dev, q, EMU_STOP_DISABLE);
}

void emu_cp_reset_queue(struct emu_device *dev, struct emu_queue *q)
{
    stop_queue(dev, q, EMU_STOP_RESET);
}

void emu_cp_kick(struct emu_device *dev, struct emu_queue *q)
{
    struct emu_cp *cp = &dev->cp;

    atomic_fetch_add_explicit(&dev->counters.kicks, 1, memory_order_relaxed);
    pthread_mutex_lock(&cp->lock);
    if (q->sched == EMU_SCHED_IDLE || q->sched == EMU_SCHED_PARKED) {
        q->seen_wptr = UINT64_MAX;
        make_runnable(dev, q);
    } else if (q->sched == EMU_SCHED_RUNNING) {
        q->kick_pending = true;     /* its worker may have looked at the doorbell already */
    }
    pthread_mutex_unlock(&cp->lock);
}

/* The queue keeps its state, looks busy, and is never picked again until reset. */
void emu_cp_hang_queue(struct emu_device *dev, struct emu_queue *q)
{
    struct emu_cp *cp = &dev->cp;

    pthread_mutex_lock(&cp->lock);
    atomic_store(&q->hung, true);
    if (q->sched == EMU_SCHED_IDLE || q->sched == EMU_SCHED_RUNNABLE ||
        q->sched == EMU_SCHED_PARKED) {
        unschedule(cp, q);
        q->sched = EMU_SCHED_HUNG;
        emu_queue_publish_state(q, S5000_QSTATE_RUNNING);
    }
    pthread_mutex_unlock(&cp->lock);
}

void emu_cp_device_enabled(struct emu_device *dev)
{
    struct emu_cp *cp = &dev->cp;

    pthread_mutex_lock(&cp->lock);
    pthread_cond_broadcast(&cp->wake);
    pthread_mutex_unlock(&cp->lock);
}

void emu_cp_stop_all(struct emu_device *dev)
{
    struct emu_cp *cp = &dev->cp;

    pthread_mutex_lock(&cp->lock);
    for (unsigned int i = 0; i < S5000_MAX_QUEUES; i++) {
        struct emu_queue *q = &dev->queue[i];

        if (q->sched == EMU_SCHED_RUNNING)
            atomic_store(&q->stop, EMU_STOP_RESET);
        else
            finish_reset(cp, q);
    }
    pthread_mutex_unlock(&cp->lock);
}

bool emu_cp_when_quiet(struct emu_device *dev, void (*fn)(struct emu_device *dev))
{
    struct emu_cp *cp = &dev->cp;
    bool quiet;

    pthread_mutex_lock(&cp->lock);
    quiet = cp->running == 0;
    if (quiet) {
        fn(dev);
        pthread_cond_broadcast(&cp->wake);
    }
    pthread_mutex_unlock(&cp->lock);
    return quiet;
}

bool emu_cp_wait_quiet(struct emu_device *dev, uint64_t deadline_ns)
{
    struct emu_cp *cp = &dev->cp;
    struct timespec deadline = {
        .tv_sec = (time_t)(deadline_ns / 1000000000u),
        .tv_nsec = (long)(deadline_ns % 1000000000u),
    };
    bool quiet;

    pthread_mutex_lock(&cp->lock);
    while (cp->running > 0) {
        if (pthread_cond_timedwait(&cp->quiet, &cp->lock, &deadline) == ETIMEDOUT)
            break;
    }
    quiet = cp->running == 0;
    pthread_mutex_unlock(&cp->lock);
    return quiet;
}
