// SPDX-License-Identifier: MIT
/*
 * module.c: code objects in a context. Loading reads and checks the whole file in
 * host memory (elf.c), takes device memory for the loadable span and one kernel
 * descriptor per kernel after it, relocates the span for that address, writes the
 * descriptors (entry, the executable segment, static shared memory, stack and
 * threads from the kernel records) and copies it all to the device, waiting until
 * it is there. The host keeps the image's kernels and symbols: functions are
 * looked up by name, globals by symbol, and a faulting pc is named as
 * "kernel+offset".
 *
 * Modules belong to the context (the primary context for the runtime API) and go
 * with it; their device memory is the library's, which musaFree refuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "musa_internal.h"

#define MUSA_DESC_ALIGN	64

static uint64_t musa_align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

/* Where the descriptors start, from the image's device base. */
static uint64_t musa_module_desc_offset(const struct musa_image *img)
{
	return musa_align_up(img->span_size, MUSA_DESC_ALIGN);
}

static void musa_module_free(struct MUmod_st *mod)
{
	musa_elf_free(&mod->img);
	free(mod->funcs);
	free(mod);
}

/* The span, relocated for @base, with the descriptors after it, as one buffer. */
static uint8_t *musa_module_upload_image(struct MUmod_st *mod, uint64_t base, size_t *size)
{
	const struct musa_image *img = &mod->img;
	uint64_t desc_off = musa_module_desc_offset(img);
	uint8_t *buf;

	*size = desc_off + img->nkernels * sizeof(struct s5000_kernel_desc);
	buf = calloc(1, *size);
	if (!buf)
		return NULL;
	memcpy(buf, img->span, img->span_size);
	for (size_t i = 0; i < img->nkernels; i++) {
		const struct musa_kernel_meta *k = &img->kernels[i];
		struct s5000_kernel_desc d = {
			.magic = S5000_KERNEL_DESC_MAGIC,
			.version = 1,
			.entry = mod->bias + k->entry,
			.code_start = mod->bias + img->code_start,
			.code_size = img->code_size,
			.static_shared = k->static_shared,
			.stack_size = k->stack_size,
			.max_threads = k->max_threads,
		};

		memcpy(buf + desc_off + i * sizeof(d), &d, sizeof(d));
		mod->funcs[i] = (struct MUfunc_st){
			.mod = mod, .meta = k, .desc_va = base + desc_off + i * sizeof(d),
			.max_dynamic_shared = k->static_shared < MUSA_DEFAULT_SHARED ?
					      (int)(MUSA_DEFAULT_SHARED - k->static_shared) : 0,
			.carveout = -1,
		};
	}
	return buf;
}

/* Device memory for the module, the image relocated into it, and the copy there. */
static musaError_t musa_module_place(struct musa_ctx *ctx, struct MUmod_st *mod)
{
	struct musa_image *img = &mod->img;
	uint64_t size = musa_module_desc_offset(img) + img->nkernels *
			sizeof(struct s5000_kernel_desc);
	uint64_t slack = img->align > MUSA_PAGE_SIZE ? img->align - MUSA_PAGE_SIZE : 0;
	uint64_t base;
	musaError_t err;
	size_t bytes;
	uint8_t *buf;

	err = musa_mem_alloc_device(ctx, size + slack, true, &mod->va);
	if (err)
		return err;
	mod->size = size + slack;
	base = musa_align_up(mod->va, img->align);
	mod->bias = base - img->span_start;
	musa_elf_relocate(img, mod->bias);
	buf = musa_module_upload_image(mod, base, &bytes);
	if (!buf)
		err = musa_fail(musaErrorMemoryAllocation, "no host memory for a module image");
	else
		err = musa_copy_to_device(&ctx->legacy, base, buf, bytes);
	free(buf);
	if (err)
		musa_mem_free_device(ctx, mod->va, true, "muModuleLoad");
	return err;
}

/* Loads the code object in @data (taking it) into @ctx as module @name. */
static musaError_t musa_module_create(struct musa_ctx *ctx, void *data, size_t size,
				      const char *name, struct MUmod_st **out)
{
	struct MUmod_st *mod = calloc(1, sizeof(*mod));
	musaError_t err;

	if (!mod) {
		free(data);
		return musa_fail(musaErrorMemoryAllocation, "no host memory for a module");
	}
	mod->ctx = ctx;
	snprintf(mod->name, sizeof(mod->name), "%s", name);
	err = musa_elf_load(data, size, &mod->img);
	if (err) {
		char detail[MUSA_DETAIL_LEN];

		snprintf(detail, sizeof(detail), "%s", musa_tls.detail);
		musa_fail(err, "%s: %s", name, detail);
	} else {
		mod->funcs = calloc(mod->img.nkernels ? mod->img.nkernels : 1, sizeof(*mod->funcs));
		if (!mod->funcs)
			err = musa_fail(musaErrorMemoryAllocation, "no host memory for functions");
	}
	if (!err)
		err = musa_module_place(ctx, mod);
	if (err) {
		musa_module_free(mod);
		return err;
	}
	pthread_mutex_lock(&ctx->module_lock);
	musa_list_add(&ctx->modules, &mod->link);
	pthread_mutex_unlock(&ctx->module_lock);
	musa_log(MUSA_LOG_INFO, "device %d: module %s loaded at 0x%" PRIx64 " (%zu kernels, "
		 "%" PRIu64 " bytes)", ctx->dev->ordinal, mod->name, mod->bias + mod->img.span_start,
		 mod->img.nkernels, mod->size);
	*out = mod;
	return musaSuccess;
}

