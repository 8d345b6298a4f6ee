// SPDX-License-Identifier: GPL-2.0
/*
 * Open files: each gets its own GPU address space on first use, its queues and
 * kernel queue, and per-client statistics in DRM fdinfo (memory by region and
 * engine time) for musa-smi and tools like gputop.
 */
#include <drm/drm_drv.h>
#include <drm/drm_print.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "musa_drv.h"
#include "musa_file.h"
#include "musa_gem.h"
#include "musa_queue.h"
#include "musa_submit.h"
#include "musa_vm.h"

int musa_file_open(struct drm_device *drm, struct drm_file *file)
{
	struct musa_device *mdev = to_musa_device(drm);
	struct musa_file *mfile;

	mfile = kzalloc(sizeof(*mfile), GFP_KERNEL);
	if (!mfile)
		return -ENOMEM;
	mfile->mdev = mdev;
	mutex_init(&mfile->lock);
	xa_init_flags(&mfile->queues, XA_FLAGS_ALLOC1);
	mfile->client_id = musa_client_id(file, &mdev->next_client_id);
	file->driver_priv = mfile;
	return 0;
}

/*
 * The file's handles are gone by now (the DRM core closes them first), so every
 * mapping left is one a queue pins: the queues go first, then the address space.
 */
void musa_file_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct musa_file *mfile = file->driver_priv;

	musa_file_destroy_queues(mfile);
	if (mfile->submitq)
		musa_submitq_destroy(mfile->submitq);
	if (mfile->vm)
		musa_vm_destroy(mfile->vm);
	xa_destroy(&mfile->queues);
	mutex_destroy(&mfile->lock);
	kfree(mfile);
}

/* The file's address space, created on first use; the caller is in drm_dev_enter(). */
struct musa_vm *musa_file_vm(struct musa_file *mfile)
{
	struct musa_vm *vm;

	mutex_lock(&mfile->lock);
	vm = mfile->vm;
	if (!vm) {
		vm = musa_vm_create(mfile->mdev, false);
		if (!IS_ERR(vm))
			mfile->vm = vm;
	}
	mutex_unlock(&mfile->lock);
	return vm;
}

/* Time the file's queues spent with work pending. */
static u64 musa_file_busy_ns(struct musa_file *mfile)
{
	struct musa_device *mdev = mfile->mdev;
	u64 busy = mfile->busy_ns;
	struct musa_queue *q;
	unsigned long flags;
	u32 hwid;

	spin_lock_irqsave(&mdev->queue_lock, flags);
	for (hwid = 0; hwid < mdev->num_queues; hwid++) {
		q = mdev->hwq[hwid];
		if (q && q->vm == mfile->vm && mfile->vm)
			busy += q->busy_ns;
	}
	spin_unlock_irqrestore(&mdev->queue_lock, flags);
	return busy;
}

void musa_file_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	u64 bytes[MUSA_PLACEMENT_USERPTR + 1] = {};
	struct drm_gem_object *obj;
	int id;

	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, id)
		bytes[to_musa_bo(obj)->placement] += obj->size;
	spin_unlock(&file->table_lock);

	drm_printf(p, "drm-memory-vram:\t%llu KiB\n", bytes[MUSA_PLACEMENT_VRAM] >> 10);
	drm_printf(p, "drm-memory-system:\t%llu KiB\n",
		   (bytes[MUSA_PLACEMENT_SYSTEM] + bytes[MUSA_PLACEMENT_USERPTR]) >> 10);
	drm_printf(p, "drm-total-vram:\t%llu KiB\n", bytes[MUSA_PLACEMENT_VRAM] >> 10);
	drm_printf(p, "drm-total-system:\t%llu KiB\n",
		   (bytes[MUSA_PLACEMENT_SYSTEM] + bytes[MUSA_PLACEMENT_USERPTR]) >> 10);
	drm_printf(p, "drm-engine-compute:\t%llu ns\n", musa_file_busy_ns(file->driver_priv));
}

#ifndef MUSA_HAVE_DRM_SHOW_FDINFO
/* The file operation, where the DRM core does not print the common keys itself. */
void musa_fdinfo_show(struct seq_file *m, struct file *f)
{
	struct drm_file *file = f->private_data;
	struct musa_file *mfile = file->driver_priv;
	struct drm_printer p = drm_seq_file_printer(m);

	drm_printf(&p, "drm-driver:\t%s\n", file->minor->dev->driver->name);
	drm_printf(&p, "drm-client-id:\t%llu\n", mfile->client_id);
	drm_printf(&p, "drm-pdev:\t%s\n", dev_name(file->minor->dev->dev));
	musa_file_show_fdinfo(&p, file);
}
#endif
