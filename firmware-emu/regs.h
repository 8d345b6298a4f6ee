/* SPDX-License-Identifier: MIT */
/*
 * The S5000 control register file, BAR0 [0, S5000_REGS_SIZE): the decode of
 * every register, global ones here, per-context and per-queue ones in queue.c,
 * the event ring's in events.c and telemetry in telemetry.c.
 *
 * Accesses are 4 or 8 bytes wide and naturally aligned; an 8-byte access must
 * target a 64-bit register, and a 64-bit register may also be accessed as two
 * 32-bit halves (low word first). Anything else is a logged guest error: a
 * read of it returns 0, a write of it is dropped. Every access is answered at
 * once; what takes longer (reset, stopping a queue) completes on other threads.
 */
#ifndef EMU_REGS_H
#define EMU_REGS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct emu_device;

#define EMU_PRODUCT_NAME "Moore Threads MTT S5000 (emu)"  /* fits S5000_NAME_LEN with its NUL */

/* Global registers not owned by a sub-block. */
struct emu_regs {
    uint32_t scratch;
    atomic_uint control;                /* S5000_CONTROL_ENABLE */
    atomic_uint int_cause;
    atomic_bool error;                  /* STATUS.ERROR */
    _Atomic uint64_t reset_count;
    /* TIMESTAMP as sampled by the last read of its low word. */
    uint64_t timestamp_latch;
};

void emu_regs_init(struct emu_regs *regs);

/* Back to the power-on state (RESET_COUNT excepted); safe to call any number of times. */
void emu_regs_reset(struct emu_regs *regs);

/* Both return false for a guest error (already logged); a failed read gives 0. */
bool emu_regs_read(struct emu_device *dev, uint64_t offset, unsigned int size, uint64_t *val);
bool emu_regs_write(struct emu_device *dev, uint64_t offset, unsigned int size, uint64_t val);

/* CLOCK_MONOTONIC in ticks of S5000_TIMESTAMP_FREQ_HZ. */
uint64_t emu_timestamp_now(void);

#endif /* EMU_REGS_H */
