// SPDX-License-Identifier: GPL-2.0
/*
 * GET_PARAM and QUERY: what the device is and how it is doing.
 */
#include <drm/drm_drv.h>
#include <linux/uaccess.h>

#include "musa_drv.h"
#include "musa_file.h"
#include "musa_vm.h"

static u64 musa_capabilities(struct musa_device *mdev)
{
	u64 caps = MUSA_CAP_USER_QUEUES | MUSA_CAP_KERNEL_SUBMIT | MUSA_CAP_USERPTR |
		   MUSA_CAP_PRIME;

	if (mdev->caps & S5000_CAP_KERNEL_LAUNCH)
		caps |= MUSA_CAP_KERNEL_LAUNCH;
	return caps;
}

/* Parameters read from a device register. */
static int musa_param_reg(struct musa_device *mdev, u32 param, u64 *value)
{
	static const u32 regs[] = {
		[MUSA_PARAM_TIMESTAMP_FREQ] = S5000_REG_TIMESTAMP_FREQ,
		[MUSA_PARAM_COMPUTE_UNITS] = S5000_REG_COMPUTE_UNITS,
		[MUSA_PARAM_SM_CLOCK_MAX_MHZ] = S5000_REG_SM_CLOCK_MAX_MHZ,
		[MUSA_PARAM_MEM_CLOCK_MAX_MHZ] = S5000_REG_MEM_CLOCK_MAX_MHZ,
		[MUSA_PARAM_MEM_BUS_WIDTH] = S5000_REG_MEM_BUS_WIDTH,
	};
	u32 val;
	int ret;

	if (param == MUSA_PARAM_TIMESTAMP) {
		*value = musa_rd64(mdev, S5000_REG_TIMESTAMP);
		return *value == U64_MAX && !musa_hw_alive(mdev) ? -ENODEV : 0;
	}
	if (param >= ARRAY_SIZE(regs) || !regs[param])
		return -EINVAL;
	ret = musa_rd32_checked(mdev, regs[param], &val);
	*value = val;
	return ret;
}

static int musa_param(struct musa_device *mdev, struct drm_file *file, u32 param, u64 *value)
{
	struct pci_dev *pdev = mdev->pdev;
	struct musa_vm *vm;

	switch (param) {
	case MUSA_PARAM_UAPI_VERSION:
		*value = MUSA_UAPI_VERSION;
		break;
	case MUSA_PARAM_DEVICE_ID:
		*value = pdev->device;
		break;
	case MUSA_PARAM_REVISION:
		*value = pdev->revision;
		break;
	case MUSA_PARAM_CAPABILITIES:
		*value = musa_capabilities(mdev);
		break;
	case MUSA_PARAM_VRAM_SIZE:
		*value = mdev->vram_size;
		break;
	case MUSA_PARAM_VRAM_USED:
		*value = musa_vram_used(mdev);
		break;
	case MUSA_PARAM_VRAM_CPU_VISIBLE:
		*value = mdev->aperture_size;
		break;
	case MUSA_PARAM_VA_START:
		*value = MUSA_VA_AUTO_START;
		break;
	case MUSA_PARAM_VA_END:
		*value = MUSA_VA_END;
		break;
	case MUSA_PARAM_NUM_QUEUES:
		*value = mdev->num_queues;
		break;
	case MUSA_PARAM_NUM_CONTEXTS:
		*value = mdev->num_contexts;
		break;
	case MUSA_PARAM_RESET_COUNT:
		*value = atomic_read(&mdev->resets);
		break;
	case MUSA_PARAM_QUEUE_RESET_COUNT:
		*value = atomic_read(&mdev->queue_resets);
		break;
	case MUSA_PARAM_CONTEXT_ID:
		vm = musa_file_vm(file->driver_priv);
		if (IS_ERR(vm))
			return PTR_ERR(vm);
		*value = vm->ctx;
		break;
	case MUSA_PARAM_PCI_BUS:
		*value = (u64)pci_domain_nr(pdev->bus) << 16 | pdev->bus->number << 8 | pdev->devfn;
		break;
	default:
		return musa_param_reg(mdev, param, value);
	}
	return 0;
}

