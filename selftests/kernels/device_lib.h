/* SPDX-License-Identifier: MIT */
/*
 * What device_lib.mu's kernels and musa_device_lib_test's host side both compute,
 * from the same device headers: the device's results must equal the host's bit for
 * bit (the math library is built without FMA contraction on both sides).
 */
#ifndef DEVICE_LIB_H
#define DEVICE_LIB_H

#define DL_SHFL_KINDS		4	/* idx, up, down, xor */
#define DL_VOTE_ROWS		9
#define DL_MATH_FUNCS		40
#define DL_HALF_RESULTS		8
#define DL_FP8_RESULTS		4

static inline void dl_math_float(float x, float *o)
{
	int e;

	o[0] = __musa_expf(x);
	o[1] = __musa_exp2f(x);
	o[2] = __musa_exp10f(x);
	o[3] = __musa_expm1f(x);
	o[4] = __musa_logf(x);
	o[5] = __musa_log2f(x);
	o[6] = __musa_log10f(x);
	o[7] = __musa_log1pf(x);
	o[8] = __musa_powf(x, 1.37f);
	o[9] = __musa_sinf(x);
	o[10] = __musa_cosf(x);
	o[11] = __musa_tanf(x);
	o[12] = __musa_sinhf(x);
	o[13] = __musa_coshf(x);
	o[14] = __musa_tanhf(x);
	o[15] = __musa_asinf(x);
	o[16] = __musa_acosf(x);
	o[17] = __musa_atanf(x);
	o[18] = __musa_atan2f(x, 0.7f);
	o[19] = __musa_erff(x);
	o[20] = __musa_erfcf(x);
	o[21] = __musa_cbrtf(x);
	o[22] = __musa_hypotf(x, 3.0f);
	o[23] = __musa_rsqrtf(x);
	o[24] = __musa_sqrtf(x);
	o[25] = __musa_floorf(x);
	o[26] = __musa_ceilf(x);
	o[27] = __musa_roundf(x);
	o[28] = __musa_rintf(x);
	o[29] = __musa_truncf(x);
	o[30] = __musa_fmodf(x, 0.3f);
	o[31] = __musa_frexpf(x, &e) + (float)e;
	o[32] = __musa_ldexpf(x, 7);
	o[33] = __expf(x);
	o[34] = __logf(x);
	o[35] = __sinf(x);
	o[36] = __cosf(x);
	o[37] = __powf(x, 1.5f);
	o[38] = __musa_fmaf(x, x, 1.0f);
	o[39] = __saturatef(x);
}

static inline void dl_math_double(double y, double *p)
{
	int k;

	p[0] = __musa_exp(y);
	p[1] = __musa_exp2(y);
	p[2] = __musa_exp10(y);
	p[3] = __musa_expm1(y);
	p[4] = __musa_log(y);
	p[5] = __musa_log2(y);
	p[6] = __musa_log10(y);
	p[7] = __musa_log1p(y);
	p[8] = __musa_pow(y, 1.37);
	p[9] = __musa_sin(y);
	p[10] = __musa_cos(y);
	p[11] = __musa_tan(y);
	p[12] = __musa_sinh(y);
	p[13] = __musa_cosh(y);
	p[14] = __musa_tanh(y);
	p[15] = __musa_asin(y);
	p[16] = __musa_acos(y);
	p[17] = __musa_atan(y);
	p[18] = __musa_atan2(y, 0.7);
	p[19] = __musa_cbrt(y);
	p[20] = __musa_hypot(y, 3.0);
	p[21] = __musa_sin(y * 1e6);
	p[22] = __musa_cos(y * 1e15);
	p[23] = __musa_pow(-y, 3.0);
	p[24] = __musa_floor(y);
	p[25] = __musa_rint(y);
	p[26] = __musa_round(y);
	p[27] = __musa_sqrt(y);
	p[28] = __musa_fma(y, y, 1.0);
	p[29] = __musa_tan(y * 1e300);
	for (k = 30; k < DL_MATH_FUNCS; k++)
		p[k] = 0.0;
}

/* half, bfloat16 and FP8 results of x (and its neighbour y) as their bits */
static inline void dl_numbers(float x, float y, unsigned short *h, unsigned char *q)
{
	__half a = __float2half(x), b = __float2half(y);
	__mt_bfloat16 u = __float2bfloat16(x), v = __float2bfloat16(y);

	h[0] = __half_as_ushort(a);
	h[1] = __half_as_ushort(__hfma(a, b, a));
	h[2] = __half_as_ushort(__hadd(__hmul(a, b), b));
	h[3] = __bfloat16_as_ushort(u);
	h[4] = __bfloat16_as_ushort(__musa_bf16_hfma(u, v, u));
	h[5] = __half_as_ushort(__hdiv(a, b));
	h[6] = __mt_cvt_fp8_to_halfraw(__mt_cvt_float_to_fp8(x, __MT_SATFINITE, __MT_E4M3), __MT_E4M3).x;
	h[7] = __mt_cvt_fp8_to_halfraw(__mt_cvt_float_to_fp8(x, __MT_SATFINITE, __MT_E5M2), __MT_E5M2).x;
	q[0] = __mt_cvt_float_to_fp8(x, __MT_SATFINITE, __MT_E4M3);
	q[1] = __mt_cvt_float_to_fp8(x, __MT_NOSAT, __MT_E4M3);
	q[2] = __mt_cvt_float_to_fp8(x, __MT_SATFINITE, __MT_E5M2);
	q[3] = __mt_cvt_float_to_fp8(x, __MT_NOSAT, __MT_E5M2);
}

#endif /* DEVICE_LIB_H */
