// SPDX-License-Identifier: MIT
/*
 * Thread memory, past the fast paths of simt_internal.h: the address windows'
 * bounds, accesses through the MMU, the page cache, guest RAM, and the tensor
 * core's view of memory.
 *
 * A unit holds an MMU chunk of its launch's context while it runs blocks
 * (emu_mmu_hold()), which lets it keep host pointers to VRAM pages between
 * accesses: every access first checks the context's generation (simt_mem_check())
 * and drops them all when an invalidation happened. Guest RAM is never cached: its
 * pointers are good only under the DMA read lock, which an access holds briefly.
 *
 * The tensor core may work in place (emu_mma_mem.map): on shared memory, a stack, or
 * VRAM pages, never guest RAM. Once it has a pointer, the unit keeps its hold until
 * the instruction ends (the next access checks): an invalidation waits for that one
 * MMA, as it waits for any instruction's computing, instead of pulling the memory
 * from under it. Injected errors pending are left to the copies (mma_vram_page()).
 */
#include <string.h>

#include "mma.h"
#include "simt_internal.h"

void simt_mem_rehold(struct simt_unit *u)
{
    u->generation = emu_mmu_hold(u->mmu, &u->tlb, u->hold_ctx);
    for (unsigned int i = 0; i < SIMT_PAGE_CACHE; i++)
        u->pages[i].page = UINT64_MAX;
}

/*
 * The host address of [addr, addr + size) in the shared or stack window, or NULL with
 * *kind the fault if it is out of the window's bounds, or NULL with *kind 0 if addr
 * is in neither window.
 */
static uint8_t *window_host(const struct simt_exec *e, const struct simt_warp *w,
                            unsigned int lane, uint64_t addr, uint64_t size, uint32_t *kind)
{
    uint64_t off;

    *kind = 0;
    if (addr >= S5000_SHARED_BASE && addr < SIMT_SHARED_END) {
        off = addr - S5000_SHARED_BASE;
        if (off < e->shared_size && size <= e->shared_size - off)
            return e->shared + off;
        *kind = S5000_KFAULT_SHARED_BOUNDS;
        return NULL;
    }
    if (addr >= S5000_STACK_BASE - S5000_STACK_GUARD && addr < SIMT_STACK_END) {
        off = addr - S5000_STACK_BASE;
        if (addr >= S5000_STACK_BASE && off < e->stack_size && size <= e->stack_size - off)
            return e->stacks + (uint64_t)(w->first_tid + lane) * e->stack_size + off;
        *kind = S5000_KFAULT_STACK_OVERFLOW;
        return NULL;
    }
    return NULL;
}

/* window_host(), recording the fault; *global set if addr is in neither window. */
static uint8_t *window_addr(struct simt_exec *e, const struct simt_warp *w, unsigned int lane,
                            uint64_t addr, uint64_t size, uint8_t access, bool *global)
{
    uint32_t kind;
    uint8_t *host = window_host(e, w, lane, addr, size, &kind);

    *global = !host && !kind;
    if (kind)
        simt_fault(e, kind, addr, access);
    return host;
}

/* Remembers a VRAM page the unit may access again without the MMU. */
static void cache_page(struct simt_unit *u, uint64_t addr, uint8_t *host, bool writable)
{
    struct simt_page *p = &u->pages[(addr >> 12) % SIMT_PAGE_CACHE];

    writable |= p->page == addr >> 12 && p->writable;
    p->page = addr >> 12;
    p->host = host - (addr & 0xfff);
    p->writable = writable;
}

/*
 * The host address of a global access within one page, through the MMU; NULL after
 * recording its fault. With *system set, the caller must emu_mmu_unpin() after the
 * access and before anything else.
 */
