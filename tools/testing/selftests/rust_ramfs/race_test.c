// SPDX-License-Identifier: GPL-2.0
/*
 * Races on one mount of ramfs, rust_ramfs and tmpfs: two to four processes
 * hammer it for RACE_TIME seconds (3 unless given in the environment), then
 * the test checks that what is left is consistent and unmounts it.
 *
 * Every case runs against C ramfs, rust_ramfs, rust_ramfs with limits,
 * extended attributes and ACLs (which take other code paths: the limit
 * accounting, the ACL inode operations), and tmpfs, with the same
 * expectations. Each worker process counts what it did, by operation,
 * including the calls that failed with one of the errors the case expects;
 * any other result is recorded in shared memory and fails the case. After
 * the workers have exited, every case walks the whole tree: every entry
 * must be stat-able with the inode number and type readdir gave, every
 * directory must be reached once only and have 2 + its subdirectories
 * links, every file as many links as names and data the case allows; then
 * it removes everything, requires statfs's free counts to be back where they
 * were after the mount, and unmounts with umount2(2), which must not find the
 * file system busy.
 *
 *   names           create, unlink, mkdir, rmdir, rename and link on a small
 *                   set of names in three directories
 *   subtree         renames of directories into their own subtrees (EINVAL)
 *                   racing with renames and exchanges of their ancestors;
 *                   walking up through ".." always reaches the root
 *   exchange        RENAME_EXCHANGE of directories with each other and with
 *                   a file, while files are created and unlinked in them
 *   truncate_read   pread(2) while ftruncate(2) shrinks and grows the file
 *   mmap_truncate   faults on a shared mapping while ftruncate(2) and
 *                   FALLOC_FL_PUNCH_HOLE take the pages away
 *   readdir_churn   getdents64(2) with tiny buffers and lseek(2) to d_off
 *                   while entries are created and unlinked
 *   lazy_umount     umount2(MNT_DETACH) under processes using the mount
 *                   through fds, their cwd and a mapping
 *   module_unload   delete_module(2) of rust_ramfs while it is busy, then
 *                   once it is not
 *
 * RACE_SEED=n in the environment repeats the random choices of a run (the
 * interleaving is up to the scheduler).
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64

#include "kselftest_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "tmpfs_compare.h"

#ifndef BIT
#define BIT(nr)		(1UL << (nr))
#endif

#define MOUNT_SOURCE	"race_test"
#define MAX_WORKERS	4
#define MAX_OPS		10	/* operation types of a case */
#define MAX_BAD		16	/* unexpected results kept for the log */
#define JOIN_GRACE	60	/* seconds a worker may take to finish its last operation */
#define CASE_TIMEOUT	600	/* seconds a case may take in all, with RACE_TIME=30 */
#define MAGIC		"race\n"	/* the data of the files of the names case */
#define MAGIC_LEN	5

/* Bit of errno @e in a set of expected errors. */
#define E(e)		(1ULL << (e))

/* names: directories, names in each (also one level further down). */
#define N_TOP		3
#define N_NAMES		6

/* subtree: the directories moved around, D0 to D11. */
#define N_DIRS		12

/* exchange: names of the files created in the exchanged directories. */
#define N_XFILES	16

/* truncate_read and mmap_truncate: file sizes, in pages. */
#define TR_PAGES	128
#define MM_MIN_PAGES	16
#define MM_MAX_PAGES	64

/* readdir_churn: names that stay, names created and unlinked. */
#define N_STABLE	50
#define N_CHURN		200
#define DIRENT_SIZE	24	/* what getdents64 takes for a name of up to 4 bytes */
#define LONG_PASS	20000	/* getdents64 calls after which a pass is given up */

/* lazy_umount: pages of the mapped file. */
#define LZ_PAGES	16

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE	BIT(1)
#endif

/* ---- shared state of the workers --------------------------------------- */

struct bad {
	int worker;
	int err;
	char what[128];
};

/* Shared between a case and its workers. */
struct shared {
	int stop;			/* the workers finish their operation and exit */
	int ready;			/* workers done with their setup */
	int phase;			/* lazy_umount: 1 once the mount is detached */
	long ops[MAX_WORKERS][MAX_OPS];	/* operations by type */
	long fails[MAX_WORKERS][MAX_OPS];	/* ... of which failed as expected */
	long late[MAX_WORKERS];		/* operations done in phase 1 */
	long extra[MAX_WORKERS][4];	/* what a case counts besides */
	int nbad;
	struct bad bad[MAX_BAD];
	/* readdir_churn: odd while a churned name is being unlinked */
	int gen[N_CHURN];
};

static struct shared *sh;
static const char *const *op_names;	/* of the running case */
static int me;				/* this worker's number */
static uint64_t rng;

/* What the workers of a case share, set up before they are started. */
static struct {
	const char *mnt;
	long page;
	int rfd;			/* the root of the mount */
	int dfd[N_DIRS];		/* subtree: O_PATH fds of the directories */
	dev_t root_dev;
	ino_t root_ino;
	int afd, bfd, pfd;		/* exchange: the directories */
	int fd;				/* the file of truncate_read and mmap_truncate */
	bool punch;			/* FALLOC_FL_PUNCH_HOLE works on it */
	char lazy[PATH_MAX];		/* lazy_umount: the detached mount */
	char lazy_dir[PATH_MAX];
} ctx;

/* xorshift64*: each worker has its own sequence. */
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static unsigned long rnd_below(unsigned long n)
{
	return rnd() % n;
}

static bool stopping(void)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED);
}

/* Called by each worker when it is set up; the race time starts when all are. */
static void ready(void)
{
	__atomic_fetch_add(&sh->ready, 1, __ATOMIC_RELAXED);
}

/* Records an unexpected result of this worker. */
static void __printf(2, 3) bad(int err, const char *fmt, ...)
{
	int i = __atomic_fetch_add(&sh->nbad, 1, __ATOMIC_RELAXED);
	va_list ap;

	if (i >= MAX_BAD)
		return;
	sh->bad[i].worker = me;
	sh->bad[i].err = err;
	va_start(ap, fmt);
	vsnprintf(sh->bad[i].what, sizeof(sh->bad[i].what), fmt, ap);
	va_end(ap);
}

/*
 * Counts operation @op, which returned @ret with errno @err: true if it
 * succeeded; a failure with an error in @allowed is counted as such, any
 * other one recorded as unexpected (with @what, the path it was on).
 */
static bool account(int op, long ret, int err, uint64_t allowed, const char *what)
{
	sh->ops[me][op]++;
	if (__atomic_load_n(&sh->phase, __ATOMIC_RELAXED))
		sh->late[me]++;
	if (ret >= 0)
		return true;
	if (err >= 0 && err < 64 && (allowed & E(err)))
		sh->fails[me][op]++;
	else
		bad(err, "%s %s", op_names[op], what);
	return false;
}

/* Runs @expr, an operation of type @op, and accounts for it. */
#define ACCT(op, expr, allowed, what) ({ \
	long __r = (expr); \
	account(op, __r, __r < 0 ? errno : 0, allowed, what); \
})

/* Counts operation @op, which did what it should. */
static void count(int op)
{
	account(op, 0, 0, 0, NULL);
}

typedef void (*worker_fn)(void);

/* ---- running the workers ------------------------------------------------ */

/* What a case races: its workers and what the test process does meanwhile. */
struct race_run {
	int nr;
	worker_fn fn[MAX_WORKERS];
	/* Called about every 100 ms, @t seconds into the race. */
	void (*tick)(struct __test_metadata *_metadata, double t, int secs);
};

/* Logs where a worker that does not finish is stuck, then kills it. */
static void log_stuck(struct __test_metadata *_metadata, int w, pid_t pid)
{
	char path[64], buf[2048];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	TH_LOG("worker %d (pid %d) did not finish within %d s; kernel stack:\n%s",
	       w, pid, JOIN_GRACE, buf);
	kill(pid, SIGKILL);
}

/* Waits for the workers; each must exit with 0 in time. */
static void join(struct __test_metadata *_metadata, pid_t *pids, int nr)
{
	double deadline = now() + JOIN_GRACE;
	int i, status, left = nr;
	bool killed = false;

	while (left) {
		for (i = 0; i < nr; i++) {
			if (!pids[i] || waitpid(pids[i], &status, WNOHANG) != pids[i])
				continue;
			EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
				TH_LOG("worker %d: wait status %#x", i, status);
			}
			pids[i] = 0;
			left--;
		}
		if (!left)
			break;
		if (now() > deadline) {
			if (killed)
				break;	/* unkillable: stuck in the kernel */
			for (i = 0; i < nr; i++) {
				if (pids[i]) {
					EXPECT_EQ(0, pids[i]);
					log_stuck(_metadata, i, pids[i]);
				}
			}
			killed = true;
			deadline = now() + 10;
		}
		usleep(20000);
	}
	EXPECT_EQ(0, left) {
		TH_LOG("%d workers could not be killed", left);
	}
}

