// SPDX-License-Identifier: GPL-2.0
/*
 * Differential file system fuzzer for rust_ramfs.
 *
 * Mounts a pair of fresh file systems, a reference and a candidate:
 *
 *   ramfs vs rust_ramfs           rust_ramfs must behave exactly as C ramfs;
 *   tmpfs vs rust_ramfs,xattr,acl rust_ramfs must behave as tmpfs for what it
 *                                 has of tmpfs: mode=, uid=, gid=, size=,
 *                                 nr_inodes=, extended attributes and ACLs.
 *
 * then generates seeded random sequences of operations over a small name
 * space (d0..d3 and f0..f7, nested up to three levels, so that the names
 * collide) and applies each operation to both mounts in lockstep, comparing
 * the return value, errno and what the operation can have changed (stat
 * fields, file contents, directory entries, link targets, extended
 * attributes, times). Every CHECK_EVERY operations and at the end of each
 * sequence both trees are walked and compared as a whole.
 *
 * An operation is a self-contained record (operation, path indices, file
 * descriptor slot, numeric arguments and a data seed), so that any
 * subsequence of a sequence can be replayed: on the first divergence the
 * sequence is shrunk by delta debugging, replaying subsets on fresh mounts,
 * and the smallest sequence that still diverges is printed.
 *
 * Output is TAP, one test point per pair. Run as root.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <linux/falloc.h>

#define fallthrough	__attribute__((__fallthrough__))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NFD		4	/* file descriptor slots per file system */
#define CHECK_EVERY	100	/* default operations between full tree comparisons */
#define OBS_MAX		16384	/* what one operation observes */
#define IOMAX		(3 * 4096 + 512)	/* largest read or write */
#define OLD_TIME	100000000	/* times are reset to this before an operation */
#define MAX_HASHED	(16 << 20)	/* bytes of a file that are compared */
#define DEFAULT_OPS	2000
#define DEFAULT_SEQS	3
#define DEFAULT_TIME	60

/* ---- what is compared, by pair ------------------------------------------ */

enum profile {
	/*
	 * ramfs vs rust_ramfs: everything, including st_blocks (both count
	 * the pages in the page cache), directory sizes (both 0), the order
	 * of directory entries and directory offsets (both dcache_readdir()),
	 * and whether an operation changed mtime and atime.
	 */
	PROF_RAMFS,
	/*
	 * tmpfs vs rust_ramfs: not st_blocks nor f_bfree/f_bavail (tmpfs does
	 * not allocate pages for reading a hole, rust_ramfs's page cache is
	 * ramfs's and does, by design), not the size of directories (tmpfs
	 * counts 20 bytes per entry, BOGO_DIRENT_SIZE), not the order or the
	 * offsets of directory entries (tmpfs has stable offsets, simple_offset,
	 * rust_ramfs has ramfs's dcache_readdir()), not SEEK_DATA/SEEK_HOLE
	 * (tmpfs finds holes, ramfs does not), not times other than explicitly
	 * set ones (time updates are ramfs's; tmpfs has no page_mkwrite, for
	 * one), not btime or statx attributes (tmpfs only), and no
	 * fallocate(2): rust_ramfs does not implement it yet.
	 */
	PROF_TMPFS,
};

struct fsys {
	const char *type;
	const char *opts;
	char dir[PATH_MAX];
	int root;
	bool mounted;
	int fd[NFD];
};

struct pair {
	const char *name;
	enum profile prof;
	struct fsys fs[2];	/* reference, candidate */
};

static bool cmp_blocks(const struct pair *p) { return p->prof == PROF_RAMFS; }
static bool cmp_dirsize(const struct pair *p) { return p->prof == PROF_RAMFS; }
static bool cmp_order(const struct pair *p) { return p->prof == PROF_RAMFS; }
static bool cmp_times(const struct pair *p) { return p->prof == PROF_RAMFS; }

/* Options. */
static int verbose;
static int check_every = CHECK_EVERY;
static bool known;	/* also compare the known, documented differences */
static char basedir[PATH_MAX];
static struct pair *cur_pair;	/* mounted, for the signal handler */

/* ---- random numbers ----------------------------------------------------- */

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint64_t *s, uint32_t n)
{
	return n ? splitmix(s) % n : 0;
}

/* true with probability @pct percent */
static bool chance(uint64_t *s, int pct)
{
	return rnd(s, 100) < (uint32_t)pct;
}

static uint64_t fnv(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *b = buf;

	while (len--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

static void fill(unsigned char *buf, size_t len, uint32_t seed)
{
	uint64_t s = seed;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			s = splitmix(&s) | 1;
		buf[i] = s >> ((i & 7) * 8);
	}
	/* Some data is zeroes, as holes are. */
	if (seed % 5 == 0)
		memset(buf, 0, len / 2);
}

/* ---- the name space ----------------------------------------------------- */

static const char *const names[] = {
	"d0", "d1", "d2", "d3", "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7",
};

#define NNAMES		12
#define NDIRNAMES	4
/* Paths that are not plain names: ".", "..", trailing slashes, empty. */
static const char *const special_paths[] = {
	".", "d0/..", "d1/.", "f0/", "d0/f1/", "d2/", "",
};

#define NSPECIAL	7
#define D1		NSPECIAL			/* names */
#define D2		(D1 + NNAMES)			/* dN/name */
#define D3		(D2 + NDIRNAMES * NNAMES)	/* dN/dM/name, N < 2, M < 3 */
#define NPATHS		(D3 + 2 * 3 * NNAMES)

static char paths[NPATHS][16];

/* Symbolic link targets: relative, without "..", so nothing leaves the mount. */
static const char *const targets[] = {
	"f0", "f1", "d0", "d1", "d0/f0", "d1/f1", "f2/", "d0/d1", "d3/d0/f2", "", ".",
	"f0/f1", "d2/f3",
	"a-long-target-that-is-longer-than-sixty-four-bytes-to-leave-the-inline-space-xxxxxxxx",
};

#define NTARGETS ARRAY_SIZE(targets)

static void init_paths(void)
{
	int i, j, k, n = 0;

	for (i = 0; i < NSPECIAL; i++)
		strcpy(paths[n++], special_paths[i]);
	for (i = 0; i < NNAMES; i++)
		strcpy(paths[n++], names[i]);
	for (i = 0; i < NDIRNAMES; i++)
		for (j = 0; j < NNAMES; j++)
			sprintf(paths[n++], "%s/%s", names[i], names[j]);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++)
			for (k = 0; k < NNAMES; k++)
				sprintf(paths[n++], "%s/%s/%s", names[i], names[j], names[k]);
	if (n != NPATHS)
		abort();
}

enum hint { ANY, DIRH, FILEH };

static uint16_t pick_path(uint64_t *g, enum hint hint)
{
	uint32_t depth = rnd(g, 100), name;

	if (chance(g, 3))
		return rnd(g, NSPECIAL);
	if (hint == DIRH && chance(g, 75))
		name = rnd(g, NDIRNAMES);
	else if (hint == FILEH && chance(g, 75))
		name = NDIRNAMES + rnd(g, NNAMES - NDIRNAMES);
	else
		name = rnd(g, NNAMES);
	if (depth < 40)
		return D1 + name;
	if (depth < 80)
		return D2 + rnd(g, NDIRNAMES) * NNAMES + name;
	return D3 + rnd(g, 6) * NNAMES + name;
}

/* ---- operations --------------------------------------------------------- */

enum opcode {
	OP_OPEN, OP_TMPFILE, OP_LINKAT_FD, OP_CLOSE, OP_READ, OP_PREAD, OP_WRITE, OP_PWRITE,
	OP_LSEEK, OP_FTRUNCATE, OP_TRUNCATE, OP_FALLOCATE, OP_MMAP, OP_FSYNC, OP_MKDIR, OP_RMDIR,
	OP_UNLINK, OP_RENAME, OP_LINK, OP_SYMLINK, OP_READLINK, OP_MKNOD, OP_CHMOD, OP_FCHMOD,
	OP_CHOWN, OP_FCHOWN, OP_UTIMENS, OP_SETXATTR, OP_GETXATTR, OP_LISTXATTR, OP_REMOVEXATTR,
	OP_SETACL, OP_GETDENTS, OP_READDIR, OP_STAT, OP_FSTAT, OP_STATX, OP_STATFS, OP_ACCESS,
	NR_OPS,
};

/* Relative weights of the operations: ramfs pair, tmpfs pair. */
static const unsigned char weights[NR_OPS][2] = {
	[OP_OPEN] = { 12, 12 }, [OP_TMPFILE] = { 2, 2 }, [OP_LINKAT_FD] = { 2, 2 },
	[OP_CLOSE] = { 2, 2 }, [OP_READ] = { 4, 4 }, [OP_PREAD] = { 3, 3 },
	[OP_WRITE] = { 6, 6 }, [OP_PWRITE] = { 6, 6 }, [OP_LSEEK] = { 3, 3 },
	[OP_FTRUNCATE] = { 3, 3 }, [OP_TRUNCATE] = { 3, 3 },
	/* Not in the tmpfs pair: rust_ramfs has no fallocate(2) yet. */
	[OP_FALLOCATE] = { 2, 0 },
	[OP_MMAP] = { 3, 3 }, [OP_FSYNC] = { 1, 1 }, [OP_MKDIR] = { 7, 7 },
	[OP_RMDIR] = { 4, 4 }, [OP_UNLINK] = { 5, 5 }, [OP_RENAME] = { 8, 8 },
	[OP_LINK] = { 4, 4 }, [OP_SYMLINK] = { 3, 3 }, [OP_READLINK] = { 2, 2 },
	[OP_MKNOD] = { 3, 3 }, [OP_CHMOD] = { 3, 3 }, [OP_FCHMOD] = { 2, 2 },
	[OP_CHOWN] = { 2, 2 }, [OP_FCHOWN] = { 1, 1 }, [OP_UTIMENS] = { 2, 2 },
	/* The ramfs pair: both must refuse extended attributes and ACLs alike. */
	[OP_SETXATTR] = { 1, 5 }, [OP_GETXATTR] = { 1, 3 }, [OP_LISTXATTR] = { 1, 2 },
	[OP_REMOVEXATTR] = { 1, 2 }, [OP_SETACL] = { 1, 4 },
	[OP_GETDENTS] = { 3, 3 }, [OP_READDIR] = { 3, 3 }, [OP_STAT] = { 3, 3 },
	[OP_FSTAT] = { 2, 2 }, [OP_STATX] = { 2, 2 }, [OP_STATFS] = { 1, 1 },
	[OP_ACCESS] = { 2, 2 },
};

