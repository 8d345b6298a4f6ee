// SPDX-License-Identifier: MIT
/*
 * musa_module_test: code objects and launches through the driver and runtime APIs.
 * Loading from a file and from memory; images that are corrupt, truncated or
 * hostile (each refused with MUSA_ERROR_INVALID_IMAGE, never a crash, even where the
 * memory ends early); functions and globals by name; arguments through kernelParams
 * and through extra; function attributes, dynamic shared memory opt-in, occupancy,
 * device limits; and every invalid launch configuration with CUDA's code.
 *
 * The module is selftests/kernels/module_kernels.mu, embedded by musa-cc --embed.
 * Runs as root inside a musa-vm guest; prints TAP (kselftest harness).
 */
#include <elf.h>
#include <stdio.h>
#include <sys/mman.h>

#include "musa_test.h"
#include "musa_rt_test.h"

extern const unsigned char module_kernels_image[];
extern const unsigned long module_kernels_image_size;

#define MU_FAILS(code, call) do {						\
	MUresult r_ = (call);							\
	EXPECT_EQ(code, r_) TH_LOG("%s: got %d: %s", #call, (int)r_,		\
				   musaGetLastErrorDetail());			\
} while (0)

static int mod_make_current(void)
{
	MUcontext ctx;

	if (muInit(0) || muDevicePrimaryCtxRetain(&ctx, 0))
		return -1;
	return muCtxSetCurrent(ctx) ? -1 : 0;
}

FIXTURE(mod) {
	MUmodule mod;
	MUfunction touch, pack, bounded, big_static, fill, no_args;
};

FIXTURE_SETUP(mod)
{
	ASSERT_EQ(0, mod_make_current());
	MU_OK(muModuleLoadData(&self->mod, module_kernels_image));
	MU_OK(muModuleGetFunction(&self->touch, self->mod, "touch_globals"));
	MU_OK(muModuleGetFunction(&self->pack, self->mod, "pack_args"));
	MU_OK(muModuleGetFunction(&self->bounded, self->mod, "bounded"));
	MU_OK(muModuleGetFunction(&self->big_static, self->mod, "big_static"));
	MU_OK(muModuleGetFunction(&self->fill, self->mod, "fill_dynamic"));
	MU_OK(muModuleGetFunction(&self->no_args, self->mod, "no_args"));
}

FIXTURE_TEARDOWN(mod)
{
	EXPECT_EQ(MUSA_SUCCESS, muModuleUnload(self->mod));
}

/* ---------------------------------------------------------------- loading */

static int write_temp(const void *data, size_t n, char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/musa_module_test.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, data, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

TEST(load_from_file)
{
	char path[64];
	MUmodule m;
	MUfunction f;

	ASSERT_EQ(0, mod_make_current());
	ASSERT_EQ(0, write_temp(module_kernels_image, module_kernels_image_size, path,
				sizeof(path)));
	MU_OK(muModuleLoad(&m, path));
	MU_OK(muModuleGetFunction(&f, m, "touch_globals"));
	MU_OK(muModuleUnload(m));
	MU_FAILS(MUSA_ERROR_INVALID_HANDLE, muModuleGetFunction(&f, m, "touch_globals"));
	unlink(path);
	MU_FAILS(MUSA_ERROR_FILE_NOT_FOUND, muModuleLoad(&m, path));
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), path));
	MU_FAILS(MUSA_ERROR_INVALID_IMAGE, muModuleLoad(&m, "/tmp"));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muModuleLoad(&m, NULL));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muModuleLoad(NULL, path));
}

TEST(load_from_memory)
{
	MUmodule a, b;
	MUfunction fa, fb;

	ASSERT_EQ(0, mod_make_current());
	MU_OK(muModuleLoadData(&a, module_kernels_image));
	MU_OK(muModuleLoadData(&b, module_kernels_image));
	MU_OK(muModuleGetFunction(&fa, a, "no_args"));
	MU_OK(muModuleGetFunction(&fb, b, "no_args"));
	EXPECT_NE(fa, fb) TH_LOG("two loads are two modules");
	MU_OK(muLaunchKernel(fb, 1, 1, 1, 32, 1, 1, 0, NULL, NULL, NULL));
	MU_OK(muModuleUnload(a));
	MU_OK(muLaunchKernel(fb, 1, 1, 1, 32, 1, 1, 0, NULL, NULL, NULL));
	MU_OK(muCtxSynchronize());
	MU_FAILS(MUSA_ERROR_INVALID_HANDLE, muLaunchKernel(fa, 1, 1, 1, 1, 1, 1, 0, NULL, NULL,
							  NULL));
	MU_OK(muModuleUnload(b));
	MU_FAILS(MUSA_ERROR_INVALID_HANDLE, muModuleUnload(b));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muModuleLoadData(&a, NULL));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muModuleLoadData(NULL, module_kernels_image));
}

/* ------------------------------------------------------- hostile images */

/* A private copy of the module to damage. */
static unsigned char *img_copy(void)
{
	unsigned char *p = malloc(module_kernels_image_size);

	if (p)
		memcpy(p, module_kernels_image, module_kernels_image_size);
	return p;
}

