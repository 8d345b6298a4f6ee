/* SPDX-License-Identifier: MIT */
#ifndef EMU_UNIX_SOCKET_H
#define EMU_UNIX_SOCKET_H

/*
 * Makes path free for bind(): removes a socket nobody listens on any more.
 * Returns 0, or -1 with the reason logged if path is something else or a
 * live socket, or is too long for a UNIX socket address.
 */
int emu_remove_stale_socket(const char *path);

#endif /* EMU_UNIX_SOCKET_H */
