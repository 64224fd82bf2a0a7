// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures in the file system calls of rust_ramfs, C ramfs and
 * tmpfs, injected with failslab and fail_page_alloc
 * (Documentation/fault-injection/fault-injection.rst).
 *
 * Each case is one path: create, mkdir, mknod, symlink, link, unlink, rmdir,
 * write, truncate, the renames, O_TMPFILE and linkat, the extended attribute
 * calls, mounting and remounting. It runs
 *
 * - as a sweep, once per fault source: the call under test runs again and
 *   again, with its first, second, third... allocation failing
 *   (/proc/thread-self/fail-nth), until a call makes no allocation that could
 *   fail: then each of its allocations has failed once. The other source is
 *   filtered out by its own attributes (failslab's cache-filter,
 *   fail_page_alloc's min-order), which come before fail-nth;
 *
 * and the "random" case runs FAULT_OPS (default 2000) calls of all these
 * kinds, for RANDOM_BUDGET seconds at most, with names from a small set so
 * that they collide, while failslab and fail_page_alloc fail 5 to 20 percent
 * of the allocations of this task
 * (task-filter and /proc/thread-self/make-it-fail set around each call only).
 * It counts the faults exactly: instead of times=-1, which is never
 * decremented, it gives "times" a budget too large to run out and reads how
 * much of it each call took.
 *
 * After every call made with faults it checks that
 *
 * - it succeeded or failed cleanly: with ENOMEM or ENOSPC, never with an
 *   errno the call does not give without faults;
 * - it was all or nothing: after a failure the file system is exactly as it
 *   was (names, types, modes, link counts, sizes, contents, symlink targets,
 *   extended attributes and ACLs, the block and inode counts of statfs); a
 *   write may be short, a truncate may leave the old or the new size; after a
 *   success it is exactly as after the call without faults;
 * - a walk of the whole mount stats every entry, finds 2 + subdirectories
 *   links on each directory, reads every file fully and every symlink target.
 *
 * After each case it removes everything and checks that statfs shows all
 * blocks and all inodes but the root's free again, unmounts, and checks that
 * the objects of the rust_ramfs inode cache are back to what they were before
 * the mount.
 *
 * Variants: ramfs and rust_ramfs; tmpfs and rust_ramfs with its tmpfs options
 * (size=, nr_inodes=, xattr, acl; both with a default ACL on the root, so
 * every new inode gets ACLs). ramfs and tmpfs are the references: an errno or
 * a non-atomic failure of rust_ramfs that its reference does not show on the
 * same path fails the case; what the references do is only logged.
 *
 * Environment: FAULT_OPS (random calls), FAULT_SEED, FAULT_MAX_K (the most
 * allocations a sweep fails, default 200), FAULT_DRYRUN=1 (run the cases
 * without fault injection, to test the test on a kernel without it).
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64

#include "kselftest_harness.h"

#include <assert.h>
#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <linux/mount.h>

#include "tmpfs_compare.h"

#ifndef BIT
#define BIT(nr)		(1UL << (nr))
#endif

#ifndef fallthrough
#define fallthrough	__attribute__((__fallthrough__))
#endif

#define MOUNT_SOURCE	"fault_test"
#define DEBUGFS		"/sys/kernel/debug"
#define PAT_LEN		(1024 * 1024)	/* bytes of the data pattern */
#define BIG_TIMES	1000000		/* "times" of the random mode: never runs out */
#define MAX_ENTS	128		/* entries a snapshot holds */
#define NAME_LEN	64		/* longest path in a snapshot */
#define MAX_ERRNO	256
/*
 * Inode cache objects allowed to stay: inode_cache is shared with pipes and
 * other pseudo file systems (ramfs's cases see 0 to 2 more after the unmount).
 */
#define SLAB_TOL	8
#define CASE_TIMEOUT	900		/* seconds per case */
/* Seconds the random case makes calls for, leaving room to check and unmount. */
#define RANDOM_BUDGET	(CASE_TIMEOUT - 180)
#define LONG_TARGET	3000		/* a symlink target that needs a page */
#define KEEP_LEN	5000		/* the base tree's file */

/* The two fault sources. */
enum { FAILSLAB, FAIL_PAGE_ALLOC, NR_SRCS };
static const char * const src_names[NR_SRCS] = { "failslab", "fail_page_alloc" };

/* The fault attributes the test changes; the teardown restores them. */
static const struct {
	int src;
	const char *name;
} fattrs[] = {
	{ FAILSLAB, "probability" },
	{ FAILSLAB, "interval" },
	{ FAILSLAB, "times" },
	{ FAILSLAB, "space" },
	{ FAILSLAB, "verbose" },
	{ FAILSLAB, "task-filter" },
	{ FAILSLAB, "ignore-gfp-wait" },
	{ FAILSLAB, "cache-filter" },
	{ FAIL_PAGE_ALLOC, "probability" },
	{ FAIL_PAGE_ALLOC, "interval" },
	{ FAIL_PAGE_ALLOC, "times" },
	{ FAIL_PAGE_ALLOC, "space" },
	{ FAIL_PAGE_ALLOC, "verbose" },
	{ FAIL_PAGE_ALLOC, "task-filter" },
	{ FAIL_PAGE_ALLOC, "ignore-gfp-wait" },
	{ FAIL_PAGE_ALLOC, "ignore-gfp-highmem" },
	{ FAIL_PAGE_ALLOC, "min-order" },
};

#define NR_FATTRS	ARRAY_SIZE(fattrs)

/* The paths of the sweep cases. */
enum {
	P_CREATE, P_MKDIR, P_MKNOD, P_SYMLINK, P_SYMLINK_LONG, P_LINK, P_UNLINK,
	P_RMDIR, P_WRITE_4K, P_WRITE_256K, P_APPEND, P_TRUNC_GROW, P_TRUNC_MID,
	P_TRUNC_ZERO, P_RENAME_NEW, P_RENAME_DIR, P_RENAME_OVER, P_RENAME_OVER_DIR,
	P_RENAME_EXCHANGE, P_RENAME_NOREPLACE, P_RENAME_WHITEOUT, P_TMPFILE,
	P_SETXATTR_USER, P_REMOVEXATTR_USER, P_SETXATTR_TRUSTED,
	P_REMOVEXATTR_TRUSTED, P_MOUNT_FSOPEN, P_MOUNT, P_REMOUNT, NR_PATHS
};

static const char * const path_names[NR_PATHS] = {
	"create", "mkdir", "mknod", "symlink", "symlink_long", "link", "unlink",
	"rmdir", "write_4k", "write_256k", "append", "truncate_grow",
	"truncate_mid", "truncate_zero", "rename_new", "rename_dir",
	"rename_over", "rename_over_dir", "rename_exchange", "rename_noreplace",
	"rename_whiteout", "tmpfile_linkat", "setxattr_user", "removexattr_user",
	"setxattr_trusted", "removexattr_trusted", "mount_fsopen", "mount",
	"remount",
};

/* The calls of the random case. */
enum {
	R_CREATE, R_MKDIR, R_MKNOD, R_SYMLINK, R_LINK, R_UNLINK, R_RMDIR,
	R_WRITE, R_APPEND, R_TRUNCATE, R_RENAME, R_TMPFILE, R_SETXATTR,
	R_REMOVEXATTR, NR_ROPS
};

static const char * const rop_names[NR_ROPS] = {
	"create", "mkdir", "mknod", "symlink", "link", "unlink", "rmdir",
	"write", "append", "truncate", "rename", "tmpfile_linkat", "setxattr",
	"removexattr",
};

/* How often each call is picked. */
static const int rop_weights[NR_ROPS] = { 10, 8, 4, 6, 6, 10, 6, 10, 6, 6, 12, 5, 6, 5 };

/* The names of the random case: they collide. */
static const char * const rnames[] = {
	"f", "g", "a", "b", "a/f", "a/g", "a/b", "b/f", "b/a", "a/b/f",
};

#define NR_RNAMES	ARRAY_SIZE(rnames)

/* Slots of the shared result tables: the paths, then the random calls. */
#define NR_SLOTS	(NR_PATHS + NR_ROPS)
#define NR_VARIANTS	4

/* What a case saw that a file system should not do. */
#define ODD_ERRNO	BIT(0)		/* an errno the call does not give without faults */
#define ODD_ATOMIC	BIT(1)		/* a failed call changed something */
#define ODD_RESULT	BIT(2)		/* a call succeeded, but not as without faults */
#define ODD_NOFAULT	BIT(3)		/* ENOMEM without an injected fault */

static const char * const odd_names[] = {
	"errno", "not all-or-nothing", "wrong result", "ENOMEM without a fault",
};

/*
 * Shared by all the cases (each runs in processes of its own): the saved
 * fault attributes, and what each variant saw on each path, for the
 * comparison of rust_ramfs with its reference.
 */
struct shared {
	bool saved;
	char saved_val[NR_FATTRS][32];
	bool ran[NR_VARIANTS][NR_SLOTS];
	unsigned int errs[NR_VARIANTS][NR_SLOTS][MAX_ERRNO];
	unsigned int odd[NR_VARIANTS][NR_SLOTS];
	unsigned int odd_logged[NR_VARIANTS][NR_SLOTS];
	double seconds[NR_VARIANTS];
};

static struct shared *shared;

static void __attribute__((constructor)) shared_init(void)
{
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		abort();
}

/* A failure of the test itself. */
static void __noreturn die(const char *what)
{
	fprintf(stderr, "# fault_test: %s: %s\n", what, strerror(errno));
	fflush(stderr);
	abort();
}

/* ---- snapshots of a mount --------------------------------------------- */

/* An entry of a snapshot: what must not change, without times and inode numbers. */
struct ent {
	char name[NAME_LEN];
	unsigned int mode;
	unsigned long nlink;
	unsigned int uid, gid;
	long long size, blocks;
	unsigned long long rdev;
	uint64_t data;		/* hash of the contents or of the target */
	uint64_t xattrs;	/* hash of the extended attributes */
};

struct snap {
	int n;
	struct ent e[MAX_ENTS];
	unsigned long long blocks, bfree, bavail, files, ffree;
	char problem[512];	/* the first thing the walk found wrong */
};

static uint64_t fnv(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

#define FNV_INIT	0xcbf29ce484222325ULL

/* The data pattern: byte @o of every file written, never 0 (holes are). */
static unsigned char pat_byte(long long o)
{
	return 1 + (o * 131 + (o >> 9) * 7) % 255;
}

/* A symlink target of @len bytes that says how long it is. */
static void gen_target(char *buf, int len)
{
	int i;

	snprintf(buf, len + 1, "L%04d:", len);
	for (i = 6; i < len; i++)
		buf[i] = 'a' + (i * 7 + len) % 26;
	buf[len] = '\0';
}

static bool target_ok(const char *buf, int len)
{
	char want[4100];
	int n;

	if (len < 6 || len >= (int)sizeof(want) || sscanf(buf, "L%04d:", &n) != 1 || n != len)
		return false;
	gen_target(want, len);
	return !memcmp(buf, want, len);
}

struct walk {
	struct snap *s;
	bool xattrs;		/* hash the extended attributes */
	bool pattern;		/* data is the pattern or holes, targets from gen_target() */
	char *iobuf;
};

#define IOBUF_LEN	(64 << 10)

static void problem(struct snap *s, const char *fmt, ...)
{
	va_list ap;

	if (s->problem[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->problem, sizeof(s->problem), fmt, ap);
	va_end(ap);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* Hash of the extended attributes of @path (relative to the mount, the cwd). */
static uint64_t xattr_hash(struct walk *w, const char *path)
{
	char list[4096], *names[64], *p;
	uint64_t h = FNV_INIT;
	ssize_t len, vlen;
	int n = 0, i;

	len = llistxattr(path, list, sizeof(list));
	if (len < 0) {
		if (errno != EOPNOTSUPP)
			problem(w->s, "llistxattr %s: %s", path, strerror(errno));
		return 0;
	}
	for (p = list; p < list + len && n < 64; p += strlen(p) + 1)
		names[n++] = p;
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		vlen = lgetxattr(path, names[i], w->iobuf, IOBUF_LEN);
		if (vlen < 0) {
			problem(w->s, "%s: llistxattr lists %s, lgetxattr gives %s", path, names[i],
				strerror(errno));
			continue;
		}
		h = fnv(h, names[i], strlen(names[i]) + 1);
		h = fnv(h, &vlen, sizeof(vlen));
		h = fnv(h, w->iobuf, vlen);
	}
	return h;
}

static struct ent *add_ent(struct walk *w, const char *name, const struct stat *st)
{
	struct ent *e;

	if (w->s->n == MAX_ENTS) {
		problem(w->s, "more than %d entries", MAX_ENTS);
		return NULL;
	}
	e = &w->s->e[w->s->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->mode = st->st_mode;
	e->nlink = st->st_nlink;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->size = st->st_size;
	e->blocks = st->st_blocks;
	e->rdev = st->st_rdev;
	return e;
}

/* Reads the regular file @name of @dfd fully into the hash of @e. */
static void read_file(struct walk *w, int dfd, const char *name, const char *path,
		      struct ent *e)
{
	uint64_t h = FNV_INIT;
	long long total = 0;
	struct stat st;
	ssize_t n, i;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		problem(w->s, "open %s: %s", path, strerror(errno));
		return;
	}
	while ((n = read(fd, w->iobuf, IOBUF_LEN)) > 0) {
		if (w->pattern) {
			for (i = 0; i < n; i++) {
				unsigned char c = w->iobuf[i];

				if (c && c != pat_byte(total + i)) {
					problem(w->s,
						"%s: byte %lld is %#x, neither the data written nor 0",
						path, total + i, c);
					break;
				}
			}
		}
		h = fnv(h, w->iobuf, n);
		total += n;
	}
	if (n < 0)
		problem(w->s, "read %s at %lld: %s", path, total, strerror(errno));
	else if (total != e->size)
		problem(w->s, "%s: read %lld bytes, size is %lld", path, total, e->size);
	/* Reading a hole of ramfs adds a page to the page cache: the blocks after reading. */
	if (!fstat(fd, &st))
		e->blocks = st.st_blocks;
	close(fd);
	e->data = h;
}

/* Walks the directory @dfd (@path in the mount); returns its subdirectories. */
static int walk_dir(struct walk *w, int dfd, const char *path, int depth)
{
	char (*names)[NAME_LEN] = NULL, child[NAME_LEN * 2];
	int nnames = 0, subdirs = 0, i, j, fd;
	struct dirent *de;
	struct stat st;
	struct ent *e;
	DIR *d;

	if (depth > 8) {
		problem(w->s, "%s: nested too deep", path);
		return 0;
	}
	fd = dup(dfd);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		problem(w->s, "opendir %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 0;
	}
	/* The dup shares the offset with @dfd. */
	rewinddir(d);
	names = malloc(MAX_ENTS * NAME_LEN);
	if (!names)
		abort();
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (nnames == MAX_ENTS || strlen(de->d_name) >= NAME_LEN) {
			problem(w->s, "%s: too many or too long names", path);
			break;
		}
		for (j = 0; j < nnames; j++)
			if (!strcmp(names[j], de->d_name))
				problem(w->s, "%s: readdir lists %s twice", path, de->d_name);
		snprintf(names[nnames++], NAME_LEN, "%s", de->d_name);
		errno = 0;
	}
	if (errno)
		problem(w->s, "readdir %s: %s", path, strerror(errno));
	closedir(d);

	for (i = 0; i < nnames; i++) {
		if (!strcmp(path, "."))
			snprintf(child, sizeof(child), "%s", names[i]);
		else
			snprintf(child, sizeof(child), "%s/%s", path, names[i]);
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW)) {
			problem(w->s, "stat %s (listed by readdir): %s", child, strerror(errno));
			continue;
		}
		e = add_ent(w, child, &st);
		if (!e)
			break;
		if (S_ISDIR(st.st_mode)) {
			int cfd = openat(dfd, names[i],
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int sub;

			if (cfd < 0) {
				problem(w->s, "open directory %s: %s", child, strerror(errno));
				continue;
			}
			sub = walk_dir(w, cfd, child, depth + 1);
			close(cfd);
			if (st.st_nlink != 2 + (nlink_t)sub)
				problem(w->s, "directory %s has %lu links, 2 + %d subdirectories",
					child, (unsigned long)st.st_nlink, sub);
			subdirs++;
		} else if (S_ISREG(st.st_mode)) {
			read_file(w, dfd, names[i], child, e);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(dfd, names[i], w->iobuf, IOBUF_LEN);

			if (n < 0) {
				problem(w->s, "readlink %s: %s", child, strerror(errno));
			} else {
				if (n != st.st_size)
					problem(w->s, "symlink %s: target of %zd bytes, size %lld",
						child, n, (long long)st.st_size);
				if (w->pattern && !target_ok(w->iobuf, n))
					problem(w->s,
						"symlink %s: target is not one written (%.*s...)",
						child, (int)(n < 40 ? n : 40), w->iobuf);
				e->data = fnv(FNV_INIT, w->iobuf, n);
			}
		}
		if (w->xattrs)
			e->xattrs = xattr_hash(w, child);
	}
	free(names);
	return subdirs;
}

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

/*
 * Takes a snapshot of the mount at @dfd (also the cwd): every entry, with its
 * contents, and statfs.
 */
static void snap_take(struct snap *s, int dfd, bool xattrs, bool pattern, char *iobuf)
{
	struct walk w = { .s = s, .xattrs = xattrs, .pattern = pattern, .iobuf = iobuf };
	struct statfs sf;
	struct stat st;
	struct ent *e;
	int sub;

	s->n = 0;
	s->problem[0] = '\0';
	if (fstat(dfd, &st)) {
		problem(s, "stat of the root: %s", strerror(errno));
		return;
	}
	e = add_ent(&w, ".", &st);
	if (xattrs)
		e->xattrs = xattr_hash(&w, ".");
	sub = walk_dir(&w, dfd, ".", 0);
	if (st.st_nlink != 2 + (nlink_t)sub)
		problem(s, "the root has %lu links, 2 + %d subdirectories",
			(unsigned long)st.st_nlink, sub);
	qsort(s->e, s->n, sizeof(s->e[0]), cmp_ent);
	if (fstatfs(dfd, &sf)) {
		problem(s, "statfs: %s", strerror(errno));
		return;
	}
	s->blocks = sf.f_blocks;
	s->bfree = sf.f_bfree;
	s->bavail = sf.f_bavail;
	s->files = sf.f_files;
	s->ffree = sf.f_ffree;
}

static void ent_str(char *buf, size_t len, const struct ent *e)
{
	snprintf(buf, len,
		 "%s: mode %o nlink %lu uid %u gid %u size %lld blocks %lld rdev %llx data %016llx xattrs %016llx",
		 e->name, e->mode, e->nlink, e->uid, e->gid, e->size, e->blocks, e->rdev,
		 (unsigned long long)e->data, (unsigned long long)e->xattrs);
}

/* What the comparison may leave out. */
#define DIFF_REG_SIZE	BIT(0)		/* size, blocks and data of regular files */
#define DIFF_BFREE	BIT(1)		/* free blocks */

/*
 * Compares @want with @got; describes the first difference in @out, returns
 * whether there is one.
 */
static bool snap_diff(const struct snap *want, const struct snap *got, unsigned int leave,
		      char *out, size_t len)
{
	char a[400], b[400];
	int i = 0, j = 0, c;

	while (i < want->n || j < got->n) {
		c = i == want->n ? 1 : j == got->n ? -1 : strcmp(want->e[i].name, got->e[j].name);
		if (c < 0) {
			ent_str(a, sizeof(a), &want->e[i]);
			snprintf(out, len, "missing: %s", a);
			return true;
		}
		if (c > 0) {
			ent_str(b, sizeof(b), &got->e[j]);
			snprintf(out, len, "unexpected: %s", b);
			return true;
		}
		struct ent x = want->e[i], y = got->e[j];

		if ((leave & DIFF_REG_SIZE) && S_ISREG(x.mode) && S_ISREG(y.mode)) {
			x.size = y.size;
			x.blocks = y.blocks;
			x.data = y.data;
		}
		if (memcmp(&x, &y, sizeof(x))) {
			ent_str(a, sizeof(a), &want->e[i]);
			ent_str(b, sizeof(b), &got->e[j]);
			snprintf(out, len, "expected %s; found %s", a, b);
			return true;
		}
		i++;
		j++;
	}
	if (want->blocks != got->blocks || want->files != got->files ||
	    want->ffree != got->ffree ||
	    (!(leave & DIFF_BFREE) && (want->bfree != got->bfree || want->bavail != got->bavail))) {
		snprintf(out, len,
			 "statfs: expected blocks %llu free %llu avail %llu files %llu free %llu; found %llu %llu %llu %llu %llu",
			 want->blocks, want->bfree, want->bavail, want->files, want->ffree,
			 got->blocks, got->bfree, got->bavail, got->files, got->ffree);
		return true;
	}
	return false;
}

static struct ent *snap_find(struct snap *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->e[i].name, name))
			return &s->e[i];
	return NULL;
}

