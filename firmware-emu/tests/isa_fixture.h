/* SPDX-License-Identifier: MIT */
/*
 * A device core with kernels loaded, for the ISA tests and benchmark: no socket, no
 * QEMU. Contexts get page tables in VRAM that map the kernels' image (linked at its
 * GPU VA by the Makefile, embedded in the test binary) and a data region; queues
 * take KERNEL_LAUNCH packets as a driver would submit them.
 *
 * Data memory: [ISA_DATA_VA, + ISA_DATA_SIZE) is mapped read-write in every context,
 * VA = ISA_DATA_VA + VRAM offset, so isa_ptr() finds its host address.
 */
#ifndef EMU_TESTS_ISA_FIXTURE_H
#define EMU_TESTS_ISA_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "../uapi/s5000.h"
#include "device.h"

#define ISA_DATA_VA     0x900000000000ull
#define ISA_DATA_SIZE   (256ull << 20)
#define ISA_QUEUES      4

struct isa_queue {
    unsigned int ctx;
    uint64_t ring_va;
    uint64_t wptr;
};

struct isa {
    struct emu_device dev;
    uint64_t next_table;                /* VRAM bump allocators */
    uint64_t data_vram;                 /* VRAM offset of ISA_DATA_VA */
    uint64_t next_data;
    uint64_t next_page;
    uint64_t root[S5000_MAX_CONTEXTS];
    struct isa_queue queue[ISA_QUEUES];
    /* The kernels' image */
    const uint8_t *elf;
    uint64_t code_start, code_end;      /* its executable code */
    const uint32_t *code;               /* ... as loaded into VRAM */
    uint32_t tls_size;                  /* static shared memory */
};

/* How a launch ended, as the doorbell page tells it. */
struct isa_result {
    uint32_t state;                     /* S5000_QSTATE_* */
    uint32_t error;
    uint32_t kind;
    uint32_t access;
    uint64_t addr;
    uint64_t pc;
    bool timed_out;                     /* it did not end in time */
};

struct isa_launch {
    const char *kernel;                 /* symbol of the entry */
    uint32_t grid[3];
    uint16_t block[3];
    uint32_t shared_bytes;
    uint64_t kernarg;
    uint32_t stack_size;                /* 0: 4096 */
    uint32_t timeout_ms;
};

/* 0, or -1 with a reason on stderr. Contexts 1 and 2 are set up, queue q in context 1 + q % 2. */
int isa_init(struct isa *t, unsigned int compute_threads);
void isa_fini(struct isa *t);

/* Zeroed data memory, 64-byte aligned: its GPU VA. */
uint64_t isa_alloc(struct isa *t, uint64_t size);
void *isa_ptr(struct isa *t, uint64_t va);

/* Address of a symbol of the kernels' image, or 0. */
uint64_t isa_symbol(const struct isa *t, const char *name);

/* Maps one 4 KiB page of fresh VRAM at va in ctx with PTE flags; its host address. */
void *isa_map_page(struct isa *t, unsigned int ctx, uint64_t va, uint64_t flags);
void isa_unmap_page(struct isa *t, unsigned int ctx, uint64_t va);

/*
 * Makes size bytes of fresh host memory guest RAM at bus address bus, and maps them at
 * va in ctx (system pages); their host address. size is a multiple of 4 KiB.
 */
void *isa_map_system(struct isa *t, unsigned int ctx, uint64_t va, uint64_t bus, uint64_t size);

/* The descriptor a launch of l would use (for tests that spoil it). */
void isa_desc(struct isa *t, const struct isa_launch *l, struct s5000_kernel_desc *d);
/* The packet for a descriptor already in memory at desc_va. */
void isa_packet(const struct isa_launch *l, uint64_t desc_va, struct s5000_pkt_kernel_launch *p);

/* Submits a packet without waiting. */
void isa_submit(struct isa *t, unsigned int q, const void *packet);
/* Waits until queue q consumed everything submitted or stopped; at most timeout_ms. */
struct isa_result isa_wait(struct isa *t, unsigned int q, unsigned int timeout_ms);
/* Submits a launch of l and waits (10 s at most). */
struct isa_result isa_run(struct isa *t, unsigned int q, const struct isa_launch *l);
/* Resets a stopped queue and enables it again, empty. */
void isa_restart(struct isa *t, unsigned int q);

/* Register access. */
uint64_t isa_reg_read(struct isa *t, uint64_t offset, unsigned int size);
void isa_reg_write(struct isa *t, uint64_t offset, unsigned int size, uint64_t val);

#endif /* EMU_TESTS_ISA_FIXTURE_H */
