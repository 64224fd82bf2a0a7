// SPDX-License-Identifier: GPL-2.0
/*
 * tmpfs compatible mount options of rust_ramfs: size=, nr_blocks=, nr_inodes=,
 * uid=, gid= and mode=, the inode limit, statfs, remount, and the options shown
 * in /proc/mounts.
 *
 * Every case runs once against tmpfs and once against rust_ramfs, with exactly
 * the same expectations (return values, errno values, fs_context messages
 * modulo the file system name), so that any observable difference between the
 * two file systems fails a test.
 *
 * The two differ by design where no option is given (tmpfs's root is 1777 and
 * it has default limits, rust_ramfs's root is 0755 and it is unlimited), so
 * every case mounts its own instance with explicit options for everything it
 * checks. The cases run in a private mount namespace below a scratch mount of
 * the file system under test.
 */

#define _FILE_OFFSET_BITS 64

#include "kselftest_harness.h"

#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/fs.h>
#include <linux/mount.h>

#include "tmpfs_compare.h"

#define MOUNT_SOURCE	"tmpfs_options_test"
#define USER_ID		1000		/* uid of a user owning the root */
#define GROUP_ID	1234		/* gid of a group owning the root */
#define NS_BASE		100000		/* user namespaces map ids 0.. to NS_BASE.. */
#define NS_RANGE	1000		/* ids mapped */
#define MAX_RES		16		/* results a child process can report */
#define MAX_MSGS	4		/* fs_context messages it can report */
#define MANY_INODES	300

FIXTURE(fs) {
	char dir[PATH_MAX];
	long page_size;
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
	self->page_size = sysconf(_SC_PAGESIZE);
	umask(0);

	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (!fs_available(variant->fstype))
		SKIP(return, "file system type %s not available", variant->fstype);

	/* Anything mounted from now on disappears with this process. */
	ret = unshare(CLONE_NEWNS) ? 0 : mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	ASSERT_EQ(0, ret);

	/* A scratch mount to hold the mount points of the cases. */
	snprintf(self->dir, sizeof(self->dir), "/tmp/tmpfs_options_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ret = mount(MOUNT_SOURCE, self->dir, variant->fstype, 0, "mode=0755");
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
	/* Detaches the scratch mount with whatever a failed case left on it. */
	EXPECT_EQ(0, umount2(self->dir, MNT_DETACH));
	EXPECT_EQ(0, rmdir(self->dir));
}

/* Creates an empty file (or truncates an existing one). */
static int create_file(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	return close(fd);
}

/* Mounts an instance with @opts on @dir/sub (created if need be), left in @sub. */
static int mount_sub(const char *fstype, const char *dir, const char *opts, char *sub)
{
	path_join(sub, dir, "sub");
	if (mkdir(sub, 0755) && errno != EEXIST)
		return -1;
	return mount(MOUNT_SOURCE, sub, fstype, 0, opts);
}

/* Copies the options of the topmost /proc/self/mounts entry for @dir to @opts (256 bytes). */
static int find_mount(const char *dir, char *opts)
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
		snprintf(opts, 256, "%s", ent->mnt_opts);
		found = true;
	}
	endmntent(f);
	return found ? 0 : -1;
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

/* Total RAM in pages, as the kernel's totalram_pages(). */
static unsigned long long totalram_pages(long page_size)
{
	struct sysinfo si;

	if (sysinfo(&si))
		return 0;
	return (unsigned long long)si.totalram * si.mem_unit / page_size;
}

/* f_ffree of the file system holding @path, or -1. */
static long ffree_of(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) ? -1 : (long)sf.f_ffree;
}

/* Mounts with @opts and checks statfs reports @blocks blocks and @files inodes, all free. */
static void check_statfs(struct __test_metadata *_metadata, const char *fstype, const char *dir,
			 const char *opts, unsigned long long blocks, unsigned long long files)
{
	char sub[PATH_MAX];
	struct statfs sf;

	ASSERT_EQ(0, mount_sub(fstype, dir, opts, sub)) {
		TH_LOG("mount -o %s: %s", opts, strerror(errno));
	}
	ASSERT_EQ(0, statfs(sub, &sf));
	EXPECT_EQ(blocks, sf.f_blocks) {
		TH_LOG("-o %s: f_blocks %llu", opts, (unsigned long long)sf.f_blocks);
	}
	EXPECT_EQ(blocks, sf.f_bfree);
	EXPECT_EQ(blocks, sf.f_bavail);
	EXPECT_EQ(files, sf.f_files) {
		TH_LOG("-o %s: f_files %llu", opts, (unsigned long long)sf.f_files);
	}
	/* The root directory takes one of the inodes. */
	EXPECT_EQ(files ? files - 1 : 0, sf.f_ffree);
	ASSERT_EQ(0, umount(sub));
}

/* ---- the mount API ----------------------------------------------------- */

static int sys_fspick(const char *path, unsigned int flags)
{
	return syscall(__NR_fspick, AT_FDCWD, path, flags);
}

/* Sets @key to the string @value, or as a flag if @value is NULL. */
static int set_param(int fd, const char *key, const char *value)
{
	if (!value)
		return sys_fsconfig(fd, FSCONFIG_SET_FLAG, key, NULL, 0);
	return sys_fsconfig(fd, FSCONFIG_SET_STRING, key, value, 0);
}

/* Reads the next message logged in context @fd into @buf (256 bytes), "" if none. */
static void read_fc_msg(int fd, char *buf)
{
	ssize_t n = read(fd, buf, 255);

	buf[n > 0 ? n : 0] = '\0';
}

/* Checks the next message in context @fd is error @text, logged by @fstype. */
static void check_fc_msg(struct __test_metadata *_metadata, int fd, const char *fstype,
			 const char *text)
{
	char msg[256], want[256];

	snprintf(want, sizeof(want), "e %s: %s\n", fstype, text);
	read_fc_msg(fd, msg);
	EXPECT_STREQ(want, msg);
}

/*
 * Mounting with "@key=@value" ("@key" if @value is NULL) must fail with EINVAL,
 * and setting it with fsconfig() too, logging the messages @msgs (NULL
 * terminated) and nothing else.
 */
static void check_bad_value(struct __test_metadata *_metadata, const char *fstype,
			    const char *dir, const char *key, const char *value,
			    const char *const *msgs)
{
	char opts[256], sub[PATH_MAX], msg[256];
	int fd;

	if (value)
		snprintf(opts, sizeof(opts), "%s=%s", key, value);
	else
		snprintf(opts, sizeof(opts), "%s", key);
	EXPECT_EQ(-1, mount_sub(fstype, dir, opts, sub)) {
		TH_LOG("mount -o %s succeeded", opts);
		umount(sub);
	}
	EXPECT_EQ(EINVAL, errno);

	fd = sys_fsopen(fstype, FSOPEN_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, set_param(fd, key, value)) {
		TH_LOG("fsconfig %s succeeded", opts);
	}
	EXPECT_EQ(EINVAL, errno);
	for (; *msgs; msgs++)
		check_fc_msg(_metadata, fd, fstype, *msgs);
	read_fc_msg(fd, msg);
	EXPECT_STREQ("", msg);
	/* The context stays usable. */
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	close(fd);
}

