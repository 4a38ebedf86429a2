/*
 * options.h - the namespace options every vroot command shares
 * (--base, --prefix, --mount, --cwd, --case-insensitive) and their translation into a
 * struct vr_ns_spec.
 */
#ifndef VR_CLI_OPTIONS_H
#define VR_CLI_OPTIONS_H

#include "vroot.h"

struct vr_cli {
	const char *prog;
	const char *bases[VR_MAX_LAYERS];
	unsigned int nbases;
	const char *prefix; /* NULL: no writable layer */
	char *work;         /* prefix + ".work" */
	struct vr_mount_spec mounts[VR_MAX_MOUNTS];
	unsigned int nmounts;
	const char *cwd;
	int casefold; /* --case-insensitive: the root overlay folds case */
	int casefold_set; /* --case-insensitive or --case-sensitive was given */
	const char *layout; /* --layout NAME; NULL: the default layout */
	int has_ident;      /* a faked identity: --fake-root, --uid/--gid */
	int ident_set;      /* one of those or --host-identity was given */
	unsigned int uid, gid;
	int quiet;  /* --quiet: no warning lines, errors only */
	int stats;       /* run --stats */
	void *stats_map; /* its counters (stats.c) */
};

/*
 * vr_cli_option() - take option argv[*i] (and its argument) if it is one
 * of the shared ones.  Return: 1 taken, 0 not ours, -1 error (printed).
 */
int vr_cli_option(struct vr_cli *c, int argc, char **argv, int *i);

/*
 * vr_cli_check() - the bases and mount sources are directories, the prefix
 * is one or absent, and is none of the bases.  Return: 0, or -1 with a one-line error printed.
 */
int vr_cli_check(struct vr_cli *c);

/*
 * vr_cli_spec() - check the options against the filesystem and fill @spec.
 * @create: make the prefix and its work directory if missing.
 * Return: 0, or -1 with a one-line error printed.
 */
int vr_cli_spec(struct vr_cli *c, int create, struct vr_ns_spec *spec);

/*
 * vr_cli_work_path() - set c->work to the prefix's work directory's path
 * (the prefix, trailing slashes dropped, + ".work"), allocated.
 * Return: 0, or -1 with a one-line error printed.
 */
int vr_cli_work_path(struct vr_cli *c);

/*
 * vr_cli_clean_work() - remove what copy-ups killed half-way left in the
 * work directory (temporaries of threads that no longer exist).
 * Return: how many were removed.
 */
int vr_cli_clean_work(struct vr_cli *c);

/*
 * vr_cli_data_dir() - ${XDG_DATA_HOME:-$HOME/.local/share}/vroot, where
 * named prefixes live, allocated.  Return: it, or NULL with one line printed.
 */
char *vr_cli_data_dir(struct vr_cli *c);

/*
 * vr_cli_named_prefix() - the prefix called @name (--name NAME): NAME in
 * vr_cli_data_dir(), allocated.  Return: it, or NULL with one line printed
 * (no HOME, or @name is not one plain component).
 */
char *vr_cli_named_prefix(struct vr_cli *c, const char *name);

/*
 * vr_cli_default_prefix() - ${XDG_DATA_HOME:-$HOME/.local/share}/vroot/default,
 * allocated.  Return: it, or NULL with a one-line error printed.
 */
char *vr_cli_default_prefix(struct vr_cli *c);

/* vr_cli_error() - "PROG: " + message + newline on stderr. */
void vr_cli_error(const struct vr_cli *c, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

#endif
