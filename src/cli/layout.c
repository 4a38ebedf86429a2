/*
 * layout.c - the namespace layouts of `vroot run --layout NAME`.
 *
 * A layout is data: a table of entries, each one base, setting, mount,
 * directory or symbolic link, expanded into the options the user would
 * otherwise give by hand.  The user's own options come first and win: a
 * --base replaces the layout's base, --case-insensitive/--case-sensitive
 * its folding, a --mount at a path the layout mounts replaces that mount.
 * Strings may hold ${HOME} (the user's home, canonical) and ${USER} (the
 * user's login name); an entry whose variable has no value is left out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout.h"

enum lay_kind {
	LAY_BASE,     /* @host: the base when no --base is given (NULL: --base is needed,
	                 @path says what it should be) */
	LAY_CASEFOLD, /* the root overlay folds case unless --case-sensitive */
	LAY_MOUNT,    /* host directory @host at @path; @mode: VR_MOUNT_* flags */
	LAY_FILE,     /* host file @host (a device) at @path, left out when the host lacks it */
	LAY_SCRATCH,  /* vroot's directory PREFIX.work/layout/@host, read-only at @path */
	LAY_VOLUMES,  /* every real host mount point but / as @path/NAME (see below) */
	LAY_DIR,      /* directory @path, mode @mode, made in the prefix when missing */
	LAY_LINK,     /* symbolic link @path -> @host, made when missing: in the
	                 scratch directory mounted above @path, or else in the prefix */
};

struct lay_entry {
	enum lay_kind kind;
	const char *host, *path;
	unsigned int mode;
};

struct vr_layout {
	const char *name;
	const struct lay_entry *e;
	size_t n;
};

#define HOST_MOUNT(p)                                                                              \
	{                                                                                          \
		LAY_MOUNT, p, p, 0                                                                 \
	}

/* The host's root with its own /proc, /dev and /sys: what vroot did before layouts. */
static const struct lay_entry default_layout[] = {
        {LAY_BASE, "/", NULL, 0},
        HOST_MOUNT("/proc"),
        HOST_MOUNT("/dev"),
        HOST_MOUNT("/sys"),
};

/* A distribution's tree as the root, the host's kernel views and files beside it (proot -R). */
static const struct lay_entry rootfs_layout[] = {
        {LAY_BASE, NULL, "a distribution's root tree", 0},
        HOST_MOUNT("/proc"),
        HOST_MOUNT("/dev"),
        HOST_MOUNT("/sys"),
        HOST_MOUNT("/tmp"),
        HOST_MOUNT("${HOME}"),
};

#define DEV_NODE(n)                                                                                \
	{                                                                                          \
		LAY_FILE, "/dev/" n, "/dev/" n, 0                                                  \
	}

/*
 * What a macOS program expects over a macOS-like system tree: the host
 * under /Volumes, its own /dev with the macOS names that Linux has (the
 * host's device nodes, each mounted at its name), /private with /etc, /tmp
 * and /var pointing into it, the user's home at /Users/NAME by way of
 * /Volumes/SystemRoot.
 */
static const struct lay_entry darwin_layout[] = {
        {LAY_BASE, NULL, "a macOS-like system tree", 0},
        {LAY_CASEFOLD, NULL, NULL, 0},
        {LAY_SCRATCH, "volumes", "/Volumes", 0},
        {LAY_MOUNT, "/", "/Volumes/SystemRoot", 0},
        {LAY_VOLUMES, NULL, "/Volumes", 0},
        {LAY_SCRATCH, "dev", "/dev", 0},
        DEV_NODE("null"),
        DEV_NODE("zero"),
        DEV_NODE("random"),
        DEV_NODE("urandom"),
        DEV_NODE("tty"),
        DEV_NODE("ptmx"),
        {LAY_LINK, "/proc/self/fd", "/dev/fd", 0},
        {LAY_LINK, "fd/0", "/dev/stdin", 0},
        {LAY_LINK, "fd/1", "/dev/stdout", 0},
        {LAY_LINK, "fd/2", "/dev/stderr", 0},
        HOST_MOUNT("/dev/pts"),
        HOST_MOUNT("/proc"),
        {LAY_DIR, NULL, "/private", 0755},
        {LAY_DIR, NULL, "/private/etc", 0755},
        {LAY_DIR, NULL, "/private/tmp", 01777},
        {LAY_DIR, NULL, "/private/var", 0755},
        {LAY_LINK, "private/etc", "/etc", 0},
        {LAY_LINK, "private/tmp", "/tmp", 0},
        {LAY_LINK, "private/var", "/var", 0},
        {LAY_DIR, NULL, "/Users", 0755},
        {LAY_LINK, "/Volumes/SystemRoot${HOME}", "/Users/${USER}", 0},
};

