// SPDX-License-Identifier: MIT
/*
 * The device MMU and the copy engine: page-table walks, per-thread TLBs, and
 * every engine access to VRAM and guest RAM. mmu.h has the threading rules.
 *
 * The guest writes the page tables, so nothing read from them is trusted: a
 * malformed entry is a page fault, and no host access leaves VRAM or a
 * guest-RAM region.
 */
#include "mmu.h"

#include <string.h>
#include <sys/mman.h>
#include <time.h>

/* Device memory is little-endian and accessed in place, so the host must be too. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "s5000-emu needs a little-endian host");
_Static_assert(sizeof(struct emu_mmu_engine) == 64, "one engine slot per cache line");
_Static_assert(S5000_MAX_CONTEXTS < (1u << 31), "a context fits a published chunk");

/*
 * The most one access moves under one translation. It bounds how long an
 * invalidation waits for the chunks in flight, and how long a DMA unmap waits
 * for the engines' read locks.
 */
#define CHUNK_SIZE          (1ull << 20)

/*
 * An engine's published chunk (struct emu_mmu_engine): IDLE, or CHUNK_BUSY with the
 * context in bits 32..62 and the generation it translates with in bits 0..31.
 */
#define CHUNK_IDLE          0ull
#define CHUNK_BUSY          (1ull << 63)

/* How an invalidation waits for a chunk: spin first, as most are short, then sleep. */
#define DRAIN_SPINS         1000
#define DRAIN_SLEEP_NS      20000

#define PAGE_OFFSET_MASK    ((uint64_t)S5000_PAGE_SIZE - 1)
#define VA_LIMIT            (1ull << S5000_VA_BITS)
#define MIN(a, b)           ((a) < (b) ? (a) : (b))

static bool fail(struct emu_fault *fault, uint64_t va, uint8_t access, uint32_t error)
{
    if (fault)
        *fault = (struct emu_fault){ .address = va, .access = access, .error = error };
    return false;
}

/* ------------------------------------------------------------ setup */

void emu_memory_init(struct emu_memory *mem, uint8_t *vram, uint64_t vram_size,
                     struct emu_dma_table *dma)
{
    pthread_rwlockattr_t attr;

    mem->vram = vram;
    mem->vram_size = vram_size;
    mem->dma = dma;
    atomic_init(&mem->fail_next_dma, false);
    atomic_init(&mem->poison_next_vram, false);

    pthread_rwlockattr_init(&attr);
    /* A waiting unmap must hold off new chunks, or busy engines could starve it. */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&mem->dma_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
}

void emu_memory_fini(struct emu_memory *mem)
{
    pthread_rwlock_destroy(&mem->dma_lock);
}

void emu_memory_poison(struct emu_memory *mem)
{
    atomic_store(&mem->poison_next_vram, true);
}

void emu_mmu_init(struct emu_mmu *mmu, struct emu_memory *mem)
{
    mmu->mem = mem;
    for (unsigned int i = 0; i < S5000_MAX_CONTEXTS; i++) {
        atomic_init(&mmu->ctx[i].pt_root, 0);
        atomic_init(&mmu->ctx[i].enabled, false);
        atomic_init(&mmu->ctx[i].generation, 0);
    }
    for (unsigned int i = 0; i < EMU_MMU_MAX_TLBS; i++) {
        atomic_init(&mmu->engine[i].chunk, CHUNK_IDLE);
        atomic_init(&mmu->engine[i].used, false);
    }
}

void emu_tlb_init(struct emu_tlb *tlb)
{
    memset(tlb, 0, sizeof(*tlb));
    for (unsigned int i = 0; i < EMU_TLB_ENTRIES; i++)
        tlb->entry[i].va_page = UINT64_MAX;
}

