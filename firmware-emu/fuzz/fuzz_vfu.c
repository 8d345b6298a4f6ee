// SPDX-License-Identifier: MIT
/*
 * fuzz_vfu: fuzzer-made vfio-user messages against the real server (vfu_server.c and
 * libvfio-user, in this process on a thread of its own, serving a device core, as
 * s5000-emu does), sent by a client that first negotiates as tests/client.c does.
 *
 * Each input is one connection: a VERSION message (usually the good one), then
 * messages with steered headers and bodies: every command, wrong sizes and argsz,
 * region accesses in and out of range, DMA map and unmap storms with and without
 * file descriptors, interrupt set-ups with eventfds, resets, reply-type and no-reply
 * flags, and now and then a header whose size does not match its body. After each
 * message a well-formed register read must be answered, unless the server dropped
 * the connection or the stream lost its framing (then the client hangs up). Then a
 * fresh connection must negotiate and read IDENT, the server must notice the
 * disconnects, and the process must hold no more file descriptors than before.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../tests/client.h"
#include "device.h"
#include "fuzz.h"
#include "vfu_server.h"

#define RAM_SIZE        (1ull << 20)
#define EVENTFDS        4
#define MAX_MESSAGES    24
#define MAX_BODY        4096
#define PING_MS         200             /* then the stream is taken as out of step */
#define HANG_MS         5000
#define PING_ID         0xfffe
#define CMD_MAX         14              /* VFIO_USER_DIRTY_PAGES in the bundled library */
#define FLAG_NO_REPLY   (1u << 4)

static struct emu_device dev;
static struct emu_vfu *vfu;
static char socket_path[108], socket_dir[80];
static int ram_fd, small_fd, event_fd[EVENTFDS];
static uint8_t body[MAX_BODY + 64], reply[MAX_BODY + 64];

/* How the server answered the last fuzzed message, as ping() saw it go by. */
static struct {
    uint16_t id;
    bool seen;
    bool error;
} answer;

/* ------------------------------------------------------------ the server */

/* The serving thread, as main.c's. */
static void *serve(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd fds[] = {
            { .fd = emu_vfu_poll_fd(vfu), .events = POLLIN },
            { .fd = dev.notify_fd, .events = POLLIN },
        };

        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            fuzz_fail("crash", "server poll: %s", strerror(errno));
        if (fds[1].revents)
            emu_vfu_service(vfu);
        if (fds[0].revents)
            emu_vfu_handle(vfu);
    }
    return NULL;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static void remove_socket(void)
{
    unlink(socket_path);
    rmdir(socket_dir);
}

/* ------------------------------------------------------------ the wire */

/* Waits up to ms for input; 1 readable, 0 not, -1 error. */
static int wait_readable(int sock, int ms)
{
    struct pollfd pfd = { .fd = sock, .events = POLLIN };
    int n = poll(&pfd, 1, ms);

    return n < 0 ? -1 : n;
}

/* Reads exactly len bytes, or fails (EOF, error, or nothing for ms). */
static bool read_exact(int sock, void *buf, size_t len, int ms)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n;

        if (wait_readable(sock, ms) != 1)
            return false;
        n = recv(sock, (uint8_t *)buf + done, len - done, MSG_DONTWAIT);
        if (n <= 0 && !(n < 0 && errno == EAGAIN))
            return false;
        done += n > 0 ? (size_t)n : 0;
    }
    return true;
}

