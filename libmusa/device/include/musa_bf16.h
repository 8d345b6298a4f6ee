/* SPDX-License-Identifier: MIT */
/*
 * musa_bf16.h: bfloat16 for device code, CUDA's cuda_bf16.h API with __nv_ renamed
 * __mt_ (__mt_bfloat16, __mt_bfloat162, __mt_bfloat16_raw).
 *
 * Conversions are uapi/s5000_float.h's (round to nearest even, shared with the
 * tensor core); widening to float is exact. Arithmetic goes through float, which is
 * correctly rounded for bfloat16's 8-bit significands, and the FMA rounds once.
 *
 * C++ gets CUDA's overloads (__hadd, __hmul, ... on __mt_bfloat16) and operators.
 * In C, where __hadd and friends belong to __half, the arithmetic is spelled
 * __musa_bf16_hadd, __musa_bf16_hmul, and so on.
 */
#ifndef MUSA_BF16_H
#define MUSA_BF16_H

#include <s5000_float.h>

#define __MUSA_BF16 static __inline__ __attribute__((always_inline))

typedef struct __mt_bfloat16_raw { unsigned short x; } __mt_bfloat16_raw;
typedef struct __mt_bfloat162_raw { unsigned short x, y; } __mt_bfloat162_raw;

#ifdef __cplusplus
struct __attribute__((aligned(2))) __mt_bfloat16 {
	unsigned short __x;

	__mt_bfloat16() = default;
	constexpr __mt_bfloat16(const __mt_bfloat16_raw &r) : __x(r.x) {}
	__mt_bfloat16(float f) : __x(s5000_f32_to_bf16(f)) {}
	__mt_bfloat16(double d) : __x(s5000_f64_to_bf16(d)) {}
	__mt_bfloat16(int i) : __x(s5000_f64_to_bf16(i)) {}
	__mt_bfloat16(unsigned int i) : __x(s5000_f64_to_bf16(i)) {}
	__mt_bfloat16(short i) : __x(s5000_f64_to_bf16(i)) {}
	__mt_bfloat16(unsigned short i) : __x(s5000_f64_to_bf16(i)) {}
	__mt_bfloat16(long long i) : __x(s5000_f64_to_bf16((double)i)) {}
	__mt_bfloat16(unsigned long long i) : __x(s5000_f64_to_bf16((double)i)) {}
	operator float() const { return s5000_bf16_to_f32(__x); }
	operator __mt_bfloat16_raw() const { __mt_bfloat16_raw r = { __x }; return r; }
};

struct __attribute__((aligned(4))) __mt_bfloat162 {
	__mt_bfloat16 x, y;

	__mt_bfloat162() = default;
	constexpr __mt_bfloat162(const __mt_bfloat16 &a, const __mt_bfloat16 &b) : x(a), y(b) {}
	constexpr __mt_bfloat162(const __mt_bfloat162_raw &r)
		: x(__mt_bfloat16_raw{ r.x }), y(__mt_bfloat16_raw{ r.y }) {}
	operator __mt_bfloat162_raw() const { __mt_bfloat162_raw r = { x.__x, y.__x }; return r; }
};
#else
typedef struct __attribute__((aligned(2))) __mt_bfloat16 { unsigned short __x; } __mt_bfloat16;
typedef struct __attribute__((aligned(4))) __mt_bfloat162 { __mt_bfloat16 x, y; } __mt_bfloat162;
#endif
typedef __mt_bfloat16 mt_bfloat16;
typedef __mt_bfloat162 mt_bfloat162;

/* ------------------------------------------------------------ conversions */

__MUSA_BF16 __mt_bfloat16 __musa_bf16_from_bits(unsigned short u)
{
	__mt_bfloat16 h;

	h.__x = u;
	return h;
}

