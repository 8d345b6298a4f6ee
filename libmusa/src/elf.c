// SPDX-License-Identifier: MIT
/*
 * elf.c: reading a code object (uapi/s5000.h: ELF64, EM_RISCV, ET_DYN, what
 * musa-cc writes) into host memory, checked, before any of it goes to the device.
 *
 * The loadable segments become one span, laid out as linked (bss zeroed); the
 * R_RISCV_RELATIVE relocations are kept to be applied for the load address the
 * device memory gets; the kernels come from the records in ".musa.kernels", the
 * symbols (for muModuleGetGlobal and for naming a faulting pc) from the symbol
 * table. Every offset, size, address and string is checked against what holds it:
 * a hostile or truncated file is refused with a reason, never read out of bounds.
 */
#define _GNU_SOURCE		/* process_vm_readv */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "musa_internal.h"

#define MUSA_ELF_MAX_BYTES	(256u << 20)	/* a whole code object */
#define MUSA_ELF_MAX_PHDRS	64
#define MUSA_ELF_MAX_SHDRS	65280		/* below SHN_LORESERVE */
#define MUSA_ELF_MAX_RELOCS	(1u << 22)
#define MUSA_ELF_MAX_SYMBOLS	(1u << 20)
#define MUSA_ELF_MAX_KERNELS	4096
#define MUSA_ELF_MAX_PARAMS	4096
#define MUSA_ELF_MAX_NAME	4096
#define MUSA_ELF_MAX_ALIGN	(2u << 20)

/* The file being read, and what was found in it so far. */
struct musa_elf {
	const uint8_t *data;
	size_t size;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	Elf64_Shdr *sh;
	const char *shstr;		/* section names, NUL-terminated within the file */
	size_t shstr_size;
	const Elf64_Phdr *dynamic;
	struct musa_image *img;
};

