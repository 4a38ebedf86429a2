#!/bin/sh
# exec-as-another-user.sh - when root starts a session whose prefix lies in
# a directory only root may search, and a program in it becomes another
# user for real (setpriv, su, subprocess's user=), the programs that user
# runs still start in the namespace: each new image takes the session's
# directories from the descriptors the previous one held, not from paths
# the user may not reach, and the program sees none of them.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd setpriv
need_root "a session started by root"
plan 3
chmod 700 "$tmp"
drop() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

capture n drop sh -c 'id -u; head -c 0 /etc/hostname && echo read; ls /proc/self/fd | wc -l'
capture v vr -- setpriv --reuid=65534 --regid=65534 --clear-groups \
	sh -c 'id -u; head -c 0 /etc/hostname && echo read; ls /proc/self/fd | wc -l'
is "a program run by the other user starts in the namespace" "0 $(cat "$tmp/n.out")" \
	"$rc $(cat "$tmp/v.out" "$tmp/v.err")"

if [ -x /usr/bin/python3 ]; then
	prog='import subprocess, sys
print(subprocess.run([sys.executable, "-c", "import os; print(os.getuid())"], user=65534,
                     capture_output=True, text=True).stdout.strip())'
	is "python's subprocess with user=65534 (CPython's test_user)" "65534" \
		"$(vr -- /usr/bin/python3 -c "$prog" 2>&1)"
else
	skip "python's subprocess with user=" "no /usr/bin/python3"
fi
# The other user's programs see the namespace: a file root wrote is there.
is "the other user reads what root wrote in the prefix" "root wrote" \
	"$(vr -- sh -c 'echo "root wrote" >/var/tmp/by-root; chmod 644 /var/tmp/by-root
		setpriv --reuid=65534 --regid=65534 --clear-groups cat /var/tmp/by-root' 2>&1)"
done_testing
