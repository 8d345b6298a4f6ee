/* SPDX-License-Identifier: MIT */
/*
 * Integer, memory and control-transfer kernels of the ISA tests.
 * Binary-operation kernels: a0 = { u64 *a; u64 *b; u64 *out; u64 n }, out[i] = a[i] op b[i].
 */
#include "isa_asm.h"

.macro BINOP name, insn
KERNEL isa_op_\name
    GTID t0, t1
    ld t1, 24(a0)
    bgeu t0, t1, 1f
    slli t0, t0, 3
    ld t1, 0(a0)
    add t1, t1, t0
    ld t1, 0(t1)
    ld t2, 8(a0)
    add t2, t2, t0
    ld t2, 0(t2)
    \insn t3, t1, t2
    ld t4, 16(a0)
    add t4, t4, t0
    sd t3, 0(t4)
1:  ret
.endm

BINOP add, add
BINOP sub, sub
BINOP sll, sll
BINOP slt, slt
BINOP sltu, sltu
BINOP xor, xor
BINOP srl, srl
BINOP sra, sra
BINOP or, or
BINOP and, and
BINOP addw, addw
BINOP subw, subw
BINOP sllw, sllw
BINOP srlw, srlw
BINOP sraw, sraw
BINOP mul, mul
BINOP mulh, mulh
BINOP mulhsu, mulhsu
BINOP mulhu, mulhu
BINOP div, div
BINOP divu, divu
BINOP rem, rem
BINOP remu, remu
BINOP mulw, mulw
BINOP divw, divw
BINOP divuw, divuw
BINOP remw, remw
BINOP remuw, remuw

/* Immediate forms: a0 = { u64 *a; u64 *out; u64 n }, out[18 i + k] = k-th operation of a[i]. */
KERNEL isa_int_imm
    GTID t0, t1
    ld t1, 16(a0)
    bgeu t0, t1, 1f
    slli t1, t0, 3
    ld t2, 0(a0)
    add t2, t2, t1
    ld t2, 0(t2)
    li t1, 18 * 8
    mul t1, t0, t1
    ld t3, 8(a0)
    add t3, t3, t1
    addi t4, t2, -2048
    sd t4, 0(t3)
    addi t4, t2, 2047
    sd t4, 8(t3)
    slti t4, t2, -1
    sd t4, 16(t3)
    sltiu t4, t2, -1
    sd t4, 24(t3)
    xori t4, t2, -1
    sd t4, 32(t3)
    ori t4, t2, 0x555
    sd t4, 40(t3)
    andi t4, t2, -256
    sd t4, 48(t3)
    slli t4, t2, 63
    sd t4, 56(t3)
    srli t4, t2, 63
    sd t4, 64(t3)
    srai t4, t2, 63
    sd t4, 72(t3)
    slli t4, t2, 1
    sd t4, 80(t3)
    srai t4, t2, 7
    sd t4, 88(t3)
    addiw t4, t2, 1
    sd t4, 96(t3)
    slliw t4, t2, 31
    sd t4, 104(t3)
    srliw t4, t2, 31
    sd t4, 112(t3)
    sraiw t4, t2, 31
    sd t4, 120(t3)
    srli t4, t2, 1
    sd t4, 128(t3)
    sext.w t4, t2
    sd t4, 136(t3)
1:  ret

/* a0 = { u64 *out }: lui and auipc; the pc of each auipc is a symbol. */
KERNEL isa_lui_auipc
    ld t0, 0(a0)
    lui t1, 0x80000
    sd t1, 0(t0)
    lui t1, 0x7ffff
    sd t1, 8(t0)
    .globl isa_auipc0
isa_auipc0:
    auipc t1, 0
    sd t1, 16(t0)
    .globl isa_auipc1
isa_auipc1:
    auipc t1, 0xfffff
    sd t1, 24(t0)
    lui x0, 0x12345         /* writes to x0 are dropped */
    sd x0, 32(t0)
    ret

/*
 * Loads: a0 = { u8 *buf; u64 *out }, buf[0..15] from the host. out gets, in order:
 * lb/lbu at 0..7, lh/lhu at 0, 2, 4, 6, lw/lwu at 0 and 4, ld at 0 and 8, and
 * lb, lh, lw, ld with negative offsets from buf + 16.
 */
KERNEL isa_loads
    ld t0, 0(a0)
    ld t1, 8(a0)
    .irp off, 0, 1, 2, 3, 4, 5, 6, 7
    lb t2, \off(t0)
    sd t2, 0(t1)
    lbu t2, \off(t0)
    sd t2, 8(t1)
    addi t1, t1, 16
    .endr
    .irp off, 0, 2, 4, 6
    lh t2, \off(t0)
    sd t2, 0(t1)
    lhu t2, \off(t0)
    sd t2, 8(t1)
    addi t1, t1, 16
    .endr
    .irp off, 0, 4
    lw t2, \off(t0)
    sd t2, 0(t1)
    lwu t2, \off(t0)
    sd t2, 8(t1)
    addi t1, t1, 16
    .endr
    ld t2, 0(t0)
    sd t2, 0(t1)
    ld t2, 8(t0)
    sd t2, 8(t1)
    addi t0, t0, 16
    lb t2, -1(t0)
    sd t2, 16(t1)
    lh t2, -2(t0)
    sd t2, 24(t1)
    lw t2, -4(t0)
    sd t2, 32(t1)
    ld t2, -8(t0)
    sd t2, 40(t1)
    ret

