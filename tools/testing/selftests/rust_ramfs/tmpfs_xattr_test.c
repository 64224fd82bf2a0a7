// SPDX-License-Identifier: GPL-2.0
/*
 * Extended attributes and POSIX ACLs of rust_ramfs, as tmpfs has them:
 * user., trusted. and security. attributes set, read, listed and removed,
 * the flags and errors of the *xattr(2) calls, the inode limit's share that
 * attributes take (nr_inodes=), access ACLs and the mode, chmod, default ACL
 * inheritance and the umask.
 *
 * Every case runs once against tmpfs and once against rust_ramfs mounted with
 * "xattr,acl" (without them rust_ramfs has neither, like ramfs), with exactly
 * the same expectations. The last tests check the options themselves.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64

#include "kselftest_harness.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>

#include "tmpfs_compare.h"

#define MOUNT_SOURCE	"tmpfs_xattr_test"
#define ACL_ACCESS	"system.posix_acl_access"
#define ACL_DEFAULT	"system.posix_acl_default"
#define BOGO_INODE_SIZE	1024	/* an inode's share of nr_inodes=, in tmpfs's accounting */

/* The xattr format of POSIX ACLs (include/uapi/linux/posix_acl_xattr.h). */
#define ACL_XATTR_VERSION	0x0002
#define ACL_USER_OBJ		0x01
#define ACL_USER		0x02
#define ACL_GROUP_OBJ		0x04
#define ACL_GROUP		0x08
#define ACL_MASK		0x10
#define ACL_OTHER		0x20
#define ACL_UNDEFINED_ID	((uint32_t)-1)

struct acl_entry {
	uint16_t tag;
	uint16_t perm;
	uint32_t id;
};

struct acl_xattr {
	uint32_t version;
	struct acl_entry e[8];
};

FIXTURE(xattr) {
	char dir[PATH_MAX];
	char file[PATH_MAX];
};

FIXTURE_VARIANT(xattr) {
	const char *fstype;
	const char *opts;	/* what gives the file system xattrs and ACLs */
};

FIXTURE_VARIANT_ADD(xattr, tmpfs) {
	.fstype = "tmpfs",
	.opts = "",
};

FIXTURE_VARIANT_ADD(xattr, rust_ramfs) {
	.fstype = "rust_ramfs",
	.opts = ",xattr,acl",
};

/* Mounts the file system under test on @dir with "mode=0755" and @extra options. */
static int mount_fs(const char *fstype, const char *var_opts, const char *dir,
		    const char *extra)
{
	char opts[256];

	snprintf(opts, sizeof(opts), "mode=0755%s%s", var_opts, extra);
	return mount(MOUNT_SOURCE, dir, fstype, 0, opts);
}

FIXTURE_SETUP(xattr)
{
	int ret, fd;

	self->dir[0] = '\0';
	umask(0);

	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (!fs_available(variant->fstype))
		SKIP(return, "file system type %s not available", variant->fstype);

	/* Anything mounted from now on disappears with this process. */
	ret = unshare(CLONE_NEWNS) ? 0 : mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	ASSERT_EQ(0, ret);

	snprintf(self->dir, sizeof(self->dir), "/tmp/tmpfs_xattr_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ret = mount_fs(variant->fstype, variant->opts, self->dir, "");
	if (ret) {
		TH_LOG("mount -t %s on %s: %s", variant->fstype, self->dir, strerror(errno));
		rmdir(self->dir);
		self->dir[0] = '\0';
	}
	ASSERT_EQ(0, ret);
	path_join(self->file, self->dir, "file");
	fd = open(self->file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
}

FIXTURE_TEARDOWN(xattr)
{
	if (!self->dir[0])
		return;
	EXPECT_EQ(0, umount2(self->dir, MNT_DETACH));
	EXPECT_EQ(0, rmdir(self->dir));
}

/* Does the listxattr() result @list of @len bytes hold @name? */
static bool list_has(const char *list, ssize_t len, const char *name)
{
	ssize_t i;

	for (i = 0; i < len; i += strlen(list + i) + 1)
		if (!strcmp(list + i, name))
			return true;
	return false;
}

/*
 * Copies the names of @list (@len bytes) that are not security labels, which
 * a security module may add, to @out; returns their length.
 */
static ssize_t list_without_security(const char *list, ssize_t len, char *out)
{
	ssize_t i, n = 0;

	for (i = 0; i < len; i += strlen(list + i) + 1) {
		if (!strncmp(list + i, "security.", 9))
			continue;
		memcpy(out + n, list + i, strlen(list + i) + 1);
		n += strlen(list + i) + 1;
	}
	return n;
}

/* Files left in the inode limit of the file system holding @path. */
static long ffree(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs))
		return -1;
	return sfs.f_ffree;
}

