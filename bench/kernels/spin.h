/* SPDX-License-Identifier: MIT */
/*
 * The scalar loop both the device and qemu-riscv64 run for the instruction-rate
 * benchmark: SPIN_INSNS_PER_ITER RV64 instructions per iteration, written out in
 * assembly so both builds execute exactly the same instructions.
 */
#ifndef SPIN_H
#define SPIN_H

#define SPIN_INSNS_PER_ITER 8
#define SPIN_HOST_ITERS 200000000ul	/* qemu-riscv64's run: about a second */

static inline unsigned long spin(unsigned long n, unsigned long x)
{
	unsigned long t;

	__asm__ volatile("1:\n\t"
			 "add  %1, %1, %0\n\t"
			 "slli %2, %1, 7\n\t"
			 "xor  %1, %1, %2\n\t"
			 "srli %2, %1, 9\n\t"
			 "xor  %1, %1, %2\n\t"
			 "mul  %1, %1, %0\n\t"
			 "addi %0, %0, -1\n\t"
			 "bnez %0, 1b"
			 : "+r"(n), "+r"(x), "=&r"(t));
	return x;
}

#endif /* SPIN_H */
