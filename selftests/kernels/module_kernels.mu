// SPDX-License-Identifier: MIT
/*
 * The module musa_module_test loads: globals to find, read and write, kernels with
 * arguments to pass both ways, launch bounds and shared memory to report.
 */

__device__ int module_counter = 1234;
__device__ float module_table[64] = { 1.5f, 2.5f };

/* out = module_counter; module_counter += add; module_table[i] *= 2 for every thread i. */
extern "C" __global__ void touch_globals(int add, int *out)
{
	if (threadIdx.x == 0) {
		out[0] = module_counter;
		module_counter += add;
	}
	if (threadIdx.x < 64)
		module_table[threadIdx.x] *= 2;
}

/* Every argument, widened, into @out: what kernelParams and extra must both deliver. */
extern "C" __global__ void pack_args(signed char c, int i, long long l, float f, double d,
				     short s, long long *out)
{
	if (blockIdx.x || threadIdx.x)
		return;
	out[0] = c;
	out[1] = i;
	out[2] = l;
	out[3] = (long long)(f * 4);
	out[4] = (long long)(d * 4);
	out[5] = s;
}

/* At most 128 threads per block, by its launch bounds. */
extern "C" __global__ void __launch_bounds__(128) bounded(int *out)
{
	out[blockIdx.x * blockDim.x + threadIdx.x] = (int)threadIdx.x;
}

/* 40 KiB of static shared memory: what it leaves of the 48 KiB default. */
extern "C" __global__ void big_static(int *out)
{
	__shared__ int buf[10240];

	buf[threadIdx.x] = (int)threadIdx.x;
	__syncthreads();
	out[threadIdx.x] = buf[blockDim.x - 1 - threadIdx.x];
}

/* Dynamic shared memory as large as the launch gave: fills it, sums it back. */
extern "C" __global__ void fill_dynamic(unsigned long long *out)
{
	extern __shared__ unsigned int words[];
	unsigned int n = __musa_dynamic_shared_size() / 4;
	unsigned long long sum = 0;

	for (unsigned int i = threadIdx.x; i < n; i += blockDim.x)
		words[i] = i;
	__syncthreads();
	if (threadIdx.x)
		return;
	for (unsigned int i = 0; i < n; i++)
		sum += words[i];
	out[0] = sum;
}

extern "C" __global__ void no_args(void)
{
}

/* A 1 KiB argument: a few hundred launches go round the kernarg ring. */
struct big_arg {
	int v[256];
};

extern "C" __global__ void sum_big_arg(struct big_arg b, int *out)
{
	int sum = 0;

	for (int i = 0; i < 256; i++)
		sum += b.v[i];
	out[0] = sum;
}
