// SPDX-License-Identifier: MIT
/*
 * Protocol test of s5000-emu: a raw vfio-user client (no QEMU, no
 * libvfio-user) against the real binary, plus its control socket and its
 * command line.
 *
 * Usage: test_protocol PATH-TO-s5000-emu      (TAP on stdout)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../uapi/s5000.h"
#include "tap.h"

/* ------------------------------------------------------ vfio-user wire format */

enum {
    CMD_VERSION = 1,
    CMD_DMA_MAP = 2,
    CMD_DMA_UNMAP = 3,
    CMD_DEVICE_GET_INFO = 4,
    CMD_DEVICE_GET_REGION_INFO = 5,
    CMD_DEVICE_GET_IRQ_INFO = 7,
    CMD_REGION_READ = 9,
    CMD_REGION_WRITE = 10,
    CMD_DEVICE_RESET = 13,
};

#define FLAG_TYPE_MASK  0xf
#define FLAG_REPLY      1
#define FLAG_ERROR      (1u << 5)

struct msg_header {
    uint16_t id;
    uint16_t cmd;
    uint32_t size;              /* header included */
    uint32_t flags;
    uint32_t error;
};

struct dma_map {
    uint32_t argsz;
    uint32_t flags;             /* 1 read, 2 write */
    uint64_t offset;
    uint64_t addr;
    uint64_t size;
};

struct dma_unmap {
    uint32_t argsz;
    uint32_t flags;
    uint64_t addr;
    uint64_t size;
};

struct region_access {
    uint64_t offset;
    uint32_t region;
    uint32_t count;
    uint8_t data[];
};

struct device_info {
    uint32_t argsz;
    uint32_t flags;
    uint32_t num_regions;
    uint32_t num_irqs;
};

#define CFG_REGION VFIO_PCI_CONFIG_REGION_INDEX
#define MAX_REPLY (64 * 1024)
#define MAX_FDS 16
#define IO_TIMEOUT_S 3

/* A reply: transport failure (-1), error reply (its errno) or success (0). */
struct reply {
    struct msg_header hdr;
    uint8_t body[MAX_REPLY];
    size_t len;
    int fds[MAX_FDS];
    int nfds;
};

static uint16_t next_id = 1;

static int send_with_fds(int sock, const void *buf, size_t len, const int *fds, int nfds)
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

static int send_msg(int sock, uint16_t cmd, const void *payload, size_t len,
                    const int *fds, int nfds)
{
    uint8_t buf[sizeof(struct msg_header) + 4096];
    struct msg_header hdr = {
        .id = next_id++, .cmd = cmd, .size = (uint32_t)(sizeof(hdr) + len),
    };

    if (len > sizeof(buf) - sizeof(hdr))
        return -1;
    memcpy(buf, &hdr, sizeof(hdr));
    memcpy(buf + sizeof(hdr), payload, len);
    return send_with_fds(sock, buf, sizeof(hdr) + len, fds, nfds);
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
static int recv_reply(int sock, struct reply *r)
{
    char control[CMSG_SPACE(sizeof(int) * MAX_FDS)];
    struct iovec iov = { .iov_base = &r->hdr, .iov_len = sizeof(r->hdr) };
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control, .msg_controllen = sizeof(control),
    };
    struct cmsghdr *cmsg;

    r->nfds = 0;
    r->len = 0;
    if (recvmsg(sock, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC) != sizeof(r->hdr))
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
    return read_full(sock, r->body, r->len);
}

static void close_fds(struct reply *r)
{
    for (int i = 0; i < r->nfds; i++)
        close(r->fds[i]);
    r->nfds = 0;
}

/* Sends a command and waits for its reply: -1 transport failure, 0 success, else errno. */
static int request_fds(int sock, uint16_t cmd, const void *payload, size_t len,
                       const int *fds, int nfds, struct reply *r)
{
    uint16_t id = next_id;

    if (send_msg(sock, cmd, payload, len, fds, nfds) < 0 || recv_reply(sock, r) < 0)
        return -1;
    if (r->hdr.id != id || r->hdr.cmd != cmd || (r->hdr.flags & FLAG_TYPE_MASK) != FLAG_REPLY)
        return -1;
    if (r->hdr.flags & FLAG_ERROR)
        return r->hdr.error ? (int)r->hdr.error : EINVAL;
    return 0;
}

static int request(int sock, uint16_t cmd, const void *payload, size_t len, struct reply *r)
{
    return request_fds(sock, cmd, payload, len, NULL, 0, r);
}

