// SPDX-License-Identifier: GPL-2.0
/*
 * VRAM allocation. CPU-visible objects and page tables come from the aperture at
 * the bottom of VRAM; everything else is allocated top-down to leave it free.
 */
#include <drm/drm_managed.h>

#include "musa_drv.h"

static void musa_vram_fini(struct drm_device *drm, void *arg)
{
	struct musa_vram *vram = arg;

	musa_buddy_free_list(&vram->mm, &vram->reserved);
	drm_buddy_fini(&vram->mm);
}

int musa_vram_init(struct musa_device *mdev)
{
	struct musa_vram *vram = &mdev->vram;
	struct pci_dev *pdev = mdev->pdev;
	int ret;

	vram->size = mdev->vram_size;
	vram->visible = mdev->aperture_size;
	vram->bar = pci_resource_start(pdev, S5000_BAR_VRAM);
	INIT_LIST_HEAD(&vram->reserved);
	ret = drmm_mutex_init(&mdev->drm, &vram->lock);
	if (ret)
		return ret;

	vram->map = devm_ioremap_wc(&pdev->dev, vram->bar, vram->visible);
	if (!vram->map)
		return -ENOMEM;

	ret = drm_buddy_init(&vram->mm, vram->size, S5000_PAGE_SIZE);
	if (ret)
		return ret;
	ret = drm_buddy_alloc_blocks(&vram->mm, 0, S5000_PAGE_SIZE, S5000_PAGE_SIZE,
				     S5000_PAGE_SIZE, &vram->reserved, 0);
	if (ret) {
		drm_buddy_fini(&vram->mm);
		return ret;
	}
	return drmm_add_action_or_reset(&mdev->drm, musa_vram_fini, vram);
}

/*
 * Allocates size bytes (a multiple of the page size) as a list of buddy blocks.
 * Returns -ENOMEM when VRAM (or the aperture, for visible memory) cannot hold it.
 */
int musa_vram_alloc(struct musa_device *mdev, u64 size, bool visible, struct list_head *blocks)
{
	struct musa_vram *vram = &mdev->vram;
	u64 end = visible ? vram->visible : vram->size;
	unsigned long flags = visible ? DRM_BUDDY_RANGE_ALLOCATION : DRM_BUDDY_TOPDOWN_ALLOCATION;
	int ret;

	/* The buddy allocator must not be asked for more than it manages. */
	if (!size || size > end)
		return -ENOMEM;

	mutex_lock(&vram->lock);
	ret = drm_buddy_alloc_blocks(&vram->mm, 0, end, size, S5000_PAGE_SIZE, blocks, flags);
	if (!ret)
		vram->used += size;
	mutex_unlock(&vram->lock);
	return ret == -ENOSPC ? -ENOMEM : ret;
}

void musa_vram_free(struct musa_device *mdev, struct list_head *blocks)
{
	struct musa_vram *vram = &mdev->vram;
	struct drm_buddy_block *block;
	u64 size = 0;

	if (list_empty(blocks))
		return;
	list_for_each_entry(block, blocks, link)
		size += drm_buddy_block_size(&vram->mm, block);
	mutex_lock(&vram->lock);
	musa_buddy_free_list(&vram->mm, blocks);
	vram->used -= size;
	mutex_unlock(&vram->lock);
}

u64 musa_vram_used(struct musa_device *mdev)
{
	return READ_ONCE(mdev->vram.used);
}
