// SPDX-License-Identifier: MIT
/*
 * Copy-engine bandwidth next to host memcpy, both measured in this run: 256 MiB
 * VRAM -> VRAM through emu_copy(), with 2 MiB pages and with (physically
 * contiguous) 4 KiB pages. Prints figures and ratios; asserts nothing about time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "../uapi/s5000.h"
#include "dma.h"
#include "mmu.h"

#define MiB         (1ull << 20)
#define SIZE        (256 * MiB)
#define TABLES      (2 * MiB)               /* page tables in [4 KiB, 2 MiB) */
#define SRC         TABLES
#define DST         (TABLES + SIZE)
#define VRAM_SIZE   (TABLES + 2 * SIZE)
#define SRC_VA      0x100000000ull
#define DST_VA      0x200000000ull
#define ROUNDS      5

static uint8_t *vram;
static uint64_t next_table = S5000_PAGE_SIZE;

static uint64_t *pte_at(uint64_t root, uint64_t va, int level)
{
    uint64_t table = root;

    for (int l = S5000_PT_LEVELS - 1; l > level; l--) {
        uint64_t *entry = (uint64_t *)(vram + table) + S5000_PT_INDEX(va, l);

        if (!(*entry & S5000_PTE_VALID)) {
            *entry = next_table | S5000_PTE_VALID;
            next_table += S5000_PAGE_SIZE;
        }
        table = *entry & S5000_PTE_ADDR_MASK;
    }
    return (uint64_t *)(vram + table) + S5000_PT_INDEX(va, level);
}

/* A fresh root mapping both buffers with pages of 1 << S5000_PT_SHIFT(level) bytes. */
static uint64_t build_tables(int level)
{
    uint64_t root = next_table, page = 1ull << S5000_PT_SHIFT(level);
    uint64_t flags = S5000_PTE_VALID | S5000_PTE_WRITE | (level ? S5000_PTE_LEAF : 0);

    next_table += S5000_PAGE_SIZE;
    for (uint64_t off = 0; off < SIZE; off += page) {
        *pte_at(root, SRC_VA + off, level) = (SRC + off) | flags;
        *pte_at(root, DST_VA + off, level) = (DST + off) | flags;
    }
    return root;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Best of ROUNDS, memcpy and emu_copy taking turns so both see the same machine. */
static void bench(struct emu_mmu *mmu, int level, const char *what)
{
    double best_host = 1e9, best_emu = 1e9;
    struct emu_tlb tlb;
    struct emu_fault fault;
    bool good = true;

    emu_mmu_set_root(mmu, 0, build_tables(level));
    emu_tlb_init(&tlb);
    for (int i = 0; i < ROUNDS; i++) {
        double t0, t1, t2, t3;

        t0 = now();
        memcpy(vram + DST, vram + SRC, SIZE);
        t1 = now();
        vram[SRC + i] ^= 0xff;      /* something new to copy */
        t2 = now();
        good &= emu_copy(mmu, &tlb, 0, DST_VA, SRC_VA, SIZE, &fault);
        t3 = now();
        best_host = t1 - t0 < best_host ? t1 - t0 : best_host;
        best_emu = t3 - t2 < best_emu ? t3 - t2 : best_emu;
    }
    good &= !memcmp(vram + DST, vram + SRC, SIZE);
    printf("%-32s memcpy %6.2f GB/s   emu_copy %6.2f GB/s   ratio %5.1f %%%s\n", what,
           SIZE / best_host / 1e9, SIZE / best_emu / 1e9, 100 * best_host / best_emu,
           good ? "" : "   (COPY WRONG)");
}

int main(void)
{
    struct emu_dma_table dma;
    struct emu_memory mem;
    struct emu_mmu mmu;

    vram = mmap(NULL, VRAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (vram == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    /* Fault every page in before timing anything. */
    for (uint64_t i = 0; i < SIZE; i++)
        vram[SRC + i] = i * 2654435761u >> 24;
    memset(vram + DST, 0, SIZE);

    emu_dma_init(&dma);
    emu_memory_init(&mem, vram, VRAM_SIZE, &dma);
    emu_mmu_init(&mmu, &mem);
    emu_mmu_enable(&mmu, 0, true);

    printf("256 MiB VRAM -> VRAM, best of %d\n", ROUNDS);
    bench(&mmu, 1, "2 MiB pages:");
    bench(&mmu, 0, "4 KiB pages, contiguous:");

    emu_memory_fini(&mem);
    munmap(vram, VRAM_SIZE);
    return 0;
}