bool emu_mmu_register_tlb(struct emu_mmu *mmu, struct emu_tlb *tlb)
{
    for (unsigned int i = 0; i < EMU_MMU_MAX_TLBS; i++) {
        if (!atomic_exchange(&mmu->engine[i].used, true)) {
            tlb->mmu = mmu;
            tlb->slot = i;
            return true;
        }
    }
    return false;
}

void emu_mmu_unregister_tlb(struct emu_tlb *tlb)
{
    if (!tlb->mmu)
        return;
    atomic_store(&tlb->mmu->engine[tlb->slot].chunk, CHUNK_IDLE);
    atomic_store(&tlb->mmu->engine[tlb->slot].used, false);
    tlb->mmu = NULL;
}

/* ------------------------------------------------------------ chunks and barriers */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/* Where tlb publishes its chunks in mmu, or NULL if it is not registered there. */
static _Atomic uint64_t *chunk_word(struct emu_mmu *mmu, struct emu_tlb *tlb)
{
    return tlb && tlb->mmu == mmu ? &mmu->engine[tlb->slot].chunk : NULL;
}

/*
 * Starts a chunk in ctx and returns the generation all its translations must use.
 * Publishing is a store then a load, both seq_cst, and an invalidation is a bump
 * then a load, both seq_cst: so either this load sees the bump, or the
 * invalidation sees the chunk and waits for it.
 */
static unsigned int chunk_begin(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx)
{
    atomic_uint *generation;
    _Atomic uint64_t *word = chunk_word(mmu, tlb);
    unsigned int seen, now;

    if (ctx >= S5000_MAX_CONTEXTS)
        return 0;           /* translate() refuses it */
    generation = &mmu->ctx[ctx].generation;
    now = atomic_load_explicit(generation, memory_order_acquire);

    if (!word)
        return now;
    /* Publish the generation used, so that later invalidations need not wait. */
    do {
        seen = now;
        atomic_store(word, CHUNK_BUSY | (uint64_t)ctx << 32 | seen);
        now = atomic_load(generation);
    } while (now != seen);
    return now;
}

/* Release: what the chunk did happens before an invalidation that sees it ended. */
static void chunk_end(struct emu_mmu *mmu, struct emu_tlb *tlb)
{
    _Atomic uint64_t *word = chunk_word(mmu, tlb);

    if (word)
        atomic_store_explicit(word, CHUNK_IDLE, memory_order_release);
}

/* Whether a published chunk is in ctx (or any, for S5000_TLB_ALL) with an old generation. */
static bool chunk_stale(struct emu_mmu *mmu, unsigned int ctx, uint64_t chunk)
{
    unsigned int c = (unsigned int)(chunk >> 32) & ~(unsigned int)(CHUNK_BUSY >> 32);
    unsigned int generation;

    if (!(chunk & CHUNK_BUSY) || (ctx != S5000_TLB_ALL && c != ctx))
        return false;
    generation = atomic_load(&mmu->ctx[c].generation);
    /* Wrap-safe "older than": the generation is a 32-bit counter. */
    return (int)((unsigned int)chunk - generation) < 0;
}

static void drain_engine(struct emu_mmu *mmu, unsigned int ctx, _Atomic uint64_t *word)
{
    for (unsigned int spins = 0; chunk_stale(mmu, ctx, atomic_load(word)); spins++) {
        if (spins < DRAIN_SPINS)
            cpu_relax();
        else
            nanosleep(&(struct timespec){ .tv_nsec = DRAIN_SLEEP_NS }, NULL);
    }
}

/*
 * After a bump of ctx (or of all): waits out the chunks that may still use entries
 * of before it. A chunk takes no lock but the DMA read lock and waits for nobody
 * else, so this ends within one chunk.
 */
static void drain(struct emu_mmu *mmu, unsigned int ctx)
{
    for (unsigned int i = 0; i < EMU_MMU_MAX_TLBS; i++)
        drain_engine(mmu, ctx, &mmu->engine[i].chunk);
}

