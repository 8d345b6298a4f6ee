// SPDX-License-Identifier: MIT
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------- messages */

int client_send_fds(int sock, const void *buf, size_t len, const int *fds, int nfds)
{
    char control[CMSG_SPACE(sizeof(int) * MAX_FDS)] = { 0 };
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

    if (nfds > 0) {
        struct cmsghdr *cmsg;

        mh.msg_control = control;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        cmsg = CMSG_FIRSTHDR(&mh);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
    }
    return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

int client_send_raw(struct client *c, const void *buf, size_t len)
{
    return client_send_fds(c->sock, buf, len, NULL, 0);
}

static int send_msg(struct client *c, uint16_t cmd, const void *payload, size_t len,
                    const int *fds, int nfds)
{
    uint8_t buf[sizeof(struct msg_header) + 8192];
    struct msg_header hdr = {
        .id = c->next_id++, .cmd = cmd, .size = (uint32_t)(sizeof(hdr) + len),
    };

    if (len > sizeof(buf) - sizeof(hdr))
        return -1;
    memcpy(buf, &hdr, sizeof(hdr));
    if (len)
        memcpy(buf + sizeof(hdr), payload, len);
    return client_send_fds(c->sock, buf, sizeof(hdr) + len, fds, nfds);
}

static int read_full(int sock, void *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = recv(sock, (char *)buf + done, len - done, 0);

        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

/* The header carries any fds; the body follows. */
int client_recv_reply(struct client *c)
{
    struct reply *r = c->rep;
    char control[CMSG_SPACE(sizeof(int) * MAX_FDS)];
    struct iovec iov = { .iov_base = &r->hdr, .iov_len = sizeof(r->hdr) };
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control, .msg_controllen = sizeof(control),
    };
    struct cmsghdr *cmsg;

    r->nfds = 0;
    r->len = 0;
    if (recvmsg(c->sock, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC) != sizeof(r->hdr))
        return -1;
    for (cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
        if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
            r->nfds = (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            memcpy(r->fds, CMSG_DATA(cmsg), sizeof(int) * r->nfds);
        }
    }
    if (r->hdr.size < sizeof(r->hdr) || r->hdr.size - sizeof(r->hdr) > sizeof(r->body))
        return -1;
    r->len = r->hdr.size - sizeof(r->hdr);
    return read_full(c->sock, r->body, r->len);
}

void client_close_reply_fds(struct client *c)
{
    for (int i = 0; i < c->rep->nfds; i++)
        close(c->rep->fds[i]);
    c->rep->nfds = 0;
}

/* Caller holds c->lock. */
static int request_locked(struct client *c, uint16_t cmd, const void *payload, size_t len,
                          const int *fds, int nfds)
{
    uint16_t id = c->next_id;
    struct reply *r = c->rep;

    if (send_msg(c, cmd, payload, len, fds, nfds) < 0 || client_recv_reply(c) < 0)
        return -1;
    if (r->hdr.id != id || r->hdr.cmd != cmd || (r->hdr.flags & FLAG_TYPE_MASK) != FLAG_REPLY)
        return -1;
    if (r->hdr.flags & FLAG_ERROR)
        return r->hdr.error ? (int)r->hdr.error : EINVAL;
    return 0;
}

int client_request_fds(struct client *c, uint16_t cmd, const void *payload, size_t len,
                       const int *fds, int nfds)
{
    int ret;

    pthread_mutex_lock(&c->lock);
    ret = request_locked(c, cmd, payload, len, fds, nfds);
    pthread_mutex_unlock(&c->lock);
    return ret;
}

int client_request(struct client *c, uint16_t cmd, const void *payload, size_t len)
{
    return client_request_fds(c, cmd, payload, len, NULL, 0);
}

/* ------------------------------------------------------------ connection */

bool client_connect(struct client *c, const char *path, long timeout_ms)
{
    memset(c, 0, sizeof(*c));
    c->next_id = 1;
    c->ram_fd = -1;
    for (unsigned int i = 0; i < S5000_MSIX_VECTORS; i++)
        c->irq_fd[i] = -1;
    pthread_mutex_init(&c->lock, NULL);
    c->rep = calloc(1, sizeof(*c->rep));
    c->sock = connect_unix(path, timeout_ms);
    return c->rep && c->sock >= 0;
}

bool client_negotiate(struct client *c)
{
    static const char caps[] = "{\"capabilities\":{\"max_msg_fds\":16,"
                               "\"max_data_xfer_size\":1048576}}";
    uint8_t payload[4 + sizeof(caps)] = { 0, 0, 0, 0 };   /* major 0, minor 0 */
    struct reply *r = c->rep;
    uint16_t major, minor;

    memcpy(payload + 4, caps, sizeof(caps));
    if (client_request(c, CMD_VERSION, payload, sizeof(payload)) != 0 || r->len < 5)
        return false;
    memcpy(&major, r->body, 2);
    memcpy(&minor, r->body + 2, 2);
    r->body[r->len - 1] = '\0';
    return major == 0 && minor == 0 && strstr((char *)r->body + 4, "capabilities") != NULL;
}

void client_close(struct client *c)
{
    if (c->doorbells)
        munmap((void *)c->doorbells, DOORBELL_AREA);
    if (c->bar2)
        munmap(c->bar2, c->aperture);
    if (c->ram)
        munmap(c->ram, c->ram_size);
    if (c->ram_fd >= 0)
        close(c->ram_fd);
    for (unsigned int i = 0; i < S5000_MSIX_VECTORS; i++) {
        if (c->irq_fd[i] >= 0)
            close(c->irq_fd[i]);
    }
    if (c->sock >= 0)
        close(c->sock);
    free(c->rep);
    pthread_mutex_destroy(&c->lock);
    memset(c, 0, sizeof(*c));
    c->sock = -1;
    c->ram_fd = -1;
}

/* ------------------------------------------------------------- regions */

int client_region_io(struct client *c, uint32_t region, uint64_t offset, void *data,
                     uint32_t count, bool is_write)
{
    uint8_t buf[sizeof(struct region_access) + 4096];
    struct region_access *ra = (struct region_access *)buf;
    size_t len = sizeof(*ra) + (is_write ? count : 0);
    int ret;

    if (count > 4096)
        return -1;
    *ra = (struct region_access){ .offset = offset, .region = region, .count = count };
    if (is_write)
        memcpy(ra->data, data, count);
    pthread_mutex_lock(&c->lock);
    ret = request_locked(c, is_write ? CMD_REGION_WRITE : CMD_REGION_READ, buf, len, NULL, 0);
    if (ret == 0 && !is_write) {
        if (c->rep->len != sizeof(*ra) + count)
            ret = -1;
        else
            memcpy(data, c->rep->body + sizeof(*ra), count);
    }
    pthread_mutex_unlock(&c->lock);
    return ret;
}

static void parse_sparse_cap(struct client *c, struct region_info *ri)
{
    struct vfio_region_info_cap_sparse_mmap sparse;
    uint32_t off = ri->info.cap_offset;
    struct reply *r = c->rep;

    if (!(ri->info.flags & VFIO_REGION_INFO_FLAG_CAPS) || off + sizeof(sparse) > r->len)
        return;
    memcpy(&sparse, r->body + off, sizeof(sparse));
    if (sparse.header.id != VFIO_REGION_INFO_CAP_SPARSE_MMAP || sparse.nr_areas > 4 ||
        off + sizeof(sparse) + sparse.nr_areas * sizeof(ri->areas[0]) > r->len)
        return;
    ri->nr_areas = sparse.nr_areas;
    memcpy(ri->areas, r->body + off + sizeof(sparse), sparse.nr_areas * sizeof(ri->areas[0]));
}

/* GET_REGION_INFO the way QEMU does it: a bare struct first, then with the argsz asked for. */
int client_get_region_info(struct client *c, uint32_t index, struct region_info *ri)
{
    struct vfio_region_info in = { .argsz = sizeof(in), .index = index };
    struct reply *r = c->rep;

    memset(ri, 0, sizeof(*ri));
    ri->fd = -1;
    if (client_request(c, CMD_DEVICE_GET_REGION_INFO, &in, sizeof(in)) != 0 ||
        r->len < sizeof(ri->info))
        return -1;
    memcpy(&ri->info, r->body, sizeof(ri->info));
    client_close_reply_fds(c);
    if (ri->info.argsz > sizeof(in)) {
        ri->retried = true;
        in.argsz = ri->info.argsz;
        if (client_request(c, CMD_DEVICE_GET_REGION_INFO, &in, sizeof(in)) != 0 ||
            r->len < sizeof(ri->info))
            return -1;
        memcpy(&ri->info, r->body, sizeof(ri->info));
        parse_sparse_cap(c, ri);
    }
    ri->nfds = r->nfds;
    if (r->nfds == 1) {
        ri->fd = r->fds[0];
        r->nfds = 0;
    }
    client_close_reply_fds(c);
    return 0;
}

void *client_map_area(const struct region_info *ri, unsigned int area)
{
    void *p = mmap(NULL, ri->areas[area].size, PROT_READ | PROT_WRITE, MAP_SHARED, ri->fd,
                   (off_t)(ri->info.offset + ri->areas[area].offset));

    return p == MAP_FAILED ? NULL : p;
}

/* ------------------------------------------------------------- registers */

static uint64_t reg_read(struct client *c, uint64_t offset, uint32_t size)
{
    uint64_t val = 0;

    if (client_region_io(c, S5000_BAR_REGS, offset, &val, size, false) != 0) {
        printf("# register read at 0x%llx failed\n", (unsigned long long)offset);
        return size == 8 ? UINT64_MAX : UINT32_MAX;
    }
    return val;
}

static void reg_write(struct client *c, uint64_t offset, uint64_t val, uint32_t size)
{
    if (client_region_io(c, S5000_BAR_REGS, offset, &val, size, true) != 0)
        printf("# register write at 0x%llx failed\n", (unsigned long long)offset);
}

uint32_t rd32(struct client *c, uint64_t offset)
{
    return (uint32_t)reg_read(c, offset, 4);
}

uint64_t rd64(struct client *c, uint64_t offset)
{
    return reg_read(c, offset, 8);
}

void wr32(struct client *c, uint64_t offset, uint32_t val)
{
    reg_write(c, offset, val, 4);
}

void wr64(struct client *c, uint64_t offset, uint64_t val)
{
    reg_write(c, offset, val, 8);
}

/* ------------------------------------------------------- QEMU's set-up */

bool client_map_bars(struct client *c)
{
    struct region_info ri;

    if (client_get_region_info(c, S5000_BAR_REGS, &ri) != 0 || ri.fd < 0 || ri.nr_areas != 1)
        return false;
    c->doorbells = client_map_area(&ri, 0);
    close(ri.fd);
    if (client_get_region_info(c, S5000_BAR_VRAM, &ri) != 0 || ri.fd < 0 || ri.nr_areas != 1)
        return false;
    c->aperture = ri.info.size;
    c->bar2 = client_map_area(&ri, 0);
    close(ri.fd);
    return c->doorbells && c->bar2;
}

bool client_map_ram(struct client *c, uint64_t bus, uint64_t size)
{
    struct dma_map map = { .argsz = sizeof(map), .flags = 3, .addr = bus, .size = size };
    void *p;

    c->ram_fd = memfd_create("guest-ram", MFD_CLOEXEC);
    if (c->ram_fd < 0 || ftruncate(c->ram_fd, (off_t)size) != 0)
        return false;
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, c->ram_fd, 0);
    if (p == MAP_FAILED)
        return false;
    c->ram = p;
    c->ram_bus = bus;
    c->ram_size = size;
    return client_request_fds(c, CMD_DMA_MAP, &map, sizeof(map), &c->ram_fd, 1) == 0;
}