static void worker_main(int w, worker_fn fn, unsigned long seed)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	me = w;
	rng = (seed + 1) * 0x9e3779b97f4a7c15ULL + w * 0x632be59bd9b4e019ULL;
	if (!rng)
		rng = 1;
	fn();
	_exit(0);
}

/* Starts the workers, lets them run for @secs seconds, stops them and waits for them. */
static void run_race(struct __test_metadata *_metadata, const struct race_run *run, int secs,
		     unsigned long seed)
{
	pid_t pids[MAX_WORKERS] = { 0 };
	double t0;
	int i;

	fflush(NULL);
	for (i = 0; i < run->nr; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			worker_main(i, run->fn[i], seed);
		if (pids[i] < 0) {
			pids[i] = 0;
			__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
			join(_metadata, pids, i);
			ASSERT_TRUE(false) TH_LOG("fork: %s", strerror(errno));
		}
	}
	/* The race starts when every worker is set up. */
	t0 = now();
	while (__atomic_load_n(&sh->ready, __ATOMIC_RELAXED) < run->nr && now() - t0 < JOIN_GRACE &&
	       !__atomic_load_n(&sh->nbad, __ATOMIC_RELAXED))
		usleep(10000);
	t0 = now();
	while (now() - t0 < secs) {
		if (run->tick)
			run->tick(_metadata, now() - t0, secs);
		usleep(100000);
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	join(_metadata, pids, run->nr);
}

/*
 * Prints "# <title>: N ops (op count [failed as expected], ...)" and the
 * operations of each worker, logs the unexpected results.
 */
static void report(struct __test_metadata *_metadata, const char *title, int nr, int nops)
{
	long total = 0, per[MAX_WORKERS] = { 0 }, n, f;
	char line[1024];
	int len = 0, i, w;

	for (i = 0; i < nops; i++) {
		n = 0;
		f = 0;
		for (w = 0; w < nr; w++) {
			n += sh->ops[w][i];
			f += sh->fails[w][i];
			per[w] += sh->ops[w][i];
		}
		total += n;
		len += snprintf(line + len, sizeof(line) - len, "%s%s %ld", i ? ", " : "",
				op_names[i], n);
		if (f && len < (int)sizeof(line))
			len += snprintf(line + len, sizeof(line) - len, " [%ld failed]", f);
		if (len >= (int)sizeof(line))
			break;
	}
	printf("# %s: %ld ops (%s)\n", title, total, line);
	len = 0;
	for (w = 0; w < nr; w++)
		len += snprintf(line + len, sizeof(line) - len, " %ld", per[w]);
	printf("# %s: per process:%s\n", title, line);
	fflush(stdout);
	for (i = 0; i < sh->nbad && i < MAX_BAD; i++)
		TH_LOG("worker %d: %s: %s", sh->bad[i].worker, sh->bad[i].what,
		       sh->bad[i].err ? strerror(sh->bad[i].err) : "wrong result");
	EXPECT_EQ(0, sh->nbad);
	/* Every worker got something done. */
	for (w = 0; w < nr; w++)
		EXPECT_LT(0, per[w]);
}

/* ---- checking the tree --------------------------------------------------- */

struct ino_names {
	ino_t ino;
	nlink_t nlink;
	long names;
};

/* What a walk of the tree found. */
struct tree {
	long dirs, files, others, problems;
	struct ino_names *inos;		/* regular files */
	size_t ninos, cap;
	ino_t *dir_inos;
	size_t ndirs, dcap;
	/* Checks the data of the file @name; NULL if fine, else what is wrong. */
	const char *(*check)(const char *name, const unsigned char *buf, size_t len);
};

#define TREE_BAD(t, fmt, ...) do { \
	if ((t)->problems++ < 20) \
		fprintf(TH_LOG_STREAM, "# tree: " fmt "\n", ##__VA_ARGS__); \
} while (0)

static bool add_dir(struct tree *t, ino_t ino)
{
	size_t i;

	for (i = 0; i < t->ndirs; i++)
		if (t->dir_inos[i] == ino)
			return false;
	if (t->ndirs == t->dcap) {
		t->dcap = t->dcap ? 2 * t->dcap : 64;
		t->dir_inos = realloc(t->dir_inos, t->dcap * sizeof(*t->dir_inos));
		if (!t->dir_inos)
			abort();
	}
	t->dir_inos[t->ndirs++] = ino;
	return true;
}

static void add_file(struct tree *t, const struct stat *st)
{
	size_t i;

	for (i = 0; i < t->ninos; i++) {
		if (t->inos[i].ino == st->st_ino) {
			t->inos[i].names++;
			return;
		}
	}
	if (t->ninos == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->inos = realloc(t->inos, t->cap * sizeof(*t->inos));
		if (!t->inos)
			abort();
	}
	t->inos[t->ninos++] = (struct ino_names){ st->st_ino, st->st_nlink, 1 };
}

/* Reads the file @name in @dfd and checks its data. */
static void check_file(struct tree *t, int dfd, const char *path, const char *name,
		       const struct stat *st)
{
	unsigned char *buf;
	const char *why;
	ssize_t n;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		TREE_BAD(t, "open %s/%s: %s", path, name, strerror(errno));
		return;
	}
	buf = malloc(st->st_size + 1);
	if (!buf)
		abort();
	n = pread(fd, buf, st->st_size + 1, 0);
	if (n != st->st_size) {
		TREE_BAD(t, "%s/%s: read %zd bytes of %lld: %s", path, name, n,
			 (long long)st->st_size, n < 0 ? strerror(errno) : "");
	} else if (t->check) {
		why = t->check(name, buf, n);
		if (why)
			TREE_BAD(t, "%s/%s: %s", path, name, why);
	}
	free(buf);
	close(fd);
}

/*
 * Walks the directory @dfd (at @path, for the log): every entry stat-able as
 * readdir gave it, no directory twice, directory links 2 + subdirectories.
 */
static void walk_dir(struct tree *t, int dfd, const char *path, int depth)
{
	char sub[PATH_MAX];
	struct stat st, dst;
	struct dirent *de;
	long subdirs = 0;
	DIR *d;
	int fd;

	if (fstat(dfd, &dst)) {
		TREE_BAD(t, "fstat %s: %s", path, strerror(errno));
		return;
	}
	if (!add_dir(t, dst.st_ino)) {
		TREE_BAD(t, "%s: directory %lu reached a second time (a loop?)", path,
			 (unsigned long)dst.st_ino);
		return;
	}
	if (depth > 64) {
		TREE_BAD(t, "%s: more than 64 levels deep", path);
		return;
	}
	/* A duplicate shares the position: from the start. */
	fd = dup(dfd);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		TREE_BAD(t, "opendir %s: %s", path, strerror(errno));
		return;
	}
	rewinddir(d);
	for (errno = 0; (de = readdir(d)); errno = 0) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			TREE_BAD(t, "stat %s: %s", sub, strerror(errno));
			continue;
		}
		if (de->d_ino != st.st_ino)
			TREE_BAD(t, "%s: readdir gave inode %lu, stat %lu", sub,
				 (unsigned long)de->d_ino, (unsigned long)st.st_ino);
		if (de->d_type != DT_UNKNOWN && de->d_type != IFTODT(st.st_mode))
			TREE_BAD(t, "%s: readdir gave type %d, stat mode %o", sub, de->d_type,
				 st.st_mode);
		if (S_ISDIR(st.st_mode)) {
			subdirs++;
			t->dirs++;
			fd = openat(dfd, de->d_name,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				TREE_BAD(t, "open %s: %s", sub, strerror(errno));
				continue;
			}
			walk_dir(t, fd, sub, depth + 1);
			close(fd);
		} else if (S_ISREG(st.st_mode)) {
			t->files++;
			add_file(t, &st);
			check_file(t, dfd, path, de->d_name, &st);
		} else {
			t->others++;
		}
	}
	if (errno)
		TREE_BAD(t, "readdir %s: %s", path, strerror(errno));
	closedir(d);
	if (dst.st_nlink != 2 + subdirs)
		TREE_BAD(t, "%s: %lu links, but %ld subdirectories", path,
			 (unsigned long)dst.st_nlink, subdirs);
}

/* Walks the whole tree under @rfd; the number of problems found. */
static long walk_tree(struct tree *t, int rfd)
{
	size_t i;

	walk_dir(t, rfd, "", 0);
	for (i = 0; i < t->ninos; i++)
		if (t->inos[i].nlink != (nlink_t)t->inos[i].names)
			TREE_BAD(t, "file %lu: %lu links, %ld names found",
				 (unsigned long)t->inos[i].ino, (unsigned long)t->inos[i].nlink,
				 t->inos[i].names);
	return t->problems;
}

static void free_tree(struct tree *t)
{
	free(t->inos);
	free(t->dir_inos);
}

/* Removes everything in the directory @dfd; returns the number of failures. */
static long remove_all(int dfd)
{
	struct dirent *de;
	long failed = 0;
	int fd;
	DIR *d;

	fd = dup(dfd);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d)
		return 1;
	rewinddir(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!unlinkat(dfd, de->d_name, 0))
			continue;
		if (errno != EISDIR) {
			failed++;
			continue;
		}
		fd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			failed++;
			continue;
		}
		failed += remove_all(fd);
		close(fd);
		if (unlinkat(dfd, de->d_name, AT_REMOVEDIR))
			failed++;
	}
	closedir(d);
	return failed;
}

