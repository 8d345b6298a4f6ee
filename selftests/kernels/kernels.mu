// SPDX-License-Identifier: MIT
/*
 * Kernels of musa_kernel_test: the patterns CUDA programs are made of, each small
 * enough to check exactly on the host. C++ (templates, mangled names) except where
 * extern "C" keeps a name plain.
 */

#define RED_THREADS 256
#define TILE 16
#define TRANSPOSE_TILE 32
#define SCAN_THREADS 256

extern "C" __global__ void vector_add(const float *a, const float *b, float *c, int n)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;

	if (i < n)
		c[i] = a[i] + b[i];
}

/* A block's sum through shared memory, halving with a barrier each step. */
extern "C" __global__ void reduce_shared(const int *in, long long *out, int n)
{
	__shared__ long long part[RED_THREADS];
	unsigned int t = threadIdx.x;
	int i = blockIdx.x * blockDim.x + t;

	part[t] = i < n ? in[i] : 0;
	__syncthreads();
	for (unsigned int half = blockDim.x / 2; half; half /= 2) {
		if (t < half)
			part[t] += part[t + half];
		__syncthreads();
	}
	if (!t)
		out[blockIdx.x] = part[0];
}

/* A warp's sum by shuffles; one atomic per warp. */
extern "C" __global__ void reduce_warp(const int *in, int *total, int n)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	int v = i < n ? in[i] : 0;

	for (int off = warpSize / 2; off; off /= 2)
		v += __shfl_down_sync(0xffffffffu, v, off);
	if ((threadIdx.x & (warpSize - 1)) == 0)
		atomicAdd(total, v);
}

/* Every thread adds to the same words, @iters times: contention on one address. */
extern "C" __global__ void atomic_contend(int *count, float *fsum, unsigned int *max,
					  int iters)
{
	unsigned int id = blockIdx.x * blockDim.x + threadIdx.x;

	for (int k = 0; k < iters; k++) {
		atomicAdd(count, 1);
		atomicAdd(fsum, 0.5f);
	}
	atomicMax(max, id);
}

/* C = A * B, row-major, TILE x TILE tiles through shared memory (CUDA's sample). */
extern "C" __global__ void matmul_tiled(const float *A, const float *B, float *C, int M,
					int N, int K)
{
	__shared__ float as[TILE][TILE];
	__shared__ float bs[TILE][TILE];
	int row = blockIdx.y * TILE + threadIdx.y, col = blockIdx.x * TILE + threadIdx.x;
	float sum = 0;

	for (int k0 = 0; k0 < K; k0 += TILE) {
		as[threadIdx.y][threadIdx.x] = row < M && k0 + (int)threadIdx.x < K ?
					       A[row * K + k0 + threadIdx.x] : 0;
		bs[threadIdx.y][threadIdx.x] = col < N && k0 + (int)threadIdx.y < K ?
					       B[(k0 + threadIdx.y) * N + col] : 0;
		__syncthreads();
		for (int k = 0; k < TILE; k++)
			sum += as[threadIdx.y][k] * bs[k][threadIdx.x];
		__syncthreads();
	}
	if (row < M && col < N)
		C[row * N + col] = sum;
}

/* out = in^T (rows x cols in), through a padded shared tile. */
extern "C" __global__ void transpose(const float *in, float *out, int rows, int cols)
{
	__shared__ float tile[TRANSPOSE_TILE][TRANSPOSE_TILE + 1];
	int x = blockIdx.x * TRANSPOSE_TILE + threadIdx.x;
	int y = blockIdx.y * TRANSPOSE_TILE + threadIdx.y;

	if (x < cols && y < rows)
		tile[threadIdx.y][threadIdx.x] = in[y * cols + x];
	__syncthreads();
	x = blockIdx.y * TRANSPOSE_TILE + threadIdx.x;
	y = blockIdx.x * TRANSPOSE_TILE + threadIdx.y;
	if (x < rows && y < cols)
		out[y * rows + x] = tile[threadIdx.x][threadIdx.y];
}

/* Inclusive prefix sums of each block's SCAN_THREADS elements (Hillis-Steele). */
extern "C" __global__ void scan_block(const int *in, int *out, int n)
{
	__shared__ int buf[2][SCAN_THREADS];
	unsigned int t = threadIdx.x;
	int i = blockIdx.x * blockDim.x + t, from = 0;

	buf[0][t] = i < n ? in[i] : 0;
	__syncthreads();
	for (unsigned int off = 1; off < blockDim.x; off *= 2) {
		buf[!from][t] = buf[from][t] + (t >= off ? buf[from][t - off] : 0);
		from = !from;
		__syncthreads();
	}
	if (i < n)
		out[i] = buf[from][t];
}

/* Reverses each block's part of @data in dynamic shared memory of blockDim floats. */
extern "C" __global__ void reverse_dynamic(float *data)
{
	extern __shared__ float dyn[];
	unsigned int t = threadIdx.x, n = blockDim.x;
	float *mine = data + blockIdx.x * n;

	dyn[t] = mine[t];
	__syncthreads();
	mine[t] = dyn[n - 1 - t];
}

/* Writes the size of its dynamic shared memory, and touches its last word. */
extern "C" __global__ void dynamic_size(unsigned int *out)
{
	extern __shared__ unsigned int words[];
	unsigned int n = __musa_dynamic_shared_size() / 4;

	if (!threadIdx.x) {
		words[n - 1] = n;
		out[0] = __musa_dynamic_shared_size();
		out[1] = words[n - 1];
	}
}

/* One template, three instantiations under their mangled names. */
template <typename T>
__global__ void axpy(T a, const T *x, T *y, int n)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;

	if (i < n)
		y[i] = a * x[i] + y[i];
}

template __global__ void axpy<float>(float, const float *, float *, int);
template __global__ void axpy<double>(double, const double *, double *, int);
template __global__ void axpy<int>(int, const int *, int *, int);

/* Arguments of mixed sizes and alignments, written back as they arrived. */
struct pair {
	char c;
	double d;
};

extern "C" __global__ void echo_args(char c, short s, int i, long long l, float f, double d,
				     struct pair p, long long *out)
{
	out[0] = c;
	out[1] = s;
	out[2] = i;
	out[3] = l;
	out[4] = (long long)(f * 1000);
	out[5] = (long long)(d * 1000);
	out[6] = p.c;
	out[7] = (long long)(p.d * 1000);
}

/* Each thread's 3-D coordinates, packed. */
extern "C" __global__ void coords(unsigned int *out)
{
	unsigned int bx = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
	unsigned int tx = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
	unsigned int id = bx * blockDim.x * blockDim.y * blockDim.z + tx;

	out[id] = threadIdx.x | threadIdx.y << 8 | threadIdx.z << 16 | blockIdx.z << 24;
}
