// SPDX-License-Identifier: MIT
/* The ISA tests' kernels in C: what a compiler makes of CUDA-style code. */
#include "isa_kernel.h"

struct saxpy_args {
    float a;
    uint32_t n;
    const float *x;
    float *y;
};

void isa_saxpy(const struct saxpy_args *p)
{
    uint32_t i = global_id();

    if (i < p->n)
        p->y[i] = p->a * p->x[i] + p->y[i];
}

struct reduce_args {
    const uint32_t *in;
    uint64_t *out;          /* one sum per block */
};

static __thread uint64_t partial[256];

/* blockDim.x == 256: a tree reduction in shared memory. */
void isa_block_sum(const struct reduce_args *p)
{
    uint32_t t = tid_x();

    partial[t] = p->in[global_id()];
    syncthreads();
    for (uint32_t s = 128; s > 0; s >>= 1) {
        if (t < s)
            partial[t] += partial[t + s];
        syncthreads();
    }
    if (t == 0)
        p->out[ctaid_x()] = partial[0];
}

/* ------------------------------------------------------------ special registers */

#define CSR_VALUES 22

/* out[CSR_VALUES * linear thread + k]: every special register, instret, time. */
void isa_csrs(uint64_t *out)
{
    uint32_t linear = (tid_z() * (uint32_t)CSR_READ(0xcc4) + tid_y()) * ntid_x() + tid_x();
    uint32_t block = ((uint32_t)CSR_READ(0xcc8) * (uint32_t)CSR_READ(0xcca) +
                      (uint32_t)CSR_READ(0xcc7)) * nctaid_x() + ctaid_x();
    uint64_t *o = out + (uint64_t)CSR_VALUES * (block * ntid_x() * CSR_READ(0xcc4) *
                                                CSR_READ(0xcc5) + linear);
    uint64_t i0, i1, c0;

    o[0] = tid_x();
    o[1] = tid_y();
    o[2] = tid_z();
    o[3] = ntid_x();
    o[4] = CSR_READ(0xcc4);
    o[5] = CSR_READ(0xcc5);
    o[6] = ctaid_x();
    o[7] = CSR_READ(0xcc7);
    o[8] = CSR_READ(0xcc8);
    o[9] = nctaid_x();
    o[10] = CSR_READ(0xcca);
    o[11] = CSR_READ(0xccb);
    o[12] = lane_id();
    o[13] = warp_id();
    o[14] = CSR_READ(0xcce);
    o[15] = CSR_READ(0xccf);
    o[16] = CSR_READ(0xcd0);
    o[17] = CSR_READ(0xcd1);
    o[18] = CSR_READ(0xcd2);
    /* Three instructions between the two reads: the count goes up by four. */
    __asm__ volatile("csrr %0, instret\n\tnop\n\tnop\n\tnop\n\tcsrr %1, instret\n\t"
                     "csrr %2, cycle" : "=&r"(i0), "=&r"(i1), "=&r"(c0));
    o[19] = i1 - i0;
    o[20] = c0 - i1;
    o[21] = CSR_READ(0xc01);
}

/* out[0..5]: fcsr, frm and fflags through every CSR instruction form. */
void isa_fcsr(uint64_t *out)
{
    uint64_t a, b, c, d, e, f;

    __asm__ volatile(
        "csrwi fflags, 0\n\t"
        "csrwi frm, 3\n\t"
        "csrr %0, fcsr\n\t"             /* 0x60 */
        "csrsi fflags, 0x15\n\t"
        "csrr %1, fcsr\n\t"             /* 0x75 */
        "li t0, 0x1ff\n\t"
        "csrrw %2, fcsr, t0\n\t"        /* old 0x75; writes 0xff */
        "csrr %3, frm\n\t"              /* 7 */
        "li t0, 0x3\n\t"
        "csrrc %4, fflags, t0\n\t"      /* old 0x1f; leaves 0x1c */
        "csrrs %5, fcsr, x0\n\t"        /* 0xfc, no write */
        : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "=&r"(e), "=&r"(f) : : "t0");
    out[0] = a;
    out[1] = b;
    out[2] = c;
    out[3] = d;
    out[4] = e;
    out[5] = f;
}

/* ---------------------------------------------------------------- divergence */

