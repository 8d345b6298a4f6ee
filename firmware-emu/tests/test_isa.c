// SPDX-License-Identifier: MIT
/*
 * Tests of the compute units through KERNEL_LAUNCH on the device core (no QEMU):
 * every RV64IMAFD instruction class, the special registers, barriers, divergence,
 * warp collectives, atomics under contention, each kernel fault, and isolation
 * between contexts. The kernels are in tests/isa/ (assembly, and C compiled by
 * clang); the F and D tests are in isa_fp_tests.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isa_fixture.h"
#include "isa_tests.h"
#include "tap.h"

#define COMPUTE_THREADS 4

static struct isa t;

/* ---------------------------------------------------------------- helpers */

/* Kernel arguments: n doublewords in device memory. */
static uint64_t args(unsigned int n, const uint64_t *values)
{
    uint64_t va = isa_alloc(&t, 8ull * n);

    memcpy(isa_ptr(&t, va), values, 8ull * n);
    return va;
}

#define ARGS(...) args(sizeof((uint64_t[]){ __VA_ARGS__ }) / 8, (uint64_t[]){ __VA_ARGS__ })

/* Whether a launch on queue 0 completed; if not, says how, and makes the queue usable. */
static bool launched(struct isa_result r)
{
    if (r.timed_out || r.error) {
        printf("# launch: state %u error %u kind %u access %u addr 0x%llx pc 0x%llx%s\n",
               r.state, r.error, r.kind, r.access, (unsigned long long)r.addr,
               (unsigned long long)r.pc, r.timed_out ? " (timed out)" : "");
        isa_restart(&t, 0);
        return false;
    }
    return true;
}

static struct isa_result run1(const char *kernel, uint32_t grid, uint16_t block, uint64_t kernarg)
{
    struct isa_launch l = { .kernel = kernel, .grid = { grid }, .block = { block },
                            .kernarg = kernarg };

    return isa_run(&t, 0, &l);
}

