// SPDX-License-Identifier: MIT
/*
 * Unit tests of the device core (register file, DMA table, BAR0 decode, reset,
 * the pending-vector seam): no socket, no libvfio-user.
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

static struct emu_device dev;

static uint64_t rd(uint64_t offset, unsigned int size, bool *good)
{
    uint64_t val;

    *good = emu_regs_read(&dev, offset, size, &val);
    return val;
}

static bool wr(uint64_t offset, unsigned int size, uint64_t val)
{
    return emu_regs_write(&dev, offset, size, val);
}

static void test_identity(void)
{
    bool good;

    ok(rd(S5000_REG_IDENT, 4, &good) == S5000_IDENT_MAGIC && good, "IDENT");
    ok(rd(S5000_REG_VERSION, 4, &good) == S5000_ABI_VERSION && good, "VERSION");
    ok(rd(S5000_REG_CAPS, 4, &good) == (S5000_CAP_EMULATED | S5000_CAP_KERNEL_LAUNCH),
       "CAPS has EMULATED and KERNEL_LAUNCH");
    ok(rd(S5000_REG_NUM_QUEUES, 4, &good) == 8, "NUM_QUEUES follows the configuration");
    ok(rd(S5000_REG_NUM_VECTORS, 4, &good) == S5000_MSIX_VECTORS, "NUM_VECTORS");
    ok(rd(S5000_REG_TIMESTAMP_FREQ, 4, &good) == S5000_TIMESTAMP_FREQ_HZ, "TIMESTAMP_FREQ");
    ok(rd(S5000_REG_SERIAL, 8, &good) == 0x5000123456789abcull && good, "SERIAL");
    ok(rd(S5000_REG_NAME, 4, &good) == ('M' | 'o' << 8 | 'o' << 16 | 'r' << 24),
       "NAME starts with the vendor");
}

static void test_wide(void)
{
    bool good;
    uint64_t lo, hi, t0, t1;

    ok(rd(S5000_REG_VRAM_SIZE, 8, &good) == VRAM && good, "VRAM_SIZE as 64 bits");
    lo = rd(S5000_REG_VRAM_SIZE, 4, &good);
    hi = rd(S5000_REG_VRAM_SIZE + 4, 4, &good);
    ok((hi << 32 | lo) == VRAM && hi != 0, "VRAM_SIZE as two halves");
    ok(rd(S5000_REG_APERTURE_SIZE, 8, &good) == APERTURE, "APERTURE_SIZE");

    t0 = rd(S5000_REG_TIMESTAMP, 8, &good);
    usleep(2000);
    t1 = rd(S5000_REG_TIMESTAMP, 8, &good);
    ok(t1 - t0 >= 2000 * (S5000_TIMESTAMP_FREQ_HZ / 1000000) && t1 - t0 < S5000_TIMESTAMP_FREQ_HZ,
       "TIMESTAMP advances at 100 MHz (%llu ticks in 2 ms)", (unsigned long long)(t1 - t0));

    lo = rd(S5000_REG_TIMESTAMP, 4, &good);
    usleep(1000);
    hi = rd(S5000_REG_TIMESTAMP + 4, 4, &good);
    ok((hi << 32 | lo) == dev.regs.timestamp_latch, "TIMESTAMP halves come from one sample");

    ok(wr(S5000_REG_QUEUE(1, S5000_QUEUE_RING_BASE), 4, 0x1000) &&
       wr(S5000_REG_QUEUE(1, S5000_QUEUE_RING_BASE) + 4, 4, 0x12) &&
       rd(S5000_REG_QUEUE(1, S5000_QUEUE_RING_BASE), 8, &good) == 0x1200001000ull,
       "a 64-bit register written as two halves");
}

static void test_errors(void)
{
    bool good;

    ok(rd(0x0f00, 4, &good) == 0 && !good, "unimplemented offset reads 0");
    ok(rd(S5000_REG_IDENT + 2, 4, &good) == 0 && !good, "misaligned read refused");
    ok(rd(S5000_REG_IDENT, 2, &good) == 0 && !good, "2-byte read refused");
    ok(rd(S5000_REG_IDENT, 8, &good) == 0 && !good, "8-byte read of 32-bit register refused");
    ok(rd(S5000_REGS_SIZE, 4, &good) == 0 && !good, "read past the register block refused");
    ok(!wr(S5000_REG_IDENT, 4, 0) && rd(S5000_REG_IDENT, 4, &good) == S5000_IDENT_MAGIC,
       "write to IDENT ignored");
    ok(!wr(S5000_REG_VRAM_SIZE, 8, 1) && rd(S5000_REG_VRAM_SIZE, 8, &good) == VRAM,
       "write to VRAM_SIZE ignored");
    ok(!wr(S5000_REG_SCRATCH, 8, 1), "8-byte write to SCRATCH refused");
    ok(rd(S5000_REG_QUEUE(8, S5000_QUEUE_STATUS), 4, &good) == 0 && !good,
       "queue past NUM_QUEUES has no registers");
    wr(S5000_REG_QUEUE(0, S5000_QUEUE_RING_ORDER), 4, 3);
    ok(rd(S5000_REG_QUEUE(0, S5000_QUEUE_RING_ORDER), 4, &good) == 0, "RING_ORDER 3 dropped");
    wr(S5000_REG_QUEUE(0, S5000_QUEUE_VECTOR), 4, S5000_MSIX_VECTORS);
    ok(rd(S5000_REG_QUEUE(0, S5000_QUEUE_VECTOR), 4, &good) == 0, "VECTOR past the last dropped");
    wr(S5000_REG_QUEUE(0, S5000_QUEUE_CONTROL), 4, S5000_QUEUE_ENABLE);
    ok(rd(S5000_REG_QUEUE(0, S5000_QUEUE_CONTROL), 4, &good) == 0 &&
       rd(S5000_REG_QUEUE(0, S5000_QUEUE_STATUS), 4, &good) == S5000_QSTATE_DISABLED,
       "ENABLE without RING_ORDER refused");
}

static void test_int_cause_and_vectors(void)
{
    bool good;

    atomic_fetch_or(&dev.regs.int_cause, S5000_INT_ECC | S5000_INT_PAGE_FAULT);
    wr(S5000_REG_INT_CAUSE, 4, S5000_INT_ECC);
    ok(rd(S5000_REG_INT_CAUSE, 4, &good) == S5000_INT_PAGE_FAULT, "INT_CAUSE is write-1-to-clear");

    emu_device_raise(&dev, 0);
    emu_device_raise(&dev, 5);
    emu_device_raise(&dev, 5);
    ok(emu_device_service(&dev) == ((1ull << 0) | (1ull << 5)), "raised vectors reach the service seam once");
    ok(emu_device_service(&dev) == 0, "... and are forgotten after");

    emu_device_inject_ecc(&dev, false);
    ok(rd(S5000_REG_ECC_CORRECTED, 8, &good) == 1 && (rd(S5000_REG_INT_CAUSE, 4, &good) & S5000_INT_ECC),
       "a corrected ECC error counts and sets INT_CAUSE");
    ok(emu_device_service(&dev) & 1, "... and raises the event vector");
}

static void test_telemetry(void)
{
    bool good;
    uint64_t now = emu_now_ns();
    uint32_t idle_power = (uint32_t)rd(S5000_REG_POWER_MW, 4, &good);

    ok(rd(S5000_REG_UTIL_COPY, 4, &good) == 0 && rd(S5000_REG_UTIL_COMPUTE, 4, &good) == 0,
       "an idle device is 0%% busy");
    ok(rd(S5000_REG_MEM_CLOCK_MAX_MHZ, 4, &good) * 1000000ull * rd(S5000_REG_MEM_BUS_WIDTH, 4, &good) / 8 ==
       1600000000000ull, "memory clock x bus width = 1.6 TB/s");
    emu_telemetry_account(&dev.telemetry, EMU_ENGINE_COPY, now - 500000000ull, now);
    ok(rd(S5000_REG_UTIL_COPY, 4, &good) >= 40 && rd(S5000_REG_UTIL_COPY, 4, &good) <= 50,
       "half a second of copying is about 50%% copy utilisation (%llu)",
       (unsigned long long)rd(S5000_REG_UTIL_COPY, 4, &good));
    ok(rd(S5000_REG_POWER_MW, 4, &good) > idle_power &&
       rd(S5000_REG_POWER_MW, 4, &good) <= rd(S5000_REG_POWER_LIMIT_MW, 4, &good),
       "power follows load, within the limit");
    ok(rd(S5000_REG_PCIE_GEN, 4, &good) == 5 && rd(S5000_REG_PCIE_WIDTH, 4, &good) == 16,
       "PCIe 5.0 x16");
}

static void test_reset(void)
{
    bool good;
    uint64_t resets = rd(S5000_REG_RESET_COUNT, 4, &good);

    wr(S5000_REG_SCRATCH, 4, 0xdeadbeef);
    wr(S5000_REG_CONTROL, 4, S5000_CONTROL_ENABLE);
    ok(rd(S5000_REG_STATUS, 4, &good) == S5000_STATUS_READY, "STATUS READY once enabled");
    wr(S5000_REG_CONTROL, 4, S5000_CONTROL_RESET);
    ok(rd(S5000_REG_STATUS, 4, &good) == 0 && rd(S5000_REG_SCRATCH, 4, &good) == 0 &&
       rd(S5000_REG_CONTROL, 4, &good) == 0, "CONTROL.RESET: power-on state (nothing was running)");
    ok(rd(S5000_REG_RESET_COUNT, 4, &good) == resets + 1, "RESET_COUNT counts it");
    ok(emu_device_reset(&dev, 100) && emu_device_reset(&dev, 100) &&
       rd(S5000_REG_RESET_COUNT, 4, &good) == resets + 3, "reset is idempotent");
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
    uint32_t val = 0x12345678, back = 0;
    uint8_t pba[8];

    emu_device_bar0_access(&dev, S5000_DOORBELL_PAGE(1) + 64, &val, 4, true);
    emu_device_bar0_access(&dev, S5000_DOORBELL_PAGE(1) + 64, &back, 4, false);
    ok(back == val, "doorbell page holds what was written");
    emu_device_reset(&dev, 100);
    emu_device_bar0_access(&dev, S5000_DOORBELL_PAGE(1) + 64, &back, 4, false);
    ok(back == 0, "reset clears the doorbell pages");

    memset(pba, 0xff, sizeof(pba));
    emu_device_bar0_access(&dev, S5000_MSIX_PBA_OFFSET, pba, sizeof(pba), false);
    ok(pba[0] == 0 && pba[7] == 0, "PBA reads 0");
    back = 1;
    emu_device_bar0_access(&dev, 0x18000, &back, 4, false);
    ok(back == 0, "hole between PBA and kick pages reads 0");
    back = 1;
    emu_device_bar0_access(&dev, S5000_KICK_PAGE(2), &back, 4, false);
    ok(back == 0, "kick pages read 0");
    val = atomic_load(&dev.counters.kicks);
    emu_device_bar0_access(&dev, S5000_KICK_PAGE(2) + 0x10, &back, 4, true);
    ok(atomic_load(&dev.counters.kicks) == val + 1, "a write anywhere in a kick page kicks");
    back = 1;
    emu_device_bar0_access(&dev, S5000_DOORBELL_END, &back, 4, false);
    ok(back == 0, "reserved area reads 0");
}

int main(void)
{
    struct emu_config config = {
        .vram_size = VRAM, .aperture_size = APERTURE, .num_queues = 8, .cp_threads = 2,
        .compute_threads = 1, .poll_us = 50, .serial = 0x5000123456789abcull,
    };

    /* The guest errors provoked here are expected; keep the output to TAP. */
    emu_log_set_level(EMU_LOG_ERROR);
    if (!ok(emu_device_init(&dev, &config) == 0, "device init"))
        return tap_done();
    test_identity();
    test_wide();
    test_errors();
    test_int_cause_and_vectors();
    test_telemetry();
    test_reset();
    test_dma();
    test_bar0();
    emu_device_fini(&dev);
    return tap_done();
}
