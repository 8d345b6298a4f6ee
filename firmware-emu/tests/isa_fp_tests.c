// SPDX-License-Identifier: MIT
/*
 * The F and D tests of test_isa: every instruction over arrays of operands, run by
 * the kernels of tests/isa/fp.S with frm set per thread.
 *
 * Arithmetic is checked against the host's own IEEE arithmetic under fesetround()
 * for the four rounding modes a host has, with random and special operands, in warps
 * whose lanes all round alike (the host path of the compute units) and in warps
 * whose lanes round differently (the software path). Round-to-nearest-max-magnitude,
 * which no host has, and everything the specification pins down beyond IEEE (NaN
 * boxing, canonical NaNs, fmin/fmax, conversions to integers, fclass, tininess after
 * rounding) are checked against tables of values worked out by hand.
 */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "isa_tests.h"
#include "softfp.h"

#define N 512
#define BOX(x) (0xffffffff00000000ull | (uint32_t)(x))
#define CANON_S BOX(EMU_F32_CANONICAL_NAN)
#define CANON_D EMU_F64_CANONICAL_NAN

#define NV EMU_FFLAG_NV
#define DZ EMU_FFLAG_DZ
#define OF EMU_FFLAG_OF
#define UF EMU_FFLAG_UF
#define NX EMU_FFLAG_NX

static struct isa *t;
static isa_check_fn *check;

/* Device arrays, reused by every run. */
static uint64_t dev_a, dev_b, dev_c, dev_out, dev_flags, dev_rm, kernarg;

/* Runs isa_fp_<op> over n operand triples; results and flags come back in out[], flags[]. */
static bool run_op(const char *op, unsigned int n, const uint64_t *a, const uint64_t *b,
                   const uint64_t *c, const uint64_t *rm, uint64_t *out, uint64_t *flags)
{
    struct isa_launch l = { .grid = { (n + 127) / 128 }, .block = { 128 }, .kernarg = kernarg };
    uint64_t *k = isa_ptr(t, kernarg);
    char kernel[48];
    struct isa_result r;

    snprintf(kernel, sizeof(kernel), "isa_fp_%s", op);
    l.kernel = kernel;
    memcpy(isa_ptr(t, dev_a), a, 8ull * n);
    memcpy(isa_ptr(t, dev_b), b, 8ull * n);
    memcpy(isa_ptr(t, dev_c), c, 8ull * n);
    memcpy(isa_ptr(t, dev_rm), rm, 8ull * n);
    k[5] = n;
    r = isa_run(t, 0, &l);
    if (r.error || r.timed_out) {
        printf("# %s: error %u kind %u pc 0x%llx\n", kernel, r.error, r.kind,
               (unsigned long long)r.pc);
        isa_restart(t, 0);
        return false;
    }
    memcpy(out, isa_ptr(t, dev_out), 8ull * n);
    memcpy(flags, isa_ptr(t, dev_flags), 8ull * n);
    return true;
}

/* -------------------------------------------------------- host reference */

static const int host_modes[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };

static unsigned int host_flags(void)
{
    int x = fetestexcept(FE_ALL_EXCEPT);

    return (x & FE_INVALID ? NV : 0) | (x & FE_DIVBYZERO ? DZ : 0) |
           (x & FE_OVERFLOW ? OF : 0) | (x & FE_UNDERFLOW ? UF : 0) |
           (x & FE_INEXACT ? NX : 0);
}

static float s_of(uint64_t v)
{
    uint32_t bits = (v >> 32) == 0xffffffff ? (uint32_t)v : EMU_F32_CANONICAL_NAN;
    float f;

    memcpy(&f, &bits, 4);
    return f;
}

static double d_of(uint64_t v)
{
    double d;

    memcpy(&d, &v, 8);
    return d;
}

static uint64_t of_s(float f)
{
    uint32_t bits;

    memcpy(&bits, &f, 4);
    return isnan(f) ? CANON_S : BOX(bits);
}

static uint64_t of_d(double d)
{
    uint64_t bits;

    memcpy(&bits, &d, 8);
    return isnan(d) ? CANON_D : bits;
}

