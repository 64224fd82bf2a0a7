// SPDX-License-Identifier: GPL-2.0
/*
 * rust_ramfs as the upper layer of overlayfs, as tmpfs is: the overlay mounts
 * without a complaint in the kernel log (d_type, O_TMPFILE, RENAME_WHITEOUT
 * and trusted. xattrs on the upper fs), copy-up of data, metadata and
 * symbolic links, whiteouts for unlink(2) and rmdir(2), opaque directories,
 * redirects of renamed directories, and RENAME_WHITEOUT used directly.
 *
 * Every case runs once against tmpfs and once against rust_ramfs mounted with
 * "xattr" (without it rust_ramfs has no xattrs, and overlayfs needs trusted.
 * ones on its upper layer), with exactly the same expectations. Each case
 * acts on the merged directory and checks the result in the upper layer with
 * plain system calls. The lower layer lives on the same file system instance
 * as the upper one, below a scratch mount in a private mount namespace.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64

#include "kselftest_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "tmpfs_compare.h"

#define MOUNT_SOURCE		"tmpfs_overlay_test"
#define OVERLAYFS_MAGIC		0x794c7630
#define XATTR_OPAQUE		"trusted.overlay.opaque"
#define XATTR_REDIRECT		"trusted.overlay.redirect"
#define STR_SIZE		256	/* the buffers of the helpers returning strings */

#ifndef RENAME_WHITEOUT
#define RENAME_WHITEOUT		4	/* as in <linux/fs.h> */
#endif

FIXTURE(ovl) {
	char dir[PATH_MAX];	/* the scratch mount of the file system under test */
	char lower[PATH_MAX];
	char upper[PATH_MAX];
	char work[PATH_MAX];
	char merged[PATH_MAX];
	char kmsg[STR_SIZE];	/* what overlayfs logged while mounting, or "" */
	int kmsg_err;		/* why /dev/kmsg could not be read, or 0 */
};

FIXTURE_VARIANT(ovl) {
	const char *fstype;
	const char *opts;
};

FIXTURE_VARIANT_ADD(ovl, tmpfs) {
	.fstype = "tmpfs",
	.opts = "mode=0755",
};

FIXTURE_VARIANT_ADD(ovl, rust_ramfs) {
	.fstype = "rust_ramfs",
	.opts = "mode=0755,xattr",
};

/* Opens /dev/kmsg positioned after the last record, or returns -1. */
static int kmsg_open_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Copies to @line the first record left in @fd that holds @needle, or "". */
static void kmsg_find(int fd, const char *needle, char *line, size_t size)
{
	char rec[8192];
	size_t len;
	ssize_t n;

	line[0] = '\0';
	for (;;) {
		/* One record a read; EPIPE: records were overwritten meanwhile. */
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;
		if (n <= 0)
			break;		/* EAGAIN: no more records */
		rec[n] = '\0';
		if (!line[0] && strstr(rec, needle)) {
			len = strcspn(rec, "\n");
			if (len >= size)
				len = size - 1;
			memcpy(line, rec, len);
			line[len] = '\0';
		}
	}
}

/*
 * Mounts the overlay of @o->lower and @o->upper on @o->merged, with @extra
 * options. Notes in @o->kmsg the first line overlayfs logged meanwhile, or in
 * @o->kmsg_err why the kernel log could not be read.
 * Metadata copy-up is off (as it is by default) so that copy-up copies data.
 */
/* FIXTURE_DATA(ovl), spelt out for checkpatch. */
static int mount_overlay(struct _test_data_ovl *o, const char *extra)
{
	char opts[4096];
	int fd, ret, err;

	ret = snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s,metacopy=off%s",
		       o->lower, o->upper, o->work, extra);
	if (ret < 0 || ret >= (int)sizeof(opts)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = kmsg_open_end();
	o->kmsg_err = fd < 0 ? errno : 0;
	ret = mount("overlay", o->merged, "overlay", 0, opts);
	err = errno;
	o->kmsg[0] = '\0';
	if (fd >= 0) {
		kmsg_find(fd, "overlayfs:", o->kmsg, sizeof(o->kmsg));
		close(fd);
	}
	errno = err;
	return ret;
}

