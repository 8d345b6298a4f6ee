/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * S5000 device ABI: what the emulated accelerator (firmware-emu/s5000-emu) presents
 * on the PCI bus, and what musa.ko and libmusa program it with.
 *
 * This is the one definition shared by the device model, the kernel driver and the
 * runtime; none of them copies it. The prose specification is s5000.md beside it.
 *
 * All registers are little-endian. 64-bit registers may be accessed as one 64-bit
 * access or as two 32-bit accesses (low word first).
 */
#ifndef S5000_H
#define S5000_H

#include <linux/types.h>

/* ------------------------------------------------------------------ PCI identity */

#define S5000_PCI_VENDOR_ID		0x1ed5	/* Moore Threads */
#define S5000_PCI_DEVICE_ID		0x5000	/* MTT S5000-class accelerator */
#define S5000_PCI_REVISION		0x01
#define S5000_PCI_CLASS			0x120000 /* processing accelerator */
#define S5000_PCI_SUBSYS_VENDOR_ID	0x1ed5
#define S5000_PCI_SUBSYS_ID_EMULATED	0xe500	/* subsystem: emulated by s5000-emu */

/* ---------------------------------------------------------------------- BARs */

/*
 * BAR0, 32-bit non-prefetchable memory, 512 KiB:
 *   [0x00000, 0x10000)  control registers, trapped, for the kernel driver only
 *   [0x10000, 0x11000)  MSI-X table, trapped (emulated by the VMM)
 *   [0x11000, 0x12000)  MSI-X pending-bit array, trapped
 *   [0x20000, 0x40000)  kick pages, trapped: one 4 KiB page per queue, which the
 *                       driver may map into the queue owner's address space
 *   [0x40000, 0x60000)  doorbell/status pages, mapped memory: one 4 KiB page per queue
 *   [0x60000, 0x80000)  reserved
 *
 * BAR2, 64-bit prefetchable memory: the CPU-visible VRAM aperture, a window onto the
 * first S5000_REG_APERTURE_SIZE bytes of VRAM. Its size is a power of two between
 * 64 MiB and 2 GiB (256 MiB by default); VRAM itself is larger (80 GiB by default).
 */
#define S5000_BAR_REGS			0
#define S5000_BAR_VRAM			2

#define S5000_BAR0_SIZE			0x80000
#define S5000_REGS_SIZE			0x10000
#define S5000_MSIX_TABLE_OFFSET		0x10000
#define S5000_MSIX_PBA_OFFSET		0x11000
#define S5000_KICK_OFFSET		0x20000
#define S5000_DOORBELL_OFFSET		0x40000
#define S5000_DOORBELL_END		0x60000
#define S5000_PAGE_SIZE			0x1000
#define S5000_KICK_PAGE(q)		(S5000_KICK_OFFSET + (q) * S5000_PAGE_SIZE)
#define S5000_DOORBELL_PAGE(q)		(S5000_DOORBELL_OFFSET + (q) * S5000_PAGE_SIZE)
#define S5000_MAX_QUEUES		32
#define S5000_MAX_CONTEXTS		64
#define S5000_MSIX_VECTORS		33	/* vector 0: events and errors; 1..32: queues */
#define S5000_EVENT_VECTOR		0

#define S5000_APERTURE_MIN		(64ull << 20)
#define S5000_APERTURE_MAX		(2048ull << 20)
#define S5000_APERTURE_DEFAULT		(256ull << 20)
#define S5000_VRAM_DEFAULT		(80ull << 30)

/* ---------------------------------------------------------- control registers */

/* Identity, read-only. */
#define S5000_REG_IDENT			0x0000	/* reads S5000_IDENT_MAGIC */
#define   S5000_IDENT_MAGIC		0x30303553	/* "S500" as little-endian bytes */
#define S5000_REG_VERSION		0x0004	/* device ABI version */
#define   S5000_VERSION_MAJOR(v)	(((v) >> 16) & 0xffff)
#define   S5000_VERSION_MINOR(v)	((v) & 0xffff)
#define   S5000_ABI_VERSION		((1u << 16) | 1)
#define S5000_REG_CAPS			0x0008	/* S5000_CAP_* bits */
#define   S5000_CAP_EMULATED		(1u << 0)	/* a software model, not silicon */
#define   S5000_CAP_KERNEL_LAUNCH	(1u << 1)	/* KERNEL_LAUNCH packets execute */
#define S5000_REG_NUM_QUEUES		0x000c	/* hardware queues (doorbell pages) */
#define S5000_REG_VRAM_SIZE		0x0010	/* 64-bit, bytes of VRAM */
#define S5000_REG_APERTURE_SIZE		0x0018	/* 64-bit, bytes of VRAM behind BAR2 */
#define S5000_REG_TIMESTAMP_FREQ	0x0020	/* Hz of S5000_REG_TIMESTAMP */
#define S5000_REG_NUM_VECTORS		0x0024	/* MSI-X vectors implemented */
#define S5000_REG_TIMESTAMP		0x0028	/* 64-bit, free-running counter */
#define S5000_REG_NUM_CONTEXTS		0x0030	/* GPU address spaces (context ids) */
#define S5000_REG_VA_BITS		0x0034	/* bits of GPU virtual address (48) */
#define S5000_REG_COMPUTE_UNITS		0x0038	/* compute units (SM equivalents) */
#define S5000_REG_SERIAL		0x0040	/* 64-bit board serial number */

