// SPDX-License-Identifier: MIT
/*
 * musa_blas_test: libmublas's GEMMs against host references, in the shapes and types
 * that matter: every transpose combination, sizes that are not multiples of the
 * tiles, alpha and beta (from host and device memory).
 *
 *   - FP8 (E4M3, E5M2, mixed) and FP16 inputs: the exact sum, computed on the host in
 *     128-bit integers, rounded once to C's type, must be what the device wrote, to
 *     the bit; the same for FP32 inputs under COMPUTE_32F_FAST_16F (rounded to FP16);
 *   - FP32, TF32, BF16 and FP64: within the error bound of their accumulation (one
 *     rounding per product, k in order) of a double reference;
 *   - mublasGemmScaledEx: tensor scales rounded once; DeepSeek-V3's 1x128 and 128x128
 *     block scales and the Hopper-style accumulator against bit-exact host models of
 *     what they specify, and the Hopper result within its stated bound of the exact one;
 *   - argument checking, statuses, streams, and a sticky device fault.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <math.h>
#include <stdio.h>

#include "musa_test.h"
#include "musa_rt_test.h"
#include "mublas.h"
#include "s5000_float.h"

typedef __int128 i128;

#define BLAS_OK(call) do {							\
	mublasStatus_t s_ = (call);						\
	ASSERT_EQ(MUBLAS_STATUS_SUCCESS, s_) TH_LOG("%s: %s: %s", #call,	\
						    mublasGetStatusName(s_),	\
						    musaGetLastErrorDetail());	\
} while (0)

static uint32_t bt_seed = 0x1234567;

static uint32_t bt_rand(void)
{
	bt_seed ^= bt_seed << 13;
	bt_seed ^= bt_seed >> 17;
	bt_seed ^= bt_seed << 5;
	return bt_seed;
}

/* ------------------------------------------------------------ matrices */

/* A matrix in host and device memory: rows x cols, column-major, leading dim ld. */
struct mat {
	int type;			/* musaDataType */
	int rows, cols, ld;
	size_t esize;
	unsigned char *host;
	void *dev;
};

static size_t bt_esize(int type)
{
	switch (type) {
	case MUSA_R_8F_E4M3:
	case MUSA_R_8F_E5M2:
		return 1;
	case MUSA_R_16F:
	case MUSA_R_16BF:
		return 2;
	case MUSA_R_64F:
		return 8;
	default:
		return 4;
	}
}

static double bt_get(const struct mat *m, int i, int j)
{
	const unsigned char *p = m->host + ((size_t)i + (size_t)j * m->ld) * m->esize;

	switch (m->type) {
	case MUSA_R_8F_E4M3:
		return s5000_e4m3_to_f32(*p);
	case MUSA_R_8F_E5M2:
		return s5000_e5m2_to_f32(*p);
	case MUSA_R_16F:
		return s5000_f16_to_f32(*(const uint16_t *)p);
	case MUSA_R_16BF:
		return s5000_bf16_to_f32(*(const uint16_t *)p);
	case MUSA_R_64F:
		return *(const double *)p;
	default:
		return *(const float *)p;
	}
}

/* The raw code of element (i, j): what bit-exact comparisons compare. */
static uint64_t bt_code(const struct mat *m, int i, int j)
{
	uint64_t v = 0;

	memcpy(&v, m->host + ((size_t)i + (size_t)j * m->ld) * m->esize, m->esize);
	return v;
}

/* A random element, finite and moderate, as the type's code. */
static uint64_t bt_random_code(int type)
{
	float f = ((int)(bt_rand() % 2001) - 1000) / 250.0f;	/* [-4, 4] */

	switch (type) {
	case MUSA_R_8F_E4M3:
		return s5000_f32_to_e4m3(f, 1);
	case MUSA_R_8F_E5M2:
		return s5000_f32_to_e5m2(f, 1);
	case MUSA_R_16F:
		return s5000_f32_to_f16(f * 1.001f);
	case MUSA_R_16BF:
		return s5000_f32_to_bf16(f * 1.001f);
	default:
		/* Low mantissa bits set: narrowing to TF32, BF16 or FP16 must show. */
		f = f * 1.0001f + (float)(bt_rand() % 1000) * 1e-7f;
		if (type == MUSA_R_64F) {
			double d = f + 1e-12 * (bt_rand() % 1000);
			uint64_t u;

			memcpy(&u, &d, 8);
			return u;
		}
		uint32_t u;

		memcpy(&u, &f, 4);
		return u;
	}
}

/* Device memory holding a copy of @n bytes at @host. */
static void *bt_upload(const void *host, size_t n)
{
	void *d = NULL;

	if (musaMalloc(&d, n) || musaMemcpy(d, host, n, musaMemcpyHostToDevice))
		return NULL;
	return d;
}

static int bt_mat_init(struct mat *m, int type, int rows, int cols, int ld)
{
	m->type = type;
	m->rows = rows;
	m->cols = cols;
	m->ld = ld;
	m->esize = bt_esize(type);
	m->host = calloc((size_t)ld * cols, m->esize);
	if (!m->host || musaMalloc(&m->dev, (size_t)ld * cols * m->esize))
		return -1;
	for (int j = 0; j < cols; j++)
		for (int i = 0; i < ld; i++) {
			uint64_t c = bt_random_code(type);

			memcpy(m->host + ((size_t)i + (size_t)j * ld) * m->esize, &c, m->esize);
		}
	return musaMemcpy(m->dev, m->host, (size_t)ld * cols * m->esize,
			  musaMemcpyHostToDevice) ? -1 : 0;
}

static int bt_mat_fetch(struct mat *m)
{
	return musaMemcpy(m->host, m->dev, (size_t)m->ld * m->cols * m->esize,
			  musaMemcpyDeviceToHost) ? -1 : 0;
}

static void bt_mat_free(struct mat *m)
{
	free(m->host);
	musaFree(m->dev);
}

/* op(X)(i, l). */
static double bt_op(const struct mat *x, mublasOperation_t op, int i, int l)
{
	return op == MUBLAS_OP_N ? bt_get(x, i, l) : bt_get(x, l, i);
}

/* ---------------------------------------------------------- exact sums */

/* A value of FP8 or FP16 (a multiple of 2^-24) in units of 2^-24. */
static int64_t bt_units(double v)
{
	return (int64_t)ldexp(v, 24);
}

