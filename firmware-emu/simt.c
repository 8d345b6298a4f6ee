// SPDX-License-Identifier: MIT
/*
 * The SIMT core: a block's warps, their scheduling and divergence, and the integer,
 * control, memory and SIMT instructions. F and D are in simt_fp.c, the slow memory
 * paths in simt_mem.c, decoding in simt_decode.c.
 *
 * A warp runs the group of its runnable lanes deepest in calls and, of those, with
 * the smallest pc (min-pc reconvergence): after an if/else, a loop or a call the lanes
 * meet again at the join point or return address and go on as one group. A converged
 * warp checks nothing per instruction beyond the pc and its time slice; group changes
 * only happen at branches, jumps, calls and returns, exits, waits, when the group
 * reaches the pc where other lanes wait (merge_pc), and when it has kept others
 * waiting for long (yield_group()).
 *
 * The warps of a block run in turn on the unit's thread, each for a slice of
 * instructions or until all its lanes wait or exit; a barrier releases once every
 * thread of the block waits at it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "device.h"
#include "simt_internal.h"

/* A warp gives way to the block's others after this many instructions. */
#define SLICE_STEPS     1024
/*
 * A group that ran this many slices while other lanes of its warp could run lets
 * them have a slice: it may be spinning on a lock one of them holds.
 */
#define YIELD_SLICES    8
/* The block looks at the launch's state (stop, abort, deadline, MMU) this often. */
#define POLL_STEPS      4096

#define REG_RA 1
#define REG_SP 2
#define REG_TP 4
#define REG_A0 10

enum warp_stop {
    WARP_SLICE,                         /* its slice is over */
    WARP_BLOCKED,                       /* no lane is runnable: all wait or exited */
    WARP_FAULT,                         /* e->fault is filled in, pc included */
};

static inline unsigned int lowest(uint32_t mask)
{
    return (unsigned int)__builtin_ctz(mask);
}

void simt_fault(struct simt_exec *e, uint32_t kind, uint64_t address, uint8_t access)
{
    *e->fault = (struct emu_fault){
        .error = S5000_ERR_KERNEL_FAULT, .kind = kind, .address = address, .access = access,
    };
}

/* ------------------------------------------------------------------ groups */

/* Adds the current group's instructions to its lanes' counts. */
static void account(struct simt_warp *w)
{
    uint64_t n = w->steps - w->group_start;

    for (uint32_t m = w->active; m; m &= m - 1)
        w->icount[lowest(m)] += n;
    w->group_start = w->steps;
}

/*
 * Picks the new group: the runnable lanes deepest in calls, and of those the ones at
 * the smallest pc. Deeper lanes first makes lanes that called a function wait at the
 * return address for those still in it, wherever the function lies.
 */
static void select_group(struct simt_warp *w)
{
    uint32_t min = SIMT_NO_PC, next = SIMT_NO_PC, active = 0, deepest = 0;
    int32_t depth = INT32_MIN;

    for (uint32_t m = w->runnable; m; m &= m - 1) {
        unsigned int l = lowest(m);

        if (w->lane_depth[l] > depth) {
            depth = w->lane_depth[l];
            deepest = 0;
        }
        if (w->lane_depth[l] == depth)
            deepest |= 1u << l;
    }
    for (uint32_t m = deepest; m; m &= m - 1) {
        unsigned int l = lowest(m);
        uint32_t pc = w->lane_pc[l];

        if (pc < min) {
            next = min;
            min = pc;
            active = 1u << l;
        } else if (pc == min) {
            active |= 1u << l;
        } else if (pc < next) {
            next = pc;
        }
    }
    w->pc = min;
    w->depth = depth;
    w->active = active;
    w->merge_pc = next;
    w->group_slices = 0;
}

/* The group's lanes go on at pc (or wait there), individually. */
static void leave_group(struct simt_warp *w, uint32_t pc)
{
    account(w);
    for (uint32_t m = w->active; m; m &= m - 1) {
        w->lane_pc[lowest(m)] = pc;
        w->lane_depth[lowest(m)] = w->depth;
    }
}

/*
 * Forward progress within a warp: the group steps aside for the group of the next
 * runnable lane (in lane order, wrapping around) for one slice, without merging.
 */
static void yield_group(struct simt_warp *w)
{
    uint32_t others = w->runnable & ~w->active;
    uint32_t after = others & ~((2u << lowest(w->active)) - 1);
    unsigned int next = lowest(after ? after : others);
    uint32_t active = 0;

    leave_group(w, w->pc);
    for (uint32_t m = w->runnable; m; m &= m - 1) {
        unsigned int l = lowest(m);

        if (w->lane_pc[l] == w->lane_pc[next] && w->lane_depth[l] == w->lane_depth[next])
            active |= 1u << l;
    }
    w->pc = w->lane_pc[next];
    w->depth = w->lane_depth[next];
    w->active = active;
    w->merge_pc = SIMT_NO_PC;
    w->group_slices = 0;
}

/* The group reached merge_pc, or jumped past it. */
static void regroup(struct simt_warp *w)
{
    leave_group(w, w->pc);
    select_group(w);
}

/* A branch some lanes of the group take (to target) and others do not. */
static void diverge(struct simt_warp *w, uint32_t taken, uint32_t target)
{
    uint32_t fallthrough = w->pc + 1;

    account(w);
    for (uint32_t m = w->active; m; m &= m - 1) {
        unsigned int l = lowest(m);

        w->lane_pc[l] = taken >> l & 1 ? target : fallthrough;
        w->lane_depth[l] = w->depth;
    }
    select_group(w);
}

