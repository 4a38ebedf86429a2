/*
 * options.c - the namespace options shared by vroot's commands.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "options.h"

void
vr_cli_error(const struct vr_cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * parse_mount() - HOST:VIRT[:OPT[,OPT]]: ro or rw (the default, which may be
 * said outright), ci (names fold case inside the mount).
 */
static int
parse_mount(struct vr_cli *c, char *arg)
{
	struct vr_mount_spec *m;
	char *virt = strchr(arg, ':'), *opt, *next;

	if (c->nmounts >= VR_MAX_MOUNTS) {
		vr_cli_error(c, "too many --mount options (at most %d)", VR_MAX_MOUNTS);
		return -1;
	}
	if (!virt || virt == arg || virt[1] != '/') {
		vr_cli_error(c,
		             "--mount '%s': expected HOST:VIRT[:rw|:ro|:ci|:ro,ci] with an "
		             "absolute VIRT",
		             arg);
		return -1;
	}
	*virt++ = '\0';
	opt = strchr(virt, ':');
	m = &c->mounts[c->nmounts];
	memset(m, 0, sizeof(*m));
	if (opt)
		*opt++ = '\0';
	for (; opt; opt = next) {
		next = strchr(opt, ',');
		if (next)
			*next++ = '\0';
		if (strcmp(opt, "ro") == 0) {
			m->flags |= VR_MOUNT_RDONLY;
		} else if (strcmp(opt, "ci") == 0) {
			m->casefold = VR_CASE_FOLD;
		} else if (strcmp(opt, "rw") != 0) {
			vr_cli_error(c, "--mount %s:%s: unknown option '%s' (use ro, rw or ci)",
			             arg, virt, opt);
			return -1;
		}
	}
	if (strspn(virt, "/") == strlen(virt)) {
		vr_cli_error(c, "--mount %s:%s: cannot mount over the root; use --base", arg, virt);
		return -1;
	}
	m->host = arg;
	m->path = virt;
	c->nmounts++;
	return 0;
}

int
vr_cli_option(struct vr_cli *c, int argc, char **argv, int *i)
{
	const char *opt = argv[*i];
	char *val;

	if (strcmp(opt, "--case-insensitive") == 0 || strcmp(opt, "--case-sensitive") == 0) {
		c->casefold = opt[7] == 'i';
		c->casefold_set = 1;
		return 1;
	}
	if (strcmp(opt, "--base") && strcmp(opt, "--prefix") && strcmp(opt, "--mount") &&
	    strcmp(opt, "--cwd"))
		return 0;
	if (*i + 1 >= argc) {
		vr_cli_error(c, "%s needs an argument", opt);
		return -1;
	}
	val = argv[++*i];
	if (strcmp(opt, "--base") == 0) {
		if (c->nbases + 1 >= VR_MAX_LAYERS) {
			vr_cli_error(c, "too many --base options (at most %d)", VR_MAX_LAYERS - 1);
			return -1;
		}
		c->bases[c->nbases++] = val;
	} else if (strcmp(opt, "--prefix") == 0) {
		c->prefix = val;
	} else if (strcmp(opt, "--mount") == 0) {
		return parse_mount(c, val) < 0 ? -1 : 1;
	} else {
		c->cwd = val;
	}
	return 1;
}

static int
need_dir(const struct vr_cli *c, const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		vr_cli_error(c, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		vr_cli_error(c, "%s %s: not a directory", what, path);
		return -1;
	}
	return 0;
}

/*
 * check_mount() - the source of mount @i exists; one that is not a directory
 * (a mount of one file) takes no ci and holds no other mount below it.
 */
