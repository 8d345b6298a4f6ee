/* SPDX-License-Identifier: MIT */
/*
 * Telemetry as a board reports it, derived from what the command processors
 * really did: utilisation is their busy time over the last second, power
 * follows utilisation, temperature follows power with a lag, clocks follow
 * load. The figures of the board itself are in telemetry.c.
 */
#ifndef EMU_TELEMETRY_H
#define EMU_TELEMETRY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Busy time is kept in buckets of 100 ms; utilisation sums the last second's. */
#define EMU_TELEMETRY_BUCKETS 16
#define EMU_TELEMETRY_BUCKET_NS 100000000ull

enum emu_engine {
    EMU_ENGINE_COMPUTE,                 /* everything but COPY and FILL */
    EMU_ENGINE_COPY,
    EMU_ENGINES,
};

struct emu_telemetry {
    pthread_mutex_t lock;
    uint64_t bucket_epoch[EMU_TELEMETRY_BUCKETS];
    uint64_t busy_ns[EMU_TELEMETRY_BUCKETS][EMU_ENGINES];
    double temp_c;                      /* the modelled die temperature */
    uint64_t temp_updated_ns;
    _Atomic uint64_t ecc_corrected;
    _Atomic uint64_t ecc_uncorrected;
};

void emu_telemetry_init(struct emu_telemetry *t);
void emu_telemetry_fini(struct emu_telemetry *t);

/* A worker was busy on an engine over [start_ns, end_ns). */
void emu_telemetry_account(struct emu_telemetry *t, enum emu_engine engine,
                           uint64_t start_ns, uint64_t end_ns);

/* A register in [S5000_REG_TELEMETRY, ...): false if none is there. */
bool emu_telemetry_reg_is64(uint64_t offset);
bool emu_telemetry_reg_read(struct emu_telemetry *t, uint64_t offset, uint64_t *val);

#endif /* EMU_TELEMETRY_H */
