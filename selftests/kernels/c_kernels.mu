// SPDX-License-Identifier: MIT
/* A kernel written in C (musa-cc -x c): its name is never mangled. */

__global__ void c_saxpy(float a, const float *x, float *y, int n)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;

	if (i < n)
		y[i] = a * x[i] + y[i];
}
