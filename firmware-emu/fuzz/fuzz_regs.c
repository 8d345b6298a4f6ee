// SPDX-License-Identifier: MIT
/*
 * fuzz_regs: sequences of trapped accesses to the device, as a driver (or a broken
 * one) makes them: 32- and 64-bit register reads and writes anywhere in the
 * register block, raw BAR0 accesses of any size (kick pages, doorbell pages, MSI-X,
 * holes), BAR2 writes that lay out page tables and packets in VRAM, doorbell writes,
 * the serving thread's service calls, the control interface's fault injections, and
 * pauses that let the command processors run. So an input can enable contexts and
 * queues, run packets, reset them and the device, and invalidate TLBs in any order.
 *
 * Checked on the way: a refused access reads 0; identity and size registers never
 * change; SCRATCH reads back what was written; STATUS says RESETTING exactly while a
 * reset is pending; registers hold only values they may hold. At the end the device
 * must reset within 2 s (else it hangs) into its power-on state.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_device.h"

#define PAGE            4096ull
#define MAX_IO          (64u << 10)

enum op {
    OP_WRITE32, OP_WRITE64, OP_READ32, OP_READ64, OP_BAR0, OP_BAR2, OP_DOORBELL, OP_SERVICE,
    OP_INJECT, OP_PAUSE, OP_GUEST_RAM, OP_COUNT,
};

static struct fuzz_device fd;
static uint8_t io[MAX_IO];

/* What the harness knows the registers must say. */
static struct {
    bool scratch_known;
    uint32_t scratch;
    uint64_t resets;
    bool ram_removed;
} model;

/* ----------------------------------------------------------------- picking */

static const uint16_t named[] = {
    S5000_REG_IDENT, S5000_REG_VERSION, S5000_REG_CAPS, S5000_REG_NUM_QUEUES,
    S5000_REG_VRAM_SIZE, S5000_REG_VRAM_SIZE + 4, S5000_REG_APERTURE_SIZE,
    S5000_REG_TIMESTAMP_FREQ, S5000_REG_NUM_VECTORS, S5000_REG_TIMESTAMP,
    S5000_REG_TIMESTAMP + 4, S5000_REG_NUM_CONTEXTS, S5000_REG_VA_BITS,
    S5000_REG_COMPUTE_UNITS, S5000_REG_SERIAL, S5000_REG_SCRATCH, S5000_REG_NAME,
    S5000_REG_NAME + 28, S5000_REG_CONTROL, S5000_REG_STATUS, S5000_REG_RESET_COUNT,
    S5000_REG_INT_CAUSE, S5000_REG_EVENT_RING_BASE, S5000_REG_EVENT_RING_SIZE,
    S5000_REG_EVENT_WPTR_ADDR, S5000_REG_EVENT_RPTR, S5000_REG_EVENTS_LOST,
    S5000_REG_TLB_INVALIDATE, S5000_REG_KICK, S5000_REG_TEMP_MC, S5000_REG_POWER_MW,
    S5000_REG_UTIL_COMPUTE, S5000_REG_UTIL_COPY, S5000_REG_ECC_CORRECTED,
    S5000_REG_ECC_UNCORRECTED, S5000_REG_LINK_BANDWIDTH_MBPS,
};

static uint64_t pick_reg(struct fuzz_input *in)
{
    uint8_t sel = fuzz_u8(in);

    if (sel < 0x70)
        return named[sel % (sizeof(named) / sizeof(named[0]))];
    if (sel < 0xf0) {
        unsigned int index = fuzz_u8(in), r = fuzz_u8(in);

        return sel < 0xa0 ? S5000_REG_CTX(index % 8, r % 4 * 4) :
               S5000_REG_QUEUE(index % (FUZZ_QUEUES + 1), r % 16 * 4);
    }
    return fuzz_u16(in) + (sel == 0xff ? S5000_REGS_SIZE : 0);
}

