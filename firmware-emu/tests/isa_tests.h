/* SPDX-License-Identifier: MIT */
/* What test_isa.c shares with the test files it is linked from. */
#ifndef EMU_TESTS_ISA_TESTS_H
#define EMU_TESTS_ISA_TESTS_H

#include <stdbool.h>
#include <stdint.h>

#include "isa_fixture.h"

/* A deterministic xorshift sequence. */
uint64_t isa_test_rng(void);

/* TAP's ok() of the test binary, for the files linked into it. */
typedef bool isa_check_fn(bool pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The F and D tests (isa_fp_tests.c). */
void isa_test_fp(struct isa *t, isa_check_fn *check);

#endif /* EMU_TESTS_ISA_TESTS_H */
