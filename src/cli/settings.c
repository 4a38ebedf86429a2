/*
 * settings.c - a prefix remembers how it was made.
 *
 * The first run on a prefix writes PREFIX.work/settings: one line per
 * item, in the format of `vroot run --print-spec` (words separated by one
 * space, a space, tab, newline or backslash in a path as \ooo):
 *
 *     # vroot prefix settings (vroot(1), PREFIX SETTINGS)
 *     layout NAME
 *     base DIR                    one per base, topmost first, canonical
 *     casefold on|off
 *     identity host|UID:GID
 *     mount HOST VIRT ro|rw[,ci]  the user's mounts, not the layout's
 *
 * A later run takes every item it does not give.  What the prefix's
 * contents depend on cannot change under them: a different layout, base
 * list or case folding is refused with one line (--reset-settings makes
 * the run's options the prefix's settings).  Mounts and identity given on
 * the command line replace the stored ones, which are then rewritten.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout.h"
#include "settings.h"

#define SETTINGS "settings"
#define RESET_ADVICE                                                                               \
	"leave the option out, or give --reset-settings to make this run's options the prefix's "  \
	"settings"

struct stored {
	char *layout;
	char *bases[VR_MAX_LAYERS];
	unsigned int nbases;
	int casefold, has_casefold;
	int has_ident, ident_line;
	unsigned int uid, gid;
	struct vr_mount_spec mounts[VR_MAX_MOUNTS];
	unsigned int nmounts;
};

/* word() - the next space-separated word of *s, \ooo escapes decoded, in place; NULL: none. */
static char *
word(char **s)
{
	char *w = *s, *d;

	if (!w || !*w)
		return NULL;
	d = w;
	for (; **s && **s != ' '; (*s)++) {
		char *p = *s;

		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*d++ = (char)((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0'));
			*s += 3;
		} else {
			*d++ = *p;
		}
	}
	if (**s)
		(*s)++;
	*d = '\0';
	return w;
}

/* canon() - @path made canonical (realpath), allocated; as given if that fails. */
static char *
canon(const char *path)
{
	char *r = realpath(path, NULL);

	return r ? r : strdup(path);
}

/* parse_line() - one line of the file into @st.  Return: 0, or -1 when not understood. */
static int
parse_line(struct stored *st, char *line)
{
	char *key = word(&line), *a = word(&line), *b = word(&line), *o = word(&line);

	if (!key || key[0] == '#')
		return 0;
	if (!a)
		return -1;
	if (strcmp(key, "layout") == 0 && !b) {
		st->layout = strdup(a);
	} else if (strcmp(key, "base") == 0 && !b && st->nbases + 1 < VR_MAX_LAYERS) {
		st->bases[st->nbases++] = strdup(a);
	} else if (strcmp(key, "casefold") == 0 && !b && (!strcmp(a, "on") || !strcmp(a, "off"))) {
		st->casefold = a[1] == 'n';
		st->has_casefold = 1;
	} else if (strcmp(key, "identity") == 0 && !b) {
		st->ident_line = 1;
		if (strcmp(a, "host") != 0 && sscanf(a, "%u:%u", &st->uid, &st->gid) != 2)
			return -1;
		st->has_ident = strcmp(a, "host") != 0;
	} else if (strcmp(key, "mount") == 0 && b && o && st->nmounts < VR_MAX_MOUNTS) {
		struct vr_mount_spec *m = &st->mounts[st->nmounts++];

		memset(m, 0, sizeof(*m));
		m->host = strdup(a);
		m->path = strdup(b);
		if (strncmp(o, "ro", 2) == 0)
			m->flags = VR_MOUNT_RDONLY;
		else if (strncmp(o, "rw", 2) != 0)
			return -1;
		if (strcmp(o + 2, ",ci") == 0)
			m->casefold = VR_CASE_FOLD;
		else if (o[2])
			return -1;
	} else {
		return -1;
	}
	return 0;
}

/* settings_path() - PREFIX.work/settings (or + @suffix) in @buf. */
static int
settings_path(const struct vr_cli *c, char *buf, size_t size, const char *suffix)
{
	if ((size_t)snprintf(buf, size, "%s/" SETTINGS "%s", c->work, suffix) >= size) {
		vr_cli_error(c, "prefix %s: path too long", c->prefix);
		return -1;
	}
	return 0;
}

/* read_stored() - the file into @st.  Return: 1 read, 0 none, -1 error (printed). */
static int
read_stored(const struct vr_cli *c, const char *path, struct stored *st)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int n = 0, err = 0;

	if (!f && errno == ENOENT)
		return 0;
	if (!f) {
		vr_cli_error(c, "prefix %s: cannot read %s: %s", c->prefix, path, strerror(errno));
		return -1;
	}
	while (!err && (len = getline(&line, &cap, f)) > 0) {
		n++;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (parse_line(st, line) < 0) {
			vr_cli_error(
			        c,
			        "prefix %s: %s line %d is not understood (see vroot(1), PREFIX "
			        "SETTINGS; edit it, or give --reset-settings)",
			        c->prefix, path, n);
			err = -1;
		}
	}
	free(line);
	fclose(f);
	if (!err && (!st->layout || !st->nbases || !st->has_casefold || !st->ident_line)) {
		vr_cli_error(
		        c,
		        "prefix %s: %s lacks a layout, base, casefold or identity line (edit it, "
		        "or give --reset-settings)",
		        c->prefix, path);
		err = -1;
	}
	return err < 0 ? -1 : 1;
}