static Elf64_Phdr *img_phdr(unsigned char *p, unsigned int type, unsigned int flags)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)p;
	Elf64_Phdr *ph = (Elf64_Phdr *)(p + eh->e_phoff);

	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == type && (ph[i].p_flags & flags) == flags)
			return &ph[i];
	return NULL;
}

static Elf64_Shdr *img_section(unsigned char *p, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)p;
	Elf64_Shdr *sh = (Elf64_Shdr *)(p + eh->e_shoff);
	const char *names = (const char *)p + sh[eh->e_shstrndx].sh_offset;

	for (int i = 0; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name))
			return &sh[i];
	return NULL;
}

/* The first kernel record, in the file. */
static struct s5000_kernel_info *img_kernel(unsigned char *p)
{
	Elf64_Shdr *s = img_section(p, S5000_KERNELS_SECTION);

	return s ? (struct s5000_kernel_info *)(p + s->sh_offset) : NULL;
}

/*
 * The relocation that writes the 8-byte field at @field of the first kernel record:
 * the loader takes pointers from relocations, not from the bytes under them.
 */
static Elf64_Rela *img_reloc(unsigned char *p, size_t field)
{
	Elf64_Shdr *rela = img_section(p, ".rela.dyn");
	Elf64_Rela *r = (Elf64_Rela *)(p + rela->sh_offset);
	uint64_t at = img_section(p, S5000_KERNELS_SECTION)->sh_addr + field;

	for (size_t i = 0; i < rela->sh_size / sizeof(*r); i++)
		if (r[i].r_offset == at)
			return &r[i];
	return NULL;
}

/*
 * @n bytes of @data at the end of a mapping followed by an inaccessible page:
 * reading one byte too far faults.
 */
static unsigned char *guarded(const void *data, size_t n, void **map, size_t *len)
{
	size_t pages = (n + 4095) / 4096 + 1;
	unsigned char *m = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	mprotect(m + (pages - 1) * 4096, 4096, PROT_NONE);
	memcpy(m + (pages - 1) * 4096 - n, data, n);
	*map = m;
	*len = pages * 4096;
	return m + (pages - 1) * 4096 - n;
}

/* Loads @n bytes from a guarded buffer and from a file: both must be refused. */
static int refused(struct __test_metadata *_metadata, const void *data, size_t n,
		   const char *what)
{
	MUresult r_mem, r_file;
	char path[64];
	size_t len;
	void *map;
	MUmodule m;
	unsigned char *p = guarded(data, n, &map, &len);

	if (!p || write_temp(data, n, path, sizeof(path)))
		return -1;
	r_mem = muModuleLoadData(&m, p);
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "code object")) TH_LOG("%s: %s", what,
									musaGetLastErrorDetail());
	r_file = muModuleLoad(&m, path);
	unlink(path);
	munmap(map, len);
	EXPECT_EQ(MUSA_ERROR_INVALID_IMAGE, r_mem) TH_LOG("%s from memory: %d", what, (int)r_mem);
	EXPECT_EQ(MUSA_ERROR_INVALID_IMAGE, r_file) TH_LOG("%s from a file: %d", what,
							   (int)r_file);
	return 0;
}

TEST(truncated_images_are_refused)
{
	static const size_t cuts[] = { 0, 1, 16, 63, 64, 200, 1000 };

	ASSERT_EQ(0, mod_make_current());
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++)
		ASSERT_EQ(0, refused(_metadata, module_kernels_image, cuts[i], "truncated"));
	ASSERT_EQ(0, refused(_metadata, module_kernels_image, module_kernels_image_size / 2,
			     "half"));
	ASSERT_EQ(0, refused(_metadata, module_kernels_image, module_kernels_image_size - 1,
			     "one byte short"));
}

/* One way of damaging an image, and what it is called. */
struct damage {
	const char *what;
	void (*apply)(unsigned char *p);
};

static void d_magic(unsigned char *p) { p[1] = 'X'; }
static void d_class(unsigned char *p) { p[EI_CLASS] = ELFCLASS32; }
static void d_endian(unsigned char *p) { p[EI_DATA] = ELFDATA2MSB; }
static void d_machine(unsigned char *p) { ((Elf64_Ehdr *)p)->e_machine = EM_X86_64; }
static void d_type(unsigned char *p) { ((Elf64_Ehdr *)p)->e_type = ET_EXEC; }
static void d_rvc(unsigned char *p) { ((Elf64_Ehdr *)p)->e_flags |= 1; }
static void d_phentsize(unsigned char *p) { ((Elf64_Ehdr *)p)->e_phentsize = 32; }
static void d_phoff(unsigned char *p) { ((Elf64_Ehdr *)p)->e_phoff = 1ull << 40; }
static void d_phnum(unsigned char *p) { ((Elf64_Ehdr *)p)->e_phnum = 0xffff; }
static void d_shoff(unsigned char *p) { ((Elf64_Ehdr *)p)->e_shoff = ~0ull - 100; }
static void d_shstrndx(unsigned char *p) { ((Elf64_Ehdr *)p)->e_shstrndx = 0xfffe; }
static void d_filesz(unsigned char *p) { img_phdr(p, PT_LOAD, PF_X)->p_filesz += 1 << 20; }
static void d_offset(unsigned char *p) { img_phdr(p, PT_LOAD, PF_X)->p_offset = 1ull << 62; }
static void d_vaddr(unsigned char *p) { img_phdr(p, PT_LOAD, PF_X)->p_vaddr = ~0ull - 8; }
static void d_memsz(unsigned char *p) { img_phdr(p, PT_LOAD, PF_X)->p_memsz = 1ull << 50; }
static void d_noexec(unsigned char *p) { img_phdr(p, PT_LOAD, PF_X)->p_flags &= ~PF_X; }
static void d_align(unsigned char *p) { img_phdr(p, PT_LOAD, PF_X)->p_align = 3000; }

