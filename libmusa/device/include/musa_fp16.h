/* SPDX-License-Identifier: MIT */
/*
 * musa_fp16.h: IEEE binary16 for device code, CUDA's cuda_fp16.h API.
 *
 * __half holds the bits; conversions are uapi/s5000_float.h's (round to nearest
 * even, the same code the tensor core uses). Arithmetic goes through float: a half
 * sum, difference, product or quotient computed in float and rounded to half is the
 * correctly rounded result (float has at least 2 x 11 + 2 bits), and __hfma rounds
 * the exact a * b + c once.
 *
 * C++ gets CUDA's classes, operators and overloads; C gets the same functions on
 * plain structs. Only round-to-nearest conversions exist (no _rz, _rd, _ru).
 */
#ifndef MUSA_FP16_H
#define MUSA_FP16_H

#include <s5000_float.h>

#define __MUSA_FP16 static __inline__ __attribute__((always_inline))

typedef struct __half_raw { unsigned short x; } __half_raw;
typedef struct __half2_raw { unsigned short x, y; } __half2_raw;

#ifdef __cplusplus
struct __attribute__((aligned(2))) __half {
	unsigned short __x;

	__half() = default;
	constexpr __half(const __half_raw &r) : __x(r.x) {}
	__half(float f) : __x(s5000_f32_to_f16(f)) {}
	__half(double d) : __x(s5000_f64_to_f16(d)) {}
	__half(int i) : __x(s5000_f64_to_f16(i)) {}
	__half(unsigned int i) : __x(s5000_f64_to_f16(i)) {}
	__half(short i) : __x(s5000_f64_to_f16(i)) {}
	__half(unsigned short i) : __x(s5000_f64_to_f16(i)) {}
	__half(long long i) : __x(s5000_f64_to_f16((double)i)) {}
	__half(unsigned long long i) : __x(s5000_f64_to_f16((double)i)) {}
	operator float() const { return s5000_f16_to_f32(__x); }
	operator __half_raw() const { __half_raw r = { __x }; return r; }
};

struct __attribute__((aligned(4))) __half2 {
	__half x, y;

	__half2() = default;
	constexpr __half2(const __half &a, const __half &b) : x(a), y(b) {}
	constexpr __half2(const __half2_raw &r) : x(__half_raw{ r.x }), y(__half_raw{ r.y }) {}
	operator __half2_raw() const { __half2_raw r = { x.__x, y.__x }; return r; }
};
#else
typedef struct __attribute__((aligned(2))) __half { unsigned short __x; } __half;
typedef struct __attribute__((aligned(4))) __half2 { __half x, y; } __half2;
#endif
typedef __half half;
typedef __half2 half2;

/* ------------------------------------------------------------ conversions */

__MUSA_FP16 __half __musa_half_from_bits(unsigned short u)
{
	__half h;

	h.__x = u;
	return h;
}

__MUSA_FP16 __half __float2half(float f) { return __musa_half_from_bits(s5000_f32_to_f16(f)); }
__MUSA_FP16 __half __float2half_rn(float f) { return __float2half(f); }
__MUSA_FP16 __half __double2half(double d) { return __musa_half_from_bits(s5000_f64_to_f16(d)); }
__MUSA_FP16 float __half2float(__half h) { return s5000_f16_to_f32(h.__x); }
__MUSA_FP16 __half __int2half_rn(int i) { return __double2half(i); }
__MUSA_FP16 __half __uint2half_rn(unsigned int i) { return __double2half(i); }
__MUSA_FP16 __half __ll2half_rn(long long i) { return __double2half((double)i); }
__MUSA_FP16 __half __short2half_rn(short i) { return __double2half(i); }
/* toward zero, as C's conversions do; NaN gives 0 */
__MUSA_FP16 int __half2int_rz(__half h)
{
	float f = __half2float(h);

	return f != f ? 0 : f >= 2147483647.0f ? 2147483647 : f <= -2147483648.0f ?
	       (int)-2147483647 - 1 : (int)f;
}
__MUSA_FP16 unsigned short __half_as_ushort(__half h) { return h.__x; }
__MUSA_FP16 short __half_as_short(__half h) { return (short)h.__x; }
__MUSA_FP16 __half __ushort_as_half(unsigned short u) { return __musa_half_from_bits(u); }
__MUSA_FP16 __half __short_as_half(short s) { return __musa_half_from_bits((unsigned short)s); }

__MUSA_FP16 __half2 __halves2half2(__half lo, __half hi)
{
	__half2 r;

	r.x = lo;
	r.y = hi;
	return r;
}

__MUSA_FP16 __half2 __floats2half2_rn(float lo, float hi)
{
	return __halves2half2(__float2half(lo), __float2half(hi));
}

