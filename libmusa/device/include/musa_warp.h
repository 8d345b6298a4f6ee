/* SPDX-License-Identifier: MIT */
/*
 * Warp collectives with CUDA's semantics: __activemask, __ballot_sync, __any_sync,
 * __all_sync and the four shuffles with an optional width. Included by
 * musa_device.h.
 *
 * Every *_sync form first waits for the lanes of its mask (WARP_SYNC), so the lanes
 * execute the collective together even after divergent code, as CUDA's _sync
 * contract requires. The instructions are volatile: their results depend on which
 * lanes run them, so the compiler must not move them across branches.
 *
 * Types: int, unsigned int, long, unsigned long, long long, unsigned long long,
 * float and double; C++ overloads, a _Generic macro in C (narrower integers
 * shuffle as int). The shuffle register is 64 bits wide, so 64-bit values move in
 * one instruction.
 */
#ifndef MUSA_WARP_H
#define MUSA_WARP_H

static __forceinline__ unsigned int __activemask(void)
{
	unsigned long m;

	__asm__ __volatile__(__MUSA_SIMT_INSN(S5000_SIMT_VOTE, S5000_VOTE_ACTIVE) ", %0, x0, x0"
			     : "=r"(m));
	return (unsigned int)m;
}

#define __MUSA_VOTE(op, mask, pred) ({						\
	unsigned long __musa_r;							\
	__musa_syncwarp(mask);							\
	__asm__ __volatile__(__MUSA_SIMT_INSN(S5000_SIMT_VOTE, op) ", %0, %1, %2"	\
			     : "=r"(__musa_r)					\
			     : "r"((unsigned long)((pred) != 0)), "r"((unsigned long)(mask))); \
	__musa_r; })

static __forceinline__ unsigned int __ballot_sync(unsigned int mask, int predicate)
{
	return (unsigned int)__MUSA_VOTE(S5000_VOTE_BALLOT, mask, predicate);
}

static __forceinline__ int __any_sync(unsigned int mask, int predicate)
{
	return (int)__MUSA_VOTE(S5000_VOTE_ANY, mask, predicate);
}

static __forceinline__ int __all_sync(unsigned int mask, int predicate)
{
	return (int)__MUSA_VOTE(S5000_VOTE_ALL, mask, predicate);
}

/* The value of v in lane src; a lane's own v when src does not run the shuffle. */
static __forceinline__ unsigned long long __musa_shfl(unsigned int mask, unsigned long long v,
						       unsigned int src)
{
	unsigned long long r;

	__musa_syncwarp(mask);
	__asm__ __volatile__(__MUSA_SIMT_INSN(S5000_SIMT_SHFL, 0) ", %0, %1, %2"
			     : "=r"(r) : "r"(v), "r"((unsigned long)src));
	return r;
}

/*
 * Source lanes, as PTX's shfl defines them for segments of width lanes (a power of
 * two): idx reads lane srcLane of the caller's segment; up and down read delta lanes
 * away and keep their own value when that leaves the segment; xor may read earlier
 * segments but keeps its own value for a later one.
 */
static __forceinline__ unsigned int __musa_shfl_idx_src(int srcLane, int width)
{
	unsigned int lane = __musa_lane_id();

	return (lane & ~(unsigned int)(width - 1)) | ((unsigned int)srcLane & (width - 1));
}

static __forceinline__ unsigned int __musa_shfl_up_src(unsigned int delta, int width)
{
	unsigned int lane = __musa_lane_id();

	return (lane & (width - 1)) >= delta ? lane - delta : lane;
}

static __forceinline__ unsigned int __musa_shfl_down_src(unsigned int delta, int width)
{
	unsigned int lane = __musa_lane_id();

	return (lane & (width - 1)) + delta < (unsigned int)width ? lane + delta : lane;
}

static __forceinline__ unsigned int __musa_shfl_xor_src(int laneMask, int width)
{
	unsigned int lane = __musa_lane_id();
	unsigned int src = lane ^ (unsigned int)laneMask;

	return src > (lane | (width - 1)) ? lane : src;
}

/* Values travel as register bits: floats in the low 32, integers sign- or zero-extended. */
static __forceinline__ unsigned long long __musa_f2bits(float f)
{
	unsigned int u;

	__builtin_memcpy(&u, &f, sizeof(u));
	return u;
}

static __forceinline__ float __musa_bits2f(unsigned long long b)
{
	unsigned int u = (unsigned int)b;
	float f;

	__builtin_memcpy(&f, &u, sizeof(f));
	return f;
}

static __forceinline__ unsigned long long __musa_d2bits(double d)
{
	unsigned long long u;

	__builtin_memcpy(&u, &d, sizeof(u));
	return u;
}

static __forceinline__ double __musa_bits2d(unsigned long long b)
{
	double d;

	__builtin_memcpy(&d, &b, sizeof(d));
	return d;
}

#define __MUSA_IDENT(x) (x)

