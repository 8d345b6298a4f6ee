/* SPDX-License-Identifier: MIT */
/*
 * musa_internal.h: libmusa's objects and the functions its files share.
 *
 * The model, bottom up:
 *   - a device (struct musa_device) is one node of musa.ko, found at initialisation;
 *   - its primary context (struct musa_ctx) is one open file of that node: a GPU
 *     address space with its memory objects, a pool of user-mode queues, streams,
 *     events, staging buffers and a pool of 8-byte signal slots;
 *   - a queue (struct musa_queue) is a ring the library writes packets into, with a
 *     fence word the device advances: every batch of packets ends with a SIGNAL of
 *     the queue's next sequence number, so "done" is fence >= seq;
 *   - a stream is a software object bound to one queue; events are (queue, seq)
 *     pairs plus a timestamp slot; cross-queue ordering is a BARRIER packet on
 *     another queue's fence;
 *   - a module (struct MUmod_st) is a code object loaded into the context's device
 *     memory, with a kernel descriptor per function (struct MUfunc_st); a launch is
 *     a KERNEL_LAUNCH packet with its arguments in the queue's kernarg ring.
 *
 * Locking: musa_state.lock (initialisation) before a context's staging_lock before
 * its lock before its module_lock (held only to walk the module list). A context's lock covers everything in it, including writing into its
 * rings; nobody sleeps on the device while holding it, except for room in a ring.
 */
#ifndef MUSA_INTERNAL_H
#define MUSA_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "musa.h"
#include "musa_runtime.h"
#include "musa_drm.h"
#include "s5000.h"

#define MUSA_EXPORT __attribute__((visibility("default")))

#define MUSA_MAX_DEVICES	16
#define MUSA_HW_PRIORITIES	(S5000_QUEUE_PRIORITY_MAX + 1)
#define MUSA_MAX_CONNECTIONS	8
#define MUSA_MAX_QUEUES		(MUSA_HW_PRIORITIES * MUSA_MAX_CONNECTIONS)
#define MUSA_RING_ORDER		10
#define MUSA_STAGING_BYTES	(4u << 20)
#define MUSA_SLOTS_PER_CHUNK	512
#define MUSA_DEVICE_VA_START	(1ull << 47)	/* MUSA_PARAM_VA_START */
#define MUSA_DEVICE_VA_END	((1ull << 48) - (1ull << 30))	/* MUSA_PARAM_VA_END */
#define MUSA_DEVICE_VA_WINDOW	(1ull << 43)	/* per device (ordinal) */
#define MUSA_PAGE_SIZE		4096ull
#define MUSA_DETAIL_LEN		512
#define MUSA_MAX_KERNARG_BYTES	32764		/* CUDA's limit for a kernel's parameters */
#define MUSA_KERNARG_RING_BYTES	(256u << 10)	/* per queue */
#define MUSA_DEFAULT_SHARED	(48u << 10)	/* dynamic shared memory without opt-in */
#define MUSA_THREAD_REGS	64		/* x0-x31 and f0-f31 */

#define MUSA_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ small lists */

struct musa_list {
	struct musa_list *prev, *next;
};

static inline void musa_list_init(struct musa_list *l)
{
	l->prev = l->next = l;
}

static inline void musa_list_add(struct musa_list *l, struct musa_list *item)
{
	item->prev = l->prev;
	item->next = l;
	l->prev->next = item;
	l->prev = item;
}

static inline void musa_list_del(struct musa_list *item)
{
	item->prev->next = item->next;
	item->next->prev = item->prev;
	musa_list_init(item);
}

