// SPDX-License-Identifier: MIT
/*
 * Tensor-core throughput next to a naive host GEMM, both measured in this run: a
 * 64 x 256 tile over K = 1024, in MMAs of the largest k of each type, through memory
 * callbacks like the compute units' (minus translation): with in-place access to the
 * accumulator, and without (copies). Prints GFLOP/s and ratios; asserts nothing about
 * time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../uapi/s5000.h"
#include "../uapi/s5000_float.h"
#include "mma.h"

#define M           64
#define N           256
#define K           1024
#define BASE        0x100000000ull
#define MIN_SECONDS 0.3

static uint8_t *buf;

static bool bench_read(void *opaque, uint64_t addr, void *dst, size_t n)
{
    (void)opaque;
    memcpy(dst, buf + (addr - BASE), n);
    return true;
}

static bool bench_write(void *opaque, uint64_t addr, const void *src, size_t n)
{
    (void)opaque;
    memcpy(buf + (addr - BASE), src, n);
    return true;
}

static void *bench_map(void *opaque, uint64_t addr, size_t n, bool write)
{
    (void)opaque;
    (void)n;
    (void)write;
    return buf + (addr - BASE);
}

static struct emu_mma_mem mem = { NULL, bench_read, bench_write, bench_map };

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct bench_case {
    const char *name;
    unsigned a_type, acc_type, size, acc_size;
    uint8_t hopper_bits;
};

static const struct bench_case cases[] = {
    { "E4M3 EXACT", S5000_MMA_E4M3, S5000_MMA_ACC_EXACT, 1, 16, 0 },
    { "E5M2 EXACT", S5000_MMA_E5M2, S5000_MMA_ACC_EXACT, 1, 16, 0 },
    { "F16 EXACT", S5000_MMA_F16, S5000_MMA_ACC_EXACT, 2, 16, 0 },
    { "E4M3 HOPPER", S5000_MMA_E4M3, S5000_MMA_ACC_HOPPER, 1, 8, S5000_MMA_HOPPER_BITS },
    { "E4M3 F32", S5000_MMA_E4M3, S5000_MMA_ACC_F32, 1, 4, 0 },
    { "F16 F32", S5000_MMA_F16, S5000_MMA_ACC_F32, 2, 4, 0 },
    { "BF16 F32", S5000_MMA_BF16, S5000_MMA_ACC_F32, 2, 4, 0 },
    { "TF32 F32", S5000_MMA_TF32, S5000_MMA_ACC_F32, 4, 4, 0 },
    { "F32 F32", S5000_MMA_F32, S5000_MMA_ACC_F32, 4, 4, 0 },
    { "F64 F64", S5000_MMA_F64, S5000_MMA_ACC_F64, 8, 8, 0 },
};

/* Typical data: values of magnitude 1/4 .. 4. */
static void fill(uint8_t *p, unsigned type, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        float f = ldexpf(1.0f + (rand() & 0xfff) / 4096.0f, rand() % 4 - 2);
        uint16_t h;
        double d = f;

        f = rand() & 1 ? -f : f;
        switch (type) {
        case S5000_MMA_E4M3:
            p[i] = s5000_f32_to_e4m3(f, 1);
            break;
        case S5000_MMA_E5M2:
            p[i] = s5000_f32_to_e5m2(f, 1);
            break;
        case S5000_MMA_F16:
        case S5000_MMA_BF16:
            h = type == S5000_MMA_F16 ? s5000_f32_to_f16(f) : s5000_f32_to_bf16(f);
            memcpy(p + 2 * i, &h, 2);
            break;
        case S5000_MMA_F64:
            memcpy(p + 8 * i, &d, 8);
            break;
        default:
            memcpy(p + 4 * i, &f, 4);
            break;
        }
    }
}

