#!/bin/sh
# descriptor-owner-record.sh - fchmod on a descriptor of a file another
# session gave an owner's record meanwhile: it is judged on the owner the
# record gives (root may, a user who no longer owns the file may not) and
# changes the mode the record gives, not only the host file's own mode,
# however recently the descriptor was changed before.
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
try:
    os.fchmod(fd, 0o604)
    r = "ok"
except PermissionError:
    r = "EPERM"
st = os.stat(os.path.join(d, "f"))
print("%s %d:%d:%o" % (r, st.st_uid, st.st_gid, st.st_mode & 0o7777))
EOF
mkdir -p "$tmp/v"
vr --mount "$tmp/ctl:/ctl" -- python3 "$tmp/a.py" "$tmp/v" /ctl/go /ctl/done >"$tmp/a.out" 2>&1 &
a=$!
cat "$tmp/ctl/go" >/dev/null
# B: another session on the same prefix, as root inside: chown records 123:456.
capture b vr --fake-root -- chown 123:456 "$tmp/v/f"
: >"$tmp/ctl/done"
wait $a || true
# Root may change a file it does not own; a user may not.
if is_root; then want="ok 123:456:604"; else want="EPERM 123:456:644"; fi
is "fchmod after another session's chown: judged and made on the recorded owner and mode" \
	"$want" "$(cat "$tmp/a.out")"
capture s vr --fake-root -- stat -c %u:%g:%a "$tmp/v/f"
is "... as a later session sees it" "${want#* }" "$(cat "$tmp/s.out")$(cat "$tmp/s.err")"
done_testing
