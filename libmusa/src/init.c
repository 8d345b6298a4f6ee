// SPDX-License-Identifier: MIT
/*
 * init.c: finding the devices once per process (honouring MUSA_VISIBLE_DEVICES and
 * the other environment switches), the entry points' way into a context, and what
 * a fork does: the child forgets everything the parent opened, and its first call
 * starts over with devices and contexts of its own.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "musa_internal.h"

struct musa_state {
	pthread_mutex_t lock;
	bool initialised;		/* devices found (or failed to be) */
	bool driver_initialised;	/* muInit succeeded, or the runtime API was used */
	musaError_t init_error;
	char init_detail[MUSA_DETAIL_LEN];
	int ndevices;
	struct musa_device *devices[MUSA_MAX_DEVICES];
	unsigned long generation;	/* bumped in a forked child */
};

static struct musa_state musa_state = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.generation = 1,
};
static pthread_once_t musa_once = PTHREAD_ONCE_INIT;
static pthread_key_t musa_thread_key;
extern pthread_mutex_t musa_log_lock;

/* ------------------------------------------------------------ environment */

static bool musa_env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

/* MUSA_KERNEL_TIMEOUT_MS: milliseconds, 1 to 2^32 - 1; else the device's default. */
static uint32_t musa_env_timeout(void)
{
	const char *v = getenv("MUSA_KERNEL_TIMEOUT_MS");
	unsigned long long ms;
	char *end;

	if (!v || !*v)
		return 0;
	ms = strtoull(v, &end, 10);
	if (*end || !ms || ms > UINT32_MAX || *v == '-') {
		musa_log(MUSA_LOG_WARN, "MUSA_KERNEL_TIMEOUT_MS=%s is not a number of milliseconds "
			 "(1-%u); using the device's %u", v, UINT32_MAX, S5000_KERNEL_TIMEOUT_MS);
		return 0;
	}
	return (uint32_t)ms;
}

static void musa_read_environment(void)
{
	const char *v = getenv("MUSA_DEVICE_MAX_CONNECTIONS");

	musa_log_open(getenv("MUSA_LOG"), getenv("MUSA_LOG_FILE"));
	musa_config.launch_blocking = musa_env_flag("MUSA_LAUNCH_BLOCKING");
	musa_config.kernel_timeout_ms = musa_env_timeout();
	musa_config.max_connections = 4;
	if (v && *v) {
		int n = atoi(v);

		if (n >= 1 && n <= MUSA_MAX_CONNECTIONS)
			musa_config.max_connections = n;
		else
			musa_log(MUSA_LOG_WARN, "MUSA_DEVICE_MAX_CONNECTIONS=%s is not 1..%d; using 4",
				 v, MUSA_MAX_CONNECTIONS);
	}
}

/* The device an entry of MUSA_VISIBLE_DEVICES names: an ordinal or a UUID prefix. */
static int musa_visible_match(const char *entry, struct musa_device **all, int n)
{
	char uuid[64], *end;
	int found = -1;
	long i;

	if (!*entry)
		return -1;
	i = strtol(entry, &end, 10);
	if (isdigit((unsigned char)entry[0]) && !*end)
		return i < n ? (int)i : -1;
	for (int k = 0; k < n; k++) {
		musa_uuid_string(all[k]->uuid, uuid, sizeof(uuid));
		if (strncasecmp(uuid, entry, strlen(entry)) &&
		    strncasecmp(uuid + 6, entry, strlen(entry)))
			continue;
		if (found >= 0)
			return -1;	/* ambiguous */
		found = k;
	}
	return found;
}

/*
 * Keeps the devices MUSA_VISIBLE_DEVICES names, in its order. As with CUDA, the
 * list ends at the first entry that names no device or one already listed.
 */
