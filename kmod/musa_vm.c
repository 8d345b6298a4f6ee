// SPDX-License-Identifier: GPL-2.0
/*
 * GPU address spaces. Each has a device context whose 4-level page tables
 * (uapi/s5000.h, "device MMU") live in the CPU-visible part of VRAM and are written
 * through the aperture. A shadow tree in kernel memory records which entries point
 * to tables and which map pages, so nothing is ever read back from VRAM, and tables
 * are freed as soon as they are empty.
 */
#include <drm/drm_drv.h>
#include <linux/bitmap.h>
#include <linux/scatterlist.h>

#include "musa_drv.h"
#include "musa_file.h"
#include "musa_gem.h"
#include "musa_vm.h"

/**
 * struct musa_pt - one page table and its shadow
 * @offset: VRAM offset of the table
 * @blocks: its VRAM
 * @used: valid entries
 * @leaf: entries that map pages
 * @child: at levels 1 to 3, the table behind each entry that points to one
 */
struct musa_pt {
	u64 offset;
	struct list_head blocks;
	unsigned int used;
	DECLARE_BITMAP(leaf, S5000_PT_ENTRIES);
	struct musa_pt **child;
};

#define MUSA_PT_ROOT_LEVEL	(S5000_PT_LEVELS - 1)

static struct musa_pt *musa_pt_alloc(struct musa_vm *vm, int level)
{
	struct musa_device *mdev = vm->mdev;
	struct drm_buddy_block *block;
	struct musa_pt *pt;
	int ret;

	pt = kzalloc(sizeof(*pt), GFP_KERNEL);
	if (!pt)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&pt->blocks);
	if (level > 0) {
		pt->child = kcalloc(S5000_PT_ENTRIES, sizeof(*pt->child), GFP_KERNEL);
		if (!pt->child) {
			ret = -ENOMEM;
			goto err_free;
		}
	}
	ret = musa_vram_alloc(mdev, S5000_PAGE_SIZE, true, &pt->blocks);
	if (ret)
		goto err_free;
	block = list_first_entry(&pt->blocks, struct drm_buddy_block, link);
	pt->offset = drm_buddy_block_offset(block);
	memset_io(mdev->vram.map + pt->offset, 0, S5000_PAGE_SIZE);
	vm->pt_bytes += S5000_PAGE_SIZE;
	return pt;

err_free:
	kfree(pt->child);
	kfree(pt);
	return ERR_PTR(ret);
}

static void musa_pt_free(struct musa_vm *vm, struct musa_pt *pt, int level)
{
	int i;

	if (level > 0)
		for (i = 0; i < S5000_PT_ENTRIES; i++)
			if (pt->child[i])
				musa_pt_free(vm, pt->child[i], level - 1);
	musa_vram_free(vm->mdev, &pt->blocks);
	vm->pt_bytes -= S5000_PAGE_SIZE;
	kfree(pt->child);
	kfree(pt);
}

static void musa_pt_write(struct musa_vm *vm, struct musa_pt *pt, int idx, u64 pte, bool hw)
{
	if (hw)
		writeq(pte, vm->mdev->vram.map + pt->offset + idx * sizeof(u64));
}

/* The largest page that maps va to addr with size bytes left: level 2, 1 or 0. */
static int musa_leaf_level(u64 va, u64 addr, u64 size)
{
	int level;

	for (level = 2; level > 0; level--) {
		u64 page = 1ull << S5000_PT_SHIFT(level);

		if (IS_ALIGNED(va | addr, page) && size >= page)
			return level;
	}
	return 0;
}

/*
 * Maps one page of the size of leaf_level and sets *mapped to its size. -EAGAIN:
 * a table already covers that large page, map through it with smaller pages.
 */