uint64_t isa_test_rng(void)
{
    static uint64_t state = 0x9e3779b97f4a7c15ull;

    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static uint64_t sext32(uint64_t v)
{
    return (uint64_t)(int64_t)(int32_t)v;
}

/* ------------------------------------------------------------------ smoke */

static void test_counts(void)
{
    enum { BLOCKS = 5, THREADS = 200 };
    uint64_t out = isa_alloc(&t, 8 * BLOCKS * THREADS), *o = isa_ptr(&t, out);
    uint64_t warp0, thread0, warp1, thread1;
    unsigned int wrong = 0;
    char line[768];
    bool good;

    emu_compute_counts(&t.dev.compute, &warp0, &thread0);
    good = launched(run1("isa_store_tid", BLOCKS, THREADS, ARGS(out)));
    emu_compute_counts(&t.dev.compute, &warp1, &thread1);
    for (unsigned int i = 0; i < BLOCKS * THREADS; i++)
        wrong += o[i] != i;
    ok(good && !wrong, "out[i] = i from %d blocks of %d threads", BLOCKS, THREADS);
    /* isa_store_tid is 10 instructions; blocks of 200 threads are 7 warps. */
    ok(thread1 - thread0 == 10 * BLOCKS * THREADS && warp1 - warp0 == 10 * BLOCKS * 7,
       "the compute units counted %llu thread and %llu warp instructions",
       (unsigned long long)(thread1 - thread0), (unsigned long long)(warp1 - warp0));
    emu_device_format_counters(&t.dev, line, sizeof(line));
    ok(strstr(line, " thread_instructions=") != NULL, "... and report them in the counters");
}

/* --------------------------------------------------------------- integer */

static const uint64_t specials[] = {
    0, 1, 2, UINT64_MAX, UINT64_MAX - 1, 0x7fffffffffffffffull, 0x8000000000000000ull,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 31, 32, 63, 64, 0xffffffff80000000ull,
};
#define NSPECIAL (sizeof(specials) / sizeof(specials[0]))
#define NPAIRS (NSPECIAL * NSPECIAL + 64)

static uint64_t div_s(int64_t a, int64_t b)
{
    return b == 0 ? UINT64_MAX : (a == INT64_MIN && b == -1) ? (uint64_t)a : (uint64_t)(a / b);
}

static uint64_t rem_s(int64_t a, int64_t b)
{
    return b == 0 ? (uint64_t)a : (a == INT64_MIN && b == -1) ? 0 : (uint64_t)(a % b);
}

static uint64_t reference(const char *op, uint64_t a, uint64_t b)
{
    int32_t a32 = (int32_t)a, b32 = (int32_t)b;
    uint32_t ua = (uint32_t)a, ub = (uint32_t)b;

    if (!strcmp(op, "add"))    return a + b;
    if (!strcmp(op, "sub"))    return a - b;
    if (!strcmp(op, "sll"))    return a << (b & 63);
    if (!strcmp(op, "slt"))    return (int64_t)a < (int64_t)b;
    if (!strcmp(op, "sltu"))   return a < b;
    if (!strcmp(op, "xor"))    return a ^ b;
    if (!strcmp(op, "srl"))    return a >> (b & 63);
    if (!strcmp(op, "sra"))    return (uint64_t)((int64_t)a >> (b & 63));
    if (!strcmp(op, "or"))     return a | b;
    if (!strcmp(op, "and"))    return a & b;
    if (!strcmp(op, "addw"))   return sext32(a + b);
    if (!strcmp(op, "subw"))   return sext32(a - b);
    if (!strcmp(op, "sllw"))   return sext32(ua << (b & 31));
    if (!strcmp(op, "srlw"))   return sext32(ua >> (b & 31));
    if (!strcmp(op, "sraw"))   return sext32((uint32_t)(a32 >> (b & 31)));
    if (!strcmp(op, "mul"))    return a * b;
    if (!strcmp(op, "mulh"))   return (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64);
    if (!strcmp(op, "mulhsu")) return (uint64_t)(((__int128)(int64_t)a * (__int128)b) >> 64);
    if (!strcmp(op, "mulhu"))  return (uint64_t)(((unsigned __int128)a * b) >> 64);
    if (!strcmp(op, "div"))    return div_s((int64_t)a, (int64_t)b);
    if (!strcmp(op, "divu"))   return b ? a / b : UINT64_MAX;
    if (!strcmp(op, "rem"))    return rem_s((int64_t)a, (int64_t)b);
    if (!strcmp(op, "remu"))   return b ? a % b : a;
    if (!strcmp(op, "mulw"))   return sext32(a * b);
    if (!strcmp(op, "divw") && b32 == 0)
        return UINT64_MAX;
    if (!strcmp(op, "divw"))
        return a32 == INT32_MIN && b32 == -1 ? sext32(ua) : sext32((uint32_t)(a32 / b32));
    if (!strcmp(op, "divuw"))  return ub ? sext32(ua / ub) : UINT64_MAX;
    if (!strcmp(op, "remw") && b32 == 0)
        return sext32(ua);
    if (!strcmp(op, "remw"))
        return a32 == INT32_MIN && b32 == -1 ? 0 : sext32((uint32_t)(a32 % b32));
    if (!strcmp(op, "remuw"))  return ub ? sext32(ua % ub) : sext32(ua);
    abort();
}

static void test_int_binops(void)
{
    static const char *const ops[] = {
        "add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "addw", "subw",
        "sllw", "srlw", "sraw", "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem",
        "remu", "mulw", "divw", "divuw", "remw", "remuw",
    };
    uint64_t a = isa_alloc(&t, 8 * NPAIRS), b = isa_alloc(&t, 8 * NPAIRS);
    uint64_t out = isa_alloc(&t, 8 * NPAIRS);
    uint64_t *ap = isa_ptr(&t, a), *bp = isa_ptr(&t, b), *op = isa_ptr(&t, out);
    uint64_t kernarg = ARGS(a, b, out, NPAIRS);

    for (unsigned int i = 0; i < NPAIRS; i++) {
        ap[i] = i < NSPECIAL * NSPECIAL ? specials[i / NSPECIAL] : isa_test_rng();
        bp[i] = i < NSPECIAL * NSPECIAL ? specials[i % NSPECIAL] : isa_test_rng() >> (i % 64);
    }
    for (unsigned int k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        char kernel[32];
        unsigned int wrong = 0, first = 0;
        bool good;

        snprintf(kernel, sizeof(kernel), "isa_op_%s", ops[k]);
        memset(op, 0xa5, 8 * NPAIRS);
        good = launched(run1(kernel, 3, 128, kernarg));
        for (unsigned int i = 0; i < NPAIRS; i++) {
            if (op[i] != reference(ops[k], ap[i], bp[i]) && !wrong++)
                first = i;
        }
        if (wrong)
            printf("# %s(0x%llx, 0x%llx) = 0x%llx, want 0x%llx\n", ops[k],
                   (unsigned long long)ap[first], (unsigned long long)bp[first],
                   (unsigned long long)op[first],
                   (unsigned long long)reference(ops[k], ap[first], bp[first]));
        ok(good && !wrong, "%s over %u operand pairs (%u wrong)", ops[k], (unsigned int)NPAIRS,
           wrong);
    }
}

static void test_int_imm(void)
{
    enum { N = 64, K = 18 };
    uint64_t a = isa_alloc(&t, 8 * N), out = isa_alloc(&t, 8 * N * K);
    uint64_t *ap = isa_ptr(&t, a), *op = isa_ptr(&t, out);
    unsigned int wrong = 0;
    bool good;

    for (unsigned int i = 0; i < N; i++)
        ap[i] = i < NSPECIAL ? specials[i] : isa_test_rng();
    good = launched(run1("isa_int_imm", 1, N, ARGS(a, out, N)));
    for (unsigned int i = 0; i < N; i++) {
        uint64_t x = ap[i], *o = op + K * i;
        uint64_t want[K] = {
            x - 2048, x + 2047, (int64_t)x < -1, x < UINT64_MAX, ~x, x | 0x555,
            x & ~0xffull, x << 63, x >> 63, (uint64_t)((int64_t)x >> 63), x << 1,
            (uint64_t)((int64_t)x >> 7), sext32(x + 1), sext32((uint32_t)x << 31),
            sext32((uint32_t)x >> 31), sext32((uint32_t)((int32_t)x >> 31)), x >> 1, sext32(x),
        };

        for (unsigned int k = 0; k < K; k++) {
            if (o[k] != want[k] && !wrong++)
                printf("# immediate op %u of 0x%llx: 0x%llx, want 0x%llx\n", k,
                       (unsigned long long)x, (unsigned long long)o[k],
                       (unsigned long long)want[k]);
        }
    }
    ok(good && !wrong, "addi slti sltiu xori ori andi slli srli srai and the W forms (%u wrong)",
       wrong);
}

static void test_lui_auipc(void)
{
    uint64_t out = isa_alloc(&t, 8 * 5), *o = isa_ptr(&t, out);

    memset(o, 0xa5, 8 * 5);
    ok(launched(run1("isa_lui_auipc", 1, 1, ARGS(out))) && o[0] == 0xffffffff80000000ull &&
       o[1] == 0x7ffff000 && o[2] == isa_symbol(&t, "isa_auipc0") &&
       o[3] == isa_symbol(&t, "isa_auipc1") - 0x1000 && o[4] == 0,
       "lui sign-extends, auipc adds the pc, writes to x0 are dropped");
}

/* ---------------------------------------------------------------- memory */

static void test_loads(void)
{
    uint64_t buf = isa_alloc(&t, 16), out = isa_alloc(&t, 8 * 38);
    uint8_t *b = isa_ptr(&t, buf);
    uint64_t *o = isa_ptr(&t, out), want[38];
    unsigned int n = 0;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    bool same;

    for (unsigned int i = 0; i < 16; i++)
        b[i] = (uint8_t)(i % 2 ? 0x80 + 17 * i : 0x11 * i);
    for (unsigned int off = 0; off < 8; off++) {
        i8 = (int8_t)b[off];
        want[n++] = (uint64_t)(int64_t)i8;
        want[n++] = b[off];
    }
    for (unsigned int off = 0; off < 8; off += 2) {
        memcpy(&i16, b + off, 2);
        memcpy(&u16, b + off, 2);
        want[n++] = (uint64_t)(int64_t)i16;
        want[n++] = u16;
    }
    for (unsigned int off = 0; off < 8; off += 4) {
        memcpy(&i32, b + off, 4);
        memcpy(&u32, b + off, 4);
        want[n++] = (uint64_t)(int64_t)i32;
        want[n++] = u32;
    }
    memcpy(&want[n++], b, 8);
    memcpy(&want[n++], b + 8, 8);
    i8 = (int8_t)b[15];
    want[n++] = (uint64_t)(int64_t)i8;
    memcpy(&i16, b + 14, 2);
    want[n++] = (uint64_t)(int64_t)i16;
    memcpy(&i32, b + 12, 4);
    want[n++] = (uint64_t)(int64_t)i32;
    memcpy(&u64, b + 8, 8);
    want[n++] = u64;
    same = launched(run1("isa_loads", 1, 1, ARGS(buf, out))) && memcmp(o, want, 8 * n) == 0;
    ok(same, "lb lbu lh lhu lw lwu ld: every width, sign and offset");
}

static void test_stores(void)
{
    const uint64_t v = 0x8877665544332211ull;
    uint64_t buf = isa_alloc(&t, 48);
    uint8_t *b = isa_ptr(&t, buf), want[48] = { 0 };

    memcpy(want + 0, &v, 1);
    memcpy(want + 2, &v, 2);
    memcpy(want + 4, &v, 4);
    memcpy(want + 8, &v, 8);
    memcpy(want + 17, &v, 1);
    memcpy(want + 22, &v, 2);
    memcpy(want + 28, &v, 4);
    memcpy(want + 32, &v, 8);
    ok(launched(run1("isa_stores", 1, 1, ARGS(buf, v))) && memcmp(b, want, 48) == 0,
       "sb sh sw sd: every width, negative offsets, nothing else touched");
}

/* --------------------------------------------------------------- control */

static void test_branches(void)
{
    uint64_t a = isa_alloc(&t, 8 * NPAIRS), b = isa_alloc(&t, 8 * NPAIRS);
    uint64_t out = isa_alloc(&t, 8 * NPAIRS);
    uint64_t *ap = isa_ptr(&t, a), *bp = isa_ptr(&t, b), *op = isa_ptr(&t, out);
    unsigned int wrong = 0;
    bool good;

    for (unsigned int i = 0; i < NPAIRS; i++) {
        ap[i] = i < NSPECIAL * NSPECIAL ? specials[i / NSPECIAL] : isa_test_rng() % 4;
        bp[i] = i < NSPECIAL * NSPECIAL ? specials[i % NSPECIAL] : isa_test_rng() % 4;
    }
    good = launched(run1("isa_branches", 3, 128, ARGS(a, b, out, NPAIRS)));
    for (unsigned int i = 0; i < NPAIRS; i++) {
        uint64_t x = ap[i], y = bp[i];
        uint64_t want = (x == y) | (x != y) << 1 | ((int64_t)x < (int64_t)y) << 2 |
                        ((int64_t)x >= (int64_t)y) << 3 | (x < y) << 4 | (x >= y) << 5;

        wrong += op[i] != want;
    }
    ok(good && !wrong, "beq bne blt bge bltu bgeu, lanes diverging (%u wrong)", wrong);
}

static void test_jumps(void)
{
    enum { N = 96 };
    uint64_t out = isa_alloc(&t, 16 * N), *o = isa_ptr(&t, out);
    static const uint64_t picked[3] = { 11, 22, 33 };
    unsigned int wrong = 0;
    bool good = launched(run1("isa_jumps", 1, N, ARGS(out)));

    for (unsigned int i = 0; i < N; i++)
        wrong += o[i] != 2000 * i + picked[i % 3] || o[N + i] != 0;
    ok(good && !wrong, "jal and jalr: link registers, tables of targets, bit 0 cleared (%u wrong)",
       wrong);
}

/* --------------------------------------------------------------- atomics */

static void test_amo(void)
{
    uint64_t mem = isa_alloc(&t, 16), out = isa_alloc(&t, 8 * 24);
    uint64_t *m = isa_ptr(&t, mem), *o = isa_ptr(&t, out);
    static const uint64_t want[24] = {
        0xffffffff80000000ull, 0xffffffff80000001ull, 5, 6, 4, 5, UINT64_MAX - 6, 3, 3,
        UINT64_MAX,                                     /* final word, sign-extended */
        0x8000000000000000ull, 0x7fffffffffffffffull, 1, 1, UINT64_MAX - 1, 7, 0xf8,
        0, 1, 1,                                        /* sc: success, no reservation, changed */
        0xffffffffffffffffull, 1, 1, 101,
    };

    m[0] = 0x80000000;
    m[1] = 0x8000000000000000ull;
    ok(launched(run1("isa_amo", 1, 1, ARGS(mem, out))) && memcmp(o, want, sizeof(want)) == 0,
       "AMO*.W and .D old values and results (sign, min/max signed and unsigned); LR/SC");
    if (memcmp(o, want, sizeof(want)))
        for (unsigned int i = 0; i < 24; i++)
            if (o[i] != want[i])
                printf("# amo out[%u] = 0x%llx, want 0x%llx\n", i, (unsigned long long)o[i],
                       (unsigned long long)want[i]);
}

static void test_contention(void)
{
    enum { BLOCKS = 48, THREADS = 96, ITER = 50 };
    uint64_t c = isa_alloc(&t, 32), *cp = isa_ptr(&t, c);
    const uint64_t total = (uint64_t)BLOCKS * THREADS * ITER;
    bool good = launched(run1("isa_contention", BLOCKS, THREADS, ARGS(c, ITER)));

    ok(good && cp[0] == total && cp[1] == total && (uint32_t)cp[2] == (uint32_t)total &&
       cp[3] == BLOCKS * THREADS - 1,
       "%u threads on %d compute threads: amoadd %llu, lr/sc %llu, amoadd.w %llu, amomax %llu",
       BLOCKS * THREADS, COMPUTE_THREADS, (unsigned long long)cp[0],
       (unsigned long long)cp[1], (unsigned long long)(uint32_t)cp[2],
       (unsigned long long)cp[3]);
}

static void test_shared_atomics(void)
{
    enum { BLOCKS = 6, THREADS = 200 };
    uint64_t out = isa_alloc(&t, 8 * BLOCKS), *o = isa_ptr(&t, out);
    struct isa_launch l = { .kernel = "isa_shared_atomics", .grid = { BLOCKS },
                            .block = { THREADS }, .kernarg = ARGS(out), .shared_bytes = 16 };
    unsigned int wrong = 0;
    bool good = launched(isa_run(&t, 0, &l));

    for (unsigned int b = 0; b < BLOCKS; b++)
        wrong += o[b] != (THREADS | (uint64_t)2 * THREADS << 32);
    ok(good && !wrong, "AMOs and LR/SC on shared memory, per block (%u wrong)", wrong);
}

static void test_warp_lock(void)
{
    enum { BLOCKS = 3, THREADS = 64 };
    uint64_t lock = isa_alloc(&t, 8), counter = isa_alloc(&t, 8);
    uint64_t *c = isa_ptr(&t, counter);
    struct isa_launch l = { .kernel = "isa_warp_lock", .grid = { BLOCKS }, .block = { THREADS },
                            .kernarg = ARGS(lock, counter), .timeout_ms = 20000 };
    bool good = launched(isa_run(&t, 0, &l));

    ok(good && *c == BLOCKS * THREADS, "a spin lock between the lanes of a warp: %llu of %d "
       "critical sections", (unsigned long long)*c, BLOCKS * THREADS);
}

/* ------------------------------------------------------------------ CSRs */

static void test_csrs(void)
{
    enum { V = 22 };
    const uint32_t threads = 64, blocks = 12, dyn = 100;
    uint64_t out = isa_alloc(&t, 8ull * V * threads * blocks), *o = isa_ptr(&t, out);
    struct isa_launch l = { .kernel = "isa_csrs", .grid = { 3, 2, 2 }, .block = { 8, 4, 2 },
                            .kernarg = out, .shared_bytes = dyn };
    uint64_t before = emu_timestamp_now(), after;
    uint32_t dyn_off = (t.tls_size + 15) / 16 * 16;
    unsigned int wrong = 0;
    bool good = launched(isa_run(&t, 0, &l));

    after = emu_timestamp_now();
    for (uint32_t b = 0; b < blocks; b++) {
        for (uint32_t i = 0; i < threads; i++) {
            const uint64_t *v = o + (uint64_t)V * (b * threads + i);
            uint64_t want[19] = {
                i % 8, i / 8 % 4, i / 32, 8, 4, 2, b % 3, b / 3 % 2, b / 6, 3, 2, 2,
                i % 32, i / 32, 2, 0, dyn, dyn_off + dyn, dyn_off,
            };

            for (unsigned int k = 0; k < 19; k++) {
                if (k == 15)
                    want[k] = v[15] < COMPUTE_THREADS ? v[15] : ~v[15];    /* SMID */
                if (v[k] != want[k] && !wrong++)
                    printf("# block %u thread %u value %u: %llu, want %llu\n", b, i, k,
                           (unsigned long long)v[k], (unsigned long long)want[k]);
            }
            wrong += v[19] != 4 || v[20] != 1 || v[21] < before || v[21] > after;
        }
    }
    ok(good && !wrong, "special registers of 768 threads in 3x2x2 blocks of 8x4x2; instret, "
       "cycle, time (%u wrong)", wrong);
}

static void test_fcsr(void)
{
    uint64_t out = isa_alloc(&t, 8 * 6), *o = isa_ptr(&t, out);
    static const uint64_t want[6] = { 0x60, 0x75, 0x75, 7, 0x1f, 0xfc };

    ok(launched(run1("isa_fcsr", 1, 1, out)) && memcmp(o, want, sizeof(want)) == 0,
       "fcsr, frm, fflags through csrrw/csrrs/csrrc and their immediate forms");
}

/* ------------------------------------------------------------------ SIMT */

static void test_barrier_reduction(void)
{
    enum { BLOCKS = 8, N = 256 * BLOCKS };
    uint64_t in = isa_alloc(&t, 4 * N), sums = isa_alloc(&t, 8 * BLOCKS);
    uint32_t *ip = isa_ptr(&t, in);
    uint64_t *sp = isa_ptr(&t, sums);
    unsigned int wrong = 0;
    bool good;

    for (unsigned int i = 0; i < N; i++)
        ip[i] = (uint32_t)isa_test_rng();
    good = launched(run1("isa_block_sum", BLOCKS, 256, ARGS(in, sums)));
    for (unsigned int b = 0; b < BLOCKS; b++) {
        uint64_t want = 0;

        for (unsigned int i = 0; i < 256; i++)
            want += ip[256 * b + i];
        wrong += sp[b] != want;
    }
    ok(good && !wrong, "shared-memory tree reduction with barriers, 8 blocks of 256 (C)");
}

static void test_bar_reduce(void)
{
    enum { N = 100 };
    uint64_t out = isa_alloc(&t, 32 * N), *o = isa_ptr(&t, out);
    unsigned int wrong = 0;
    bool good = launched(run1("isa_bar_reduce", 1, N, out));

    for (unsigned int i = 0; i < N; i++)
        wrong += o[4 * i] != 34 || o[4 * i + 1] != 1 || o[4 * i + 2] != 1 || o[4 * i + 3] != 0;
    ok(good && !wrong, "BAR_POPC, BAR_AND, BAR_OR over 100 threads in a partial warp");
}

static void test_divergence(void)
{
    enum { N = 64, V = 8 };
    uint64_t out = isa_alloc(&t, 8 * V * N), *o = isa_ptr(&t, out);
    unsigned int wrong = 0;
    bool good = launched(run1("isa_diverge", 1, N, out));

    for (unsigned int i = 0; i < N; i++) {
        unsigned int lane = i % 32;
        const uint64_t *v = o + V * i;

        wrong += v[0] != (lane & 1 ? 0xaaaaaaaaull : 0x55555555ull | 1ull << 32);
        wrong += v[1] != 0xffffffff || v[3] != 0xffffffff || v[6] != 0xffffffff;
        /* In iteration k = lane / 2 of the loop, the lanes still in it are those above k. */
        if (lane > 0) {
            uint64_t looping = 0;

            for (unsigned int l = 0; l < 32; l++)
                looping |= (uint64_t)(l > lane / 2) << l;
            wrong += v[2] != looping;
        }
        if (lane < 16) {
            wrong += v[4] != (lane % 4 == 0 ? 0x1111 : 0xeeee | 2ull << 32);
            wrong += v[5] != 0xffff;
        } else {
            wrong += v[5] != (0xffff0000 | 3ull << 32);
        }
        wrong += v[7] != (uint64_t)lane * (lane - 1) / 2;
    }
    ok(good && !wrong, "if/else, loops of different lengths, nested branches: masks inside, "
       "reconverged after (%u wrong)", wrong);
}

static void test_divergent_calls(void)
{
    enum { N = 64 };
    uint64_t out = isa_alloc(&t, 16 * N), *o = isa_ptr(&t, out);
    unsigned int wrong = 0;
    bool good = launched(run1("isa_diverge_calls", 1, N, out));

    for (uint64_t i = 0; i < N; i++) {
        uint64_t want[4] = { i + 1, i * 2, i * i, i - 7 };

        wrong += o[2 * i] != want[i % 4] || o[2 * i + 1] != 0xffffffff;
    }
    ok(good && !wrong, "calls through a table of 4 functions: jalr with 4 targets, reconverged");
}

static void test_loop_calls(void)
{
    enum { N = 64 };
    uint64_t out = isa_alloc(&t, 16 * N), *o = isa_ptr(&t, out);
    unsigned int wrong = 0;
    bool good = launched(run1("isa_loop_calls", 1, N, out));

    for (uint64_t i = 0; i < N; i++) {
        uint64_t lane = i % 32;

        wrong += o[2 * i] != 3 * lane * (lane + 1) / 2 + lane + 1 || o[2 * i + 1] != 0xffffffff;
    }
    ok(good && !wrong, "direct calls (jalr ra, ra) in loops of different lengths: the lanes "
       "reconverge after (%u wrong)", wrong);
}

static void test_partial_exit(void)
{
    enum { N = 64 };
    uint64_t out = isa_alloc(&t, 8 * N), *o = isa_ptr(&t, out);
    unsigned int wrong = 0;
    bool good = launched(run1("isa_partial_exit", 1, N, out));

    for (unsigned int i = 0; i < N; i++)
        wrong += o[i] != (i % 32 < 20 ? 0xfffff : 0);
    ok(good && !wrong, "lanes that exit leave the others running together");
}

static void test_vote_shfl(void)
{
    enum { N = 64, V = 9 };
    uint64_t out = isa_alloc(&t, 8 * V * N), *o = isa_ptr(&t, out);
    unsigned int wrong = 0;
    bool good = launched(run1("isa_vote_shfl", 1, N, out));

    for (unsigned int i = 0; i < N; i++) {
        unsigned int lane = i % 32;
        const uint64_t *v = o + V * i;

        wrong += v[0] != 0x49249249 || v[1] != 0x9249 || v[2] != 1 || v[3] != 1;
        wrong += v[4] != (lane + 1) % 32 * 10;
        wrong += v[5] != (lane % 2 ? 0 : lane * 10);    /* lane + 1 does not execute it */
        wrong += v[6] != lane * 10;
        wrong += v[7] != (lane < 16 ? 0xffff : 0) || v[8] != 0xffffffff;
    }
    ok(good && !wrong, "ballot, any, all with member masks; shfl from executing, non-executing "
       "and absent lanes; warp sync in divergent code (%u wrong)", wrong);
}

static void test_warp_turns(void)
{
    enum { N = 256 };
    uint64_t out = isa_alloc(&t, 8 * N), *o = isa_ptr(&t, out);
    unsigned int wrong = 0;
    bool good = launched(run1("isa_warp_turns", 1, N, out));

    for (unsigned int i = 0; i < N; i++)
        wrong += o[i] != i / 32;
    ok(good && !wrong, "warps of a block spinning on shared memory take turns (time slices)");
}

/* ---------------------------------------------------------------- faults */

static bool faulted(struct isa_result r, uint32_t error, uint32_t kind, uint64_t addr,
                    uint32_t access, uint64_t pc)
{
    bool match = !r.timed_out && r.state == S5000_QSTATE_ERROR && r.error == error &&
                 r.kind == kind && r.addr == addr && r.access == access && r.pc == pc;

    if (!match)
        printf("# got state %u error %u kind %u addr 0x%llx access %u pc 0x%llx%s; wanted "
               "error %u kind %u addr 0x%llx access %u pc 0x%llx\n", r.state, r.error, r.kind,
               (unsigned long long)r.addr, r.access, (unsigned long long)r.pc,
               r.timed_out ? " (timed out)" : "", error, kind, (unsigned long long)addr,
               access, (unsigned long long)pc);
    isa_restart(&t, 0);
    return match;
}

static bool kernel_fault(struct isa_result r, uint32_t kind, uint64_t addr, uint32_t access,
                         const char *pc_symbol)
{
    return faulted(r, S5000_ERR_KERNEL_FAULT, kind, addr, access, isa_symbol(&t, pc_symbol));
}

static void test_memory_faults(void)
{
    const uint64_t unmapped = ISA_DATA_VA + ISA_DATA_SIZE + 0x1238;
    const uint64_t ro_va = 0xa00000000000ull, data = isa_alloc(&t, 64);
    uint64_t pc_load = isa_symbol(&t, "isa_pc_load"), pc_store = isa_symbol(&t, "isa_pc_store");
    uint32_t ctx_status;

    isa_map_page(&t, 1, ro_va, 0);
    ok(faulted(run1("isa_fault_load", 1, 32, ARGS(unmapped)), S5000_ERR_PAGE_FAULT, 0,
               unmapped, S5000_ACCESS_READ, pc_load),
       "load from an unmapped page: PAGE_FAULT with address, READ and pc");
    ctx_status = (uint32_t)isa_reg_read(&t, S5000_REG_CTX(1, S5000_CTX_STATUS), 4);
    ok(ctx_status & S5000_CTX_FAULTED, "... and the context shows FAULTED");
    ok(faulted(run1("isa_fault_load", 1, 1, ARGS(0)), S5000_ERR_PAGE_FAULT, 0, 0,
               S5000_ACCESS_READ, pc_load), "null pointer: PAGE_FAULT at 0");
    ok(faulted(run1("isa_fault_store", 1, 1, ARGS(ro_va + 8)), S5000_ERR_PAGE_FAULT, 0,
               ro_va + 8, S5000_ACCESS_WRITE, pc_store),
       "store to a read-only page: PAGE_FAULT, WRITE");
    ok(launched(run1("isa_fault_load", 1, 1, ARGS(ro_va))), "... which loads fine");
    ok(kernel_fault(run1("isa_fault_lw", 1, 1, ARGS(data + 2)), S5000_KFAULT_MISALIGNED,
                    data + 2, S5000_ACCESS_READ, "isa_pc_lw"), "misaligned lw: MISALIGNED");
    ok(kernel_fault(run1("isa_fault_sh", 1, 1, ARGS(data + 1)), S5000_KFAULT_MISALIGNED,
                    data + 1, S5000_ACCESS_WRITE, "isa_pc_sh"), "misaligned sh: MISALIGNED");
    ok(kernel_fault(run1("isa_fault_amo", 1, 1, ARGS(data + 4)), S5000_KFAULT_MISALIGNED,
                    data + 4, S5000_ACCESS_WRITE, "isa_pc_amo"), "misaligned amoadd.d: MISALIGNED");
}

static void test_window_faults(void)
{
    struct isa_launch l = { .kernel = "isa_fault_stack", .block = { 64 }, .stack_size = 1024 };
    uint64_t shared_end = t.tls_size;

    l.kernarg = ARGS(1024 + 16);        /* 16 bytes below the window */
    ok(kernel_fault(isa_run(&t, 0, &l), S5000_KFAULT_STACK_OVERFLOW,
                    S5000_STACK_BASE - 16, S5000_ACCESS_WRITE, "isa_pc_stack"),
       "store below the stack window: STACK_OVERFLOW at its address");
    l.kernarg = ARGS(8);
    ok(launched(isa_run(&t, 0, &l)), "... the top of the stack is fine");
    l = (struct isa_launch){ .kernel = "isa_fault_shared", .block = { 32 },
                             .kernarg = ARGS(shared_end + 16), .shared_bytes = 16 };
    ok(launched(isa_run(&t, 0, &l)), "the last word of dynamic shared memory reads");
    shared_end = (t.tls_size + 15) / 16 * 16 + 16;
    l.kernarg = ARGS(shared_end);
    ok(kernel_fault(isa_run(&t, 0, &l), S5000_KFAULT_SHARED_BOUNDS,
                    S5000_SHARED_BASE + shared_end, S5000_ACCESS_READ, "isa_pc_shared"),
       "a word past the end: SHARED_BOUNDS at its address");
    l.kernarg = ARGS(shared_end - 2);
    ok(kernel_fault(isa_run(&t, 0, &l), S5000_KFAULT_MISALIGNED,
                    S5000_SHARED_BASE + shared_end - 2, S5000_ACCESS_READ, "isa_pc_shared"),
       "a word straddling the end is misaligned first");
}

static void test_instruction_faults(void)
{
    struct isa_launch l = { .kernel = "isa_fault_trap", .block = { 64 }, .kernarg = ARGS(42) };

    ok(kernel_fault(run1("isa_fault_illegal", 1, 32, 0), S5000_KFAULT_ILLEGAL_INSTRUCTION,
                    0xffffffff, S5000_ACCESS_EXEC, "isa_pc_illegal"),
       "0xffffffff: ILLEGAL_INSTRUCTION, the word in fault_addr");
    ok(kernel_fault(run1("isa_fault_zero_word", 1, 1, 0), S5000_KFAULT_ILLEGAL_INSTRUCTION, 0,
                    S5000_ACCESS_EXEC, "isa_pc_zero_word"), "all-zero word: ILLEGAL_INSTRUCTION");
    ok(kernel_fault(run1("isa_fault_ecall", 1, 1, 0), S5000_KFAULT_ILLEGAL_INSTRUCTION,
                    0x00000073, S5000_ACCESS_EXEC, "isa_pc_ecall"), "ecall: ILLEGAL_INSTRUCTION");
    ok(kernel_fault(run1("isa_fault_csr_write", 1, 1, 0), S5000_KFAULT_ILLEGAL_INSTRUCTION,
                    0xcc029073, S5000_ACCESS_EXEC, "isa_pc_csr_write"),
       "write to a read-only special register: ILLEGAL_INSTRUCTION");
    ok(kernel_fault(run1("isa_fault_csr_unknown", 1, 1, 0), S5000_KFAULT_ILLEGAL_INSTRUCTION,
                    0x7c0022f3, S5000_ACCESS_EXEC, "isa_pc_csr_unknown"),
       "read of an unknown CSR: ILLEGAL_INSTRUCTION");
    ok(kernel_fault(run1("isa_fault_simt_field", 1, 1, 0), S5000_KFAULT_ILLEGAL_INSTRUCTION,
                    0x0000050b, S5000_ACCESS_EXEC, "isa_pc_simt_field"),
       "BAR with a nonzero rd: ILLEGAL_INSTRUCTION");
    ok(kernel_fault(run1("isa_fault_frm", 1, 1, 0), S5000_KFAULT_ILLEGAL_INSTRUCTION, 0,
                    S5000_ACCESS_EXEC, "isa_pc_frm"),
       "dynamic rounding with frm = 5: ILLEGAL_INSTRUCTION");
    ok(kernel_fault(isa_run(&t, 0, &l), S5000_KFAULT_TRAP, 42, S5000_ACCESS_READ, "isa_pc_trap"),
       "TRAP from one thread: TRAP, its code in fault_addr");
}

static void test_deadlocks(void)
{
    ok(launched(run1("isa_barrier_after_exit", 1, 64, 0)),
       "threads at a barrier the others exited before: released (exited threads arrived)");
    ok(kernel_fault(run1("isa_fault_sync_deadlock", 1, 32, 0), S5000_KFAULT_BARRIER_DEADLOCK, 0,
                    S5000_ACCESS_READ, "isa_pc_sync_deadlock"),
       "a warp sync waiting for lanes that wait at a barrier: BARRIER_DEADLOCK");
}

static void test_runaways(void)
{
    struct isa_launch l = { .kernel = "isa_fault_spin", .grid = { 8 }, .block = { 64 },
                            .timeout_ms = 100 };
    uint64_t start = emu_now_ns(), took;
    uint64_t saved = t.dev.compute.budget;

    ok(kernel_fault(isa_run(&t, 0, &l), S5000_KFAULT_TIMEOUT, 0, S5000_ACCESS_READ,
                    "isa_pc_spin"), "an endless loop with timeout_ms 100: TIMEOUT");
    took = (emu_now_ns() - start) / 1000000;
    ok(took >= 100 && took < 2000, "... after %llu ms", (unsigned long long)took);
    t.dev.compute.budget = 100000;
    l.timeout_ms = 0;
    start = emu_now_ns();
    ok(kernel_fault(isa_run(&t, 0, &l), S5000_KFAULT_TIMEOUT, 0, S5000_ACCESS_READ,
                    "isa_pc_spin") && emu_now_ns() - start < 2000000000ull,
       "the same loop with an instruction budget of 100000: TIMEOUT at once");
    t.dev.compute.budget = saved;
    l = (struct isa_launch){ .kernel = "isa_nothing", .grid = { S5000_MAX_GRID_X },
                             .block = { 32 }, .timeout_ms = 200 };
    start = emu_now_ns();
    ok(kernel_fault(isa_run(&t, 0, &l), S5000_KFAULT_TIMEOUT, 0, S5000_ACCESS_READ,
                    "isa_nothing") && emu_now_ns() - start < 2000000000ull,
       "2^31 - 1 empty blocks with timeout_ms 200: TIMEOUT between blocks");
}

static void test_fetch_faults(void)
{
    struct isa_launch l = { .kernel = "isa_fault_falloff", .block = { 32 } };
    struct s5000_pkt_kernel_launch pkt;
    uint64_t desc = isa_alloc(&t, 64), beyond = t.code_end + 64;
    struct s5000_kernel_desc *d = isa_ptr(&t, desc);

    ok(kernel_fault(run1("isa_fault_jump", 1, 32, ARGS(beyond)), S5000_KFAULT_FETCH, beyond,
                    S5000_ACCESS_EXEC, "isa_pc_jump"), "jump past the code range: FETCH");
    ok(kernel_fault(run1("isa_fault_jump", 1, 32, ARGS(t.code_start + 2)), S5000_KFAULT_FETCH,
                    t.code_start + 2, S5000_ACCESS_EXEC, "isa_pc_jump"),
       "jump to a misaligned address: FETCH");
    isa_desc(&t, &l, d);
    d->code_size = isa_symbol(&t, "isa_code_cut") - d->code_start;
    isa_packet(&l, desc, &pkt);
    isa_submit(&t, 0, &pkt);
    ok(faulted(isa_wait(&t, 0, 5000), S5000_ERR_KERNEL_FAULT, S5000_KFAULT_FETCH,
               isa_symbol(&t, "isa_code_cut"), S5000_ACCESS_EXEC, isa_symbol(&t, "isa_code_cut")),
       "running off the end of the code range: FETCH there");
    l.kernel = "isa_fault_branch_out";
    desc = isa_alloc(&t, 64);
    d = isa_ptr(&t, desc);
    isa_desc(&t, &l, d);
    d->code_size = isa_symbol(&t, "isa_pc_branch_out") + 8 - d->code_start;
    isa_packet(&l, desc, &pkt);
    isa_submit(&t, 0, &pkt);
    ok(faulted(isa_wait(&t, 0, 5000), S5000_ERR_KERNEL_FAULT, S5000_KFAULT_FETCH,
               isa_symbol(&t, "isa_pc_branch_out") + 12, S5000_ACCESS_EXEC,
               isa_symbol(&t, "isa_pc_branch_out")),
       "a taken branch out of the code range: FETCH at its target");
}

/* Submits l with its descriptor or packet spoiled by `spoil`, expects BAD_LAUNCH. */
static bool bad_launch(const struct isa_launch *l, void (*spoil)(struct s5000_kernel_desc *,
                                                                 struct s5000_pkt_kernel_launch *))
{
    uint64_t desc = isa_alloc(&t, 64);
    struct s5000_pkt_kernel_launch pkt;

    isa_desc(&t, l, isa_ptr(&t, desc));
    isa_packet(l, desc, &pkt);
    spoil(isa_ptr(&t, desc), &pkt);
    isa_submit(&t, 0, &pkt);
    return faulted(isa_wait(&t, 0, 5000), S5000_ERR_KERNEL_FAULT, S5000_KFAULT_BAD_LAUNCH,
                   pkt.code, 0, 0);
}

static void magic(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)p; d->magic++; }
static void version(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)p; d->version = 2; }
static void reserved(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)p; d->reserved[1] = 1; }
static void flags(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)p; d->flags = 1; }
static void entry_out(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)p; d->entry = d->code_start + d->code_size; }
static void entry_misaligned(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)p; d->entry += 2; }
static void code_size_odd(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)p; d->code_size -= 2; }
static void code_too_big(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)p; d->code_size = S5000_MAX_CODE_BYTES + 4; }
static void stack_odd(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)p; d->stack_size = 1000; }
static void stack_big(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)p; d->stack_size = S5000_MAX_STACK_BYTES + 16; }
static void max_threads(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ d->max_threads = p->block[0] - 1; }
static void block_big(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)d; p->block[0] = 64; p->block[1] = 17; }
static void block_zero(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)d; p->block[2] = 0; }
static void grid_zero(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)d; p->grid[1] = 0; }
static void grid_big(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)d; p->grid[2] = S5000_MAX_GRID_YZ + 1; }
static void shared_big(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ p->shared_bytes = S5000_MAX_SHARED_BYTES - d->static_shared; }
static void desc_misaligned(struct s5000_kernel_desc *d, struct s5000_pkt_kernel_launch *p)
{ (void)d; p->code += 32; }