/* An operation: everything it needs, so that any subsequence can be replayed. */
struct op {
	uint8_t code;
	uint8_t slot;		/* file descriptor slot */
	uint8_t cred;		/* fsuid and fsgid, 0 for root */
	uint8_t sub;		/* a variant of the operation */
	uint16_t p1, p2;	/* paths */
	uint32_t flags;
	uint32_t mode;
	int64_t a, b;		/* offsets, lengths, ids, times */
	uint32_t seed;		/* data */
};

static const char *const xattr_names[] = {
	"user.a", "user.b", "trusted.t", "security.s", "system.posix_acl_access",
	"system.posix_acl_default", "user.", "bogus.x",
};

#define NXATTR_NAMES ARRAY_SIZE(xattr_names)

static int64_t pick_offset(uint64_t *g)
{
	uint32_t r = rnd(g, 100);

	/* Mostly small: all of a file is read after each change, slow in a debug guest. */
	if (r < 75)
		return rnd(g, 3 * 4096 + 100);
	if (r < 97)
		return rnd(g, 32768);
	return rnd(g, 256 << 10);
}

static int64_t pick_len(uint64_t *g)
{
	uint32_t r = rnd(g, 100);

	if (r < 5)
		return 0;
	if (r < 50)
		return 1 + rnd(g, 100);
	if (r < 80)
		return 1 + rnd(g, 4096);
	return 1 + rnd(g, IOMAX);
}

static uint32_t pick_mode(uint64_t *g)
{
	static const uint32_t modes[] = {
		0644, 0600, 0755, 0777, 0, 04755, 02775, 01777, 0444, 0666, 0700,
	};

	if (chance(g, 20))
		return rnd(g, 010000);
	return modes[rnd(g, ARRAY_SIZE(modes))];
}

static int64_t pick_id(uint64_t *g)
{
	return (int64_t)rnd(g, 4) - 1;	/* -1 (unchanged), 0, 1, 2 */
}

static void gen_op(uint64_t *g, enum profile prof, struct op *op)
{
	uint32_t total = 0, r;
	int i;

	for (i = 0; i < NR_OPS; i++)
		total += weights[i][prof];
	r = rnd(g, total);
	for (i = 0; i < NR_OPS; i++) {
		if (r < weights[i][prof])
			break;
		r -= weights[i][prof];
	}
	memset(op, 0, sizeof(*op));
	op->code = i;
	op->slot = rnd(g, NFD);
	op->cred = chance(g, 12) ? 1 + rnd(g, 2) : 0;
	op->seed = splitmix(g);
	op->p1 = pick_path(g, ANY);
	op->p2 = pick_path(g, ANY);

	switch (op->code) {
	case OP_OPEN: {
		static const int acc[] = { O_RDONLY, O_WRONLY, O_RDWR, O_RDWR };

		op->flags = acc[rnd(g, 4)];
		if (chance(g, 75))
			op->flags |= O_CREAT;
		if (chance(g, 10))
			op->flags |= O_EXCL;
		if (chance(g, 20))
			op->flags |= O_TRUNC;
		if (chance(g, 15))
			op->flags |= O_APPEND;
		if (chance(g, 8))
			op->flags |= O_DIRECTORY;
		if (chance(g, 15))
			op->flags |= O_NOFOLLOW;
		op->p1 = pick_path(g, op->flags & O_DIRECTORY ? DIRH : FILEH);
		op->mode = pick_mode(g);
		break;
	}
	case OP_TMPFILE:
		op->flags = (chance(g, 50) ? O_RDWR : O_WRONLY) | (chance(g, 20) ? O_EXCL : 0);
		op->p1 = pick_path(g, DIRH);
		if (chance(g, 50))
			op->p1 = D1 + rnd(g, NDIRNAMES);
		op->mode = pick_mode(g);
		break;
	case OP_LINKAT_FD:
		op->sub = rnd(g, 2);
		op->p1 = pick_path(g, FILEH);
		break;
	case OP_READ: case OP_PREAD: case OP_WRITE: case OP_PWRITE:
		op->a = pick_offset(g);
		op->b = pick_len(g);
		break;
	case OP_LSEEK:
		op->sub = rnd(g, prof == PROF_RAMFS ? 5 : 3);
		op->a = chance(g, 30) ? rnd(g, 8) : pick_offset(g);
		if (chance(g, 10))
			op->a = -op->a;
		break;
	case OP_FTRUNCATE: case OP_TRUNCATE:
		op->p1 = pick_path(g, FILEH);
		op->a = chance(g, 5) ? -1 : pick_offset(g);
		break;
	case OP_FALLOCATE: {
		static const uint32_t fm[] = {
			0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			FALLOC_FL_ZERO_RANGE,
		};

		op->flags = fm[rnd(g, 4)];
		op->a = pick_offset(g);
		op->b = pick_len(g);
		break;
	}
	case OP_MMAP:
		op->sub = rnd(g, 4);	/* bit 0: writable, bit 1: MAP_PRIVATE */
		op->a = pick_offset(g);
		op->b = 1 + rnd(g, 5);	/* pages */
		op->flags = rnd(g, 3);	/* 0: no msync, 1: MS_SYNC, 2: MS_ASYNC */
		break;
	case OP_FSYNC:
		op->sub = rnd(g, 2);
		break;
	case OP_MKDIR:
		op->p1 = pick_path(g, DIRH);
		op->mode = pick_mode(g);
		break;
	case OP_RMDIR:
		op->p1 = pick_path(g, DIRH);
		break;
	case OP_UNLINK:
		op->p1 = pick_path(g, FILEH);
		break;
	case OP_RENAME: {
		static const uint32_t rf[] = {
			0, 0, 0, RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT,
			RENAME_WHITEOUT | RENAME_NOREPLACE, RENAME_EXCHANGE | RENAME_NOREPLACE,
		};

		op->flags = rf[rnd(g, 8)];
		/* RENAME_WHITEOUT differs by design in the ramfs pair, see exec. */
		if (prof == PROF_RAMFS && !known && (op->flags & RENAME_WHITEOUT))
			op->flags &= ~RENAME_WHITEOUT;
		if (chance(g, 30)) {
			op->p1 = pick_path(g, DIRH);
			op->p2 = pick_path(g, DIRH);
		}
		break;
	}
	case OP_LINK:
		op->flags = chance(g, 30) ? AT_SYMLINK_FOLLOW : 0;
		op->p1 = pick_path(g, FILEH);
		op->p2 = pick_path(g, FILEH);
		break;
	case OP_SYMLINK:
		op->a = rnd(g, NTARGETS);
		op->p1 = pick_path(g, FILEH);
		break;
	case OP_READLINK: {
		static const int sz[] = { 1, 3, 64, 4096 };

		op->b = sz[rnd(g, 4)];
		break;
	}
	case OP_MKNOD: {
		static const uint32_t types[] = { S_IFIFO, S_IFCHR, S_IFREG, S_IFSOCK, 0, S_IFIFO };

		op->mode = types[rnd(g, 6)] | (pick_mode(g) & 07777);
		op->a = chance(g, 80) ? (int64_t)makedev(0, 0) : (int64_t)makedev(1, 3);
		op->p1 = pick_path(g, FILEH);
		break;
	}
	case OP_CHMOD: case OP_FCHMOD:
		op->mode = pick_mode(g);
		break;
	case OP_CHOWN: case OP_FCHOWN:
		op->a = pick_id(g);
		op->b = pick_id(g);
		op->flags = chance(g, 40) ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case OP_UTIMENS:
		/* a and b: atime and mtime in ns, or -1 for UTIME_OMIT */
		op->a = chance(g, 20) ? -1 : (int64_t)rnd(g, 2000000000) * 1000000000 +
			rnd(g, 1000000000);
		op->b = chance(g, 20) ? -1 : (int64_t)rnd(g, 2000000000) * 1000000000 +
			rnd(g, 1000000000);
		op->flags = chance(g, 40) ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case OP_SETXATTR: {
		uint32_t r2 = rnd(g, 100);

		op->a = rnd(g, NXATTR_NAMES);
		if (op->a == 4 || op->a == 5)
			op->a = rnd(g, 4);
		op->b = r2 < 10 ? 0 : r2 < 85 ? 1 + rnd(g, 64) : r2 < 98 ? 1 + rnd(g, 3000) :
			65536 + rnd(g, 2);
		op->flags = rnd(g, 3);	/* 0, XATTR_CREATE, XATTR_REPLACE */
		op->sub = chance(g, 25);	/* on a file descriptor */
		break;
	}
	case OP_GETXATTR: {
		static const int sz[] = { 0, 1, 16, 256, 70000 };

		op->a = rnd(g, NXATTR_NAMES);
		op->b = sz[rnd(g, 5)];
		op->sub = chance(g, 25);
		break;
	}
	case OP_LISTXATTR: {
		static const int sz[] = { 0, 1, 8, 64, 4096 };

		op->b = sz[rnd(g, 5)];
		op->sub = chance(g, 25);
		break;
	}
	case OP_REMOVEXATTR:
		op->a = rnd(g, NXATTR_NAMES);
		op->sub = chance(g, 25);
		break;
	case OP_SETACL:
		op->sub = rnd(g, 2);	/* access, default */
		if (op->sub)
			op->p1 = pick_path(g, DIRH);
		op->flags = rnd(g, 3);
		break;
	case OP_GETDENTS: {
		static const int sz[] = { 24, 32, 40, 48, 64, 100, 256, 4096 };

		op->b = sz[rnd(g, 8)];
		break;
	}
	case OP_READDIR: {
		static const int sz[] = { 32, 48, 64, 256, 4096 };

		op->b = sz[rnd(g, 5)];
		op->p1 = pick_path(g, DIRH);
		break;
	}
	case OP_STAT:
		op->flags = chance(g, 50) ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case OP_STATX: {
		static const uint32_t masks[] = {
			STATX_BASIC_STATS, STATX_TYPE | STATX_SIZE, STATX_ALL, 0, STATX_BLOCKS,
		};

		op->mode = masks[rnd(g, 5)];
		op->flags = chance(g, 50) ? AT_SYMLINK_NOFOLLOW : 0;
		if (chance(g, 10))
			op->flags |= AT_STATX_FORCE_SYNC;
		op->sub = chance(g, 30);	/* on a file descriptor */
		break;
	}
	case OP_STATFS:
		op->sub = chance(g, 30);
		break;
	case OP_ACCESS: {
		static const int fl[] = { 0, AT_EACCESS, AT_SYMLINK_NOFOLLOW };

		op->mode = rnd(g, 8);
		op->flags = fl[rnd(g, 3)];
		break;
	}
	default:
		break;
	}
}

