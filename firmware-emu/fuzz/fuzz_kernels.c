// SPDX-License-Identifier: MIT
/*
 * fuzz_kernels: fuzzer-made device code, descriptors and MMA descriptors launched on
 * the compute units, in small grids with a short timeout_ms so that runaway code ends.
 *
 * A kernel is a fixed prologue (registers pointing at global data, shared memory, the
 * stack, guest RAM, the MMA descriptor; the thread's index), then instructions the
 * input chooses: raw words now and then, mostly well-formed RV64IMAFD and SIMT
 * instructions with steered fields (short branches, bases that point somewhere,
 * aligned offsets, valid CSR numbers, FP and AMO encodings, barriers, votes, shuffles,
 * warp syncs, traps, MMA), then EXIT. The descriptor may be spoilt, the block and grid
 * shapes, shared memory and stack size vary, and the MMA descriptor's fields are drawn
 * near their valid ranges, pointing at global, shared or stack memory.
 *
 * Each launch must end: done, or stopped with PAGE_FAULT, DMA or KERNEL_FAULT of a
 * defined kind, with a fault pc inside the code (or 0 for the launch itself). Then a
 * known-good kernel in another context, on another queue, must still run correctly.
 */
#include <string.h>

#include "fuzz.h"
#include "fuzz_device.h"
#include "rv.h"

#define PAGE            4096ull
#define CODE_VA         0x10000000ull
#define CODE_PAGES      8
#define DATA_VA         0x20000000ull   /* a 2 MiB page: kernarg, MMA descriptor, operands */
#define DATA_SIZE       (2ull << 20)
#define KERNARG_OFF     0x40000ull
#define MMA_DESC_OFF    0x100ull
#define SYS_VA          0x30000000ull   /* one page of guest RAM */
#define CODE_VRAM       (8ull << 20)
#define DATA_VRAM       (16ull << 20)
#define CHECK_CODE_VRAM (12ull << 20)
#define CHECK_DATA_VRAM (20ull << 20)
#define CHECK_BLOCKS    2
#define CHECK_THREADS   64
#define MAX_BODY        96
#define PROLOGUE        10
#define LAUNCH_MS_MIN   5
#define SETTLE_MS       4000
#define FUZZ_BUDGET     (1ull << 18)

static struct fuzz_device fd;
static uint32_t code[PROLOGUE + MAX_BODY + 4];        /* prologue, body, EXIT, tail */

/* ------------------------------------------------------------ the contexts */

static void map_contexts(void)
{
    fuzz_context(&fd, 1);
    fuzz_map_range(&fd, 1, CODE_VA, CODE_VRAM, CODE_PAGES * PAGE, S5000_PTE_EXEC);
    fuzz_map(&fd, 1, DATA_VA, DATA_VRAM, 1, S5000_PTE_WRITE);
    fuzz_map(&fd, 1, SYS_VA, FUZZ_RAM_BUS + FUZZ_RAM_FREE, 0, S5000_PTE_SYSTEM | S5000_PTE_WRITE);
    /* The check runs at the same VAs in context 2, on memory of its own. */
    fuzz_context(&fd, 2);
    fuzz_map_range(&fd, 2, CODE_VA, CHECK_CODE_VRAM, PAGE, S5000_PTE_EXEC);
    fuzz_map(&fd, 2, DATA_VA, CHECK_DATA_VRAM, 1, S5000_PTE_WRITE);
}

static void start_queue(struct fuzz_queue *q, unsigned int id, unsigned int ctx)
{
    *q = (struct fuzz_queue){
        .id = id, .ctx = ctx, .ring_va = DATA_VA + DATA_SIZE - 4 * PAGE,
        .ring = fuzz_vram(&fd, (ctx == 1 ? DATA_VRAM : CHECK_DATA_VRAM) + DATA_SIZE - 4 * PAGE),
        .order = 4,
    };
    fuzz_queue_start(&fd, q);
}

/* ------------------------------------------------------------ instructions */