static int musa_pt_map_page(struct musa_vm *vm, u64 va, u64 addr, u64 flags, int leaf_level,
			    u64 *mapped)
{
	struct musa_pt *pt = vm->root, *child;
	int level, idx;

	for (level = MUSA_PT_ROOT_LEVEL; level > leaf_level; level--) {
		idx = S5000_PT_INDEX(va, level);
		if (drm_WARN_ON(&vm->mdev->drm, test_bit(idx, pt->leaf)))
			return -EEXIST;
		if (!pt->child[idx]) {
			child = musa_pt_alloc(vm, level - 1);
			if (IS_ERR(child))
				return PTR_ERR(child);
			pt->child[idx] = child;
			pt->used++;
			musa_pt_write(vm, pt, idx, child->offset | S5000_PTE_VALID, true);
		}
		pt = pt->child[idx];
	}
	idx = S5000_PT_INDEX(va, leaf_level);
	if (leaf_level > 0 && pt->child[idx])
		return -EAGAIN;
	if (drm_WARN_ON(&vm->mdev->drm, test_bit(idx, pt->leaf)))
		return -EEXIST;
	if (leaf_level > 0)
		flags |= S5000_PTE_LEAF;
	musa_pt_write(vm, pt, idx, (addr & S5000_PTE_ADDR_MASK) | flags | S5000_PTE_VALID, true);
	__set_bit(idx, pt->leaf);
	pt->used++;
	*mapped = 1ull << S5000_PT_SHIFT(leaf_level);
	return 0;
}

static void musa_pt_unmap(struct musa_vm *vm, struct musa_pt *pt, int level, u64 va, u64 end,
			  bool hw)
{
	u64 span = 1ull << S5000_PT_SHIFT(level);
	struct musa_pt *child;
	u64 next;
	int idx;

	for (; va < end; va = next) {
		idx = S5000_PT_INDEX(va, level);
		next = min(end, (va | (span - 1)) + 1);
		if (level > 0 && pt->child[idx]) {
			child = pt->child[idx];
			musa_pt_unmap(vm, child, level - 1, va, next, hw);
			if (child->used)
				continue;
			pt->child[idx] = NULL;
			musa_pt_free(vm, child, level - 1);
		} else if (test_bit(idx, pt->leaf)) {
			__clear_bit(idx, pt->leaf);
		} else {
			continue;
		}
		musa_pt_write(vm, pt, idx, 0, hw);
		pt->used--;
	}
}

static void musa_vm_flush_tlb(struct musa_vm *vm)
{
	int idx;

	if (!drm_dev_enter(&vm->mdev->drm, &idx))
		return;
	/* Page-table writes went through a write-combined mapping. */
	wmb();
	musa_wr32(vm->mdev, S5000_REG_TLB_INVALIDATE, vm->ctx);
	drm_dev_exit(idx);
}

/*
 * Clears the entries of [va, va + size) and invalidates the context's TLB. Without
 * the device (unplugged) only the shadow changes.
 */
void musa_vm_unmap_range(struct musa_vm *vm, u64 va, u64 size)
{
	bool hw;
	int idx;

	hw = drm_dev_enter(&vm->mdev->drm, &idx);
	musa_pt_unmap(vm, vm->root, MUSA_PT_ROOT_LEVEL, va, va + size, hw);
	if (hw)
		drm_dev_exit(idx);
	musa_vm_flush_tlb(vm);
}

/*
 * Maps [va, va + size) to device address addr (a VRAM offset, or a bus address with
 * S5000_PTE_SYSTEM in flags) with the largest pages alignment allows. The caller
 * holds vm->lock and is inside drm_dev_enter(). All or nothing.
 */
int musa_vm_map_range(struct musa_vm *vm, u64 va, u64 addr, u64 size, u64 flags)
{
	u64 done = 0, mapped;
	int level, ret;

	while (done < size) {
		level = musa_leaf_level(va + done, addr + done, size - done);
		do {
			ret = musa_pt_map_page(vm, va + done, addr + done, flags, level, &mapped);
		} while (ret == -EAGAIN && level-- > 0);
		if (ret) {
			musa_vm_unmap_range(vm, va, done);
			return ret;
		}
		done += mapped;
	}
	/* Entries reach VRAM through a write-combining buffer. */
	wmb();
	return 0;
}

void musa_vm_program(struct musa_vm *vm)
{
	struct musa_device *mdev = vm->mdev;

	musa_wr64(mdev, S5000_REG_CTX(vm->ctx, S5000_CTX_PT_ROOT), vm->root->offset);
	musa_wr32(mdev, S5000_REG_CTX(vm->ctx, S5000_CTX_CONTROL), S5000_CTX_ENABLE);
}

