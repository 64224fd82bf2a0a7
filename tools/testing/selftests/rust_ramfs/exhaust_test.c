// SPDX-License-Identifier: GPL-2.0
/*
 * Running out of inodes and memory on ramfs, rust_ramfs and tmpfs.
 *
 *   limits      On mounts with size=64m,nr_inodes=5000 (rust_ramfs and
 *               tmpfs): creating files stops with ENOSPC after exactly
 *               nr_inodes - 1 of them (the root directory is the first
 *               inode), writing stops with ENOSPC after exactly 64 MiB of
 *               data, and removing it all gives everything back.
 *
 *   many_files  EXHAUST_FILES (20000 unless set in the environment) empty
 *               files in directories of 1000, then one directory of
 *               EXHAUST_DIR (10000) entries: the time per create, and the
 *               memory per inode as /proc/meminfo sees it (MemAvailable
 *               and Slab, before and after: ramfs's inodes cannot be
 *               dropped, so there is no cache to drop first); all entries
 *               of the big directory come back from readdir; after
 *               everything is removed and the file system unmounted, the
 *               inode and dentry slab objects and the memory come back.
 *
 *   oom         Only with EXHAUST_OOM=1: a child process writes to an
 *               unlimited ramfs or rust_ramfs until it is killed or gets
 *               ENOSPC or ENOMEM; the test process survives it, reports what
 *               happened, and removes the file. The child runs in a memory
 *               cgroup of its own limited to 64 MiB if the kernel has one
 *               (cgroup v2, or v1), else against all of memory; then a
 *               reserve process holds RESERVE bytes of anonymous memory for
 *               the OOM killer's second choice (see oom_reserve()).
 *
 * About the memory a ramfs file takes (what oom shows): its pages are in the
 * page cache, but on the unevictable LRU list (mapping_set_unevictable()),
 * and there is no backing store to write them to, so reclaim can do nothing
 * with them; the OOM killer cannot free them either, since they belong to no
 * process: killing the writer leaves them where they are, and only removing
 * the file (or unmounting) frees them. Like any page cache page, they are
 * charged to the memory cgroup of the task that brought them in
 * (__filemap_add_folio() charges the folio), and stay charged to it (or to
 * its parent, once it is removed) until they are freed. So a writer in a
 * cgroup with memory.max hits that limit: the charge fails, reclaim finds
 * nothing, and the cgroup's OOM killer kills the writer. Seen in practice:
 * see the comment above the oom case.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64

#include "kselftest_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>

#include "tmpfs_compare.h"

#ifndef BIT
#define BIT(nr)		(1UL << (nr))
#endif

#define MOUNT_SOURCE	"exhaust_test"
#define LIMIT_INODES	5000
#define LIMIT_BYTES	(64L << 20)
#define PER_DIR		1000		/* files per directory of many_files */
#define CHUNK		BIT(20)		/* what the writers write at a time */
#define CG_LIMIT	(64L << 20)	/* memory.max of the oom child */
#define MAX_OOM_CHAIN	16		/* processes kept from the OOM killer: us and our parents */
#define RESERVE		(128L << 20)	/* what the oom case's reserve process holds */

FIXTURE(exhaust) {
	char base[PATH_MAX];
	char mnt[PATH_MAX];
	char cg[PATH_MAX];	/* oom: the child's cgroup, to remove */
	char cgmnt[PATH_MAX];	/* oom: a cgroup2 mount of our own, to unmount */
	bool mounted;
	long page;
	struct statfs sf0;	/* right after the mount */
};

FIXTURE_VARIANT(exhaust) {
	const char *name;
	const char *fstype;
	const char *opts;
	bool limited;		/* by size=64m,nr_inodes=5000 */
};

FIXTURE_VARIANT_ADD(exhaust, ramfs) {
	.name = "ramfs",
	.fstype = "ramfs",
	.opts = "",
};

FIXTURE_VARIANT_ADD(exhaust, rust_ramfs) {
	.name = "rust_ramfs",
	.fstype = "rust_ramfs",
	.opts = "",
};

FIXTURE_VARIANT_ADD(exhaust, rust_ramfs_limited) {
	.name = "rust_ramfs_limited",
	.fstype = "rust_ramfs",
	.opts = "size=64m,nr_inodes=5000",
	.limited = true,
};

FIXTURE_VARIANT_ADD(exhaust, tmpfs) {
	.name = "tmpfs",
	.fstype = "tmpfs",
	.opts = "size=64m,nr_inodes=5000",
	.limited = true,
};

