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
 *
 * The cases cover mount options and the mount API, statfs, regular files,
 * directories, symbolic and hard links, special files, rename, O_TMPFILE,
 * attributes, mmap and the other data paths, extended attributes, and use
 * by unprivileged users in user namespaces. Where ramfs behaves oddly, the
 * cases pin what ramfs does. Cases that need another user fork a child that
 * drops privileges and reports the results of its system calls back.
 */

#define _FILE_OFFSET_BITS 64

#include "kselftest_harness.h"

#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <mntent.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <linux/capability.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>

#define MOUNT_SOURCE	"rust_ramfs_test"
#define OLD_TIME	1000000000	/* 2001-09-09, long before any test runs */
#define TIME_TICK_US	50000		/* more than one coarse clock tick */
#define MANY_FILES	1000
#define NESTED_DEPTH	10
#define NOBODY		65534		/* uid and gid of an unprivileged user */
#define USER_ID		1000		/* uid and gid of a user owning files */
#define GROUP_ID	1234		/* a group that USER_ID is not a member of */
#define MAX_RES		16		/* results a child process can report */
#define LINK_MAX_DEPTH	40		/* symlinks one lookup may follow (MAXSYMLINKS) */

#ifndef __NR_fchmodat2
#define __NR_fchmodat2	452
#endif

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

TEST_F(fs, mount_size_option)
{
	size_t len = 2 << 20;
	char sub[PATH_MAX], file[PATH_MAX];
	bool ramfs = !strcmp(variant->fstype, "ramfs");
	unsigned char *buf;
	struct stat st;

	/*
	 * ramfs has no size limit: "size=1M" must not stop a 2 MiB write.
	 * rust_ramfs limits the size as tmpfs does (tmpfs_limits_test): the
	 * write stops at 1 MiB.
	 */
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M", sub));
	ASSERT_EQ(0, stat(sub, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
	buf = calloc(1, len);
	ASSERT_NE(NULL, buf);
	fill_pattern(buf, len, 3);
	EXPECT_EQ(ramfs ? 0 : -1, write_file(path_join(file, sub, "big"), buf, len));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(ramfs ? len : 1 << 20, st.st_size);
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

/* ---- helpers for the cases below --------------------------------------- */

/* Outcome of one system call made by a child process. */
struct res {
	long ret;
	int err;
};

/* A check run in a child process, reporting through @r (see run_child()). */
typedef void (*child_fn)(const char *fstype, const char *path, struct res *r);

/* Records in @r the return value @ret of a system call, and errno if it failed. */
static void record(struct res *r, long ret)
{
	r->ret = ret;
	r->err = ret < 0 ? errno : 0;
}

/*
 * Runs @fn(@fstype, @path, r) in a child process and copies the MAX_RES
 * results it records in r[] to @out; results it does not record read -2.
 * Returns the child's wait status, or -1.
 */
static int run_child(child_fn fn, const char *fstype, const char *path, struct res *out)
{
	size_t size = MAX_RES * sizeof(*out);
	int status = -1, i;
	struct res *r;
	pid_t pid;

	r = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return -1;
	for (i = 0; i < MAX_RES; i++) {
		r[i].ret = -2;
		r[i].err = -2;
	}
	pid = fork();
	if (pid == 0) {
		fn(fstype, path, r);
		_exit(0);
	}
	if (pid > 0 && waitpid(pid, &status, 0) != pid)
		status = -1;
	memcpy(out, r, size);
	munmap(r, size);
	return status;
}

/* Drops all privileges: uid @uid, gid @gid, no supplementary groups. */
static int become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return -1;
	/* Stay dumpable, or /proc/self/{uid,gid}_map would belong to root. */
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

/* Writes the string @s to the existing file @path. */
static int write_string(const char *path, const char *s)
{
	ssize_t len = strlen(s), n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, s, len);
	close(fd);
	return n == len ? 0 : -1;
}

/*
 * Makes the calling process NOBODY, then root in a new user namespace that
 * maps only NOBODY (to 0), and in a new mount namespace owned by it.
 */
static int enter_userns(void)
{
	if (become(NOBODY, NOBODY) || unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return -1;
	if (write_string("/proc/self/setgroups", "deny") ||
	    write_string("/proc/self/uid_map", "0 65534 1") ||
	    write_string("/proc/self/gid_map", "0 65534 1"))
		return -1;
	return 0;
}

/* Is the running kernel version @major.@minor or later? */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma, mi;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/* st_nlink of @path, or -1. */
static long nlink_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? -1 : (long)st.st_nlink;
}

/* st_ino of @path (not following a final symlink), or 0. */
static ino_t ino_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0 : st.st_ino;
}

/* Does @path hold exactly the @len bytes at @data? */
static bool file_is(const char *path, const void *data, size_t len)
{
	char buf[256];
	ssize_t n;
	int fd;

	if (len >= sizeof(buf))
		return false;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)len && !memcmp(buf, data, len);
}

/* renameat2(2) through syscall(2): not every C library has a wrapper. */
static int sys_renameat2(const char *from, const char *to, unsigned int flags)
{
	return syscall(__NR_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

/* ---- symbolic links ---------------------------------------------------- */

TEST_F(fs, symlink_readlink)
{
	char link[PATH_MAX], file[PATH_MAX], buf[64];
	struct stat st;

	ASSERT_EQ(0, symlink("some/target", path_join(link, self->dir, "link")));
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(11, readlink(link, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "some/target", 11));
	/* readlink() does not NUL-terminate, and truncates to the buffer size. */
	EXPECT_EQ('x', buf[11]);
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(4, readlink(link, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "somex", 5));

	ASSERT_EQ(0, lstat(link, &st));
	EXPECT_EQ(S_IFLNK | 0777, st.st_mode);
	EXPECT_EQ(11, st.st_size);
	EXPECT_EQ(1, st.st_nlink);
	EXPECT_EQ(getuid(), st.st_uid);
	EXPECT_EQ(getgid(), st.st_gid);
	EXPECT_EQ(self->page_size, st.st_blksize);
	/* The target lives in a page cache page, but ramfs reports no blocks. */
	EXPECT_EQ(0, st.st_blocks);
	/* stat() follows the link to its missing target. */
	EXPECT_EQ(-1, stat(link, &st));
	EXPECT_EQ(ENOENT, errno);

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	EXPECT_EQ(-1, readlink(file, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, readlink(self->dir, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(fs, symlink_long_target)
{
	static const int lens[] = { 255, 256, 1000, PATH_MAX - 2, PATH_MAX - 1 };
	char link[PATH_MAX], name[32], target[PATH_MAX], buf[PATH_MAX + 1];
	struct stat st;
	int i, j;

	/* Letters, and a slash now and then so that no component is too long. */
	for (j = 0; j < PATH_MAX; j++)
		target[j] = j % 100 == 99 ? '/' : 'a' + j % 26;
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		target[lens[i]] = '\0';
		snprintf(name, sizeof(name), "link%d", lens[i]);
		ASSERT_EQ(0, symlink(target, path_join(link, self->dir, name))) {
			TH_LOG("%d byte target: %s", lens[i], strerror(errno));
		}
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(lens[i], readlink(link, buf, sizeof(buf)));
		EXPECT_EQ(0, memcmp(buf, target, lens[i] + 1));
		ASSERT_EQ(0, lstat(link, &st));
		EXPECT_EQ(lens[i], st.st_size);
		EXPECT_EQ(0, st.st_blocks);
		/* Following it looks for the first component, "abc...". */
		EXPECT_EQ(-1, open(link, O_RDONLY));
		EXPECT_EQ(ENOENT, errno);
		target[lens[i]] = lens[i] % 100 == 99 ? '/' : 'a' + lens[i] % 26;
	}
}

TEST_F(fs, symlink_target_too_long)
{
	char link[PATH_MAX], target[PATH_MAX + 1];
	struct stat st;

	/* A target must fit in PATH_MAX bytes including its NUL. */
	memset(target, 't', PATH_MAX);
	target[PATH_MAX] = '\0';
	EXPECT_EQ(-1, symlink(target, path_join(link, self->dir, "link")));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, lstat(link, &st));
	EXPECT_EQ(ENOENT, errno);
	/* Nor may it be empty. */
	EXPECT_EQ(-1, symlink("", link));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, lstat(link, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(2, count_entries(self->dir));
}

TEST_F(fs, symlink_follow_file)
{
	char file[PATH_MAX], link[PATH_MAX], abs[PATH_MAX];
	struct stat st, lst;
	int fd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "data", 4));
	ASSERT_EQ(0, symlink("file", path_join(link, self->dir, "link")));
	ASSERT_EQ(0, symlink(file, path_join(abs, self->dir, "abs")));
	fd = open(link, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	EXPECT_EQ(4, write(fd, "more", 4));
	close(fd);
	EXPECT_TRUE(file_is(file, "datamore", 8));
	EXPECT_TRUE(file_is(abs, "datamore", 8));

	ASSERT_EQ(0, stat(link, &st));
	ASSERT_EQ(0, lstat(link, &lst));
	EXPECT_EQ(ino_of(file), st.st_ino);
	EXPECT_EQ(S_IFREG | 0644, st.st_mode);
	EXPECT_EQ(8, st.st_size);
	EXPECT_NE(st.st_ino, lst.st_ino);
	EXPECT_EQ(S_IFLNK | 0777, lst.st_mode);
	EXPECT_EQ(4, lst.st_size);
	ASSERT_EQ(0, stat(abs, &st));
	EXPECT_EQ(ino_of(file), st.st_ino);
}

TEST_F(fs, symlink_follow_dir)
{
	char dir[PATH_MAX], link[PATH_MAX], path[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	ASSERT_EQ(0, symlink("dir", path_join(link, self->dir, "link")));
	ASSERT_EQ(0, create_file(path_join(path, link, "file"), 0644));
	EXPECT_EQ(0, stat(path_join(path, dir, "file"), &st));
	EXPECT_EQ(3, count_entries(link));
	ASSERT_EQ(0, stat(link, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
	EXPECT_EQ(ino_of(dir), st.st_ino);
	ASSERT_EQ(0, lstat(link, &st));
	EXPECT_EQ(S_IFLNK | 0777, st.st_mode);
	/* A trailing slash follows the link. */
	ASSERT_EQ(0, lstat(path_join(path, self->dir, "link/"), &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(-1, rmdir(link));
	EXPECT_EQ(ENOTDIR, errno);
	/* Links to directories do not count in the parent's nlink. */
	EXPECT_EQ(3, nlink_of(self->dir));
}

TEST_F(fs, symlink_dangling)
{
	char link[PATH_MAX], target[PATH_MAX];
	struct stat st;
	int fd;

	ASSERT_EQ(0, symlink("target", path_join(link, self->dir, "link")));
	path_join(target, self->dir, "target");
	EXPECT_EQ(-1, open(link, O_RDONLY));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, stat(link, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, lstat(link, &st));
	/* O_EXCL refuses the link itself; plain O_CREAT creates its target. */
	EXPECT_EQ(-1, open(link, O_CREAT | O_EXCL | O_WRONLY, 0600));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, stat(target, &st));
	EXPECT_EQ(ENOENT, errno);
	fd = open(link, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, stat(target, &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	EXPECT_EQ(0, stat(link, &st));
	EXPECT_EQ(4, count_entries(self->dir));
}

TEST_F(fs, symlink_loop)
{
	char a[PATH_MAX], b[PATH_MAX], loop[PATH_MAX], path[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, symlink("loop", path_join(loop, self->dir, "loop")));
	EXPECT_EQ(-1, open(loop, O_RDONLY));
	EXPECT_EQ(ELOOP, errno);
	EXPECT_EQ(-1, stat(loop, &st));
	EXPECT_EQ(ELOOP, errno);
	EXPECT_EQ(-1, stat(path_join(path, loop, "x"), &st));
	EXPECT_EQ(ELOOP, errno);
	EXPECT_EQ(0, lstat(loop, &st));

	ASSERT_EQ(0, symlink("b", path_join(a, self->dir, "a")));
	ASSERT_EQ(0, symlink("a", path_join(b, self->dir, "b")));
	EXPECT_EQ(-1, open(a, O_CREAT | O_RDWR, 0644));
	EXPECT_EQ(ELOOP, errno);
	EXPECT_EQ(5, count_entries(self->dir));
}

TEST_F(fs, symlink_chain_limit)
{
	char path[PATH_MAX], name[16], target[16];
	struct stat st;
	int i;

	ASSERT_EQ(0, write_file(path_join(path, self->dir, "file"), "end", 3));
	/* l0 -> file, l1 -> l0, ..., l40 -> l39 */
	for (i = 0; i <= LINK_MAX_DEPTH; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		if (i)
			snprintf(target, sizeof(target), "l%d", i - 1);
		else
			snprintf(target, sizeof(target), "file");
		ASSERT_EQ(0, symlink(target, path_join(path, self->dir, name)));
	}
	/* Following 40 links is fine, 41 is too many. */
	snprintf(name, sizeof(name), "l%d", LINK_MAX_DEPTH - 1);
	ASSERT_EQ(0, stat(path_join(path, self->dir, name), &st));
	EXPECT_EQ(3, st.st_size);
	EXPECT_TRUE(file_is(path, "end", 3));
	snprintf(name, sizeof(name), "l%d", LINK_MAX_DEPTH);
	EXPECT_EQ(-1, stat(path_join(path, self->dir, name), &st));
	EXPECT_EQ(ELOOP, errno);
	EXPECT_EQ(-1, open(path, O_RDONLY));
	EXPECT_EQ(ELOOP, errno);
}

TEST_F(fs, symlink_nofollow)
{
	char file[PATH_MAX], link[PATH_MAX], dlink[PATH_MAX], path[PATH_MAX];
	char buf[16] = {};
	struct stat st;
	int fd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "x", 1));
	ASSERT_EQ(0, symlink("file", path_join(link, self->dir, "link")));
	EXPECT_EQ(-1, open(link, O_RDONLY | O_NOFOLLOW));
	EXPECT_EQ(ELOOP, errno);
	EXPECT_EQ(-1, open(link, O_WRONLY | O_CREAT | O_NOFOLLOW, 0644));
	EXPECT_EQ(ELOOP, errno);

	/* An O_PATH descriptor can refer to the link itself. */
	fd = open(link, O_PATH | O_NOFOLLOW);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(S_IFLNK | 0777, st.st_mode);
	EXPECT_EQ(4, readlinkat(fd, "", buf, sizeof(buf)));
	EXPECT_STREQ("file", buf);
	close(fd);
	ASSERT_EQ(0, fstatat(AT_FDCWD, link, &st, AT_SYMLINK_NOFOLLOW));
	EXPECT_EQ(S_IFLNK | 0777, st.st_mode);

	/* Only the last component is not followed. */
	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "dir"), 0755));
	ASSERT_EQ(0, symlink("dir", path_join(dlink, self->dir, "dlink")));
	ASSERT_EQ(0, create_file(path_join(path, self->dir, "dir/f"), 0644));
	fd = open(path_join(path, dlink, "f"), O_RDONLY | O_NOFOLLOW);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_F(fs, symlink_unlink)
{
	char file[PATH_MAX], link[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "keep", 4));
	ASSERT_EQ(0, symlink("file", path_join(link, self->dir, "link")));
	EXPECT_EQ(0, unlink(link));
	EXPECT_EQ(-1, lstat(link, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(1, nlink_of(file));
	EXPECT_TRUE(file_is(file, "keep", 4));

	/* Removing the target leaves a dangling link. */
	ASSERT_EQ(0, symlink("file", link));
	EXPECT_EQ(0, unlink(file));
	EXPECT_EQ(0, lstat(link, &st));
	EXPECT_EQ(-1, stat(link, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(3, count_entries(self->dir));
}

TEST_F(fs, symlink_eexist)
{
	char file[PATH_MAX], dir[PATH_MAX], link[PATH_MAX], path[PATH_MAX];
	char buf[16] = {};

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	ASSERT_EQ(0, symlink("old", path_join(link, self->dir, "link")));
	EXPECT_EQ(-1, symlink("new", file));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, symlink("new", dir));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, symlink("new", link));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(3, readlink(link, buf, sizeof(buf)));
	EXPECT_STREQ("old", buf);
	EXPECT_EQ(-1, symlink("new", path_join(path, self->dir, "missing/link")));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, symlink("new", path_join(path, file, "link")));
	EXPECT_EQ(ENOTDIR, errno);
	EXPECT_EQ(5, count_entries(self->dir));
}

TEST_F(fs, symlink_dir_times)
{
	char link[PATH_MAX];
	struct stat before, after;

	ASSERT_EQ(0, set_old_times(self->dir));
	ASSERT_EQ(0, stat(self->dir, &before));
	usleep(TIME_TICK_US);
	ASSERT_EQ(0, symlink("target", path_join(link, self->dir, "link")));
	ASSERT_EQ(0, stat(self->dir, &after));
	EXPECT_LT(OLD_TIME, after.st_mtime);
	EXPECT_TRUE(ts_after(&after.st_ctim, &before.st_ctim));
	/* ramfs sets both from one clock reading. */
	EXPECT_EQ(after.st_mtim.tv_sec, after.st_ctim.tv_sec);
	EXPECT_EQ(after.st_mtim.tv_nsec, after.st_ctim.tv_nsec);
	EXPECT_EQ(2, after.st_nlink);
}

TEST_F(fs, symlink_lchown)
{
	struct timespec ts[2] = {
		{ .tv_sec = OLD_TIME, .tv_nsec = 1 },
		{ .tv_sec = OLD_TIME + 1, .tv_nsec = 2 },
	};
	char file[PATH_MAX], link[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	ASSERT_EQ(0, symlink("file", path_join(link, self->dir, "link")));
	EXPECT_EQ(0, lchown(link, USER_ID, GROUP_ID));
	ASSERT_EQ(0, lstat(link, &st));
	EXPECT_EQ(USER_ID, st.st_uid);
	EXPECT_EQ(GROUP_ID, st.st_gid);
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	/* chown() follows the link. */
	EXPECT_EQ(0, chown(link, GROUP_ID, USER_ID));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(GROUP_ID, st.st_uid);
	ASSERT_EQ(0, lstat(link, &st));
	EXPECT_EQ(USER_ID, st.st_uid);

	/* So do times: AT_SYMLINK_NOFOLLOW sets those of the link itself. */
	EXPECT_EQ(0, utimensat(AT_FDCWD, link, ts, AT_SYMLINK_NOFOLLOW));
	ASSERT_EQ(0, lstat(link, &st));
	EXPECT_EQ(OLD_TIME, st.st_atim.tv_sec);
	EXPECT_EQ(1, st.st_atim.tv_nsec);
	EXPECT_EQ(OLD_TIME + 1, st.st_mtim.tv_sec);
	EXPECT_EQ(2, st.st_mtim.tv_nsec);
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_LT(OLD_TIME + 1, st.st_mtime);
}

TEST_F(fs, symlink_chmod)
{
	char file[PATH_MAX], link[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	ASSERT_EQ(0, symlink("file", path_join(link, self->dir, "link")));
	/* The mode of a symlink cannot be changed. */
	EXPECT_EQ(-1, syscall(__NR_fchmodat2, AT_FDCWD, link, 0600, AT_SYMLINK_NOFOLLOW));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, lstat(link, &st));
	EXPECT_EQ(S_IFLNK | 0777, st.st_mode);
	/* chmod() follows it. */
	EXPECT_EQ(0, chmod(link, 0600));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	ASSERT_EQ(0, lstat(link, &st));
	EXPECT_EQ(S_IFLNK | 0777, st.st_mode);
}

/* ---- hard links -------------------------------------------------------- */

TEST_F(fs, link_nlink)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];

	ASSERT_EQ(0, create_file(path_join(a, self->dir, "a"), 0644));
	EXPECT_EQ(0, link(a, path_join(b, self->dir, "b")));
	EXPECT_EQ(2, nlink_of(a));
	EXPECT_EQ(2, nlink_of(b));
	EXPECT_EQ(ino_of(a), ino_of(b));
	EXPECT_EQ(4, count_entries(self->dir));
	/* Links to files do not change the directory's own count. */
	EXPECT_EQ(2, nlink_of(self->dir));
	EXPECT_EQ(0, link(b, path_join(c, self->dir, "c")));
	EXPECT_EQ(3, nlink_of(a));
	EXPECT_EQ(0, unlink(a));
	EXPECT_EQ(2, nlink_of(b));
	EXPECT_EQ(0, unlink(c));
	EXPECT_EQ(1, nlink_of(b));
	EXPECT_EQ(3, count_entries(self->dir));
}

TEST_F(fs, link_data_shared)
{
	char a[PATH_MAX], b[PATH_MAX];
	int fd;

	ASSERT_EQ(0, write_file(path_join(a, self->dir, "a"), "first", 5));
	ASSERT_EQ(0, link(a, path_join(b, self->dir, "b")));
	fd = open(b, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	EXPECT_EQ(5, write(fd, "+more", 5));
	close(fd);
	EXPECT_TRUE(file_is(a, "first+more", 10));
	EXPECT_EQ(0, truncate(a, 3));
	EXPECT_TRUE(file_is(b, "fir", 3));
	/* Removing one name keeps the data reachable through the other. */
	EXPECT_EQ(0, unlink(a));
	EXPECT_TRUE(file_is(b, "fir", 3));
	EXPECT_EQ(1, nlink_of(b));
}

TEST_F(fs, link_dir_eperm)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	EXPECT_EQ(-1, link(dir, path_join(path, self->dir, "link")));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, lstat(path, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, link(self->dir, path));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(2, nlink_of(dir));
	EXPECT_EQ(3, nlink_of(self->dir));
}

TEST_F(fs, link_eexist)
{
	char a[PATH_MAX], b[PATH_MAX], dir[PATH_MAX], sym[PATH_MAX];

	ASSERT_EQ(0, write_file(path_join(a, self->dir, "a"), "a", 1));
	ASSERT_EQ(0, write_file(path_join(b, self->dir, "b"), "b", 1));
	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	ASSERT_EQ(0, symlink("a", path_join(sym, self->dir, "sym")));
	EXPECT_EQ(-1, link(a, b));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, link(a, dir));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, link(a, sym));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, link(a, a));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(1, nlink_of(a));
	EXPECT_TRUE(file_is(b, "b", 1));
}

TEST_F(fs, link_enoent)
{
	char a[PATH_MAX], path[PATH_MAX], sub[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, create_file(path_join(a, self->dir, "a"), 0644));
	EXPECT_EQ(-1, link(path_join(path, self->dir, "missing"), path_join(sub, self->dir, "b")));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, lstat(sub, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, link(a, path_join(path, self->dir, "missing/b")));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, link(a, path_join(path, a, "b")));
	EXPECT_EQ(ENOTDIR, errno);
	/* Nor can a link cross into another instance. */
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, NULL, sub));
	EXPECT_EQ(-1, link(a, path_join(path, sub, "b")));
	EXPECT_EQ(EXDEV, errno);
	ASSERT_EQ(0, umount(sub));
	EXPECT_EQ(1, nlink_of(a));
}