/* Sum over l of op(A)(i, l) op(B)(l, j) for l in [l0, l1), exactly, in units of 2^-48. */
static i128 bt_exact(const struct mat *a, mublasOperation_t ta, const struct mat *b,
		     mublasOperation_t tb, int i, int j, int l0, int l1)
{
	i128 sum = 0;

	for (int l = l0; l < l1; l++)
		sum += (i128)bt_units(bt_op(a, ta, i, l)) * bt_units(bt_op(b, tb, l, j));
	return sum;
}

struct fmt {
	int mbits, emin;
	uint64_t maxfin, inf;
	int bits;
};

static const struct fmt fmt_f32 = { S5000_FP_F32 };
static const struct fmt fmt_f16 = { S5000_FP_F16 };
static const struct fmt fmt_bf16 = { S5000_FP_BF16 };

static const struct fmt *bt_fmt(int type)
{
	return type == MUSA_R_16F ? &fmt_f16 : type == MUSA_R_16BF ? &fmt_bf16 : &fmt_f32;
}

/* @v * 2^@exp * @scale (a float), rounded once to @f: the code. */
static uint64_t bt_round(i128 v, int exp, float scale, const struct fmt *f)
{
	int sexp;
	int64_t ssig = (int64_t)ldexp(frexpf(scale, &sexp), 24);
	unsigned __int128 m;
	int sticky = 0;
	bool neg;

	sexp -= 24;
	v *= ssig;
	exp += sexp;
	neg = v < 0;
	m = neg ? -(unsigned __int128)v : (unsigned __int128)v;
	if (!m)
		return 0;
	while (m >> 64) {
		sticky |= (int)(m & 1);
		m >>= 1;
		exp++;
	}
	return (uint64_t)neg << (f->bits - 1) |
	       s5000_fp_round((uint64_t)m, exp, sticky, f->mbits, f->emin, f->maxfin, f->inf);
}

/* ------------------------------------------------------------- fixture */

FIXTURE(blas) {
	mublasHandle_t h;
};

FIXTURE_SETUP(blas)
{
	BLAS_OK(mublasCreate(&self->h));
}

FIXTURE_TEARDOWN(blas)
{
	EXPECT_EQ(MUBLAS_STATUS_SUCCESS, mublasDestroy(self->h));
}

/* One GEMM problem: C (m x n) = alpha op(A) op(B) + beta C. */
struct problem {
	int m, n, k;
	mublasOperation_t ta, tb;
	struct mat a, b, c, c0;		/* c0: C before */
};

static int bt_problem(struct problem *p, int at, int bt, int ct, int m, int n, int k,
		      mublasOperation_t ta, mublasOperation_t tb)
{
	int ar = ta == MUBLAS_OP_N ? m : k, ac = ta == MUBLAS_OP_N ? k : m;
	int br = tb == MUBLAS_OP_N ? k : n, bc = tb == MUBLAS_OP_N ? n : k;

	memset(p, 0, sizeof(*p));
	p->m = m;
	p->n = n;
	p->k = k;
	p->ta = ta;
	p->tb = tb;
	/* Leading dimensions a little larger than needed: they must be honoured. */
	if (bt_mat_init(&p->a, at, ar, ac, ar + 3) || bt_mat_init(&p->b, bt, br, bc, br + 1) ||
	    bt_mat_init(&p->c, ct, m, n, m + 2))
		return -1;
	p->c0 = p->c;
	p->c0.host = malloc((size_t)p->c.ld * n * p->c.esize);
	if (!p->c0.host)
		return -1;
	memcpy(p->c0.host, p->c.host, (size_t)p->c.ld * n * p->c.esize);
	return 0;
}

static void bt_problem_free(struct problem *p)
{
	bt_mat_free(&p->a);
	bt_mat_free(&p->b);
	bt_mat_free(&p->c);
	free(p->c0.host);
}

static mublasStatus_t bt_gemm_ex(mublasHandle_t h, struct problem *p, const void *alpha,
				 const void *beta, mublasComputeType_t compute)
{
	return mublasGemmEx(h, p->ta, p->tb, p->m, p->n, p->k, alpha, p->a.dev, p->a.type,
			    p->a.ld, p->b.dev, p->b.type, p->b.ld, beta, p->c.dev, p->c.type,
			    p->c.ld, compute, MUBLAS_GEMM_DEFAULT);
}

/* Every element of C is the exact sum times alpha, rounded once, to the bit. */
static void bt_check_exact(struct __test_metadata *_metadata, struct problem *p, float alpha,
			   const char *what)
{
	int bad = 0;

	ASSERT_EQ(0, bt_mat_fetch(&p->c));
	for (int j = 0; j < p->n; j++)
		for (int i = 0; i < p->m; i++) {
			uint64_t want = bt_round(bt_exact(&p->a, p->ta, &p->b, p->tb, i, j, 0, p->k),
						 -48, alpha, bt_fmt(p->c.type));

			if (want != bt_code(&p->c, i, j) && bad++ < 5)
				TH_LOG("%s: C(%d, %d) = 0x%llx, want 0x%llx", what, i, j,
				       (unsigned long long)bt_code(&p->c, i, j),
				       (unsigned long long)want);
		}
	EXPECT_EQ(0, bad) TH_LOG("%s: %d elements differ", what, bad);
}

/* What FP32 inputs are rounded to before the products, under the FAST compute types. */
enum narrow { NARROW_NONE, NARROW_TF32, NARROW_BF16, NARROW_F16 };

static double bt_narrow(double v, enum narrow narrow)
{
	switch (narrow) {
	case NARROW_F16:
		return s5000_f16_to_f32(s5000_f32_to_f16((float)v));
	case NARROW_BF16:
		return s5000_bf16_to_f32(s5000_f32_to_bf16((float)v));
	case NARROW_TF32:
		return s5000_f32_to_tf32((float)v);
	default:
		return v;
	}
}

/*
 * Every element within the bound of one rounding per product (@unit each) of the
 * double reference, plus the output's own rounding:
 * |C - ref| <= (k + 2) unit (|alpha| sum |a b| + |beta c|) + out_unit |ref|.
 */

