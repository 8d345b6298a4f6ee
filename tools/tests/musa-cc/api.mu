// SPDX-License-Identifier: MIT
// musa-cc sample: the device API in C++, compiled with -Wall -Wextra -Werror.
#include <musa_fp16.h>
#include <musa_bf16.h>
#include <musa_fp8.h>
#include <musa_mma.h>

__device__ int counter;

template <typename T>
__device__ T warp_sum(T v)
{
	for (int offset = warpSize / 2; offset > 0; offset /= 2)
		v += __shfl_down_sync(0xffffffffu, v, offset);
	return v;
}

extern "C" __global__ __launch_bounds__(128) void collectives(int *ints, float *floats, double *doubles,
							      unsigned long long *wide)
{
	unsigned int t = threadIdx.x + blockIdx.x * blockDim.x + threadIdx.y * gridDim.x;
	unsigned int lane = __musa_lane_id();

	ints[t] = warp_sum(ints[t]) + __shfl_sync(0xffffffffu, ints[t], 0) +
		  __shfl_up_sync(0xffffffffu, ints[t], 1, 16) + __shfl_xor_sync(0xffffffffu, ints[t], 3);
	floats[t] = warp_sum(floats[t]) + __shfl_xor_sync(__activemask(), floats[t], 1, 8);
	doubles[t] = warp_sum(doubles[t]);
	wide[t] = __shfl_sync(0xffffffffu, wide[t], lane ^ 1) + warp_sum(wide[t]);
	ints[t] += (int)__ballot_sync(0xffffffffu, ints[t] > 0) + __any_sync(0xffffffffu, lane == 3) +
		   __all_sync(0xffffffffu, lane < 32);
	__syncwarp();
	__syncwarp(0x0000ffffu);
	ints[t] += __syncthreads_count(ints[t] & 1) + __syncthreads_and(ints[t]) +
		   __syncthreads_or(ints[t]);
	__syncthreads();
	__threadfence();
	__threadfence_block();
	__threadfence_system();
}

extern "C" __global__ void atomics(int *i, unsigned int *u, unsigned long long *ull, long long *ll,
				   float *f, double *d)
{
	atomicAdd(i, 1);
	atomicSub(i, 1);
	atomicExch(i, 2);
	atomicMin(i, 3);
	atomicMax(i, 4);
	atomicAnd(i, 5);
	atomicOr(i, 6);
	atomicXor(i, 7);
	atomicCAS(i, 8, 9);
	atomicAdd(u, 1u);
	atomicSub(u, 1u);
	atomicInc(u, 10u);
	atomicDec(u, 10u);
	atomicCAS(u, 1u, 2u);
	atomicAdd(ull, 1ull);
	atomicExch(ull, 2ull);
	atomicCAS(ull, 1ull, 2ull);
	atomicMin(ll, 3ll);
	atomicMax(ll, 4ll);
	atomicAdd(f, 1.5f);
	atomicExch(f, 2.5f);
	atomicAdd(d, 1.5);
	atomicAdd_block(i, 1);
	atomicAdd_system(i, 1);
	atomicAdd(&counter, 1);
}

extern "C" __global__ void math(float *f, double *d, int *i)
{
	float x = f[threadIdx.x];
	double y = d[threadIdx.x];

	f[0] = sqrtf(x) + rsqrtf(x) + cbrtf(x) + fmaf(x, x, x) + fabsf(x) + floorf(x) + ceilf(x) +
	       truncf(x) + roundf(x) + rintf(x) + nearbyintf(x) + fminf(x, 1.0f) + fmaxf(x, 1.0f) +
	       copysignf(x, -1.0f) + fmodf(x, 3.0f) + ldexpf(x, 3) + expf(x) + exp2f(x) + exp10f(x) +
	       expm1f(x) + logf(x) + log2f(x) + log10f(x) + log1pf(x) + powf(x, 2.5f) + sinf(x) +
	       cosf(x) + tanf(x) + sinhf(x) + coshf(x) + tanhf(x) + asinf(x) + acosf(x) + atanf(x) +
	       atan2f(x, 2.0f) + hypotf(x, 2.0f) + erff(x) + erfcf(x) + __expf(x) + __exp10f(x) +
	       __logf(x) + __log2f(x) + __log10f(x) + __powf(x, 2.0f) + __sinf(x) + __cosf(x) +
	       __tanf(x) + __fdividef(x, 3.0f) + __saturatef(x) + __fadd_rn(x, 1.0f) +
	       __fmul_rn(x, 2.0f) + __frsqrt_rn(x) + INFINITY;
	d[0] = sqrt(y) + fma(y, y, y) + fabs(y) + floor(y) + ceil(y) + trunc(y) + round(y) + rint(y) +
	       fmin(y, 1.0) + fmax(y, 1.0) + copysign(y, -1.0) + exp(y) + exp2(y) + exp10(y) +
	       expm1(y) + log(y) + log2(y) + log10(y) + log1p(y) + pow(y, 2.5) + pow(y, 3) + sin(y) +
	       cos(y) + tan(y) + sinh(y) + cosh(y) + tanh(y) + asin(y) + acos(y) + atan(y) +
	       atan2(y, 2.0) + hypot(y, 2.0) + cbrt(y) + rsqrt(y);
	/* C++ float overloads and integer arguments */
	f[1] = sqrt(x) + exp(x) + pow(x, 2.0f) + sin(x) + fabs(x) + erf(x) + fmod(x, 2.0f) + abs(x) +
	       (float)sqrt(2) + (float)pow(2, 3);
	float s, c;
	int e;
	sincosf(x, &s, &c);
	f[2] = s + c + frexpf(x, &e) + (float)e + (isnan(x) ? 1.0f : 0.0f) + (isinf(y) ? 1.0f : 0.0f);
	i[0] = __popc(i[1]) + __popcll(i[2]) + __clz(i[3]) + __clzll(i[4]) + __ffs(i[5]) +
	       __ffsll(i[6]) + (int)__brev(i[7]) + (int)__brevll(i[8]) + (int)__byte_perm(1, 2, 3) +
	       __mulhi(i[9], 3) + (int)__umulhi(5, 6) + (int)__mul64hi(7, 8) + (int)__umul64hi(9, 10) +
	       __mul24(i[10], 3) + (int)__umul24(5, 6) + (int)__sad(1, 2, 3) + (int)__usad(1, 2, 3) +
	       (int)__funnelshift_l(1, 2, 3) + (int)__funnelshift_r(1, 2, 3) +
	       (int)__funnelshift_lc(1, 2, 40) + (int)__funnelshift_rc(1, 2, 40) + min(i[11], 3) +
	       max(i[12], 4) + (int)min(2u, 3u) + (int)max(2ll, 3ll) + (int)min(1.0f, 2.0f) +
	       (int)umin(1u, 2u) + (int)llmax(1ll, 2ll) + abs(i[13]) +
	       (int)lrintf(x) + (int)llround(y) + __float_as_int(x) + (int)__double_as_longlong(y);
	i[1] = (int)clock() + (int)clock64() + (int)__musa_globaltimer() + (int)__musa_sm_id() +
	       (int)__musa_warp_id() + (int)__musa_num_warps() + (int)__musa_dynamic_shared_size();
	assert(i[2] != 12345);
	if (i[3] == 12345)
		__trap();
}