__MUSA_BF16 __mt_bfloat16 __float2bfloat16(float f) { return __musa_bf16_from_bits(s5000_f32_to_bf16(f)); }
__MUSA_BF16 __mt_bfloat16 __float2bfloat16_rn(float f) { return __float2bfloat16(f); }
__MUSA_BF16 __mt_bfloat16 __double2bfloat16(double d) { return __musa_bf16_from_bits(s5000_f64_to_bf16(d)); }
__MUSA_BF16 float __bfloat162float(__mt_bfloat16 h) { return s5000_bf16_to_f32(h.__x); }
__MUSA_BF16 __mt_bfloat16 __int2bfloat16_rn(int i) { return __double2bfloat16(i); }
__MUSA_BF16 __mt_bfloat16 __uint2bfloat16_rn(unsigned int i) { return __double2bfloat16(i); }
__MUSA_BF16 unsigned short __bfloat16_as_ushort(__mt_bfloat16 h) { return h.__x; }
__MUSA_BF16 short __bfloat16_as_short(__mt_bfloat16 h) { return (short)h.__x; }
__MUSA_BF16 __mt_bfloat16 __ushort_as_bfloat16(unsigned short u) { return __musa_bf16_from_bits(u); }
__MUSA_BF16 __mt_bfloat16 __short_as_bfloat16(short s) { return __musa_bf16_from_bits((unsigned short)s); }

/* toward zero, as C's conversions do; NaN gives 0 */
__MUSA_BF16 int __bfloat162int_rz(__mt_bfloat16 h)
{
	float f = __bfloat162float(h);

	return f != f ? 0 : f >= 2147483647.0f ? 2147483647 : f <= -2147483648.0f ?
	       (int)-2147483647 - 1 : (int)f;
}

__MUSA_BF16 __mt_bfloat162 __halves2bfloat162(__mt_bfloat16 lo, __mt_bfloat16 hi)
{
	__mt_bfloat162 r;

	r.x = lo;
	r.y = hi;
	return r;
}

__MUSA_BF16 __mt_bfloat162 __floats2bfloat162_rn(float lo, float hi)
{
	return __halves2bfloat162(__float2bfloat16(lo), __float2bfloat16(hi));
}

__MUSA_BF16 __mt_bfloat162 __float2bfloat162_rn(float f) { return __floats2bfloat162_rn(f, f); }
__MUSA_BF16 __mt_bfloat162 __bfloat162bfloat162(__mt_bfloat16 h) { return __halves2bfloat162(h, h); }
__MUSA_BF16 __mt_bfloat16 __low2bfloat16(__mt_bfloat162 v) { return v.x; }
__MUSA_BF16 __mt_bfloat16 __high2bfloat16(__mt_bfloat162 v) { return v.y; }

__MUSA_BF16 float2 __bfloat1622float2(__mt_bfloat162 v)
{
	float2 r = { __bfloat162float(v.x), __bfloat162float(v.y) };

	return r;
}

__MUSA_BF16 __mt_bfloat162 __float22bfloat162_rn(float2 v)
{
	return __floats2bfloat162_rn(v.x, v.y);
}

/* ------------------------------------------------------------ arithmetic */