/* The host's result of a rounding operation in host mode `mode`, and its flags. */
static uint64_t host_op(const char *op, uint64_t a, uint64_t b, uint64_t c, int mode,
                        unsigned int *flags)
{
    volatile float fa = s_of(a), fb = s_of(b), fc = s_of(c);
    volatile double da = d_of(a), db = d_of(b), dc = d_of(c);
    volatile int64_t ia = (int64_t)a;
    uint64_t r;

    fesetround(host_modes[mode]);
    feclearexcept(FE_ALL_EXCEPT);
    if (!strcmp(op, "fadd_s"))          r = of_s(fa + fb);
    else if (!strcmp(op, "fsub_s"))     r = of_s(fa - fb);
    else if (!strcmp(op, "fmul_s"))     r = of_s(fa * fb);
    else if (!strcmp(op, "fdiv_s"))     r = of_s(fa / fb);
    else if (!strcmp(op, "fsqrt_s"))    r = of_s(sqrtf(fa));
    else if (!strcmp(op, "fmadd_s"))    r = of_s(fmaf(fa, fb, fc));
    else if (!strcmp(op, "fmsub_s"))    r = of_s(fmaf(fa, fb, -fc));
    else if (!strcmp(op, "fnmsub_s"))   r = of_s(fmaf(-fa, fb, fc));
    else if (!strcmp(op, "fnmadd_s"))   r = of_s(fmaf(-fa, fb, -fc));
    else if (!strcmp(op, "fadd_d"))     r = of_d(da + db);
    else if (!strcmp(op, "fsub_d"))     r = of_d(da - db);
    else if (!strcmp(op, "fmul_d"))     r = of_d(da * db);
    else if (!strcmp(op, "fdiv_d"))     r = of_d(da / db);
    else if (!strcmp(op, "fsqrt_d"))    r = of_d(sqrt(da));
    else if (!strcmp(op, "fmadd_d"))    r = of_d(fma(da, db, dc));
    else if (!strcmp(op, "fmsub_d"))    r = of_d(fma(da, db, -dc));
    else if (!strcmp(op, "fnmsub_d"))   r = of_d(fma(-da, db, dc));
    else if (!strcmp(op, "fnmadd_d"))   r = of_d(fma(-da, db, -dc));
    else if (!strcmp(op, "fcvt_s_d"))   r = of_s((float)da);
    else if (!strcmp(op, "fcvt_s_w"))   r = of_s((float)(int32_t)ia);
    else if (!strcmp(op, "fcvt_s_wu"))  r = of_s((float)(uint32_t)ia);
    else if (!strcmp(op, "fcvt_s_l"))   r = of_s((float)ia);
    else if (!strcmp(op, "fcvt_s_lu"))  r = of_s((float)(uint64_t)ia);
    else if (!strcmp(op, "fcvt_d_l"))   r = of_d((double)ia);
    else                                r = of_d((double)(uint64_t)ia);      /* fcvt_d_lu */
    *flags = host_flags();
    /* RISC-V wants invalid for inf * 0 + qNaN too, where the host may stay quiet. */
    if (strstr(op, "madd") || strstr(op, "msub")) {
        bool single = op[strlen(op) - 1] == 's';
        double x = single ? fa : da, y = single ? fb : db, z = single ? fc : dc;

        if (((isinf(x) && y == 0) || (x == 0 && isinf(y))) && isnan(z))
            *flags |= NV;
    }
    fesetround(FE_TONEAREST);
    return r;
}

/* ---------------------------------------------------------------- operands */

static uint64_t random_s(void)
{
    static const uint32_t special[] = {
        0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffa00000, 1,
        0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x34000000,
    };
    uint64_t r = isa_test_rng();
    uint32_t bits = (uint32_t)r;

    switch (r >> 60) {
    case 0: case 1: return BOX(special[(r >> 32) % (sizeof(special) / 4)]);
    case 2: return BOX(bits & 0x807fffff);                  /* subnormal */
    case 3: return BOX((bits & 0x80ffffff) | 0x3f000000);   /* near 1, exponents -1..0 */
    case 4: return BOX((bits & 0x8000ffff) | 0x3f800000);   /* few mantissa bits: ties */
    default: return BOX(bits);
    }
}