static void exit_group(struct simt_warp *w)
{
    account(w);
    w->exited |= w->active;
    w->runnable &= ~w->active;
    select_group(w);
}

/* The group waits after the current instruction. */
static void wait_group(struct simt_warp *w, uint32_t *waiting)
{
    leave_group(w, w->pc + 1);
    *waiting |= w->active;
    w->runnable &= ~w->active;
}

/* ----------------------------------------------------------- SIMT operations */

static void barrier_arrive(struct simt_warp *w, const struct simt_insn *in)
{
    for (uint32_t m = w->active; m; m &= m - 1) {
        unsigned int l = lowest(m);

        w->bar_kind[l] = in->sub;
        w->bar_rd[l] = in->rd;
        if (in->sub != SIMT_BAR_PLAIN && w->x[in->rs1][l])
            w->bar_pred |= 1u << l;
    }
    wait_group(w, &w->at_barrier);
    select_group(w);
}

/*
 * __syncwarp: lanes wait until every lane of their mask waits too (lanes that are not
 * threads of the block do not count). Lanes of one mask must all name the same mask.
 */
static void warp_sync(struct simt_warp *w, const struct simt_insn *in)
{
    uint32_t released = 0;

    for (uint32_t m = w->active; m; m &= m - 1) {
        unsigned int l = lowest(m);

        w->sync_mask[l] = ((uint32_t)w->x[in->rs1][l] | 1u << l) & w->valid;
    }
    wait_group(w, &w->at_sync);
    for (uint32_t m = w->at_sync; m; m &= m - 1) {
        unsigned int l = lowest(m);

        if (!(w->sync_mask[l] & ~w->at_sync))
            released |= 1u << l;
    }
    w->at_sync &= ~released;
    w->runnable |= released;
    select_group(w);
}

static void vote(struct simt_warp *w, const struct simt_insn *in, uint32_t mask)
{
    const uint64_t *pred = w->x[in->rs1], *member = w->x[in->rs2];
    uint64_t *d = w->x[in->rd];
    uint32_t yes = 0;

    for (uint32_t m = mask; m; m &= m - 1)
        yes |= (uint32_t)(pred[lowest(m)] != 0) << lowest(m);
    for (uint32_t m = mask; m; m &= m - 1) {
        unsigned int l = lowest(m);
        uint32_t lanes = (uint32_t)member[l] & mask;

        switch (in->sub) {
        case S5000_VOTE_BALLOT: d[l] = yes & lanes; break;
        case S5000_VOTE_ANY:    d[l] = (yes & lanes) != 0; break;
        case S5000_VOTE_ALL:    d[l] = (lanes & ~yes) == 0; break;
        default:                d[l] = mask; break;
        }
    }
}

static void shuffle(struct simt_warp *w, const struct simt_insn *in, uint32_t mask)
{
    const uint64_t *src = w->x[in->rs1], *lane = w->x[in->rs2];
    uint64_t out[SIMT_LANES];

    for (uint32_t m = mask; m; m &= m - 1) {
        unsigned int l = lowest(m);
        uint64_t from = lane[l];

        out[l] = from < SIMT_LANES && (mask >> from & 1) ? src[from] : src[l];
    }
    for (uint32_t m = mask; m; m &= m - 1)
        w->x[in->rd][lowest(m)] = out[lowest(m)];
}

/* ------------------------------------------------------------------- CSRs */

static uint64_t thread_index(const struct simt_exec *e, const struct simt_warp *w,
                             unsigned int lane, unsigned int dim)
{
    const uint32_t *b = e->launch->block;
    uint32_t tid = w->first_tid + lane;

    switch (dim) {
    case 0:  return tid % b[0];
    case 1:  return tid / b[0] % b[1];
    default: return tid / b[0] / b[1];
    }
}

static uint64_t csr_read(const struct simt_exec *e, const struct simt_warp *w, unsigned int lane,
                         unsigned int csr)
{
    const struct simt_launch *launch = e->launch;

    switch (csr) {
    case 0x001: return w->fflags[lane];
    case 0x002: return w->frm[lane];
    case 0x003: return (uint64_t)w->frm[lane] << 5 | w->fflags[lane];
    case 0xc00:
    case 0xc02: return w->icount[lane] + (w->steps - w->group_start);
    case 0xc01: return emu_timestamp_now();
    case S5000_CSR_TID_X:
    case S5000_CSR_TID_Y:
    case S5000_CSR_TID_Z:       return thread_index(e, w, lane, csr - S5000_CSR_TID_X);
    case S5000_CSR_NTID_X:
    case S5000_CSR_NTID_Y:
    case S5000_CSR_NTID_Z:      return launch->block[csr - S5000_CSR_NTID_X];
    case S5000_CSR_CTAID_X:
    case S5000_CSR_CTAID_Y:
    case S5000_CSR_CTAID_Z:     return e->block_id[csr - S5000_CSR_CTAID_X];
    case S5000_CSR_NCTAID_X:
    case S5000_CSR_NCTAID_Y:
    case S5000_CSR_NCTAID_Z:    return launch->grid[csr - S5000_CSR_NCTAID_X];
    case S5000_CSR_LANEID:      return lane;
    case S5000_CSR_WARPID:      return w->index;
    case S5000_CSR_NWARPS:      return e->nwarps;
    case S5000_CSR_SMID:        return e->unit->id;
    case S5000_CSR_DYN_SHARED:  return launch->dyn_shared;
    case S5000_CSR_SHARED_SIZE: return launch->shared_size;
    default:                    return launch->dyn_offset;  /* S5000_CSR_DYN_SHARED_OFF */
    }
}