#define __MUSA_BF16_F(a) __bfloat162float(a)
__MUSA_BF16 __mt_bfloat16 __musa_bf16_hadd(__mt_bfloat16 a, __mt_bfloat16 b) { return __float2bfloat16(__MUSA_BF16_F(a) + __MUSA_BF16_F(b)); }
__MUSA_BF16 __mt_bfloat16 __musa_bf16_hsub(__mt_bfloat16 a, __mt_bfloat16 b) { return __float2bfloat16(__MUSA_BF16_F(a) - __MUSA_BF16_F(b)); }
__MUSA_BF16 __mt_bfloat16 __musa_bf16_hmul(__mt_bfloat16 a, __mt_bfloat16 b) { return __float2bfloat16(__MUSA_BF16_F(a) * __MUSA_BF16_F(b)); }
__MUSA_BF16 __mt_bfloat16 __musa_bf16_hdiv(__mt_bfloat16 a, __mt_bfloat16 b) { return __float2bfloat16(__MUSA_BF16_F(a) / __MUSA_BF16_F(b)); }
__MUSA_BF16 __mt_bfloat16 __musa_bf16_hfma(__mt_bfloat16 a, __mt_bfloat16 b, __mt_bfloat16 c)
{
	return __double2bfloat16(__musa_fma_round_odd(__MUSA_BF16_F(a), __MUSA_BF16_F(b),
						      __MUSA_BF16_F(c)));
}
__MUSA_BF16 __mt_bfloat16 __musa_bf16_hneg(__mt_bfloat16 a) { return __musa_bf16_from_bits(a.__x ^ 0x8000u); }
__MUSA_BF16 __mt_bfloat16 __musa_bf16_habs(__mt_bfloat16 a) { return __musa_bf16_from_bits(a.__x & 0x7fffu); }
__MUSA_BF16 __mt_bfloat16 __musa_bf16_hmax(__mt_bfloat16 a, __mt_bfloat16 b) { return __float2bfloat16(__builtin_fmaxf(__MUSA_BF16_F(a), __MUSA_BF16_F(b))); }
__MUSA_BF16 __mt_bfloat16 __musa_bf16_hmin(__mt_bfloat16 a, __mt_bfloat16 b) { return __float2bfloat16(__builtin_fminf(__MUSA_BF16_F(a), __MUSA_BF16_F(b))); }
__MUSA_BF16 int __musa_bf16_hisnan(__mt_bfloat16 a) { return (a.__x & 0x7fffu) > 0x7f80u; }
__MUSA_BF16 int __musa_bf16_heq(__mt_bfloat16 a, __mt_bfloat16 b) { return __MUSA_BF16_F(a) == __MUSA_BF16_F(b); }
__MUSA_BF16 int __musa_bf16_hne(__mt_bfloat16 a, __mt_bfloat16 b) { return __MUSA_BF16_F(a) != __MUSA_BF16_F(b); }
__MUSA_BF16 int __musa_bf16_hlt(__mt_bfloat16 a, __mt_bfloat16 b) { return __MUSA_BF16_F(a) < __MUSA_BF16_F(b); }
__MUSA_BF16 int __musa_bf16_hle(__mt_bfloat16 a, __mt_bfloat16 b) { return __MUSA_BF16_F(a) <= __MUSA_BF16_F(b); }
__MUSA_BF16 int __musa_bf16_hgt(__mt_bfloat16 a, __mt_bfloat16 b) { return __MUSA_BF16_F(a) > __MUSA_BF16_F(b); }
__MUSA_BF16 int __musa_bf16_hge(__mt_bfloat16 a, __mt_bfloat16 b) { return __MUSA_BF16_F(a) >= __MUSA_BF16_F(b); }

#define __MUSA_BF162_OP(name, op)						\
	__MUSA_BF16 __mt_bfloat162 name(__mt_bfloat162 a, __mt_bfloat162 b)	\
	{ return __halves2bfloat162(op(a.x, b.x), op(a.y, b.y)); }
__MUSA_BF162_OP(__musa_bf16_hadd2, __musa_bf16_hadd)
__MUSA_BF162_OP(__musa_bf16_hsub2, __musa_bf16_hsub)
__MUSA_BF162_OP(__musa_bf16_hmul2, __musa_bf16_hmul)
__MUSA_BF162_OP(__musa_bf16_h2div, __musa_bf16_hdiv)
#undef __MUSA_BF162_OP

__MUSA_BF16 __mt_bfloat162 __musa_bf16_hfma2(__mt_bfloat162 a, __mt_bfloat162 b, __mt_bfloat162 c)
{
	return __halves2bfloat162(__musa_bf16_hfma(a.x, b.x, c.x), __musa_bf16_hfma(a.y, b.y, c.y));
}

#ifdef __cplusplus
/* ---------------------------------------------- C++: CUDA's overloads, operators */

