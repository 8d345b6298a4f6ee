// SPDX-License-Identifier: MIT
/*
 * Unit tests of the device's number formats (uapi/s5000_float.h) and of the tensor
 * core (mma.c), which runs here over a fake memory on a host buffer.
 *
 * References are computed independently: format values from their fields with
 * ldexp, correct rounding by binary search over a format's codes with exact
 * midpoints in binary128, exact dot products as integers in 128 bits, and the
 * Hopper model with integer shifts. The conversion vectors come from
 * ../shared/reference/ beside the repository (argv[1] or $S5000_REFERENCE_VECTORS
 * name the file instead).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../uapi/s5000.h"
#include "../uapi/s5000_float.h"
#include "mma.h"
#include "tap.h"

typedef __int128 i128;
typedef __float128 q128;

#define VECTORS_ENV         "S5000_REFERENCE_VECTORS"
#define VECTORS_FILE        "fp8-conversion-vectors.txt"

#define FAKE_BASE           0x200000000ull
#define FAKE_SIZE           (48u << 20)
#define EXACT_NAN           ((i128)((unsigned __int128)1 << 127))
#define EXACT_PINF          ((i128)(~(unsigned __int128)0 >> 1))

/* ------------------------------------------------------------ helpers */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned rnd_below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static uint32_t f32_bits(float f)
{
    uint32_t u;

    memcpy(&u, &f, 4);
    return u;
}

static float bits_f32(uint32_t u)
{
    float f;

    memcpy(&f, &u, 4);
    return f;
}

static uint64_t f64_bits(double d)
{
    uint64_t u;

    memcpy(&u, &d, 8);
    return u;
}

static double bits_f64(uint64_t u)
{
    double d;

    memcpy(&d, &u, 8);
    return d;
}

/* A random float: random sign, exponent in [lo, hi], full random significand. */
static float rnd_float(int lo, int hi)
{
    float f = ldexpf(1.0f + (float)(rnd() & 0x7fffff) / 0x1p23f, lo + (int)rnd_below(hi - lo + 1));

    return rnd() & 1 ? -f : f;
}

/* ----------------------------------------------------- reference formats */

/* A code's value from its fields; ieee: the top exponent holds Inf and NaN. */
static double ref_decode(unsigned code, int ebits, int mbits, int bias, bool ieee)
{
    unsigned top = (1u << ebits) - 1, e = (code >> mbits) & top, m = code & ((1u << mbits) - 1);
    double v;

    if (e == top && (ieee || m == (1u << mbits) - 1))
        v = ieee && !m ? INFINITY : NAN;
    else if (e == 0)
        v = ldexp(m, 1 - bias - mbits);
    else
        v = ldexp(m + (1u << mbits), (int)e - bias - mbits);
    return (code >> (ebits + mbits)) & 1 ? -v : v;
}

static double ref_e4m3(unsigned c) { return ref_decode(c, 4, 3, 7, false); }
static double ref_e5m2(unsigned c) { return ref_decode(c, 5, 2, 15, true); }
static double ref_f16(unsigned c) { return ref_decode(c, 5, 10, 15, true); }
static double ref_bf16(unsigned c) { return ref_decode(c, 8, 7, 127, true); }

static q128 dec_e4m3(uint64_t c) { return ref_e4m3((unsigned)c); }
static q128 dec_e5m2(uint64_t c) { return ref_e5m2((unsigned)c); }
static q128 dec_f16(uint64_t c) { return ref_f16((unsigned)c); }
static q128 dec_bf16(uint64_t c) { return ref_bf16((unsigned)c); }
static q128 dec_f32(uint64_t c) { return bits_f32((uint32_t)c); }
static q128 dec_f64(uint64_t c) { return bits_f64(c); }
static q128 dec_tf32(uint64_t c) { return bits_f32((uint32_t)c << 13); }

/* Positive finite codes 0..maxfin increase with the value; ovf: overflow code. */
struct ref_fmt {
    const char *name;
    q128 (*dec)(uint64_t code);
    uint64_t maxfin, ovf, nan;
    int bits;
};

static const struct ref_fmt REF_E4M3_SAT = { "e4m3 sat", dec_e4m3, 0x7e, 0x7e, 0x7f, 8 };
static const struct ref_fmt REF_E4M3 = { "e4m3 nosat", dec_e4m3, 0x7e, 0x7f, 0x7f, 8 };
static const struct ref_fmt REF_E5M2_SAT = { "e5m2 sat", dec_e5m2, 0x7b, 0x7b, 0x7f, 8 };
static const struct ref_fmt REF_E5M2 = { "e5m2 nosat", dec_e5m2, 0x7b, 0x7c, 0x7f, 8 };
static const struct ref_fmt REF_F16 = { "f16", dec_f16, 0x7bff, 0x7c00, 0x7fff, 16 };
static const struct ref_fmt REF_BF16 = { "bf16", dec_bf16, 0x7f7f, 0x7f80, 0x7fff, 16 };
static const struct ref_fmt REF_F32 = { "f32", dec_f32, 0x7f7fffff, 0x7f800000, 0x7fffffff, 32 };
static const struct ref_fmt REF_F64 = {
    "f64", dec_f64, 0x7fefffffffffffffull, 0x7ff0000000000000ull, 0x7fffffffffffffffull, 64
};
static const struct ref_fmt REF_TF32 = { "tf32", dec_tf32, 0x3fbff, 0x3fc00, 0x3ffff, 19 };

static bool q_signbit(q128 x)
{
    unsigned char b[16];

    memcpy(b, &x, 16);
    return b[15] >> 7;
}

/* x rounded to nearest even in a format, by binary search and exact midpoints. */
static uint64_t ref_round(q128 x, const struct ref_fmt *f)
{
    uint64_t sign = (uint64_t)q_signbit(x) << (f->bits - 1), lo = 0, hi = f->maxfin, mid;
    q128 ax = x < 0 ? -x : x, top = f->dec(f->maxfin);
    q128 limit = top + (top - f->dec(f->maxfin - 1)) / 2, m;

    if (x != x)
        return f->nan;
    if (ax > limit || (ax == limit && (f->maxfin & 1)))
        return sign | f->ovf;
    while (lo < hi) {
        mid = lo + (hi - lo + 1) / 2;
        if (f->dec(mid) <= ax)
            lo = mid;
        else
            hi = mid - 1;
    }
    if (lo == f->maxfin)
        return sign | lo;
    m = (f->dec(lo) + f->dec(lo + 1)) / 2;
    if (ax > m || (ax == m && (lo & 1)))
        lo++;
    return sign | lo;
}

/* ------------------------------------------------------------ vectors */

static FILE *open_vectors(int argc, char **argv, char *path, size_t size)
{
    const char *given = argc > 1 ? argv[1] : getenv(VECTORS_ENV);
    char root[64] = ".";

    if (given) {
        snprintf(path, size, "%s", given);
        return fopen(path, "r");
    }
    /* The repository root is the directory above us with uapi/; the data is beside it. */
    for (int up = 0; up < 6; up++) {
        snprintf(path, size, "%s/uapi/s5000_float.h", root);
        if (!access(path, R_OK)) {
            snprintf(path, size, "%s/../shared/reference/%s", root, VECTORS_FILE);
            return fopen(path, "r");
        }
        strcat(root, "/..");
    }
    snprintf(path, size, "../shared/reference/%s (no repository root above the cwd)",
             VECTORS_FILE);
    return NULL;
}

static void check_vector_row(const char *name, uint32_t bits, const unsigned want[6])
{
    float f = bits_f32(bits);
    double d = f;
    unsigned got[6] = {
        s5000_f32_to_e4m3(f, 1), s5000_f32_to_e4m3(f, 0), s5000_f32_to_e5m2(f, 1),
        s5000_f32_to_e5m2(f, 0), s5000_f32_to_bf16(f), s5000_f32_to_f16(f),
    };
    unsigned got64[6] = {
        s5000_f64_to_e4m3(d, 1), s5000_f64_to_e4m3(d, 0), s5000_f64_to_e5m2(d, 1),
        s5000_f64_to_e5m2(d, 0), s5000_f64_to_bf16(d), s5000_f64_to_f16(d),
    };
    bool pass = true;

    for (int i = 0; i < 6; i++)
        pass &= want[i] == ~0u || (got[i] == want[i] && got64[i] == want[i]);
    ok(pass, "vector %s (0x%08x): e4m3 %02x/%02x e5m2 %02x/%02x bf16 %04x fp16 %04x "
       "(got %02x/%02x %02x/%02x %04x %04x)", name, bits, want[0], want[1], want[2], want[3],
       want[4], want[5], got[0], got[1], got[2], got[3], got[4], got[5]);
}

