// SPDX-License-Identifier: GPL-2.0
/*
 * musa.ko: PCI probe and removal, the DRM driver and its ioctl table.
 */
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>
#include <linux/compat.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "musa_drv.h"
#include "musa_file.h"
#include "musa_gem.h"
#include "musa_queue.h"
#include "musa_ring.h"
#include "musa_submit.h"
#include "musa_vm.h"

/* Kernel ring of the kernel context: 256 packets. */
#define MUSA_KRING_ORDER	8

#ifdef MUSA_HAVE_DRM_ACCEL
/*
 * The core ioctls a render node allows (DRM_RENDER_ALLOW in drm_ioctl.c). The DRM
 * core lets accel files call the others too, and some of them (GET_MAGIC,
 * GET_UNIQUE) use the DRM master an accel file never has: any user of the node
 * could oops the kernel. Accel files get what render nodes get.
 */
static bool musa_core_ioctl_refused(struct drm_file *file, unsigned int cmd)
{
	if (!drm_is_accel_client(file))
		return false;
	switch (DRM_IOCTL_NR(cmd)) {
	case DRM_IOCTL_NR(DRM_IOCTL_VERSION):
	case DRM_IOCTL_NR(DRM_IOCTL_GET_CAP):
	case DRM_IOCTL_NR(DRM_IOCTL_GEM_CLOSE):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_CREATE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_DESTROY):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TRANSFER):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY):
#ifdef DRM_IOCTL_SYNCOBJ_EVENTFD
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_EVENTFD):
#endif
		return false;
	default:
		return true;
	}
}
#else
static bool musa_core_ioctl_refused(struct drm_file *file, unsigned int cmd)
{
	return false;	/* a render node: the DRM core refuses them itself */
}
#endif

/* Where a syncobj ioctl that takes an array of handles keeps their count, or 0. */
static size_t musa_syncobj_count_offset(unsigned int cmd)
{
	switch (DRM_IOCTL_NR(cmd)) {
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT):
		return offsetof(struct drm_syncobj_wait, count_handles);
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
		return offsetof(struct drm_syncobj_timeline_wait, count_handles);
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
		return offsetof(struct drm_syncobj_array, count_handles);
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY):
		return offsetof(struct drm_syncobj_timeline_array, count_handles);
	default:
		return 0;
	}
}

/*
 * The DRM core allocates the arrays of syncobj ioctls by their count without
 * __GFP_NOWARN (a wait keeps up to 64 bytes per handle): a count past what
 * kmalloc can give warns in the page allocator. Such counts fail here instead,
 * as the allocation would.
 */
#define MUSA_SYNCOBJ_MAX_HANDLES	(KMALLOC_MAX_SIZE / 128)

static int musa_syncobj_count_check(unsigned int cmd, void __user *arg)
{
	size_t at = musa_syncobj_count_offset(cmd);
	u32 count = 0;

	if (!at || !(_IOC_DIR(cmd) & _IOC_WRITE) || _IOC_SIZE(cmd) <= at)
		return 0;
	/* What the core will copy in: a short argument gives it part of the count. */
	if (copy_from_user(&count, arg + at, min_t(size_t, _IOC_SIZE(cmd) - at, sizeof(count))))
		return -EFAULT;
	return count > MUSA_SYNCOBJ_MAX_HANDLES ? -ENOMEM : 0;
}

/* What the DRM core would let through that it should not: 0, or the error. */
static int musa_ioctl_check(struct file *filp, unsigned int cmd, void __user *arg)
{
	struct drm_file *file = filp->private_data;
	unsigned int nr = DRM_IOCTL_NR(cmd);

	if (DRM_IOCTL_TYPE(cmd) != DRM_IOCTL_BASE ||
	    (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END))
		return 0;
	if (musa_core_ioctl_refused(file, cmd))
		return -EACCES;
	return musa_syncobj_count_check(cmd, arg);
}

static long musa_node_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int ret = musa_ioctl_check(filp, cmd, (void __user *)arg);

	return ret ? ret : drm_ioctl(filp, cmd, arg);
}

