// SPDX-License-Identifier: MIT
/*
 * fuzz_pagetables: the device MMU and copy engine (mmu.h) alone, against page tables
 * and a guest-RAM table written by the fuzzer.
 *
 * An input is a sequence of operations: write page-table entries (pointers to tables,
 * 4 KiB, 2 MiB and 1 GiB leaves in VRAM or guest RAM, malformed ones), change roots,
 * enable and disable contexts, invalidate, add and remove guest-RAM regions, inject
 * ECC and DMA errors, and access memory every way the engines do: read, write, fetch,
 * the 64-bit atomics, copy, fill, pinned accesses in a held chunk, and untranslated
 * writes to guest RAM.
 *
 * VRAM and every guest-RAM region sit between inaccessible guard areas, so a host
 * access outside them is a crash. Each access is also compared with a reference
 * translation written here from uapi/s5000.md: it must move exactly the bytes before
 * the first byte that does not translate, and fail there with that byte's error and
 * address. While the tables changed without an invalidation the TLB may rightly
 * answer from before, so only the shape of the faults is checked then.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "mmu.h"

#define PAGE            4096ull
#define VRAM_SIZE       (4ull << 20)
#define VRAM_PAGES      (VRAM_SIZE / PAGE)
#define TABLE_PAGES     16              /* where tables usually are: VRAM [0, 64 KiB) */
#define GUARD           (1ull << 30)
#define CONTEXTS        4
#define REGIONS         4
#define MAX_ACCESS      (16u << 10)
#define MAX_PIECES      64
#define BIG_BUS         (1ull << 40)    /* guest RAM a 1 GiB system page may reach */

enum op {
    OP_PTE, OP_ROOT, OP_ENABLE, OP_INVALIDATE, OP_READ, OP_WRITE, OP_FETCH, OP_LOAD64,
    OP_STORE64, OP_ADD64, OP_COPY, OP_FILL, OP_PIN, OP_PHYS_WRITE, OP_DMA_ADD, OP_DMA_REMOVE,
    OP_INJECT, OP_COUNT,
};

static struct emu_dma_table dma;
static struct emu_memory mem;
static struct emu_mmu mmu;
static struct emu_tlb tlb;
static uint8_t *vram;
static int vram_fd;

/* Host memory the guest-RAM regions take their pieces from. */
static const uint64_t pool_size[REGIONS] = { 16 << 10, 64 << 10, 256 << 10, 1 << 20 };
static uint8_t *pool[REGIONS];

/* The model: what the harness made of the MMU. */
static uint64_t model_root[CONTEXTS];
static bool model_enabled[CONTEXTS];
static bool dirty[CONTEXTS];            /* tables changed since the context's invalidation */
static uint8_t buf[MAX_ACCESS], before[MAX_ACCESS];

/* ------------------------------------------------------------ memory set-up */