/* Creates an address space; the caller is inside drm_dev_enter(). */
struct musa_vm *musa_vm_create(struct musa_device *mdev, bool kernel)
{
	struct musa_vm *vm;
	int ret;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	vm->mdev = mdev;
	mutex_init(&vm->lock);
	INIT_LIST_HEAD(&vm->mappings);

	if (kernel)
		ret = ida_alloc_range(&mdev->ctx_ida, MUSA_KERNEL_CONTEXT, MUSA_KERNEL_CONTEXT,
				      GFP_KERNEL);
	else
		ret = ida_alloc_range(&mdev->ctx_ida, MUSA_KERNEL_CONTEXT + 1,
				      mdev->num_contexts - 1, GFP_KERNEL);
	if (ret < 0) {
		ret = ret == -ENOSPC ? -EBUSY : ret;
		goto err_free;
	}
	vm->ctx = ret;

	vm->root = musa_pt_alloc(vm, MUSA_PT_ROOT_LEVEL);
	if (IS_ERR(vm->root)) {
		ret = PTR_ERR(vm->root);
		goto err_ctx;
	}
	drm_mm_init(&vm->mm, MUSA_VA_MIN, MUSA_VA_END - MUSA_VA_MIN);

	mutex_lock(&mdev->vms_lock);
	musa_vm_program(vm);
	list_add_tail(&vm->link, &mdev->vms);
	mutex_unlock(&mdev->vms_lock);
	return vm;

err_ctx:
	ida_free(&mdev->ctx_ida, vm->ctx);
err_free:
	mutex_destroy(&vm->lock);
	kfree(vm);
	return ERR_PTR(ret);
}

/* Every mapping must be gone; page tables the owner mapped itself are freed here. */
void musa_vm_destroy(struct musa_vm *vm)
{
	struct musa_device *mdev = vm->mdev;
	int idx;

	mutex_lock(&mdev->vms_lock);
	list_del(&vm->link);
	mutex_unlock(&mdev->vms_lock);

	if (drm_dev_enter(&mdev->drm, &idx)) {
		musa_wr32(mdev, S5000_REG_CTX(vm->ctx, S5000_CTX_CONTROL), 0);
		musa_wr64(mdev, S5000_REG_CTX(vm->ctx, S5000_CTX_PT_ROOT), 0);
		musa_wr32(mdev, S5000_REG_TLB_INVALIDATE, vm->ctx);
		drm_dev_exit(idx);
	}
	drm_WARN_ON(&mdev->drm, !list_empty(&vm->mappings));
	musa_pt_free(vm, vm->root, MUSA_PT_ROOT_LEVEL);
	drm_mm_takedown(&vm->mm);
	ida_free(&mdev->ctx_ida, vm->ctx);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

/* The context refuses new work from now on; the first reason sticks. */
void musa_vm_fail(struct musa_vm *vm, int state)
{
	atomic_cmpxchg(&vm->failed, 0, state);
}

int musa_vm_check_va(u64 va, u64 size)
{
	if (!IS_ALIGNED(va | size, S5000_PAGE_SIZE) || va < MUSA_VA_MIN)
		return -EINVAL;
	if (va > MUSA_VA_END || size > MUSA_VA_END - va)
		return -EINVAL;
	return 0;
}

static struct musa_mapping *musa_bo_mapping(struct musa_bo *bo, struct musa_vm *vm)
{
	struct musa_mapping *m;

	lockdep_assert_held(&bo->lock);
	list_for_each_entry(m, &bo->mappings, bo_link)
		if (m->vm == vm)
			return m;
	return NULL;
}

/* The object's address in vm, or 0. */
u64 musa_vm_bo_va(struct musa_vm *vm, struct musa_bo *bo)
{
	struct musa_mapping *m;
	u64 va = 0;

	mutex_lock(&bo->lock);
	m = vm ? musa_bo_mapping(bo, vm) : NULL;
	if (m)
		va = m->node.start;
	mutex_unlock(&bo->lock);
	return va;
}

static int musa_vm_map_sgt(struct musa_vm *vm, u64 va, struct sg_table *sgt, u64 size,
			   u64 flags)
{
	struct scatterlist *sg;
	u64 done = 0, len;
	dma_addr_t addr;
	int i, ret;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		addr = sg_dma_address(sg);
		len = min_t(u64, sg_dma_len(sg), size - done);
		if (!IS_ALIGNED(addr | len, S5000_PAGE_SIZE)) {
			ret = -EINVAL;
			goto err_unmap;
		}
		ret = musa_vm_map_range(vm, va + done, addr, len, flags | S5000_PTE_SYSTEM);
		if (ret)
			goto err_unmap;
		done += len;
		if (done == size)
			return 0;
	}
	ret = -EINVAL;
err_unmap:
	musa_vm_unmap_range(vm, va, done);
	return ret;
}

