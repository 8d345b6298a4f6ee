// SPDX-License-Identifier: MIT
/*
 * musa_kernel_test: kernels running on the device. The patterns CUDA programs are
 * built from (element-wise work, shared-memory and warp-shuffle reductions, atomics
 * under contention, tiled matrix multiply, transpose, scan, dynamic shared memory,
 * templates, a kernel written in C), each checked exactly against the host; kernels
 * that fail on purpose (out-of-bounds and NULL accesses, an illegal instruction, an
 * endless loop under a short MUSA_KERNEL_TIMEOUT_MS, an assert, a misaligned store,
 * shared memory out of bounds, a barrier deadlock), each giving CUDA's sticky error
 * with the kernel, address and pc in the detail, and a fresh process afterwards
 * running normally; and the FP8, FP16 and BF16 conversions of device code against
 * the reference vectors (../shared/reference/fp8-conversion-vectors.txt, or the file
 * $S5000_REFERENCE_VECTORS names) and the exhaustive FP8 decode tables.
 *
 * The kernels are in selftests/kernels/, embedded by musa-cc --embed.
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <sys/wait.h>

#include "musa_test.h"
#include "musa_rt_test.h"

extern const unsigned char kernels_image[], c_kernels_image[], faults_image[], fp8_image[];

#define CHILD_ENV "MUSA_KERNEL_TEST_CHILD"
#define MUSA_DETAIL_MAX 600

static uint32_t kt_seed = 12345;

static uint32_t kt_rand(void)
{
	kt_seed = kt_seed * 1664525u + 1013904223u;
	return kt_seed >> 8;
}

/* The kernel @name of @image, loaded into the current device's context. */
static MUfunction kt_kernel(const unsigned char *image, const char *name)
{
	static const unsigned char *loaded_image;
	static MUmodule mod;
	MUfunction f = NULL;

	if (musaFree(NULL) || muInit(0))
		return NULL;
	if (image != loaded_image) {
		if (muModuleLoadData(&mod, image))
			return NULL;
		loaded_image = image;
	}
	return muModuleGetFunction(&f, mod, name) ? NULL : f;
}

/* Device memory holding a copy of @n bytes at @host. */
static void *kt_upload(const void *host, size_t n)
{
	void *d = NULL;

	if (musaMalloc(&d, n) || musaMemcpy(d, host, n, musaMemcpyHostToDevice))
		return NULL;
	return d;
}

#define KT_LAUNCH(f, grid, block, shared, ...)					\
	musaLaunchKernel((const void *)(f), grid, block, (void *[]){ __VA_ARGS__ },	\
			 shared, 0)

static dim3 d3(unsigned int x, unsigned int y, unsigned int z)
{
	return (dim3){ x, y, z };
}

/* ----------------------------------------------------- a fresh process */

/* Adds two vectors on the device and checks them: 0 if all is well. */
static int kt_vector_add_works(void)
{
	enum { N = 5000 };
	static float a[N], b[N], c[N];
	MUfunction f = kt_kernel(kernels_image, "vector_add");
	float *da, *db, *dc;
	int n = N;

	for (int i = 0; i < N; i++) {
		a[i] = (float)i;
		b[i] = (float)(2 * i);
	}
	da = kt_upload(a, sizeof(a));
	db = kt_upload(b, sizeof(b));
	dc = kt_upload(c, sizeof(c));
	if (!f || !da || !db || !dc ||
	    KT_LAUNCH(f, d3((N + 255) / 256, 1, 1), d3(256, 1, 1), 0, &da, &db, &dc, &n) ||
	    musaMemcpy(c, dc, sizeof(c), musaMemcpyDeviceToHost))
		return 1;
	for (int i = 0; i < N; i++)
		if (c[i] != 3.0f * i)
			return 1;
	return 0;
}

/* Run as the child of kt_fresh_process(): only the vector add, before main. */
__attribute__((constructor)) static void kt_child(void)
{
	if (getenv(CHILD_ENV))
		_exit(kt_vector_add_works());
}