/* "cc:value" entries of a decode table; returns the entries that disagree. */
static int check_table_line(char *line, float (*decode)(unsigned char), int *entries)
{
    int bad = 0;

    for (char *tok = strtok(line, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
        unsigned code;
        char text[32];
        double want, got;

        if (sscanf(tok, "%x:%31s", &code, text) != 2)
            continue;
        (*entries)++;
        want = strtod(text, NULL);
        got = decode((unsigned char)code);
        if (isnan(want) || isinf(want))
            bad += !(isnan(want) ? isnan(got) : got == want);
        else
            bad += fabs(got - want) > 1e-5 * fabs(want);
    }
    return bad;
}

static float decode_e4m3(unsigned char c) { return s5000_e4m3_to_f32(c); }
static float decode_e5m2(unsigned char c) { return s5000_e5m2_to_f32(c); }

static void test_vectors(int argc, char **argv)
{
    char path[512], line[1024], name[64];
    FILE *f = open_vectors(argc, argv, path, sizeof(path));
    int rows = 0, entries[2] = { 0, 0 }, bad[2] = { 0, 0 }, table = -1;

    if (!ok(f != NULL, "reference vectors: open %s", path)) {
        printf("# pass the file as argv[1] or in $%s\n", VECTORS_ENV);
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        unsigned want[6], bits;

        if (sscanf(line, "%63s 0x%x | 0x%x 0x%x | 0x%x 0x%x | 0x%x 0x%x", name, &bits,
                   &want[0], &want[1], &want[2], &want[3], &want[4], &want[5]) == 8) {
            check_vector_row(name, bits, want);
            rows++;
        } else if (sscanf(line, "%63s 0x%x bf16 0x%x fp16 0x%x", name, &bits, &want[4],
                          &want[5]) == 4) {
            want[0] = want[1] = want[2] = want[3] = ~0u;
            check_vector_row(name, bits, want);
            rows++;
        } else if (!strncmp(line, "E4M3 table", 10)) {
            table = 0;
        } else if (!strncmp(line, "E5M2 table", 10)) {
            table = 1;
        } else if (table >= 0) {
            bad[table] += check_table_line(line, table ? decode_e5m2 : decode_e4m3,
                                           &entries[table]);
        }
    }
    fclose(f);
    ok(rows >= 40, "reference vectors: %d conversion rows read", rows);
    ok(entries[0] == 128 && !bad[0], "E4M3 decode table: %d entries, %d differ", entries[0],
       bad[0]);
    ok(entries[1] == 128 && !bad[1], "E5M2 decode table: %d entries, %d differ", entries[1],
       bad[1]);
}

/* ---------------------------------------------------------- conversions */

/* Same value, or both NaN with the same sign. */
static bool same_value(float got, double want)
{
    if (isnan(want))
        return isnan(got) && !signbit(got) == !signbit(want);
    return f32_bits(got) == f32_bits((float)want);
}

static void test_fp8_decode(void)
{
    int bad4 = 0, bad5 = 0, trip = 0, sat = 0, nan = 0;

    for (unsigned c = 0; c < 256; c++) {
        float v4 = s5000_e4m3_to_f32(c), v5 = s5000_e5m2_to_f32(c);

        bad4 += !same_value(v4, ref_e4m3(c));
        bad5 += !same_value(v5, ref_e5m2(c));
        if (isnan(v4))
            nan += s5000_f32_to_e4m3(v4, 0) != 0x7f || s5000_f32_to_e4m3(v4, 1) != 0x7f;
        else
            trip += s5000_f32_to_e4m3(v4, 0) != c || s5000_f32_to_e4m3(v4, 1) != c;
        if (isnan(v5))
            nan += s5000_f32_to_e5m2(v5, 0) != 0x7f || s5000_f32_to_e5m2(v5, 1) != 0x7f;
        else if (isinf(v5))
            sat += s5000_f32_to_e5m2(v5, 0) != c || s5000_f32_to_e5m2(v5, 1) != ((c & 0x80) | 0x7b);
        else
            trip += s5000_f32_to_e5m2(v5, 0) != c || s5000_f32_to_e5m2(v5, 1) != c;
    }
    ok(!bad4, "E4M3: all 256 codes decode to their fields' value (%d differ)", bad4);
    ok(!bad5, "E5M2: all 256 codes decode to their fields' value (%d differ)", bad5);
    ok(!trip, "FP8: encode(decode(c)) == c for every finite code, SAT and NOSAT (%d differ)",
       trip);
    ok(!sat && !nan, "FP8: +-Inf saturates to +-57344 (%d), NaN codes encode to 0x7f (%d)", sat,
       nan);
}

static void test_f16_bf16_decode(void)
{
    int bad16 = 0, badb = 0, trip = 0;

    for (unsigned c = 0; c < 65536; c++) {
        float h = s5000_f16_to_f32(c), b = s5000_bf16_to_f32(c);

        bad16 += !same_value(h, ref_f16(c));
        badb += isnan(b) ? !isnan(ref_bf16(c)) : !same_value(b, ref_bf16(c));
        if (!isnan(h))
            trip += s5000_f32_to_f16(h) != c || s5000_f64_to_f16(h) != c;
        if (!isnan(b))
            trip += s5000_f32_to_bf16(b) != c || s5000_f64_to_bf16(b) != c;
    }
    ok(!bad16, "FP16: all 65536 codes decode exactly (%d differ)", bad16);
    ok(!badb, "BF16: all 65536 codes decode exactly (%d differ)", badb);
    ok(!trip, "FP16/BF16: encode(decode(c)) == c for every non-NaN code (%d differ)", trip);
}

/* Interesting floats: random bit patterns, and random values near each format's range. */
static float conversion_input(unsigned i)
{
    switch (i % 4) {
    case 0:
        return bits_f32((uint32_t)rnd());
    case 1:
        return rnd_float(-30, 20);
    case 2: {
        /* Halfway cases of FP16/TF32, BF16, E4M3 and E5M2, and their neighbours. */
        static const int dropped[] = { 13, 16, 20, 21 };
        int drop = dropped[rnd_below(4)];
        uint32_t u = f32_bits(rnd_float(-30, 20)) & ~((1u << drop) - 1);

        return bits_f32((u | 1u << (drop - 1)) + (uint32_t)rnd_below(3) - 1);
    }
    default:
        return rnd_float(-140, -120);
    }
}

static void test_random_conversions(void)
{
    const unsigned n = 1u << 18;
    int bad[7] = { 0 };

    for (unsigned i = 0; i < n; i++) {
        float f = conversion_input(i);
        double d = ldexp((double)(rnd() >> 11) / 0x1p53, (int)rnd_below(100) - 60) *
                   (rnd() & 1 ? -1 : 1);
        q128 x = f, y = d;

        bad[0] += s5000_f32_to_e4m3(f, 1) != ref_round(x, &REF_E4M3_SAT) ||
                  s5000_f32_to_e4m3(f, 0) != ref_round(x, &REF_E4M3);
        bad[1] += s5000_f32_to_e5m2(f, 1) != ref_round(x, &REF_E5M2_SAT) ||
                  s5000_f32_to_e5m2(f, 0) != ref_round(x, &REF_E5M2);
        bad[2] += s5000_f32_to_f16(f) != ref_round(x, &REF_F16);
        bad[3] += s5000_f32_to_bf16(f) != ref_round(x, &REF_BF16);
        bad[4] += f32_bits(s5000_f32_to_tf32(f)) >> 13 != ref_round(x, &REF_TF32);
        bad[5] += s5000_f64_to_e4m3(d, 0) != ref_round(y, &REF_E4M3) ||
                  s5000_f64_to_e5m2(d, 1) != ref_round(y, &REF_E5M2_SAT);
        bad[6] += s5000_f64_to_f16(d) != ref_round(y, &REF_F16) ||
                  s5000_f64_to_bf16(d) != ref_round(y, &REF_BF16);
    }
    ok(!bad[0], "FP32 -> E4M3 SAT/NOSAT: %u inputs correctly rounded (%d differ)", n, bad[0]);
    ok(!bad[1], "FP32 -> E5M2 SAT/NOSAT: %u inputs correctly rounded (%d differ)", n, bad[1]);
    ok(!bad[2], "FP32 -> FP16: %u inputs correctly rounded (%d differ)", n, bad[2]);
    ok(!bad[3], "FP32 -> BF16: %u inputs correctly rounded (%d differ)", n, bad[3]);
    ok(!bad[4], "FP32 -> TF32: %u inputs correctly rounded (%d differ)", n, bad[4]);
    ok(!bad[5], "FP64 -> FP8: %u inputs rounded once, not through FP32 (%d differ)", n, bad[5]);
    ok(!bad[6], "FP64 -> FP16/BF16: %u inputs rounded once (%d differ)", n, bad[6]);
    ok(s5000_f64_to_e4m3(1.0625 + 0x1p-40, 1) == 0x39 && s5000_f32_to_e4m3(1.0625f, 1) == 0x38,
       "FP64 -> E4M3: 1.0625 + 2^-40 rounds up (through FP32 it would tie down)");
    ok(f32_bits(s5000_f32_to_tf32(bits_f32(0x7f800001))) == 0x7fffe000 &&
       f32_bits(s5000_f32_to_tf32(INFINITY)) == 0x7f800000 &&
       f32_bits(s5000_f32_to_tf32(bits_f32(0x7f7fffff))) == 0x7f800000,
       "TF32: a NaN stays a NaN, Inf stays Inf, FLT_MAX rounds to Inf");
}

/* --------------------------------------------------------- fake memory */

struct fake {
    uint8_t *buf;
    size_t used;
    unsigned reads, writes;
    uint64_t bad_lo, bad_hi;    /* accesses that touch [bad_lo, bad_hi) fail */
    bool bad_writes_only;
    bool map;                   /* offer in-place access */
    unsigned maps;
};

static struct fake fk;

/* Appended to the names of tests that run both with and without in-place access. */
static const char *variant = "";

static bool fake_access(struct fake *f, uint64_t addr, size_t n, bool write)
{
    if (addr < FAKE_BASE || addr - FAKE_BASE > FAKE_SIZE || n > FAKE_SIZE - (addr - FAKE_BASE))
        return false;
    return !(addr < f->bad_hi && addr + n > f->bad_lo && (write || !f->bad_writes_only));
}

static bool fake_read(void *opaque, uint64_t addr, void *buf, size_t n)
{
    struct fake *f = opaque;

    f->reads++;
    if (!fake_access(f, addr, n, false))
        return false;
    memcpy(buf, f->buf + (addr - FAKE_BASE), n);
    return true;
}

static bool fake_write(void *opaque, uint64_t addr, const void *buf, size_t n)
{
    struct fake *f = opaque;

    f->writes++;
    if (!fake_access(f, addr, n, true))
        return false;
    memcpy(f->buf + (addr - FAKE_BASE), buf, n);
    return true;
}

static void *fake_map(void *opaque, uint64_t addr, size_t n, bool write)
{
    struct fake *f = opaque;

    if (!f->map || !fake_access(f, addr, n, write))
        return NULL;
    f->maps++;
    return f->buf + (addr - FAKE_BASE);
}

static const struct emu_mma_mem mem = { &fk, fake_read, fake_write, fake_map };

static void fake_reset(void)
{
    memset(fk.buf, 0, fk.used);
    fk.used = 0;
    fk.reads = fk.writes = fk.maps = 0;
    fk.bad_lo = fk.bad_hi = 0;
    fk.bad_writes_only = false;
}

/* Zeroed, 64-byte aligned. */
static uint64_t fake_alloc(size_t n)
{
    uint64_t addr = FAKE_BASE + fk.used;

    fk.used += (n + 63) & ~(size_t)63;
    if (fk.used > FAKE_SIZE)
        abort();
    return addr;
}

static void *host(uint64_t addr)
{
    return fk.buf + (addr - FAKE_BASE);
}

/* ---------------------------------------------------------------- GEMM */

static unsigned type_size(unsigned t)
{
    return t <= S5000_MMA_E5M2 ? 1 : t <= S5000_MMA_BF16 ? 2 : t == S5000_MMA_F64 ? 8 : 4;
}

static unsigned acc_size(unsigned acc)
{
    return acc == S5000_MMA_ACC_EXACT ? 16 : acc == S5000_MMA_ACC_F32 ? 4 : 8;
}

static const char *type_name(unsigned t)
{
    static const char *const names[] = { "?", "E4M3", "E5M2", "F16", "BF16", "TF32", "F32",
                                         "F64" };

    return t < 8 ? names[t] : "?";
}

/* One m x n tile over K, in K / kstep MMAs. */
struct gemm {
    unsigned at, bt, acc, m, n, K, kstep;
    bool trans;
    uint16_t flags;
    uint8_t hopper_bits;
    unsigned lda, ldb, ldc;
    uint64_t a, b, c;
};

static void gemm_init(struct gemm *g, unsigned at, unsigned bt, unsigned acc, unsigned m,
                      unsigned n, unsigned K)
{
    memset(g, 0, sizeof(*g));
    g->at = at;
    g->bt = bt;
    g->acc = acc;
    g->m = m;
    g->n = n;
    g->K = K;
    g->kstep = S5000_MMA_MAX_K(at);
    if (g->kstep > K)
        g->kstep = K;
}

/* Leading dimensions a little over the rows, so that rows are read one by one. */
static void gemm_alloc(struct gemm *g)
{
    g->lda = g->K + 3;
    g->ldb = (g->trans ? g->K : g->n) + 5;
    g->ldc = g->n + 1;
    g->a = fake_alloc((size_t)g->m * g->lda * type_size(g->at));
    g->b = fake_alloc((size_t)(g->trans ? g->n : g->K) * g->ldb * type_size(g->bt));
    g->c = fake_alloc((size_t)g->m * g->ldc * acc_size(g->acc));
}

static uint64_t a_addr(const struct gemm *g, unsigned i, unsigned k)
{
    return g->a + ((uint64_t)i * g->lda + k) * type_size(g->at);
}

static uint64_t b_addr(const struct gemm *g, unsigned k, unsigned j)
{
    uint64_t idx = g->trans ? (uint64_t)j * g->ldb + k : (uint64_t)k * g->ldb + j;

    return g->b + idx * type_size(g->bt);
}

static void *c_ptr(const struct gemm *g, unsigned i, unsigned j)
{
    return host(g->c + ((uint64_t)i * g->ldc + j) * acc_size(g->acc));
}

static uint64_t get_code(uint64_t addr, unsigned size)
{
    uint64_t v = 0;

    memcpy(&v, host(addr), size);
    return v;
}

static void put_code(uint64_t addr, unsigned size, uint64_t v)
{
    memcpy(host(addr), &v, size);
}

/* An operand's exact value (TF32: the bits the tensor core reads). */
static double op_value(unsigned type, uint64_t code)
{
    switch (type) {
    case S5000_MMA_E4M3:
        return ref_e4m3((unsigned)code);
    case S5000_MMA_E5M2:
        return ref_e5m2((unsigned)code);
    case S5000_MMA_F16:
        return ref_f16((unsigned)code);
    case S5000_MMA_BF16:
        return ref_bf16((unsigned)code);
    case S5000_MMA_TF32:
        return bits_f32((uint32_t)code & 0xffffe000u);
    case S5000_MMA_F32:
        return bits_f32((uint32_t)code);
    default:
        return bits_f64(code);
    }
}

static double a_val(const struct gemm *g, unsigned i, unsigned k)
{
    return op_value(g->at, get_code(a_addr(g, i, k), type_size(g->at)));
}

static double b_val(const struct gemm *g, unsigned k, unsigned j)
{
    return op_value(g->bt, get_code(b_addr(g, k, j), type_size(g->bt)));
}

/* A random finite code; narrow: exponent fields within 6 binades of the middle. */
static uint64_t rnd_code(unsigned type, bool narrow)
{
    for (;;) {
        uint64_t c = rnd();
        double v;

        switch (type) {
        case S5000_MMA_E4M3:
            c = narrow ? (c & 0x87) | (4 + rnd_below(6)) << 3 : c & 0xff;
            break;
        case S5000_MMA_E5M2:
            c = narrow ? (c & 0x83) | (12 + rnd_below(6)) << 2 : c & 0xff;
            break;
        case S5000_MMA_F16:
            c = narrow ? (c & 0x83ff) | (12 + rnd_below(6)) << 10 : c & 0xffff;
            break;
        case S5000_MMA_BF16:
            return s5000_f32_to_bf16(rnd_float(-6, 6));
        case S5000_MMA_TF32:
        case S5000_MMA_F32:
            return f32_bits(rnd_float(-6, 6));
        default:
            return f64_bits(ldexp((double)(rnd() >> 11) / 0x1p53, (int)rnd_below(12) - 6) *
                            (rnd() & 1 ? -1 : 1));
        }
        v = op_value(type, c);
        if (isfinite(v))
            return c;
    }
}

static void gemm_fill(struct gemm *g, bool narrow)
{
    for (unsigned i = 0; i < g->m; i++)
        for (unsigned k = 0; k < g->K; k++)
            put_code(a_addr(g, i, k), type_size(g->at), rnd_code(g->at, narrow));
    for (unsigned k = 0; k < g->K; k++)
        for (unsigned j = 0; j < g->n; j++)
            put_code(b_addr(g, k, j), type_size(g->bt), rnd_code(g->bt, narrow));
}

static struct s5000_mma gemm_desc(const struct gemm *g, unsigned k0)
{
    struct s5000_mma d = {
        .op = S5000_MMA_OP_MMA, .a_type = g->at, .b_type = g->bt, .acc_type = g->acc,
        .hopper_bits = g->hopper_bits,
        .flags = g->flags | (g->trans ? S5000_MMA_B_TRANS : 0),
        .m = g->m, .n = g->n, .k = g->kstep, .lda = g->lda, .ldb = g->ldb, .ldacc = g->ldc,
        .a = a_addr(g, 0, k0), .b = b_addr(g, k0, 0), .acc = g->c,
    };

    return d;
}

static int gemm_run(const struct gemm *g)
{
    for (unsigned k0 = 0; k0 < g->K; k0 += g->kstep) {
        struct s5000_mma d = gemm_desc(g, k0);
        int rc = emu_mma_run(&d, &mem);

        if (rc)
            return rc;
    }
    return 0;
}

static int gemm_store(const struct gemm *g, unsigned out_type, uint64_t out, unsigned ldout,
                      uint16_t flags, uint64_t scale_a, uint64_t scale_b)
{
    struct s5000_mma d = {
        .op = S5000_MMA_OP_STORE, .acc_type = g->acc, .out_type = out_type, .flags = flags,
        .m = g->m, .n = g->n, .ldacc = g->ldc, .ldout = ldout, .acc = g->c, .out = out,
        .scale_a = scale_a, .scale_b = scale_b,
    };

    return emu_mma_run(&d, &mem);
}

/* The exact dot product in units of 2^-48: FP8 and FP16 products are exact in double. */
static i128 exact_dot(const struct gemm *g, unsigned i, unsigned j)
{
    i128 sum = 0;

    for (unsigned k = 0; k < g->K; k++)
        sum += (i128)(a_val(g, i, k) * b_val(g, k, j) * 0x1p48);
    return sum;
}

static q128 q_from_exact(i128 v)
{
    return (q128)v / ((q128)(1ull << 48));
}

static const struct ref_fmt *ref_fmt_of(unsigned out_type)
{
    switch (out_type) {
    case S5000_MMA_F16:
        return &REF_F16;
    case S5000_MMA_BF16:
        return &REF_BF16;
    case S5000_MMA_F64:
        return &REF_F64;
    default:
        return &REF_F32;
    }
}

/* ------------------------------------------------------ exact accumulator */

static void test_exact_gemm(unsigned at, unsigned bt, unsigned m, unsigned n, unsigned K,
                            bool narrow, bool trans, bool random_init)
{
    struct gemm g;
    i128 *ref = calloc((size_t)m * n, sizeof(*ref));
    uint64_t out;
    int rc, bad_acc = 0, bad_out = 0;

    fake_reset();
    gemm_init(&g, at, bt, S5000_MMA_ACC_EXACT, m, n, K);
    g.trans = trans;
    gemm_alloc(&g);
    gemm_fill(&g, narrow);
    out = fake_alloc((size_t)m * (n + 2) * 4);
    for (unsigned i = 0; i < m; i++)
        for (unsigned j = 0; j < n; j++) {
            i128 init = random_init ? (i128)(int64_t)rnd() * ((i128)1 << (rnd() & 31)) : 0;

            memcpy(c_ptr(&g, i, j), &init, 16);
            ref[i * n + j] = init + exact_dot(&g, i, j);
        }
    rc = gemm_run(&g);
    rc = rc ? rc : gemm_store(&g, S5000_MMA_F32, out, n + 2, 0, 0, 0);
    for (unsigned i = 0; i < m; i++)
        for (unsigned j = 0; j < n; j++) {
            i128 got;

            memcpy(&got, c_ptr(&g, i, j), 16);
            bad_acc += got != ref[i * n + j];
            bad_out += get_code(out + ((uint64_t)i * (n + 2) + j) * 4, 4) !=
                       ref_round(q_from_exact(ref[i * n + j]), &REF_F32);
        }
    ok(!rc && !bad_acc && !bad_out,
       "EXACT %s x %s%s %ux%ux%u (%s%s)%s: accumulator exact (%d differ), FP32 correctly "
       "rounded (%d differ)", type_name(at), type_name(bt), trans ? " (B_TRANS)" : "", m, n, K,
       narrow ? "narrow exponents" : "full range with subnormals",
       random_init ? ", random start" : "", variant, bad_acc, bad_out);
    free(ref);
}

static void test_exact(void)
{
    static const unsigned fp8[][2] = {
        { S5000_MMA_E4M3, S5000_MMA_E4M3 }, { S5000_MMA_E4M3, S5000_MMA_E5M2 },
        { S5000_MMA_E5M2, S5000_MMA_E4M3 }, { S5000_MMA_E5M2, S5000_MMA_E5M2 },
    };

    for (unsigned p = 0; p < 4; p++) {
        test_exact_gemm(fp8[p][0], fp8[p][1], 13, 37, 256, false, false, false);
        test_exact_gemm(fp8[p][0], fp8[p][1], 13, 37, 96, true, false, true);
    }
    test_exact_gemm(S5000_MMA_F16, S5000_MMA_F16, 11, 29, 256, false, false, false);
    test_exact_gemm(S5000_MMA_F16, S5000_MMA_F16, 11, 29, 64, true, false, true);
    test_exact_gemm(S5000_MMA_E5M2, S5000_MMA_E4M3, 9, 17, 64, false, true, false);
    test_exact_gemm(S5000_MMA_F16, S5000_MMA_F16, 9, 17, 48, true, true, false);
    test_exact_gemm(S5000_MMA_E4M3, S5000_MMA_E4M3, 64, 256, 1024, false, false, false);
    emu_mma_set_simd(false);
    test_exact_gemm(S5000_MMA_F16, S5000_MMA_F16, 64, 256, 64, true, false, true);
    emu_mma_set_simd(true);
    /* The AVX2 kernels, where the host has AVX-512 as well. */
    emu_mma_set_avx512(false);
    variant = ", AVX2";
    test_exact_gemm(S5000_MMA_E4M3, S5000_MMA_E5M2, 13, 37, 96, true, false, true);
    test_exact_gemm(S5000_MMA_F16, S5000_MMA_F16, 11, 29, 256, false, false, false);
    variant = "";
    emu_mma_set_avx512(true);
}

/* One accumulator value stored to a type, with a scale. */
static uint64_t store_one(i128 v, unsigned out_type, float scale)
{
    struct gemm g;
    uint64_t out, sa;

    fake_reset();
    gemm_init(&g, S5000_MMA_E4M3, S5000_MMA_E4M3, S5000_MMA_ACC_EXACT, 1, 1, 1);
    gemm_alloc(&g);
    memcpy(c_ptr(&g, 0, 0), &v, 16);
    out = fake_alloc(8);
    sa = fake_alloc(4);
    memcpy(host(sa), &scale, 4);
    if (gemm_store(&g, out_type, out, 1, 0, sa, 0))
        return ~0ull;
    return get_code(out, type_size(out_type));
}

static void test_exact_rounding(void)
{
    static const struct {
        i128 v;
        unsigned type;
        float scale;
        uint64_t want;
        const char *what;
    } cases[] = {
        { (i128)((1ull << 24) + 1) << 24, S5000_MMA_F32, 1, 0x3f800000, "1 + 2^-24 ties to even" },
        { ((i128)((1ull << 24) + 1) << 24) + 1, S5000_MMA_F32, 1, 0x3f800001,
          "1 + 2^-24 + 2^-48 rounds up (sticky 48 bits down)" },
        { (i128)((1ull << 24) + 3) << 24, S5000_MMA_F32, 1, 0x3f800002, "1 + 3*2^-24 ties up" },
        { -((i128)((1ull << 24) + 3) << 24), S5000_MMA_F32, 1, 0xbf800002, "negative tie" },
        { ((i128)1 << 125) - 1, S5000_MMA_F32, 1, 0x66000000, "2^77 - 2^-48 rounds to 2^77" },
        { ((i128)1 << 125) + ((i128)1 << 101) + 1, S5000_MMA_F32, 1, 0x66000001,
          "2^77 + half an ulp + 2^-48 rounds up" },
        { (i128)1 << 48, S5000_MMA_F32, 0x1p-149f, 0x00000001, "1 x 2^-149: FP32 subnormal" },
        { (i128)3 << 47, S5000_MMA_F32, 0x1p-149f, 0x00000002,
          "1.5 x 2^-149 rounds to even 2^-148" },
        { (i128)1 << 48, S5000_MMA_F32, -0.0f, 0x80000000, "scale -0 gives -0" },
        { 0, S5000_MMA_F32, -2.0f, 0x80000000, "0 x -2 gives -0" },
        { EXACT_NAN, S5000_MMA_F32, 1, 0x7fffffff, "NaN stores the canonical NaN" },
        { EXACT_PINF, S5000_MMA_F32, -1, 0xff800000, "+Inf x -1 gives -Inf" },
        { -EXACT_PINF, S5000_MMA_F16, 1, 0xfc00, "-Inf to FP16" },
        { (i128)1 << 126, S5000_MMA_F32, 1, 0x7f800000, "2^126 units is +Inf" },
        { EXACT_PINF, S5000_MMA_F32, 0, 0x7fffffff, "Inf x 0 is NaN" },
        { (i128)65520 << 48, S5000_MMA_F16, 1, 0x7c00, "65520 overflows FP16 (tie)" },
        { ((i128)65520 << 48) - 1, S5000_MMA_F16, 1, 0x7bff, "65520 - 2^-48 stays 65504" },
        { (i128)1 << 48, S5000_MMA_F16, 0x1p-25f, 0x0000, "2^-25 ties to FP16 zero" },
        { ((i128)1 << 48) + 1, S5000_MMA_F16, 0x1p-25f, 0x0001, "just above ties up" },
        { (i128)0x0101 << 40, S5000_MMA_BF16, 1, 0x3f80, "BF16 1 + 2^-8 ties to even" },
        { ((i128)1 << 100) + 1, S5000_MMA_F64, 1, 0x4330000000000000ull,
          "F64 2^52 + 2^-48 rounds down" },
        { (i128)3 << 46, S5000_MMA_F64, 0x1p-149f, 0x3698000000000000ull,
          "F64 0.75 x 2^-149: exact" },
        /* Rounded to double first, these would lie halfway and tie the other way. */
        { ((i128)((((1ull << 23) + 2) << 29) + (1ull << 28)) << 8) + 1, S5000_MMA_F32, 1,
          0x45800003, "2^12 (1 + 2^-22 + 2^-24) + 2^-48 rounds up, not to even" },
        { -(((i128)((((1ull << 23) + 2) << 29) + (1ull << 28)) << 8) + 1), S5000_MMA_F32, 1,
          0xc5800003, "its negative likewise" },
        { (i128)0x1555556aaaaaabull, S5000_MMA_F32, 3, 0x42800001,
          "x 3 just above halfway (53 bits x 3) rounds up" },
        { -(i128)0x1555556aaaaaabull, S5000_MMA_F32, 3, 0xc2800001, "its negative likewise" },
    };

    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        uint64_t got = store_one(cases[c].v, cases[c].type, cases[c].scale);
        uint64_t want = cases[c].want;

        ok(got == want, "EXACT STORE: %s (got 0x%llx, want 0x%llx)", cases[c].what,
           (unsigned long long)got, (unsigned long long)want);
    }
}