__MUSA_FP16 __half2 __float2half2_rn(float f)
{
	return __floats2half2_rn(f, f);
}

__MUSA_FP16 __half2 __half2half2(__half h) { return __halves2half2(h, h); }
__MUSA_FP16 __half __low2half(__half2 v) { return v.x; }
__MUSA_FP16 __half __high2half(__half2 v) { return v.y; }
__MUSA_FP16 float __low2float(__half2 v) { return __half2float(v.x); }
__MUSA_FP16 float __high2float(__half2 v) { return __half2float(v.y); }

__MUSA_FP16 float2 __half22float2(__half2 v)
{
	float2 r = { __half2float(v.x), __half2float(v.y) };

	return r;
}

__MUSA_FP16 __half2 __float22half2_rn(float2 v)
{
	return __floats2half2_rn(v.x, v.y);
}

/* ------------------------------------------------------------ arithmetic */

__MUSA_FP16 __half __hadd(__half a, __half b) { return __float2half(__half2float(a) + __half2float(b)); }
__MUSA_FP16 __half __hsub(__half a, __half b) { return __float2half(__half2float(a) - __half2float(b)); }
__MUSA_FP16 __half __hmul(__half a, __half b) { return __float2half(__half2float(a) * __half2float(b)); }
__MUSA_FP16 __half __hdiv(__half a, __half b) { return __float2half(__half2float(a) / __half2float(b)); }
__MUSA_FP16 __half __hneg(__half a) { return __musa_half_from_bits(a.__x ^ 0x8000u); }
__MUSA_FP16 __half __habs(__half a) { return __musa_half_from_bits(a.__x & 0x7fffu); }

/* a * b + c rounded once (see __musa_fma_round_odd) */
__MUSA_FP16 __half __hfma(__half a, __half b, __half c)
{
	return __double2half(__musa_fma_round_odd(__half2float(a), __half2float(b),
						  __half2float(c)));
}

__MUSA_FP16 int __hisnan(__half a) { return (a.__x & 0x7fffu) > 0x7c00u; }
__MUSA_FP16 int __hisinf(__half a) { return (a.__x & 0x7fffu) == 0x7c00u ? (a.__x >> 15 ? -1 : 1) : 0; }
__MUSA_FP16 int __heq(__half a, __half b) { return __half2float(a) == __half2float(b); }
__MUSA_FP16 int __hne(__half a, __half b) { return __half2float(a) != __half2float(b); }
__MUSA_FP16 int __hlt(__half a, __half b) { return __half2float(a) < __half2float(b); }
__MUSA_FP16 int __hle(__half a, __half b) { return __half2float(a) <= __half2float(b); }
__MUSA_FP16 int __hgt(__half a, __half b) { return __half2float(a) > __half2float(b); }
__MUSA_FP16 int __hge(__half a, __half b) { return __half2float(a) >= __half2float(b); }
/* a NaN operand yields the other; two NaNs the canonical NaN */
__MUSA_FP16 __half __hmax(__half a, __half b) { return __float2half(__builtin_fmaxf(__half2float(a), __half2float(b))); }
__MUSA_FP16 __half __hmin(__half a, __half b) { return __float2half(__builtin_fminf(__half2float(a), __half2float(b))); }

#define __MUSA_HALF2_OP(name, op)						\
	__MUSA_FP16 __half2 name(__half2 a, __half2 b)				\
	{ return __halves2half2(op(a.x, b.x), op(a.y, b.y)); }
__MUSA_HALF2_OP(__hadd2, __hadd)
__MUSA_HALF2_OP(__hsub2, __hsub)
__MUSA_HALF2_OP(__hmul2, __hmul)
__MUSA_HALF2_OP(__h2div, __hdiv)
__MUSA_HALF2_OP(__hmax2, __hmax)
__MUSA_HALF2_OP(__hmin2, __hmin)
#undef __MUSA_HALF2_OP

__MUSA_FP16 __half2 __hfma2(__half2 a, __half2 b, __half2 c)
{
	return __halves2half2(__hfma(a.x, b.x, c.x), __hfma(a.y, b.y, c.y));
}
__MUSA_FP16 __half2 __hneg2(__half2 a) { return __halves2half2(__hneg(a.x), __hneg(a.y)); }
__MUSA_FP16 __half2 __habs2(__half2 a) { return __halves2half2(__habs(a.x), __habs(a.y)); }