/* Scratch register: reads back what was last written; for bring-up and tests. */
#define S5000_REG_SCRATCH		0x0048

/* Product name: 32 bytes of NUL-padded ASCII, read as eight 32-bit words. */
#define S5000_REG_NAME			0x0080
#define S5000_NAME_LEN			32

#define S5000_TIMESTAMP_FREQ_HZ		100000000u	/* 100 MHz */

/*
 * The board's UUID, as tools report it ("MTGPU-" and the 16 bytes in the usual
 * 8-4-4-4-12 form), is derived from S5000_REG_SERIAL: two FNV-1a hashes of the serial's
 * bytes, with the version (8) and variant bits set.
 */
static inline void s5000_uuid_from_serial(__u64 serial, __u8 uuid[16])
{
	__u64 h[2] = { 0xcbf29ce484222325ull, 0x84222325cbf29ce4ull };
	int i, k;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < 8; i++) {
			h[k] ^= (serial >> (8 * i)) & 0xff;
			h[k] *= 0x100000001b3ull;
		}
		for (i = 0; i < 8; i++)
			uuid[8 * k + i] = (__u8)(h[k] >> (56 - 8 * i));
	}
	uuid[6] = (uuid[6] & 0x0f) | 0x80;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
}

#define S5000_VA_BITS			48

/* Global control. */
#define S5000_REG_CONTROL		0x0100
#define   S5000_CONTROL_ENABLE		(1u << 0)	/* command processors run */
#define   S5000_CONTROL_RESET		(1u << 31)	/* write 1: device reset; self-clearing */
#define S5000_REG_STATUS		0x0104	/* read-only */
#define   S5000_STATUS_READY		(1u << 0)	/* enabled and running */
#define   S5000_STATUS_RESETTING	(1u << 1)	/* a reset is in progress */
#define   S5000_STATUS_ERROR		(1u << 2)	/* an uncorrectable error happened */
#define S5000_REG_RESET_COUNT		0x0108	/* resets since power-on, read-only */

/*
 * Interrupt and error cause: bits set by the device, cleared by writing 1s.
 * The event ring carries the details; this is a summary for the error vector.
 */
#define S5000_REG_INT_CAUSE		0x0110
#define   S5000_INT_QUEUE_ERROR		(1u << 0)	/* a queue stopped with an error */
#define   S5000_INT_PAGE_FAULT		(1u << 1)
#define   S5000_INT_ECC			(1u << 2)
#define   S5000_INT_EVENT_OVERFLOW	(1u << 3)	/* the event ring was full */
#define   S5000_INT_RESET_DONE		(1u << 4)

/*
 * Event ring: where the device reports faults and errors, in guest system memory at a
 * bus address the driver owns (not translated by the device MMU). Entries are struct
 * s5000_event; the device writes an entry, then its write index (a 64-bit count of
 * entries ever written) to EVENT_WPTR_ADDR, then raises the event vector. The driver
 * reports how far it has read in EVENT_RPTR; the device never overwrites unread
 * entries (it counts them as lost and sets S5000_INT_EVENT_OVERFLOW instead).
 */
#define S5000_REG_EVENT_RING_BASE	0x0120	/* 64-bit bus address, 4 KiB aligned */
/* Entries, a power of two, 0 = off; written last, it (re)starts the ring at index 0. */
#define S5000_REG_EVENT_RING_SIZE	0x0128
#define S5000_REG_EVENT_WPTR_ADDR	0x0130	/* 64-bit bus address of the write index */
#define S5000_REG_EVENT_RPTR		0x0138	/* 64-bit, written by the driver */
#define S5000_REG_EVENTS_LOST		0x0140	/* read-only count of dropped events */

/*
 * TLB invalidation: write a context id, or S5000_TLB_ALL. When the write returns, no
 * access through the old entries is in progress any more (see s5000.md).
 */
#define S5000_REG_TLB_INVALIDATE	0x0150
#define   S5000_TLB_ALL			0xffffffffu

/* Kick: write a queue id to wake its command processor (same as its kick page). */
#define S5000_REG_KICK			0x0154

