// SPDX-License-Identifier: MIT
/*
 * musa_device_lib_test: the device headers (libmusa/device/include) on the device.
 * Warp shuffles of every kind and width, votes and active masks (also after
 * divergence), block barrier reductions and atomics of every type, checked against
 * CUDA's rules; the math library, half, bfloat16 and FP8 compared bit for bit with
 * the same header code built for this host (selftests/kernels/device_lib.h); and
 * the dynamic shared area, which extern __shared__ and __musa_dynamic_shared() must
 * both find after the static variables.
 *
 * Its kernels are selftests/kernels/device_lib.mu, embedded with
 * musa-cc --embed device_lib_image. Build with -ffp-contract=off and
 * -I libmusa/device/include -I uapi. Runs as root inside a musa-vm guest; TAP.
 */
/* The device headers first: glibc declares __expf and friends, which they define. */
#define __MUSA_MATH_PREFIXED_ONLY
#include "s5000.h"
#include "musa_math.h"
#include "musa_vector_types.h"
#include "musa_fp16.h"
#include "musa_bf16.h"
#include "musa_fp8.h"
#include "kernels/device_lib.h"

#include <math.h>
#include <stdio.h>

#include "musa_test.h"
#include "musa_rt_test.h"

extern const unsigned char device_lib_image[];

#define DL_SAMPLES 256

static MUfunction dl_kernel(const char *name)
{
	static MUmodule mod;
	MUfunction f = NULL;

	if (musaFree(NULL) || muInit(0))
		return NULL;
	if (!mod && muModuleLoadData(&mod, device_lib_image))
		return NULL;
	return muModuleGetFunction(&f, mod, name) ? NULL : f;
}

static void *dl_alloc(const void *host, size_t n)
{
	void *d = NULL;

	if (musaMalloc(&d, n) || musaMemcpy(d, host, n, musaMemcpyHostToDevice))
		return NULL;
	return d;
}

#define DL_LAUNCH(f, blocks, threads, shared, ...)				\
	musaLaunchKernel((const void *)(f), (dim3){ blocks, 1, 1 }, (dim3){ threads, 1, 1 }, \
			 (void *[]){ __VA_ARGS__ }, shared, 0)

/* Source lanes as PTX's shfl defines them, for segments of w lanes. */
static int dl_src(int kind, int lane, int w)
{
	int s;

	switch (kind) {
	case 0:
		return (lane & ~(w - 1)) | (((lane * 7) % 32) & (w - 1));
	case 1:
		return (lane & (w - 1)) >= 3 ? lane - 3 : lane;
	case 2:
		return (lane & (w - 1)) + 5 < w ? lane + 5 : lane;
	default:
		s = lane ^ (6 + (w == 16 ? 5 : w == 8 ? 10 : 0));
		return s > (lane | (w - 1)) ? lane : s;
	}
}