/* Only fflags, frm and fcsr are writable: the decoder refused the others. */
static void csr_write(struct simt_warp *w, unsigned int lane, unsigned int csr, uint64_t val)
{
    if (csr == 0x001 || csr == 0x003)
        w->fflags[lane] = val & 0x1f;
    if (csr == 0x002)
        w->frm[lane] = val & 7;
    else if (csr == 0x003)
        w->frm[lane] = (val >> 5) & 7;
    if (w->frm[lane])
        w->frm_set |= 1u << lane;
    else
        w->frm_set &= ~(1u << lane);
}

/* A CSR for the lanes of mask; registers that are the same in every lane are read once. */
static void csr_read_lanes(const struct simt_exec *e, const struct simt_warp *w,
                           unsigned int csr, uint32_t mask, uint64_t *out)
{
    uint64_t same;

    switch (csr) {
    case 0x001: case 0x002: case 0x003: case 0xc00: case 0xc02:
    case S5000_CSR_TID_X: case S5000_CSR_TID_Y: case S5000_CSR_TID_Z: case S5000_CSR_LANEID:
        for (uint32_t m = mask; m; m &= m - 1)
            out[lowest(m)] = csr_read(e, w, lowest(m), csr);
        return;
    default:
        same = csr_read(e, w, lowest(mask), csr);
        for (uint32_t m = mask; m; m &= m - 1)
            out[lowest(m)] = same;
        return;
    }
}

static void csr_exec(const struct simt_exec *e, struct simt_warp *w, const struct simt_insn *in,
                     uint32_t mask)
{
    unsigned int csr = (unsigned int)in->imm, kind = in->rm & 3;
    bool imm = in->rm & SIMT_CSR_IMM;
    uint64_t old[SIMT_LANES];

    csr_read_lanes(e, w, csr, mask, old);
    /* csrrs and csrrc with x0 or 0 only read (the decoder checked what may be written). */
    if (kind == SIMT_CSR_RW || in->rs1) {
        for (uint32_t m = mask; m; m &= m - 1) {
            unsigned int l = lowest(m);
            uint64_t src = imm ? in->rs1 : w->x[in->rs1][l];

            if (kind == SIMT_CSR_RW)
                csr_write(w, l, csr, src);
            else if (kind == SIMT_CSR_RS)
                csr_write(w, l, csr, old[l] | src);
            else
                csr_write(w, l, csr, old[l] & ~src);
        }
    }
    for (uint32_t m = mask; m; m &= m - 1)
        w->x[in->rd][lowest(m)] = old[lowest(m)];
}

/* ------------------------------------------------------------ control flow */

/* JALR: the lanes' targets as instruction indices; false after a fetch fault. */
static bool jalr_targets(struct simt_exec *e, struct simt_warp *w, const struct simt_insn *in,
                         uint32_t *target)
{
    const struct simt_program *prog = e->launch->prog;

    for (uint32_t m = w->active; m; m &= m - 1) {
        unsigned int l = lowest(m);
        uint64_t va = (w->x[in->rs1][l] + (int64_t)in->imm) & ~1ull;

        if (!simt_index_of(prog, va, &target[l])) {
            simt_fault(e, S5000_KFAULT_FETCH, va, S5000_ACCESS_EXEC);
            return false;
        }
    }
    return true;
}

/* The call depth after a JAL or JALR. */
static int32_t depth_after(const struct simt_warp *w, const struct simt_insn *in)
{
    return w->depth + (in->sub == SIMT_LINK_CALL) - (in->sub == SIMT_LINK_RET);
}

/* A JALR whose lanes go different ways. */
static void jalr_diverge(struct simt_warp *w, const struct simt_insn *in, const uint32_t *target)
{
    int32_t depth = depth_after(w, in);

    account(w);
    for (uint32_t m = w->active; m; m &= m - 1) {
        w->lane_pc[lowest(m)] = target[lowest(m)];
        w->lane_depth[lowest(m)] = depth;
    }
    select_group(w);
}

/* A return of the whole group while other lanes are elsewhere: they may go first. */
static void return_group(struct simt_warp *w, uint32_t target)
{
    w->depth--;
    leave_group(w, target);
    select_group(w);
}

/* --------------------------------------------------------------- the loop */

#define LANE_LOOP(l, ...) do {                                              \
    if (mask == SIMT_FULL) {                                                \
        SIMT_VECTOR_LOOP                                                    \
        for (unsigned int l = 0; l < SIMT_LANES; l++) { __VA_ARGS__; }      \
    } else {                                                                \
        for (uint32_t m_ = mask; m_; m_ &= m_ - 1) {                        \
            unsigned int l = lowest(m_);                                    \
            __VA_ARGS__;                                                    \
        }                                                                   \
    }                                                                       \
} while (0)

/* Reload what a group change may have changed. */
#define RELOAD() do { pc = w->pc; mask = w->active; merge = w->merge_pc; } while (0)
#define SAVE() do { w->pc = pc; w->steps = steps; } while (0)

#define DISPATCH() do { in = &code[pc]; goto *labels[in->op]; } while (0)
#define JUMP(to) do {                                                       \
    pc = (to);                                                              \
    if (unlikely(++steps >= stop || pc >= merge))                           \
        goto boundary;                                                      \
    DISPATCH();                                                             \
} while (0)
#define NEXT() JUMP(pc + 1)

