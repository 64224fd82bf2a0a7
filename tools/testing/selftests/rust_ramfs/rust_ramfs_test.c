// SPDX-License-Identifier: GPL-2.0
/*
 * Behavioural tests for rust_ramfs.
 *
 * Every case runs once against C ramfs and once against rust_ramfs, with
 * exactly the same expectations (return values and errno values), so that
 * any observable difference between the two file systems fails a test.
 *
 * Each case gets a fresh mount of the file system under test on a fresh
 * directory below /tmp, inside a private mount namespace so that nothing
 * mounted by a test can outlive it.
 */

#define _FILE_OFFSET_BITS 64

#include "kselftest_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <time.h>

#define MOUNT_SOURCE	"rust_ramfs_test"
#define OLD_TIME	1000000000	/* 2001-09-09, long before any test runs */
#define TIME_TICK_US	50000		/* more than one coarse clock tick */
#define MANY_FILES	1000
#define NESTED_DEPTH	10

FIXTURE(fs) {
	char dir[PATH_MAX];
	long page_size;
};

FIXTURE_VARIANT(fs) {
	const char *fstype;
};

FIXTURE_VARIANT_ADD(fs, ramfs) {
	.fstype = "ramfs",
};

FIXTURE_VARIANT_ADD(fs, rust_ramfs) {
	.fstype = "rust_ramfs",
};

/* Is @fstype listed in /proc/filesystems? */
static bool fs_registered(const char *fstype)
{
	char line[256], name[64];
	bool found = false;
	FILE *f;

	f = fopen("/proc/filesystems", "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		/* "nodev\tramfs\n" or "\text4\n": the name is the last word. */
		if (sscanf(line, "nodev %63s", name) == 1 || sscanf(line, "%63s", name) == 1)
			found = !strcmp(name, fstype);
	}
	fclose(f);
	return found;
}

FIXTURE_SETUP(fs)
{
	char cmd[128];
	int ret;

	self->dir[0] = '\0';
	self->page_size = sysconf(_SC_PAGESIZE);
	umask(0);

	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (!fs_registered(variant->fstype)) {
		snprintf(cmd, sizeof(cmd), "modprobe %s >/dev/null 2>&1", variant->fstype);
		if (system(cmd))
			TH_LOG("modprobe %s failed", variant->fstype);
		if (!fs_registered(variant->fstype))
			SKIP(return, "file system type %s not available", variant->fstype);
	}

	/*
	 * In a private mount namespace (where available), anything mounted from
	 * now on disappears with this process even if the test dies.
	 */
	ret = unshare(CLONE_NEWNS) ? 0 : mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	ASSERT_EQ(0, ret);

	strcpy(self->dir, "/tmp/rust_ramfs_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ret = mount(MOUNT_SOURCE, self->dir, variant->fstype, 0, NULL);
	if (ret) {
		TH_LOG("mount -t %s on %s: %s", variant->fstype, self->dir, strerror(errno));
		rmdir(self->dir);
		self->dir[0] = '\0';
	}
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(fs)
{
	if (!self->dir[0])
		return;
	/* Lazily detach whatever a failed test may have left behind. */
	if (umount(self->dir))
		umount2(self->dir, MNT_DETACH);
	EXPECT_EQ(0, rmdir(self->dir));
}

/* @buf = @dir/@name; @buf has PATH_MAX bytes. */
static char *path_join(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	/* Test paths are far shorter than PATH_MAX: never truncate silently. */
	if (n < 0 || n >= PATH_MAX)
		abort();
	return buf;
}

/* Creates an empty file (or truncates an existing one) with @mode. */
static int create_file(const char *path, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);

	if (fd < 0)
		return -1;
	return close(fd);
}

/* Creates @path holding the @len bytes at @data. */
static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	ssize_t ret;

	if (fd < 0)
		return -1;
	ret = write(fd, data, len);
	close(fd);
	return ret == (ssize_t)len ? 0 : -1;
}

static void fill_pattern(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)((i + seed) % 251);
}

static bool all_zero(const unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i])
			return false;
	return true;
}

static bool ts_after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* Sets both atime and mtime of @path to OLD_TIME; ctime becomes "now". */
static int set_old_times(const char *path)
{
	struct timespec ts[2] = {
		{ .tv_sec = OLD_TIME, .tv_nsec = 0 },
		{ .tv_sec = OLD_TIME, .tv_nsec = 0 },
	};

	return utimensat(AT_FDCWD, path, ts, 0);
}

/*
 * Copies the /proc/self/mounts entry for mount point @dir (the topmost one if
 * several are stacked) into @fsname, @type and @opts (each 256 bytes).
 */
static int find_mount(const char *dir, char *fsname, char *type, char *opts)
{
	struct mntent *ent;
	bool found = false;
	FILE *f;

	f = setmntent("/proc/self/mounts", "r");
	if (!f)
		return -1;
	while ((ent = getmntent(f))) {
		if (strcmp(ent->mnt_dir, dir))
			continue;
		snprintf(fsname, 256, "%s", ent->mnt_fsname);
		snprintf(type, 256, "%s", ent->mnt_type);
		snprintf(opts, 256, "%s", ent->mnt_opts);
		found = true;
	}
	endmntent(f);
	return found ? 0 : -1;
}