/*
 * A row of STOREs, so that they go eight at a time where the host can: the halfway
 * traps of test_exact_rounding() among ordinary values, a large and a tiny one.
 */
static void test_exact_rounding_row(void)
{
    const i128 trap = ((i128)((((1ull << 23) + 2) << 29) + (1ull << 28)) << 8) + 1;
    /* The large value every fifth: some runs of eight have it, some not. */
    const i128 values[5] = { trap, (i128)3 << 48, -trap, (i128)1, ((i128)1 << 100) + 1 };
    const uint32_t want[5] = { 0x45800003, 0x40400000, 0xc5800003, 0x27800000, 0x59800000 };
    struct gemm g;
    uint64_t out;
    int bad = 0, rc;

    fake_reset();
    gemm_init(&g, S5000_MMA_E4M3, S5000_MMA_E4M3, S5000_MMA_ACC_EXACT, 1, 40, 1);
    gemm_alloc(&g);
    for (unsigned j = 0; j < g.n; j++)
        memcpy(c_ptr(&g, 0, j), &values[j < 16 ? j % 4 : j % 5], 16);
    out = fake_alloc(4 * g.n);
    rc = gemm_store(&g, S5000_MMA_F32, out, g.n, 0, 0, 0);
    for (unsigned j = 0; j < g.n; j++)
        bad += get_code(out + 4 * j, 4) != want[j < 16 ? j % 4 : j % 5];
    ok(!rc && !bad, "EXACT STORE of a row: halfway traps among ordinary, large and small "
       "values, correctly rounded (%d differ)", bad);
}

