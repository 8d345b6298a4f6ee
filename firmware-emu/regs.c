// SPDX-License-Identifier: MIT
/*
 * The control register file. Reads of unimplemented offsets return 0, as
 * reserved registers do on silicon; all-ones is what the guest sees when the
 * device is gone (QEMU returns it once the server has died), so keeping 0 here
 * lets a driver tell "reserved" from "fell off the bus".
 *
 * For TIMESTAMP the low half must be read first: that read samples the
 * counter, and the high half returns the upper word of that same sample, so
 * the pair never tears.
 */
#include "regs.h"

#include <string.h>
#include <time.h>

#include "../uapi/s5000.h"
#include "device.h"
#include "log.h"

/* Compute units (SM equivalents) the board reports; the S5000's count is not published. */
#define EMU_COMPUTE_UNITS 128

#define CTX_END (S5000_REG_CTX_BASE + S5000_MAX_CONTEXTS * S5000_REG_CTX_STRIDE)
#define QUEUE_END (S5000_REG_QUEUE_BASE + S5000_MAX_QUEUES * S5000_REG_QUEUE_STRIDE)
#define TELEMETRY_END (S5000_REG_TELEMETRY + 0x100)

void emu_regs_init(struct emu_regs *regs)
{
    atomic_init(&regs->reset_count, 0);
    emu_regs_reset(regs);
}

void emu_regs_reset(struct emu_regs *regs)
{
    regs->scratch = 0;
    regs->timestamp_latch = 0;
    atomic_store(&regs->control, 0);
    atomic_store(&regs->int_cause, 0);
    atomic_store(&regs->error, false);
}

uint64_t emu_timestamp_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * S5000_TIMESTAMP_FREQ_HZ +
           (uint64_t)ts.tv_nsec * S5000_TIMESTAMP_FREQ_HZ / 1000000000u;
}

/* ---------------------------------------------------------- global block */

static bool global_is64(uint64_t offset)
{
    switch (offset) {
    case S5000_REG_VRAM_SIZE:
    case S5000_REG_APERTURE_SIZE:
    case S5000_REG_TIMESTAMP:
    case S5000_REG_SERIAL:
    case S5000_REG_EVENT_RING_BASE:
    case S5000_REG_EVENT_RING_SIZE:
    case S5000_REG_EVENT_WPTR_ADDR:
    case S5000_REG_EVENT_RPTR:
    case S5000_REG_EVENTS_LOST:
        return true;
    default:
        return false;
    }
}

static uint32_t status(struct emu_device *dev)
{
    struct emu_regs *regs = &dev->regs;
    uint32_t val = 0;

    if (atomic_load(&dev->reset_pending))
        val |= S5000_STATUS_RESETTING;
    else if (atomic_load(&regs->control) & S5000_CONTROL_ENABLE)
        val |= S5000_STATUS_READY;
    if (atomic_load(&regs->error))
        val |= S5000_STATUS_ERROR;
    return val;
}

/* Four bytes of the NUL-padded product name, little-endian. */
static uint32_t name_word(uint64_t offset)
{
    char name[S5000_NAME_LEN] = EMU_PRODUCT_NAME;
    unsigned int at = (unsigned int)(offset - S5000_REG_NAME);

    _Static_assert(sizeof(EMU_PRODUCT_NAME) <= S5000_NAME_LEN, "product name too long");
    return (uint32_t)(uint8_t)name[at] | (uint32_t)(uint8_t)name[at + 1] << 8 |
           (uint32_t)(uint8_t)name[at + 2] << 16 | (uint32_t)(uint8_t)name[at + 3] << 24;
}

