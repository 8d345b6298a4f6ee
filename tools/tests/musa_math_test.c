// SPDX-License-Identifier: MIT
/*
 * Accuracy of the device math library (libmusa/device/include/musa_math.h), built
 * for the host against glibc. Both sides use -ffp-contract=off, so the host runs
 * the same IEEE operations as the device.
 *
 * Every function runs on special values (compared with glibc, NaN matching NaN) and
 * on pseudo-random inputs over its domain; the largest error, in ULP of the
 * reference, must stay within the bound the header documents. References are
 * glibc's long double functions for double results, its double ones for float.
 *
 * Output, one line a function: "ok NAME max=ERR bound=B at=INPUT" or "not ok ...";
 * test-musa-cc turns them into TAP. Exit status 1 if any failed.
 */
#define _GNU_SOURCE			/* exp10 */
#define __MUSA_MATH_PREFIXED_ONLY
#include "musa_math.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SAMPLES 60000

static int failures;
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double uniform(double lo, double hi)
{
	return lo + (hi - lo) * (double)(rng() >> 11) * 0x1p-53;
}

/* |x| spread evenly over the binades of [lo, hi], random sign if signed */
static double log_uniform(double lo, double hi, int signed_)
{
	double v = exp2(uniform(log2(lo), log2(hi)));

	return signed_ && (rng() & 1) ? -v : v;
}

static double ulp_of(long double ref, int bits, int min_exp)
{
	int e;

	if (ref == 0 || isinf(ref))
		return ldexp(1.0, min_exp);
	frexpl(ref, &e);
	return ldexp(1.0, e - bits > min_exp ? e - bits : min_exp);
}

/* error of RESULT against REF in ULP of a BITS-bit format; 0 for matching specials */
static double ulp_error(long double result, long double ref, int bits, int min_exp)
{
	if (isnan(ref) || isnan(result))
		return isnan(ref) && isnan(result) ? 0 : INFINITY;
	if (isinf(ref) || isinf(result))
		return result == ref ? 0 : INFINITY;
	return (double)(fabsl(result - ref) / ulp_of(ref, bits, min_exp));
}

/* A reference beyond the format's range compares as the infinity it rounds to. */
static double float_error(float result, double ref)
{
	return ulp_error(result, isinf((float)ref) ? (float)ref : ref, 24, -149);
}

static double double_error(double result, long double ref)
{
	return ulp_error(result, isinf((double)ref) ? (double)ref : ref, 53, -1074);
}

struct worst {
	const char *name;
	double bound;
	double max;
	double x, y;
};

static void note(struct worst *w, double err, double x, double y)
{
	if (err > w->max || (err != err)) {
		w->max = err;
		w->x = x;
		w->y = y;
	}
}

static void report(const struct worst *w)
{
	int ok = w->max <= w->bound;

	printf("%sok %s max=%.3g bound=%g at=%.17g", ok ? "" : "not ", w->name, w->max,
	       w->bound, w->x);
	if (w->y == w->y)
		printf(",%.17g", w->y);
	printf("\n");
	failures += !ok;
}

static const double specials[] = {
	0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0, 10.0, 1e-310, -1e-310,
	1e-30, 1e30, -1e30, 88.0, -88.0, 89.0, -104.0, 700.0, -700.0, 710.0, -746.0,
	0x1p-149, 0x1p-126, FLT_MAX, DBL_MIN, DBL_MAX, -DBL_MAX, 0x1.921fb54442d18p+0,
	0x1.921fb54442d18p+1, 1e22, 1e300, INFINITY, -INFINITY, NAN,
};
#define NSPECIALS (sizeof(specials) / sizeof(specials[0]))

typedef float (*ff1)(float);
typedef double (*dd1)(double);
typedef long double (*ll1)(long double);

struct range {
	double lo, hi;
	int log_scale, signed_;
};

static double pick(const struct range *r)
{
	return r->log_scale ? log_uniform(r->lo, r->hi, r->signed_) : uniform(r->lo, r->hi);
}

/* a float function against glibc's double one */
static void check_f1(const char *name, ff1 f, dd1 ref, double bound, const struct range *ranges,
		     int nranges)
{
	struct worst w = { name, bound, 0, 0, NAN };
	int i, r;

	for (i = 0; i < (int)NSPECIALS; i++) {
		float x = (float)specials[i];

		note(&w, float_error(f(x), (float)ref(x)), x, NAN);
	}
	for (r = 0; r < nranges; r++)
		for (i = 0; i < SAMPLES; i++) {
			float x = (float)pick(&ranges[r]);

			note(&w, float_error(f(x), ref(x)), x, NAN);
		}
	report(&w);
}

