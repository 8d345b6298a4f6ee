// SPDX-License-Identifier: MIT
/*
 * Unit tests of the device MMU and the copy engine: fake VRAM, fake guest RAM in
 * a DMA table, page tables built by hand. No socket, no libvfio-user.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../uapi/s5000.h"
#include "dma.h"
#include "mmu.h"
#include "tap.h"

#define KiB                 (1ull << 10)
#define MiB                 (1ull << 20)
#define GiB                 (1ull << 30)
#define PAGE                4096ull

/* Room for a 1 GiB page at 1 GiB; only touched pages take memory. */
#define VRAM_SIZE           (2 * GiB)
#define TABLES_END          (4 * MiB)       /* page tables below, data above */
#define VRAM_DATA_END       (1 * GiB)

/* Guest RAM: two regions, adjacent on the bus. */
#define RAM_BUS             0x100000000ull
#define RAM_SIZE            (32 * MiB)
#define RAM2_BUS            (RAM_BUS + RAM_SIZE)
#define RAM2_SIZE           (2 * MiB)
#define NO_RAM_BUS          0x500000000ull  /* not guest RAM */

#define CTX                 1
#define RW                  S5000_PTE_WRITE
#define RO                  0ull
#define SYS                 S5000_PTE_SYSTEM

struct fixture {
    uint8_t *vram;
    int vram_fd;                /* a sparse shared memfd, as in the emulator */
    uint8_t *ram, *ram2;
    struct emu_dma_table dma;
    struct emu_memory mem;
    struct emu_mmu mmu;
    struct emu_tlb tlb;
    uint64_t root;
    uint64_t next_table;        /* bump allocators */
    uint64_t next_vram;
    uint64_t next_ram;
};

static struct fixture fx;

static uint8_t *map_anon(uint64_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    return p;
}

static uint64_t align_up(uint64_t x, uint64_t align)
{
    return (x + align - 1) & ~(align - 1);
}

static uint64_t new_table(struct fixture *f)
{
    uint64_t table = f->next_table;

    f->next_table += PAGE;
    if (f->next_table > TABLES_END)
        abort();
    memset(f->vram + table, 0, PAGE);
    return table;
}

static uint64_t vram_alloc(struct fixture *f, uint64_t size, uint64_t align)
{
    uint64_t off = align_up(f->next_vram, align);

    f->next_vram = off + size;
    if (f->next_vram > VRAM_DATA_END)
        abort();
    return off;
}

static uint64_t ram_alloc(struct fixture *f, uint64_t size, uint64_t align)
{
    uint64_t bus = align_up(f->next_ram, align);

    f->next_ram = bus + size;
    if (f->next_ram > RAM_BUS + RAM_SIZE)
        abort();
    return bus;
}

static uint8_t *ram_at(struct fixture *f, uint64_t bus)
{
    return bus >= RAM2_BUS ? f->ram2 + (bus - RAM2_BUS) : f->ram + (bus - RAM_BUS);
}

/* The entry for va at level in the tables under root, making tables above it. */
static uint64_t *pte_at(struct fixture *f, uint64_t root, uint64_t va, int level)
{
    uint64_t table = root;

    for (int l = S5000_PT_LEVELS - 1; l > level; l--) {
        uint64_t *entry = (uint64_t *)(f->vram + table) + S5000_PT_INDEX(va, l);

        if (!(*entry & S5000_PTE_VALID))
            *entry = new_table(f) | S5000_PTE_VALID;
        table = *entry & S5000_PTE_ADDR_MASK;
    }
    return (uint64_t *)(f->vram + table) + S5000_PT_INDEX(va, level);
}

static uint64_t leaf(uint64_t addr, int level, uint64_t flags)
{
    return addr | flags | S5000_PTE_VALID | (level ? S5000_PTE_LEAF : 0);
}

/* level 0: 4 KiB page, 1: 2 MiB, 2: 1 GiB. */
static void map(struct fixture *f, uint64_t va, uint64_t addr, int level, uint64_t flags)
{
    __atomic_store_n(pte_at(f, f->root, va, level), leaf(addr, level, flags), __ATOMIC_RELEASE);
}

static void unmap(struct fixture *f, uint64_t va, int level)
{
    __atomic_store_n(pte_at(f, f->root, va, level), 0, __ATOMIC_RELEASE);
}

/* Maps size bytes at va to consecutive pages at addr. */
static void map_linear(struct fixture *f, uint64_t va, uint64_t addr, uint64_t size, int level,
                       uint64_t flags)
{
    uint64_t page = 1ull << S5000_PT_SHIFT(level);

    for (uint64_t off = 0; off < size; off += page)
        map(f, va + off, addr + off, level, flags);
}

