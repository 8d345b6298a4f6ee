/* SPDX-License-Identifier: MIT */
/*
 * The event ring (uapi/s5000.h, "Event ring"): faults and errors reported to
 * the driver in guest system memory, plus the INT_CAUSE summary and the event
 * vector. Any thread may post; the registers belong to the serving thread.
 */
#ifndef EMU_EVENTS_H
#define EMU_EVENTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../uapi/s5000.h"

struct emu_device;

struct emu_events {
    pthread_mutex_t lock;               /* the registers and the write index */
    uint64_t base;                      /* bus address of the entries */
    uint64_t size;                      /* entries, a power of two; 0: off */
    uint64_t wptr_addr;
    uint64_t rptr;                      /* as the driver last wrote it */
    uint64_t wptr;                      /* entries written since the ring was set up */
    _Atomic uint64_t lost;
};

void emu_events_init(struct emu_events *ev);
void emu_events_fini(struct emu_events *ev);
void emu_events_reset(struct emu_events *ev);

bool emu_events_reg_read(struct emu_device *dev, uint64_t offset, uint64_t *val);
bool emu_events_reg_write(struct emu_device *dev, uint64_t offset, uint64_t val);

/*
 * Records an event: writes the entry (the timestamp is filled in) and then the
 * write index, sets cause in INT_CAUSE and raises the event vector. With the
 * ring off only the cause and the vector remain; with the ring full the event
 * is counted as lost and S5000_INT_EVENT_OVERFLOW is set as well.
 */
void emu_events_post(struct emu_device *dev, struct s5000_event *event, uint32_t cause);

#endif /* EMU_EVENTS_H */
