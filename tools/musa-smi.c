// SPDX-License-Identifier: MIT
/*
 * musa-smi: the status tool of the S5000 driver stack, shaped like nvidia-smi.
 *
 * Devices are found through libdrm (render nodes, kernels without DRM accel) and
 * /sys/class/accel (accel nodes, which libdrm does not enumerate), kept when bound
 * to musa.ko, and numbered in PCI address order (the order libmusa uses). Values come
 * from musa.ko's GET_PARAM and QUERY ioctls, PCI details from libpci, and the
 * processes using each device from DRM fdinfo (/proc/PID/fdinfo/FD).
 *
 * Exit status: 0 success; 1 a device did not answer; 2 bad arguments (unknown
 * option or field); 6 -i matched no device; 9 no device or musa.ko not loaded.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <pci/pci.h>
#include <xf86drm.h>

#include "musa_drm.h"
#include "s5000.h"

#define SMI_VERSION	"1.0.0"
#define MAX_GPUS	64
#define MAX_PROCS	1024

#define EXIT_ERROR	1
#define EXIT_USAGE	2
#define EXIT_NOT_FOUND	6
#define EXIT_NO_DEVICE	9

struct gpu {
	int index;
	char bdf[32];
	char node[64];
	char driver_version[32];
	char uuid[48];
	char pci_name[128];
	int fd;
	struct drm_musa_device_info info;
	struct drm_musa_telemetry tel;
	uint64_t vram_size, vram_used, cpu_visible, sm_max, mem_max, bus_width;
	uint64_t reset_count, queue_reset_count, compute_units, device_id, revision;
	uint64_t num_queues;
	uint16_t vendor_id;
	int link_gen_max, link_width_max;
};

struct proc {
	int pid;
	char name[64];
	char bdf[32];
	uint64_t client_id;
	uint64_t vram_kib, sys_kib;
};

static struct gpu gpus[MAX_GPUS];
static int ngpus;
static struct proc procs[MAX_PROCS];
static int nprocs;
static volatile sig_atomic_t stop;

/* ------------------------------------------------------------ enumeration */

static int is_musa_pci(const char *bdf)
{
	char path[128], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = '\0';
	return !strcmp(strrchr(link, '/') ? strrchr(link, '/') + 1 : link, "musa");
}

static void add_gpu(const char *bdf, const char *node)
{
	for (int i = 0; i < ngpus; i++)
		if (!strcmp(gpus[i].bdf, bdf))
			return;
	if (ngpus == MAX_GPUS || !is_musa_pci(bdf))
		return;
	memset(&gpus[ngpus], 0, sizeof(gpus[ngpus]));
	snprintf(gpus[ngpus].bdf, sizeof(gpus[ngpus].bdf), "%s", bdf);
	snprintf(gpus[ngpus].node, sizeof(gpus[ngpus].node), "%s", node);
	gpus[ngpus].fd = -1;
	ngpus++;
}

static int cmp_gpu(const void *a, const void *b)
{
	return strcmp(((const struct gpu *)a)->bdf, ((const struct gpu *)b)->bdf);
}

static void enumerate(void)
{
	drmDevicePtr devs[MAX_GPUS];
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *e;
	DIR *dir;
	int n;

	/* Render nodes: libdrm. */
	n = drmGetDevices2(0, devs, MAX_GPUS);
	for (int i = 0; i < n; i++) {
		drmDevicePtr d = devs[i];
		char bdf[32];

		if (d->bustype != DRM_BUS_PCI || !(d->available_nodes & (1 << DRM_NODE_RENDER)))
			continue;
		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%u", d->businfo.pci->domain,
			 d->businfo.pci->bus, d->businfo.pci->dev, d->businfo.pci->func);
		add_gpu(bdf, d->nodes[DRM_NODE_RENDER]);
	}
	if (n > 0)
		drmFreeDevices(devs, n);

	/* Accel nodes: sysfs. */
	dir = opendir("/sys/class/accel");
	while (dir && (e = readdir(dir))) {
		ssize_t len;

		if (strncmp(e->d_name, "accel", 5))
			continue;
		snprintf(path, sizeof(path), "/sys/class/accel/%s/device", e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = '\0';
		snprintf(path, sizeof(path), "/dev/accel/%s", e->d_name);
		add_gpu(strrchr(link, '/') ? strrchr(link, '/') + 1 : link, path);
	}
	if (dir)
		closedir(dir);
	qsort(gpus, ngpus, sizeof(gpus[0]), cmp_gpu);
	for (int i = 0; i < ngpus; i++)
		gpus[i].index = i;
}

/* ---------------------------------------------------------------- queries */

static int get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_musa_get_param args = { .param = param };

	if (drmIoctl(fd, DRM_IOCTL_MUSA_GET_PARAM, &args))
		return -errno;
	*value = args.value;
	return 0;
}

static int query(int fd, uint32_t what, void *data, uint32_t size)
{
	struct drm_musa_query args = { .query = what, .size = size,
				       .data = (uint64_t)(uintptr_t)data };

	memset(data, 0, size);
	return drmIoctl(fd, DRM_IOCTL_MUSA_QUERY, &args) ? -errno : 0;
}

