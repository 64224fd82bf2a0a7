// SPDX-License-Identifier: GPL-2.0
/*
 * fsbench - deterministic micro-benchmark of one mounted file system, the core
 * workload of the ramfs / rust_ramfs / tmpfs comparison in a QEMU guest.
 *
 * Usage: fsbench DIR [-n N] [-w WORKLOAD[,WORKLOAD...]] [-s MIB] [-p NPROC] [-q] [-m]
 *   -n N: entries of the metadata and par_* workloads (1000); -s MIB: size of
 *   the data workloads' file (64); -p NPROC: par_* processes (2); -w: the
 *   workloads, run in the order listed below (default: all but par_*);
 *   -q: no progress messages on stderr; -m: execute the mark instruction
 *   "xchg %bx,%bx" at every clock read, for the instruction profiler
 *   (harness/bench/insnprof.c), which then profiles each timed loop apart.
 *
 * DIR must be empty (but for a lost+found).  All is done below DIR/fsbench.w,
 * which is removed at the end (best-effort on failure); a leftover one fails.
 * stdout gets one line per metric, "metric\tops\ttotal_ns\tns_per_op", and
 * nothing else.  Exit status: 0 success; 1 a system call (printed with errno
 * on stderr) or a verification failed; 2 usage error.
 *
 * Time is CLOCK_MONOTONIC read around the timed loop only.  Under QEMU
 * "-icount shift=0" a nanosecond is a guest instruction, so all is
 * deterministic: the only randomness is a fixed-seed xorshift64, nothing
 * sleeps, the clock only measures.  A timed loop holds its system calls and
 * an error check each: names are built before, results verified after it.
 *
 * Metadata, in a fresh DIR/fsbench.w/<metric>; setup untimed; i = 0..N-1:
 *   create          open(f<i>, O_CREAT|O_EXCL|O_WRONLY, 0644) + close
 *   open_close      open(f<i>, O_RDONLY) + close of existing empty files
 *   stat            stat(f<i>)
 *   rename, link    rename(f<i>, g<i>), link(f<i>, h<i>); new names absent
 *   unlink          unlink(f<i>) of files with a single link
 *   mkdir, rmdir    mkdir(d<i>, 0755), rmdir(d<i>) of empty directories
 *   symlink         symlink(SYMLINK_TARGET, s<i>)
 *   readlink        readlink(s<i>), the length checked in the loop
 *   lookup_dK       N times stat("a/.../a/f"), K directories a/ (K = 1, 8, 32)
 *   readdir         R = max(1, 100000 / N) times opendir(".") + readdir() to
 *                   the end + closedir() of N files; ops = R * (N + 2) entries
 * Data, on DIR/fsbench.w/big of MIB MiB, whose byte at offset o is
 * pat[o % 1 MiB]; it is (re)written untimed with 1 MiB writes when needed:
 *   seqwrite_4k/_1m write() the file in 4 KiB / 1 MiB calls after an untimed
 *                   open(O_TRUNC); ops = calls
 *   seqread_4k/_1m  read() the file in 4 KiB / 1 MiB calls; ops = calls
 *   randread_4k     16384 pread() of 4 KiB at PRNG-chosen aligned offsets
 *   randwrite_4k    16384 pwrite() likewise, of the data already there
 *   mmap_read_fault load a byte of each page of a fresh MAP_SHARED mapping;
 *                   ops = pages; mmap/munmap untimed.  Fault-around maps up
 *                   to 16 pages a fault, so faults are fewer than ops.
 *   mmap_write_fault store a byte to each page likewise (read/write mapping)
 *   copy_file_range copy it to DIR/fsbench.w/copy in calls of <= 1 MiB;
 *                   ops = calls
 *   truncate        ftruncate(big, 0) from MIB MiB, 4 times; ops = 4
 * Concurrency, only when named: NPROC forked children create (open O_CREAT|
 * O_EXCL + close), then unlink, N files each; a phase is timed from releasing
 * the children through a pipe until the parent has read every child's "done"
 * byte, wake-ups included; ops = NPROC * N.  Naming one of a pair runs both:
 *   par_same_create, par_same_unlink  all children in one directory
 *   par_sep_create, par_sep_unlink    a directory for each child
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKDIR		"fsbench.w"
#define BIG		"big"
#define COPY		"copy"
#define BLK		4096L
#define MIB		(1L << 20)	/* pattern period and the "1m" block size */
#define RAND_OPS	16384
#define TRUNC_REPS	4
#define READDIR_TOTAL	100000
#define MAX_DEPTH	32
#define SEED		0x9e3779b97f4a7c15ULL
#define SYMLINK_TARGET	"some-symlink-target/with-a-few/components-of-some-length"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define __noreturn	__attribute__((noreturn))
#define __cold		__attribute__((cold))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