#ifdef CONFIG_COMPAT
static long musa_node_compat_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int ret = musa_ioctl_check(filp, cmd, compat_ptr(arg));

	return ret ? ret : drm_compat_ioctl(filp, cmd, arg);
}
#else
#define musa_node_compat_ioctl	NULL
#endif

static const struct file_operations musa_fops = {
	.owner = THIS_MODULE,
	MUSA_NODE_FOPS(musa_node_ioctl, musa_node_compat_ioctl)
	.show_fdinfo = MUSA_FOPS_SHOW_FDINFO,
};

static const struct drm_ioctl_desc musa_ioctls[] = {
	DRM_IOCTL_DEF_DRV(MUSA_GET_PARAM, musa_get_param_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MUSA_QUERY, musa_query_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MUSA_BO_CREATE, musa_bo_create_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MUSA_BO_INFO, musa_bo_info_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MUSA_BO_USERPTR, musa_bo_userptr_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MUSA_VM_BIND, musa_vm_bind_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MUSA_QUEUE_CREATE, musa_queue_create_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MUSA_QUEUE_DESTROY, musa_queue_destroy_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MUSA_QUEUE_STATE, musa_queue_state_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MUSA_WAIT, musa_wait_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MUSA_SUBMIT, musa_submit_ioctl, DRM_RENDER_ALLOW),
};

static const struct drm_driver musa_driver = {
	.driver_features	= DRIVER_GEM | MUSA_NODE_FEATURE | DRIVER_SYNCOBJ |
				  DRIVER_SYNCOBJ_TIMELINE,
	.open			= musa_file_open,
	.postclose		= musa_file_postclose,
	.gem_create_object	= musa_gem_create_object,
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
	MUSA_PRIME_DRIVER_OPS
	MUSA_SHOW_FDINFO_DRIVER_OPS
	.fops			= &musa_fops,
	.ioctls			= musa_ioctls,
	.num_ioctls		= ARRAY_SIZE(musa_ioctls),
	.name			= MUSA_DRIVER_NAME,
	.desc			= MUSA_DRIVER_DESC,
	.date			= MUSA_DRIVER_DATE,
	.major			= MUSA_DRIVER_MAJOR,
	.minor			= MUSA_DRIVER_MINOR,
};

static int musa_pci_init(struct musa_device *mdev)
{
	struct pci_dev *pdev = mdev->pdev;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	ret = pcim_iomap_regions(pdev, BIT(S5000_BAR_REGS), MUSA_DRIVER_NAME);
	if (ret)
		return ret;
	mdev->regs = pcim_iomap_table(pdev)[S5000_BAR_REGS];

	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;

	pci_set_master(pdev);
	return 0;
}

static int musa_state_init(struct musa_device *mdev)
{
	int ret;

	ida_init(&mdev->ctx_ida);
	ida_init(&mdev->queue_ida);
	spin_lock_init(&mdev->queue_lock);
	INIT_LIST_HEAD(&mdev->vms);
	ret = drmm_mutex_init(&mdev->drm, &mdev->vms_lock);
	if (!ret)
		ret = drmm_mutex_init(&mdev->drm, &mdev->reset_lock);
	return ret;
}

/*
 * The kernel context: all of VRAM at VA 0, and a ring that clears VRAM before
 * it is handed out.
 */