/* As QEMU does it: DATA_EVENTFD | ACTION_TRIGGER with one eventfd per vector, in chunks. */
bool client_set_irqs(struct client *c, unsigned int count)
{
    struct vfio_irq_set set = {
        .argsz = sizeof(set),
        .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
        .index = VFIO_PCI_MSIX_IRQ_INDEX,
    };

    for (unsigned int i = 0; i < count; i++) {
        c->irq_fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (c->irq_fd[i] < 0)
            return false;
    }
    c->nirqs = count;
    for (unsigned int start = 0; start < count; start += 8) {
        set.start = start;
        set.count = count - start < 8 ? count - start : 8;
        if (client_request_fds(c, CMD_DEVICE_SET_IRQS, &set, sizeof(set), &c->irq_fd[start],
                               (int)set.count) != 0)
            return false;
    }
    return true;
}

bool client_open(struct client *c, const char *path, uint64_t ram_size, unsigned int vectors)
{
    return client_connect(c, path, 2000) && client_negotiate(c) && client_map_bars(c) &&
           client_map_ram(c, 1ull << 32, ram_size) && client_set_irqs(c, vectors);
}

bool client_irq_wait(struct client *c, unsigned int vector, long timeout_ms)
{
    struct pollfd pfd = { .fd = c->irq_fd[vector], .events = POLLIN };
    uint64_t count;

    if (vector >= c->nirqs || poll(&pfd, 1, (int)timeout_ms) != 1)
        return false;
    return read(c->irq_fd[vector], &count, sizeof(count)) == sizeof(count);
}

