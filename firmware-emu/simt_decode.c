// SPDX-License-Identifier: MIT
/*
 * The decoder: RV64IMAFD (no C) and the SIMT custom instructions into struct simt_insn.
 *
 * Decoding never fails on a word: anything outside the ISA, or with fields the
 * specification requires to be zero set, becomes ILLEGAL, which faults only if a
 * thread executes it (code ranges hold data and padding too). Work that does not
 * depend on the thread is done here once: immediates, branch targets as instruction
 * indices, validity of CSR numbers and static rounding modes.
 */
#include <stdlib.h>

#include "simt_internal.h"

struct fields {
    uint32_t word;
    unsigned int opcode, rd, rs1, rs2, rs3, funct3, funct7;
};

static struct fields split(uint32_t w)
{
    return (struct fields){
        .word = w, .opcode = w & 0x7f, .rd = (w >> 7) & 31, .funct3 = (w >> 12) & 7,
        .rs1 = (w >> 15) & 31, .rs2 = (w >> 20) & 31, .rs3 = w >> 27, .funct7 = w >> 25,
    };
}

static int32_t imm_i(uint32_t w) { return (int32_t)w >> 20; }
static int32_t imm_s(uint32_t w) { return ((int32_t)w >> 25) * 32 | ((w >> 7) & 31); }
static int32_t imm_u(uint32_t w) { return (int32_t)(w & 0xfffff000u); }

static int32_t imm_b(uint32_t w)
{
    return ((int32_t)w >> 31) * 4096 | ((w >> 7) & 1) << 11 | ((w >> 25) & 0x3f) << 5 |
           ((w >> 8) & 0xf) << 1;
}

static int32_t imm_j(uint32_t w)
{
    return ((int32_t)w >> 31) * (1 << 20) | (w & 0xff000) | ((w >> 20) & 1) << 11 |
           ((w >> 21) & 0x3ff) << 1;
}

/* Integer destination: writes to x0 go to the sink row. */
static uint8_t xd(unsigned int rd)
{
    return rd ? (uint8_t)rd : SIMT_SINK;
}

static struct simt_insn make(enum simt_op op, const struct fields *f)
{
    return (struct simt_insn){
        .op = op, .rd = xd(f->rd), .rs1 = (uint8_t)f->rs1, .rs2 = (uint8_t)f->rs2,
        .rs3 = (uint8_t)f->rs3, .rm = (uint8_t)f->funct3,
    };
}

static struct simt_insn illegal(const struct fields *f)
{
    /* imm keeps the word, for the fault report. */
    return (struct simt_insn){ .op = SIMT_OP_ILLEGAL, .imm = (int32_t)f->word };
}

bool simt_program_index(const struct simt_program *prog, uint64_t va, uint32_t *index)
{
    return simt_index_of(prog, va, index);
}

static uint32_t target_of(const struct simt_program *prog, uint32_t index, int32_t offset)
{
    uint32_t target;

    if (!simt_program_index(prog, prog->code_start + (uint64_t)index * 4 + (int64_t)offset,
                            &target))
        return SIMT_BAD_TARGET;
    return target;
}

/* ------------------------------------------------------------ integer */

static struct simt_insn op_imm(const struct fields *f)
{
    static const enum simt_op ops[8] = {
        SIMT_OP_ADDI, SIMT_OP_SLLI, SIMT_OP_SLTI, SIMT_OP_SLTIU,
        SIMT_OP_XORI, SIMT_OP_SRLI, SIMT_OP_ORI, SIMT_OP_ANDI,
    };
    struct simt_insn in = make(ops[f->funct3], f);
    unsigned int funct6 = f->word >> 26;

    in.imm = imm_i(f->word);
    if (f->funct3 == 1 || f->funct3 == 5) {
        if (funct6 == 0x10 && f->funct3 == 5)
            in.op = SIMT_OP_SRAI;
        else if (funct6 != 0)
            return illegal(f);
        in.imm &= 63;
    }
    return in;
}