static musaError_t musa_elf_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static musaError_t musa_elf_bad(const char *fmt, ...)
{
	char why[MUSA_DETAIL_LEN - 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return musa_fail(musaErrorInvalidKernelImage, "invalid code object: %s", why);
}

static bool musa_elf_in(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static bool musa_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* A string at @off of a table of @size bytes, NUL-terminated inside it, or NULL. */
static const char *musa_elf_string(const char *table, uint64_t size, uint64_t off)
{
	if (!table || off >= size || !memchr(table + off, '\0', size - off))
		return NULL;
	return table + off;
}

/* ------------------------------------------------------------ reading in */

/*
 * Copies from the caller's memory without trusting it: a pointer to too little
 * memory gives -EFAULT instead of a crash. The kernel reads for us where it lets
 * us (process_vm_readv on ourselves); elsewhere a plain copy.
 */
static int musa_elf_peek(void *dst, const void *src, size_t n)
{
	struct iovec local = { dst, n }, remote = { (void *)src, n };
	ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	if (got == (ssize_t)n)
		return 0;
	if (got >= 0 || errno == EFAULT)
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

static uint64_t musa_elf_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Where a table of @n entries of @entsize bytes at @off ends, or ~0 on overflow. */
static uint64_t musa_elf_table_end(uint64_t off, uint64_t n, uint64_t entsize)
{
	if (n && entsize > (UINT64_MAX - off) / n)
		return UINT64_MAX;
	return off + n * entsize;
}

/* How long the file in memory at @image is, from its headers (muModuleLoadData). */
static musaError_t musa_elf_extent(const void *image, size_t *size)
{
	Elf64_Ehdr eh;
	uint64_t end;
	union {
		Elf64_Phdr ph;
		Elf64_Shdr sh;
	} h;

	if (musa_elf_peek(&eh, image, sizeof(eh)))
		return musa_elf_bad("the image at %p cannot be read", image);
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64)
		return musa_elf_bad("not an ELF64 file (PTX and fat binaries are not supported)");
	end = musa_elf_max(sizeof(eh), musa_elf_table_end(eh.e_phoff, eh.e_phnum,
							   eh.e_phentsize));
	end = musa_elf_max(end, musa_elf_table_end(eh.e_shoff, eh.e_shnum, eh.e_shentsize));
	if (end > MUSA_ELF_MAX_BYTES)
		return musa_elf_bad("headers reach byte %llu, past the %u MiB a code object may "
				    "have", (unsigned long long)end, MUSA_ELF_MAX_BYTES >> 20);
	for (unsigned int i = 0; i < eh.e_phnum && eh.e_phentsize == sizeof(h.ph); i++) {
		if (musa_elf_peek(&h.ph, (const uint8_t *)image + eh.e_phoff + i * sizeof(h.ph),
				  sizeof(h.ph)))
			return musa_elf_bad("program header %u cannot be read", i);
		end = musa_elf_max(end, musa_elf_table_end(h.ph.p_offset, 1, h.ph.p_filesz));
	}
	for (unsigned int i = 0; i < eh.e_shnum && eh.e_shentsize == sizeof(h.sh); i++) {
		if (musa_elf_peek(&h.sh, (const uint8_t *)image + eh.e_shoff + i * sizeof(h.sh),
				  sizeof(h.sh)))
			return musa_elf_bad("section header %u cannot be read", i);
		if (h.sh.sh_type != SHT_NOBITS)
			end = musa_elf_max(end, musa_elf_table_end(h.sh.sh_offset, 1,
								   h.sh.sh_size));
	}
	if (end > MUSA_ELF_MAX_BYTES)
		return musa_elf_bad("a segment or section reaches byte %llu, past the %u MiB a "
				    "code object may have", (unsigned long long)end,
				    MUSA_ELF_MAX_BYTES >> 20);
	*size = end;
	return musaSuccess;
}

/* A private copy of the code object at @image, whose size its headers tell. */
musaError_t musa_elf_copy_in(const void *image, void **copy, size_t *size)
{
	musaError_t err;
	void *buf;

	if (!image)
		return musa_fail(musaErrorInvalidValue, "the image is NULL");
	err = musa_elf_extent(image, size);
	if (err)
		return err;
	buf = malloc(*size);
	if (!buf)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for a %zu-byte code "
				 "object", *size);
	if (musa_elf_peek(buf, image, *size)) {
		free(buf);
		return musa_elf_bad("its headers say it is %zu bytes long, but the memory at %p "
				    "ends before that", *size, image);
	}
	*copy = buf;
	return musaSuccess;
}

/* --------------------------------------------------------------- headers */

static musaError_t musa_elf_check_header(struct musa_elf *e)
{
	const Elf64_Ehdr *h = &e->eh;

	if (e->size < sizeof(*h))
		return musa_elf_bad("%zu bytes: shorter than an ELF header", e->size);
	memcpy(&e->eh, e->data, sizeof(e->eh));
	if (memcmp(h->e_ident, ELFMAG, SELFMAG))
		return musa_elf_bad("no ELF magic (PTX and fat binaries are not supported)");
	if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_ident[EI_DATA] != ELFDATA2LSB ||
	    h->e_ident[EI_VERSION] != EV_CURRENT || h->e_version != EV_CURRENT)
		return musa_elf_bad("not a little-endian ELF64 file of version 1");
	if (h->e_machine != EM_RISCV)
		return musa_elf_bad("machine %u, not RISC-V (%u)", h->e_machine, EM_RISCV);
	if (h->e_type != ET_DYN)
		return musa_elf_bad("ELF type %u, not ET_DYN: link it position-independent, as "
				    "musa-cc does", h->e_type);
	if (h->e_flags & (EF_RISCV_RVC | EF_RISCV_RVE))
		return musa_elf_bad("built with %s (ELF flags 0x%x): the device runs RV64IMAFD "
				    "without them", h->e_flags & EF_RISCV_RVC ?
				    "compressed instructions" : "RV64E", h->e_flags);
	if (h->e_ehsize < sizeof(*h))
		return musa_elf_bad("ELF header size %u", h->e_ehsize);
	if (h->e_phentsize != sizeof(Elf64_Phdr) || !h->e_phnum ||
	    h->e_phnum > MUSA_ELF_MAX_PHDRS)
		return musa_elf_bad("%u program headers of %u bytes", h->e_phnum, h->e_phentsize);
	if (!musa_elf_in(h->e_phoff, (uint64_t)h->e_phnum * sizeof(Elf64_Phdr), e->size))
		return musa_elf_bad("program headers at %llu run past the end of the file "
				    "(%zu bytes)", (unsigned long long)h->e_phoff, e->size);
	if (h->e_shnum && (h->e_shentsize != sizeof(Elf64_Shdr) ||
			   h->e_shnum > MUSA_ELF_MAX_SHDRS || h->e_shstrndx >= h->e_shnum))
		return musa_elf_bad("%u section headers of %u bytes, names in section %u",
				    h->e_shnum, h->e_shentsize, h->e_shstrndx);
	if (!musa_elf_in(h->e_shoff, (uint64_t)h->e_shnum * sizeof(Elf64_Shdr), e->size))
		return musa_elf_bad("section headers at %llu run past the end of the file "
				    "(%zu bytes)", (unsigned long long)h->e_shoff, e->size);
	return musaSuccess;
}