/* ---- formatting --------------------------------------------------------- */

struct sbuf {
	char *buf;
	size_t len, cap;
};

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = sb->cap - sb->len;

		va_start(ap, fmt);
		n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if ((size_t)n < room) {
			sb->len += n;
			return;
		}
		sb->cap = (sb->cap + n + 1) * 2;
		sb->buf = realloc(sb->buf, sb->cap);
		if (!sb->buf)
			abort();
	}
}

static const char *errname(int err)
{
	const char *s = strerrorname_np(err);
	static char buf[16];

	if (s)
		return s;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

static void fmt_flags(char *buf, size_t size, uint32_t v, const char *const *fnames,
		      const uint32_t *fbits, int n)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if ((v & fbits[i]) != fbits[i] || !fbits[i])
			continue;
		len += snprintf(buf + len, size - len, "%s%s", len ? "|" : "", fnames[i]);
		v &= ~fbits[i];
	}
	if (v || !len)
		snprintf(buf + len, size - len, "%s%#x", len ? "|" : "", v);
}

static void fmt_open_flags(char *buf, size_t size, uint32_t f)
{
	static const char *const n[] = {
		"O_CREAT", "O_EXCL", "O_TRUNC", "O_APPEND", "O_DIRECTORY", "O_NOFOLLOW",
	};
	static const uint32_t b[] = { O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW };
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	char rest[128];

	fmt_flags(rest, sizeof(rest), f & ~O_ACCMODE, n, b, 6);
	snprintf(buf, size, "%s%s%s", acc[f & O_ACCMODE], f & ~O_ACCMODE ? "|" : "",
		 f & ~O_ACCMODE ? rest : "");
}

static void fmt_ns(char *buf, size_t size, int64_t ns)
{
	if (ns < 0)
		snprintf(buf, size, "UTIME_OMIT");
	else
		snprintf(buf, size, "%lld.%09lld", (long long)(ns / 1000000000),
			 (long long)(ns % 1000000000));
}

/* A readable line for @op, as a C call. */
static void fmt_op(char *buf, size_t size, const struct op *op)
{
	const char *p1 = paths[op->p1], *p2 = paths[op->p2];
	char f[160], t1[32], t2[32];
	int n = 0;
	static const char *const whence[] = {
		"SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA", "SEEK_HOLE",
	};
	static const char *const rn[] = {
		"RENAME_NOREPLACE", "RENAME_EXCHANGE", "RENAME_WHITEOUT",
	};
	static const uint32_t rb[] = { RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT };
	static const char *const xf[] = { "0", "XATTR_CREATE", "XATTR_REPLACE" };

	if (op->cred)
		n = snprintf(buf, size, "[fsuid=fsgid=%d] ", op->cred);
	buf += n;
	size -= n;
	switch (op->code) {
	case OP_OPEN:
		fmt_open_flags(f, sizeof(f), op->flags);
		snprintf(buf, size, "fd%d = open(\"%s\", %s, 0%o)", op->slot, p1, f, op->mode);
		break;
	case OP_TMPFILE:
		fmt_open_flags(f, sizeof(f), op->flags);
		snprintf(buf, size, "fd%d = open(\"%s\", O_TMPFILE|%s, 0%o)", op->slot, p1, f,
			 op->mode);
		break;
	case OP_LINKAT_FD:
		if (op->sub)
			snprintf(buf, size, "linkat(AT_FDCWD, \"%s<fd%d>\", \"%s\", %s)",
				 "/proc/self/fd/", op->slot, p1, "AT_SYMLINK_FOLLOW");
		else
			snprintf(buf, size, "linkat(fd%d, \"\", \"%s\", AT_EMPTY_PATH)", op->slot,
				 p1);
		break;
	case OP_CLOSE:
		snprintf(buf, size, "close(fd%d)", op->slot);
		break;
	case OP_READ:
		snprintf(buf, size, "read(fd%d, %lld)", op->slot, (long long)op->b);
		break;
	case OP_PREAD:
		snprintf(buf, size, "pread(fd%d, %lld, %lld)", op->slot, (long long)op->b,
			 (long long)op->a);
		break;
	case OP_WRITE:
		snprintf(buf, size, "write(fd%d, data#%u, %lld)", op->slot, op->seed,
			 (long long)op->b);
		break;
	case OP_PWRITE:
		snprintf(buf, size, "pwrite(fd%d, data#%u, %lld, %lld)", op->slot, op->seed,
			 (long long)op->b, (long long)op->a);
		break;
	case OP_LSEEK:
		snprintf(buf, size, "lseek(fd%d, %lld, %s)", op->slot, (long long)op->a,
			 whence[op->sub]);
		break;
	case OP_FTRUNCATE:
		snprintf(buf, size, "ftruncate(fd%d, %lld)", op->slot, (long long)op->a);
		break;
	case OP_TRUNCATE:
		snprintf(buf, size, "truncate(\"%s\", %lld)", p1, (long long)op->a);
		break;
	case OP_FALLOCATE:
		snprintf(buf, size, "fallocate(fd%d, %#x, %lld, %lld)", op->slot, op->flags,
			 (long long)op->a, (long long)op->b);
		break;
	case OP_MMAP:
		snprintf(buf, size, "mmap(fd%d, %s, %s, page of %lld, %lld pages) + %s writes%s%s",
			 op->slot, op->sub & 1 ? "PROT_READ|PROT_WRITE" : "PROT_READ",
			 op->sub & 2 ? "MAP_PRIVATE" : "MAP_SHARED", (long long)op->a,
			 (long long)op->b, op->sub & 1 ? "memory" : "no",
			 op->flags == 1 ? " + msync(MS_SYNC)" :
			 op->flags == 2 ? " + msync(MS_ASYNC)" : "", " + munmap");
		break;
	case OP_FSYNC:
		snprintf(buf, size, "%s(fd%d)", op->sub ? "fdatasync" : "fsync", op->slot);
		break;
	case OP_MKDIR:
		snprintf(buf, size, "mkdir(\"%s\", 0%o)", p1, op->mode);
		break;
	case OP_RMDIR:
		snprintf(buf, size, "rmdir(\"%s\")", p1);
		break;
	case OP_UNLINK:
		snprintf(buf, size, "unlink(\"%s\")", p1);
		break;
	case OP_RENAME:
		fmt_flags(f, sizeof(f), op->flags, rn, rb, 3);
		snprintf(buf, size, "renameat2(\"%s\", \"%s\", %s)", p1, p2, op->flags ? f : "0");
		break;
	case OP_LINK:
		snprintf(buf, size, "linkat(\"%s\", \"%s\", %s)", p1, p2,
			 op->flags ? "AT_SYMLINK_FOLLOW" : "0");
		break;
	case OP_SYMLINK:
		snprintf(buf, size, "symlink(\"%s\", \"%s\")", targets[op->a], p1);
		break;
	case OP_READLINK:
		snprintf(buf, size, "readlink(\"%s\", %lld)", p1, (long long)op->b);
		break;
	case OP_MKNOD:
		snprintf(buf, size, "mknod(\"%s\", 0%o, %u:%u)", p1, op->mode,
			 major(op->a), minor(op->a));
		break;
	case OP_CHMOD:
		snprintf(buf, size, "chmod(\"%s\", 0%o)", p1, op->mode);
		break;
	case OP_FCHMOD:
		snprintf(buf, size, "fchmod(fd%d, 0%o)", op->slot, op->mode);
		break;
	case OP_CHOWN:
		snprintf(buf, size, "fchownat(\"%s\", %lld, %lld, %s)", p1, (long long)op->a,
			 (long long)op->b, op->flags ? "AT_SYMLINK_NOFOLLOW" : "0");
		break;
	case OP_FCHOWN:
		snprintf(buf, size, "fchown(fd%d, %lld, %lld)", op->slot, (long long)op->a,
			 (long long)op->b);
		break;
	case OP_UTIMENS:
		fmt_ns(t1, sizeof(t1), op->a);
		fmt_ns(t2, sizeof(t2), op->b);
		snprintf(buf, size, "utimensat(\"%s\", {%s, %s}, %s)", p1, t1, t2,
			 op->flags ? "AT_SYMLINK_NOFOLLOW" : "0");
		break;
	case OP_SETXATTR:
		if (op->sub)
			snprintf(buf, size, "fsetxattr(fd%d, \"%s\", data#%u, %lld, %s)", op->slot,
				 xattr_names[op->a], op->seed, (long long)op->b, xf[op->flags]);
		else
			snprintf(buf, size, "lsetxattr(\"%s\", \"%s\", data#%u, %lld, %s)", p1,
				 xattr_names[op->a], op->seed, (long long)op->b, xf[op->flags]);
		break;
	case OP_GETXATTR:
		if (op->sub)
			snprintf(buf, size, "fgetxattr(fd%d, \"%s\", %lld)", op->slot,
				 xattr_names[op->a], (long long)op->b);
		else
			snprintf(buf, size, "lgetxattr(\"%s\", \"%s\", %lld)", p1,
				 xattr_names[op->a], (long long)op->b);
		break;
	case OP_LISTXATTR:
		if (op->sub)
			snprintf(buf, size, "flistxattr(fd%d, %lld)", op->slot, (long long)op->b);
		else
			snprintf(buf, size, "llistxattr(\"%s\", %lld)", p1, (long long)op->b);
		break;
	case OP_REMOVEXATTR:
		if (op->sub)
			snprintf(buf, size, "fremovexattr(fd%d, \"%s\")", op->slot,
				 xattr_names[op->a]);
		else
			snprintf(buf, size, "lremovexattr(\"%s\", \"%s\")", p1, xattr_names[op->a]);
		break;
	case OP_SETACL:
		snprintf(buf, size, "lsetxattr(\"%s\", \"%s\", acl#%u, %s)", p1,
			 xattr_names[4 + op->sub], op->seed, xf[op->flags]);
		break;
	case OP_GETDENTS:
		snprintf(buf, size, "getdents64(fd%d, %lld)", op->slot, (long long)op->b);
		break;
	case OP_READDIR:
		snprintf(buf, size, "readdir(\"%s\") with getdents64(%lld)", p1, (long long)op->b);
		break;
	case OP_STAT:
		snprintf(buf, size, "fstatat(\"%s\", %s)", p1,
			 op->flags ? "AT_SYMLINK_NOFOLLOW" : "0");
		break;
	case OP_FSTAT:
		snprintf(buf, size, "fstat(fd%d)", op->slot);
		break;
	case OP_STATX:
		if (op->sub)
			snprintf(buf, size, "statx(fd%d, \"\", AT_EMPTY_PATH|%#x, %#x)", op->slot,
				 op->flags, op->mode);
		else
			snprintf(buf, size, "statx(\"%s\", %#x, %#x)", p1, op->flags, op->mode);
		break;
	case OP_STATFS:
		if (op->sub)
			snprintf(buf, size, "fstatfs(fd%d)", op->slot);
		else
			snprintf(buf, size, "statfs(\"%s\")", p1);
		break;
	case OP_ACCESS:
		snprintf(buf, size, "faccessat(\"%s\", %#o, %#x)", p1, op->mode, op->flags);
		break;
	default:
		snprintf(buf, size, "op%d", op->code);
	}
}

