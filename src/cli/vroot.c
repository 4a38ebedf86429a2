/*
 * vroot - run a program in a virtual root tree.
 *
 *   vroot run [OPTIONS] [--] COMMAND [ARG...]
 *
 * Turns the options into a namespace, prepares the prefix, finds COMMAND
 * inside the namespace and executes the loader, which starts COMMAND with
 * the namespace around it.  Exit status: COMMAND's own; 125 when vroot
 * itself fails, 126 when COMMAND cannot be executed, 127 when it is not
 * found (the chroot/env convention).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confine.h"
#include "diff.h"
#include "export.h"
#include "kernel.h"
#include "layout.h"
#include "options.h"
#include "settings.h"
#include "paths.h"
#include "state.h"
#include "stats.h"

#define EXIT_FAIL     125
#define EXIT_NOEXEC   126
#define EXIT_NOTFOUND 127

static void
usage(FILE *f)
{
	fputs("usage: vroot run [OPTIONS] [--] COMMAND [ARG...]\n"
	      "       vroot diff [--prefix DIR | --name NAME] [--base DIR]... [--stat | --json]\n"
	      "       vroot reset [--prefix DIR | --name NAME]\n"
	      "       vroot export [--prefix DIR | --name NAME] [--changes] FILE.tar|-\n"
	      "       vroot list\n"
	      "Run COMMAND, and everything it starts, in a virtual root tree; list what a\n"
	      "prefix changed against its bases (vroot diff --help); empty a prefix; write\n"
	      "the tree or the prefix's changes as a tar archive (vroot export --help);\n"
	      "list the named prefixes with their size and settings.\n"
	      "\n"
	      "  --base DIR             read-only lower layer; repeatable, the first given is\n"
	      "                         topmost; default: /\n"
	      "  --prefix DIR           writable upper layer, created if missing, with DIR.work\n"
	      "                         beside it for vroot's scratch files (keep the two\n"
	      "                         together); not one of the bases; default:\n"
	      "                         ${XDG_DATA_HOME:-~/.local/share}/vroot/default\n"
	      "  --name NAME            the prefix ${XDG_DATA_HOME:-~/.local/share}/vroot/NAME\n"
	      "                         (vroot list shows them)\n"
	      "  --reset-settings       make this run's options the prefix's settings; without\n"
	      "                         it, a prefix keeps the layout, bases, case folding,\n"
	      "                         mounts and identity of the run that made it, an option\n"
	      "                         not given is taken from there, and a different layout,\n"
	      "                         base list or case folding is refused (see README)\n"
	      "  --mount HOST:VIRT[:rw|:ro|:ci|:ro,ci]\n"
	      "                         show host directory HOST at virtual path VIRT; writes go\n"
	      "                         to HOST itself (rw, the default) or fail with EROFS (ro);\n"
	      "                         ci: names inside are looked up as --case-insensitive\n"
	      "                         says; HOST may be one file (a device node): VIRT is then\n"
	      "                         that file; repeatable\n"
	      "  --case-insensitive     names in the root overlay (every layer) are looked up\n"
	      "                         case- and normalization-insensitively and created as\n"
	      "                         given, as on macOS (see README)\n"
	      "  --case-sensitive       names are looked up as given (the default but in\n"
	      "                         --layout darwin)\n"
	      "  --layout NAME          start from a named layout: default (the host's root,\n"
	      "                         its /proc, /dev, /sys), rootfs (--base is a\n"
	      "                         distribution's tree; the host's /proc, /dev, /sys, /tmp\n"
	      "                         and home mounted in it), darwin (--base is a macOS-like\n"
	      "                         tree; the host under /Volumes, /Users/USER, /private,\n"
	      "                         its own /dev, names folding case); the options given\n"
	      "                         win over the layout's (see README)\n"
	      "  --print-spec           print the namespace the options and layout make, one\n"
	      "                         line each (format: vroot(1)), and exit; COMMAND may be\n"
	      "                         left out\n"
	      "  --cwd DIR              initial virtual working directory; default: the caller's\n"
	      "                         cwd if it exists in the namespace, else /\n"
	      "  --fake-root            the program runs as root (uid and gid 0) inside, as\n"
	      "                         --uid 0 --gid 0\n"
	      "  --host-identity        the program runs as the calling user (the default, unless\n"
	      "                         the prefix remembers --fake-root or --uid)\n"
	      "  --uid N --gid N        the program runs as user N, group N inside (both are\n"
	      "                         needed); the user's own files show as root's, and\n"
	      "                         chown, chmod and mknod are kept in the prefix (see\n"
	      "                         README)\n"
	      "  --confine              the kernel (Landlock) enforces the namespace even against\n"
	      "                         a program that attacks vroot (see README)\n"
	      "  -q, --quiet            no warnings (a prefix that cannot hold whiteouts), only\n"
	      "                         errors\n"
	      "  --stats                at exit, print on stderr how many calls were trapped,\n"
	      "                         went through rewritten call sites, and how many system\n"
	      "                         calls vroot made, for the whole process tree, the\n"
	      "                         busiest call sites, the paths walked and how the\n"
	      "                         directory cache did\n"
	      "  -h, --help             this text\n"
	      "  --version              vroot's version\n"
	      "\n"
	      "/proc, /dev and /sys are the host's unless a --mount covers them (the\n"
	      "default layout).\n"
	      "Exit status: COMMAND's; 125 if vroot fails, 126 if COMMAND cannot be executed,\n"
	      "127 if it is not found.\n",
	      f);
}

/*
 * mkdir_parents() - mkdir -p of the directories above @path; *top: the
 * length of the first one it created (0: none), for rm_parents().
 */