/* a double function against glibc's long double one */
static void check_d1(const char *name, dd1 f, ll1 ref, double bound, const struct range *ranges,
		     int nranges)
{
	struct worst w = { name, bound, 0, 0, NAN };
	int i, r;

	for (i = 0; i < (int)NSPECIALS; i++) {
		double x = specials[i];

		note(&w, double_error(f(x), (double)ref(x)), x, NAN);
	}
	for (r = 0; r < nranges; r++)
		for (i = 0; i < SAMPLES; i++) {
			double x = pick(&ranges[r]);

			note(&w, double_error(f(x), ref(x)), x, NAN);
		}
	report(&w);
}

#define R(lo, hi) { lo, hi, 0, 0 }
#define RLOG(lo, hi) { lo, hi, 1, 0 }
#define RLOGS(lo, hi) { lo, hi, 1, 1 }
#define CHECK_F1(name, bound, ...)						\
	do {									\
		const struct range rs[] = { __VA_ARGS__ };			\
		check_f1(#name "f", __musa_##name##f, name, bound, rs,		\
			 sizeof(rs) / sizeof(rs[0]));				\
	} while (0)
#define CHECK_D1(name, bound, ...)						\
	do {									\
		const struct range rs[] = { __VA_ARGS__ };			\
		check_d1(#name, __musa_##name, name##l, bound, rs,		\
			 sizeof(rs) / sizeof(rs[0]));				\
	} while (0)

static void check_unary(void)
{
	CHECK_D1(exp, 1, R(-745.2, 709.8), R(-1, 1));
	CHECK_D1(exp2, 1, R(-1075, 1024), R(-1, 1));
	CHECK_D1(exp10, 1, R(-324, 308.3), R(-1, 1));
	CHECK_D1(expm1, 1, R(-40, 709.7), R(-1, 1), RLOGS(1e-20, 0.5));
	CHECK_D1(log, 1, RLOG(4.9e-324, 1.7e308), R(0.5, 2));
	CHECK_D1(log2, 1, RLOG(4.9e-324, 1.7e308), R(0.5, 2));
	CHECK_D1(log10, 1, RLOG(4.9e-324, 1.7e308), R(0.5, 2));
	CHECK_D1(log1p, 1, R(-1, 1), RLOG(1e-300, 1e300), RLOGS(1e-20, 0.5));
	CHECK_D1(sin, 1, R(-10, 10), R(-1e6, 1e6), RLOGS(1e-10, 1e300));
	CHECK_D1(cos, 1, R(-10, 10), R(-1e6, 1e6), RLOGS(1e-10, 1e300));
	CHECK_D1(tan, 2.5, R(-10, 10), R(-1e6, 1e6), RLOGS(1e-10, 1e300));
	CHECK_D1(sinh, 2, R(-710, 710), R(-1, 1));
	CHECK_D1(cosh, 1.5, R(-710, 710), R(-1, 1));
	CHECK_D1(tanh, 1.5, R(-25, 25), R(-1, 1));
	CHECK_D1(atan, 2.5, RLOGS(1e-20, 1e20), R(-2, 2));
	CHECK_D1(asin, 3, R(-1, 1), RLOGS(1e-20, 1));
	CHECK_D1(acos, 3, R(-1, 1), RLOGS(1e-20, 1));
	CHECK_D1(cbrt, 1, RLOGS(4.9e-324, 1.7e308));

	CHECK_F1(exp, 1, R(-104, 89), R(-1, 1));
	CHECK_F1(exp2, 1, R(-150, 128), R(-1, 1));
	CHECK_F1(exp10, 1, R(-46, 38.6), R(-1, 1));
	CHECK_F1(expm1, 1, R(-20, 89), RLOGS(1e-30, 1));
	CHECK_F1(log, 1, RLOG(1e-45, 3e38), R(0.5, 2));
	CHECK_F1(log2, 1, RLOG(1e-45, 3e38), R(0.5, 2));
	CHECK_F1(log10, 1, RLOG(1e-45, 3e38), R(0.5, 2));
	CHECK_F1(log1p, 1, R(-1, 1), RLOG(1e-30, 3e38));
	CHECK_F1(sin, 1, R(-10, 10), R(-1e5, 1e5), RLOGS(1e-10, 3e38));
	CHECK_F1(cos, 1, R(-10, 10), R(-1e5, 1e5), RLOGS(1e-10, 3e38));
	CHECK_F1(tan, 1, R(-10, 10), R(-1e5, 1e5), RLOGS(1e-10, 3e38));
	CHECK_F1(sinh, 1, R(-90, 90), RLOGS(1e-30, 1));
	CHECK_F1(cosh, 1, R(-90, 90));
	CHECK_F1(tanh, 1, R(-12, 12), RLOGS(1e-30, 1));
	CHECK_F1(atan, 1, RLOGS(1e-30, 1e30));
	CHECK_F1(asin, 1, R(-1, 1), RLOGS(1e-30, 1));
	CHECK_F1(acos, 1, R(-1, 1));
	CHECK_F1(erf, 1, R(-5, 5), RLOGS(1e-30, 1));
	CHECK_F1(erfc, 2, R(-3, 10.1), R(-1, 1));
	CHECK_F1(cbrt, 1, RLOGS(1e-45, 3e38));
	CHECK_F1(sqrt, 0.5, RLOG(1e-45, 3e38));
}

