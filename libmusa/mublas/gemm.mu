// SPDX-License-Identifier: MIT
/*
 * gemm.mu: libmublas's GEMM kernel. One warp per block computes a 32 x 64 tile of the
 * view of C that mublas_gemm.h describes, on the tensor core:
 *
 *   zero the accumulators (shared memory); for each k step of one MMA: stage what
 *   cannot be read in place (a column-major L, or operands to convert), then one MMA
 *   instruction for the whole tile; STORE the accumulators once (or, with per-block
 *   FP8 scales, every 128 of k into an FP32 sum, scaled by the blocks' scales, as
 *   DeepSeek-V3 does); then the threads write C with alpha and beta.
 *
 * With the exact accumulator and beta = 0 the STORE rounds alpha * sum straight into
 * C's type, so the result is rounded once; otherwise it goes through FP32 (FP64 for
 * an FP64 C) and the threads add beta * C.
 */
#include <musa_mma.h>

#include "mublas_gemm.h"
#include "s5000_float.h"

#define ROWS MUBLAS_TILE_ROWS
#define COLS MUBLAS_TILE_COLS

/* Where this block works, and what its shared memory holds. */
struct mublas_tile {
	const struct mublas_gemm_args *a;
	struct mublas_smem sm;
	unsigned char *smem;
	unsigned int r0, c0, nr, nc, kc, tid;
	float *row_scale;		/* ROWS floats */
	float *alpha_scale;		/* what the final STORE scales by */
	float *r_scale;			/* R's scale of the current k block */
	unsigned int mmas;		/* issued so far, for Hopper promotions */
};

static __forceinline__ void *mublas_ptr(unsigned long long addr)
{
	return (void *)(unsigned long)addr;
}

/* ------------------------------------------------------------- elements */

static double mublas_load(const unsigned char *p, unsigned int type)
{
	switch (type) {
	case S5000_MMA_F16:
		return s5000_f16_to_f32(*(const unsigned short *)p);
	case S5000_MMA_BF16:
		return s5000_bf16_to_f32(*(const unsigned short *)p);
	case S5000_MMA_F64:
		return *(const double *)p;
	default:
		return *(const float *)p;
	}
}

static void mublas_store(unsigned char *p, unsigned int type, double v)
{
	switch (type) {
	case S5000_MMA_F16:
		*(unsigned short *)p = s5000_f64_to_f16(v);
		break;
	case S5000_MMA_BF16:
		*(unsigned short *)p = s5000_f64_to_bf16(v);
		break;
	case S5000_MMA_F64:
		*(double *)p = v;
		break;
	case S5000_MMA_TF32:
		*(float *)p = s5000_f32_to_tf32((float)v);
		break;
	default:
		*(float *)p = (float)v;
		break;
	}
}

/* Copies an element of an operand into a staging buffer, converted if need be. */
static void mublas_stage_one(const struct mublas_operand *o, unsigned long long at,
			   unsigned char *dst)
{
	unsigned int in = mublas_type_bytes(o->mem_type), out = mublas_type_bytes(o->mma_type);
	const unsigned char *src = (const unsigned char *)mublas_ptr(o->addr + at * in);

	if (o->mem_type == o->mma_type)
		memcpy(dst, src, out);
	else
		mublas_store(dst, o->mma_type, *(const float *)src);
}

/* Element (i, kk) of an operand in memory, as an element index. */
static unsigned long long mublas_index(const struct mublas_operand *o, unsigned int i,
				     unsigned int kk)
{
	return o->layout == MUBLAS_LAYOUT_ROWS ? (unsigned long long)i * o->ld + kk :
						 i + (unsigned long long)kk * o->ld;
}

/* L's rows x len and R's len x cols for the MMA at k0, where they cannot be read in place. */
static void mublas_stage(struct mublas_tile *t, unsigned int k0, unsigned int len)
{
	const struct mublas_gemm_args *a = t->a;
	unsigned int lb = mublas_type_bytes(a->l.mma_type), rb = mublas_type_bytes(a->r.mma_type);

	if (mublas_staged(&a->l, 1))
		for (unsigned int e = t->tid; e < t->nr * len; e += S5000_WARP_SIZE) {
			unsigned int i = e / len, kk = e % len;

			mublas_stage_one(&a->l, mublas_index(&a->l, t->r0 + i, k0 + kk),
				       t->smem + t->sm.lstage + (i * t->kc + kk) * lb);
		}
	if (mublas_staged(&a->r, 0))
		for (unsigned int e = t->tid; e < t->nc * len; e += S5000_WARP_SIZE) {
			unsigned int j = e / len, kk = e % len;

			mublas_stage_one(&a->r, mublas_index(&a->r, t->c0 + j, k0 + kk),
				       t->smem + t->sm.rstage + (kk * COLS + j) * rb);
		}
	__syncthreads();
}

/* --------------------------------------------------------------- the MMA */

