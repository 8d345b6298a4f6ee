/* SPDX-License-Identifier: MIT */
/*
 * Inside the SIMT core: decoded instructions, warps, and what simt.c, simt_decode.c,
 * simt_mem.c and simt_fp.c share. Not for the rest of the device model.
 *
 * Registers are laid out per warp, register-major: x[reg][lane]. One decoded
 * instruction then runs across the lanes of a warp in a tight loop, which the
 * compiler can vectorise when the whole warp is active.
 */
#ifndef EMU_SIMT_INTERNAL_H
#define EMU_SIMT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "simt.h"
#include "softfp.h"

#define SIMT_LANES      32
#define SIMT_FULL       0xffffffffu
#define SIMT_MAX_WARPS  (S5000_MAX_BLOCK_THREADS / SIMT_LANES)
/* Writes to x0 go to this row, so that x[0] always reads zeros. */
#define SIMT_SINK       32

#define likely(x)       __builtin_expect(!!(x), 1)
#define unlikely(x)     __builtin_expect(!!(x), 0)

/*
 * Before a loop over all the lanes of a warp: lanes are independent, and a register
 * row is either the same as another or apart from it, so the loop may be vectorised
 * without alias checks (which GCC's -O2 does not make; clang's vectoriser does).
 */
#if defined(__GNUC__) && !defined(__clang__)
#define SIMT_VECTOR_LOOP _Pragma("GCC ivdep")
#else
#define SIMT_VECTOR_LOOP
#endif

/* ------------------------------------------------------------ instructions */

/* Every operation the core executes; F and D arithmetic is one op, FP, with a sub-op. */
#define SIMT_OPS(X) \
    X(ILLEGAL) X(FELL_OFF) X(EXIT) \
    X(LUI) X(AUIPC) \
    X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI) X(SRAI) \
    X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR) X(AND) \
    X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW) X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW) \
    X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU) \
    X(MULW) X(DIVW) X(DIVUW) X(REMW) X(REMUW) \
    X(JAL) X(JALR) X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU) \
    X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU) X(FLW) X(FLD) \
    X(SB) X(SH) X(SW) X(SD) X(FSW) X(FSD) \
    X(FENCE) X(LR) X(SC) X(AMO) X(CSR) X(FP) \
    X(BAR) X(TRAP) X(WARP_SYNC) X(VOTE) X(SHFL) X(MMA)

#define SIMT_OP_ENUM(name) SIMT_OP_##name,
enum simt_op { SIMT_OPS(SIMT_OP_ENUM) SIMT_NUM_OPS };
#undef SIMT_OP_ENUM

/* AMO sub-ops (funct5 of the A extension). */
enum simt_amo {
    SIMT_AMO_ADD = 0x00, SIMT_AMO_SWAP = 0x01, SIMT_AMO_XOR = 0x04, SIMT_AMO_OR = 0x08,
    SIMT_AMO_AND = 0x0c, SIMT_AMO_MIN = 0x10, SIMT_AMO_MAX = 0x14, SIMT_AMO_MINU = 0x18,
    SIMT_AMO_MAXU = 0x1c,
};

/* CSR sub-ops: funct3 of csrrw .. csrrci. */
#define SIMT_CSR_RW     1
#define SIMT_CSR_RS     2
#define SIMT_CSR_RC     3
#define SIMT_CSR_IMM    4               /* or'ed: rs1 is an immediate */

/* JAL and JALR sub-ops: what the calling convention says the jump is. */
#define SIMT_LINK_CALL  1               /* rd = ra */
#define SIMT_LINK_RET   2               /* rd = x0, rs1 = ra */

/* BAR sub-ops. */
enum simt_bar { SIMT_BAR_PLAIN, SIMT_BAR_POPC, SIMT_BAR_AND, SIMT_BAR_OR };

