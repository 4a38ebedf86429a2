/*
 * state.c - handing the session to the loader.
 *
 * The loader takes its state from its own command line, "--state=HEX", a
 * sequence of records [type:1][length:2, little endian][bytes], each byte
 * as two lowercase hex digits.  The command line is the one channel a
 * program cannot take from its children, and the loader strips it before
 * the program sees its argv.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state.h"

static char *
put_hex(char *o, const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		*o++ = digits[b[i] >> 4];
		*o++ = digits[b[i] & 15];
	}
	return o;
}

char *
vr_cli_state(struct vr_cli *c, struct vr_task *t, int helper)
{
	long n = vr_task_pack(t, NULL, 0);
	unsigned char *blob, head[3], inherit[3 + sizeof(int)];
	char *s, *o;

	if (n < 0 || n > 0xffff) {
		vr_cli_error(c, "cannot pass the namespace to the loader: %s",
		             n < 0 ? strerror((int)-n) : "too many or too long paths");
		return NULL;
	}
	blob = malloc((size_t)n);
	s = malloc(sizeof("--state=") + 2 * (3 + (size_t)n) + 2 * sizeof(inherit));
	if (!blob || !s || vr_task_pack(t, blob, (size_t)n) != n) {
		free(blob);
		free(s);
		vr_cli_error(c, "out of memory");
		return NULL;
	}
	head[0] = VR_STATE_TASK;
	head[1] = (unsigned char)(n & 0xff);
	head[2] = (unsigned char)(n >> 8);
	o = stpcpy(s, "--state=");
	o = put_hex(o, head, 3);
	o = put_hex(o, blob, (size_t)n);
	if (helper >= 0) {
		inherit[0] = VR_STATE_INHERIT;
		inherit[1] = sizeof(int);
		inherit[2] = 0;
		memcpy(inherit + 3, &helper, sizeof(int));
		o = put_hex(o, inherit, sizeof(inherit));
	}
	*o = '\0';
	free(blob);
	return s;
}

int
vr_cli_exec_loader(struct vr_cli *c, const char *loader, const char *state, const char *opt,
                   const char *exe, char **argv)
{
	size_t argc = 0, i = 0;
	char **v;

	while (argv[argc])
		argc++;
	v = calloc(argc + 7, sizeof(*v));
	if (!v) {
		vr_cli_error(c, "out of memory");
		return 125;
	}
	v[i++] = (char *)"vroot-loader";
	v[i++] = (char *)state;
	if (opt)
		v[i++] = (char *)opt;
	v[i++] = (char *)"--exe";
	v[i++] = (char *)exe;
	v[i++] = (char *)"--";
	memcpy(v + i, argv, (argc + 1) * sizeof(*v));
	execv(loader, v);
	vr_cli_error(c, "cannot execute %s: %s", loader, strerror(errno));
	free(v);
	return 125;
}

/* privileged() - this process may write where only root may (the prefix's directories). */
static int
privileged(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	if (geteuid() == 0)
		return 1;
	if (syscall(SYS_capget, &h, d) < 0)
		return 0;
	return (d[0].effective >> CAP_DAC_OVERRIDE) & 1;
}