static int
mkdir_parents(struct vr_cli *c, const char *path, size_t *top)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	*top = 0;
	if (n >= sizeof(buf)) {
		vr_cli_error(c, "prefix %s: path too long", path);
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0755) == 0) {
			if (!*top)
				*top = (size_t)(s - buf);
		} else if (errno != EEXIST) {
			vr_cli_error(c, "prefix %s: cannot create %s: %s (choose another --prefix)",
			             path, buf, strerror(errno));
			return -1;
		}
		*s = '/';
	}
	return 0;
}

/* rm_parents() - undo mkdir_parents() when the prefix is refused after it. */
static void
rm_parents(const char *path, size_t top)
{
	char buf[PATH_MAX], *s;

	if (!top || (size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf))
		return;
	while ((s = strrchr(buf, '/')) && (size_t)(s - buf) >= top) {
		*s = '\0';
		rmdir(buf); /* an error: not ours to remove, or gone already */
	}
}

/*
 * check_command() - @path names a regular file the caller may execute, in
 * the namespace; @report: say why not on stderr.  Return: 0, or the exit
 * status to fail with (126, 127).
 */
static int
check_command(struct vr_cli *c, struct vr_task *t, const char *path, int report)
{
	struct stat st;
	int err = vr_fstatat(t, AT_FDCWD, path, &st, 0);

	if (err < 0) {
		if (report)
			vr_cli_error(c, "%s: %s", path, strerror(-err));
		/* In a PATH search an unreadable directory holds nothing: not found. */
		return err == -ENOENT || err == -ENOTDIR || (!report && err == -EACCES)
		               ? EXIT_NOTFOUND
		               : EXIT_NOEXEC;
	}
	if (S_ISDIR(st.st_mode)) {
		if (report)
			vr_cli_error(c, "%s: is a directory", path);
		return EXIT_NOEXEC;
	}
	err = vr_faccessat2(t, AT_FDCWD, path, X_OK, AT_EACCESS);
	if (err < 0 || !S_ISREG(st.st_mode)) {
		if (report)
			vr_cli_error(c, "%s: %s", path, strerror(err < 0 ? -err : EACCES));
		return EXIT_NOEXEC;
	}
	return 0;
}