static struct simt_insn op_imm32(const struct fields *f)
{
    struct simt_insn in = make(SIMT_OP_ADDIW, f);

    in.imm = imm_i(f->word);
    if (f->funct3 == 0)
        return in;
    in.imm &= 31;
    if (f->funct3 == 1 && f->funct7 == 0)
        in.op = SIMT_OP_SLLIW;
    else if (f->funct3 == 5 && f->funct7 == 0)
        in.op = SIMT_OP_SRLIW;
    else if (f->funct3 == 5 && f->funct7 == 0x20)
        in.op = SIMT_OP_SRAIW;
    else
        return illegal(f);
    return in;
}

static struct simt_insn op_reg(const struct fields *f)
{
    static const enum simt_op base[8] = {
        SIMT_OP_ADD, SIMT_OP_SLL, SIMT_OP_SLT, SIMT_OP_SLTU,
        SIMT_OP_XOR, SIMT_OP_SRL, SIMT_OP_OR, SIMT_OP_AND,
    };
    static const enum simt_op muldiv[8] = {
        SIMT_OP_MUL, SIMT_OP_MULH, SIMT_OP_MULHSU, SIMT_OP_MULHU,
        SIMT_OP_DIV, SIMT_OP_DIVU, SIMT_OP_REM, SIMT_OP_REMU,
    };

    if (f->funct7 == 0)
        return make(base[f->funct3], f);
    if (f->funct7 == 1)
        return make(muldiv[f->funct3], f);
    if (f->funct7 == 0x20 && f->funct3 == 0)
        return make(SIMT_OP_SUB, f);
    if (f->funct7 == 0x20 && f->funct3 == 5)
        return make(SIMT_OP_SRA, f);
    return illegal(f);
}

static struct simt_insn op_reg32(const struct fields *f)
{
    static const enum simt_op muldiv[8] = {
        SIMT_OP_MULW, SIMT_OP_ILLEGAL, SIMT_OP_ILLEGAL, SIMT_OP_ILLEGAL,
        SIMT_OP_DIVW, SIMT_OP_DIVUW, SIMT_OP_REMW, SIMT_OP_REMUW,
    };

    if (f->funct7 == 1 && muldiv[f->funct3] != SIMT_OP_ILLEGAL)
        return make(muldiv[f->funct3], f);
    if (f->funct7 == 0 && f->funct3 == 0)
        return make(SIMT_OP_ADDW, f);
    if (f->funct7 == 0x20 && f->funct3 == 0)
        return make(SIMT_OP_SUBW, f);
    if (f->funct7 == 0 && f->funct3 == 1)
        return make(SIMT_OP_SLLW, f);
    if (f->funct7 == 0 && f->funct3 == 5)
        return make(SIMT_OP_SRLW, f);
    if (f->funct7 == 0x20 && f->funct3 == 5)
        return make(SIMT_OP_SRAW, f);
    return illegal(f);
}

/* ------------------------------------------------------- control transfer */

static struct simt_insn branch(const struct simt_program *prog, uint32_t index,
                               const struct fields *f)
{
    static const enum simt_op ops[8] = {
        SIMT_OP_BEQ, SIMT_OP_BNE, SIMT_OP_ILLEGAL, SIMT_OP_ILLEGAL,
        SIMT_OP_BLT, SIMT_OP_BGE, SIMT_OP_BLTU, SIMT_OP_BGEU,
    };
    struct simt_insn in = make(ops[f->funct3], f);

    if (in.op == SIMT_OP_ILLEGAL)
        return illegal(f);
    in.imm = imm_b(f->word);
    in.target = target_of(prog, index, in.imm);
    return in;
}

static struct simt_insn jal(const struct simt_program *prog, uint32_t index,
                            const struct fields *f)
{
    struct simt_insn in = make(SIMT_OP_JAL, f);

    in.sub = f->rd == 1 ? SIMT_LINK_CALL : 0;
    in.imm = imm_j(f->word);
    in.target = target_of(prog, index, in.imm);
    return in;
}

