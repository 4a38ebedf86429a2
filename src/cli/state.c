/*
 * state.c - handing the session to the loader.
 *
 * The loader takes its state from its own command line, "--state=HEX", a
 * sequence of records [type:1][length:2, little endian][bytes], each byte
 * as two lowercase hex digits.  The command line is the one channel a
 * program cannot take from its children, and the loader strips it before
 * the program sees its argv.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"

static char *
put_hex(char *o, const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		*o++ = digits[b[i] >> 4];
		*o++ = digits[b[i] & 15];
	}
	return o;
}

char *
vr_cli_state(struct vr_cli *c, struct vr_task *t)
{
	long n = vr_task_pack(t, NULL, 0);
	unsigned char *blob, head[3];
	char *s, *o;

	if (n < 0 || n > 0xffff) {
		vr_cli_error(c, "cannot pass the namespace to the loader: %s",
		             n < 0 ? strerror((int)-n) : "too many or too long paths");
		return NULL;
	}
	blob = malloc((size_t)n);
	s = malloc(sizeof("--state=") + 2 * (3 + (size_t)n));
	if (!blob || !s || vr_task_pack(t, blob, (size_t)n) != n) {
		free(blob);
		free(s);
		vr_cli_error(c, "out of memory");
		return NULL;
	}
	head[0] = VR_STATE_TASK;
	head[1] = (unsigned char)(n & 0xff);
	head[2] = (unsigned char)(n >> 8);
	o = stpcpy(s, "--state=");
	o = put_hex(o, head, 3);
	o = put_hex(o, blob, (size_t)n);
	*o = '\0';
	free(blob);
	return s;
}

int
vr_cli_exec_loader(struct vr_cli *c, const char *loader, const char *state, const char *opt,
                   const char *exe, char **argv)
{
	size_t argc = 0, i = 0;
	char **v;

	while (argv[argc])
		argc++;
	v = calloc(argc + 7, sizeof(*v));
	if (!v) {
		vr_cli_error(c, "out of memory");
		return 125;
	}
	v[i++] = (char *)"vroot-loader";
	v[i++] = (char *)state;
	if (opt)
		v[i++] = (char *)opt;
	v[i++] = (char *)"--exe";
	v[i++] = (char *)exe;
	v[i++] = (char *)"--";
	memcpy(v + i, argv, (argc + 1) * sizeof(*v));
	execv(loader, v);
	vr_cli_error(c, "cannot execute %s: %s", loader, strerror(errno));
	free(v);
	return 125;
}
