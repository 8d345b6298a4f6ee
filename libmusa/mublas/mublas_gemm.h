/* SPDX-License-Identifier: MIT */
/*
 * mublas_gemm.h: what libmublas's host side tells its GEMM kernel (gemm.mu), one
 * struct passed by value. Included by both; internal to mublas.
 *
 * The kernel computes a tile of a "view" of C: rows x cols of out[r][c], which is
 * C[r + c * ldc] (column-major, as BLAS) or, with MUBLAS_VIEW_SWAPPED, C[c + r * ldc]
 * (the view is C^T, so that op(A) and op(B) reach the tensor core without being
 * copied when they are laid out for it). The view's left operand L (rows x k) must
 * reach the MMA row-major, its right operand R (k x cols) row-major or k-contiguous;
 * an operand laid out otherwise, or whose elements must be converted first (FAST_16F,
 * FAST_16BF), is staged through shared memory by the threads.
 */
#ifndef MUBLAS_GEMM_H
#define MUBLAS_GEMM_H

#include <linux/types.h>

#include "s5000.h"

#define MUBLAS_TILE_ROWS	64	/* a block's tile: rows x tile_cols of the view */
#define MUBLAS_TILE_MAX_COLS	256	/* the MMA's largest m x n */
#define MUBLAS_TILE_MIN_COLS	64
#define MUBLAS_BLOCK_K		128	/* per-block FP8 scales cover 128 of k */
#define MUBLAS_MAX_KC		32	/* the largest k of one MMA */

/* How an operand is laid out in memory. */
#define MUBLAS_LAYOUT_ROWS	0	/* element (i, kk) at i * ld + kk */
#define MUBLAS_LAYOUT_COLS	1	/* element (i, kk) at i + kk * ld */

/* Scales of FP8 operands (mublasGemmScaledEx). */
#define MUBLAS_KSCALE_NONE	0
#define MUBLAS_KSCALE_TENSOR	1	/* one float */
#define MUBLAS_KSCALE_1x128	2	/* per row of L and 128 of k: [kb * rows_total + i] */
#define MUBLAS_KSCALE_128x128	3	/* per 128 x 128 block: [bj * kblocks + kb] */

/* Type of alpha and beta behind their device pointers. */
#define MUBLAS_SCALAR_F32	0
#define MUBLAS_SCALAR_F64	1
#define MUBLAS_SCALAR_F16	2

#define MUBLAS_VIEW_SWAPPED	1

/* One operand: where it is, how it is laid out, its type in memory and in the MMA. */
struct mublas_operand {
	__u64 addr;
	__u64 scale;			/* device address of its FP8 scales, or 0 */
	__u32 ld;
	__u8 layout;			/* MUBLAS_LAYOUT_*, with (i, kk) of L, or (j, kk) of R */
	__u8 mem_type;			/* enum s5000_mma_type in memory */
	__u8 mma_type;			/* ... as the MMA reads it (F32 to F16/BF16: staged) */
	__u8 scale_mode;		/* MUBLAS_KSCALE_* */
};

struct mublas_gemm_args {
	struct mublas_operand l, r;
	__u64 c;
	__u64 alpha_ptr, beta_ptr;	/* device pointer mode, else 0 */
	double alpha, beta;		/* host pointer mode */
	__u32 rows, cols, k;		/* of the view */
	__u32 ldc;
	__u8 view;			/* MUBLAS_VIEW_SWAPPED or 0 */
	__u8 c_type;			/* enum s5000_mma_type: F16, BF16, F32 or F64 */
	__u8 acc_type;			/* enum s5000_mma_acc */
	__u8 scalar_type;		/* MUBLAS_SCALAR_* behind alpha_ptr, beta_ptr */
	__u8 hopper_bits;		/* HOPPER only */
	__u8 hopper_floor;
	__u16 promote_every;		/* HOPPER: MMAs between promotions */
	__u16 tile_cols;		/* 64, 128 or 256: each lies in one or two 128-blocks */
	__u16 pad;
	/*
	 * Accumulators in device memory, or 0 for shared memory: ws_slots tiles' worth,
	 * one per compute unit (a unit runs one block at a time), at workspace +
	 * SMID * ROWS * tile_cols * acc bytes. Tiles of 16-byte accumulators 256 wide
	 * do not fit shared memory.
	 */
	__u32 ws_slots;
	__u64 workspace;
};

