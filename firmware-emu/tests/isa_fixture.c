// SPDX-License-Identifier: MIT
/*
 * The ISA tests' device: see isa_fixture.h. Plays the kernel driver's part through
 * the register file and the doorbell pages, and builds page tables by hand.
 */
#include "isa_fixture.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "regs.h"

#define VRAM_SIZE       (1ull << 30)
#define TABLES_END      (16ull << 20)       /* page tables below */
#define CODE_VRAM       (16ull << 20)       /* the kernels' image */
#define DATA_VRAM       (64ull << 20)       /* ISA_DATA_VA maps here */
#define PAGES_VRAM      (512ull << 20)      /* isa_map_page() takes pages from here */
#define PAGE            4096ull
#define BIG_PAGE        (2ull << 20)
#define RING_ORDER      8

/* The image the Makefile links from tests/isa/ and embeds (tests/isa_blob.S). */
extern const uint8_t isa_kernels_elf[], isa_kernels_elf_end[];

uint64_t isa_reg_read(struct isa *t, uint64_t offset, unsigned int size)
{
    uint64_t val = 0;

    emu_regs_read(&t->dev, offset, size, &val);
    return val;
}

void isa_reg_write(struct isa *t, uint64_t offset, unsigned int size, uint64_t val)
{
    emu_regs_write(&t->dev, offset, size, val);
}

static struct s5000_doorbell *doorbell(struct isa *t, unsigned int q)
{
    return (struct s5000_doorbell *)(t->dev.doorbells + (size_t)q * S5000_PAGE_SIZE);
}

/* ------------------------------------------------------------ page tables */

static uint64_t new_table(struct isa *t)
{
    uint64_t table = t->next_table;

    t->next_table += PAGE;
    memset(t->dev.vram + table, 0, PAGE);
    return table;
}

static uint64_t *pte_at(struct isa *t, unsigned int ctx, uint64_t va, int level)
{
    uint64_t table = t->root[ctx];

    for (int l = S5000_PT_LEVELS - 1; l > level; l--) {
        uint64_t *entry = (uint64_t *)(t->dev.vram + table) + S5000_PT_INDEX(va, l);

        if (!(*entry & S5000_PTE_VALID))
            *entry = new_table(t) | S5000_PTE_VALID;
        table = *entry & S5000_PTE_ADDR_MASK;
    }
    return (uint64_t *)(t->dev.vram + table) + S5000_PT_INDEX(va, level);
}

static void map(struct isa *t, unsigned int ctx, uint64_t va, uint64_t vram, int level,
                uint64_t flags)
{
    uint64_t pte = vram | flags | S5000_PTE_VALID | (level ? S5000_PTE_LEAF : 0);

    __atomic_store_n(pte_at(t, ctx, va, level), pte, __ATOMIC_RELEASE);
}

void *isa_map_page(struct isa *t, unsigned int ctx, uint64_t va, uint64_t flags)
{
    uint64_t vram = t->next_page;

    t->next_page += PAGE;
    memset(t->dev.vram + vram, 0, PAGE);
    map(t, ctx, va, vram, 0, flags);
    isa_reg_write(t, S5000_REG_TLB_INVALIDATE, 4, ctx);
    return t->dev.vram + vram;
}

void isa_unmap_page(struct isa *t, unsigned int ctx, uint64_t va)
{
    __atomic_store_n(pte_at(t, ctx, va, 0), 0, __ATOMIC_RELEASE);
    isa_reg_write(t, S5000_REG_TLB_INVALIDATE, 4, ctx);
}

void *isa_map_system(struct isa *t, unsigned int ctx, uint64_t va, uint64_t bus, uint64_t size)
{
    void *host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    bool added;

    if (host == MAP_FAILED)
        return NULL;
    /* As the serving thread does it for a DMA map. */
    pthread_rwlock_wrlock(&t->dev.mem.dma_lock);
    added = emu_dma_add(&t->dev.dma, bus, size, host, PROT_READ | PROT_WRITE);
    pthread_rwlock_unlock(&t->dev.mem.dma_lock);
    if (!added) {
        munmap(host, size);
        return NULL;
    }
    for (uint64_t off = 0; off < size; off += PAGE)
        map(t, ctx, va + off, bus + off, 0, S5000_PTE_SYSTEM | S5000_PTE_WRITE);
    isa_reg_write(t, S5000_REG_TLB_INVALIDATE, 4, ctx);
    return host;
}

/* ------------------------------------------------------------- the image */

static const Elf64_Shdr *section(const struct isa *t, unsigned int i)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)t->elf;

    return (const Elf64_Shdr *)(t->elf + eh->e_shoff) + i;
}

uint64_t isa_symbol(const struct isa *t, const char *name)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)t->elf;

    for (unsigned int i = 0; i < eh->e_shnum; i++) {
        const Elf64_Shdr *sh = section(t, i);
        const Elf64_Sym *sym = (const Elf64_Sym *)(t->elf + sh->sh_offset);
        const char *names;

        if (sh->sh_type != SHT_SYMTAB)
            continue;
        names = (const char *)t->elf + section(t, sh->sh_link)->sh_offset;
        for (uint64_t k = 0; k < sh->sh_size / sizeof(*sym); k++) {
            if (strcmp(names + sym[k].st_name, name) == 0)
                return sym[k].st_value;
        }
    }
    return 0;
}

