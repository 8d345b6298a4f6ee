// SPDX-License-Identifier: MIT
/*
 * The scalar loop as a static riscv64 Linux program without libc, for qemu-riscv64:
 * SPIN_HOST_ITERS iterations of kernels/spin.h, the low byte of the result as exit status.
 */
#include "kernels/spin.h"

void _start(void) __attribute__((noreturn));
void _start(void)
{
	register unsigned long a0 __asm__("a0") = spin(SPIN_HOST_ITERS, 1) & 0xff;
	register unsigned long a7 __asm__("a7") = 93;	/* exit */

	__asm__ volatile("ecall" : : "r"(a0), "r"(a7));
	__builtin_unreachable();
}
