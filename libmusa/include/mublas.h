/* SPDX-License-Identifier: MIT */
/*
 * mublas.h: libmublas, the BLAS of the MUSA stack, shaped as cuBLAS's v2 API:
 * cublas -> mublas, CUBLAS_ -> MUBLAS_, with cuBLAS's signatures, enum values and
 * column-major storage. Link with -lmublas -lmusa (pkg-config mublas).
 *
 * Matrices live in device (or pinned host) memory, column-major: element (i, j) of
 * a matrix with leading dimension ld is at i + j * ld. Calls are asynchronous in
 * the handle's stream (mublasSetStream) and return MUBLAS_STATUS_SUCCESS once the
 * work is queued; a device fault while it runs is sticky in libmusa and shows in
 * later calls as MUBLAS_STATUS_EXECUTION_FAILED (musaGetLastErrorDetail() says why).
 *
 * The GEMMs run on the tensor core (the MMA instruction of uapi/s5000.h), tile by
 * tile, in device code loaded into the current device's context on first use:
 *   - FP8 (E4M3, E5M2, mixed) and FP16 inputs accumulate exactly: with beta = 0 the
 *     result is the exact sum times alpha rounded once to C's type; with beta != 0,
 *     that rounded to FP32, plus beta * C, rounded to C's type;
 *   - BF16, TF32 and FP32 inputs accumulate in FP32 with one fused multiply-add
 *     per product, k in order; FP64 in FP64 likewise;
 *   - alpha and beta are applied in device code, from host memory (copied at the
 *     call) or device memory (MUBLAS_POINTER_MODE_DEVICE, read when the kernel runs).
 */
#ifndef MUBLAS_H
#define MUBLAS_H

#include "musa_runtime.h"

#if defined(__cplusplus)
extern "C" {
#endif

/* The library version: 1000 * major + 100 * minor + patch, as cuBLAS counts. */
#define MUBLAS_VER_MAJOR	1
#define MUBLAS_VER_MINOR	0
#define MUBLAS_VER_PATCH	0
#define MUBLAS_VERSION		(MUBLAS_VER_MAJOR * 1000 + MUBLAS_VER_MINOR * 100 + \
				 MUBLAS_VER_PATCH)

#ifndef MUSA_DATA_TYPE_DEFINED
#define MUSA_DATA_TYPE_DEFINED
/** Element types (CUDA's cudaDataType_t, library_types.h, with CUDA_ -> MUSA_). */
typedef enum musaDataType_t {
	MUSA_R_16F = 2,
	MUSA_C_16F = 6,
	MUSA_R_16BF = 14,
	MUSA_C_16BF = 15,
	MUSA_R_32F = 0,
	MUSA_C_32F = 4,
	MUSA_R_64F = 1,
	MUSA_C_64F = 5,
	MUSA_R_4I = 16,
	MUSA_C_4I = 17,
	MUSA_R_4U = 18,
	MUSA_C_4U = 19,
	MUSA_R_8I = 3,
	MUSA_C_8I = 7,
	MUSA_R_8U = 8,
	MUSA_C_8U = 9,
	MUSA_R_16I = 20,
	MUSA_C_16I = 21,
	MUSA_R_16U = 22,
	MUSA_C_16U = 23,
	MUSA_R_32I = 10,
	MUSA_C_32I = 11,
	MUSA_R_32U = 12,
	MUSA_C_32U = 13,
	MUSA_R_64I = 24,
	MUSA_C_64I = 25,
	MUSA_R_64U = 26,
	MUSA_C_64U = 27,
	MUSA_R_8F_E4M3 = 28,	/* OCP OFP8 E4M3: no infinities, max 448 */
	MUSA_R_8F_E5M2 = 29,	/* OCP OFP8 E5M2: IEEE-like, max 57344 */
} musaDataType;
#endif