/* Inf and NaN operands reach the accumulator's Inf and NaN codes. */
static void test_exact_specials(void)
{
    /* A (E5M2) rows: [Inf, 1], [Inf, -Inf], [0, Inf], [NaN, 0]; B = [2, 1]. */
    static const uint8_t a[4][2] = { { 0x7c, 0x3c }, { 0x7c, 0xfc }, { 0x00, 0x7c },
                                     { 0x7e, 0x00 } };
    struct gemm g;
    i128 v[4];
    int rc;

    fake_reset();
    gemm_init(&g, S5000_MMA_E5M2, S5000_MMA_E5M2, S5000_MMA_ACC_EXACT, 4, 1, 2);
    gemm_alloc(&g);
    for (unsigned i = 0; i < 4; i++)
        for (unsigned k = 0; k < 2; k++)
            put_code(a_addr(&g, i, k), 1, a[i][k]);
    put_code(b_addr(&g, 0, 0), 1, 0x40);
    put_code(b_addr(&g, 1, 0), 1, 0x3c);
    rc = gemm_run(&g);
    for (unsigned i = 0; i < 4; i++)
        memcpy(&v[i], c_ptr(&g, i, 0), 16);
    ok(!rc && v[0] == EXACT_PINF && v[1] == EXACT_NAN && v[2] == EXACT_PINF &&
       v[3] == EXACT_NAN, "EXACT: Inf + finite = Inf, Inf - Inf = NaN, NaN absorbs");
    /* Row 2 again with B = [2, 0]: 0 x 2 + Inf x 0. */
    put_code(b_addr(&g, 1, 0), 1, 0x00);
    memset(c_ptr(&g, 2, 0), 0, 16);
    rc = gemm_run(&g);
    memcpy(&v[2], c_ptr(&g, 2, 0), 16);
    ok(!rc && v[2] == EXACT_NAN, "EXACT: Inf x 0 = NaN");
}

/* The accumulator's own Inf and NaN codes, and leaving the finite range. */
static void test_exact_limits(void)
{
    static const i128 start[4] = {
        ((i128)1 << 126) - 1, ((i128)1 << 126) + 5, EXACT_NAN, -((i128)1 << 126) + 1,
    };
    static const i128 want[4] = {
        EXACT_PINF, EXACT_PINF, EXACT_NAN, -((i128)1 << 126) + 1 + ((i128)1 << 48),
    };
    struct gemm g;
    int bad = 0, rc;

    fake_reset();
    gemm_init(&g, S5000_MMA_F16, S5000_MMA_F16, S5000_MMA_ACC_EXACT, 4, 2, 1);
    gemm_alloc(&g);
    /* Column 0: 1 x 1 everywhere; column 1: an FP16 -Inf operand. */
    for (unsigned i = 0; i < 4; i++) {
        put_code(a_addr(&g, i, 0), 2, 0x3c00);
        memcpy(c_ptr(&g, i, 0), &start[i], 16);
        memcpy(c_ptr(&g, i, 1), &start[i], 16);
    }
    put_code(b_addr(&g, 0, 0), 2, 0x3c00);
    put_code(b_addr(&g, 0, 1), 2, 0xfc00);
    rc = gemm_run(&g);
    for (unsigned i = 0; i < 4; i++) {
        i128 v0, v1;

        memcpy(&v0, c_ptr(&g, i, 0), 16);
        memcpy(&v1, c_ptr(&g, i, 1), 16);
        bad += v0 != want[i];
        /* Finite + -Inf = -Inf; +Inf + -Inf and NaN = NaN. */
        bad += v1 != (i == 0 || i == 3 ? -EXACT_PINF : EXACT_NAN);
    }
    ok(!rc && !bad, "EXACT: past 2^126 units is +Inf (canonical code written), NaN stays, "
       "FP16 -Inf operands, finite values near the limit stay exact (%d differ)", bad);
}