/* last_pid() - the pid the kernel handed out last, or -1 when unknown. */
static long
last_pid(void)
{
	char buf[32];
	int fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/*
 * holders() - does a process other than this one hold a descriptor whose
 * link reads @want (the helper's socket, its name removed)?  Read from
 * /proc, by the links' text: following them could wait on a stuck
 * filesystem.  Only processes numbered @first or above are read (those
 * of the session, which began as @first, while pids have not wrapped
 * since: 0 reads all).  When /proc cannot be read, assume one does.
 */
static int
holders(const char *want, long first)
{
	DIR *procs = opendir("/proc");
	size_t len = strlen(want);
	char self[16];
	int found = 0;

	if (!procs)
		return 1;
	snprintf(self, sizeof(self), "%d", (int)getpid());
	for (struct dirent *p; !found && (p = readdir(procs));) {
		char path[sizeof(p->d_name) + 16], got[PATH_MAX];
		DIR *fds;

		if (p->d_name[0] < '0' || p->d_name[0] > '9' || strcmp(p->d_name, self) == 0 ||
		    strtol(p->d_name, NULL, 10) < first)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		for (struct dirent *f; fds && !found && (f = readdir(fds));) {
			ssize_t n = f->d_name[0] == '.'
			                    ? -1
			                    : readlinkat(dirfd(fds), f->d_name, got, sizeof(got));

			found = n == (ssize_t)len && memcmp(got, want, len) == 0;
		}
		if (fds)
			closedir(fds);
	}
	closedir(procs);
	return found;
}

/*
 * absolute() - @path as the helper opens it once it has left the cwd it
 * was given relative to (a `--prefix` or `--base` named from where vroot
 * was started): @cwd/@path.  Return: @path itself when absolute, else a
 * malloc'd string (NULL when out of memory).
 */
static const char *
absolute(const char *cwd, const char *path)
{
	char *p;

	if (!path || path[0] == '/')
		return path;
	p = malloc(strlen(cwd) + strlen(path) + 2);
	if (p)
		sprintf(p, "%s/%s", cwd, path);
	return p;
}

/*
 * absolute_spec() - @spec, with every path of it absolute(), into @out
 * (its arrays malloc'd).  Return: 0, or -1 (out of memory, or no cwd).
 */
static int
absolute_spec(const struct vr_ns_spec *spec, struct vr_ns_spec *out)
{
	char cwd[PATH_MAX];
	const char **lowers = calloc(spec->nlowers + 1, sizeof(*lowers));
	struct vr_mount_spec *mounts = calloc(spec->nmounts + 1, sizeof(*mounts));
	int bad = !getcwd(cwd, sizeof(cwd)) || !lowers || !mounts;

	*out = *spec;
	for (unsigned int i = 0; !bad && i < spec->nlowers; i++)
		bad = !(lowers[i] = absolute(cwd, spec->lowers[i]));
	for (unsigned int i = 0; !bad && i < spec->nmounts; i++) {
		mounts[i] = spec->mounts[i];
		bad = spec->mounts[i].host &&
		      !(mounts[i].host = absolute(cwd, spec->mounts[i].host));
	}
	if (!bad) {
		out->upper = absolute(cwd, spec->upper);
		out->work = absolute(cwd, spec->work);
		bad = (spec->upper && !out->upper) || (spec->work && !out->work);
	}
	out->lowers = lowers;
	out->mounts = mounts;
	return bad ? -1 : 0;
}

/*
 * helper_main() - the helper's process: detached from the terminal and
 * from the caller's descriptors (a pipe it kept open would hold a reader
 * of the session's output), it answers each connection in a process of
 * its own with namespace @spec, and ends when no process holds the
 * socket's descriptor (whose link reads @want) any more.  While the
 * session's first process (@first, the program) runs, it holds one: the
 * helper watches its pidfd (@pidfd, -1: none) instead of reading /proc
 * every two seconds, a read of every descriptor link of every process
 * newer than it (of all of them once pids wrapped, which it notes).
 */
static void
helper_main(const struct vr_ns_spec *given, int lsock, const char *want, pid_t first, int pidfd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	long newer = first, last = last_pid();
	struct vr_ns_spec abs, *spec = &abs;
	DIR *d;

	setsid();
	/* It reopens the prefix for each request, from "/": relative paths would miss. */
	if (absolute_spec(given, &abs) < 0 || chdir("/") < 0 || null < 0)
		_exit(1);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	d = opendir("/proc/self/fd");
	if (!d)
		_exit(1);
	for (struct dirent *e; (e = readdir(d));) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd > 2 && fd != lsock &&
		    fd != pidfd && fd != dirfd(d))
			close(fd);
	}
	closedir(d);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN); /* its children are reaped by the kernel */
	for (;;) {
		struct pollfd pfd[2] = {{lsock, POLLIN, 0}, {pidfd, POLLIN, 0}};
		int n = poll(pfd, pidfd >= 0 ? 2 : 1, 2000), conn;
		long now = last_pid();

		/* Pids wrapped around (or cannot be read): every process may be the session's. */
		if (now < 0 || now < last)
			newer = 0;
		last = now;
		if (pidfd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			close(pidfd);
			pidfd = -1;
			n = 0;
		}
		if (n == 0 && pidfd < 0 && !holders(want, newer))
			_exit(0);
		if (n <= 0 || !(pfd[0].revents & POLLIN))
			continue;
		conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0)
			continue;
		/* The prefix is opened for each: it is not in use in between (vroot reset). */
		if (fork() == 0) {
			struct vr_ns *ns;

			close(lsock);
			_exit(vr_ns_new(spec, &ns) < 0 || vr_helper_serve(ns, conn) < 0);
		}
		close(conn);
	}
}

