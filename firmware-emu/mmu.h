/* SPDX-License-Identifier: MIT */
/*
 * The device's memory as its engines see it: VRAM and guest system memory, reached
 * only through per-context page tables (uapi/s5000.h, "device MMU").
 *
 * Every access a command processor or the copy engine makes goes through here, with
 * the context of its queue. A bad access never touches memory: it fills a struct
 * emu_fault and returns false. Nothing here talks to vfio-user.
 *
 * Threading: any number of engine threads may translate and access concurrently,
 * each with its own struct emu_tlb. Page-table roots change and TLBs are invalidated
 * from the serving thread. Accesses run in chunks of at most 1 MiB, each under one
 * translation; a TLB registered with the MMU (emu_mmu_register_tlb()) publishes the
 * context and generation of the chunk it is in. emu_mmu_invalidate(), and
 * emu_mmu_set_root(), _enable() and _reset() likewise, are barriers: they bump the
 * generation, then wait until no registered TLB is still in a chunk that translated
 * before the bump. So once they return, no access through the old entries is in
 * progress or starts, and the memory the old entries mapped may be reused. The wait
 * is one chunk at most (microseconds): a chunk takes no lock but the DMA read lock
 * and waits for no other thread, so a barrier may run under the command processors'
 * lock (device reset) and never waits for the serving thread. Accesses through a
 * NULL or unregistered TLB get only the weaker guarantee (none starts afterwards):
 * the device's engines always use registered ones.
 *
 * The guest-RAM table may change under the engines (DMA unmap): system-memory
 * accesses hold its read lock per chunk. A chunk takes that lock after publishing
 * itself, so never invalidate holding mem->dma_lock: the wait could then be for a
 * chunk that waits for the lock.
 */
#ifndef EMU_MMU_H
#define EMU_MMU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../uapi/s5000.h"
#include "dma.h"

/* What the device's memory is: VRAM, and guest RAM by bus address. */
struct emu_memory {
    uint8_t *vram;                      /* host mapping of all of VRAM */
    uint64_t vram_size;
    struct emu_dma_table *dma;          /* guest system memory */
    pthread_rwlock_t dma_lock;          /* writers: DMA map/unmap */
    atomic_bool fail_next_dma;          /* fault injection: next system access fails */
    atomic_bool poison_next_vram;       /* fault injection: see emu_memory_poison() */
};

struct emu_mmu_context {
    _Atomic uint64_t pt_root;           /* VRAM offset of the level-3 table */
    atomic_bool enabled;
    atomic_uint generation;             /* bumped by every invalidation */
};

/*
 * What one registered TLB is doing: idle, or in a chunk of a context at a
 * generation (see mmu.c). Written by its engine thread, read by invalidations;
 * 64 bytes apart, so that engines never write to the same cache line.
 */
#define EMU_MMU_MAX_TLBS 32
struct emu_mmu_engine {
    _Atomic uint64_t chunk;
    atomic_bool used;                   /* the slot belongs to a TLB */
    uint8_t pad[64 - sizeof(uint64_t) - sizeof(atomic_bool)];
};

struct emu_mmu {
    struct emu_memory *mem;
    struct emu_mmu_context ctx[S5000_MAX_CONTEXTS];
    struct emu_mmu_engine engine[EMU_MMU_MAX_TLBS];
};

/* A small translation cache owned by one engine thread. */
#define EMU_TLB_ENTRIES 64
struct emu_tlb_entry {
    uint64_t va_page;                   /* VA >> 12, or UINT64_MAX when empty */
    uint64_t pte;                       /* leaf entry, address already adjusted to 4 KiB */
    unsigned int ctx;
    unsigned int generation;
    unsigned int page_shift;            /* log2 of the mapped page's size: 12, 21 or 30 */
};
struct emu_tlb {
    struct emu_tlb_entry entry[EMU_TLB_ENTRIES];
    uint64_t hits, misses;
    struct emu_mmu *mmu;                /* registered with, or NULL */
    unsigned int slot;                  /* its engine[] there */
};

/* Why an access failed: the payload of a page-fault or DMA-error event. */
struct emu_fault {
    uint64_t address;                   /* GPU VA */
    uint8_t access;                     /* S5000_ACCESS_* */
    uint32_t error;                     /* S5000_ERR_PAGE_FAULT, _DMA, _ECC, _BAD_CONTEXT */
    /* Set by the compute units only: */
    uint32_t kind;                      /* S5000_KFAULT_* with S5000_ERR_KERNEL_FAULT */
    uint64_t pc;                        /* GPU VA of the faulting instruction, or 0 */
};

void emu_memory_init(struct emu_memory *mem, uint8_t *vram, uint64_t vram_size,
                     struct emu_dma_table *dma);
void emu_memory_fini(struct emu_memory *mem);

void emu_mmu_init(struct emu_mmu *mmu, struct emu_memory *mem);
void emu_tlb_init(struct emu_tlb *tlb);

/*
 * Makes invalidations of mmu wait for the chunks tlb is in (see above). False if
 * EMU_MMU_MAX_TLBS are registered already; the TLB then still works, unregistered.
 * Unregister only while no thread accesses memory through tlb, and before mmu goes.
 */
bool emu_mmu_register_tlb(struct emu_mmu *mmu, struct emu_tlb *tlb);
void emu_mmu_unregister_tlb(struct emu_tlb *tlb);

