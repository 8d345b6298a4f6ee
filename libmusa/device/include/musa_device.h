/* SPDX-License-Identifier: MIT */
/*
 * musa_device.h: the CUDA-style device environment for S5000 kernels.
 *
 * musa-cc includes this header before every source file, as nvcc does with
 * cuda_runtime.h. It provides the function and variable qualifiers, the built-in
 * index variables, barriers, warp collectives (musa_warp.h), atomics
 * (musa_atomic.h), integer intrinsics (musa_intrinsics.h), the math library
 * (musa_math.h) and the vector types. Half, bfloat16, FP8 and the tensor core have
 * headers of their own: musa_fp16.h, musa_bf16.h, musa_fp8.h, musa_mma.h.
 *
 * Everything here works in C and in C++. Device code is freestanding: there is no
 * libc, so no printf and no malloc; memcpy, memset, memmove and memcmp are provided.
 */
#ifndef MUSA_DEVICE_H
#define MUSA_DEVICE_H

#if !defined(__riscv) || __riscv_xlen != 64
#error "musa_device.h is for S5000 device code: compile it with musa-cc"
#endif

#include <stddef.h>
#include <stdint.h>
#include <s5000.h>

#define __MUSA_STR(x) #x
#define __MUSA_XSTR(x) __MUSA_STR(x)
/* Picks the optional last argument of a variadic macro, or a default. */
#define __MUSA_PICK(_0, _1, ...) _1

/* ------------------------------------------------------------ qualifiers */

/*
 * musa-cc finds kernels and launch bounds in clang's AST, where an annotation shows
 * its integer arguments but not its string: the tags tell them apart.
 */
#define __MUSA_KERNEL_TAG		0x4d55534b	/* "MUSK" */
#define __MUSA_LAUNCH_BOUNDS_TAG	0x4d55534c	/* "MUSL" */

#define __global__ __attribute__((annotate("musa.kernel", __MUSA_KERNEL_TAG)))
#define __launch_bounds__(...) \
	__attribute__((annotate("musa.launch_bounds", __MUSA_LAUNCH_BOUNDS_TAG, __VA_ARGS__)))
#define __device__
#define __host__
/* No separate constant bank: a __constant__ variable is an ordinary device global. */
#define __constant__
#define __forceinline__ __inline__ __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __restrict__ __restrict
#define __align__(n) __attribute__((aligned(n)))

/*
 * Shared memory is thread-local storage to the compiler: the device points tp at the
 * block's shared window, so every thread of the block sees the same variable. C++'s
 * thread_local is implicitly static at block scope, like CUDA's __shared__; C has no
 * such rule, so in C __shared__ carries its own static (and extern __shared__ does
 * not exist: use __musa_dynamic_shared()).
 */
#ifdef __cplusplus
#define __shared__ thread_local
#else
#define __shared__ static __thread
#endif

#include "musa_vector_types.h"

/* --------------------------------------------------- built-in variables */

#define __MUSA_CSR_READ(csr) ({						\
	unsigned long __musa_v;						\
	__asm__("csrr %0, " __MUSA_XSTR(csr) : "=r"(__musa_v));	\
	(unsigned int)__musa_v; })

/*
 * The index registers are constant for a thread's lifetime, so the reads are not
 * volatile: the compiler may combine and hoist them, and drops the components a
 * kernel does not use.
 */
static __forceinline__ uint3 __musa_thread_idx(void)
{
	uint3 v = { __MUSA_CSR_READ(S5000_CSR_TID_X), __MUSA_CSR_READ(S5000_CSR_TID_Y),
		    __MUSA_CSR_READ(S5000_CSR_TID_Z) };
	return v;
}

static __forceinline__ uint3 __musa_block_idx(void)
{
	uint3 v = { __MUSA_CSR_READ(S5000_CSR_CTAID_X), __MUSA_CSR_READ(S5000_CSR_CTAID_Y),
		    __MUSA_CSR_READ(S5000_CSR_CTAID_Z) };
	return v;
}

static __forceinline__ dim3 __musa_block_dim(void)
{
	dim3 v = { __MUSA_CSR_READ(S5000_CSR_NTID_X), __MUSA_CSR_READ(S5000_CSR_NTID_Y),
		   __MUSA_CSR_READ(S5000_CSR_NTID_Z) };
	return v;
}

static __forceinline__ dim3 __musa_grid_dim(void)
{
	dim3 v = { __MUSA_CSR_READ(S5000_CSR_NCTAID_X), __MUSA_CSR_READ(S5000_CSR_NCTAID_Y),
		   __MUSA_CSR_READ(S5000_CSR_NCTAID_Z) };
	return v;
}

#define threadIdx (__musa_thread_idx())
#define blockIdx (__musa_block_idx())
#define blockDim (__musa_block_dim())
#define gridDim (__musa_grid_dim())
#define warpSize S5000_WARP_SIZE

static __forceinline__ unsigned int __musa_lane_id(void)
{
	return __MUSA_CSR_READ(S5000_CSR_LANEID);
}

static __forceinline__ unsigned int __musa_warp_id(void)
{
	return __MUSA_CSR_READ(S5000_CSR_WARPID);
}

static __forceinline__ unsigned int __musa_num_warps(void)
{
	return __MUSA_CSR_READ(S5000_CSR_NWARPS);
}

static __forceinline__ unsigned int __musa_sm_id(void)
{
	return __MUSA_CSR_READ(S5000_CSR_SMID);
}

/* Bytes of dynamic shared memory this launch asked for. */
static __forceinline__ unsigned int __musa_dynamic_shared_size(void)
{
	return __MUSA_CSR_READ(S5000_CSR_DYN_SHARED);
}