#define ALU(expr) do {                                                      \
    uint64_t *d = X[in->rd];                                                \
    const uint64_t *a = X[in->rs1], *b = X[in->rs2];                        \
    const int64_t imm = in->imm;                                            \
    (void)a; (void)b; (void)imm;                                            \
    LANE_LOOP(l, d[l] = (expr));                                            \
    NEXT();                                                                 \
} while (0)

#define BRANCH(cond) do {                                                   \
    const uint64_t *a = X[in->rs1], *b = X[in->rs2];                        \
    uint32_t taken = 0;                                                     \
    LANE_LOOP(l, taken |= (uint32_t)(cond) << l);                           \
    if (taken == 0)                                                         \
        NEXT();                                                             \
    if (unlikely(in->target == SIMT_BAD_TARGET))                            \
        goto bad_target;                                                    \
    if (taken == mask)                                                      \
        JUMP(in->target);                                                   \
    steps++;                                                                \
    SAVE();                                                                 \
    diverge(w, taken, in->target);                                          \
    RELOAD();                                                               \
    goto boundary;                                                          \
} while (0)

/* A load of size bytes into row dst, converted by conv from the zero-extended value. */
#define LOAD(size, dst, conv) do {                                          \
    uint64_t *d = (dst)[in->rd];                                            \
    const uint64_t *a = X[in->rs1];                                         \
    simt_mem_check(e->unit);                                                \
    for (uint32_t m_ = mask; m_; m_ &= m_ - 1) {                            \
        unsigned int l = lowest(m_);                                        \
        uint64_t addr = a[l] + (int64_t)in->imm, v;                         \
        uint8_t *h;                                                         \
        if (unlikely(addr & ((size) - 1))) {                                \
            simt_fault(e, S5000_KFAULT_MISALIGNED, addr, S5000_ACCESS_READ); \
            goto fault;                                                     \
        }                                                                   \
        h = simt_fast_addr(e, w, l, addr, (size), false);                   \
        if (likely(h != NULL))                                              \
            v = simt_host_load(h, (size));                                  \
        else if (!simt_mem_load(e, w, l, addr, (size), &v))                 \
            goto fault;                                                     \
        d[l] = conv(v);                                                     \
    }                                                                       \
    NEXT();                                                                 \
} while (0)

#define STORE(size, src) do {                                               \
    const uint64_t *a = X[in->rs1], *s = (src)[in->rs2];                    \
    simt_mem_check(e->unit);                                                \
    for (uint32_t m_ = mask; m_; m_ &= m_ - 1) {                            \
        unsigned int l = lowest(m_);                                        \
        uint64_t addr = a[l] + (int64_t)in->imm;                            \
        uint8_t *h;                                                         \
        if (unlikely(addr & ((size) - 1))) {                                \
            simt_fault(e, S5000_KFAULT_MISALIGNED, addr, S5000_ACCESS_WRITE); \
            goto fault;                                                     \
        }                                                                   \
        h = simt_fast_addr(e, w, l, addr, (size), true);                    \
        if (likely(h != NULL))                                              \
            simt_host_store(h, (size), s[l]);                               \
        else if (!simt_mem_store(e, w, l, addr, (size), s[l]))              \
            goto fault;                                                     \
    }                                                                       \
    NEXT();                                                                 \
} while (0)

#define SEXT8(v)    ((uint64_t)(int8_t)(v))
#define SEXT16(v)   ((uint64_t)(int16_t)(v))
#define SEXT32(v)   ((uint64_t)(int32_t)(v))
#define ZEXT(v)     (v)
#define BOX32(v)    ((v) | 0xffffffff00000000ull)

static inline uint64_t div_s(int64_t a, int64_t b)
{
    if (b == 0)
        return UINT64_MAX;
    if (a == INT64_MIN && b == -1)
        return (uint64_t)a;
    return (uint64_t)(a / b);
}

static inline uint64_t rem_s(int64_t a, int64_t b)
{
    if (b == 0)
        return (uint64_t)a;
    if (a == INT64_MIN && b == -1)
        return 0;
    return (uint64_t)(a % b);
}

static inline uint64_t div_u(uint64_t a, uint64_t b)
{
    return b ? a / b : UINT64_MAX;
}

static inline uint64_t rem_u(uint64_t a, uint64_t b)
{
    return b ? a % b : a;
}

static inline uint64_t mulh_ss(int64_t a, int64_t b)
{
    return (uint64_t)(((__int128)a * b) >> 64);
}

static inline uint64_t mulh_su(int64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)a * (__int128)b) >> 64);
}

