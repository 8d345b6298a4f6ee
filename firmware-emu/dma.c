// SPDX-License-Identifier: MIT
#include "dma.h"

#include <string.h>

void emu_dma_init(struct emu_dma_table *table)
{
    memset(table, 0, sizeof(*table));
}

static bool overlaps(const struct emu_dma_region *r, uint64_t gpa, uint64_t len)
{
    return gpa < r->gpa + r->len && r->gpa < gpa + len;
}

bool emu_dma_add(struct emu_dma_table *table, uint64_t gpa, uint64_t len, void *hva, int prot)
{
    if (len == 0 || gpa + len < gpa || table->count == EMU_DMA_MAX_REGIONS)
        return false;

    for (unsigned int i = 0; i < table->count; i++) {
        if (overlaps(&table->regions[i], gpa, len))
            return false;
    }
    table->regions[table->count++] = (struct emu_dma_region){
        .gpa = gpa, .len = len, .hva = hva, .prot = prot,
    };
    return true;
}

bool emu_dma_remove(struct emu_dma_table *table, uint64_t gpa, uint64_t len)
{
    for (unsigned int i = 0; i < table->count; i++) {
        struct emu_dma_region *r = &table->regions[i];

        if (r->gpa == gpa && r->len == len) {
            *r = table->regions[--table->count];
            return true;
        }
    }
    return false;
}

void *emu_dma_translate(const struct emu_dma_table *table, uint64_t gpa, uint64_t len, int prot)
{
    if (gpa + len < gpa)
        return NULL;

    for (unsigned int i = 0; i < table->count; i++) {
        const struct emu_dma_region *r = &table->regions[i];

        if (gpa >= r->gpa && gpa + len <= r->gpa + r->len && (r->prot & prot) == prot)
            return r->hva + (gpa - r->gpa);
    }
    return NULL;
}