/* Seq_cst, and release: whoever sees the new generation also sees what changed before it. */
static void bump_generation(struct emu_mmu_context *c)
{
    atomic_fetch_add(&c->generation, 1);
}

/* A new root or enable state invalidates too: no TLB entry outlives its tables. */
void emu_mmu_set_root(struct emu_mmu *mmu, unsigned int ctx, uint64_t pt_root)
{
    if (ctx >= S5000_MAX_CONTEXTS)
        return;
    atomic_store_explicit(&mmu->ctx[ctx].pt_root, pt_root, memory_order_release);
    bump_generation(&mmu->ctx[ctx]);
    drain(mmu, ctx);
}

void emu_mmu_enable(struct emu_mmu *mmu, unsigned int ctx, bool enabled)
{
    if (ctx >= S5000_MAX_CONTEXTS)
        return;
    atomic_store_explicit(&mmu->ctx[ctx].enabled, enabled, memory_order_release);
    bump_generation(&mmu->ctx[ctx]);
    drain(mmu, ctx);
}

void emu_mmu_invalidate(struct emu_mmu *mmu, unsigned int ctx)
{
    if (ctx == S5000_TLB_ALL) {
        for (unsigned int i = 0; i < S5000_MAX_CONTEXTS; i++)
            bump_generation(&mmu->ctx[i]);
    } else if (ctx < S5000_MAX_CONTEXTS) {
        bump_generation(&mmu->ctx[ctx]);
    } else {
        return;
    }
    drain(mmu, ctx);
}

void emu_mmu_reset(struct emu_mmu *mmu)
{
    for (unsigned int i = 0; i < S5000_MAX_CONTEXTS; i++) {
        atomic_store_explicit(&mmu->ctx[i].enabled, false, memory_order_release);
        atomic_store_explicit(&mmu->ctx[i].pt_root, 0, memory_order_release);
        bump_generation(&mmu->ctx[i]);
    }
    drain(mmu, S5000_TLB_ALL);
}

/* ------------------------------------------------------------ translation */

static bool table_in_vram(const struct emu_memory *mem, uint64_t table)
{
    return !(table & PAGE_OFFSET_MASK) && mem->vram_size >= S5000_PAGE_SIZE &&
           table <= mem->vram_size - S5000_PAGE_SIZE;
}

static uint64_t read_pte(const struct emu_memory *mem, uint64_t table, uint64_t va, int level)
{
    const uint64_t *pte = (const uint64_t *)(mem->vram + table) + S5000_PT_INDEX(va, level);

    /*
     * The guest may be rewriting the entry: read it once, untorn. Acquire, as a
     * walk may see a new entry before its invalidation: what was done to the page
     * before it was mapped then still happens before the access through it.
     */
    return __atomic_load_n(pte, __ATOMIC_ACQUIRE);
}

static bool leaf_valid(const struct emu_memory *mem, uint64_t pte, unsigned int shift)
{
    uint64_t size = 1ull << shift;
    uint64_t addr = pte & S5000_PTE_ADDR_MASK;

    if (addr & (size - 1))
        return false;
    /* Guest RAM can change without a TLB invalidation: it is checked at each access. */
    if (pte & S5000_PTE_SYSTEM)
        return true;
    return size <= mem->vram_size && addr <= mem->vram_size - size;
}

/*
 * Walks the tables under root for va. On success *xl holds the leaf entry with its
 * address moved to va's 4 KiB page, and the size of the page it maps.
 */
static uint32_t walk(const struct emu_memory *mem, uint64_t root, uint64_t va,
                     struct emu_tlb_entry *xl)
{
    uint64_t table = root;

    if (!table_in_vram(mem, root))
        return S5000_ERR_BAD_CONTEXT;

