#!/bin/bash
# base-changes.sh - the base changes while a program runs under vroot: a
# file added, removed, rewritten (in place and by rename), renamed, a
# directory added and removed, a directory it walked through changed or
# renamed.  The running program sees each change at its next lookup; a file it already copied up keeps its own content; a
# directory listing open across a change, and a working directory removed
# from the base, break nothing; the program exits normally.
#
# The program is a small perl script inside the namespace that evaluates
# one request at a time, read from a FIFO, and answers on another; the test
# changes the base between requests.  The FIFOs are the only
# synchronisation (the reads have a timeout only so that a dead program
# fails the test instead of hanging it).
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd perl mkfifo
plan 39

B=$tmp/base
C=$tmp/ctl
mkdir -p "$B/d" "$B/dd/sub" "$B/big" "$C"
printf 'one\n' >"$B/d/f"
printf 'old\n' >"$B/d/rw"
printf 'old\n' >"$B/d/swap"
printf 'gone\n' >"$B/d/rm"
printf 'r\n' >"$B/d/r1"
printf 'cu\n' >"$B/d/cu"
printf 'x\n' >"$B/dd/sub/x"
for i in $(seq -w 1 60); do printf '%s\n' "$i" >"$B/big/f$i"; done
mkfifo "$C/cmd" "$C/out"

# The program: helpers, then a loop evaluating one request per line.
cat >"$C/prog.pl" <<'EOF'
use strict;
use warnings;
our ($D, @seen);
sub st { my @s = lstat($_[0]); return "absent" unless @s;
	return -d _ ? "dir" : -f _ ? "file $s[7]" : "other" }
