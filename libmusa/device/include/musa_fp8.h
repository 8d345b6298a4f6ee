/* SPDX-License-Identifier: MIT */
/*
 * musa_fp8.h: OCP OFP8 (E4M3, E5M2) for device code, CUDA's cuda_fp8.h API with
 * __nv_ renamed __mt_ and __NV_ renamed __MT_.
 *
 * Encoding rounds to nearest even from the exact input (uapi/s5000_float.h, the
 * tensor core's own code): __MT_SATFINITE clamps to +-448 (E4M3) or +-57344 (E5M2),
 * __MT_NOSAT gives NaN (E4M3, which has no infinity) or +-Inf (E5M2) on overflow.
 * Decoding is exact; every E4M3 and E5M2 value is a half, a bfloat16 and a float.
 *
 * C and C++: the __mt_cvt_* functions; C++ adds CUDA's classes __mt_fp8_e4m3,
 * __mt_fp8_e5m2 and their x2/x4 forms, whose constructors saturate (SATFINITE) and
 * whose conversions are explicit, as in CUDA.
 */
#ifndef MUSA_FP8_H
#define MUSA_FP8_H

#include "musa_fp16.h"
#include "musa_bf16.h"

#define __MUSA_FP8 static __inline__ __attribute__((always_inline))

typedef unsigned char __mt_fp8_storage_t;
typedef unsigned short __mt_fp8x2_storage_t;
typedef unsigned int __mt_fp8x4_storage_t;

typedef enum __mt_saturation_t {
	__MT_NOSAT,
	__MT_SATFINITE,
} __mt_saturation_t;

typedef enum __mt_fp8_interpretation_t {
	__MT_E4M3,
	__MT_E5M2,
} __mt_fp8_interpretation_t;

/* ------------------------------------------------------------ conversions */

__MUSA_FP8 __mt_fp8_storage_t __mt_cvt_double_to_fp8(double x, __mt_saturation_t saturate,
						      __mt_fp8_interpretation_t type)
{
	return type == __MT_E4M3 ? s5000_f64_to_e4m3(x, saturate == __MT_SATFINITE) :
	       s5000_f64_to_e5m2(x, saturate == __MT_SATFINITE);
}

__MUSA_FP8 __mt_fp8_storage_t __mt_cvt_float_to_fp8(float x, __mt_saturation_t saturate,
						     __mt_fp8_interpretation_t type)
{
	return type == __MT_E4M3 ? s5000_f32_to_e4m3(x, saturate == __MT_SATFINITE) :
	       s5000_f32_to_e5m2(x, saturate == __MT_SATFINITE);
}

/* the value of an FP8 code, exactly */
__MUSA_FP8 float __musa_fp8_to_float(__mt_fp8_storage_t x, __mt_fp8_interpretation_t type)
{
	return type == __MT_E4M3 ? s5000_e4m3_to_f32(x) : s5000_e5m2_to_f32(x);
}

/* x2 and x4 packings: element 0 in the low byte */
__MUSA_FP8 __mt_fp8x2_storage_t __mt_cvt_float2_to_fp8x2(float2 x, __mt_saturation_t saturate,
							  __mt_fp8_interpretation_t type)
{
	return (__mt_fp8x2_storage_t)(__mt_cvt_float_to_fp8(x.x, saturate, type) |
				      __mt_cvt_float_to_fp8(x.y, saturate, type) << 8);
}

__MUSA_FP8 __mt_fp8x2_storage_t __mt_cvt_double2_to_fp8x2(double2 x, __mt_saturation_t saturate,
							   __mt_fp8_interpretation_t type)
{
	return (__mt_fp8x2_storage_t)(__mt_cvt_double_to_fp8(x.x, saturate, type) |
				      __mt_cvt_double_to_fp8(x.y, saturate, type) << 8);
}

/* from half and bfloat16: decoding is exact, so the input is rounded once */
__MUSA_FP8 __mt_fp8_storage_t __mt_cvt_halfraw_to_fp8(__half_raw x, __mt_saturation_t saturate,
						       __mt_fp8_interpretation_t type)
{
	return __mt_cvt_float_to_fp8(s5000_f16_to_f32(x.x), saturate, type);
}

__MUSA_FP8 __mt_fp8x2_storage_t __mt_cvt_halfraw2_to_fp8x2(__half2_raw x,
							    __mt_saturation_t saturate,
							    __mt_fp8_interpretation_t type)
{
	float2 f = { s5000_f16_to_f32(x.x), s5000_f16_to_f32(x.y) };

	return __mt_cvt_float2_to_fp8x2(f, saturate, type);
}