int musa_get_param_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct musa_device *mdev = to_musa_device(drm);
	struct drm_musa_get_param *args = data;
	int ret, idx;

	if (args->index)
		return -EINVAL;
	ret = musa_dev_enter(mdev, &idx);
	if (ret)
		return ret;
	ret = musa_param(mdev, file, args->param, &args->value);
	drm_dev_exit(idx);
	return ret;
}

static void musa_query_device_info(struct musa_device *mdev, struct drm_musa_device_info *info)
{
	struct pci_dev *pdev = mdev->pdev;

	strscpy(info->name, mdev->name, sizeof(info->name));
	info->serial = musa_rd64(mdev, S5000_REG_SERIAL);
	info->vram_size = mdev->vram_size;
	info->pci_domain = pci_domain_nr(pdev->bus);
	info->pci_bus = pdev->bus->number;
	info->pci_devfn = pdev->devfn;
	info->abi_version = mdev->version;
	info->pcie_gen = musa_rd32(mdev, S5000_REG_PCIE_GEN);
	info->pcie_width = musa_rd32(mdev, S5000_REG_PCIE_WIDTH);
	info->link_bandwidth_mbps = musa_rd32(mdev, S5000_REG_LINK_BANDWIDTH_MBPS);
}

static void musa_query_telemetry(struct musa_device *mdev, struct drm_musa_telemetry *t)
{
	t->temp_mc = musa_rd32(mdev, S5000_REG_TEMP_MC);
	t->power_mw = musa_rd32(mdev, S5000_REG_POWER_MW);
	t->power_limit_mw = musa_rd32(mdev, S5000_REG_POWER_LIMIT_MW);
	t->sm_clock_mhz = musa_rd32(mdev, S5000_REG_SM_CLOCK_MHZ);
	t->mem_clock_mhz = musa_rd32(mdev, S5000_REG_MEM_CLOCK_MHZ);
	t->util_compute = musa_rd32(mdev, S5000_REG_UTIL_COMPUTE);
	t->util_copy = musa_rd32(mdev, S5000_REG_UTIL_COPY);
	t->ecc_corrected = musa_rd64(mdev, S5000_REG_ECC_CORRECTED);
	t->ecc_uncorrected = musa_rd64(mdev, S5000_REG_ECC_UNCORRECTED);
	t->vram_used = musa_vram_used(mdev);
}

static int musa_query_copy(struct drm_musa_query *args, const void *table, u32 size)
{
	if (args->size == 0) {
		args->size = size;
		return 0;
	}
	if (args->size < size)
		return -EINVAL;
	if (copy_to_user(u64_to_user_ptr(args->data), table, size))
		return -EFAULT;
	args->size = size;
	return 0;
}

int musa_query_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct musa_device *mdev = to_musa_device(drm);
	struct drm_musa_query *args = data;
	union {
		struct drm_musa_device_info info;
		struct drm_musa_telemetry telemetry;
	} table = {};
	u32 size;
	int ret, idx;

	if (args->reserved[0] || args->reserved[1])
		return -EINVAL;
	ret = musa_dev_enter(mdev, &idx);
	if (ret)
		return ret;
	switch (args->query) {
	case MUSA_QUERY_DEVICE_INFO:
		musa_query_device_info(mdev, &table.info);
		size = sizeof(table.info);
		break;
	case MUSA_QUERY_TELEMETRY:
		musa_query_telemetry(mdev, &table.telemetry);
		size = sizeof(table.telemetry);
		break;
	default:
		drm_dev_exit(idx);
		return -EINVAL;
	}
	/* What was read is only worth copying if the device still answers. */
	ret = musa_hw_alive(mdev) ? 0 : -ENODEV;
	drm_dev_exit(idx);
	return ret ? ret : musa_query_copy(args, &table, size);
}