TEST_F(fs, link_ctime)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct stat file_before, dir_before, st, dir;

	ASSERT_EQ(0, create_file(path_join(a, self->dir, "a"), 0644));
	ASSERT_EQ(0, set_old_times(a));
	ASSERT_EQ(0, set_old_times(self->dir));
	ASSERT_EQ(0, stat(a, &file_before));
	ASSERT_EQ(0, stat(self->dir, &dir_before));
	usleep(TIME_TICK_US);
	ASSERT_EQ(0, link(a, path_join(b, self->dir, "b")));
	ASSERT_EQ(0, stat(a, &st));
	ASSERT_EQ(0, stat(self->dir, &dir));
	EXPECT_TRUE(ts_after(&st.st_ctim, &file_before.st_ctim));
	EXPECT_EQ(OLD_TIME, st.st_mtime);
	EXPECT_EQ(OLD_TIME, st.st_atime);
	EXPECT_TRUE(ts_after(&dir.st_ctim, &dir_before.st_ctim));
	EXPECT_LT(OLD_TIME, dir.st_mtime);
	/* simple_link() stamps all three with the same time. */
	EXPECT_EQ(st.st_ctim.tv_sec, dir.st_ctim.tv_sec);
	EXPECT_EQ(st.st_ctim.tv_nsec, dir.st_ctim.tv_nsec);
	EXPECT_EQ(dir.st_ctim.tv_sec, dir.st_mtim.tv_sec);
	EXPECT_EQ(dir.st_ctim.tv_nsec, dir.st_mtim.tv_nsec);
}

TEST_F(fs, link_symlink)
{
	char file[PATH_MAX], sym[PATH_MAX], hard[PATH_MAX], hard2[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	ASSERT_EQ(0, symlink("file", path_join(sym, self->dir, "sym")));
	/* link() does not follow a symlink ... */
	EXPECT_EQ(0, link(sym, path_join(hard, self->dir, "hard")));
	ASSERT_EQ(0, lstat(hard, &st));
	EXPECT_EQ(S_IFLNK | 0777, st.st_mode);
	EXPECT_EQ(ino_of(sym), st.st_ino);
	EXPECT_EQ(2, st.st_nlink);
	EXPECT_EQ(1, nlink_of(file));
	/* ... unless asked to. */
	EXPECT_EQ(0, linkat(AT_FDCWD, sym, AT_FDCWD, path_join(hard2, self->dir, "hard2"),
			    AT_SYMLINK_FOLLOW));
	ASSERT_EQ(0, lstat(hard2, &st));
	EXPECT_EQ(S_IFREG | 0644, st.st_mode);
	EXPECT_EQ(ino_of(file), st.st_ino);
	EXPECT_EQ(2, nlink_of(file));
}

TEST_F(fs, link_unlinked_open)
{
	char file[PATH_MAX], name[PATH_MAX], proc[64];
	struct stat st;
	int fd;

	fd = open(path_join(file, self->dir, "file"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, unlink(file));
	/* Only O_TMPFILE files can get a name back once nlink reached 0. */
	EXPECT_EQ(-1, linkat(fd, "", AT_FDCWD, path_join(name, self->dir, "name"), AT_EMPTY_PATH));
	EXPECT_EQ(ENOENT, errno);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	EXPECT_EQ(-1, linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, lstat(name, &st));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_nlink);
	close(fd);
}

/* ---- mknod: FIFOs, sockets, device nodes ------------------------------- */

TEST_F(fs, mknod_fifo_data)
{
	char fifo[PATH_MAX], buf[8] = {};
	struct stat st;
	int fd, rfd, wfd;

	ASSERT_EQ(0, mknod(path_join(fifo, self->dir, "fifo"), S_IFIFO | 0640, 0));
	ASSERT_EQ(0, stat(fifo, &st));
	EXPECT_EQ(S_IFIFO | 0640, st.st_mode);
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(0, st.st_blocks);
	EXPECT_EQ(0, st.st_rdev);
	EXPECT_EQ(1, st.st_nlink);

	/* Opened for both reading and writing, it is a pipe to itself. */
	fd = open(fifo, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(4, write(fd, "fifo", 4));
	EXPECT_EQ(4, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("fifo", buf);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size);
	close(fd);

	/* No reader: a non-blocking writer cannot open it. */
	EXPECT_EQ(-1, open(fifo, O_WRONLY | O_NONBLOCK));
	EXPECT_EQ(ENXIO, errno);
	rfd = open(fifo, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, rfd);
	EXPECT_EQ(0, read(rfd, buf, sizeof(buf)));
	wfd = open(fifo, O_WRONLY | O_NONBLOCK);
	ASSERT_LE(0, wfd);
	EXPECT_EQ(-1, read(rfd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(wfd);
	close(rfd);
}

TEST_F(fs, mknod_fifo_fork)
{
	char fifo[PATH_MAX], buf[16] = {};
	int fd, status;
	pid_t pid;

	ASSERT_EQ(0, mkfifo(path_join(fifo, self->dir, "fifo"), 0600));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		fd = open(fifo, O_WRONLY);
		_exit(fd < 0 || write(fd, "hello", 5) != 5);
	}
	/* Blocks until the child opens its end. */
	fd = open(fifo, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(5, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);
	/* End of file once the writer is gone. */
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	close(fd);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Fills @addr with the AF_UNIX address @path; returns its length. */
static socklen_t unix_addr(struct sockaddr_un *addr, const char *path)
{
	size_t len = strlen(path);

	/* Test paths are short, but never truncate silently. */
	if (len >= sizeof(addr->sun_path))
		abort();
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path, path, len);
	return sizeof(*addr);
}

TEST_F(fs, mknod_socket_bind)
{
	struct sockaddr_un addr;
	char path[PATH_MAX], buf[8] = {};
	int srv, cli, conn, other;
	socklen_t len;
	struct stat st;

	len = unix_addr(&addr, path_join(path, self->dir, "sock"));
	srv = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_LE(0, srv);
	ASSERT_EQ(0, bind(srv, (struct sockaddr *)&addr, len));
	ASSERT_EQ(0, listen(srv, 1));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(S_IFSOCK | 0777, st.st_mode);
	EXPECT_EQ(0, st.st_size);

	cli = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_LE(0, cli);
	ASSERT_EQ(0, connect(cli, (struct sockaddr *)&addr, len));
	conn = accept(srv, NULL, NULL);
	ASSERT_LE(0, conn);
	EXPECT_EQ(4, write(cli, "ping", 4));
	EXPECT_EQ(4, read(conn, buf, sizeof(buf)));
	EXPECT_STREQ("ping", buf);

	/* The name is taken. */
	other = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_LE(0, other);
	EXPECT_EQ(-1, bind(other, (struct sockaddr *)&addr, len));
	EXPECT_EQ(EADDRINUSE, errno);
	/* A socket cannot be open()ed. */
	EXPECT_EQ(-1, open(path, O_RDWR));
	EXPECT_EQ(ENXIO, errno);
	close(other);
	close(conn);
	close(cli);
	close(srv);
}

TEST_F(fs, mknod_socket_refused)
{
	struct sockaddr_un addr;
	char path[PATH_MAX], file[PATH_MAX];
	socklen_t len;
	struct stat st;
	int srv, cli;

	/* A socket inode made by mknod() has nobody listening. */
	ASSERT_EQ(0, mknod(path_join(path, self->dir, "sock"), S_IFSOCK | 0644, 0));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(S_IFSOCK | 0644, st.st_mode);
	len = unix_addr(&addr, path);
	cli = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_LE(0, cli);
	EXPECT_EQ(-1, connect(cli, (struct sockaddr *)&addr, len));
	EXPECT_EQ(ECONNREFUSED, errno);

	/* Neither has a bound name whose socket is closed. */
	len = unix_addr(&addr, path_join(path, self->dir, "closed"));
	srv = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_LE(0, srv);
	ASSERT_EQ(0, bind(srv, (struct sockaddr *)&addr, len));
	close(srv);
	EXPECT_EQ(0, stat(path, &st));
	EXPECT_EQ(-1, connect(cli, (struct sockaddr *)&addr, len));
	EXPECT_EQ(ECONNREFUSED, errno);

	/* Nor a regular file. */
	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0666));
	len = unix_addr(&addr, file);
	EXPECT_EQ(-1, connect(cli, (struct sockaddr *)&addr, len));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(cli);
}

TEST_F(fs, mknod_chr_null)
{
	char node[PATH_MAX], buf[8];
	struct stat st;
	int fd;

	/* The numbers of /dev/null. */
	ASSERT_EQ(0, mknod(path_join(node, self->dir, "null"), S_IFCHR | 0666, makedev(1, 3)));
	ASSERT_EQ(0, stat(node, &st));
	EXPECT_EQ(S_IFCHR | 0666, st.st_mode);
	EXPECT_EQ(makedev(1, 3), st.st_rdev);
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(0, st.st_blocks);
	EXPECT_EQ(1, st.st_nlink);
	fd = open(node, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(5, write(fd, "lost!", 5));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	close(fd);
	ASSERT_EQ(0, stat(node, &st));
	EXPECT_EQ(0, st.st_size);
}

TEST_F(fs, mknod_blk)
{
	char node[PATH_MAX], big[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mknod(path_join(node, self->dir, "blk"), S_IFBLK | 0600, makedev(7, 200)));
	ASSERT_EQ(0, stat(node, &st));
	EXPECT_EQ(S_IFBLK | 0600, st.st_mode);
	EXPECT_EQ(7, major(st.st_rdev));
	EXPECT_EQ(200, minor(st.st_rdev));
	EXPECT_EQ(0, st.st_size);
	/* The largest numbers a dev_t holds inside the kernel survive. */
	ASSERT_EQ(0, mknod(path_join(big, self->dir, "big"), S_IFCHR | 0600,
			   makedev(4095, 1048575)));
	ASSERT_EQ(0, stat(big, &st));
	EXPECT_EQ(4095, major(st.st_rdev));
	EXPECT_EQ(1048575, minor(st.st_rdev));
}

TEST_F(fs, mknod_reg)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
	struct stat st;
	int fd;

	ASSERT_EQ(0, mknod(path_join(a, self->dir, "a"), S_IFREG | 0640, 0));
	ASSERT_EQ(0, stat(a, &st));
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(1, st.st_nlink);
	fd = open(a, O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, write(fd, "x", 1));
	close(fd);
	EXPECT_TRUE(file_is(a, "x", 1));
	/* No file type means a regular file. */
	ASSERT_EQ(0, mknod(path_join(b, self->dir, "b"), 0600, 0));
	ASSERT_EQ(0, stat(b, &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	/* A regular file has no device number, whatever was passed. */
	ASSERT_EQ(0, mknod(path_join(c, self->dir, "c"), S_IFREG | 0600, makedev(1, 3)));
	ASSERT_EQ(0, stat(c, &st));
	EXPECT_EQ(0, st.st_rdev);
}

TEST_F(fs, mknod_eexist)
{
	char file[PATH_MAX], dir[PATH_MAX], fifo[PATH_MAX], path[PATH_MAX];

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	ASSERT_EQ(0, mkfifo(path_join(fifo, self->dir, "fifo"), 0644));
	EXPECT_EQ(-1, mknod(file, S_IFIFO | 0644, 0));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, mknod(dir, S_IFCHR | 0644, makedev(1, 3)));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, mknod(fifo, S_IFIFO | 0644, 0));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, mknod(path_join(path, self->dir, "missing/fifo"), S_IFIFO | 0644, 0));
	EXPECT_EQ(ENOENT, errno);
	/* mknod() makes no directories or symlinks. */
	EXPECT_EQ(-1, mknod(path_join(path, self->dir, "new"), S_IFDIR | 0755, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, mknod(path, S_IFLNK | 0777, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(5, count_entries(self->dir));
}

TEST_F(fs, mknod_nodev_mount)
{
	char sub[PATH_MAX], node[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(sub, self->dir, "sub"), 0755));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, sub, variant->fstype, MS_NODEV, NULL));
	EXPECT_EQ(0, mknod(path_join(node, sub, "null"), S_IFCHR | 0666, makedev(1, 3)));
	EXPECT_EQ(0, stat(node, &st));
	EXPECT_EQ(makedev(1, 3), st.st_rdev);
	EXPECT_EQ(-1, open(node, O_RDWR));
	EXPECT_EQ(EACCES, errno);
	ASSERT_EQ(0, umount(sub));
}

/* ---- rename ------------------------------------------------------------ */

TEST_F(fs, rename_plain)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct stat st;
	ino_t ino;

	ASSERT_EQ(0, write_file(path_join(a, self->dir, "a"), "data", 4));
	ino = ino_of(a);
	EXPECT_EQ(0, rename(a, path_join(b, self->dir, "b")));
	EXPECT_EQ(-1, lstat(a, &st));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, lstat(b, &st));
	EXPECT_EQ(ino, st.st_ino);
	EXPECT_EQ(1, st.st_nlink);
	EXPECT_TRUE(file_is(b, "data", 4));
	EXPECT_EQ(3, count_entries(self->dir));
	/* Renaming to the same name is a no-op. */
	EXPECT_EQ(0, rename(b, b));
	EXPECT_EQ(ino, ino_of(b));
}

TEST_F(fs, rename_across_dirs)
{
	char d1[PATH_MAX], d2[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	ino_t ino;

	ASSERT_EQ(0, mkdir(path_join(d1, self->dir, "d1"), 0755));
	ASSERT_EQ(0, mkdir(path_join(d2, self->dir, "d2"), 0755));
	ASSERT_EQ(0, write_file(path_join(from, d1, "f"), "moved", 5));
	ino = ino_of(from);
	EXPECT_EQ(0, rename(from, path_join(to, d2, "g")));
	EXPECT_EQ(ino, ino_of(to));
	EXPECT_TRUE(file_is(to, "moved", 5));
	EXPECT_EQ(2, count_entries(d1));
	EXPECT_EQ(3, count_entries(d2));
	/* Moving a file changes no directory's link count. */
	EXPECT_EQ(2, nlink_of(d1));
	EXPECT_EQ(2, nlink_of(d2));
	EXPECT_EQ(4, nlink_of(self->dir));
}

TEST_F(fs, rename_dir_across)
{
	char d1[PATH_MAX], d2[PATH_MAX], from[PATH_MAX], to[PATH_MAX], path[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(d1, self->dir, "d1"), 0755));
	ASSERT_EQ(0, mkdir(path_join(d2, self->dir, "d2"), 0755));
	ASSERT_EQ(0, mkdir(path_join(from, d1, "sub"), 0755));
	ASSERT_EQ(0, create_file(path_join(path, from, "inner"), 0644));
	EXPECT_EQ(3, nlink_of(d1));
	EXPECT_EQ(0, rename(from, path_join(to, d2, "sub")));
	/* The ".." link moves from the old parent to the new one. */
	EXPECT_EQ(2, nlink_of(d1));
	EXPECT_EQ(3, nlink_of(d2));
	EXPECT_EQ(2, nlink_of(to));
	EXPECT_EQ(4, nlink_of(self->dir));
	ASSERT_EQ(0, stat(path_join(path, to, ".."), &st));
	EXPECT_EQ(ino_of(d2), st.st_ino);
	EXPECT_EQ(0, stat(path_join(path, to, "inner"), &st));
}

