#!/bin/sh
# listing-bad-descriptors.sh - getdents64 on what is not an open
# directory answers as natively: EBADF for an O_PATH descriptor and a
# closed one, ENOTDIR for a pipe and a regular file.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 1

cat >"$tmp/gd.py" <<'PY'
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(4096)

def gd(name, fd):
    r = libc.syscall(217, fd, buf, 4096)  # getdents64
    print(name, "entries" if r > 0 else errno.errorcode.get(ctypes.get_errno(), r))

gd("O_PATH directory:", os.open("/etc", os.O_PATH | os.O_DIRECTORY))
r, w = os.pipe()
gd("pipe:", r)
gd("regular file:", os.open("/etc/hostname", os.O_RDONLY))
gd("closed:", 999)
gd("directory:", os.open("/etc", os.O_RDONLY | os.O_DIRECTORY))
PY
python3 "$tmp/gd.py" >"$tmp/native.out" 2>&1
capture vr vr -- python3 "$tmp/gd.py"
is_file "getdents64 on an O_PATH, a pipe, a file, a closed number and a directory" \
	"$tmp/native.out" "$tmp/vr.out"