FIXTURE_SETUP(exhaust)
{
	self->base[0] = '\0';
	self->cg[0] = '\0';
	self->cgmnt[0] = '\0';
	self->mounted = false;
	self->page = sysconf(_SC_PAGESIZE);
	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (!fs_available(variant->fstype))
		SKIP(return, "file system type %s not available", variant->fstype);

	/* Anything mounted from now on disappears with this process. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	snprintf(self->base, sizeof(self->base), "/tmp/exhaust_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->base));
	path_join(self->mnt, self->base, "mnt");
	ASSERT_EQ(0, mkdir(self->mnt, 0755));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, self->mnt, variant->fstype, 0, variant->opts)) {
		TH_LOG("mount -t %s -o '%s': %s", variant->fstype, variant->opts,
		       strerror(errno));
	}
	self->mounted = true;
	ASSERT_EQ(0, statfs(self->mnt, &self->sf0));
}

FIXTURE_TEARDOWN(exhaust)
{
	if (!self->base[0])
		return;
	if (self->cg[0])
		rmdir(self->cg);
	if (self->cgmnt[0]) {
		umount2(self->cgmnt, MNT_DETACH);
		rmdir(self->cgmnt);
	}
	if (self->mounted)
		umount2(self->mnt, MNT_DETACH);
	rmdir(self->mnt);
	rmdir(self->base);
}

/* The fields of /proc/meminfo we look at, in KiB. */
struct meminfo {
	long total, free, avail, slab, srecl, sunrecl, unevictable;
};

static void read_meminfo(struct meminfo *m)
{
	char line[256], key[64];
	long v;
	FILE *f;

	memset(m, 0, sizeof(*m));
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %ld", key, &v) != 2)
			continue;
		if (!strcmp(key, "MemTotal"))
			m->total = v;
		else if (!strcmp(key, "MemFree"))
			m->free = v;
		else if (!strcmp(key, "MemAvailable"))
			m->avail = v;
		else if (!strcmp(key, "Slab"))
			m->slab = v;
		else if (!strcmp(key, "SReclaimable"))
			m->srecl = v;
		else if (!strcmp(key, "SUnreclaim"))
			m->sunrecl = v;
		else if (!strcmp(key, "Unevictable"))
			m->unevictable = v;
	}
	fclose(f);
}

/* The slab cache of the inodes of @fstype: ramfs and rust_ramfs share the VFS's. */
static const char *inode_cache(const char *fstype)
{
	if (!strcmp(fstype, "tmpfs"))
		return "shmem_inode_cache";
	return "inode_cache";
}

/*
 * Gives the slab caches of inodes and dentries back what they hold: with
 * KASAN, freed objects wait in its quarantine until their cache is shrunk.
 */
static void shrink_caches(const char *fstype)
{
	const char * const caches[] = { inode_cache(fstype), "dentry", "kmemleak_object",
					"maple_node", "radix_tree_node" };
	char path[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(caches); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", caches[i]);
		write_string(path, "1");
	}
}

/* Creates the empty file @name in @dfd; 0 or -1. */
static int create_empty(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* statfs of @path: free inodes and blocks equal @ffree and @bfree, within a few seconds (RCU)? */
static bool statfs_free(const char *path, long ffree, long bfree, struct statfs *sf)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (statfs(path, sf))
			return false;
		if ((long)sf->f_ffree == ffree && (long)sf->f_bfree == bfree)
			return true;
		usleep(100000);
	}
	return false;
}

/* ---- limits: the limits stop exactly where they are ----------------------- */

