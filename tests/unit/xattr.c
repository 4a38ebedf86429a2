/*
 * xattr.c - extended attributes through the namespace: the overlay's own
 * attributes stay invisible and untouchable, a program's of the same names
 * are escaped; bases are not written.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "vroot.h"
#include "tap.h"

#define VR_REC "user.containers.override_stat"

static char root[] = "/tmp/vroot-xattr.XXXXXX";

static char *
at(const char *rel)
{
	char *p = malloc(PATH_MAX);

	snprintf(p, PATH_MAX, "%s/%s", root, rel);
	return p;
}

int
main(void)
{
	char *base, *up, *work, *bf, *ud, *uf, *bd;
	const char *lowers[1];
	struct vr_ns_spec spec = {.lowers = lowers, .nlowers = 1};
	char val[64], list[256], cmd[PATH_MAX + 16];
	struct vr_ns *ns;
	struct vr_task *t;
	struct statfs sf;
	long n;

	if (!mkdtemp(root))
		skip_all("mkdtemp: %s", strerror(errno));
	base = at("base"), up = at("up"), work = at("up.work");
	bf = at("base/f"), ud = at("up/d"), uf = at("up/d/f"), bd = at("base/d");
	lowers[0] = base, spec.upper = up, spec.work = work;
	mkdir(base, 0755), mkdir(up, 0755), mkdir(work, 0755), mkdir(bd, 0755), mkdir(ud, 0755);
	close(open(bf, O_CREAT | O_WRONLY, 0644));
	close(open(uf, O_CREAT | O_WRONLY, 0644));
	{
		char *bl = at("base/l");

		if (symlink("f", bl) < 0)
			diag("symlink: %s", strerror(errno));
		free(bl);
	}
	if (setxattr(ud, "user.overlay.opaque", "y", 1, 0) < 0)
		skip_all("%s has no user xattrs (%s)", root, strerror(errno));
	setxattr(bf, "user.base", "b", 1, 0);
	if (vr_ns_new(&spec, &ns) < 0 || vr_task_new(ns, &t) < 0)
		skip_all("cannot create the namespace");

	is_int(vr_setxattr(t, "/d/f", "user.k", "v1", 2, 0, 0), 0, "set on an upper file");
	n = vr_getxattr(t, "/d/f", "user.k", val, sizeof(val), 0);
	ok(n == 2 && memcmp(val, "v1", 2) == 0, "and read back");
	n = vr_getxattr(t, "/f", "user.base", val, sizeof(val), 0);
	ok(n == 1 && val[0] == 'b', "read on a base file");
	is_int(vr_setxattr(t, "/f", "user.k", "v", 1, 0, 0), 0, "set on a base file copies it up");
	ok(getxattr(bf, "user.k", val, sizeof(val)) < 0, "the base file did not change");
	is_int(vr_removexattr(t, "/f", "user.base", 0), 0, "remove on the copy");
	ok(getxattr(bf, "user.base", val, sizeof(val)) == 1, "the base file keeps its attribute");
	{
		char *uc = at("up/f");

		ok(getxattr(uc, "user.k", val, sizeof(val)) == 1 &&
		           getxattr(uc, "user.base", val, sizeof(val)) < 0,
		   "the upper copy has the changes");
		free(uc);
	}
	is_err(vr_getxattr(t, "/d", "user.overlay.opaque", val, sizeof(val), 0), ENODATA,
	       "the opaque marker reads as absent");
	n = vr_listxattr(t, "/d", list, sizeof(list), 0);
	ok(n >= 0 && !memmem(list, (size_t)(n > 0 ? n : 0), "overlay", 7),
	   "and is left out of the list (%ld bytes)", n);
	is_err(vr_removexattr(t, "/d", "user.overlay.opaque", 0), ENODATA,
	       "nor removed from inside");
	/* A program's attributes of the overlay's names: escaped, as kernel overlayfs does. */
	is_int(vr_setxattr(t, "/d", "user.overlay.opaque", "x", 1, 0, 0), 0,
	       "a program's user.overlay.opaque is set");
	n = vr_getxattr(t, "/d", "user.overlay.opaque", val, sizeof(val), 0);
	ok(n == 1 && val[0] == 'x', "and read back as its own (%ld)", n);
	n = getxattr(ud, "user.overlay.overlay.opaque", val, sizeof(val));
	ok(n == 1 && val[0] == 'x', "kept as user.overlay.overlay.opaque on disk");
	n = getxattr(ud, "user.overlay.opaque", val, sizeof(val));
	ok(n == 1 && val[0] == 'y', "the directory stays opaque as it was");
	n = vr_listxattr(t, "/d", list, sizeof(list), 0);
	ok(n == (long)sizeof("user.overlay.opaque") && strcmp(list, "user.overlay.opaque") == 0,
	   "listed once, by the program's name (%ld bytes)", n);
	is_int(vr_setxattr(t, "/d/f", VR_REC, "1:2:0600:char-0-0", 18, 0, 0), 0,
	       "a program's owner record is set");
	ok(getxattr(uf, "user.overlay.containers.override_stat", val, sizeof(val)) == 18 &&
	           getxattr(uf, VR_REC, val, sizeof(val)) < 0,
	   "kept as user.overlay.containers.override_stat");
	{
		struct stat st;

		ok(vr_fstatat(t, AT_FDCWD, "/d/f", &st, 0) == 0 && S_ISREG(st.st_mode),
		   "and not taken for the overlay's own");
	}
	n = vr_listxattr(t, "/d/f", list, sizeof(list), 0);
	ok(n == (long)(sizeof("user.k") + sizeof(VR_REC)) &&
	           memmem(list, (size_t)n, VR_REC, sizeof(VR_REC)) != NULL,
	   "listed by its name (%ld bytes)", n);
	is_int(vr_removexattr(t, "/d/f", VR_REC, 0), 0, "and removed by it");
	is_int(vr_setxattr(t, "/f", "user.overlay.x", "1", 1, 0, 0), 0,
	       "set on a base file: copied up");
	{
		char *uc = at("up/f");

		ok(getxattr(uc, "user.overlay.overlay.x", val, sizeof(val)) == 1,
		   "the copy holds it escaped");
		free(uc);
	}
	is_int(vr_removexattr(t, "/d", "user.overlay.opaque", 0), 0, "removed by its name");
	n = getxattr(ud, "user.overlay.opaque", val, sizeof(val));
	ok(n == 1 && val[0] == 'y' && getxattr(ud, "user.overlay.overlay.opaque", val, 4) < 0,
	   "the overlay's own stays");
	n = vr_listxattr(t, "/d/f", list, sizeof(list), 0);
	ok(n == 7 && strcmp(list, "user.k") == 0, "list of an upper file");
	is_int(vr_removexattr(t, "/d/f", "user.k", 0), 0, "remove on an upper file");
	is_err(vr_getxattr(t, "/d/f", "user.k", val, sizeof(val), 0), ENODATA, "gone");
	n = vr_getxattr(t, "/l", "user.k", val, sizeof(val), 1);
	ok(n == -ENODATA || n == -EOPNOTSUPP || n == -EPERM,
	   "lgetxattr of a symlink answers for the link itself (%ld)", n);
	n = vr_listxattr(t, "/l", list, sizeof(list), 1);
	ok(n >= 0, "llistxattr of a symlink (%ld)", n);
	is_int(vr_statfs(t, "/d/f", &sf), 0, "statfs of a virtual path");
	is_err(vr_statfs(t, "/missing", &sf), ENOENT, "statfs of a missing path");
	ok(vr_xattr_hidden("trusted.overlay.origin") && !vr_xattr_hidden("user.overlayx"),
	   "hidden names are the overlay's prefixes only");
	ok(!vr_xattr_hidden("user.overlay.overlay.opaque") &&
	           !vr_xattr_hidden("trusted.overlay.overlay.origin") &&
	           !vr_xattr_hidden("user.overlay.containers.override_stat") &&
	           vr_xattr_hidden("user.overlay.vroot.origin") && vr_xattr_hidden(VR_REC),
	   "escaped names are a program's");
	{
		char l[] = "user.a\0user.overlay.overlay.b\0user.overlay.impure\0"
		           "trusted.overlay.overlay.c\0user.overlay.containers.override_stat";
		const char want[] = "user.a\0user.overlay.b\0trusted.overlay.c\0"
		                    "user.containers.override_stat";

		n = vr_xattr_filter_list(l, (long)sizeof(l));
		ok(n == (long)sizeof(want) && memcmp(l, want, sizeof(want)) == 0,
		   "a list: the overlay's own dropped, a program's unescaped (%ld)", n);
	}

	vr_task_free(t);
	vr_ns_free(ns);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	free(base), free(up), free(work), free(bf), free(ud), free(uf), free(bd);
	return done_testing();
}