/* Does the comma separated list @opts contain an option starting with @prefix? */
static bool has_opt_prefix(const char *opts, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p = opts;

	while (p) {
		if (!strncmp(p, prefix, n))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* Does the comma separated list @opts contain exactly the option @opt? */
static bool has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);
	const char *p = opts;

	while (p) {
		if (!strncmp(p, opt, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* Number of directory entries in @dir, "." and ".." included; -1 on error. */
static int count_entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -1;
	errno = 0;
	while ((de = readdir(d)))
		n++;
	if (errno)
		n = -1;
	closedir(d);
	return n;
}

/*
 * Mounts a new instance of the file system under test with options @opts on
 * the fresh directory @dir/sub, whose path is left in @sub.
 */
static int mount_sub(const char *fstype, const char *dir, const char *opts, char *sub)
{
	path_join(sub, dir, "sub");
	if (mkdir(sub, 0755))
		return -1;
	return mount(MOUNT_SOURCE, sub, fstype, 0, opts);
}

/* Mounts with @opts, checks the root mode is S_IFDIR | @mode, unmounts. */
static void check_mode_opt(struct __test_metadata *_metadata, const char *fstype,
			   const char *dir, const char *opts, mode_t mode)
{
	char sub[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mount_sub(fstype, dir, opts, sub)) {
		TH_LOG("mount -o %s: %s", opts, strerror(errno));
	}
	ASSERT_EQ(0, stat(sub, &st));
	EXPECT_EQ(S_IFDIR | mode, st.st_mode) {
		TH_LOG("-o %s: mode %o, expected %o", opts, st.st_mode, S_IFDIR | mode);
	}
	ASSERT_EQ(0, umount(sub));
}

/* Mounting with @opts must fail with EINVAL. */
static void check_bad_opt(struct __test_metadata *_metadata, const char *fstype,
			  const char *dir, const char *opts)
{
	char sub[PATH_MAX];

	ASSERT_EQ(-1, mount_sub(fstype, dir, opts, sub)) {
		TH_LOG("mount -o %s succeeded", opts);
		umount(sub);
	}
	EXPECT_EQ(EINVAL, errno);
}

/* ---- mount options ---------------------------------------------------- */

TEST_F(fs, root_default_mode)
{
	struct stat st;

	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
	EXPECT_EQ(2, st.st_nlink);
	EXPECT_EQ(getuid(), st.st_uid);
	EXPECT_EQ(getgid(), st.st_gid);
	EXPECT_EQ(self->page_size, st.st_blksize);
}

TEST_F(fs, mount_mode_0700)
{
	check_mode_opt(_metadata, variant->fstype, self->dir, "mode=0700", 0700);
}

TEST_F(fs, mount_mode_1777)
{
	check_mode_opt(_metadata, variant->fstype, self->dir, "mode=1777", 01777);
}

TEST_F(fs, mount_mode_high_bits_masked)
{
	check_mode_opt(_metadata, variant->fstype, self->dir, "mode=017777", 07777);
}

TEST_F(fs, mount_mode_last_wins)
{
	check_mode_opt(_metadata, variant->fstype, self->dir, "mode=0700,mode=0711", 0711);
}

TEST_F(fs, mount_mode_invalid_digit)
{
	check_bad_opt(_metadata, variant->fstype, self->dir, "mode=9");
}

TEST_F(fs, mount_mode_empty_value)
{
	check_bad_opt(_metadata, variant->fstype, self->dir, "mode=");
}

TEST_F(fs, mount_mode_no_value)
{
	check_bad_opt(_metadata, variant->fstype, self->dir, "mode");
}

TEST_F(fs, mount_unknown_option_ignored)
{
	check_mode_opt(_metadata, variant->fstype, self->dir, "foo=bar", 0755);
}

TEST_F(fs, mount_size_option_ignored)
{
	size_t len = 2 << 20;
	char sub[PATH_MAX], file[PATH_MAX];
	unsigned char *buf;
	struct stat st;

	/* ramfs has no size limit: "size=1M" must not stop a 2 MiB write. */
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M", sub));
	ASSERT_EQ(0, stat(sub, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
	buf = calloc(1, len);
	ASSERT_NE(NULL, buf);
	fill_pattern(buf, len, 3);
	EXPECT_EQ(0, write_file(path_join(file, sub, "big"), buf, len));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(len, st.st_size);
	free(buf);
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, mount_mode_among_unknown)
{
	check_mode_opt(_metadata, variant->fstype, self->dir, "foo=bar,mode=0700,size=1M", 0700);
}

TEST_F(fs, proc_mounts_default)
{
	char fsname[256], type[256], opts[256];

	ASSERT_EQ(0, find_mount(self->dir, fsname, type, opts));
	EXPECT_STREQ(variant->fstype, type);
	EXPECT_STREQ(MOUNT_SOURCE, fsname);
	EXPECT_TRUE(has_opt(opts, "rw"));
	EXPECT_FALSE(has_opt_prefix(opts, "mode=")) {
		TH_LOG("options: %s", opts);
	}
}

TEST_F(fs, proc_mounts_mode_0700)
{
	char fsname[256], type[256], opts[256], sub[PATH_MAX];

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "mode=0700", sub));
	ASSERT_EQ(0, find_mount(sub, fsname, type, opts));
	EXPECT_STREQ(variant->fstype, type);
	EXPECT_TRUE(has_opt(opts, "mode=700")) {
		TH_LOG("options: %s", opts);
	}
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, proc_mounts_mode_1777)
{
	char fsname[256], type[256], opts[256], sub[PATH_MAX];

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "mode=1777", sub));
	ASSERT_EQ(0, find_mount(sub, fsname, type, opts));
	EXPECT_STREQ(variant->fstype, type);
	EXPECT_TRUE(has_opt(opts, "mode=1777")) {
		TH_LOG("options: %s", opts);
	}
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, proc_mounts_mode_0755_hidden)
{
	char fsname[256], type[256], opts[256], sub[PATH_MAX];

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "mode=0755", sub));
	ASSERT_EQ(0, find_mount(sub, fsname, type, opts));
	EXPECT_STREQ(variant->fstype, type);
	EXPECT_FALSE(has_opt_prefix(opts, "mode=")) {
		TH_LOG("options: %s", opts);
	}
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, mounts_independent)
{
	char sub[PATH_MAX], file[PATH_MAX], other[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "only_in_first"), 0644));
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, NULL, sub));
	EXPECT_EQ(2, count_entries(sub));
	EXPECT_EQ(-1, stat(path_join(other, sub, "only_in_first"), &st));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, create_file(path_join(other, sub, "only_in_second"), 0644));
	ASSERT_EQ(0, umount(sub));
	/* The new instance is gone with its file; the first one is untouched. */
	EXPECT_EQ(-1, stat(other, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, stat(file, &st));
	EXPECT_EQ(4, count_entries(self->dir));
}