/* A new process (fork and exec of this program) uses the device normally. */
static int kt_fresh_process(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int status;
	pid_t pid;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	pid = fork();
	if (!pid) {
		setenv(CHILD_ENV, "1", 1);
		execl(self, self, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ------------------------------------------------------------- patterns */

TEST(vector_add)
{
	EXPECT_EQ(0, kt_vector_add_works()) TH_LOG("%s", musaGetLastErrorDetail());
}

TEST(vector_add_ragged)
{
	enum { N = 100003 };
	MUfunction f = kt_kernel(kernels_image, "vector_add");
	float *a = malloc(N * 4), *b = malloc(N * 4), *c = malloc(N * 4), *da, *db, *dc;
	int n = N - 3;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < N; i++) {
		a[i] = (float)(kt_rand() % 100000) / 7;
		b[i] = (float)(kt_rand() % 100000) / 3;
		c[i] = -1;
	}
	da = kt_upload(a, N * 4);
	db = kt_upload(b, N * 4);
	dc = kt_upload(c, N * 4);
	MUSA_OK(KT_LAUNCH(f, d3((N + 127) / 128, 1, 1), d3(128, 1, 1), 0, &da, &db, &dc, &n));
	MUSA_OK(musaMemcpy(c, dc, N * 4, musaMemcpyDeviceToHost));
	for (int i = 0; i < N; i++) {
		float want = i < n ? a[i] + b[i] : -1;

		ASSERT_EQ(want, c[i]) TH_LOG("element %d", i);
	}
	free(a);
	free(b);
	free(c);
}

TEST(reduce_with_shared_memory_and_barriers)
{
	enum { N = 1 << 16, THREADS = 256, BLOCKS = N / THREADS };
	MUfunction f = kt_kernel(kernels_image, "reduce_shared");
	static int in[N];
	long long part[BLOCKS], want[BLOCKS] = { 0 }, *dout;
	int *din, n = N - 100;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < N; i++) {
		in[i] = (int)(kt_rand() % 2001) - 1000;
		if (i < n)
			want[i / THREADS] += in[i];
	}
	din = kt_upload(in, sizeof(in));
	MUSA_OK(musaMalloc((void **)&dout, sizeof(part)));
	MUSA_OK(KT_LAUNCH(f, d3(BLOCKS, 1, 1), d3(THREADS, 1, 1), 0, &din, &dout, &n));
	MUSA_OK(musaMemcpy(part, dout, sizeof(part), musaMemcpyDeviceToHost));
	for (int b = 0; b < BLOCKS; b++) {
		ASSERT_EQ(want[b], part[b]) TH_LOG("block %d", b);
	}
}

TEST(reduce_with_warp_shuffles)
{
	enum { N = 50000 };
	MUfunction f = kt_kernel(kernels_image, "reduce_warp");
	static int in[N];
	int *din, *dtotal, total = 0, want = 0, n = N;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < N; i++) {
		in[i] = (int)(kt_rand() % 1000);
		want += in[i];
	}
	din = kt_upload(in, sizeof(in));
	dtotal = kt_upload(&total, 4);
	MUSA_OK(KT_LAUNCH(f, d3((N + 255) / 256, 1, 1), d3(256, 1, 1), 0, &din, &dtotal, &n));
	MUSA_OK(musaMemcpy(&total, dtotal, 4, musaMemcpyDeviceToHost));
	EXPECT_EQ(want, total);
}

TEST(atomics_under_contention)
{
	MUfunction f = kt_kernel(kernels_image, "atomic_contend");
	struct { int count; float fsum; unsigned int max; } z = { 0, 0, 0 }, got;
	int iters = 16, *count;
	float *fsum;
	unsigned int *max;
	char *d;

	ASSERT_NE(NULL, f);
	d = kt_upload(&z, sizeof(z));
	count = (int *)d;
	fsum = (float *)(d + 4);
	max = (unsigned int *)(d + 8);
	MUSA_OK(KT_LAUNCH(f, d3(8, 1, 1), d3(256, 1, 1), 0, &count, &fsum, &max, &iters));
	MUSA_OK(musaMemcpy(&got, d, sizeof(got), musaMemcpyDeviceToHost));
	EXPECT_EQ(8 * 256 * 16, got.count);
	EXPECT_EQ(0.5f * 8 * 256 * 16, got.fsum) TH_LOG("halves add exactly");
	EXPECT_EQ(8 * 256 - 1, got.max);
}