/* Copies the loadable segments into VRAM and maps them in both contexts. */
static int load_image(struct isa *t)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)t->elf;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(t->elf + eh->e_phoff);
    uint64_t vram = CODE_VRAM, exec_va = 0;
    const uint8_t *exec_host = NULL;

    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_machine != EM_RISCV) {
        fprintf(stderr, "the embedded kernels are not a RISC-V ELF\n");
        return -1;
    }
    for (unsigned int i = 0; i < eh->e_phnum; i++) {
        uint64_t start = ph[i].p_vaddr & ~(PAGE - 1);
        uint64_t end = (ph[i].p_vaddr + ph[i].p_memsz + PAGE - 1) & ~(PAGE - 1);
        uint64_t flags = (ph[i].p_flags & PF_X ? S5000_PTE_EXEC : 0) |
                         (ph[i].p_flags & PF_W ? S5000_PTE_WRITE : 0);

        if (ph[i].p_type == PT_TLS)
            t->tls_size = (uint32_t)ph[i].p_memsz;
        if (ph[i].p_type != PT_LOAD)
            continue;
        if (ph[i].p_flags & PF_X) {
            exec_host = t->dev.vram + vram + (ph[i].p_vaddr - start);
            exec_va = ph[i].p_vaddr;
        }
        memcpy(t->dev.vram + vram + (ph[i].p_vaddr - start), t->elf + ph[i].p_offset,
               ph[i].p_filesz);
        for (uint64_t va = start; va < end; va += PAGE, vram += PAGE) {
            map(t, 1, va, vram, 0, flags);
            map(t, 2, va, vram, 0, flags);
        }
    }
    t->code_start = isa_symbol(t, "__code_start");
    t->code_end = isa_symbol(t, "__code_end");
    if (!exec_host || !t->code_start || t->code_end <= t->code_start)
        return -1;
    t->code = (const uint32_t *)(exec_host + (t->code_start - exec_va));
    return 0;
}

/* -------------------------------------------------------------- contexts */

static void setup_context(struct isa *t, unsigned int ctx)
{
    t->root[ctx] = new_table(t);
    for (uint64_t off = 0; off < ISA_DATA_SIZE; off += BIG_PAGE)
        map(t, ctx, ISA_DATA_VA + off, t->data_vram + off, 1, S5000_PTE_WRITE);
    isa_reg_write(t, S5000_REG_CTX(ctx, S5000_CTX_PT_ROOT), 8, t->root[ctx]);
    isa_reg_write(t, S5000_REG_CTX(ctx, S5000_CTX_CONTROL), 4, S5000_CTX_ENABLE);
}

static void setup_queue(struct isa *t, unsigned int q, unsigned int ctx, uint64_t rptr)
{
    struct isa_queue *iq = &t->queue[q];

    iq->ctx = ctx;
    iq->wptr = rptr;
    if (!iq->ring_va)
        iq->ring_va = isa_alloc(t, S5000_PACKET_SIZE << RING_ORDER);
    isa_reg_write(t, S5000_REG_QUEUE(q, S5000_QUEUE_RING_BASE), 8, iq->ring_va);
    isa_reg_write(t, S5000_REG_QUEUE(q, S5000_QUEUE_RING_ORDER), 4, RING_ORDER);
    isa_reg_write(t, S5000_REG_QUEUE(q, S5000_QUEUE_CONTEXT), 4, ctx);
    isa_reg_write(t, S5000_REG_QUEUE(q, S5000_QUEUE_RPTR_INIT), 8, rptr);
    isa_reg_write(t, S5000_REG_QUEUE(q, S5000_QUEUE_VECTOR), 4, 1 + q);
    isa_reg_write(t, S5000_REG_QUEUE(q, S5000_QUEUE_CONTROL), 4, S5000_QUEUE_ENABLE);
}

int isa_init(struct isa *t, unsigned int compute_threads)
{
    struct emu_config config = {
        .vram_size = VRAM_SIZE, .aperture_size = 64ull << 20, .num_queues = 8,
        .cp_threads = 2, .compute_threads = compute_threads, .poll_us = 50,
        .serial = 0x5000000000000001ull,
    };

    memset(t, 0, sizeof(*t));
    /* Guest errors are what many tests provoke: keep the output to TAP. */
    emu_log_set_level(EMU_LOG_ERROR);
    if (emu_device_init(&t->dev, &config) < 0)
        return -1;
    t->elf = isa_kernels_elf;
    t->next_table = PAGE;
    t->data_vram = DATA_VRAM;
    t->next_page = PAGES_VRAM;
    isa_reg_write(t, S5000_REG_CONTROL, 4, S5000_CONTROL_ENABLE);
    setup_context(t, 1);
    setup_context(t, 2);
    if (load_image(t) < 0) {
        fprintf(stderr, "the embedded kernels have no __code_start/__code_end\n");
        return -1;
    }
    for (unsigned int q = 0; q < ISA_QUEUES; q++)
        setup_queue(t, q, 1 + q % 2, 0);
    return 0;
}

