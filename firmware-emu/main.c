// SPDX-License-Identifier: MIT
/*
 * s5000-emu: an emulated S5000 accelerator served over vfio-user. It serves
 * one client at a time, resets the device when that client goes away, and
 * waits for the next (QEMU never reconnects: whoever started the emulator
 * stops it with SIGTERM).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../uapi/s5000.h"
#include "control.h"
#include "device.h"
#include "log.h"
#include "vfu_server.h"

#define EMU_VERSION "0.1.0"

#define VRAM_GIB_MAX 1024
#define POLL_US_DEFAULT 50
#define POLL_US_MAX 100000

enum exit_status {
    EXIT_OK = 0,
    EXIT_ERROR = 1,
    EXIT_USAGE = 2,
    EXIT_VANISHED = 3,          /* "vanish" on the control socket */
};

struct options {
    const char *socket_path;
    const char *control_path;
    struct emu_config config;
    enum emu_log_level log_level;
};

static void print_usage(FILE *out)
{
    fprintf(out,
        "Usage: s5000-emu --socket PATH [OPTION]...\n"
        "Serve an emulated S5000 accelerator (PCI %04x:%04x) over vfio-user on PATH.\n"
        "\n"
        "  --socket PATH        vfio-user socket to listen on (required)\n"
        "  --control PATH       also listen for host control commands on PATH\n"
        "  --aperture-mib N     BAR2 VRAM aperture in MiB: a power of two, %llu..%llu\n"
        "                       (default %llu)\n"
        "  --vram-gib N         VRAM in GiB, 1..%d, at least the aperture; sparse: host\n"
        "                       memory is used only where the device wrote (default %llu)\n"
        "  --queues N           hardware queues, 1..%d (default %d)\n"
        "  --cp-threads N       command processor threads, 1..%d (default 2)\n"
        "  --compute-threads N  threads that run thread blocks, 1..%d (default: the\n"
        "                       number of online CPUs, at most %d)\n"
        "  --poll-us N          how long an idle command processor polls the doorbells\n"
        "                       after activity before it sleeps, 0..%d (default %d)\n"
        "  --log-level LEVEL    error, warn, info or debug (default info)\n"
        "  --help               show this help and exit\n"
        "  --version            show the version and exit\n"
        "\n"
        "A client that disconnects resets the device; the next one may connect.\n"
        "Exit status: 0 on SIGTERM/SIGINT, 1 on a runtime error, 2 on a usage error,\n"
        "3 after a 'vanish' control command.\n",
        S5000_PCI_VENDOR_ID, S5000_PCI_DEVICE_ID,
        S5000_APERTURE_MIN >> 20, S5000_APERTURE_MAX >> 20, S5000_APERTURE_DEFAULT >> 20,
        VRAM_GIB_MAX, S5000_VRAM_DEFAULT >> 30, S5000_MAX_QUEUES, S5000_MAX_QUEUES,
        EMU_CP_THREADS_MAX, EMU_COMPUTE_THREADS_MAX, EMU_COMPUTE_THREADS_MAX, POLL_US_MAX,
        POLL_US_DEFAULT);
}

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("s5000-emu: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n\n", stderr);
    print_usage(stderr);
    exit(EXIT_USAGE);
}

/* A decimal count from min to max. */
static unsigned int parse_count(const char *option, const char *text, unsigned int min,
                                unsigned int max)
{
    char *end;
    unsigned long value;

    errno = 0;
    value = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' ||
        value < min || value > max)
        usage_error("%s must be a number from %u to %u, not '%s'", option, min, max, text);
    return (unsigned int)value;
}

/* A decimal count of units of (1 << shift) bytes, in bytes. */
static uint64_t parse_size(const char *option, const char *text, unsigned int shift)
{
    char *end;
    unsigned long long value;

    errno = 0;
    value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-')
        usage_error("%s: '%s' is not a number", option, text);
    if (value > UINT64_MAX >> shift)
        usage_error("%s: %s is too large", option, text);
    return (uint64_t)value << shift;
}

static void check_sizes(const struct emu_config *config)
{
    uint64_t aperture = config->aperture_size;

    if (aperture < S5000_APERTURE_MIN || aperture > S5000_APERTURE_MAX ||
        (aperture & (aperture - 1)) != 0)
        usage_error("--aperture-mib must be a power of two from %llu to %llu",
                    S5000_APERTURE_MIN >> 20, S5000_APERTURE_MAX >> 20);
    if (config->vram_size < (1ull << 30) || config->vram_size > ((uint64_t)VRAM_GIB_MAX << 30))
        usage_error("--vram-gib must be from 1 to %d", VRAM_GIB_MAX);
    if (config->vram_size < aperture)
        usage_error("the aperture (%llu MiB) is larger than VRAM (%llu GiB)",
                    (unsigned long long)(aperture >> 20),
                    (unsigned long long)(config->vram_size >> 30));
}