/* The whole file at @path, in memory. */
static musaError_t musa_read_file(const char *path, void **data, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	musaError_t err = musaSuccess;
	struct stat st;
	ssize_t got = 0;

	if (fd < 0)
		return musa_fail(errno == ENOENT || errno == ENOTDIR ? musaErrorFileNotFound :
				 musaErrorOperatingSystem, "cannot open %s: %s", path,
				 strerror(errno));
	if (fstat(fd, &st)) {
		close(fd);
		return musa_fail(musaErrorOperatingSystem, "cannot stat %s: %s", path,
				 strerror(errno));
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (256 << 20)) {
		close(fd);
		return musa_fail(musaErrorInvalidKernelImage, "%s is not a code object: %s", path,
				 S_ISREG(st.st_mode) ? "larger than 256 MiB" : "not a regular file");
	}
	*size = st.st_size;
	*data = malloc(*size ? *size : 1);
	for (size_t off = 0; *data && off < *size; off += got) {
		got = read(fd, (char *)*data + off, *size - off);
		if (got <= 0) {
			err = musa_fail(musaErrorOperatingSystem, "cannot read %s: %s", path,
					got ? strerror(errno) : "it shrank");
			break;
		}
	}
	close(fd);
	if (!*data)
		return musa_fail(musaErrorMemoryAllocation, "no host memory for %s", path);
	if (err)
		free(*data);
	return err;
}

/* ---------------------------------------------------------------- lookups */

static musaError_t musa_module_resolve(struct musa_ctx *ctx, MUmodule handle,
				       struct MUmod_st **mod)
{
	bool found = false;

	pthread_mutex_lock(&ctx->module_lock);
	musa_list_for_each(pos, &ctx->modules)
		if (musa_container_of(pos, struct MUmod_st, link) == handle)
			found = true;
	pthread_mutex_unlock(&ctx->module_lock);
	if (!found)
		return musa_fail(musaErrorInvalidResourceHandle, "module %p is not loaded in "
				 "device %d's context", (void *)handle, ctx->dev->ordinal);
	*mod = handle;
	return musaSuccess;
}

/* The kernel behind @handle, if it is one of a module loaded in @ctx. */
musaError_t musa_func_resolve(struct musa_ctx *ctx, const void *handle, musaError_t missing,
			      struct MUfunc_st **f)
{
	const struct MUfunc_st *want = handle;

	*f = NULL;
	pthread_mutex_lock(&ctx->module_lock);
	musa_list_for_each(pos, &ctx->modules) {
		struct MUmod_st *mod = musa_container_of(pos, struct MUmod_st, link);

		for (size_t i = 0; i < mod->img.nkernels && !*f; i++)
			if (&mod->funcs[i] == want)
				*f = &mod->funcs[i];
	}
	pthread_mutex_unlock(&ctx->module_lock);
	if (!*f)
		return musa_fail(missing, "%p is not a kernel of a module loaded in device %d's "
				 "context", handle, ctx->dev->ordinal);
	return musaSuccess;
}

/* "name+0x40 in module.mubin" for a pc of @mod, or "module.mubin+0x1040". */
static void musa_module_where(const struct MUmod_st *mod, uint64_t pc, char *buf, size_t len)
{
	static const char stub[] = "__musa_entry_";	/* musa-cc's entry of a kernel */
	uint64_t link = pc - mod->bias;
	const struct musa_symbol *s = musa_elf_symbol_at(&mod->img, link);
	const char *name = s ? musa_symbol_name(&mod->img, s) : NULL;

	if (name && !strncmp(name, stub, sizeof(stub) - 1))
		name += sizeof(stub) - 1;
	if (s)
		snprintf(buf, len, "%s+0x%" PRIx64 " in %s", name, link - s->value, mod->name);
	else
		snprintf(buf, len, "%s+0x%" PRIx64, mod->name, link - mod->img.span_start);
}

/*
 * For a fault report: the name of the kernel whose descriptor is at @desc_va, and
 * where @pc is ("" if in no module). Takes only the module lock: callable while
 * the context's lock is held.
 */
