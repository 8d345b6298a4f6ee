// SPDX-License-Identifier: MIT
/*
 * vfio-user front end on the libvfio-user snapshot bundled with QEMU (2022),
 * whose limits shape the BARs: at most one sparse mmap area per region (QEMU
 * accepts one fd per region reply), no 64-bit/prefetchable region flags (set
 * by hand in config space), region sizes below 4 GiB, and nothing thread-safe.
 */
#include "vfu_server.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libvfio-user.h>

#include "../uapi/s5000.h"
#include "log.h"
#include "unix_socket.h"

struct emu_vfu {
    vfu_ctx_t *ctx;
    struct emu_device *dev;
    char *socket_path;
    bool attached;
    unsigned int dma_maps;      /* live DMA regions, all kinds: the library allows 16 */
    bool shared_ram;            /* some guest RAM came with a file descriptor */
};

static struct emu_vfu *to_emu_vfu(vfu_ctx_t *ctx)
{
    return vfu_get_private(ctx);
}

/* ----------------------------------------------------------------- logging */

/* The library reports resets and disconnects at INFO: routine for us. */
static void library_log(vfu_ctx_t *ctx, int level, const char *msg)
{
    enum emu_log_level ours = level <= LOG_ERR ? EMU_LOG_ERROR :
                              level == LOG_WARNING ? EMU_LOG_WARN : EMU_LOG_DEBUG;

    (void)ctx;
    emu_log(ours, "libvfio-user: %s", msg);
}

static int library_log_level(void)
{
    switch (emu_log_get_level()) {
    case EMU_LOG_ERROR: return LOG_ERR;
    case EMU_LOG_DEBUG: return LOG_DEBUG;
    default:            return LOG_WARNING;
    }
}

/* ------------------------------------------------------------- BAR access */

static ssize_t bar_result(bool ok, size_t count)
{
    if (ok)
        return (ssize_t)count;
    errno = EIO;
    return -1;
}

static ssize_t bar0_access(vfu_ctx_t *ctx, char *buf, size_t count, loff_t offset, bool is_write)
{
    struct emu_device *dev = to_emu_vfu(ctx)->dev;

    return bar_result(emu_device_bar0_access(dev, (uint64_t)offset, buf, count, is_write), count);
}

/* Only reached when the client does not map BAR2 (e.g. QEMU's x-no-mmap). */
static ssize_t bar2_access(vfu_ctx_t *ctx, char *buf, size_t count, loff_t offset, bool is_write)
{
    struct emu_device *dev = to_emu_vfu(ctx)->dev;

    return bar_result(emu_device_bar2_access(dev, (uint64_t)offset, buf, count, is_write), count);
}

/* ------------------------------------------------------------------- DMA */

/*
 * QEMU's own mmapped BAR windows come back as DMA regions without an fd once
 * the guest places the BARs. The library keeps only the low dword of a 64-bit
 * BAR, so compare low dwords.
 */
static bool is_own_bar_window(struct emu_vfu *vfu, uint64_t gpa, uint64_t len)
{
    const vfu_bar_t *bars = vfu_pci_get_config_space(vfu->ctx)->hdr.bars;
    uint32_t bar0 = bars[S5000_BAR_REGS].raw & PCI_BASE_ADDRESS_MEM_MASK;
    uint32_t bar2 = bars[S5000_BAR_VRAM].raw & PCI_BASE_ADDRESS_MEM_MASK;

    if ((uint32_t)gpa == bar0 + S5000_DOORBELL_OFFSET)
        return len == S5000_DOORBELL_END - S5000_DOORBELL_OFFSET;
    return (uint32_t)gpa == bar2 && len == vfu->dev->config.aperture_size;
}

/*
 * A region without a host mapping can only be reached through DMA_READ/WRITE
 * messages, which are slow and can deadlock against QEMU's big lock, so the
 * device does not use them. Read-only regions are firmware ROMs, harmless. Once
 * guest RAM has come with a file descriptor (QEMU maps RAM first), writable
 * regions without one are BARs: our own, or those of other devices in the VM.
 */
