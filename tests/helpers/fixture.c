/*
 * fixture.c - building throw-away directory trees for tests.
 */
#include "fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

char *
fx_tmpdir(const char *tag)
{
	char tmpl[PATH_MAX];
	char *canon;

	if (snprintf(tmpl, sizeof(tmpl), "/tmp/%s.XXXXXX", tag) >= (int)sizeof(tmpl)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (!mkdtemp(tmpl))
		return NULL;
	canon = realpath(tmpl, NULL);
	if (!canon) {
		int e = errno;

		rmdir(tmpl);
		errno = e;
	}
	return canon;
}

int
fx_path(char *buf, size_t size, const char *root, const char *rel)
{
	int n = snprintf(buf, size, "%s/%s", root, rel);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* make_parents() - mkdir -p every directory of @path above its last name. */
static int
make_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			int e = errno;

			*p = '/';
			return -e;
		}
		*p = '/';
	}
	return 0;
}

int
fx_mkdirs(const char *root, const char *rel)
{
	char path[PATH_MAX];
	int err = fx_path(path, sizeof(path), root, rel);

	if (err == 0)
		err = make_parents(path);
	if (err == 0 && mkdir(path, 0755) < 0 && errno != EEXIST)
		err = -errno;
	return err;
}

int
fx_file(const char *root, const char *rel, const char *content)
{
	char path[PATH_MAX];
	size_t len = strlen(content);
	int err = fx_path(path, sizeof(path), root, rel);
	int fd;

	if (err == 0)
		err = make_parents(path);
	if (err < 0)
		return err;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, content, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	if (close(fd) < 0 && err == 0)
		err = -errno;
	return err;
}

int
fx_symlink(const char *root, const char *rel, const char *target)
{
	char path[PATH_MAX];
	int err = fx_path(path, sizeof(path), root, rel);

	if (err == 0)
		err = make_parents(path);
	if (err == 0 && symlink(target, path) < 0)
		err = -errno;
	return err;
}

int
fx_whiteout(const char *root, const char *rel)
{
	char path[PATH_MAX];
	int err = fx_path(path, sizeof(path), root, rel);

	if (err == 0)
		err = make_parents(path);
	if (err == 0 && mknod(path, S_IFCHR | 0000, makedev(0, 0)) < 0)
		err = -errno;
	return err;
}

int
fx_opaque(const char *root, const char *rel)
{
	char path[PATH_MAX];
	int err = fx_path(path, sizeof(path), root, rel);

	if (err == 0 && setxattr(path, "user.overlay.opaque", "y", 1, 0) < 0)
		err = -errno;
	return err;
}

int
fx_exists(const char *root, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	return fx_path(path, sizeof(path), root, rel) == 0 && lstat(path, &st) == 0;
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

int
fx_rmrf(const char *path)
{
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

void
sb_addn(struct sb *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sb_add(struct sb *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

void
sb_addf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	char *tmp = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	sb_addn(b, tmp, (size_t)n);
	free(tmp);
}

void
sb_esc(struct sb *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			sb_addf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			sb_addf(b, "\\x%02x", c);
		else
			sb_addn(b, s + i, 1);
	}
}

void
bail_out(const char *fmt, ...)
{
	va_list ap;

	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(1);
}

void
pathf(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		bail_out("a path does not fit in %zu bytes: %s", size, out);
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

unsigned int
rnd(struct rng *r, unsigned int n)
{
	return (unsigned int)(rng_next(r) % n);
}