/* ------------------------------------------------------------ memory */

static struct simt_insn load(const struct fields *f)
{
    static const enum simt_op ops[8] = {
        SIMT_OP_LB, SIMT_OP_LH, SIMT_OP_LW, SIMT_OP_LD,
        SIMT_OP_LBU, SIMT_OP_LHU, SIMT_OP_LWU, SIMT_OP_ILLEGAL,
    };
    struct simt_insn in = make(ops[f->funct3], f);

    if (in.op == SIMT_OP_ILLEGAL)
        return illegal(f);
    in.imm = imm_i(f->word);
    return in;
}

static struct simt_insn store(const struct fields *f)
{
    static const enum simt_op ops[4] = { SIMT_OP_SB, SIMT_OP_SH, SIMT_OP_SW, SIMT_OP_SD };
    struct simt_insn in;

    if (f->funct3 > 3)
        return illegal(f);
    in = make(ops[f->funct3], f);
    in.imm = imm_s(f->word);
    return in;
}

static struct simt_insn fp_load_store(const struct fields *f, bool is_store)
{
    struct simt_insn in;

    if (f->funct3 != 2 && f->funct3 != 3)
        return illegal(f);
    if (is_store) {
        in = make(f->funct3 == 2 ? SIMT_OP_FSW : SIMT_OP_FSD, f);
        in.imm = imm_s(f->word);
    } else {
        in = make(f->funct3 == 2 ? SIMT_OP_FLW : SIMT_OP_FLD, f);
        in.rd = (uint8_t)f->rd;     /* an f register: no sink */
        in.imm = imm_i(f->word);
    }
    return in;
}

static struct simt_insn op_atomic(const struct fields *f)
{
    unsigned int funct5 = f->word >> 27;
    struct simt_insn in = make(SIMT_OP_AMO, f);

    if (f->funct3 != 2 && f->funct3 != 3)
        return illegal(f);
    in.aux = f->funct3 == 2 ? 4 : 8;        /* access size */
    switch (funct5) {
    case 0x02:
        if (f->rs2)
            return illegal(f);
        in.op = SIMT_OP_LR;
        return in;
    case 0x03:
        in.op = SIMT_OP_SC;
        return in;
    case SIMT_AMO_ADD: case SIMT_AMO_SWAP: case SIMT_AMO_XOR: case SIMT_AMO_OR:
    case SIMT_AMO_AND: case SIMT_AMO_MIN: case SIMT_AMO_MAX: case SIMT_AMO_MINU:
    case SIMT_AMO_MAXU:
        in.rm = (uint8_t)funct5;
        return in;
    default:
        return illegal(f);
    }
}

/* --------------------------------------------------------------- system */

static bool csr_known(unsigned int csr)
{
    return (csr >= 0x001 && csr <= 0x003) || (csr >= 0xc00 && csr <= 0xc02) ||
           (csr >= S5000_CSR_TID_X && csr <= S5000_CSR_DYN_SHARED_OFF);
}

static struct simt_insn op_system(const struct fields *f)
{
    unsigned int csr = f->word >> 20, kind = f->funct3 & 3;
    struct simt_insn in = make(SIMT_OP_CSR, f);
    bool writes;

    /* ECALL, EBREAK, WFI, xRET: no environment, debugger or privilege levels here. */
    if (kind == 0)
        return illegal(f);
    /* csrrs/csrrc with x0 (or uimm 0) only read. */
    writes = kind == SIMT_CSR_RW || f->rs1 != 0;
    if (!csr_known(csr) || (writes && csr > 0x003))
        return illegal(f);
    in.rm = (uint8_t)f->funct3;             /* SIMT_CSR_* | SIMT_CSR_IMM */
    in.imm = (int32_t)csr;
    return in;
}

/* ----------------------------------------------------------------- F, D */

static bool rm_valid(unsigned int rm)
{
    return rm <= EMU_RM_RMM || rm == EMU_RM_DYN;
}