static uint8_t *global_addr(struct simt_exec *e, uint64_t addr, uint64_t size, uint8_t access,
                            bool *system)
{
    struct simt_unit *u = e->unit;
    uint8_t *host = emu_mmu_pin(u->mmu, &u->tlb, u->hold_ctx, u->generation, addr, size,
                                access, system, e->fault);

    if (host && !*system)
        cache_page(u, addr, host, access == S5000_ACCESS_WRITE);
    return host;
}

/* Host address of an access, windows or global; NULL after recording a fault. */
static uint8_t *thread_addr(struct simt_exec *e, const struct simt_warp *w, unsigned int lane,
                            uint64_t addr, uint64_t size, uint8_t access, bool *system)
{
    bool global;
    uint8_t *host = window_addr(e, w, lane, addr, size, access, &global);

    *system = false;
    if (host || !global)
        return host;
    return global_addr(e, addr, size, access, system);
}

static void done_with(struct simt_exec *e, bool system)
{
    if (system)
        emu_mmu_unpin(e->unit->mmu, true);
}

bool simt_mem_load(struct simt_exec *e, struct simt_warp *w, unsigned int lane, uint64_t addr,
                   unsigned int size, uint64_t *val)
{
    bool system;
    uint8_t *host = thread_addr(e, w, lane, addr, size, S5000_ACCESS_READ, &system);

    if (!host)
        return false;
    *val = simt_host_load(host, size);
    done_with(e, system);
    return true;
}

bool simt_mem_store(struct simt_exec *e, struct simt_warp *w, unsigned int lane, uint64_t addr,
                    unsigned int size, uint64_t val)
{
    bool system;
    uint8_t *host = thread_addr(e, w, lane, addr, size, S5000_ACCESS_WRITE, &system);

    if (!host)
        return false;
    simt_host_store(host, size, val);
    done_with(e, system);
    return true;
}

bool simt_mem_amo(struct simt_exec *e, struct simt_warp *w, unsigned int lane, uint64_t addr,
                  unsigned int size, unsigned int amo, uint64_t val, uint64_t *old)
{
    bool system;
    uint8_t *host = thread_addr(e, w, lane, addr, size, S5000_ACCESS_WRITE, &system);

    if (!host)
        return false;
    *old = simt_host_amo(host, size, amo, val);
    done_with(e, system);
    return true;
}

bool simt_mem_cas(struct simt_exec *e, struct simt_warp *w, unsigned int lane, uint64_t addr,
                  unsigned int size, uint64_t expected, uint64_t val, bool *done)
{
    bool system;
    uint8_t *host = thread_addr(e, w, lane, addr, size, S5000_ACCESS_WRITE, &system);

    if (!host)
        return false;
    *done = simt_host_cas(host, size, expected, val);
    done_with(e, system);
    return true;
}

/* ------------------------------------------------------------ tensor core */

/* The tensor core's accesses: those of the lowest lane of the group. */
struct mma_access {
    struct simt_exec *e;
    struct simt_warp *w;
    unsigned int lane;
    bool mapped;                        /* a host pointer is out: keep the hold */
};

static bool mma_copy(struct mma_access *a, uint64_t addr, uint8_t *buf, size_t n, uint8_t access)
{
    while (n) {
        size_t len = S5000_PAGE_SIZE - (addr & (S5000_PAGE_SIZE - 1));
        uint8_t *host;
        bool system;

        len = len < n ? len : n;
        /* A long MMA must not hold up invalidations: each piece checks, unless mapped. */
        if (!a->mapped)
            simt_mem_check(a->e->unit);
        host = thread_addr(a->e, a->w, a->lane, addr, len, access, &system);
        if (!host)
            return false;
        if (access == S5000_ACCESS_WRITE)
            memcpy(host, buf, len);
        else
            memcpy(buf, host, len);
        done_with(a->e, system);
        addr += len;
        buf += len;
        n -= len;
    }
    return true;
}

/* The host address of addr if its VRAM page is in the unit's page cache, else NULL. */
static uint8_t *mma_cached(const struct simt_unit *u, uint64_t addr, bool write)
{
    const struct simt_page *p = &u->pages[(addr >> 12) % SIMT_PAGE_CACHE];

    return p->page == addr >> 12 && (p->writable || !write) ? p->host + (addr & 0xfff) : NULL;
}

