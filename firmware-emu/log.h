/* SPDX-License-Identifier: MIT */
/*
 * Logging for the device model: one line per message on stderr, prefixed
 * "s5000-emu: ", filtered by a global level.
 */
#ifndef EMU_LOG_H
#define EMU_LOG_H

#include <stdbool.h>

enum emu_log_level {
    EMU_LOG_ERROR,
    EMU_LOG_WARN,
    EMU_LOG_INFO,
    EMU_LOG_DEBUG,
};

void emu_log_set_level(enum emu_log_level level);
enum emu_log_level emu_log_get_level(void);
bool emu_log_enabled(enum emu_log_level level);

/* Parses "error", "warn", "info" or "debug"; returns false for anything else. */
bool emu_log_parse_level(const char *name, enum emu_log_level *level);

void emu_log(enum emu_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define emu_err(...)   emu_log(EMU_LOG_ERROR, __VA_ARGS__)
#define emu_warn(...)  emu_log(EMU_LOG_WARN, __VA_ARGS__)
#define emu_info(...)  emu_log(EMU_LOG_INFO, __VA_ARGS__)
#define emu_debug(...) emu_log(EMU_LOG_DEBUG, __VA_ARGS__)

/*
 * A guest (or client) did something the device does not accept, such as an
 * access to an unimplemented register. The device carries on; this is the
 * equivalent of QEMU's LOG_GUEST_ERROR. Rate-limited, so that a guest looping
 * over bad accesses cannot flood the log: past EMU_GUEST_ERRORS_PER_S lines in
 * a second the rest are counted, and the count is reported with the next line.
 */
#define EMU_GUEST_ERRORS_PER_S 20

void emu_guest_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* EMU_LOG_H */
