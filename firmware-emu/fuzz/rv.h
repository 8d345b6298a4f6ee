/* SPDX-License-Identifier: MIT */
/*
 * RV64 instruction encodings for the harnesses that write device code: the
 * instruction formats, a few named instructions, and the one known-good kernel
 * they run to see that the device still works.
 */
#ifndef EMU_FUZZ_RV_H
#define EMU_FUZZ_RV_H

#include <stdint.h>

#include "../uapi/s5000.h"

enum rv_reg {
    RV_ZERO = 0, RV_RA = 1, RV_SP = 2, RV_TP = 4, RV_T0 = 5, RV_T1 = 6, RV_T2 = 7,
    RV_S0 = 8, RV_S1 = 9, RV_A0 = 10, RV_A1 = 11, RV_S2 = 18, RV_S3 = 19, RV_S4 = 20,
    RV_S5 = 21, RV_T3 = 28,
};

enum rv_opcode {
    RV_LOAD = 0x03, RV_LOAD_FP = 0x07, RV_SIMT = S5000_OPC_SIMT, RV_MISC_MEM = 0x0f,
    RV_OP_IMM = 0x13, RV_AUIPC = 0x17, RV_OP_IMM_32 = 0x1b, RV_STORE = 0x23,
    RV_STORE_FP = 0x27, RV_AMO = 0x2f, RV_OP = 0x33, RV_LUI = 0x37, RV_OP_32 = 0x3b,
    RV_MADD = 0x43, RV_MSUB = 0x47, RV_NMSUB = 0x4b, RV_NMADD = 0x4f, RV_OP_FP = 0x53,
    RV_BRANCH = 0x63, RV_JALR = 0x67, RV_JAL = 0x6f, RV_SYSTEM = 0x73,
};

static inline uint32_t rv_r(unsigned int opcode, unsigned int rd, unsigned int funct3,
                            unsigned int rs1, unsigned int rs2, unsigned int funct7)
{
    return (funct7 & 0x7f) << 25 | (rs2 & 31) << 20 | (rs1 & 31) << 15 | (funct3 & 7) << 12 |
           (rd & 31) << 7 | (opcode & 0x7f);
}

static inline uint32_t rv_r4(unsigned int opcode, unsigned int rd, unsigned int rm,
                             unsigned int rs1, unsigned int rs2, unsigned int fmt,
                             unsigned int rs3)
{
    return rv_r(opcode, rd, rm, rs1, rs2, (rs3 & 31) << 2 | (fmt & 3));
}

static inline uint32_t rv_i(unsigned int opcode, unsigned int rd, unsigned int funct3,
                            unsigned int rs1, int32_t imm)
{
    return (uint32_t)(imm & 0xfff) << 20 | (rs1 & 31) << 15 | (funct3 & 7) << 12 |
           (rd & 31) << 7 | (opcode & 0x7f);
}

static inline uint32_t rv_s(unsigned int opcode, unsigned int funct3, unsigned int rs1,
                            unsigned int rs2, int32_t imm)
{
    return (uint32_t)((imm >> 5) & 0x7f) << 25 | (rs2 & 31) << 20 | (rs1 & 31) << 15 |
           (funct3 & 7) << 12 | (uint32_t)(imm & 31) << 7 | (opcode & 0x7f);
}

/* Branch offsets are even, within +-4 KiB. */
static inline uint32_t rv_b(unsigned int funct3, unsigned int rs1, unsigned int rs2,
                            int32_t off)
{
    uint32_t o = (uint32_t)off;

    return ((o >> 12) & 1) << 31 | ((o >> 5) & 0x3f) << 25 | (rs2 & 31) << 20 |
           (rs1 & 31) << 15 | (funct3 & 7) << 12 | ((o >> 1) & 0xf) << 8 |
           ((o >> 11) & 1) << 7 | RV_BRANCH;
}

/* Jump offsets are even, within +-1 MiB. */
static inline uint32_t rv_j(unsigned int rd, int32_t off)
{
    uint32_t o = (uint32_t)off;

    return ((o >> 20) & 1) << 31 | ((o >> 1) & 0x3ff) << 21 | ((o >> 11) & 1) << 20 |
           ((o >> 12) & 0xff) << 12 | (rd & 31) << 7 | RV_JAL;
}

static inline uint32_t rv_u(unsigned int opcode, unsigned int rd, uint32_t imm20)
{
    return (imm20 & 0xfffff) << 12 | (rd & 31) << 7 | (opcode & 0x7f);
}

static inline uint32_t rv_addi(unsigned int rd, unsigned int rs1, int32_t imm)
{
    return rv_i(RV_OP_IMM, rd, 0, rs1, imm);
}

static inline uint32_t rv_csrr(unsigned int rd, unsigned int csr)
{
    return rv_i(RV_SYSTEM, rd, 2, RV_ZERO, (int32_t)csr);      /* csrrs rd, csr, x0 */
}

static inline uint32_t rv_ret(void)
{
    return rv_i(RV_JALR, RV_ZERO, 0, RV_RA, 0);
}

static inline uint32_t rv_simt(unsigned int funct3, unsigned int funct7, unsigned int rd,
                               unsigned int rs1, unsigned int rs2)
{
    return rv_r(RV_SIMT, rd, funct3, rs1, rs2, funct7);
}

/*
 * The known-good kernel: every thread stores its global x index at
 * kernarg[index] (64-bit words) and returns. Writes its words into code, returns how many.
 */
#define RV_IDS_KERNEL_WORDS 9
static inline unsigned int rv_ids_kernel(uint32_t *code)
{
    const uint32_t words[RV_IDS_KERNEL_WORDS] = {
        rv_csrr(RV_T0, S5000_CSR_TID_X),
        rv_csrr(RV_T1, S5000_CSR_CTAID_X),
        rv_csrr(RV_T2, S5000_CSR_NTID_X),
        rv_r(RV_OP, RV_T1, 0, RV_T1, RV_T2, 1),         /* mul t1, t1, t2 */
        rv_r(RV_OP, RV_T0, 0, RV_T0, RV_T1, 0),         /* add t0, t0, t1 */
        rv_i(RV_OP_IMM, RV_T1, 1, RV_T0, 3),            /* slli t1, t0, 3 */
        rv_r(RV_OP, RV_T1, 0, RV_A0, RV_T1, 0),         /* add t1, a0, t1 */
        rv_s(RV_STORE, 3, RV_T1, RV_T0, 0),             /* sd t0, 0(t1) */
        rv_ret(),
    };

    for (unsigned int i = 0; i < RV_IDS_KERNEL_WORDS; i++)
        code[i] = words[i];
    return RV_IDS_KERNEL_WORDS;
}

#endif /* EMU_FUZZ_RV_H */