static void test_bad_launches(void)
{
    static const struct {
        void (*spoil)(struct s5000_kernel_desc *, struct s5000_pkt_kernel_launch *);
        const char *what;
    } cases[] = {
        { magic, "wrong magic" }, { version, "version 2" }, { reserved, "reserved field set" },
        { flags, "flags set" }, { entry_out, "entry past the code" },
        { entry_misaligned, "misaligned entry" }, { code_size_odd, "code size not x4" },
        { code_too_big, "code larger than S5000_MAX_CODE_BYTES" },
        { stack_odd, "stack not x16" }, { stack_big, "stack larger than the maximum" },
        { max_threads, "block larger than max_threads" }, { block_big, "block of 1088" },
        { block_zero, "block dimension 0" }, { grid_zero, "grid dimension 0" },
        { grid_big, "grid z past S5000_MAX_GRID_YZ" },
        { shared_big, "static + dynamic shared past S5000_MAX_SHARED_BYTES" },
        { desc_misaligned, "descriptor not 64-byte aligned" },
    };
    struct isa_launch l = { .kernel = "isa_store_tid", .block = { 64 },
                            .kernarg = ARGS(isa_alloc(&t, 8 * 64)) };
    struct s5000_pkt_kernel_launch pkt;
    uint64_t desc = isa_alloc(&t, 64);
    struct s5000_kernel_desc *d = isa_ptr(&t, desc);
    unsigned int good = 0;

    for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool refused = bad_launch(&l, cases[i].spoil);

        good += refused;
        if (!refused)
            printf("# not refused: %s\n", cases[i].what);
    }
    ok(good == sizeof(cases) / sizeof(cases[0]), "%u of %zu spoiled launches: BAD_LAUNCH at the "
       "descriptor", good, sizeof(cases) / sizeof(cases[0]));

    isa_desc(&t, &l, d);
    isa_packet(&l, desc, &pkt);
    pkt.reserved = 1;
    isa_submit(&t, 0, &pkt);
    ok(faulted(isa_wait(&t, 0, 5000), S5000_ERR_BAD_PACKET, 0, 0, 0, 0),
       "KERNEL_LAUNCH packet with a reserved field set: BAD_PACKET");
    isa_desc(&t, &l, d);
    d->code_start = ISA_DATA_VA;
    d->code_size = 4096;
    d->entry = ISA_DATA_VA;
    isa_packet(&l, desc, &pkt);
    isa_submit(&t, 0, &pkt);
    ok(faulted(isa_wait(&t, 0, 5000), S5000_ERR_PAGE_FAULT, 0, ISA_DATA_VA, S5000_ACCESS_EXEC, 0),
       "code that is not EXEC-mapped: PAGE_FAULT, access EXEC");
    ok(launched(run1("isa_store_tid", 1, 64, l.kernarg)), "the queue works after all that");
}

