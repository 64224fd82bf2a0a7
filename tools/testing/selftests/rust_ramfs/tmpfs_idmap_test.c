// SPDX-License-Identifier: GPL-2.0
/*
 * Idmapped mounts of rust_ramfs, as tmpfs has them (FS_ALLOW_IDMAP): the
 * owner of new inodes, stat, chown, chmod and set-group-ID inheritance seen
 * through a mount idmapped with mount_setattr(MOUNT_ATTR_IDMAP).
 *
 * Every case runs once against tmpfs and once against rust_ramfs, with
 * exactly the same expectations. The idmap is a user namespace mapping ids
 * 0..NS_RANGE-1 to NS_BASE..: an inode owned by id N on the file system is
 * seen as owned by NS_BASE + N through the idmapped mount, and a caller with
 * fsuid NS_BASE + N creates inodes owned by N.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64

#include "kselftest_harness.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/mount.h>

#include "tmpfs_compare.h"

#define NS_BASE		10000	/* the idmap maps ids 0.. to NS_BASE.. */
#define NS_RANGE	1000	/* ids mapped */
#define OVERFLOW_ID	65534	/* how stat shows an id without a mapping */

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

FIXTURE(idmap) {
	char dir[PATH_MAX];	/* the file system, mounted without an idmap */
	char mapped[PATH_MAX];	/* the same, mounted with the idmap */
};

FIXTURE_VARIANT(idmap) {
	const char *fstype;
};

FIXTURE_VARIANT_ADD(idmap, tmpfs) {
	.fstype = "tmpfs",
};

FIXTURE_VARIANT_ADD(idmap, rust_ramfs) {
	.fstype = "rust_ramfs",
};

static int sys_open_tree(int dfd, const char *path, unsigned int flags)
{
	return syscall(__NR_open_tree, dfd, path, flags);
}