/* ---- the fixture --------------------------------------------------------- */

FIXTURE(race) {
	char base[PATH_MAX];	/* holds the mount points */
	char mnt[PATH_MAX];
	bool mounted;
	int secs;
	unsigned long seed;
	struct statfs sf0;	/* right after the mount */
	char title[128];
};

FIXTURE_VARIANT(race) {
	const char *name;
	const char *fstype;
	const char *opts;
};

FIXTURE_VARIANT_ADD(race, ramfs) {
	.name = "ramfs",
	.fstype = "ramfs",
	.opts = "",
};

FIXTURE_VARIANT_ADD(race, rust_ramfs) {
	.name = "rust_ramfs",
	.fstype = "rust_ramfs",
	.opts = "",
};

FIXTURE_VARIANT_ADD(race, rust_ramfs_limited) {
	.name = "rust_ramfs_limited",
	.fstype = "rust_ramfs",
	.opts = "size=256m,nr_inodes=20000,xattr,acl",
};

/* With its default limits: half of RAM, and as many inodes as half of its pages. */
FIXTURE_VARIANT_ADD(race, tmpfs) {
	.name = "tmpfs",
	.fstype = "tmpfs",
	.opts = "",
};

FIXTURE_SETUP(race)
{
	self->base[0] = '\0';
	self->mounted = false;
	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (!fs_available(variant->fstype))
		SKIP(return, "file system type %s not available", variant->fstype);
	self->secs = env_long("RACE_TIME", 3);
	self->seed = env_long("RACE_SEED", 0);
	if (!self->seed)
		self->seed = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
	snprintf(self->title, sizeof(self->title), "%s.%s", variant->name, _metadata->name);
	ctx.page = sysconf(_SC_PAGESIZE);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);

	/* Anything mounted from now on disappears with this process. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	snprintf(self->base, sizeof(self->base), "/tmp/race_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->base));
	path_join(self->mnt, self->base, "mnt");
	ASSERT_EQ(0, mkdir(self->mnt, 0755));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, self->mnt, variant->fstype, 0, variant->opts)) {
		TH_LOG("mount -t %s -o '%s': %s", variant->fstype, variant->opts,
		       strerror(errno));
	}
	self->mounted = true;
	ASSERT_EQ(0, statfs(self->mnt, &self->sf0));
	ctx.mnt = self->mnt;
	ctx.rfd = open(self->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, ctx.rfd);
	printf("# %s: %d s, seed %lu\n", self->title, self->secs, self->seed);
	fflush(stdout);
}

FIXTURE_TEARDOWN(race)
{
	char path[PATH_MAX];

	if (!self->base[0])
		return;
	if (self->mounted)
		umount2(self->mnt, MNT_DETACH);
	rmdir(self->mnt);
	if (ctx.lazy[0]) {
		umount2(ctx.lazy, MNT_DETACH);
		rmdir(ctx.lazy);
	}
	rmdir(path_join(path, self->base, "lazy"));
	rmdir(self->base);
}

/*
 * After a race: walks the tree (@check checks file data), expects @want_dirs
 * directories (unless negative), removes everything, waits for statfs to
 * show as much free as after the mount, and unmounts.
 */
static void finish(struct __test_metadata *_metadata, struct _test_data_race *self,
		   const char *(*check)(const char *, const unsigned char *, size_t),
		   long want_dirs)
{
	struct tree t = { .check = check };
	struct statfs sf;
	int i, ret;

	walk_tree(&t, ctx.rfd);
	printf("# %s: after the race: %ld directories, %ld files (%zu inodes), %ld others\n",
	       self->title, t.dirs, t.files, t.ninos, t.others);
	fflush(stdout);
	EXPECT_EQ(0, t.problems);
	if (want_dirs >= 0)
		EXPECT_EQ(want_dirs, t.dirs);
	free_tree(&t);

	EXPECT_EQ(0, remove_all(ctx.rfd));
	/* Freed inodes may give their share back a little later (RCU). */
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, statfs(self->mnt, &sf));
		if (sf.f_bfree == self->sf0.f_bfree && sf.f_ffree == self->sf0.f_ffree)
			break;
		usleep(100000);
	}
	EXPECT_EQ(self->sf0.f_bfree, sf.f_bfree);
	EXPECT_EQ(self->sf0.f_ffree, sf.f_ffree);
	EXPECT_EQ(self->sf0.f_blocks, sf.f_blocks);
	EXPECT_EQ(self->sf0.f_files, sf.f_files);

	close(ctx.rfd);
	ctx.rfd = -1;
	ret = umount2(self->mnt, 0);
	EXPECT_EQ(0, ret) {
		TH_LOG("umount %s: %s", self->mnt, strerror(errno));
	}
	if (!ret)
		self->mounted = false;
}

static bool is_dir_at(int dfd, const char *path)
{
	struct stat st;

	return !fstatat(dfd, path, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode);
}

/* ---- names: namespace operations on a small set of names ------------------ */

enum { N_CREATE, N_UNLINK, N_MKDIR, N_RMDIR, N_RENAME, N_LINK, N_LINK_FD, N_STAT, N_NOPS };

static const char *const names_ops[] = {
	"create", "unlink", "mkdir", "rmdir", "rename", "link", "link-fd", "stat",
};

/*
 * A random path of @depth names below the root: dX/nY (1), or dX/nY/nZ (2,
 * through what may be a directory).
 */
static int names_path(char *buf, size_t len, int depth)
{
	int d = rnd_below(N_TOP), a = rnd_below(N_NAMES);

	if (depth == 2)
		snprintf(buf, len, "d%d/n%d/n%lu", d, a, rnd_below(N_NAMES));
	else
		snprintf(buf, len, "d%d/n%d", d, a);
	return depth;
}

/* Is @q below @p? */
static bool path_under(const char *q, const char *p)
{
	size_t n = strlen(p);

	return !strncmp(q, p, n) && q[n] == '/';
}

/*
 * Random operations on paths of the names: directories come and go, and
 * move, with what is in them, but never deeper than they were, except into
 * their own subtrees (EINVAL): so the tree stays a few levels deep.
 */