/* One reply: header into *hdr, body (cut to what fits) into reply, fds closed. */
static bool read_reply(int sock, struct msg_header *hdr, size_t *len, int ms)
{
    char control[CMSG_SPACE(sizeof(int) * MAX_FDS)];
    struct iovec iov = { .iov_base = hdr, .iov_len = sizeof(*hdr) };
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control, .msg_controllen = sizeof(control),
    };
    size_t left;

    if (wait_readable(sock, ms) != 1 ||
        recvmsg(sock, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC) != sizeof(*hdr))
        return false;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++)
                close(((int *)CMSG_DATA(c))[i]);
        }
    }
    fuzz_check(hdr->size >= sizeof(*hdr) && (hdr->flags & FLAG_TYPE_MASK) == FLAG_REPLY,
               "the server sent a malformed reply (size %u flags 0x%x cmd %u)", hdr->size,
               hdr->flags, hdr->cmd);
    left = hdr->size - sizeof(*hdr);
    *len = left;
    while (left) {
        size_t n = left < sizeof(reply) ? left : sizeof(reply);

        if (!read_exact(sock, reply, n, ms))
            return false;
        left -= n;
    }
    return true;
}

/* A register read with its own id; true once its reply came, skipping earlier ones. */
static bool ping(int sock, int ms)
{
    uint8_t msg[sizeof(struct msg_header) + sizeof(struct region_access)];
    struct msg_header hdr = { .id = PING_ID, .cmd = CMD_REGION_READ, .size = sizeof(msg) };
    struct region_access ra = { .offset = S5000_REG_IDENT, .region = S5000_BAR_REGS, .count = 4 };
    size_t len;
    uint32_t ident;

    memcpy(msg, &hdr, sizeof(hdr));
    memcpy(msg + sizeof(hdr), &ra, sizeof(ra));
    if (client_send_fds(sock, msg, sizeof(msg), NULL, 0) < 0)
        return false;
    do {
        if (!read_reply(sock, &hdr, &len, ms))
            return false;
        if (hdr.id == answer.id) {
            answer.seen = true;
            answer.error = hdr.flags & FLAG_ERROR;
        }
    } while (hdr.id != PING_ID || hdr.cmd != CMD_REGION_READ);
    fuzz_check(!(hdr.flags & FLAG_ERROR) && len == sizeof(ra) + 4,
               "a well-formed register read was refused (error %u)", hdr.error);
    memcpy(&ident, reply + sizeof(ra), sizeof(ident));
    fuzz_check(ident == S5000_IDENT_MAGIC, "IDENT read 0x%x over vfio-user", ident);
    return true;
}

/* ------------------------------------------------------------ messages */

static uint32_t pick_argsz(struct fuzz_input *in, uint32_t right)
{
    uint8_t sel = fuzz_u8(in);

    return sel < 0xc0 ? right : sel < 0xe0 ? right - 1 - sel % 8 : sel < 0xf0 ? right + sel % 64 :
           fuzz_u32(in);
}

static uint64_t pick_bus(struct fuzz_input *in)
{
    uint8_t sel = fuzz_u8(in);

    return sel < 0xc0 ? (1ull << 32) + (uint64_t)(sel % 8) * RAM_SIZE : fuzz_u64(in);
}

static uint64_t pick_len(struct fuzz_input *in)
{
    uint8_t sel = fuzz_u8(in);

    return sel < 0xa0 ? RAM_SIZE >> (sel % 4) : sel < 0xf0 ? (uint64_t)(sel % 64) * 4096 :
           fuzz_u64(in);
}

static size_t body_dma_map(struct fuzz_input *in, int *fds, int *nfds)
{
    struct dma_map *m = (struct dma_map *)body;
    uint8_t fd_sel = fuzz_u8(in);

    m->argsz = pick_argsz(in, sizeof(*m));
    m->flags = fuzz_u8(in) < 0xf0 ? 3 - fd_sel % 3 : fuzz_u32(in);
    m->addr = pick_bus(in);
    m->size = pick_len(in);
    m->offset = fuzz_u8(in) < 0xe0 ? 0 : fuzz_u64(in);
    if (fd_sel < 0xc0)
        fds[(*nfds)++] = fd_sel & 1 ? ram_fd : small_fd;
    else if (fd_sel < 0xd0)
        fds[(*nfds)++] = event_fd[0];       /* not memory */
    return sizeof(*m);
}

