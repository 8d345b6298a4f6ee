/* SPDX-License-Identifier: MIT */
/*
 * musa_mma.h: the S5000 tensor core from device code, C and C++.
 *
 * One MMA instruction runs a whole tile operation for the warp that executes it,
 * from a struct s5000_mma descriptor in memory (uapi/s5000.h, prose in
 * uapi/s5000-mma.md). Every lane of the warp executes the instruction; the device
 * reads the descriptor at the address its lowest active lane passes, so lanes
 * that fill identical descriptors at the same (stack or shared) address agree.
 *
 *   struct s5000_mma d = __musa_mma_desc(S5000_MMA_E4M3, S5000_MMA_E4M3,
 *                                        S5000_MMA_ACC_EXACT, 16, 16, 32,
 *                                        a, lda, b, ldb, acc, ldacc, S5000_MMA_ZERO);
 *   __musa_mma(&d);                     (acc = A B: acc needs no zeroing)
 *   d.flags = 0;                        (then acc += A B for the next k)
 *   d = __musa_mma_store_desc(S5000_MMA_ACC_EXACT, S5000_MMA_F32, 16, 16, acc, ldacc,
 *                             out, ldout, 0, 0, S5000_MMA_CLEAR);
 *   __musa_mma(&d);
 */
#ifndef MUSA_MMA_H
#define MUSA_MMA_H

#include <s5000.h>

#define __MUSA_MMA_STR(x) #x
#define __MUSA_MMA_XSTR(x) __MUSA_MMA_STR(x)

/* Executes one tile operation. The clobber orders it with the warp's other memory accesses. */
static __inline__ __attribute__((always_inline)) void __musa_mma(const struct s5000_mma *d)
{
	__asm__ __volatile__(".insn r " __MUSA_MMA_XSTR(S5000_OPC_SIMT) ", "
			     __MUSA_MMA_XSTR(S5000_SIMT_MMA) ", 0, x0, %0, x0"
			     :: "r"(d) : "memory");
}

static __inline__ __attribute__((always_inline)) __u64 __musa_mma_addr(const void *p)
{
	return (__u64)(unsigned long)p;
}

/*
 * An MMA descriptor: acc (m x n, row-major, ldacc) += A (m x k, lda) * B (k x n, ldb;
 * n x k with S5000_MMA_B_TRANS); with S5000_MMA_ZERO, acc = A * B (the old acc is not
 * read). HOPPER accumulators get S5000_MMA_HOPPER_BITS, the DeepSeek-V3 figure;
 * change d.hopper_bits to model another tensor core.
 */
static __inline__ __attribute__((always_inline)) struct s5000_mma
__musa_mma_desc(unsigned int a_type, unsigned int b_type, unsigned int acc_type, unsigned int m,
		unsigned int n, unsigned int k, const void *a, unsigned int lda, const void *b,
		unsigned int ldb, void *acc, unsigned int ldacc, unsigned int flags)
{
	struct s5000_mma d;

	__builtin_memset(&d, 0, sizeof(d));
	d.op = S5000_MMA_OP_MMA;
	d.a_type = (__u8)a_type;
	d.b_type = (__u8)b_type;
	d.acc_type = (__u8)acc_type;
	d.hopper_bits = acc_type == S5000_MMA_ACC_HOPPER ? S5000_MMA_HOPPER_BITS : 0;
	d.flags = (__u16)flags;
	d.m = (__u16)m;
	d.n = (__u16)n;
	d.k = (__u16)k;
	d.lda = lda;
	d.ldb = ldb;
	d.ldacc = ldacc;
	d.a = __musa_mma_addr(a);
	d.b = __musa_mma_addr(b);
	d.acc = __musa_mma_addr(acc);
	return d;
}

/*
 * A STORE descriptor: out (m x n, out_type, ldout) = acc * scale_a * scale_b, rounded
 * once (plus the old out with S5000_MMA_ACCUMULATE); S5000_MMA_CLEAR zeroes acc.
 * A null scale means 1.0.
 */
static __inline__ __attribute__((always_inline)) struct s5000_mma
__musa_mma_store_desc(unsigned int acc_type, unsigned int out_type, unsigned int m,
		      unsigned int n, void *acc, unsigned int ldacc, void *out,
		      unsigned int ldout, const float *scale_a, const float *scale_b,
		      unsigned int flags)
{
	struct s5000_mma d;

	__builtin_memset(&d, 0, sizeof(d));
	d.op = S5000_MMA_OP_STORE;
	d.acc_type = (__u8)acc_type;
	d.out_type = (__u8)out_type;
	d.flags = (__u16)flags;
	d.m = (__u16)m;
	d.n = (__u16)n;
	d.ldacc = ldacc;
	d.ldout = ldout;
	d.acc = __musa_mma_addr(acc);
	d.out = __musa_mma_addr(out);
	d.scale_a = __musa_mma_addr(scale_a);
	d.scale_b = __musa_mma_addr(scale_b);
	return d;
}

/* Bytes of one accumulator element of a kind, to size acc buffers. */
static __inline__ __attribute__((always_inline)) unsigned int __musa_mma_acc_bytes(unsigned int acc_type)
{
	return acc_type == S5000_MMA_ACC_EXACT ? 16 :
	       acc_type == S5000_MMA_ACC_F32 ? 4 : 8;
}

#endif /* MUSA_MMA_H */
