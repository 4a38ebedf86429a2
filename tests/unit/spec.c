/*
 * spec.c - a namespace spec packed into bytes and rebuilt, as it crosses
 * execve; malformed strings are refused, never half-read.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vroot.h"
#include "tap.h"

static char root[] = "/tmp/vroot-spec.XXXXXX";

static void
mk(const char *rel, int dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (dir)
		mkdir(p, 0755);
	else
		close(open(p, O_CREAT | O_WRONLY, 0644));
}

int
main(void)
{
	char up[256], work[256], lo1[256], lo2[256], host[256];
	char buf[4096], out[PATH_MAX], cmd[PATH_MAX + 16];
	const char *lowers[2] = {lo1, lo2};
	struct vr_mount_spec mounts[1] = {
	        {.host = host, .path = "/mnt/h", .flags = VR_MOUNT_RDONLY}};
	struct vr_ns_spec spec = {.upper = up,
	                          .work = work,
	                          .lowers = lowers,
	                          .nlowers = 2,
	                          .mounts = mounts,
	                          .nmounts = 1};
	struct vr_ns *ns = NULL;
	struct vr_task *t = NULL;
	struct stat st;
	long need, n;
	int fd;

	if (!mkdtemp(root))
		skip_all("mkdtemp: %s", strerror(errno));
	mk("up", 1), mk("up.work", 1), mk("lo1", 1), mk("lo2", 1), mk("lo2/only2", 0);
	mk("host", 1), mk("host/hf", 0);
	snprintf(up, sizeof(up), "%s/up", root);
	snprintf(work, sizeof(work), "%s/up.work", root);
	snprintf(lo1, sizeof(lo1), "%s/lo1", root);
	snprintf(lo2, sizeof(lo2), "%s/lo2", root);
	snprintf(host, sizeof(host), "%s/host", root);

	need = vr_spec_pack(&spec, NULL, 0);
	ok(need > 20, "size query answers %ld bytes", need);
	is_int(vr_spec_pack(&spec, buf, sizeof(buf)), need, "packing writes that many bytes");
	is_int(vr_spec_pack(&spec, buf, (size_t)need - 1), need,
	       "a short buffer is not written past");

	n = vr_ns_new(&spec, &ns);
	is_int(n, 0, "the spec itself makes a namespace");
	vr_ns_free(ns);
	ns = NULL;
	is_int(vr_ns_new_packed(buf, (size_t)need, &ns), 0, "the packed spec makes a namespace");
	if (ns && vr_task_new(ns, &t) == 0) {
		is_int(vr_fstatat(t, AT_FDCWD, "/only2", &st, 0), 0, "second lower layer is there");
		n = vr_realpath(t, AT_FDCWD, "/mnt/h/../h/hf", 0, out, sizeof(out));
		is_str(n > 0 ? out : "", "/mnt/h/hf", "the mount is there");
		fd = vr_openat(t, AT_FDCWD, "/mnt/h/hf", O_WRONLY, 0);
		is_err(fd, EROFS, "the mount's read-only flag survived");
		fd = vr_openat(t, AT_FDCWD, "/created", O_CREAT | O_WRONLY, 0644);
		ok(fd >= 0, "the upper layer survived: a file can be created");
		snprintf(out, sizeof(out), "%s/created", up);
		ok(stat(out, &st) == 0, "and it lands in the upper directory");
		if (fd >= 0)
			close(fd);
		vr_task_free(t);
	}
	vr_ns_free(ns);

	/* A task packed with its cwd and identity comes back the same. */
	if (vr_ns_new(&spec, &ns) == 0 && vr_task_new(ns, &t) == 0) {
		struct vr_ident id = {.uid = 1234, .gid = 5678};
		char tbuf[8192], cwd[64];
		struct vr_ns *ns2 = NULL;
		struct vr_task *t2 = NULL;
		long tn;

		vr_task_set_ident(t, &id);
		is_int(vr_chroot(t, "/mnt"), 0, "chroot to /mnt");
		n = vr_realpath(t, AT_FDCWD, "/h/../../..//h/hf", 0, out, sizeof(out));
		is_str(n > 0 ? out : "", "/h/hf", "absolute paths and .. stay below the new root");
		is_err(vr_fstatat(t, AT_FDCWD, "/only2", &st, 0), ENOENT,
		       "the old root is out of reach");
		vr_chdir(t, "/h");
		tn = vr_task_pack(t, tbuf, sizeof(tbuf));
		ok(tn > 0, "a task packs into %ld bytes", tn);
		is_int(vr_task_new_packed(tbuf, (size_t)tn, &ns2, &t2), 0, "and unpacks");
		ok(t2 && vr_getcwd(t2, cwd, sizeof(cwd)) > 0 && strcmp(cwd, "/h") == 0,
		   "with its cwd, seen below the root");
		ok(t2 && vr_fstatat(t2, AT_FDCWD, "hf", &st, 0) == 0, "relative lookups use it");
		ok(t2 && vr_fstatat(t2, AT_FDCWD, "/h/hf", &st, 0) == 0 &&
		           vr_fstatat(t2, AT_FDCWD, "/only2", &st, 0) == -ENOENT,
		   "and its root");
		is_err(vr_task_new_packed(tbuf, (size_t)tn - 1, &ns2, &t2), EINVAL,
		       "a truncated task string");
		if (t2)
			vr_task_free(t2);
		vr_ns_free(ns2);
		vr_task_free(t);
		vr_ns_free(ns);
	}

	/* Case folding, of the root overlay and of a mount, crosses execve. */
	spec.casefold = VR_CASE_FOLD;
	mounts[0].casefold = VR_CASE_FOLD;
	ns = NULL;
	t = NULL;
	n = vr_spec_pack(&spec, buf, sizeof(buf));
	if (n > 0 && vr_ns_new_packed(buf, (size_t)n, &ns) == 0 && vr_task_new(ns, &t) == 0) {
		char tbuf[8192];
		struct vr_ns *ns2 = NULL;
		struct vr_task *t2 = NULL;
		long tn = vr_task_pack(t, tbuf, sizeof(tbuf));

		n = vr_realpath(t, AT_FDCWD, "/ONLY2", 0, out, sizeof(out));
		is_str(n > 0 ? out : "", "/only2", "a folding root: /ONLY2 is /only2");
		n = vr_realpath(t, AT_FDCWD, "/mnt/h/HF", 0, out, sizeof(out));
		is_str(n > 0 ? out : "", "/mnt/h/hf", "a folding mount: /mnt/h/HF is /mnt/h/hf");
		ok(tn > 0 && vr_task_new_packed(tbuf, (size_t)tn, &ns2, &t2) == 0 &&
		           vr_fstatat(t2, AT_FDCWD, "/Only2", &st, 0) == 0 &&
		           vr_fstatat(t2, AT_FDCWD, "/MNT/H/Hf", &st, 0) == 0,
		   "a packed task folds as its namespace did");
		if (t2)
			vr_task_free(t2);
		vr_ns_free(ns2);
		vr_task_free(t);
	} else {
		ok(0, "a folding spec packs and makes a namespace");
	}
	vr_ns_free(ns);
	spec.casefold = VR_CASE_EXACT;
	mounts[0].casefold = VR_CASE_EXACT;
	ns = NULL;
	n = vr_ns_new(&spec, &ns);
	if (n == 0 && vr_task_new(ns, &t) == 0) {
		is_err(vr_fstatat(t, AT_FDCWD, "/ONLY2", &st, 0), ENOENT,
		       "an exact root: /ONLY2 is absent");
		vr_task_free(t);
	}
	vr_ns_free(ns);
	spec.casefold = 7;
	is_err(vr_spec_pack(&spec, buf, sizeof(buf)), EINVAL, "an unknown case policy");
	spec.casefold = VR_CASE_EXACT;

	ns = NULL;
	is_err(vr_ns_new_packed(buf, (size_t)need - 1, &ns), EINVAL, "a truncated string");
	buf[0] = 'X';
	is_err(vr_ns_new_packed(buf, (size_t)need, &ns), EINVAL, "a wrong magic");
	buf[0] = 'V';
	buf[need - 1] = 'x'; /* the mount's owner policy becomes nonsense */
	is_err(vr_ns_new_packed(buf, (size_t)need, &ns), EINVAL, "an unknown owner policy");
	buf[need - 1] = 0;
	buf[need - 13] = 'x'; /* the mount path loses its NUL */
	is_err(vr_ns_new_packed(buf, (size_t)need, &ns), EINVAL, "an unterminated string");
	is_err(vr_ns_new_packed(NULL, 0, &ns), EINVAL, "no string at all");
	spec.work = NULL;
	is_err(vr_spec_pack(&spec, buf, sizeof(buf)), EINVAL, "an upper without work dir");

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	return done_testing();
}
