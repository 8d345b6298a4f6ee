// SPDX-License-Identifier: MIT
/*
 * Protocol test of s5000-emu: the test client (no QEMU, no libvfio-user)
 * against the real binary, plus its control socket and its command line.
 *
 * Usage: test_protocol PATH-TO-s5000-emu      (TAP on stdout)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../uapi/s5000.h"
#include "client.h"
#include "tap.h"

static const char *emu_path;

static bool exited_with(int status, int code)
{
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

static bool path_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

/* ------------------------------------------------------------- the checks */

static void check_device_info(struct client *c)
{
    struct device_info in = { .argsz = sizeof(in) }, out;
    int ret = client_request(c, CMD_DEVICE_GET_INFO, &in, sizeof(in));

    memcpy(&out, c->rep->body, sizeof(out));
    ok(ret == 0 && c->rep->len >= sizeof(out) && (out.flags & VFIO_DEVICE_FLAGS_PCI) &&
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

static void check_config_space(struct client *c)
{
    uint8_t cfg[256];
    uint32_t bar0, bar2;

    if (!ok(client_region_io(c, CFG_REGION, 0, cfg, sizeof(cfg), false) == 0,
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

static void check_bar0(struct client *c)
{
    struct region_info ri;
    uint32_t val = 0, pattern = 0xd00be11;
    volatile uint32_t *doorbells;
    int ret = client_get_region_info(c, S5000_BAR_REGS, &ri);

    if (!ok(ret == 0 && ri.info.size == S5000_BAR0_SIZE &&
            (ri.info.flags & VFIO_REGION_INFO_FLAG_MMAP) && ri.retried,
            "region 0: %llu bytes, mappable, caps after an argsz retry",
            (unsigned long long)ri.info.size))
        return;
    ok(ri.nr_areas == 1 && ri.areas[0].offset == S5000_DOORBELL_OFFSET &&
       ri.areas[0].size == DOORBELL_AREA,
       "region 0: exactly one sparse mmap area, the doorbell pages");
    if (!ok(ri.nfds == 1, "region 0: exactly one fd (%d)", ri.nfds))
        return;
    doorbells = client_map_area(&ri, 0);
    close(ri.fd);
    if (!ok(doorbells != NULL, "doorbell pages mmap"))
        return;
    c->doorbells = (volatile uint8_t *)doorbells;
    doorbells[S5000_PAGE_SIZE / 4 * 3] = pattern;
    ok(client_region_io(c, S5000_BAR_REGS, S5000_DOORBELL_PAGE(3), &val, 4, false) == 0 &&
       val == pattern, "doorbell written through the mapping reads back through the socket");
}

static void check_bar2(struct client *c, uint64_t aperture)
{
    static const char pattern[] = "S5000 aperture pattern";
    struct region_info ri;
    char back[sizeof(pattern)] = "";
    uint8_t *vram;
    int ret = client_get_region_info(c, S5000_BAR_VRAM, &ri);

    if (!ok(ret == 0 && ri.info.size == aperture,
            "region 2: %llu bytes (the aperture)", (unsigned long long)ri.info.size))
        return;
    ok(ri.nr_areas == 1 && ri.areas[0].offset == 0 && ri.areas[0].size == aperture &&
       ri.nfds == 1, "region 2: one mmap area covering it all, one fd");
    if (ri.fd < 0)
        return;
    vram = client_map_area(&ri, 0);
    close(ri.fd);
    if (!ok(vram != NULL, "region 2: mmap of the whole aperture"))
        return;
    memcpy(vram + aperture - 4096, pattern, sizeof(pattern));
    ok(client_region_io(c, S5000_BAR_VRAM, aperture - 4096, back, sizeof(back), false) == 0 &&
       memcmp(back, pattern, sizeof(pattern)) == 0,
       "aperture bytes written through the mapping read back through the socket");
    ok(client_region_io(c, S5000_BAR_VRAM, 64, (void *)pattern, sizeof(pattern), true) == 0 &&
       memcmp(vram + 64, pattern, sizeof(pattern)) == 0,
       "aperture bytes written through the socket show in the mapping");
    munmap(vram, aperture);
}

static void check_identity_regs(struct client *c)
{
    char name[S5000_NAME_LEN + 1] = "";

    ok(rd32(c, S5000_REG_IDENT) == S5000_IDENT_MAGIC, "IDENT magic");
    ok(rd32(c, S5000_REG_VERSION) == S5000_ABI_VERSION, "VERSION");
    ok(rd32(c, S5000_REG_CAPS) == (S5000_CAP_EMULATED | S5000_CAP_KERNEL_LAUNCH),
       "CAPS: emulated, KERNEL_LAUNCH");
    ok(rd32(c, S5000_REG_NUM_QUEUES) == S5000_MAX_QUEUES &&
       rd32(c, S5000_REG_NUM_VECTORS) == S5000_MSIX_VECTORS &&
       rd32(c, S5000_REG_TIMESTAMP_FREQ) == S5000_TIMESTAMP_FREQ_HZ,
       "NUM_QUEUES, NUM_VECTORS, TIMESTAMP_FREQ");
    ok(rd32(c, S5000_REG_NUM_CONTEXTS) == S5000_MAX_CONTEXTS &&
       rd32(c, S5000_REG_VA_BITS) == S5000_VA_BITS && rd32(c, S5000_REG_COMPUTE_UNITS) > 0,
       "NUM_CONTEXTS, VA_BITS, COMPUTE_UNITS");
    ok(rd64(c, S5000_REG_SERIAL) != 0 && rd64(c, S5000_REG_SERIAL) != UINT64_MAX, "SERIAL");
    for (unsigned int i = 0; i < S5000_NAME_LEN; i += 4) {
        uint32_t word = rd32(c, S5000_REG_NAME + i);

        memcpy(name + i, &word, 4);
    }
    ok(strstr(name, "MTT S5000") != NULL, "NAME: '%s'", name);
}

static void check_size_regs(struct client *c, uint64_t vram, uint64_t aperture)
{
    uint64_t lo, hi;

    ok(rd64(c, S5000_REG_VRAM_SIZE) == vram, "VRAM_SIZE as one 64-bit read (%llu)",
       (unsigned long long)vram);
    lo = rd32(c, S5000_REG_VRAM_SIZE);
    hi = rd32(c, S5000_REG_VRAM_SIZE + 4);
    ok((hi << 32 | lo) == vram, "VRAM_SIZE as two 32-bit reads");
    ok(rd64(c, S5000_REG_APERTURE_SIZE) == aperture, "APERTURE_SIZE");
}

static void check_timestamp(struct client *c)
{
    uint64_t t0 = rd64(c, S5000_REG_TIMESTAMP), t1;

    sleep_ms(10);
    t1 = rd64(c, S5000_REG_TIMESTAMP);
    /* At least 10 ms of 100 MHz ticks, and not absurdly more. */
    ok(t1 - t0 >= S5000_TIMESTAMP_FREQ_HZ / 100 && t1 - t0 < 5ull * S5000_TIMESTAMP_FREQ_HZ,
       "TIMESTAMP advances at 100 MHz (%llu ticks over 10 ms)", (unsigned long long)(t1 - t0));
}

static void check_bad_accesses(struct client *c)
{
    uint32_t val = 0xffffffff;

    wr32(c, S5000_REG_SCRATCH, 0xc0ffee01);
    ok(rd32(c, S5000_REG_SCRATCH) == 0xc0ffee01, "SCRATCH write/readback");
    ok(rd32(c, 0x8000) == 0, "unimplemented register reads 0");
    ok(rd32(c, S5000_REG_IDENT + 2) == 0, "misaligned read gives 0");
    wr32(c, S5000_REG_IDENT, 0);
    ok(rd32(c, S5000_REG_IDENT) == S5000_IDENT_MAGIC, "write to IDENT is dropped");
    ok(client_region_io(c, S5000_BAR_REGS, S5000_BAR0_SIZE, &val, 4, false) > 0,
       "read past the end of BAR0 gets an error reply");
    ok(rd32(c, S5000_REG_IDENT) == S5000_IDENT_MAGIC, "server still answers after bad accesses");
}

static void check_irqs(struct client *c)
{
    struct vfio_irq_info in = { .argsz = sizeof(in), .index = VFIO_PCI_MSIX_IRQ_INDEX }, out;
    int ret = client_request(c, CMD_DEVICE_GET_IRQ_INFO, &in, sizeof(in));

    memcpy(&out, c->rep->body, sizeof(out));
    ok(ret == 0 && out.count == S5000_MSIX_VECTORS && (out.flags & VFIO_IRQ_INFO_EVENTFD),
       "MSI-X: %u eventfd vectors", out.count);
    in.index = VFIO_PCI_INTX_IRQ_INDEX;
    ret = client_request(c, CMD_DEVICE_GET_IRQ_INFO, &in, sizeof(in));
    memcpy(&out, c->rep->body, sizeof(out));
    ok(ret == 0 && out.count == 0, "no INTx");
}

static void check_dma(struct client *c)
{
    const uint64_t size = 2 << 20, iova = 0x100000000ull;
    struct dma_map map = { .argsz = sizeof(map), .flags = 3, .addr = iova, .size = size };
    struct dma_unmap unmap = { .argsz = sizeof(unmap), .addr = iova, .size = size };
    int ram = memfd_create("guest-ram", MFD_CLOEXEC);

    if (!ok(ram >= 0 && ftruncate(ram, (off_t)size) == 0, "guest RAM memfd"))
        return;
    /* Before any shared RAM, a writable region without fd is RAM the device cannot reach. */
    map.addr = 0x200000000ull;
    ok(client_request(c, CMD_DMA_MAP, &map, sizeof(map)) == 0,
       "DMA_MAP without fd accepted (the device cannot use it)");
    map.addr = iova;
    ok(client_request_fds(c, CMD_DMA_MAP, &map, sizeof(map), &ram, 1) == 0,
       "DMA_MAP of a memfd accepted");
    /* After it, one is another device's BAR (peer windows of a multi-device VM). */
    map.addr = 0x300000000ull;
    ok(client_request(c, CMD_DMA_MAP, &map, sizeof(map)) == 0,
       "DMA_MAP of a peer BAR window accepted");
    ok(client_request(c, CMD_DMA_UNMAP, &unmap, sizeof(unmap)) == 0, "DMA_UNMAP accepted");
    close(ram);
}

static void check_reset(struct client *c)
{
    uint32_t resets = rd32(c, S5000_REG_RESET_COUNT);

    wr32(c, S5000_REG_SCRATCH, 0x5a5a5a5a);
    ok(client_request(c, CMD_DEVICE_RESET, NULL, 0) == 0, "DEVICE_RESET accepted");
    ok(rd32(c, S5000_REG_SCRATCH) == 0, "SCRATCH is 0 after reset");
    ok(rd32(c, S5000_REG_RESET_COUNT) == resets + 1, "RESET_COUNT counts it");
    ok(c->doorbells && ((volatile uint32_t *)c->doorbells)[S5000_PAGE_SIZE / 4 * 3] == 0,
       "doorbell pages are clear after reset");
}

/* ------------------------------------------------------------ control socket */

static bool ctl_says(int ctl, const char *cmd, const char *expect)
{
    char line[512];

    if (!control_command(ctl, cmd, line, sizeof(line)))
        return false;
    if (strcmp(line, expect) != 0)
        printf("# got '%s', expected '%s'\n", line, expect);
    return strcmp(line, expect) == 0;
}

static void check_control(const struct emulator *e, uint64_t vram, uint64_t aperture)
{
    char info[256], longline[1200];
    int ctl = connect_unix(e->ctl_path, 1000), second;

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
    second = connect_unix(e->ctl_path, 1000);
    close(ctl);
    ok(second >= 0 && ctl_says(second, "ping\n", "pong"), "control: next client served");
    close(second);
}

/* ----------------------------------------------------------------- sessions */

/* The main session: default sizes, the whole QEMU-like sequence, then a second client. */
static void session_main(void)
{
    const uint64_t vram = S5000_VRAM_DEFAULT, aperture = S5000_APERTURE_DEFAULT;
    struct emulator e;
    struct client c;
    int status;

    if (!ok(emulator_start(&e, emu_path, NULL) && client_connect(&c, e.sock_path, 2000),
            "server listens on its socket") ||
        !ok(client_negotiate(&c), "VERSION negotiated (0.0, capabilities JSON)")) {
        emulator_cleanup(&e);
        return;
    }
    check_device_info(&c);
    check_config_space(&c);
    check_bar0(&c);
    check_bar2(&c, aperture);
    check_identity_regs(&c);
    check_size_regs(&c, vram, aperture);
    check_timestamp(&c);
    check_bad_accesses(&c);
    check_irqs(&c);
    check_dma(&c);
    check_reset(&c);
    check_control(&e, vram, aperture);
    client_close(&c);

    ok(client_connect(&c, e.sock_path, 2000) && client_negotiate(&c) &&
       rd32(&c, S5000_REG_IDENT) == S5000_IDENT_MAGIC,
       "client disconnect: the server keeps serving, and a new client negotiates");
    client_close(&c);

    status = emulator_stop(&e, 2000);
    ok(exited_with(status, 0), "SIGTERM: server exits 0 (status 0x%x)", status);
    ok(!path_exists(e.sock_path) && !path_exists(e.ctl_path), "sockets removed on exit");
    ok(emulator_log_contains(&e, "client attached"), "log: client attached");
    ok(emulator_log_count(&e, "WITHOUT a file descriptor") == 1,
       "log: one loud warning, for RAM without fd, none for a peer BAR");
    if (tap_failed)
        emulator_dump_log(&e);
    emulator_cleanup(&e);
}

/*
 * A malformed message must not crash the server: either it answers with an
 * error and keeps serving, or it drops the client and keeps running.
 */
static bool survives(struct emulator *e, struct client *c, const void *raw, size_t len,
                     const char *what)
{
    struct device_info in = { .argsz = sizeof(in) };

    if (client_send_raw(c, raw, len) == 0 && client_recv_reply(c) == 0) {
        bool refused = (c->rep->hdr.flags & FLAG_ERROR) != 0;

        return ok(refused && client_request(c, CMD_DEVICE_GET_INFO, &in, sizeof(in)) == 0,
                  "%s: error reply, server keeps serving", what);
    }
    client_close(c);
    return ok(emulator_alive(e) && client_connect(c, e->sock_path, 2000) && client_negotiate(c),
              "%s: connection dropped, server serves the next client", what);
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
    struct emulator e;
    struct client c;

    if (!ok(emulator_start(&e, emu_path, sizes) && client_connect(&c, e.sock_path, 2000) &&
            client_negotiate(&c), "second server (64 MiB aperture, 1 GiB VRAM)"))
        goto out;
    ok(rd64(&c, S5000_REG_VRAM_SIZE) == 1ull << 30 && rd64(&c, S5000_REG_APERTURE_SIZE) == 64ull << 20,
       "--vram-gib and --aperture-mib reach the registers");
    if (survives(&e, &c, &short_size, sizeof(short_size), "size field below the header size") &&
        survives(&e, &c, &huge_size, sizeof(huge_size), "size field of 64 MiB") &&
        survives(&e, &c, &unknown, sizeof(unknown), "unknown command"))
        survives(&e, &c, &too_big, sizeof(too_big), "8 MiB region read");
    client_close(&c);
    ok(exited_with(emulator_stop(&e, 2000), 0), "server exits 0 after the malformed session");
out:
    emulator_cleanup(&e);
}

static void session_vanish(void)
{
    struct emulator e;
    struct client c;
    int ctl, status;

    if (!ok(emulator_start(&e, emu_path, NULL) && client_connect(&c, e.sock_path, 2000) &&
            client_negotiate(&c), "third server started")) {
        emulator_cleanup(&e);
        return;
    }
    ctl = connect_unix(e.ctl_path, 1000);
    ok(ctl >= 0 && ctl_says(ctl, "vanish\n", "ok"), "control: vanish answers ok");
    status = wait_status(e.pid, 2000);
    if (status != -1)
        e.pid = -1;
    ok(exited_with(status, 3), "vanish: server exits with status 3 (0x%x)", status);
    ok(recv(c.sock, &c.rep->hdr, sizeof(c.rep->hdr), 0) == 0, "vanish: vfio-user connection closed");
    ok(!path_exists(e.sock_path) && !path_exists(e.ctl_path), "vanish: sockets removed");
    if (ctl >= 0)
        close(ctl);
    client_close(&c);
    emulator_cleanup(&e);
}

/* SIGTERM with no client; the server also replaces a stale socket at its path. */
static void session_sigterm(const char *dir)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int stale = socket(AF_UNIX, SOCK_STREAM, 0), devnull, sock, status;
    char path[100];
    const char *args[] = { "--socket", path, NULL };
    pid_t pid;

    snprintf(path, sizeof(path), "%s/stale.sock", dir);
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    bind(stale, (struct sockaddr *)&addr, sizeof(addr));
    close(stale);
    devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    pid = spawn_process(emu_path, args, devnull);
    close(devnull);
    sock = connect_unix(path, 2000);
    ok(sock >= 0, "stale socket replaced");
    if (sock >= 0)
        close(sock);
    kill(pid, SIGTERM);
    status = wait_status(pid, 2000);
    if (status == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    ok(exited_with(status, 0), "SIGTERM: exit status 0 (0x%x)", status);
    ok(!path_exists(path), "SIGTERM: socket removed");
}

/* Runs s5000-emu with args; returns its exit status, stderr in err. */
static int run_cli(const char *const *args, char *err, size_t size)
{
    int pipefd[2], status;
    ssize_t n = 0, got;
    pid_t pid;

    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return -1;
    pid = spawn_process(emu_path, args, pipefd[1]);
    close(pipefd[1]);
    while (n < (ssize_t)size - 1 && (got = read(pipefd[0], err + n, size - 1 - (size_t)n)) > 0)
        n += got;
    err[n] = '\0';
    close(pipefd[0]);
    status = wait_status(pid, 2000);
    if (status == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return status;
}

static void check_cli(const char *dir)
{
    char sock[100], err[8192];
    const char *const bogus[] = { "--socket", sock, "--bogus", NULL };
    const char *const no_socket[] = { "--vram-gib", "2", NULL };
    const char *const bad_aperture[] = { "--socket", sock, "--aperture-mib", "100", NULL };
    const char *const small_vram[] = { "--socket", sock, "--vram-gib", "1",
                                       "--aperture-mib", "2048", NULL };
    const char *const bad_queues[] = { "--socket", sock, "--queues", "33", NULL };
    const char *const bad_threads[] = { "--socket", sock, "--cp-threads", "0", NULL };
    const char *const help[] = { "--help", NULL };

    snprintf(sock, sizeof(sock), "%s/cli.sock", dir);
    ok(exited_with(run_cli(bogus, err, sizeof(err)), 2) && strstr(err, "Usage:"),
       "unknown option: exit 2 with usage");
    ok(exited_with(run_cli(no_socket, err, sizeof(err)), 2) && strstr(err, "--socket"),
       "missing --socket: exit 2");
    ok(exited_with(run_cli(bad_aperture, err, sizeof(err)), 2) && strstr(err, "power of two"),
       "--aperture-mib 100 refused");
    ok(exited_with(run_cli(small_vram, err, sizeof(err)), 2), "aperture larger than VRAM refused");
    ok(exited_with(run_cli(bad_queues, err, sizeof(err)), 2), "--queues 33 refused");
    ok(exited_with(run_cli(bad_threads, err, sizeof(err)), 2), "--cp-threads 0 refused");
    ok(exited_with(run_cli(help, err, sizeof(err)), 0), "--help: exit 0");
    ok(!path_exists(sock), "refused runs leave no socket");
}

int main(int argc, char **argv)
{
    char dir[80];

    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-TO-s5000-emu\n", argv[0]);
        return 2;
    }
    emu_path = argv[1];
    signal(SIGPIPE, SIG_IGN);
    snprintf(dir, sizeof(dir), "%s/s5000-emu-test.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }

    session_main();
    session_malformed();
    session_vanish();
    session_sigterm(dir);
    check_cli(dir);

    rmdir(dir);
    return tap_done();
}