/* join_bases() - " --base B" for each base of @b, into @buf. */
static const char *
join_bases(char *const *b, unsigned int n, char *buf, size_t size)
{
	buf[0] = '\0';
	for (unsigned int i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? " --base " : "", b[i]);
	return buf;
}

/* same_bases() - @c's bases, canonical, are @st's. */
static int
same_bases(const struct vr_cli *c, const struct stored *st, char **given)
{
	int same = c->nbases == st->nbases;

	for (unsigned int i = 0; i < c->nbases; i++) {
		given[i] = canon(c->bases[i]);
		if (same && (!given[i] || strcmp(given[i], st->bases[i]) != 0))
			same = 0;
	}
	return same;
}

/* same_mounts() - the user's mounts of @c are @st's. */
static int
same_mounts(const struct vr_cli *c, const struct stored *st)
{
	if (c->nmounts != st->nmounts)
		return 0;
	for (unsigned int i = 0; i < c->nmounts; i++) {
		const struct vr_mount_spec *a = &c->mounts[i], *b = &st->mounts[i];
		char *h = canon(a->host);
		int same = h && strcmp(h, b->host) == 0 && strcmp(a->path, b->path) == 0 &&
		           a->flags == b->flags && a->casefold == b->casefold;

		free(h);
		if (!same)
			return 0;
	}
	return 1;
}

int
vr_settings_load(struct vr_cli *c, int reset, int *save)
{
	struct stored st;
	char path[PATH_MAX], want[PATH_MAX], got[PATH_MAX], *given[VR_MAX_LAYERS];
	int r;

	*save = 1;
	if (reset)
		return 0;
	memset(&st, 0, sizeof(st));
	if (settings_path(c, path, sizeof(path), "") < 0)
		return -1;
	r = read_stored(c, path, &st);
	if (r <= 0)
		return r;
	*save = 0;
	if (c->layout && strcmp(c->layout, st.layout) != 0) {
		vr_cli_error(c, "prefix %s was made with --layout %s; --layout %s conflicts (%s)",
		             c->prefix, st.layout, c->layout, RESET_ADVICE);
		return -1;
	}
	c->layout = st.layout;
	if (c->nbases && !same_bases(c, &st, given)) {
		vr_cli_error(c, "prefix %s was made over --base %s; --base %s conflicts (%s)",
		             c->prefix, join_bases(st.bases, st.nbases, want, sizeof(want)),
		             join_bases(given, c->nbases, got, sizeof(got)), RESET_ADVICE);
		return -1;
	}
	for (unsigned int i = 0; i < st.nbases; i++)
		c->bases[i] = st.bases[i];
	c->nbases = st.nbases;
	if (c->casefold_set && c->casefold != st.casefold) {
		vr_cli_error(c, "prefix %s was made case-%s (casefold %s); %s conflicts (%s)",
		             c->prefix, st.casefold ? "insensitive" : "sensitive",
		             st.casefold ? "on" : "off",
		             c->casefold ? "--case-insensitive" : "--case-sensitive", RESET_ADVICE);
		return -1;
	}
	c->casefold = st.casefold;
	c->casefold_set = 1;
	if (c->ident_set) {
		*save |= c->has_ident != st.has_ident ||
		         (c->has_ident && (c->uid != st.uid || c->gid != st.gid));
	} else {
		c->has_ident = st.has_ident;
		c->uid = st.uid;
		c->gid = st.gid;
	}
	if (c->nmounts) {
		*save |= !same_mounts(c, &st);
	} else {
		memcpy(c->mounts, st.mounts, st.nmounts * sizeof(st.mounts[0]));
		c->nmounts = st.nmounts;
	}
	return 0;
}

int
vr_settings_bases(struct vr_cli *c)
{
	struct stored st;
	char path[PATH_MAX];
	int r;

	memset(&st, 0, sizeof(st));
	if (c->nbases)
		return 0;
	if ((!c->work && vr_cli_work_path(c) < 0) || settings_path(c, path, sizeof(path), "") < 0)
		return -1;
	r = read_stored(c, path, &st);
	for (unsigned int i = 0; r > 0 && i < st.nbases; i++)
		c->bases[c->nbases++] = st.bases[i];
	return r < 0 ? -1 : 0;
}