TEST_F(fs, remount)
{
	char file[PATH_MAX], buf[16] = {};
	struct stat st;
	int fd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "kept"), "persist", 7));
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, NULL));
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(7, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("persist", buf);
	close(fd);
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
}

TEST_F(fs, remount_mode_not_applied)
{
	char fsname[256], type[256], opts[256];
	struct stat st;

	/* ramfs parses but does not apply options on remount. */
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "mode=0700"));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
	ASSERT_EQ(0, find_mount(self->dir, fsname, type, opts));
	EXPECT_FALSE(has_opt_prefix(opts, "mode=")) {
		TH_LOG("options: %s", opts);
	}
}

TEST_F(fs, remount_read_only)
{
	char file[PATH_MAX], other[PATH_MAX], dir[PATH_MAX], buf[8];
	struct statvfs sv;
	int fd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "abc", 3));
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ASSERT_EQ(0, statvfs(self->dir, &sv));
	EXPECT_TRUE(sv.f_flag & ST_RDONLY);

	EXPECT_EQ(-1, open(path_join(other, self->dir, "new"), O_CREAT | O_WRONLY, 0644));
	EXPECT_EQ(EROFS, errno);
	EXPECT_EQ(-1, open(file, O_WRONLY));
	EXPECT_EQ(EROFS, errno);
	EXPECT_EQ(-1, mkdir(path_join(dir, self->dir, "dir"), 0755));
	EXPECT_EQ(EROFS, errno);
	EXPECT_EQ(-1, unlink(file));
	EXPECT_EQ(EROFS, errno);
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(3, read(fd, buf, sizeof(buf)));
	close(fd);

	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, NULL));
	EXPECT_EQ(0, create_file(other, 0644));
	EXPECT_EQ(0, unlink(file));
}

/* ---- statfs ------------------------------------------------------------ */

TEST_F(fs, statfs_fields)
{
	struct statfs sf;

	ASSERT_EQ(0, statfs(self->dir, &sf));
	EXPECT_NE(0, sf.f_type);
	EXPECT_EQ(self->page_size, sf.f_bsize);
	EXPECT_EQ(255, sf.f_namelen);
	EXPECT_EQ(0, sf.f_blocks);
	EXPECT_EQ(0, sf.f_bfree);
	EXPECT_EQ(0, sf.f_bavail);
	EXPECT_EQ(0, sf.f_files);
	EXPECT_EQ(0, sf.f_ffree);
}

TEST_F(fs, statfs_type_consistent)
{
	char file[PATH_MAX], sub[PATH_MAX];
	struct statfs a, b, c;
	int fd;

	ASSERT_EQ(0, statfs(self->dir, &a));
	EXPECT_NE(0, a.f_type);
	fd = open(path_join(file, self->dir, "file"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstatfs(fd, &b));
	close(fd);
	EXPECT_EQ(a.f_type, b.f_type);
	EXPECT_EQ(a.f_bsize, b.f_bsize);
	/* A second instance reports the same magic. */
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, NULL, sub));
	ASSERT_EQ(0, statfs(sub, &c));
	EXPECT_EQ(a.f_type, c.f_type);
	ASSERT_EQ(0, umount(sub));
}

/* ---- regular files ----------------------------------------------------- */

TEST_F(fs, create_excl)
{
	char file[PATH_MAX];
	int fd;

	fd = open(path_join(file, self->dir, "excl"), O_CREAT | O_EXCL | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-1, open(file, O_CREAT | O_EXCL | O_RDWR, 0644));
	EXPECT_EQ(EEXIST, errno);
	/* Without O_EXCL the existing file is simply opened. */
	fd = open(file, O_CREAT | O_RDWR, 0644);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_F(fs, open_nonexistent)
{
	char file[PATH_MAX];

	EXPECT_EQ(-1, open(path_join(file, self->dir, "missing"), O_RDONLY));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, open(path_join(file, self->dir, "nodir/file"), O_CREAT | O_RDWR, 0644));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(fs, create_stat)
{
	char file[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0640));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	EXPECT_EQ(1, st.st_nlink);
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(0, st.st_blocks);
	EXPECT_EQ(self->page_size, st.st_blksize);
	EXPECT_EQ(getuid(), st.st_uid);
	EXPECT_EQ(getgid(), st.st_gid);
}