static uint64_t pick_value(struct fuzz_input *in)
{
    uint8_t sel = fuzz_u8(in);

    if (sel < 0x40)
        return sel % 8;
    if (sel < 0x80)
        return 1ull << (sel % 64);
    if (sel < 0xa0)
        return (uint64_t)fuzz_u8(in) * PAGE;            /* a VRAM page */
    if (sel < 0xc0)
        return 0x40000000ull + (uint64_t)fuzz_u16(in) * 64;   /* the seeds' VA range */
    if (sel < 0xd0)
        return S5000_TLB_ALL;
    return fuzz_u64(in);
}

/* ---------------------------------------------------------------- checking */

/* Whether a write of size bytes at offset may reach the register at reg. */
static bool touches(uint64_t offset, unsigned int size, uint64_t reg)
{
    return offset < reg + 4 && reg < offset + size;
}

static void forget_scratch_if(uint64_t offset, unsigned int size)
{
    if (touches(offset, size, S5000_REG_SCRATCH) || touches(offset, size, S5000_REG_CONTROL))
        model.scratch_known = false;
}

static void check_constant(uint64_t offset, unsigned int size, uint64_t val)
{
    uint64_t want;

    switch (offset) {
    case S5000_REG_IDENT:          want = S5000_IDENT_MAGIC; break;
    case S5000_REG_VERSION:        want = S5000_ABI_VERSION; break;
    case S5000_REG_NUM_QUEUES:     want = FUZZ_QUEUES; break;
    case S5000_REG_NUM_CONTEXTS:   want = S5000_MAX_CONTEXTS; break;
    case S5000_REG_VA_BITS:        want = S5000_VA_BITS; break;
    case S5000_REG_NUM_VECTORS:    want = S5000_MSIX_VECTORS; break;
    case S5000_REG_VRAM_SIZE:      want = FUZZ_VRAM_SIZE; break;
    case S5000_REG_APERTURE_SIZE:  want = FUZZ_APERTURE_SIZE; break;
    case S5000_REG_SERIAL:         want = fd.dev.config.serial; break;
    default:                       return;
    }
    if (size == 4)
        want &= 0xffffffffu;
    fuzz_check(val == want, "register 0x%llx reads 0x%llx, not 0x%llx", (unsigned long long)offset,
               (unsigned long long)val, (unsigned long long)want);
}

static void check_status(uint64_t val)
{
    bool resetting = atomic_load(&fd.dev.reset_pending);
    bool enabled = atomic_load(&fd.dev.regs.control) & S5000_CONTROL_ENABLE;

    fuzz_check(!(val & ~7ull), "STATUS 0x%llx has undefined bits", (unsigned long long)val);
    fuzz_check(!!(val & S5000_STATUS_RESETTING) == resetting,
               "STATUS 0x%llx while a reset is %spending", (unsigned long long)val,
               resetting ? "" : "not ");
    fuzz_check(!!(val & S5000_STATUS_READY) == (enabled && !resetting),
               "STATUS 0x%llx with CONTROL.ENABLE %d", (unsigned long long)val, enabled);
}

/* The values a queue register may hold. */
static void check_queue_reg(uint64_t r, uint64_t val)
{
    bool fine = true;

    switch (r) {
    case S5000_QUEUE_RING_BASE:  fine = val % S5000_PACKET_SIZE == 0; break;
    case S5000_QUEUE_RPTR_ADDR:  fine = val % 8 == 0; break;
    case S5000_QUEUE_RING_ORDER: fine = val == 0 || (val >= 4 && val <= 20); break;
    case S5000_QUEUE_CONTEXT:    fine = val < S5000_MAX_CONTEXTS; break;
    case S5000_QUEUE_VECTOR:     fine = val < S5000_MSIX_VECTORS; break;
    case S5000_QUEUE_PRIORITY:   fine = val <= S5000_QUEUE_PRIORITY_MAX; break;
    case S5000_QUEUE_CONTROL:    fine = val <= S5000_QUEUE_ENABLE; break;
    case S5000_QUEUE_STATUS:     fine = val <= S5000_QSTATE_ERROR; break;
    case S5000_QUEUE_ERROR:      fine = val <= S5000_ERR_KERNEL_FAULT; break;
    }
    fuzz_check(fine, "queue register 0x%02llx holds 0x%llx", (unsigned long long)r,
               (unsigned long long)val);
}