/* Copies the header tables out (the file need not be aligned for them). */
static musaError_t musa_elf_tables(struct musa_elf *e)
{
	const Elf64_Shdr *names;

	e->ph = calloc(e->eh.e_phnum, sizeof(*e->ph));
	e->sh = calloc(e->eh.e_shnum ? e->eh.e_shnum : 1, sizeof(*e->sh));
	if (!e->ph || !e->sh)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for ELF headers");
	memcpy(e->ph, e->data + e->eh.e_phoff, e->eh.e_phnum * sizeof(*e->ph));
	memcpy(e->sh, e->data + e->eh.e_shoff, e->eh.e_shnum * sizeof(*e->sh));
	for (unsigned int i = 0; i < e->eh.e_shnum; i++)
		if (e->sh[i].sh_type != SHT_NOBITS &&
		    !musa_elf_in(e->sh[i].sh_offset, e->sh[i].sh_size, e->size))
			return musa_elf_bad("section %u (%llu bytes at %llu) runs past the end of "
					    "the file (%zu bytes)", i,
					    (unsigned long long)e->sh[i].sh_size,
					    (unsigned long long)e->sh[i].sh_offset, e->size);
	if (!e->eh.e_shnum)
		return musaSuccess;
	names = &e->sh[e->eh.e_shstrndx];
	if (names->sh_type != SHT_STRTAB)
		return musa_elf_bad("section %u holds no section names", e->eh.e_shstrndx);
	e->shstr = (const char *)e->data + names->sh_offset;
	e->shstr_size = names->sh_size;
	return musaSuccess;
}

/* -------------------------------------------------------------- segments */

static musaError_t musa_elf_check_load(const Elf64_Phdr *p, unsigned int i, size_t file_size)
{
	if (p->p_filesz > p->p_memsz)
		return musa_elf_bad("segment %u has %llu bytes in the file but %llu in memory", i,
				    (unsigned long long)p->p_filesz,
				    (unsigned long long)p->p_memsz);
	if (!musa_elf_in(p->p_offset, p->p_filesz, file_size))
		return musa_elf_bad("segment %u (%llu bytes at %llu) runs past the end of the "
				    "file (%zu bytes)", i, (unsigned long long)p->p_filesz,
				    (unsigned long long)p->p_offset, file_size);
	if (p->p_vaddr > MUSA_ELF_MAX_BYTES || p->p_memsz > MUSA_ELF_MAX_BYTES - p->p_vaddr)
		return musa_elf_bad("segment %u at 0x%llx, %llu bytes: beyond the %u MiB a code "
				    "object may span", i, (unsigned long long)p->p_vaddr,
				    (unsigned long long)p->p_memsz, MUSA_ELF_MAX_BYTES >> 20);
	if (p->p_align > 1 && (!musa_pow2(p->p_align) || p->p_align > MUSA_ELF_MAX_ALIGN))
		return musa_elf_bad("segment %u is aligned to %llu bytes", i,
				    (unsigned long long)p->p_align);
	return musaSuccess;
}

static musaError_t musa_elf_check_overlap(const struct musa_elf *e, unsigned int i)
{
	const Elf64_Phdr *a = &e->ph[i];

	for (unsigned int j = 0; j < i; j++) {
		const Elf64_Phdr *b = &e->ph[j];

		if (b->p_type == PT_LOAD && a->p_memsz && b->p_memsz &&
		    a->p_vaddr < b->p_vaddr + b->p_memsz && b->p_vaddr < a->p_vaddr + a->p_memsz)
			return musa_elf_bad("segments %u and %u overlap", j, i);
	}
	return musaSuccess;
}

