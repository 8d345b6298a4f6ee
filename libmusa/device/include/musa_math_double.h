/* SPDX-License-Identifier: MIT */
/*
 * Double precision exp, exp2, exp10, log, log2, log10, pow, sin, cos and tan for
 * musa_math.h, which includes this after its helpers.
 *
 * exp evaluates e^r on |r| <= ln2/2 after a Cody-Waite reduction, adding the
 * leading 1 + r exactly; log splits x = 2^e (1 + i/64)(1 + t) with |t| < 1/90 and
 * a table of log(1 + i/64) in double-double, so its result is a double-double
 * good to ~2^-66, which pow needs. sin and cos reduce modulo pi/2 with a three-part
 * pi/2 below 2^20 and Payne-Hanek (1280 bits of 2/pi) above, or wherever the
 * short reduction cancels too far. The constants were computed for this file with
 * Python's decimal module (pi by Machin's formula).
 */
#ifndef MUSA_MATH_DOUBLE_H
#define MUSA_MATH_DOUBLE_H

#define __MUSA_LN2_HI42		0x1.62e42fefa3800p-1	/* 42 bits: n * it is exact */
#define __MUSA_LN2_LO42		0x1.ef35793c76730p-45
#define __MUSA_LN2_HI		0x1.62e42fefa39efp-1
#define __MUSA_LN2_LO		0x1.abc9e3b39803fp-56
#define __MUSA_LN10_HI		0x1.26bb1bbb55516p+1
#define __MUSA_LN10_LO		-0x1.f48ad494ea3e9p-53
#define __MUSA_INV_LN2_HI	0x1.71547652b82fep+0
#define __MUSA_INV_LN2_LO	0x1.777d0ffda0d24p-56
#define __MUSA_INV_LN10_HI	0x1.bcb7b1526e50ep-2
#define __MUSA_INV_LN10_LO	0x1.95355baaafad3p-57
#define __MUSA_PIO2_1		0x1.921fb54400000p+0	/* 33 bits: k * it is exact */
#define __MUSA_PIO2_2		0x1.0b4611a600000p-34	/* 33 bits */
#define __MUSA_PIO2_3		0x1.3198a2e037073p-69
#define __MUSA_PIO2_HI		0x1.921fb54442d18p+0
#define __MUSA_PIO2_LO		0x1.1a62633145c07p-54
#define __MUSA_PIO4		0x1.921fb54442d18p-1
#define __MUSA_PI		0x1.921fb54442d18p+1
#define __MUSA_2_OVER_PI	0x1.45f306dc9c883p-1
#define __MUSA_EXP_MAX		0x1.62e42fefa39efp+9	/* 1024 ln 2: e^x overflows from here */
#define __MUSA_EXP_MIN		-0x1.74910d52d3052p+9	/* -1075 ln 2: e^x rounds to 0 below */

/* ----------------------------------------------------------------- exp */

/* e^(hi + lo) = 2^n (yh + yl), for -746 < hi < 710 and |lo| <= 2^-40 |hi| */
__MUSA_MATH double __musa_exp_parts(double hi, double lo, double *yl, int *n)
{
	double k = __musa_rint(hi * __MUSA_INV_LN2_HI);
	double r = hi - k * __MUSA_LN2_HI42;		/* exact */
	double rl = lo - k * __MUSA_LN2_LO42;
	/* e^r - 1 - r: Taylor terms to r^13, 4e-18 relative on |r| <= 0.35 */
	double p = r * r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 +
		   r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 +
		   r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (1.0 / 479001600 +
		   r * (1.0 / 6227020800.0))))))))))));
	__musa_dd s = __musa_fast_two_sum(1.0, r);	/* 1 + r exactly */
	__musa_dd y = __musa_fast_two_sum(s.hi, s.lo + (p + rl * (1.0 + r + p)));

	*yl = y.lo;
	*n = (int)k;
	return y.hi;
}

/* e^(hi + lo), rounded once: about 0.52 ULP */
__MUSA_MATH double __musa_exp_dd(double hi, double lo)
{
	double yl;
	int n;
	double yh = __musa_exp_parts(hi, lo, &yl, &n);

	return __musa_scale(yh, n);
}

__MUSA_MATH double __musa_exp(double x)
{
	if (!(x < __MUSA_EXP_MAX))
		return x != x ? x : __builtin_inf();
	if (x < __MUSA_EXP_MIN)
		return 0.0;
	if (__builtin_fabs(x) < 0x1p-54)
		return 1.0 + x;
	return __musa_exp_dd(x, 0.0);
}