TEST_F_TIMEOUT(exhaust, limits, 900)
{
	long blocks = LIMIT_BYTES / self->page, n, i, total = 0;
	char name[32], *buf;
	struct statfs sf;
	struct stat st;
	double t0, tc, tw;
	ssize_t r;
	int dfd, fd, err;

	if (!variant->limited)
		SKIP(return, "no limits");
	EXPECT_EQ(LIMIT_INODES, self->sf0.f_files);
	EXPECT_EQ(LIMIT_INODES - 1, self->sf0.f_ffree);
	EXPECT_EQ(blocks, self->sf0.f_blocks);
	EXPECT_EQ(blocks, self->sf0.f_bfree);
	dfd = open(self->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dfd);

	/* Files until ENOSPC: the root took the first inode. */
	t0 = now();
	for (n = 0; n < 2 * LIMIT_INODES; n++) {
		snprintf(name, sizeof(name), "f%05ld", n);
		if (create_empty(dfd, name))
			break;
	}
	err = errno;
	tc = now() - t0;
	EXPECT_EQ(ENOSPC, err) {
		TH_LOG("file %ld: %s", n, strerror(err));
	}
	EXPECT_EQ(LIMIT_INODES - 1, n);
	ASSERT_EQ(0, statfs(self->mnt, &sf));
	EXPECT_EQ(0, sf.f_ffree);
	/* Nothing else that takes an inode (or, as in tmpfs, a hard link) fits either. */
	EXPECT_EQ(-1, mkdirat(dfd, "dir", 0755));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, symlinkat("f00000", dfd, "sym"));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, mknodat(dfd, "fifo", S_IFIFO | 0644, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, linkat(dfd, "f00000", dfd, "link", 0));
	EXPECT_EQ(ENOSPC, errno);
	fd = open(self->mnt, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENOSPC, errno);
	if (fd >= 0)
		close(fd);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%05ld", i);
		ASSERT_EQ(0, unlinkat(dfd, name, 0));
	}
	EXPECT_TRUE(statfs_free(self->mnt, LIMIT_INODES - 1, blocks, &sf)) {
		TH_LOG("after unlinking: %lu inodes, %lu blocks free", (unsigned long)sf.f_ffree,
		       (unsigned long)sf.f_bfree);
	}

	/* Data until ENOSPC. */
	buf = malloc(CHUNK);
	ASSERT_NE(NULL, buf);
	memset(buf, 'x', CHUNK);
	fd = openat(dfd, "data", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	t0 = now();
	while (total <= 2 * LIMIT_BYTES && (r = write(fd, buf, CHUNK)) > 0)
		total += r;
	err = errno;
	tw = now() - t0;
	EXPECT_EQ(-1, r);
	EXPECT_EQ(ENOSPC, err);
	EXPECT_EQ(LIMIT_BYTES, total);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(LIMIT_BYTES, st.st_size);
	EXPECT_EQ(LIMIT_BYTES / 512, st.st_blocks);
	ASSERT_EQ(0, statfs(self->mnt, &sf));
	EXPECT_EQ(0, sf.f_bfree);
	EXPECT_EQ(0, sf.f_bavail);
	EXPECT_EQ(LIMIT_INODES - 2, sf.f_ffree);
	fprintf(stdout,
		"# %s: %ld files until ENOSPC (%.0f ns/create), %ld bytes until ENOSPC (%ld pages, %.1f MiB/s)\n",
		variant->name, n, tc * 1e9 / (n ? n : 1), total, (long)(total / self->page),
		total / 1048576.0 / tw);
	fflush(stdout);
	close(fd);
	free(buf);
	ASSERT_EQ(0, unlinkat(dfd, "data", 0));
	EXPECT_TRUE(statfs_free(self->mnt, LIMIT_INODES - 1, blocks, &sf)) {
		TH_LOG("after unlinking: %lu inodes, %lu blocks free", (unsigned long)sf.f_ffree,
		       (unsigned long)sf.f_bfree);
	}
	close(dfd);
	EXPECT_EQ(0, umount2(self->mnt, 0));
	self->mounted = false;
}

/* ---- many_files: many empty files, and one big directory ------------------- */

/*
 * Stops creating (and says so) when memory runs low: the soak's million
 * files may not fit in the guest with the debugging options' overhead.
 */
static bool memory_low(const struct meminfo *start)
{
	struct meminfo m;

	read_meminfo(&m);
	return m.avail < 256 * 1024 || m.avail < start->total / 8;
}

/* Prints the time per create and the memory per inode between @m0 and @m1. */
static void print_usage(const char *what, long n, long inodes, double secs,
			const struct meminfo *m0, const struct meminfo *m1)
{
	fprintf(stdout,
		"# %s: %ld files, %.0f ns/create, slab %.0f bytes/inode (MemAvailable %.0f, noisy)\n",
		what, n, secs * 1e9 / n, (m1->slab - m0->slab) * 1024.0 / inodes,
		(m0->avail - m1->avail) * 1024.0 / inodes);
	fprintf(stdout,
		"# %s: MemFree %.0f, SReclaimable %.0f, SUnreclaim %.0f, Unevictable %.0f bytes/inode\n",
		what, (m0->free - m1->free) * 1024.0 / inodes,
		(m1->srecl - m0->srecl) * 1024.0 / inodes,
		(m1->sunrecl - m0->sunrecl) * 1024.0 / inodes,
		(m1->unevictable - m0->unevictable) * 1024.0 / inodes);
	fflush(stdout);
}