/* ---- the fixture ------------------------------------------------------ */

FIXTURE(fault) {
	char base[PATH_MAX];	/* scratch directory */
	char mnt[PATH_MAX];	/* the mount under test: the cwd */
	char mp[PATH_MAX];	/* mount point of the mount paths */
	int dfd;		/* root of the mount under test */
	int basefd;
	bool mounted;
	bool inject;		/* fault injection there (not a dry run) */
	bool attrs_changed;
	int nth_fd, mif_fd;
	long slab_base;
	long page_size;
	int max_k;
	unsigned char *pat;	/* PAT_LEN bytes of the data pattern */
	char long_target[LONG_TARGET + 1];
	char *iobuf;
	int fd, fd2;		/* of the call under test */
	struct snap *s_base, *s0, *s1, *s, *exp;
	struct timespec start;
};

FIXTURE_VARIANT(fault) {
	const char *fstype;
	const char *opts;	/* of the mount under test */
	const char *mopts;	/* of the mount paths */
	const char *remount;	/* options of the remount path, and back */
	const char *remount_back;
	bool limited;		/* size= and nr_inodes=: statfs counts */
	bool acl;		/* a default ACL on the root */
	bool xattrs;		/* snapshots hash the extended attributes */
	int idx;		/* in the shared tables */
	int ref;		/* the reference variant, or -1 */
	const char *slab;	/* inode cache whose objects must come back */
	const char *slab_info;	/* inode cache only logged */
};