static void uuid_string(uint64_t serial, char *buf, size_t len)
{
	unsigned char u[16];

	s5000_uuid_from_serial(serial, u);
	snprintf(buf, len, "MTGPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
		 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* Vendor/device names and the PCIe link capability, through libpci. */
static void pci_details(struct gpu *g)
{
	unsigned int dom, bus, dev, fn;
	struct pci_access *pacc;
	struct pci_dev *pd;
	struct pci_cap *cap;

	snprintf(g->pci_name, sizeof(g->pci_name), "N/A");
	if (sscanf(g->bdf, "%x:%x:%x.%u", &dom, &bus, &dev, &fn) != 4)
		return;
	pacc = pci_alloc();
	if (!pacc)
		return;
	pci_init(pacc);
	pd = pci_get_dev(pacc, (int)dom, (int)bus, (int)dev, (int)fn);
	if (pd) {
		pci_fill_info(pd, PCI_FILL_IDENT | PCI_FILL_CAPS);
		g->vendor_id = pd->vendor_id;
		pci_lookup_name(pacc, g->pci_name, sizeof(g->pci_name),
				PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE, pd->vendor_id, pd->device_id);
		cap = pci_find_cap(pd, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
		if (cap) {
			uint32_t lnkcap = pci_read_long(pd, cap->addr + PCI_EXP_LNKCAP);

			g->link_gen_max = lnkcap & PCI_EXP_LNKCAP_SPEED;
			g->link_width_max = (lnkcap & PCI_EXP_LNKCAP_WIDTH) >> 4;
		}
		pci_free_dev(pd);
	}
	pci_cleanup(pacc);
}

/* Opens the node and reads the static facts; 0 or -errno. */
static int gpu_open(struct gpu *g)
{
	static const struct {
		uint32_t param;
		size_t offset;
	} params[] = {
		{ MUSA_PARAM_VRAM_SIZE, offsetof(struct gpu, vram_size) },
		{ MUSA_PARAM_VRAM_CPU_VISIBLE, offsetof(struct gpu, cpu_visible) },
		{ MUSA_PARAM_SM_CLOCK_MAX_MHZ, offsetof(struct gpu, sm_max) },
		{ MUSA_PARAM_MEM_CLOCK_MAX_MHZ, offsetof(struct gpu, mem_max) },
		{ MUSA_PARAM_MEM_BUS_WIDTH, offsetof(struct gpu, bus_width) },
		{ MUSA_PARAM_COMPUTE_UNITS, offsetof(struct gpu, compute_units) },
		{ MUSA_PARAM_DEVICE_ID, offsetof(struct gpu, device_id) },
		{ MUSA_PARAM_REVISION, offsetof(struct gpu, revision) },
		{ MUSA_PARAM_NUM_QUEUES, offsetof(struct gpu, num_queues) },
	};
	drmVersionPtr v;
	int ret = 0;

	g->fd = open(g->node, O_RDWR | O_CLOEXEC);
	if (g->fd < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]) && !ret; i++)
		ret = get_param(g->fd, params[i].param, (uint64_t *)((char *)g + params[i].offset));
	if (!ret)
		ret = query(g->fd, MUSA_QUERY_DEVICE_INFO, &g->info, sizeof(g->info));
	if (ret)
		return ret;
	g->info.name[sizeof(g->info.name) - 1] = '\0';
	v = drmGetVersion(g->fd);
	if (v) {
		snprintf(g->driver_version, sizeof(g->driver_version), "%d.%d.%d",
			 v->version_major, v->version_minor, v->version_patchlevel);
		drmFreeVersion(v);
	} else {
		snprintf(g->driver_version, sizeof(g->driver_version), "N/A");
	}
	uuid_string(g->info.serial, g->uuid, sizeof(g->uuid));
	pci_details(g);
	return 0;
}

/* The changing values; 0 or -errno. */
static int gpu_refresh(struct gpu *g)
{
	int ret = get_param(g->fd, MUSA_PARAM_VRAM_USED, &g->vram_used);

	if (!ret)
		ret = get_param(g->fd, MUSA_PARAM_RESET_COUNT, &g->reset_count);
	if (!ret)
		ret = get_param(g->fd, MUSA_PARAM_QUEUE_RESET_COUNT, &g->queue_reset_count);
	if (!ret)
		ret = query(g->fd, MUSA_QUERY_TELEMETRY, &g->tel, sizeof(g->tel));
	return ret;
}

/* ---------------------------------------------------------- DRM fdinfo */

/* The PCI device behind a character device: /sys/dev/char/MAJ:MIN/device. */
static void chrdev_bdf(const char *fdpath, char *bdf, size_t len)
{
	char path[128], link[PATH_MAX];
	struct stat st;
	ssize_t n;

	bdf[0] = '\0';
	if (stat(fdpath, &st) || !S_ISCHR(st.st_mode))
		return;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device", major(st.st_rdev),
		 minor(st.st_rdev));
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return;
	link[n] = '\0';
	snprintf(bdf, len, "%.31s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
}

static void scan_fd(int pid, const char *fd)
{
	char path[128], line[256], pdev[32] = "";
	uint64_t client = 0, vram = 0, sys = 0;
	int musa = 0, have_client = 0;
	struct proc *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%.64s", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *val = strchr(line, ':');

		if (!val || strncmp(line, "drm-", 4))
			continue;
		*val++ = '\0';
		while (isspace((unsigned char)*val))
			val++;
		val[strcspn(val, "\n")] = '\0';
		if (!strcmp(line, "drm-driver"))
			musa = !strcmp(val, "musa");
		else if (!strcmp(line, "drm-client-id"))
			have_client = sscanf(val, "%" SCNu64, &client) == 1;
		else if (!strcmp(line, "drm-pdev"))
			snprintf(pdev, sizeof(pdev), "%s", val);
		else if (!strcmp(line, "drm-memory-vram"))
			sscanf(val, "%" SCNu64, &vram);
		else if (!strcmp(line, "drm-memory-system"))
			sscanf(val, "%" SCNu64, &sys);
	}
	fclose(f);
	if (!musa || !have_client)
		return;
	if (!pdev[0]) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%.64s", pid, fd);
		chrdev_bdf(path, pdev, sizeof(pdev));
	}
	for (int i = 0; i < nprocs; i++)
		if (procs[i].client_id == client && !strcmp(procs[i].bdf, pdev))
			return;	/* the same open file, through a dup or fork */
	if (nprocs == MAX_PROCS)
		return;
	p = &procs[nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->client_id = client;
	p->vram_kib = vram;
	p->sys_kib = sys;
	snprintf(p->bdf, sizeof(p->bdf), "%s", pdev);
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(p->name, sizeof(p->name), f))
			p->name[strcspn(p->name, "\n")] = '\0';
		fclose(f);
	}
}