#define LAYOUT(name, t)                                                                            \
	{                                                                                          \
		name, t, sizeof(t) / sizeof(t[0])                                                  \
	}

static const struct vr_layout layouts[] = {
        LAYOUT("default", default_layout),
        LAYOUT("rootfs", rootfs_layout),
        LAYOUT("darwin", darwin_layout),
};

const char *
vr_layout_name(const struct vr_layout *l)
{
	return l->name;
}

const struct vr_layout *
vr_layout_find(struct vr_cli *c, const char *name)
{
	char known[128] = "";

	if (!name)
		name = "default";
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		if (strcmp(layouts[i].name, name) == 0)
			return &layouts[i];
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
		         i ? ", " : "", layouts[i].name);
	}
	vr_cli_error(c, "--layout %s: unknown layout (known: %s)", name, known);
	return NULL;
}

/* var() - the value of ${NAME} at @s (its length in *len), or NULL when it has none. */
/*
 * passwd_name() - the name /etc/passwd gives user @uid, into @buf.  The
 * file, not getpwuid(): vroot is linked statically (each run starts
 * without the dynamic linker's work), where the C library's user
 * database would load the shared modules of the glibc it was built with.
 * A user only a directory service knows is named by $USER instead.
 * Return: 0, or -1 when the file has no such user.
 */
