/*
 * walk_table.c - the path walk, table-driven, over a tree of hostile symlinks.
 *
 * The fixture, built under a fresh /tmp directory:
 *
 *   lower/        the base layer
 *   upper/        the prefix (upper layer), upper.work/ its work directory
 *   h1/           mounted read-write at /mnt/h1
 *   h2/           mounted read-only at /Volumes/SystemRoot (/Volumes exists in
 *                 no layer: a synthetic directory)
 *   h3/           mounted at /mnt/h1/nested (a mount inside a mount)
 *   .             the fixture root itself, read-only at /host (so the backing
 *                 directories are reachable by host path, and must stay hidden)
 *   ns2/          a second namespace whose base contains its own prefix
 *                 (ns2/p) and work directory (ns2/p.work)
 *
 * A third namespace (ns3) is lower/ alone, without a prefix, with h2 below
 * the synthetic /Volumes.
 *
 * Each row is {name, at, dir, path, flags, errno | canonical virtual path}:
 * "at" says where a relative path starts (the cwd set with vr_chdir(), or a
 * dirfd opened through the library on "dir", or a bad descriptor).  A row
 * checks vr_realpath(), and vr_fstatat() on the same arguments: the same
 * errno, or the same object as lstat() of the host file behind the expected
 * virtual path.  Run as root, every row is also checked against the kernel:
 * a child chroots into the same tree built from kernel overlayfs and bind
 * mounts and resolves the row with openat(O_PATH).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vroot.h"
#include "tap.h"
#include "fixture.h"

#define SYNTH_TODO "synthetic dirs cannot be opened yet (no prefix: no stub)"

/* Where a relative path starts. */
enum at_kind {
	K_CWD,    /* AT_FDCWD, cwd set by vr_chdir(dir) */
	K_DIR,    /* vr_openat(dir, O_RDONLY | O_DIRECTORY) */
	K_FILE,   /* vr_openat(dir, O_RDONLY) of a non-directory */
	K_LINK,   /* vr_openat(dir, O_PATH | O_NOFOLLOW) of a symlink */
	K_BAD,    /* -1 */
	K_CLOSED, /* a descriptor number that is not open */
	K_PIPE,   /* the read end of a pipe */
};

/* What a row needs from the machine, and what the kernel oracle cannot model. */
#define N_WH      (1u << 0) /* whiteouts: mknod(S_IFCHR, 0:0) */
#define N_OPQ     (1u << 1) /* opaque directories: user.overlay.opaque */
#define NO_ORACLE (1u << 2) /* the kernel shows what vroot hides */

#define NOF AT_SYMLINK_NOFOLLOW
#define EMP AT_EMPTY_PATH

#define P(v) .want = (v)
#define E(e) .err = (e)

struct row {
	const char *name;
	enum at_kind at;
	const char *dir; /* the cwd (K_CWD) or what the dirfd is opened on */
	const char *path;
	int flags;
	int err;          /* expected errno, 0 for success */
	const char *want; /* expected canonical virtual path */
	unsigned int need;
	const char *todo; /* a known gap: the row is reported as TODO */
};