/* Reconfiguring @path with @key=@value must fail with EINVAL and log @text. */
static void check_reconf_fails(struct __test_metadata *_metadata, const char *fstype,
			       const char *path, const char *key, const char *value,
			       const char *text)
{
	int fd;

	fd = sys_fspick(path, FSPICK_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_param(fd, key, value));
	EXPECT_EQ(-1, sys_fsconfig(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	check_fc_msg(_metadata, fd, fstype, text);
	close(fd);
}

/* ---- size=, nr_blocks=, nr_inodes= and statfs --------------------------- */

/* Shorthands for the two checks above, in a TEST_F() body. */
#define CHECK_STATFS(opts, blocks, files) \
	check_statfs(_metadata, variant->fstype, self->dir, opts, blocks, files)
#define CHECK_BAD(key, value, msgs) \
	check_bad_value(_metadata, variant->fstype, self->dir, key, value, msgs)

TEST_F(fs, size_bytes)
{
	unsigned long long ps = self->page_size;

	CHECK_STATFS("size=1048576,nr_inodes=10", (1 << 20) / ps, 10);
	/* Sizes are rounded up to whole pages. */
	CHECK_STATFS("size=1,nr_inodes=10", 1, 10);
	CHECK_STATFS("size=5000,nr_inodes=10", (5000 + ps - 1) / ps, 10);
}

TEST_F(fs, size_suffixes)
{
	static const struct {
		const char *opts;
		unsigned long long bytes;
	} cases[] = {
		{ "size=64k", 64ULL << 10 },
		{ "size=64K", 64ULL << 10 },
		{ "size=3m", 3ULL << 20 },
		{ "size=3M", 3ULL << 20 },
		{ "size=1g", 1ULL << 30 },
		{ "size=2G", 2ULL << 30 },
		{ "size=1t", 1ULL << 40 },
		{ "size=1P", 1ULL << 50 },
		/* memparse() takes any base simple_strtoull() does. */
		{ "size=0x10k", 16ULL << 10 },
		{ "size=010k", 8ULL << 10 },
		{ "size=0x100000", 1ULL << 20 },
	};
	char opts[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(opts, sizeof(opts), "%s,nr_inodes=10", cases[i].opts);
		CHECK_STATFS(opts, (cases[i].bytes + self->page_size - 1) / self->page_size, 10);
	}
}

TEST_F(fs, size_percent)
{
	static const unsigned int pcts[] = { 1, 10, 50, 100, 150 };
	unsigned long long ram, bytes;
	char opts[64], sub[PATH_MAX];
	struct statfs sf;
	int tries;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pcts); i++) {
		snprintf(opts, sizeof(opts), "size=%u%%,nr_inodes=10", pcts[i]);
		/* Retry if the amount of RAM changes meanwhile (memory hotplug, balloon). */
		for (tries = 0; tries < 5; tries++) {
			ram = totalram_pages(self->page_size);
			ASSERT_NE(0, ram);
			ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, opts, sub));
			ASSERT_EQ(0, statfs(sub, &sf));
			ASSERT_EQ(0, umount(sub));
			if (ram == totalram_pages(self->page_size))
				break;
		}
		/* As shmem: ((pct << PAGE_SHIFT) * totalram_pages) / 100, in pages rounded up. */
		bytes = (unsigned long long)pcts[i] * self->page_size * ram / 100;
		EXPECT_EQ((bytes + self->page_size - 1) / self->page_size, sf.f_blocks) {
			TH_LOG("-o %s: %llu RAM pages", opts, ram);
		}
		EXPECT_EQ(sf.f_blocks, sf.f_bfree);
		EXPECT_EQ(10, sf.f_files);
	}
}

TEST_F(fs, nr_blocks)
{
	CHECK_STATFS("nr_blocks=100,nr_inodes=10", 100, 10);
	CHECK_STATFS("nr_blocks=1,nr_inodes=10", 1, 10);
	/* The suffixes multiply the number of blocks. */
	CHECK_STATFS("nr_blocks=2k,nr_inodes=10", 2048, 10);
	CHECK_STATFS("nr_blocks=1M,nr_inodes=10", 1 << 20, 10);
}

TEST_F(fs, nr_inodes)
{
	CHECK_STATFS("size=1M,nr_inodes=10", (1 << 20) / self->page_size, 10);
	CHECK_STATFS("size=1M,nr_inodes=1", (1 << 20) / self->page_size, 1);
	CHECK_STATFS("size=1M,nr_inodes=2k", (1 << 20) / self->page_size, 2048);
	CHECK_STATFS("size=1M,nr_inodes=1m", (1 << 20) / self->page_size, 1 << 20);
	CHECK_STATFS("size=1M,nr_inodes=0x10", (1 << 20) / self->page_size, 16);
	/* ULONG_MAX / BOGO_INODE_SIZE (1024) is the most that is accepted. */
	CHECK_STATFS("size=1M,nr_inodes=18014398509481983",
		     (1 << 20) / self->page_size, 18014398509481983ULL);
}

TEST_F(fs, zero_is_unlimited)
{
	CHECK_STATFS("size=0,nr_inodes=10", 0, 10);
	CHECK_STATFS("nr_blocks=0,nr_inodes=10", 0, 10);
	CHECK_STATFS("size=1M,nr_inodes=0", (1 << 20) / self->page_size, 0);
	CHECK_STATFS("size=0,nr_inodes=0", 0, 0);
}

TEST_F(fs, last_value_wins)
{
	CHECK_STATFS("size=1M,nr_blocks=10,nr_inodes=10", 10, 10);
	CHECK_STATFS("nr_blocks=10,size=1M,nr_inodes=10", (1 << 20) / self->page_size, 10);
	CHECK_STATFS("size=1M,nr_inodes=10,nr_inodes=20", (1 << 20) / self->page_size, 20);
}

TEST_F(fs, bad_size)
{
	static const char *const msg[] = { "Bad value for 'size'", NULL };

	CHECK_BAD("size", "abc", msg);
	CHECK_BAD("size", "1x", msg);
	CHECK_BAD("size", "1k2", msg);
	CHECK_BAD("size", "-1", msg);
	CHECK_BAD("size", "10%k", msg);
	CHECK_BAD("size", "", msg);
	CHECK_BAD("size", NULL, msg);
	/* memparse() in 7.2 takes a suffix only after digits. */
	CHECK_BAD("size", "k", msg);
}

TEST_F(fs, bad_nr_blocks)
{
	static const char *const msg[] = { "Bad value for 'nr_blocks'", NULL };

	CHECK_BAD("nr_blocks", "1q", msg);
	CHECK_BAD("nr_blocks", "10%", msg);
	CHECK_BAD("nr_blocks", "", msg);
	CHECK_BAD("nr_blocks", NULL, msg);
	/* More than LONG_MAX blocks. */
	CHECK_BAD("nr_blocks", "8e", msg);
}

