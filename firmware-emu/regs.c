// SPDX-License-Identifier: MIT
/*
 * The control register file. Reads of unimplemented offsets return 0, as
 * reserved registers do on silicon; all-ones is what the guest sees when the
 * device is gone (QEMU returns it once the server has died), so keeping 0 here
 * lets a driver tell "reserved" from "fell off the bus".
 *
 * 64-bit registers may also be accessed as two 32-bit halves. For TIMESTAMP the
 * low half must be read first: that read samples the counter, and the high
 * half returns the upper word of that same sample, so the pair never tears.
 */
#include "regs.h"

#include <time.h>

#include "../uapi/s5000.h"
#include "log.h"

void emu_regs_init(struct emu_regs *regs, uint64_t vram_size, uint64_t aperture_size)
{
    regs->vram_size = vram_size;
    regs->aperture_size = aperture_size;
    emu_regs_reset(regs);
}

void emu_regs_reset(struct emu_regs *regs)
{
    regs->scratch = 0;
    regs->timestamp_latch = 0;
}

uint64_t emu_timestamp_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * S5000_TIMESTAMP_FREQ_HZ +
           (uint64_t)ts.tv_nsec * S5000_TIMESTAMP_FREQ_HZ / 1000000000u;
}

static const char *reg_name(uint64_t offset)
{
    switch (offset) {
    case S5000_REG_IDENT:          return "IDENT";
    case S5000_REG_VERSION:        return "VERSION";
    case S5000_REG_CAPS:           return "CAPS";
    case S5000_REG_NUM_QUEUES:     return "NUM_QUEUES";
    case S5000_REG_VRAM_SIZE:      return "VRAM_SIZE";
    case S5000_REG_VRAM_SIZE + 4:  return "VRAM_SIZE[63:32]";
    case S5000_REG_APERTURE_SIZE:  return "APERTURE_SIZE";
    case S5000_REG_APERTURE_SIZE + 4: return "APERTURE_SIZE[63:32]";
    case S5000_REG_TIMESTAMP_FREQ: return "TIMESTAMP_FREQ";
    case S5000_REG_NUM_VECTORS:    return "NUM_VECTORS";
    case S5000_REG_TIMESTAMP:      return "TIMESTAMP";
    case S5000_REG_TIMESTAMP + 4:  return "TIMESTAMP[63:32]";
    case S5000_REG_SCRATCH:        return "SCRATCH";
    default:                       return NULL;
    }
}

static bool is_reg64(uint64_t offset)
{
    switch (offset) {
    case S5000_REG_VRAM_SIZE:
    case S5000_REG_APERTURE_SIZE:
    case S5000_REG_TIMESTAMP:
        return true;
    default:
        return false;
    }
}

/* A 64-bit register, by its offset (is_reg64() must hold). */
static uint64_t read64(struct emu_regs *regs, uint64_t offset)
{
    switch (offset) {
    case S5000_REG_VRAM_SIZE:
        return regs->vram_size;
    case S5000_REG_APERTURE_SIZE:
        return regs->aperture_size;
    case S5000_REG_TIMESTAMP:
        regs->timestamp_latch = emu_timestamp_now();
        return regs->timestamp_latch;
    default:
        return 0;
    }
}

static bool read32(struct emu_regs *regs, uint64_t offset, uint32_t *val)
{
    switch (offset) {
    case S5000_REG_IDENT:
        *val = S5000_IDENT_MAGIC;
        return true;
    case S5000_REG_VERSION:
        *val = S5000_ABI_VERSION;
        return true;
    case S5000_REG_CAPS:
        *val = S5000_CAP_EMULATED;
        return true;
    case S5000_REG_NUM_QUEUES:
        *val = S5000_MAX_QUEUES;
        return true;
    case S5000_REG_TIMESTAMP_FREQ:
        *val = S5000_TIMESTAMP_FREQ_HZ;
        return true;
    case S5000_REG_NUM_VECTORS:
        *val = S5000_MSIX_VECTORS;
        return true;
    case S5000_REG_SCRATCH:
        *val = regs->scratch;
        return true;
    case S5000_REG_VRAM_SIZE:
    case S5000_REG_APERTURE_SIZE:
    case S5000_REG_TIMESTAMP:
        *val = (uint32_t)read64(regs, offset);
        return true;
    case S5000_REG_VRAM_SIZE + 4:
    case S5000_REG_APERTURE_SIZE + 4:
        *val = (uint32_t)(read64(regs, offset - 4) >> 32);
        return true;
    case S5000_REG_TIMESTAMP + 4:
        *val = (uint32_t)(regs->timestamp_latch >> 32);
        return true;
    default:
        return false;
    }
}

static bool write32(struct emu_regs *regs, uint64_t offset, uint32_t val)
{
    switch (offset) {
    case S5000_REG_SCRATCH:
        regs->scratch = val;
        return true;
    default:
        return false;
    }
}

static bool access_ok(uint64_t offset, unsigned int size, const char *what)
{
    if (size != 4 && size != 8) {
        emu_guest_error("%u-byte register %s at 0x%04llx: only 4 and 8 bytes are supported",
                        size, what, (unsigned long long)offset);
        return false;
    }
    if (offset % size != 0 || offset >= S5000_REGS_SIZE) {
        emu_guest_error("%u-byte register %s at 0x%llx: misaligned or out of range",
                        size, what, (unsigned long long)offset);
        return false;
    }
    return true;
}

static void log_bad_width(uint64_t offset, const char *what)
{
    const char *name = reg_name(offset);

    emu_guest_error("8-byte %s at 0x%04llx (%s): not a 64-bit register", what,
                    (unsigned long long)offset, name ? name : "unimplemented");
}

bool emu_regs_read(struct emu_regs *regs, uint64_t offset, unsigned int size, uint64_t *val)
{
    uint32_t val32;

    *val = 0;
    if (!access_ok(offset, size, "read"))
        return false;

    if (size == 8) {
        if (!is_reg64(offset)) {
            log_bad_width(offset, "read");
            return false;
        }
        *val = read64(regs, offset);
        return true;
    }

    if (!read32(regs, offset, &val32)) {
        emu_guest_error("read of unimplemented register 0x%04llx", (unsigned long long)offset);
        return false;
    }
    *val = val32;
    return true;
}

bool emu_regs_write(struct emu_regs *regs, uint64_t offset, unsigned int size, uint64_t val)
{
    const char *name = reg_name(offset);

    if (!access_ok(offset, size, "write"))
        return false;

    if (size == 4 && write32(regs, offset, (uint32_t)val))
        return true;

    if (size == 8 && !is_reg64(offset))
        log_bad_width(offset, "write");
    else if (name)
        emu_guest_error("write of 0x%llx to read-only register %s",
                        (unsigned long long)val, name);
    else
        emu_guest_error("write of 0x%llx to unimplemented register 0x%04llx",
                        (unsigned long long)val, (unsigned long long)offset);
    return false;
}
