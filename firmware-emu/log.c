// SPDX-License-Identifier: MIT
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum emu_log_level current_level = EMU_LOG_INFO;

static const char *const level_names[] = {
    [EMU_LOG_ERROR] = "error",
    [EMU_LOG_WARN] = "warn",
    [EMU_LOG_INFO] = "info",
    [EMU_LOG_DEBUG] = "debug",
};

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

void emu_log(enum emu_log_level level, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    if (!emu_log_enabled(level))
        return;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);

    /* One fprintf per line, so that lines from a future worker thread do not interleave. */
    fprintf(stderr, "s5000-emu: %s%s\n",
            level == EMU_LOG_ERROR ? "error: " :
            level == EMU_LOG_WARN ? "warning: " : "",
            line);
}
