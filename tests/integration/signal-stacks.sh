#!/bin/sh
# signal-stacks.sh - a program that gives its threads signal stacks of its
# own, small ones included, makes trapped calls of every kind: natively
# nothing around those stacks changes, and through vroot nothing may
# either (vroot's handler runs on stacks of its own).  Also on another
# thread, and with a signal handler making trapped calls while a trapped
# call blocks.  Python's faulthandler sets such a stack.  A child that
# execs from inside the handler sharing its parent's memory (posix_spawn)
# leaves nothing behind in the parent.  A call made when no stack of
# vroot's can be had fails with ENOMEM and leaves the program's signal
# stack alone.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc
sizes="0 2048 8192 16384 16880"
plan $((2 * 5 + 4))

gcc -O2 -o "$tmp/sigstack" "$top/tests/loader/helpers/sigstack.c" -lpthread
for size in $sizes; do
	for where in main thread; do
		d=$tmp/d-$size-$where
		mkdir "$d"
		set +e
		"$tmp/sigstack" "$size" "$where" "$d" >"$tmp/native" 2>&1
		echo "status $?" >>"$tmp/native"
		rm -rf "$d"/*
		vr -- "$tmp/sigstack" "$size" "$where" "$d" >"$tmp/vroot" 2>&1
		echo "status $?" >>"$tmp/vroot"
		set -e
		[ "$where" = main ] && on="the main thread" || on="another thread"
		is_file "signal stack of $size bytes, on $on: as natively" \
			"$tmp/native" "$tmp/vroot"
	done
done

gcc -O2 -o "$tmp/spawn_many" "$top/tests/loader/helpers/spawn_many.c"
capture spawn "$tmp/spawn_many"
cp "$tmp/spawn.out" "$tmp/native"
capture spawn vr -- "$tmp/spawn_many"
cat "$tmp/spawn.err" >>"$tmp/spawn.out"
is_file "420 posix_spawn children: the parent's memory does not grow" "$tmp/native" "$tmp/spawn.out"

gcc -O2 -o "$tmp/pool_exhausted" "$top/tests/loader/helpers/pool_exhausted.c" -lpthread
mkdir "$tmp/pe-n" "$tmp/pe-v"
capture pe "$tmp/pool_exhausted" "$tmp/pe-n"
is "no stack left: natively the call works (the test's premise)" \
	"readlink: ok; bytes changed below the signal stack: 0" "$(cat "$tmp/pe.out" "$tmp/pe.err")"
capture pe vr -- "$tmp/pool_exhausted" "$tmp/pe-v" 20
# With every stack taken the call fails with ENOMEM.  A stack the program's
# threads took at once (its thread start-up traps too) may have made the
# pool grow before the limit: then the call succeeds.  Either way, nothing
# below the program's signal stack may change.
case $(cat "$tmp/pe.out" "$tmp/pe.err") in
"readlink: Cannot allocate memory; bytes changed below the signal stack: 0")
	ok "no stack of vroot's left: ENOMEM, the program's signal stack untouched" ;;
"readlink: ok; bytes changed below the signal stack: 0")
	ok "no stack of vroot's left: the program's signal stack untouched # the pool had grown" ;;
*)
	not_ok "no stack of vroot's left: ENOMEM, the program's signal stack untouched" "$tmp/pe.out" ;;
esac

if [ -x /usr/bin/python3 ]; then
	: >"$tmp/empty.py"
	capture py /usr/bin/python3 -X faulthandler "$tmp/empty.py"
	native=$rc
	capture py vr -- /usr/bin/python3 -X faulthandler "$tmp/empty.py"
	is "python3 -X faulthandler empty.py: status $native as natively" "$native" "$rc"
else
	skip "python3 -X faulthandler" "no /usr/bin/python3"
fi
done_testing
