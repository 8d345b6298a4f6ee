// SPDX-License-Identifier: MIT
/*
 * gemm.mu: libmublas's GEMM kernel. One warp (or one thread, mublas_threads()) per
 * block computes a 64 x tile_cols tile of the view of C that mublas_gemm.h describes,
 * on the tensor core, with as few instructions of its own as it can, since the tensor
 * core does the arithmetic:
 *
 *   one MMA descriptor, built once, whose operand addresses step along k: one MMA
 *   instruction per k step for the whole tile (the first with S5000_MMA_ZERO, so the
 *   accumulators need no zeroing), reading L and R in place unless they must be
 *   staged (a column-major L, or operands to convert); then a STORE, straight into C
 *   where C's layout and the scalars allow (mublas_direct()), else into shared memory
 *   for the threads to finish. With per-block FP8 scales a STORE every 128 of k adds
 *   the block's scaled sum into an FP32 sum, as DeepSeek-V3 does.
 *
 * With the exact accumulator and beta = 0 the STORE rounds alpha * sum straight into
 * C's type, so the result is rounded once; otherwise it goes through FP32 (FP64 for
 * an FP64 C) and beta * C is added in that precision.
 */
#include <musa_mma.h>

#include "mublas_gemm.h"
#include "s5000_float.h"

#define ROWS MUBLAS_TILE_ROWS

/* Where this block works, and what its shared memory holds. */
struct mublas_tile {
	/*
	 * The arguments, copied: kernel arguments live in pinned host memory, which
	 * every thread would reach through the MMU on each read.
	 */
	struct mublas_gemm_args args;
	const struct mublas_gemm_args *a;	/* &args */
	struct mublas_smem sm;
	unsigned char *smem;
	void *acc;			/* the tile's accumulators */
	unsigned int r0, c0, nr, nc, cols, kc, tid;
	unsigned int threads;		/* of the block: 32, or 1 when they would idle */
	float *row_scale;		/* ROWS floats */
	float *alpha_scale;		/* what the final STORE scales by */
	float *r_scale;			/* R's scales, one per 128 columns of the tile */
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
	const unsigned char *src = (const unsigned char *)mublas_ptr(o->addr + at *
								     mublas_type_bytes(o->mem_type));

	switch (o->mem_type == o->mma_type ? mublas_type_bytes(o->mma_type) : 0) {
	case 1:
		*dst = *src;
		break;
	case 2:
		*(unsigned short *)dst = *(const unsigned short *)src;
		break;
	case 4:
		*(unsigned int *)dst = *(const unsigned int *)src;
		break;
	case 8:
		*(unsigned long long *)dst = *(const unsigned long long *)src;
		break;
	default:
		mublas_store(dst, o->mma_type, *(const float *)src);
		break;
	}
}

/* Element (i, kk) of an operand in memory, as an element index. */
static unsigned long long mublas_index(const struct mublas_operand *o, unsigned int i,
				       unsigned int kk)
{
	return o->layout == MUBLAS_LAYOUT_ROWS ? (unsigned long long)i * o->ld + kk :
						 i + (unsigned long long)kk * o->ld;
}

/*
 * L's rows x len and R's len x cols for the MMA at k0, where they cannot be read in
 * place. Neighbouring threads take neighbouring elements in memory.
 */
static void mublas_stage(struct mublas_tile *t, bool stage_l, bool stage_r, unsigned int k0,
			 unsigned int len)
{
	const struct mublas_gemm_args *a = t->a;
	unsigned int lb = mublas_type_bytes(a->l.mma_type), rb = mublas_type_bytes(a->r.mma_type);
	bool l_rows = a->l.layout == MUBLAS_LAYOUT_ROWS, r_rows = a->r.layout == MUBLAS_LAYOUT_ROWS;

	if (stage_l)
		for (unsigned int e = t->tid; e < t->nr * len; e += t->threads) {
			unsigned int i = l_rows ? e / len : e % t->nr;
			unsigned int kk = l_rows ? e % len : e / t->nr;

			mublas_stage_one(&a->l, mublas_index(&a->l, t->r0 + i, k0 + kk),
					 t->smem + t->sm.lstage + (i * t->kc + kk) * lb);
		}
	if (stage_r)
		for (unsigned int e = t->tid; e < t->nc * len; e += t->threads) {
			unsigned int j = r_rows ? e / len : e % t->nc;
			unsigned int kk = r_rows ? e % len : e / t->nc;

			mublas_stage_one(&a->r, mublas_index(&a->r, t->c0 + j, k0 + kk),
					 t->smem + t->sm.rstage + (kk * t->cols + j) * rb);
		}
	__syncthreads();
}