/* clang-format off */
static const struct row rows[] = {
	/* name                                    at      dir     path                         flags  result */
	/* Normalisation, "." and ".." */
	{"root",                                   K_CWD,  "/",    "/",                         0,     P("/")},
	{"root dot",                               K_CWD,  "/",    "/.",                        0,     P("/")},
	{"dotdot at root",                         K_CWD,  "/",    "/..",                       0,     P("/")},
	{"dotdot chain at root",                   K_CWD,  "/",    "/../../..",                 0,     P("/")},
	{"dotdot chain then name",                 K_CWD,  "/",    "/../../../etc",             0,     P("/etc")},
	{"relative dot at root",                   K_CWD,  "/",    ".",                         0,     P("/")},
	{"relative dotdot at root",                K_CWD,  "/",    "..",                        0,     P("/")},
	{"relative dotdot chain at root",          K_CWD,  "/",    "../../..",                  0,     P("/")},
	{"slash runs and dots normalise",          K_CWD,  "/",    "//a///b/./c",               0,     P("/a/b/c")},
	{"only slashes",                           K_CWD,  "/",    "///",                       0,     P("/")},
	{"dot slash",                              K_CWD,  "/",    "/./",                       0,     P("/")},
	{"trailing slash on dir",                  K_CWD,  "/",    "/a/b/",                     0,     P("/a/b")},
	{"trailing slash dot on dir",              K_CWD,  "/",    "/a/b/.",                    0,     P("/a/b")},
	{"trailing slashes on dir",                K_CWD,  "/",    "/a/b//",                    0,     P("/a/b")},
	{"dotdot in the middle",                   K_CWD,  "/",    "/a/./b/../b/c",             0,     P("/a/b/c")},
	{"a/../../b climbs no higher than /",      K_CWD,  "/",    "a/../../a/b",               0,     P("/a/b")},
	{"down and up to another dir",             K_CWD,  "/",    "/a/b/c/../../../etc/passwd",0,     P("/etc/passwd")},
	{"dotdot past root mid-path",              K_CWD,  "/",    "/a/../../../a/f",           0,     P("/a/f")},
	{"plain file",                             K_CWD,  "/",    "/file",                     0,     P("/file")},
	{"file/ is ENOTDIR",                       K_CWD,  "/",    "/file/",                    0,     E(ENOTDIR)},
	{"file// is ENOTDIR",                      K_CWD,  "/",    "/file//",                   0,     E(ENOTDIR)},
	{"file/ nofollow is ENOTDIR",              K_CWD,  "/",    "/file/",                    NOF,   E(ENOTDIR)},
	{"file/. is ENOTDIR",                      K_CWD,  "/",    "/file/.",                   0,     E(ENOTDIR)},
	{"file/.. is ENOTDIR",                     K_CWD,  "/",    "/file/..",                  0,     E(ENOTDIR)},
	{"file/x is ENOTDIR",                      K_CWD,  "/",    "/file/x",                   0,     E(ENOTDIR)},
	{"nested file/.. is ENOTDIR",              K_CWD,  "/",    "/etc/passwd/..",            0,     E(ENOTDIR)},
	{"lower file/.. is ENOTDIR",               K_CWD,  "/",    "/d/f/..",                   0,     E(ENOTDIR)},
	{"missing",                                K_CWD,  "/",    "/missing",                  0,     E(ENOENT)},
	{"missing nofollow",                       K_CWD,  "/",    "/missing",                  NOF,   E(ENOENT)},
	{"/missing/.. is ENOENT",                  K_CWD,  "/",    "/missing/..",               0,     E(ENOENT)},
	{"/missing/../etc is ENOENT",              K_CWD,  "/",    "/missing/../etc",           0,     E(ENOENT)},
	{"missing/ is ENOENT",                     K_CWD,  "/",    "/missing/",                 0,     E(ENOENT)},
	{"missing/x is ENOENT",                    K_CWD,  "/",    "/missing/x",                0,     E(ENOENT)},
	{"empty path is ENOENT",                   K_CWD,  "/",    "",                          0,     E(ENOENT)},
	{"empty path nofollow is ENOENT",          K_CWD,  "/",    "",                          NOF,   E(ENOENT)},
	{"empty path AT_EMPTY_PATH is the cwd",    K_CWD,  "/",    "",                          EMP,   P("/")},
	{"lower-only dir",                         K_CWD,  "/",    "/d/f",                      0,     P("/d/f")},

	/* Loops */
	{"a->b->a loop",                           K_CWD,  "/",    "/loop1",                    0,     E(ELOOP)},
	{"b->a->b loop",                           K_CWD,  "/",    "/loop2",                    0,     E(ELOOP)},
	{"loop nofollow is the link",              K_CWD,  "/",    "/loop1",                    NOF,   P("/loop1")},
	{"loop/ nofollow still follows",           K_CWD,  "/",    "/loop1/",                   NOF,   E(ELOOP)},
	{"loop as a directory",                    K_CWD,  "/",    "/loop1/x",                  0,     E(ELOOP)},
	{"loop/..",                                K_CWD,  "/",    "/loop1/..",                 0,     E(ELOOP)},
	{"self loop",                              K_CWD,  "/",    "/self",                     0,     E(ELOOP)},
	{"self loop nofollow is the link",         K_CWD,  "/",    "/self",                     NOF,   P("/self")},
	{"self loop/ nofollow",                    K_CWD,  "/",    "/self/",                    NOF,   E(ELOOP)},
	{"self loop as a directory",               K_CWD,  "/",    "/self/x",                   0,     E(ELOOP)},
	{"loop through its own subdir",            K_CWD,  "/",    "/loopdir",                  0,     E(ELOOP)},
	{"loop from a nested dir",                 K_CWD,  "/",    "/a/b/c/../../../loop2/..",  0,     E(ELOOP)},

	/* The 40-link budget, counted per walk */
	{"40 links",                               K_CWD,  "/",    "/ch/l2",                    0,     P("/ch/target")},
	{"41 links",                               K_CWD,  "/",    "/ch/l1",                    0,     E(ELOOP)},
	{"41 links nofollow is the first link",    K_CWD,  "/",    "/ch/l1",                    NOF,   P("/ch/l1")},
	{"40 links nofollow is the first link",    K_CWD,  "/",    "/ch/l2",                    NOF,   P("/ch/l2")},
	{"40 links to a file, trailing slash",     K_CWD,  "/",    "/ch/l2/",                   0,     E(ENOTDIR)},
	{"41 links, trailing slash",               K_CWD,  "/",    "/ch/l1/",                   0,     E(ELOOP)},
	{"40 links as a directory",                K_CWD,  "/",    "/ch/d1/x",                  0,     P("/ch/dir/x")},
	{"41 links as a directory",                K_CWD,  "/",    "/ch/d0/x",                  0,     E(ELOOP)},
	{"40 links then dotdot",                   K_CWD,  "/",    "/ch/d1/..",                 0,     P("/ch")},
	{"1 + 40 links in one walk",               K_CWD,  "/",    "/link_dir/../../ch/l2",     0,     E(ELOOP)},
	{"40 + 40 links in one walk",              K_CWD,  "/",    "/ch/d1/../l2",              0,     E(ELOOP)},
	{"40 links then a plain name",             K_CWD,  "/",    "/ch/d1/../target",          0,     P("/ch/target")},
	{"40 links from the cwd",                  K_CWD,  "/ch",  "l2",                        0,     P("/ch/target")},
	{"40 nested links",                        K_CWD,  "/",    "/ch/n1",                    0,     P("/ch/dir")},
	{"40 nested links then a name",            K_CWD,  "/",    "/ch/n1/x",                  0,     P("/ch/dir/x")},
	{"41 nested links",                        K_CWD,  "/",    "/ch/n0/x",                  0,     E(ELOOP)},
	{"40 nested links with dotdot in each",    K_CWD,  "/",    "/ch/q1",                    0,     P("/ch/dir")},
	{"40 nested links with dotdot, then more", K_CWD,  "/",    "/ch/q1/sub/../x",           0,     P("/ch/dir/x")},
	{"41 nested links with dotdot in each",    K_CWD,  "/",    "/ch/q0",                    0,     E(ELOOP)},

	/* Absolute links: re-rooted at the virtual root */
	{"absolute link",                          K_CWD,  "/",    "/abs_etc",                  0,     P("/etc")},
	{"absolute link nofollow",                 K_CWD,  "/",    "/abs_etc",                  NOF,   P("/abs_etc")},
	{"absolute link child",                    K_CWD,  "/",    "/abs_etc/passwd",           0,     P("/etc/passwd")},
	{"absolute link/ nofollow follows",        K_CWD,  "/",    "/abs_etc/",                 NOF,   P("/etc")},
	{"link to /",                              K_CWD,  "/",    "/abs_root",                 0,     P("/")},
	{"link to / then dotdot",                  K_CWD,  "/",    "/abs_root/..",              0,     P("/")},
	{"link to / then names",                   K_CWD,  "/",    "/abs_root/etc/group",       0,     P("/etc/group")},
	{"link to /../../..",                      K_CWD,  "/",    "/abs_root_dd/etc",          0,     P("/etc")},
	{"relative link escaping upward",          K_CWD,  "/",    "/rel_up",                   0,     P("/etc")},
	{"relative link escaping upward, child",   K_CWD,  "/",    "/rel_up/passwd",            0,     P("/etc/passwd")},
	{"link to .. at the root",                 K_CWD,  "/",    "/dotdot_link",              0,     P("/")},
	{"link to .. at the root, child",          K_CWD,  "/",    "/dotdot_link/etc",          0,     P("/etc")},
	{"link to ./././.",                        K_CWD,  "/",    "/dots",                     0,     P("/")},
	{"link to ///",                            K_CWD,  "/",    "/slash3/etc",               0,     P("/etc")},
	{"link to .",                              K_CWD,  "/",    "/a/dot",                    0,     P("/a")},
	{"link to . then names",                   K_CWD,  "/",    "/a/dot/dot/b/c",            0,     P("/a/b/c")},
	{"link to . then dotdot",                  K_CWD,  "/",    "/a/dot/..",                 0,     P("/")},
	{"link body with slash runs",              K_CWD,  "/",    "/slashes/passwd",           0,     P("/etc/passwd")},
	{"host absolute path in a link",           K_CWD,  "/",    "/host_abs",                 0,     E(ENOENT)},
	{"dangling link",                          K_CWD,  "/",    "/dangling",                 0,     E(ENOENT)},
	{"dangling link nofollow",                 K_CWD,  "/",    "/dangling",                 NOF,   P("/dangling")},
	{"dangling link/ nofollow",                K_CWD,  "/",    "/dangling/",                NOF,   E(ENOENT)},
	{"dangling absolute link",                 K_CWD,  "/",    "/dangling_abs",             0,     E(ENOENT)},

	/* Relative links, trailing slashes, nofollow */
	{"link to dir",                            K_CWD,  "/",    "/link_dir",                 0,     P("/a/b")},
	{"link to dir nofollow",                   K_CWD,  "/",    "/link_dir",                 NOF,   P("/link_dir")},
	{"link to dir/ nofollow follows",          K_CWD,  "/",    "/link_dir/",                NOF,   P("/a/b")},
	{"link to dir/. nofollow follows",         K_CWD,  "/",    "/link_dir/.",               NOF,   P("/a/b")},
	{"dotdot after a link is physical",        K_CWD,  "/",    "/link_dir/..",              0,     P("/a")},
	{"dotdot dotdot after a link",             K_CWD,  "/",    "/link_dir/../..",           0,     P("/")},
	{"names below a link to dir",              K_CWD,  "/",    "/link_dir/c/f",             0,     P("/a/b/c/f")},
	{"link to link to dir",                    K_CWD,  "/",    "/link_link_dir/c",          0,     P("/a/b/c")},
	{"link to link nofollow",                  K_CWD,  "/",    "/link_link_dir",            NOF,   P("/link_link_dir")},
	{"link to file",                           K_CWD,  "/",    "/link_file",                0,     P("/file")},
	{"link to file nofollow",                  K_CWD,  "/",    "/link_file",                NOF,   P("/link_file")},
	{"link to file/ is ENOTDIR",               K_CWD,  "/",    "/link_file/",               0,     E(ENOTDIR)},
	{"link to file/ nofollow is ENOTDIR",      K_CWD,  "/",    "/link_file/",               NOF,   E(ENOTDIR)},
	{"link to file/.. is ENOTDIR",             K_CWD,  "/",    "/link_file/..",             0,     E(ENOTDIR)},
	{"link body file/ is ENOTDIR",             K_CWD,  "/",    "/link_file_slash",          0,     E(ENOTDIR)},
	{"link body file/ nofollow",               K_CWD,  "/",    "/link_file_slash",          NOF,   P("/link_file_slash")},
	{"nested link to ../..",                   K_CWD,  "/",    "/a/b/up2",                  0,     P("/")},
	{"nested link to ../.. then names",        K_CWD,  "/",    "/a/b/up2/etc/passwd",       0,     P("/etc/passwd")},
	{"nested absolute link",                   K_CWD,  "/",    "/a/b/abs_a/b",              0,     P("/a/b")},
	{"absolute then relative links",           K_CWD,  "/",    "/a/b/abs_a/b/up2/etc",      0,     P("/etc")},
	{"link to its own parent",                 K_CWD,  "/",    "/a/b/self_parent/c",        0,     P("/a/b/c")},
	{"non-final link followed under nofollow", K_CWD,  "/",    "/link_dir/c",               NOF,   P("/a/b/c")},
	{"non-final abs link under nofollow",      K_CWD,  "/",    "/abs_etc/passwd",           NOF,   P("/etc/passwd")},
	{"final link below a link nofollow",       K_CWD,  "/",    "/link_dir/up2",             NOF,   P("/a/b/up2")},

	/* Overlay lookups */
	{"upper shadows lower",                    K_CWD,  "/",    "/etc/passwd",               0,     P("/etc/passwd")},
	{"lower name in merged dir",               K_CWD,  "/",    "/etc/group",                0,     P("/etc/group")},
	{"upper-only name in merged dir",          K_CWD,  "/",    "/etc/hostname",             0,     P("/etc/hostname")},
	{"whiteout hides lower file",              K_CWD,  "/",    "/etc/shadow_wh",            0,     E(ENOENT), .need = N_WH},
	{"whiteout hides lower file nofollow",     K_CWD,  "/",    "/etc/shadow_wh",            NOF,   E(ENOENT), .need = N_WH},
	{"whiteout hides lower dir",               K_CWD,  "/",    "/gone",                     0,     E(ENOENT), .need = N_WH},
	{"whiteout hides lower dir's children",    K_CWD,  "/",    "/gone/x",                   0,     E(ENOENT), .need = N_WH},
	{"whited-out dir/..",                      K_CWD,  "/",    "/gone/..",                  0,     E(ENOENT), .need = N_WH},
	{"merged dir: lower name",                 K_CWD,  "/",    "/merged/lo",                0,     P("/merged/lo")},
	{"merged dir: upper name",                 K_CWD,  "/",    "/merged/up",                0,     P("/merged/up")},
	{"merged dir: name in both",               K_CWD,  "/",    "/merged/both",              0,     P("/merged/both")},
	{"merged dir: whiteout",                   K_CWD,  "/",    "/merged/lo2",               0,     E(ENOENT), .need = N_WH},
	{"merged dir: lower subdir",               K_CWD,  "/",    "/merged/lsub/f",            0,     P("/merged/lsub/f")},
	{"merged subdir: lower name",              K_CWD,  "/",    "/merged/both_dir/l",        0,     P("/merged/both_dir/l")},
	{"merged subdir: upper name",              K_CWD,  "/",    "/merged/both_dir/u",        0,     P("/merged/both_dir/u")},
	{"opaque dir: upper name",                 K_CWD,  "/",    "/opq/upper_only",           0,     P("/opq/upper_only")},
	{"opaque dir hides lower name",            K_CWD,  "/",    "/opq/lower_only",           0,     E(ENOENT), .need = N_OPQ},
	{"opaque dir hides lower subdir",          K_CWD,  "/",    "/opq/sub/deep",             0,     E(ENOENT), .need = N_OPQ},
	{"opaque dir hidden subdir/..",            K_CWD,  "/",    "/opq/sub/..",               0,     E(ENOENT), .need = N_OPQ},
	{"opaque dir: name in both",               K_CWD,  "/",    "/opq/both",                 0,     P("/opq/both")},
	{"opaque dir/..",                          K_CWD,  "/",    "/opq/../etc",               0,     P("/etc")},
	{"opaque dir below a merged dir",          K_CWD,  "/",    "/merged/odir/l",            0,     E(ENOENT), .need = N_OPQ},
	{"opaque dir below a merged dir: upper",   K_CWD,  "/",    "/merged/odir/u",            0,     P("/merged/odir/u")},
	{"upper dir over lower file",              K_CWD,  "/",    "/udir_over_file",           0,     P("/udir_over_file")},
	{"upper dir over lower file: child",       K_CWD,  "/",    "/udir_over_file/x",         0,     P("/udir_over_file/x")},
	{"upper dir over lower file/",             K_CWD,  "/",    "/udir_over_file/",          0,     P("/udir_over_file")},
	{"upper file over lower dir",              K_CWD,  "/",    "/ufile_over_dir",           0,     P("/ufile_over_dir")},
	{"upper file over lower dir: child",       K_CWD,  "/",    "/ufile_over_dir/c",         0,     E(ENOTDIR)},
	{"upper file over lower dir/",             K_CWD,  "/",    "/ufile_over_dir/",          0,     E(ENOTDIR)},
	{"upper link over lower dir",              K_CWD,  "/",    "/lnk_over_dir/passwd",      0,     P("/etc/passwd")},
	{"upper link over lower dir nofollow",     K_CWD,  "/",    "/lnk_over_dir",             NOF,   P("/lnk_over_dir")},
	{"upper link hides lower dir's children",  K_CWD,  "/",    "/lnk_over_dir/c",           0,     E(ENOENT)},
	{"upper absolute link into a mount",       K_CWD,  "/",    "/u_abs_mnt",                0,     P("/mnt/h1/dir1")},
	{"upper relative link to lower file",      K_CWD,  "/",    "/u_rel",                    0,     P("/merged/lo")},
	{"upper-only dir",                         K_CWD,  "/",    "/upper_only_dir/f",         0,     P("/upper_only_dir/f")},
	{"upper link to a whited-out dir",         K_CWD,  "/",    "/to_gone",                  0,     E(ENOENT), .need = N_WH},
	{"upper dir over lower link",              K_CWD,  "/",    "/lnk_shadowed/f",           0,     P("/lnk_shadowed/f")},
	{"upper dir over lower link: no merge",    K_CWD,  "/",    "/lnk_shadowed/passwd",      0,     E(ENOENT)},
	{"upper dir over lower link nofollow",     K_CWD,  "/",    "/lnk_shadowed",             NOF,   P("/lnk_shadowed")},
	{"whiteout hides lower link",              K_CWD,  "/",    "/wh_link",                  NOF,   E(ENOENT), .need = N_WH},
	{"whiteout hides lower link, child",       K_CWD,  "/",    "/wh_link/passwd",           0,     E(ENOENT), .need = N_WH},

	/* Mounts */
	{"mount point",                            K_CWD,  "/",    "/mnt/h1",                   0,     P("/mnt/h1")},
	{"mount point/ nofollow",                  K_CWD,  "/",    "/mnt/h1/",                  NOF,   P("/mnt/h1")},
	{"mount hides the layer's dir",            K_CWD,  "/",    "/mnt/h1/hidden_by_mount",   0,     E(ENOENT)},
	{"mount matched on whole components",      K_CWD,  "/",    "/mnt/h1x/f",                0,     P("/mnt/h1x/f")},
	{"mount root dot",                         K_CWD,  "/",    "/mnt/h1/.",                 0,     P("/mnt/h1")},
	{"dotdot at mount root",                   K_CWD,  "/",    "/mnt/h1/..",                0,     P("/mnt")},
	{"dotdot at mount root then sibling",      K_CWD,  "/",    "/mnt/h1/../h1x",            0,     P("/mnt/h1x")},
	{"dotdot dotdot out of a mount",           K_CWD,  "/",    "/mnt/h1/dir1/../..",        0,     P("/mnt")},
	{"file in a mount",                        K_CWD,  "/",    "/mnt/h1/dir1/f",            0,     P("/mnt/h1/dir1/f")},
	{"absolute link in a mount",               K_CWD,  "/",    "/mnt/h1/abs_link",          0,     P("/etc")},
	{"absolute link in a mount: not the mount's file", K_CWD, "/", "/mnt/h1/abs_link/passwd", 0,   P("/etc/passwd")},
	{"absolute link in a mount to the mount",  K_CWD,  "/",    "/mnt/h1/abs_link2/f",       0,     P("/mnt/h1/dir1/f")},
	{"absolute link in a mount, then dotdot",  K_CWD,  "/",    "/mnt/h1/abs_link/..",       0,     P("/")},
	{"relative link escaping a mount",         K_CWD,  "/",    "/mnt/h1/rel_escape",        0,     P("/etc")},
	{"link to .. at mount root",               K_CWD,  "/",    "/mnt/h1/up",                0,     P("/mnt")},
	{"link to .. at mount root, then names",   K_CWD,  "/",    "/mnt/h1/up/h1x/f",          0,     P("/mnt/h1x/f")},
	{"relative link from mount to mount",      K_CWD,  "/",    "/mnt/h1/to_vol/usr",        0,     P("/Volumes/SystemRoot/usr")},
	{"absolute link in a mount: no host root", K_CWD,  "/",    "/mnt/h1/hostroot_probe",    0,     E(ENOENT)},
	{"host absolute link in a mount",          K_CWD,  "/",    "/mnt/h1/host_abs",          0,     E(ENOENT)},
	{"absolute link in a mount to upper",      K_CWD,  "/",    "/mnt/h1/to_upper_only",     0,     P("/upper_only_dir/f")},
	{"mount inside a mount",                   K_CWD,  "/",    "/mnt/h1/nested",            0,     P("/mnt/h1/nested")},
	{"inner mount hides the outer's dir",      K_CWD,  "/",    "/mnt/h1/nested/shadowed",   0,     E(ENOENT)},
	{"file in the inner mount",                K_CWD,  "/",    "/mnt/h1/nested/g",          0,     P("/mnt/h1/nested/g")},
	{"dotdot at inner mount root",             K_CWD,  "/",    "/mnt/h1/nested/..",         0,     P("/mnt/h1")},
	{"link to .. at inner mount root",         K_CWD,  "/",    "/mnt/h1/nested/up",         0,     P("/mnt/h1")},
	{"link to ../.. at inner mount root",      K_CWD,  "/",    "/mnt/h1/nested/upup",       0,     P("/mnt")},
	{"out of two mounts and back in",          K_CWD,  "/",    "/mnt/h1/nested/upup/h1/nested/g", 0, P("/mnt/h1/nested/g")},
	{"device 0:0 in a mount is a file",        K_CWD,  "/",    "/mnt/h1/wh",                0,     P("/mnt/h1/wh"), .need = N_WH},
	{"synthetic dir",                          K_CWD,  "/",    "/Volumes",                  0,     P("/Volumes")},
	{"synthetic dir/",                         K_CWD,  "/",    "/Volumes/",                 0,     P("/Volumes")},
	{"synthetic dir/.",                        K_CWD,  "/",    "/Volumes/.",                0,     P("/Volumes")},
	{"synthetic dir/..",                       K_CWD,  "/",    "/Volumes/..",               0,     P("/")},
	{"synthetic dir: missing child",           K_CWD,  "/",    "/Volumes/missing",          0,     E(ENOENT)},
	{"synthetic dir: missing child/..",        K_CWD,  "/",    "/Volumes/missing/..",       0,     E(ENOENT)},
	{"mount below a synthetic dir",            K_CWD,  "/",    "/Volumes/SystemRoot",       0,     P("/Volumes/SystemRoot")},
	{"dotdot at mount root to synthetic dir",  K_CWD,  "/",    "/Volumes/SystemRoot/..",    0,     P("/Volumes")},
	{"dotdot dotdot from mount to root",       K_CWD,  "/",    "/Volumes/SystemRoot/../..", 0,     P("/")},
	{"file in read-only mount",                K_CWD,  "/",    "/Volumes/SystemRoot/usr/bin/tool", 0, P("/Volumes/SystemRoot/usr/bin/tool")},
	{"dotdot chain out of a mount",            K_CWD,  "/",    "/Volumes/SystemRoot/usr/bin/../../..", 0, P("/Volumes")},
	{"absolute link from mount to mount",      K_CWD,  "/",    "/Volumes/SystemRoot/back/f1", 0,   P("/mnt/h1/f1")},
	{"absolute link from mount to mount, ..",  K_CWD,  "/",    "/Volumes/SystemRoot/back/..", 0,   P("/mnt")},
	{"relative link ../.. out of a mount",     K_CWD,  "/",    "/Volumes/SystemRoot/rel_up",0,     P("/")},
	{"absolute link in read-only mount",       K_CWD,  "/",    "/Volumes/SystemRoot/abs_etc/group", 0, P("/etc/group")},
	{"link with dotdots in a mount",           K_CWD,  "/",    "/Volumes/SystemRoot/dd_chain", 0,  P("/Volumes")},
	{"absolute link to a mount",               K_CWD,  "/",    "/to_vol",                   0,     P("/Volumes/SystemRoot")},
	{"absolute link to a mount, dotdot",       K_CWD,  "/",    "/to_vol/..",                0,     P("/Volumes")},
	{"relative link into a mount, ../..",      K_CWD,  "/",    "/to_vol_usr/../..",         0,     P("/Volumes")},
	{"link to mount point nofollow",           K_CWD,  "/",    "/to_mnt",                   NOF,   P("/to_mnt")},
	{"link to mount point, names",             K_CWD,  "/",    "/to_mnt/dir1/f",            0,     P("/mnt/h1/dir1/f")},
	{"relative link into a mount, dotdot",     K_CWD,  "/",    "/to_mnt_rel/..",            0,     P("/mnt/h1")},
	{"link to a mount point's parent",         K_CWD,  "/",    "/mntlink/h1",               0,     P("/mnt/h1")},
	{"link to a mount point's parent, ..",     K_CWD,  "/",    "/mntlink/h1/..",            0,     P("/mnt")},
	{"link into a mount onto a link to ..",    K_CWD,  "/",    "/to_h1_up",                 0,     P("/mnt")},

	/* The namespace's own directories, reachable by host path through /host */
	{"upper unreachable through a mount",      K_CWD,  "/",    "/host/upper",               0,     E(ENOENT), .need = NO_ORACLE},
	{"work dir unreachable through a mount",   K_CWD,  "/",    "/host/upper.work",          0,     E(ENOENT), .need = NO_ORACLE},
	{"upper's files unreachable",              K_CWD,  "/",    "/host/upper/etc/passwd",    0,     E(ENOENT), .need = NO_ORACLE},
	{"upper/.. unreachable",                   K_CWD,  "/",    "/host/upper/..",            0,     E(ENOENT), .need = NO_ORACLE},
	{"link to upper in a mount",               K_CWD,  "/",    "/host/to_upper",            0,     E(ENOENT), .need = NO_ORACLE},
	{"link to upper in a mount nofollow",      K_CWD,  "/",    "/host/to_upper",            NOF,   P("/host/to_upper")},
	{"lower reachable through a mount",        K_CWD,  "/",    "/host/lower/file",          0,     P("/host/lower/file")},
	{"mount source reachable by another path", K_CWD,  "/",    "/host/h1/f1",               0,     P("/host/h1/f1")},
	{"dotdot in an aliasing mount",            K_CWD,  "/",    "/host/lower/..",            0,     P("/host")},

	/* Relative to a cwd set by vr_chdir() */
	{"cwd: names",                             K_CWD,  "/a/b", "c/f",                       0,     P("/a/b/c/f")},
	{"cwd: dotdot",                            K_CWD,  "/a/b", "..",                        0,     P("/a")},
	{"cwd: dotdot chain past root",            K_CWD,  "/a/b", "../../..",                  0,     P("/")},
	{"cwd: link to ../..",                     K_CWD,  "/a/b", "up2",                       0,     P("/")},
	{"cwd: empty AT_EMPTY_PATH",               K_CWD,  "/a/b", "",                          EMP,   P("/a/b")},
	{"cwd: empty",                             K_CWD,  "/a/b", "",                          0,     E(ENOENT)},
	{"cwd: absolute path",                     K_CWD,  "/a/b", "/etc",                      0,     P("/etc")},
	{"cwd in mount: name",                     K_CWD,  "/mnt/h1", "dir1",                   0,     P("/mnt/h1/dir1")},
	{"cwd in mount: dotdot",                   K_CWD,  "/mnt/h1", "..",                     0,     P("/mnt")},
	{"cwd in mount: into inner mount and out", K_CWD,  "/mnt/h1", "nested/..",              0,     P("/mnt/h1")},
	{"cwd in mount: absolute link",            K_CWD,  "/mnt/h1", "abs_link/passwd",        0,     P("/etc/passwd")},
	{"cwd at mount root: dotdot",              K_CWD,  "/Volumes/SystemRoot", "..",         0,     P("/Volumes")},
	{"cwd at mount root: names",               K_CWD,  "/Volumes/SystemRoot", "usr/bin/tool", 0,   P("/Volumes/SystemRoot/usr/bin/tool")},
	{"cwd synthetic: child mount",             K_CWD,  "/Volumes", "SystemRoot",            0,     P("/Volumes/SystemRoot")},
	{"cwd synthetic: dot",                     K_CWD,  "/Volumes", ".",                     0,     P("/Volumes")},
	{"cwd synthetic: dotdot",                  K_CWD,  "/Volumes", "..",                    0,     P("/")},
	{"cwd synthetic: empty AT_EMPTY_PATH",     K_CWD,  "/Volumes", "",                      EMP,   P("/Volumes")},
	{"cwd through a link: dotdot is physical", K_CWD,  "/link_dir", "..",                   0,     P("/a")},
	{"cwd opaque: upper name",                 K_CWD,  "/opq", "both",                      0,     P("/opq/both")},
	{"cwd opaque: lower name hidden",          K_CWD,  "/opq", "lower_only",                0,     E(ENOENT), .need = N_OPQ},
	{"cwd inner mount: sibling",               K_CWD,  "/mnt/h1/nested", "../f1",           0,     P("/mnt/h1/f1")},
	{"cwd in aliasing mount: name",            K_CWD,  "/host/lower", "file",               0,     P("/host/lower/file")},
	{"cwd in aliasing mount: dotdot",          K_CWD,  "/host/lower", "..",                 0,     P("/host")},

	/* Relative to a dirfd from vr_openat() */
	{"dirfd: names",                           K_DIR,  "/a",   "b/c/f",                     0,     P("/a/b/c/f")},
	{"dirfd: dotdot",                          K_DIR,  "/a",   "../etc",                    0,     P("/etc")},
	{"dirfd: absolute path ignores it",        K_DIR,  "/a",   "/etc/group",                0,     P("/etc/group")},
	{"dirfd: empty AT_EMPTY_PATH",             K_DIR,  "/a",   "",                          EMP,   P("/a")},
	{"dirfd: empty",                           K_DIR,  "/a",   "",                          0,     E(ENOENT)},
	{"dirfd: dot",                             K_DIR,  "/a",   ".",                         0,     P("/a")},
	{"dirfd at root",                          K_DIR,  "/",    "etc/passwd",                0,     P("/etc/passwd")},
	{"dirfd at root: dotdot",                  K_DIR,  "/",    "..",                        0,     P("/")},
	{"dirfd in mount: dotdot",                 K_DIR,  "/mnt/h1", "..",                     0,     P("/mnt")},
	{"dirfd in mount: absolute link",          K_DIR,  "/mnt/h1", "abs_link",               0,     P("/etc")},
	{"dirfd in mount: up and over",            K_DIR,  "/mnt/h1/dir1", "../../h1x/f",       0,     P("/mnt/h1x/f")},
	{"dirfd at mount root: dotdot",            K_DIR,  "/Volumes/SystemRoot", "..",         0,     P("/Volumes")},
	{"dirfd in ro mount: dotdot chain",        K_DIR,  "/Volumes/SystemRoot/usr", "../../..", 0,   P("/")},
	{"dirfd merged: lower name",               K_DIR,  "/merged", "lo",                     0,     P("/merged/lo")},
	{"dirfd merged: empty AT_EMPTY_PATH",      K_DIR,  "/merged", "",                       EMP,   P("/merged")},
	{"dirfd merged: whiteout",                 K_DIR,  "/merged", "lo2",                    0,     E(ENOENT), .need = N_WH},
	{"dirfd opaque: lower name hidden",        K_DIR,  "/opq", "lower_only",                0,     E(ENOENT), .need = N_OPQ},
	{"dirfd inner mount: dotdot",              K_DIR,  "/mnt/h1/nested", "..",              0,     P("/mnt/h1")},
	{"dirfd opened through a link",            K_DIR,  "/link_dir", "c",                    0,     P("/a/b/c")},
	{"dirfd opened through a link: dotdot",    K_DIR,  "/link_dir", "..",                   0,     P("/a")},
	{"dirfd synthetic: child",                 K_DIR,  "/Volumes", "SystemRoot",            0,     P("/Volumes/SystemRoot")},
	{"dirfd in aliasing mount: empty",         K_DIR,  "/host/lower/a", "",                 EMP,   P("/host/lower/a")},
	{"dirfd in aliasing mount: dotdot",        K_DIR,  "/host/lower/a", "..",               0,     P("/host/lower")},
	{"dirfd in aliasing mount: name",          K_DIR,  "/host/lower/a", "b",                0,     P("/host/lower/a/b")},
	{"dirfd of the same dir via the overlay: name", K_DIR, "/a", "b",                     0,     P("/a/b")},
	{"dirfd of the same dir via the overlay: dotdot", K_DIR, "/a", "..",                  0,     P("/")},
	{"file dirfd: name is ENOTDIR",            K_FILE, "/file", "x",                        0,     E(ENOTDIR)},
	{"file dirfd: dot is ENOTDIR",             K_FILE, "/file", ".",                        0,     E(ENOTDIR)},
	{"file dirfd: dotdot is ENOTDIR",          K_FILE, "/file", "..",                       0,     E(ENOTDIR)},
	{"file dirfd: empty AT_EMPTY_PATH",        K_FILE, "/file", "",                         EMP,   P("/file")},
	{"file dirfd: empty",                      K_FILE, "/file", "",                         0,     E(ENOENT)},
	{"file dirfd: absolute path",              K_FILE, "/file", "/etc",                     0,     P("/etc")},
	{"file dirfd in mount: empty AT_EMPTY_PATH", K_FILE, "/mnt/h1/f1", "",                  EMP,   P("/mnt/h1/f1")},
	{"upper file dirfd: name is ENOTDIR",      K_FILE, "/etc/passwd", "x",                  0,     E(ENOTDIR)},
	{"link dirfd: empty AT_EMPTY_PATH",        K_LINK, "/link_dir", "",                     EMP,   P("/link_dir")},
	{"link dirfd: empty, nofollow",            K_LINK, "/link_dir", "",                     EMP | NOF, P("/link_dir")},
	{"link dirfd: name is ENOTDIR",            K_LINK, "/link_dir", "c",                    0,     E(ENOTDIR)},
	{"link dirfd: dot is ENOTDIR",             K_LINK, "/link_dir", ".",                    0,     E(ENOTDIR)},
	{"abs link dirfd: name is ENOTDIR",        K_LINK, "/abs_etc", "passwd",                0,     E(ENOTDIR)},
	{"bad dirfd: relative",                    K_BAD,  NULL,   "etc",                       0,     E(EBADF)},
	{"bad dirfd: absolute ignores it",         K_BAD,  NULL,   "/etc",                      0,     P("/etc")},
	{"bad dirfd: empty AT_EMPTY_PATH",         K_BAD,  NULL,   "",                          EMP,   E(EBADF)},
	{"bad dirfd: empty",                       K_BAD,  NULL,   "",                          0,     E(ENOENT)},
	{"closed dirfd: relative",                 K_CLOSED, NULL, "etc",                       0,     E(EBADF)},
	{"closed dirfd: absolute",                 K_CLOSED, NULL, "/etc/group",                0,     P("/etc/group")},
	{"closed dirfd: empty AT_EMPTY_PATH",      K_CLOSED, NULL, "",                          EMP,   E(EBADF)},
	{"pipe dirfd: relative",                   K_PIPE, NULL,   "x",                         0,     E(ENOTDIR)},
	{"pipe dirfd: absolute",                   K_PIPE, NULL,   "/etc",                      0,     P("/etc")},
};

