// SPDX-License-Identifier: MIT
#include "gpu.h"

#include <stdio.h>
#include <string.h>

void gpu_init(struct gpu *g, struct client *c)
{
    memset(g, 0, sizeof(*g));
    g->c = c;
    g->next_table = S5000_PAGE_SIZE;
    wr32(c, S5000_REG_CONTROL, S5000_CONTROL_ENABLE);
}

uint64_t gpu_ram_alloc(struct gpu *g, uint64_t size)
{
    uint64_t offset = g->ram_next;

    g->ram_next = (offset + size + S5000_PAGE_SIZE - 1) & ~(uint64_t)(S5000_PAGE_SIZE - 1);
    if (g->ram_next > g->c->ram_size) {
        printf("# guest RAM exhausted\n");
        g->ram_next = offset;
        return 0;
    }
    memset(g->c->ram + offset, 0, size);
    return offset;
}

void *gpu_ram(struct gpu *g, uint64_t offset)
{
    return g->c->ram + offset;
}

void *gpu_vram(struct gpu *g, uint64_t offset)
{
    return g->c->bar2 + offset;
}

/* ---------------------------------------------------------- page tables */

static uint64_t *entry(struct gpu *g, uint64_t table, uint64_t va, int level)
{
    return (uint64_t *)(g->c->bar2 + table) + S5000_PT_INDEX(va, level);
}

static uint64_t new_table(struct gpu *g)
{
    uint64_t table = g->next_table;

    if (table + S5000_PAGE_SIZE > GPU_TABLES_END) {
        printf("# out of page-table space\n");
        return 0;
    }
    g->next_table += S5000_PAGE_SIZE;
    memset(g->c->bar2 + table, 0, S5000_PAGE_SIZE);
    return table;
}

/* The table at level - 1 under an entry at level, made if missing. */
static uint64_t next_level(struct gpu *g, uint64_t table, uint64_t va, int level)
{
    uint64_t *e = entry(g, table, va, level);

    if (!(*e & S5000_PTE_VALID))
        *e = new_table(g) | S5000_PTE_VALID;
    return *e & S5000_PTE_ADDR_MASK;
}

static uint64_t root_of(struct gpu *g, unsigned int ctx)
{
    return rd64(g->c, S5000_REG_CTX(ctx, S5000_CTX_PT_ROOT));
}

static uint64_t *leaf_entry(struct gpu *g, unsigned int ctx, uint64_t va, int leaf_level)
{
    uint64_t table = root_of(g, ctx);

    for (int level = S5000_PT_LEVELS - 1; level > leaf_level; level--)
        table = next_level(g, table, va, level);
    return entry(g, table, va, leaf_level);
}

void gpu_map(struct gpu *g, unsigned int ctx, uint64_t va, uint64_t addr, uint64_t size,
             uint64_t flags, unsigned int page_shift)
{
    int level = page_shift == 21 ? 1 : 0;
    uint64_t page = 1ull << page_shift;
    uint64_t table = 0, last = UINT64_MAX;

    for (uint64_t done = 0; done < size; done += page) {
        uint64_t v = va + done;

        /* One walk per leaf table, not per page. */
        if ((v >> S5000_PT_SHIFT(level + 1)) != last) {
            table = root_of(g, ctx);
            for (int l = S5000_PT_LEVELS - 1; l > level; l--)
                table = next_level(g, table, v, l);
            last = v >> S5000_PT_SHIFT(level + 1);
        }
        *entry(g, table, v, level) = (addr + done) | flags | S5000_PTE_VALID |
                                     (level ? S5000_PTE_LEAF : 0);
    }
}

void gpu_unmap(struct gpu *g, unsigned int ctx, uint64_t va)
{
    uint64_t *e = leaf_entry(g, ctx, va, 0);

    *e = 0;
}

void gpu_context(struct gpu *g, unsigned int ctx, uint64_t vram_bytes)
{
    struct client *c = g->c;

    wr64(c, S5000_REG_CTX(ctx, S5000_CTX_PT_ROOT), new_table(g));
    gpu_map(g, ctx, GPU_RAM_VA, c->ram_bus, c->ram_size, S5000_PTE_WRITE | S5000_PTE_SYSTEM, 12);
    gpu_map(g, ctx, GPU_VRAM_VA, 0, vram_bytes, S5000_PTE_WRITE, 21);
    wr32(c, S5000_REG_CTX(ctx, S5000_CTX_CONTROL), S5000_CTX_ENABLE);
}

