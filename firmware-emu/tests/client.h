/* SPDX-License-Identifier: MIT */
/*
 * A raw vfio-user client for the tests and benchmarks: it plays QEMU's part
 * against a real s5000-emu process (no QEMU, no libvfio-user). It negotiates,
 * maps a memfd as guest RAM, hands over MSI-X eventfds, maps BAR0's doorbell
 * pages and BAR2, and reads and writes registers. Also here: starting and
 * stopping the emulator, and its control socket.
 *
 * Requests are serialised by a mutex, as QEMU serialises them under its big
 * lock, so several threads may share one client.
 */
#ifndef EMU_TESTS_CLIENT_H
#define EMU_TESTS_CLIENT_H

#include <linux/vfio.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../uapi/s5000.h"

/* ------------------------------------------------------ vfio-user wire format */

enum {
    CMD_VERSION = 1,
    CMD_DMA_MAP = 2,
    CMD_DMA_UNMAP = 3,
    CMD_DEVICE_GET_INFO = 4,
    CMD_DEVICE_GET_REGION_INFO = 5,
    CMD_DEVICE_GET_IRQ_INFO = 7,
    CMD_DEVICE_SET_IRQS = 8,
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
#define IO_TIMEOUT_S 5

/* A reply as it came: header, body, and any file descriptors. */
struct reply {
    struct msg_header hdr;
    uint8_t body[MAX_REPLY];
    size_t len;
    int fds[MAX_FDS];
    int nfds;
};

struct region_info {
    struct vfio_region_info info;
    struct vfio_region_sparse_mmap_area areas[4];
    unsigned int nr_areas;
    int fd;                     /* the one fd, or -1 */
    int nfds;
    bool retried;               /* the first, short reply asked for a larger argsz */
};

#define DOORBELL_AREA (S5000_DOORBELL_END - S5000_DOORBELL_OFFSET)

struct client {
    int sock;
    uint16_t next_id;
    pthread_mutex_t lock;
    struct reply *rep;          /* the last reply; valid until the next request */

    /* After client_setup(): */
    int ram_fd;
    uint8_t *ram;               /* guest RAM, at bus address ram_bus */
    uint64_t ram_bus, ram_size;
    volatile uint8_t *doorbells; /* BAR0 [S5000_DOORBELL_OFFSET, S5000_DOORBELL_END) */
    uint8_t *bar2;              /* the VRAM aperture */
    uint64_t aperture;
    int irq_fd[S5000_MSIX_VECTORS];
    unsigned int nirqs;
};

/* Raw messages; client_request returns -1 (transport), 0, or the reply's errno. */
/* One message on @sock with up to MAX_FDS file descriptors (SCM_RIGHTS); 0 or -1. */
int client_send_fds(int sock, const void *buf, size_t len, const int *fds, int nfds);
int client_send_raw(struct client *c, const void *buf, size_t len);
int client_recv_reply(struct client *c);
int client_request_fds(struct client *c, uint16_t cmd, const void *payload, size_t len,
                       const int *fds, int nfds);
int client_request(struct client *c, uint16_t cmd, const void *payload, size_t len);
void client_close_reply_fds(struct client *c);

bool client_connect(struct client *c, const char *path, long timeout_ms);
bool client_negotiate(struct client *c);
void client_close(struct client *c);

int client_region_io(struct client *c, uint32_t region, uint64_t offset, void *data,
                     uint32_t count, bool is_write);
int client_get_region_info(struct client *c, uint32_t index, struct region_info *ri);
void *client_map_area(const struct region_info *ri, unsigned int area);

/* BAR0 registers; errors show as all-ones (like a gone device) and a message. */
uint32_t rd32(struct client *c, uint64_t offset);
uint64_t rd64(struct client *c, uint64_t offset);
void wr32(struct client *c, uint64_t offset, uint32_t val);
void wr64(struct client *c, uint64_t offset, uint64_t val);

/* What QEMU does at realize and when the guest enables MSI-X. */
bool client_map_bars(struct client *c);
bool client_map_ram(struct client *c, uint64_t bus, uint64_t size);
bool client_set_irqs(struct client *c, unsigned int count);
/* Connect, negotiate, map BARs and RAM, enable count MSI-X vectors. */
bool client_open(struct client *c, const char *path, uint64_t ram_size, unsigned int vectors);

/* Whether vector fired within timeout_ms; consumes it. */
bool client_irq_wait(struct client *c, unsigned int vector, long timeout_ms);
/* Forgets every interrupt so far. */
void client_irq_drain(struct client *c);

/* ----------------------------------------------------------- the emulator */

struct emulator {
    pid_t pid;
    char dir[80];
    char sock_path[108];
    char ctl_path[108];
    char log_path[108];
};

void sleep_ms(long ms);
uint64_t now_ns(void);
int connect_unix(const char *path, long timeout_ms);

/*
 * Runs path with args (NULL-ended, argv[0] excluded): stdin and stdout on /dev/null,
 * stderr on stderr_fd.
 */
pid_t spawn_process(const char *path, const char *const *args, int stderr_fd);
/* The wait status of pid within timeout_ms, or -1 if it has not exited (it is left running). */
int wait_status(pid_t pid, long timeout_ms);

/* Starts path with --socket/--control in a fresh temporary folder plus args (NULL-ended). */
bool emulator_start(struct emulator *e, const char *path, const char *const *args);
/* SIGTERM, then SIGKILL after timeout; returns the wait status, or -1 if it had to be killed. */
int emulator_stop(struct emulator *e, long timeout_ms);
/* Whether it still runs (it did not exit or die by a signal). */
bool emulator_alive(struct emulator *e);
unsigned int emulator_log_count(const struct emulator *e, const char *needle);
bool emulator_log_contains(const struct emulator *e, const char *needle);
void emulator_dump_log(const struct emulator *e);
void emulator_cleanup(struct emulator *e);

/* Sends one control command and reads one reply line into line; false on I/O failure. */
bool control_command(int ctl, const char *cmd, char *line, size_t size);

#endif /* EMU_TESTS_CLIENT_H */
