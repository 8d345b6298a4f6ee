// SPDX-License-Identifier: MIT
/*
 * musa_smi_test: every musa-smi mode, run as a program (build/tools/musa-smi beside
 * build/selftests/, or PREFIX/bin/musa-smi when installed) and checked against what
 * the driver says through its ioctls and sysfs: -L and its UUID, --query-gpu CSV with
 * and without header and units, -q, --json (valid JSON), the default table, the
 * processes holding VRAM (fdinfo), -l with --count, and the error exits.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "musa_test.h"

static char smi[PATH_MAX + 64];

/* Finds musa-smi relative to this program; 0 or -1. */
static int find_smi(void)
{
	static const char *const rel[] = { "/../tools/musa-smi", "/../../../bin/musa-smi" };
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return -1;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(smi, sizeof(smi), "%s%s", self, rel[i]);
		if (!access(smi, X_OK))
			return 0;
	}
	return -1;
}

/* Runs musa-smi ARGS (stderr joined to stdout); its exit status, output in @out. */
static int run(char *out, size_t len, const char *args)
{
	char cmd[PATH_MAX + 512];
	size_t got = 0, n;
	FILE *p;
	int st;

	if (!smi[0] && find_smi())
		return -1;
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", smi, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (got + 1 < len && (n = fread(out + got, 1, len - 1 - got, p)) > 0)
		got += n;
	out[got] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int device_count(void)
{
	char bdf[32];
	int n = 0;

	while (!musa_device_bdf(n, bdf, sizeof(bdf)))
		n++;
	return n;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Fields of a ", "-separated line. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		char *sep = strstr(line, ", ");

		f[n++] = line;
		if (!sep)
			break;
		*sep = '\0';
		line = sep + 2;
	}
	return n;
}