/* Creates the file @path with @mode holding @s. */
static int create_file(const char *path, mode_t mode, const char *s)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);

	if (fd < 0)
		return -1;
	close(fd);
	return write_string(path, s);
}

/* Fills the lower layer; returns the number of the failing step, or 0. */
static int populate_lower(const char *lower)
{
	char path[PATH_MAX];

	if (create_file(path_join(path, lower, "f"), 0644, "lower\n"))
		return 1;
	if (mkdir(path_join(path, lower, "d"), 0755))
		return 2;
	if (create_file(path_join(path, lower, "d/g"), 0644, "g\n"))
		return 3;
	if (mkdir(path_join(path, lower, "e"), 0755))
		return 4;
	if (symlink("f", path_join(path, lower, "l")))
		return 5;
	if (create_file(path_join(path, lower, "ro"), 0640, "ro\n"))
		return 6;
	return 0;
}

FIXTURE_SETUP(ovl)
{
	int ret;

	self->dir[0] = '\0';
	umask(0);

	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (!fs_available(variant->fstype))
		SKIP(return, "file system type %s not available", variant->fstype);
	if (!fs_available("overlay"))
		SKIP(return, "file system type overlay not available");

	/* Anything mounted from now on disappears with this process. */
	ret = unshare(CLONE_NEWNS) ? 0 : mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	ASSERT_EQ(0, ret);

	snprintf(self->dir, sizeof(self->dir), "/tmp/tmpfs_overlay_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ret = mount(MOUNT_SOURCE, self->dir, variant->fstype, 0, variant->opts);
	if (ret) {
		TH_LOG("mount -t %s on %s: %s", variant->fstype, self->dir, strerror(errno));
		rmdir(self->dir);
		self->dir[0] = '\0';
	}
	ASSERT_EQ(0, ret);

	ASSERT_EQ(0, mkdir(path_join(self->lower, self->dir, "lower"), 0755));
	ASSERT_EQ(0, mkdir(path_join(self->upper, self->dir, "upper"), 0755));
	ASSERT_EQ(0, mkdir(path_join(self->work, self->dir, "work"), 0755));
	ASSERT_EQ(0, mkdir(path_join(self->merged, self->dir, "merged"), 0755));
	ASSERT_EQ(0, populate_lower(self->lower));
	ASSERT_EQ(0, mount_overlay(self, "")) {
		TH_LOG("mount -t overlay with upper on %s: %s", variant->fstype,
		       strerror(errno));
	}
}

FIXTURE_TEARDOWN(ovl)
{
	if (!self->dir[0])
		return;
	/* Detaches the scratch mount with the overlay (if any) on it. */
	umount2(self->merged, MNT_DETACH);
	EXPECT_EQ(0, umount2(self->dir, MNT_DETACH));
	EXPECT_EQ(0, rmdir(self->dir));
}

/* What @path is: "file", "dir", "symlink", "whiteout", "chr M:N", "missing" or "error N". */
static const char *type_of(char *buf, const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		snprintf(buf, STR_SIZE, errno == ENOENT ? "missing" : "error %d", errno);
	else if (S_ISREG(st.st_mode))
		snprintf(buf, STR_SIZE, "file");
	else if (S_ISDIR(st.st_mode))
		snprintf(buf, STR_SIZE, "dir");
	else if (S_ISLNK(st.st_mode))
		snprintf(buf, STR_SIZE, "symlink");
	else if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
		snprintf(buf, STR_SIZE, "whiteout");
	else if (S_ISCHR(st.st_mode))
		snprintf(buf, STR_SIZE, "chr %u:%u", major(st.st_rdev), minor(st.st_rdev));
	else
		snprintf(buf, STR_SIZE, "mode 0%o", st.st_mode);
	return buf;
}

/* The contents of the file @path, or "error N". */
static const char *contents(char *buf, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, STR_SIZE - 1);

	if (n < 0)
		snprintf(buf, STR_SIZE, "error %d", errno);
	else
		buf[n] = '\0';
	if (fd >= 0)
		close(fd);
	return buf;
}