static bool global_read(struct emu_device *dev, uint64_t offset, uint64_t *val)
{
    struct emu_regs *regs = &dev->regs;

    if (offset >= S5000_REG_NAME && offset < S5000_REG_NAME + S5000_NAME_LEN) {
        *val = name_word(offset);
        return true;
    }
    switch (offset) {
    case S5000_REG_IDENT:           *val = S5000_IDENT_MAGIC; return true;
    case S5000_REG_VERSION:         *val = S5000_ABI_VERSION; return true;
    case S5000_REG_CAPS:            *val = S5000_CAP_EMULATED | S5000_CAP_KERNEL_LAUNCH; return true;
    case S5000_REG_NUM_QUEUES:      *val = dev->config.num_queues; return true;
    case S5000_REG_VRAM_SIZE:       *val = dev->config.vram_size; return true;
    case S5000_REG_APERTURE_SIZE:   *val = dev->config.aperture_size; return true;
    case S5000_REG_TIMESTAMP_FREQ:  *val = S5000_TIMESTAMP_FREQ_HZ; return true;
    case S5000_REG_NUM_VECTORS:     *val = S5000_MSIX_VECTORS; return true;
    case S5000_REG_NUM_CONTEXTS:    *val = S5000_MAX_CONTEXTS; return true;
    case S5000_REG_VA_BITS:         *val = S5000_VA_BITS; return true;
    case S5000_REG_COMPUTE_UNITS:   *val = EMU_COMPUTE_UNITS; return true;
    case S5000_REG_SERIAL:          *val = dev->config.serial; return true;
    case S5000_REG_SCRATCH:         *val = regs->scratch; return true;
    case S5000_REG_CONTROL:         *val = atomic_load(&regs->control); return true;
    case S5000_REG_STATUS:          *val = status(dev); return true;
    case S5000_REG_RESET_COUNT:     *val = (uint32_t)atomic_load(&regs->reset_count); return true;
    case S5000_REG_INT_CAUSE:       *val = atomic_load(&regs->int_cause); return true;
    case S5000_REG_TLB_INVALIDATE:  *val = 0; return true;      /* write-only */
    case S5000_REG_KICK:            *val = 0; return true;      /* write-only */
    case S5000_REG_TIMESTAMP:
        regs->timestamp_latch = emu_timestamp_now();
        *val = regs->timestamp_latch;
        return true;
    default:
        return emu_events_reg_read(dev, offset, val);
    }
}

static void write_control(struct emu_device *dev, uint32_t val)
{
    uint32_t old;

    if (val & ~(S5000_CONTROL_ENABLE | S5000_CONTROL_RESET))
        emu_guest_error("CONTROL: reserved bits 0x%x ignored",
                        val & ~(S5000_CONTROL_ENABLE | S5000_CONTROL_RESET));
    if (val & S5000_CONTROL_RESET) {
        emu_device_reset_request(dev);
        return;
    }
    old = atomic_exchange(&dev->regs.control, val & S5000_CONTROL_ENABLE);
    if (!(old & S5000_CONTROL_ENABLE) && (val & S5000_CONTROL_ENABLE))
        emu_cp_device_enabled(dev);
}

static void write_tlb_invalidate(struct emu_device *dev, uint32_t ctx)
{
    if (ctx >= S5000_MAX_CONTEXTS && ctx != S5000_TLB_ALL)
        emu_guest_error("TLB_INVALIDATE: no context %u", ctx);
    else
        emu_mmu_invalidate(&dev->mmu, ctx);
}

static void write_kick(struct emu_device *dev, uint32_t queue)
{
    if (queue >= dev->config.num_queues)
        emu_guest_error("KICK: no queue %u", queue);
    else
        emu_cp_kick(dev, &dev->queue[queue]);
}

/*
 * Like every block's write function: false only if offset is no writable
 * register; a bad value is logged here and dropped.
 */
static bool global_write(struct emu_device *dev, uint64_t offset, uint64_t val)
{
    switch (offset) {
    case S5000_REG_SCRATCH:
        dev->regs.scratch = (uint32_t)val;
        return true;
    case S5000_REG_CONTROL:
        write_control(dev, (uint32_t)val);
        return true;
    case S5000_REG_INT_CAUSE:
        atomic_fetch_and(&dev->regs.int_cause, ~(uint32_t)val);
        return true;
    case S5000_REG_TLB_INVALIDATE:
        write_tlb_invalidate(dev, (uint32_t)val);
        return true;
    case S5000_REG_KICK:
        write_kick(dev, (uint32_t)val);
        return true;
    default:
        return emu_events_reg_write(dev, offset, val);
    }
}

/* ------------------------------------------------------------- decode */

/* Which block an offset falls in, and the register's offset within its context or queue. */
enum block { BLOCK_GLOBAL, BLOCK_CTX, BLOCK_QUEUE, BLOCK_TELEMETRY };

struct decoded {
    enum block block;
    unsigned int index;                 /* context or queue */
    uint64_t r;                         /* offset in the context's or queue's registers */
};

static struct decoded decode(uint64_t offset)
{
    uint64_t ctx = offset - S5000_REG_CTX_BASE, queue = offset - S5000_REG_QUEUE_BASE;

    if (offset >= S5000_REG_CTX_BASE && offset < CTX_END)
        return (struct decoded){ BLOCK_CTX, (unsigned int)(ctx / S5000_REG_CTX_STRIDE),
                                 ctx % S5000_REG_CTX_STRIDE };
    if (offset >= S5000_REG_QUEUE_BASE && offset < QUEUE_END)
        return (struct decoded){ BLOCK_QUEUE, (unsigned int)(queue / S5000_REG_QUEUE_STRIDE),
                                 queue % S5000_REG_QUEUE_STRIDE };
    if (offset >= S5000_REG_TELEMETRY && offset < TELEMETRY_END)
        return (struct decoded){ BLOCK_TELEMETRY, 0, offset };
    return (struct decoded){ BLOCK_GLOBAL, 0, offset };
}