TEST_F(fs, rename_overwrite_file)
{
	char a[PATH_MAX], b[PATH_MAX], buf[8] = {};
	struct stat st;
	ino_t ino;
	int fd;

	ASSERT_EQ(0, write_file(path_join(a, self->dir, "a"), "new", 3));
	ASSERT_EQ(0, write_file(path_join(b, self->dir, "b"), "old", 3));
	ino = ino_of(a);
	fd = open(b, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, rename(a, b));
	EXPECT_EQ(ino, ino_of(b));
	EXPECT_TRUE(file_is(b, "new", 3));
	EXPECT_EQ(3, count_entries(self->dir));
	/* The replaced inode lives on, unlinked, while open. */
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_nlink);
	EXPECT_EQ(3, pread(fd, buf, sizeof(buf), 0));
	EXPECT_STREQ("old", buf);
	close(fd);
}

TEST_F(fs, rename_overwrite_empty_dir)
{
	char d1[PATH_MAX], d2[PATH_MAX], path[PATH_MAX];
	struct stat st;
	ino_t ino;
	int fd;

	ASSERT_EQ(0, mkdir(path_join(d1, self->dir, "d1"), 0755));
	ASSERT_EQ(0, mkdir(path_join(d2, self->dir, "d2"), 0755));
	ASSERT_EQ(0, create_file(path_join(path, d1, "f"), 0644));
	ino = ino_of(d1);
	EXPECT_EQ(4, nlink_of(self->dir));
	fd = open(d2, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, rename(d1, d2));
	EXPECT_EQ(ino, ino_of(d2));
	EXPECT_EQ(0, stat(path_join(path, d2, "f"), &st));
	EXPECT_EQ(3, nlink_of(self->dir));
	EXPECT_EQ(3, count_entries(self->dir));
	/* The replaced directory lost both its links and takes no new entries. */
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_nlink);
	EXPECT_EQ(-1, openat(fd, "new", O_CREAT | O_RDWR, 0644));
	EXPECT_EQ(ENOENT, errno);
	close(fd);
}

TEST_F(fs, rename_enotempty)
{
	char d1[PATH_MAX], d2[PATH_MAX], path[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(d1, self->dir, "d1"), 0755));
	ASSERT_EQ(0, mkdir(path_join(d2, self->dir, "d2"), 0755));
	ASSERT_EQ(0, create_file(path_join(path, d2, "f"), 0644));
	EXPECT_EQ(-1, rename(d1, d2));
	EXPECT_EQ(ENOTEMPTY, errno);
	EXPECT_EQ(0, stat(d1, &st));
	EXPECT_EQ(0, stat(path, &st));
	EXPECT_EQ(4, nlink_of(self->dir));
	/* A non-empty directory that is only a subdirectory counts too. */
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, mkdir(path, 0755));
	EXPECT_EQ(-1, rename(d1, d2));
	EXPECT_EQ(ENOTEMPTY, errno);
}

TEST_F(fs, rename_dir_over_file)
{
	char dir[PATH_MAX], file[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "f", 1));
	EXPECT_EQ(-1, rename(dir, file));
	EXPECT_EQ(ENOTDIR, errno);
	ASSERT_EQ(0, lstat(dir, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_TRUE(file_is(file, "f", 1));
	EXPECT_EQ(3, nlink_of(self->dir));
}

TEST_F(fs, rename_file_over_dir)
{
	char dir[PATH_MAX], file[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "f", 1));
	EXPECT_EQ(-1, rename(file, dir));
	EXPECT_EQ(EISDIR, errno);
	ASSERT_EQ(0, lstat(dir, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_TRUE(file_is(file, "f", 1));
	EXPECT_EQ(3, nlink_of(self->dir));
}

TEST_F(fs, rename_noreplace)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], dir[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, write_file(path_join(a, self->dir, "a"), "A", 1));
	ASSERT_EQ(0, write_file(path_join(b, self->dir, "b"), "B", 1));
	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	EXPECT_EQ(-1, sys_renameat2(a, b, RENAME_NOREPLACE));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, sys_renameat2(a, dir, RENAME_NOREPLACE));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_TRUE(file_is(a, "A", 1));
	EXPECT_TRUE(file_is(b, "B", 1));
	EXPECT_EQ(0, sys_renameat2(a, path_join(c, self->dir, "c"), RENAME_NOREPLACE));
	EXPECT_EQ(-1, lstat(a, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_TRUE(file_is(c, "A", 1));
}

TEST_F(fs, rename_exchange_files)
{
	char a[PATH_MAX], b[PATH_MAX];
	ino_t ino_a, ino_b;

	ASSERT_EQ(0, write_file(path_join(a, self->dir, "a"), "AAAA", 4));
	ASSERT_EQ(0, write_file(path_join(b, self->dir, "b"), "BB", 2));
	ino_a = ino_of(a);
	ino_b = ino_of(b);
	EXPECT_EQ(0, sys_renameat2(a, b, RENAME_EXCHANGE));
	EXPECT_EQ(ino_b, ino_of(a));
	EXPECT_EQ(ino_a, ino_of(b));
	EXPECT_TRUE(file_is(a, "BB", 2));
	EXPECT_TRUE(file_is(b, "AAAA", 4));
	EXPECT_EQ(1, nlink_of(a));
	EXPECT_EQ(1, nlink_of(b));
	EXPECT_EQ(4, count_entries(self->dir));
	/* Exchanging a name with itself changes nothing. */
	EXPECT_EQ(0, sys_renameat2(a, a, RENAME_EXCHANGE));
	EXPECT_EQ(ino_b, ino_of(a));
}

TEST_F(fs, rename_exchange_dirs)
{
	char d1[PATH_MAX], d2[PATH_MAX], x[PATH_MAX], y[PATH_MAX], path[PATH_MAX];
	ino_t ino_x, ino_y;
	struct stat st;

	/* d1/x and d2/y are directories; d2 has one more subdirectory. */
	ASSERT_EQ(0, mkdir(path_join(d1, self->dir, "d1"), 0755));
	ASSERT_EQ(0, mkdir(path_join(d2, self->dir, "d2"), 0755));
	ASSERT_EQ(0, mkdir(path_join(x, d1, "x"), 0755));
	ASSERT_EQ(0, mkdir(path_join(y, d2, "y"), 0755));
	ASSERT_EQ(0, mkdir(path_join(path, d2, "z"), 0755));
	ASSERT_EQ(0, create_file(path_join(path, x, "in_x"), 0644));
	ino_x = ino_of(x);
	ino_y = ino_of(y);
	EXPECT_EQ(0, sys_renameat2(x, y, RENAME_EXCHANGE));
	EXPECT_EQ(ino_y, ino_of(x));
	EXPECT_EQ(ino_x, ino_of(y));
	EXPECT_EQ(0, stat(path_join(path, y, "in_x"), &st));
	/* Each directory's ".." now names its new parent. */
	ASSERT_EQ(0, stat(path_join(path, x, ".."), &st));
	EXPECT_EQ(ino_of(d1), st.st_ino);
	ASSERT_EQ(0, stat(path_join(path, y, ".."), &st));
	EXPECT_EQ(ino_of(d2), st.st_ino);
	/* A directory for a directory: no link count changes. */
	EXPECT_EQ(3, nlink_of(d1));
	EXPECT_EQ(4, nlink_of(d2));
	EXPECT_EQ(4, nlink_of(self->dir));
}

TEST_F(fs, rename_exchange_file_dir)
{
	char d1[PATH_MAX], d2[PATH_MAX], f[PATH_MAX], sub[PATH_MAX], path[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(d1, self->dir, "d1"), 0755));
	ASSERT_EQ(0, mkdir(path_join(d2, self->dir, "d2"), 0755));
	ASSERT_EQ(0, write_file(path_join(f, d1, "f"), "file", 4));
	ASSERT_EQ(0, mkdir(path_join(sub, d2, "sub"), 0755));
	ASSERT_EQ(0, create_file(path_join(path, sub, "inner"), 0644));
	EXPECT_EQ(2, nlink_of(d1));
	EXPECT_EQ(3, nlink_of(d2));
	EXPECT_EQ(0, sys_renameat2(f, sub, RENAME_EXCHANGE));
	/* d1/f is the directory now, d2/sub the file: ".." moved to d1. */
	ASSERT_EQ(0, lstat(f, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0, stat(path_join(path, f, "inner"), &st));
	ASSERT_EQ(0, stat(path_join(path, f, ".."), &st));
	EXPECT_EQ(ino_of(d1), st.st_ino);
	EXPECT_TRUE(file_is(sub, "file", 4));
	EXPECT_EQ(3, nlink_of(d1));
	EXPECT_EQ(2, nlink_of(d2));
	EXPECT_EQ(2, nlink_of(f));
	EXPECT_EQ(1, nlink_of(sub));
	EXPECT_EQ(4, nlink_of(self->dir));
}

TEST_F(fs, rename_exchange_enoent)
{
	char a[PATH_MAX], missing[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, write_file(path_join(a, self->dir, "a"), "a", 1));
	path_join(missing, self->dir, "missing");
	EXPECT_EQ(-1, sys_renameat2(a, missing, RENAME_EXCHANGE));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, sys_renameat2(missing, a, RENAME_EXCHANGE));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_TRUE(file_is(a, "a", 1));
	EXPECT_EQ(-1, lstat(missing, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(fs, rename_whiteout)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, write_file(path_join(a, self->dir, "a"), "A", 1));
	ASSERT_EQ(0, write_file(path_join(b, self->dir, "b"), "B", 1));
	path_join(c, self->dir, "c");
	if (!strcmp(variant->fstype, "ramfs")) {
		/* ramfs (simple_rename()) does not do whiteouts. */
		EXPECT_EQ(-1, sys_renameat2(a, c, RENAME_WHITEOUT));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, sys_renameat2(a, b, RENAME_WHITEOUT));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, sys_renameat2(a, c, RENAME_WHITEOUT | RENAME_NOREPLACE));
		EXPECT_EQ(EINVAL, errno);
	} else {
		/*
		 * rust_ramfs does them as tmpfs does, for overlayfs: a 0:0
		 * character device takes the old name, also when the target
		 * is replaced; then put everything back as it was.
		 */
		EXPECT_EQ(0, sys_renameat2(a, c, RENAME_WHITEOUT));
		ASSERT_EQ(0, lstat(a, &st));
		EXPECT_EQ(S_IFCHR, st.st_mode);
		EXPECT_EQ(0, st.st_rdev);
		EXPECT_TRUE(file_is(c, "A", 1));
		EXPECT_EQ(-1, sys_renameat2(c, b, RENAME_WHITEOUT | RENAME_NOREPLACE));
		EXPECT_EQ(EEXIST, errno);
		EXPECT_EQ(0, sys_renameat2(b, a, RENAME_WHITEOUT));
		EXPECT_TRUE(file_is(a, "B", 1));
		ASSERT_EQ(0, lstat(b, &st));
		EXPECT_EQ(S_IFCHR, st.st_mode);
		EXPECT_EQ(0, rename(a, b));
		EXPECT_EQ(0, rename(c, a));
	}
	/* Invalid flag combinations are not accepted. */
	EXPECT_EQ(-1, sys_renameat2(a, b, RENAME_EXCHANGE | RENAME_NOREPLACE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sys_renameat2(a, b, RENAME_EXCHANGE | RENAME_WHITEOUT));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sys_renameat2(a, c, 1 << 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(file_is(a, "A", 1));
	EXPECT_TRUE(file_is(b, "B", 1));
	EXPECT_EQ(-1, lstat(c, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(4, count_entries(self->dir));
}

TEST_F(fs, rename_into_subdir)
{
	char d[PATH_MAX], sub[PATH_MAX], path[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(d, self->dir, "d"), 0755));
	ASSERT_EQ(0, mkdir(path_join(sub, d, "sub"), 0755));
	EXPECT_EQ(-1, rename(d, path_join(path, sub, "x")));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, rename(d, path_join(path, d, "x")));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sys_renameat2(d, sub, RENAME_EXCHANGE));
	EXPECT_EQ(EINVAL, errno);
	/* Nor can a directory replace its own ancestor. */
	EXPECT_EQ(-1, rename(sub, d));
	EXPECT_EQ(ENOTEMPTY, errno);
	EXPECT_EQ(0, stat(sub, &st));
	EXPECT_EQ(3, nlink_of(d));
}

TEST_F(fs, rename_same_inode)
{
	char a[PATH_MAX], b[PATH_MAX];

	ASSERT_EQ(0, write_file(path_join(a, self->dir, "a"), "x", 1));
	ASSERT_EQ(0, link(a, path_join(b, self->dir, "b")));
	/* Two links to one inode: rename() succeeds and does nothing. */
	EXPECT_EQ(0, rename(a, b));
	EXPECT_EQ(2, nlink_of(a));
	EXPECT_EQ(2, nlink_of(b));
	EXPECT_EQ(4, count_entries(self->dir));
}

TEST_F(fs, rename_times)
{
	char d1[PATH_MAX], d2[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	struct stat f0, t0, d10, d20, st;
	int fd;

	ASSERT_EQ(0, mkdir(path_join(d1, self->dir, "d1"), 0755));
	ASSERT_EQ(0, mkdir(path_join(d2, self->dir, "d2"), 0755));
	ASSERT_EQ(0, write_file(path_join(from, d1, "f"), "f", 1));
	ASSERT_EQ(0, write_file(path_join(to, d2, "t"), "t", 1));
	ASSERT_EQ(0, set_old_times(d1));
	ASSERT_EQ(0, set_old_times(d2));
	ASSERT_EQ(0, set_old_times(from));
	ASSERT_EQ(0, set_old_times(to));
	ASSERT_EQ(0, stat(from, &f0));
	ASSERT_EQ(0, stat(to, &t0));
	ASSERT_EQ(0, stat(d1, &d10));
	ASSERT_EQ(0, stat(d2, &d20));
	fd = open(to, O_RDONLY);
	ASSERT_LE(0, fd);
	usleep(TIME_TICK_US);
	ASSERT_EQ(0, rename(from, to));

	/* The moved inode: new ctime, same mtime. */
	ASSERT_EQ(0, stat(to, &st));
	EXPECT_TRUE(ts_after(&st.st_ctim, &f0.st_ctim));
	EXPECT_EQ(OLD_TIME, st.st_mtime);
	/* The replaced inode: new ctime. */
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_TRUE(ts_after(&st.st_ctim, &t0.st_ctim));
	EXPECT_EQ(OLD_TIME, st.st_mtime);
	close(fd);
	/* Both parents: new mtime and ctime, from one clock reading each. */
	ASSERT_EQ(0, stat(d1, &st));
	EXPECT_TRUE(ts_after(&st.st_ctim, &d10.st_ctim));
	EXPECT_EQ(st.st_ctim.tv_sec, st.st_mtim.tv_sec);
	EXPECT_EQ(st.st_ctim.tv_nsec, st.st_mtim.tv_nsec);
	ASSERT_EQ(0, stat(d2, &st));
	EXPECT_TRUE(ts_after(&st.st_ctim, &d20.st_ctim));
	EXPECT_EQ(st.st_ctim.tv_sec, st.st_mtim.tv_sec);
	EXPECT_EQ(st.st_ctim.tv_nsec, st.st_mtim.tv_nsec);
}

TEST_F(fs, rename_enoent)
{
	char a[PATH_MAX], path[PATH_MAX], sub[PATH_MAX];

	ASSERT_EQ(0, write_file(path_join(a, self->dir, "a"), "a", 1));
	path_join(sub, self->dir, "b");
	EXPECT_EQ(-1, rename(path_join(path, self->dir, "missing"), sub));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, rename(a, path_join(path, self->dir, "missing/b")));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, rename(a, path_join(path, a, "b")));
	EXPECT_EQ(ENOTDIR, errno);
	/* Renames stay within one instance. */
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, NULL, sub));
	EXPECT_EQ(-1, rename(a, path_join(path, sub, "a")));
	EXPECT_EQ(EXDEV, errno);
	ASSERT_EQ(0, umount(sub));
	EXPECT_TRUE(file_is(a, "a", 1));
}

TEST_F(fs, rename_symlink)
{
	char link[PATH_MAX], moved[PATH_MAX], buf[16] = {};
	ino_t ino;

	ASSERT_EQ(0, symlink("target", path_join(link, self->dir, "link")));
	ino = ino_of(link);
	EXPECT_EQ(0, rename(link, path_join(moved, self->dir, "moved")));
	EXPECT_EQ(ino, ino_of(moved));
	EXPECT_EQ(6, readlink(moved, buf, sizeof(buf)));
	EXPECT_STREQ("target", buf);
}

/* ---- O_TMPFILE --------------------------------------------------------- */

TEST_F(fs, tmpfile_basic)
{
	char buf[16] = {};
	struct stat st;
	int fd;

	umask(022);
	fd = open(self->dir, O_TMPFILE | O_RDWR, 0666);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(S_IFREG | 0644, st.st_mode);
	EXPECT_EQ(0, st.st_nlink);
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(getuid(), st.st_uid);
	EXPECT_EQ(getgid(), st.st_gid);
	EXPECT_EQ(7, write(fd, "tmpdata", 7));
	EXPECT_EQ(7, pread(fd, buf, sizeof(buf), 0));
	EXPECT_STREQ("tmpdata", buf);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(7, st.st_size);
	EXPECT_EQ(self->page_size / 512, st.st_blocks);
	close(fd);
	/* A write-only one is fine too. */
	fd = open(self->dir, O_TMPFILE | O_WRONLY, 0600);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_F(fs, tmpfile_invisible)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, set_old_times(self->dir));
	fd = open(self->dir, O_TMPFILE | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(2, count_entries(self->dir));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(2, st.st_nlink);
	/* ramfs does not touch the directory for an unnamed file. */
	EXPECT_EQ(OLD_TIME, st.st_mtime);
	close(fd);
	EXPECT_EQ(2, count_entries(self->dir));
}

