// SPDX-License-Identifier: GPL-2.0
/*
 * The block limit of rust_ramfs (size=, nr_blocks=), as tmpfs enforces it:
 * write(2) and pwrite(2) up to the limit, sparse files, shared mappings,
 * copy_file_range(2) and splice(2), concurrent writers, many small files,
 * remount, and space coming back exactly when data goes away.
 *
 * Every case runs once against tmpfs and once against rust_ramfs, with exactly
 * the same expectations (return values and errno values), so that any
 * observable difference between the two file systems fails a test.
 *
 * Without a size= option tmpfs has a default limit and rust_ramfs has none, so
 * every case mounts its own instance with explicit size= (or nr_blocks=) and
 * nr_inodes= options. The cases run in a private mount namespace below a
 * scratch mount of the file system under test. A block is a page.
 */

#define _FILE_OFFSET_BITS 64

#include "kselftest_harness.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include "tmpfs_compare.h"

#define MOUNT_SOURCE	"tmpfs_limits_test"
#define NBLOCKS		16		/* the limit of most cases, in pages */
#define NR_WRITERS	4
#define CHUNK		4096		/* what the concurrent writers write at a time */

FIXTURE(fs) {
	char dir[PATH_MAX];
	char sub[PATH_MAX];
	long page_size;
	char *page;		/* a page of data */
};

FIXTURE_VARIANT(fs) {
	const char *fstype;
};

FIXTURE_VARIANT_ADD(fs, tmpfs) {
	.fstype = "tmpfs",
};

FIXTURE_VARIANT_ADD(fs, rust_ramfs) {
	.fstype = "rust_ramfs",
};

FIXTURE_SETUP(fs)
{
	int ret;

	self->dir[0] = '\0';
	self->page = NULL;
	self->page_size = sysconf(_SC_PAGESIZE);
	umask(0);

	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (!fs_available(variant->fstype))
		SKIP(return, "file system type %s not available", variant->fstype);

	self->page = malloc(self->page_size);
	ASSERT_NE(NULL, self->page);
	memset(self->page, 'x', self->page_size);

	/* Anything mounted from now on disappears with this process. */
	ret = unshare(CLONE_NEWNS) ? 0 : mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	ASSERT_EQ(0, ret);

	/* A scratch mount to hold the mount points of the cases. */
	snprintf(self->dir, sizeof(self->dir), "/tmp/tmpfs_limits_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ret = mount(MOUNT_SOURCE, self->dir, variant->fstype, 0, "mode=0755");
	if (ret) {
		TH_LOG("mount -t %s on %s: %s", variant->fstype, self->dir, strerror(errno));
		rmdir(self->dir);
		self->dir[0] = '\0';
	}
	ASSERT_EQ(0, ret);
	path_join(self->sub, self->dir, "sub");
	ASSERT_EQ(0, mkdir(self->sub, 0755));
}

FIXTURE_TEARDOWN(fs)
{
	free(self->page);
	if (!self->dir[0])
		return;
	/* Detaches the scratch mount with whatever a failed case left on it. */
	EXPECT_EQ(0, umount2(self->dir, MNT_DETACH));
	EXPECT_EQ(0, rmdir(self->dir));
}

/* Mounts the file system under test with @opts on @sub. */
static int mount_opts(const char *fstype, const char *sub, const char *opts)
{
	return mount(MOUNT_SOURCE, sub, fstype, 0, opts);
}

/* Mounts the file system under test on @sub, limited to @blocks pages and 100 inodes. */
static int mount_blocks(const char *fstype, const char *sub, unsigned long blocks)
{
	char opts[64];

	snprintf(opts, sizeof(opts), "nr_blocks=%lu,nr_inodes=100", blocks);
	return mount_opts(fstype, sub, opts);
}

/* f_bfree of the file system holding @path (checked to equal f_bavail), or -1. */
static long bfree_of(const char *path)
{
	struct statfs sf;

	if (statfs(path, &sf) || sf.f_bfree != sf.f_bavail)
		return -1;
	return sf.f_bfree;
}

/* st_blocks of @path, or -1. */
static long blocks_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_blocks;
}