/* The span every PT_LOAD lies in, the code segment, and PT_DYNAMIC. */
static musaError_t musa_elf_segments(struct musa_elf *e)
{
	struct musa_image *img = e->img;
	uint64_t start = UINT64_MAX, end = 0;
	const Elf64_Phdr *code = NULL;
	musaError_t err;

	img->align = MUSA_PAGE_SIZE;
	for (unsigned int i = 0; i < e->eh.e_phnum; i++) {
		const Elf64_Phdr *p = &e->ph[i];

		if (p->p_type == PT_DYNAMIC)
			e->dynamic = p;
		if (p->p_type == PT_TLS && p->p_filesz)
			return musa_elf_bad("shared variables (the TLS segment) have %llu bytes of "
					    "initial values: shared memory starts undefined",
					    (unsigned long long)p->p_filesz);
		if (p->p_type != PT_LOAD || !p->p_memsz)
			continue;
		err = musa_elf_check_load(p, i, e->size);
		if (!err)
			err = musa_elf_check_overlap(e, i);
		if (err)
			return err;
		if (p->p_flags & PF_X) {
			if (code)
				return musa_elf_bad("more than one executable segment");
			code = p;
		}
		start = p->p_vaddr < start ? p->p_vaddr : start;
		end = musa_elf_max(end, p->p_vaddr + p->p_memsz);
		img->align = musa_elf_max(img->align, p->p_align);
	}
	if (!code)
		return musa_elf_bad("no executable segment");
	if (code->p_memsz > S5000_MAX_CODE_BYTES)
		return musa_elf_bad("%llu bytes of code, more than the device's %u MiB",
				    (unsigned long long)code->p_memsz, S5000_MAX_CODE_BYTES >> 20);
	img->span_start = start & ~(MUSA_PAGE_SIZE - 1);
	img->span_size = (end - img->span_start + MUSA_PAGE_SIZE - 1) & ~(MUSA_PAGE_SIZE - 1);
	img->code_start = code->p_vaddr;
	img->code_size = (code->p_memsz + 3) & ~3ull;
	return musaSuccess;
}

/* The segments' bytes, laid out as linked; what the file does not hold is zero. */
static musaError_t musa_elf_build_span(struct musa_elf *e)
{
	struct musa_image *img = e->img;

	img->span = calloc(1, img->span_size);
	if (!img->span)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for a %llu-byte code "
				 "object", (unsigned long long)img->span_size);
	for (unsigned int i = 0; i < e->eh.e_phnum; i++) {
		const Elf64_Phdr *p = &e->ph[i];

		if (p->p_type == PT_LOAD && p->p_memsz && p->p_filesz)
			memcpy(img->span + (p->p_vaddr - img->span_start), e->data + p->p_offset,
			       p->p_filesz);
	}
	return musaSuccess;
}

/* Whether [vaddr, vaddr + len) lies inside one PT_LOAD's memory image. */
static bool musa_elf_loaded(const struct musa_elf *e, uint64_t vaddr, uint64_t len)
{
	for (unsigned int i = 0; i < e->eh.e_phnum; i++) {
		const Elf64_Phdr *p = &e->ph[i];

		if (p->p_type == PT_LOAD && p->p_memsz && vaddr >= p->p_vaddr &&
		    musa_elf_in(vaddr - p->p_vaddr, len, p->p_memsz))
			return true;
	}
	return false;
}

/* The host copy of [vaddr, vaddr + len) of the span, or NULL if it is not all there. */
static uint8_t *musa_elf_at(const struct musa_image *img, uint64_t vaddr, uint64_t len)
{
	if (vaddr < img->span_start || !musa_elf_in(vaddr - img->span_start, len, img->span_size))
		return NULL;
	return img->span + (vaddr - img->span_start);
}

/* ----------------------------------------------------------- relocations */

/* The name of dynamic symbol @index, for messages. */
static const char *musa_elf_dynsym_name(const struct musa_elf *e, uint64_t index)
{
	for (unsigned int i = 0; i < e->eh.e_shnum; i++) {
		const Elf64_Shdr *s = &e->sh[i];
		Elf64_Sym sym;

		if (s->sh_type != SHT_DYNSYM || s->sh_link >= e->eh.e_shnum ||
		    index >= s->sh_size / sizeof(sym) || e->sh[s->sh_link].sh_type != SHT_STRTAB)
			continue;
		memcpy(&sym, e->data + s->sh_offset + index * sizeof(sym), sizeof(sym));
		return musa_elf_string((const char *)e->data + e->sh[s->sh_link].sh_offset,
				       e->sh[s->sh_link].sh_size, sym.st_name);
	}
	return NULL;
}