int
vr_settings_save(const struct vr_cli *c, unsigned int nuser)
{
	char path[PATH_MAX], tmp[PATH_MAX], suffix[32];
	FILE *f;
	int err;

	snprintf(suffix, sizeof(suffix), ".%d.new", (int)getpid());
	if (settings_path(c, path, sizeof(path), "") < 0 ||
	    settings_path(c, tmp, sizeof(tmp), suffix) < 0)
		return -1;
	f = fopen(tmp, "we");
	if (!f) {
		vr_cli_error(c, "prefix %s: cannot write %s: %s", c->prefix, tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "# vroot prefix settings (vroot(1), PREFIX SETTINGS)\nlayout %s\n",
	        c->layout ? c->layout : "default");
	for (unsigned int i = 0; i < c->nbases; i++) {
		char *b = canon(c->bases[i]);

		fputs("base ", f);
		vr_layout_put_path(f, b ? b : c->bases[i]);
		fputc('\n', f);
		free(b);
	}
	fprintf(f, "casefold %s\n", c->casefold ? "on" : "off");
	if (c->has_ident)
		fprintf(f, "identity %u:%u\n", c->uid, c->gid);
	else
		fputs("identity host\n", f);
	for (unsigned int i = 0; i < nuser; i++) {
		const struct vr_mount_spec *m = &c->mounts[i];
		char *h = canon(m->host);

		fputs("mount ", f);
		vr_layout_put_path(f, h ? h : m->host);
		fputc(' ', f);
		vr_layout_put_path(f, m->path);
		fprintf(f, " %s%s\n", m->flags & VR_MOUNT_RDONLY ? "ro" : "rw",
		        m->casefold == VR_CASE_FOLD ? ",ci" : "");
		free(h);
	}
	err = ferror(f);
	if (fclose(f) != 0 || err || rename(tmp, path) < 0) {
		vr_cli_error(c, "prefix %s: cannot write %s: %s", c->prefix, path,
		             strerror(errno ? errno : EIO));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- vroot list ---------------------------------------------------------- */

static unsigned long long list_bytes; /* nftw() has no argument to sum into */

static int
add_size(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path, (void)type, (void)ftw;
	list_bytes += (unsigned long long)st->st_blocks * 512;
	return 0;
}

/* human() - @n bytes as du -h writes them (4.0K, 12M). */
static void
human(unsigned long long n, char *buf, size_t size)
{
	static const char unit[] = "BKMGTP";
	double v = (double)n;
	int u = 0;

	while (v >= 1024 && unit[u + 1]) {
		v /= 1024;
		u++;
	}
	if (u && v < 10)
		snprintf(buf, size, "%.1f%c", v, unit[u]);
	else
		snprintf(buf, size, "%.0f%c", v, unit[u]);
}

/* summary() - the settings of prefix @dir on one line ("; " between items). */
static void
summary(const char *dir, FILE *out)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int first = 1;
	FILE *f;

	f = (size_t)snprintf(path, sizeof(path), "%s.work/" SETTINGS, dir) < sizeof(path)
	            ? fopen(path, "re")
	            : NULL;
	if (!f) {
		fputs("(no settings recorded)", out);
		return;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		fprintf(out, "%s%s", first ? "" : "; ", line);
		first = 0;
	}
	free(line);
	fclose(f);
}

int
vr_cli_list(int argc, char **argv)
{
	struct vr_cli c = {.prog = "vroot list"};
	struct dirent **e;
	char *dir;
	int n;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs("usage: vroot list\n"
			      "List the named prefixes (vroot run --name NAME) in\n"
			      "${XDG_DATA_HOME:-~/.local/share}/vroot: name, size on disk, "
			      "settings.\n",
			      stdout);
			return 0;
		}
		vr_cli_error(&c, "unknown argument '%s' (usage: vroot list)", argv[i]);
		return 125;
	}
	dir = vr_cli_data_dir(&c);
	if (!dir)
		return 125;
	printf("%-16s %6s  %s\n", "NAME", "SIZE", "SETTINGS");
	n = scandir(dir, &e, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX], w[PATH_MAX], size[16];
		struct stat st;
		size_t len = strlen(e[i]->d_name);

		if (e[i]->d_name[0] == '.' ||
		    (len > 5 && !strcmp(e[i]->d_name + len - 5, ".work")) ||
		    (size_t)snprintf(p, sizeof(p), "%s/%s", dir, e[i]->d_name) >= sizeof(p) ||
		    (size_t)snprintf(w, sizeof(w), "%s.work", p) >= sizeof(w) || stat(p, &st) < 0 ||
		    !S_ISDIR(st.st_mode) || stat(w, &st) < 0 || !S_ISDIR(st.st_mode)) {
			free(e[i]);
			continue;
		}
		list_bytes = 0;
		nftw(p, add_size, 16, FTW_PHYS);
		human(list_bytes, size, sizeof(size));
		printf("%-16s %6s  ", e[i]->d_name, size);
		summary(p, stdout);
		putchar('\n');
		free(e[i]);
	}
	if (n >= 0)
		free(e);
	free(dir);
	return fflush(stdout) == 0 ? 0 : 125;
}