static struct simt_insn fp(const struct fields *f, enum simt_fp_op sub, bool rd_is_x,
                           bool uses_rm)
{
    struct simt_insn in = make(SIMT_OP_FP, f);

    if (uses_rm && !rm_valid(f->funct3))
        return illegal(f);
    in.sub = (uint8_t)sub;
    in.rd = rd_is_x ? xd(f->rd) : (uint8_t)f->rd;
    return in;
}

static struct simt_insn fp_fused(const struct fields *f)
{
    unsigned int fmt = f->funct7 & 3;
    enum simt_fp_op base;

    if (fmt > 1)
        return illegal(f);
    switch (f->opcode) {
    case 0x43: base = SIMT_FP_FMADD_S; break;
    case 0x47: base = SIMT_FP_FMSUB_S; break;
    case 0x4b: base = SIMT_FP_FNMSUB_S; break;
    default:   base = SIMT_FP_FNMADD_S; break;
    }
    return fp(f, base + fmt, false, true);
}

/* funct7 of OP-FP with funct3 picking among 2 or 3 operations. */
static struct simt_insn fp_by_funct3(const struct fields *f, enum simt_fp_op first,
                                     unsigned int count, bool rd_is_x)
{
    unsigned int d = f->funct7 & 1;

    if (f->funct3 >= count)
        return illegal(f);
    return fp(f, first + 2 * f->funct3 + d, rd_is_x, false);
}

static struct simt_insn fp_convert(const struct fields *f)
{
    unsigned int d = f->funct7 & 1;

    if (f->rs2 > 3)
        return illegal(f);
    if ((f->funct7 & ~1u) == 0x60)          /* to integer */
        return fp(f, SIMT_FP_FCVT_W_S + 2 * f->rs2 + d, true, true);
    return fp(f, SIMT_FP_FCVT_S_W + 2 * f->rs2 + d, false, true);
}

static struct simt_insn fp_move(const struct fields *f)
{
    unsigned int d = f->funct7 & 1;

    if (f->rs2 != 0)
        return illegal(f);
    if (f->funct7 >= 0x78)                  /* fmv.w.x, fmv.d.x */
        return f->funct3 ? illegal(f) : fp(f, SIMT_FP_FMV_W_X + d, false, false);
    if (f->funct3 == 0)
        return fp(f, SIMT_FP_FMV_X_W + d, true, false);
    if (f->funct3 == 1)
        return fp(f, SIMT_FP_FCLASS_S + d, true, false);
    return illegal(f);
}

/* FMIN/FMAX and FEQ/FLT/FLE order their operations unlike their funct3. */
static struct simt_insn fp_minmax(const struct fields *f)
{
    if (f->funct3 > 1)
        return illegal(f);
    return fp(f, (f->funct3 ? SIMT_FP_FMAX_S : SIMT_FP_FMIN_S) + (f->funct7 & 1), false, false);
}

static struct simt_insn fp_compare(const struct fields *f)
{
    static const enum simt_fp_op ops[3] = { SIMT_FP_FLE_S, SIMT_FP_FLT_S, SIMT_FP_FEQ_S };

    if (f->funct3 > 2)
        return illegal(f);
    return fp(f, ops[f->funct3] + (f->funct7 & 1), true, false);
}

static struct simt_insn op_fp(const struct fields *f)
{
    unsigned int d = f->funct7 & 1;

    switch (f->funct7 & ~1u) {
    case 0x00: return fp(f, SIMT_FP_FADD_S + d, false, true);
    case 0x04: return fp(f, SIMT_FP_FSUB_S + d, false, true);
    case 0x08: return fp(f, SIMT_FP_FMUL_S + d, false, true);
    case 0x0c: return fp(f, SIMT_FP_FDIV_S + d, false, true);
    case 0x2c: return f->rs2 ? illegal(f) : fp(f, SIMT_FP_FSQRT_S + d, false, true);
    case 0x10: return fp_by_funct3(f, SIMT_FP_FSGNJ_S, 3, false);
    case 0x14: return fp_minmax(f);
    case 0x50: return fp_compare(f);
    case 0x20:
        /* fcvt.s.d: funct7 0x20, rs2 1; fcvt.d.s: funct7 0x21, rs2 0 */
        if (f->rs2 != !d)
            return illegal(f);
        return fp(f, d ? SIMT_FP_FCVT_D_S : SIMT_FP_FCVT_S_D, false, true);
    case 0x60:
    case 0x68: return fp_convert(f);
    case 0x70:
    case 0x78: return fp_move(f);
    default:   return illegal(f);
    }
}