/** Results (cublasStatus_t's values). */
typedef enum {
	MUBLAS_STATUS_SUCCESS = 0,
	MUBLAS_STATUS_NOT_INITIALIZED = 1,
	MUBLAS_STATUS_ALLOC_FAILED = 3,
	MUBLAS_STATUS_INVALID_VALUE = 7,
	MUBLAS_STATUS_ARCH_MISMATCH = 8,
	MUBLAS_STATUS_MAPPING_ERROR = 11,
	MUBLAS_STATUS_EXECUTION_FAILED = 13,
	MUBLAS_STATUS_INTERNAL_ERROR = 14,
	MUBLAS_STATUS_NOT_SUPPORTED = 15,
	MUBLAS_STATUS_LICENSE_ERROR = 16,
} mublasStatus_t;

/** op(X): X, its transpose, or its conjugate transpose (the transpose, for reals). */
typedef enum {
	MUBLAS_OP_N = 0,
	MUBLAS_OP_T = 1,
	MUBLAS_OP_C = 2,
	MUBLAS_OP_HERMITAN = 2,
	MUBLAS_OP_CONJG = 3,
} mublasOperation_t;

/** Where alpha and beta are: host memory (read at the call) or device memory. */
typedef enum {
	MUBLAS_POINTER_MODE_HOST = 0,
	MUBLAS_POINTER_MODE_DEVICE = 1,
} mublasPointerMode_t;

/** Math modes (cublasMath_t); recorded, the kernels' numerics are as stated above. */
typedef enum {
	MUBLAS_DEFAULT_MATH = 0,
	MUBLAS_TENSOR_OP_MATH = 1,
	MUBLAS_PEDANTIC_MATH = 2,
	MUBLAS_TF32_TENSOR_OP_MATH = 3,
	MUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION = 16,
} mublasMath_t;

/** Compute types of mublasGemmEx (cublasComputeType_t's values). */
typedef enum {
	MUBLAS_COMPUTE_16F = 64,		/* FP16 in, exact accumulation, half alpha/beta */
	MUBLAS_COMPUTE_16F_PEDANTIC = 65,
	MUBLAS_COMPUTE_32F = 68,		/* float alpha/beta */
	MUBLAS_COMPUTE_32F_PEDANTIC = 69,
	MUBLAS_COMPUTE_32F_FAST_16F = 74,	/* FP32 A, B rounded to FP16 first */
	MUBLAS_COMPUTE_32F_FAST_16BF = 75,	/* FP32 A, B rounded to BF16 first */
	MUBLAS_COMPUTE_32F_FAST_TF32 = 77,	/* FP32 A, B rounded to TF32 first */
	MUBLAS_COMPUTE_64F = 70,		/* double alpha/beta */
	MUBLAS_COMPUTE_64F_PEDANTIC = 71,
	MUBLAS_COMPUTE_32I = 72,
	MUBLAS_COMPUTE_32I_PEDANTIC = 73,
} mublasComputeType_t;

/** GEMM algorithms (cublasGemmAlgo_t's values); every one runs the same kernel. */
typedef enum {
	MUBLAS_GEMM_DEFAULT = -1,
	MUBLAS_GEMM_ALGO0 = 0,
	MUBLAS_GEMM_ALGO23 = 23,
	MUBLAS_GEMM_DEFAULT_TENSOR_OP = 99,
	MUBLAS_GEMM_DFALT_TENSOR_OP = 99,
	MUBLAS_GEMM_ALGO0_TENSOR_OP = 100,
	MUBLAS_GEMM_ALGO15_TENSOR_OP = 115,
} mublasGemmAlgo_t;

typedef struct mublasContext *mublasHandle_t;

/**
 * mublasCreate - a handle on the calling thread's current device (its primary
 * context is created if need be), with the legacy default stream, host pointer mode
 * and the default math mode. The kernels load on the first GEMM. A handle does not
 * survive musaDeviceReset of its device.
 */
mublasStatus_t mublasCreate(mublasHandle_t *handle);

/** mublasDestroy - wait for the device's work and free the handle (NULL is fine);
 *  MUBLAS_STATUS_EXECUTION_FAILED if the device faulted. */
