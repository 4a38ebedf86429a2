/*
 * recv_signal.c - a signal arriving while recvfrom() (with an address) or
 * recvmsg() blocks on an AF_UNIX datagram socket must interrupt it as
 * natively: EINTR without SA_RESTART, a transparent restart with it.
 * Usage: recv_signal
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int hits;

static void
on_alrm(int sig)
{
	(void)sig;
	hits++;
}

/* One receive on @fd, by recvfrom or recvmsg (@msg), asking for the sender. */
static ssize_t
receive(int fd, int msg, char *buf, size_t n, socklen_t *alen)
{
	struct sockaddr_un from;
	struct iovec iov = {buf, n};
	struct msghdr m = {
	        .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t r;

	*alen = sizeof(from);
	if (!msg)
		return recvfrom(fd, buf, n, 0, (struct sockaddr *)&from, alen);
	r = recvmsg(fd, &m, 0);
	*alen = m.msg_namelen;
	return r;
}

int
main(void)
{
	struct sigaction sa;
	char buf[8];
	socklen_t alen;
	int sv[2], msg, st;
	ssize_t r;
	pid_t w;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return 1;
	for (msg = 0; msg < 2; msg++) {
		const char *call = msg ? "recvmsg" : "recvfrom";

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alrm;
		sigaction(SIGALRM, &sa, NULL);
		ualarm(200000, 0);
		r = receive(sv[1], msg, buf, sizeof(buf), &alen);
		printf("%s, no SA_RESTART: r=%zd errno=%s hits=%d\n", call, r,
		       r < 0 ? strerror(errno) : "-", hits);

		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, NULL);
		w = fork();
		if (w == 0) {
			usleep(600000);
			_exit(write(sv[0], "late", 4) != 4);
		}
		ualarm(200000, 0);
		r = receive(sv[1], msg, buf, sizeof(buf), &alen);
		waitpid(w, &st, 0);
		printf("%s, SA_RESTART: r=%zd addrlen=%u hits=%d\n", call, r, (unsigned)alen, hits);
	}
	return 0;
}