static long nent = 1000, mib = 64, nproc = 2;
static int quiet;
static int mark;

static int root_fd = -1;	/* DIR, to clean up from anywhere */
static int made_workdir;	/* WORKDIR is ours: remove it on failure */
static pid_t main_pid;
static int child_err_fd = -1;	/* in a child: where to report a failure */
static pid_t *kids;		/* in the parent: children not yet reaped */
static long nkids;

static unsigned char *pat;	/* MIB bytes: the content of BIG, repeated */
static unsigned char *buf;	/* MIB bytes of scratch */
static long long big_size;
static int big_state;		/* 0: absent, 1: content unknown, 2: pattern */
static char **fn, **gn, **hn, **dn, **sn;	/* f<i>, g<i>, h<i>, d<i>, s<i> */
static uint64_t rng_state;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void __noreturn bail(void)
{
	long i;

	if (child_err_fd >= 0) {
		if (write(child_err_fd, "E", 1) < 0)
			_exit(1);
		_exit(1);
	}
	if (getpid() != main_pid)
		_exit(1);
	for (i = 0; i < nkids; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	if (made_workdir && fchdir(root_fd) == 0)
		nftw(WORKDIR, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	exit(1);
}

/* A system call failed: print it with errno and exit 1. */
static void __noreturn __cold fail(const char *call, const char *arg)
{
	int err = errno;

	fprintf(stderr, "fsbench: %s(%s) failed: %s (errno %d)\n", call, arg, strerror(err), err);
	bail();
}

/* A verification failed. */
static void __noreturn __cold __printf(1, 2) bad(const char *fmt, ...)
{
	va_list ap;

	fputs("fsbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	bail();
}

static inline void chk(long ret, const char *call, const char *arg)
{
	if (__builtin_expect(ret < 0, 0))
		fail(call, arg);
}

/* Check the result of a read/write-like call: error or short transfer. */
static inline void chk_io(long ret, long want, const char *call, const char *arg)
{
	if (__builtin_expect(ret != want, 0)) {
		if (ret < 0)
			fail(call, arg);
		bad("%s(%s): transferred %ld bytes instead of %ld", call, arg, ret, want);
	}
}

static long long now_ns(void)
{
	struct timespec ts;

	if (mark)
		asm volatile("xchg %%bx, %%bx" : : : "memory");
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		fail("clock_gettime", "CLOCK_MONOTONIC");
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void report(const char *metric, long long ops, long long ns)
{
	printf("%s\t%lld\t%lld\t%.1f\n", metric, ops, ns, (double)ns / ops);
	if (fflush(stdout))
		fail("fflush", "stdout");
}

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p)
		fail("malloc", "");
	return p;
}

/* prefix0 .. prefix<n-1> */
static char **names(const char *prefix, long n)
{
	size_t len = strlen(prefix) + 21;
	char **v = xmalloc(n * sizeof(*v));
	long i;

	for (i = 0; i < n; i++) {
		v[i] = xmalloc(len);
		snprintf(v[i], len, "%s%ld", prefix, i);
	}
	return v;
}

static void create_file(const char *path)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);

	chk(fd, "open", path);
	chk(close(fd), "close", path);
}

static mode_t type_of(char **v)
{
	return v == dn ? S_IFDIR : v == sn ? S_IFLNK : S_IFREG;
}

/* Untimed: make the N entries v (files, d<i> directories, s<i> symlinks) or remove them. */
static void make(char **v, int rm)
{
	mode_t type = type_of(v);
	long i;

	for (i = 0; i < nent; i++) {
		if (rm && type == S_IFDIR)
			chk(rmdir(v[i]), "rmdir", v[i]);
		else if (rm)
			chk(unlink(v[i]), "unlink", v[i]);
		else if (type == S_IFREG)
			create_file(v[i]);
		else if (type == S_IFDIR)
			chk(mkdir(v[i], 0755), "mkdir", v[i]);
		else
			chk(symlink(SYMLINK_TARGET, v[i]), "symlink", v[i]);
	}
}