/* Per-context registers: the root of the context's page tables. */
#define S5000_REG_CTX_BASE		0x1000
#define S5000_REG_CTX_STRIDE		0x10
#define S5000_REG_CTX(c, r)		(S5000_REG_CTX_BASE + (c) * S5000_REG_CTX_STRIDE + (r))
#define   S5000_CTX_PT_ROOT		0x0	/* 64-bit VRAM offset of the root table */
#define   S5000_CTX_CONTROL		0x8
#define     S5000_CTX_ENABLE		(1u << 0)
#define   S5000_CTX_STATUS		0xc	/* read-only */
#define     S5000_CTX_FAULTED		(1u << 0)	/* cleared by disabling the context */

/*
 * Per-queue registers. A queue is programmed while disabled; setting ENABLE starts it
 * at read index RPTR_INIT (and sets the doorbell page's wptr and rptr to it). Clearing
 * ENABLE stops it at a packet boundary; RESET (self-clearing) stops it, even inside a
 * packet, clears its error and parks it disabled. Both complete asynchronously: the
 * queue is stopped once its STATUS (or doorbell page state) reads DISABLED.
 */
#define S5000_REG_QUEUE_BASE		0x2000
#define S5000_REG_QUEUE_STRIDE		0x40
#define S5000_REG_QUEUE(q, r)		(S5000_REG_QUEUE_BASE + (q) * S5000_REG_QUEUE_STRIDE + (r))
#define   S5000_QUEUE_RING_BASE		0x00	/* 64-bit GPU VA of the ring, 64-byte aligned */
#define   S5000_QUEUE_RPTR_ADDR		0x08	/* 64-bit GPU VA of the read index, 0: none */
#define   S5000_QUEUE_RPTR_INIT		0x10	/* 64-bit index the queue starts at */
#define   S5000_QUEUE_RING_ORDER	0x18	/* ring holds 1 << order packets, 4..20 */
#define   S5000_QUEUE_CONTEXT		0x1c	/* context id the queue runs in */
#define   S5000_QUEUE_VECTOR		0x20	/* MSI-X vector for completion interrupts */
#define   S5000_QUEUE_PRIORITY		0x24	/* 0 (low) .. 3 (high) */
#define     S5000_QUEUE_PRIORITY_MAX	3
#define   S5000_QUEUE_CONTROL		0x28
#define     S5000_QUEUE_ENABLE		(1u << 0)
#define     S5000_QUEUE_RESET		(1u << 31)
#define   S5000_QUEUE_STATUS		0x2c	/* read-only, S5000_QSTATE_* */
#define   S5000_QUEUE_ERROR		0x30	/* read-only, S5000_ERR_* of a failed queue */
#define   S5000_QUEUE_RPTR		0x38	/* 64-bit read-only: packets consumed */

/* Telemetry, read-only, as a board reports it. */
#define S5000_REG_TELEMETRY		0x3000
#define S5000_REG_TEMP_MC		0x3000	/* GPU temperature, milli-degrees Celsius */
#define S5000_REG_POWER_MW		0x3004	/* board power draw, milliwatts */
#define S5000_REG_POWER_LIMIT_MW	0x3008	/* board power limit, milliwatts */
#define S5000_REG_SM_CLOCK_MHZ		0x300c	/* current compute clock */
#define S5000_REG_MEM_CLOCK_MHZ		0x3010	/* current memory clock */
#define S5000_REG_SM_CLOCK_MAX_MHZ	0x3014
#define S5000_REG_MEM_CLOCK_MAX_MHZ	0x3018
#define S5000_REG_MEM_BUS_WIDTH		0x301c	/* bits */
#define S5000_REG_UTIL_COMPUTE		0x3020	/* percent busy over the last second */
#define S5000_REG_UTIL_COPY		0x3024	/* percent busy over the last second */
#define S5000_REG_PCIE_GEN		0x3028	/* link generation */
#define S5000_REG_PCIE_WIDTH		0x302c	/* link width, lanes */
#define S5000_REG_ECC_CORRECTED		0x3030	/* 64-bit count */
#define S5000_REG_ECC_UNCORRECTED	0x3038	/* 64-bit count */
#define S5000_REG_LINK_BANDWIDTH_MBPS	0x3040	/* card-to-card link, MB/s */

/* ----------------------------------------------------- doorbell/status page */

/*
 * One 4 KiB page per queue, in BAR0's mapped area: the submitter's write index and
 * what the command processor publishes about itself, on separate cache lines.
 *
 * Submission: write packets, then the 64-bit write index (release); then, with a full
 * barrier in between, read cp_sleeping: only if it is non-zero, write anything to the
 * queue's kick page (or S5000_REG_KICK). The command processor sets cp_sleeping before
 * it sleeps and re-reads wptr after, so no submission is lost.
 */
struct s5000_doorbell {
	__u64 wptr;			/* written by the submitter */
	__u64 pad0[7];
	__u32 cp_sleeping;		/* written by the device */
	__u32 pad1[15];
	__u64 rptr;			/* written by the device: packets consumed */
	__u32 state;			/* S5000_QSTATE_* */
	__u32 error;			/* S5000_ERR_* once the queue failed */
	__u64 fault_addr;		/* GPU VA of a page fault */
	__u64 fault_pc;			/* GPU VA of the faulting instruction, kernels only */
	__u32 fault_kind;		/* S5000_KFAULT_* with S5000_ERR_KERNEL_FAULT */
	__u32 fault_access;		/* S5000_ACCESS_* of a page fault */
	__u64 pad2[3];
};

