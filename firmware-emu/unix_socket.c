// SPDX-License-Identifier: MIT
#include "unix_socket.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

static bool someone_listens(const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool live;

    if (fd < 0)
        return false;
    live = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
    close(fd);
    return live;
}

int emu_remove_stale_socket(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct stat st;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        emu_err("%s: socket path too long (at most %zu bytes)", path, sizeof(addr.sun_path) - 1);
        return -1;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);

    if (lstat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        emu_err("%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISSOCK(st.st_mode)) {
        emu_err("%s exists and is not a socket; not replacing it", path);
        return -1;
    }
    if (someone_listens(&addr)) {
        emu_err("%s: another process is listening on this socket", path);
        return -1;
    }
    if (unlink(path) < 0) {
        emu_err("removing stale socket %s: %s", path, strerror(errno));
        return -1;
    }
    emu_debug("removed stale socket %s", path);
    return 0;
}
