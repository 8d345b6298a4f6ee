// SPDX-License-Identifier: MIT
// musa-cc sample: templates with explicit instantiation, extern "C", launch bounds,
// a structure passed by value.

struct Affine {
	float scale;
	float shift;
};

template <typename T>
__global__ void scale(T *data, T factor, int n)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;

	if (i < n)
		data[i] *= factor;
}

template __global__ void scale<float>(float *, float, int);
template __global__ void scale<double>(double *, double, int);

extern "C" __global__ __launch_bounds__(256) void affine(Affine a, float *data, int n)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;

	if (i < n)
		data[i] = data[i] * a.scale + a.shift;
}

// The launch bound depends on the template argument.
template <int Threads>
__global__ __launch_bounds__(Threads) void fill(int *out, int value)
{
	out[blockIdx.x * Threads + threadIdx.x] = value;
}

template __global__ void fill<128>(int *, int);