static int musa_kernel_init(struct musa_device *mdev)
{
	struct musa_vm *kvm;
	int ret, idx;

	if (!drm_dev_enter(&mdev->drm, &idx))
		return -ENODEV;
	kvm = musa_vm_create(mdev, true);
	ret = PTR_ERR_OR_ZERO(kvm);
	if (ret)
		goto out_exit;
	mutex_lock(&kvm->lock);
	ret = musa_vm_map_range(kvm, 0, 0, mdev->vram_size, S5000_PTE_WRITE);
	mutex_unlock(&kvm->lock);
	if (ret)
		goto err_destroy;
	mdev->kring = musa_ring_create(mdev, kvm, MUSA_VA_KERNEL, MUSA_KRING_ORDER, "musa-clear");
	ret = PTR_ERR_OR_ZERO(mdev->kring);
	if (ret)
		goto err_destroy;
	mdev->kvm = kvm;
	drm_dev_exit(idx);
	return 0;

err_destroy:
	musa_vm_destroy(kvm);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

static void musa_kernel_fini(struct musa_device *mdev)
{
	musa_ring_destroy(mdev->kring);
	musa_vm_destroy(mdev->kvm);
}

static void musa_report(struct musa_device *mdev)
{
	struct pci_dev *pdev = mdev->pdev;

	drm_info(&mdev->drm,
		 "%s rev %u, ABI %u.%u%s: VRAM %llu MiB (%llu MiB aperture), %u queues, %u/%u MSI-X vectors\n",
		 mdev->name[0] ? mdev->name : "S5000", pdev->revision,
		 S5000_VERSION_MAJOR(mdev->version), S5000_VERSION_MINOR(mdev->version),
		 mdev->caps & S5000_CAP_EMULATED ? ", emulated" : "",
		 mdev->vram_size >> 20, mdev->aperture_size >> 20, mdev->num_queues,
		 mdev->num_vectors, S5000_MSIX_VECTORS);
}

static int musa_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct musa_device *mdev;
	int ret;

	mdev = devm_drm_dev_alloc(&pdev->dev, &musa_driver, struct musa_device, drm);
	if (IS_ERR(mdev))
		return PTR_ERR(mdev);
	mdev->pdev = pdev;
	pci_set_drvdata(pdev, mdev);

	ret = musa_pci_init(mdev);
	if (ret)
		return ret;
	ret = musa_state_init(mdev);
	if (ret)
		return ret;
	ret = musa_hw_init(mdev);
	if (ret)
		return ret;
	ret = musa_vram_init(mdev);
	if (ret)
		return ret;
	ret = musa_irq_init(mdev);
	if (ret) {
		drm_err(&mdev->drm, "no MSI-X vectors: %d\n", ret);
		return ret;
	}
	ret = musa_hw_start(mdev);
	if (ret)
		goto err_irq_fini;
	ret = musa_kernel_init(mdev);
	if (ret)
		goto err_hw_stop;
	musa_reset_init(mdev);

	/* Final step: expose the device to user space. */
	ret = drm_dev_register(&mdev->drm, 0);
	if (ret)
		goto err_reset_fini;
	musa_debugfs_init(mdev);
	musa_report(mdev);
	return 0;

err_reset_fini:
	musa_reset_fini(mdev);		/* stops the device too */
	musa_kernel_fini(mdev);
	goto err_irq_fini;
err_hw_stop:
	musa_hw_stop(mdev);
err_irq_fini:
	musa_irq_fini(mdev);
	return ret;
}

/*
 * The device stops first, so nothing it runs touches memory that closing files
 * free later; then no ioctl gets in any more; then the kernel's own context goes.
 */
static void musa_remove(struct pci_dev *pdev)
{
	struct musa_device *mdev = pci_get_drvdata(pdev);

	musa_reset_fini(mdev);
	if (!drm_dev_is_unplugged(&mdev->drm))
		drm_dev_unplug(&mdev->drm);
	musa_kernel_fini(mdev);
	musa_irq_fini(mdev);
}

static const struct pci_device_id musa_pci_ids[] = {
	{ PCI_DEVICE(S5000_PCI_VENDOR_ID, S5000_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, musa_pci_ids);

static struct pci_driver musa_pci_driver = {
	.name = MUSA_DRIVER_NAME,
	.id_table = musa_pci_ids,
	.probe = musa_probe,
	.remove = musa_remove,
	.dev_groups = musa_sysfs_groups,
};
module_pci_driver(musa_pci_driver);

MODULE_DESCRIPTION(MUSA_DRIVER_DESC);
MODULE_LICENSE("GPL");
