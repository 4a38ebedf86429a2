#!/bin/sh
# static-binaries.sh - programs without glibc's ld.so run in the namespace
# like dynamic ones: busybox-static (alone in a --base, nothing of the host),
# musl (static, alone in a --base; and dynamic, with musl's ld.so found in
# the namespace), Go (CGO_ENABLED=0 static, and the default build, here
# linked against libc through cgo).  Each sees the virtual tree: its own
# /proc/self/exe, getcwd after a chdir through a symlink, a mounted file,
# a directory listing, readlink, realpath, a file it writes, a child it
# starts, and its exit status.
set -eu
. "$(dirname "$0")/lib.sh"
plan 15

T=$tmp/tree
mktree "$T" /virt
B=$tmp/base
mkdir -p "$B/opt/bin" "$B/bin"

# What every probe program must print, run as /opt/bin/NAME with the tree
# mounted at /virt and a child /bin/child (static busybox, or the host's sh).
expect() {
	cat <<EOF
exe /opt/bin/$1
cwd /virt/x
file alpha
size 70000
list b f1 hard rel self
readlink /virt/a/b
realpath /virt/a
wrote written
child ok
EOF
}

cat >"$tmp/probe.c" <<'EOF'
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char buf[PATH_MAX], *names[64];
	ssize_t n;
	int fd, k = 0;
	struct stat st;
	DIR *d;
	struct dirent *e;
	FILE *f;

	(void)argc;
	n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("exe %s\n", buf);
	if (chdir("/virt/a/b/up") == 0 && getcwd(buf, sizeof buf))
		printf("cwd %s\n", buf);
	fd = open("/virt/a/f1", O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : 0;
	buf[n > 0 ? n - 1 : 0] = 0;
	printf("file %s\n", buf);
	if (stat("y/big", &st) == 0)
		printf("size %lld\n", (long long)st.st_size);
	if ((d = opendir("/virt/a"))) {
		while ((e = readdir(d)) && k < 64)
			if (e->d_name[0] != '.')
				names[k++] = strdup(e->d_name);
		closedir(d);
	}
	qsort(names, k, sizeof *names, cmp);
	printf("list");
	for (int i = 0; i < k; i++)
		printf(" %s", names[i]);
	printf("\n");
	n = readlink("/virt/abs-dir", buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("readlink %s\n", buf);
	printf("realpath %s\n", realpath("/virt/abs-dir/up/../a", buf) ? buf : "?");
	if ((f = fopen("/vroot-probe-out", "w"))) {
		fputs("written", f);
		fclose(f);
	}
	if ((f = fopen("/vroot-probe-out", "r")) && fgets(buf, sizeof buf, f))
		printf("wrote %s\n", buf);
	fflush(stdout);
	if (fork() == 0) {
		execl("/bin/child", "sh", "-c", "echo child ok", (char *)0);
		_exit(99);
	}
	wait(&k);
	return argv[1] ? atoi(argv[1]) : 0;
}
EOF

cat >"$tmp/probe.go" <<'EOF'
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
)

func main() {
	exe, _ := os.Executable()
	fmt.Println("exe", exe)
	os.Chdir("/virt/a/b/up")
	os.Setenv("PWD", "")
	cwd, _ := os.Getwd()
	fmt.Println("cwd", cwd)
	b, _ := os.ReadFile("/virt/a/f1")
	fmt.Println("file", string(b[:len(b)-1]))
	st, _ := os.Stat("y/big")
	fmt.Println("size", st.Size())
	ents, _ := os.ReadDir("/virt/a")
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	fmt.Print("list")
	for _, n := range names {
		fmt.Print(" ", n)
	}
	fmt.Println()
	l, _ := os.Readlink("/virt/abs-dir")
	fmt.Println("readlink", l)
	r, _ := filepath.EvalSymlinks("/virt/abs-dir/up/../a")
	fmt.Println("realpath", r)
	os.WriteFile("/vroot-probe-out", []byte("written"), 0644)
	w, _ := os.ReadFile("/vroot-probe-out")
	fmt.Println("wrote", string(w))
	cmd := exec.Command("/bin/child", "-c", "echo child ok")
	cmd.Args[0] = "sh"
	out, _ := cmd.Output()
	fmt.Print(string(out))
	if len(os.Args) > 2 {
		u, err := user.Current()
		fmt.Fprintln(os.Stderr, "user", u != nil && err == nil)
	}
	code := 0
	if len(os.Args) > 1 {
		code, _ = strconv.Atoi(os.Args[1])
	}
	os.Exit(code)
}
EOF

# probe NAME DESC OPTIONS...: /opt/bin/NAME prints what expect NAME says and
# exits with the status it is given.
probe() {
	name=$1 desc=$2
	shift 2
	capture "$name" vr "$@" --mount "$T:/virt" -- "/opt/bin/$name" 7
	expect "$name" >"$tmp/$name.want"
	is_file "$desc: sees the virtual tree" "$tmp/$name.want" "$tmp/$name.out"
	is "$desc: exit status 7, nothing on stderr" "7 " "$rc $(cat "$tmp/$name.err")"
}

