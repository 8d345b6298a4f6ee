/* SPDX-License-Identifier: MIT */
/* The simplest kernel: out[i] = i for every thread i of the grid. a0: { u64 *out } */
#include "isa_asm.h"

KERNEL isa_store_tid
    GTID t0, t1
    ld t2, 0(a0)
    slli t3, t0, 3
    add t2, t2, t3
    sd t0, 0(t2)
    ret

/* Does nothing at all. */
KERNEL isa_nothing
    ret
