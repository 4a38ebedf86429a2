# build.mk - rules for build/vroot-loader, included by the top-level
# Makefile, which defines BUILD (default build/), CORE_OBJ (the core's
# objects, those of libvroot.a) and how they are compiled.
#
# The loader is a static-pie, freestanding program: no libc, its own
# _start (start.S) and self-relocation (reloc.c).  Everything is hidden so
# that globals are reached rip-relative before relocation has run.
#
# It links the core's objects as libvroot.a has them, not a build of its
# own: the core's system calls go through the hook the loader gives in the
# spec it unpacks (vrl_core_syscall(), tpage.c), which calls the trusted
# page's stub, so the seccomp filter lets them pass.

BUILD ?= build
LOADER_SRC := src/loader
LOADER_OBJDIR := $(BUILD)/loader
LOADER_C := main.c reloc.c rt.c tpage.c filter.c sigsys.c sigvirt.c uaccess.c \
	dispatch.c exec.c binfmt.c elf.c stack.c state.c selfexe.c vfs.c vfs_fd.c vfs_sock.c \
	stackpool.c ownfd.c rewrite.c stats.c vfs_ident.c vfs_mounts.c addrspace.c vmclone.c
LOADER_OBJS := $(addprefix $(LOADER_OBJDIR)/,$(LOADER_C:.c=.o) start.o sigentry.o rwentry.o) \
	$(CORE_OBJ)

# The handler runs on a slot of vroot's stack pool (stackpool.h, 128 KiB):
# no function of the loader or of the core may take more than
# LOADER_STACK_MAX bytes of stack, nor an unbounded amount (-Wstack-usage,
# an error with -Werror), and no path from the handler's entries more than
# LOADER_PATH_MAX: stack-budget.pl adds the frames up along the call graphs
# GCC writes (-fcallgraph-info), and the link fails over budget.  The rest
# of a slot holds the copied signal frame and the program's own handlers
# when a signal is forwarded.
LOADER_STACK_MAX := 16384
LOADER_PATH_MAX := 65536
LOADER_CALLGRAPH := $(shell d=$$(mktemp -d) && $(CC) -fcallgraph-info=su -x c -c /dev/null \
	-o $$d/probe.o 2>/dev/null && echo -fcallgraph-info=su; rm -rf "$$d")
LOADER_CFLAGS := -O2 -g -std=gnu11 -ffreestanding -fno-builtin -fno-stack-protector \
	-ffunction-sections -fPIE -fvisibility=hidden -fno-plt -fcf-protection=none -mno-red-zone \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wstack-usage=$(LOADER_STACK_MAX) $(LOADER_CALLGRAPH) -MMD -MP
LOADER_LDFLAGS := -nostdlib -static-pie -Wl,-z,noexecstack -Wl,--no-dynamic-linker \
	-Wl,-z,text -Wl,--build-id=none -Wl,-T,$(LOADER_OBJDIR)/hot.ld

# The functions of hot.txt first in the text, each in a section of its
# own (-ffunction-sections, the core's objects too): see hot.txt.  Before
# them, what a start runs before vrl_self_populate() has mapped the image
# in (reloc.c): near _start, the one page fault it takes for the text.
LOADER_START_FN := vrl_start_c vrl_tpage_map map_at put_vmclone vrl_self_populate populate \
	memset memcpy
$(LOADER_OBJDIR)/hot.ld: $(LOADER_SRC)/hot.txt $(LOADER_SRC)/build.mk
	@mkdir -p $(dir $@)
	{ echo 'SECTIONS {'; echo '  .text.hot : {'; \
	  echo '    *start.o(.text)$(foreach f,$(LOADER_START_FN), *(.text.$(f)))'; \
	  echo '    *rwentry.o(.text) *sigentry.o(.text)'; \
	  sed -n 's/^\([A-Za-z_][A-Za-z0-9_.]*\)$$/    *(.text.\1)/p' $<; \
	  echo '  }'; echo '} INSERT BEFORE .text;'; } >$@

# The call graphs: one per C object, made with it.
LOADER_CI := $(if $(LOADER_CALLGRAPH),$(patsubst %.o,%.ci,$(filter-out %/start.o %/sigentry.o \
	%/rwentry.o,$(LOADER_OBJS))))

$(BUILD)/vroot-loader: $(LOADER_OBJS) $(LOADER_CI) $(LOADER_SRC)/stack-budget.pl \
		$(LOADER_OBJDIR)/hot.ld
ifneq ($(LOADER_CALLGRAPH),)
	perl $(LOADER_SRC)/stack-budget.pl $(LOADER_PATH_MAX) $(LOADER_CI)
else
	@echo "note: the handler's stack budget is not checked: $(CC) has no -fcallgraph-info"
endif
	$(CC) $(filter-out -fcallgraph-info=su,$(LOADER_CFLAGS)) $(LOADER_LDFLAGS) -o $@ \
		$(LOADER_OBJS) -lgcc

# Either target names the object: the graph is written beside it.
$(LOADER_OBJDIR)/%.o $(LOADER_OBJDIR)/%.ci: $(LOADER_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LOADER_CFLAGS) -Iinclude -c -o $(basename $@).o $<

$(LOADER_OBJDIR)/%.o: $(LOADER_SRC)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(LOADER_CFLAGS) -I$(LOADER_SRC) -c -o $@ $<

-include $(LOADER_OBJS:.o=.d)