/* F and D sub-ops; _S and _D alternate so that (op | 1) is the D form where it exists. */
#define SIMT_FP_OPS(X) \
    X(FADD_S) X(FADD_D) X(FSUB_S) X(FSUB_D) X(FMUL_S) X(FMUL_D) X(FDIV_S) X(FDIV_D) \
    X(FSQRT_S) X(FSQRT_D) X(FMADD_S) X(FMADD_D) X(FMSUB_S) X(FMSUB_D) \
    X(FNMSUB_S) X(FNMSUB_D) X(FNMADD_S) X(FNMADD_D) \
    X(FSGNJ_S) X(FSGNJ_D) X(FSGNJN_S) X(FSGNJN_D) X(FSGNJX_S) X(FSGNJX_D) \
    X(FMIN_S) X(FMIN_D) X(FMAX_S) X(FMAX_D) \
    X(FEQ_S) X(FEQ_D) X(FLT_S) X(FLT_D) X(FLE_S) X(FLE_D) X(FCLASS_S) X(FCLASS_D) \
    X(FMV_X_W) X(FMV_X_D) X(FMV_W_X) X(FMV_D_X) \
    X(FCVT_W_S) X(FCVT_W_D) X(FCVT_WU_S) X(FCVT_WU_D) X(FCVT_L_S) X(FCVT_L_D) \
    X(FCVT_LU_S) X(FCVT_LU_D) \
    X(FCVT_S_W) X(FCVT_D_W) X(FCVT_S_WU) X(FCVT_D_WU) X(FCVT_S_L) X(FCVT_D_L) \
    X(FCVT_S_LU) X(FCVT_D_LU) \
    X(FCVT_S_D) X(FCVT_D_S)

#define SIMT_FP_ENUM(name) SIMT_FP_##name,
enum simt_fp_op { SIMT_FP_OPS(SIMT_FP_ENUM) SIMT_NUM_FP_OPS };
#undef SIMT_FP_ENUM

/*
 * One decoded instruction. Register fields are indices into x (rd already SIMT_SINK
 * for x0) or f, as the op says. target is the instruction index a branch or jump
 * goes to; imm also keeps its offset, for the fault address of a bad target.
 */
struct simt_insn {
    uint8_t op;                         /* enum simt_op */
    uint8_t rd, rs1, rs2, rs3;
    uint8_t rm;                         /* rounding mode (FP), AMO or CSR sub-op */
    uint8_t sub;                        /* FP sub-op, SIMT operation, SIMT_LINK_* */
    uint8_t aux;                        /* atomics: access size */
    int32_t imm;
    uint32_t target;
};

/* A target VA outside the code range (checked when the branch is taken). */
#define SIMT_BAD_TARGET UINT32_MAX

/*
 * The decoded program: count instructions, then FELL_OFF (the pc ran past the end)
 * and EXIT (where jumps to S5000_EXIT_PC go).
 */
struct simt_program {
    uint64_t code_start;
    uint64_t code_size;
    uint32_t count;
    struct simt_insn insn[];
};

/* simt_program_index(), for the hot path. */
static inline bool simt_index_of(const struct simt_program *prog, uint64_t va, uint32_t *index)
{
    uint64_t off = va - prog->code_start;

    if (va == S5000_EXIT_PC) {
        *index = prog->count + 1;
        return true;
    }
    if (off >= prog->code_size || off % 4)
        return false;
    *index = (uint32_t)(off / 4);
    return true;
}

/* ------------------------------------------------------------------ warps */

/*
 * A warp. The lanes of the current group (active) run at pc together, `depth` calls
 * deep; lane_pc and lane_depth hold where every other runnable lane is, and where
 * waiting ones resume. The group is the runnable lanes deepest in calls and, among
 * those, at the smallest pc. merge_pc is the smallest pc of the other lanes as deep
 * (SIMT_NO_PC if none): the group merges with them when it gets there, and gives way
 * when it jumps past it; a return lets shallower ones compete again.
 */
#define SIMT_NO_PC UINT32_MAX
struct simt_warp {
    uint64_t x[33][SIMT_LANES] __attribute__((aligned(64)));
    uint64_t f[32][SIMT_LANES];
    uint64_t resv_addr[SIMT_LANES];     /* LR reservations */
    uint64_t resv_value[SIMT_LANES];
    uint64_t icount[SIMT_LANES];        /* instructions before the current group's */
    uint32_t lane_pc[SIMT_LANES];
    int32_t lane_depth[SIMT_LANES];
    uint32_t sync_mask[SIMT_LANES];     /* lanes a WARP_SYNC waits for */
    uint8_t frm[SIMT_LANES];
    uint8_t fflags[SIMT_LANES];
    uint8_t bar_rd[SIMT_LANES];         /* where a BAR_POPC/AND/OR result goes */
    uint8_t bar_kind[SIMT_LANES];       /* enum simt_bar */

    uint32_t pc;
    int32_t depth;
    uint32_t active;
    uint32_t merge_pc;
    uint32_t valid;                     /* lanes that are threads of the block */
    uint32_t runnable;                  /* neither exited nor waiting */
    uint32_t exited;
    uint32_t at_barrier;
    uint32_t at_sync;
    uint32_t bar_pred;                  /* BAR_* predicates of the lanes at the barrier */
    uint32_t resv_valid;
    uint32_t frm_set;                   /* lanes whose frm is not RNE */
    uint32_t group_slices;              /* slices the group ran while other lanes waited */
    uint32_t dirty;                     /* x and f rows that may not be zero */
    uint64_t steps;                     /* warp instructions */
    uint64_t group_start;               /* steps when the current group formed */
    uint32_t index;                     /* in the block */
    uint32_t first_tid;                 /* linear thread index of lane 0 */
};