/* Per-tensor, per-row and per-block scales, every output type, ACCUMULATE and CLEAR. */
static void test_scales(unsigned out_type, uint16_t flags)
{
    const unsigned m = 64, n = 256, K = 128, ldout = n + 4;
    const struct ref_fmt *rf = ref_fmt_of(out_type);
    unsigned size = type_size(out_type), na = flags & S5000_MMA_SCALE_A_ROWS ? m : 1;
    unsigned nb = flags & S5000_MMA_SCALE_B_BLOCKS ? 2 : 1;
    /* FP16 results span overflow, normals, subnormals and zero. */
    int lo = out_type == S5000_MMA_F16 ? -48 : -8, bad = 0, cleared = 1, rc;
    bool accumulate = flags & S5000_MMA_ACCUMULATE;
    i128 *ref = malloc((size_t)m * n * sizeof(*ref));
    uint8_t *old = malloc((size_t)m * ldout * size);
    uint64_t out, sa, sb;
    float *scale_a, *scale_b;
    struct gemm g;

    fake_reset();
    gemm_init(&g, S5000_MMA_E4M3, S5000_MMA_E4M3, S5000_MMA_ACC_EXACT, m, n, K);
    gemm_alloc(&g);
    gemm_fill(&g, false);
    out = fake_alloc((size_t)m * ldout * size);
    sa = fake_alloc(m * 4);
    sb = fake_alloc(8);
    scale_a = host(sa);
    scale_b = host(sb);
    for (unsigned i = 0; i < na; i++)
        scale_a[i] = rnd_float(lo, 0);
    for (unsigned i = 0; i < nb; i++)
        scale_b[i] = rnd_float(-8, 4);
    for (unsigned i = 0; i < m; i++)
        for (unsigned j = 0; j < n; j++) {
            ref[i * n + j] = exact_dot(&g, i, j);
            if (accumulate)
                put_code(out + ((uint64_t)i * ldout + j) * size, size,
                         ref_round(rnd_float(-4, 4), rf));
        }
    memcpy(old, host(out), (size_t)m * ldout * size);
    rc = gemm_run(&g);
    rc = rc ? rc : gemm_store(&g, out_type, out, ldout, flags, sa, sb);
    for (unsigned i = 0; i < m; i++)
        for (unsigned j = 0; j < n; j++) {
            size_t off = ((size_t)i * ldout + j) * size;
            q128 s = (q128)scale_a[na > 1 ? i : 0] * scale_b[nb > 1 ? j / 128 : 0];
            uint64_t want = ref_round(q_from_exact(ref[i * n + j]) * s, rf), prev = 0;
            i128 left;

            /* ACCUMULATE: the rounded result plus the old value, rounded again. */
            memcpy(&prev, old + off, size);
            if (accumulate)
                want = ref_round(rf->dec(want) + rf->dec(prev), rf);
            bad += get_code(out + off, size) != want;
            memcpy(&left, c_ptr(&g, i, j), 16);
            cleared &= !(flags & S5000_MMA_CLEAR) || left == 0;
        }
    ok(!rc && !bad && cleared, "STORE EXACT -> %s, scale_a %s, scale_b %s%s%s: %d differ",
       type_name(out_type), na > 1 ? "per row" : "per tensor", nb > 1 ? "per block" : "per tensor",
       accumulate ? ", ACCUMULATE" : "", flags & S5000_MMA_CLEAR ? ", CLEAR" : "", bad);
    free(old);
    free(ref);
}

/* -------------------------------------------------------- FP32 and FP64 */

/* STORE from an FP32 or FP64 accumulator; returns the elements that differ. */
/* STORE to FP32 times sa and sb: the product of all three rounded once. */
static int store_scaled_f32(const struct gemm *g, bool f64, float sa, float sb)
{
    uint64_t out = fake_alloc((size_t)g->m * g->n * 4), pa = fake_alloc(4), pb = fake_alloc(4);
    int bad = 0;

    *(float *)host(pa) = sa;
    *(float *)host(pb) = sb;
    if (gemm_store(g, S5000_MMA_F32, out, g->n, 0, pa, pb))
        return -1;
    for (unsigned i = 0; i < g->m; i++)
        for (unsigned j = 0; j < g->n; j++) {
            q128 v = f64 ? *(double *)c_ptr(g, i, j) : *(float *)c_ptr(g, i, j);

            bad += get_code(out + ((uint64_t)i * g->n + j) * 4, 4) !=
                   ref_round(v * sa * sb, &REF_F32);
        }
    return bad;
}

static int store_from_float(const struct gemm *g, bool f64)
{
    uint64_t out = fake_alloc((size_t)g->m * g->n * 8), sa = fake_alloc(4);
    int bad = 0;

    *(float *)host(sa) = 0.5f;
    if (gemm_store(g, S5000_MMA_F16, out, g->n, 0, sa, 0))
        return -1;
    for (unsigned i = 0; i < g->m; i++)
        for (unsigned j = 0; j < g->n; j++) {
            q128 v = f64 ? *(double *)c_ptr(g, i, j) : *(float *)c_ptr(g, i, j);

            bad += get_code(out + ((uint64_t)i * g->n + j) * 2, 2) != ref_round(v / 2, &REF_F16);
        }
    if (gemm_store(g, f64 ? S5000_MMA_F64 : S5000_MMA_F32, out, g->n, 0, 0, 0))
        return -1;
    for (unsigned i = 0; i < g->m; i++)
        bad += memcmp(host(out + (uint64_t)i * g->n * acc_size(g->acc)), c_ptr(g, i, 0),
                      (size_t)g->n * acc_size(g->acc)) != 0;
    return bad + store_scaled_f32(g, f64, 0.3f, 1) + store_scaled_f32(g, f64, 0.3f, 1.7f);
}

static void test_float_acc(unsigned type, unsigned acc, unsigned K)
{
    const unsigned m = 37, n = 70;
    bool f64 = acc == S5000_MMA_ACC_F64;
    double u = f64 ? 0x1p-53 : 0x1p-24, gamma = K * u / (1 - K * u), worst = 0;
    size_t bytes = (size_t)m * (n + 1) * acc_size(acc);
    int bad_bits = 0, bad_bound = 0, rc, rc2;
    struct gemm g;
    void *init, *first;

    fake_reset();
    gemm_init(&g, type, type, acc, m, n, K);
    gemm_alloc(&g);
    gemm_fill(&g, false);
    init = malloc(bytes);
    first = malloc(bytes);
    for (unsigned i = 0; i < m; i++)
        for (unsigned j = 0; j < n; j++) {
            if (f64)
                *(double *)c_ptr(&g, i, j) = rnd_float(-2, 2);
            else
                *(float *)c_ptr(&g, i, j) = rnd_float(-2, 2);
        }
    memcpy(init, c_ptr(&g, 0, 0), bytes);
    rc = gemm_run(&g);
    memcpy(first, c_ptr(&g, 0, 0), bytes);
    /* The same with the AVX2 kernels, then the portable ones: every bit must agree. */
    memcpy(c_ptr(&g, 0, 0), init, bytes);
    emu_mma_set_avx512(false);
    rc2 = gemm_run(&g);
    emu_mma_set_avx512(true);
    bad_bits += memcmp(first, c_ptr(&g, 0, 0), bytes) != 0;
    memcpy(c_ptr(&g, 0, 0), init, bytes);
    emu_mma_set_simd(false);
    rc2 |= gemm_run(&g);
    emu_mma_set_simd(true);
    for (unsigned i = 0; i < m; i++)
        for (unsigned j = 0; j < n; j++) {
            size_t off = ((size_t)i * (n + 1) + j) * acc_size(acc);
            double c0 = f64 ? *(double *)((char *)init + off) : *(float *)((char *)init + off);
            double got = f64 ? *(double *)c_ptr(&g, i, j) : *(float *)c_ptr(&g, i, j);
            double seq = c0, mag = fabs(c0), err;
            q128 exact = c0;

            for (unsigned k = 0; k < K; k++) {
                double a = a_val(&g, i, k), b = b_val(&g, k, j);

                seq = f64 ? fma(a, b, seq) : fmaf((float)a, (float)b, (float)seq);
                exact += (q128)a * b;
                mag += fabs(a * b);
            }
            bad_bits += memcmp((char *)first + off, c_ptr(&g, i, j), acc_size(acc)) ||
                        f64_bits(got) != f64_bits(seq);
            err = fabs((double)((q128)got - exact));
            bad_bound += err > gamma * mag;
            worst = fmax(worst, err / (gamma * mag));
        }
    ok(!rc && !rc2 && !bad_bits,
       "%s MMA %s x %s, 37x70x%u%s: equals fma in k order, AVX-512, AVX2 and portable "
       "kernels (%d differ)", f64 ? "F64" : "F32", type_name(type), type_name(type), K, variant,
       bad_bits);
    ok(!store_from_float(&g, f64), "%s accumulator STORE to FP16 (x 0.5) and to %s, and "
       "to FP32 x 0.3 and x 0.3 x 1.7: correctly rounded", f64 ? "F64" : "F32",
       f64 ? "FP64 (x 1)" : "FP32 (x 1)");
    ok(!bad_bound, "%s MMA %s: |error| <= gamma_K * sum|a b| (K u / (1 - K u), u = 2^%d) "
       "(%d exceed; worst %.3f of the bound)", f64 ? "F64" : "F32", type_name(type),
       f64 ? -53 : -24, bad_bound, worst);
    free(init);
    free(first);
}

static void test_tf32_ignores_low_bits(void)
{
    struct gemm g;
    float want;
    int rc;

    fake_reset();
    gemm_init(&g, S5000_MMA_TF32, S5000_MMA_TF32, S5000_MMA_ACC_F32, 1, 1, 1);
    gemm_alloc(&g);
    put_code(a_addr(&g, 0, 0), 4, f32_bits(1.0f) | 0x1fff);
    put_code(b_addr(&g, 0, 0), 4, f32_bits(3.0f) | 0x1000);
    rc = gemm_run(&g);
    want = 3.0f;
    ok(!rc && *(float *)c_ptr(&g, 0, 0) == want,
       "TF32: the low 13 fraction bits of both operands are not read (1.x * 3.x = %g)",
       *(float *)c_ptr(&g, 0, 0));
}

/* ------------------------------------------------------------- Hopper */

/*
 * The Hopper model, independently: each term as an integer times a power of two,
 * cut to 2^(emax - bits) by integer shifts, summed in 128 bits, rounded by
 * ref_round().
 */
static float ref_hopper(float partial, const double *p, unsigned k, int bits, bool floor_mode)
{
    double terms[S5000_MMA_MAX_K(S5000_MMA_E4M3) + 1];
    int emax = INT_MIN, q;
    i128 sum = 0;

    terms[0] = partial;
    memcpy(terms + 1, p, k * sizeof(double));
    for (unsigned t = 0; t <= k; t++)
        if (terms[t] != 0)
            emax = ilogb(terms[t]) > emax ? ilogb(terms[t]) : emax;
    if (emax == INT_MIN)
        return 0.0f;
    q = emax - bits;
    for (unsigned t = 0; t <= k; t++) {
        int e;
        int64_t sig = (int64_t)ldexp(frexp(terms[t], &e), 53);
        int shift = e - 53 - q;         /* term = sig * 2^(shift + q) */
        int64_t mag = sig < 0 ? -sig : sig;

        if (shift >= 0)
            sum += (i128)sig * ((i128)1 << shift);
        else if (floor_mode)
            sum += -shift >= 64 ? (sig < 0 ? -1 : 0) : sig >> -shift;
        else
            sum += (sig < 0 ? -1 : 1) * (-shift >= 64 ? 0 : mag >> -shift);
    }
    return bits_f32((uint32_t)ref_round((q128)sum * ldexp(1.0, q), &REF_F32));
}