static void check_read(uint64_t offset, unsigned int size, bool good, uint64_t val)
{
    uint64_t q = offset - S5000_REG_QUEUE_BASE;

    if (!good) {
        fuzz_check(val == 0, "a refused read of 0x%llx gave 0x%llx", (unsigned long long)offset,
                   (unsigned long long)val);
        return;
    }
    check_constant(offset, size, val);
    if (offset == S5000_REG_SCRATCH && model.scratch_known)
        fuzz_check(val == model.scratch, "SCRATCH reads 0x%llx after 0x%x was written",
                   (unsigned long long)val, model.scratch);
    if (offset == S5000_REG_STATUS)
        check_status(val);
    if (offset == S5000_REG_CONTROL)
        fuzz_check(val <= S5000_CONTROL_ENABLE, "CONTROL reads 0x%llx", (unsigned long long)val);
    if (offset == S5000_REG_INT_CAUSE)
        fuzz_check(val <= 0x1f, "INT_CAUSE has undefined bits: 0x%llx", (unsigned long long)val);
    if (offset == S5000_REG_RESET_COUNT) {
        fuzz_check(val >= (uint32_t)model.resets, "RESET_COUNT went back");
        model.resets = val;
    }
    /* Upper halves are offsets no check_queue_reg() case names. */
    if (offset >= S5000_REG_QUEUE_BASE && q < FUZZ_QUEUES * S5000_REG_QUEUE_STRIDE)
        check_queue_reg(q % S5000_REG_QUEUE_STRIDE, val);
}

/* ---------------------------------------------------------------- operations */

static void op_write(struct fuzz_input *in, unsigned int size)
{
    uint64_t offset = pick_reg(in), val = pick_value(in);
    bool resetting = atomic_load(&fd.dev.reset_pending);
    bool done = emu_regs_write(&fd.dev, offset, size, val);

    forget_scratch_if(offset, size);
    if (done && offset == S5000_REG_SCRATCH) {
        model.scratch = (uint32_t)val;
        model.scratch_known = true;
    }
    fuzz_check(!(done && resetting), "a write to 0x%llx was taken during a reset",
               (unsigned long long)offset);
}

static void op_read(struct fuzz_input *in, unsigned int size)
{
    uint64_t offset = pick_reg(in), val = 0xdeadbeefdeadbeefull, low;
    bool good = emu_regs_read(&fd.dev, offset, size, &val);

    check_read(offset, size, good, val);
    /* A constant 64-bit register reads the same as two halves. */
    if (good && size == 8 && (offset == S5000_REG_VRAM_SIZE || offset == S5000_REG_SERIAL ||
                              offset == S5000_REG_APERTURE_SIZE)) {
        low = fuzz_reg_read(&fd, offset, 4);
        fuzz_check((fuzz_reg_read(&fd, offset + 4, 4) << 32 | low) == val,
                   "64-bit register 0x%llx: its halves disagree", (unsigned long long)offset);
    }
}

static uint32_t pick_count(struct fuzz_input *in)
{
    static const uint32_t counts[] = { 1, 2, 4, 8, 3, 16, 64, 4096 };
    uint8_t sel = fuzz_u8(in);

    return sel < 0xf0 ? counts[sel % 8] : fuzz_u16(in) % MAX_IO + 1;
}