/* The UUID libmusa derives from the serial (libmusa/README.md, "Device UUIDs"). */
static void uuid_of(uint64_t serial, char *buf, size_t len)
{
	unsigned char u[16];

	s5000_uuid_from_serial(serial, u);
	snprintf(buf, len, "MTGPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
		 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

FIXTURE(smi)
{
	int fd, ndev;
	char bdf[32];
	char out[1 << 16];
	struct drm_musa_device_info info;
};

FIXTURE_SETUP(smi)
{
	struct drm_musa_query q = { .query = MUSA_QUERY_DEVICE_INFO };

	ASSERT_EQ(0, find_smi()) TH_LOG("musa-smi not found beside this test");
	self->fd = musa_open_node(0, self->bdf, sizeof(self->bdf));
	ASSERT_LE(0, self->fd);
	self->ndev = device_count();
	q.size = sizeof(self->info);
	q.data = (uint64_t)(uintptr_t)&self->info;
	ASSERT_EQ(0, musa_ioctl(self->fd, DRM_IOCTL_MUSA_QUERY, &q));
}

FIXTURE_TEARDOWN(smi)
{
	close(self->fd);
}

TEST_F(smi, list_gpus)
{
	char uuid[64], want[160];

	ASSERT_EQ(0, run(self->out, sizeof(self->out), "-L")) TH_LOG("%s", self->out);
	EXPECT_EQ(self->ndev, count_lines(self->out));
	EXPECT_NE(NULL, strstr(self->out, "GPU 0: "));
	EXPECT_NE(NULL, strstr(self->out, "MTT S5000"));
	uuid_of(self->info.serial, uuid, sizeof(uuid));
	snprintf(want, sizeof(want), "GPU 0: %s (UUID: %s)\n", self->info.name, uuid);
	EXPECT_EQ(0, strncmp(self->out, want, strlen(want))) TH_LOG("got %s want %s",
								    self->out, want);
}

TEST_F(smi, query_gpu_csv_matches_driver)
{
	const char *fields = "index,name,uuid,pci.bus_id,memory.total,memory.used,memory.free,"
			     "utilization.gpu,utilization.memory,temperature.gpu,power.draw,"
			     "power.limit,clocks.sm,clocks.mem,clocks.max.sm,clocks.max.mem,"
			     "driver_version,pcie.link.gen.current,pcie.link.width.current,"
			     "ecc.errors.corrected.volatile.total,"
			     "ecc.errors.uncorrected.volatile.total,count";
	uint64_t vram = musa_param(self->fd, MUSA_PARAM_VRAM_SIZE);
	uint64_t sm_max = musa_param(self->fd, MUSA_PARAM_SM_CLOCK_MAX_MHZ);
	char args[1024], *f[64], *line;
	long total, used, freem, temp;

	snprintf(args, sizeof(args), "--query-gpu=%s --format=csv,noheader,nounits", fields);
	ASSERT_EQ(0, run(self->out, sizeof(self->out), args)) TH_LOG("%s", self->out);
	ASSERT_EQ(self->ndev, count_lines(self->out)) TH_LOG("%s", self->out);
	line = strtok(self->out, "\n");
	ASSERT_EQ(22, split(line, f, 64));
	EXPECT_STREQ("0", f[0]);
	EXPECT_STREQ(self->info.name, f[1]);
	EXPECT_EQ(0, strncmp(f[2], "MTGPU-", 6));
	EXPECT_EQ(0, strcasecmp(f[3] + 4, self->bdf)) TH_LOG("%s vs %s", f[3], self->bdf);
	total = atol(f[4]);
	used = atol(f[5]);
	freem = atol(f[6]);
	EXPECT_EQ((long)(vram >> 20), total);
	EXPECT_EQ(total, used + freem);
	EXPECT_GE(total, used);
	EXPECT_LE(atol(f[7]), 100);
	EXPECT_LE(atol(f[8]), 100);
	temp = atol(f[9]);
	EXPECT_LT(5, temp);
	EXPECT_GT(120, temp);
	EXPECT_LT(0.0, atof(f[11]));
	EXPECT_EQ((long)sm_max, atol(f[14]));
	EXPECT_NE(NULL, strchr(f[16], '.'));
	EXPECT_EQ((long)self->info.pcie_gen, atol(f[17]));
	EXPECT_EQ((long)self->info.pcie_width, atol(f[18]));
	EXPECT_EQ(self->ndev, atol(f[21]));
}

TEST_F(smi, csv_header_and_units)
{
	char *line, *f[8];

	ASSERT_EQ(0, run(self->out, sizeof(self->out),
			 "--query-gpu=index,memory.total,utilization.gpu,power.draw,clocks.sm "
			 "--format=csv"));
	ASSERT_EQ(self->ndev + 1, count_lines(self->out));
	line = strtok(self->out, "\n");
	EXPECT_STREQ("index, memory.total [MiB], utilization.gpu [%], power.draw [W], "
		     "clocks.sm [MHz]", line);
	line = strtok(NULL, "\n");
	ASSERT_EQ(5, split(line, f, 8));
	EXPECT_NE(NULL, strstr(f[1], " MiB"));
	EXPECT_NE(NULL, strstr(f[2], " %"));
	EXPECT_NE(NULL, strstr(f[3], " W"));
	EXPECT_NE(NULL, strstr(f[4], " MHz"));

	ASSERT_EQ(0, run(self->out, sizeof(self->out),
			 "--query-gpu=index,memory.total --format=csv,nounits"));
	line = strtok(self->out, "\n");
	EXPECT_STREQ("index, memory.total", line);
	ASSERT_EQ(0, run(self->out, sizeof(self->out),
			 "--query-gpu=memory.total --format=csv,noheader"));
	EXPECT_EQ(self->ndev, count_lines(self->out));
	EXPECT_NE(NULL, strstr(self->out, " MiB\n"));
}

TEST_F(smi, query_report)
{
	char uuid[64];

	ASSERT_EQ(0, run(self->out, sizeof(self->out), "-q -i 0"));
	uuid_of(self->info.serial, uuid, sizeof(uuid));
	EXPECT_NE(NULL, strstr(self->out, "Product Name"));
	EXPECT_NE(NULL, strstr(self->out, self->info.name));
	EXPECT_NE(NULL, strstr(self->out, uuid));
	EXPECT_NE(NULL, strstr(self->out, "FB Memory Usage"));
	EXPECT_NE(NULL, strstr(self->out, "GPU Current Temp"));
	EXPECT_NE(NULL, strstr(self->out, "Power Draw"));
	EXPECT_NE(NULL, strstr(self->out, "Max Clocks"));
}

TEST_F(smi, json_is_valid)
{
	char cmd[PATH_MAX + 512];

	ASSERT_EQ(0, run(self->out, sizeof(self->out), "--json"));
	EXPECT_NE(NULL, strstr(self->out, "\"Product Name\": \""));
	EXPECT_NE(NULL, strstr(self->out, "MTT S5000"));
	EXPECT_NE(NULL, strstr(self->out, "\"FB Memory Usage\""));
	if (access("/usr/bin/python3", X_OK))
		SKIP(return, "no python3 to validate the JSON");
	snprintf(cmd, sizeof(cmd), "%s -q --json | /usr/bin/python3 -c 'import json,sys; "
		 "d = json.load(sys.stdin); assert len(d[\"GPU\"]) == %d; "
		 "assert d[\"GPU\"][0][\"Index\"] == 0'", smi, self->ndev);
	EXPECT_EQ(0, system(cmd));
}

TEST_F(smi, default_table)
{
	char total[64];

	ASSERT_EQ(0, run(self->out, sizeof(self->out), ""));
	snprintf(total, sizeof(total), "/ %lluMiB",
		 (unsigned long long)(musa_param(self->fd, MUSA_PARAM_VRAM_SIZE) >> 20));
	EXPECT_NE(NULL, strstr(self->out, "MTT S5000"));
	EXPECT_NE(NULL, strstr(self->out, total));
	EXPECT_NE(NULL, strstr(self->out, "Processes:"));
}

/* A child holding a VRAM object shows in the process table and the apps query. */
TEST_F(smi, process_with_vram)
{
	const uint64_t size = 24ull << 20;
	int ready[2], hold[2];
	char c, needle[64], *line;
	int found = 0;
	pid_t child;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(hold));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		struct musa_bo bo;
		char bdf[32];
		int fd = musa_open_node(0, bdf, sizeof(bdf));

		close(ready[0]);
		close(hold[1]);
		if (fd < 0 || musa_bo_new(fd, size, MUSA_PLACEMENT_VRAM, 0, &bo))
			_exit(1);
		c = 'r';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		if (read(hold[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));

	ASSERT_EQ(0, run(self->out, sizeof(self->out),
			 "--query-compute-apps=pid,used_memory --format=csv,noheader,nounits"));
	for (line = strtok(self->out, "\n"); line; line = strtok(NULL, "\n")) {
		char *f[4];

		ASSERT_EQ(2, split(line, f, 4)) TH_LOG("%s", line);
		if (atoi(f[0]) == child) {
			found = 1;
			EXPECT_EQ((long)(size >> 20), atol(f[1]));
		}
	}
	EXPECT_TRUE(found) TH_LOG("pid %d not listed", child);

	ASSERT_EQ(0, run(self->out, sizeof(self->out), ""));
	snprintf(needle, sizeof(needle), " %d ", child);
	EXPECT_NE(NULL, strstr(self->out, needle)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "24MiB"));

	ASSERT_EQ(0, run(self->out, sizeof(self->out), "--json"));
	snprintf(needle, sizeof(needle), "\"Process ID\": %d", child);
	EXPECT_NE(NULL, strstr(self->out, needle));

	close(hold[1]);
	close(ready[0]);
	waitpid(child, NULL, 0);
}

TEST_F(smi, loop_with_count)
{
	ASSERT_EQ(0, run(self->out, sizeof(self->out),
			 "-l 1 --count 2 --query-gpu=index,memory.used --format=csv"));
	EXPECT_EQ(1 + 2 * self->ndev, count_lines(self->out)) TH_LOG("%s", self->out);
}

TEST_F(smi, select_device)
{
	char args[128];

	ASSERT_EQ(0, run(self->out, sizeof(self->out), "-i 0 -L"));
	EXPECT_EQ(1, count_lines(self->out));
	snprintf(args, sizeof(args), "-i %s -L", self->bdf);
	ASSERT_EQ(0, run(self->out, sizeof(self->out), args));
	EXPECT_EQ(0, strncmp(self->out, "GPU 0:", 6));
	EXPECT_EQ(6, run(self->out, sizeof(self->out), "-i 99 -L"));
	EXPECT_NE(NULL, strstr(self->out, "99"));
}

TEST_F(smi, errors)
{
	EXPECT_EQ(2, run(self->out, sizeof(self->out),
			 "--query-gpu=index,no.such.field --format=csv"));
	EXPECT_NE(NULL, strstr(self->out, "no.such.field"));
	EXPECT_EQ(2, run(self->out, sizeof(self->out), "--query-gpu=index"));
	EXPECT_EQ(2, run(self->out, sizeof(self->out), "--bogus"));
	EXPECT_EQ(0, run(self->out, sizeof(self->out), "-h"));
	EXPECT_NE(NULL, strstr(self->out, "--query-gpu"));
}

TEST_HARNESS_MAIN
