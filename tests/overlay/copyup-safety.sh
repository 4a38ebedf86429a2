#!/bin/sh
# copyup-safety.sh - copy-up is atomic and shared: a copy killed at any
# point leaves the base version or the complete new one, never a partial
# file, and the next run clears the leftovers; processes and sessions
# copying up the same file, or changing one directory, lose nothing.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
V="$top/build/vroot"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
# vr CMD...: run in a namespace of the test base over the host root, prefix p.
vr() { "$V" run --base "$tmp/base" --base / --prefix "$tmp/p" -- "$@"; }

echo "1..9"
mkdir -p "$tmp/base/d"
# 48 MiB of data that is not all zeroes, so the copy takes a while.
head -c 1048576 /dev/urandom >"$tmp/chunk"
for i in $(seq 48); do cat "$tmp/chunk"; done >"$tmp/base/big"
base_sum=$(sha256sum <"$tmp/base/big" | cut -d' ' -f1)
base_size=$(stat -c %s "$tmp/base/big")
(cd "$tmp/base" && find . -printf '%p %s %m %T@\n' | sort | sha256sum) >"$tmp/base.sum"

# Kill the copying process at many points.
bad=0 old=0 new=0
for delay in 0.01 0.02 0.04 0.06 0.08 0.1 0.15 0.2 0.3 0.5; do
	rm -rf "$tmp/p" "$tmp/p.work"
	# exec: $! is then the process that copies, whatever image it runs (the
	# loader's command line no longer names the prefix for pkill to find).
	(exec "$V" run --base "$tmp/base" --base / --prefix "$tmp/p" -- sh -c "echo tail >>/big") &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	# Kill the shell and everything it started: the child may be mid-copy.
	pkill -9 -f "$tmp/p" 2>/dev/null || true
	sleep 0.05
	got=$(vr sh -c 'wc -c </big')
	if [ "$got" = "$base_size" ]; then
		old=$((old + 1))
		sum=$(vr sh -c 'sha256sum </big' | cut -d' ' -f1)
		[ "$sum" = "$base_sum" ] || {
			echo "# after a kill at ${delay}s: /big has the base's size, not its data"
			bad=$((bad + 1))
		}
	elif [ "$got" = "$((base_size + 5))" ]; then
		new=$((new + 1))
		vr sh -c 'head -c '"$base_size"' /big | sha256sum' |
			grep -q "$base_sum" || {
			echo "# after a kill at ${delay}s: /big does not start with the base's data"
			bad=$((bad + 1))
		}
	else
		echo "# after a kill at ${delay}s: /big has $got bytes"
		bad=$((bad + 1))
	fi
done
echo "# killed: $old times before the copy was in place, $new after"
check "a copy-up killed at 10 points: old or complete file every time" '[ "$bad" = 0 ]'
leftover=$(find "$tmp/p.work" -name '#vroot.*' | wc -l)
check "the next run cleared the work directory ($leftover left)" '[ "$leftover" = 0 ]'
check "the base is unchanged" '(cd "$tmp/base" && find . -printf "%p %s %m %T@\n" | sort | sha256sum) | cmp -s - "$tmp.sum" 2>/dev/null || (cd "$tmp/base" && find . -printf "%p %s %m %T@\n" | sort | sha256sum) | cmp -s - "$tmp/base.sum"'

# Many processes copy up and append to one base file at once.
rm -rf "$tmp/p" "$tmp/p.work"
printf 'base\n' >"$tmp/base/shared"
vr sh -c '
	for i in 1 2 3 4 5 6 7 8; do (echo "line $i" >>/shared) & done; wait'
lines=$(vr sh -c 'wc -l </shared')
check "8 processes appending to one base file: all 9 lines there ($lines)" '[ "$lines" = 9 ]'

# Two sessions at once on one prefix, each copying up the same files.
rm -rf "$tmp/p" "$tmp/p.work"
for i in $(seq 40); do printf 'f%s\n' "$i" >"$tmp/base/d/f$i"; done
for s in a b; do
	vr sh -c '
		for i in $(seq 40); do echo '"$s"' >>/d/f$i; done' &
done
wait
good=$(vr sh -c '
	c=0; for i in $(seq 40); do [ "$(wc -l </d/f$i)" = 3 ] && c=$((c + 1)); done; echo $c')
check "two sessions copying up 40 files at once: no lost write ($good/40 complete)" '[ "$good" = 40 ]'

# Parallel create, rename and unlink in one directory.
rm -rf "$tmp/p" "$tmp/p.work"
vr sh -c '
	for w in 1 2 3 4; do
		(for i in $(seq 50); do
			echo $w.$i >/d/new.$w.$i && mv /d/new.$w.$i /d/done.$w.$i
		done) &
	done
	(for i in $(seq 40); do rm -f /d/f$i; done) &
	wait'
count=$(vr sh -c 'ls /d | wc -l')
dups=$(vr sh -c 'ls /d | sort | uniq -d | wc -l')
check "parallel create/rename/unlink: 200 names, base names gone ($count)" '[ "$count" = 200 ]'
check "no duplicate entries in the listing" '[ "$dups" = 0 ]'
hidden=$(find "$tmp/p/d" -type c | wc -l)
check "each removed base name left a whiteout ($hidden)" '[ "$hidden" = 40 ]'
check "the base is still unchanged" '(cd "$tmp/base" && find . -name shared -prune -o -path ./d -prune -o -printf "%p %s %m\n" | sort) >/dev/null && [ "$(ls "$tmp/base/d" | wc -l)" = 40 ] && [ "$(sha256sum <"$tmp/base/big" | cut -d" " -f1)" = "$base_sum" ]'

test "$failed" = 0
