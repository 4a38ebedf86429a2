# build.mk - libFuzzer targets (included by the top-level Makefile).
#
#     make fuzz                  build/fuzz/walk_fuzz, build/fuzz/readdir_fuzz
#     tests/fuzz/run.sh SECONDS  a long run of each, with the corpus
#
# They need clang and its fuzzer runtime (Debian: clang, libclang-rt-14-dev;
# tests/integration/deps.sh installs them as root).  The core is built
# again with clang, instrumented for coverage and with ASan/UBSan.  Not
# -Werror: the core is checked with the project's warnings by the main
# build, and a warning only clang has must not stop a fuzzing run.

FUZZ_CC    ?= clang
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CORE  := $(CORE_SRC:src/core/%.c=$(BUILD)/fuzz/core/%.o)
FUZZ_BIN   := $(BUILD)/fuzz/walk_fuzz $(BUILD)/fuzz/readdir_fuzz

$(BUILD)/fuzz/core/%.o: src/core/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -O1 -g -Wall -Iinclude -Isrc/core -I$(BUILD)/gen \
		-ffreestanding \
		-fno-stack-protector -fvisibility=hidden $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
		-MMD -MP -c -o $@ $<
$(BUILD)/fuzz/core/fold.o: $(FOLD_TABLE)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_CORE)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Iinclude $(FUZZ_SAN) \
		-fsanitize=fuzzer -o $@ $< $(FUZZ_CORE)

fuzz: $(FUZZ_BIN)

.PHONY: fuzz