#define S5000_QSTATE_DISABLED		0
#define S5000_QSTATE_IDLE		1	/* enabled, nothing to do */
#define S5000_QSTATE_RUNNING		2
#define S5000_QSTATE_WAITING		3	/* parked on a WAIT or BARRIER */
#define S5000_QSTATE_ERROR		4	/* stopped; see error */

/* ---------------------------------------------------------------- packets */

/*
 * Packets are 64 bytes in a power-of-two ring, indexed by a 64-bit monotonic index
 * (slot = index & (size - 1)). The header is the first 32-bit word; the submitter
 * writes it last, with release semantics. The device executes a slot once the write
 * index is past it and its type is not INVALID, then writes INVALID into the slot's
 * header, so the same slot is never run twice. Packets in one queue execute in order,
 * each completing (its memory effects visible) before the next starts.
 */
#define S5000_PACKET_SIZE		64

#define S5000_PKT_TYPE(h)		((h) & 0xff)
#define S5000_PKT_INTERRUPT		(1u << 8)	/* raise the queue's vector when done */
#define S5000_PKT_ARG(h)		(((h) >> 16) & 0xffff)	/* type-specific */
#define S5000_PKT_HEADER(type, arg, flags) ((type) | (flags) | ((__u32)(arg) << 16))

enum s5000_packet_type {
	S5000_PKT_INVALID = 0,		/* slot not ready (or already consumed) */
	S5000_PKT_NOP = 1,
	S5000_PKT_COPY = 2,
	S5000_PKT_FILL = 3,
	S5000_PKT_SIGNAL = 4,
	S5000_PKT_WAIT = 5,
	S5000_PKT_BARRIER = 6,
	S5000_PKT_TIMESTAMP = 7,
	S5000_PKT_KERNEL_LAUNCH = 8,
};

/* All addresses in packets are GPU virtual addresses in the queue's context. */

struct s5000_pkt_nop {
	__u32 header;
	__u32 pad[15];
};

/* COPY: size bytes from src to dst; any alignment; the ranges must not overlap. */
struct s5000_pkt_copy {
	__u32 header;
	__u32 pad;
	__u64 src;
	__u64 dst;
	__u64 size;
	__u64 reserved[4];
};

/*
 * FILL: arg is the pattern width in bytes (1, 2, 4 or 8); dst and size are multiples
 * of it; the low arg bytes of pattern repeat, little-endian.
 */
struct s5000_pkt_fill {
	__u32 header;
	__u32 pad;
	__u64 dst;
	__u64 size;
	__u64 pattern;
	__u64 reserved[4];
};

/* SIGNAL: arg is the operation; addr is 8-byte aligned. */
#define S5000_SIGNAL_WRITE		0	/* *addr = value */
#define S5000_SIGNAL_ADD		1	/* *addr += value, atomically */
struct s5000_pkt_signal {
	__u32 header;
	__u32 pad;
	__u64 addr;
	__u64 value;
	__u64 reserved[5];
};

/*
 * WAIT: park the queue until (*addr & mask) <cond> value, comparing unsigned 64-bit
 * values; arg is the condition; addr is 8-byte aligned. A parked queue holds no
 * thread: it is re-checked when any queue executes a SIGNAL, on its doorbell or kick,
 * and periodically (about every millisecond). timeout_ns = 0 waits for ever; otherwise
 * the queue fails with S5000_ERR_WAIT_TIMEOUT once that long has passed.
 */
#define S5000_WAIT_EQ			0
#define S5000_WAIT_NE			1
#define S5000_WAIT_GE			2
#define S5000_WAIT_GT			3
#define S5000_WAIT_LE			4
#define S5000_WAIT_LT			5
struct s5000_pkt_wait {
	__u32 header;
	__u32 pad;
	__u64 addr;
	__u64 value;
	__u64 mask;
	__u64 timeout_ns;
	__u64 reserved[3];
};

/*
 * BARRIER: park until every used signal[i] >= value[i] (unsigned); arg is how many
 * (1..3); addresses are 8-byte aligned; unused entries are zero.
 */
#define S5000_BARRIER_MAX		3
struct s5000_pkt_barrier {
	__u32 header;
	__u32 pad;
	struct {
		__u64 addr;
		__u64 value;
	} signal[S5000_BARRIER_MAX];
	__u64 reserved;
};

/*
 * TIMESTAMP: write the 64-bit device timestamp (S5000_REG_TIMESTAMP's clock) to addr,
 * 8-byte aligned.
 */
struct s5000_pkt_timestamp {
	__u32 header;
	__u32 pad;
	__u64 addr;
	__u64 reserved[6];
};

