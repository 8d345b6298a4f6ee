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

#define MUBLAS_TILE_ROWS	32	/* a warp's tile: rows x cols of the view */
#define MUBLAS_TILE_COLS	64	/* divides 128: a tile lies in one 128-column block */
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

/* k of one MMA: the most both operand types allow. */
static inline __u32 mublas_kc(const struct mublas_gemm_args *a)
{
	__u32 kl = S5000_MMA_MAX_K(a->l.mma_type), kr = S5000_MMA_MAX_K(a->r.mma_type);

	return kl < kr ? kl : kr;
}

/* Where things are in a block's dynamic shared memory (bytes, 16-aligned). */
struct mublas_smem {
	__u32 acc;			/* ROWS x COLS accumulators */
	__u32 out;			/* ROWS x COLS of FP32 (FP64 for FP64 C) */
	__u32 lstage;			/* ROWS x kc of L, if staged */
	__u32 rstage;			/* kc x COLS of R, if staged */
	__u32 scales;			/* ROWS row scales, then alpha and R's scale */
	__u32 total;
};

static inline __u32 mublas_align16(__u32 v)
{
	return (v + 15) & ~15u;
}

static inline void mublas_smem_layout(const struct mublas_gemm_args *a, struct mublas_smem *s)
{
	__u32 tile = MUBLAS_TILE_ROWS * MUBLAS_TILE_COLS, kc = mublas_kc(a);

	s->acc = 0;
	s->out = mublas_align16(tile * mublas_acc_bytes(a->acc_type));
	s->lstage = s->out + mublas_align16(tile * (a->c_type == S5000_MMA_F64 ? 8 : 4));
	s->rstage = s->lstage + (mublas_staged(&a->l, 1) ?
				 mublas_align16(MUBLAS_TILE_ROWS * kc *
						mublas_type_bytes(a->l.mma_type)) : 0);
	s->scales = s->rstage + (mublas_staged(&a->r, 0) ?
				 mublas_align16(kc * MUBLAS_TILE_COLS *
						mublas_type_bytes(a->r.mma_type)) : 0);
	s->total = s->scales + (MUBLAS_TILE_ROWS + 4) * 4;
}

#endif /* MUBLAS_GEMM_H */
