/* SPDX-License-Identifier: MIT */
/*
 * CUDA's built-in vector types for device code: char1 ... double4 with CUDA's sizes
 * and alignments (so a float4 load is one 16-byte access and structs shared with
 * host code lay out the same), make_<type>N() constructors, uint3 and dim3.
 */
#ifndef MUSA_VECTOR_TYPES_H
#define MUSA_VECTOR_TYPES_H

#define __MUSA_VEC1(name, type, align) \
	typedef struct __attribute__((aligned(align))) name { type x; } name;
#define __MUSA_VEC2(name, type, align) \
	typedef struct __attribute__((aligned(align))) name { type x, y; } name;
#define __MUSA_VEC3(name, type) \
	typedef struct name { type x, y, z; } name;
#define __MUSA_VEC4(name, type, align) \
	typedef struct __attribute__((aligned(align))) name { type x, y, z, w; } name;

/* Alignments follow CUDA: a 2- or 4-vector is aligned to its size up to 16 bytes. */
#define __MUSA_VECTORS(base, type, a1, a2, a4)		\
	__MUSA_VEC1(base##1, type, a1)			\
	__MUSA_VEC2(base##2, type, a2)			\
	__MUSA_VEC3(base##3, type)			\
	__MUSA_VEC4(base##4, type, a4)			\
	static __inline__ base##1 make_##base##1(type x)	\
	{ base##1 v = { x }; return v; }			\
	static __inline__ base##2 make_##base##2(type x, type y)	\
	{ base##2 v = { x, y }; return v; }		\
	static __inline__ base##3 make_##base##3(type x, type y, type z)	\
	{ base##3 v = { x, y, z }; return v; }		\
	static __inline__ base##4 make_##base##4(type x, type y, type z, type w) \
	{ base##4 v = { x, y, z, w }; return v; }

__MUSA_VECTORS(char, signed char, 1, 2, 4)
__MUSA_VECTORS(uchar, unsigned char, 1, 2, 4)
__MUSA_VECTORS(short, short, 2, 4, 8)
__MUSA_VECTORS(ushort, unsigned short, 2, 4, 8)
__MUSA_VECTORS(int, int, 4, 8, 16)
__MUSA_VECTORS(uint, unsigned int, 4, 8, 16)
__MUSA_VECTORS(long, long, 8, 16, 16)
__MUSA_VECTORS(ulong, unsigned long, 8, 16, 16)
__MUSA_VECTORS(longlong, long long, 8, 16, 16)
__MUSA_VECTORS(ulonglong, unsigned long long, 8, 16, 16)
__MUSA_VECTORS(float, float, 4, 8, 16)
__MUSA_VECTORS(double, double, 8, 16, 16)

#undef __MUSA_VECTORS
#undef __MUSA_VEC1
#undef __MUSA_VEC2
#undef __MUSA_VEC3
#undef __MUSA_VEC4

/*
 * Launch and index dimensions: unused dimensions are 1, as in CUDA. Host code that
 * includes libmusa's musa_runtime.h too keeps that header's identical dim3.
 */
#ifndef MUSA_DIM3_DEFINED
#define MUSA_DIM3_DEFINED
#ifdef __cplusplus
struct dim3 {
	unsigned int x, y, z;
	constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1)
		: x(vx), y(vy), z(vz) {}
	constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
	constexpr operator uint3() const { return uint3{ x, y, z }; }
};
#else
typedef struct dim3 { unsigned int x, y, z; } dim3;
#endif
#endif /* MUSA_DIM3_DEFINED */

#endif /* MUSA_VECTOR_TYPES_H */
