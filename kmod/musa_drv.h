/* SPDX-License-Identifier: GPL-2.0 */
/*
 * musa.ko: driver for S5000-class accelerators.
 */
#ifndef MUSA_DRV_H
#define MUSA_DRV_H

#include <linux/io.h>
#include <linux/pci.h>
#include <linux/types.h>

#include "s5000.h"

#define MUSA_DRIVER_NAME	"musa"
#define MUSA_DRIVER_DESC	"Driver for S5000-class AI accelerators"

/**
 * struct musa_device - one S5000 bound to musa.ko
 * @pdev: the PCI function
 * @regs: mapping of the control registers in BAR0
 * @version: device ABI version (S5000_REG_VERSION)
 * @caps: device capability bits (S5000_CAP_*)
 * @vram_size: bytes of VRAM
 * @aperture_size: bytes of VRAM visible through BAR2
 * @num_queues: hardware queues
 * @num_vectors: MSI-X vectors granted by the PCI core
 */
struct musa_device {
	struct pci_dev *pdev;
	void __iomem *regs;
	u32 version;
	u32 caps;
	u64 vram_size;
	u64 aperture_size;
	u32 num_queues;
	unsigned int num_vectors;
};

static inline u32 musa_rd32(struct musa_device *mdev, u32 reg)
{
	return readl(mdev->regs + reg);
}

static inline void musa_wr32(struct musa_device *mdev, u32 reg, u32 val)
{
	writel(val, mdev->regs + reg);
}

/* 64-bit registers are read as two halves, low word first (see s5000.h). */
static inline u64 musa_rd64(struct musa_device *mdev, u32 reg)
{
	u64 lo = musa_rd32(mdev, reg);

	return lo | (u64)musa_rd32(mdev, reg + 4) << 32;
}

int musa_hw_init(struct musa_device *mdev);

#endif /* MUSA_DRV_H */