FIXTURE_VARIANT_ADD(fault, ramfs) {
	.fstype = "ramfs",
	.opts = "mode=0755",
	.mopts = "mode=0750",
	.remount = "mode=0700",
	.remount_back = "mode=0755",
	.idx = 0,
	.ref = -1,
	.slab_info = "inode_cache",
};

FIXTURE_VARIANT_ADD(fault, rust_ramfs) {
	.fstype = "rust_ramfs",
	.opts = "mode=0755",
	.mopts = "mode=0750",
	.remount = "mode=0700",
	.remount_back = "mode=0755",
	.idx = 1,
	.ref = 0,
	.slab = "inode_cache",
};

FIXTURE_VARIANT_ADD(fault, tmpfs) {
	.fstype = "tmpfs",
	.opts = "size=64m,nr_inodes=1000",
	.mopts = "mode=0750,size=64m,nr_inodes=1000",
	.remount = "size=32m,nr_inodes=500",
	.remount_back = "size=64m,nr_inodes=1000",
	.limited = true,
	.acl = true,
	.xattrs = true,
	.idx = 2,
	.ref = -1,
	.slab_info = "shmem_inode_cache",
};

FIXTURE_VARIANT_ADD(fault, rust_ramfs_limited) {
	.fstype = "rust_ramfs",
	.opts = "size=64m,nr_inodes=1000,xattr,acl",
	.mopts = "mode=0750,size=64m,nr_inodes=1000,xattr,acl",
	.remount = "size=32m,nr_inodes=500",
	.remount_back = "size=64m,nr_inodes=1000",
	.limited = true,
	.acl = true,
	.xattrs = true,
	.idx = 3,
	.ref = 2,
	.slab = "inode_cache",
};

/* ---- fault injection control ------------------------------------------- */

static int attr_path(char *buf, int src, const char *name)
{
	return snprintf(buf, PATH_MAX, DEBUGFS "/%s/%s", src_names[src], name);
}

/* Writes @val to the fault attribute @name of @src; 0 or -1. */
static int set_attr(int src, const char *name, const char *val)
{
	char path[PATH_MAX];

	attr_path(path, src, name);
	return write_string(path, val);
}

static int read_attr(int src, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	attr_path(path, src, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void save_attrs(void)
{
	unsigned int i;

	if (shared->saved)
		return;
	for (i = 0; i < NR_FATTRS; i++)
		if (read_attr(fattrs[i].src, fattrs[i].name, shared->saved_val[i],
			      sizeof(shared->saved_val[i])))
			return;
	shared->saved = true;
}

/* Puts back what the first case found; probability first, so nothing fails meanwhile. */
static int restore_attrs(void)
{
	unsigned int i;
	int ret = 0;

	if (!shared->saved)
		return 0;
	set_attr(FAILSLAB, "probability", "0");
	set_attr(FAIL_PAGE_ALLOC, "probability", "0");
	for (i = 0; i < NR_FATTRS; i++)
		if (strcmp(fattrs[i].name, "probability") &&
		    set_attr(fattrs[i].src, fattrs[i].name, shared->saved_val[i]))
			ret = -1;
	for (i = 0; i < NR_FATTRS; i++)
		if (!strcmp(fattrs[i].name, "probability") &&
		    set_attr(fattrs[i].src, fattrs[i].name, shared->saved_val[i]))
			ret = -1;
	return ret;
}

static void set_attrs(struct __test_metadata *_metadata, int src, const char *name,
		      const char *val)
{
	ASSERT_EQ(0, set_attr(src, name, val)) {
		TH_LOG("%s/%s = %s: %s", src_names[src], name, val, strerror(errno));
	}
}

/*
 * No random faults: probability 0 for both sources, no messages, only for
 * this task (make-it-fail), and every allocation a candidate (also those that
 * may sleep, those of highmem and user pages, and those of order 0).
 */
static void faults_off(struct __test_metadata *_metadata, struct _test_data_fault *self)
{
	int s;

	if (!self->inject)
		return;
	self->attrs_changed = true;
	for (s = 0; s < NR_SRCS; s++) {
		set_attrs(_metadata, s, "probability", "0");
		set_attrs(_metadata, s, "interval", "1");
		set_attrs(_metadata, s, "times", "0");
		set_attrs(_metadata, s, "space", "0");
		set_attrs(_metadata, s, "verbose", "0");
		set_attrs(_metadata, s, "task-filter", "Y");
		set_attrs(_metadata, s, "ignore-gfp-wait", "N");
	}
	set_attrs(_metadata, FAILSLAB, "cache-filter", "N");
	set_attrs(_metadata, FAIL_PAGE_ALLOC, "ignore-gfp-highmem", "N");
	set_attrs(_metadata, FAIL_PAGE_ALLOC, "min-order", "0");
}

/*
 * Only @src reaches should_fail_ex() and so fail-nth: failslab's cache-filter
 * (no cache has its failslab flag) or fail_page_alloc's min-order filters the
 * other one out before.
 */
static void sweep_source(struct __test_metadata *_metadata, struct _test_data_fault *self, int src)
{
	if (!self->inject)
		return;
	set_attrs(_metadata, FAILSLAB, "cache-filter", src == FAILSLAB ? "N" : "Y");
	set_attrs(_metadata, FAIL_PAGE_ALLOC, "min-order",
		  src == FAIL_PAGE_ALLOC ? "0" : "4294967295");
}

/* Fails the @k-th allocation from now on of this task. */
static void arm_nth(struct _test_data_fault *self, int k)
{
	char buf[16];
	int n;

	if (!self->inject)
		return;
	n = snprintf(buf, sizeof(buf), "%d", k);
	if (pwrite(self->nth_fd, buf, n, 0) != n)
		die("writing fail-nth");
}

/* Was the fault armed by arm_nth() injected? Disarms it. */
static bool disarm_nth(struct _test_data_fault *self)
{
	char buf[16];
	ssize_t n;

	if (!self->inject)
		return false;
	n = pread(self->nth_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		die("reading fail-nth");
	buf[n] = '\0';
	if (atoi(buf) == 0)
		return true;
	if (pwrite(self->nth_fd, "0", 1, 0) != 1)
		die("clearing fail-nth");
	return false;
}

static void make_it_fail(struct _test_data_fault *self, bool on)
{
	if (self->inject && pwrite(self->mif_fd, on ? "1" : "0", 1, 0) != 1)
		die("writing make-it-fail");
}

static long read_times(struct _test_data_fault *self, int src)
{
	char buf[32];

	if (!self->inject)
		return 0;
	/* Not seekable: opened each time. */
	if (read_attr(src, "times", buf, sizeof(buf)))
		die("reading times");
	return atol(buf);
}

/* Random faults: @percent of the allocations of this task fail, while make-it-fail is set. */
static void random_faults(struct __test_metadata *_metadata, struct _test_data_fault *self,
			  int percent)
{
	char val[16];
	int s;

	if (!self->inject)
		return;
	snprintf(val, sizeof(val), "%d", percent);
	for (s = 0; s < NR_SRCS; s++) {
		set_attrs(_metadata, s, "times", "1000000");
		set_attrs(_metadata, s, "probability", val);
	}
}

/* ---- helpers ----------------------------------------------------------- */

static double elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - start->tv_sec + (now.tv_nsec - start->tv_nsec) / 1e9;
}

static int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
			  unsigned int flags)
{
	return syscall(__NR_move_mount, from_dfd, from, to_dfd, to, flags);
}

/* Creates @name in @dfd with the first @len bytes of the pattern. */
static int make_file(struct _test_data_fault *self, const char *name, size_t len)
{
	int fd = openat(self->dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = len ? write(fd, self->pat, len) : 0;
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Removes @name of @dfd, with everything below it. */
static int remove_tree(int dfd, const char *name)
{
	struct dirent *de;
	struct stat st;
	int fd, ret = 0;
	DIR *d;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    remove_tree(dirfd(d), de->d_name))
			ret = -1;
	closedir(d);
	return unlinkat(dfd, name, AT_REMOVEDIR) ? -1 : ret;
}

/* Removes everything in the directory @dfd but the names in @keep (NULL-terminated). */
static int clear_dir(int dfd, const char * const *keep)
{
	char names[MAX_ENTS][NAME_MAX + 1];
	int n = 0, i, fd, ret = 0;
	const char * const *k;
	struct dirent *de;
	DIR *d;

	fd = dup(dfd);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d)
		return -1;
	rewinddir(d);
	while ((de = readdir(d)) && n < MAX_ENTS) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		for (k = keep; k && *k; k++)
			if (!strcmp(*k, de->d_name))
				break;
		if (k && *k)
			continue;
		snprintf(names[n++], sizeof(names[0]), "%s", de->d_name);
	}
	closedir(d);
	for (i = 0; i < n; i++)
		if (remove_tree(dfd, names[i]))
			ret = -1;
	return ret;
}

/* Active objects of the slab cache @name, after flushing what it can; -1 if there is none. */
static long slab_active_flushed(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", name);
	write_string(path, "1");
	return slab_active(name);
}

/*
 * The default ACL of the root of the acl variants: with a named user, so every
 * new inode gets an ACL.
 */