static void names_worker(void)
{
	const uint64_t path_errs = E(ENOENT) | E(ENOTDIR);
	char p[32], q[48], what[96];
	uint64_t allowed;
	struct stat st;
	int err, depth;
	long r;

	ready();
	while (!stopping()) {
		depth = names_path(p, sizeof(p), rnd_below(10) < 3 ? 2 : 1);
		if (!rnd_below(8))
			snprintf(q, sizeof(q), "%s/n%lu", p, rnd_below(N_NAMES));
		else
			names_path(q, sizeof(q), 1 + rnd_below(depth));
		snprintf(what, sizeof(what), "%s -> %s", p, q);
		switch (rnd_below(N_NOPS)) {
		case N_CREATE:
			r = openat(ctx.rfd, p,
				   O_CREAT | O_WRONLY | O_CLOEXEC | (rnd() & 1 ? O_EXCL : 0), 0644);
			if (!ACCT(N_CREATE, r, path_errs | E(EEXIST) | E(EISDIR), p))
				break;
			if (pwrite(r, MAGIC, MAGIC_LEN, 0) != MAGIC_LEN)
				bad(errno, "pwrite %s", p);
			close(r);
			break;
		case N_UNLINK:
			ACCT(N_UNLINK, unlinkat(ctx.rfd, p, 0), path_errs | E(EISDIR), p);
			break;
		case N_MKDIR:
			ACCT(N_MKDIR, mkdirat(ctx.rfd, p, 0755), path_errs | E(EEXIST), p);
			break;
		case N_RMDIR:
			ACCT(N_RMDIR, unlinkat(ctx.rfd, p, AT_REMOVEDIR), path_errs | E(ENOTEMPTY),
			     p);
			break;
		case N_RENAME:
			r = renameat(ctx.rfd, p, ctx.rfd, q);
			err = errno;
			allowed = path_errs | E(EISDIR) | E(ENOTEMPTY);
			/*
			 * Into its own subtree: the paths say so, or else a
			 * directory got there after the lookup of the target's
			 * parent (only a directory can be an ancestor).
			 */
			if (r && err == EINVAL && (path_under(q, p) || is_dir_at(ctx.rfd, p)))
				allowed |= E(EINVAL);
			account(N_RENAME, r, err, allowed, what);
			break;
		case N_LINK:
			/*
			 * EPERM if @p is a directory: whether it was one when
			 * link(2) looked cannot be told afterwards. link-fd
			 * checks that files get no EPERM.
			 */
			ACCT(N_LINK, linkat(ctx.rfd, p, ctx.rfd, q, 0),
			     path_errs | E(EEXIST) | E(EPERM), what);
			break;
		case N_LINK_FD:
			/* The file @p was when opened; ENOENT once it has no name left. */
			r = openat(ctx.rfd, p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (!ACCT(N_LINK_FD, r, path_errs, p))
				break;
			if (!fstat(r, &st) && !S_ISDIR(st.st_mode))
				ACCT(N_LINK_FD, linkat(r, "", ctx.rfd, q, AT_EMPTY_PATH),
				     path_errs | E(EEXIST), what);
			close(r);
			break;
		case N_STAT:
			ACCT(N_STAT, fstatat(ctx.rfd, p, &st, AT_SYMLINK_NOFOLLOW), path_errs, p);
			break;
		}
	}
}

static const char *check_magic(const char *name, const unsigned char *buf, size_t len)
{
	return len == MAGIC_LEN && !memcmp(buf, MAGIC, len) ? NULL : "not what was written";
}

TEST_F_TIMEOUT(race, names, CASE_TIMEOUT)
{
	struct race_run run = { .nr = 4 };
	char d[8];
	int i;

	for (i = 0; i < N_TOP; i++) {
		snprintf(d, sizeof(d), "d%d", i);
		ASSERT_EQ(0, mkdirat(ctx.rfd, d, 0755));
	}
	op_names = names_ops;
	for (i = 0; i < run.nr; i++)
		run.fn[i] = names_worker;
	run_race(_metadata, &run, self->secs, self->seed);
	report(_metadata, self->title, run.nr, N_NOPS);
	finish(_metadata, self, check_magic, -1);
}

/* ---- subtree: directories into their own subtrees --------------------------- */

enum { S_MOVE, S_MOVE_PATH, S_INTO_SUB, S_BACK, S_EXCHANGE, S_UPWALK, S_NOPS };

static const char *const subtree_ops[] = {
	"move", "move-by-path", "into-own-subtree", "back", "exchange", "walk-up",
};

/* The directory now holding D@i, or -1. */
static int parent_of(int i)
{
	return openat(ctx.dfd[i], "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* The directory D@i, or the root if @i is N_DIRS. */
static int dir_fd(int i)
{
	return i == N_DIRS ? ctx.rfd : ctx.dfd[i];
}

/* The path of the file of @fd now, as /proc shows it. */
static bool fd_path(int fd, char *buf, size_t len)
{
	char proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, len - 1);
	if (n <= 0 || n >= (ssize_t)len - 1)
		return false;
	buf[n] = '\0';
	return true;
}

/*
 * The name the directory of ctx.dfd[@i] has now: exchanges swap names, the
 * other renames keep them, so the twelve names stay those of twelve
 * directories (unless something is wrong). False if it has none.
 */
static bool cur_name(int i, char *buf, size_t len)
{
	char path[PATH_MAX], *slash;

	if (!fd_path(ctx.dfd[i], path, sizeof(path)))
		return false;
	slash = strrchr(path, '/');
	if (!slash || slash[1] != 'D' || strlen(slash + 1) >= len)
		return false;
	strcpy(buf, slash + 1);
	return true;
}

/* A subdirectory (or one further down) of D@i, by name relative to it: false if none. */
static bool pick_descendant(int i, char *buf, size_t len)
{
	alignas(8) char dbuf[4096];
	char first[NAME_MAX + 1];
	int fd, n, depth, found;

	buf[0] = '\0';
	fd = openat(ctx.dfd[i], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (depth = 0; fd >= 0 && depth < 2; depth++) {
		found = 0;
		n = getdents64(fd, dbuf, sizeof(dbuf));
		for (int off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(dbuf + off);

			off += de->d_reclen;
			if (de->d_name[0] != 'D' || (found && rnd_below(2)))
				continue;
			snprintf(first, sizeof(first), "%s", de->d_name);
			found = 1;
		}
		close(fd);
		fd = -1;
		if (!found)
			break;
		if (buf[0])
			strncat(buf, "/", len - strlen(buf) - 1);
		strncat(buf, first, len - strlen(buf) - 1);
		if (rnd_below(2))
			fd = openat(ctx.dfd[i], buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd >= 0)
		close(fd);
	return buf[0];
}

static void subtree_worker(void)
{
	char name[8], other[8], pi[PATH_MAX], pj[PATH_MAX + 8], sub[64];
	int i, j, p, q, tfd, steps, cur;
	struct stat st;
	long r;

	ready();
	while (!stopping()) {
		i = rnd_below(N_DIRS);
		j = rnd_below(N_DIRS + 1);
		if (!cur_name(i, name, sizeof(name))) {
			bad(errno, "directory %d has no name", i);
			continue;
		}
		switch (rnd_below(S_NOPS)) {
		case S_MOVE:
			/* D@i to below D@j (or the root), through its parent's fd. */
			p = parent_of(i);
			if (p < 0) {
				bad(errno, "open the parent of %s", name);
				break;
			}
			ACCT(S_MOVE, renameat(p, name, dir_fd(j), name), E(ENOENT) | E(EINVAL),
			     name);
			close(p);
			break;
		case S_MOVE_PATH:
			/* The same, by the paths the directories have now. */
			if (!fd_path(ctx.dfd[i], pi, sizeof(pi)) ||
			    !fd_path(dir_fd(j), pj, sizeof(pj) - 8)) {
				bad(errno, "readlink");
				break;
			}
			/* The name in @pi, which may be another than @name by now. */
			strcat(pj, strrchr(pi, '/'));
			ACCT(S_MOVE_PATH, renameat(AT_FDCWD, pi, AT_FDCWD, pj),
			     E(ENOENT) | E(EINVAL), pi);
			break;
		case S_BACK:	/* only after a move into a subtree */
		case S_INTO_SUB:
			/*
			 * Into a subdirectory of its own: EINVAL, unless the
			 * subdirectory has moved out meanwhile; then back.
			 */
			if (!pick_descendant(i, sub, sizeof(sub)))
				break;
			tfd = openat(ctx.dfd[i], sub, O_PATH | O_DIRECTORY | O_CLOEXEC);
			p = parent_of(i);
			if (tfd < 0 || p < 0) {
				if (tfd >= 0)
					close(tfd);
				if (p >= 0)
					close(p);
				break;	/* moved away meanwhile */
			}
			r = renameat(p, name, tfd, name);
			if (r == 0) {
				sh->extra[me][1]++;	/* it had moved out */
				ACCT(S_BACK, renameat(tfd, name, p, name), E(ENOENT) | E(EINVAL),
				     name);
			} else if (errno == EINVAL) {
				sh->extra[me][0]++;
			}
			ACCT(S_INTO_SUB, r, E(ENOENT) | E(EINVAL), sub);
			close(tfd);
			close(p);
			break;
		case S_EXCHANGE:
			if (j == N_DIRS || j == i)
				break;
			if (!cur_name(j, other, sizeof(other))) {
				bad(errno, "directory %d has no name", j);
				break;
			}
			p = parent_of(i);
			q = parent_of(j);
			if (p >= 0 && q >= 0)
				ACCT(S_EXCHANGE, renameat2(p, name, q, other, RENAME_EXCHANGE),
				     E(ENOENT) | E(EINVAL), name);
			else
				bad(errno, "open the parents of %s and %s", name, other);
			if (p >= 0)
				close(p);
			if (q >= 0)
				close(q);
			break;
		case S_UPWALK:
			/* Up through ".." from D@i must reach the root. */
			cur = openat(ctx.dfd[i], ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
			for (steps = 0; cur >= 0; steps++) {
				if (fstat(cur, &st)) {
					bad(errno, "fstat on the way up from %s", name);
					break;
				}
				if (st.st_ino == ctx.root_ino && st.st_dev == ctx.root_dev)
					break;
				if (steps > 8 * N_DIRS) {
					bad(0, "no way up from %s in %d steps", name, steps);
					break;
				}
				p = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
				close(cur);
				cur = p;
			}
			if (cur < 0)
				bad(errno, "open .. on the way up from %s", name);
			else
				close(cur);
			count(S_UPWALK);
			break;
		}
	}
}

TEST_F_TIMEOUT(race, subtree, CASE_TIMEOUT)
{
	struct race_run run = { .nr = 4 };
	struct tree t = { 0 };
	char path[64];
	struct stat st;
	long einval = 0, escaped = 0;
	int i, w;

	/* Three chains of four: D0/D1/D2/D3, D4/D5/D6/D7, D8/D9/D10/D11. */
	for (i = 0; i < N_DIRS; i++) {
		if (i % 4 == 0)
			snprintf(path, sizeof(path), "D%d", i);
		else
			snprintf(path + strlen(path), sizeof(path) - strlen(path), "/D%d", i);
		ASSERT_EQ(0, mkdirat(ctx.rfd, path, 0755));
		ctx.dfd[i] = openat(ctx.rfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		ASSERT_LE(0, ctx.dfd[i]);
	}
	ASSERT_EQ(0, fstat(ctx.rfd, &st));
	ctx.root_dev = st.st_dev;
	ctx.root_ino = st.st_ino;
	op_names = subtree_ops;
	for (i = 0; i < run.nr; i++)
		run.fn[i] = subtree_worker;
	run_race(_metadata, &run, self->secs, self->seed);
	report(_metadata, self->title, run.nr, S_NOPS);
	for (w = 0; w < run.nr; w++) {
		einval += sh->extra[w][0];
		escaped += sh->extra[w][1];
	}
	printf("# %s: into own subtree: %ld EINVAL, %ld moved there as the target had left\n",
	       self->title, einval, escaped);

	/* From the root, every directory is reached once (walk_tree checks). */
	walk_tree(&t, ctx.rfd);
	EXPECT_EQ(0, t.problems);
	EXPECT_EQ(N_DIRS, t.dirs);
	for (i = 0; i < N_DIRS; i++) {
		size_t k;

		ASSERT_EQ(0, fstat(ctx.dfd[i], &st));
		for (k = 0; k < t.ndirs && t.dir_inos[k] != st.st_ino; k++)
			;
		EXPECT_LT(k, t.ndirs) {
			TH_LOG("D%d (inode %lu, %lu links) is not reachable from the root", i,
			       (unsigned long)st.st_ino, (unsigned long)st.st_nlink);
		}
		close(ctx.dfd[i]);
	}
	free_tree(&t);
	finish(_metadata, self, NULL, N_DIRS);
}

/* ---- exchange: RENAME_EXCHANGE of directories that files come and go in ---- */

enum { X_SWAP, X_SWAP_FILE, X_CREATE, X_UNLINK, X_CREATE_FD, X_UNLINK_FD, X_READ, X_NOPS };

static const char *const exchange_ops[] = {
	"exchange-dirs", "exchange-with-file", "create", "unlink", "create-at-fd", "unlink-at-fd",
	"read",
};

/* Exchanges A and B, or either with P/x (a file, or the directory that went there). */
static void exchange_worker(void)
{
	const char *n = rnd() & 1 ? "A" : "B";

	ready();
	while (!stopping()) {
		if (rnd_below(4)) {
			ACCT(X_SWAP, renameat2(ctx.rfd, "A", ctx.rfd, "B", RENAME_EXCHANGE), 0,
			     "A <-> B");
		} else {
			n = rnd() & 1 ? "A" : "B";
			ACCT(X_SWAP_FILE, renameat2(ctx.rfd, n, ctx.pfd, "x", RENAME_EXCHANGE), 0,
			     n);
		}
	}
}

/* Creates, unlinks and reads files in A and B, by path and through fds of the two directories. */
static void exchange_files_worker(void)
{
	char name[8], path[16], buf[16];
	bool by_fd;
	int fd, dfd;
	ssize_t n;
	int op;

	ready();
	while (!stopping()) {
		snprintf(name, sizeof(name), "c%lu", rnd_below(N_XFILES));
		snprintf(path, sizeof(path), "%c/%s", rnd() & 1 ? 'A' : 'B', name);
		dfd = rnd() & 1 ? ctx.afd : ctx.bfd;
		op = X_CREATE + rnd_below(X_NOPS - X_CREATE);
		switch (op) {
		case X_CREATE:
		case X_CREATE_FD:
			/* By path, A or B may be the file x now. */
			if (op == X_CREATE)
				fd = openat(ctx.rfd, path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
					    0644);
			else
				fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
					    0644);
			if (!ACCT(op, fd, E(EEXIST) | (op == X_CREATE ? E(ENOTDIR) : 0), path))
				break;
			if (write(fd, name, strlen(name)) != (ssize_t)strlen(name))
				bad(errno, "write %s", path);
			close(fd);
			break;
		case X_UNLINK:
			ACCT(op, unlinkat(ctx.rfd, path, 0), E(ENOENT) | E(ENOTDIR), path);
			break;
		case X_UNLINK_FD:
			ACCT(op, unlinkat(dfd, name, 0), E(ENOENT), name);
			break;
		case X_READ:
			by_fd = rnd() & 1;
			fd = by_fd ? openat(dfd, name, O_RDONLY | O_CLOEXEC) :
				     openat(ctx.rfd, path, O_RDONLY | O_CLOEXEC);
			if (!ACCT(op, fd, E(ENOENT) | (by_fd ? 0 : E(ENOTDIR)), path))
				break;
			n = read(fd, buf, sizeof(buf));
			/* Empty if just created, else its name. */
			if (n < 0 || (n && (n != (ssize_t)strlen(name) || memcmp(buf, name, n))))
				bad(n < 0 ? errno : 0, "read %s: %zd bytes", path, n);
			close(fd);
			break;
		}
	}
}

/* Each file holds its name; x may have gone to A or B. */
static const char *check_name(const char *name, const unsigned char *buf, size_t len)
{
	if (len == 1 && buf[0] == 'x' && strchr("ABx", name[0]) && !name[1])
		return NULL;
	return len == strlen(name) && !memcmp(buf, name, len) ? NULL : "does not hold its name";
}

TEST_F_TIMEOUT(race, exchange, CASE_TIMEOUT)
{
	struct race_run run = {
		.nr = 4,
		.fn = { exchange_worker, exchange_worker, exchange_files_worker,
			exchange_files_worker },
	};
	int fd;

	ASSERT_EQ(0, mkdirat(ctx.rfd, "A", 0755));
	ASSERT_EQ(0, mkdirat(ctx.rfd, "B", 0755));
	ASSERT_EQ(0, mkdirat(ctx.rfd, "P", 0755));
	fd = openat(ctx.rfd, "P/x", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "x", 1));
	close(fd);
	ctx.afd = openat(ctx.rfd, "A", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ctx.bfd = openat(ctx.rfd, "B", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ctx.pfd = openat(ctx.rfd, "P", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, ctx.afd);
	ASSERT_LE(0, ctx.bfd);
	ASSERT_LE(0, ctx.pfd);
	op_names = exchange_ops;
	run_race(_metadata, &run, self->secs, self->seed);
	report(_metadata, self->title, run.nr, X_NOPS);
	close(ctx.afd);
	close(ctx.bfd);
	close(ctx.pfd);
	/* The two directories and P, wherever they are; links as the walk finds them. */
	finish(_metadata, self, check_name, 3);
}

/* ---- truncate_read: pread(2) while the file shrinks and grows ------------- */

enum { T_TRUNC, T_WRITE, T_READ, T_NOPS };

static const char *const truncate_ops[] = { "truncate", "write", "read" };

/* The byte at @off of the files of truncate_read and mmap_truncate: never 0. */
static unsigned char pattern(off_t off)
{
	return off % 251 + 1;
}

static void fill_pattern(unsigned char *buf, off_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pattern(off + i);
}

/* Is every byte of @buf (from @off of the file) the pattern or zero? Counts which. */
static bool pattern_or_zero(const unsigned char *buf, off_t off, size_t len, long *zeros)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] == 0)
			(*zeros)++;
		else if (buf[i] != pattern(off + i))
			return false;
	}
	return true;
}

static void truncate_worker(void)
{
	off_t max = TR_PAGES * ctx.page, size;

	ready();
	while (!stopping()) {
		/* Anywhere, mostly not at a page boundary. */
		size = rnd_below(max + 1);
		ACCT(T_TRUNC, ftruncate(ctx.fd, size), 0, "ftruncate");
	}
}

static void truncate_writer(void)
{
	off_t max = TR_PAGES * ctx.page, off;
	unsigned char *buf = malloc(3 * ctx.page);
	size_t len;

	ready();
	while (buf && !stopping()) {
		off = rnd_below(max);
		len = 1 + rnd_below(3 * ctx.page);
		if (off + len > (size_t)max)
			len = max - off;
		fill_pattern(buf, off, len);
		ACCT(T_WRITE, pwrite(ctx.fd, buf, len, off), 0, "pwrite");
	}
	free(buf);
}

static void truncate_reader(void)
{
	off_t max = TR_PAGES * ctx.page, off;
	unsigned char *buf = malloc(2 * ctx.page);
	long zeros;
	ssize_t n;
	size_t len;

	ready();
	while (buf && !stopping()) {
		off = rnd_below(max);
		len = 1 + rnd_below(2 * ctx.page);
		n = pread(ctx.fd, buf, len, off);
		if (!ACCT(T_READ, n, 0, "pread"))
			continue;
		zeros = 0;
		if (n > (ssize_t)len || !pattern_or_zero(buf, off, n, &zeros))
			bad(0, "pread of %zu at %lld: %zd bytes, not the pattern or zeros", len,
			    (long long)off, n);
		sh->extra[me][0] += n - zeros;
		sh->extra[me][1] += zeros;
	}
	free(buf);
}

TEST_F_TIMEOUT(race, truncate_read, CASE_TIMEOUT)
{
	struct race_run run = {
		.nr = 4,
		.fn = { truncate_worker, truncate_writer, truncate_reader, truncate_reader },
	};
	off_t max = TR_PAGES * ctx.page;
	unsigned char *buf = malloc(max);
	long data = 0, zeros = 0;
	struct stat st;
	ssize_t n;
	int w;

	ASSERT_NE(NULL, buf);
	ctx.fd = openat(ctx.rfd, "file", O_CREAT | O_RDWR | O_CLOEXEC, 0644);
	ASSERT_LE(0, ctx.fd);
	fill_pattern(buf, 0, max);
	ASSERT_EQ(max, pwrite(ctx.fd, buf, max, 0));
	op_names = truncate_ops;
	run_race(_metadata, &run, self->secs, self->seed);
	report(_metadata, self->title, run.nr, T_NOPS);
	for (w = 0; w < run.nr; w++) {
		data += sh->extra[w][0];
		zeros += sh->extra[w][1];
	}
	printf("# %s: read %ld bytes of data, %ld zeros\n", self->title, data, zeros);

	/* What is left: the pattern or zeros; then zeros only, and no pages, once cut. */
	ASSERT_EQ(0, fstat(ctx.fd, &st));
	EXPECT_GE(max, st.st_size);
	n = pread(ctx.fd, buf, max, 0);
	EXPECT_EQ(st.st_size, n);
	zeros = 0;
	EXPECT_TRUE(n >= 0 && pattern_or_zero(buf, 0, n, &zeros));
	ASSERT_EQ(0, ftruncate(ctx.fd, 0));
	ASSERT_EQ(0, fstat(ctx.fd, &st));
	EXPECT_EQ(0, st.st_blocks);
	ASSERT_EQ(0, ftruncate(ctx.fd, max));
	EXPECT_EQ(max, pread(ctx.fd, buf, max, 0));
	zeros = 0;
	EXPECT_TRUE(pattern_or_zero(buf, 0, max, &zeros));
	EXPECT_EQ(max, zeros);
	close(ctx.fd);
	free(buf);
	finish(_metadata, self, NULL, 0);
}

/* ---- mmap_truncate: faults while truncate and hole punching race ---------- */

enum { M_TRUNC, M_PUNCH, M_FAULT_READ, M_FAULT_WRITE, M_ZAP, M_PWRITE, M_PREAD, M_NOPS };

static const char *const mmap_ops[] = {
	"truncate", "punch-hole", "fault-read", "fault-write", "madv-dontneed", "pwrite", "pread",
};

/*
 * bus_armed is set around the accesses to the mapping and read by the SIGBUS
 * handler, which runs in the same thread: atomic accesses and signal fences
 * (compiler barriers) keep the accesses between setting and clearing it.
 */
static sigjmp_buf bus_jmp;
static int bus_armed;

static void on_sigbus(int sig)
{
	if (__atomic_load_n(&bus_armed, __ATOMIC_RELAXED))
		siglongjmp(bus_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void mmap_truncater(void)
{
	off_t min = MM_MIN_PAGES * ctx.page, max = MM_MAX_PAGES * ctx.page, off, len;

	ready();
	while (!stopping()) {
		if (!ctx.punch || rnd_below(2)) {
			ACCT(M_TRUNC, ftruncate(ctx.fd, min + rnd_below(max - min + 1)), 0,
			     "ftruncate");
			continue;
		}
		off = rnd_below(max);
		len = 1 + rnd_below(8 * ctx.page);
		ACCT(M_PUNCH, fallocate(ctx.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off,
					len), 0, "punch");
	}
}

/* Reads and writes the mapping; below the smallest size a fault must not raise SIGBUS. */
static void mmap_faulter(void)
{
	off_t min = MM_MIN_PAGES * ctx.page, max = MM_MAX_PAGES * ctx.page;
	struct sigaction sa = { .sa_handler = on_sigbus };
	/* Static, so that they are defined after the siglongjmp() from on_sigbus(). */
	static off_t off;
	static int op;
	unsigned char *map;
	unsigned char b;

	map = mmap(NULL, max, PROT_READ | PROT_WRITE, MAP_SHARED, ctx.fd, 0);
	if (map == MAP_FAILED) {
		bad(errno, "mmap");
		ready();
		return;
	}
	sigaction(SIGBUS, &sa, NULL);
	ready();
	while (!stopping()) {
		if (!rnd_below(64)) {
			/* Away with the page table entries: the next access faults. */
			ACCT(M_ZAP, madvise(map, max, MADV_DONTNEED), 0, "madvise");
			continue;
		}
		off = rnd_below(max);
		op = rnd_below(2) ? M_FAULT_READ : M_FAULT_WRITE;
		if (sigsetjmp(bus_jmp, 1)) {
			__atomic_store_n(&bus_armed, 0, __ATOMIC_RELAXED);
			sh->extra[me][0]++;
			count(op);
			if (off < min)
				bad(0, "SIGBUS at %lld, below the smallest size %lld",
				    (long long)off, (long long)min);
			continue;
		}
		__atomic_store_n(&bus_armed, 1, __ATOMIC_RELAXED);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (op == M_FAULT_WRITE) {
			map[off] = pattern(off);
		} else {
			b = map[off];
			if (b && b != pattern(off))
				bad(0, "byte %d at %lld in the mapping", b, (long long)off);
		}
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		__atomic_store_n(&bus_armed, 0, __ATOMIC_RELAXED);
		count(op);
	}
	munmap(map, max);
}

static void mmap_rw(void)
{
	off_t max = MM_MAX_PAGES * ctx.page, off;
	unsigned char *buf = malloc(2 * ctx.page);
	long zeros;
	size_t len;
	ssize_t n;

	ready();
	while (buf && !stopping()) {
		off = rnd_below(max);
		len = 1 + rnd_below(2 * ctx.page);
		if (off + len > (size_t)max)
			len = max - off;
		if (rnd_below(2)) {
			fill_pattern(buf, off, len);
			ACCT(M_PWRITE, pwrite(ctx.fd, buf, len, off), 0, "pwrite");
			continue;
		}
		n = pread(ctx.fd, buf, len, off);
		zeros = 0;
		if (ACCT(M_PREAD, n, 0, "pread") && !pattern_or_zero(buf, off, n, &zeros))
			bad(0, "pread of %zu at %lld: not the pattern or zeros", len,
			    (long long)off);
	}
	free(buf);
}

TEST_F_TIMEOUT(race, mmap_truncate, CASE_TIMEOUT)
{
	struct race_run run = {
		.nr = 4,
		.fn = { mmap_truncater, mmap_faulter, mmap_faulter, mmap_rw },
	};
	off_t min = MM_MIN_PAGES * ctx.page, max = MM_MAX_PAGES * ctx.page;
	unsigned char *buf = malloc(max);
	long sigbus = 0, zeros = 0;
	struct stat st;
	ssize_t n;
	int w;

	ASSERT_NE(NULL, buf);
	ctx.fd = openat(ctx.rfd, "file", O_CREAT | O_RDWR | O_CLOEXEC, 0644);
	ASSERT_LE(0, ctx.fd);
	fill_pattern(buf, 0, max);
	ASSERT_EQ(max, pwrite(ctx.fd, buf, max, 0));
	/* ramfs has no fallocate(2): then the file is only truncated. */
	ctx.punch = !fallocate(ctx.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, ctx.page);
	if (!ctx.punch)
		ASSERT_EQ(EOPNOTSUPP, errno);
	op_names = mmap_ops;
	run_race(_metadata, &run, self->secs, self->seed);
	report(_metadata, self->title, run.nr, M_NOPS);
	for (w = 0; w < run.nr; w++)
		sigbus += sh->extra[w][0];
	printf("# %s: %ld SIGBUS beyond EOF; hole punching %s\n", self->title, sigbus,
	       ctx.punch ? "raced too" : "not supported (EOPNOTSUPP)");

	ASSERT_EQ(0, fstat(ctx.fd, &st));
	EXPECT_LE(min, st.st_size);
	EXPECT_GE(max, st.st_size);
	n = pread(ctx.fd, buf, max, 0);
	EXPECT_EQ(st.st_size, n);
	EXPECT_TRUE(n >= 0 && pattern_or_zero(buf, 0, n, &zeros));
	/* No more pages than the size needs. */
	EXPECT_GE((st.st_size + ctx.page - 1) / ctx.page * (ctx.page / 512), st.st_blocks);
	close(ctx.fd);
	free(buf);
	finish(_metadata, self, NULL, 0);
}

/* ---- readdir_churn: getdents64 while entries come and go ------------------- */

enum { R_CREATE, R_UNLINK, R_GETDENTS, R_SEEK, R_PASS, R_NOPS };

static const char *const readdir_ops[] = { "create", "unlink", "getdents", "lseek", "pass" };

static void churn_worker(void)
{
	char name[8];
	int fd, i;

	ready();
	while (!stopping()) {
		i = rnd_below(N_CHURN);
		snprintf(name, sizeof(name), "t%03d", i);
		if (rnd_below(2)) {
			fd = openat(ctx.fd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
			if (ACCT(R_CREATE, fd, E(EEXIST), name))
				close(fd);
		} else {
			/* Odd while the unlink may be happening. */
			__atomic_fetch_add(&sh->gen[i], 1, __ATOMIC_SEQ_CST);
			ACCT(R_UNLINK, unlinkat(ctx.fd, name, 0), E(ENOENT), name);
			__atomic_fetch_add(&sh->gen[i], 1, __ATOMIC_SEQ_CST);
		}
	}
}

/* Churned name @name (t@i) seen in a pass: a second time only if unlinked in between. */
static void seen_churned(const char *name, long i, int *seen_gen, const int *before,
			 long *dups)
{
	int g = __atomic_load_n(&sh->gen[i], __ATOMIC_SEQ_CST);

	if (seen_gen[i] >= 0) {
		if (g == seen_gen[i] && !(seen_gen[i] & 1))
			bad(0, "%s twice in a pass, not unlinked between", name);
		(*dups)++;
	}
	seen_gen[i] = before[i];
}

/*
 * Passes over the directory with getdents64(2) of one to three entries at a
 * time, sometimes seeking to the d_off of the last entry (where the
 * directory is anyway): "." and "..", and each stable name, exactly once
 * per pass; a churned name twice only if it was unlinked in between.
 */
static void readdir_worker(void)
{
	int seen_gen[N_CHURN], before[N_CHURN];
	bool seen_stable[N_STABLE], seen_dot[2];
	/* Room for a whole struct dirent64; getdents64 is given one to three entries' worth. */
	alignas(8) char buf[sizeof(struct dirent64)];
	long calls, i, dups = 0;
	off_t last, pos;
	int fd, n, off;

	fd = openat(ctx.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		bad(errno, "open the directory");
	ready();
	while (fd >= 0 && !stopping()) {
		pos = lseek(fd, 0, SEEK_SET);
		if (pos) {
			bad(errno, "rewind: %lld", (long long)pos);
			break;
		}
		memset(seen_stable, 0, sizeof(seen_stable));
		memset(seen_dot, 0, sizeof(seen_dot));
		for (i = 0; i < N_CHURN; i++)
			seen_gen[i] = -1;
		last = 0;
		for (calls = 0; !stopping(); calls++) {
			if (calls == LONG_PASS) {
				sh->extra[me][1]++;	/* given up */
				break;
			}
			for (i = 0; i < N_CHURN; i++)
				before[i] = __atomic_load_n(&sh->gen[i], __ATOMIC_SEQ_CST);
			n = getdents64(fd, buf, DIRENT_SIZE * (1 + rnd_below(3)));
			if (!ACCT(R_GETDENTS, n, 0, "getdents64"))
				break;
			if (n == 0) {
				for (i = 0; i < N_STABLE; i++)
					if (!seen_stable[i])
						bad(0, "pass without s%02ld", i);
				if (!seen_dot[0] || !seen_dot[1])
					bad(0, "pass without . or ..");
				count(R_PASS);
				break;
			}
			for (off = 0; off < n;) {
				struct dirent64 *de = (struct dirent64 *)(buf + off);
				char *name = de->d_name, *end;

				off += de->d_reclen;
				last = de->d_off;
				i = strtol(name + 1, &end, 10);
				if (!strcmp(name, ".") || !strcmp(name, "..")) {
					if (seen_dot[name[1] == '.'])
						bad(0, "%s twice in a pass", name);
					seen_dot[name[1] == '.'] = true;
				} else if (name[0] == 's' && !*end && i >= 0 && i < N_STABLE) {
					if (seen_stable[i])
						bad(0, "%s twice in a pass", name);
					seen_stable[i] = true;
				} else if (name[0] == 't' && !*end && i >= 0 && i < N_CHURN) {
					seen_churned(name, i, seen_gen, before, &dups);
				} else {
					bad(0, "unexpected name %.32s", name);
				}
			}
			if (!rnd_below(4)) {
				pos = lseek(fd, last, SEEK_SET);
				if (ACCT(R_SEEK, pos, 0, "lseek") && pos != last)
					bad(0, "lseek to %lld gave %lld", (long long)last,
					    (long long)pos);
			}
		}
	}
	sh->extra[me][0] += dups;
	if (fd >= 0)
		close(fd);
}

TEST_F_TIMEOUT(race, readdir_churn, CASE_TIMEOUT)
{
	struct race_run run = {
		.nr = 4,
		.fn = { churn_worker, churn_worker, readdir_worker, readdir_worker },
	};
	long dups = 0, given_up = 0;
	char name[8];
	int i, w, fd;

	ASSERT_EQ(0, mkdirat(ctx.rfd, "dir", 0755));
	ctx.fd = openat(ctx.rfd, "dir", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, ctx.fd);
	for (i = 0; i < N_STABLE; i++) {
		snprintf(name, sizeof(name), "s%02d", i);
		fd = openat(ctx.fd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		ASSERT_LE(0, fd);
		close(fd);
	}
	op_names = readdir_ops;
	run_race(_metadata, &run, self->secs, self->seed);
	report(_metadata, self->title, run.nr, R_NOPS);
	for (w = 0; w < run.nr; w++) {
		dups += sh->extra[w][0];
		given_up += sh->extra[w][1];
	}
	fprintf(stdout,
		"# %s: %ld churned names seen again after being re-created, %ld passes given up after %d calls\n",
		self->title, dups, given_up, LONG_PASS);
	/* Every reader completed passes. */
	EXPECT_LT(0, sh->ops[2][R_PASS]);
	EXPECT_LT(0, sh->ops[3][R_PASS]);
	close(ctx.fd);
	finish(_metadata, self, NULL, 1);
}

/* ---- lazy_umount: MNT_DETACH under the feet of its users -------------------- */

enum { L_IO, L_FSTATFS, L_CREATE_AT, L_UNLINK_AT, L_CWD_CREATE, L_CWD_STAT, L_CWD_READDIR,
	L_CWD_DIR, L_MAP, L_NOPS };

static const char *const lazy_ops[] = {
	"pwrite+pread", "fstatfs", "create-at-fd", "unlink-at-fd", "cwd-create+unlink", "cwd-stat",
	"cwd-readdir", "cwd-mkdir+rmdir", "mapping",
};

/* The module reference count of rust_ramfs, or -1 if not a module. */
static long module_refcnt(void)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open("/sys/module/rust_ramfs/refcnt", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* Is @path a mount point in /proc/self/mountinfo? */
static bool in_mountinfo(const char *path)
{
	char line[4096], mp[PATH_MAX];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return true;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && !strcmp(mp, path);
	fclose(f);
	return found;
}

/* Holds a file and its directory open: I/O on the fd, lookups relative to the directory. */
static void lazy_fd_worker(void)
{
	unsigned char buf[256], want[256];
	char path[PATH_MAX + 8], name[16];
	off_t size = LZ_PAGES * ctx.page, off;
	struct statfs sf;
	int fd, dfd, f;

	snprintf(path, sizeof(path), "%s/f0", ctx.lazy_dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	dfd = open(ctx.lazy_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || dfd < 0)
		bad(errno, "open in %s", ctx.lazy_dir);
	ready();
	while (fd >= 0 && dfd >= 0 && !stopping()) {
		off = rnd_below(size - sizeof(buf));
		fill_pattern(want, off, sizeof(buf));
		if (ACCT(L_IO, pwrite(fd, want, sizeof(want), off), 0, "pwrite") &&
		    (pread(fd, buf, sizeof(buf), off) != sizeof(buf) ||
		     memcmp(buf, want, sizeof(buf))))
			bad(errno, "pread after pwrite at %lld", (long long)off);
		ACCT(L_FSTATFS, fstatfs(fd, &sf), 0, "fstatfs");
		snprintf(name, sizeof(name), "fd%lu", rnd_below(16));
		f = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		if (ACCT(L_CREATE_AT, f, 0, name))
			close(f);
		ACCT(L_UNLINK_AT, unlinkat(dfd, name, 0), 0, name);
	}
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
}

/* Works in its cwd, in the mount. */
static void lazy_cwd_worker(void)
{
	char name[16], dbuf[1024];
	struct stat st;
	int fd;

	if (chdir(ctx.lazy_dir))
		bad(errno, "chdir %s", ctx.lazy_dir);
	ready();
	while (!stopping()) {
		snprintf(name, sizeof(name), "cw%lu", rnd_below(16));
		fd = open(name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		if (ACCT(L_CWD_CREATE, fd, 0, name)) {
			if (write(fd, name, strlen(name)) != (ssize_t)strlen(name))
				bad(errno, "write %s", name);
			close(fd);
			if (stat(name, &st) || st.st_size != (off_t)strlen(name))
				bad(errno, "stat %s", name);
			if (unlink(name))
				bad(errno, "unlink %s", name);
		}
		ACCT(L_CWD_STAT, stat("..", &st), 0, "..");
		fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (ACCT(L_CWD_READDIR, fd, 0, ".")) {
			while (getdents64(fd, dbuf, sizeof(dbuf)) > 0)
				;
			close(fd);
		}
		if (ACCT(L_CWD_DIR, mkdir("sub", 0755), 0, "sub") &&
		    (mkdir("sub/x", 0755) || rmdir("sub/x") || rmdir("sub")))
			bad(errno, "sub/x");
	}
	if (chdir("/"))
		bad(errno, "chdir /");
}

/* Has the file mapped (and no fd): writes and reads the mapping. */
static void lazy_map_worker(void)
{
	off_t size = LZ_PAGES * ctx.page, off;
	char path[PATH_MAX + 8];
	unsigned char *map;
	int fd;

	snprintf(path, sizeof(path), "%s/m0", ctx.lazy_dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	map = fd < 0 ? MAP_FAILED : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		bad(errno, "map %s", path);
	if (fd >= 0)
		close(fd);
	ready();
	while (map != MAP_FAILED && !stopping()) {
		off = rnd_below(size);
		map[off] = pattern(off);
		if (!rnd_below(32))
			madvise(map, size, MADV_DONTNEED);
		off = rnd_below(size);
		if (map[off] != pattern(off))
			bad(0, "byte %d at %lld in the mapping", map[off], (long long)off);
		count(L_MAP);
	}
	if (map != MAP_FAILED)
		munmap(map, size);
}

/* Half-way: detach the mount. */
static void lazy_tick(struct __test_metadata *_metadata, double t, int secs)
{
	if (sh->phase || t < secs / 2.0)
		return;
	EXPECT_EQ(0, umount2(ctx.lazy, MNT_DETACH)) {
		TH_LOG("umount2(MNT_DETACH): %s", strerror(errno));
	}
	EXPECT_FALSE(in_mountinfo(ctx.lazy));
	__atomic_store_n(&sh->phase, 1, __ATOMIC_RELAXED);
}

TEST_F_TIMEOUT(race, lazy_umount, CASE_TIMEOUT)
{
	struct race_run run = {
		.nr = 3,
		.fn = { lazy_fd_worker, lazy_cwd_worker, lazy_map_worker },
		.tick = lazy_tick,
	};
	long refs0 = -1, refs = -1;
	char path[PATH_MAX + 8], ebuf[4096];
	bool rust = !strcmp(variant->fstype, "rust_ramfs"), unmounted = false;
	unsigned char *buf = malloc(LZ_PAGES * ctx.page);
	struct pollfd pfd;
	double t0;
	int ifd, fd, w;
	ssize_t n;

	ASSERT_NE(NULL, buf);
	path_join(ctx.lazy, self->base, "lazy");
	ASSERT_EQ(0, mkdir(ctx.lazy, 0755));
	if (rust)
		refs0 = module_refcnt();
	ASSERT_EQ(0, mount(MOUNT_SOURCE, ctx.lazy, variant->fstype, 0, variant->opts));
	EXPECT_TRUE(in_mountinfo(ctx.lazy));
	if (rust && refs0 >= 0)
		EXPECT_EQ(refs0 + 1, module_refcnt());
	/* Sent when the superblock is shut down, whatever the file system. */
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ASSERT_LE(0, ifd);
	ASSERT_LE(0, inotify_add_watch(ifd, ctx.lazy, IN_ATTRIB));

	path_join(ctx.lazy_dir, ctx.lazy, "w");
	ASSERT_EQ(0, mkdir(ctx.lazy_dir, 0755));
	fill_pattern(buf, 0, LZ_PAGES * ctx.page);
	snprintf(path, sizeof(path), "%s/f0", ctx.lazy_dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(LZ_PAGES * ctx.page, write(fd, buf, LZ_PAGES * ctx.page));
	close(fd);
	snprintf(path, sizeof(path), "%s/m0", ctx.lazy_dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(LZ_PAGES * ctx.page, write(fd, buf, LZ_PAGES * ctx.page));
	close(fd);
	free(buf);

	op_names = lazy_ops;
	run_race(_metadata, &run, self->secs, self->seed);
	report(_metadata, self->title, run.nr, L_NOPS);
	EXPECT_EQ(1, sh->phase);
	/* Each kept going after the detach. */
	for (w = 0; w < run.nr; w++) {
		EXPECT_LT(0, sh->late[w]) {
			TH_LOG("worker %d did nothing after the detach", w);
		}
	}

	/* The last user gone, the superblock goes: IN_UNMOUNT, and the module reference. */
	t0 = now();
	pfd = (struct pollfd){ .fd = ifd, .events = POLLIN };
	while (!unmounted && now() - t0 < 10 && poll(&pfd, 1, 1000) >= 0) {
		n = read(ifd, ebuf, sizeof(ebuf));
		for (char *p = ebuf; n > 0 && p < ebuf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			unmounted |= ev->mask & IN_UNMOUNT;
			p += sizeof(*ev) + ev->len;
		}
	}
	EXPECT_TRUE(unmounted) {
		TH_LOG("no IN_UNMOUNT within 10 s: the superblock is still there");
	}
	if (rust && refs0 >= 0) {
		while ((refs = module_refcnt()) != refs0 && now() - t0 < 10)
			usleep(50000);
		EXPECT_EQ(refs0, refs);
	}
	printf("# %s: superblock gone %.2f s after the workers%s\n", self->title, now() - t0,
	       refs0 >= 0 ? ", module reference count back" : "");
	close(ifd);
	rmdir(ctx.lazy);
	ctx.lazy[0] = '\0';
	finish(_metadata, self, NULL, 0);
}

/* ---- module_unload: delete_module(2) while rust_ramfs is busy --------------- */

enum { U_CREATE, U_WRITE, U_READ, U_UNLINK, U_DIR, U_NOPS };

static const char *const unload_ops[] = { "create", "write", "read", "unlink", "mkdir+rmdir" };

static void unload_worker(void)
{
	unsigned char buf[512], want[512];
	char name[16];
	int fd;

	ready();
	while (!stopping()) {
		snprintf(name, sizeof(name), "u%d.%lu", me, rnd_below(8));
		fd = openat(ctx.rfd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
		if (!ACCT(U_CREATE, fd, 0, name))
			continue;
		fill_pattern(want, 0, sizeof(want));
		ACCT(U_WRITE, write(fd, want, sizeof(want)), 0, name);
		if (ACCT(U_READ, pread(fd, buf, sizeof(buf), 0), 0, name) &&
		    memcmp(buf, want, sizeof(buf)))
			bad(0, "%s holds something else", name);
		close(fd);
		ACCT(U_UNLINK, unlinkat(ctx.rfd, name, 0), 0, name);
		ACCT(U_DIR, mkdirat(ctx.rfd, name, 0755), 0, name);
		if (unlinkat(ctx.rfd, name, AT_REMOVEDIR))
			bad(errno, "rmdir %s", name);
	}
}

static long unload_tries, unload_busy;

static long delete_module(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK);
}

/* Twice a second: the module must not go. */
static void unload_tick(struct __test_metadata *_metadata, double t, int secs)
{
	long ret;

	if (t < unload_tries * 0.5)
		return;
	unload_tries++;
	ret = delete_module("rust_ramfs");
	EXPECT_EQ(-1, ret);
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) {
		TH_LOG("delete_module while mounted: %s", strerror(errno));
	}
	if (ret < 0 && errno == EBUSY)
		unload_busy++;
	EXPECT_TRUE(fs_registered("rust_ramfs"));
}

TEST_F_TIMEOUT(race, module_unload, CASE_TIMEOUT)
{
	struct race_run run = {
		.nr = 2,
		.fn = { unload_worker, unload_worker },
		.tick = unload_tick,
	};
	long refs, ret = -1;
	double t0;

	if (strcmp(variant->fstype, "rust_ramfs"))
		SKIP(return, "rust_ramfs only");
	if (access("/sys/module/rust_ramfs/refcnt", F_OK) ||
	    access("/sys/module/rust_ramfs/initstate", F_OK))
		SKIP(return, "rust_ramfs is built in");
	op_names = unload_ops;
	run_race(_metadata, &run, self->secs, self->seed);
	report(_metadata, self->title, run.nr, U_NOPS);
	printf("# %s: delete_module refused %ld times (%ld EBUSY, the rest EWOULDBLOCK)\n",
	       self->title, unload_tries, unload_busy);
	EXPECT_LT(0, unload_tries);
	finish(_metadata, self, NULL, 0);
	ASSERT_FALSE(self->mounted);

	/* Unused now: it can go (once references from elsewhere are gone too). */
	t0 = now();
	while ((refs = module_refcnt()) > 0 && now() - t0 < 10)
		usleep(50000);
	EXPECT_EQ(0, refs);
	while (now() - t0 < 20 && (ret = delete_module("rust_ramfs")) && errno == EWOULDBLOCK)
		usleep(50000);
	EXPECT_EQ(0, ret) {
		TH_LOG("delete_module after umount: %s", strerror(errno));
	}
	EXPECT_FALSE(fs_registered("rust_ramfs"));
	printf("# %s: unloaded %.2f s after the umount\n", self->title, now() - t0);
	fflush(stdout);

	/* Back, for what comes next: it mounts again. */
	ASSERT_EQ(0, system("modprobe rust_ramfs"));
	ASSERT_TRUE(fs_registered("rust_ramfs"));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, self->mnt, variant->fstype, 0, variant->opts));
	EXPECT_EQ(1, module_refcnt());
	EXPECT_EQ(0, umount2(self->mnt, 0));
}

TEST_HARNESS_MAIN
