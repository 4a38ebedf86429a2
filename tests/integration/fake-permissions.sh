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
. "$(dirname "$0")/perm-rules.lib"
perm_rules "$tmp/rules.sh"

cat >"$tmp/mk.sh" <<EOF
U=$U
. "$top/tests/integration/perm-rules.lib"
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
