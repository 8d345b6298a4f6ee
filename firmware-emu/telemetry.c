// SPDX-License-Identifier: MIT
/*
 * The board model behind the telemetry registers.
 *
 * Published S5000 figures: 80 GB of memory at 1.6 TB/s, 784 GB/s card-to-card,
 * PCIe 5.0 x16. The memory is modelled as five HBM stacks (5120 bits) at an
 * effective 2500 MT/s, reported as the memory clock in MHz, so that
 * clock x bus width / 8 = 1.6 TB/s. Board power, clocks and compute-unit count
 * are not published; the figures below are chosen to be plausible for a
 * data-centre card of this class (450 W, the limit of its predecessor).
 *
 * load = min(1, compute utilisation + copy utilisation / 2): the copy engine
 * draws less than the compute units. Power is linear in load between idle and
 * the limit; clocks reach their maximum at a quarter load; the die temperature
 * approaches ambient + power x thermal resistance with a 5 s time constant.
 */
#include "telemetry.h"

#include <math.h>
#include <string.h>

#include "../uapi/s5000.h"
#include "device.h"

#define POWER_IDLE_MW           80000u
#define POWER_LIMIT_MW          450000u
#define SM_CLOCK_IDLE_MHZ       600u
#define SM_CLOCK_MAX_MHZ        2000u
#define MEM_CLOCK_IDLE_MHZ      1000u
#define MEM_CLOCK_MAX_MHZ       2500u
#define MEM_BUS_WIDTH_BITS      5120u
#define PCIE_GEN                5u
#define PCIE_WIDTH              16u
#define LINK_BANDWIDTH_MBPS     784000u
#define AMBIENT_C               30.0
#define THERMAL_C_PER_W         0.1
#define THERMAL_TAU_S           5.0

#define WINDOW_BUCKETS (1000000000ull / EMU_TELEMETRY_BUCKET_NS)

_Static_assert(WINDOW_BUCKETS < EMU_TELEMETRY_BUCKETS, "the window must fit the buckets");

void emu_telemetry_init(struct emu_telemetry *t)
{
    memset(t->bucket_epoch, 0, sizeof(t->bucket_epoch));
    memset(t->busy_ns, 0, sizeof(t->busy_ns));
    pthread_mutex_init(&t->lock, NULL);
    t->temp_c = AMBIENT_C + THERMAL_C_PER_W * POWER_IDLE_MW / 1000.0;
    t->temp_updated_ns = emu_now_ns();
    atomic_init(&t->ecc_corrected, 0);
    atomic_init(&t->ecc_uncorrected, 0);
}

void emu_telemetry_fini(struct emu_telemetry *t)
{
    pthread_mutex_destroy(&t->lock);
}

/* Under t->lock: the bucket of an epoch, emptied if it last held an older one. */
static uint64_t *bucket(struct emu_telemetry *t, uint64_t epoch)
{
    unsigned int i = (unsigned int)(epoch % EMU_TELEMETRY_BUCKETS);

    if (t->bucket_epoch[i] != epoch) {
        t->bucket_epoch[i] = epoch;
        memset(t->busy_ns[i], 0, sizeof(t->busy_ns[i]));
    }
    return t->busy_ns[i];
}

void emu_telemetry_account(struct emu_telemetry *t, enum emu_engine engine,
                           uint64_t start_ns, uint64_t end_ns)
{
    pthread_mutex_lock(&t->lock);
    while (start_ns < end_ns) {
        uint64_t epoch = start_ns / EMU_TELEMETRY_BUCKET_NS;
        uint64_t bucket_end = (epoch + 1) * EMU_TELEMETRY_BUCKET_NS;
        uint64_t until = end_ns < bucket_end ? end_ns : bucket_end;

        bucket(t, epoch)[engine] += until - start_ns;
        start_ns = until;
    }
    pthread_mutex_unlock(&t->lock);
}

/* Under t->lock: percent busy over the last second (and the current bucket). */
static unsigned int utilisation(struct emu_telemetry *t, enum emu_engine engine, uint64_t now)
{
    uint64_t epoch = now / EMU_TELEMETRY_BUCKET_NS;
    uint64_t window = WINDOW_BUCKETS * EMU_TELEMETRY_BUCKET_NS + now % EMU_TELEMETRY_BUCKET_NS;
    uint64_t busy = 0;

    for (uint64_t e = epoch - WINDOW_BUCKETS; e <= epoch; e++)
        busy += bucket(t, e)[engine];
    return busy >= window ? 100 : (unsigned int)(busy * 100 / window);
}