/* Number of entries of a directory, "." and ".." excluded. */
static long count_entries(const char *path, int allow_lost_found)
{
	struct dirent *de;
	DIR *d = opendir(path);
	long n = 0;

	if (!d)
		fail("opendir", path);
	errno = 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    (!allow_lost_found || strcmp(de->d_name, "lost+found")))
			n++;
	if (errno)
		fail("readdir", path);
	chk(closedir(d), "closedir", path);
	return n;
}

static void expect_entries(const char *path, long n)
{
	long got = count_entries(path, 0);

	if (got != n)
		bad("%s holds %ld entries instead of %ld", path, got, n);
}

/* nlink 0: any link count */
static void expect_type(const char *path, mode_t type, nlink_t nlink)
{
	struct stat st;

	chk(lstat(path, &st), "lstat", path);
	if ((st.st_mode & S_IFMT) != type || (nlink && st.st_nlink != nlink))
		bad("%s: unexpected mode %o or link count %lu", path, st.st_mode,
		    (unsigned long)st.st_nlink);
}

#define F_DIR	1	/* run in a fresh directory named like the metric */
#define F_WRITE	2	/* the writing variant of a data workload */
#define F_PAR	4	/* concurrency workload: run only when named */
#define F_RAND	8	/* random offsets */

struct workload {
	const char *name;
	void (*fn)(const struct workload *w);
	long arg;
	int flags;
};

static int is_selected(const char *name);

/* ---------------------------------------------------------------- metadata */

enum {
	M_CREATE, M_OPEN, M_STAT, M_RENAME, M_LINK, M_UNLINK, M_MKDIR, M_RMDIR, M_SYMLINK,
	M_READLINK
};

/* Per M_*: the entries made before and those left after the timed loop. */
static char **const *const meta[][2] = {
	[M_CREATE] = { NULL, &fn },	[M_OPEN] = { &fn, &fn },
	[M_STAT] = { &fn, &fn },	[M_RENAME] = { &fn, &gn },
	[M_LINK] = { &fn, &hn },	[M_UNLINK] = { &fn, NULL },	/* link leaves fn, too */
	[M_MKDIR] = { NULL, &dn },	[M_RMDIR] = { &dn, NULL },
	[M_SYMLINK] = { NULL, &sn },	[M_READLINK] = { &sn, &sn },
};

/* arg = M_*: the timed loop; setup, checks and cleanup around it are untimed */
static void w_meta(const struct workload *w)
{
	const long tlen = sizeof(SYMLINK_TARGET) - 1;
	long op = w->arg, i;
	char lbuf[256], **left = meta[op][1] ? *meta[op][1] : NULL;
	struct stat st;
	long long t;
	int fd;

	if (meta[op][0])
		make(*meta[op][0], 0);
	t = now_ns();
	switch (op) {
	case M_CREATE:
		for (i = 0; i < nent; i++) {
			fd = open(fn[i], O_CREAT | O_EXCL | O_WRONLY, 0644);
			chk(fd, "open", fn[i]);
			chk(close(fd), "close", fn[i]);
		}
		break;
	case M_OPEN:
		for (i = 0; i < nent; i++) {
			fd = open(fn[i], O_RDONLY);
			chk(fd, "open", fn[i]);
			chk(close(fd), "close", fn[i]);
		}
		break;
	case M_STAT:
		for (i = 0; i < nent; i++)
			chk(stat(fn[i], &st), "stat", fn[i]);
		break;
	case M_RENAME:
		for (i = 0; i < nent; i++)
			chk(rename(fn[i], gn[i]), "rename", fn[i]);
		break;
	case M_LINK:
		for (i = 0; i < nent; i++)
			chk(link(fn[i], hn[i]), "link", fn[i]);
		break;
	case M_UNLINK:
		for (i = 0; i < nent; i++)
			chk(unlink(fn[i]), "unlink", fn[i]);
		break;
	case M_MKDIR:
		for (i = 0; i < nent; i++)
			chk(mkdir(dn[i], 0755), "mkdir", dn[i]);
		break;
	case M_RMDIR:
		for (i = 0; i < nent; i++)
			chk(rmdir(dn[i]), "rmdir", dn[i]);
		break;
	case M_SYMLINK:
		for (i = 0; i < nent; i++)
			chk(symlink(SYMLINK_TARGET, sn[i]), "symlink", sn[i]);
		break;
	case M_READLINK:
		for (i = 0; i < nent; i++)
			chk_io(readlink(sn[i], lbuf, sizeof(lbuf)), tlen, "readlink", sn[i]);
		break;
	}
	t = now_ns() - t;

	expect_entries(".", left ? (op == M_LINK ? 2 : 1) * nent : 0);
	if (left)
		expect_type(left[nent - 1], type_of(left), op == M_LINK ? 2 : left == dn ? 0 : 1);
	if (op == M_STAT && (!S_ISREG(st.st_mode) || st.st_size))
		bad("stat(%s): not an empty regular file", fn[nent - 1]);
	if (op == M_READLINK && memcmp(lbuf, SYMLINK_TARGET, tlen))
		bad("readlink(%s): wrong target", sn[nent - 1]);
	if (op == M_RENAME && (access(fn[0], F_OK) == 0 || errno != ENOENT))
		bad("%s still exists after rename", fn[0]);
	report(w->name, nent, t);
	if (left)
		make(left, 1);
	if (op == M_LINK)
		make(fn, 1);
}