/*
 * KERNEL_LAUNCH: run a kernel over a grid of thread blocks. code is the GPU VA of its
 * struct s5000_kernel_desc; kernarg the GPU VA of its packed parameters (a0 of every
 * thread). The packet completes when every thread has exited; a fault stops the queue
 * with S5000_ERR_PAGE_FAULT or S5000_ERR_KERNEL_FAULT (see the doorbell page). A launch
 * running longer than timeout_ms (default S5000_KERNEL_TIMEOUT_MS, shorter than the
 * driver's hang timeout) fails with S5000_KFAULT_TIMEOUT. A device
 * without S5000_CAP_KERNEL_LAUNCH fails the queue with S5000_ERR_UNSUPPORTED.
 */
struct s5000_pkt_kernel_launch {
	__u32 header;
	__u32 grid[3];			/* blocks in x, y, z */
	__u16 block[3];			/* threads per block in x, y, z */
	__u16 pad;
	__u32 shared_bytes;		/* dynamic shared memory per block */
	__u32 kernarg_size;
	__u64 code;
	__u64 kernarg;
	__u32 timeout_ms;		/* watchdog for this launch, 0: the device's default */
	__u32 pad2;
	__u64 reserved;
};

/* ----------------------------------------------------------- error codes */

/* Why a queue stopped (S5000_QUEUE_ERROR, the doorbell page, event entries). */
enum s5000_error {
	S5000_ERR_NONE = 0,
	S5000_ERR_PAGE_FAULT = 1,	/* unmapped address or write to read-only page */
	S5000_ERR_BAD_PACKET = 2,	/* unknown type, bad argument or nonzero reserved */
	S5000_ERR_BAD_WPTR = 3,		/* write index behind the read index or > ring size ahead */
	S5000_ERR_WAIT_TIMEOUT = 4,
	S5000_ERR_UNSUPPORTED = 5,	/* packet kind this device does not execute */
	S5000_ERR_DMA = 6,		/* system memory access failed */
	S5000_ERR_ECC = 7,		/* uncorrectable memory error */
	S5000_ERR_BAD_CONTEXT = 8,	/* queue's context disabled or without page tables */
	S5000_ERR_KERNEL_FAULT = 9,	/* a kernel failed: fault_kind says how */
};

/* How a kernel failed (doorbell page fault_kind, with S5000_ERR_KERNEL_FAULT). */
enum s5000_kernel_fault {
	S5000_KFAULT_NONE = 0,
	S5000_KFAULT_ILLEGAL_INSTRUCTION = 1,	/* undecodable, or not in RV64IMAFD+SIMT */
	S5000_KFAULT_MISALIGNED = 2,		/* load, store or atomic not naturally aligned */
	S5000_KFAULT_STACK_OVERFLOW = 3,	/* below the thread's stack window */
	S5000_KFAULT_SHARED_BOUNDS = 4,		/* past the block's shared memory */
	S5000_KFAULT_BARRIER_DEADLOCK = 5,	/* threads wait at a barrier the rest never reach */
	S5000_KFAULT_TIMEOUT = 6,		/* instruction budget or watchdog exhausted */
	S5000_KFAULT_TRAP = 7,			/* TRAP (assert); fault_addr = its code */
	S5000_KFAULT_BAD_LAUNCH = 8,		/* descriptor, dimensions or resources invalid */
	S5000_KFAULT_BAD_MMA = 9,		/* an MMA descriptor is invalid */
	S5000_KFAULT_FETCH = 10,		/* jump outside the kernel's code range */
};

/* ------------------------------------------------------------ device ISA */

/*
 * Compute: every GPU thread runs RV64IMAFD (little-endian, no compressed
 * instructions, the standard calling convention lp64d), in warps of 32 threads that
 * execute in lock step while they agree on the pc. The prose is s5000-isa.md.
 *
 * Address windows: a thread's addresses are GPU VAs (translated by its context's
 * page tables) except two windows below S5000_VA_USER_START that the compute units
 * serve themselves:
 *   shared  [S5000_SHARED_BASE, + the block's shared bytes): the block's shared
 *           memory, static part first, then the dynamic part (16-byte aligned);
 *   stack   [S5000_STACK_BASE, + the kernel's stack_size): the thread's own stack,
 *           the same addresses in every thread, different memory.
 * An access past the shared bytes is S5000_KFAULT_SHARED_BOUNDS; below the stack
 * window, within S5000_STACK_GUARD, S5000_KFAULT_STACK_OVERFLOW.
 *
 * A thread starts at the descriptor's entry with a0 = kernarg (the launch packet's
 * GPU VA), sp = S5000_STACK_BASE + stack_size, tp = S5000_SHARED_BASE, ra =
 * S5000_EXIT_PC, every other register 0 (fcsr 0: round to nearest even). Jumping to
 * S5000_EXIT_PC (returning from the entry function) exits the thread, as EXIT does.
 * Shared variables are thread-local variables to the compiler (local-exec model,
 * tp-relative), which places them in the shared window.
 */
