# SPDX-License-Identifier: MIT
#
# The S5000 driver stack.
#
#   make                 user space, and musa.ko for every installed kernel with headers
#   make KDIR=DIR        ... musa.ko for the kernel tree in DIR only
#   make check           bootstrap, build, run every test (host and VM); ends "N passed, N failed"
#   make demo            boot a VM with an emulated S5000 and show what the guest sees
#   make install         PREFIX (default /usr/local) and DESTDIR honoured
#
# The top-level Kbuild also builds musa.ko on its own: make -C $KDIR M=$PWD modules

PREFIX    ?= /usr/local
DESTDIR   ?=
O         := build
MUSA_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/musa
export MUSA_CACHE

# Written by tools/bootstrap: MUSA_QEMU, MUSA_LIBVFIO_USER, MUSA_QEMU_VERSION.
-include $(MUSA_CACHE)/current.env

# Kernel releases to build musa.ko for, discovered now, each into $(O)/kmod/RELEASE.
ifdef KDIR
KRELEASES := $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
kdir_of    = $(KDIR)
else
KRELEASES := $(patsubst /lib/modules/%/build,%,$(wildcard /lib/modules/*/build))
kdir_of    = /lib/modules/$(1)/build
endif
KMOD_SOURCES := Kbuild kmod/conftest.sh $(filter-out kmod/musa_conftest.h,$(wildcard kmod/*.[ch])) $(wildcard uapi/*.h)
MODULES := $(foreach r,$(KRELEASES),$(O)/kmod/$(r)/musa.ko)

# kselftest harness headers come from Debian's linux-source-6.12 at build time.
LINUX_SOURCE_TARBALL ?= /usr/src/linux-source-6.12.tar.xz
KSFT := $(O)/ksft
SELFTESTS := $(patsubst selftests/%.c,$(O)/selftests/%,$(wildcard selftests/*_test.c))
# Tests that kill the emulator, each to be run alone in a VM of its own.
SOLO_SELFTESTS := $(patsubst selftests/%.c,$(O)/selftests/%,$(wildcard selftests/solo/*_test.c))
BENCH := $(O)/bench/musa_bench $(O)/bench/musa_rt_bench $(O)/bench/musa_compute_bench
# The host's side of tools/musa-bench: the scalar loop for qemu-riscv64, memcpy, OpenBLAS.
BENCH_HOST := $(O)/bench/spin_rv64 $(O)/bench/host_limits
LIBMUSA := $(O)/libmusa/libmusa.so.1
EXAMPLES := $(patsubst examples/%.c,$(O)/examples/%,$(wildcard examples/*.c))
# Their kernels, beside them, where each program looks for its own.
EXAMPLE_KERNELS := $(patsubst examples/%.mu,$(O)/examples/%.mubin,$(wildcard examples/*.mu))
MUSA_CC := tools/musa-cc
DEVICE_HEADERS := $(wildcard libmusa/device/include/*.h) uapi/s5000.h uapi/s5000_float.h
SMI := $(O)/tools/musa-smi

CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -std=gnu11

.PHONY: all modules user emu libmusa examples selftests smi check demo install lint clean FORCE

all: user modules

user: emu libmusa examples selftests smi

emu:
	$(MAKE) -C firmware-emu O=$(abspath $(O))/firmware-emu \
		LIBVFIO_USER=$(MUSA_LIBVFIO_USER)

modules: $(MODULES)

libmusa: $(LIBMUSA)

# libmusa/Makefile knows its sources; asking it costs nothing when all is current.
$(LIBMUSA): FORCE
	$(MAKE) -C libmusa O=$(abspath $(O))/libmusa

# Kbuild writes objects beside the sources, so each release gets a tree of links to
# the sources in its own output folder.
$(O)/kmod/%/musa.ko: FORCE
	@mkdir -p $(sort $(dir $(addprefix $(O)/kmod/$*/,$(KMOD_SOURCES))))
	@for f in $(KMOD_SOURCES); do ln -sf $(CURDIR)/$$f $(O)/kmod/$*/$$f; done
	$(MAKE) -C $(call kdir_of,$*) M=$(abspath $(O)/kmod/$*) modules

selftests: $(SELFTESTS) $(SOLO_SELFTESTS) $(BENCH) $(BENCH_HOST)

$(KSFT)/kselftest_harness.h:
	@test -r $(LINUX_SOURCE_TARBALL) || { echo "missing $(LINUX_SOURCE_TARBALL): run tools/bootstrap" >&2; exit 1; }
	@mkdir -p $(KSFT)
	tar -xJf $(LINUX_SOURCE_TARBALL) -C $(KSFT) --strip-components=4 --wildcards \
		'*/tools/testing/selftests/kselftest.h' '*/tools/testing/selftests/kselftest_harness.h'

