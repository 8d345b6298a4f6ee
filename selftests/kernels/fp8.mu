// SPDX-License-Identifier: MIT
/*
 * Number conversions in device code through the device headers' CUDA-style API
 * (musa_fp8.h, musa_fp16.h, musa_bf16.h), for musa_kernel_test to hold against the
 * reference vectors: FP32 to E4M3 and E5M2 (saturating and not), BF16 and FP16, and
 * the decode of every FP8 code through the FP8 classes.
 */
#include <musa_fp8.h>

/* out[6 i ...] = { e4m3 sat, e4m3 nosat, e5m2 sat, e5m2 nosat, bf16, fp16 } of bits[i]. */
extern "C" __global__ void convert_f32(const unsigned int *bits, unsigned int *out, int n)
{
	unsigned int i = threadIdx.x;
	float f;

	if ((int)i >= n)
		return;
	f = __uint_as_float(bits[i]);
	out[6 * i + 0] = __mt_cvt_float_to_fp8(f, __MT_SATFINITE, __MT_E4M3);
	out[6 * i + 1] = __mt_cvt_float_to_fp8(f, __MT_NOSAT, __MT_E4M3);
	out[6 * i + 2] = __mt_cvt_float_to_fp8(f, __MT_SATFINITE, __MT_E5M2);
	out[6 * i + 3] = __mt_cvt_float_to_fp8(f, __MT_NOSAT, __MT_E5M2);
	out[6 * i + 4] = __bfloat16_as_ushort(__float2bfloat16_rn(f));
	out[6 * i + 5] = __half_as_ushort(__float2half_rn(f));
}

/* out[c] = E4M3 code c as a float, out[256 + c] = E5M2 code c. */
extern "C" __global__ void decode_fp8(float *out)
{
	unsigned int c = threadIdx.x;
	__mt_fp8_e4m3 e4;
	__mt_fp8_e5m2 e5;

	e4.__x = (__mt_fp8_storage_t)c;
	e5.__x = (__mt_fp8_storage_t)c;
	out[c] = static_cast<float>(e4);
	out[256 + c] = static_cast<float>(e5);
}