static void report_unbacked_region(struct emu_vfu *vfu, uint64_t gpa, uint64_t len, int prot)
{
    if (!(prot & PROT_WRITE) || vfu->shared_ram || is_own_bar_window(vfu, gpa, len)) {
        emu_debug("DMA region [0x%llx, 0x%llx) has no fd (ROM or a BAR): not tracked",
                  (unsigned long long)gpa, (unsigned long long)(gpa + len));
        return;
    }
    emu_warn("DMA region [0x%llx, 0x%llx) came WITHOUT a file descriptor: the device "
             "cannot reach this guest RAM. Back guest RAM with shared memory "
             "(-object memory-backend-memfd,share=on)",
             (unsigned long long)gpa, (unsigned long long)(gpa + len));
}

/*
 * The command processors use the table all the time, holding its read lock
 * for one bounded chunk at a time; the write lock waits for those chunks.
 */
static bool dma_table_update(struct emu_device *dev, uint64_t gpa, uint64_t len, void *hva,
                             int prot)
{
    bool done;

    pthread_rwlock_wrlock(&dev->mem.dma_lock);
    if (hva)
        done = emu_dma_add(&dev->dma, gpa, len, hva, prot);
    else
        done = emu_dma_remove(&dev->dma, gpa, len);
    pthread_rwlock_unlock(&dev->mem.dma_lock);
    return done;
}

static void dma_register(vfu_ctx_t *ctx, vfu_dma_info_t *info)
{
    struct emu_vfu *vfu = to_emu_vfu(ctx);
    uint64_t gpa = (uintptr_t)info->iova.iov_base;
    uint64_t len = info->iova.iov_len;

    /*
     * The bundled library announces a region again when the client maps the very same
     * range twice (leaking the second fd): the table has it already, nothing changes.
     * Only the serving thread writes the table, so it may read it unlocked.
     */
    if (info->vaddr != NULL && emu_dma_translate(&vfu->dev->dma, gpa, len, 0) == info->vaddr) {
        emu_debug("DMA region [0x%llx, 0x%llx) mapped again", (unsigned long long)gpa,
                  (unsigned long long)(gpa + len));
        return;
    }
    vfu->dma_maps++;
    emu_debug("DMA map [0x%llx, 0x%llx) prot %#x (%u regions mapped)",
              (unsigned long long)gpa, (unsigned long long)(gpa + len), info->prot,
              vfu->dma_maps);
    if (info->vaddr == NULL) {
        report_unbacked_region(vfu, gpa, len, (int)info->prot);
        return;
    }
    vfu->shared_ram = true;
    if (!dma_table_update(vfu->dev, gpa, len, info->vaddr, (int)info->prot))
        emu_err("DMA region [0x%llx, 0x%llx): translation table full or overlap; "
                "device DMA there will fault",
                (unsigned long long)gpa, (unsigned long long)(gpa + len));
}

/* The library unmaps the region once this returns: no device access may follow. */
static void dma_unregister(vfu_ctx_t *ctx, vfu_dma_info_t *info)
{
    struct emu_vfu *vfu = to_emu_vfu(ctx);
    uint64_t gpa = (uintptr_t)info->iova.iov_base;

    vfu->dma_maps--;
    if (info->vaddr != NULL)
        dma_table_update(vfu->dev, gpa, info->iova.iov_len, NULL, 0);
}

/* ----------------------------------------------------------------- reset */

/*
 * The client waits for the reply (QEMU gives up after 5 s and then loses the
 * stream), so the wait for the command processors is bounded well below that;
 * a reset that needs longer still completes, from emu_vfu_service().
 */
#define RESET_WAIT_MS 900