static uint64_t random_d(void)
{
    static const uint64_t special[] = {
        0, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
        0x7ff8000000000000ull, 0x7ff0000000000001ull, 1, 0x000fffffffffffffull,
        0x0010000000000000ull, 0x7fefffffffffffffull, 0x3ff0000000000000ull,
        0x3ca0000000000000ull, 0x47efffffe0000000ull, 0x36a0000000000000ull,
    };
    uint64_t r = isa_test_rng();

    switch (r >> 60) {
    case 0: case 1: return special[isa_test_rng() % (sizeof(special) / 8)];
    case 2: return r & 0x800fffffffffffffull;
    case 3: return (r & 0x801fffffffffffffull) | 0x3fe0000000000000ull;
    case 4: return (r & 0x80000000ffffffffull) | 0x3ff0000000000000ull;
    default: return isa_test_rng();
    }
}

static uint64_t random_int(void)
{
    uint64_t r = isa_test_rng();

    return r >> (isa_test_rng() % 64) | (r & (1ull << 63));
}

/* ----------------------------------------------------- host-checked ops */

static const char *const rounded_ops[] = {
    "fadd_s", "fsub_s", "fmul_s", "fdiv_s", "fsqrt_s", "fmadd_s", "fmsub_s", "fnmsub_s",
    "fnmadd_s", "fadd_d", "fsub_d", "fmul_d", "fdiv_d", "fsqrt_d", "fmadd_d", "fmsub_d",
    "fnmsub_d", "fnmadd_d", "fcvt_s_d", "fcvt_s_w", "fcvt_s_wu", "fcvt_s_l", "fcvt_s_lu",
    "fcvt_d_l", "fcvt_d_lu",
};

static void operands(const char *op, uint64_t *a, uint64_t *b, uint64_t *c)
{
    bool convert = !strncmp(op, "fcvt_", 5);
    bool from_int = convert && strcmp(op, "fcvt_s_d") != 0;
    bool single = !convert && op[strlen(op) - 1] == 's';

    for (unsigned int i = 0; i < N; i++) {
        if (from_int)
            a[i] = random_int();
        else
            a[i] = single ? random_s() : random_d();
        b[i] = single ? random_s() : random_d();
        c[i] = single ? random_s() : random_d();
        /* Operands close to each other make cancellations and exact results. */
        if (i % 5 == 0)
            b[i] = a[i] ^ (isa_test_rng() & 0x8000000000000007ull);
    }
}

/*
 * One op, all four host modes: uniform rounding (modes[i] the same for all lanes, the
 * host path) when `mixed` is false, else a different mode in neighbouring lanes.
 */
static unsigned int check_rounded(const char *op, bool mixed)
{
    static uint64_t a[N], b[N], c[N], rm[N], out[N], flags[N];
    unsigned int wrong = 0;

    operands(op, a, b, c);
    for (int mode = 0; mode < 4; mode++) {
        if (mixed && mode > 0)
            break;
        for (unsigned int i = 0; i < N; i++)
            rm[i] = mixed ? (i + i / 32) % 4 : (uint64_t)mode;
        if (!run_op(op, N, a, b, c, rm, out, flags))
            return N;
        for (unsigned int i = 0; i < N; i++) {
            unsigned int want_flags;
            uint64_t want = host_op(op, a[i], b[i], c[i], (int)rm[i], &want_flags);

            if ((out[i] != want || flags[i] != want_flags) && !wrong++)
                printf("# %s rm %llu (0x%llx, 0x%llx, 0x%llx): 0x%llx flags %llx, want 0x%llx "
                       "flags %x\n", op, (unsigned long long)rm[i], (unsigned long long)a[i],
                       (unsigned long long)b[i], (unsigned long long)c[i],
                       (unsigned long long)out[i], (unsigned long long)flags[i],
                       (unsigned long long)want, want_flags);
        }
    }
    return wrong;
}

static void test_rounded(void)
{
    const unsigned int ops = sizeof(rounded_ops) / sizeof(rounded_ops[0]);
    unsigned int uniform = 0, mixed = 0;

    for (unsigned int k = 0; k < ops; k++) {
        uniform += check_rounded(rounded_ops[k], false);
        mixed += check_rounded(rounded_ops[k], true);
    }
    check(uniform == 0, "%u rounding instructions x %d operands x RNE/RTZ/RDN/RUP, all lanes "
          "alike: results and fflags as the host's IEEE arithmetic (%u wrong)", ops, N, uniform);
    check(mixed == 0, "... with the rounding mode differing from lane to lane (%u wrong)", mixed);
}

/* --------------------------------------------------------- table checks */