static int set_default_acl(void)
{
	struct {
		uint32_t version;
		struct {
			uint16_t tag, perm;
			uint32_t id;
		} e[5];
	} acl = {
		htole32(2), {
			{ htole16(0x01), htole16(7), htole32(-1) },	/* ACL_USER_OBJ */
			{ htole16(0x02), htole16(5), htole32(1000) },	/* ACL_USER */
			{ htole16(0x04), htole16(5), htole32(-1) },	/* ACL_GROUP_OBJ */
			{ htole16(0x10), htole16(7), htole32(-1) },	/* ACL_MASK */
			{ htole16(0x20), htole16(5), htole32(-1) },	/* ACL_OTHER */
		}
	};

	/* The xattr format, without padding (as struct posix_acl_xattr_entry). */
	static_assert(sizeof(acl) == 4 + 5 * 8, "the ACL has padding");

	return setxattr(".", "system.posix_acl_default", &acl, sizeof(acl), 0);
}

/* Reads every extended attribute llistxattr() lists on @path; how many could not be read. */
static int read_xattrs(const char *path, bool verbose)
{
	char list[4096], val[4096], *p;
	ssize_t len;
	int bad = 0;

	len = llistxattr(path, list, sizeof(list));
	for (p = list; len > 0 && p < list + len; p += strlen(p) + 1) {
		if (lgetxattr(path, p, val, sizeof(val)) >= 0)
			continue;
		if (verbose)
			ksft_print_msg("%s: llistxattr lists %s, lgetxattr gives %s\n", path,
				       p, strerror(errno));
		bad++;
	}
	return bad;
}

static const char * const base_names[] = { "keep", "dir", NULL };
static const char * const base_dir_names[] = { "inner", NULL };

/* The base tree of every case: a file, a directory with a file, and the root's ACL. */
static int make_base(struct _test_data_fault *self)
{
	if (make_file(self, "keep", KEEP_LEN) || mkdirat(self->dfd, "dir", 0755) ||
	    make_file(self, "dir/inner", 10))
		return -1;
	return 0;
}

static void take(struct _test_data_fault *self, const struct _fixture_variant_fault *variant,
		 struct snap *s, bool pattern)
{
	snap_take(s, self->dfd, variant->xattrs, pattern, self->iobuf);
}

FIXTURE_SETUP(fault)
{
	const char *env;
	int s, ret;

	self->dfd = -1;
	self->basefd = -1;
	self->nth_fd = -1;
	self->mif_fd = -1;
	self->fd = -1;
	self->fd2 = -1;
	self->base[0] = '\0';
	self->slab_base = -1;
	self->page_size = sysconf(_SC_PAGESIZE);
	clock_gettime(CLOCK_MONOTONIC, &self->start);
	env = getenv("FAULT_MAX_K");
	self->max_k = env ? atoi(env) : 200;
	umask(0);

	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (!fs_available(variant->fstype))
		SKIP(return, "file system type %s not available", variant->fstype);

	/* Anything mounted from now on disappears with this process. */
	ret = unshare(CLONE_NEWNS) ? -1 : mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	ASSERT_EQ(0, ret);

	/* The fault attributes, in debugfs, mounted here if it is not. */
	self->inject = true;
	if (access(DEBUGFS "/failslab/times", W_OK))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	if (access(DEBUGFS "/failslab/times", W_OK) ||
	    access(DEBUGFS "/fail_page_alloc/min-order", W_OK) ||
	    access(DEBUGFS "/failslab/cache-filter", W_OK) ||
	    access("/proc/thread-self/fail-nth", W_OK) ||
	    access("/proc/thread-self/make-it-fail", W_OK)) {
		env = getenv("FAULT_DRYRUN");
		if (!env || strcmp(env, "1"))
			SKIP(return,
			     "no failslab and fail_page_alloc in debugfs, or no fail-nth (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS)");
		self->inject = false;
		TH_LOG("FAULT_DRYRUN=1: no fault injection, every call runs once");
	}
	if (self->inject) {
		save_attrs();
		ASSERT_TRUE(shared->saved);
		self->nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, self->nth_fd);
		self->mif_fd = open("/proc/thread-self/make-it-fail", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, self->mif_fd);
		make_it_fail(self, false);
	}

	self->pat = malloc(PAT_LEN);
	self->iobuf = malloc(IOBUF_LEN);
	self->s_base = malloc(sizeof(struct snap));
	self->s0 = malloc(sizeof(struct snap));
	self->s1 = malloc(sizeof(struct snap));
	self->s = malloc(sizeof(struct snap));
	self->exp = malloc(sizeof(struct snap));
	ASSERT_TRUE(self->pat && self->iobuf && self->s_base && self->s0 && self->s1 &&
		    self->s && self->exp);
	for (s = 0; s < PAT_LEN; s++)
		self->pat[s] = pat_byte(s);
	for (s = 0; s < LONG_TARGET; s++)
		self->long_target[s] = 'a' + s % 26;
	self->long_target[LONG_TARGET] = '\0';
	memset(self->iobuf, 0, IOBUF_LEN);
	/*
	 * No page fault of ours may take an allocation of the call under test
	 * (or fail with it): everything mapped is mapped and stays so.
	 */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		TH_LOG("mlockall: %s", strerror(errno));

	snprintf(self->base, sizeof(self->base), "/tmp/fault_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->base));
	path_join(self->mnt, self->base, "fs");
	path_join(self->mp, self->base, "m");
	ASSERT_EQ(0, mkdir(self->mnt, 0755));
	ASSERT_EQ(0, mkdir(self->mp, 0755));
	self->basefd = open(self->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->basefd);

	if (variant->slab) {
		self->slab_base = slab_active_flushed(variant->slab);
		ASSERT_LE(0, self->slab_base) {
			TH_LOG("no slab cache %s in /proc/slabinfo", variant->slab);
		}
	} else if (variant->slab_info) {
		self->slab_base = slab_active_flushed(variant->slab_info);
	}

	ret = mount(MOUNT_SOURCE, self->mnt, variant->fstype, 0, variant->opts);
	ASSERT_EQ(0, ret) {
		TH_LOG("mount -t %s -o %s: %s", variant->fstype, variant->opts, strerror(errno));
	}
	self->mounted = true;
	self->dfd = open(self->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->dfd);
	/* Relative paths (truncate(2), the xattr calls) start at the mount. */
	ASSERT_EQ(0, chdir(self->mnt));
	if (variant->acl) {
		ASSERT_EQ(0, set_default_acl()) {
			TH_LOG("setting the default ACL of the root: %s", strerror(errno));
		}
		/*
		 * rust_ramfs lists ACLs on a new root until they are read
		 * (the xattr_listing case): read them, or the first snapshot
		 * would differ from the next ones.
		 */
		read_xattrs(".", false);
	}
	ASSERT_EQ(0, make_base(self));
	/* Last: a failed setup has no teardown to restore the attributes. */
	faults_off(_metadata, self);
}

/* The teardown's report on the inode cache. */
#define SLAB_COUNTS	"%s: %ld active objects before the mount, %ld after the unmount"

FIXTURE_TEARDOWN(fault)
{
	struct timespec t;
	long after = -1;
	int i;

	if (self->inject) {
		if (self->nth_fd >= 0)
			pwrite(self->nth_fd, "0", 1, 0);
		if (self->mif_fd >= 0)
			make_it_fail(self, false);
		if (self->attrs_changed)
			EXPECT_EQ(0, restore_attrs());
	}
	if (self->dfd >= 0) {
		chdir("/");
		close(self->dfd);
	}
	if (self->mounted) {
		umount2(self->mp, MNT_DETACH);
		EXPECT_EQ(0, umount(self->mnt)) {
			TH_LOG("unmounting %s: %s", self->mnt, strerror(errno));
			umount2(self->mnt, MNT_DETACH);
		}
	}
	/* The inode cache, after the RCU-deferred frees (seconds under TCG). */
	if (self->slab_base >= 0) {
		const char *cache = variant->slab ? variant->slab : variant->slab_info;

		for (i = 0; i < 50; i++) {
			after = slab_active_flushed(cache);
			if (after <= self->slab_base + SLAB_TOL)
				break;
			t.tv_sec = 0;
			t.tv_nsec = 100 * 1000 * 1000;
			nanosleep(&t, NULL);
		}
		if (variant->slab) {
			EXPECT_GE(self->slab_base + SLAB_TOL, after) {
				TH_LOG(SLAB_COUNTS, cache, self->slab_base, after);
			}
		} else {
			ksft_print_msg(SLAB_COUNTS " (not checked)\n", cache, self->slab_base,
				       after);
		}
	}
	if (self->base[0]) {
		rmdir(self->mp);
		rmdir(self->mnt);
		rmdir(self->base);
	}
	if (self->basefd >= 0)
		close(self->basefd);
	free(self->pat);
	free(self->iobuf);
	free(self->s_base);
	free(self->s0);
	free(self->s1);
	free(self->s);
	free(self->exp);
}

/* ---- reporting --------------------------------------------------------- */

struct tally {
	int faults[NR_SRCS];	/* faults injected */
	int calls;		/* calls made (random case) */
	int absorbed;		/* calls that succeeded although a fault was injected */
	int short_writes;
	int capped;		/* sweeps stopped by FAULT_MAX_K */
	unsigned int errs[MAX_ERRNO];
	unsigned int natural[MAX_ERRNO];	/* errors the call also gives without faults */
};

static void errno_list(char *buf, size_t len, const unsigned int *errs)
{
	size_t off = 0;
	int e;

	buf[0] = '\0';
	for (e = 1; e < MAX_ERRNO; e++)
		if (errs[e] && off < len)
			off += snprintf(buf + off, len - off, " %s %u", strerrorname_np(e) ?: "?",
					errs[e]);
	if (!off)
		snprintf(buf, len, " none");
}

static void print_tally(const char *what, const struct tally *t, double secs)
{
	char errs[512], faults[96], calls[32] = "", shorts[32] = "", time[32] = "";

	errno_list(errs, sizeof(errs), t->errs);
	snprintf(faults, sizeof(faults), "%d faults injected (failslab %d, fail_page_alloc %d)",
		 t->faults[FAILSLAB] + t->faults[FAIL_PAGE_ALLOC], t->faults[FAILSLAB],
		 t->faults[FAIL_PAGE_ALLOC]);
	if (t->calls)
		snprintf(calls, sizeof(calls), "%d calls, ", t->calls);
	if (t->short_writes)
		snprintf(shorts, sizeof(shorts), ", short writes %d", t->short_writes);
	if (secs >= 0)
		snprintf(time, sizeof(time), ", %.1f s", secs);
	ksft_print_msg("%s: %s%s, errors%s, absorbed %d%s%s\n", what, calls, faults, errs,
		       t->absorbed, shorts, time);
	if (t->calls) {
		errno_list(errs, sizeof(errs), t->natural);
		ksft_print_msg("%s: errors also without faults (names colliding):%s\n", what, errs);
	}
	if (t->capped)
		ksft_print_msg("%s: %d sweeps stopped at FAULT_MAX_K with faults still taken\n",
			       what, t->capped);
}