/* A namespace whose base contains its prefix (p) and work directory (p.work). */
static const struct row rows_ns2[] = {
	{"ns2: prefix is unreachable",             K_CWD,  "/",    "/p",                        0,     E(ENOENT)},
	{"ns2: prefix/ is unreachable",            K_CWD,  "/",    "/p/",                       0,     E(ENOENT)},
	{"ns2: prefix's files are unreachable",    K_CWD,  "/",    "/p/ufile",                  0,     E(ENOENT)},
	{"ns2: work dir is unreachable",           K_CWD,  "/",    "/p.work",                   0,     E(ENOENT)},
	{"ns2: work dir/..",                       K_CWD,  "/",    "/p.work/..",                0,     E(ENOENT)},
	{"ns2: prefix by dotdot",                  K_CWD,  "/",    "/etc/../p",                 0,     E(ENOENT)},
	{"ns2: prefix relative",                   K_CWD,  "/etc", "../p",                      0,     E(ENOENT)},
	{"ns2: link to the prefix",                K_CWD,  "/",    "/top",                      0,     E(ENOENT)},
	{"ns2: link to the prefix nofollow",       K_CWD,  "/",    "/top",                      NOF,   P("/top")},
	{"ns2: absolute link to the work dir",     K_CWD,  "/",    "/top2",                     0,     E(ENOENT)},
	{"ns2: relative link to the prefix",       K_CWD,  "/",    "/etc/up",                   0,     E(ENOENT)},
	{"ns2: the prefix's content is the root",  K_CWD,  "/",    "/ufile",                    0,     P("/ufile")},
	{"ns2: sibling with the prefix as prefix", K_CWD,  "/",    "/pp/f",                     0,     P("/pp/f")},
	{"ns2: sibling named like the work dir",   K_CWD,  "/",    "/p.workx",                  0,     P("/p.workx")},
	{"ns2: base file",                         K_CWD,  "/",    "/etc/x",                    0,     P("/etc/x")},
	{"ns2: dirfd: prefix by dotdot",           K_DIR,  "/etc", "../p",                      0,     E(ENOENT)},
};
/* A namespace without a prefix: the lower alone, h2 below a synthetic /Volumes. */
static const struct row rows_ns3[] = {
	{"ns3: synthetic dir",                     K_CWD,  "/",    "/Volumes",                  0,     P("/Volumes")},
	{"ns3: synthetic dir/..",                  K_CWD,  "/",    "/Volumes/..",               0,     P("/")},
	{"ns3: dotdot at mount root",              K_CWD,  "/",    "/Volumes/SystemRoot/..",    0,     P("/Volumes")},
	{"ns3: mount file",                        K_CWD,  "/",    "/Volumes/SystemRoot/usr/bin/tool", 0, P("/Volumes/SystemRoot/usr/bin/tool")},
	{"ns3: the lower file is seen",            K_CWD,  "/",    "/etc/passwd",               0,     P("/etc/passwd")},
	{"ns3: lower dir, no prefix to hide it",      K_CWD,  "/",    "/gone/x",                   0,     P("/gone/x")},
	{"ns3: no opaque dir without a prefix",    K_CWD,  "/",    "/opq/lower_only",           0,     P("/opq/lower_only")},
	{"ns3: absolute link to the mount",        K_CWD,  "/",    "/to_vol/..",                0,     P("/Volumes")},
	{"ns3: cwd synthetic: child",              K_CWD,  "/Volumes", "SystemRoot",            0,     P("/Volumes/SystemRoot")},
	{"ns3: cwd synthetic: dotdot",             K_CWD,  "/Volumes", "..",                    0,     P("/")},
	{"ns3: dirfd synthetic: child",            K_DIR,  "/Volumes", "SystemRoot",            0,     P("/Volumes/SystemRoot"), .todo = SYNTH_TODO},
	{"ns3: dirfd synthetic: empty",            K_DIR,  "/Volumes", "",                      EMP,   P("/Volumes"), .todo = SYNTH_TODO},
};
/* clang-format on */

/* Host trees, relative to the fixture root: what each layer and mount holds. */
enum fkind { F_DIR, F_FILE, F_LINK, F_WH, F_OPQ };

struct fent {
	enum fkind k;
	const char *path;
	const char *arg;
};

