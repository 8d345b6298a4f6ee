/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * musa_drm.h: the ioctl ABI between musa.ko and user space (libmusa, musa-smi).
 *
 * Rules, as for every DRM UAPI: structures are padded to 64 bits and only grow at
 * the end (the DRM core zero-fills what an older caller did not pass); every pad,
 * reserved field and unknown flag must be zero or the ioctl fails with -EINVAL;
 * pointers travel as __u64; features are announced by MUSA_CAP_* bits, not by
 * version numbers.
 *
 * The node is /dev/accel/accelN on kernels with DRM accel, /dev/dri/renderD* on
 * older ones; the ioctls are the same on both.
 */
#ifndef MUSA_DRM_H
#define MUSA_DRM_H

#include <drm/drm.h>

#if defined(__cplusplus)
extern "C" {
#endif

#define MUSA_DRM_NAME			"musa"

#define DRM_MUSA_GET_PARAM		0x00
#define DRM_MUSA_QUERY			0x01
#define DRM_MUSA_BO_CREATE		0x02
#define DRM_MUSA_BO_INFO		0x03
#define DRM_MUSA_BO_USERPTR		0x04
#define DRM_MUSA_VM_BIND		0x05
#define DRM_MUSA_QUEUE_CREATE		0x06
#define DRM_MUSA_QUEUE_DESTROY		0x07
#define DRM_MUSA_QUEUE_STATE		0x08
#define DRM_MUSA_WAIT			0x09
#define DRM_MUSA_SUBMIT			0x0a

#define DRM_IOCTL_MUSA_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MUSA_GET_PARAM, struct drm_musa_get_param)
#define DRM_IOCTL_MUSA_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MUSA_QUERY, struct drm_musa_query)
#define DRM_IOCTL_MUSA_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MUSA_BO_CREATE, struct drm_musa_bo_create)
#define DRM_IOCTL_MUSA_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MUSA_BO_INFO, struct drm_musa_bo_info)
#define DRM_IOCTL_MUSA_BO_USERPTR \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MUSA_BO_USERPTR, struct drm_musa_bo_userptr)
#define DRM_IOCTL_MUSA_VM_BIND \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MUSA_VM_BIND, struct drm_musa_vm_bind)
#define DRM_IOCTL_MUSA_QUEUE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MUSA_QUEUE_CREATE, struct drm_musa_queue_create)
#define DRM_IOCTL_MUSA_QUEUE_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_MUSA_QUEUE_DESTROY, struct drm_musa_queue_destroy)
#define DRM_IOCTL_MUSA_QUEUE_STATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MUSA_QUEUE_STATE, struct drm_musa_queue_state)
#define DRM_IOCTL_MUSA_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MUSA_WAIT, struct drm_musa_wait)
#define DRM_IOCTL_MUSA_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MUSA_SUBMIT, struct drm_musa_submit)

/* ------------------------------------------------------------ parameters */

#define MUSA_PARAM_UAPI_VERSION		0	/* MUSA_UAPI_VERSION of the driver */
#define MUSA_PARAM_DEVICE_ID		1	/* PCI device id */
#define MUSA_PARAM_REVISION		2	/* PCI revision */
#define MUSA_PARAM_CAPABILITIES		3	/* MUSA_CAP_* */
#define MUSA_PARAM_VRAM_SIZE		4	/* bytes */
#define MUSA_PARAM_VRAM_USED		5	/* bytes, all clients */
#define MUSA_PARAM_VRAM_CPU_VISIBLE	6	/* bytes of VRAM the CPU can map */
#define MUSA_PARAM_VA_START		7	/* first GPU VA the driver hands out */
#define MUSA_PARAM_VA_END		8	/* end (exclusive) of the GPU VA range */
#define MUSA_PARAM_NUM_QUEUES		9	/* hardware queues */
#define MUSA_PARAM_TIMESTAMP_FREQ	10	/* Hz of device timestamps */
#define MUSA_PARAM_RESET_COUNT		11	/* device resets since the driver bound */
#define MUSA_PARAM_CONTEXT_ID		12	/* this file's GPU address space id */
#define MUSA_PARAM_COMPUTE_UNITS	13
#define MUSA_PARAM_SM_CLOCK_MAX_MHZ	14
#define MUSA_PARAM_MEM_CLOCK_MAX_MHZ	15
#define MUSA_PARAM_MEM_BUS_WIDTH	16	/* bits */
#define MUSA_PARAM_PCI_BUS		17	/* domain << 16 | bus << 8 | devfn */
#define MUSA_PARAM_QUEUE_RESET_COUNT	18	/* queues reset by the hang timeout */
#define MUSA_PARAM_TIMESTAMP		19	/* device timestamp now (TIMESTAMP_FREQ) */
#define MUSA_PARAM_NUM_CONTEXTS		20	/* GPU address spaces the device offers */

#define MUSA_UAPI_VERSION		1

#define MUSA_CAP_USER_QUEUES		(1ull << 0)
#define MUSA_CAP_KERNEL_SUBMIT		(1ull << 1)
#define MUSA_CAP_USERPTR		(1ull << 2)
#define MUSA_CAP_PRIME			(1ull << 3)
#define MUSA_CAP_KERNEL_LAUNCH		(1ull << 4)
#define MUSA_CAP_FP8			(1ull << 5)

/**
 * struct drm_musa_get_param - read one device or driver parameter
 *
 * Errors: -EINVAL for an unknown @param or a nonzero @index; -ENODEV when the
 * device is gone; MUSA_PARAM_CONTEXT_ID creates this file's address space and may
 * fail like MUSA_IOCTL_BO_CREATE does when none is left (-EBUSY).
 */
struct drm_musa_get_param {
	/** @param: MUSA_PARAM_* */
	__u32 param;
	/** @index: must be 0 (reserved for indexed parameters) */
	__u32 index;
	/** @value: the parameter's value (out) */
	__u64 value;
};

/* ----------------------------------------------------------------- queries */

#define MUSA_QUERY_DEVICE_INFO		0	/* struct drm_musa_device_info */
#define MUSA_QUERY_TELEMETRY		1	/* struct drm_musa_telemetry */

/**
 * struct drm_musa_query - copy a table into user memory
 *
 * With @size 0 the driver only reports the size it needs. With a smaller @size than
 * the table, -EINVAL; a larger one gets the table and @size set to its length.
 * Errors: -EINVAL for an unknown @query, a short @size or nonzero @reserved;
 * -EFAULT for a bad @data; -ENODEV when the device is gone.
 */
struct drm_musa_query {
	/** @query: MUSA_QUERY_* */
	__u32 query;
	/** @size: bytes at @data (in); bytes written or needed (out) */
	__u32 size;
	/** @data: user pointer to the buffer */
	__u64 data;
	/** @reserved: must be zero */
	__u64 reserved[2];
};

/**
 * struct drm_musa_device_info - identity of the device (MUSA_QUERY_DEVICE_INFO)
 */
struct drm_musa_device_info {
	/** @name: product name, NUL-terminated */
	char name[32];
	/** @serial: board serial number */
	__u64 serial;
	/** @vram_size: bytes of VRAM */
	__u64 vram_size;
	/** @pci_domain: PCI domain of the device */
	__u32 pci_domain;
	/** @pci_bus: PCI bus */
	__u32 pci_bus;
	/** @pci_devfn: PCI device and function */
	__u32 pci_devfn;
	/** @abi_version: device ABI version (S5000_REG_VERSION) */
	__u32 abi_version;
	/** @pcie_gen: PCIe link generation */
	__u32 pcie_gen;
	/** @pcie_width: PCIe link width */
	__u32 pcie_width;
	/** @link_bandwidth_mbps: card-to-card link bandwidth, MB/s */
	__u64 link_bandwidth_mbps;
};

/**
 * struct drm_musa_telemetry - what the board reports now (MUSA_QUERY_TELEMETRY)
 */
struct drm_musa_telemetry {
	/** @temp_mc: GPU temperature, milli-degrees Celsius */
	__u32 temp_mc;
	/** @power_mw: board power draw, milliwatts */
	__u32 power_mw;
	/** @power_limit_mw: board power limit, milliwatts */
	__u32 power_limit_mw;
	/** @sm_clock_mhz: compute clock */
	__u32 sm_clock_mhz;
	/** @mem_clock_mhz: memory clock */
	__u32 mem_clock_mhz;
	/** @util_compute: percent busy over the last second */
	__u32 util_compute;
	/** @util_copy: percent busy over the last second */
	__u32 util_copy;
	/** @pad: zero */
	__u32 pad;
	/** @ecc_corrected: corrected memory errors */
	__u64 ecc_corrected;
	/** @ecc_uncorrected: uncorrected memory errors */
	__u64 ecc_uncorrected;
	/** @vram_used: bytes of VRAM allocated, all clients */
	__u64 vram_used;
};

/* ----------------------------------------------------------- memory objects */

/*
 * GPU virtual addresses. Every file has its own address space (a device context),
 * created on first use. Addresses the driver chooses lie in [MUSA_PARAM_VA_START,
 * MUSA_PARAM_VA_END) = [2^47, 2^48 - 2^30), above every x86-64 user-space pointer,
 * so device pointers never collide with host pointers. MUSA_BO_FIXED_VA may place an
 * object at any page-aligned address in [4 KiB, MUSA_PARAM_VA_END), for example at a
 * host pointer's own value for registered host memory. The top GiB is the driver's.
 */

#define MUSA_PLACEMENT_VRAM		0
#define MUSA_PLACEMENT_SYSTEM		1
#define MUSA_PLACEMENT_DOORBELL		2	/* BO_INFO only: a queue's doorbell pages */
#define MUSA_PLACEMENT_USERPTR		3	/* BO_INFO only: pinned user memory */

#define MUSA_BO_CPU_VISIBLE		(1u << 0)	/* VRAM the CPU can mmap */
#define MUSA_BO_FIXED_VA		(1u << 1)	/* map at @gpu_va, which the caller chose */
#define MUSA_BO_NO_VA			(1u << 2)	/* do not map into this file's VM */
#define MUSA_BO_READ_ONLY		(1u << 3)	/* the device may only read it */
#define MUSA_BO_FLAGS			0xfu

/**
 * struct drm_musa_bo_create - allocate a memory object and map it into the GPU VM
 *
 * The object's GPU virtual address in the caller's address space is what CUDA calls
 * a device pointer. VRAM objects start zeroed; MUSA_BO_CPU_VISIBLE places one in the
 * part of VRAM behind the PCI aperture so that it can be mmapped. System-memory
 * objects are always CPU-visible and are pinned while they are GPU-mapped.
 *
 * Errors: -EINVAL for a zero size or one whose rounding overflows, unknown
 * @placement or flags, MUSA_BO_NO_VA with MUSA_BO_FIXED_VA, nonzero @pad or
 * @reserved, a FIXED_VA that is not page-aligned or whose range leaves
 * [4 KiB, MUSA_PARAM_VA_END); -ENOMEM when the placement cannot hold @size (VRAM or
 * the aperture exhausted); -ENOSPC when the VA range is exhausted; -EBUSY when the
 * FIXED_VA range overlaps a mapping, or no device context is left for this file;
 * -EIO when the device failed while clearing new VRAM (an uncorrectable memory
 * error or a failed DMA that the driver's own ring met; the ring recovers and a
 * later call works); -ENODEV when the device is gone.
 */
struct drm_musa_bo_create {
	/** @size: bytes, rounded up to the page size */
	__u64 size;
	/** @placement: MUSA_PLACEMENT_VRAM or MUSA_PLACEMENT_SYSTEM */
	__u32 placement;
	/** @flags: MUSA_BO_* */
	__u32 flags;
	/** @gpu_va: with MUSA_BO_FIXED_VA the address to map at (in); the address (out) */
	__u64 gpu_va;
	/** @handle: GEM handle (out) */
	__u32 handle;
	/** @pad: must be zero */
	__u32 pad;
	/** @reserved: must be zero */
	__u64 reserved[2];
};

/**
 * struct drm_musa_bo_info - what an object is and how to mmap it
 *
 * Errors: -ENOENT for a handle this file does not have; -EINVAL for nonzero @pad.
 */
struct drm_musa_bo_info {
	/** @handle: GEM handle */
	__u32 handle;
	/** @flags: MUSA_BO_* it was created with (out) */
	__u32 flags;
	/** @size: bytes (out) */
	__u64 size;
	/** @gpu_va: address in this file's VM, 0 if not mapped there (out) */
	__u64 gpu_va;
	/**
	 * @mmap_offset: offset to pass to mmap() on this fd, 0 if the CPU cannot map
	 * it (VRAM without MUSA_BO_CPU_VISIBLE, user memory) (out)
	 */
	__u64 mmap_offset;
	/** @placement: MUSA_PLACEMENT_* (out) */
	__u32 placement;
	/** @pad: must be zero */
	__u32 pad;
};

/**
 * struct drm_musa_bo_userptr - make user memory an object the device can reach
 *
 * The pages of [@user_ptr, @user_ptr + @size) are pinned while the object lives
 * (musaHostRegister) and mapped into the VM, at @gpu_va = @user_ptr with
 * MUSA_BO_FIXED_VA for unified addressing. Without MUSA_BO_READ_ONLY the memory
 * must be writable.
 *
 * Errors: -EINVAL for a zero, misaligned or overflowing range, flags other than
 * MUSA_BO_FIXED_VA and MUSA_BO_READ_ONLY, nonzero @reserved, or a bad FIXED_VA as
 * in struct drm_musa_bo_create; -EFAULT when the range is not mapped (writable) in
 * the caller; -ENOMEM, -ENOSPC, -EBUSY, -ENODEV as for BO_CREATE.
 */
struct drm_musa_bo_userptr {
	/** @user_ptr: start of the user memory, page-aligned */
	__u64 user_ptr;
	/** @size: bytes, page-aligned */
	__u64 size;
	/** @flags: MUSA_BO_FIXED_VA, MUSA_BO_READ_ONLY */
	__u32 flags;
	/** @handle: GEM handle (out) */
	__u32 handle;
	/** @gpu_va: as in struct drm_musa_bo_create */
	__u64 gpu_va;
	/** @reserved: must be zero */
	__u64 reserved[2];
};

#define MUSA_VM_BIND_MAP		0
#define MUSA_VM_BIND_UNMAP		1

/**
 * struct drm_musa_vm_bind - map an object into this file's VM, or unmap it
 *
 * For objects that are not mapped yet: imported with PRIME (from this device, for
 * example another process's memory, or from another driver), or created with
 * MUSA_BO_NO_VA. An object has at most one mapping per VM. UNMAP takes the mapping's
 * address and the object's handle; a mapping a live queue uses (its ring or read
 * index) stays until that queue is destroyed.
 *
 * Errors: -EINVAL for an unknown @op, flags other than MUSA_BO_FIXED_VA and
 * MUSA_BO_READ_ONLY (none for UNMAP), nonzero @pad or @reserved, a bad FIXED_VA, a
 * doorbell object, or an UNMAP address that is not the object's mapping; -ENOENT
 * for an unknown handle; -EEXIST when the object is already mapped in this VM;
 * -EBUSY when the FIXED_VA range is in use, or a queue uses the mapping;
 * -ENOSPC, -ENOMEM, -ENODEV as for BO_CREATE.
 */
struct drm_musa_vm_bind {
	/** @op: MUSA_VM_BIND_* */
	__u32 op;
	/** @handle: GEM handle */
	__u32 handle;
	/** @flags: MUSA_BO_FIXED_VA, MUSA_BO_READ_ONLY */
	__u32 flags;
	/** @pad: must be zero */
	__u32 pad;
	/** @gpu_va: as in struct drm_musa_bo_create; for UNMAP the mapping's address */
	__u64 gpu_va;
	/** @reserved: must be zero */
	__u64 reserved[2];
};

/* ------------------------------------------------------- user-mode queues */

/**
 * struct drm_musa_queue_create - create a user-mode queue
 *
 * The ring and the read-index word live in the caller's objects, at GPU addresses in
 * its VM; the driver holds both mappings until the queue is destroyed. The driver
 * returns a GEM object of two pages to mmap (BO_INFO gives the offset): page 0 is
 * the queue's doorbell/status page (struct s5000_doorbell, where the write index
 * lives), page 1 its kick page; submitting then needs no system call (see
 * uapi/s5000.md). Packets that should wake a MUSA_IOCTL_WAIT carry
 * S5000_PKT_INTERRUPT. The doorbell object cannot be exported, and its mappings
 * are revoked when the queue is destroyed.
 *
 * Errors: -EINVAL for nonzero @flags, @pad or @reserved, @ring_order outside 4..20,
 * @priority above 3, a misaligned @ring_va or @rptr_va, a ring that does not lie
 * within one mapping, or a read index that is not in a writable mapping; -EIO when
 * this file's context has failed (a fault, a hang or a device reset); -EBUSY when
 * every hardware queue is in use (or no context is left); -ENODEV when the device
 * is gone.
 */
struct drm_musa_queue_create {
	/** @ring_va: GPU VA of the ring, 64-byte aligned, in an object of this VM */
	__u64 ring_va;
	/** @rptr_va: GPU VA of the 64-bit read index the device writes, 8-byte aligned */
	__u64 rptr_va;
	/** @ring_order: the ring holds 1 << @ring_order packets (4..20) */
	__u32 ring_order;
	/** @priority: 0 (low) to 3 (high) */
	__u32 priority;
	/** @flags: must be zero */
	__u32 flags;
	/** @queue_id: id of the new queue in this file (out) */
	__u32 queue_id;
	/** @doorbell_handle: GEM handle of the doorbell and kick pages (out) */
	__u32 doorbell_handle;
	/** @pad: must be zero */
	__u32 pad;
	/** @reserved: must be zero */
	__u64 reserved[2];
};

/**
 * struct drm_musa_queue_destroy - stop a queue and release it
 *
 * The queue stops at once, even inside a packet. Errors: -ENOENT for an id this
 * file does not have; -EINVAL for nonzero @pad.
 */
struct drm_musa_queue_destroy {
	/** @queue_id: as returned by QUEUE_CREATE */
	__u32 queue_id;
	/** @pad: must be zero */
	__u32 pad;
};

#define MUSA_QUEUE_STATE_ACTIVE		0
#define MUSA_QUEUE_STATE_FAULTED	1	/* the device stopped it; see @error */
#define MUSA_QUEUE_STATE_HUNG		2	/* stopped by the hang timeout */
#define MUSA_QUEUE_STATE_LOST		3	/* lost in a device reset or removal */

/**
 * struct drm_musa_queue_state - how a queue is doing
 *
 * Errors: -ENOENT for an id this file does not have; -EINVAL for nonzero @pad or
 * @reserved.
 */
struct drm_musa_queue_state {
	/** @queue_id: as returned by QUEUE_CREATE */
	__u32 queue_id;
	/** @state: MUSA_QUEUE_STATE_* (out) */
	__u32 state;
	/** @error: S5000_ERR_* reported by the device (out) */
	__u32 error;
	/** @pad: must be zero */
	__u32 pad;
	/** @fault_va: GPU VA of a page fault (out) */
	__u64 fault_va;
	/** @rptr: packets the device has consumed (out) */
	__u64 rptr;
	/** @reserved: must be zero */
	__u64 reserved;
};

/* ------------------------------------------------------------------- waits */

#define MUSA_WAIT_GE			0	/* (*addr & mask) >= value */
#define MUSA_WAIT_EQ			1	/* (*addr & mask) == value */
#define MUSA_WAIT_NE			2	/* (*addr & mask) != value */

/**
 * struct drm_musa_wait - sleep until a 64-bit value in memory meets a condition
 *
 * @addr is a GPU VA in this file's VM whose object the CPU can reach (system memory,
 * user memory or CPU-visible VRAM). The sleep is woken by @queue_id's completion
 * interrupt (packets with S5000_PKT_INTERRUPT) and checked again at least every
 * hang-check period.
 *
 * Returns 0 when the condition holds (even if the queue has failed since),
 * -ETIME at @timeout_ns, -EIO when the queue has failed, -ERESTARTSYS on a signal
 * (restartable: the timeout is absolute), -ENODEV when the device is gone.
 * Errors: -EINVAL for an unknown @cond, nonzero @reserved, a misaligned @addr or
 * one in an object the CPU cannot reach; -EFAULT when @addr is not mapped in this
 * VM; -ENOENT for a queue id this file does not have.
 */
struct drm_musa_wait {
	/** @addr: GPU VA of the value, 8-byte aligned */
	__u64 addr;
	/** @value: the target */
	__u64 value;
	/** @mask: applied to the value before comparing; 0 means all bits */
	__u64 mask;
	/** @timeout_ns: absolute CLOCK_MONOTONIC deadline; 0 polls once */
	__s64 timeout_ns;
	/** @queue_id: the queue whose work will change the value */
	__u32 queue_id;
	/** @cond: MUSA_WAIT_* */
	__u32 cond;
	/** @reserved: must be zero */
	__u64 reserved;
};

/* ------------------------------------------------ kernel-mediated submission */

/**
 * struct drm_musa_sync - a syncobj, binary (@point 0) or a timeline point
 */
struct drm_musa_sync {
	/** @handle: syncobj handle */
	__u32 handle;
	/** @flags: must be zero */
	__u32 flags;
	/** @point: timeline point, 0 for a binary syncobj */
	__u64 point;
};

#define MUSA_SUBMIT_MAX_PACKETS		256
#define MUSA_SUBMIT_MAX_SYNCS		64

/**
 * struct drm_musa_submit - run packets through the kernel, with syncobj fences
 *
 * For interop with other DRM devices (dma-fences cannot come from user-mode queues):
 * the packets (struct s5000_pkt_*, addresses in this file's VM) are copied into a
 * ring the driver owns and run, in order with earlier submissions, on a queue the
 * driver owns for this file, after every @in_syncs fence has signalled; @out_sync,
 * if nonzero, gets the fence of their completion (at @out_point on a timeline).
 * A failed queue completes later fences with an error.
 *
 * Errors: -EINVAL for nonzero @flags, @reserved or sync flags, @num_packets outside
 * 1..256, @num_in_syncs above 64, @out_point without @out_sync, a packet of unknown
 * type or a COPY, FILL, SIGNAL or TIMESTAMP whose destination reaches into the
 * driver's VA range, or an in-sync that has no
 * fence (yet) at its point; -EFAULT for bad @packets or @in_syncs pointers; -ENOENT
 * for an unknown syncobj handle; -EIO when this file's context has failed; -EBUSY
 * when no hardware queue is left; -ENODEV when the device is gone.
 */
struct drm_musa_submit {
	/** @packets: user pointer to @num_packets 64-byte packets */
	__u64 packets;
	/** @in_syncs: user pointer to @num_in_syncs struct drm_musa_sync */
	__u64 in_syncs;
	/** @num_packets: 1..MUSA_SUBMIT_MAX_PACKETS */
	__u32 num_packets;
	/** @num_in_syncs: 0..MUSA_SUBMIT_MAX_SYNCS */
	__u32 num_in_syncs;
	/** @out_sync: syncobj handle to receive the completion fence, or 0 */
	__u32 out_sync;
	/** @flags: must be zero */
	__u32 flags;
	/** @out_point: timeline point for @out_sync, 0 to replace its fence */
	__u64 out_point;
	/** @seqno: sequence number of this submission on the file's kernel queue (out) */
	__u64 seqno;
	/** @reserved: must be zero */
	__u64 reserved[2];
};

#if defined(__cplusplus)
}
#endif

#endif /* MUSA_DRM_H */