TEST(tiled_matrix_multiply)
{
	enum { M = 70, N = 50, K = 37 };
	MUfunction f = kt_kernel(kernels_image, "matmul_tiled");
	static float a[M * K], b[K * N], c[M * N];
	float *da, *db, *dc;
	int m = M, n = N, k = K;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < M * K; i++)
		a[i] = (float)((int)(kt_rand() % 17) - 8);
	for (int i = 0; i < K * N; i++)
		b[i] = (float)((int)(kt_rand() % 13) - 6);
	da = kt_upload(a, sizeof(a));
	db = kt_upload(b, sizeof(b));
	dc = kt_upload(c, sizeof(c));
	MUSA_OK(KT_LAUNCH(f, d3((N + 15) / 16, (M + 15) / 16, 1), d3(16, 16, 1), 0, &da, &db, &dc,
			  &m, &n, &k));
	MUSA_OK(musaMemcpy(c, dc, sizeof(c), musaMemcpyDeviceToHost));
	/* Small integers: every sum is exact whatever the order. */
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			float want = 0;

			for (int x = 0; x < K; x++)
				want += a[i * K + x] * b[x * N + j];
			ASSERT_EQ(want, c[i * N + j]) TH_LOG("C[%d][%d]", i, j);
		}
}

TEST(transpose)
{
	enum { R = 67, C = 45 };
	MUfunction f = kt_kernel(kernels_image, "transpose");
	static float in[R * C], out[R * C];
	float *din, *dout;
	int rows = R, cols = C;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < R * C; i++)
		in[i] = (float)i;
	din = kt_upload(in, sizeof(in));
	dout = kt_upload(out, sizeof(out));
	MUSA_OK(KT_LAUNCH(f, d3((C + 31) / 32, (R + 31) / 32, 1), d3(32, 32, 1), 0, &din, &dout,
			  &rows, &cols));
	MUSA_OK(musaMemcpy(out, dout, sizeof(out), musaMemcpyDeviceToHost));
	for (int y = 0; y < R; y++)
		for (int x = 0; x < C; x++) {
			ASSERT_EQ(in[y * C + x], out[x * R + y]) TH_LOG("(%d, %d)", y, x);
		}
}

TEST(block_scan)
{
	enum { N = 1000, T = 256 };
	MUfunction f = kt_kernel(kernels_image, "scan_block");
	int in[N], out[N], *din, *dout, n = N, run = 0;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < N; i++)
		in[i] = (int)(kt_rand() % 100) - 50;
	din = kt_upload(in, sizeof(in));
	dout = kt_upload(in, sizeof(in));
	MUSA_OK(KT_LAUNCH(f, d3((N + T - 1) / T, 1, 1), d3(T, 1, 1), 0, &din, &dout, &n));
	MUSA_OK(musaMemcpy(out, dout, sizeof(out), musaMemcpyDeviceToHost));
	for (int i = 0; i < N; i++) {
		run = i % T ? run + in[i] : in[i];
		ASSERT_EQ(run, out[i]) TH_LOG("element %d", i);
	}
}

TEST(dynamic_shared_memory)
{
	enum { T = 128, B = 5 };
	MUfunction rev = kt_kernel(kernels_image, "reverse_dynamic");
	MUfunction size = kt_kernel(kernels_image, "dynamic_size");
	float data[T * B], *d;
	unsigned int seen[2], *dseen;

	ASSERT_NE(NULL, rev);
	ASSERT_NE(NULL, size);
	for (int i = 0; i < T * B; i++)
		data[i] = (float)i;
	d = kt_upload(data, sizeof(data));
	MUSA_OK(KT_LAUNCH(rev, d3(B, 1, 1), d3(T, 1, 1), T * sizeof(float), &d));
	MUSA_OK(musaMemcpy(data, d, sizeof(data), musaMemcpyDeviceToHost));
	for (int b = 0; b < B; b++)
		for (int t = 0; t < T; t++)
			ASSERT_EQ((float)(b * T + T - 1 - t), data[b * T + t]);
	dseen = kt_upload(seen, sizeof(seen));
	MUSA_OK(KT_LAUNCH(size, d3(1, 1, 1), d3(32, 1, 1), 1000, &dseen));
	MUSA_OK(musaMemcpy(seen, dseen, sizeof(seen), musaMemcpyDeviceToHost));
	EXPECT_EQ(1000, seen[0]);
	EXPECT_EQ(250, seen[1]);
}