static void bt_check_bound(struct __test_metadata *_metadata, struct problem *p, double alpha,
			   double beta, double unit, enum narrow narrow, const char *what)
{
	double out_unit = p->c.type == MUSA_R_64F ? 0x1p-53 : p->c.type == MUSA_R_16BF ?
			  0x1p-8 : p->c.type == MUSA_R_16F ? 0x1p-11 : 0x1p-24;
	double worst = 0;
	int bad = 0;

	ASSERT_EQ(0, bt_mat_fetch(&p->c));
	for (int j = 0; j < p->n; j++)
		for (int i = 0; i < p->m; i++) {
			double sum = 0, mag = 0, ref, got = bt_get(&p->c, i, j), c0, bound;

			for (int l = 0; l < p->k; l++) {
				double x = bt_narrow(bt_op(&p->a, p->ta, i, l), narrow);
				double y = bt_narrow(bt_op(&p->b, p->tb, l, j), narrow);

				sum += x * y;
				mag += fabs(x * y);
			}
			c0 = beta != 0 ? bt_get(&p->c0, i, j) : 0;
			ref = alpha * sum + beta * c0;
			bound = (p->k + 2) * unit * (fabs(alpha) * mag + fabs(beta * c0)) +
				out_unit * fabs(ref) + 1e-300;
			if (fabs(got - ref) / bound > worst)
				worst = fabs(got - ref) / bound;
			if (!(fabs(got - ref) <= bound) && bad++ < 5)
				TH_LOG("%s: C(%d, %d) = %.17g, want %.17g within %.3g", what, i, j, got,
				       ref, bound);
		}
	EXPECT_EQ(0, bad) TH_LOG("%s: %d elements out of bounds", what, bad);
	TH_LOG("%s: worst error %.3f of the bound", what, worst);
}

static const mublasOperation_t ops[][2] = {
	{ MUBLAS_OP_N, MUBLAS_OP_N }, { MUBLAS_OP_N, MUBLAS_OP_T },
	{ MUBLAS_OP_T, MUBLAS_OP_N }, { MUBLAS_OP_T, MUBLAS_OP_T },
};

static const char *const op_names[] = { "NN", "NT", "TN", "TT" };

/* ------------------------------------------------------------------ FP32 */

TEST_F(blas, sgemm_every_transpose)
{
	for (int o = 0; o < 4; o++) {
		struct problem p;
		float alpha = 1.5f, beta = -0.5f;

		ASSERT_EQ(0, bt_problem(&p, MUSA_R_32F, MUSA_R_32F, MUSA_R_32F, 37, 45, 70,
					ops[o][0], ops[o][1]));
		BLAS_OK(mublasSgemm(self->h, p.ta, p.tb, p.m, p.n, p.k, &alpha, p.a.dev, p.a.ld,
				    p.b.dev, p.b.ld, &beta, p.c.dev, p.c.ld));
		bt_check_bound(_metadata, &p, alpha, beta, 0x1p-24, NARROW_NONE, op_names[o]);
		bt_problem_free(&p);
	}
}

/* beta = 0: C is not read, so whatever it holds (NaN here) does not matter. */
TEST_F(blas, beta_zero_does_not_read_c)
{
	struct problem p;
	float alpha = 1, beta = 0;

	ASSERT_EQ(0, bt_problem(&p, MUSA_R_32F, MUSA_R_32F, MUSA_R_32F, 33, 65, 9, MUBLAS_OP_N,
				MUBLAS_OP_N));
	MUSA_OK(musaMemset(p.c.dev, 0xff, (size_t)p.c.ld * p.n * 4));
	BLAS_OK(mublasSgemm(self->h, p.ta, p.tb, p.m, p.n, p.k, &alpha, p.a.dev, p.a.ld,
			    p.b.dev, p.b.ld, &beta, p.c.dev, p.c.ld));
	bt_check_bound(_metadata, &p, alpha, beta, 0x1p-24, NARROW_NONE, "beta 0");
	bt_problem_free(&p);
}

/* k = 0: C = beta C, and m = 0 or n = 0 does nothing at all. */
TEST_F(blas, empty_products)
{
	struct problem p;
	float alpha = 2, beta = 3;

	ASSERT_EQ(0, bt_problem(&p, MUSA_R_32F, MUSA_R_32F, MUSA_R_32F, 20, 10, 1, MUBLAS_OP_N,
				MUBLAS_OP_N));
	BLAS_OK(mublasSgemm(self->h, MUBLAS_OP_N, MUBLAS_OP_N, p.m, p.n, 0, &alpha, p.a.dev,
			    p.a.ld, p.b.dev, p.b.ld, &beta, p.c.dev, p.c.ld));
	BLAS_OK(mublasSgemm(self->h, MUBLAS_OP_N, MUBLAS_OP_N, 0, p.n, 5, &alpha, NULL, 1, NULL,
			    5, &beta, NULL, 1));
	ASSERT_EQ(0, bt_mat_fetch(&p.c));
	for (int j = 0; j < p.n; j++)
		for (int i = 0; i < p.m; i++)
			ASSERT_EQ((float)(3 * bt_get(&p.c0, i, j)), (float)bt_get(&p.c, i, j));
	bt_problem_free(&p);
}

/* alpha and beta read from device memory when the kernel runs. */
TEST_F(blas, device_pointer_mode)
{
	struct problem p;
	float scalars[2] = { -2.0f, 0.25f }, *d;
	mublasPointerMode_t mode;

	ASSERT_EQ(0, bt_problem(&p, MUSA_R_32F, MUSA_R_32F, MUSA_R_32F, 40, 30, 20, MUBLAS_OP_T,
				MUBLAS_OP_N));
	MUSA_OK(musaMalloc((void **)&d, sizeof(scalars)));
	MUSA_OK(musaMemcpy(d, scalars, sizeof(scalars), musaMemcpyHostToDevice));
	BLAS_OK(mublasSetPointerMode(self->h, MUBLAS_POINTER_MODE_DEVICE));
	BLAS_OK(mublasGetPointerMode(self->h, &mode));
	EXPECT_EQ(MUBLAS_POINTER_MODE_DEVICE, mode);
	BLAS_OK(mublasSgemm(self->h, p.ta, p.tb, p.m, p.n, p.k, d, p.a.dev, p.a.ld, p.b.dev,
			    p.b.ld, d + 1, p.c.dev, p.c.ld));
	bt_check_bound(_metadata, &p, -2.0, 0.25, 0x1p-24, NARROW_NONE, "device scalars");
	bt_problem_free(&p);
	MUSA_OK(musaFree(d));
}