    for (int level = S5000_PT_LEVELS - 1; ; level--) {
        uint64_t pte = read_pte(mem, table, va, level);
        unsigned int shift = S5000_PT_SHIFT(level);

        if (!(pte & S5000_PTE_VALID))
            return S5000_ERR_PAGE_FAULT;
        if (level == 0 || ((pte & S5000_PTE_LEAF) && level <= 2)) {
            uint64_t in_page = va & ((1ull << shift) - 1) & ~PAGE_OFFSET_MASK;

            if (!leaf_valid(mem, pte, shift))
                return S5000_ERR_PAGE_FAULT;
            xl->pte = pte + in_page;    /* the leaf is aligned to its size: no carry */
            xl->page_shift = shift;
            return S5000_ERR_NONE;
        }
        /* Tables are in VRAM, and the top level has no large pages. */
        if (pte & (S5000_PTE_SYSTEM | S5000_PTE_LEAF))
            return S5000_ERR_PAGE_FAULT;
        table = pte & S5000_PTE_ADDR_MASK;
        if (!table_in_vram(mem, table))
            return S5000_ERR_PAGE_FAULT;
    }
}

static struct emu_tlb_entry *tlb_slot(struct emu_tlb *tlb, unsigned int ctx, uint64_t va)
{
    uint64_t page = va >> 12;

    /* Fold in the upper index bits: 2 MiB-aligned pages must not all share a slot. */
    return &tlb->entry[(page ^ (page >> 9) ^ (page >> 18) ^ ctx * 7) % EMU_TLB_ENTRIES];
}

/*
 * Translates va for an access, through the TLB when there is one (tlb may be NULL),
 * in the chunk that chunk_begin() gave generation.
 */
static bool translate(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                      unsigned int generation, uint64_t va, uint8_t access,
                      struct emu_tlb_entry *xl, struct emu_fault *fault)
{
    struct emu_mmu_context *c;
    struct emu_tlb_entry *slot = NULL;
    uint64_t root;
    uint32_t error;

    if (ctx >= S5000_MAX_CONTEXTS)
        return fail(fault, va, access, S5000_ERR_BAD_CONTEXT);
    c = &mmu->ctx[ctx];
    /* The generation was read first: a root or entry read after it is at least as new. */
    root = atomic_load_explicit(&c->pt_root, memory_order_acquire);
    if (!atomic_load_explicit(&c->enabled, memory_order_acquire) || !root)
        return fail(fault, va, access, S5000_ERR_BAD_CONTEXT);
    if (va >= VA_LIMIT)
        return fail(fault, va, access, S5000_ERR_PAGE_FAULT);

    if (tlb)
        slot = tlb_slot(tlb, ctx, va);
    if (slot && slot->va_page == va >> 12 && slot->ctx == ctx && slot->generation == generation) {
        tlb->hits++;
        *xl = *slot;
    } else {
        error = walk(mmu->mem, root, va, xl);
        if (error)
            return fail(fault, va, access, error);
        xl->va_page = va >> 12;
        xl->ctx = ctx;
        xl->generation = generation;
        if (slot) {
            tlb->misses++;
            *slot = *xl;
        }
    }
    if (access == S5000_ACCESS_WRITE && !(xl->pte & S5000_PTE_WRITE))
        return fail(fault, va, access, S5000_ERR_PAGE_FAULT);
    if (access == S5000_ACCESS_EXEC && !(xl->pte & S5000_PTE_EXEC))
        return fail(fault, va, access, S5000_ERR_PAGE_FAULT);
    return true;
}

/* ------------------------------------------------------------ spans */

/* A piece of device memory that one host pointer covers. */
struct span {
    uint64_t va;
    uint64_t addr;          /* VRAM offset, or bus address when system */
    uint64_t len;
    bool system;
    uint8_t access;
};

static uint64_t entry_addr(const struct emu_tlb_entry *xl, uint64_t va)
{
    return (xl->pte & S5000_PTE_ADDR_MASK) | (va & PAGE_OFFSET_MASK);
}

static uint64_t entry_left(const struct emu_tlb_entry *xl, uint64_t va)
{
    uint64_t size = 1ull << xl->page_shift;

    return size - (va & (size - 1));
}