/* Raw BAR0 accesses: offsets anywhere, as the transport delivers them (inside the BAR). */
static void op_bar0(struct fuzz_input *in)
{
    uint8_t area = fuzz_u8(in);
    uint64_t offset = area < 0x40 ? pick_reg(in) :
                      area < 0x80 ? S5000_KICK_OFFSET + fuzz_u32(in) % 0x20000 :
                      area < 0xc0 ? S5000_DOORBELL_OFFSET + fuzz_u32(in) % 0x20000 :
                      fuzz_u32(in) % S5000_BAR0_SIZE;
    uint32_t count = pick_count(in);
    bool write = fuzz_u8(in) & 1;

    offset %= S5000_BAR0_SIZE;
    if (count > S5000_BAR0_SIZE - offset)
        count = (uint32_t)(S5000_BAR0_SIZE - offset);
    if (write) {
        fuzz_bytes(in, io, count);
        forget_scratch_if(offset, count);
    } else {
        memset(io, 0xa5, count);
    }
    fuzz_check(emu_device_bar0_access(&fd.dev, offset, io, count, write),
               "a BAR0 access failed on the host side");
    if (!write && offset < S5000_REGS_SIZE && (count == 4 || count == 8)) {
        uint64_t val = 0;

        memcpy(&val, io, count);
        if (val)
            check_read(offset, count, true, val);
    }
    /* MSI-X (emulated by the VMM), holes and kick pages read 0, and so does a straddler. */
    if (!write && offset >= S5000_REGS_SIZE &&
        !(offset >= S5000_DOORBELL_OFFSET && offset < S5000_DOORBELL_END))
        for (uint32_t i = 0; i < count; i++)
            fuzz_check(io[i] == 0, "BAR0 0x%llx: reads nonzero", (unsigned long long)offset);
}

/* BAR2: mostly where the seeds keep page tables, rings and data; sometimes past the end. */
static void op_bar2(struct fuzz_input *in)
{
    uint8_t sel = fuzz_u8(in);
    uint64_t area = sel % 4 == 0 ? 0x100000 : sel % 4 * PAGE;   /* ring or table pages */
    uint64_t offset = sel < 0xf0 ? area + (fuzz_u16(in) % 0x200) * 8 : fuzz_u64(in);
    uint32_t count = fuzz_u8(in) < 0xf0 ? fuzz_u8(in) % 64 + 1 : pick_count(in);
    bool write = fuzz_u8(in) % 4 != 0, done, inside;

    if (write)
        fuzz_bytes(in, io, count);
    inside = offset <= FUZZ_APERTURE_SIZE && count <= FUZZ_APERTURE_SIZE - offset;
    done = emu_device_bar2_access(&fd.dev, offset, io, count, write);
    fuzz_check(done == inside, "BAR2 access of %u bytes at 0x%llx: %s", count,
               (unsigned long long)offset, done ? "done past the aperture" : "refused");
}