static musaError_t musa_elf_reloc(struct musa_elf *e, const Elf64_Rela *r)
{
	struct musa_image *img = e->img;
	uint32_t type = ELF64_R_TYPE(r->r_info);
	const char *name;

	if (type == R_RISCV_NONE)
		return musaSuccess;
	if (type != R_RISCV_RELATIVE || ELF64_R_SYM(r->r_info)) {
		name = musa_elf_dynsym_name(e, ELF64_R_SYM(r->r_info));
		return musa_elf_bad("relocation of type %u at 0x%llx%s%s%s: only R_RISCV_RELATIVE "
				    "is supported (device code cannot link to other objects; "
				    "give symbols hidden visibility)", type,
				    (unsigned long long)r->r_offset, name ? " against '" : "",
				    name ? name : "", name ? "'" : "");
	}
	if (!musa_elf_loaded(e, r->r_offset, 8))
		return musa_elf_bad("relocation at 0x%llx is outside the loaded segments",
				    (unsigned long long)r->r_offset);
	img->relocs[img->nrelocs].offset = r->r_offset - img->span_start;
	img->relocs[img->nrelocs].addend = r->r_addend;
	img->nrelocs++;
	return musaSuccess;
}

struct musa_elf_dyn {
	uint64_t rela, relasz, relaent;
};

/* A string of the dynamic string table, for messages. */
static const char *musa_elf_dynstr(const struct musa_elf *e, uint64_t off)
{
	const char *s = NULL;

	for (unsigned int i = 0; i < e->eh.e_shnum && !s; i++) {
		const Elf64_Shdr *t = &e->sh[e->sh[i].sh_link < e->eh.e_shnum ? e->sh[i].sh_link : 0];

		if (e->sh[i].sh_type == SHT_DYNAMIC && t->sh_type == SHT_STRTAB)
			s = musa_elf_string((const char *)e->data + t->sh_offset, t->sh_size, off);
	}
	return s ? s : "?";
}

static musaError_t musa_elf_dynamic_entry(const struct musa_elf *e, const Elf64_Dyn *d,
					  struct musa_elf_dyn *dyn)
{
	switch (d->d_tag) {
	case DT_RELA:
		dyn->rela = d->d_un.d_ptr;
		break;
	case DT_RELASZ:
		dyn->relasz = d->d_un.d_val;
		break;
	case DT_RELAENT:
		dyn->relaent = d->d_un.d_val;
		break;
	case DT_REL:
	case DT_RELSZ:
		return musa_elf_bad("REL relocations: RISC-V code objects use RELA");
	case DT_RELR:
	case DT_RELRSZ:
		return musa_elf_bad("packed relative relocations (RELR) are not supported");
	case DT_PLTRELSZ:
	case DT_JMPREL:
		if (d->d_un.d_val)
			return musa_elf_bad("PLT relocations: device code calls a function it "
					    "does not define");
		break;
	case DT_NEEDED:
		return musa_elf_bad("it needs the shared library '%s': device code cannot link "
				    "to libraries", musa_elf_dynstr(e, d->d_un.d_val));
	}
	return musaSuccess;
}

