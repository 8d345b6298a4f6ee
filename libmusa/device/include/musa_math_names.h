/* SPDX-License-Identifier: MIT */
/*
 * The standard names of musa_math.h's functions: C's (sqrtf, sqrt, ...), and in C++
 * CUDA's float overloads of the unsuffixed names plus integer arguments taken as
 * double, as <cmath> does. erf and erfc exist in float only (erff, erfcf).
 */
#ifndef MUSA_MATH_NAMES_H
#define MUSA_MATH_NAMES_H

#ifndef __MUSA_MATH_PREFIXED_ONLY

#ifndef INFINITY
#define INFINITY __builtin_inff()
#endif
#ifndef NAN
#define NAN __builtin_nanf("")
#endif
#ifndef HUGE_VALF
#define HUGE_VALF __builtin_inff()
#endif
#ifndef HUGE_VAL
#define HUGE_VAL __builtin_inf()
#endif

/* float f(float) and double f(double) (the C names) */
#define __MUSA_UNARY(name)						\
	__MUSA_MATH_INLINE float name##f(float x) { return __musa_##name##f(x); }	\
	__MUSA_MATH_INLINE double name(double x) { return __musa_##name(x); }
#define __MUSA_BINARY(name)						\
	__MUSA_MATH_INLINE float name##f(float x, float y) { return __musa_##name##f(x, y); } \
	__MUSA_MATH_INLINE double name(double x, double y) { return __musa_##name(x, y); }

__MUSA_UNARY(sqrt)
__MUSA_UNARY(rsqrt)
__MUSA_UNARY(cbrt)
__MUSA_UNARY(fabs)
__MUSA_UNARY(floor)
__MUSA_UNARY(ceil)
__MUSA_UNARY(trunc)
__MUSA_UNARY(round)
__MUSA_UNARY(rint)
__MUSA_UNARY(exp)
__MUSA_UNARY(exp2)
__MUSA_UNARY(exp10)
__MUSA_UNARY(expm1)
__MUSA_UNARY(log)
__MUSA_UNARY(log2)
__MUSA_UNARY(log10)
__MUSA_UNARY(log1p)
__MUSA_UNARY(sin)
__MUSA_UNARY(cos)
__MUSA_UNARY(tan)
__MUSA_UNARY(sinh)
__MUSA_UNARY(cosh)
__MUSA_UNARY(tanh)
__MUSA_UNARY(asin)
__MUSA_UNARY(acos)
__MUSA_UNARY(atan)
__MUSA_BINARY(fmin)
__MUSA_BINARY(fmax)
__MUSA_BINARY(copysign)
__MUSA_BINARY(pow)
__MUSA_BINARY(atan2)
__MUSA_BINARY(hypot)

__MUSA_MATH_INLINE float nearbyintf(float x) { return __musa_rintf(x); }
__MUSA_MATH_INLINE double nearbyint(double x) { return __musa_rint(x); }
__MUSA_MATH_INLINE long lrintf(float x) { return (long)__musa_rintf(x); }
__MUSA_MATH_INLINE long lrint(double x) { return (long)__musa_rint(x); }
__MUSA_MATH_INLINE long long llrintf(float x) { return (long long)__musa_rintf(x); }
__MUSA_MATH_INLINE long long llrint(double x) { return (long long)__musa_rint(x); }
__MUSA_MATH_INLINE long lroundf(float x) { return (long)__musa_roundf(x); }
__MUSA_MATH_INLINE long lround(double x) { return (long)__musa_round(x); }
__MUSA_MATH_INLINE long long llroundf(float x) { return (long long)__musa_roundf(x); }
__MUSA_MATH_INLINE long long llround(double x) { return (long long)__musa_round(x); }
__MUSA_MATH_INLINE float fmaf(float x, float y, float z) { return __musa_fmaf(x, y, z); }
__MUSA_MATH_INLINE double fma(double x, double y, double z) { return __musa_fma(x, y, z); }
__MUSA_MATH_INLINE float fmodf(float x, float y) { return __musa_fmodf(x, y); }
__MUSA_MATH_INLINE float ldexpf(float x, int n) { return __musa_ldexpf(x, n); }
__MUSA_MATH_INLINE float scalbnf(float x, int n) { return __musa_ldexpf(x, n); }
__MUSA_MATH_INLINE float frexpf(float x, int *e) { return __musa_frexpf(x, e); }
__MUSA_MATH_INLINE float erff(float x) { return __musa_erff(x); }
__MUSA_MATH_INLINE float erfcf(float x) { return __musa_erfcf(x); }
__MUSA_MATH_INLINE void sincosf(float x, float *s, float *c) { __musa_sincosf(x, s, c); }
__MUSA_MATH_INLINE void sincos(double x, double *s, double *c) { __musa_sincos(x, s, c); }
__MUSA_MATH_INLINE int abs(int x) { return x < 0 ? -x : x; }
__MUSA_MATH_INLINE long labs(long x) { return x < 0 ? -x : x; }
__MUSA_MATH_INLINE long long llabs(long long x) { return x < 0 ? -x : x; }

#ifdef __cplusplus
/* CUDA's float overloads */
#define __MUSA_UNARY_CXX(name)						\
	__MUSA_MATH_INLINE float name(float x) { return __musa_##name##f(x); }	\
	template <class T> __MUSA_MATH_INLINE typename __musa_integral<T>::type name(T x) \
	{ return __musa_##name((double)x); }
#define __MUSA_BINARY_CXX(name)						\
	__MUSA_MATH_INLINE float name(float x, float y) { return __musa_##name##f(x, y); } \
	__MUSA_MATH_INLINE double name(float x, double y) { return __musa_##name(x, y); } \
	__MUSA_MATH_INLINE double name(double x, float y) { return __musa_##name(x, y); } \
	template <class T> __MUSA_MATH_INLINE typename __musa_integral<T>::type name(T x, double y) \
	{ return __musa_##name((double)x, y); }					\
	template <class T> __MUSA_MATH_INLINE typename __musa_integral<T>::type name(double x, T y) \
	{ return __musa_##name(x, (double)y); }					\
	template <class T, class U>						\
	__MUSA_MATH_INLINE typename __musa_integral<decltype(T() + U())>::type name(T x, U y) \
	{ return __musa_##name((double)x, (double)y); }

/* Selects the integer overloads: double for every integer type. */
template <class T> struct __musa_integral {};
#define __MUSA_INTEGRAL(t) template <> struct __musa_integral<t> { typedef double type; };
__MUSA_INTEGRAL(bool)
__MUSA_INTEGRAL(char)
__MUSA_INTEGRAL(signed char)
__MUSA_INTEGRAL(unsigned char)
__MUSA_INTEGRAL(short)
__MUSA_INTEGRAL(unsigned short)
__MUSA_INTEGRAL(int)
__MUSA_INTEGRAL(unsigned int)
__MUSA_INTEGRAL(long)
__MUSA_INTEGRAL(unsigned long)
__MUSA_INTEGRAL(long long)
__MUSA_INTEGRAL(unsigned long long)
#undef __MUSA_INTEGRAL

__MUSA_UNARY_CXX(sqrt)
__MUSA_UNARY_CXX(rsqrt)
__MUSA_UNARY_CXX(cbrt)
__MUSA_UNARY_CXX(fabs)
__MUSA_UNARY_CXX(floor)
__MUSA_UNARY_CXX(ceil)
__MUSA_UNARY_CXX(trunc)
__MUSA_UNARY_CXX(round)
__MUSA_UNARY_CXX(rint)
__MUSA_UNARY_CXX(exp)
__MUSA_UNARY_CXX(exp2)
__MUSA_UNARY_CXX(exp10)
__MUSA_UNARY_CXX(expm1)
__MUSA_UNARY_CXX(log)
__MUSA_UNARY_CXX(log2)
__MUSA_UNARY_CXX(log10)
__MUSA_UNARY_CXX(log1p)
__MUSA_UNARY_CXX(sin)
__MUSA_UNARY_CXX(cos)
__MUSA_UNARY_CXX(tan)
__MUSA_UNARY_CXX(sinh)
__MUSA_UNARY_CXX(cosh)
__MUSA_UNARY_CXX(tanh)
__MUSA_UNARY_CXX(asin)
__MUSA_UNARY_CXX(acos)
__MUSA_UNARY_CXX(atan)
__MUSA_BINARY_CXX(fmin)
__MUSA_BINARY_CXX(fmax)
__MUSA_BINARY_CXX(copysign)
__MUSA_BINARY_CXX(pow)
__MUSA_BINARY_CXX(atan2)
__MUSA_BINARY_CXX(hypot)
#undef __MUSA_UNARY_CXX
#undef __MUSA_BINARY_CXX

__MUSA_MATH_INLINE float pow(float x, int n) { return __musa_powf(x, (float)n); }
__MUSA_MATH_INLINE double pow(double x, int n) { return __musa_pow(x, (double)n); }
__MUSA_MATH_INLINE float fma(float x, float y, float z) { return __musa_fmaf(x, y, z); }
__MUSA_MATH_INLINE float fmod(float x, float y) { return __musa_fmodf(x, y); }
__MUSA_MATH_INLINE float nearbyint(float x) { return __musa_rintf(x); }
__MUSA_MATH_INLINE float ldexp(float x, int n) { return __musa_ldexpf(x, n); }
__MUSA_MATH_INLINE float frexp(float x, int *e) { return __musa_frexpf(x, e); }
__MUSA_MATH_INLINE float erf(float x) { return __musa_erff(x); }
__MUSA_MATH_INLINE float erfc(float x) { return __musa_erfcf(x); }
__MUSA_MATH_INLINE long abs(long x) { return labs(x); }
__MUSA_MATH_INLINE long long abs(long long x) { return llabs(x); }
__MUSA_MATH_INLINE float abs(float x) { return __musa_fabsf(x); }
__MUSA_MATH_INLINE double abs(double x) { return __musa_fabs(x); }
__MUSA_MATH_INLINE bool isnan(float x) { return __musa_isnanf(x); }
__MUSA_MATH_INLINE bool isnan(double x) { return __musa_isnan(x); }
__MUSA_MATH_INLINE bool isinf(float x) { return __musa_isinff(x); }
__MUSA_MATH_INLINE bool isinf(double x) { return __musa_isinf(x); }
__MUSA_MATH_INLINE bool isfinite(float x) { return __musa_isfinitef(x); }
__MUSA_MATH_INLINE bool isfinite(double x) { return __musa_isfinite(x); }
__MUSA_MATH_INLINE bool signbit(float x) { return __builtin_signbit(x); }
__MUSA_MATH_INLINE bool signbit(double x) { return __builtin_signbit(x); }
#else
#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define isfinite(x) __builtin_isfinite(x)
#define signbit(x) __builtin_signbit(x)
#endif

#undef __MUSA_UNARY
#undef __MUSA_BINARY
#endif /* __MUSA_MATH_PREFIXED_ONLY */

#endif /* MUSA_MATH_NAMES_H */