void isa_fini(struct isa *t)
{
    emu_device_fini(&t->dev);
}

uint64_t isa_alloc(struct isa *t, uint64_t size)
{
    uint64_t off = t->next_data;

    t->next_data = (off + size + 63) & ~63ull;
    if (t->next_data > ISA_DATA_SIZE) {
        fprintf(stderr, "isa_alloc: out of data memory\n");
        return 0;
    }
    memset(t->dev.vram + t->data_vram + off, 0, size);
    return ISA_DATA_VA + off;
}

void *isa_ptr(struct isa *t, uint64_t va)
{
    return t->dev.vram + t->data_vram + (va - ISA_DATA_VA);
}

/* -------------------------------------------------------------- launches */

void isa_desc(struct isa *t, const struct isa_launch *l, struct s5000_kernel_desc *d)
{
    *d = (struct s5000_kernel_desc){
        .magic = S5000_KERNEL_DESC_MAGIC, .version = 1,
        .entry = isa_symbol(t, l->kernel),
        .code_start = t->code_start, .code_size = t->code_end - t->code_start,
        .static_shared = t->tls_size,
        .stack_size = l->stack_size ? l->stack_size : 4096,
        .max_threads = S5000_MAX_BLOCK_THREADS,
    };
    if (!d->entry)
        fprintf(stderr, "# no kernel %s in the image\n", l->kernel);
}

void isa_packet(const struct isa_launch *l, uint64_t desc_va, struct s5000_pkt_kernel_launch *p)
{
    *p = (struct s5000_pkt_kernel_launch){
        .header = S5000_PKT_HEADER(S5000_PKT_KERNEL_LAUNCH, 0, 0),
        .grid = { l->grid[0] ? l->grid[0] : 1, l->grid[1] ? l->grid[1] : 1,
                  l->grid[2] ? l->grid[2] : 1 },
        .block = { l->block[0] ? l->block[0] : 1, l->block[1] ? l->block[1] : 1,
                   l->block[2] ? l->block[2] : 1 },
        .shared_bytes = l->shared_bytes,
        .code = desc_va, .kernarg = l->kernarg, .timeout_ms = l->timeout_ms,
    };
}

void isa_submit(struct isa *t, unsigned int q, const void *packet)
{
    struct isa_queue *iq = &t->queue[q];
    uint64_t slot = iq->ring_va + (iq->wptr & ((1u << RING_ORDER) - 1)) * S5000_PACKET_SIZE;
    uint8_t *p = isa_ptr(t, slot);
    uint32_t header;

    memcpy(&header, packet, sizeof(header));
    memcpy(p + 4, (const uint8_t *)packet + 4, S5000_PACKET_SIZE - 4);
    __atomic_store_n((uint32_t *)p, header, __ATOMIC_RELEASE);
    iq->wptr++;
    __atomic_store_n(&doorbell(t, q)->wptr, iq->wptr, __ATOMIC_RELEASE);
    isa_reg_write(t, S5000_REG_KICK, 4, q);
}

struct isa_result isa_wait(struct isa *t, unsigned int q, unsigned int timeout_ms)
{
    struct s5000_doorbell *db = doorbell(t, q);
    uint64_t deadline = emu_now_ns() + timeout_ms * 1000000ull;
    struct isa_result r = { 0 };

    for (;;) {
        r.state = __atomic_load_n(&db->state, __ATOMIC_ACQUIRE);
        if (r.state == S5000_QSTATE_ERROR ||
            __atomic_load_n(&db->rptr, __ATOMIC_ACQUIRE) == t->queue[q].wptr)
            break;
        if (emu_now_ns() > deadline) {
            r.timed_out = true;
            break;
        }
        usleep(50);
    }
    r.error = db->error;
    r.kind = db->fault_kind;
    r.access = db->fault_access;
    r.addr = db->fault_addr;
    r.pc = db->fault_pc;
    return r;
}

struct isa_result isa_run(struct isa *t, unsigned int q, const struct isa_launch *l)
{
    struct s5000_pkt_kernel_launch pkt;
    uint64_t desc_va = isa_alloc(t, sizeof(struct s5000_kernel_desc));

    isa_desc(t, l, isa_ptr(t, desc_va));
    isa_packet(l, desc_va, &pkt);
    isa_submit(t, q, &pkt);
    return isa_wait(t, q, 10000);
}

void isa_restart(struct isa *t, unsigned int q)
{
    uint64_t deadline = emu_now_ns() + 2000000000ull;

    isa_reg_write(t, S5000_REG_QUEUE(q, S5000_QUEUE_CONTROL), 4, S5000_QUEUE_RESET);
    while (__atomic_load_n(&doorbell(t, q)->state, __ATOMIC_ACQUIRE) != S5000_QSTATE_DISABLED &&
           emu_now_ns() < deadline)
        usleep(50);
    setup_queue(t, q, t->queue[q].ctx, t->queue[q].wptr);
}
