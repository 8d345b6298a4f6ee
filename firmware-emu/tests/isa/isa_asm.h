/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the ISA tests' assembly kernels. The numbers are those of
 * uapi/s5000.h's device ISA section, which assembly cannot include.
 */
#ifndef ISA_ASM_H
#define ISA_ASM_H

#define CSR_TID_X       0xcc0
#define CSR_TID_Y       0xcc1
#define CSR_TID_Z       0xcc2
#define CSR_NTID_X      0xcc3
#define CSR_CTAID_X     0xcc6
#define CSR_LANEID      0xccc

/* SIMT instructions: custom-0, R-type (S5000_OPC_SIMT, funct3, funct7). */
#define BAR             .insn r 0x0b, 0, 0, x0, x0, x0
#define EXIT            .insn r 0x0b, 0, 1, x0, x0, x0
#define TRAP(rs)        .insn r 0x0b, 0, 2, x0, rs, x0
#define WARP_SYNC(rs)   .insn r 0x0b, 0, 3, x0, rs, x0
#define BAR_POPC(rd, rs) .insn r 0x0b, 0, 4, rd, rs, x0
#define BAR_AND(rd, rs) .insn r 0x0b, 0, 5, rd, rs, x0
#define BAR_OR(rd, rs)  .insn r 0x0b, 0, 6, rd, rs, x0
#define BALLOT(rd, pred, mask) .insn r 0x0b, 1, 0, rd, pred, mask
#define VOTE_ANY(rd, pred, mask) .insn r 0x0b, 1, 1, rd, pred, mask
#define VOTE_ALL(rd, pred, mask) .insn r 0x0b, 1, 2, rd, pred, mask
#define ACTIVEMASK(rd)  .insn r 0x0b, 1, 3, rd, x0, x0
#define SHFL(rd, src, lane) .insn r 0x0b, 2, 0, rd, src, lane
#define MMA(rs)         .insn r 0x0b, 3, 0, x0, rs, x0

/* rd = blockIdx.x * blockDim.x + threadIdx.x */
.macro GTID rd, tmp
    csrr \rd, CSR_CTAID_X
    csrr \tmp, CSR_NTID_X
    mul \rd, \rd, \tmp
    csrr \tmp, CSR_TID_X
    add \rd, \rd, \tmp
.endm

/* Defines a global kernel entry. */
.macro KERNEL name
    .text
    .globl \name
    .type \name, @function
    .balign 4
\name:
.endm

#endif