mublasStatus_t mublasDestroy(mublasHandle_t handle);

/** mublasGetVersion - MUBLAS_VERSION. */
mublasStatus_t mublasGetVersion(mublasHandle_t handle, int *version);

/** mublasSetStream - the stream later calls of @handle queue their work in (0: legacy). */
mublasStatus_t mublasSetStream(mublasHandle_t handle, musaStream_t streamId);
mublasStatus_t mublasGetStream(mublasHandle_t handle, musaStream_t *streamId);

mublasStatus_t mublasSetPointerMode(mublasHandle_t handle, mublasPointerMode_t mode);
mublasStatus_t mublasGetPointerMode(mublasHandle_t handle, mublasPointerMode_t *mode);
mublasStatus_t mublasSetMathMode(mublasHandle_t handle, mublasMath_t mode);
mublasStatus_t mublasGetMathMode(mublasHandle_t handle, mublasMath_t *mode);

/** mublasGetStatusName - "MUBLAS_STATUS_SUCCESS", ... ("MUBLAS_STATUS_UNKNOWN" else). */
const char *mublasGetStatusName(mublasStatus_t status);

/** mublasGetStatusString - what a status means, in words. */
const char *mublasGetStatusString(mublasStatus_t status);

/**
 * mublasSgemm - C = alpha * op(A) * op(B) + beta * C in FP32, column-major
 * @m, @n, @k: op(A) is m x k, op(B) k x n, C m x n
 * @lda, @ldb, @ldc: at least the rows of A (m for OP_N, else k), of B (k for OP_N,
 *                   else n) and of C (m), and at least 1
 *
 * MUBLAS_STATUS_INVALID_VALUE for negative sizes, short leading dimensions or an
 * unknown operation; MUBLAS_STATUS_EXECUTION_FAILED when the launch fails (for
 * instance after an earlier device fault). C is not read when beta is 0.
 */
mublasStatus_t mublasSgemm(mublasHandle_t handle, mublasOperation_t transa,
			   mublasOperation_t transb, int m, int n, int k, const float *alpha,
			   const float *A, int lda, const float *B, int ldb, const float *beta,
			   float *C, int ldc);

/** mublasDgemm - mublasSgemm in FP64. */
mublasStatus_t mublasDgemm(mublasHandle_t handle, mublasOperation_t transa,
			   mublasOperation_t transb, int m, int n, int k, const double *alpha,
			   const double *A, int lda, const double *B, int ldb,
			   const double *beta, double *C, int ldc);

/**
 * mublasGemmEx - GEMM with the element types and compute type chosen
 * @alpha, @beta: double for MUBLAS_COMPUTE_64F, half (unsigned short bits) for
 *                MUBLAS_COMPUTE_16F, float otherwise
 * @algo: any mublasGemmAlgo_t
 *
 * Supported (A = B type, C type, compute type):
 *   64F, 64F, COMPUTE_64F[_PEDANTIC]
 *   32F, 32F, COMPUTE_32F[_PEDANTIC], _32F_FAST_TF32, _32F_FAST_16F, _32F_FAST_16BF
 *   16F, 16F or 32F, COMPUTE_32F[_PEDANTIC]; 16F, 16F, COMPUTE_16F[_PEDANTIC]
 *   16BF, 16BF or 32F, COMPUTE_32F[_PEDANTIC]
 *   8F_E4M3 or 8F_E5M2 (A and B may differ), 32F, 16F or 16BF, COMPUTE_32F
 * Anything else is MUBLAS_STATUS_NOT_SUPPORTED.
 */
mublasStatus_t mublasGemmEx(mublasHandle_t handle, mublasOperation_t transa,
			    mublasOperation_t transb, int m, int n, int k, const void *alpha,
			    const void *A, musaDataType Atype, int lda, const void *B,
			    musaDataType Btype, int ldb, const void *beta, void *C,
			    musaDataType Ctype, int ldc, mublasComputeType_t computeType,
			    mublasGemmAlgo_t algo);

