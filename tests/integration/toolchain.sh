#!/bin/sh
# toolchain.sh - gcc and make build a small generated C project inside the
# namespace (in a directory made inside, and in a read-write --mount);
# make's timestamps work (nothing rebuilt twice, a touched header rebuilds
# its users); go build works; git init, add, commit, log, clone, fsck work
# inside.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc make
plan 20

# The project: N modules, a shared header, a Makefile with dependency files.
S=$tmp/src
mkdir -p "$S/lib"
cat >"$S/lib/common.h" <<'EOF'
#define SCALE 3
int mod0(int), mod1(int), mod2(int), mod3(int);
EOF
for i in 0 1 2 3; do
	printf '#include "lib/common.h"\nint mod%s(int x) { return x * SCALE + %s; }\n' "$i" "$i" >"$S/mod$i.c"
done
cat >"$S/main.c" <<'EOF'
#include <stdio.h>
#include "lib/common.h"
int main(void)
{
	printf("%d %d %d %d\n", mod0(1), mod1(2), mod2(3), mod3(4));
	return 0;
}
EOF
printf 'int unused(void) { return 0; }\n' >"$S/other.c"
cat >"$S/Makefile" <<'EOF'
OBJ = main.o mod0.o mod1.o mod2.o mod3.o other.o
prog: $(OBJ)
	$(CC) -o $@ $(OBJ)
%.o: %.c
	$(CC) -O1 -MMD -MP -c -o $@ $<
-include $(OBJ:.o=.d)
EOF
want="3 7 11 15"
want2="4 9 14 19"

# build DIR MOUNTOPTS...: the checks of one build, in DIR inside.
build() {
	dir=$1
	shift
	capture b1 vr "$@" -- sh -c "cp -r '$S/.' '$dir' && cd '$dir' && make -j2 CC=gcc && ./prog"
	is "make -j2 in $dir, run the program" "$want" "$(tail -n 1 "$tmp/b1.out")"
	[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/b1.err"
	capture b2 vr "$@" --cwd "$dir" -- make CC=gcc
	is "... make again: nothing to do" "make: 'prog' is up to date." "$(cat "$tmp/b2.out")"
	capture b3 vr "$@" --cwd "$dir" -- sh -c 'sleep 1; sed -i "s/SCALE 3/SCALE 4/" lib/common.h && make CC=gcc && ./prog'
	is "... the header changed: the program changes" "$want2" "$(tail -n 1 "$tmp/b3.out")"
	is "... and other.c alone is not rebuilt" "0" "$(grep -c -- '-c -o other\.o' "$tmp/b3.out" || true)"
	is "... the .d files name the header by its virtual path" "$dir/mod0.o: $dir/mod0.c $dir/lib/common.h" \
		"$(vr "$@" --cwd "$dir" -- sh -c "gcc -MM -MT $dir/mod0.o $dir/mod0.c" 2>&1)"
}
build /vroot-build
mkdir "$tmp/rw"
build /srv/rw --mount "$tmp/rw:/srv/rw"
# The read-write mount holds the build on the host; the binary runs natively.
is "the build in the rw mount is on the host, runs natively" "$want2" "$("$tmp/rw/prog" 2>&1)"
check "the build in a dir made inside is in the prefix" test -x "$tmp/prefix/vroot-build/prog"

# --- go build ----------------------------------------------------------------
if have go; then
	printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("built inside") }\n' >"$tmp/hello.go"
	capture gob vr -- sh -c "mkdir /vroot-go && cp '$tmp/hello.go' /vroot-go/ && cd /vroot-go &&
		GOCACHE=/vroot-go/cache GOPATH=/vroot-go/path GOFLAGS=-mod=mod GOTOOLCHAIN=local \
		go build -o hello hello.go && ./hello"
	is "go build inside, in a dir made inside; the program runs" "0 built inside" \
		"$rc $(cat "$tmp/gob.out" "$tmp/gob.err")"
else
	skip "go build inside" "$why"
fi

# --- git ---------------------------------------------------------------------
if have git; then
	g='git -c user.name=Tester -c user.email=t@example.invalid -c init.defaultBranch=main'
	capture git vr -- sh -c "
		mkdir /vroot-repo && cd /vroot-repo && $g init -q &&
		echo one > file && mkdir sub && echo two > sub/f && ln -s file link &&
		$g add -A && $g commit -q -m first &&
		echo three >> file && $g commit -q -a -m second &&
		$g log --format=%s && $g rev-parse --show-toplevel && $g status --porcelain"
	is "git init, commit, log: the commits" "second
first
/vroot-repo" "$(cat "$tmp/git.out")"
	is "... status 0, nothing on stderr" "0 " "$rc $(cat "$tmp/git.err")"
	capture fsck vr --cwd /vroot-repo -- sh -c "$g fsck --strict"
	is "git fsck" "0" "$rc"
	is "git show of the first commit's file" "one" \
		"$(vr --cwd /vroot-repo -- sh -c "$g show HEAD~1:file" 2>&1)"
	capture clone vr -- sh -c "$g clone -q /vroot-repo /vroot-clone && cd /vroot-clone && $g log --format=%s && cat file sub/f && readlink link"
	is "git clone (hard links objects) and log" "second
first
one
three
two
file" "$(cat "$tmp/clone.out")"
	capture gitrw vr --mount "$tmp/rw:/srv/rw" --cwd /srv/rw -- sh -c "$g init -q && $g add -A && $g commit -q -m inmount"
	is "git commit in a rw mount: the host's git sees it" "inmount" \
		"$(cd "$tmp/rw" && git log --format=%s 2>&1)"
	check "the repository made inside is in the prefix" test -d "$tmp/prefix/vroot-repo/.git/objects"
else
	skip_n 7 "$why"
fi
done_testing