/* find_command() - COMMAND as execvp(3) finds it, in the namespace. */
static int
find_command(struct vr_cli *c, struct vr_task *t, const char *cmd, char *out, size_t size)
{
	const char *path = getenv("PATH");
	int best = EXIT_NOTFOUND;

	if (strchr(cmd, '/')) {
		snprintf(out, size, "%s", cmd);
		return check_command(c, t, cmd, 1);
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		int r;

		if ((size_t)snprintf(out, size, "%.*s/%s", (int)len, len ? path : ".", cmd) <
		    size) {
			r = check_command(c, t, out, 0);
			if (r == 0)
				return 0;
			if (r == EXIT_NOEXEC)
				best = EXIT_NOEXEC;
		}
		path += len + (end ? 1 : 0);
	}
	vr_cli_error(c, "%s: command not found in the namespace", cmd);
	return best;
}

/* check_elf() - refuse an ELF for another machine before the loader tries it. */
static int
check_elf(struct vr_cli *c, struct vr_task *t, const char *path)
{
	unsigned char h[20];
	int fd = vr_openat(t, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	ssize_t n;

	if (fd < 0) {
		vr_cli_error(c, "%s: %s", path, strerror(-fd));
		return EXIT_NOEXEC;
	}
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n < 20 || memcmp(h, "\177ELF", 4) != 0)
		return 0;
	/* i386 and x32 programs: the loader maps and filters x86-64 ones only. */
	if (h[4] == 1 && ((h[18] == 3 && h[19] == 0) || (h[18] == 62 && h[19] == 0))) {
		vr_cli_error(c, "%s: cannot execute: 32-bit programs are not supported", path);
		return EXIT_NOEXEC;
	}
	if (h[4] != 2 || h[18] != 62 || h[19] != 0) {
		vr_cli_error(c, "%s: cannot execute: not an x86-64 program", path);
		return EXIT_NOEXEC;
	}
	return 0;
}

/*
 * loader_path() - where vroot-loader is: beside the real executable (the
 * build tree, or a directory both were copied to), in ../libexec/vroot
 * from it (an installed tree moved elsewhere as a whole), or at the path
 * it was installed to (a vroot copied or linked anywhere).  /proc/self/exe
 * names the file itself, so a symlink to vroot counts as vroot.
 */
static int
loader_path(struct vr_cli *c, char *buf, size_t size)
{
	static const char *const rel[] = {"/vroot-loader", "/../libexec/vroot/vroot-loader"};
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0 && (size_t)n < sizeof(self) - 1) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		for (size_t i = 0; slash && i < sizeof(rel) / sizeof(rel[0]); i++)
			if ((size_t)snprintf(buf, size, "%.*s%s", (int)(slash - self), self,
			                     rel[i]) < size &&
			    access(buf, X_OK) == 0)
				return 0;
	} else {
		snprintf(self, sizeof(self), "(unknown: /proc/self/exe unreadable)");
	}
	if ((size_t)snprintf(buf, size, "%s", VR_LOADER_PATH) < size && access(buf, X_OK) == 0)
		return 0;
	vr_cli_error(c,
	             "cannot find vroot-loader beside %s, in ../libexec/vroot from there, "
	             "or at %s (is the build or the install complete?)",
	             self, VR_LOADER_PATH);
	return -1;
}

/* initial_cwd() - --cwd, or the caller's cwd if the namespace has it, or /. */
static int
initial_cwd(struct vr_cli *c, struct vr_task *t)
{
	char here[PATH_MAX];
	int err;

	if (c->cwd) {
		err = vr_chdir(t, c->cwd);
		if (err < 0)
			vr_cli_error(c, "--cwd %s: %s", c->cwd, strerror(-err));
		return err < 0 ? -1 : 0;
	}
	if (getcwd(here, sizeof(here)) && vr_chdir(t, here) == 0)
		return 0;
	return vr_chdir(t, "/") < 0 ? -1 : 0;
}

/* struct fake - --fake-root, --uid, --gid as given. */
struct fake {
	int host, root, has_uid, has_gid;
	unsigned int uid, gid;
};