#define S5000_WARP_SIZE			32
#define S5000_MAX_BLOCK_THREADS		1024
#define S5000_MAX_GRID_X		0x7fffffffu
#define S5000_MAX_GRID_YZ		65535
#define S5000_MAX_SHARED_BYTES		(228u << 10)	/* per block, static + dynamic */
#define S5000_MAX_STACK_BYTES		(512u << 10)	/* per thread */
#define S5000_MAX_CODE_BYTES		(64u << 20)
#define S5000_VA_USER_START		(1ull << 47)	/* GPU VAs below are not mapped memory */
#define S5000_SHARED_BASE		(1ull << 40)
#define S5000_STACK_BASE		(2ull << 40)
#define S5000_STACK_GUARD		(1ull << 30)
#define S5000_EXIT_PC			0
#define S5000_KERNEL_TIMEOUT_MS		5000

/*
 * Special registers: read-only user CSRs, read with csrr. cycle (0xc00) and instret
 * (0xc02) count the thread's instructions; time (0xc01) is S5000_REG_TIMESTAMP.
 */
#define S5000_CSR_TID_X			0xcc0	/* threadIdx */
#define S5000_CSR_TID_Y			0xcc1
#define S5000_CSR_TID_Z			0xcc2
#define S5000_CSR_NTID_X		0xcc3	/* blockDim */
#define S5000_CSR_NTID_Y		0xcc4
#define S5000_CSR_NTID_Z		0xcc5
#define S5000_CSR_CTAID_X		0xcc6	/* blockIdx */
#define S5000_CSR_CTAID_Y		0xcc7
#define S5000_CSR_CTAID_Z		0xcc8
#define S5000_CSR_NCTAID_X		0xcc9	/* gridDim */
#define S5000_CSR_NCTAID_Y		0xcca
#define S5000_CSR_NCTAID_Z		0xccb
#define S5000_CSR_LANEID		0xccc	/* 0..31 */
#define S5000_CSR_WARPID		0xccd	/* warp within the block */
#define S5000_CSR_NWARPS		0xcce	/* warps in the block */
#define S5000_CSR_SMID			0xccf	/* compute unit running the block */
#define S5000_CSR_DYN_SHARED		0xcd0	/* bytes of dynamic shared memory */
#define S5000_CSR_SHARED_SIZE		0xcd1	/* bytes of shared memory, all of it */
#define S5000_CSR_DYN_SHARED_OFF	0xcd2	/* offset of the dynamic part in the window */

/*
 * SIMT instructions: opcode custom-0 (0x0b), R-type; funct3 picks the group, funct7
 * the operation. ".insn r 0x0b, funct3, funct7, rd, rs1, rs2" in assembly. Unused
 * register fields must be x0; anything else is S5000_KFAULT_ILLEGAL_INSTRUCTION.
 */
#define S5000_OPC_SIMT			0x0b
#define S5000_SIMT_CTRL			0	/* funct3 */
#define   S5000_CTRL_BAR		0	/* block barrier (__syncthreads) */
#define   S5000_CTRL_EXIT		1	/* the thread exits */
#define   S5000_CTRL_TRAP		2	/* kernel fault TRAP, code rs1 (assert) */
#define   S5000_CTRL_WARP_SYNC		3	/* wait for the lanes of mask rs1 (__syncwarp) */
#define   S5000_CTRL_BAR_POPC		4	/* barrier; rd = threads with rs1 != 0 */
#define   S5000_CTRL_BAR_AND		5	/* barrier; rd = all threads have rs1 != 0 */
#define   S5000_CTRL_BAR_OR		6	/* barrier; rd = any thread has rs1 != 0 */
#define S5000_SIMT_VOTE			1	/* funct3; masks are of lanes 0..31 */
#define   S5000_VOTE_BALLOT		0	/* rd = lanes in rs2 & active with rs1 != 0 */
#define   S5000_VOTE_ANY		1	/* rd = any such lane (0 or 1) */
#define   S5000_VOTE_ALL		2	/* rd = every lane of rs2 & active has rs1 != 0 */
#define   S5000_VOTE_ACTIVE		3	/* rd = the lanes executing this instruction */
/* SHFL: rd = rs1 of lane rs2 (0..31); own rs1 if that lane is not executing this. */
#define S5000_SIMT_SHFL			2	/* funct3, funct7 0 */
#define S5000_SIMT_MMA			3	/* funct3, funct7 0: struct s5000_mma at rs1 */