/* ------------------------------------------------------------------ SIMT */

static struct simt_insn simt_ctrl(const struct fields *f)
{
    struct simt_insn in = make(SIMT_OP_BAR, f);

    switch (f->funct7) {
    case S5000_CTRL_BAR:
        if (f->rd || f->rs1 || f->rs2)
            return illegal(f);
        in.sub = SIMT_BAR_PLAIN;
        return in;
    case S5000_CTRL_BAR_POPC:
    case S5000_CTRL_BAR_AND:
    case S5000_CTRL_BAR_OR:
        if (f->rs2)
            return illegal(f);
        in.sub = (uint8_t)(SIMT_BAR_POPC + f->funct7 - S5000_CTRL_BAR_POPC);
        return in;
    case S5000_CTRL_EXIT:
        if (f->rd || f->rs1 || f->rs2)
            return illegal(f);
        in.op = SIMT_OP_EXIT;
        return in;
    case S5000_CTRL_TRAP:
    case S5000_CTRL_WARP_SYNC:
        if (f->rd || f->rs2)
            return illegal(f);
        in.op = f->funct7 == S5000_CTRL_TRAP ? SIMT_OP_TRAP : SIMT_OP_WARP_SYNC;
        return in;
    default:
        return illegal(f);
    }
}

static struct simt_insn simt(const struct fields *f)
{
    struct simt_insn in = make(SIMT_OP_VOTE, f);

    switch (f->funct3) {
    case S5000_SIMT_CTRL:
        return simt_ctrl(f);
    case S5000_SIMT_VOTE:
        if (f->funct7 > S5000_VOTE_ACTIVE ||
            (f->funct7 == S5000_VOTE_ACTIVE && (f->rs1 || f->rs2)))
            return illegal(f);
        in.sub = (uint8_t)f->funct7;
        return in;
    case S5000_SIMT_SHFL:
        if (f->funct7)
            return illegal(f);
        in.op = SIMT_OP_SHFL;
        return in;
    case S5000_SIMT_MMA:
        if (f->funct7 || f->rd || f->rs2)
            return illegal(f);
        in.op = SIMT_OP_MMA;
        return in;
    default:
        return illegal(f);
    }
}

/* ---------------------------------------------------------------- words */

static struct simt_insn decode(const struct simt_program *prog, uint32_t index, uint32_t word)
{
    struct fields f = split(word);
    struct simt_insn in;

    switch (f.opcode) {
    case 0x37:
    case 0x17:
        in = make(f.opcode == 0x37 ? SIMT_OP_LUI : SIMT_OP_AUIPC, &f);
        in.imm = imm_u(word);
        return in;
    case 0x6f: return jal(prog, index, &f);
    case 0x67:
        if (f.funct3)
            return illegal(&f);
        in = make(SIMT_OP_JALR, &f);
        in.imm = imm_i(word);
        /*
         * A link in rd is a call, rs1 = ra included: the RISC-V return-address-stack
         * hints make rd = rs1 = ra a push, and it is how `call` (auipc ra; jalr ra,
         * ra) reaches a far function.
         */
        if (f.rd == 1)
            in.sub = SIMT_LINK_CALL;
        else if (f.rd == 0 && f.rs1 == 1)
            in.sub = SIMT_LINK_RET;
        return in;
    case 0x63: return branch(prog, index, &f);
    case 0x03: return load(&f);
    case 0x23: return store(&f);
    case 0x13: return op_imm(&f);
    case 0x1b: return op_imm32(&f);
    case 0x33: return op_reg(&f);
    case 0x3b: return op_reg32(&f);
    case 0x0f:
        /* FENCE orders memory; FENCE.I has nothing to do: code is decoded at launch. */
        return f.funct3 <= 1 ? make(SIMT_OP_FENCE, &f) : illegal(&f);
    case 0x73: return op_system(&f);
    case 0x2f: return op_atomic(&f);
    case 0x07: return fp_load_store(&f, false);
    case 0x27: return fp_load_store(&f, true);
    case 0x43: case 0x47: case 0x4b: case 0x4f:
        return fp_fused(&f);
    case 0x53: return op_fp(&f);
    case S5000_OPC_SIMT: return simt(&f);
    default:   return illegal(&f);
    }
}

