// SPDX-License-Identifier: MIT
/*
 * The harnesses' device (fuzz_device.h). Where a queue ended is read under the
 * command processors' lock, from their own scheduling state: that says exactly
 * whether a queue can still move by itself, with no time-based guess.
 */
#include "fuzz_device.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"
#include "regs.h"

#define PAGE            4096ull
#define GUARD           (1ull << 20)
#define RESET_MS        2000
#define STOP_MS         1000

/* Host memory with an inaccessible guard on each side. */
static uint8_t *guarded_alloc(uint64_t size)
{
    uint8_t *p = mmap(NULL, size + 2 * GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED || mprotect(p + GUARD, size, PROT_READ | PROT_WRITE) != 0)
        fuzz_fail("crash", "cannot map %llu bytes of guest RAM", (unsigned long long)size);
    return p + GUARD;
}

void fuzz_device_init(struct fuzz_device *f, unsigned int compute_threads)
{
    struct emu_config config = {
        .vram_size = FUZZ_VRAM_SIZE, .aperture_size = FUZZ_APERTURE_SIZE,
        .num_queues = FUZZ_QUEUES, .cp_threads = 2,
        .compute_threads = compute_threads ? compute_threads : 1,
        .poll_us = 20, .serial = 0x5000f00df00d0001ull,
    };

    memset(f, 0, sizeof(*f));
    if (emu_device_init(&f->dev, &config) < 0)
        fuzz_fail("crash", "device init failed");
    f->ram = guarded_alloc(FUZZ_RAM_SIZE);
    /* As the serving thread does it for a DMA map. */
    pthread_rwlock_wrlock(&f->dev.mem.dma_lock);
    emu_dma_add(&f->dev.dma, FUZZ_RAM_BUS, FUZZ_RAM_SIZE, f->ram, PROT_READ | PROT_WRITE);
    pthread_rwlock_unlock(&f->dev.mem.dma_lock);
    fuzz_device_reset(f);
}

uint64_t fuzz_reg_read(struct fuzz_device *f, uint64_t offset, unsigned int size)
{
    uint64_t val = 0;

    emu_regs_read(&f->dev, offset, size, &val);
    return val;
}

void fuzz_reg_write(struct fuzz_device *f, uint64_t offset, unsigned int size, uint64_t val)
{
    emu_regs_write(&f->dev, offset, size, val);
}

static void start_event_ring(struct fuzz_device *f)
{
    fuzz_reg_write(f, S5000_REG_EVENT_RING_BASE, 8, FUZZ_RAM_BUS);
    fuzz_reg_write(f, S5000_REG_EVENT_WPTR_ADDR, 8, FUZZ_RAM_BUS + FUZZ_EVENT_WPTR);
    fuzz_reg_write(f, S5000_REG_EVENT_RPTR, 8, 0);
    fuzz_reg_write(f, S5000_REG_EVENT_RING_SIZE, 8, FUZZ_EVENTS);
}

void fuzz_device_reset(struct fuzz_device *f)
{
    if (!emu_device_reset(&f->dev, RESET_MS))
        fuzz_fail("hang", "a device reset did not complete within %d ms", RESET_MS);
    emu_device_service(&f->dev);
    /* Nothing runs now: the memory may change under nobody. */
    if (fallocate(f->dev.vram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
                  (off_t)FUZZ_VRAM_SIZE) != 0)
        memset(f->dev.vram, 0, FUZZ_TABLES_END);
    memset(f->ram, 0, FUZZ_RAM_SIZE);
    memset(f->root, 0, sizeof(f->root));
    f->next_table = PAGE;       /* VRAM page 0 stays unused: a zero table address is suspect */
    fuzz_reg_write(f, S5000_REG_CONTROL, 4, S5000_CONTROL_ENABLE);
    start_event_ring(f);
}

/* ------------------------------------------------------------ page tables */

uint64_t fuzz_new_table(struct fuzz_device *f)
{
    uint64_t table = f->next_table;

    if (table >= FUZZ_TABLES_END)
        fuzz_fail("crash", "harness: out of page-table pages");
    f->next_table += PAGE;
    memset(f->dev.vram + table, 0, PAGE);
    return table;
}

void fuzz_context(struct fuzz_device *f, unsigned int ctx)
{
    f->root[ctx] = fuzz_new_table(f);
    fuzz_reg_write(f, S5000_REG_CTX(ctx, S5000_CTX_PT_ROOT), 8, f->root[ctx]);
    fuzz_reg_write(f, S5000_REG_CTX(ctx, S5000_CTX_CONTROL), 4, S5000_CTX_ENABLE);
}

static uint64_t *pte_at(struct fuzz_device *f, unsigned int ctx, uint64_t va, int level)
{
    uint64_t table = f->root[ctx];

    for (int l = S5000_PT_LEVELS - 1; l > level; l--) {
        uint64_t *entry = (uint64_t *)(f->dev.vram + table) + S5000_PT_INDEX(va, l);

        if (!(*entry & S5000_PTE_VALID))
            *entry = fuzz_new_table(f) | S5000_PTE_VALID;
        table = *entry & S5000_PTE_ADDR_MASK;
    }
    return (uint64_t *)(f->dev.vram + table) + S5000_PT_INDEX(va, level);
}