sub cat { open(my $f, "<", $_[0]) or return "absent ($!)"; local $/; my $c = <$f>;
	$c =~ s/\n\z//; return $c }
sub ls { opendir(my $d, $_[0]) or return "absent ($!)";
	return join(" ", sort grep { !/^\.\.?$/ } readdir $d) }
sub app { open(my $f, ">>", $_[0]) or return "error ($!)"; print $f $_[1]; close $f;
	return "ok" }
# od: open a listing and read 5 names of it; rest: read what is left; rw: rewind.
sub od { opendir($D, $_[0]) or return "error ($!)"; @seen = ();
	for (1 .. 5) { my $e = readdir $D; push @seen, $e if defined $e } return scalar @seen }
sub rest { my $n = 0; while (defined(my $e = readdir $D)) { $n++ } return "ok $n" }
sub rw { rewinddir $D; return join(" ", sort grep { !/^\.\.?$/ } readdir $D) }
open(my $in, "<", "/ctl/cmd") or die "cmd: $!";
open(my $out, ">", "/ctl/out") or die "out: $!";
$out->autoflush(1);
print $out "ready\n";
while (my $l = <$in>) {
	chomp $l;
	last if $l eq "quit";
	my $r = eval $l;
	$r = "died: $@" if $@;
	$r = "undef" unless defined $r;
	$r =~ s/\n/|/g;
	print $out "$r\n";
}
exit 0;
EOF

exec 3<>"$C/cmd" 4<>"$C/out"
"$VROOT" run --base "$B" --base / --prefix "$tmp/prefix" --mount "$C:/ctl" \
	--cwd / -- perl /ctl/prog.pl </dev/null >"$tmp/prog.out" 2>"$tmp/prog.err" &
pid=$!

# ask REQUEST: the program's one-line answer to REQUEST, in $answer.
ask() {
	printf '%s\n' "$1" >&3
	if ! IFS= read -t 60 -r answer <&4; then
		answer="(no answer: the program is gone)"
	fi
}
# ask_is DESC WANT REQUEST
ask_is() { ask "$3"; is "$1" "$2" "$answer"; }

IFS= read -t 60 -r answer <&4 || answer="(no answer)"
is "the program starts in the namespace" "ready" "$answer"
ask_is "before: a base file" "one" 'cat("/d/f")'
ask_is "before: a name the base does not have" "absent" 'st("/d/new")'

# Added.
printf 'new\n' >"$B/d/new"
ask_is "a file added to the base shows at the next lookup" "file 4" 'st("/d/new")'
ask_is "... with its content" "new" 'cat("/d/new")'
ask_is "... and in the listing" "cu f new r1 rm rw swap" 'ls("/d")'

# Removed.
rm "$B/d/rm"
ask_is "a file removed from the base is gone at the next lookup" "absent" 'st("/d/rm")'
ask_is "... and from the listing" "cu f new r1 rw swap" 'ls("/d")'

# Rewritten in place, and replaced by rename.
printf 'rewritten in place\n' >"$B/d/rw"
ask_is "a file rewritten in the base: new content" "rewritten in place" 'cat("/d/rw")'
printf 'replaced by rename\n' >"$B/d/.swap.tmp"
mv "$B/d/.swap.tmp" "$B/d/swap"
ask_is "a file replaced by rename in the base: new content" "replaced by rename" \
	'cat("/d/swap")'

# Renamed.
mv "$B/d/r1" "$B/d/r2"
ask_is "a file renamed in the base: old name gone" "absent" 'st("/d/r1")'
ask_is "... new name there" "r" 'cat("/d/r2")'

# Directories.
mkdir -p "$B/nd/deeper"
printf 'deep\n' >"$B/nd/deeper/f"
ask_is "a directory added to the base shows" "dir" 'st("/nd")'
ask_is "... with its files" "deep" 'cat("/nd/deeper/f")'
ask_is "a program chdirs into a base directory" "1 x" 'chdir("/dd/sub") . " " . cat("x")'
rm -r "$B/dd"
ask_is "a directory removed from the base is gone" "absent" 'st("/dd")'
ask_is "... its cwd is gone too, without harm" "absent" 'st("x")'
ask_is "... and it can leave it" "1 dir" 'chdir("/") . " " . st("/d")'

# A directory both layers have (the program made a file in it) loses its base half.
ask_is "the program makes a file in a base directory" "ok" 'app("/nd/mine", "m\n")'
printf 'later\n' >"$B/nd/later"
ask_is "a file added to the base in that merged directory shows" "deeper later mine" 'ls("/nd")'
# The program walks through /nd/deeper, in that merged directory: a stat()
# of it reads it as it is now.
ask_is "the program reads below it again" "deep" 'cat("/nd/deeper/f")'
chmod 750 "$B/nd/deeper"
ask_is "a walked-through base directory's mode changed from outside shows at once" "750" \
	'sprintf("%o", (lstat("/nd/deeper"))[2] & 07777)'
mv "$B/nd/deeper" "$B/nd/deeper.moved"
ask_is "... renamed from outside, its old name is gone at once" "absent" 'st("/nd/deeper")'
mv "$B/nd/deeper.moved" "$B/nd/deeper"
chmod 755 "$B/nd/deeper"
rm -r "$B/nd"
ask_is "the base removes the directory: the program's own part stays" "mine" 'ls("/nd")'

# Copied up before the base changes.
ask_is "the program copies a base file up" "ok" 'app("/d/cu", "mine\n")'
printf 'base rewrote it\n' >"$B/d/cu"
ask_is "a copied-up file keeps its content when the base rewrites it" "cu|mine" 'cat("/d/cu")'
rm "$B/d/cu"
ask_is "... and when the base removes it" "cu|mine" 'cat("/d/cu")'

# A base directory renamed or replaced under directories the program has
# walked through: vroot keeps directories between calls for at most one
# second (README), so after that the program sees the base as it is.
mkdir -p "$B/kd/a/b" "$B/kr/a" "$B/kl/a"
printf 'kept\n' >"$B/kd/a/b/f"
printf 'old\n' >"$B/kr/a/f"
printf 'l\n' >"$B/kl/a/f"
ask_is "the program reads below base directories" "kept old l" \
	'cat("/kd/a/b/f") . " " . cat("/kr/a/f") . " " . cat("/kl/a/f")'
ask_is "... and asks readlink() of one" "Invalid argument" \
	'defined(readlink("/kl/a")) ? "link" : "$!"'
mv "$B/kd/a" "$B/kd/moved"
rm -r "$B/kr/a"
mkdir "$B/kr/a"
printf 'new\n' >"$B/kr/a/g"
mv "$B/kl/a" "$B/kl/b"
ln -s b "$B/kl/a"
sleep 1.2
ask_is "a base directory renamed from outside: gone from its old path within the bound" \
	"absent" 'st("/kd/a/b/f")'
ask_is "... and at its new path" "kept" 'cat("/kd/moved/b/f")'
ask_is "a base directory replaced from outside: the new one within the bound" "absent new" \
	'st("/kr/a/f") . " " . cat("/kr/a/g")'
ask_is "a base directory replaced by a symlink from outside: readlink() within the bound" \
	"b" 'readlink("/kl/a") // "$!"'

# A listing open across a change.
ask_is "a listing of 60 names is opened, 5 read" "5" 'od("/big")'
rm "$B/big/f01" "$B/big/f02" "$B/big/f59"
printf 'n\n' >"$B/big/new1"
ask "rest()"
case $answer in
"ok "[0-9]*) ok "reading the rest of it after the base changed works ($answer)" ;;
*) is "reading the rest of it after the base changed works" "ok N" "$answer" ;;
esac
want=$(cd "$B/big" && ls | LC_ALL=C sort | tr '\n' ' ')
ask_is "rewinddir shows the base as it is now" "${want% }" 'rw()'

# A new process started after the changes sees them too.
ask_is "a program started now sees the changes" "0" \
	'system("test -f /d/r2 && test ! -e /d/r1 && test ! -e /dd && test -f /nd/mine && test ! -e /nd/deeper") >> 8'

printf 'quit\n' >&3
set +e
wait "$pid"
rc=$?
set -e
is "the program exits normally, nothing crashed" "0" "$rc"
if [ -s "$tmp/prog.err" ]; then
	not_ok "nothing on the program's stderr" "$tmp/prog.err"
else
	ok "nothing on the program's stderr"
fi
exec 3>&- 4<&-
done_testing