/* The R_RISCV_RELATIVE entries PT_DYNAMIC points to; anything else is refused. */
static musaError_t musa_elf_relocations(struct musa_elf *e)
{
	struct musa_elf_dyn dyn = { 0 };
	const Elf64_Phdr *p = e->dynamic;
	const uint8_t *table;
	musaError_t err;
	uint64_t n;

	if (!p)
		return musaSuccess;
	if (!musa_elf_in(p->p_offset, p->p_filesz, e->size))
		return musa_elf_bad("the dynamic segment runs past the end of the file");
	for (uint64_t off = 0; off + sizeof(Elf64_Dyn) <= p->p_filesz; off += sizeof(Elf64_Dyn)) {
		Elf64_Dyn d;

		memcpy(&d, e->data + p->p_offset + off, sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		err = musa_elf_dynamic_entry(e, &d, &dyn);
		if (err)
			return err;
	}
	if (!dyn.relasz)
		return musaSuccess;
	if (dyn.relaent != sizeof(Elf64_Rela) || dyn.relasz % sizeof(Elf64_Rela))
		return musa_elf_bad("%llu bytes of relocations in entries of %llu bytes",
				    (unsigned long long)dyn.relasz,
				    (unsigned long long)dyn.relaent);
	n = dyn.relasz / sizeof(Elf64_Rela);
	table = musa_elf_at(e->img, dyn.rela, dyn.relasz);
	if (n > MUSA_ELF_MAX_RELOCS || !table || !musa_elf_loaded(e, dyn.rela, dyn.relasz))
		return musa_elf_bad("%llu relocations at 0x%llx: not inside the loaded segments",
				    (unsigned long long)n, (unsigned long long)dyn.rela);
	e->img->relocs = calloc(n, sizeof(*e->img->relocs));
	if (!e->img->relocs)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for relocations");
	for (uint64_t i = 0; i < n; i++) {
		Elf64_Rela r;

		memcpy(&r, table + i * sizeof(r), sizeof(r));
		err = musa_elf_reloc(e, &r);
		if (err)
			return err;
	}
	return musaSuccess;
}

/* Writes every relocated word for the image at device address @bias + link address. */
void musa_elf_relocate(struct musa_image *img, uint64_t bias)
{
	for (size_t i = 0; i < img->nrelocs; i++) {
		uint64_t v = bias + (uint64_t)img->relocs[i].addend;

		memcpy(img->span + img->relocs[i].offset, &v, sizeof(v));
	}
}

/* --------------------------------------------------------------- symbols */

static int musa_symbol_cmp(const void *a, const void *b)
{
	const struct musa_symbol *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/* The first symbol table there is (.symtab, else .dynsym), or NULL. */
static const Elf64_Shdr *musa_elf_symtab(const struct musa_elf *e)
{
	for (int want = 0; want < 2; want++)
		for (unsigned int i = 0; i < e->eh.e_shnum; i++)
			if (e->sh[i].sh_type == (want ? SHT_DYNSYM : SHT_SYMTAB))
				return &e->sh[i];
	return NULL;
}

/* Functions and variables the image defines, sorted by address. */
static musaError_t musa_elf_symbols(struct musa_elf *e)
{
	const Elf64_Shdr *s = musa_elf_symtab(e), *strtab;
	struct musa_image *img = e->img;
	uint64_t n;

	if (!s)
		return musaSuccess;
	n = s->sh_size / sizeof(Elf64_Sym);
	if (s->sh_link >= e->eh.e_shnum || e->sh[s->sh_link].sh_type != SHT_STRTAB ||
	    n > MUSA_ELF_MAX_SYMBOLS)
		return musa_elf_bad("symbol table of %llu entries with names in section %u",
				    (unsigned long long)n, s->sh_link);
	strtab = &e->sh[s->sh_link];
	img->symbols = calloc(n ? n : 1, sizeof(*img->symbols));
	if (!img->symbols)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for symbols");
	for (uint64_t i = 0; i < n; i++) {
		unsigned int type;
		const char *name;
		Elf64_Sym sym;

		memcpy(&sym, e->data + s->sh_offset + i * sizeof(sym), sizeof(sym));
		type = ELF64_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_OBJECT) || sym.st_shndx == SHN_UNDEF ||
		    sym.st_shndx >= SHN_LORESERVE || !musa_elf_loaded(e, sym.st_value, sym.st_size))
			continue;
		name = musa_elf_string((const char *)e->data + strtab->sh_offset, strtab->sh_size,
				       sym.st_name);
		if (!name || !*name)
			continue;
		img->symbols[img->nsymbols++] = (struct musa_symbol){
			.name = name - (const char *)e->data, .value = sym.st_value,
			.size = sym.st_size, .func = type == STT_FUNC,
		};
	}
	qsort(img->symbols, img->nsymbols, sizeof(*img->symbols), musa_symbol_cmp);
	return musaSuccess;
}

/* --------------------------------------------------------------- kernels */

/* The contents of section @s as the device will see them (relocated for address 0). */
static const uint8_t *musa_elf_section_bytes(const struct musa_elf *e, const Elf64_Shdr *s)
{
	if (s->sh_type == SHT_NOBITS)
		return NULL;
	if (s->sh_flags & SHF_ALLOC)
		return musa_elf_at(e->img, s->sh_addr, s->sh_size);
	return e->data + s->sh_offset;
}

static const Elf64_Shdr *musa_elf_section(const struct musa_elf *e, const char *name)
{
	for (unsigned int i = 1; i < e->eh.e_shnum; i++) {
		const char *n = musa_elf_string(e->shstr, e->shstr_size, e->sh[i].sh_name);

		if (n && !strcmp(n, name))
			return &e->sh[i];
	}
	return NULL;
}