TEST_F(blas, dgemm)
{
	for (int o = 0; o < 4; o += 3) {
		struct problem p;
		double alpha = -0.75, beta = 2;

		ASSERT_EQ(0, bt_problem(&p, MUSA_R_64F, MUSA_R_64F, MUSA_R_64F, 35, 66, 21,
					ops[o][0], ops[o][1]));
		BLAS_OK(mublasDgemm(self->h, p.ta, p.tb, p.m, p.n, p.k, &alpha, p.a.dev, p.a.ld,
				    p.b.dev, p.b.ld, &beta, p.c.dev, p.c.ld));
		bt_check_bound(_metadata, &p, alpha, beta, 0x1p-53, NARROW_NONE, op_names[o]);
		bt_problem_free(&p);
	}
}

/* ------------------------------------------------------------- GemmEx */

/* FP16 and FP8 accumulate exactly: C is the exact sum rounded once, to the bit. */
TEST_F(blas, exact_types_are_rounded_once)
{
	static const struct { int a, b, c; const char *what; } cases[] = {
		{ MUSA_R_16F, MUSA_R_16F, MUSA_R_32F, "f16 -> f32" },
		{ MUSA_R_16F, MUSA_R_16F, MUSA_R_16F, "f16 -> f16" },
		{ MUSA_R_8F_E4M3, MUSA_R_8F_E4M3, MUSA_R_32F, "e4m3 -> f32" },
		{ MUSA_R_8F_E5M2, MUSA_R_8F_E5M2, MUSA_R_16F, "e5m2 -> f16" },
		{ MUSA_R_8F_E4M3, MUSA_R_8F_E5M2, MUSA_R_16BF, "e4m3 x e5m2 -> bf16" },
		{ MUSA_R_8F_E5M2, MUSA_R_8F_E4M3, MUSA_R_32F, "e5m2 x e4m3 -> f32" },
	};
	float one = 1, zero = 0;

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++)
		for (int o = 0; o < 4; o++) {
			char what[64];
			struct problem p;

			snprintf(what, sizeof(what), "%s %s", cases[c].what, op_names[o]);
			ASSERT_EQ(0, bt_problem(&p, cases[c].a, cases[c].b, cases[c].c, 33, 70,
						75, ops[o][0], ops[o][1]));
			BLAS_OK(bt_gemm_ex(self->h, &p, &one, &zero, MUBLAS_COMPUTE_32F));
			bt_check_exact(_metadata, &p, 1, what);
			bt_problem_free(&p);
		}
}

/* alpha rides in the one rounding; COMPUTE_16F takes half alpha and beta. */
TEST_F(blas, exact_with_alpha)
{
	struct problem p;
	float alpha = 0.375f, zero = 0;
	uint16_t h_alpha = s5000_f32_to_f16(-0.5f), h_zero = 0;

	ASSERT_EQ(0, bt_problem(&p, MUSA_R_8F_E4M3, MUSA_R_8F_E4M3, MUSA_R_16F, 64, 64, 96,
				MUBLAS_OP_T, MUBLAS_OP_N));
	BLAS_OK(bt_gemm_ex(self->h, &p, &alpha, &zero, MUBLAS_COMPUTE_32F));
	bt_check_exact(_metadata, &p, alpha, "alpha 0.375");
	bt_problem_free(&p);
	ASSERT_EQ(0, bt_problem(&p, MUSA_R_16F, MUSA_R_16F, MUSA_R_16F, 50, 20, 40, MUBLAS_OP_N,
				MUBLAS_OP_T));
	BLAS_OK(bt_gemm_ex(self->h, &p, &h_alpha, &h_zero, MUBLAS_COMPUTE_16F));
	bt_check_exact(_metadata, &p, -0.5f, "COMPUTE_16F");
	bt_problem_free(&p);
}

/* FP32 inputs under the narrowing compute types. */
TEST_F(blas, fast_compute_types)
{
	struct problem p;
	float one = 1, zero = 0, beta = 0.5f;

	/* FAST_16F: inputs rounded to FP16, then exact: to the bit against that. */
	ASSERT_EQ(0, bt_problem(&p, MUSA_R_32F, MUSA_R_32F, MUSA_R_32F, 31, 47, 50, MUBLAS_OP_N,
				MUBLAS_OP_N));
	BLAS_OK(bt_gemm_ex(self->h, &p, &one, &zero, MUBLAS_COMPUTE_32F_FAST_16F));
	ASSERT_EQ(0, bt_mat_fetch(&p.c));
	for (int j = 0; j < p.n; j++)
		for (int i = 0; i < p.m; i++) {
			i128 sum = 0;

			for (int l = 0; l < p.k; l++)
				sum += (i128)bt_units(bt_narrow(bt_op(&p.a, p.ta, i, l), NARROW_F16)) *
				       bt_units(bt_narrow(bt_op(&p.b, p.tb, l, j), NARROW_F16));
			ASSERT_EQ(bt_round(sum, -48, 1, &fmt_f32), bt_code(&p.c, i, j))
				TH_LOG("C(%d, %d)", i, j);
		}
	bt_problem_free(&p);
	/* TF32 and BF16: rounded inputs, FP32 accumulation. */
	ASSERT_EQ(0, bt_problem(&p, MUSA_R_32F, MUSA_R_32F, MUSA_R_32F, 40, 40, 40, MUBLAS_OP_T,
				MUBLAS_OP_T));
	BLAS_OK(bt_gemm_ex(self->h, &p, &one, &beta, MUBLAS_COMPUTE_32F_FAST_TF32));
	bt_check_bound(_metadata, &p, 1, 0.5, 0x1p-24, NARROW_TF32, "TF32");
	bt_problem_free(&p);
	ASSERT_EQ(0, bt_problem(&p, MUSA_R_32F, MUSA_R_32F, MUSA_R_32F, 40, 40, 40, MUBLAS_OP_N,
				MUBLAS_OP_T));
	BLAS_OK(bt_gemm_ex(self->h, &p, &one, &zero, MUBLAS_COMPUTE_32F_FAST_16BF));
	bt_check_bound(_metadata, &p, 1, 0, 0x1p-24, NARROW_BF16, "FAST_16BF");
	bt_problem_free(&p);
}