static void mublas_step(struct mublas_tile *t, unsigned int k0, unsigned int len)
{
	const struct mublas_gemm_args *a = t->a;
	const struct mublas_operand *l = &a->l, *r = &a->r;
	unsigned int lb = mublas_type_bytes(l->mma_type), rb = mublas_type_bytes(r->mma_type);
	unsigned int lda = l->ld, ldb = r->ld, flags = 0;
	const void *pa, *pb;
	struct s5000_mma d;

	if (mublas_staged(l, 1)) {
		pa = t->smem + t->sm.lstage;
		lda = t->kc;
	} else {
		pa = mublas_ptr(l->addr + mublas_index(l, t->r0, k0) * lb);
	}
	if (mublas_staged(r, 0)) {
		pb = t->smem + t->sm.rstage;
		ldb = COLS;
	} else {
		pb = mublas_ptr(r->addr + mublas_index(r, t->c0, k0) * rb);
		flags = r->layout == MUBLAS_LAYOUT_ROWS ? S5000_MMA_B_TRANS : 0;
	}
	if (a->acc_type == S5000_MMA_ACC_HOPPER) {
		flags |= a->hopper_floor ? S5000_MMA_FLOOR : 0;
		if (++t->mmas % a->promote_every == 0)
			flags |= S5000_MMA_PROMOTE;
	}
	d = __musa_mma_desc(l->mma_type, r->mma_type, a->acc_type, t->nr, t->nc, len, pa, lda,
			    pb, ldb, t->smem + t->sm.acc, COLS, flags);
	if (a->acc_type == S5000_MMA_ACC_HOPPER)
		d.hopper_bits = a->hopper_bits;
	__musa_mma(&d);
	__syncthreads();
}

/* STORE of the accumulators into the out buffer, as @type, with scales, then cleared. */
static void mublas_flush(struct mublas_tile *t, unsigned int type, const float *scale_a,
		       const float *scale_b, unsigned int flags)
{
	struct s5000_mma d = __musa_mma_store_desc(t->a->acc_type, type, t->nr, t->nc,
						   t->smem + t->sm.acc, COLS,
						   t->smem + t->sm.out, COLS, scale_a, scale_b,
						   flags | S5000_MMA_CLEAR);

	__musa_mma(&d);
	__syncthreads();
}

/* ------------------------------------------------------------------ scales */

static bool mublas_block_scaled(const struct mublas_gemm_args *a)
{
	return a->l.scale_mode >= MUBLAS_KSCALE_1x128 || a->r.scale_mode >= MUBLAS_KSCALE_1x128;
}

/* The scale of row @i (of the view) or column block @j in k block @kb. */
static float mublas_scale(const struct mublas_operand *o, unsigned int i, unsigned int kb,
			unsigned int rows_total, unsigned int kblocks)
{
	const float *s = (const float *)mublas_ptr(o->scale);

	switch (o->scale_mode) {
	case MUBLAS_KSCALE_TENSOR:
		return s[0];
	case MUBLAS_KSCALE_1x128:
		return s[(unsigned long long)kb * rows_total + i];
	case MUBLAS_KSCALE_128x128:
		return s[(unsigned long long)(i / 128) * kblocks + kb];
	default:
		return 1.0f;
	}
}

/* The 128 of k ending now: scaled by its blocks' scales into the FP32 sum. */
static void mublas_flush_block(struct mublas_tile *t, unsigned int kb)
{
	const struct mublas_gemm_args *a = t->a;
	unsigned int kblocks = (a->k + MUBLAS_BLOCK_K - 1) / MUBLAS_BLOCK_K;

	for (unsigned int i = t->tid; i < t->nr; i += S5000_WARP_SIZE)
		t->row_scale[i] = mublas_scale(&a->l, t->r0 + i, kb, a->rows, kblocks);
	if (!t->tid)
		*t->r_scale = mublas_scale(&a->r, t->c0, kb, a->cols, kblocks);
	__syncthreads();
	mublas_flush(t, S5000_MMA_F32, t->row_scale, t->r_scale,
		   S5000_MMA_SCALE_A_ROWS | (kb ? S5000_MMA_ACCUMULATE : 0));
}

/* ---------------------------------------------------------------- epilogue */

/* out(r, c) of the view: where it lives in C. */
static unsigned char *mublas_c(const struct mublas_tile *t, unsigned int r, unsigned int c)
{
	const struct mublas_gemm_args *a = t->a;
	unsigned long long row = t->r0 + r, col = t->c0 + c;
	unsigned long long at = a->view == MUBLAS_VIEW_SWAPPED ? col + row * a->ldc :
								 row + col * a->ldc;

	return (unsigned char *)mublas_ptr(a->c + at * mublas_type_bytes(a->c_type));
}

/*
 * C = alpha_left * out + beta * C, in the compute precision (FP64 for FP64, else
 * FP32 with one fused multiply-add), rounded once to C's type. @out_type is what
 * the STORE wrote; when it is C's type and beta is 0, the bits are copied.
 */