/* arg = depth: N times stat("a/" x depth + "f") */
static void w_lookup(const struct workload *w)
{
	char path[2 * MAX_DEPTH + 2];
	long long t;
	long i, depth = w->arg;
	struct stat st;
	ino_t ino;

	for (i = 1; i <= depth; i++) {	/* mkdir a, a/a, ... */
		memcpy(path + 2 * (i - 1), "a", 2);
		chk(mkdir(path, 0755), "mkdir", path);
		path[2 * i - 1] = '/';
	}
	memcpy(path + 2 * depth, "f", 2);
	create_file(path);
	chk(stat(path, &st), "stat", path);
	ino = st.st_ino;
	t = now_ns();
	for (i = 0; i < nent; i++)
		chk(stat(path, &st), "stat", path);
	t = now_ns() - t;
	if (st.st_ino != ino || !S_ISREG(st.st_mode))
		bad("stat(%s) returned another file", path);
	report(w->name, nent, t);
	chk(unlink(path), "unlink", path);
	for (i = depth; i >= 1; i--) {
		path[2 * i - 1] = '\0';
		chk(rmdir(path), "rmdir", path);
	}
}

static void w_readdir(const struct workload *w)
{
	long long reps = READDIR_TOTAL / nent > 1 ? READDIR_TOTAL / nent : 1, t, cnt = 0, r;
	DIR *d;

	make(fn, 0);
	t = now_ns();
	for (r = 0; r < reps; r++) {
		d = opendir(".");
		if (!d)
			fail("opendir", ".");
		errno = 0;
		while (readdir(d))
			cnt++;
		if (errno)
			fail("readdir", ".");
		chk(closedir(d), "closedir", ".");
	}
	t = now_ns() - t;
	if (cnt != reps * (nent + 2))
		bad("readdir returned %lld entries instead of %lld", cnt, reps * (nent + 2));
	report(w->name, cnt, t);
	make(fn, 1);
}

/* -------------------------------------------------------------------- data */

/* Untimed: check the size and a few 4 KiB blocks of a file against pat. */
static void verify_file(const char *path)
{
	int fd = open(path, O_RDONLY), i;
	struct stat st;
	long long off;

	chk(fd, "open", path);
	chk(fstat(fd, &st), "fstat", path);
	if (st.st_size != big_size)
		bad("%s: size %lld instead of %lld", path, (long long)st.st_size, big_size);
	rng_state = SEED ^ 0xf11e;
	for (i = 0; i < 8; i++) {
		off = (long long)(rng() % (big_size / BLK)) * BLK;
		if (i < 2)
			off = i ? big_size - BLK : 0;
		chk_io(pread(fd, buf, BLK, off), BLK, "pread", path);
		if (memcmp(buf, pat + off % MIB, BLK))
			bad("%s: wrong data at offset %lld", path, off);
	}
	chk(close(fd), "close", path);
}