void fuzz_map(struct fuzz_device *f, unsigned int ctx, uint64_t va, uint64_t addr, int level,
              uint64_t flags)
{
    uint64_t pte = addr | flags | S5000_PTE_VALID | (level ? S5000_PTE_LEAF : 0);

    __atomic_store_n(pte_at(f, ctx, va, level), pte, __ATOMIC_RELEASE);
}

void fuzz_map_range(struct fuzz_device *f, unsigned int ctx, uint64_t va, uint64_t vram,
                    uint64_t size, uint64_t flags)
{
    for (uint64_t off = 0; off < size; off += PAGE)
        fuzz_map(f, ctx, va + off, vram + off, 0, flags);
}

/* ---------------------------------------------------------------- queues */

void fuzz_queue_start(struct fuzz_device *f, struct fuzz_queue *q)
{
    unsigned int id = q->id;

    q->wptr = q->rptr_init;
    fuzz_reg_write(f, S5000_REG_QUEUE(id, S5000_QUEUE_RING_BASE), 8, q->ring_va);
    fuzz_reg_write(f, S5000_REG_QUEUE(id, S5000_QUEUE_RPTR_ADDR), 8, q->rptr_addr);
    fuzz_reg_write(f, S5000_REG_QUEUE(id, S5000_QUEUE_RPTR_INIT), 8, q->rptr_init);
    fuzz_reg_write(f, S5000_REG_QUEUE(id, S5000_QUEUE_RING_ORDER), 4, q->order);
    fuzz_reg_write(f, S5000_REG_QUEUE(id, S5000_QUEUE_CONTEXT), 4, q->ctx);
    fuzz_reg_write(f, S5000_REG_QUEUE(id, S5000_QUEUE_VECTOR), 4, 1 + id);
    fuzz_reg_write(f, S5000_REG_QUEUE(id, S5000_QUEUE_PRIORITY), 4, q->priority);
    fuzz_reg_write(f, S5000_REG_QUEUE(id, S5000_QUEUE_CONTROL), 4, S5000_QUEUE_ENABLE);
    fuzz_check(fuzz_reg_read(f, S5000_REG_QUEUE(id, S5000_QUEUE_STATUS), 4) !=
               S5000_QSTATE_DISABLED, "queue %u did not start", id);
}

void fuzz_queue_put(struct fuzz_queue *q, const void *packet)
{
    uint8_t *slot = q->ring + (q->wptr & ((1ull << q->order) - 1)) * S5000_PACKET_SIZE;
    uint32_t header;

    memcpy(&header, packet, sizeof(header));
    memcpy(slot + 4, (const uint8_t *)packet + 4, S5000_PACKET_SIZE - 4);
    __atomic_store_n((uint32_t *)slot, header, __ATOMIC_RELEASE);
    q->wptr++;
}

void fuzz_queue_kick(struct fuzz_device *f, unsigned int id)
{
    uint32_t any = 1;

    emu_device_bar0_access(&f->dev, S5000_KICK_PAGE(id), &any, sizeof(any), true);
}

void fuzz_queue_ring(struct fuzz_device *f, const struct fuzz_queue *q)
{
    struct s5000_doorbell *db = fuzz_doorbell(f, q->id);

    __atomic_store_n(&db->wptr, q->wptr, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&db->cp_sleeping, __ATOMIC_RELAXED))
        fuzz_queue_kick(f, q->id);
}

/*
 * Under the lock: whether the queue can still move without being told to. An idle or
 * parked queue whose write index moved is not: the next doorbell scan picks it up (a
 * submitter kicks only when no command processor is awake to scan).
 */
static bool queue_settled(const struct emu_queue *eq)
{
    if (eq->kick_pending)
        return false;
    if (eq->sched == EMU_SCHED_IDLE || eq->sched == EMU_SCHED_PARKED)
        return __atomic_load_n(&eq->db->wptr, __ATOMIC_ACQUIRE) == eq->seen_wptr;
    return eq->sched == EMU_SCHED_OFF;
}

static void read_end(struct fuzz_device *f, unsigned int id, struct fuzz_queue_end *end)
{
    struct s5000_doorbell *db = fuzz_doorbell(f, id);

    *end = (struct fuzz_queue_end){
        .state = __atomic_load_n(&db->state, __ATOMIC_ACQUIRE),
        .error = db->error, .kind = db->fault_kind, .access = db->fault_access,
        .rptr = __atomic_load_n(&db->rptr, __ATOMIC_ACQUIRE),
        .addr = db->fault_addr, .pc = db->fault_pc,
        .reg_state = (uint32_t)fuzz_reg_read(f, S5000_REG_QUEUE(id, S5000_QUEUE_STATUS), 4),
        .reg_error = (uint32_t)fuzz_reg_read(f, S5000_REG_QUEUE(id, S5000_QUEUE_ERROR), 4),
        .reg_rptr = fuzz_reg_read(f, S5000_REG_QUEUE(id, S5000_QUEUE_RPTR), 8),
    };
}

