// SPDX-License-Identifier: MIT
// Kernels of musa_device_lib_test: the device headers' functions run on the device,
// their results compared with the host (warp and block rules, atomics) or with the
// same header code built for the host (math, half, bfloat16, FP8), bit for bit.
#include <musa_fp16.h>
#include <musa_bf16.h>
#include <musa_fp8.h>

#include "device_lib.h"

__shared__ int before_dynamic[37];

/* Each shuffle kind for widths 32, 16 and 8, in four types. */
extern "C" __global__ void shuffles(int *oi, float *of, double *od, unsigned long long *ou)
{
	int lane = threadIdx.x;

	for (int w = 0; w < 3; w++) {
		int width = 32 >> w, base = w * DL_SHFL_KINDS * 32;
		int src = (lane * 7) % 32, delta_up = 3, delta_down = 5, mask = 6 + w * 5;
		unsigned long long wide = (unsigned long long)lane << 40 | 7;

		oi[base + lane] = __shfl_sync(~0u, lane * 10, src, width);
		oi[base + 32 + lane] = __shfl_up_sync(~0u, lane * 10, delta_up, width);
		oi[base + 64 + lane] = __shfl_down_sync(~0u, lane * 10, delta_down, width);
		oi[base + 96 + lane] = __shfl_xor_sync(~0u, lane * 10, mask, width);
		of[base + lane] = __shfl_sync(~0u, lane * 0.5f, src, width);
		of[base + 32 + lane] = __shfl_up_sync(~0u, lane * 0.5f, delta_up, width);
		of[base + 64 + lane] = __shfl_down_sync(~0u, lane * 0.5f, delta_down, width);
		of[base + 96 + lane] = __shfl_xor_sync(~0u, lane * 0.5f, mask, width);
		od[base + lane] = __shfl_sync(~0u, lane * 0.25, src, width);
		od[base + 32 + lane] = __shfl_up_sync(~0u, lane * 0.25, delta_up, width);
		od[base + 64 + lane] = __shfl_down_sync(~0u, lane * 0.25, delta_down, width);
		od[base + 96 + lane] = __shfl_xor_sync(~0u, lane * 0.25, mask, width);
		ou[base + lane] = __shfl_sync(~0u, wide, src, width);
		ou[base + 32 + lane] = __shfl_up_sync(~0u, wide, delta_up, width);
		ou[base + 64 + lane] = __shfl_down_sync(~0u, wide, delta_down, width);
		ou[base + 96 + lane] = __shfl_xor_sync(~0u, wide, mask, width);
	}
}

extern "C" __global__ void votes(unsigned int *o)
{
	unsigned int lane = threadIdx.x;

	o[lane] = __ballot_sync(~0u, lane % 3 == 0);
	o[32 + lane] = __any_sync(~0u, lane == 7);
	o[64 + lane] = __all_sync(~0u, lane < 32);
	o[96 + lane] = __all_sync(~0u, lane < 31);
	o[128 + lane] = __activemask();
	if (lane < 10) {
		o[160 + lane] = __activemask();
		o[192 + lane] = __ballot_sync(0x3ffu, lane & 1);
	}
	__syncwarp();
	o[224 + lane] = __ballot_sync(0xffff0000u, 1);
	o[256 + lane] = __musa_lane_id();
}

extern "C" __global__ void barriers(int *o)
{
	int t = threadIdx.x;
	int count = __syncthreads_count(t % 3 == 0);
	int all = __syncthreads_and(t < 64), not_all = __syncthreads_and(t < 63);
	int any = __syncthreads_or(t == 5), none = __syncthreads_or(t == 500);

	if (t == 0) {
		o[0] = count;
		o[1] = all;
		o[2] = not_all;
		o[3] = any;
		o[4] = none;
	}
}

extern "C" __global__ void atomics(int *i, unsigned int *u, unsigned long long *ull, long long *ll,
				   float *f, double *d)
{
	int t = blockIdx.x * blockDim.x + threadIdx.x, old;

	atomicAdd(&i[0], 1);
	atomicSub(&i[1], 2);
	atomicMax(&i[2], t);
	atomicMin(&i[3], -t);
	atomicOr(&u[0], 1u << (t % 32));
	atomicAnd(&u[1], ~(1u << (t % 16)));
	atomicXor(&u[2], 1u << (t % 8));
	atomicInc(&u[3], 99u);
	atomicDec(&u[4], 99u);
	atomicAdd(&ull[0], 3ull);
	atomicMax(&ll[0], (long long)t * -5);
	atomicMin(&ll[1], (long long)t * -5);
	atomicAdd(&f[0], 1.0f);
	atomicExch(&f[1], 7.0f);
	atomicAdd(&d[0], 0.5);
	do {
		old = i[4];
	} while (atomicCAS(&i[4], old, old + 2) != old);
}

extern "C" __global__ void math(const float *in, float *out, const double *din, double *dout, int n)
{
	int t = blockIdx.x * blockDim.x + threadIdx.x;

	if (t < n) {
		dl_math_float(in[t], out + t * DL_MATH_FUNCS);
		dl_math_double(din[t], dout + t * DL_MATH_FUNCS);
	}
}

extern "C" __global__ void numbers(const float *in, unsigned short *h, unsigned char *q, int n)
{
	int t = blockIdx.x * blockDim.x + threadIdx.x;

	if (t < n)
		dl_numbers(in[t], in[(t + 1) % n], h + t * DL_HALF_RESULTS, q + t * DL_FP8_RESULTS);
}

extern "C" __global__ void dynamic(unsigned long long *o)
{
	extern __shared__ float area[];
	__shared__ double after[3];
	unsigned int t = threadIdx.x;

	area[t] = (float)t;
	after[t % 3] = 1.0;
	before_dynamic[t % 37] = 1;
	__syncthreads();
	o[t] = (unsigned long long)area[(t + 1) % blockDim.x] + (unsigned long long)after[0] +
	       before_dynamic[0];
	if (t == 0) {
		o[blockDim.x] = (unsigned long long)area;
		o[blockDim.x + 1] = (unsigned long long)__musa_dynamic_shared();
		o[blockDim.x + 2] = __musa_dynamic_shared_size();
		o[blockDim.x + 3] = (unsigned long long)clock64();
		o[blockDim.x + 4] = (unsigned long long)clock64();
	}
}