static int musa_vm_map_bo(struct musa_vm *vm, struct musa_mapping *m)
{
	struct musa_bo *bo = m->bo;
	struct drm_buddy *mm = &vm->mdev->vram.mm;
	struct drm_buddy_block *block;
	u64 va = m->node.start, size;
	struct sg_table *sgt;
	int ret;

	if (bo->placement != MUSA_PLACEMENT_VRAM) {
		sgt = musa_bo_sgt(bo);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
		return musa_vm_map_sgt(vm, va, sgt, bo->base.size, m->pte_flags);
	}
	list_for_each_entry(block, &bo->blocks, link) {
		size = drm_buddy_block_size(mm, block);
		ret = musa_vm_map_range(vm, va, drm_buddy_block_offset(block), size, m->pte_flags);
		if (ret) {
			musa_vm_unmap_range(vm, m->node.start, va - m->node.start);
			return ret;
		}
		va += size;
	}
	return 0;
}

static int musa_vm_alloc_va(struct musa_vm *vm, struct musa_mapping *m, u64 size, u32 flags,
			    u64 va)
{
	u64 align = size >= SZ_1G ? SZ_1G : size >= SZ_2M ? SZ_2M : S5000_PAGE_SIZE;
	int ret;

	if (flags & MUSA_BO_FIXED_VA) {
		m->node.start = va;
		m->node.size = size;
		ret = drm_mm_reserve_node(&vm->mm, &m->node);
		return ret == -ENOSPC ? -EBUSY : ret;
	}
	return drm_mm_insert_node_in_range(&vm->mm, &m->node, size, align, 0,
					   MUSA_VA_AUTO_START, MUSA_VA_END, DRM_MM_INSERT_BEST);
}

/*
 * Maps bo into vm, at *va with MUSA_BO_FIXED_VA (already checked with
 * musa_vm_check_va()), else where the allocator finds room; *va is the address.
 * The caller is inside drm_dev_enter().
 */
int musa_vm_bind(struct musa_vm *vm, struct musa_bo *bo, u32 flags, u64 *va)
{
	struct musa_mapping *m;
	int ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->vm = vm;
	m->bo = bo;
	m->pte_flags = S5000_PTE_EXEC;
	if (!((flags | bo->flags) & MUSA_BO_READ_ONLY))
		m->pte_flags |= S5000_PTE_WRITE;

	mutex_lock(&vm->lock);
	mutex_lock(&bo->lock);
	ret = -EEXIST;
	if (musa_bo_mapping(bo, vm))
		goto err_unlock;
	ret = musa_vm_alloc_va(vm, m, bo->base.size, flags, *va);
	if (ret)
		goto err_unlock;
	ret = musa_vm_map_bo(vm, m);
	if (ret)
		goto err_remove_node;
	drm_gem_object_get(&bo->base);
	list_add_tail(&m->bo_link, &bo->mappings);
	list_add_tail(&m->vm_link, &vm->mappings);
	*va = m->node.start;
	mutex_unlock(&bo->lock);
	mutex_unlock(&vm->lock);
	return 0;

err_remove_node:
	drm_mm_remove_node(&m->node);
err_unlock:
	mutex_unlock(&bo->lock);
	mutex_unlock(&vm->lock);
	kfree(m);
	return ret;
}

static void musa_vm_remove(struct musa_mapping *m)
{
	struct musa_vm *vm = m->vm;
	struct musa_bo *bo = m->bo;

	lockdep_assert_held(&vm->lock);
	musa_vm_unmap_range(vm, m->node.start, m->node.size);
	drm_mm_remove_node(&m->node);
	list_del(&m->vm_link);
	mutex_lock(&bo->lock);
	list_del(&m->bo_link);
	mutex_unlock(&bo->lock);
	drm_gem_object_put(&bo->base);
	kfree(m);
}

