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
plan 4

U=65534
cat >"$tmp/rules.sh" <<'EOF'
e() { r=$("$@" 2>&1 >/dev/null) && echo ok || echo "${r##*: }"; }
T=$1
echo "append to a 0644 file: $(e sh -c "echo x >>$T/f644")"
echo "append to a 0666 file: $(e sh -c "echo x >>$T/f666")"
echo "truncate a 0644 file: $(e sh -c ": >$T/f644")"
echo "append to a 0600 file: $(e sh -c "echo x >>$T/f600")"
echo "test -w 0644: $(test -w $T/f644 && echo yes || echo no)"
echo "test -w 0666: $(test -w $T/f666 && echo yes || echo no)"
echo "test -w group 0660: $(test -w $T/dgrp/f && echo yes || echo no)"
echo "test -w 0755 dir: $(test -w $T/d755 && echo yes || echo no)"
echo "create in 0755 dir: $(e touch $T/d755/new)"
echo "create in 0777 dir: $(e touch $T/d777/new)"
echo "0777 dir after create: $(stat -c '%u %g %a' $T/d777)"
echo "0666 file after append: $(stat -c '%u %g %a %s' $T/f666)"
echo "mkdir in 0755 dir: $(e mkdir $T/d755/x)"
echo "mkdir in group 0770 dir: $(e mkdir $T/dgrp/x)"
echo "group dir after mkdir: $(stat -c '%u %g %a' $T/dgrp)"
echo "rm in 0755 dir: $(e rm -f $T/d755/f)"
echo "rmdir in 0755 dir: $(e rmdir $T/d755/sub)"
echo "rm in 0777 dir: $(e rm -f $T/d777/f)"
echo "rmdir in 0777 dir: $(e rmdir $T/d777/sub)"
echo "rm another's file in 1777 dir: $(e rm -f $T/d1777/froot)"
echo "rmdir another's dir in 1777 dir: $(e rmdir $T/d1777/droot)"
echo "mv another's file in 1777 dir: $(e mv $T/d1777/froot $T/d1777/moved)"
echo "rm own file in 1777 dir: $(e rm -f $T/d1777/fuser)"
echo "mkdir, rmdir in 1777 dir: $(e mkdir $T/d1777/m) $(e rmdir $T/d1777/m)"
echo "mv out of group dir: $(e mv $T/dgrp/f $T/d777/g)"
echo "mv out of 0755 dir: $(e mv $T/d755/f $T/d777/h)"
echo "chmod another's file: $(e chmod 600 $T/f666)"
echo "chmod own file: $(e chmod 640 $T/fuser) $(stat -c '%a' $T/fuser)"
echo "chown own file to root: $(e chown 0 $T/fuser)"
echo "chgrp own file to root: $(e chgrp 0 $T/fuser)"
echo "chgrp own file to own group: $(e chgrp $(id -g) $T/fuser)"
echo "explicit times on another's 0666 file: $(e touch -d 2001-01-01 $T/f666)"
echo "times now on another's 0666 file: $(e touch $T/f666)"
echo "times now on another's 0644 file: $(e touch $T/f644)"
echo "link another's 0644 file: $(e ln $T/f644 $T/d777/l1)"
echo "link another's 0666 file: $(e ln $T/f666 $T/d777/l2)"
echo "link another's set-user-ID file: $(e ln $T/fsuid $T/d777/l3)"
echo "link own file: $(e ln $T/fuser $T/d777/l4)"
echo "rmdir own mode 0 dir: $(e mkdir -m 0 $T/d777/a) $(e rmdir $T/d777/a)"
echo "rmdir own mode 0500 dir: $(e mkdir -m 500 $T/d777/b) $(e rmdir $T/d777/b)"
echo "rmdir own mode 0555 dir: $(e mkdir -m 555 $T/d777/c) $(e rmdir $T/d777/c)"
EOF

mkrules() {
	mkdir -p "$1/d755/sub" "$1/d777/sub" "$1/d1777/droot" "$1/dgrp"
	for f in f644 f666 f600 fsuid d755/f d777/f d1777/froot dgrp/f fuser; do
		echo data >"$1/$f"
	done
	chmod 644 "$1/f644"
	chmod 666 "$1/f666" "$1/d1777/froot"
	chmod 600 "$1/f600"
	chmod 4777 "$1/fsuid"
	chmod 777 "$1/d777" "$1/d1777/droot"
	chmod 1777 "$1/d1777"
	chown "$U:$U" "$1/fuser"
	chown "0:$U" "$1/dgrp" "$1/dgrp/f"
	chmod 770 "$1/dgrp"
	chmod 660 "$1/dgrp/f"
	touch -d 2020-01-01 "$1/f666"
}

cat >"$tmp/mk.sh" <<EOF
U=$U
$(sed -n '/^mkrules() {/,/^}/p' "$0")
mkrules "\$1"
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

chmod 755 "$tmp"
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
done_testing
