/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MUSA_IOCTL_SUBMIT: a kernel queue per file behind drm_sched and syncobjs.
 */
#ifndef MUSA_SUBMIT_H
#define MUSA_SUBMIT_H

struct drm_device;
struct drm_file;
struct musa_queue;
struct musa_submitq;

void musa_submitq_destroy(struct musa_submitq *sq);
struct musa_queue *musa_submitq_queue(struct musa_submitq *sq);
int musa_submit_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* MUSA_SUBMIT_H */