/* Opens (creating) @path read-write. */
static int open_rw(const char *path)
{
	return open(path, O_CREAT | O_RDWR, 0644);
}

/* Appends @pages pages of data to @fd; returns how many fit. */
static int write_pages(int fd, const char *page, long page_size, int pages)
{
	int i;

	for (i = 0; i < pages; i++)
		if (write(fd, page, page_size) != page_size)
			break;
	return i;
}

/* Creates @path holding @pages pages of data; returns 0 if all fit. */
static int create_pages(const char *path, const char *page, long page_size, int pages)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644), n;

	if (fd < 0)
		return -1;
	n = write_pages(fd, page, page_size, pages);
	close(fd);
	return n == pages ? 0 : -1;
}

/* ---- write(2), truncation, sparse files -------------------------------- */

TEST_F(fs, write_to_limit)
{
	size_t len = 3 * self->page_size;
	char file[PATH_MAX], other[PATH_MAX];
	char *buf = malloc(len);
	struct stat st;
	int fd, i;

	ASSERT_NE(NULL, buf);
	memset(buf, 'y', len);
	ASSERT_EQ(0, mount_blocks(variant->fstype, self->sub, NBLOCKS));
	EXPECT_EQ(NBLOCKS, bfree_of(self->sub));
	fd = open_rw(path_join(file, self->sub, "file"));
	ASSERT_LE(0, fd);
	/* Five writes of three pages fit, the sixth is short, the seventh fails. */
	for (i = 0; i < NBLOCKS / 3; i++)
		EXPECT_EQ(len, write(fd, buf, len));
	EXPECT_EQ(self->page_size, write(fd, buf, len));
	EXPECT_EQ(-1, write(fd, buf, len));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, write(fd, buf, 1));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, bfree_of(self->sub));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(NBLOCKS * self->page_size, st.st_size);
	EXPECT_EQ(NBLOCKS * (self->page_size / 512), st.st_blocks);

	/* Overwriting what is there needs no space. */
	EXPECT_EQ(len, pwrite(fd, buf, len, 0));
	EXPECT_EQ(1, pwrite(fd, buf, 1, NBLOCKS * self->page_size - 1));
	/* A new file can be created, but holds nothing. */
	EXPECT_EQ(-1, create_pages(path_join(other, self->sub, "other"), self->page,
				   self->page_size, 1));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, blocks_of(other));
	close(fd);
	EXPECT_EQ(0, unlink(file));
	EXPECT_EQ(NBLOCKS, bfree_of(self->sub));
	free(buf);
	ASSERT_EQ(0, umount(self->sub));
}

TEST_F(fs, write_one_big)
{
	size_t len = (NBLOCKS + 4) * self->page_size;
	char file[PATH_MAX];
	char *buf = malloc(len);
	int fd;

	ASSERT_NE(NULL, buf);
	memset(buf, 'z', len);
	ASSERT_EQ(0, mount_blocks(variant->fstype, self->sub, NBLOCKS));
	fd = open_rw(path_join(file, self->sub, "file"));
	ASSERT_LE(0, fd);
	EXPECT_EQ(NBLOCKS * self->page_size, write(fd, buf, len));
	EXPECT_EQ(-1, write(fd, buf, len));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, bfree_of(self->sub));
	close(fd);
	free(buf);
	ASSERT_EQ(0, umount(self->sub));
}

TEST_F(fs, write_partial_pages)
{
	off_t part = self->page_size * 3 / 4, limit;
	char file[PATH_MAX];
	struct stat st;
	int fd;

	/* 5000 bytes are rounded up to whole pages. */
	limit = (5000 + self->page_size - 1) / self->page_size * self->page_size;
	ASSERT_EQ(0, mount_opts(variant->fstype, self->sub, "size=5000,nr_inodes=10"));
	fd = open_rw(path_join(file, self->sub, "file"));
	ASSERT_LE(0, fd);
	EXPECT_EQ(part, write(fd, self->page, part));
	EXPECT_EQ(limit / self->page_size - 1, bfree_of(self->sub));
	while (fstat(fd, &st) == 0 && st.st_size + part <= limit)
		ASSERT_EQ(part, write(fd, self->page, part));
	/* The write crossing the limit fills up the last page. */
	EXPECT_EQ(limit - st.st_size, write(fd, self->page, part));
	EXPECT_EQ(-1, write(fd, self->page, 1));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(limit, st.st_size);
	EXPECT_EQ(0, bfree_of(self->sub));
	close(fd);
	ASSERT_EQ(0, umount(self->sub));
}