static size_t body_dma_unmap(struct fuzz_input *in)
{
    struct dma_unmap *u = (struct dma_unmap *)body;

    u->argsz = pick_argsz(in, sizeof(*u));
    u->flags = fuzz_u8(in) < 0xe0 ? 0 : fuzz_u32(in) % 4;
    u->addr = pick_bus(in);
    u->size = pick_len(in);
    return sizeof(*u);
}

/* argsz, then an index and more words the input fills. */
static size_t body_info(struct fuzz_input *in, uint32_t argsz, unsigned int words)
{
    uint32_t *w = (uint32_t *)body;

    w[0] = pick_argsz(in, argsz);
    for (unsigned int i = 1; i < words; i++)
        w[i] = fuzz_u8(in) < 0xe0 ? fuzz_u8(in) % 10 : fuzz_u32(in);
    return words * 4;
}

static size_t body_set_irqs(struct fuzz_input *in, int *fds, int *nfds)
{
    struct vfio_irq_set *s = (struct vfio_irq_set *)body;
    static const uint32_t kinds[] = {
        VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
        VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
        VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
        VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
        VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
    };
    uint8_t sel = fuzz_u8(in), count = fuzz_u8(in);

    s->argsz = pick_argsz(in, sizeof(*s));
    s->flags = sel < 0xf0 ? kinds[sel % 5] : fuzz_u32(in);
    s->index = fuzz_u8(in) < 0xe0 ? VFIO_PCI_MSIX_IRQ_INDEX : fuzz_u8(in) % 8;
    s->start = fuzz_u8(in) % (S5000_MSIX_VECTORS + 2);
    s->count = count < 0xf0 ? count % (EVENTFDS + 1) : fuzz_u32(in);
    if (s->flags & VFIO_IRQ_SET_DATA_EVENTFD) {
        for (uint32_t i = 0; i < EVENTFDS && i < s->count; i++)
            fds[(*nfds)++] = event_fd[i];
    }
    if (s->flags & VFIO_IRQ_SET_DATA_BOOL) {
        fuzz_bytes(in, body + sizeof(*s), EVENTFDS);
        return sizeof(*s) + EVENTFDS;
    }
    return sizeof(*s);
}

/* Offsets worth reaching: registers, kick and doorbell pages, VRAM, config space. */
static uint64_t pick_region_offset(struct fuzz_input *in, uint32_t region)
{
    uint8_t sel = fuzz_u8(in);

    if (sel >= 0xf0)
        return fuzz_u64(in);
    if (region == S5000_BAR_REGS)
        return sel < 0x80 ? (uint64_t)fuzz_u16(in) % 0x3100 / 4 * 4 :
               sel < 0xb0 ? S5000_KICK_OFFSET + (uint64_t)fuzz_u16(in) % 0x20000 :
               sel < 0xd0 ? S5000_DOORBELL_OFFSET + (uint64_t)fuzz_u16(in) * 4 :
               S5000_BAR0_SIZE - sel % 16;
    return fuzz_u32(in) % (region == CFG_REGION ? 0x1000 : 0x4000000);
}

static size_t body_region(struct fuzz_input *in, bool write)
{
    static const uint32_t counts[] = { 4, 8, 1, 2, 3, 16, 256, 4096 };
    struct region_access *ra = (struct region_access *)body;
    uint8_t region = fuzz_u8(in), count = fuzz_u8(in);

    ra->region = region < 0x80 ? S5000_BAR_REGS : region < 0xb0 ? S5000_BAR_VRAM :
                 region < 0xe0 ? CFG_REGION : region % 12;
    ra->offset = pick_region_offset(in, ra->region);
    ra->count = count < 0xf0 ? counts[count % 8] : fuzz_u32(in);
    if (!write)
        return sizeof(*ra);
    fuzz_bytes(in, ra->data, ra->count < MAX_BODY - sizeof(*ra) ? ra->count :
                                                                     MAX_BODY - sizeof(*ra));
    /* A shorter body than count says, now and then. */
    return sizeof(*ra) + (ra->count < MAX_BODY - sizeof(*ra) && !(count & 0x40) ?
                          ra->count : fuzz_u8(in));
}

