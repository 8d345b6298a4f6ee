/* SPDX-License-Identifier: MIT */
/*
 * The S5000 device core: its memory (BAR0 backing, VRAM), the register file
 * and the DMA translation table, with BAR accessors for whatever transport
 * serves it. No vfio-user here.
 */
#ifndef EMU_DEVICE_H
#define EMU_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dma.h"
#include "regs.h"

struct emu_config {
    uint64_t vram_size;
    uint64_t aperture_size;     /* the first part of VRAM, seen through BAR2 */
};

struct emu_device {
    struct emu_config config;
    struct emu_regs regs;
    struct emu_dma_table dma;
    int bar0_fd;        /* memfd of S5000_BAR0_SIZE; clients map only its doorbell pages */
    int vram_fd;        /* sparse memfd of config.vram_size */
};

/* Returns 0, or -1 with the reason logged. */
int emu_device_init(struct emu_device *dev, const struct emu_config *config);
void emu_device_fini(struct emu_device *dev);

/* Device reset: registers and doorbell pages to their power-on state. Idempotent. */
void emu_device_reset(struct emu_device *dev);

/*
 * Trapped BAR accesses, offset relative to the BAR and already bounds-checked
 * against its size. Guest errors are logged and complete harmlessly (reads
 * give zeros); false only if the host itself failed.
 */
bool emu_device_bar0_access(struct emu_device *dev, uint64_t offset, void *buf,
                            size_t count, bool is_write);
bool emu_device_bar2_access(struct emu_device *dev, uint64_t offset, void *buf,
                            size_t count, bool is_write);

#endif /* EMU_DEVICE_H */