static void test_mma(void)
{
    const uint64_t desc = isa_alloc(&t, 64);

    ok(kernel_fault(run1("isa_mma", 1, 32, ARGS(desc)), S5000_KFAULT_BAD_MMA, desc,
                    S5000_ACCESS_READ, "isa_pc_mma"), "MMA with a zeroed descriptor: BAD_MMA");
    ok(faulted(run1("isa_mma", 1, 32, ARGS(0x10)), S5000_ERR_PAGE_FAULT, 0, 0x10,
               S5000_ACCESS_READ, isa_symbol(&t, "isa_pc_mma")),
       "MMA with its descriptor unmapped: PAGE_FAULT at the MMA");
}

/* An 8 x 16 (k 8) FP32 MMA's descriptor in device memory: A at a (8 x 8), B at b. */
static uint64_t mma_f32_desc(uint64_t a, uint64_t b, uint64_t acc, uint16_t flags)
{
    uint64_t va = isa_alloc(&t, sizeof(struct s5000_mma));
    struct s5000_mma d = {
        .op = S5000_MMA_OP_MMA, .a_type = S5000_MMA_F32, .b_type = S5000_MMA_F32,
        .acc_type = S5000_MMA_ACC_F32, .flags = flags, .m = 8, .n = 16, .k = 8, .lda = 8,
        .ldb = 16, .ldacc = 16, .a = a, .b = b, .acc = acc,
    };

    memcpy(isa_ptr(&t, va), &d, sizeof(d));
    return va;
}

