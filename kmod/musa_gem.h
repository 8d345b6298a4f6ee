/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory objects: VRAM (buddy blocks), system memory (shmem, or imported with
 * PRIME), pinned user memory, and the doorbell pages of a user-mode queue.
 */
#ifndef MUSA_GEM_H
#define MUSA_GEM_H

#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <linux/list.h>
#include <linux/mutex.h>

struct musa_device;
struct musa_vm;

/**
 * struct musa_bo - a memory object
 * @base: the GEM object (every kind)
 * @shmem: the shmem helper's object (MUSA_PLACEMENT_SYSTEM only)
 * @placement: MUSA_PLACEMENT_*
 * @flags: MUSA_BO_* it was created with
 * @lock: guards @mappings, and @revoked of a doorbell object
 * @mappings: struct musa_mapping of this object, one per VM at most
 * @blocks: VRAM blocks (MUSA_PLACEMENT_VRAM)
 * @pages: pinned user pages (MUSA_PLACEMENT_USERPTR)
 * @sgt: their DMA mapping (MUSA_PLACEMENT_USERPTR)
 * @hwid: hardware queue of a doorbell object
 * @revoked: the doorbell's queue was destroyed: no more CPU mappings
 */
struct musa_bo {
	union {
		struct drm_gem_object base;
		struct drm_gem_shmem_object shmem;
	};
	u32 placement;
	u32 flags;
	struct mutex lock;		/* guards mappings, revoked */
	struct list_head mappings;
	struct list_head blocks;
	struct page **pages;
	struct sg_table *sgt;
	u32 hwid;
	bool revoked;
};

static inline struct musa_bo *to_musa_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct musa_bo, base);
}

static inline struct musa_device *musa_bo_mdev(struct musa_bo *bo)
{
	return container_of(bo->base.dev, struct musa_device, drm);
}

/**
 * struct musa_cpu_ptr - where the kernel reads a 64-bit word of an object
 * @page: the system page holding it, or NULL
 * @io: its address in the aperture mapping, when @page is NULL
 * @offset: byte offset in @page
 */
struct musa_cpu_ptr {
	struct page *page;
	void __iomem *io;
	unsigned int offset;
};

struct drm_gem_object *musa_gem_create_object(struct drm_device *drm, size_t size);
struct musa_bo *musa_bo_create_doorbell(struct musa_device *mdev, u32 hwid);
void musa_bo_revoke(struct musa_bo *bo);
struct sg_table *musa_bo_sgt(struct musa_bo *bo);
int musa_bo_cpu_ptr(struct musa_bo *bo, u64 offset, struct musa_cpu_ptr *ptr);
u64 musa_cpu_ptr_read(struct musa_device *mdev, const struct musa_cpu_ptr *ptr);
struct musa_bo *musa_bo_lookup(struct drm_file *file, u32 handle);

int musa_bo_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int musa_bo_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int musa_bo_userptr_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* MUSA_GEM_H */