TEST_F(fs, create_umask)
{
	char file[PATH_MAX], dir[PATH_MAX];
	struct stat st;

	umask(027);
	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0666));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0777));
	ASSERT_EQ(0, stat(dir, &st));
	EXPECT_EQ(S_IFDIR | 0750, st.st_mode);
}

TEST_F(fs, write_read_small)
{
	char file[PATH_MAX], buf[32] = {};
	struct stat st;
	int fd;

	fd = open(path_join(file, self->dir, "small"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	EXPECT_EQ(5, write(fd, "hello", 5));
	EXPECT_EQ(5, lseek(fd, 0, SEEK_CUR));
	/* At EOF, read returns 0. */
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(5, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(5, st.st_size);
	close(fd);

	/* And again through a new file descriptor. */
	memset(buf, 0, sizeof(buf));
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(5, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);
	close(fd);
}

TEST_F(fs, write_read_multipage)
{
	size_t len = 3 * self->page_size + 123;
	unsigned char *wbuf, *rbuf;
	char file[PATH_MAX];
	struct stat st;
	int fd;

	wbuf = malloc(len);
	rbuf = calloc(1, len + 1);
	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);
	fill_pattern(wbuf, len, 1);
	ASSERT_EQ(0, write_file(path_join(file, self->dir, "multi"), wbuf, len));
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(len, read(fd, rbuf, len + 1));
	EXPECT_EQ(0, memcmp(wbuf, rbuf, len));
	/* A read straddling a page boundary. */
	memset(rbuf, 0, len);
	EXPECT_EQ(100, pread(fd, rbuf, 100, self->page_size - 50));
	EXPECT_EQ(0, memcmp(wbuf + self->page_size - 50, rbuf, 100));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(len, st.st_size);
	close(fd);
	free(wbuf);
	free(rbuf);
}

TEST_F(fs, write_read_1mib)
{
	size_t len = 1 << 20;
	unsigned char *wbuf, *rbuf;
	char file[PATH_MAX];
	struct stat st;
	size_t done = 0;
	ssize_t n;
	int fd;

	wbuf = malloc(len);
	rbuf = calloc(1, len);
	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);
	fill_pattern(wbuf, len, 7);
	ASSERT_EQ(0, write_file(path_join(file, self->dir, "mib"), wbuf, len));
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	while (done < len) {
		n = read(fd, rbuf + done, len - done);
		ASSERT_LT(0, n);
		done += n;
	}
	EXPECT_EQ(0, read(fd, rbuf, 1));
	EXPECT_EQ(0, memcmp(wbuf, rbuf, len));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(len, st.st_size);
	EXPECT_EQ(len / 512, st.st_blocks);
	close(fd);
	free(wbuf);
	free(rbuf);
}

TEST_F(fs, hole_reads_zero)
{
	off_t off = 2 * self->page_size + 100;
	size_t len = off + self->page_size;
	char file[PATH_MAX];
	unsigned char *buf;
	struct stat st;
	int fd;

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	fd = open(path_join(file, self->dir, "holes"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	EXPECT_EQ(4, pwrite(fd, "data", 4, off));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(off + 4, st.st_size);
	memset(buf, 0xaa, len);
	EXPECT_EQ(off + 4, pread(fd, buf, len, 0));
	EXPECT_TRUE(all_zero(buf, off));
	EXPECT_EQ(0, memcmp(buf + off, "data", 4));
	/* Holes in the middle of a file, too. */
	EXPECT_EQ(2, pwrite(fd, "xy", 2, 10));
	memset(buf, 0xaa, len);
	EXPECT_EQ(12, pread(fd, buf, 12, 0));
	EXPECT_TRUE(all_zero(buf, 10));
	EXPECT_EQ(0, memcmp(buf + 10, "xy", 2));
	close(fd);
	free(buf);
}

TEST_F(fs, lseek_whence)
{
	char file[PATH_MAX], c;
	int fd;

	fd = open(path_join(file, self->dir, "seek"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(10, write(fd, "0123456789", 10));
	EXPECT_EQ(3, lseek(fd, 3, SEEK_SET));
	EXPECT_EQ(1, read(fd, &c, 1));
	EXPECT_EQ('3', c);
	EXPECT_EQ(6, lseek(fd, 2, SEEK_CUR));
	EXPECT_EQ(1, read(fd, &c, 1));
	EXPECT_EQ('6', c);
	EXPECT_EQ(5, lseek(fd, -2, SEEK_CUR));
	EXPECT_EQ(8, lseek(fd, -2, SEEK_END));
	EXPECT_EQ(1, read(fd, &c, 1));
	EXPECT_EQ('8', c);
	EXPECT_EQ(10, lseek(fd, 0, SEEK_END));
	/* Seeking past EOF is allowed and a write there extends the file. */
	EXPECT_EQ(20, lseek(fd, 10, SEEK_END));
	EXPECT_EQ(1, write(fd, "z", 1));
	EXPECT_EQ(21, lseek(fd, 0, SEEK_END));
	close(fd);
}

TEST_F(fs, lseek_invalid)
{
	char file[PATH_MAX];
	int fd;

	fd = open(path_join(file, self->dir, "seek"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(10, write(fd, "0123456789", 10));
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, -11, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, 0, 42));
	EXPECT_EQ(EINVAL, errno);
	/* The offset is unchanged by the failed calls. */
	EXPECT_EQ(10, lseek(fd, 0, SEEK_CUR));
	close(fd);
}

TEST_F(fs, pread_pwrite)
{
	char file[PATH_MAX], buf[16] = {};
	int fd;

	fd = open(path_join(file, self->dir, "prw"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(6, write(fd, "abcdef", 6));
	EXPECT_EQ(2, pwrite(fd, "XY", 2, 2));
	EXPECT_EQ(6, lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(4, pread(fd, buf, 4, 1));
	EXPECT_STREQ("bXYe", buf);
	EXPECT_EQ(6, lseek(fd, 0, SEEK_CUR));
	/* pread at or past EOF returns 0. */
	EXPECT_EQ(0, pread(fd, buf, 4, 6));
	EXPECT_EQ(0, pread(fd, buf, 4, 1000));
	EXPECT_EQ(-1, pread(fd, buf, 4, -1));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(fs, append)
{
	char file[PATH_MAX], buf[16] = {};
	int fd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "app"), "abc", 3));
	fd = open(file, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(3, write(fd, "def", 3));
	EXPECT_EQ(6, lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(3, pwrite(fd, "ghi", 3, 0));
	close(fd);
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	/* Linux appends even for pwrite() on an O_APPEND descriptor. */
	EXPECT_EQ(9, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("abcdefghi", buf);
	close(fd);
}

TEST_F(fs, open_trunc)
{
	char file[PATH_MAX], buf[8];
	struct stat st;
	int fd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "trunc"), "contents", 8));
	ASSERT_EQ(0, set_old_times(file));
	fd = open(file, O_RDWR | O_TRUNC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(0, st.st_blocks);
	EXPECT_LT(OLD_TIME, st.st_mtime);
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(2, write(fd, "ab", 2));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(2, st.st_size);
	close(fd);
}

TEST_F(fs, fsync)
{
	char file[PATH_MAX];
	int fd, dfd;

	fd = open(path_join(file, self->dir, "sync"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "data", 4));
	EXPECT_EQ(0, fsync(fd));
	EXPECT_EQ(0, fdatasync(fd));
	close(fd);
	dfd = open(self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);
	EXPECT_EQ(0, fsync(dfd));
	EXPECT_EQ(0, fdatasync(dfd));
	close(dfd);
}

TEST_F(fs, stat_blocks)
{
	size_t len = 3 * 4096;
	char file[PATH_MAX];
	unsigned char *buf;
	struct stat st;

	buf = calloc(1, len);
	ASSERT_NE(NULL, buf);
	fill_pattern(buf, len, 5);
	ASSERT_EQ(0, write_file(path_join(file, self->dir, "blocks"), buf, len));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(len, st.st_size);
	EXPECT_EQ(self->page_size, st.st_blksize);
	/* st_blocks counts the 512-byte units of every cached page: 24 with 4 KiB pages. */
	EXPECT_EQ((len + self->page_size - 1) / self->page_size * self->page_size / 512,
		  st.st_blocks);
	free(buf);
}

TEST_F(fs, file_times_write)
{
	char file[PATH_MAX];
	struct stat before, after;
	int fd;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "times"), 0644));
	ASSERT_EQ(0, set_old_times(file));
	ASSERT_EQ(0, stat(file, &before));
	EXPECT_EQ(OLD_TIME, before.st_mtime);
	EXPECT_EQ(OLD_TIME, before.st_atime);
	usleep(TIME_TICK_US);
	fd = open(file, O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(3, write(fd, "abc", 3));
	close(fd);
	ASSERT_EQ(0, stat(file, &after));
	EXPECT_LT(OLD_TIME, after.st_mtime);
	EXPECT_TRUE(ts_after(&after.st_ctim, &before.st_ctim));
}

TEST_F(fs, o_direct_einval)
{
	char file[PATH_MAX];
	int fd;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "direct"), 0644));
	EXPECT_EQ(-1, open(file, O_RDWR | O_DIRECT));
	EXPECT_EQ(EINVAL, errno);
	/* Nor can O_DIRECT be turned on later. */
	fd = open(file, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, fcntl(fd, F_SETFL, O_DIRECT));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(fs, fallocate_eopnotsupp)
{
	char file[PATH_MAX];
	struct stat st;
	int fd;

	fd = open(path_join(file, self->dir, "falloc"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, fallocate(fd, 0, 0, 4096));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 4096));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size);
	close(fd);
}

TEST_F(fs, sparse_5gib)
{
	const off_t off = 5LL << 30;
	unsigned char buf[4096];
	char file[PATH_MAX];
	struct stat st;
	int fd;

	fd = open(path_join(file, self->dir, "sparse"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, pwrite(fd, "tail", 4, off));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(off + 4, st.st_size);
	/* Only the page holding the data is allocated. */
	EXPECT_EQ(self->page_size / 512, st.st_blocks);
	memset(buf, 0xaa, sizeof(buf));
	EXPECT_EQ(sizeof(buf), pread(fd, buf, sizeof(buf), 0));
	EXPECT_TRUE(all_zero(buf, sizeof(buf)));
	memset(buf, 0xaa, sizeof(buf));
	EXPECT_EQ(sizeof(buf), pread(fd, buf, sizeof(buf), 3LL << 30));
	EXPECT_TRUE(all_zero(buf, sizeof(buf)));
	memset(buf, 0xaa, sizeof(buf));
	EXPECT_EQ(8, pread(fd, buf, sizeof(buf), off - 4));
	EXPECT_TRUE(all_zero(buf, 4));
	EXPECT_EQ(0, memcmp(buf + 4, "tail", 4));
	EXPECT_EQ(off + 4, lseek(fd, 0, SEEK_END));
	close(fd);
}

/* ---- directories ------------------------------------------------------- */

TEST_F(fs, mkdir_stat)
{
	char dir[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0750));
	ASSERT_EQ(0, stat(dir, &st));
	EXPECT_EQ(S_IFDIR | 0750, st.st_mode);
	EXPECT_EQ(2, st.st_nlink);
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(getuid(), st.st_uid);
	EXPECT_EQ(getgid(), st.st_gid);
	EXPECT_EQ(2, count_entries(dir));
}

TEST_F(fs, dir_nlink)
{
	char path[PATH_MAX], name[16];
	struct stat st;
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		ASSERT_EQ(0, mkdir(path_join(path, self->dir, name), 0755));
		ASSERT_EQ(0, stat(self->dir, &st));
		EXPECT_EQ(3 + i, st.st_nlink);
	}
	/* Files do not count. */
	ASSERT_EQ(0, create_file(path_join(path, self->dir, "file"), 0644));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(5, st.st_nlink);
	ASSERT_EQ(0, rmdir(path_join(path, self->dir, "d1")));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(4, st.st_nlink);
	/* A subdirectory's own count is unaffected by its siblings. */
	ASSERT_EQ(0, stat(path_join(path, self->dir, "d0"), &st));
	EXPECT_EQ(2, st.st_nlink);
}