TEST_F_TIMEOUT(exhaust, many_files, 7200)
{
	long files = env_long("EXHAUST_FILES", 20000), big = env_long("EXHAUST_DIR", 10000);
	long ndirs, n, made = 0, i, entries = 0, dups = 0, inodes0, dentries0, in, de;
	const char *icache = inode_cache(variant->fstype);
	struct meminfo m0, m1, m2, m3, m4;
	char name[64], opts[64];
	unsigned char *seen;
	bool capped = false;
	double t0, t1, tb, tr, tu;
	struct statfs sf;
	int dfd, sub, bfd;

	ndirs = (files + PER_DIR - 1) / PER_DIR;
	if (variant->limited) {
		/* Room for it all, still limited. */
		snprintf(opts, sizeof(opts), "nr_inodes=%ld", files + ndirs + big + 16);
		ASSERT_EQ(0, mount(NULL, self->mnt, NULL, MS_REMOUNT, opts)) {
			TH_LOG("remount -o %s: %s", opts, strerror(errno));
		}
		ASSERT_EQ(0, statfs(self->mnt, &self->sf0));
		EXPECT_EQ(files + ndirs + big + 16, self->sf0.f_files);
	}
	dfd = open(self->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dfd);
	/* Warm up: the caches grow to what a few hundred inodes take. */
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "w%ld", i);
		ASSERT_EQ(0, create_empty(dfd, name));
	}
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "w%ld", i);
		ASSERT_EQ(0, unlinkat(dfd, name, 0));
	}
	shrink_caches(variant->fstype);
	usleep(500000);
	inodes0 = slab_active(icache);
	dentries0 = slab_active("dentry");
	read_meminfo(&m0);

	/* The files, in directories of PER_DIR. */
	t0 = now();
	for (n = 0; n < ndirs && !capped; n++) {
		snprintf(name, sizeof(name), "d%04ld", n);
		ASSERT_EQ(0, mkdirat(dfd, name, 0755));
		sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ASSERT_LE(0, sub);
		for (i = 0; i < PER_DIR && made < files; i++, made++) {
			snprintf(name, sizeof(name), "f%07ld", made);
			ASSERT_EQ(0, create_empty(sub, name)) {
				TH_LOG("file %ld: %s", made, strerror(errno));
			}
		}
		close(sub);
		capped = memory_low(&m0);
	}
	ndirs = n;
	t1 = now() - t0;
	read_meminfo(&m1);
	if (capped)
		printf("# %s: stopped at %ld files of %ld: MemAvailable down to %ld MiB\n",
		       variant->name, made, files, m1.avail >> 10);
	print_usage(variant->name, made, made + ndirs, t1, &m0, &m1);

	/* One big directory. */
	ASSERT_EQ(0, mkdirat(dfd, "big", 0755));
	bfd = openat(dfd, "big", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, bfd);
	t0 = now();
	for (n = 0; n < big && !(n % 1000 == 999 && memory_low(&m0)); n++) {
		snprintf(name, sizeof(name), "e%07ld", n);
		ASSERT_EQ(0, create_empty(bfd, name)) {
			TH_LOG("entry %ld: %s", n, strerror(errno));
		}
	}
	tb = now() - t0;
	if (n < big)
		printf("# %s: stopped at %ld entries of %ld in one directory: memory low\n",
		       variant->name, n, big);
	big = n;
	read_meminfo(&m2);
	snprintf(name, sizeof(name), "%s (one directory)", variant->name);
	print_usage(name, big, big, tb, &m1, &m2);

	/* All of it comes back from readdir, once. */
	seen = calloc(big, 1);
	ASSERT_NE(NULL, seen);
	t0 = now();
	for (;;) {
		alignas(8) char buf[65536];
		long r = getdents64(bfd, buf, sizeof(buf));

		ASSERT_LE(0, r);
		if (!r)
			break;
		for (long off = 0; off < r;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			char *end;

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			i = strtol(d->d_name + 1, &end, 10);
			EXPECT_TRUE(d->d_name[0] == 'e' && !*end && i >= 0 && i < big) {
				TH_LOG("unexpected name %s", d->d_name);
				continue;
			}
			dups += seen[i]++ != 0;
			entries++;
		}
	}
	tr = now() - t0;
	free(seen);
	EXPECT_EQ(big, entries);
	EXPECT_EQ(0, dups);
	printf("# %s: readdir of %ld entries: %.0f ns/entry\n", variant->name, entries,
	       tr * 1e9 / (entries ? entries : 1));

	/* Away with it all. */
	t0 = now();
	for (i = 0; i < big; i++) {
		snprintf(name, sizeof(name), "e%07ld", i);
		ASSERT_EQ(0, unlinkat(bfd, name, 0));
	}
	close(bfd);
	ASSERT_EQ(0, unlinkat(dfd, "big", AT_REMOVEDIR));
	for (n = 0, made = 0; n < ndirs; n++) {
		snprintf(name, sizeof(name), "d%04ld", n);
		sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ASSERT_LE(0, sub);
		for (i = 0; i < PER_DIR; i++, made++) {
			snprintf(name, sizeof(name), "f%07ld", made);
			if (unlinkat(sub, name, 0)) {
				ASSERT_EQ(ENOENT, errno);	/* the last directory is not full */
				break;
			}
		}
		close(sub);
		snprintf(name, sizeof(name), "d%04ld", n);
		ASSERT_EQ(0, unlinkat(dfd, name, AT_REMOVEDIR));
	}
	tu = now() - t0;
	read_meminfo(&m3);
	printf("# %s: unlinked %ld files and %ld directories: %.0f ns/unlink\n", variant->name,
	       made + big, ndirs + 1, tu * 1e9 / (made + big + ndirs + 1));
	EXPECT_TRUE(statfs_free(self->mnt, self->sf0.f_ffree, self->sf0.f_bfree, &sf)) {
		TH_LOG("%lu inodes free, not %lu", (unsigned long)sf.f_ffree,
		       (unsigned long)self->sf0.f_ffree);
	}
	close(dfd);
	ASSERT_EQ(0, umount2(self->mnt, 0));
	self->mounted = false;

	/*
	 * The inodes and dentries are freed after an RCU grace period, and
	 * with KASAN wait in its quarantine: shrink, and look again for a while.
	 */
	t0 = now();
	do {
		usleep(200000);
		shrink_caches(variant->fstype);
		in = slab_active(icache);
		de = slab_active("dentry");
		read_meminfo(&m4);
	} while ((in > inodes0 + 200 + (made + big) / 100 ||
		  de > dentries0 + 200 + (made + big) / 100 ||
		  m0.avail - m4.avail > (m0.avail - m2.avail) / 4 + 4096 ||
		  m4.slab - m0.slab > (m2.slab - m0.slab) / 4 + 4096) && now() - t0 < 15);
	printf("# %s: %.1f s after the umount: %s %ld -> %ld, dentry %ld -> %ld active objects\n",
	       variant->name, now() - t0, icache, inodes0, in, dentries0, de);
	fprintf(stdout,
		"# %s: MemAvailable %ld MiB before, %ld at most, %ld after the unlinks, %ld now; Slab %ld MiB before, %ld at most, %ld now\n",
		variant->name, m0.avail >> 10, m2.avail >> 10, m3.avail >> 10, m4.avail >> 10,
		m0.slab >> 10, m2.slab >> 10, m4.slab >> 10);
	if (inodes0 >= 0) {
		EXPECT_GE(inodes0 + 200 + (made + big) / 100, in);
		EXPECT_GE(dentries0 + 200 + (made + big) / 100, de);
	}
	/* Back to within a quarter of what the files took, and 4 MiB. */
	EXPECT_GE((m0.avail - m2.avail) / 4 + 4096, m0.avail - m4.avail);
	EXPECT_GE((m2.slab - m0.slab) / 4 + 4096, m4.slab - m0.slab);
}