/* Where execution may go after instruction i; false if the decoder cannot tell. */
static bool successors(const struct simt_program *prog, uint32_t i, uint32_t next[2],
                       unsigned int *n)
{
    const struct simt_insn *in = &prog->insn[i];

    *n = 0;
    switch (in->op) {
    case SIMT_OP_BEQ: case SIMT_OP_BNE: case SIMT_OP_BLT:
    case SIMT_OP_BGE: case SIMT_OP_BLTU: case SIMT_OP_BGEU:
        next[(*n)++] = i + 1;
        /* fall through */
    case SIMT_OP_JAL:
        if (in->target != SIMT_BAD_TARGET)
            next[(*n)++] = in->target;
        if (in->op == SIMT_OP_JAL && in->sub == SIMT_LINK_CALL)
            next[(*n)++] = i + 1;
        return true;
    case SIMT_OP_JALR:
        /* A return goes back to where a call's fall-through already leads. */
        return in->sub == SIMT_LINK_RET;
    case SIMT_OP_EXIT: case SIMT_OP_ILLEGAL: case SIMT_OP_FELL_OFF: case SIMT_OP_TRAP:
        return true;
    default:
        next[(*n)++] = i + 1;
        return true;
    }
}

uint32_t simt_program_writes(const struct simt_program *prog, uint32_t entry)
{
    uint8_t *seen = calloc(prog->count + 2, 1);
    uint32_t *todo = malloc((prog->count + 2) * sizeof(*todo));
    uint32_t written = 0, top = 0;

    if (!seen || !todo)
        goto unknown;
    todo[top++] = entry;
    seen[entry] = 1;
    while (top) {
        uint32_t i = todo[--top], next[2];
        unsigned int n;

        if (prog->insn[i].rd < 32)
            written |= 1u << prog->insn[i].rd;
        if (!successors(prog, i, next, &n))
            goto unknown;
        for (unsigned int k = 0; k < n; k++) {
            if (!seen[next[k]]) {
                seen[next[k]] = 1;
                todo[top++] = next[k];
            }
        }
    }
    free(seen);
    free(todo);
    return written;

unknown:
    free(seen);
    free(todo);
    return UINT32_MAX;
}

struct simt_program *simt_decode(const uint32_t *words, uint64_t code_start, uint64_t code_size)
{
    uint32_t count = (uint32_t)(code_size / 4);
    struct simt_program *prog = malloc(sizeof(*prog) + (count + 2ull) * sizeof(prog->insn[0]));

    if (!prog)
        return NULL;
    prog->code_start = code_start;
    prog->code_size = code_size;
    prog->count = count;
    for (uint32_t i = 0; i < count; i++)
        prog->insn[i] = decode(prog, i, words[i]);
    prog->insn[count] = (struct simt_insn){ .op = SIMT_OP_FELL_OFF };
    prog->insn[count + 1] = (struct simt_insn){ .op = SIMT_OP_EXIT };
    return prog;
}

void simt_program_free(struct simt_program *prog)
{
    free(prog);
}

uint64_t simt_program_bytes(const struct simt_program *prog)
{
    return sizeof(*prog) + (prog->count + 2ull) * sizeof(prog->insn[0]);
}