/*
 * The dynamic shared area (16-byte aligned), what `extern __shared__ T name[];`
 * names in C++. C code uses this instead.
 */
static __forceinline__ void *__musa_dynamic_shared(void)
{
	unsigned long off = __MUSA_CSR_READ(S5000_CSR_DYN_SHARED_OFF);
	void *p;

	__asm__("add %0, tp, %1" : "=r"(p) : "r"(off));
	return p;
}

/* ------------------------------------------------------------ barriers */

#define __MUSA_SIMT_INSN(group, op) \
	".insn r " __MUSA_XSTR(S5000_OPC_SIMT) ", " __MUSA_XSTR(group) ", " __MUSA_XSTR(op)

static __forceinline__ void __syncthreads(void)
{
	__asm__ __volatile__(__MUSA_SIMT_INSN(S5000_SIMT_CTRL, S5000_CTRL_BAR) ", x0, x0, x0"
			     ::: "memory");
}

#define __MUSA_BAR_REDUCE(op, pred) ({						\
	long __musa_r;								\
	__asm__ __volatile__(__MUSA_SIMT_INSN(S5000_SIMT_CTRL, op) ", %0, %1, x0"	\
			     : "=r"(__musa_r) : "r"((long)((pred) != 0)) : "memory");	\
	(int)__musa_r; })

/* Block barriers that also count, AND or OR a predicate over the block. */
static __forceinline__ int __syncthreads_count(int predicate)
{
	return __MUSA_BAR_REDUCE(S5000_CTRL_BAR_POPC, predicate);
}

static __forceinline__ int __syncthreads_and(int predicate)
{
	return __MUSA_BAR_REDUCE(S5000_CTRL_BAR_AND, predicate);
}

static __forceinline__ int __syncthreads_or(int predicate)
{
	return __MUSA_BAR_REDUCE(S5000_CTRL_BAR_OR, predicate);
}

static __forceinline__ void __musa_syncwarp(unsigned int mask)
{
	__asm__ __volatile__(__MUSA_SIMT_INSN(S5000_SIMT_CTRL, S5000_CTRL_WARP_SYNC)
			     ", x0, %0, x0" :: "r"((unsigned long)mask) : "memory");
}

#ifdef __cplusplus
static __forceinline__ void __syncwarp(unsigned int mask = 0xffffffffu)
{
	__musa_syncwarp(mask);
}
#else
#define __syncwarp(...) __musa_syncwarp(__MUSA_PICK(0, ##__VA_ARGS__, 0xffffffffu))
#endif

/* The A extension's fence orders memory for every observer, block or device. */
static __forceinline__ void __threadfence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static __forceinline__ void __threadfence_block(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static __forceinline__ void __threadfence_system(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* --------------------------------------------------------- time and traps */

#ifndef __MUSA_CLOCK_T
#define __MUSA_CLOCK_T
typedef long clock_t;
#endif

/* The cycle counter: instructions this thread has executed. */
static __forceinline__ long long clock64(void)
{
	long long c;

	__asm__ __volatile__("rdcycle %0" : "=r"(c));
	return c;
}

static __forceinline__ clock_t clock(void)
{
	return (clock_t)clock64();
}

/* The device timestamp (S5000_REG_TIMESTAMP), in nanoseconds. */
static __forceinline__ unsigned long long __musa_globaltimer(void)
{
	unsigned long long t;

	__asm__ __volatile__("rdtime %0" : "=r"(t));
	return t;
}

/* Ends the kernel with fault TRAP; the code appears in the fault report. */
static __forceinline__ __attribute__((noreturn)) void __musa_trap(unsigned long code)
{
	__asm__ __volatile__(__MUSA_SIMT_INSN(S5000_SIMT_CTRL, S5000_CTRL_TRAP) ", x0, %0, x0"
			     :: "r"(code) : "memory");
	__builtin_unreachable();
}

static __forceinline__ __attribute__((noreturn)) void __trap(void)
{
	__musa_trap(0);
}

/* A failed assert() traps with its source line as the code. */
#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : __musa_trap(__LINE__))
#endif

/* -------------------------------------------------------- loads */

/* Global memory has no separate read-only path: __ldg is a plain load. */
#define __ldg(p) (*(p))

/*
 * --------------------------------------------------- runtime support
 * The compiler calls these for structure copies and clears; they are weak so that
 * a definition of the program's own wins.
 */
#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t __attribute__((may_alias)) __musa_word_t;

__attribute__((weak)) void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = (unsigned char *)dst;
	const unsigned char *s = (const unsigned char *)src;

	if ((((uintptr_t)d | (uintptr_t)s | n) & 7) == 0) {
		for (; n; n -= 8, d += 8, s += 8)
			*(__musa_word_t *)d = *(const __musa_word_t *)s;
		return dst;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

__attribute__((weak)) void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = (unsigned char *)dst;

	if ((((uintptr_t)d | n) & 7) == 0) {
		uint64_t v = 0x0101010101010101ull * (unsigned char)c;

		for (; n; n -= 8, d += 8)
			*(__musa_word_t *)d = v;
		return dst;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

__attribute__((weak)) void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = (unsigned char *)dst;
	const unsigned char *s = (const unsigned char *)src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

__attribute__((weak)) int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

#ifdef __cplusplus
}
#endif

#include "musa_intrinsics.h"
#include "musa_warp.h"
#include "musa_atomic.h"
#include "musa_math.h"

#endif /* MUSA_DEVICE_H */