TEST_F(fs, bad_nr_inodes)
{
	static const char *const msg[] = { "Bad value for 'nr_inodes'", NULL };

	CHECK_BAD("nr_inodes", "-1", msg);
	CHECK_BAD("nr_inodes", "abc", msg);
	CHECK_BAD("nr_inodes", "1%", msg);
	CHECK_BAD("nr_inodes", "", msg);
	CHECK_BAD("nr_inodes", NULL, msg);
	/* More than ULONG_MAX / BOGO_INODE_SIZE (1024) inodes. */
	CHECK_BAD("nr_inodes", "16p", msg);
}

TEST_F(fs, bad_uid_gid)
{
	/* fs_param_is_uid() logs after fs_param_is_u32() has: the message comes twice. */
	static const char *const uid_msg[] = {
		"Bad value for 'uid'", "Bad value for 'uid'", NULL
	};
	static const char *const gid_msg[] = {
		"Bad value for 'gid'", "Bad value for 'gid'", NULL
	};
	static const char *const uid_inval[] = { "Invalid uid '4294967295'", NULL };
	static const char *const gid_inval[] = { "Invalid gid '4294967295'", NULL };

	CHECK_BAD("uid", "abc", uid_msg);
	CHECK_BAD("uid", "-5", uid_msg);
	CHECK_BAD("uid", "1k", uid_msg);
	CHECK_BAD("uid", "4294967296", uid_msg);
	CHECK_BAD("uid", "", uid_msg);
	CHECK_BAD("uid", NULL, uid_msg);
	CHECK_BAD("gid", "abc", gid_msg);
	CHECK_BAD("gid", "-5", gid_msg);
	CHECK_BAD("gid", "", gid_msg);
	/* (uid_t)-1 is no valid id. */
	CHECK_BAD("uid", "4294967295", uid_inval);
	CHECK_BAD("gid", "4294967295", gid_inval);
}

/* ---- the inode limit --------------------------------------------------- */

TEST_F(fs, inode_limit_ops)
{
	char sub[PATH_MAX], a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], new[PATH_MAX];
	int fd;

	/* The root and three more. */
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=4", sub));
	ASSERT_EQ(0, create_file(path_join(a, sub, "a")));
	ASSERT_EQ(0, mkdir(path_join(b, sub, "b"), 0755));
	ASSERT_EQ(0, mknod(path_join(c, sub, "c"), S_IFIFO | 0644, 0));
	EXPECT_EQ(0, ffree_of(sub));

	path_join(new, sub, "new");
	EXPECT_EQ(-1, open(new, O_CREAT | O_WRONLY, 0644));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, mkdir(new, 0755));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, mknod(new, S_IFIFO | 0644, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, mknod(new, S_IFREG | 0644, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, symlink("a", new));
	EXPECT_EQ(ENOSPC, errno);
	/* A hard link takes an inode slot of its own. */
	EXPECT_EQ(-1, link(a, new));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, open(sub, O_TMPFILE | O_RDWR, 0600));
	EXPECT_EQ(ENOSPC, errno);
	/* A whiteout is a new inode, a plain rename is not. */
	EXPECT_EQ(-1, syscall(__NR_renameat2, AT_FDCWD, a, AT_FDCWD, new, RENAME_WHITEOUT));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, rename(a, new));
	EXPECT_EQ(0, rename(new, a));
	EXPECT_EQ(-1, access(new, F_OK));
	EXPECT_EQ(0, ffree_of(sub));
	/* Opening an existing file needs no slot. */
	fd = open(a, O_CREAT | O_RDWR, 0644);
	EXPECT_LE(0, fd);
	close(fd);

	/* Each removal frees one slot. */
	EXPECT_EQ(0, unlink(c));
	EXPECT_EQ(1, ffree_of(sub));
	EXPECT_EQ(0, symlink("a", c));
	EXPECT_EQ(0, ffree_of(sub));
	EXPECT_EQ(0, rmdir(b));
	EXPECT_EQ(1, ffree_of(sub));
	EXPECT_EQ(0, mkdir(b, 0755));
	EXPECT_EQ(0, ffree_of(sub));
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, inode_limit_one)
{
	char sub[PATH_MAX], file[PATH_MAX];

	/* The root takes the only inode. */
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=1", sub));
	EXPECT_EQ(-1, create_file(path_join(file, sub, "file")));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, mkdir(file, 0755));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, inode_limit_hard_links)
{
	char sub[PATH_MAX], a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=4", sub));
	ASSERT_EQ(0, create_file(path_join(a, sub, "a")));
	EXPECT_EQ(2, ffree_of(sub));
	EXPECT_EQ(0, link(a, path_join(b, sub, "b")));
	EXPECT_EQ(1, ffree_of(sub));
	EXPECT_EQ(0, link(a, path_join(c, sub, "c")));
	EXPECT_EQ(0, ffree_of(sub));
	ASSERT_EQ(0, stat(a, &st));
	EXPECT_EQ(3, st.st_nlink);

	/* Unlinking any one of the names frees one slot. */
	EXPECT_EQ(0, unlink(a));
	EXPECT_EQ(1, ffree_of(sub));
	EXPECT_EQ(0, link(b, a));
	EXPECT_EQ(0, ffree_of(sub));
	EXPECT_EQ(0, unlink(b));
	EXPECT_EQ(0, unlink(c));
	EXPECT_EQ(2, ffree_of(sub));
	/* The last name frees the inode itself. */
	EXPECT_EQ(0, unlink(a));
	EXPECT_EQ(3, ffree_of(sub));
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, inode_limit_tmpfile)
{
	char sub[PATH_MAX], proc[64], a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
	int fd;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=4", sub));
	fd = open(sub, O_TMPFILE | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(2, ffree_of(sub));
	/* The first link of an O_TMPFILE file takes no further slot... */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	EXPECT_EQ(0, linkat(AT_FDCWD, proc, AT_FDCWD, path_join(a, sub, "a"),
			    AT_SYMLINK_FOLLOW));
	EXPECT_EQ(2, ffree_of(sub));
	/* ... the next ones do. */
	EXPECT_EQ(0, linkat(fd, "", AT_FDCWD, path_join(b, sub, "b"), AT_EMPTY_PATH));
	EXPECT_EQ(1, ffree_of(sub));
	EXPECT_EQ(0, linkat(AT_FDCWD, proc, AT_FDCWD, path_join(c, sub, "c"),
			    AT_SYMLINK_FOLLOW));
	EXPECT_EQ(0, ffree_of(sub));
	close(fd);
	EXPECT_EQ(0, unlink(a));
	EXPECT_EQ(0, unlink(b));
	EXPECT_EQ(0, unlink(c));
	EXPECT_EQ(3, ffree_of(sub));

	/* An O_TMPFILE file never linked gives its slot back when closed. */
	fd = open(sub, O_TMPFILE | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(2, ffree_of(sub));
	close(fd);
	EXPECT_EQ(3, ffree_of(sub));
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, inode_limit_open_unlinked)
{
	char sub[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	int fd;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=2", sub));
	fd = open(path_join(a, sub, "a"), O_CREAT | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ffree_of(sub));
	/* An unlinked file keeps its slot as long as it is open. */
	EXPECT_EQ(0, unlink(a));
	EXPECT_EQ(0, ffree_of(sub));
	EXPECT_EQ(-1, create_file(path_join(b, sub, "b")));
	EXPECT_EQ(ENOSPC, errno);
	close(fd);
	EXPECT_EQ(1, ffree_of(sub));
	EXPECT_EQ(0, create_file(b));
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, ffree_accounting)
{
	char sub[PATH_MAX], path[PATH_MAX], other[PATH_MAX], name[32];
	long free0;
	int i;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=100", sub));
	free0 = ffree_of(sub);
	EXPECT_EQ(99, free0);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		ASSERT_EQ(0, create_file(path_join(path, sub, name)));
		EXPECT_EQ(free0 - 1 - i, ffree_of(sub));
	}
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		ASSERT_EQ(0, mkdir(path_join(path, sub, name), 0755));
		EXPECT_EQ(free0 - 11 - i, ffree_of(sub));
	}
	/* Something inside a directory counts the same. */
	ASSERT_EQ(0, mknod(path_join(path, sub, "d0/fifo"), S_IFIFO | 0644, 0));
	ASSERT_EQ(0, symlink("../f0", path_join(path, sub, "d1/link")));
	EXPECT_EQ(free0 - 17, ffree_of(sub));
	/* rename does not change the count, replacing a file frees one. */
	ASSERT_EQ(0, rename(path_join(path, sub, "f9"), path_join(other, sub, "d2/f9")));
	EXPECT_EQ(free0 - 17, ffree_of(sub));
	ASSERT_EQ(0, rename(other, path_join(path, sub, "f8")));
	EXPECT_EQ(free0 - 16, ffree_of(sub));

	EXPECT_EQ(0, unlink(path_join(path, sub, "d0/fifo")));
	EXPECT_EQ(0, unlink(path_join(path, sub, "d1/link")));
	EXPECT_EQ(free0 - 14, ffree_of(sub));
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		EXPECT_EQ(0, rmdir(path_join(path, sub, name)));
		EXPECT_EQ(free0 - 13 + i, ffree_of(sub));
	}
	for (i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		EXPECT_EQ(0, unlink(path_join(path, sub, name)));
	}
	EXPECT_EQ(free0, ffree_of(sub));
	ASSERT_EQ(0, umount(sub));
}

