// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: queues, address spaces and their mappings, registers, VRAM, memory
 * objects, and knobs that inject a hang, a fault or a device reset without the
 * emulator's help.
 */
#include <drm/drm_drv.h>
#include <drm/drm_print.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "musa_drv.h"
#include "musa_gem.h"
#include "musa_queue.h"
#include "musa_vm.h"

static const char *const musa_state_names[] = {
	[MUSA_QUEUE_STATE_ACTIVE] = "active",
	[MUSA_QUEUE_STATE_FAULTED] = "faulted",
	[MUSA_QUEUE_STATE_HUNG] = "hung",
	[MUSA_QUEUE_STATE_LOST] = "lost",
};

static const char *musa_queue_kind(struct musa_device *mdev, struct musa_queue *q)
{
	if (!q->ring)
		return "user";
	return q->vm == mdev->kvm ? "kernel" : "submit";
}

static int musa_queues_show(struct seq_file *m, void *unused)
{
	struct musa_device *mdev = m->private;
	struct musa_queue *q;
	unsigned long flags;
	u32 hwid;
	int idx;

	if (!drm_dev_enter(&mdev->drm, &idx))
		return -ENODEV;
	seq_puts(m, "hwq kind   id  ctx pid     state   vector rptr       wptr       error fault_va           busy_ms\n");
	spin_lock_irqsave(&mdev->queue_lock, flags);
	for (hwid = 0; hwid < mdev->num_queues; hwid++) {
		q = mdev->hwq[hwid];
		if (!q)
			continue;
		seq_printf(m, "%-3u %-6s %-3u %-3u %-7d %-7s %-6u %-10llu %-10llu %-5u 0x%016llx %llu\n",
			   hwid, musa_queue_kind(mdev, q), q->id, q->vm->ctx, q->pid,
			   musa_state_names[atomic_read(&q->state)], q->vector->index,
			   musa_queue_rptr(q), musa_queue_wptr(q), q->error, q->fault_va,
			   q->busy_ns / NSEC_PER_MSEC);
	}
	spin_unlock_irqrestore(&mdev->queue_lock, flags);
	drm_dev_exit(idx);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(musa_queues);

static const char *const musa_placement_names[] = {
	[MUSA_PLACEMENT_VRAM] = "vram",
	[MUSA_PLACEMENT_SYSTEM] = "system",
	[MUSA_PLACEMENT_DOORBELL] = "doorbell",
	[MUSA_PLACEMENT_USERPTR] = "userptr",
};

static int musa_vms_show(struct seq_file *m, void *unused)
{
	struct musa_device *mdev = m->private;
	struct musa_mapping *map;
	struct musa_vm *vm;

	mutex_lock(&mdev->vms_lock);
	list_for_each_entry(vm, &mdev->vms, link) {
		seq_printf(m, "context %u: page tables %llu KiB, failed %d\n", vm->ctx,
			   vm->pt_bytes >> 10, atomic_read(&vm->failed));
		mutex_lock(&vm->lock);
		list_for_each_entry(map, &vm->mappings, vm_link)
			seq_printf(m, "  0x%012llx-0x%012llx %-7s %s%s pins %u\n",
				   map->node.start, map->node.start + map->node.size,
				   musa_placement_names[map->bo->placement],
				   map->pte_flags & S5000_PTE_WRITE ? "rw" : "ro",
				   map->orphaned ? " orphaned" : "", map->pins);
		mutex_unlock(&vm->lock);
	}
	mutex_unlock(&mdev->vms_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(musa_vms);

static int musa_registers_show(struct seq_file *m, void *unused)
{
	static const struct { const char *name; u32 reg; } regs[] = {
		{ "IDENT", S5000_REG_IDENT }, { "VERSION", S5000_REG_VERSION },
		{ "CAPS", S5000_REG_CAPS }, { "NUM_QUEUES", S5000_REG_NUM_QUEUES },
		{ "CONTROL", S5000_REG_CONTROL }, { "STATUS", S5000_REG_STATUS },
		{ "RESET_COUNT", S5000_REG_RESET_COUNT }, { "INT_CAUSE", S5000_REG_INT_CAUSE },
		{ "EVENTS_LOST", S5000_REG_EVENTS_LOST }, { "SCRATCH", S5000_REG_SCRATCH },
	};
	struct musa_device *mdev = m->private;
	int i, idx;

	if (!drm_dev_enter(&mdev->drm, &idx))
		return -ENODEV;
	for (i = 0; i < ARRAY_SIZE(regs); i++)
		seq_printf(m, "%-12s 0x%04x 0x%08x\n", regs[i].name, regs[i].reg,
			   musa_rd32(mdev, regs[i].reg));
	seq_printf(m, "%-12s 0x%04x 0x%016llx\n", "TIMESTAMP", S5000_REG_TIMESTAMP,
		   musa_rd64(mdev, S5000_REG_TIMESTAMP));
	drm_dev_exit(idx);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(musa_registers);

static int musa_vram_show(struct seq_file *m, void *unused)
{
	struct musa_device *mdev = m->private;
	struct drm_printer p = drm_seq_file_printer(m);

	mutex_lock(&mdev->vram.lock);
	drm_printf(&p, "used %llu bytes, aperture %llu bytes\n", mdev->vram.used,
		   mdev->vram.visible);
	drm_buddy_print(&mdev->vram.mm, &p);
	mutex_unlock(&mdev->vram.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(musa_vram);

/* Live memory objects by placement: they return to their count when clients go. */
static int musa_objects_show(struct seq_file *m, void *unused)
{
	struct musa_device *mdev = m->private;
	int i;

	for (i = 0; i < ARRAY_SIZE(mdev->objects); i++)
		seq_printf(m, "%-8s %d\n", musa_placement_names[i], atomic_read(&mdev->objects[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(musa_objects);

/* Reads "HWQ [ADDRESS]" and the queue it names, with a reference. */
static struct musa_queue *musa_debugfs_queue(struct musa_device *mdev, const char __user *ubuf,
					     size_t len, u64 *address)
{
	char buf[48];
	u32 hwid;
	int n;

	if (len >= sizeof(buf) || copy_from_user(buf, ubuf, len))
		return ERR_PTR(-EINVAL);
	buf[len] = '\0';
	*address = 0;
	n = sscanf(buf, "%u %llx", &hwid, address);
	if (n < 1)
		return ERR_PTR(-EINVAL);
	return musa_queue_get_hw(mdev, hwid) ?: ERR_PTR(-ENOENT);
}

/* "echo HWQ > inject_hang": treat the queue as hung now. */
static ssize_t musa_inject_hang_write(struct file *f, const char __user *ubuf, size_t len,
				      loff_t *pos)
{
	struct musa_device *mdev = file_inode(f)->i_private;
	struct musa_queue *q;
	u64 unused;

	q = musa_debugfs_queue(mdev, ubuf, len, &unused);
	if (IS_ERR(q))
		return PTR_ERR(q);
	musa_reset_queue_hung(mdev, q);
	musa_queue_put(q);
	return len;
}

static const struct file_operations musa_inject_hang_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = musa_inject_hang_write,
};

/* "echo HWQ VA > inject_fault": as if the device reported a page fault at VA. */
static ssize_t musa_inject_fault_write(struct file *f, const char __user *ubuf, size_t len,
				       loff_t *pos)
{
	struct musa_device *mdev = file_inode(f)->i_private;
	struct musa_queue *q;
	u64 va;
	int idx;

	q = musa_debugfs_queue(mdev, ubuf, len, &va);
	if (IS_ERR(q))
		return PTR_ERR(q);
	if (drm_dev_enter(&mdev->drm, &idx)) {
		musa_queue_stop(q);
		drm_dev_exit(idx);
	}
	musa_queue_fail(q, MUSA_QUEUE_STATE_FAULTED, S5000_ERR_PAGE_FAULT, va);
	musa_queue_put(q);
	return len;
}

static const struct file_operations musa_inject_fault_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = musa_inject_fault_write,
};

/* "echo 1 > reset": a device reset. */
static ssize_t musa_reset_write(struct file *f, const char __user *ubuf, size_t len,
				loff_t *pos)
{
	struct musa_device *mdev = file_inode(f)->i_private;
	int ret;

	ret = musa_reset_device(mdev);
	return ret ? ret : len;
}

static const struct file_operations musa_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = musa_reset_write,
};

void musa_debugfs_init(struct musa_device *mdev)
{
	struct dentry *root = musa_debugfs_root(&mdev->drm);

	debugfs_create_file("queues", 0444, root, mdev, &musa_queues_fops);
	debugfs_create_file("vms", 0444, root, mdev, &musa_vms_fops);
	debugfs_create_file("registers", 0444, root, mdev, &musa_registers_fops);
	debugfs_create_file("vram", 0444, root, mdev, &musa_vram_fops);
	debugfs_create_file("objects", 0444, root, mdev, &musa_objects_fops);
	debugfs_create_file("inject_hang", 0200, root, mdev, &musa_inject_hang_fops);
	debugfs_create_file("inject_fault", 0200, root, mdev, &musa_inject_fault_fops);
	debugfs_create_file("reset", 0200, root, mdev, &musa_reset_fops);
}