static void d_overlap(unsigned char *p)
{
	Elf64_Phdr *x = img_phdr(p, PT_LOAD, PF_X), *w = img_phdr(p, PT_LOAD, PF_W);

	w->p_vaddr = x->p_vaddr;
}

static void d_reloc_type(unsigned char *p)
{
	Elf64_Rela *r = (Elf64_Rela *)(p + img_section(p, ".rela.dyn")->sh_offset);

	r->r_info = ELF64_R_INFO(0, 2);		/* R_RISCV_64 */
}

static void d_reloc_where(unsigned char *p)
{
	Elf64_Rela *r = (Elf64_Rela *)(p + img_section(p, ".rela.dyn")->sh_offset);

	r->r_offset = 1ull << 40;
}

static void d_kernels_size(unsigned char *p) { img_section(p, S5000_KERNELS_SECTION)->sh_size -= 3; }
static void d_version(unsigned char *p) { img_kernel(p)->version = 2; }
static void d_flags(unsigned char *p) { img_kernel(p)->flags = 1; }
#define KFIELD(f) offsetof(struct s5000_kernel_info, f)
static void d_entry(unsigned char *p) { img_reloc(p, KFIELD(entry))->r_addend = 0x10; }
static void d_entry_odd(unsigned char *p) { img_reloc(p, KFIELD(entry))->r_addend += 2; }
static void d_name(unsigned char *p) { img_reloc(p, KFIELD(name))->r_addend = 1ll << 45; }
static void d_params(unsigned char *p) { img_reloc(p, KFIELD(params))->r_addend = -4; }
static void d_num_params(unsigned char *p) { img_kernel(p)->num_params = 1u << 30; }
static void d_kernarg(unsigned char *p) { img_kernel(p)->kernarg_size = 2; }
static void d_kernarg_align(unsigned char *p) { img_kernel(p)->kernarg_align = 24; }
static void d_shared(unsigned char *p) { img_kernel(p)->static_shared = S5000_MAX_SHARED_BYTES + 4; }
static void d_stack(unsigned char *p) { img_kernel(p)->stack_size = S5000_MAX_STACK_BYTES * 2; }
static void d_threads(unsigned char *p) { img_kernel(p)->max_threads = 2048; }

static const struct damage damages[] = {
	{ "bad magic", d_magic }, { "ELFCLASS32", d_class }, { "big-endian", d_endian },
	{ "x86-64", d_machine }, { "ET_EXEC", d_type }, { "compressed instructions", d_rvc },
	{ "program header size", d_phentsize }, { "program headers far away", d_phoff },
	{ "65535 program headers", d_phnum }, { "section headers past 2^64", d_shoff },
	{ "section names index", d_shstrndx }, { "segment larger than the file", d_filesz },
	{ "segment offset", d_offset }, { "segment address wraps", d_vaddr },
	{ "segment of 2^50 bytes", d_memsz }, { "no executable segment", d_noexec },
	{ "alignment 3000", d_align }, { "overlapping segments", d_overlap },
	{ "relocation R_RISCV_64", d_reloc_type }, { "relocation far away", d_reloc_where },
	{ "kernel records cut", d_kernels_size }, { "record version 2", d_version },
	{ "record flags", d_flags }, { "entry outside the code", d_entry },
	{ "misaligned entry", d_entry_odd }, { "name outside the image", d_name },
	{ "parameters outside the image", d_params }, { "2^30 parameters", d_num_params },
	{ "parameters past the argument buffer", d_kernarg },
	{ "argument alignment 24", d_kernarg_align }, { "too much shared memory", d_shared },
	{ "stack of 1 MiB", d_stack }, { "2048 threads", d_threads },
};

TEST(hostile_images_are_refused)
{
	MUmodule m;

	ASSERT_EQ(0, mod_make_current());
	for (size_t i = 0; i < ARRAY_SIZE(damages); i++) {
		unsigned char *p = img_copy();

		ASSERT_NE(NULL, p);
		damages[i].apply(p);
		ASSERT_EQ(0, refused(_metadata, p, module_kernels_image_size, damages[i].what));
		free(p);
	}
	/* The context is none the worse. */
	MU_OK(muModuleLoadData(&m, module_kernels_image));
	MU_OK(muModuleUnload(m));
}