__MUSA_BF16 __mt_bfloat16 __hadd(__mt_bfloat16 a, __mt_bfloat16 b) { return __musa_bf16_hadd(a, b); }
__MUSA_BF16 __mt_bfloat16 __hsub(__mt_bfloat16 a, __mt_bfloat16 b) { return __musa_bf16_hsub(a, b); }
__MUSA_BF16 __mt_bfloat16 __hmul(__mt_bfloat16 a, __mt_bfloat16 b) { return __musa_bf16_hmul(a, b); }
__MUSA_BF16 __mt_bfloat16 __hdiv(__mt_bfloat16 a, __mt_bfloat16 b) { return __musa_bf16_hdiv(a, b); }
__MUSA_BF16 __mt_bfloat16 __hfma(__mt_bfloat16 a, __mt_bfloat16 b, __mt_bfloat16 c) { return __musa_bf16_hfma(a, b, c); }
__MUSA_BF16 __mt_bfloat16 __hneg(__mt_bfloat16 a) { return __musa_bf16_hneg(a); }
__MUSA_BF16 __mt_bfloat16 __habs(__mt_bfloat16 a) { return __musa_bf16_habs(a); }
__MUSA_BF16 __mt_bfloat16 __hmax(__mt_bfloat16 a, __mt_bfloat16 b) { return __musa_bf16_hmax(a, b); }
__MUSA_BF16 __mt_bfloat16 __hmin(__mt_bfloat16 a, __mt_bfloat16 b) { return __musa_bf16_hmin(a, b); }
__MUSA_BF16 bool __hisnan(__mt_bfloat16 a) { return __musa_bf16_hisnan(a); }
__MUSA_BF16 bool __heq(__mt_bfloat16 a, __mt_bfloat16 b) { return __musa_bf16_heq(a, b); }
__MUSA_BF16 bool __hne(__mt_bfloat16 a, __mt_bfloat16 b) { return __musa_bf16_hne(a, b); }
__MUSA_BF16 bool __hlt(__mt_bfloat16 a, __mt_bfloat16 b) { return __musa_bf16_hlt(a, b); }
__MUSA_BF16 bool __hle(__mt_bfloat16 a, __mt_bfloat16 b) { return __musa_bf16_hle(a, b); }
__MUSA_BF16 bool __hgt(__mt_bfloat16 a, __mt_bfloat16 b) { return __musa_bf16_hgt(a, b); }
__MUSA_BF16 bool __hge(__mt_bfloat16 a, __mt_bfloat16 b) { return __musa_bf16_hge(a, b); }
__MUSA_BF16 __mt_bfloat162 __hadd2(__mt_bfloat162 a, __mt_bfloat162 b) { return __musa_bf16_hadd2(a, b); }
__MUSA_BF16 __mt_bfloat162 __hsub2(__mt_bfloat162 a, __mt_bfloat162 b) { return __musa_bf16_hsub2(a, b); }
__MUSA_BF16 __mt_bfloat162 __hmul2(__mt_bfloat162 a, __mt_bfloat162 b) { return __musa_bf16_hmul2(a, b); }
__MUSA_BF16 __mt_bfloat162 __h2div(__mt_bfloat162 a, __mt_bfloat162 b) { return __musa_bf16_h2div(a, b); }
__MUSA_BF16 __mt_bfloat162 __hfma2(__mt_bfloat162 a, __mt_bfloat162 b, __mt_bfloat162 c) { return __musa_bf16_hfma2(a, b, c); }
__MUSA_BF16 float __low2float(__mt_bfloat162 v) { return __bfloat162float(v.x); }
__MUSA_BF16 float __high2float(__mt_bfloat162 v) { return __bfloat162float(v.y); }