/* Something a file system should not do: logged, recorded for the comparison. */
static void odd(const struct _fixture_variant_fault *variant, int slot, unsigned int kind,
		const char *fmt, ...)
{
	char msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (shared->odd_logged[variant->idx][slot]++ < 10)
		ksft_print_msg("%s%s %s: %s: %s\n", variant->ref < 0 ? "REFERENCE " : "",
			       variant->fstype, slot < NR_PATHS ? path_names[slot] :
			       rop_names[slot - NR_PATHS], odd_names[__builtin_ctz(kind)], msg);
	shared->odd[variant->idx][slot] |= kind;
}

static bool clean_errno(int e)
{
	return e == ENOMEM || e == ENOSPC;
}

/*
 * The comparison with the reference: rust_ramfs may give ENOMEM, ENOSPC and
 * what the reference gives on the same path, and may be odd only where the
 * reference is odd in the same way.
 */
static void compare_ref(struct __test_metadata *_metadata,
			const struct _fixture_variant_fault *variant,
			int slot)
{
	const char *name = slot < NR_PATHS ? path_names[slot] : rop_names[slot - NR_PATHS];
	unsigned int *mine = shared->errs[variant->idx][slot], odd_mine, odd_ref;
	char a[512], b[512];
	int e, ref = variant->ref;

	shared->ran[variant->idx][slot] = true;
	errno_list(a, sizeof(a), mine);
	odd_mine = shared->odd[variant->idx][slot];
	if (ref < 0) {
		if (odd_mine)
			ksft_print_msg("REFERENCE %s %s: odd (%#x), only logged\n", variant->fstype,
				       name, odd_mine);
		return;
	}
	if (!shared->ran[ref][slot]) {
		ksft_print_msg("%s: no reference run to compare with: %s errors%s\n", name,
			       variant->fstype, a);
		ref = -1;
	} else {
		errno_list(b, sizeof(b), shared->errs[ref][slot]);
		ksft_print_msg("%s: errors with faults: %s%s, reference%s\n", name, variant->fstype,
			       a, b);
	}
	for (e = 1; e < MAX_ERRNO; e++) {
		if (!mine[e] || clean_errno(e) || (ref >= 0 && shared->errs[ref][slot][e]))
			continue;
		EXPECT_EQ(0, mine[e]) {
			TH_LOG("%s: %s gives %s with faults %u times; the reference does not",
			       name, variant->fstype, strerrorname_np(e) ?: "?", mine[e]);
		}
	}
	odd_ref = ref >= 0 ? shared->odd[ref][slot] : 0;
	EXPECT_EQ(0, odd_mine & ~odd_ref & ~ODD_ERRNO) {
		TH_LOG("%s: %s is odd under faults (%#x), the reference (%#x) is not; see above",
		       name, variant->fstype, odd_mine, odd_ref);
	}
}

/*
 * Removes everything and checks that statfs counts all blocks and all inodes
 * but the root's free again.
 */
static void finish_fs(struct __test_metadata *_metadata, struct _test_data_fault *self,
		      const struct _fixture_variant_fault *variant)
{
	struct statfs sf;

	EXPECT_EQ(0, clear_dir(self->dfd, NULL));
	take(self, variant, self->s, false);
	EXPECT_STREQ("", self->s->problem);
	EXPECT_EQ(1, self->s->n) {
		TH_LOG("entries left after removing everything: %d", self->s->n - 1);
	}
	EXPECT_EQ(2, self->s->e[0].nlink);
	ASSERT_EQ(0, fstatfs(self->dfd, &sf));
	if (variant->limited) {
#ifdef FAULT_SELFCHECK
		sf.f_bfree++;
		sf.f_ffree--;
#endif
		EXPECT_EQ(sf.f_blocks, sf.f_bfree) {
			TH_LOG("blocks %llu free %llu: %llu in use with nothing in the file system",
			       (unsigned long long)sf.f_blocks, (unsigned long long)sf.f_bfree,
			       (unsigned long long)(sf.f_blocks - sf.f_bfree));
		}
		EXPECT_EQ(sf.f_bfree, sf.f_bavail);
		EXPECT_EQ(sf.f_files - 1, sf.f_ffree) {
			TH_LOG("inodes %llu free %llu: only the root should be in use",
			       (unsigned long long)sf.f_files, (unsigned long long)sf.f_ffree);
		}
	}
	shared->seconds[variant->idx] += elapsed(&self->start);
	ksft_print_msg("%s: %.1f s in the cases so far\n", variant->fstype,
		       shared->seconds[variant->idx]);
}

/* ---- the sweep --------------------------------------------------------- */

static bool is_write(int id)
{
	return id == P_WRITE_4K || id == P_WRITE_256K || id == P_APPEND;
}

static bool is_truncate(int id)
{
	return id == P_TRUNC_GROW || id == P_TRUNC_MID || id == P_TRUNC_ZERO;
}

static bool is_mount(int id)
{
	return id == P_MOUNT_FSOPEN || id == P_MOUNT;
}

/* Bytes written by the write paths, the file and its size before. */
static void write_params(int id, size_t *len, const char **file, size_t *old)
{
	*file = id == P_APPEND ? "afile" : "wfile";
	*old = id == P_APPEND ? KEEP_LEN : 0;
	*len = id == P_WRITE_4K ? 4096 : id == P_WRITE_256K ? 256 << 10 : 6000;
}

static const char *xattr_name(int id)
{
	return id == P_SETXATTR_USER || id == P_REMOVEXATTR_USER ? "user.fault" : "trusted.fault";
}