/* Destinations: mostly temporaries, so that the prologue's pointers live on. */
static unsigned int pick_rd(struct fuzz_input *in)
{
    static const uint8_t regs[] = { 5, 6, 7, 28, 29, 30, 31, 11, 12, 13, 14, 15, 16, 17 };
    uint8_t sel = fuzz_u8(in);

    return sel < 0xf0 ? regs[sel % sizeof(regs)] : sel % 32;
}

static unsigned int pick_rs(struct fuzz_input *in)
{
    static const uint8_t regs[] = { 5, 6, 7, 28, 11, 12, 8, 9, 18, 19, 20, 21, 0, 2, 4, 10 };

    return regs[fuzz_u8(in) % sizeof(regs)];
}

/* A base register for a memory access: global data, per-thread data, shared, stack, RAM. */
static unsigned int pick_base(struct fuzz_input *in)
{
    static const uint8_t regs[] = { RV_S0, RV_S5, RV_S2, RV_SP, RV_S4, RV_S1, RV_T0, RV_ZERO };

    return regs[fuzz_u8(in) % sizeof(regs)];
}

/* A memory offset, usually aligned to the access size (1 << log2), often negative for sp. */
static int32_t pick_offset(struct fuzz_input *in, unsigned int log2)
{
    int32_t off = (int8_t)fuzz_u8(in);

    return fuzz_u8(in) < 0xe0 ? off * (1 << log2) : (int32_t)(fuzz_u16(in) & 0xfff) - 0x800;
}

/* Branch and jump offsets: a few instructions either way. */
static int32_t pick_jump(struct fuzz_input *in)
{
    return ((int32_t)(fuzz_u8(in) % 33) - 16) * 4;
}

/* Every fuzz_*() call below is a statement of its own: the input is read in a fixed order. */
static uint32_t gen_alu(struct fuzz_input *in, unsigned int kind)
{
    static const uint8_t funct7[] = { 0, 0x20, 1 };
    unsigned int rd = pick_rd(in), rs1 = pick_rs(in), f3 = fuzz_u8(in) % 8;
    int32_t imm = (int16_t)fuzz_u16(in);
    unsigned int rs2 = pick_rs(in), f7 = funct7[fuzz_u8(in) % 3];

    switch (kind) {
    case 0:
        if (f3 == 1 || f3 == 5)
            imm = (imm & 63) | (f3 == 5 && imm < 0 ? 0x400 : 0);
        return rv_i(RV_OP_IMM, rd, f3, rs1, imm);
    case 1:
        return rv_r(RV_OP, rd, f3, rs1, rs2, f7);
    case 2:
        if (f3 == 1 || f3 == 5)
            return rv_r(RV_OP_IMM_32, rd, f3, rs1, (unsigned int)imm & 31, imm < 0 ? 0x20 : 0);
        return rv_i(RV_OP_IMM_32, rd, 0, rs1, imm);
    case 3:
        return rv_r(RV_OP_32, rd, f3, rs1, rs2, f7);
    default:
        return rv_u(f3 & 1 ? RV_AUIPC : RV_LUI, rd, (uint32_t)imm);
    }
}

static uint32_t gen_control(struct fuzz_input *in, unsigned int kind)
{
    static const uint8_t branches[] = { 0, 1, 4, 5, 6, 7 };
    unsigned int f3 = branches[fuzz_u8(in) % 6], rs1 = pick_rs(in), rs2 = pick_rs(in);
    int32_t offset = pick_jump(in);
    uint8_t link = fuzz_u8(in);

    switch (kind) {
    case 0:
        return rv_b(f3, rs1, rs2, offset);
    case 1:
        return rv_j(link & 1 ? RV_RA : RV_ZERO, offset);
    default:
        /* A return, or a call or jump through a register. */
        return rv_i(RV_JALR, link & 1 ? RV_RA : RV_ZERO, 0, link & 2 ? RV_RA : rs1, offset);
    }
}

