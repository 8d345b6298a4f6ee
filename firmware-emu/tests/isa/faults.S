/* SPDX-License-Identifier: MIT */
/*
 * Kernels that fault, one way each. The faulting instruction of each has a global
 * label (isa_pc_*), so that the tests know the pc the device must report.
 * a0 = { u64 arg } unless said otherwise.
 */
#include "isa_asm.h"

/* Loads a doubleword at arg. */
KERNEL isa_fault_load
    ld t0, 0(a0)
    .globl isa_pc_load
isa_pc_load:
    ld t1, 0(t0)
    ret

/* Stores a doubleword at arg. */
KERNEL isa_fault_store
    ld t0, 0(a0)
    .globl isa_pc_store
isa_pc_store:
    sd t0, 0(t0)
    ret

/* A word load at arg (misaligned when arg is), then a misaligned store and AMO. */
KERNEL isa_fault_lw
    ld t0, 0(a0)
    .globl isa_pc_lw
isa_pc_lw:
    lw t1, 0(t0)
    ret

KERNEL isa_fault_sh
    ld t0, 0(a0)
    .globl isa_pc_sh
isa_pc_sh:
    sh t0, 0(t0)
    ret

KERNEL isa_fault_amo
    ld t0, 0(a0)
    .globl isa_pc_amo
isa_pc_amo:
    amoadd.d t1, t1, (t0)
    ret

KERNEL isa_fault_illegal
    nop
    .globl isa_pc_illegal
isa_pc_illegal:
    .word 0xffffffff
    ret

KERNEL isa_fault_zero_word
    .globl isa_pc_zero_word
isa_pc_zero_word:
    .word 0
    ret

KERNEL isa_fault_ecall
    .globl isa_pc_ecall
isa_pc_ecall:
    ecall
    ret

/* A write to a read-only special register, and a read of an unknown CSR. */
KERNEL isa_fault_csr_write
    .globl isa_pc_csr_write
isa_pc_csr_write:
    csrw CSR_TID_X, t0
    ret

KERNEL isa_fault_csr_unknown
    .globl isa_pc_csr_unknown
isa_pc_csr_unknown:
    csrr t0, 0x7c0
    ret

/* A SIMT instruction with a register field the specification wants zero. */
KERNEL isa_fault_simt_field
    .globl isa_pc_simt_field
isa_pc_simt_field:
    .insn r 0x0b, 0, 0, a0, x0, x0      /* BAR with rd set */
    ret

/* frm = 5, then an instruction with a dynamic rounding mode. */
KERNEL isa_fault_frm
    li t0, 5
    csrw frm, t0
    .globl isa_pc_frm
isa_pc_frm:
    fadd.s ft0, ft0, ft0
    ret

/* Stores below the stack window: sp - arg. */
KERNEL isa_fault_stack
    ld t0, 0(a0)
    sub t0, sp, t0
    .globl isa_pc_stack
isa_pc_stack:
    sd x0, 0(t0)
    ret

/* Reads the word at tp + arg. */
KERNEL isa_fault_shared
    ld t0, 0(a0)
    add t0, tp, t0
    .globl isa_pc_shared
isa_pc_shared:
    lw t1, 0(t0)
    ret

/* Threads 16 and up exit; the barrier the others wait at counts them as arrived. */
KERNEL isa_barrier_after_exit
    csrr t0, CSR_TID_X
    li t1, 16
    bgeu t0, t1, 1f
    BAR
1:  ret

/* Lanes 0..15 wait in a warp sync for lanes that wait at a barrier. */
KERNEL isa_fault_sync_deadlock
    csrr t0, CSR_TID_X
    li t1, 16
    bgeu t0, t1, 1f
    li t2, -1
    .globl isa_pc_sync_deadlock
isa_pc_sync_deadlock:
    WARP_SYNC(t2)
    ret
1:  BAR
    ret

/* TRAP with code arg, from thread 7 only. */
KERNEL isa_fault_trap
    ld t0, 0(a0)
    csrr t1, CSR_TID_X
    li t2, 7
    bne t1, t2, 1f
    .globl isa_pc_trap
isa_pc_trap:
    TRAP(t0)
1:  ret

/* Runs for ever. */
KERNEL isa_fault_spin
    .globl isa_pc_spin
isa_pc_spin:
    j isa_pc_spin

/* Spins until the doubleword at arg is nonzero. */
KERNEL isa_spin_load
    ld t0, 0(a0)
1:  ld t1, 0(t0)
    beqz t1, 1b
    ret

/* Jumps to arg. */
KERNEL isa_fault_jump
    ld t0, 0(a0)
    .globl isa_pc_jump
isa_pc_jump:
    jr t0

/*
 * Straight code: a launch whose code range ends at isa_code_cut makes it run off the
 * end (at isa_code_cut) or branch out of the range (isa_pc_branch_out).
 */
KERNEL isa_fault_falloff
    nop
    nop
    .globl isa_code_cut
isa_code_cut:
    nop
    ret

KERNEL isa_fault_branch_out
    li t0, 1
    .globl isa_pc_branch_out
isa_pc_branch_out:
    bnez t0, isa_branch_target
    ret
    nop
isa_branch_target:
    ret

/* An MMA with the descriptor at arg. */
KERNEL isa_mma
    ld t0, 0(a0)
    .globl isa_pc_mma
isa_pc_mma:
    MMA(t0)
    ret