TEST(shuffles_follow_cuda_lane_rules)
{
	enum { N = 3 * DL_SHFL_KINDS * 32 };
	static int hi[N], zi[N];
	static float hf[N];
	static double hd[N];
	static unsigned long long hu[N];
	MUfunction f = dl_kernel("shuffles");
	void *di = dl_alloc(zi, sizeof(hi)), *df = dl_alloc(zi, sizeof(hf));
	void *dd = dl_alloc(hu, sizeof(hd)), *du = dl_alloc(hu, sizeof(hu));

	ASSERT_NE(NULL, f);
	MUSA_OK(DL_LAUNCH(f, 1, 32, 0, &di, &df, &dd, &du));
	MUSA_OK(musaMemcpy(hi, di, sizeof(hi), musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(hf, df, sizeof(hf), musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(hd, dd, sizeof(hd), musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(hu, du, sizeof(hu), musaMemcpyDeviceToHost));
	for (int w = 0; w < 3; w++)
		for (int kind = 0; kind < DL_SHFL_KINDS; kind++)
			for (int lane = 0; lane < 32; lane++) {
				int i = (w * DL_SHFL_KINDS + kind) * 32 + lane;
				int src = dl_src(kind, lane, 32 >> w);

				ASSERT_EQ(src * 10, hi[i]) TH_LOG("width %d kind %d lane %d", 32 >> w,
								   kind, lane);
				ASSERT_EQ(src * 0.5f, hf[i]);
				ASSERT_EQ(src * 0.25, hd[i]);
				ASSERT_EQ((unsigned long long)src << 40 | 7, hu[i]);
			}
}

TEST(votes_and_active_masks)
{
	static unsigned int h[DL_VOTE_ROWS * 32];
	MUfunction f = dl_kernel("votes");
	void *d = dl_alloc(h, sizeof(h));
	unsigned int thirds = 0;

	ASSERT_NE(NULL, f);
	MUSA_OK(DL_LAUNCH(f, 1, 32, 0, &d));
	MUSA_OK(musaMemcpy(h, d, sizeof(h), musaMemcpyDeviceToHost));
	for (int lane = 0; lane < 32; lane += 3)
		thirds |= 1u << lane;
	for (unsigned int lane = 0; lane < 32; lane++) {
		EXPECT_EQ(thirds, h[lane]);
		EXPECT_EQ(1u, h[32 + lane]);
		EXPECT_EQ(1u, h[64 + lane]);
		EXPECT_EQ(0u, h[96 + lane]);
		EXPECT_EQ(0xffffffffu, h[128 + lane]);
		if (lane < 10) {
			EXPECT_EQ(0x3ffu, h[160 + lane]) TH_LOG("active mask after divergence");
			EXPECT_EQ(0x2aau, h[192 + lane]) TH_LOG("ballot after divergence");
		}
		EXPECT_EQ(0xffff0000u, h[224 + lane]) TH_LOG("ballot under a mask");
		EXPECT_EQ(lane, h[256 + lane]);
	}
}

TEST(block_barrier_reductions)
{
	int h[5] = { -1, -1, -1, -1, -1 };
	MUfunction f = dl_kernel("barriers");
	void *d = dl_alloc(h, sizeof(h));

	ASSERT_NE(NULL, f);
	MUSA_OK(DL_LAUNCH(f, 1, 64, 0, &d));
	MUSA_OK(musaMemcpy(h, d, sizeof(h), musaMemcpyDeviceToHost));
	EXPECT_EQ(22, h[0]) TH_LOG("__syncthreads_count");
	EXPECT_EQ(1, h[1]) TH_LOG("__syncthreads_and, all true");
	EXPECT_EQ(0, h[2]) TH_LOG("__syncthreads_and, one false");
	EXPECT_EQ(1, h[3]) TH_LOG("__syncthreads_or, one true");
	EXPECT_EQ(0, h[4]) TH_LOG("__syncthreads_or, none true");
}

TEST(atomics_of_every_type)
{
	enum { BLOCKS = 4, THREADS = 256, N = BLOCKS * THREADS };
	int hi[5] = { 0, 0, -1, 1, 0 };
	unsigned int hu[5] = { 0, 0xffffffffu, 0, 0, 0 };
	unsigned long long hull = 0;
	long long hll[2] = { 1ll << 40, 0 };
	float hf[2] = { 0, 0 };
	double hd = 0;
	MUfunction f = dl_kernel("atomics");
	void *di = dl_alloc(hi, sizeof(hi)), *du = dl_alloc(hu, sizeof(hu));
	void *dull = dl_alloc(&hull, 8), *dll = dl_alloc(hll, sizeof(hll));
	void *df = dl_alloc(hf, sizeof(hf)), *dd = dl_alloc(&hd, 8);

	ASSERT_NE(NULL, f);
	MUSA_OK(DL_LAUNCH(f, BLOCKS, THREADS, 0, &di, &du, &dull, &dll, &df, &dd));
	MUSA_OK(musaMemcpy(hi, di, sizeof(hi), musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(hu, du, sizeof(hu), musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(&hull, dull, 8, musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(hll, dll, sizeof(hll), musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(hf, df, sizeof(hf), musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(&hd, dd, 8, musaMemcpyDeviceToHost));
	EXPECT_EQ(N, hi[0]) TH_LOG("atomicAdd");
	EXPECT_EQ(-2 * N, hi[1]) TH_LOG("atomicSub");
	EXPECT_EQ(N - 1, hi[2]) TH_LOG("atomicMax");
	EXPECT_EQ(-(N - 1), hi[3]) TH_LOG("atomicMin");
	EXPECT_EQ(2 * N, hi[4]) TH_LOG("atomicCAS loop");
	EXPECT_EQ(0xffffffffu, hu[0]) TH_LOG("atomicOr");
	EXPECT_EQ(0xffff0000u, hu[1]) TH_LOG("atomicAnd");
	EXPECT_EQ(0u, hu[2]) TH_LOG("atomicXor");
	EXPECT_EQ((unsigned int)(N % 100), hu[3]) TH_LOG("atomicInc wraps at its limit");
	EXPECT_EQ((unsigned int)((100 - N % 100) % 100), hu[4]) TH_LOG("atomicDec wraps to it");
	EXPECT_EQ(3ull * N, hull) TH_LOG("atomicAdd, unsigned long long");
	EXPECT_EQ(1ll << 40, hll[0]) TH_LOG("atomicMax, long long");
	EXPECT_EQ(-5ll * (N - 1), hll[1]) TH_LOG("atomicMin, long long");
	EXPECT_EQ((float)N, hf[0]) TH_LOG("atomicAdd, float");
	EXPECT_EQ(7.0f, hf[1]) TH_LOG("atomicExch, float");
	EXPECT_EQ(0.5 * N, hd) TH_LOG("atomicAdd, double");
}

/* Equal bits, except that any NaN matches any NaN and zeros match whatever their sign. */
static int dl_same_float(float a, float b)
{
	return (a != a && b != b) || (a == 0 && b == 0) || !memcmp(&a, &b, sizeof(a));
}

static int dl_same_double(double a, double b)
{
	return (a != a && b != b) || (a == 0 && b == 0) || !memcmp(&a, &b, sizeof(a));
}

TEST(math_library_matches_the_host_bit_for_bit)
{
	static float in[DL_SAMPLES], out[DL_SAMPLES * DL_MATH_FUNCS];
	static double din[DL_SAMPLES], dout[DL_SAMPLES * DL_MATH_FUNCS];
	MUfunction f = dl_kernel("math");
	void *d_in, *d_out, *d_din, *d_dout;
	int n = DL_SAMPLES;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < DL_SAMPLES; i++) {
		double r = (double)((i * 2654435761u) % 100000) / 100000.0;

		/* both signs, small and large magnitudes, huge trigonometric arguments */
		in[i] = i < 64 ? (float)(2 * r - 1) : i < 128 ? (float)(20 * r - 10) :
			i < 192 ? (float)exp(80 * r - 40) : (float)-exp(60 * r - 30);
		din[i] = i < 64 ? 2 * r - 1 : i < 128 ? 40 * r - 20 :
			 i < 192 ? exp(1000 * r - 500) : -exp(200 * r - 100);
	}
	d_in = dl_alloc(in, sizeof(in));
	d_din = dl_alloc(din, sizeof(din));
	d_out = dl_alloc(out, sizeof(out));
	d_dout = dl_alloc(dout, sizeof(dout));
	MUSA_OK(DL_LAUNCH(f, DL_SAMPLES / 64, 64, 0, &d_in, &d_out, &d_din, &d_dout, &n));
	MUSA_OK(musaMemcpy(out, d_out, sizeof(out), musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(dout, d_dout, sizeof(dout), musaMemcpyDeviceToHost));
	for (int i = 0; i < DL_SAMPLES; i++) {
		float o[DL_MATH_FUNCS];
		double p[DL_MATH_FUNCS];

		dl_math_float(in[i], o);
		dl_math_double(din[i], p);
		for (int k = 0; k < DL_MATH_FUNCS; k++) {
			ASSERT_TRUE(dl_same_float(o[k], out[i * DL_MATH_FUNCS + k]))
				TH_LOG("float function %d of %a: device %a, host %a", k, in[i],
				       out[i * DL_MATH_FUNCS + k], o[k]);
			ASSERT_TRUE(dl_same_double(p[k], dout[i * DL_MATH_FUNCS + k]))
				TH_LOG("double function %d of %a: device %a, host %a", k, din[i],
				       dout[i * DL_MATH_FUNCS + k], p[k]);
		}
	}
}

TEST(half_bfloat16_fp8_match_the_host)
{
	static float in[DL_SAMPLES];
	static unsigned short h[DL_SAMPLES * DL_HALF_RESULTS];
	static unsigned char q[DL_SAMPLES * DL_FP8_RESULTS];
	MUfunction f = dl_kernel("numbers");
	void *d_in, *dh, *dq;
	int n = DL_SAMPLES;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < DL_SAMPLES; i++)
		in[i] = (float)(((i * 2654435761u) % 100000) / 100.0 - 500.0) *
			(i % 7 ? 1.0f : 1e-3f) * (i % 11 ? 1.0f : 1e3f);
	d_in = dl_alloc(in, sizeof(in));
	dh = dl_alloc(h, sizeof(h));
	dq = dl_alloc(q, sizeof(q));
	MUSA_OK(DL_LAUNCH(f, DL_SAMPLES / 64, 64, 0, &d_in, &dh, &dq, &n));
	MUSA_OK(musaMemcpy(h, dh, sizeof(h), musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(q, dq, sizeof(q), musaMemcpyDeviceToHost));
	for (int i = 0; i < DL_SAMPLES; i++) {
		unsigned short wh[DL_HALF_RESULTS];
		unsigned char wq[DL_FP8_RESULTS];

		dl_numbers(in[i], in[(i + 1) % DL_SAMPLES], wh, wq);
		for (int k = 0; k < DL_HALF_RESULTS; k++) {
			ASSERT_EQ(wh[k], h[i * DL_HALF_RESULTS + k]) TH_LOG("result %d of %g", k, in[i]);
		}
		for (int k = 0; k < DL_FP8_RESULTS; k++) {
			ASSERT_EQ(wq[k], q[i * DL_FP8_RESULTS + k]) TH_LOG("FP8 %d of %g", k, in[i]);
		}
	}
}

TEST(dynamic_shared_memory_follows_the_static)
{
	enum { T = 64 };
	static unsigned long long h[T + 5];
	MUfunction f = dl_kernel("dynamic");
	void *d = dl_alloc(h, sizeof(h));

	ASSERT_NE(NULL, f);
	MUSA_OK(DL_LAUNCH(f, 1, T, 1000, &d));
	MUSA_OK(musaMemcpy(h, d, sizeof(h), musaMemcpyDeviceToHost));
	for (int t = 0; t < T; t++) {
		ASSERT_EQ((unsigned long long)((t + 1) % T) + 2, h[t]) TH_LOG("thread %d", t);
	}
	EXPECT_EQ(h[T], h[T + 1]) TH_LOG("extern __shared__ %llx, __musa_dynamic_shared() %llx",
					  h[T], h[T + 1]);
	/* after int[37] and double[3]: 148 bytes, 4 of padding, 24, rounded to 16 */
	EXPECT_EQ(S5000_SHARED_BASE + 176, h[T]);
	EXPECT_EQ(1000ull, h[T + 2]);
	EXPECT_LT(h[T + 3], h[T + 4]) TH_LOG("clock64 counts");
}

TEST_HARNESS_MAIN