/*
 * Whether all n queues are settled, and if so where they ended. Under the lock no
 * worker can pick a settled queue, so what is read is one consistent picture.
 */
static bool read_settled(struct fuzz_device *f, struct fuzz_queue *const *q, unsigned int n,
                         struct fuzz_queue_end *end)
{
    bool settled = true;

    pthread_mutex_lock(&f->dev.cp.lock);
    for (unsigned int i = 0; i < n; i++)
        settled &= queue_settled(&f->dev.queue[q[i]->id]);
    for (unsigned int i = 0; settled && i < n; i++)
        read_end(f, q[i]->id, &end[i]);
    pthread_mutex_unlock(&f->dev.cp.lock);
    return settled;
}

void fuzz_queues_settle(struct fuzz_device *f, struct fuzz_queue *const *q, unsigned int n,
                        unsigned int timeout_ms, struct fuzz_queue_end *end)
{
    uint64_t deadline = fuzz_now_ms() + timeout_ms;

    while (!read_settled(f, q, n, end)) {
        if (fuzz_now_ms() > deadline)
            fuzz_fail("hang", "a queue is still busy after %u ms", timeout_ms);
        /* The serving thread's duty, which finishes resets and raises vectors. */
        emu_device_service(&f->dev);
        usleep(20);
    }
}

void fuzz_queue_reset(struct fuzz_device *f, unsigned int id)
{
    uint64_t deadline = fuzz_now_ms() + STOP_MS;

    fuzz_reg_write(f, S5000_REG_QUEUE(id, S5000_QUEUE_CONTROL), 4, S5000_QUEUE_RESET);
    while (__atomic_load_n(&fuzz_doorbell(f, id)->state, __ATOMIC_ACQUIRE) !=
           S5000_QSTATE_DISABLED) {
        if (fuzz_now_ms() > deadline)
            fuzz_fail("hang", "queue %u did not stop within %d ms of its RESET", id, STOP_MS);
        usleep(20);
    }
    fuzz_check(fuzz_doorbell(f, id)->error == S5000_ERR_NONE &&
               fuzz_reg_read(f, S5000_REG_QUEUE(id, S5000_QUEUE_ERROR), 4) == S5000_ERR_NONE,
               "queue %u: RESET did not clear its error", id);
}

const struct s5000_event *fuzz_events(struct fuzz_device *f, uint64_t *count)
{
    if (fuzz_reg_read(f, S5000_REG_EVENT_RING_SIZE, 8) != FUZZ_EVENTS)
        return NULL;
    *count = __atomic_load_n((uint64_t *)(f->ram + FUZZ_EVENT_WPTR), __ATOMIC_ACQUIRE);
    return (const struct s5000_event *)f->ram;
}

/* ---------------------------------------------------------------- checks */

static void check_error(const struct fuzz_queue *q, const struct fuzz_queue_end *end)
{
    fuzz_check(end->error >= S5000_ERR_PAGE_FAULT && end->error <= S5000_ERR_KERNEL_FAULT,
               "queue %u stopped with undefined error %u", q->id, end->error);
    fuzz_check(end->access <= S5000_ACCESS_EXEC, "queue %u: fault_access %u", q->id, end->access);
    fuzz_check(end->error != S5000_ERR_BAD_WPTR || q->bad_wptr,
               "queue %u: BAD_WPTR for write index %llu, read index %llu", q->id,
               (unsigned long long)q->wptr, (unsigned long long)end->rptr);
    if (end->error == S5000_ERR_KERNEL_FAULT)
        fuzz_check(end->kind >= S5000_KFAULT_ILLEGAL_INSTRUCTION &&
                   end->kind <= S5000_KFAULT_FETCH,
                   "queue %u: kernel fault of undefined kind %u", q->id, end->kind);
    else
        fuzz_check(end->kind == S5000_KFAULT_NONE,
                   "queue %u: error %u with a kernel fault kind %u", q->id, end->error, end->kind);
}

void fuzz_check_queue_end(const struct fuzz_queue *q,
                          const struct fuzz_queue_end *end)
{
    unsigned int id = q->id;

    fuzz_check(end->state == S5000_QSTATE_IDLE || end->state == S5000_QSTATE_WAITING ||
               end->state == S5000_QSTATE_ERROR,
               "queue %u ended in state %u", id, end->state);
    fuzz_check(end->reg_state == end->state && end->reg_error == end->error &&
               end->reg_rptr == end->rptr,
               "queue %u: registers and doorbell page disagree", id);
    /* Monotonic: the queue consumed at most what was submitted. */
    fuzz_check(end->rptr - q->rptr_init <= q->wptr - q->rptr_init,
               "queue %u: read index %llu past the write index %llu", id,
               (unsigned long long)end->rptr, (unsigned long long)q->wptr);
    if (end->state == S5000_QSTATE_ERROR)
        check_error(q, end);
    else
        fuzz_check(end->error == S5000_ERR_NONE && end->addr == 0,
                   "queue %u: state %u with error %u", id, end->state, end->error);
}
