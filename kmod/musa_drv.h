/* SPDX-License-Identifier: GPL-2.0 */
/*
 * musa.ko: DRM driver for S5000-class accelerators.
 */
#ifndef MUSA_DRV_H
#define MUSA_DRV_H

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_print.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "musa_compat.h"
#include "musa_drm.h"
#include "musa_vram.h"
#include "s5000.h"

#define MUSA_DRIVER_NAME	"musa"
#define MUSA_DRIVER_DESC	"Driver for S5000-class AI accelerators"
#define MUSA_DRIVER_DATE	"20261128"
#define MUSA_DRIVER_MAJOR	1
#define MUSA_DRIVER_MINOR	0

/*
 * GPU address space layout (see musa_drm.h): the driver hands out addresses above
 * every user-space pointer; the top GiB holds the driver's own rings.
 */
#define MUSA_VA_MIN		S5000_PAGE_SIZE
#define MUSA_VA_AUTO_START	BIT_ULL(47)
#define MUSA_VA_END		((1ull << S5000_VA_BITS) - (1ull << 30))
#define MUSA_VA_KERNEL		MUSA_VA_END

/* The kernel context (id 0) clears VRAM; it sees all of VRAM at VA 0. */
#define MUSA_KERNEL_CONTEXT	0

struct musa_queue;
struct musa_ring;
struct musa_vm;

/**
 * struct musa_vector - one MSI-X vector and the sleepers it wakes
 * @mdev: the device
 * @index: vector number
 * @wq: waiters on a queue that interrupts through this vector
 */
struct musa_vector {
	struct musa_device *mdev;
	unsigned int index;
	wait_queue_head_t wq;
};

/**
 * struct musa_device - one S5000 bound to musa.ko
 * @drm: the DRM device, /dev/accel/accelN or a render node
 * @pdev: the PCI function
 * @regs: mapping of BAR0: control registers, kick and doorbell pages
 * @version: device ABI version (S5000_REG_VERSION)
 * @caps: device capability bits (S5000_CAP_*)
 * @vram_size: bytes of VRAM
 * @aperture_size: bytes of VRAM visible through BAR2
 * @num_queues: hardware queues
 * @num_contexts: GPU address spaces the device offers
 * @num_vectors: MSI-X vectors granted by the PCI core
 * @name: product name reported by the device
 * @vram: VRAM allocator and the CPU's window on the aperture
 * @vectors: @num_vectors interrupt vectors
 * @ctx_ida: context ids of files' address spaces
 * @queue_ida: hardware queue ids
 * @queue_lock: guards @hwq (taken in interrupt handlers)
 * @hwq: the queue behind each hardware queue id, or NULL
 * @vms_lock: guards @vms
 * @vms: every address space with a context, for reset and debugfs
 * @kvm: the kernel context's address space
 * @kring: the kernel's ring in @kvm, used to clear VRAM
 * @events: the event ring, in DMA memory the device writes
 * @events_dma: its bus address
 * @event_wptr: where the device writes the event write index
 * @event_wptr_dma: its bus address
 * @event_rptr: events consumed so far
 * @reset_lock: serialises device resets with queue creation and teardown
 * @watchdog: periodic hang and liveness check while queues exist
 * @lost_work: unplugs the DRM device once the hardware has gone
 * @lost: the device stopped answering (reads return all-ones)
 * @resets: device resets since the driver bound
 * @queue_resets: queues reset by the hang timeout
 * @next_client_id: fdinfo client ids where the DRM core has none
 * @objects: live memory objects by MUSA_PLACEMENT_*, for leak checks (debugfs)
 */
struct musa_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	void __iomem *regs;
	u32 version;
	u32 caps;
	u64 vram_size;
	u64 aperture_size;
	u32 num_queues;
	u32 num_contexts;
	unsigned int num_vectors;
	char name[S5000_NAME_LEN + 1];

	struct musa_vram vram;
	struct musa_vector *vectors;
	struct ida ctx_ida;
	struct ida queue_ida;
	spinlock_t queue_lock;		/* guards hwq[] */
	struct musa_queue *hwq[S5000_MAX_QUEUES];
	struct mutex vms_lock;		/* guards vms */
	struct list_head vms;
	struct musa_vm *kvm;
	struct musa_ring *kring;

	struct s5000_event *events;
	dma_addr_t events_dma;
	u64 *event_wptr;
	dma_addr_t event_wptr_dma;
	u64 event_rptr;

	struct mutex reset_lock;	/* serialises resets and queue set-up */
	struct delayed_work watchdog;
	struct work_struct lost_work;
	atomic_t lost;
	atomic_t resets;
	atomic_t queue_resets;
	atomic64_t next_client_id;
	atomic_t objects[MUSA_PLACEMENT_USERPTR + 1];
};

#define MUSA_EVENT_RING_ENTRIES	256

static inline struct musa_device *to_musa_device(struct drm_device *drm)
{
	return container_of(drm, struct musa_device, drm);
}

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

static inline void musa_wr64(struct musa_device *mdev, u32 reg, u64 val)
{
	musa_wr32(mdev, reg, lower_32_bits(val));
	musa_wr32(mdev, reg + 4, upper_32_bits(val));
}

/* The doorbell/status page of a hardware queue, as the kernel sees it. */
static inline struct s5000_doorbell __iomem *musa_doorbell(struct musa_device *mdev, u32 hwid)
{
	return mdev->regs + S5000_DOORBELL_PAGE(hwid);
}

/* musa_hw.c */
int musa_hw_init(struct musa_device *mdev);
int musa_hw_start(struct musa_device *mdev);
void musa_hw_stop(struct musa_device *mdev);
int musa_hw_reset(struct musa_device *mdev);
void musa_hw_setup_events(struct musa_device *mdev);
bool musa_hw_alive(struct musa_device *mdev);
int musa_rd32_checked(struct musa_device *mdev, u32 reg, u32 *val);
int musa_dev_enter(struct musa_device *mdev, int *idx);

/* musa_irq.c */
int musa_irq_init(struct musa_device *mdev);
void musa_irq_fini(struct musa_device *mdev);
struct musa_vector *musa_queue_vector(struct musa_device *mdev, u32 hwid);
void musa_irq_wake_all(struct musa_device *mdev);

/* musa_reset.c */
void musa_reset_init(struct musa_device *mdev);
void musa_reset_fini(struct musa_device *mdev);
void musa_watchdog_kick(struct musa_device *mdev);
void musa_reset_queue_hung(struct musa_device *mdev, struct musa_queue *q);
int musa_reset_device(struct musa_device *mdev);
void musa_device_lost(struct musa_device *mdev);

/* musa_params.c */
int musa_get_param_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int musa_query_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

/* musa_debugfs.c, musa_sysfs.c */
void musa_debugfs_init(struct musa_device *mdev);
extern const struct attribute_group *musa_sysfs_groups[];

#endif /* MUSA_DRV_H */