TEST_F(fs, tmpfile_linkat)
{
	char name[PATH_MAX], name2[PATH_MAX];
	struct stat st, fst;
	int fd;

	fd = open(self->dir, O_TMPFILE | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(6, write(fd, "linked", 6));
	ASSERT_EQ(0, linkat(fd, "", AT_FDCWD, path_join(name, self->dir, "name"), AT_EMPTY_PATH));
	ASSERT_EQ(0, stat(name, &st));
	ASSERT_EQ(0, fstat(fd, &fst));
	EXPECT_EQ(fst.st_ino, st.st_ino);
	EXPECT_EQ(1, st.st_nlink);
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	EXPECT_EQ(6, st.st_size);
	EXPECT_TRUE(file_is(name, "linked", 6));
	/* Once named, it can get more names. */
	EXPECT_EQ(0, linkat(fd, "", AT_FDCWD, path_join(name2, self->dir, "name2"), AT_EMPTY_PATH));
	EXPECT_EQ(2, nlink_of(name));
	EXPECT_EQ(4, count_entries(self->dir));
	close(fd);
}

TEST_F(fs, tmpfile_linkat_proc)
{
	char name[PATH_MAX], name2[PATH_MAX], proc[64];
	struct stat st;
	int fd;

	fd = open(self->dir, O_TMPFILE | O_RDWR, 0640);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "proc", 4));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	/* Without AT_SYMLINK_FOLLOW this would link the /proc symlink itself. */
	EXPECT_EQ(-1, linkat(AT_FDCWD, proc, AT_FDCWD, path_join(name2, self->dir, "name2"), 0));
	EXPECT_EQ(EXDEV, errno);
	ASSERT_EQ(0, linkat(AT_FDCWD, proc, AT_FDCWD, path_join(name, self->dir, "name"),
			    AT_SYMLINK_FOLLOW));
	ASSERT_EQ(0, stat(name, &st));
	EXPECT_EQ(1, st.st_nlink);
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	EXPECT_TRUE(file_is(name, "proc", 4));
	close(fd);
}

TEST_F(fs, tmpfile_excl)
{
	char name[PATH_MAX], proc[64];
	struct stat st;
	int fd;

	fd = open(self->dir, O_TMPFILE | O_EXCL | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(4, write(fd, "excl", 4));
	EXPECT_EQ(-1, linkat(fd, "", AT_FDCWD, path_join(name, self->dir, "name"), AT_EMPTY_PATH));
	EXPECT_EQ(ENOENT, errno);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	EXPECT_EQ(-1, linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, lstat(name, &st));
	EXPECT_EQ(ENOENT, errno);
	close(fd);
}

TEST_F(fs, tmpfile_enotdir)
{
	char file[PATH_MAX], path[PATH_MAX];

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	EXPECT_EQ(-1, open(file, O_TMPFILE | O_RDWR, 0600));
	EXPECT_EQ(ENOTDIR, errno);
	EXPECT_EQ(-1, open(path_join(path, self->dir, "missing"), O_TMPFILE | O_RDWR, 0600));
	EXPECT_EQ(ENOENT, errno);
	/* An unnamed file that nobody can write makes no sense. */
	EXPECT_EQ(-1, open(self->dir, O_TMPFILE | O_RDONLY, 0600));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(3, count_entries(self->dir));
}

TEST_F(fs, tmpfile_relink)
{
	char name[PATH_MAX];
	struct stat st;
	int fd;

	fd = open(self->dir, O_TMPFILE | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, linkat(fd, "", AT_FDCWD, path_join(name, self->dir, "name"), AT_EMPTY_PATH));
	ASSERT_EQ(0, unlink(name));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_nlink);
	/* Having been linked once, it is an ordinary unlinked file now. */
	EXPECT_EQ(-1, linkat(fd, "", AT_FDCWD, name, AT_EMPTY_PATH));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(2, count_entries(self->dir));
	close(fd);
}

/* ---- setattr and getattr ----------------------------------------------- */

TEST_F(fs, attr_chmod)
{
	char file[PATH_MAX], dir[PATH_MAX];
	struct stat before, st;
	int fd;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	ASSERT_EQ(0, set_old_times(file));
	ASSERT_EQ(0, stat(file, &before));
	usleep(TIME_TICK_US);
	EXPECT_EQ(0, chmod(file, 07777));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(S_IFREG | 07777, st.st_mode);
	EXPECT_TRUE(ts_after(&st.st_ctim, &before.st_ctim));
	EXPECT_EQ(OLD_TIME, st.st_mtime);
	/* Bits above the permission bits are ignored. */
	EXPECT_EQ(0, chmod(file, 017000));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(S_IFREG | 07000, st.st_mode);
	EXPECT_EQ(0, chmod(file, 0));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(S_IFREG, st.st_mode);
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fchmod(fd, 04751));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(S_IFREG | 04751, st.st_mode);
	close(fd);

	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	EXPECT_EQ(0, chmod(dir, 01777));
	ASSERT_EQ(0, stat(dir, &st));
	EXPECT_EQ(S_IFDIR | 01777, st.st_mode);
	EXPECT_EQ(0, chmod(self->dir, 0700));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(S_IFDIR | 0700, st.st_mode);
}

TEST_F(fs, attr_chown_root)
{
	char file[PATH_MAX];
	struct stat before, st;
	int fd;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	ASSERT_EQ(0, stat(file, &before));
	usleep(TIME_TICK_US);
	EXPECT_EQ(0, chown(file, USER_ID, GROUP_ID));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(USER_ID, st.st_uid);
	EXPECT_EQ(GROUP_ID, st.st_gid);
	EXPECT_EQ(S_IFREG | 0644, st.st_mode);
	EXPECT_TRUE(ts_after(&st.st_ctim, &before.st_ctim));
	/* -1 leaves an id alone. */
	EXPECT_EQ(0, chown(file, -1, -1));
	EXPECT_EQ(0, chown(file, -1, 0));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(USER_ID, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fchown(fd, 0, GROUP_ID));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(GROUP_ID, st.st_gid);
	close(fd);
}

TEST_F(fs, attr_chown_kills_suid)
{
	char a[PATH_MAX], b[PATH_MAX], dir[PATH_MAX];
	struct stat st;

	/* Even root's chown() clears set-id bits of files ... */
	ASSERT_EQ(0, create_file(path_join(a, self->dir, "a"), 0644));
	ASSERT_EQ(0, chmod(a, 06755));
	EXPECT_EQ(0, chown(a, USER_ID, -1));
	ASSERT_EQ(0, stat(a, &st));
	EXPECT_EQ(S_IFREG | 0755, st.st_mode);
	/* ... except set-gid without group execute, ... */
	ASSERT_EQ(0, create_file(path_join(b, self->dir, "b"), 0644));
	ASSERT_EQ(0, chmod(b, 02644));
	EXPECT_EQ(0, chown(b, -1, GROUP_ID));
	ASSERT_EQ(0, stat(b, &st));
	EXPECT_EQ(S_IFREG | 02644, st.st_mode);
	/* ... and of directories. */
	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	ASSERT_EQ(0, chmod(dir, 06755));
	EXPECT_EQ(0, chown(dir, USER_ID, GROUP_ID));
	ASSERT_EQ(0, stat(dir, &st));
	EXPECT_EQ(S_IFDIR | 06755, st.st_mode);
}

/* Child: USER_ID changes owner, group and mode of its own and root's files. */
static void chown_owner_child(const char *fstype, const char *dir, struct res *r)
{
	char own[PATH_MAX], root[PATH_MAX];
	struct stat st;

	path_join(own, dir, "own");
	path_join(root, dir, "root");
	if (become(USER_ID, USER_ID))
		_exit(1);
	record(&r[0], chown(own, USER_ID + 1, -1));
	record(&r[1], chown(own, -1, GROUP_ID));
	record(&r[2], chown(own, USER_ID, USER_ID));
	record(&r[3], stat(own, &st));
	r[4].ret = st.st_mode;
	record(&r[5], chmod(own, 0600));
	record(&r[6], chmod(root, 0600));
	record(&r[7], chown(root, -1, USER_ID));
}

TEST_F(fs, attr_chown_owner)
{
	char own[PATH_MAX], root[PATH_MAX];
	struct res r[MAX_RES];
	struct stat st;

	ASSERT_EQ(0, create_file(path_join(own, self->dir, "own"), 0644));
	ASSERT_EQ(0, chown(own, USER_ID, 0));
	ASSERT_EQ(0, chmod(own, 06755));
	ASSERT_EQ(0, create_file(path_join(root, self->dir, "root"), 0666));
	ASSERT_EQ(0, run_child(chown_owner_child, variant->fstype, self->dir, r));
	/* An owner cannot give a file away, nor pick a group it is not in, ... */
	EXPECT_EQ(-1, r[0].ret);
	EXPECT_EQ(EPERM, r[0].err);
	EXPECT_EQ(-1, r[1].ret);
	EXPECT_EQ(EPERM, r[1].err);
	/* ... but can pick its own group, which drops the set-id bits, ... */
	EXPECT_EQ(0, r[2].ret);
	EXPECT_EQ(0, r[3].ret);
	EXPECT_EQ(S_IFREG | 0755, r[4].ret);
	/* ... and change the mode; none of that on someone else's file. */
	EXPECT_EQ(0, r[5].ret);
	EXPECT_EQ(-1, r[6].ret);
	EXPECT_EQ(EPERM, r[6].err);
	EXPECT_EQ(-1, r[7].ret);
	EXPECT_EQ(EPERM, r[7].err);
	ASSERT_EQ(0, stat(own, &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	EXPECT_EQ(USER_ID, st.st_uid);
	EXPECT_EQ(USER_ID, st.st_gid);
	ASSERT_EQ(0, stat(root, &st));
	EXPECT_EQ(S_IFREG | 0666, st.st_mode);
	EXPECT_EQ(0, st.st_gid);
}

/* Child: USER_ID writes to file "a" and truncates file "b" below @dir. */
static void write_suid_child(const char *fstype, const char *dir, struct res *r)
{
	char a[PATH_MAX], b[PATH_MAX];
	int fd;

	path_join(a, dir, "a");
	path_join(b, dir, "b");
	if (become(USER_ID, USER_ID))
		_exit(1);
	fd = open(a, O_WRONLY);
	record(&r[0], fd);
	record(&r[1], write(fd, "x", 1));
	close(fd);
	record(&r[2], truncate(b, 10));
}

TEST_F(fs, attr_write_kills_suid)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct res r[MAX_RES];
	struct stat st;
	int fd;

	ASSERT_EQ(0, create_file(path_join(a, self->dir, "a"), 0644));
	ASSERT_EQ(0, chmod(a, 06777));
	ASSERT_EQ(0, create_file(path_join(b, self->dir, "b"), 0644));
	ASSERT_EQ(0, chmod(b, 06777));
	/* Root (CAP_FSETID) writes without losing the bits. */
	fd = open(a, O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, write(fd, "r", 1));
	close(fd);
	ASSERT_EQ(0, stat(a, &st));
	EXPECT_EQ(S_IFREG | 06777, st.st_mode);

	ASSERT_EQ(0, run_child(write_suid_child, variant->fstype, self->dir, r));
	EXPECT_LE(0, r[0].ret);
	EXPECT_EQ(1, r[1].ret);
	EXPECT_EQ(0, r[2].ret);
	ASSERT_EQ(0, stat(a, &st));
	EXPECT_EQ(S_IFREG | 0777, st.st_mode);
	ASSERT_EQ(0, stat(b, &st));
	EXPECT_EQ(S_IFREG | 0777, st.st_mode);
	EXPECT_EQ(10, st.st_size);
}

/* Child: USER_ID sets set-id bits on its file "f" of group GROUP_ID. */
static void chmod_sgid_child(const char *fstype, const char *dir, struct res *r)
{
	char file[PATH_MAX];
	struct stat st;

	path_join(file, dir, "f");
	if (become(USER_ID, USER_ID))
		_exit(1);
	record(&r[0], chmod(file, 02755));
	record(&r[1], stat(file, &st));
	r[2].ret = st.st_mode;
	record(&r[3], chmod(file, 04755));
	record(&r[4], stat(file, &st));
	r[5].ret = st.st_mode;
}

TEST_F(fs, attr_chmod_sgid_nonmember)
{
	char file[PATH_MAX];
	struct res r[MAX_RES];

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "f"), 0644));
	ASSERT_EQ(0, chown(file, USER_ID, GROUP_ID));
	ASSERT_EQ(0, run_child(chmod_sgid_child, variant->fstype, self->dir, r));
	/* Not in the file's group: S_ISGID is silently dropped, S_ISUID kept. */
	EXPECT_EQ(0, r[0].ret);
	EXPECT_EQ(S_IFREG | 0755, r[2].ret);
	EXPECT_EQ(0, r[3].ret);
	EXPECT_EQ(S_IFREG | 04755, r[5].ret);
}

/* Child: USER_ID changes times and sizes of root's files "rw" and "ro". */
static void nonowner_child(const char *fstype, const char *dir, struct res *r)
{
	struct timespec now[2] = { { .tv_nsec = UTIME_NOW }, { .tv_nsec = UTIME_NOW } };
	struct timespec old[2] = { { .tv_sec = OLD_TIME }, { .tv_sec = OLD_TIME } };
	char rw[PATH_MAX], ro[PATH_MAX];

	path_join(rw, dir, "rw");
	path_join(ro, dir, "ro");
	if (become(USER_ID, USER_ID))
		_exit(1);
	record(&r[0], chmod(rw, 0777));
	record(&r[1], utimensat(AT_FDCWD, rw, old, 0));
	record(&r[2], utimensat(AT_FDCWD, rw, NULL, 0));
	record(&r[3], utimensat(AT_FDCWD, rw, now, 0));
	record(&r[4], utimensat(AT_FDCWD, ro, NULL, 0));
	record(&r[5], truncate(rw, 1));
	record(&r[6], truncate(ro, 1));
}

TEST_F(fs, attr_nonowner)
{
	char rw[PATH_MAX], ro[PATH_MAX];
	struct res r[MAX_RES];
	struct stat st;

	ASSERT_EQ(0, write_file(path_join(rw, self->dir, "rw"), "abc", 3));
	ASSERT_EQ(0, chmod(rw, 0666));
	ASSERT_EQ(0, write_file(path_join(ro, self->dir, "ro"), "abc", 3));
	ASSERT_EQ(0, set_old_times(ro));
	ASSERT_EQ(0, run_child(nonowner_child, variant->fstype, self->dir, r));
	EXPECT_EQ(-1, r[0].ret);
	EXPECT_EQ(EPERM, r[0].err);
	/* Explicit times need ownership, "now" only write permission. */
	EXPECT_EQ(-1, r[1].ret);
	EXPECT_EQ(EPERM, r[1].err);
	EXPECT_EQ(0, r[2].ret);
	EXPECT_EQ(0, r[3].ret);
	EXPECT_EQ(-1, r[4].ret);
	EXPECT_EQ(EACCES, r[4].err);
	EXPECT_EQ(0, r[5].ret);
	EXPECT_EQ(-1, r[6].ret);
	EXPECT_EQ(EACCES, r[6].err);
	ASSERT_EQ(0, stat(rw, &st));
	EXPECT_EQ(S_IFREG | 0666, st.st_mode);
	EXPECT_EQ(1, st.st_size);
	ASSERT_EQ(0, stat(ro, &st));
	EXPECT_EQ(3, st.st_size);
	EXPECT_EQ(OLD_TIME, st.st_mtime);
}

TEST_F(fs, attr_utimensat_ns)
{
	static const struct timespec cases[][2] = {
		{ { OLD_TIME, 123456789 }, { OLD_TIME + 1, 987654321 } },
		{ { 0, 1 }, { 0, 999999999 } },
		{ { -1, 500 }, { -1000000000, 0 } },
		{ { 1LL << 40, 42 }, { (1LL << 40) + 1, 7 } },
	};
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	char file[PATH_MAX];
	struct stat st;
	int i;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	/* s_time_gran is 1: every nanosecond is kept, over a wide range. */
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, utimensat(AT_FDCWD, file, cases[i], 0));
		ASSERT_EQ(0, stat(file, &st));
		EXPECT_EQ(cases[i][0].tv_sec, st.st_atim.tv_sec);
		EXPECT_EQ(cases[i][0].tv_nsec, st.st_atim.tv_nsec);
		EXPECT_EQ(cases[i][1].tv_sec, st.st_mtim.tv_sec);
		EXPECT_EQ(cases[i][1].tv_nsec, st.st_mtim.tv_nsec);
		/* ctime is "now". */
		EXPECT_LT(OLD_TIME, st.st_ctime);
	}
	EXPECT_EQ(-1, utimensat(AT_FDCWD, file, bad, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(fs, attr_utime_omit_now)
{
	struct timespec ts[2] = { { OLD_TIME, 5 }, { OLD_TIME, 6 } };
	char file[PATH_MAX];
	struct stat before, st;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	ASSERT_EQ(0, utimensat(AT_FDCWD, file, ts, 0));

	ts[0] = (struct timespec){ .tv_nsec = UTIME_OMIT };
	ts[1] = (struct timespec){ OLD_TIME + 100, 7 };
	EXPECT_EQ(0, utimensat(AT_FDCWD, file, ts, 0));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(OLD_TIME, st.st_atim.tv_sec);
	EXPECT_EQ(5, st.st_atim.tv_nsec);
	EXPECT_EQ(OLD_TIME + 100, st.st_mtim.tv_sec);
	EXPECT_EQ(7, st.st_mtim.tv_nsec);

	ts[0] = (struct timespec){ OLD_TIME + 200, 8 };
	ts[1] = (struct timespec){ .tv_nsec = UTIME_OMIT };
	EXPECT_EQ(0, utimensat(AT_FDCWD, file, ts, 0));
	ASSERT_EQ(0, stat(file, &before));
	EXPECT_EQ(OLD_TIME + 200, before.st_atim.tv_sec);
	EXPECT_EQ(8, before.st_atim.tv_nsec);
	EXPECT_EQ(OLD_TIME + 100, before.st_mtim.tv_sec);

	/* Omitting both changes nothing at all, not even ctime. */
	ts[0].tv_nsec = UTIME_OMIT;
	usleep(TIME_TICK_US);
	EXPECT_EQ(0, utimensat(AT_FDCWD, file, ts, 0));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(before.st_ctim.tv_sec, st.st_ctim.tv_sec);
	EXPECT_EQ(before.st_ctim.tv_nsec, st.st_ctim.tv_nsec);

	/* UTIME_NOW for both: all three times are the same clock reading. */
	ts[0].tv_nsec = UTIME_NOW;
	ts[1].tv_nsec = UTIME_NOW;
	EXPECT_EQ(0, utimensat(AT_FDCWD, file, ts, 0));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_TRUE(ts_after(&st.st_ctim, &before.st_ctim));
	EXPECT_EQ(st.st_ctim.tv_sec, st.st_mtim.tv_sec);
	EXPECT_EQ(st.st_ctim.tv_nsec, st.st_mtim.tv_nsec);
	EXPECT_EQ(st.st_ctim.tv_sec, st.st_atim.tv_sec);
	EXPECT_EQ(st.st_ctim.tv_nsec, st.st_atim.tv_nsec);
}

TEST_F(fs, attr_truncate)
{
	size_t len = 3 * self->page_size;
	unsigned char *wbuf, *rbuf;
	char file[PATH_MAX];
	struct stat st;
	int fd;

	wbuf = malloc(len);
	rbuf = malloc(len);
	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);
	fill_pattern(wbuf, len, 9);
	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), wbuf, len));
	EXPECT_EQ(0, truncate(file, 100));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(100, st.st_size);
	EXPECT_EQ(self->page_size / 512, st.st_blocks);
	/* Growing again: the cut off data is gone, and no page is allocated. */
	EXPECT_EQ(0, truncate(file, 2 * self->page_size));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(2 * self->page_size, st.st_size);
	EXPECT_EQ(self->page_size / 512, st.st_blocks);
	fd = open(file, O_RDWR);
	ASSERT_LE(0, fd);
	memset(rbuf, 0xaa, len);
	EXPECT_EQ(2 * self->page_size, read(fd, rbuf, len));
	EXPECT_EQ(0, memcmp(wbuf, rbuf, 100));
	EXPECT_TRUE(all_zero(rbuf + 100, 2 * self->page_size - 100));
	EXPECT_EQ(0, ftruncate(fd, 0));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(0, st.st_blocks);
	EXPECT_EQ(-1, ftruncate(fd, -1));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	EXPECT_EQ(-1, truncate(file, -1));
	EXPECT_EQ(EINVAL, errno);
	free(wbuf);
	free(rbuf);
}

