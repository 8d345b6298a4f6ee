// SPDX-License-Identifier: MIT
/*
 * Kernels of the reliability tests: a kernel that checks a buffer against the
 * pattern the host wrote and writes a transform of it (the soak and fault-injection
 * workloads), and two that touch one address, for a process that tries another
 * process's GPU addresses (the hostile-user test).
 */
#include "reliability.h"

/* Counts words of @in that differ from pattern @seed; out[i] = rel_mix(in[i], i). */
extern "C" __global__ void rel_check(const unsigned int *in, unsigned int *out,
				     unsigned int seed, unsigned int n, unsigned int *errors)
{
	unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
	unsigned int v;

	if (i >= n)
		return;
	v = in[i];
	if (v != rel_word(seed, i))
		atomicAdd(errors, 1u);
	out[i] = rel_mix(v, i);
}

/* *out = *addr, from one thread. */
extern "C" __global__ void rel_peek(const unsigned long long *addr, unsigned long long *out)
{
	if (!threadIdx.x)
		*out = *(const volatile unsigned long long *)addr;
}

/* *addr = value, from one thread. */
extern "C" __global__ void rel_poke(unsigned long long *addr, unsigned long long value)
{
	if (!threadIdx.x)
		*(volatile unsigned long long *)addr = value;
}