/* Brings the tree into the state the call under test starts from (without faults). */
static int path_setup(struct _test_data_fault *self, const struct _fixture_variant_fault *variant,
		      int id)
{
	int dfd = self->dfd;

	switch (id) {
	case P_UNLINK:
		return make_file(self, "victim", 100);
	case P_RMDIR:
		return mkdirat(dfd, "victimdir", 0755);
	case P_WRITE_4K:
	case P_WRITE_256K:
		self->fd = openat(dfd, "wfile", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		return self->fd < 0 ? -1 : 0;
	case P_APPEND:
		if (make_file(self, "afile", KEEP_LEN))
			return -1;
		self->fd = openat(dfd, "afile", O_WRONLY | O_APPEND | O_CLOEXEC);
		return self->fd < 0 ? -1 : 0;
	case P_TRUNC_GROW:
		return make_file(self, "tfile", KEEP_LEN);
	case P_TRUNC_MID:
	case P_TRUNC_ZERO:
		return make_file(self, "tfile", 3 * self->page_size + 100);
	case P_RENAME_NEW:
	case P_RENAME_NOREPLACE:
	case P_RENAME_WHITEOUT:
		return make_file(self, "src", 100);
	case P_RENAME_DIR:
		/* A directory with a file moves to another directory. */
		if (mkdirat(dfd, "ra", 0755) || mkdirat(dfd, "rb", 0755) ||
		    mkdirat(dfd, "ra/c", 0755))
			return -1;
		return make_file(self, "ra/c/f", 50);
	case P_RENAME_OVER:
		return make_file(self, "src", 100) || make_file(self, "dst", 300) ? -1 : 0;
	case P_RENAME_OVER_DIR:
		if (mkdirat(dfd, "sdir", 0755) || mkdirat(dfd, "ddir", 0755))
			return -1;
		return make_file(self, "sdir/f", 20);
	case P_RENAME_EXCHANGE:
		/* A file in the root and a directory in "dir" trade places. */
		if (make_file(self, "src", 100) || mkdirat(dfd, "dir/xdir", 0755))
			return -1;
		return make_file(self, "dir/xdir/f", 30);
	case P_SETXATTR_USER:
	case P_SETXATTR_TRUSTED:
		return make_file(self, "xf", 10);
	case P_REMOVEXATTR_USER:
	case P_REMOVEXATTR_TRUSTED:
		if (make_file(self, "xf", 10))
			return -1;
		return setxattr("xf", xattr_name(id), self->pat, 100, 0);
	default:
		return 0;
	}
}

/* Mounts with fsopen(), fsconfig() with each option, fsmount() and move_mount(). */
static long fsopen_mount(struct _test_data_fault *self,
			 const struct _fixture_variant_fault *variant)
{
	char opts[256], *opt, *save, *val;

	self->fd = sys_fsopen(variant->fstype, FSOPEN_CLOEXEC);
	if (self->fd < 0)
		return -1;
	snprintf(opts, sizeof(opts), "%s", variant->mopts);
	for (opt = strtok_r(opts, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		val = strchr(opt, '=');
		if (val)
			*val++ = '\0';
		if (sys_fsconfig(self->fd, val ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, opt,
				 val, 0))
			return -1;
	}
	if (sys_fsconfig(self->fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		return -1;
	self->fd2 = sys_fsmount(self->fd, FSMOUNT_CLOEXEC, 0);
	if (self->fd2 < 0)
		return -1;
	return sys_move_mount(self->fd2, "", self->basefd, "m", MOVE_MOUNT_F_EMPTY_PATH);
}

/* The call (or calls) under test. */
static long path_op(struct _test_data_fault *self, const struct _fixture_variant_fault *variant,
		    int id)
{
	int dfd = self->dfd, fd;
	size_t len, old;
	const char *file;

	switch (id) {
	case P_CREATE:
		return self->fd = openat(dfd, "new", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	case P_MKDIR:
		return mkdirat(dfd, "newdir", 0755);
	case P_MKNOD:
		return mknodat(dfd, "fifo", S_IFIFO | 0644, 0);
	case P_SYMLINK:
		return symlinkat("keep", dfd, "sl");
	case P_SYMLINK_LONG:
		return symlinkat(self->long_target, dfd, "sl");
	case P_LINK:
		return linkat(dfd, "keep", dfd, "hl", 0);
	case P_UNLINK:
		return unlinkat(dfd, "victim", 0);
	case P_RMDIR:
		return unlinkat(dfd, "victimdir", AT_REMOVEDIR);
	case P_WRITE_4K:
	case P_WRITE_256K:
	case P_APPEND:
		write_params(id, &len, &file, &old);
		return write(self->fd, self->pat + old, len);
	case P_TRUNC_GROW:
		return truncate("tfile", 3 * self->page_size + 100);
	case P_TRUNC_MID:
		return truncate("tfile", self->page_size + self->page_size / 2);
	case P_TRUNC_ZERO:
		return truncate("tfile", 0);
	case P_RENAME_NEW:
		return renameat2(dfd, "src", dfd, "dst", 0);
	case P_RENAME_DIR:
		return renameat2(dfd, "ra/c", dfd, "rb/c", 0);
	case P_RENAME_OVER:
		return renameat2(dfd, "src", dfd, "dst", 0);
	case P_RENAME_OVER_DIR:
		return renameat2(dfd, "sdir", dfd, "ddir", 0);
	case P_RENAME_EXCHANGE:
		return renameat2(dfd, "src", dfd, "dir/xdir", RENAME_EXCHANGE);
	case P_RENAME_NOREPLACE:
		return renameat2(dfd, "src", dfd, "dst", RENAME_NOREPLACE);
	case P_RENAME_WHITEOUT:
		return renameat2(dfd, "src", dfd, "dst", RENAME_WHITEOUT);
	case P_TMPFILE:
		fd = openat(dfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		self->fd = fd;
		return linkat(fd, "", dfd, "tmpnamed", AT_EMPTY_PATH);
	case P_SETXATTR_USER:
	case P_SETXATTR_TRUSTED:
		return setxattr("xf", xattr_name(id), self->pat, 100, 0);
	case P_REMOVEXATTR_USER:
	case P_REMOVEXATTR_TRUSTED:
		return removexattr("xf", xattr_name(id));
	case P_MOUNT_FSOPEN:
		return fsopen_mount(self, variant);
	case P_MOUNT:
		return mount(MOUNT_SOURCE, self->mp, variant->fstype, 0, variant->mopts);
	case P_REMOUNT:
		return mount(NULL, ".", NULL, MS_REMOUNT, variant->remount);
	}
	return -1;
}

/*
 * After the call, without faults: checks what the snapshot of the mount does
 * not show (another mount, for the mount paths) into @why, closes the files
 * and unmounts what the call mounted.
 */
static void path_post(struct _test_data_fault *self, const struct _fixture_variant_fault *variant,
		      int id, long ret, char *why, size_t len)
{
	struct stat st, bst;
	struct statfs sf;
	bool mounted;

	why[0] = '\0';
	if (is_mount(id)) {
		if (stat(self->mp, &st) || fstat(self->basefd, &bst)) {
			snprintf(why, len, "stat of the mount point: %s", strerror(errno));
			return;
		}
		mounted = st.st_dev != bst.st_dev;
		if (ret == 0 && !mounted)
			snprintf(why, len, "the call succeeded, but nothing is mounted");
		else if (ret < 0 && mounted)
			snprintf(why, len, "the call failed, but something is mounted");
		else if (mounted && (st.st_mode & 07777) != 0750)
			snprintf(why, len, "the new mount's root has mode %o, not 0750 (mode=)",
				 st.st_mode & 07777);
		else if (mounted && variant->limited &&
			 (statfs(self->mp, &sf) || sf.f_blocks != (64 << 20) / self->page_size ||
			  sf.f_files != 1000))
			snprintf(why, len,
				 "the new mount has %llu blocks and %llu inodes, not size=64m,nr_inodes=1000",
				 (unsigned long long)sf.f_blocks, (unsigned long long)sf.f_files);
		/* The fsmount() file keeps the mount busy. */
		if (self->fd2 >= 0)
			close(self->fd2);
		self->fd2 = -1;
		if (mounted && umount(self->mp) && !why[0])
			snprintf(why, len, "unmounting the new mount: %s", strerror(errno));
	}
	if (self->fd2 >= 0)
		close(self->fd2);
	if (self->fd >= 0)
		close(self->fd);
	self->fd = -1;
	self->fd2 = -1;
}

/* Back to the base tree, without faults. */
static int path_cleanup(struct _test_data_fault *self, const struct _fixture_variant_fault *variant,
			int id)
{
	int dfd, ret;

	if (id == P_REMOUNT && mount(NULL, ".", NULL, MS_REMOUNT, variant->remount_back))
		return -1;
	ret = clear_dir(self->dfd, base_names);
	dfd = openat(self->dfd, "dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	if (clear_dir(dfd, base_dir_names))
		ret = -1;
	close(dfd);
	return ret;
}

static bool unsupported(int e)
{
	return e == EOPNOTSUPP || e == EINVAL || e == EPERM;
}

/* @s0 with a write of @n bytes by the write path @id. */
static int expect_write(struct _test_data_fault *self, int id, long n)
{
	long long size, pages, old_pages;
	size_t len, old;
	const char *file;
	struct ent *e;

	write_params(id, &len, &file, &old);
	*self->exp = *self->s0;
	e = snap_find(self->exp, file);
	if (!e)
		return -1;
	size = old + (n > 0 ? n : 0);
	pages = (size + self->page_size - 1) / self->page_size;
	old_pages = (e->size + self->page_size - 1) / self->page_size;
	e->size = size;
	e->blocks = pages * (self->page_size / 512);
	e->data = fnv(FNV_INIT, self->pat, size);
	if (self->exp->blocks) {
		self->exp->bfree -= pages - old_pages;
		self->exp->bavail -= pages - old_pages;
	}
	return 0;
}

/* Checks the state after the call under test, made with the @k-th allocation of @src failing. */
static void check_step(struct __test_metadata *_metadata, struct _test_data_fault *self,
		       const struct _fixture_variant_fault *variant, int id, int src, int k,
		       bool consumed, long ret, int err, const char *why, struct tally *t)
{
	const char *name = path_names[id];
	char diff[1200];
	size_t len, old;
	const char *file;
	bool bad;

	EXPECT_STREQ("", self->s->problem) {
		TH_LOG("%s, %s fault %d: the walk found: %s", name, src_names[src], k,
		       self->s->problem);
	}
	EXPECT_STREQ("", why) {
		TH_LOG("%s, %s fault %d: %s", name, src_names[src], k, why);
	}
	if (!consumed) {
		/* The call ran without a fault: exactly as the first time. */
		if (is_write(id)) {
			write_params(id, &len, &file, &old);
			EXPECT_EQ((long)len, ret);
		} else {
			EXPECT_EQ(0, ret < 0 ? err : 0) {
				TH_LOG("%s without a fault (%s, after %d): %s", name,
				       src_names[src], k - 1, strerror(err));
			}
		}
		bad = snap_diff(self->s1, self->s, 0, diff, sizeof(diff));
		EXPECT_FALSE(bad) {
			TH_LOG("%s without a fault (%s, after %d): not as the first time: %s",
			       name, src_names[src], k - 1, diff);
		}
		return;
	}
	t->faults[src]++;
	if (ret < 0) {
		t->errs[err < MAX_ERRNO ? err : 0]++;
		shared->errs[variant->idx][id][err < MAX_ERRNO ? err : 0]++;
		if (!clean_errno(err))
			odd(variant, id, ODD_ERRNO, "%s fault %d: %s", src_names[src], k,
			    strerrorname_np(err) ?: "?");
		/* Nothing happened; a failed truncate may have changed the size. */
#ifdef FAULT_SELFCHECK
		bad = snap_diff(self->s1, self->s, 0, diff, sizeof(diff));
#else
		bad = snap_diff(self->s0, self->s, 0, diff, sizeof(diff));
#endif
		if (bad && is_truncate(id))
			bad = snap_diff(self->s1, self->s, 0, diff, sizeof(diff));
		if (bad)
			odd(variant, id, ODD_ATOMIC, "%s fault %d, failed with %s: %s",
			    src_names[src], k, strerrorname_np(err) ?: "?", diff);
		return;
	}
	t->absorbed++;
	if (is_write(id)) {
		write_params(id, &len, &file, &old);
		if (ret > (long)len || ret == 0) {
			odd(variant, id, ODD_RESULT, "%s fault %d: write returned %ld of %zu",
			    src_names[src], k, ret, len);
			return;
		}
		if (ret < (long)len) {
			t->absorbed--;
			t->short_writes++;
		}
		if (expect_write(self, id, ret))
			abort();
		bad = snap_diff(self->exp, self->s, 0, diff, sizeof(diff));
	} else {
		bad = snap_diff(self->s1, self->s, 0, diff, sizeof(diff));
	}
	if (bad)
		odd(variant, id, ODD_RESULT, "%s fault %d, succeeded (%ld): %s", src_names[src],
		    k, ret, diff);
}

static void run_path(struct __test_metadata *_metadata, struct _test_data_fault *self,
		     const struct _fixture_variant_fault *variant, int id)
{
	const char *name = path_names[id];
	struct tally t = { 0 };
	char diff[1200], why[256];
	bool consumed, bad;
	int src, k, err;
	long ret;

	/* The call without faults: where it starts, where it ends. */
	take(self, variant, self->s_base, false);
	ASSERT_STREQ("", self->s_base->problem);
	if (path_setup(self, variant, id)) {
		err = errno;
		path_post(self, variant, id, -1, why, sizeof(why));
		ASSERT_EQ(0, path_cleanup(self, variant, id));
		if (unsupported(err)) {
			finish_fs(_metadata, self, variant);
			if (_metadata->exit_code != KSFT_FAIL)
				SKIP(return, "%s: setting up: %s", name, strerror(err));
			return;
		}
		ASSERT_EQ(0, err) {
			TH_LOG("%s: setting up: %s", name, strerror(err));
		}
	}
	take(self, variant, self->s0, false);
	ASSERT_STREQ("", self->s0->problem);
	ret = path_op(self, variant, id);
	err = errno;
	path_post(self, variant, id, ret, why, sizeof(why));
	if (ret < 0) {
		ASSERT_EQ(0, path_cleanup(self, variant, id));
		if (unsupported(err)) {
			finish_fs(_metadata, self, variant);
			if (_metadata->exit_code != KSFT_FAIL)
				SKIP(return, "%s: %s", name, strerror(err));
			return;
		}
		ASSERT_EQ(0, err) {
			TH_LOG("%s without faults: %s", name, strerror(err));
		}
	}
	EXPECT_STREQ("", why);
	take(self, variant, self->s1, false);
	ASSERT_STREQ("", self->s1->problem);
	ASSERT_EQ(0, path_cleanup(self, variant, id));
	take(self, variant, self->s, false);
	bad = snap_diff(self->s_base, self->s, 0, diff, sizeof(diff));
	ASSERT_FALSE(bad) {
		TH_LOG("%s: not back to the base tree after the cleanup: %s", name, diff);
	}

	for (src = 0; src < NR_SRCS; src++) {
		sweep_source(_metadata, self, src);
		for (k = 1; k <= self->max_k; k++) {
			ASSERT_EQ(0, path_setup(self, variant, id)) {
				TH_LOG("%s: setting up for %s fault %d: %s", name, src_names[src],
				       k, strerror(errno));
			}
			take(self, variant, self->s, false);
			bad = snap_diff(self->s0, self->s, 0, diff, sizeof(diff));
			ASSERT_FALSE(bad) {
				TH_LOG("%s: set up for %s fault %d, but not as the first time: %s",
				       name, src_names[src], k, diff);
			}

			arm_nth(self, k);
			ret = path_op(self, variant, id);
			err = errno;
			consumed = disarm_nth(self);

			path_post(self, variant, id, ret, why, sizeof(why));
			take(self, variant, self->s, false);
			check_step(_metadata, self, variant, id, src, k, consumed, ret, err, why,
				   &t);
			ASSERT_EQ(0, path_cleanup(self, variant, id)) {
				TH_LOG("%s: cleaning up after %s fault %d: %s", name,
				       src_names[src], k, strerror(errno));
			}
			if (!consumed)
				break;
			if (k == self->max_k)
				t.capped++;
		}
	}
	faults_off(_metadata, self);
	print_tally(name, &t, elapsed(&self->start));
	compare_ref(_metadata, variant, id);
	finish_fs(_metadata, self, variant);
}

TEST_F_TIMEOUT(fault, create, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_CREATE);
}

TEST_F_TIMEOUT(fault, mkdir, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_MKDIR);
}

TEST_F_TIMEOUT(fault, mknod, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_MKNOD);
}

TEST_F_TIMEOUT(fault, symlink, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_SYMLINK);
}

TEST_F_TIMEOUT(fault, symlink_long, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_SYMLINK_LONG);
}

TEST_F_TIMEOUT(fault, link, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_LINK);
}

TEST_F_TIMEOUT(fault, unlink, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_UNLINK);
}