__MUSA_MATH double __musa_exp2(double x)
{
	__musa_dd t;

	if (!(x < 1024.0))
		return x != x ? x : __builtin_inf();
	if (x < -1075.0)
		return 0.0;
	if (__musa_trunc(x) == x)
		return __musa_scale(1.0, (int)x);
	t = __musa_two_prod(x, __MUSA_LN2_HI);
	return __musa_exp_dd(t.hi, t.lo + x * __MUSA_LN2_LO);
}

__MUSA_MATH double __musa_exp10(double x)
{
	__musa_dd t;

	if (!(x < 308.3))
		return x != x ? x : __builtin_inf();
	if (x < -324.0)
		return 0.0;
	t = __musa_two_prod(x, __MUSA_LN10_HI);
	return __musa_exp_dd(t.hi, t.lo + x * __MUSA_LN10_LO);
}

/* ----------------------------------------------------------------- log */

/* log(1 + i/64) for i = -19..27, as hi + lo */
static const double __musa_log_table[47][2] = {
	{ -0x1.68ac83e9c6a14p-2, -0x1.a64eadd740178p-58 },
	{ -0x1.522ae0738a3d8p-2, 0x1.8f7e9b38a6979p-57 },
	{ -0x1.3c25277333184p-2, 0x1.2ad27e50a8ec6p-56 },
	{ -0x1.269621134db92p-2, -0x1.e0efadd9db02bp-56 },
	{ -0x1.1178e8227e47cp-2, 0x1.0e63a5f01c691p-57 },
	{ -0x1.f991c6cb3b379p-3, -0x1.f665066f980a2p-57 },
	{ -0x1.d1037f2655e7bp-3, -0x1.60629242471a2p-57 },
	{ -0x1.a93ed3c8ad9e3p-3, -0x1.bcafa9de97203p-57 },
	{ -0x1.823c16551a3c2p-3, 0x1.1232ce70be781p-57 },
	{ -0x1.5bf406b543db2p-3, 0x1.1f5b44c0df7e7p-61 },
	{ -0x1.365fcb0159016p-3, -0x1.7d411a5b944adp-58 },
	{ -0x1.1178e8227e47cp-3, 0x1.0e63a5f01c691p-58 },
	{ -0x1.da727638446a2p-4, -0x1.401fa71733019p-58 },
	{ -0x1.9335e5d594989p-4, 0x1.478a85704ccb7p-58 },
	{ -0x1.4d3115d207eacp-4, -0x1.769f42c7842ccp-58 },
	{ -0x1.08598b59e3a07p-4, 0x1.dd7009902bf32p-58 },
	{ -0x1.894aa149fb343p-5, -0x1.a8be97660a23dp-60 },
	{ -0x1.0415d89e74444p-5, -0x1.c05cf1d753622p-59 },
	{ -0x1.0205658935847p-6, -0x1.27c8e8416e71fp-60 },
	{ 0x0.0p+0, 0x0.0p+0 },
	{ 0x1.fc0a8b0fc03e4p-7, -0x1.83092c59642a1p-62 },
	{ 0x1.f829b0e783300p-6, 0x1.33e3f04f1ef23p-60 },
	{ 0x1.77458f632dcfcp-5, 0x1.18d3ca87b9296p-59 },
	{ 0x1.f0a30c01162a6p-5, 0x1.85f325c5bbacdp-59 },
	{ 0x1.341d7961bd1d1p-4, -0x1.b599f227becbbp-58 },
	{ 0x1.6f0d28ae56b4cp-4, -0x1.906d99184b992p-58 },
	{ 0x1.a926d3a4ad563p-4, 0x1.942f48aa70ea9p-58 },
	{ 0x1.e27076e2af2e6p-4, -0x1.61578001e0162p-60 },
	{ 0x1.0d77e7cd08e59p-3, 0x1.9a5dc5e9030acp-57 },
	{ 0x1.29552f81ff523p-3, 0x1.301771c407dbfp-57 },
	{ 0x1.44d2b6ccb7d1ep-3, 0x1.9f4f6543e1f88p-57 },
	{ 0x1.5ff3070a793d4p-3, -0x1.bc60efafc6f6ep-58 },
	{ 0x1.7ab890210d909p-3, 0x1.be36b2d6a0608p-59 },
	{ 0x1.9525a9cf456b4p-3, 0x1.d904c1d4e2e26p-57 },
	{ 0x1.af3c94e80bff3p-3, -0x1.398cff3641985p-58 },
	{ 0x1.c8ff7c79a9a22p-3, -0x1.4f689f8434012p-57 },
	{ 0x1.e27076e2af2e6p-3, -0x1.61578001e0162p-59 },
	{ 0x1.fb9186d5e3e2bp-3, -0x1.caaae64f21acbp-57 },
	{ 0x1.0a324e27390e3p-2, 0x1.7dcfde8061c03p-56 },
	{ 0x1.1675cababa60ep-2, 0x1.ce63eab883717p-61 },
	{ 0x1.22941fbcf7966p-2, -0x1.76f5eb09628afp-56 },
	{ 0x1.2e8e2bae11d31p-2, -0x1.8f4cdb95ebdf9p-56 },
	{ 0x1.3a64c556945eap-2, -0x1.c68651945f97cp-57 },
	{ 0x1.4618bc21c5ec2p-2, 0x1.f42decdeccf1dp-56 },
	{ 0x1.51aad872df82dp-2, 0x1.3927ac19f55e3p-59 },
	{ 0x1.5d1bdbf5809cap-2, 0x1.4236383dc7fe1p-56 },
	{ 0x1.686c81e9b14afp-2, -0x1.ddea0f7f58e3dp-57 },
};