TEST_F(blas, bf16)
{
	for (int o = 0; o < 4; o++) {
		struct problem p;
		float alpha = 2, beta = -1;

		ASSERT_EQ(0, bt_problem(&p, MUSA_R_16BF, MUSA_R_16BF, o & 1 ? MUSA_R_16BF :
					MUSA_R_32F, 30, 70, 45, ops[o][0], ops[o][1]));
		BLAS_OK(bt_gemm_ex(self->h, &p, &alpha, &beta, MUBLAS_COMPUTE_32F));
		bt_check_bound(_metadata, &p, alpha, beta, 0x1p-24, NARROW_NONE, op_names[o]);
		bt_problem_free(&p);
	}
}

/* With beta, the FP16 result goes through FP32 once: within the bounds of that. */
TEST_F(blas, fp16_with_beta)
{
	struct problem p;
	float alpha = 1, beta = 2;

	ASSERT_EQ(0, bt_problem(&p, MUSA_R_16F, MUSA_R_16F, MUSA_R_16F, 40, 40, 64, MUBLAS_OP_N,
				MUBLAS_OP_N));
	BLAS_OK(bt_gemm_ex(self->h, &p, &alpha, &beta, MUBLAS_COMPUTE_32F));
	bt_check_bound(_metadata, &p, alpha, beta, 0x1p-24 / (p.k + 2) * 2, NARROW_NONE, "beta 2");
	bt_problem_free(&p);
}

/* ---------------------------------------------------------- scaled FP8 */

/* Tensor scales: exact sum times alpha a_scale b_scale, rounded once. */
TEST_F(blas, scaled_fp8_tensor)
{
	float scales[2] = { 0.5f, 3.0f }, one = 1, zero = 0, *d = bt_upload(scales, sizeof(scales));
	mublasScaledGemmDesc_t desc = { 0 };
	struct problem p;

	ASSERT_NE(NULL, d);
	desc.a_mode = MUBLAS_SCALE_TENSOR;
	desc.a_scale = d;
	desc.b_mode = MUBLAS_SCALE_TENSOR;
	desc.b_scale = d + 1;
	ASSERT_EQ(0, bt_problem(&p, MUSA_R_8F_E4M3, MUSA_R_8F_E4M3, MUSA_R_32F, 45, 35, 200,
				MUBLAS_OP_T, MUBLAS_OP_N));
	BLAS_OK(mublasGemmScaledEx(self->h, p.ta, p.tb, p.m, p.n, p.k, &one, p.a.dev,
				   p.a.type, p.a.ld, p.b.dev, p.b.type, p.b.ld, &zero, p.c.dev,
				   p.c.type, p.c.ld, &desc));
	bt_check_exact(_metadata, &p, 1.5f, "tensor scales");
	bt_problem_free(&p);
	MUSA_OK(musaFree(d));
}

/* The scale op(A)'s or op(B)'s element (i, l) gets under a mode (mublas.h's layouts). */
static float bt_scale(const float *s, mublasScaleMode_t mode, int i, int l, int rows, int k)
{
	int kblocks = (k + 127) / 128;

	switch (mode) {
	case MUBLAS_SCALE_TENSOR:
		return s[0];
	case MUBLAS_SCALE_BLOCK_1x128:
		return s[(l / 128) * rows + i];
	case MUBLAS_SCALE_BLOCK_128x128:
		return s[(i / 128) * kblocks + l / 128];
	default:
		return 1;
	}
}

/*
 * DeepSeek-V3's block scaling as mublas.h states it: each 128 of k summed exactly,
 * scaled by its blocks' scales and rounded to FP32, then added to the FP32 sum.
 */
static float bt_block_model(struct problem *p, const float *as, mublasScaleMode_t am,
			    const float *bs, mublasScaleMode_t bm, int i, int j)
{
	float acc = 0;

	for (int l0 = 0; l0 < p->k; l0 += 128) {
		int l1 = l0 + 128 < p->k ? l0 + 128 : p->k;
		double scale = (double)bt_scale(as, am, i, l0, p->m, p->k) *
			       bt_scale(bs, bm, j, l0, p->n, p->k);
		uint64_t code = bt_round(bt_exact(&p->a, p->ta, &p->b, p->tb, i, j, l0, l1), -48,
					 (float)scale, &fmt_f32);
		float part;

		memcpy(&part, &code, 4);
		acc = l0 ? (float)((double)acc + part) : part;
	}
	return acc;
}

static void bt_fill_scales(float *s, int n)
{
	for (int i = 0; i < n; i++)
		s[i] = ldexpf(1 + (float)(bt_rand() % 8) / 8, (int)(bt_rand() % 7) - 3);
}