/* parse_id() - the value of --uid/--gid at argv[*i + 1].  Return: 0, or -1 (printed). */
static int
parse_id(struct vr_cli *c, int argc, char **argv, int *i, unsigned int *id, int *has)
{
	const char *opt = argv[*i];
	unsigned long v;
	char *end;

	if (*i + 1 >= argc) {
		vr_cli_error(c, "%s needs an argument", opt);
		return -1;
	}
	errno = 0;
	v = strtoul(argv[++*i], &end, 10);
	if (errno || end == argv[*i] || *end || argv[*i][0] == '-' || v >= 0xffffffffUL) {
		vr_cli_error(c, "%s '%s': expected a number from 0 to 4294967294", opt, argv[*i]);
		return -1;
	}
	*id = (unsigned int)v;
	*has = 1;
	return 0;
}

/* check_fake() - the identity options go together.  Return: 0, or -1 (printed). */
static int
check_fake(struct vr_cli *c, const struct fake *f)
{
	if (f->host && (f->root || f->has_uid || f->has_gid)) {
		vr_cli_error(c,
		             "--host-identity and --fake-root, --uid or --gid: give one of them");
		return -1;
	}
	if (f->root && (f->has_uid || f->has_gid)) {
		vr_cli_error(c, "--fake-root is --uid 0 --gid 0: give either, not both");
		return -1;
	}
	if (f->has_uid != f->has_gid) {
		vr_cli_error(c, "--uid and --gid go together: give both (--fake-root for root)");
		return -1;
	}
	return 0;
}

/* struct run_opts - the options of `vroot run` that are not the namespace's. */
struct run_opts {
	int confine;
	int print_spec;
	int reset_settings;
	const char *name;
	struct fake f;
};

static int
parse(struct vr_cli *c, int argc, char **argv, int *first, struct run_opts *o)
{
	struct fake *f = &o->f;
	int i;

	for (i = 2; i < argc && argv[i][0] == '-'; i++) {
		int r;

		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("vroot %s\n", VR_VERSION);
			exit(0);
		}
		if (strcmp(argv[i], "--confine") == 0) {
			o->confine = 1;
			continue;
		}
		if (strcmp(argv[i], "--print-spec") == 0) {
			o->print_spec = 1;
			continue;
		}
		if (strcmp(argv[i], "--layout") == 0 || strcmp(argv[i], "--name") == 0) {
			if (i + 1 >= argc) {
				vr_cli_error(c, "%s needs an argument", argv[i]);
				return -1;
			}
			if (argv[i][2] == 'l')
				c->layout = argv[i + 1];
			else
				o->name = argv[i + 1];
			i++;
			continue;
		}
		if (strcmp(argv[i], "--reset-settings") == 0) {
			o->reset_settings = 1;
			continue;
		}
		if (strcmp(argv[i], "--host-identity") == 0) {
			f->host = 1;
			continue;
		}
		if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
			c->quiet = 1;
			continue;
		}
		if (strcmp(argv[i], "--stats") == 0) {
			c->stats = 1;
			continue;
		}
		if (strcmp(argv[i], "--fake-root") == 0) {
			f->root = 1;
			continue;
		}
		if (strcmp(argv[i], "--uid") == 0 || strcmp(argv[i], "--gid") == 0) {
			int u = argv[i][2] == 'u';

			if (parse_id(c, argc, argv, &i, u ? &f->uid : &f->gid,
			             u ? &f->has_uid : &f->has_gid) < 0)
				return -1;
			continue;
		}
		r = vr_cli_option(c, argc, argv, &i);
		if (r < 0)
			return -1;
		if (r == 0) {
			vr_cli_error(c, "unknown option '%s' (see 'vroot run --help')", argv[i]);
			return -1;
		}
	}
	if (check_fake(c, f) < 0)
		return -1;
	c->has_ident = f->root || f->has_uid;
	c->ident_set = c->has_ident || f->host;
	if (o->name && c->prefix) {
		vr_cli_error(c, "--name and --prefix both name the prefix: give one");
		return -1;
	}
	c->uid = f->uid;
	c->gid = f->gid;
	if (i >= argc && o->print_spec)
		return 0;
	if (i >= argc) {
		vr_cli_error(c,
		             "no command given (usage: vroot run [OPTIONS] [--] COMMAND [ARG...])");
		return -1;
	}
	*first = i;
	return 0;
}