TEST_F(fs, attr_truncate_times)
{
	char file[PATH_MAX];
	struct stat before, st;
	int fd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "0123456789", 10));
	ASSERT_EQ(0, set_old_times(file));
	ASSERT_EQ(0, stat(file, &before));
	usleep(TIME_TICK_US);
	/* truncate(2) to the same size changes no time. */
	EXPECT_EQ(0, truncate(file, 10));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(OLD_TIME, st.st_mtime);
	EXPECT_EQ(before.st_ctim.tv_sec, st.st_ctim.tv_sec);
	EXPECT_EQ(before.st_ctim.tv_nsec, st.st_ctim.tv_nsec);
	EXPECT_EQ(0, truncate(file, 8));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(8, st.st_size);
	if (!strcmp(variant->fstype, "ramfs")) {
		/*
		 * truncate(2) asks for no time update and ramfs's
		 * simple_setattr() makes none, not even when the size
		 * changes, although POSIX asks for one.
		 */
		EXPECT_EQ(OLD_TIME, st.st_mtime);
		EXPECT_EQ(before.st_ctim.tv_sec, st.st_ctim.tv_sec);
		EXPECT_EQ(before.st_ctim.tv_nsec, st.st_ctim.tv_nsec);
	} else {
		/* rust_ramfs updates both, as tmpfs does. */
		EXPECT_LT(OLD_TIME, st.st_mtime);
		EXPECT_TRUE(ts_after(&st.st_ctim, &before.st_ctim));
		EXPECT_EQ(st.st_ctim.tv_sec, st.st_mtim.tv_sec);
		EXPECT_EQ(st.st_ctim.tv_nsec, st.st_mtim.tv_nsec);
	}
	EXPECT_EQ(OLD_TIME, st.st_atime);

	/* ftruncate(2) updates mtime and ctime, even to the same size. */
	fd = open(file, O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ftruncate(fd, 8));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(8, st.st_size);
	EXPECT_LT(OLD_TIME, st.st_mtime);
	EXPECT_TRUE(ts_after(&st.st_ctim, &before.st_ctim));
	EXPECT_EQ(st.st_ctim.tv_sec, st.st_mtim.tv_sec);
	EXPECT_EQ(st.st_ctim.tv_nsec, st.st_mtim.tv_nsec);
	EXPECT_EQ(OLD_TIME, st.st_atime);
	close(fd);
}

TEST_F(fs, attr_ftruncate_rdonly)
{
	char file[PATH_MAX];
	struct stat st;
	int fd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "data", 4));
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ftruncate(fd, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	fd = open(file, O_PATH);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ftruncate(fd, 0));
	EXPECT_EQ(EBADF, errno);
	close(fd);
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(4, st.st_size);
}

TEST_F(fs, attr_truncate_dir)
{
	char dir[PATH_MAX], fifo[PATH_MAX], file[PATH_MAX], link[PATH_MAX], path[PATH_MAX];
	struct stat st;
	int fd;

	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	EXPECT_EQ(-1, truncate(dir, 0));
	EXPECT_EQ(EISDIR, errno);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ftruncate(fd, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	ASSERT_EQ(0, mkfifo(path_join(fifo, self->dir, "fifo"), 0644));
	EXPECT_EQ(-1, truncate(fifo, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, truncate(path_join(path, self->dir, "missing"), 0));
	EXPECT_EQ(ENOENT, errno);
	/* truncate() follows symlinks. */
	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "data", 4));
	ASSERT_EQ(0, symlink("file", path_join(link, self->dir, "link")));
	EXPECT_EQ(0, truncate(link, 2));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(2, st.st_size);
}

TEST_F(fs, attr_blocks)
{
	long pages = self->page_size / 512;
	char file[PATH_MAX], c;
	struct stat st;
	int fd;

	/* st_blocks counts the pages that hold data, not the size. */
	fd = open(path_join(file, self->dir, "file"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, pwrite(fd, "a", 1, 0));
	EXPECT_EQ(1, pwrite(fd, "b", 1, 5 * self->page_size));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(5 * self->page_size + 1, st.st_size);
	EXPECT_EQ(2 * pages, st.st_blocks);
	EXPECT_EQ(1, pwrite(fd, "c", 1, self->page_size - 1));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(2 * pages, st.st_blocks);
	/* Reading a hole caches a zeroed page, which counts too. */
	EXPECT_EQ(1, pread(fd, &c, 1, 3 * self->page_size));
	EXPECT_EQ(0, c);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(3 * pages, st.st_blocks);
	EXPECT_EQ(0, ftruncate(fd, self->page_size));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(pages, st.st_blocks);
	close(fd);
}

TEST_F(fs, attr_blksize)
{
	char path[PATH_MAX];
	struct stat st;

	/* Every kind of inode reports the page size, and ramfs directories size 0. */
	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "dir"), 0755));
	ASSERT_EQ(0, create_file(path_join(path, self->dir, "dir/a"), 0644));
	ASSERT_EQ(0, create_file(path_join(path, self->dir, "dir/b"), 0644));
	ASSERT_EQ(0, lstat(path_join(path, self->dir, "dir"), &st));
	EXPECT_EQ(self->page_size, st.st_blksize);
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(0, st.st_blocks);
	ASSERT_EQ(0, lstat(path_join(path, self->dir, "dir/a"), &st));
	EXPECT_EQ(self->page_size, st.st_blksize);
	ASSERT_EQ(0, symlink("x", path_join(path, self->dir, "link")));
	ASSERT_EQ(0, lstat(path, &st));
	EXPECT_EQ(self->page_size, st.st_blksize);
	ASSERT_EQ(0, mkfifo(path_join(path, self->dir, "fifo"), 0644));
	ASSERT_EQ(0, lstat(path, &st));
	EXPECT_EQ(self->page_size, st.st_blksize);
	ASSERT_EQ(0, mknod(path_join(path, self->dir, "null"), S_IFCHR | 0666, makedev(1, 3)));
	ASSERT_EQ(0, lstat(path, &st));
	EXPECT_EQ(self->page_size, st.st_blksize);
	ASSERT_EQ(0, lstat(self->dir, &st));
	EXPECT_EQ(0, st.st_size);
}

TEST_F(fs, attr_setgid_dir)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct stat st;
	int fd;

	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	ASSERT_EQ(0, chown(dir, -1, GROUP_ID));
	ASSERT_EQ(0, chmod(dir, 02775));
	/* New inodes take the directory's group; directories also its S_ISGID. */
	ASSERT_EQ(0, mkdir(path_join(path, dir, "sub"), 0755));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(GROUP_ID, st.st_gid);
	EXPECT_EQ(S_IFDIR | 02755, st.st_mode);
	ASSERT_EQ(0, create_file(path_join(path, dir, "file"), 0644));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(GROUP_ID, st.st_gid);
	EXPECT_EQ(S_IFREG | 0644, st.st_mode);
	ASSERT_EQ(0, mkfifo(path_join(path, dir, "fifo"), 0644));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(GROUP_ID, st.st_gid);
	ASSERT_EQ(0, symlink("x", path_join(path, dir, "link")));
	ASSERT_EQ(0, lstat(path, &st));
	EXPECT_EQ(GROUP_ID, st.st_gid);
	EXPECT_EQ(0, st.st_uid);
	fd = open(dir, O_TMPFILE | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(GROUP_ID, st.st_gid);
	close(fd);
	/* Root may create a set-gid file in it. */
	fd = open(path_join(path, dir, "sgid"), O_CREAT | O_WRONLY, 02755);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(S_IFREG | 02755, st.st_mode);
}

/* Child: USER_ID creates set-gid inodes in the set-gid directory @dir. */
static void setgid_strip_child(const char *fstype, const char *dir, struct res *r)
{
	char file[PATH_MAX], sub[PATH_MAX];
	struct stat st;

	path_join(file, dir, "file");
	path_join(sub, dir, "sub");
	if (become(USER_ID, USER_ID))
		_exit(1);
	record(&r[0], create_file(file, 02755));
	record(&r[1], stat(file, &st));
	r[2].ret = st.st_mode;
	r[3].ret = st.st_gid;
	record(&r[4], mkdir(sub, 0755));
	record(&r[5], stat(sub, &st));
	r[6].ret = st.st_mode;
	r[7].ret = st.st_gid;
}

TEST_F(fs, attr_setgid_strip)
{
	char dir[PATH_MAX];
	struct res r[MAX_RES];

	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0777));
	ASSERT_EQ(0, chown(dir, -1, GROUP_ID));
	ASSERT_EQ(0, chmod(dir, 02777));
	ASSERT_EQ(0, run_child(setgid_strip_child, variant->fstype, dir, r));
	/* Not in GROUP_ID: the file gets the group but not S_ISGID. */
	EXPECT_EQ(0, r[0].ret);
	EXPECT_EQ(S_IFREG | 0755, r[2].ret);
	EXPECT_EQ(GROUP_ID, r[3].ret);
	/* A directory inherits S_ISGID regardless. */
	EXPECT_EQ(0, r[4].ret);
	EXPECT_EQ(S_IFDIR | 02755, r[6].ret);
	EXPECT_EQ(GROUP_ID, r[7].ret);
}

TEST_F(fs, attr_umask)
{
	struct sockaddr_un addr;
	char path[PATH_MAX];
	struct stat st;
	int fd;

	umask(077);
	ASSERT_EQ(0, mknod(path_join(path, self->dir, "fifo"), S_IFIFO | 0666, 0));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(S_IFIFO | 0600, st.st_mode);
	ASSERT_EQ(0, mknod(path_join(path, self->dir, "reg"), S_IFREG | 0666, 0));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	ASSERT_EQ(0, mknod(path_join(path, self->dir, "null"), S_IFCHR | 0666, makedev(1, 3)));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(S_IFCHR | 0600, st.st_mode);
	fd = open(self->dir, O_TMPFILE | O_RDWR, 0666);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&addr,
			  unix_addr(&addr, path_join(path, self->dir, "sock"))));
	close(fd);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(S_IFSOCK | 0700, st.st_mode);
	/* Symlinks are always 0777. */
	ASSERT_EQ(0, symlink("x", path_join(path, self->dir, "link")));
	ASSERT_EQ(0, lstat(path, &st));
	EXPECT_EQ(S_IFLNK | 0777, st.st_mode);
}

TEST_F(fs, attr_statx)
{
	char file[PATH_MAX];
	struct statx stx;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "abc", 3));
	ASSERT_EQ(0, statx(AT_FDCWD, file, 0, STATX_BASIC_STATS | STATX_BTIME, &stx));
	EXPECT_EQ(STATX_BASIC_STATS, stx.stx_mask & STATX_BASIC_STATS);
	/* ramfs keeps no birth time. */
	EXPECT_EQ(0, stx.stx_mask & STATX_BTIME);
	EXPECT_EQ(S_IFREG | 0644, stx.stx_mode);
	EXPECT_EQ(3, stx.stx_size);
	EXPECT_EQ(1, stx.stx_nlink);
	EXPECT_EQ(self->page_size, stx.stx_blksize);
	EXPECT_EQ(self->page_size / 512, stx.stx_blocks);
	ASSERT_EQ(0, statx(AT_FDCWD, self->dir, 0, STATX_BASIC_STATS | STATX_BTIME, &stx));
	EXPECT_EQ(0, stx.stx_mask & STATX_BTIME);
	EXPECT_EQ(S_IFDIR | 0755, stx.stx_mode);
	EXPECT_TRUE(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* ---- file data: mmap, splice, copies, seeking, flags, locks ------------ */

static sigjmp_buf sigbus_jmp;

/* SIGBUS handler: back to the sigsetjmp() in read_byte(). */
static void sigbus_handler(int sig)
{
	siglongjmp(sigbus_jmp, 1);
}

/* Returns the byte at @p, or -1 if reading it raised SIGBUS. */
static int read_byte(const unsigned char *p)
{
	struct sigaction sa = { .sa_handler = sigbus_handler }, old;
	int ret = -1;

	sigaction(SIGBUS, &sa, &old);
	if (!sigsetjmp(sigbus_jmp, 1))
		ret = *p;
	sigaction(SIGBUS, &old, NULL);
	return ret;
}

/* Opens @path with @flags and maps @len bytes of it with @prot and @flags. */
static void *map_file(const char *path, int oflags, size_t len, int prot, int mflags, int *fd)
{
	void *p;

	*fd = open(path, oflags);
	if (*fd < 0)
		return MAP_FAILED;
	p = mmap(NULL, len, prot, mflags, *fd, 0);
	if (p == MAP_FAILED)
		close(*fd);
	return p;
}

TEST_F(fs, mmap_shared_visible)
{
	size_t len = self->page_size;
	char file[PATH_MAX], buf[8] = {};
	unsigned char *zero;
	char *p;
	int fd;

	zero = calloc(1, len);
	ASSERT_NE(NULL, zero);
	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), zero, len));
	p = map_file(file, O_RDWR, len, PROT_READ | PROT_WRITE, MAP_SHARED, &fd);
	ASSERT_NE(MAP_FAILED, p);
	/* Stores through the mapping are seen by read() ... */
	memcpy(p + 10, "mapped", 6);
	EXPECT_EQ(6, pread(fd, buf, 6, 10));
	EXPECT_STREQ("mapped", buf);
	EXPECT_EQ(0, msync(p, len, MS_SYNC));
	/* ... and write()s by the mapping. */
	EXPECT_EQ(7, pwrite(fd, "written", 7, 100));
	EXPECT_EQ(0, memcmp(p + 100, "written", 7));
	EXPECT_EQ(0, munmap(p, len));
	close(fd);
	memset(buf, 0, sizeof(buf));
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(6, pread(fd, buf, 6, 10));
	EXPECT_STREQ("mapped", buf);
	close(fd);
	free(zero);
}

TEST_F(fs, mmap_private_invisible)
{
	char file[PATH_MAX], buf[16] = {};
	char *priv, *shared;
	int fd, fd2;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "original", 8));
	priv = map_file(file, O_RDONLY, self->page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, &fd);
	ASSERT_NE(MAP_FAILED, priv);
	shared = map_file(file, O_RDONLY, self->page_size, PROT_READ, MAP_SHARED, &fd2);
	ASSERT_NE(MAP_FAILED, shared);
	memcpy(priv, "private!", 8);
	EXPECT_EQ(8, pread(fd, buf, sizeof(buf), 0));
	EXPECT_STREQ("original", buf);
	EXPECT_EQ(0, memcmp(shared, "original", 8));
	EXPECT_EQ(0, memcmp(priv, "private!", 8));
	munmap(shared, self->page_size);
	munmap(priv, self->page_size);
	close(fd2);
	close(fd);
}

TEST_F(fs, mmap_sigbus)
{
	char file[PATH_MAX];
	unsigned char *p;
	int fd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "abc", 3));
	p = map_file(file, O_RDWR, 2 * self->page_size, PROT_READ, MAP_SHARED, &fd);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('a', read_byte(p));
	/* The rest of the last page reads as zeros ... */
	EXPECT_EQ(0, read_byte(p + 200));
	/* ... but whole pages past EOF raise SIGBUS. */
	EXPECT_EQ(-1, read_byte(p + self->page_size));
	EXPECT_EQ(-1, read_byte(p + 2 * self->page_size - 1));
	/* Until the file grows. */
	ASSERT_EQ(0, ftruncate(fd, self->page_size + 1));
	EXPECT_EQ(0, read_byte(p + self->page_size));
	munmap(p, 2 * self->page_size);
	close(fd);
}

TEST_F(fs, mmap_mtime)
{
	char file[PATH_MAX];
	struct stat st;
	char *p;
	int fd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "abc", 3));
	p = map_file(file, O_RDWR, self->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, &fd);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, set_old_times(file));
	/* The first store into the page updates mtime and ctime. */
	p[1] = 'X';
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_LT(OLD_TIME, st.st_mtime);
	EXPECT_EQ(3, st.st_size);
	munmap(p, self->page_size);
	close(fd);
	EXPECT_TRUE(file_is(file, "aXc", 3));
}

