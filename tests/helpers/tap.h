/*
 * tap.h - a small TAP producer for vroot's C tests.
 *
 * Each test binary prints "ok N - name" / "not ok N - name" lines and a
 * trailing plan, and exits non-zero when a test failed, so `prove` counts it.
 */
#ifndef VR_TAP_H
#define VR_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;
/* tap_todo: while set, results are known gaps: reported, not counted. */
static const char *tap_todo;

static void __attribute__((format(printf, 2, 0))) tap_vreport(int pass, const char *fmt, va_list ap)
{
	tap_n++;
	if (!pass && !tap_todo)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	if (tap_todo)
		printf(" # TODO %s", tap_todo);
	putchar('\n');
	fflush(stdout);
}

static int __attribute__((format(printf, 2, 3), unused)) ok(int pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(pass, fmt, ap);
	va_end(ap);
	return pass;
}

static void __attribute__((format(printf, 1, 2), unused)) diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int __attribute__((format(printf, 3, 4), unused))
is_int(long got, long want, const char *fmt, ...)
{
	va_list ap;
	int pass = got == want;

	va_start(ap, fmt);
	tap_vreport(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("  got %ld, want %ld", got, want);
	return pass;
}

static int __attribute__((format(printf, 3, 4), unused))
is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int pass = got && want && strcmp(got, want) == 0;

	va_start(ap, fmt);
	tap_vreport(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("  got \"%s\", want \"%s\"", got ? got : "(null)", want ? want : "(null)");
	return pass;
}

/* ok_todo() - ok(), marked TODO with @todo when it is not NULL (a known gap). */
static int __attribute__((format(printf, 3, 4), unused))
ok_todo(int pass, const char *todo, const char *fmt, ...)
{
	const char *saved = tap_todo;
	va_list ap;

	if (todo)
		tap_todo = todo;
	va_start(ap, fmt);
	tap_vreport(pass, fmt, ap);
	va_end(ap);
	tap_todo = saved;
	return pass;
}

/* is_err() - a -errno return equals -want (want is a positive errno). */
static int __attribute__((format(printf, 3, 4), unused))
is_err(long got, int want, const char *fmt, ...)
{
	va_list ap;
	int pass = got == -want;

	va_start(ap, fmt);
	tap_vreport(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("  got %ld (%s), want -%d (%s)", got,
		     got < 0 ? strerror((int)-got) : "success", want, strerror(want));
	return pass;
}

static void __attribute__((format(printf, 1, 2), unused)) skip_all(const char *fmt, ...)
{
	va_list ap;

	fputs("1..0 # SKIP ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(0);
}

/* done_testing() - print the plan; the exit status is the test's verdict. */
static int __attribute__((unused)) done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