/* ---- executing an operation on one file system -------------------------- */

struct res {
	long ret;
	int err;
	struct sbuf obs;
};

static long set_res(struct res *r, long ret)
{
	r->ret = ret;
	r->err = ret < 0 ? errno : 0;
	return ret;
}

#define obs(r, ...) sb_printf(&(r)->obs, __VA_ARGS__)

static char *parent_of(char *buf, const char *path)
{
	char *s;
	size_t n;

	strcpy(buf, path);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	s = strrchr(buf, '/');
	if (!s)
		strcpy(buf, ".");
	else
		*s = '\0';
	return buf;
}

static void obs_stat(const struct pair *p, struct res *r, const char *label, int err,
		     const struct stat *st)
{
	bool dir = S_ISDIR(st->st_mode);

	if (err) {
		obs(r, " %s:%s", label, errname(err));
		return;
	}
	obs(r, " %s:mode=%o,nlink=%lu,uid=%u,gid=%u", label, st->st_mode,
	    (unsigned long)st->st_nlink, st->st_uid, st->st_gid);
	if (!dir || cmp_dirsize(p))
		obs(r, ",size=%lld", (long long)st->st_size);
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		obs(r, ",rdev=%u:%u", major(st->st_rdev), minor(st->st_rdev));
	if (cmp_blocks(p))
		obs(r, ",blocks=%lld", (long long)st->st_blocks);
}

/* Whether an operation changed mtime and atime: they were set to OLD_TIME before it. */
static void obs_times(const struct pair *p, struct res *r, const struct stat *st)
{
	if (!cmp_times(p))
		return;
	obs(r, ",t=%s%s", st->st_mtim.tv_sec != OLD_TIME || st->st_mtim.tv_nsec ? "m" : "",
	    st->st_atim.tv_sec != OLD_TIME || st->st_atim.tv_nsec ? "a" : "");
}

/* Hash of all of the contents of the regular file open as @fd. */
static void obs_fd_data(struct res *r, int fd)
{
	static unsigned char buf[65536];
	uint64_t h = FNV_INIT;
	off_t off = 0;
	ssize_t n;

	while (off < MAX_HASHED) {
		n = pread(fd, buf, sizeof(buf), off);
		if (n < 0) {
			obs(r, ",data:%s", errname(errno));
			return;
		}
		if (!n)
			break;
		h = fnv(h, buf, n);
		off += n;
	}
	obs(r, ",data=%lld:%016llx", (long long)off, (unsigned long long)h);
}

/* The contents of the regular file at @path, opened anew. */
static void obs_path_data(struct fsys *fs, struct res *r, const char *path)
{
	struct stat st;
	int fd;

	fd = openat(fs->root, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode))
		obs_fd_data(r, fd);
	close(fd);
}

/* The same, through /proc/self/fd: the file may have no name left. */
static void obs_slot_data(struct fsys *fs, struct res *r, int slot)
{
	char proc[64];
	struct stat st;
	int fd;

	if (fs->fd[slot] < 0 || fstat(fs->fd[slot], &st) || !S_ISREG(st.st_mode))
		return;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fs->fd[slot]);
	fd = open(proc, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		obs(r, ",data:%s", errname(errno));
		return;
	}
	obs_fd_data(r, fd);
	close(fd);
}

static void obs_path(const struct pair *p, struct fsys *fs, struct res *r, const char *path,
		     bool data, bool times)
{
	struct stat st;
	int err = fstatat(fs->root, path, &st, AT_SYMLINK_NOFOLLOW) ? errno : 0;
	char label[40];

	snprintf(label, sizeof(label), "\"%s\"", path);
	obs_stat(p, r, label, err, &st);
	if (err)
		return;
	if (times)
		obs_times(p, r, &st);
	if (data && S_ISREG(st.st_mode))
		obs_path_data(fs, r, path);
}

static void obs_slot(const struct pair *p, struct fsys *fs, struct res *r, int slot, bool data,
		     bool times)
{
	struct stat st;
	char label[16];
	int err;

	if (fs->fd[slot] < 0) {
		obs(r, " fd%d:closed", slot);
		return;
	}
	err = fstat(fs->fd[slot], &st) ? errno : 0;
	snprintf(label, sizeof(label), "fd%d", slot);
	obs_stat(p, r, label, err, &st);
	if (err)
		return;
	if (times)
		obs_times(p, r, &st);
	if (S_ISREG(st.st_mode))
		obs(r, ",pos=%lld", (long long)lseek(fs->fd[slot], 0, SEEK_CUR));
	if (data)
		obs_slot_data(fs, r, slot);
}

/* What an operation touches: its paths and their parents, its file descriptor. */
struct touched {
	const char *path[4];
	int npath;
	bool slot;
	bool data;	/* it can change file contents */
};

static void touched_of(const struct op *op, struct touched *t, char pbuf[2][PATH_MAX])
{
	memset(t, 0, sizeof(*t));
	switch (op->code) {
	case OP_RENAME: case OP_LINK:
		t->path[t->npath++] = paths[op->p2];
		t->path[t->npath++] = parent_of(pbuf[1], paths[op->p2]);
		fallthrough;
	case OP_OPEN: case OP_TMPFILE: case OP_LINKAT_FD: case OP_TRUNCATE: case OP_MKDIR:
	case OP_RMDIR: case OP_UNLINK: case OP_SYMLINK: case OP_MKNOD:
		t->path[t->npath++] = paths[op->p1];
		t->path[t->npath++] = parent_of(pbuf[0], paths[op->p1]);
		break;
	case OP_STATX: case OP_STATFS:
	case OP_SETXATTR: case OP_GETXATTR: case OP_LISTXATTR: case OP_REMOVEXATTR:
		if (op->sub)	/* on the file descriptor */
			break;
		fallthrough;
	case OP_READLINK: case OP_CHMOD: case OP_CHOWN: case OP_UTIMENS: case OP_READDIR:
	case OP_STAT: case OP_ACCESS: case OP_SETACL:
		t->path[t->npath++] = paths[op->p1];
		break;
	default:
		break;
	}
	switch (op->code) {
	case OP_OPEN: case OP_TMPFILE: case OP_LINKAT_FD: case OP_CLOSE: case OP_READ:
	case OP_PREAD: case OP_WRITE: case OP_PWRITE: case OP_LSEEK: case OP_FTRUNCATE:
	case OP_FALLOCATE: case OP_MMAP: case OP_FSYNC: case OP_FCHMOD: case OP_FCHOWN:
	case OP_GETDENTS: case OP_FSTAT:
		t->slot = true;
		break;
	case OP_SETXATTR: case OP_GETXATTR: case OP_LISTXATTR: case OP_REMOVEXATTR:
	case OP_STATX: case OP_STATFS:
		t->slot = op->sub;
		break;
	default:
		break;
	}
	switch (op->code) {
	case OP_OPEN: case OP_WRITE: case OP_PWRITE: case OP_FTRUNCATE: case OP_TRUNCATE:
	case OP_FALLOCATE: case OP_MMAP: case OP_LINKAT_FD:
		t->data = true;
		break;
	default:
		break;
	}
}

static void reset_times(struct fsys *fs, const struct op *op, const struct touched *t)
{
	const struct timespec old[2] = { { OLD_TIME, 0 }, { OLD_TIME, 0 } };
	int i;

	for (i = 0; i < t->npath; i++)
		utimensat(fs->root, t->path[i], old, AT_SYMLINK_NOFOLLOW);
	if (t->slot && fs->fd[op->slot] >= 0)
		futimens(fs->fd[op->slot], old);
}

/* As struct posix_acl_xattr_entry: 8 bytes, no padding. */
struct acl_entry {
	uint16_t tag, perm;
	uint32_t id;
};

static size_t acl_add(unsigned char *buf, size_t n, uint64_t *g, uint16_t tag, uint32_t id)
{
	struct acl_entry e = { .tag = tag, .perm = rnd(g, 8), .id = id };

	memcpy(buf + n, &e, sizeof(e));
	return n + sizeof(e);
}

