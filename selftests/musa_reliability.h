/* SPDX-License-Identifier: MIT */
/*
 * The figures a reliability test prints when it ends: one line
 *
 *   # reliability: test=NAME key=value key=value ...
 *
 * after the harness's totals, for the test runner to collect (docs/reliability.md
 * explains every key). The counters live in shared memory, so the harness's test
 * processes and every process they fork add to the same figures; the process that
 * started the program prints them as it exits. Keys are declared up front, in the
 * order they print: "name" sums what rel_add() adds, "name:max" keeps the largest
 * value rel_max() saw, and rel_set() overwrites either.
 */
#ifndef MUSA_RELIABILITY_H
#define MUSA_RELIABILITY_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define REL_MAX_KEYS	40

struct rel_table {
	pid_t owner;
	char test[32];
	unsigned int count;
	struct {
		char key[32];
		int is_max;
		uint64_t value;
	} c[REL_MAX_KEYS];
};

static struct rel_table *rel_table;

/* Declares the test's name and its keys ("a b c:max"), in print order. */
static inline void rel_declare(const char *test, const char *keys)
{
	char list[1024], *save = NULL, *key, *colon;

	rel_table = mmap(NULL, sizeof(*rel_table), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rel_table == MAP_FAILED) {
		rel_table = NULL;
		return;
	}
	rel_table->owner = getpid();
	snprintf(rel_table->test, sizeof(rel_table->test), "%s", test);
	snprintf(list, sizeof(list), "%s", keys);
	for (key = strtok_r(list, " ", &save); key && rel_table->count < REL_MAX_KEYS;
	     key = strtok_r(NULL, " ", &save)) {
		colon = strchr(key, ':');
		if (colon)
			*colon = '\0';
		snprintf(rel_table->c[rel_table->count].key, sizeof(rel_table->c[0].key), "%s",
			 key);
		rel_table->c[rel_table->count++].is_max = colon != NULL;
	}
}

static inline uint64_t *rel_slot(const char *key)
{
	for (unsigned int i = 0; rel_table && i < rel_table->count; i++)
		if (!strcmp(rel_table->c[i].key, key))
			return &rel_table->c[i].value;
	fprintf(stderr, "# reliability: undeclared key %s\n", key);
	return NULL;
}

static inline void rel_add(const char *key, uint64_t n)
{
	uint64_t *v = rel_slot(key);

	if (v)
		__atomic_fetch_add(v, n, __ATOMIC_RELAXED);
}

static inline void rel_max(const char *key, uint64_t value)
{
	uint64_t *v = rel_slot(key), old;

	if (!v)
		return;
	old = __atomic_load_n(v, __ATOMIC_RELAXED);
	while (old < value &&
	       !__atomic_compare_exchange_n(v, &old, value, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static inline void rel_set(const char *key, uint64_t value)
{
	uint64_t *v = rel_slot(key);

	if (v)
		__atomic_store_n(v, value, __ATOMIC_RELAXED);
}

static inline uint64_t rel_get(const char *key)
{
	uint64_t *v = rel_slot(key);

	return v ? __atomic_load_n(v, __ATOMIC_RELAXED) : 0;
}

/* A "# " line on stdout, in order with the harness's own lines (TH_LOG is stderr). */
static inline void __attribute__((format(printf, 1, 2))) rel_note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* The line itself; only the process that declared the keys prints it. */
static inline void rel_print(void)
{
	if (!rel_table || getpid() != rel_table->owner)
		return;
	printf("# reliability: test=%s", rel_table->test);
	for (unsigned int i = 0; i < rel_table->count; i++)
		printf(" %s=%llu", rel_table->c[i].key,
		       (unsigned long long)__atomic_load_n(&rel_table->c[i].value,
							   __ATOMIC_RELAXED));
	printf("\n");
	fflush(stdout);
}

/*
 * In a test file: MUSA_RELIABILITY("soak", "seconds processes kills ...") declares
 * the figures before the harness starts and prints them when the program exits.
 */
#define MUSA_RELIABILITY(test, keys)						\
	static void __attribute__((constructor)) rel_init_table(void)		\
	{									\
		rel_declare(test, keys);					\
	}									\
	static void __attribute__((destructor)) rel_print_table(void)		\
	{									\
		rel_print();							\
	}

#endif /* MUSA_RELIABILITY_H */
