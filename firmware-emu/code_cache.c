// SPDX-License-Identifier: MIT
/*
 * The cache of decoded kernel code (code_cache.h): a few programs, the least recently
 * used unreferenced one going first when a slot or host memory is short. The lock is
 * held only to look up and insert; fetching and decoding happen outside it.
 */
#include "code_cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "simt.h"

#define CODE_ENTRIES 16
/* Host memory the programs not in use may keep; a guest must not make us hoard it. */
#define CODE_BYTES (256ull << 20)
/* Kernels whose register sets an entry remembers. */
#define CODE_KERNELS 8

struct emu_code {
    uint64_t start, size;
    uint32_t *words;                    /* the code as it was decoded */
    struct simt_program *prog;
    uint64_t bytes;                     /* host memory of both */
    unsigned int refs;                  /* launches using it */
    uint64_t last_use;
    struct {
        uint32_t entry, written;
    } kernel[CODE_KERNELS];
    unsigned int kernels;
};

struct emu_code_cache {
    pthread_mutex_t lock;
    uint64_t clock;
    uint64_t bytes;                     /* of all entries */
    struct emu_code entry[CODE_ENTRIES];
};

struct emu_code_cache *emu_code_cache_new(void)
{
    struct emu_code_cache *cc = calloc(1, sizeof(*cc));

    if (cc)
        pthread_mutex_init(&cc->lock, NULL);
    return cc;
}

/* Under lock. */
static void clear(struct emu_code_cache *cc, struct emu_code *code)
{
    cc->bytes -= code->bytes;
    free(code->words);
    simt_program_free(code->prog);
    memset(code, 0, sizeof(*code));
}

void emu_code_cache_free(struct emu_code_cache *cc)
{
    if (!cc)
        return;
    for (unsigned int i = 0; i < CODE_ENTRIES; i++)
        clear(cc, &cc->entry[i]);
    pthread_mutex_destroy(&cc->lock);
    free(cc);
}

const struct simt_program *emu_code_program(const struct emu_code *code)
{
    return code->prog;
}

static struct emu_code *lookup(struct emu_code_cache *cc, uint64_t start, uint64_t size,
                               const uint32_t *words)
{
    struct emu_code *found = NULL;

    pthread_mutex_lock(&cc->lock);
    for (unsigned int i = 0; i < CODE_ENTRIES && !found; i++) {
        struct emu_code *code = &cc->entry[i];

        if (code->prog && code->start == start && code->size == size &&
            memcmp(code->words, words, size) == 0)
            found = code;
    }
    if (found) {
        found->refs++;
        found->last_use = ++cc->clock;
    }
    pthread_mutex_unlock(&cc->lock);
    return found;
}

/* Under lock: the least recently used entry no launch holds (empty ones first). */
static struct emu_code *victim(struct emu_code_cache *cc)
{
    struct emu_code *v = NULL;

    for (unsigned int i = 0; i < CODE_ENTRIES; i++) {
        struct emu_code *code = &cc->entry[i];

        if (code->refs == 0 && (!v || code->last_use < v->last_use))
            v = code;
    }
    return v;
}

/* Keeps a new program, making room; NULL if every slot is held by a launch. */
static struct emu_code *insert(struct emu_code_cache *cc, uint64_t start, uint64_t size,
                               uint32_t *words, struct simt_program *prog)
{
    uint64_t bytes = size + simt_program_bytes(prog);
    struct emu_code *slot;

    pthread_mutex_lock(&cc->lock);
    for (slot = victim(cc); slot && slot->prog && cc->bytes + bytes > CODE_BYTES;
         slot = victim(cc))
        clear(cc, slot);
    if (slot) {
        clear(cc, slot);
        *slot = (struct emu_code){
            .start = start, .size = size, .words = words, .prog = prog, .bytes = bytes,
            .refs = 1, .last_use = ++cc->clock,
        };
        cc->bytes += bytes;
    }
    pthread_mutex_unlock(&cc->lock);
    return slot;
}

struct emu_code *emu_code_get(struct emu_code_cache *cc, struct emu_mmu *mmu,
                              struct emu_tlb *tlb, unsigned int ctx, uint64_t start,
                              uint64_t size, struct emu_fault *fault)
{
    uint32_t *words = malloc(size);
    struct simt_program *prog;
    struct emu_code *code;

    if (!words)
        goto out_of_memory;
    if (!emu_mem_fetch(mmu, tlb, ctx, start, words, size, fault)) {
        free(words);
        return NULL;
    }
    code = lookup(cc, start, size, words);
    if (code) {
        free(words);
        return code;
    }
    prog = simt_decode(words, start, size);
    code = prog ? insert(cc, start, size, words, prog) : NULL;
    if (code)
        return code;
    simt_program_free(prog);
    free(words);
out_of_memory:
    emu_err("no host memory to decode %llu bytes of kernel code", (unsigned long long)size);
    *fault = (struct emu_fault){ .error = S5000_ERR_KERNEL_FAULT,
                                 .kind = S5000_KFAULT_BAD_LAUNCH, .address = start };
    return NULL;
}

void emu_code_put(struct emu_code_cache *cc, struct emu_code *code)
{
    pthread_mutex_lock(&cc->lock);
    code->refs--;
    pthread_mutex_unlock(&cc->lock);
}

uint32_t emu_code_writes(struct emu_code_cache *cc, struct emu_code *code, uint32_t entry)
{
    uint32_t written = 0;
    bool found = false;

    pthread_mutex_lock(&cc->lock);
    for (unsigned int i = 0; i < code->kernels && i < CODE_KERNELS && !found; i++) {
        if (code->kernel[i].entry == entry) {
            written = code->kernel[i].written;
            found = true;
        }
    }
    pthread_mutex_unlock(&cc->lock);
    if (found)
        return written;
    written = simt_program_writes(code->prog, entry);
    pthread_mutex_lock(&cc->lock);
    code->kernel[code->kernels % CODE_KERNELS].entry = entry;
    code->kernel[code->kernels % CODE_KERNELS].written = written;
    code->kernels++;
    pthread_mutex_unlock(&cc->lock);
    return written;
}