/* How many of the 8 x 16 results at acc differ from A B (fma in k order from zero). */
static unsigned int mma_f32_wrong(const float *a, const float *b, const float *acc)
{
    unsigned int wrong = 0;

    for (unsigned int i = 0; i < 8; i++)
        for (unsigned int j = 0; j < 16; j++) {
            float want = 0;

            for (unsigned int k = 0; k < 8; k++)
                want = fmaf(a[i * 8 + k], b[k * 16 + j], want);
            wrong += memcmp(&want, &acc[i * 16 + j], 4) != 0;
        }
    return wrong;
}

/*
 * The tensor core reads and writes in place (VRAM pages, shared memory) or by copies
 * (guest RAM), to the same result; an accumulator past the shared window faults
 * there; a faulting operand leaves the accumulator untouched.
 */
static void test_mma_in_place(void)
{
    const uint64_t sys_va = 0xe00000000000ull, bus = 0x48000000, unmapped = 0x10000;
    uint64_t a = isa_alloc(&t, 8 * 8 * 4), b = isa_alloc(&t, 8 * 16 * 4);
    uint64_t acc = isa_alloc(&t, 8 * 16 * 4);
    uint64_t shared = S5000_SHARED_BASE + (t.tls_size + 15) / 16 * 16;  /* dynamic part */
    float *ha = isa_ptr(&t, a), *hb = isa_ptr(&t, b), *hacc = isa_ptr(&t, acc);
    uint8_t *ram = isa_map_system(&t, 1, sys_va, bus, 4096), before[8 * 16 * 4];
    struct isa_launch l = { .kernel = "isa_mma", .grid = { 1 }, .block = { 32 },
                            .shared_bytes = 4 * 16 * 4 };
    bool good;

    for (unsigned int i = 0; i < 8 * 16; i++) {
        if (i < 64)
            ha[i] = (float)((int)(i * 7 % 13) - 6) / 8;
        hb[i] = (float)((int)(i * 5 % 11) - 5) / 4;
        hacc[i] = -1;                       /* ZERO: not read */
    }
    good = launched(run1("isa_mma", 1, 32, ARGS(mma_f32_desc(a, b, acc, S5000_MMA_ZERO))));
    ok(good && !mma_f32_wrong(ha, hb, hacc), "MMA on VRAM, accumulator in place: A B");

    memcpy(ram, hb, 8 * 16 * 4);
    memset(hacc, 0, 8 * 16 * 4);
    good = launched(run1("isa_mma", 1, 32, ARGS(mma_f32_desc(a, sys_va, acc, 0))));
    ok(good && !mma_f32_wrong(ha, hb, hacc), "MMA with B in guest RAM (copied): A B");
    good = launched(run1("isa_mma", 1, 32, ARGS(mma_f32_desc(a, b, sys_va, S5000_MMA_ZERO))));
    ok(good && !mma_f32_wrong(ha, hb, (const float *)ram),
       "MMA with the accumulator in guest RAM (copied in and out): A B");

    /* Four of the eight rows fit the block's 256 bytes: the fifth's write faults. */
    l.kernarg = ARGS(mma_f32_desc(a, b, shared, S5000_MMA_ZERO));
    ok(kernel_fault(isa_run(&t, 0, &l), S5000_KFAULT_SHARED_BOUNDS, shared + 4 * 16 * 4,
                    S5000_ACCESS_WRITE, "isa_pc_mma"),
       "MMA with its accumulator past the shared window: SHARED_BOUNDS where it leaves it");

    memcpy(before, hacc, sizeof(before));
    good = faulted(run1("isa_mma", 1, 32, ARGS(mma_f32_desc(a, unmapped, acc, 0))),
                   S5000_ERR_PAGE_FAULT, 0, unmapped, S5000_ACCESS_READ,
                   isa_symbol(&t, "isa_pc_mma"));
    ok(good && !memcmp(before, hacc, sizeof(before)),
       "MMA with B unmapped: PAGE_FAULT there, the accumulator untouched");
}