static size_t body_raw(struct fuzz_input *in)
{
    size_t len = fuzz_u8(in);

    fuzz_bytes(in, body, len);
    return len;
}

static size_t make_body(struct fuzz_input *in, uint16_t cmd, int *fds, int *nfds)
{
    memset(body, 0, sizeof(body));
    switch (cmd) {
    case CMD_DMA_MAP:                return body_dma_map(in, fds, nfds);
    case CMD_DMA_UNMAP:              return body_dma_unmap(in);
    case CMD_DEVICE_GET_INFO:        return body_info(in, sizeof(struct device_info), 4);
    case CMD_DEVICE_GET_REGION_INFO: return body_info(in, sizeof(struct vfio_region_info), 8);
    case 6:                          return body_info(in, 16, 4);     /* GET_REGION_IO_FDS */
    case CMD_DEVICE_GET_IRQ_INFO:    return body_info(in, sizeof(struct vfio_irq_info), 4);
    case CMD_DEVICE_SET_IRQS:        return body_set_irqs(in, fds, nfds);
    case CMD_REGION_READ:            return body_region(in, false);
    case CMD_REGION_WRITE:           return body_region(in, true);
    case CMD_DEVICE_RESET:           return 0;
    default:                         return body_raw(in);
    }
}

/* One fuzzed message; false if the connection ended or lost its framing. */
static bool send_message(struct fuzz_input *in, int sock, uint16_t id)
{
    static const uint16_t cmds[] = {
        CMD_REGION_WRITE, CMD_REGION_READ, CMD_DMA_MAP, CMD_DMA_UNMAP, CMD_REGION_WRITE,
        CMD_DEVICE_SET_IRQS, CMD_DEVICE_GET_REGION_INFO, CMD_DEVICE_GET_IRQ_INFO,
        CMD_DEVICE_GET_INFO, CMD_DEVICE_RESET, 6, CMD_VERSION,
    };
    uint8_t sel = fuzz_u8(in), shape = fuzz_u8(in);
    uint16_t cmd = sel < 0xf0 ? cmds[sel % (sizeof(cmds) / sizeof(cmds[0]))] : sel % (CMD_MAX + 2);
    int fds[EVENTFDS + 1], nfds = 0;
    size_t len = make_body(in, cmd, fds, &nfds);
    struct msg_header hdr = {
        .id = id, .cmd = cmd, .size = (uint32_t)(sizeof(hdr) + len),
        /* Now and then the reply type, no-reply, error, or reserved flags. */
        .flags = shape < 0xe0 ? 0 : 1u << (shape % 8),
    };
    uint8_t msg[sizeof(hdr) + sizeof(body)];

    /* Now and then a size that does not say how much follows. */
    if (shape >= 0xd8 && shape < 0xe0)
        hdr.size = shape & 1 ? (uint32_t)(sizeof(hdr) + len + 1 + fuzz_u8(in)) : fuzz_u32(in);
    memcpy(msg, &hdr, sizeof(hdr));
    memcpy(msg + sizeof(hdr), body, len);
    if (client_send_fds(sock, msg, sizeof(hdr) + len, fds, nfds) < 0)
        return false;
    answer.id = id;
    answer.seen = false;
    return ping(sock, PING_MS);
}