/* Untimed: make BIG hold the pattern. */
static void fill_big(void)
{
	long long off;
	int fd;

	if (big_state == 2)
		return;
	fd = open(BIG, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	chk(fd, "open", BIG);
	big_state = 1;
	for (off = 0; off < big_size; off += MIB)
		chk_io(write(fd, pat, MIB), MIB, "write", BIG);
	chk(close(fd), "close", BIG);
	big_state = 2;
}

/*
 * arg = block size.  F_RAND: RAND_OPS pread/pwrite at random aligned offsets,
 * else read/write of the whole file from offset 0, seqwrite after an untimed
 * O_TRUNC.  F_WRITE: the writing variant, writing the pattern.
 */
static void w_io(const struct workload *w)
{
	int wr = w->flags & F_WRITE, rnd = w->flags & F_RAND, fd;
	long bs = w->arg, calls = rnd ? RAND_OPS : big_size / bs, i;
	long long *offs = xmalloc(calls * sizeof(*offs)), t;

	rng_state = SEED + wr;
	for (i = 0; i < calls; i++)
		offs[i] = rnd ? (long long)(rng() % (big_size / bs)) * bs : i * bs;
	if (wr && !rnd)
		big_state = 1;
	else
		fill_big();
	fd = open(BIG, wr ? O_WRONLY | O_CREAT | (rnd ? 0 : O_TRUNC) : O_RDONLY, 0644);
	chk(fd, "open", BIG);
	t = now_ns();
	if (wr && rnd) {
		for (i = 0; i < calls; i++)
			chk_io(pwrite(fd, pat + offs[i] % MIB, bs, offs[i]), bs, "pwrite", BIG);
	} else if (rnd) {
		for (i = 0; i < calls; i++)
			chk_io(pread(fd, buf, bs, offs[i]), bs, "pread", BIG);
	} else if (wr) {
		for (i = 0; i < calls; i++)
			chk_io(write(fd, pat + offs[i] % MIB, bs), bs, "write", BIG);
	} else {
		for (i = 0; i < calls; i++)
			chk_io(read(fd, buf, bs), bs, "read", BIG);
	}
	t = now_ns() - t;
	chk(close(fd), "close", BIG);
	if (wr) {
		verify_file(BIG);
		big_state = 2;
	} else if (memcmp(buf, pat + offs[calls - 1] % MIB, bs)) {
		bad("%s: wrong data read at offset %lld", BIG, offs[calls - 1]);
	}
	free(offs);
	report(w->name, calls, t);
}

/* Touch one byte per page of a fresh mapping: loads, or (F_WRITE) stores. */
static void w_mmap(const struct workload *w)
{
	long pg = sysconf(_SC_PAGESIZE), npages = big_size / pg, i;
	int wr = w->flags & F_WRITE, fd;
	unsigned long sum = 0, want = 0;
	volatile unsigned char *p;	/* every load and store must happen */
	unsigned char c;
	long long t;
	void *map;

	fill_big();
	fd = open(BIG, wr ? O_RDWR : O_RDONLY);
	chk(fd, "open", BIG);
	map = mmap(NULL, big_size, PROT_READ | (wr ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		fail("mmap", BIG);
	p = map;
	t = now_ns();
	if (wr) {
		for (i = 0; i < npages; i++)
			p[i * pg] = ~pat[i * pg % MIB];
	} else {
		for (i = 0; i < npages; i++)
			sum += p[i * pg];
	}
	t = now_ns() - t;
	chk(munmap(map, big_size), "munmap", BIG);
	if (wr) {
		big_state = 1;	/* no longer the pattern */
		for (i = 0; i < npages; i += npages / 7 + 1) {
			chk_io(pread(fd, &c, 1, i * pg), 1, "pread", BIG);
			if (c != (unsigned char)~pat[i * pg % MIB])
				bad("%s: store to page %ld through mmap lost", BIG, i);
		}
	} else {
		for (i = 0; i < npages; i++)
			want += pat[i * pg % MIB];
		if (sum != want)
			bad("%s: wrong data read through mmap", BIG);
	}
	chk(close(fd), "close", BIG);
	report(w->name, npages, t);
}

static void w_copy_file_range(const struct workload *w)
{
	long long left = big_size, calls = 0, t;
	int in, out;
	ssize_t r;

	fill_big();
	in = open(BIG, O_RDONLY);
	chk(in, "open", BIG);
	out = open(COPY, O_WRONLY | O_CREAT | O_EXCL, 0644);
	chk(out, "open", COPY);
	t = now_ns();
	while (left > 0) {
		r = copy_file_range(in, NULL, out, NULL, left < MIB ? left : MIB, 0);
		if (r <= 0) {
			if (r == 0)
				bad("copy_file_range(%s): early end of file", BIG);
			fail("copy_file_range", BIG);
		}
		left -= r;
		calls++;
	}
	t = now_ns() - t;
	chk(close(out), "close", COPY);
	chk(close(in), "close", BIG);
	verify_file(COPY);
	chk(unlink(COPY), "unlink", COPY);
	report(w->name, calls, t);
}

static void w_truncate(const struct workload *w)
{
	long long t, total = 0;
	struct stat st;
	int i, fd;

	for (i = 0; i < TRUNC_REPS; i++) {
		fill_big();
		fd = open(BIG, O_WRONLY);
		chk(fd, "open", BIG);
		t = now_ns();
		chk(ftruncate(fd, 0), "ftruncate", BIG);
		total += now_ns() - t;
		big_state = 1;
		chk(fstat(fd, &st), "fstat", BIG);
		if (st.st_size != 0)
			bad("%s: size %lld after ftruncate", BIG, (long long)st.st_size);
		chk(close(fd), "close", BIG);
	}
	report(w->name, TRUNC_REPS, total);
}

/* ------------------------------------------------------------- concurrency */

/* Parent: read a byte of each child; 'E' or end of file: a child failed. */
static void collect(int fd)
{
	long got = 0, i;
	ssize_t r;

	for (; got < nproc; got += r) {
		r = read(fd, buf, nproc - got);
		chk(r, "read", "pipe");
		for (i = 0; i < r; i++)
			if (buf[i] == 'E')
				r = 0;
		if (r == 0)
			bad("a child failed");
	}
}

/* Parent: let every child pass one read of the pipe. */
static void release(int fd)
{
	long done = 0;
	ssize_t r;

	memset(buf, 'g', nproc);
	for (; done < nproc; done += r) {
		r = write(fd, buf + done, nproc - done);
		chk(r, "write", "pipe");
	}
}

/* go[0], go[1]: read ends releasing each phase; done: write end */
static void __noreturn child(long k, int sep, const int *go, int done)
{
	char prefix[32], **v, c;
	long i;

	child_err_fd = done;
	snprintf(prefix, sizeof(prefix), sep ? "p%ld/f" : "c%ld.", k);
	v = names(prefix, nent);
	chk_io(write(done, "r", 1), 1, "write", "pipe");
	chk_io(read(go[0], &c, 1), 1, "read", "pipe");
	for (i = 0; i < nent; i++)
		create_file(v[i]);
	chk_io(write(done, "c", 1), 1, "write", "pipe");
	chk_io(read(go[1], &c, 1), 1, "read", "pipe");
	for (i = 0; i < nent; i++)
		chk(unlink(v[i]), "unlink", v[i]);
	chk_io(write(done, "u", 1), 1, "write", "pipe");
	_exit(0);
}

/*
 * arg = 1: a directory per child, 0: all in one.  Both phases always run.
 * Each phase has a pipe of its own: with a shared one, a fast child could
 * take a slow one's byte and start the next phase early.
 */
static void w_par(const struct workload *w)
{
	const char *dir = w->arg ? "par_sep" : "par_same";
	int go1[2], go2[2], done[2], go[2], status;
	char **pdir = names("p", nproc), metric[32];
	long long tc, tu;
	pid_t pid;
	long k;

	chk(mkdir(dir, 0755), "mkdir", dir);
	chk(chdir(dir), "chdir", dir);
	for (k = 0; w->arg && k < nproc; k++)
		chk(mkdir(pdir[k], 0755), "mkdir", pdir[k]);
	if (pipe(go1) || pipe(go2) || pipe(done))
		fail("pipe", "");
	go[0] = go1[0];
	go[1] = go2[0];
	kids = xmalloc(nproc * sizeof(*kids));
	for (k = 0; k < nproc; k++) {
		pid = fork();
		chk(pid, "fork", "");
		if (pid == 0) {
			close(go1[1]);
			close(go2[1]);
			close(done[0]);
			child(k, w->arg, go, done[1]);
		}
		kids[nkids++] = pid;
	}
	close(go1[0]);
	close(go2[0]);
	close(done[1]);
	collect(done[0]);	/* all ready */
	tc = now_ns();
	release(go1[1]);
	collect(done[0]);
	tc = now_ns() - tc;
	for (k = 0; w->arg && k < nproc; k++)
		expect_entries(pdir[k], nent);
	expect_entries(".", w->arg ? nproc : nproc * nent);
	tu = now_ns();
	release(go2[1]);
	collect(done[0]);
	tu = now_ns() - tu;
	while (nkids > 0) {
		pid = kids[--nkids];
		chk(waitpid(pid, &status, 0), "waitpid", "");
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad("child %ld failed (status %#x)", (long)pid, status);
	}
	free(kids);
	close(go1[1]);
	close(go2[1]);
	close(done[0]);
	for (k = 0; w->arg && k < nproc; k++) {
		expect_entries(pdir[k], 0);
		chk(rmdir(pdir[k]), "rmdir", pdir[k]);
	}
	expect_entries(".", 0);
	chk(chdir(".."), "chdir", "..");
	chk(rmdir(dir), "rmdir", dir);
	snprintf(metric, sizeof(metric), "%s_create", dir);
	if (is_selected(metric))
		report(metric, nproc * nent, tc);
	snprintf(metric, sizeof(metric), "%s_unlink", dir);
	if (is_selected(metric))
		report(metric, nproc * nent, tu);
}

/* -------------------------------------------------------------------- main */

static const struct workload workloads[] = {
	{ "create",		w_meta,	M_CREATE,	F_DIR },
	{ "open_close",		w_meta,	M_OPEN,		F_DIR },
	{ "stat",		w_meta,	M_STAT,		F_DIR },
	{ "rename",		w_meta,	M_RENAME,	F_DIR },
	{ "link",		w_meta,	M_LINK,		F_DIR },
	{ "unlink",		w_meta,	M_UNLINK,	F_DIR },
	{ "mkdir",		w_meta,	M_MKDIR,	F_DIR },
	{ "rmdir",		w_meta,	M_RMDIR,	F_DIR },
	{ "symlink",		w_meta,	M_SYMLINK,	F_DIR },
	{ "readlink",		w_meta,	M_READLINK,	F_DIR },
	{ "lookup_d1",		w_lookup, 1,		F_DIR },
	{ "lookup_d8",		w_lookup, 8,		F_DIR },
	{ "lookup_d32",		w_lookup, 32,		F_DIR },
	{ "readdir",		w_readdir, 0,		F_DIR },
	{ "seqwrite_4k",	w_io,	BLK,		F_WRITE },
	{ "seqwrite_1m",	w_io,	MIB,		F_WRITE },
	{ "seqread_4k",		w_io,	BLK,		0 },
	{ "seqread_1m",		w_io,	MIB,		0 },
	{ "randread_4k",	w_io,	BLK,		F_RAND },
	{ "randwrite_4k",	w_io,	BLK,		F_RAND | F_WRITE },
	{ "mmap_read_fault",	w_mmap,	0,		0 },
	{ "mmap_write_fault",	w_mmap,	0,		F_WRITE },
	{ "copy_file_range",	w_copy_file_range, 0,	0 },
	{ "truncate",		w_truncate, 0,		0 },
	/* each _create/_unlink pair runs once, so keep them adjacent */
	{ "par_same_create",	w_par,	0,		F_PAR },
	{ "par_same_unlink",	w_par,	0,		F_PAR },
	{ "par_sep_create",	w_par,	1,		F_PAR },
	{ "par_sep_unlink",	w_par,	1,		F_PAR },
	{ NULL, NULL, 0, 0 },
};

static int selected[ARRAY_SIZE(workloads)];

static int is_selected(const char *name)
{
	int i;

	for (i = 0; workloads[i].name; i++)
		if (!strcmp(workloads[i].name, name))
			return selected[i];
	return 0;
}

static void __noreturn usage(const char *why)
{
	int i;

	fprintf(stderr, "fsbench: %s\n", why);
	fputs("usage: fsbench DIR [-n N] [-w WORKLOAD[,WORKLOAD...]] [-s MIB] [-p NPROC] [-q] [-m]\n",
	      stderr);
	fputs("workloads:", stderr);
	for (i = 0; workloads[i].name; i++)
		fprintf(stderr, " %s", workloads[i].name);
	fputc('\n', stderr);
	exit(2);
}

static long number(const char *s, const char *opt)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > 100000000)
		usage(opt);
	return v;
}

static void select_workloads(char *list)
{
	char *tok, *save = NULL;
	int i;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; workloads[i].name && strcmp(workloads[i].name, tok); i++)
			;
		if (!workloads[i].name)
			usage("unknown workload");
		selected[i] = 1;
	}
}

