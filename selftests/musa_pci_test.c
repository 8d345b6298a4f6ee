// SPDX-License-Identifier: MIT
/*
 * musa_pci_test: every emulated S5000 in the guest has the documented PCI identity,
 * BARs and MSI-X capability, its registers answer through BAR0, and musa.ko is bound.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pci/pci.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "s5000.h"

#define MAX_DEVICES 16

/* MSI-X capability fields (PCI Local Bus spec; pciutils' TABSIZE mask is too narrow). */
#define MSIX_CONTROL		2
#define MSIX_CONTROL_TABLE_SIZE	0x7ff

FIXTURE(s5000)
{
	struct pci_access *pacc;
	struct pci_dev *dev[MAX_DEVICES];
	int count;
};

FIXTURE_SETUP(s5000)
{
	struct pci_dev *d;

	self->pacc = pci_alloc();
	ASSERT_NE(NULL, self->pacc);
	pci_init(self->pacc);
	pci_scan_bus(self->pacc);
	self->count = 0;
	for (d = self->pacc->devices; d && self->count < MAX_DEVICES; d = d->next) {
		pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_BASES | PCI_FILL_SIZES |
				 PCI_FILL_CLASS | PCI_FILL_CAPS);
		if (d->vendor_id == S5000_PCI_VENDOR_ID && d->device_id == S5000_PCI_DEVICE_ID)
			self->dev[self->count++] = d;
	}
	ASSERT_LT(0, self->count)
		TH_LOG("no PCI device %04x:%04x in the guest",
		       S5000_PCI_VENDOR_ID, S5000_PCI_DEVICE_ID);
}

FIXTURE_TEARDOWN(s5000)
{
	pci_cleanup(self->pacc);
}

static const char *bdf(struct pci_dev *d)
{
	static char name[32];

	snprintf(name, sizeof(name), "%04x:%02x:%02x.%d", d->domain, d->bus, d->dev, d->func);
	return name;
}

static int is_power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Map BAR0's control registers through sysfs (the driver does not claim them exclusively). */
static volatile uint32_t *map_regs(struct pci_dev *d, int *fd)
{
	char path[PATH_MAX];
	void *p;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", bdf(d));
	*fd = open(path, O_RDWR | O_SYNC);
	if (*fd < 0)
		return NULL;
	p = mmap(NULL, S5000_REGS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (p == MAP_FAILED) {
		close(*fd);
		return NULL;
	}
	return p;
}

static uint64_t rd64(volatile uint32_t *regs, uint32_t reg)
{
	uint64_t lo = regs[reg / 4];

	return lo | (uint64_t)regs[reg / 4 + 1] << 32;
}

TEST_F(s5000, identity)
{
	for (int i = 0; i < self->count; i++) {
		struct pci_dev *d = self->dev[i];

		EXPECT_EQ(S5000_PCI_CLASS >> 8, d->device_class) TH_LOG("%s", bdf(d));
		EXPECT_EQ(S5000_PCI_CLASS & 0xff, pci_read_byte(d, PCI_CLASS_PROG));
		EXPECT_EQ(S5000_PCI_REVISION, pci_read_byte(d, PCI_REVISION_ID));
		EXPECT_EQ(S5000_PCI_SUBSYS_VENDOR_ID, pci_read_word(d, PCI_SUBSYSTEM_VENDOR_ID));
		EXPECT_EQ(S5000_PCI_SUBSYS_ID_EMULATED, pci_read_word(d, PCI_SUBSYSTEM_ID));
	}
}

TEST_F(s5000, register_bar)
{
	for (int i = 0; i < self->count; i++) {
		struct pci_dev *d = self->dev[i];
		pciaddr_t flags = d->base_addr[S5000_BAR_REGS];

		EXPECT_EQ(S5000_BAR0_SIZE, d->size[S5000_BAR_REGS]) TH_LOG("%s", bdf(d));
		EXPECT_EQ(PCI_BASE_ADDRESS_SPACE_MEMORY, flags & PCI_BASE_ADDRESS_SPACE);
		EXPECT_EQ(PCI_BASE_ADDRESS_MEM_TYPE_32, flags & PCI_BASE_ADDRESS_MEM_TYPE_MASK);
		EXPECT_EQ(0, flags & PCI_BASE_ADDRESS_MEM_PREFETCH);
		EXPECT_EQ(0, d->size[1]) TH_LOG("BAR1 should be unused");
	}
}

TEST_F(s5000, vram_bar)
{
	for (int i = 0; i < self->count; i++) {
		struct pci_dev *d = self->dev[i];
		pciaddr_t flags = d->base_addr[S5000_BAR_VRAM];
		pciaddr_t size = d->size[S5000_BAR_VRAM];

		EXPECT_EQ(PCI_BASE_ADDRESS_SPACE_MEMORY, flags & PCI_BASE_ADDRESS_SPACE);
		EXPECT_EQ(PCI_BASE_ADDRESS_MEM_TYPE_64, flags & PCI_BASE_ADDRESS_MEM_TYPE_MASK);
		EXPECT_EQ(PCI_BASE_ADDRESS_MEM_PREFETCH, flags & PCI_BASE_ADDRESS_MEM_PREFETCH);
		EXPECT_TRUE(is_power_of_two(size)) TH_LOG("BAR2 size %#llx", (unsigned long long)size);
		EXPECT_LE(S5000_APERTURE_MIN, size);
		EXPECT_GE(S5000_APERTURE_MAX, size);
		EXPECT_EQ(0, d->size[4]);
		EXPECT_EQ(0, d->size[5]);
	}
}

TEST_F(s5000, msix_only)
{
	for (int i = 0; i < self->count; i++) {
		struct pci_dev *d = self->dev[i];
		struct pci_cap *msix = pci_find_cap(d, PCI_CAP_ID_MSIX, PCI_CAP_NORMAL);
		uint32_t table, pba;

		ASSERT_NE(NULL, msix) TH_LOG("%s has no MSI-X capability", bdf(d));
		EXPECT_EQ(S5000_MSIX_VECTORS,
			  (pci_read_word(d, msix->addr + MSIX_CONTROL) & MSIX_CONTROL_TABLE_SIZE) + 1);
		table = pci_read_long(d, msix->addr + PCI_MSIX_TABLE);
		pba = pci_read_long(d, msix->addr + PCI_MSIX_PBA);
		EXPECT_EQ(S5000_BAR_REGS, table & PCI_MSIX_BIR);
		EXPECT_EQ(S5000_MSIX_TABLE_OFFSET, table & ~PCI_MSIX_BIR);
		EXPECT_EQ(S5000_BAR_REGS, pba & PCI_MSIX_BIR);
		EXPECT_EQ(S5000_MSIX_PBA_OFFSET, pba & ~PCI_MSIX_BIR);
		EXPECT_EQ(NULL, pci_find_cap(d, PCI_CAP_ID_MSI, PCI_CAP_NORMAL));
		EXPECT_EQ(0, pci_read_byte(d, PCI_INTERRUPT_PIN)) TH_LOG("INTx advertised");
	}
}

static int sysfs_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -errno : 0;
}

