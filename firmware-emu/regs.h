/* SPDX-License-Identifier: MIT */
/*
 * The S5000 control register file, BAR0 [0, S5000_REGS_SIZE).
 *
 * Pure device logic: no vfio-user, no sockets, so it can be unit-tested
 * directly. Accesses are 4 or 8 bytes wide and naturally aligned; an 8-byte
 * access must target a 64-bit register. Anything else is a logged guest
 * error: a read of it returns 0, a write of it is dropped.
 */
#ifndef EMU_REGS_H
#define EMU_REGS_H

#include <stdbool.h>
#include <stdint.h>

struct emu_regs {
    uint64_t vram_size;
    uint64_t aperture_size;
    uint32_t scratch;
    /* TIMESTAMP as sampled by the last read of its low word. */
    uint64_t timestamp_latch;
};

void emu_regs_init(struct emu_regs *regs, uint64_t vram_size, uint64_t aperture_size);

/* Back to the power-on state; safe to call any number of times. */
void emu_regs_reset(struct emu_regs *regs);

/* Both return false for a guest error (already logged); *val is then 0. */
bool emu_regs_read(struct emu_regs *regs, uint64_t offset, unsigned int size, uint64_t *val);
bool emu_regs_write(struct emu_regs *regs, uint64_t offset, unsigned int size, uint64_t val);

/* CLOCK_MONOTONIC in ticks of S5000_TIMESTAMP_FREQ_HZ. */
uint64_t emu_timestamp_now(void);

#endif /* EMU_REGS_H */