/*
 * MMA, the tensor core: one instruction runs a whole tile operation for the warp that
 * executes it (the descriptor address of its lowest active lane), reading and writing
 * memory (global or shared) through the warp's context. op MMA:
 *   acc[m][n] += sum over k of A[m][k] * B[k][n]
 * (with S5000_MMA_ZERO the old acc is not read but taken as zero, like wgmma's
 * scale-d = 0: a tile's first MMA needs no zeroed accumulator);
 * op STORE: out[m][n] = round(value(acc[m][n]) * scale_a * scale_b) (+ out[m][n] with
 * S5000_MMA_ACCUMULATE), then acc = 0 with S5000_MMA_CLEAR.
 * A is row-major (lda elements per row); B is row-major K x N, or N x K (K contiguous,
 * like wgmma's K-major B) with S5000_MMA_B_TRANS; acc and out are row-major (ldacc,
 * ldout elements). Limits: m <= 64, n <= 256, k <= S5000_MMA_MAX_K(type).
 * Accumulators:
 *   EXACT   16 bytes: a two's-complement 128-bit fixed-point number with
 *           S5000_MMA_EXACT_FRAC fraction bits. FP8 and FP16 products add exactly;
 *           STORE rounds once (scales included), to nearest even. Finite values fit
 *           127 bits (the top two bits agree); the most negative value is NaN, the
 *           rest beyond are +-Inf (written back as +-(2^127 - 1)).
 *   F32     float; BF16, TF32, FP32 inputs (and FP8/FP16, if asked): for each element,
 *           k = 0, 1, ... : acc = fmaf(a, b, acc).
 *   F64     double; FP64 inputs, k in order with fma.
 *   HOPPER  8 bytes: float partial, float main. FP8 inputs: the products of one MMA and
 *           partial are aligned to the largest exponent among them, keeping
 *           hopper_bits bits below it (truncated toward zero, or toward -inf with
 *           S5000_MMA_FLOOR), summed exactly and rounded to FP32 into partial. With
 *           S5000_MMA_PROMOTE, main += partial and partial = 0 afterwards (the GEMM
 *           sets it every N_C / k instructions). STORE reads main + partial.
 * Scales (STORE, FP32): scale_a points to one float, or to m of them (one per row,
 * S5000_MMA_SCALE_A_ROWS); scale_b to one, or to one per 128 columns
 * (S5000_MMA_SCALE_B_BLOCKS), indexed by n / 128; 0 means 1.0.
 */
enum s5000_mma_type {
	S5000_MMA_E4M3 = 1,
	S5000_MMA_E5M2 = 2,
	S5000_MMA_F16 = 3,
	S5000_MMA_BF16 = 4,
	S5000_MMA_TF32 = 5,		/* 4 bytes; the low 13 mantissa bits are ignored */
	S5000_MMA_F32 = 6,
	S5000_MMA_F64 = 7,
};

enum s5000_mma_acc {
	S5000_MMA_ACC_EXACT = 1,
	S5000_MMA_ACC_F32 = 2,
	S5000_MMA_ACC_F64 = 3,
	S5000_MMA_ACC_HOPPER = 4,
};

#define S5000_MMA_OP_MMA		1
#define S5000_MMA_OP_STORE		2
#define S5000_MMA_B_TRANS		(1u << 0)
#define S5000_MMA_ACCUMULATE		(1u << 1)
#define S5000_MMA_CLEAR			(1u << 2)
#define S5000_MMA_PROMOTE		(1u << 3)
#define S5000_MMA_FLOOR			(1u << 4)
#define S5000_MMA_SCALE_A_ROWS		(1u << 5)
#define S5000_MMA_SCALE_B_BLOCKS	(1u << 6)
#define S5000_MMA_ZERO			(1u << 7)	/* MMA: acc = A B */
#define S5000_MMA_MAX_M			64
#define S5000_MMA_MAX_N			256
/* K per MMA: 32 for FP8, 16 for FP16/BF16, 8 for TF32/FP32, 4 for FP64 (log2 by type). */
#define S5000_MMA_MAX_K(t)		(1u << ((0x23344550u >> (((t) & 7) * 4)) & 0xf))
#define S5000_MMA_EXACT_FRAC		48
#define S5000_MMA_HOPPER_BITS		13	/* DeepSeek-V3's ~14 bits: 13 below the lead */
#define S5000_MMA_HOPPER_BITS_MAX	31	/* hopper_bits: 1 .. this */

struct s5000_mma {
	__u8 op;			/* S5000_MMA_OP_* */
	__u8 a_type;			/* s5000_mma_type; FP8 A and B may differ */
	__u8 b_type;
	__u8 acc_type;			/* s5000_mma_acc */
	__u8 out_type;			/* STORE: S5000_MMA_F32, _F16, _BF16 or _F64 */
	__u8 hopper_bits;		/* HOPPER: bits kept below the largest exponent */
	__u16 flags;			/* S5000_MMA_* flags */
	__u16 m, n, k;
	__u16 pad;
	__u32 lda, ldb;			/* elements */
	__u32 ldacc, ldout;		/* elements */
	__u64 a, b;			/* MMA: operands */
	__u64 acc;			/* both */
	__u64 out;			/* STORE: destination */
	__u64 scale_a, scale_b;		/* STORE: float scales, or 0 */
};