/* A valid (mostly) POSIX ACL built from @seed, in the xattr format. */
static size_t make_acl(unsigned char *buf, uint32_t seed)
{
	const uint32_t version = 2;	/* POSIX_ACL_XATTR_VERSION, little endian here */
	uint64_t g = seed;
	bool named = false;
	size_t n = sizeof(version);
	int i;

	memcpy(buf, &version, sizeof(version));
	n = acl_add(buf, n, &g, 0x01, -1);		/* ACL_USER_OBJ */
	for (i = 0; i < 3; i++)
		if (chance(&g, 25)) {
			n = acl_add(buf, n, &g, 0x02, i);	/* ACL_USER */
			named = true;
		}
	n = acl_add(buf, n, &g, 0x04, -1);		/* ACL_GROUP_OBJ */
	for (i = 0; i < 3; i++)
		if (chance(&g, 25)) {
			n = acl_add(buf, n, &g, 0x08, i);	/* ACL_GROUP */
			named = true;
		}
	/* A named entry needs a mask: leave it out now and then, for EINVAL. */
	if ((named && !chance(&g, 5)) || chance(&g, 10))
		n = acl_add(buf, n, &g, 0x10, -1);	/* ACL_MASK */
	return acl_add(buf, n, &g, 0x20, -1);		/* ACL_OTHER */
}

struct dent {
	char name[256];
	unsigned char type;
	long long off;
};

static int dent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dent *)a)->name, ((const struct dent *)b)->name);
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Reads up to @max entries from @fd with getdents64(@bufsize); returns -1 or the last result. */
static long read_dents(int fd, size_t bufsize, struct dent *d, int max, int *nd, bool once)
{
	uint64_t words[8192 / sizeof(uint64_t)];	/* aligned for the entries */
	char *buf = (char *)words;
	long n;

	*nd = 0;
	for (;;) {
		long pos = 0;

		n = syscall(SYS_getdents64, fd, buf, bufsize);
		if (n <= 0)
			return n;
		while (pos < n) {
			struct linux_dirent64 *e = (void *)(buf + pos);

			if (*nd < max) {
				snprintf(d[*nd].name, sizeof(d->name), "%s", e->d_name);
				d[*nd].type = e->d_type;
				d[*nd].off = e->d_off;
				(*nd)++;
			}
			pos += e->d_reclen;
		}
		if (once)
			return n;
	}
}

static void obs_dents(const struct pair *p, struct res *r, struct dent *d, int nd, bool offs)
{
	int i;

	if (!cmp_order(p))
		qsort(d, nd, sizeof(*d), dent_cmp);
	obs(r, " [");
	for (i = 0; i < nd; i++) {
		obs(r, "%s%s:%u", i ? " " : "", d[i].name, d[i].type);
		if (offs)
			obs(r, "@%lld", d[i].off);
	}
	obs(r, "]");
}

static void obs_xattr_value(struct res *r, const unsigned char *v, long n)
{
	if (n <= 0)
		return;
	obs(r, " value=%ld:%016llx", n, (unsigned long long)fnv(FNV_INIT, v, n));
}

static void obs_xattr_list(struct res *r, const char *list, long n)
{
	long i;

	obs(r, " list=[");
	for (i = 0; i < n; i++)
		obs(r, "%c", list[i] ? list[i] : ' ');
	obs(r, "]");
}

static void close_slot(struct fsys *fs, int slot)
{
	if (fs->fd[slot] >= 0)
		close(fs->fd[slot]);
	fs->fd[slot] = -1;
}

/* Path-based calls without an *at form go through the mount's directory. */
static char *full_path(char *buf, const struct fsys *fs, const char *path)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", fs->dir, path) >= PATH_MAX)
		abort();
	return buf;
}

static int setxattr_path(const struct fsys *fs, const char *path, const char *name,
			 const void *v, size_t len, int flags)
{
	char full[PATH_MAX];

	return lsetxattr(full_path(full, fs, path), name, v, len, flags);
}

static ssize_t getxattr_path(const struct fsys *fs, const char *path, const char *name,
			     void *v, size_t len)
{
	char full[PATH_MAX];

	return lgetxattr(full_path(full, fs, path), name, v, len);
}

static ssize_t listxattr_path(const struct fsys *fs, const char *path, char *list, size_t len)
{
	char full[PATH_MAX];

	return llistxattr(full_path(full, fs, path), list, len);
}

static int removexattr_path(const struct fsys *fs, const char *path, const char *name)
{
	char full[PATH_MAX];

	return lremovexattr(full_path(full, fs, path), name);
}

static int statfs_path(const struct fsys *fs, const char *path, struct statfs *sf)
{
	char full[PATH_MAX];

	return statfs(full_path(full, fs, path), sf);
}