__MUSA_FP8 __mt_fp8_storage_t __mt_cvt_bfloat16raw_to_fp8(__mt_bfloat16_raw x,
							   __mt_saturation_t saturate,
							   __mt_fp8_interpretation_t type)
{
	return __mt_cvt_float_to_fp8(s5000_bf16_to_f32(x.x), saturate, type);
}

__MUSA_FP8 __mt_fp8x2_storage_t __mt_cvt_bfloat16raw2_to_fp8x2(__mt_bfloat162_raw x,
								__mt_saturation_t saturate,
								__mt_fp8_interpretation_t type)
{
	float2 f = { s5000_bf16_to_f32(x.x), s5000_bf16_to_f32(x.y) };

	return __mt_cvt_float2_to_fp8x2(f, saturate, type);
}

__MUSA_FP8 __half_raw __mt_cvt_fp8_to_halfraw(__mt_fp8_storage_t x, __mt_fp8_interpretation_t type)
{
	__half_raw r;

	r.x = s5000_f32_to_f16(__musa_fp8_to_float(x, type));
	return r;
}

__MUSA_FP8 __half2_raw __mt_cvt_fp8x2_to_halfraw2(__mt_fp8x2_storage_t x,
						   __mt_fp8_interpretation_t type)
{
	__half2_raw r;

	r.x = __mt_cvt_fp8_to_halfraw((__mt_fp8_storage_t)x, type).x;
	r.y = __mt_cvt_fp8_to_halfraw((__mt_fp8_storage_t)(x >> 8), type).x;
	return r;
}

#ifdef __cplusplus
/* ------------------------------------------------------------ C++ classes */

/* float to an integer type as CUDA's FP8 classes convert: saturated, NaN gives 0 */
template <class T>
__MUSA_FP8 T __musa_fp8_to_integer(float f, double lo, double hi)
{
	return f != f ? T(0) : f <= lo ? T(lo) : f >= hi ? T(hi) : T(f);
}

#define __MUSA_FP8_SCALAR(name, kind)							\
struct __attribute__((aligned(1))) name {						\
	__mt_fp8_storage_t __x;								\
											\
	name() = default;								\
	explicit name(const float f) : __x(__mt_cvt_float_to_fp8(f, __MT_SATFINITE, kind)) {} \
	explicit name(const double f) : __x(__mt_cvt_double_to_fp8(f, __MT_SATFINITE, kind)) {} \
	explicit name(const __half f) : name(static_cast<float>(f)) {}			\
	explicit name(const __mt_bfloat16 f) : name(static_cast<float>(f)) {}		\
	explicit name(const int v) : name(static_cast<double>(v)) {}			\
	explicit name(const unsigned int v) : name(static_cast<double>(v)) {}		\
	explicit name(const short v) : name(static_cast<double>(v)) {}			\
	explicit name(const unsigned short v) : name(static_cast<double>(v)) {}		\
	explicit name(const long long v) : name(static_cast<double>(v)) {}		\
	explicit name(const unsigned long long v) : name(static_cast<double>(v)) {}	\
	explicit operator float() const { return __musa_fp8_to_float(__x, kind); }	\
	explicit operator double() const { return __musa_fp8_to_float(__x, kind); }	\
	explicit operator __half() const { return __half(__mt_cvt_fp8_to_halfraw(__x, kind)); } \
	explicit operator __mt_bfloat16() const { return __mt_bfloat16(float(*this)); } \
	explicit operator bool() const { return (__x & 0x7f) != 0; }			\
	explicit operator char() const							\
	{ return __musa_fp8_to_integer<char>(float(*this), -128.0, 127.0); }		\
	explicit operator signed char() const						\
	{ return __musa_fp8_to_integer<signed char>(float(*this), -128.0, 127.0); }	\
	explicit operator unsigned char() const						\
	{ return __musa_fp8_to_integer<unsigned char>(float(*this), 0.0, 255.0); }	\
	explicit operator short() const							\
	{ return __musa_fp8_to_integer<short>(float(*this), -32768.0, 32767.0); }	\
	explicit operator unsigned short() const					\
	{ return __musa_fp8_to_integer<unsigned short>(float(*this), 0.0, 65535.0); }	\
	explicit operator int() const							\
	{ return __musa_fp8_to_integer<int>(float(*this), -2147483648.0, 2147483647.0); } \
	explicit operator unsigned int() const						\
	{ return __musa_fp8_to_integer<unsigned int>(float(*this), 0.0, 4294967295.0); } \
	explicit operator long long() const						\
	{ return __musa_fp8_to_integer<long long>(float(*this), -9.2e18, 9.2e18); }	\
	explicit operator unsigned long long() const					\
	{ return __musa_fp8_to_integer<unsigned long long>(float(*this), 0.0, 1.8e19); } \
};