/*
 * Translates as much of [va, va + max) as is contiguous in one kind of memory, so
 * that a large access costs one memcpy per physical run, not one per page. Fails
 * only if va itself does not translate: a bad page further on ends the span, and
 * faults when the access gets there.
 */
static bool map_span(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                     unsigned int generation, uint64_t va, uint64_t max, uint8_t access,
                     struct span *s, struct emu_fault *fault)
{
    struct emu_tlb_entry xl;
    struct emu_fault ignored;

    if (!translate(mmu, tlb, ctx, generation, va, access, &xl, fault))
        return false;
    s->va = va;
    s->addr = entry_addr(&xl, va);
    s->system = xl.pte & S5000_PTE_SYSTEM;
    s->access = access;
    s->len = MIN(entry_left(&xl, va), max);

    while (s->len < max) {
        uint64_t next = va + s->len;

        if (!translate(mmu, tlb, ctx, generation, next, access, &xl, &ignored) ||
            !!(xl.pte & S5000_PTE_SYSTEM) != s->system ||
            entry_addr(&xl, next) != s->addr + s->len)
            break;
        s->len = MIN(s->len + entry_left(&xl, next), max);
    }
    return true;
}

/* Engines only ever hold one read lock at a time: the lock prefers writers. */
static void lock_system(struct emu_memory *mem, bool system)
{
    if (system)
        pthread_rwlock_rdlock(&mem->dma_lock);
}

static void unlock_system(struct emu_memory *mem, bool system)
{
    if (system)
        pthread_rwlock_unlock(&mem->dma_lock);
}

static bool take_flag(atomic_bool *flag)
{
    return atomic_load_explicit(flag, memory_order_relaxed) && atomic_exchange(flag, false);
}

/*
 * Host pointer for bus, with *len cut to the end of the guest-RAM region that holds
 * it (bus-contiguous pages may lie in two regions); NULL if none holds it with prot.
 */
static uint8_t *dma_span(const struct emu_dma_table *dma, uint64_t bus, uint64_t *len, int prot)
{
    for (unsigned int i = 0; i < dma->count; i++) {
        const struct emu_dma_region *r = &dma->regions[i];

        if (bus - r->gpa < r->len) {
            if ((r->prot & prot) != prot)
                return NULL;
            *len = MIN(*len, r->len - (bus - r->gpa));
            return r->hva + (bus - r->gpa);
        }
    }
    return NULL;
}

/*
 * Host pointer for a span, which may come back shorter; NULL with *fault filled
 * for an injected fault or a bus address that is not guest RAM. The caller holds
 * the DMA read lock for a system span, until it is done with the pointer.
 */
static uint8_t *span_host(struct emu_memory *mem, struct span *s, struct emu_fault *fault)
{
    uint8_t *host;

    if (!s->system) {
        if (take_flag(&mem->poison_next_vram)) {
            fail(fault, s->va, s->access, S5000_ERR_ECC);
            return NULL;
        }
        return mem->vram + s->addr;
    }
    if (take_flag(&mem->fail_next_dma)) {
        fail(fault, s->va, s->access, S5000_ERR_DMA);
        return NULL;
    }
    host = dma_span(mem->dma, s->addr, &s->len,
                    s->access == S5000_ACCESS_WRITE ? PROT_WRITE : PROT_READ);
    if (!host)
        fail(fault, s->va, s->access, S5000_ERR_DMA);
    return host;
}

/* ------------------------------------------------------------ accesses */

/* One chunk of access_buffer(): the bytes it moved, or 0 with *fault filled. */
static uint64_t access_chunk(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                             unsigned int generation, uint64_t va, uint8_t *buf, uint64_t size,
                             uint8_t access, struct emu_fault *fault)
{
    struct span s;
    uint8_t *host;

    if (!map_span(mmu, tlb, ctx, generation, va, MIN(size, CHUNK_SIZE), access, &s, fault))
        return 0;
    lock_system(mmu->mem, s.system);
    host = span_host(mmu->mem, &s, fault);
    if (host && access == S5000_ACCESS_WRITE)
        memcpy(host, buf, s.len);
    else if (host)
        memcpy(buf, host, s.len);
    unlock_system(mmu->mem, s.system);
    return host ? s.len : 0;
}