TEST_F(fs, mmap_errors)
{
	char file[PATH_MAX];
	void *p;
	int fd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "abc", 3));
	/* Directories cannot be mapped. */
	fd = open(self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->page_size, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(ENODEV, errno);
	close(fd);
	/* A writable shared mapping needs a read-write descriptor. */
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->page_size, PROT_WRITE, MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, self->page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT_NE(MAP_FAILED, p);
	munmap(p, self->page_size);
	close(fd);
	fd = open(file, O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->page_size, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	close(fd);
}

TEST_F(fs, splice_pipe_file)
{
	char file[PATH_MAX], buf[16] = {};
	loff_t off;
	struct stat st;
	int pfd[2], fd;

	ASSERT_EQ(0, pipe(pfd));
	fd = open(path_join(file, self->dir, "file"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(12, write(pfd[1], "spliced data", 12));
	off = 4;
	EXPECT_EQ(12, splice(pfd[0], NULL, fd, &off, 12, 0));
	EXPECT_EQ(16, off);
	/* The file offset is not used. */
	EXPECT_EQ(0, lseek(fd, 0, SEEK_CUR));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(16, st.st_size);
	EXPECT_EQ(16, pread(fd, buf, sizeof(buf), 0));
	EXPECT_TRUE(all_zero((unsigned char *)buf, 4));
	EXPECT_EQ(0, memcmp(buf + 4, "spliced data", 12));

	off = 4;
	EXPECT_EQ(12, splice(fd, &off, pfd[1], NULL, 100, 0));
	EXPECT_EQ(16, off);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(12, read(pfd[0], buf, sizeof(buf)));
	EXPECT_STREQ("spliced data", buf);
	/* Nothing to splice at EOF. */
	EXPECT_EQ(0, splice(fd, &off, pfd[1], NULL, 100, 0));
	close(fd);
	close(pfd[0]);
	close(pfd[1]);
}

TEST_F(fs, sendfile_file_to_file)
{
	char src[PATH_MAX], dst[PATH_MAX];
	int in, out;
	off_t off;

	ASSERT_EQ(0, write_file(path_join(src, self->dir, "src"), "hello world", 11));
	in = open(src, O_RDONLY);
	ASSERT_LE(0, in);
	out = open(path_join(dst, self->dir, "dst"), O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, out);
	off = 6;
	EXPECT_EQ(5, sendfile(out, in, &off, 100));
	EXPECT_EQ(11, off);
	EXPECT_EQ(0, lseek(in, 0, SEEK_CUR));
	/* Without an offset, the input's file position is used and advanced. */
	EXPECT_EQ(5, sendfile(out, in, NULL, 5));
	EXPECT_EQ(5, lseek(in, 0, SEEK_CUR));
	EXPECT_EQ(10, lseek(out, 0, SEEK_CUR));
	EXPECT_EQ(0, sendfile(out, in, &off, 100));
	close(out);
	close(in);
	EXPECT_TRUE(file_is(dst, "worldhello", 10));
}

TEST_F(fs, copy_range_same_fs)
{
	char src[PATH_MAX], dst[PATH_MAX], buf[16] = {};
	loff_t a, b;
	int in, out;

	ASSERT_EQ(0, write_file(path_join(src, self->dir, "src"), "0123456789", 10));
	in = open(src, O_RDWR);
	ASSERT_LE(0, in);
	out = open(path_join(dst, self->dir, "dst"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, out);
	/* ramfs has no ->copy_file_range(): the VFS copies through splice. */
	a = 2;
	b = 0;
	EXPECT_EQ(5, copy_file_range(in, &a, out, &b, 5, 0));
	EXPECT_EQ(7, a);
	EXPECT_EQ(5, b);
	EXPECT_EQ(5, pread(out, buf, sizeof(buf), 0));
	EXPECT_STREQ("23456", buf);
	/* Short at EOF, nothing past it. */
	EXPECT_EQ(3, copy_file_range(in, &a, out, &b, 100, 0));
	a = 10;
	EXPECT_EQ(0, copy_file_range(in, &a, out, &b, 5, 0));
	EXPECT_EQ(-1, copy_file_range(in, NULL, out, NULL, 5, 1));
	EXPECT_EQ(EINVAL, errno);
	/* Within one file, only if the ranges do not overlap. */
	a = 0;
	b = 2;
	EXPECT_EQ(-1, copy_file_range(in, &a, in, &b, 5, 0));
	EXPECT_EQ(EINVAL, errno);
	b = 10;
	EXPECT_EQ(5, copy_file_range(in, &a, in, &b, 5, 0));
	close(out);
	close(in);
	EXPECT_TRUE(file_is(dst, "23456789", 8));
	EXPECT_TRUE(file_is(src, "012345678901234", 15));
}

TEST_F(fs, copy_range_exdev)
{
	char src[PATH_MAX], dst[PATH_MAX], sub[PATH_MAX];
	int in, out;

	ASSERT_EQ(0, write_file(path_join(src, self->dir, "src"), "data", 4));
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, NULL, sub));
	in = open(src, O_RDONLY);
	ASSERT_LE(0, in);
	out = open(path_join(dst, sub, "dst"), O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, out);
	/* Two instances are two super blocks. */
	EXPECT_EQ(-1, copy_file_range(in, NULL, out, NULL, 4, 0));
	EXPECT_EQ(EXDEV, errno);
	close(out);
	close(in);
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, seek_data_hole)
{
	off_t size = 3 * self->page_size + 1;
	char file[PATH_MAX];
	int fd;

	fd = open(path_join(file, self->dir, "file"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_HOLE));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(1, pwrite(fd, "x", 1, size - 1));
	/* ramfs has no SEEK_HOLE support: the whole file is data. */
	EXPECT_EQ(0, lseek(fd, 0, SEEK_DATA));
	EXPECT_EQ(self->page_size, lseek(fd, self->page_size, SEEK_DATA));
	EXPECT_EQ(size, lseek(fd, 0, SEEK_HOLE));
	EXPECT_EQ(size, lseek(fd, self->page_size, SEEK_HOLE));
	EXPECT_EQ(size, lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(-1, lseek(fd, size, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, lseek(fd, size, SEEK_HOLE));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
	close(fd);
}

TEST_F(fs, rw_flags)
{
	struct iovec iov = { .iov_base = "de", .iov_len = 2 };
	char file[PATH_MAX], buf[8];
	int fd, afd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "abc", 3));
	fd = open(file, O_RDWR);
	ASSERT_LE(0, fd);
	/* RWF_APPEND appends whatever the offset. */
	EXPECT_EQ(2, pwritev2(fd, &iov, 1, 0, RWF_APPEND));
	EXPECT_TRUE(file_is(file, "abcde", 5));
	/* RWF_NOAPPEND writes at the offset even on an O_APPEND descriptor. */
	afd = open(file, O_WRONLY | O_APPEND);
	ASSERT_LE(0, afd);
	iov.iov_base = "X";
	iov.iov_len = 1;
	EXPECT_EQ(1, pwritev2(afd, &iov, 1, 0, RWF_NOAPPEND));
	EXPECT_TRUE(file_is(file, "Xbcde", 5));
	close(afd);
	/* ramfs files do not support RWF_NOWAIT or RWF_DONTCACHE. */
	EXPECT_EQ(-1, pwritev2(fd, &iov, 1, 0, RWF_NOWAIT));
	EXPECT_EQ(EOPNOTSUPP, errno);
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	EXPECT_EQ(-1, preadv2(fd, &iov, 1, 0, RWF_NOWAIT));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, preadv2(fd, &iov, 1, 0, RWF_DONTCACHE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, preadv2(fd, &iov, 1, 0, 1 << 30));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(5, preadv2(fd, &iov, 1, 0, RWF_HIPRI));
	close(fd);
	EXPECT_TRUE(file_is(file, "Xbcde", 5));
}

TEST_F(fs, rw_cross_4gib)
{
	const off_t off = (4LL << 30) - 4;
	char file[PATH_MAX], buf[8];
	struct stat st;
	int fd;

	fd = open(path_join(file, self->dir, "file"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	/* A write straddling 4 GiB lands on both sides of it. */
	EXPECT_EQ(8, pwrite(fd, "01234567", 8, off));
	EXPECT_EQ(8, pread(fd, buf, 8, off));
	EXPECT_EQ(0, memcmp(buf, "01234567", 8));
	EXPECT_EQ(4, pread(fd, buf, 8, 4LL << 30));
	EXPECT_EQ(0, memcmp(buf, "4567", 4));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(off + 8, st.st_size);
	EXPECT_EQ(2 * self->page_size / 512, st.st_blocks);
	/* Nothing wrapped around to the start of the file. */
	EXPECT_EQ(8, pread(fd, buf, 8, 0));
	EXPECT_TRUE(all_zero((unsigned char *)buf, 8));
	close(fd);
}

TEST_F(fs, rw_max_offset)
{
	char file[PATH_MAX], c = 0;
	struct stat st;
	int fd;

	fd = open(path_join(file, self->dir, "file"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	/* s_maxbytes is MAX_LFS_FILESIZE: the very last byte can be written. */
	EXPECT_EQ(1, pwrite(fd, "z", 1, LLONG_MAX - 1));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(LLONG_MAX, st.st_size);
	EXPECT_EQ(self->page_size / 512, st.st_blocks);
	EXPECT_EQ(1, pread(fd, &c, 1, LLONG_MAX - 1));
	EXPECT_EQ('z', c);
	EXPECT_EQ(LLONG_MAX, lseek(fd, 0, SEEK_END));
	/* A write reaching past it would overflow loff_t: EINVAL, not EFBIG. */
	EXPECT_EQ(-1, pwrite(fd, "ab", 2, LLONG_MAX - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(fd, "a", 1, LLONG_MAX));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ftruncate(fd, 0));
	close(fd);
}

TEST_F(fs, rw_fsize_limit)
{
	struct rlimit old, rl;
	char file[PATH_MAX];
	struct stat st;
	int fd;

	fd = open(path_join(file, self->dir, "file"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(signal(SIGXFSZ, SIG_IGN) != SIG_ERR);
	ASSERT_EQ(0, getrlimit(RLIMIT_FSIZE, &old));
	rl = old;
	rl.rlim_cur = self->page_size;
	ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &rl));
	/* Writes and truncates beyond RLIMIT_FSIZE fail with EFBIG. */
	EXPECT_EQ(-1, pwrite(fd, "x", 1, self->page_size));
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(2, pwrite(fd, "abcd", 4, self->page_size - 2));
	EXPECT_EQ(-1, ftruncate(fd, self->page_size + 1));
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(0, ftruncate(fd, self->page_size));
	ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &old));
	signal(SIGXFSZ, SIG_DFL);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(self->page_size, st.st_size);
	close(fd);
}

TEST_F(fs, falloc_modes)
{
	static const int modes[] = {
		FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_PUNCH_HOLE,
		FALLOC_FL_ZERO_RANGE,
		FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_COLLAPSE_RANGE,
		FALLOC_FL_INSERT_RANGE,
		FALLOC_FL_UNSHARE_RANGE,
	};
	size_t len = 2 * self->page_size;
	unsigned char *wbuf, *rbuf;
	char file[PATH_MAX];
	struct stat st;
	int fd, i;

	wbuf = malloc(len);
	rbuf = malloc(len);
	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);
	fill_pattern(wbuf, len, 4);
	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), wbuf, len));
	fd = open(file, O_RDWR);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		EXPECT_EQ(-1, fallocate(fd, modes[i], 0, self->page_size));
		EXPECT_EQ(EOPNOTSUPP, errno) {
			TH_LOG("fallocate mode %#x: %s", modes[i], strerror(errno));
		}
	}
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(len, st.st_size);
	EXPECT_EQ(len, pread(fd, rbuf, len, 0));
	EXPECT_EQ(0, memcmp(wbuf, rbuf, len));
	close(fd);
	free(wbuf);
	free(rbuf);
}

TEST_F(fs, lease_setlease)
{
	char file[PATH_MAX];
	int fd;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	if (kernel_at_least(7, 0)) {
		/* Since 7.0, only file systems with ->setlease() offer leases. */
		EXPECT_EQ(-1, fcntl(fd, F_SETLEASE, F_RDLCK));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(F_UNLCK, fcntl(fd, F_GETLEASE));
	} else {
		/* Before, every file system got generic_setlease(). */
		EXPECT_EQ(0, fcntl(fd, F_SETLEASE, F_RDLCK));
		EXPECT_EQ(F_RDLCK, fcntl(fd, F_GETLEASE));
		EXPECT_EQ(0, fcntl(fd, F_SETLEASE, F_UNLCK));
	}
	close(fd);
}

TEST_F(fs, ioctl_getflags)
{
	char file[PATH_MAX];
	struct fsxattr fsx;
	int fd, dfd, flags = 0;

	/* No ->fileattr_get()/->fileattr_set(): no inode flags at all. */
	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	fd = open(file, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, FS_IOC_GETFLAGS, &flags));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, FS_IOC_SETFLAGS, &flags));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, FS_IOC_FSGETXATTR, &fsx));
	EXPECT_EQ(ENOTTY, errno);
	dfd = open(self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);
	EXPECT_EQ(-1, ioctl(dfd, FS_IOC_GETFLAGS, &flags));
	EXPECT_EQ(ENOTTY, errno);
	close(dfd);
	close(fd);
}

TEST_F(fs, ioctl_misc)
{
	struct fiemap fm = { .fm_length = FIEMAP_MAX_OFFSET };
	char file[PATH_MAX], other[PATH_MAX];
	int fd, ofd, n;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "0123456789", 10));
	ASSERT_EQ(0, write_file(path_join(other, self->dir, "other"), "abc", 3));
	fd = open(file, O_RDWR);
	ASSERT_LE(0, fd);
	n = -1;
	EXPECT_EQ(0, ioctl(fd, FIONREAD, &n));
	EXPECT_EQ(10, n);
	EXPECT_EQ(4, lseek(fd, 4, SEEK_SET));
	EXPECT_EQ(0, ioctl(fd, FIONREAD, &n));
	EXPECT_EQ(6, n);
	EXPECT_EQ(0, ioctl(fd, FIGETBSZ, &n));
	EXPECT_EQ(self->page_size, n);
	/* No block mapping, no extents, no cloning. */
	n = 0;
	EXPECT_EQ(-1, ioctl(fd, FIBMAP, &n));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, n);
	EXPECT_EQ(-1, ioctl(fd, FS_IOC_FIEMAP, &fm));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ofd = open(other, O_RDONLY);
	ASSERT_LE(0, ofd);
	EXPECT_EQ(-1, ioctl(fd, FICLONE, ofd));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(ofd);
	EXPECT_EQ(-1, ioctl(fd, _IO('r', 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST_F(fs, readahead_ret)
{
	char file[PATH_MAX], fifo[PATH_MAX];
	int fd;

	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "data", 4));
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, readahead(fd, 0, self->page_size));
	EXPECT_EQ(0, readahead(fd, 1LL << 40, self->page_size));
	close(fd);
	fd = open(file, O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, readahead(fd, 0, self->page_size));
	EXPECT_EQ(EBADF, errno);
	close(fd);
	fd = open(self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, readahead(fd, 0, self->page_size));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	ASSERT_EQ(0, mkfifo(path_join(fifo, self->dir, "fifo"), 0644));
	fd = open(fifo, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, readahead(fd, 0, self->page_size));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(fs, fadvise_ret)
{
	static const int advice[] = {
		POSIX_FADV_NORMAL, POSIX_FADV_RANDOM, POSIX_FADV_SEQUENTIAL,
		POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE,
	};
	char file[PATH_MAX], fifo[PATH_MAX];
	int fd, i;

	/* posix_fadvise() returns the error number instead of setting errno. */
	ASSERT_EQ(0, write_file(path_join(file, self->dir, "file"), "data", 4));
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(advice); i++)
		EXPECT_EQ(0, posix_fadvise(fd, 0, 0, advice[i]));
	EXPECT_EQ(EINVAL, posix_fadvise(fd, 0, 0, 42));
	EXPECT_EQ(EINVAL, posix_fadvise(fd, 0, -1, POSIX_FADV_NORMAL));
	close(fd);
	/* DONTNEED must not drop data that exists nowhere else. */
	EXPECT_TRUE(file_is(file, "data", 4));
	ASSERT_EQ(0, mkfifo(path_join(fifo, self->dir, "fifo"), 0644));
	fd = open(fifo, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(ESPIPE, posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL));
	close(fd);
}

TEST_F(fs, lock_flock)
{
	char file[PATH_MAX];
	int fd1, fd2, dfd;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	fd1 = open(file, O_RDONLY);
	fd2 = open(file, O_RDONLY);
	ASSERT_LE(0, fd1);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, flock(fd1, LOCK_EX));
	EXPECT_EQ(-1, flock(fd2, LOCK_EX | LOCK_NB));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(-1, flock(fd2, LOCK_SH | LOCK_NB));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, flock(fd1, LOCK_UN));
	EXPECT_EQ(0, flock(fd2, LOCK_SH | LOCK_NB));
	EXPECT_EQ(0, flock(fd1, LOCK_SH | LOCK_NB));
	EXPECT_EQ(-1, flock(fd1, LOCK_EX | LOCK_NB));
	EXPECT_EQ(EWOULDBLOCK, errno);
	close(fd2);
	EXPECT_EQ(0, flock(fd1, LOCK_EX | LOCK_NB));
	close(fd1);
	/* Directories can be locked too. */
	dfd = open(self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);
	EXPECT_EQ(0, flock(dfd, LOCK_EX | LOCK_NB));
	close(dfd);
}

/* Child: tests the write lock that the parent holds on bytes 0-9 of @path. */
static void posix_lock_child(const char *fstype, const char *path, struct res *r)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1 };
	int fd = open(path, O_RDWR);

	record(&r[0], fd);
	record(&r[1], fcntl(fd, F_GETLK, &fl));
	r[2].ret = fl.l_type;
	r[3].ret = fl.l_pid;
	r[4].ret = fl.l_start;
	r[5].ret = fl.l_len;
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
	record(&r[6], fcntl(fd, F_SETLK, &fl));
	fl.l_start = 10;
	record(&r[7], fcntl(fd, F_SETLK, &fl));
}

TEST_F(fs, lock_posix)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	struct res r[MAX_RES];
	char file[PATH_MAX];
	int fd, fd2;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	fd = open(file, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fcntl(fd, F_SETLK, &fl));
	ASSERT_EQ(0, run_child(posix_lock_child, variant->fstype, file, r));
	EXPECT_LE(0, r[0].ret);
	EXPECT_EQ(0, r[1].ret);
	EXPECT_EQ(F_WRLCK, r[2].ret);
	EXPECT_EQ(getpid(), r[3].ret);
	EXPECT_EQ(0, r[4].ret);
	EXPECT_EQ(10, r[5].ret);
	EXPECT_EQ(-1, r[6].ret);
	EXPECT_EQ(EAGAIN, r[6].err);
	EXPECT_EQ(0, r[7].ret);
	/* An open file description lock conflicts even within this process. */
	fd2 = open(file, O_RDWR);
	ASSERT_LE(0, fd2);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
	EXPECT_EQ(-1, fcntl(fd2, F_OFD_SETLK, &fl));
	EXPECT_EQ(EAGAIN, errno);
	close(fd2);
	close(fd);
}

/* ---- the mount API ----------------------------------------------------- */

/* fsopen(2); the wrappers below exist because not every C library has them. */
static int sys_fsopen(const char *fstype, unsigned int flags)
{
	return syscall(__NR_fsopen, fstype, flags);
}

/* fsconfig(2) on the file system context @fd. */
static int sys_fsconfig(int fd, unsigned int cmd, const char *key, const char *value, int aux)
{
	return syscall(__NR_fsconfig, fd, cmd, key, value, aux);
}

