// SPDX-License-Identifier: MIT
/* Kernels of bench/musa_compute_bench: the scalar loop of spin.h, one copy per thread. */
#include "spin.h"

extern "C" __global__ void spin_kernel(unsigned long iterations, unsigned long *out)
{
	unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;

	out[i] = spin(iterations, i + 1);
}
