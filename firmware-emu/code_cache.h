/* SPDX-License-Identifier: MIT */
/*
 * Decoded kernel code, kept between launches.
 *
 * A launch fetches its code range through the MMU every time (so it must be mapped
 * EXEC now, and is whatever it is now), and reuses the program decoded from the same
 * range and bytes before, if there is one. Any thread may use the cache; a program
 * stays while a launch holds a reference to it.
 */
#ifndef EMU_CODE_CACHE_H
#define EMU_CODE_CACHE_H

#include <stdint.h>

#include "mmu.h"

struct emu_code_cache;
struct emu_code;
struct simt_program;

/* NULL if out of memory. */
struct emu_code_cache *emu_code_cache_new(void);
/* No launch may hold a reference any more. */
void emu_code_cache_free(struct emu_code_cache *cc);

/*
 * The program of [start, start + size) in ctx, fetched through tlb, with a reference;
 * NULL with *fault filled in (the fetch's fault, or BAD_LAUNCH without memory).
 */
struct emu_code *emu_code_get(struct emu_code_cache *cc, struct emu_mmu *mmu,
                              struct emu_tlb *tlb, unsigned int ctx, uint64_t start,
                              uint64_t size, struct emu_fault *fault);
void emu_code_put(struct emu_code_cache *cc, struct emu_code *code);

const struct simt_program *emu_code_program(const struct emu_code *code);

/* simt_program_writes() of the kernel at instruction `entry`, worked out once. */
uint32_t emu_code_writes(struct emu_code_cache *cc, struct emu_code *code, uint32_t entry);

#endif /* EMU_CODE_CACHE_H */