/* ---------------------------------------------------------------- queues */

uint32_t gpu_queue_reg(struct gpu_queue *q, uint64_t r)
{
    return rd32(q->g->c, S5000_REG_QUEUE(q->id, r));
}

void gpu_queue_set(struct gpu_queue *q, uint64_t r, uint32_t val)
{
    wr32(q->g->c, S5000_REG_QUEUE(q->id, r), val);
}

bool gpu_queue_init(struct gpu *g, struct gpu_queue *q, unsigned int id, unsigned int ctx,
                    unsigned int order, unsigned int vector, unsigned int priority)
{
    struct client *c = g->c;
    uint64_t ring = gpu_ram_alloc(g, (uint64_t)S5000_PACKET_SIZE << order);
    uint64_t rptr = gpu_ram_alloc(g, 64);

    *q = (struct gpu_queue){
        .g = g, .id = id, .ctx = ctx, .order = order,
        .ring = gpu_ram(g, ring), .ring_va = gpu_ram_va(ring),
        .rptr = gpu_ram(g, rptr), .rptr_va = gpu_ram_va(rptr),
        .db = (volatile struct s5000_doorbell *)(c->doorbells + (size_t)id * S5000_PAGE_SIZE),
    };
    wr64(c, S5000_REG_QUEUE(id, S5000_QUEUE_RING_BASE), q->ring_va);
    wr64(c, S5000_REG_QUEUE(id, S5000_QUEUE_RPTR_ADDR), q->rptr_va);
    wr64(c, S5000_REG_QUEUE(id, S5000_QUEUE_RPTR_INIT), 0);
    gpu_queue_set(q, S5000_QUEUE_RING_ORDER, order);
    gpu_queue_set(q, S5000_QUEUE_CONTEXT, ctx);
    gpu_queue_set(q, S5000_QUEUE_VECTOR, vector);
    gpu_queue_set(q, S5000_QUEUE_PRIORITY, priority);
    gpu_queue_set(q, S5000_QUEUE_CONTROL, S5000_QUEUE_ENABLE);
    return gpu_queue_reg(q, S5000_QUEUE_STATUS) != S5000_QSTATE_DISABLED;
}

bool gpu_queue_restart(struct gpu_queue *q)
{
    gpu_queue_set(q, S5000_QUEUE_CONTROL, S5000_QUEUE_RESET);
    if (!gpu_queue_wait_state(q, S5000_QSTATE_DISABLED, 2000))
        return false;
    memset(q->ring, 0, (size_t)S5000_PACKET_SIZE << q->order);
    *q->rptr = 0;
    q->wptr = 0;
    wr64(q->g->c, S5000_REG_QUEUE(q->id, S5000_QUEUE_RPTR_INIT), 0);
    gpu_queue_set(q, S5000_QUEUE_CONTROL, S5000_QUEUE_ENABLE);
    return gpu_queue_reg(q, S5000_QUEUE_STATUS) != S5000_QSTATE_DISABLED;
}

void gpu_queue_write(struct gpu_queue *q, const void *packet)
{
    uint8_t *slot = q->ring + (q->wptr & ((1ull << q->order) - 1)) * S5000_PACKET_SIZE;
    uint32_t header;

    memcpy(slot + 4, (const uint8_t *)packet + 4, S5000_PACKET_SIZE - 4);
    memcpy(&header, packet, 4);
    __atomic_store_n((uint32_t *)slot, header, __ATOMIC_RELEASE);
    q->wptr++;
}