/* Random damage to the headers: loaded or refused, nothing else. */
TEST(random_damage_never_crashes)
{
	uint64_t seed = 0x2545f4914f6cdd1dull;
	int loaded = 0, refusals = 0;
	MUmodule m;

	ASSERT_EQ(0, mod_make_current());
	for (int i = 0; i < 400; i++) {
		unsigned char *p = img_copy();
		MUresult r;

		ASSERT_NE(NULL, p);
		for (int k = 0; k < 4; k++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			p[seed % 512 % module_kernels_image_size] ^=
				(unsigned char)(1u << (seed >> 60 & 7));
		}
		r = muModuleLoadData(&m, p);
		free(p);
		if (r == MUSA_SUCCESS) {
			loaded++;
			MU_OK(muModuleUnload(m));
		} else {
			ASSERT_EQ(MUSA_ERROR_INVALID_IMAGE, r) TH_LOG("%s", musaGetLastErrorDetail());
			refusals++;
		}
	}
	TH_LOG("%d loaded, %d refused", loaded, refusals);
	EXPECT_LT(100, refusals);
}

/* ----------------------------------------------------- functions, globals */

TEST_F(mod, get_function)
{
	MUfunction f;
	const char *name = NULL;

	MU_FAILS(MUSA_ERROR_NOT_FOUND, muModuleGetFunction(&f, self->mod, "no_such_kernel"));
	EXPECT_NE(NULL, strstr(musaGetLastErrorDetail(), "no_such_kernel"));
	/* A variable is not a kernel, nor a kernel a variable. */
	MU_FAILS(MUSA_ERROR_NOT_FOUND, muModuleGetFunction(&f, self->mod, "module_counter"));
	MU_FAILS(MUSA_ERROR_NOT_FOUND, muModuleGetFunction(&f, self->mod, "touch_global"));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muModuleGetFunction(&f, self->mod, NULL));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muModuleGetFunction(NULL, self->mod, "no_args"));
	MU_FAILS(MUSA_ERROR_INVALID_HANDLE, muModuleGetFunction(&f, (MUmodule)&f, "no_args"));
	MU_OK(muFuncGetName(&name, self->pack));
	EXPECT_STREQ("pack_args", name);
}

TEST_F(mod, globals_read_and_write)
{
	MUdeviceptr counter, table, out;
	size_t bytes = 0, tbytes = 0;
	float t[64];
	int v = 99, add = 5, got = 0;
	void *params[] = { &add, &out };

	MU_OK(muModuleGetGlobal(&counter, &bytes, self->mod, "module_counter"));
	EXPECT_EQ(4, bytes);
	MU_OK(muModuleGetGlobal(&table, &tbytes, self->mod, "module_table"));
	EXPECT_EQ(sizeof(t), tbytes);
	MU_OK(muModuleGetGlobal(NULL, &bytes, self->mod, "module_counter"));
	MU_OK(muModuleGetGlobal(&counter, NULL, self->mod, "module_counter"));
	MU_FAILS(MUSA_ERROR_NOT_FOUND, muModuleGetGlobal(&out, &bytes, self->mod, "nothing"));
	MU_FAILS(MUSA_ERROR_NOT_FOUND, muModuleGetGlobal(&out, &bytes, self->mod, "no_args"));
	/* Initial values came with the image; bss is zero. */
	MU_OK(muMemcpyDtoH(&got, counter, 4));
	EXPECT_EQ(1234, got);
	MU_OK(muMemcpyDtoH(t, table, sizeof(t)));
	EXPECT_EQ(1.5f, t[0]);
	EXPECT_EQ(2.5f, t[1]);
	EXPECT_EQ(0.0f, t[63]);
	/* Written by the host, seen by the kernel; written by the kernel, seen here. */
	MU_OK(muMemAlloc(&out, 4));
	MU_OK(muMemcpyHtoD(counter, &v, 4));
	MU_OK(muLaunchKernel(self->touch, 1, 1, 1, 64, 1, 1, 0, NULL, params, NULL));
	MU_OK(muMemcpyDtoH(&got, out, 4));
	EXPECT_EQ(99, got);
	MU_OK(muMemcpyDtoH(&got, counter, 4));
	EXPECT_EQ(104, got);
	MU_OK(muMemcpyDtoH(t, table, sizeof(t)));
	EXPECT_EQ(3.0f, t[0]);
	EXPECT_EQ(5.0f, t[1]);
	/* The module's memory is not the user's to free. */
	MUSA_FAILS(musaErrorInvalidValue, musaFree((void *)(uintptr_t)counter));
	MU_OK(muMemFree(out));
}

/* --------------------------------------------------------------- arguments */

struct pack_buffer {
	signed char c;
	int i;
	long long l;
	float f;
	double d;
	short s;
	long long *out;
};

