/* SPDX-License-Identifier: MIT */
/*
 * CUDA's atomic functions on global and shared memory: atomicAdd, atomicSub,
 * atomicExch, atomicMin, atomicMax, atomicInc, atomicDec, atomicCAS, atomicAnd,
 * atomicOr, atomicXor. Included by musa_device.h.
 *
 * They are relaxed, as CUDA's are, and use the A extension's AMOs where one exists;
 * float and double arithmetic, atomicInc and atomicDec are compare-and-swap loops.
 * Types follow CUDA: int, unsigned int, unsigned long long everywhere, long long for
 * min/max, float for add/exch, double for add. C++ has overloads; C has _Generic
 * macros on the pointer type. The _block and _system variants are the same
 * operations: the device has one coherent memory.
 */
#ifndef MUSA_ATOMIC_H
#define MUSA_ATOMIC_H

#define __MUSA_ATOMIC_RMW(name, builtin, suffix, type)				\
	static __forceinline__ type __musa_atomic_##name##_##suffix(type *p, type v)	\
	{ return builtin(p, v, __ATOMIC_RELAXED); }

#define __MUSA_ATOMIC_INT_FAMILY(suffix, type)					\
	__MUSA_ATOMIC_RMW(add, __atomic_fetch_add, suffix, type)		\
	__MUSA_ATOMIC_RMW(sub, __atomic_fetch_sub, suffix, type)		\
	__MUSA_ATOMIC_RMW(exch, __atomic_exchange_n, suffix, type)		\
	__MUSA_ATOMIC_RMW(min, __atomic_fetch_min, suffix, type)		\
	__MUSA_ATOMIC_RMW(max, __atomic_fetch_max, suffix, type)		\
	__MUSA_ATOMIC_RMW(and, __atomic_fetch_and, suffix, type)		\
	__MUSA_ATOMIC_RMW(or, __atomic_fetch_or, suffix, type)			\
	__MUSA_ATOMIC_RMW(xor, __atomic_fetch_xor, suffix, type)		\
	static __forceinline__ type __musa_atomic_cas_##suffix(type *p, type cmp, type v) \
	{									\
		__atomic_compare_exchange_n(p, &cmp, v, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED); \
		return cmp;							\
	}

__MUSA_ATOMIC_INT_FAMILY(i, int)
__MUSA_ATOMIC_INT_FAMILY(u, unsigned int)
__MUSA_ATOMIC_INT_FAMILY(ll, long long)
__MUSA_ATOMIC_INT_FAMILY(ull, unsigned long long)
#undef __MUSA_ATOMIC_INT_FAMILY
#undef __MUSA_ATOMIC_RMW