TEST_F(fs, truncate_frees)
{
	char file[PATH_MAX];
	int fd;

	ASSERT_EQ(0, mount_blocks(variant->fstype, self->sub, NBLOCKS));
	fd = open_rw(path_join(file, self->sub, "file"));
	ASSERT_LE(0, fd);
	EXPECT_EQ(NBLOCKS, write_pages(fd, self->page, self->page_size, NBLOCKS + 1));
	EXPECT_EQ(0, bfree_of(self->sub));
	/* A page partly inside stays. */
	ASSERT_EQ(0, ftruncate(fd, 8 * self->page_size + 1));
	EXPECT_EQ(NBLOCKS - 9, bfree_of(self->sub));
	EXPECT_EQ(9 * (self->page_size / 512), blocks_of(file));
	/* Growing a file again allocates nothing. */
	ASSERT_EQ(0, ftruncate(fd, NBLOCKS * self->page_size));
	EXPECT_EQ(NBLOCKS - 9, bfree_of(self->sub));
	ASSERT_EQ(0, ftruncate(fd, 0));
	EXPECT_EQ(NBLOCKS, bfree_of(self->sub));
	EXPECT_EQ(0, blocks_of(file));

	/* Refill: exactly the same space is there again. */
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(NBLOCKS, write_pages(fd, self->page, self->page_size, NBLOCKS + 1));
	EXPECT_EQ(0, bfree_of(self->sub));
	ASSERT_EQ(0, truncate(file, self->page_size));
	EXPECT_EQ(NBLOCKS - 1, bfree_of(self->sub));
	close(fd);
	EXPECT_EQ(0, unlink(file));
	EXPECT_EQ(NBLOCKS, bfree_of(self->sub));
	ASSERT_EQ(0, umount(self->sub));
}

TEST_F(fs, sparse_file)
{
	off_t big = 1LL << 30;
	char file[PATH_MAX];
	struct stat st;
	int fd;

	ASSERT_EQ(0, mount_blocks(variant->fstype, self->sub, NBLOCKS));
	fd = open_rw(path_join(file, self->sub, "file"));
	ASSERT_LE(0, fd);
	/* The size is not limited, only the pages that hold data. */
	ASSERT_EQ(0, ftruncate(fd, big));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(big, st.st_size);
	EXPECT_EQ(0, st.st_blocks);
	EXPECT_EQ(NBLOCKS, bfree_of(self->sub));
	ASSERT_EQ(0, ftruncate(fd, 1LL << 40));
	EXPECT_EQ(NBLOCKS, bfree_of(self->sub));
	/* Data far beyond the limit takes just its page. */
	EXPECT_EQ(self->page_size, pwrite(fd, self->page, self->page_size, big / 2));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(self->page_size / 512, st.st_blocks);
	EXPECT_EQ(NBLOCKS - 1, bfree_of(self->sub));
	close(fd);
	ASSERT_EQ(0, unlink(file));
	EXPECT_EQ(NBLOCKS, bfree_of(self->sub));
	ASSERT_EQ(0, umount(self->sub));
}