/* Mode, owner and group of @path, as "0MODE uid:gid", or "error N". */
static const char *attrs(char *buf, const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		snprintf(buf, STR_SIZE, "error %d", errno);
	else
		snprintf(buf, STR_SIZE, "0%o %u:%u", st.st_mode, st.st_uid, st.st_gid);
	return buf;
}

/* The value of the xattr @name of @path (which must hold no NUL), or "error N". */
static const char *xattr_of(char *buf, const char *path, const char *name)
{
	ssize_t n = lgetxattr(path, name, buf, STR_SIZE - 1);

	if (n < 0)
		snprintf(buf, STR_SIZE, "error %d", errno);
	else if (memchr(buf, '\0', n))
		snprintf(buf, STR_SIZE, "%zd bytes with a NUL", n);
	else
		buf[n] = '\0';
	return buf;
}

/* The number of entries of the directory @path besides "." and "..", or -1. */
static int count_entries(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* Removes @path and all below it with unlink(2) and rmdir(2); returns 0 or an errno. */
static int remove_tree(const char *path)
{
	char child[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int err = 0;
	DIR *d;

	if (lstat(path, &st))
		return errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) ? errno : 0;
	d = opendir(path);
	if (!d)
		return errno;
	while (!err && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			err = remove_tree(path_join(child, path, de->d_name));
	closedir(d);
	if (err)
		return err;
	return rmdir(path) ? errno : 0;
}

TEST_F(ovl, mount_clean)
{
	struct statfs sf;

	ASSERT_EQ(0, statfs(self->merged, &sf));
	EXPECT_EQ(OVERLAYFS_MAGIC, sf.f_type);
	if (self->kmsg_err)
		SKIP(return, "cannot read /dev/kmsg: %s", strerror(self->kmsg_err));
	/* Any warning means the upper fs lacks a feature overlayfs wants. */
	EXPECT_STREQ("", self->kmsg) {
		TH_LOG("overlay on %s logged: %s", variant->fstype, self->kmsg);
	}
}

TEST_F(ovl, copy_up_data)
{
	char path[PATH_MAX], buf[STR_SIZE];
	int fd;

	fd = open(path_join(path, self->merged, "f"), O_WRONLY | O_TRUNC | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(6, write(fd, "upper\n", 6));
	close(fd);
	EXPECT_STREQ("upper\n", contents(buf, path_join(path, self->upper, "f")));
	EXPECT_STREQ("lower\n", contents(buf, path_join(path, self->lower, "f")));
	EXPECT_STREQ("upper\n", contents(buf, path_join(path, self->merged, "f")));
}

TEST_F(ovl, copy_up_metadata)
{
	char path[PATH_MAX], buf[STR_SIZE];

	EXPECT_STREQ("missing", type_of(buf, path_join(path, self->upper, "ro")));
	ASSERT_EQ(0, chmod(path_join(path, self->merged, "ro"), 0600));
	ASSERT_EQ(0, chown(path, 1000, 1000));
	/* The whole file is copied up, then changed there. */
	EXPECT_STREQ("0100600 1000:1000", attrs(buf, path_join(path, self->upper, "ro")));
	EXPECT_STREQ("ro\n", contents(buf, path));
	EXPECT_STREQ("0100600 1000:1000", attrs(buf, path_join(path, self->merged, "ro")));
	EXPECT_STREQ("0100640 0:0", attrs(buf, path_join(path, self->lower, "ro")));
	EXPECT_STREQ("ro\n", contents(buf, path));
}

TEST_F(ovl, whiteout_on_unlink)
{
	char path[PATH_MAX], buf[STR_SIZE];

	ASSERT_EQ(0, unlink(path_join(path, self->merged, "f")));
	EXPECT_STREQ("whiteout", type_of(buf, path_join(path, self->upper, "f")));
	EXPECT_STREQ("missing", type_of(buf, path_join(path, self->merged, "f")));
	EXPECT_STREQ("lower\n", contents(buf, path_join(path, self->lower, "f")));
}

TEST_F(ovl, whiteout_on_rmdir)
{
	char path[PATH_MAX], buf[STR_SIZE];

	ASSERT_EQ(0, unlink(path_join(path, self->merged, "d/g")));
	EXPECT_STREQ("whiteout", type_of(buf, path_join(path, self->upper, "d/g")));
	ASSERT_EQ(0, rmdir(path_join(path, self->merged, "d"))) {
		TH_LOG("rmdir %s: %s", path, strerror(errno));
	}
	EXPECT_STREQ("whiteout", type_of(buf, path_join(path, self->upper, "d")));
	EXPECT_STREQ("missing", type_of(buf, path_join(path, self->merged, "d")));
	/* A lower directory that was empty from the start. */
	ASSERT_EQ(0, rmdir(path_join(path, self->merged, "e")));
	EXPECT_STREQ("whiteout", type_of(buf, path_join(path, self->upper, "e")));
	EXPECT_STREQ("missing", type_of(buf, path_join(path, self->merged, "e")));
	EXPECT_STREQ("g\n", contents(buf, path_join(path, self->lower, "d/g")));
}

TEST_F(ovl, opaque_dir)
{
	char path[PATH_MAX], buf[STR_SIZE];

	ASSERT_EQ(0, unlink(path_join(path, self->merged, "d/g")));
	ASSERT_EQ(0, rmdir(path_join(path, self->merged, "d")));
	ASSERT_EQ(0, mkdir(path, 0755)) {
		TH_LOG("mkdir %s over a whiteout: %s", path, strerror(errno));
	}
	/* The new directory hides the lower one. */
	EXPECT_STREQ("dir", type_of(buf, path_join(path, self->upper, "d")));
	EXPECT_STREQ("y", xattr_of(buf, path, XATTR_OPAQUE));
	EXPECT_EQ(0, count_entries(path));
	EXPECT_EQ(0, count_entries(path_join(path, self->merged, "d")));
	EXPECT_STREQ("missing", type_of(buf, path_join(path, self->merged, "d/g")));
	EXPECT_STREQ("g\n", contents(buf, path_join(path, self->lower, "d/g")));
}

TEST_F(ovl, redirect_dir)
{
	char path[PATH_MAX], to[PATH_MAX], buf[STR_SIZE];

	/* Only with redirect_dir=on can a lower directory be renamed (else EXDEV). */
	ASSERT_EQ(0, umount2(self->merged, 0));
	ASSERT_EQ(0, mount_overlay(self, ",redirect_dir=on")) {
		TH_LOG("mount -t overlay -o redirect_dir=on: %s", strerror(errno));
	}
	EXPECT_STREQ("", self->kmsg);
	path_join(path, self->merged, "d");
	ASSERT_EQ(0, rename(path, path_join(to, self->merged, "d2"))) {
		TH_LOG("rename %s to %s: %s", path, to, strerror(errno));
	}
	EXPECT_STREQ("dir", type_of(buf, path_join(path, self->upper, "d2")));
	/* Relative ("d") within the same directory, or absolute ("/d"). */
	xattr_of(buf, path, XATTR_REDIRECT);
	TH_LOG("%s of %s: \"%s\"", XATTR_REDIRECT, path, buf);
	EXPECT_TRUE(!strcmp(buf, "d") || !strcmp(buf, "/d"));
	/* The old name is whited out, as the lower directory is still there. */
	EXPECT_STREQ("whiteout", type_of(buf, path_join(path, self->upper, "d")));
	EXPECT_STREQ("missing", type_of(buf, path_join(path, self->merged, "d")));
	EXPECT_STREQ("g\n", contents(buf, path_join(path, self->merged, "d2/g")));
	EXPECT_STREQ("missing", type_of(buf, path_join(path, self->upper, "d2/g")));
}

TEST_F(ovl, rm_rf_merged_dir)
{
	char path[PATH_MAX], buf[STR_SIZE];

	/* Mixes entries of the upper layer with the lower d/g. */
	ASSERT_EQ(0, create_file(path_join(path, self->merged, "d/new"), 0644, "new\n"));
	ASSERT_EQ(0, mkdir(path_join(path, self->merged, "d/sub"), 0755));
	ASSERT_EQ(0, create_file(path_join(path, self->merged, "d/sub/x"), 0644, "x\n"));
	EXPECT_EQ(0, remove_tree(path_join(path, self->merged, "d")));
	EXPECT_STREQ("missing", type_of(buf, path));
	EXPECT_STREQ("whiteout", type_of(buf, path_join(path, self->upper, "d")));
	EXPECT_STREQ("g\n", contents(buf, path_join(path, self->lower, "d/g")));
}

TEST_F(ovl, copy_up_symlink)
{
	char path[PATH_MAX], buf[STR_SIZE];
	ssize_t n;

	ASSERT_EQ(0, lchown(path_join(path, self->merged, "l"), 1000, 1000));
	EXPECT_STREQ("symlink", type_of(buf, path_join(path, self->upper, "l")));
	n = readlink(path, buf, sizeof(buf) - 1);
	ASSERT_EQ(1, n);
	buf[n] = '\0';
	EXPECT_STREQ("f", buf);
	EXPECT_STREQ("0120777 1000:1000", attrs(buf, path));
	EXPECT_STREQ("0120777 0:0", attrs(buf, path_join(path, self->lower, "l")));
	EXPECT_STREQ("lower\n", contents(buf, path_join(path, self->merged, "l")));
}

TEST_F(ovl, new_file_in_lower_dir)
{
	char path[PATH_MAX], buf[STR_SIZE];

	ASSERT_EQ(0, create_file(path_join(path, self->merged, "d/new"), 0644, "new\n"));
	/* Only the directory is copied up, not what it holds. */
	EXPECT_STREQ("dir", type_of(buf, path_join(path, self->upper, "d")));
	EXPECT_STREQ("new\n", contents(buf, path_join(path, self->upper, "d/new")));
	EXPECT_STREQ("missing", type_of(buf, path_join(path, self->upper, "d/g")));
	EXPECT_STREQ("missing", type_of(buf, path_join(path, self->lower, "d/new")));
	EXPECT_STREQ("g\n", contents(buf, path_join(path, self->merged, "d/g")));
	EXPECT_EQ(2, count_entries(path_join(path, self->merged, "d")));
}

TEST_F(ovl, rename_whiteout_direct)
{
	char a[PATH_MAX], b[PATH_MAX], buf[STR_SIZE];

	/* On the file system under test itself, not through the overlay. */
	ASSERT_EQ(0, create_file(path_join(a, self->dir, "a"), 0644, "a\n"));
	path_join(b, self->dir, "b");
	ASSERT_EQ(0, syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_WHITEOUT)) {
		TH_LOG("renameat2(RENAME_WHITEOUT) on %s: %s", variant->fstype, strerror(errno));
	}
	EXPECT_STREQ("whiteout", type_of(buf, a));
	EXPECT_STREQ("a\n", contents(buf, b));
	EXPECT_STREQ("0100644 0:0", attrs(buf, b));
}

TEST_HARNESS_MAIN