TEST_F(mod, kernel_params_and_extra_agree)
{
	signed char c = -7;	/* plain char is unsigned on RISC-V */
	int i = 123456789;
	long long l = -(1ll << 40), by_params[6], by_extra[6], *out;
	float f = 2.25f;
	double d = -1e6;
	short s = -300;
	void *params[] = { &c, &i, &l, &f, &d, &s, &out };
	struct pack_buffer buf = { c, i, l, f, d, s, NULL };
	size_t size = sizeof(buf), small = sizeof(buf) - 8;
	void *extra[] = { MU_LAUNCH_PARAM_BUFFER_POINTER, &buf, MU_LAUNCH_PARAM_BUFFER_SIZE, &size,
			  MU_LAUNCH_PARAM_END };
	void *extra_short[] = { MU_LAUNCH_PARAM_BUFFER_POINTER, &buf, MU_LAUNCH_PARAM_BUFFER_SIZE,
				&small, MU_LAUNCH_PARAM_END };
	void *extra_odd[] = { (void *)7, &buf, MU_LAUNCH_PARAM_END };
	void *extra_no_size[] = { MU_LAUNCH_PARAM_BUFFER_POINTER, &buf, MU_LAUNCH_PARAM_END };

	ASSERT_EQ(48, sizeof(buf)) TH_LOG("the struct must lay out as the kernel's parameters");
	MUSA_OK(musaMalloc((void **)&out, 2 * sizeof(by_params)));
	buf.out = out + 6;
	MU_OK(muLaunchKernel(self->pack, 1, 1, 1, 1, 1, 1, 0, NULL, params, NULL));
	MU_OK(muLaunchKernel(self->pack, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, extra));
	MUSA_OK(musaMemcpy(by_params, out, sizeof(by_params), musaMemcpyDeviceToHost));
	MUSA_OK(musaMemcpy(by_extra, out + 6, sizeof(by_extra), musaMemcpyDeviceToHost));
	EXPECT_EQ(-7, by_params[0]);
	EXPECT_EQ(123456789, by_params[1]);
	EXPECT_EQ(-(1ll << 40), by_params[2]);
	EXPECT_EQ(9, by_params[3]);
	EXPECT_EQ(-4000000, by_params[4]);
	EXPECT_EQ(-300, by_params[5]);
	EXPECT_EQ(0, memcmp(by_params, by_extra, sizeof(by_params)));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muLaunchKernel(self->pack, 1, 1, 1, 1, 1, 1, 0, NULL,
							  params, extra)); /* not both */
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muLaunchKernel(self->pack, 1, 1, 1, 1, 1, 1, 0, NULL,
							  NULL, extra_short));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muLaunchKernel(self->pack, 1, 1, 1, 1, 1, 1, 0, NULL,
							  NULL, extra_odd));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muLaunchKernel(self->pack, 1, 1, 1, 1, 1, 1, 0, NULL,
							  NULL, extra_no_size));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muLaunchKernel(self->pack, 1, 1, 1, 1, 1, 1, 0, NULL,
							  NULL, NULL)); /* no arguments */
	params[3] = NULL;
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muLaunchKernel(self->pack, 1, 1, 1, 1, 1, 1, 0, NULL,
							  params, NULL));
	MU_OK(muLaunchKernel(self->no_args, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
	MU_OK(muCtxSynchronize());
	MUSA_OK(musaFree(out));
}

/* Many launches in flight reuse the argument ring; each sees its own arguments. */
TEST_F(mod, arguments_of_many_launches)
{
	enum { LAUNCHES = 3000 };
	int *out, *host;

	MUSA_OK(musaMalloc((void **)&out, LAUNCHES * sizeof(int)));
	host = malloc(LAUNCHES * sizeof(int));
	ASSERT_NE(NULL, host);
	for (int i = 0; i < LAUNCHES; i++) {
		int *at = out + i;
		int add = 0;
		void *params[] = { &add, &at };

		MU_OK(muLaunchKernel(self->touch, 1, 1, 1, 1, 1, 1, 0, NULL, params, NULL));
	}
	MUSA_OK(musaMemcpy(host, out, LAUNCHES * sizeof(int), musaMemcpyDeviceToHost));
	for (int i = 0; i < LAUNCHES; i++) {
		ASSERT_EQ(1234, host[i]) TH_LOG("launch %d", i);
	}
	free(host);
	MUSA_OK(musaFree(out));
}

/* 1 KiB arguments: 600 launches go round the 256 KiB ring more than twice. */
TEST_F(mod, big_arguments_go_round_the_ring)
{
	enum { LAUNCHES = 600 };
	struct { int v[256]; } arg;
	int *out, *host, want;
	MUfunction f;

	MU_OK(muModuleGetFunction(&f, self->mod, "sum_big_arg"));
	MUSA_OK(musaMalloc((void **)&out, LAUNCHES * sizeof(int)));
	host = malloc(LAUNCHES * sizeof(int));
	ASSERT_NE(NULL, host);
	for (int i = 0; i < LAUNCHES; i++) {
		int *at = out + i;
		void *params[] = { &arg, &at };

		for (int k = 0; k < 256; k++)
			arg.v[k] = i + k;
		MU_OK(muLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, NULL, params, NULL));
	}
	MUSA_OK(musaMemcpy(host, out, LAUNCHES * sizeof(int), musaMemcpyDeviceToHost));
	for (int i = 0; i < LAUNCHES; i++) {
		want = 256 * i + 255 * 256 / 2;
		ASSERT_EQ(want, host[i]) TH_LOG("launch %d", i);
	}
	free(host);
	MUSA_OK(musaFree(out));
}