/* The operation proper; sets r->ret and r->err. */
static void do_op(const struct pair *p, struct fsys *fs, const struct op *op, struct res *r)
{
	static unsigned char buf[70000 + 16];
	static struct dent dents[512];
	const char *p1 = paths[op->p1], *p2 = paths[op->p2];
	int fd = fs->fd[op->slot], nd;
	long n;

	switch (op->code) {
	case OP_OPEN:
		close_slot(fs, op->slot);
		n = set_res(r, openat(fs->root, p1, op->flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
				      op->mode));
		if (n >= 0) {
			fs->fd[op->slot] = n;
			r->ret = 0;
		}
		break;
	case OP_TMPFILE:
		close_slot(fs, op->slot);
		n = set_res(r, openat(fs->root, p1, op->flags | O_TMPFILE | O_CLOEXEC, op->mode));
		if (n >= 0) {
			fs->fd[op->slot] = n;
			r->ret = 0;
		}
		break;
	case OP_LINKAT_FD:
		if (op->sub) {
			char proc[64];

			snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
			set_res(r, linkat(AT_FDCWD, proc, fs->root, p1, AT_SYMLINK_FOLLOW));
		} else {
			set_res(r, linkat(fd, "", fs->root, p1, AT_EMPTY_PATH));
		}
		break;
	case OP_CLOSE:
		set_res(r, fd < 0 ? (errno = EBADF, -1) : close(fd));
		fs->fd[op->slot] = -1;
		break;
	case OP_READ: case OP_PREAD:
		if (op->code == OP_READ)
			n = set_res(r, read(fd, buf, op->b));
		else
			n = set_res(r, pread(fd, buf, op->b, op->a));
		if (n > 0)
			obs(r, " read=%016llx", (unsigned long long)fnv(FNV_INIT, buf, n));
		break;
	case OP_WRITE: case OP_PWRITE:
		fill(buf, op->b, op->seed);
		if (op->code == OP_WRITE)
			set_res(r, write(fd, buf, op->b));
		else
			set_res(r, pwrite(fd, buf, op->b, op->a));
		break;
	case OP_LSEEK: {
		static const int wh[] = { SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE };
		struct stat st;

		/* Directory offsets are positions in ramfs, cookies in tmpfs. */
		if (!cmp_order(p) && !fstat(fd, &st) && S_ISDIR(st.st_mode)) {
			obs(r, " (directory: not compared)");
			r->ret = 0;
			break;
		}
		set_res(r, lseek(fd, op->a, wh[op->sub]));
		break;
	}
	case OP_FTRUNCATE:
		set_res(r, ftruncate(fd, op->a));
		break;
	case OP_TRUNCATE: {
		char full[PATH_MAX];

		set_res(r, truncate(full_path(full, fs, p1), op->a));
		break;
	}
	case OP_FALLOCATE:
		set_res(r, fallocate(fd, op->flags, op->a, op->b));
		break;
	case OP_MMAP: {
		struct stat st;
		long pg = sysconf(_SC_PAGESIZE);
		off_t moff, end;
		size_t len;
		int prot = PROT_READ | (op->sub & 1 ? PROT_WRITE : 0), i;
		unsigned char *m;

		if (set_res(r, fstat(fd, &st)) < 0)
			break;
		moff = st.st_size ? (op->a % st.st_size) / pg * pg : 0;
		len = op->b * pg;
		m = mmap(NULL, len, prot, op->sub & 2 ? MAP_PRIVATE : MAP_SHARED, fd, moff);
		if (m == MAP_FAILED) {
			set_res(r, -1);
			break;
		}
		r->ret = 0;
		/* Only within the file's size: beyond it (past its last page) is SIGBUS. */
		end = st.st_size < moff + (off_t)len ? st.st_size : moff + (off_t)len;
		if (end > moff) {
			obs(r, " mapped=%016llx",
			    (unsigned long long)fnv(FNV_INIT, m, end - moff));
			if (op->sub & 1) {
				uint64_t g = op->seed;

				for (i = 0; i < 8; i++) {
					size_t at = rnd(&g, end - moff), l = 1 + rnd(&g, 600);

					if (at + l > (size_t)(end - moff))
						l = end - moff - at;
					fill(m + at, l, op->seed + i);
				}
			}
		}
		if (op->flags)
			obs(r, " msync=%d", msync(m, len, op->flags == 1 ? MS_SYNC : MS_ASYNC) ?
			    errno : 0);
		munmap(m, len);
		break;
	}
	case OP_FSYNC:
		set_res(r, op->sub ? fdatasync(fd) : fsync(fd));
		break;
	case OP_MKDIR:
		set_res(r, mkdirat(fs->root, p1, op->mode));
		break;
	case OP_RMDIR:
		set_res(r, unlinkat(fs->root, p1, AT_REMOVEDIR));
		break;
	case OP_UNLINK:
		set_res(r, unlinkat(fs->root, p1, 0));
		break;
	case OP_RENAME:
		set_res(r, syscall(SYS_renameat2, fs->root, p1, fs->root, p2, op->flags));
		break;
	case OP_LINK:
		set_res(r, linkat(fs->root, p1, fs->root, p2, op->flags));
		break;
	case OP_SYMLINK:
		set_res(r, symlinkat(targets[op->a], fs->root, p1));
		break;
	case OP_READLINK:
		n = set_res(r, readlinkat(fs->root, p1, (char *)buf, op->b));
		if (n > 0)
			obs(r, " target=\"%.*s\"", (int)n, buf);
		break;
	case OP_MKNOD:
		set_res(r, mknodat(fs->root, p1, op->mode, op->a));
		break;
	case OP_CHMOD:
		set_res(r, fchmodat(fs->root, p1, op->mode, 0));
		break;
	case OP_FCHMOD:
		set_res(r, fchmod(fd, op->mode));
		break;
	case OP_CHOWN:
		set_res(r, fchownat(fs->root, p1, op->a, op->b, op->flags));
		break;
	case OP_FCHOWN:
		set_res(r, fchown(fd, op->a, op->b));
		break;
	case OP_UTIMENS: {
		struct timespec ts[2] = {
			{ op->a / 1000000000, op->a % 1000000000 },
			{ op->b / 1000000000, op->b % 1000000000 },
		};
		struct stat st;

		if (op->a < 0)
			ts[0] = (struct timespec){ 0, UTIME_OMIT };
		if (op->b < 0)
			ts[1] = (struct timespec){ 0, UTIME_OMIT };
		if (set_res(r, utimensat(fs->root, p1, ts, op->flags)) < 0)
			break;
		/* The explicit times must be the ones set. */
		if (fstatat(fs->root, p1, &st, op->flags))
			break;
		if (op->a >= 0)
			obs(r, " atime=%lld.%09ld", (long long)st.st_atim.tv_sec,
			    st.st_atim.tv_nsec);
		if (op->b >= 0)
			obs(r, " mtime=%lld.%09ld", (long long)st.st_mtim.tv_sec,
			    st.st_mtim.tv_nsec);
		break;
	}
	case OP_SETXATTR: {
		const char *name = xattr_names[op->a];
		int xf = op->flags == 1 ? XATTR_CREATE : op->flags == 2 ? XATTR_REPLACE : 0;

		fill(buf, op->b, op->seed);
		if (op->sub)
			set_res(r, fsetxattr(fd, name, buf, op->b, xf));
		else
			set_res(r, setxattr_path(fs, p1, name, buf, op->b, xf));
		break;
	}
	case OP_SETACL: {
		size_t len = make_acl(buf, op->seed);
		int xf = op->flags == 1 ? XATTR_CREATE : op->flags == 2 ? XATTR_REPLACE : 0;

		set_res(r, setxattr_path(fs, p1, xattr_names[4 + op->sub], buf, len, xf));
		break;
	}
	case OP_GETXATTR: {
		const char *name = xattr_names[op->a];

		if (op->sub)
			n = set_res(r, fgetxattr(fd, name, buf, op->b));
		else
			n = set_res(r, getxattr_path(fs, p1, name, buf, op->b));
		if (op->b)
			obs_xattr_value(r, buf, n);
		break;
	}
	case OP_LISTXATTR:
		if (op->sub)
			n = set_res(r, flistxattr(fd, (char *)buf, op->b));
		else
			n = set_res(r, listxattr_path(fs, p1, (char *)buf, op->b));
		if (op->b && n > 0)
			obs_xattr_list(r, (char *)buf, n);
		break;
	case OP_REMOVEXATTR:
		if (op->sub)
			set_res(r, fremovexattr(fd, xattr_names[op->a]));
		else
			set_res(r, removexattr_path(fs, p1, xattr_names[op->a]));
		break;
	case OP_GETDENTS: {
		struct stat st;

		if (!cmp_order(p)) {
			/*
			 * Entry order and offsets differ by design: read all
			 * entries from the start and compare them as a set.
			 */
			if (!fstat(fd, &st) && S_ISDIR(st.st_mode))
				lseek(fd, 0, SEEK_SET);
			n = set_res(r, read_dents(fd, op->b, dents, 512, &nd, false));
			if (n >= 0)
				r->ret = nd;
			obs_dents(p, r, dents, nd, false);
		} else {
			n = set_res(r, read_dents(fd, op->b, dents, 512, &nd, true));
			obs_dents(p, r, dents, nd, true);
		}
		break;
	}
	case OP_READDIR: {
		int dfd = set_res(r, openat(fs->root, p1, O_RDONLY | O_DIRECTORY | O_CLOEXEC));

		if (dfd < 0)
			break;
		n = set_res(r, read_dents(dfd, op->b, dents, 512, &nd, false));
		if (n >= 0)
			r->ret = nd;
		obs_dents(p, r, dents, nd, false);
		close(dfd);
		break;
	}
	case OP_STAT: {
		struct stat st;

		if (set_res(r, fstatat(fs->root, p1, &st, op->flags)) == 0)
			obs_stat(p, r, "st", 0, &st);
		break;
	}
	case OP_FSTAT: {
		struct stat st;

		if (set_res(r, fstat(fd, &st)) == 0)
			obs_stat(p, r, "st", 0, &st);
		break;
	}
	case OP_STATX: {
		struct statx sx;
		uint32_t mask;

		if (op->sub)
			n = set_res(r, statx(fd, "", AT_EMPTY_PATH | op->flags, op->mode, &sx));
		else
			n = set_res(r, statx(fs->root, p1, op->flags, op->mode, &sx));
		if (n)
			break;
		/*
		 * btime and the statx attributes are tmpfs's only, and tmpfs
		 * has multigrain times: it reports mtime and ctime only when
		 * asked for them.
		 */
		mask = sx.stx_mask;
		if (!cmp_times(p))
			mask &= STATX_BASIC_STATS & ~(STATX_ATIME | STATX_MTIME | STATX_CTIME);
		obs(r, " mask=%#x,mode=%o,nlink=%u,uid=%u,gid=%u", mask, sx.stx_mode,
		    sx.stx_nlink, sx.stx_uid, sx.stx_gid);
		if (!S_ISDIR(sx.stx_mode) || cmp_dirsize(p))
			obs(r, ",size=%llu", (unsigned long long)sx.stx_size);
		if (cmp_blocks(p))
			obs(r, ",blocks=%llu,attr=%llx/%llx,blksize=%u",
			    (unsigned long long)sx.stx_blocks,
			    (unsigned long long)sx.stx_attributes,
			    (unsigned long long)sx.stx_attributes_mask, sx.stx_blksize);
		if (S_ISCHR(sx.stx_mode))
			obs(r, ",rdev=%u:%u", sx.stx_rdev_major, sx.stx_rdev_minor);
		break;
	}
	case OP_STATFS: {
		struct statfs sf;

		if (op->sub)
			n = set_res(r, fstatfs(fd, &sf));
		else
			n = set_res(r, statfs_path(fs, p1, &sf));
		if (n)
			break;
		obs(r, " bsize=%ld,frsize=%ld,namelen=%ld,flags=%#lx", (long)sf.f_bsize,
		    (long)sf.f_frsize, (long)sf.f_namelen, (long)sf.f_flags);
		obs(r, ",blocks=%llu,files=%llu,ffree=%llu", (unsigned long long)sf.f_blocks,
		    (unsigned long long)sf.f_files, (unsigned long long)sf.f_ffree);
		if (cmp_blocks(p))
			obs(r, ",bfree=%llu,bavail=%llu", (unsigned long long)sf.f_bfree,
			    (unsigned long long)sf.f_bavail);
		break;
	}
	case OP_ACCESS:
		set_res(r, faccessat(fs->root, p1, op->mode, op->flags));
		break;
	default:
		abort();
	}
}

/* Runs @op on @fs and observes what it touched, as root. */
static void run_op(const struct pair *p, struct fsys *fs, const struct op *op, struct res *r)
{
	char pbuf[2][PATH_MAX];
	struct touched t;
	int i;

	r->obs.len = 0;
	if (r->obs.buf)
		r->obs.buf[0] = '\0';
	r->ret = 0;
	r->err = 0;
	touched_of(op, &t, pbuf);
	if (cmp_times(p))
		reset_times(fs, op, &t);
	if (op->cred) {
		setfsgid(op->cred);
		setfsuid(op->cred);
	}
	do_op(p, fs, op, r);
	if (op->cred) {
		setfsuid(0);
		setfsgid(0);
	}
	obs(r, " |");
	/* Metadata first: reading the data below changes atime, and blocks. */
	for (i = 0; i < t.npath; i++) {
		/*
		 * truncate(2) asks for no time update; ramfs makes none, even
		 * when the size changes, rust_ramfs updates mtime and ctime
		 * as tmpfs does: a known difference (rust_ramfs_test.c,
		 * attr_truncate_times), compared only with -k.
		 */
		bool times = !(op->code == OP_TRUNCATE && i == 0 && !known);

		obs_path(p, fs, r, t.path[i], false, times);
	}
	/*
	 * Times of a file the operation opened were not reset before it:
	 * they would only show earlier (known) differences again.
	 */
	if (t.slot)
		obs_slot(p, fs, r, op->slot, false,
			 op->code != OP_OPEN && op->code != OP_TMPFILE);
	if (!t.data)
		return;
	for (i = 0; i < t.npath; i++)
		obs_path_data(fs, r, t.path[i]);
	if (t.slot)
		obs_slot_data(fs, r, op->slot);
}

/* ---- the whole tree ----------------------------------------------------- */

static void dump_xattrs(struct fsys *fs, struct res *r, const char *rel)
{
	static char list[65536];
	static unsigned char val[65536];
	char full[PATH_MAX], *names[256], *s;
	ssize_t n, v;
	int i, nn = 0;

	n = llistxattr(full_path(full, fs, rel), list, sizeof(list));
	if (n < 0) {
		obs(r, " xattrs:%s", errname(errno));
		return;
	}
	for (s = list; s < list + n && nn < 256; s += strlen(s) + 1)
		names[nn++] = s;
	for (i = 1; i < nn; i++) {	/* insertion sort: a handful of names */
		char *x = names[i];
		int j = i;

		for (; j > 0 && strcmp(names[j - 1], x) > 0; j--)
			names[j] = names[j - 1];
		names[j] = x;
	}
	for (i = 0; i < nn; i++) {
		v = lgetxattr(full, names[i], val, sizeof(val));
		obs(r, " %s", names[i]);
		if (v < 0)
			obs(r, ":%s", errname(errno));
		else
			obs(r, "=%zd:%016llx", v, (unsigned long long)fnv(FNV_INIT, val, v));
	}
}