/* ---- oom: an unlimited writer ------------------------------------------------ */

/* A memory cgroup to put the writer in. */
struct memcg {
	char dir[PATH_MAX];
	bool v2;
};

/*
 * The mount point of @fstype (in /proc/self/mountinfo) with @opt among its
 * super options, or false.
 */
static bool find_mount(const char *fstype, const char *opt, char *buf, size_t len)
{
	char line[4096], mp[PATH_MAX], type[64], sopts[1024];
	bool found = false;
	FILE *f;
	char *sep;

	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
		    sscanf(sep, " - %63s %*s %1023s", type, sopts) != 2 || strcmp(type, fstype))
			continue;
		if (opt && !strstr(sopts, opt))
			continue;
		found = strlen(mp) < len;
		if (found)
			strcpy(buf, mp);
	}
	fclose(f);
	return found;
}

/* Does the file @path hold a line or word @word? */
static bool file_has_word(const char *path, const char *word)
{
	char buf[4096], *tok, *save;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (tok = strtok_r(buf, "\n ", &save); tok; tok = strtok_r(NULL, "\n ", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

/* The number after @key in the file @path ("key value" lines, or just a number); -1 if none. */
static long read_key(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX + 64], line[256], k[64];
	long v = -1, x;
	char *end;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			x = strtol(line, &end, 10);
			if (end != line)
				v = x;
			break;
		}
		if (sscanf(line, "%63s %ld", k, &x) == 2 && !strcmp(k, key)) {
			v = x;
			break;
		}
	}
	fclose(f);
	return v;
}

