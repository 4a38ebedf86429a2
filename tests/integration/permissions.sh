#!/bin/sh
# permissions.sh - a user changing what it does not own is refused inside as
# natively.  vroot changes copies in the prefix, which belong to the user:
# the rules must be judged on the owner and mode each object shows (owner,
# group and other bits, sticky directories, owner-only chmod, chown and
# explicit times, protected hard links), and a copy keeps showing the owner
# and mode the object had.  Each rule is tried by the same user natively and
# through `vroot run`, and the answers compared line by line.
#
# As root: a root-owned tree, tried as uid 65534 (setpriv).  As a user: the
# host's own root-owned /etc and /usr, tried as that user.  (The root
# directory itself is the prefix, the user's own, inside as on a kernel
# overlay mount: names may be made there.)
set -eu
. "$(dirname "$0")/lib.sh"

U=65534
. "$(dirname "$0")/perm-rules.lib"
perm_rules "$tmp/rules.sh"
# The same rules on the host's root-owned /etc, for a user.
cat >"$tmp/host.sh" <<'EOF'
e() { r=$("$@" 2>&1 >/dev/null) && echo ok || echo "${r##*: }"; }
echo "append to /etc/passwd: $(e sh -c 'echo x >>/etc/passwd')"
echo "truncate /etc/passwd: $(e sh -c ': >/etc/passwd')"
echo "test -w /etc/passwd: $(test -w /etc/passwd && echo yes || echo no)"
echo "create in /etc: $(e touch /etc/vroot-new)"
echo "mkdir in /etc: $(e mkdir /etc/vroot-new)"
echo "rm /etc/passwd: $(e rm -f /etc/passwd)"
echo "rmdir /usr/bin: $(e rmdir /usr/bin)"
echo "mv /etc/passwd: $(e mv /etc/passwd /etc/passwd.vroot)"
echo "chmod /etc/passwd: $(e chmod 600 /etc/passwd)"
echo "chgrp /etc/passwd: $(e chgrp $(id -g) /etc/passwd)"
echo "times now on /etc/passwd: $(e touch /etc/passwd)"
echo "explicit times on /etc/passwd: $(e touch -d 2001-01-01 /etc/passwd)"
echo "link /etc/passwd: $(e ln /etc/passwd $HOME_DIR/passwd-link)"
echo "/etc/passwd afterwards: $(stat -c '%u %g %a %s' /etc/passwd)"
EOF

# compare NAME: one test per line of $tmp/NAME.native against $tmp/NAME.vroot.
compare() {
	nl=$(wc -l <"$tmp/$1.native")
	i=0
	while [ "$i" -lt "$nl" ]; do
		i=$((i + 1))
		want=$(sed -n "${i}p" "$tmp/$1.native")
		got=$(sed -n "${i}p" "$tmp/$1.vroot")
		is "${want%%: *}" "$want" "$got"
	done
}

as_user() { setpriv --reuid=$U --regid=$U --clear-groups "$@"; }

if is_root; then
	need_cmd setpriv git
	chmod 755 "$tmp"
	mkdir "$tmp/home"
	chown "$U:$U" "$tmp/home"
	mkrules "$tmp/native"
	mkrules "$tmp/base"
	plan 45
	as_user sh "$tmp/rules.sh" "$tmp/native" >"$tmp/rules.native"
	as_user "$VROOT" run --base / --prefix "$tmp/home/prefix" -- \
		sh "$tmp/rules.sh" "$tmp/base" >"$tmp/rules.vroot"
	compare rules
	is "the base is untouched" "" "$(find "$tmp/base" -newer "$tmp/home" -print)"

	# git clone of a root-owned repository links its objects where it may.
	git init -q "$tmp/repo"
	echo a >"$tmp/repo/a"
	git -C "$tmp/repo" add a
	git -C "$tmp/repo" -c user.name=t -c user.email=t@t commit -qm a
	printf '[safe]\n\tdirectory = *\n' >"$tmp/home/.gitconfig"
	chown "$U:$U" "$tmp/home/.gitconfig"
	capture clone as_user env HOME="$tmp/home" "$VROOT" run --base / \
		--prefix "$tmp/home/prefix" -- git clone -q "$tmp/repo" "$tmp/home/clone"
	is "git clone of a root-owned repository" "0" "$rc"

	# A second user inside a session root started: only the virtual
	# objects' permissions count, not who owns the prefix.  Where root
	# copied the directory up already, the user's mkdir and rmdir need
	# nothing of the prefix but that directory.
	capture second0 vr --base / -- sh -c "touch $tmp/base/d1777/by-root &&
		setpriv --reuid=$U --regid=$U --clear-groups \
		sh -c 'mkdir $tmp/base/d1777/second && rmdir $tmp/base/d1777/second'"
	is "a second user makes and removes a directory in a 1777 directory root changed" \
		"0" "$rc"
	capture second "$VROOT" run --prefix "$tmp/prefix2" --base / -- setpriv --reuid=$U --regid=$U --clear-groups \
		sh -c "mkdir $tmp/base/d1777/second && rmdir $tmp/base/d1777/second"
	is "a second user makes and removes a directory in a 1777 base directory" "0" "$rc"
else
	if [ "$(stat -c %u /etc/passwd)" != 0 ] || [ "$(stat -c %u /etc)" != 0 ] ||
		[ "$(stat -c %u /usr)" != 0 ]; then
		echo "1..0 # SKIP the host's /etc and /usr are not root's"
		exit 0
	fi
	mkdir "$tmp/n" "$tmp/v"
	plan 14
	HOME_DIR=$tmp/n sh "$tmp/host.sh" >"$tmp/host.native"
	HOME_DIR=$tmp/v vr --base / -- sh "$tmp/host.sh" >"$tmp/host.vroot"
	compare host
fi
done_testing