/* Builds an ACL of @n entries (tag, perm, id triples) in @acl; returns its size. */
static size_t acl_build(struct acl_xattr *acl, int n, const struct acl_entry *e)
{
	int i;

	acl->version = ACL_XATTR_VERSION;
	for (i = 0; i < n; i++)
		acl->e[i] = e[i];
	return sizeof(acl->version) + n * sizeof(acl->e[0]);
}

/* The perm of the entry tagged @tag in the ACL of @size bytes, or -1. */
static int acl_perm(const struct acl_xattr *acl, ssize_t size, uint16_t tag)
{
	int i, n = (size - sizeof(acl->version)) / sizeof(acl->e[0]);

	for (i = 0; i < n; i++)
		if (acl->e[i].tag == tag)
			return acl->e[i].perm;
	return -1;
}

/* The mode bits of @path, or -1. */
static int mode_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return -1;
	return st.st_mode & 07777;
}

TEST_F(xattr, user_set_get)
{
	char buf[16];

	ASSERT_EQ(0, setxattr(self->file, "user.a", "hello", 5, 0));
	EXPECT_EQ(5, getxattr(self->file, "user.a", buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	/* The size alone, then a buffer too small. */
	EXPECT_EQ(5, getxattr(self->file, "user.a", NULL, 0));
	EXPECT_EQ(-1, getxattr(self->file, "user.a", buf, 2));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, getxattr(self->file, "user.missing", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	/* An empty value exists. */
	ASSERT_EQ(0, setxattr(self->file, "user.empty", "", 0, 0));
	EXPECT_EQ(0, getxattr(self->file, "user.empty", buf, sizeof(buf)));
}

TEST_F(xattr, create_and_replace_flags)
{
	char buf[16];

	EXPECT_EQ(-1, setxattr(self->file, "user.a", "1", 1, XATTR_REPLACE));
	EXPECT_EQ(ENODATA, errno);
	ASSERT_EQ(0, setxattr(self->file, "user.a", "1", 1, XATTR_CREATE));
	EXPECT_EQ(-1, setxattr(self->file, "user.a", "2", 1, XATTR_CREATE));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(0, setxattr(self->file, "user.a", "22", 2, XATTR_REPLACE));
	EXPECT_EQ(2, getxattr(self->file, "user.a", buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "22", 2));
	EXPECT_EQ(0, setxattr(self->file, "user.a", "333", 3, 0));
	EXPECT_EQ(3, getxattr(self->file, "user.a", buf, sizeof(buf)));
	/* XATTR_CREATE wins over XATTR_REPLACE. */
	EXPECT_EQ(-1, setxattr(self->file, "user.a", "1", 1, XATTR_CREATE | XATTR_REPLACE));
	EXPECT_EQ(EEXIST, errno);
}

TEST_F(xattr, remove)
{
	char buf[16];

	ASSERT_EQ(0, setxattr(self->file, "user.a", "1", 1, 0));
	EXPECT_EQ(0, removexattr(self->file, "user.a"));
	EXPECT_EQ(-1, getxattr(self->file, "user.a", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(-1, removexattr(self->file, "user.a"));
	EXPECT_EQ(ENODATA, errno);
	/* Set again after removal. */
	EXPECT_EQ(0, setxattr(self->file, "user.a", "2", 1, XATTR_CREATE));
}

TEST_F(xattr, list)
{
	char list[256], names[256];
	ssize_t len;

	ASSERT_EQ(0, setxattr(self->file, "user.a", "1", 1, 0));
	ASSERT_EQ(0, setxattr(self->file, "user.b", "2", 1, 0));
	ASSERT_EQ(0, setxattr(self->file, "trusted.t", "3", 1, 0));
	len = listxattr(self->file, list, sizeof(list));
	ASSERT_LT(0, len);
	EXPECT_EQ(len, listxattr(self->file, NULL, 0));
	/* Each once, in no particular order. */
	len = list_without_security(list, len, names);
	EXPECT_EQ(sizeof("user.a") + sizeof("user.b") + sizeof("trusted.t"), len);
	EXPECT_TRUE(list_has(names, len, "user.a"));
	EXPECT_TRUE(list_has(names, len, "user.b"));
	EXPECT_TRUE(list_has(names, len, "trusted.t"));
	EXPECT_EQ(-1, listxattr(self->file, list, 3));
	EXPECT_EQ(ERANGE, errno);
	/* Removed names go. */
	ASSERT_EQ(0, removexattr(self->file, "user.a"));
	len = listxattr(self->file, list, sizeof(list));
	EXPECT_FALSE(list_has(list, len, "user.a"));
	EXPECT_TRUE(list_has(list, len, "user.b"));
}

TEST_F(xattr, trusted_hidden_from_unprivileged)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, setxattr(self->file, "user.a", "1", 1, 0));
	ASSERT_EQ(0, setxattr(self->file, "trusted.t", "2", 1, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char list[256], buf[8];
		ssize_t len;

		/* Leaving uid 0 drops all capabilities. */
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(10);
		len = listxattr(self->file, list, sizeof(list));
		if (len < 0 || !list_has(list, len, "user.a"))
			_exit(11);
		if (list_has(list, len, "trusted.t"))
			_exit(12);
		if (getxattr(self->file, "trusted.t", buf, sizeof(buf)) != -1 || errno != ENODATA)
			_exit(13);
		if (setxattr(self->file, "trusted.t", "x", 1, 0) != -1 || errno != EPERM)
			_exit(14);
		/* The file is 0644: no user. attribute for others either. */
		if (setxattr(self->file, "user.a", "x", 1, 0) != -1 || errno != EACCES)
			_exit(15);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(xattr, namespaces_by_file_type)
{
	char dir[PATH_MAX], link[PATH_MAX], fifo[PATH_MAX], buf[8];

	path_join(dir, self->dir, "dir");
	path_join(link, self->dir, "link");
	path_join(fifo, self->dir, "fifo");
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, symlink("file", link));
	ASSERT_EQ(0, mknod(fifo, S_IFIFO | 0644, 0));

	/* user. only on regular files and directories. */
	EXPECT_EQ(0, setxattr(dir, "user.a", "d", 1, 0));
	EXPECT_EQ(1, getxattr(dir, "user.a", buf, sizeof(buf)));
	EXPECT_EQ(-1, lsetxattr(link, "user.a", "l", 1, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, setxattr(fifo, "user.a", "f", 1, 0));
	EXPECT_EQ(EPERM, errno);

	/* trusted. on any file. */
	EXPECT_EQ(0, lsetxattr(link, "trusted.a", "l", 1, 0));
	EXPECT_EQ(1, lgetxattr(link, "trusted.a", buf, sizeof(buf)));
	EXPECT_EQ('l', buf[0]);
	EXPECT_EQ(-1, getxattr(self->file, "trusted.a", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(0, setxattr(fifo, "trusted.a", "f", 1, 0));
	EXPECT_EQ(1, getxattr(fifo, "trusted.a", buf, sizeof(buf)));
	EXPECT_EQ(0, removexattr(fifo, "trusted.a"));

	/* security. (no security module claims "security.test"). */
	EXPECT_EQ(0, setxattr(self->file, "security.test", "s", 1, 0));
	EXPECT_EQ(1, getxattr(self->file, "security.test", buf, sizeof(buf)));

	/* No other namespace. */
	EXPECT_EQ(-1, setxattr(self->file, "other.a", "o", 1, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

/* Found by rust_ramfs_fuzz: symlinks list their attributes too. */
TEST_F(xattr, list_on_every_file_type)
{
	char dir[PATH_MAX], link[PATH_MAX], fifo[PATH_MAX], list[256];
	const char *paths[4];
	ssize_t len;
	int i;

	paths[0] = self->file;
	paths[1] = dir;
	paths[2] = link;
	paths[3] = fifo;
	path_join(dir, self->dir, "dir");
	path_join(link, self->dir, "link");
	path_join(fifo, self->dir, "fifo");
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, symlink("file", link));
	ASSERT_EQ(0, mknod(fifo, S_IFIFO | 0644, 0));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, lsetxattr(paths[i], "trusted.a", "x", 1, 0));
		ASSERT_EQ(0, lsetxattr(paths[i], "security.test", "y", 1, 0));
		len = llistxattr(paths[i], list, sizeof(list));
		EXPECT_TRUE(list_has(list, len, "trusted.a")) TH_LOG("%s", paths[i]);
		EXPECT_TRUE(list_has(list, len, "security.test")) TH_LOG("%s", paths[i]);
		EXPECT_EQ(len, llistxattr(paths[i], NULL, 0));
	}
	/* The symlink's own, not its target's. */
	ASSERT_EQ(0, lremovexattr(link, "trusted.a"));
	len = llistxattr(link, list, sizeof(list));
	EXPECT_FALSE(list_has(list, len, "trusted.a"));
	len = listxattr(link, list, sizeof(list));
	EXPECT_TRUE(list_has(list, len, "trusted.a"));
}

/*
 * Found by rust_ramfs_fuzz: the VFS lists the ACLs an inode has not read yet,
 * so a root that nothing has looked at yet must record that it has none.
 */
TEST_F(xattr, fresh_root_lists_no_acl)
{
	char sub[PATH_MAX], list[256], buf[64];
	ssize_t len;

	path_join(sub, self->dir, "sub");
	ASSERT_EQ(0, mkdir(sub, 0755));
	ASSERT_EQ(0, mount_fs(variant->fstype, variant->opts, sub, ""));
	len = llistxattr(sub, list, sizeof(list));
	ASSERT_LE(0, len);
	EXPECT_FALSE(list_has(list, len, "system.posix_acl_access"));
	EXPECT_FALSE(list_has(list, len, "system.posix_acl_default"));
	EXPECT_EQ(-1, getxattr(sub, "system.posix_acl_default", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(0, umount(sub));
}

TEST_F(xattr, limits_of_names_and_values)
{
	char name[300], *value;

	value = calloc(1, 65537);
	ASSERT_NE(NULL, value);
	EXPECT_EQ(0, setxattr(self->file, "user.big", value, 65536, 0));
	EXPECT_EQ(65536, getxattr(self->file, "user.big", NULL, 0));
	EXPECT_EQ(-1, setxattr(self->file, "user.big", value, 65537, 0));
	EXPECT_EQ(E2BIG, errno);
	free(value);

	memset(name, 'n', sizeof(name));
	memcpy(name, "user.", 5);
	name[255] = '\0';
	EXPECT_EQ(0, setxattr(self->file, name, "v", 1, 0));
	name[255] = 'n';
	name[256] = '\0';
	EXPECT_EQ(-1, setxattr(self->file, name, "v", 1, 0));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, setxattr(self->file, "user.", "v", 1, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(xattr, follows_the_inode)
{
	char other[PATH_MAX], renamed[PATH_MAX], buf[8];

	path_join(other, self->dir, "other");
	path_join(renamed, self->dir, "renamed");
	ASSERT_EQ(0, setxattr(self->file, "user.a", "1", 1, 0));
	ASSERT_EQ(0, link(self->file, other));
	EXPECT_EQ(1, getxattr(other, "user.a", buf, sizeof(buf)));
	ASSERT_EQ(0, rename(self->file, renamed));
	EXPECT_EQ(1, getxattr(renamed, "user.a", buf, sizeof(buf)));
	/* A new inode under the old name has none. */
	ASSERT_EQ(0, mknod(self->file, S_IFREG | 0644, 0));
	EXPECT_EQ(-1, getxattr(self->file, "user.a", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
}

TEST_F(xattr, change_updates_ctime)
{
	struct timespec pause = { .tv_nsec = 20 * 1000 * 1000 };
	struct stat before, after;

	ASSERT_EQ(0, stat(self->file, &before));
	nanosleep(&pause, NULL);
	ASSERT_EQ(0, setxattr(self->file, "user.a", "1", 1, 0));
	ASSERT_EQ(0, stat(self->file, &after));
	EXPECT_TRUE(after.st_ctim.tv_sec > before.st_ctim.tv_sec ||
		    (after.st_ctim.tv_sec == before.st_ctim.tv_sec &&
		     after.st_ctim.tv_nsec > before.st_ctim.tv_nsec));
	EXPECT_EQ(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
}

/*
 * With nr_inodes=, attributes take their simple_xattr_space() (40 bytes, the
 * name and the value) of the BOGO_INODE_SIZE bytes each inode has, as in tmpfs.
 */
TEST_F(xattr, inode_limit_space)
{
	char sub[PATH_MAX], a[PATH_MAX], b[PATH_MAX], *value;
	int fd;

	path_join(sub, self->dir, "sub");
	path_join(a, sub, "a");
	path_join(b, sub, "b");
	ASSERT_EQ(0, mkdir(sub, 0755));
	ASSERT_EQ(0, mount_fs(variant->fstype, variant->opts, sub, ",nr_inodes=4"));
	/* The root takes one inode. */
	EXPECT_EQ(3, ffree(sub));

	/* 40 + 2000 + strlen("user.big") = 2048 bytes: two inodes' worth. */
	value = calloc(1, 2000);
	ASSERT_NE(NULL, value);
	ASSERT_EQ(0, setxattr(sub, "user.big", value, 2000, 0));
	EXPECT_EQ(1, ffree(sub));
	fd = open(a, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, ffree(sub));
	EXPECT_EQ(-1, mknod(b, S_IFREG | 0644, 0));
	EXPECT_EQ(ENOSPC, errno);
	/* Not even a byte left for an attribute. */
	EXPECT_EQ(-1, setxattr(a, "user.x", "1", 1, 0));
	EXPECT_EQ(ENOSPC, errno);

	/* A new value takes its space before the old one gives its own back. */
	EXPECT_EQ(-1, setxattr(sub, "user.big", value, 900, XATTR_REPLACE));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, unlink(a));
	EXPECT_EQ(1, ffree(sub));
	/* 1024 - 948 + 2048 bytes free. */
	ASSERT_EQ(0, setxattr(sub, "user.big", value, 900, XATTR_REPLACE));
	EXPECT_EQ(2, ffree(sub));
	/* Removing it gives everything back, and so does deleting a file with one. */
	ASSERT_EQ(0, removexattr(sub, "user.big"));
	EXPECT_EQ(3, ffree(sub));
	fd = open(a, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, setxattr(a, "user.big", value, 900, 0));
	EXPECT_EQ(1, ffree(sub));
	ASSERT_EQ(0, unlink(a));
	EXPECT_EQ(3, ffree(sub));
	free(value);
	EXPECT_EQ(0, umount(sub));
}

TEST_F(xattr, access_acl_and_mode)
{
	static const struct acl_entry entries[] = {
		{ ACL_USER_OBJ, 6, ACL_UNDEFINED_ID },
		{ ACL_USER, 6, 1000 },
		{ ACL_GROUP_OBJ, 4, ACL_UNDEFINED_ID },
		{ ACL_MASK, 4, ACL_UNDEFINED_ID },
		{ ACL_OTHER, 0, ACL_UNDEFINED_ID },
	};
	struct acl_xattr acl, got;
	char list[256];
	ssize_t size, len;

	size = acl_build(&acl, 5, entries);
	ASSERT_EQ(0, setxattr(self->file, ACL_ACCESS, &acl, size, 0));
	EXPECT_EQ(size, getxattr(self->file, ACL_ACCESS, &got, sizeof(got)));
	EXPECT_EQ(0, memcmp(&acl, &got, size));
	/* The group bits show the mask. */
	EXPECT_EQ(0640, mode_of(self->file));
	len = listxattr(self->file, list, sizeof(list));
	EXPECT_TRUE(list_has(list, len, ACL_ACCESS));

	/* chmod changes the mask, not the named user's entry. */
	ASSERT_EQ(0, chmod(self->file, 0600));
	size = getxattr(self->file, ACL_ACCESS, &got, sizeof(got));
	ASSERT_LT(0, size);
	EXPECT_EQ(0, acl_perm(&got, size, ACL_MASK));
	EXPECT_EQ(6, acl_perm(&got, size, ACL_USER));
	EXPECT_EQ(6, acl_perm(&got, size, ACL_USER_OBJ));

	/* Removing the ACL keeps the mode. */
	ASSERT_EQ(0, removexattr(self->file, ACL_ACCESS));
	EXPECT_EQ(-1, getxattr(self->file, ACL_ACCESS, &got, sizeof(got)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(0600, mode_of(self->file));
}

TEST_F(xattr, acl_equivalent_to_mode_is_the_mode)
{
	static const struct acl_entry entries[] = {
		{ ACL_USER_OBJ, 7, ACL_UNDEFINED_ID },
		{ ACL_GROUP_OBJ, 5, ACL_UNDEFINED_ID },
		{ ACL_OTHER, 1, ACL_UNDEFINED_ID },
	};
	struct acl_xattr acl;
	ssize_t size;

	size = acl_build(&acl, 3, entries);
	ASSERT_EQ(0, setxattr(self->file, ACL_ACCESS, &acl, size, 0));
	EXPECT_EQ(0751, mode_of(self->file));
	EXPECT_EQ(-1, getxattr(self->file, ACL_ACCESS, NULL, 0));
	EXPECT_EQ(ENODATA, errno);
}

TEST_F(xattr, acl_errors)
{
	static const struct acl_entry entries[] = {
		{ ACL_USER_OBJ, 6, ACL_UNDEFINED_ID },
		{ ACL_GROUP_OBJ, 4, ACL_UNDEFINED_ID },
		{ ACL_OTHER, 4, ACL_UNDEFINED_ID },
	};
	char link[PATH_MAX];
	struct acl_xattr acl;
	ssize_t size;

	path_join(link, self->dir, "link");
	ASSERT_EQ(0, symlink("file", link));
	size = acl_build(&acl, 3, entries);
	/* Default ACLs are for directories. */
	EXPECT_EQ(-1, setxattr(self->file, ACL_DEFAULT, &acl, size, 0));
	EXPECT_EQ(EACCES, errno);
	/* Symlinks have none. */
	EXPECT_EQ(-1, lsetxattr(link, ACL_ACCESS, &acl, size, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* A malformed ACL: no OTHER entry. */
	EXPECT_EQ(-1, setxattr(self->file, ACL_ACCESS, &acl, size - sizeof(acl.e[0]), 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(xattr, default_acl_inheritance)
{
	static const struct acl_entry entries[] = {
		{ ACL_USER_OBJ, 7, ACL_UNDEFINED_ID },
		{ ACL_USER, 7, 1000 },
		{ ACL_GROUP_OBJ, 5, ACL_UNDEFINED_ID },
		{ ACL_MASK, 7, ACL_UNDEFINED_ID },
		{ ACL_OTHER, 0, ACL_UNDEFINED_ID },
	};
	char dir[PATH_MAX], file[PATH_MAX], sub[PATH_MAX], plain[PATH_MAX];
	struct acl_xattr acl, got;
	ssize_t size, got_size;
	int fd;

	path_join(dir, self->dir, "dir");
	path_join(file, dir, "file");
	path_join(sub, dir, "sub");
	path_join(plain, self->dir, "plain");
	ASSERT_EQ(0, mkdir(dir, 0755));
	size = acl_build(&acl, 5, entries);
	ASSERT_EQ(0, setxattr(dir, ACL_DEFAULT, &acl, size, 0));
	EXPECT_EQ(size, getxattr(dir, ACL_DEFAULT, &got, sizeof(got)));

	/* The default ACL replaces the umask. */
	umask(077);
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mkdir(sub, 0777));
	fd = open(plain, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
	umask(0);
	ASSERT_LE(0, fd);
	close(fd);

	/* A file gets the default ACL as its access ACL, limited by the mode it asked for. */
	EXPECT_EQ(0660, mode_of(file));
	got_size = getxattr(file, ACL_ACCESS, &got, sizeof(got));
	ASSERT_EQ(size, got_size);
	EXPECT_EQ(6, acl_perm(&got, got_size, ACL_USER_OBJ));
	EXPECT_EQ(7, acl_perm(&got, got_size, ACL_USER));
	EXPECT_EQ(6, acl_perm(&got, got_size, ACL_MASK));
	EXPECT_EQ(-1, getxattr(file, ACL_DEFAULT, NULL, 0));
	EXPECT_EQ(ENODATA, errno);

	/* A directory gets it as its default ACL too. */
	EXPECT_EQ(0770, mode_of(sub));
	EXPECT_EQ(size, getxattr(sub, ACL_DEFAULT, &got, sizeof(got)));
	EXPECT_EQ(0, memcmp(&acl, &got, size));
	EXPECT_LT(0, getxattr(sub, ACL_ACCESS, NULL, 0));

	/* Without a default ACL, the umask applies. */
	EXPECT_EQ(0600, mode_of(plain));
	EXPECT_EQ(-1, getxattr(plain, ACL_ACCESS, NULL, 0));
	EXPECT_EQ(ENODATA, errno);
}

/* The options that give rust_ramfs what tmpfs always has. */
FIXTURE(options) {
	char dir[PATH_MAX];
};

FIXTURE_SETUP(options)
{
	int ret;

	self->dir[0] = '\0';
	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (!fs_available("rust_ramfs"))
		SKIP(return, "file system type rust_ramfs not available");
	ret = unshare(CLONE_NEWNS) ? 0 : mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	ASSERT_EQ(0, ret);
	snprintf(self->dir, sizeof(self->dir), "/tmp/tmpfs_xattr_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(options)
{
	if (!self->dir[0])
		return;
	umount2(self->dir, MNT_DETACH);
	EXPECT_EQ(0, rmdir(self->dir));
}

/* The options of the mount on @dir in /proc/mounts, in @buf of @size bytes. */
static int mount_options(const char *dir, char *buf, size_t size)
{
	char line[1024], mnt[PATH_MAX], opts[512];
	int found = -1;
	FILE *f;

	f = fopen("/proc/mounts", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %4095s %*s %511s", mnt, opts) == 2 && !strcmp(mnt, dir)) {
			snprintf(buf, size, "%s", opts);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

TEST_F(options, none_without_options)
{
	char file[PATH_MAX], opts[512];
	int fd;

	ASSERT_EQ(0, mount(MOUNT_SOURCE, self->dir, "rust_ramfs", 0, NULL));
	path_join(file, self->dir, "file");
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-1, setxattr(file, "user.a", "1", 1, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, setxattr(file, "trusted.a", "1", 1, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, setxattr(file, ACL_ACCESS, "", 0, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, mount_options(self->dir, opts, sizeof(opts)));
	EXPECT_EQ(NULL, strstr(opts, "xattr"));
	EXPECT_EQ(NULL, strstr(opts, "acl"));
	/* They cannot be added on remount. */
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT, "xattr"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT, "acl"));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(options, shown_and_kept)
{
	char file[PATH_MAX], opts[512];
	int fd;

	ASSERT_EQ(0, mount(MOUNT_SOURCE, self->dir, "rust_ramfs", 0, "xattr,acl"));
	ASSERT_EQ(0, mount_options(self->dir, opts, sizeof(opts)));
	EXPECT_NE(NULL, strstr(opts, ",xattr,acl"));
	/* A remount with the options shown keeps them. */
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, opts));
	path_join(file, self->dir, "file");
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, setxattr(file, "user.a", "1", 1, 0));

	/* xattr alone: attributes but no ACLs. */
	ASSERT_EQ(0, umount(self->dir));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, self->dir, "rust_ramfs", 0, "xattr"));
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, setxattr(file, "user.a", "1", 1, 0));
	EXPECT_EQ(-1, setxattr(file, ACL_ACCESS, "", 0, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_HARNESS_MAIN