void musa_module_describe(struct musa_ctx *ctx, uint64_t desc_va, uint64_t pc, char *kernel,
			  size_t klen, char *where, size_t wlen)
{
	snprintf(kernel, klen, "at descriptor 0x%" PRIx64, desc_va);
	snprintf(where, wlen, "%s", "");
	pthread_mutex_lock(&ctx->module_lock);
	musa_list_for_each(pos, &ctx->modules) {
		struct MUmod_st *mod = musa_container_of(pos, struct MUmod_st, link);

		for (size_t i = 0; i < mod->img.nkernels; i++)
			if (mod->funcs[i].desc_va == desc_va)
				snprintf(kernel, klen, "%s", mod->img.kernels[i].name);
		if (pc >= mod->va && pc - mod->va < mod->size)
			musa_module_where(mod, pc, where, wlen);
	}
	pthread_mutex_unlock(&ctx->module_lock);
}

/* The context goes: its modules' device memory goes with its allocations. */
void musa_modules_free(struct musa_ctx *ctx)
{
	pthread_mutex_lock(&ctx->module_lock);
	musa_list_for_each(pos, &ctx->modules) {
		musa_list_del(pos);
		musa_module_free(musa_container_of(pos, struct MUmod_st, link));
	}
	pthread_mutex_unlock(&ctx->module_lock);
}

/* ------------------------------------------------------- the driver API */

static const char *musa_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

MUSA_EXPORT MUresult muModuleLoad(MUmodule *module, const char *fname)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);
	size_t size = 0;
	void *data = NULL;

	if (!err && (!module || !fname))
		err = musa_fail(musaErrorInvalidValue, "muModuleLoad: %s is NULL",
				module ? "fname" : "module");
	if (!err)
		err = musa_read_file(fname, &data, &size);
	if (!err)
		err = musa_module_create(ctx, data, size, musa_basename(fname), module);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muModuleLoadData(MUmodule *module, const void *image)
{
	struct musa_ctx *ctx;
	musaError_t err = musa_drv_enter(&ctx);
	size_t size = 0;
	void *data = NULL;
	char name[32];

	if (!err && !module)
		err = musa_fail(musaErrorInvalidValue, "muModuleLoadData: module is NULL");
	if (!err)
		err = musa_elf_copy_in(image, &data, &size);
	snprintf(name, sizeof(name), "image@%p", image);
	if (!err)
		err = musa_module_create(ctx, data, size, name, module);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muModuleUnload(MUmodule hmod)
{
	struct musa_ctx *ctx;
	struct MUmod_st *mod;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err)
		err = musa_module_resolve(ctx, hmod, &mod);
	if (!err) {
		pthread_mutex_lock(&ctx->module_lock);
		musa_list_del(&mod->link);
		pthread_mutex_unlock(&ctx->module_lock);
		err = musa_mem_free_device(ctx, mod->va, true, "muModuleUnload");
		musa_module_free(mod);
	}
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muModuleGetFunction(MUfunction *hfunc, MUmodule hmod, const char *name)
{
	struct musa_ctx *ctx;
	struct MUmod_st *mod;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err && (!hfunc || !name))
		err = musa_fail(musaErrorInvalidValue, "muModuleGetFunction: %s is NULL",
				hfunc ? "name" : "hfunc");
	if (!err)
		err = musa_module_resolve(ctx, hmod, &mod);
	if (err)
		return musa_drv_return(err, __func__);
	for (size_t i = 0; i < mod->img.nkernels; i++) {
		if (!strcmp(mod->img.kernels[i].name, name)) {
			*hfunc = &mod->funcs[i];
			return musa_drv_return(musaSuccess, __func__);
		}
	}
	err = musa_fail(musaErrorSymbolNotFound, "module %s has no kernel named '%s' (%zu "
			"kernels; C++ names are mangled unless extern \"C\")", mod->name, name,
			mod->img.nkernels);
	return musa_drv_return(err, __func__);
}

MUSA_EXPORT MUresult muModuleGetGlobal(MUdeviceptr *dptr, size_t *bytes, MUmodule hmod,
				       const char *name)
{
	const struct musa_symbol *sym = NULL;
	struct musa_ctx *ctx;
	struct MUmod_st *mod;
	musaError_t err = musa_drv_enter(&ctx);

	if (!err && !name)
		err = musa_fail(musaErrorInvalidValue, "muModuleGetGlobal: name is NULL");
	if (!err)
		err = musa_module_resolve(ctx, hmod, &mod);
	if (!err) {
		sym = musa_elf_symbol(&mod->img, name, false);
		if (!sym)
			err = musa_fail(musaErrorSymbolNotFound, "module %s has no global variable "
					"named '%s'", mod->name, name);
	}
	if (!err && dptr)
		*dptr = mod->bias + sym->value;
	if (!err && bytes)
		*bytes = sym->size;
	return musa_drv_return(err, __func__);
}
