/* SPDX-License-Identifier: MIT */
/*
 * The vfio-user front end: presents an emu_device as a PCIe function on a
 * UNIX socket. The only code that calls libvfio-user; everything it does on
 * the client's behalf goes through the device core.
 */
#ifndef EMU_VFU_SERVER_H
#define EMU_VFU_SERVER_H

#include "device.h"

struct emu_vfu;

enum emu_vfu_status {
    EMU_VFU_RUNNING,
    EMU_VFU_CLIENT_GONE,        /* the client disconnected: time to exit */
};

/*
 * Listens on socket_path (replacing a stale socket there). Returns NULL, with
 * the reason logged, on failure.
 */
struct emu_vfu *emu_vfu_create(const char *socket_path, struct emu_device *dev);

/* Closes the connection and removes the socket. */
void emu_vfu_destroy(struct emu_vfu *vfu);

/* The fd to poll for input; it changes once a client has attached. */
int emu_vfu_poll_fd(const struct emu_vfu *vfu);

/*
 * Serves what is pending on the poll fd: accepts a client, or handles its
 * messages until none is left. The library reads the client's VERSION message
 * and each message body with blocking reads, which QEMU always sends whole.
 */
enum emu_vfu_status emu_vfu_handle(struct emu_vfu *vfu);

#endif /* EMU_VFU_SERVER_H */