/* The runtime API launches the same function, cast to const void *. */
TEST_F(mod, runtime_launch)
{
	int *out, host[128];
	void *args[] = { &out };

	MUSA_OK(musaMalloc((void **)&out, sizeof(host)));
	MUSA_OK(musaLaunchKernel((const void *)self->bounded, (dim3){ 2, 1, 1 },
				 (dim3){ 64, 1, 1 }, args, 0, 0));
	MUSA_OK(musaMemcpy(host, out, sizeof(host), musaMemcpyDeviceToHost));
	for (int i = 0; i < 128; i++)
		EXPECT_EQ(i % 64, host[i]);
	MUSA_FAILS(musaErrorInvalidDeviceFunction,
		   musaLaunchKernel((const void *)host, (dim3){ 1, 1, 1 }, (dim3){ 1, 1, 1 },
				    args, 0, 0));
	MUSA_FAILS(musaErrorInvalidDeviceFunction,
		   musaLaunchKernel(NULL, (dim3){ 1, 1, 1 }, (dim3){ 1, 1, 1 }, args, 0, 0));
	EXPECT_EQ(musaErrorInvalidDeviceFunction, musaGetLastError());
	MUSA_OK(musaFree(out));
}

/* -------------------------------------------------------------- attributes */

TEST_F(mod, function_attributes)
{
	struct musaFuncAttributes fa;
	int v;

	MU_OK(muFuncGetAttribute(&v, MU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, self->bounded));
	EXPECT_EQ(128, v);
	MU_OK(muFuncGetAttribute(&v, MU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, self->no_args));
	EXPECT_EQ(1024, v);
	MU_OK(muFuncGetAttribute(&v, MU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, self->big_static));
	EXPECT_LE(40960, v);
	MU_OK(muFuncGetAttribute(&v, MU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, self->no_args));
	EXPECT_EQ(0, v);
	MU_OK(muFuncGetAttribute(&v, MU_FUNC_ATTRIBUTE_NUM_REGS, self->no_args));
	EXPECT_EQ(64, v);
	MU_OK(muFuncGetAttribute(&v, MU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, self->no_args));
	EXPECT_EQ(0, v % 16);
	MU_OK(muFuncGetAttribute(&v, MU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES, self->no_args));
	EXPECT_EQ(0, v);
	MU_OK(muFuncGetAttribute(&v, MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
				 self->no_args));
	EXPECT_EQ(48 << 10, v);
	MU_OK(muFuncGetAttribute(&v, MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
				 self->big_static));
	EXPECT_EQ((48 << 10) - 40960, v);
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muFuncGetAttribute(&v, MU_FUNC_ATTRIBUTE_MAX,
							      self->no_args));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muFuncGetAttribute(NULL, 0, self->no_args));
	MU_FAILS(MUSA_ERROR_INVALID_HANDLE, muFuncGetAttribute(&v, 0, (MUfunction)&v));
	/* Setting: the opt-in limit less the static part; nothing else is settable. */
	MU_OK(muFuncSetAttribute(self->no_args, MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
				 S5000_MAX_SHARED_BYTES));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE,
		 muFuncSetAttribute(self->big_static, MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
				    S5000_MAX_SHARED_BYTES - 40960 + 1));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE,
		 muFuncSetAttribute(self->no_args, MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, -1));
	MU_OK(muFuncSetAttribute(self->no_args, MU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT,
				 50));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE,
		 muFuncSetAttribute(self->no_args, MU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT,
				    101));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE,
		 muFuncSetAttribute(self->no_args, MU_FUNC_ATTRIBUTE_NUM_REGS, 32));
	/* The runtime's view of the same. */
	MUSA_OK(musaFuncGetAttributes(&fa, (const void *)self->no_args));
	EXPECT_EQ(S5000_MAX_SHARED_BYTES, fa.maxDynamicSharedSizeBytes);
	EXPECT_EQ(50, fa.preferredShmemCarveout);
	EXPECT_EQ(1024, fa.maxThreadsPerBlock);
	MUSA_OK(musaFuncGetAttributes(&fa, (const void *)self->big_static));
	EXPECT_LE(40960, fa.sharedSizeBytes);
	EXPECT_EQ(64, fa.numRegs);
	MUSA_OK(musaFuncSetAttribute((const void *)self->big_static,
				     musaFuncAttributeMaxDynamicSharedMemorySize, 4096));
	MU_OK(muFuncGetAttribute(&v, MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
				 self->big_static));
	EXPECT_EQ(4096, v);
	MUSA_FAILS(musaErrorInvalidDeviceFunction, musaFuncGetAttributes(&fa, &fa));
	MUSA_FAILS(musaErrorInvalidValue,
		   musaFuncSetAttribute((const void *)self->no_args, musaFuncAttributeMax, 1));
}

