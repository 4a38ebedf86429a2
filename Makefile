# vroot - GNU make only.  `make` builds into build/, `make check` runs every
# test through prove.

CC      ?= cc
BUILD   := build
PROVE   ?= prove

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wformat=2 -Wswitch-enum -Wundef -Wpointer-arith -Wvla
CFLAGS  ?= -O2 -g
# Where `make install` puts things; vroot looks for vroot-loader at
# $(LIBEXECDIR)/vroot when it is not beside it.
PREFIX     ?= /usr/local
LIBEXECDIR ?= $(PREFIX)/libexec
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude

# The core is freestanding: no libc calls, no stack protector (it may run
# before a program has TLS), hidden symbols except the VR_API ones.
CORE_CFLAGS = $(ALL_CFLAGS) -ffreestanding -fno-stack-protector -fvisibility=hidden -fPIC \
	      -ffunction-sections -Isrc/core -I$(BUILD)/gen
# It is compiled once: libvroot.a, libvroot.so and vroot-loader link the same
# objects (the loader reaches the kernel through the system-call hook, as
# any embedder may).  So the objects also carry what the loader's handler
# needs (src/loader/build.mk): no frame over LOADER_STACK_MAX bytes nor of
# unbounded size, and each object's call graph (X.ci beside X.o) for the
# check of the handler's whole paths.  The sanitizer build is for the
# unit tests only and is not checked so.
CORE_OBJ_CFLAGS = $(CORE_CFLAGS) -Wstack-usage=$(LOADER_STACK_MAX) $(LOADER_CALLGRAPH)
SAN_FLAGS   = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