/* The file let go of bo: unmap it, or once the queues using it are gone. */
void musa_vm_unbind_bo(struct musa_vm *vm, struct musa_bo *bo)
{
	struct musa_mapping *m;

	mutex_lock(&vm->lock);
	mutex_lock(&bo->lock);
	m = musa_bo_mapping(bo, vm);
	mutex_unlock(&bo->lock);
	if (m && m->pins)
		m->orphaned = true;
	else if (m)
		musa_vm_remove(m);
	mutex_unlock(&vm->lock);
}

/* The mapping holding all of [va, va + size); the caller holds vm->lock. */
struct musa_mapping *musa_vm_lookup(struct musa_vm *vm, u64 va, u64 size)
{
	struct drm_mm_node *node;

	/*
	 * Only ranges inside the allocator's: past its end, the walk below would take
	 * the list head for a node and go round the list for ever.
	 */
	if (!size || va < MUSA_VA_MIN || va >= MUSA_VA_END || size > MUSA_VA_END - va)
		return NULL;
	drm_mm_for_each_node_in_range(node, &vm->mm, va, va + 1) {
		if (va >= node->start && va + size <= node->start + node->size)
			return container_of(node, struct musa_mapping, node);
	}
	return NULL;
}

/* Keeps the mapping of [va, va + size) alive for a queue. */
struct musa_mapping *musa_vm_pin(struct musa_vm *vm, u64 va, u64 size, bool write)
{
	struct musa_mapping *m;

	mutex_lock(&vm->lock);
	m = musa_vm_lookup(vm, va, size);
	if (m && write && !(m->pte_flags & S5000_PTE_WRITE))
		m = NULL;
	if (m)
		m->pins++;
	mutex_unlock(&vm->lock);
	return m;
}

void musa_vm_unpin(struct musa_mapping *m)
{
	struct musa_vm *vm = m->vm;

	mutex_lock(&vm->lock);
	if (!--m->pins && m->orphaned)
		musa_vm_remove(m);
	mutex_unlock(&vm->lock);
}

static int musa_vm_unbind_ioctl(struct musa_vm *vm, struct musa_bo *bo, u64 va)
{
	struct musa_mapping *m;
	int ret = 0;

	mutex_lock(&vm->lock);
	mutex_lock(&bo->lock);
	m = musa_bo_mapping(bo, vm);
	mutex_unlock(&bo->lock);
	if (!m || m->node.start != va)
		ret = -EINVAL;
	else if (m->pins)
		ret = -EBUSY;
	else
		musa_vm_remove(m);
	mutex_unlock(&vm->lock);
	return ret;
}

static int musa_vm_bind_check(struct drm_musa_vm_bind *args)
{
	if (args->pad || args->reserved[0] || args->reserved[1])
		return -EINVAL;
	switch (args->op) {
	case MUSA_VM_BIND_MAP:
		if (args->flags & ~(MUSA_BO_FIXED_VA | MUSA_BO_READ_ONLY))
			return -EINVAL;
		return 0;
	case MUSA_VM_BIND_UNMAP:
		return args->flags ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

int musa_vm_bind_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct musa_device *mdev = to_musa_device(drm);
	struct drm_musa_vm_bind *args = data;
	struct musa_vm *vm;
	struct musa_bo *bo;
	int ret, idx;

	ret = musa_vm_bind_check(args);
	if (ret)
		return ret;
	bo = musa_bo_lookup(file, args->handle);
	if (!bo)
		return -ENOENT;
	ret = -EINVAL;
	if (bo->placement == MUSA_PLACEMENT_DOORBELL)
		goto out_put;
	if ((args->flags & MUSA_BO_FIXED_VA) && musa_vm_check_va(args->gpu_va, bo->base.size))
		goto out_put;

	ret = musa_dev_enter(mdev, &idx);
	if (ret)
		goto out_put;
	vm = musa_file_vm(file->driver_priv);
	if (IS_ERR(vm))
		ret = PTR_ERR(vm);
	else if (args->op == MUSA_VM_BIND_MAP)
		ret = musa_vm_bind(vm, bo, args->flags, &args->gpu_va);
	else
		ret = musa_vm_unbind_ioctl(vm, bo, args->gpu_va);
	drm_dev_exit(idx);
out_put:
	drm_gem_object_put(&bo->base);
	return ret;
}