/* ((old >= limit) ? 0 : old + 1) */
static __forceinline__ unsigned int __musa_atomic_inc_u(unsigned int *p, unsigned int limit)
{
	unsigned int old = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(p, &old, old >= limit ? 0 : old + 1, 1,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	return old;
}

/* ((old == 0 || old > limit) ? limit : old - 1) */
static __forceinline__ unsigned int __musa_atomic_dec_u(unsigned int *p, unsigned int limit)
{
	unsigned int old = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(p, &old, (old == 0 || old > limit) ? limit : old - 1,
					    1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	return old;
}

/* Floating-point add on the bit pattern: the loop retries while another thread won. */
static __forceinline__ float __musa_atomic_add_f(float *p, float v)
{
	unsigned int *u = (unsigned int *)p;
	unsigned int old = __atomic_load_n(u, __ATOMIC_RELAXED), next;
	float f;

	do {
		__builtin_memcpy(&f, &old, sizeof(f));
		f += v;
		__builtin_memcpy(&next, &f, sizeof(next));
	} while (!__atomic_compare_exchange_n(u, &old, next, 1, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	__builtin_memcpy(&f, &old, sizeof(f));
	return f;
}

static __forceinline__ double __musa_atomic_add_d(double *p, double v)
{
	unsigned long long *u = (unsigned long long *)p;
	unsigned long long old = __atomic_load_n(u, __ATOMIC_RELAXED), next;
	double d;

	do {
		__builtin_memcpy(&d, &old, sizeof(d));
		d += v;
		__builtin_memcpy(&next, &d, sizeof(next));
	} while (!__atomic_compare_exchange_n(u, &old, next, 1, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	__builtin_memcpy(&d, &old, sizeof(d));
	return d;
}

static __forceinline__ float __musa_atomic_exch_f(float *p, float v)
{
	unsigned int u, old;
	float f;

	__builtin_memcpy(&u, &v, sizeof(u));
	old = __atomic_exchange_n((unsigned int *)p, u, __ATOMIC_RELAXED);
	__builtin_memcpy(&f, &old, sizeof(f));
	return f;
}

#ifdef __cplusplus
#define __MUSA_ATOMIC_CXX(name, op, suffix, type)					\
	static __forceinline__ type name(type *p, type v) { return __musa_atomic_##op##_##suffix(p, v); }

#define __MUSA_ATOMIC_CXX_INT(suffix, type)					\
	__MUSA_ATOMIC_CXX(atomicAdd, add, suffix, type)				\
	__MUSA_ATOMIC_CXX(atomicExch, exch, suffix, type)			\
	__MUSA_ATOMIC_CXX(atomicMin, min, suffix, type)				\
	__MUSA_ATOMIC_CXX(atomicMax, max, suffix, type)				\
	__MUSA_ATOMIC_CXX(atomicAnd, and, suffix, type)				\
	__MUSA_ATOMIC_CXX(atomicOr, or, suffix, type)				\
	__MUSA_ATOMIC_CXX(atomicXor, xor, suffix, type)				\
	static __forceinline__ type atomicCAS(type *p, type cmp, type v)	\
	{ return __musa_atomic_cas_##suffix(p, cmp, v); }

__MUSA_ATOMIC_CXX_INT(i, int)
__MUSA_ATOMIC_CXX_INT(u, unsigned int)
__MUSA_ATOMIC_CXX_INT(ull, unsigned long long)
__MUSA_ATOMIC_CXX(atomicSub, sub, i, int)
__MUSA_ATOMIC_CXX(atomicSub, sub, u, unsigned int)
__MUSA_ATOMIC_CXX(atomicMin, min, ll, long long)
__MUSA_ATOMIC_CXX(atomicMax, max, ll, long long)
__MUSA_ATOMIC_CXX(atomicInc, inc, u, unsigned int)
__MUSA_ATOMIC_CXX(atomicDec, dec, u, unsigned int)
__MUSA_ATOMIC_CXX(atomicAdd, add, f, float)
__MUSA_ATOMIC_CXX(atomicAdd, add, d, double)
__MUSA_ATOMIC_CXX(atomicExch, exch, f, float)
#undef __MUSA_ATOMIC_CXX_INT
#undef __MUSA_ATOMIC_CXX
#else
/* Dispatch on the pointer: an unsupported type fails to compile at the call. */
#define __MUSA_ATOMIC_GENERIC(op, p) _Generic((p),				\
	int *: __musa_atomic_##op##_i, unsigned int *: __musa_atomic_##op##_u,	\
	long long *: __musa_atomic_##op##_ll,					\
	unsigned long long *: __musa_atomic_##op##_ull)
#define __MUSA_ATOMIC_GENERIC_FP(op, p) _Generic((p),				\
	int *: __musa_atomic_##op##_i, unsigned int *: __musa_atomic_##op##_u,	\
	unsigned long long *: __musa_atomic_##op##_ull,				\
	float *: __musa_atomic_##op##_f, double *: __musa_atomic_##op##_d)

#define atomicAdd(p, v) __MUSA_ATOMIC_GENERIC_FP(add, p)((p), (v))
#define atomicSub(p, v) __MUSA_ATOMIC_GENERIC(sub, p)((p), (v))
#define atomicExch(p, v) _Generic((p),					\
	int *: __musa_atomic_exch_i, unsigned int *: __musa_atomic_exch_u,	\
	unsigned long long *: __musa_atomic_exch_ull,				\
	float *: __musa_atomic_exch_f)((p), (v))
#define atomicMin(p, v) __MUSA_ATOMIC_GENERIC(min, p)((p), (v))
#define atomicMax(p, v) __MUSA_ATOMIC_GENERIC(max, p)((p), (v))
#define atomicAnd(p, v) __MUSA_ATOMIC_GENERIC(and, p)((p), (v))
#define atomicOr(p, v) __MUSA_ATOMIC_GENERIC(or, p)((p), (v))
#define atomicXor(p, v) __MUSA_ATOMIC_GENERIC(xor, p)((p), (v))
#define atomicCAS(p, cmp, v) __MUSA_ATOMIC_GENERIC(cas, p)((p), (cmp), (v))
#define atomicInc(p, v) __musa_atomic_inc_u((p), (v))
#define atomicDec(p, v) __musa_atomic_dec_u((p), (v))
#endif

#define atomicAdd_block atomicAdd
#define atomicAdd_system atomicAdd
#define atomicSub_block atomicSub
#define atomicSub_system atomicSub
#define atomicExch_block atomicExch
#define atomicExch_system atomicExch
#define atomicMin_block atomicMin
#define atomicMin_system atomicMin
#define atomicMax_block atomicMax
#define atomicMax_system atomicMax
#define atomicCAS_block atomicCAS
#define atomicCAS_system atomicCAS
#define atomicAnd_block atomicAnd
#define atomicAnd_system atomicAnd
#define atomicOr_block atomicOr
#define atomicOr_system atomicOr
#define atomicXor_block atomicXor
#define atomicXor_system atomicXor
#define atomicInc_block atomicInc
#define atomicInc_system atomicInc
#define atomicDec_block atomicDec
#define atomicDec_system atomicDec

#endif /* MUSA_ATOMIC_H */
