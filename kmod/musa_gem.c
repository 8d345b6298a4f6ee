// SPDX-License-Identifier: GPL-2.0
/*
 * Memory objects. System memory uses the shmem helpers (pinned and DMA-mapped
 * while GPU-mapped); VRAM comes from the buddy allocator and is cleared by the
 * device before anyone sees it; user memory is pinned for the object's life; a
 * queue's doorbell pages are device memory in BAR0. VRAM and doorbells are mapped
 * into user space by fault handlers, so a revoked doorbell or an unplugged device
 * can never be reached through a stale mapping.
 */
#include <drm/drm_drv.h>
#include <drm/drm_prime.h>
#include <drm/drm_vma_manager.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/scatterlist.h>
#include <linux/vmalloc.h>

#include "musa_drv.h"
#include "musa_file.h"
#include "musa_gem.h"
#include "musa_ring.h"
#include "musa_vm.h"

static void musa_bo_init(struct musa_device *mdev, struct musa_bo *bo, u32 placement,
			 u32 flags)
{
	atomic_inc(&mdev->objects[placement]);
	bo->placement = placement;
	bo->flags = flags;
	mutex_init(&bo->lock);
	INIT_LIST_HEAD(&bo->mappings);
	INIT_LIST_HEAD(&bo->blocks);
}

/* A handle of the object was closed: the file's VM lets go of it. */
static void musa_bo_close(struct drm_gem_object *obj, struct drm_file *file)
{
	struct musa_file *mfile = file->driver_priv;

	if (mfile->vm)
		musa_vm_unbind_bo(mfile->vm, to_musa_bo(obj));
}

/* Objects that only this device may use cannot be attached by others. */
static int musa_bo_pin_refused(struct drm_gem_object *obj)
{
	return -EOPNOTSUPP;
}

static void musa_bo_free(struct drm_gem_object *obj)
{
	struct musa_bo *bo = to_musa_bo(obj);
	unsigned long npages = obj->size >> PAGE_SHIFT;

	drm_WARN_ON(obj->dev, !list_empty(&bo->mappings));
	atomic_dec(&to_musa_device(obj->dev)->objects[bo->placement]);
	mutex_destroy(&bo->lock);
	switch (bo->placement) {
	case MUSA_PLACEMENT_SYSTEM:
		drm_gem_shmem_free(&bo->shmem);
		return;
	case MUSA_PLACEMENT_VRAM:
		musa_vram_free(musa_bo_mdev(bo), &bo->blocks);
		break;
	case MUSA_PLACEMENT_USERPTR:
		/* Pinned and mapped, or (creation failed) neither. */
		if (bo->sgt) {
			dma_unmap_sgtable(obj->dev->dev, bo->sgt, DMA_BIDIRECTIONAL, 0);
			sg_free_table(bo->sgt);
			kfree(bo->sgt);
			unpin_user_pages_dirty_lock(bo->pages, npages,
						    !(bo->flags & MUSA_BO_READ_ONLY));
			kvfree(bo->pages);
		}
		break;
	}
	drm_gem_object_release(obj);
	kfree(bo);
}