static int sys_mount_setattr(int dfd, const char *path, unsigned int flags,
			     struct mount_attr *attr)
{
	return syscall(__NR_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

static int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
			  unsigned int flags)
{
	return syscall(__NR_move_mount, from_dfd, from, to_dfd, to, flags);
}

/* Returns an fd for a new user namespace with the idmap's mapping, or -1. */
static int idmap_userns_fd(void)
{
	int ready[2], done[2], fd = -1;
	char path[64], map[64], c = 0;
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
	snprintf(map, sizeof(map), "0 %d %d", NS_BASE, NS_RANGE);
	if (pid > 0 && read(ready[0], &c, 1) == 1 && c == 'o') {
		snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
		if (!write_string(path, map)) {
			snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
			if (!write_string(path, map)) {
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

FIXTURE_SETUP(idmap)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
	int fd, ufd;

	self->dir[0] = '\0';
	self->mapped[0] = '\0';
	umask(0);
	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (!fs_available(variant->fstype))
		SKIP(return, "file system type %s not available", variant->fstype);

	/* Anything mounted from now on disappears with this process. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));

	snprintf(self->dir, sizeof(self->dir), "/tmp/tmpfs_idmap_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->mapped, sizeof(self->mapped), "/tmp/tmpfs_idmap_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->mapped));
	ASSERT_EQ(0, mount("tmpfs_idmap_test", self->dir, variant->fstype, 0, "mode=0777"));

	/* An idmapped copy of that mount on self->mapped. */
	ufd = idmap_userns_fd();
	ASSERT_LE(0, ufd);
	fd = sys_open_tree(AT_FDCWD, self->dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	ASSERT_LE(0, fd);
	attr.userns_fd = ufd;
	ASSERT_EQ(0, sys_mount_setattr(fd, "", AT_EMPTY_PATH, &attr)) {
		TH_LOG("mount_setattr(MOUNT_ATTR_IDMAP) on %s: %s", variant->fstype,
		       strerror(errno));
	}
	ASSERT_EQ(0, sys_move_mount(fd, "", AT_FDCWD, self->mapped, MOVE_MOUNT_F_EMPTY_PATH));
	close(fd);
	close(ufd);
}

FIXTURE_TEARDOWN(idmap)
{
	if (self->mapped[0]) {
		umount2(self->mapped, MNT_DETACH);
		rmdir(self->mapped);
	}
	if (self->dir[0]) {
		umount2(self->dir, MNT_DETACH);
		rmdir(self->dir);
	}
}

/* The owner and group of @path, as "uid:gid", or "error". */
static const char *owner(char *buf, const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (lstat(path_join(path, dir, name), &st))
		snprintf(buf, 64, "error %d", errno);
	else
		snprintf(buf, 64, "%u:%u", st.st_uid, st.st_gid);
	return buf;
}

/*
 * Runs @fn in a child with fsuid and fsgid @id (which drops the file system
 * capabilities), and returns its exit status, or -1.
 */
static int as_fsid(unsigned int id, int (*fn)(const char *dir), const char *dir)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		setfsgid(id);
		setfsuid(id);
		if (setfsuid(-1) != (int)id || setfsgid(-1) != (int)id)
			_exit(100);
		_exit(fn(dir));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Each failing step returns its own number; 0 if all worked. */
static int create_all(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	fd = open(path_join(path, dir, "file"), O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd < 0)
		return 1;
	close(fd);
	if (mkdir(path_join(path, dir, "dir"), 0755))
		return 2;
	if (mknod(path_join(path, dir, "fifo"), S_IFIFO | 0644, 0))
		return 3;
	if (symlink("file", path_join(path, dir, "link")))
		return 4;
	return 0;
}

static int create_tmpfile(const char *dir)
{
	char path[PATH_MAX], proc[64];
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR, 0600);
	if (fd < 0)
		return 1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path_join(path, dir, "tmp"), AT_SYMLINK_FOLLOW))
		return 2;
	close(fd);
	return 0;
}

static int chmod_file(const char *dir)
{
	char path[PATH_MAX];

	return chmod(path_join(path, dir, "file"), 0600) ? errno : 0;
}

static int create_in_setgid_dir(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	fd = open(path_join(path, dir, "sgid/file"), O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd < 0)
		return 1;
	close(fd);
	return mkdir(path_join(path, dir, "sgid/dir"), 0755) ? 2 : 0;
}

TEST_F(idmap, stat_shows_mapped_owner)
{
	char path[PATH_MAX], a[64], b[64];
	int fd;

	/* Created by root on the plain mount: 0 on disk, NS_BASE through the idmap. */
	fd = open(path_join(path, self->dir, "file"), O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_STREQ("0:0", owner(a, self->dir, "file"));
	snprintf(b, sizeof(b), "%d:%d", NS_BASE, NS_BASE);
	EXPECT_STREQ(b, owner(a, self->mapped, "file"));
	/* Ids outside the idmap's range show as the overflow id. */
	ASSERT_EQ(0, chown(path, NS_RANGE + 5, 7));
	snprintf(b, sizeof(b), "%d:%d", OVERFLOW_ID, NS_BASE + 7);
	EXPECT_STREQ(b, owner(a, self->mapped, "file"));
}

TEST_F(idmap, create_unmapped_fsuid_eoverflow)
{
	char path[PATH_MAX];

	/* Root's fsuid 0 has no mapping through the idmap: nothing can be created. */
	EXPECT_EQ(-1, open(path_join(path, self->mapped, "file"), O_CREAT | O_WRONLY, 0644));
	EXPECT_EQ(EOVERFLOW, errno);
	EXPECT_EQ(-1, mkdir(path_join(path, self->mapped, "dir"), 0755));
	EXPECT_EQ(EOVERFLOW, errno);
	EXPECT_EQ(-1, mknod(path_join(path, self->mapped, "fifo"), S_IFIFO | 0644, 0));
	EXPECT_EQ(EOVERFLOW, errno);
	EXPECT_EQ(-1, symlink("file", path_join(path, self->mapped, "link")));
	EXPECT_EQ(EOVERFLOW, errno);
	EXPECT_EQ(-1, open(self->mapped, O_TMPFILE | O_RDWR, 0600));
	EXPECT_EQ(EOVERFLOW, errno);
	/* Nothing was left behind. */
	EXPECT_EQ(-1, access(path_join(path, self->dir, "file"), F_OK));
	EXPECT_EQ(-1, access(path_join(path, self->dir, "dir"), F_OK));
}

TEST_F(idmap, create_owned_through_idmap)
{
	static const char * const names[] = { "file", "dir", "fifo", "link" };
	char a[64], b[64];
	unsigned int i;

	ASSERT_EQ(0, as_fsid(NS_BASE + 1, create_all, self->mapped));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		/* fsuid NS_BASE + 1 is id 1 on the file system ... */
		EXPECT_STREQ("1:1", owner(a, self->dir, names[i])) {
			TH_LOG("%s", names[i]);
		}
		/* ... and NS_BASE + 1 again through the idmap. */
		snprintf(b, sizeof(b), "%d:%d", NS_BASE + 1, NS_BASE + 1);
		EXPECT_STREQ(b, owner(a, self->mapped, names[i])) {
			TH_LOG("%s", names[i]);
		}
	}
	/* The same fsuid on the plain mount creates as itself. */
	ASSERT_EQ(0, mkdir(path_join(a, self->dir, "plain"), 0777));
	ASSERT_EQ(0, as_fsid(NS_BASE + 1, create_all, a));
	snprintf(b, sizeof(b), "%d:%d", NS_BASE + 1, NS_BASE + 1);
	EXPECT_STREQ(b, owner(a, self->dir, "plain/file"));
}

TEST_F(idmap, tmpfile_owned_through_idmap)
{
	char a[64];

	ASSERT_EQ(0, as_fsid(NS_BASE + 2, create_tmpfile, self->mapped));
	EXPECT_STREQ("2:2", owner(a, self->dir, "tmp"));
}

TEST_F(idmap, chown_through_idmap)
{
	char path[PATH_MAX], a[64];
	int fd;

	fd = open(path_join(path, self->dir, "file"), O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	/* Root chowns through the idmap: ids are mapped back to the file system. */
	ASSERT_EQ(0, chown(path_join(path, self->mapped, "file"), NS_BASE + 5, NS_BASE + 6));
	EXPECT_STREQ("5:6", owner(a, self->dir, "file"));
	/* An id the idmap does not map cannot be stored. */
	EXPECT_EQ(-1, chown(path, 50, -1));
	EXPECT_EQ(EOVERFLOW, errno);
	EXPECT_EQ(-1, chown(path, -1, 50));
	EXPECT_EQ(EOVERFLOW, errno);
	EXPECT_STREQ("5:6", owner(a, self->dir, "file"));
}

TEST_F(idmap, chmod_by_owner_through_idmap)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	fd = open(path_join(path, self->dir, "file"), O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, chown(path, 3, 3));
	/* Owner 3 on disk is NS_BASE + 3 through the idmap, and only there. */
	EXPECT_EQ(0, as_fsid(NS_BASE + 3, chmod_file, self->mapped));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	EXPECT_EQ(EPERM, as_fsid(NS_BASE + 3, chmod_file, self->dir));
	EXPECT_EQ(EPERM, as_fsid(3, chmod_file, self->mapped));
}

TEST_F(idmap, setgid_directory_through_idmap)
{
	char path[PATH_MAX], a[64];
	struct stat st;

	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "sgid"), 0777));
	ASSERT_EQ(0, chown(path, 0, 8));
	ASSERT_EQ(0, chmod(path, 02777));
	ASSERT_EQ(0, as_fsid(NS_BASE + 4, create_in_setgid_dir, self->mapped));
	/* The group comes from the directory; the owner through the idmap. */
	EXPECT_STREQ("4:8", owner(a, self->dir, "sgid/file"));
	EXPECT_STREQ("4:8", owner(a, self->dir, "sgid/dir"));
	ASSERT_EQ(0, stat(path_join(path, self->dir, "sgid/dir"), &st));
	EXPECT_TRUE(st.st_mode & S_ISGID);
}

TEST_HARNESS_MAIN