static uint32_t gen_memory(struct fuzz_input *in, unsigned int kind)
{
    static const uint8_t amo[] = {                  /* funct5: AMOs, LR (2), SC (3) */
        0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c,
    };
    unsigned int base = pick_base(in), f3 = fuzz_u8(in) % 8, log2 = f3 & 3;
    unsigned int reg = fuzz_u8(in) % 32, rd = pick_rd(in), rs2 = pick_rs(in);
    unsigned int funct5 = amo[fuzz_u8(in) % sizeof(amo)], aqrl = fuzz_u8(in) & 3;
    int32_t offset = pick_offset(in, kind == 2 || kind == 3 ? 2 + f3 % 2 : log2);

    switch (kind) {
    case 0:
        return rv_i(RV_LOAD, rd, f3 % 7, base, offset);
    case 1:
        return rv_s(RV_STORE, f3 % 4, base, rs2, offset);
    case 2:
        return rv_i(RV_LOAD_FP, reg, 2 + f3 % 2, base, offset);
    case 3:
        return rv_s(RV_STORE_FP, 2 + f3 % 2, base, reg, offset);
    default:
        /* AMOs and LR/SC address by the register alone. */
        return rv_r(RV_AMO, rd, 2 + f3 % 2, base, funct5 == 0x02 ? 0 : rs2, funct5 << 2 | aqrl);
    }
}

static uint32_t gen_fp(struct fuzz_input *in, unsigned int kind)
{
    /* OP-FP funct7 (single; |1 for double) and the rs2 values it takes (0: any). */
    static const uint8_t ops[][2] = {
        { 0x00, 0 }, { 0x04, 0 }, { 0x08, 0 }, { 0x0c, 0 }, { 0x2c, 1 }, { 0x10, 0 },
        { 0x14, 0 }, { 0x50, 0 }, { 0x20, 2 }, { 0x60, 4 }, { 0x68, 4 }, { 0x70, 1 },
        { 0x78, 1 },
    };
    unsigned int rd = fuzz_u8(in) % 32, rs1 = fuzz_u8(in) % 32, rs2 = fuzz_u8(in) % 32;
    unsigned int rs3 = fuzz_u8(in) % 32, rm = fuzz_u8(in) % 8, d = fuzz_u8(in) & 1;
    unsigned int which = fuzz_u8(in), f7;

    if (kind == 0)
        return rv_r4(RV_MADD + (which % 4) * 4, rd, rm, rs1, rs2, d, rs3);
    which %= sizeof(ops) / sizeof(ops[0]);
    f7 = ops[which][0];
    if (ops[which][1])
        rs2 = f7 == 0x20 ? !d : rs2 % ops[which][1];
    /* fsgnj, min/max, compare, fmv and fclass take funct3 as the operation. */
    if (f7 == 0x10 || f7 == 0x14 || f7 == 0x50 || f7 >= 0x70)
        rm %= 3;
    return rv_r(RV_OP_FP, rd, rm, rs1, rs2, f7 | d);
}

static uint32_t gen_csr(struct fuzz_input *in)
{
    static const uint16_t csrs[] = { 0x001, 0x002, 0x003, 0xc00, 0xc01, 0xc02, 0x7c0 };
    uint8_t sel = fuzz_u8(in);
    unsigned int csr = sel < 0x80 ? S5000_CSR_TID_X + sel % 19 : csrs[sel % 7];
    unsigned int f3 = 1 + fuzz_u8(in) % 7, rd = pick_rd(in), rs1 = pick_rs(in);

    if (f3 == 4)
        f3 = 2;                         /* 4 is not a CSR instruction */
    return rv_i(RV_SYSTEM, rd, f3, sel & 1 ? RV_ZERO : rs1, (int32_t)csr);
}

static uint32_t gen_simt(struct fuzz_input *in)
{
    unsigned int f3 = fuzz_u8(in) % 4, f7 = fuzz_u8(in), rd = pick_rd(in), rs1 = pick_rs(in);
    unsigned int rs2 = pick_rs(in), odd = f7 < 0xf0 ? 0 : f7 % 128, choice = fuzz_u8(in);

    switch (f3) {
    case S5000_SIMT_CTRL:
        f7 %= 8;
        if (f7 == S5000_CTRL_BAR || f7 == S5000_CTRL_EXIT)
            return rv_simt(f3, f7, 0, 0, 0);
        if (f7 == S5000_CTRL_TRAP || f7 == S5000_CTRL_WARP_SYNC)
            return rv_simt(f3, f7, 0, choice & 1 ? RV_T1 : rs1, 0);     /* t1: all lanes */
        return rv_simt(f3, f7, rd, rs1, 0);
    case S5000_SIMT_VOTE:
        f7 %= 5;
        return f7 == S5000_VOTE_ACTIVE ? rv_simt(f3, f7, rd, 0, 0) : rv_simt(f3, f7, rd, rs1, rs2);
    case S5000_SIMT_SHFL:
        return rv_simt(f3, odd, rd, rs1, rs2);
    default:
        return rv_simt(f3, odd, 0, choice & 1 ? RV_S1 : rs1, 0);
    }
}

