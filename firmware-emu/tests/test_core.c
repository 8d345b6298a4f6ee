// SPDX-License-Identifier: MIT
/*
 * Unit tests of the device core (register file, DMA table, BAR0 decode):
 * no socket, no libvfio-user.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../uapi/s5000.h"
#include "device.h"
#include "dma.h"
#include "log.h"
#include "regs.h"
#include "tap.h"

#define VRAM (5ull << 30)  /* above 4 GiB, so both halves matter */
#define APERTURE (64ull << 20)

static uint64_t rd(struct emu_regs *regs, uint64_t offset, unsigned int size, bool *good)
{
    uint64_t val;

    *good = emu_regs_read(regs, offset, size, &val);
    return val;
}

static void test_identity(struct emu_regs *regs)
{
    bool good;

    ok(rd(regs, S5000_REG_IDENT, 4, &good) == S5000_IDENT_MAGIC && good, "IDENT");
    ok(rd(regs, S5000_REG_VERSION, 4, &good) == S5000_ABI_VERSION && good, "VERSION");
    ok(rd(regs, S5000_REG_CAPS, 4, &good) == S5000_CAP_EMULATED, "CAPS has EMULATED");
    ok(rd(regs, S5000_REG_NUM_QUEUES, 4, &good) == S5000_MAX_QUEUES, "NUM_QUEUES");
    ok(rd(regs, S5000_REG_NUM_VECTORS, 4, &good) == S5000_MSIX_VECTORS, "NUM_VECTORS");
    ok(rd(regs, S5000_REG_TIMESTAMP_FREQ, 4, &good) == S5000_TIMESTAMP_FREQ_HZ,
       "TIMESTAMP_FREQ");
}

static void test_wide(struct emu_regs *regs)
{
    bool good;
    uint64_t lo, hi, t0, t1;

    ok(rd(regs, S5000_REG_VRAM_SIZE, 8, &good) == VRAM && good, "VRAM_SIZE as 64 bits");
    lo = rd(regs, S5000_REG_VRAM_SIZE, 4, &good);
    hi = rd(regs, S5000_REG_VRAM_SIZE + 4, 4, &good);
    ok((hi << 32 | lo) == VRAM && hi != 0, "VRAM_SIZE as two halves");
    ok(rd(regs, S5000_REG_APERTURE_SIZE, 8, &good) == APERTURE, "APERTURE_SIZE");

    t0 = rd(regs, S5000_REG_TIMESTAMP, 8, &good);
    usleep(2000);
    t1 = rd(regs, S5000_REG_TIMESTAMP, 8, &good);
    ok(t1 - t0 >= 2000 * (S5000_TIMESTAMP_FREQ_HZ / 1000000) && t1 - t0 < S5000_TIMESTAMP_FREQ_HZ,
       "TIMESTAMP advances at 100 MHz (%llu ticks in 2 ms)", (unsigned long long)(t1 - t0));

    lo = rd(regs, S5000_REG_TIMESTAMP, 4, &good);
    usleep(1000);
    hi = rd(regs, S5000_REG_TIMESTAMP + 4, 4, &good);
    ok((hi << 32 | lo) == regs->timestamp_latch, "TIMESTAMP halves come from one sample");
}

static void test_errors(struct emu_regs *regs)
{
    bool good;
    uint64_t val;

    ok(rd(regs, 0x1000, 4, &good) == 0 && !good, "unimplemented offset reads 0");
    ok(rd(regs, S5000_REG_IDENT + 2, 4, &good) == 0 && !good, "misaligned read refused");
    ok(rd(regs, S5000_REG_IDENT, 2, &good) == 0 && !good, "2-byte read refused");
    ok(rd(regs, S5000_REG_IDENT, 8, &good) == 0 && !good, "8-byte read of 32-bit register refused");
    ok(rd(regs, S5000_REGS_SIZE, 4, &good) == 0 && !good, "read past the register block refused");
    ok(!emu_regs_write(regs, S5000_REG_IDENT, 4, 0) &&
       emu_regs_read(regs, S5000_REG_IDENT, 4, &val) && val == S5000_IDENT_MAGIC,
       "write to IDENT ignored");
    ok(!emu_regs_write(regs, S5000_REG_VRAM_SIZE, 8, 1) &&
       rd(regs, S5000_REG_VRAM_SIZE, 8, &good) == VRAM, "write to VRAM_SIZE ignored");
    ok(!emu_regs_write(regs, S5000_REG_SCRATCH, 8, 1), "8-byte write to SCRATCH refused");
}

