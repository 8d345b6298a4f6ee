/* SPDX-License-Identifier: MIT */
/*
 * The SIMT core: what a compute unit does with one thread block of a kernel.
 *
 * A kernel's code is decoded once (simt_decode()) into a program the compute units
 * share read-only. A compute unit (struct simt_unit) belongs to one host thread and
 * runs one block at a time to its end (simt_run_block()): its warps of 32 threads in
 * lock step, its shared memory, its threads' stacks, their accesses to device memory
 * through the MMU. uapi/s5000-isa.md is the specification.
 */
#ifndef EMU_SIMT_H
#define EMU_SIMT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../uapi/s5000.h"
#include "mmu.h"

struct simt_program;
struct simt_warp;

/* Decodes code_size / 4 instruction words that sit at code_start; NULL if out of memory. */
struct simt_program *simt_decode(const uint32_t *words, uint64_t code_start, uint64_t code_size);
void simt_program_free(struct simt_program *prog);
/* Host memory a program takes. */
uint64_t simt_program_bytes(const struct simt_program *prog);

/* The instruction index of a VA in the program, or false if there is none. */
bool simt_program_index(const struct simt_program *prog, uint64_t va, uint32_t *index);

/*
 * The registers a kernel entered at instruction `entry` may write, as a mask of
 * register numbers (x and f alike); all of them if it jumps where the decoder cannot
 * follow (an indirect jump or call). Blocks clear only these between kernels.
 */
uint32_t simt_program_writes(const struct simt_program *prog, uint32_t entry);

/* What every block of a launch runs with; read-only while blocks run. */
struct simt_launch {
    const struct simt_program *prog;
    uint32_t entry;                     /* instruction index */
    uint32_t written;                   /* simt_program_writes() of entry */
    unsigned int ctx;
    uint64_t kernarg;
    uint32_t grid[3];
    uint32_t block[3];
    uint32_t threads;                   /* per block */
    uint32_t dyn_shared;                /* bytes */
    uint32_t dyn_offset;                /* of the dynamic part in the shared window */
    uint32_t shared_size;               /* static + alignment + dynamic */
    uint32_t stack_size;                /* per thread */
    uint64_t budget;                    /* instructions a thread may execute */
    uint64_t deadline_ns;               /* emu_now_ns() past which the launch times out */
    atomic_bool *stop;                  /* set when the launch must end: fault, abort */
    /* Polled every few thousand instructions: the queue is being reset. */
    bool (*must_abort)(void *arg);
    void *abort_arg;
};

/* How a block ended. */
enum simt_result {
    SIMT_DONE,                          /* every thread exited */
    SIMT_FAULT,                         /* *fault says why */
    SIMT_STOPPED,                       /* launch->stop was set, or must_abort() said so */
};

/*
 * The last translated pages, for accesses that hit them: host pointers into VRAM.
 * Enough for the rows of a tensor-core tile, one page each, and its other operand.
 */
#define SIMT_PAGE_CACHE 256
struct simt_page {
    uint64_t page;                      /* VA >> 12, or UINT64_MAX */
    uint8_t *host;
    bool writable;
};

struct simt_unit {
    unsigned int id;                    /* the SMID special register */
    struct emu_mmu *mmu;
    struct emu_tlb tlb;
    bool holding;                       /* in an emu_mmu_hold() chunk */
    unsigned int hold_ctx;
    unsigned int generation;
    struct simt_page pages[SIMT_PAGE_CACHE];

    struct simt_warp *warps;            /* S5000_MAX_BLOCK_THREADS / 32 of them */
    uint8_t *shared;                    /* S5000_MAX_SHARED_BYTES */
    uint8_t *stacks;                    /* every thread's stack, one after the other */
    uint64_t stacks_size;

    /* Statistics, for the benchmarks: updated after each block. */
    _Atomic uint64_t warp_instructions;
    _Atomic uint64_t thread_instructions;
};

/* 0, or -1 if out of memory. The unit's TLB is registered with mmu if a slot is free. */
int simt_unit_init(struct simt_unit *unit, struct emu_mmu *mmu, unsigned int id);
void simt_unit_fini(struct simt_unit *unit);

/* Leaves the MMU chunk the unit may hold: call before the unit's thread waits. */
void simt_unit_idle(struct simt_unit *unit);

/* Runs block (x, y, z) of a launch to its end. */
enum simt_result simt_run_block(struct simt_unit *unit, const struct simt_launch *launch,
                                const uint32_t block_id[3], struct emu_fault *fault);

#endif /* EMU_SIMT_H */