static __attribute__((noinline)) uint64_t f0(uint64_t x) { return x + 1; }
static __attribute__((noinline)) uint64_t f1(uint64_t x) { return x * 2; }
static __attribute__((noinline)) uint64_t f2(uint64_t x) { return x * x; }
static __attribute__((noinline)) uint64_t f3(uint64_t x) { return x - 7; }

static uint64_t (*const table[4])(uint64_t) = { f0, f1, f2, f3 };

/* out[2 i]: table[lane % 4](i); out[2 i + 1]: the active mask after the calls return. */
void isa_diverge_calls(uint64_t *out)
{
    uint32_t i = global_id();
    uint64_t (*volatile fn)(uint64_t) = table[lane_id() % 4];

    out[2 * i] = fn(i);
    out[2 * i + 1] = active_mask();
}

static __attribute__((noinline)) uint64_t g3(uint64_t x) { return 3 * x + 1; }

/*
 * A direct call (auipc ra; jalr ra, ra) in a loop each lane leaves after its own
 * count: out[2 i] = the sum of g3(0 .. lane), out[2 i + 1] the active mask after.
 */
void isa_loop_calls(uint64_t *out)
{
    uint32_t i = global_id();
    uint64_t sum = 0;

    for (uint32_t k = 0; k <= lane_id(); k++)
        sum += g3(k);
    out[2 * i] = sum;
    out[2 * i + 1] = active_mask();
}

/* Lanes 20 and up exit at once; the others record their active mask. */
void isa_partial_exit(uint64_t *out)
{
    if (lane_id() >= 20)
        return;
    out[global_id()] = active_mask();
}

/* ------------------------------------------------------------- warp collectives */

#define VOTE_VALUES 9

void isa_vote_shfl(uint64_t *out)
{
    uint32_t lane = lane_id();
    uint64_t *o = out + VOTE_VALUES * global_id();
    uint64_t any, all;

    o[0] = ballot(0xffffffff, lane % 3 == 0);
    o[1] = ballot(0x0000ffff, lane % 3 == 0);
    __asm__ volatile(".insn r 0x0b, 1, 1, %0, %1, %2"
                     : "=r"(any) : "r"((long)(lane == 31)), "r"(0xffffffffl));
    __asm__ volatile(".insn r 0x0b, 1, 2, %0, %1, %2"
                     : "=r"(all) : "r"((long)(lane != 31)), "r"(0x7fffffffl));
    o[2] = any;
    o[3] = all;
    o[4] = shfl(lane * 10, (lane + 1) % 32);
    if (lane % 2 == 0)                          /* odd lanes do not execute the shfl */
        o[5] = shfl(lane * 10, lane + 1);
    else
        o[5] = 0;
    o[6] = shfl(lane * 10, 32 + lane);          /* no such lane: its own value */
    if (lane < 16) {
        syncwarp(0xffff);
        o[7] = active_mask();
    } else {
        o[7] = 0;
    }
    syncwarp(0xffffffff);
    o[8] = active_mask();
}

/* BAR_POPC, BAR_AND, BAR_OR over a block: out[4 * tid + k]. */
void isa_bar_reduce(uint64_t *out)
{
    uint32_t t = tid_x();
    uint64_t popc, all, any, none;

    __asm__ volatile(".insn r 0x0b, 0, 4, %0, %1, x0" : "=r"(popc) : "r"((long)(t % 3 == 0)) : "memory");
    __asm__ volatile(".insn r 0x0b, 0, 5, %0, %1, x0" : "=r"(all) : "r"((long)(t < 1000)) : "memory");
    __asm__ volatile(".insn r 0x0b, 0, 6, %0, %1, x0" : "=r"(any) : "r"((long)(t == 57)) : "memory");
    __asm__ volatile(".insn r 0x0b, 0, 5, %0, %1, x0" : "=r"(none) : "r"((long)(t != 5)) : "memory");
    out[4 * t] = popc;
    out[4 * t + 1] = all;
    out[4 * t + 2] = any;
    out[4 * t + 3] = none;
}

/* Warps of one block that talk through shared memory in turn, each waiting for the last. */
static __thread volatile uint32_t turn;

void isa_warp_turns(uint64_t *out)
{
    uint32_t w = warp_id();

    if (tid_x() == 0)
        turn = 0;
    syncthreads();
    while (turn != w)
        ;
    out[tid_x()] = turn;
    syncwarp(0xffffffff);
    if (lane_id() == 0)
        turn = w + 1;
}