TEST(templates_by_mangled_name)
{
	MUfunction ff = kt_kernel(kernels_image, "_Z4axpyIfEvT_PKS0_PS0_i");
	MUfunction fd = kt_kernel(kernels_image, "_Z4axpyIdEvT_PKS0_PS0_i");
	MUfunction fi = kt_kernel(kernels_image, "_Z4axpyIiEvT_PKS0_PS0_i");
	float xf[64], yf[64], af = 0.5f, *dxf, *dyf;
	double xd[64], yd[64], ad = -2, *dxd, *dyd;
	int xi[64], yi[64], ai = 3, *dxi, *dyi, n = 64;

	ASSERT_NE(NULL, ff);
	ASSERT_NE(NULL, fd);
	ASSERT_NE(NULL, fi);
	for (int i = 0; i < 64; i++) {
		xf[i] = yf[i] = (float)i;
		xd[i] = yd[i] = i;
		xi[i] = yi[i] = i;
	}
	dxf = kt_upload(xf, sizeof(xf));
	dyf = kt_upload(yf, sizeof(yf));
	dxd = kt_upload(xd, sizeof(xd));
	dyd = kt_upload(yd, sizeof(yd));
	dxi = kt_upload(xi, sizeof(xi));
	dyi = kt_upload(yi, sizeof(yi));
	MUSA_OK(KT_LAUNCH(ff, d3(1, 1, 1), d3(64, 1, 1), 0, &af, &dxf, &dyf, &n));
	MUSA_OK(KT_LAUNCH(fd, d3(1, 1, 1), d3(64, 1, 1), 0, &ad, &dxd, &dyd, &n));
	MUSA_OK(KT_LAUNCH(fi, d3(1, 1, 1), d3(64, 1, 1), 0, &ai, &dxi, &dyi, &n));
	MUSA_OK(musaMemcpy(yf, dyf, sizeof(yf), musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(yd, dyd, sizeof(yd), musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(yi, dyi, sizeof(yi), musaMemcpyDeviceToHost));
	for (int i = 0; i < 64; i++) {
		EXPECT_EQ(1.5f * i, yf[i]);
		EXPECT_EQ(-1.0 * i, yd[i]);
		EXPECT_EQ(4 * i, yi[i]);
	}
}

TEST(kernel_written_in_c)
{
	MUfunction f = kt_kernel(c_kernels_image, "c_saxpy");
	float x[100], y[100], a = 2, *dx, *dy;
	int n = 100;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < 100; i++) {
		x[i] = (float)i;
		y[i] = 1;
	}
	dx = kt_upload(x, sizeof(x));
	dy = kt_upload(y, sizeof(y));
	MUSA_OK(KT_LAUNCH(f, d3(4, 1, 1), d3(32, 1, 1), 0, &a, &dx, &dy, &n));
	MUSA_OK(musaMemcpy(y, dy, sizeof(y), musaMemcpyDeviceToHost));
	for (int i = 0; i < 100; i++)
		EXPECT_EQ(2.0f * i + 1, y[i]);
}

TEST(arguments_of_every_size)
{
	MUfunction f = kt_kernel(kernels_image, "echo_args");
	struct { char c; double d; } p = { 99, 0.25 };
	char c = 100;
	short s = -12345;
	int i = -2000000000;
	long long l = 0x123456789abcll, out[8], *dout;
	float fl = 1.5f;
	double d = -3.75;

	ASSERT_NE(NULL, f);
	MUSA_OK(musaMalloc((void **)&dout, sizeof(out)));
	MUSA_OK(KT_LAUNCH(f, d3(1, 1, 1), d3(1, 1, 1), 0, &c, &s, &i, &l, &fl, &d, &p, &dout));
	MUSA_OK(musaMemcpy(out, dout, sizeof(out), musaMemcpyDeviceToHost));
	EXPECT_EQ(100, out[0]);
	EXPECT_EQ(-12345, out[1]);
	EXPECT_EQ(-2000000000, out[2]);
	EXPECT_EQ(0x123456789abcll, out[3]);
	EXPECT_EQ(1500, out[4]);
	EXPECT_EQ(-3750, out[5]);
	EXPECT_EQ(99, out[6]);
	EXPECT_EQ(250, out[7]);
}

TEST(three_dimensional_grid)
{
	enum { GX = 2, GY = 3, GZ = 2, BX = 4, BY = 2, BZ = 3 };
	enum { N = GX * GY * GZ * BX * BY * BZ };
	MUfunction f = kt_kernel(kernels_image, "coords");
	unsigned int out[N], *d;
	int id = 0;

	ASSERT_NE(NULL, f);
	MUSA_OK(musaMalloc((void **)&d, sizeof(out)));
	MUSA_OK(KT_LAUNCH(f, d3(GX, GY, GZ), d3(BX, BY, BZ), 0, &d));
	MUSA_OK(musaMemcpy(out, d, sizeof(out), musaMemcpyDeviceToHost));
	for (int gz = 0; gz < GZ; gz++)
		for (int gy = 0; gy < GY; gy++)
			for (int gx = 0; gx < GX; gx++)
				for (int z = 0; z < BZ; z++)
					for (int y = 0; y < BY; y++)
						for (int x = 0; x < BX; x++, id++)
							ASSERT_EQ((unsigned int)(x | y << 8 | z << 16 |
										 gz << 24), out[id]);
}

/* Launches in two streams and the legacy stream, ordered as streams order them. */
TEST(launches_in_streams)
{
	enum { N = 4096 };
	MUfunction f = kt_kernel(kernels_image, "vector_add");
	static float a[N], out[N];
	float *da, *db, *dc;
	musaStream_t s;
	int n = N;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < N; i++)
		a[i] = (float)i;
	da = kt_upload(a, sizeof(a));
	db = kt_upload(a, sizeof(a));
	dc = kt_upload(a, sizeof(a));
	MUSA_OK(musaStreamCreateWithFlags(&s, musaStreamNonBlocking));
	/* c = a + a; then in s: b = c + c; then on stream 0, after s: c = b + a. */
	MUSA_OK(KT_LAUNCH(f, d3(N / 256, 1, 1), d3(256, 1, 1), 0, &da, &da, &dc, &n));
	MUSA_OK(musaStreamSynchronize(0));
	MUSA_OK(musaLaunchKernel((const void *)f, d3(N / 256, 1, 1), d3(256, 1, 1),
				 (void *[]){ &dc, &dc, &db, &n }, 0, s));
	MUSA_OK(musaStreamSynchronize(s));
	MUSA_OK(KT_LAUNCH(f, d3(N / 256, 1, 1), d3(256, 1, 1), 0, &db, &da, &dc, &n));
	MUSA_OK(musaMemcpy(out, dc, sizeof(out), musaMemcpyDeviceToHost));
	for (int i = 0; i < N; i++)
		ASSERT_EQ(5.0f * i, out[i]);
	MUSA_OK(musaStreamDestroy(s));
}