static void dump_dir(const struct pair *p, struct fsys *fs, struct res *r, const char *rel,
		     int depth)
{
	struct dent *d = calloc(512, sizeof(*d));
	char child[PATH_MAX], target[PATH_MAX];
	struct stat st;
	int fd, nd = 0, i;
	ssize_t n;

	if (!d)
		abort();
	fd = openat(fs->root, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		obs(r, "%s: open %s\n", rel, errname(errno));
		free(d);
		return;
	}
	if (read_dents(fd, 4096, d, 512, &nd, false) < 0)
		obs(r, "%s: getdents64 %s\n", rel, errname(errno));
	close(fd);
	if (cmp_order(p)) {
		obs(r, "%s: order", rel);
		for (i = 0; i < nd; i++)
			obs(r, " %s@%lld", d[i].name, d[i].off);
		obs(r, "\n");
	}
	qsort(d, nd, sizeof(*d), dent_cmp);
	for (i = 0; i < nd; i++) {
		if (!strcmp(d[i].name, ".") || !strcmp(d[i].name, ".."))
			continue;
		if (!strcmp(rel, "."))
			snprintf(child, sizeof(child), "%s", d[i].name);
		else
			snprintf(child, sizeof(child), "%s/%s", rel, d[i].name);
		obs(r, "%s: d_type=%u", child, d[i].type);
		if (fstatat(fs->root, child, &st, AT_SYMLINK_NOFOLLOW)) {
			obs(r, " stat:%s\n", errname(errno));
			continue;
		}
		obs_stat(p, r, "st", 0, &st);
		if (S_ISREG(st.st_mode))
			obs_path_data(fs, r, child);
		if (S_ISLNK(st.st_mode)) {
			n = readlinkat(fs->root, child, target, sizeof(target));
			obs(r, " target=\"%.*s\"", n < 0 ? 0 : (int)n, target);
		}
		dump_xattrs(fs, r, child);
		obs(r, "\n");
		if (S_ISDIR(st.st_mode) && depth < 16)
			dump_dir(p, fs, r, child, depth + 1);
	}
	free(d);
}

static void dump_tree(const struct pair *p, struct fsys *fs, struct res *r)
{
	struct statfs sf;
	struct stat st;
	int i;

	r->obs.len = 0;
	obs(r, ".:");
	if (fstat(fs->root, &st))
		obs(r, " stat:%s", errname(errno));
	else
		obs_stat(p, r, "st", 0, &st);
	dump_xattrs(fs, r, ".");
	obs(r, "\n");
	if (!fstatfs(fs->root, &sf)) {
		obs(r, "statfs: bsize=%ld,namelen=%ld,blocks=%llu,files=%llu,ffree=%llu",
		    (long)sf.f_bsize, (long)sf.f_namelen, (unsigned long long)sf.f_blocks,
		    (unsigned long long)sf.f_files, (unsigned long long)sf.f_ffree);
		if (cmp_blocks(p))
			obs(r, ",bfree=%llu", (unsigned long long)sf.f_bfree);
		obs(r, "\n");
	}
	dump_dir(p, fs, r, ".", 0);
	for (i = 0; i < NFD; i++) {
		obs(r, "slot:");
		obs_slot(p, fs, r, i, true, false);
		obs(r, "\n");
	}
}

/* ---- mounting ----------------------------------------------------------- */

