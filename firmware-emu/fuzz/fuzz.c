// SPDX-License-Identifier: MIT
/*
 * libFuzzer's entry points around a harness (fuzz.h), the seed writer, and how a
 * finding is reported.
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define SEEDS_FLAG "-write_seeds="

static const char *seed_dir;
static unsigned int seed_count;
static bool verbose;

void fuzz_bytes(struct fuzz_input *in, void *buf, size_t n)
{
    size_t have = in->pos < in->size ? in->size - in->pos : 0;

    if (have > n)
        have = n;
    memcpy(buf, in->data + in->pos, have);
    memset((uint8_t *)buf + have, 0, n - have);
    in->pos += have;
}

static void reserve(struct fuzz_output *out, size_t n)
{
    if (out->size + n <= out->capacity)
        return;
    out->capacity = (out->size + n) * 2;
    out->data = realloc(out->data, out->capacity);
    if (!out->data) {
        fprintf(stderr, "fuzz: out of memory writing a seed\n");
        exit(1);
    }
}

void fuzz_put_uint(struct fuzz_output *out, uint64_t val, unsigned int bytes)
{
    reserve(out, bytes);
    for (unsigned int i = 0; i < bytes; i++)
        out->data[out->size++] = (uint8_t)(val >> (8 * i));
}

void fuzz_put_bytes(struct fuzz_output *out, const void *buf, size_t n)
{
    reserve(out, n);
    memcpy(out->data + out->size, buf, n);
    out->size += n;
}

void fuzz_seed(struct fuzz_output *out)
{
    char path[4096];
    int fd;

    snprintf(path, sizeof(path), "%s/seed-%03u", seed_dir, seed_count++);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, out->data, out->size) != (ssize_t)out->size) {
        fprintf(stderr, "fuzz: writing %s: %s\n", path, strerror(errno));
        exit(1);
    }
    close(fd);
    free(out->data);
    *out = (struct fuzz_output){ 0 };
}

void fuzz_fail(const char *kind, const char *fmt, ...)
{
    va_list ap;

    /* On stdout: the runner sends the device's noise on stderr away (-close_fd_mask=2). */
    printf("fuzz: FINDING(%s): ", kind);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    abort();
}

void fuzz_note(const char *fmt, ...)
{
    va_list ap;

    if (!verbose)
        return;
    fputs("fuzz: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

uint64_t fuzz_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* MUSA_FUZZ_LOG=warn shows the device's guest errors (rate-limited); else they are noise. */
static void set_log_level(void)
{
    const char *name = getenv("MUSA_FUZZ_LOG");
    enum emu_log_level level = EMU_LOG_ERROR;

    if (name && !emu_log_parse_level(name, &level))
        fprintf(stderr, "fuzz: MUSA_FUZZ_LOG=%s is not error, warn, info or debug\n", name);
    emu_log_set_level(level);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer calls this before it parses its own flags: a seed run never starts fuzzing. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    for (int i = 1; i < *argc; i++) {
        if (strncmp((*argv)[i], SEEDS_FLAG, strlen(SEEDS_FLAG)) == 0)
            seed_dir = (*argv)[i] + strlen(SEEDS_FLAG);
    }
    if (seed_dir) {
        fuzz_harness_seeds();
        printf("fuzz: %u seeds written to %s\n", seed_count, seed_dir);
        exit(0);
    }
    set_log_level();
    verbose = getenv("MUSA_FUZZ_VERBOSE") != NULL;
    fuzz_harness_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = { .data = data, .size = size };

    fuzz_harness_run(&in);
    return 0;
}