$(O)/selftests/%: selftests/%.c selftests/musa_test.h $(KSFT)/kselftest_harness.h $(wildcard uapi/*.h)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -I$(KSFT) -Iuapi -Iselftests -o $@ $< -lpci

# Runtime tests use libmusa.so: from the build tree, or installed two levels up.
RT_TEST_DEPS := selftests/musa_rt_test.h selftests/musa_test.h $(KSFT)/kselftest_harness.h \
	$(LIBMUSA)
RT_TEST_CC = mkdir -p $(dir $@) && $(CC) -O2 -g -Wall -I$(KSFT) -Iuapi -Iselftests \
	-Ilibmusa/include -o $@ $< $(filter %.o,$^) -L$(O)/libmusa $(1) -lmusa \
	-Wl,-rpath,'$$ORIGIN/../libmusa:$$ORIGIN/../..' -pthread -lm

$(O)/selftests/musa_rt_%_test: selftests/musa_rt_%_test.c $(RT_TEST_DEPS)
	$(call RT_TEST_CC)

# Kernels of the guest tests, embedded in them (musa-cc --embed NAME_image), so that
# the tests need no files beside them. MUSA_CC_FLAGS_NAME: per-file options.
MUSA_CC_FLAGS_c_kernels := -x c
$(O)/selftests/kernels/%.o: selftests/kernels/%.mu $(wildcard selftests/kernels/*.h) \
		$(DEVICE_HEADERS) $(MUSA_CC)
	@mkdir -p $(dir $@)
	$(MUSA_CC) -O2 -I uapi $(MUSA_CC_FLAGS_$*) --embed $*_image -o $@ $<

$(O)/selftests/musa_module_test: selftests/musa_module_test.c $(RT_TEST_DEPS) \
		$(O)/selftests/kernels/module_kernels.o
	$(call RT_TEST_CC)

$(O)/selftests/musa_kernel_test: selftests/musa_kernel_test.c $(RT_TEST_DEPS) \
		$(addprefix $(O)/selftests/kernels/,kernels.o c_kernels.o faults.o fp8.o)
	$(call RT_TEST_CC)

# The reliability tests (docs/reliability.md): libmusa workloads running the kernels of
# selftests/kernels/reliability.mu. From selftests/solo/, libmusa is a folder further up.
RELIABILITY_DEPS := $(RT_TEST_DEPS) selftests/musa_reliability.h selftests/musa_workload.h \
	selftests/kernels/reliability.h $(O)/selftests/kernels/reliability.o
SOLO_RPATH := -Wl,-rpath,'$$ORIGIN/../../libmusa:$$ORIGIN/../../..'
$(addprefix $(O)/selftests/,musa_hostile_test musa_fault_injection_test musa_soak_test): \
		$(O)/selftests/%: selftests/%.c $(RELIABILITY_DEPS)
	$(call RT_TEST_CC)
$(O)/selftests/solo/musa_vanish_workload_test: selftests/solo/musa_vanish_workload_test.c \
		$(RELIABILITY_DEPS)
	$(call RT_TEST_CC,$(SOLO_RPATH))

# The device library (math, half, bfloat16, FP8) on the device, against the same
# header code built for the host; no FMA contraction on either side.
$(O)/selftests/musa_device_lib_test: selftests/musa_device_lib_test.c $(RT_TEST_DEPS) \
		$(O)/selftests/kernels/device_lib.o
	$(call RT_TEST_CC,-ffp-contract=off -Ilibmusa/device/include)

$(O)/selftests/musa_blas_test: selftests/musa_blas_test.c $(RT_TEST_DEPS) libmusa/include/mublas.h
	$(call RT_TEST_CC,-lmublas)

smi: $(SMI)

# musa-smi: libdrm for enumeration and the ioctls, libpci for PCI details.
$(SMI): tools/musa-smi.c $(wildcard uapi/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iuapi $$(pkg-config --cflags libdrm) -o $@ $< \
		$$(pkg-config --libs libdrm) -lpci

examples: $(EXAMPLES) $(EXAMPLE_KERNELS)

# CUDA-sample-style programs, run in the VM by selftests/musa_rt_examples_test;
# installed to PREFIX/lib/musa/examples.
EXAMPLE_CC = mkdir -p $(dir $@) && $(CC) -O2 -g -Wall -Ilibmusa/include -o $@ $< \
	-L$(O)/libmusa $(1) -lmusa \
	-Wl,-rpath,'$$ORIGIN/../libmusa:$$ORIGIN/../..' -pthread

$(O)/examples/%: examples/%.c $(LIBMUSA)
	$(call EXAMPLE_CC)

$(O)/examples/matrixMul: examples/matrixMul.c $(LIBMUSA)
	$(call EXAMPLE_CC,-lmublas)

$(O)/examples/%.mubin: examples/%.mu $(DEVICE_HEADERS) $(MUSA_CC)
	@mkdir -p $(dir $@)
	$(MUSA_CC) -O2 -o $@ $<

$(O)/bench/musa_rt_bench: bench/musa_rt_bench.c bench/bench.h $(O)/bench/kernels/compute_bench.o $(LIBMUSA)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Iuapi -Ilibmusa/include -o $@ $< $(O)/bench/kernels/compute_bench.o \
		-L$(O)/libmusa -lmusa -Wl,-rpath,'$$ORIGIN/../libmusa:$$ORIGIN/../lib' -pthread

$(O)/bench/kernels/compute_bench.o: bench/kernels/compute_bench.mu bench/kernels/spin.h \
		$(DEVICE_HEADERS) $(MUSA_CC)
	@mkdir -p $(dir $@)
	$(MUSA_CC) -O2 --embed compute_bench_image -o $@ $<

$(O)/bench/musa_compute_bench: bench/musa_compute_bench.c bench/bench.h $(O)/bench/kernels/compute_bench.o \
		$(LIBMUSA) libmusa/include/mublas.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Iuapi -Ilibmusa/include -o $@ $< $(O)/bench/kernels/compute_bench.o \
		-L$(O)/libmusa -lmublas -lmusa -Wl,-rpath,'$$ORIGIN/../libmusa:$$ORIGIN/../lib' -pthread

$(O)/bench/spin_rv64: bench/spin_rv64.c bench/kernels/spin.h
	@mkdir -p $(dir $@)
	clang --target=riscv64-unknown-linux-gnu -march=rv64imafd -mabi=lp64d -O2 -static \
		-nostdlib -fuse-ld=lld -o $@ $<

$(O)/bench/host_limits: bench/host_limits.c bench/bench.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -o $@ $< -lopenblas

$(O)/bench/%: bench/%.c selftests/musa_test.h $(wildcard uapi/*.h)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Iuapi -Iselftests -o $@ $<

check:
	tools/run-tests

# The kernel's own checks: checkpatch --strict (from Debian's linux-source-6.12),
# and W=1 with sparse on every file, for each installed kernel. The uapi headers the
# kernel includes are shared with user space, where BIT() does not exist
# (s5000_float.h is for user space and device code only).
CHECKPATCH := $(O)/linux-scripts/checkpatch.pl
$(CHECKPATCH):
	@mkdir -p $(O)/linux-scripts
	tar -xJf $(LINUX_SOURCE_TARBALL) -C $(O)/linux-scripts --strip-components=2 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'

lint: $(CHECKPATCH)
	perl $(CHECKPATCH) --no-tree --strict --terse -f kmod/*.c kmod/*.h
	perl $(CHECKPATCH) --no-tree --strict --terse --ignore BIT_MACRO -f uapi/s5000.h uapi/musa_drm.h
	for r in $(KRELEASES); do \
		$(MAKE) -C $(call kdir_of,$$r) M=$(abspath $(O)/kmod/$$r) W=1 C=2 modules || exit; done

demo:
	tools/bootstrap --quiet
	$(MAKE) all
	tools/musa-vm -- sh -c 'lspci -nn -d 1ed5:; dmesg | grep -E "\] musa[: ]"; \
		build/examples/deviceQuery && build/examples/bandwidthTest --size=16 && \
		build/examples/vectorAdd && build/examples/matrixMul'

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/musa/selftests \
		$(DESTDIR)$(PREFIX)/include
	install -m 755 tools/musa-vm tools/musa-cc $(O)/firmware-emu/s5000-emu $(DESTDIR)$(PREFIX)/bin/
	install -m 755 tools/musa-vm-init $(DESTDIR)$(PREFIX)/lib/musa/
	install -m 755 $(SELFTESTS) selftests/run-in-guest $(DESTDIR)$(PREFIX)/lib/musa/selftests/
	install -D -m 755 -t $(DESTDIR)$(PREFIX)/lib/musa/selftests/solo $(SOLO_SELFTESTS)
	install -m 755 $(BENCH) $(SMI) $(DESTDIR)$(PREFIX)/bin/
	install -D -m 644 -t $(DESTDIR)$(PREFIX)/include uapi/s5000.h uapi/s5000_float.h \
		uapi/musa_drm.h
	install -D -m 644 -t $(DESTDIR)$(PREFIX)/include/musa/device libmusa/device/include/*.h
	install -D -m 644 -t $(DESTDIR)$(PREFIX)/include/musa/device/freestanding/linux \
		libmusa/device/include/freestanding/linux/types.h
	$(MAKE) -C libmusa install O=$(abspath $(O))/libmusa PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -D -m 755 -t $(DESTDIR)$(PREFIX)/lib/musa/examples $(EXAMPLES)
	install -m 644 -t $(DESTDIR)$(PREFIX)/lib/musa/examples $(EXAMPLE_KERNELS)
	for r in $(KRELEASES); do \
		install -D -m 644 $(O)/kmod/$$r/musa.ko \
			$(DESTDIR)$(PREFIX)/lib/musa/modules/$$r/musa.ko; done

clean:
	rm -rf $(O)
	rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers kmod/*.o kmod/.*.cmd