static int device_reset(vfu_ctx_t *ctx, vfu_reset_type_t type)
{
    struct emu_device *dev = to_emu_vfu(ctx)->dev;

    emu_debug("device reset (%s)", type == VFU_RESET_DEVICE ? "client request" :
              type == VFU_RESET_LOST_CONN ? "connection lost" : "function-level");
    if (!emu_device_reset(dev, RESET_WAIT_MS))
        emu_warn("device reset: a command processor did not stop within %d ms", RESET_WAIT_MS);
    return 0;
}

/* ------------------------------------------------------------ PCI set-up */

static int add_capabilities(vfu_ctx_t *ctx)
{
    struct pxcap pcie = {
        .hdr.id = PCI_CAP_ID_EXP,
        .pxcaps.ver = 2,
        .pxcaps.dpt = PCI_EXP_TYPE_ENDPOINT,
    };
    struct msixcap msix = {
        .hdr.id = PCI_CAP_ID_MSIX,
        .mxc.ts = S5000_MSIX_VECTORS - 1,               /* encoded as N - 1 */
        .mtab.tbir = S5000_BAR_REGS,
        .mtab.to = S5000_MSIX_TABLE_OFFSET >> 3,        /* in QWORDs */
        .mpba.pbir = S5000_BAR_REGS,
        .mpba.pbao = S5000_MSIX_PBA_OFFSET >> 3,
    };

    if (vfu_pci_add_capability(ctx, 0, 0, &pcie) < 0 ||
        vfu_pci_add_capability(ctx, 0, 0, &msix) < 0)
        return -1;
    return 0;
}

static int setup_config_space(vfu_ctx_t *ctx)
{
    vfu_pci_config_space_t *cfg;

    if (vfu_pci_init(ctx, VFU_PCI_TYPE_EXPRESS, PCI_HEADER_TYPE_NORMAL, 0) < 0)
        return -1;
    vfu_pci_set_id(ctx, S5000_PCI_VENDOR_ID, S5000_PCI_DEVICE_ID,
                   S5000_PCI_SUBSYS_VENDOR_ID, S5000_PCI_SUBSYS_ID_EMULATED);
    vfu_pci_set_class(ctx, (S5000_PCI_CLASS >> 16) & 0xff, (S5000_PCI_CLASS >> 8) & 0xff,
                      S5000_PCI_CLASS & 0xff);

    cfg = vfu_pci_get_config_space(ctx);
    cfg->hdr.rid = S5000_PCI_REVISION;          /* vfu_pci_init() ignores its argument */
    return add_capabilities(ctx);
}

/*
 * BAR0: registers and MSI-X trapped, doorbell pages mapped (the one sparse
 * area). BAR2: the aperture, the first part of the VRAM memfd, all mapped.
 */
static int setup_bars(vfu_ctx_t *ctx, struct emu_device *dev)
{
    struct iovec doorbells = {
        .iov_base = (void *)(uintptr_t)S5000_DOORBELL_OFFSET,
        .iov_len = S5000_DOORBELL_END - S5000_DOORBELL_OFFSET,
    };
    const int flags = VFU_REGION_FLAG_RW | VFU_REGION_FLAG_MEM;

    if (vfu_setup_region(ctx, S5000_BAR_REGS, S5000_BAR0_SIZE, bar0_access, flags,
                         &doorbells, 1, dev->bar0_fd, 0) < 0)
        return -1;
    if (vfu_setup_region(ctx, S5000_BAR_VRAM, dev->config.aperture_size, bar2_access, flags,
                         NULL, 0, dev->vram_fd, 0) < 0)
        return -1;

    vfu_pci_get_config_space(ctx)->hdr.bars[S5000_BAR_VRAM].raw |=
        PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH;
    return 0;
}

/* MSI-X only: a pending INTx makes QEMU drop every BAR mmap for a while. */
static int setup_device(vfu_ctx_t *ctx, struct emu_device *dev)
{
    if (setup_config_space(ctx) < 0 || setup_bars(ctx, dev) < 0)
        return -1;
    if (vfu_setup_device_nr_irqs(ctx, VFU_DEV_MSIX_IRQ, S5000_MSIX_VECTORS) < 0)
        return -1;
    if (vfu_setup_device_dma(ctx, dma_register, dma_unregister) < 0)
        return -1;
    if (vfu_setup_device_reset_cb(ctx, device_reset) < 0)
        return -1;
    return vfu_realize_ctx(ctx);
}