struct fp_case {
    const char *op;
    uint64_t a, b, c;
    unsigned int rm;
    uint64_t want;
    unsigned int flags;
};

#define S(x) BOX(x)
#define ONE_S S(0x3f800000)
#define ONE_D 0x3ff0000000000000ull

static const struct fp_case table[] = {
    /* Round to nearest, ties to max magnitude, and RNE beside it. */
    { "fadd_s", ONE_S, S(0x33800000), 0, EMU_RM_RMM, S(0x3f800001), NX },
    { "fadd_s", ONE_S, S(0x33800000), 0, EMU_RM_RNE, S(0x3f800000), NX },
    { "fadd_s", S(0xbf800000), S(0xb3800000), 0, EMU_RM_RMM, S(0xbf800001), NX },
    { "fmul_s", S(0x3f800800), S(0x3f800800), 0, EMU_RM_RMM, S(0x3f801001), NX },
    { "fmul_s", S(0x3f800800), S(0x3f800800), 0, EMU_RM_RNE, S(0x3f801000), NX },
    { "fmadd_s", ONE_S, ONE_S, S(0x33800000), EMU_RM_RMM, S(0x3f800001), NX },
    { "fmul_s", S(1), S(0x3f000000), 0, EMU_RM_RMM, S(1), UF | NX },
    { "fmul_s", S(1), S(0x3f000000), 0, EMU_RM_RNE, S(0), UF | NX },
    { "fadd_s", S(0x7f7fffff), S(0x7f7fffff), 0, EMU_RM_RMM, S(0x7f800000), OF | NX },
    { "fadd_s", S(0x7f7fffff), S(0x7f7fffff), 0, EMU_RM_RTZ, S(0x7f7fffff), OF | NX },
    { "fadd_d", ONE_D, 0x3ca0000000000000ull, 0, EMU_RM_RMM, 0x3ff0000000000001ull, NX },
    { "fadd_d", ONE_D, 0x3ca0000000000000ull, 0, EMU_RM_RNE, ONE_D, NX },
    { "fcvt_s_d", 0x3ff0000010000000ull, 0, 0, EMU_RM_RMM, S(0x3f800001), NX },
    { "fcvt_s_w", 16777217, 0, 0, EMU_RM_RMM, S(0x4b800001), NX },
    { "fcvt_s_w", 16777217, 0, 0, EMU_RM_RNE, S(0x4b800000), NX },
    { "fcvt_w_s", S(0x40200000), 0, 0, EMU_RM_RMM, 3, NX },
    { "fcvt_w_s", S(0x40200000), 0, 0, EMU_RM_RNE, 2, NX },
    { "fcvt_w_s", S(0xc0200000), 0, 0, EMU_RM_RMM, (uint64_t)-3, NX },
    { "fcvt_w_s", S(0xc0200000), 0, 0, EMU_RM_RDN, (uint64_t)-3, NX },
    { "fcvt_w_s", S(0xc0200000), 0, 0, EMU_RM_RUP, (uint64_t)-2, NX },
    { "fcvt_w_s", S(0x402ccccd), 0, 0, EMU_RM_RTZ, 2, NX },
    /* Tininess after rounding: just below the smallest normal, rounding up to it. */
    { "fcvt_s_d", 0x380ffffff0000000ull, 0, 0, EMU_RM_RNE, S(0x00800000), NX },
    { "fcvt_s_d", 0x380ffffff0000000ull, 0, 0, EMU_RM_RMM, S(0x00800000), NX },
    { "fcvt_s_d", 0x380ffffff0000000ull, 0, 0, EMU_RM_RTZ, S(0x007fffff), UF | NX },
    { "fmul_s", S(0x00800000), S(0x3f7fffff), 0, EMU_RM_RNE, S(0x00800000), UF | NX },
    { "fmul_d", 0x0010000000000000ull, 0x3fe0000000000000ull, 0, EMU_RM_RNE,
      0x0008000000000000ull, 0 },
    /* Conversions to integers: saturation, NaN to the largest, invalid and inexact. */
    { "fcvt_w_s", S(0x7fc00000), 0, 0, EMU_RM_RNE, 0x7fffffff, NV },
    { "fcvt_w_s", S(0xff800000), 0, 0, EMU_RM_RNE, 0xffffffff80000000ull, NV },
    { "fcvt_w_s", S(0x7f800000), 0, 0, EMU_RM_RNE, 0x7fffffff, NV },
    { "fcvt_w_s", S(0x4f000000), 0, 0, EMU_RM_RNE, 0x7fffffff, NV },
    { "fcvt_w_s", S(0xcf000000), 0, 0, EMU_RM_RNE, 0xffffffff80000000ull, 0 },
    { "fcvt_wu_s", S(0xbf800000), 0, 0, EMU_RM_RNE, 0, NV },
    { "fcvt_wu_s", S(0xbf000000), 0, 0, EMU_RM_RTZ, 0, NX },
    { "fcvt_wu_s", S(0xbf000000), 0, 0, EMU_RM_RDN, 0, NV },
    { "fcvt_wu_s", S(0x4f7fffff), 0, 0, EMU_RM_RNE, 0xffffffffffffff00ull, 0 },
    { "fcvt_wu_s", S(0x7fc00000), 0, 0, EMU_RM_RNE, UINT64_MAX, NV },
    { "fcvt_wu_d", 0x41effffffff00000ull, 0, 0, EMU_RM_RTZ, UINT64_MAX, NX },
    { "fcvt_wu_d", 0x41effffffff00000ull, 0, 0, EMU_RM_RNE, UINT64_MAX, NV },
    { "fcvt_l_d", 0x43e0000000000000ull, 0, 0, EMU_RM_RNE, INT64_MAX, NV },
    { "fcvt_l_d", 0xc3e0000000000000ull, 0, 0, EMU_RM_RNE, 0x8000000000000000ull, 0 },
    { "fcvt_lu_d", 0x43efffffffffffffull, 0, 0, EMU_RM_RNE, 0xfffffffffffff800ull, 0 },
    { "fcvt_lu_d", 0x43f0000000000000ull, 0, 0, EMU_RM_RNE, UINT64_MAX, NV },
    { "fcvt_lu_d", 0x8000000000000000ull, 0, 0, EMU_RM_RNE, 0, 0 },
    { "fcvt_l_s", S(0x7fc00000), 0, 0, EMU_RM_RNE, INT64_MAX, NV },
    { "fcvt_lu_s", S(0xff800000), 0, 0, EMU_RM_RNE, 0, NV },
    { "fcvt_l_s", S(0xbfc00000), 0, 0, EMU_RM_RNE, (uint64_t)-2, NX },
    { "fcvt_d_w", 0xfffffffffffffff9ull, 0, 0, EMU_RM_RNE, 0xc01c000000000000ull, 0 },
    { "fcvt_d_wu", 0xffffffff00000003ull, 0, 0, EMU_RM_RNE, 0x4008000000000000ull, 0 },
    /* fmin/fmax (2.2): NaNs lose to numbers, -0 < +0, signalling NaNs are invalid. */
    { "fmin_s", S(0), S(0x80000000), 0, 0, S(0x80000000), 0 },
    { "fmax_s", S(0x80000000), S(0), 0, 0, S(0), 0 },
    { "fmin_s", S(0x7fc00000), ONE_S, 0, 0, ONE_S, 0 },
    { "fmin_s", S(0x7f800001), ONE_S, 0, 0, ONE_S, NV },
    { "fmax_s", S(0x7fc00000), S(0xffc00001), 0, 0, CANON_S, 0 },
    { "fmin_d", 0x7ff0000000000001ull, 0x7ff0000000000001ull, 0, 0, CANON_D, NV },
    { "fmax_d", 0xfff0000000000000ull, 0x4008000000000000ull, 0, 0, 0x4008000000000000ull, 0 },
    { "fmin_d", 0x4008000000000000ull, 0xbff0000000000000ull, 0, 0, 0xbff0000000000000ull, 0 },
    /* Comparisons: feq is quiet, flt and fle signal on any NaN. */
    { "feq_s", S(0x7fc00000), S(0x7fc00000), 0, 0, 0, 0 },
    { "feq_s", S(0x7f800001), ONE_S, 0, 0, 0, NV },
    { "flt_s", S(0x7fc00000), ONE_S, 0, 0, 0, NV },
    { "fle_s", S(0x80000000), S(0), 0, 0, 1, 0 },
    { "feq_s", S(0x80000000), S(0), 0, 0, 1, 0 },
    { "flt_d", ONE_D, 0x4000000000000000ull, 0, 0, 1, 0 },
    { "fle_d", 0x4000000000000000ull, ONE_D, 0, 0, 0, 0 },
    { "fle_d", CANON_D, ONE_D, 0, 0, 0, NV },
    /* fclass */
    { "fclass_s", S(0xff800000), 0, 0, 0, 1 << 0, 0 },
    { "fclass_s", S(0xbf800000), 0, 0, 0, 1 << 1, 0 },
    { "fclass_s", S(0x80000001), 0, 0, 0, 1 << 2, 0 },
    { "fclass_s", S(0x80000000), 0, 0, 0, 1 << 3, 0 },
    { "fclass_s", S(0), 0, 0, 0, 1 << 4, 0 },
    { "fclass_s", S(0x007fffff), 0, 0, 0, 1 << 5, 0 },
    { "fclass_s", ONE_S, 0, 0, 0, 1 << 6, 0 },
    { "fclass_s", S(0x7f800000), 0, 0, 0, 1 << 7, 0 },
    { "fclass_s", S(0x7f800001), 0, 0, 0, 1 << 8, 0 },
    { "fclass_s", S(0x7fc00000), 0, 0, 0, 1 << 9, 0 },
    { "fclass_d", 0x000fffffffffffffull, 0, 0, 0, 1 << 5, 0 },
    { "fclass_d", 0xfff4000000000000ull, 0, 0, 0, 1 << 8, 0 },
    /* NaN boxing: a single not boxed in its f register reads as the canonical NaN. */
    { "fadd_s", 0x3f800000, ONE_S, 0, 0, CANON_S, 0 },
    { "fclass_s", 0x000000003f800000ull, 0, 0, 0, 1 << 9, 0 },
    { "fsgnj_s", 0x3f800000, S(0x80000000), 0, 0, S(0xffc00000), 0 },
    { "fcvt_d_s", 0x3f800000, 0, 0, 0, CANON_D, 0 },
    { "fcvt_d_s", S(0x7f800001), 0, 0, 0, CANON_D, NV },
    { "fcvt_d_s", S(0xc0200000), 0, 0, 0, 0xc004000000000000ull, 0 },
    { "fmv_x_w", 0x123456789abcdef0ull, 0, 0, 0, 0xffffffff9abcdef0ull, 0 },
    { "fmv_w_x", 0x1234567800000001ull, 0, 0, 0, S(1), 0 },
    { "fmv_x_d", 0x123456789abcdef0ull, 0, 0, 0, 0x123456789abcdef0ull, 0 },
    { "fmv_d_x", 0x123456789abcdef0ull, 0, 0, 0, 0x123456789abcdef0ull, 0 },
    /* Sign injection. */
    { "fsgnjn_d", ONE_D, ONE_D, 0, 0, 0xbff0000000000000ull, 0 },
    { "fsgnjx_s", S(0xc0000000), S(0xc0400000), 0, 0, S(0x40000000), 0 },
    { "fsgnj_d", 0x7ff0000000000001ull, 0x8000000000000000ull, 0, 0, 0xfff0000000000001ull, 0 },
    /* Invalid and divide by zero. */
    { "fsqrt_s", S(0xbf800000), 0, 0, 0, CANON_S, NV },
    { "fsqrt_s", S(0x80000000), 0, 0, 0, S(0x80000000), 0 },
    { "fdiv_s", ONE_S, S(0), 0, 0, S(0x7f800000), DZ },
    { "fdiv_d", 0, 0x8000000000000000ull, 0, 0, CANON_D, NV },
    { "fmadd_d", 0x7ff0000000000000ull, 0, CANON_D, 0, CANON_D, NV },
    { "fmul_d", 0x7ff8000000000001ull, ONE_D, 0, 0, CANON_D, 0 },
};