/*
 * start_helper() - the whole work of the child that starts the helper: the
 * helper must not be the program's child (a shell's `wait` would wait for
 * it), so it is that child's, which ends at once.  That child is a vfork
 * one, sharing the caller's memory, so that the address space is copied
 * once, for the helper: a copy and its teardown cost a millisecond or
 * more where page tables are a hypervisor's to write (helper start 1.9
 * -> 0.85 ms here).  It runs below the caller's frame and calls fork()
 * and _exit() only; the cli, single-threaded, has no fork handlers that
 * would write the memory it shares.
 */
static __attribute__((noinline, noreturn)) void
start_helper(const struct vr_ns_spec *spec, int lsock, int path, const char *want, pid_t first,
             int pidfd)
{
	if (fork() != 0)
		_exit(0);
	close(path);
	helper_main(spec, lsock, want, first, pidfd);
	_exit(1); /* helper_main() ends the process itself */
}

/*
 * listen_hidden() - a listening socket bound in a new directory of the
 * work directory @work only root may enter, and an O_PATH descriptor of
 * it (not close-on-exec) into *@path; both names are removed again, so
 * only that descriptor leads to the socket.  Return: the socket or -1.
 */
static int
listen_hidden(const char *work, int *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char dir[PATH_MAX];
	int s = -1, dfd;

	*path = -1;
	if (snprintf(dir, sizeof(dir), "%s/vroot-helper.%d", work, (int)getpid()) >=
	            (int)sizeof(dir) ||
	    mkdir(dir, 0700) < 0)
		return -1;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* Through the directory's descriptor: short, whatever the prefix's path. */
	snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d/s", dfd);
	if (dfd >= 0)
		s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s >= 0 && (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 64) < 0 ||
	               fchmodat(dfd, "s", 0666, 0) < 0 ||
	               (*path = openat(dfd, "s", O_PATH | O_NOFOLLOW)) < 0)) {
		close(s);
		s = -1;
	}
	if (dfd >= 0) {
		unlinkat(dfd, "s", 0);
		close(dfd);
	}
	rmdir(dir);
	return s;
}

int
vr_cli_helper_start(struct vr_cli *c, const struct vr_ns_spec *spec, struct vr_ns *ns)
{
	char proc[32], want[PATH_MAX];
	ssize_t n = -1;
	int lsock, path, status, pidfd;
	pid_t pid, first;

	if (!privileged() || !c->work || vr_ns_generation(ns, &(unsigned long){0}) == -ENOENT)
		return -1;
	lsock = listen_hidden(c->work, &path);
	if (path >= 0) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path);
		n = readlink(proc, want, sizeof(want) - 1);
	}
	if (lsock < 0 || n <= 0 || n >= (ssize_t)sizeof(want) - 1) {
		if (lsock >= 0)
			close(lsock);
		if (path >= 0)
			close(path);
		return -1;
	}
	want[n] = '\0';
	first = getpid();
	pidfd = (int)syscall(SYS_pidfd_open, first, 0); /* Linux 5.3; -1 before */
	pid = vfork();
	if (pid == 0)
		start_helper(spec, lsock, path, want, first, pidfd);
	if (pidfd >= 0)
		close(pidfd);
	close(lsock);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		close(path);
		return -1;
	}
	return path;
}