static void check_binary(void)
{
	struct worst pw = { "pow", 1.5, 0, 0, NAN }, pwf = { "powf", 1, 0, 0, NAN };
	struct worst at = { "atan2", 2.5, 0, 0, NAN }, atf = { "atan2f", 1, 0, 0, NAN };
	struct worst hy = { "hypot", 1, 0, 0, NAN }, hyf = { "hypotf", 1, 0, 0, NAN };
	struct worst rs = { "rsqrtf", 1, 0, 0, NAN };
	unsigned int i, j;

	for (i = 0; i < NSPECIALS; i++)
		for (j = 0; j < NSPECIALS; j++) {
			double x = specials[i], y = specials[j];

			note(&pw, double_error(__musa_pow(x, y), pow(x, y)), x, y);
			note(&pwf, float_error(__musa_powf((float)x, (float)y),
					       powf((float)x, (float)y)), x, y);
			note(&at, double_error(__musa_atan2(x, y), atan2(x, y)), x, y);
			note(&atf, float_error(__musa_atan2f((float)x, (float)y),
					       atan2f((float)x, (float)y)), x, y);
			note(&hy, double_error(__musa_hypot(x, y), hypot(x, y)), x, y);
		}
	for (i = 0; i < 4 * SAMPLES; i++) {
		double x = log_uniform(1e-300, 1e300, 0), y = uniform(-1, 1);
		double xi = -log_uniform(1e-10, 1e10, 0), yi = (double)(int)uniform(-60, 60);
		float xf = (float)log_uniform(1e-30, 1e30, 0), yf = (float)uniform(-4, 4);
		double ax = log_uniform(1e-300, 1e300, 1), ay = log_uniform(1e-300, 1e300, 1);
		float fx = (float)log_uniform(1e-38, 1e38, 1), fy = (float)log_uniform(1e-38, 1e38, 1);
		double d = uniform(-1e4, 1e4);

		note(&pw, double_error(__musa_pow(x, y), powl(x, y)), x, y);
		note(&pw, double_error(__musa_pow(xi, yi), powl(xi, yi)), xi, yi);
		note(&pw, double_error(__musa_pow(1.0 + d * 1e-12, d * 1e8),
				       powl(1.0 + d * 1e-12, d * 1e8)), 1.0 + d * 1e-12, d * 1e8);
		note(&pwf, float_error(__musa_powf(xf, yf), pow(xf, yf)), xf, yf);
		note(&at, double_error(__musa_atan2(ay, ax), atan2l(ay, ax)), ay, ax);
		note(&atf, float_error(__musa_atan2f(fy, fx), atan2(fy, fx)), fy, fx);
		note(&hy, double_error(__musa_hypot(ax, ay), hypotl(ax, ay)), ax, ay);
		note(&hyf, float_error(__musa_hypotf(fx, fy), hypot(fx, fy)), fx, fy);
		note(&rs, float_error(__musa_rsqrtf(fabsf(fx)), 1.0 / sqrt(fabsf(fx))), fx, NAN);
	}
	report(&pw);
	report(&pwf);
	report(&at);
	report(&atf);
	report(&hy);
	report(&hyf);
	report(&rs);
}