/* ------------------------------------------------------------------ scales */

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

/* STORE of the accumulators into the tile's out buffer, as @type, then cleared. */
static void mublas_flush(struct mublas_tile *t, unsigned int type, const float *scale_a,
			 const float *scale_b, unsigned int flags)
{
	struct s5000_mma d = __musa_mma_store_desc(t->a->acc_type, type, t->nr, t->nc,
						   t->acc, t->cols,
						   t->smem + t->sm.out, t->cols, scale_a, scale_b,
						   flags | S5000_MMA_CLEAR);

	__musa_mma(&d);
}

/* The 128 of k ending now: scaled by its blocks' scales into the FP32 sum. */
static void mublas_flush_block(struct mublas_tile *t, unsigned int kb)
{
	const struct mublas_gemm_args *a = t->a;
	unsigned int kblocks = (a->k + MUBLAS_BLOCK_K - 1) / MUBLAS_BLOCK_K;

	for (unsigned int i = t->tid; i < t->nr; i += t->threads)
		t->row_scale[i] = mublas_scale(&a->l, t->r0 + i, kb, a->rows, kblocks);
	for (unsigned int b = t->tid; b * MUBLAS_BLOCK_K < t->nc; b += t->threads)
		t->r_scale[b] = mublas_scale(&a->r, t->c0 + b * MUBLAS_BLOCK_K, kb, a->cols,
					     kblocks);
	__syncthreads();
	mublas_flush(t, S5000_MMA_F32, t->row_scale, t->r_scale,
		     S5000_MMA_SCALE_A_ROWS | S5000_MMA_SCALE_B_BLOCKS |
		     (kb ? S5000_MMA_ACCUMULATE : 0));
}

/* --------------------------------------------------------------- the MMAs */

/* Where L's and R's elements (0, k0) are for the MMA, and how far one k step moves them. */
static const void *mublas_operand_at(const struct mublas_operand *o, unsigned int i0,
				     unsigned long long *step, unsigned int kc)
{
	unsigned int b = mublas_type_bytes(o->mma_type);

	*step = (o->layout == MUBLAS_LAYOUT_ROWS ? kc : (unsigned long long)kc * o->ld) * b;
	return mublas_ptr(o->addr + mublas_index(o, i0, 0) * b);
}

/*
 * @steps MMAs of the descriptor's k, moving the operands by @lstep and @rstep bytes
 * each time: the loop that runs all the MMAs of a tile that needs nothing between
 * them, kept to a few instructions (the descriptor's other fields stay as they are).
 */
static void mublas_mma_run(struct s5000_mma *d, unsigned long long lstep,
			   unsigned long long rstep, unsigned int steps)
{
	unsigned long long pa = d->a, pb = d->b;

	for (unsigned int s = 0; s < steps; s++) {
		d->a = pa;
		d->b = pb;
		__musa_mma(d);
		pa += lstep;
		pb += rstep;
	}
	d->a = pa;
	d->b = pb;
}

