#!/bin/sh
# fake-permissions.sh - the permission rules (permissions.sh's table: who
# may append, create, remove, rename, chmod, chown, set times and link on
# whose files, sticky and set-group-ID directories included) inside a
# faked identity: a tree made by fake root, then the rules tried as fake
# root and as a virtual user 65534, against what native root and a native
# user 65534 answer on the same tree.  What native root and uid 65534 answer
# is written below and, as root, checked against the kernel itself first.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd setpriv
plan 8

U=65534
. "$(dirname "$0")/perm-rules.lib"
perm_rules "$tmp/rules.sh"

cat >"$tmp/mk.sh" <<EOF
U=$U
. "$top/tests/integration/perm-rules.lib"
mkrules "\$1"
EOF

# More rules: set-id bits a write, a truncate or a chgrp takes away, and
# which changes move a file's ctime (what the caller may not do moves
# nothing).  mkmore.sh DIR: their root-owned tree ($U owns three files).
cat >"$tmp/mkmore.sh" <<EOF
U=$U
T=\$1
mkdir -p "\$T/dl"
chmod 777 "\$T/dl"
for f in s4777 s2777 s2767 s2767g t4777 own c666 cu cr; do echo data >"\$T/\$f"; done
chmod 4777 "\$T/s4777" "\$T/t4777"
chmod 2777 "\$T/s2777"
chmod 2767 "\$T/s2767" "\$T/s2767g"
chown 0:\$U "\$T/s2767g"
chown \$U:0 "\$T/own"
chmod 6765 "\$T/own"
chmod 666 "\$T/c666"
chown \$U:\$U "\$T/cu" "\$T/cr"
EOF
cat >"$tmp/more.sh" <<'EOF'
e() { r=$("$@" 2>&1 >/dev/null) && echo ok || echo "${r##*: }"; }
ct() {
	f=$1
	shift
	a=$(stat -c %z "$f")
	sleep 0.02
	"$@" >/dev/null 2>&1 || :
	[ "$(stat -c %z "$f")" = "$a" ] && echo same || echo changed
}
T=$1
echo "append to a 4777 file: $(e sh -c "echo x >>$T/s4777") $(stat -c %a $T/s4777)"
echo "append to a 2777 file: $(e sh -c "echo x >>$T/s2777") $(stat -c %a $T/s2777)"
echo "append to a 2767 file of group 0: $(e sh -c "echo x >>$T/s2767") $(stat -c %a $T/s2767)"
echo "append to a 2767 file of group U: $(e sh -c "echo x >>$T/s2767g") $(stat -c %a $T/s2767g)"
echo "truncate a 4777 file: $(e truncate -s 0 $T/t4777) $(stat -c %a $T/t4777)"
echo "chgrp U's 6765 file of group 0: $(e chgrp $(id -g) $T/own) $(stat -c '%g %a' $T/own)"
echo "ctime after reading: $(ct $T/c666 cat $T/c666)"
echo "ctime after append: $(ct $T/c666 sh -c "echo x >>$T/c666")"
echo "ctime after chmod of root's file: $(ct $T/c666 chmod 606 $T/c666)"
echo "ctime after chmod of U's file: $(ct $T/cu chmod 640 $T/cu)"
echo "ctime after chmod of U's file to its mode: $(ct $T/cu chmod 640 $T/cu)"
echo "ctime after chown of U's file to U: $(ct $T/cu chown $(id -u):$(id -g) $T/cu)"
echo "ctime after explicit times on U's file: $(ct $T/cu touch -d 2001-01-01 $T/cu)"
echo "ctime after explicit times on root's file: $(ct $T/c666 touch -d 2001-01-01 $T/c666)"
echo "ctime after link: $(ct $T/c666 ln $T/c666 $T/dl/l)"
a=$(stat -c %z $T/cr)
sleep 0.02
mv $T/cr $T/dl/cr
echo "ctime after rename: $([ "$(stat -c %z $T/dl/cr)" = "$a" ] && echo same || echo changed)"
EOF