__MUSA_BF16 __mt_bfloat16 operator+(const __mt_bfloat16 &a, const __mt_bfloat16 &b) { return __hadd(a, b); }
__MUSA_BF16 __mt_bfloat16 operator-(const __mt_bfloat16 &a, const __mt_bfloat16 &b) { return __hsub(a, b); }
__MUSA_BF16 __mt_bfloat16 operator*(const __mt_bfloat16 &a, const __mt_bfloat16 &b) { return __hmul(a, b); }
__MUSA_BF16 __mt_bfloat16 operator/(const __mt_bfloat16 &a, const __mt_bfloat16 &b) { return __hdiv(a, b); }
__MUSA_BF16 __mt_bfloat16 operator-(const __mt_bfloat16 &a) { return __hneg(a); }
__MUSA_BF16 __mt_bfloat16 operator+(const __mt_bfloat16 &a) { return a; }
__MUSA_BF16 __mt_bfloat16 &operator+=(__mt_bfloat16 &a, const __mt_bfloat16 &b) { return a = __hadd(a, b); }
__MUSA_BF16 __mt_bfloat16 &operator-=(__mt_bfloat16 &a, const __mt_bfloat16 &b) { return a = __hsub(a, b); }
__MUSA_BF16 __mt_bfloat16 &operator*=(__mt_bfloat16 &a, const __mt_bfloat16 &b) { return a = __hmul(a, b); }
__MUSA_BF16 __mt_bfloat16 &operator/=(__mt_bfloat16 &a, const __mt_bfloat16 &b) { return a = __hdiv(a, b); }
__MUSA_BF16 bool operator==(const __mt_bfloat16 &a, const __mt_bfloat16 &b) { return __heq(a, b); }
__MUSA_BF16 bool operator!=(const __mt_bfloat16 &a, const __mt_bfloat16 &b) { return __hne(a, b); }
__MUSA_BF16 bool operator<(const __mt_bfloat16 &a, const __mt_bfloat16 &b) { return __hlt(a, b); }
__MUSA_BF16 bool operator<=(const __mt_bfloat16 &a, const __mt_bfloat16 &b) { return __hle(a, b); }
__MUSA_BF16 bool operator>(const __mt_bfloat16 &a, const __mt_bfloat16 &b) { return __hgt(a, b); }
__MUSA_BF16 bool operator>=(const __mt_bfloat16 &a, const __mt_bfloat16 &b) { return __hge(a, b); }
__MUSA_BF16 __mt_bfloat162 operator+(const __mt_bfloat162 &a, const __mt_bfloat162 &b) { return __hadd2(a, b); }
__MUSA_BF16 __mt_bfloat162 operator-(const __mt_bfloat162 &a, const __mt_bfloat162 &b) { return __hsub2(a, b); }
__MUSA_BF16 __mt_bfloat162 operator*(const __mt_bfloat162 &a, const __mt_bfloat162 &b) { return __hmul2(a, b); }
__MUSA_BF16 __mt_bfloat162 operator/(const __mt_bfloat162 &a, const __mt_bfloat162 &b) { return __h2div(a, b); }

#ifdef MUSA_WARP_H
__MUSA_BF16 __mt_bfloat16 __shfl_sync(unsigned int mask, __mt_bfloat16 v, int lane, int width = warpSize)
{ return __ushort_as_bfloat16((unsigned short)__shfl_sync(mask, (unsigned int)v.__x, lane, width)); }
__MUSA_BF16 __mt_bfloat16 __shfl_up_sync(unsigned int mask, __mt_bfloat16 v, unsigned int d, int width = warpSize)
{ return __ushort_as_bfloat16((unsigned short)__shfl_up_sync(mask, (unsigned int)v.__x, d, width)); }
__MUSA_BF16 __mt_bfloat16 __shfl_down_sync(unsigned int mask, __mt_bfloat16 v, unsigned int d, int width = warpSize)
{ return __ushort_as_bfloat16((unsigned short)__shfl_down_sync(mask, (unsigned int)v.__x, d, width)); }
__MUSA_BF16 __mt_bfloat16 __shfl_xor_sync(unsigned int mask, __mt_bfloat16 v, int m, int width = warpSize)
{ return __ushort_as_bfloat16((unsigned short)__shfl_xor_sync(mask, (unsigned int)v.__x, m, width)); }
#endif
#endif /* __cplusplus */

#undef __MUSA_BF16_F

#endif /* MUSA_BF16_H */