static uint8_t *reserve_guarded(uint64_t size)
{
    uint8_t *p = mmap(NULL, size + 2 * GUARD, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    if (p == MAP_FAILED)
        fuzz_fail("crash", "cannot reserve address space");
    return p + GUARD;
}

/* VRAM is a memfd, as in the device, so that zeroing it can punch holes. */
static void map_vram(void)
{
    vram = reserve_guarded(VRAM_SIZE);
    vram_fd = memfd_create("fuzz-vram", MFD_CLOEXEC);
    if (vram_fd < 0 || ftruncate(vram_fd, VRAM_SIZE) != 0 ||
        mmap(vram, VRAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, vram_fd, 0) != vram)
        fuzz_fail("crash", "cannot map VRAM");
}

void fuzz_harness_init(void)
{
    map_vram();
    for (unsigned int i = 0; i < REGIONS; i++) {
        pool[i] = reserve_guarded(pool_size[i]);
        if (mprotect(pool[i], pool_size[i], PROT_READ | PROT_WRITE) != 0)
            fuzz_fail("crash", "cannot map guest RAM");
    }
    emu_dma_init(&dma);
    emu_memory_init(&mem, vram, VRAM_SIZE, &dma);
    emu_mmu_init(&mmu, &mem);
    emu_tlb_init(&tlb);
    emu_mmu_register_tlb(&mmu, &tlb);
}

static void reset(void)
{
    emu_mmu_reset(&mmu);
    emu_dma_init(&dma);
    atomic_store(&mem.fail_next_dma, false);
    atomic_store(&mem.poison_next_vram, false);
    if (fallocate(vram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, VRAM_SIZE) != 0)
        memset(vram, 0, VRAM_SIZE);
    for (unsigned int i = 0; i < REGIONS; i++)
        memset(pool[i], 0, pool_size[i]);
    memset(model_root, 0, sizeof(model_root));
    memset(model_enabled, 0, sizeof(model_enabled));
    memset(dirty, 0, sizeof(dirty));
}

/* ------------------------------------------------------------ the reference */

/* Where one byte of an access went, or why it could not. */
struct ref {
    uint32_t error;
    uint8_t *host;
    int region;                         /* of guest RAM, or -1 for VRAM */
};

static bool ref_table_ok(uint64_t table)
{
    return table % PAGE == 0 && table <= VRAM_SIZE - PAGE;
}

static uint64_t ref_pte(uint64_t table, uint64_t va, int level)
{
    uint64_t pte;

    memcpy(&pte, vram + table + S5000_PT_INDEX(va, level) * 8, sizeof(pte));
    return pte;
}

/* The guest-RAM region holding bus, or -1; *host if it allows prot. */
static int ref_region(uint64_t bus, int prot, uint8_t **host)
{
    for (unsigned int i = 0; i < dma.count; i++) {
        const struct emu_dma_region *r = &dma.regions[i];

        if (bus - r->gpa < r->len) {
            *host = (r->prot & prot) == prot ? r->hva + (bus - r->gpa) : NULL;
            return (int)i;
        }
    }
    *host = NULL;
    return -1;
}

/* The leaf for va: 0 with *leaf and *shift, or the error. Permissions are not checked. */
static uint32_t ref_walk(unsigned int ctx, uint64_t va, uint64_t *leaf, unsigned int *shift)
{
    uint64_t table;

    if (ctx >= CONTEXTS || !model_enabled[ctx] || !model_root[ctx])
        return S5000_ERR_BAD_CONTEXT;
    if (va >> S5000_VA_BITS)
        return S5000_ERR_PAGE_FAULT;
    if (!ref_table_ok(model_root[ctx]))
        return S5000_ERR_BAD_CONTEXT;
    table = model_root[ctx];
    for (int level = S5000_PT_LEVELS - 1; level >= 0; level--) {
        uint64_t pte = ref_pte(table, va, level), size = 1ull << S5000_PT_SHIFT(level);
        uint64_t addr = pte & S5000_PTE_ADDR_MASK;

        if (!(pte & S5000_PTE_VALID))
            return S5000_ERR_PAGE_FAULT;
        if (level == 0 || (level <= 2 && (pte & S5000_PTE_LEAF))) {
            if (addr % size || (!(pte & S5000_PTE_SYSTEM) && (size > VRAM_SIZE ||
                                                              addr > VRAM_SIZE - size)))
                return S5000_ERR_PAGE_FAULT;
            *leaf = pte;
            *shift = S5000_PT_SHIFT(level);
            return S5000_ERR_NONE;
        }
        if ((pte & (S5000_PTE_SYSTEM | S5000_PTE_LEAF)) || !ref_table_ok(addr))
            return S5000_ERR_PAGE_FAULT;
        table = addr;
    }
    return S5000_ERR_PAGE_FAULT;
}

/* A page's translation for an access, kept while an access crosses it byte by byte. */
struct ref_page {
    uint64_t page;                      /* va >> 12, or UINT64_MAX */
    uint32_t error;
    uint64_t leaf;
    unsigned int shift;
};

static struct ref ref_byte_in(struct ref_page *pg, unsigned int ctx, uint64_t va, uint8_t access)
{
    uint64_t addr;
    uint8_t *host;
    int region;

    if (pg->page != va >> 12) {
        pg->page = va >> 12;
        pg->error = ref_walk(ctx, va, &pg->leaf, &pg->shift);
        if (!pg->error && ((access == S5000_ACCESS_WRITE && !(pg->leaf & S5000_PTE_WRITE)) ||
                           (access == S5000_ACCESS_EXEC && !(pg->leaf & S5000_PTE_EXEC))))
            pg->error = S5000_ERR_PAGE_FAULT;
    }
    if (pg->error)
        return (struct ref){ .error = pg->error, .region = -1 };
    addr = (pg->leaf & S5000_PTE_ADDR_MASK) + (va & ((1ull << pg->shift) - 1));
    if (!(pg->leaf & S5000_PTE_SYSTEM))
        return (struct ref){ .host = vram + addr, .region = -1 };
    region = ref_region(addr, access == S5000_ACCESS_WRITE ? PROT_WRITE : PROT_READ, &host);
    if (!host)
        return (struct ref){ .error = S5000_ERR_DMA, .region = -1 };
    return (struct ref){ .host = host, .region = region };
}

static struct ref ref_byte(unsigned int ctx, uint64_t va, uint8_t access)
{
    struct ref_page pg = { .page = UINT64_MAX };

    return ref_byte_in(&pg, ctx, va, access);
}

/* A run of bytes that are contiguous in host memory. */
struct piece {
    uint8_t *host;
    uint64_t len;
};

/* An access of size bytes at va as the reference sees it. */
struct ref_access {
    uint64_t good;                      /* bytes before the first that fails */
    uint32_t error;                     /* of that byte, if good < size */
    uint64_t same_memory;               /* bytes from the start in byte 0's region or VRAM */
    struct piece piece[MAX_PIECES];
    unsigned int pieces;
    bool too_scattered;                 /* more pieces than fit: no content check */
};

static void ref_access(unsigned int ctx, uint64_t va, uint64_t size, uint8_t access,
                       struct ref_access *r)
{
    struct ref_page pg = { .page = UINT64_MAX };
    int first_region = -2;

    r->good = 0;
    r->error = 0;
    r->same_memory = 0;
    r->pieces = 0;
    r->too_scattered = false;
    for (; r->good < size; r->good++) {
        struct ref b = ref_byte_in(&pg, ctx, va + r->good, access);
        struct piece *last = r->pieces ? &r->piece[r->pieces - 1] : NULL;

        if (b.error) {
            r->error = b.error;
            return;
        }
        if (first_region == -2)
            first_region = b.region;
        if (b.region == first_region && r->same_memory == r->good)
            r->same_memory++;
        if (last && last->host + last->len == b.host)
            last->len++;
        else if (r->pieces < MAX_PIECES)
            r->piece[r->pieces++] = (struct piece){ b.host, 1 };
        else
            r->too_scattered = true;
    }
}

static void ref_copy_out(const struct ref_access *r, uint8_t *dst)
{
    for (unsigned int i = 0; i < r->pieces; i++) {
        memcpy(dst, r->piece[i].host, r->piece[i].len);
        dst += r->piece[i].len;
    }
}

static bool pieces_overlap(const struct ref_access *a, const struct ref_access *b)
{
    for (unsigned int i = 0; i < a->pieces; i++) {
        for (unsigned int j = 0; j < b->pieces; j++) {
            if (a == b && i == j)
                continue;
            if (a->piece[i].host < b->piece[j].host + b->piece[j].len &&
                b->piece[j].host < a->piece[i].host + a->piece[i].len)
                return true;
        }
    }
    return false;
}

/* ------------------------------------------------------- which pages are tables */

static void mark_tables(uint64_t table, int level, uint8_t *is_table)
{
    if (!ref_table_ok(table) || is_table[table / PAGE] & (1u << level))
        return;
    is_table[table / PAGE] |= (uint8_t)(1u << level);
    if (level == 0)
        return;
    for (unsigned int i = 0; i < S5000_PT_ENTRIES; i++) {
        uint64_t pte;

        memcpy(&pte, vram + table + i * 8, sizeof(pte));
        if ((pte & S5000_PTE_VALID) && !(pte & S5000_PTE_SYSTEM) &&
            !(level <= 2 && (pte & S5000_PTE_LEAF)))
            mark_tables(pte & S5000_PTE_ADDR_MASK, level - 1, is_table);
    }
}

/* Whether a write of these pieces may change a table of some context. */
static bool hits_tables(const struct ref_access *r)
{
    static uint8_t is_table[VRAM_PAGES];

    memset(is_table, 0, sizeof(is_table));
    for (unsigned int c = 0; c < CONTEXTS; c++) {
        if (model_root[c])
            mark_tables(model_root[c], S5000_PT_LEVELS - 1, is_table);
    }
    for (unsigned int i = 0; i < r->pieces; i++) {
        const struct piece *p = &r->piece[i];

        if (p->host < vram || p->host >= vram + VRAM_SIZE)
            continue;
        for (uint64_t pg = (uint64_t)(p->host - vram) / PAGE;
             pg <= (uint64_t)(p->host - vram + p->len - 1) / PAGE; pg++) {
            if (is_table[pg])
                return true;
        }
    }
    return r->too_scattered;
}

static void tables_changed(void)
{
    for (unsigned int c = 0; c < CONTEXTS; c++)
        dirty[c] = true;
}

/* ------------------------------------------------------------ checking */

/* Whether the reference may be trusted for an access of ctx now. */
static bool exact(unsigned int ctx)
{
    return (ctx >= CONTEXTS || !dirty[ctx]) &&
           !atomic_load(&mem.poison_next_vram) && !atomic_load(&mem.fail_next_dma);
}

static void check_fault_shape(const struct emu_fault *f, uint64_t va, uint64_t size,
                              uint8_t access, const char *what)
{
    fuzz_check(f->error == S5000_ERR_PAGE_FAULT || f->error == S5000_ERR_DMA ||
               f->error == S5000_ERR_ECC || f->error == S5000_ERR_BAD_CONTEXT,
               "%s: error %u is not a memory error", what, f->error);
    fuzz_check(f->access == access, "%s: access %u, not %u", what, f->access, access);
    fuzz_check(f->address - va < (size ? size : 1),
               "%s: fault at 0x%llx, outside [0x%llx, +%llu)", what,
               (unsigned long long)f->address, (unsigned long long)va,
               (unsigned long long)size);
    fuzz_check(f->kind == 0 && f->pc == 0, "%s: a kernel fault from the MMU", what);
}

/* The result of one access against the reference r of its bytes. */
static void check_against(bool done, const struct emu_fault *f, uint64_t va, uint64_t size,
                          const struct ref_access *r, const char *what)
{
    if (r->good == size) {
        fuzz_check(done, "%s of %llu bytes at 0x%llx failed (error %u at 0x%llx); "
                   "every byte translates", what, (unsigned long long)size,
                   (unsigned long long)va, f->error, (unsigned long long)f->address);
        return;
    }
    fuzz_check(!done, "%s of %llu bytes at 0x%llx succeeded; byte %llu does not translate "
               "(error %u)", what, (unsigned long long)size, (unsigned long long)va,
               (unsigned long long)r->good, r->error);
    fuzz_check(f->address == va + r->good && f->error == r->error,
               "%s at 0x%llx: fault at 0x%llx error %u, expected 0x%llx error %u", what,
               (unsigned long long)va, (unsigned long long)f->address, f->error,
               (unsigned long long)(va + r->good), r->error);
}

/* ------------------------------------------------------------ picking */

static unsigned int pick_ctx(struct fuzz_input *in)
{
    uint8_t c = fuzz_u8(in);

    return c < 0xf0 ? c % CONTEXTS : c;
}

static unsigned int pick_index(struct fuzz_input *in)
{
    uint8_t s = fuzz_u8(in);

    return s < 0xe0 ? s % 4 : s < 0xf0 ? 511 - s % 4 : fuzz_u16(in) % S5000_PT_ENTRIES;
}

static uint64_t pick_va(struct fuzz_input *in)
{
    uint8_t sel = fuzz_u8(in);
    uint64_t va = 0;

    if (sel >= 0xf0)
        return fuzz_u64(in);
    for (int level = S5000_PT_LEVELS - 1; level >= 0; level--)
        va |= (uint64_t)pick_index(in) << S5000_PT_SHIFT(level);
    va |= sel & 1 ? PAGE - 1 - fuzz_u8(in) % 32 : fuzz_u16(in) % PAGE;
    return sel >= 0xe0 ? va | 1ull << (S5000_VA_BITS + sel % 16) : va;
}

static uint64_t pick_size(struct fuzz_input *in)
{
    uint8_t sel = fuzz_u8(in);

    return sel < 0x80 ? sel % 17 : sel < 0xe0 ? fuzz_u16(in) % (MAX_ACCESS + 1) :
           PAGE * (sel % 4 + 1);
}

static uint64_t pick_bus(struct fuzz_input *in)
{
    unsigned int i = dma.count ? fuzz_u8(in) % dma.count : 0;

    if (!dma.count || fuzz_u8(in) >= 0xf0)
        return fuzz_u64(in);
    return dma.regions[i].gpa + fuzz_u32(in) % (dma.regions[i].len + 64);
}

static uint64_t pick_flags(struct fuzz_input *in)
{
    uint8_t f = fuzz_u8(in);

    return (f & 1 ? S5000_PTE_WRITE : 0) | (f & 2 ? S5000_PTE_EXEC : 0) |
           (f >= 0xf8 ? 1ull << (5 + f % 7) : 0);      /* an undefined bit */
}

static uint64_t pick_pte(struct fuzz_input *in)
{
    uint8_t sel = fuzz_u8(in) % 8;
    uint64_t page = fuzz_u16(in), bus;

    switch (sel) {
    case 0: case 1:
        return S5000_PTE_VALID | (page % TABLE_PAGES) * PAGE;
    case 2: case 3:
        return S5000_PTE_VALID | pick_flags(in) | (page % VRAM_PAGES) * PAGE;
    case 4:
        return S5000_PTE_VALID | S5000_PTE_LEAF | pick_flags(in) | (page % 3) * (2ull << 20);
    case 5:
        bus = pick_bus(in) & ~(PAGE - 1);
        return S5000_PTE_VALID | S5000_PTE_SYSTEM | pick_flags(in) | bus;
    case 6:
        return S5000_PTE_VALID | S5000_PTE_LEAF | S5000_PTE_SYSTEM | pick_flags(in) |
               (page % 2) * BIG_BUS;
    default:
        return fuzz_u64(in);
    }
}

/* ------------------------------------------------------------ operations */

static void op_pte(struct fuzz_input *in)
{
    uint8_t t = fuzz_u8(in);
    uint64_t table = (t < 0xf0 ? t % TABLE_PAGES : fuzz_u16(in) % VRAM_PAGES) * PAGE;
    unsigned int index = pick_index(in);
    uint64_t pte = pick_pte(in);

    __atomic_store_n((uint64_t *)(vram + table) + index, pte, __ATOMIC_RELEASE);
    tables_changed();
}

static void op_root(struct fuzz_input *in)
{
    unsigned int ctx = pick_ctx(in);
    uint8_t t = fuzz_u8(in);
    uint64_t root = t < 0xf0 ? (t % TABLE_PAGES) * PAGE : fuzz_u64(in);

    emu_mmu_set_root(&mmu, ctx, root);
    if (ctx < CONTEXTS) {
        model_root[ctx] = root;
        dirty[ctx] = false;
    }
}

static void op_enable(struct fuzz_input *in)
{
    unsigned int ctx = pick_ctx(in);
    bool on = fuzz_u8(in) % 4 != 0;

    emu_mmu_enable(&mmu, ctx, on);
    if (ctx < CONTEXTS) {
        model_enabled[ctx] = on;
        dirty[ctx] = false;
    }
}

static void op_invalidate(struct fuzz_input *in)
{
    unsigned int ctx = fuzz_u8(in) < 0x40 ? S5000_TLB_ALL : pick_ctx(in);

    emu_mmu_invalidate(&mmu, ctx);
    for (unsigned int c = 0; c < CONTEXTS; c++) {
        if (ctx == S5000_TLB_ALL || ctx == c)
            dirty[c] = false;
    }
}

static struct emu_tlb *pick_tlb(struct fuzz_input *in)
{
    return fuzz_u8(in) < 0xe0 ? &tlb : NULL;
}

/* Reads, fetches, writes. */
static void op_access(struct fuzz_input *in, uint8_t access)
{
    static struct ref_access r;
    struct emu_tlb *t = pick_tlb(in);
    unsigned int ctx = pick_ctx(in);
    uint64_t va = pick_va(in), size = pick_size(in);
    bool trust, done;
    struct emu_fault f = { 0 };
    const char *what = access == S5000_ACCESS_READ ? "read" : access == S5000_ACCESS_EXEC ?
                       "fetch" : "write";

    fuzz_bytes(in, buf, size);
    ref_access(ctx, va, size, access, &r);
    /* A write into the tables it walks may see old or new entries. */
    if (access == S5000_ACCESS_WRITE && hits_tables(&r))
        tables_changed();
    trust = exact(ctx);
    if (access == S5000_ACCESS_WRITE) {
        done = emu_mem_write(&mmu, t, ctx, va, buf, size, &f);
    } else {
        done = access == S5000_ACCESS_READ ? emu_mem_read(&mmu, t, ctx, va, buf, size, &f) :
               emu_mem_fetch(&mmu, t, ctx, va, buf, size, &f);
    }
    if (!done)
        check_fault_shape(&f, va, size, access, what);
    if (!trust)
        return;
    check_against(done, &f, va, size, &r, what);
    if (r.too_scattered || pieces_overlap(&r, &r))
        return;
    ref_copy_out(&r, before);
    fuzz_check(memcmp(before, buf, r.good) == 0, "%s at 0x%llx: wrong bytes", what,
               (unsigned long long)va);
}

static void op_atomic(struct fuzz_input *in, enum op op)
{
    struct emu_tlb *t = pick_tlb(in);
    unsigned int ctx = pick_ctx(in);
    uint64_t va = fuzz_u8(in) < 0xf0 ? pick_va(in) & ~7ull : pick_va(in);
    uint64_t val = fuzz_u64(in), old = 0, expect = 0;
    uint8_t access = op == OP_LOAD64 ? S5000_ACCESS_READ : S5000_ACCESS_WRITE;
    struct ref b = ref_byte(ctx, va, access), last = ref_byte(ctx, va + 7, access);
    bool trust, done;
    struct emu_fault f = { 0 };

    if (!b.error)
        memcpy(&old, b.host, sizeof(old));
    if (!b.error && access == S5000_ACCESS_WRITE) {
        struct ref_access word = { .pieces = 1, .piece = { { b.host, 8 } } };

        if (hits_tables(&word))
            tables_changed();
    }
    trust = exact(ctx);
    if (op == OP_LOAD64)
        done = emu_mem_load64(&mmu, t, ctx, va, &expect, &f);
    else if (op == OP_STORE64)
        done = emu_mem_store64(&mmu, t, ctx, va, val, &f);
    else
        done = emu_mem_add64(&mmu, t, ctx, va, val, &f);
    if (!done)
        check_fault_shape(&f, va, 1, access, "64-bit access");
    if (!trust)
        return;
    /* Misaligned first, then the translation; a word must be one host word. */
    if (va % 8)
        b.error = S5000_ERR_PAGE_FAULT;
    else if (!b.error && (last.error || last.region != b.region || last.host != b.host + 7 ||
                          (uintptr_t)b.host % 8))
        b.error = S5000_ERR_DMA;
    fuzz_check(done == !b.error && (done || (f.address == va && f.error == b.error)),
               "64-bit access at 0x%llx: %s (error %u at 0x%llx), expected error %u",
               (unsigned long long)va, done ? "done" : "failed", f.error,
               (unsigned long long)f.address, b.error);
    if (done && op == OP_LOAD64)
        fuzz_check(expect == old, "load64 at 0x%llx: wrong value", (unsigned long long)va);
    if (done && op != OP_LOAD64)
        fuzz_check(memcmp(b.host, &(uint64_t){ op == OP_STORE64 ? val : old + val }, 8) == 0,
                   "64-bit write at 0x%llx: wrong value", (unsigned long long)va);
}

static void op_copy(struct fuzz_input *in)
{
    static struct ref_access rs, rd;
    struct emu_tlb *t = pick_tlb(in);
    unsigned int ctx = pick_ctx(in);
    uint64_t src = pick_va(in), dst = pick_va(in), size = pick_size(in), good;
    bool trust, done;
    struct emu_fault f = { 0 };

    ref_access(ctx, src, size, S5000_ACCESS_READ, &rs);
    ref_access(ctx, dst, size, S5000_ACCESS_WRITE, &rd);
    ref_copy_out(&rs, before);
    if (hits_tables(&rd))
        tables_changed();
    trust = exact(ctx);
    done = emu_copy(&mmu, t, ctx, dst, src, size, &f);
    if (!done)
        fuzz_check(f.access == S5000_ACCESS_READ ? f.address - src < size :
                   f.address - dst < size, "copy: fault at 0x%llx outside its ranges",
                   (unsigned long long)f.address);
    if (!trust)
        return;
    /*
     * The first offset where either side fails. Both sides are translated before
     * either reaches guest RAM: at one offset, a translation error of the source wins,
     * then one of the destination, then the source's guest RAM.
     */
    good = rs.good < rd.good ? rs.good : rd.good;
    if (good == size) {
        fuzz_check(done, "copy of %llu bytes failed (error %u at 0x%llx); all translate",
                   (unsigned long long)size, f.error, (unsigned long long)f.address);
    } else {
        bool src_fails = rs.good == good &&
                         (rd.good != good || rs.error != S5000_ERR_DMA ||
                          rd.error == S5000_ERR_DMA);

        fuzz_check(!done && f.error == (src_fails ? rs.error : rd.error) &&
                   f.address == (src_fails ? src : dst) + good &&
                   f.access == (src_fails ? S5000_ACCESS_READ : S5000_ACCESS_WRITE),
                   "copy: fault at 0x%llx error %u, expected %s+%llu error %u",
                   (unsigned long long)f.address, f.error, src_fails ? "src" : "dst",
                   (unsigned long long)good, src_fails ? rs.error : rd.error);
    }
    if (rs.too_scattered || rd.too_scattered || pieces_overlap(&rd, &rd) ||
        pieces_overlap(&rs, &rd))
        return;
    rd.pieces = 0;
    ref_access(ctx, dst, good, S5000_ACCESS_WRITE, &rd);
    ref_copy_out(&rd, buf);
    fuzz_check(memcmp(before, buf, good) == 0, "copy: wrong bytes at the destination");
}

static void op_fill(struct fuzz_input *in)
{
    static struct ref_access r;
    static const unsigned int widths[] = { 1, 2, 4, 8, 3, 0, 16 };
    struct emu_tlb *t = pick_tlb(in);
    unsigned int ctx = pick_ctx(in), width = widths[fuzz_u8(in) % 7];
    uint64_t dst = pick_va(in), size = pick_size(in), pattern = fuzz_u64(in);
    bool width_ok = width && width <= 8 && !(width & (width - 1)), bad, trust, done;
    struct emu_fault f = { 0 };

    if (width_ok && fuzz_u8(in) & 1) {
        dst &= ~(uint64_t)(width - 1);
        size &= ~(uint64_t)(width - 1);
    }
    bad = !width_ok || size % width || dst % width;
    ref_access(ctx, dst, size, S5000_ACCESS_WRITE, &r);
    if (!bad && hits_tables(&r))
        tables_changed();
    trust = exact(ctx);
    done = emu_fill(&mmu, t, ctx, dst, size, pattern, width, &f);
    if (bad) {
        fuzz_check(!done && f.error == S5000_ERR_BAD_PACKET && f.address == dst,
                   "fill of width %u, size %llu at 0x%llx: not refused", width,
                   (unsigned long long)size, (unsigned long long)dst);
        return;
    }
    if (!done)
        check_fault_shape(&f, dst, size, S5000_ACCESS_WRITE, "fill");
    if (!trust)
        return;
    check_against(done, &f, dst, size, &r, "fill");
    if (r.too_scattered || pieces_overlap(&r, &r))
        return;
    ref_copy_out(&r, buf);
    for (uint64_t i = 0; i < r.good; i++)
        fuzz_check(buf[i] == (uint8_t)(pattern >> (8 * (i % width))),
                   "fill of width %u at 0x%llx: byte %llu wrong", width,
                   (unsigned long long)dst, (unsigned long long)i);
}

static void op_pin(struct fuzz_input *in)
{
    static struct ref_access r;
    unsigned int ctx = pick_ctx(in);
    uint64_t va = pick_va(in), size = fuzz_u8(in) < 0xf0 ? 1 + fuzz_u16(in) % 64 : fuzz_u16(in);
    uint8_t access = fuzz_u8(in) % 3;
    unsigned int generation = emu_mmu_hold(&mmu, &tlb, ctx);
    bool trust, system = false;
    struct emu_fault f = { 0 };
    void *host;

    ref_access(ctx, va, size, access, &r);
    /* A pinned access is one host range: guest RAM ends it as a fault. */
    if (r.same_memory < r.good) {
        r.good = r.same_memory;
        r.error = S5000_ERR_DMA;
    }
    trust = exact(ctx);
    host = emu_mmu_pin(&mmu, &tlb, ctx, generation, va, size, access, &system, &f);
    if (host)
        emu_mmu_unpin(&mmu, system);
    emu_mmu_release(&mmu, &tlb);
    if (size == 0 || size > PAGE - va % PAGE) {
        fuzz_check(!host && f.error == S5000_ERR_BAD_PACKET && f.address == va,
                   "pin of %llu bytes at 0x%llx: not refused", (unsigned long long)size,
                   (unsigned long long)va);
        return;
    }
    if (!host)
        check_fault_shape(&f, va, size, access, "pin");
    if (!trust)
        return;
    check_against(host != NULL, &f, va, size, &r, "pin");
    fuzz_check(!host || (r.pieces == 1 && r.piece[0].host == host),
               "pin at 0x%llx: host pointer is not the page's", (unsigned long long)va);
}

static void op_phys_write(struct fuzz_input *in)
{
    uint64_t bus = pick_bus(in), size = fuzz_u8(in) % 64;
    uint8_t *host = NULL;
    bool done;

    fuzz_bytes(in, buf, size);
    for (unsigned int i = 0; i < dma.count && size; i++) {
        const struct emu_dma_region *r = &dma.regions[i];

        if (bus >= r->gpa && size <= r->len && bus - r->gpa <= r->len - size &&
            (r->prot & PROT_WRITE))
            host = r->hva + (bus - r->gpa);
    }
    done = emu_phys_write(&mem, bus, buf, size);
    fuzz_check(done == (host != NULL || size == 0), "untranslated write of %llu bytes at bus "
               "0x%llx: %s", (unsigned long long)size, (unsigned long long)bus,
               done ? "done outside guest RAM" : "refused");
    fuzz_check(!host || memcmp(host, buf, size) == 0, "untranslated write: wrong bytes");
}

static void op_dma_add(struct fuzz_input *in)
{
    unsigned int p = fuzz_u8(in) % REGIONS;
    uint64_t off = fuzz_u32(in) % pool_size[p], len = fuzz_u32(in) % (pool_size[p] - off) + 1;
    uint64_t gpa = fuzz_u8(in) < 0xf0 ? (fuzz_u16(in) % 64) * PAGE : fuzz_u64(in);
    int prot = fuzz_u8(in) % 4 ? PROT_READ | PROT_WRITE : PROT_READ;

    /* Mostly whole pages; else anywhere, 8-byte aligned or not. */
    if (fuzz_u8(in) < 0xc0) {
        off &= ~(PAGE - 1);
        len = (len + PAGE - 1) & ~(PAGE - 1);
        len = len < pool_size[p] - off ? len : pool_size[p] - off;
    } else {
        gpa += fuzz_u8(in) % 9;
    }
    /* A 1 GiB system page reaches guest RAM here too. */
    if (fuzz_u8(in) & 1)
        gpa += BIG_BUS;
    emu_dma_add(&dma, gpa, len, pool[p] + off, prot);
}

static void op_dma_remove(struct fuzz_input *in)
{
    unsigned int i;

    if (!dma.count)
        return;
    i = fuzz_u8(in) % dma.count;
    fuzz_check(emu_dma_remove(&dma, dma.regions[i].gpa, dma.regions[i].len),
               "a guest-RAM region could not be removed");
}

static void op_inject(struct fuzz_input *in)
{
    if (fuzz_u8(in) & 1)
        emu_memory_poison(&mem);
    else
        atomic_store(&mem.fail_next_dma, true);
}

static void run_op(struct fuzz_input *in, enum op op)
{
    switch (op) {
    case OP_PTE:        op_pte(in); break;
    case OP_ROOT:       op_root(in); break;
    case OP_ENABLE:     op_enable(in); break;
    case OP_INVALIDATE: op_invalidate(in); break;
    case OP_READ:       op_access(in, S5000_ACCESS_READ); break;
    case OP_WRITE:      op_access(in, S5000_ACCESS_WRITE); break;
    case OP_FETCH:      op_access(in, S5000_ACCESS_EXEC); break;
    case OP_LOAD64: case OP_STORE64: case OP_ADD64: op_atomic(in, op); break;
    case OP_COPY:       op_copy(in); break;
    case OP_FILL:       op_fill(in); break;
    case OP_PIN:        op_pin(in); break;
    case OP_PHYS_WRITE: op_phys_write(in); break;
    case OP_DMA_ADD:    op_dma_add(in); break;
    case OP_DMA_REMOVE: op_dma_remove(in); break;
    default:            op_inject(in); break;
    }
}

void fuzz_harness_run(struct fuzz_input *in)
{
    reset();
    for (unsigned int n = 0; n < 64 && fuzz_more(in); n++)
        run_op(in, (enum op)(fuzz_u8(in) % OP_COUNT));
}

/* ------------------------------------------------------------------ seeds */

static void seed_va(struct fuzz_output *out, unsigned int i3, unsigned int i2, unsigned int i1,
                    unsigned int i0, uint16_t offset)
{
    fuzz_put_u8(out, 0);                /* composed, offset from 16 bits */
    fuzz_put_u8(out, (uint8_t)i3);
    fuzz_put_u8(out, (uint8_t)i2);
    fuzz_put_u8(out, (uint8_t)i1);
    fuzz_put_u8(out, (uint8_t)i0);
    fuzz_put_u16(out, offset);
}

/* Entry index of table page t := a pointer to table page next (pick_pte() case 0). */
static void seed_table_entry(struct fuzz_output *out, unsigned int t, unsigned int index,
                             unsigned int next)
{
    fuzz_put_u8(out, OP_PTE);
    fuzz_put_u8(out, (uint8_t)t);
    fuzz_put_u8(out, (uint8_t)index);
    fuzz_put_u8(out, 0);
    fuzz_put_u16(out, (uint16_t)next);
}

/* A 4 KiB leaf in table page t to VRAM page, read-write-exec (pick_pte() case 2). */
static void seed_leaf(struct fuzz_output *out, unsigned int t, unsigned int index,
                      unsigned int page)
{
    fuzz_put_u8(out, OP_PTE);
    fuzz_put_u8(out, (uint8_t)t);
    fuzz_put_u8(out, (uint8_t)index);
    fuzz_put_u8(out, 2);
    fuzz_put_u16(out, (uint16_t)page);
    fuzz_put_u8(out, 3);                /* WRITE | EXEC */
}

/* Context 0: root in page 1, VA 0 ... maps VRAM pages 100 and 101 at VA pages 0 and 1. */
static void seed_context(struct fuzz_output *out)
{
    seed_table_entry(out, 1, 0, 2);
    seed_table_entry(out, 2, 0, 3);
    seed_table_entry(out, 3, 0, 4);
    seed_leaf(out, 4, 0, 100);
    seed_leaf(out, 4, 1, 101);
    fuzz_put_u8(out, OP_ROOT);
    fuzz_put_u8(out, 0);
    fuzz_put_u8(out, 1);
    fuzz_put_u8(out, OP_ENABLE);
    fuzz_put_u8(out, 0);
    fuzz_put_u8(out, 1);
}

static void seed_access(struct fuzz_output *out, enum op op, uint16_t offset, uint16_t size)
{
    fuzz_put_u8(out, op);
    fuzz_put_u8(out, 0);                /* the TLB */
    fuzz_put_u8(out, 0);                /* context 0 */
    seed_va(out, 0, 0, 0, 0, offset);
    fuzz_put_u8(out, 0x80);
    fuzz_put_u16(out, size);
    for (unsigned int i = 0; i < 64; i++)
        fuzz_put_u8(out, (uint8_t)(i * 7));
}

/* Guest RAM: 36 KiB of the 64 KiB pool at bus 64 KiB, mapped at VA page 2. */
static void seed_system_page(struct fuzz_output *out)
{
    fuzz_put_u8(out, OP_DMA_ADD);
    fuzz_put_u8(out, 1);
    fuzz_put_u32(out, 0);
    fuzz_put_u32(out, 0x8000);
    fuzz_put_u8(out, 0);
    fuzz_put_u16(out, 16);
    fuzz_put_u8(out, 1);                /* read-write */
    fuzz_put_u8(out, 0);                /* whole pages */
    fuzz_put_u8(out, 0);                /* below BIG_BUS */
    fuzz_put_u8(out, OP_PTE);
    fuzz_put_u8(out, 4);
    fuzz_put_u8(out, 2);
    fuzz_put_u8(out, 5);                /* a system leaf */
    fuzz_put_u16(out, 0);
    fuzz_put_u8(out, 0);                /* at region 0's start */
    fuzz_put_u8(out, 0);
    fuzz_put_u32(out, 0);
    fuzz_put_u8(out, 1);                /* WRITE */
    fuzz_put_u8(out, OP_INVALIDATE);
    fuzz_put_u8(out, 0);
}

void fuzz_harness_seeds(void)
{
    struct fuzz_output out = { 0 };

    /* Reads and writes across two pages, and past them into nothing. */
    seed_context(&out);
    seed_access(&out, OP_WRITE, 0xff0, 64);
    seed_access(&out, OP_READ, 0xff0, 64);
    seed_access(&out, OP_FETCH, 0xff0, 8192);
    fuzz_seed(&out);

    /* Guest RAM behind a system page: an atomic there, and a copy from VRAM to it. */
    seed_context(&out);
    seed_system_page(&out);
    fuzz_put_u8(&out, OP_ADD64);
    fuzz_put_u8(&out, 0);
    fuzz_put_u8(&out, 0);
    fuzz_put_u8(&out, 0);               /* aligned */
    seed_va(&out, 0, 0, 0, 2, 8);
    fuzz_put_u64(&out, 5);
    fuzz_put_u8(&out, OP_COPY);
    fuzz_put_u8(&out, 0);
    fuzz_put_u8(&out, 0);
    seed_va(&out, 0, 0, 0, 0, 0x100);
    seed_va(&out, 0, 0, 0, 2, 0x200);
    fuzz_put_u8(&out, 0x80);
    fuzz_put_u16(&out, 1024);
    seed_access(&out, OP_READ, 0x1f00, 0x1000);
    fuzz_seed(&out);

    /* A fill of every width, then a page pinned. */
    seed_context(&out);
    for (unsigned int w = 0; w < 4; w++) {
        fuzz_put_u8(&out, OP_FILL);
        fuzz_put_u8(&out, 0);
        fuzz_put_u8(&out, 0);
        fuzz_put_u8(&out, (uint8_t)w);
        seed_va(&out, 0, 0, 0, 1, (uint16_t)(0x10 * w));
        fuzz_put_u8(&out, 0x80);
        fuzz_put_u16(&out, 0x100);
        fuzz_put_u64(&out, 0x1122334455667788ull);
        fuzz_put_u8(&out, 0);
    }
    fuzz_put_u8(&out, OP_PIN);
    fuzz_put_u8(&out, 0);
    seed_va(&out, 0, 0, 0, 1, 0x40);
    fuzz_put_u8(&out, 0);
    fuzz_put_u16(&out, 31);
    fuzz_put_u8(&out, 1);               /* write */
    fuzz_seed(&out);
}
