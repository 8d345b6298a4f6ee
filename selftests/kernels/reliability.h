/* SPDX-License-Identifier: MIT */
/*
 * What reliability.mu's kernels and the reliability tests' host side both compute:
 * the data pattern a buffer is filled with and the transform the checking kernel
 * applies, so that the host can verify every word the device wrote.
 */
#ifndef RELIABILITY_H
#define RELIABILITY_H

/* Word @i of pattern @seed: a hash, so that a word in the wrong place shows. */
static inline unsigned int rel_word(unsigned int seed, unsigned int i)
{
	unsigned int x = i * 0x9e3779b1u ^ seed;

	x ^= x >> 15;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	return x;
}

/* What the checking kernel writes for input word @v at index @i. */
static inline unsigned int rel_mix(unsigned int v, unsigned int i)
{
	return (v ^ 0x5bd1e995u) + i * 3u;
}

#endif /* RELIABILITY_H */