/* functions whose results are exact: compared bit for bit with glibc */
static void check_exact(void)
{
	struct worst w = { "rounding, fmodf, ldexpf, frexpf (exact)", 0, 0, 0, NAN };
	unsigned int i;

	for (i = 0; i < 8 * SAMPLES + NSPECIALS; i++) {
		double d = i < NSPECIALS ? specials[i] :
			   i & 1 ? uniform(-1e6, 1e6) : log_uniform(1e-300, 1e300, 1);
		float f = (float)d, g = (float)log_uniform(1e-30, 1e30, 1);
		int e1, e2, n = (int)uniform(-300, 300);
		float fr = __musa_frexpf(f, &e1);

		note(&w, double_error(__musa_floor(d), floor(d)), d, NAN);
		note(&w, double_error(__musa_ceil(d), ceil(d)), d, NAN);
		note(&w, double_error(__musa_trunc(d), trunc(d)), d, NAN);
		note(&w, double_error(__musa_round(d), round(d)), d, NAN);
		note(&w, double_error(__musa_rint(d), rint(d)), d, NAN);
		note(&w, float_error(__musa_floorf(f), floorf(f)), f, NAN);
		note(&w, float_error(__musa_ceilf(f), ceilf(f)), f, NAN);
		note(&w, float_error(__musa_truncf(f), truncf(f)), f, NAN);
		note(&w, float_error(__musa_roundf(f), roundf(f)), f, NAN);
		note(&w, float_error(__musa_rintf(f), rintf(f)), f, NAN);
		note(&w, float_error(__musa_fmodf(f, g), fmodf(f, g)), f, g);
		note(&w, float_error(__musa_ldexpf(f, n), ldexpf(f, n)), f, n);
		note(&w, float_error(fr, frexpf(f, &e2)) + (e1 != e2 && isfinite(f)), f, NAN);
		/* signed zeros must match too */
		note(&w, signbit(__musa_truncf(f)) != signbit(truncf(f)) ||
			 signbit(__musa_roundf(f)) != signbit(roundf(f)) ||
			 signbit(__musa_rint(d)) != signbit(rint(d)), f, NAN);
	}
	report(&w);
}

/* CUDA's fast intrinsics: relative bounds in ULP, absolute on their core range */
static void check_intrinsics(void)
{
	struct worst ex = { "__expf (ULP - 1.5|x|)", 2, 0, 0, NAN };
	struct worst lg = { "__logf/__log2f/__log10f (abs on [0.5,2])", 0x1p-21, 0, 0, NAN };
	struct worst lgr = { "__logf/__log2f/__log10f (ULP elsewhere)", 3, 0, 0, NAN };
	struct worst sc = { "__sinf/__cosf (abs on [-pi,pi])", 0x1p-21, 0, 0, NAN };
	struct worst sat = { "__saturatef, __fdividef (exact)", 0, 0, 0, NAN };
	int i;

	for (i = 0; i < 4 * SAMPLES; i++) {
		float x = (float)uniform(-87, 88), l = (float)uniform(0.5, 2);
		float big = (float)log_uniform(1e-37, 1e37, 0), a = (float)uniform(-M_PI, M_PI);
		float s = (float)uniform(-2, 2);

		if (fabsf(big - 1.0f) < 1.0f)
			big = 4.0f;
		note(&ex, float_error(__expf(x), exp(x)) - 1.5 * fabsf(x), x, NAN);
		note(&ex, float_error(__exp10f(x / 2.4f), exp10(x / 2.4f)) - 1.5 * fabsf(x), x, NAN);
		note(&lg, fabs(__logf(l) - log(l)), l, NAN);
		note(&lg, fabs(__log2f(l) - log2(l)), l, NAN);
		note(&lg, fabs(__log10f(l) - log10(l)), l, NAN);
		note(&lgr, float_error(__logf(big), log(big)), big, NAN);
		note(&lgr, float_error(__log2f(big), log2(big)), big, NAN);
		note(&lgr, float_error(__log10f(big), log10(big)), big, NAN);
		note(&sc, fabs(__sinf(a) - sin(a)), a, NAN);
		note(&sc, fabs(__cosf(a) - cos(a)), a, NAN);
		note(&sat, __saturatef(s) != fminf(fmaxf(s, 0.0f), 1.0f) ||
			   __fdividef(s, l) != s / l, s, NAN);
	}
	note(&sat, __saturatef(NAN) != 0.0f, NAN, NAN);
	report(&ex);
	report(&lg);
	report(&lgr);
	report(&sc);
	report(&sat);
}

int main(void)
{
	check_unary();
	check_binary();
	check_exact();
	check_intrinsics();
	return failures ? 1 : 0;
}