static inline __u32 mublas_type_bytes(unsigned int type)
{
	return type <= S5000_MMA_E5M2 ? 1 : type <= S5000_MMA_BF16 ? 2 :
	       type == S5000_MMA_F64 ? 8 : 4;
}

static inline __u32 mublas_acc_bytes(unsigned int acc)
{
	return acc == S5000_MMA_ACC_EXACT ? 16 : acc == S5000_MMA_ACC_F32 ? 4 : 8;
}

/* Whether the threads copy an operand into shared memory for the MMA. */
static inline int mublas_staged(const struct mublas_operand *o, int left)
{
	return o->mem_type != o->mma_type || (left && o->layout == MUBLAS_LAYOUT_COLS);
}

static inline int mublas_block_scaled(const struct mublas_gemm_args *a)
{
	return a->l.scale_mode >= MUBLAS_KSCALE_1x128 || a->r.scale_mode >= MUBLAS_KSCALE_1x128;
}

/*
 * Whether the final STORE writes C itself, giving the bits the threads' epilogue
 * would: the view's rows are rows of C, no block scales, and one rounding of the
 * scaled sum into C's type (beta = 0), or into FP32 and then + C in FP32 (beta = 1,
 * which is fmaf(1, C, x)). FP64's alpha is a double: it goes into the STORE's float
 * scale only when exact. The kernel decides by it; the host, where it knows alpha
 * and beta, launches one thread when that leaves the threads nothing to do.
 */
static inline int mublas_direct(const struct mublas_gemm_args *a, double alpha, double beta)
{
	if (a->view != MUBLAS_VIEW_SWAPPED || !a->k || mublas_block_scaled(a))
		return 0;
	if (a->acc_type == S5000_MMA_ACC_F64)
		return (beta == 0 && (double)(float)alpha == alpha) || (alpha == 1 && beta == 1);
	if (beta == 0)
		return a->acc_type == S5000_MMA_ACC_EXACT || a->c_type == S5000_MMA_F32;
	return beta == 1 && a->c_type == S5000_MMA_F32;
}

/* k of one MMA: the most both operand types allow. */
static inline __u32 mublas_kc(const struct mublas_gemm_args *a)
{
	__u32 kl = S5000_MMA_MAX_K(a->l.mma_type), kr = S5000_MMA_MAX_K(a->r.mma_type);

	return kl < kr ? kl : kr;
}

/* Where things are in a block's dynamic shared memory (bytes, 16-aligned). */
struct mublas_smem {
	__u32 acc;			/* ROWS x tile_cols accumulators (no workspace) */
	__u32 out;			/* ROWS x tile_cols of FP32 (FP64 for FP64 C) */
	__u32 lstage;			/* ROWS x kc of L, if staged */
	__u32 rstage;			/* kc x tile_cols of R, if staged */
	__u32 scales;			/* ROWS row scales, alpha, then R's per 128 columns */
	__u32 total;
};

static inline __u32 mublas_align16(__u32 v)
{
	return (v + 15) & ~15u;
}

static inline void mublas_smem_layout(const struct mublas_gemm_args *a, struct mublas_smem *s)
{
	__u32 cols = a->tile_cols, tile = MUBLAS_TILE_ROWS * cols, kc = mublas_kc(a);

	s->acc = 0;
	s->out = a->workspace ? 0 : mublas_align16(tile * mublas_acc_bytes(a->acc_type));
	s->lstage = s->out + mublas_align16(tile * (a->c_type == S5000_MMA_F64 ? 8 : 4));
	s->rstage = s->lstage + (mublas_staged(&a->l, 1) ?
				 mublas_align16(MUBLAS_TILE_ROWS * kc *
						mublas_type_bytes(a->l.mma_type)) : 0);
	s->scales = s->rstage + (mublas_staged(&a->r, 0) ?
				 mublas_align16(kc * cols * mublas_type_bytes(a->r.mma_type)) : 0);
	s->total = s->scales + (MUBLAS_TILE_ROWS + 4) * 4;
}

#endif /* MUBLAS_GEMM_H */
