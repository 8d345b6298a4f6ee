/* SPDX-License-Identifier: MIT */
/*
 * IEEE 754 binary32/binary64 arithmetic in integers, for every RISC-V rounding mode.
 *
 * The compute units use host floating point for the default mode (round to nearest
 * even), where the host gives the same results and flags; every other mode, and
 * round-to-nearest-max-magnitude which no host offers, comes here. Values are raw
 * bit patterns. Results follow the RISC-V F and D extensions: a NaN result is the
 * canonical NaN, tininess is detected after rounding, and the exception flags
 * raised are ORed into *flags (fcsr bit order).
 */
#ifndef EMU_SOFTFP_H
#define EMU_SOFTFP_H

#include <stdint.h>

/* The rm field and frm register. */
enum emu_rm {
    EMU_RM_RNE = 0,             /* nearest, ties to even */
    EMU_RM_RTZ = 1,             /* toward zero */
    EMU_RM_RDN = 2,             /* down, toward -inf */
    EMU_RM_RUP = 3,             /* up, toward +inf */
    EMU_RM_RMM = 4,             /* nearest, ties away from zero */
    EMU_RM_DYN = 7,             /* in an instruction: use frm */
};

/* fflags bits. */
#define EMU_FFLAG_NX 0x01       /* inexact */
#define EMU_FFLAG_UF 0x02       /* underflow */
#define EMU_FFLAG_OF 0x04       /* overflow */
#define EMU_FFLAG_DZ 0x08       /* divide by zero */
#define EMU_FFLAG_NV 0x10       /* invalid operation */

#define EMU_F32_CANONICAL_NAN 0x7fc00000u
#define EMU_F64_CANONICAL_NAN 0x7ff8000000000000ull

uint32_t emu_sf32_add(uint32_t a, uint32_t b, unsigned int rm, unsigned int *flags);
uint32_t emu_sf32_sub(uint32_t a, uint32_t b, unsigned int rm, unsigned int *flags);
uint32_t emu_sf32_mul(uint32_t a, uint32_t b, unsigned int rm, unsigned int *flags);
uint32_t emu_sf32_div(uint32_t a, uint32_t b, unsigned int rm, unsigned int *flags);
uint32_t emu_sf32_sqrt(uint32_t a, unsigned int rm, unsigned int *flags);
/* a * b + c, rounded once. */
uint32_t emu_sf32_fma(uint32_t a, uint32_t b, uint32_t c, unsigned int rm, unsigned int *flags);

uint64_t emu_sf64_add(uint64_t a, uint64_t b, unsigned int rm, unsigned int *flags);
uint64_t emu_sf64_sub(uint64_t a, uint64_t b, unsigned int rm, unsigned int *flags);
uint64_t emu_sf64_mul(uint64_t a, uint64_t b, unsigned int rm, unsigned int *flags);
uint64_t emu_sf64_div(uint64_t a, uint64_t b, unsigned int rm, unsigned int *flags);
uint64_t emu_sf64_sqrt(uint64_t a, unsigned int rm, unsigned int *flags);
uint64_t emu_sf64_fma(uint64_t a, uint64_t b, uint64_t c, unsigned int rm, unsigned int *flags);

/* Conversions that round: binary64 to binary32, and integers to either. */
uint32_t emu_sf_f64_to_f32(uint64_t a, unsigned int rm, unsigned int *flags);
uint32_t emu_sf_i64_to_f32(int64_t v, unsigned int rm, unsigned int *flags);
uint32_t emu_sf_u64_to_f32(uint64_t v, unsigned int rm, unsigned int *flags);
uint64_t emu_sf_i64_to_f64(int64_t v, unsigned int rm, unsigned int *flags);
uint64_t emu_sf_u64_to_f64(uint64_t v, unsigned int rm, unsigned int *flags);

#endif /* EMU_SOFTFP_H */
