// SPDX-License-Identifier: MIT
#include "device.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../uapi/s5000.h"
#include "log.h"

/* The PBA sits alone on the 4 KiB page that follows the MSI-X table's. */
#define MSIX_AREA_END (S5000_MSIX_PBA_OFFSET + 0x1000)

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

int emu_device_init(struct emu_device *dev, const struct emu_config *config)
{
    dev->config = *config;
    emu_regs_init(&dev->regs, config->vram_size, config->aperture_size);
    emu_dma_init(&dev->dma);

    dev->bar0_fd = sized_memfd("s5000-bar0", S5000_BAR0_SIZE);
    if (dev->bar0_fd < 0)
        return -1;
    dev->vram_fd = sized_memfd("s5000-vram", config->vram_size);
    if (dev->vram_fd < 0) {
        close(dev->bar0_fd);
        return -1;
    }
    return 0;
}

void emu_device_fini(struct emu_device *dev)
{
    close(dev->vram_fd);
    close(dev->bar0_fd);
}

void emu_device_reset(struct emu_device *dev)
{
    emu_regs_reset(&dev->regs);
    if (fallocate(dev->bar0_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  S5000_DOORBELL_OFFSET, S5000_BAR0_SIZE - S5000_DOORBELL_OFFSET) < 0)
        emu_warn("clearing the doorbell pages: %s", strerror(errno));
}

/* Plain memory behind a trapped access: the same bytes the client may have mapped. */
static bool fd_access(int fd, uint64_t offset, void *buf, size_t count, bool is_write)
{
    ssize_t done = is_write ? pwrite(fd, buf, count, (off_t)offset)
                            : pread(fd, buf, count, (off_t)offset);

    if (done == (ssize_t)count)
        return true;
    emu_err("%s of %zu bytes at 0x%llx of a memfd: %s", is_write ? "write" : "read",
            count, (unsigned long long)offset, done < 0 ? strerror(errno) : "short");
    return false;
}

static void regs_access(struct emu_regs *regs, uint64_t offset, void *buf,
                        size_t count, bool is_write)
{
    uint64_t val = 0;

    if (is_write) {
        memcpy(&val, buf, count < sizeof(val) ? count : sizeof(val));
        emu_regs_write(regs, offset, (unsigned int)count, le64toh(val));
        return;
    }
    memset(buf, 0, count);
    if (emu_regs_read(regs, offset, (unsigned int)count, &val)) {
        val = htole64(val);
        memcpy(buf, &val, count);
    }
}

static bool within(uint64_t offset, size_t count, uint64_t start, uint64_t end)
{
    return offset >= start && offset < end && count <= end - offset;
}

bool emu_device_bar0_access(struct emu_device *dev, uint64_t offset, void *buf,
                            size_t count, bool is_write)
{
    if (within(offset, count, 0, S5000_REGS_SIZE)) {
        regs_access(&dev->regs, offset, buf, count, is_write);
        return true;
    }
    if (within(offset, count, S5000_DOORBELL_OFFSET, S5000_BAR0_SIZE))
        return fd_access(dev->bar0_fd, offset, buf, count, is_write);

    /*
     * QEMU emulates the MSI-X table itself and only forwards PBA reads; the
     * device keeps no pending bits of its own, so the whole MSI-X area reads 0.
     */
    if (within(offset, count, S5000_MSIX_TABLE_OFFSET, MSIX_AREA_END)) {
        emu_debug("MSI-X area %s at 0x%llx, %zu bytes", is_write ? "write" : "read",
                  (unsigned long long)offset, count);
    } else {
        emu_guest_error("BAR0 %s of %zu bytes at 0x%llx: outside any register block",
                        is_write ? "write" : "read", count, (unsigned long long)offset);
    }
    if (!is_write)
        memset(buf, 0, count);
    return true;
}

bool emu_device_bar2_access(struct emu_device *dev, uint64_t offset, void *buf,
                            size_t count, bool is_write)
{
    return fd_access(dev->vram_fd, offset, buf, count, is_write);
}