enum {
    OPT_SOCKET = 256, OPT_CONTROL, OPT_APERTURE, OPT_VRAM, OPT_QUEUES, OPT_CP_THREADS,
    OPT_COMPUTE_THREADS, OPT_POLL_US, OPT_LOG_LEVEL, OPT_HELP, OPT_VERSION,
};

static const struct option long_options[] = {
    { "socket",       required_argument, NULL, OPT_SOCKET },
    { "control",      required_argument, NULL, OPT_CONTROL },
    { "aperture-mib", required_argument, NULL, OPT_APERTURE },
    { "vram-gib",     required_argument, NULL, OPT_VRAM },
    { "queues",       required_argument, NULL, OPT_QUEUES },
    { "cp-threads",   required_argument, NULL, OPT_CP_THREADS },
    { "compute-threads", required_argument, NULL, OPT_COMPUTE_THREADS },
    { "poll-us",      required_argument, NULL, OPT_POLL_US },
    { "log-level",    required_argument, NULL, OPT_LOG_LEVEL },
    { "help",         no_argument,       NULL, OPT_HELP },
    { "version",      no_argument,       NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 },
};

static void apply_option(struct options *opt, int id, const char *arg)
{
    switch (id) {
    case OPT_SOCKET:
        opt->socket_path = arg;
        break;
    case OPT_CONTROL:
        opt->control_path = arg;
        break;
    case OPT_APERTURE:
        opt->config.aperture_size = parse_size("--aperture-mib", arg, 20);
        break;
    case OPT_VRAM:
        opt->config.vram_size = parse_size("--vram-gib", arg, 30);
        break;
    case OPT_QUEUES:
        opt->config.num_queues = parse_count("--queues", arg, 1, S5000_MAX_QUEUES);
        break;
    case OPT_CP_THREADS:
        opt->config.cp_threads = parse_count("--cp-threads", arg, 1, EMU_CP_THREADS_MAX);
        break;
    case OPT_COMPUTE_THREADS:
        opt->config.compute_threads = parse_count("--compute-threads", arg, 1,
                                                  EMU_COMPUTE_THREADS_MAX);
        break;
    case OPT_POLL_US:
        opt->config.poll_us = parse_count("--poll-us", arg, 0, POLL_US_MAX);
        break;
    case OPT_LOG_LEVEL:
        if (!emu_log_parse_level(arg, &opt->log_level))
            usage_error("--log-level must be error, warn, info or debug, not '%s'", arg);
        break;
    case OPT_HELP:
        print_usage(stdout);
        exit(EXIT_OK);
    case OPT_VERSION:
        printf("s5000-emu %s (device ABI %u.%u)\n", EMU_VERSION,
               S5000_VERSION_MAJOR(S5000_ABI_VERSION), S5000_VERSION_MINOR(S5000_ABI_VERSION));
        exit(EXIT_OK);
    default:
        usage_error("unknown option (see --help)");
    }
}

/* One compute thread per CPU the host lets us use. */
static unsigned int default_compute_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        return 1;
    return n > EMU_COMPUTE_THREADS_MAX ? EMU_COMPUTE_THREADS_MAX : (unsigned int)n;
}

/*
 * A board serial number that stays the same for the same socket path, so two
 * emulated boards in one VM differ and a rerun shows the same boards again.
 */
static uint64_t serial_of(const char *socket_path)
{
    uint64_t hash = 0xcbf29ce484222325ull;     /* FNV-1a */

    for (const char *c = socket_path; *c; c++)
        hash = (hash ^ (uint8_t)*c) * 0x100000001b3ull;
    return (0x5000ull << 48) | (hash & 0xffffffffffffull);
}

