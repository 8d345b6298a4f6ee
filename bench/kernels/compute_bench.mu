// SPDX-License-Identifier: MIT
/* Kernels of bench/musa_compute_bench and musa_rt_bench. */
#include "spin.h"

extern "C" __global__ void spin_kernel(unsigned long iterations, unsigned long *out)
{
	unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;

	out[i] = spin(iterations, i + 1);
}

/* Nothing at all: what a launch costs by itself (bench/musa_rt_bench). */
extern "C" __global__ void empty_kernel(void)
{
}