/* Stores: a0 = { u8 *buf; u64 value }: sb at 0, sh at 2, sw at 4, sd at 8, sb at 17, sh at 22, sw at 28, sd at -8(buf + 40). */
KERNEL isa_stores
    ld t0, 0(a0)
    ld t1, 8(a0)
    sb t1, 0(t0)
    sh t1, 2(t0)
    sw t1, 4(t0)
    sd t1, 8(t0)
    sb t1, 17(t0)
    sh t1, 22(t0)
    sw t1, 28(t0)
    addi t0, t0, 40
    sd t1, -8(t0)
    ret

/* Branches: a0 = { u64 *a; u64 *b; u64 *out; u64 n }: out[i] = taken bits beq, bne, blt, bge, bltu, bgeu. */
.macro TAKEN insn, bit
    \insn t1, t2, 91f
    j 92f
91: ori t3, t3, 1 << \bit
92:
.endm

KERNEL isa_branches
    GTID t0, t1
    ld t1, 24(a0)
    bgeu t0, t1, 1f
    slli t0, t0, 3
    ld t1, 0(a0)
    add t1, t1, t0
    ld t1, 0(t1)
    ld t2, 8(a0)
    add t2, t2, t0
    ld t2, 0(t2)
    li t3, 0
    TAKEN beq, 0
    TAKEN bne, 1
    TAKEN blt, 2
    TAKEN bge, 3
    TAKEN bltu, 4
    TAKEN bgeu, 5
    ld t4, 16(a0)
    add t4, t4, t0
    sd t3, 0(t4)
1:  ret

/*
 * Jumps: a0 = { u64 *out }, out[i] for thread i = 1000 * (jal check) + what the
 * function picked through a jalr table (tid % 3) returned, and 0 in out[n + i] if
 * every link register held the right address.
 */
KERNEL isa_jumps
    addi sp, sp, -16
    sd ra, 0(sp)
    GTID s1, t1
    li s2, 0                        /* link errors */
    jal ra, jump_double
    .globl isa_jumps_ret1
isa_jumps_ret1:
    la t1, isa_jumps_ret1
    sub t1, ra, t1
    or s2, s2, t1                   /* ra was the address after the jal */
    li t2, 1000
    mul s3, a1, t2                  /* 1000 * 2 * tid */
    li t1, 3
    remu t1, s1, t1
    slli t1, t1, 3
    la t2, jump_table
    add t2, t2, t1
    ld t2, 0(t2)
    addi t2, t2, 1                  /* jalr clears bit 0 */
    jalr ra, 0(t2)
    .globl isa_jumps_ret2
isa_jumps_ret2:
    la t1, isa_jumps_ret2
    sub t1, ra, t1
    or s2, s2, t1
    add s3, s3, a1
    ld t1, 0(a0)
    slli t2, s1, 3
    add t1, t1, t2
    sd s3, 0(t1)
    csrr t3, CSR_NTID_X
    slli t3, t3, 3
    add t1, t1, t3
    sd s2, 0(t1)
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

jump_double:
    slli a1, s1, 1
    ret
jump_a:
    li a1, 11
    ret
jump_b:
    li a1, 22
    ret
jump_c:
    li a1, 33
    jalr x0, 0(ra)

    .section .rodata
    .balign 8
jump_table:
    .dword jump_a, jump_b, jump_c

/*
 * Divergence: a0 = out, out[8 i + k] for thread i with lane L:
 *   0: the active mask in an if (L odd) / else (| 1 << 32)
 *   1: the active mask after it
 *   2: the active mask at the head of a loop of L iterations, in iteration L / 2
 *   3: the active mask after the loop
 *   4: in if (L < 16) { if (L % 4 == 0) / else (| 2 << 32) }
 *   5: after the inner if, or in the outer else (| 3 << 32)
 *   6: after both
 *   7: the sum of the loop's counters, 0 + 1 + ... + L - 1
 */
KERNEL isa_diverge
    GTID t0, t1
    slli t0, t0, 6
    add s0, a0, t0                  /* out + 8 i */
    csrr s1, CSR_LANEID
    andi t0, s1, 1
    beqz t0, 1f
    ACTIVEMASK(t2)
    j 2f
1:  ACTIVEMASK(t2)
    li t3, 1
    slli t3, t3, 32
    or t2, t2, t3
2:  sd t2, 0(s0)
    ACTIVEMASK(t2)
    sd t2, 8(s0)
    li t4, 0                        /* k */
    li t5, 0                        /* sum */
    srli t6, s1, 1                  /* L / 2 */
3:  bgeu t4, s1, 5f
    ACTIVEMASK(t2)
    bne t4, t6, 4f
    sd t2, 16(s0)
4:  add t5, t5, t4
    addi t4, t4, 1
    j 3b
5:  ACTIVEMASK(t2)
    sd t2, 24(s0)
    li t0, 16
    bgeu s1, t0, 8f
    andi t0, s1, 3
    bnez t0, 6f
    ACTIVEMASK(t2)
    j 7f
6:  ACTIVEMASK(t2)
    li t3, 2
    slli t3, t3, 32
    or t2, t2, t3
7:  sd t2, 32(s0)
    ACTIVEMASK(t2)
    sd t2, 40(s0)
    j 9f
8:  ACTIVEMASK(t2)
    li t3, 3
    slli t3, t3, 32
    or t2, t2, t3
    sd t2, 40(s0)
9:  ACTIVEMASK(t2)
    sd t2, 48(s0)
    sd t5, 56(s0)
    ret