CORE_SRC  := $(filter-out src/core/mem.c,$(wildcard src/core/*.c))
CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/%.o)
CORE_SAN  := $(CORE_SRC:%.c=$(BUILD)/san/%.o)
CLI_COMMON := $(BUILD)/src/cli/options.o
UNIT_SRC  := $(wildcard tests/unit/*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_SANB := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/san/%)
TEST_HELPERS := $(wildcard tests/helpers/*.c)

all: $(BUILD)/libvroot.a $(BUILD)/libvroot.so $(BUILD)/vroot-resolve $(BUILD)/vroot \
	$(BUILD)/vroot-loader $(BUILD)/examples/vrls

# The Unicode tables of src/core/fold.c: generated from libutf8proc by a
# program built and run on the build host (HOSTCC), never hand-edited.
HOSTCC     ?= cc
FOLD_TABLE := $(BUILD)/gen/fold_table.h
$(BUILD)/gen/foldgen: src/gen/foldgen.c
	@mkdir -p $(dir $@)
	@printf '#include <utf8proc.h>\n' | $(HOSTCC) -E -x c - >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "vroot: installing libutf8proc-dev (the Unicode data of the case-folding tables)"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q libutf8proc-dev >/dev/null || { \
			apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q libutf8proc-dev >/dev/null; } || { \
			echo "vroot: apt-get install libutf8proc-dev failed" >&2; exit 1; }; \
	else \
		echo "vroot's build needs libutf8proc (Debian: apt-get install libutf8proc-dev)" >&2; \
		exit 1; \
	fi
	$(HOSTCC) -O2 $(WARN) -o $@ $< -lutf8proc
$(FOLD_TABLE): $(BUILD)/gen/foldgen
	$(BUILD)/gen/foldgen >$@.new && mv $@.new $@
$(BUILD)/src/core/fold.o $(BUILD)/src/core/fold.ci $(BUILD)/san/src/core/fold.o: $(FOLD_TABLE)

# Either target names the object: the call graph is written beside it.
$(BUILD)/src/core/%.o $(BUILD)/src/core/%.ci: src/core/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_OBJ_CFLAGS) -MMD -MP -c -o $(basename $@).o $<

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/src/cli/%.o: src/cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/cli -I$(BUILD)/src/cli -MMD -MP -c -o $@ $<

# The install paths the cli is built with, rewritten only when they change
# (so a `make install PREFIX=...` rebuilds what uses them).
$(BUILD)/src/cli/paths.h: FORCE
	@mkdir -p $(dir $@)
	@printf '#define VR_LOADER_PATH "%s"\n' '$(LIBEXECDIR)/vroot/vroot-loader' >$@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi
$(BUILD)/src/cli/vroot.o: $(BUILD)/src/cli/paths.h

$(BUILD)/libvroot.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libvroot-san.a: $(CORE_SAN)
	rm -f $@ && ar rcs $@ $^

VR_VER := $(shell sed -n 's/^\#define VR_VERSION "\(.*\)"/\1/p' include/vroot.h)
VR_ABI := $(shell sed -n 's/^\#define VR_ABI \([0-9]*\)/\1/p' include/vroot.h)

$(BUILD)/libvroot.so: $(CORE_OBJ) $(BUILD)/src/core/mem.o
	$(CC) -shared -nostdlib -Wl,-z,defs -Wl,-z,now -Wl,-soname,libvroot.so.$(VR_ABI) -o $@ $^

$(BUILD)/vroot-resolve: $(BUILD)/src/cli/resolve.o $(CLI_COMMON) $(BUILD)/libvroot.a
	$(CC) $(CFLAGS) -o $@ $^

# Static (and position-independent): every `vroot run` starts without the
# dynamic linker's work, about 1 ms of CPU and 25 page faults on this kind
# of machine.
$(BUILD)/vroot: $(BUILD)/src/cli/vroot.o $(BUILD)/src/cli/state.o $(BUILD)/src/cli/kernel.o \
	$(BUILD)/src/cli/confine.o $(BUILD)/src/cli/stats.o $(BUILD)/src/cli/diff.o $(BUILD)/src/cli/export.o $(BUILD)/src/cli/layout.o $(BUILD)/src/cli/settings.o $(CLI_COMMON) $(BUILD)/libvroot.a
	$(CC) $(CFLAGS) -static-pie -o $@ $^

# The example embedder (examples/vrls.c), built as one outside the tree
# would build it: the public header and libvroot.a, nothing of src/.
$(BUILD)/examples/vrls: examples/vrls.c include/vroot.h $(BUILD)/libvroot.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libvroot.a -lpthread

# Unit tests: each links the core twice, plain and with ASan/UBSan.
# UNIT_LIBS: what one test links besides the core (fold checks the core's
# folding against libutf8proc's own, code point by code point).
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libvroot.a tests/helpers/tap.h $(TEST_HELPERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/helpers -o $@ $< $(TEST_HELPERS) $(BUILD)/libvroot.a \
		-lpthread $(UNIT_LIBS)

$(BUILD)/tests/san/%: tests/unit/%.c $(BUILD)/libvroot-san.a tests/helpers/tap.h $(TEST_HELPERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Itests/helpers -o $@ $< $(TEST_HELPERS) \
		$(BUILD)/libvroot-san.a -lpthread $(UNIT_LIBS)
$(BUILD)/tests/fold $(BUILD)/tests/san/fold: UNIT_LIBS = -lutf8proc

# The core linked into a program with no C library at all.
$(BUILD)/tests/freestanding: tests/freestanding/nostdlib.c $(CORE_OBJ) $(BUILD)/src/core/mem.o
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -fno-pie -no-pie -nostdlib -static -o $@ $^

TESTS = $(UNIT_BIN) $(UNIT_SANB) $(BUILD)/tests/freestanding
# deps.sh runs first: it installs what the tests use when it can (root,
# apt) and caches a Debian tree; tests whose tools are missing say so in a
# SKIP line.
SCRIPT_TESTS = tests/integration/deps.sh tests/loader/passthrough.sh \
	tests/loader/through-vroot.sh tests/loader/hot-text.sh $(wildcard tests/overlay/*.sh) \
	$(filter-out tests/integration/lib.sh tests/integration/deps.sh,$(wildcard tests/integration/*.sh))

# --failures --comments: a failing test's "not ok" lines and its diagnostics
# (want/got) are shown, not only its count of failed subtests.  deps.sh runs
# alone first (the others use what it installs); the rest run CHECK_JOBS at
# a time, one per processor by default (CHECK_JOBS=1: one at a time).
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
check: all $(TESTS)
	$(PROVE) --failures --comments --exec '' ./tests/integration/deps.sh
	$(PROVE) -j$(CHECK_JOBS) --failures --comments --exec '' \
		$(addprefix ./,$(filter-out tests/integration/deps.sh,$(SCRIPT_TESTS))) $(addprefix ./,$(TESTS))

# CPython's regression tests natively and through vroot (minutes, not
# seconds: apart from make check; CI runs both).
check-python: all
	$(PROVE) --exec '' ./tests/python/cpython-suite.sh

clean:
	rm -rf $(BUILD)

# `make install DESTDIR=/tmp/stage PREFIX=/usr` stages a package.  vroot
# finds vroot-loader beside itself, in ../libexec/vroot, or at
# $(LIBEXECDIR)/vroot, so a staged or moved tree works as it is.
INSTALLED = $(BINDIR)/vroot $(LIBEXECDIR)/vroot/vroot-loader $(LIBDIR)/libvroot.a \
	$(LIBDIR)/libvroot.so $(LIBDIR)/libvroot.so.$(VR_ABI) $(LIBDIR)/libvroot.so.$(VR_VER) \
	$(INCLUDEDIR)/vroot.h $(LIBDIR)/pkgconfig/vroot.pc \
	$(MANDIR)/man1/vroot.1 $(MANDIR)/man3/libvroot.3 $(BASHCOMPDIR)/vroot

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/vroot $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BUILD)/vroot $(DESTDIR)$(BINDIR)/vroot
	install -m 755 $(BUILD)/vroot-loader $(DESTDIR)$(LIBEXECDIR)/vroot/vroot-loader
	install -m 644 $(BUILD)/libvroot.a $(DESTDIR)$(LIBDIR)/libvroot.a
	install -m 755 $(BUILD)/libvroot.so $(DESTDIR)$(LIBDIR)/libvroot.so.$(VR_VER)
	ln -sf libvroot.so.$(VR_VER) $(DESTDIR)$(LIBDIR)/libvroot.so.$(VR_ABI)
	ln -sf libvroot.so.$(VR_ABI) $(DESTDIR)$(LIBDIR)/libvroot.so
	install -m 644 include/vroot.h $(DESTDIR)$(INCLUDEDIR)/vroot.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e "s|@VERSION@|$(VR_VER)|" \
		doc/vroot.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/vroot.pc
	install -m 644 doc/vroot.1 $(DESTDIR)$(MANDIR)/man1/vroot.1
	install -m 644 doc/libvroot.3 $(DESTDIR)$(MANDIR)/man3/libvroot.3
	install -m 644 contrib/vroot.bash-completion $(DESTDIR)$(BASHCOMPDIR)/vroot

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(LIBEXECDIR)/vroot 2>/dev/null

include src/loader/build.mk
include tests/fuzz/build.mk

FORCE:
.PHONY: all check check-python clean install uninstall FORCE
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
