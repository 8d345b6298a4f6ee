// SPDX-License-Identifier: MIT
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum emu_log_level current_level = EMU_LOG_INFO;

static const char *const level_names[] = {
    [EMU_LOG_ERROR] = "error",
    [EMU_LOG_WARN] = "warn",
    [EMU_LOG_INFO] = "info",
    [EMU_LOG_DEBUG] = "debug",
};

/* The guest-error budget of the current second; any thread may log one. */
static struct {
    pthread_mutex_t lock;
    time_t second;
    unsigned int logged;
    uint64_t suppressed;
} guest_errors = { .lock = PTHREAD_MUTEX_INITIALIZER };

void emu_log_set_level(enum emu_log_level level)
{
    current_level = level;
}

enum emu_log_level emu_log_get_level(void)
{
    return current_level;
}

bool emu_log_enabled(enum emu_log_level level)
{
    return level <= current_level;
}

bool emu_log_parse_level(const char *name, enum emu_log_level *level)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *level = (enum emu_log_level)i;
            return true;
        }
    }
    return false;
}

static void emit(enum emu_log_level level, const char *prefix, const char *fmt, va_list ap)
{
    char line[512];

    vsnprintf(line, sizeof(line), fmt, ap);
    /* One fprintf per line, so that lines from worker threads do not interleave. */
    fprintf(stderr, "s5000-emu: %s%s%s\n",
            level == EMU_LOG_ERROR ? "error: " :
            level == EMU_LOG_WARN ? "warning: " : "",
            prefix, line);
}

void emu_log(enum emu_log_level level, const char *fmt, ...)
{
    va_list ap;

    if (!emu_log_enabled(level))
        return;
    va_start(ap, fmt);
    emit(level, "", fmt, ap);
    va_end(ap);
}

/* Whether this guest error may be logged; *dropped: how many were not, before it. */
static bool guest_error_budget(uint64_t *dropped)
{
    struct timespec now;
    bool allowed;

    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    pthread_mutex_lock(&guest_errors.lock);
    if (now.tv_sec != guest_errors.second) {
        guest_errors.second = now.tv_sec;
        guest_errors.logged = 0;
    }
    allowed = guest_errors.logged < EMU_GUEST_ERRORS_PER_S;
    *dropped = 0;
    if (allowed) {
        guest_errors.logged++;
        *dropped = guest_errors.suppressed;
        guest_errors.suppressed = 0;
    } else {
        guest_errors.suppressed++;
    }
    pthread_mutex_unlock(&guest_errors.lock);
    return allowed;
}

void emu_guest_error(const char *fmt, ...)
{
    uint64_t dropped;
    va_list ap;

    if (!emu_log_enabled(EMU_LOG_WARN) || !guest_error_budget(&dropped))
        return;
    if (dropped)
        emu_log(EMU_LOG_WARN, "guest error: (%llu more not logged)", (unsigned long long)dropped);
    va_start(ap, fmt);
    emit(EMU_LOG_WARN, "guest error: ", fmt, ap);
    va_end(ap);
}