/* ---------------------------------------------------------------- faults */

struct fault_case {
	const char *kernel;
	unsigned int threads, shared;
	musaError_t rt;
	MUresult drv;
	const char *words;		/* in the detail, after "faulted: " */
};

/*
 * Runs a kernel that fails as @c says: the error is sticky (every later call that
 * needs the context returns it, in both APIs), the detail names the kernel, what
 * it did and its pc, and a new process works.
 */
static void kt_expect_fault(struct __test_metadata *_metadata, const struct fault_case *c,
			    void **args)
{
	MUfunction f = kt_kernel(faults_image, c->kernel);
	char want[128], detail[MUSA_DETAIL_MAX];
	void *p;

	ASSERT_NE(NULL, f);
	MUSA_OK(musaLaunchKernel((const void *)f, d3(1, 1, 1), d3(c->threads, 1, 1), args,
				 c->shared, 0));
	MUSA_FAILS(c->rt, musaDeviceSynchronize());
	snprintf(detail, sizeof(detail), "%s", musaGetLastErrorDetail());
	snprintf(want, sizeof(want), "kernel %s faulted: %s", c->kernel, c->words);
	EXPECT_NE(NULL, strstr(detail, want)) TH_LOG("want \"%s\" in: %s", want, detail);
	EXPECT_NE(NULL, strstr(detail, "(pc 0x")) TH_LOG("%s", detail);
	MUSA_FAILS(c->rt, musaMalloc(&p, 64));
	MUSA_FAILS(c->rt, musaStreamSynchronize(0));
	EXPECT_EQ(c->rt, musaGetLastError());
	EXPECT_EQ(c->rt, musaGetLastError());
	EXPECT_EQ(c->drv, muCtxSynchronize());
	EXPECT_EQ(0, kt_fresh_process()) TH_LOG("a new process must run kernels again");
}