/* More than 48 KiB of dynamic shared memory needs the opt-in, and then works. */
TEST_F(mod, dynamic_shared_opt_in)
{
	unsigned long long *out, sum = 0, n;
	unsigned int bytes = 100 << 10;
	void *params[] = { &out };

	MUSA_OK(musaMalloc((void **)&out, 8));
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muLaunchKernel(self->no_args, 1, 1, 1, 32, 1, 1,
							  bytes, NULL, NULL, NULL));
	MU_OK(muFuncSetAttribute(self->fill, MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
				 bytes));
	MU_OK(muLaunchKernel(self->fill, 1, 1, 1, 256, 1, 1, bytes, NULL, params, NULL));
	MUSA_OK(musaMemcpy(&sum, out, 8, musaMemcpyDeviceToHost));
	n = bytes / 4;
	EXPECT_EQ(n * (n - 1) / 2, sum);
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muLaunchKernel(self->fill, 1, 1, 1, 256, 1, 1,
							  bytes + 16, NULL, params, NULL));
	MUSA_OK(musaFree(out));
}

/* ----------------------------------------------------- occupancy, limits */

TEST_F(mod, occupancy)
{
	int sms = 0, n = -1, grid = -1, block = -1;
	size_t dyn = 0;

	MUSA_OK(musaDeviceGetAttribute(&sms, musaDevAttrMultiProcessorCount, 0));
	ASSERT_LT(0, sms);
	MU_OK(muOccupancyMaxActiveBlocksPerMultiprocessor(&n, self->no_args, 1024, 0));
	EXPECT_EQ(2, n) TH_LOG("2048 threads per multiprocessor");
	MU_OK(muOccupancyMaxActiveBlocksPerMultiprocessor(&n, self->no_args, 32, 0));
	EXPECT_EQ(32, n) TH_LOG("at most 32 blocks per multiprocessor");
	MU_OK(muOccupancyMaxActiveBlocksPerMultiprocessor(&n, self->no_args, 33, 0));
	EXPECT_EQ(32, n) TH_LOG("33 threads take two warps");
	MU_OK(muOccupancyMaxActiveBlocksPerMultiprocessor(&n, self->big_static, 64, 0));
	EXPECT_EQ(S5000_MAX_SHARED_BYTES / 40960, n) TH_LOG("shared memory limits it");
	MU_OK(muOccupancyMaxActiveBlocksPerMultiprocessor(&n, self->bounded, 256, 0));
	EXPECT_EQ(0, n) TH_LOG("more threads than its launch bounds");
	MU_OK(muOccupancyMaxActiveBlocksPerMultiprocessor(&n, self->no_args, 64, 64 << 10));
	EXPECT_EQ(0, n) TH_LOG("more dynamic shared memory than allowed");
	MU_OK(muOccupancyMaxPotentialBlockSize(&grid, &block, self->no_args, NULL, 0, 0));
	EXPECT_EQ(1024, block);
	EXPECT_EQ(2 * sms, grid);
	MU_OK(muOccupancyMaxPotentialBlockSize(&grid, &block, self->bounded, NULL, 0, 0));
	EXPECT_EQ(128, block);
	EXPECT_EQ(16 * sms, grid);
	MU_OK(muOccupancyMaxPotentialBlockSize(&grid, &block, self->no_args, NULL, 0, 64));
	EXPECT_EQ(64, block);
	EXPECT_EQ(32 * sms, grid);
	MU_OK(muOccupancyAvailableDynamicSMemPerBlock(&dyn, self->no_args, 2, 512));
	EXPECT_EQ(48 << 10, dyn) TH_LOG("capped by the function's limit");
	MU_FAILS(MUSA_ERROR_INVALID_VALUE, muOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(
			 &n, self->no_args, 32, 0, 4));
	MUSA_OK(musaOccupancyMaxActiveBlocksPerMultiprocessor(&n, (const void *)self->bounded,
							      128, 0));
	EXPECT_EQ(16, n);
	MUSA_OK(musaOccupancyMaxPotentialBlockSize(&grid, &block, (const void *)self->bounded,
						   0, 0));
	EXPECT_EQ(128, block);
	MUSA_FAILS(musaErrorInvalidDeviceFunction,
		   musaOccupancyMaxActiveBlocksPerMultiprocessor(&n, &n, 32, 0));
}

TEST(device_limits_for_kernels)
{
	struct musaDeviceProp p;
	int v;

	MUSA_OK(musaGetDeviceProperties(&p, 0));
	EXPECT_EQ(S5000_MAX_BLOCK_THREADS, p.maxThreadsPerBlock);
	EXPECT_EQ(1024, p.maxThreadsDim[0]);
	EXPECT_EQ(1024, p.maxThreadsDim[1]);
	EXPECT_EQ(64, p.maxThreadsDim[2]);
	EXPECT_EQ(S5000_MAX_GRID_X, p.maxGridSize[0]);
	EXPECT_EQ(S5000_MAX_GRID_YZ, p.maxGridSize[1]);
	EXPECT_EQ(S5000_MAX_GRID_YZ, p.maxGridSize[2]);
	EXPECT_EQ(S5000_WARP_SIZE, p.warpSize);
	EXPECT_EQ(48 << 10, p.sharedMemPerBlock);
	EXPECT_EQ(S5000_MAX_SHARED_BYTES, p.sharedMemPerBlockOptin);
	EXPECT_LE(p.sharedMemPerBlockOptin, p.sharedMemPerMultiprocessor);
	EXPECT_EQ(64 * 1024, p.regsPerBlock);
	EXPECT_EQ(0, p.cooperativeLaunch) TH_LOG("no grid-wide synchronisation");
	MUSA_OK(musaDeviceGetAttribute(&v, musaDevAttrMaxSharedMemoryPerBlockOptin, 0));
	EXPECT_EQ(S5000_MAX_SHARED_BYTES, v);
	MUSA_OK(musaDeviceGetAttribute(&v, musaDevAttrMaxGridDimY, 0));
	EXPECT_EQ(65535, v);
}