static void test_scratch(struct emu_regs *regs)
{
    bool good;

    ok(emu_regs_write(regs, S5000_REG_SCRATCH, 4, 0xdeadbeef) &&
       rd(regs, S5000_REG_SCRATCH, 4, &good) == 0xdeadbeef, "SCRATCH reads back");
    emu_regs_reset(regs);
    emu_regs_reset(regs);
    ok(rd(regs, S5000_REG_SCRATCH, 4, &good) == 0, "SCRATCH is 0 after (double) reset");
}

static void test_dma(void)
{
    static struct emu_dma_table table;
    static uint8_t ram[2][4096];

    emu_dma_init(&table);
    ok(emu_dma_add(&table, 0x100000, sizeof(ram[0]), ram[0], PROT_READ | PROT_WRITE) &&
       emu_dma_add(&table, 0x200000, sizeof(ram[1]), ram[1], PROT_READ), "two regions added");
    ok(!emu_dma_add(&table, 0x100800, 4096, ram[1], PROT_READ), "overlapping region refused");
    ok(emu_dma_translate(&table, 0x100010, 16, PROT_WRITE) == ram[0] + 0x10, "translation");
    ok(emu_dma_translate(&table, 0x100ff8, 16, PROT_READ) == NULL, "range past a region end fails");
    ok(emu_dma_translate(&table, 0x200000, 8, PROT_WRITE) == NULL, "write to read-only region fails");
    ok(emu_dma_remove(&table, 0x100000, sizeof(ram[0])) &&
       emu_dma_translate(&table, 0x100010, 16, PROT_READ) == NULL, "removed region is gone");
    ok(!emu_dma_remove(&table, 0x100000, sizeof(ram[0])), "second remove fails");
}

static void test_bar0(void)
{
    struct emu_config config = { .vram_size = VRAM, .aperture_size = APERTURE };
    struct emu_device dev;
    uint32_t val = 0x12345678, back = 0;
    uint8_t pba[8];

    if (!ok(emu_device_init(&dev, &config) == 0, "device init"))
        return;
    emu_device_bar0_access(&dev, S5000_DOORBELL_OFFSET + 0x1000, &val, 4, true);
    emu_device_bar0_access(&dev, S5000_DOORBELL_OFFSET + 0x1000, &back, 4, false);
    ok(back == val, "doorbell page holds what was written");
    emu_device_reset(&dev);
    emu_device_bar0_access(&dev, S5000_DOORBELL_OFFSET + 0x1000, &back, 4, false);
    ok(back == 0, "reset clears the doorbell pages");

    memset(pba, 0xff, sizeof(pba));
    emu_device_bar0_access(&dev, S5000_MSIX_PBA_OFFSET, pba, sizeof(pba), false);
    ok(pba[0] == 0 && pba[7] == 0, "PBA reads 0");
    back = 1;
    emu_device_bar0_access(&dev, 0x18000, &back, 4, false);
    ok(back == 0, "hole between PBA and doorbells reads 0");
    emu_device_fini(&dev);
}

int main(void)
{
    struct emu_regs regs;

    /* The guest errors provoked here are expected; keep the output to TAP. */
    emu_log_set_level(EMU_LOG_ERROR);
    emu_regs_init(&regs, VRAM, APERTURE);
    test_identity(&regs);
    test_wide(&regs);
    test_errors(&regs);
    test_scratch(&regs);
    test_dma();
    test_bar0();
    return tap_done();
}