/* Kernels on guest RAM (system pages), which never take the page cache's fast path. */
static void test_system_memory(void)
{
    enum { BLOCKS = 16, THREADS = 64, ITER = 20 };
    const uint64_t va = 0xd00000000000ull, bus = 0x40000000;
    uint8_t *ram = isa_map_system(&t, 1, va, bus, 4 * 4096);
    uint64_t *counters = (uint64_t *)(ram + 4096), *mem = (uint64_t *)(ram + 8192);
    uint64_t total = (uint64_t)BLOCKS * THREADS * ITER;
    bool good;

    if (!ok(ram != NULL, "guest RAM mapped into context 1"))
        return;
    for (unsigned int i = 0; i < 16; i++)
        ram[i] = (uint8_t)(0x80 + i);
    good = launched(run1("isa_loads", 1, 1, ARGS(va, va + 64))) &&
           ((uint64_t *)(ram + 64))[0] == (uint64_t)(int64_t)(int8_t)0x80 &&
           ((uint64_t *)(ram + 64))[1] == 0x80;
    good &= launched(run1("isa_stores", 1, 1, ARGS(va + 1024, 0x1122334455667788ull))) &&
            ram[1024 + 8] == 0x88 && ram[1024 + 15] == 0x11;
    ok(good, "loads and stores of guest RAM");
    good = launched(run1("isa_contention", BLOCKS, THREADS, ARGS(va + 4096, ITER)));
    ok(good && counters[0] == total && counters[1] == total && counters[3] == BLOCKS * THREADS - 1,
       "AMOs and LR/SC on guest RAM from %d compute threads", COMPUTE_THREADS);
    mem[0] = 0x80000000;
    mem[1] = 0x8000000000000000ull;
    ok(launched(run1("isa_amo", 1, 1, ARGS(va + 8192, va + 8192 + 64))) && mem[8 + 17] == 0 &&
       mem[8 + 23] == 101, "... with the same results as on VRAM");
    isa_map_page(&t, 1, va + 16 * 4096, S5000_PTE_SYSTEM);      /* bus address of a VRAM page */
    ok(faulted(run1("isa_fault_load", 1, 32, ARGS(va + 16 * 4096 + 8)), S5000_ERR_DMA, 0,
               va + 16 * 4096 + 8, S5000_ACCESS_READ, isa_symbol(&t, "isa_pc_load")),
       "a system page outside guest RAM: DMA error with address and pc");
}

