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
BENCH := $(O)/bench/musa_bench $(O)/bench/musa_rt_bench
LIBMUSA := $(O)/libmusa/libmusa.so.1
EXAMPLES := $(patsubst examples/%.c,$(O)/examples/%,$(wildcard examples/*.c))
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

selftests: $(SELFTESTS) $(SOLO_SELFTESTS) $(BENCH)

$(KSFT)/kselftest_harness.h:
	@test -r $(LINUX_SOURCE_TARBALL) || { echo "missing $(LINUX_SOURCE_TARBALL): run tools/bootstrap" >&2; exit 1; }
	@mkdir -p $(KSFT)
	tar -xJf $(LINUX_SOURCE_TARBALL) -C $(KSFT) --strip-components=4 --wildcards \
		'*/tools/testing/selftests/kselftest.h' '*/tools/testing/selftests/kselftest_harness.h'

$(O)/selftests/%: selftests/%.c selftests/musa_test.h $(KSFT)/kselftest_harness.h $(wildcard uapi/*.h)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -I$(KSFT) -Iuapi -Iselftests -o $@ $< -lpci

# Runtime tests use libmusa.so: from the build tree, or installed two levels up.
$(O)/selftests/musa_rt_%_test: selftests/musa_rt_%_test.c selftests/musa_rt_test.h \
		selftests/musa_test.h $(KSFT)/kselftest_harness.h $(LIBMUSA)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -I$(KSFT) -Iuapi -Iselftests -Ilibmusa/include -o $@ $< \
		-L$(O)/libmusa -lmusa -Wl,-rpath,'$$ORIGIN/../libmusa:$$ORIGIN/../..' -pthread

smi: $(SMI)

# musa-smi: libdrm for enumeration and the ioctls, libpci for PCI details.
$(SMI): tools/musa-smi.c $(wildcard uapi/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iuapi $$(pkg-config --cflags libdrm) -o $@ $< \
		$$(pkg-config --libs libdrm) -lpci

examples: $(EXAMPLES)

# CUDA-sample-style programs, run in the VM by selftests/musa_rt_examples_test;
# installed to PREFIX/lib/musa/examples.
$(O)/examples/%: examples/%.c $(LIBMUSA)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Ilibmusa/include -o $@ $< \
		-L$(O)/libmusa -lmusa -Wl,-rpath,'$$ORIGIN/../libmusa:$$ORIGIN/../..' -pthread

$(O)/bench/musa_rt_bench: bench/musa_rt_bench.c selftests/musa_test.h $(LIBMUSA)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Iuapi -Iselftests -Ilibmusa/include -o $@ $< \
		-L$(O)/libmusa -lmusa -Wl,-rpath,'$$ORIGIN/../libmusa:$$ORIGIN/../lib' -pthread

$(O)/bench/%: bench/%.c selftests/musa_test.h $(wildcard uapi/*.h)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Iuapi -Iselftests -o $@ $<

check:
	tools/run-tests

# The kernel's own checks: checkpatch --strict (from Debian's linux-source-6.12),
# and W=1 with sparse on every file, for each installed kernel. The uapi headers are
# shared with user space, where BIT() does not exist.
CHECKPATCH := $(O)/linux-scripts/checkpatch.pl
$(CHECKPATCH):
	@mkdir -p $(O)/linux-scripts
	tar -xJf $(LINUX_SOURCE_TARBALL) -C $(O)/linux-scripts --strip-components=2 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'

lint: $(CHECKPATCH)
	perl $(CHECKPATCH) --no-tree --strict --terse -f kmod/*.c kmod/*.h
	perl $(CHECKPATCH) --no-tree --strict --terse --ignore BIT_MACRO -f uapi/*.h
	for r in $(KRELEASES); do \
		$(MAKE) -C $(call kdir_of,$$r) M=$(abspath $(O)/kmod/$$r) W=1 C=2 modules || exit; done

demo:
	tools/bootstrap --quiet
	$(MAKE) all
	tools/musa-vm -- sh -c 'lspci -nn -d 1ed5:; dmesg | grep -E "\] musa[: ]"; \
		build/examples/deviceQuery && build/examples/bandwidthTest --size=16'

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/musa/selftests \
		$(DESTDIR)$(PREFIX)/include
	install -m 755 tools/musa-vm $(O)/firmware-emu/s5000-emu $(DESTDIR)$(PREFIX)/bin/
	install -m 755 tools/musa-vm-init $(DESTDIR)$(PREFIX)/lib/musa/
	install -m 755 $(SELFTESTS) selftests/run-in-guest $(DESTDIR)$(PREFIX)/lib/musa/selftests/
	install -D -m 755 -t $(DESTDIR)$(PREFIX)/lib/musa/selftests/solo $(SOLO_SELFTESTS)
	install -m 755 $(BENCH) $(SMI) $(DESTDIR)$(PREFIX)/bin/
	install -D -m 644 -t $(DESTDIR)$(PREFIX)/include uapi/s5000.h uapi/musa_drm.h
	$(MAKE) -C libmusa install O=$(abspath $(O))/libmusa PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -D -m 755 -t $(DESTDIR)$(PREFIX)/lib/musa/examples $(EXAMPLES)
	for r in $(KRELEASES); do \
		install -D -m 644 $(O)/kmod/$$r/musa.ko \
			$(DESTDIR)$(PREFIX)/lib/musa/modules/$$r/musa.ko; done

clean:
	rm -rf $(O)
	rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers kmod/*.o kmod/.*.cmd
