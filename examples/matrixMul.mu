// SPDX-License-Identifier: MIT
/*
 * matrixMul's own kernel, as in CUDA's sample: C = A * B (row-major), each block
 * computing a BLOCK_SIZE x BLOCK_SIZE tile of C from tiles of A and B staged in
 * shared memory. Any sizes: the tiles at the edges are padded with zeros.
 */
#define BLOCK_SIZE 16

extern "C" __global__ void matrixMulTiled(float *C, const float *A, const float *B, int hA,
					  int wA, int wB)
{
	__shared__ float As[BLOCK_SIZE][BLOCK_SIZE];
	__shared__ float Bs[BLOCK_SIZE][BLOCK_SIZE];
	int tx = threadIdx.x, ty = threadIdx.y;
	int row = blockIdx.y * BLOCK_SIZE + ty, col = blockIdx.x * BLOCK_SIZE + tx;
	float sum = 0;

	for (int k0 = 0; k0 < wA; k0 += BLOCK_SIZE) {
		As[ty][tx] = row < hA && k0 + tx < wA ? A[row * wA + k0 + tx] : 0.0f;
		Bs[ty][tx] = col < wB && k0 + ty < wA ? B[(k0 + ty) * wB + col] : 0.0f;
		__syncthreads();
		for (int k = 0; k < BLOCK_SIZE; ++k)
			sum += As[ty][k] * Bs[k][tx];
		__syncthreads();
	}
	if (row < hA && col < wB)
		C[row * wB + col] = sum;
}
