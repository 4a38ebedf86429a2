#!/bin/sh
# shell-paths.sh - sh and bash scripts doing cd, pwd, pwd -P, realpath,
# readlink -f/-e/-m, ls -la, stat and find inside the namespace print what
# they print natively on the same generated tree: once with the tree shown
# at another virtual path by --mount, once with it inside a --base tree
# (merged over the host's /).  The virtual paths have the host path's length,
# so absolute symlinks have the same size in both runs.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd bash realpath readlink find stat

sections="cd realpath ls stat find"
nsec=5
plan $((nsec * 2 * 2 + 5))

N=$tmp/n
mktree "$N" "$N"
# The mounted copy, at a virtual path whose parent exists in no layer.
VM=$(pathlike /vmnt/t "$N")
mktree "$tmp/m" "$VM"
# The base copy, below /opt, which the host's / (the lower base) also has.
VB=$(pathlike /opt/vb "$N")
mkdir -p "$tmp/base"
mktree "$tmp/base$VB" "$VB"

# The script: paths.sh ROOT SECTION prints what the section's commands see
# below ROOT, each command followed by its exit status.
cat >"$tmp/paths.sh" <<'EOF'
R=$1
st() { echo "status $?"; }
case $2 in
cd)
	cd "$R/a/b/up"; st; pwd; pwd -P
	cd "$R/abs-dir/c"; st; pwd; pwd -P
	cd ..; pwd; pwd -P
	cd -P ..; pwd
	cd "$R/x/y"; pwd -P
	cd ../../a/self/self/b; pwd; pwd -P
	cd "$R/x/root/x/dotdot"; st; pwd; pwd -P
	cd "$R/dangling" 2>/dev/null; st; pwd
	cd "$R/a/f1" 2>/dev/null; st; pwd
	cd "$R/d e"; pwd; ls
	cd /; pwd
	;;
realpath)
	for p in . a a/rel a/b/up a/b/up/y/big abs-dir abs-dir/c x/abs-file \
		x/dotdot x/root/a/self/b/up/script dangling x/loop1 "d e/f g" \
		a/b/up/../a a/f1/ a/f1/.. missing/.. a/self/self/./b/../f1 x/root/a/..; do
		echo "== $p"
		realpath "$R/$p" 2>&1; st
		realpath -s "$R/$p" 2>&1; st
		readlink -f "$R/$p"; st
		readlink -e "$R/$p"; st
		readlink -m "$R/$p"; st
		readlink "$R/$p"; st
	done
	cd "$R/a/b"
	realpath up/y ../rel; st
	readlink -f ./up/../a/../x; st
	;;
ls)
	ls -la "$R/a"; st
	ls -la "$R/a/b/c"; st
	ls -lA "$R"; st
	ls -lAR "$R/x" "$R/a/b"; st
	ls -ld "$R/abs-dir" "$R/abs-dir/" "$R/a/rel" "$R/dangling"; st
	ls -lL "$R/abs-dir" "$R/x/abs-file"; st
	ls -1 "$R/a/self/self/b" "$R/empty"; st
	ls -l "$R/missing" 2>&1; st
	ls -lai "$R/a" | awk '{ print $1 == $1 + 0 }' | sort | uniq -c
	;;
stat)
	cd "$R"
	find . | sort | while IFS= read -r f; do
		stat -c '%n|%F|%a|%s|%h|%b|%Y|%N' "$f"
		stat -L -c '%n|%F|%a|%s|%h|%Y' "$f" 2>&1
	done
	stat -c '%F %a' "$R/a/rel/" 2>&1; st
	stat -c '%F' "$R/abs-dir/" "$R/x/root/empty/"; st
	[ "$(stat -c %i "$R/a/f1")" = "$(stat -c %i "$R/a/hard")" ]; st
	[ "$(stat -c %i "$R/a/b")" = "$(stat -c %i "$R/abs-dir")" ]; st
	[ "$(stat -L -c %i "$R/a/b")" = "$(stat -L -c %i "$R/abs-dir")" ]; st
	[ "$(stat -c %i "$R/a/self/self")" = "$(stat -c %i "$R/a")" ]; st
	;;