static uint32_t gen_misc(struct fuzz_input *in)
{
    static const uint32_t words[] = {
        0x0ff0000f,                     /* fence */
        0x0000100f,                     /* fence.i */
        0x00000073,                     /* ecall */
        0x00100073,                     /* ebreak */
        0x00000000,                     /* all zeros */
        0xffffffff,
    };

    return words[fuzz_u8(in) % 6];
}

static uint32_t gen_insn(struct fuzz_input *in)
{
    uint8_t sel = fuzz_u8(in);

    switch (sel % 16) {
    case 0:  return sel < 0x80 ? fuzz_u32(in) : gen_misc(in);
    case 1: case 2: case 3: return gen_alu(in, sel % 5);
    case 4: case 5: return gen_control(in, sel % 3);
    case 6: case 7: case 8: return gen_memory(in, sel % 5);
    case 9: case 10: return gen_fp(in, sel % 2);
    case 11: return gen_csr(in);
    default: return gen_simt(in);
    }
}

/*
 * s0 = a0 (kernarg), s1 = the MMA descriptor, s2 = shared memory, s3 = the thread index,
 * s4 = guest RAM, s5 = s0 + 8 * the thread index, t0 = s0 + 64, t1 = all ones.
 */
static unsigned int put_prologue(uint32_t *w)
{
    const uint32_t words[PROLOGUE] = {
        rv_addi(RV_S0, RV_A0, 0),
        rv_u(RV_LUI, RV_S1, (uint32_t)(DATA_VA >> 12)),
        rv_addi(RV_S1, RV_S1, (int32_t)MMA_DESC_OFF),
        rv_addi(RV_S2, RV_TP, 0),
        rv_csrr(RV_S3, S5000_CSR_TID_X),
        rv_u(RV_LUI, RV_S4, (uint32_t)(SYS_VA >> 12)),
        rv_i(RV_OP_IMM, RV_T3, 1, RV_S3, 3),                /* slli t3, s3, 3 */
        rv_r(RV_OP, RV_S5, 0, RV_S0, RV_T3, 0),             /* add s5, s0, t3 */
        rv_addi(RV_T0, RV_S0, 64),
        rv_addi(RV_T1, RV_ZERO, -1),
    };

    memcpy(w, words, sizeof(words));
    return PROLOGUE;
}

/* The code range in words: prologue, body, EXIT, and maybe trailing words. */
static unsigned int put_code(struct fuzz_input *in)
{
    unsigned int n = put_prologue(code), body = fuzz_u8(in) % MAX_BODY + 1;

    for (unsigned int i = 0; i < body; i++)
        code[n++] = gen_insn(in);
    code[n++] = rv_simt(S5000_SIMT_CTRL, S5000_CTRL_EXIT, 0, 0, 0);
    for (unsigned int tail = fuzz_u8(in) % 4 == 0 ? fuzz_u8(in) % 4 : 0; tail; tail--)
        code[n++] = fuzz_u32(in);
    memcpy(fuzz_vram(&fd, CODE_VRAM), code, n * 4);
    return n;
}

/* ------------------------------------------------------------ descriptors */

