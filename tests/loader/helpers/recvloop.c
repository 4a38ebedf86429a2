/*
 * recvloop.c - N datagrams written on one end of an AF_UNIX socketpair and
 * received on the other; prints ns per write + receive.
 * Usage: recvloop N MODE
 *   recv      recvfrom(fd, buf, len, 0, NULL, NULL), as recv(3) does
 *   recvfrom  recvfrom() asking for the sender's address
 *   recvmsg   recvmsg() without msg_name
 *   recvname  recvmsg() with msg_name
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, i;
	const char *mode = argc > 2 ? argv[2] : "recv";
	struct sockaddr_un from;
	socklen_t fl;
	struct timespec a, b;
	char buf[16];
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr m;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		ssize_t r;

		if (write(sv[0], "x", 1) != 1)
			return 1;
		fl = sizeof(from);
		memset(&m, 0, sizeof(m));
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		if (!strcmp(mode, "recvfrom")) {
			r = recvfrom(sv[1], buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		} else if (!strcmp(mode, "recvmsg")) {
			r = recvmsg(sv[1], &m, 0);
		} else if (!strcmp(mode, "recvname")) {
			m.msg_name = &from;
			m.msg_namelen = sizeof(from);
			r = recvmsg(sv[1], &m, 0);
		} else {
			r = recv(sv[1], buf, sizeof(buf), 0);
		}
		if (r != 1)
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
