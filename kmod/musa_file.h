/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What musa.ko keeps per open file: its address space, queues and kernel queue.
 */
#ifndef MUSA_FILE_H
#define MUSA_FILE_H

#include <linux/mutex.h>
#include <linux/xarray.h>

struct drm_file;
struct musa_device;
struct musa_submitq;
struct musa_vm;

/**
 * struct musa_file - driver_priv of a DRM file
 * @mdev: the device
 * @lock: guards @vm creation, @queues and @submitq
 * @vm: its GPU address space, created on first use
 * @queues: its user-mode queues by id
 * @submitq: the kernel queue of MUSA_IOCTL_SUBMIT, created on first use
 * @client_id: fdinfo drm-client-id
 * @busy_ns: engine time of queues already destroyed
 */
struct musa_file {
	struct musa_device *mdev;
	struct mutex lock;		/* guards vm creation, submitq */
	struct musa_vm *vm;
	struct xarray queues;
	struct musa_submitq *submitq;
	u64 client_id;
	u64 busy_ns;
};

struct drm_printer;

struct musa_vm *musa_file_vm(struct musa_file *mfile);
int musa_file_open(struct drm_device *drm, struct drm_file *file);
void musa_file_postclose(struct drm_device *drm, struct drm_file *file);
void musa_file_show_fdinfo(struct drm_printer *p, struct drm_file *file);

#endif /* MUSA_FILE_H */