/* acc += L R over all of k, one MMA per k step. */
static void mublas_multiply(struct mublas_tile *t)
{
	const struct mublas_gemm_args *a = t->a;
	bool stage_l = mublas_staged(&a->l, 1), stage_r = mublas_staged(&a->r, 0);
	bool blocks = mublas_block_scaled(a), hopper = a->acc_type == S5000_MMA_ACC_HOPPER;
	unsigned long long lstep = 0, rstep = 0;
	const void *pa = t->smem + t->sm.lstage, *pb = t->smem + t->sm.rstage;
	unsigned int lda = t->kc, ldb = t->cols, flags = 0, mmas = 0, k = a->k;
	struct s5000_mma d;

	if (!stage_l) {
		pa = mublas_operand_at(&a->l, t->r0, &lstep, t->kc);
		lda = a->l.ld;
	}
	if (!stage_r) {
		pb = mublas_operand_at(&a->r, t->c0, &rstep, t->kc);
		ldb = a->r.ld;
		flags = a->r.layout == MUBLAS_LAYOUT_ROWS ? S5000_MMA_B_TRANS : 0;
	}
	if (hopper)
		flags |= a->hopper_floor ? S5000_MMA_FLOOR : 0;
	d = __musa_mma_desc(a->l.mma_type, a->r.mma_type, a->acc_type, t->nr, t->nc, t->kc, pa,
			    lda, pb, ldb, t->acc, t->cols, flags);
	if (hopper)
		d.hopper_bits = a->hopper_bits;
	if (!stage_l && !stage_r && !blocks && !hopper && k >= t->kc) {
		/* The first MMA starts from zero: the accumulators need no zeroing. */
		d.flags = flags | S5000_MMA_ZERO;
		mublas_mma_run(&d, lstep, rstep, 1);
		d.flags = flags;
		mublas_mma_run(&d, lstep, rstep, k / t->kc - 1);
		d.k = k % t->kc;
		if (d.k)
			__musa_mma(&d);
		return;
	}
	for (unsigned int k0 = 0; k0 < k; k0 += t->kc) {
		if (k - k0 < t->kc)
			d.k = k - k0;
		if (stage_l || stage_r)
			mublas_stage(t, stage_l, stage_r, k0, d.k);
		d.flags = flags | (k0 ? 0 : S5000_MMA_ZERO);
		if (hopper && ++mmas % a->promote_every == 0)
			d.flags |= S5000_MMA_PROMOTE;
		__musa_mma(&d);
		d.a += lstep;
		d.b += rstep;
		if (blocks && ((k0 + d.k) % MUBLAS_BLOCK_K == 0 || k0 + d.k == k))
			mublas_flush_block(t, k0 / MUBLAS_BLOCK_K);
	}
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
 * C = alpha * out + beta * C, in the compute precision (FP64 for FP64, else FP32
 * with one fused multiply-add), rounded once to C's type. @out_type is what the
 * STORE wrote; when it is C's type and beta is 0, the bits are copied.
 */
static void mublas_epilogue(struct mublas_tile *t, unsigned int out_type, double alpha,
			    double beta)
{
	const struct mublas_gemm_args *a = t->a;
	unsigned int ob = mublas_type_bytes(out_type), n = t->nr * t->nc;
	bool swapped = a->view == MUBLAS_VIEW_SWAPPED;

	for (unsigned int e = t->tid; e < n; e += t->threads) {
		/* Neighbouring threads write neighbouring elements of C. */
		unsigned int r = swapped ? e / t->nc : e % t->nr, c = swapped ? e % t->nc : e / t->nr;
		const unsigned char *src = t->smem + t->sm.out + (r * t->cols + c) * ob;
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

/* The final STORE straight into C (mublas_direct()): row r of the view is a row of C. */
static void mublas_store_c(struct mublas_tile *t, unsigned int out_type, const float *scale_a,
			   const float *scale_b, bool accumulate)
{
	const struct mublas_gemm_args *a = t->a;
	struct s5000_mma d = __musa_mma_store_desc(a->acc_type, out_type, t->nr, t->nc, t->acc,
						   t->cols, mublas_c(t, 0, 0), a->ldc, scale_a,
						   scale_b, accumulate ? S5000_MMA_ACCUMULATE : 0);

	__musa_mma(&d);
}

/* FP64: alpha is a double, and goes into a STORE's float scale only when exact. */
static void mublas_finish_f64(struct mublas_tile *t, double alpha, double beta)
{
	if (!t->tid)
		*t->alpha_scale = (float)alpha;
	__syncthreads();
	if (!mublas_direct(t->a, alpha, beta)) {
		mublas_flush(t, S5000_MMA_F64, NULL, NULL, 0);
		mublas_epilogue(t, S5000_MMA_F64, alpha, beta);
	} else if (beta == 0) {
		mublas_store_c(t, S5000_MMA_F64, t->alpha_scale, NULL, false);
	} else {
		mublas_store_c(t, S5000_MMA_F64, NULL, NULL, true);
	}
}

/*
 * The final STORE for a tile without block scales: alpha (times the tensor scales)
 * goes into the STORE's scale, and the exact accumulator with beta = 0 is rounded
 * straight into C's type.
 */
static void mublas_finish(struct mublas_tile *t, double alpha, double beta)
{
	const struct mublas_gemm_args *a = t->a;
	bool blocks = mublas_block_scaled(a);	/* here only when k is 0: nothing to scale */
	unsigned int out_type;

	if (a->acc_type == S5000_MMA_ACC_F64) {
		mublas_finish_f64(t, alpha, beta);
		return;
	}
	if (!t->tid) {
		*t->alpha_scale = (float)alpha * (blocks ? 1.0f : mublas_scale(&a->l, 0, 0, 1, 1));
		*t->r_scale = blocks ? 1.0f : mublas_scale(&a->r, 0, 0, 1, 1);
	}
	__syncthreads();
	out_type = a->acc_type == S5000_MMA_ACC_EXACT && beta == 0 ? a->c_type : S5000_MMA_F32;
	if (mublas_direct(a, alpha, beta)) {
		mublas_store_c(t, out_type, t->alpha_scale, t->r_scale, beta == 1);
		return;
	}
	mublas_flush(t, out_type, t->alpha_scale, t->r_scale, 0);
	mublas_epilogue(t, out_type, 1.0, beta);
}

/* --------------------------------------------------------------- kernel */

/* The tile of this block; returns the copy of the arguments. */
static const struct mublas_gemm_args *mublas_setup(struct mublas_tile *t,
						   const struct mublas_gemm_args *a)
{
	unsigned long long *acc, words;

	t->args = *a;
	t->a = a = &t->args;
	mublas_smem_layout(a, &t->sm);
	t->smem = (unsigned char *)__musa_dynamic_shared();
	t->tid = threadIdx.x;
	t->threads = blockDim.x;
	t->cols = a->tile_cols;
	t->r0 = blockIdx.x * ROWS;
	t->c0 = blockIdx.y * t->cols;
	t->nr = a->rows - t->r0 < ROWS ? a->rows - t->r0 : ROWS;
	t->nc = a->cols - t->c0 < t->cols ? a->cols - t->c0 : t->cols;
	t->kc = mublas_kc(a);
	t->acc = t->smem + t->sm.acc;
	if (a->workspace) {
		unsigned int slot = __musa_sm_id();

		/* Never on this device: its units are fewer than the slots. */
		if (slot >= a->ws_slots)
			__trap();
		t->acc = mublas_ptr(a->workspace + (unsigned long long)slot * ROWS * t->cols *
				    mublas_acc_bytes(a->acc_type));
	}
	t->row_scale = (float *)(t->smem + t->sm.scales);
	t->alpha_scale = t->row_scale + ROWS;
	t->r_scale = t->alpha_scale + 1;
	if (a->k)
		return a;
	/*
	 * No MMA to start the accumulators from zero (S5000_MMA_ZERO): zero them here.
	 * Zero accumulators of every kind are zero bits, the tile a multiple of 256 words.
	 */
	acc = (unsigned long long *)t->acc;
	words = (unsigned long long)ROWS * t->cols * mublas_acc_bytes(a->acc_type) / 8;
	for (unsigned long long i = t->tid * 8; i < words; i += t->threads * 8)
		for (unsigned int w = 0; w < 8; w++)
			acc[i + w] = 0;
	__syncthreads();
	return a;
}

extern "C" __global__ void mublas_gemm(struct mublas_gemm_args args)
{
	struct mublas_tile t;
	const struct mublas_gemm_args *a = mublas_setup(&t, &args);
	double alpha = mublas_scalar(a->alpha_ptr, a->alpha, a->scalar_type);
	double beta = mublas_scalar(a->beta_ptr, a->beta, a->scalar_type);

	mublas_multiply(&t);
	if (!mublas_block_scaled(a) || !a->k)
		mublas_finish(&t, alpha, beta);
	else
		mublas_epilogue(&t, S5000_MMA_F32, alpha, beta);
}