static musaError_t musa_elf_kernel_params(struct musa_elf *e, const struct s5000_kernel_info *in,
					  struct musa_kernel_meta *k)
{
	const uint8_t *p;

	if (in->num_params > MUSA_ELF_MAX_PARAMS)
		return musa_elf_bad("kernel %s has %u parameters", k->name, in->num_params);
	if (!in->num_params)
		return musaSuccess;
	p = musa_elf_at(e->img, in->params, (uint64_t)in->num_params * sizeof(*k->params));
	if (!p)
		return musa_elf_bad("kernel %s: its parameter table at 0x%llx is outside the "
				    "image", k->name, (unsigned long long)in->params);
	k->params = malloc(in->num_params * sizeof(*k->params));
	if (!k->params)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for parameters");
	memcpy(k->params, p, in->num_params * sizeof(*k->params));
	k->num_params = in->num_params;
	for (uint32_t i = 0; i < k->num_params; i++)
		if (!k->params[i].size || k->params[i].offset > k->kernarg_size ||
		    k->params[i].size > k->kernarg_size - k->params[i].offset)
			return musa_elf_bad("kernel %s: parameter %u (%u bytes at %u) does not fit "
					    "its %u-byte argument buffer", k->name, i,
					    k->params[i].size, k->params[i].offset,
					    k->kernarg_size);
	return musaSuccess;
}

static musaError_t musa_elf_kernel_limits(const struct s5000_kernel_info *in,
					  const char *name)
{
	if (in->version != S5000_KERNEL_INFO_VERSION || in->flags)
		return musa_elf_bad("kernel %s: record version %u, flags 0x%x (version %u and "
				    "no flags expected)", name, in->version, in->flags,
				    S5000_KERNEL_INFO_VERSION);
	if (in->kernarg_size > MUSA_MAX_KERNARG_BYTES ||
	    (in->kernarg_align && (!musa_pow2(in->kernarg_align) || in->kernarg_align > 4096)))
		return musa_elf_bad("kernel %s: %u bytes of arguments aligned to %u (at most %u "
				    "bytes, a power-of-two alignment up to 4096)", name,
				    in->kernarg_size, in->kernarg_align, MUSA_MAX_KERNARG_BYTES);
	if (in->static_shared > S5000_MAX_SHARED_BYTES)
		return musa_elf_bad("kernel %s: %u bytes of shared memory, more than the %u a "
				    "block has", name, in->static_shared, S5000_MAX_SHARED_BYTES);
	if (in->stack_size > S5000_MAX_STACK_BYTES)
		return musa_elf_bad("kernel %s: a %u-byte stack, more than the %u a thread has",
				    name, in->stack_size, S5000_MAX_STACK_BYTES);
	if (in->max_threads > S5000_MAX_BLOCK_THREADS)
		return musa_elf_bad("kernel %s: %u threads per block, more than %u", name,
				    in->max_threads, S5000_MAX_BLOCK_THREADS);
	return musaSuccess;
}

static musaError_t musa_elf_kernel(struct musa_elf *e, const struct s5000_kernel_info *in,
				   struct musa_kernel_meta *k)
{
	struct musa_image *img = e->img;
	const uint8_t *name = musa_elf_at(img, in->name, 1);
	size_t room = name ? img->span_size - (name - img->span) : 0;
	musaError_t err;

	if (!name || !memchr(name, '\0', room < MUSA_ELF_MAX_NAME ? room : MUSA_ELF_MAX_NAME) ||
	    !*name)
		return musa_elf_bad("a kernel's name at 0x%llx is not a string inside the image",
				    (unsigned long long)in->name);
	/* A copy: relocating the span must not be able to change it. */
	k->name = strdup((const char *)name);
	if (!k->name)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for a kernel name");
	err = musa_elf_kernel_limits(in, k->name);
	if (err)
		return err;
	if (in->entry < img->code_start || in->entry - img->code_start >= img->code_size ||
	    in->entry % 4)
		return musa_elf_bad("kernel %s: entry 0x%llx is not an instruction of the code "
				    "segment [0x%llx, +0x%llx)", k->name,
				    (unsigned long long)in->entry,
				    (unsigned long long)img->code_start,
				    (unsigned long long)img->code_size);
	k->entry = in->entry;
	k->kernarg_size = in->kernarg_size;
	k->kernarg_align = in->kernarg_align ? in->kernarg_align : 1;
	k->static_shared = in->static_shared;
	k->stack_size = (in->stack_size + 15) & ~15u;
	k->max_threads = in->max_threads ? in->max_threads : S5000_MAX_BLOCK_THREADS;
	return musa_elf_kernel_params(e, in, k);
}