static inline uint64_t mulh_uu(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

/* Atomics: LR, SC and AMOs of one lane. False after recording a fault. */
static bool atomic_lane(struct simt_exec *e, struct simt_warp *w, const struct simt_insn *in,
                        unsigned int l, uint64_t *result)
{
    uint64_t addr = w->x[in->rs1][l], val = w->x[in->rs2][l];
    unsigned int size = in->aux;
    uint8_t *h;
    bool done;

    if (addr & (size - 1)) {
        simt_fault(e, S5000_KFAULT_MISALIGNED, addr,
                   in->op == SIMT_OP_LR ? S5000_ACCESS_READ : S5000_ACCESS_WRITE);
        return false;
    }
    h = simt_fast_addr(e, w, l, addr, size, in->op != SIMT_OP_LR);
    switch (in->op) {
    case SIMT_OP_LR:
        if (h)
            *result = simt_host_load(h, size);
        else if (!simt_mem_load(e, w, l, addr, size, result))
            return false;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        w->resv_addr[l] = addr;
        w->resv_value[l] = *result;
        w->resv_valid |= 1u << l;
        if (size == 4)
            *result = SEXT32(*result);
        return true;
    case SIMT_OP_SC:
        done = false;
        if ((w->resv_valid >> l & 1) && w->resv_addr[l] == addr) {
            if (h)
                done = simt_host_cas(h, size, w->resv_value[l], val);
            else if (!simt_mem_cas(e, w, l, addr, size, w->resv_value[l], val, &done))
                return false;
        }
        w->resv_valid &= ~(1u << l);
        *result = !done;
        return true;
    default:
        if (h) {
            *result = simt_host_amo(h, size, in->rm, val);
            return true;
        }
        return simt_mem_amo(e, w, l, addr, size, in->rm, val, result);
    }
}

static bool atomic_group(struct simt_exec *e, struct simt_warp *w, const struct simt_insn *in)
{
    simt_mem_check(e->unit);
    for (uint32_t m = w->active; m; m &= m - 1) {
        unsigned int l = lowest(m);
        uint64_t result;

        if (!atomic_lane(e, w, in, l, &result))
            return false;
        w->x[in->rd][l] = result;
    }
    return true;
}

/*
 * Runs the warp's groups for up to `slice` instructions. Everything the hot path
 * touches is in locals; the warp struct is brought up to date (SAVE) before any
 * function that looks at it.
 */
static enum warp_stop run_warp(struct simt_exec *e, struct simt_warp *w, uint64_t slice)
{
#define LABEL(name) [SIMT_OP_##name] = &&op_##name,
    static const void *const labels[SIMT_NUM_OPS] = { SIMT_OPS(LABEL) };
#undef LABEL
    const struct simt_insn *const code = e->insn;
    uint64_t (*const X)[SIMT_LANES] = w->x;
    uint64_t (*const F)[SIMT_LANES] = w->f;
    uint64_t steps = w->steps, stop = steps + slice;
    uint32_t pc, mask, merge;
    const struct simt_insn *in;
    uint32_t targets[SIMT_LANES];

    RELOAD();
    if (!mask)
        return WARP_BLOCKED;
    DISPATCH();

boundary:
    SAVE();
    if (pc >= merge) {
        regroup(w);
        RELOAD();
    }
    if (steps >= stop)
        return WARP_SLICE;
    DISPATCH();

fault:
    SAVE();
    e->fault->pc = simt_pc_va(e, pc);
    return WARP_FAULT;

bad_target:
    simt_fault(e, S5000_KFAULT_FETCH, simt_pc_va(e, pc) + (int64_t)in->imm, S5000_ACCESS_EXEC);
    goto fault;

blocked_or_on:
    /* After a group change that may have left no lane runnable. */
    RELOAD();
    if (!mask)
        return WARP_BLOCKED;
    if (steps >= stop)
        return WARP_SLICE;
    DISPATCH();

op_ILLEGAL:
    simt_fault(e, S5000_KFAULT_ILLEGAL_INSTRUCTION, (uint32_t)in->imm, S5000_ACCESS_EXEC);
    goto fault;
op_FELL_OFF:
    simt_fault(e, S5000_KFAULT_FETCH, simt_pc_va(e, pc), S5000_ACCESS_EXEC);
    goto fault;
op_EXIT:
    /* The EXIT instruction counts; a jump to S5000_EXIT_PC lands on no instruction. */
    steps += pc <= e->launch->prog->count;
    SAVE();
    exit_group(w);
    goto blocked_or_on;

op_LUI:     ALU((uint64_t)imm);
op_AUIPC:   ALU(simt_pc_va(e, pc) + imm);
op_ADDI:    ALU(a[l] + imm);
op_SLTI:    ALU((int64_t)a[l] < imm);
op_SLTIU:   ALU(a[l] < (uint64_t)imm);
op_XORI:    ALU(a[l] ^ imm);
op_ORI:     ALU(a[l] | imm);
op_ANDI:    ALU(a[l] & imm);
op_SLLI:    ALU(a[l] << imm);
op_SRLI:    ALU(a[l] >> imm);
op_SRAI:    ALU((uint64_t)((int64_t)a[l] >> imm));
op_ADD:     ALU(a[l] + b[l]);
op_SUB:     ALU(a[l] - b[l]);
op_SLL:     ALU(a[l] << (b[l] & 63));
op_SLT:     ALU((int64_t)a[l] < (int64_t)b[l]);
op_SLTU:    ALU(a[l] < b[l]);
op_XOR:     ALU(a[l] ^ b[l]);
op_SRL:     ALU(a[l] >> (b[l] & 63));
op_SRA:     ALU((uint64_t)((int64_t)a[l] >> (b[l] & 63)));
op_OR:      ALU(a[l] | b[l]);
op_AND:     ALU(a[l] & b[l]);
op_ADDIW:   ALU(SEXT32(a[l] + imm));
op_SLLIW:   ALU(SEXT32((uint32_t)a[l] << imm));
op_SRLIW:   ALU(SEXT32((uint32_t)a[l] >> imm));
op_SRAIW:   ALU((uint64_t)((int32_t)a[l] >> imm));
op_ADDW:    ALU(SEXT32(a[l] + b[l]));
op_SUBW:    ALU(SEXT32(a[l] - b[l]));
op_SLLW:    ALU(SEXT32((uint32_t)a[l] << (b[l] & 31)));
op_SRLW:    ALU(SEXT32((uint32_t)a[l] >> (b[l] & 31)));
op_SRAW:    ALU((uint64_t)((int32_t)a[l] >> (b[l] & 31)));
op_MUL:     ALU(a[l] * b[l]);
op_MULH:    ALU(mulh_ss((int64_t)a[l], (int64_t)b[l]));
op_MULHSU:  ALU(mulh_su((int64_t)a[l], b[l]));
op_MULHU:   ALU(mulh_uu(a[l], b[l]));
op_DIV:     ALU(div_s((int64_t)a[l], (int64_t)b[l]));
op_DIVU:    ALU(div_u(a[l], b[l]));
op_REM:     ALU(rem_s((int64_t)a[l], (int64_t)b[l]));
op_REMU:    ALU(rem_u(a[l], b[l]));
op_MULW:    ALU(SEXT32(a[l] * b[l]));
op_DIVW:    ALU(SEXT32(div_s((int32_t)a[l], (int32_t)b[l])));
op_DIVUW:   ALU(SEXT32(div_u((uint32_t)a[l], (uint32_t)b[l])));
op_REMW:    ALU(SEXT32(rem_s((int32_t)a[l], (int32_t)b[l])));
op_REMUW:   ALU(SEXT32(rem_u((uint32_t)a[l], (uint32_t)b[l])));

op_JAL: {
    uint64_t link = simt_pc_va(e, pc) + 4, *d = X[in->rd];

    if (unlikely(in->target == SIMT_BAD_TARGET))
        goto bad_target;
    LANE_LOOP(l, d[l] = link);
    if (in->sub == SIMT_LINK_CALL) {
        /* Deeper than every other lane now: nobody to merge with until it returns. */
        w->depth++;
        merge = w->merge_pc = SIMT_NO_PC;
    }
    JUMP(in->target);
}
op_JALR: {
    uint64_t link = simt_pc_va(e, pc) + 4, *d = X[in->rd];
    uint32_t first;

    SAVE();
    if (!jalr_targets(e, w, in, targets))
        goto fault;
    LANE_LOOP(l, d[l] = link);
    first = targets[lowest(mask)];
    for (uint32_t m_ = mask; m_; m_ &= m_ - 1) {
        if (targets[lowest(m_)] != first) {
            steps++;
            SAVE();
            jalr_diverge(w, in, targets);
            RELOAD();
            goto boundary;
        }
    }
    if (in->sub == SIMT_LINK_RET && w->runnable != mask) {
        steps++;
        SAVE();
        return_group(w, first);
        RELOAD();
        goto boundary;
    }
    if (in->sub == SIMT_LINK_CALL)
        merge = w->merge_pc = SIMT_NO_PC;
    w->depth = depth_after(w, in);
    JUMP(first);
}
op_BEQ:     BRANCH(a[l] == b[l]);
op_BNE:     BRANCH(a[l] != b[l]);
op_BLT:     BRANCH((int64_t)a[l] < (int64_t)b[l]);
op_BGE:     BRANCH((int64_t)a[l] >= (int64_t)b[l]);
op_BLTU:    BRANCH(a[l] < b[l]);
op_BGEU:    BRANCH(a[l] >= b[l]);

op_LB:      LOAD(1, X, SEXT8);
op_LH:      LOAD(2, X, SEXT16);
op_LW:      LOAD(4, X, SEXT32);
op_LD:      LOAD(8, X, ZEXT);
op_LBU:     LOAD(1, X, ZEXT);
op_LHU:     LOAD(2, X, ZEXT);
op_LWU:     LOAD(4, X, ZEXT);
op_FLW:     LOAD(4, F, BOX32);
op_FLD:     LOAD(8, F, ZEXT);
op_SB:      STORE(1, X);
op_SH:      STORE(2, X);
op_SW:      STORE(4, X);
op_SD:      STORE(8, X);
op_FSW:     STORE(4, F);
op_FSD:     STORE(8, F);

op_FENCE:
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    NEXT();
op_LR:
op_SC:
op_AMO:
    SAVE();
    if (!atomic_group(e, w, in))
        goto fault;
    NEXT();
op_CSR:
    SAVE();
    csr_exec(e, w, in, mask);
    NEXT();
op_FP:
    SAVE();
    if (!simt_fp_exec(e, w, in, mask))
        goto fault;
    NEXT();

op_BAR:
    steps++;
    SAVE();
    barrier_arrive(w, in);
    goto blocked_or_on;
op_WARP_SYNC:
    steps++;
    SAVE();
    warp_sync(w, in);
    goto blocked_or_on;
op_TRAP:
    simt_fault(e, S5000_KFAULT_TRAP, X[in->rs1][lowest(mask)], S5000_ACCESS_READ);
    goto fault;
op_VOTE:
    vote(w, in, mask);
    NEXT();
op_SHFL:
    shuffle(w, in, mask);
    NEXT();
op_MMA:
    SAVE();
    if (!simt_mma(e, w, in, mask))
        goto fault;
    NEXT();
}

/* ------------------------------------------------------------------ blocks */

static void warp_init(struct simt_exec *e, struct simt_warp *w, uint32_t index)
{
    const struct simt_launch *launch = e->launch;
    uint32_t first = index * SIMT_LANES, left = launch->threads - first;
    uint32_t initial = 1u << REG_RA | 1u << REG_SP | 1u << REG_TP | 1u << REG_A0;

    /* Only rows an earlier kernel wrote can be nonzero. */
    for (uint32_t m = w->dirty; m; m &= m - 1) {
        memset(w->x[lowest(m)], 0, sizeof(w->x[0]));
        memset(w->f[lowest(m)], 0, sizeof(w->f[0]));
    }
    w->dirty = launch->written | initial;
    for (unsigned int l = 0; l < SIMT_LANES; l++) {
        w->x[REG_RA][l] = S5000_EXIT_PC;
        w->x[REG_SP][l] = S5000_STACK_BASE + launch->stack_size;
        w->x[REG_TP][l] = S5000_SHARED_BASE;
        w->x[REG_A0][l] = launch->kernarg;
    }
    memset(w->icount, 0, sizeof(w->icount));
    memset(w->frm, 0, sizeof(w->frm));
    memset(w->fflags, 0, sizeof(w->fflags));
    w->valid = left >= SIMT_LANES ? SIMT_FULL : (1u << left) - 1;
    memset(w->lane_depth, 0, sizeof(w->lane_depth));
    w->pc = launch->entry;
    w->depth = 0;
    w->active = w->runnable = w->valid;
    w->merge_pc = SIMT_NO_PC;
    w->exited = w->at_barrier = w->at_sync = w->bar_pred = 0;
    w->resv_valid = w->frm_set = w->group_slices = 0;
    w->steps = w->group_start = 0;
    w->index = index;
    w->first_tid = first;
}

/* Every live thread waits at the barrier: they all go on, with BAR_* results. */
static void barrier_release(struct simt_exec *e, uint32_t waiting)
{
    uint32_t count = 0;

    for (uint32_t i = 0; i < e->nwarps; i++)
        count += (uint32_t)__builtin_popcount(e->unit->warps[i].bar_pred);
    for (uint32_t i = 0; i < e->nwarps; i++) {
        struct simt_warp *w = &e->unit->warps[i];

        for (uint32_t m = w->at_barrier; m; m &= m - 1) {
            unsigned int l = lowest(m);

            switch (w->bar_kind[l]) {
            case SIMT_BAR_POPC: w->x[w->bar_rd[l]][l] = count; break;
            case SIMT_BAR_AND:  w->x[w->bar_rd[l]][l] = count == waiting; break;
            case SIMT_BAR_OR:   w->x[w->bar_rd[l]][l] = count != 0; break;
            }
        }
        w->runnable |= w->at_barrier;
        w->at_barrier = w->bar_pred = 0;
        select_group(w);
    }
}

/*
 * No warp of the block can run. Either every thread that has not exited waits at the
 * barrier, which then releases (exited threads count as arrived, as on hardware that
 * drops an exiting warp from the barrier's expected count), or some thread waits in a
 * warp sync for threads at the barrier, and the block never finishes.
 */
static bool unblock(struct simt_exec *e)
{
    uint32_t waiting = 0, exited = 0;
    struct simt_warp *culprit = NULL;

    for (uint32_t i = 0; i < e->nwarps; i++) {
        struct simt_warp *w = &e->unit->warps[i];

        waiting += (uint32_t)__builtin_popcount(w->at_barrier);
        exited += (uint32_t)__builtin_popcount(w->exited & w->valid);
        if (!culprit && (w->at_barrier || w->at_sync))
            culprit = w;
    }
    if (waiting && waiting + exited == e->launch->threads) {
        barrier_release(e, waiting);
        return true;
    }
    simt_fault(e, S5000_KFAULT_BARRIER_DEADLOCK, 0, S5000_ACCESS_READ);
    /* The pc of the first waiting lane's barrier or warp sync. */
    e->fault->pc = simt_pc_va(e, culprit->lane_pc[lowest(culprit->at_barrier |
                                                          culprit->at_sync)] - 1);
    return false;
}

static bool block_done(const struct simt_exec *e)
{
    for (uint32_t i = 0; i < e->nwarps; i++) {
        if (e->unit->warps[i].exited != e->unit->warps[i].valid)
            return false;
    }
    return true;
}

/*
 * Where a warp is, for a fault of the launch that strikes it (a timeout): its group's
 * instruction; with no group (every lane waits or exited), the barrier or warp sync its
 * first waiting lane is at; 0 once all its lanes exited.
 */
static uint64_t warp_pc_va(const struct simt_exec *e, const struct simt_warp *w)
{
    uint32_t waiting = w->at_barrier | w->at_sync;

    if (w->active && w->pc < e->launch->prog->count)
        return simt_pc_va(e, w->pc);
    if (waiting)
        return simt_pc_va(e, w->lane_pc[lowest(waiting)] - 1);
    return 0;
}

/* The launch-wide checks, every POLL_STEPS instructions. */
static enum simt_result poll(struct simt_exec *e, const struct simt_warp *w)
{
    const struct simt_launch *launch = e->launch;

    simt_mem_check(e->unit);
    if (atomic_load_explicit(launch->stop, memory_order_relaxed))
        return SIMT_STOPPED;
    if (launch->must_abort && launch->must_abort(launch->abort_arg))
        return SIMT_STOPPED;
    if (emu_now_ns() >= launch->deadline_ns) {
        simt_fault(e, S5000_KFAULT_TIMEOUT, 0, S5000_ACCESS_READ);
        e->fault->pc = warp_pc_va(e, w);
        return SIMT_FAULT;
    }
    return SIMT_DONE;
}

/* Runs one warp's slice and what follows from it; SIMT_DONE: carry on. */
static enum simt_result step_warp(struct simt_exec *e, struct simt_warp *w, uint64_t *since_poll)
{
    uint64_t before = w->steps;

    if (run_warp(e, w, SLICE_STEPS) == WARP_FAULT)
        return SIMT_FAULT;
    if (w->runnable != w->active && ++w->group_slices >= YIELD_SLICES)
        yield_group(w);
    if (w->steps >= e->launch->budget) {
        simt_fault(e, S5000_KFAULT_TIMEOUT, 0, S5000_ACCESS_READ);
        e->fault->pc = warp_pc_va(e, w);
        return SIMT_FAULT;
    }
    *since_poll += w->steps - before;
    if (*since_poll < POLL_STEPS)
        return SIMT_DONE;
    *since_poll = 0;
    return poll(e, w);
}

static enum simt_result run_warps(struct simt_exec *e)
{
    uint64_t since_poll = 0;

    for (;;) {
        bool ran = false;

        for (uint32_t i = 0; i < e->nwarps; i++) {
            struct simt_warp *w = &e->unit->warps[i];
            enum simt_result r;

            if (!w->runnable)
                continue;
            ran = true;
            r = step_warp(e, w, &since_poll);
            if (r != SIMT_DONE)
                return r;
        }
        if (!ran && block_done(e))
            return SIMT_DONE;
        if (!ran && !unblock(e))
            return SIMT_FAULT;
    }
}

static void count_instructions(struct simt_exec *e)
{
    struct simt_unit *u = e->unit;
    uint64_t warp = 0, thread = 0;

    for (uint32_t i = 0; i < e->nwarps; i++) {
        struct simt_warp *w = &u->warps[i];

        account(w);
        warp += w->steps;
        for (uint32_t m = w->valid; m; m &= m - 1)
            thread += w->icount[lowest(m)];
    }
    atomic_fetch_add_explicit(&u->warp_instructions, warp, memory_order_relaxed);
    atomic_fetch_add_explicit(&u->thread_instructions, thread, memory_order_relaxed);
}

/* Room for every thread's stack, reserved (not committed) as the launch needs it. */
static bool reserve_stacks(struct simt_unit *u, uint64_t size)
{
    void *p;

    if (size <= u->stacks_size)
        return true;
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
             -1, 0);
    if (p == MAP_FAILED)
        return false;
    if (u->stacks)
        munmap(u->stacks, u->stacks_size);
    u->stacks = p;
    u->stacks_size = size;
    return true;
}

