// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware bring-up: identify the device and read its configuration.
 */
#include "musa_drv.h"

static int musa_hw_check_ident(struct musa_device *mdev)
{
	struct device *dev = &mdev->pdev->dev;
	u32 ident = musa_rd32(mdev, S5000_REG_IDENT);

	if (ident != S5000_IDENT_MAGIC) {
		dev_err(dev, "unexpected identity 0x%08x (device not responding?)\n", ident);
		return -ENODEV;
	}
	mdev->version = musa_rd32(mdev, S5000_REG_VERSION);
	if (S5000_VERSION_MAJOR(mdev->version) != S5000_VERSION_MAJOR(S5000_ABI_VERSION)) {
		dev_err(dev, "device ABI %u.%u, driver speaks %u.x\n",
			S5000_VERSION_MAJOR(mdev->version), S5000_VERSION_MINOR(mdev->version),
			S5000_VERSION_MAJOR(S5000_ABI_VERSION));
		return -ENODEV;
	}
	return 0;
}

int musa_hw_init(struct musa_device *mdev)
{
	int ret;

	ret = musa_hw_check_ident(mdev);
	if (ret)
		return ret;

	mdev->caps = musa_rd32(mdev, S5000_REG_CAPS);
	mdev->num_queues = musa_rd32(mdev, S5000_REG_NUM_QUEUES);
	mdev->vram_size = musa_rd64(mdev, S5000_REG_VRAM_SIZE);
	mdev->aperture_size = musa_rd64(mdev, S5000_REG_APERTURE_SIZE);
	if (mdev->aperture_size > pci_resource_len(mdev->pdev, S5000_BAR_VRAM)) {
		dev_err(&mdev->pdev->dev, "aperture of %llu bytes exceeds BAR%d\n",
			mdev->aperture_size, S5000_BAR_VRAM);
		return -ENODEV;
	}
	return 0;
}