/*
 * Creates a memory cgroup limited to CG_LIMIT: with cgroup v2 (mounting it in
 * our mount namespace if it is not mounted), else v1's memory hierarchy, below
 * the cgroup the test runs in. 1 if done, 0 if the kernel has no memory
 * cgroups, -1 if it could not be done. @cgmnt (PATH_MAX bytes) gets the path
 * of the cgroup2 mount made below @base, to unmount, or stays empty.
 */
static int make_memcg(const char *base, char *cgmnt, struct memcg *cg)
{
	char root[PATH_MAX], path[PATH_MAX + 64], line[PATH_MAX + 64], *rel = NULL;
	bool v2 = find_mount("cgroup2", NULL, root, sizeof(root));
	FILE *f;

	if (!v2) {
		path_join(cgmnt, base, "cg");
		if (!mkdir(cgmnt, 0755) && !mount("none", cgmnt, "cgroup2", 0, NULL)) {
			strcpy(root, cgmnt);
			v2 = true;
		} else {
			rmdir(cgmnt);
			cgmnt[0] = '\0';
		}
	}
	path_join(path, root, "cgroup.controllers");
	if (v2 && file_has_word(path, "memory")) {
		path_join(path, root, "cgroup.subtree_control");
		write_string(path, "+memory");
		snprintf(cg->dir, sizeof(cg->dir), "%s/exhaust_test.%d", root, getpid());
		cg->v2 = true;
		if (mkdir(cg->dir, 0755))
			return -1;
		snprintf(path, sizeof(path), "%ld", CG_LIMIT);
		path_join(line, cg->dir, "memory.max");
		if (write_string(line, path))
			return -1;
		path_join(line, cg->dir, "memory.swap.max");
		write_string(line, "0");
		return 1;
	}
	if (cgmnt[0]) {
		umount2(cgmnt, MNT_DETACH);
		rmdir(cgmnt);
		cgmnt[0] = '\0';
	}
	/* cgroup v1: below our own memory cgroup. */
	if (!find_mount("cgroup", "memory", root, sizeof(root)))
		return 0;
	f = fopen("/proc/self/cgroup", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':'), *c2 = c ? strchr(c + 1, ':') : NULL;

		if (c2 && strstr(c, "memory") && strstr(c, "memory") < c2) {
			c2[strcspn(c2, "\n")] = '\0';
			rel = strdup(c2 + 1);
			break;
		}
	}
	if (f)
		fclose(f);
	if (!rel)
		return -1;
	snprintf(cg->dir, sizeof(cg->dir), "%s%s/exhaust_test.%d", root,
		 strcmp(rel, "/") ? rel : "", getpid());
	free(rel);
	cg->v2 = false;
	if (mkdir(cg->dir, 0755))
		return -1;
	snprintf(path, sizeof(path), "%ld", CG_LIMIT);
	path_join(line, cg->dir, "memory.limit_in_bytes");
	return write_string(line, path) ? -1 : 1;
}

static long cg_current(const struct memcg *cg)
{
	return read_key(cg->dir, cg->v2 ? "memory.current" : "memory.usage_in_bytes", NULL);
}

static long cg_peak(const struct memcg *cg)
{
	return read_key(cg->dir, cg->v2 ? "memory.peak" : "memory.max_usage_in_bytes", NULL);
}

static long cg_oom_kills(const struct memcg *cg)
{
	return read_key(cg->dir, cg->v2 ? "memory.events" : "memory.oom_control", "oom_kill");
}