int main(int argc, char **argv)
{
	const struct workload *w;
	const char *dir = NULL;
	int opt, any = 0, i;

	/* "+": no permuting, so DIR is taken wherever it is */
	while (optind < argc) {
		opt = getopt(argc, argv, "+n:w:s:p:qm");
		if (opt == -1) {
			if (optind >= argc)
				break;
			if (dir)
				usage("more than one DIR");
			dir = argv[optind++];
		} else if (opt == 'n') {
			nent = number(optarg, "bad -n");
		} else if (opt == 's') {
			mib = number(optarg, "bad -s");
		} else if (opt == 'p') {
			nproc = number(optarg, "bad -p");
		} else if (opt == 'q') {
			quiet = 1;
		} else if (opt == 'm') {
			mark = 1;
		} else if (opt == 'w') {
			select_workloads(optarg);
			any = 1;
		} else {
			usage("bad option");
		}
	}
	if (!dir)
		usage("no DIR");
	if (nproc > MIB)
		usage("bad -p");
	for (i = 0; !any && workloads[i].name; i++)
		selected[i] = !(workloads[i].flags & F_PAR);

	main_pid = getpid();
	umask(022);
	big_size = (long long)mib * MIB;
	root_fd = open(dir, O_RDONLY | O_DIRECTORY);
	chk(root_fd, "open", dir);
	chk(fchdir(root_fd), "fchdir", dir);
	if (access(WORKDIR, F_OK) == 0)
		bad("%s/%s is left over from an earlier run", dir, WORKDIR);
	if (count_entries(".", 1))
		bad("%s is not empty", dir);
	chk(mkdir(WORKDIR, 0755), "mkdir", WORKDIR);
	made_workdir = 1;
	chk(chdir(WORKDIR), "chdir", WORKDIR);

	pat = xmalloc(MIB);
	buf = xmalloc(MIB);
	for (i = 0; i < MIB; i++)
		pat[i] = i * 31 + (i >> 12) * 7 + 1;
	fn = names("f", nent);
	gn = names("g", nent);
	hn = names("h", nent);
	dn = names("d", nent);
	sn = names("s", nent);

	if (!quiet)
		fprintf(stderr, "fsbench: %s: n=%ld mib=%ld nproc=%ld\n", dir, nent, mib, nproc);
	for (i = 0; workloads[i].name; i++) {
		w = &workloads[i];
		if (!selected[i])
			continue;
		/* the second of a par_* pair ran with the first */
		if ((w->flags & F_PAR) && selected[i - 1] && w[-1].fn == w->fn &&
		    w[-1].arg == w->arg)
			continue;
		if (!quiet)
			fprintf(stderr, "fsbench: %s\n", w->name);
		if (w->flags & F_DIR) {
			chk(mkdir(w->name, 0755), "mkdir", w->name);
			chk(chdir(w->name), "chdir", w->name);
		}
		w->fn(w);
		if (w->flags & F_DIR) {
			chk(chdir(".."), "chdir", "..");
			chk(rmdir(w->name), "rmdir", w->name);
		}
	}

	if (big_state)
		chk(unlink(BIG), "unlink", BIG);
	expect_entries(".", 0);
	chk(fchdir(root_fd), "fchdir", dir);
	chk(rmdir(WORKDIR), "rmdir", WORKDIR);
	made_workdir = 0;
	if (count_entries(".", 1))
		bad("%s is not empty after the run", dir);
	return 0;
}
