// SPDX-License-Identifier: MIT
/*
 * The event ring. Every write of EVENT_RING_SIZE (non-zero) starts the ring
 * afresh: the write index restarts at 0 and 0 is written to EVENT_WPTR_ADDR,
 * so the driver programs BASE, WPTR_ADDR and RPTR = 0 first, SIZE last.
 */
#include "events.h"

#include "device.h"
#include "log.h"

void emu_events_init(struct emu_events *ev)
{
    pthread_mutex_init(&ev->lock, NULL);
    atomic_init(&ev->lost, 0);
    emu_events_reset(ev);
}

void emu_events_fini(struct emu_events *ev)
{
    pthread_mutex_destroy(&ev->lock);
}

/* The lost-event count survives, like the other counters of the board. */
void emu_events_reset(struct emu_events *ev)
{
    pthread_mutex_lock(&ev->lock);
    ev->base = 0;
    ev->size = 0;
    ev->wptr_addr = 0;
    ev->rptr = 0;
    ev->wptr = 0;
    pthread_mutex_unlock(&ev->lock);
}

bool emu_events_reg_read(struct emu_device *dev, uint64_t offset, uint64_t *val)
{
    struct emu_events *ev = &dev->events;
    bool found = true;

    pthread_mutex_lock(&ev->lock);
    switch (offset) {
    case S5000_REG_EVENT_RING_BASE: *val = ev->base; break;
    case S5000_REG_EVENT_RING_SIZE: *val = ev->size; break;
    case S5000_REG_EVENT_WPTR_ADDR: *val = ev->wptr_addr; break;
    case S5000_REG_EVENT_RPTR:      *val = ev->rptr; break;
    case S5000_REG_EVENTS_LOST:     *val = atomic_load(&ev->lost); break;
    default:                        found = false; break;
    }
    pthread_mutex_unlock(&ev->lock);
    return found;
}

static void start_ring(struct emu_device *dev, uint64_t size)
{
    struct emu_events *ev = &dev->events;
    const uint64_t zero = 0;

    if (size != 0 && (size & (size - 1)) != 0) {
        emu_guest_error("EVENT_RING_SIZE %llu: not a power of two; the ring is off",
                        (unsigned long long)size);
        size = 0;
    }
    ev->size = size;
    ev->wptr = 0;
    if (size != 0 && !emu_phys_write(&dev->mem, ev->wptr_addr, &zero, sizeof(zero)))
        emu_guest_error("EVENT_WPTR_ADDR 0x%llx: not in guest RAM",
                        (unsigned long long)ev->wptr_addr);
}

bool emu_events_reg_write(struct emu_device *dev, uint64_t offset, uint64_t val)
{
    struct emu_events *ev = &dev->events;
    bool found = true;

    pthread_mutex_lock(&ev->lock);
    switch (offset) {
    case S5000_REG_EVENT_RING_BASE:
        if (val % S5000_PAGE_SIZE == 0)
            ev->base = val;
        else
            emu_guest_error("EVENT_RING_BASE 0x%llx: not 4 KiB aligned", (unsigned long long)val);
        break;
    case S5000_REG_EVENT_RING_SIZE:
        start_ring(dev, val);
        break;
    case S5000_REG_EVENT_WPTR_ADDR:
        if (val % 8 == 0)
            ev->wptr_addr = val;
        else
            emu_guest_error("EVENT_WPTR_ADDR 0x%llx: not 8-byte aligned", (unsigned long long)val);
        break;
    case S5000_REG_EVENT_RPTR:
        ev->rptr = val;
        break;
    default:
        found = false;
        break;
    }
    pthread_mutex_unlock(&ev->lock);
    return found;
}

/* Under ev->lock: false if the event could not be written. */
static bool write_entry(struct emu_device *dev, const struct s5000_event *event)
{
    struct emu_events *ev = &dev->events;
    uint64_t slot = ev->base + (ev->wptr & (ev->size - 1)) * sizeof(*event);
    uint64_t wptr = ev->wptr + 1;

    if (ev->wptr - ev->rptr >= ev->size)
        return false;   /* full, or a nonsensical RPTR: never overwrite unread entries */
    if (!emu_phys_write(&dev->mem, slot, event, sizeof(*event)))
        return false;
    /* The entry is visible before the index that publishes it. */
    atomic_thread_fence(memory_order_release);
    if (!emu_phys_write(&dev->mem, ev->wptr_addr, &wptr, sizeof(wptr)))
        return false;
    ev->wptr = wptr;
    return true;
}

void emu_events_post(struct emu_device *dev, struct s5000_event *event, uint32_t cause)
{
    struct emu_events *ev = &dev->events;

    event->timestamp = emu_timestamp_now();
    pthread_mutex_lock(&ev->lock);
    if (ev->size != 0) {
        if (write_entry(dev, event)) {
            atomic_fetch_add_explicit(&dev->counters.events, 1, memory_order_relaxed);
        } else {
            atomic_fetch_add(&ev->lost, 1);
            cause |= S5000_INT_EVENT_OVERFLOW;
        }
    }
    pthread_mutex_unlock(&ev->lock);
    atomic_fetch_or(&dev->regs.int_cause, cause);
    emu_device_raise(dev, S5000_EVENT_VECTOR);
}