/* GFLOP/s of the tensor core on one case. */
static double bench_device(const struct bench_case *c)
{
    unsigned kstep = S5000_MMA_MAX_K(c->a_type);
    uint64_t a = BASE, b = a + (uint64_t)M * K * c->size, acc = b + (uint64_t)K * N * c->size;
    double start = now(), elapsed;
    unsigned reps = 0;

    fill(buf, c->a_type, (size_t)M * K);
    fill(buf + (b - BASE), c->a_type, (size_t)K * N);
    memset(buf + (acc - BASE), 0, (size_t)M * N * c->acc_size);
    do {
        for (unsigned k0 = 0; k0 < K; k0 += kstep) {
            struct s5000_mma d = {
                .op = S5000_MMA_OP_MMA, .a_type = c->a_type, .b_type = c->a_type,
                .acc_type = c->acc_type, .hopper_bits = c->hopper_bits, .m = M, .n = N,
                .k = kstep, .lda = K, .ldb = N, .ldacc = N, .a = a + (uint64_t)k0 * c->size,
                .b = b + (uint64_t)k0 * N * c->size, .acc = acc,
            };

            if (emu_mma_run(&d, &mem)) {
                fprintf(stderr, "%s: MMA failed\n", c->name);
                exit(1);
            }
        }
        reps++;
        elapsed = now() - start;
    } while (elapsed < MIN_SECONDS);
    return 2.0 * M * N * K * reps / elapsed * 1e-9;
}

/* The naive host GEMM: i, j, k loops, one multiply-add at a time. */
#define NAIVE_GEMM(T)                                                           \
    static double naive_##T(void)                                               \
    {                                                                           \
        T *a = (T *)buf, *b = a + (size_t)M * K, *c = b + (size_t)K * N;        \
        double start = now(), elapsed;                                          \
        unsigned reps = 0;                                                      \
                                                                                \
        for (size_t i = 0; i < (size_t)M * K + (size_t)K * N; i++)              \
            a[i] = (T)((rand() & 0xfff) / 4096.0);                              \
        memset(c, 0, (size_t)M * N * sizeof(T));                                \
        do {                                                                    \
            for (unsigned i = 0; i < M; i++)                                    \
                for (unsigned j = 0; j < N; j++) {                              \
                    T s = c[i * N + j];                                         \
                                                                                \
                    for (unsigned k = 0; k < K; k++)                            \
                        s += a[(size_t)i * K + k] * b[(size_t)k * N + j];       \
                    c[i * N + j] = s;                                           \
                }                                                               \
            reps++;                                                             \
            elapsed = now() - start;                                            \
        } while (elapsed < MIN_SECONDS);                                        \
        return 2.0 * M * N * K * reps / elapsed * 1e-9;                         \
    }

NAIVE_GEMM(float)
NAIVE_GEMM(double)

int main(void)
{
    double host_f32, host_f64, portable;

    buf = aligned_alloc(64, (size_t)(M * K + K * N + M * N * 2) * 16);
    if (!buf)
        return 1;
    host_f32 = naive_float();
    host_f64 = naive_double();
    printf("tensor core, %dx%d tile, K = %d; naive host GEMM: %.2f GFLOP/s (float), "
           "%.2f GFLOP/s (double)\n", M, N, K, host_f32, host_f64);
    printf("%-12s %10s %12s\n", "type", "GFLOP/s", "x naive");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double g = bench_device(&cases[i]);
        double host = cases[i].a_type == S5000_MMA_F64 ? host_f64 : host_f32;

        printf("%-12s %10.2f %12.2f\n", cases[i].name, g, g / host);
    }
    /* The same without in-place access: the accumulator tile is copied in and out. */
    mem.map = NULL;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i += 4) {
        double g = bench_device(&cases[i]);
        double host = cases[i].a_type == S5000_MMA_F64 ? host_f64 : host_f32;

        printf("%-12s %10.2f %12.2f   (accumulator copied, no map)\n", cases[i].name, g,
               g / host);
    }
    emu_mma_set_simd(false);
    portable = bench_device(&cases[8]);
    printf("%-12s %10.2f %12.2f   (copied, portable kernel: no host vector FMA)\n",
           cases[8].name, portable, portable / host_f32);
    free(buf);
    return 0;
}