/* ---- uid=, gid= and mode= ---------------------------------------------- */

TEST_F(fs, uid_gid_mode)
{
	char sub[PATH_MAX], file[PATH_MAX], opts[256];
	struct stat st;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir,
			       "uid=1000,gid=1234,mode=1750,size=1M,nr_inodes=10", sub));
	ASSERT_EQ(0, stat(sub, &st));
	EXPECT_EQ(S_IFDIR | 01750, st.st_mode);
	EXPECT_EQ(USER_ID, st.st_uid);
	EXPECT_EQ(GROUP_ID, st.st_gid);
	ASSERT_EQ(0, find_mount(sub, opts));
	EXPECT_TRUE(has_opt(opts, "uid=1000")) {
		TH_LOG("options: %s", opts);
	}
	EXPECT_TRUE(has_opt(opts, "gid=1234")) {
		TH_LOG("options: %s", opts);
	}
	/* The options apply to the root only. */
	ASSERT_EQ(0, create_file(path_join(file, sub, "file")));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	ASSERT_EQ(0, umount(sub));

	/* uid=0 and gid=0 are the defaults and not shown. */
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "uid=0,gid=0,mode=0700", sub));
	ASSERT_EQ(0, stat(sub, &st));
	EXPECT_EQ(S_IFDIR | 0700, st.st_mode);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	ASSERT_EQ(0, find_mount(sub, opts));
	EXPECT_FALSE(has_opt_prefix(opts, "uid=") || has_opt_prefix(opts, "gid=")) {
		TH_LOG("options: %s", opts);
	}
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, uid_gid_bases)
{
	char sub[PATH_MAX], opts[256];
	struct stat st;

	/* Ids are parsed with base 0: hex and octal work. */
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "uid=0x3e8,gid=010,mode=0755", sub));
	ASSERT_EQ(0, stat(sub, &st));
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(8, st.st_gid);
	ASSERT_EQ(0, find_mount(sub, opts));
	EXPECT_TRUE(has_opt(opts, "uid=1000") && has_opt(opts, "gid=8")) {
		TH_LOG("options: %s", opts);
	}
	ASSERT_EQ(0, umount(sub));
}

/* Outcome of one system call made by a child process. */
struct res {
	long ret;
	int err;
};

/* What a child process reports: results, and fs_context messages. */
struct report {
	struct res r[MAX_RES];
	char msg[MAX_MSGS][256];
	int fd;
};

typedef void (*child_fn)(const char *fstype, const char *path, struct report *rep);

static void record(struct res *r, long ret)
{
	r->ret = ret;
	r->err = ret < 0 ? errno : 0;
}

/* Checks run by the parent while the child waits; see run_userns_child(). */
typedef void (*parent_fn)(struct __test_metadata *_metadata, const char *fstype, pid_t pid,
			  struct report *rep);

/*
 * Runs @fn(@fstype, @path, rep) in a child process that is root in a new user
 * namespace (with a new mount namespace) mapping ids 0..NS_RANGE-1 to
 * NS_BASE..; the report is copied to @out. If @parent is not NULL, it runs
 * after @fn, while the child waits. Returns the child's wait status, or -1.
 */
static int run_userns_child(struct __test_metadata *_metadata, child_fn fn, const char *fstype,
			    const char *path, parent_fn parent, struct report *out)
{
	int ready[2], go[2], status = -1, i;
	char proc[64], map[64], c = 0;
	struct report *rep;
	pid_t pid;

	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rep == MAP_FAILED)
		return -1;
	memset(rep, 0, sizeof(*rep));
	for (i = 0; i < MAX_RES; i++) {
		rep->r[i].ret = -2;
		rep->r[i].err = -2;
	}
	if (pipe(ready) || pipe(go)) {
		munmap(rep, sizeof(*rep));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		c = unshare(CLONE_NEWUSER | CLONE_NEWNS) ? 'e' : 'o';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1 || c != 'o')
			_exit(1);
		if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
			_exit(2);
		fn(fstype, path, rep);
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(3);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	if (pid > 0 && read(ready[0], &c, 1) == 1 && c == 'o') {
		snprintf(map, sizeof(map), "0 %d %d", NS_BASE, NS_RANGE);
		snprintf(proc, sizeof(proc), "/proc/%d/uid_map", pid);
		c = write_string(proc, map) ? 'e' : 'o';
		snprintf(proc, sizeof(proc), "/proc/%d/gid_map", pid);
		if (c == 'o' && write_string(proc, map))
			c = 'e';
		if (write(go[1], &c, 1) == 1 && read(ready[0], &c, 1) == 1 && parent)
			parent(_metadata, fstype, pid, rep);
		c = 'o';
		if (write(go[1], &c, 1) != 1)
			kill(pid, SIGKILL);
	}
	close(go[1]);
	close(ready[0]);
	if (pid > 0 && waitpid(pid, &status, 0) != pid)
		status = -1;
	memcpy(out, rep, sizeof(*out));
	munmap(rep, sizeof(*rep));
	return status;
}