static void op_doorbell(struct fuzz_input *in)
{
    unsigned int q = fuzz_u8(in) % FUZZ_QUEUES;
    uint8_t sel = fuzz_u8(in);
    uint64_t wptr = sel < 0xf0 ? sel % 32 : fuzz_u64(in);

    __atomic_store_n(&fuzz_doorbell(&fd, q)->wptr, wptr, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (fuzz_doorbell(&fd, q)->cp_sleeping || sel & 1)
        fuzz_queue_kick(&fd, q);
}

/* What the control interface can do to the device. */
static void op_inject(struct fuzz_input *in)
{
    switch (fuzz_u8(in) % 4) {
    case 0: emu_device_inject_ecc(&fd.dev, false); break;
    case 1: emu_device_inject_ecc(&fd.dev, true); break;
    case 2: emu_device_fail_next_dma(&fd.dev); break;
    default: emu_cp_hang_queue(&fd.dev, &fd.dev.queue[fuzz_u8(in) % FUZZ_QUEUES]); break;
    }
}

/* Guest RAM taken away and given back, as a DMA unmap and map do it. */
static void op_guest_ram(void)
{
    pthread_rwlock_wrlock(&fd.dev.mem.dma_lock);
    if (model.ram_removed)
        emu_dma_add(&fd.dev.dma, FUZZ_RAM_BUS, FUZZ_RAM_SIZE, fd.ram, PROT_READ | PROT_WRITE);
    else
        emu_dma_remove(&fd.dev.dma, FUZZ_RAM_BUS, FUZZ_RAM_SIZE);
    pthread_rwlock_unlock(&fd.dev.mem.dma_lock);
    model.ram_removed = !model.ram_removed;
}

static void run_op(struct fuzz_input *in, enum op op)
{
    switch (op) {
    case OP_WRITE32:    op_write(in, 4); break;
    case OP_WRITE64:    op_write(in, 8); break;
    case OP_READ32:     op_read(in, 4); break;
    case OP_READ64:     op_read(in, 8); break;
    case OP_BAR0:       op_bar0(in); break;
    case OP_BAR2:       op_bar2(in); break;
    case OP_DOORBELL:   op_doorbell(in); break;
    case OP_SERVICE:    emu_device_service(&fd.dev); break;
    case OP_INJECT:     op_inject(in); break;
    case OP_PAUSE:      usleep(fuzz_u8(in) * 10u); break;
    default:            op_guest_ram(); break;
    }
}

/* ------------------------------------------------------------ the end state */

static void check_power_on(uint64_t resets_before)
{
    fuzz_check(fuzz_reg_read(&fd, S5000_REG_CONTROL, 4) == 0 &&
               fuzz_reg_read(&fd, S5000_REG_STATUS, 4) == 0 &&
               fuzz_reg_read(&fd, S5000_REG_SCRATCH, 4) == 0 &&
               fuzz_reg_read(&fd, S5000_REG_INT_CAUSE, 4) == S5000_INT_RESET_DONE &&
               fuzz_reg_read(&fd, S5000_REG_EVENT_RING_SIZE, 8) == 0,
               "after a reset the global registers are not at power-on values");
    fuzz_check(fuzz_reg_read(&fd, S5000_REG_RESET_COUNT, 4) == (uint32_t)(resets_before + 1),
               "RESET_COUNT did not count the reset");
    for (unsigned int q = 0; q < FUZZ_QUEUES; q++) {
        const struct s5000_doorbell *db = fuzz_doorbell(&fd, q);

        fuzz_check(fuzz_reg_read(&fd, S5000_REG_QUEUE(q, S5000_QUEUE_STATUS), 4) == 0 &&
                   fuzz_reg_read(&fd, S5000_REG_QUEUE(q, S5000_QUEUE_RING_ORDER), 4) == 0 &&
                   db->state == 0 && db->wptr == 0 && db->rptr == 0 && db->error == 0,
                   "after a reset queue %u is not at power-on values", q);
    }
    for (unsigned int c = 0; c < S5000_MAX_CONTEXTS; c++)
        fuzz_check(fuzz_reg_read(&fd, S5000_REG_CTX(c, S5000_CTX_PT_ROOT), 8) == 0 &&
                   fuzz_reg_read(&fd, S5000_REG_CTX(c, S5000_CTX_CONTROL), 4) == 0 &&
                   fuzz_reg_read(&fd, S5000_REG_CTX(c, S5000_CTX_STATUS), 4) == 0,
                   "after a reset context %u is not at power-on values", c);
}

void fuzz_harness_init(void)
{
    fuzz_device_init(&fd, 1);
}

void fuzz_harness_run(struct fuzz_input *in)
{
    uint64_t resets;

    fuzz_device_reset(&fd);
    model.scratch_known = true;
    model.scratch = 0;
    model.resets = fuzz_reg_read(&fd, S5000_REG_RESET_COUNT, 4);
    for (unsigned int n = 0; n < 256 && fuzz_more(in); n++)
        run_op(in, (enum op)(fuzz_u8(in) % OP_COUNT));
    if (model.ram_removed)
        op_guest_ram();
    resets = fuzz_reg_read(&fd, S5000_REG_RESET_COUNT, 4);
    /* A reset still pending completes as this one. */
    if (!emu_device_reset(&fd.dev, 2000))
        fuzz_fail("hang", "the device did not reset within 2 s");
    check_power_on(resets);
}

/* ------------------------------------------------------------------ seeds */

static void seed_reg(struct fuzz_output *out, enum op op, uint16_t offset)
{
    fuzz_put_u8(out, op);
    fuzz_put_u8(out, 0xf0);             /* a raw offset */
    fuzz_put_u16(out, offset);
}

static void seed_write(struct fuzz_output *out, unsigned int size, uint16_t offset, uint64_t val)
{
    seed_reg(out, size == 8 ? OP_WRITE64 : OP_WRITE32, offset);
    fuzz_put_u8(out, 0xff);             /* a raw value */
    fuzz_put_u64(out, val);
}

static void seed_bar2(struct fuzz_output *out, uint64_t offset, const void *data, uint16_t size)
{
    fuzz_put_u8(out, OP_BAR2);
    fuzz_put_u8(out, 0xff);
    fuzz_put_u64(out, offset);
    fuzz_put_u8(out, 0xff);             /* count from pick_count() */
    fuzz_put_u8(out, 0xff);
    fuzz_put_u16(out, (uint16_t)(size - 1));
    fuzz_put_u8(out, 1);                /* a write */
    fuzz_put_bytes(out, data, size);
}

static void seed_pte(struct fuzz_output *out, uint64_t table, unsigned int index, uint64_t pte)
{
    seed_bar2(out, table + index * 8, &pte, sizeof(pte));
}

#define SEED_VA         0x40000000ull   /* ring, then data, then code, then descriptor */
#define SEED_VRAM       0x100000ull

/* Context 1 maps four pages at SEED_VA; queue 0 runs its ring there. */
static void seed_bring_up(struct fuzz_output *out)
{
    seed_pte(out, 0x1000, 0, 0x2000 | S5000_PTE_VALID);
    seed_pte(out, 0x2000, 1, 0x3000 | S5000_PTE_VALID);
    seed_pte(out, 0x3000, 0, 0x4000 | S5000_PTE_VALID);
    for (unsigned int i = 0; i < 4; i++)
        seed_pte(out, 0x4000, i, (SEED_VRAM + i * PAGE) | S5000_PTE_VALID |
                 (i == 2 ? S5000_PTE_EXEC : S5000_PTE_WRITE));
    seed_write(out, 8, S5000_REG_CTX(1, S5000_CTX_PT_ROOT), 0x1000);
    seed_write(out, 4, S5000_REG_CTX(1, S5000_CTX_CONTROL), S5000_CTX_ENABLE);
    seed_write(out, 8, S5000_REG_QUEUE(0, S5000_QUEUE_RING_BASE), SEED_VA);
    seed_write(out, 8, S5000_REG_QUEUE(0, S5000_QUEUE_RPTR_ADDR), SEED_VA + PAGE + 0x800);
    seed_write(out, 4, S5000_REG_QUEUE(0, S5000_QUEUE_RING_ORDER), 4);
    seed_write(out, 4, S5000_REG_QUEUE(0, S5000_QUEUE_CONTEXT), 1);
    seed_write(out, 4, S5000_REG_QUEUE(0, S5000_QUEUE_VECTOR), 1);
    seed_write(out, 4, S5000_REG_QUEUE(0, S5000_QUEUE_CONTROL), S5000_QUEUE_ENABLE);
}

static void seed_packet(struct fuzz_output *out, unsigned int slot, const void *packet)
{
    seed_bar2(out, SEED_VRAM + slot * S5000_PACKET_SIZE, packet, S5000_PACKET_SIZE);
}

static void seed_submit(struct fuzz_output *out, uint8_t wptr)
{
    fuzz_put_u8(out, OP_DOORBELL);
    fuzz_put_u8(out, 0);
    fuzz_put_u8(out, wptr | 1);         /* odd: kick as well */
    fuzz_put_u8(out, OP_PAUSE);
    fuzz_put_u8(out, 200);
    seed_reg(out, OP_READ32, S5000_REG_QUEUE(0, S5000_QUEUE_STATUS));
    seed_reg(out, OP_READ64, S5000_REG_QUEUE(0, S5000_QUEUE_RPTR));
    seed_reg(out, OP_READ32, S5000_REG_INT_CAUSE);
}

static void seed_copy_work(struct fuzz_output *out)
{
    struct s5000_pkt_fill fill = {
        .header = S5000_PKT_HEADER(S5000_PKT_FILL, 4, 0), .dst = SEED_VA + PAGE,
        .size = 256, .pattern = 0x5a5a5a5a,
    };
    struct s5000_pkt_copy copy = {
        .header = S5000_PKT_HEADER(S5000_PKT_COPY, 0, S5000_PKT_INTERRUPT),
        .src = SEED_VA + PAGE, .dst = SEED_VA + PAGE + 0x400, .size = 256,
    };
    struct s5000_pkt_signal signal = {
        .header = S5000_PKT_HEADER(S5000_PKT_SIGNAL, S5000_SIGNAL_ADD, 0),
        .addr = SEED_VA + PAGE + 0x600, .value = 1,
    };
    struct s5000_pkt_timestamp ts = {
        .header = S5000_PKT_HEADER(S5000_PKT_TIMESTAMP, 0, 0), .addr = SEED_VA + PAGE + 0x608,
    };

    seed_packet(out, 0, &fill);
    seed_packet(out, 1, &copy);
    seed_packet(out, 2, &signal);
    seed_packet(out, 3, &ts);
}

/* The known-good kernel of rv.h would do, but any code will: one that returns at once. */
static void seed_launch_work(struct fuzz_output *out)
{
    const uint32_t ret = 0x00008067;    /* jalr x0, 0(ra) */
    struct s5000_kernel_desc desc = {
        .magic = S5000_KERNEL_DESC_MAGIC, .version = 1, .entry = SEED_VA + 2 * PAGE,
        .code_start = SEED_VA + 2 * PAGE, .code_size = 4, .stack_size = 64, .max_threads = 64,
    };
    struct s5000_pkt_kernel_launch launch = {
        .header = S5000_PKT_HEADER(S5000_PKT_KERNEL_LAUNCH, 0, 0),
        .grid = { 2, 1, 1 }, .block = { 32, 1, 1 }, .code = SEED_VA + 3 * PAGE,
        .kernarg = SEED_VA + PAGE, .timeout_ms = 10,
    };

    seed_bar2(out, SEED_VRAM + 2 * PAGE, &ret, sizeof(ret));
    seed_bar2(out, SEED_VRAM + 3 * PAGE, &desc, sizeof(desc));
    seed_packet(out, 0, &launch);
}

void fuzz_harness_seeds(void)
{
    struct fuzz_output out = { 0 };
    const uint8_t bad[S5000_PACKET_SIZE] = { 0x7f };    /* no such packet type */

    /* Identity, scratch, and the register kinds. */
    seed_reg(&out, OP_READ32, S5000_REG_IDENT);
    seed_write(&out, 4, S5000_REG_SCRATCH, 0x12345678);
    seed_reg(&out, OP_READ32, S5000_REG_SCRATCH);
    seed_reg(&out, OP_READ64, S5000_REG_VRAM_SIZE);
    seed_reg(&out, OP_READ32, S5000_REG_STATUS);
    seed_write(&out, 4, S5000_REG_TLB_INVALIDATE, S5000_TLB_ALL);
    fuzz_seed(&out);

    /* A queue with copy-engine work. */
    seed_bring_up(&out);
    seed_copy_work(&out);
    seed_submit(&out, 4);
    fuzz_seed(&out);

    /* A kernel launch. */
    seed_bring_up(&out);
    seed_launch_work(&out);
    seed_submit(&out, 1);
    fuzz_seed(&out);

    /* A bad packet, then the queue reset and the device reset. */
    seed_bring_up(&out);
    seed_packet(&out, 0, bad);
    seed_submit(&out, 1);
    seed_write(&out, 4, S5000_REG_QUEUE(0, S5000_QUEUE_CONTROL), S5000_QUEUE_RESET);
    seed_write(&out, 4, S5000_REG_CONTROL, S5000_CONTROL_RESET);
    fuzz_put_u8(&out, OP_SERVICE);
    seed_reg(&out, OP_READ32, S5000_REG_STATUS);
    fuzz_seed(&out);
}