# --- busybox-static ----------------------------------------------------------
bb=
for c in /bin/busybox /usr/bin/busybox; do
	if [ -x "$c" ] && file -L "$c" 2>/dev/null | grep -q 'statically linked'; then bb=$c; fi
done
if [ -n "$bb" ]; then
	BB=$tmp/bbroot
	mkdir -p "$BB/bin"
	cp "$bb" "$BB/bin/busybox"
	for a in sh ls cat find readlink realpath stat sort wc tar mkdir pwd; do
		ln -s busybox "$BB/bin/$a"
	done
	script='cd /virt/a/b/up && pwd && pwd -P && cat /virt/a/f1 &&
		ls /virt/a | sort | tr "\n" " " && echo && find /virt/x | sort | tr "\n" " " && echo &&
		readlink /virt/abs-dir && realpath /virt/abs-dir/up/../a && stat -c "%s %a" /virt/x/y/big &&
		mkdir -p /made/here && echo made > /made/here/f && cat /made/here/f &&
		tar -cf - -C /virt a | tar -tf - | sort | tr "\n" " " && echo && ls / | tr "\n" " " && echo'
	capture bbs vr --base "$BB" --mount "$T:/virt" -- /bin/sh -c "$script"
	cat >"$tmp/bbs.want" <<'EOF'
/virt/a/b/up
/virt/x
alpha
b f1 hard rel self 
/virt/x /virt/x/abs-file /virt/x/dotdot /virt/x/loop1 /virt/x/loop2 /virt/x/root /virt/x/script /virt/x/y /virt/x/y/big 
/virt/a/b
/virt/a
70000 644
made
a/ a/b/ a/b/c/ a/b/c/zero a/b/f2 a/b/up a/f1 a/hard a/rel a/self 
bin dev made proc sys virt 
EOF
	is_file "busybox sh alone in a --base: cd, pwd, ls, find, tar, mkdir" "$tmp/bbs.want" "$tmp/bbs.out"
	is "... status 0, nothing on stderr" "0 " "$rc $(cat "$tmp/bbs.err")"
	cp "$bb" "$B/bin/child"
	is "busybox: exit 42" "42" "$(vr --base "$BB" -- /bin/sh -c 'exit 42' >/dev/null 2>&1 || echo $?)"
	is "busybox: kill -TERM \$\$" "143" \
		"$(vr --base "$BB" -- /bin/sh -c 'kill -TERM $$' >/dev/null 2>&1 || echo $?)"
else
	skip_n 4 "no static busybox (busybox-static not installed)"
	cp /bin/sh "$B/bin/child"
fi

# --- musl --------------------------------------------------------------------
if have musl-gcc; then
	musl-gcc -static -O1 -o "$B/opt/bin/musl-static" "$tmp/probe.c"
	musl-gcc -O1 -o "$B/opt/bin/musl-dynamic" "$tmp/probe.c"
	is "musl-gcc without -static: a dynamic executable" "yes" \
		"$(file "$B/opt/bin/musl-dynamic" | grep -q 'dynamically linked' && echo yes || echo no)"
	# Static musl alone in a base: nothing of the host's tree.
	probe musl-static "static musl alone in a --base" --base "$B"
	probe musl-dynamic "dynamic musl (its ld.so from the namespace)" --base "$B" --base /
else
	skip_n 5 "$why (musl-tools)"
fi

# --- Go ----------------------------------------------------------------------
if have go; then
	export GOCACHE="$tmp/gocache" GOPATH="$tmp/gopath" GOFLAGS=-mod=mod GOTOOLCHAIN=local
	(cd "$tmp" && CGO_ENABLED=0 go build -o "$B/opt/bin/go-static" probe.go)
	(cd "$tmp" && go build -o "$B/opt/bin/go-default" probe.go)
	is "Go, CGO_ENABLED=0: static" "yes" \
		"$(file "$B/opt/bin/go-static" | grep -q 'statically linked' && echo yes || echo no)"
	probe go-static "Go, CGO_ENABLED=0, alone in a --base" --base "$B"
	if file "$B/opt/bin/go-default" | grep -q 'dynamically linked'; then
		probe go-default "Go, default build (cgo, dynamic)" --base "$B" --base /
	else
		probe go-default "Go, default build (static here)" --base "$B" --base /
	fi
	capture gouser vr --base "$B" --base / --mount "$T:/virt" -- /opt/bin/go-default 0 user
	is "Go, default build: os/user through libc" "user true" "$(cat "$tmp/gouser.err")"
else
	skip_n 6 "$why (golang-go)"
fi
done_testing