void client_irq_drain(struct client *c)
{
    uint64_t count;

    for (unsigned int i = 0; i < c->nirqs; i++) {
        while (read(c->irq_fd[i], &count, sizeof(count)) == sizeof(count))
            ;
    }
}

/* ----------------------------------------------------------- processes */

void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int connect_unix(const char *path, long timeout_ms)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    for (long waited = 0; waited < timeout_ms; waited++) {
        int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
            setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
            return sock;
        }
        close(sock);
        sleep_ms(1);
    }
    return -1;
}

pid_t spawn_process(const char *path, const char *const *args, int stderr_fd)
{
    const char *argv[32] = { path };
    pid_t pid;
    int n = 1;

    for (int i = 0; args && args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);

        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        dup2(stderr_fd, STDERR_FILENO);
        execv(path, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

int wait_status(pid_t pid, long timeout_ms)
{
    int status;

    for (long waited = 0; waited < timeout_ms; waited++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        sleep_ms(1);
    }
    return -1;
}

bool emulator_start(struct emulator *e, const char *path, const char *const *args)
{
    const char *argv[32] = { "--socket", e->sock_path, "--control", e->ctl_path };
    int n = 4, log_fd;

    snprintf(e->dir, sizeof(e->dir), "%s/s5000-emu-test.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(e->dir) == NULL)
        return false;
    snprintf(e->sock_path, sizeof(e->sock_path), "%s/vfu.sock", e->dir);
    snprintf(e->ctl_path, sizeof(e->ctl_path), "%s/control.sock", e->dir);
    snprintf(e->log_path, sizeof(e->log_path), "%s/server.log", e->dir);
    for (int i = 0; args && args[i] && n < 30; i++)
        argv[n++] = args[i];
    argv[n] = NULL;

    log_fd = open(e->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    e->pid = spawn_process(path, argv, log_fd);
    close(log_fd);
    return e->pid > 0;
}

int emulator_stop(struct emulator *e, long timeout_ms)
{
    int status;

    if (e->pid <= 0)
        return -1;
    kill(e->pid, SIGTERM);
    status = wait_status(e->pid, timeout_ms);
    if (status == -1) {
        kill(e->pid, SIGKILL);
        waitpid(e->pid, &status, 0);
        status = -1;
    }
    e->pid = -1;
    return status;
}

bool emulator_alive(struct emulator *e)
{
    int status;

    return e->pid > 0 && waitpid(e->pid, &status, WNOHANG) == 0;
}

unsigned int emulator_log_count(const struct emulator *e, const char *needle)
{
    static char text[1024 * 1024];
    int fd = open(e->log_path, O_RDONLY);
    unsigned int count = 0;
    ssize_t n;

    if (fd < 0)
        return 0;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    text[n > 0 ? n : 0] = '\0';
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        count++;
    return count;
}

bool emulator_log_contains(const struct emulator *e, const char *needle)
{
    return emulator_log_count(e, needle) > 0;
}

void emulator_dump_log(const struct emulator *e)
{
    char line[512];
    FILE *f = fopen(e->log_path, "r");
    int lines = 0;

    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f) && lines++ < 400)
        printf("# %s", line);
    fclose(f);
}

void emulator_cleanup(struct emulator *e)
{
    if (e->pid > 0)
        emulator_stop(e, 2000);
    unlink(e->log_path);
    unlink(e->sock_path);
    unlink(e->ctl_path);
    rmdir(e->dir);
}

bool control_command(int ctl, const char *cmd, char *line, size_t size)
{
    size_t n = 0;

    if (send(ctl, cmd, strlen(cmd), MSG_NOSIGNAL) != (ssize_t)strlen(cmd))
        return false;
    while (n < size - 1) {
        if (recv(ctl, line + n, 1, 0) != 1)
            return false;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    return true;
}
