// SPDX-License-Identifier: MIT
/*
 * Kernels of musa_kernel_test that fail on purpose, one way each; the test checks
 * the error each one makes sticky and what the detail says. Every thread but one
 * finishes normally, so the fault report names a thread that really did it.
 */

extern "C" __global__ void fault_read(const int *p, long long offset, int *out)
{
	if (threadIdx.x == 7)
		out[0] = *(const volatile int *)(p + offset);
}

extern "C" __global__ void fault_write(int *p, long long offset)
{
	if (threadIdx.x == 7)
		*(volatile int *)(p + offset) = 1;
}

extern "C" __global__ void fault_illegal(int *out)
{
	out[threadIdx.x] = 1;
	if (threadIdx.x == 3)
		__asm__ __volatile__(".word 0x00000000");	/* all zeros is never an instruction */
}

/* Never ends: the launch's timeout stops it. */
extern "C" __global__ void fault_spin(volatile int *flag)
{
	while (!*flag)
		;
}

extern "C" __global__ void fault_assert(int value)
{
	assert(value == 42);
}

extern "C" __global__ void fault_misaligned(char *p)
{
	if (threadIdx.x == 5)
		*(volatile int *)(p + 2) = 1;
}

/* Shared memory past the block's: the launch gave it @bytes of dynamic memory. */
extern "C" __global__ void fault_shared(unsigned int bytes)
{
	extern __shared__ int dyn[];

	if (!threadIdx.x)
		((volatile int *)dyn)[bytes / 4 + 1024] = 1;
}

/* Half of each warp waits in a warp sync for the other half, which waits at a barrier. */
extern "C" __global__ void fault_barrier(int *out)
{
	/* Lanes 0..15 wait for the whole warp, lanes 16..31 for the whole block. */
	if (threadIdx.x % 32 < 16)
		__syncwarp();
	else
		__syncthreads();
	out[threadIdx.x] = 1;
}