/* ------------------------------------------------------------- lifecycle */

struct emu_vfu *emu_vfu_create(const char *socket_path, struct emu_device *dev)
{
    struct emu_vfu *vfu = calloc(1, sizeof(*vfu));

    if (vfu == NULL || (vfu->socket_path = strdup(socket_path)) == NULL) {
        emu_err("out of memory");
        free(vfu);
        return NULL;
    }
    vfu->dev = dev;
    if (emu_remove_stale_socket(socket_path) < 0)
        goto err_free;

    vfu->ctx = vfu_create_ctx(VFU_TRANS_SOCK, socket_path, LIBVFIO_USER_FLAG_ATTACH_NB,
                              vfu, VFU_DEV_TYPE_PCI);
    if (vfu->ctx == NULL) {
        emu_err("listening on %s: %s", socket_path, strerror(errno));
        goto err_free;
    }
    if (vfu_setup_log(vfu->ctx, library_log, library_log_level()) < 0 ||
        setup_device(vfu->ctx, dev) < 0) {
        emu_err("setting up the vfio-user device: %s", strerror(errno));
        goto err_destroy;
    }
    return vfu;

err_destroy:
    vfu_destroy_ctx(vfu->ctx);
    unlink(socket_path);
err_free:
    free(vfu->socket_path);
    free(vfu);
    return NULL;
}

void emu_vfu_destroy(struct emu_vfu *vfu)
{
    vfu_destroy_ctx(vfu->ctx);
    unlink(vfu->socket_path);
    free(vfu->socket_path);
    free(vfu);
}

int emu_vfu_poll_fd(const struct emu_vfu *vfu)
{
    return vfu_get_poll_fd(vfu->ctx);
}

/*
 * accept() does not block here, but the library then reads the client's
 * VERSION message with a blocking read; QEMU sends it at once.
 */
static void try_attach(struct emu_vfu *vfu)
{
    if (vfu_attach_ctx(vfu->ctx) < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            emu_warn("a client connected but did not complete version negotiation: %s",
                     strerror(errno));
        return;
    }
    vfu->attached = true;
    emu_info("client attached on %s", vfu->socket_path);
}

/*
 * By the time the library reports the disconnect it has unmapped the client's
 * DMA regions, reset the device and closed the interrupt eventfds.
 */
void emu_vfu_handle(struct emu_vfu *vfu)
{
    if (!vfu->attached) {
        try_attach(vfu);
        return;
    }

    /* In non-blocking mode each call serves at most one message. */
    for (;;) {
        int served = vfu_run_ctx(vfu->ctx);

        if (served == 0)
            return;
        if (served > 0)
            continue;
        if (errno == ENOTCONN) {
            emu_info("client disconnected; waiting for the next one");
            vfu->attached = false;
            vfu->shared_ram = false;
            return;
        }
        emu_warn("serving the client: %s", strerror(errno));
        return;
    }
}

/* Vectors nobody enabled (no eventfd yet) are dropped: MSI-X with the vector masked off. */
static void raise_vectors(struct emu_vfu *vfu, uint64_t vectors)
{
    while (vectors) {
        unsigned int v = (unsigned int)__builtin_ctzll(vectors);

        vectors &= vectors - 1;
        if (vfu_irq_trigger(vfu->ctx, v) < 0)
            emu_debug("MSI-X vector %u not raised: %s", v, strerror(errno));
    }
}

void emu_vfu_service(struct emu_vfu *vfu)
{
    uint64_t vectors = emu_device_service(vfu->dev);

    if (vfu->attached)
        raise_vectors(vfu, vectors);
}