/* clang-format off */
static const struct fent tree[] = {
	{F_FILE, "lower/etc/passwd", "lower passwd\n"},
	{F_FILE, "lower/etc/group", "lower group\n"},
	{F_FILE, "lower/etc/shadow_wh", "hidden\n"},
	{F_FILE, "lower/file", "file\n"},
	{F_FILE, "lower/a/f", "a/f\n"},
	{F_FILE, "lower/a/b/c/f", "a/b/c/f\n"},
	{F_LINK, "lower/a/b/up2", "../.."},
	{F_LINK, "lower/a/b/abs_a", "/a"},
	{F_LINK, "lower/a/b/self_parent", "../b"},
	{F_LINK, "lower/a/dot", "."},
	{F_LINK, "lower/lnk_shadowed", "etc"},
	{F_LINK, "lower/wh_link", "etc"},
	{F_LINK, "lower/slash3", "///"},
	{F_FILE, "lower/d/f", "d/f\n"},
	{F_FILE, "lower/gone/x", "gone\n"},
	{F_FILE, "lower/merged/lo", "lo\n"},
	{F_FILE, "lower/merged/lo2", "lo2\n"},
	{F_FILE, "lower/merged/both", "both lower\n"},
	{F_FILE, "lower/merged/lsub/f", "lsub\n"},
	{F_FILE, "lower/merged/both_dir/l", "l\n"},
	{F_FILE, "lower/merged/odir/l", "l\n"},
	{F_FILE, "lower/opq/lower_only", "lower only\n"},
	{F_FILE, "lower/opq/both", "both lower\n"},
	{F_FILE, "lower/opq/sub/deep", "deep\n"},
	{F_FILE, "lower/udir_over_file", "file below a dir\n"},
	{F_FILE, "lower/ufile_over_dir/c", "c\n"},
	{F_FILE, "lower/lnk_over_dir/c", "c\n"},
	{F_FILE, "lower/mnt/h1/hidden_by_mount", "hidden\n"},
	{F_FILE, "lower/mnt/h1x/f", "h1x\n"},
	{F_LINK, "lower/loop1", "loop2"},
	{F_LINK, "lower/loop2", "loop1"},
	{F_LINK, "lower/self", "self"},
	{F_LINK, "lower/loopdir", "loopdir/sub"},
	{F_LINK, "lower/abs_etc", "/etc"},
	{F_LINK, "lower/abs_root", "/"},
	{F_LINK, "lower/abs_root_dd", "/../../.."},
	{F_LINK, "lower/rel_up", "../../../../etc"},
	{F_LINK, "lower/dotdot_link", ".."},
	{F_LINK, "lower/dots", "./././."},
	{F_LINK, "lower/slashes", "//etc///"},
	{F_LINK, "lower/link_dir", "a/b"},
	{F_LINK, "lower/link_link_dir", "link_dir"},
	{F_LINK, "lower/link_file", "file"},
	{F_LINK, "lower/link_file_slash", "file/"},
	{F_LINK, "lower/dangling", "nonexistent"},
	{F_LINK, "lower/dangling_abs", "/nonexistent/deeper"},
	{F_LINK, "lower/to_mnt", "/mnt/h1"},
	{F_LINK, "lower/to_mnt_rel", "mnt/h1/dir1"},
	{F_LINK, "lower/to_vol", "/Volumes/SystemRoot"},
	{F_LINK, "lower/to_vol_usr", "Volumes/SystemRoot/usr"},
	{F_LINK, "lower/to_h1_up", "mnt/h1/up"},
	{F_LINK, "lower/mntlink", "mnt"},
	{F_FILE, "lower/ch/target", "target\n"},
	{F_FILE, "lower/ch/dir/x", "x\n"},
	{F_DIR, "lower/ch/dir/sub", NULL},
	{F_DIR, "lower/long", NULL},

	{F_FILE, "upper/etc/passwd", "upper passwd\n"},
	{F_FILE, "upper/etc/hostname", "upper hostname\n"},
	{F_WH, "upper/etc/shadow_wh", NULL},
	{F_WH, "upper/gone", NULL},
	{F_FILE, "upper/merged/up", "up\n"},
	{F_FILE, "upper/merged/both", "both upper\n"},
	{F_LINK, "upper/merged/dang", "newtarget"},
	{F_WH, "upper/merged/lo2", NULL},
	{F_FILE, "upper/merged/both_dir/u", "u\n"},
	{F_FILE, "upper/merged/odir/u", "u\n"},
	{F_OPQ, "upper/merged/odir", NULL},
	{F_FILE, "upper/opq/upper_only", "upper only\n"},
	{F_FILE, "upper/opq/both", "both upper\n"},
	{F_OPQ, "upper/opq", NULL},
	{F_FILE, "upper/udir_over_file/x", "x\n"},
	{F_FILE, "upper/ufile_over_dir", "file over a dir\n"},
	{F_LINK, "upper/lnk_over_dir", "etc"},
	{F_LINK, "upper/u_abs_mnt", "/mnt/h1/dir1"},
	{F_LINK, "upper/u_rel", "merged/lo"},
	{F_LINK, "upper/to_gone", "gone/x"},
	{F_FILE, "upper/lnk_shadowed/f", "upper dir over a lower link\n"},
	{F_WH, "upper/wh_link", NULL},
	{F_FILE, "upper/upper_only_dir/f", "upper only\n"},
	{F_DIR, "upper.work", NULL},

	{F_FILE, "h1/dir1/f", "h1 dir1 f\n"},
	{F_FILE, "h1/f1", "h1 f1\n"},
	{F_FILE, "h1/etc/passwd", "decoy: the mount's own etc\n"},
	{F_LINK, "h1/abs_link", "/etc"},
	{F_LINK, "h1/abs_link2", "/mnt/h1/dir1"},
	{F_LINK, "h1/rel_escape", "../../../../../etc"},
	{F_LINK, "h1/up", ".."},
	{F_LINK, "h1/to_vol", "../../Volumes/SystemRoot"},
	{F_LINK, "h1/hostroot_probe", "/tmp"},
	{F_LINK, "h1/to_upper_only", "/upper_only_dir/f"},
	{F_FILE, "h1/nested/shadowed", "below the inner mount\n"},
	{F_WH, "h1/wh", NULL},

	{F_FILE, "h2/usr/bin/tool", "tool\n"},
	{F_LINK, "h2/back", "/mnt/h1"},
	{F_LINK, "h2/rel_up", "../.."},
	{F_LINK, "h2/abs_etc", "/etc"},
	{F_LINK, "h2/dd_chain", "usr/bin/../../.."},

	{F_FILE, "h3/g", "g\n"},
	{F_LINK, "h3/up", ".."},
	{F_LINK, "h3/upup", "../.."},

	{F_LINK, "to_upper", "upper"},

	{F_FILE, "ns2/etc/x", "x\n"},
	{F_LINK, "ns2/top", "p"},
	{F_LINK, "ns2/top2", "/p.work"},
	{F_LINK, "ns2/etc/up", "../p"},
	{F_FILE, "ns2/p/ufile", "ufile\n"},
	{F_DIR, "ns2/p.work", NULL},
	{F_FILE, "ns2/pp/f", "pp\n"},
	{F_DIR, "ns2/p.workx", NULL},
};
/* clang-format on */

/* A mount of a view, for finding the host object behind a virtual path. */
struct vmount {
	const char *vpath;
	const char *host; /* relative to the fixture root; "" is the root */
};

/* One namespace as the tests see it. */
struct view {
	struct vr_task *t;
	const char *upper, *lower;   /* relative to the fixture root */
	const struct vmount *mounts; /* deepest first */
	size_t nmounts;
};

static const struct vmount main_mounts[] = {
        {"/mnt/h1/nested", "h3"},
        {"/Volumes/SystemRoot", "h2"},
        {"/mnt/h1", "h1"},
        {"/host", ""},
};

static char *root;                 /* the fixture root */
static int have_wh, have_opq;      /* whiteouts and opaque dirs could be made */
static int closed_fd = 900;        /* a descriptor number known not to be open */
static char long255[NAME_MAX + 1]; /* NAME_MAX 'n' */
static char long256[NAME_MAX + 2]; /* NAME_MAX + 1 'n' */


static void __attribute__((format(printf, 2, 3))) skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("ok %d - ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", reason);
	fflush(stdout);
}

static const char *
err_name(long e)
{
	return e < 0 ? strerror((int)-e) : "success";
}

/* is_err_todo() - is_err() for a check that fails until @todo is fixed. */
static int __attribute__((format(printf, 4, 5)))
is_err_todo(long got, int want, const char *todo, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int pass = got == -want;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ok_todo(pass, todo, "%s", msg);
	if (!pass)
		diag("  got %ld (%s), want -%d (%s)", got, err_name(got), want, strerror(want));
	return pass;
}

static void
hostpath(char *buf, const char *rel)
{
	if (fx_path(buf, PATH_MAX, root, rel) < 0)
		buf[0] = '\0';
}

/* ---------------------------------------------------------------- fixture */

static int
build_entry(const struct fent *e)
{
	int err = 0;

	switch (e->k) {
	case F_DIR:
		err = fx_mkdirs(root, e->path);
		break;
	case F_FILE:
		err = fx_file(root, e->path, e->arg);
		break;
	case F_LINK:
		err = fx_symlink(root, e->path, e->arg);
		break;
	case F_WH:
		err = fx_whiteout(root, e->path);
		if (err < 0) {
			diag("whiteout %s: %s", e->path, strerror(-err));
			have_wh = 0;
			err = 0;
		}
		break;
	case F_OPQ:
		err = fx_opaque(root, e->path);
		if (err < 0) {
			diag("opaque %s: %s", e->path, strerror(-err));
			have_opq = 0;
			err = 0;
		}
		break;
	}
	if (err < 0)
		diag("fixture %s: %s", e->path, strerror(-err));
	return err;
}

/*
 * Chains of links, each link a step:
 *   l1 -> l2 ... l40 -> l41 -> target   (each link the last of the previous)
 *   d0 -> d1 ... d39 -> d40 -> dir
 *   n0 -> n1/. ... n39 -> n40/. , n40 -> dir   (each link nested in the previous)
 *   q0 -> q1/sub/.. ... q39 -> q40/sub/.. , q40 -> dir
 */
static int
build_chains(void)
{
	char name[64], body[64];
	int err = 0;

	for (int i = 0; i <= 40 && err == 0; i++) {
		snprintf(name, sizeof(name), "lower/ch/n%d", i);
		if (i == 40)
			snprintf(body, sizeof(body), "dir");
		else
			snprintf(body, sizeof(body), "n%d/.", i + 1);
		err = fx_symlink(root, name, body);
		snprintf(name, sizeof(name), "lower/ch/q%d", i);
		if (i < 40)
			snprintf(body, sizeof(body), "q%d/sub/..", i + 1);
		if (err == 0)
			err = fx_symlink(root, name, body);
	}

	for (int i = 1; i <= 41 && err == 0; i++) {
		snprintf(name, sizeof(name), "lower/ch/l%d", i);
		if (i == 41)
			snprintf(body, sizeof(body), "target");
		else
			snprintf(body, sizeof(body), "l%d", i + 1);
		err = fx_symlink(root, name, body);
	}
	for (int i = 0; i <= 40 && err == 0; i++) {
		snprintf(name, sizeof(name), "lower/ch/d%d", i);
		if (i == 40)
			snprintf(body, sizeof(body), "dir");
		else
			snprintf(body, sizeof(body), "d%d", i + 1);
		err = fx_symlink(root, name, body);
	}
	return err;
}

/* A link body of PATH_MAX - 1 bytes: "/" "./" x 2042 "etc/passwd". */
static char *
long_body(void)
{
	static const char tail[] = "etc/passwd";
	size_t n = 1;
	char *b = malloc(PATH_MAX);

	if (!b)
		return NULL;
	b[0] = '/';
	while (n + 2 + strlen(tail) <= PATH_MAX - 1) {
		memcpy(b + n, "./", 2);
		n += 2;
	}
	while (n + strlen(tail) < PATH_MAX - 1)
		b[n++] = '/';
	memcpy(b + n, tail, sizeof(tail));
	return b;
}

static int
build_fixture(void)
{
	char rel[PATH_MAX];
	char *body;
	int err = 0;

	have_wh = have_opq = 1;
	memset(long255, 'n', NAME_MAX);
	memset(long256, 'n', NAME_MAX + 1);
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]) && err == 0; i++)
		err = build_entry(&tree[i]);
	if (err == 0)
		err = build_chains();
	snprintf(rel, sizeof(rel), "lower/long/%s", long255);
	if (err == 0)
		err = fx_file(root, rel, "long\n");
	if (err == 0)
		err = fx_symlink(root, "lower/long_name_link", long256);
	if (err == 0) {
		snprintf(rel, sizeof(rel), "%s/lower/etc", root);
		err = fx_symlink(root, "lower/host_abs", rel);
	}
	if (err == 0) {
		snprintf(rel, sizeof(rel), "%s/h1/dir1", root);
		err = fx_symlink(root, "h1/host_abs", rel);
	}
	body = long_body();
	if (err == 0 && body)
		err = fx_symlink(root, "lower/long_body", body);
	free(body);
	if (err < 0)
		diag("fixture: %s", strerror(-err));
	return err;
}

static int
new_ns(struct vr_ns **nsp, const char *upper, const char *work, const char *lower,
       const struct vmount *mounts, size_t nmounts, unsigned int rdonly_mask)
{
	char u[PATH_MAX], w[PATH_MAX], l[PATH_MAX], h[VR_MAX_MOUNTS][PATH_MAX];
	struct vr_mount_spec ms[VR_MAX_MOUNTS];
	const char *lowers[1] = {l};
	struct vr_ns_spec spec = {
	        .upper = u,
	        .work = w,
	        .lowers = lowers,
	        .nlowers = 1,
	        .mounts = ms,
	        .nmounts = (unsigned int)nmounts,
	};

	if (upper) {
		hostpath(u, upper);
		hostpath(w, work);
	} else {
		spec.upper = spec.work = NULL;
	}
	hostpath(l, lower);
	for (size_t i = 0; i < nmounts; i++) {
		if (mounts[i].host[0])
			hostpath(h[i], mounts[i].host);
		else
			snprintf(h[i], PATH_MAX, "%s", root);
		ms[i] = (struct vr_mount_spec){
		        .host = h[i],
		        .path = mounts[i].vpath,
		        .flags = (rdonly_mask >> i) & 1 ? VR_MOUNT_RDONLY : 0,
		};
	}
	return vr_ns_new(&spec, nsp);
}

/* ------------------------------------------------------------- the object */

/*
 * host_of() - the host object behind canonical virtual path @v: the deepest
 * mount's file, else the upper's (unless a whiteout), else the lower's.
 * Return: 1 with the host path in @out, 0 when no host file is behind it
 * (a synthetic directory).
 */
static int
host_of(const struct view *vw, const char *v, char *out)
{
	char rel[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < vw->nmounts; i++) {
		const struct vmount *m = &vw->mounts[i];
		size_t n = strlen(m->vpath);

		if (strncmp(v, m->vpath, n) != 0 || (v[n] != '\0' && v[n] != '/'))
			continue;
		if (m->host[0])
			snprintf(rel, sizeof(rel), "%s%s", m->host, v + n);
		else
			snprintf(rel, sizeof(rel), "%s", v + n + (v[n] == '/'));
		hostpath(out, rel);
		return 1;
	}
	if (vw->upper) {
		snprintf(rel, sizeof(rel), "%s%s", vw->upper, strcmp(v, "/") ? v : "");
		hostpath(out, rel);
		if (lstat(out, &st) == 0 && !(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)))
			return 1;
	}
	snprintf(rel, sizeof(rel), "%s%s", vw->lower, strcmp(v, "/") ? v : "");
	hostpath(out, rel);
	return lstat(out, &st) == 0;
}

