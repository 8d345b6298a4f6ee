/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * S5000 device ABI: what the emulated accelerator (firmware-emu/s5000-emu) presents
 * on the PCI bus, and what musa.ko and libmusa program it with.
 *
 * This is the one definition shared by the device model, the kernel driver and the
 * runtime; none of them copies it. The prose specification is s5000.md beside it.
 *
 * All registers are little-endian. 64-bit registers may be accessed as one 64-bit
 * access or as two 32-bit accesses (low word first).
 */
#ifndef S5000_H
#define S5000_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

/* ------------------------------------------------------------------ PCI identity */

#define S5000_PCI_VENDOR_ID		0x1ed5	/* Moore Threads */
#define S5000_PCI_DEVICE_ID		0x5000	/* MTT S5000-class accelerator */
#define S5000_PCI_REVISION		0x01
#define S5000_PCI_CLASS			0x120000 /* processing accelerator */
#define S5000_PCI_SUBSYS_VENDOR_ID	0x1ed5
#define S5000_PCI_SUBSYS_ID_EMULATED	0xe500	/* subsystem: emulated by s5000-emu */

/* ---------------------------------------------------------------------- BARs */

/*
 * BAR0, 32-bit non-prefetchable memory, 256 KiB:
 *   [0x00000, 0x10000)  control registers, trapped
 *   [0x10000, 0x11000)  MSI-X table, trapped (emulated by the VMM)
 *   [0x11000, 0x12000)  MSI-X pending-bit array, trapped
 *   [0x20000, 0x40000)  doorbell/status pages, one 4 KiB page per queue, mapped
 *
 * BAR2, 64-bit prefetchable memory: the CPU-visible VRAM aperture, a window onto the
 * first S5000_REG_APERTURE_SIZE bytes of VRAM. Its size is a power of two between
 * 64 MiB and 2 GiB (256 MiB by default); VRAM itself is larger (80 GiB by default).
 */
#define S5000_BAR_REGS			0
#define S5000_BAR_VRAM			2

#define S5000_BAR0_SIZE			0x40000
#define S5000_REGS_SIZE			0x10000
#define S5000_MSIX_TABLE_OFFSET		0x10000
#define S5000_MSIX_PBA_OFFSET		0x11000
#define S5000_DOORBELL_OFFSET		0x20000
#define S5000_DOORBELL_PAGE_SIZE	0x1000
#define S5000_MAX_QUEUES		32	/* doorbell pages in BAR0 */
#define S5000_MSIX_VECTORS		33	/* vector 0: events, 1..32: queues */

#define S5000_APERTURE_MIN		(64ull << 20)
#define S5000_APERTURE_MAX		(2048ull << 20)
#define S5000_APERTURE_DEFAULT		(256ull << 20)
#define S5000_VRAM_DEFAULT		(80ull << 30)

/* ---------------------------------------------------------- control registers */

/* Identity, read-only. */
#define S5000_REG_IDENT			0x0000	/* reads S5000_IDENT_MAGIC */
#define   S5000_IDENT_MAGIC		0x30303553	/* "S500" as little-endian bytes */
#define S5000_REG_VERSION		0x0004	/* device ABI version */
#define   S5000_VERSION_MAJOR(v)	(((v) >> 16) & 0xffff)
#define   S5000_VERSION_MINOR(v)	((v) & 0xffff)
#define   S5000_ABI_VERSION		((1u << 16) | 0)
#define S5000_REG_CAPS			0x0008	/* S5000_CAP_* bits */
#define   S5000_CAP_EMULATED		(1u << 0)	/* a software model, not silicon */
#define S5000_REG_NUM_QUEUES		0x000c	/* hardware queues (doorbell pages) */
#define S5000_REG_VRAM_SIZE		0x0010	/* 64-bit, bytes of VRAM */
#define S5000_REG_APERTURE_SIZE		0x0018	/* 64-bit, bytes of VRAM behind BAR2 */
#define S5000_REG_TIMESTAMP_FREQ	0x0020	/* Hz of S5000_REG_TIMESTAMP */
#define S5000_REG_NUM_VECTORS		0x0024	/* MSI-X vectors implemented */
#define S5000_REG_TIMESTAMP		0x0028	/* 64-bit, free-running counter */

/* Scratch register: reads back what was last written; for bring-up and tests. */
#define S5000_REG_SCRATCH		0x0040

#define S5000_TIMESTAMP_FREQ_HZ		100000000u	/* 100 MHz */

#endif /* S5000_H */