/* ------------------------------------------------------- isolation, control */

static void test_isolation(void)
{
    enum { THREADS = 32 * 256 };
    uint64_t out = isa_alloc(&t, 8 * THREADS), *o = isa_ptr(&t, out);
    struct isa_launch busy = { .kernel = "bench_int_loop", .grid = { 32 }, .block = { 256 },
                               .kernarg = ARGS(20000, out) };
    struct isa_launch bad = { .kernel = "isa_fault_load", .grid = { 4 }, .block = { 64 },
                              .kernarg = ARGS(ISA_DATA_VA + ISA_DATA_SIZE) };
    struct s5000_pkt_kernel_launch pkt;
    uint64_t desc = isa_alloc(&t, 64);
    struct isa_result r0, r1;
    unsigned int zero = 0;

    isa_desc(&t, &busy, isa_ptr(&t, desc));
    isa_packet(&busy, desc, &pkt);
    isa_submit(&t, 1, &pkt);                /* queue 1: context 2 */
    usleep(2000);
    r0 = isa_run(&t, 0, &bad);              /* queue 0: context 1 */
    r1 = isa_wait(&t, 1, 20000);
    for (unsigned int i = 0; i < THREADS; i++)
        zero += o[i] == 0;
    ok(r0.error == S5000_ERR_PAGE_FAULT && launched(r1) && zero == 0,
       "a fault in context 1 while context 2 runs a kernel: context 2 completes it");
    isa_restart(&t, 0);
}

static void test_reset_running(void)
{
    struct isa_launch l = { .kernel = "isa_fault_spin", .grid = { 16 }, .block = { 128 },
                            .timeout_ms = 30000 };
    struct s5000_pkt_kernel_launch pkt;
    uint64_t desc = isa_alloc(&t, 64), start;
    bool stopped = false;

    isa_desc(&t, &l, isa_ptr(&t, desc));
    isa_packet(&l, desc, &pkt);
    isa_submit(&t, 2, &pkt);
    usleep(20000);
    start = emu_now_ns();
    isa_reg_write(&t, S5000_REG_QUEUE(2, S5000_QUEUE_CONTROL), 4, S5000_QUEUE_RESET);
    while (!stopped && emu_now_ns() - start < 2000000000ull) {
        stopped = isa_reg_read(&t, S5000_REG_QUEUE(2, S5000_QUEUE_STATUS), 4) ==
                  S5000_QSTATE_DISABLED;
        usleep(100);
    }
    ok(stopped, "queue reset stops an endless kernel in %.1f ms",
       (emu_now_ns() - start) / 1e6);
    isa_restart(&t, 2);
    ok(launched(run1("isa_store_tid", 2, 64, ARGS(isa_alloc(&t, 8 * 128)))),
       "the compute units run the next kernel");
}

static void test_invalidate_running(void)
{
    const uint64_t va = 0xb00000000000ull;
    struct isa_launch l = { .kernel = "isa_spin_load", .block = { 32 }, .kernarg = ARGS(va),
                            .timeout_ms = 30000 };
    struct s5000_pkt_kernel_launch pkt;
    uint64_t desc = isa_alloc(&t, 64), start;

    isa_map_page(&t, 1, va, S5000_PTE_WRITE);
    isa_desc(&t, &l, isa_ptr(&t, desc));
    isa_packet(&l, desc, &pkt);
    isa_submit(&t, 0, &pkt);
    usleep(20000);
    start = emu_now_ns();
    isa_unmap_page(&t, 1, va);
    ok(emu_now_ns() - start < 100000000ull,
       "TLB invalidation while a kernel reads the page returns in %.3f ms",
       (emu_now_ns() - start) / 1e6);
    ok(faulted(isa_wait(&t, 0, 5000), S5000_ERR_PAGE_FAULT, 0, va, S5000_ACCESS_READ,
               isa_symbol(&t, "isa_spin_load") + 4),
       "... after which the kernel's next read of it faults");
}

