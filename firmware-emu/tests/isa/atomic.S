/* SPDX-License-Identifier: MIT */
/* A-extension kernels of the ISA tests. */
#include "isa_asm.h"

/*
 * One thread, every AMO on a word and a doubleword: a0 = { u64 *mem; u64 *out }.
 * mem[0] (as a word) starts at 0x80000000, mem[1] at 0x8000000000000000. out gets
 * each old value, then the final memory words, then the LR/SC results.
 */
KERNEL isa_amo
    ld t0, 0(a0)
    ld t1, 8(a0)
    addi t2, t0, 8
    li t3, 1
    amoadd.w t4, t3, (t0)
    sd t4, 0(t1)
    li t3, 5
    amoswap.w t4, t3, (t0)
    sd t4, 8(t1)
    li t3, 3
    amoxor.w t4, t3, (t0)
    sd t4, 16(t1)
    li t3, 0xc
    amoand.w t4, t3, (t0)
    sd t4, 24(t1)
    li t3, 1
    amoor.w t4, t3, (t0)
    sd t4, 32(t1)
    li t3, -7
    amomin.w t4, t3, (t0)
    sd t4, 40(t1)
    li t3, 3
    amomax.w.aqrl t4, t3, (t0)
    sd t4, 48(t1)
    li t3, -1
    amominu.w t4, t3, (t0)
    sd t4, 56(t1)
    amomaxu.w t4, t3, (t0)
    sd t4, 64(t1)
    lw t4, 0(t0)
    sd t4, 72(t1)
    /* doublewords */
    li t3, -1
    amoadd.d t4, t3, (t2)
    sd t4, 80(t1)
    li t3, 1
    amomin.d t4, t3, (t2)           /* 0x7fff.. vs 1 */
    sd t4, 88(t1)
    li t3, -2
    amominu.d t4, t3, (t2)          /* 1 vs 0xffff..fe */
    sd t4, 96(t1)
    amomaxu.d t4, t3, (t2)
    sd t4, 104(t1)
    li t3, 7
    amomax.d t4, t3, (t2)           /* -2 vs 7 */
    sd t4, 112(t1)
    li t3, 0xff
    amoxor.d t4, t3, (t2)
    sd t4, 120(t1)
    ld t4, 0(t2)
    sd t4, 128(t1)
    /* LR/SC: succeeds, fails without a reservation, fails when memory changed since */
    lr.d t4, (t2)
    li t3, 100
    sc.d t5, t3, (t2)
    sd t5, 136(t1)
    sc.d t5, t3, (t2)
    sd t5, 144(t1)
    lr.d t4, (t2)
    li t3, 1
    amoadd.d x0, t3, (t2)
    li t3, 200
    sc.d t5, t3, (t2)
    sd t5, 152(t1)
    lr.w t4, (t0)
    sd t4, 160(t1)
    li t3, 9
    addi t6, t0, 4
    sc.w t5, t3, (t6)               /* another address than the reservation's */
    sd t5, 168(t1)
    sc.w.rl t5, t3, (t0)            /* the reservation was dropped by the failed sc */
    sd t5, 176(t1)
    ld t4, 0(t2)
    sd t4, 184(t1)
    ret

/*
 * Contention: a0 = { u64 *c; u64 iterations }. Every thread, iterations times:
 * c[0] += 1 (amoadd.d), c[1] += 1 (an lr/sc loop), c[2] += 1 as a word, and
 * c[3] = max(c[3], global id).
 */
KERNEL isa_contention
    ld t0, 0(a0)
    ld t1, 8(a0)
    GTID t6, t5
    addi t2, t0, 8
    addi t3, t0, 16
    addi t4, t0, 24
    li t5, 1
1:
    amoadd.d x0, t5, (t0)
2:
    lr.d a1, (t2)
    addi a1, a1, 1
    sc.d a2, a1, (t2)
    bnez a2, 2b
    amoadd.w x0, t5, (t3)
    amomax.d x0, t6, (t4)
    addi t1, t1, -1
    bnez t1, 1b
    ret

/* Shared-memory atomics: a0 = { u64 *out }: every thread adds 1 to a shared word, out[block] = the sum. */
KERNEL isa_shared_atomics
    csrr t0, CSR_TID_X
    addi t4, tp, 4
    bnez t0, 1f
    sd x0, 0(tp)
1:  BAR
    li t1, 1
    amoadd.w x0, t1, (tp)
2:  lr.w t2, (t4)
    addi t2, t2, 2
    sc.w t3, t2, (t4)
    bnez t3, 2b
    BAR
    bnez t0, 3f
    lw t2, 0(tp)
    lw t3, 4(tp)
    slli t3, t3, 32
    or t2, t2, t3
    ld t1, 0(a0)
    csrr t3, CSR_CTAID_X
    slli t3, t3, 3
    add t1, t1, t3
    sd t2, 0(t1)
3:  ret

/*
 * A spin lock taken by the threads of one warp: a0 = { u32 *lock; u64 *counter }. The
 * winner's lanes leave the loop (a larger pc), the others keep spinning at a smaller
 * one; only the warp's forward-progress rule lets the winner release the lock.
 */
KERNEL isa_warp_lock
    ld t0, 0(a0)
    ld t1, 8(a0)
    li t2, 1
1:  amoswap.w.aq t3, t2, (t0)
    bnez t3, 1b
    ld t4, 0(t1)                    /* the critical section: not atomic */
    addi t4, t4, 1
    sd t4, 0(t1)
    amoswap.w.rl x0, x0, (t0)
    ret