/*
 * The registers are read through sysfs with the driver unbound (a bound driver owns
 * BAR0 exclusively), which also exercises remove and a second probe.
 */
TEST_F(s5000, registers)
{
	for (int i = 0; i < self->count; i++) {
		struct pci_dev *d = self->dev[i];
		volatile uint32_t *regs;
		uint64_t t0, t1;
		int fd;

		ASSERT_EQ(0, sysfs_write("/sys/bus/pci/drivers/musa/unbind", bdf(d)));
		regs = map_regs(d, &fd);
		ASSERT_NE(NULL, regs) TH_LOG("%s resource0: %s", bdf(d), strerror(errno));
		EXPECT_EQ(S5000_IDENT_MAGIC, regs[S5000_REG_IDENT / 4]);
		EXPECT_EQ(S5000_ABI_VERSION, regs[S5000_REG_VERSION / 4]);
		EXPECT_EQ(d->size[S5000_BAR_VRAM], rd64(regs, S5000_REG_APERTURE_SIZE));
		EXPECT_LE(rd64(regs, S5000_REG_APERTURE_SIZE), rd64(regs, S5000_REG_VRAM_SIZE));
		EXPECT_EQ(S5000_MSIX_VECTORS, regs[S5000_REG_NUM_VECTORS / 4]);
		t0 = rd64(regs, S5000_REG_TIMESTAMP);
		usleep(1000);
		t1 = rd64(regs, S5000_REG_TIMESTAMP);
		EXPECT_LT(t0, t1);
		regs[S5000_REG_SCRATCH / 4] = 0x5a5a0000u | i;
		EXPECT_EQ(0x5a5a0000u | i, regs[S5000_REG_SCRATCH / 4]);
		munmap((void *)regs, S5000_REGS_SIZE);
		close(fd);
		ASSERT_EQ(0, sysfs_write("/sys/bus/pci/drivers/musa/bind", bdf(d)))
			TH_LOG("musa.ko did not probe %s a second time", bdf(d));
	}
}

TEST_F(s5000, driver_bound)
{
	for (int i = 0; i < self->count; i++) {
		char path[PATH_MAX], target[PATH_MAX];
		ssize_t n;

		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf(self->dev[i]));
		n = readlink(path, target, sizeof(target) - 1);
		ASSERT_LT(0, n) TH_LOG("%s has no driver bound", bdf(self->dev[i]));
		target[n] = '\0';
		EXPECT_STREQ("musa", strrchr(target, '/') + 1);
	}
}

TEST_HARNESS_MAIN