static int
check_mount(const struct vr_cli *c, unsigned int i)
{
	const struct vr_mount_spec *m = &c->mounts[i];
	size_t len = strlen(m->path);
	struct stat st;

	while (len > 1 && m->path[len - 1] == '/')
		len--;
	if (stat(m->host, &st) < 0) {
		vr_cli_error(c, "mount source %s: %s", m->host, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return 0;
	if (m->casefold == VR_CASE_FOLD) {
		vr_cli_error(c, "--mount %s:%s:ci: %s is not a directory, it has no names to fold",
		             m->host, m->path, m->host);
		return -1;
	}
	for (unsigned int j = 0; j < c->nmounts; j++) {
		const char *p = c->mounts[j].path;

		if (j != i && strncmp(p, m->path, len) == 0 && p[len] == '/' && p[len + 1]) {
			vr_cli_error(c,
			             "--mount %s:%s: %s is the file %s, not a directory to mount "
			             "into",
			             c->mounts[j].host, p, m->path, m->host);
			return -1;
		}
	}
	return 0;
}

/* make_dir() - the prefix (or work) directory @path, usable; *made: created here. */
static int
make_dir(const struct vr_cli *c, const char *path, int create, int *made)
{
	*made = create && mkdir(path, 0755) == 0;
	if (create && !*made && errno != EEXIST) {
		vr_cli_error(c, "cannot create prefix directory %s: %s (choose another --prefix)",
		             path, strerror(errno));
		return -1;
	}
	if (need_dir(c, "prefix", path) < 0)
		return -1;
	if (access(path, W_OK) < 0) {
		vr_cli_error(c, "prefix %s is not writable: %s (choose another --prefix)", path,
		             strerror(errno));
		return -1;
	}
	return 0;
}

#define FS_ADVICE "put --prefix on ext4, xfs, btrfs or tmpfs"

/*
 * probe_prefix() - the prefix's filesystem can hold an overlay's upper
 * layer: it takes user.* extended attributes (opaque directories, faked
 * ownership) and whiteouts (character devices 0:0), tried on scratch
 * objects in the work directory.  ramfs, vfat, overlayfs, some network
 * filesystems and tmpfs before Linux 6.6 lack one or the other.
 *
 * A prefix without user xattrs is refused rather than used with a
 * warning: what would fail later is common -- `rm -rf d; mkdir d` over a
 * base directory (no opaque directory), chown as fake root -- and it would
 * fail in the middle of some program with an errno that says nothing of
 * the prefix.  Refused now, one line names the path and the fix.
 *
 * A prefix that cannot hold whiteouts (overlayfs: a container's own root
 * filesystem) is used, with one warning line (none with --quiet):
 * everything works there but removing or renaming away a base name, which
 * fails with EPERM; refusing would leave a container user no default
 * prefix at all.  Inside another vroot session the outer one keeps the
 * whiteouts (as records, owner.h), on any filesystem it accepted.
 * Return: 0 (a warning may have been printed), or -1 with the line printed.
 */
static int
probe_prefix(const struct vr_cli *c)
{
	char f[PATH_MAX], w[PATH_MAX];
	int fd, e;

	/* Named like the core's temporaries: a leftover is cleaned as theirs are. */
	if ((size_t)snprintf(f, sizeof(f), "%s/#vroot.%d.probe", c->work, (int)getpid()) >=
	            sizeof(f) ||
	    (size_t)snprintf(w, sizeof(w), "%s/#vroot.%d.whiteout", c->work, (int)getpid()) >=
	            sizeof(w)) {
		vr_cli_error(c, "prefix %s: path too long", c->prefix);
		return -1;
	}
	unlink(f); /* left by a killed run whose pid was the same */
	fd = open(f, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		vr_cli_error(c,
		             "prefix %s: cannot create a file in %s: %s (choose another --prefix)",
		             c->prefix, c->work, strerror(errno));
		return -1;
	}
	close(fd);
	e = setxattr(f, "user.vroot.probe", "1", 1, 0) < 0 ? errno : 0;
	unlink(f);
	if (e == EOPNOTSUPP) {
		vr_cli_error(c,
		             "%s: filesystem has no user extended attributes (needed for opaque "
		             "directories and ownership); " FS_ADVICE,
		             c->prefix);
		return -1;
	}
	if (e) {
		vr_cli_error(c, "prefix %s: cannot set a user extended attribute: %s; " FS_ADVICE,
		             c->prefix, strerror(e));
		return -1;
	}
	unlink(w);
	e = mknod(w, S_IFCHR | 0600, makedev(0, 0)) < 0 ? errno : 0;
	unlink(w);
	if (e && !c->quiet)
		vr_cli_error(
		        c,
		        "warning: %s: filesystem cannot hold whiteouts (mknod of a 0:0 character "
		        "device: %s), so removing base files will fail; " FS_ADVICE,
		        c->prefix, strerror(e));
	return 0;
}

int
vr_cli_check(struct vr_cli *c)
{
	struct stat st;
	unsigned int i;

	if (c->nbases == 0)
		c->bases[c->nbases++] = "/";
	for (i = 0; i < c->nbases; i++)
		if (need_dir(c, "base", c->bases[i]) < 0)
			return -1;
	for (i = 0; i < c->nmounts; i++)
		if (check_mount(c, i) < 0)
			return -1;
	if (c->prefix && stat(c->prefix, &st) == 0 && !S_ISDIR(st.st_mode)) {
		vr_cli_error(c, "prefix %s is not a directory (choose another --prefix)",
		             c->prefix);
		return -1;
	}
	/* Writes would land in the base itself, which vroot promises to leave alone. */
	for (i = 0; c->prefix && i < c->nbases; i++) {
		struct stat b;

		if (stat(c->prefix, &st) == 0 && stat(c->bases[i], &b) == 0 &&
		    st.st_dev == b.st_dev && st.st_ino == b.st_ino) {
			vr_cli_error(c,
			             "prefix %s is the base %s: the prefix must be another "
			             "directory (choose another --prefix)",
			             c->prefix, c->bases[i]);
			return -1;
		}
	}
	return 0;
}

int
vr_cli_spec(struct vr_cli *c, int create, struct vr_ns_spec *spec)
{
	if (vr_cli_check(c) < 0)
		return -1;
	memset(spec, 0, sizeof(*spec));
	if (c->prefix) {
		int made_p = 0, made_w = 0;

		if (!c->work && vr_cli_work_path(c) < 0)
			return -1;

		/* Refused: what this call created goes again. */
		if (make_dir(c, c->prefix, create, &made_p) < 0 ||
		    make_dir(c, c->work, create, &made_w) < 0 || (create && probe_prefix(c) < 0)) {
			if (made_w)
				rmdir(c->work);
			if (made_p)
				rmdir(c->prefix);
			return -1;
		}
		spec->upper = c->prefix;
		spec->work = c->work;
	}
	spec->lowers = c->bases;
	spec->nlowers = c->nbases;
	spec->mounts = c->mounts;
	spec->nmounts = c->nmounts;
	spec->casefold = c->casefold ? VR_CASE_FOLD : VR_CASE_EXACT;
	return 0;
}

int
vr_cli_work_path(struct vr_cli *c)
{
	size_t n = strlen(c->prefix);

	while (n > 1 && c->prefix[n - 1] == '/')
		n--;
	c->work = malloc(n + sizeof(".work"));
	if (!c->work) {
		vr_cli_error(c, "out of memory");
		return -1;
	}
	memcpy(c->work, c->prefix, n);
	strcpy(c->work + n, ".work");
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int
vr_cli_clean_work(struct vr_cli *c)
{
	DIR *d = c->work ? opendir(c->work) : NULL;
	struct dirent *e;
	int removed = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		long tid;
		char *end;

		if (strncmp(e->d_name, "#vroot.", 7) != 0)
			continue;
		tid = strtol(e->d_name + 7, &end, 10);
		if (end == e->d_name + 7 || *end != '.' || tid <= 0)
			continue;
		/* A live writer's temporary is left alone: it is about to be renamed. */
		if (kill((pid_t)tid, 0) == 0 || errno != ESRCH)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", c->work, e->d_name) >=
		    sizeof(path))
			continue;
		if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

char *
vr_cli_data_dir(struct vr_cli *c)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char *p;

	if (xdg && xdg[0] == '/') {
		if (asprintf(&p, "%s/vroot", xdg) < 0)
			return NULL;
	} else if (home && home[0] == '/') {
		if (asprintf(&p, "%s/.local/share/vroot", home) < 0)
			return NULL;
	} else {
		vr_cli_error(c, "no prefix: HOME is not set; give --prefix DIR");
		return NULL;
	}
	return p;
}

char *
vr_cli_named_prefix(struct vr_cli *c, const char *name)
{
	char *dir, *p;

	if (!name[0] || name[0] == '.' || strchr(name, '/') ||
	    (strlen(name) > 5 && strcmp(name + strlen(name) - 5, ".work") == 0)) {
		vr_cli_error(c,
		             "--name '%s': a prefix name is one path component, not starting with "
		             "'.' nor ending in '.work'",
		             name);
		return NULL;
	}
	dir = vr_cli_data_dir(c);
	if (!dir)
		return NULL;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		p = NULL;
	free(dir);
	return p;
}

char *
vr_cli_default_prefix(struct vr_cli *c)
{
	return vr_cli_named_prefix(c, "default");
}