/* same_object() - @st is the host object behind @want; explains otherwise in @why. */
static int
same_object(const struct view *vw, const char *want, const struct stat *st, char *why, size_t n)
{
	char host[PATH_MAX];
	struct stat hst;

	if (!host_of(vw, want, host)) {
		if (S_ISDIR(st->st_mode))
			return 1;
		snprintf(why, n, "synthetic %s is not a directory (mode %o)", want,
		         (unsigned int)st->st_mode);
		return 0;
	}
	if (lstat(host, &hst) < 0) {
		snprintf(why, n, "lstat %s: %s", host, strerror(errno));
		return 0;
	}
	if (hst.st_dev == st->st_dev && hst.st_ino == st->st_ino &&
	    (hst.st_mode & S_IFMT) == (st->st_mode & S_IFMT))
		return 1;
	snprintf(why, n,
	         "fstatat gave dev %lu ino %lu mode %o, host %s has dev %lu ino %lu mode %o",
	         (unsigned long)st->st_dev, (unsigned long)st->st_ino, (unsigned int)st->st_mode,
	         host, (unsigned long)hst.st_dev, (unsigned long)hst.st_ino,
	         (unsigned int)hst.st_mode);
	return 0;
}

/* ------------------------------------------------------------------- rows */

/* row_dirfd() - set up where the row's relative path starts; -errno on failure. */
static int
row_dirfd(struct vr_task *t, const struct row *r, int pipefd[2])
{
	int fd;

	switch (r->at) {
	case K_CWD:
		fd = vr_chdir(t, r->dir ? r->dir : "/");
		return fd < 0 ? fd : AT_FDCWD;
	case K_DIR:
		return vr_openat(t, AT_FDCWD, r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	case K_FILE:
		return vr_openat(t, AT_FDCWD, r->dir, O_RDONLY | O_CLOEXEC, 0);
	case K_LINK:
		return vr_openat(t, AT_FDCWD, r->dir, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	case K_BAD:
		return -1;
	case K_CLOSED:
		return closed_fd;
	case K_PIPE:
		if (pipe2(pipefd, O_CLOEXEC) < 0)
			return -errno;
		return pipefd[0];
	}
	return -EINVAL;
}

static void
row_dirfd_done(struct vr_task *t, const struct row *r, int fd, int pipefd[2])
{
	switch (r->at) {
	case K_CWD:
		vr_chdir(t, "/");
		break;
	case K_DIR:
	case K_FILE:
	case K_LINK:
		if (fd >= 0)
			close(fd);
		break;
	case K_PIPE:
		close(pipefd[0]);
		close(pipefd[1]);
		break;
	case K_BAD:
	case K_CLOSED:
		break;
	}
}

static const char *
kind_name(enum at_kind k)
{
	static const char *const names[] = {"cwd",   "dirfd",     "file fd", "link fd",
	                                    "fd -1", "closed fd", "pipe fd"};

	return names[k];
}

static const char *
row_need(const struct row *r)
{
	if ((r->need & N_WH) && !have_wh)
		return "whiteouts (mknod c 0 0) not permitted here";
	if ((r->need & N_OPQ) && !have_opq)
		return "user xattrs not supported here";
	return NULL;
}

/* run_row() - check one row; returns whether it passed. */
static int
run_row(const struct view *vw, const char *ns_tag, const struct row *r)
{
	char buf[PATH_MAX + 1], why[PATH_MAX * 2 + 200] = "";
	int pipefd[2] = {-1, -1};
	struct stat st;
	long got;
	int fd, sterr, pass;
	const char *reason = row_need(r);

	if (reason) {
		skip(reason, "%s%s", ns_tag, r->name);
		return 1;
	}
	fd = row_dirfd(vw->t, r, pipefd);
	if (fd < 0 && fd != AT_FDCWD && r->at != K_BAD) {
		ok_todo(0, r->todo, "%s%s", ns_tag, r->name);
		diag("  setting up the %s on %s: %s", kind_name(r->at), r->dir, err_name(fd));
		return 0;
	}
	buf[0] = '\0';
	got = vr_realpath(vw->t, fd, r->path, r->flags, buf, sizeof(buf));
	memset(&st, 0, sizeof(st));
	sterr = vr_fstatat(vw->t, fd, r->path, &st, r->flags);
	if (r->err) {
		pass = got == -r->err && sterr == -r->err;
		if (!pass)
			snprintf(why, sizeof(why), "want %s; realpath gave %s, fstatat gave %s",
			         strerror(r->err), got >= 0 ? buf : err_name(got), err_name(sterr));
	} else {
		pass = got == (long)strlen(r->want) && strcmp(buf, r->want) == 0;
		if (!pass)
			snprintf(why, sizeof(why), "want \"%s\"; realpath gave %s%s%s", r->want,
			         got >= 0 ? "\"" : "", got >= 0 ? buf : err_name(got),
			         got >= 0 ? "\"" : "");
		else if (sterr < 0) {
			pass = 0;
			snprintf(why, sizeof(why), "fstatat gave %s", err_name(sterr));
		} else {
			pass = same_object(vw, r->want, &st, why, sizeof(why));
		}
	}
	ok_todo(pass, r->todo, "%s%s: %s %s \"%.60s\"%s%s", ns_tag, r->name, kind_name(r->at),
	       r->dir ? r->dir : "", r->path, (r->flags & NOF) ? " nofollow" : "",
	       (r->flags & EMP) ? " empty_path" : "");
	if (!pass)
		diag("  %s", why);
	row_dirfd_done(vw->t, r, fd, pipefd);
	return pass;
}

/* ---------------------------------------------------------- dynamic rows */

/* cat() - a malloc'd @a @b @c. */
static char *
cat(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *p = malloc(la + lb + lc + 1);

	if (p) {
		memcpy(p, a, la);
		memcpy(p + la, b, lb);
		memcpy(p + la + lb, c, lc + 1);
	}
	return p;
}

/* pad() - @head, then @unit repeated, then slashes, then @tail: @total bytes. */
static char *
pad(const char *head, const char *unit, const char *tail, size_t total)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), n = hl;
	char *p = malloc(total + 1);

	if (!p)
		return NULL;
	memcpy(p, head, hl);
	while (n + ul + tl <= total) {
		memcpy(p + n, unit, ul);
		n += ul;
	}
	while (n + tl < total)
		p[n++] = '/';
	memcpy(p + n, tail, tl + 1);
	return p;
}

struct dyn {
	struct row r;
	char *path; /* owned */
	char *want; /* owned */
};

static size_t
dyn_rows(struct dyn *d)
{
	size_t n = 0;

#define DYN(nm, at_, dir_, flags_, err_, path_, want_)                                             \
	do {                                                                                       \
		d[n].path = (path_);                                                               \
		d[n].want = (want_);                                                               \
		d[n].r = (struct row){.name = (nm),                                                \
		                      .at = (at_),                                                 \
		                      .dir = (dir_),                                               \
		                      .path = d[n].path,                                           \
		                      .flags = (flags_),                                           \
		                      .err = (err_),                                               \
		                      .want = d[n].want};                                          \
		n++;                                                                               \
	} while (0)
	DYN("NAME_MAX name", K_CWD, "/", 0, 0, cat("/long/", long255, ""),
	    cat("/long/", long255, ""));
	DYN("NAME_MAX + 1 name", K_CWD, "/", 0, ENAMETOOLONG, cat("/long/", long256, ""), NULL);
	DYN("NAME_MAX + 1 name nofollow", K_CWD, "/", NOF, ENAMETOOLONG, cat("/long/", long256, ""),
	    NULL);
	DYN("NAME_MAX + 1 name at the root", K_CWD, "/", 0, ENAMETOOLONG, cat("/", long256, ""),
	    NULL);
	DYN("NAME_MAX + 1 name as a directory", K_CWD, "/", 0, ENAMETOOLONG,
	    cat("/long/", long256, "/x"), NULL);
	DYN("NAME_MAX + 1 name below a missing dir", K_CWD, "/", 0, ENOENT,
	    cat("/missing/", long256, ""), NULL);
	DYN("NAME_MAX + 1 name below a file", K_CWD, "/", 0, ENOTDIR, cat("/file/", long256, ""),
	    NULL);
	DYN("NAME_MAX + 1 name relative", K_CWD, "/long", 0, ENAMETOOLONG, cat(long256, "", ""),
	    NULL);
	DYN("NAME_MAX + 1 name in a link body", K_CWD, "/", 0, ENAMETOOLONG,
	    cat("/long_name_link", "", ""), NULL);
	DYN("NAME_MAX + 1 name in a link body, nofollow", K_CWD, "/", NOF, 0,
	    cat("/long_name_link", "", ""), cat("/long_name_link", "", ""));
	DYN("PATH_MAX - 1 bytes of ./", K_CWD, "/", 0, 0,
	    pad("/", "./", "etc/passwd", PATH_MAX - 1), cat("/etc/passwd", "", ""));
	DYN("PATH_MAX bytes of ./", K_CWD, "/", 0, ENAMETOOLONG,
	    pad("/", "./", "etc/passwd", PATH_MAX), NULL);
	DYN("PATH_MAX - 1 bytes of /", K_CWD, "/", 0, 0, pad("", "/", "etc/group", PATH_MAX - 1),
	    cat("/etc/group", "", ""));
	DYN("PATH_MAX bytes of /", K_CWD, "/", 0, ENAMETOOLONG, pad("", "/", "etc/group", PATH_MAX),
	    NULL);
	DYN("PATH_MAX - 1 bytes of a/../", K_CWD, "/", 0, 0,
	    pad("", "a/../", "a/b/c", PATH_MAX - 1), cat("/a/b/c", "", ""));
	DYN("PATH_MAX bytes of a/../", K_CWD, "/", 0, ENAMETOOLONG,
	    pad("", "a/../", "a/b/c", PATH_MAX), NULL);
	DYN("PATH_MAX - 1 bytes of ./ relative to a cwd", K_CWD, "/a", 0, 0,
	    pad("", "./", "b/c/f", PATH_MAX - 1), cat("/a/b/c/f", "", ""));
	DYN("PATH_MAX bytes relative to a cwd", K_CWD, "/a", 0, ENAMETOOLONG,
	    pad("", "./", "b/c/f", PATH_MAX), NULL);
	DYN("PATH_MAX - 1 bytes through a mount", K_CWD, "/", 0, 0,
	    pad("/mnt/h1/", "dir1/../", "f1", PATH_MAX - 1), cat("/mnt/h1/f1", "", ""));
	DYN("PATH_MAX bytes missing path", K_CWD, "/", 0, ENAMETOOLONG,
	    pad("/missing/", "./", "x", PATH_MAX), NULL);
	DYN("link body of PATH_MAX - 1 bytes", K_CWD, "/", 0, 0, cat("/long_body", "", ""),
	    cat("/etc/passwd", "", ""));
	DYN("link body of PATH_MAX - 1 bytes, nofollow", K_CWD, "/", NOF, 0,
	    cat("/long_body", "", ""), cat("/long_body", "", ""));
#undef DYN
	return n;
}

/* ------------------------------------------------------ the kernel oracle */

/* What the kernel answered for one row. */
struct kres {
	int ran;
	int err;
	char path[PATH_MAX];
};

