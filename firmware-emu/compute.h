/* SPDX-License-Identifier: MIT */
/*
 * The compute units: KERNEL_LAUNCH packets and the pool of host threads that run
 * their thread blocks.
 *
 * A command processor worker calls emu_compute_launch() for a KERNEL_LAUNCH packet
 * and waits in it until the launch ends; the blocks run on the compute threads, which
 * take them in turn from every launch in progress (other queues keep running on the
 * other workers). The first fault of a launch stops its remaining blocks; other
 * launches are not affected.
 */
#ifndef EMU_COMPUTE_H
#define EMU_COMPUTE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../uapi/s5000.h"
#include "mmu.h"
#include "telemetry.h"

#define EMU_COMPUTE_THREADS_MAX 16
/* Instructions one thread may execute in a launch before it is a runaway. */
#define EMU_COMPUTE_THREAD_BUDGET (1ull << 36)

struct emu_compute_thread;
struct emu_compute_job;
struct emu_code_cache;

struct emu_compute {
    struct emu_mmu *mmu;
    struct emu_telemetry *telemetry;
    pthread_mutex_t lock;
    pthread_cond_t work;                /* compute threads wait here for blocks */
    pthread_cond_t done;                /* launchers wait here for their launch */
    struct emu_compute_job *jobs;       /* launches with blocks to run or running */
    bool exiting;
    unsigned int nthreads;
    struct emu_compute_thread *threads;
    struct emu_code_cache *code;
    uint64_t budget;                    /* per thread and launch; tests may lower it */
};

/* Starts n compute threads (1..EMU_COMPUTE_THREADS_MAX); 0, or -1 with the reason logged. */
int emu_compute_init(struct emu_compute *c, struct emu_mmu *mmu, struct emu_telemetry *t,
                     unsigned int n);
/* No launch may be in progress. */
void emu_compute_fini(struct emu_compute *c);

enum emu_launch_result {
    EMU_LAUNCH_DONE,                    /* every thread exited */
    EMU_LAUNCH_FAILED,                  /* *fault: S5000_ERR_* with kind, address, pc */
    EMU_LAUNCH_ABORTED,                 /* wait() asked to stop: the queue is being reset */
};

/*
 * Runs a KERNEL_LAUNCH packet, whose own fields the caller has checked, in context
 * ctx, reading the descriptor and code through tlb. While it waits, it calls
 * wait(arg) about every millisecond, and stops the launch if that returns true.
 * A bad descriptor or launch configuration fails with S5000_KFAULT_BAD_LAUNCH at
 * the descriptor's address (and a guest-error line saying why).
 */
enum emu_launch_result emu_compute_launch(struct emu_compute *c, struct emu_tlb *tlb,
                                          unsigned int ctx,
                                          const struct s5000_pkt_kernel_launch *pkt,
                                          bool (*wait)(void *arg), void *arg,
                                          struct emu_fault *fault);

/* Instructions the compute units executed so far: warp and thread counts. */
void emu_compute_counts(struct emu_compute *c, uint64_t *warp_instructions,
                        uint64_t *thread_instructions);

#endif /* EMU_COMPUTE_H */
