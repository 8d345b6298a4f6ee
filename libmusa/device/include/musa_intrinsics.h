/* SPDX-License-Identifier: MIT */
/*
 * CUDA's integer intrinsics (__popc, __clz, __ffs, __brev, __byte_perm, high
 * multiplies, funnel shifts, __sad) and the min/max helpers, for device code.
 * Included by musa_device.h.
 *
 * In C, min() and max() are type-generic macros (define MUSA_NO_MINMAX_MACROS
 * before musa_device.h to keep the names free); in C++ they are overloads.
 */
#ifndef MUSA_INTRINSICS_H
#define MUSA_INTRINSICS_H

static __forceinline__ int __popc(unsigned int x)
{
	return __builtin_popcount(x);
}

static __forceinline__ int __popcll(unsigned long long x)
{
	return __builtin_popcountll(x);
}

/* Leading zeros; 32 (64) for zero, where the builtin is undefined. */
static __forceinline__ int __clz(int x)
{
	return x ? __builtin_clz((unsigned int)x) : 32;
}

static __forceinline__ int __clzll(long long x)
{
	return x ? __builtin_clzll((unsigned long long)x) : 64;
}

/* Position of the least significant set bit, counting from 1; 0 for zero. */
static __forceinline__ int __ffs(int x)
{
	return __builtin_ffs(x);
}

static __forceinline__ int __ffsll(long long x)
{
	return __builtin_ffsll(x);
}

static __forceinline__ unsigned int __brev(unsigned int x)
{
	x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
	x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
	x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
	x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
	return (x >> 16) | (x << 16);
}

static __forceinline__ unsigned long long __brevll(unsigned long long x)
{
	return ((unsigned long long)__brev((unsigned int)x) << 32) | __brev((unsigned int)(x >> 32));
}

/* Byte i of the result is byte (s >> 4i) & 7 of the 8-byte value y:x. */
static __forceinline__ unsigned int __byte_perm(unsigned int x, unsigned int y, unsigned int s)
{
	unsigned long long v = ((unsigned long long)y << 32) | x;
	unsigned int r = 0;
	int i;

	for (i = 0; i < 4; i++)
		r |= (unsigned int)((v >> (8 * ((s >> (4 * i)) & 7))) & 0xff) << (8 * i);
	return r;
}

static __forceinline__ int __mulhi(int x, int y)
{
	return (int)(((long long)x * y) >> 32);
}

static __forceinline__ unsigned int __umulhi(unsigned int x, unsigned int y)
{
	return (unsigned int)(((unsigned long long)x * y) >> 32);
}

static __forceinline__ long long __mul64hi(long long x, long long y)
{
	return (long long)(((__int128)x * y) >> 64);
}

static __forceinline__ unsigned long long __umul64hi(unsigned long long x, unsigned long long y)
{
	return (unsigned long long)(((unsigned __int128)x * y) >> 64);
}

/* 24-bit multiplies: the low 32 bits of the product of the operands' low 24 bits. */
static __forceinline__ int __mul24(int x, int y)
{
	int a = (int)((unsigned int)x << 8) >> 8, b = (int)((unsigned int)y << 8) >> 8;

	return (int)((unsigned int)a * (unsigned int)b);
}

static __forceinline__ unsigned int __umul24(unsigned int x, unsigned int y)
{
	return (x & 0xffffffu) * (y & 0xffffffu);
}

/* |x - y| + z */
static __forceinline__ unsigned int __sad(int x, int y, unsigned int z)
{
	return (x > y ? (unsigned int)x - (unsigned int)y : (unsigned int)y - (unsigned int)x) + z;
}

static __forceinline__ unsigned int __usad(unsigned int x, unsigned int y, unsigned int z)
{
	return (x > y ? x - y : y - x) + z;
}

/* Funnel shifts of hi:lo; the _c forms clamp the shift to 32, the others wrap it. */
static __forceinline__ unsigned int __funnelshift_l(unsigned int lo, unsigned int hi,
						    unsigned int shift)
{
	return (unsigned int)(((((unsigned long long)hi << 32) | lo) << (shift & 31)) >> 32);
}

static __forceinline__ unsigned int __funnelshift_lc(unsigned int lo, unsigned int hi,
						     unsigned int shift)
{
	return (unsigned int)(((((unsigned long long)hi << 32) | lo) << (shift > 32 ? 32 : shift)) >> 32);
}

static __forceinline__ unsigned int __funnelshift_r(unsigned int lo, unsigned int hi,
						    unsigned int shift)
{
	return (unsigned int)((((unsigned long long)hi << 32) | lo) >> (shift & 31));
}