TEST_F(blas, scaled_fp8_blocks)
{
	static const mublasScaleMode_t a_modes[] = { MUBLAS_SCALE_BLOCK_1x128,
						     MUBLAS_SCALE_BLOCK_128x128,
						     MUBLAS_SCALE_TENSOR };
	enum { M = 150, N = 140, K = 300, KB = 3 };
	float as[M * KB], bs[2 * KB], one = 1, zero = 0, *das, *dbs;
	mublasScaledGemmDesc_t desc = { 0 };

	bt_fill_scales(as, M * KB);
	bt_fill_scales(bs, 2 * KB);
	das = bt_upload(as, sizeof(as));
	dbs = bt_upload(bs, sizeof(bs));
	ASSERT_NE(NULL, das);
	ASSERT_NE(NULL, dbs);
	for (size_t mode = 0; mode < ARRAY_SIZE(a_modes); mode++) {
		struct problem p;
		int bad = 0;

		desc.a_mode = a_modes[mode];
		desc.a_scale = das;
		desc.b_mode = MUBLAS_SCALE_BLOCK_128x128;
		desc.b_scale = dbs;
		ASSERT_EQ(0, bt_problem(&p, MUSA_R_8F_E4M3, MUSA_R_8F_E4M3, MUSA_R_32F, M, N, K,
					mode ? MUBLAS_OP_N : MUBLAS_OP_T, MUBLAS_OP_N));
		BLAS_OK(mublasGemmScaledEx(self->h, p.ta, p.tb, M, N, K, &one, p.a.dev, p.a.type,
					   p.a.ld, p.b.dev, p.b.type, p.b.ld, &zero, p.c.dev,
					   p.c.type, p.c.ld, &desc));
		ASSERT_EQ(0, bt_mat_fetch(&p.c));
		for (int j = 0; j < N; j++)
			for (int i = 0; i < M; i++) {
				float want = bt_block_model(&p, as, desc.a_mode, bs, desc.b_mode, i,
							    j);
				float got = (float)bt_get(&p.c, i, j);

				if (want != got && bad++ < 5)
					TH_LOG("mode %d: C(%d, %d) = %.9g, want %.9g",
					       (int)desc.a_mode, i, j, got, want);
			}
		EXPECT_EQ(0, bad);
		bt_problem_free(&p);
	}
	desc.b_mode = MUBLAS_SCALE_BLOCK_1x128;
	EXPECT_EQ(MUBLAS_STATUS_NOT_SUPPORTED,
		  mublasGemmScaledEx(self->h, MUBLAS_OP_T, MUBLAS_OP_N, 8, 8, 8, &one, das,
				     MUSA_R_8F_E4M3, 8, dbs, MUSA_R_8F_E4M3, 8, &zero, das,
				     MUSA_R_32F, 8, &desc));
	desc.b_mode = 7;
	EXPECT_EQ(MUBLAS_STATUS_INVALID_VALUE,
		  mublasGemmScaledEx(self->h, MUBLAS_OP_T, MUBLAS_OP_N, 8, 8, 8, &one, das,
				     MUSA_R_8F_E4M3, 8, dbs, MUSA_R_8F_E4M3, 8, &zero, das,
				     MUSA_R_32F, 8, &desc));
	MUSA_OK(musaFree(das));
	MUSA_OK(musaFree(dbs));
}

/* ------------------------------------------------------ Hopper accumulation */

struct hopper {
	int bits, interval;
	bool floor;
};

static int bt_lead_exp(float f)
{
	int e;

	if (f == 0)
		return -160;
	frexpf(f, &e);
	return e - 1;
}

static double bt_cut(double v, bool floor_mode)
{
	return floor_mode ? floor(v) : trunc(v);
}

/*
 * What mublas.h states for hopper: per MMA of 32 products, align them and the
 * partial sum to the largest exponent, cut to bits below it, sum, round to FP32;
 * every interval products, main += partial.
 */
static float bt_hopper_model(struct problem *p, const struct hopper *hp, int i, int j)
{
	float partial = 0, main = 0;
	int mmas = 0;

	for (int l0 = 0; l0 < p->k; l0 += 32) {
		int l1 = l0 + 32 < p->k ? l0 + 32 : p->k, emax = bt_lead_exp(partial);
		float prod[32];
		double unit, sum;

		for (int l = l0; l < l1; l++) {
			prod[l - l0] = (float)(bt_op(&p->a, p->ta, i, l) * bt_op(&p->b, p->tb, l, j));
			if (bt_lead_exp(prod[l - l0]) > emax)
				emax = bt_lead_exp(prod[l - l0]);
		}
		unit = ldexp(1, hp->bits - emax);
		sum = bt_cut(partial * unit, hp->floor);
		for (int l = l0; l < l1; l++)
			sum += bt_cut(prod[l - l0] * unit, hp->floor);
		partial = (float)ldexp(sum, emax - hp->bits);
		if (++mmas % (hp->interval / 32) == 0) {
			main += partial;
			partial = 0;
		}
	}
	return main + partial;
}

/*
 * GEMMs with enough tiles for the widest ones (64 x 256: FP32 accumulators in shared
 * memory, exact ones in the handle's workspace, block scales of two 128-column blocks
 * in one tile), partial tiles at the edges. The guest may be slow: C is checked in
 * full where that is cheap, else on a sample of rows.
 */
TEST_F(blas, wide_tiles)
{
	enum { M = 520, N = 300, K = 130, KB = 2 };
	float alpha = 0.5f, one = 1, zero = 0, as[5 * KB], bs[3 * KB], *das, *dbs;
	mublasScaledGemmDesc_t desc = { MUBLAS_SCALE_BLOCK_128x128, NULL,
					MUBLAS_SCALE_BLOCK_128x128, NULL, 0, 0, 0, 0 };
	struct problem p;
	int bad = 0;

	ASSERT_EQ(0, bt_problem(&p, MUSA_R_32F, MUSA_R_32F, MUSA_R_32F, N, M, 20, MUBLAS_OP_N,
				MUBLAS_OP_N));
	BLAS_OK(mublasSgemm(self->h, p.ta, p.tb, p.m, p.n, p.k, &alpha, p.a.dev, p.a.ld,
			    p.b.dev, p.b.ld, &one, p.c.dev, p.c.ld));
	bt_check_bound(_metadata, &p, alpha, 1, 0x1p-24, NARROW_NONE, "FP32, beta 1");
	bt_problem_free(&p);
	ASSERT_EQ(0, bt_problem(&p, MUSA_R_8F_E4M3, MUSA_R_8F_E4M3, MUSA_R_32F, N, M, 32,
				MUBLAS_OP_N, MUBLAS_OP_N));
	BLAS_OK(bt_gemm_ex(self->h, &p, &one, &zero, MUBLAS_COMPUTE_32F));
	bt_check_exact(_metadata, &p, 1, "E4M3 -> FP32");
	bt_problem_free(&p);

	bt_fill_scales(as, 5 * KB);
	bt_fill_scales(bs, 3 * KB);
	das = bt_upload(as, sizeof(as));
	dbs = bt_upload(bs, sizeof(bs));
	ASSERT_NE(NULL, das);
	ASSERT_NE(NULL, dbs);
	desc.a_scale = das;
	desc.b_scale = dbs;
	ASSERT_EQ(0, bt_problem(&p, MUSA_R_8F_E4M3, MUSA_R_8F_E4M3, MUSA_R_32F, M, N, K,
				MUBLAS_OP_N, MUBLAS_OP_N));
	BLAS_OK(mublasGemmScaledEx(self->h, p.ta, p.tb, M, N, K, &one, p.a.dev, p.a.type, p.a.ld,
				   p.b.dev, p.b.type, p.b.ld, &zero, p.c.dev, p.c.type, p.c.ld,
				   &desc));
	ASSERT_EQ(0, bt_mat_fetch(&p.c));
	for (int j = 0; j < N; j++)
		for (int i = j % 7; i < M; i += 7) {
			float want = bt_block_model(&p, as, desc.a_mode, bs, desc.b_mode, i, j);
			float got = (float)bt_get(&p.c, i, j);

			if (want != got && bad++ < 5)
				TH_LOG("blocks: C(%d, %d) = %.9g, want %.9g", i, j, got, want);
		}
	EXPECT_EQ(0, bad);
	bt_problem_free(&p);
	MUSA_OK(musaFree(das));
	MUSA_OK(musaFree(dbs));
}