/* One typed family: __musa_shfl{,_up,_down,_xor}_sync_<suffix>. */
#define __MUSA_SHFL_TYPED(suffix, type, to_bits, from_bits)				\
static __forceinline__ type __musa_shfl_sync_##suffix(unsigned int mask, type var,	\
						      int srcLane, int width)		\
{ return (type)from_bits(__musa_shfl(mask, to_bits(var), __musa_shfl_idx_src(srcLane, width))); } \
static __forceinline__ type __musa_shfl_up_sync_##suffix(unsigned int mask, type var,	\
							 unsigned int delta, int width)	\
{ return (type)from_bits(__musa_shfl(mask, to_bits(var), __musa_shfl_up_src(delta, width))); } \
static __forceinline__ type __musa_shfl_down_sync_##suffix(unsigned int mask, type var,	\
							   unsigned int delta, int width)	\
{ return (type)from_bits(__musa_shfl(mask, to_bits(var), __musa_shfl_down_src(delta, width))); } \
static __forceinline__ type __musa_shfl_xor_sync_##suffix(unsigned int mask, type var,	\
							  int laneMask, int width)		\
{ return (type)from_bits(__musa_shfl(mask, to_bits(var), __musa_shfl_xor_src(laneMask, width))); }

__MUSA_SHFL_TYPED(i, int, (unsigned long long), __MUSA_IDENT)
__MUSA_SHFL_TYPED(u, unsigned int, (unsigned long long), __MUSA_IDENT)
__MUSA_SHFL_TYPED(l, long, (unsigned long long), __MUSA_IDENT)
__MUSA_SHFL_TYPED(ul, unsigned long, (unsigned long long), __MUSA_IDENT)
__MUSA_SHFL_TYPED(ll, long long, (unsigned long long), __MUSA_IDENT)
__MUSA_SHFL_TYPED(ull, unsigned long long, (unsigned long long), __MUSA_IDENT)
__MUSA_SHFL_TYPED(f, float, __musa_f2bits, __musa_bits2f)
__MUSA_SHFL_TYPED(d, double, __musa_d2bits, __musa_bits2d)
#undef __MUSA_SHFL_TYPED

#ifdef __cplusplus
#define __MUSA_SHFL_CXX(suffix, type)							\
static __forceinline__ type __shfl_sync(unsigned int mask, type var, int srcLane,	\
					int width = warpSize)				\
{ return __musa_shfl_sync_##suffix(mask, var, srcLane, width); }			\
static __forceinline__ type __shfl_up_sync(unsigned int mask, type var, unsigned int delta, \
					   int width = warpSize)			\
{ return __musa_shfl_up_sync_##suffix(mask, var, delta, width); }			\
static __forceinline__ type __shfl_down_sync(unsigned int mask, type var, unsigned int delta, \
					     int width = warpSize)			\
{ return __musa_shfl_down_sync_##suffix(mask, var, delta, width); }			\
static __forceinline__ type __shfl_xor_sync(unsigned int mask, type var, int laneMask,	\
					    int width = warpSize)			\
{ return __musa_shfl_xor_sync_##suffix(mask, var, laneMask, width); }

__MUSA_SHFL_CXX(i, int)
__MUSA_SHFL_CXX(u, unsigned int)
__MUSA_SHFL_CXX(l, long)
__MUSA_SHFL_CXX(ul, unsigned long)
__MUSA_SHFL_CXX(ll, long long)
__MUSA_SHFL_CXX(ull, unsigned long long)
__MUSA_SHFL_CXX(f, float)
__MUSA_SHFL_CXX(d, double)
#undef __MUSA_SHFL_CXX
#else
#define __MUSA_SHFL_GENERIC(op, var) _Generic((var),				\
	unsigned int: __musa_##op##_u, long: __musa_##op##_l,			\
	unsigned long: __musa_##op##_ul, long long: __musa_##op##_ll,		\
	unsigned long long: __musa_##op##_ull, float: __musa_##op##_f,		\
	double: __musa_##op##_d, default: __musa_##op##_i)

#define __shfl_sync(mask, var, srcLane, ...)					\
	__MUSA_SHFL_GENERIC(shfl_sync, var)((mask), (var), (srcLane),		\
					    __MUSA_PICK(0, ##__VA_ARGS__, warpSize))
#define __shfl_up_sync(mask, var, delta, ...)					\
	__MUSA_SHFL_GENERIC(shfl_up_sync, var)((mask), (var), (delta),		\
					       __MUSA_PICK(0, ##__VA_ARGS__, warpSize))
#define __shfl_down_sync(mask, var, delta, ...)					\
	__MUSA_SHFL_GENERIC(shfl_down_sync, var)((mask), (var), (delta),	\
						 __MUSA_PICK(0, ##__VA_ARGS__, warpSize))
#define __shfl_xor_sync(mask, var, laneMask, ...)				\
	__MUSA_SHFL_GENERIC(shfl_xor_sync, var)((mask), (var), (laneMask),	\
						__MUSA_PICK(0, ##__VA_ARGS__, warpSize))
#endif

#endif /* MUSA_WARP_H */
