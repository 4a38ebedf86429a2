#!/bin/sh
# lib.sh - sourced by the integration tests of `vroot run` (not a test).
#
#     . "$(dirname "$0")/lib.sh"
#     need_cmd gcc make        # whole file skipped, with the reason, if absent
#     plan 3
#     vr -- sh -c 'echo hi'    # build/vroot run --prefix "$tmp/prefix" ...
#     is "echo through vroot" "hi" "$(vr -- echo hi)"
#     done_testing
#
# Gives: $top (the tree), $tmp (a private temp dir, removed on exit), TAP
# helpers (plan, ok, not_ok, is, is_file, skip, skip_n, diag, done_testing),
# capture (runs a command, keeps stdout, stderr and status), have/need_cmd,
# mktree (a generated tree of files, directories and symlinks) and the
# Debian tree cache (debian_cache, debian_mirror, debian_make).

# prove runs every tests/integration/*.sh; this file is one of them.
case ${0##*/} in
lib.sh)
	echo "1..0 # SKIP lib.sh holds helpers sourced by the tests"
	exit 0
	;;
esac

top=$(cd "$(dirname "$0")/../.." && pwd)
VROOT=$top/build/vroot
if [ ! -x "$VROOT" ]; then
	echo "Bail out! $VROOT is missing: run make first"
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vroot-it.XXXXXX")
# Tests make read-only and mode-000 entries; make everything removable.
cleanup() {
	chmod -R u+rwX "$tmp" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE
# Same output as on any machine: no colours, no translations, fixed time zone.
LC_ALL=C TZ=UTC
export LC_ALL TZ
unset LS_COLORS GREP_COLORS 2>/dev/null || true

n=0
failed=0
planned=

# plan N: print the TAP plan.
plan() {
	planned=$1
	echo "1..$1"
}

# The tests run make themselves: they must not join the make that runs them.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

# diag TEXT...: a TAP comment.
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

# TODO=REASON before a check marks it a known gap: reported, not counted.
TODO=
todo_mark() { [ -n "$TODO" ] && printf ' # TODO %s' "$TODO"; return 0; }

ok() {
	n=$((n + 1))
	echo "ok $n - $1$(todo_mark)"
}

# not_ok DESC [DIAGFILE]: a failure, with the file's lines as comments.
not_ok() {
	n=$((n + 1))
	[ -n "$TODO" ] || failed=$((failed + 1))
	echo "not ok $n - $1$(todo_mark)"
	if [ $# -gt 1 ] && [ -f "$2" ]; then
		head -n 60 "$2" | sed 's/^/# /'
	fi
	return 0
}

# skip DESC REASON / skip_n COUNT REASON
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
skip_n() {
	i=0
	while [ "$i" -lt "$1" ]; do
		i=$((i + 1))
		skip "skipped" "$2"
	done
}

# check DESC CMD...: ok if CMD succeeds.
check() {
	desc=$1
	shift
	if "$@" >"$tmp/.check" 2>&1; then
		ok "$desc"
	else
		echo "command failed (status $?): $*" >>"$tmp/.check"
		not_ok "$desc" "$tmp/.check"
	fi
}

# is DESC WANT GOT: string equality.
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		{
			echo "want: $2"
			echo "got:  $3"
		} >"$tmp/.is"
		not_ok "$1" "$tmp/.is"
	fi
}

# is_file DESC WANTFILE GOTFILE: same contents; otherwise the got file's
# first lines (what came, even when a log is cut short), then a unified diff.
is_file() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		{
			if [ -f "$3" ]; then
				echo "got ($(wc -l <"$3") lines):"
				head -n 10 "$3"
			fi
			diff -u "$2" "$3" 2>&1
		} >"$tmp/.diff" || true
		not_ok "$1" "$tmp/.diff"
	fi
}

# done_testing: exit non-zero if anything failed or the count is off.
done_testing() {
	if [ -n "$planned" ] && [ "$n" != "$planned" ]; then
		echo "# planned $planned tests, ran $n"
		exit 1
	fi
	[ "$failed" = 0 ]
	exit $?
}

# vr ARGS...: vroot run with this test's private prefix, whose settings are
# each run's own options (tests vary bases and case folding on one prefix).
vr() { "$VROOT" run --prefix "$tmp/prefix" --reset-settings "$@"; }

# capture NAME CMD...: run CMD with stdin from /dev/null; its stdout in
# $tmp/NAME.out, stderr in $tmp/NAME.err, status in $rc.  Never fails.
capture() {
	cap=$1
	shift
	set +e
	"$@" >"$tmp/$cap.out" 2>"$tmp/$cap.err" </dev/null
	rc=$?
	set -e
}

# have CMD...: true if every CMD is on PATH; sets $why otherwise.
have() {
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			why="$c not installed"
			return 1
		fi
	done
	return 0
}