# What native root (first) and a native user 65534 answer.
cat >"$tmp/root.want" <<'EOF'
append to a 0644 file: ok
append to a 0666 file: ok
truncate a 0644 file: ok
append to a 0600 file: ok
test -w 0644: yes
test -w 0666: yes
test -w group 0660: yes
test -w 0755 dir: yes
create in 0755 dir: ok
create in 0777 dir: ok
0777 dir after create: 0 0 777
0666 file after append: 0 0 666 7
mkdir in 0755 dir: ok
mkdir in group 0770 dir: ok
group dir after mkdir: 0 65534 770
rm in 0755 dir: ok
rmdir in 0755 dir: ok
rm in 0777 dir: ok
rmdir in 0777 dir: ok
rm another's file in 1777 dir: ok
rmdir another's dir in 1777 dir: ok
mv another's file in 1777 dir: No such file or directory
rm own file in 1777 dir: ok
mkdir, rmdir in 1777 dir: ok ok
mv out of group dir: ok
mv out of 0755 dir: No such file or directory
chmod another's file: ok
chmod own file: ok 640
chown own file to root: ok
chgrp own file to root: ok
chgrp own file to own group: ok
explicit times on another's 0666 file: ok
times now on another's 0666 file: ok
times now on another's 0644 file: ok
link another's 0644 file: ok
link another's 0666 file: ok
link another's set-user-ID file: ok
link own file: ok
rmdir own mode 0 dir: ok ok
rmdir own mode 0500 dir: ok ok
rmdir own mode 0555 dir: ok ok
EOF
cat >"$tmp/user.want" <<'EOF'
append to a 0644 file: Permission denied
append to a 0666 file: ok
truncate a 0644 file: Permission denied
append to a 0600 file: Permission denied
test -w 0644: no
test -w 0666: yes
test -w group 0660: yes
test -w 0755 dir: no
create in 0755 dir: Permission denied
create in 0777 dir: ok
0777 dir after create: 0 0 777
0666 file after append: 0 0 666 7
mkdir in 0755 dir: Permission denied
mkdir in group 0770 dir: ok
group dir after mkdir: 0 65534 770
rm in 0755 dir: Permission denied
rmdir in 0755 dir: Permission denied
rm in 0777 dir: ok
rmdir in 0777 dir: ok
rm another's file in 1777 dir: Operation not permitted
rmdir another's dir in 1777 dir: Operation not permitted
mv another's file in 1777 dir: Operation not permitted
rm own file in 1777 dir: ok
mkdir, rmdir in 1777 dir: ok ok
mv out of group dir: ok
mv out of 0755 dir: Permission denied
chmod another's file: Operation not permitted
chmod own file: ok 640
chown own file to root: Operation not permitted
chgrp own file to root: Operation not permitted
chgrp own file to own group: ok
explicit times on another's 0666 file: Operation not permitted
times now on another's 0666 file: ok
times now on another's 0644 file: Permission denied
link another's 0644 file: Operation not permitted
link another's 0666 file: ok
link another's set-user-ID file: Operation not permitted
link own file: ok
rmdir own mode 0 dir: ok ok
rmdir own mode 0500 dir: ok ok
rmdir own mode 0555 dir: ok ok
EOF

cat >"$tmp/more-root.want" <<'EOF'
append to a 4777 file: ok 4777
append to a 2777 file: ok 2777
append to a 2767 file of group 0: ok 2767
append to a 2767 file of group U: ok 2767
truncate a 4777 file: ok 4777
chgrp U's 6765 file of group 0: ok 0 2765
ctime after reading: same
ctime after append: changed
ctime after chmod of root's file: changed
ctime after chmod of U's file: changed
ctime after chmod of U's file to its mode: changed
ctime after chown of U's file to U: changed
ctime after explicit times on U's file: changed
ctime after explicit times on root's file: changed
ctime after link: changed
ctime after rename: changed
EOF
cat >"$tmp/more-user.want" <<'EOF'
append to a 4777 file: ok 777
append to a 2777 file: ok 777
append to a 2767 file of group 0: ok 767
append to a 2767 file of group U: ok 2767
truncate a 4777 file: ok 777
chgrp U's 6765 file of group 0: ok 65534 765
ctime after reading: same
ctime after append: changed
ctime after chmod of root's file: same
ctime after chmod of U's file: changed
ctime after chmod of U's file to its mode: changed
ctime after chown of U's file to U: changed
ctime after explicit times on U's file: changed
ctime after explicit times on root's file: same
ctime after link: changed
ctime after rename: changed
EOF