/* Child: mounts with mapped and unmapped owners. */
static void userns_uid_child(const char *fstype, const char *path, struct report *rep)
{
	struct res *r = rep->r;
	char opts[256];
	struct stat st;
	int fd;

	record(&r[0], mount(MOUNT_SOURCE, path, fstype, 0,
			    "uid=5,gid=6,mode=0750,size=1M,nr_inodes=10"));
	record(&r[1], stat(path, &st));
	r[2].ret = st.st_uid;
	r[3].ret = st.st_gid;
	/* /proc/mounts shows the ids as seen from the initial user namespace. */
	record(&r[4], find_mount(path, opts));
	r[5].ret = has_opt(opts, "uid=100005") && has_opt(opts, "gid=100006");
	snprintf(rep->msg[0], 256, "%s", opts);
	record(&r[6], umount(path));

	/* NS_RANGE is the first id not mapped. */
	record(&r[7], mount(MOUNT_SOURCE, path, fstype, 0, "uid=1000,size=1M,nr_inodes=10"));
	record(&r[8], mount(MOUNT_SOURCE, path, fstype, 0, "gid=1000,size=1M,nr_inodes=10"));
	record(&r[9], mount(MOUNT_SOURCE, path, fstype, 0, "uid=999,size=1M,nr_inodes=10"));
	record(&r[10], umount(path));
	fd = sys_fsopen(fstype, FSOPEN_CLOEXEC);
	record(&r[11], fd);
	record(&r[12], sys_fsconfig(fd, FSCONFIG_SET_STRING, "uid", "1000", 0));
	read_fc_msg(fd, rep->msg[1]);
	record(&r[13], sys_fsconfig(fd, FSCONFIG_SET_STRING, "gid", "1000", 0));
	read_fc_msg(fd, rep->msg[2]);
	read_fc_msg(fd, rep->msg[3]);
	close(fd);
}

TEST_F(fs, userns_uid_gid)
{
	char path[PATH_MAX], want[256];
	struct report rep;
	struct res *r = rep.r;

	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "u"), 0755));
	ASSERT_EQ(0, run_userns_child(_metadata, userns_uid_child, variant->fstype, path, NULL,
				      &rep));
	ASSERT_EQ(0, r[0].ret) {
		TH_LOG("mount in a user namespace: %s", strerror(r[0].err));
	}
	EXPECT_EQ(0, r[1].ret);
	EXPECT_EQ(5, r[2].ret);
	EXPECT_EQ(6, r[3].ret);
	EXPECT_EQ(0, r[4].ret);
	EXPECT_EQ(1, r[5].ret) {
		TH_LOG("options: %s", rep.msg[0]);
	}
	EXPECT_EQ(0, r[6].ret);
	EXPECT_EQ(-1, r[7].ret);
	EXPECT_EQ(EINVAL, r[7].err);
	EXPECT_EQ(-1, r[8].ret);
	EXPECT_EQ(EINVAL, r[8].err);
	EXPECT_EQ(0, r[9].ret);
	EXPECT_EQ(0, r[10].ret);
	EXPECT_LE(0, r[11].ret);
	EXPECT_EQ(-1, r[12].ret);
	EXPECT_EQ(EINVAL, r[12].err);
	snprintf(want, sizeof(want), "e %s: Invalid uid '1000'\n", variant->fstype);
	EXPECT_STREQ(want, rep.msg[1]);
	EXPECT_EQ(-1, r[13].ret);
	EXPECT_EQ(EINVAL, r[13].err);
	snprintf(want, sizeof(want), "e %s: Invalid gid '1000'\n", variant->fstype);
	EXPECT_STREQ(want, rep.msg[2]);
	EXPECT_STREQ("", rep.msg[3]);
}

/* Child: opens a context owned by its user namespace, for the parent to take. */
static void userns_ctx_child(const char *fstype, const char *path, struct report *rep)
{
	rep->fd = sys_fsopen(fstype, 0);
	record(&rep->r[0], rep->fd);
}

/* Parent: takes the child's context and sets ids on it from the initial namespace. */
static void userns_ctx_parent(struct __test_metadata *_metadata, const char *fstype,
			      pid_t pid, struct report *rep)
{
	struct stat st;
	int pidfd, fd, mfd;

	ASSERT_LE(0, rep->r[0].ret);
	pidfd = syscall(__NR_pidfd_open, pid, 0);
	ASSERT_LE(0, pidfd);
	fd = syscall(__NR_pidfd_getfd, pidfd, rep->fd, 0);
	close(pidfd);
	ASSERT_LE(0, fd);
	/* Valid ids, but not representable in the file system's user namespace. */
	EXPECT_EQ(-1, sys_fsconfig(fd, FSCONFIG_SET_STRING, "uid", "1000", 0));
	EXPECT_EQ(EINVAL, errno);
	check_fc_msg(_metadata, fd, fstype, "Bad value for 'uid'");
	EXPECT_EQ(-1, sys_fsconfig(fd, FSCONFIG_SET_STRING, "gid", "101000", 0));
	EXPECT_EQ(EINVAL, errno);
	check_fc_msg(_metadata, fd, fstype, "Bad value for 'gid'");
	/* Ids are taken as the caller sees them. */
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "uid", "100005", 0));
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "gid", "100006", 0));
	ASSERT_EQ(0, sys_fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	mfd = sys_fsmount(fd, FSMOUNT_CLOEXEC, 0);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, fstat(mfd, &st));
	EXPECT_EQ(NS_BASE + 5, st.st_uid);
	EXPECT_EQ(NS_BASE + 6, st.st_gid);
	close(mfd);
	close(fd);
}

TEST_F(fs, userns_ctx_uid_gid)
{
	char path[PATH_MAX];
	struct report rep;

	ASSERT_EQ(0, mkdir(path_join(path, self->dir, "u"), 0755));
	ASSERT_EQ(0, run_userns_child(_metadata, userns_ctx_child, variant->fstype, path,
				      userns_ctx_parent, &rep));
}

/* ---- remount ----------------------------------------------------------- */