TEST_F(fs, mkdir_eexist)
{
	char dir[PATH_MAX], file[PATH_MAX];

	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	EXPECT_EQ(-1, mkdir(dir, 0755));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	EXPECT_EQ(-1, mkdir(file, 0755));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, open(dir, O_CREAT | O_EXCL | O_RDWR, 0644));
	EXPECT_EQ(EEXIST, errno);
}

TEST_F(fs, mkdir_bad_parent)
{
	char path[PATH_MAX];

	EXPECT_EQ(-1, mkdir(path_join(path, self->dir, "missing/dir"), 0755));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, create_file(path_join(path, self->dir, "file"), 0644));
	EXPECT_EQ(-1, mkdir(path_join(path, self->dir, "file/dir"), 0755));
	EXPECT_EQ(ENOTDIR, errno);
}

TEST_F(fs, rmdir_enotempty)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	ASSERT_EQ(0, create_file(path_join(path, dir, "file"), 0644));
	EXPECT_EQ(-1, rmdir(dir));
	EXPECT_EQ(ENOTEMPTY, errno);
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, mkdir(path_join(path, dir, "sub"), 0755));
	EXPECT_EQ(-1, rmdir(dir));
	EXPECT_EQ(ENOTEMPTY, errno);
	ASSERT_EQ(0, rmdir(path));
	EXPECT_EQ(0, rmdir(dir));
	EXPECT_EQ(-1, stat(dir, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(fs, rmdir_enoent)
{
	char dir[PATH_MAX];

	EXPECT_EQ(-1, rmdir(path_join(dir, self->dir, "missing")));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, rmdir(dir));
	EXPECT_EQ(-1, rmdir(dir));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(fs, rmdir_enotdir)
{
	char file[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	EXPECT_EQ(-1, rmdir(file));
	EXPECT_EQ(ENOTDIR, errno);
	EXPECT_EQ(0, stat(file, &st));
}

TEST_F(fs, unlink_file)
{
	char file[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "x", 1));
	EXPECT_EQ(3, count_entries(self->dir));
	EXPECT_EQ(0, unlink(file));
	EXPECT_EQ(-1, stat(file, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(2, count_entries(self->dir));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(2, st.st_nlink);
	/* The name can be reused for a new, empty file. */
	ASSERT_EQ(0, create_file(file, 0600));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
}

TEST_F(fs, unlink_enoent)
{
	char file[PATH_MAX];

	EXPECT_EQ(-1, unlink(path_join(file, self->dir, "missing")));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, unlink(path_join(file, self->dir, "missing/file")));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(fs, unlink_dir_eisdir)
{
	char dir[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	EXPECT_EQ(-1, unlink(dir));
	EXPECT_EQ(EISDIR, errno);
	EXPECT_EQ(0, stat(dir, &st));
}

TEST_F(fs, unlink_open_file)
{
	char file[PATH_MAX], buf[16] = {};
	struct stat st;
	int fd;

	fd = open(path_join(file, self->dir, "open"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(6, write(fd, "still ", 6));
	ASSERT_EQ(0, unlink(file));
	EXPECT_EQ(-1, stat(file, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(2, count_entries(self->dir));
	/* The inode lives on while open: it can be written and read. */
	EXPECT_EQ(4, write(fd, "here", 4));
	EXPECT_EQ(10, pread(fd, buf, sizeof(buf), 0));
	EXPECT_STREQ("still here", buf);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_nlink);
	EXPECT_EQ(10, st.st_size);
	EXPECT_EQ(0, close(fd));
}

TEST_F(fs, name_max)
{
	char name[256], path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	bool found = false;
	DIR *d;
	int fd;

	memset(name, 'f', 255);
	name[255] = '\0';
	fd = open(path_join(path, self->dir, name), O_CREAT | O_EXCL | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, stat(path, &st));
	d = opendir(self->dir);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d)))
		if (!strcmp(de->d_name, name))
			found = true;
	closedir(d);
	EXPECT_TRUE(found);
	EXPECT_EQ(0, unlink(path));

	name[0] = 'd';
	ASSERT_EQ(0, mkdir(path_join(sub, self->dir, name), 0755));
	EXPECT_EQ(0, stat(sub, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0, rmdir(sub));
}

TEST_F(fs, name_too_long)
{
	char name[257], path[PATH_MAX];
	struct stat st;

	memset(name, 'n', 256);
	name[256] = '\0';
	path_join(path, self->dir, name);
	EXPECT_EQ(-1, open(path, O_CREAT | O_RDWR, 0644));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, mkdir(path, 0755));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, unlink(path));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, rmdir(path));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(2, count_entries(self->dir));
}

TEST_F(fs, readdir_empty)
{
	bool dot = false, dotdot = false;
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(self->dir);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		n++;
		if (!strcmp(de->d_name, "."))
			dot = true;
		else if (!strcmp(de->d_name, ".."))
			dotdot = true;
		else
			TH_LOG("unexpected entry %s", de->d_name);
	}
	closedir(d);
	EXPECT_EQ(2, n);
	EXPECT_TRUE(dot);
	EXPECT_TRUE(dotdot);
}

TEST_F(fs, readdir_entries)
{
	static const struct {
		const char *name;
		unsigned char type;
	} want[] = {
		{ ".", DT_DIR }, { "..", DT_DIR }, { "alpha", DT_REG },
		{ "beta", DT_REG }, { "gamma", DT_DIR }, { "delta", DT_REG },
	};
	const int nwant = ARRAY_SIZE(want);
	char path[PATH_MAX];
	int seen[6] = {}, n = 0, i;
	struct dirent *de;
	DIR *d;

	ASSERT_EQ(0, create_file(path_join(path, self->dir, "alpha"), 0644));
	ASSERT_EQ(0, create_file(path_join(path, self->dir, "beta"), 0644));
	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "gamma"), 0755));
	ASSERT_EQ(0, create_file(path_join(path, self->dir, "delta"), 0644));
	ASSERT_EQ(0, create_file(path_join(path, self->dir, "gone"), 0644));
	ASSERT_EQ(0, unlink(path));

	d = opendir(self->dir);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		n++;
		for (i = 0; i < nwant; i++)
			if (!strcmp(de->d_name, want[i].name))
				break;
		ASSERT_LT(i, nwant) {
			TH_LOG("unexpected entry %s", de->d_name);
		}
		seen[i]++;
		EXPECT_EQ(want[i].type, de->d_type) {
			TH_LOG("%s: d_type %d", de->d_name, de->d_type);
		}
	}
	closedir(d);
	EXPECT_EQ(nwant, n);
	for (i = 0; i < nwant; i++) {
		EXPECT_EQ(1, seen[i]) {
			TH_LOG("%s seen %d times", want[i].name, seen[i]);
		}
	}
}

