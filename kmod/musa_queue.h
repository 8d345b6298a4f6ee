/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware queues: user-mode queues whose rings live in the owner's objects, and
 * the queues behind the kernel's rings.
 */
#ifndef MUSA_QUEUE_H
#define MUSA_QUEUE_H

#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/types.h>

#include "musa_drm.h"

struct drm_device;
struct drm_file;
struct musa_bo;
struct musa_device;
struct musa_file;
struct musa_mapping;
struct musa_ring;
struct musa_vector;
struct musa_vm;

/**
 * struct musa_queue_config - what a hardware queue runs
 * @ring_va: GPU VA of the ring
 * @rptr_va: GPU VA of the read-index write-back
 * @order: the ring holds 1 << @order packets
 * @priority: 0 (low) .. 3 (high)
 */
struct musa_queue_config {
	u64 ring_va;
	u64 rptr_va;
	u32 order;
	u32 priority;
};

/**
 * struct musa_queue - a hardware queue in use
 * @ref: the owner's reference, and one per sleeper in MUSA_IOCTL_WAIT
 * @mdev: the device
 * @vm: the address space it runs in
 * @owner: the file of a user-mode queue; NULL for a kernel ring's queue
 * @ring: the kernel ring it runs, or NULL
 * @id: user-mode queue id in @owner
 * @hwid: hardware queue id
 * @vector: the interrupt vector of its completions
 * @config: what it runs
 * @state: MUSA_QUEUE_STATE_*
 * @error: S5000_ERR_* of a failure
 * @fault_va: GPU VA of a page fault
 * @ring_map: the mapping of a user-mode ring, pinned
 * @rptr_map: the mapping of a user-mode read index, pinned
 * @doorbell: the doorbell object of a user-mode queue
 * @pid: the owner's process, for debugfs
 * @seen_rptr: read index at the last watchdog check (queue_lock)
 * @progress: jiffies of the last progress seen by the watchdog (queue_lock)
 * @sampled: when the watchdog last accounted @busy_ns (queue_lock)
 * @busy_ns: time spent with work pending (queue_lock)
 */
struct musa_queue {
	struct kref ref;
	struct musa_device *mdev;
	struct musa_vm *vm;
	struct musa_file *owner;
	struct musa_ring *ring;
	u32 id;
	u32 hwid;
	struct musa_vector *vector;
	struct musa_queue_config config;
	atomic_t state;
	u32 error;
	u64 fault_va;
	struct musa_mapping *ring_map;
	struct musa_mapping *rptr_map;
	struct musa_bo *doorbell;
	pid_t pid;
	u64 seen_rptr;
	unsigned long progress;
	ktime_t sampled;
	u64 busy_ns;
};

static inline bool musa_queue_failed(struct musa_queue *q)
{
	return atomic_read(&q->state) != MUSA_QUEUE_STATE_ACTIVE;
}

struct musa_queue *musa_queue_create_hw(struct musa_device *mdev, struct musa_vm *vm,
					const struct musa_queue_config *config);
void musa_queue_destroy_hw(struct musa_queue *q);
int musa_queue_start(struct musa_queue *q);
int musa_queue_stop(struct musa_queue *q);
void musa_queue_fail(struct musa_queue *q, int state, u32 error, u64 fault_va);
void musa_queue_put(struct musa_queue *q);
struct musa_queue *musa_queue_get_by_id(struct musa_file *mfile, u32 id);
struct musa_queue *musa_queue_get_hw(struct musa_device *mdev, u32 hwid);
u64 musa_queue_rptr(struct musa_queue *q);
u64 musa_queue_wptr(struct musa_queue *q);
void musa_queue_kick(struct musa_queue *q, u64 wptr);
void musa_file_destroy_queues(struct musa_file *mfile);

int musa_queue_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int musa_queue_destroy_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int musa_queue_state_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int musa_wait_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* MUSA_QUEUE_H */
