#!/bin/sh
# passthrough.sh - programs run through build/vroot-loader with the
# pass-through dispatcher must behave exactly as natively; the traps must
# really happen (the --fake-cwd debug hook), also in exec'd descendants.
#
# Usage: tests/loader/passthrough.sh   (from the top of the tree, after
# building build/vroot-loader).  TAP output.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
L="$top/build/vroot-loader"
H="$top/build/tests/loader"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# VROOT_RUN=1: the same programs through `vroot run` (namespace over /, a
# fresh prefix) instead of the bare loader; they must still behave natively.
if [ "${VROOT_RUN:-}" = 1 ]; then
	printf '#!/bin/sh\nexec "%s/build/vroot" run --prefix "%s/prefix" --mount "%s:%s" -- "$@"\n' "$top" "$tmp" "$tmp" "$tmp" \
		>"$tmp/run"
	chmod +x "$tmp/run"
	L="$tmp/run"
fi
# loader_only DESC: a test of the bare loader's debug options.
loader_only() { [ "${VROOT_RUN:-}" = 1 ] && skip "$1" "loader debug options, not vroot run"; }
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	sed 's/^/# /' "$tmp/diag" 2>/dev/null || true
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# same DESC CMD...: output and status under the loader equal native.
same() {
	desc=$1; shift
	set +e
	"$@" >"$tmp/native" 2>&1; ns=$?
	"$L" "$@" >"$tmp/vroot" 2>&1; vs=$?
	set -e
	if [ "$ns" = "$vs" ] && cmp -s "$tmp/native" "$tmp/vroot"; then
		ok "$desc"
	else
		{ echo "native status $ns, vroot status $vs"; diff "$tmp/native" "$tmp/vroot"; } >"$tmp/diag" 2>&1 || true
		not_ok "$desc"
	fi
}

# expect DESC EXPECTED CMD...: output under the loader is EXPECTED.
expect() {
	desc=$1; want=$2; shift 2
	got=$("$L" "$@" 2>&1) || true
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		printf 'want: %s\ngot:  %s\n' "$want" "$got" >"$tmp/diag"
		not_ok "$desc"
	fi
}

build_helpers() {
	mkdir -p "$H"
	for h in own_seccomp threads statloop recvloop spawn fifo_signal recv_signal; do
		gcc -O2 -o "$H/$h" "$top/tests/loader/helpers/$h.c" -lpthread
	done
	if command -v musl-gcc >/dev/null; then
		musl-gcc -static -O2 -o "$H/spawn-musl" "$top/tests/loader/helpers/spawn.c"
		musl-gcc -static -O2 -o "$H/statloop-musl" "$top/tests/loader/helpers/statloop.c"
	fi
	if command -v go >/dev/null; then
		(cd "$top/tests/loader/helpers" && GOFLAGS=-mod=mod GOTOOLCHAIN=local \
			CGO_ENABLED=0 GOCACHE="$tmp/gocache" GOPATH="$tmp/gopath" \
			go build -o "$H/hello-go" hello.go)
	fi
}

echo "1..30"
build_helpers
# The loader takes a path, not a command name: PATH search is the cli's job.
py=$(command -v python3)

# glibc dynamic programs
same "true" /bin/true
same "false keeps its status" /bin/false
same "sh: echo and a pipe" /bin/sh -c 'echo hi; ls / | head -3'
same "bash: subshell, command substitution, pipe" /bin/bash -c \
	'x=$(echo sub | tr a-z A-Z); (cd / && echo "$x $(pwd)") | cat; echo $((6 * 7))'
same "python3 -c" "$py" -c 'import os, sys; print(sys.argv, os.getcwd(), len(os.listdir("/")))'
same "fork and exec: sh -c 'sh -c ...'" /bin/sh -c 'sh -c "echo nested; exit 3"'
same "environment unchanged, also after exec" /bin/sh -c 'env | sort; /usr/bin/env | sort'
same "env -i then exec" /usr/bin/env -i /bin/sh -c '/usr/bin/env'
same "argv[0] and argc as given" /bin/sh -c 'exec -a custom-name /bin/bash -c "echo \$0 \$#" a b'

