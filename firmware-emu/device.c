// SPDX-License-Identifier: MIT
#include "device.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../uapi/s5000.h"
#include "log.h"

/* The PBA sits alone on the 4 KiB page that follows the MSI-X table's. */
#define MSIX_AREA_END (S5000_MSIX_PBA_OFFSET + S5000_PAGE_SIZE)
#define KICK_END (S5000_KICK_OFFSET + S5000_MAX_QUEUES * S5000_PAGE_SIZE)
#define DOORBELL_AREA (S5000_DOORBELL_END - S5000_DOORBELL_OFFSET)

_Static_assert(sizeof(struct s5000_doorbell) <= S5000_PAGE_SIZE, "a doorbell fits its page");
_Static_assert(S5000_DOORBELL_OFFSET + S5000_MAX_QUEUES * S5000_PAGE_SIZE <= S5000_DOORBELL_END,
               "one doorbell page per queue");

uint64_t emu_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * A memfd the client cannot resize behind our back: a shrink would turn our
 * own accesses into SIGBUS.
 */
static int sized_memfd(const char *name, uint64_t size)
{
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (fd < 0) {
        emu_err("memfd_create(%s): %s", name, strerror(errno));
        return -1;
    }
    if (ftruncate(fd, (off_t)size) < 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0) {
        emu_err("sizing %s to %llu bytes: %s", name, (unsigned long long)size, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* VRAM is sparse: address space now, pages only where something was written. */
static void *map_shared(int fd, uint64_t offset, uint64_t size, const char *what)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd,
                   (off_t)offset);

    if (p == MAP_FAILED) {
        emu_err("mapping %s (%llu bytes): %s", what, (unsigned long long)size, strerror(errno));
        return NULL;
    }
    return p;
}

static int init_memory(struct emu_device *dev)
{
    dev->bar0_fd = sized_memfd("s5000-bar0", S5000_BAR0_SIZE);
    if (dev->bar0_fd < 0)
        return -1;
    dev->vram_fd = sized_memfd("s5000-vram", dev->config.vram_size);
    if (dev->vram_fd < 0)
        goto err_close_bar0;
    dev->doorbells = map_shared(dev->bar0_fd, S5000_DOORBELL_OFFSET, DOORBELL_AREA, "doorbells");
    if (dev->doorbells == NULL)
        goto err_close_vram;
    dev->vram = map_shared(dev->vram_fd, 0, dev->config.vram_size, "VRAM");
    if (dev->vram == NULL)
        goto err_unmap_doorbells;
    emu_dma_init(&dev->dma);
    emu_memory_init(&dev->mem, dev->vram, dev->config.vram_size, &dev->dma);
    emu_mmu_init(&dev->mmu, &dev->mem);
    return 0;

err_unmap_doorbells:
    munmap(dev->doorbells, DOORBELL_AREA);
err_close_vram:
    close(dev->vram_fd);
err_close_bar0:
    close(dev->bar0_fd);
    return -1;
}

static void fini_memory(struct emu_device *dev)
{
    emu_memory_fini(&dev->mem);
    munmap(dev->vram, dev->config.vram_size);
    munmap(dev->doorbells, DOORBELL_AREA);
    close(dev->vram_fd);
    close(dev->bar0_fd);
}

int emu_device_init(struct emu_device *dev, const struct emu_config *config)
{
    memset(dev, 0, sizeof(*dev));
    dev->config = *config;
    if (init_memory(dev) < 0)
        return -1;
    dev->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (dev->notify_fd < 0) {
        emu_err("eventfd: %s", strerror(errno));
        goto err_fini_memory;
    }
    emu_regs_init(&dev->regs);
    emu_events_init(&dev->events);
    emu_telemetry_init(&dev->telemetry);
    emu_queues_init(dev);
    if (emu_compute_init(&dev->compute, &dev->mmu, &dev->telemetry,
                         dev->config.compute_threads) < 0)
        goto err_fini_blocks;
    if (emu_cp_start(dev) < 0)
        goto err_fini_compute;
    return 0;

err_fini_compute:
    emu_compute_fini(&dev->compute);
err_fini_blocks:
    emu_telemetry_fini(&dev->telemetry);
    emu_events_fini(&dev->events);
    close(dev->notify_fd);
err_fini_memory:
    fini_memory(dev);
    return -1;
}

void emu_device_fini(struct emu_device *dev)
{
    /* Stop every queue first, so that the workers are out of packets when told to exit. */
    if (!emu_device_reset(dev, 1000))
        emu_warn("a command processor did not stop within 1 s");
    emu_cp_stop(dev);
    emu_compute_fini(&dev->compute);
    emu_telemetry_fini(&dev->telemetry);
    emu_events_fini(&dev->events);
    close(dev->notify_fd);
    fini_memory(dev);
}

/* ------------------------------------------------------------ interrupts */

void emu_device_notify(struct emu_device *dev)
{
    uint64_t one = 1;

    if (write(dev->notify_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        emu_err("notify eventfd: %s", strerror(errno));
}

void emu_device_raise(struct emu_device *dev, unsigned int vector)
{
    uint64_t bit = 1ull << vector;

    atomic_fetch_add_explicit(&dev->counters.interrupts, 1, memory_order_relaxed);
    /* Already pending: the serving thread has yet to raise it, and MSI-X coalesces anyway. */
    if (!(atomic_fetch_or(&dev->irq_pending, bit) & bit))
        emu_device_notify(dev);
}

bool emu_device_running(struct emu_device *dev)
{
    uint32_t control = atomic_load_explicit(&dev->regs.control, memory_order_relaxed);

    return (control & S5000_CONTROL_ENABLE) &&
           !atomic_load_explicit(&dev->reset_pending, memory_order_relaxed);
}

/* ----------------------------------------------------------------- reset */

/* Under the scheduler lock, no worker holding a queue: back to power-on state. */
static void complete_reset(struct emu_device *dev)
{
    emu_regs_reset(&dev->regs);
    emu_queues_reset(dev);
    emu_events_reset(&dev->events);
    if (fallocate(dev->bar0_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  S5000_DOORBELL_OFFSET, DOORBELL_AREA) < 0)
        emu_warn("clearing the doorbell pages: %s", strerror(errno));
    /* A reset forgets injected faults that have not struck yet. */
    atomic_store(&dev->mem.fail_next_dma, false);
    atomic_store(&dev->mem.poison_next_vram, false);
    atomic_store(&dev->irq_pending, 0);
    atomic_fetch_add(&dev->regs.reset_count, 1);
    atomic_fetch_add_explicit(&dev->counters.resets, 1, memory_order_relaxed);
    /* The event ring is gone with the reset, so the summary bit is all that tells. */
    atomic_store(&dev->regs.int_cause, S5000_INT_RESET_DONE);
    atomic_store(&dev->reset_pending, false);
    emu_debug("device reset complete");
}

void emu_device_reset_request(struct emu_device *dev)
{
    if (atomic_exchange(&dev->reset_pending, true))
        return;     /* one is under way */
    emu_cp_stop_all(dev);
    emu_cp_when_quiet(dev, complete_reset);
}

bool emu_device_reset(struct emu_device *dev, unsigned int timeout_ms)
{
    emu_device_reset_request(dev);
    if (!atomic_load(&dev->reset_pending))
        return true;
    emu_cp_wait_quiet(dev, emu_now_ns() + (uint64_t)timeout_ms * 1000000u);
    if (atomic_load(&dev->reset_pending))
        emu_cp_when_quiet(dev, complete_reset);
    return !atomic_load(&dev->reset_pending);
}

uint64_t emu_device_service(struct emu_device *dev)
{
    uint64_t count;

    if (read(dev->notify_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
        emu_err("notify eventfd: %s", strerror(errno));
    if (atomic_load(&dev->reset_pending))
        emu_cp_when_quiet(dev, complete_reset);
    return atomic_exchange(&dev->irq_pending, 0);
}

/* -------------------------------------------------------- fault injection */

void emu_device_inject_ecc(struct emu_device *dev, bool uncorrectable)
{
    struct s5000_event event = {
        .type = S5000_EVENT_ECC,
        .queue = 0xffff,
        .context = 0xffff,
        .error = uncorrectable ? S5000_ERR_ECC : S5000_ERR_NONE,
    };

    if (uncorrectable) {
        atomic_fetch_add(&dev->telemetry.ecc_uncorrected, 1);
        atomic_store(&dev->regs.error, true);
        emu_memory_poison(&dev->mem);
    } else {
        atomic_fetch_add(&dev->telemetry.ecc_corrected, 1);
    }
    emu_events_post(dev, &event, S5000_INT_ECC);
}

void emu_device_fail_next_dma(struct emu_device *dev)
{
    atomic_store(&dev->mem.fail_next_dma, true);
}

void emu_device_format_counters(struct emu_device *dev, char *buf, size_t size)
{
    struct emu_counters *c = &dev->counters;
    uint64_t packets = 0, copied = 0, filled = 0, warp_insns, thread_insns;

    for (unsigned int i = 0; i < dev->cp.nworkers; i++) {
        struct emu_worker_stats *s = &dev->cp.workers[i].stats;

        packets += atomic_load(&s->packets);
        copied += atomic_load(&s->bytes_copied);
        filled += atomic_load(&s->bytes_filled);
    }
    emu_compute_counts(&dev->compute, &warp_insns, &thread_insns);
    snprintf(buf, size,
             "packets=%" PRIu64 " bytes_copied=%" PRIu64 " bytes_filled=%" PRIu64
             " queue_errors=%" PRIu64 " faults=%" PRIu64 " resets=%" PRIu64 " kicks=%" PRIu64
             " interrupts=%" PRIu64 " events=%" PRIu64 " events_lost=%" PRIu64
             " ecc_corrected=%" PRIu64 " ecc_uncorrected=%" PRIu64
             " warp_instructions=%" PRIu64 " thread_instructions=%" PRIu64,
             packets, copied, filled, atomic_load(&c->queue_errors), atomic_load(&c->faults),
             atomic_load(&c->resets), atomic_load(&c->kicks), atomic_load(&c->interrupts),
             atomic_load(&c->events), atomic_load(&dev->events.lost),
             atomic_load(&dev->telemetry.ecc_corrected),
             atomic_load(&dev->telemetry.ecc_uncorrected), warp_insns, thread_insns);
}

/* --------------------------------------------------------- BAR accesses */

static void regs_access(struct emu_device *dev, uint64_t offset, void *buf,
                        size_t count, bool is_write)
{
    uint64_t val = 0;

    if (is_write) {
        memcpy(&val, buf, count < sizeof(val) ? count : sizeof(val));
        emu_regs_write(dev, offset, (unsigned int)count, le64toh(val));
        return;
    }
    memset(buf, 0, count);
    if (emu_regs_read(dev, offset, (unsigned int)count, &val)) {
        val = htole64(val);
        memcpy(buf, &val, count);
    }
}

static bool within(uint64_t offset, size_t count, uint64_t start, uint64_t end)
{
    return offset >= start && offset < end && count <= end - offset;
}

/* Any write to a queue's kick page wakes its command processor; reads give 0. */
static void kick_access(struct emu_device *dev, uint64_t offset, void *buf, size_t count,
                        bool is_write)
{
    unsigned int q = (unsigned int)((offset - S5000_KICK_OFFSET) / S5000_PAGE_SIZE);

    if (!is_write) {
        memset(buf, 0, count);
        return;
    }
    if (q < dev->config.num_queues)
        emu_cp_kick(dev, &dev->queue[q]);
    else
        emu_guest_error("kick page of queue %u: the device has %u queues", q,
                        dev->config.num_queues);
}

/* Copies to or from memory the command processors access atomically, a byte at a time. */
static void copy_shared(uint8_t *dst, const uint8_t *src, size_t count, bool dst_shared)
{
    for (size_t i = 0; i < count; i++) {
        if (dst_shared)
            __atomic_store_n(&dst[i], src[i], __ATOMIC_RELAXED);
        else
            dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
    }
    atomic_thread_fence(memory_order_seq_cst);
}

/*
 * The doorbell pages reached by a trapped access (a client that did not map
 * them): plain memory, and a write also kicks, as a trap costs a message anyway.
 */
static void doorbell_access(struct emu_device *dev, uint64_t offset, void *buf, size_t count,
                            bool is_write)
{
    uint64_t at = offset - S5000_DOORBELL_OFFSET;
    unsigned int q = (unsigned int)(at / S5000_PAGE_SIZE);

    if (!is_write) {
        copy_shared(buf, dev->doorbells + at, count, false);
        return;
    }
    copy_shared(dev->doorbells + at, buf, count, true);
    if (q < dev->config.num_queues && (at % S5000_PAGE_SIZE) < sizeof(uint64_t))
        emu_cp_kick(dev, &dev->queue[q]);
}

bool emu_device_bar0_access(struct emu_device *dev, uint64_t offset, void *buf,
                            size_t count, bool is_write)
{
    if (within(offset, count, 0, S5000_REGS_SIZE)) {
        regs_access(dev, offset, buf, count, is_write);
    } else if (within(offset, count, S5000_KICK_OFFSET, KICK_END)) {
        kick_access(dev, offset, buf, count, is_write);
    } else if (within(offset, count, S5000_DOORBELL_OFFSET, S5000_DOORBELL_END)) {
        doorbell_access(dev, offset, buf, count, is_write);
    } else if (within(offset, count, S5000_MSIX_TABLE_OFFSET, MSIX_AREA_END)) {
        /*
         * QEMU emulates the MSI-X table itself and only forwards PBA reads; the
         * device keeps no pending bits of its own, so the whole area reads 0.
         */
        if (!is_write)
            memset(buf, 0, count);
    } else {
        emu_guest_error("BAR0 %s of %zu bytes at 0x%llx: outside any register block",
                        is_write ? "write" : "read", count, (unsigned long long)offset);
        if (!is_write)
            memset(buf, 0, count);
    }
    return true;
}

/* Only reached when the client does not map BAR2 (e.g. QEMU's x-no-mmap). */
bool emu_device_bar2_access(struct emu_device *dev, uint64_t offset, void *buf,
                            size_t count, bool is_write)
{
    if (offset > dev->config.aperture_size || count > dev->config.aperture_size - offset) {
        emu_guest_error("BAR2 access of %zu bytes at 0x%llx: past the aperture", count,
                        (unsigned long long)offset);
        return false;
    }
    if (is_write)
        memcpy(dev->vram + offset, buf, count);
    else
        memcpy(buf, dev->vram + offset, count);
    return true;
}
