/* SPDX-License-Identifier: MIT */
/*
 * Kernels of bench_isa: integer loops of known length.
 * a0: { u64 iterations; u64 *out } ; each thread writes its result to out[global id].
 */
#include "isa_asm.h"

/* 10 instructions per iteration: a xorshift and a running sum. */
KERNEL bench_int_loop
    ld t0, 0(a0)
    GTID t6, t5
    addi t1, t6, 1
    li t2, 0
1:
    slli t3, t1, 13
    xor t1, t1, t3
    srli t3, t1, 7
    xor t1, t1, t3
    slli t3, t1, 17
    xor t1, t1, t3
    add t2, t2, t1
    addi t0, t0, -1
    mul t4, t2, t1
    bnez t0, 1b
    ld t3, 8(a0)
    slli t6, t6, 3
    add t3, t3, t6
    sd t2, 0(t3)
    ret

/* 10 instructions per iteration, 8 of them single-precision FMAs, in four chains. */
KERNEL bench_fma_loop
    ld t0, 0(a0)
    GTID t6, t5
    fcvt.s.w fa0, t6
    li t1, 1
    fcvt.s.w fa1, t1
    fmv.s fa2, fa1
    fmv.s fa3, fa1
    fmv.s fa4, fa1
    fmv.s fa5, fa1
1:
    fmadd.s fa2, fa2, fa1, fa0
    fmadd.s fa3, fa3, fa1, fa0
    fmadd.s fa4, fa4, fa1, fa0
    fmadd.s fa5, fa5, fa1, fa0
    fmsub.s fa2, fa2, fa1, fa0
    fmsub.s fa3, fa3, fa1, fa0
    fmsub.s fa4, fa4, fa1, fa0
    fmsub.s fa5, fa5, fa1, fa0
    addi t0, t0, -1
    bnez t0, 1b
    fadd.s fa2, fa2, fa3
    fadd.s fa4, fa4, fa5
    fadd.s fa2, fa2, fa4
    ld t3, 8(a0)
    slli t6, t6, 3
    add t3, t3, t6
    fsd fa2, 0(t3)
    ret