static void mublas_epilogue(struct mublas_tile *t, unsigned int out_type, double alpha, double beta)
{
	const struct mublas_gemm_args *a = t->a;
	unsigned int ob = mublas_type_bytes(out_type), n = t->nr * t->nc;
	bool swapped = a->view == MUBLAS_VIEW_SWAPPED;

	for (unsigned int e = t->tid; e < n; e += S5000_WARP_SIZE) {
		/* Neighbouring threads write neighbouring elements of C. */
		unsigned int r = swapped ? e / t->nc : e % t->nr, c = swapped ? e % t->nc : e / t->nr;
		const unsigned char *src = t->smem + t->sm.out + (r * COLS + c) * ob;
		unsigned char *dst = mublas_c(t, r, c);
		double x = mublas_load(src, out_type), v;

		if (out_type == a->c_type && beta == 0 && alpha == 1) {
			memcpy(dst, src, ob);
			continue;
		}
		if (a->c_type == S5000_MMA_F64)
			v = beta == 0 ? alpha * x :
			    __builtin_fma(alpha, x, beta * mublas_load(dst, a->c_type));
		else
			v = beta == 0 ? (float)alpha * (float)x :
			    __builtin_fmaf((float)beta, (float)mublas_load(dst, a->c_type),
					   (float)alpha * (float)x);
		mublas_store(dst, a->c_type, v);
	}
}

static double mublas_scalar(unsigned long long ptr, double value, unsigned int type)
{
	if (!ptr)
		return value;
	if (type == MUBLAS_SCALAR_F64)
		return *(const double *)mublas_ptr(ptr);
	if (type == MUBLAS_SCALAR_F16)
		return s5000_f16_to_f32(*(const unsigned short *)mublas_ptr(ptr));
	return *(const float *)mublas_ptr(ptr);
}

/* --------------------------------------------------------------- kernel */

static void mublas_setup(struct mublas_tile *t, const struct mublas_gemm_args *a)
{
	t->a = a;
	mublas_smem_layout(a, &t->sm);
	t->smem = (unsigned char *)__musa_dynamic_shared();
	t->tid = threadIdx.x;
	t->r0 = blockIdx.x * ROWS;
	t->c0 = blockIdx.y * COLS;
	t->nr = a->rows - t->r0 < ROWS ? a->rows - t->r0 : ROWS;
	t->nc = a->cols - t->c0 < COLS ? a->cols - t->c0 : COLS;
	t->kc = mublas_kc(a);
	t->row_scale = (float *)(t->smem + t->sm.scales);
	t->alpha_scale = t->row_scale + ROWS;
	t->r_scale = t->alpha_scale + 1;
	t->mmas = 0;
	for (unsigned int i = t->tid; i < t->sm.out / 8; i += S5000_WARP_SIZE)
		((unsigned long long *)(t->smem + t->sm.acc))[i] = 0;
	__syncthreads();
}

/*
 * The final STORE for a tile without block scales: alpha (times the tensor
 * scales) goes into the STORE's scale, except for FP64, whose alpha is a double.
 * Returns what the epilogue still multiplies by.
 */
static double mublas_finish(struct mublas_tile *t, double alpha, double beta, unsigned int *out_type)
{
	const struct mublas_gemm_args *a = t->a;
	bool blocks = mublas_block_scaled(a);	/* here only when k is 0: nothing to scale */

	if (a->acc_type == S5000_MMA_ACC_F64) {
		*out_type = S5000_MMA_F64;
		mublas_flush(t, S5000_MMA_F64, NULL, NULL, 0);
		return alpha;
	}
	if (!t->tid) {
		*t->alpha_scale = (float)alpha * (blocks ? 1.0f : mublas_scale(&a->l, 0, 0, 1, 1));
		*t->r_scale = blocks ? 1.0f : mublas_scale(&a->r, 0, 0, 1, 1);
	}
	__syncthreads();
	*out_type = a->acc_type == S5000_MMA_ACC_EXACT && beta == 0 ? a->c_type : S5000_MMA_F32;
	mublas_flush(t, *out_type, t->alpha_scale, t->r_scale, 0);
	return 1.0;
}

extern "C" __global__ void mublas_gemm(struct mublas_gemm_args a)
{
	double alpha = mublas_scalar(a.alpha_ptr, a.alpha, a.scalar_type);
	double beta = mublas_scalar(a.beta_ptr, a.beta, a.scalar_type);
	bool blocks = mublas_block_scaled(&a);
	unsigned int out_type = S5000_MMA_F32;
	struct mublas_tile t;

	mublas_setup(&t, &a);
	for (unsigned int k0 = 0; k0 < a.k; k0 += t.kc) {
		unsigned int len = a.k - k0 < t.kc ? a.k - k0 : t.kc;

		mublas_stage(&t, k0, len);
		mublas_step(&t, k0, len);
		if (blocks && ((k0 + len) % MUBLAS_BLOCK_K == 0 || k0 + len == a.k))
			mublas_flush_block(&t, k0 / MUBLAS_BLOCK_K);
	}
	if (!blocks || !a.k)
		alpha = mublas_finish(&t, alpha, beta, &out_type);
	mublas_epilogue(&t, out_type, alpha, beta);
}
