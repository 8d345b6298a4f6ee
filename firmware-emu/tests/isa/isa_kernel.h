/* SPDX-License-Identifier: MIT */
/* The ISA tests' C kernels: special registers and SIMT instructions as inline functions. */
#ifndef ISA_KERNEL_H
#define ISA_KERNEL_H

#include <stdint.h>

#include "s5000.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define CSR_READ(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " STR(csr) : "=r"(v_)); v_; })

static inline uint32_t tid_x(void)   { return (uint32_t)CSR_READ(0xcc0); }
static inline uint32_t tid_y(void)   { return (uint32_t)CSR_READ(0xcc1); }
static inline uint32_t tid_z(void)   { return (uint32_t)CSR_READ(0xcc2); }
static inline uint32_t ntid_x(void)  { return (uint32_t)CSR_READ(0xcc3); }
static inline uint32_t ctaid_x(void) { return (uint32_t)CSR_READ(0xcc6); }
static inline uint32_t nctaid_x(void) { return (uint32_t)CSR_READ(0xcc9); }
static inline uint32_t lane_id(void) { return (uint32_t)CSR_READ(0xccc); }
static inline uint32_t warp_id(void) { return (uint32_t)CSR_READ(0xccd); }

static inline uint32_t global_id(void)
{
    return ctaid_x() * ntid_x() + tid_x();
}

static inline void syncthreads(void)
{
    __asm__ volatile(".insn r 0x0b, 0, 0, x0, x0, x0" ::: "memory");
}

static inline uint64_t syncthreads_count(int pred)
{
    uint64_t r;

    __asm__ volatile(".insn r 0x0b, 0, 4, %0, %1, x0" : "=r"(r) : "r"((long)pred) : "memory");
    return r;
}

static inline void syncwarp(uint32_t mask)
{
    __asm__ volatile(".insn r 0x0b, 0, 3, x0, %0, x0" : : "r"((long)mask) : "memory");
}

static inline uint32_t ballot(uint32_t mask, int pred)
{
    uint64_t r;

    __asm__ volatile(".insn r 0x0b, 1, 0, %0, %1, %2" : "=r"(r) : "r"((long)pred), "r"((long)mask));
    return (uint32_t)r;
}

static inline uint32_t active_mask(void)
{
    uint64_t r;

    __asm__ volatile(".insn r 0x0b, 1, 3, %0, x0, x0" : "=r"(r));
    return (uint32_t)r;
}

static inline uint64_t shfl(uint64_t v, uint32_t lane)
{
    uint64_t r;

    __asm__ volatile(".insn r 0x0b, 2, 0, %0, %1, %2" : "=r"(r) : "r"(v), "r"((long)lane));
    return r;
}

#endif
