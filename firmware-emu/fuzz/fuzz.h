/* SPDX-License-Identifier: MIT */
/*
 * What every harness shares: reading a fuzz input as a stream of numbers, writing
 * inputs of the same shape (the seed corpora are made by code, not kept as files),
 * and reporting a finding.
 *
 * A harness defines the three fuzz_harness_*() functions; fuzz.c turns them into
 * libFuzzer's entry points. Run with -write_seeds=DIR, a harness writes its seeds
 * into DIR and exits instead of fuzzing.
 */
#ifndef EMU_FUZZ_H
#define EMU_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An input, read front to back; past its end every number reads as 0. */
struct fuzz_input {
    const uint8_t *data;
    size_t size;
    size_t pos;
};

static inline bool fuzz_more(const struct fuzz_input *in)
{
    return in->pos < in->size;
}

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

/* Little-endian, so that a seed written by struct fuzz_output reads back the same. */
static inline uint64_t fuzz_uint(struct fuzz_input *in, unsigned int bytes)
{
    uint64_t val = 0;

    for (unsigned int i = 0; i < bytes; i++)
        val |= (uint64_t)fuzz_u8(in) << (8 * i);
    return val;
}

static inline uint16_t fuzz_u16(struct fuzz_input *in) { return (uint16_t)fuzz_uint(in, 2); }
static inline uint32_t fuzz_u32(struct fuzz_input *in) { return (uint32_t)fuzz_uint(in, 4); }
static inline uint64_t fuzz_u64(struct fuzz_input *in) { return fuzz_uint(in, 8); }

/* A number below n (n > 0), from one byte when n fits one. */
static inline uint32_t fuzz_below(struct fuzz_input *in, uint32_t n)
{
    return (uint32_t)(n <= 256 ? fuzz_u8(in) % n : fuzz_u32(in) % n);
}

/* Copies n bytes, zero-filled past the end of the input. */
void fuzz_bytes(struct fuzz_input *in, void *buf, size_t n);

/* An input being written, for the seeds. */
struct fuzz_output {
    uint8_t *data;
    size_t size, capacity;
};

void fuzz_put_uint(struct fuzz_output *out, uint64_t val, unsigned int bytes);
void fuzz_put_bytes(struct fuzz_output *out, const void *buf, size_t n);
static inline void fuzz_put_u8(struct fuzz_output *out, uint8_t v) { fuzz_put_uint(out, v, 1); }
static inline void fuzz_put_u16(struct fuzz_output *out, uint16_t v) { fuzz_put_uint(out, v, 2); }
static inline void fuzz_put_u32(struct fuzz_output *out, uint32_t v) { fuzz_put_uint(out, v, 4); }
static inline void fuzz_put_u64(struct fuzz_output *out, uint64_t v) { fuzz_put_uint(out, v, 8); }

/* Writes out as the next seed file and empties it. */
void fuzz_seed(struct fuzz_output *out);

/*
 * A finding: prints "fuzz: FINDING(kind): ..." on stdout (the runner counts kinds
 * "hang" and "leak" apart from crashes) and aborts, so that libFuzzer keeps the input.
 */
void fuzz_fail(const char *kind, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

#define fuzz_check(cond, ...) \
    do { \
        if (!(cond)) \
            fuzz_fail("crash", __VA_ARGS__); \
    } while (0)

/* With MUSA_FUZZ_VERBOSE set, a line on stderr: what an input did, for triage. */
void fuzz_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t fuzz_now_ms(void);

/* What a harness defines. */
void fuzz_harness_init(void);           /* once, before the first input */
void fuzz_harness_seeds(void);          /* calls fuzz_seed() for each seed */
void fuzz_harness_run(struct fuzz_input *in);

#endif /* EMU_FUZZ_H */
