// SPDX-License-Identifier: MIT
#include "control.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../uapi/s5000.h"
#include "log.h"
#include "unix_socket.h"

struct emu_control {
    struct emu_device *dev;
    char *path;
    int listen_fd;
    int client_fd;              /* -1 while nobody is connected */
    char line[EMU_CONTROL_MAX_LINE + 1];
    size_t len;
    bool discarding;            /* inside an overlong line, until its newline */
};

static int listen_on(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (emu_remove_stale_socket(path) < 0)
        return -1;
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 4) < 0) {
        emu_err("control socket %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

struct emu_control *emu_control_create(const char *path, struct emu_device *dev)
{
    struct emu_control *ctl = calloc(1, sizeof(*ctl));

    if (ctl == NULL || (ctl->path = strdup(path)) == NULL) {
        emu_err("out of memory");
        free(ctl);
        return NULL;
    }
    ctl->dev = dev;
    ctl->client_fd = -1;
    ctl->listen_fd = listen_on(path);
    if (ctl->listen_fd < 0) {
        free(ctl->path);
        free(ctl);
        return NULL;
    }
    return ctl;
}

static void drop_client(struct emu_control *ctl)
{
    close(ctl->client_fd);
    ctl->client_fd = -1;
    emu_debug("control client disconnected");
}

void emu_control_destroy(struct emu_control *ctl)
{
    if (ctl->client_fd >= 0)
        drop_client(ctl);
    close(ctl->listen_fd);
    unlink(ctl->path);
    free(ctl->path);
    free(ctl);
}

int emu_control_poll_fd(const struct emu_control *ctl)
{
    return ctl->client_fd >= 0 ? ctl->client_fd : ctl->listen_fd;
}

/* A client that does not read its replies is dropped rather than waited for. */
static void reply(struct emu_control *ctl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void reply(struct emu_control *ctl, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(text, sizeof(text) - 1, fmt, ap);
    va_end(ap);
    if (len > (int)sizeof(text) - 2)
        len = (int)sizeof(text) - 2;
    text[len++] = '\n';

    if (send(ctl->client_fd, text, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT) != len) {
        emu_warn("control client is not reading its replies; disconnecting it");
        drop_client(ctl);
    }
}

/* For echoing a command back: control characters and bytes >= 0x80 become '?'. */
static void sanitize(char *s)
{
    for (; *s; s++) {
        if (!isprint((unsigned char)*s))
            *s = '?';
    }
}

static void hang(struct emu_control *ctl, const char *arg)
{
    struct emu_device *dev = ctl->dev;
    char *end;
    unsigned long q = strtoul(arg, &end, 10);

    if (*arg < '0' || *arg > '9' || *end != '\0' || q >= dev->config.num_queues) {
        reply(ctl, "error: hang QUEUE: QUEUE is 0..%u", dev->config.num_queues - 1);
        return;
    }
    emu_info("control: queue %lu hangs", q);
    emu_cp_hang_queue(dev, &dev->queue[q]);
    reply(ctl, "ok");
}

static void ecc(struct emu_control *ctl, const char *arg)
{
    bool uncorrectable = strcmp(arg, "uncorrected") == 0;

    if (!uncorrectable && strcmp(arg, "corrected") != 0) {
        reply(ctl, "error: ecc corrected|uncorrected");
        return;
    }
    emu_info("control: %s ECC error", uncorrectable ? "uncorrectable" : "corrected");
    emu_device_inject_ecc(ctl->dev, uncorrectable);
    reply(ctl, "ok");
}

static void counters(struct emu_control *ctl)
{
    char line[768];

    emu_device_format_counters(ctl->dev, line, sizeof(line));
    reply(ctl, "%s", line);
}

static void info(struct emu_control *ctl)
{
    const struct emu_config *config = &ctl->dev->config;

    reply(ctl, "s5000-emu vendor=0x%04x device=0x%04x vram=%llu aperture=%llu "
          "queues=%u vectors=%u", S5000_PCI_VENDOR_ID, S5000_PCI_DEVICE_ID,
          (unsigned long long)config->vram_size, (unsigned long long)config->aperture_size,
          config->num_queues, S5000_MSIX_VECTORS);
}

/* The argument after a command word and one space, or NULL if cmd is not that word. */
static const char *argument_of(const char *cmd, const char *word)
{
    size_t len = strlen(word);

    if (strncmp(cmd, word, len) != 0 || (cmd[len] != ' ' && cmd[len] != '\0'))
        return NULL;
    return cmd[len] ? cmd + len + 1 : cmd + len;
}

static enum emu_control_status execute(struct emu_control *ctl, char *cmd)
{
    const char *arg;

    if (strcmp(cmd, "ping") == 0) {
        reply(ctl, "pong");
    } else if (strcmp(cmd, "info") == 0) {
        info(ctl);
    } else if ((arg = argument_of(cmd, "hang"))) {
        hang(ctl, arg);
    } else if ((arg = argument_of(cmd, "ecc"))) {
        ecc(ctl, arg);
    } else if (strcmp(cmd, "dma-fail") == 0) {
        emu_info("control: the next system memory access fails");
        emu_device_fail_next_dma(ctl->dev);
        reply(ctl, "ok");
    } else if (strcmp(cmd, "counters") == 0) {
        counters(ctl);
    } else if (strcmp(cmd, "help") == 0) {
        reply(ctl, "commands: ping, info, hang QUEUE, ecc corrected|uncorrected, dma-fail, "
              "counters, vanish, help");
    } else if (strcmp(cmd, "vanish") == 0) {
        reply(ctl, "ok");
        emu_info("control: vanish requested; the device drops off the bus");
        return EMU_CONTROL_VANISH;
    } else {
        sanitize(cmd);
        reply(ctl, "error: unknown command '%s'", cmd);
    }
    return EMU_CONTROL_RUNNING;
}

static enum emu_control_status end_of_line(struct emu_control *ctl)
{
    char *cmd = ctl->line;
    size_t len = ctl->len;
    bool was_discarding = ctl->discarding;

    ctl->len = 0;
    ctl->discarding = false;
    if (was_discarding)
        return EMU_CONTROL_RUNNING;

    while (len > 0 && isspace((unsigned char)cmd[len - 1]))
        len--;
    cmd[len] = '\0';
    while (isspace((unsigned char)*cmd))
        cmd++;
    if (*cmd == '\0')
        return EMU_CONTROL_RUNNING;
    return execute(ctl, cmd);
}

static enum emu_control_status feed(struct emu_control *ctl, const char *data, size_t n)
{
    for (size_t i = 0; i < n && ctl->client_fd >= 0; i++) {
        if (data[i] == '\n') {
            if (end_of_line(ctl) == EMU_CONTROL_VANISH)
                return EMU_CONTROL_VANISH;
        } else if (ctl->discarding) {
            continue;
        } else if (ctl->len == EMU_CONTROL_MAX_LINE) {
            ctl->discarding = true;
            reply(ctl, "error: line too long (at most %d bytes)", EMU_CONTROL_MAX_LINE);
        } else {
            ctl->line[ctl->len++] = data[i];
        }
    }
    return EMU_CONTROL_RUNNING;
}

static void accept_client(struct emu_control *ctl)
{
    int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            emu_warn("control socket accept: %s", strerror(errno));
        return;
    }
    ctl->client_fd = fd;
    ctl->len = 0;
    ctl->discarding = false;
    emu_debug("control client connected");
}

enum emu_control_status emu_control_handle(struct emu_control *ctl)
{
    char buf[512];
    ssize_t n;

    if (ctl->client_fd < 0) {
        accept_client(ctl);
        return EMU_CONTROL_RUNNING;
    }

    n = recv(ctl->client_fd, buf, sizeof(buf), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return EMU_CONTROL_RUNNING;
    if (n <= 0) {
        drop_client(ctl);
        return EMU_CONTROL_RUNNING;
    }
    return feed(ctl, buf, (size_t)n);
}
