/*
 * rt.c - memcpy and friends for a program linked without libc, plus the
 * bounded message builder.
 *
 * The copy loops are `rep movsb`/`rep stosb`: short, fast on current cores,
 * and immune to the compiler turning a byte loop back into a call to the
 * very function being defined.
 */
#include <linux/fcntl.h>
#include "rt.h"
#include "sys.h"

void *
memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlapping with dst above src: copy backwards. */
	d += n - 1;
	s += n - 1;
	__asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

void *
memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t
strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

int
strcmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
	for (; n && *a && *a == *b; n--, a++, b++)
		;
	return n ? (unsigned char)*a - (unsigned char)*b : 0;
}

void
vrl_buf_init(struct vrl_buf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	mem[0] = 0;
}

void
vrl_buf_str(struct vrl_buf *b, const char *s)
{
	if (!s)
		s = "(null)";
	for (; *s && b->len + 1 < b->cap; s++)
		b->p[b->len++] = *s;
	b->p[b->len] = 0;
}

void
vrl_buf_dec(struct vrl_buf *b, long v)
{
	char tmp[24];
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
	int i = sizeof(tmp) - 1;

	tmp[i] = 0;
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	vrl_buf_str(b, tmp + i);
}

void
vrl_buf_hex(struct vrl_buf *b, unsigned long v)
{
	char tmp[24];
	int i = sizeof(tmp) - 1;

	tmp[i] = 0;
	do {
		tmp[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	vrl_buf_str(b, tmp + i);
}

static const char *
errname(long err)
{
	switch (-err) {
	case ENOENT:
		return "No such file or directory";
	case EACCES:
		return "Permission denied";
	case ENOEXEC:
		return "Exec format error";
	case ENOMEM:
		return "Out of memory";
	case EINVAL:
		return "Invalid argument";
	case ELOOP:
		return "Too many levels of symbolic links or interpreters";
	case ENOSYS:
		return "Function not implemented";
	case ENAMETOOLONG:
		return "File name too long";
	case EEXIST:
		return "Address already in use by another mapping";
	case E2BIG:
		return "Argument list too long";
	case ENOTDIR:
		return "Not a directory";
	case EISDIR:
		return "Is a directory";
	}
	return NULL;
}

long
vrl_read_at(int dirfd, const char *path, char *buf, size_t cap)
{
	int fd = (int)vrl_sys4(__NR_openat, dirfd, path, O_RDONLY | O_CLOEXEC, 0);
	long n, got = 0;

	if (fd < 0)
		return fd;
	while ((size_t)got < cap && (n = vrl_sys3(__NR_read, fd, buf + got, cap - (size_t)got)) > 0)
		got += n;
	vrl_close(fd);
	return got;
}

void
vrl_die(const char *what, const char *arg, long err)
{
	vrl_fail(125, what, arg, err);
}

void
vrl_fail(int status, const char *what, const char *arg, long err)
{
	char mem[512];
	struct vrl_buf b;
	const char *name = errname(err);

	vrl_buf_init(&b, mem, sizeof(mem));
	vrl_buf_str(&b, "vroot-loader: ");
	vrl_buf_str(&b, what);
	if (arg) {
		vrl_buf_str(&b, " '");
		vrl_buf_str(&b, arg);
		vrl_buf_str(&b, "'");
	}
	if (err) {
		vrl_buf_str(&b, ": ");
		if (name) {
			vrl_buf_str(&b, name);
		} else {
			vrl_buf_str(&b, "error ");
			vrl_buf_dec(&b, -err);
		}
	}
	vrl_buf_str(&b, "\n");
	/* Raw: vrl_die() may run before the trusted page exists. */
	vrl_raw6(__NR_write, 2, (long)b.p, (long)b.len, 0, 0, 0);
	for (;;)
		vrl_raw6(__NR_exit_group, status, 0, 0, 0, 0, 0);
}