/*
 * Register side (serving thread). Each returns once no access of a registered TLB
 * through the context's old entries is in progress (a few microseconds at most);
 * never call them holding mem->dma_lock.
 */
void emu_mmu_set_root(struct emu_mmu *mmu, unsigned int ctx, uint64_t pt_root);
void emu_mmu_enable(struct emu_mmu *mmu, unsigned int ctx, bool enabled);
void emu_mmu_invalidate(struct emu_mmu *mmu, unsigned int ctx);  /* or S5000_TLB_ALL */
void emu_mmu_reset(struct emu_mmu *mmu);                         /* all contexts off */

/*
 * Engine side. All return true on success, or false with *fault filled in; on failure
 * no byte of the destination was written beyond what a partial copy had already done
 * (copies and fills stop at the first bad page and report its address).
 *
 * fault->address is the VA where the access reached the bad page, and the error:
 *   S5000_ERR_BAD_CONTEXT  context out of range, disabled, with root 0, or with a root
 *                          that is not a 4 KiB-aligned table inside VRAM;
 *   S5000_ERR_PAGE_FAULT   VA at or above 2^48 (no sign extension), an invalid or
 *                          malformed entry, a write through a read-only entry, a
 *                          fetch through an entry without EXEC, a misaligned
 *                          64-bit access;
 *   S5000_ERR_DMA          a system page whose bus address is not guest RAM allowing
 *                          the access, or an injected failure (fail_next_dma);
 *   S5000_ERR_ECC          an injected VRAM error (emu_memory_poison());
 *   S5000_ERR_BAD_PACKET   emu_fill() arguments, see there.
 * tlb may be NULL (no caching, and no wait by invalidations, see above). Never call
 * these holding mem->dma_lock.
 */
bool emu_mem_read(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                  uint64_t va, void *buf, uint64_t size, struct emu_fault *fault);
bool emu_mem_write(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                   uint64_t va, const void *buf, uint64_t size, struct emu_fault *fault);

/* A read that needs S5000_PTE_EXEC in every entry on the way: instruction fetch. */
bool emu_mem_fetch(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                   uint64_t va, void *buf, uint64_t size, struct emu_fault *fault);

/* 64-bit accesses to 8-byte aligned addresses, atomic with respect to the guest. */
bool emu_mem_load64(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                    uint64_t va, uint64_t *val, struct emu_fault *fault);
bool emu_mem_store64(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                     uint64_t va, uint64_t val, struct emu_fault *fault);
bool emu_mem_add64(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                   uint64_t va, uint64_t addend, struct emu_fault *fault);

/*
 * The copy engine: any sizes and alignments, page-crossing, in bounded chunks. A fill
 * writes the low width bytes of pattern, little-endian, size / width times; width must
 * be 1, 2, 4 or 8 and dst and size multiples of it, else S5000_ERR_BAD_PACKET at dst.
 */
bool emu_copy(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
              uint64_t dst, uint64_t src, uint64_t size, struct emu_fault *fault);
bool emu_fill(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
              uint64_t dst, uint64_t size, uint64_t pattern, unsigned int width,
              struct emu_fault *fault);

/*
 * Held chunks, for an engine that makes many small accesses (the compute units).
 * emu_mmu_hold() starts a chunk in ctx, through a registered tlb, that lasts until
 * emu_mmu_release() or the next hold, and returns the generation it translates with.
 * Invalidations of ctx wait for it, so a holder looks at emu_mmu_hold_stale() often
 * (between accesses, at least every few microseconds of work) and holds again when
 * it is stale, forgetting every pointer it had.
 *
 * emu_mmu_pin() translates [va, va + size), which must lie in one 4 KiB page, for an
 * access in the held chunk, and returns its host address, or NULL with *fault filled.
 * A VRAM pointer (*system false) stays good for the whole 4 KiB page while the hold
 * lasts and is not stale. A guest-RAM pointer (*system true) is good only until
 * emu_mmu_unpin(), which must come before the holder does anything that may wait.
 */
unsigned int emu_mmu_hold(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx);
void emu_mmu_release(struct emu_mmu *mmu, struct emu_tlb *tlb);
void *emu_mmu_pin(struct emu_mmu *mmu, struct emu_tlb *tlb, unsigned int ctx,
                  unsigned int generation, uint64_t va, uint64_t size, uint8_t access,
                  bool *system, struct emu_fault *fault);
void emu_mmu_unpin(struct emu_mmu *mmu, bool system);

static inline bool emu_mmu_hold_stale(const struct emu_mmu *mmu, unsigned int ctx,
                                      unsigned int generation)
{
    return ctx >= S5000_MAX_CONTEXTS ||
           atomic_load_explicit(&mmu->ctx[ctx].generation, memory_order_relaxed) != generation;
}

/*
 * Untranslated writes to guest system memory by bus address, for structures the
 * kernel driver owns (the event ring). False if the range is not guest RAM. What the
 * device wrote before reaches the guest first; fault injection does not apply.
 */
bool emu_phys_write(struct emu_memory *mem, uint64_t bus, const void *buf, uint64_t size);

/*
 * Fault injection: the next access to VRAM through any context reports an
 * uncorrectable ECC error (S5000_ERR_ECC) instead of completing.
 */
void emu_memory_poison(struct emu_memory *mem);

#endif /* EMU_MMU_H */
