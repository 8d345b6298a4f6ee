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
 * When the client goes, the device is reset and the next client may connect.
 */
void emu_vfu_handle(struct emu_vfu *vfu);

/* The device's notify fd is readable: finish its work, raise its interrupts. */
void emu_vfu_service(struct emu_vfu *vfu);

#endif /* EMU_VFU_SERVER_H */
