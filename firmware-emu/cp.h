/* SPDX-License-Identifier: MIT */
/*
 * Command processors: a small pool of worker threads that run every queue.
 *
 * A worker picks the runnable queue of highest priority (round-robin within a
 * priority), runs a bounded batch of its packets, puts it back and picks again,
 * so no queue holds a thread for long and a parked WAIT holds none. One lock
 * guards the run lists and each queue's scheduling state; it is never held
 * while a packet runs, so the serving thread only ever waits microseconds on it.
 *
 * Idle workers poll the doorbells briefly after activity (config.poll_us), then
 * sleep on a condition variable. The last worker to fall asleep first sets
 * cp_sleeping in every enabled queue's doorbell page, issues a full fence and
 * re-reads the write indices: a submitter writes wptr, fences, and reads
 * cp_sleeping, so either the worker sees the new wptr or the submitter sees
 * cp_sleeping and kicks (a trapped write, which takes the lock and wakes a
 * worker). While any worker is awake, cp_sleeping stays 0 and the awake
 * workers watch the doorbells between batches.
 */
#ifndef EMU_CP_H
#define EMU_CP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../uapi/s5000.h"
#include "mmu.h"

struct emu_device;
struct emu_queue;

/* What one worker did, summed by "counters"; written only by that worker. */
struct emu_worker_stats {
    _Atomic uint64_t packets;
    _Atomic uint64_t bytes_copied;
    _Atomic uint64_t bytes_filled;
};

struct emu_worker {
    struct emu_device *dev;
    pthread_t thread;
    unsigned int index;
    struct emu_tlb tlb;
    struct emu_worker_stats stats;
};

struct emu_run_list {
    struct emu_queue *head, *tail;
};

struct emu_cp {
    pthread_mutex_t lock;
    pthread_cond_t wake;                /* idle workers sleep here */
    pthread_cond_t quiet;               /* a reset waits here for running == 0 */
    struct emu_run_list runnable[S5000_QUEUE_PRIORITY_MAX + 1];
    unsigned int running;               /* queues held by workers */
    unsigned int parked;
    unsigned int awake;                 /* workers not asleep on `wake` */
    unsigned int sleepers;
    bool polling;                       /* a worker polls the doorbells */
    bool doorbells_asleep;              /* cp_sleeping is published as 1 */
    bool exiting;
    uint64_t last_activity_ns;
    uint64_t last_tick_ns;
    unsigned int nworkers;
    struct emu_worker *workers;
};

/* What a batch did, beyond how it ended. */
struct emu_batch_report {
    unsigned int packets;               /* completed */
    bool signalled;                     /* ran a SIGNAL: parked queues may go on */
};

/* How a batch of one queue ended (exec.c). */
enum emu_batch {
    EMU_BATCH_IDLE,                     /* nothing (more) to run */
    EMU_BATCH_MORE,                     /* stopped early: run it again */
    EMU_BATCH_PARKED,                   /* waits on memory */
    EMU_BATCH_FAILED,                   /* stopped with an error, already recorded */
};

int emu_cp_start(struct emu_device *dev);
void emu_cp_stop(struct emu_device *dev);

/* Serving thread, queue life cycle. All return at once. */
bool emu_cp_enable_queue(struct emu_device *dev, struct emu_queue *q);
void emu_cp_disable_queue(struct emu_device *dev, struct emu_queue *q);
void emu_cp_reset_queue(struct emu_device *dev, struct emu_queue *q);
void emu_cp_kick(struct emu_device *dev, struct emu_queue *q);
void emu_cp_hang_queue(struct emu_device *dev, struct emu_queue *q);
/* CONTROL.ENABLE went from 0 to 1. */
void emu_cp_device_enabled(struct emu_device *dev);

/*
 * Device reset (with dev->reset_pending already set, so nothing new starts):
 * emu_cp_stop_all() takes every queue off the schedule and asks running ones
 * to stop. emu_cp_when_quiet() then runs fn under the scheduler lock once no
 * worker holds a queue (false if one still does), and lets the workers go on.
 * A worker that lets go of the last running queue writes the notify fd.
 */
void emu_cp_stop_all(struct emu_device *dev);
bool emu_cp_when_quiet(struct emu_device *dev, void (*fn)(struct emu_device *dev));
/* Waits until no worker holds a queue, or until deadline_ns; true if none does. */
bool emu_cp_wait_quiet(struct emu_device *dev, uint64_t deadline_ns);

/* Worker side, for exec.c: watch the other queues' doorbells during long work. */
void emu_cp_poll_doorbells(struct emu_device *dev);

/* Runs a bounded batch of the queue the worker holds (exec.c). */
enum emu_batch emu_exec_batch(struct emu_worker *w, struct emu_queue *q,
                              struct emu_batch_report *report);

#endif /* EMU_CP_H */