static int
passwd_name(uid_t uid, char *buf, size_t size)
{
	FILE *f = fopen("/etc/passwd", "re");
	char line[1024];
	int found = -1;

	while (f && found < 0 && fgets(line, sizeof(line), f)) {
		char *name = line, *pw = strchr(line, ':'), *id = pw ? strchr(pw + 1, ':') : NULL;
		char *end;
		unsigned long v;

		if (!id)
			continue;
		*pw = '\0';
		v = strtoul(id + 1, &end, 10);
		if (*end == ':' && end != id + 1 && v == uid && name[0] && strlen(name) < size &&
		    !strchr(name, '/')) {
			strcpy(buf, name);
			found = 0;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static const char *
var(const char *s, size_t *len)
{
	static char home[PATH_MAX];
	const char *h;

	if (strncmp(s, "${HOME}", 7) == 0) {
		*len = 7;
		h = getenv("HOME");
		if (!h || h[0] != '/')
			return NULL;
		/* Canonical, so the link through /Volumes/SystemRoot needs no host symlink. */
		return realpath(h, home) ? home : h;
	}
	if (strncmp(s, "${USER}", 7) == 0) {
		static char name[256];

		*len = 7;
		if (passwd_name(getuid(), name, sizeof(name)) == 0)
			return name;
		h = getenv("USER");
		return h && h[0] && !strchr(h, '/') ? h : NULL;
	}
	*len = 0;
	return NULL;
}

/* expand() - @s with its variables replaced, allocated; NULL: a variable has no value. */
static char *
expand(const char *s)
{
	char buf[PATH_MAX];
	size_t n = 0;

	while (*s) {
		const char *v;
		size_t len;

		if (s[0] != '$' || s[1] != '{') {
			if (n + 1 >= sizeof(buf))
				return NULL;
			buf[n++] = *s++;
			continue;
		}
		v = var(s, &len);
		if (!v || n + strlen(v) >= sizeof(buf))
			return NULL;
		memcpy(buf + n, v, strlen(v));
		n += strlen(v);
		s += len;
	}
	buf[n] = '\0';
	return strdup(buf);
}

/* covered() - a mount of @c is at virtual path @path already. */
static int
covered(const struct vr_cli *c, const char *path)
{
	for (unsigned int k = 0; k < c->nmounts; k++)
		if (strcmp(c->mounts[k].path, path) == 0)
			return 1;
	return 0;
}

/* add_mount() - host @host at @path unless a mount is there; both owned by @c from now. */
static int
add_mount(struct vr_cli *c, char *host, char *path, unsigned int flags)
{
	struct vr_mount_spec *m;

	if (covered(c, path)) {
		free(host);
		free(path);
		return 0;
	}
	if (c->nmounts >= VR_MAX_MOUNTS) {
		vr_cli_error(c, "layout: too many mounts (at most %d)", VR_MAX_MOUNTS);
		return -1;
	}
	m = &c->mounts[c->nmounts++];
	memset(m, 0, sizeof(*m));
	m->host = host;
	m->path = path;
	m->flags = flags;
	return 0;
}

/*
 * Which host mounts are volumes: a mount point that is a directory, not /
 * (that is /Volumes/SystemRoot), not under /proc, /sys, /dev or /run (the
 * kernel's and the system's runtime state), whose filesystem type holds
 * files of its own -- not a pseudo filesystem, not tmpfs or ramfs (memory,
 * as /tmp and /dev/shm), not overlay (container roots and their layers),
 * not squashfs (snap packages' images).
 */
static const char *const not_volumes[] = {
        "autofs",   "binfmt_misc", "bpf",      "cgroup",  "cgroup2",    "configfs",   "debugfs",
        "devpts",   "devtmpfs",    "efivarfs", "fusectl", "hugetlbfs",  "mqueue",     "nsfs",
        "overlay",  "proc",        "pstore",   "ramfs",   "rpc_pipefs", "securityfs", "selinuxfs",
        "squashfs", "sysfs",       "tmpfs",    "tracefs",
};

/* unescape() - a mountinfo field: \ooo octal escapes made bytes again, in place. */
static void
unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

static int
is_volume(const char *dir, const char *type)
{
	static const char *const system[] = {"/proc", "/sys", "/dev", "/run"};
	struct stat st;

	if (strcmp(dir, "/") == 0)
		return 0;
	for (size_t i = 0; i < sizeof(system) / sizeof(system[0]); i++) {
		size_t n = strlen(system[i]);

		if (strncmp(dir, system[i], n) == 0 && (!dir[n] || dir[n] == '/'))
			return 0;
	}
	for (size_t i = 0; i < sizeof(not_volumes) / sizeof(not_volumes[0]); i++)
		if (strcmp(type, not_volumes[i]) == 0)
			return 0;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * host_volumes() - the volumes' mount points, sorted bytewise, each once,
 * into @out (allocated strings).  Return: how many.
 */
static size_t
host_volumes(char **out, size_t max)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *dir, *type, *sep;
	size_t cap = 0, n = 0;

	while (f && getline(&line, &cap, f) > 0) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER */
		dir = line;
		for (int i = 0; i < 4 && dir; i++)
			dir = strchr(dir, ' ') ? strchr(dir, ' ') + 1 : NULL;
		sep = strstr(line, " - ");
		if (!dir || !sep || !strchr(dir, ' '))
			continue;
		*strchr(dir, ' ') = '\0';
		type = sep + 3;
		type[strcspn(type, " \n")] = '\0';
		unescape(dir);
		if (!is_volume(dir, type))
			continue;
		int seen = 0;

		for (size_t k = 0; k < n; k++)
			seen |= strcmp(out[k], dir) == 0;
		if (!seen && n < max && (out[n] = strdup(dir)))
			n++;
	}
	free(line);
	if (f)
		fclose(f);
	qsort(out, n, sizeof(out[0]), cmp_str);
	return n;
}

/* How many host mount points are read. */
#define MAX_VOLUMES 1024

/*
 * add_volumes() - every volume as @under/NAME: NAME is its mount point's
 * last component; taken in the bytewise order of the mount points, a name
 * already given (SystemRoot, or an earlier volume's) becomes "NAME 1",
 * "NAME 2", ..., the first that is free, as macOS names a second volume.
 * Past the namespace's mount limit, less @reserve kept for the layout's
 * own mounts, the rest are left out, with a warning.
 */
static int
add_volumes(struct vr_cli *c, const char *under, size_t reserve)
{
	char **dirs = calloc(MAX_VOLUMES, sizeof(*dirs));
	size_t n = dirs ? host_volumes(dirs, MAX_VOLUMES) : 0, left = 0;
	int err = dirs ? 0 : -1;

	for (size_t i = 0; i < n; i++) {
		const char *last = strrchr(dirs[i], '/') + 1;
		char *path = NULL;

		if (err || c->nmounts + reserve >= VR_MAX_MOUNTS) {
			left += !err;
			free(dirs[i]);
			continue;
		}
		for (int k = 0; !err; k++) {
			free(path);
			if ((k ? asprintf(&path, "%s/%s %d", under, last, k)
			       : asprintf(&path, "%s/%s", under, last)) < 0) {
				path = NULL;
				err = -1;
			} else if (!covered(c, path)) {
				break;
			}
		}
		if (err || add_mount(c, dirs[i], path, 0) < 0) {
			err = -1;
			free(dirs[i]);
		}
	}
	free(dirs);
	if (err)
		vr_cli_error(c, "out of memory");
	else if (left && !c->quiet)
		vr_cli_error(c,
		             "warning: %zu host mount points left out of %s (a namespace holds at "
		             "most %d mounts; --quiet hides this line)",
		             left, under, VR_MAX_MOUNTS);
	return err;
}

/* own_mounts() - how many mounts @l may add of its own, besides the volumes. */
static size_t
own_mounts(const struct vr_layout *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->e[i].kind == LAY_MOUNT || l->e[i].kind == LAY_FILE ||
		     l->e[i].kind == LAY_SCRATCH;
	return n;
}

int
vr_layout_expand(struct vr_cli *c, const struct vr_layout *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct lay_entry *e = &l->e[i];
		char *host, *path;

		switch (e->kind) {
		case LAY_BASE:
			if (c->nbases)
				break;
			if (!e->host) {
				vr_cli_error(c, "--layout %s needs --base DIR (%s)", l->name,
				             e->path);
				return -1;
			}
			c->bases[c->nbases++] = e->host;
			break;
		case LAY_CASEFOLD:
			if (!c->casefold_set)
				c->casefold = 1;
			break;
		case LAY_MOUNT:
			host = expand(e->host);
			path = expand(e->path);
			if (!host || !path) {
				free(host);
				free(path);
				break;
			}
			if (add_mount(c, host, path, e->mode) < 0)
				return -1;
			break;
		case LAY_FILE:
			if (access(e->host, F_OK) < 0)
				break;
			host = strdup(e->host);
			path = strdup(e->path);
			if (!host || !path) {
				free(host);
				free(path);
				vr_cli_error(c, "out of memory");
				return -1;
			}
			if (add_mount(c, host, path, e->mode) < 0)
				return -1;
			break;
		case LAY_VOLUMES:
			if (add_volumes(c, e->path, own_mounts(l)) < 0)
				return -1;
			break;
		case LAY_SCRATCH:
		case LAY_DIR:
		case LAY_LINK:
			break;
		}
	}
	return 0;
}

void
vr_layout_put_path(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			fprintf(f, "\\%03o", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

/* scratch_host() - PREFIX.work/layout/@name, allocated (NULL: out of memory). */
static char *
scratch_host(const struct vr_cli *c, const char *name)
{
	char *p;

	return asprintf(&p, "%s/layout/%s", c->work, name) < 0 ? NULL : p;
}

/* in_scratch() - the scratch entry of @l whose mount holds @path, or NULL. */
static const struct lay_entry *
in_scratch(const struct vr_layout *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct lay_entry *e = &l->e[i];
		size_t n = e->kind == LAY_SCRATCH ? strlen(e->path) : 0;

		if (n && strncmp(path, e->path, n) == 0 && path[n] == '/' &&
		    !strchr(path + n + 1, '/'))
			return e;
	}
	return NULL;
}

static void
print_mount(FILE *f, const struct vr_mount_spec *m)
{
	fputs("mount ", f);
	vr_layout_put_path(f, m->host);
	fputc(' ', f);
	vr_layout_put_path(f, m->path);
	fprintf(f, " %s%s\n", m->flags & VR_MOUNT_RDONLY ? "ro" : "rw",
	        m->casefold == VR_CASE_FOLD ? ",ci" : "");
}

void
vr_layout_print(const struct vr_cli *c, const struct vr_layout *l, FILE *f)
{
	fprintf(f, "layout %s\n", l->name);
	for (unsigned int i = 0; i < c->nbases; i++) {
		fputs("base ", f);
		vr_layout_put_path(f, c->bases[i]);
		fputc('\n', f);
	}
	fputs("prefix ", f);
	vr_layout_put_path(f, c->prefix);
	fprintf(f, "\ncasefold %s\n", c->casefold ? "on" : "off");
	if (c->has_ident)
		fprintf(f, "identity %u:%u\n", c->uid, c->gid);
	else
		fputs("identity host\n", f);
	for (unsigned int i = 0; i < c->nmounts; i++)
		print_mount(f, &c->mounts[i]);
	for (size_t i = 0; i < l->n; i++) {
		const struct lay_entry *e = &l->e[i];
		struct vr_mount_spec m = {.flags = VR_MOUNT_RDONLY};
		char *a = NULL, *b = NULL;

		if (e->kind == LAY_SCRATCH && !covered(c, e->path)) {
			m.host = a = scratch_host(c, e->host);
			m.path = e->path;
			if (a)
				print_mount(f, &m);
		} else if (e->kind == LAY_DIR) {
			fputs("dir ", f);
			vr_layout_put_path(f, e->path);
			fprintf(f, " %04o\n", e->mode);
		} else if (e->kind == LAY_LINK && (a = expand(e->path)) && (b = expand(e->host))) {
			fputs("symlink ", f);
			vr_layout_put_path(f, a);
			fputc(' ', f);
			vr_layout_put_path(f, b);
			fputc('\n', f);
		}
		free(a);
		free(b);
	}
}

/* scratch_link() - @name is a link @l makes in its scratch directory @s. */
static int
scratch_link(const struct vr_layout *l, const struct lay_entry *s, const char *name)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct lay_entry *e = &l->e[i];

		if (e->kind == LAY_LINK && in_scratch(l, e->path) == s &&
		    strcmp(strrchr(e->path, '/') + 1, name) == 0)
			return 1;
	}
	return 0;
}