/* The unit's MMU chunk in the launch's context. */
static void hold_context(struct simt_unit *u, unsigned int ctx)
{
    if (u->holding && u->hold_ctx == ctx)
        return;
    u->hold_ctx = ctx;
    u->holding = true;
    simt_mem_rehold(u);
}

enum simt_result simt_run_block(struct simt_unit *unit, const struct simt_launch *launch,
                                const uint32_t block_id[3], struct emu_fault *fault)
{
    struct simt_exec e = {
        .unit = unit, .launch = launch, .insn = launch->prog->insn,
        .code_start = launch->prog->code_start,
        .block_id = { block_id[0], block_id[1], block_id[2] },
        .nwarps = (launch->threads + SIMT_LANES - 1) / SIMT_LANES,
        .shared = unit->shared, .shared_size = launch->shared_size,
        .stack_size = launch->stack_size, .fault = fault,
    };
    enum simt_result result;

    /* A grid of many short blocks times out between them. */
    if (emu_now_ns() >= launch->deadline_ns) {
        simt_fault(&e, S5000_KFAULT_TIMEOUT, 0, S5000_ACCESS_READ);
        fault->pc = simt_pc_va(&e, launch->entry);
        return SIMT_FAULT;
    }
    if (!reserve_stacks(unit, (uint64_t)launch->threads * launch->stack_size)) {
        simt_fault(&e, S5000_KFAULT_BAD_LAUNCH, 0, S5000_ACCESS_READ);
        return SIMT_FAULT;
    }
    e.stacks = unit->stacks;
    hold_context(unit, launch->ctx);
    for (uint32_t i = 0; i < e.nwarps; i++)
        warp_init(&e, &unit->warps[i], i);
    result = run_warps(&e);
    count_instructions(&e);
    return result;
}