static int
run(int argc, char **argv)
{
	struct vr_cli c = {.prog = "vroot"};
	char loader[PATH_MAX], exe[PATH_MAX], stats[64];
	struct vr_ns_spec spec;
	struct vr_ns *ns;
	struct vr_task *t;
	const struct vr_layout *layout;
	char *state;
	size_t top;
	int first = 0, err, save;
	unsigned int nuser;
	struct run_opts o = {0};

	if (parse(&c, argc, argv, &first, &o) < 0)
		return EXIT_FAIL;
	/* A name no layout has is that, whatever the prefix remembers. */
	if (c.layout && !vr_layout_find(&c, c.layout))
		return EXIT_FAIL;
	if (!c.prefix) {
		c.prefix = o.name ? vr_cli_named_prefix(&c, o.name) : vr_cli_default_prefix(&c);
		if (!c.prefix)
			return EXIT_FAIL;
	}
	if (vr_cli_work_path(&c) < 0 || vr_settings_load(&c, o.reset_settings, &save) < 0)
		return EXIT_FAIL;
	nuser = c.nmounts;
	layout = vr_layout_find(&c, c.layout);
	if (!layout || vr_layout_expand(&c, layout) < 0)
		return EXIT_FAIL;
	if (o.print_spec) {
		vr_layout_print(&c, layout, stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_FAIL;
	}
	if (loader_path(&c, loader, sizeof(loader)) < 0 || vr_cli_kernel_check(&c) < 0)
		return EXIT_FAIL;
	/* Everything is checked before anything is created, or it is removed again. */
	if (vr_cli_check(&c) < 0)
		return EXIT_FAIL;
	if (mkdir_parents(&c, c.prefix, &top) < 0 || vr_cli_spec(&c, 1, &spec) < 0) {
		rm_parents(c.prefix, top);
		return EXIT_FAIL;
	}
	if ((save && vr_settings_save(&c, nuser) < 0) || vr_layout_prepare(&c, layout, &spec) < 0)
		return EXIT_FAIL;
	vr_cli_clean_work(&c);
	err = vr_ns_new(&spec, &ns);
	if (err < 0) {
		vr_cli_error(&c, "cannot set up the namespace: %s", strerror(-err));
		return EXIT_FAIL;
	}
	vr_ns_clean(ns);
	err = vr_task_new(ns, &t);
	if (err < 0)
		return EXIT_FAIL;
	if (vr_layout_populate(&c, layout, t) < 0)
		return EXIT_FAIL;
	if (c.has_ident) {
		struct vr_ident id;

		vr_ident_fake(&id, c.uid, c.gid);
		vr_task_set_ident(t, &id);
	}
	if (initial_cwd(&c, t) < 0)
		return EXIT_FAIL;
	err = find_command(&c, t, argv[first], exe, sizeof(exe));
	if (err == 0)
		err = check_elf(&c, t, exe);
	if (err)
		return err;
	state = vr_cli_state(&c, t, vr_cli_helper_start(&c, &spec, ns));
	if (!state || (o.confine && vr_cli_confine(&c, loader) < 0))
		return EXIT_FAIL;
	if (c.stats && (vr_cli_stats_start(&c, stats, sizeof(stats)) < 0 || vr_cli_stats_fork(&c) < 0))
		return EXIT_FAIL;
	return vr_cli_exec_loader(&c, loader, state, c.stats ? stats : NULL, exe, argv + first);
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("vroot %s\n", VR_VERSION);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return run(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "diff") == 0)
		return vr_cli_diff(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "reset") == 0)
		return vr_cli_reset(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return vr_cli_export(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return vr_cli_list(argc, argv);
	if (argc < 2)
		fprintf(stderr, "vroot: no subcommand (usage: vroot run [OPTIONS] [--] COMMAND)\n");
	else
		fprintf(stderr,
		        "vroot: unknown subcommand '%s' (usage: vroot run [OPTIONS] [--] "
		        "COMMAND)\n",
		        argv[1]);
	return EXIT_FAIL;
}
