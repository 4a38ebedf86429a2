#!/bin/sh
# cwd-renamed.sh - the working directory is the directory, not its name:
# renaming it or a directory above it (by the process itself, by a child,
# a directory of the base or one made inside) leaves the process in it;
# getcwd names the new path and relative names are made there.  Each case
# runs natively and through vroot, and the outputs are compared.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 4

# both NAME SCRIPT: SCRIPT (sh) run natively in $tmp/n/NAME and through
# vroot in $tmp/v/NAME (made before, so a directory of the base), with the
# directory's path replaced by W in the output.
both() {
	mkdir -p "$tmp/n/$1" "$tmp/v/$1"
	(cd / && sh -c "$2" sh "$tmp/n/$1") 2>&1 | sed "s|$tmp/n/$1|W|g" >"$tmp/$1.native" || true
	(cd / && vr -- sh -c "$2" sh "$tmp/v/$1") 2>&1 | sed "s|$tmp/v/$1|W|g" >"$tmp/$1.vroot" ||
		true
}

# A child (mv) renames a base directory above the shell's cwd.
both base 'w=$1; mkdir -p $w/p1/c; cd $w/p1/c; mv $w/p1 $w/p2; /bin/pwd; echo x >f;
	ls $w/p2/c; cat $w/p2/c/f; test -e $w/p1 || echo p1-gone'
is_file "a base directory above the cwd renamed by a child: the cwd moves with it" "$tmp/base.native" "$tmp/base.vroot"

# The same with directories made inside the session, renamed twice.
both made 'w=$1; cd $w; mkdir -p new/a/b; cd new/a/b; mv $w/new $w/n2; /bin/pwd;
	mv $w/n2/a $w/n2/a2; /bin/pwd; mkdir d; ls $w/n2/a2/b; cd ..; /bin/pwd'
is_file "directories made inside, renamed twice above the cwd" "$tmp/made.native" "$tmp/made.vroot"

# The process renames its own cwd.
cat >"$tmp/self.py" <<'EOF'
import os, sys
w = sys.argv[1]
os.makedirs(w + "/s/t")
os.chdir(w + "/s/t")
os.rename(w + "/s", w + "/u")
print(os.getcwd().replace(w, "W"))
open("f", "w").close()
print(sorted(os.listdir(w + "/u/t")), os.path.exists(w + "/s"))
os.rename(w + "/u/t", w + "/t2")
print(os.getcwd().replace(w, "W"), os.stat(".").st_ino == os.stat(w + "/t2").st_ino)
EOF
mkdir -p "$tmp/n/self" "$tmp/v/self"
python3 "$tmp/self.py" "$tmp/n/self" >"$tmp/self.native" 2>&1 || true
vr -- python3 "$tmp/self.py" "$tmp/v/self" >"$tmp/self.vroot" 2>&1 || true
is_file "a process renames its own cwd and a directory above it" "$tmp/self.native" "$tmp/self.vroot"

# A directory beside the cwd, with a name the cwd's starts with, is not it.
both beside 'w=$1; mkdir -p $w/ab/c $w/a; cd $w/ab/c; mv $w/a $w/z; /bin/pwd'
is_file "renaming a directory whose name is a prefix of the cwd's leaves the cwd" "$tmp/beside.native" "$tmp/beside.vroot"

done_testing
