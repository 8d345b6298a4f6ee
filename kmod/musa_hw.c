// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware bring-up: identify the device, read its configuration, enable and
 * reset it, and notice when it has gone (reads return all-ones).
 */
#include <drm/drm_drv.h>
#include <linux/iopoll.h>

#include "musa_drv.h"

/* How long a device reset may take. */
#define MUSA_RESET_TIMEOUT_US	2000000

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

static void musa_hw_read_name(struct musa_device *mdev)
{
	u32 word;
	int i;

	for (i = 0; i < S5000_NAME_LEN; i += 4) {
		word = musa_rd32(mdev, S5000_REG_NAME + i);
		memcpy(&mdev->name[i], &word, sizeof(word));
	}
	mdev->name[S5000_NAME_LEN] = '\0';
}

int musa_hw_init(struct musa_device *mdev)
{
	struct device *dev = &mdev->pdev->dev;
	int ret;

	ret = musa_hw_check_ident(mdev);
	if (ret)
		return ret;

	musa_hw_read_name(mdev);
	mdev->caps = musa_rd32(mdev, S5000_REG_CAPS);
	mdev->num_queues = min_t(u32, musa_rd32(mdev, S5000_REG_NUM_QUEUES), S5000_MAX_QUEUES);
	mdev->num_contexts = min_t(u32, musa_rd32(mdev, S5000_REG_NUM_CONTEXTS),
				   S5000_MAX_CONTEXTS);
	mdev->vram_size = musa_rd64(mdev, S5000_REG_VRAM_SIZE);
	mdev->aperture_size = musa_rd64(mdev, S5000_REG_APERTURE_SIZE);
	if (mdev->aperture_size > pci_resource_len(mdev->pdev, S5000_BAR_VRAM) ||
	    mdev->aperture_size > mdev->vram_size || mdev->aperture_size < SZ_2M) {
		dev_err(dev, "aperture of %llu bytes does not fit BAR%d and VRAM\n",
			mdev->aperture_size, S5000_BAR_VRAM);
		return -ENODEV;
	}
	if (mdev->num_queues < 2 || mdev->num_contexts < 2) {
		dev_err(dev, "%u queues and %u contexts: too few\n", mdev->num_queues,
			mdev->num_contexts);
		return -ENODEV;
	}
	return 0;
}

/* Whether the device answers; if not, it is declared lost. */
bool musa_hw_alive(struct musa_device *mdev)
{
	if (atomic_read(&mdev->lost))
		return false;
	if (musa_rd32(mdev, S5000_REG_IDENT) == S5000_IDENT_MAGIC)
		return true;
	musa_device_lost(mdev);
	return false;
}

/* A register read where all-ones may mean the device has gone. */
int musa_rd32_checked(struct musa_device *mdev, u32 reg, u32 *val)
{
	*val = musa_rd32(mdev, reg);
	if (*val == ~0u && !musa_hw_alive(mdev))
		return -ENODEV;
	return 0;
}

/* drm_dev_enter() for ioctls, which also fails once the device was lost. */
int musa_dev_enter(struct musa_device *mdev, int *idx)
{
	if (atomic_read(&mdev->lost) || !drm_dev_enter(&mdev->drm, idx))
		return -ENODEV;
	return 0;
}

/* Points the device at the event ring, empty. */
void musa_hw_setup_events(struct musa_device *mdev)
{
	WRITE_ONCE(*mdev->event_wptr, 0);
	mdev->event_rptr = 0;
	musa_wr64(mdev, S5000_REG_EVENT_RING_BASE, mdev->events_dma);
	musa_wr64(mdev, S5000_REG_EVENT_WPTR_ADDR, mdev->event_wptr_dma);
	musa_wr64(mdev, S5000_REG_EVENT_RPTR, 0);
	musa_wr64(mdev, S5000_REG_EVENT_RING_SIZE, MUSA_EVENT_RING_ENTRIES);
	musa_wr32(mdev, S5000_REG_INT_CAUSE, ~0u);
}

/* A device reset: every queue and context stops, the registers return to power-on. */
int musa_hw_reset(struct musa_device *mdev)
{
	u32 status;
	int ret;

	musa_wr32(mdev, S5000_REG_CONTROL, S5000_CONTROL_RESET);
	ret = read_poll_timeout(musa_rd32, status, !(status & S5000_STATUS_RESETTING), 100,
				MUSA_RESET_TIMEOUT_US, false, mdev, S5000_REG_STATUS);
	if (!ret && status == ~0u)
		ret = -ENODEV;
	if (ret && !musa_hw_alive(mdev))
		return -ENODEV;
	return ret;
}

/*
 * Brings the device to a known state and enables it: a reset if a previous
 * driver left it running, then the event ring.
 */
int musa_hw_start(struct musa_device *mdev)
{
	int ret;

	if (musa_rd32(mdev, S5000_REG_CONTROL) & S5000_CONTROL_ENABLE) {
		ret = musa_hw_reset(mdev);
		if (ret)
			return ret;
	}
	musa_hw_setup_events(mdev);
	musa_wr32(mdev, S5000_REG_CONTROL, S5000_CONTROL_ENABLE);
	return 0;
}

/* Stops all device activity (remove): nothing may touch memory after this. */
void musa_hw_stop(struct musa_device *mdev)
{
	if (musa_rd32(mdev, S5000_REG_IDENT) != S5000_IDENT_MAGIC)
		return;
	if (musa_hw_reset(mdev))
		drm_err(&mdev->drm, "device did not reset on removal\n");
	musa_wr64(mdev, S5000_REG_EVENT_RING_SIZE, 0);
	musa_wr32(mdev, S5000_REG_CONTROL, 0);
}