/* Creates @path holding @pages pages of data. */
static int write_pages(const char *path, long page_size, int pages)
{
	char *buf = malloc(page_size);
	int fd, i, ret = 0;

	if (!buf)
		return -1;
	memset(buf, 'x', page_size);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		ret = -1;
	for (i = 0; !ret && i < pages; i++)
		if (write(fd, buf, page_size) != page_size)
			ret = -1;
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

/* Remounts @path with @data; returns 0 if statfs then reports @blocks and @files. */
static int remount_blocks_files(const char *path, const char *data, unsigned long long blocks,
				unsigned long long files)
{
	struct statfs sf;

	if (mount(NULL, path, NULL, MS_REMOUNT, data) || statfs(path, &sf))
		return -1;
	return sf.f_blocks == blocks && sf.f_files == files ? 0 : 1;
}

TEST_F(fs, remount_size)
{
	long ps = self->page_size, mib = (1 << 20) / ps;
	char sub[PATH_MAX], file[PATH_MAX], opts[256], want[64];
	struct statfs sf;
	int fd;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=10", sub));
	ASSERT_EQ(0, write_pages(path_join(file, sub, "file"), ps, 10));
	EXPECT_EQ(0, remount_blocks_files(sub, "size=2M", 2 * mib, 10));
	ASSERT_EQ(0, statfs(sub, &sf));
	EXPECT_EQ(2 * mib - 10, sf.f_bfree);
	EXPECT_EQ(2 * mib - 10, sf.f_bavail);
	EXPECT_EQ(0, remount_blocks_files(sub, "nr_blocks=16", 16, 10));
	ASSERT_EQ(0, statfs(sub, &sf));
	EXPECT_EQ(6, sf.f_bfree);
	ASSERT_EQ(0, find_mount(sub, opts));
	snprintf(want, sizeof(want), "size=%luk", 16 * ps / 1024);
	EXPECT_TRUE(has_opt(opts, want)) {
		TH_LOG("options: %s", opts);
	}
	/* Exactly the space in use is enough. */
	EXPECT_EQ(0, remount_blocks_files(sub, "nr_blocks=10", 10, 10));
	ASSERT_EQ(0, statfs(sub, &sf));
	EXPECT_EQ(0, sf.f_bfree);

	/* Less is not, and nothing changes. */
	EXPECT_EQ(-1, mount(NULL, sub, NULL, MS_REMOUNT, "nr_blocks=9"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount(NULL, sub, NULL, MS_REMOUNT, "size=4k"));
	EXPECT_EQ(EINVAL, errno);
	check_reconf_fails(_metadata, variant->fstype, sub, "nr_blocks", "9",
			   "Too small a size for current use");
	ASSERT_EQ(0, statfs(sub, &sf));
	EXPECT_EQ(10, sf.f_blocks);
	EXPECT_EQ(0, sf.f_bfree);

	/* Through fspick() too. */
	fd = sys_fspick(sub, FSPICK_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "size", "1M", 0));
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0));
	close(fd);
	ASSERT_EQ(0, statfs(sub, &sf));
	EXPECT_EQ(mib, sf.f_blocks);
	EXPECT_EQ(mib - 10, sf.f_bfree);
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, remount_nr_inodes)
{
	char sub[PATH_MAX], path[PATH_MAX], other[PATH_MAX], opts[256];
	long blocks = (1 << 20) / self->page_size;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=10", sub));
	ASSERT_EQ(0, create_file(path_join(path, sub, "a")));
	ASSERT_EQ(0, link(path, path_join(other, sub, "b")));
	ASSERT_EQ(0, mkdir(path_join(path, sub, "c"), 0755));
	/* In use: the root, a, its second link b, and c. */
	EXPECT_EQ(6, ffree_of(sub));
	EXPECT_EQ(0, remount_blocks_files(sub, "nr_inodes=20", blocks, 20));
	EXPECT_EQ(16, ffree_of(sub));
	ASSERT_EQ(0, find_mount(sub, opts));
	EXPECT_TRUE(has_opt(opts, "nr_inodes=20")) {
		TH_LOG("options: %s", opts);
	}
	EXPECT_EQ(0, remount_blocks_files(sub, "nr_inodes=4", blocks, 4));
	EXPECT_EQ(0, ffree_of(sub));

	EXPECT_EQ(-1, mount(NULL, sub, NULL, MS_REMOUNT, "nr_inodes=3"));
	EXPECT_EQ(EINVAL, errno);
	check_reconf_fails(_metadata, variant->fstype, sub, "nr_inodes", "3",
			   "Too few inodes for current use");
	EXPECT_EQ(0, remount_blocks_files(sub, "size=2M", 2 * blocks, 4));
	EXPECT_EQ(0, ffree_of(sub));
	EXPECT_EQ(-1, create_file(path_join(path, sub, "d")));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, remount_failure_changes_nothing)
{
	char sub[PATH_MAX], path[PATH_MAX];
	long blocks = (1 << 20) / self->page_size;
	struct statfs sf;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=10", sub));
	ASSERT_EQ(0, create_file(path_join(path, sub, "a")));
	/* The size is fine, the inodes are not: neither is applied. */
	EXPECT_EQ(-1, mount(NULL, sub, NULL, MS_REMOUNT, "size=2M,nr_inodes=1"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount(NULL, sub, NULL, MS_REMOUNT, "nr_inodes=20,size=abc"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount(NULL, sub, NULL, MS_REMOUNT, "nr_inodes=20,uid=4294967295"));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, statfs(sub, &sf));
	EXPECT_EQ(blocks, sf.f_blocks);
	EXPECT_EQ(10, sf.f_files);
	EXPECT_EQ(8, sf.f_ffree);
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, remount_unlimited)
{
	char sub[PATH_MAX], path[PATH_MAX];
	long blocks = (1 << 20) / self->page_size;
	struct statfs sf;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=0,nr_inodes=0", sub));
	EXPECT_EQ(-1, mount(NULL, sub, NULL, MS_REMOUNT, "size=1M"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount(NULL, sub, NULL, MS_REMOUNT, "nr_inodes=10"));
	EXPECT_EQ(EINVAL, errno);
	check_reconf_fails(_metadata, variant->fstype, sub, "size", "1M",
			   "Cannot retroactively limit size");
	check_reconf_fails(_metadata, variant->fstype, sub, "nr_blocks", "10",
			   "Cannot retroactively limit size");
	check_reconf_fails(_metadata, variant->fstype, sub, "nr_inodes", "10",
			   "Cannot retroactively limit inodes");
	/* Zero stays allowed. */
	EXPECT_EQ(0, remount_blocks_files(sub, "size=0,nr_inodes=0", 0, 0));
	ASSERT_EQ(0, umount(sub));

	/* Lifting a limit is allowed, and then it cannot come back. */
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=10", sub));
	ASSERT_EQ(0, create_file(path_join(path, sub, "a")));
	EXPECT_EQ(0, remount_blocks_files(sub, "size=0", 0, 10));
	ASSERT_EQ(0, statfs(sub, &sf));
	EXPECT_EQ(0, sf.f_bfree);
	EXPECT_EQ(0, sf.f_bavail);
	EXPECT_EQ(8, sf.f_ffree);
	check_reconf_fails(_metadata, variant->fstype, sub, "size", "1M",
			   "Cannot retroactively limit size");
	EXPECT_EQ(0, remount_blocks_files(sub, "nr_inodes=0", 0, 0));
	ASSERT_EQ(0, statfs(sub, &sf));
	EXPECT_EQ(0, sf.f_ffree);
	check_reconf_fails(_metadata, variant->fstype, sub, "nr_inodes", "10",
			   "Cannot retroactively limit inodes");
	EXPECT_EQ(0, unlink(path));
	ASSERT_EQ(0, umount(sub));

	/* One limit can go while the other stays. */
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=10", sub));
	EXPECT_EQ(0, remount_blocks_files(sub, "nr_inodes=0", blocks, 0));
	EXPECT_EQ(0, remount_blocks_files(sub, "size=2M", 2 * blocks, 0));
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, remount_owner_mode_not_applied)
{
	char sub[PATH_MAX], opts[256];
	struct stat st;
	int fd;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir,
			       "uid=1000,gid=1234,mode=0750,size=1M,nr_inodes=10", sub));
	/* Accepted, but only applied at mount time. */
	EXPECT_EQ(0, mount(NULL, sub, NULL, MS_REMOUNT, "uid=5,gid=6,mode=0700"));
	fd = sys_fspick(sub, FSPICK_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "uid", "7", 0));
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "gid", "8", 0));
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "mode", "0711", 0));
	EXPECT_EQ(0, sys_fsconfig(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0));
	close(fd);
	ASSERT_EQ(0, stat(sub, &st));
	EXPECT_EQ(S_IFDIR | 0750, st.st_mode);
	EXPECT_EQ(USER_ID, st.st_uid);
	EXPECT_EQ(GROUP_ID, st.st_gid);
	ASSERT_EQ(0, find_mount(sub, opts));
	EXPECT_TRUE(has_opt(opts, "uid=1000") && has_opt(opts, "gid=1234")) {
		TH_LOG("options: %s", opts);
	}
	/* Bad values are still rejected. */
	EXPECT_EQ(-1, mount(NULL, sub, NULL, MS_REMOUNT, "uid=abc"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount(NULL, sub, NULL, MS_REMOUNT, "mode=9"));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, remount_read_only)
{
	char sub[PATH_MAX], file[PATH_MAX], other[PATH_MAX];
	long blocks = (1 << 20) / self->page_size;
	struct statfs sf;
	int fd;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=10", sub));
	ASSERT_EQ(0, write_pages(path_join(file, sub, "file"), self->page_size, 1));
	ASSERT_EQ(0, mount(NULL, sub, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	EXPECT_EQ(-1, open(file, O_WRONLY));
	EXPECT_EQ(EROFS, errno);
	EXPECT_EQ(-1, create_file(path_join(other, sub, "other")));
	EXPECT_EQ(EROFS, errno);
	EXPECT_EQ(-1, unlink(file));
	EXPECT_EQ(EROFS, errno);
	/* The limits are untouched. */
	ASSERT_EQ(0, statfs(sub, &sf));
	EXPECT_TRUE(sf.f_flags & ST_RDONLY);
	EXPECT_EQ(blocks, sf.f_blocks);
	EXPECT_EQ(blocks - 1, sf.f_bfree);
	EXPECT_EQ(10, sf.f_files);
	EXPECT_EQ(8, sf.f_ffree);

	/* Limits can change together with the flag. */
	ASSERT_EQ(0, mount(NULL, sub, NULL, MS_REMOUNT, "size=2M"));
	ASSERT_EQ(0, statfs(sub, &sf));
	EXPECT_FALSE(sf.f_flags & ST_RDONLY);
	EXPECT_EQ(2 * blocks, sf.f_blocks);
	EXPECT_EQ(10, sf.f_files);
	fd = open(file, O_WRONLY | O_APPEND);
	EXPECT_LE(0, fd);
	EXPECT_EQ(1, write(fd, "x", 1));
	close(fd);
	EXPECT_EQ(0, create_file(other));
	EXPECT_EQ(0, unlink(file));
	ASSERT_EQ(0, umount(sub));
}

/* ---- /proc/mounts ------------------------------------------------------ */

/* Mounts with @opts; checks /proc/mounts shows each of the options @shown. */
static void check_shown(struct __test_metadata *_metadata, const char *fstype, const char *dir,
			const char *opts, const char *const *shown)
{
	char sub[PATH_MAX], found[256];

	ASSERT_EQ(0, mount_sub(fstype, dir, opts, sub)) {
		TH_LOG("mount -o %s: %s", opts, strerror(errno));
	}
	ASSERT_EQ(0, find_mount(sub, found));
	for (; *shown; shown++) {
		EXPECT_TRUE(has_opt(found, *shown)) {
			TH_LOG("-o %s: %s not in %s", opts, *shown, found);
		}
	}
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, proc_mounts_limits)
{
	char kib1[32], kib2[32], kib3[32];
	const char *const a[] = { "size=1024k", "nr_inodes=10", NULL };
	const char *const b[] = { kib1, "nr_inodes=2048", NULL };
	const char *const c[] = { kib2, "nr_inodes=1", NULL };
	const char *const d[] = { "size=1048576k", "nr_inodes=1048576", NULL };
	const char *const e[] = { kib3, "nr_inodes=16", NULL };

	/* Sizes are shown in KiB of whole pages. */
	snprintf(kib1, sizeof(kib1), "size=%luk", self->page_size / 1024);
	snprintf(kib2, sizeof(kib2), "size=%luk", 3 * self->page_size / 1024);
	snprintf(kib3, sizeof(kib3), "size=%luk", 2 * self->page_size / 1024);
	check_shown(_metadata, variant->fstype, self->dir, "size=1M,nr_inodes=10", a);
	check_shown(_metadata, variant->fstype, self->dir, "size=1,nr_inodes=2k", b);
	check_shown(_metadata, variant->fstype, self->dir, "nr_blocks=3,nr_inodes=1", c);
	check_shown(_metadata, variant->fstype, self->dir, "size=1G,nr_inodes=1M", d);
	check_shown(_metadata, variant->fstype, self->dir, "size=5000,nr_inodes=0x10", e);
}

TEST_F(fs, proc_mounts_roundtrip)
{
	char sub[PATH_MAX], other[PATH_MAX], opts[256], copy[256], tok[256];
	struct statfs sa, sb;
	struct stat a, b;
	char *p, *save;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir,
			       "size=3%,nr_inodes=1k,uid=1000,gid=1234,mode=0750", sub));
	ASSERT_EQ(0, find_mount(sub, opts));
	/* Keep what the file system shows; the generic flags are not its options. */
	copy[0] = '\0';
	snprintf(tok, sizeof(tok), "%s", opts);
	for (p = strtok_r(tok, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (strncmp(p, "size=", 5) && strncmp(p, "nr_inodes=", 10) &&
		    strncmp(p, "uid=", 4) && strncmp(p, "gid=", 4) && strncmp(p, "mode=", 5))
			continue;
		if (copy[0])
			strcat(copy, ",");
		strcat(copy, p);
	}
	EXPECT_TRUE(has_opt(opts, "nr_inodes=1024") && has_opt(opts, "uid=1000") &&
		    has_opt(opts, "gid=1234") && has_opt_prefix(opts, "size=")) {
		TH_LOG("options: %s", opts);
	}
	path_join(other, self->dir, "other");
	ASSERT_EQ(0, mkdir(other, 0755));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, other, variant->fstype, 0, copy)) {
		TH_LOG("mount -o %s: %s", copy, strerror(errno));
	}
	ASSERT_EQ(0, statfs(sub, &sa));
	ASSERT_EQ(0, statfs(other, &sb));
	EXPECT_EQ(sa.f_blocks, sb.f_blocks);
	EXPECT_EQ(sa.f_files, sb.f_files);
	EXPECT_EQ(sa.f_ffree, sb.f_ffree);
	ASSERT_EQ(0, stat(sub, &a));
	ASSERT_EQ(0, stat(other, &b));
	EXPECT_EQ(a.st_mode, b.st_mode);
	EXPECT_EQ(a.st_uid, b.st_uid);
	EXPECT_EQ(a.st_gid, b.st_gid);
	ASSERT_EQ(0, find_mount(other, tok));
	EXPECT_STREQ(opts, tok);
	ASSERT_EQ(0, umount(other));
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, inode32_inode64)
{
	char sub[PATH_MAX], opts[256];

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "inode64,size=1M,nr_inodes=10", sub));
	ASSERT_EQ(0, find_mount(sub, opts));
	EXPECT_TRUE(has_opt(opts, "inode64")) {
		TH_LOG("options: %s", opts);
	}
	ASSERT_EQ(0, umount(sub));
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "inode32,size=1M,nr_inodes=10", sub));
	ASSERT_EQ(0, find_mount(sub, opts));
	EXPECT_FALSE(has_opt(opts, "inode64")) {
		TH_LOG("options: %s", opts);
	}
	ASSERT_EQ(0, umount(sub));
	/* The last one wins. */
	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "inode32,inode64,size=1M", sub));
	ASSERT_EQ(0, find_mount(sub, opts));
	EXPECT_TRUE(has_opt(opts, "inode64")) {
		TH_LOG("options: %s", opts);
	}
	ASSERT_EQ(0, umount(sub));
}

