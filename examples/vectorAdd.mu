// SPDX-License-Identifier: MIT
/* vectorAdd's kernel, as in CUDA's sample: C = A + B, one element per thread. */

extern "C" __global__ void vectorAdd(const float *A, const float *B, float *C, int numElements)
{
	int i = blockDim.x * blockIdx.x + threadIdx.x;

	if (i < numElements)
		C[i] = A[i] + B[i];
}