TEST_F(blas, hopper_accumulation)
{
	static const struct hopper modes[] = { { 13, 128, false }, { 13, 128, true },
					       { 8, 64, false }, { 20, 256, false } };
	enum { M = 40, N = 70, K = 500 };
	float one = 1, zero = 0;

	for (size_t h = 0; h < ARRAY_SIZE(modes); h++) {
		mublasScaledGemmDesc_t desc = { .hopper = 1, .hopper_bits = modes[h].bits,
						.hopper_floor = modes[h].floor,
						.promote_interval = modes[h].interval };
		int bad = 0, out = 0, differ = 0;
		struct problem p;

		ASSERT_EQ(0, bt_problem(&p, MUSA_R_8F_E4M3, MUSA_R_8F_E5M2, MUSA_R_32F, M, N, K,
					MUBLAS_OP_T, MUBLAS_OP_N));
		/* One large product per row: what lies 13 bits below it is cut away. */
		for (int i = 0; i < M; i++)
			p.a.host[(size_t)i * p.a.ld + 5] = s5000_f32_to_e4m3(448, 1);
		MUSA_OK(musaMemcpy(p.a.dev, p.a.host, (size_t)p.a.ld * p.a.cols,
				   musaMemcpyHostToDevice));
		BLAS_OK(mublasGemmScaledEx(self->h, p.ta, p.tb, M, N, K, &one, p.a.dev, p.a.type,
					   p.a.ld, p.b.dev, p.b.type, p.b.ld, &zero, p.c.dev,
					   p.c.type, p.c.ld, &desc));
		ASSERT_EQ(0, bt_mat_fetch(&p.c));
		for (int j = 0; j < N; j++)
			for (int i = 0; i < M; i++) {
				float got = (float)bt_get(&p.c, i, j);
				float want = bt_hopper_model(&p, &modes[h], i, j);
				double exact = 0, mag = 0;

				for (int l = 0; l < K; l++) {
					double x = bt_op(&p.a, p.ta, i, l) * bt_op(&p.b, p.tb, l, j);

					exact += x;
					mag += fabs(x);
				}
				if (want != got && bad++ < 5)
					TH_LOG("%d bits: C(%d, %d) = %.9g, model %.9g", modes[h].bits,
					       i, j, got, want);
				/* The stated bound: 34 units at 2^-bits of the running sum per MMA. */
				if (fabs(got - exact) > (K / 32 + 1) * 34 * ldexp(mag, -modes[h].bits))
					out++;
				differ += got != (float)exact;
			}
		EXPECT_EQ(0, bad);
		EXPECT_EQ(0, out);
		EXPECT_LT(0, differ) TH_LOG("%d bits: the cut must show somewhere", modes[h].bits);
		bt_problem_free(&p);
	}
}

/* ----------------------------------------------------- API and errors */

TEST(statuses_and_handles)
{
	mublasHandle_t h;
	musaStream_t s, got;
	int version = 0;

	EXPECT_STREQ("MUBLAS_STATUS_SUCCESS", mublasGetStatusName(MUBLAS_STATUS_SUCCESS));
	EXPECT_STREQ("MUBLAS_STATUS_NOT_SUPPORTED",
		     mublasGetStatusName(MUBLAS_STATUS_NOT_SUPPORTED));
	EXPECT_STREQ("an invalid numeric value was used as an argument",
		     mublasGetStatusString(MUBLAS_STATUS_INVALID_VALUE));
	EXPECT_STREQ("MUBLAS_STATUS_UNKNOWN", mublasGetStatusName(12345));
	EXPECT_EQ(MUBLAS_STATUS_INVALID_VALUE, mublasCreate(NULL));
	BLAS_OK(mublasCreate(&h));
	BLAS_OK(mublasGetVersion(h, &version));
	EXPECT_EQ(MUBLAS_VERSION, version);
	MUSA_OK(musaStreamCreate(&s));
	BLAS_OK(mublasSetStream(h, s));
	BLAS_OK(mublasGetStream(h, &got));
	EXPECT_EQ(s, got);
	EXPECT_EQ(MUBLAS_STATUS_NOT_INITIALIZED, mublasSetStream(NULL, s));
	EXPECT_EQ(MUBLAS_STATUS_INVALID_VALUE, mublasSetPointerMode(h, 5));
	EXPECT_EQ(MUBLAS_STATUS_INVALID_VALUE, mublasSetMathMode(h, 9));
	BLAS_OK(mublasSetMathMode(h, MUBLAS_TF32_TENSOR_OP_MATH));
	BLAS_OK(mublasDestroy(h));
	EXPECT_EQ(MUBLAS_STATUS_SUCCESS, mublasDestroy(NULL));
	MUSA_OK(musaStreamDestroy(s));
}

