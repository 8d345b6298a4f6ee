// SPDX-License-Identifier: MIT
// musa-cc sample: the device API in C, compiled with -Wall -Wextra -Werror.
#include <musa_fp16.h>
#include <musa_bf16.h>
#include <musa_fp8.h>
#include <musa_mma.h>

extern __thread float area[];

__global__ void collectives(int *ints, float *floats, double *doubles, unsigned long long *wide,
			    long *longs)
{
	unsigned int t = threadIdx.x + blockIdx.x * blockDim.x;
	unsigned int lane = __musa_lane_id();

	ints[t] = __shfl_sync(0xffffffffu, ints[t], 0) + __shfl_up_sync(0xffffffffu, ints[t], 1) +
		  __shfl_down_sync(0xffffffffu, ints[t], 2, 16) + __shfl_xor_sync(0xffffffffu, ints[t], 3);
	floats[t] = __shfl_xor_sync(__activemask(), floats[t], 1, 8) + __shfl_sync(~0u, floats[t], 2);
	doubles[t] = __shfl_down_sync(~0u, doubles[t], 1);
	wide[t] = __shfl_sync(0xffffffffu, wide[t], lane ^ 1);
	longs[t] = __shfl_up_sync(~0u, longs[t], 4, 8);
	ints[t] += (int)__ballot_sync(0xffffffffu, ints[t] > 0) + __any_sync(~0u, lane == 3) +
		   __all_sync(~0u, lane < 32);
	__syncwarp();
	__syncwarp(0x0000ffffu);
	ints[t] += __syncthreads_count(ints[t] & 1) + __syncthreads_and(ints[t]) +
		   __syncthreads_or(ints[t]);
	__syncthreads();
	__threadfence();
	area[t] = (float)ints[t];
}

__global__ void atomics(int *i, unsigned int *u, unsigned long long *ull, long long *ll, float *f,
			double *d)
{
	atomicAdd(i, 1);
	atomicSub(u, 1u);
	atomicExch(f, 2.0f);
	atomicExch(ull, 2ull);
	atomicMin(ll, 3ll);
	atomicMax(i, 4);
	atomicAnd(u, 5u);
	atomicOr(ull, 6ull);
	atomicXor(i, 7);
	atomicCAS(ull, 8ull, 9ull);
	atomicInc(u, 10u);
	atomicDec(u, 10u);
	atomicAdd(f, 1.5f);
	atomicAdd(d, 1.5);
}

__global__ void math(float *f, double *d, int *i)
{
	float x = f[threadIdx.x];
	double y = d[threadIdx.x];
	float s, c;

	sincosf(x, &s, &c);
	f[0] = sqrtf(x) + expf(x) + logf(x) + powf(x, 2.0f) + sinf(x) + cosf(x) + tanf(x) +
	       tanhf(x) + erff(x) + atan2f(x, 1.0f) + __expf(x) + __logf(x) + __fdividef(x, 3.0f) +
	       __saturatef(x) + min(x, 2.0f) + max(x, 1.0f) + s + c + (isnan(x) ? 1.0f : 0.0f);
	d[0] = sqrt(y) + exp(y) + log(y) + pow(y, 0.5) + sin(y) + cos(y) + tan(y) + min(y, 2.0);
	i[0] = min(i[1], 2) + max(i[2], 3u) + __popc((unsigned int)i[3]) + __clz(i[4]) + abs(i[5]) +
	       (int)umax(1u, 2u);
	i[1] = (int)clock64();
	assert(i[2] != 12345);
}

__global__ void numbers(const float *in, __half *h, __mt_bfloat16 *b, __mt_fp8_storage_t *q,
			float *out)
{
	unsigned int t = threadIdx.x;
	__half x = __float2half(in[t]), y = __float2half(in[t + 1]);
	__mt_bfloat16 u = __float2bfloat16(in[t]);
	__half2 xy = __floats2half2_rn(in[t], in[t + 1]);

	h[t] = __hfma(x, y, __hadd(x, __hmul(x, y)));
	xy = __hmul2(xy, xy);
	b[t] = __musa_bf16_hfma(u, u, __musa_bf16_hadd(u, u));
	q[t] = __mt_cvt_float_to_fp8(in[t], __MT_SATFINITE, __MT_E4M3);
	q[t + 1] = __mt_cvt_double_to_fp8((double)in[t], __MT_NOSAT, __MT_E5M2);
	out[t] = __half2float(h[t]) + __bfloat162float(b[t]) + __low2float(xy) +
		 __half2float(__ushort_as_half(__mt_cvt_fp8_to_halfraw(q[t], __MT_E4M3).x));
}

__global__ void tensor(const __mt_fp8_storage_t *a, const __mt_fp8_storage_t *b, float *out)
{
	__shared__ __align__(16) unsigned char acc[16 * 16 * 4];
	struct s5000_mma d = __musa_mma_desc(S5000_MMA_E4M3, S5000_MMA_E4M3, S5000_MMA_ACC_F32,
					     16, 16, 32, a, 32, b, 32, acc, 16, S5000_MMA_B_TRANS);

	__musa_mma(&d);
	d = __musa_mma_store_desc(S5000_MMA_ACC_F32, S5000_MMA_F32, 16, 16, acc, 16, out, 16, 0, 0,
				  S5000_MMA_CLEAR);
	__musa_mma(&d);
}