/* Sets /proc/@pid/oom_score_adj to @adj, returning the old value in @old. */
static void set_oom_adj(pid_t pid, int adj, char *old, size_t len)
{
	char path[64], val[16];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	n = old ? read(fd, old, len - 1) : 0;
	if (old)
		old[n > 0 ? n : 0] = '\0';
	snprintf(val, sizeof(val), "%d", adj);
	if (pwrite(fd, val, strlen(val), 0) < 0 && old)
		old[0] = '\0';		/* nothing to restore */
	close(fd);
}

/* The parent of @pid, or 0. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	pid_t ppid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

/*
 * The reserve of the oom case without a memory cgroup: holds RESERVE bytes of
 * anonymous memory until it is killed. Once the OOM killer has taken the
 * writer, memory is still full (the file's pages stay); whatever allocates
 * next, before the test removes the file, makes the OOM killer choose again,
 * and with everything else of ours at -1000, it would take the system's
 * processes one by one and then panic ("no killable processes"), as with C
 * ramfs. At oom_score_adj 900 the reserve comes after the writer (1000) and
 * before anything else, and its memory is enough to remove the file.
 */
static void oom_reserve(void)
{
	char *p;

	set_oom_adj(getpid(), 900, NULL, 0);
	p = mmap(NULL, RESERVE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(101);
	memset(p, 'r', RESERVE);
	for (;;)
		pause();
}

/*
 * The writer: puts itself in @cg (if any), offers itself to the OOM killer
 * first, and appends CHUNK bytes at a time to @path; exits with the errno
 * that stopped it.
 */
static void oom_writer(const char *path, const struct memcg *cg)
{
	char procs[PATH_MAX + 32], pid[16];
	char *buf = malloc(CHUNK);
	int fd;

	if (cg) {
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg->dir);
		snprintf(pid, sizeof(pid), "%d", getpid());
		if (write_string(procs, pid))
			_exit(100);
	}
	set_oom_adj(getpid(), 1000, NULL, 0);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (!buf || fd < 0)
		_exit(101);
	memset(buf, 'o', CHUNK);
	while (write(fd, buf, CHUNK) > 0)
		;
	_exit(errno);
}

/*
 * What was seen (linux 7.2, make soak's guest and a 6.18 host): in a memory
 * cgroup with memory.max=64M, the writer is killed by the cgroup's OOM
 * killer (memory.events oom_kill 1) with a little under 64 MiB written, all
 * of it charged to the cgroup (memory.current stays at the file's size after
 * the writer is dead, and drops when the file is removed). Without a memory
 * cgroup (the test kernel has none), the global OOM killer kills the writer
 * once memory is full (oom_score_adj 1000 makes it the first choice), and
 * the file keeps all that memory until it is removed. Without the reserve
 * process, the next allocations (systemd-udevd's, ours) made the OOM killer
 * take udev's workers, then udev, and then the kernel panicked with nothing
 * left to kill (the test kernel, make soak, 2026-12-03): C ramfs's memory is
 * no one's to give back, as Documentation/filesystems/ramfs-rootfs-initramfs.rst
 * warns. Either way, the kernel log gets OOM reports with stack traces; make
 * test's summary accepts those that end in killing an exhaust_test process.
 */
