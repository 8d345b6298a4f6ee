// SPDX-License-Identifier: MIT
/*
 * Device instructions per second per host core, for
 *   (a) a scalar integer loop in one GPU thread,
 *   (b) the same loop in every thread of many converged warps,
 *   (c) a loop of single-precision FMAs in converged warps,
 *   (d) saxpy over many blocks, which is mostly memory accesses,
 * all run through KERNEL_LAUNCH on the device core (no QEMU). Thread instructions
 * are what the compute units counted; "per core" divides by the compute threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa_fixture.h"

static struct isa t;

struct measure {
    double seconds;
    uint64_t instructions;
};

static struct measure run(const struct isa_launch *l)
{
    uint64_t w0, t0, w1, t1, start;
    struct isa_result r;
    struct measure m;

    emu_compute_counts(&t.dev.compute, &w0, &t0);
    start = emu_now_ns();
    r = isa_run(&t, 0, l);
    m.seconds = (emu_now_ns() - start) / 1e9;
    emu_compute_counts(&t.dev.compute, &w1, &t1);
    m.instructions = t1 - t0;
    if (r.error || r.timed_out) {
        fprintf(stderr, "bench_isa: %s failed: error %u kind %u\n", l->kernel, r.error, r.kind);
        exit(1);
    }
    return m;
}

static double report(const char *what, struct measure m, unsigned int cores)
{
    double rate = m.instructions / m.seconds / cores;

    printf("%-44s %8.1f M instructions/s per core (%llu in %.3f s on %u)\n", what, rate / 1e6,
           (unsigned long long)m.instructions, m.seconds, cores);
    return rate;
}

static uint64_t loop_args(uint64_t iterations, uint64_t threads)
{
    uint64_t args = isa_alloc(&t, 16);
    uint64_t *a = isa_ptr(&t, args);

    a[0] = iterations;
    a[1] = isa_alloc(&t, 8 * threads);
    return args;
}

static uint64_t saxpy_args(uint32_t n)
{
    struct { float a; uint32_t n; uint64_t x, y; } s = { 2.0f, n, 0, 0 };
    uint64_t args = isa_alloc(&t, sizeof(s));
    float *x, *y;

    s.x = isa_alloc(&t, 4ull * n);
    s.y = isa_alloc(&t, 4ull * n);
    x = isa_ptr(&t, s.x);
    y = isa_ptr(&t, s.y);
    for (uint32_t i = 0; i < n; i++) {
        x[i] = (float)i;
        y[i] = 1.0f;
    }
    memcpy(isa_ptr(&t, args), &s, sizeof(s));
    return args;
}

int main(int argc, char **argv)
{
    unsigned int cores = argc > 1 ? (unsigned int)atoi(argv[1]) : 1;
    const uint32_t n = 1u << 22;
    struct isa_launch scalar = {
        .kernel = "bench_int_loop", .grid = { 1 }, .block = { 1 },
    };
    struct isa_launch wide = {
        .kernel = "bench_int_loop", .grid = { 64 * cores }, .block = { 256 },
    };
    struct isa_launch fma = {
        .kernel = "bench_fma_loop", .grid = { 16 * cores }, .block = { 256 },
    };
    struct isa_launch saxpy = {
        .kernel = "isa_saxpy", .grid = { n / 256 }, .block = { 256 },
    };
    double r_scalar, r_wide, r_fma, r_saxpy;

    if (cores < 1 || cores > EMU_COMPUTE_THREADS_MAX || isa_init(&t, cores) < 0) {
        fprintf(stderr, "usage: bench_isa [compute threads, 1..%d]\n", EMU_COMPUTE_THREADS_MAX);
        return 2;
    }
    scalar.kernarg = loop_args(20000000, 1);
    wide.kernarg = loop_args(20000, 64ull * cores * 256);
    fma.kernarg = loop_args(10000, 16ull * cores * 256);
    saxpy.kernarg = saxpy_args(n);
    run(&saxpy);                            /* warm up: decode, page in */

    r_scalar = report("(a) integer loop, 1 thread", run(&scalar), 1);
    r_wide = report("(b) integer loop, converged warps", run(&wide), cores);
    r_fma = report("(c) FMA loop, converged warps", run(&fma), cores);
    r_saxpy = report("(d) saxpy, 4M elements in blocks of 256", run(&saxpy), cores);
    printf("per core, relative to one thread's integer loop: converged integer %.1fx, "
           "FMA %.1fx, saxpy %.1fx\n", r_wide / r_scalar, r_fma / r_scalar,
           r_saxpy / r_scalar);
    isa_fini(&t);
    return 0;
}