/* ---- inode numbers ----------------------------------------------------- */

static int cmp_ino(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;

	return x < y ? -1 : x > y;
}

TEST_F(fs, ino_distinct)
{
	char sub[PATH_MAX], path[PATH_MAX], name[32];
	ino_t inos[MANY_INODES + 1];
	struct stat st;
	int i;

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=1000", sub));
	ASSERT_EQ(0, stat(sub, &st));
	inos[0] = st.st_ino;
	for (i = 1; i <= MANY_INODES; i++) {
		snprintf(name, sizeof(name), "%c%d", i % 3 ? 'f' : 'd', i);
		path_join(path, sub, name);
		ASSERT_EQ(0, i % 3 ? create_file(path) : mkdir(path, 0755));
		ASSERT_EQ(0, stat(path, &st));
		inos[i] = st.st_ino;
		EXPECT_NE(0, inos[i]);
		/* Removing some on the way must not make numbers come back. */
		if (i % 7 == 0) {
			snprintf(name, sizeof(name), "%c%d", (i - 1) % 3 ? 'f' : 'd', i - 1);
			path_join(path, sub, name);
			ASSERT_EQ(0, (i - 1) % 3 ? unlink(path) : rmdir(path));
		}
	}
	qsort(inos, MANY_INODES + 1, sizeof(inos[0]), cmp_ino);
	for (i = 1; i <= MANY_INODES; i++)
		EXPECT_NE(inos[i - 1], inos[i]);
	ASSERT_EQ(0, umount(sub));
}