TEST_F_TIMEOUT(exhaust, oom, 1800)
{
	char path[PATH_MAX], adj[MAX_OOM_CHAIN][16];
	pid_t chain[MAX_OOM_CHAIN], pid, ret, reserve = 0;
	long cur0 = 0, cur, peak, kills, cur_after;
	bool have_cg, killed;
	struct meminfo m0, m1;
	struct memcg cg;
	int status, rstatus = 0, i, nchain = 0;
	struct stat st;
	double t0;

	if (!getenv("EXHAUST_OOM") || strcmp(getenv("EXHAUST_OOM"), "1"))
		SKIP(return, "only with EXHAUST_OOM=1 (make soak)");
	if (variant->limited || !strcmp(variant->fstype, "tmpfs"))
		SKIP(return, "unlimited ramfs and rust_ramfs only");
	i = make_memcg(self->base, self->cgmnt, &cg);
	ASSERT_LE(0, i) {
		TH_LOG("memory cgroup %s: %s", cg.dir, strerror(errno));
	}
	have_cg = i;
	if (have_cg) {
		strcpy(self->cg, cg.dir);
		cur0 = cg_current(&cg);
	}
	printf("# %s: writer %s\n", variant->name,
	       have_cg ? (cg.v2 ? "in a cgroup v2 with memory.max=64M" :
			  "in a cgroup v1 with memory.limit_in_bytes=64M") :
			 "without a memory cgroup (none in this kernel): against all of memory");
	fflush(stdout);
	/* Not us, nor what runs us: the writer only. */
	for (pid = getpid(); pid > 1 && nchain < MAX_OOM_CHAIN; pid = parent_of(pid)) {
		chain[nchain] = pid;
		set_oom_adj(pid, -1000, adj[nchain], sizeof(adj[nchain]));
		nchain++;
	}
	if (!have_cg) {
		reserve = fork();
		ASSERT_LE(0, reserve);
		if (!reserve)
			oom_reserve();
		usleep(500000);
	}
	read_meminfo(&m0);
	path_join(path, self->mnt, "fill");
	t0 = now();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		oom_writer(path, have_cg ? &cg : NULL);
	while ((ret = waitpid(pid, &status, WNOHANG)) == 0 && now() - t0 < 1200)
		usleep(20000);
	if (!ret) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	read_meminfo(&m1);
	ASSERT_EQ(0, stat(path, &st));
	if (reserve) {
		/* Memory is full: the file goes first, then the reserve. */
		ASSERT_EQ(0, truncate(path, 0));
		if (waitpid(reserve, &rstatus, WNOHANG) == 0) {
			kill(reserve, SIGKILL);
			waitpid(reserve, &rstatus, 0);
			rstatus = 0;
		}
		printf("# %s: reserve of %ld MiB at oom_score_adj 900: %s\n", variant->name,
		       RESERVE >> 20, rstatus ? "taken by the OOM killer after the writer" :
						"not needed");
	}
	killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	cur = have_cg ? cg_current(&cg) : -1;
	peak = have_cg ? cg_peak(&cg) : -1;
	kills = have_cg ? cg_oom_kills(&cg) : -1;
	fprintf(stdout,
		"# %s: writer %s after %.1f s; file %lld MiB (%lld MiB in pages); MemAvailable %ld -> %ld MiB, Unevictable %ld -> %ld MiB\n",
		variant->name, killed ? "killed by SIGKILL" :
		WIFEXITED(status) ? strerror(WEXITSTATUS(status)) : "stopped otherwise",
		now() - t0, (long long)st.st_size >> 20, (long long)st.st_blocks * 512 >> 20,
		m0.avail >> 10, m1.avail >> 10, m0.unevictable >> 10, m1.unevictable >> 10);
	if (have_cg)
		fprintf(stdout,
			"# %s: cgroup: %ld oom kills, usage %ld MiB before, %ld MiB peak, %ld MiB with the writer dead and the file there\n",
			variant->name, kills, cur0 >> 20, peak >> 20, cur >> 20);
	fflush(stdout);
	EXPECT_NE(0, ret) {
		TH_LOG("the writer was still writing after 1200 s");
	}
	EXPECT_TRUE(killed || (WIFEXITED(status) && (WEXITSTATUS(status) == ENOSPC ||
						     WEXITSTATUS(status) == ENOMEM))) {
		TH_LOG("writer: wait status %#x", status);
	}
	EXPECT_LT(0, st.st_size);
	if (have_cg) {
		/* The file's pages are charged to the writer's cgroup: at most the limit. */
		EXPECT_GE(CG_LIMIT, st.st_blocks * 512);
		EXPECT_LE(st.st_blocks * 512 - st.st_blocks * 512 / 8, cur - cur0);
		if (killed)
			EXPECT_LE(1, kills);
	}

	/* Removing the file frees its memory, and uncharges it. */
	ASSERT_EQ(0, unlink(path));
	if (have_cg) {
		cur_after = cg_current(&cg);
		printf("# %s: cgroup usage %ld MiB once the file is removed\n", variant->name,
		       cur_after >> 20);
		EXPECT_GT(cur - st.st_blocks * 512 + st.st_blocks * 512 / 8, cur_after);
		EXPECT_EQ(0, rmdir(cg.dir));
		self->cg[0] = '\0';
	}
	for (i = 0; i < nchain; i++)
		if (adj[i][0])
			set_oom_adj(chain[i], atoi(adj[i]), NULL, 0);
	EXPECT_EQ(0, umount2(self->mnt, 0));
	self->mounted = false;
	read_meminfo(&m1);
	printf("# %s: MemAvailable %ld MiB after the umount\n", variant->name, m1.avail >> 10);
}

TEST_HARNESS_MAIN
