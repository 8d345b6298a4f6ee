/* SPDX-License-Identifier: MIT */
/*
 * F and D kernels of the ISA tests: one instruction per kernel, over arrays.
 * a0 = { u64 *a; u64 *b; u64 *c; u64 *out; u64 *flags; u64 n; u64 *frm }: thread i
 * sets frm to frm[i], loads ft0/ft1/ft2 from the raw 64-bit a[i], b[i], c[i] (and t5
 * from a[i], for instructions with an integer source), clears fflags, runs the
 * instruction, and stores its result (ft3 raw, or t4) and fflags.
 */
#include "isa_asm.h"

#define FP_KERNEL(name, store, ...)                                             \
KERNEL isa_fp_##name ;                                                          \
    GTID t0, t1 ;                                                               \
    ld t1, 40(a0) ;                                                             \
    bgeu t0, t1, 1f ;                                                           \
    slli t0, t0, 3 ;                                                            \
    ld t1, 48(a0) ; add t1, t1, t0 ; ld t1, 0(t1) ; csrw frm, t1 ;              \
    ld t1, 0(a0) ; add t1, t1, t0 ; fld ft0, 0(t1) ; ld t5, 0(t1) ;             \
    ld t1, 8(a0) ; add t1, t1, t0 ; fld ft1, 0(t1) ;                            \
    ld t1, 16(a0) ; add t1, t1, t0 ; fld ft2, 0(t1) ;                           \
    csrw fflags, x0 ;                                                           \
    __VA_ARGS__ ;                                                               \
    csrr t6, fflags ;                                                           \
    ld t1, 24(a0) ; add t1, t1, t0 ; store ;                                    \
    ld t1, 32(a0) ; add t1, t1, t0 ; sd t6, 0(t1) ;                             \
1:  ret

#define F fsd ft3, 0(t1)
#define X sd t4, 0(t1)