static void hopper_products(const struct gemm *g, unsigned i, unsigned j, unsigned k0,
                            double *p)
{
    for (unsigned k = 0; k < g->kstep; k++)
        p[k] = a_val(g, i, k0 + k) * b_val(g, k0 + k, j);
}

/* Random FP8 GEMM, MMA by MMA against the model, and within its per-MMA bound. */
static void test_hopper_model(unsigned at, unsigned bt, int bits, uint16_t flags,
                              unsigned promote_every)
{
    const unsigned m = 8, n = 40, K = 256;
    int bad = 0, bad_bound = 0, rc = 0;
    struct gemm g;
    float *main_ref = calloc(m * n, sizeof(float)), *part_ref = calloc(m * n, sizeof(float));

    fake_reset();
    gemm_init(&g, at, bt, S5000_MMA_ACC_HOPPER, m, n, K);
    g.hopper_bits = (uint8_t)bits;
    gemm_alloc(&g);
    gemm_fill(&g, false);
    for (unsigned k0 = 0, step = 1; k0 < K && !rc; k0 += g.kstep, step++) {
        struct s5000_mma d = gemm_desc(&g, k0);
        bool promote = promote_every && step % promote_every == 0;

        d.flags = (uint16_t)(flags | (promote ? S5000_MMA_PROMOTE : 0));
        rc = emu_mma_run(&d, &mem);
        for (unsigned i = 0; i < m; i++)
            for (unsigned j = 0; j < n; j++) {
                double p[32];
                float *got = c_ptr(&g, i, j), before = part_ref[i * n + j];
                q128 exact = before;
                int emax = before != 0 ? ilogb(before) : INT_MIN;

                hopper_products(&g, i, j, k0, p);
                for (unsigned k = 0; k < g.kstep; k++) {
                    exact += p[k];
                    if (p[k] != 0 && ilogb(p[k]) > emax)
                        emax = ilogb(p[k]);
                }
                part_ref[i * n + j] = ref_hopper(before, p, g.kstep, bits,
                                                 flags & S5000_MMA_FLOOR);
                /* (k + 1) terms cut below 2^(emax - bits), then one FP32 rounding. */
                if (emax != INT_MIN &&
                    fabs((double)((q128)part_ref[i * n + j] - exact)) >
                    (g.kstep + 1) * ldexp(1, emax - bits) + fabs(part_ref[i * n + j]) * 0x1p-24)
                    bad_bound++;
                if (promote) {
                    main_ref[i * n + j] += part_ref[i * n + j];
                    part_ref[i * n + j] = 0;
                }
                bad += f32_bits(got[0]) != f32_bits(part_ref[i * n + j]) ||
                       f32_bits(got[1]) != f32_bits(main_ref[i * n + j]);
            }
    }
    ok(!rc && !bad && !bad_bound,
       "HOPPER %s x %s, %u bits%s, %s%s: matches the model MMA by MMA (%d differ), "
       "within (k+1) 2^(emax-bits) + ulp/2 (%d exceed)", type_name(at), type_name(bt), bits,
       flags & S5000_MMA_FLOOR ? ", FLOOR" : "",
       promote_every ? "PROMOTE every few" : "never promoted", variant, bad, bad_bound);
    free(main_ref);
    free(part_ref);
}

/* One MMA of a . b with k = 2 (E4M3), stored to FP64 (which shows every bit). */
static double probe(unsigned acc, int bits, float a0, float a1, float b0, float b1,
                   uint16_t flags)
{
    struct gemm g;
    uint64_t out;

    fake_reset();
    gemm_init(&g, S5000_MMA_E4M3, S5000_MMA_E4M3, acc, 1, 1, 2);
    g.hopper_bits = acc == S5000_MMA_ACC_HOPPER ? (uint8_t)bits : 0;
    g.flags = flags;
    gemm_alloc(&g);
    out = fake_alloc(8);
    put_code(a_addr(&g, 0, 0), 1, s5000_f32_to_e4m3(a0, 1));
    put_code(a_addr(&g, 0, 1), 1, s5000_f32_to_e4m3(a1, 1));
    put_code(b_addr(&g, 0, 0), 1, s5000_f32_to_e4m3(b0, 1));
    put_code(b_addr(&g, 1, 0), 1, s5000_f32_to_e4m3(b1, 1));
    if (gemm_run(&g) || gemm_store(&g, S5000_MMA_F64, out, 1, 0, 0, 0))
        return NAN;
    return *(double *)host(out);
}

/* DeepSeek-V3's probe: 256 * 1 + 2^-j; the j that survive show the kept bits. */
static unsigned probe_survivors(unsigned acc, int bits)
{
    unsigned last = 0;

    for (int j = 0; j <= 18; j++) {
        int j1 = j < 9 ? j : 9;
        double r = probe(acc, bits, 16, ldexpf(1, -j1), 16, ldexpf(1, j1 - j), 0);

        if (r == 256.0 + ldexp(1, -j))
            last = (unsigned)j + 1;
        else if (r != 256.0)
            return 100;
    }
    return last;
}

static void test_hopper_probe(void)
{
    static const int bits[] = { 10, 13, 14, 18, 26 };

    for (size_t b = 0; b < sizeof(bits) / sizeof(bits[0]); b++) {
        /* j <= bits - 8, and the partial sum is an FP32: j <= 15. */
        unsigned want = bits[b] - 8 < 15 ? bits[b] - 7 : 16;
        unsigned got = probe_survivors(S5000_MMA_ACC_HOPPER, bits[b]);

        ok(got == want, "HOPPER probe 256 + 2^-j, %d bits: j = 0..%d survive (got 0..%d)",
           bits[b], (int)want - 1, (int)got - 1);
    }
    ok(probe_survivors(S5000_MMA_ACC_EXACT, 0) == 19,
       "EXACT probe 256 + 2^-j: every j = 0..18 survives");
    ok(probe_survivors(S5000_MMA_ACC_F32, 0) == 16,
       "F32 probe 256 + 2^-j: j = 0..15 survive (24-bit FP32)");
    ok(probe(S5000_MMA_ACC_HOPPER, 13, 16, 1, 16, -0x1p-9f, 0) == 256.0f &&
       probe(S5000_MMA_ACC_HOPPER, 13, 16, 1, 16, -0x1p-9f, S5000_MMA_FLOOR) == 256.0f - 0x1p-5f,
       "HOPPER: 256 - 2^-9 cuts toward zero to 256, with FLOOR toward -Inf to 256 - 2^-5");
}

/* K = 4096 of positive data: the loss without promotion, and what promotion saves. */
static void test_hopper_promotion(void)
{
    const unsigned m = 4, n = 64, K = 4096;
    double err[2] = { 0, 0 };
    struct gemm g;
    int rc = 0;

    fake_reset();
    gemm_init(&g, S5000_MMA_E4M3, S5000_MMA_E4M3, S5000_MMA_ACC_HOPPER, m, n, K);
    g.hopper_bits = S5000_MMA_HOPPER_BITS;
    gemm_alloc(&g);
    for (unsigned i = 0; i < m; i++)
        for (unsigned k = 0; k < K; k++)
            put_code(a_addr(&g, i, k), 1, s5000_f32_to_e4m3(0.5f + (rnd() & 0xff) / 256.0f, 1));
    for (unsigned k = 0; k < K; k++)
        for (unsigned j = 0; j < n; j++)
            put_code(b_addr(&g, k, j), 1, s5000_f32_to_e4m3(0.5f + (rnd() & 0xff) / 256.0f, 1));
    for (int promote = 0; promote < 2 && !rc; promote++) {
        memset(c_ptr(&g, 0, 0), 0, (size_t)m * g.ldc * 8);
        for (unsigned k0 = 0, step = 1; k0 < K && !rc; k0 += g.kstep, step++) {
            struct s5000_mma d = gemm_desc(&g, k0);

            /* N_C = 128 products: every 4th MMA of k = 32. */
            if (promote && step % 4 == 0)
                d.flags |= S5000_MMA_PROMOTE;
            rc = emu_mma_run(&d, &mem);
        }
        for (unsigned i = 0; i < m; i++)
            for (unsigned j = 0; j < n; j++) {
                float *acc = c_ptr(&g, i, j);
                double exact = (double)q_from_exact(exact_dot(&g, i, j));

                err[promote] = fmax(err[promote], fabs((acc[0] + acc[1]) - exact) / exact);
            }
    }
    ok(!rc && err[0] > 100 * err[1] && err[1] < 1e-3,
       "HOPPER K = 4096, 13 bits: max relative error %.3g never promoted, %.3g promoted "
       "every 128", err[0], err[1]);
}

static void test_hopper_specials(void)
{
    struct gemm g;
    float *acc;
    int rc;

    fake_reset();
    gemm_init(&g, S5000_MMA_E4M3, S5000_MMA_E4M3, S5000_MMA_ACC_HOPPER, 1, 2, 1);
    g.hopper_bits = 13;
    gemm_alloc(&g);
    put_code(a_addr(&g, 0, 0), 1, 0x38);
    put_code(b_addr(&g, 0, 0), 1, 0x38);
    put_code(b_addr(&g, 0, 1), 1, 0x38);
    acc = c_ptr(&g, 0, 0);
    acc[0] = NAN;
    acc[2] = INFINITY;
    rc = gemm_run(&g);
    ok(!rc && isnan(acc[0]) && acc[2] == INFINITY,
       "HOPPER: a NaN partial sum stays NaN, an infinite one infinite");

    double r = probe(S5000_MMA_ACC_HOPPER, 13, 16, NAN, 16, 1, 0);
    double s = probe(S5000_MMA_ACC_HOPPER, 13, 448, 448, 448, -448, 0);

    ok(isnan(r) && s == 0.0f, "HOPPER: a NaN operand gives NaN; 448^2 - 448^2 = 0 (%g)", s);
}

/* ------------------------------------------------------ in-place access */

/* The same results when the memory lets the accumulator be updated in place. */
static void test_in_place(void)
{
    struct gemm g;
    i128 v;
    int rc;

    fk.map = true;
    variant = ", in place";
    test_exact_gemm(S5000_MMA_E4M3, S5000_MMA_E5M2, 13, 37, 96, true, false, true);
    test_exact_gemm(S5000_MMA_F16, S5000_MMA_F16, 11, 29, 64, false, true, false);
    test_float_acc(S5000_MMA_F32, S5000_MMA_ACC_F32, 64);
    test_float_acc(S5000_MMA_BF16, S5000_MMA_ACC_F32, 64);
    test_float_acc(S5000_MMA_F64, S5000_MMA_ACC_F64, 64);
    test_hopper_model(S5000_MMA_E4M3, S5000_MMA_E4M3, 13, S5000_MMA_FLOOR, 2);
    ok(fk.maps > 0, "in place: the accumulator rows were mapped (%u maps)", fk.maps);

    /* A misaligned exact accumulator is copied instead, with the same result. */
    fake_reset();
    gemm_init(&g, S5000_MMA_E4M3, S5000_MMA_E4M3, S5000_MMA_ACC_EXACT, 2, 3, 2);
    gemm_alloc(&g);
    g.c += 8;
    put_code(a_addr(&g, 1, 1), 1, 0x38);
    put_code(b_addr(&g, 1, 2), 1, 0x40);
    rc = gemm_run(&g);
    memcpy(&v, c_ptr(&g, 1, 2), 16);
    ok(!rc && fk.writes == 2 && v == (i128)2 << 48,
       "in place: a misaligned accumulator falls back to copies (%u row writes)", fk.writes);
    fk.map = false;
    variant = "";
}

