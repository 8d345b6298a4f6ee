/* SPDX-License-Identifier: MIT */
/* Found through musa-cc -I. */
static inline unsigned int sample_bucket(unsigned char v)
{
	return v;
}