/*
 * For finite x > 0: x = m 2^e with m in [sqrt(1/2), sqrt(2)); returns log(m) as a
 * double-double, m = (1 + i/64)(1 + t), log(1 + t) by its series.
 */
__MUSA_MATH __musa_dd __musa_log_mantissa(double x, int *e)
{
	unsigned long long u = __musa_double_bits(x);
	double m, c, num, t, tl, sq, sql, poly;
	__musa_dd r, s;
	int ex = 0, i;

	if (u < 0x0010000000000000ull) {	/* subnormal */
		u = __musa_double_bits(x * 0x1p54);
		ex = -54;
	}
	ex += (int)(u >> 52) - 1023;
	u = (u & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
	if (u >= 0x3ff6a09e667f3bcdull) {	/* m >= sqrt(2) */
		u -= 0x0010000000000000ull;
		ex++;
	}
	*e = ex;
	m = __musa_bits_double(u);
	i = (int)__musa_rint((m - 1.0) * 64.0);
	c = 1.0 + i * 0x1p-6;
	num = m - c;				/* exact */
	t = num / c;
	tl = __builtin_fma(-t, c, num) / c;
	sq = t * t;
	sql = __builtin_fma(t, t, -sq);
	/* t^3/3 - t^4/4 + ... - t^10/10 */
	poly = t * sq * (1.0 / 3 - t * (0.25 - t * (0.2 - t * (1.0 / 6 - t * (1.0 / 7 -
	       t * (0.125 - t * (1.0 / 9 - t * 0.1)))))));
	r = __musa_fast_two_sum(t, -0.5 * sq);
	r.lo += tl - 0.5 * sql - t * tl + poly;
	s = __musa_two_sum(__musa_log_table[i + 19][0], r.hi);
	return __musa_fast_two_sum(s.hi, s.lo + __musa_log_table[i + 19][1] + r.lo);
}

/* log(x) as a double-double, for finite x > 0 */
__MUSA_MATH __musa_dd __musa_log_dd(double x)
{
	int e;
	__musa_dd m = __musa_log_mantissa(x, &e);
	__musa_dd s = __musa_two_sum(e * __MUSA_LN2_HI42, m.hi);	/* e * HI42 exact */

	return __musa_fast_two_sum(s.hi, s.lo + m.lo + e * __MUSA_LN2_LO42);
}

/* NaN for negative x, -inf for 0, x itself for NaN and +inf; 0 if none applies */
#define __MUSA_LOG_SPECIAL(x)						\
	do {								\
		if (!((x) > 0.0) || !__musa_isfinite(x)) {		\
			if ((x) != (x) || (x) > 0.0)			\
				return (x);				\
			return (x) == 0.0 ? -__builtin_inf() : __builtin_nan(""); \
		}							\
	} while (0)

__MUSA_MATH double __musa_log(double x)
{
	__MUSA_LOG_SPECIAL(x);
	return __musa_log_dd(x).hi;
}

__MUSA_MATH double __musa_log2(double x)
{
	int e;
	__musa_dd m, p, s;

	__MUSA_LOG_SPECIAL(x);
	m = __musa_log_mantissa(x, &e);
	p = __musa_two_prod(m.hi, __MUSA_INV_LN2_HI);
	p.lo += m.hi * __MUSA_INV_LN2_LO + m.lo * __MUSA_INV_LN2_HI;
	s = __musa_two_sum((double)e, p.hi);
	return s.hi + (s.lo + p.lo);
}

__MUSA_MATH double __musa_log10(double x)
{
	__musa_dd l, p;

	__MUSA_LOG_SPECIAL(x);
	l = __musa_log_dd(x);
	p = __musa_two_prod(l.hi, __MUSA_INV_LN10_HI);
	return p.hi + (p.lo + l.hi * __MUSA_INV_LN10_LO + l.lo * __MUSA_INV_LN10_HI);
}

/* ----------------------------------------------------------------- pow */

/* 0: y is not an integer, 1: an odd one, 2: an even one (infinities are even) */
__MUSA_MATH_INLINE int __musa_integer_kind(double y)
{
	if (__musa_trunc(y) != y)
		return 0;
	if (__builtin_fabs(y) >= 0x1p53)
		return 2;
	return ((long long)y & 1) ? 1 : 2;
}

/* C's special cases: zeros, infinities, NaNs, negative bases */
__MUSA_MATH int __musa_pow_special(double x, double y, double *r)
{
	int odd = __musa_integer_kind(y) == 1;

	if (y == 0.0 || x == 1.0) {
		*r = 1.0;
	} else if (x != x || y != y) {
		*r = x + y;
	} else if (__musa_isinf(y)) {
		double ax = __builtin_fabs(x);

		*r = ax == 1.0 ? 1.0 : (ax > 1.0) == (y > 0.0) ? __builtin_inf() : 0.0;
	} else if (x == 0.0 || __musa_isinf(x)) {
		*r = (x == 0.0) == (y < 0.0) ? __builtin_inf() : 0.0;
		if (odd && __builtin_signbit(x))
			*r = -*r;
	} else if (x < 0.0 && __musa_integer_kind(y) == 0) {
		*r = __builtin_nan("");
	} else {
		return 0;
	}
	return 1;
}

__MUSA_MATH double __musa_pow(double x, double y)
{
	double r, hi, lo;
	__musa_dd l, p;

	if (__musa_pow_special(x, y, &r))
		return r;
	if (y == 1.0)
		return x;
	if (y == 2.0)
		return x * x;
	l = __musa_log_dd(__builtin_fabs(x));
	p.hi = y * l.hi;
	if (!(__builtin_fabs(p.hi) < 746.0)) {
		r = p.hi > 0.0 ? __builtin_inf() : 0.0;
	} else {
		p.lo = __builtin_fma(y, l.hi, -p.hi) + y * l.lo;
		hi = p.hi + p.lo;
		lo = p.lo - (hi - p.hi);
		r = hi < __MUSA_EXP_MIN - 1.0 ? 0.0 : __musa_exp_dd(hi, lo);
	}
	return x < 0.0 && __musa_integer_kind(y) == 1 ? -r : r;
}

/* ------------------------------------------------- reduction modulo pi/2 */

/* the fraction of 2/pi, 32 bits a word, most significant first */
static const unsigned int __musa_2_over_pi_bits[40] = {
	0xa2f9836eu, 0x4e441529u, 0xfc2757d1u, 0xf534ddc0u, 0xdb629599u, 0x3c439041u,
	0xfe5163abu, 0xdebbc561u, 0xb7246e3au, 0x424dd2e0u, 0x06492eeau, 0x09d1921cu,
	0xfe1deb1cu, 0xb129a73eu, 0xe88235f5u, 0x2ebb4484u, 0xe99c7026u, 0xb45f7e41u,
	0x3991d639u, 0x835339f4u, 0x9c845f8bu, 0xbdf9283bu, 0x1ff897ffu, 0xde05980fu,
	0xef2f118bu, 0x5a0a6d1fu, 0x6d367ecfu, 0x27cb09b7u, 0x4f463f66u, 0x9e5fea2du,
	0x7527bac7u, 0xebe5f17bu, 0x3d0739f7u, 0x8a5292eau, 0x6bfb5fb1u, 0x1f8d5d08u,
	0x56033046u, 0xfc7b6babu, 0xf0cfbc20u, 0x9af4361du,
};

/* 32 bits of 2/pi after skipping POS bits of its fraction (zeros for POS < 0) */
__MUSA_MATH_INLINE unsigned int __musa_2_over_pi_32(int pos)
{
	int w = pos >> 5, s = pos & 31;
	unsigned int hi = w >= 0 && w < 40 ? __musa_2_over_pi_bits[w] : 0;
	unsigned int lo = w + 1 >= 0 && w + 1 < 40 ? __musa_2_over_pi_bits[w + 1] : 0;

	return s ? (hi << s) | (lo >> (32 - s)) : hi;
}

__MUSA_MATH_INLINE unsigned long long __musa_2_over_pi_64(int pos)
{
	return (unsigned long long)__musa_2_over_pi_32(pos) << 32 | __musa_2_over_pi_32(pos + 32);
}

/*
 * Payne-Hanek, for finite ax > 0: ax = m 2^E with a 53-bit m; the bits of 2/pi
 * worth 2^(E-2) and above only add multiples of 4 to ax 2/pi, so a 192-bit window
 * starting below them gives the quadrant and a 190-bit fraction.
 */
__MUSA_MATH int __musa_rem_pio2_large(double ax, double *rh, double *rl)
{
	unsigned long long u = __musa_double_bits(ax), m, w0, w1, w2, l0, l1, l2, hi64, lo64;
	int e = (int)(u >> 52) - 1075, n, lz, scale, negative = 0;
	unsigned __int128 p0, p1, p2, t, top;
	double fh, fl, h, l;

	m = (u & 0x000fffffffffffffull) | 0x0010000000000000ull;
	w0 = __musa_2_over_pi_64(e - 2);
	w1 = __musa_2_over_pi_64(e + 62);
	w2 = __musa_2_over_pi_64(e + 126);
	p0 = (unsigned __int128)m * w0;
	p1 = (unsigned __int128)m * w1;
	p2 = (unsigned __int128)m * w2;
	l0 = (unsigned long long)p2;
	t = (p2 >> 64) + (unsigned long long)p1;
	l1 = (unsigned long long)t;
	t = (t >> 64) + (p1 >> 64) + (unsigned long long)p0;
	l2 = (unsigned long long)t;
	n = (int)(l2 >> 62);
	l2 &= (1ull << 62) - 1;
	if (l2 >> 61) {			/* fraction >= 1/2: take 1 - fraction */
		n++;
		negative = 1;
		l0 = ~l0 + 1;
		l1 = ~l1 + (l0 == 0);
		l2 = (~l2 + (l0 == 0 && l1 == 0)) & ((1ull << 62) - 1);
	}
	/* the fraction l2:l1:l0 / 2^190 as top / 2^scale, top's leading bit at 127 */
	if (l2) {
		lz = __builtin_clzll(l2);
		top = (((unsigned __int128)l2 << 64 | l1) << lz) | (lz ? l0 >> (64 - lz) : 0);
		scale = 126 + lz;
	} else if (l1) {
		lz = __builtin_clzll(l1);
		top = ((unsigned __int128)l1 << 64 | l0) << lz;
		scale = 190 + lz;
	} else {
		*rh = *rl = 0.0;
		return n & 3;
	}
	hi64 = (unsigned long long)(top >> 64);
	lo64 = (unsigned long long)top;
	h = (double)(hi64 >> 11) * 0x1p11;
	l = (double)(hi64 & 0x7ff) + (double)lo64 * 0x1p-64;
	fh = __musa_scale(h, 64 - scale);
	fl = __musa_scale(l, 64 - scale);
	/* times pi/2 */
	h = fh * __MUSA_PIO2_HI;
	l = __builtin_fma(fh, __MUSA_PIO2_HI, -h) + (fh * __MUSA_PIO2_LO + fl * __MUSA_PIO2_HI);
	*rh = h + l;
	*rl = l - (*rh - h);
	if (negative) {
		*rh = -*rh;
		*rl = -*rl;
	}
	return n & 3;
}

/* x = n pi/2 + rh + rl with |rh + rl| <= ~pi/4; returns n mod 4 */
__MUSA_MATH int __musa_rem_pio2(double x, double *rh, double *rl)
{
	double ax = __builtin_fabs(x);
	int n;

	if (ax <= __MUSA_PIO4) {
		*rh = x;
		*rl = 0.0;
		return 0;
	}
	if (ax < 0x1p20) {
		double k = __musa_rint(x * __MUSA_2_OVER_PI);
		__musa_dd d = __musa_two_sum(x - k * __MUSA_PIO2_1, -(k * __MUSA_PIO2_2));
		double lo = d.lo - k * __MUSA_PIO2_3;
		double h = d.hi + lo;

		/* absolute error ~2^-99: enough unless the remainder is tiny */
		if (__builtin_fabs(h) > 0x1p-39) {
			*rh = h;
			*rl = (d.hi - h) + lo;
			return (int)((long long)k & 3);
		}
	}
	n = __musa_rem_pio2_large(ax, rh, rl);
	if (x < 0.0) {
		*rh = -*rh;
		*rl = -*rl;
		n = -n;
	}
	return n & 3;
}

/* ------------------------------------------------------------- sin, cos */

/* sin(x + y) for |x| <= ~pi/4, |y| tiny: Taylor terms to x^19 */
__MUSA_MATH double __musa_sin_kernel(double x, double y)
{
	double z = x * x, v = z * x;
	double p = -1.0 / 6 + z * (1.0 / 120 + z * (-1.0 / 5040 + z * (1.0 / 362880 +
		   z * (-1.0 / 39916800 + z * (1.0 / 6227020800.0 + z * (-1.0 / 1307674368000.0 +
		   z * (1.0 / 355687428096000.0 + z * (-1.0 / 121645100408832000.0))))))));

	return x + (v * p + y * (1.0 - 0.5 * z));
}

/* cos(x + y): 1 - x^2/2 split so that the leading subtraction is exact; to x^20 */
__MUSA_MATH double __musa_cos_kernel(double x, double y)
{
	double z = x * x, zl = __builtin_fma(x, x, -z), hz = 0.5 * z, w = 1.0 - hz;
	double q = z * z * (1.0 / 24 + z * (-1.0 / 720 + z * (1.0 / 40320 + z * (-1.0 / 3628800 +
		   z * (1.0 / 479001600 + z * (-1.0 / 87178291200.0 + z * (1.0 / 20922789888000.0 +
		   z * (-1.0 / 6402373705728000.0 + z * (1.0 / 2432902008176640000.0)))))))));

	return w + (((1.0 - w) - hz) + (q - 0.5 * zl - x * y));
}

__MUSA_MATH double __musa_sin(double x)
{
	double rh, rl;

	if (!__musa_isfinite(x))
		return x - x;
	if (__builtin_fabs(x) < 0x1p-26)
		return x;
	switch (__musa_rem_pio2(x, &rh, &rl)) {
	case 0:
		return __musa_sin_kernel(rh, rl);
	case 1:
		return __musa_cos_kernel(rh, rl);
	case 2:
		return -__musa_sin_kernel(rh, rl);
	default:
		return -__musa_cos_kernel(rh, rl);
	}
}

__MUSA_MATH double __musa_cos(double x)
{
	double rh, rl;

	if (!__musa_isfinite(x))
		return x - x;
	if (__builtin_fabs(x) < 0x1p-27)
		return 1.0;
	switch (__musa_rem_pio2(x, &rh, &rl)) {
	case 0:
		return __musa_cos_kernel(rh, rl);
	case 1:
		return -__musa_sin_kernel(rh, rl);
	case 2:
		return -__musa_cos_kernel(rh, rl);
	default:
		return __musa_sin_kernel(rh, rl);
	}
}

__MUSA_MATH double __musa_tan(double x)
{
	double rh, rl, s, c;

	if (!__musa_isfinite(x))
		return x - x;
	if (__builtin_fabs(x) < 0x1p-27)
		return x;
	if (__musa_rem_pio2(x, &rh, &rl) & 1) {
		s = __musa_cos_kernel(rh, rl);
		c = -__musa_sin_kernel(rh, rl);
	} else {
		s = __musa_sin_kernel(rh, rl);
		c = __musa_cos_kernel(rh, rl);
	}
	return s / c;
}

/* ------------------------------------------------------- expm1, log1p */

__MUSA_MATH double __musa_expm1(double x)
{
	double yh, yl;
	int n;
	__musa_dd s;

	if (__builtin_fabs(x) < 0.3466) {
		/* Taylor terms to x^17: 3e-25 relative */
		return x + x * x * (0.5 + x * (1.0 / 6 + x * (1.0 / 24 + x * (1.0 / 120 +
		       x * (1.0 / 720 + x * (1.0 / 5040 + x * (1.0 / 40320 + x * (1.0 / 362880 +
		       x * (1.0 / 3628800 + x * (1.0 / 39916800 + x * (1.0 / 479001600 +
		       x * (1.0 / 6227020800.0 + x * (1.0 / 87178291200.0 +
		       x * (1.0 / 1307674368000.0 + x * (1.0 / 20922789888000.0 +
		       x * (1.0 / 355687428096000.0))))))))))))))));
	}
	if (!(x < __MUSA_EXP_MAX))
		return x != x ? x : __builtin_inf();
	if (x < -38.0)
		return -1.0;
	/* 2^n (yh + yl) - 1, subtracting the 1 exactly */
	yh = __musa_exp_parts(x, 0.0, &yl, &n);
	s = __musa_two_sum(__musa_scale(yh, n), -1.0);
	return s.hi + (s.lo + __musa_scale(yl, n));
}

__MUSA_MATH double __musa_log1p(double x)
{
	__musa_dd u, l;

	if (!(x > -1.0) || __musa_isinf(x)) {
		if (x != x || x > 0.0)
			return x;
		return x == -1.0 ? -__builtin_inf() : __builtin_nan("");
	}
	if (__builtin_fabs(x) < 0x1p-54)
		return x;
	/* log(1 + x) = log(u) + log(1 + e/u) for the rounded u = 1 + x and its error e */
	u = __musa_two_sum(1.0, x);
	l = __musa_log_dd(u.hi);
	return l.hi + (l.lo + u.lo / u.hi);
}

/* ----------------------------------------------------------- hyperbolic */

/* e^a / 2 for large a, where e^a alone may overflow: e^(a - ln 2), subtracted exactly */
__MUSA_MATH double __musa_half_exp(double a)
{
	__musa_dd t;

	if (a < __MUSA_EXP_MAX)
		return 0.5 * __musa_exp(a);
	if (!(a < __MUSA_EXP_MAX + 1.0))
		return a != a ? a : __builtin_inf();
	t = __musa_two_sum(a, -__MUSA_LN2_HI);
	return __musa_exp_dd(t.hi, t.lo - __MUSA_LN2_LO);
}

__MUSA_MATH double __musa_sinh(double x)
{
	double a = __builtin_fabs(x), r, e;

	if (!(a < 22.0)) {
		r = __musa_half_exp(a);
	} else if (a < 0x1p-28) {
		return x;
	} else {
		e = __musa_expm1(a);
		r = 0.5 * (e + e / (e + 1.0));
	}
	return __builtin_copysign(r, x);
}

__MUSA_MATH double __musa_cosh(double x)
{
	double a = __builtin_fabs(x), e;

	if (!(a < 22.0))
		return __musa_half_exp(a);
	e = __musa_exp(a);
	return 0.5 * (e + 1.0 / e);
}

__MUSA_MATH double __musa_tanh(double x)
{
	double a = __builtin_fabs(x), e, q;
	__musa_dd d;

	if (a != a)
		return x;
	if (a >= 22.0)
		return __builtin_copysign(1.0, x);
	if (a < 0x1p-28)
		return x;
	/* e / (e + 2) for e = e^2a - 1, the division corrected for the rounding of e + 2 */
	e = __musa_expm1(2.0 * a);
	d = __musa_fast_two_sum(2.0, e);
	q = e / d.hi;
	q += (__builtin_fma(-q, d.hi, e) - q * d.lo) / d.hi;
	return __builtin_copysign(q, x);
}

/* ------------------------------------------------------ inverse trigonometry */

/* atan(x) for x >= 0 (or NaN): atan(1/x), then atan((x - 1) / (x + 1)) and a shift by
 * pi/8 leave |v| <= tan(pi/16) */
__MUSA_MATH double __musa_atan_positive(double x)
{
	const double tan_pi_8 = 0x1.a827999fcef32p-2;	/* sqrt(2) - 1 */
	double base = 0.0, z;
	int inverted = x > 1.0;

	if (inverted)
		x = 1.0 / x;
	if (x > tan_pi_8) {
		x = (x - 1.0) / (x + 1.0);
		base = __MUSA_PIO4;
	}
	if (x > 0x1.975f5e0553158p-3) {		/* tan(pi/16) */
		x = (x - tan_pi_8) / (1.0 + x * tan_pi_8);
		base += 0x1.921fb54442d18p-2;		/* pi/8 */
	} else if (x < -0x1.975f5e0553158p-3) {
		x = (x + tan_pi_8) / (1.0 - x * tan_pi_8);
		base -= 0x1.921fb54442d18p-2;
	}
	z = x * x;
	/* Taylor terms to x^25: 1e-37 on |x| <= 0.2 */
	x = base + (x - x * z * (1.0 / 3 - z * (1.0 / 5 - z * (1.0 / 7 - z * (1.0 / 9 -
	    z * (1.0 / 11 - z * (1.0 / 13 - z * (1.0 / 15 - z * (1.0 / 17 - z * (1.0 / 19 -
	    z * (1.0 / 21 - z * (1.0 / 23 - z * (1.0 / 25)))))))))))));
	return inverted ? __MUSA_PIO2_HI - x + __MUSA_PIO2_LO : x;
}

__MUSA_MATH double __musa_atan(double x)
{
	if (__builtin_fabs(x) < 0x1p-27)
		return x;
	return __builtin_copysign(__musa_atan_positive(__builtin_fabs(x)), x);
}

__MUSA_MATH double __musa_atan2(double y, double x)
{
	double ay = __builtin_fabs(y), ax = __builtin_fabs(x), a;

	if (x != x || y != y)
		return x + y;
	if (ay == 0.0 && ax == 0.0)
		a = 0.0;
	else if (__musa_isinf(ay) && __musa_isinf(ax))
		a = __MUSA_PIO4;
	else if (ax == 0.0 || __musa_isinf(ay))
		a = __MUSA_PIO2_HI;
	else
		a = __musa_atan_positive(ay / ax);
	if (__builtin_signbit(x))
		a = __MUSA_PI - a + 2 * __MUSA_PIO2_LO;
	return __builtin_copysign(a, y);
}

__MUSA_MATH double __musa_asin(double x)
{
	double a = __builtin_fabs(x);

	if (!(a <= 1.0))
		return x != x ? x : __builtin_nan("");
	if (a < 0x1p-27)
		return x;
	return __builtin_copysign(__musa_atan_positive(a / __builtin_sqrt((1.0 - a) * (1.0 + a))),
				  x);
}

__MUSA_MATH double __musa_acos(double x)
{
	if (!(__builtin_fabs(x) <= 1.0))
		return x != x ? x : __builtin_nan("");
	return 2.0 * __musa_atan_positive(__builtin_sqrt((1.0 - x) / (1.0 + x)));
}

/* ----------------------------------------------------------- hypot, cbrt */

__MUSA_MATH double __musa_hypot(double x, double y)
{
	double a = __builtin_fabs(x), b = __builtin_fabs(y), t, scale = 1.0;

	if (__musa_isinf(a) || __musa_isinf(b))
		return __builtin_inf();
	if (a != a || b != b)
		return a + b;
	if (a < b) {
		t = a;
		a = b;
		b = t;
	}
	if (a > 0x1p500) {
		a *= 0x1p-600;
		b *= 0x1p-600;
		scale = 0x1p600;
	} else if (a < 0x1p-500) {
		a *= 0x1p600;
		b *= 0x1p600;
		scale = 0x1p-600;
	}
	return __builtin_sqrt(__builtin_fma(a, a, b * b)) * scale;
}

/* Newton's method on y^3 = a, from the estimate that divides the exponent by 3 */
__MUSA_MATH double __musa_cbrt(double x)
{
	double a = __builtin_fabs(x), y;
	__musa_dd sq;
	int i, e = 0;

	if (a == 0.0 || !__musa_isfinite(x))
		return x + x;
	if (a < 0x1p-1000) {			/* keep the estimate's exponent arithmetic normal */
		a *= 0x1p150;
		e = -50;
	}
	y = __musa_bits_double(__musa_double_bits(a) / 3 + 0x2aa0000000000000ull);
	for (i = 0; i < 6; i++) {
		sq = __musa_two_prod(y, y);
		y -= (__builtin_fma(sq.hi, y, -a) + sq.lo * y) / (3.0 * sq.hi);
	}
	return __builtin_copysign(__musa_scale(y, e), x);
}

#endif /* MUSA_MATH_DOUBLE_H */
