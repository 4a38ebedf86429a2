#!/bin/sh
# descriptor-owner-record.sh - fchmod on a descriptor of a file another
# session gave an owner's record meanwhile: the change goes into the
# record (the owner and mode the file shows), not only into the host
# file's own mode, however recently the descriptor was changed before.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3 mkfifo
plan 2

mkdir -p "$tmp/ctl"
mkfifo "$tmp/ctl/go" "$tmp/ctl/done"
# A: makes f, changes it through its descriptor, waits, then changes it again.
cat >"$tmp/a.py" <<'EOF'
import os, sys
d = sys.argv[1]
fd = os.open(os.path.join(d, "f"), os.O_CREAT | os.O_WRONLY, 0o600)
os.fchmod(fd, 0o640)
os.fchmod(fd, 0o644)
open(sys.argv[2], "w").close()          # let B set the record
open(sys.argv[3]).read()                # B is done
os.fchmod(fd, 0o604)
st = os.stat(os.path.join(d, "f"))
print("%d:%d:%o" % (st.st_uid, st.st_gid, st.st_mode & 0o7777))
EOF
mkdir -p "$tmp/v"
vr --mount "$tmp/ctl:/ctl" -- python3 "$tmp/a.py" "$tmp/v" /ctl/go /ctl/done >"$tmp/a.out" 2>&1 &
a=$!
cat "$tmp/ctl/go" >/dev/null
# B: another session on the same prefix, as root inside: chown records 123:456.
capture b vr --fake-root -- chown 123:456 "$tmp/v/f"
: >"$tmp/ctl/done"
wait $a || true
is "fchmod after another session's chown: the recorded owner stays, the mode changes" \
	"123:456:604" "$(cat "$tmp/a.out")"
capture s vr --fake-root -- stat -c %u:%g:%a "$tmp/v/f"
is "... as a later session sees it too" "123:456:604" "$(cat "$tmp/s.out")$(cat "$tmp/s.err")"
done_testing
