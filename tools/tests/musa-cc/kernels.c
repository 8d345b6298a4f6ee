// SPDX-License-Identifier: MIT
// musa-cc sample in C: needs -DGAIN=... and -I for sample_helper.h.
#include "sample_helper.h"

struct Span {
	const float *in;
	float *out;
	int n;
};

extern __thread float staging[];	/* C's spelling of extern __shared__ */

__global__ void saxpy(float a, struct Span s)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;

	if (i < s.n)
		s.out[i] = a * s.in[i] * GAIN + s.out[i];
}

__global__ void histogram(const unsigned char *in, unsigned int *bins, int n)
{
	__shared__ unsigned int local[256];
	float *scratch = (float *)__musa_dynamic_shared();
	int i;

	for (i = threadIdx.x; i < 256; i += blockDim.x)
		local[i] = 0;
	scratch[threadIdx.x] = (float)threadIdx.x;
	staging[threadIdx.x] += scratch[threadIdx.x ^ 1];
	__syncthreads();
	for (i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
		atomicAdd(&local[sample_bucket(in[i])], 1u);
	__syncthreads();
	for (i = threadIdx.x; i < 256; i += blockDim.x)
		atomicAdd(&bins[i], local[i]);
}
