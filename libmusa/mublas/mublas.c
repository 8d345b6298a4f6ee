// SPDX-License-Identifier: MIT
/*
 * mublas.c: libmublas's host side. A handle remembers its device, stream and modes;
 * the GEMM kernel (gemm.mu, embedded by musa-cc at build time) is loaded with
 * muModuleLoadData into the device's context on the handle's first GEMM. Each GEMM
 * call checks its arguments as cuBLAS does, picks how the tensor core runs it (the
 * MMA types and accumulator for the types and compute type asked for), describes
 * the problem to the kernel (mublas_gemm.h) and launches a warp per 64 x 256 tile of
 * C (narrower where shared memory or the grid's size asks for it).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "musa.h"
#include "mublas.h"
#include "mublas_gemm.h"
#include "s5000_float.h"

#define MUBLAS_EXPORT __attribute__((visibility("default")))

/* Blocks a GEMM's grid should have for the device's compute threads to share. */
#define MUBLAS_MIN_BLOCKS	16

/* musa-cc --embed: the GEMM kernel's code object. */
extern const unsigned char mublas_gemm_image[];

struct mublasContext {
	int device;
	musaStream_t stream;
	mublasPointerMode_t pointer_mode;
	mublasMath_t math_mode;
	pthread_mutex_t lock;		/* loading the kernel */
	MUmodule module;
	MUfunction gemm;
	unsigned int max_shared;	/* dynamic shared bytes the kernel may have */
	void *workspace;		/* exact accumulators, one tile per compute unit */
	unsigned int ws_slots;
};

/* How one GEMM call runs. */
struct mublas_plan {
	unsigned char a_mma, b_mma;	/* s5000_mma_type the MMA reads */
	unsigned char a_mem, b_mem;	/* ... and the types in memory */
	unsigned char c_type;
	unsigned char acc;
	unsigned char scalar;		/* MUBLAS_SCALAR_* of alpha and beta */
};

/* The call: what the user passed, in one place. */
struct mublas_call {
	mublasOperation_t transa, transb;
	int m, n, k, lda, ldb, ldc;
	const void *alpha, *beta, *A, *B;
	void *C;
	const mublasScaledGemmDesc_t *scaled;
};

static const char *const mublas_status_names[][2] = {
	[MUBLAS_STATUS_SUCCESS] = { "MUBLAS_STATUS_SUCCESS",
				    "the operation completed successfully" },
	[MUBLAS_STATUS_NOT_INITIALIZED] = { "MUBLAS_STATUS_NOT_INITIALIZED",
					    "the library was not initialized" },
	[MUBLAS_STATUS_ALLOC_FAILED] = { "MUBLAS_STATUS_ALLOC_FAILED",
					 "the resource allocation failed" },
	[MUBLAS_STATUS_INVALID_VALUE] = { "MUBLAS_STATUS_INVALID_VALUE",
					  "an invalid numeric value was used as an argument" },
	[MUBLAS_STATUS_ARCH_MISMATCH] = { "MUBLAS_STATUS_ARCH_MISMATCH",
					  "an absent device architectural feature is required" },
	[MUBLAS_STATUS_MAPPING_ERROR] = { "MUBLAS_STATUS_MAPPING_ERROR",
					  "an access to GPU memory space failed" },
	[MUBLAS_STATUS_EXECUTION_FAILED] = { "MUBLAS_STATUS_EXECUTION_FAILED",
					     "the GPU program failed to execute" },
	[MUBLAS_STATUS_INTERNAL_ERROR] = { "MUBLAS_STATUS_INTERNAL_ERROR",
					   "an internal operation failed" },
	[MUBLAS_STATUS_NOT_SUPPORTED] = { "MUBLAS_STATUS_NOT_SUPPORTED",
					  "the functionality requested is not supported" },
	[MUBLAS_STATUS_LICENSE_ERROR] = { "MUBLAS_STATUS_LICENSE_ERROR",
					  "the functionality requested requires some license" },
};

static const char *mublas_status_text(mublasStatus_t status, int which)
{
	if ((unsigned int)status < sizeof(mublas_status_names) / sizeof(mublas_status_names[0]) &&
	    mublas_status_names[status][which])
		return mublas_status_names[status][which];
	return which ? "unknown error" : "MUBLAS_STATUS_UNKNOWN";
}

