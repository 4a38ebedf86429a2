#!/bin/sh
# text-busy.sh - a program file that a running process was started from
# cannot be opened for writing or truncated (ETXTBSY, "Text file busy"),
# as natively: the loader maps programs itself, so vroot refuses those
# writes in every process on the prefix.  Another file, and the same file
# once the program has ended, can be written.  Checked on a base file, on
# a file made inside, and on a file in a --mount; and for a program killed
# before it could say it ended, whose pid another process then takes.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd sleep truncate
plan 6

# busy.sh DIR: start DIR/prog, try to change it and DIR/other, then after
# it ends.  busy.sh DIR kill: start it, kill it (SIGKILL), print its pid.
cat >"$tmp/busy.sh" <<'EOF2'
cd "$1"
./prog 30 &
pid=$!
# The program has started when its file is mapped (natively: execve done).
i=0
while [ "$i" -lt 100 ] && ! grep -q '/prog$' "/proc/$pid/maps" 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
if [ "${2-}" = kill ]; then
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	echo "$pid"
	exit 0
fi
try() { if err=$("$@" 2>&1 </dev/null); then echo "$*: ok"; else echo "$*: ${err##*: }"; fi; }
try sh -c 'echo x >>prog'
try truncate -s 0 prog
try sh -c 'cat other >prog'
try sh -c 'echo x >>other'
kill "$pid"
wait "$pid" 2>/dev/null || true
try sh -c 'echo x >>prog'
EOF2
mkprog() {
	mkdir -p "$1"
	cp "$(command -v sleep)" "$1/prog"
	printf 'other\n' >"$1/other"
}
mkprog "$tmp/n"
sh "$tmp/busy.sh" "$tmp/n" >"$tmp/native.out" 2>&1
cat >"$tmp/want" <<'EOF2'
sh -c echo x >>prog: Text file busy
truncate -s 0 prog: Text file busy
sh -c cat other >prog: Text file busy
sh -c echo x >>other: ok
sh -c echo x >>prog: ok
EOF2
is_file "natively: the running program's file is busy, until it ends" "$tmp/want" \
	"$tmp/native.out"

mkprog "$tmp/v"
capture base vr -- sh "$tmp/busy.sh" "$tmp/v"
is_file "a base file: as natively" "$tmp/native.out" "$tmp/base.out"
is "... the base files are unchanged" "other $(cmp -s "$(command -v sleep)" "$tmp/v/prog" && echo same)" \
	"$(cat "$tmp/v/other") same"
capture made vr -- sh -c "mkdir -p '$tmp/made' && cp '$tmp/v/prog' '$tmp/v/other' '$tmp/made' &&
	sh '$tmp/busy.sh' '$tmp/made'"
is_file "a file made inside: as natively" "$tmp/native.out" "$tmp/made.out"
mkprog "$tmp/host"
capture mnt vr --mount "$tmp/host:/m" -- sh "$tmp/busy.sh" /m
is_file "a file in a --mount: as natively" "$tmp/native.out" "$tmp/mnt.out"

# A program killed where it cannot say it ended leaves its entry among the
# running programs; a process that later has its pid is another process
# (vr_proc_key()), so the file is no longer busy.
desc="a killed program's pid taken by another process: its file is not busy"
if ! is_root || [ ! -w /proc/sys/kernel/ns_last_pid ]; then
	skip "$desc" "needs root to choose the next pid (/proc/sys/kernel/ns_last_pid)"
else
	mkprog "$tmp/r"
	capture killed vr -- sh "$tmp/busy.sh" "$tmp/r" kill
	pid=$(cat "$tmp/killed.out")
	# The next pid is the one asked for unless another fork comes between.
	taker=
	for i in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null && break # taken already, by another
		echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 30 &
		if [ "$!" = "$pid" ]; then
			taker=$!
			break
		fi
		kill "$!"
	done
	capture reused vr -- sh -c "cd '$tmp/r' && echo x >>prog && echo written"
	[ -z "$taker" ] || kill "$taker"
	if kill -0 "$pid" 2>/dev/null || [ -n "$taker" ]; then
		is "$desc" "written" "$(cat "$tmp/reused.out" "$tmp/reused.err")"
	else
		echo "pid $pid: not taken again in 200 forks" >"$tmp/why"
		not_ok "$desc" "$tmp/why"
	fi
fi
done_testing
