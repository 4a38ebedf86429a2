/*
 * untrapped.c - the path- and fd-taking calls that are easy to forget,
 * each aimed at a host path outside the namespace and at a virtual one.
 *
 *     untrapped HOSTDIR
 *
 * HOSTDIR holds "secret" (a file) and "sock" (a bound AF_UNIX datagram
 * socket), and is not in the namespace.  The namespace has /target (a file
 * reading "base file").  One line per call: its name and what it returned
 * ("ok", a detail, or the errno's name).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/quota.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef __NR_open_tree
#define __NR_open_tree  428
#define __NR_move_mount 429
#define __NR_fsopen     430
#define __NR_fsconfig   431
#define __NR_fsmount    432
#define __NR_fspick     433
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_quotactl_fd
#define __NR_quotactl_fd 443
#endif
#define __NR_open_tree_attr_ 467 /* Linux 6.15 */
#define __NR_file_getattr_   468 /* Linux 6.17 */
#define __NR_file_setattr_   469
#define OPEN_TREE_CLONE_     1
#define FSCONFIG_CMD_CREATE_ 6

static void
say(const char *what, long r, const char *detail)
{
	if (r < 0)
		printf("%s: %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %s\n", what, detail ? detail : "ok");
}

/* What the O_PATH descriptor @fd reads as, reopened through /proc. */
static const char *
reopen(long fd, char *buf, size_t size)
{
	char p[64];
	ssize_t n;
	int r;

	snprintf(p, sizeof(p), "/proc/self/fd/%ld", fd);
	r = open(p, O_RDONLY);
	if (r < 0)
		return strerrorname_np(errno);
	n = read(r, buf, size - 1);
	close(r);
	buf[n < 0 ? 0 : n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void
sendmmsg_to(const char *what, const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct mmsghdr m[2];
	struct iovec iov[2] = {{(void *)"a", 1}, {(void *)"bc", 2}};
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	char detail[64];
	long r;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 2; i++) {
		m[i].msg_hdr.msg_name = &a;
		m[i].msg_hdr.msg_namelen = sizeof(a);
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	r = sendmmsg(s, m, 2, 0);
	snprintf(detail, sizeof(detail), "%ld sent, lengths %u %u", r, m[0].msg_len, m[1].msg_len);
	say(what, r, detail);
	close(s);
}

int
main(int argc, char **argv)
{
	char secret[4096], sock[4096], buf[256], detail[300];
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	long fd, r;
	int s;

	if (argc != 2) {
		fprintf(stderr, "usage: untrapped HOSTDIR\n");
		return 2;
	}
	snprintf(secret, sizeof(secret), "%s/secret", argv[1]);
	snprintf(sock, sizeof(sock), "%s/sock", argv[1]);

	fd = syscall(__NR_open_tree, AT_FDCWD, secret, 0);
	say("open_tree host", fd, fd < 0 ? NULL : reopen(fd, buf, sizeof(buf)));
	fd = syscall(__NR_open_tree, AT_FDCWD, "/target", O_CLOEXEC);
	say("open_tree virtual", fd, fd < 0 ? NULL : reopen(fd, buf, sizeof(buf)));
	if (fd >= 0) {
		r = fcntl((int)fd, F_GETFL);
		snprintf(detail, sizeof(detail), "%s%s", r & O_PATH ? "O_PATH" : "not O_PATH",
		         fcntl((int)fd, F_GETFD) & FD_CLOEXEC ? " cloexec" : "");
		say("open_tree flags", r, detail);
	}
	fd = syscall(__NR_open_tree_attr_, AT_FDCWD, secret, 0, NULL, 0);
	say("open_tree_attr host", fd, fd < 0 ? NULL : reopen(fd, buf, sizeof(buf)));
	/* struct file_attr (24 bytes, the flags first): 0 flags changes none. */
	memset(buf, 0, 24);
	say("file_getattr host", syscall(__NR_file_getattr_, AT_FDCWD, secret, buf, 24, 0), NULL);
	say("file_setattr host", syscall(__NR_file_setattr_, AT_FDCWD, secret, buf, 24, 0), NULL);
	say("open_tree clone", syscall(__NR_open_tree, AT_FDCWD, argv[1], OPEN_TREE_CLONE_), NULL);
	say("move_mount", syscall(__NR_move_mount, AT_FDCWD, argv[1], AT_FDCWD, "/", 0), NULL);
	say("fsopen", syscall(__NR_fsopen, "tmpfs", 0), NULL);
	say("fspick", syscall(__NR_fspick, AT_FDCWD, argv[1], 0), NULL);
	say("fsconfig", syscall(__NR_fsconfig, -1, FSCONFIG_CMD_CREATE_, NULL, NULL, 0), NULL);
	say("fsmount", syscall(__NR_fsmount, -1, 0, 0), NULL);
	say("mount_setattr", syscall(__NR_mount_setattr, AT_FDCWD, argv[1], 0, buf, 32), NULL);
	say("quotactl", syscall(__NR_quotactl, QCMD(Q_GETFMT, USRQUOTA), secret, 0, buf), NULL);
	fd = open("/target", O_RDONLY);
	say("quotactl_fd", syscall(__NR_quotactl_fd, fd, QCMD(Q_GETFMT, USRQUOTA), 0, buf), NULL);
	close((int)fd);

	sendmmsg_to("sendmmsg host", sock);
	/* A socket bound inside: the name is virtual. */
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	strcpy(a.sun_path, "/vsock");
	unlink("/vsock");
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		say("bind /vsock", -1, NULL);
		return 1;
	}
	sendmmsg_to("sendmmsg virtual", "/vsock");
	r = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
	r = r < 0 ? r : r + recv(s, buf + r, sizeof(buf) - (size_t)r, MSG_DONTWAIT);
	buf[r < 0 ? 0 : r] = '\0';
	say("received", r, buf);
	return 0;
}