printf '#!/bin/sh -e\necho "script: $0 $*"\n' >"$tmp/s1"
printf '#!%s\n' "$tmp/s1" >"$tmp/s2"
printf 'echo "no shebang: $0"\n' >"$tmp/s3"
printf 'not executable\n' >"$tmp/s4"
chmod +x "$tmp/s1" "$tmp/s2" "$tmp/s3"
same "#! script with an argument" "$tmp/s1" a b
same "nested #! scripts" "$tmp/s2" x
same "exec errors: missing, not executable, no #! (ENOEXEC)" /bin/sh -c \
	"/nonexistent; echo \$?; $tmp/s4; echo \$?; $tmp/s3; echo \$?"
same "execvp searches PATH past ENOENT" "$py" -c \
	'import os; os.environ["PATH"] = "/nonexistent:/usr/bin"; os.execvp("echo", ["echo", "found"])'

# what /proc shows
expect "/proc/self/cmdline is the program's argv" "/bin/cat /proc/self/cmdline " \
	/bin/sh -c '/bin/cat /proc/self/cmdline | tr "\0" " "'
expect "/proc/self/comm names the program" "cat" /bin/cat /proc/self/comm
expect "/proc/self/exe names the program" "/usr/bin/readlink" /usr/bin/readlink /proc/self/exe

# the traps really happen, in every descendant, whatever they do to env and fds
loader_only "traps happen: getcwd answered by the loader" ||
expect "traps happen: getcwd answered by the loader" "/MARK" --fake-cwd=/MARK /bin/pwd
loader_only "state crosses execve twice" ||
expect "state crosses execve twice" "/MARK" --fake-cwd=/MARK /bin/sh -c 'sh -c /bin/pwd'
loader_only "state survives env -i and closing every fd" ||
expect "state survives env -i and closing every fd" "/MARK" --fake-cwd=/MARK "$py" -c \
	'import os; os.closerange(3, 65536); os.execve("/usr/bin/env", ["env", "-i", "/bin/pwd"], {})'
if loader_only "trace shows ld.so's openat trapped"; then
	:
elif "$L" --trace-fd=9 /bin/true 9>"$tmp/trace" && grep -q '^vroot: trap 257 ' "$tmp/trace"; then
	ok "trace shows ld.so's openat trapped"
else
	not_ok "trace shows ld.so's openat trapped"
fi

# static, musl, Go
same "busybox-static (ET_EXEC, no interpreter)" /bin/busybox sh -c 'echo bb; ls / | wc -l'
if [ -x "$H/statloop-musl" ]; then
	expect "musl static binary" "ok" /bin/sh -c "$H/statloop-musl 1000 / >/dev/null && echo ok"
	same "musl posix_spawn (vfork child on a 5 KiB stack)" "$H/spawn-musl"
else
	skip "musl static binary" "musl-gcc not installed"
	skip "musl posix_spawn" "musl-gcc not installed"
fi
if [ -x "$H/hello-go" ]; then
	same "Go binary: os.Executable, os/exec, Getwd" "$H/hello-go"
else
	skip "Go binary" "go not installed"
fi

# signals, seccomp, threads
same "own SIGSYS handler and own seccomp filter" "$H/own_seccomp"
same "threads doing trapped calls, one forks and execs" "$H/threads"
same "glibc posix_spawn" "$H/spawn"
# A hang (the open not interrupted) fails instead of stopping the run.
same "signal during a blocking trapped call: EINTR, SA_RESTART" \
	"$(command -v timeout)" 30 "$H/fifo_signal" "$tmp"
same "signal during a blocking recvfrom/recvmsg: EINTR, SA_RESTART" "$H/recv_signal"
mkfifo "$tmp/f2"
set +e
timeout 1 "$L" /bin/cat "$tmp/f2"; st=$?
set -e
if [ "$st" = 124 ]; then ok "SIGTERM kills a process blocked in a trapped open"; else
	echo "status $st" >"$tmp/diag"; not_ok "SIGTERM kills a process blocked in a trapped open"; fi

test "$failed" = 0
