#!/bin/sh
# interpreters.sh - scripts with shebang lines (sh, env python3, perl -w,
# an interpreter that exists only in the namespace, a script as another
# script's interpreter, a missing interpreter), python3 -c and perl -e in
# the namespace: their argv[0], $0, __file__, $^X, getcwd, imports from a
# base (the bytecode cache lands in the prefix), directory reading with
# telldir/seekdir over a directory merged from two layers.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd perl
plan 18

T=$tmp/tree
mktree "$T" /virt
B=$tmp/base
mkdir -p "$B/opt/scripts" "$B/opt/interp" "$B/opt/pylib/pkg"

# script FILE LINES...: an executable script.
script() {
	f=$1
	shift
	printf '%s\n' "$@" >"$f"
	chmod 755 "$f"
}
script "$B/opt/scripts/plain" '#!/bin/sh' 'echo "$0 $*"'
script "$B/opt/scripts/withenv" '#!/usr/bin/env python3' \
	'import sys, os' 'print(sys.argv[0], __file__, os.getcwd(), sys.argv[1:])'
script "$B/opt/scripts/perlw" '#!/usr/bin/perl -w' 'print "$0 @ARGV\n";'
cp "$(readlink -f "$(command -v dash 2>/dev/null || command -v sh)")" "$B/opt/interp/mysh"
script "$B/opt/scripts/nsinterp" '#!/opt/interp/mysh' 'echo "ns $0 $1"'
script "$B/opt/scripts/inner" '#!/bin/sh' 'echo "inner $0 $*"'
script "$B/opt/scripts/outer" '#!/opt/scripts/inner' 'not run'
script "$B/opt/scripts/badinterp" '#!/opt/no/such/interp' 'not run'

# v ARGS...: vr over the base and the host, the tree mounted at /virt.
v() { vr --base "$B" --base / --mount "$T:/virt" "$@"; }

is "#!/bin/sh script in a base" "/opt/scripts/plain a b" "$(v -- /opt/scripts/plain a b 2>&1)"
is "... found on PATH" "/opt/scripts/plain x" \
	"$(v -- env PATH="/opt/scripts:$PATH" plain x 2>&1)"
is "... through a relative path" "./plain y" "$(v --cwd /opt/scripts -- ./plain y 2>&1)"
is "... from sh, through a symlinked directory" "/virt/x/root/../../opt/scripts/plain z" \
	"$(v -- sh -c '/virt/x/root/../../opt/scripts/plain z' 2>&1)"
if have python3; then
	is "#!/usr/bin/env python3: argv[0], __file__, getcwd" \
		"/opt/scripts/withenv /opt/scripts/withenv /virt/a ['q']" \
		"$(v --cwd /virt/a -- /opt/scripts/withenv q 2>&1)"
else
	skip "#!/usr/bin/env python3" "$why"
fi
is "#!/usr/bin/perl -w" "/opt/scripts/perlw 1 2" "$(v -- /opt/scripts/perlw 1 2 2>&1)"
is "an interpreter only the namespace has" "ns /opt/scripts/nsinterp arg" \
	"$(v -- /opt/scripts/nsinterp arg 2>&1)"
is "a script as a script's interpreter" "inner /opt/scripts/inner /opt/scripts/outer w" \
	"$(v -- /opt/scripts/outer w 2>&1)"
script "$tmp/badinterp" '#!/opt/no/such/interp' 'not run'
capture native bash -c "$tmp/badinterp"
nat="$rc $(sed "s|$tmp|/opt/scripts|g" "$tmp/native.err")"
capture vroot v -- bash -c /opt/scripts/badinterp
is "a missing interpreter, from bash: as natively" "$nat" "$rc $(cat "$tmp/vroot.err")"

# --- python3 -c --------------------------------------------------------------
if have python3; then
	is "python3 -c: getcwd, argv" "/virt/x ['-c', 'k']" \
		"$(v --cwd /virt/a/b/up -- python3 -c 'import os, sys; print(os.getcwd(), sys.argv)' k 2>&1)"
	printf 'VALUE = "from-base"\n' >"$B/opt/pylib/pkg/__init__.py"
	printf 'from . import VALUE\nTWICE = VALUE * 2\n' >"$B/opt/pylib/pkg/mod.py"
	capture py v -- env -u PYTHONDONTWRITEBYTECODE PYTHONPATH=/opt/pylib python3 -c \
		'import pkg.mod, os; print(pkg.mod.TWICE, pkg.mod.__file__, os.path.realpath("/virt/abs-dir/up"))'
	is "python3 -c: import from a base, realpath" \
		"from-basefrom-base /opt/pylib/pkg/mod.py /virt/x" "$(cat "$tmp/py.out" "$tmp/py.err")"
	# The bytecode cache is written next to the module: in the prefix.
	check "... the bytecode cache is in the prefix" \
		sh -c "ls '$tmp/prefix/opt/pylib/pkg/__pycache__' | grep -q '^mod\.'"
	check "... and not in the base" test ! -e "$B/opt/pylib/pkg/__pycache__"
	is "... imported again from the cache" "from-base" \
		"$(v -- env PYTHONPATH=/opt/pylib python3 -c 'import pkg.mod; print(pkg.mod.VALUE)' 2>&1)"
else
	skip_n 5 "$why"
fi

# --- perl -e -----------------------------------------------------------------
is "perl -e: readdir, getcwd, abs_path" "b f1 hard rel self|/virt/x|/virt/a/b" \
	"$(v -- perl -MCwd -e 'opendir D, "/virt/a"; print join(" ", sort grep !/^\./, readdir D);
		chdir "/virt/a/b/up"; print "|", getcwd(), "|", Cwd::abs_path("/virt/abs-dir"), "\n"' 2>&1)"
perl_path=$(readlink -f "$(command -v perl)")
is "perl -e 'print \$^X' (from /proc/self/exe)" "$perl_path" "$(v -- perl -e 'print $^X, "\n"' 2>&1)"
mkdir -p "$B/opt/perl"
cp "$perl_path" "$B/opt/perl/perl"
is "... a perl copied into a --base" "/opt/perl/perl" \
	"$(v -- /opt/perl/perl -e 'print $^X, "\n"' 2>&1)"
# A directory with entries in the base and in the prefix; telldir/seekdir/
# rewinddir give the same sequence again.
mkdir -p "$B/opt/merged"
(cd "$B/opt/merged" && seq -f 'b%03g' 1 300 | xargs touch)
capture seek v -- perl -e '
	for (1 .. 200) { open F, ">", sprintf("/opt/merged/u%03d", $_) or die "$!" }
	unlink "/opt/merged/b007" or die "$!";
	opendir D, "/opt/merged" or die "$!";
	my @first; push @first, scalar readdir D for 1 .. 150;
	my $pos = telldir D;
	my @rest = readdir D;
	seekdir D, $pos;
	my @again = readdir D;
	rewinddir D;
	my @all = readdir D;
	my %seen; $seen{$_}++ for @first, @rest;
	print scalar(@first) + @rest, " ", scalar(keys %seen), " ",
		("@rest" eq "@again" ? "seek-same" : "seek-differs"), " ",
		("@all" eq "@first @rest" ? "rewind-same" : "rewind-differs"), " ",
		(exists $seen{b007} ? "whiteout-shown" : "whiteout-hidden"), "\n"'
is "perl readdir, telldir/seekdir, rewinddir of a merged directory" \
	"501 501 seek-same rewind-same whiteout-hidden" "$(cat "$tmp/seek.out" "$tmp/seek.err")"
done_testing