/* Maps size bytes at va to the 4 KiB pages of [addr, addr + size) in scrambled order. */
static void map_scattered(struct fixture *f, uint64_t va, uint64_t addr, uint64_t size,
                          uint64_t flags)
{
    uint64_t pages = size / PAGE;

    for (uint64_t i = 0; i < pages; i++)
        map(f, va + i * PAGE, addr + (i * 7919 % pages) * PAGE, 0, flags);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void fill_random(uint8_t *buf, uint64_t size)
{
    for (uint64_t i = 0; i < size; i++)
        buf[i] = rnd();
}

static uint8_t *map_memfd(int *fd, uint64_t size)
{
    void *p;

    *fd = memfd_create("test-vram", MFD_CLOEXEC);
    if (*fd < 0 || ftruncate(*fd, (off_t)size) != 0) {
        perror("memfd");
        exit(2);
    }
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, *fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    return p;
}

static void fixture_init(struct fixture *f)
{
    f->vram = map_memfd(&f->vram_fd, VRAM_SIZE);
    f->ram = map_anon(RAM_SIZE);
    f->ram2 = map_anon(RAM2_SIZE);
    emu_dma_init(&f->dma);
    if (!emu_dma_add(&f->dma, RAM_BUS, RAM_SIZE, f->ram, PROT_READ | PROT_WRITE) ||
        !emu_dma_add(&f->dma, RAM2_BUS, RAM2_SIZE, f->ram2, PROT_READ | PROT_WRITE))
        abort();
    emu_memory_init(&f->mem, f->vram, VRAM_SIZE, &f->dma);
    emu_mmu_init(&f->mmu, &f->mem);
    emu_tlb_init(&f->tlb);
    if (!emu_mmu_register_tlb(&f->mmu, &f->tlb))
        abort();

    f->next_table = PAGE;       /* keep offset 0 unused: a zero root means none */
    f->next_vram = TABLES_END;
    f->next_ram = RAM_BUS;
    f->root = new_table(f);
    emu_mmu_set_root(&f->mmu, CTX, f->root);
    emu_mmu_enable(&f->mmu, CTX, true);
}

static void fixture_fini(struct fixture *f)
{
    emu_memory_fini(&f->mem);
    munmap(f->vram, VRAM_SIZE);
    close(f->vram_fd);
    munmap(f->ram, RAM_SIZE);
    munmap(f->ram2, RAM2_SIZE);
}

/* Shorthands on the fixture's context and TLB. */
static bool rd(uint64_t va, void *buf, uint64_t size, struct emu_fault *fault)
{
    return emu_mem_read(&fx.mmu, &fx.tlb, CTX, va, buf, size, fault);
}

static bool wr(uint64_t va, const void *buf, uint64_t size, struct emu_fault *fault)
{
    return emu_mem_write(&fx.mmu, &fx.tlb, CTX, va, buf, size, fault);
}

static bool copy(uint64_t dst, uint64_t src, uint64_t size, struct emu_fault *fault)
{
    return emu_copy(&fx.mmu, &fx.tlb, CTX, dst, src, size, fault);
}

static bool fill(uint64_t dst, uint64_t size, uint64_t pattern, unsigned int width,
                 struct emu_fault *fault)
{
    return emu_fill(&fx.mmu, &fx.tlb, CTX, dst, size, pattern, width, fault);
}

static uint8_t rd8(uint64_t va, bool *good)
{
    struct emu_fault fault;
    uint8_t byte = 0;

    *good = rd(va, &byte, 1, &fault);
    return byte;
}

static bool is_fault(bool result, const struct emu_fault *fault, uint32_t error, uint64_t va,
                     uint8_t access)
{
    if (result || fault->error != error || fault->address != va || fault->access != access) {
        printf("# got %s, error %u at 0x%llx access %u; wanted error %u at 0x%llx access %u\n",
               result ? "success" : "fault", fault->error, (unsigned long long)fault->address,
               fault->access, error, (unsigned long long)va, access);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------ translation */

static void test_page_sizes(void)
{
    const uint64_t va4k = 0x10000000, va2m = 0x20000000, va1g = 0x4000000000;
    uint64_t a = vram_alloc(&fx, 2 * PAGE, PAGE), b = vram_alloc(&fx, 2 * MiB, 2 * MiB);
    uint64_t bus = ram_alloc(&fx, PAGE, PAGE);
    bool good, all = true;

    /* Two 4 KiB pages, mapped the other way round. */
    map(&fx, va4k, a + PAGE, 0, RW);
    map(&fx, va4k + PAGE, a, 0, RW);
    fx.vram[a + PAGE + 0x123] = 0x5a;
    fx.vram[a + 0xfff] = 0xa5;
    ok(rd8(va4k + 0x123, &good) == 0x5a && good, "4 KiB page: translation with offset");
    ok(rd8(va4k + PAGE + 0xfff, &good) == 0xa5 && good, "4 KiB page: second page, last byte");

    map(&fx, va2m, b, 1, RW);
    fx.vram[b + 0x1abcde] = 0x77;
    ok(rd8(va2m + 0x1abcde, &good) == 0x77 && good, "2 MiB page: translation with offset");

    map(&fx, va1g, 1 * GiB, 2, RW);
    fx.vram[1 * GiB + 0x2345678] = 0x99;
    fx.vram[2 * GiB - 1] = 0x98;
    ok(rd8(va1g + 0x2345678, &good) == 0x99 && good, "1 GiB page: translation with offset");
    ok(rd8(va1g + GiB - 1, &good) == 0x98 && good, "1 GiB page: last byte of VRAM");

    map(&fx, va4k + 2 * PAGE, bus, 0, RW | SYS);
    ram_at(&fx, bus)[0x10] = 0x42;
    ok(rd8(va4k + 2 * PAGE + 0x10, &good) == 0x42 && good, "system page: translation to guest RAM");

    for (int i = 0; i < 4; i++)
        all &= rd8(va4k + 0x123, &good) == 0x5a;
    ok(all && fx.tlb.hits > 0, "repeated access hits the TLB (%llu hits, %llu misses)",
       (unsigned long long)fx.tlb.hits, (unsigned long long)fx.tlb.misses);
}

static void test_bad_addresses(void)
{
    const uint64_t va = 0x30000000;
    uint64_t a = vram_alloc(&fx, PAGE, PAGE);
    struct emu_fault fault;
    uint8_t byte = 0, buf[8];

    ok(is_fault(rd(va + 0x10, &byte, 1, &fault), &fault, S5000_ERR_PAGE_FAULT, va + 0x10,
                S5000_ACCESS_READ), "unmapped address: page fault with its VA");

    map(&fx, va, a, 0, RO);
    ok(rd(va, &byte, 1, &fault), "read-only page reads");
    ok(is_fault(wr(va + 8, &byte, 1, &fault), &fault, S5000_ERR_PAGE_FAULT, va + 8,
                S5000_ACCESS_WRITE), "write to read-only page: page fault, access WRITE");

    map(&fx, va + PAGE, NO_RAM_BUS, 0, RW | SYS);
    ok(is_fault(rd(va + PAGE, &byte, 1, &fault), &fault, S5000_ERR_DMA, va + PAGE,
                S5000_ACCESS_READ), "system page outside guest RAM: DMA error");
    /* The page's last bytes are guest RAM, the rest is not. */
    map(&fx, va + 2 * PAGE, RAM2_BUS + RAM2_SIZE - PAGE, 0, RW | SYS);
    map(&fx, va + 3 * PAGE, RAM2_BUS + RAM2_SIZE, 0, RW | SYS);
    ok(is_fault(rd(va + 3 * PAGE - 4, buf, 8, &fault), &fault, S5000_ERR_DMA, va + 3 * PAGE,
                S5000_ACCESS_READ), "read running off the end of guest RAM: DMA error there");

    /* Both would alias va, which is mapped, if the upper bits were dropped. */
    ok(is_fault(rd(1ull << 48 | va, &byte, 1, &fault), &fault, S5000_ERR_PAGE_FAULT,
                1ull << 48 | va, S5000_ACCESS_READ), "VA with bit 48 set: page fault");
    ok(is_fault(rd(0xffff000000000000ull | va, &byte, 1, &fault), &fault, S5000_ERR_PAGE_FAULT,
                0xffff000000000000ull | va, S5000_ACCESS_READ),
       "sign-extended VA is not canonical: page fault");
    map(&fx, (1ull << 48) - PAGE, a, 0, RO);
    ok(is_fault(rd((1ull << 48) - 1, buf, 2, &fault), &fault, S5000_ERR_PAGE_FAULT, 1ull << 48,
                S5000_ACCESS_READ), "access running past 2^48 faults at 2^48");
}

static void test_contexts(void)
{
    const uint64_t va = 0x30000000;      /* mapped read-only by test_bad_addresses */
    struct emu_fault fault;
    uint8_t byte;

    ok(is_fault(emu_mem_read(&fx.mmu, &fx.tlb, 5, va, &byte, 1, &fault), &fault,
                S5000_ERR_BAD_CONTEXT, va, S5000_ACCESS_READ), "context never set up: bad context");
    emu_mmu_set_root(&fx.mmu, 5, fx.root);
    ok(is_fault(emu_mem_read(&fx.mmu, &fx.tlb, 5, va, &byte, 1, &fault), &fault,
                S5000_ERR_BAD_CONTEXT, va, S5000_ACCESS_READ), "disabled context: bad context");
    emu_mmu_enable(&fx.mmu, 5, true);
    ok(emu_mem_read(&fx.mmu, &fx.tlb, 5, va, &byte, 1, &fault), "enabled context translates");
    emu_mmu_enable(&fx.mmu, 5, false);
    ok(is_fault(emu_mem_read(&fx.mmu, &fx.tlb, 5, va, &byte, 1, &fault), &fault,
                S5000_ERR_BAD_CONTEXT, va, S5000_ACCESS_READ),
       "disabling a context stops its cached translations");

    emu_mmu_enable(&fx.mmu, 6, true);
    ok(is_fault(emu_mem_read(&fx.mmu, &fx.tlb, 6, va, &byte, 1, &fault), &fault,
                S5000_ERR_BAD_CONTEXT, va, S5000_ACCESS_READ), "enabled with root 0: bad context");
    emu_mmu_set_root(&fx.mmu, 6, fx.root + 8);
    ok(is_fault(emu_mem_read(&fx.mmu, &fx.tlb, 6, va, &byte, 1, &fault), &fault,
                S5000_ERR_BAD_CONTEXT, va, S5000_ACCESS_READ), "misaligned root: bad context");
    emu_mmu_set_root(&fx.mmu, 6, VRAM_SIZE);
    ok(is_fault(emu_mem_read(&fx.mmu, &fx.tlb, 6, va, &byte, 1, &fault), &fault,
                S5000_ERR_BAD_CONTEXT, va, S5000_ACCESS_READ), "root outside VRAM: bad context");
    ok(is_fault(emu_mem_read(&fx.mmu, &fx.tlb, S5000_MAX_CONTEXTS, va, &byte, 1, &fault), &fault,
                S5000_ERR_BAD_CONTEXT, va, S5000_ACCESS_READ), "context id out of range: bad context");
}

/* Two address spaces, the same VA, one TLB. */
static void test_context_isolation(void)
{
    const uint64_t va = 0x30000000;
    uint64_t a = vram_alloc(&fx, PAGE, PAGE), saved = fx.root;
    struct emu_fault fault;
    uint8_t mine = 0, other = 0;
    bool good = true;

    fx.root = new_table(&fx);
    map(&fx, va, a, 0, RW);
    fx.vram[a] = 0xc7;
    emu_mmu_set_root(&fx.mmu, 7, fx.root);
    emu_mmu_enable(&fx.mmu, 7, true);
    fx.root = saved;
    for (int i = 0; i < 3; i++) {
        good &= emu_mem_read(&fx.mmu, &fx.tlb, CTX, va, &mine, 1, &fault) &&
                emu_mem_read(&fx.mmu, &fx.tlb, 7, va, &other, 1, &fault) && other == 0xc7 &&
                mine != other;
    }
    ok(good, "contexts sharing a TLB keep their own translations");
}

/* Each case gets its own top-level slot, 512 GiB apart. */
static void test_malformed_tables(void)
{
    const uint64_t slot = 1ull << 39;
    uint64_t a = vram_alloc(&fx, 4 * MiB, 2 * MiB);
    uint64_t *root = (uint64_t *)(fx.vram + fx.root);
    struct emu_fault fault;
    uint8_t byte;
    bool good;

    /* Good tables first, then one bit that spoils them. */
    fx.vram[a] = 0x1e;
    map(&fx, 10 * slot, a, 0, RW);
    map(&fx, 12 * slot, a, 0, RW);
    ok(rd8(10 * slot, &good) == 0x1e && good && rd8(12 * slot, &good) == 0x1e && good,
       "tables to spoil translate");
    root[10] |= S5000_PTE_LEAF;
    *pte_at(&fx, fx.root, 12 * slot, 2) |= SYS;
    emu_mmu_invalidate(&fx.mmu, CTX);
    ok(is_fault(rd(10 * slot, &byte, 1, &fault), &fault, S5000_ERR_PAGE_FAULT, 10 * slot,
                S5000_ACCESS_READ), "LEAF in the top level: page fault");
    ok(is_fault(rd(12 * slot, &byte, 1, &fault), &fault, S5000_ERR_PAGE_FAULT, 12 * slot,
                S5000_ACCESS_READ), "SYSTEM on a table pointer: page fault");

    *pte_at(&fx, fx.root, 11 * slot, 2) = VRAM_SIZE | S5000_PTE_VALID;
    ok(is_fault(rd(11 * slot, &byte, 1, &fault), &fault, S5000_ERR_PAGE_FAULT, 11 * slot,
                S5000_ACCESS_READ), "table pointer outside VRAM: page fault");
    *pte_at(&fx, fx.root, 11 * slot, 2) = (VRAM_SIZE - PAGE) | S5000_PTE_VALID;
    ((uint64_t *)(fx.vram + VRAM_SIZE - PAGE))[S5000_PT_INDEX(11 * slot, 1)] = leaf(a, 1, RW);
    fx.vram[a + 9] = 0x4d;
    ok(rd8(11 * slot + 9, &good) == 0x4d && good, "table in VRAM's last page is walked");


    map(&fx, 13 * slot, a + PAGE, 1, RW);
    ok(is_fault(rd(13 * slot, &byte, 1, &fault), &fault, S5000_ERR_PAGE_FAULT, 13 * slot,
                S5000_ACCESS_READ), "2 MiB page at a 4 KiB-aligned address: page fault");
    map(&fx, 13 * slot + 2 * MiB, VRAM_SIZE, 1, RW);
    ok(is_fault(rd(13 * slot + 2 * MiB, &byte, 1, &fault), &fault, S5000_ERR_PAGE_FAULT,
                13 * slot + 2 * MiB, S5000_ACCESS_READ), "2 MiB page past VRAM: page fault");
    map(&fx, 14 * slot, VRAM_SIZE, 2, RW);
    ok(is_fault(rd(14 * slot, &byte, 1, &fault), &fault, S5000_ERR_PAGE_FAULT, 14 * slot,
                S5000_ACCESS_READ), "1 GiB page past VRAM: page fault");
    map(&fx, 15 * slot, VRAM_SIZE - PAGE, 0, RW);
    map(&fx, 15 * slot + PAGE, VRAM_SIZE, 0, RW);
    rd8(15 * slot, &good);
    ok(good && is_fault(rd(15 * slot + PAGE, &byte, 1, &fault), &fault, S5000_ERR_PAGE_FAULT,
                        15 * slot + PAGE, S5000_ACCESS_READ),
       "4 KiB page: VRAM's last page maps, the one after faults");

    /* Level 0 ignores LEAF: still a 4 KiB page. */
    *pte_at(&fx, fx.root, 16 * slot, 0) = leaf(a, 0, RW) | S5000_PTE_LEAF;
    fx.vram[a + 5] = 0x3c;
    ok(rd8(16 * slot + 5, &good) == 0x3c && good, "LEAF at level 0 is a 4 KiB page");
}

/* A VRAM page and a system page whose addresses follow on are still two kinds of memory. */
static void test_kinds_not_merged(void)
{
    const uint64_t va = 0x48000000;
    uint64_t v = vram_alloc(&fx, 2 * PAGE, PAGE);
    uint8_t *ram = map_anon(PAGE), buf[2 * PAGE];
    struct emu_fault fault;

    emu_dma_add(&fx.dma, v + PAGE, PAGE, ram, PROT_READ | PROT_WRITE);
    memset(fx.vram + v, 0x11, 2 * PAGE);
    memset(ram, 0x22, PAGE);
    map(&fx, va, v, 0, RW);
    map(&fx, va + PAGE, v + PAGE, 0, RW | SYS);
    ok(rd(va, buf, sizeof(buf), &fault) && buf[PAGE - 1] == 0x11 && buf[PAGE] == 0x22,
       "VRAM page then system page at the next address: read from each");
    emu_dma_remove(&fx.dma, v + PAGE, PAGE);
    munmap(ram, PAGE);
}

static void test_invalidate(void)
{
    const uint64_t va = 0x40000000, va2m = 0x40200000;
    uint64_t a = vram_alloc(&fx, 2 * PAGE, PAGE), b = vram_alloc(&fx, 4 * MiB, 2 * MiB);
    struct emu_fault fault;
    uint8_t byte;
    bool good;

    fx.vram[a] = 1;
    fx.vram[a + PAGE] = 2;
    map(&fx, va, a, 0, RW);
    ok(rd8(va, &good) == 1 && good, "before remap: old page");
    map(&fx, va, a + PAGE, 0, RW);
    emu_mmu_invalidate(&fx.mmu, CTX);
    ok(rd8(va, &good) == 2 && good, "after remap and invalidate: new page");
    map(&fx, va, a, 0, RW);
    emu_mmu_invalidate(&fx.mmu, S5000_TLB_ALL);
    ok(rd8(va, &good) == 1 && good, "after remap and invalidate-all: new page");
    unmap(&fx, va, 0);
    emu_mmu_invalidate(&fx.mmu, CTX);
    ok(is_fault(rd(va, &byte, 1, &fault), &fault, S5000_ERR_PAGE_FAULT, va, S5000_ACCESS_READ),
       "after unmap and invalidate: page fault");

    fx.vram[b + 0x1000] = 3;
    fx.vram[b + 2 * MiB + 0x1000] = 4;
    map(&fx, va2m, b, 1, RO);
    ok(rd8(va2m + 0x1000, &good) == 3 && good, "2 MiB page before remap");
    map(&fx, va2m, b + 2 * MiB, 1, RW);
    emu_mmu_invalidate(&fx.mmu, CTX);
    byte = 5;
    ok(rd8(va2m + 0x1000, &good) == 4 && good && wr(va2m + 0x1000, &byte, 1, &fault) &&
       fx.vram[b + 2 * MiB + 0x1000] == 5, "2 MiB page after remap: new page and permissions");
}

/* ------------------------------------------------------------ copies */

enum kind { VRAM, SYSTEM };

/* Maps 5 scattered pages of one kind at va. */
static void map_buffer(uint64_t va, enum kind kind)
{
    if (kind == VRAM)
        map_scattered(&fx, va, vram_alloc(&fx, 5 * PAGE, PAGE), 5 * PAGE, RW);
    else
        map_scattered(&fx, va, ram_alloc(&fx, 5 * PAGE, PAGE), 5 * PAGE, RW | SYS);
}

static void test_copy_kinds(void)
{
    static const char *name[] = { "VRAM", "system" };
    const uint64_t base = 0x50000000, size = 3 * PAGE + 500;
    static uint8_t src[5 * PAGE], dst[5 * PAGE], want[5 * PAGE];
    struct emu_fault fault;

    for (int s = VRAM; s <= SYSTEM; s++) {
        for (int d = VRAM; d <= SYSTEM; d++) {
            uint64_t src_va = base + (s * 2 + d) * 0x100000, dst_va = src_va + 0x10000;
            bool good;

            map_buffer(src_va, s);
            map_buffer(dst_va, d);
            fill_random(src, sizeof(src));
            memset(want, 0, sizeof(want));
            memcpy(want + 3000, src + 100, size);
            good = wr(src_va, src, sizeof(src), &fault) &&
                   fill(dst_va, sizeof(dst), 0, 8, &fault) &&
                   copy(dst_va + 3000, src_va + 100, size, &fault) &&
                   rd(dst_va, dst, sizeof(dst), &fault);
            ok(good && !memcmp(dst, want, sizeof(dst)),
               "copy %s -> %s, unaligned and page-crossing", name[s], name[d]);
        }
    }
}

/* 16 MiB through 4 KiB and 2 MiB pages of both kinds, cut differently on each side. */
static void test_copy_large(void)
{
    const uint64_t src_va = 0x100000000, dst_va = 0x200000000, size = 16 * MiB;
    uint64_t v = vram_alloc(&fx, 4 * MiB, PAGE), v2 = vram_alloc(&fx, 4 * MiB, 2 * MiB);
    uint64_t r = ram_alloc(&fx, 4 * MiB, PAGE), r2 = ram_alloc(&fx, 4 * MiB, 2 * MiB);
    uint64_t dv = vram_alloc(&fx, 6 * MiB, 2 * MiB), dr = ram_alloc(&fx, 2 * MiB, PAGE);
    uint64_t dv2 = vram_alloc(&fx, 8 * MiB, PAGE);
    uint8_t *src = malloc(size), *dst = malloc(size);
    struct emu_fault fault;
    bool good;

    map_scattered(&fx, src_va, v, 4 * MiB, RO);
    map(&fx, src_va + 4 * MiB, v2 + 2 * MiB, 1, RO);
    map(&fx, src_va + 6 * MiB, v2, 1, RO);
    map_scattered(&fx, src_va + 8 * MiB, r, 4 * MiB, RO | SYS);
    map_linear(&fx, src_va + 12 * MiB, r2, 4 * MiB, 1, RO | SYS);

    map_linear(&fx, dst_va, dv, 6 * MiB, 1, RW);
    map_linear(&fx, dst_va + 6 * MiB, dr, 2 * MiB, 0, RW | SYS);
    map_scattered(&fx, dst_va + 8 * MiB, dv2, 8 * MiB, RW);

    /* The source is read-only: fill it from the host side. */
    fill_random(src, size);
    ok(is_fault(wr(src_va, src, 1, &fault), &fault, S5000_ERR_PAGE_FAULT, src_va,
                S5000_ACCESS_WRITE), "large copy: source is read-only");
    for (uint64_t off = 0; off < 4 * MiB; off += PAGE)
        memcpy(fx.vram + v + (off / PAGE * 7919 % 1024) * PAGE, src + off, PAGE);
    memcpy(fx.vram + v2 + 2 * MiB, src + 4 * MiB, 2 * MiB);
    memcpy(fx.vram + v2, src + 6 * MiB, 2 * MiB);
    for (uint64_t off = 0; off < 4 * MiB; off += PAGE)
        memcpy(ram_at(&fx, r) + (off / PAGE * 7919 % 1024) * PAGE, src + 8 * MiB + off, PAGE);
    memcpy(ram_at(&fx, r2), src + 12 * MiB, 4 * MiB);

    good = rd(src_va, dst, size, &fault);
    ok(good && !memcmp(src, dst, size), "large copy: source reads back through the MMU");

    memset(dst, 0, size);
    good = wr(dst_va, dst, size, &fault) &&
           copy(dst_va + 4000, src_va + 123, size - PAGE, &fault) &&
           rd(dst_va, dst, size, &fault);
    ok(good && !memcmp(dst + 4000, src + 123, size - PAGE) && !dst[3999] &&
       !dst[4000 + size - PAGE], "16 MiB copy over mixed 4 KiB / 2 MiB, VRAM / system pages");
    free(src);
    free(dst);
}

/* Bus-contiguous guest RAM split into regions, one boundary in mid-page at an odd offset. */
static void test_region_boundaries(void)
{
    const uint64_t va = 0x60000000, bus = 0x700000000ull, cut = 4095;
    uint8_t *lo = map_anon(PAGE), *hi = map_anon(2 * PAGE);
    uint8_t buf[2 * PAGE], want[2 * PAGE];
    struct emu_fault fault;
    bool good, pattern = true;

    emu_dma_add(&fx.dma, bus, cut, lo, PROT_READ | PROT_WRITE);
    emu_dma_add(&fx.dma, bus + cut, 2 * PAGE - cut, hi, PROT_READ | PROT_WRITE);
    map_linear(&fx, va, bus, 2 * PAGE, 0, RW | SYS);

    good = fill(va + 4, 2 * PAGE - 8, 0x0a0b0c0d, 4, &fault);
    for (uint64_t i = 4; i < 2 * PAGE - 4; i++) {
        uint8_t byte = i < cut ? lo[i] : hi[i - cut];

        pattern &= byte == (uint8_t)(0x0a0b0c0d >> (8 * (i % 4)));
    }
    ok(good && pattern, "fill across a region boundary at an odd offset keeps the pattern");

    fill_random(want, sizeof(want));
    good = wr(va, want, sizeof(want), &fault) && rd(va, buf, sizeof(buf), &fault);
    ok(good && !memcmp(buf, want, sizeof(buf)) && lo[cut - 1] == want[cut - 1] &&
       hi[0] == want[cut], "read and write across the regions");

    emu_dma_remove(&fx.dma, bus, cut);
    emu_dma_remove(&fx.dma, bus + cut, 2 * PAGE - cut);
    munmap(lo, PAGE);
    munmap(hi, 2 * PAGE);

    /* A read-only region refuses device writes. */
    lo = map_anon(PAGE);
    emu_dma_add(&fx.dma, bus, PAGE, lo, PROT_READ);
    emu_mmu_invalidate(&fx.mmu, CTX);
    lo[7] = 0x61;
    ok(rd8(va + 7, &good) == 0x61 && good, "read-only guest RAM reads");
    ok(is_fault(wr(va + 8, buf, 1, &fault), &fault, S5000_ERR_DMA, va + 8, S5000_ACCESS_WRITE),
       "write to read-only guest RAM: DMA error");
    emu_dma_remove(&fx.dma, bus, PAGE);
    munmap(lo, PAGE);
}

static void test_copy_faults(void)
{
    const uint64_t src_va = 0x70000000, dst_va = 0x70100000;
    uint64_t s = vram_alloc(&fx, 4 * PAGE, PAGE), d = vram_alloc(&fx, 4 * PAGE, PAGE);
    struct emu_fault fault;
    bool copied = true;

    map_linear(&fx, src_va, s, 4 * PAGE, 0, RW);
    for (int i = 0; i < 4; i++) {
        if (i != 2)
            map(&fx, dst_va + i * PAGE, d + i * PAGE, 0, RW);
    }
    fill_random(fx.vram + s, 4 * PAGE);
    memset(fx.vram + d, 0, 4 * PAGE);

    ok(is_fault(copy(dst_va + 100, src_va, 3 * PAGE, &fault), &fault, S5000_ERR_PAGE_FAULT,
                dst_va + 2 * PAGE, S5000_ACCESS_WRITE),
       "copy into an unmapped page in the middle: fault at that page");
    copied = !memcmp(fx.vram + d + 100, fx.vram + s, 2 * PAGE - 100) && !fx.vram[d + 99];
    ok(copied && !fx.vram[d + 3 * PAGE], "pages before the fault copied, none after");

    map(&fx, dst_va + 2 * PAGE, d + 2 * PAGE, 0, RO);
    ok(is_fault(copy(dst_va, src_va, 4 * PAGE, &fault), &fault, S5000_ERR_PAGE_FAULT,
                dst_va + 2 * PAGE, S5000_ACCESS_WRITE),
       "copy into a read-only page in the middle: fault at that page");

    unmap(&fx, src_va + PAGE, 0);
    emu_mmu_invalidate(&fx.mmu, CTX);
    ok(is_fault(copy(dst_va, src_va + 8, 2 * PAGE, &fault), &fault, S5000_ERR_PAGE_FAULT,
                src_va + PAGE, S5000_ACCESS_READ),
       "copy from an unmapped page in the middle: read fault at that page");
    ok(copy(dst_va, src_va, 0, &fault), "empty copy succeeds");
}

static void test_fill(void)
{
    const uint64_t va = 0x80000000, pattern = 0x1122334455667788ull;
    uint8_t buf[3 * PAGE];
    struct emu_fault fault;

    /* VRAM, system, VRAM: every fill crosses both kinds. */
    map(&fx, va, vram_alloc(&fx, PAGE, PAGE), 0, RW);
    map(&fx, va + PAGE, ram_alloc(&fx, PAGE, PAGE), 0, RW | SYS);
    map(&fx, va + 2 * PAGE, vram_alloc(&fx, PAGE, PAGE), 0, RW);

    for (unsigned int width = 1; width <= 8; width *= 2) {
        const uint64_t start = PAGE - 24, size = PAGE + 48;
        bool good, right = true;

        good = fill(va, sizeof(buf), 0, 8, &fault) &&
               fill(va + start, size, pattern, width, &fault) &&
               rd(va, buf, sizeof(buf), &fault);
        for (uint64_t i = 0; i < sizeof(buf); i++) {
            uint8_t want = i < start || i >= start + size ? 0 :
                           (uint8_t)(pattern >> (8 * ((i - start) % width)));

            right &= buf[i] == want;
        }
        ok(good && right, "fill width %u: little-endian pattern, nothing outside", width);
    }
    ok(fill(va, 3 * PAGE, 0x0101, 2, &fault) && rd(va, buf, sizeof(buf), &fault) &&
       buf[0] == 1 && buf[3 * PAGE - 1] == 1, "fill with a uniform wide pattern");
    ok(fill(va + 1, 7, 0xab, 1, &fault) && rd(va, buf, 9, &fault) && buf[0] == 1 &&
       buf[1] == 0xab && buf[7] == 0xab && buf[8] == 1, "fill width 1, odd address and size");

    ok(is_fault(fill(va + 2, 8, 0, 4, &fault), &fault, S5000_ERR_BAD_PACKET, va + 2,
                S5000_ACCESS_WRITE), "fill width 4 at a 2-aligned address: bad packet");
    ok(is_fault(fill(va, 6, 0, 4, &fault), &fault, S5000_ERR_BAD_PACKET, va, S5000_ACCESS_WRITE),
       "fill width 4 of 6 bytes: bad packet");
    ok(is_fault(fill(va, 6, 0, 3, &fault), &fault, S5000_ERR_BAD_PACKET, va, S5000_ACCESS_WRITE),
       "fill width 3: bad packet");
    ok(is_fault(fill(va + 8, 16, 0, 16, &fault), &fault, S5000_ERR_BAD_PACKET, va + 8,
                S5000_ACCESS_WRITE), "fill width 16: bad packet");
    ok(is_fault(fill(va + 2 * PAGE, 2 * PAGE, 0, 8, &fault), &fault, S5000_ERR_PAGE_FAULT,
                va + 3 * PAGE, S5000_ACCESS_WRITE), "fill running into an unmapped page faults there");
}

/* Zeroing VRAM returns its host memory; the bytes around the hole still get zeros. */
static void test_zero_fill_releases_memory(void)
{
    const uint64_t va = 0xb0000000, size = 2 * MiB;
    uint64_t pa = vram_alloc(&fx, size, 2 * MiB);
    uint8_t head = 0, tail = 0, inside = 0, outside = 0;
    struct emu_fault fault;
    struct stat before, after;
    bool good;

    map(&fx, va, pa, 1, RW);
    memset(fx.vram + pa, 0xab, size);
    fstat(fx.vram_fd, &before);
    good = fill(va + 100, size - 200, 0, 1, &fault);
    fstat(fx.vram_fd, &after);
    head = fx.vram[pa + 99];
    outside = fx.vram[pa + size - 100];
    for (uint64_t i = 100; i < size - 100; i++)
        inside |= fx.vram[pa + i];
    tail = fx.vram[pa + 100] | fx.vram[pa + size - 101];
    ok(good && inside == 0 && tail == 0 && head == 0xab && outside == 0xab,
       "zero fill of VRAM: exactly the range reads zero");
    /* Only the partial pages at the two ends and at the 1 MiB chunk edge are written. */
    ok(after.st_blocks + (int64_t)((size - 4 * PAGE) / 512) <= before.st_blocks,
       "zero fill of VRAM gives its whole pages back (%lld -> %lld blocks)",
       (long long)before.st_blocks, (long long)after.st_blocks);
}

static void test_atomics(void)
{
    const uint64_t va = 0x90000000;
    uint64_t v = vram_alloc(&fx, PAGE, PAGE), r = ram_alloc(&fx, PAGE, PAGE), val = 0;
    struct emu_fault fault;
    uint64_t *vram_word = (uint64_t *)(fx.vram + v + 8);
    uint64_t *ram_word = (uint64_t *)ram_at(&fx, r + 16);

    map(&fx, va, v, 0, RW);
    map(&fx, va + PAGE, r, 0, RW | SYS);
    map(&fx, va + 2 * PAGE, v, 0, RO);

    ok(emu_mem_store64(&fx.mmu, &fx.tlb, CTX, va + 8, 0x0102030405060708ull, &fault) &&
       *vram_word == 0x0102030405060708ull && fx.vram[v + 8] == 0x08, "store64 to VRAM, little-endian");
    ok(emu_mem_add64(&fx.mmu, &fx.tlb, CTX, va + 8, 0xf8, &fault) &&
       emu_mem_load64(&fx.mmu, &fx.tlb, CTX, va + 8, &val, &fault) &&
       val == 0x0102030405060800ull, "add64 then load64 in VRAM");
    *ram_word = UINT64_MAX;
    ok(emu_mem_add64(&fx.mmu, &fx.tlb, CTX, va + PAGE + 16, 2, &fault) && *ram_word == 1 &&
       emu_mem_store64(&fx.mmu, &fx.tlb, CTX, va + PAGE + 16, 7, &fault) &&
       emu_mem_load64(&fx.mmu, &fx.tlb, CTX, va + PAGE + 16, &val, &fault) && val == 7,
       "add64 (wrapping), store64 and load64 in guest RAM");
    ok(emu_mem_load64(&fx.mmu, &fx.tlb, CTX, va + 2 * PAGE + 8, &val, &fault) && val == *vram_word,
       "load64 from a read-only page");

    ok(is_fault(emu_mem_load64(&fx.mmu, &fx.tlb, CTX, va + 4, &val, &fault), &fault,
                S5000_ERR_PAGE_FAULT, va + 4, S5000_ACCESS_READ), "misaligned load64: page fault");
    ok(is_fault(emu_mem_store64(&fx.mmu, &fx.tlb, CTX, va + 1, 0, &fault), &fault,
                S5000_ERR_PAGE_FAULT, va + 1, S5000_ACCESS_WRITE), "misaligned store64: page fault");
    ok(is_fault(emu_mem_add64(&fx.mmu, &fx.tlb, CTX, va + PAGE - 4, 1, &fault), &fault,
                S5000_ERR_PAGE_FAULT, va + PAGE - 4, S5000_ACCESS_WRITE),
       "page-straddling add64: page fault");
    ok(is_fault(emu_mem_store64(&fx.mmu, &fx.tlb, CTX, va + 2 * PAGE, 0, &fault), &fault,
                S5000_ERR_PAGE_FAULT, va + 2 * PAGE, S5000_ACCESS_WRITE),
       "store64 to a read-only page: page fault");
    ok(is_fault(emu_mem_add64(&fx.mmu, &fx.tlb, CTX, va + 3 * PAGE, 1, &fault), &fault,
                S5000_ERR_PAGE_FAULT, va + 3 * PAGE, S5000_ACCESS_WRITE),
       "add64 to an unmapped page: page fault");
}

static void test_injection(void)
{
    const uint64_t va = 0x90000000;     /* VRAM page, then a guest RAM page (test_atomics) */
    struct emu_fault fault;
    uint8_t buf[16];

    atomic_store(&fx.mem.fail_next_dma, true);
    ok(rd(va, buf, sizeof(buf), &fault) && atomic_load(&fx.mem.fail_next_dma),
       "fail_next_dma: VRAM accesses do not consume it");
    ok(is_fault(copy(va + PAGE + 64, va, 16, &fault), &fault, S5000_ERR_DMA, va + PAGE + 64,
                S5000_ACCESS_WRITE), "fail_next_dma: next system access fails at its VA");
    ok(copy(va + PAGE + 64, va, 16, &fault) && !atomic_load(&fx.mem.fail_next_dma),
       "fail_next_dma: only once");

    emu_memory_poison(&fx.mem);
    ok(rd(va + PAGE, buf, sizeof(buf), &fault), "poison: guest RAM accesses do not consume it");
    ok(is_fault(rd(va + 8, buf, 8, &fault), &fault, S5000_ERR_ECC, va + 8, S5000_ACCESS_READ),
       "poison: next VRAM access is an ECC error at its VA");
    ok(rd(va + 8, buf, 8, &fault), "poison: only once");

    atomic_store(&fx.mem.poison_next_vram, true);
    ok(is_fault(emu_mem_store64(&fx.mmu, &fx.tlb, CTX, va, 0, &fault), &fault, S5000_ERR_ECC, va,
                S5000_ACCESS_WRITE), "poison: fails a store64 too");
}

static void test_phys_write(void)
{
    uint64_t bus = ram_alloc(&fx, PAGE, PAGE);
    uint32_t word = 0xcafef00d;

    ok(emu_phys_write(&fx.mem, bus + 4, &word, 4) && !memcmp(ram_at(&fx, bus + 4), &word, 4),
       "phys_write to guest RAM");
    ok(!emu_phys_write(&fx.mem, NO_RAM_BUS, &word, 4), "phys_write outside guest RAM refused");
    ok(!emu_phys_write(&fx.mem, RAM2_BUS + RAM2_SIZE - 2, &word, 4),
       "phys_write past the end of guest RAM refused");
}

/* ------------------------------------------------------------ robustness */

#define FUZZ_VRAM   (1 * MiB)
#define FUZZ_RAM    (64 * KiB)
#define FUZZ_BUS    0x20000ull

/* An entry that often points somewhere plausible, so walks get deep. */
static uint64_t fuzz_pte(void)
{
    uint64_t flags = rnd() & (RW | S5000_PTE_EXEC);

    /* Large pages cannot fit this VRAM: mostly leave them out, or walks end early. */
    if (rnd() % 16 == 0)
        flags |= S5000_PTE_LEAF;
    switch (rnd() % 8) {
    case 0:
        return rnd();
    case 1:
        return ((FUZZ_BUS - 2 * PAGE + rnd() % (FUZZ_RAM + 4 * PAGE)) & ~(PAGE - 1)) | flags |
               SYS | S5000_PTE_VALID;
    case 2:
        return (rnd() & S5000_PTE_ADDR_MASK & (2 * GiB - 1)) | (rnd() & 0x1f);
    default:
        return (rnd() % (FUZZ_VRAM + 2 * PAGE) & ~(PAGE - 1)) | flags | S5000_PTE_VALID;
    }
}

static uint64_t fuzz_va(void)
{
    switch (rnd() % 8) {
    case 0:
        return rnd();
    case 1:
        return (1ull << 48) - (rnd() % 64);
    default:
        return rnd() & ((1ull << 48) - 1);
    }
}

static bool fuzz_op(struct emu_mmu *mmu, struct emu_tlb *tlb, struct emu_fault *fault)
{
    static uint8_t buf[3 * PAGE];
    uint64_t va = fuzz_va(), size = rnd() % (rnd() % 4 ? 64 : sizeof(buf)), val = rnd();

    switch (rnd() % 7) {
    case 0:
        return emu_mem_read(mmu, tlb, 0, va, buf, size, fault);
    case 1:
        return emu_mem_write(mmu, tlb, 0, va, buf, size, fault);
    case 2:
        return emu_copy(mmu, tlb, 0, va, fuzz_va(), size, fault);
    case 3:
        return emu_fill(mmu, tlb, 0, va, size, val, 1u << (rnd() % 5), fault);
    case 4:
        return emu_mem_load64(mmu, tlb, 0, va & ~7ull, &val, fault);
    case 5:
        return emu_mem_store64(mmu, tlb, 0, va, val, fault);
    default:
        return emu_mem_add64(mmu, tlb, 0, va & ~7ull, val, fault);
    }
}

/*
 * Random tables in a VRAM and guest RAM that are exactly their size on the heap, so
 * that a sanitizer or valgrind sees any access outside them.
 */
static void test_fuzz(void)
{
    uint8_t *vram = malloc(FUZZ_VRAM), *ram = malloc(FUZZ_RAM);
    struct emu_dma_table dma;
    struct emu_memory mem;
    struct emu_mmu mmu;
    struct emu_tlb tlb;
    unsigned long good = 0, faults = 0, strange = 0;

    fill_random(ram, FUZZ_RAM);
    emu_dma_init(&dma);
    emu_dma_add(&dma, FUZZ_BUS, FUZZ_RAM, ram, PROT_READ | PROT_WRITE);
    emu_memory_init(&mem, vram, FUZZ_VRAM, &dma);
    emu_mmu_init(&mmu, &mem);
    emu_tlb_init(&tlb);
    emu_mmu_enable(&mmu, 0, true);

    for (int round = 0; round < 100; round++) {
        uint64_t *entry = (uint64_t *)vram;

        for (uint64_t i = 0; i < FUZZ_VRAM / 8; i++)
            entry[i] = fuzz_pte();
        emu_mmu_set_root(&mmu, 0, rnd() % 16 ? (rnd() % FUZZ_VRAM) & ~(PAGE - 1) : rnd());
        for (int i = 0; i < 1000; i++) {
            struct emu_fault fault = { 0 };

            if (fuzz_op(&mmu, i % 2 ? &tlb : NULL, &fault))
                good++;
            else if (fault.error == S5000_ERR_PAGE_FAULT || fault.error == S5000_ERR_DMA ||
                     fault.error == S5000_ERR_BAD_CONTEXT || fault.error == S5000_ERR_BAD_PACKET)
                faults++;
            else
                strange++;
            if (i % 100 == 0)
                emu_mmu_invalidate(&mmu, 0);
        }
    }
    ok(good > 5000 && faults > 5000 && !strange,
       "random tables: %lu accesses done, %lu faulted, %lu with an unexpected error",
       good, faults, strange);
    emu_memory_fini(&mem);
    free(vram);
    free(ram);
}

/* ------------------------------------------------------------ concurrency */

#define RACE_VA     0xa0000000ull
#define RACE_SIZE   (4 * PAGE)
#define RACE_BUS    0x800000000ull
#define RACE_REMAPS 3000

struct racer {
    pthread_t thread;
    uint64_t dst_va;
    uint8_t *dst;               /* host view of dst_va */
    atomic_ulong attempts;
    unsigned long copies, faults, torn;
};

static uint8_t race_a[PAGE], race_b[PAGE];
static atomic_bool race_stop;

static void *race_copier(void *arg)
{
    struct racer *r = arg;
    struct emu_tlb tlb;

    emu_tlb_init(&tlb);
    emu_mmu_register_tlb(&fx.mmu, &tlb);
    while (!atomic_load(&race_stop)) {
        struct emu_fault fault;

        if (emu_copy(&fx.mmu, &tlb, CTX, r->dst_va, RACE_VA, RACE_SIZE, &fault)) {
            r->copies++;
            for (int p = 0; p < 4; p++) {
                const uint8_t *page = r->dst + p * PAGE;

                r->torn += memcmp(page, race_a, PAGE) && memcmp(page, race_b, PAGE);
            }
        } else if ((fault.error == S5000_ERR_PAGE_FAULT || fault.error == S5000_ERR_DMA) &&
                   fault.address - RACE_VA < RACE_SIZE) {
            r->faults++;
        } else {
            r->torn++;
        }
        atomic_fetch_add(&r->attempts, 1);
    }
    emu_mmu_unregister_tlb(&tlb);
    return NULL;
}

/*
 * Lets each copier start and finish a copy in the state just set up, so that every
 * state is seen whatever the scheduler does.
 */
static void race_wait(struct racer *racer)
{
    unsigned long target[2];

    for (int i = 0; i < 2; i++)
        target[i] = atomic_load(&racer[i].attempts) + 2;
    for (int i = 0; i < 2; i++) {
        while (atomic_load(&racer[i].attempts) < target[i])
            sched_yield();
    }
}

/* Remaps the source between VRAM, guest RAM and nothing while two engines copy it. */
static void test_race(void)
{
    uint64_t a = vram_alloc(&fx, RACE_SIZE, PAGE);
    uint8_t *b = map_anon(RACE_SIZE);
    struct racer racer[2];

    memset(race_a, 0xa1, PAGE);
    memset(race_b, 0xb2, PAGE);
    for (int p = 0; p < 4; p++) {
        memcpy(fx.vram + a + p * PAGE, race_a, PAGE);
        memcpy(b + p * PAGE, race_b, PAGE);
    }
    emu_dma_add(&fx.dma, RACE_BUS, RACE_SIZE, b, PROT_READ | PROT_WRITE);
    map_linear(&fx, RACE_VA, a, RACE_SIZE, 0, RO);
    for (int i = 0; i < 2; i++) {
        uint64_t d = vram_alloc(&fx, RACE_SIZE, PAGE);

        racer[i] = (struct racer){ .dst_va = RACE_VA + (i + 1) * 0x100000, .dst = fx.vram + d };
        map_linear(&fx, racer[i].dst_va, d, RACE_SIZE, 0, RW);
    }

    for (int i = 0; i < 2; i++)
        pthread_create(&racer[i].thread, NULL, race_copier, &racer[i]);
    for (int remaps = 1; remaps <= RACE_REMAPS; remaps++) {
        switch (remaps % 3) {
        case 0:
            map_scattered(&fx, RACE_VA, RACE_BUS, RACE_SIZE, RO | SYS);
            break;
        case 1:
            map_linear(&fx, RACE_VA, a, RACE_SIZE, 0, RO);
            break;
        default:
            for (int p = 0; p < 4; p += 2)
                unmap(&fx, RACE_VA + p * PAGE, 0);
        }
        emu_mmu_invalidate(&fx.mmu, remaps % 2 ? CTX : S5000_TLB_ALL);
        if (remaps % 16 == 0) {
            /* A DMA unmap and map, as the serving thread does them. */
            pthread_rwlock_wrlock(&fx.mem.dma_lock);
            emu_dma_remove(&fx.dma, RACE_BUS, RACE_SIZE);
            pthread_rwlock_unlock(&fx.mem.dma_lock);
            pthread_rwlock_wrlock(&fx.mem.dma_lock);
            emu_dma_add(&fx.dma, RACE_BUS, RACE_SIZE, b, PROT_READ | PROT_WRITE);
            pthread_rwlock_unlock(&fx.mem.dma_lock);
        }
        /* 32 and 3 are coprime: the waits fall in each state in turn. */
        if (remaps % 32 == 0)
            race_wait(racer);
    }
    atomic_store(&race_stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(racer[i].thread, NULL);

    for (int i = 0; i < 2; i++) {
        ok(!racer[i].torn && racer[i].copies > 0,
           "copier %d under remapping: %lu copies, %lu faults, %lu torn pages or bad faults "
           "(%d remaps)", i, racer[i].copies, racer[i].faults, racer[i].torn, RACE_REMAPS);
    }
    emu_dma_remove(&fx.dma, RACE_BUS, RACE_SIZE);
    munmap(b, RACE_SIZE);
}

/* ------------------------------------------------------------ invalidation barrier */

/* Slots run out; an unregistered TLB still works; unregistering frees a slot. */
static void test_tlb_registration(void)
{
    static struct emu_tlb tlbs[EMU_MMU_MAX_TLBS + 1];
    const uint64_t va = 0x30000000;     /* mapped read-only by test_bad_addresses */
    struct emu_fault fault;
    struct emu_mmu mmu;
    unsigned int registered = 0;
    uint8_t byte;

    emu_mmu_init(&mmu, &fx.mem);
    emu_mmu_set_root(&mmu, CTX, fx.root);
    emu_mmu_enable(&mmu, CTX, true);
    for (unsigned int i = 0; i < EMU_MMU_MAX_TLBS + 1; i++) {
        emu_tlb_init(&tlbs[i]);
        registered += emu_mmu_register_tlb(&mmu, &tlbs[i]);
    }
    ok(registered == EMU_MMU_MAX_TLBS, "%u TLBs register, one more does not", registered);
    ok(emu_mem_read(&mmu, &tlbs[EMU_MMU_MAX_TLBS], CTX, va, &byte, 1, &fault) &&
       emu_mem_read(&mmu, &tlbs[0], CTX, va, &byte, 1, &fault),
       "registered and unregistered TLBs both translate");
    emu_mmu_invalidate(&mmu, S5000_TLB_ALL);
    ok(emu_mem_read(&fx.mmu, &tlbs[0], CTX, va, &byte, 1, &fault),
       "a TLB registered with another MMU translates there too");
    emu_mmu_unregister_tlb(&tlbs[3]);
    ok(emu_mmu_register_tlb(&mmu, &tlbs[EMU_MMU_MAX_TLBS]) && tlbs[EMU_MMU_MAX_TLBS].slot == 3,
       "unregistering frees the slot");
    for (unsigned int i = 0; i < EMU_MMU_MAX_TLBS + 1; i++)
        emu_mmu_unregister_tlb(&tlbs[i]);
}

#define DRAIN_VA        0xc0000000ull
#define DRAIN_SRC_VA    0xc0400000ull
#define DRAIN_SIZE      (2 * MiB)       /* one 2 MiB page: two whole 1 MiB chunks per copy */
#define DRAIN_ROUNDS    200
#define DRAIN_DATA      0x5a            /* what the copier writes; sentinels have bit 7 */

struct drainer {
    pthread_t thread;
    atomic_ulong copies;
    atomic_bool stop;
    unsigned long failed;
};

static void *drain_copier(void *arg)
{
    struct drainer *d = arg;
    struct emu_tlb tlb;

    emu_tlb_init(&tlb);
    if (!emu_mmu_register_tlb(&fx.mmu, &tlb))
        abort();
    while (!atomic_load(&d->stop)) {
        struct emu_fault fault;

        d->failed += !emu_copy(&fx.mmu, &tlb, CTX, DRAIN_VA, DRAIN_SRC_VA, DRAIN_SIZE, &fault);
        atomic_fetch_add(&d->copies, 1);
    }
    emu_mmu_unregister_tlb(&tlb);
    return NULL;
}

/* Returns once the copier has started and finished a whole copy after the call. */
static void drain_wait(struct drainer *d)
{
    unsigned long target = atomic_load(&d->copies) + 2;

    while (atomic_load(&d->copies) < target)
        sched_yield();
}

/*
 * The last page of each 1 MiB chunk first: a chunk still in flight writes there
 * last, so a stale write would land after the sentinel and show.
 */
static void fill_sentinel(uint8_t *p, uint8_t sentinel)
{
    for (uint64_t off = MiB - PAGE; off < DRAIN_SIZE; off += MiB)
        memset(p + off, sentinel, PAGE);
    memset(p, sentinel, DRAIN_SIZE);
}

static bool all_bytes(const uint8_t *p, uint64_t size, uint8_t value)
{
    for (uint64_t i = 0; i < size; i++) {
        if (p[i] != value)
            return false;
    }
    return true;
}

/*
 * What the kernel driver relies on: once the invalidation returns, the page that
 * was unmapped can be given to someone else. A copier keeps writing a 2 MiB page;
 * the page moves to the other backing, and right after the invalidation the old
 * backing gets a sentinel, which no byte of a copy may overwrite.
 */
static void test_invalidate_drains(void)
{
    uint64_t backing[2] = { vram_alloc(&fx, DRAIN_SIZE, DRAIN_SIZE),
                            vram_alloc(&fx, DRAIN_SIZE, DRAIN_SIZE) };
    uint64_t src = vram_alloc(&fx, DRAIN_SIZE, DRAIN_SIZE);
    struct drainer d = { 0 };
    unsigned int clean = 0;

    memset(fx.vram + src, DRAIN_DATA, DRAIN_SIZE);
    map(&fx, DRAIN_SRC_VA, src, 1, RO);
    map(&fx, DRAIN_VA, backing[0], 1, RW);
    pthread_create(&d.thread, NULL, drain_copier, &d);
    for (unsigned int round = 0; round < DRAIN_ROUNDS; round++) {
        uint8_t *old = fx.vram + backing[round % 2], sentinel = 0x80 | round;

        drain_wait(&d);                 /* the copier is at work in the old backing */
        map(&fx, DRAIN_VA, backing[(round + 1) % 2], 1, RW);
        emu_mmu_invalidate(&fx.mmu, round % 3 ? CTX : S5000_TLB_ALL);
        fill_sentinel(old, sentinel);
        drain_wait(&d);
        clean += all_bytes(old, DRAIN_SIZE, sentinel);
    }
    atomic_store(&d.stop, true);
    pthread_join(d.thread, NULL);

    ok(clean == DRAIN_ROUNDS,
       "no copy byte reaches a page after the invalidation that unmapped it returned "
       "(%u of %d rounds clean)", clean, DRAIN_ROUNDS);
    ok(!d.failed && all_bytes(fx.vram + backing[DRAIN_ROUNDS % 2], DRAIN_SIZE, DRAIN_DATA),
       "the copies went on into the new backing (%lu failed, %lu copies)", d.failed,
       atomic_load(&d.copies));
}

static void test_reset(void)
{
    struct emu_fault fault;
    uint8_t byte;

    emu_mmu_reset(&fx.mmu);
    ok(is_fault(rd(0x10000000, &byte, 1, &fault), &fault, S5000_ERR_BAD_CONTEXT, 0x10000000,
                S5000_ACCESS_READ), "after MMU reset every context is off");
}

int main(void)
{
    fixture_init(&fx);
    test_page_sizes();
    test_bad_addresses();
    test_contexts();
    test_context_isolation();
    test_malformed_tables();
    test_kinds_not_merged();
    test_invalidate();
    test_copy_kinds();
    test_copy_large();
    test_region_boundaries();
    test_copy_faults();
    test_fill();
    test_zero_fill_releases_memory();
    test_atomics();
    test_injection();
    test_phys_write();
    test_fuzz();
    test_race();
    test_tlb_registration();
    test_invalidate_drains();
    test_reset();
    fixture_fini(&fx);
    return tap_done();
}