/* Every FP8 code through the operand decoders, vector and portable: 1.0 x b + -0 = b. */
static void test_fp8_operands(void)
{
    static const unsigned types[] = { S5000_MMA_E4M3, S5000_MMA_E5M2 };
    int bad = 0;

    for (unsigned t = 0; t < 2; t++)
        for (unsigned pass = 0; pass < 4; pass++) {
            /* All 256 codes in one row, and 77 of them: whole vectors and a tail. */
            unsigned n = pass & 1 ? 77 : 256;
            struct gemm g;
            struct s5000_mma d;

            emu_mma_set_simd(pass < 2);
            fake_reset();
            gemm_init(&g, types[t], types[t], S5000_MMA_ACC_F32, 1, n, 1);
            gemm_alloc(&g);
            put_code(a_addr(&g, 0, 0), 1, types[t] == S5000_MMA_E4M3 ? 0x38 : 0x3c);
            for (unsigned j = 0; j < n; j++) {
                put_code(b_addr(&g, 0, j), 1, (j * 7 + pass) & 0xff);
                put_code(g.c + (uint64_t)j * 4, 4, 0x80000000u);
            }
            d = gemm_desc(&g, 0);
            bad += emu_mma_run(&d, &mem) != 0;
            for (unsigned j = 0; j < n; j++) {
                unsigned char c = (unsigned char)((j * 7 + pass) & 0xff);
                float want = types[t] == S5000_MMA_E4M3 ? s5000_e4m3_to_f32(c) :
                             s5000_e5m2_to_f32(c);

                bad += get_code(g.c + (uint64_t)j * 4, 4) != f32_bits(want);
            }
        }
    emu_mma_set_simd(true);
    ok(!bad, "FP8 operands: every E4M3 and E5M2 code reads as its exact float, NaNs with "
       "their sign and every fraction bit, vector and portable decoders (%d differ)", bad);
}

/* Every FP16 code through the operand decoders, vector and portable: 1.0 x b + -0 = b. */
static void test_f16_operands(void)
{
    int bad = 0;

    for (unsigned pass = 0; pass < 2; pass++) {
        emu_mma_set_simd(pass == 0);
        for (unsigned base = 0; base < 0x10000; base += 250) {
            unsigned n = 0x10000 - base < 250 ? 0x10000 - base : 250;
            struct gemm g;
            struct s5000_mma d;

            fake_reset();
            gemm_init(&g, S5000_MMA_F16, S5000_MMA_F16, S5000_MMA_ACC_F32, 1, n, 1);
            gemm_alloc(&g);
            put_code(a_addr(&g, 0, 0), 2, 0x3c00);
            for (unsigned j = 0; j < n; j++) {
                put_code(b_addr(&g, 0, j), 2, base + j);
                put_code(g.c + (uint64_t)j * 4, 4, 0x80000000u);
            }
            d = gemm_desc(&g, 0);
            bad += emu_mma_run(&d, &mem) != 0;
            for (unsigned j = 0; j < n; j++)
                bad += get_code(g.c + (uint64_t)j * 4, 4) !=
                       f32_bits(s5000_f16_to_f32((unsigned short)(base + j)));
        }
    }
    emu_mma_set_simd(true);
    ok(!bad, "FP16 operands: all 65536 codes read as their exact floats, NaNs with their "
       "sign and every fraction bit, vector and portable decoders (%d differ)", bad);
}

/*
 * ZERO: the accumulator's old bits (here garbage, Inf and NaN patterns included)
 * are neither read nor kept: the result is that of an MMA onto zeros.
 */
static void test_zero_flag(unsigned at, unsigned acc)
{
    struct gemm g;
    size_t bytes;
    void *want;
    unsigned reads;
    int rc, rc2;

    fake_reset();
    gemm_init(&g, at, at, acc, 9, 37, S5000_MMA_MAX_K(at));
    g.hopper_bits = acc == S5000_MMA_ACC_HOPPER ? 13 : 0;
    gemm_alloc(&g);
    gemm_fill(&g, false);
    bytes = (size_t)g.m * g.ldc * acc_size(acc);
    rc = gemm_run(&g);
    want = malloc(bytes);
    memcpy(want, c_ptr(&g, 0, 0), bytes);
    for (size_t i = 0; i < bytes; i++)
        ((uint8_t *)c_ptr(&g, 0, 0))[i] = (uint8_t)(0xa5 + i * 0x3b);
    /* The padding past n of each row stays as it was. */
    for (unsigned i = 0; i < g.m; i++)
        memcpy((uint8_t *)want + ((size_t)i * g.ldc + g.n) * acc_size(acc),
               (uint8_t *)c_ptr(&g, i, g.n), (g.ldc - g.n) * acc_size(acc));
    g.flags = S5000_MMA_ZERO;
    reads = fk.reads;
    rc2 = gemm_run(&g);
    reads = fk.reads - reads;
    ok(!rc && !rc2 && !memcmp(want, c_ptr(&g, 0, 0), bytes) &&
       (fk.map || reads == g.m + g.K),
       "ZERO, %s x %s, acc %u%s: the old accumulator is not read (%u row reads), the result "
       "is that onto zeros", type_name(at), type_name(at), acc, variant, reads);
    free(want);
}

/*
 * An FP32 MMA whose B is the accumulator's first rows, in place: all reads come
 * first, so B is the old accumulator, as with copies.
 */
static void test_b_alias(void)
{
    struct gemm g;
    float want[16][40];
    int bad = 0, rc;

    fake_reset();
    fk.map = true;
    gemm_init(&g, S5000_MMA_F32, S5000_MMA_F32, S5000_MMA_ACC_F32, 16, 40, 8);
    gemm_alloc(&g);
    g.ldb = g.ldc;
    g.b = g.c;
    gemm_fill(&g, false);
    for (unsigned i = 0; i < g.m; i++)
        for (unsigned j = 0; j < g.n; j++)
            *(float *)c_ptr(&g, i, j) = rnd_float(-2, 2);
    for (unsigned i = 0; i < g.m; i++)
        for (unsigned j = 0; j < g.n; j++) {
            want[i][j] = *(float *)c_ptr(&g, i, j);
            for (unsigned k = 0; k < g.K; k++)
                want[i][j] = fmaf((float)a_val(&g, i, k), *(float *)c_ptr(&g, k, j),
                                  want[i][j]);
        }
    rc = gemm_run(&g);
    for (unsigned i = 0; i < g.m; i++)
        for (unsigned j = 0; j < g.n; j++)
            bad += f32_bits(*(float *)c_ptr(&g, i, j)) != f32_bits(want[i][j]);
    fk.map = false;
    ok(!rc && !bad, "in place: B that is the accumulator's own rows reads as before the MMA "
       "(%d differ)", bad);
}

/* ----------------------------------------------------------- validation */

static struct s5000_mma valid_mma(uint64_t a, uint64_t b, uint64_t c)
{
    struct s5000_mma d = {
        .op = S5000_MMA_OP_MMA, .a_type = S5000_MMA_E4M3, .b_type = S5000_MMA_E4M3,
        .acc_type = S5000_MMA_ACC_EXACT, .m = 64, .n = 256, .k = 32, .lda = 32, .ldb = 256,
        .ldacc = 256, .a = a, .b = b, .acc = c,
    };

    return d;
}

static struct s5000_mma valid_store(uint64_t c, uint64_t out)
{
    struct s5000_mma d = {
        .op = S5000_MMA_OP_STORE, .acc_type = S5000_MMA_ACC_EXACT, .out_type = S5000_MMA_F32,
        .m = 64, .n = 256, .ldacc = 256, .ldout = 256, .acc = c, .out = out,
    };

    return d;
}

#define BAD_MMA(what, ...) do {                                   \
        struct s5000_mma d = valid_mma(a, b, c);                  \
        __VA_ARGS__;                                              \
        check_bad(&d, what);                                      \
    } while (0)
#define BAD_STORE(what, ...) do {                                 \
        struct s5000_mma d = valid_store(c, out);                 \
        __VA_ARGS__;                                              \
        check_bad(&d, what);                                      \
    } while (0)

static void check_bad(const struct s5000_mma *d, const char *what)
{
    unsigned before = fk.reads + fk.writes;
    int rc = emu_mma_run(d, &mem);

    ok(rc == S5000_KFAULT_BAD_MMA && fk.reads + fk.writes == before,
       "invalid descriptor, %s: S5000_KFAULT_BAD_MMA, no memory touched (rc %d)", what, rc);
}

