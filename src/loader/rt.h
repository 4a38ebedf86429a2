/*
 * rt.h - the few C runtime pieces a freestanding program needs, and a
 * bounded string builder for messages.  No allocation, no globals.
 */
#ifndef VRL_RT_H
#define VRL_RT_H

#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/**
 * struct vrl_buf - a message being built in caller-provided storage.
 * Appends past @cap are dropped; @len never exceeds @cap - 1 and the text
 * stays NUL-terminated.
 */
struct vrl_buf {
	char *p;
	size_t len;
	size_t cap;
};

/** vrl_buf_init() - start an empty message in @mem[@cap] (@cap >= 1). */
void vrl_buf_init(struct vrl_buf *b, char *mem, size_t cap);
/** vrl_buf_str() - append the NUL-terminated @s (NULL appends "(null)"). */
void vrl_buf_str(struct vrl_buf *b, const char *s);
/** vrl_buf_dec() - append @v in decimal, with a '-' when negative. */
void vrl_buf_dec(struct vrl_buf *b, long v);
/** vrl_buf_hex() - append @v as 0x-prefixed hexadecimal. */
void vrl_buf_hex(struct vrl_buf *b, unsigned long v);

/**
 * vrl_read_at() - the first bytes of file @path (relative to @dirfd), up to
 * @cap, into @buf: small files of /proc.  Returns how many, or -errno.
 */
long vrl_read_at(int dirfd, const char *path, char *buf, size_t cap);

/**
 * vrl_die() - write "vroot-loader: @what: <errno name or number>" to fd 2
 * and exit with status 125: vroot itself failed (the chroot/env
 * convention).  @err: a -errno value, or 0 for none.
 */
__attribute__((noreturn)) void vrl_die(const char *what, const char *arg, long err);

/**
 * vrl_fail() - as vrl_die(), with exit @status: 126 when the program cannot
 * be executed, 127 when it is not found.
 */
__attribute__((noreturn)) void vrl_fail(int status, const char *what, const char *arg, long err);

#endif
