/* SPDX-License-Identifier: MIT */
/* Minimal TAP output: "ok N - what" / "not ok N - what", then the plan "1..N". */
#ifndef EMU_TESTS_TAP_H
#define EMU_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;

static inline bool __attribute__((format(printf, 2, 3))) ok(bool pass, const char *fmt, ...)
{
    va_list ap;

    printf("%sok %d - ", pass ? "" : "not ", ++tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    if (!pass)
        tap_failed++;
    return pass;
}

/* Prints the plan; returns the process exit status. */
static inline int tap_done(void)
{
    printf("1..%d\n", tap_count);
    if (tap_failed)
        printf("# %d of %d failed\n", tap_failed, tap_count);
    return tap_failed ? 1 : 0;
}

#endif /* EMU_TESTS_TAP_H */