static int *kt_buffer(void)
{
	int *d = NULL;

	return musaMalloc((void **)&d, 4096) ? NULL : d;
}

TEST(fault_out_of_bounds_read)
{
	const struct fault_case c = { "fault_read", 32, 0, musaErrorIllegalAddress,
				      MUSA_ERROR_ILLEGAL_ADDRESS, "read at GPU VA 0x" };
	int *p = kt_buffer(), *out = kt_buffer();
	long long off = 1ll << 28;	/* 1 GiB past the buffer */
	char want[64];

	ASSERT_NE(NULL, p);
	kt_expect_fault(_metadata, &c, (void *[]){ &p, &off, &out });
	snprintf(want, sizeof(want), "0x%llx not mapped", (unsigned long long)(uintptr_t)(p + off));
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), want)) TH_LOG("%s",
								       musaGetLastErrorDetail());
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "fault_read+0x"));
}

TEST(fault_out_of_bounds_write)
{
	const struct fault_case c = { "fault_write", 32, 0, musaErrorIllegalAddress,
				      MUSA_ERROR_ILLEGAL_ADDRESS, "write at GPU VA 0x" };
	int *p = kt_buffer();
	long long off = -(1ll << 20);

	ASSERT_NE(NULL, p);
	kt_expect_fault(_metadata, &c, (void *[]){ &p, &off });
}

TEST(fault_null_pointer)
{
	const struct fault_case c = { "fault_read", 32, 0, musaErrorIllegalAddress,
				      MUSA_ERROR_ILLEGAL_ADDRESS, "read at GPU VA 0x0 not mapped" };
	int *p = NULL, *out = kt_buffer();
	long long off = 0;

	kt_expect_fault(_metadata, &c, (void *[]){ &p, &off, &out });
}

TEST(fault_illegal_instruction)
{
	const struct fault_case c = { "fault_illegal", 64, 0, musaErrorIllegalInstruction,
				      MUSA_ERROR_ILLEGAL_INSTRUCTION, "illegal instruction" };
	int *out = kt_buffer();

	kt_expect_fault(_metadata, &c, (void *[]){ &out });
}

TEST(fault_endless_loop_times_out)
{
	const struct fault_case c = { "fault_spin", 32, 0, musaErrorLaunchTimeout,
				      MUSA_ERROR_LAUNCH_TIMEOUT, "ran longer than its 300 ms" };
	uint64_t start;
	int *flag;

	/* Read at initialisation: before the first call. */
	setenv("MUSA_KERNEL_TIMEOUT_MS", "300", 1);
	flag = kt_buffer();
	ASSERT_NE(NULL, flag);
	MUSA_OK(musaMemset(flag, 0, 4));
	start = rt_now_ms();
	kt_expect_fault(_metadata, &c, (void *[]){ &flag });
	EXPECT_GT(4000, rt_now_ms() - start) TH_LOG("stopped by the launch's timeout, not the "
						     "device's 5 s");
}

TEST(fault_assert)
{
	const struct fault_case c = { "fault_assert", 32, 0, musaErrorAssert, MUSA_ERROR_ASSERT,
				      "device-side assert (trap code " };
	int value = 41;

	kt_expect_fault(_metadata, &c, (void *[]){ &value });
}