static int musa_visible_filter(struct musa_device **all, int n, struct musa_device **out)
{
	const char *spec = getenv("MUSA_VISIBLE_DEVICES");
	bool taken[MUSA_MAX_DEVICES] = { false };
	char buf[512], *entry, *save = NULL;
	int count = 0;

	if (!spec) {
		memcpy(out, all, n * sizeof(*all));
		return n;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	for (entry = strtok_r(buf, ",", &save); entry; entry = strtok_r(NULL, ",", &save)) {
		int i;

		while (isspace((unsigned char)*entry))
			entry++;
		for (char *e = entry + strlen(entry); e > entry && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		i = musa_visible_match(entry, all, n);
		if (i < 0 || taken[i]) {
			musa_log(MUSA_LOG_WARN, "MUSA_VISIBLE_DEVICES: '%s' names no further device; "
				 "the list ends there", entry);
			break;
		}
		taken[i] = true;
		out[count++] = all[i];
	}
	for (int i = 0; i < n; i++)
		if (!taken[i])
			free(all[i]);
	return count;
}

static void musa_set_init_error(musaError_t err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void musa_set_init_error(musaError_t err, const char *fmt, ...)
{
	va_list ap;

	musa_state.init_error = err;
	va_start(ap, fmt);
	vsnprintf(musa_state.init_detail, sizeof(musa_state.init_detail), fmt, ap);
	va_end(ap);
}

static void musa_discover(void)
{
	struct musa_device *all[MUSA_MAX_DEVICES];
	char why[256] = "";
	int n;

	musa_read_environment();
	n = musa_drm_enumerate(all, MUSA_MAX_DEVICES, why, sizeof(why));
	if (n < 0) {
		musa_set_init_error(n == -ENODEV ? musaErrorInsufficientDriver :
				    musaErrorInitializationError, "%s", why);
		return;
	}
	for (int i = 0; i < n; i++)
		s5000_uuid_from_serial(all[i]->info.serial, all[i]->uuid);
	musa_state.ndevices = musa_visible_filter(all, n, musa_state.devices);
	for (int i = 0; i < musa_state.ndevices; i++) {
		struct musa_device *dev = musa_state.devices[i];
		char uuid[64];

		dev->ordinal = i;
		pthread_mutex_init(&dev->sticky_lock, NULL);
		musa_ctx_init(&dev->ctx, dev);
		musa_uuid_string(dev->uuid, uuid, sizeof(uuid));
		musa_log(MUSA_LOG_INFO, "device %d: %s at %s (%s), %llu MiB, %s", i,
			 dev->info.name, dev->bdf, dev->node,
			 (unsigned long long)(dev->vram_size >> 20), uuid);
		if (dev->uapi_version < MUSA_UAPI_VERSION) {
			musa_set_init_error(musaErrorInsufficientDriver,
					    "musa.ko at %s speaks ioctl ABI version %llu; libmusa "
					    "needs version %d", dev->bdf,
					    (unsigned long long)dev->uapi_version,
					    MUSA_UAPI_VERSION);
			return;
		}
	}
	if (!n)
		musa_set_init_error(musaErrorNoDevice, "musa.ko is loaded but drives no device");
	else if (!musa_state.ndevices)
		musa_set_init_error(musaErrorNoDevice,
				    "MUSA_VISIBLE_DEVICES=\"%s\" selects none of the %d device(s)",
				    getenv("MUSA_VISIBLE_DEVICES"), n);
}

/* ------------------------------------------------------------------ fork */

static void musa_atfork_prepare(void)
{
	pthread_mutex_lock(&musa_state.lock);
	for (int i = 0; i < musa_state.ndevices; i++) {
		pthread_mutex_lock(&musa_state.devices[i]->ctx.staging_lock);
		pthread_mutex_lock(&musa_state.devices[i]->ctx.lock);
		pthread_mutex_lock(&musa_state.devices[i]->ctx.module_lock);
	}
	pthread_mutex_lock(&musa_log_lock);
}

static void musa_atfork_parent(void)
{
	pthread_mutex_unlock(&musa_log_lock);
	for (int i = musa_state.ndevices - 1; i >= 0; i--) {
		pthread_mutex_unlock(&musa_state.devices[i]->ctx.module_lock);
		pthread_mutex_unlock(&musa_state.devices[i]->ctx.lock);
		pthread_mutex_unlock(&musa_state.devices[i]->ctx.staging_lock);
	}
	pthread_mutex_unlock(&musa_state.lock);
}

/*
 * The child has the parent's file descriptors but none of its mappings (they are
 * MADV_DONTFORK) nor its threads: close the descriptors, free the bookkeeping and
 * start again on the next call.
 */
static void musa_atfork_child(void)
{
	pthread_mutex_init(&musa_log_lock, NULL);
	for (int i = 0; i < musa_state.ndevices; i++) {
		musa_ctx_forget(&musa_state.devices[i]->ctx);
		free(musa_state.devices[i]);
		musa_state.devices[i] = NULL;
	}
	musa_state.ndevices = 0;
	musa_state.initialised = false;
	musa_state.init_error = musaSuccess;
	musa_state.generation++;
	pthread_mutex_init(&musa_state.lock, NULL);
}

/* A thread that used libmusa ends: its per-thread default streams go. */
static void musa_thread_exit(void *arg)
{
	struct musa_thread *t = arg;

	if (t->generation == musa_state.generation)
		musa_thread_exit_streams(t);
}

static void musa_setup(void)
{
	pthread_atfork(musa_atfork_prepare, musa_atfork_parent, musa_atfork_child);
	pthread_key_create(&musa_thread_key, musa_thread_exit);
}

/* --------------------------------------------------------------- entries */

void musa_thread_sync_generation(void)
{
	if (musa_tls.generation == musa_state.generation)
		return;
	musa_tls.generation = musa_state.generation;
	musa_tls.current = NULL;
	musa_tls.device = 0;
	memset(musa_tls.per_thread, 0, sizeof(musa_tls.per_thread));
	pthread_once(&musa_once, musa_setup);
	pthread_setspecific(musa_thread_key, &musa_tls);
}

musaError_t musa_init(void)
{
	musaError_t err;

	pthread_once(&musa_once, musa_setup);
	pthread_mutex_lock(&musa_state.lock);
	if (!musa_state.initialised) {
		musa_discover();
		musa_state.initialised = true;
	}
	err = musa_state.init_error;
	if (err)
		musa_fail(err, "%s", musa_state.init_detail);
	pthread_mutex_unlock(&musa_state.lock);
	musa_thread_sync_generation();
	return err;
}

int musa_device_count(void)
{
	return musa_state.ndevices;
}

struct musa_device *musa_device_get(int ordinal)
{
	return ordinal >= 0 && ordinal < musa_state.ndevices ? musa_state.devices[ordinal] : NULL;
}

musaError_t musa_device_lookup(int ordinal, struct musa_device **dev)
{
	musaError_t err = musa_init();

	if (err)
		return err;
	*dev = musa_device_get(ordinal);
	if (!*dev)
		return musa_fail(musaErrorInvalidDevice, "device %d does not exist: %d device(s) "
				 "visible", ordinal, musa_state.ndevices);
	return musaSuccess;
}

/* The context the runtime API works in: the current one, else the current device's. */
musaError_t musa_rt_enter(struct musa_ctx **ctx)
{
	musaError_t err = musa_init();
	struct musa_device *dev;

	if (err)
		return err;
	musa_state.driver_initialised = true;
	if (!musa_tls.current) {
		dev = musa_device_get(musa_tls.device);
		if (!dev)
			return musa_fail(musaErrorInvalidDevice, "the current device %d is gone",
					 musa_tls.device);
		musa_tls.current = &dev->ctx;
	}
	*ctx = musa_tls.current;
	(*ctx)->runtime_used = true;
	return musa_ctx_use(*ctx);
}

/* muInit must have succeeded; the checks every driver API call starts with. */
musaError_t musa_drv_init_check(void)
{
	if (!musa_state.driver_initialised)
		return musa_fail(musaErrorInitializationError, "muInit(0) has not been called");
	return musa_init();
}

/* The driver API works in the calling thread's current context. */
musaError_t musa_drv_enter(struct musa_ctx **ctx)
{
	musaError_t err = musa_drv_init_check();

	if (err)
		return err;
	if (!musa_tls.current)
		return musa_fail(musaErrorDeviceUninitialized, "no current context on this thread "
				 "(muDevicePrimaryCtxRetain and muCtxSetCurrent make one current)");
	*ctx = musa_tls.current;
	return musa_ctx_use(*ctx);
}

MUSA_EXPORT MUresult muInit(unsigned int Flags)
{
	musaError_t err = musaSuccess;

	if (Flags)
		err = musa_fail(musaErrorInvalidValue, "muInit: flags 0x%x: must be 0", Flags);
	else
		err = musa_init();
	if (!err)
		musa_state.driver_initialised = true;
	return musa_drv_return(err, __func__);
}