/* fsmount(2): a detached mount of the super block created in context @fd. */
static int sys_fsmount(int fd, unsigned int flags, unsigned int attr)
{
	return syscall(__NR_fsmount, fd, flags, attr);
}

/* move_mount(2) of the detached mount @mfd onto @path. */
static int sys_move_mount(int mfd, const char *path)
{
	return syscall(__NR_move_mount, mfd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH);
}

/* fspick(2): a reconfiguration context for the mount at @path. */
static int sys_fspick(const char *path, unsigned int flags)
{
	return syscall(__NR_fspick, AT_FDCWD, path, flags);
}

/* mount_setattr(2) on the mount at @dfd/@path. */
static int sys_mount_setattr(int dfd, const char *path, unsigned int flags,
			     struct mount_attr *attr)
{
	return syscall(__NR_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

/* Creates the super block of context @fd and returns a detached mount of it. */
static int create_mount(int fd, unsigned int attr)
{
	if (sys_fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		return -1;
	return sys_fsmount(fd, FSMOUNT_CLOEXEC, attr);
}

/* Reads the next message logged in context @fd into @buf (256 bytes), "" if none. */
static void read_fc_msg(int fd, char *buf)
{
	ssize_t n = read(fd, buf, 255);

	buf[n > 0 ? n : 0] = '\0';
}

/*
 * Copies the per-mount options, the source and the super block options of the
 * /proc/self/mountinfo entry for mount point @dir (the topmost if several are
 * stacked) to @opts, @source and @sopts (each 256 bytes).
 */
static int find_mountinfo(const char *dir, char *opts, char *source, char *sopts)
{
	char line[1024], mnt[PATH_MAX], o[256], src[256], so[256];
	bool found = false;
	const char *sep;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* id parent major:minor root mount-point options ... - type source super */
		sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*d %*d %*s %*s %4095s %255s", mnt, o) != 2 ||
		    strcmp(mnt, dir) || sscanf(sep, " - %*s %255s %255s", src, so) != 2)
			continue;
		snprintf(opts, 256, "%s", o);
		snprintf(source, 256, "%s", src);
		snprintf(sopts, 256, "%s", so);
		found = true;
	}
	fclose(f);
	return found ? 0 : -1;
}

/*
 * Setting "mode" with command @cmd and @value must fail with EINVAL and log
 * ramfs's message, leaving the context usable.
 */
static void check_fsconfig_bad(struct __test_metadata *_metadata, const char *fstype,
			       unsigned int cmd, const char *value)
{
	char msg[256], want[256];
	struct stat st;
	int fd, mfd;

	fd = sys_fsopen(fstype, FSOPEN_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, sys_fsconfig(fd, cmd, "mode", value, 0));
	EXPECT_EQ(EINVAL, errno);
	snprintf(want, sizeof(want), "e %s: Bad value for 'mode'\n", fstype);
	read_fc_msg(fd, msg);
	EXPECT_STREQ(want, msg);
	read_fc_msg(fd, msg);
	EXPECT_STREQ("", msg);
	mfd = create_mount(fd, 0);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, fstat(mfd, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
	close(mfd);
	close(fd);
}

TEST_F(fs, fsmount_basic)
{
	char fsname[256], type[256], opts[256], sub[PATH_MAX], file[PATH_MAX];
	struct stat st;
	int fd, mfd;

	ASSERT_EQ(0, mkdir(path_join(sub, self->dir, "sub"), 0755));
	fd = sys_fsopen(variant->fstype, FSOPEN_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "source", MOUNT_SOURCE, 0));
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "mode", "700", 0));
	mfd = create_mount(fd, 0);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, sys_move_mount(mfd, sub));
	ASSERT_EQ(0, stat(sub, &st));
	EXPECT_EQ(S_IFDIR | 0700, st.st_mode);
	EXPECT_EQ(2, st.st_nlink);
	ASSERT_EQ(0, find_mount(sub, fsname, type, opts));
	EXPECT_STREQ(variant->fstype, type);
	EXPECT_STREQ(MOUNT_SOURCE, fsname);
	EXPECT_TRUE(has_opt(opts, "mode=700"));
	EXPECT_EQ(0, write_file(path_join(file, sub, "file"), "x", 1));
	EXPECT_EQ(3, count_entries(sub));
	close(mfd);
	close(fd);
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, fsmount_detached)
{
	struct statfs sf, ref;
	struct stat st;
	int fd, mfd, ffd;

	fd = sys_fsopen(variant->fstype, FSOPEN_CLOEXEC);
	ASSERT_LE(0, fd);
	mfd = create_mount(fd, 0);
	ASSERT_LE(0, mfd);
	/* A detached mount is usable through its descriptor. */
	ASSERT_EQ(0, fstat(mfd, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
	ffd = openat(mfd, "file", O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, ffd);
	EXPECT_EQ(3, write(ffd, "abc", 3));
	close(ffd);
	ASSERT_EQ(0, fstatat(mfd, "file", &st, 0));
	EXPECT_EQ(3, st.st_size);
	EXPECT_EQ(0, mkdirat(mfd, "dir", 0755));
	ASSERT_EQ(0, fstat(mfd, &st));
	EXPECT_EQ(3, st.st_nlink);
	ASSERT_EQ(0, fstatfs(mfd, &sf));
	ASSERT_EQ(0, statfs(self->dir, &ref));
	EXPECT_EQ(ref.f_type, sf.f_type);
	EXPECT_EQ(self->page_size, sf.f_bsize);
	close(mfd);
	close(fd);
}

TEST_F(fs, fsmount_attr)
{
	struct statvfs sv;
	int fd, mfd;

	fd = sys_fsopen(variant->fstype, FSOPEN_CLOEXEC);
	ASSERT_LE(0, fd);
	mfd = create_mount(fd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, fstatvfs(mfd, &sv));
	EXPECT_TRUE(sv.f_flag & ST_RDONLY);
	EXPECT_TRUE(sv.f_flag & ST_NOEXEC);
	EXPECT_TRUE(sv.f_flag & ST_NODEV);
	EXPECT_FALSE(sv.f_flag & ST_NOSUID);
	EXPECT_EQ(-1, openat(mfd, "file", O_CREAT | O_RDWR, 0644));
	EXPECT_EQ(EROFS, errno);
	EXPECT_EQ(-1, mkdirat(mfd, "dir", 0755));
	EXPECT_EQ(EROFS, errno);
	close(mfd);
	close(fd);
}

TEST_F(fs, fsconfig_mode_bad_digit)
{
	check_fsconfig_bad(_metadata, variant->fstype, FSCONFIG_SET_STRING, "9");
}

TEST_F(fs, fsconfig_mode_empty)
{
	check_fsconfig_bad(_metadata, variant->fstype, FSCONFIG_SET_STRING, "");
}

TEST_F(fs, fsconfig_mode_flag)
{
	check_fsconfig_bad(_metadata, variant->fstype, FSCONFIG_SET_FLAG, NULL);
}

TEST_F(fs, fsconfig_unknown_key)
{
	char msg[256];
	struct stat st;
	int fd, mfd;

	fd = sys_fsopen(variant->fstype, FSOPEN_CLOEXEC);
	ASSERT_LE(0, fd);
	/* Unknown keys are silently ignored, as with mount(2). */
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "foo", "bar", 0));
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_FLAG, "baz", NULL, 0));
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "size", "1M", 0));
	read_fc_msg(fd, msg);
	EXPECT_STREQ("", msg);
	mfd = create_mount(fd, 0);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, fstat(mfd, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
	close(mfd);
	close(fd);
}

TEST_F(fs, fsconfig_source)
{
	char opts[256], source[256], sopts[256], msg[256], sub[PATH_MAX];
	int fd, mfd;

	ASSERT_EQ(0, mkdir(path_join(sub, self->dir, "sub"), 0755));
	fd = sys_fsopen(variant->fstype, FSOPEN_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "source", "rrt_source", 0));
	EXPECT_EQ(-1, sys_fsconfig(fd, FSCONFIG_SET_STRING, "source", "other", 0));
	EXPECT_EQ(EINVAL, errno);
	read_fc_msg(fd, msg);
	EXPECT_STREQ("e Multiple sources\n", msg);
	mfd = create_mount(fd, 0);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, sys_move_mount(mfd, sub));
	ASSERT_EQ(0, find_mountinfo(sub, opts, source, sopts));
	EXPECT_STREQ("rrt_source", source);
	EXPECT_TRUE(has_opt(sopts, "rw"));
	close(mfd);
	close(fd);
	ASSERT_EQ(0, umount(sub));

	/* Without a source, "none" is shown. */
	fd = sys_fsopen(variant->fstype, FSOPEN_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, sys_fsconfig(fd, FSCONFIG_SET_FLAG, "source", NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	read_fc_msg(fd, msg);
	EXPECT_STREQ("e Non-string source\n", msg);
	mfd = create_mount(fd, 0);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, sys_move_mount(mfd, sub));
	ASSERT_EQ(0, find_mountinfo(sub, opts, source, sopts));
	EXPECT_STREQ("none", source);
	close(mfd);
	close(fd);
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, fsconfig_after_create)
{
	int fd, mfd;

	fd = sys_fsopen(variant->fstype, FSOPEN_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	EXPECT_EQ(-1, sys_fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, sys_fsconfig(fd, FSCONFIG_SET_STRING, "mode", "700", 0));
	EXPECT_EQ(EBUSY, errno);
	mfd = sys_fsmount(fd, FSMOUNT_CLOEXEC, 0);
	ASSERT_LE(0, mfd);
	EXPECT_EQ(-1, sys_fsmount(fd, FSMOUNT_CLOEXEC, 0));
	EXPECT_EQ(EBUSY, errno);
	close(mfd);
	close(fd);
}

TEST_F(fs, fspick_reconfigure)
{
	char fsname[256], type[256], opts[256], msg[256], want[256];
	struct stat st;
	int fd;

	fd = sys_fspick(self->dir, FSPICK_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "mode", "700", 0));
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "foo", "bar", 0));
	EXPECT_EQ(-1, sys_fsconfig(fd, FSCONFIG_SET_STRING, "mode", "9", 0));
	EXPECT_EQ(EINVAL, errno);
	snprintf(want, sizeof(want), "e %s: Bad value for 'mode'\n", variant->fstype);
	read_fc_msg(fd, msg);
	EXPECT_STREQ(want, msg);
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0));
	close(fd);
	/* Accepted, but like a remount, the mode is not applied. */
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
	ASSERT_EQ(0, find_mount(self->dir, fsname, type, opts));
	EXPECT_FALSE(has_opt_prefix(opts, "mode=")) {
		TH_LOG("options: %s", opts);
	}
}

TEST_F(fs, fspick_reconfigure_ro)
{
	char file[PATH_MAX];
	struct statvfs sv;
	int fd;

	fd = sys_fspick(self->dir, FSPICK_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_FLAG, "ro", NULL, 0));
	ASSERT_EQ(0, sys_fsconfig(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0));
	close(fd);
	ASSERT_EQ(0, statvfs(self->dir, &sv));
	EXPECT_TRUE(sv.f_flag & ST_RDONLY);
	EXPECT_EQ(-1, create_file(path_join(file, self->dir, "file"), 0644));
	EXPECT_EQ(EROFS, errno);

	fd = sys_fspick(self->dir, FSPICK_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_FLAG, "rw", NULL, 0));
	ASSERT_EQ(0, sys_fsconfig(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0));
	close(fd);
	EXPECT_EQ(0, create_file(file, 0644));
}

TEST_F(fs, mount_setattr_rdonly)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	char opts[256], source[256], sopts[256], path[PATH_MAX];
	struct statvfs sv;

	ASSERT_EQ(0, sys_mount_setattr(AT_FDCWD, self->dir, 0, &attr));
	EXPECT_EQ(-1, create_file(path_join(path, self->dir, "file"), 0644));
	EXPECT_EQ(EROFS, errno);
	EXPECT_EQ(-1, mkdir(path_join(path, self->dir, "dir"), 0755));
	EXPECT_EQ(EROFS, errno);
	ASSERT_EQ(0, statvfs(self->dir, &sv));
	EXPECT_TRUE(sv.f_flag & ST_RDONLY);
	/* Only the mount is read-only, not the super block. */
	ASSERT_EQ(0, find_mountinfo(self->dir, opts, source, sopts));
	EXPECT_TRUE(has_opt(opts, "ro"));
	EXPECT_TRUE(has_opt(sopts, "rw"));
	attr = (struct mount_attr){ .attr_clr = MOUNT_ATTR_RDONLY };
	ASSERT_EQ(0, sys_mount_setattr(AT_FDCWD, self->dir, 0, &attr));
	EXPECT_EQ(0, mkdir(path, 0755));
}

TEST_F(fs, mount_flags_mountinfo)
{
	char opts[256], source[256], sopts[256], sub[PATH_MAX], file[PATH_MAX];
	void *p;
	int fd;

	ASSERT_EQ(0, mkdir(path_join(sub, self->dir, "sub"), 0755));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, sub, variant->fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC,
			   "mode=0700"));
	ASSERT_EQ(0, find_mountinfo(sub, opts, source, sopts));
	EXPECT_TRUE(has_opt(opts, "rw"));
	EXPECT_TRUE(has_opt(opts, "nosuid"));
	EXPECT_TRUE(has_opt(opts, "nodev"));
	EXPECT_TRUE(has_opt(opts, "noexec"));
	EXPECT_FALSE(has_opt_prefix(opts, "mode="));
	EXPECT_STREQ(MOUNT_SOURCE, source);
	EXPECT_TRUE(has_opt(sopts, "rw"));
	EXPECT_TRUE(has_opt(sopts, "mode=700")) {
		TH_LOG("super block options: %s", sopts);
	}
	/* noexec: no executable mappings. */
	ASSERT_EQ(0, write_file(path_join(file, sub, "file"), "code", 4));
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->page_size, PROT_READ | PROT_EXEC, MAP_PRIVATE,
				   fd, 0));
	EXPECT_EQ(EPERM, errno);
	p = mmap(NULL, self->page_size, PROT_READ, MAP_PRIVATE, fd, 0);
	EXPECT_NE(MAP_FAILED, p);
	munmap(p, self->page_size);
	close(fd);
	ASSERT_EQ(0, umount(sub));
}

/* Returns an fd for a new user namespace mapping ids 0 to USER_ID, or -1. */
static int new_userns_fd(void)
{
	int ready[2], done[2], fd = -1;
	char path[64], c = 0;
	pid_t pid;

	if (pipe(ready))
		return -1;
	if (pipe(done)) {
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		/* Unshare, tell the parent, and wait until it is done. */
		close(ready[0]);
		close(done[1]);
		c = unshare(CLONE_NEWUSER) ? 'e' : 'o';
		if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	if (pid > 0 && read(ready[0], &c, 1) == 1 && c == 'o') {
		snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
		if (!write_string(path, "0 1000 1")) {
			snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
			if (!write_string(path, "0 1000 1")) {
				snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
				fd = open(path, O_RDONLY | O_CLOEXEC);
			}
		}
	}
	close(done[1]);
	close(ready[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return fd;
}

TEST_F(fs, fsmount_idmap)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
	int fd, mfd, ufd;

	ufd = new_userns_fd();
	ASSERT_LE(0, ufd);
	fd = sys_fsopen(variant->fstype, FSOPEN_CLOEXEC);
	ASSERT_LE(0, fd);
	mfd = create_mount(fd, 0);
	ASSERT_LE(0, mfd);
	attr.userns_fd = ufd;
	if (!strcmp(variant->fstype, "ramfs")) {
		/* ramfs is not FS_ALLOW_IDMAP. */
		EXPECT_EQ(-1, sys_mount_setattr(mfd, "", AT_EMPTY_PATH, &attr));
		EXPECT_EQ(EINVAL, errno);
	} else {
		/* rust_ramfs is, as tmpfs (tmpfs_idmap_test). */
		EXPECT_EQ(0, sys_mount_setattr(mfd, "", AT_EMPTY_PATH, &attr));
	}
	/* Other attributes can be changed on the same detached mount. */
	attr = (struct mount_attr){ .attr_set = MOUNT_ATTR_NOSUID };
	EXPECT_EQ(0, sys_mount_setattr(mfd, "", AT_EMPTY_PATH, &attr));
	close(mfd);
	close(fd);
	close(ufd);
}

/* ---- unprivileged use: user namespaces --------------------------------- */

/* Child: as root of a new user namespace, mounts @fstype on @path and uses it. */
static void userns_mount_child(const char *fstype, const char *path, struct res *r)
{
	char file[PATH_MAX], dir[PATH_MAX];
	struct stat st;

	if (enter_userns())
		_exit(1);
	record(&r[0], mount(MOUNT_SOURCE, path, fstype, 0, "mode=0750"));
	record(&r[1], stat(path, &st));
	r[2].ret = st.st_mode;
	r[3].ret = st.st_uid;
	r[4].ret = st.st_gid;
	record(&r[5], write_file(path_join(file, path, "file"), "data", 4));
	record(&r[6], stat(file, &st));
	r[7].ret = st.st_uid;
	r[8].ret = st.st_mode;
	record(&r[9], mkdir(path_join(dir, path, "dir"), 0755));
	record(&r[10], count_entries(path));
	record(&r[11], unlink(file));
	record(&r[12], rmdir(dir));
	record(&r[13], umount(path));
}

TEST_F(fs, userns_mount)
{
	struct res r[MAX_RES];
	char path[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "u"), 0755));
	ASSERT_EQ(0, run_child(userns_mount_child, variant->fstype, path, r));
	/* FS_USERNS_MOUNT: root of a user namespace may mount it. */
	ASSERT_EQ(0, r[0].ret) {
		TH_LOG("mount in a user namespace: %s", strerror(r[0].err));
	}
	EXPECT_EQ(0, r[1].ret);
	EXPECT_EQ(S_IFDIR | 0750, r[2].ret);
	EXPECT_EQ(0, r[3].ret);
	EXPECT_EQ(0, r[4].ret);
	EXPECT_EQ(0, r[5].ret);
	EXPECT_EQ(0, r[6].ret);
	EXPECT_EQ(0, r[7].ret);
	EXPECT_EQ(S_IFREG | 0644, r[8].ret);
	EXPECT_EQ(0, r[9].ret);
	EXPECT_EQ(4, r[10].ret);
	EXPECT_EQ(0, r[11].ret);
	EXPECT_EQ(0, r[12].ret);
	EXPECT_EQ(0, r[13].ret);
	/* The mount was private to the child's mount namespace. */
	EXPECT_EQ(2, count_entries(path));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
}

