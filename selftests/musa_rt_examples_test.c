// SPDX-License-Identifier: MIT
/*
 * musa_rt_examples_test: every program in examples/ (built into build/examples/)
 * runs and passes its own checks: one TAP line each, with the program's output as
 * diagnostics.
 *
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"

/* Runs build/examples/@name with @args (beside this program's folder); exit status. */
static int run_example(const char *name, const char *args)
{
	char self[PATH_MAX], cmd[PATH_MAX + 256], line[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	FILE *out;
	int status;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	snprintf(cmd, sizeof(cmd), "%s/../examples/%s %s 2>&1", dirname(self), name, args);
	out = popen(cmd, "r");
	if (!out)
		return -1;
	while (fgets(line, sizeof(line), out))
		printf("# %s", line);
	status = pclose(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(deviceQuery)
{
	EXPECT_EQ(0, run_example("deviceQuery", ""));
}

TEST(bandwidthTest)
{
	EXPECT_EQ(0, run_example("bandwidthTest", "--memory=both --size=16 --repeat=4"));
}

TEST(asyncAPI)
{
	EXPECT_EQ(0, run_example("asyncAPI", ""));
}

TEST(simpleStreams)
{
	EXPECT_EQ(0, run_example("simpleStreams", "4 32"));
}

TEST(eventTiming)
{
	EXPECT_EQ(0, run_example("eventTiming", ""));
}

TEST(vectorAdd)
{
	EXPECT_EQ(0, run_example("vectorAdd", ""));
}

TEST(matrixMul)
{
	EXPECT_EQ(0, run_example("matrixMul", "-wA=64 -hA=80 -wB=96 -iter=2"));
}

TEST_HARNESS_MAIN