/* ------------------------------------------------------------ block context */

/* Everything the run of one block needs at hand. */
struct simt_exec {
    struct simt_unit *unit;
    const struct simt_launch *launch;
    const struct simt_insn *insn;
    uint64_t code_start;
    uint32_t block_id[3];
    uint32_t nwarps;
    uint8_t *shared;
    uint32_t shared_size;
    uint8_t *stacks;
    uint32_t stack_size;
    struct emu_fault *fault;
};

static inline uint64_t simt_pc_va(const struct simt_exec *e, uint32_t pc)
{
    return e->code_start + (uint64_t)pc * 4;
}

/* --------------------------------------------------------------- memory */

/* Where thread addresses go (uapi/s5000-isa.md, "address windows"). */
#define SIMT_SHARED_END     (S5000_STACK_BASE - S5000_STACK_GUARD)
#define SIMT_STACK_END      (S5000_STACK_BASE + (1ull << 40))

/*
 * A host pointer for an access of a lane that the fast paths serve: a cached VRAM
 * page, shared memory, the lane's stack. NULL: ask simt_mem_*().
 */
static inline uint8_t *simt_fast_addr(const struct simt_exec *e, const struct simt_warp *w,
                                      unsigned int lane, uint64_t addr, unsigned int size,
                                      bool write)
{
    const struct simt_page *p = &e->unit->pages[(addr >> 12) % SIMT_PAGE_CACHE];
    uint64_t off;

    if (likely(p->page == addr >> 12 && (p->writable || !write)))
        return p->host + (addr & 0xfff);
    off = addr - S5000_SHARED_BASE;
    if (off < e->shared_size && size <= e->shared_size - off)
        return e->shared + off;
    /* The stack size is a multiple of 16: an aligned access fits if it starts inside. */
    off = addr - S5000_STACK_BASE;
    if (off < e->stack_size)
        return e->stacks + (uint64_t)(w->first_tid + lane) * e->stack_size + off;
    return NULL;
}

/* Holds the unit's MMU chunk anew, with no page cached (simt_mem.c). */
void simt_mem_rehold(struct simt_unit *u);

/*
 * Before an access: forgets the cached pages if the MMU invalidated since, or if an
 * injected ECC error waits for the next VRAM access (which must then take the MMU).
 */
static inline void simt_mem_check(struct simt_unit *u)
{
    if (unlikely(emu_mmu_hold_stale(u->mmu, u->hold_ctx, u->generation) ||
                 atomic_load_explicit(&u->mmu->mem->poison_next_vram, memory_order_relaxed)))
        simt_mem_rehold(u);
}

/* The value an AMO min/max leaves, of operands of the access's width (signed as it says). */
static inline uint64_t simt_amo_pick(unsigned int amo, uint64_t old, uint64_t val, int64_t s_old,
                                     int64_t s_val)
{
    switch (amo) {
    case SIMT_AMO_MIN:  return s_old < s_val ? old : val;
    case SIMT_AMO_MAX:  return s_old > s_val ? old : val;
    case SIMT_AMO_MINU: return old < val ? old : val;
    default:            return old > val ? old : val;      /* SIMT_AMO_MAXU */
    }
}