static void test_table(void)
{
    enum { M = sizeof(table) / sizeof(table[0]) };
    unsigned int wrong = 0;

    for (unsigned int i = 0; i < M; i++) {
        const struct fp_case *k = &table[i];
        uint64_t a = k->a, b = k->b, c = k->c, rm = k->rm, out, flags;

        if (!run_op(k->op, 1, &a, &b, &c, &rm, &out, &flags) || out != k->want ||
            flags != k->flags) {
            if (!wrong++)
                printf("# %s rm %u (0x%llx, 0x%llx, 0x%llx): 0x%llx flags %llx, want 0x%llx "
                       "flags %x\n", k->op, k->rm, (unsigned long long)a,
                       (unsigned long long)b, (unsigned long long)c, (unsigned long long)out,
                       (unsigned long long)flags, (unsigned long long)k->want, k->flags);
        }
    }
    check(wrong == 0, "%d worked examples: RMM, tininess after rounding, fcvt saturation, "
          "fmin/fmax, compares, fclass, NaN boxing, sign injection (%u wrong)", M, wrong);
}

/* The same operands in every lane of a warp: the instruction's static mode wins over frm. */
static void test_static_modes(void)
{
    static const struct { const char *op; unsigned int rm; } ops[] = {
        { "fadd_s_rtz", EMU_RM_RTZ }, { "fmul_d_rdn", EMU_RM_RDN }, { "fmul_d_rup", EMU_RM_RUP },
        { "fadd_d_rne", EMU_RM_RNE },
    };
    static uint64_t a[N], b[N], c[N], rm[N], out[N], flags[N];
    unsigned int wrong = 0;

    for (unsigned int k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        const char *base = k == 0 ? "fadd_s" : k == 3 ? "fadd_d" : "fmul_d";

        operands(base, a, b, c);
        for (unsigned int i = 0; i < N; i++)
            rm[i] = (i + k + 1) % 5;
        if (!run_op(ops[k].op, N, a, b, c, rm, out, flags))
            wrong++;
        for (unsigned int i = 0; i < N; i++) {
            unsigned int want_flags;

            wrong += out[i] != host_op(base, a[i], b[i], 0, (int)ops[k].rm, &want_flags) ||
                     flags[i] != want_flags;
        }
    }
    {
        uint64_t x = S(0x40200000), zero = 0, mode = EMU_RM_RNE, r, f;

        wrong += !run_op("fcvt_w_s_rmm", 1, &x, &zero, &zero, &mode, &r, &f) || r != 3;
    }
    check(wrong == 0, "static rounding modes in the instruction override frm (%u wrong)", wrong);
}