/* Mounts a fresh instance and checks the numbers its first inodes get. */
static void check_first_inos(struct __test_metadata *_metadata, const char *fstype,
			     const char *dir, const char *opts)
{
	char sub[PATH_MAX], a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
	struct stat st;
	int fd;

	ASSERT_EQ(0, mount_sub(fstype, dir, opts, sub));
	ASSERT_EQ(0, stat(sub, &st));
	EXPECT_EQ(1, st.st_ino);
	ASSERT_EQ(0, create_file(path_join(a, sub, "a")));
	ASSERT_EQ(0, stat(a, &st));
	EXPECT_EQ(2, st.st_ino);
	ASSERT_EQ(0, mkdir(path_join(b, sub, "b"), 0755));
	ASSERT_EQ(0, stat(b, &st));
	EXPECT_EQ(3, st.st_ino);
	/* A hard link takes no number, O_TMPFILE does, numbers are not reused. */
	ASSERT_EQ(0, link(a, path_join(c, sub, "c")));
	fd = open(sub, O_TMPFILE | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(4, st.st_ino);
	close(fd);
	ASSERT_EQ(0, unlink(a));
	ASSERT_EQ(0, unlink(c));
	ASSERT_EQ(0, create_file(a));
	ASSERT_EQ(0, stat(a, &st));
	EXPECT_EQ(5, st.st_ino);
	ASSERT_EQ(0, symlink("a", c));
	ASSERT_EQ(0, lstat(c, &st));
	EXPECT_EQ(6, st.st_ino);
	ASSERT_EQ(0, umount(sub));
}

TEST_F(fs, ino_per_mount)
{
	char sub[PATH_MAX], other[PATH_MAX], file[PATH_MAX];
	struct stat st;

	/* Each instance numbers its inodes from 1, independently of the others. */
	check_first_inos(_metadata, variant->fstype, self->dir, "size=1M,nr_inodes=10");
	check_first_inos(_metadata, variant->fstype, self->dir, "size=1M,nr_inodes=10");
	check_first_inos(_metadata, variant->fstype, self->dir, "inode64,size=1M,nr_inodes=10");

	ASSERT_EQ(0, mount_sub(variant->fstype, self->dir, "size=1M,nr_inodes=10", sub));
	path_join(other, self->dir, "other");
	ASSERT_EQ(0, mkdir(other, 0755));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, other, variant->fstype, 0, "size=1M,nr_inodes=10"));
	ASSERT_EQ(0, create_file(path_join(file, sub, "a")));
	ASSERT_EQ(0, create_file(path_join(file, sub, "b")));
	ASSERT_EQ(0, create_file(path_join(file, other, "a")));
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_EQ(2, st.st_ino);
	ASSERT_EQ(0, umount(other));
	ASSERT_EQ(0, umount(sub));
}

TEST_HARNESS_MAIN
