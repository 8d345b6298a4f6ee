/* SPDX-License-Identifier: MIT */
/* The ISA tests' kernels, linked for the device by the Makefile (ISA_ELF), as data. */
    .section .rodata
    .balign 64
    .globl isa_kernels_elf, isa_kernels_elf_end
isa_kernels_elf:
    .incbin ISA_ELF
isa_kernels_elf_end:
    .section .note.GNU-stack, "", @progbits