static void test_accrue(void)
{
    enum { THREADS = 64 };
    uint64_t out = isa_alloc(t, 8 * THREADS), k = isa_alloc(t, 8);
    uint64_t *o = isa_ptr(t, out);
    struct isa_launch l = { .kernel = "isa_fp_accrue", .block = { THREADS }, .kernarg = k };
    unsigned int wrong = 0;
    struct isa_result r;

    *(uint64_t *)isa_ptr(t, k) = out;
    r = isa_run(t, 0, &l);
    for (unsigned int i = 0; i < THREADS; i++)
        wrong += o[i] != (i == 5 ? (NX | DZ) : NX);
    check(!r.error && !wrong, "fflags accrue per thread: an exact op keeps NX, one lane's "
          "division by zero shows in that lane only");
}

static void test_flw(void)
{
    uint64_t in = isa_alloc(t, 8), out = isa_alloc(t, 16), k = isa_alloc(t, 16);
    uint64_t *o = isa_ptr(t, out), *kp = isa_ptr(t, k);
    struct isa_launch l = { .kernel = "isa_fp_flw", .block = { 1 }, .kernarg = k };
    struct isa_result r;

    *(uint32_t *)isa_ptr(t, in) = 0x7f800001;           /* a signalling NaN, kept as is */
    o[1] = 0x5555555555555555ull;
    kp[0] = in;
    kp[1] = out;
    r = isa_run(t, 0, &l);
    check(!r.error && o[0] == S(0x7f800001) && o[1] == 0x555555557f800001ull,
          "flw NaN-boxes, fsw stores the low word, neither touches a NaN");
}

void isa_test_fp(struct isa *fixture, isa_check_fn *ok)
{
    t = fixture;
    check = ok;
    dev_a = isa_alloc(t, 8 * N);
    dev_b = isa_alloc(t, 8 * N);
    dev_c = isa_alloc(t, 8 * N);
    dev_out = isa_alloc(t, 8 * N);
    dev_flags = isa_alloc(t, 8 * N);
    dev_rm = isa_alloc(t, 8 * N);
    kernarg = isa_alloc(t, 8 * 7);
    memcpy(isa_ptr(t, kernarg), (uint64_t[]){ dev_a, dev_b, dev_c, dev_out, dev_flags, 0, dev_rm },
           8 * 7);
    test_rounded();
    test_table();
    test_static_modes();
    test_accrue();
    test_flw();
}
