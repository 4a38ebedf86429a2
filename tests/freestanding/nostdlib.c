/*
 * nostdlib.c - libvroot linked into a static program with no C library.
 *
 * Proves the core's freestanding discipline: it links with -nostdlib
 * -static (any libc call would be an undefined symbol), and it works there:
 * a namespace over the host root answers like the kernel.  Prints TAP.
 */
#include "vroot.h"
#include "sys.h"
#include "util.h"

static int tests, failed;

static void
out(const char *s)
{
	vr_sys3(__NR_write, 1, s, vr_strlen(s));
}

static void
check(int pass, const char *what)
{
	char num[24];

	tests++;
	if (!pass)
		failed++;
	vr_utoa((unsigned long)tests, num);
	out(pass ? "ok " : "not ok ");
	out(num);
	out(" - ");
	out(what);
	out("\n");
}

static void
run(void)
{
	const char *lowers[] = {"/"};
	struct vr_ns_spec spec = {.lowers = lowers, .nlowers = 1};
	struct vr_ns *ns = NULL;
	struct vr_task *t = NULL;
	struct stat a, b;
	char buf[PATH_MAX];
	long n;
	int fd;

	check(vr_ns_new(&spec, &ns) == 0, "vr_ns_new over / without libc");
	if (!ns)
		return;
	check(vr_task_new(ns, &t) == 0, "vr_task_new");
	if (!t)
		return;
	check(vr_fstatat(t, AT_FDCWD, "/proc/self/exe", &a, 0) == 0 &&
	              sys_fstatat(AT_FDCWD, "/proc/self/exe", &b, 0) == 0 && a.st_ino == b.st_ino &&
	              a.st_dev == b.st_dev,
	      "vr_fstatat agrees with the kernel");
	n = vr_realpath(t, AT_FDCWD, "/proc/../proc/./self/..//self/", 0, buf, sizeof(buf));
	check(n > 0 && vr_strcmp(buf, "/proc/self") != 0 && buf[0] == '/',
	      "vr_realpath resolves the /proc/self link to a pid directory");
	check(vr_fstatat(t, AT_FDCWD, "/missing-vroot-name/..", &a, 0) == -ENOENT,
	      "/missing/.. is ENOENT");
	check(vr_chdir(t, "/proc") == 0 && vr_getcwd(t, buf, sizeof(buf)) == 6 &&
	              vr_strcmp(buf, "/proc") == 0,
	      "vr_chdir and vr_getcwd");
	fd = vr_openat(t, AT_FDCWD, "self/status", O_RDONLY | O_CLOEXEC, 0);
	check(fd >= 0 && vr_sys3(__NR_read, fd, buf, 5) == 5 && vr_memcmp(buf, "Name:", 5) == 0,
	      "vr_openat relative to the virtual cwd and read");
	if (fd >= 0)
		sys_close(fd);
	vr_task_free(t);
	vr_ns_free(ns);
}

void __attribute__((used)) vr_test_main(void);

void __attribute__((used)) vr_test_main(void)
{
	char num[24];

	run();
	vr_utoa((unsigned long)tests, num);
	out("1..");
	out(num);
	out("\n");
	vr_sys1(__NR_exit_group, failed ? 1 : 0);
}

/* The kernel enters with an aligned stack; call keeps the ABI's alignment. */
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "	xor %rbp, %rbp\n"
        "	and $-16, %rsp\n"
        "	call vr_test_main\n"
        "	hlt\n");