/* Whether the register starting at offset is 64 bits wide. */
static bool is_reg64(uint64_t offset)
{
    struct decoded d = decode(offset);

    switch (d.block) {
    case BLOCK_CTX:       return emu_ctx_reg_is64(d.r);
    case BLOCK_QUEUE:     return emu_queue_reg_is64(d.r);
    case BLOCK_TELEMETRY: return emu_telemetry_reg_is64(d.r);
    default:              return global_is64(d.r);
    }
}

/* The whole register at offset; false if there is none. */
static bool read_reg(struct emu_device *dev, uint64_t offset, uint64_t *val)
{
    struct decoded d = decode(offset);

    *val = 0;
    switch (d.block) {
    case BLOCK_CTX:       return emu_ctx_reg_read(dev, d.index, d.r, val);
    case BLOCK_QUEUE:     return emu_queue_reg_read(dev, d.index, d.r, val);
    case BLOCK_TELEMETRY: return emu_telemetry_reg_read(&dev->telemetry, d.r, val);
    default:              return global_read(dev, d.r, val);
    }
}

static bool write_reg(struct emu_device *dev, uint64_t offset, uint64_t val)
{
    struct decoded d = decode(offset);

    switch (d.block) {
    case BLOCK_CTX:       return emu_ctx_reg_write(dev, d.index, d.r, val);
    case BLOCK_QUEUE:     return emu_queue_reg_write(dev, d.index, d.r, val);
    case BLOCK_TELEMETRY: return false;     /* all read-only */
    default:              return global_write(dev, d.r, val);
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

/* The upper half of a 64-bit register, read after its lower half. */
static bool read_high(struct emu_device *dev, uint64_t reg, uint64_t *val)
{
    if (reg == S5000_REG_TIMESTAMP) {
        *val = dev->regs.timestamp_latch >> 32;
        return true;
    }
    if (!read_reg(dev, reg, val))
        return false;
    *val >>= 32;
    return true;
}

bool emu_regs_read(struct emu_device *dev, uint64_t offset, unsigned int size, uint64_t *val)
{
    bool good;

    *val = 0;
    if (!access_ok(offset, size, "read"))
        return false;
    if (size == 8 && !is_reg64(offset)) {
        emu_guest_error("8-byte read at 0x%04llx: not a 64-bit register",
                        (unsigned long long)offset);
        return false;
    }
    if (size == 4 && offset % 8 == 4 && is_reg64(offset - 4))
        good = read_high(dev, offset - 4, val);
    else
        good = read_reg(dev, offset, val);
    if (!good) {
        emu_guest_error("read of unimplemented register 0x%04llx", (unsigned long long)offset);
        *val = 0;
        return false;
    }
    if (size == 4)
        *val &= 0xffffffffu;
    return true;
}

/* A 32-bit write to one half of a 64-bit register: merged with the other half. */
static bool write_half(struct emu_device *dev, uint64_t reg, bool high, uint32_t val)
{
    uint64_t old;

    if (!read_reg(dev, reg, &old))
        return false;
    if (high)
        return write_reg(dev, reg, (old & 0xffffffffu) | (uint64_t)val << 32);
    return write_reg(dev, reg, (old & ~0xffffffffull) | val);
}

static bool dispatch_write(struct emu_device *dev, uint64_t offset, unsigned int size, uint64_t val)
{
    if (size == 8)
        return is_reg64(offset) && write_reg(dev, offset, val);
    if (is_reg64(offset))
        return write_half(dev, offset, false, (uint32_t)val);
    if (offset % 8 == 4 && is_reg64(offset - 4))
        return write_half(dev, offset - 4, true, (uint32_t)val);
    return write_reg(dev, offset, val & 0xffffffffu);
}

bool emu_regs_write(struct emu_device *dev, uint64_t offset, unsigned int size, uint64_t val)
{
    if (!access_ok(offset, size, "write"))
        return false;
    if (atomic_load(&dev->reset_pending)) {
        emu_guest_error("write of 0x%llx to 0x%04llx while the device resets: dropped",
                        (unsigned long long)val, (unsigned long long)offset);
        return false;
    }
    if (!dispatch_write(dev, offset, size, val)) {
        emu_guest_error("%u-byte write of 0x%llx to 0x%04llx: not a writable register%s",
                        size, (unsigned long long)val, (unsigned long long)offset,
                        size == 8 && !is_reg64(offset) ? " of 64 bits" : "");
        return false;
    }
    return true;
}