/*
 * drop_stale() - the symbolic links in scratch directory @dir that @l no
 * longer makes: a prefix made when /dev's devices were links to
 * /Volumes/SystemRoot/dev keeps none of them.
 */
static void
drop_stale(const struct vr_layout *l, const struct lay_entry *s, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (de->d_type == DT_LNK && !scratch_link(l, s, de->d_name))
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
}

/* make_scratch() - PREFIX.work/layout/@name, emptied of all but @l's links into it. */
static int
make_scratch(struct vr_cli *c, const struct vr_layout *l, const struct lay_entry *s, char *dir)
{
	char *up = scratch_host(c, "");

	if (!up || (mkdir(up, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(dir, 0755) < 0 && errno != EEXIST)) {
		vr_cli_error(c, "cannot create %s: %s", dir, strerror(errno));
		free(up);
		return -1;
	}
	free(up);
	drop_stale(l, s, dir);
	for (size_t i = 0; i < l->n; i++) {
		const struct lay_entry *e = &l->e[i];
		char link[PATH_MAX], *name;

		if (e->kind != LAY_LINK || in_scratch(l, e->path) != s)
			continue;
		name = strrchr(e->path, '/') + 1;
		if ((size_t)snprintf(link, sizeof(link), "%s/%s", dir, name) >= sizeof(link))
			return -1;
		/* Made by a run before, or by one running now: the same link either way. */
		if (symlink(e->host, link) < 0 && errno != EEXIST) {
			vr_cli_error(c, "cannot create %s: %s", link, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
vr_layout_prepare(struct vr_cli *c, const struct vr_layout *l, struct vr_ns_spec *spec)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct lay_entry *e = &l->e[i];
		char *dir, *path;

		if (e->kind != LAY_SCRATCH || covered(c, e->path))
			continue;
		if (!c->work) {
			vr_cli_error(c, "--layout %s needs a prefix", l->name);
			return -1;
		}
		dir = scratch_host(c, e->host);
		path = strdup(e->path);
		if (!dir || !path || make_scratch(c, l, e, dir) < 0 ||
		    add_mount(c, dir, path, VR_MOUNT_RDONLY) < 0)
			return -1;
	}
	spec->mounts = c->mounts;
	spec->nmounts = c->nmounts;
	return 0;
}

int
vr_layout_populate(struct vr_cli *c, const struct vr_layout *l, struct vr_task *t)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct lay_entry *e = &l->e[i];
		char *path, *target = NULL;
		struct stat st;
		int err;

		if ((e->kind != LAY_DIR && e->kind != LAY_LINK) || in_scratch(l, e->path))
			continue;
		path = expand(e->path);
		if (e->kind == LAY_LINK)
			target = expand(e->host);
		if (!path || (e->kind == LAY_LINK && !target)) {
			free(path);
			free(target);
			continue;
		}
		err = vr_fstatat(t, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW);
		if (err == -ENOENT && e->kind == LAY_DIR) {
			err = vr_mkdirat(t, AT_FDCWD, path, e->mode);
			/* mkdir took the umask off; the layout's mode is meant as given. */
			if (err == 0)
				err = vr_fchmodat(t, AT_FDCWD, path, e->mode, 0);
		} else if (err == -ENOENT) {
			err = vr_symlinkat(t, target, AT_FDCWD, path);
		}
		if (err < 0 && err != -EEXIST) {
			vr_cli_error(c, "--layout %s: cannot create %s: %s", l->name, path,
			             strerror(-err));
			free(path);
			free(target);
			return -1;
		}
		free(path);
		free(target);
	}
	return 0;
}