/* AMOs with host atomics; min and max are compare-and-swap loops. Old value returned. */
static inline uint32_t simt_host_amo32(uint32_t *p, unsigned int amo, uint32_t val)
{
    uint32_t old;

    switch (amo) {
    case SIMT_AMO_ADD:  return __atomic_fetch_add(p, val, __ATOMIC_SEQ_CST);
    case SIMT_AMO_SWAP: return __atomic_exchange_n(p, val, __ATOMIC_SEQ_CST);
    case SIMT_AMO_XOR:  return __atomic_fetch_xor(p, val, __ATOMIC_SEQ_CST);
    case SIMT_AMO_OR:   return __atomic_fetch_or(p, val, __ATOMIC_SEQ_CST);
    case SIMT_AMO_AND:  return __atomic_fetch_and(p, val, __ATOMIC_SEQ_CST);
    }
    old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(p, &old,
                                        (uint32_t)simt_amo_pick(amo, old, val, (int32_t)old,
                                                                (int32_t)val),
                                        true, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
        ;
    return old;
}

static inline uint64_t simt_host_amo64(uint64_t *p, unsigned int amo, uint64_t val)
{
    uint64_t old;

    switch (amo) {
    case SIMT_AMO_ADD:  return __atomic_fetch_add(p, val, __ATOMIC_SEQ_CST);
    case SIMT_AMO_SWAP: return __atomic_exchange_n(p, val, __ATOMIC_SEQ_CST);
    case SIMT_AMO_XOR:  return __atomic_fetch_xor(p, val, __ATOMIC_SEQ_CST);
    case SIMT_AMO_OR:   return __atomic_fetch_or(p, val, __ATOMIC_SEQ_CST);
    case SIMT_AMO_AND:  return __atomic_fetch_and(p, val, __ATOMIC_SEQ_CST);
    }
    old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(p, &old,
                                        simt_amo_pick(amo, old, val, (int64_t)old, (int64_t)val),
                                        true, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
        ;
    return old;
}

/* An AMO of 4 or 8 bytes at a host address; the old value, sign-extended. */
static inline uint64_t simt_host_amo(uint8_t *p, unsigned int size, unsigned int amo, uint64_t val)
{
    if (size == 4)
        return (uint64_t)(int32_t)simt_host_amo32((uint32_t *)p, amo, (uint32_t)val);
    return simt_host_amo64((uint64_t *)p, amo, val);
}

/* SC's compare-and-swap at a host address. */
static inline bool simt_host_cas(uint8_t *p, unsigned int size, uint64_t expected, uint64_t val)
{
    if (size == 4) {
        uint32_t e = (uint32_t)expected;

        return __atomic_compare_exchange_n((uint32_t *)p, &e, (uint32_t)val, false,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    return __atomic_compare_exchange_n((uint64_t *)p, &expected, val, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

/* Loads and stores of 1, 2, 4 or 8 naturally aligned bytes at a host address. */
static inline uint64_t simt_host_load(const uint8_t *p, unsigned int size)
{
    switch (size) {
    case 1:  return __atomic_load_n(p, __ATOMIC_RELAXED);
    case 2:  return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
    case 4:  return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
    default: return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
    }
}

static inline void simt_host_store(uint8_t *p, unsigned int size, uint64_t val)
{
    switch (size) {
    case 1:  __atomic_store_n(p, (uint8_t)val, __ATOMIC_RELAXED); break;
    case 2:  __atomic_store_n((uint16_t *)p, (uint16_t)val, __ATOMIC_RELAXED); break;
    case 4:  __atomic_store_n((uint32_t *)p, (uint32_t)val, __ATOMIC_RELAXED); break;
    default: __atomic_store_n((uint64_t *)p, val, __ATOMIC_RELAXED); break;
    }
}

/*
 * The slow paths (simt_mem.c): windows out of bounds, the MMU, guest RAM. All take
 * a naturally aligned address and return false after recording a fault in e->fault
 * (without its pc). A load's value comes back zero-extended.
 */
bool simt_mem_load(struct simt_exec *e, struct simt_warp *w, unsigned int lane, uint64_t addr,
                   unsigned int size, uint64_t *val);
bool simt_mem_store(struct simt_exec *e, struct simt_warp *w, unsigned int lane, uint64_t addr,
                    unsigned int size, uint64_t val);
/* An AMO (enum simt_amo) of 4 or 8 bytes; *old gets the value before it (sign-extended). */
bool simt_mem_amo(struct simt_exec *e, struct simt_warp *w, unsigned int lane, uint64_t addr,
                  unsigned int size, unsigned int amo, uint64_t val, uint64_t *old);
/* Compare-and-swap for SC: *done says whether memory held expected. */
bool simt_mem_cas(struct simt_exec *e, struct simt_warp *w, unsigned int lane, uint64_t addr,
                  unsigned int size, uint64_t expected, uint64_t val, bool *done);

/* Records a kernel fault that is not a memory access's (pc added by the caller). */
void simt_fault(struct simt_exec *e, uint32_t kind, uint64_t address, uint8_t access);

/* MMA for the group `mask` of a warp; false after recording a fault. */
bool simt_mma(struct simt_exec *e, struct simt_warp *w, const struct simt_insn *in, uint32_t mask);

/* ------------------------------------------------------------------ F and D */

/* Runs an FP instruction for the lanes of mask; false after recording a fault. */
bool simt_fp_exec(struct simt_exec *e, struct simt_warp *w, const struct simt_insn *in,
                  uint32_t mask);

#endif /* EMU_SIMT_INTERNAL_H */
