// SPDX-License-Identifier: GPL-2.0
/*
 * musa.ko: PCI driver for S5000-class accelerators.
 */
#include <linux/module.h>
#include <linux/pci.h>

#include "musa_drv.h"

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

/* MSI-X only; the device has no INTx. Fewer vectors than asked for is fine. */
static int musa_irq_init(struct musa_device *mdev)
{
	int nvec;

	nvec = pci_alloc_irq_vectors(mdev->pdev, 1, S5000_MSIX_VECTORS, PCI_IRQ_MSIX);
	if (nvec < 0)
		return nvec;
	mdev->num_vectors = nvec;
	return 0;
}

static void musa_irq_fini(struct musa_device *mdev)
{
	pci_free_irq_vectors(mdev->pdev);
}

static void musa_report(struct musa_device *mdev)
{
	struct pci_dev *pdev = mdev->pdev;

	dev_info(&pdev->dev,
		 "S5000 rev %u, ABI %u.%u%s: VRAM %llu MiB (%llu MiB aperture), %u queues, %u/%u MSI-X vectors\n",
		 pdev->revision, S5000_VERSION_MAJOR(mdev->version),
		 S5000_VERSION_MINOR(mdev->version),
		 mdev->caps & S5000_CAP_EMULATED ? ", emulated" : "",
		 mdev->vram_size >> 20, mdev->aperture_size >> 20, mdev->num_queues,
		 mdev->num_vectors, S5000_MSIX_VECTORS);
}

static int musa_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct musa_device *mdev;
	int ret;

	mdev = devm_kzalloc(&pdev->dev, sizeof(*mdev), GFP_KERNEL);
	if (!mdev)
		return -ENOMEM;
	mdev->pdev = pdev;
	pci_set_drvdata(pdev, mdev);

	ret = musa_pci_init(mdev);
	if (ret)
		return ret;

	ret = musa_hw_init(mdev);
	if (ret)
		return ret;

	ret = musa_irq_init(mdev);
	if (ret) {
		dev_err(&pdev->dev, "no MSI-X vectors: %d\n", ret);
		return ret;
	}

	musa_report(mdev);
	return 0;
}

static void musa_remove(struct pci_dev *pdev)
{
	struct musa_device *mdev = pci_get_drvdata(pdev);

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
};
module_pci_driver(musa_pci_driver);

MODULE_DESCRIPTION(MUSA_DRIVER_DESC);
MODULE_LICENSE("GPL");