static int pair_mount(struct pair *p)
{
	int i, j;

	cur_pair = p;
	for (i = 0; i < 2; i++) {
		struct fsys *fs = &p->fs[i];

		for (j = 0; j < NFD; j++)
			fs->fd[j] = -1;
		fs->root = -1;
		if (mount("rust_ramfs_fuzz", fs->dir, fs->type, 0, fs->opts)) {
			printf("# mount -t %s -o '%s': %s\n", fs->type, fs->opts, strerror(errno));
			return -1;
		}
		fs->mounted = true;
		fs->root = open(fs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fs->root < 0) {
			printf("# open %s: %s\n", fs->dir, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void fs_umount(struct fsys *fs)
{
	int j;

	for (j = 0; j < NFD; j++)
		close_slot(fs, j);
	if (fs->root >= 0)
		close(fs->root);
	fs->root = -1;
	if (fs->mounted && umount2(fs->dir, 0)) {
		printf("# umount %s: %s, detaching it\n", fs->dir, strerror(errno));
		umount2(fs->dir, MNT_DETACH);
	}
	fs->mounted = false;
}

static void pair_umount(struct pair *p)
{
	fs_umount(&p->fs[0]);
	fs_umount(&p->fs[1]);
	cur_pair = NULL;
}

static void cleanup(void)
{
	char d[PATH_MAX + 8];

	if (cur_pair) {
		/* No printf: this also runs in a signal handler. */
		umount2(cur_pair->fs[0].dir, MNT_DETACH);
		umount2(cur_pair->fs[1].dir, MNT_DETACH);
		cur_pair = NULL;
	}
	if (basedir[0]) {
		snprintf(d, sizeof(d), "%s/ref", basedir);
		rmdir(d);
		snprintf(d, sizeof(d), "%s/cand", basedir);
		rmdir(d);
		rmdir(basedir);
		basedir[0] = '\0';
	}
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static bool fs_registered(const char *type)
{
	char line[256], name[64];
	bool found = false;
	FILE *f = fopen("/proc/filesystems", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "nodev %63s", name) == 1 || sscanf(line, "%63s", name) == 1)
			found = !strcmp(name, type);
	fclose(f);
	return found;
}

static bool fs_available(const char *type)
{
	char cmd[128];

	if (fs_registered(type))
		return true;
	snprintf(cmd, sizeof(cmd), "modprobe %s >/dev/null 2>&1", type);
	return !system(cmd) && fs_registered(type);
}

/* ---- running sequences -------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fmt_res(char *buf, size_t size, const struct res *r)
{
	if (r->ret < 0)
		snprintf(buf, size, "%ld %s", r->ret, errname(r->err));
	else
		snprintf(buf, size, "%ld", r->ret);
}

static const char *obs_str(const struct res *r)
{
	return r->obs.buf ? r->obs.buf : "";
}

static bool res_equal(const struct res *a, const struct res *b)
{
	return a->ret == b->ret && a->err == b->err && !strcmp(obs_str(a), obs_str(b));
}

static void print_lines(const char *prefix, const char *s, int max)
{
	while (*s && max-- > 0) {
		const char *e = strchrnul(s, '\n');

		printf("# %s%.*s\n", prefix, (int)(e - s), s);
		s = *e ? e + 1 : e;
	}
}

/* Prints the first line where the dumps @a and @b differ. */
static void why_tree(struct sbuf *why, const struct pair *p, const char *a, const char *b)
{
	while (*a && *b) {
		const char *ea = strchrnul(a, '\n'), *eb = strchrnul(b, '\n');

		if (ea - a != eb - b || memcmp(a, b, ea - a))
			break;
		a = *ea ? ea + 1 : ea;
		b = *eb ? eb + 1 : eb;
	}
	sb_printf(why, "trees differ:\n  %s: %.*s\n  %s: %.*s\n", p->fs[0].type,
		  (int)(strchrnul(a, '\n') - a), a, p->fs[1].type, (int)(strchrnul(b, '\n') - b),
		  b);
}

static struct res res[2];
static long long total_ops;	/* not counting the replays of shrinking */
static bool shrinking;
/* How the last run_ops() diverged: the code of the operation, or -1 for the trees. */
static int diverged_on;

static bool check_trees(const struct pair *p, struct sbuf *why)
{
	dump_tree(p, (struct fsys *)&p->fs[0], &res[0]);
	dump_tree(p, (struct fsys *)&p->fs[1], &res[1]);
	if (!strcmp(obs_str(&res[0]), obs_str(&res[1])))
		return true;
	if (why)
		why_tree(why, p, obs_str(&res[0]), obs_str(&res[1]));
	return false;
}

/*
 * Runs @n operations on a freshly mounted pair, printing each one with @print.
 * Returns the index of the operation after which the file systems diverged,
 * -1 if they did not, -2 if they could not be mounted. *@ran: how many ran
 * before @deadline.
 */
static int run_ops(struct pair *p, const struct op *ops, int n, bool print, struct sbuf *why,
		   double deadline, int *ran)
{
	char line[512], ra[64], rb[64];
	int i, ret = -1;

	if (pair_mount(p)) {
		pair_umount(p);
		return -2;
	}
	for (i = 0; i < n; i++) {
		if (!(i & 63) && deadline && now() > deadline)
			break;
		run_op(p, &p->fs[0], &ops[i], &res[0]);
		run_op(p, &p->fs[1], &ops[i], &res[1]);
		total_ops += !shrinking;
		if (print || verbose > 1) {
			fmt_op(line, sizeof(line), &ops[i]);
			fmt_res(ra, sizeof(ra), &res[0]);
			fmt_res(rb, sizeof(rb), &res[1]);
			printf("# %5d: %s = %s | %s\n", i + 1, line, ra, rb);
		}
		if (!res_equal(&res[0], &res[1])) {
			if (why) {
				fmt_op(line, sizeof(line), &ops[i]);
				fmt_res(ra, sizeof(ra), &res[0]);
				fmt_res(rb, sizeof(rb), &res[1]);
				sb_printf(why, "step %d: %s\n  %s: = %s%s\n  %s: = %s%s\n", i + 1,
					  line, p->fs[0].type, ra, obs_str(&res[0]), p->fs[1].type,
					  rb, obs_str(&res[1]));
			}
			ret = i;
			diverged_on = ops[i].code;
			goto out;
		}
		if ((i + 1) % check_every == 0 && !check_trees(p, why)) {
			ret = i;
			diverged_on = -1;
			goto out;
		}
	}
	if (ran)
		*ran = i;
	if (i && !check_trees(p, why)) {
		ret = i - 1;
		diverged_on = -1;
	}
out:
	pair_umount(p);
	return ret;
}

/*
 * Delta debugging (complements only): the shortest prefix-closed subset that
 * diverges the same way, at an operation of the same kind or in the trees, so
 * that the reproducer shows the bug found and not another one.
 */
static int shrink(struct pair *p, struct op *ops, int n, double budget, int max_tries)
{
	int want = diverged_on;
	struct op *tmp = malloc(n * sizeof(*tmp));
	double end = now() + budget;
	int gran = 2, tries = 0;

	if (!tmp)
		abort();
	while (n >= 2 && now() < end && tries < max_tries) {
		int chunk = (n + gran - 1) / gran, start;
		bool reduced = false;

		for (start = 0; start < n && now() < end && tries < max_tries; start += chunk) {
			int m = 0, i, step;

			for (i = 0; i < n; i++)
				if (i < start || i >= start + chunk)
					tmp[m++] = ops[i];
			if (!m)
				continue;
			tries++;
			step = run_ops(p, tmp, m, false, NULL, 0, NULL);
			if (step >= 0 && diverged_on == want) {
				n = step + 1;
				memcpy(ops, tmp, n * sizeof(*ops));
				gran = gran > 2 ? gran - 1 : 2;
				reduced = true;
				break;
			}
		}
		if (!reduced) {
			if (gran >= n)
				break;
			gran = gran * 2 < n ? gran * 2 : n;
		}
	}
	if (verbose)
		printf("# shrinking: %d replays, %s\n", tries,
		       n < 2 || gran >= n ? "minimal" : "budget exhausted");
	free(tmp);
	return n;
}

static void gen_ops(struct op *ops, int n, uint64_t seed, enum profile prof)
{
	uint64_t g = seed;
	int i, j = 0;

	for (i = 0; i < n; i++) {
		/*
		 * Every 250 operations, and first, mkdir d0..d2, d0/d0..d0/d2
		 * and d1/d0..d1/d2 (they fail if the names exist), so that the
		 * deeper paths keep resolving.
		 */
		if (i % 250 < 9) {
			memset(&ops[i], 0, sizeof(ops[i]));
			ops[i].code = OP_MKDIR;
			ops[i].mode = 0777;
			j = i % 250;
			ops[i].p1 = j < 3 ? D1 + j : D2 + (j / 3 - 1) * NNAMES + j % 3;
			continue;
		}
		gen_op(&g, prof, &ops[i]);
	}
}

/* Runs a sequence; on divergence shrinks it and prints it. Returns false if it diverged. */
static bool run_sequence(struct pair *p, const char *pname, uint64_t seed, int nops,
			 double deadline, double shrink_budget)
{
	struct op *ops = calloc(nops, sizeof(*ops));
	struct sbuf why = { 0 };
	int step, ran = nops, n;

	if (!ops)
		abort();
	gen_ops(ops, nops, seed, p->prof);
	printf("# pair %s seed %llu ops %d\n", p->name, (unsigned long long)seed, nops);
	fflush(stdout);
	step = run_ops(p, ops, nops, false, &why, deadline, &ran);
	if (step == -2) {
		printf("# could not mount the pair\n");
		free(ops);
		return false;
	}
	if (step == -1) {
		if (ran < nops)
			printf("# stopped after %d ops: out of time\n", ran);
		free(ops);
		return true;
	}
	printf("# DIVERGENCE: pair %s seed %llu after step %d of %d\n", p->name,
	       (unsigned long long)seed, step + 1, nops);
	print_lines("  ", why.buf, 20);
	printf("# replay with: rust_ramfs_fuzz %s -R %llu:%d%s\n", pname,
	       (unsigned long long)seed, step + 1, known ? " -k" : "");
	fflush(stdout);
	shrinking = true;
	n = shrink(p, ops, step + 1, shrink_budget, 5000);
	printf("# minimal reproducer (%d ops; %s | %s):\n", n, p->fs[0].type, p->fs[1].type);
	why.len = 0;
	step = run_ops(p, ops, n, true, &why, 0, NULL);
	shrinking = false;
	if (step >= 0)
		print_lines("  ", why.buf, 20);
	else
		printf("# (the shrunk sequence did not diverge again: flaky?)\n");
	free(why.buf);
	free(ops);
	return false;
}

/* ---- main --------------------------------------------------------------- */

static void print_help(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-s SEED] [-n OPS_PER_SEQ] [-r SEQUENCES] [-t SECONDS]\n"
		"          [-p ramfs|tmpfs|all] [-R SEED:NOPS] [-k] [-v]\n"
		"  -s SEED     seed of the first sequence (default: from the time)\n"
		"  -n OPS      operations per sequence (default %d)\n"
		"  -r SEQS     sequences per pair (default %d)\n"
		"  -t SECONDS  time budget of the whole run (default %d)\n"
		"  -p PAIR     ramfs: ramfs vs rust_ramfs; tmpfs: tmpfs vs rust_ramfs; all\n"
		"  -R SEED:N   replay (and shrink) one sequence\n"
		"  -k          also compare the known, documented differences from ramfs\n"
		"              (RENAME_WHITEOUT, times of truncate(2))\n"
		"  -v          more output (twice: every operation)\n"
		"  -C N        compare the whole trees every N operations (default %d)\n"
		"  -P REF:CAND:ramfs|tmpfs[:REFOPTS[:CANDOPTS]]  any pair of file\n"
		"              system types, compared as the ramfs or the tmpfs pair\n",
		argv0, DEFAULT_OPS, DEFAULT_SEQS, DEFAULT_TIME, CHECK_EVERY);
	exit(2);
}

/* The tmpfs pair: the same root and limits on both sides. */
#define TMPFS_OPTS "mode=0775,uid=1,gid=2,size=256m,nr_inodes=100"

int main(int argc, char **argv)
{
	struct pair pairs[3] = {
		{ "ramfs/rust_ramfs", PROF_RAMFS,
		  { { .type = "ramfs", .opts = "" }, { .type = "rust_ramfs", .opts = "" } } },
		{ "tmpfs/rust_ramfs", PROF_TMPFS,
		  { { .type = "tmpfs", .opts = TMPFS_OPTS },
		    { .type = "rust_ramfs", .opts = "xattr,acl," TMPFS_OPTS } } },
	};
	const char *pname = "all", *pnames[3] = { "-p ramfs", "-p tmpfs", NULL };
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	unsigned long long rseed = 0;
	int nops = DEFAULT_OPS, nseq = DEFAULT_SEQS, rops = 0, c, i, k, npairs = 0, failed = 0;
	int use[3] = { 0 }, seqs = 0;
	double tbudget = DEFAULT_TIME, start;
	char *custom = NULL;

	while ((c = getopt(argc, argv, "s:n:r:t:p:R:P:C:kvh")) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			nops = atoi(optarg);
			break;
		case 'r':
			nseq = atoi(optarg);
			break;
		case 't':
			tbudget = atof(optarg);
			break;
		case 'p':
			pname = optarg;
			break;
		case 'R':
			if (sscanf(optarg, "%llu:%d", &rseed, &rops) != 2 || rops <= 0)
				print_help(argv[0]);
			break;
		case 'P':
			custom = optarg;
			break;
		case 'C':
			check_every = atoi(optarg);
			break;
		case 'k':
			known = true;
			break;
		case 'v':
			verbose++;
			break;
		default:
			print_help(argv[0]);
		}
	}
	if (nops <= 0 || nseq <= 0 || check_every <= 0 || optind != argc)
		print_help(argv[0]);
	if (custom) {
		/* REF:CAND:PROFILE[:REFOPTS[:CANDOPTS]] */
		char *f[5] = { 0 };

		asprintf((char **)&pnames[2], "-P %s", custom);
		for (i = 0; i < 5; i++)
			f[i] = strsep(&custom, ":");
		if (!f[0] || !f[1] || !f[2])
			print_help(argv[0]);
		pairs[2].prof = !strcmp(f[2], "tmpfs") ? PROF_TMPFS : PROF_RAMFS;
		pairs[2].fs[0].type = f[0];
		pairs[2].fs[0].opts = f[3] ? f[3] : "";
		pairs[2].fs[1].type = f[1];
		pairs[2].fs[1].opts = f[4] ? f[4] : "";
		asprintf((char **)&pairs[2].name, "%s/%s", f[0], f[1]);
		use[2] = 1;
		pname = "custom";
	} else if (!strcmp(pname, "all")) {
		use[0] = 1;
		use[1] = 1;
	} else if (!strcmp(pname, "ramfs")) {
		use[0] = 1;
	} else if (!strcmp(pname, "tmpfs")) {
		use[1] = 1;
	} else {
		print_help(argv[0]);
	}
	for (i = 0; i < 3; i++)
		npairs += use[i];

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", npairs);
	if (geteuid()) {
		for (k = 1; k <= npairs; k++)
			printf("ok %d # SKIP must be run as root\n", k);
		return 4;
	}
	init_paths();
	umask(0);
	strcpy(basedir, "/tmp/rust_ramfs_fuzz.XXXXXX");
	if (!mkdtemp(basedir)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	/* Writes to a FIFO without readers: EPIPE, the same on both sides. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGABRT, on_signal);
	for (i = 0; i < 3; i++) {
		snprintf(pairs[i].fs[0].dir, PATH_MAX, "%s/ref", basedir);
		snprintf(pairs[i].fs[1].dir, PATH_MAX, "%s/cand", basedir);
	}
	if (mkdir(pairs[0].fs[0].dir, 0755) || mkdir(pairs[0].fs[1].dir, 0755)) {
		perror("mkdir");
		return 1;
	}
	if (rops)
		printf("# replaying seed %llu, %d ops\n", rseed, rops);
	else
		printf("# seed %llu, %d sequences of %d ops per pair, %g s\n",
		       (unsigned long long)seed, nseq, nops, tbudget);

	start = now();
	for (i = 0, k = 0; i < 3; i++) {
		struct pair *p = &pairs[i];
		double deadline = start + tbudget * (k + 1) / npairs;
		bool ok = true;
		int s;

		if (!use[i])
			continue;
		k++;
		if (!fs_available(p->fs[0].type) || !fs_available(p->fs[1].type)) {
			printf("ok %d %s # SKIP %s not available\n", k, p->name,
			       fs_available(p->fs[0].type) ? p->fs[1].type : p->fs[0].type);
			continue;
		}
		if (rops) {
			ok = run_sequence(p, pnames[i], rseed, rops, 0, 120);
			seqs++;
		} else {
			for (s = 0; s < nseq && ok; s++) {
				if (s && now() > deadline)
					break;
				ok = run_sequence(p, pnames[i], seed + s, nops, deadline,
						  tbudget > 60 ? tbudget : 60);
				seqs++;
			}
		}
		if (!ok)
			failed++;
		printf("%s %d %s\n", ok ? "ok" : "not ok", k, p->name);
	}
	printf("# ops %lld sequences %d in %.1f s (%.0f ops/s)\n", total_ops, seqs, now() - start,
	       total_ops / (now() - start));
	cleanup();
	return failed ? 1 : 0;
}