static void scan_processes(void)
{
	DIR *proc = opendir("/proc"), *fds;
	struct dirent *e, *fe;
	char path[64];
	int self = getpid();

	nprocs = 0;
	while (proc && (e = readdir(proc))) {
		int pid = atoi(e->d_name);

		if (pid <= 0 || pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
		fds = opendir(path);
		while (fds && (fe = readdir(fds)))
			if (isdigit((unsigned char)fe->d_name[0]))
				scan_fd(pid, fe->d_name);
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
	/* Merge the clients of one process on one device. */
	for (int i = 0; i < nprocs; i++)
		for (int j = i + 1; j < nprocs; j++)
			if (procs[j].pid == procs[i].pid && !strcmp(procs[j].bdf, procs[i].bdf)) {
				procs[i].vram_kib += procs[j].vram_kib;
				procs[i].sys_kib += procs[j].sys_kib;
				procs[j--] = procs[--nprocs];
			}
}

/* ------------------------------------------------------------- helpers */

#define MIB(b)	((unsigned long long)((b) >> 20))

static double watts(uint32_t mw)
{
	return mw / 1000.0;
}

static const char *timestamp(void)
{
	static char buf[64];
	time_t t = time(NULL);

	strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", localtime(&t));
	return buf;
}

static const char *gpu_bus_id(const struct gpu *g)
{
	static char buf[40];
	unsigned int dom, bus, dev, fn;

	/* nvidia-smi's form: eight hex digits of domain. */
	if (sscanf(g->bdf, "%x:%x:%x.%u", &dom, &bus, &dev, &fn) == 4)
		snprintf(buf, sizeof(buf), "%08X:%02X:%02X.%u", dom, bus, dev, fn);
	else
		snprintf(buf, sizeof(buf), "%s", g->bdf);
	return buf;
}

/* ---------------------------------------------------------- default view */

/* One line of the 91-column box. */
static void boxline(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("| %-87.87s |\n", buf);
}

static void print_table(struct gpu **sel, int nsel)
{
	const char *rule = "+-----------------------------------------------------------------------------------------+";
	int any = 0;

	printf("%s\n", timestamp());
	printf("%s\n", rule);
	boxline("MUSA-SMI %-20s Driver Version: %s", SMI_VERSION,
		ngpus ? gpus[0].driver_version : "N/A");
	printf("|-----------------------------------------+------------------------+----------------------|\n");
	printf("| GPU  Name                               | Bus-Id                 | Volatile Uncorr. ECC |\n");
	printf("| Temp   Perf      Pwr:Usage/Cap          |           Memory-Usage | GPU-Util   Copy-Util |\n");
	printf("|=========================================+========================+======================|\n");
	for (int i = 0; i < nsel; i++) {
		struct gpu *g = sel[i];
		char pwr[32], mem[40];

		snprintf(pwr, sizeof(pwr), "%3.0fW / %3.0fW", watts(g->tel.power_mw),
			 watts(g->tel.power_limit_mw));
		snprintf(mem, sizeof(mem), "%lluMiB / %lluMiB", MIB(g->vram_used), MIB(g->vram_size));
		printf("| %3d  %-34.34s | %-22s | %20llu |\n", g->index, g->info.name,
		       gpu_bus_id(g), (unsigned long long)g->tel.ecc_uncorrected);
		printf("| %3uC   P0  %28s | %22s | %7u%% %10u%% |\n", g->tel.temp_mc / 1000, pwr,
		       mem, g->tel.util_compute, g->tel.util_copy);
		printf("%s\n", rule);
	}
	printf("\n%s\n", rule);
	boxline("Processes:");
	boxline("%4s   %-10s %-52s %16s", "GPU", "PID", "Process name", "GPU Memory Usage");
	printf("|=========================================================================================|\n");
	for (int i = 0; i < nsel; i++)
		for (int p = 0; p < nprocs; p++) {
			char mem[32];

			if (strcmp(procs[p].bdf, sel[i]->bdf))
				continue;
			snprintf(mem, sizeof(mem), "%lluMiB",
				 (unsigned long long)(procs[p].vram_kib >> 10));
			boxline("%4d   %-10d %-52.52s %16s", sel[i]->index, procs[p].pid,
				procs[p].name, mem);
			any = 1;
		}
	if (!any)
		boxline(" No running processes found");
	printf("%s\n", rule);
}

/* ------------------------------------------------ -q and --json (one tree) */

struct emit {
	int json, depth;
	int first[16];
};

static void em_indent(struct emit *e)
{
	for (int i = 0; i < e->depth; i++)
		fputs(e->json ? "  " : "    ", stdout);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void em_sep(struct emit *e)
{
	if (!e->first[e->depth])
		fputs(",\n", stdout);
	e->first[e->depth] = 0;
	em_indent(e);
}

/* key NULL: an element of an array. */
static void em_open(struct emit *e, const char *key, int array, const char *text_head)
{
	if (e->json) {
		em_sep(e);
		if (key) {
			json_str(key);
			fputs(": ", stdout);
		}
		fputs(array ? "[\n" : "{\n", stdout);
		e->first[++e->depth] = 1;
	} else {
		if (text_head) {
			em_indent(e);
			printf("%s\n", text_head);
		}
		if (text_head || (key && !array))
			e->depth++;
	}
}

static void em_close(struct emit *e, int array, int had_head)
{
	if (e->json) {
		e->depth--;
		putchar('\n');
		em_indent(e);
		putchar(array ? ']' : '}');
	} else if (had_head) {
		e->depth--;
	}
}

static void em_kv(struct emit *e, const char *key, const char *fmt, ...)
{
	char val[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (e->json) {
		em_sep(e);
		json_str(key);
		fputs(": ", stdout);
		json_str(val);
	} else {
		em_indent(e);
		printf("%-*s : %s\n", 40 - 4 * e->depth, key, val);
	}
}

static void em_num(struct emit *e, const char *key, long long v)
{
	if (e->json) {
		em_sep(e);
		json_str(key);
		printf(": %lld", v);
	} else {
		em_indent(e);
		printf("%-*s : %lld\n", 40 - 4 * e->depth, key, v);
	}
}

static void em_section(struct emit *e, const char *name)
{
	em_open(e, name, 0, name);
}

static void em_end(struct emit *e)
{
	em_close(e, 0, 1);
}

static void print_report(struct gpu **sel, int nsel, int json)
{
	struct emit e = { .json = json, .first = { 1 } };

	if (json) {
		fputs("{\n", stdout);
		e.depth = 1;
		e.first[1] = 1;
	} else {
		printf("\n==============NVSMI LOG==============\n\n");
	}
	em_kv(&e, "Timestamp", "%s", timestamp());
	em_kv(&e, "Driver Version", "%s", ngpus ? gpus[0].driver_version : "N/A");
	em_kv(&e, "MUSA-SMI Version", "%s", SMI_VERSION);
	em_num(&e, "Attached GPUs", ngpus);
	if (!json)
		putchar('\n');
	em_open(&e, "GPU", 1, NULL);
	for (int i = 0; i < nsel; i++) {
		struct gpu *g = sel[i];
		char head[64];
		int any = 0;

		snprintf(head, sizeof(head), "GPU %s", gpu_bus_id(g));
		em_open(&e, NULL, 0, head);
		em_num(&e, "Index", g->index);
		em_kv(&e, "Product Name", "%s", g->info.name);
		em_kv(&e, "Product Brand", "Moore Threads");
		em_kv(&e, "Device Type", "Emulated");
		em_kv(&e, "Serial Number", "%016llx", (unsigned long long)g->info.serial);
		em_kv(&e, "GPU UUID", "%s", g->uuid);
		em_kv(&e, "Minor Number", "%s", strrchr(g->node, '/') + 1);
		em_kv(&e, "Device Node", "%s", g->node);
		em_kv(&e, "Device ID", "0x%04llX%04X", (unsigned long long)g->device_id,
		      g->vendor_id);
		em_kv(&e, "Device ABI Version", "%u", g->info.abi_version);
		em_kv(&e, "Driver Version", "%s", g->driver_version);
		em_kv(&e, "Compute Units", "%llu", (unsigned long long)g->compute_units);
		em_kv(&e, "Hardware Queues", "%llu", (unsigned long long)g->num_queues);
		em_section(&e, "PCI");
		em_kv(&e, "Bus", "0x%02X", g->info.pci_bus);
		em_kv(&e, "Device", "0x%02X", g->info.pci_devfn >> 3);
		em_kv(&e, "Domain", "0x%04X", g->info.pci_domain);
		em_kv(&e, "Device Id", "0x%04llX", (unsigned long long)g->device_id);
		em_kv(&e, "Revision", "0x%02llX", (unsigned long long)g->revision);
		em_kv(&e, "Bus Id", "%s", gpu_bus_id(g));
		em_kv(&e, "PCI Device Name", "%s", g->pci_name);
		em_section(&e, "GPU Link Info");
		em_section(&e, "PCIe Generation");
		if (g->link_gen_max)
			em_kv(&e, "Max", "%d", g->link_gen_max);
		else
			em_kv(&e, "Max", "N/A");
		em_kv(&e, "Current", "%u", g->info.pcie_gen);
		em_end(&e);
		em_section(&e, "Link Width");
		if (g->link_width_max)
			em_kv(&e, "Max", "%dx", g->link_width_max);
		else
			em_kv(&e, "Max", "N/A");
		em_kv(&e, "Current", "%ux", g->info.pcie_width);
		em_end(&e);
		em_end(&e);
		em_end(&e);
		em_section(&e, "FB Memory Usage");
		em_kv(&e, "Total", "%llu MiB", MIB(g->vram_size));
		em_kv(&e, "Used", "%llu MiB", MIB(g->vram_used));
		em_kv(&e, "Free", "%llu MiB", MIB(g->vram_size) - MIB(g->vram_used));
		em_end(&e);
		em_section(&e, "BAR1 Memory Usage");
		em_kv(&e, "Total", "%llu MiB", MIB(g->cpu_visible));
		em_end(&e);
		em_kv(&e, "Memory Bus Width", "%llu bits", (unsigned long long)g->bus_width);
		em_section(&e, "Utilization");
		em_kv(&e, "Gpu", "%u %%", g->tel.util_compute);
		em_kv(&e, "Memory", "%u %%", g->tel.util_copy);
		em_kv(&e, "Copy", "%u %%", g->tel.util_copy);
		em_end(&e);
		em_section(&e, "ECC Mode");
		em_kv(&e, "Current", "Enabled");
		em_kv(&e, "Pending", "Enabled");
		em_end(&e);
		em_section(&e, "ECC Errors");
		em_section(&e, "Volatile");
		em_kv(&e, "Corrected", "%llu", (unsigned long long)g->tel.ecc_corrected);
		em_kv(&e, "Uncorrected", "%llu", (unsigned long long)g->tel.ecc_uncorrected);
		em_end(&e);
		em_end(&e);
		em_section(&e, "Resets");
		em_kv(&e, "Device Resets", "%llu", (unsigned long long)g->reset_count);
		em_kv(&e, "Queue Resets", "%llu", (unsigned long long)g->queue_reset_count);
		em_end(&e);
		em_section(&e, "Temperature");
		em_kv(&e, "GPU Current Temp", "%u C", g->tel.temp_mc / 1000);
		em_end(&e);
		em_section(&e, "Power Readings");
		em_kv(&e, "Power Draw", "%.2f W", watts(g->tel.power_mw));
		em_kv(&e, "Power Limit", "%.2f W", watts(g->tel.power_limit_mw));
		em_end(&e);
		em_section(&e, "Clocks");
		em_kv(&e, "Graphics", "%u MHz", g->tel.sm_clock_mhz);
		em_kv(&e, "SM", "%u MHz", g->tel.sm_clock_mhz);
		em_kv(&e, "Memory", "%u MHz", g->tel.mem_clock_mhz);
		em_end(&e);
		em_section(&e, "Max Clocks");
		em_kv(&e, "Graphics", "%llu MHz", (unsigned long long)g->sm_max);
		em_kv(&e, "SM", "%llu MHz", (unsigned long long)g->sm_max);
		em_kv(&e, "Memory", "%llu MHz", (unsigned long long)g->mem_max);
		em_end(&e);
		em_open(&e, "Processes", 1, "Processes");
		for (int p = 0; p < nprocs; p++) {
			if (strcmp(procs[p].bdf, g->bdf))
				continue;
			em_open(&e, NULL, 0, NULL);
			em_num(&e, "Process ID", procs[p].pid);
			em_kv(&e, "Type", "C");
			em_kv(&e, "Name", "%s", procs[p].name);
			em_kv(&e, "Used GPU Memory", "%llu MiB",
			      (unsigned long long)(procs[p].vram_kib >> 10));
			em_kv(&e, "Used System Memory", "%llu MiB",
			      (unsigned long long)(procs[p].sys_kib >> 10));
			em_close(&e, 0, 0);
			any = 1;
		}
		if (!any && !json) {
			em_indent(&e);
			printf("None\n");
		}
		em_close(&e, 1, 1);
		em_close(&e, 0, 1);
		if (!json)
			putchar('\n');
	}
	em_close(&e, 1, 0);
	if (json)
		fputs("\n}\n", stdout);
}

/* ------------------------------------------------------------ CSV queries */

struct field {
	const char *name, *unit;	/* unit: "" for none */
};

static const struct field gpu_fields[] = {
	{ "timestamp", "" }, { "driver_version", "" }, { "count", "" }, { "index", "" },
	{ "name", "" }, { "uuid", "" }, { "serial", "" }, { "pci.bus_id", "" },
	{ "pci.device_id", "" }, { "memory.total", "MiB" }, { "memory.used", "MiB" },
	{ "memory.free", "MiB" }, { "utilization.gpu", "%" }, { "utilization.memory", "%" },
	{ "temperature.gpu", "" }, { "power.draw", "W" }, { "power.limit", "W" },
	{ "clocks.sm", "MHz" }, { "clocks.gr", "MHz" }, { "clocks.mem", "MHz" },
	{ "clocks.max.sm", "MHz" }, { "clocks.max.gr", "MHz" }, { "clocks.max.mem", "MHz" },
	{ "pstate", "" }, { "compute_cap", "" }, { "ecc.mode.current", "" },
	{ "pcie.link.gen.current", "" }, { "pcie.link.gen.max", "" },
	{ "pcie.link.width.current", "" }, { "pcie.link.width.max", "" },
	{ "ecc.errors.corrected.volatile.total", "" },
	{ "ecc.errors.uncorrected.volatile.total", "" },
	{ "reset_count", "" },
};

static const struct field app_fields[] = {
	{ "pid", "" }, { "process_name", "" }, { "used_memory", "MiB" }, { "gpu_uuid", "" },
	{ "gpu_bus_id", "" }, { "gpu_index", "" }, { "used_system_memory", "MiB" },
};

#define NFIELDS(a)	((int)(sizeof(a) / sizeof((a)[0])))

static void gpu_value(const struct gpu *g, const char *f, char *v, size_t n)
{
	unsigned long long u = 0;
	int num = 1;

	if (!strcmp(f, "timestamp"))
		snprintf(v, n, "%s", timestamp()), num = 0;
	else if (!strcmp(f, "driver_version"))
		snprintf(v, n, "%s", g->driver_version), num = 0;
	else if (!strcmp(f, "count"))
		u = (unsigned long long)ngpus;
	else if (!strcmp(f, "index"))
		u = (unsigned long long)g->index;
	else if (!strcmp(f, "name"))
		snprintf(v, n, "%s", g->info.name), num = 0;
	else if (!strcmp(f, "uuid"))
		snprintf(v, n, "%s", g->uuid), num = 0;
	else if (!strcmp(f, "serial"))
		snprintf(v, n, "%016llx", (unsigned long long)g->info.serial), num = 0;
	else if (!strcmp(f, "pci.bus_id"))
		snprintf(v, n, "%s", gpu_bus_id(g)), num = 0;
	else if (!strcmp(f, "pci.device_id"))
		snprintf(v, n, "0x%04llX%04X", (unsigned long long)g->device_id, g->vendor_id),
			num = 0;
	else if (!strcmp(f, "memory.total"))
		u = MIB(g->vram_size);
	else if (!strcmp(f, "memory.used"))
		u = MIB(g->vram_used);
	else if (!strcmp(f, "memory.free"))
		u = MIB(g->vram_size) - MIB(g->vram_used);
	else if (!strcmp(f, "utilization.gpu"))
		u = g->tel.util_compute;
	else if (!strcmp(f, "utilization.memory"))
		u = g->tel.util_copy;
	else if (!strcmp(f, "temperature.gpu"))
		u = g->tel.temp_mc / 1000;
	else if (!strcmp(f, "power.draw"))
		snprintf(v, n, "%.2f", watts(g->tel.power_mw)), num = 0;
	else if (!strcmp(f, "power.limit"))
		snprintf(v, n, "%.2f", watts(g->tel.power_limit_mw)), num = 0;
	else if (!strcmp(f, "clocks.sm") || !strcmp(f, "clocks.gr"))
		u = g->tel.sm_clock_mhz;
	else if (!strcmp(f, "clocks.mem"))
		u = g->tel.mem_clock_mhz;
	else if (!strcmp(f, "clocks.max.sm") || !strcmp(f, "clocks.max.gr"))
		u = g->sm_max;
	else if (!strcmp(f, "clocks.max.mem"))
		u = g->mem_max;
	else if (!strcmp(f, "pstate"))
		snprintf(v, n, "P0"), num = 0;
	else if (!strcmp(f, "compute_cap"))
		snprintf(v, n, "3.1"), num = 0;
	else if (!strcmp(f, "ecc.mode.current"))
		snprintf(v, n, "Enabled"), num = 0;
	else if (!strcmp(f, "pcie.link.gen.current"))
		u = g->info.pcie_gen;
	else if (!strcmp(f, "pcie.link.gen.max"))
		u = (unsigned long long)(g->link_gen_max ? g->link_gen_max : (int)g->info.pcie_gen);
	else if (!strcmp(f, "pcie.link.width.current"))
		u = g->info.pcie_width;
	else if (!strcmp(f, "pcie.link.width.max"))
		u = (unsigned long long)(g->link_width_max ? g->link_width_max :
					 (int)g->info.pcie_width);
	else if (!strcmp(f, "ecc.errors.corrected.volatile.total"))
		u = g->tel.ecc_corrected;
	else if (!strcmp(f, "ecc.errors.uncorrected.volatile.total"))
		u = g->tel.ecc_uncorrected;
	else if (!strcmp(f, "reset_count"))
		u = g->reset_count;
	if (num)
		snprintf(v, n, "%llu", u);
}

static void app_value(const struct proc *p, const struct gpu *g, const char *f, char *v,
		      size_t n)
{
	if (!strcmp(f, "pid"))
		snprintf(v, n, "%d", p->pid);
	else if (!strcmp(f, "process_name"))
		snprintf(v, n, "%s", p->name);
	else if (!strcmp(f, "used_memory"))
		snprintf(v, n, "%llu", (unsigned long long)(p->vram_kib >> 10));
	else if (!strcmp(f, "used_system_memory"))
		snprintf(v, n, "%llu", (unsigned long long)(p->sys_kib >> 10));
	else if (!strcmp(f, "gpu_uuid"))
		snprintf(v, n, "%s", g->uuid);
	else if (!strcmp(f, "gpu_bus_id"))
		snprintf(v, n, "%s", gpu_bus_id(g));
	else if (!strcmp(f, "gpu_index"))
		snprintf(v, n, "%d", g->index);
}

struct csv {
	char *names[64];
	const char *units[64];
	int n, header, units_on;
};

/* Parses a comma-separated field list against a table; 0 or prints and returns -1. */
static int parse_fields(struct csv *c, char *list, const struct field *tab, int ntab,
			const char *opt)
{
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		int k;

		while (isspace((unsigned char)*tok))
			tok++;
		tok[strcspn(tok, " \t")] = '\0';
		if (!*tok)
			continue;
		for (k = 0; k < ntab && strcmp(tab[k].name, tok); k++)
			;
		if (k == ntab) {
			fprintf(stderr, "musa-smi: field \"%s\" is not a valid field to query "
				"with %s\n", tok, opt);
			return -1;
		}
		if (c->n == 64) {
			fprintf(stderr, "musa-smi: too many fields for %s\n", opt);
			return -1;
		}
		c->names[c->n] = tok;
		c->units[c->n++] = tab[k].unit;
	}
	if (!c->n) {
		fprintf(stderr, "musa-smi: %s needs at least one field\n", opt);
		return -1;
	}
	return 0;
}

static void csv_header(const struct csv *c)
{
	if (!c->header)
		return;
	for (int i = 0; i < c->n; i++) {
		printf("%s%s", i ? ", " : "", c->names[i]);
		if (c->units_on && *c->units[i])
			printf(" [%s]", c->units[i]);
	}
	putchar('\n');
}

static void csv_cell(const struct csv *c, int i, const char *v)
{
	printf("%s%s", i ? ", " : "", v);
	if (c->units_on && *c->units[i])
		printf(" %s", c->units[i]);
}

static void print_query_gpu(const struct csv *c, struct gpu **sel, int nsel)
{
	char v[256];

	csv_header(c);
	for (int g = 0; g < nsel; g++) {
		for (int i = 0; i < c->n; i++) {
			gpu_value(sel[g], c->names[i], v, sizeof(v));
			csv_cell(c, i, v);
		}
		putchar('\n');
	}
}

static void print_query_apps(const struct csv *c, struct gpu **sel, int nsel)
{
	char v[256];

	csv_header(c);
	for (int g = 0; g < nsel; g++)
		for (int p = 0; p < nprocs; p++) {
			if (strcmp(procs[p].bdf, sel[g]->bdf))
				continue;
			for (int i = 0; i < c->n; i++) {
				app_value(&procs[p], sel[g], c->names[i], v, sizeof(v));
				csv_cell(c, i, v);
			}
			putchar('\n');
		}
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: musa-smi [OPTIONS]\n"
		"Status of the S5000 devices bound to musa.ko, in the manner of nvidia-smi.\n\n"
		"  (no option)                 table of devices and the processes using them\n"
		"  -L, --list-gpus             one line per device: index, name, UUID\n"
		"  -q, --query                 full report\n"
		"  -j, --json                  the full report as JSON (also with -q)\n"
		"  -i, --id=ID                 only this device: index, UUID (or a prefix) or PCI bus id\n"
		"  --query-gpu=FIELDS          comma-separated fields (nvidia-smi names), needs --format\n"
		"  --query-compute-apps=FIELDS pid,process_name,used_memory,used_system_memory,\n"
		"                              gpu_uuid,gpu_bus_id,gpu_index; needs --format\n"
		"  --format=csv[,noheader][,nounits]\n"
		"  --help-query-gpu            list the fields --query-gpu accepts\n"
		"  -l, --loop=SEC              repeat every SEC seconds until interrupted\n"
		"  -c, --count=N               with -l: stop after N reports\n"
		"  -h, --help                  this text\n\n"
		"Exit status: 0 success, 1 a device did not answer, 2 bad arguments or an\n"
		"unknown field, 6 -i matched no device, 9 no device or musa.ko not loaded.\n");
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Does @id name @g: an index, a UUID or its prefix, or a PCI bus id? */
static int gpu_matches(const struct gpu *g, const char *id)
{
	char *end;
	long idx = strtol(id, &end, 10);
	size_t len = strlen(id);

	if (*id && !*end)
		return idx == g->index;
	if (len >= 6 && (!strncasecmp(g->uuid, id, len) || !strncasecmp(g->uuid + 6, id, len)))
		return 1;
	return !strcasecmp(g->bdf, id) || !strcasecmp(gpu_bus_id(g), id) ||
	       !strcasecmp(gpu_bus_id(g) + 4, id);
}

enum { OPT_QUERY_GPU = 256, OPT_QUERY_APPS, OPT_FORMAT, OPT_HELP_QUERY };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list-gpus", no_argument, NULL, 'L' },
		{ "query", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "id", required_argument, NULL, 'i' },
		{ "loop", required_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "query-gpu", required_argument, NULL, OPT_QUERY_GPU },
		{ "query-compute-apps", required_argument, NULL, OPT_QUERY_APPS },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help-query-gpu", no_argument, NULL, OPT_HELP_QUERY },
		{ 0 }
	};
	int list = 0, report = 0, json = 0, opt, nsel = 0, ret = 0;
	char *id = NULL, *qgpu = NULL, *qapps = NULL, *format = NULL;
	long loop = 0, count = -1;
	struct csv csv = { .header = 1, .units_on = 1 };
	struct gpu *sel[MAX_GPUS];

	while ((opt = getopt_long(argc, argv, "Lqji:l:c:h", longopts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 'L': list = 1; break;
		case 'q': report = 1; break;
		case 'j': json = 1; break;
		case 'i': id = optarg; break;
		case 'l':
		case 'c':
			errno = 0;
			*(opt == 'l' ? &loop : &count) = strtol(optarg, &end, 10);
			if (errno || *end || !*optarg || (opt == 'l' ? loop < 1 : count < 1)) {
				fprintf(stderr, "musa-smi: -%c needs a positive number, not \"%s\"\n",
					opt, optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_QUERY_GPU: qgpu = optarg; break;
		case OPT_QUERY_APPS: qapps = optarg; break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_HELP_QUERY:
			for (int i = 0; i < NFIELDS(gpu_fields); i++)
				printf("%s%s%s%s\n", gpu_fields[i].name, *gpu_fields[i].unit ? " [" : "",
				       gpu_fields[i].unit, *gpu_fields[i].unit ? "]" : "");
			return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "musa-smi: unexpected argument \"%s\"\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (qgpu && qapps) {
		fprintf(stderr, "musa-smi: --query-gpu and --query-compute-apps are exclusive\n");
		return EXIT_USAGE;
	}
	if ((qgpu || qapps) && !format) {
		fprintf(stderr, "musa-smi: %s needs --format=csv[,noheader][,nounits]\n",
			qgpu ? "--query-gpu" : "--query-compute-apps");
		return EXIT_USAGE;
	}
	if (format) {
		char *f = strdup(format);
		int csvseen = 0;

		for (char *tok = strtok(f, ","); tok; tok = strtok(NULL, ",")) {
			while (isspace((unsigned char)*tok))
				tok++;
			if (!strcmp(tok, "csv"))
				csvseen = 1;
			else if (!strcmp(tok, "noheader"))
				csv.header = 0;
			else if (!strcmp(tok, "nounits"))
				csv.units_on = 0;
			else {
				fprintf(stderr, "musa-smi: unknown --format element \"%s\"\n", tok);
				return EXIT_USAGE;
			}
		}
		free(f);
		if (!csvseen || !(qgpu || qapps)) {
			fprintf(stderr, "musa-smi: --format=csv[,noheader][,nounits] goes with "
				"--query-gpu or --query-compute-apps\n");
			return EXIT_USAGE;
		}
	}
	if ((qgpu && parse_fields(&csv, qgpu, gpu_fields, NFIELDS(gpu_fields), "--query-gpu")) ||
	    (qapps && parse_fields(&csv, qapps, app_fields, NFIELDS(app_fields),
				   "--query-compute-apps")))
		return EXIT_USAGE;

	enumerate();
	if (!ngpus) {
		if (access("/sys/bus/pci/drivers/musa", F_OK))
			fprintf(stderr, "musa-smi: no S5000 device found: is musa.ko loaded?\n");
		else
			fprintf(stderr, "musa-smi: no S5000 device found: musa.ko is loaded but "
				"no device is bound to it\n");
		return EXIT_NO_DEVICE;
	}
	for (int i = 0; i < ngpus; i++) {
		int err = gpu_open(&gpus[i]);

		if (err) {
			fprintf(stderr, "musa-smi: %s (%s) does not answer: %s\n", gpus[i].node,
				gpus[i].bdf, strerror(-err));
			return EXIT_ERROR;
		}
		if (!id || gpu_matches(&gpus[i], id))
			sel[nsel++] = &gpus[i];
	}
	if (!nsel) {
		fprintf(stderr, "musa-smi: no device matches \"%s\" (valid indices: 0 to %d, a "
			"UUID or a PCI bus id)\n", id, ngpus - 1);
		return EXIT_NOT_FOUND;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (long iter = 0; !stop; iter++) {
		for (int i = 0; i < nsel; i++) {
			int err = gpu_refresh(sel[i]);

			if (err) {
				fprintf(stderr, "musa-smi: %s does not answer: %s\n", sel[i]->bdf,
					strerror(-err));
				return EXIT_ERROR;
			}
		}
		scan_processes();
		if (list)
			for (int i = 0; i < nsel; i++)
				printf("GPU %d: %s (UUID: %s)\n", sel[i]->index, sel[i]->info.name,
				       sel[i]->uuid);
		else if (qgpu)
			print_query_gpu(&csv, sel, nsel);
		else if (qapps)
			print_query_apps(&csv, sel, nsel);
		else if (report || json)
			print_report(sel, nsel, json);
		else
			print_table(sel, nsel);
		fflush(stdout);
		if (!loop || (count > 0 && iter + 1 >= count))
			break;
		csv.header = 0;	/* the CSV header comes once, as with nvidia-smi */
		for (long s = 0; s < loop * 10 && !stop; s++)
			usleep(100000);
	}
	for (int i = 0; i < ngpus; i++)
		if (gpus[i].fd >= 0)
			close(gpus[i].fd);
	return ret;
}