/* Every bad configuration, with the driver's code and the runtime's. */
struct bad_config {
	const char *what;
	unsigned int grid[3], block[3], shared;
	MUresult drv;
	musaError_t rt;
};

static const struct bad_config bad_configs[] = {
	{ "grid x 0", { 0, 1, 1 }, { 32, 1, 1 }, 0, MUSA_ERROR_INVALID_VALUE,
	  musaErrorInvalidConfiguration },
	{ "grid z 0", { 1, 1, 0 }, { 32, 1, 1 }, 0, MUSA_ERROR_INVALID_VALUE,
	  musaErrorInvalidConfiguration },
	{ "grid x 2^31", { 1u << 31, 1, 1 }, { 32, 1, 1 }, 0, MUSA_ERROR_INVALID_VALUE,
	  musaErrorInvalidConfiguration },
	{ "grid y 65536", { 1, 65536, 1 }, { 32, 1, 1 }, 0, MUSA_ERROR_INVALID_VALUE,
	  musaErrorInvalidConfiguration },
	{ "block 0", { 1, 1, 1 }, { 0, 1, 1 }, 0, MUSA_ERROR_INVALID_VALUE,
	  musaErrorInvalidConfiguration },
	{ "block x 1025", { 1, 1, 1 }, { 1025, 1, 1 }, 0, MUSA_ERROR_INVALID_VALUE,
	  musaErrorInvalidConfiguration },
	{ "block z 65", { 1, 1, 1 }, { 1, 1, 65 }, 0, MUSA_ERROR_INVALID_VALUE,
	  musaErrorInvalidConfiguration },
	{ "2048 threads", { 1, 1, 1 }, { 32, 32, 2 }, 0, MUSA_ERROR_INVALID_VALUE,
	  musaErrorInvalidConfiguration },
	{ "49153 bytes of shared memory", { 1, 1, 1 }, { 32, 1, 1 }, (48 << 10) + 1,
	  MUSA_ERROR_INVALID_VALUE, musaErrorInvalidValue },
};

TEST_F(mod, invalid_configurations)
{
	void *params[] = { &params };

	for (size_t i = 0; i < ARRAY_SIZE(bad_configs); i++) {
		const struct bad_config *c = &bad_configs[i];

		MUresult r = muLaunchKernel(self->no_args, c->grid[0], c->grid[1], c->grid[2],
					    c->block[0], c->block[1], c->block[2], c->shared,
					    NULL, NULL, NULL);
		musaError_t e;

		EXPECT_EQ(c->drv, r) TH_LOG("%s: %s", c->what, musaGetLastErrorDetail());
		e = musaLaunchKernel((const void *)self->no_args,
				     (dim3){ c->grid[0], c->grid[1], c->grid[2] },
				     (dim3){ c->block[0], c->block[1], c->block[2] }, NULL,
				     c->shared, 0);
		EXPECT_EQ(c->rt, e) TH_LOG("%s: %s", c->what, musaGetLastErrorDetail());
	}
	MU_FAILS(MUSA_ERROR_LAUNCH_OUT_OF_RESOURCES,
		 muLaunchKernel(self->bounded, 1, 1, 1, 256, 1, 1, 0, NULL, params, NULL));
	MUSA_FAILS(musaErrorLaunchOutOfResources,
		   musaLaunchKernel((const void *)self->bounded, (dim3){ 1, 1, 1 },
				    (dim3){ 129, 1, 1 }, params, 0, 0));
	MU_FAILS(MUSA_ERROR_INVALID_HANDLE, muLaunchKernel(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL,
							   NULL));
	MU_FAILS(MUSA_ERROR_INVALID_HANDLE, muLaunchKernel(self->no_args, 1, 1, 1, 1, 1, 1, 0,
							   (MUstream)params, NULL, NULL));
	MUSA_FAILS(musaErrorInvalidResourceHandle,
		   musaLaunchKernel((const void *)self->no_args, (dim3){ 1, 1, 1 },
				    (dim3){ 1, 1, 1 }, NULL, 0, (musaStream_t)params));
	/* None of it is sticky: the next launch runs. */
	MU_OK(muLaunchKernel(self->no_args, 1, 1, 1, 1024, 1, 1, 0, NULL, NULL, NULL));
	MU_OK(muCtxSynchronize());
}

TEST_HARNESS_MAIN
