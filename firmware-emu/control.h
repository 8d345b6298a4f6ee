/* SPDX-License-Identifier: MIT */
/*
 * Host control interface: a UNIX stream socket serving one client at a time
 * (QEMU connects to it as a chardev and hands it to a guest virtio-serial
 * port; tests connect directly). Line protocol, one reply line per command:
 *
 *   ping            -> pong
 *   info            -> s5000-emu vendor=0x1ed5 device=0x5000 vram=<bytes>
 *                      aperture=<bytes> queues=<n> vectors=<n>
 *   hang QUEUE      -> ok: the queue stops making progress (it looks busy)
 *                      until it or the device is reset
 *   ecc corrected   -> ok: counts a corrected ECC error and reports an ECC event
 *   ecc uncorrected -> ok: the same for an uncorrectable one, which also sets
 *                      STATUS.ERROR and poisons the next VRAM access (the queue
 *                      making it stops with S5000_ERR_ECC)
 *   dma-fail        -> ok: the next device access to system memory fails
 *                      (the queue making it stops with S5000_ERR_DMA)
 *   counters        -> packets=<n> bytes_copied=<n> ... (one line of name=value)
 *   vanish          -> ok, then the emulator exits with status 3 (the device
 *                      drops off the bus)
 *   help            -> the commands, on one line
 *   other           -> error: unknown command '<cmd>'
 *
 * Lines end in "\n" ("\r\n" is accepted); empty lines are ignored. A line
 * longer than EMU_CONTROL_MAX_LINE bytes is discarded up to its newline and
 * answered with "error: line too long".
 */
#ifndef EMU_CONTROL_H
#define EMU_CONTROL_H

#include "device.h"

#define EMU_CONTROL_MAX_LINE 256

struct emu_control;

enum emu_control_status {
    EMU_CONTROL_RUNNING,
    EMU_CONTROL_VANISH,         /* "vanish" was answered: exit with status 3 */
};

/* Returns NULL, with the reason logged, if path cannot be listened on. */
struct emu_control *emu_control_create(const char *path, struct emu_device *dev);

/* Closes the connection and removes the socket. */
void emu_control_destroy(struct emu_control *ctl);

/* The listening socket, or the client's while one is connected. */
int emu_control_poll_fd(const struct emu_control *ctl);

/* Accepts a client or serves the lines it sent; never blocks. */
enum emu_control_status emu_control_handle(struct emu_control *ctl);

#endif /* EMU_CONTROL_H */
