#!/bin/sh
# fake-sudo.sh - sudo works under a faked identity, as an unprivileged host
# user: `sudo -n true`-style checks see root.  sudo wants to be set-user-ID
# root (the virtual owner and mode of /usr/bin/sudo say so), reads a
# sudoers file only root may read, opens a PAM session, changes limits
# and ids, and sends audit messages, which the kernel refuses to a user
# without CAP_AUDIT_WRITE: a faked root is answered as a root in a user
# namespace is (ECONNREFUSED, "no audit here"), so sudo says nothing.
#
# The host's /etc/sudoers is root's 0440: the first run puts the test's
# own in the prefix (root:root 0440 through --fake-root chown/chmod),
# with a rule for a virtual user the prefix's /etc/passwd adds (and a
# shadow file of its own, which PAM's account check reads).
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd sudo
plan 8

# A user id no host has: the prefix's own /etc/passwd names it.
u=43210
capture setup vr --fake-root -- sh -c "
	rm -f /etc/sudoers
	cat >/etc/sudoers <<EOF
Defaults timestampdir=/var/tmp/sudo-ts
root ALL=(ALL:ALL) NOPASSWD: ALL
vrsudo ALL=(ALL:ALL) NOPASSWD: /usr/bin/id
EOF
	chown root:root /etc/sudoers && chmod 0440 /etc/sudoers
	echo vrsudo:x:$u:$u::/:/bin/sh >>/etc/passwd
	echo vrsudo:x:$u: >>/etc/group
	rm -f /etc/shadow
	printf 'root:*:19000:0:99999:7:::\nvrsudo:*:19000:0:99999:7:::\n' >/etc/shadow
	chown root:shadow /etc/shadow && chmod 0640 /etc/shadow
	stat -c '%U:%G %a %n' /etc/sudoers \$(readlink -f /usr/bin/sudo)"
is "sudoers and sudo as root owns them (setup status $rc)" \
	"root:root 440 /etc/sudoers
root:root 4755 /usr/bin/sudo" "$(cat "$tmp/setup.out" "$tmp/setup.err")"

# run NAME DESC WANT ARGS...: vroot run ARGS; WANT is its status, output
# and error output.
run() {
	name=$1 desc=$2 want=$3
	shift 3
	capture "$name" vr "$@"
	is "$desc" "$want" "$rc $(cat "$tmp/$name.out" "$tmp/$name.err")"
}

run true "fake root: sudo -n true, nothing on stderr" "0 " \
	--fake-root -- sudo -n true
run id "fake root: sudo -n id -u" "0 0" \
	--fake-root -- sudo -n id -u
run nobody "fake root: sudo -n -u nobody id (setresuid, initgroups)" "0 65534 65534" \
	--fake-root -- sudo -n -u nobody sh -c 'echo $(id -u) $(id -g)'
run user "a virtual user: set-user-ID sudo -n id -u" "0 0 $u" \
	--uid "$u" --gid "$u" -- sh -c 'r=$(sudo -n id -u) && echo $r $(id -u)'
run refused "a virtual user: no rule, no password: refused" \
	"1 sudo: a password is required" \
	--uid "$u" --gid "$u" -- sudo -n true
run unread "a virtual user cannot read sudoers" \
	"1 cat: /etc/sudoers: Permission denied" \
	--uid "$u" --gid "$u" -- cat /etc/sudoers
# The ids the other user's status file shows: all four of each moved.
run status "fake root: sudo -n -u nobody, its status file" \
	"0 Uid:	65534	65534	65534	65534
Gid:	65534	65534	65534	65534" \
	--fake-root -- sudo -n -u nobody grep -e ^Uid -e ^Gid /proc/self/status
done_testing
