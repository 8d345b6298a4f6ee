/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GPU address spaces: a device context, its page tables in VRAM, and the VA
 * allocator of the file that owns it.
 */
#ifndef MUSA_VM_H
#define MUSA_VM_H

#include <drm/drm_mm.h>
#include <linux/list.h>
#include <linux/mutex.h>

struct musa_bo;
struct musa_device;
struct musa_pt;

/**
 * struct musa_vm - one GPU virtual address space
 * @mdev: the device
 * @ctx: its device context id
 * @lock: guards the page tables, @mm and @mappings
 * @root: the level-3 page table
 * @mm: VA allocator over [MUSA_VA_MIN, MUSA_VA_END)
 * @mappings: every struct musa_mapping in @mm
 * @link: in the device's list of address spaces
 * @failed: MUSA_QUEUE_STATE_* of the event that made the context refuse new work,
 *          0 while it is healthy
 * @pt_bytes: VRAM held by the page tables
 */
struct musa_vm {
	struct musa_device *mdev;
	u32 ctx;
	struct mutex lock;		/* guards page tables, mm, mappings */
	struct musa_pt *root;
	struct drm_mm mm;
	struct list_head mappings;
	struct list_head link;
	atomic_t failed;
	u64 pt_bytes;
};

/**
 * struct musa_mapping - an object mapped into a VM
 * @node: its VA range
 * @vm: the VM
 * @bo: the object (a reference)
 * @vm_link: in @vm's mappings
 * @bo_link: in @bo's mappings
 * @pte_flags: S5000_PTE_* the range is mapped with
 * @pins: queues using the mapping, which keep it alive
 * @orphaned: the file closed its handle while the mapping was pinned
 */
struct musa_mapping {
	struct drm_mm_node node;
	struct musa_vm *vm;
	struct musa_bo *bo;
	struct list_head vm_link;
	struct list_head bo_link;
	u64 pte_flags;
	unsigned int pins;
	bool orphaned;
};

struct musa_vm *musa_vm_create(struct musa_device *mdev, bool kernel);
void musa_vm_destroy(struct musa_vm *vm);
void musa_vm_program(struct musa_vm *vm);
void musa_vm_fail(struct musa_vm *vm, int state);
int musa_vm_map_range(struct musa_vm *vm, u64 va, u64 addr, u64 size, u64 flags);
void musa_vm_unmap_range(struct musa_vm *vm, u64 va, u64 size);

int musa_vm_bind(struct musa_vm *vm, struct musa_bo *bo, u32 flags, u64 *va);
void musa_vm_unbind_bo(struct musa_vm *vm, struct musa_bo *bo);
struct musa_mapping *musa_vm_pin(struct musa_vm *vm, u64 va, u64 size, bool write);
void musa_vm_unpin(struct musa_mapping *mapping);
struct musa_mapping *musa_vm_lookup(struct musa_vm *vm, u64 va, u64 size);
u64 musa_vm_bo_va(struct musa_vm *vm, struct musa_bo *bo);
int musa_vm_check_va(u64 va, u64 size);

int musa_vm_bind_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* MUSA_VM_H */