/*
 * The host address of the VRAM page at addr for the tensor core, or NULL. A pending
 * injected error must reach the copy that follows, so it is not taken here.
 */
static uint8_t *mma_vram_page(struct simt_unit *u, uint64_t addr, bool write)
{
    uint64_t len = S5000_PAGE_SIZE - (addr & (S5000_PAGE_SIZE - 1));
    uint8_t *host = mma_cached(u, addr, write);
    struct emu_fault ignored;
    bool system;

    if (host)
        return host;
    if (atomic_load_explicit(&u->mmu->mem->poison_next_vram, memory_order_relaxed) ||
        atomic_load_explicit(&u->mmu->mem->fail_next_dma, memory_order_relaxed))
        return NULL;
    host = emu_mmu_pin(u->mmu, &u->tlb, u->hold_ctx, u->generation, addr, len,
                       write ? S5000_ACCESS_WRITE : S5000_ACCESS_READ, &system, &ignored);
    if (host && system) {
        emu_mmu_unpin(u->mmu, true);
        return NULL;
    }
    if (host)
        cache_page(u, addr, host, write);
    return host;
}

/* [addr, addr + n) in VRAM, if its pages are one host range. */
static uint8_t *mma_map_global(struct simt_unit *u, uint64_t addr, size_t n, bool write)
{
    uint8_t *first = NULL;

    if (n > UINT64_MAX - addr)
        return NULL;
    for (uint64_t at = addr; at < addr + n; at = (at | (S5000_PAGE_SIZE - 1)) + 1) {
        uint8_t *host = mma_vram_page(u, at, write);

        if (!host || (first && host != first + (at - addr)))
            return NULL;
        first = first ? first : host;
    }
    return first;
}

/* emu_mma_mem.map: windows in bounds and VRAM; anything else is copied (and faults there). */
static void *mma_map(void *opaque, uint64_t addr, size_t n, bool write)
{
    struct mma_access *a = opaque;
    uint32_t kind;
    uint8_t *host = NULL;

    if (!n)
        return NULL;
    /* Most often: within a cached VRAM page (the windows' pages are never cached). */
    if (n <= S5000_PAGE_SIZE - (addr & (S5000_PAGE_SIZE - 1)))
        host = mma_cached(a->e->unit, addr, write);
    if (!host)
        host = window_host(a->e, a->w, a->lane, addr, n, &kind);
    if (!host && !kind)
        host = mma_map_global(a->e->unit, addr, n, write);
    a->mapped |= host != NULL;
    return host;
}

static bool mma_read(void *opaque, uint64_t addr, void *buf, size_t n)
{
    return mma_copy(opaque, addr, buf, n, S5000_ACCESS_READ);
}

static bool mma_write(void *opaque, uint64_t addr, const void *buf, size_t n)
{
    /* Only read from, as the access says. */
    return mma_copy(opaque, addr, (void *)buf, n, S5000_ACCESS_WRITE);
}

bool simt_mma(struct simt_exec *e, struct simt_warp *w, const struct simt_insn *in, uint32_t mask)
{
    struct mma_access access = { .e = e, .w = w, .lane = (unsigned int)__builtin_ctz(mask) };
    struct emu_mma_mem mem = {
        .opaque = &access, .read = mma_read, .write = mma_write, .map = mma_map,
    };
    uint64_t addr = w->x[in->rs1][access.lane];
    struct s5000_mma desc;
    int result;

    if (!mma_read(&access, addr, &desc, sizeof(desc)))
        return false;
    result = emu_mma_run(&desc, &mem);
    /* A read or write that failed (-1) has recorded its fault already. */
    if (result > 0)
        simt_fault(e, (uint32_t)result, addr, S5000_ACCESS_READ);
    return result == 0;
}
