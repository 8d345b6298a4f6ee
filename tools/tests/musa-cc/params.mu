// SPDX-License-Identifier: MIT
// musa-cc sample: parameter offsets and alignments come from the compiler.

struct Pair {
	double d;
	char c;
};

extern "C" __global__ void mixed(char c, double d, short s, Pair p, unsigned char u, int *out)
{
	out[0] = c + (int)d + s + (int)p.d + p.c + u;
}

extern "C" __global__ void narrow(char a, short b, char c, short *out)
{
	out[0] = a + b + c;
}

extern "C" __global__ void vector(char tag, float4 v, float *out)
{
	out[0] = tag + v.x + v.y + v.z + v.w;
}

extern "C" __global__ void empty(void)
{
}
