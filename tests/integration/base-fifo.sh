#!/bin/sh
# base-fifo.sh - a FIFO of a base is one FIFO for the namespace, as in
# kernel overlayfs: a reader and a writer inside meet whichever opens it
# first, and opening it copies nothing into the prefix.
set -eu
. "$(dirname "$0")/lib.sh"
plan 3

mkdir "$tmp/base"
mkfifo "$tmp/base/ff"
cat >"$tmp/fifo.sh" <<'EOS'
# reader first, then writer; then writer first, then reader
d=$1
(timeout 5 cat "$d/ff"; echo "reader: $?") &
sleep 0.3
timeout 5 sh -c "echo one >'$d/ff'"; echo "writer: $?"
wait
(timeout 5 sh -c "echo two >'$d/ff'"; echo "writer: $?") &
sleep 0.3
timeout 5 cat "$d/ff"; echo "reader: $?"
wait
EOS
# (sorted: which of the two prints first is a race)
sh "$tmp/fifo.sh" "$tmp/base" 2>&1 | sort >"$tmp/native"
vr --base "$tmp/base" --base / -- sh "$tmp/fifo.sh" "" 2>&1 | sort >"$tmp/vroot" || true
is_file "a reader and a writer of a base FIFO meet, whichever opens first" \
	"$tmp/native" "$tmp/vroot"
is "opening the base FIFO copies nothing into the prefix" "" "$(ls -A "$tmp/prefix")"
capture nb vr --base "$tmp/base" --base / -- sh -c 'exec 3<>/ff; echo ok'
is "a FIFO opened read-write works (no reader needed)" "0 ok" "$rc $(cat "$tmp/nb.out")"
done_testing
