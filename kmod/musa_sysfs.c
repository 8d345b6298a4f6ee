// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs attributes of the PCI device, for status tools (musa-smi) that should not
 * need to open the device: memory, resets, queues in use, and live telemetry.
 */
#include <drm/drm_drv.h>
#include <linux/sysfs.h>

#include "musa_drv.h"

static struct musa_device *musa_sysfs_mdev(struct device *dev)
{
	return pci_get_drvdata(to_pci_dev(dev));
}

static ssize_t vram_total_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", musa_sysfs_mdev(dev)->vram_size);
}
static DEVICE_ATTR_RO(vram_total);

static ssize_t vram_used_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", musa_vram_used(musa_sysfs_mdev(dev)));
}
static DEVICE_ATTR_RO(vram_used);

static ssize_t vram_cpu_visible_show(struct device *dev, struct device_attribute *attr,
				     char *buf)
{
	return sysfs_emit(buf, "%llu\n", musa_sysfs_mdev(dev)->aperture_size);
}
static DEVICE_ATTR_RO(vram_cpu_visible);

static ssize_t reset_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&musa_sysfs_mdev(dev)->resets));
}
static DEVICE_ATTR_RO(reset_count);

static ssize_t queue_reset_count_show(struct device *dev, struct device_attribute *attr,
				      char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&musa_sysfs_mdev(dev)->queue_resets));
}
static DEVICE_ATTR_RO(queue_reset_count);

static ssize_t queues_used_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct musa_device *mdev = musa_sysfs_mdev(dev);
	unsigned long flags;
	u32 hwid, n = 0;

	spin_lock_irqsave(&mdev->queue_lock, flags);
	for (hwid = 0; hwid < mdev->num_queues; hwid++)
		n += !!mdev->hwq[hwid];
	spin_unlock_irqrestore(&mdev->queue_lock, flags);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(queues_used);

static ssize_t queues_total_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", musa_sysfs_mdev(dev)->num_queues);
}
static DEVICE_ATTR_RO(queues_total);

static ssize_t product_name_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", musa_sysfs_mdev(dev)->name);
}
static DEVICE_ATTR_RO(product_name);

/* A telemetry register, while the device answers. */
static ssize_t musa_sysfs_reg(struct device *dev, u32 reg, char *buf)
{
	struct musa_device *mdev = musa_sysfs_mdev(dev);
	u32 val;
	int ret, idx;

	ret = musa_dev_enter(mdev, &idx);
	if (ret)
		return ret;
	ret = musa_rd32_checked(mdev, reg, &val);
	drm_dev_exit(idx);
	return ret ? ret : sysfs_emit(buf, "%u\n", val);
}

static ssize_t temperature_mc_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return musa_sysfs_reg(dev, S5000_REG_TEMP_MC, buf);
}
static DEVICE_ATTR_RO(temperature_mc);

static ssize_t power_mw_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return musa_sysfs_reg(dev, S5000_REG_POWER_MW, buf);
}
static DEVICE_ATTR_RO(power_mw);

static ssize_t util_compute_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return musa_sysfs_reg(dev, S5000_REG_UTIL_COMPUTE, buf);
}
static DEVICE_ATTR_RO(util_compute);

static ssize_t util_copy_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return musa_sysfs_reg(dev, S5000_REG_UTIL_COPY, buf);
}
static DEVICE_ATTR_RO(util_copy);

static struct attribute *musa_sysfs_attrs[] = {
	&dev_attr_vram_total.attr,
	&dev_attr_vram_used.attr,
	&dev_attr_vram_cpu_visible.attr,
	&dev_attr_reset_count.attr,
	&dev_attr_queue_reset_count.attr,
	&dev_attr_queues_used.attr,
	&dev_attr_queues_total.attr,
	&dev_attr_product_name.attr,
	&dev_attr_temperature_mc.attr,
	&dev_attr_power_mw.attr,
	&dev_attr_util_compute.attr,
	&dev_attr_util_copy.attr,
	NULL
};

static const struct attribute_group musa_sysfs_group = {
	.attrs = musa_sysfs_attrs,
};

const struct attribute_group *musa_sysfs_groups[] = {
	&musa_sysfs_group,
	NULL
};