static void test_ecc_running(void)
{
    uint64_t flag = isa_alloc(&t, 8);
    struct isa_launch l = { .kernel = "isa_spin_load", .block = { 32 }, .kernarg = ARGS(flag),
                            .timeout_ms = 30000 };
    struct s5000_pkt_kernel_launch pkt;
    uint64_t desc = isa_alloc(&t, 64);

    isa_desc(&t, &l, isa_ptr(&t, desc));
    isa_packet(&l, desc, &pkt);
    isa_submit(&t, 0, &pkt);
    usleep(20000);
    emu_device_inject_ecc(&t.dev, true);
    ok(faulted(isa_wait(&t, 0, 5000), S5000_ERR_ECC, 0, flag, S5000_ACCESS_READ,
               isa_symbol(&t, "isa_spin_load") + 4),
       "an injected uncorrectable ECC error reaches a kernel reading VRAM it had cached");
}

/* A random instruction word: anything, one of the image's, or one with a valid opcode. */
static uint32_t random_word(void)
{
    static const uint8_t opcodes[] = {
        0x03, 0x07, 0x0b, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f, 0x33, 0x37, 0x3b, 0x43,
        0x47, 0x4b, 0x4f, 0x53, 0x63, 0x67, 0x6f, 0x73,
    };
    uint32_t count = (uint32_t)((t.code_end - t.code_start) / 4);
    uint32_t r = (uint32_t)isa_test_rng();

    switch (isa_test_rng() % 16) {
    case 0:  return r;
    case 1: case 2: case 3: case 4:
        return (r & ~0x7fu) | opcodes[r % sizeof(opcodes)];
    default: return t.code[r % count];
    }
}

/* Random code must end in a fault or a completion, never hang or hurt the device. */
static void test_random_code(void)
{
    enum { PROGRAMS = 150, WORDS = 1024 };
    const uint64_t va = 0xe00000000000ull;
    uint32_t *page = isa_map_page(&t, 2, va, S5000_PTE_EXEC | S5000_PTE_WRITE);
    unsigned int outcomes[S5000_KFAULT_FETCH + 2] = { 0 }, hung = 0, done = 0;

    for (unsigned int p = 0; p < PROGRAMS; p++) {
        struct isa_launch l = { .kernel = "isa_nothing", .grid = { 1 + p % 3 },
                                .block = { (uint16_t)(1 + isa_test_rng() % 96) },
                                .timeout_ms = 50 };
        uint64_t desc = isa_alloc(&t, 64);
        struct s5000_kernel_desc *d = isa_ptr(&t, desc);
        struct s5000_pkt_kernel_launch pkt;
        struct isa_result r;

        for (unsigned int i = 0; i < WORDS; i++)
            page[i] = random_word();
        isa_desc(&t, &l, d);
        d->code_start = va;
        d->code_size = WORDS * 4;
        d->entry = va + 4 * (isa_test_rng() % WORDS);
        isa_packet(&l, desc, &pkt);
        isa_submit(&t, 1, &pkt);
        r = isa_wait(&t, 1, 5000);
        hung += r.timed_out;
        done += !r.error;
        if (r.error == S5000_ERR_KERNEL_FAULT && r.kind <= S5000_KFAULT_FETCH)
            outcomes[r.kind]++;
        else if (r.error)
            outcomes[S5000_KFAULT_FETCH + 1]++;
        if (r.error || r.timed_out)
            isa_restart(&t, 1);
    }
    ok(hung == 0, "%d random programs: %u completed, %u illegal, %u misaligned, %u stack, "
       "%u shared, %u deadlock, %u timeout, %u fetch, %u memory; none hung", PROGRAMS, done,
       outcomes[S5000_KFAULT_ILLEGAL_INSTRUCTION], outcomes[S5000_KFAULT_MISALIGNED],
       outcomes[S5000_KFAULT_STACK_OVERFLOW], outcomes[S5000_KFAULT_SHARED_BOUNDS],
       outcomes[S5000_KFAULT_BARRIER_DEADLOCK], outcomes[S5000_KFAULT_TIMEOUT],
       outcomes[S5000_KFAULT_FETCH], outcomes[S5000_KFAULT_FETCH + 1]);
    ok(launched(run1("isa_store_tid", 2, 64, ARGS(isa_alloc(&t, 8 * 128)))),
       "kernels run as before afterwards");
}

static void test_code_rewrite(void)
{
    const uint64_t va = 0xc00000000000ull;
    /* sd a1, 0(a0) with a1 = 1, then 2: li a1, n; ld a0, 0(a0); sd a1, 0(a0); ret */
    uint32_t code[4] = { 0x00100593, 0x00053503, 0x00b53023, 0x00008067 };
    uint32_t *page = isa_map_page(&t, 1, va, S5000_PTE_EXEC | S5000_PTE_WRITE);
    uint64_t out = isa_alloc(&t, 8), *o = isa_ptr(&t, out);
    struct isa_launch l = { .kernel = "isa_store_tid", .block = { 1 }, .kernarg = ARGS(out) };
    struct s5000_pkt_kernel_launch pkt;
    uint64_t desc = isa_alloc(&t, 64);
    struct s5000_kernel_desc *d = isa_ptr(&t, desc);
    bool first;

    memcpy(page, code, sizeof(code));
    isa_desc(&t, &l, d);
    d->code_start = d->entry = va;
    d->code_size = sizeof(code);
    isa_packet(&l, desc, &pkt);
    isa_submit(&t, 0, &pkt);
    first = launched(isa_wait(&t, 0, 5000)) && *o == 1;
    page[0] = 0x00200593;                   /* li a1, 2 */
    isa_submit(&t, 0, &pkt);
    ok(first && launched(isa_wait(&t, 0, 5000)) && *o == 2,
       "code rewritten in place between launches runs as rewritten");
}

static void test_utilisation(void)
{
    uint64_t flag = isa_alloc(&t, 8);
    struct isa_launch l = { .kernel = "isa_spin_load", .grid = { 4 }, .block = { 64 },
                            .kernarg = ARGS(flag), .timeout_ms = 60000 };
    struct s5000_pkt_kernel_launch pkt;
    uint64_t desc = isa_alloc(&t, 64);
    uint32_t util;

    isa_desc(&t, &l, isa_ptr(&t, desc));
    isa_packet(&l, desc, &pkt);
    isa_submit(&t, 0, &pkt);
    usleep(500000);
    util = (uint32_t)isa_reg_read(&t, S5000_REG_UTIL_COMPUTE, 4);
    __atomic_store_n((uint64_t *)isa_ptr(&t, flag), 1, __ATOMIC_RELEASE);
    ok(launched(isa_wait(&t, 0, 10000)) && util >= 30,
       "UTIL_COMPUTE while a kernel runs for half a second: %u%%", util);
}

int main(void)
{
    if (!ok(isa_init(&t, COMPUTE_THREADS) == 0, "device core with the test kernels"))
        return tap_done();
    ok(isa_reg_read(&t, S5000_REG_CAPS, 4) & S5000_CAP_KERNEL_LAUNCH, "CAPS: KERNEL_LAUNCH");
    test_counts();
    test_int_binops();
    test_int_imm();
    test_lui_auipc();
    test_loads();
    test_stores();
    test_branches();
    test_jumps();
    test_amo();
    test_contention();
    test_shared_atomics();
    test_warp_lock();
    test_csrs();
    test_fcsr();
    isa_test_fp(&t, ok);
    test_barrier_reduction();
    test_bar_reduce();
    test_divergence();
    test_divergent_calls();
    test_loop_calls();
    test_partial_exit();
    test_vote_shfl();
    test_warp_turns();
    test_memory_faults();
    test_window_faults();
    test_instruction_faults();
    test_deadlocks();
    test_runaways();
    test_fetch_faults();
    test_bad_launches();
    test_mma();
    test_mma_in_place();
    test_system_memory();
    test_isolation();
    test_reset_running();
    test_invalidate_running();
    test_ecc_running();
    test_code_rewrite();
    test_random_code();
    test_utilisation();
    isa_fini(&t);
    return tap_done();
}