MUBLAS_EXPORT const char *mublasGetStatusName(mublasStatus_t status)
{
	return mublas_status_text(status, 0);
}

MUBLAS_EXPORT const char *mublasGetStatusString(mublasStatus_t status)
{
	return mublas_status_text(status, 1);
}

/* ---------------------------------------------------------------- handles */

MUBLAS_EXPORT mublasStatus_t mublasCreate(mublasHandle_t *handle)
{
	struct mublasContext *h;
	int device;

	if (!handle)
		return MUBLAS_STATUS_INVALID_VALUE;
	/* The runtime's context of the current device, made now, as cuBLAS does. */
	if (musaFree(NULL) != musaSuccess || musaGetDevice(&device) != musaSuccess ||
	    muInit(0) != MUSA_SUCCESS)
		return MUBLAS_STATUS_NOT_INITIALIZED;
	h = calloc(1, sizeof(*h));
	if (!h)
		return MUBLAS_STATUS_ALLOC_FAILED;
	h->device = device;
	pthread_mutex_init(&h->lock, NULL);
	*handle = h;
	return MUBLAS_STATUS_SUCCESS;
}

MUBLAS_EXPORT mublasStatus_t mublasDestroy(mublasHandle_t handle)
{
	mublasStatus_t status = MUBLAS_STATUS_SUCCESS;

	if (!handle)
		return MUBLAS_STATUS_SUCCESS;
	/* Unloading waits for the context's work, the handle's included. */
	if (handle->module && muModuleUnload(handle->module) != MUSA_SUCCESS)
		status = MUBLAS_STATUS_EXECUTION_FAILED;
	if (handle->workspace && musaFree(handle->workspace) != musaSuccess)
		status = MUBLAS_STATUS_EXECUTION_FAILED;
	pthread_mutex_destroy(&handle->lock);
	free(handle);
	return status;
}

MUBLAS_EXPORT mublasStatus_t mublasGetVersion(mublasHandle_t handle, int *version)
{
	if (!handle)
		return MUBLAS_STATUS_NOT_INITIALIZED;
	if (!version)
		return MUBLAS_STATUS_INVALID_VALUE;
	*version = MUBLAS_VERSION;
	return MUBLAS_STATUS_SUCCESS;
}

MUBLAS_EXPORT mublasStatus_t mublasSetStream(mublasHandle_t handle, musaStream_t streamId)
{
	if (!handle)
		return MUBLAS_STATUS_NOT_INITIALIZED;
	handle->stream = streamId;
	return MUBLAS_STATUS_SUCCESS;
}

MUBLAS_EXPORT mublasStatus_t mublasGetStream(mublasHandle_t handle, musaStream_t *streamId)
{
	if (!handle)
		return MUBLAS_STATUS_NOT_INITIALIZED;
	if (!streamId)
		return MUBLAS_STATUS_INVALID_VALUE;
	*streamId = handle->stream;
	return MUBLAS_STATUS_SUCCESS;
}

MUBLAS_EXPORT mublasStatus_t mublasSetPointerMode(mublasHandle_t handle, mublasPointerMode_t mode)
{
	if (!handle)
		return MUBLAS_STATUS_NOT_INITIALIZED;
	if (mode != MUBLAS_POINTER_MODE_HOST && mode != MUBLAS_POINTER_MODE_DEVICE)
		return MUBLAS_STATUS_INVALID_VALUE;
	handle->pointer_mode = mode;
	return MUBLAS_STATUS_SUCCESS;
}

MUBLAS_EXPORT mublasStatus_t mublasGetPointerMode(mublasHandle_t handle,
						   mublasPointerMode_t *mode)
{
	if (!handle)
		return MUBLAS_STATUS_NOT_INITIALIZED;
	if (!mode)
		return MUBLAS_STATUS_INVALID_VALUE;
	*mode = handle->pointer_mode;
	return MUBLAS_STATUS_SUCCESS;
}

MUBLAS_EXPORT mublasStatus_t mublasSetMathMode(mublasHandle_t handle, mublasMath_t mode)
{
	unsigned int base = mode & ~(unsigned int)MUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION;

	if (!handle)
		return MUBLAS_STATUS_NOT_INITIALIZED;
	if (base > MUBLAS_TF32_TENSOR_OP_MATH)
		return MUBLAS_STATUS_INVALID_VALUE;
	handle->math_mode = mode;
	return MUBLAS_STATUS_SUCCESS;
}