TEST_F(fs, dir_read_eisdir)
{
	char buf[16];
	int fd;

	fd = open(self->dir, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EISDIR, errno);
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EISDIR, errno);
	close(fd);
	EXPECT_EQ(-1, open(self->dir, O_WRONLY));
	EXPECT_EQ(EISDIR, errno);
	EXPECT_EQ(-1, open(self->dir, O_RDWR));
	EXPECT_EQ(EISDIR, errno);
}

TEST_F(fs, file_not_dir)
{
	char file[PATH_MAX], path[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	EXPECT_EQ(-1, stat(path_join(path, self->dir, "file/x"), &st));
	EXPECT_EQ(ENOTDIR, errno);
	EXPECT_EQ(-1, open(path_join(path, self->dir, "file/x"), O_CREAT | O_RDWR, 0644));
	EXPECT_EQ(ENOTDIR, errno);
	EXPECT_EQ(-1, open(file, O_RDONLY | O_DIRECTORY));
	EXPECT_EQ(ENOTDIR, errno);
	EXPECT_EQ(NULL, opendir(file));
	EXPECT_EQ(ENOTDIR, errno);
}

TEST_F(fs, dir_times_create_unlink)
{
	char file[PATH_MAX];
	struct stat before, after;

	ASSERT_EQ(0, set_old_times(self->dir));
	ASSERT_EQ(0, stat(self->dir, &before));
	ASSERT_EQ(OLD_TIME, before.st_mtime);
	usleep(TIME_TICK_US);
	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	ASSERT_EQ(0, stat(self->dir, &after));
	EXPECT_LT(OLD_TIME, after.st_mtime);
	EXPECT_TRUE(ts_after(&after.st_ctim, &before.st_ctim));

	ASSERT_EQ(0, set_old_times(self->dir));
	ASSERT_EQ(0, stat(self->dir, &before));
	ASSERT_EQ(OLD_TIME, before.st_mtime);
	usleep(TIME_TICK_US);
	ASSERT_EQ(0, unlink(file));
	ASSERT_EQ(0, stat(self->dir, &after));
	EXPECT_LT(OLD_TIME, after.st_mtime);
	EXPECT_TRUE(ts_after(&after.st_ctim, &before.st_ctim));
}

TEST_F(fs, dir_times_mkdir_rmdir)
{
	char dir[PATH_MAX];
	struct stat before, after;

	ASSERT_EQ(0, set_old_times(self->dir));
	ASSERT_EQ(0, stat(self->dir, &before));
	ASSERT_EQ(OLD_TIME, before.st_mtime);
	usleep(TIME_TICK_US);
	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	ASSERT_EQ(0, stat(self->dir, &after));
	EXPECT_LT(OLD_TIME, after.st_mtime);
	EXPECT_TRUE(ts_after(&after.st_ctim, &before.st_ctim));

	ASSERT_EQ(0, set_old_times(self->dir));
	ASSERT_EQ(0, stat(self->dir, &before));
	ASSERT_EQ(OLD_TIME, before.st_mtime);
	usleep(TIME_TICK_US);
	ASSERT_EQ(0, rmdir(dir));
	ASSERT_EQ(0, stat(self->dir, &after));
	EXPECT_LT(OLD_TIME, after.st_mtime);
	EXPECT_TRUE(ts_after(&after.st_ctim, &before.st_ctim));
}

TEST_F(fs, dir_times_failed_op)
{
	char dir[PATH_MAX], file[PATH_MAX];
	struct stat before, after;

	/* A failing rmdir leaves the parent's times alone. */
	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	ASSERT_EQ(0, create_file(path_join(file, dir, "file"), 0644));
	ASSERT_EQ(0, set_old_times(self->dir));
	ASSERT_EQ(0, stat(self->dir, &before));
	usleep(TIME_TICK_US);
	ASSERT_EQ(-1, rmdir(dir));
	ASSERT_EQ(ENOTEMPTY, errno);
	ASSERT_EQ(0, stat(self->dir, &after));
	EXPECT_EQ(OLD_TIME, after.st_mtime);
	EXPECT_EQ(before.st_ctim.tv_sec, after.st_ctim.tv_sec);
	EXPECT_EQ(before.st_ctim.tv_nsec, after.st_ctim.tv_nsec);
}

TEST_F(fs, nested_dirs)
{
	char path[PATH_MAX], file[PATH_MAX], buf[8] = {};
	size_t len[NESTED_DEPTH];
	struct stat st;
	int i, fd;

	strcpy(path, self->dir);
	for (i = 0; i < NESTED_DEPTH; i++) {
		len[i] = strlen(path);
		snprintf(path + len[i], sizeof(path) - len[i], "/level%d", i);
		ASSERT_EQ(0, mkdir(path, 0755)) {
			TH_LOG("mkdir %s: %s", path, strerror(errno));
		}
	}
	ASSERT_EQ(0, write_file(path_join(file, path, "deep"), "deep", 4));
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(4, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("deep", buf);
	close(fd);

	/* Every intermediate level holds exactly one subdirectory. */
	for (i = NESTED_DEPTH - 1; i >= 0; i--) {
		path[len[i]] = '\0';
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_EQ(3, st.st_nlink);
		EXPECT_EQ(3, count_entries(path));
	}

	strcpy(path, self->dir);
	for (i = 0; i < NESTED_DEPTH; i++)
		snprintf(path + len[i], sizeof(path) - len[i], "/level%d", i);
	EXPECT_EQ(-1, rmdir(path));
	EXPECT_EQ(ENOTEMPTY, errno);
	ASSERT_EQ(0, unlink(file));
	for (i = NESTED_DEPTH - 1; i >= 0; i--) {
		ASSERT_EQ(0, rmdir(path)) {
			TH_LOG("rmdir %s: %s", path, strerror(errno));
		}
		path[len[i]] = '\0';
	}
	EXPECT_EQ(2, count_entries(self->dir));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(2, st.st_nlink);
}

TEST_F(fs, many_files)
{
	static unsigned char seen[MANY_FILES];
	char path[PATH_MAX], name[32];
	struct dirent *de;
	int i, idx, ret, n = 0;
	struct stat st;
	DIR *d;

	for (i = 0; i < MANY_FILES; i++) {
		snprintf(name, sizeof(name), "file%04d", i);
		ASSERT_EQ(0, create_file(path_join(path, self->dir, name), 0644)) {
			TH_LOG("create %s: %s", name, strerror(errno));
		}
	}
	d = opendir(self->dir);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		n++;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ret = sscanf(de->d_name, "file%d", &idx);
		ASSERT_EQ(1, ret);
		ASSERT_LE(0, idx);
		ASSERT_GT(MANY_FILES, idx);
		seen[idx]++;
	}
	closedir(d);
	EXPECT_EQ(MANY_FILES + 2, n);
	for (i = 0; i < MANY_FILES; i++) {
		ASSERT_EQ(1, seen[i]) {
			TH_LOG("file%04d seen %d times", i, seen[i]);
		}
	}
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(2, st.st_nlink);

	for (i = 0; i < MANY_FILES; i++) {
		snprintf(name, sizeof(name), "file%04d", i);
		ASSERT_EQ(0, unlink(path_join(path, self->dir, name)));
	}
	EXPECT_EQ(2, count_entries(self->dir));
}

TEST_HARNESS_MAIN