/* An operand address: global data, shared memory, the stack, or anything. */
static uint64_t pick_operand(struct fuzz_input *in)
{
    uint8_t sel = fuzz_u8(in);
    uint64_t off = (uint64_t)fuzz_u16(in) * 16;

    switch (sel % 8) {
    case 0: case 1: case 2: case 3: return DATA_VA + 0x1000 + off % (DATA_SIZE / 2);
    case 4: return S5000_SHARED_BASE + off % 0x2000;
    case 5: return S5000_STACK_BASE + off % 0x400;
    case 6: return sel < 0x80 ? 0 : SYS_VA + off % PAGE;
    default: return fuzz_u64(in);
    }
}

static uint16_t pick_dim(struct fuzz_input *in, uint16_t max)
{
    uint8_t sel = fuzz_u8(in);

    return sel < 0xc0 ? (uint16_t)(1 + sel % 16) : sel < 0xf0 ? (uint16_t)(1 + fuzz_u16(in) % max) :
           fuzz_u16(in);
}

/* Zeroes what the descriptor's op does not use, as a valid descriptor must. */
static void mma_shape(struct s5000_mma *d)
{
    if (d->op == S5000_MMA_OP_MMA) {
        d->out_type = 0;
        d->ldout = 0;
        d->out = d->scale_a = d->scale_b = 0;
        d->hopper_bits = d->acc_type == S5000_MMA_ACC_HOPPER ? 1 + d->hopper_bits % 31 : 0;
    } else {
        d->a_type = d->b_type = d->hopper_bits = 0;
        d->k = 0;
        d->lda = d->ldb = 0;
        d->a = d->b = 0;
    }
}

static void put_mma(struct fuzz_input *in)
{
    struct s5000_mma *d = (struct s5000_mma *)fuzz_vram(&fd, DATA_VRAM + MMA_DESC_OFF);
    uint8_t op = fuzz_u8(in), a = fuzz_u8(in), b = fuzz_u8(in), acc = fuzz_u8(in);
    uint8_t out = fuzz_u8(in), hopper = fuzz_u8(in), flags = fuzz_u8(in), pad = fuzz_u8(in);
    uint8_t ld[4] = { fuzz_u8(in) };

    for (unsigned int i = 1; i < 4; i++)
        ld[i] = fuzz_u8(in);
    /* Types and kinds one past the last defined, and now and then anything. */
    d->op = op < 0xf0 ? 1 + op % 2 : op;
    d->a_type = (uint8_t)(1 + a % 8);
    d->b_type = b & 0x80 ? d->a_type : (uint8_t)(1 + b % 8);
    d->acc_type = (uint8_t)(1 + acc % 5);
    d->out_type = (uint8_t)(out % 8);
    d->hopper_bits = hopper % 33;
    d->flags = flags;
    d->m = pick_dim(in, S5000_MMA_MAX_M);
    d->n = pick_dim(in, S5000_MMA_MAX_N);
    d->k = pick_dim(in, 32);
    d->pad = pad < 0xf8 ? 0 : pad;
    d->lda = d->k + ld[0] % 4;
    d->ldb = (d->flags & S5000_MMA_B_TRANS ? d->k : d->n) + ld[1] % 4;
    d->ldacc = d->n + ld[2] % 4;
    d->ldout = d->n + ld[3] % 4;
    if (ld[0] >= 0xf0)
        d->lda = fuzz_u32(in);
    d->a = pick_operand(in);
    d->b = pick_operand(in);
    d->acc = pick_operand(in);
    d->out = pick_operand(in);
    d->scale_a = op & 0x10 ? 0 : pick_operand(in);
    d->scale_b = op & 0x20 ? 0 : pick_operand(in);
    if (pad < 0xe0)
        mma_shape(d);
}

struct launch {
    struct s5000_kernel_desc desc;
    struct s5000_pkt_kernel_launch pkt;
};