TEST_F_TIMEOUT(fault, rmdir, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_RMDIR);
}

TEST_F_TIMEOUT(fault, write_4k, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_WRITE_4K);
}

TEST_F_TIMEOUT(fault, write_256k, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_WRITE_256K);
}

TEST_F_TIMEOUT(fault, append, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_APPEND);
}

TEST_F_TIMEOUT(fault, truncate_grow, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_TRUNC_GROW);
}

TEST_F_TIMEOUT(fault, truncate_mid, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_TRUNC_MID);
}

TEST_F_TIMEOUT(fault, truncate_zero, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_TRUNC_ZERO);
}

TEST_F_TIMEOUT(fault, rename_new, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_RENAME_NEW);
}

TEST_F_TIMEOUT(fault, rename_dir, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_RENAME_DIR);
}

TEST_F_TIMEOUT(fault, rename_over, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_RENAME_OVER);
}

TEST_F_TIMEOUT(fault, rename_over_dir, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_RENAME_OVER_DIR);
}

TEST_F_TIMEOUT(fault, rename_exchange, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_RENAME_EXCHANGE);
}

TEST_F_TIMEOUT(fault, rename_noreplace, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_RENAME_NOREPLACE);
}

TEST_F_TIMEOUT(fault, rename_whiteout, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_RENAME_WHITEOUT);
}

TEST_F_TIMEOUT(fault, tmpfile_linkat, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_TMPFILE);
}

TEST_F_TIMEOUT(fault, setxattr_user, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_SETXATTR_USER);
}

TEST_F_TIMEOUT(fault, removexattr_user, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_REMOVEXATTR_USER);
}

TEST_F_TIMEOUT(fault, setxattr_trusted, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_SETXATTR_TRUSTED);
}

TEST_F_TIMEOUT(fault, removexattr_trusted, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_REMOVEXATTR_TRUSTED);
}

TEST_F_TIMEOUT(fault, mount_fsopen, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_MOUNT_FSOPEN);
}

TEST_F_TIMEOUT(fault, mount, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_MOUNT);
}

TEST_F_TIMEOUT(fault, remount, CASE_TIMEOUT)
{
	run_path(_metadata, self, variant, P_REMOUNT);
}

/*
 * The mechanisms the other cases rely on: fail-nth fails the K-th allocation
 * and reads 0 once it has; a K beyond the call's allocations stays armed;
 * the other source's filter keeps it out of the count; the attributes fail
 * only while make-it-fail is set (task-filter) and "times" counts the faults.
 */
TEST_F_TIMEOUT(fault, injection, CASE_TIMEOUT)
{
	int fd, err;

	if (!self->inject) {
		finish_fs(_metadata, self, variant);
		SKIP(return, "no fault injection");
	}
	/* The first allocation of open(O_CREAT) (getname()) fails. */
	sweep_source(_metadata, self, FAILSLAB);
	arm_nth(self, 1);
	fd = openat(self->dfd, "n", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	err = errno;
	EXPECT_TRUE(disarm_nth(self));
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENOMEM, err);
	EXPECT_EQ(-1, faccessat(self->dfd, "n", F_OK, AT_SYMLINK_NOFOLLOW));
	/* Not that many allocations: the fault stays armed, disarming clears it. */
	arm_nth(self, 10000);
	fd = openat(self->dfd, "n", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	EXPECT_FALSE(disarm_nth(self));
	EXPECT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, unlinkat(self->dfd, "n", 0));
	/* A write of a page into an empty file allocates a page, and no slab object. */
	fd = openat(self->dfd, "n", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	arm_nth(self, 1);
	EXPECT_EQ(self->page_size, write(fd, self->pat, self->page_size));
	EXPECT_FALSE(disarm_nth(self));
	EXPECT_EQ(0, ftruncate(fd, 0));
	sweep_source(_metadata, self, FAIL_PAGE_ALLOC);
	arm_nth(self, 1);
	EXPECT_EQ(-1, write(fd, self->pat, self->page_size));
	err = errno;
	EXPECT_TRUE(disarm_nth(self));
	EXPECT_EQ(ENOMEM, err);
	close(fd);
	EXPECT_EQ(0, unlinkat(self->dfd, "n", 0));

	/* The attributes: every allocation fails, once, and only with make-it-fail. */
	faults_off(_metadata, self);
	set_attrs(_metadata, FAILSLAB, "times", "1");
	set_attrs(_metadata, FAILSLAB, "probability", "100");
	fd = openat(self->dfd, "n", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	EXPECT_LE(0, fd);
	close(fd);
	EXPECT_EQ(1, read_times(self, FAILSLAB));
	make_it_fail(self, true);
	fd = openat(self->dfd, "m", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	err = errno;
	make_it_fail(self, false);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENOMEM, err);
	EXPECT_EQ(0, read_times(self, FAILSLAB));
	make_it_fail(self, true);
	fd = openat(self->dfd, "m", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	make_it_fail(self, false);
	EXPECT_LE(0, fd);
	close(fd);
	faults_off(_metadata, self);
	finish_fs(_metadata, self, variant);
}

/*
 * Not a fault: what the snapshots found on their own. Every extended
 * attribute llistxattr() lists on a fresh mount, on its root (before anything
 * reads its ACLs) and on the inodes created in it, can be read.
 */
TEST_F(fault, xattr_listing)
{
	static const char * const names[] = { ".", "f", "d", "l", "p", "." };
	char path[PATH_MAX];
	unsigned int i;
	int fd, bad = 0;

	ASSERT_EQ(0, mount(MOUNT_SOURCE, self->mp, variant->fstype, 0, variant->mopts));
	fd = open(self->mp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (i == 1) {
			ASSERT_EQ(0, close(openat(fd, "f", O_CREAT | O_WRONLY | O_CLOEXEC, 0644)));
			ASSERT_EQ(0, mkdirat(fd, "d", 0755));
			ASSERT_EQ(0, symlinkat("f", fd, "l"));
			ASSERT_EQ(0, mknodat(fd, "p", S_IFIFO | 0644, 0));
		}
		bad += read_xattrs(path_join(path, self->mp, names[i]), true);
	}
	EXPECT_EQ(0, bad) {
		TH_LOG("%s -o %s: %d extended attributes listed that are not there",
		       variant->fstype, variant->mopts, bad);
	}
	close(fd);
	ASSERT_EQ(0, umount(self->mp));
	finish_fs(_metadata, self, variant);
}

/* ---- the random case --------------------------------------------------- */

/* One random call. */
struct rcall {
	int op;
	const char *p1, *p2;
	char p1buf[NAME_LEN];
	long long off;
	size_t len;
	unsigned int flags;
	int target_len;
	const char *xname;
};

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1dULL) >> 32;
}

static const char *rname(void)
{
	return rnames[rnd() % NR_RNAMES];
}

/* Mostly a name that exists in @s (a regular file if @reg), else any. */
static const char *existing(const struct snap *s, bool reg)
{
	const char *names[MAX_ENTS];
	int i, n = 0;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->e[i].name, ".") && (!reg || S_ISREG(s->e[i].mode)))
			names[n++] = s->e[i].name;
	if (!n || rnd() % 4 == 0)
		return rname();
	return names[rnd() % n];
}

static void pick_call(struct rcall *c, const struct snap *s, bool xattrs)
{
	static const long long sizes[] = { 0, 100, 4096, 6000, 20000, 70000 };
	static const unsigned int rflags[] = {
		0, 0, RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT,
	};
	int total = 0, i, r;

	for (i = 0; i < NR_ROPS; i++)
		total += rop_weights[i];
	do {
		r = rnd() % total;
		for (i = 0; r >= rop_weights[i]; i++)
			r -= rop_weights[i];
	} while (!xattrs && (i == R_SETXATTR || i == R_REMOVEXATTR));
	memset(c, 0, sizeof(*c));
	c->op = i;
	c->p1 = rname();
	c->p2 = rname();
	switch (i) {
	case R_LINK:
	case R_UNLINK:
	case R_RENAME:
		c->p1 = existing(s, false);
		break;
	case R_WRITE:
	case R_APPEND:
	case R_TRUNCATE:
	case R_SETXATTR:
	case R_REMOVEXATTR:
		c->p1 = existing(s, true);
		break;
	}
	/* Not a pointer into the snapshot, which the call replaces. */
	snprintf(c->p1buf, sizeof(c->p1buf), "%s", c->p1);
	c->p1 = c->p1buf;
	switch (i) {
	case R_SYMLINK:
		c->target_len = rnd() % 4 ? 8 + rnd() % 100 : 2000 + rnd() % 1500;
		break;
	case R_WRITE:
		c->off = rnd() % 70000;
		switch (rnd() % 16) {
		case 0:
			c->len = 256 << 10;
			break;
		case 1 ... 4:
			c->len = 65536;
			break;
		case 5 ... 9:
			c->len = 4096;
			break;
		default:
			c->len = 1 + rnd() % 10000;
		}
		break;
	case R_APPEND:
		c->len = 1 + rnd() % 16384;
		break;
	case R_TRUNCATE:
		c->off = sizes[rnd() % 6];
		break;
	case R_RENAME:
		c->flags = rflags[rnd() % 5];
		break;
	case R_SETXATTR:
		c->len = 1 + rnd() % 200;
		c->flags = rnd() % 3 == 0 ? XATTR_CREATE : rnd() % 2 ? XATTR_REPLACE : 0;
		fallthrough;
	case R_REMOVEXATTR:
		c->xname = rnd() % 2 ? "user.r" : "trusted.r";
		break;
	}
}