# need_cmd CMD...: skip the whole file, saying which command is missing.
need_cmd() {
	if ! have "$@"; then
		echo "1..0 # SKIP $why"
		trap - EXIT
		cleanup
		exit 0
	fi
}

# is_root: running as uid 0.
is_root() { [ "$(id -u)" = 0 ]; }

# need_root REASON: skip the whole file unless running as root.
need_root() {
	if ! is_root; then
		echo "1..0 # SKIP $1: run as root"
		trap - EXIT
		cleanup
		exit 0
	fi
}

# mktree DIR ROOT: a generated tree in DIR (created) whose absolute
# symlinks point into ROOT, the path at which the tree will be seen.  Every
# entry gets the same fixed mtime, so two copies list identically.
mktree() {
	d=$1
	r=$2
	mkdir -p "$d/a/b/c" "$d/d e" "$d/empty" "$d/x/y"
	printf 'alpha\n' >"$d/a/f1"
	printf 'bravo bravo\n' >"$d/a/b/f2"
	printf '' >"$d/a/b/c/zero"
	head -c 70000 /dev/zero | tr '\0' z >"$d/x/y/big"
	printf 'spaces\n' >"$d/d e/f g"
	printf '#!/bin/sh\necho run\n' >"$d/x/script"
	chmod 755 "$d/x/script"
	chmod 600 "$d/a/b/f2"
	chmod 750 "$d/x/y"
	ln "$d/a/f1" "$d/a/hard"
	ln -s f1 "$d/a/rel"
	ln -s ../../x "$d/a/b/up"
	ln -s "$r/a/b" "$d/abs-dir"
	ln -s "$r/a/f1" "$d/x/abs-file"
	ln -s /../../a/./b//c "$d/x/dotdot"
	ln -s missing "$d/dangling"
	ln -s loop2 "$d/x/loop1"
	ln -s loop1 "$d/x/loop2"
	ln -s . "$d/a/self"
	ln -s "$r" "$d/x/root"
	find "$d" -depth -exec touch -h -d @1600000000 {} +
}

# pathlike VIRTPREFIX HOSTPATH: a virtual path starting VIRTPREFIX, padded
# with 'v' to the length of HOSTPATH (so symlink sizes match natively).
pathlike() {
	p=$1
	while [ "${#p}" -lt "${#2}" ]; do p=${p}v; done
	printf '%s\n' "$p"
}

# --- the Debian tree ---------------------------------------------------------

debian_cache=${VROOT_DEBIAN_CACHE:-/var/cache/vroot/debian-minbase}

# debian_mirror: the Debian archive URI this machine's apt uses, from
# /etc/apt/sources.list (one-line form) or sources.list.d/*.sources (deb822).
debian_mirror() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			/^[ \t]*$/ { if (uri != "" && suites ~ /(^| )bookworm( |$)/ && types ~ /(^| )deb( |$)/) { print uri; done = 1; exit } uri = ""; suites = ""; types = ""; next }
			/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
			/^URIs:/ { sub(/^URIs:[ \t]*/, ""); split($0, u, " "); uri = u[1] }
			/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
			END { if (!done && uri != "" && suites ~ /(^| )bookworm( |$)/ && types ~ /(^| )deb( |$)/) print uri }
		' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) == "bookworm") print $i }' "$f"
	done
}

# debian_make: create the cached minbase tree (root only).  Built next to
# the cache and renamed into place, so a failed run leaves no half tree.
# Status 0 when the cache exists afterwards; the reason in $why otherwise.
debian_make() {
	[ -x "$debian_cache/bin/bash" ] && return 0
	if ! is_root; then
		why="needs root to debootstrap (no cache at $debian_cache)"
		return 1
	fi
	if ! have debootstrap; then
		why="debootstrap not installed (no cache at $debian_cache)"
		return 1
	fi
	mirror=$(debian_mirror | head -n 1)
	if [ -z "$mirror" ]; then
		why="no bookworm mirror in /etc/apt/sources.list*"
		return 1
	fi
	mkdir -p "$(dirname "$debian_cache")"
	chmod 755 "$(dirname "$debian_cache")"
	build=$debian_cache.new.$$
	rm -rf "$build"
	echo "debootstrap of a Debian bookworm minbase tree into $debian_cache (once, a few minutes)" >&2
	if ! debootstrap --variant=minbase bookworm "$build" "$mirror" \
		>"$tmp/debootstrap.log" 2>&1; then
		tail -n 20 "$tmp/debootstrap.log" | sed 's/^/# /'
		rm -rf "$build"
		why="debootstrap from $mirror failed"
		return 1
	fi
	# The unprivileged tier reads the same cache.
	chmod -R a+rX "$build"
	chmod 755 "$build"
	# Another run may have finished first: keep its tree.
	mv -T "$build" "$debian_cache" 2>/dev/null || rm -rf "$build"
	[ -x "$debian_cache/bin/bash" ]
}