find)
	find "$R" | sort; st
	find "$R" -printf '%p %y %m %n %s %l\n' | sort
	find -L "$R" -printf '%p %y %Y\n' 2>&1 | sort
	find "$R/abs-dir/" -type f | sort; st
	find "$R" -name 'f*' -type f | sort
	find "$R" -type l -xtype d 2>&1 | sort
	find "$R" -maxdepth 1 -empty
	find "$R" -samefile "$R/a/f1" | sort
	cd "$R/x" && find .. -path '*/c' -prune -o -type d -print | sort
	;;
esac
EOF

# compare SHELL SECTION WHERE VIRT OPTIONS...: SHELL running the section
# natively on $N and in the namespace on VIRT prints the same, once the
# host path $N is written as VIRT.
compare() {
	shell=$1 sec=$2 where=$3 virt=$4
	shift 4
	(cd / && "$shell" "$tmp/paths.sh" "$N" "$sec") 2>&1 |
		sed "s|$N|$virt|g" >"$tmp/native.out"
	vr "$@" --cwd / -- "$shell" "$tmp/paths.sh" "$virt" "$sec" >"$tmp/vroot.out" 2>&1 ||
		echo "vroot run: status $?" >>"$tmp/vroot.out"
	is_file "$shell $sec, tree $where, same as native" "$tmp/native.out" "$tmp/vroot.out"
}

for shell in sh bash; do
	for sec in $sections; do
		compare "$shell" "$sec" "mounted at $VM" "$VM" --mount "$tmp/m:$VM"
		compare "$shell" "$sec" "in a --base at $VB" "$VB" --base "$tmp/base" --base /
	done
done

# The mount point's parent, in no layer, lists the mount point.
is "ls of the mount point's parent" "$(basename "$VM")" \
	"$(vr --mount "$tmp/m:$VM" -- ls "$(dirname "$VM")" 2>&1)"
# A base's directory and the host's merge: /opt lists both.
capture merge vr --base "$tmp/base" --base / -- ls -a /opt
{ ls -a /opt; basename "$VB"; } | sort -u >"$tmp/merge.want"
sort "$tmp/merge.out" >"$tmp/merge.got"
is_file "/opt lists the base's entry and the host's, each once" "$tmp/merge.want" "$tmp/merge.got"
# cd .. from the mount's root goes to its parent in the virtual tree.
is "cd -P .. from the mount's root" "$(dirname "$VM")" \
	"$(vr --mount "$tmp/m:$VM" -- sh -c "cd -P '$VM/..' && pwd -P && /bin/pwd" 2>&1 | sort -u)"

# A directory's link count is 1 (unknown, as overlayfs says for merged
# directories) or 2 + its subdirectories: find and others skip a directory
# whose count says it has no subdirectories.
cat >"$tmp/nlink.sh" <<'EOF'
for d in "$@"; do
	n=$(stat -c %h "$d")
	s=$(find "$d" -mindepth 1 -maxdepth 1 -type d | wc -l)
	if [ "$n" = 1 ] || [ "$n" = $((s + 2)) ]; then
		echo "$d ok"
	else
		echo "$d: nlink $n, $s subdirectories"
	fi
done
EOF
capture nlink vr --base "$tmp/base" --base / --mount "$tmp/m:/vmnt2/deep/t" -- \
	sh "$tmp/nlink.sh" / /opt /vmnt2 /vmnt2/deep "$VB"
is "st_nlink of merged and synthesized directories fits their subdirectories" \
	"/ ok
/opt ok
/vmnt2 ok
/vmnt2/deep ok
$VB ok" "$(cat "$tmp/nlink.out" "$tmp/nlink.err")"
# getcwd in a directory removed meanwhile fails, as natively.
mkdir "$tmp/gone"
# The message differs (pwd's fallback cannot stat "." inside: the virtual
# cwd is a path, and the path is gone); status and empty stdout are the same.
capture native sh -c "cd '$tmp/gone' && rmdir '$tmp/gone' && /bin/pwd -P"
nat="$rc $(cat "$tmp/native.out")"
capture vroot vr -- sh -c 'mkdir /vroot-gone && cd /vroot-gone && rmdir /vroot-gone && /bin/pwd -P'
is "/bin/pwd -P in a removed directory: fails as natively" "$nat" \
	"$rc $(cat "$tmp/vroot.out")"
done_testing