TEST_F(fs, pwrite_hole_full)
{
	char full[PATH_MAX], sparse[PATH_MAX];
	struct stat st;
	int fd, sfd;

	ASSERT_EQ(0, mount_blocks(variant->fstype, self->sub, NBLOCKS));
	fd = open_rw(path_join(full, self->sub, "full"));
	ASSERT_LE(0, fd);
	ASSERT_EQ(NBLOCKS, write_pages(fd, self->page, self->page_size, NBLOCKS));
	sfd = open_rw(path_join(sparse, self->sub, "sparse"));
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, ftruncate(sfd, 4 * self->page_size));

	EXPECT_EQ(-1, pwrite(sfd, "a", 1, self->page_size));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(fd, "a", 1, NBLOCKS * self->page_size));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, fstat(sfd, &st));
	EXPECT_EQ(4 * self->page_size, st.st_size);
	EXPECT_EQ(0, st.st_blocks);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(NBLOCKS * self->page_size, st.st_size);
	EXPECT_EQ(1, pwrite(fd, "a", 1, 0));

	/* One page freed, one page written. */
	ASSERT_EQ(0, ftruncate(fd, (NBLOCKS - 1) * self->page_size));
	EXPECT_EQ(1, pwrite(sfd, "a", 1, self->page_size));
	EXPECT_EQ(0, bfree_of(self->sub));
	EXPECT_EQ(-1, pwrite(sfd, "a", 1, 0));
	EXPECT_EQ(ENOSPC, errno);
	close(sfd);
	close(fd);
	ASSERT_EQ(0, umount(self->sub));
}

/* ---- mmap, copy_file_range, splice ------------------------------------- */

static sigjmp_buf sigbus_jmp;

static void sigbus_handler(int sig)
{
	siglongjmp(sigbus_jmp, 1);
}

/* Stores @v at @p; returns 0, or -1 if that raised SIGBUS. */
static int write_byte(unsigned char *p, unsigned char v)
{
	struct sigaction sa = { .sa_handler = sigbus_handler }, old;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1)) {
		sigaction(SIGBUS, &old, NULL);
		return -1;
	}
	*p = v;
	sigaction(SIGBUS, &old, NULL);
	return 0;
}

TEST_F(fs, mmap_hole_full)
{
	size_t len = 4 * self->page_size;
	char full[PATH_MAX], sparse[PATH_MAX], buf[2];
	unsigned char *map, *fmap;
	int fd, sfd;

	ASSERT_EQ(0, mount_blocks(variant->fstype, self->sub, NBLOCKS));
	fd = open_rw(path_join(full, self->sub, "full"));
	ASSERT_LE(0, fd);
	ASSERT_EQ(NBLOCKS, write_pages(fd, self->page, self->page_size, NBLOCKS));
	sfd = open_rw(path_join(sparse, self->sub, "sparse"));
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, ftruncate(sfd, len));
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	ASSERT_NE(MAP_FAILED, map);
	fmap = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, fmap);

	/* No page for the hole: SIGBUS. */
	EXPECT_EQ(-1, write_byte(map + self->page_size, 'm'));
	EXPECT_EQ(-1, write_byte(map, 'm'));
	EXPECT_EQ(0, blocks_of(sparse));
	EXPECT_EQ(0, bfree_of(self->sub));
	/* Pages that are there can be written. */
	EXPECT_EQ(0, write_byte(fmap + 1, 'm'));
	ASSERT_EQ(2, pread(fd, buf, 2, 0));
	EXPECT_EQ('x', buf[0]);
	EXPECT_EQ('m', buf[1]);

	/* With a page free, the fault gets it. */
	ASSERT_EQ(0, ftruncate(fd, (NBLOCKS - 1) * self->page_size));
	EXPECT_EQ(1, bfree_of(self->sub));
	EXPECT_EQ(0, write_byte(map + self->page_size, 'm'));
	EXPECT_EQ(0, bfree_of(self->sub));
	EXPECT_EQ(self->page_size / 512, blocks_of(sparse));
	ASSERT_EQ(1, pread(sfd, buf, 1, self->page_size));
	EXPECT_EQ('m', buf[0]);
	EXPECT_EQ(-1, write_byte(map + 2 * self->page_size, 'm'));

	munmap(fmap, len);
	munmap(map, len);
	close(sfd);
	close(fd);
	ASSERT_EQ(0, unlink(sparse));
	ASSERT_EQ(0, unlink(full));
	EXPECT_EQ(NBLOCKS, bfree_of(self->sub));
	ASSERT_EQ(0, umount(self->sub));
}

