/*
 * mem.c - the memory routines a compiler may call implicitly, for programs
 * linked without a C library (the loader, the freestanding test).  Hosted
 * programs take their C library's versions instead: this file is not part
 * of libvroot.a.
 */
#include "util.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *
memcpy(void *dst, const void *src, size_t n)
{
	return vr_memcpy(dst, src, n);
}

void *
memmove(void *dst, const void *src, size_t n)
{
	return vr_memmove(dst, src, n);
}

void *
memset(void *dst, int c, size_t n)
{
	return vr_memset(dst, c, n);
}

int
memcmp(const void *a, const void *b, size_t n)
{
	return vr_memcmp(a, b, n);
}