static musaError_t musa_elf_kernels(struct musa_elf *e)
{
	const Elf64_Shdr *s = musa_elf_section(e, S5000_KERNELS_SECTION);
	struct musa_image *img = e->img;
	const uint8_t *bytes;
	musaError_t err;
	uint64_t n;

	if (!s)
		return musaSuccess;
	n = s->sh_size / sizeof(struct s5000_kernel_info);
	bytes = musa_elf_section_bytes(e, s);
	if (!bytes || s->sh_size % sizeof(struct s5000_kernel_info) || n > MUSA_ELF_MAX_KERNELS)
		return musa_elf_bad("%s: %llu bytes, not whole records of %zu bytes inside the "
				    "image", S5000_KERNELS_SECTION, (unsigned long long)s->sh_size,
				    sizeof(struct s5000_kernel_info));
	img->kernels = calloc(n ? n : 1, sizeof(*img->kernels));
	if (!img->kernels)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for kernels");
	for (uint64_t i = 0; i < n; i++) {
		struct s5000_kernel_info in;

		memcpy(&in, bytes + i * sizeof(in), sizeof(in));
		err = musa_elf_kernel(e, &in, &img->kernels[i]);
		img->nkernels = i + 1;
		if (err)
			return err;
		for (uint64_t j = 0; j < i; j++)
			if (!strcmp(img->kernels[j].name, img->kernels[i].name))
				return musa_elf_bad("two kernels are named %s",
						    img->kernels[i].name);
	}
	return musaSuccess;
}

/* ----------------------------------------------------------------- entry */

/*
 * Checks the code object in @data and fills @img: the span relocated for link
 * address 0, the relocations, kernels and symbols. Keeps @data (names of symbols
 * point into it) until musa_elf_free().
 */
musaError_t musa_elf_load(void *data, size_t size, struct musa_image *img)
{
	struct musa_elf e = { .data = data, .size = size, .img = img };
	musaError_t err;

	memset(img, 0, sizeof(*img));
	img->file = data;
	img->file_size = size;
	err = musa_elf_check_header(&e);
	if (!err)
		err = musa_elf_tables(&e);
	if (!err)
		err = musa_elf_segments(&e);
	if (!err)
		err = musa_elf_build_span(&e);
	if (!err)
		err = musa_elf_relocations(&e);
	if (!err) {
		musa_elf_relocate(img, 0);
		err = musa_elf_symbols(&e);
	}
	if (!err)
		err = musa_elf_kernels(&e);
	free(e.ph);
	free(e.sh);
	if (err)
		musa_elf_free(img);
	return err;
}

/* Frees what musa_elf_load() made, and the file it was given. */
void musa_elf_free(struct musa_image *img)
{
	for (size_t i = 0; i < img->nkernels; i++) {
		free(img->kernels[i].name);
		free(img->kernels[i].params);
	}
	free(img->kernels);
	free(img->symbols);
	free(img->relocs);
	free(img->span);
	free(img->file);
	memset(img, 0, sizeof(*img));
}

/* The symbol whose [value, value + size) holds @vaddr (functions first), or NULL. */
const struct musa_symbol *musa_elf_symbol_at(const struct musa_image *img, uint64_t vaddr)
{
	const struct musa_symbol *best = NULL;

	for (size_t i = 0; i < img->nsymbols && img->symbols[i].value <= vaddr; i++) {
		const struct musa_symbol *s = &img->symbols[i];

		if (vaddr - s->value < (s->size ? s->size : 1) && (!best || s->func))
			best = s;
	}
	return best;
}

/* The variable or function named @name, or NULL. */
const struct musa_symbol *musa_elf_symbol(const struct musa_image *img, const char *name,
					  bool func)
{
	for (size_t i = 0; i < img->nsymbols; i++)
		if (img->symbols[i].func == func && !strcmp(musa_symbol_name(img, &img->symbols[i]),
							     name))
			return &img->symbols[i];
	return NULL;
}