/* Moves size bytes between the device at va and buf; access says which way. */
static bool access_buffer(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                          uint64_t va, uint8_t *buf, uint64_t size, uint8_t access,
                          struct emu_fault *fault)
{
    while (size) {
        uint64_t len = access_chunk(mmu, tlb, ctx, chunk_begin(mmu, tlb, ctx), va, buf, size,
                                    access, fault);

        chunk_end(mmu, tlb);
        if (!len)
            return false;
        va += len;
        buf += len;
        size -= len;
    }
    return true;
}

bool emu_mem_read(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                  uint64_t va, void *buf, uint64_t size, struct emu_fault *fault)
{
    return access_buffer(mmu, tlb, ctx, va, buf, size, S5000_ACCESS_READ, fault);
}

bool emu_mem_write(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                   uint64_t va, const void *buf, uint64_t size, struct emu_fault *fault)
{
    /* Only read through, as the access says. */
    return access_buffer(mmu, tlb, ctx, va, (void *)buf, size, S5000_ACCESS_WRITE, fault);
}

bool emu_mem_fetch(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                   uint64_t va, void *buf, uint64_t size, struct emu_fault *fault)
{
    return access_buffer(mmu, tlb, ctx, va, buf, size, S5000_ACCESS_EXEC, fault);
}

/* ------------------------------------------------------------ held chunks */

unsigned int emu_mmu_hold(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx)
{
    return chunk_begin(mmu, tlb, ctx);
}

void emu_mmu_release(struct emu_mmu *mmu, struct emu_tlb *tlb)
{
    chunk_end(mmu, tlb);
}

void *emu_mmu_pin(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                  unsigned int generation, uint64_t va, uint64_t size, uint8_t access,
                  bool *system, struct emu_fault *fault)
{
    struct span s;
    uint8_t *host;

    if (size == 0 || size > S5000_PAGE_SIZE - (va & PAGE_OFFSET_MASK)) {
        fail(fault, va, access, S5000_ERR_BAD_PACKET);
        return NULL;
    }
    if (!map_span(mmu, tlb, ctx, generation, va, size, access, &s, fault))
        return NULL;
    lock_system(mmu->mem, s.system);
    host = span_host(mmu->mem, &s, fault);
    /* A guest-RAM region that ends inside the access. */
    if (host && s.len < size) {
        fail(fault, va + s.len, access, S5000_ERR_DMA);
        host = NULL;
    }
    if (!host) {
        unlock_system(mmu->mem, s.system);
        return NULL;
    }
    *system = s.system;
    return host;
}

void emu_mmu_unpin(struct emu_mmu *mmu, bool system)
{
    unlock_system(mmu->mem, system);
}

enum atomic_op { OP_LOAD, OP_STORE, OP_ADD };

/* The access itself, in a chunk of its own. */
static bool access64_chunk(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                           unsigned int generation, uint64_t va, enum atomic_op op,
                           uint64_t *val, struct emu_fault *fault)
{
    uint8_t access = op == OP_LOAD ? S5000_ACCESS_READ : S5000_ACCESS_WRITE;
    uint64_t *host;
    struct span s;

    if (!map_span(mmu, tlb, ctx, generation, va, 8, access, &s, fault))
        return false;

    lock_system(mmu->mem, s.system);
    host = (uint64_t *)span_host(mmu->mem, &s, fault);
    /* Only a guest-RAM region with an odd start or end could split the word. */
    if (host && (s.len < 8 || (uintptr_t)host % 8)) {
        fail(fault, va, access, S5000_ERR_DMA);
        host = NULL;
    }
    if (host && op == OP_LOAD)
        *val = __atomic_load_n(host, __ATOMIC_SEQ_CST);
    else if (host && op == OP_STORE)
        __atomic_store_n(host, *val, __ATOMIC_SEQ_CST);
    else if (host)
        __atomic_fetch_add(host, *val, __ATOMIC_SEQ_CST);
    unlock_system(mmu->mem, s.system);
    return host != NULL;
}