static void test_invalid(void)
{
    uint64_t a, b, c, out;

    fake_reset();
    a = fake_alloc(64 * 32 * 8);
    b = fake_alloc(32 * 256 * 8);
    c = fake_alloc(64 * 256 * 16);
    out = fake_alloc(64 * 256 * 8);
    {
        struct s5000_mma d = valid_mma(a, b, c), s = valid_store(c, out);

        ok(!emu_mma_run(&d, &mem) && !emu_mma_run(&s, &mem),
           "the base descriptors of the invalid cases are valid");
    }
    BAD_MMA("op 0", d.op = 0);
    BAD_MMA("op 3", d.op = 3);
    BAD_MMA("a_type 0", d.a_type = 0);
    BAD_MMA("a_type 8", d.a_type = 8);
    BAD_MMA("b_type 9", d.b_type = 9);
    BAD_MMA("F16 x BF16", d.a_type = S5000_MMA_F16; d.b_type = S5000_MMA_BF16; d.k = 16);
    BAD_MMA("E4M3 x F16", d.b_type = S5000_MMA_F16; d.k = 16);
    BAD_MMA("acc_type 0", d.acc_type = 0);
    BAD_MMA("acc_type 5", d.acc_type = 5);
    BAD_MMA("EXACT with BF16", d.a_type = d.b_type = S5000_MMA_BF16; d.k = 16);
    BAD_MMA("EXACT with F32", d.a_type = d.b_type = S5000_MMA_F32; d.k = 8);
    BAD_MMA("F64 acc with F32", d.a_type = d.b_type = S5000_MMA_F32; d.k = 8;
            d.acc_type = S5000_MMA_ACC_F64);
    BAD_MMA("F32 acc with F64", d.a_type = d.b_type = S5000_MMA_F64; d.k = 4;
            d.acc_type = S5000_MMA_ACC_F32);
    BAD_MMA("HOPPER with F16", d.a_type = d.b_type = S5000_MMA_F16; d.k = 16;
            d.acc_type = S5000_MMA_ACC_HOPPER; d.hopper_bits = 13);
    BAD_MMA("m 0", d.m = 0);
    BAD_MMA("m 65", d.m = 65);
    BAD_MMA("n 0", d.n = 0);
    BAD_MMA("n 257", d.n = 257; d.ldb = 257; d.ldacc = 257);
    BAD_MMA("k 0", d.k = 0);
    BAD_MMA("k 33 for FP8", d.k = 33; d.lda = 33);
    BAD_MMA("k 17 for F16", d.a_type = d.b_type = S5000_MMA_F16; d.k = 17; d.lda = 17);
    BAD_MMA("k 9 for TF32", d.a_type = d.b_type = S5000_MMA_TF32; d.k = 9; d.lda = 9;
            d.acc_type = S5000_MMA_ACC_F32);
    BAD_MMA("k 5 for F64", d.a_type = d.b_type = S5000_MMA_F64; d.k = 5; d.lda = 5;
            d.acc_type = S5000_MMA_ACC_F64);
    BAD_MMA("lda < k", d.lda = 31);
    BAD_MMA("ldb < n", d.ldb = 255);
    BAD_MMA("ldb < k with B_TRANS", d.flags = S5000_MMA_B_TRANS; d.ldb = 31);
    BAD_MMA("ldacc < n", d.ldacc = 255);
    BAD_MMA("pad", d.pad = 1);
    BAD_MMA("unknown flag", d.flags = 1u << 8);
    BAD_MMA("PROMOTE without HOPPER", d.flags = S5000_MMA_PROMOTE);
    BAD_MMA("FLOOR without HOPPER", d.flags = S5000_MMA_FLOOR);
    BAD_MMA("CLEAR on MMA", d.flags = S5000_MMA_CLEAR);
    BAD_MMA("ACCUMULATE on MMA", d.flags = S5000_MMA_ACCUMULATE);
    BAD_MMA("SCALE_A_ROWS on MMA", d.flags = S5000_MMA_SCALE_A_ROWS);
    BAD_MMA("hopper_bits without HOPPER", d.hopper_bits = 13);
    BAD_MMA("HOPPER with hopper_bits 0", d.acc_type = S5000_MMA_ACC_HOPPER);
    BAD_MMA("HOPPER with hopper_bits 32", d.acc_type = S5000_MMA_ACC_HOPPER;
            d.hopper_bits = 32);
    BAD_MMA("out_type on MMA", d.out_type = S5000_MMA_F32);
    BAD_MMA("out on MMA", d.out = out);
    BAD_MMA("ldout on MMA", d.ldout = 256);
    BAD_MMA("scale_a on MMA", d.scale_a = out);
    BAD_MMA("scale_b on MMA", d.scale_b = out);
    BAD_STORE("out_type 0", d.out_type = 0);
    BAD_STORE("out_type E4M3", d.out_type = S5000_MMA_E4M3);
    BAD_STORE("out_type TF32", d.out_type = S5000_MMA_TF32);
    BAD_STORE("acc_type 0", d.acc_type = 0);
    BAD_STORE("ldout < n", d.ldout = 255);
    BAD_STORE("ldacc < n", d.ldacc = 255);
    BAD_STORE("m 65", d.m = 65);
    BAD_STORE("B_TRANS on STORE", d.flags = S5000_MMA_B_TRANS);
    BAD_STORE("PROMOTE on STORE", d.flags = S5000_MMA_PROMOTE);
    BAD_STORE("ZERO on STORE", d.flags = S5000_MMA_ZERO);
    BAD_STORE("SCALE_A_ROWS without scale_a", d.flags = S5000_MMA_SCALE_A_ROWS);
    BAD_STORE("SCALE_B_BLOCKS without scale_b", d.flags = S5000_MMA_SCALE_B_BLOCKS);
    BAD_STORE("k on STORE", d.k = 1);
    BAD_STORE("a on STORE", d.a = a);
    BAD_STORE("b on STORE", d.b = b);
    BAD_STORE("a_type on STORE", d.a_type = S5000_MMA_E4M3);
    BAD_STORE("lda on STORE", d.lda = 32);
    BAD_STORE("hopper_bits on STORE", d.hopper_bits = 13);
    BAD_STORE("pad on STORE", d.pad = 0x8000);
}

/* --------------------------------------------------------- memory faults */

static void test_faults(void)
{
    struct gemm g;
    uint64_t out, sb;
    uint8_t *before = malloc(64 * 300 * 16);
    size_t out_bytes = 64 * 300 * 4, acc_bytes;
    int rc;

    fake_reset();
    gemm_init(&g, S5000_MMA_E4M3, S5000_MMA_E4M3, S5000_MMA_ACC_EXACT, 64, 256, 32);
    gemm_alloc(&g);
    gemm_fill(&g, false);
    acc_bytes = (size_t)64 * g.ldc * 16;
    out = fake_alloc(out_bytes);
    sb = fake_alloc(4);
    rc = gemm_run(&g);
    ok(!rc && fk.reads == 64 + 32 + 64 && fk.writes == 64,
       "MMA reads A, B and the accumulator one row per call and writes one per row "
       "(%u reads, %u writes)", fk.reads, fk.writes);

    memcpy(before, host(g.c), acc_bytes);
    /* The last accumulator row cannot be read: nothing may be written. */
    fk.bad_lo = g.c + (uint64_t)63 * g.ldc * 16;
    fk.bad_hi = fk.bad_lo + 1;
    fk.writes = 0;
    rc = gemm_run(&g);
    ok(rc == -1 && !fk.writes && !memcmp(before, host(g.c), acc_bytes),
       "MMA: a failed read of the last accumulator row -> -1, accumulator untouched");

    memset(host(out), 0x5a, out_bytes);
    fk.bad_lo = sb;
    fk.bad_hi = sb + 4;
    fk.writes = 0;
    rc = gemm_store(&g, S5000_MMA_F32, out, 300, S5000_MMA_CLEAR, 0, sb);
    ok(rc == -1 && !fk.writes && !memcmp(before, host(g.c), acc_bytes) &&
       ((uint8_t *)host(out))[0] == 0x5a && ((uint8_t *)host(out))[out_bytes - 1] == 0x5a,
       "STORE: a failed read of scale_b -> -1, out and accumulator untouched");

    fk.bad_lo = out + (uint64_t)63 * 300 * 4;
    fk.bad_hi = fk.bad_lo + 1;
    rc = gemm_store(&g, S5000_MMA_F32, out, 300, S5000_MMA_ACCUMULATE, 0, 0);
    ok(rc == -1 && ((uint8_t *)host(out))[0] == 0x5a,
       "STORE ACCUMULATE: a failed read of the last out row -> -1, out untouched");

    fk.bad_lo = sb;
    fk.bad_hi = sb + 4;
    rc = gemm_store(&g, S5000_MMA_F32, out, 300, S5000_MMA_SCALE_A_ROWS, sb, 0);
    ok(rc == -1 && ((uint8_t *)host(out))[0] == 0x5a,
       "STORE: a failed read of the row scales -> -1, out untouched");

    fk.bad_lo = out + 4 * 300 * 4;
    fk.bad_hi = fk.bad_lo + 1;
    rc = gemm_store(&g, S5000_MMA_F32, out, 300, 0, 0, 0);
    fk.bad_lo = g.c + 5 * g.ldc * 16;
    fk.bad_hi = fk.bad_lo + 1;
    fk.bad_writes_only = true;
    ok(rc == -1 && gemm_store(&g, S5000_MMA_F32, out, 300, S5000_MMA_CLEAR, 0, 0) == -1,
       "STORE: a failed write of out, or of the cleared accumulator -> -1");
    free(before);
}

int main(int argc, char **argv)
{
    fk.buf = calloc(1, FAKE_SIZE);
    if (!fk.buf)
        return 2;
    test_vectors(argc, argv);
    test_fp8_decode();
    test_f16_bf16_decode();
    test_random_conversions();
    test_exact();
    test_exact_rounding();
    test_exact_rounding_row();
    test_exact_specials();
    test_exact_limits();
    test_scales(S5000_MMA_F32, 0);
    test_scales(S5000_MMA_F32, S5000_MMA_SCALE_A_ROWS | S5000_MMA_SCALE_B_BLOCKS |
                S5000_MMA_CLEAR);
    test_scales(S5000_MMA_F16, S5000_MMA_SCALE_A_ROWS);
    test_scales(S5000_MMA_BF16, S5000_MMA_SCALE_B_BLOCKS);
    test_scales(S5000_MMA_F64, S5000_MMA_SCALE_A_ROWS | S5000_MMA_SCALE_B_BLOCKS);
    test_scales(S5000_MMA_F32, S5000_MMA_SCALE_A_ROWS | S5000_MMA_ACCUMULATE);
    test_scales(S5000_MMA_F16, S5000_MMA_ACCUMULATE);
    test_scales(S5000_MMA_F64, S5000_MMA_ACCUMULATE | S5000_MMA_CLEAR);
    test_float_acc(S5000_MMA_F32, S5000_MMA_ACC_F32, 256);
    test_float_acc(S5000_MMA_TF32, S5000_MMA_ACC_F32, 256);
    test_float_acc(S5000_MMA_BF16, S5000_MMA_ACC_F32, 256);
    test_float_acc(S5000_MMA_F16, S5000_MMA_ACC_F32, 256);
    test_float_acc(S5000_MMA_E5M2, S5000_MMA_ACC_F32, 256);
    test_float_acc(S5000_MMA_F64, S5000_MMA_ACC_F64, 256);
    test_tf32_ignores_low_bits();
    test_hopper_model(S5000_MMA_E4M3, S5000_MMA_E4M3, 13, 0, 0);
    test_hopper_model(S5000_MMA_E4M3, S5000_MMA_E5M2, 13, S5000_MMA_FLOOR, 4);
    test_hopper_model(S5000_MMA_E5M2, S5000_MMA_E5M2, 20, 0, 2);
    test_hopper_probe();
    test_hopper_promotion();
    test_hopper_specials();
    test_in_place();
    test_fp8_operands();
    test_f16_operands();
    for (int map = 0; map < 2; map++) {
        fk.map = map;
        variant = map ? ", in place" : "";
        test_zero_flag(S5000_MMA_E4M3, S5000_MMA_ACC_EXACT);
        test_zero_flag(S5000_MMA_F16, S5000_MMA_ACC_EXACT);
        test_zero_flag(S5000_MMA_F32, S5000_MMA_ACC_F32);
        test_zero_flag(S5000_MMA_F64, S5000_MMA_ACC_F64);
        test_zero_flag(S5000_MMA_E5M2, S5000_MMA_ACC_HOPPER);
    }
    fk.map = false;
    variant = "";
    test_b_alias();
    test_invalid();
    test_faults();
    free(fk.buf);
    return tap_done();
}