/*
 * Kernel descriptor: what a KERNEL_LAUNCH packet's code points to (64-byte aligned, in
 * GPU memory). libmusa writes one per kernel when it loads a code object.
 */
#define S5000_KERNEL_DESC_MAGIC		0x4b35534d	/* "MS5K" */
struct s5000_kernel_desc {
	__u32 magic;
	__u32 version;			/* 1 */
	__u64 entry;			/* GPU VA of the first instruction */
	__u64 code_start;		/* GPU VA of the code the kernel may execute */
	__u64 code_size;		/* bytes, a multiple of 4, <= S5000_MAX_CODE_BYTES */
	__u32 static_shared;		/* bytes of shared memory the code declares */
	__u32 stack_size;		/* bytes per thread, multiple of 16 */
	__u32 max_threads;		/* per block, <= S5000_MAX_BLOCK_THREADS */
	__u32 flags;			/* 0 */
	__u64 reserved[2];
};

/*
 * Code objects (musa-cc's output, libmusa's input): ELF64, EM_RISCV, ET_DYN,
 * position-independent, linked by ld.lld with relocations applied in place (a loader
 * adds its load address where R_RISCV_RELATIVE entries say). Segment PT_TLS is the
 * static shared memory (no initialised part). Section ".musa.kernels" is an array of
 * struct s5000_kernel_info, addresses as link-time values (load address 0).
 */
#define S5000_KERNELS_SECTION		".musa.kernels"
#define S5000_KERNEL_INFO_VERSION	1
struct s5000_kernel_param {
	__u32 offset;			/* in the kernarg buffer */
	__u32 size;
};

struct s5000_kernel_info {
	__u32 version;			/* S5000_KERNEL_INFO_VERSION */
	__u32 num_params;
	__u64 entry;			/* the entry stub: a0 = kernarg */
	__u64 name;			/* NUL-terminated, as muModuleGetFunction looks it up */
	__u64 params;			/* struct s5000_kernel_param[num_params] */
	__u32 kernarg_size;
	__u32 kernarg_align;
	__u32 static_shared;		/* bytes, written by musa-cc after linking */
	__u32 stack_size;		/* bytes per thread, written by musa-cc after linking */
	__u32 max_threads;		/* per block */
	__u32 flags;			/* 0 */
};

/* ---------------------------------------------------------- device MMU */

/*
 * Each context has 4-level page tables in VRAM, 48-bit virtual addresses, 4 KiB
 * tables of 512 64-bit entries. Level 3 (the root) is indexed by VA bits 47:39,
 * level 2 by 38:30, level 1 by 29:21, level 0 by 20:12. A level-1 entry with LEAF set
 * maps a 2 MiB page, a level-2 entry with LEAF a 1 GiB page; level-0 entries always
 * map 4 KiB pages. The address field is a VRAM offset, or with SYSTEM a bus address
 * in guest system memory; it is aligned to the page size. Every device access is
 * translated; a miss, a non-canonical address or a write through a read-only entry
 * is a page fault.
 */
#define S5000_PT_LEVELS			4
#define S5000_PT_ENTRIES		512
#define S5000_PT_SHIFT(level)		(12 + 9 * (level))
#define S5000_PT_INDEX(va, level)	(((va) >> S5000_PT_SHIFT(level)) & 511)

#define S5000_PTE_VALID			(1ull << 0)
#define S5000_PTE_WRITE			(1ull << 1)
#define S5000_PTE_SYSTEM		(1ull << 2)	/* address is guest system memory */
#define S5000_PTE_LEAF			(1ull << 3)	/* at level 1 or 2: a large page */
#define S5000_PTE_EXEC			(1ull << 4)	/* instruction fetch allowed */
#define S5000_PTE_ADDR_MASK		0x000ffffffffff000ull

/* ---------------------------------------------------------------- events */

enum s5000_event_type {
	S5000_EVENT_QUEUE_ERROR = 1,	/* a queue stopped; error says why */
	S5000_EVENT_PAGE_FAULT = 2,	/* ... with the faulting address and access */
	S5000_EVENT_ECC = 3,		/* error = S5000_ERR_ECC if uncorrectable, else 0 */
	S5000_EVENT_RESET_DONE = 4,
};

#define S5000_ACCESS_READ		0
#define S5000_ACCESS_WRITE		1
#define S5000_ACCESS_EXEC		2

struct s5000_event {
	__u16 type;			/* S5000_EVENT_* */
	__u16 queue;			/* queue id, 0xffff if none */
	__u16 context;			/* context id, 0xffff if none */
	__u8 access;			/* S5000_ACCESS_* of a fault */
	__u8 pad;
	__u32 error;			/* S5000_ERR_* */
	__u32 pad2;
	__u64 address;			/* faulting GPU VA, or 0 */
	__u64 timestamp;		/* device timestamp */
};

#endif /* S5000_H */