TEST(fault_misaligned_store)
{
	const struct fault_case c = { "fault_misaligned", 32, 0, musaErrorMisalignedAddress,
				      MUSA_ERROR_MISALIGNED_ADDRESS, "misaligned write at GPU VA 0x" };
	int *p = kt_buffer();

	kt_expect_fault(_metadata, &c, (void *[]){ &p });
}

TEST(fault_shared_memory_out_of_bounds)
{
	const struct fault_case c = { "fault_shared", 32, 256, musaErrorLaunchFailure,
				      MUSA_ERROR_LAUNCH_FAILED, "shared memory write at offset" };
	unsigned int bytes = 256;

	kt_expect_fault(_metadata, &c, (void *[]){ &bytes });
}

TEST(fault_barrier_deadlock)
{
	const struct fault_case c = { "fault_barrier", 64, 0, musaErrorLaunchFailure,
				      MUSA_ERROR_LAUNCH_FAILED, "barrier deadlock" };
	int *out = kt_buffer();

	kt_expect_fault(_metadata, &c, (void *[]){ &out });
}

/* ------------------------------------------------------------ conversions */

/*
 * The reference vectors: $S5000_REFERENCE_VECTORS, else shared/reference/ beside the
 * repository, found above the working directory or above this program.
 */
static FILE *kt_vectors(char *path, size_t len)
{
	static const char file[] = "fp8-conversion-vectors.txt";
	const char *given = getenv("S5000_REFERENCE_VECTORS");
	char self[PATH_MAX], dir[PATH_MAX], probe[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (given) {
		snprintf(path, len, "%s", given);
		return fopen(path, "r");
	}
	self[n > 0 ? n : 0] = '\0';
	for (int start = 0; start < 2; start++) {
		snprintf(dir, sizeof(dir), "%s", start ? dirname(self) : ".");
		/* Up to the repository root: the folder with uapi/s5000.h. */
		for (int up = 0; up < 6; up++) {
			snprintf(probe, sizeof(probe), "%s/uapi/s5000.h", dir);
			if (!access(probe, R_OK)) {
				snprintf(path, len, "%s/../shared/reference/%s", dir, file);
				return fopen(path, "r");
			}
			strncat(dir, "/..", sizeof(dir) - strlen(dir) - 1);
		}
	}
	snprintf(path, len, "../shared/reference/%s", file);
	return NULL;
}

struct kt_vector {
	uint32_t bits;
	unsigned int want[6];		/* e4m3 sat, nosat, e5m2 sat, nosat, bf16, fp16 */
	bool fp8;			/* the row has FP8 columns */
};

struct kt_tables {
	struct kt_vector rows[256];
	int nrows;
	char decode[2][128][24];	/* E4M3, E5M2: the printed value of codes 0..127 */
};

static void kt_parse_table_line(struct kt_tables *t, int which, char *line)
{
	unsigned int code;
	char value[24];
	int used;

	while (sscanf(line, " %x:%23s%n", &code, value, &used) == 2) {
		if (code < 128)
			snprintf(t->decode[which][code], sizeof(t->decode[which][code]), "%s",
				 value);
		line += used;
	}
}

static int kt_read_vectors(struct kt_tables *t, char *path, size_t len)
{
	FILE *f = kt_vectors(path, len);
	char line[512], name[64];
	int table = -1;

	if (!f)
		return -1;
	memset(t, 0, sizeof(*t));
	while (fgets(line, sizeof(line), f) && t->nrows < 256) {
		struct kt_vector *v = &t->rows[t->nrows];

		if (!strncmp(line, "E4M3 table", 10) || !strncmp(line, "E5M2 table", 10)) {
			table = line[1] == '4' ? 0 : 1;
			continue;
		}
		if (table >= 0) {
			kt_parse_table_line(t, table, line);
			continue;
		}
		if (sscanf(line, "%63s 0x%x | 0x%x 0x%x | 0x%x 0x%x | 0x%x 0x%x", name, &v->bits,
			   &v->want[0], &v->want[1], &v->want[2], &v->want[3], &v->want[4],
			   &v->want[5]) == 8) {
			v->fp8 = true;
			t->nrows++;
		} else if (sscanf(line, "%63s 0x%x bf16 0x%x fp16 0x%x", name, &v->bits,
				  &v->want[4], &v->want[5]) == 4) {
			t->nrows++;
		}
	}
	fclose(f);
	return t->nrows ? 0 : -1;
}

/* Whether @code is a NaN of column @col's format. */
static bool kt_is_nan(unsigned int code, int col)
{
	switch (col) {
	case 0:
	case 1:
		return (code & 0x7f) == 0x7f;
	case 2:
	case 3:
		return (code & 0x7f) > 0x7c;
	case 4:
		return (code & 0x7fff) > 0x7f80;
	default:
		return (code & 0x7fff) > 0x7c00;
	}
}

TEST(conversions_match_the_reference_vectors)
{
	static const char *const cols[] = { "e4m3 sat", "e4m3 nosat", "e5m2 sat", "e5m2 nosat",
					    "bf16", "fp16" };
	MUfunction f = kt_kernel(fp8_image, "convert_f32");
	static struct kt_tables t;
	unsigned int got[256][6], *dgot;
	char path[PATH_MAX + 64];
	uint32_t bits[256], *dbits;
	int n, checked = 0;

	if (kt_read_vectors(&t, path, sizeof(path)))
		SKIP(return, "no reference vectors at %.900s", path);
	ASSERT_NE(NULL, f);
	n = t.nrows;
	for (int i = 0; i < n; i++)
		bits[i] = t.rows[i].bits;
	dbits = kt_upload(bits, sizeof(bits));
	MUSA_OK(musaMalloc((void **)&dgot, sizeof(got)));
	MUSA_OK(KT_LAUNCH(f, d3(1, 1, 1), d3(256, 1, 1), 0, &dbits, &dgot, &n));
	MUSA_OK(musaMemcpy(got, dgot, sizeof(got), musaMemcpyDeviceToHost));
	for (int i = 0; i < n; i++)
		for (int c = t.rows[i].fp8 ? 0 : 4; c < 6; c++, checked++) {
			unsigned int want = t.rows[i].want[c], have = got[i][c];

			if (kt_is_nan(want, c)) {
				EXPECT_TRUE(kt_is_nan(have, c)) TH_LOG("0x%08x %s: 0x%x, want a NaN",
								       t.rows[i].bits, cols[c], have);
			} else {
				EXPECT_EQ(want, have) TH_LOG("0x%08x %s", t.rows[i].bits, cols[c]);
			}
		}
	TH_LOG("%d vectors, %d conversions checked", n, checked);
	EXPECT_LT(100, checked);
}

/* Every FP8 code decoded on the device: the reference table's value, signs mirrored. */
TEST(fp8_decode_is_exhaustively_right)
{
	MUfunction f = kt_kernel(fp8_image, "decode_fp8");
	static struct kt_tables t;
	char path[PATH_MAX + 64], have[32], want[32];
	float got[2][256], *dgot;

	if (kt_read_vectors(&t, path, sizeof(path)))
		SKIP(return, "no reference vectors at %.900s", path);
	ASSERT_NE(NULL, f);
	MUSA_OK(musaMalloc((void **)&dgot, sizeof(got)));
	MUSA_OK(KT_LAUNCH(f, d3(1, 1, 1), d3(256, 1, 1), 0, &dgot));
	MUSA_OK(musaMemcpy(got, dgot, sizeof(got), musaMemcpyDeviceToHost));
	for (int fmt = 0; fmt < 2; fmt++)
		for (int code = 0; code < 256; code++) {
			const char *ref = t.decode[fmt][code & 0x7f];
			float v = got[fmt][code];

			ASSERT_NE(0, ref[0]) TH_LOG("no table entry for %02x", code & 0x7f);
			if (isnan(v) || !strcmp(ref, "nan")) {
				EXPECT_TRUE(isnan(v) && !strcmp(ref, "nan"))
					TH_LOG("%s %02x: %g, table %s", fmt ? "E5M2" : "E4M3",
					       code, v, ref);
				continue;
			}
			snprintf(want, sizeof(want), "%s%s", code & 0x80 ? "-" : "", ref);
			snprintf(have, sizeof(have), "%g", v);
			EXPECT_STREQ(want, have) TH_LOG("%s %02x", fmt ? "E5M2" : "E4M3", code);
		}
}

TEST_HARNESS_MAIN