/* ------------------------------------------------------------------- units */

int simt_unit_init(struct simt_unit *unit, struct emu_mmu *mmu, unsigned int id)
{
    memset(unit, 0, sizeof(*unit));
    unit->id = id;
    unit->mmu = mmu;
    emu_tlb_init(&unit->tlb);
    for (unsigned int i = 0; i < SIMT_PAGE_CACHE; i++)
        unit->pages[i].page = UINT64_MAX;
    /* Cached host pointers are only safe while invalidations wait for this unit. */
    if (!emu_mmu_register_tlb(mmu, &unit->tlb))
        return -1;
    unit->warps = aligned_alloc(64, SIMT_MAX_WARPS * sizeof(struct simt_warp));
    unit->shared = malloc(S5000_MAX_SHARED_BYTES);
    if (!unit->warps || !unit->shared) {
        simt_unit_fini(unit);
        return -1;
    }
    memset(unit->warps, 0, SIMT_MAX_WARPS * sizeof(struct simt_warp));
    return 0;
}

void simt_unit_fini(struct simt_unit *unit)
{
    simt_unit_idle(unit);
    emu_mmu_unregister_tlb(&unit->tlb);
    free(unit->warps);
    free(unit->shared);
    if (unit->stacks)
        munmap(unit->stacks, unit->stacks_size);
    unit->warps = NULL;
    unit->shared = NULL;
    unit->stacks = NULL;
}

void simt_unit_idle(struct simt_unit *unit)
{
    if (!unit->holding)
        return;
    emu_mmu_release(unit->mmu, &unit->tlb);
    unit->holding = false;
}