static void describe(char *buf, size_t len, const struct rcall *c)
{
	snprintf(buf, len, "%s %s %s off %lld len %zu flags %#x target %d %s", rop_names[c->op],
		 c->p1, c->p2, c->off, c->len, c->flags, c->target_len, c->xname ?: "");
}

/* The directory of @path and its last name, in @dir. */
static const char *split(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(dir, len, ".");
		return path;
	}
	snprintf(dir, len, "%.*s", (int)(slash - path), path);
	return slash + 1;
}

#define NOT_RUN		-2	/* the call did not run: its file was not a regular file */

/*
 * Makes the call @c, with faults if @faulted; counts the faults injected into
 * @inj. Returns the result, or NOT_RUN.
 */
static long do_call(struct _test_data_fault *self, const struct rcall *c, bool faulted, int *err,
		    long *inj)
{
	long t0[NR_SRCS] = { 0 }, ret = -1;
	char target[4096], dir[NAME_LEN];
	int dfd = self->dfd, fd = -1, s;
	long long off = c->off;
	struct stat st;

	*err = 0;
	inj[0] = 0;
	inj[1] = 0;
	if (c->op == R_WRITE || c->op == R_APPEND) {
		fd = openat(dfd, c->p1, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC |
			    (c->op == R_APPEND ? O_APPEND : 0));
		if (fd < 0)
			return NOT_RUN;
		if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
		    (c->op == R_APPEND && st.st_size + c->len > 512 << 10)) {
			close(fd);
			return NOT_RUN;
		}
		if (c->op == R_APPEND)
			off = st.st_size;
	}
	if (c->op == R_SYMLINK)
		gen_target(target, c->target_len);
	if (faulted) {
		for (s = 0; s < NR_SRCS; s++)
			t0[s] = read_times(self, s);
		make_it_fail(self, true);
	}
	switch (c->op) {
	case R_CREATE:
		fd = openat(dfd, c->p1, O_CREAT | O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC,
			    0644);
		ret = fd;
		break;
	case R_MKDIR:
		ret = mkdirat(dfd, c->p1, 0755);
		break;
	case R_MKNOD:
		ret = mknodat(dfd, c->p1, S_IFIFO | 0644, 0);
		break;
	case R_SYMLINK:
		ret = symlinkat(target, dfd, c->p1);
		break;
	case R_LINK:
		ret = linkat(dfd, c->p1, dfd, c->p2, 0);
		break;
	case R_UNLINK:
		ret = unlinkat(dfd, c->p1, 0);
		break;
	case R_RMDIR:
		ret = unlinkat(dfd, c->p1, AT_REMOVEDIR);
		break;
	case R_WRITE:
	case R_APPEND:
		if (c->op == R_APPEND)
			ret = write(fd, self->pat + off, c->len);
		else
			ret = pwrite(fd, self->pat + off, c->len, off);
		break;
	case R_TRUNCATE:
		ret = truncate(c->p1, c->off);
		break;
	case R_RENAME:
		ret = renameat2(dfd, c->p1, dfd, c->p2, c->flags);
		break;
	case R_TMPFILE:
		split(c->p1, dir, sizeof(dir));
		fd = openat(dfd, dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		ret = fd < 0 ? -1 : linkat(fd, "", dfd, c->p1, AT_EMPTY_PATH);
		break;
	case R_SETXATTR:
		ret = lsetxattr(c->p1, c->xname, self->pat, c->len, c->flags);
		break;
	case R_REMOVEXATTR:
		ret = lremovexattr(c->p1, c->xname);
		break;
	}
	*err = ret < 0 ? errno : 0;
	if (faulted) {
		make_it_fail(self, false);
		for (s = 0; s < NR_SRCS; s++)
			inj[s] = t0[s] - read_times(self, s);
	}
	if (fd >= 0)
		close(fd);
	if (c->op == R_CREATE && ret >= 0)
		ret = 0;
	return ret;
}

TEST_F_TIMEOUT(fault, random, CASE_TIMEOUT)
{
	struct snap *before = self->s0, *after = self->s1, *tmp;
	struct tally t = { 0 }, per[NR_ROPS];
	int i, n, err, err2, percent = 0, s;
	long ret, ret2, inj[NR_SRCS], inj2[NR_SRCS];
	char diff[1200], what[200];
	const char *env;
	struct ent *e;
	uint64_t seed;
	bool bad;

	env = getenv("FAULT_OPS");
	n = env ? atoi(env) : 2000;
	env = getenv("FAULT_SEED");
	seed = env && *env ? strtoull(env, NULL, 0) : 1;
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	memset(per, 0, sizeof(per));
	ksft_print_msg("random: %d calls, FAULT_SEED=%llu\n", n, (unsigned long long)seed);

	faults_off(_metadata, self);
	take(self, variant, before, true);
	ASSERT_STREQ("", before->problem);
	for (i = 0; i < n; i++) {
		struct rcall c;

		/* Bounded in time too: a loaded host must not turn it into a timeout. */
		if (elapsed(&self->start) > RANDOM_BUDGET) {
			ksft_print_msg("random: time budget of %d s over after %d of %d calls\n",
				       RANDOM_BUDGET, i, n);
			break;
		}
		if (i % 250 == 0) {
			percent = 5 + (i / 250) % 4 * 5;
			random_faults(_metadata, self, percent);
		}
		pick_call(&c, before, variant->xattrs);
		describe(what, sizeof(what), &c);
		ret = do_call(self, &c, true, &err, inj);
		take(self, variant, after, true);
		EXPECT_STREQ("", after->problem) {
			TH_LOG("call %d (%s, %d%%) returned %ld (%s); the walk found: %s", i, what,
			       percent, ret, strerror(err), after->problem);
		}
		if (ret == NOT_RUN) {
			bad = snap_diff(before, after, 0, diff, sizeof(diff));
			EXPECT_FALSE(bad) {
				TH_LOG("call %d (%s) did not run, but: %s", i, what, diff);
			}
			tmp = before, before = after, after = tmp;
			continue;
		}
		per[c.op].calls++;
		for (s = 0; s < NR_SRCS; s++)
			per[c.op].faults[s] += inj[s];
		if (ret >= 0 && inj[0] + inj[1])
			per[c.op].absorbed++;
		if (ret < 0) {
			if (inj[0] + inj[1] && clean_errno(err)) {
				per[c.op].errs[err]++;
				shared->errs[variant->idx][NR_PATHS + c.op][err]++;
			} else if (!(inj[0] + inj[1]) && err == ENOMEM) {
				odd(variant, NR_PATHS + c.op, ODD_NOFAULT, "call %d (%s)", i, what);
			}
#ifdef FAULT_SELFCHECK
			before->ffree++;
#endif
			/* A failed truncate may leave the new size (checked by the pattern). */
			bad = snap_diff(before, after,
					c.op == R_TRUNCATE ? DIFF_REG_SIZE | DIFF_BFREE : 0,
					diff, sizeof(diff));
			if (bad)
				odd(variant, NR_PATHS + c.op, ODD_ATOMIC,
				    "call %d (%s, %d%%) failed with %s (%ld faults): %s", i, what,
				    percent, strerrorname_np(err) ?: "?", inj[0] + inj[1], diff);
			if (c.op == R_TRUNCATE) {
				for (s = 0; s < after->n; s++) {
					e = snap_find(before, after->e[s].name);
					if (e && S_ISREG(e->mode) && after->e[s].size != e->size &&
					    after->e[s].size != c.off)
						odd(variant, NR_PATHS + c.op, ODD_ATOMIC,
						    "call %d (%s) failed, %s has size %lld, neither %lld nor %lld",
						    i, what, e->name, after->e[s].size, e->size,
						    c.off);
				}
			}
			/*
			 * An errno but ENOMEM and ENOSPC under faults must be what
			 * the same call gives without them.
			 */
			if (inj[0] + inj[1] && !clean_errno(err)) {
				int e2 = err < MAX_ERRNO ? err : 0;

				ret2 = do_call(self, &c, false, &err2, inj2);
				if (ret2 == -1 && err2 == err) {
					/* The collision of names it was anyway. */
					per[c.op].natural[e2]++;
				} else {
					per[c.op].errs[e2]++;
					shared->errs[variant->idx][NR_PATHS + c.op][e2]++;
					odd(variant, NR_PATHS + c.op, ODD_ERRNO,
					    "call %d (%s) failed with %s under faults, without them %ld (%s)",
					    i, what, strerrorname_np(err) ?: "?", ret2,
					    ret2 < 0 ? strerrorname_np(err2) ?: "?" : "success");
				}
				if (ret2 >= 0)
					take(self, variant, after, true);
			}
		} else if ((c.op == R_WRITE || c.op == R_APPEND) && ret > 0) {
			e = snap_find(before, c.p1);
			if (ret > (long)c.len)
				odd(variant, NR_PATHS + c.op, ODD_RESULT, "call %d (%s): wrote %ld",
				    i, what, ret);
			if (ret < (long)c.len)
				per[c.op].short_writes++;
			if (e && c.op == R_WRITE) {
				struct ent *a = snap_find(after, c.p1);

				if (a && a->size != (e->size > c.off + ret ? e->size : c.off + ret))
					odd(variant, NR_PATHS + c.op, ODD_RESULT,
					    "call %d (%s): wrote %ld, size %lld -> %lld", i, what,
					    ret, e->size, a->size);
			}
		}
		tmp = before, before = after, after = tmp;
	}
	faults_off(_metadata, self);
	for (i = 0; i < NR_ROPS; i++) {
		char label[64];

		snprintf(label, sizeof(label), "random %s", rop_names[i]);
		print_tally(label, &per[i], -1);
		t.calls += per[i].calls;
		t.absorbed += per[i].absorbed;
		t.short_writes += per[i].short_writes;
		for (s = 0; s < NR_SRCS; s++)
			t.faults[s] += per[i].faults[s];
		for (s = 0; s < MAX_ERRNO; s++) {
			t.errs[s] += per[i].errs[s];
			t.natural[s] += per[i].natural[s];
		}
	}
	print_tally("random", &t, elapsed(&self->start));
	for (i = 0; i < NR_ROPS; i++)
		compare_ref(_metadata, variant, NR_PATHS + i);
	if (self->inject)
		EXPECT_LT(0, t.faults[FAILSLAB] + t.faults[FAIL_PAGE_ALLOC]);
	finish_fs(_metadata, self, variant);
}

TEST_HARNESS_MAIN