static bool access64(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx, uint64_t va,
                     enum atomic_op op, uint64_t *val, struct emu_fault *fault)
{
    bool done;

    if (va & 7)
        return fail(fault, va, op == OP_LOAD ? S5000_ACCESS_READ : S5000_ACCESS_WRITE,
                    S5000_ERR_PAGE_FAULT);
    done = access64_chunk(mmu, tlb, ctx, chunk_begin(mmu, tlb, ctx), va, op, val, fault);
    chunk_end(mmu, tlb);
    return done;
}

bool emu_mem_load64(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                    uint64_t va, uint64_t *val, struct emu_fault *fault)
{
    return access64(mmu, tlb, ctx, va, OP_LOAD, val, fault);
}

bool emu_mem_store64(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                     uint64_t va, uint64_t val, struct emu_fault *fault)
{
    return access64(mmu, tlb, ctx, va, OP_STORE, &val, fault);
}

bool emu_mem_add64(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                   uint64_t va, uint64_t addend, struct emu_fault *fault)
{
    return access64(mmu, tlb, ctx, va, OP_ADD, &addend, fault);
}

/* ------------------------------------------------------------ copy engine */

/* One chunk of emu_copy(): the bytes it copied, or 0 with *fault filled. */
static uint64_t copy_chunk(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                           unsigned int generation, uint64_t dst, uint64_t src, uint64_t size,
                           struct emu_fault *fault)
{
    struct span from, to;
    uint8_t *src_host, *dst_host = NULL;
    bool system;
    uint64_t len;

    if (!map_span(mmu, tlb, ctx, generation, src, MIN(size, CHUNK_SIZE), S5000_ACCESS_READ,
                  &from, fault) ||
        !map_span(mmu, tlb, ctx, generation, dst, from.len, S5000_ACCESS_WRITE, &to, fault))
        return 0;

    system = from.system || to.system;
    lock_system(mmu->mem, system);
    src_host = span_host(mmu->mem, &from, fault);
    if (src_host)
        dst_host = span_host(mmu->mem, &to, fault);
    len = MIN(from.len, to.len);
    /* Overlap is the guest's error, but must not be undefined behaviour here. */
    if (dst_host)
        memmove(dst_host, src_host, len);
    unlock_system(mmu->mem, system);
    return dst_host ? len : 0;
}

bool emu_copy(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
              uint64_t dst, uint64_t src, uint64_t size, struct emu_fault *fault)
{
    while (size) {
        uint64_t len = copy_chunk(mmu, tlb, ctx, chunk_begin(mmu, tlb, ctx), dst, src, size,
                                  fault);

        chunk_end(mmu, tlb);
        if (!len)
            return false;
        src += len;
        dst += len;
        size -= len;
    }
    return true;
}

/* The pattern repeated, in little-endian byte order, with room to start at any phase. */
#define FILL_UNIT 4096
struct fill_pattern {
    uint8_t bytes[FILL_UNIT + 8];
    bool uniform;           /* every byte the same: memset will do */
};

static void fill_pattern_init(struct fill_pattern *p, uint64_t pattern, unsigned int width)
{
    p->uniform = true;
    for (unsigned int i = 0; i < 8; i++) {
        p->bytes[i] = pattern >> (8 * (i % width));
        p->uniform &= p->bytes[i] == p->bytes[0];
    }
    /* 8 bytes hold whole elements: doubling them keeps the phase. */
    for (size_t n = 8; n < sizeof(p->bytes); n *= 2)
        memcpy(p->bytes + n, p->bytes, MIN(n, sizeof(p->bytes) - n));
}