/* The page offset of a fault in the object. */
static pgoff_t musa_fault_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct drm_gem_object *obj = vma->vm_private_data;

	return ((vmf->address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff -
	       drm_vma_node_start(&obj->vma_node);
}

/* The VRAM offset of byte offset of a VRAM object. */
static u64 musa_bo_vram_offset(struct musa_bo *bo, u64 offset)
{
	struct drm_buddy *mm = &musa_bo_mdev(bo)->vram.mm;
	struct drm_buddy_block *block;
	u64 size;

	list_for_each_entry(block, &bo->blocks, link) {
		size = drm_buddy_block_size(mm, block);
		if (offset < size)
			return drm_buddy_block_offset(block) + offset;
		offset -= size;
	}
	return U64_MAX;
}

static vm_fault_t musa_bo_vram_fault(struct vm_fault *vmf)
{
	struct drm_gem_object *obj = vmf->vma->vm_private_data;
	struct musa_bo *bo = to_musa_bo(obj);
	struct musa_device *mdev = musa_bo_mdev(bo);
	u64 offset = musa_bo_vram_offset(bo, (u64)musa_fault_page(vmf) << PAGE_SHIFT);
	vm_fault_t ret;
	int idx;

	if (offset >= mdev->vram.visible || !drm_dev_enter(obj->dev, &idx))
		return VM_FAULT_SIGBUS;
	ret = vmf_insert_pfn(vmf->vma, vmf->address, PHYS_PFN(mdev->vram.bar + offset));
	drm_dev_exit(idx);
	return ret;
}

static const struct vm_operations_struct musa_bo_vram_vm_ops = {
	.fault = musa_bo_vram_fault,
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

static int musa_bo_vram_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	if (!(to_musa_bo(obj)->flags & MUSA_BO_CPU_VISIBLE))
		return -EINVAL;
	musa_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = pgprot_writecombine(vm_get_page_prot(vma->vm_flags));
	return 0;
}

static const struct drm_gem_object_funcs musa_bo_vram_funcs = {
	.free = musa_bo_free,
	.close = musa_bo_close,
	.pin = musa_bo_pin_refused,
	.mmap = musa_bo_vram_mmap,
	.vm_ops = &musa_bo_vram_vm_ops,
};

static const struct drm_gem_object_funcs musa_bo_system_funcs = {
	.free = musa_bo_free,
	.close = musa_bo_close,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

static const struct drm_gem_object_funcs musa_bo_userptr_funcs = {
	.free = musa_bo_free,
	.close = musa_bo_close,
	.pin = musa_bo_pin_refused,
};

/* Page 0: the doorbell/status page; page 1: the kick page. */
static vm_fault_t musa_bo_doorbell_fault(struct vm_fault *vmf)
{
	struct drm_gem_object *obj = vmf->vma->vm_private_data;
	struct musa_bo *bo = to_musa_bo(obj);
	struct musa_device *mdev = musa_bo_mdev(bo);
	resource_size_t phys = pci_resource_start(mdev->pdev, S5000_BAR_REGS);
	pgoff_t page = musa_fault_page(vmf);
	vm_fault_t ret = VM_FAULT_SIGBUS;
	int idx;

	mutex_lock(&bo->lock);
	if (!bo->revoked && page < 2 && drm_dev_enter(obj->dev, &idx)) {
		phys += page ? S5000_KICK_PAGE(bo->hwid) : S5000_DOORBELL_PAGE(bo->hwid);
		ret = vmf_insert_pfn(vmf->vma, vmf->address, PHYS_PFN(phys));
		drm_dev_exit(idx);
	}
	mutex_unlock(&bo->lock);
	return ret;
}

static const struct vm_operations_struct musa_bo_doorbell_vm_ops = {
	.fault = musa_bo_doorbell_fault,
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

static int musa_bo_doorbell_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct musa_bo *bo = to_musa_bo(obj);
	bool revoked;

	mutex_lock(&bo->lock);
	revoked = bo->revoked;
	mutex_unlock(&bo->lock);
	if (revoked)
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	musa_vm_flags_clear(vma, VM_MAYEXEC);
	musa_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
	vma->vm_page_prot = pgprot_noncached(vm_get_page_prot(vma->vm_flags));
	return 0;
}

/* A doorbell belongs to one process: it cannot be shared through PRIME. */
static struct dma_buf *musa_bo_doorbell_export(struct drm_gem_object *obj, int flags)
{
	return ERR_PTR(-EPERM);
}

static const struct drm_gem_object_funcs musa_bo_doorbell_funcs = {
	.free = musa_bo_free,
	.export = musa_bo_doorbell_export,
	.mmap = musa_bo_doorbell_mmap,
	.vm_ops = &musa_bo_doorbell_vm_ops,
};

/* drm_driver.gem_create_object: the shmem helpers create system-memory objects. */
struct drm_gem_object *musa_gem_create_object(struct drm_device *drm, size_t size)
{
	struct musa_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	musa_bo_init(to_musa_device(drm), bo, MUSA_PLACEMENT_SYSTEM, 0);
	bo->base.funcs = &musa_bo_system_funcs;
	return &bo->base;
}

static struct musa_bo *musa_bo_alloc(struct musa_device *mdev, u64 size, u32 placement,
				     u32 flags, const struct drm_gem_object_funcs *funcs)
{
	struct musa_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	musa_bo_init(mdev, bo, placement, flags);
	bo->base.funcs = funcs;
	drm_gem_private_object_init(&mdev->drm, &bo->base, size);
	return bo;
}

static struct musa_bo *musa_bo_create_vram(struct musa_device *mdev, u64 size, u32 flags)
{
	struct musa_bo *bo;
	int ret;

	bo = musa_bo_alloc(mdev, size, MUSA_PLACEMENT_VRAM, flags, &musa_bo_vram_funcs);
	if (IS_ERR(bo))
		return bo;
	ret = musa_vram_alloc(mdev, size, flags & MUSA_BO_CPU_VISIBLE, &bo->blocks);
	if (ret)
		goto err_put;
	ret = musa_ring_clear_vram(mdev->kring, &bo->blocks);
	if (ret)
		goto err_put;
	if (flags & MUSA_BO_CPU_VISIBLE) {
		ret = drm_gem_create_mmap_offset(&bo->base);
		if (ret)
			goto err_put;
	}
	return bo;

err_put:
	drm_gem_object_put(&bo->base);
	return ERR_PTR(ret);
}

static struct musa_bo *musa_bo_create_system(struct musa_device *mdev, u64 size, u32 flags)
{
	struct drm_gem_shmem_object *shmem;
	struct musa_bo *bo;

	if (size >> PAGE_SHIFT > totalram_pages())
		return ERR_PTR(-ENOMEM);
	shmem = drm_gem_shmem_create(&mdev->drm, size);
	if (IS_ERR(shmem))
		return ERR_CAST(shmem);
	bo = container_of(shmem, struct musa_bo, shmem);
	bo->flags = flags;
	return bo;
}

static int musa_bo_pin_user(struct musa_bo *bo, u64 start)
{
	unsigned long npages = bo->base.size >> PAGE_SHIFT;
	unsigned int gup = FOLL_LONGTERM;
	struct device *dev = bo->base.dev->dev;
	int pinned, ret;

	if (!(bo->flags & MUSA_BO_READ_ONLY))
		gup |= FOLL_WRITE;
	bo->pages = kvmalloc_array(npages, sizeof(*bo->pages), GFP_KERNEL);
	bo->sgt = kzalloc(sizeof(*bo->sgt), GFP_KERNEL);
	if (!bo->pages || !bo->sgt) {
		ret = -ENOMEM;
		goto err_free;
	}
	pinned = pin_user_pages_fast(start, npages, gup, bo->pages);
	if (pinned != npages) {
		ret = pinned < 0 ? pinned : -EFAULT;
		if (pinned > 0)
			unpin_user_pages(bo->pages, pinned);
		goto err_free;
	}
	ret = sg_alloc_table_from_pages(bo->sgt, bo->pages, npages, 0, bo->base.size,
					GFP_KERNEL);
	if (ret)
		goto err_unpin;
	ret = dma_map_sgtable(dev, bo->sgt, DMA_BIDIRECTIONAL, 0);
	if (ret)
		goto err_free_table;
	return 0;

err_free_table:
	sg_free_table(bo->sgt);
err_unpin:
	unpin_user_pages(bo->pages, npages);
err_free:
	kfree(bo->sgt);
	kvfree(bo->pages);
	bo->sgt = NULL;
	bo->pages = NULL;
	return ret;
}

static struct musa_bo *musa_bo_create_userptr(struct musa_device *mdev, u64 start, u64 size,
					      u32 flags)
{
	struct musa_bo *bo;
	int ret;

	if (size >> PAGE_SHIFT > totalram_pages())
		return ERR_PTR(-ENOMEM);
	bo = musa_bo_alloc(mdev, size, MUSA_PLACEMENT_USERPTR, flags, &musa_bo_userptr_funcs);
	if (IS_ERR(bo))
		return bo;
	ret = musa_bo_pin_user(bo, start);
	if (ret) {
		drm_gem_object_put(&bo->base);
		return ERR_PTR(ret);
	}
	return bo;
}

struct musa_bo *musa_bo_create_doorbell(struct musa_device *mdev, u32 hwid)
{
	struct musa_bo *bo;
	int ret;

	BUILD_BUG_ON(PAGE_SIZE != S5000_PAGE_SIZE);
	bo = musa_bo_alloc(mdev, 2 * PAGE_SIZE, MUSA_PLACEMENT_DOORBELL, 0,
			   &musa_bo_doorbell_funcs);
	if (IS_ERR(bo))
		return bo;
	bo->hwid = hwid;
	ret = drm_gem_create_mmap_offset(&bo->base);
	if (ret) {
		drm_gem_object_put(&bo->base);
		return ERR_PTR(ret);
	}
	return bo;
}

/* The doorbell's queue is gone: every CPU mapping of it, now and later, faults. */
void musa_bo_revoke(struct musa_bo *bo)
{
	struct musa_device *mdev = musa_bo_mdev(bo);

	mutex_lock(&bo->lock);
	bo->revoked = true;
	mutex_unlock(&bo->lock);
	drm_vma_node_unmap(&bo->base.vma_node, mdev->drm.anon_inode->i_mapping);
}

/* The DMA addresses of a system or user object, pinning shmem pages on first use. */
struct sg_table *musa_bo_sgt(struct musa_bo *bo)
{
	switch (bo->placement) {
	case MUSA_PLACEMENT_SYSTEM:
		if (bo->base.import_attach)
			return bo->shmem.sgt;
		return drm_gem_shmem_get_pages_sgt(&bo->shmem);
	case MUSA_PLACEMENT_USERPTR:
		return bo->sgt;
	default:
		return ERR_PTR(-EINVAL);
	}
}

/* Where the CPU reads the 64-bit word at offset; -EINVAL if it cannot. */
int musa_bo_cpu_ptr(struct musa_bo *bo, u64 offset, struct musa_cpu_ptr *ptr)
{
	struct musa_device *mdev = musa_bo_mdev(bo);
	struct sg_table *sgt;
	u64 vram;

	memset(ptr, 0, sizeof(*ptr));
	ptr->offset = offset_in_page(offset);
	switch (bo->placement) {
	case MUSA_PLACEMENT_VRAM:
		vram = musa_bo_vram_offset(bo, offset);
		if (vram >= mdev->vram.visible)
			return -EINVAL;
		ptr->io = mdev->vram.map + vram;
		return 0;
	case MUSA_PLACEMENT_SYSTEM:
		if (bo->base.import_attach)
			return -EINVAL;
		sgt = musa_bo_sgt(bo);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
		ptr->page = bo->shmem.pages[offset >> PAGE_SHIFT];
		return 0;
	case MUSA_PLACEMENT_USERPTR:
		ptr->page = bo->pages[offset >> PAGE_SHIFT];
		return 0;
	default:
		return -EINVAL;
	}
}

/* Reads the word; for VRAM the caller is inside drm_dev_enter(). */
u64 musa_cpu_ptr_read(struct musa_device *mdev, const struct musa_cpu_ptr *ptr)
{
	u64 val;
	void *va;

	if (!ptr->page)
		return readq(ptr->io);
	va = kmap_local_page(ptr->page);
	val = READ_ONCE(*(u64 *)(va + ptr->offset));
	kunmap_local(va);
	return val;
}

struct musa_bo *musa_bo_lookup(struct drm_file *file, u32 handle)
{
	struct drm_gem_object *obj = drm_gem_object_lookup(file, handle);

	return obj ? to_musa_bo(obj) : NULL;
}

/*
 * Maps a new object into the file's VM (unless MUSA_BO_NO_VA) and gives the file a
 * handle; the caller's reference goes either way.
 */
static int musa_bo_publish(struct drm_file *file, struct musa_bo *bo, u32 flags, u64 *va,
			   u32 *handle)
{
	struct musa_vm *vm = NULL;
	int ret = 0;

	if (!(flags & MUSA_BO_NO_VA)) {
		vm = musa_file_vm(file->driver_priv);
		ret = IS_ERR(vm) ? PTR_ERR(vm) : musa_vm_bind(vm, bo, flags, va);
	}
	if (!ret) {
		ret = drm_gem_handle_create(file, &bo->base, handle);
		if (ret && vm)
			musa_vm_unbind_bo(vm, bo);
	}
	drm_gem_object_put(&bo->base);
	return ret;
}

static int musa_bo_create_check(struct drm_musa_bo_create *args)
{
	if (args->pad || args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (args->flags & ~MUSA_BO_FLAGS)
		return -EINVAL;
	if ((args->flags & MUSA_BO_NO_VA) && (args->flags & MUSA_BO_FIXED_VA))
		return -EINVAL;
	if (args->placement != MUSA_PLACEMENT_VRAM && args->placement != MUSA_PLACEMENT_SYSTEM)
		return -EINVAL;
	/* Rounding up to the page size must not wrap. */
	if (!args->size || args->size > U64_MAX - PAGE_SIZE + 1)
		return -EINVAL;
	if (args->flags & MUSA_BO_FIXED_VA)
		return musa_vm_check_va(args->gpu_va, PAGE_ALIGN(args->size));
	return 0;
}

int musa_bo_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct musa_device *mdev = to_musa_device(drm);
	struct drm_musa_bo_create *args = data;
	u64 size, va = args->gpu_va;
	struct musa_bo *bo;
	u32 handle;
	int ret, idx;

	ret = musa_bo_create_check(args);
	if (ret)
		return ret;
	size = PAGE_ALIGN(args->size);
	ret = musa_dev_enter(mdev, &idx);
	if (ret)
		return ret;
	if (args->placement == MUSA_PLACEMENT_VRAM)
		bo = musa_bo_create_vram(mdev, size, args->flags);
	else
		bo = musa_bo_create_system(mdev, size, args->flags);
	ret = IS_ERR(bo) ? PTR_ERR(bo) : musa_bo_publish(file, bo, args->flags, &va, &handle);
	drm_dev_exit(idx);
	if (ret)
		return ret;
	args->handle = handle;
	args->gpu_va = args->flags & MUSA_BO_NO_VA ? 0 : va;
	return 0;
}

int musa_bo_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct musa_file *mfile = file->driver_priv;
	struct drm_musa_bo_info *args = data;
	struct musa_bo *bo;

	if (args->pad)
		return -EINVAL;
	bo = musa_bo_lookup(file, args->handle);
	if (!bo)
		return -ENOENT;
	args->flags = bo->flags;
	args->size = bo->base.size;
	args->placement = bo->placement;
	args->gpu_va = musa_vm_bo_va(mfile->vm, bo);
	args->mmap_offset = 0;
	if (drm_mm_node_allocated(&bo->base.vma_node.vm_node))
		args->mmap_offset = drm_vma_node_offset_addr(&bo->base.vma_node);
	drm_gem_object_put(&bo->base);
	return 0;
}

static int musa_bo_userptr_check(struct drm_musa_bo_userptr *args)
{
	if (args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (args->flags & ~(MUSA_BO_FIXED_VA | MUSA_BO_READ_ONLY))
		return -EINVAL;
	if (!args->size || !PAGE_ALIGNED(args->user_ptr | args->size))
		return -EINVAL;
	if (args->user_ptr + args->size < args->user_ptr)
		return -EINVAL;
	if (args->flags & MUSA_BO_FIXED_VA)
		return musa_vm_check_va(args->gpu_va, args->size);
	return 0;
}

int musa_bo_userptr_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct musa_device *mdev = to_musa_device(drm);
	struct drm_musa_bo_userptr *args = data;
	u64 va = args->gpu_va;
	struct musa_bo *bo;
	u32 handle;
	int ret, idx;

	ret = musa_bo_userptr_check(args);
	if (ret)
		return ret;
	ret = musa_dev_enter(mdev, &idx);
	if (ret)
		return ret;
	bo = musa_bo_create_userptr(mdev, args->user_ptr, args->size, args->flags);
	ret = IS_ERR(bo) ? PTR_ERR(bo) : musa_bo_publish(file, bo, args->flags, &va, &handle);
	drm_dev_exit(idx);
	if (ret)
		return ret;
	args->handle = handle;
	args->gpu_va = va;
	return 0;
}
