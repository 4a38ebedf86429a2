# vroot - GNU make only.  `make` builds into build/, `make check` runs every
# test through prove.

CC      ?= cc
BUILD   := build
PROVE   ?= prove

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wformat=2 -Wswitch-enum -Wundef -Wpointer-arith -Wvla
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude

# The core is freestanding: no libc calls, no stack protector (it may run
# before a program has TLS), hidden symbols except the VR_API ones.
CORE_CFLAGS = $(ALL_CFLAGS) -ffreestanding -fno-stack-protector -fvisibility=hidden -fPIC \
	      -Isrc/core
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
	$(BUILD)/vroot-loader

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/src/cli/%.o: src/cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/cli -MMD -MP -c -o $@ $<

$(BUILD)/libvroot.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libvroot-san.a: $(CORE_SAN)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libvroot.so: $(CORE_OBJ) $(BUILD)/src/core/mem.o
	$(CC) -shared -nostdlib -Wl,-z,defs -Wl,-z,now -o $@ $^

$(BUILD)/vroot-resolve: $(BUILD)/src/cli/resolve.o $(CLI_COMMON) $(BUILD)/libvroot.a
	$(CC) $(CFLAGS) -o $@ $^

$(BUILD)/vroot: $(BUILD)/src/cli/vroot.o $(BUILD)/src/cli/state.o $(BUILD)/src/cli/kernel.o \
	$(BUILD)/src/cli/confine.o $(BUILD)/src/cli/stats.o $(CLI_COMMON) $(BUILD)/libvroot.a
	$(CC) $(CFLAGS) -o $@ $^

# Unit tests: each links the core twice, plain and with ASan/UBSan.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libvroot.a tests/helpers/tap.h $(TEST_HELPERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/helpers -o $@ $< $(TEST_HELPERS) $(BUILD)/libvroot.a -lpthread

$(BUILD)/tests/san/%: tests/unit/%.c $(BUILD)/libvroot-san.a tests/helpers/tap.h $(TEST_HELPERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Itests/helpers -o $@ $< $(TEST_HELPERS) \
		$(BUILD)/libvroot-san.a -lpthread

# The core linked into a program with no C library at all.
$(BUILD)/tests/freestanding: tests/freestanding/nostdlib.c $(CORE_OBJ) $(BUILD)/src/core/mem.o
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -fno-pie -no-pie -nostdlib -static -o $@ $^

TESTS = $(UNIT_BIN) $(UNIT_SANB) $(BUILD)/tests/freestanding
# deps.sh runs first: it installs what the tests use when it can (root,
# apt) and caches a Debian tree; tests whose tools are missing say so in a
# SKIP line.
SCRIPT_TESTS = tests/integration/deps.sh tests/loader/passthrough.sh \
	tests/loader/through-vroot.sh $(wildcard tests/overlay/*.sh) \
	$(filter-out tests/integration/lib.sh tests/integration/deps.sh,$(wildcard tests/integration/*.sh))

check: all $(TESTS)
	$(PROVE) --exec '' $(addprefix ./,$(SCRIPT_TESTS)) $(addprefix ./,$(TESTS))

clean:
	rm -rf $(BUILD)

include src/loader/build.mk
include tests/fuzz/build.mk

.PHONY: all check clean
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