MUBLAS_EXPORT mublasStatus_t mublasGetMathMode(mublasHandle_t handle, mublasMath_t *mode)
{
	if (!handle)
		return MUBLAS_STATUS_NOT_INITIALIZED;
	if (!mode)
		return MUBLAS_STATUS_INVALID_VALUE;
	*mode = handle->math_mode;
	return MUBLAS_STATUS_SUCCESS;
}

/* The wide tiles' accumulators need all the shared memory the device has. */
static MUresult mublas_allow_shared(mublasHandle_t h)
{
	int static_bytes;
	MUresult r = muFuncGetAttribute(&static_bytes, MU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES,
					h->gemm);

	if (r != MUSA_SUCCESS)
		return r;
	h->max_shared = S5000_MAX_SHARED_BYTES - (unsigned int)static_bytes;
	return muFuncSetAttribute(h->gemm, MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
				  (int)h->max_shared);
}

/* The kernel, loaded into the handle's device context on first use. */
static mublasStatus_t mublas_kernel(mublasHandle_t h)
{
	mublasStatus_t status = MUBLAS_STATUS_SUCCESS;
	MUresult r;

	pthread_mutex_lock(&h->lock);
	if (!h->module) {
		r = muModuleLoadData(&h->module, mublas_gemm_image);
		if (r == MUSA_SUCCESS)
			r = muModuleGetFunction(&h->gemm, h->module, "mublas_gemm");
		if (r == MUSA_SUCCESS)
			r = mublas_allow_shared(h);
		if (r != MUSA_SUCCESS) {
			if (h->module)
				muModuleUnload(h->module);
			h->module = NULL;
			status = r == MUSA_ERROR_OUT_OF_MEMORY ? MUBLAS_STATUS_ALLOC_FAILED :
				 MUBLAS_STATUS_EXECUTION_FAILED;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return status;
}

/* ------------------------------------------------------------------ plans */

static int mublas_mma_type(musaDataType t)
{
	switch (t) {
	case MUSA_R_8F_E4M3:
		return S5000_MMA_E4M3;
	case MUSA_R_8F_E5M2:
		return S5000_MMA_E5M2;
	case MUSA_R_16F:
		return S5000_MMA_F16;
	case MUSA_R_16BF:
		return S5000_MMA_BF16;
	case MUSA_R_32F:
		return S5000_MMA_F32;
	case MUSA_R_64F:
		return S5000_MMA_F64;
	default:
		return 0;
	}
}

/* FP32 inputs under the compute types that read them narrower. */
static mublasStatus_t mublas_plan_f32(mublasComputeType_t compute, struct mublas_plan *p)
{
	p->acc = S5000_MMA_ACC_F32;
	switch (compute) {
	case MUBLAS_COMPUTE_32F:
	case MUBLAS_COMPUTE_32F_PEDANTIC:
		break;
	case MUBLAS_COMPUTE_32F_FAST_TF32:
		p->a_mma = p->b_mma = S5000_MMA_TF32;
		break;
	case MUBLAS_COMPUTE_32F_FAST_16F:
		p->a_mma = p->b_mma = S5000_MMA_F16;
		p->acc = S5000_MMA_ACC_EXACT;
		break;
	case MUBLAS_COMPUTE_32F_FAST_16BF:
		p->a_mma = p->b_mma = S5000_MMA_BF16;
		break;
	default:
		return MUBLAS_STATUS_NOT_SUPPORTED;
	}
	return p->c_type == S5000_MMA_F32 ? MUBLAS_STATUS_SUCCESS : MUBLAS_STATUS_NOT_SUPPORTED;
}

/* The supported combinations of mublasGemmEx (see mublas.h). */
static mublasStatus_t mublas_plan(musaDataType at, musaDataType bt, musaDataType ct,
				  mublasComputeType_t compute, struct mublas_plan *p)
{
	bool fp8 = (at == MUSA_R_8F_E4M3 || at == MUSA_R_8F_E5M2) &&
		   (bt == MUSA_R_8F_E4M3 || bt == MUSA_R_8F_E5M2);
	bool f32_compute = compute == MUBLAS_COMPUTE_32F || compute == MUBLAS_COMPUTE_32F_PEDANTIC;

	memset(p, 0, sizeof(*p));
	p->a_mem = p->a_mma = mublas_mma_type(at);
	p->b_mem = p->b_mma = mublas_mma_type(bt);
	p->c_type = mublas_mma_type(ct);
	p->scalar = MUBLAS_SCALAR_F32;
	if (!p->a_mem || !p->b_mem || !p->c_type || (at != bt && !fp8))
		return MUBLAS_STATUS_NOT_SUPPORTED;
	switch (at) {
	case MUSA_R_64F:
		p->acc = S5000_MMA_ACC_F64;
		p->scalar = MUBLAS_SCALAR_F64;
		return (compute == MUBLAS_COMPUTE_64F || compute == MUBLAS_COMPUTE_64F_PEDANTIC) &&
		       ct == MUSA_R_64F ? MUBLAS_STATUS_SUCCESS : MUBLAS_STATUS_NOT_SUPPORTED;
	case MUSA_R_32F:
		return mublas_plan_f32(compute, p);
	case MUSA_R_16F:
		p->acc = S5000_MMA_ACC_EXACT;
		if (compute == MUBLAS_COMPUTE_16F || compute == MUBLAS_COMPUTE_16F_PEDANTIC) {
			p->scalar = MUBLAS_SCALAR_F16;
			return ct == MUSA_R_16F ? MUBLAS_STATUS_SUCCESS : MUBLAS_STATUS_NOT_SUPPORTED;
		}
		return f32_compute && (ct == MUSA_R_16F || ct == MUSA_R_32F) ?
		       MUBLAS_STATUS_SUCCESS : MUBLAS_STATUS_NOT_SUPPORTED;
	case MUSA_R_16BF:
		p->acc = S5000_MMA_ACC_F32;
		return f32_compute && (ct == MUSA_R_16BF || ct == MUSA_R_32F) ?
		       MUBLAS_STATUS_SUCCESS : MUBLAS_STATUS_NOT_SUPPORTED;
	default:
		p->acc = S5000_MMA_ACC_EXACT;
		return compute == MUBLAS_COMPUTE_32F && ct != MUSA_R_64F ?
		       MUBLAS_STATUS_SUCCESS : MUBLAS_STATUS_NOT_SUPPORTED;
	}
}

/* ------------------------------------------------------------------ GEMMs */

static bool mublas_op_valid(mublasOperation_t op)
{
	return op == MUBLAS_OP_N || op == MUBLAS_OP_T || op == MUBLAS_OP_C;
}

/* cuBLAS's checks of sizes and leading dimensions. */
static mublasStatus_t mublas_check(const struct mublas_call *c)
{
	int arows = c->transa == MUBLAS_OP_N ? c->m : c->k;
	int brows = c->transb == MUBLAS_OP_N ? c->k : c->n;

	if (!mublas_op_valid(c->transa) || !mublas_op_valid(c->transb) || c->m < 0 || c->n < 0 ||
	    c->k < 0)
		return MUBLAS_STATUS_INVALID_VALUE;
	if (c->lda < (arows > 1 ? arows : 1) || c->ldb < (brows > 1 ? brows : 1) ||
	    c->ldc < (c->m > 1 ? c->m : 1))
		return MUBLAS_STATUS_INVALID_VALUE;
	if (!c->alpha || !c->beta)
		return MUBLAS_STATUS_INVALID_VALUE;
	return MUBLAS_STATUS_SUCCESS;
}

static double mublas_scalar(const void *p, int type)
{
	if (type == MUBLAS_SCALAR_F64)
		return *(const double *)p;
	if (type == MUBLAS_SCALAR_F16)
		return s5000_f16_to_f32(*(const unsigned short *)p);
	return *(const float *)p;
}

/* op(A), with (i, kk) of the view's rows, and op(B), with (j, kk) of its columns. */
static struct mublas_operand mublas_op_a(const struct mublas_call *c, const struct mublas_plan *p)
{
	return (struct mublas_operand){
		.addr = (uintptr_t)c->A, .ld = (unsigned int)c->lda,
		.layout = c->transa == MUBLAS_OP_N ? MUBLAS_LAYOUT_COLS : MUBLAS_LAYOUT_ROWS,
		.mem_type = p->a_mem, .mma_type = p->a_mma,
	};
}

static struct mublas_operand mublas_op_b(const struct mublas_call *c, const struct mublas_plan *p)
{
	return (struct mublas_operand){
		.addr = (uintptr_t)c->B, .ld = (unsigned int)c->ldb,
		.layout = c->transb == MUBLAS_OP_N ? MUBLAS_LAYOUT_ROWS : MUBLAS_LAYOUT_COLS,
		.mem_type = p->b_mem, .mma_type = p->b_mma,
	};
}

/*
 * FP8 scales and the Hopper accumulator, from the descriptor of mublasGemmScaledEx;
 * @opa and @opb are where op(A) and op(B) went in the view.
 */
static mublasStatus_t mublas_scaling(const mublasScaledGemmDesc_t *d, struct mublas_operand *opa,
				     struct mublas_operand *opb, struct mublas_gemm_args *a)
{
	int interval = d->promote_interval ? d->promote_interval : 128;

	if ((unsigned int)d->a_mode > MUBLAS_SCALE_BLOCK_128x128 ||
	    (unsigned int)d->b_mode > MUBLAS_SCALE_BLOCK_128x128 ||
	    (d->a_mode && !d->a_scale) || (d->b_mode && !d->b_scale))
		return MUBLAS_STATUS_INVALID_VALUE;
	if (d->b_mode == MUBLAS_SCALE_BLOCK_1x128)
		return MUBLAS_STATUS_NOT_SUPPORTED;
	opa->scale_mode = d->a_mode;
	opa->scale = (uintptr_t)d->a_scale;
	opb->scale_mode = d->b_mode;
	opb->scale = (uintptr_t)d->b_scale;
	if (!d->hopper)
		return MUBLAS_STATUS_SUCCESS;
	if (d->hopper_bits < 0 || d->hopper_bits > 31 || interval < 0 ||
	    interval % MUBLAS_MAX_KC)
		return MUBLAS_STATUS_INVALID_VALUE;
	a->acc_type = S5000_MMA_ACC_HOPPER;
	a->hopper_bits = d->hopper_bits ? d->hopper_bits : S5000_MMA_HOPPER_BITS;
	a->hopper_floor = d->hopper_floor != 0;
	a->promote_every = interval / MUBLAS_MAX_KC;
	return MUBLAS_STATUS_SUCCESS;
}

/*
 * The view the kernel computes: C^T (rows n, L = op(B)^T, R = op(A)^T), whose rows
 * are C's columns, so that the tensor core can store into C; or C itself (rows m,
 * L = op(A), R = op(B)) when only that lets L reach the MMA without staging (both
 * operands transposed), or when op(A) has per-row scales, which need op(A) as L.
 * R reads in place in any layout.
 */
static void mublas_view(const struct mublas_call *c, const struct mublas_plan *p,
			struct mublas_gemm_args *a)
{
	struct mublas_operand opa = mublas_op_a(c, p), opb = mublas_op_b(c, p);
	bool a_rows = c->scaled && c->scaled->a_mode != MUBLAS_SCALE_NONE &&
		      c->scaled->a_mode != MUBLAS_SCALE_TENSOR;

	if (!a_rows && (c->transa == MUBLAS_OP_N || c->transb == MUBLAS_OP_N)) {
		a->view = MUBLAS_VIEW_SWAPPED;
		a->rows = (unsigned int)c->n;
		a->cols = (unsigned int)c->m;
		a->l = opb;
		a->r = opa;
	} else {
		a->rows = (unsigned int)c->m;
		a->cols = (unsigned int)c->n;
		a->l = opa;
		a->r = opb;
	}
}

static mublasStatus_t mublas_args(mublasHandle_t h, const struct mublas_call *c,
				  const struct mublas_plan *p, struct mublas_gemm_args *a)
{
	mublasStatus_t status = MUBLAS_STATUS_SUCCESS;

	memset(a, 0, sizeof(*a));
	mublas_view(c, p, a);
	a->k = (unsigned int)c->k;
	a->c = (uintptr_t)c->C;
	a->ldc = (unsigned int)c->ldc;
	a->c_type = p->c_type;
	a->acc_type = p->acc;
	a->scalar_type = p->scalar;
	if (h->pointer_mode == MUBLAS_POINTER_MODE_DEVICE) {
		a->alpha_ptr = (uintptr_t)c->alpha;
		a->beta_ptr = (uintptr_t)c->beta;
	} else {
		a->alpha = mublas_scalar(c->alpha, p->scalar);
		a->beta = mublas_scalar(c->beta, p->scalar);
	}
	if (c->scaled)
		status = a->view ? mublas_scaling(c->scaled, &a->r, &a->l, a) :
				   mublas_scaling(c->scaled, &a->l, &a->r, a);
	return status;
}

/*
 * Device memory for the exact accumulators of the widest tiles, which shared memory
 * cannot hold: a tile for every compute unit, made on first use. False if there is
 * none (the tiles are then narrower).
 */
static bool mublas_workspace(mublasHandle_t h)
{
	int units;

	pthread_mutex_lock(&h->lock);
	if (!h->workspace &&
	    musaDeviceGetAttribute(&units, musaDevAttrMultiProcessorCount, h->device) ==
	    musaSuccess && units > 0 &&
	    musaMalloc(&h->workspace, (size_t)units * MUBLAS_TILE_ROWS * MUBLAS_TILE_MAX_COLS *
		       mublas_acc_bytes(S5000_MMA_ACC_EXACT)) == musaSuccess)
		h->ws_slots = (unsigned int)units;
	pthread_mutex_unlock(&h->lock);
	return h->workspace != NULL;
}

/*
 * The widest tile whose accumulators fit shared memory (or the workspace), narrowed
 * while the grid has fewer than MUBLAS_MIN_BLOCKS blocks, so that small GEMMs still
 * keep the device's compute threads busy. Wide tiles mean fewer, bigger MMAs: each
 * converts its operands once for more products.
 */
static void mublas_tile(mublasHandle_t h, struct mublas_gemm_args *a, struct mublas_smem *smem)
{
	unsigned int row_tiles = (a->rows + MUBLAS_TILE_ROWS - 1) / MUBLAS_TILE_ROWS;
	unsigned int max_shared = h->max_shared;

	if (a->acc_type == S5000_MMA_ACC_EXACT && mublas_workspace(h)) {
		a->workspace = (uintptr_t)h->workspace;
		a->ws_slots = h->ws_slots;
	}

	for (a->tile_cols = MUBLAS_TILE_MAX_COLS;; a->tile_cols /= 2) {
		unsigned int col_tiles = (a->cols + a->tile_cols - 1) / a->tile_cols;

		mublas_smem_layout(a, smem);
		if (a->tile_cols == MUBLAS_TILE_MIN_COLS)
			return;
		if (smem->total <= max_shared &&
		    (unsigned long long)row_tiles * col_tiles >= MUBLAS_MIN_BLOCKS)
			return;
	}
}

/*
 * Threads per block: the tensor core does a tile's arithmetic for the warp whatever
 * its size, so where the threads would only stage operands or finish C, and there is
 * none of that to do, one thread runs the block (the device executes each of its
 * instructions for one lane instead of 32).
 */
static unsigned int mublas_threads(const struct mublas_gemm_args *a)
{
	bool idle = !mublas_staged(&a->l, 1) && !mublas_staged(&a->r, 0) && !a->alpha_ptr &&
		    !a->beta_ptr && mublas_direct(a, a->alpha, a->beta);

	return idle ? 1 : S5000_WARP_SIZE;
}

static mublasStatus_t mublas_launch(mublasHandle_t h, struct mublas_gemm_args *a)
{
	struct mublas_smem smem;
	void *params[] = { a };
	MUresult r;

	mublas_tile(h, a, &smem);
	r = muLaunchKernel(h->gemm, (a->rows + MUBLAS_TILE_ROWS - 1) / MUBLAS_TILE_ROWS,
			   (a->cols + a->tile_cols - 1) / a->tile_cols, 1, mublas_threads(a),
			   1, 1, smem.total, h->stream, params, NULL);
	if (r == MUSA_SUCCESS)
		return MUBLAS_STATUS_SUCCESS;
	return r == MUSA_ERROR_INVALID_VALUE ? MUBLAS_STATUS_INTERNAL_ERROR :
	       MUBLAS_STATUS_EXECUTION_FAILED;
}

static mublasStatus_t mublas_gemm(mublasHandle_t h, const struct mublas_call *c,
				  musaDataType at, musaDataType bt, musaDataType ct,
				  mublasComputeType_t compute)
{
	struct mublas_gemm_args args;
	struct mublas_plan plan;
	mublasStatus_t status;

	if (!h)
		return MUBLAS_STATUS_NOT_INITIALIZED;
	status = mublas_check(c);
	if (!status)
		status = mublas_plan(at, bt, ct, compute, &plan);
	if (!status)
		status = mublas_args(h, c, &plan, &args);
	if (status || !c->m || !c->n)
		return status;
	status = mublas_kernel(h);
	return status ? status : mublas_launch(h, &args);
}

MUBLAS_EXPORT mublasStatus_t mublasSgemm(mublasHandle_t handle, mublasOperation_t transa,
					 mublasOperation_t transb, int m, int n, int k,
					 const float *alpha, const float *A, int lda,
					 const float *B, int ldb, const float *beta, float *C,
					 int ldc)
{
	struct mublas_call c = { transa, transb, m, n, k, lda, ldb, ldc, alpha, beta, A, B, C,
				 NULL };

	return mublas_gemm(handle, &c, MUSA_R_32F, MUSA_R_32F, MUSA_R_32F, MUBLAS_COMPUTE_32F);
}

MUBLAS_EXPORT mublasStatus_t mublasDgemm(mublasHandle_t handle, mublasOperation_t transa,
					 mublasOperation_t transb, int m, int n, int k,
					 const double *alpha, const double *A, int lda,
					 const double *B, int ldb, const double *beta, double *C,
					 int ldc)
{
	struct mublas_call c = { transa, transb, m, n, k, lda, ldb, ldc, alpha, beta, A, B, C,
				 NULL };

	return mublas_gemm(handle, &c, MUSA_R_64F, MUSA_R_64F, MUSA_R_64F, MUBLAS_COMPUTE_64F);
}

MUBLAS_EXPORT mublasStatus_t mublasGemmEx(mublasHandle_t handle, mublasOperation_t transa,
					  mublasOperation_t transb, int m, int n, int k,
					  const void *alpha, const void *A, musaDataType Atype,
					  int lda, const void *B, musaDataType Btype, int ldb,
					  const void *beta, void *C, musaDataType Ctype, int ldc,
					  mublasComputeType_t computeType, mublasGemmAlgo_t algo)
{
	struct mublas_call c = { transa, transb, m, n, k, lda, ldb, ldc, alpha, beta, A, B, C,
				 NULL };

	if (algo != MUBLAS_GEMM_DEFAULT && (algo < MUBLAS_GEMM_ALGO0 || algo > MUBLAS_GEMM_ALGO23) &&
	    (algo < MUBLAS_GEMM_DEFAULT_TENSOR_OP || algo > MUBLAS_GEMM_ALGO15_TENSOR_OP))
		return MUBLAS_STATUS_INVALID_VALUE;
	return mublas_gemm(handle, &c, Atype, Btype, Ctype, computeType);
}

MUBLAS_EXPORT mublasStatus_t mublasGemmScaledEx(mublasHandle_t handle, mublasOperation_t transa,
						mublasOperation_t transb, int m, int n, int k,
						const float *alpha, const void *A,
						musaDataType Atype, int lda, const void *B,
						musaDataType Btype, int ldb, const float *beta,
						void *C, musaDataType Ctype, int ldc,
						const mublasScaledGemmDesc_t *desc)
{
	struct mublas_call c = { transa, transb, m, n, k, lda, ldb, ldc, alpha, beta, A, B, C,
				 desc };
	bool fp8 = (Atype == MUSA_R_8F_E4M3 || Atype == MUSA_R_8F_E5M2) &&
		   (Btype == MUSA_R_8F_E4M3 || Btype == MUSA_R_8F_E5M2);

	if (!fp8)
		return MUBLAS_STATUS_NOT_SUPPORTED;
	return mublas_gemm(handle, &c, Atype, Btype, Ctype, MUBLAS_COMPUTE_32F);
}