extern "C" __global__ void numbers(const float *in, __half *h, __mt_bfloat16 *b,
				   __mt_fp8_storage_t *q, __mt_fp8_e4m3 *e4, __mt_fp8_e5m2 *e5,
				   float *out)
{
	unsigned int t = threadIdx.x;
	__half x = in[t], y = __float2half(in[t + 1]);
	__mt_bfloat16 u = in[t], v = __float2bfloat16(in[t + 1]);
	__half2 xy = __halves2half2(x, y);
	__mt_bfloat162 uv = __floats2bfloat162_rn(in[t], in[t + 1]);

	h[t] = x + y * x - x / y;
	h[t] += __hfma(x, y, x);
	h[t + 1] = __hadd(x, __hneg(y)) + __hmax(x, y) + hsqrt(x) + __shfl_xor_sync(~0u, x, 1);
	xy = xy * xy + __hfma2(xy, xy, xy);
	b[t] = u + v * u - __hfma(u, v, u) + __shfl_sync(~0u, v, 0);
	uv = __hadd2(uv, uv) * uv;
	q[t] = __mt_cvt_float_to_fp8(in[t], __MT_SATFINITE, __MT_E4M3);
	q[t + 1] = __mt_cvt_float_to_fp8(in[t], __MT_NOSAT, __MT_E5M2);
	q[t + 2] = __mt_cvt_halfraw_to_fp8(__half_raw(x), __MT_SATFINITE, __MT_E5M2);
	q[t + 3] = __mt_cvt_bfloat16raw_to_fp8(__mt_bfloat16_raw(u), __MT_SATFINITE, __MT_E4M3);
	e4[t] = __mt_fp8_e4m3(in[t]);
	e5[t] = __mt_fp8_e5m2(x);
	__mt_fp8x2_e4m3 pair(make_float2(in[t], in[t + 1]));
	__mt_fp8x4_e5m2 quad(make_float4(1.0f, 2.0f, 3.0f, 4.0f));
	float4 back = static_cast<float4>(quad);
	out[t] = static_cast<float>(e4[t]) + static_cast<float>(e5[t]) + (float)x + (float)u +
		 __half2float(__mt_cvt_fp8_to_halfraw(q[t], __MT_E4M3)) + __low2float(xy) +
		 __high2float(uv) + static_cast<float2>(pair).y + back.w + (float)static_cast<int>(e4[t]) +
		 __bfloat162float(__low2bfloat16(uv));
}

extern "C" __global__ void tensor(const __mt_fp8_storage_t *a, const __mt_fp8_storage_t *b, float *out,
				  const float *scales)
{
	__shared__ __align__(16) unsigned char acc[16 * 16 * 16];
	struct s5000_mma d = __musa_mma_desc(S5000_MMA_E4M3, S5000_MMA_E5M2, S5000_MMA_ACC_EXACT,
					     16, 16, 32, a, 32, b, 16, acc, 16, 0);

	__musa_mma(&d);
	d = __musa_mma_store_desc(S5000_MMA_ACC_EXACT, S5000_MMA_F32, 16, 16, acc, 16, out, 16,
				  scales, scales + 1, S5000_MMA_CLEAR);
	__musa_mma(&d);
	out[threadIdx.x] += (float)__musa_mma_acc_bytes(S5000_MMA_ACC_HOPPER);
}

extern "C" __global__ void dynamic(float *out)
{
	extern __shared__ float4 area[];
	float *also = (float *)__musa_dynamic_shared();

	area[threadIdx.x] = make_float4(1.0f, 2.0f, 3.0f, (float)threadIdx.x);
	__syncthreads();
	out[threadIdx.x] = area[threadIdx.x ^ 1].w + also[0] + (float)__ldg(&out[1]);
}