static __forceinline__ unsigned int __funnelshift_rc(unsigned int lo, unsigned int hi,
						     unsigned int shift)
{
	return (unsigned int)((((unsigned long long)hi << 32) | lo) >> (shift > 32 ? 32 : shift));
}

/* ------------------------------------------------------------ min, max */

#define __MUSA_MINMAX(suffix, type)					\
	static __forceinline__ type __musa_min_##suffix(type a, type b)	\
	{ return a < b ? a : b; }					\
	static __forceinline__ type __musa_max_##suffix(type a, type b)	\
	{ return a > b ? a : b; }

__MUSA_MINMAX(i, int)
__MUSA_MINMAX(u, unsigned int)
__MUSA_MINMAX(l, long)
__MUSA_MINMAX(ul, unsigned long)
__MUSA_MINMAX(ll, long long)
__MUSA_MINMAX(ull, unsigned long long)
#undef __MUSA_MINMAX

/* CUDA's named forms */
#define umin __musa_min_u
#define umax __musa_max_u
#define llmin __musa_min_ll
#define llmax __musa_max_ll
#define ullmin __musa_min_ull
#define ullmax __musa_max_ull

#ifdef __cplusplus
#define __MUSA_MINMAX_CXX(type, suffix)						\
	static __forceinline__ type min(type a, type b) { return __musa_min_##suffix(a, b); } \
	static __forceinline__ type max(type a, type b) { return __musa_max_##suffix(a, b); }

__MUSA_MINMAX_CXX(int, i)
__MUSA_MINMAX_CXX(unsigned int, u)
__MUSA_MINMAX_CXX(long, l)
__MUSA_MINMAX_CXX(unsigned long, ul)
__MUSA_MINMAX_CXX(long long, ll)
__MUSA_MINMAX_CXX(unsigned long long, ull)
#undef __MUSA_MINMAX_CXX

/* Mixed signedness compares as unsigned, as the usual conversions (and CUDA) do. */
static __forceinline__ unsigned int min(int a, unsigned int b) { return __musa_min_u((unsigned int)a, b); }
static __forceinline__ unsigned int min(unsigned int a, int b) { return __musa_min_u(a, (unsigned int)b); }
static __forceinline__ unsigned int max(int a, unsigned int b) { return __musa_max_u((unsigned int)a, b); }
static __forceinline__ unsigned int max(unsigned int a, int b) { return __musa_max_u(a, (unsigned int)b); }
static __forceinline__ unsigned long long min(long long a, unsigned long long b)
{ return __musa_min_ull((unsigned long long)a, b); }
static __forceinline__ unsigned long long min(unsigned long long a, long long b)
{ return __musa_min_ull(a, (unsigned long long)b); }
static __forceinline__ unsigned long long max(long long a, unsigned long long b)
{ return __musa_max_ull((unsigned long long)a, b); }
static __forceinline__ unsigned long long max(unsigned long long a, long long b)
{ return __musa_max_ull(a, (unsigned long long)b); }
static __forceinline__ float min(float a, float b) { return __builtin_fminf(a, b); }
static __forceinline__ float max(float a, float b) { return __builtin_fmaxf(a, b); }
static __forceinline__ double min(double a, double b) { return __builtin_fmin(a, b); }
static __forceinline__ double max(double a, double b) { return __builtin_fmax(a, b); }
static __forceinline__ double min(float a, double b) { return __builtin_fmin(a, b); }
static __forceinline__ double min(double a, float b) { return __builtin_fmin(a, b); }
static __forceinline__ double max(float a, double b) { return __builtin_fmax(a, b); }
static __forceinline__ double max(double a, float b) { return __builtin_fmax(a, b); }
#elif !defined(MUSA_NO_MINMAX_MACROS)
static __forceinline__ float __musa_min_f(float a, float b) { return __builtin_fminf(a, b); }
static __forceinline__ float __musa_max_f(float a, float b) { return __builtin_fmaxf(a, b); }
static __forceinline__ double __musa_min_d(double a, double b) { return __builtin_fmin(a, b); }
static __forceinline__ double __musa_max_d(double a, double b) { return __builtin_fmax(a, b); }

/* The type of a + b is the type the comparison is made in. */
#define __MUSA_MINMAX_GENERIC(op, a, b) _Generic((a) + (b),		\
	unsigned int: __musa_##op##_u, long: __musa_##op##_l,			\
	unsigned long: __musa_##op##_ul, long long: __musa_##op##_ll,		\
	unsigned long long: __musa_##op##_ull, float: __musa_##op##_f,		\
	double: __musa_##op##_d, default: __musa_##op##_i)((a), (b))
#define min(a, b) __MUSA_MINMAX_GENERIC(min, a, b)
#define max(a, b) __MUSA_MINMAX_GENERIC(max, a, b)
#endif

#endif /* MUSA_INTRINSICS_H */