struct board_state {
    unsigned int util[EMU_ENGINES];
    double load;
};

static double load_of(const unsigned int *util)
{
    double load = util[EMU_ENGINE_COMPUTE] / 100.0 + util[EMU_ENGINE_COPY] / 200.0;

    return load > 1.0 ? 1.0 : load;
}

static uint32_t power_mw(double load)
{
    return POWER_IDLE_MW + (uint32_t)((POWER_LIMIT_MW - POWER_IDLE_MW) * load);
}

static uint32_t clock_mhz(double load, uint32_t idle, uint32_t max)
{
    double ramp = load * 4 > 1.0 ? 1.0 : load * 4;

    return idle + (uint32_t)((max - idle) * ramp);
}

/* Under t->lock: the temperature now, having followed the current power since the last look. */
static uint32_t temperature_mc(struct emu_telemetry *t, double load, uint64_t now)
{
    double target = AMBIENT_C + THERMAL_C_PER_W * power_mw(load) / 1000.0;
    double dt = (now - t->temp_updated_ns) / 1e9;

    t->temp_c = target + (t->temp_c - target) * exp(-dt / THERMAL_TAU_S);
    t->temp_updated_ns = now;
    return (uint32_t)(t->temp_c * 1000.0);
}

bool emu_telemetry_reg_is64(uint64_t offset)
{
    return offset == S5000_REG_ECC_CORRECTED || offset == S5000_REG_ECC_UNCORRECTED;
}

/* Registers that depend on load. */
static bool read_dynamic(struct emu_telemetry *t, uint64_t offset, uint64_t *val)
{
    uint64_t now = emu_now_ns();
    unsigned int util[EMU_ENGINES];
    double load;

    pthread_mutex_lock(&t->lock);
    util[EMU_ENGINE_COMPUTE] = utilisation(t, EMU_ENGINE_COMPUTE, now);
    util[EMU_ENGINE_COPY] = utilisation(t, EMU_ENGINE_COPY, now);
    load = load_of(util);
    switch (offset) {
    case S5000_REG_TEMP_MC:       *val = temperature_mc(t, load, now); break;
    case S5000_REG_POWER_MW:      *val = power_mw(load); break;
    case S5000_REG_SM_CLOCK_MHZ:
        *val = clock_mhz(load, SM_CLOCK_IDLE_MHZ, SM_CLOCK_MAX_MHZ);
        break;
    case S5000_REG_MEM_CLOCK_MHZ:
        *val = clock_mhz(load, MEM_CLOCK_IDLE_MHZ, MEM_CLOCK_MAX_MHZ);
        break;
    case S5000_REG_UTIL_COMPUTE:  *val = util[EMU_ENGINE_COMPUTE]; break;
    case S5000_REG_UTIL_COPY:     *val = util[EMU_ENGINE_COPY]; break;
    }
    pthread_mutex_unlock(&t->lock);
    return true;
}

bool emu_telemetry_reg_read(struct emu_telemetry *t, uint64_t offset, uint64_t *val)
{
    switch (offset) {
    case S5000_REG_TEMP_MC:
    case S5000_REG_POWER_MW:
    case S5000_REG_SM_CLOCK_MHZ:
    case S5000_REG_MEM_CLOCK_MHZ:
    case S5000_REG_UTIL_COMPUTE:
    case S5000_REG_UTIL_COPY:
        return read_dynamic(t, offset, val);
    case S5000_REG_POWER_LIMIT_MW:      *val = POWER_LIMIT_MW; return true;
    case S5000_REG_SM_CLOCK_MAX_MHZ:    *val = SM_CLOCK_MAX_MHZ; return true;
    case S5000_REG_MEM_CLOCK_MAX_MHZ:   *val = MEM_CLOCK_MAX_MHZ; return true;
    case S5000_REG_MEM_BUS_WIDTH:       *val = MEM_BUS_WIDTH_BITS; return true;
    case S5000_REG_PCIE_GEN:            *val = PCIE_GEN; return true;
    case S5000_REG_PCIE_WIDTH:          *val = PCIE_WIDTH; return true;
    case S5000_REG_ECC_CORRECTED:       *val = atomic_load(&t->ecc_corrected); return true;
    case S5000_REG_ECC_UNCORRECTED:     *val = atomic_load(&t->ecc_uncorrected); return true;
    case S5000_REG_LINK_BANDWIDTH_MBPS: *val = LINK_BANDWIDTH_MBPS; return true;
    default:                            return false;
    }
}