static void make_launch(struct fuzz_input *in, unsigned int words, struct launch *l)
{
    uint8_t big = fuzz_u8(in), entry = fuzz_u8(in);
    uint32_t static_shared = fuzz_u8(in) * 16u, stack = (fuzz_u8(in) % 64 + 1) * 16u;
    uint32_t grid_x = 1 + fuzz_u8(in) % 3, grid_y = 1 + fuzz_u8(in) % 2;
    uint16_t block_x = (uint16_t)(1 + fuzz_u8(in) % 64), block_y = (uint16_t)(1 + fuzz_u8(in) % 2);
    uint32_t shared = fuzz_u8(in) * 16u, timeout_ms = LAUNCH_MS_MIN + fuzz_u8(in) % 25;

    /* Now and then a big block, or an entry past the prologue. */
    if (big >= 0xc0)
        block_x = (uint16_t)(1 + fuzz_u16(in) % S5000_MAX_BLOCK_THREADS);
    if (block_x * block_y > S5000_MAX_BLOCK_THREADS)
        block_y = 1;
    l->desc = (struct s5000_kernel_desc){
        .magic = S5000_KERNEL_DESC_MAGIC, .version = 1,
        .entry = CODE_VA + (big % 16 == 0 ? entry % (words + 2) * 4ull : 0),
        .code_start = CODE_VA, .code_size = words * 4ull, .static_shared = static_shared,
        .stack_size = stack, .max_threads = S5000_MAX_BLOCK_THREADS,
    };
    for (unsigned int n = big % 16 == 1 ? 1 + entry % 3 : 0; n; n--) {
        unsigned int at = fuzz_below(in, sizeof(l->desc));

        ((uint8_t *)&l->desc)[at] = fuzz_u8(in);
    }
    l->pkt = (struct s5000_pkt_kernel_launch){
        .header = S5000_PKT_HEADER(S5000_PKT_KERNEL_LAUNCH, 0, 0),
        .grid = { grid_x, grid_y, 1 }, .block = { block_x, block_y, 1 },
        .shared_bytes = shared, .code = DATA_VA, .kernarg = DATA_VA + KERNARG_OFF,
        .timeout_ms = timeout_ms,
    };
    memcpy(fuzz_vram(&fd, DATA_VRAM), &l->desc, sizeof(l->desc));
}

/* ---------------------------------------------------------------- checks */

static void check_end(const struct fuzz_queue *q, const struct fuzz_queue_end *end,
                      const struct launch *l)
{
    uint64_t code_end = l->desc.code_start + l->desc.code_size;

    fuzz_note("launch of %u x %u threads: state %u error %u kind %u at 0x%llx pc 0x%llx",
              l->pkt.grid[0] * l->pkt.grid[1], l->pkt.block[0] * l->pkt.block[1], end->state,
              end->error, end->kind, (unsigned long long)end->addr, (unsigned long long)end->pc);
    fuzz_check_queue_end(q, end);
    fuzz_check(end->state != S5000_QSTATE_WAITING, "a launch parked its queue");
    if (end->state != S5000_QSTATE_ERROR) {
        fuzz_check(end->rptr == q->wptr, "the launch did not complete");
        return;
    }
    fuzz_check(end->error == S5000_ERR_PAGE_FAULT || end->error == S5000_ERR_DMA ||
               end->error == S5000_ERR_KERNEL_FAULT,
               "a launch stopped its queue with error %u", end->error);
    if (end->error == S5000_ERR_KERNEL_FAULT && end->kind == S5000_KFAULT_BAD_LAUNCH)
        fuzz_check(end->addr == l->pkt.code && end->pc == 0,
                   "BAD_LAUNCH at 0x%llx pc 0x%llx, not at the descriptor",
                   (unsigned long long)end->addr, (unsigned long long)end->pc);
    /* Running off the end of the code faults at the end. */
    if (end->error == S5000_ERR_KERNEL_FAULT && end->kind == S5000_KFAULT_FETCH)
        code_end += 4;
    fuzz_check(end->pc == 0 || (end->pc >= l->desc.code_start && end->pc < code_end &&
                                end->pc % 4 == 0),
               "fault (error %u kind %u) at pc 0x%llx, outside the code [0x%llx, 0x%llx)",
               end->error, end->kind, (unsigned long long)end->pc,
               (unsigned long long)l->desc.code_start, (unsigned long long)code_end);
}