TEST_F(fs, copy_file_range_full)
{
	char src[PATH_MAX], fill[PATH_MAX], dst[PATH_MAX];
	size_t len = 2 * self->page_size;
	int sfd, ffd, dfd;
	loff_t in, out;

	ASSERT_EQ(0, mount_blocks(variant->fstype, self->sub, NBLOCKS));
	ASSERT_EQ(0, create_pages(path_join(src, self->sub, "src"), self->page,
				  self->page_size, 2));
	ffd = open_rw(path_join(fill, self->sub, "fill"));
	ASSERT_LE(0, ffd);
	ASSERT_EQ(NBLOCKS - 2, write_pages(ffd, self->page, self->page_size, NBLOCKS));
	sfd = open(src, O_RDONLY);
	ASSERT_LE(0, sfd);
	dfd = open_rw(path_join(dst, self->sub, "dst"));
	ASSERT_LE(0, dfd);

	in = 0;
	out = 0;
	EXPECT_EQ(-1, copy_file_range(sfd, &in, dfd, &out, len, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, in);
	EXPECT_EQ(0, out);
	EXPECT_EQ(0, blocks_of(dst));

	/* With one page free, one page is copied. */
	ASSERT_EQ(0, ftruncate(ffd, (NBLOCKS - 3) * self->page_size));
	EXPECT_EQ(self->page_size, copy_file_range(sfd, &in, dfd, &out, len, 0));
	EXPECT_EQ(self->page_size, in);
	EXPECT_EQ(self->page_size, out);
	EXPECT_EQ(-1, copy_file_range(sfd, &in, dfd, &out, len, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, bfree_of(self->sub));
	EXPECT_EQ(self->page_size / 512, blocks_of(dst));
	close(dfd);
	close(sfd);
	close(ffd);
	ASSERT_EQ(0, umount(self->sub));
}

TEST_F(fs, splice_full)
{
	char fill[PATH_MAX], dst[PATH_MAX];
	size_t len = 2 * self->page_size;
	int ffd, dfd, p[2];
	loff_t out = 0;

	ASSERT_EQ(0, mount_blocks(variant->fstype, self->sub, NBLOCKS));
	ffd = open_rw(path_join(fill, self->sub, "fill"));
	ASSERT_LE(0, ffd);
	ASSERT_EQ(NBLOCKS, write_pages(ffd, self->page, self->page_size, NBLOCKS));
	dfd = open_rw(path_join(dst, self->sub, "dst"));
	ASSERT_LE(0, dfd);
	/* Non-blocking, so that a file system taking too much cannot hang the case. */
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	ASSERT_EQ(self->page_size, write(p[1], self->page, self->page_size));
	ASSERT_EQ(self->page_size, write(p[1], self->page, self->page_size));

	EXPECT_EQ(-1, splice(p[0], NULL, dfd, &out, len, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, out);
	EXPECT_EQ(0, blocks_of(dst));

	/* With one page free, one page goes in and one stays in the pipe. */
	ASSERT_EQ(0, ftruncate(ffd, (NBLOCKS - 1) * self->page_size));
	EXPECT_EQ(self->page_size, splice(p[0], NULL, dfd, &out, len, 0));
	EXPECT_EQ(self->page_size, out);
	EXPECT_EQ(-1, splice(p[0], NULL, dfd, &out, len, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(self->page_size, read(p[0], self->page, len));
	EXPECT_EQ(0, bfree_of(self->sub));
	close(p[0]);
	close(p[1]);
	close(dfd);
	close(ffd);
	ASSERT_EQ(0, umount(self->sub));
}

/* ---- many writers, many files ------------------------------------------ */

/*
 * Child: appends CHUNK bytes at a time to @path until ENOSPC, but no more than
 * @max bytes; exits 0 if ENOSPC ended it.
 */
static void writer(const char *path, off_t max)
{
	char buf[CHUNK];
	off_t done = 0;
	ssize_t n;
	int fd;

	memset(buf, 'w', sizeof(buf));
	fd = open(path, O_CREAT | O_WRONLY | O_APPEND, 0644);
	if (fd < 0)
		_exit(2);
	do
		n = write(fd, buf, sizeof(buf));
	while (n > 0 && (done += n) <= max);
	_exit(n < 0 && errno == ENOSPC ? 0 : 1);
}

TEST_F(fs, concurrent_writers)
{
	char files[NR_WRITERS][PATH_MAX], name[16];
	pid_t pids[NR_WRITERS];
	long total = 0;
	struct statfs sf;
	int i, status;

	ASSERT_EQ(0, mount_opts(variant->fstype, self->sub, "size=1M,nr_inodes=100"));
	for (i = 0; i < NR_WRITERS; i++) {
		snprintf(name, sizeof(name), "w%d", i);
		path_join(files[i], self->sub, name);
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			writer(files[i], 2 << 20);
	}
	for (i = 0; i < NR_WRITERS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			TH_LOG("writer %d: status %#x", i, status);
		}
	}
	/* Every page went to exactly one of the files. */
	ASSERT_EQ(0, statfs(self->sub, &sf));
	EXPECT_EQ((1 << 20) / self->page_size, sf.f_blocks);
	EXPECT_EQ(0, sf.f_bfree);
	EXPECT_EQ(0, sf.f_bavail);
	for (i = 0; i < NR_WRITERS; i++)
		total += blocks_of(files[i]);
	EXPECT_EQ(sf.f_blocks * (self->page_size / 512), total);
	for (i = 0; i < NR_WRITERS; i++)
		EXPECT_EQ(0, unlink(files[i]));
	EXPECT_EQ(sf.f_blocks, bfree_of(self->sub));
	ASSERT_EQ(0, umount(self->sub));
}

TEST_F(fs, many_small_files)
{
	char path[PATH_MAX], name[32];
	int i, n, fd;
	ssize_t ret;

	ASSERT_EQ(0, mount_opts(variant->fstype, self->sub, "nr_blocks=32,nr_inodes=1000"));
	/* Directories and empty files take no blocks. */
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "dir%d", i);
		ASSERT_EQ(0, mkdir(path_join(path, self->sub, name), 0755));
		snprintf(name, sizeof(name), "dir%d/empty", i);
		ASSERT_EQ(0, close(open_rw(path_join(path, self->sub, name))));
	}
	EXPECT_EQ(32, bfree_of(self->sub));
	/* Each byte-sized file takes a whole page. */
	for (n = 0; n < 100; n++) {
		snprintf(name, sizeof(name), "dir%d/f%d", n % 5, n);
		fd = open_rw(path_join(path, self->sub, name));
		ASSERT_LE(0, fd);
		ret = write(fd, "s", 1);
		close(fd);
		if (ret != 1)
			break;
		EXPECT_EQ(self->page_size / 512, blocks_of(path));
	}
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(32, n);
	EXPECT_EQ(0, blocks_of(path));
	EXPECT_EQ(0, bfree_of(self->sub));
	/* The last file stays, empty; removing one file frees one page. */
	EXPECT_EQ(0, unlink(path_join(path, self->sub, "dir0/f0")));
	EXPECT_EQ(1, bfree_of(self->sub));
	ASSERT_EQ(0, umount(self->sub));
}

/* ---- accounting -------------------------------------------------------- */

TEST_F(fs, accounting_returns_to_full)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], d[PATH_MAX];
	int fd, tfd;

	ASSERT_EQ(0, mount_blocks(variant->fstype, self->sub, NBLOCKS));
	ASSERT_EQ(0, mkdir(path_join(d, self->sub, "d"), 0755));
	ASSERT_EQ(0, create_pages(path_join(a, self->sub, "d/a"), self->page,
				  self->page_size, 4));
	ASSERT_EQ(0, create_pages(path_join(b, self->sub, "b"), self->page, self->page_size, 2));
	EXPECT_EQ(NBLOCKS - 6, bfree_of(self->sub));
	/* Replacing a file by rename frees the replaced data. */
	ASSERT_EQ(0, rename(b, a));
	EXPECT_EQ(NBLOCKS - 2, bfree_of(self->sub));
	/* A hard link shares the data. */
	ASSERT_EQ(0, link(a, path_join(c, self->sub, "c")));
	EXPECT_EQ(NBLOCKS - 2, bfree_of(self->sub));
	ASSERT_EQ(0, unlink(a));
	EXPECT_EQ(NBLOCKS - 2, bfree_of(self->sub));

	/* An O_TMPFILE file's data counts while it is open. */
	tfd = open(self->sub, O_TMPFILE | O_RDWR, 0600);
	ASSERT_LE(0, tfd);
	EXPECT_EQ(4, write_pages(tfd, self->page, self->page_size, 4));
	/* So does an unlinked file's, and its space returns only when it is closed. */
	fd = open_rw(path_join(b, self->sub, "b"));
	ASSERT_LE(0, fd);
	EXPECT_EQ(NBLOCKS - 6, write_pages(fd, self->page, self->page_size, NBLOCKS));
	EXPECT_EQ(0, bfree_of(self->sub));
	ASSERT_EQ(0, unlink(b));
	ASSERT_EQ(0, unlink(c));
	ASSERT_EQ(0, rmdir(d));
	EXPECT_EQ(2, bfree_of(self->sub));
	close(tfd);
	EXPECT_EQ(6, bfree_of(self->sub));
	/* The unlinked file can still grow. */
	EXPECT_EQ(6, write_pages(fd, self->page, self->page_size, 7));
	EXPECT_EQ(ENOSPC, errno);
	close(fd);
	EXPECT_EQ(NBLOCKS, bfree_of(self->sub));

	/* All of it can be used again. */
	EXPECT_EQ(0, create_pages(b, self->page, self->page_size, NBLOCKS));
	EXPECT_EQ(0, bfree_of(self->sub));
	ASSERT_EQ(0, unlink(b));
	EXPECT_EQ(NBLOCKS, bfree_of(self->sub));
	ASSERT_EQ(0, umount(self->sub));
}

