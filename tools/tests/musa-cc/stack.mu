// SPDX-License-Identifier: MIT
// musa-cc sample: the stack size follows the deepest call chain.

__device__ __noinline__ int leaf(const int *in, int n)
{
	volatile int buf[1000];

	for (int i = 0; i < 1000; i++)
		buf[i] = in[i % n];
	return buf[n];
}

__device__ __noinline__ int middle(const int *in, int n)
{
	volatile int buf[500];

	for (int i = 0; i < 500; i++)
		buf[i] = leaf(in, n + i);
	return buf[n] + leaf(in, 1);
}

__device__ __noinline__ int top(const int *in, int n)
{
	volatile char buf[1000];

	buf[n] = 1;
	return middle(in, n) + buf[n + 1];
}

__device__ __noinline__ int shallow(const int *in, int n)
{
	volatile int buf[10];

	buf[n] = in[0];
	return buf[1];
}

extern "C" __global__ void deep(const int *in, int *out, int n)
{
	out[threadIdx.x] = top(in, n) + shallow(in, n);
}

__device__ __noinline__ int fib(int n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

extern "C" __global__ void recursive(int *out, int n)
{
	out[0] = fib(n);
}