static int
bind_at(const char *src, const char *dst, int rdonly)
{
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		return -errno;
	if (rdonly && mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		return -errno;
	return 0;
}

/*
 * oracle_tree() - in a private mount namespace, build at oracle/m the tree
 * the main namespace shows: kernel overlayfs (upper and lower as read-only
 * layers, in userxattr mode, over a scratch upper) plus bind mounts.
 */
static int
oracle_tree(char *m)
{
	char opts[4 * PATH_MAX], u[PATH_MAX], l[PATH_MAX], ou[PATH_MAX], ow[PATH_MAX];
	char src[PATH_MAX], dst[PATH_MAX];
	int err;

	hostpath(m, "oracle/m");
	hostpath(u, "upper");
	hostpath(l, "lower");
	hostpath(ou, "oracle/u");
	hostpath(ow, "oracle/w");
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	if (snprintf(opts, sizeof(opts), "lowerdir=%s:%s,upperdir=%s,workdir=%s,userxattr", u, l,
	             ou, ow) >= (int)sizeof(opts))
		return -ENAMETOOLONG;
	if (mount("overlay", m, "overlay", 0, opts) < 0)
		return -errno;
	hostpath(src, "h1");
	hostpath(dst, "oracle/m/mnt/h1");
	err = bind_at(src, dst, 0);
	hostpath(src, "h3");
	hostpath(dst, "oracle/m/mnt/h1/nested");
	if (err == 0)
		err = bind_at(src, dst, 0);
	hostpath(dst, "oracle/m/Volumes");
	if (err == 0 && mkdir(dst, 0755) < 0)
		err = -errno;
	hostpath(dst, "oracle/m/Volumes/SystemRoot");
	if (err == 0 && mkdir(dst, 0755) < 0)
		err = -errno;
	hostpath(src, "h2");
	if (err == 0)
		err = bind_at(src, dst, 1);
	hostpath(dst, "oracle/m/host");
	if (err == 0 && mkdir(dst, 0755) < 0)
		err = -errno;
	if (err == 0)
		err = bind_at(root, dst, 1);
	return err;
}

/* oracle_row() - resolve @r with the kernel, inside the chroot. */
static void
oracle_row(const struct row *r, int procfd, struct kres *k)
{
	int pipefd[2] = {-1, -1};
	int dirfd, fd = -1;
	char num[16];
	long n;

	switch (r->at) {
	case K_CWD:
		dirfd = chdir(r->dir ? r->dir : "/") < 0 ? -1 : AT_FDCWD;
		break;
	case K_DIR:
		dirfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		break;
	case K_FILE:
		dirfd = open(r->dir, O_RDONLY | O_CLOEXEC);
		break;
	case K_LINK:
		dirfd = open(r->dir, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		break;
	case K_BAD:
		dirfd = -1;
		break;
	case K_CLOSED:
		dirfd = closed_fd;
		break;
	case K_PIPE:
		dirfd = pipe2(pipefd, O_CLOEXEC) < 0 ? -1 : pipefd[0];
		break;
	default:
		dirfd = -1;
	}
	k->ran = 1;
	if (dirfd == -1 && r->at != K_BAD) {
		k->err = errno;
		snprintf(k->path, sizeof(k->path), "(setting up the %s failed)", kind_name(r->at));
		goto out;
	}
	if (!r->path[0] && (r->flags & EMP)) {
		if (dirfd == AT_FDCWD)
			fd = open(".", O_PATH | O_CLOEXEC);
		else
			fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	} else {
		fd = openat(dirfd, r->path,
		            O_PATH | O_CLOEXEC | ((r->flags & NOF) ? O_NOFOLLOW : 0));
	}
	if (fd < 0) {
		k->err = errno;
		goto out;
	}
	snprintf(num, sizeof(num), "%d", fd);
	n = readlinkat(procfd, num, k->path, sizeof(k->path) - 1);
	k->err = n < 0 ? errno : 0;
	k->path[n < 0 ? 0 : n] = '\0';
	close(fd);
out:
	if (dirfd >= 0 && r->at != K_PIPE && r->at != K_CLOSED)
		close(dirfd);
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
		close(pipefd[1]);
	}
	if (chdir("/") < 0)
		k->err = errno;
}

/* oracle() - run every row through the kernel in a chrooted child. */
static void
oracle(const struct row *const *all, size_t n)
{
	struct kres *k;
	char m[PATH_MAX];
	int status, err, sync[2];
	pid_t pid;

	if (geteuid() != 0) {
		skip("needs root (mount namespace, overlayfs, chroot)",
		     "kernel oracle agrees with every row");
		return;
	}
	if (fx_mkdirs(root, "oracle/m") < 0 || fx_mkdirs(root, "oracle/u") < 0 ||
	    fx_mkdirs(root, "oracle/w") < 0 || pipe2(sync, O_CLOEXEC) < 0) {
		skip("cannot create the oracle's directories",
		     "kernel oracle agrees with every row");
		return;
	}
	k = mmap(NULL, n * sizeof(*k), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (k == MAP_FAILED) {
		skip("mmap failed", "kernel oracle agrees with every row");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int procfd;

		close(sync[0]);
		err = oracle_tree(m);
		procfd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (err == 0 && procfd < 0)
			err = -errno;
		if (err == 0 && (chroot(m) < 0 || chdir("/") < 0))
			err = -errno;
		if (write(sync[1], &err, sizeof(err)) != sizeof(err) || err < 0)
			_exit(1);
		for (size_t i = 0; i < n; i++)
			if (!(all[i]->need & NO_ORACLE) && !row_need(all[i]))
				oracle_row(all[i], procfd, &k[i]);
		_exit(0);
	}
	close(sync[1]);
	err = -EIO;
	if (pid < 0 || read(sync[0], &err, sizeof(err)) != sizeof(err))
		err = pid < 0 ? -errno : -EIO;
	close(sync[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (err < 0 || pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char why[128];

		snprintf(why, sizeof(why), "cannot build the kernel's tree: %s", strerror(-err));
		skip(why, "kernel oracle agrees with every row");
	} else {
		for (size_t i = 0; i < n; i++) {
			const struct row *r = all[i];
			int pass;

			if (!k[i].ran)
				continue;
			if (r->err)
				pass = k[i].err == r->err;
			else
				pass = k[i].err == 0 && strcmp(k[i].path, r->want) == 0;
			if (!ok(pass, "kernel agrees: %s", r->name))
				diag("  table says %s, kernel says %s",
				     r->err ? strerror(r->err) : r->want,
				     k[i].err ? strerror(k[i].err) : k[i].path);
		}
	}
	munmap(k, n * sizeof(*k));
	hostpath(m, "oracle");
	fx_rmrf(m);
}

/* ------------------------------------------------------------ readlinkat */

static void
test_readlink(struct vr_task *t)
{
	static const struct {
		const char *dir, *path, *want;
		int err;
	} cases[] = {
	        {NULL, "/abs_etc", "/etc", 0},
	        {NULL, "/mnt/h1/abs_link", "/etc", 0},
	        {NULL, "/a/b/up2", "../..", 0},
	        {"/a/b", "up2", "../..", 0},
	        {"/mnt/h1", "rel_escape", "../../../../../etc", 0},
	        {NULL, "/loop1", "loop2", 0},
	        {NULL, "/self", "self", 0},
	        {NULL, "/ch/l1", "l2", 0},
	        {NULL, "/slashes", "//etc///", 0},
	        {NULL, "/Volumes/SystemRoot/back", "/mnt/h1", 0},
	        {NULL, "/link_dir/up2", "../..", 0},
	        {NULL, "/lnk_over_dir", "etc", 0},
	        {NULL, "/etc", NULL, EINVAL},
	        {NULL, "/file", NULL, EINVAL},
	        {NULL, "/abs_etc/", NULL, EINVAL},
	        {NULL, "/link_file/", NULL, ENOTDIR},
	        {NULL, "/loop1/", NULL, ELOOP},
	        {NULL, "/missing", NULL, ENOENT},
	        {NULL, "/Volumes", NULL, EINVAL},
	        {NULL, "", NULL, ENOENT},
	};
	char buf[PATH_MAX];
	long n;
	int fd;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int dirfd = AT_FDCWD;

		if (cases[i].dir)
			dirfd = vr_openat(t, AT_FDCWD, cases[i].dir,
			                  O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		memset(buf, 0, sizeof(buf));
		n = vr_readlinkat(t, dirfd, cases[i].path, buf, sizeof(buf));
		if (cases[i].err)
			is_err(n, cases[i].err, "readlinkat %s%s\"%s\"",
			       cases[i].dir ? cases[i].dir : "", cases[i].dir ? " + " : "",
			       cases[i].path);
		else if (n < 0 || (size_t)n != strlen(cases[i].want))
			ok(0, "readlinkat %s \"%s\": got %ld (%s)",
			   cases[i].dir ? cases[i].dir : "", cases[i].path, n,
			   n < 0 ? err_name(n) : buf);
		else
			is_str(buf, cases[i].want, "readlinkat %s%s\"%s\" returns the raw body",
			       cases[i].dir ? cases[i].dir : "", cases[i].dir ? " + " : "",
			       cases[i].path);
		if (dirfd >= 0)
			close(dirfd);
	}

	memset(buf, 'z', sizeof(buf));
	n = vr_readlinkat(t, AT_FDCWD, "/abs_etc", buf, 3);
	ok(n == 3 && memcmp(buf, "/et", 3) == 0 && buf[3] == 'z',
	   "readlinkat truncates to the buffer, no NUL (got %ld)", n);
	is_err(vr_readlinkat(t, AT_FDCWD, "/abs_etc", buf, 0), EINVAL,
	       "readlinkat size 0 is EINVAL");

	{
		char *body = long_body();

		n = vr_readlinkat(t, AT_FDCWD, "/long_body", buf, sizeof(buf));
		ok(body && n == PATH_MAX - 1 && memcmp(buf, body, (size_t)n) == 0,
		   "readlinkat of a PATH_MAX - 1 byte body (got %ld)", n);
		free(body);
	}

	fd = vr_openat(t, AT_FDCWD, "/mnt/h1/abs_link", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	memset(buf, 0, sizeof(buf));
	n = fd >= 0 ? vr_readlinkat(t, fd, "", buf, sizeof(buf)) : fd;
	ok(n == 4 && strcmp(buf, "/etc") == 0,
	   "readlinkat(fd, \"\") of an O_PATH link fd (got %ld %s)", n, n < 0 ? err_name(n) : buf);
	if (fd >= 0)
		close(fd);
	fd = vr_openat(t, AT_FDCWD, "/file", O_RDONLY | O_CLOEXEC, 0);
	is_err(fd >= 0 ? vr_readlinkat(t, fd, "", buf, sizeof(buf)) : fd, ENOENT,
	       "readlinkat(fd, \"\") of a non-link is ENOENT");
	if (fd >= 0)
		close(fd);
}

/* --------------------------------------------------------------- openat */

/* read_host() - the content of host file @rel, or "" (static buffer). */
static const char *
read_host(const char *rel)
{
	static char content[256];
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	content[0] = '\0';
	hostpath(path, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return content;
	n = read(fd, content, sizeof(content) - 1);
	content[n < 0 ? 0 : n] = '\0';
	close(fd);
	return content;
}

static int
same_as_host(int fd, const char *rel)
{
	char path[PATH_MAX];
	struct stat a, b;

	hostpath(path, rel);
	return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static void
test_open(struct vr_task *t)
{
	char buf[PATH_MAX];
	struct stat st;
	long n;
	int fd;

	fd = vr_openat(t, AT_FDCWD, "/abs_etc", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	ok(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode) &&
	           same_as_host(fd, "lower/abs_etc"),
	   "O_PATH|O_NOFOLLOW opens the link itself (%s)", err_name(fd < 0 ? fd : 0));
	n = fd >= 0 ? vr_revmap_fd(t, fd, buf, sizeof(buf)) : fd;
	ok(n > 0 && strcmp(buf, "/abs_etc") == 0, "... and its descriptor maps back to /abs_etc");
	if (fd >= 0)
		close(fd);
	fd = vr_openat(t, AT_FDCWD, "/mnt/h1/abs_link", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	ok(fd >= 0 && same_as_host(fd, "h1/abs_link"), "O_PATH|O_NOFOLLOW of a link in a mount");
	if (fd >= 0)
		close(fd);
	is_err(vr_openat(t, AT_FDCWD, "/abs_etc", O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0), ELOOP,
	       "O_NOFOLLOW on a final link is ELOOP");
	fd = vr_openat(t, AT_FDCWD, "/abs_etc/passwd", O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	ok(fd >= 0 && same_as_host(fd, "upper/etc/passwd"),
	   "O_NOFOLLOW still follows non-final links");
	if (fd >= 0)
		close(fd);
	fd = vr_openat(t, AT_FDCWD, "/abs_etc", O_RDONLY | O_CLOEXEC, 0);
	ok(fd >= 0 && same_as_host(fd, "upper/etc"), "opening a link to a dir opens the upper dir");
	if (fd >= 0)
		close(fd);
	fd = vr_openat(t, AT_FDCWD, "/mnt/h1/abs_link/passwd", O_RDONLY | O_CLOEXEC, 0);
	ok(fd >= 0 && same_as_host(fd, "upper/etc/passwd"),
	   "absolute link in a mount opens the overlay's file, not the host's");
	if (fd >= 0)
		close(fd);
	is_err(vr_openat(t, AT_FDCWD, "/file", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), ENOTDIR,
	       "O_DIRECTORY on a file is ENOTDIR");
	is_err(vr_openat(t, AT_FDCWD, "/link_file", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), ENOTDIR,
	       "O_DIRECTORY on a link to a file is ENOTDIR");
	is_err(vr_openat(t, AT_FDCWD, "/etc", O_WRONLY | O_CREAT | O_CLOEXEC, 0644), EISDIR,
	       "O_CREAT on an existing dir is EISDIR");
	is_err(vr_openat(t, AT_FDCWD, "/", O_WRONLY | O_CREAT | O_CLOEXEC, 0644), EISDIR,
	       "O_CREAT on / is EISDIR");
	is_err(vr_openat(t, AT_FDCWD, "/etc/..", O_RDONLY | O_CREAT | O_CLOEXEC, 0644), EISDIR,
	       "O_CREAT on .. is EISDIR");
	is_err(vr_openat(t, AT_FDCWD, "/merged/newdir/", O_RDONLY | O_CREAT | O_CLOEXEC, 0644),
	       EISDIR, "O_CREAT on a missing name with a trailing slash is EISDIR");
	ok(!fx_exists(root, "upper/merged/newdir"), "... and creates nothing");
	is_err_todo(vr_openat(t, AT_FDCWD, "/file/", O_WRONLY | O_CREAT | O_CLOEXEC, 0644), EISDIR,
	            NULL, "O_CREAT on file/ is EISDIR");
	is_err_todo(vr_openat(t, AT_FDCWD, "/link_file/", O_WRONLY | O_CREAT | O_CLOEXEC, 0644),
	            EISDIR, NULL,
	            "O_CREAT on a link to a file with a trailing slash is EISDIR");
	is_err(vr_openat(t, AT_FDCWD, "/missing/", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644),
	       EISDIR, "O_CREAT|O_EXCL on missing/ is EISDIR");
	is_err(vr_openat(t, AT_FDCWD, "/merged/newdir2",
	                 O_RDONLY | O_CREAT | O_DIRECTORY | O_CLOEXEC, 0755),
	       EINVAL, "O_CREAT|O_DIRECTORY is EINVAL");
	ok(!fx_exists(root, "upper/merged/newdir2"), "... and creates nothing");
	is_err(vr_openat(t, AT_FDCWD, "/etc", O_WRONLY | O_CLOEXEC, 0), EISDIR,
	       "write open of a dir is EISDIR");
	is_err(vr_openat(t, AT_FDCWD, "/abs_etc", O_RDWR | O_CLOEXEC, 0), EISDIR,
	       "write open through a link to a dir is EISDIR");
	is_err(vr_openat(t, AT_FDCWD, "/file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644),
	       EEXIST, "O_CREAT|O_EXCL on an existing file is EEXIST");
	is_err(vr_openat(t, AT_FDCWD, "/dangling", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644),
	       EEXIST, "O_CREAT|O_EXCL on a dangling link is EEXIST");
	ok(!fx_exists(root, "upper/nonexistent"), "... and does not create its target");
	is_err(vr_openat(t, AT_FDCWD, "/etc", O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644),
	       EEXIST, "O_CREAT|O_EXCL on an existing dir is EEXIST");
	is_err(vr_openat(t, AT_FDCWD, "/missing/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0644), ENOENT,
	       "O_CREAT below a missing dir is ENOENT");
	is_err(vr_openat(t, AT_FDCWD, "/file/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0644), ENOTDIR,
	       "O_CREAT below a file is ENOTDIR");
	is_err(vr_openat(t, AT_FDCWD, "/loop1", O_RDONLY | O_CLOEXEC, 0), ELOOP,
	       "opening a loop is ELOOP");
	is_err(vr_openat(t, AT_FDCWD, "/missing", O_RDONLY | O_CLOEXEC, 0), ENOENT,
	       "opening a missing name is ENOENT");

	/* Writes: a base file is copied up first; the base is never written. */
	fd = vr_openat(t, AT_FDCWD, "/file", O_WRONLY | O_APPEND | O_CLOEXEC, 0);
	ok(fd >= 0 && write(fd, "more\n", 5) == 5, "write open of a lower-only file copies it up (%s)",
	   err_name(fd < 0 ? fd : 0));
	if (fd >= 0)
		close(fd);
	is_str(read_host("upper/file"), "file\nmore\n", "... the upper copy has old and new data");
	is_str(read_host("lower/file"), "file\n", "... the lower file did not change");
	fd = vr_openat(t, AT_FDCWD, "/merged/lo", O_WRONLY | O_TRUNC | O_CLOEXEC, 0);
	ok(fd >= 0, "truncating open of a lower file copies it up (%s)", err_name(fd < 0 ? fd : 0));
	if (fd >= 0)
		close(fd);
	is_str(read_host("upper/merged/lo"), "", "... the upper copy is empty");
	is_str(read_host("lower/merged/lo"), "lo\n", "... and the lower file is untouched");
	fd = vr_openat(t, AT_FDCWD, "/etc/passwd", O_WRONLY | O_TRUNC | O_CLOEXEC, 0);
	ok(fd >= 0 && write(fd, "written\n", 8) == 8, "write open of an upper file works (%s)",
	   err_name(fd < 0 ? fd : 0));
	if (fd >= 0)
		close(fd);
	is_str(read_host("upper/etc/passwd"), "written\n", "... the upper file changed");
	is_str(read_host("lower/etc/passwd"), "lower passwd\n", "... the lower file did not");
	fd = vr_openat(t, AT_FDCWD, "/merged/newfile", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	               0640);
	ok(fd >= 0 && write(fd, "new\n", 4) == 4, "creating a file in an upper dir works (%s)",
	   err_name(fd < 0 ? fd : 0));
	if (fd >= 0)
		close(fd);
	is_str(read_host("upper/merged/newfile"), "new\n", "... it is in the prefix");
	ok(!fx_exists(root, "lower/merged/newfile"), "... and not in the base");
	memset(&st, 0, sizeof(st));
	n = vr_fstatat(t, AT_FDCWD, "/merged/newfile", &st, 0);
	{
		char path[PATH_MAX];
		struct stat hst;

		hostpath(path, "upper/merged/newfile");
		ok(n == 0 && lstat(path, &hst) == 0 && hst.st_ino == st.st_ino &&
		           (st.st_mode & 07777) == 0640,
		   "... and fstatat sees it, mode 0640");
	}
	fd = vr_openat(t, AT_FDCWD, "/merged/dang", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ok(fd >= 0 && fx_exists(root, "upper/merged/newtarget"),
	   "O_CREAT through a dangling link creates its target in the prefix (%s)",
	   err_name(fd < 0 ? fd : 0));
	if (fd >= 0)
		close(fd);
	fd = vr_openat(t, AT_FDCWD, "/d/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ok(!fx_exists(root, "lower/d/new") &&
	           (fd == -EROFS || (fd >= 0 && fx_exists(root, "upper/d/new"))),
	   "creating in a lower-only dir never writes the base (%s)", err_name(fd < 0 ? fd : 0));
	if (fd >= 0)
		close(fd);

	/* Mounts: read-write and read-only. */
	fd = vr_openat(t, AT_FDCWD, "/mnt/h1/f1", O_WRONLY | O_APPEND | O_CLOEXEC, 0);
	ok(fd >= 0 && write(fd, "+\n", 2) == 2, "write open in a read-write mount works");
	if (fd >= 0)
		close(fd);
	is_str(read_host("h1/f1"), "h1 f1\n+\n", "... and reaches the host dir");
	fd = vr_openat(t, AT_FDCWD, "/mnt/h1/dir1/created", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	               0644);
	ok(fd >= 0 && fx_exists(root, "h1/dir1/created"), "creating in a read-write mount works");
	if (fd >= 0)
		close(fd);
	is_err(vr_openat(t, AT_FDCWD, "/Volumes/SystemRoot/usr/bin/tool", O_WRONLY | O_CLOEXEC, 0),
	       EROFS, "write open in a read-only mount is EROFS");
	is_err(vr_openat(t, AT_FDCWD, "/Volumes/SystemRoot/usr/new", O_WRONLY | O_CREAT | O_CLOEXEC,
	                 0644),
	       EROFS, "creating in a read-only mount is EROFS");
	ok(!fx_exists(root, "h2/usr/new"), "... and creates nothing");
	fd = vr_openat(t, AT_FDCWD, "/Volumes/SystemRoot/usr/bin/tool", O_RDONLY | O_CLOEXEC, 0);
	ok(fd >= 0 && same_as_host(fd, "h2/usr/bin/tool"), "read open in a read-only mount works");
	if (fd >= 0)
		close(fd);
	fd = vr_openat(t, AT_FDCWD, "/Volumes", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	ok(fd >= 0, "opening a synthetic dir works (%s)", err_name(fd < 0 ? fd : 0));
	if (fd >= 0)
		close(fd);
	fd = vr_openat(t, AT_FDCWD, "/Volumes", O_PATH | O_CLOEXEC, 0);
	ok(fd >= 0, "O_PATH of a synthetic dir works (%s)", err_name(fd < 0 ? fd : 0));
	if (fd >= 0)
		close(fd);
}

/* ------------------------------------------------------------ getdents64 */

struct dent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

#define MAX_NAMES 1024

/* A listing in the order it was read. */
struct names {
	size_t n;
	long off[MAX_NAMES];
	unsigned long long ino[MAX_NAMES];
	unsigned char type[MAX_NAMES];
	char name[MAX_NAMES][NAME_MAX + 1];
};

/* read_names() - read @fd to its end (at most @calls calls, 0: no limit). */
static long
read_names(struct vr_task *t, int fd, size_t bufsize, int calls, struct names *out)
{
	char *buf = malloc(bufsize);
	long n = 0;

	out->n = 0;
	if (!buf)
		return -ENOMEM;
	for (int c = 0; calls == 0 || c < calls; c++) {
		n = vr_getdents64(t, fd, buf, bufsize);
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct dent64 *d = (struct dent64 *)(buf + off);

			if (out->n < MAX_NAMES) {
				snprintf(out->name[out->n], NAME_MAX + 1, "%s", d->d_name);
				out->off[out->n] = d->d_off;
				out->ino[out->n] = d->d_ino;
				out->type[out->n] = d->d_type;
				out->n++;
			}
			off += d->d_reclen;
		}
	}
	free(buf);
	return n < 0 ? n : 0;
}

static int
count_name(const struct names *l, const char *name)
{
	int c = 0;

	for (size_t i = 0; i < l->n; i++)
		c += strcmp(l->name[i], name) == 0;
	return c;
}

/*
 * check_set() - @l holds each of @want (NULL-terminated list, then the
 * names of @extra) exactly once, and nothing else.
 */
static int
check_set(const struct names *l, const char *const *want, const struct names *extra,
          const char *todo, const char *what)
{
	size_t nwant = 0;
	int pass = 1;

	for (size_t i = 0; want && want[i]; i++, nwant++) {
		if (count_name(l, want[i]) != 1) {
			diag("  \"%s\" listed %d times", want[i], count_name(l, want[i]));
			pass = 0;
		}
	}
	for (size_t i = 0; extra && i < extra->n; i++, nwant++) {
		if (count_name(l, extra->name[i]) != 1) {
			diag("  \"%s\" listed %d times", extra->name[i],
			     count_name(l, extra->name[i]));
			pass = 0;
		}
	}
	if (l->n != nwant) {
		diag("  %zu names listed, want %zu", l->n, nwant);
		for (size_t i = 0; i < l->n; i++) {
			int known = extra && count_name(extra, l->name[i]);

			for (size_t j = 0; want && want[j] && !known; j++)
				known = strcmp(want[j], l->name[i]) == 0;
			if (!known)
				diag("  unexpected \"%s\"", l->name[i]);
		}
		pass = 0;
	}
	return ok_todo(pass, todo, "getdents64 %s", what);
}

/* host_names() - the names in host dir @rel, whiteouts apart when @wh. */
static int
host_names(const char *rel, struct names *out, struct names *wh)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir;

	out->n = 0;
	if (wh)
		wh->n = 0;
	hostpath(path, rel);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((d = readdir(dir)) && out->n < MAX_NAMES) {
		struct stat st;
		int is_wh = wh && fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		            S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
		struct names *to = is_wh ? wh : out;

		snprintf(to->name[to->n++], NAME_MAX + 1, "%s", d->d_name);
	}
	closedir(dir);
	return 0;
}

/* list_virtual() - open virtual dir @path and read it all. */
static long
list_virtual(struct vr_task *t, const char *path, size_t bufsize, struct names *out)
{
	int fd = vr_openat(t, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	long n;

	out->n = 0;
	if (fd < 0)
		return fd;
	n = read_names(t, fd, bufsize, 0, out);
	close(fd);
	return n;
}

static void
check_listing(struct vr_task *t, const char *path, const char *const *want,
              const struct names *extra, const char *todo)
{
	struct names *l = malloc(sizeof(*l));
	char what[PATH_MAX + 64];
	long n = l ? list_virtual(t, path, 4096, l) : -ENOMEM;

	snprintf(what, sizeof(what), "%s lists each name once", path);
	if (n < 0) {
		ok_todo(0, todo, "getdents64 %s", what);
		diag("  %s", err_name(n));
	} else {
		check_set(l, want, extra, todo, what);
	}
	free(l);
}

/* Root of the main namespace: upper and lower merged, whiteouts out, mount names in. */
static void
check_root_listing(struct vr_task *t)
{
	static const char *const mounts[] = {"Volumes", "host", NULL};
	struct names *u = malloc(sizeof(*u)), *l = malloc(sizeof(*l)), *wh = malloc(sizeof(*wh));

	if (!u || !l || !wh || host_names("upper", u, wh) < 0 || host_names("lower", l, NULL) < 0) {
		ok(0, "getdents64 / (cannot list the host dirs)");
		goto out;
	}
	for (size_t i = 0; i < l->n; i++)
		if (!count_name(u, l->name[i]) && !count_name(wh, l->name[i]) && u->n < MAX_NAMES)
			snprintf(u->name[u->n++], NAME_MAX + 1, "%s", l->name[i]);
	check_listing(t, "/", mounts, u, NULL);
out:
	free(u);
	free(l);
	free(wh);
}

static void
check_host_listing(struct vr_task *t, const char *vpath, const char *rel)
{
	struct names *h = malloc(sizeof(*h));

	if (!h || host_names(rel, h, NULL) < 0)
		ok(0, "getdents64 %s (cannot list %s)", vpath, rel);
	else
		check_listing(t, vpath, NULL, h, NULL);
	free(h);
}

/* same_sequence() - @b is @a from entry @from on; a prefix of it if @prefix. */
static int
same_sequence(const struct names *a, size_t from, const struct names *b, int prefix)
{
	if (a->n < from || a->n - from < b->n || (!prefix && a->n - from != b->n))
		return 0;
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(a->name[from + i], b->name[i]) != 0)
			return 0;
	return 1;
}

/* Huge dir: lower h0000..h0899, upper h0700..h1199, names of 206 bytes. */
#define HUGE_PAD 200

static void
huge_name(char *buf, size_t size, int i)
{
	snprintf(buf, size, "h%04d-%0*d", i, HUGE_PAD, 0);
}

static int
build_huge(void)
{
	char rel[64 + NAME_MAX], name[NAME_MAX + 1];
	int err = 0;

	for (int i = 0; i < 1200 && err == 0; i++) {
		huge_name(name, sizeof(name), i);
		if (i < 900) {
			snprintf(rel, sizeof(rel), "lower/huge/%s", name);
			err = fx_file(root, rel, "");
		}
		snprintf(rel, sizeof(rel), "upper/huge/%s", name);
		if (err == 0 && i >= 700)
			err = fx_file(root, rel, "");
	}
	return err;
}

/*
 * test_huge_dir() - a merged listing larger than the walk's scratch (and
 * than the first hash table): every name once, read in small and large
 * buffers.
 */
static void
test_huge_dir(struct vr_task *t)
{
	static unsigned char seen[1200];
	size_t sizes[] = {4096, 1 << 20};

	for (size_t k = 0; k < 2; k++) {
		char *buf = malloc(sizes[k]);
		int fd = vr_openat(t, AT_FDCWD, "/huge", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		int pass = buf && fd >= 0, dots = 0, total = 0;
		long n;

		memset(seen, 0, sizeof(seen));
		while (pass && (n = vr_getdents64(t, fd, buf, sizes[k])) > 0)
			for (long off = 0; off < n;) {
				struct dent64 *d = (struct dent64 *)(buf + off);
				char want[NAME_MAX + 1];
				int i = atoi(d->d_name + 1);

				off += d->d_reclen;
				total++;
				if (d->d_name[0] == '.') {
					dots++;
					continue;
				}
				huge_name(want, sizeof(want), i);
				if (i < 0 || i >= 1200 || strcmp(d->d_name, want) != 0 || seen[i]++)
					pass = 0;
			}
		for (int i = 0; i < 1200; i++)
			pass = pass && seen[i] == 1;
		ok(pass && dots == 2 && total == 1202,
		   "/huge with a %zu-byte buffer: 1200 names of 206 bytes, each once (%d entries)",
		   sizes[k], total);
		if (fd >= 0)
			close(fd);
		free(buf);
	}
}

/* /big: 300 lower names, 300 upper names, 100 in both, 50 whited out. */
static void
test_big_dir(struct vr_task *t)
{
	struct names *full = malloc(sizeof(*full)), *first = malloc(sizeof(*first));
	struct names *rest = malloc(sizeof(*rest)), *again = malloc(sizeof(*again));
	char name[32];
	size_t want = 2, k;
	int fd, pass = 1;
	long pos;

	fd = vr_openat(t, AT_FDCWD, "/big", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0 || !full || !first || !rest || !again) {
		ok(0, "open /big: %s", err_name(fd));
		goto out;
	}
	is_int(read_names(t, fd, 200, 0, full), 0, "getdents64 /big with a 200-byte buffer");
	for (int i = 0; i < 500; i++) {
		int hidden = have_wh && i < 50;

		snprintf(name, sizeof(name), "f%03d", i);
		if (count_name(full, name) != (hidden ? 0 : 1)) {
			diag("  %s listed %d times", name, count_name(full, name));
			pass = 0;
		}
		want += !hidden;
	}
	ok(pass && full->n == want && count_name(full, ".") == 1 && count_name(full, "..") == 1,
	   "/big: %zu names, each once, whiteouts hidden (got %zu)", want, full->n);
	is_int(vr_getdents64(t, fd, name, sizeof(name)), 0, "getdents64 at the end returns 0");

	lseek(fd, 0, SEEK_SET);
	read_names(t, fd, 256, 1, first);
	pos = lseek(fd, 0, SEEK_CUR);
	read_names(t, fd, 4096, 0, rest);
	ok(first->n > 0 && first->n < full->n && same_sequence(full, 0, first, 1) &&
	           same_sequence(full, first->n, rest, 0),
	   "a partial read and the rest make the whole listing (%zu + %zu)", first->n, rest->n);
	ok(lseek(fd, pos, SEEK_SET) == pos && read_names(t, fd, 4096, 0, again) == 0 &&
	           same_sequence(full, first->n, again, 0),
	   "seeking back to a telldir() value resumes there");
	k = 99;
	ok(lseek(fd, full->off[k], SEEK_SET) == full->off[k] &&
	           read_names(t, fd, 4096, 1, again) == 0 && again->n > 0 &&
	           strcmp(again->name[0], full->name[k + 1]) == 0,
	   "seeking to entry %zu's d_off resumes at entry %zu", k, k + 1);
	ok(lseek(fd, 0, SEEK_SET) == 0 && read_names(t, fd, 1024, 0, again) == 0 &&
	           same_sequence(full, 0, again, 0),
	   "rewinding lists everything again, in the same order");
	is_err(lseek(fd, 0, SEEK_SET) == 0 ? vr_getdents64(t, fd, name, 8) : -EIO, EINVAL,
	       "a buffer too small for one entry is EINVAL");
out:
	if (fd >= 0)
		close(fd);
	free(full);
	free(first);
	free(rest);
	free(again);
}

/*
 * check_entry() - in listing @vdir, @name has the type of host @rel and the
 * inode number stat() shows for it in the namespace (a copied-up file's
 * is its base number).
 */
static void
check_entry(struct vr_task *t, const char *vdir, const char *name, const char *rel)
{
	struct names *l = malloc(sizeof(*l));
	char path[PATH_MAX], vpath[PATH_MAX];
	struct stat st, vst;
	size_t i = 0;
	int pass = 0;

	hostpath(path, rel);
	snprintf(vpath, sizeof(vpath), "%s/%s", strcmp(vdir, "/") ? vdir : "", name);
	if (l && list_virtual(t, vdir, 4096, l) == 0 && lstat(path, &st) == 0 &&
	    vr_fstatat(t, AT_FDCWD, vpath, &vst, AT_SYMLINK_NOFOLLOW) == 0) {
		st.st_ino = vst.st_ino;
		while (i < l->n && strcmp(l->name[i], name) != 0)
			i++;
		pass = i < l->n && l->ino[i] == st.st_ino && l->type[i] == IFTODT(st.st_mode);
		if (!pass && i < l->n)
			diag("  listed ino %llu type %u, %s has ino %lu type %u", l->ino[i],
			     l->type[i], rel, (unsigned long)st.st_ino, IFTODT(st.st_mode));
	}
	ok(pass, "getdents64 %s: \"%s\" is %s's entry", vdir, name, rel);
	free(l);
}

static void
test_getdents(struct vr_task *t)
{
	static const char *const merged[] = {".",    "..",      "up",        "both",
	                                     "dang", "lo",      "lsub",      "both_dir",
	                                     "odir", "newfile", "newtarget", NULL};
	static const char *const merged_nowh[] = {
	        ".",        "..",   "up",      "both",      "dang", "lo", "lsub",
	        "both_dir", "odir", "newfile", "newtarget", "lo2",  NULL};
	static const char *const etc[] = {".", "..", "passwd", "group", "hostname", NULL};
	static const char *const etc_nowh[] = {".",        "..",        "passwd", "group",
	                                       "hostname", "shadow_wh", NULL};
	static const char *const opq[] = {".", "..", "upper_only", "both", NULL};
	static const char *const opq_noxattr[] = {".",          "..",  "upper_only", "both",
	                                          "lower_only", "sub", NULL};
	static const char *const mnt[] = {".", "..", "h1", "h1x", NULL};
	static const char *const volumes[] = {".", "..", "SystemRoot", NULL};
	char buf[512];
	int fd;

	check_listing(t, "/merged", have_wh ? merged : merged_nowh, NULL, NULL);
	check_listing(t, "/etc", have_wh ? etc : etc_nowh, NULL, NULL);
	check_listing(t, "/opq", have_opq ? opq : opq_noxattr, NULL, NULL);
	check_listing(t, "/mnt", mnt, NULL, NULL);
	check_root_listing(t);
	check_host_listing(t, "/mnt/h1", "h1");
	check_host_listing(t, "/mnt/h1/nested", "h3");
	check_host_listing(t, "/Volumes/SystemRoot", "h2");
	check_host_listing(t, "/link_dir", "lower/a/b");
	check_listing(t, "/Volumes", volumes, NULL, NULL);
	check_entry(t, "/", "udir_over_file", "upper/udir_over_file");
	check_entry(t, "/", "ufile_over_dir", "upper/ufile_over_dir");
	check_entry(t, "/", "lnk_over_dir", "upper/lnk_over_dir");
	check_entry(t, "/", "etc", "upper/etc");
	check_entry(t, "/", "file", "upper/file");
	check_entry(t, "/", "abs_etc", "lower/abs_etc");
	check_entry(t, "/merged", "both", "upper/merged/both");
	check_entry(t, "/merged", "lo", "upper/merged/lo");
	check_entry(t, "/merged", "dang", "upper/merged/dang");
	check_entry(t, "/mnt/h1", "f1", "h1/f1");
	test_big_dir(t);
	test_huge_dir(t);

	fd = vr_openat(t, AT_FDCWD, "/file", O_RDONLY | O_CLOEXEC, 0);
	is_err(fd >= 0 ? vr_getdents64(t, fd, buf, sizeof(buf)) : fd, ENOTDIR,
	       "getdents64 on a file is ENOTDIR");
	if (fd >= 0)
		close(fd);
	fd = vr_openat(t, AT_FDCWD, "/etc", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	is_err(fd >= 0 ? vr_getdents64(t, fd, buf, sizeof(buf)) : fd, EBADF,
	       "getdents64 on an O_PATH descriptor is EBADF");
	if (fd >= 0)
		close(fd);
	is_err(vr_getdents64(t, -1, buf, sizeof(buf)), EBADF, "getdents64 on fd -1 is EBADF");
	is_err(vr_getdents64(t, closed_fd, buf, sizeof(buf)), EBADF,
	       "getdents64 on a closed fd is EBADF");
}

/* ---------------------------------------------------------- chdir, getcwd */

static void
expect_cwd(struct vr_task *t, const char *want, const char *what)
{
	char buf[PATH_MAX];
	long n = vr_getcwd(t, buf, sizeof(buf));

	if (n < 0) {
		ok(0, "%s: getcwd %s", what, err_name(n));
		return;
	}
	if (is_str(buf, want, "%s: getcwd", what) && n != (long)strlen(want) + 1)
		diag("  but getcwd returned %ld, want %zu", n, strlen(want) + 1);
}

static void
test_chdir(struct vr_task *t)
{
	char buf[PATH_MAX];
	int fd;

	expect_cwd(t, "/", "a new task");
	is_int(vr_chdir(t, "/a/b/../b/./c"), 0, "chdir /a/b/../b/./c");
	expect_cwd(t, "/a/b/c", "chdir /a/b/../b/./c");
	is_int(vr_getcwd(t, buf, sizeof(buf)), 7, "getcwd returns the length with the NUL");
	is_err(vr_getcwd(t, buf, 6), ERANGE, "getcwd into a buffer one byte short is ERANGE");
	is_int(vr_getcwd(t, buf, 7), 7, "getcwd into an exact buffer");
	is_err(vr_getcwd(t, buf, 0), ERANGE, "getcwd into no buffer is ERANGE");
	is_int(vr_chdir(t, "/"), 0, "chdir /");
	is_int(vr_chdir(t, "link_dir"), 0, "chdir through a relative link");
	expect_cwd(t, "/a/b", "chdir link_dir");
	is_int(vr_chdir(t, ".."), 0, "chdir .. after a link");
	expect_cwd(t, "/a", "chdir .. is physical");
	is_int(vr_chdir(t, "/Volumes/SystemRoot"), 0, "chdir into a mount below a synthetic dir");
	expect_cwd(t, "/Volumes/SystemRoot", "chdir /Volumes/SystemRoot");
	is_int(vr_chdir(t, ".."), 0, "chdir .. at the mount root");
	expect_cwd(t, "/Volumes", "chdir /Volumes/SystemRoot/..");
	is_int(vr_chdir(t, "SystemRoot/usr/bin/../.."), 0, "chdir relative from a synthetic dir");
	expect_cwd(t, "/Volumes/SystemRoot", "chdir relative from a synthetic dir");
	is_int(vr_chdir(t, "/mnt/h1/nested/up"), 0, "chdir through a link to .. in a mount");
	expect_cwd(t, "/mnt/h1", "chdir /mnt/h1/nested/up");
	is_int(vr_chdir(t, "abs_link"), 0, "chdir through an absolute link in a mount");
	expect_cwd(t, "/etc", "chdir abs_link from /mnt/h1");
	is_err(vr_chdir(t, "/file"), ENOTDIR, "chdir to a file is ENOTDIR");
	is_err(vr_chdir(t, "/link_file"), ENOTDIR, "chdir to a link to a file is ENOTDIR");
	is_err(vr_chdir(t, "/missing"), ENOENT, "chdir to a missing name is ENOENT");
	is_err(vr_chdir(t, ""), ENOENT, "chdir \"\" is ENOENT");
	is_err(vr_chdir(t, "/loop1"), ELOOP, "chdir to a loop is ELOOP");
	is_err(vr_chdir(t, "/opq/lower_only/.."), have_opq ? ENOENT : ENOTDIR,
	       "chdir through a name an opaque dir hides");
	expect_cwd(t, "/etc", "failed chdirs leave the cwd");
	fd = vr_openat(t, AT_FDCWD, "/mnt/h1/dir1", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	is_int(fd >= 0 ? vr_fchdir(t, fd) : fd, 0, "fchdir to a dir in a mount");
	expect_cwd(t, "/mnt/h1/dir1", "fchdir");
	if (fd >= 0)
		close(fd);
	fd = vr_openat(t, AT_FDCWD, "/file", O_RDONLY | O_CLOEXEC, 0);
	is_err(fd >= 0 ? vr_fchdir(t, fd) : fd, ENOTDIR, "fchdir to a file is ENOTDIR");
	if (fd >= 0)
		close(fd);
	is_err(vr_fchdir(t, -1), EBADF, "fchdir -1 is EBADF");
	vr_chdir(t, "/");

	is_err(vr_realpath(t, AT_FDCWD, "/a/b/c", 0, buf, 6), ERANGE,
	       "realpath into a buffer one byte short is ERANGE");
	is_int(vr_realpath(t, AT_FDCWD, "/link_dir/c", 0, buf, 7), 6,
	       "realpath into an exact buffer returns the length");
	is_str(buf, "/a/b/c", "... and the path");
	is_err(vr_realpath(t, AT_FDCWD, "/", 0, buf, 1), ERANGE,
	       "realpath of / into 1 byte is ERANGE");
	is_err(vr_realpath(t, AT_FDCWD, "/etc", AT_REMOVEDIR, buf, sizeof(buf)), EINVAL,
	       "realpath with an unknown flag is EINVAL");
	is_err(vr_fstatat(t, AT_FDCWD, "/etc", (struct stat *)buf, AT_REMOVEDIR), EINVAL,
	       "fstatat with an unknown flag is EINVAL");
}

/* --------------------------------------------------------------- main */

static void
test_ns2(void)
{
	static const char *const want[] = {".",    "..", "ufile",   "etc", "top",
	                                   "top2", "pp", "p.workx", NULL};
	struct view vw = {.upper = "ns2/p", .lower = "ns2"};
	struct vr_ns *ns;
	int err = new_ns(&ns, "ns2/p", "ns2/p.work", "ns2", NULL, 0, 0);

	if (err < 0) {
		ok(0, "ns2: vr_ns_new: %s", err_name(err));
		return;
	}
	err = vr_task_new(ns, &vw.t);
	if (err == 0) {
		for (size_t i = 0; i < sizeof(rows_ns2) / sizeof(rows_ns2[0]); i++)
			run_row(&vw, "", &rows_ns2[i]);
		check_listing(vw.t, "/", want, NULL, NULL);
		is_err(vr_openat(vw.t, AT_FDCWD, "/p.work/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0644),
		       ENOENT, "ns2: creating in the work dir is ENOENT");
		is_err(vr_chdir(vw.t, "/p"), ENOENT, "ns2: chdir to the prefix is ENOENT");
		vr_task_free(vw.t);
	}
	vr_ns_free(ns);
}

static void
test_ns3(void)
{
	static const char *const volumes[] = {".", "..", "SystemRoot", NULL};
	static const struct vmount mounts[] = {{"/Volumes/SystemRoot", "h2"}};
	struct view vw = {.lower = "lower", .mounts = mounts, .nmounts = 1};
	struct vr_ns *ns;
	int fd, err = new_ns(&ns, NULL, NULL, "lower", mounts, 1, 0x1);

	if (err < 0) {
		ok(0, "ns3: vr_ns_new: %s", err_name(err));
		return;
	}
	err = vr_task_new(ns, &vw.t);
	if (err == 0) {
		for (size_t i = 0; i < sizeof(rows_ns3) / sizeof(rows_ns3[0]); i++)
			run_row(&vw, "", &rows_ns3[i]);
		fd = vr_openat(vw.t, AT_FDCWD, "/Volumes", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		ok_todo(fd >= 0, SYNTH_TODO, "ns3: opening a synthetic dir works (%s)",
		       err_name(fd < 0 ? fd : 0));
		if (fd >= 0)
			close(fd);
		check_listing(vw.t, "/Volumes", volumes, NULL, SYNTH_TODO);
		is_err(vr_openat(vw.t, AT_FDCWD, "/file", O_WRONLY | O_CLOEXEC, 0), EROFS,
		       "ns3: write open without a prefix is EROFS");
		is_err(vr_openat(vw.t, AT_FDCWD, "/newfile", O_WRONLY | O_CREAT | O_CLOEXEC, 0644),
		       EROFS, "ns3: creating without a prefix is EROFS");
		ok(!fx_exists(root, "lower/newfile"), "ns3: ... and the base is untouched");
		vr_task_free(vw.t);
	}
	vr_ns_free(ns);
}

/* Big dir: lower f000..f299, upper f200..f499, upper whiteouts f000..f049. */
static int
build_big(void)
{
	char rel[64];
	int err = 0;

	for (int i = 0; i < 500 && err == 0; i++) {
		if (i < 300) {
			snprintf(rel, sizeof(rel), "lower/big/f%03d", i);
			err = fx_file(root, rel, "lower\n");
		}
		snprintf(rel, sizeof(rel), "upper/big/f%03d", i);
		if (err == 0 && i >= 200)
			err = fx_file(root, rel, "upper\n");
		if (err == 0 && i < 50 && have_wh && fx_whiteout(root, rel) < 0)
			have_wh = 0;
	}
	return err;
}

int
main(void)
{
	static struct dyn dyn[64];
	const struct row **all;
	struct view vw = {.upper = "upper",
	                  .lower = "lower",
	                  .mounts = main_mounts,
	                  .nmounts = sizeof(main_mounts) / sizeof(main_mounts[0])};
	struct vr_ns *ns = NULL;
	size_t ndyn, nall = 0;
	int err;

	umask(022);
	while (fcntl(closed_fd, F_GETFD) >= 0)
		closed_fd++;
	root = fx_tmpdir("vrwalk");
	if (!root)
		skip_all("cannot create a temp dir: %s", strerror(errno));
	err = build_fixture();
	if (err == 0)
		err = build_big();
	if (err == 0)
		err = build_huge();
	if (err == 0)
		err = new_ns(&ns, "upper", "upper.work", "lower", main_mounts, vw.nmounts,
		             0x2 | 0x8);
	if (err == 0)
		err = vr_task_new(ns, &vw.t);
	if (err < 0) {
		ok(0, "fixture and namespace: %s", strerror(-err));
		goto out;
	}
	if (!have_wh)
		diag("whiteouts cannot be created here: their rows are skipped");
	if (!have_opq)
		diag("user xattrs are not supported here: opaque rows are skipped");

	ndyn = dyn_rows(dyn);
	all = malloc((sizeof(rows) / sizeof(rows[0]) + ndyn) * sizeof(*all));
	if (!all) {
		ok(0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		all[nall++] = &rows[i];
	for (size_t i = 0; i < ndyn; i++)
		all[nall++] = &dyn[i].r;
	for (size_t i = 0; i < nall; i++)
		run_row(&vw, "", all[i]);
	oracle(all, nall);
	free(all);
	for (size_t i = 0; i < ndyn; i++) {
		free(dyn[i].path);
		free(dyn[i].want);
	}

	test_readlink(vw.t);
	test_chdir(vw.t);
	test_open(vw.t);
	test_getdents(vw.t);
	test_ns2();
	test_ns3();
out:
	if (vw.t)
		vr_task_free(vw.t);
	vr_ns_free(ns);
	fx_rmrf(root);
	free(root);
	return done_testing();
}