/* The known-good kernel, in context 2 on queue 1: every thread's index where it belongs. */
static void check_other_context(void)
{
    struct s5000_kernel_desc *desc = (struct s5000_kernel_desc *)fuzz_vram(&fd, CHECK_DATA_VRAM);
    uint64_t *out = (uint64_t *)fuzz_vram(&fd, CHECK_DATA_VRAM + KERNARG_OFF);
    struct s5000_pkt_kernel_launch pkt = {
        .header = S5000_PKT_HEADER(S5000_PKT_KERNEL_LAUNCH, 0, 0),
        .grid = { CHECK_BLOCKS, 1, 1 }, .block = { CHECK_THREADS, 1, 1 },
        .code = DATA_VA, .kernarg = DATA_VA + KERNARG_OFF, .timeout_ms = 2000,
    };
    struct fuzz_queue q, *qs[1] = { &q };
    struct fuzz_queue_end end;

    *desc = (struct s5000_kernel_desc){
        .magic = S5000_KERNEL_DESC_MAGIC, .version = 1, .entry = CODE_VA,
        .code_start = CODE_VA, .code_size = RV_IDS_KERNEL_WORDS * 4, .stack_size = 16,
        .max_threads = CHECK_THREADS,
    };
    rv_ids_kernel((uint32_t *)fuzz_vram(&fd, CHECK_CODE_VRAM));
    memset(out, 0xff, CHECK_BLOCKS * CHECK_THREADS * 8);
    start_queue(&q, 1, 2);
    fuzz_queue_put(&q, &pkt);
    fuzz_queue_ring(&fd, &q);
    fuzz_queues_settle(&fd, qs, 1, SETTLE_MS, &end);
    fuzz_check(end.state == S5000_QSTATE_IDLE && end.rptr == q.wptr,
               "after the fuzzed launch a good kernel in another context ended in state %u, "
               "error %u kind %u", end.state, end.error, end.kind);
    for (uint64_t i = 0; i < CHECK_BLOCKS * CHECK_THREADS; i++)
        fuzz_check(out[i] == i, "after the fuzzed launch a good kernel wrote %llu at %llu",
                   (unsigned long long)out[i], (unsigned long long)i);
}

/* -------------------------------------------------------------- the input */

void fuzz_harness_init(void)
{
    fuzz_device_init(&fd, 1);
    /* Runaway threads end soon on their budget too, not only on the watchdog. */
    fd.dev.compute.budget = FUZZ_BUDGET;
}

void fuzz_harness_run(struct fuzz_input *in)
{
    struct fuzz_queue q, *qs[1] = { &q };
    struct fuzz_queue_end end;
    struct launch l;
    unsigned int words;

    fuzz_device_reset(&fd);
    map_contexts();
    words = put_code(in);
    put_mma(in);
    make_launch(in, words, &l);
    fuzz_bytes(in, fuzz_vram(&fd, DATA_VRAM + 0x1000), 256);
    start_queue(&q, 0, 1);
    fuzz_queue_put(&q, &l.pkt);
    fuzz_queue_ring(&fd, &q);
    fuzz_queues_settle(&fd, qs, 1, SETTLE_MS, &end);
    check_end(&q, &end, &l);
    check_other_context();
}

/* ------------------------------------------------------------------ seeds */

/* A SIMT instruction in gen_insn()'s terms; choice 1: rs1 is t1 (all ones) or s1 (MMA). */
static void seed_simt(struct fuzz_output *out, uint8_t f3, uint8_t f7, uint8_t rd_sel,
                      uint8_t rs1_sel, uint8_t rs2_sel, uint8_t choice)
{
    fuzz_put_u8(out, 12);
    fuzz_put_u8(out, f3);
    fuzz_put_u8(out, f7);
    fuzz_put_u8(out, rd_sel);
    fuzz_put_u8(out, rs1_sel);
    fuzz_put_u8(out, rs2_sel);
    fuzz_put_u8(out, choice);
}