#define __MUSA_FP8_PAIR(name, kind)							\
struct __attribute__((aligned(2))) name {						\
	__mt_fp8x2_storage_t __x;							\
											\
	name() = default;								\
	explicit name(const float2 f) : __x(__mt_cvt_float2_to_fp8x2(f, __MT_SATFINITE, kind)) {} \
	explicit name(const double2 f) : __x(__mt_cvt_double2_to_fp8x2(f, __MT_SATFINITE, kind)) {} \
	explicit name(const __half2 f)							\
		: __x(__mt_cvt_halfraw2_to_fp8x2(__half2_raw(f), __MT_SATFINITE, kind)) {} \
	explicit name(const __mt_bfloat162 f)						\
		: __x(__mt_cvt_bfloat16raw2_to_fp8x2(__mt_bfloat162_raw(f), __MT_SATFINITE, kind)) {} \
	explicit operator __half2() const { return __half2(__mt_cvt_fp8x2_to_halfraw2(__x, kind)); } \
	explicit operator float2() const						\
	{										\
		return make_float2(__musa_fp8_to_float((__mt_fp8_storage_t)__x, kind),	\
				   __musa_fp8_to_float((__mt_fp8_storage_t)(__x >> 8), kind)); \
	}										\
};

#define __MUSA_FP8_QUAD(name, pair, kind)						\
struct __attribute__((aligned(4))) name {						\
	__mt_fp8x4_storage_t __x;							\
											\
	name() = default;								\
	explicit name(const float4 f)							\
		: __x(__mt_cvt_float2_to_fp8x2(make_float2(f.x, f.y), __MT_SATFINITE, kind) | \
		      (__mt_fp8x4_storage_t)__mt_cvt_float2_to_fp8x2(make_float2(f.z, f.w), \
								     __MT_SATFINITE, kind) << 16) {} \
	explicit name(const double4 f)							\
		: __x(__mt_cvt_double2_to_fp8x2(make_double2(f.x, f.y), __MT_SATFINITE, kind) | \
		      (__mt_fp8x4_storage_t)__mt_cvt_double2_to_fp8x2(make_double2(f.z, f.w), \
								      __MT_SATFINITE, kind) << 16) {} \
	explicit name(const __half2 lo, const __half2 hi)				\
		: __x(pair(lo).__x | (__mt_fp8x4_storage_t)pair(hi).__x << 16) {}	\
	explicit name(const __mt_bfloat162 lo, const __mt_bfloat162 hi)			\
		: __x(pair(lo).__x | (__mt_fp8x4_storage_t)pair(hi).__x << 16) {}	\
	explicit operator float4() const						\
	{										\
		return make_float4(__musa_fp8_to_float((__mt_fp8_storage_t)__x, kind),	\
				   __musa_fp8_to_float((__mt_fp8_storage_t)(__x >> 8), kind), \
				   __musa_fp8_to_float((__mt_fp8_storage_t)(__x >> 16), kind), \
				   __musa_fp8_to_float((__mt_fp8_storage_t)(__x >> 24), kind)); \
	}										\
};

__MUSA_FP8_SCALAR(__mt_fp8_e4m3, __MT_E4M3)
__MUSA_FP8_SCALAR(__mt_fp8_e5m2, __MT_E5M2)
__MUSA_FP8_PAIR(__mt_fp8x2_e4m3, __MT_E4M3)
__MUSA_FP8_PAIR(__mt_fp8x2_e5m2, __MT_E5M2)
__MUSA_FP8_QUAD(__mt_fp8x4_e4m3, __mt_fp8x2_e4m3, __MT_E4M3)
__MUSA_FP8_QUAD(__mt_fp8x4_e5m2, __mt_fp8x2_e5m2, __MT_E5M2)
#undef __MUSA_FP8_SCALAR
#undef __MUSA_FP8_PAIR
#undef __MUSA_FP8_QUAD
#endif /* __cplusplus */

#endif /* MUSA_FP8_H */
