# stat_as_user.py PATH DIR MODE [OWNER] - as root, give DIR the owner uid
# OWNER (if given) and the octal MODE (0: leave it), stat PATH twice, then
# become user 65534 and stat it twice more (the second time from whatever
# the first kept).  Prints "WHO ok" or "WHO <strerror>" for each stat.
import os
import sys

path, top, mode = sys.argv[1], sys.argv[2], int(sys.argv[3], 8)
if len(sys.argv) > 4:
    os.chown(top, int(sys.argv[4]), -1)
if mode:
    os.chmod(top, mode)


def stat(who):
    try:
        os.stat(path)
        print(who, "ok")
    except OSError as e:
        print(who, os.strerror(e.errno))


stat("root")
stat("root again")
os.setgid(65534)
os.setgroups([])
os.setuid(65534)
stat("user")
stat("user again")