#define musa_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define musa_list_for_each(pos, head) \
	for (struct musa_list *pos = (head)->next, *pos##_next = pos->next; pos != (head); \
	     pos = pos##_next, pos##_next = pos->next)

/* ---------------------------------------------------------------- objects */

/* A memory object of the context, mapped for the CPU where that is possible. */
struct musa_bo {
	uint32_t handle;
	uint64_t va;		/* GPU VA */
	void *cpu;		/* CPU mapping, or NULL */
	size_t size;
};

/* An 8-byte word in memory that both the CPU and the device reach. */
struct musa_slot {
	volatile uint64_t *cpu;
	uint64_t va;
};

struct musa_slot_chunk {
	struct musa_slot_chunk *next;
	struct musa_bo bo;
};

/* A slot given back, reusable once @q has passed @seq (the device may still write it). */
struct musa_slot_release {
	struct musa_slot slot;
	struct musa_queue *q;
	uint64_t seq;
};

struct musa_slot_pool {
	struct musa_slot_chunk *chunks;
	struct musa_slot *free;
	int nfree, free_cap, total;
	struct musa_slot_release *pending;
	int npending, pending_cap;
};

/* A launch's argument buffer the device may still read: the ring's bytes up to @end. */
struct musa_kernarg_use {
	uint64_t end;
	uint64_t seq;
};

/* Argument buffers of kernel launches: a ring of pinned memory per queue. */
struct musa_kernarg_ring {
	struct musa_bo bo;
	uint64_t head;			/* bytes handed out, ever */
	uint64_t tail;			/* bytes the device is done with, ever */
	struct musa_kernarg_use *uses;	/* in flight, oldest first (a ring of queue size) */
	uint32_t first, count;
};

struct musa_queue {
	struct musa_ctx *ctx;
	uint32_t id;			/* the driver's queue id in this file */
	uint32_t doorbell_handle;
	int priority;			/* device priority, 0 (low) .. 3 */
	uint32_t size;			/* packets in the ring */
	struct musa_bo bo;		/* ring | read index | fence */
	uint8_t *ring;
	volatile uint64_t *rptr;
	volatile uint64_t *fence;
	uint64_t fence_va;
	struct s5000_doorbell *db;	/* doorbell/status page */
	volatile uint32_t *kick;
	uint64_t wptr;			/* packets written */
	uint64_t seq;			/* last fence value written */
	uint64_t blocking_seq;		/* last batch of a blocking stream */
	uint64_t rptr_va;
	int nstreams;
	int *slot_stream;		/* per ring slot: the stream that wrote it */
	struct musa_kernarg_ring kernarg;
};

struct MUstream_st {
	struct musa_ctx *ctx;
	struct musa_list link;
	unsigned int flags;		/* musaStream* */
	int priority;			/* 0 (least) .. -3 */
	int id;				/* 0 is the legacy stream */
	bool per_thread;
	struct musa_queue *q;		/* NULL until its first work */
	uint64_t last_seq;		/* its last batch on q */
	uint64_t legacy_seen;		/* legacy batch it already waits for */
};

struct MUevent_st {
	struct musa_ctx *ctx;
	struct musa_list link;
	unsigned int flags;		/* musaEvent* */
	struct musa_queue *q;		/* NULL until recorded */
	uint64_t seq;
	struct musa_slot ts;		/* timestamp of the last record */
	bool has_ts;
};

enum musa_alloc_kind {
	MUSA_ALLOC_DEVICE,		/* musaMalloc: VRAM */
	MUSA_ALLOC_HOST,		/* musaMallocHost: system memory at its CPU address */
	MUSA_ALLOC_REGISTERED,		/* musaHostRegister: the user's pages */
};

struct musa_alloc {
	uint64_t base;			/* the address the user sees */
	uint64_t size;			/* bytes the user asked for */
	enum musa_alloc_kind kind;
	unsigned int flags;		/* musaHostAlloc* / musaHostRegister* */
	struct musa_bo bo;		/* for HOST, bo.cpu == base */
	bool internal;			/* the library's (a module's image), not the user's */
};

/* A host function waiting for its turn (musaLaunchHostFunc). */
struct musa_callback {
	struct musa_callback *next;
	struct musa_queue *q;
	uint64_t ready_seq;		/* run once q's fence reaches it */
	uint64_t done_seq;		/* q passed the gate */
	struct musa_slot gate;		/* the queue waits for the CPU to write 1 here */
	musaHostFn_t fn;
	musaStreamCallback_t stream_cb;
	musaStream_t stream;
	void *data;
};

/* A kernel of a code object, from its .musa.kernels record (addresses as linked). */
struct musa_kernel_meta {
	char *name;
	uint64_t entry;
	struct s5000_kernel_param *params;
	uint32_t num_params;
	uint32_t kernarg_size, kernarg_align;
	uint32_t static_shared, stack_size, max_threads;
};

/* A function or variable a code object defines; @name is an offset into its file. */
struct musa_symbol {
	size_t name;
	uint64_t value, size;
	bool func;
};

struct musa_reloc {
	uint64_t offset;		/* in the span */
	int64_t addend;
};

/* A code object read and checked in host memory (elf.c). */
struct musa_image {
	void *file;
	size_t file_size;
	uint8_t *span;			/* the loadable segments as linked, from span_start */
	uint64_t span_start, span_size, align;
	uint64_t code_start, code_size;	/* the executable segment */
	struct musa_reloc *relocs;
	size_t nrelocs;
	struct musa_kernel_meta *kernels;
	size_t nkernels;
	struct musa_symbol *symbols;	/* sorted by value */
	size_t nsymbols;
};

struct MUfunc_st {
	struct MUmod_st *mod;
	const struct musa_kernel_meta *meta;
	uint64_t desc_va;		/* its struct s5000_kernel_desc */
	int max_dynamic_shared;		/* MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES */
	int carveout;			/* MU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT */
};

/* A loaded code object: its image in device memory, descriptors after it. */
struct MUmod_st {
	struct musa_ctx *ctx;
	struct musa_list link;
	char name[64];			/* the file's name, for fault reports */
	uint64_t va, size;		/* the device memory */
	uint64_t bias;			/* device address of link address 0 */
	struct musa_image img;
	struct MUfunc_st *funcs;	/* one per kernel */
};

struct musa_staging {
	struct musa_bo bo;
	struct musa_queue *q;		/* last use: done when q passes seq */
	uint64_t seq;
};

struct musa_ctx {
	struct musa_device *dev;
	pthread_mutex_t lock;
	int fd;
	bool active;			/* opened, with resources */
	bool runtime_used;		/* the runtime API works in it */
	int retained;			/* muDevicePrimaryCtxRetain references */
	unsigned int flags;		/* MU_CTX_* / musaDevice* */

	struct musa_queue *queues[MUSA_MAX_QUEUES];
	int nqueues;			/* written under lock, read without */

	struct MUstream_st legacy;
	struct musa_list streams;
	struct musa_list events;
	int next_stream_id;

	struct musa_alloc **allocs;	/* sorted by base */
	int nallocs, allocs_cap;

	pthread_mutex_t staging_lock;
	struct musa_staging staging[2];

	struct musa_slot_pool slots;

	pthread_mutex_t module_lock;	/* innermost: only for the list */
	struct musa_list modules;

	pthread_t cb_thread;
	bool cb_running, cb_stop;
	pthread_cond_t cb_cond;
	struct musa_callback *cb_head, **cb_tail;
};

struct musa_device {
	int ordinal;
	char node[64];			/* /dev/accel/accelN or /dev/dri/renderDN */
	char bdf[32];			/* dddd:bb:dd.f */
	struct drm_musa_device_info info;
	uint64_t uapi_version, caps, vram_size, ts_freq, compute_units;
	uint64_t sm_clock_mhz, mem_clock_mhz, mem_bus_width, num_queues;
	int driver_version;		/* musa.ko's, 1000 * major + 10 * minor */
	unsigned char uuid[16];
	pthread_mutex_t sticky_lock;
	int sticky;			/* musaError_t of a device fault, 0 if none */
	char sticky_detail[MUSA_DETAIL_LEN];
	struct musa_ctx ctx;		/* the primary context */
};

/* Per host thread. */
struct musa_thread {
	musaError_t last_error;
	char detail[MUSA_DETAIL_LEN];
	unsigned long generation;	/* of musa_state when the fields below were set */
	struct musa_ctx *current;
	int device;
	struct MUstream_st *per_thread[MUSA_MAX_DEVICES];
};

struct musa_config {
	int log_level;			/* MUSA_LOG_* */
	bool log_packets;
	bool launch_blocking;
	int max_connections;
	uint32_t kernel_timeout_ms;	/* MUSA_KERNEL_TIMEOUT_MS, 0: the device's */
};

enum {
	MUSA_LOG_OFF,
	MUSA_LOG_ERROR,
	MUSA_LOG_WARN,
	MUSA_LOG_INFO,
	MUSA_LOG_DEBUG,
};

/* How a host thread waits for the device. */
enum musa_wait_mode {
	MUSA_WAIT_AUTO,			/* spin briefly, then sleep in the driver */
	MUSA_WAIT_SPIN,
	MUSA_WAIT_YIELD,
	MUSA_WAIT_BLOCK,		/* sleep at once */
};

/* An ordering dependency: q's fence must reach seq. */
struct musa_dep {
	struct musa_queue *q;
	uint64_t seq;
};

/* Packets being written into a stream's queue (ctx->lock held from begin to end). */
struct musa_batch {
	struct MUstream_st *s;
	struct musa_queue *q;
	uint64_t seq;
};

extern struct musa_config musa_config;
extern __thread struct musa_thread musa_tls;

/* error.c */
musaError_t musa_fail(musaError_t err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void musa_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void musa_log_packet(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void musa_log_open(const char *spec, const char *file);
musaError_t musa_rt_return(musaError_t err, const char *func);
MUresult musa_drv_return(musaError_t err, const char *func);
musaError_t musa_errno_error(int err, musaError_t fallback);

/* init.c */
musaError_t musa_init(void);
musaError_t musa_drv_init_check(void);
int musa_device_count(void);
struct musa_device *musa_device_get(int ordinal);
musaError_t musa_device_lookup(int ordinal, struct musa_device **dev);
musaError_t musa_rt_enter(struct musa_ctx **ctx);
musaError_t musa_drv_enter(struct musa_ctx **ctx);
void musa_thread_sync_generation(void);

/* drm.c */
int musa_drm_ioctl(int fd, unsigned long request, void *arg);
int musa_drm_get_param(int fd, uint32_t param, uint64_t *value);
int musa_drm_bo_create(int fd, uint64_t size, uint32_t placement, uint32_t flags, uint64_t va,
		       struct musa_bo *bo);
int musa_drm_bo_map(int fd, struct musa_bo *bo);
void musa_drm_bo_free(int fd, struct musa_bo *bo);
int musa_drm_bo_bind_at(int fd, uint32_t handle, uint64_t va);
int musa_drm_bo_userptr(int fd, uint64_t ptr, uint64_t size, uint32_t flags, uint32_t *handle);
int musa_drm_gem_close(int fd, uint32_t handle);
int musa_drm_queue_create(int fd, uint64_t ring_va, uint64_t rptr_va, uint32_t order,
			  uint32_t priority, uint32_t *id, uint32_t *doorbell);
int musa_drm_queue_destroy(int fd, uint32_t id);
int musa_drm_queue_state(int fd, uint32_t id, struct drm_musa_queue_state *st);
int musa_drm_wait(int fd, uint32_t queue, uint64_t addr, uint64_t value, uint32_t cond,
		  int64_t deadline_ns);
int musa_drm_enumerate(struct musa_device **devices, int max, char *why, size_t len);
uint64_t musa_now_ns(void);

/* context.c */
musaError_t musa_ctx_use(struct musa_ctx *ctx);
void musa_ctx_init(struct musa_ctx *ctx, struct musa_device *dev);
void musa_ctx_teardown(struct musa_ctx *ctx);
void musa_ctx_forget(struct musa_ctx *ctx);
musaError_t musa_ctx_check(struct musa_ctx *ctx);
musaError_t musa_ctx_fault(struct musa_ctx *ctx, struct musa_queue *q, int ioctl_ret);
musaError_t musa_ctx_synchronize(struct musa_ctx *ctx);
musaError_t musa_sticky(struct musa_device *dev);
enum musa_wait_mode musa_ctx_wait_mode(struct musa_ctx *ctx);

/* queue.c */
musaError_t musa_queue_create(struct musa_ctx *ctx, int priority, struct musa_queue **out);
void musa_queue_destroy(struct musa_queue *q, bool ioctls);
musaError_t musa_queue_reserve(struct musa_queue *q, uint32_t packets);
void musa_queue_emit(struct musa_queue *q, const void *packet, int stream_id);
uint64_t musa_queue_fence(struct musa_queue *q, int stream_id);
void musa_queue_commit(struct musa_queue *q);
void musa_queue_kick(struct musa_queue *q);
bool musa_queue_done(struct musa_queue *q, uint64_t seq);
bool musa_queue_failed(struct musa_queue *q);
musaError_t musa_queue_wait(struct musa_queue *q, uint64_t seq, enum musa_wait_mode mode);
void musa_packet_describe(const void *packet, char *buf, size_t len);

/* slots.c */
musaError_t musa_slot_alloc(struct musa_ctx *ctx, struct musa_slot *slot);
void musa_slot_release(struct musa_ctx *ctx, struct musa_slot slot, struct musa_queue *q,
		       uint64_t seq);
void musa_slots_free(struct musa_ctx *ctx, bool ioctls);

/* stream.c */
musaError_t musa_stream_resolve(struct musa_ctx *ctx, musaStream_t handle,
				struct MUstream_st **s);
musaError_t musa_stream_create(struct musa_ctx *ctx, unsigned int flags, int priority,
			       struct MUstream_st **out);
void musa_stream_free(struct MUstream_st *s);
musaError_t musa_stream_synchronize(struct MUstream_st *s);
musaError_t musa_batch_begin(struct musa_batch *b, struct MUstream_st *s,
			     const struct musa_dep *extra, int nextra);
void musa_batch_emit(struct musa_batch *b, const void *packet);
uint64_t musa_batch_fence(struct musa_batch *b);
musaError_t musa_batch_end(struct musa_batch *b);
void musa_batch_close(struct musa_batch *b);
musaError_t musa_batch_unlock(struct musa_batch *b);
musaError_t musa_host_func(struct MUstream_st *s, musaHostFn_t fn, musaStreamCallback_t cb,
			   musaStream_t handle, void *data);
void musa_callbacks_stop(struct musa_ctx *ctx);
void musa_thread_exit_streams(struct musa_thread *t);

/* event.c */
void musa_event_free(struct MUevent_st *e);

/* memory.c */
struct musa_alloc *musa_alloc_find(struct musa_ctx *ctx, uint64_t addr);
void musa_allocs_free(struct musa_ctx *ctx, bool ioctls);
musaError_t musa_mem_alloc_device(struct musa_ctx *ctx, size_t size, bool internal,
				  uint64_t *va);
musaError_t musa_mem_free_device(struct musa_ctx *ctx, uint64_t va, bool internal,
				 const char *what);
musaError_t musa_mem_alloc_host(struct musa_ctx *ctx, size_t size, unsigned int flags,
				void **ptr);
musaError_t musa_mem_free_host(struct musa_ctx *ctx, void *ptr);
musaError_t musa_mem_register(struct musa_ctx *ctx, void *ptr, size_t size, unsigned int flags);
musaError_t musa_mem_unregister(struct musa_ctx *ctx, void *ptr);
musaError_t musa_mem_get_info(struct musa_ctx *ctx, size_t *free, size_t *total);
musaError_t musa_bo_new_mapped(struct musa_ctx *ctx, size_t size, struct musa_bo *bo);

/* copy.c */
void musa_staging_free(struct musa_ctx *ctx, bool ioctls);
musaError_t musa_copy_to_device(struct MUstream_st *s, uint64_t dst, const void *src,
				size_t count);

/* elf.c */
musaError_t musa_elf_copy_in(const void *image, void **copy, size_t *size);
musaError_t musa_elf_load(void *data, size_t size, struct musa_image *img);
void musa_elf_relocate(struct musa_image *img, uint64_t bias);
void musa_elf_free(struct musa_image *img);
const struct musa_symbol *musa_elf_symbol_at(const struct musa_image *img, uint64_t vaddr);
const struct musa_symbol *musa_elf_symbol(const struct musa_image *img, const char *name,
					  bool func);

static inline const char *musa_symbol_name(const struct musa_image *img,
					   const struct musa_symbol *s)
{
	return (const char *)img->file + s->name;
}

/* module.c */
musaError_t musa_func_resolve(struct musa_ctx *ctx, const void *handle, musaError_t missing,
			      struct MUfunc_st **f);
void musa_module_describe(struct musa_ctx *ctx, uint64_t desc_va, uint64_t pc, char *kernel,
			  size_t klen, char *where, size_t wlen);
void musa_modules_free(struct musa_ctx *ctx);

/* kernarg.c */
musaError_t musa_kernarg_alloc(struct musa_queue *q, uint32_t size, uint32_t align, void **cpu,
			       uint64_t *va);
void musa_kernarg_commit(struct musa_queue *q, uint64_t seq);
void musa_kernarg_free(struct musa_queue *q, bool ioctls);

/* device.c */
void musa_device_props(const struct musa_device *dev, struct musaDeviceProp *p);
musaError_t musa_device_attribute(const struct musa_device *dev, int attr, int *value);
void musa_uuid_string(const unsigned char uuid[16], char *buf, size_t len);

#endif /* MUSA_INTERNAL_H */