void gpu_queue_ring(struct gpu_queue *q)
{
    __atomic_store_n(&q->db->wptr, q->wptr, __ATOMIC_RELEASE);
    /* The wptr store must be visible before cp_sleeping is read (the device does the mirror). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&q->db->cp_sleeping, __ATOMIC_RELAXED)) {
        uint32_t any = 1;

        q->kicks++;
        client_region_io(q->g->c, S5000_BAR_REGS, S5000_KICK_PAGE(q->id), &any, 4, true);
    }
}

static uint64_t consumed(struct gpu_queue *q)
{
    return __atomic_load_n(q->rptr, __ATOMIC_ACQUIRE);
}

bool gpu_submit(struct gpu_queue *q, const void *packet, long timeout_ms)
{
    uint64_t size = 1ull << q->order;
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;

    while (q->wptr - consumed(q) >= size) {
        if (now_ns() > deadline)
            return false;
        __builtin_ia32_pause();
    }
    gpu_queue_write(q, packet);
    gpu_queue_ring(q);
    return true;
}

bool gpu_queue_wait(struct gpu_queue *q, uint64_t index, long timeout_ms)
{
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
    long spins = 0;

    while (consumed(q) < index) {
        if (now_ns() > deadline)
            return false;
        if (++spins > 1000)
            sleep_ms(0);
    }
    return true;
}

bool gpu_queue_drain(struct gpu_queue *q, long timeout_ms)
{
    return gpu_queue_wait(q, q->wptr, timeout_ms);
}

bool gpu_queue_wait_state(struct gpu_queue *q, uint32_t state, long timeout_ms)
{
    for (long waited = 0; waited <= timeout_ms; waited++) {
        if (__atomic_load_n(&q->db->state, __ATOMIC_ACQUIRE) == state)
            return true;
        sleep_ms(1);
    }
    return false;
}

bool wait_u64(volatile uint64_t *p, uint64_t value, long timeout_ms)
{
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;

    while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != value) {
        if (now_ns() > deadline)
            return false;
        sleep_ms(0);
    }
    return true;
}

/* --------------------------------------------------------------- packets */

struct s5000_pkt_nop pkt_nop(uint32_t flags)
{
    return (struct s5000_pkt_nop){ .header = S5000_PKT_HEADER(S5000_PKT_NOP, 0, flags) };
}

struct s5000_pkt_copy pkt_copy(uint64_t dst, uint64_t src, uint64_t size)
{
    return (struct s5000_pkt_copy){
        .header = S5000_PKT_HEADER(S5000_PKT_COPY, 0, 0), .src = src, .dst = dst, .size = size,
    };
}

struct s5000_pkt_fill pkt_fill(uint64_t dst, uint64_t size, uint64_t pattern, unsigned int width)
{
    return (struct s5000_pkt_fill){
        .header = S5000_PKT_HEADER(S5000_PKT_FILL, width, 0),
        .dst = dst, .size = size, .pattern = pattern,
    };
}

struct s5000_pkt_signal pkt_signal(unsigned int op, uint64_t addr, uint64_t value, uint32_t flags)
{
    return (struct s5000_pkt_signal){
        .header = S5000_PKT_HEADER(S5000_PKT_SIGNAL, op, flags), .addr = addr, .value = value,
    };
}

struct s5000_pkt_wait pkt_wait(unsigned int cond, uint64_t addr, uint64_t value, uint64_t mask,
                               uint64_t timeout_ns)
{
    return (struct s5000_pkt_wait){
        .header = S5000_PKT_HEADER(S5000_PKT_WAIT, cond, 0),
        .addr = addr, .value = value, .mask = mask, .timeout_ns = timeout_ns,
    };
}

struct s5000_pkt_timestamp pkt_timestamp(uint64_t addr)
{
    return (struct s5000_pkt_timestamp){
        .header = S5000_PKT_HEADER(S5000_PKT_TIMESTAMP, 0, 0), .addr = addr,
    };
}

/* ---------------------------------------------------------------- events */

void gpu_events_init(struct gpu *g, uint64_t entries)
{
    struct client *c = g->c;

    g->ev_ring = gpu_ram_alloc(g, entries * sizeof(struct s5000_event));
    g->ev_wptr = gpu_ram_alloc(g, 8);
    g->ev_size = entries;
    g->ev_rptr = 0;
    wr64(c, S5000_REG_EVENT_RING_BASE, c->ram_bus + g->ev_ring);
    wr64(c, S5000_REG_EVENT_WPTR_ADDR, c->ram_bus + g->ev_wptr);
    wr64(c, S5000_REG_EVENT_RPTR, 0);
    wr64(c, S5000_REG_EVENT_RING_SIZE, entries);
}

bool gpu_event_next(struct gpu *g, struct s5000_event *event, long timeout_ms)
{
    volatile uint64_t *wptr = gpu_ram(g, g->ev_wptr);
    const struct s5000_event *ring = gpu_ram(g, g->ev_ring);

    for (long waited = 0; __atomic_load_n(wptr, __ATOMIC_ACQUIRE) == g->ev_rptr; waited++) {
        if (waited >= timeout_ms)
            return false;
        sleep_ms(1);
    }
    *event = ring[g->ev_rptr & (g->ev_size - 1)];
    g->ev_rptr++;
    wr64(g->c, S5000_REG_EVENT_RPTR, g->ev_rptr);
    return true;
}
