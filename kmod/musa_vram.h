/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VRAM: a buddy allocator over the device's memory, and the CPU's write-combined
 * window onto the part of it behind the PCI aperture (BAR2).
 */
#ifndef MUSA_VRAM_H
#define MUSA_VRAM_H

#include <drm/drm_buddy.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct musa_device;

/**
 * struct musa_vram - the device's memory
 * @mm: buddy allocator over all of VRAM, in VRAM offsets
 * @lock: guards @mm and the counters
 * @size: bytes of VRAM
 * @visible: bytes at the start of VRAM the CPU reaches through BAR2
 * @used: bytes allocated, page tables included
 * @bar: physical address of BAR2
 * @map: kernel mapping of the aperture, write-combined
 * @reserved: VRAM page 0, never handed out (0 means "no page table" to the device)
 */
struct musa_vram {
	struct drm_buddy mm;
	struct mutex lock;		/* guards mm and used */
	u64 size;
	u64 visible;
	u64 used;
	resource_size_t bar;
	void __iomem *map;
	struct list_head reserved;
};

int musa_vram_init(struct musa_device *mdev);
int musa_vram_alloc(struct musa_device *mdev, u64 size, bool visible, struct list_head *blocks);
void musa_vram_free(struct musa_device *mdev, struct list_head *blocks);
u64 musa_vram_used(struct musa_device *mdev);

#endif /* MUSA_VRAM_H */