/* VERSION: the good one, or one the input spoils. */
static bool negotiate(struct fuzz_input *in, struct client *c)
{
    static const char caps[] = "{\"capabilities\":{\"max_msg_fds\":8,"
                               "\"max_data_xfer_size\":1048576}}";
    uint8_t sel = fuzz_u8(in);
    struct msg_header hdr = { .id = 1, .cmd = CMD_VERSION };
    uint8_t msg[sizeof(hdr) + 4 + 256];
    size_t len;

    if (sel < 0xe0)
        return client_negotiate(c);
    /* major, minor, then JSON: the good one cut short, or bytes of the input. */
    len = 4 + (sel & 1 ? fuzz_u8(in) % sizeof(caps) : fuzz_u8(in));
    memset(msg, 0, sizeof(msg));
    msg[sizeof(hdr)] = sel & 2 ? fuzz_u8(in) : 0;
    if (sel & 1)
        memcpy(msg + sizeof(hdr) + 4, caps, len - 4);
    else
        fuzz_bytes(in, msg + sizeof(hdr) + 4, len - 4);
    hdr.size = (uint32_t)(sizeof(hdr) + len);
    memcpy(msg, &hdr, sizeof(hdr));
    if (client_send_fds(c->sock, msg, sizeof(hdr) + len, NULL, 0) < 0)
        return false;
    return ping(c->sock, PING_MS);
}

/* ------------------------------------------------------------ after the input */

/*
 * The server still serves: a new client negotiates and reads IDENT (which also means
 * the previous client is gone: the server serves one at a time). Then that client
 * hangs up, and the server must reset the device for it.
 */
static void check_serving(void)
{
    struct client c;
    uint64_t resets, deadline;

    if (!client_connect(&c, socket_path, HANG_MS) || !client_negotiate(&c))
        fuzz_fail("hang", "a new client could not connect and negotiate");
    fuzz_check(ping(c.sock, HANG_MS), "a new client's register read was not answered");
    resets = atomic_load(&dev.counters.resets);
    deadline = fuzz_now_ms() + HANG_MS;
    client_close(&c);
    while (atomic_load(&dev.counters.resets) == resets) {
        if (fuzz_now_ms() > deadline)
            fuzz_fail("hang", "the server did not notice a client going away within %d ms",
                      HANG_MS);
        usleep(50);
    }
}

static void check_fds(int before)
{
    uint64_t deadline = fuzz_now_ms() + 1000;
    int n;

    while ((n = count_fds()) > before) {
        if (fuzz_now_ms() > deadline)
            fuzz_fail("leak", "%d file descriptors open, %d before the input", n, before);
        usleep(100);
    }
}

/* ------------------------------------------------------------ the harness */