static struct reply rep;       /* one reply buffer, reused: replies are consumed at once */

static int region_io(int sock, uint32_t region, uint64_t offset, void *data, uint32_t count,
                     bool is_write)
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
    ret = request(sock, is_write ? CMD_REGION_WRITE : CMD_REGION_READ, buf, len, &rep);
    if (ret != 0)
        return ret;
    if (!is_write) {
        if (rep.len != sizeof(*ra) + count)
            return -1;
        memcpy(data, rep.body + sizeof(*ra), count);
    }
    return 0;
}

static uint64_t reg_read(int sock, uint64_t offset, uint32_t size, int *err)
{
    uint64_t val = 0;

    *err = region_io(sock, S5000_BAR_REGS, offset, &val, size, false);
    return val;
}

static int reg_write32(int sock, uint64_t offset, uint32_t val)
{
    return region_io(sock, S5000_BAR_REGS, offset, &val, 4, true);
}

/* ----------------------------------------------------------- processes, paths */

static const char *emu_path;
static char tmpdir[80];
/* Short enough for sockaddr_un.sun_path. */
static char sock_path[100], ctl_path[100], log_path[100];

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Starts s5000-emu with args (NULL-terminated); stderr goes to log_path (or a pipe fd). */
static pid_t spawn(const char *const *args, int stderr_fd)
{
    const char *argv[16] = { emu_path };
    pid_t pid;
    int i;

    for (i = 0; args[i] && i < 14; i++)
        argv[i + 1] = args[i];
    pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);

        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        dup2(stderr_fd, STDERR_FILENO);
        execv(emu_path, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* The exit status as waitpid() reports it, or -1 after killing a child that hung. */
static int wait_exit(pid_t pid, long timeout_ms)
{
    int status;

    for (long waited = 0; waited < timeout_ms; waited++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        sleep_ms(1);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

static bool exited_with(int status, int code)
{
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

static int connect_unix(const char *path, long timeout_ms)
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

static bool path_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

static bool log_contains(const char *needle)
{
    static char text[256 * 1024];
    int fd = open(log_path, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return false;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    text[n > 0 ? n : 0] = '\0';
    return strstr(text, needle) != NULL;
}

/* Copies the server log into the TAP stream as comments. */
static void dump_log(void)
{
    char line[512];
    FILE *f = fopen(log_path, "r");

    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f))
        printf("# %s", line);
    fclose(f);
}

struct session {
    pid_t pid;
    int sock;
};

/* Starts a server with --socket/--control in tmpdir plus extra args, and connects. */
static bool start_server(struct session *s, const char *const *extra)
{
    const char *args[14] = { "--socket", sock_path, "--control", ctl_path };
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int n = 4;

    for (int i = 0; extra && extra[i] && n < 13; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    s->pid = spawn(args, log_fd);
    close(log_fd);
    s->sock = connect_unix(sock_path, 2000);
    return s->sock >= 0;
}

/* Cleanup after a failed check: whatever is left of the session goes. */
static void stop_server(struct session *s)
{
    if (s->sock >= 0)
        close(s->sock);
    s->sock = -1;
    if (s->pid > 0 && wait_exit(s->pid, 0) == -1)
        printf("# server had to be killed\n");
    s->pid = -1;
}

static bool negotiate(int sock)
{
    static const char caps[] = "{\"capabilities\":{\"max_msg_fds\":16,"
                               "\"max_data_xfer_size\":1048576}}";
    uint8_t payload[4 + sizeof(caps)] = { 0, 0, 0, 0 };   /* major 0, minor 0 */
    uint16_t major, minor;

    memcpy(payload + 4, caps, sizeof(caps));
    if (request(sock, CMD_VERSION, payload, sizeof(payload), &rep) != 0 || rep.len < 5)
        return false;
    memcpy(&major, rep.body, 2);
    memcpy(&minor, rep.body + 2, 2);
    rep.body[rep.len - 1] = '\0';
    return major == 0 && minor == 0 && strstr((char *)rep.body + 4, "capabilities") != NULL;
}

/* ------------------------------------------------------------- the checks */

static void check_device_info(int sock)
{
    struct device_info in = { .argsz = sizeof(in) }, out;
    int ret = request(sock, CMD_DEVICE_GET_INFO, &in, sizeof(in), &rep);

    memcpy(&out, rep.body, sizeof(out));
    ok(ret == 0 && rep.len >= sizeof(out) && (out.flags & VFIO_DEVICE_FLAGS_PCI) &&
       (out.flags & VFIO_DEVICE_FLAGS_RESET) && out.num_regions > CFG_REGION &&
       out.num_irqs > VFIO_PCI_MSIX_IRQ_INDEX,
       "DEVICE_GET_INFO: PCI, resettable, %u regions, %u irq types",
       out.num_regions, out.num_irqs);
}

static uint16_t cfg16(const uint8_t *cfg, unsigned int off)
{
    return (uint16_t)(cfg[off] | cfg[off + 1] << 8);
}

static uint32_t cfg32(const uint8_t *cfg, unsigned int off)
{
    return cfg16(cfg, off) | (uint32_t)cfg16(cfg, off + 2) << 16;
}

/* Offset of capability id in the standard list, or 0. */
static unsigned int find_cap(const uint8_t *cfg, uint8_t id)
{
    unsigned int pos = cfg[PCI_CAPABILITY_LIST];

    for (int hops = 0; pos >= 0x40 && pos < 0x100 && hops < 48; hops++) {
        if (cfg[pos] == id)
            return pos;
        pos = cfg[pos + 1];
    }
    return 0;
}

static void check_caps(const uint8_t *cfg)
{
    unsigned int px = find_cap(cfg, PCI_CAP_ID_EXP);
    unsigned int mx = find_cap(cfg, PCI_CAP_ID_MSIX);

    ok((cfg16(cfg, PCI_STATUS) & PCI_STATUS_CAP_LIST) && px != 0 &&
       (cfg16(cfg, px + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_VERS) == 2 &&
       (cfg16(cfg, px + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_TYPE) >> 4 == PCI_EXP_TYPE_ENDPOINT,
       "config: PCI Express v2 endpoint capability");
    ok(mx != 0 && (cfg16(cfg, mx + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_QSIZE) == S5000_MSIX_VECTORS - 1 &&
       cfg32(cfg, mx + PCI_MSIX_TABLE) == (S5000_MSIX_TABLE_OFFSET | S5000_BAR_REGS) &&
       cfg32(cfg, mx + PCI_MSIX_PBA) == (S5000_MSIX_PBA_OFFSET | S5000_BAR_REGS),
       "config: MSI-X capability, %d vectors, table and PBA in BAR0", S5000_MSIX_VECTORS);
}

static void check_config_space(int sock)
{
    uint8_t cfg[256];
    uint32_t bar0, bar2;

    if (!ok(region_io(sock, CFG_REGION, 0, cfg, sizeof(cfg), false) == 0,
            "config space readable (region %d)", CFG_REGION))
        return;
    ok(cfg16(cfg, PCI_VENDOR_ID) == S5000_PCI_VENDOR_ID &&
       cfg16(cfg, PCI_DEVICE_ID) == S5000_PCI_DEVICE_ID, "config: vendor and device id");
    ok(cfg[PCI_REVISION_ID] == S5000_PCI_REVISION, "config: revision 0x%02x", cfg[PCI_REVISION_ID]);
    ok((cfg32(cfg, PCI_CLASS_REVISION) >> 8) == S5000_PCI_CLASS, "config: class 0x%06x",
       cfg32(cfg, PCI_CLASS_REVISION) >> 8);
    ok(cfg16(cfg, PCI_SUBSYSTEM_VENDOR_ID) == S5000_PCI_SUBSYS_VENDOR_ID &&
       cfg16(cfg, PCI_SUBSYSTEM_ID) == S5000_PCI_SUBSYS_ID_EMULATED, "config: subsystem id");
    bar0 = cfg32(cfg, PCI_BASE_ADDRESS_0);
    bar2 = cfg32(cfg, PCI_BASE_ADDRESS_2);
    ok((bar0 & 0xf) == (PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_32),
       "config: BAR0 is 32-bit non-prefetchable memory (0x%x)", bar0);
    ok((bar2 & 0xf) == (PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_64 |
                        PCI_BASE_ADDRESS_MEM_PREFETCH),
       "config: BAR2 is 64-bit prefetchable memory (0x%x)", bar2);
    ok(cfg[PCI_INTERRUPT_PIN] == 0, "config: no INTx pin");
    check_caps(cfg);
}

struct region_info {
    struct vfio_region_info info;
    struct vfio_region_sparse_mmap_area areas[4];
    unsigned int nr_areas;
    int fd;                     /* the one fd, or -1 */
    int nfds;
    bool retried;               /* the first, short reply asked for a larger argsz */
};

static void parse_sparse_cap(struct region_info *ri)
{
    struct vfio_region_info_cap_sparse_mmap sparse;
    uint32_t off = ri->info.cap_offset;

    if (!(ri->info.flags & VFIO_REGION_INFO_FLAG_CAPS) || off + sizeof(sparse) > rep.len)
        return;
    memcpy(&sparse, rep.body + off, sizeof(sparse));
    if (sparse.header.id != VFIO_REGION_INFO_CAP_SPARSE_MMAP || sparse.nr_areas > 4 ||
        off + sizeof(sparse) + sparse.nr_areas * sizeof(ri->areas[0]) > rep.len)
        return;
    ri->nr_areas = sparse.nr_areas;
    memcpy(ri->areas, rep.body + off + sizeof(sparse), sparse.nr_areas * sizeof(ri->areas[0]));
}

/* GET_REGION_INFO the way QEMU does it: a bare struct first, then with the argsz asked for. */
static int get_region_info(int sock, uint32_t index, struct region_info *ri)
{
    struct vfio_region_info in = { .argsz = sizeof(in), .index = index };

    memset(ri, 0, sizeof(*ri));
    ri->fd = -1;
    if (request(sock, CMD_DEVICE_GET_REGION_INFO, &in, sizeof(in), &rep) != 0 ||
        rep.len < sizeof(ri->info))
        return -1;
    memcpy(&ri->info, rep.body, sizeof(ri->info));
    close_fds(&rep);
    if (ri->info.argsz > sizeof(in)) {
        ri->retried = true;
        in.argsz = ri->info.argsz;
        if (request(sock, CMD_DEVICE_GET_REGION_INFO, &in, sizeof(in), &rep) != 0 ||
            rep.len < sizeof(ri->info))
            return -1;
        memcpy(&ri->info, rep.body, sizeof(ri->info));
        parse_sparse_cap(ri);
    }
    ri->nfds = rep.nfds;
    if (rep.nfds == 1) {
        ri->fd = rep.fds[0];
        rep.nfds = 0;
    }
    close_fds(&rep);
    return 0;
}

static void *map_area(const struct region_info *ri, unsigned int area)
{
    void *p = mmap(NULL, ri->areas[area].size, PROT_READ | PROT_WRITE, MAP_SHARED, ri->fd,
                   (off_t)(ri->info.offset + ri->areas[area].offset));

    return p == MAP_FAILED ? NULL : p;
}

static volatile uint32_t *doorbells;       /* BAR0's mapped doorbell pages */

static void check_bar0(int sock)
{
    struct region_info ri;
    uint32_t val = 0, pattern = 0xd00be11;
    int ret = get_region_info(sock, S5000_BAR_REGS, &ri);

    if (!ok(ret == 0 && ri.info.size == S5000_BAR0_SIZE &&
            (ri.info.flags & VFIO_REGION_INFO_FLAG_MMAP) && ri.retried,
            "region 0: %llu bytes, mappable, caps after an argsz retry",
            (unsigned long long)ri.info.size))
        return;
    ok(ri.nr_areas == 1 && ri.areas[0].offset == S5000_DOORBELL_OFFSET &&
       ri.areas[0].size == S5000_BAR0_SIZE - S5000_DOORBELL_OFFSET,
       "region 0: exactly one sparse mmap area, the doorbell pages");
    if (!ok(ri.nfds == 1, "region 0: exactly one fd (%d)", ri.nfds))
        return;
    doorbells = map_area(&ri, 0);
    close(ri.fd);
    if (!ok(doorbells != NULL, "doorbell pages mmap"))
        return;
    doorbells[S5000_DOORBELL_PAGE_SIZE / 4 * 3] = pattern;
    ok(region_io(sock, S5000_BAR_REGS, S5000_DOORBELL_OFFSET + 3 * S5000_DOORBELL_PAGE_SIZE,
                 &val, 4, false) == 0 && val == pattern,
       "doorbell written through the mapping reads back through the socket");
}

static void check_bar2(int sock, uint64_t aperture)
{
    static const char pattern[] = "S5000 aperture pattern";
    struct region_info ri;
    char back[sizeof(pattern)] = "";
    uint8_t *vram;
    int ret = get_region_info(sock, S5000_BAR_VRAM, &ri);

    if (!ok(ret == 0 && ri.info.size == aperture,
            "region 2: %llu bytes (the aperture)", (unsigned long long)ri.info.size))
        return;
    ok(ri.nr_areas == 1 && ri.areas[0].offset == 0 && ri.areas[0].size == aperture &&
       ri.nfds == 1, "region 2: one mmap area covering it all, one fd");
    if (ri.fd < 0)
        return;
    vram = map_area(&ri, 0);
    close(ri.fd);
    if (!ok(vram != NULL, "region 2: mmap of the whole aperture"))
        return;
    memcpy(vram + aperture - 4096, pattern, sizeof(pattern));
    ok(region_io(sock, S5000_BAR_VRAM, aperture - 4096, back, sizeof(back), false) == 0 &&
       memcmp(back, pattern, sizeof(pattern)) == 0,
       "aperture bytes written through the mapping read back through the socket");
    ok(region_io(sock, S5000_BAR_VRAM, 64, (void *)pattern, sizeof(pattern), true) == 0 &&
       memcmp(vram + 64, pattern, sizeof(pattern)) == 0,
       "aperture bytes written through the socket show in the mapping");
    munmap(vram, aperture);
}

static void check_identity_regs(int sock)
{
    int e1, e2, e3;

    ok(reg_read(sock, S5000_REG_IDENT, 4, &e1) == S5000_IDENT_MAGIC && !e1, "IDENT magic");
    ok(reg_read(sock, S5000_REG_VERSION, 4, &e1) == S5000_ABI_VERSION && !e1, "VERSION");
    ok((reg_read(sock, S5000_REG_CAPS, 4, &e1) & S5000_CAP_EMULATED) && !e1, "CAPS: emulated");
    ok(reg_read(sock, S5000_REG_NUM_QUEUES, 4, &e1) == S5000_MAX_QUEUES &&
       reg_read(sock, S5000_REG_NUM_VECTORS, 4, &e2) == S5000_MSIX_VECTORS &&
       reg_read(sock, S5000_REG_TIMESTAMP_FREQ, 4, &e3) == S5000_TIMESTAMP_FREQ_HZ &&
       !e1 && !e2 && !e3, "NUM_QUEUES, NUM_VECTORS, TIMESTAMP_FREQ");
}

static void check_size_regs(int sock, uint64_t vram, uint64_t aperture)
{
    int e1, e2, e3;
    uint64_t lo, hi;

    ok(reg_read(sock, S5000_REG_VRAM_SIZE, 8, &e1) == vram && !e1,
       "VRAM_SIZE as one 64-bit read (%llu)", (unsigned long long)vram);
    lo = reg_read(sock, S5000_REG_VRAM_SIZE, 4, &e1);
    hi = reg_read(sock, S5000_REG_VRAM_SIZE + 4, 4, &e2);
    ok((hi << 32 | lo) == vram && !e1 && !e2, "VRAM_SIZE as two 32-bit reads");
    ok(reg_read(sock, S5000_REG_APERTURE_SIZE, 8, &e3) == aperture && !e3, "APERTURE_SIZE");
}

static void check_timestamp(int sock)
{
    int e1, e2;
    uint64_t t0 = reg_read(sock, S5000_REG_TIMESTAMP, 8, &e1);
    uint64_t t1;

    sleep_ms(10);
    t1 = reg_read(sock, S5000_REG_TIMESTAMP, 8, &e2);
    /* At least 10 ms of 100 MHz ticks, and not absurdly more. */
    ok(!e1 && !e2 && t1 - t0 >= S5000_TIMESTAMP_FREQ_HZ / 100 && t1 - t0 < 5ull * S5000_TIMESTAMP_FREQ_HZ,
       "TIMESTAMP advances at 100 MHz (%llu ticks over 10 ms)", (unsigned long long)(t1 - t0));
}

static void check_bad_accesses(int sock)
{
    int err;
    uint32_t val = 0xffffffff;

    ok(reg_write32(sock, S5000_REG_SCRATCH, 0xc0ffee01) == 0 &&
       reg_read(sock, S5000_REG_SCRATCH, 4, &err) == 0xc0ffee01 && !err, "SCRATCH write/readback");
    ok(reg_read(sock, 0x8000, 4, &err) == 0 && err == 0, "unimplemented register reads 0");
    ok(reg_read(sock, S5000_REG_IDENT + 2, 4, &err) == 0 && err == 0, "misaligned read gives 0");
    ok(reg_write32(sock, S5000_REG_IDENT, 0) == 0 &&
       reg_read(sock, S5000_REG_IDENT, 4, &err) == S5000_IDENT_MAGIC, "write to IDENT is dropped");
    ok(region_io(sock, S5000_BAR_REGS, S5000_BAR0_SIZE, &val, 4, false) > 0,
       "read past the end of BAR0 gets an error reply");
    ok(reg_read(sock, S5000_REG_IDENT, 4, &err) == S5000_IDENT_MAGIC && !err,
       "server still answers after bad accesses");
}

static void check_irqs(int sock)
{
    struct vfio_irq_info in = { .argsz = sizeof(in), .index = VFIO_PCI_MSIX_IRQ_INDEX }, out;
    int ret = request(sock, CMD_DEVICE_GET_IRQ_INFO, &in, sizeof(in), &rep);

    memcpy(&out, rep.body, sizeof(out));
    ok(ret == 0 && out.count == S5000_MSIX_VECTORS && (out.flags & VFIO_IRQ_INFO_EVENTFD),
       "MSI-X: %u eventfd vectors", out.count);
    in.index = VFIO_PCI_INTX_IRQ_INDEX;
    ret = request(sock, CMD_DEVICE_GET_IRQ_INFO, &in, sizeof(in), &rep);
    memcpy(&out, rep.body, sizeof(out));
    ok(ret == 0 && out.count == 0, "no INTx");
}

static void check_dma(int sock)
{
    const uint64_t size = 2 << 20, iova = 0x100000000ull;
    struct dma_map map = { .argsz = sizeof(map), .flags = 3, .addr = iova, .size = size };
    struct dma_unmap unmap = { .argsz = sizeof(unmap), .addr = iova, .size = size };
    int ram = memfd_create("guest-ram", MFD_CLOEXEC);

    if (!ok(ram >= 0 && ftruncate(ram, (off_t)size) == 0, "guest RAM memfd"))
        return;
    ok(request_fds(sock, CMD_DMA_MAP, &map, sizeof(map), &ram, 1, &rep) == 0,
       "DMA_MAP of a memfd accepted");
    ok(request(sock, CMD_DMA_UNMAP, &unmap, sizeof(unmap), &rep) == 0, "DMA_UNMAP accepted");
    close(ram);

    map.addr = 0x200000000ull;
    ok(request(sock, CMD_DMA_MAP, &map, sizeof(map), &rep) == 0,
       "DMA_MAP without fd accepted (the device cannot use it)");
}

static void check_reset(int sock)
{
    int err;

    reg_write32(sock, S5000_REG_SCRATCH, 0x5a5a5a5a);
    ok(request(sock, CMD_DEVICE_RESET, NULL, 0, &rep) == 0, "DEVICE_RESET accepted");
    ok(reg_read(sock, S5000_REG_SCRATCH, 4, &err) == 0 && !err, "SCRATCH is 0 after reset");
    ok(doorbells && doorbells[S5000_DOORBELL_PAGE_SIZE / 4 * 3] == 0,
       "doorbell pages are clear after reset");
}

/* ------------------------------------------------------------ control socket */

static bool ctl_says(int ctl, const char *cmd, const char *expect)
{
    char line[512];
    size_t n = 0;

    if (send(ctl, cmd, strlen(cmd), MSG_NOSIGNAL) != (ssize_t)strlen(cmd))
        return false;
    while (n < sizeof(line) - 1) {
        if (recv(ctl, line + n, 1, 0) != 1)
            return false;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    if (strcmp(line, expect) != 0)
        printf("# got '%s', expected '%s'\n", line, expect);
    return strcmp(line, expect) == 0;
}

static void check_control(uint64_t vram, uint64_t aperture)
{
    char info[256], longline[1200];
    int ctl = connect_unix(ctl_path, 1000), second;

    if (!ok(ctl >= 0, "control socket accepts a client"))
        return;
    snprintf(info, sizeof(info), "s5000-emu vendor=0x1ed5 device=0x5000 vram=%llu aperture=%llu "
             "queues=32 vectors=33", (unsigned long long)vram, (unsigned long long)aperture);
    ok(ctl_says(ctl, "ping\n", "pong"), "control: ping");
    ok(ctl_says(ctl, "info\r\n", info), "control: info");
    ok(ctl_says(ctl, "frobnicate\n", "error: unknown command 'frobnicate'"),
       "control: unknown command");
    memset(longline, 'x', sizeof(longline) - 1);
    longline[sizeof(longline) - 2] = '\n';
    longline[sizeof(longline) - 1] = '\0';
    ok(ctl_says(ctl, longline, "error: line too long (at most 256 bytes)") &&
       ctl_says(ctl, "ping\n", "pong"), "control: overlong line refused, next line served");

    /* One client at a time: the next one is served once the first leaves. */
    second = connect_unix(ctl_path, 1000);
    close(ctl);
    ok(second >= 0 && ctl_says(second, "ping\n", "pong"), "control: next client served");
    close(second);
}

/* ----------------------------------------------------------------- sessions */

/* The main session: default sizes, the whole QEMU-like sequence. */
static void session_main(void)
{
    const uint64_t vram = S5000_VRAM_DEFAULT, aperture = S5000_APERTURE_DEFAULT;
    struct session s;
    int status;

    if (!ok(start_server(&s, NULL), "server listens on its socket") ||
        !ok(negotiate(s.sock), "VERSION negotiated (0.0, capabilities JSON)")) {
        stop_server(&s);
        return;
    }
    check_device_info(s.sock);
    check_config_space(s.sock);
    check_bar0(s.sock);
    check_bar2(s.sock, aperture);
    check_identity_regs(s.sock);
    check_size_regs(s.sock, vram, aperture);
    check_timestamp(s.sock);
    check_bad_accesses(s.sock);
    check_irqs(s.sock);
    check_dma(s.sock);
    check_reset(s.sock);
    check_control(vram, aperture);

    close(s.sock);
    status = wait_exit(s.pid, 2000);
    ok(exited_with(status, 0), "client disconnect: server exits 0 (status 0x%x)", status);
    ok(!path_exists(sock_path) && !path_exists(ctl_path), "sockets removed on exit");
    ok(log_contains("client attached"), "log: client attached");
    ok(log_contains("WITHOUT a file descriptor"), "log: loud warning for RAM without fd");
    if (doorbells)
        munmap((void *)doorbells, S5000_BAR0_SIZE - S5000_DOORBELL_OFFSET);
}

/*
 * A malformed message must not crash the server: either it answers with an
 * error and keeps serving, or it drops the client and exits normally.
 */
static bool survives(struct session *s, const void *raw, size_t len, const char *what)
{
    struct device_info in = { .argsz = sizeof(in) };
    int status;

    if (send_with_fds(s->sock, raw, len, NULL, 0) == 0 && recv_reply(s->sock, &rep) == 0) {
        bool refused = (rep.hdr.flags & FLAG_ERROR) != 0;

        return ok(refused && request(s->sock, CMD_DEVICE_GET_INFO, &in, sizeof(in), &rep) == 0,
                  "%s: error reply, server keeps serving", what);
    }
    status = wait_exit(s->pid, 2000);
    s->pid = -1;
    return ok(status != -1 && WIFEXITED(status), "%s: connection dropped, server exited normally",
              what);
}

static void session_malformed(void)
{
    const char *const sizes[] = { "--aperture-mib", "64", "--vram-gib", "1", NULL };
    struct msg_header short_size = { .id = 900, .cmd = CMD_DEVICE_GET_INFO, .size = 8 };
    struct msg_header huge_size = { .id = 901, .cmd = CMD_DEVICE_GET_INFO, .size = 64u << 20 };
    struct { struct msg_header h; uint64_t pad; } unknown = {
        { .id = 902, .cmd = 0x77, .size = sizeof(unknown) }, 0 };
    struct { struct msg_header h; struct region_access ra; } too_big = {
        { .id = 903, .cmd = CMD_REGION_READ, .size = sizeof(too_big) },
        { .region = S5000_BAR_REGS, .count = 8u << 20 } };
    struct session s;
    int err, status;

    if (!ok(start_server(&s, sizes) && negotiate(s.sock), "second server (64 MiB aperture, 1 GiB VRAM)"))
        goto out;
    ok(reg_read(s.sock, S5000_REG_VRAM_SIZE, 8, &err) == 1ull << 30 &&
       reg_read(s.sock, S5000_REG_APERTURE_SIZE, 8, &err) == 64ull << 20,
       "--vram-gib and --aperture-mib reach the registers");
    if (!survives(&s, &short_size, sizeof(short_size), "size field below the header size") ||
        !survives(&s, &huge_size, sizeof(huge_size), "size field of 64 MiB") ||
        !survives(&s, &unknown, sizeof(unknown), "unknown command") ||
        !survives(&s, &too_big, sizeof(too_big), "8 MiB region read"))
        goto out;
    close(s.sock);
    s.sock = -1;
    status = wait_exit(s.pid, 2000);
    s.pid = -1;
    ok(exited_with(status, 0), "server exits 0 after the malformed session");
out:
    stop_server(&s);
}

static void session_vanish(void)
{
    struct session s;
    int ctl, status;

    if (!ok(start_server(&s, NULL) && negotiate(s.sock), "third server started")) {
        stop_server(&s);
        return;
    }
    ctl = connect_unix(ctl_path, 1000);
    ok(ctl >= 0 && ctl_says(ctl, "vanish\n", "ok"), "control: vanish answers ok");
    status = wait_exit(s.pid, 2000);
    s.pid = -1;
    ok(exited_with(status, 3), "vanish: server exits with status 3 (0x%x)", status);
    ok(recv(s.sock, &rep.hdr, sizeof(rep.hdr), 0) == 0, "vanish: vfio-user connection closed");
    ok(!path_exists(sock_path) && !path_exists(ctl_path), "vanish: sockets removed");
    if (ctl >= 0)
        close(ctl);
    stop_server(&s);
}

/* SIGTERM with no client; the server also replaces a stale socket at its path. */
static void session_sigterm(void)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int stale = socket(AF_UNIX, SOCK_STREAM, 0), devnull, sock, status;
    const char *args[] = { "--socket", sock_path, NULL };
    pid_t pid;

    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
    bind(stale, (struct sockaddr *)&addr, sizeof(addr));
    close(stale);
    devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    pid = spawn(args, devnull);
    close(devnull);
    sock = connect_unix(sock_path, 2000);
    ok(sock >= 0, "stale socket replaced");
    if (sock >= 0)
        close(sock);
    kill(pid, SIGTERM);
    status = wait_exit(pid, 2000);
    ok(exited_with(status, 0), "SIGTERM: exit status 0 (0x%x)", status);
    ok(!path_exists(sock_path), "SIGTERM: socket removed");
}

/* Runs s5000-emu with args; returns its exit status, stderr in err. */
static int run_cli(const char *const *args, char *err, size_t size)
{
    int pipefd[2], status;
    ssize_t n = 0, got;
    pid_t pid;

    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return -1;
    pid = spawn(args, pipefd[1]);
    close(pipefd[1]);
    while (n < (ssize_t)size - 1 && (got = read(pipefd[0], err + n, size - 1 - (size_t)n)) > 0)
        n += got;
    err[n] = '\0';
    close(pipefd[0]);
    status = wait_exit(pid, 2000);
    return status;
}

static void check_cli(void)
{
    const char *const bogus[] = { "--socket", sock_path, "--bogus", NULL };
    const char *const no_socket[] = { "--control", ctl_path, NULL };
    const char *const bad_aperture[] = { "--socket", sock_path, "--aperture-mib", "100", NULL };
    const char *const small_vram[] = { "--socket", sock_path, "--vram-gib", "1",
                                       "--aperture-mib", "2048", NULL };
    const char *const help[] = { "--help", NULL };
    char err[4096];

    ok(exited_with(run_cli(bogus, err, sizeof(err)), 2) && strstr(err, "Usage:"),
       "unknown option: exit 2 with usage");
    ok(exited_with(run_cli(no_socket, err, sizeof(err)), 2) && strstr(err, "--socket"),
       "missing --socket: exit 2");
    ok(exited_with(run_cli(bad_aperture, err, sizeof(err)), 2) && strstr(err, "power of two"),
       "--aperture-mib 100 refused");
    ok(exited_with(run_cli(small_vram, err, sizeof(err)), 2), "aperture larger than VRAM refused");
    ok(exited_with(run_cli(help, err, sizeof(err)), 0), "--help: exit 0");
    ok(!path_exists(sock_path) && !path_exists(ctl_path), "refused runs leave no socket");
}

int main(int argc, char **argv)
{
    int status;

    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-TO-s5000-emu\n", argv[0]);
        return 2;
    }
    emu_path = argv[1];
    signal(SIGPIPE, SIG_IGN);
    snprintf(tmpdir, sizeof(tmpdir), "%s/s5000-emu-test.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(sock_path, sizeof(sock_path), "%s/vfu.sock", tmpdir);
    snprintf(ctl_path, sizeof(ctl_path), "%s/control.sock", tmpdir);
    snprintf(log_path, sizeof(log_path), "%s/server.log", tmpdir);

    session_main();
    session_malformed();
    session_vanish();
    session_sigterm();
    check_cli();

    status = tap_done();
    if (status != 0)
        dump_log();
    unlink(log_path);
    rmdir(tmpdir);
    return status;
}