FP_KERNEL(fadd_s, F, fadd.s ft3, ft0, ft1)
FP_KERNEL(fadd_d, F, fadd.d ft3, ft0, ft1)
FP_KERNEL(fsub_s, F, fsub.s ft3, ft0, ft1)
FP_KERNEL(fsub_d, F, fsub.d ft3, ft0, ft1)
FP_KERNEL(fmul_s, F, fmul.s ft3, ft0, ft1)
FP_KERNEL(fmul_d, F, fmul.d ft3, ft0, ft1)
FP_KERNEL(fdiv_s, F, fdiv.s ft3, ft0, ft1)
FP_KERNEL(fdiv_d, F, fdiv.d ft3, ft0, ft1)
FP_KERNEL(fsqrt_s, F, fsqrt.s ft3, ft0)
FP_KERNEL(fsqrt_d, F, fsqrt.d ft3, ft0)
FP_KERNEL(fmadd_s, F, fmadd.s ft3, ft0, ft1, ft2)
FP_KERNEL(fmadd_d, F, fmadd.d ft3, ft0, ft1, ft2)
FP_KERNEL(fmsub_s, F, fmsub.s ft3, ft0, ft1, ft2)
FP_KERNEL(fmsub_d, F, fmsub.d ft3, ft0, ft1, ft2)
FP_KERNEL(fnmsub_s, F, fnmsub.s ft3, ft0, ft1, ft2)
FP_KERNEL(fnmsub_d, F, fnmsub.d ft3, ft0, ft1, ft2)
FP_KERNEL(fnmadd_s, F, fnmadd.s ft3, ft0, ft1, ft2)
FP_KERNEL(fnmadd_d, F, fnmadd.d ft3, ft0, ft1, ft2)
FP_KERNEL(fmin_s, F, fmin.s ft3, ft0, ft1)
FP_KERNEL(fmin_d, F, fmin.d ft3, ft0, ft1)
FP_KERNEL(fmax_s, F, fmax.s ft3, ft0, ft1)
FP_KERNEL(fmax_d, F, fmax.d ft3, ft0, ft1)
FP_KERNEL(fsgnj_s, F, fsgnj.s ft3, ft0, ft1)
FP_KERNEL(fsgnj_d, F, fsgnj.d ft3, ft0, ft1)
FP_KERNEL(fsgnjn_s, F, fsgnjn.s ft3, ft0, ft1)
FP_KERNEL(fsgnjn_d, F, fsgnjn.d ft3, ft0, ft1)
FP_KERNEL(fsgnjx_s, F, fsgnjx.s ft3, ft0, ft1)
FP_KERNEL(fsgnjx_d, F, fsgnjx.d ft3, ft0, ft1)
FP_KERNEL(feq_s, X, feq.s t4, ft0, ft1)
FP_KERNEL(feq_d, X, feq.d t4, ft0, ft1)
FP_KERNEL(flt_s, X, flt.s t4, ft0, ft1)
FP_KERNEL(flt_d, X, flt.d t4, ft0, ft1)
FP_KERNEL(fle_s, X, fle.s t4, ft0, ft1)
FP_KERNEL(fle_d, X, fle.d t4, ft0, ft1)
FP_KERNEL(fclass_s, X, fclass.s t4, ft0)
FP_KERNEL(fclass_d, X, fclass.d t4, ft0)
FP_KERNEL(fcvt_w_s, X, fcvt.w.s t4, ft0)
FP_KERNEL(fcvt_w_d, X, fcvt.w.d t4, ft0)
FP_KERNEL(fcvt_wu_s, X, fcvt.wu.s t4, ft0)
FP_KERNEL(fcvt_wu_d, X, fcvt.wu.d t4, ft0)
FP_KERNEL(fcvt_l_s, X, fcvt.l.s t4, ft0)
FP_KERNEL(fcvt_l_d, X, fcvt.l.d t4, ft0)
FP_KERNEL(fcvt_lu_s, X, fcvt.lu.s t4, ft0)
FP_KERNEL(fcvt_lu_d, X, fcvt.lu.d t4, ft0)
FP_KERNEL(fcvt_s_w, F, fcvt.s.w ft3, t5)
FP_KERNEL(fcvt_d_w, F, fcvt.d.w ft3, t5)
FP_KERNEL(fcvt_s_wu, F, fcvt.s.wu ft3, t5)
FP_KERNEL(fcvt_d_wu, F, fcvt.d.wu ft3, t5)
FP_KERNEL(fcvt_s_l, F, fcvt.s.l ft3, t5)
FP_KERNEL(fcvt_d_l, F, fcvt.d.l ft3, t5)
FP_KERNEL(fcvt_s_lu, F, fcvt.s.lu ft3, t5)
FP_KERNEL(fcvt_d_lu, F, fcvt.d.lu ft3, t5)
FP_KERNEL(fcvt_s_d, F, fcvt.s.d ft3, ft0)
FP_KERNEL(fcvt_d_s, F, fcvt.d.s ft3, ft0)
FP_KERNEL(fmv_x_w, X, fmv.x.w t4, ft0)
FP_KERNEL(fmv_x_d, X, fmv.x.d t4, ft0)
FP_KERNEL(fmv_w_x, F, fmv.w.x ft3, t5)
FP_KERNEL(fmv_d_x, F, fmv.d.x ft3, t5)
/* Static rounding modes in the instruction, whatever frm says. */
FP_KERNEL(fadd_s_rtz, F, fadd.s ft3, ft0, ft1, rtz)
FP_KERNEL(fadd_s_rmm, F, fadd.s ft3, ft0, ft1, rmm)
FP_KERNEL(fmul_d_rdn, F, fmul.d ft3, ft0, ft1, rdn)
FP_KERNEL(fmul_d_rup, F, fmul.d ft3, ft0, ft1, rup)
FP_KERNEL(fadd_d_rne, F, fadd.d ft3, ft0, ft1, rne)
FP_KERNEL(fcvt_w_s_rmm, X, fcvt.w.s t4, ft0, rmm)

/*
 * Flags accrue: a0 = { u64 *flags }: every thread clears fflags, adds inexactly, then
 * exactly; thread 5 also divides by zero. flags[i] = fflags.
 */
KERNEL isa_fp_accrue
    GTID t0, t1
    csrw fflags, x0
    li t1, 3
    fcvt.s.w ft0, t1
    li t1, 1
    fcvt.s.w ft1, t1
    fdiv.s ft2, ft1, ft0            /* 1/3: inexact */
    fadd.s ft2, ft1, ft1            /* exact */
    li t1, 5
    bne t0, t1, 1f
    fmv.w.x ft3, x0
    fdiv.s ft2, ft1, ft3
1:  csrr t2, fflags
    ld t1, 0(a0)
    slli t0, t0, 3
    add t1, t1, t0
    sd t2, 0(t1)
    ret

/* a0 = { u32 *in; u64 *out }: flw boxes (out[0] by fsd), fsw stores the low word (out[1]). */
KERNEL isa_fp_flw
    ld t0, 0(a0)
    ld t1, 8(a0)
    flw ft0, 0(t0)
    fsd ft0, 0(t1)
    fsw ft0, 8(t1)
    ret