void fuzz_harness_init(void)
{
    struct emu_config config = {
        .vram_size = 1ull << 30, .aperture_size = 64ull << 20, .num_queues = 4,
        .cp_threads = 2, .compute_threads = 1, .poll_us = 20, .serial = 0x5000f00d00000002ull,
    };
    pthread_t thread;

    snprintf(socket_dir, sizeof(socket_dir), "%s/fuzz-vfu.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(socket_dir))
        fuzz_fail("crash", "mkdtemp: %s", strerror(errno));
    snprintf(socket_path, sizeof(socket_path), "%s/vfu.sock", socket_dir);
    atexit(remove_socket);
    if (emu_device_init(&dev, &config) < 0 || !(vfu = emu_vfu_create(socket_path, &dev)))
        fuzz_fail("crash", "cannot start the server");
    ram_fd = memfd_create("fuzz-ram", MFD_CLOEXEC);
    small_fd = memfd_create("fuzz-ram-small", MFD_CLOEXEC);
    if (ram_fd < 0 || small_fd < 0 || ftruncate(ram_fd, RAM_SIZE) < 0 ||
        ftruncate(small_fd, 4096) < 0)
        fuzz_fail("crash", "cannot make guest RAM");
    for (int i = 0; i < EVENTFDS; i++)
        event_fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (pthread_create(&thread, NULL, serve, NULL) != 0)
        fuzz_fail("crash", "cannot start the serving thread");
    check_serving();
}

void fuzz_harness_run(struct fuzz_input *in)
{
    struct client c;
    unsigned int count = fuzz_u8(in) % MAX_MESSAGES;
    int fds_before = count_fds();
    bool alive;

    if (!client_connect(&c, socket_path, HANG_MS))
        fuzz_fail("hang", "cannot connect to the server");
    alive = negotiate(in, &c);
    for (unsigned int i = 0; i < count && alive && fuzz_more(in); i++)
        alive = send_message(in, c.sock, (uint16_t)(2 + i));
    fuzz_note("%u messages, connection %s", count, alive ? "kept" : "ended");
    client_close(&c);
    check_serving();
    check_fds(fds_before);
}

/* ------------------------------------------------------------------ seeds */

/* A register write through send_message(): region BAR0, raw offset, 4 bytes. */
static void seed_write(struct fuzz_output *out, uint64_t offset, uint32_t val)
{
    fuzz_put_u8(out, 0);                /* REGION_WRITE */
    fuzz_put_u8(out, 0);                /* plain header */
    fuzz_put_u8(out, 0);                /* BAR0 */
    fuzz_put_u8(out, 0);                /* count 4 */
    fuzz_put_u8(out, 0xf0);             /* raw offset */
    fuzz_put_u64(out, offset);
    fuzz_put_u32(out, val);
}

static void seed_dma_map(struct fuzz_output *out, uint8_t slot)
{
    fuzz_put_u8(out, 2);                /* DMA_MAP */
    fuzz_put_u8(out, 0);
    fuzz_put_u8(out, 3);                /* the 1 MiB RAM fd, read-write */
    fuzz_put_u8(out, 0);                /* right argsz */
    fuzz_put_u8(out, 0);                /* flags from the fd choice */
    fuzz_put_u8(out, slot);             /* bus 4 GiB + slot MiB */
    fuzz_put_u8(out, 0);                /* 1 MiB */
    fuzz_put_u8(out, 0);                /* offset 0 */
}

/* GET_REGION_INFO of a region, with the right argsz. */
static void seed_region_info(struct fuzz_output *out, uint8_t index)
{
    fuzz_put_u8(out, 6);
    fuzz_put_u8(out, 0);
    fuzz_put_u8(out, 0);                /* argsz */
    for (unsigned int word = 1; word < 8; word++) {
        fuzz_put_u8(out, 0);
        fuzz_put_u8(out, word == 2 ? index : 0);
    }
}

void fuzz_harness_seeds(void)
{
    struct fuzz_output out = { 0 };
    static const uint8_t irqs[] = { 5, 0, 0, 4, 0, 0, 0 };     /* SET_IRQS, 4 eventfds */

    /* QEMU's start: region info, RAM, interrupts, then registers. */
    fuzz_put_u8(&out, 7);
    fuzz_put_u8(&out, 0);               /* the good VERSION */
    seed_region_info(&out, S5000_BAR_REGS);
    seed_region_info(&out, S5000_BAR_VRAM);
    seed_dma_map(&out, 0);
    fuzz_put_bytes(&out, irqs, sizeof(irqs));
    seed_write(&out, S5000_REG_SCRATCH, 0x1234);
    seed_write(&out, S5000_REG_CONTROL, S5000_CONTROL_ENABLE);
    fuzz_seed(&out);

    /* A DMA storm: map, map it again, map another, unmap, unmap again. */
    fuzz_put_u8(&out, 5);
    fuzz_put_u8(&out, 0);
    seed_dma_map(&out, 1);
    seed_dma_map(&out, 1);
    seed_dma_map(&out, 2);
    for (int i = 0; i < 2; i++) {
        fuzz_put_u8(&out, 3);           /* DMA_UNMAP of slot 1 */
        fuzz_put_u8(&out, 0);
        fuzz_put_u8(&out, 0);
        fuzz_put_u8(&out, 0);
        fuzz_put_u8(&out, 1);
        fuzz_put_u8(&out, 0);
    }
    fuzz_seed(&out);

    /* Registers out of range and a reset. */
    fuzz_put_u8(&out, 3);
    fuzz_put_u8(&out, 0);
    seed_write(&out, S5000_BAR0_SIZE - 2, 0);
    seed_write(&out, S5000_REG_CONTROL, S5000_CONTROL_RESET);
    fuzz_put_u8(&out, 9);               /* DEVICE_RESET */
    fuzz_put_u8(&out, 0);
    fuzz_seed(&out);
}