TEST_F(fs, remount_limit_enforced)
{
	char file[PATH_MAX];
	struct statfs sf;
	int fd;

	ASSERT_EQ(0, mount_blocks(variant->fstype, self->sub, NBLOCKS));
	fd = open_rw(path_join(file, self->sub, "file"));
	ASSERT_LE(0, fd);
	ASSERT_EQ(8, write_pages(fd, self->page, self->page_size, 8));
	/* Shrunk to what is in use: full. */
	ASSERT_EQ(0, mount(NULL, self->sub, NULL, MS_REMOUNT, "nr_blocks=8"));
	EXPECT_EQ(0, bfree_of(self->sub));
	EXPECT_EQ(0, write_pages(fd, self->page, self->page_size, 1));
	EXPECT_EQ(ENOSPC, errno);
	/* Grown: exactly the new pages fit. */
	ASSERT_EQ(0, mount(NULL, self->sub, NULL, MS_REMOUNT, "nr_blocks=12"));
	EXPECT_EQ(4, bfree_of(self->sub));
	EXPECT_EQ(4, write_pages(fd, self->page, self->page_size, 5));
	EXPECT_EQ(ENOSPC, errno);
	/* Unlimited: statfs shows no totals, writes go on. */
	ASSERT_EQ(0, mount(NULL, self->sub, NULL, MS_REMOUNT, "size=0"));
	EXPECT_EQ(NBLOCKS + 4, write_pages(fd, self->page, self->page_size, NBLOCKS + 4));
	ASSERT_EQ(0, statfs(self->sub, &sf));
	EXPECT_EQ(0, sf.f_blocks);
	EXPECT_EQ(0, sf.f_bfree);
	EXPECT_EQ(0, sf.f_bavail);
	EXPECT_EQ(2 * NBLOCKS * (self->page_size / 512), blocks_of(file));
	close(fd);
	ASSERT_EQ(0, unlink(file));
	ASSERT_EQ(0, umount(self->sub));
}

TEST_HARNESS_MAIN
