#!/bin/sh
# exit-status.sh - vroot run ends as its program ends: the program's own
# exit status, or death by the same signal (a shell sees 128+N), whether the
# signal comes from the program, from a descendant, or from outside.
set -eu
. "$(dirname "$0")/lib.sh"
plan 16

# status CMD...: the exit status of CMD.
status() {
	set +e
	"$@" >/dev/null 2>&1 </dev/null
	echo $?
	set -e
}

is "exit 42" 42 "$(status vr -- sh -c 'exit 42')"
is "exit 0" 0 "$(status vr -- sh -c 'exit 0')"
is "exit 255" 255 "$(status vr -- sh -c 'exit 255')"
is "false" 1 "$(status vr -- false)"
is "bash set -e; false" 1 "$(status vr -- bash -c 'set -e; false; exit 9')"
is "a grandchild's status, through sh" 3 "$(status vr -- sh -c 'sh -c "exit 3"; exit $?')"
is "kill -TERM \$\$ from sh: 143, as natively" \
	"$(status sh -c 'kill -TERM $$')" "$(status vr -- sh -c 'kill -TERM $$')"
is "kill -KILL \$\$: 137" 137 "$(status vr -- sh -c 'kill -KILL $$')"
is "kill -INT \$\$: as natively" \
	"$(status sh -c 'trap - INT; kill -INT $$')" "$(status vr -- sh -c 'trap - INT; kill -INT $$')"
is "SIGSEGV (no core): 139" 139 "$(status vr -- sh -c 'ulimit -c 0; kill -SEGV $$')"
is "a child killed by TERM, seen by sh" 143 \
	"$(status vr -- sh -c 'sh -c "kill -TERM \$\$"; exit $?')"
is "bash: exit status of a pipeline with pipefail" 7 \
	"$(status vr -- bash -c 'set -o pipefail; (exit 7) | cat')"
# Signals from outside reach the program: vroot run is the program (its
# pid, $!, is the program's).
"$VROOT" run --prefix "$tmp/prefix" -- sleep 30 &
pid=$!
sleep 0.3
kill -TERM "$pid" 2>/dev/null || true
set +e
wait "$pid" 2>/dev/null
st=$?
set -e
is "SIGTERM from outside: 143" 143 "$st"
mkdir "$tmp/out"
# A run under nohup inherits SIGHUP ignored, which no shell can undo: the
# program gets it at its default, as a terminal's session would give it.
env --default-signal=HUP "$VROOT" run --prefix "$tmp/prefix" --mount "$tmp/out:/out" -- \
	sh -c 'echo $$ >/out/pid; exec sleep 30' &
pid=$!
i=0
while [ ! -s "$tmp/out/pid" ] && [ "$i" -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
is "vroot run's pid is the program's" "$pid" "$(cat "$tmp/out/pid" 2>/dev/null)"
kill -HUP "$pid" 2>/dev/null || true
set +e
wait "$pid" 2>/dev/null
st=$?
set -e
is "SIGHUP from outside to exec'd sleep: 129" 129 "$st"
is "exit status of a program run after exec" 5 \
	"$(status vr -- sh -c 'exec sh -c "exit 5"')"
done_testing