/* MMA descriptor, launch shape and data, after the code. */
static void seed_launch(struct fuzz_output *out, uint8_t mma_op)
{
    const uint8_t mma[] = {
        mma_op,                         /* op: even MMA, odd STORE; 0x10, 0x20: no scales */
        S5000_MMA_F16 - 1, 0x80,        /* F16, B like A */
        S5000_MMA_ACC_F32 - 1, S5000_MMA_F32, 13, 0, 0,
        0, 0, 0, 0,                     /* leading dimensions exact */
        15, 15, 15,                     /* m, n, k: 16 */
    };
    const uint8_t launch[] = {
        0x20,                           /* entry at the start, block from one byte */
        0, 4, 15,                       /* entry byte; 64 bytes static shared, 256 of stack */
        1, 0, 63, 0,                    /* grid 2 x 1, block 64 x 1 */
        4, 5,                           /* 64 bytes of dynamic shared, 10 ms */
    };

    fuzz_put_bytes(out, mma, sizeof(mma));
    for (unsigned int i = 0; i < 4; i++) {
        fuzz_put_u8(out, 0);            /* operands in global data, 4 KiB apart */
        fuzz_put_u16(out, (uint16_t)(0x100 * i));
    }
    for (unsigned int bit = 0x10; bit <= 0x20; bit <<= 1) {
        if (!(mma_op & bit)) {
            fuzz_put_u8(out, 0);        /* a scale in global data */
            fuzz_put_u16(out, 0x800);
        }
    }
    fuzz_put_bytes(out, launch, sizeof(launch));
    for (unsigned int i = 0; i < 64; i++)
        fuzz_put_u8(out, 0x3c);         /* F16 1.0 and friends */
}

/* In gen_insn()'s terms (the first byte of each line picks the generator and kind). */
static const uint8_t diverge[] = {
    8,                                  /* 9 instructions: */
    11, 12, 1, 0, 12,                   /* csrr t0, laneid */
    35, 1, 0, 7, 1, 0, 0, 0,            /* andi t1, t0, 1 */
    36, 0, 1, 12, 18, 0,                /* beq t1, x0, +8 */
    35, 2, 2, 0, 1, 0, 0, 0,            /* addi t2, t2, 1 */
    6, 1, 3, 0, 0, 2, 0, 0, 0, 0,       /* sd t2, 0(s5) */
    24, 0, 3, 0, 0, 2, 0, 0, 0, 0,      /* amoadd.d t0, t2, (s0) */
    9, 1, 2, 3, 0, 0, 1, 0,             /* fadd.d f1, f2, f3 */
    10, 1, 2, 3, 4, 0, 1, 0,            /* fmadd.d f1, f2, f3, f4 */
};

void fuzz_harness_seeds(void)
{
    struct fuzz_output out = { 0 };

    /* A barrier, a ballot, a shuffle, the active mask, a warp sync: the SIMT basics. */
    fuzz_put_u8(&out, 4);
    seed_simt(&out, 0, S5000_CTRL_BAR, 0, 0, 0, 0);
    seed_simt(&out, 1, S5000_VOTE_BALLOT, 0, 5, 1, 0);
    seed_simt(&out, 2, 0, 1, 5, 4, 0);
    seed_simt(&out, 1, S5000_VOTE_ACTIVE, 2, 0, 0, 0);
    seed_simt(&out, 0, S5000_CTRL_WARP_SYNC, 1, 0, 0, 1);
    fuzz_put_u8(&out, 1);               /* no trailing words */
    seed_launch(&out, 0x31);
    fuzz_seed(&out);

    /* Two MMAs; then, with the same shape, a STORE. */
    fuzz_put_u8(&out, 1);
    seed_simt(&out, 3, 0, 0, 0, 0, 1);
    seed_simt(&out, 3, 0, 0, 0, 0, 1);
    fuzz_put_u8(&out, 1);
    seed_launch(&out, 0x30);
    fuzz_seed(&out);
    fuzz_put_u8(&out, 0);
    seed_simt(&out, 3, 0, 0, 0, 0, 1);
    fuzz_put_u8(&out, 1);
    seed_launch(&out, 0x31);
    fuzz_seed(&out);

    /* Odd and even lanes apart, a store, an atomic, FP arithmetic, a barrier. */
    fuzz_put_bytes(&out, diverge, sizeof(diverge));
    seed_simt(&out, 0, S5000_CTRL_BAR, 0, 0, 0, 0);
    fuzz_put_u8(&out, 1);
    seed_launch(&out, 0x31);
    fuzz_seed(&out);
}
