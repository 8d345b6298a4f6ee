// SPDX-License-Identifier: MIT
// musa-cc sample: static shared arrays in two kernels, and dynamic shared memory.

extern "C" __global__ void reverse_small(int *data)
{
	__shared__ int small[250];
	unsigned int t = threadIdx.x;

	small[t] = data[t];
	__syncthreads();
	data[t] = small[249 - t];
}

extern "C" __global__ void reverse_large(double *data)
{
	__shared__ double large[512];
	unsigned int t = threadIdx.x;

	large[t] = data[t];
	__syncthreads();
	data[t] = large[511 - t];
}

extern "C" __global__ void reduce_dynamic(const float *in, float *out)
{
	extern __shared__ float partial[];
	__shared__ float first;
	unsigned int t = threadIdx.x;

	partial[t] = in[blockIdx.x * blockDim.x + t];
	if (t == 0)
		first = partial[0];
	__syncthreads();
	for (unsigned int s = blockDim.x / 2; s > 0; s >>= 1) {
		if (t < s)
			partial[t] += partial[t + s];
		__syncthreads();
	}
	if (t == 0)
		out[blockIdx.x] = partial[0] - first;
}
