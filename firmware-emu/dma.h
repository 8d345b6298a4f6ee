/* SPDX-License-Identifier: MIT */
/*
 * Guest-physical to host-virtual translation for device DMA.
 *
 * The vfio-user front end adds an entry for every DMA region the client shared
 * with a file descriptor (and so a host mapping), and removes it when the
 * client unmaps it. The device core looks addresses up here and never talks
 * to the front end. Single-threaded for now: when command-processor threads
 * arrive, lookups and updates need an rwlock around them.
 */
#ifndef EMU_DMA_H
#define EMU_DMA_H

#include <stdbool.h>
#include <stdint.h>

/* The bundled libvfio-user allows 16 regions, upstream 64. */
#define EMU_DMA_MAX_REGIONS 64

struct emu_dma_region {
    uint64_t gpa;
    uint64_t len;
    uint8_t *hva;
    int prot;           /* PROT_READ | PROT_WRITE */
};

struct emu_dma_table {
    struct emu_dma_region regions[EMU_DMA_MAX_REGIONS];
    unsigned int count;
};

void emu_dma_init(struct emu_dma_table *table);

/* False if the table is full or the range overlaps an existing region. */
bool emu_dma_add(struct emu_dma_table *table, uint64_t gpa, uint64_t len, void *hva, int prot);

/* False if no region is exactly [gpa, gpa + len). */
bool emu_dma_remove(struct emu_dma_table *table, uint64_t gpa, uint64_t len);

/*
 * Host pointer for [gpa, gpa + len), or NULL unless the whole range lies in
 * one region that allows every access in prot.
 */
void *emu_dma_translate(const struct emu_dma_table *table, uint64_t gpa, uint64_t len, int prot);

#endif /* EMU_DMA_H */