/* Child: in a user namespace mount at @path, makes device nodes and FIFOs. */
static void userns_mknod_child(const char *fstype, const char *path, struct res *r)
{
	char node[PATH_MAX], buf[8] = {};
	struct stat st;
	int fd;

	if (enter_userns() || mount(MOUNT_SOURCE, path, fstype, 0, NULL))
		_exit(1);
	record(&r[0], mknod(path_join(node, path, "null"), S_IFCHR | 0666, makedev(1, 3)));
	record(&r[1], mknod(path_join(node, path, "blk"), S_IFBLK | 0666, makedev(7, 0)));
	record(&r[2], mknod(path_join(node, path, "fifo"), S_IFIFO | 0644, 0));
	record(&r[3], stat(node, &st));
	r[4].ret = st.st_mode;
	fd = open(node, O_RDWR);
	record(&r[5], fd);
	record(&r[6], write(fd, "fifo", 4));
	record(&r[7], read(fd, buf, sizeof(buf)));
	r[8].ret = !strcmp(buf, "fifo");
	close(fd);
	record(&r[9], mknod(path_join(node, path, "sock"), S_IFSOCK | 0644, 0));
	record(&r[10], mknod(path_join(node, path, "reg"), S_IFREG | 0644, 0));
	record(&r[11], count_entries(path));
}

TEST_F(fs, userns_mknod)
{
	struct res r[MAX_RES];
	char path[PATH_MAX];

	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "u"), 0755));
	ASSERT_EQ(0, run_child(userns_mknod_child, variant->fstype, path, r));
	/* Device nodes need CAP_MKNOD in the initial user namespace. */
	EXPECT_EQ(-1, r[0].ret);
	EXPECT_EQ(EPERM, r[0].err);
	EXPECT_EQ(-1, r[1].ret);
	EXPECT_EQ(EPERM, r[1].err);
	/* Other kinds of nodes do not. */
	EXPECT_EQ(0, r[2].ret);
	EXPECT_EQ(0, r[3].ret);
	EXPECT_EQ(S_IFIFO | 0644, r[4].ret);
	EXPECT_LE(0, r[5].ret);
	EXPECT_EQ(4, r[6].ret);
	EXPECT_EQ(4, r[7].ret);
	EXPECT_EQ(1, r[8].ret);
	EXPECT_EQ(0, r[9].ret);
	EXPECT_EQ(0, r[10].ret);
	EXPECT_EQ(5, r[11].ret);
}

/* Child: in a user namespace mount at @path, makes and opens a whiteout. */
static void userns_whiteout_child(const char *fstype, const char *path, struct res *r)
{
	char node[PATH_MAX];
	struct stat st;

	if (enter_userns() || mount(MOUNT_SOURCE, path, fstype, 0, NULL))
		_exit(1);
	record(&r[0], mknod(path_join(node, path, "wh"), S_IFCHR | 0666, makedev(0, 0)));
	record(&r[1], stat(node, &st));
	r[2].ret = st.st_mode;
	r[3].ret = st.st_rdev;
	record(&r[4], open(node, O_RDWR));
}

TEST_F(fs, userns_whiteout_nodev)
{
	char path[PATH_MAX], node[PATH_MAX];
	struct res r[MAX_RES];

	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "u"), 0755));
	ASSERT_EQ(0, run_child(userns_whiteout_child, variant->fstype, path, r));
	/* The whiteout device (0, 0) is the one node anybody may create ... */
	EXPECT_EQ(0, r[0].ret);
	EXPECT_EQ(0, r[1].ret);
	EXPECT_EQ(S_IFCHR | 0666, r[2].ret);
	EXPECT_EQ(0, r[3].ret);
	/* ... but a super block owned by a user namespace is SB_I_NODEV. */
	EXPECT_EQ(-1, r[4].ret);
	EXPECT_EQ(EACCES, r[4].err);
	/* Elsewhere, opening it gets as far as finding no such device. */
	ASSERT_EQ(0, mknod(path_join(node, self->dir, "wh"), S_IFCHR | 0666, makedev(0, 0)));
	EXPECT_EQ(-1, open(node, O_RDWR));
	EXPECT_EQ(ENXIO, errno);
}

TEST_F(fs, userns_host_nodev)
{
	char path[PATH_MAX], node[PATH_MAX + 32], map[64], c;
	int ready[2], go[2], fd, status;
	struct stat st;
	pid_t pid;

	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "u"), 0755));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Unshare, let the parent map ids, mount, and wait until it is done. */
		close(ready[0]);
		close(go[1]);
		if (become(NOBODY, NOBODY) || unshare(CLONE_NEWUSER | CLONE_NEWNS) ||
		    write(ready[1], "u", 1) != 1 || read(go[0], &c, 1) != 1 ||
		    mount(MOUNT_SOURCE, path, variant->fstype, 0, NULL) ||
		    write(ready[1], "m", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	/* NOBODY is 0 in there, and real root 1 so that it can create inodes. */
	snprintf(map, sizeof(map), "/proc/%d/uid_map", pid);
	ASSERT_EQ(0, write_string(map, "0 65534 1\n1 0 1\n"));
	snprintf(map, sizeof(map), "/proc/%d/gid_map", pid);
	ASSERT_EQ(0, write_string(map, "0 65534 1\n1 0 1\n"));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, read(ready[0], &c, 1));

	/* Real root makes a /dev/null node in the child's mount ... */
	snprintf(node, sizeof(node), "/proc/%d/root%s/null", pid, path);
	EXPECT_EQ(0, mknod(node, S_IFCHR | 0666, makedev(1, 3)));
	ASSERT_EQ(0, stat(node, &st));
	EXPECT_EQ(S_IFCHR | 0666, st.st_mode);
	EXPECT_EQ(makedev(1, 3), st.st_rdev);
	EXPECT_EQ(0, st.st_uid);
	/* ... but even real root cannot open it there. */
	EXPECT_EQ(-1, open(node, O_RDWR));
	EXPECT_EQ(EACCES, errno);
	close(go[1]);
	close(ready[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);

	/* The same node on a mount of the initial user namespace works. */
	ASSERT_EQ(0, mknod(path_join(node, self->dir, "null"), S_IFCHR | 0666, makedev(1, 3)));
	fd = open(node, O_RDWR);
	EXPECT_LE(0, fd);
	close(fd);
}

/* Child: in a user namespace mount at @path, opens a mode 000 file with and without caps. */
static void userns_dac_child(const char *fstype, const char *path, struct res *r)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	char file[PATH_MAX];
	int fd;

	if (enter_userns() || mount(MOUNT_SOURCE, path, fstype, 0, NULL))
		_exit(1);
	record(&r[0], create_file(path_join(file, path, "file"), 0));
	fd = open(file, O_RDWR);
	record(&r[1], fd);
	close(fd);
	record(&r[2], syscall(__NR_capset, &hdr, data));
	record(&r[3], open(file, O_RDONLY));
	record(&r[4], chmod(file, 0600));
	fd = open(file, O_RDWR);
	record(&r[5], fd);
	close(fd);
}

TEST_F(fs, userns_dac_override)
{
	struct res r[MAX_RES];
	char path[PATH_MAX];

	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "u"), 0755));
	ASSERT_EQ(0, run_child(userns_dac_child, variant->fstype, path, r));
	EXPECT_EQ(0, r[0].ret);
	/* Root of the owning user namespace overrides the mode ... */
	EXPECT_LE(0, r[1].ret);
	/* ... without capabilities, the mode holds, even for the owner. */
	EXPECT_EQ(0, r[2].ret);
	EXPECT_EQ(-1, r[3].ret);
	EXPECT_EQ(EACCES, r[3].err);
	EXPECT_EQ(0, r[4].ret);
	EXPECT_LE(0, r[5].ret);
}

/* Child: in a user namespace mount at @path, chowns a file to mapped and unmapped ids. */
static void userns_chown_child(const char *fstype, const char *path, struct res *r)
{
	char file[PATH_MAX];
	struct stat st;

	if (enter_userns() || mount(MOUNT_SOURCE, path, fstype, 0, NULL))
		_exit(1);
	record(&r[0], create_file(path_join(file, path, "file"), 0644));
	record(&r[1], chown(file, 1, -1));
	record(&r[2], chown(file, -1, 1));
	record(&r[3], chown(file, 0, 0));
	record(&r[4], stat(file, &st));
	r[5].ret = st.st_uid;
	r[6].ret = st.st_gid;
}

TEST_F(fs, userns_chown_unmapped)
{
	struct res r[MAX_RES];
	char path[PATH_MAX];

	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "u"), 0755));
	ASSERT_EQ(0, run_child(userns_chown_child, variant->fstype, path, r));
	EXPECT_EQ(0, r[0].ret);
	/* Only 0 is mapped in the namespace. */
	EXPECT_EQ(-1, r[1].ret);
	EXPECT_EQ(EINVAL, r[1].err);
	EXPECT_EQ(-1, r[2].ret);
	EXPECT_EQ(EINVAL, r[2].err);
	EXPECT_EQ(0, r[3].ret);
	EXPECT_EQ(0, r[4].ret);
	EXPECT_EQ(0, r[5].ret);
	EXPECT_EQ(0, r[6].ret);
}

/* Child: NOBODY, in no new namespace, tries to mount at @path. */
static void no_userns_child(const char *fstype, const char *path, struct res *r)
{
	if (become(NOBODY, NOBODY))
		_exit(1);
	record(&r[0], mount(MOUNT_SOURCE, path, fstype, 0, NULL));
	record(&r[1], sys_fsopen(fstype, FSOPEN_CLOEXEC));
	record(&r[2], umount(path));
	record(&r[3], unshare(CLONE_NEWNS));
}

TEST_F(fs, userns_no_mount)
{
	struct res r[MAX_RES];
	char path[PATH_MAX];
	int i;

	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "u"), 0755));
	ASSERT_EQ(0, run_child(no_userns_child, variant->fstype, path, r));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(-1, r[i].ret);
		EXPECT_EQ(EPERM, r[i].err) {
			TH_LOG("step %d: %s", i, strerror(r[i].err));
		}
	}
}

/* Child: root in a new user namespace, first without then with a new mount namespace. */
static void no_mntns_child(const char *fstype, const char *path, struct res *r)
{
	if (become(NOBODY, NOBODY) || unshare(CLONE_NEWUSER) ||
	    write_string("/proc/self/setgroups", "deny") ||
	    write_string("/proc/self/uid_map", "0 65534 1") ||
	    write_string("/proc/self/gid_map", "0 65534 1"))
		_exit(1);
	record(&r[0], mount(MOUNT_SOURCE, path, fstype, 0, NULL));
	record(&r[1], sys_fsopen(fstype, FSOPEN_CLOEXEC));
	record(&r[2], unshare(CLONE_NEWNS));
	record(&r[3], mount(MOUNT_SOURCE, path, fstype, 0, NULL));
}

TEST_F(fs, userns_no_mount_mntns)
{
	struct res r[MAX_RES];
	char path[PATH_MAX];

	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "u"), 0755));
	ASSERT_EQ(0, run_child(no_mntns_child, variant->fstype, path, r));
	/* The mount namespace still belongs to the initial user namespace. */
	EXPECT_EQ(-1, r[0].ret);
	EXPECT_EQ(EPERM, r[0].err);
	EXPECT_EQ(-1, r[1].ret);
	EXPECT_EQ(EPERM, r[1].err);
	/* With one of its own, mounting works. */
	EXPECT_EQ(0, r[2].ret);
	EXPECT_EQ(0, r[3].ret);
}

/* Child: as root of a new user namespace, mounts @fstype on @path with the mount API. */
static void userns_fsopen_child(const char *fstype, const char *path, struct res *r)
{
	char file[PATH_MAX];
	struct stat st;
	int fd, mfd;

	if (enter_userns())
		_exit(1);
	fd = sys_fsopen(fstype, FSOPEN_CLOEXEC);
	record(&r[0], fd);
	record(&r[1], sys_fsconfig(fd, FSCONFIG_SET_STRING, "mode", "700", 0));
	mfd = create_mount(fd, 0);
	record(&r[2], mfd);
	record(&r[3], fstat(mfd, &st));
	r[4].ret = st.st_mode;
	r[5].ret = st.st_uid;
	record(&r[6], sys_move_mount(mfd, path));
	record(&r[7], create_file(path_join(file, path, "file"), 0644));
	record(&r[8], count_entries(path));
}

TEST_F(fs, userns_fsopen)
{
	struct res r[MAX_RES];
	char path[PATH_MAX];
	int i;

	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "u"), 0755));
	ASSERT_EQ(0, run_child(userns_fsopen_child, variant->fstype, path, r));
	for (i = 0; i <= 2; i++) {
		EXPECT_LE(0, r[i].ret) {
			TH_LOG("step %d: %s", i, strerror(r[i].err));
		}
	}
	EXPECT_EQ(0, r[3].ret);
	EXPECT_EQ(S_IFDIR | 0700, r[4].ret);
	EXPECT_EQ(0, r[5].ret);
	EXPECT_EQ(0, r[6].ret);
	EXPECT_EQ(0, r[7].ret);
	EXPECT_EQ(3, r[8].ret);
}

/* ---- extended attributes ----------------------------------------------- */

/*
 * ramfs has no xattr handlers. Whether listxattr() returns anything depends on
 * the LSM (security.* names only), so the cases below avoid security.*.
 */

/* Does the listxattr() result @list of @len bytes hold only security.* names? */
static bool only_security_names(const char *list, ssize_t len)
{
	const char *p;

	for (p = list; p < list + len; p += strlen(p) + 1)
		if (strncmp(p, "security.", 9))
			return false;
	return true;
}

TEST_F(fs, xattr_user_eopnotsupp)
{
	char file[PATH_MAX], dir[PATH_MAX], buf[16];
	int fd;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	EXPECT_EQ(-1, setxattr(file, "user.test", "v", 1, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, setxattr(file, "user.test", "v", 1, XATTR_CREATE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, getxattr(file, "user.test", buf, sizeof(buf)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, getxattr(file, "user.test", NULL, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, removexattr(file, "user.test"));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, setxattr(dir, "user.test", "v", 1, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, getxattr(dir, "user.test", buf, sizeof(buf)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* Through a descriptor, too. */
	fd = open(file, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, fsetxattr(fd, "user.test", "v", 1, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, fgetxattr(fd, "user.test", buf, sizeof(buf)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, fremovexattr(fd, "user.test"));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fd);
}

TEST_F(fs, xattr_user_special)
{
	char link[PATH_MAX], fifo[PATH_MAX], buf[16];

	/* user.* is for files and directories only: the VFS says no first. */
	ASSERT_EQ(0, symlink("x", path_join(link, self->dir, "link")));
	ASSERT_EQ(0, mkfifo(path_join(fifo, self->dir, "fifo"), 0666));
	EXPECT_EQ(-1, lsetxattr(link, "user.test", "v", 1, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, lgetxattr(link, "user.test", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(-1, lremovexattr(link, "user.test"));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, setxattr(fifo, "user.test", "v", 1, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, getxattr(fifo, "user.test", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	/* Other namespaces reach the file system. */
	EXPECT_EQ(-1, lsetxattr(link, "trusted.test", "v", 1, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, getxattr(fifo, "trusted.test", buf, sizeof(buf)));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_F(fs, xattr_trusted)
{
	char file[PATH_MAX], buf[16];

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	EXPECT_EQ(-1, setxattr(file, "trusted.test", "v", 1, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, getxattr(file, "trusted.test", buf, sizeof(buf)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, removexattr(file, "trusted.test"));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, setxattr(self->dir, "trusted.test", "v", 1, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_F(fs, xattr_posix_acl)
{
	/* A valid minimal access ACL: user::rw-, group::r--, other::r--. */
	struct {
		struct posix_acl_xattr_header h;
		struct posix_acl_xattr_entry e[3];
	} acl = {
		{ htole32(POSIX_ACL_XATTR_VERSION) }, {
			{ htole16(ACL_USER_OBJ), htole16(6), htole32(ACL_UNDEFINED_ID) },
			{ htole16(ACL_GROUP_OBJ), htole16(4), htole32(ACL_UNDEFINED_ID) },
			{ htole16(ACL_OTHER), htole16(4), htole32(ACL_UNDEFINED_ID) },
		},
	};
	char file[PATH_MAX], dir[PATH_MAX], buf[64];
	struct stat st;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0640));
	ASSERT_EQ(0, mkdir(path_join(dir, self->dir, "dir"), 0755));
	EXPECT_EQ(-1, setxattr(file, "system.posix_acl_access", &acl, sizeof(acl), 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, getxattr(file, "system.posix_acl_access", buf, sizeof(buf)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, removexattr(file, "system.posix_acl_access"));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, setxattr(dir, "system.posix_acl_default", &acl, sizeof(acl), 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, getxattr(dir, "system.posix_acl_default", buf, sizeof(buf)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
}

TEST_F(fs, xattr_list)
{
	char file[PATH_MAX], link[PATH_MAX], buf[256];
	ssize_t n;
	int fd;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	ASSERT_EQ(0, symlink("file", path_join(link, self->dir, "link")));
	setxattr(file, "user.test", "v", 1, 0);
	n = listxattr(file, buf, sizeof(buf));
	ASSERT_LE(0, n);
	EXPECT_TRUE(only_security_names(buf, n));
	n = listxattr(file, NULL, 0);
	EXPECT_LE(0, n);
	n = llistxattr(link, buf, sizeof(buf));
	ASSERT_LE(0, n);
	EXPECT_TRUE(only_security_names(buf, n));
	n = listxattr(self->dir, buf, sizeof(buf));
	ASSERT_LE(0, n);
	EXPECT_TRUE(only_security_names(buf, n));
	fd = open(file, O_RDONLY);
	ASSERT_LE(0, fd);
	n = flistxattr(fd, buf, sizeof(buf));
	ASSERT_LE(0, n);
	EXPECT_TRUE(only_security_names(buf, n));
	close(fd);
}

TEST_F(fs, xattr_bad_name)
{
	char file[PATH_MAX], name[300], buf[16];
	size_t big = 65536 + 1;
	char *value;

	ASSERT_EQ(0, create_file(path_join(file, self->dir, "file"), 0644));
	/* An unknown namespace reaches the file system. */
	EXPECT_EQ(-1, setxattr(file, "foo.bar", "v", 1, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, getxattr(file, "foo.bar", buf, sizeof(buf)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* Malformed requests never do. */
	EXPECT_EQ(-1, setxattr(file, "", "v", 1, 0));
	EXPECT_EQ(ERANGE, errno);
	memset(name, 'n', sizeof(name));
	memcpy(name, "user.", 5);
	name[256] = '\0';
	EXPECT_EQ(-1, setxattr(file, name, "v", 1, 0));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, setxattr(file, "user.test", "v", 1, 4));
	EXPECT_EQ(EINVAL, errno);
	value = calloc(1, big);
	ASSERT_NE(NULL, value);
	EXPECT_EQ(-1, setxattr(file, "user.test", value, big, 0));
	EXPECT_EQ(E2BIG, errno);
	free(value);
}

TEST_HARNESS_MAIN