static void parse_options(int argc, char **argv, struct options *opt)
{
    int id;

    *opt = (struct options){
        .config = {
            .vram_size = S5000_VRAM_DEFAULT,
            .aperture_size = S5000_APERTURE_DEFAULT,
            .num_queues = S5000_MAX_QUEUES,
            .cp_threads = 2,
            .compute_threads = default_compute_threads(),
            .poll_us = POLL_US_DEFAULT,
        },
        .log_level = EMU_LOG_INFO,
    };
    opterr = 0;         /* usage_error() reports it, followed by the usage text */
    while ((id = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (id == '?')
            usage_error("unrecognized option '%s'", argv[optind - 1]);
        apply_option(opt, id, optarg);
    }
    if (optind < argc)
        usage_error("unexpected argument '%s'", argv[optind]);
    if (opt->socket_path == NULL)
        usage_error("--socket PATH is required");
    check_sizes(&opt->config);
    opt->config.serial = serial_of(opt->socket_path);
}

/* SIGTERM and SIGINT arrive through a signalfd, polled with the sockets. */
static int setup_signals(void)
{
    sigset_t set;
    int fd;

    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
        (fd = signalfd(-1, &set, SFD_CLOEXEC)) < 0) {
        emu_err("signalfd: %s", strerror(errno));
        return -1;
    }
    return fd;
}

static void report_signal(int signal_fd)
{
    struct signalfd_siginfo info;

    if (read(signal_fd, &info, sizeof(info)) == (ssize_t)sizeof(info))
        emu_info("SIG%s received, exiting", sigabbrev_np((int)info.ssi_signo));
}

/* The serving thread: the only one that calls into libvfio-user. */
static enum exit_status serve(struct emu_vfu *vfu, struct emu_control *ctl,
                              struct emu_device *dev, int signal_fd)
{
    for (;;) {
        struct pollfd fds[] = {
            { .fd = signal_fd, .events = POLLIN },
            { .fd = emu_vfu_poll_fd(vfu), .events = POLLIN },
            { .fd = ctl ? emu_control_poll_fd(ctl) : -1, .events = POLLIN },
            { .fd = dev->notify_fd, .events = POLLIN },
        };

        if (poll(fds, 4, -1) < 0) {
            if (errno == EINTR)
                continue;
            emu_err("poll: %s", strerror(errno));
            return EXIT_ERROR;
        }
        if (fds[0].revents) {
            report_signal(signal_fd);
            return EXIT_OK;
        }
        if (fds[3].revents)
            emu_vfu_service(vfu);
        if (fds[1].revents)
            emu_vfu_handle(vfu);
        if (fds[2].revents && emu_control_handle(ctl) == EMU_CONTROL_VANISH) {
            /* Answer what the client already asked, so no request of its dies unanswered. */
            emu_vfu_handle(vfu);
            return EXIT_VANISHED;
        }
    }
}

static void log_identity(const struct options *opt)
{
    emu_info("S5000 %04x:%04x rev %02x (subsystem %04x:%04x), VRAM %" PRIu64 " MiB, "
             "aperture %" PRIu64 " MiB, %u queues, %u MSI-X vectors, %u command processor "
             "threads; vfio-user on %s%s%s",
             S5000_PCI_VENDOR_ID, S5000_PCI_DEVICE_ID, S5000_PCI_REVISION,
             S5000_PCI_SUBSYS_VENDOR_ID, S5000_PCI_SUBSYS_ID_EMULATED,
             opt->config.vram_size >> 20, opt->config.aperture_size >> 20,
             opt->config.num_queues, S5000_MSIX_VECTORS, opt->config.cp_threads, opt->socket_path,
             opt->control_path ? ", control on " : "",
             opt->control_path ? opt->control_path : "");
}

int main(int argc, char **argv)
{
    struct emu_control *ctl = NULL;
    struct emu_device dev;
    struct emu_vfu *vfu;
    struct options opt;
    int status = EXIT_ERROR;
    int signal_fd;

    parse_options(argc, argv, &opt);
    emu_log_set_level(opt.log_level);

    signal_fd = setup_signals();
    if (signal_fd < 0)
        return EXIT_ERROR;
    if (emu_device_init(&dev, &opt.config) < 0)
        goto err_close_signal;
    vfu = emu_vfu_create(opt.socket_path, &dev);
    if (vfu == NULL)
        goto err_device_fini;
    if (opt.control_path) {
        ctl = emu_control_create(opt.control_path, &dev);
        if (ctl == NULL)
            goto err_vfu_destroy;
    }

    log_identity(&opt);
    status = serve(vfu, ctl, &dev, signal_fd);

    if (ctl)
        emu_control_destroy(ctl);
err_vfu_destroy:
    emu_vfu_destroy(vfu);
err_device_fini:
    emu_device_fini(&dev);
err_close_signal:
    close(signal_fd);
    return status;
}