/** How an FP8 operand of mublasGemmScaledEx is scaled (float scales, device memory). */
typedef enum {
	MUBLAS_SCALE_NONE = 0,		/* 1.0 */
	MUBLAS_SCALE_TENSOR = 1,	/* one float for the whole operand */
	/*
	 * op(A) only: one float per row and 128 consecutive k (DeepSeek-V3's activation
	 * tiles): scale of op(A)(i, k) at [(k / 128) * m + i].
	 */
	MUBLAS_SCALE_BLOCK_1x128 = 2,
	/*
	 * One float per 128 x 128 block (DeepSeek-V3's weight blocks): for op(A)(i, k)
	 * at [(i / 128) * ceil(k / 128) + k / 128], for op(B)(k, j) at
	 * [(j / 128) * ceil(k / 128) + k / 128].
	 */
	MUBLAS_SCALE_BLOCK_128x128 = 3,
} mublasScaleMode_t;

/**
 * struct mublasScaledGemmDesc - scales and accumulation of mublasGemmScaledEx
 * @a_mode, @a_scale: op(A)'s scales and their device address
 * @b_mode, @b_scale: op(B)'s (TENSOR or BLOCK_128x128)
 * @hopper: 0: exact accumulation; 1: like Hopper's FP8 tensor cores: each MMA's
 *          products and the running partial sum are aligned to the largest exponent
 *          among them, cut to @hopper_bits bits below it, summed and rounded to FP32;
 *          every @promote_interval products the partial sum is added to an FP32
 *          main accumulator
 * @hopper_bits: bits kept below the largest exponent, 1 to 31 (0: 13, DeepSeek-V3's
 *               measured ~14-bit accumulation)
 * @hopper_floor: cut toward -infinity instead of toward zero
 * @promote_interval: N_C, a multiple of 32 (0: 128, DeepSeek-V3's choice)
 *
 * With block scales (1x128 or 128x128) the products of each 128 of k are summed
 * (exactly, or as above), scaled by their blocks' scales, rounded to FP32 and
 * added to an FP32 accumulator, as DeepSeek-V3 does; then alpha and beta apply.
 * With tensor scales only, the sum is scaled once, as mublasGemmEx with alpha
 * multiplied by both scales.
 */
typedef struct mublasScaledGemmDesc {
	mublasScaleMode_t a_mode;
	const float *a_scale;
	mublasScaleMode_t b_mode;
	const float *b_scale;
	int hopper;
	int hopper_bits;
	int hopper_floor;
	int promote_interval;
} mublasScaledGemmDesc_t;

/**
 * mublasGemmScaledEx - FP8 GEMM with per-tensor or per-block scales
 * @alpha, @beta: float (host or device memory, per the pointer mode)
 * @Atype, @Btype: MUSA_R_8F_E4M3 or MUSA_R_8F_E5M2
 * @Ctype: MUSA_R_32F, MUSA_R_16F or MUSA_R_16BF
 * @desc: the scales and the accumulation (NULL: no scales, exact)
 *
 * C = alpha * sum over k of (scale(op(A)) op(A)) (scale(op(B)) op(B)) + beta * C.
 * MUBLAS_STATUS_INVALID_VALUE for a bad size, mode or parameter;
 * MUBLAS_STATUS_NOT_SUPPORTED for BLOCK_1x128 scales of op(B).
 */
mublasStatus_t mublasGemmScaledEx(mublasHandle_t handle, mublasOperation_t transa,
				  mublasOperation_t transb, int m, int n, int k,
				  const float *alpha, const void *A, musaDataType Atype, int lda,
				  const void *B, musaDataType Btype, int ldb, const float *beta,
				  void *C, musaDataType Ctype, int ldc,
				  const mublasScaledGemmDesc_t *desc);

#if defined(__cplusplus)
}
#endif

#endif /* MUBLAS_H */