/* a few math functions, through float's */
__MUSA_FP16 __half hsqrt(__half a) { return __float2half(__builtin_sqrtf(__half2float(a))); }
__MUSA_FP16 __half hrsqrt(__half a) { return __float2half(1.0f / __builtin_sqrtf(__half2float(a))); }
__MUSA_FP16 __half hexp(__half a) { return __float2half(__musa_expf(__half2float(a))); }
__MUSA_FP16 __half hlog(__half a) { return __float2half(__musa_logf(__half2float(a))); }
__MUSA_FP16 __half hsin(__half a) { return __float2half(__musa_sinf(__half2float(a))); }
__MUSA_FP16 __half hcos(__half a) { return __float2half(__musa_cosf(__half2float(a))); }

#ifdef __cplusplus
/* ------------------------------------------------------------ C++ operators */

__MUSA_FP16 __half operator+(const __half &a, const __half &b) { return __hadd(a, b); }
__MUSA_FP16 __half operator-(const __half &a, const __half &b) { return __hsub(a, b); }
__MUSA_FP16 __half operator*(const __half &a, const __half &b) { return __hmul(a, b); }
__MUSA_FP16 __half operator/(const __half &a, const __half &b) { return __hdiv(a, b); }
__MUSA_FP16 __half operator-(const __half &a) { return __hneg(a); }
__MUSA_FP16 __half operator+(const __half &a) { return a; }
__MUSA_FP16 __half &operator+=(__half &a, const __half &b) { return a = __hadd(a, b); }
__MUSA_FP16 __half &operator-=(__half &a, const __half &b) { return a = __hsub(a, b); }
__MUSA_FP16 __half &operator*=(__half &a, const __half &b) { return a = __hmul(a, b); }
__MUSA_FP16 __half &operator/=(__half &a, const __half &b) { return a = __hdiv(a, b); }
__MUSA_FP16 __half &operator++(__half &a) { return a = __hadd(a, __half(1.0f)); }
__MUSA_FP16 __half &operator--(__half &a) { return a = __hsub(a, __half(1.0f)); }
__MUSA_FP16 bool operator==(const __half &a, const __half &b) { return __heq(a, b); }
__MUSA_FP16 bool operator!=(const __half &a, const __half &b) { return __hne(a, b); }
__MUSA_FP16 bool operator<(const __half &a, const __half &b) { return __hlt(a, b); }
__MUSA_FP16 bool operator<=(const __half &a, const __half &b) { return __hle(a, b); }
__MUSA_FP16 bool operator>(const __half &a, const __half &b) { return __hgt(a, b); }
__MUSA_FP16 bool operator>=(const __half &a, const __half &b) { return __hge(a, b); }
__MUSA_FP16 __half2 operator+(const __half2 &a, const __half2 &b) { return __hadd2(a, b); }
__MUSA_FP16 __half2 operator-(const __half2 &a, const __half2 &b) { return __hsub2(a, b); }
__MUSA_FP16 __half2 operator*(const __half2 &a, const __half2 &b) { return __hmul2(a, b); }
__MUSA_FP16 __half2 operator/(const __half2 &a, const __half2 &b) { return __h2div(a, b); }
__MUSA_FP16 __half2 operator-(const __half2 &a) { return __hneg2(a); }
__MUSA_FP16 __half2 &operator+=(__half2 &a, const __half2 &b) { return a = __hadd2(a, b); }
__MUSA_FP16 __half2 &operator*=(__half2 &a, const __half2 &b) { return a = __hmul2(a, b); }
__MUSA_FP16 bool operator==(const __half2 &a, const __half2 &b) { return a.x == b.x && a.y == b.y; }
__MUSA_FP16 bool operator!=(const __half2 &a, const __half2 &b) { return !(a == b); }

#ifdef MUSA_WARP_H
/* warp shuffles of halves move their bits */
__MUSA_FP16 __half __shfl_sync(unsigned int mask, __half v, int lane, int width = warpSize)
{ return __ushort_as_half((unsigned short)__shfl_sync(mask, (unsigned int)v.__x, lane, width)); }
__MUSA_FP16 __half __shfl_up_sync(unsigned int mask, __half v, unsigned int d, int width = warpSize)
{ return __ushort_as_half((unsigned short)__shfl_up_sync(mask, (unsigned int)v.__x, d, width)); }
__MUSA_FP16 __half __shfl_down_sync(unsigned int mask, __half v, unsigned int d, int width = warpSize)
{ return __ushort_as_half((unsigned short)__shfl_down_sync(mask, (unsigned int)v.__x, d, width)); }
__MUSA_FP16 __half __shfl_xor_sync(unsigned int mask, __half v, int m, int width = warpSize)
{ return __ushort_as_half((unsigned short)__shfl_xor_sync(mask, (unsigned int)v.__x, m, width)); }
#endif
#endif /* __cplusplus */

#endif /* MUSA_FP16_H */