TEST_F(blas, argument_checks)
{
	float one = 1, *d;
	uint16_t h;

	MUSA_OK(musaMalloc((void **)&d, 1 << 16));
	EXPECT_EQ(MUBLAS_STATUS_NOT_INITIALIZED,
		  mublasSgemm(NULL, MUBLAS_OP_N, MUBLAS_OP_N, 4, 4, 4, &one, d, 4, d, 4, &one, d, 4));
	EXPECT_EQ(MUBLAS_STATUS_INVALID_VALUE,
		  mublasSgemm(self->h, MUBLAS_OP_N, MUBLAS_OP_N, -1, 4, 4, &one, d, 4, d, 4, &one, d,
			      4));
	EXPECT_EQ(MUBLAS_STATUS_INVALID_VALUE,
		  mublasSgemm(self->h, MUBLAS_OP_N, MUBLAS_OP_N, 8, 4, 4, &one, d, 7, d, 4, &one, d,
			      8)) TH_LOG("lda < m");
	EXPECT_EQ(MUBLAS_STATUS_INVALID_VALUE,
		  mublasSgemm(self->h, MUBLAS_OP_T, MUBLAS_OP_N, 8, 4, 6, &one, d, 5, d, 6, &one, d,
			      8)) TH_LOG("lda < k for op T");
	EXPECT_EQ(MUBLAS_STATUS_INVALID_VALUE,
		  mublasSgemm(self->h, MUBLAS_OP_N, MUBLAS_OP_N, 8, 4, 4, &one, d, 8, d, 4, &one, d,
			      7)) TH_LOG("ldc < m");
	EXPECT_EQ(MUBLAS_STATUS_INVALID_VALUE,
		  mublasSgemm(self->h, 9, MUBLAS_OP_N, 4, 4, 4, &one, d, 4, d, 4, &one, d, 4));
	EXPECT_EQ(MUBLAS_STATUS_INVALID_VALUE,
		  mublasSgemm(self->h, MUBLAS_OP_N, MUBLAS_OP_N, 4, 4, 4, NULL, d, 4, d, 4, &one, d,
			      4));
	EXPECT_EQ(MUBLAS_STATUS_NOT_SUPPORTED,
		  mublasGemmEx(self->h, MUBLAS_OP_N, MUBLAS_OP_N, 4, 4, 4, &one, d, MUSA_R_16F, 4, d,
			       MUSA_R_32F, 4, &one, d, MUSA_R_32F, 4, MUBLAS_COMPUTE_32F,
			       MUBLAS_GEMM_DEFAULT)) TH_LOG("mixed A and B");
	EXPECT_EQ(MUBLAS_STATUS_NOT_SUPPORTED,
		  mublasGemmEx(self->h, MUBLAS_OP_N, MUBLAS_OP_N, 4, 4, 4, &one, d, MUSA_R_8I, 4, d,
			       MUSA_R_8I, 4, &one, d, MUSA_R_32I, 4, MUBLAS_COMPUTE_32I,
			       MUBLAS_GEMM_DEFAULT));
	EXPECT_EQ(MUBLAS_STATUS_NOT_SUPPORTED,
		  mublasGemmEx(self->h, MUBLAS_OP_N, MUBLAS_OP_N, 4, 4, 4, &one, d, MUSA_R_64F, 4, d,
			       MUSA_R_64F, 4, &one, d, MUSA_R_64F, 4, MUBLAS_COMPUTE_32F,
			       MUBLAS_GEMM_DEFAULT)) TH_LOG("FP64 needs COMPUTE_64F");
	h = s5000_f32_to_f16(1);
	EXPECT_EQ(MUBLAS_STATUS_NOT_SUPPORTED,
		  mublasGemmEx(self->h, MUBLAS_OP_N, MUBLAS_OP_N, 4, 4, 4, &h, d, MUSA_R_16F, 4, d,
			       MUSA_R_16F, 4, &h, d, MUSA_R_32F, 4, MUBLAS_COMPUTE_16F,
			       MUBLAS_GEMM_DEFAULT)) TH_LOG("COMPUTE_16F writes FP16");
	EXPECT_EQ(MUBLAS_STATUS_INVALID_VALUE,
		  mublasGemmEx(self->h, MUBLAS_OP_N, MUBLAS_OP_N, 4, 4, 4, &one, d, MUSA_R_32F, 4, d,
			       MUSA_R_32F, 4, &one, d, MUSA_R_32F, 4, MUBLAS_COMPUTE_32F, 50));
	EXPECT_EQ(MUBLAS_STATUS_NOT_SUPPORTED,
		  mublasGemmScaledEx(self->h, MUBLAS_OP_T, MUBLAS_OP_N, 4, 4, 4, &one, d,
				     MUSA_R_16F, 4, d, MUSA_R_16F, 4, &one, d, MUSA_R_32F, 4,
				     NULL)) TH_LOG("scaled GEMMs are FP8");
	MUSA_OK(musaFree(d));
}

/* In another stream, ordered by it. */
TEST_F(blas, in_a_stream)
{
	struct problem p;
	float alpha = 1, beta = 0;
	musaStream_t s;

	MUSA_OK(musaStreamCreateWithFlags(&s, musaStreamNonBlocking));
	BLAS_OK(mublasSetStream(self->h, s));
	ASSERT_EQ(0, bt_problem(&p, MUSA_R_32F, MUSA_R_32F, MUSA_R_32F, 64, 64, 64, MUBLAS_OP_N,
				MUBLAS_OP_N));
	BLAS_OK(mublasSgemm(self->h, p.ta, p.tb, p.m, p.n, p.k, &alpha, p.a.dev, p.a.ld,
			    p.b.dev, p.b.ld, &beta, p.c.dev, p.c.ld));
	MUSA_OK(musaStreamSynchronize(s));
	bt_check_bound(_metadata, &p, alpha, beta, 0x1p-24, NARROW_NONE, "stream");
	bt_problem_free(&p);
	BLAS_OK(mublasSetStream(self->h, 0));
	MUSA_OK(musaStreamDestroy(s));
}

/* After a device fault in the process, GEMMs fail to execute, and say so. */
TEST(after_a_fault)
{
	float one = 1, *d;
	mublasHandle_t h;

	BLAS_OK(mublasCreate(&h));
	MUSA_OK(musaMalloc((void **)&d, 4096));
	BLAS_OK(mublasSgemm(h, MUBLAS_OP_N, MUBLAS_OP_N, 4, 4, 4, &one, d, 4, d, 4, &one, d + 64,
			    4));
	MUSA_FAILS(musaErrorIllegalAddress, rt_fault(0, NULL));
	EXPECT_EQ(MUBLAS_STATUS_EXECUTION_FAILED,
		  mublasSgemm(h, MUBLAS_OP_N, MUBLAS_OP_N, 4, 4, 4, &one, d, 4, d, 4, &one, d + 64,
			      4));
	EXPECT_EQ(MUBLAS_STATUS_EXECUTION_FAILED, mublasDestroy(h));
}

TEST_HARNESS_MAIN
