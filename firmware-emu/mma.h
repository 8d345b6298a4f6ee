/* SPDX-License-Identifier: MIT */
/*
 * The tensor core: runs one struct s5000_mma (uapi/s5000.h, "device ISA"; the
 * numerics are uapi/s5000-mma.md) for the warp that executes the MMA instruction.
 *
 * It reads its operands row by row through the caller's memory callbacks (in place
 * where it can map them), converts them once into local tiles, computes, and writes
 * back only after every read has succeeded: a failed read leaves memory untouched. -1 also when the calling thread's
 * scratch tiles (about 500 KiB, kept for its next MMA) cannot be allocated (logged). Any number of threads may run
 * MMAs at once; each uses its own scratch tiles.
 */
#ifndef EMU_MMA_H
#define EMU_MMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../uapi/s5000.h"

struct emu_mma_mem {
    void *opaque;
    /* Copy n bytes at a thread address (global or shared window); false after recording a fault. */
    bool (*read)(void *opaque, uint64_t addr, void *buf, size_t n);
    bool (*write)(void *opaque, uint64_t addr, const void *buf, size_t n);
    /*
     * Optional (NULL: copies only). A host pointer through which the n bytes at addr
     * may be read and, with write, written in place until emu_mma_run() returns;
     * NULL when they are not one directly accessible host range, and then without
     * recording a fault (the tensor core falls back to read and write, which report
     * it). The accumulator of an MMA is updated in place through it, saving two
     * copies of the tile, and operand rows are read in place.
     */
    void *(*map)(void *opaque, uint64_t addr, size_t n, bool write);
};

/* Runs one struct s5000_mma. 0 on success, S5000_KFAULT_BAD_MMA for an invalid descriptor, -1 if a read or write failed. */
int emu_mma_run(const struct s5000_mma *d, const struct emu_mma_mem *mem);

/*
 * Whether the FP32 and exact kernels may use the host's vector FMA instructions
 * (AVX2 and FMA, when the CPU has them; the default). Results are bit-identical
 * either way; tests switch it off to compare the two. Returns the previous setting.
 */
bool emu_mma_set_simd(bool enable);

/*
 * Whether, with those, the AVX-512 kernels may run where the host has them (the
 * default); off leaves the AVX2/FMA ones, for tests. Returns the previous setting.
 */
bool emu_mma_set_avx512(bool enable);

#endif /* EMU_MMA_H */