/* phase: how many bytes of a pattern element precede host. */
static void fill_host(uint8_t *host, uint64_t len, const struct fill_pattern *p,
                      unsigned int phase)
{
    if (p->uniform) {
        memset(host, p->bytes[0], len);
        return;
    }
    for (uint64_t done = 0; done < len; done += FILL_UNIT)
        memcpy(host + done, p->bytes + phase, MIN(FILL_UNIT, len - done));
}

/*
 * Zeroing VRAM gives its host pages back instead of writing zeros: the driver
 * clears every allocation, and 80 GiB of VRAM must not cost host memory until it
 * holds data. VRAM is a shared memfd mapping, so the hole reads as zeros
 * everywhere it is mapped.
 */
static void zero_vram(uint8_t *host, uint64_t len)
{
    uintptr_t start = ((uintptr_t)host + S5000_PAGE_SIZE - 1) & ~PAGE_OFFSET_MASK;
    uintptr_t end = ((uintptr_t)host + len) & ~PAGE_OFFSET_MASK;

    if (end <= start || madvise((void *)start, end - start, MADV_REMOVE) != 0) {
        memset(host, 0, len);
        return;
    }
    memset(host, 0, start - (uintptr_t)host);
    memset((void *)end, 0, (uintptr_t)host + len - end);
}

/* One chunk of emu_fill(): the bytes it filled, or 0 with *fault filled. */
static uint64_t fill_chunk(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                           unsigned int generation, uint64_t dst, uint64_t size,
                           const struct fill_pattern *p, unsigned int phase,
                           struct emu_fault *fault)
{
    struct span s;
    uint8_t *host;

    if (!map_span(mmu, tlb, ctx, generation, dst, MIN(size, CHUNK_SIZE), S5000_ACCESS_WRITE,
                  &s, fault))
        return 0;
    lock_system(mmu->mem, s.system);
    host = span_host(mmu->mem, &s, fault);
    if (host && !s.system && p->uniform && p->bytes[0] == 0)
        zero_vram(host, s.len);
    else if (host)
        fill_host(host, s.len, p, phase);
    unlock_system(mmu->mem, s.system);
    return host ? s.len : 0;
}

/*
 * Fills with width-byte elements: width must be 1, 2, 4 or 8, and dst and size
 * multiples of it, or the packet is bad (S5000_ERR_BAD_PACKET at dst).
 */
bool emu_fill(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
              uint64_t dst, uint64_t size, uint64_t pattern, unsigned int width,
              struct emu_fault *fault)
{
    struct fill_pattern p;
    uint64_t done = 0;

    if ((width != 1 && width != 2 && width != 4 && width != 8) || size % width || dst % width)
        return fail(fault, dst, S5000_ACCESS_WRITE, S5000_ERR_BAD_PACKET);
    fill_pattern_init(&p, pattern, width);

    while (done < size) {
        uint64_t len = fill_chunk(mmu, tlb, ctx, chunk_begin(mmu, tlb, ctx), dst + done,
                                  size - done, &p, done % width, fault);

        chunk_end(mmu, tlb);
        if (!len)
            return false;
        done += len;
    }
    return true;
}

/* ------------------------------------------------------------ untranslated */

bool emu_phys_write(struct emu_memory *mem, uint64_t bus, const void *buf, uint64_t size)
{
    void *host;

    if (!size)
        return true;
    /* What the engines wrote before (a copy, then its event) reaches the guest first. */
    atomic_thread_fence(memory_order_release);
    pthread_rwlock_rdlock(&mem->dma_lock);
    host = emu_dma_translate(mem->dma, bus, size, PROT_WRITE);
    if (host)
        memcpy(host, buf, size);
    pthread_rwlock_unlock(&mem->dma_lock);
    return host != NULL;
}