chmod 755 "$tmp"
if is_root; then
	sh "$tmp/mkmore.sh" "$tmp/m-root"
	sh "$tmp/mkmore.sh" "$tmp/m-user"
	chown $U "$tmp/m-user"
	sh "$tmp/more.sh" "$tmp/m-root" >"$tmp/more-root.native" 2>&1 || true
	setpriv --reuid=$U --regid=$U --clear-groups sh "$tmp/more.sh" "$tmp/m-user" \
		>"$tmp/more-user.native" 2>&1 || true
	is_file "more rules: native root answers as written here" "$tmp/more-root.want" \
		"$tmp/more-root.native"
	is_file "more rules: a native user $U answers as written here" "$tmp/more-user.want" \
		"$tmp/more-user.native"
else
	skip "more rules: native root answers as written here" "needs root"
	skip "more rules: a native user answers as written here" "needs root"
fi
if is_root; then
	mkrules "$tmp/n-root"
	mkrules "$tmp/n-user"
	sh "$tmp/rules.sh" "$tmp/n-root" >"$tmp/root.native" 2>&1 || true
	setpriv --reuid=$U --regid=$U --clear-groups sh "$tmp/rules.sh" "$tmp/n-user" \
		>"$tmp/user.native" 2>&1 || true
	is_file "native root answers as written here" "$tmp/root.want" "$tmp/root.native"
	is_file "a native user $U answers as written here" "$tmp/user.want" "$tmp/user.native"
else
	skip "native root answers as written here" "needs root"
	skip "a native user answers as written here" "needs root"
fi

mkdir "$tmp/v"
vr --fake-root -- sh "$tmp/mk.sh" "$tmp/v/root" >"$tmp/mk.out" 2>&1 || cat "$tmp/mk.out"
vr --fake-root -- sh "$tmp/mk.sh" "$tmp/v/user" >"$tmp/mk.out" 2>&1 || cat "$tmp/mk.out"
vr --fake-root -- sh "$tmp/rules.sh" "$tmp/v/root" >"$tmp/root.vroot" 2>&1 || true
vr --uid $U --gid $U -- sh "$tmp/rules.sh" "$tmp/v/user" >"$tmp/user.vroot" 2>&1 || true
is_file "fake root: $(wc -l <"$tmp/root.want") rules as native root's" "$tmp/root.want" \
	"$tmp/root.vroot"
is_file "virtual user $U: $(wc -l <"$tmp/user.want") rules as a native user's" "$tmp/user.want" \
	"$tmp/user.vroot"
vr --fake-root -- sh -c "sh $tmp/mkmore.sh $tmp/v/m-root && sh $tmp/mkmore.sh $tmp/v/m-user &&
	chown $U $tmp/v/m-user" >"$tmp/mk.out" 2>&1 || cat "$tmp/mk.out"
vr --fake-root -- sh "$tmp/more.sh" "$tmp/v/m-root" >"$tmp/more-root.vroot" 2>&1 || true
vr --uid $U --gid $U -- sh "$tmp/more.sh" "$tmp/v/m-user" >"$tmp/more-user.vroot" 2>&1 || true
is_file "fake root: $(wc -l <"$tmp/more-root.want") more rules as native root's" \
	"$tmp/more-root.want" "$tmp/more-root.vroot"
is_file "virtual user $U: $(wc -l <"$tmp/more-user.want") more rules as a native user's" \
	"$tmp/more-user.want" "$tmp/more-user.vroot"
done_testing
