// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile users of rust_ramfs: unprivileged users mounting it in user
 * namespaces, device nodes on such mounts, chown and chmod by non-owners,
 * set-user-ID and set-group-ID bits, sticky directories and the
 * fs.protected_* sysctls, O_NOFOLLOW, RENAME_WHITEOUT without CAP_MKNOD, the
 * mode= and uid= of a root the user does not own, and malformed mount
 * options through mount(2) and fsconfig(2), from a table and from a seeded
 * random generator (HOSTILE_SEED=n in the environment picks another seed).
 *
 * Every case runs once against a reference file system and once against
 * rust_ramfs with exactly the same expectations: the "hostile" fixture
 * against C ramfs, the "hostile_tmpfs" fixture, for the cases that use tmpfs
 * options or tmpfs behaviour ramfs does not have, against tmpfs. The option
 * fuzzing also mounts the reference in the same process and requires the
 * same errno, the same file system as seen by stat and statfs, no more kernel
 * log lines and no fs_context messages the reference does not give.
 *
 * In the user namespaces, id 0 is the unprivileged user HOST_USER who created
 * them, ids 1 to NS_IDS - 1 are NS_BASE + 1...; other ids are unmapped.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64

#include "kselftest_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <mntent.h>
#include <sched.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/openat2.h>

#include "tmpfs_compare.h"

#define MOUNT_SOURCE	"hostile_test"
#define HOST_USER	1000		/* unprivileged user of the initial namespace */
#define HOST_USER2	1001		/* another one */
#define NS_BASE		200000		/* namespace ids 1.. are NS_BASE + 1.. */
#define NS_IDS		16		/* namespace ids mapped */
#define UNMAPPED	5000		/* an id no namespace of the test maps */
#define OVERFLOW_ID	65534		/* how stat shows an id without a mapping */
#define MAX_RES		48		/* results a child process can report */
#define NOT_RUN		-2		/* the result of a step that did not run */

#ifndef __NR_fchmodat2
#define __NR_fchmodat2	452
#endif

#ifndef MS_POSIXACL
#define MS_POSIXACL	0x10000
#endif

/* The fs.protected_* sysctls the cases change; the teardown restores them. */
static const char * const sysctls[] = {
	"/proc/sys/fs/protected_regular",
	"/proc/sys/fs/protected_fifos",
	"/proc/sys/fs/protected_symlinks",
	"/proc/sys/fs/protected_hardlinks",
};

enum { PROT_REGULAR, PROT_FIFOS, PROT_SYMLINKS, PROT_HARDLINKS, NR_SYSCTLS };

/* ---- helpers ----------------------------------------------------------- */

/* Outcome of one system call made by a child process. */
struct res {
	long ret;
	int err;
};

static void record(struct res *r, long ret)
{
	r->ret = ret;
	r->err = ret < 0 ? errno : 0;
}

/* Shared with the children: a fresh set of results, none run yet. */
static struct res *new_results(void)
{
	struct res *r;
	int i;

	r = mmap(NULL, MAX_RES * sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return NULL;
	for (i = 0; i < MAX_RES; i++) {
		r[i].ret = NOT_RUN;
		r[i].err = NOT_RUN;
	}
	return r;
}

static void free_results(struct res *r)
{
	munmap(r, MAX_RES * sizeof(*r));
}

/* @dir/@name, in a static buffer of four used in turn. */
static const char *at(const char *dir, const char *name)
{
	static char bufs[4][PATH_MAX];
	static int next;
	char *buf = bufs[next++ % 4];

	return path_join(buf, dir, name);
}

/* Creates @path with @len bytes of @data; returns 0 or -1. */
static int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Appends @len bytes to the existing file @path; returns what write() did. */
static long append(const char *path, size_t len)
{
	long n;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return -1;
	n = write(fd, "xxxxxxxx", len);
	close(fd);
	return n;
}

/* Does @path hold exactly the string @data? */
static bool file_is(const char *path, const char *data)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)strlen(data) && !memcmp(buf, data, n);
}

/* Opens @path with @flags (and mode 0666), closes it; the fd or -1. */
static int try_open(const char *path, int flags)
{
	int fd = open(path, flags, 0666);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* Entries of @dir including "." and "..", or -1. */
static long count_entries(const char *dir)
{
	struct dirent *de;
	long n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n++;
	closedir(d);
	return n;
}

/* The mode (permission and set-id bits), uid and gid of @path, or -1. */
static long mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? -1 : (long)(st.st_mode & 07777);
}

static long uid_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? -1 : (long)st.st_uid;
}

static long gid_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? -1 : (long)st.st_gid;
}

/* Creates @path with @mode and owner @uid:@gid, holding one byte. */
static int make_owned(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	if (write_file(path, "x", 1, 0600) || chown(path, uid, gid))
		return -1;
	return chmod(path, mode);
}

static int mkdir_owned(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	if (mkdir(path, 0700) || chown(path, uid, gid))
		return -1;
	return chmod(path, mode);
}

static int sys_renameat2(const char *from, const char *to, unsigned int flags)
{
	return syscall(__NR_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

static int sys_openat2(int dfd, const char *path, __u64 flags, __u64 resolve)
{
	struct open_how how = { .flags = flags, .resolve = resolve };
	int fd = syscall(__NR_openat2, dfd, path, &how, sizeof(how));

	if (fd >= 0)
		close(fd);
	return fd;
}

/* Makes the calling process @uid:@gid with no supplementary groups, and no capabilities. */
static int become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return -1;
	/* Stay dumpable, or /proc/self/{uid,gid}_map would belong to root. */
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

/*
 * Forks a child that becomes @uid:@gid, with the one supplementary group @grp
 * unless it is -1, and returns 0 in it; the parent waits for the child and
 * returns 1. In a user namespace, the child has no capabilities left.
 */
static int user_fork(uid_t uid, gid_t gid, gid_t grp)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if ((grp != (gid_t)-1 && setgroups(1, &grp)) ||
		    setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
			_exit(1);
		return 0;
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return 1;
}

/* Runs the statement that follows in a child process of user @uid:@gid (and group @grp). */
#define AS_USER(uid, gid, grp) \
	for (int __as_user = user_fork(uid, gid, grp); !__as_user; _exit(0))

/* ---- user namespaces --------------------------------------------------- */

/* Runs in the child as root of its user namespace, with its mount on @path. */
typedef void (*ns_fn)(const char *path, struct res *r);
/* Runs in the test process (real root) while the child waits between two ns_fns. */
typedef void (*host_fn)(pid_t pid, const char *path, struct res *r);

/* What run_userns() does. */
struct userns_run {
	const char *fstype;
	const char *opts;	/* mount options of the child's mount */
	const char *path;	/* where it mounts it */
	bool self_map;		/* maps only itself, as any user can; else NS_IDS ids */
	ns_fn fn;		/* then, in the child */
	host_fn host;		/* then, in the test process, if not NULL */
	ns_fn after;		/* then, in the child, if not NULL */
};

/* Where run_userns() leaves results about the child itself. */
enum {
	R_PLAIN_MOUNT = MAX_RES - 3,	/* mount() before unsharing */
	R_PLAIN_FSOPEN = MAX_RES - 2,	/* fsopen() before unsharing */
	R_NS_MOUNT = MAX_RES - 1,	/* mount() in the user namespace */
};

/*
 * Forks a child that becomes HOST_USER, tries to mount without a namespace,
 * unshares a user and a mount namespace, gets its id mappings, becomes root
 * there, mounts @run->fstype with @run->opts on @run->path and runs the
 * functions of @run. Returns the child's wait status, or -1.
 */
static int run_userns(const struct userns_run *run, struct res *r)
{
	int up[2], down[2], status = -1;
	char proc[64], map[128], c = 0;
	pid_t pid;

	if (pipe(up))
		return -1;
	if (pipe(down)) {
		close(up[0]);
		close(up[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		if (become(HOST_USER, HOST_USER))
			_exit(10);
		record(&r[R_PLAIN_MOUNT], mount(MOUNT_SOURCE, run->path, run->fstype, 0, NULL));
		record(&r[R_PLAIN_FSOPEN], sys_fsopen(run->fstype, FSOPEN_CLOEXEC));
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
			_exit(11);
		if (run->self_map) {
			snprintf(map, sizeof(map), "0 %d 1", HOST_USER);
			if (write_string("/proc/self/setgroups", "deny") ||
			    write_string("/proc/self/uid_map", map) ||
			    write_string("/proc/self/gid_map", map))
				_exit(12);
		} else if (write(up[1], "u", 1) != 1 || read(down[0], &c, 1) != 1 || c != 'm') {
			_exit(13);
		}
		if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
			_exit(14);
		record(&r[R_NS_MOUNT], mount(MOUNT_SOURCE, run->path, run->fstype, 0, run->opts));
		if (r[R_NS_MOUNT].ret)
			_exit(15);
		run->fn(run->path, r);
		if (run->host && (write(up[1], "h", 1) != 1 || read(down[0], &c, 1) != 1))
			_exit(16);
		if (run->after)
			run->after(run->path, r);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	if (pid > 0 && !run->self_map && read(up[0], &c, 1) == 1) {
		/* HOST_USER is 0 in there; NS_BASE + 1.. are 1... */
		snprintf(map, sizeof(map), "0 %d 1\n1 %d %d\n", HOST_USER, NS_BASE + 1, NS_IDS - 1);
		snprintf(proc, sizeof(proc), "/proc/%d/uid_map", pid);
		c = write_string(proc, map) ? 'e' : 'm';
		snprintf(proc, sizeof(proc), "/proc/%d/gid_map", pid);
		if (c == 'm' && write_string(proc, map))
			c = 'e';
		if (write(down[1], &c, 1) != 1)
			c = 'e';
	}
	if (pid > 0 && run->host && read(up[0], &c, 1) == 1) {
		run->host(pid, run->path, r);
		if (write(down[1], "c", 1) != 1)
			kill(pid, SIGKILL);
	}
	close(up[0]);
	close(down[1]);
	if (pid > 0 && waitpid(pid, &status, 0) != pid)
		status = -1;
	return status;
}

/* Runs @run, and checks the child mounted and finished. */
#define RUN_USERNS(run, r) do { \
	const struct userns_run *__run = (run); \
	struct res *__r = (r); \
	int __status = run_userns(__run, __r); \
	ASSERT_EQ(0, __r[R_NS_MOUNT].ret) { \
		TH_LOG("mount -t %s -o %s in a user namespace: %s", __run->fstype, \
		       __run->opts, strerror(__r[R_NS_MOUNT].err)); \
	} \
	ASSERT_EQ(0, __status); \
} while (0)

/* Expects the step @r to have succeeded (returned @want, or >= 0 if @want is -1). */
#define EXPECT_OK(want, r) do { \
	const long __want = (want); \
	const struct res __r = (r); \
	if (__want < 0) { \
		EXPECT_LE(0, __r.ret); \
	} else { \
		EXPECT_EQ(__want, __r.ret); \
	} \
	EXPECT_EQ(0, __r.err) { \
		TH_LOG("%s: %s", #r, strerror(__r.err)); \
	} \
} while (0)

/* Expects the step @r to have failed with @e. */
#define EXPECT_ERR(e, r) do { \
	const int __e = (e); \
	const struct res __r = (r); \
	EXPECT_EQ(-1, __r.ret); \
	EXPECT_EQ(__e, __r.err) { \
		TH_LOG("%s: %s, not %s", #r, strerror(__r.err), strerror(__e)); \
	} \
} while (0)

/* ---- fixtures ---------------------------------------------------------- */

FIXTURE(hostile) {
	char dir[PATH_MAX];
	char saved[NR_SYSCTLS][16];	/* sysctl values to restore, or "" */
};

/* @fstype is the file system under test; @ref the one it must behave like. */
FIXTURE_VARIANT(hostile) {
	const char *fstype;
	const char *ref;
	const char *prefix;	/* options every mount of the option cases starts with */
	bool cmp_opts;		/* compare the options in /proc/mounts */
};

FIXTURE_VARIANT_ADD(hostile, ramfs) {
	.fstype = "ramfs",
	.ref = "ramfs",
	.prefix = "",
	.cmp_opts = true,
};

FIXTURE_VARIANT_ADD(hostile, rust_ramfs) {
	.fstype = "rust_ramfs",
	.ref = "ramfs",
	.prefix = "",
	.cmp_opts = true,
};

/* The same, for cases with tmpfs options, against tmpfs. */
FIXTURE(hostile_tmpfs) {
	char dir[PATH_MAX];
	char saved[NR_SYSCTLS][16];
};

FIXTURE_VARIANT(hostile_tmpfs) {
	const char *fstype;
	const char *ref;
	const char *prefix;
	bool cmp_opts;
	const char *fs_extra;	/* mount(2) options for @fstype only */
};

/*
 * tmpfs and rust_ramfs differ by design where no size, inode limit and root
 * mode are given, so the option cases always give them first.
 */
FIXTURE_VARIANT_ADD(hostile_tmpfs, tmpfs) {
	.fstype = "tmpfs",
	.ref = "tmpfs",
	.prefix = "size=1M,nr_inodes=100,mode=0755",
	.cmp_opts = false,
};

FIXTURE_VARIANT_ADD(hostile_tmpfs, rust_ramfs) {
	.fstype = "rust_ramfs",
	.ref = "tmpfs",
	.prefix = "size=1M,nr_inodes=100,mode=0755",
	.cmp_opts = false,
	/*
	 * tmpfs always has POSIX ACLs, rust_ramfs with "acl": mount(2) with
	 * MS_POSIXACL then leaves the umask to both. (fsconfig() cannot set
	 * SB_POSIXACL.)
	 */
	.fs_extra = "acl",
};

/*
 * Mounts a scratch instance of @fstype on a new directory @dir, in a private
 * mount namespace, to hold the mount points of a case. False if the case
 * cannot run (and is skipped or failed).
 */
static bool setup_scratch(struct __test_metadata *_metadata, char *dir,
			  char saved[][16], const char *fstype, const char *ref)
{
	int i;

	dir[0] = '\0';
	for (i = 0; i < NR_SYSCTLS; i++)
		saved[i][0] = '\0';
	umask(0);
	if (geteuid() != 0)
		SKIP(return false, "must be run as root");
	if (!fs_available(fstype))
		SKIP(return false, "file system type %s not available", fstype);
	if (!fs_available(ref))
		SKIP(return false, "file system type %s not available", ref);

	/* Anything mounted from now on disappears with this process. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS)) {
		return false;
	}
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		return false;
	}
	snprintf(dir, PATH_MAX, "/tmp/hostile_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(dir)) {
		dir[0] = '\0';
		return false;
	}
	ASSERT_EQ(0, mount(MOUNT_SOURCE, dir, fstype, 0, "mode=0755")) {
		TH_LOG("mount -t %s: %s", fstype, strerror(errno));
		return false;
	}
	return true;
}

/* In the test's parent process: puts the sysctls back and removes @dir. */
static void teardown_scratch(char *dir, char saved[][16])
{
	int i;

	for (i = 0; i < NR_SYSCTLS; i++)
		if (saved[i][0])
			write_string(sysctls[i], saved[i]);
	if (dir[0])
		rmdir(dir);
}

FIXTURE_SETUP(hostile)
{
	setup_scratch(_metadata, self->dir, self->saved, variant->fstype, variant->ref);
}

FIXTURE_TEARDOWN_PARENT(hostile)
{
	teardown_scratch(self->dir, self->saved);
}

FIXTURE_SETUP(hostile_tmpfs)
{
	setup_scratch(_metadata, self->dir, self->saved, variant->fstype, variant->ref);
}

FIXTURE_TEARDOWN_PARENT(hostile_tmpfs)
{
	teardown_scratch(self->dir, self->saved);
}

/* Sets sysctl @i to @value, saving its value for the teardown first. */
static int set_sysctl(char saved[][16], int i, int value)
{
	char buf[16];
	ssize_t n;
	int fd;

	if (!saved[i][0]) {
		fd = open(sysctls[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		n = read(fd, saved[i], sizeof(saved[i]) - 1);
		close(fd);
		if (n <= 0)
			return -1;
		saved[i][n] = '\0';
	}
	snprintf(buf, sizeof(buf), "%d", value);
	return write_string(sysctls[i], buf);
}

/* A new mount point @dir/@name, left in @buf. */
static const char *mountpoint(char *buf, const char *dir, const char *name)
{
	path_join(buf, dir, name);
	if (mkdir(buf, 0755) && errno != EEXIST)
		return NULL;
	return buf;
}

/* ---- an unprivileged user mounts it ------------------------------------ */

static void unpriv_use(const char *path, struct res *r)
{
	struct stat st;

	record(&r[0], write_file(at(path, "file"), "hostile", 7, 0644));
	r[1].ret = file_is(at(path, "file"), "hostile");
	record(&r[2], mkdir(at(path, "dir"), 0755));
	record(&r[3], rename(at(path, "file"), at(path, "dir/moved")));
	r[4].ret = file_is(at(path, "dir/moved"), "hostile");
	record(&r[5], link(at(path, "dir/moved"), at(path, "hard")));
	record(&r[6], symlink("dir/moved", at(path, "sym")));
	r[7].ret = file_is(at(path, "sym"), "hostile");
	record(&r[8], count_entries(path));
	record(&r[9], unlink(at(path, "hard")));
	record(&r[10], sys_renameat2(at(path, "dir"), at(path, "sym"), RENAME_EXCHANGE));
	record(&r[11], sys_renameat2(at(path, "dir"), at(path, "sym"), RENAME_EXCHANGE));
	record(&r[12], unlink(at(path, "dir/moved")));
	record(&r[13], rmdir(at(path, "dir")));
	record(&r[14], unlink(at(path, "sym")));
	record(&r[15], stat(path, &st));
	r[16].ret = st.st_mode;
	r[17].ret = st.st_uid;
	r[18].ret = st.st_gid;
	record(&r[19], write_file(at(path, "keep"), "k", 1, 0600));
}

/* Looks at the child's mount from the initial user namespace. */
static void unpriv_host(pid_t pid, const char *path, struct res *r)
{
	char file[PATH_MAX + 64];

	snprintf(file, sizeof(file), "/proc/%d/root%s/keep", pid, path);
	r[20].ret = uid_of(file);
	r[21].ret = gid_of(file);
	/* The mount is not in the test's mount namespace. */
	r[22].ret = count_entries(path);
}

static void unpriv_umount(const char *path, struct res *r)
{
	record(&r[23], umount(path));
}

TEST_F(hostile, unpriv_userns_mount)
{
	struct userns_run run = {
		.fstype = variant->fstype, .opts = "mode=0700", .self_map = true,
		.fn = unpriv_use, .host = unpriv_host, .after = unpriv_umount,
	};
	char path[PATH_MAX];
	struct res *r;

	ASSERT_NE(NULL, (run.path = mountpoint(path, self->dir, "u")));
	ASSERT_NE(NULL, (r = new_results()));
	/* Without namespaces of its own, the user cannot mount. */
	run_userns(&run, r);
	EXPECT_ERR(EPERM, r[R_PLAIN_MOUNT]);
	EXPECT_ERR(EPERM, r[R_PLAIN_FSOPEN]);
	RUN_USERNS(&run, r);
	EXPECT_OK(0, r[0]);
	EXPECT_EQ(1, r[1].ret);
	EXPECT_OK(0, r[2]);
	EXPECT_OK(0, r[3]);
	EXPECT_EQ(1, r[4].ret);
	EXPECT_OK(0, r[5]);
	EXPECT_OK(0, r[6]);
	EXPECT_EQ(1, r[7].ret);
	EXPECT_OK(5, r[8]);
	EXPECT_OK(0, r[9]);
	EXPECT_OK(0, r[10]);
	EXPECT_OK(0, r[11]);
	EXPECT_OK(0, r[12]);
	EXPECT_OK(0, r[13]);
	EXPECT_OK(0, r[14]);
	EXPECT_OK(0, r[15]);
	EXPECT_EQ(S_IFDIR | 0700, r[16].ret);
	EXPECT_EQ(0, r[17].ret);
	EXPECT_EQ(0, r[18].ret);
	EXPECT_OK(0, r[19]);
	/* Seen from outside, the user's files belong to the user. */
	EXPECT_EQ(HOST_USER, r[20].ret);
	EXPECT_EQ(HOST_USER, r[21].ret);
	EXPECT_EQ(2, r[22].ret);
	EXPECT_OK(0, r[23]);
	free_results(r);
}

/* ---- device nodes ------------------------------------------------------ */

static void devices_make(const char *path, struct res *r)
{
	record(&r[0], mknod(at(path, "null"), S_IFCHR | 0666, makedev(1, 3)));
	record(&r[1], mknod(at(path, "blk"), S_IFBLK | 0666, makedev(7, 0)));
	record(&r[2], mknod(at(path, "fifo"), S_IFIFO | 0666, 0));
	record(&r[3], mknod(at(path, "wh"), S_IFCHR | 0666, makedev(0, 0)));
	AS_USER(1, 1, -1) {
		record(&r[4], mknod(at(path, "null1"), S_IFCHR | 0666, makedev(1, 3)));
		record(&r[5], mknod(at(path, "wh1"), S_IFCHR | 0666, makedev(0, 0)));
		record(&r[6], try_open(at(path, "wh1"), O_RDONLY));
	}
}

/* Real root makes a /dev/null node in the child's mount, with an id mapped there. */
static void devices_host(pid_t pid, const char *path, struct res *r)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	char node[PATH_MAX + 64];
	int status;
	pid_t child;

	snprintf(node, sizeof(node), "/proc/%d/root%s/hostnull", pid, path);
	child = fork();
	if (child == 0) {
		/* Root's own fsuid has no mapping there: take id 1's, keeping the caps. */
		setfsgid(NS_BASE + 1);
		setfsuid(NS_BASE + 1);
		if (syscall(__NR_capget, &hdr, data))
			_exit(1);
		data[0].effective = data[0].permitted;
		data[1].effective = data[1].permitted;
		if (syscall(__NR_capset, &hdr, data))
			_exit(1);
		record(&r[7], mknod(node, S_IFCHR | 0666, makedev(1, 3)));
		_exit(0);
	}
	waitpid(child, &status, 0);
	record(&r[8], try_open(node, O_RDWR));
}

static void devices_open(const char *path, struct res *r)
{
	struct stat st;

	record(&r[9], stat(at(path, "hostnull"), &st));
	r[10].ret = st.st_rdev == makedev(1, 3);
	record(&r[11], try_open(at(path, "hostnull"), O_RDWR));
	record(&r[12], try_open(at(path, "wh"), O_WRONLY));
	AS_USER(1, 1, -1) {
		record(&r[13], try_open(at(path, "hostnull"), O_RDONLY));
		record(&r[14], try_open(at(path, "hostnull"), O_PATH));
	}
	record(&r[15], try_open(at(path, "fifo"), O_RDWR));
}

TEST_F(hostile, userns_device_nodes)
{
	struct userns_run run = {
		.fstype = variant->fstype, .opts = "mode=0777",
		.fn = devices_make, .host = devices_host, .after = devices_open,
	};
	char path[PATH_MAX];
	struct res *r;

	ASSERT_NE(NULL, (run.path = mountpoint(path, self->dir, "u")));
	ASSERT_NE(NULL, (r = new_results()));
	RUN_USERNS(&run, r);
	/* Device nodes need CAP_MKNOD in the initial user namespace ... */
	EXPECT_ERR(EPERM, r[0]);
	EXPECT_ERR(EPERM, r[1]);
	EXPECT_OK(0, r[2]);
	/* ... but for whiteouts, even without any capability. */
	EXPECT_OK(0, r[3]);
	EXPECT_ERR(EPERM, r[4]);
	EXPECT_OK(0, r[5]);
	/* A mount owned by a user namespace is nodev (SB_I_NODEV), even for real root. */
	EXPECT_ERR(EACCES, r[6]);
	EXPECT_OK(0, r[7]);
	EXPECT_ERR(EACCES, r[8]);
	EXPECT_OK(0, r[9]);
	EXPECT_EQ(1, r[10].ret);
	EXPECT_ERR(EACCES, r[11]);
	EXPECT_ERR(EACCES, r[12]);
	EXPECT_ERR(EACCES, r[13]);
	/* O_PATH does not open the device. */
	EXPECT_OK(-1, r[14]);
	EXPECT_OK(-1, r[15]);
	free_results(r);
}

/* ---- chown ------------------------------------------------------------- */

static void chown_steps(const char *path, struct res *r)
{
	char f[PATH_MAX], s[PATH_MAX];

	path_join(f, path, "f");
	path_join(s, path, "s");

	record(&r[0], write_file(f, "f", 1, 0644));
	record(&r[1], chown(f, UNMAPPED, -1));
	record(&r[2], chown(f, -1, UNMAPPED));
	record(&r[3], chown(f, 1, 1));
	record(&r[4], symlink("f", s));
	AS_USER(2, 2, -1) {
		record(&r[5], chown(f, 2, -1));
		record(&r[6], chown(f, -1, 2));
		record(&r[7], chmod(f, 0777));
		record(&r[8], lchown(s, 2, 2));
		record(&r[9], chown(path, 2, -1));
	}
	AS_USER(1, 1, -1) {
		record(&r[10], chown(f, 2, -1));
		record(&r[11], chown(f, -1, 2));
		record(&r[12], chown(f, 1, 1));
		record(&r[13], chown(f, -1, -1));
		record(&r[14], chown(f, UNMAPPED, -1));
		record(&r[15], chown(f, -1, UNMAPPED));
	}
	AS_USER(1, 1, 3) {
		record(&r[16], chown(f, -1, 3));
	}
	r[17].ret = uid_of(f);
	r[18].ret = gid_of(f);
}

TEST_F(hostile, userns_chown)
{
	struct userns_run run = {
		.fstype = variant->fstype, .opts = "mode=0777", .fn = chown_steps,
	};
	char path[PATH_MAX];
	struct res *r;

	ASSERT_NE(NULL, (run.path = mountpoint(path, self->dir, "u")));
	ASSERT_NE(NULL, (r = new_results()));
	RUN_USERNS(&run, r);
	EXPECT_OK(0, r[0]);
	/* Ids without a mapping in the namespace cannot be given ... */
	EXPECT_ERR(EINVAL, r[1]);
	EXPECT_ERR(EINVAL, r[2]);
	EXPECT_OK(0, r[3]);
	EXPECT_OK(0, r[4]);
	/* ... a non-owner can change nothing ... */
	EXPECT_ERR(EPERM, r[5]);
	EXPECT_ERR(EPERM, r[6]);
	EXPECT_ERR(EPERM, r[7]);
	EXPECT_ERR(EPERM, r[8]);
	EXPECT_ERR(EPERM, r[9]);
	/* ... and the owner only the group, to one of its own. */
	EXPECT_ERR(EPERM, r[10]);
	EXPECT_ERR(EPERM, r[11]);
	EXPECT_OK(0, r[12]);
	EXPECT_OK(0, r[13]);
	EXPECT_ERR(EINVAL, r[14]);
	EXPECT_ERR(EINVAL, r[15]);
	EXPECT_OK(0, r[16]);
	EXPECT_EQ(1, r[17].ret);
	EXPECT_EQ(3, r[18].ret);
	free_results(r);
}

/* ---- set-user-ID and set-group-ID bits --------------------------------- */

/* The files of setid_steps(): name, owner, mode. */
static const struct {
	const char *name;
	uid_t uid;
	gid_t gid;
	mode_t mode;
} setid_files[] = {
	{ "a", 1, 1, 06777 }, { "b", 1, 1, 06767 }, { "c", 1, 1, 06777 },
	{ "d", 1, 1, 06777 }, { "e", 1, 1, 06777 }, { "f", 1, 1, 06777 },
	{ "g", 1, 1, 06777 }, { "h", 1, 1, 06777 }, { "z", 1, 1, 06777 },
	{ "y", 1, 1, 06777 }, { "k", 1, 1, 02777 }, { "m", 1, 3, 0755 },
	{ "n", 1, 1, 0755 }, { "o", 1, 1, 04755 },
};

/* Step @i at r[2 * i], the mode of its file afterwards at r[2 * i + 1]. */
static void setid_steps(const char *path, struct res *r)
{
	/* The files of the steps, in order. */
	static const char * const names[] = {
		"a", "b", "z", "e", "y", "c", "f", "g", "m", "n", "k", "d", "h", "i", "o",
	};
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(setid_files); i++)
		make_owned(at(path, setid_files[i].name), setid_files[i].uid,
			   setid_files[i].gid, setid_files[i].mode);
	mkdir_owned(at(path, "i"), 1, 1, 06777);

	AS_USER(2, 2, -1) {
		/* A write by another user kills both bits ... */
		record(&r[0], append(at(path, "a"), 1));
		/* ... also set-group-ID without group execute, the group not being its own ... */
		record(&r[2], append(at(path, "b"), 1));
		/* ... so does an empty write; truncate(2) and O_TRUNC do not. */
		record(&r[4], append(at(path, "z"), 0));
		record(&r[6], truncate(at(path, "e"), 10));
		record(&r[8], try_open(at(path, "y"), O_WRONLY | O_TRUNC));
	}
	AS_USER(1, 1, -1) {
		/* The owner without CAP_FSETID loses the bits as well. */
		record(&r[10], append(at(path, "c"), 1));
		fd = open(at(path, "f"), O_WRONLY);
		record(&r[12], ftruncate(fd, 0));
		close(fd);
		/* chown to the same owner and group. */
		record(&r[14], chown(at(path, "g"), -1, 1));
		/* chmod g+s of a file whose group the owner is not in. */
		record(&r[16], chmod(at(path, "m"), 02755));
		record(&r[18], chmod(at(path, "n"), 06755));
	}
	AS_USER(3, 3, 1) {
		/* Set-group-ID with group execute goes even for a group member. */
		record(&r[20], append(at(path, "k"), 1));
	}
	/*
	 * Even root of the namespace loses them on write (CAP_FSETID counts in
	 * the initial user namespace only) and on chown, but not on directories.
	 */
	record(&r[22], append(at(path, "d"), 1));
	record(&r[24], chown(at(path, "h"), 2, 2));
	record(&r[26], chown(at(path, "i"), 2, 2));
	record(&r[28], chown(at(path, "o"), -1, -1));

	for (i = 0; i < ARRAY_SIZE(names); i++)
		r[2 * i + 1].ret = mode_of(at(path, names[i]));
}

TEST_F(hostile, setid_strip)
{
	static const struct {
		long ret;
		long mode;
	} want[] = {
		{ 1, 0777 }, { 1, 0767 }, { 0, 06777 }, { 0, 0777 }, { -1, 0777 },
		{ 1, 0777 }, { 0, 0777 }, { 0, 0777 }, { 0, 0755 }, { 0, 06755 },
		{ 1, 0777 }, { 1, 0777 }, { 0, 0777 }, { 0, 06777 }, { 0, 0755 },
	};
	struct userns_run run = {
		.fstype = variant->fstype, .opts = "mode=0777", .fn = setid_steps,
	};
	char path[PATH_MAX];
	struct res *r;
	size_t i;

	ASSERT_NE(NULL, (run.path = mountpoint(path, self->dir, "u")));
	ASSERT_NE(NULL, (r = new_results()));
	RUN_USERNS(&run, r);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		if (want[i].ret < 0)
			EXPECT_OK(-1, r[2 * i]);
		else
			EXPECT_OK(want[i].ret, r[2 * i]);
		EXPECT_EQ(want[i].mode, r[2 * i + 1].ret) {
			TH_LOG("step %zu: mode %lo, not %lo", i, r[2 * i + 1].ret, want[i].mode);
		}
	}
	free_results(r);
}

/* ---- set-group-ID directories ------------------------------------------ */

static void setgid_dir_steps(const char *path, struct res *r)
{
	static const char * const names[] = {
		"sg/f", "sg/d", "sg/d/e", "sg/s", "sg/p", "sg/t", "sg/x", "sg/g",
	};
	char proc[64];
	size_t i;
	int fd;

	record(&r[0], mkdir_owned(at(path, "sg"), 0, 3, 02777));
	record(&r[1], mkdir(at(path, "own"), 0777));
	AS_USER(1, 1, -1) {
		record(&r[2], write_file(at(path, "sg/f"), "", 0, 02775));
		record(&r[3], mkdir(at(path, "sg/d"), 0755));
		record(&r[4], mkdir(at(path, "sg/d/e"), 0700));
		record(&r[5], symlink("f", at(path, "sg/s")));
		record(&r[6], mknod(at(path, "sg/p"), S_IFIFO | 02666, 0));
		fd = open(at(path, "sg"), O_TMPFILE | O_RDWR, 02775);
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		record(&r[7], linkat(AT_FDCWD, proc, AT_FDCWD, at(path, "sg/t"),
				     AT_SYMLINK_FOLLOW));
		close(fd);
		record(&r[8], write_file(at(path, "own/x"), "", 0, 0644));
		record(&r[9], rename(at(path, "own/x"), at(path, "sg/x")));
	}
	AS_USER(3, 3, -1) {
		record(&r[10], write_file(at(path, "sg/g"), "", 0, 02775));
	}
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		r[16 + 2 * i].ret = gid_of(at(path, names[i]));
		r[17 + 2 * i].ret = mode_of(at(path, names[i]));
	}
}

TEST_F(hostile, setgid_dir)
{
	/* Group and mode of each of the names above. */
	static const long want[][2] = {
		{ 3, 0775 }, { 3, 02755 }, { 3, 02700 }, { 3, 0777 },
		{ 3, 02666 }, { 3, 0775 }, { 1, 0644 }, { 3, 02775 },
	};
	struct userns_run run = {
		.fstype = variant->fstype, .opts = "mode=0777", .fn = setgid_dir_steps,
	};
	char path[PATH_MAX];
	struct res *r;
	size_t i;

	ASSERT_NE(NULL, (run.path = mountpoint(path, self->dir, "u")));
	ASSERT_NE(NULL, (r = new_results()));
	RUN_USERNS(&run, r);
	for (i = 0; i <= 10; i++) {
		EXPECT_EQ(0, r[i].ret) {
			TH_LOG("step %zu: %s", i, strerror(r[i].err));
		}
	}
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		EXPECT_EQ(want[i][0], r[16 + 2 * i].ret) {
			TH_LOG("entry %zu: group %ld", i, r[16 + 2 * i].ret);
		}
		EXPECT_EQ(want[i][1], r[17 + 2 * i].ret) {
			TH_LOG("entry %zu: mode %lo", i, r[17 + 2 * i].ret);
		}
	}
	free_results(r);
}

/* ---- sticky directories ------------------------------------------------ */

static void sticky_steps(const char *path, struct res *r)
{
	char t[PATH_MAX];

	mkdir_owned(path_join(t, path, "t"), 0, 0, 01777);
	mkdir_owned(at(path, "t3"), 3, 3, 01777);
	AS_USER(1, 1, -1) {
		record(&r[0], write_file(at(t, "f1"), "1", 1, 0666));
		record(&r[1], mkdir(at(t, "d1"), 0777));
		record(&r[2], write_file(at(path, "t3/f1"), "1", 1, 0666));
	}
	AS_USER(2, 2, -1) {
		record(&r[3], write_file(at(t, "f2"), "2", 1, 0666));
		record(&r[4], unlink(at(t, "f1")));
		record(&r[5], rename(at(t, "f1"), at(t, "x")));
		record(&r[6], rename(at(t, "f2"), at(t, "f1")));
		record(&r[7], rmdir(at(t, "d1")));
		record(&r[8], rename(at(t, "d1"), at(t, "y")));
		record(&r[9], sys_renameat2(at(t, "f2"), at(t, "f1"), RENAME_EXCHANGE));
		record(&r[10], sys_renameat2(at(t, "f2"), at(t, "f1"), RENAME_NOREPLACE));
		record(&r[11], rename(at(t, "f2"), at(path, "moved")));
		record(&r[12], rename(at(path, "moved"), at(t, "f2")));
		record(&r[13], append(at(t, "f1"), 1));
		record(&r[14], rename(at(t, "f2"), at(t, "x")));
		record(&r[15], unlink(at(t, "x")));
	}
	AS_USER(1, 1, -1) {
		record(&r[16], unlink(at(t, "f1")));
	}
	AS_USER(3, 3, -1) {
		record(&r[17], unlink(at(path, "t3/f1")));
	}
	record(&r[18], rmdir(at(t, "d1")));
	record(&r[19], count_entries(t));
}

TEST_F(hostile, sticky_dir)
{
	struct userns_run run = {
		.fstype = variant->fstype, .opts = "mode=0777", .fn = sticky_steps,
	};
	char path[PATH_MAX];
	struct res *r;
	int i;

	ASSERT_NE(NULL, (run.path = mountpoint(path, self->dir, "u")));
	ASSERT_NE(NULL, (r = new_results()));
	RUN_USERNS(&run, r);
	for (i = 0; i <= 3; i++)
		EXPECT_OK(0, r[i]);
	/* Another user's entries cannot be removed, renamed or replaced. */
	for (i = 4; i <= 9; i++)
		EXPECT_ERR(EPERM, r[i]);
	EXPECT_ERR(EEXIST, r[10]);
	/* One's own can, and writable files stay writable. */
	EXPECT_OK(0, r[11]);
	EXPECT_OK(0, r[12]);
	EXPECT_OK(1, r[13]);
	EXPECT_OK(0, r[14]);
	EXPECT_OK(0, r[15]);
	EXPECT_OK(0, r[16]);
	/* The directory's owner may remove anything in it, as may root. */
	EXPECT_OK(0, r[17]);
	EXPECT_OK(0, r[18]);
	EXPECT_OK(2, r[19]);
	free_results(r);
}

/* ---- fs.protected_regular and fs.protected_fifos ----------------------- */

static void protected_create_steps(const char *path, struct res *r)
{
	mkdir_owned(at(path, "w"), 0, 0, 01777);
	mkdir_owned(at(path, "g"), 0, 5, 01770);
	mkdir_owned(at(path, "n"), 0, 0, 0777);
	write_file(at(path, "w/own"), "", 0, 0666);
	AS_USER(1, 1, 5) {
		record(&r[0], write_file(at(path, "w/f"), "", 0, 0666));
		record(&r[1], write_file(at(path, "g/f"), "", 0, 0666));
		record(&r[2], write_file(at(path, "n/f"), "", 0, 0666));
		record(&r[3], mknod(at(path, "w/p"), S_IFIFO | 0666, 0));
		record(&r[4], mknod(at(path, "g/p"), S_IFIFO | 0666, 0));
	}
	AS_USER(2, 2, 5) {
		record(&r[5], try_open(at(path, "w/f"), O_CREAT | O_WRONLY));
		record(&r[6], try_open(at(path, "g/f"), O_CREAT | O_WRONLY));
		record(&r[7], try_open(at(path, "n/f"), O_CREAT | O_WRONLY));
		record(&r[8], try_open(at(path, "w/p"), O_CREAT | O_RDWR));
		record(&r[9], try_open(at(path, "g/p"), O_CREAT | O_RDWR));
		record(&r[10], try_open(at(path, "w/own"), O_CREAT | O_WRONLY));
		record(&r[11], try_open(at(path, "w/f"), O_CREAT | O_EXCL | O_WRONLY));
		record(&r[12], try_open(at(path, "w/f"), O_WRONLY));
		record(&r[13], try_open(at(path, "w/p"), O_RDWR));
		record(&r[14], try_open(at(path, "w/new"), O_CREAT | O_WRONLY));
	}
	AS_USER(1, 1, 5) {
		record(&r[15], try_open(at(path, "w/f"), O_CREAT | O_WRONLY));
		record(&r[16], try_open(at(path, "g/p"), O_CREAT | O_RDWR));
	}
}

TEST_F(hostile, protected_create)
{
	/* Steps 5 to 9 (O_CREAT of another user's file or FIFO), per sysctl value. */
	static const int want[3][5] = {
		{ 0, 0, 0, 0, 0 },
		{ EACCES, 0, 0, EACCES, 0 },
		{ EACCES, EACCES, 0, EACCES, EACCES },
	};
	struct userns_run run = {
		.fstype = variant->fstype, .opts = "mode=0777", .fn = protected_create_steps,
	};
	char path[PATH_MAX];
	struct res *r;
	int v, i;

	ASSERT_NE(NULL, (run.path = mountpoint(path, self->dir, "u")));
	for (v = 0; v <= 2; v++) {
		ASSERT_EQ(0, set_sysctl(self->saved, PROT_REGULAR, v));
		ASSERT_EQ(0, set_sysctl(self->saved, PROT_FIFOS, v));
		ASSERT_NE(NULL, (r = new_results()));
		RUN_USERNS(&run, r);
		for (i = 0; i <= 4; i++)
			EXPECT_OK(0, r[i]);
		for (i = 5; i <= 9; i++) {
			EXPECT_EQ(want[v][i - 5], r[i].err) {
				TH_LOG("protected_* = %d, step %d: %s", v, i, strerror(r[i].err));
			}
			EXPECT_EQ(want[v][i - 5] ? -1 : 1, r[i].ret < 0 ? -1 : 1);
		}
		/* Files of the directory's owner, O_EXCL, no O_CREAT, new files, one's own. */
		EXPECT_OK(-1, r[10]);
		EXPECT_ERR(EEXIST, r[11]);
		for (i = 12; i <= 16; i++)
			EXPECT_OK(-1, r[i]);
		free_results(r);
	}
}

/* ---- fs.protected_symlinks and fs.protected_hardlinks ------------------ */

static void protected_links_steps(const char *path, struct res *r)
{
	char buf[16];

	mkdir_owned(at(path, "w"), 0, 0, 01777);
	mkdir_owned(at(path, "n"), 0, 0, 0777);
	write_file(at(path, "w/target"), "T", 1, 0644);
	mkdir(at(path, "w/dir"), 0777);
	write_file(at(path, "w/dir/file"), "F", 1, 0644);
	symlink("target", at(path, "w/l0"));
	AS_USER(1, 1, -1) {
		record(&r[0], symlink("target", at(path, "w/l1")));
		record(&r[1], symlink("dir", at(path, "w/ld1")));
		record(&r[2], symlink("../w/target", at(path, "n/l1")));
		record(&r[3], write_file(at(path, "w/secret"), "S", 1, 0600));
		record(&r[4], write_file(at(path, "w/shared"), "S", 1, 0666));
		record(&r[5], write_file(at(path, "w/suid"), "S", 1, 0666));
		record(&r[6], chmod(at(path, "w/suid"), 04777));
	}
	AS_USER(2, 2, -1) {
		struct stat st;

		record(&r[7], try_open(at(path, "w/l1"), O_RDONLY));
		/* Only the last component is protected. */
		record(&r[8], try_open(at(path, "w/ld1/file"), O_RDONLY));
		record(&r[9], stat(at(path, "w/l1"), &st));
		record(&r[10], link(at(path, "w/secret"), at(path, "w/h1")));
		record(&r[11], link(at(path, "w/suid"), at(path, "w/h3")));
		/* Always allowed. */
		record(&r[12], try_open(at(path, "n/l1"), O_RDONLY));
		record(&r[13], try_open(at(path, "w/l0"), O_RDONLY));
		record(&r[14], readlink(at(path, "w/l1"), buf, sizeof(buf)));
		record(&r[15], try_open(at(path, "w/l1"), O_PATH | O_NOFOLLOW));
		record(&r[16], lstat(at(path, "w/l1"), &st));
		record(&r[17], link(at(path, "w/shared"), at(path, "w/h2")));
	}
	AS_USER(1, 1, -1) {
		record(&r[18], try_open(at(path, "w/l1"), O_RDONLY));
	}
	/* Root of the namespace owns the directory but not the link. */
	record(&r[19], try_open(at(path, "w/l1"), O_RDONLY));
}

TEST_F(hostile, protected_links)
{
	struct userns_run run = {
		.fstype = variant->fstype, .opts = "mode=0777", .fn = protected_links_steps,
	};
	char path[PATH_MAX];
	struct res *r;
	int v, i;

	ASSERT_NE(NULL, (run.path = mountpoint(path, self->dir, "u")));
	for (v = 0; v <= 1; v++) {
		ASSERT_EQ(0, set_sysctl(self->saved, PROT_SYMLINKS, v));
		ASSERT_EQ(0, set_sysctl(self->saved, PROT_HARDLINKS, v));
		ASSERT_NE(NULL, (r = new_results()));
		RUN_USERNS(&run, r);
		for (i = 0; i <= 6; i++)
			EXPECT_OK(0, r[i]);
		if (v) {
			EXPECT_ERR(EACCES, r[7]);
			EXPECT_ERR(EACCES, r[9]);
			EXPECT_ERR(EPERM, r[10]);
			EXPECT_ERR(EPERM, r[11]);
			EXPECT_ERR(EACCES, r[19]);
		} else {
			EXPECT_OK(-1, r[7]);
			EXPECT_OK(0, r[9]);
			EXPECT_OK(0, r[10]);
			EXPECT_OK(0, r[11]);
			EXPECT_OK(-1, r[19]);
		}
		EXPECT_OK(-1, r[8]);
		EXPECT_OK(-1, r[12]);
		EXPECT_OK(-1, r[13]);
		EXPECT_OK(6, r[14]);
		EXPECT_OK(-1, r[15]);
		EXPECT_OK(0, r[16]);
		EXPECT_OK(0, r[17]);
		EXPECT_OK(-1, r[18]);
		free_results(r);
	}
}

/* ---- O_NOFOLLOW -------------------------------------------------------- */

static void nofollow_steps(const char *path, struct res *r)
{
	AS_USER(1, 1, -1) {
		char proc[64], buf[16];
		struct stat st;
		int fd, dfd;

		write_file(at(path, "file"), "data", 4, 0644);
		mkdir(at(path, "dir"), 0755);
		write_file(at(path, "dir/inner"), "", 0, 0644);
		symlink("file", at(path, "l"));
		symlink("dir", at(path, "ld"));
		symlink("missing", at(path, "dangling"));

		record(&r[0], try_open(at(path, "l"), O_RDONLY | O_NOFOLLOW));
		fd = open(at(path, "l"), O_PATH | O_NOFOLLOW);
		record(&r[1], fd);
		record(&r[2], fstat(fd, &st));
		r[3].ret = st.st_mode;
		record(&r[4], readlinkat(fd, "", buf, sizeof(buf)));
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		record(&r[5], try_open(proc, O_RDONLY));
		close(fd);
		record(&r[6], try_open(at(path, "ld"), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
		record(&r[7], sys_openat2(AT_FDCWD, at(path, "l"), O_RDONLY, RESOLVE_NO_SYMLINKS));
		record(&r[8], sys_openat2(AT_FDCWD, at(path, "ld/inner"), O_RDONLY,
					  RESOLVE_NO_SYMLINKS));
		record(&r[9], try_open(at(path, "dangling"), O_CREAT | O_NOFOLLOW | O_WRONLY));
		record(&r[10], try_open(at(path, "dangling"), O_CREAT | O_EXCL | O_WRONLY));
		record(&r[11], access(at(path, "missing"), F_OK));
		record(&r[12], syscall(__NR_fchmodat2, AT_FDCWD, at(path, "l"), 0600,
				       AT_SYMLINK_NOFOLLOW));
		record(&r[13], utimensat(AT_FDCWD, at(path, "l"), NULL, AT_SYMLINK_NOFOLLOW));
		record(&r[14], try_open(at(path, "l"), O_RDONLY));
		dfd = open(path, O_PATH | O_DIRECTORY);
		record(&r[15], sys_openat2(dfd, "../x", O_RDONLY, RESOLVE_BENEATH));
		record(&r[16], sys_openat2(dfd, "ld/inner", O_RDONLY, RESOLVE_BENEATH));
		close(dfd);
		record(&r[17], lstat(at(path, "l"), &st));
		r[18].ret = st.st_size;
		/* The dangling link made nothing. */
		record(&r[19], count_entries(path));
	}
}

TEST_F(hostile, nofollow)
{
	struct userns_run run = {
		.fstype = variant->fstype, .opts = "mode=0777", .fn = nofollow_steps,
	};
	char path[PATH_MAX];
	struct res *r;

	ASSERT_NE(NULL, (run.path = mountpoint(path, self->dir, "u")));
	ASSERT_NE(NULL, (r = new_results()));
	RUN_USERNS(&run, r);
	EXPECT_ERR(ELOOP, r[0]);
	EXPECT_OK(-1, r[1]);
	EXPECT_OK(0, r[2]);
	EXPECT_EQ(S_IFLNK | 0777, r[3].ret);
	EXPECT_OK(4, r[4]);
	EXPECT_ERR(ELOOP, r[5]);
	EXPECT_ERR(ENOTDIR, r[6]);
	EXPECT_ERR(ELOOP, r[7]);
	EXPECT_ERR(ELOOP, r[8]);
	EXPECT_ERR(ELOOP, r[9]);
	EXPECT_ERR(EEXIST, r[10]);
	EXPECT_ERR(ENOENT, r[11]);
	EXPECT_ERR(EOPNOTSUPP, r[12]);
	EXPECT_OK(0, r[13]);
	EXPECT_OK(-1, r[14]);
	EXPECT_ERR(EXDEV, r[15]);
	EXPECT_OK(-1, r[16]);
	EXPECT_OK(0, r[17]);
	EXPECT_EQ(4, r[18].ret);
	EXPECT_OK(7, r[19]);
	free_results(r);
}

/* ---- the root of a mount the user does not own ------------------------- */

static void root_userns_steps(const char *path, struct res *r)
{
	char m1[PATH_MAX];

	path_join(m1, path, "../m1");

	/* Its own mount (mode=0700): root of the namespace owns the root. */
	record(&r[10], chmod(path, 0755));
	AS_USER(1, 1, -1) {
		record(&r[11], chmod(path, 0777));
		record(&r[12], chown(path, 1, 1));
	}
	/* Real root's mount, seen from the namespace. */
	record(&r[13], chmod(m1, 0700));
	record(&r[14], chown(m1, 0, 0));
	/* Write permission is enough to set the times to now, and to create. */
	r[15].ret = uid_of(m1);
	record(&r[16], utimensat(AT_FDCWD, m1, NULL, 0));
	record(&r[17], write_file(at(m1, "ns"), "", 0, 0644));
}

TEST_F(hostile, root_not_owned)
{
	struct userns_run run = {
		.fstype = variant->fstype, .opts = "mode=0700", .fn = root_userns_steps,
	};
	const struct timespec times[2] = { { 1, 0 }, { 1, 0 } };
	char m1[PATH_MAX], m2[PATH_MAX], path[PATH_MAX];
	struct res *r;

	ASSERT_NE(NULL, mountpoint(m1, self->dir, "m1"));
	ASSERT_NE(NULL, mountpoint(m2, self->dir, "m2"));
	ASSERT_NE(NULL, (run.path = mountpoint(path, self->dir, "u")));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, m1, variant->fstype, 0, "mode=0777"));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, m2, variant->fstype, 0, "mode=01777"));
	ASSERT_NE(NULL, (r = new_results()));
	AS_USER(HOST_USER, HOST_USER, -1) {
		record(&r[0], chmod(m1, 0700));
		record(&r[1], chown(m1, HOST_USER, HOST_USER));
		record(&r[2], utimensat(AT_FDCWD, m1, times, 0));
		/* Write permission is enough to set the times to now. */
		record(&r[3], utimensat(AT_FDCWD, m1, NULL, 0));
		record(&r[4], write_file(at(m1, "f"), "", 0, 0644));
		record(&r[5], write_file(at(m2, "f"), "", 0, 0644));
	}
	AS_USER(HOST_USER2, HOST_USER2, -1) {
		/* The sticky root of mode=01777. */
		record(&r[6], unlink(at(m2, "f")));
		record(&r[7], rename(at(m2, "f"), at(m2, "g")));
		record(&r[8], chmod(m2, 0777));
	}
	RUN_USERNS(&run, r);
	EXPECT_ERR(EPERM, r[0]);
	EXPECT_ERR(EPERM, r[1]);
	EXPECT_ERR(EPERM, r[2]);
	EXPECT_OK(0, r[3]);
	EXPECT_OK(0, r[4]);
	EXPECT_OK(0, r[5]);
	EXPECT_ERR(EPERM, r[6]);
	EXPECT_ERR(EPERM, r[7]);
	EXPECT_ERR(EPERM, r[8]);
	EXPECT_OK(0, r[10]);
	EXPECT_ERR(EPERM, r[11]);
	EXPECT_ERR(EPERM, r[12]);
	EXPECT_ERR(EPERM, r[13]);
	EXPECT_ERR(EPERM, r[14]);
	EXPECT_EQ(OVERFLOW_ID, r[15].ret);
	EXPECT_OK(0, r[16]);
	EXPECT_OK(0, r[17]);
	EXPECT_EQ(0777, mode_of(m1));
	EXPECT_EQ(HOST_USER, uid_of(at(m1, "ns")));
	free_results(r);
}

/* ---- MS_POSIXACL on a file system without ACLs ------------------------- */

/* Does llistxattr() of @path name a POSIX ACL? */
static bool lists_acl(const char *path)
{
	char list[1024];
	ssize_t len = llistxattr(path, list, sizeof(list)), i;

	for (i = 0; i < len; i += strlen(list + i) + 1)
		if (!strncmp(list + i, "system.posix_acl_", 17))
			return true;
	return false;
}

TEST_F(hostile, ms_posixacl)
{
	/* An ACL granting nothing more than mode 0644 (user::rw-, group::r--, other::r--). */
	static const unsigned char acl[] = {
		2, 0, 0, 0,
		1, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
		4, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,
		0x20, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,
	};
	char sub[PATH_MAX], buf[64];
	mode_t old;

	ASSERT_NE(NULL, mountpoint(sub, self->dir, "sub"));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, sub, variant->fstype, MS_POSIXACL, "mode=0777"));
	/*
	 * The superblock claims POSIX ACLs, so the VFS leaves the umask to the
	 * file system, which has no ACLs and does not apply it.
	 */
	old = umask(022);
	EXPECT_EQ(0, write_file(at(sub, "f"), "", 0, 0666));
	EXPECT_EQ(0666, mode_of(at(sub, "f")));
	EXPECT_EQ(0, mkdir(at(sub, "d"), 0777));
	EXPECT_EQ(0777, mode_of(at(sub, "d")));
	EXPECT_EQ(0, mknod(at(sub, "p"), S_IFIFO | 0666, 0));
	EXPECT_EQ(0666, mode_of(at(sub, "p")));
	umask(old);
	/* Nor listed, on the root or any new inode (ramfs lists none). */
	EXPECT_FALSE(lists_acl(sub));
	EXPECT_FALSE(lists_acl(at(sub, "d")));
	EXPECT_FALSE(lists_acl(at(sub, "p")));
	/* And no ACL can be set or read. */
	EXPECT_EQ(-1, setxattr(at(sub, "f"), "system.posix_acl_access", acl, sizeof(acl), 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, getxattr(at(sub, "f"), "system.posix_acl_access", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(-1, getxattr(at(sub, "d"), "system.posix_acl_default", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(0, umount(sub));
}

/* ---- RENAME_WHITEOUT without CAP_MKNOD (tmpfs) ------------------------- */

static void whiteout_steps(const char *path, struct res *r)
{
	struct stat st;

	mkdir_owned(at(path, "t"), 0, 0, 01777);
	AS_USER(1, 1, -1) {
		write_file(at(path, "a"), "a", 1, 0644);
		mkdir(at(path, "d"), 0755);
		write_file(at(path, "t/x"), "x", 1, 0644);
		record(&r[0], sys_renameat2(at(path, "a"), at(path, "b"), RENAME_WHITEOUT));
		record(&r[1], lstat(at(path, "a"), &st));
		r[2].ret = st.st_mode;
		r[3].ret = st.st_rdev;
		r[4].ret = st.st_uid;
		record(&r[5], try_open(at(path, "a"), O_RDONLY));
		record(&r[6], sys_renameat2(at(path, "d"), at(path, "d2"), RENAME_WHITEOUT));
		r[7].ret = lstat(at(path, "d"), &st) ? -1 : (long)st.st_mode;
		record(&r[8], sys_renameat2(at(path, "b"), at(path, "a"),
					    RENAME_WHITEOUT | RENAME_EXCHANGE));
		record(&r[9], sys_renameat2(at(path, "b"), at(path, "a"),
					    RENAME_WHITEOUT | RENAME_NOREPLACE));
	}
	AS_USER(2, 2, -1) {
		record(&r[10], sys_renameat2(at(path, "t/x"), at(path, "t/y"), RENAME_WHITEOUT));
		record(&r[11], mknod(at(path, "t/wh"), S_IFCHR | 0666, 0));
		/* Mode 0666, but nodev. */
		record(&r[12], try_open(at(path, "t/wh"), O_RDWR));
	}
}

TEST_F(hostile_tmpfs, rename_whiteout_unprivileged)
{
	struct userns_run run = {
		.fstype = variant->fstype, .opts = "mode=0777", .fn = whiteout_steps,
	};
	char path[PATH_MAX], sub[PATH_MAX];
	struct stat st;
	struct res *r;

	ASSERT_NE(NULL, (run.path = mountpoint(path, self->dir, "u")));
	ASSERT_NE(NULL, mountpoint(sub, self->dir, "sub"));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, sub, variant->fstype, 0, "mode=0777"));
	ASSERT_NE(NULL, (r = new_results()));
	RUN_USERNS(&run, r);
	/* Whiteouts need no capability, in a user namespace or not. */
	EXPECT_OK(0, r[0]);
	EXPECT_OK(0, r[1]);
	EXPECT_EQ(S_IFCHR, r[2].ret);
	EXPECT_EQ(0, r[3].ret);
	EXPECT_EQ(1, r[4].ret);
	/* Mode 0. */
	EXPECT_ERR(EACCES, r[5]);
	EXPECT_OK(0, r[6]);
	EXPECT_EQ(S_IFCHR, r[7].ret);
	EXPECT_ERR(EINVAL, r[8]);
	/* A whiteout does not replace an existing target. */
	EXPECT_ERR(EEXIST, r[9]);
	/* Nor is it a way around the sticky bit. */
	EXPECT_ERR(EPERM, r[10]);
	EXPECT_OK(0, r[11]);
	EXPECT_ERR(EACCES, r[12]);
	free_results(r);

	/* The same on real root's mount, by a user without capabilities. */
	ASSERT_NE(NULL, (r = new_results()));
	AS_USER(HOST_USER, HOST_USER, -1) {
		write_file(at(sub, "a"), "a", 1, 0644);
		record(&r[0], sys_renameat2(at(sub, "a"), at(sub, "b"), RENAME_WHITEOUT));
		record(&r[1], lstat(at(sub, "a"), &st));
		r[2].ret = st.st_mode;
		r[3].ret = st.st_uid;
		record(&r[4], try_open(at(sub, "a"), O_RDONLY));
		record(&r[5], mknod(at(sub, "wh"), S_IFCHR | 0666, 0));
		record(&r[6], try_open(at(sub, "wh"), O_RDWR));
	}
	EXPECT_OK(0, r[0]);
	EXPECT_OK(0, r[1]);
	EXPECT_EQ(S_IFCHR, r[2].ret);
	EXPECT_EQ(HOST_USER, r[3].ret);
	EXPECT_ERR(EACCES, r[4]);
	EXPECT_OK(0, r[5]);
	/* Not nodev: the open gets as far as finding no device 0:0. */
	EXPECT_ERR(ENXIO, r[6]);
	free_results(r);
	EXPECT_EQ(0, umount(sub));
}

/* ---- uid=, gid= and mode= of the root (tmpfs) -------------------------- */

/* The file system under test, for the children of root_owner_options. */
static const char *cur_fstype;

static void root_owner_steps(const char *path, struct res *r)
{
	struct stat st;

	AS_USER(1, 1, -1) {
		record(&r[10], chmod(path, 0755));
	}
	AS_USER(2, 2, -1) {
		record(&r[11], chmod(path, 0777));
		record(&r[12], write_file(at(path, "f"), "", 0, 0644));
	}
	/* Owners the namespace does not map cannot be given. */
	record(&r[13], mount(MOUNT_SOURCE, at(path, "../m2"), cur_fstype, 0, "uid=5000"));
	record(&r[14], mount(MOUNT_SOURCE, at(path, "../m2"), cur_fstype, 0, "gid=5000"));
	record(&r[15], stat(path, &st));
	r[16].ret = st.st_uid;
	r[17].ret = st.st_gid;
	r[18].ret = st.st_mode;
}

TEST_F(hostile_tmpfs, root_owner_options)
{
	struct userns_run run = {
		.fstype = variant->fstype,
		.opts = "uid=1,gid=1,mode=0700,size=1M,nr_inodes=100",
		.fn = root_owner_steps,
	};
	char m1[PATH_MAX], m2[PATH_MAX], path[PATH_MAX];
	struct res *r;

	cur_fstype = variant->fstype;
	ASSERT_NE(NULL, mountpoint(m1, self->dir, "m1"));
	ASSERT_NE(NULL, mountpoint(m2, self->dir, "m2"));
	ASSERT_NE(NULL, (run.path = mountpoint(path, self->dir, "u")));
	ASSERT_EQ(0, mount(MOUNT_SOURCE, m1, variant->fstype, 0,
			   "uid=1000,gid=1000,mode=0700,size=1M,nr_inodes=100"));
	ASSERT_NE(NULL, (r = new_results()));
	AS_USER(HOST_USER, HOST_USER, -1) {
		record(&r[0], write_file(at(m1, "f"), "", 0, 0644));
		record(&r[1], chmod(m1, 0750));
	}
	AS_USER(HOST_USER2, HOST_USER2, -1) {
		record(&r[2], chmod(m1, 0777));
		record(&r[3], try_open(at(m1, "f"), O_RDONLY));
		record(&r[4], chown(m1, HOST_USER2, -1));
	}
	RUN_USERNS(&run, r);
	EXPECT_OK(0, r[0]);
	EXPECT_OK(0, r[1]);
	EXPECT_ERR(EPERM, r[2]);
	EXPECT_ERR(EACCES, r[3]);
	EXPECT_ERR(EPERM, r[4]);
	EXPECT_OK(0, r[10]);
	EXPECT_ERR(EPERM, r[11]);
	EXPECT_ERR(EACCES, r[12]);
	EXPECT_ERR(EINVAL, r[13]);
	EXPECT_ERR(EINVAL, r[14]);
	EXPECT_OK(0, r[15]);
	EXPECT_EQ(1, r[16].ret);
	EXPECT_EQ(1, r[17].ret);
	EXPECT_EQ(S_IFDIR | 0755, r[18].ret);
	free_results(r);
}

/* ---- mount options: mount(2) and fsconfig(2) --------------------------- */

#define MAX_OPS		16	/* fsconfig() calls of one attempt */
#define MAX_MSGS	4	/* fs_context messages kept per call */
#define MSG_LEN		160
#define BIG_LEN		5000	/* longer than a page of mount(2) data */

/* One fsconfig() call; value of SET_FD (an fd) and SET_BINARY (the length) in aux. */
struct fc_op {
	int cmd;
	const char *key;
	const char *value;
	int aux;
};

#define AUX_DEVNULL	-100	/* aux: an fd open on /dev/null */

/* What a mounted file system looks like. */
struct look {
	long long blocks, bfree, files, ffree, bsize, namelen;
	unsigned long flag;
	long mode, uid, gid, nlink, file_mode;
	char opts[256];
};

/* What one attempt did: per call (one for mount(2)), errno and messages. */
struct outcome {
	int n;
	int err[MAX_OPS + 1];
	int nmsg[MAX_OPS + 1];
	char msg[MAX_OPS + 1][MAX_MSGS][MSG_LEN];
	int kmsg;		/* new lines in the kernel log */
	bool mounted;
	struct look look;
};

/* Reads and discards what /dev/kmsg holds; returns the number of records. */
static int kmsg_drain(int fd)
{
	char buf[2048];
	int n = 0;

	if (fd < 0)
		return 0;
	for (;;) {
		if (read(fd, buf, sizeof(buf)) >= 0)
			n++;
		else if (errno != EPIPE && errno != EINTR)
			break;
	}
	return n;
}

/* Copies @len bytes of @s to @buf (of @size) with what is not printable escaped. */
static const char *escape(char *buf, size_t size, const char *s, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = s[i];

		if (c >= ' ' && c < 0x7f && c != '\\')
			buf[o++] = c;
		else
			o += snprintf(buf + o, size - o, "\\x%02x", c);
	}
	if (i < len && o + 4 < size)
		o += snprintf(buf + o, size - o, "...");
	buf[o] = '\0';
	return buf;
}

/* Looks at the file system whose root is open at @fd; @opts from /proc/self/mounts. */
static void look_at(int fd, const char *mnt, struct look *l)
{
	struct statvfs sv;
	struct mntent *ent;
	struct stat st;
	mode_t old;
	FILE *f;
	int ffd;

	memset(l, 0, sizeof(*l));
	if (!fstatvfs(fd, &sv)) {
		l->blocks = sv.f_blocks;
		l->bfree = sv.f_bfree;
		l->files = sv.f_files;
		l->ffree = sv.f_ffree;
		l->bsize = sv.f_bsize;
		l->namelen = sv.f_namemax;
		l->flag = sv.f_flag;
	}
	if (!fstat(fd, &st)) {
		l->mode = st.st_mode;
		l->uid = st.st_uid;
		l->gid = st.st_gid;
		l->nlink = st.st_nlink;
	}
	/* A new file, with a umask (which MS_POSIXACL would leave to the file system). */
	old = umask(022);
	ffd = openat(fd, "f", O_CREAT | O_EXCL | O_WRONLY, 0666);
	umask(old);
	if (ffd >= 0) {
		l->file_mode = fstat(ffd, &st) ? -1 : st.st_mode;
		close(ffd);
	} else {
		l->file_mode = -errno;
	}
	if (!mnt)
		return;
	f = setmntent("/proc/self/mounts", "r");
	if (!f)
		return;
	while ((ent = getmntent(f)))
		if (!strcmp(ent->mnt_dir, mnt))
			snprintf(l->opts, sizeof(l->opts), "%s", ent->mnt_opts);
	endmntent(f);
}

/* mount(2) of @fstype on @mnt with @flags and @data. */
static void try_mount(const char *fstype, const char *mnt, unsigned long flags,
		      const char *data, int kfd, struct outcome *o)
{
	int fd;

	memset(o, 0, sizeof(*o));
	o->n = 1;
	kmsg_drain(kfd);
	if (mount(MOUNT_SOURCE, mnt, fstype, flags, data))
		o->err[0] = errno;
	o->kmsg = kmsg_drain(kfd);
	if (o->err[0])
		return;
	o->mounted = true;
	fd = open(mnt, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		look_at(fd, mnt, &o->look);
		close(fd);
	}
	umount2(mnt, MNT_DETACH);
}

/* Reads the messages of context @fd for call @i. */
static void read_msgs(int fd, struct outcome *o, int i)
{
	char buf[512];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		if (o->nmsg[i] < MAX_MSGS)
			snprintf(o->msg[i][o->nmsg[i]], MSG_LEN, "%.*s", MSG_LEN - 1, buf);
		o->nmsg[i]++;
	}
}

/* fsopen() of @fstype, the fsconfig() calls @ops, and (if @create) FSCONFIG_CMD_CREATE. */
static void try_fsconfig(const char *fstype, const struct fc_op *ops, int nops, bool create,
			 int kfd, struct outcome *o)
{
	int fd, mfd, i, aux, devnull;

	memset(o, 0, sizeof(*o));
	kmsg_drain(kfd);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fd = sys_fsopen(fstype, FSOPEN_CLOEXEC);
	if (fd < 0) {
		o->n = 1;
		o->err[0] = errno;
		close(devnull);
		return;
	}
	for (i = 0; i < nops; i++) {
		aux = ops[i].aux == AUX_DEVNULL ? devnull : ops[i].aux;
		if (sys_fsconfig(fd, ops[i].cmd, ops[i].key, ops[i].value, aux))
			o->err[i] = errno;
		read_msgs(fd, o, i);
	}
	o->n = nops;
	if (create) {
		if (sys_fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
			o->err[nops] = errno;
		read_msgs(fd, o, nops);
		o->n = nops + 1;
		if (!o->err[nops]) {
			mfd = sys_fsmount(fd, FSMOUNT_CLOEXEC, 0);
			if (mfd >= 0) {
				o->mounted = true;
				look_at(mfd, NULL, &o->look);
				close(mfd);
			}
		}
	}
	close(fd);
	close(devnull);
	o->kmsg = kmsg_drain(kfd);
}

/* Is message @m (logged by @fstype) one of those of call @i of the reference @ref? */
static bool msg_known(const char *m, const char *fstype, const struct outcome *ref,
		      const char *ref_fs, int i)
{
	size_t fl = strlen(fstype);
	char want[MSG_LEN + 64];
	int j;

	/* "e rust_ramfs: text" is "e ramfs: text" for the reference. */
	if (!strncmp(m + 2, fstype, fl) && m[2 + fl] == ':')
		snprintf(want, sizeof(want), "%.2s%s%s", m, ref_fs, m + 2 + fl);
	else
		snprintf(want, sizeof(want), "%s", m);
	for (j = 0; j < ref->nmsg[i] && j < MAX_MSGS; j++)
		if (!strcmp(want, ref->msg[i][j]))
			return true;
	return false;
}

/*
 * Compares the outcome @o for @fstype with the reference's @ref; logs and
 * returns the number of differences. More kernel log lines than the reference
 * are checked again by the caller.
 */
static int differences(struct __test_metadata *_metadata, const char *what,
		       const char *fstype, const struct outcome *o,
		       const char *ref_fs, const struct outcome *ref, bool quiet)
{
	const struct look *a = &o->look, *b = &ref->look;
	int i, j, d = 0;

	for (i = 0; i < o->n; i++) {
		if (o->err[i] != ref->err[i]) {
			d++;
			if (!quiet)
				TH_LOG("%s: call %d: %s gives %s, %s %s", what, i, fstype,
				       strerror(o->err[i]), ref_fs, strerror(ref->err[i]));
		}
		if (o->nmsg[i] > ref->nmsg[i]) {
			d++;
			if (!quiet)
				TH_LOG("%s: call %d: %d messages, %s %d", what, i, o->nmsg[i],
				       ref_fs, ref->nmsg[i]);
		}
		for (j = 0; j < o->nmsg[i] && j < MAX_MSGS; j++) {
			if (msg_known(o->msg[i][j], fstype, ref, ref_fs, i))
				continue;
			d++;
			if (!quiet)
				TH_LOG("%s: call %d: message \"%.*s\" that %s does not give",
				       what, i, (int)strcspn(o->msg[i][j], "\n"), o->msg[i][j],
				       ref_fs);
		}
	}
	if (o->mounted != ref->mounted)
		return d + 1;
	if (o->mounted &&
	    (a->blocks != b->blocks || a->bfree != b->bfree || a->files != b->files ||
	     a->ffree != b->ffree || a->bsize != b->bsize || a->namelen != b->namelen ||
	     a->flag != b->flag || a->mode != b->mode || a->uid != b->uid ||
	     a->gid != b->gid || a->nlink != b->nlink || a->file_mode != b->file_mode ||
	     strcmp(a->opts, b->opts))) {
		d++;
		if (!quiet) {
			TH_LOG("%s: mounted differently (%s / %s):", what, fstype, ref_fs);
			TH_LOG("  blocks %lld/%lld free %lld/%lld files %lld/%lld ffree %lld/%lld",
			       a->blocks, b->blocks, a->bfree, b->bfree, a->files, b->files,
			       a->ffree, b->ffree);
			TH_LOG("  flag %lx/%lx root %lo/%lo %ld:%ld/%ld:%ld nlink %ld/%ld",
			       a->flag, b->flag, a->mode, b->mode, a->uid, a->gid, b->uid, b->gid,
			       a->nlink, b->nlink);
			TH_LOG("  new file (mode or -errno) %ld/%ld", a->file_mode, b->file_mode);
			TH_LOG("  bsize %lld/%lld namelen %lld/%lld opts \"%s\"/\"%s\"",
			       a->bsize, b->bsize, a->namelen, b->namelen, a->opts, b->opts);
		}
	}
	return d;
}

/* Context of the option cases of one test. */
struct opt_ctx {
	struct __test_metadata *_metadata;
	const char *fstype, *ref, *prefix;
	const char *fs_extra;	/* mount(2) options for @fstype only, or NULL */
	bool cmp_opts;
	char mnt[PATH_MAX];
	int kfd;
	int diffs;	/* attempts that differ */
	int logged;	/* of those, logged */
};

#ifndef MAX_LOGGED
#define MAX_LOGGED	25	/* differing attempts logged per case */
#endif

/* Does the number of kernel log lines of @o exceed the reference's, also when tried again? */
static bool more_kmsg(struct opt_ctx *c, const struct outcome *ref, struct outcome *o,
		      unsigned long flags, const char *data, const struct fc_op *ops,
		      int nops, bool create)
{
	int tries;

	/* Other kernel messages may come in meanwhile: take the fewest of three tries. */
	for (tries = 0; tries < 2 && o->kmsg > ref->kmsg; tries++) {
		struct outcome again;

		if (data)
			try_mount(c->fstype, c->mnt, flags, data, c->kfd, &again);
		else
			try_fsconfig(c->fstype, ops, nops, create, c->kfd, &again);
		if (again.kmsg < o->kmsg)
			o->kmsg = again.kmsg;
	}
	return o->kmsg > ref->kmsg;
}

/*
 * mount(2) with @flags and @data (after the variant's prefix) on the file
 * system under test and on the reference: the same outcome, no more kernel
 * log lines. Returns the errno of the file system under test.
 */
static int check_mount(struct opt_ctx *c, unsigned long flags, const char *data)
{
	struct __test_metadata *_metadata = c->_metadata;
	char *full, what[256];
	struct outcome *o, *ref;
	size_t len = strlen(c->prefix) + strlen(data) + 2;
	bool quiet = c->logged >= MAX_LOGGED;
	int d, err;

	len += c->fs_extra ? strlen(c->fs_extra) + 1 : 0;
	full = malloc(len);
	o = malloc(sizeof(*o));
	ref = malloc(sizeof(*ref));
	if (!full || !o || !ref)
		abort();
	snprintf(full, len, "%s%s%s", c->prefix, *c->prefix ? "," : "", data);
	try_mount(c->ref, c->mnt, flags, full, c->kfd, ref);
	if (c->fs_extra) {
		snprintf(full, len, "%s,%s%s%s", c->fs_extra, c->prefix, *c->prefix ? "," : "",
			 data);
	}
	try_mount(c->fstype, c->mnt, flags, full, c->kfd, o);
	snprintf(what, sizeof(what), "mount(2) flags %#lx \"", flags);
	escape(what + strlen(what), sizeof(what) - strlen(what) - 2, full, strlen(full));
	strcat(what, "\"");
	if (!c->cmp_opts) {
		o->look.opts[0] = '\0';
		ref->look.opts[0] = '\0';
	}
	d = differences(_metadata, what, c->fstype, o, c->ref, ref, quiet);
	if (more_kmsg(c, ref, o, flags, full, NULL, 0, false)) {
		d++;
		if (!quiet)
			TH_LOG("%s: %d kernel log lines, %s %d", what, o->kmsg, c->ref, ref->kmsg);
	}
	if (d) {
		c->diffs++;
		c->logged++;
	}
	err = o->err[0];
	free(full);
	free(o);
	free(ref);
	return err;
}

/* The variant's prefix as fsconfig() calls, before @ops; returns the number of calls. */
static int prefixed_ops(const char *prefix, const struct fc_op *ops, int nops,
			struct fc_op *out, char *buf, size_t size)
{
	char *p, *key, *save = NULL;
	int n = 0;

	snprintf(buf, size, "%s", prefix);
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		key = p;
		p = strchr(p, '=');
		if (p)
			*p++ = '\0';
		out[n++] = (struct fc_op){ FSCONFIG_SET_STRING, key, p, 0 };
	}
	memcpy(out + n, ops, nops * sizeof(*ops));
	return n + nops;
}

/*
 * Whether the reference rejected an nr_inodes= or nr_blocks= string in @ops:
 * tmpfs stores such a value before it checks its range, and uses it at
 * FSCONFIG_CMD_CREATE if the limit was set before (shmem_parse_one()).
 */
static bool ref_kept_rejected(const char *ref_fs, const struct fc_op *ops, int nops,
			      const struct outcome *ref)
{
	int i;

	if (strcmp(ref_fs, "tmpfs"))
		return false;
	for (i = 0; i < nops && i < ref->n; i++)
		if (ops[i].cmd == FSCONFIG_SET_STRING && ops[i].key && ref->err[i] == EINVAL &&
		    (!strcmp(ops[i].key, "nr_inodes") || !strcmp(ops[i].key, "nr_blocks")))
			return true;
	return false;
}

/*
 * A failed fsconfig() call must leave the context as it was: @fstype mounts
 * as it does with the failed calls of @ops left out. Returns 1 if not.
 */
static int failures_change_nothing(struct opt_ctx *c, const struct fc_op *ops, int nops,
				   bool create, struct outcome *o, const char *what, bool quiet)
{
	struct __test_metadata *_metadata = c->_metadata;
	struct fc_op kept[MAX_OPS + 8];
	struct outcome *w;
	int i, m = 0, d, saved_n = o->n;

	if (!create || !o->mounted)
		return 0;
	for (i = 0; i < nops; i++) {
		if (!o->err[i]) {
			kept[m++] = ops[i];
			continue;
		}
		/* A failed command may leave the context failed; only settings. */
		if (ops[i].cmd >= FSCONFIG_CMD_CREATE)
			return 0;
	}
	if (m == nops)
		return 0;
	w = malloc(sizeof(*w));
	if (!w)
		abort();
	try_fsconfig(c->fstype, kept, m, create, c->kfd, w);
	o->n = 0;	/* the state only */
	d = differences(_metadata, what, c->fstype, o, "itself without the failed calls", w,
			quiet);
	o->n = saved_n;
	free(w);
	return d ? 1 : 0;
}

/*
 * fsconfig() calls @ops (after the variant's prefix) and, if @create,
 * FSCONFIG_CMD_CREATE, on the file system under test and on the reference:
 * the same outcome, no more messages or kernel log lines. Returns the errno
 * of each call of the file system under test in @errs.
 */
static void check_fsconfig(struct opt_ctx *c, const struct fc_op *ops, int nops, bool create,
			   const char *name, bool ref_keeps_rejected, int *errs)
{
	struct __test_metadata *_metadata = c->_metadata;
	struct fc_op all[MAX_OPS + 8];
	struct outcome *o, *ref;
	char buf[256], what[1024];
	bool quiet = c->logged >= MAX_LOGGED;
	int i, n, skip, d;
	size_t w;

	n = prefixed_ops(c->prefix, ops, nops, all, buf, sizeof(buf));
	skip = n - nops;
	o = malloc(sizeof(*o));
	ref = malloc(sizeof(*ref));
	if (!o || !ref)
		abort();
	try_fsconfig(c->ref, all, n, create, c->kfd, ref);
	try_fsconfig(c->fstype, all, n, create, c->kfd, o);
	w = snprintf(what, sizeof(what), "fsconfig %s:", name);
	for (i = 0; i < nops && w < sizeof(what) - 64; i++) {
		const char *v = ops[i].value;
		size_t vlen = !v ? 0 : ops[i].cmd == FSCONFIG_SET_BINARY ? ops[i].aux : strlen(v);
		char ek[64], ev[96];

		escape(ek, sizeof(ek), ops[i].key ? ops[i].key : "(null)",
		       ops[i].key ? strlen(ops[i].key) : 6);
		escape(ev, sizeof(ev), v ? v : "(null)", v ? vlen : 6);
		w += snprintf(what + w, sizeof(what) - w, " [%d %s %s %d]", ops[i].cmd, ek, ev,
			      ops[i].aux);
	}
	if (ref_keeps_rejected || ref_kept_rejected(c->ref, all, n, ref)) {
		/* All but the create and the state, which the value tmpfs kept changed. */
		struct outcome *r = malloc(sizeof(*r));

		if (!r)
			abort();
		*r = *ref;
		r->mounted = o->mounted;
		r->look = o->look;
		if (create && o->n > n) {
			r->err[n] = o->err[n];
			r->nmsg[n] = o->nmsg[n];
			memcpy(r->msg[n], o->msg[n], sizeof(r->msg[n]));
		}
		d = differences(_metadata, what, c->fstype, o, c->ref, r, quiet);
		free(r);
	} else {
		d = differences(_metadata, what, c->fstype, o, c->ref, ref, quiet);
	}
	if (strcmp(c->fstype, c->ref))
		d += failures_change_nothing(c, all, n, create, o, what, quiet);
	if (more_kmsg(c, ref, o, 0, NULL, all, n, create)) {
		d++;
		if (!quiet)
			TH_LOG("%s: %d kernel log lines, %s %d", what, o->kmsg, c->ref, ref->kmsg);
	}
	if (d) {
		c->diffs++;
		c->logged++;
	}
	for (i = 0; i < nops + create; i++)
		errs[i] = o->n > skip + i ? o->err[skip + i] : -1;
	free(o);
	free(ref);
}

static bool opt_ctx_init(struct opt_ctx *c, struct __test_metadata *_metadata,
			 const char *dir, const char *fstype, const char *ref,
			 const char *prefix, bool cmp_opts)
{
	memset(c, 0, sizeof(*c));
	c->_metadata = _metadata;
	c->fstype = fstype;
	c->ref = ref;
	c->prefix = prefix;
	c->cmp_opts = cmp_opts;
	if (!mountpoint(c->mnt, dir, "m"))
		return false;
	c->kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (c->kfd >= 0)
		lseek(c->kfd, 0, SEEK_END);
	return true;
}

/* A mount(2) data string and the errno it must give. */
struct data_case {
	unsigned long flags;
	const char *data;
	int err;
};

/* Runs @cases, and data strings longer than a page. */
static void data_table(struct opt_ctx *c, const struct data_case *cases, size_t n,
		       const char *big_key, int big_err)
{
	struct __test_metadata *_metadata = c->_metadata;
	char *big;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = check_mount(c, cases[i].flags, cases[i].data);
		EXPECT_EQ(cases[i].err, err) {
			TH_LOG("mount(2) -o \"%s\": %s, not %s", cases[i].data, strerror(err),
			       strerror(cases[i].err));
		}
	}
	/* mount(2) takes one page of data: the rest is cut off. */
	big = malloc(BIG_LEN + 64);
	ASSERT_NE(NULL, big);
	snprintf(big, BIG_LEN + 64, "%s=", big_key);
	memset(big + strlen(big), '7', BIG_LEN);
	big[strlen(big_key) + 1 + BIG_LEN] = '\0';
	err = check_mount(c, 0, big);
	EXPECT_EQ(big_err, err);
	/* A bad option after the first page is not seen. */
	memset(big, ',', BIG_LEN);
	snprintf(big + BIG_LEN, 64, "mode=x");
	err = check_mount(c, 0, big);
	EXPECT_EQ(0, err);
	free(big);
	EXPECT_EQ(0, c->diffs);
}

/* Key and value longer than fsconfig() takes (256 bytes). */
static char long_key[300], long_value[300];

static void init_long_strings(void)
{
	memset(long_key, 'k', sizeof(long_key) - 1);
	memset(long_value, '7', sizeof(long_value) - 1);
}

/* A sequence of fsconfig() calls and the errno of each, then of CMD_CREATE. */
struct fc_case {
	const char *name;
	int nops;
	struct fc_op ops[4];
	int err[5];
	bool create;
	/*
	 * tmpfs stores an nr_inodes= or nr_blocks= value before it finds it
	 * out of range, and a later FSCONFIG_CMD_CREATE uses the value it
	 * rejected with EINVAL if an earlier call had set the limit (here the
	 * prefix).  rust_ramfs leaves the context as it was, as a failed call
	 * should: such a case checks that it mounts as it does without the
	 * rejected call, and only notes how tmpfs differs.
	 */
	bool ref_keeps_rejected;
};

static void fc_table(struct opt_ctx *c, const struct fc_case *cases, size_t n)
{
	struct __test_metadata *_metadata = c->_metadata;
	int errs[MAX_OPS + 1], i, last;
	size_t k;

	for (k = 0; k < n; k++) {
		check_fsconfig(c, cases[k].ops, cases[k].nops, cases[k].create, cases[k].name,
			       cases[k].ref_keeps_rejected, errs);
		/* The reference's own create may use the value it rejected. */
		last = cases[k].nops + cases[k].create;
		if (cases[k].ref_keeps_rejected && !strcmp(c->fstype, c->ref))
			last = cases[k].nops;
		for (i = 0; i < last; i++) {
			EXPECT_EQ(cases[k].err[i], errs[i]) {
				TH_LOG("fsconfig %s: call %d: %s, not %s", cases[k].name, i,
				       strerror(errs[i]), strerror(cases[k].err[i]));
			}
		}
	}
	EXPECT_EQ(0, c->diffs);
}

/* Calls on keys every variant knows, or that no variant knows. */
#define S(k, v)		{ FSCONFIG_SET_STRING, k, v, 0 }
#define FLAG(k)		{ FSCONFIG_SET_FLAG, k, NULL, 0 }
#define BIN(k, v)	{ FSCONFIG_SET_BINARY, k, v, sizeof(v) - 1 }
#define FD(k, fd)	{ FSCONFIG_SET_FD, k, NULL, fd }
#define PATH(k, p)	{ FSCONFIG_SET_PATH, k, p, AT_FDCWD }
#define PATH_E(k)	{ FSCONFIG_SET_PATH_EMPTY, k, "", AUX_DEVNULL }
#define CMD(c, k, a)	{ c, k, NULL, a }

/* Calls the reference and rust_ramfs share, with the key @mode_key ("mode"). */
static const struct fc_case common_fc_cases[] = {
	{ "mode", 1, { S("mode", "700") }, { 0, 0 }, true },
	{ "mode-empty", 1, { S("mode", "") }, { EINVAL, 0 }, true },
	{ "mode-9", 1, { S("mode", "9") }, { EINVAL, 0 }, true },
	{ "mode-neg", 1, { S("mode", "-1") }, { EINVAL, 0 }, true },
	{ "mode-hex", 1, { S("mode", "0x1ff") }, { EINVAL, 0 }, true },
	{ "mode-big", 1, { S("mode", "777777777777") }, { EINVAL, 0 }, true },
	{ "mode-u32", 1, { S("mode", "37777777777") }, { 0, 0 }, true },
	{ "mode-long", 1, { S("mode", long_value) }, { EINVAL, 0 }, true },
	{ "mode-flag", 1, { FLAG("mode") }, { EINVAL, 0 }, true },
	{ "mode-binary", 1, { BIN("mode", "700") }, { EINVAL, 0 }, true },
	{ "mode-fd", 1, { FD("mode", AUX_DEVNULL) }, { EINVAL, 0 }, true },
	{ "mode-path", 1, { PATH("mode", "/") }, { EINVAL, 0 }, true },
	{ "mode-path-empty", 1, { PATH_E("mode") }, { EINVAL, 0 }, true },
	{ "mode-null-value", 1, { { FSCONFIG_SET_STRING, "mode", NULL, 0 } }, { EINVAL, 0 },
	  true },
	{ "flag-with-value", 1, { { FSCONFIG_SET_FLAG, "ro", "1", 0 } }, { EINVAL, 0 }, true },
	{ "null-key", 1, { S(NULL, "1") }, { EINVAL, 0 }, true },
	{ "long-key", 1, { S(long_key, "1") }, { EINVAL, 0 }, true },
	{ "bad-fd", 1, { FD("mode", 9999) }, { EBADF, 0 }, true },
	{ "binary-empty", 1, { { FSCONFIG_SET_BINARY, "mode", "", 0 } }, { EINVAL, 0 }, true },
	{ "sources", 2, { S("source", "a"), S("source", "b") }, { 0, EINVAL, 0 }, true },
	{ "source-flag", 1, { FLAG("source") }, { EINVAL, 0 }, true },
	{ "source-binary", 1, { BIN("source", "a") }, { EINVAL, 0 }, true },
	{ "ro", 2, { FLAG("ro"), FLAG("rw") }, { 0, 0, 0 }, true },
	{ "sb-flags", 4, { FLAG("sync"), FLAG("dirsync"), FLAG("lazytime"), FLAG("async") },
	  { 0, 0, 0, 0, 0 }, true },
	{ "create-key", 1, { CMD(FSCONFIG_CMD_CREATE, "x", 0) }, { EINVAL }, false },
	{ "create-aux", 1, { CMD(FSCONFIG_CMD_CREATE, NULL, 1) }, { EINVAL }, false },
	{ "bad-cmd", 1, { CMD(99, NULL, 0) }, { EOPNOTSUPP }, false },
	{ "create-twice", 2, { CMD(FSCONFIG_CMD_CREATE, NULL, 0),
			       CMD(FSCONFIG_CMD_CREATE, NULL, 0) }, { 0, EBUSY }, false },
	{ "set-after-create", 2, { CMD(FSCONFIG_CMD_CREATE, NULL, 0), S("mode", "700") },
	  { 0, EBUSY }, false },
	{ "create-excl", 1, { CMD(FSCONFIG_CMD_CREATE_EXCL, NULL, 0) }, { 0 }, false },
	{ "reconfigure", 1, { CMD(FSCONFIG_CMD_RECONFIGURE, NULL, 0) }, { EBUSY }, false },
	{ "last-wins", 3, { S("mode", "1777"), S("mode", "x"), S("mode", "0") },
	  { 0, EINVAL, 0, 0 }, true },
};

/* Calls on unknown keys, which ramfs ignores. */
static const struct fc_case ramfs_fc_cases[] = {
	{ "unknown", 4, { S("bogus", "1"), FLAG("bogus"), BIN("bogus", "\x01\x02"),
			  FD("bogus", AUX_DEVNULL) }, { 0, 0, 0, 0, 0 }, true },
	{ "unknown-path", 2, { PATH("bogus", "/nonexistent"), PATH_E("bogus") },
	  { 0, 0, 0 }, true },
	{ "empty-key", 1, { S("", "1") }, { 0, 0 }, true },
	{ "unknown-bad-fd", 1, { FD("bogus", 9999) }, { EBADF, 0 }, true },
	{ "unknown-long-value", 1, { S("bogus", long_value) }, { EINVAL, 0 }, true },
	{ "junk-key", 1, { S("\x7f\xff=,", "\x01") }, { 0, 0 }, true },
	{ "nomode", 1, { FLAG("nomode") }, { 0, 0 }, true },
};

/* Calls on the tmpfs options rust_ramfs has. */
static const struct fc_case tmpfs_fc_cases[] = {
	{ "size", 2, { S("size", "2M"), S("nr_inodes", "10") }, { 0, 0, 0 }, true },
	{ "size-empty", 1, { S("size", "") }, { EINVAL, 0 }, true },
	{ "size-flag", 1, { FLAG("size") }, { EINVAL, 0 }, true },
	{ "size-binary", 1, { BIN("size", "1M") }, { EINVAL, 0 }, true },
	{ "size-fd", 1, { FD("size", AUX_DEVNULL) }, { EINVAL, 0 }, true },
	{ "size-comma", 1, { S("size", "1,5") }, { EINVAL, 0 }, true },
	{ "size-percent", 1, { S("size", "1%") }, { 0, 0 }, true },
	{ "size-percent-junk", 1, { S("size", "1%x") }, { EINVAL, 0 }, true },
	{ "size-neg", 1, { S("size", "-1") }, { EINVAL, 0 }, true },
	{ "nr_blocks-max", 1, { S("nr_blocks", "9223372036854775807") }, { 0, 0 }, true },
	{ "nr_blocks-over", 1, { S("nr_blocks", "9223372036854775808") }, { EINVAL, 0 },
	  true, true },
	{ "nr_inodes-max", 1, { S("nr_inodes", "18014398509481983") }, { 0, 0 }, true },
	{ "nr_inodes-over", 1, { S("nr_inodes", "18014398509481984") }, { EINVAL, 0 },
	  true, true },
	{ "nr_inodes-percent", 1, { S("nr_inodes", "1%") }, { EINVAL, 0 }, true, true },
	{ "uid", 2, { S("uid", "1000"), S("gid", "1000") }, { 0, 0, 0 }, true },
	{ "uid-invalid", 2, { S("uid", "4294967295"), S("gid", "-1") }, { EINVAL, EINVAL, 0 },
	  true },
	{ "uid-flag", 2, { FLAG("uid"), BIN("gid", "1") }, { EINVAL, EINVAL, 0 }, true },
	{ "uid-empty", 2, { S("uid", ""), S("gid", "x") }, { EINVAL, EINVAL, 0 }, true },
	{ "inode32", 2, { FLAG("inode32"), FLAG("inode64") }, { 0, 0, 0 }, true },
	{ "inode64-value", 2, { S("inode64", "1"), BIN("inode32", "1") }, { EINVAL, EINVAL, 0 },
	  true },
};

/* mount(2) data the reference and rust_ramfs share. */
static const struct data_case common_data_cases[] = {
	{ 0, "", 0 },
	{ 0, "mode=0700", 0 },
	{ 0, "mode=", EINVAL },
	{ 0, "mode", EINVAL },
	{ 0, "mode=8", EINVAL },
	{ 0, "mode=-1", EINVAL },
	{ 0, "mode=0x1ff", EINVAL },
	{ 0, "mode=777777777777", EINVAL },
	{ 0, "mode=37777777777", 0 },
	{ 0, "mode= 700", EINVAL },
	{ 0, "mode=700 ", EINVAL },
	{ 0, "mode=1777,mode=0", 0 },
	{ 0, "mode=0700,mode=x", EINVAL },
	{ 0, ",,,,", 0 },
	{ 0, "source=x", EINVAL },
	{ 0, "source", EINVAL },
	{ 0, "ro", 0 },
	{ 0, "rw,ro,rw", 0 },
	{ 0, "dirsync,sync,lazytime,nolazytime,async", 0 },
	{ MS_POSIXACL, "mode=0700", 0 },
	{ MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SILENT, "mode=0700", 0 },
	{ MS_SYNCHRONOUS | MS_DIRSYNC | MS_LAZYTIME | MS_NOATIME, "", 0 },
};

/* mount(2) data with options ramfs ignores. */
static const struct data_case ramfs_data_cases[] = {
	{ 0, "bogus", 0 },
	{ 0, "bogus=1,mode=700,junk=", 0 },
	{ 0, "=", 0 },
	{ 0, "=1,==,=mode", 0 },
	{ 0, "\xff\xfe=\x01,\x7f", 0 },
	{ 0, "nomode,mode_=1,MODE=x,mode=0700=1", EINVAL },
	{ 0, "mand,nomand", 0 },
};

/* mount(2) data with the tmpfs options rust_ramfs has. */
static const struct data_case tmpfs_data_cases[] = {
	{ 0, "size=2M,nr_inodes=10", 0 },
	{ 0, "size=1,5", EINVAL },
	{ 0, "size=1M,5", EINVAL },
	{ 0, "size=", EINVAL },
	{ 0, "size", EINVAL },
	{ 0, "size=-1", EINVAL },
	{ 0, "size=1x", EINVAL },
	{ 0, "size=1%%", EINVAL },
	{ 0, "size=%", 0 },
	{ 0, "size=1%", 0 },
	{ 0, "size=0", 0 },
	{ 0, "size=16e", 0 },
	{ 0, "size=18446744073709551615", 0 },
	{ 0, "size=18446744073709551616", 0 },
	{ 0, "size=100000000000000%", 0 },
	{ 0, "nr_blocks=9223372036854775807", 0 },
	{ 0, "nr_blocks=9223372036854775808", EINVAL },
	{ 0, "nr_blocks=1%", EINVAL },
	{ 0, "nr_blocks=8e", EINVAL },
	{ 0, "nr_inodes=18014398509481983", 0 },
	{ 0, "nr_inodes=18014398509481984", EINVAL },
	{ 0, "nr_inodes=", EINVAL },
	{ 0, "nr_inodes=1k", 0 },
	{ 0, "nr_inodes=0", 0 },
	{ 0, "uid=4294967295", EINVAL },
	{ 0, "uid=-1", EINVAL },
	{ 0, "uid=0x10,gid=010", 0 },
	{ 0, "gid=", EINVAL },
	{ 0, "uid", EINVAL },
	{ 0, "inode32", 0 },
	{ 0, "inode64=1", EINVAL },
	{ 0, "size=1M,size=x", EINVAL },
	{ 0, "size=1M,,,nr_inodes=5,,", 0 },
	{ 0, "size=2M,nr_inodes=10,mode=01777,uid=1000,gid=1000,inode32", 0 },
};

TEST_F_TIMEOUT(hostile, mount_option_table, 120)
{
	struct opt_ctx c;

	ASSERT_TRUE(opt_ctx_init(&c, _metadata, self->dir, variant->fstype, variant->ref,
				 variant->prefix, variant->cmp_opts));
	data_table(&c, common_data_cases, ARRAY_SIZE(common_data_cases), "mode", EINVAL);
	c.diffs = 0;
	data_table(&c, ramfs_data_cases, ARRAY_SIZE(ramfs_data_cases), "bogus", 0);
}

TEST_F_TIMEOUT(hostile, fsconfig_table, 120)
{
	struct opt_ctx c;

	init_long_strings();
	ASSERT_TRUE(opt_ctx_init(&c, _metadata, self->dir, variant->fstype, variant->ref,
				 variant->prefix, variant->cmp_opts));
	fc_table(&c, common_fc_cases, ARRAY_SIZE(common_fc_cases));
	fc_table(&c, ramfs_fc_cases, ARRAY_SIZE(ramfs_fc_cases));
}

TEST_F_TIMEOUT(hostile_tmpfs, mount_option_table, 120)
{
	struct opt_ctx c;

	ASSERT_TRUE(opt_ctx_init(&c, _metadata, self->dir, variant->fstype, variant->ref,
				 variant->prefix, variant->cmp_opts));
	c.fs_extra = variant->fs_extra;
	data_table(&c, common_data_cases, ARRAY_SIZE(common_data_cases), "mode", EINVAL);
	c.diffs = 0;
	data_table(&c, tmpfs_data_cases, ARRAY_SIZE(tmpfs_data_cases), "size", 0);
}

TEST_F_TIMEOUT(hostile_tmpfs, fsconfig_table, 120)
{
	struct opt_ctx c;

	init_long_strings();
	ASSERT_TRUE(opt_ctx_init(&c, _metadata, self->dir, variant->fstype, variant->ref,
				 variant->prefix, variant->cmp_opts));
	c.fs_extra = variant->fs_extra;
	fc_table(&c, common_fc_cases, ARRAY_SIZE(common_fc_cases));
	fc_table(&c, tmpfs_fc_cases, ARRAY_SIZE(tmpfs_fc_cases));
}

/* ---- random mount options ---------------------------------------------- */

#define FUZZ_ROUNDS	300
#define FUZZ_OPTS	6	/* options of one attempt, at most */

struct rng {
	unsigned long long s;
};

static unsigned long long rnd(struct rng *g)
{
	/* xorshift64* */
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * 0x2545F4914F6CDD1DULL;
}

static unsigned int rnd_below(struct rng *g, unsigned int n)
{
	return (rnd(g) >> 32) % n;
}

/* Keys rust_ramfs knows and ramfs does not: no reference for them in the ramfs pair. */
static const char * const rust_only_keys[] = {
	"size", "nr_blocks", "nr_inodes", "uid", "gid", "inode32", "inode64", "xattr", "acl",
};

/* Keys for the ramfs pair (and random ones), and for the tmpfs pair. */
static const char * const ramfs_keys[] = {
	"mode", "mode", "mode", "mode", "source", "ro", "rw", "sync", "async", "dirsync",
	"lazytime", "nolazytime", "mand", "nomand", "nosuid", "nomode", "modes",
};

static const char * const tmpfs_keys[] = {
	"size", "size", "size", "nr_blocks", "nr_inodes", "nr_inodes", "mode", "mode",
	"uid", "gid", "inode32", "inode64", "source", "ro", "rw", "sync", "lazytime",
};

/* Appends @n random characters from @set to @buf (of @size). */
static void rnd_chars(struct rng *g, char *buf, size_t size, const char *set, unsigned int n)
{
	size_t len = strlen(buf), sl = strlen(set);

	while (n-- && len + 1 < size)
		buf[len++] = set[rnd_below(g, sl)];
	buf[len] = '\0';
}

/* A random value, with no comma if @no_comma, into @buf (of @size). */
static void rnd_value(struct rng *g, char *buf, size_t size, bool no_comma)
{
	static const char * const fixed[] = {
		"0", "0755", "1777", "1M", "1k", "100", "1000", "1%", "100%", "4294967295",
		"4294967296", "18446744073709551615", "18446744073709551616",
		"9223372036854775807", "9223372036854775808", "18014398509481984", "2147483648",
		"99999999999999999999k", "0x", "0x10", "010", "08", " 1", "1 ", "\t", "+1", "1e",
		"16e", "1%%", "%",
	};
	static const char *digits = "0123456789";
	unsigned int i, n;

	buf[0] = '\0';
	switch (rnd_below(g, 12)) {
	case 0:
		break;
	case 1:
		rnd_chars(g, buf, size, digits, 1 + rnd_below(g, 25));
		break;
	case 2:
		snprintf(buf, size, "-");
		rnd_chars(g, buf, size, digits, 1 + rnd_below(g, 12));
		break;
	case 3:
		snprintf(buf, size, "0x");
		rnd_chars(g, buf, size, "0123456789abcdefABCDEF", 1 + rnd_below(g, 18));
		break;
	case 4:
		snprintf(buf, size, "0");
		rnd_chars(g, buf, size, "01234567", 1 + rnd_below(g, 12));
		break;
	case 5:
		rnd_chars(g, buf, size, digits, 1 + rnd_below(g, 8));
		rnd_chars(g, buf, size, "kKmMgGtTpPeE%", 1 + rnd_below(g, 2));
		break;
	case 6:
		rnd_chars(g, buf, size, digits, 1 + rnd_below(g, 4));
		rnd_chars(g, buf, size, "xz!%.+- =:", 1);
		break;
	case 7:
		rnd_chars(g, buf, size, "abcxyzABC019_-.:/@=+% ", 1 + rnd_below(g, 20));
		break;
	case 8:
		/* Longer than fsconfig() takes. */
		rnd_chars(g, buf, size, digits, 250 + rnd_below(g, 300));
		break;
	case 9:
		/* Binary junk, without NUL. */
		n = 1 + rnd_below(g, 24);
		for (i = 0; i < n && i + 1 < size; i++) {
			do
				buf[i] = 1 + rnd_below(g, 255);
			while (no_comma && buf[i] == ',');
		}
		buf[i] = '\0';
		break;
	default:
		snprintf(buf, size, "%s", fixed[rnd_below(g, ARRAY_SIZE(fixed))]);
		break;
	}
	if (!no_comma && !rnd_below(g, 8))
		rnd_chars(g, buf, size, ",=", 1 + rnd_below(g, 2));
}

/* A random key of the ramfs pair into @buf. */
static void rnd_key(struct rng *g, char *buf, size_t size, bool tmpfs)
{
	unsigned int i, n;

	if (tmpfs) {
		snprintf(buf, size, "%s", tmpfs_keys[rnd_below(g, ARRAY_SIZE(tmpfs_keys))]);
		return;
	}
	if (rnd_below(g, 3)) {
		snprintf(buf, size, "%s", ramfs_keys[rnd_below(g, ARRAY_SIZE(ramfs_keys))]);
		return;
	}
	/* Junk: any bytes but NUL, comma and '='. */
	n = rnd_below(g, 12);
	for (i = 0; i < n && i + 1 < size; i++) {
		do
			buf[i] = 1 + rnd_below(g, 255);
		while (buf[i] == ',' || buf[i] == '=');
	}
	buf[i] = '\0';
}

/* Is any comma separated option of @data one of rust_only_keys[]? */
static bool has_rust_only_key(const char *data)
{
	const char *p = data;
	size_t i, n;

	while (p) {
		n = strcspn(p, ",=");
		for (i = 0; i < ARRAY_SIZE(rust_only_keys); i++)
			if (n == strlen(rust_only_keys[i]) && !strncmp(p, rust_only_keys[i], n))
				return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* One random attempt: options as mount(2) data and as fsconfig() calls. */
struct fuzz_attempt {
	char keys[FUZZ_OPTS][32];
	char values[FUZZ_OPTS][600];
	struct fc_op ops[FUZZ_OPTS];
	int nops;
	char data[FUZZ_OPTS * 640];
	unsigned long flags;
};

static void rnd_attempt(struct rng *g, struct fuzz_attempt *a, bool tmpfs)
{
	static const unsigned long mount_flags[] = {
		MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_SYNCHRONOUS, MS_DIRSYNC,
		MS_NOATIME, MS_NODIRATIME, MS_LAZYTIME, MS_SILENT, MS_POSIXACL, MS_STRICTATIME,
		MS_I_VERSION,
	};
	unsigned int i, n;
	size_t len;

	do {
		memset(a, 0, sizeof(*a));
		n = 1 + rnd_below(g, FUZZ_OPTS);
		len = 0;
		for (i = 0; i < n; i++) {
			struct fc_op *op = &a->ops[i];
			bool value = rnd_below(g, 6);

			rnd_key(g, a->keys[i], sizeof(a->keys[i]), tmpfs);
			if (value)
				rnd_value(g, a->values[i], sizeof(a->values[i]), tmpfs);
			/* Repeat an option now and then. */
			if (i && !rnd_below(g, 6))
				memcpy(a->keys[i], a->keys[i - 1], sizeof(a->keys[i]));
			len += snprintf(a->data + len, sizeof(a->data) - len, "%s%s%s%s",
					i ? (rnd_below(g, 5) ? "," : ",,") : "", a->keys[i],
					value ? "=" : "", value ? a->values[i] : "");
			op->key = a->keys[i];
			op->value = value ? a->values[i] : NULL;
			op->cmd = value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG;
			switch (rnd_below(g, 10)) {
			case 0:
				op->cmd = FSCONFIG_SET_BINARY;
				op->value = a->values[i];
				op->aux = strlen(a->values[i]);
				break;
			case 1:
				op->cmd = FSCONFIG_SET_FD;
				op->value = NULL;
				op->aux = rnd_below(g, 2) ? AUX_DEVNULL : 9999;
				break;
			case 2:
				op->cmd = rnd_below(g, 2) ? FSCONFIG_SET_PATH :
							    FSCONFIG_SET_PATH_EMPTY;
				op->value = rnd_below(g, 2) ? "/" : "";
				op->aux = op->cmd == FSCONFIG_SET_PATH ? AT_FDCWD : AUX_DEVNULL;
				break;
			case 3:
				/* The wrong command for the value. */
				op->cmd = value ? FSCONFIG_SET_FLAG : FSCONFIG_SET_STRING;
				break;
			}
		}
		a->nops = n;
		a->flags = 0;
		if (!rnd_below(g, 3))
			a->flags = mount_flags[rnd_below(g, ARRAY_SIZE(mount_flags))];
		/* Junk must not spell an option only rust_ramfs knows. */
	} while (!tmpfs && has_rust_only_key(a->data));
}

/* HOSTILE_SEED from the environment, or a fixed seed. */
static unsigned long long fuzz_seed(void)
{
	const char *s = getenv("HOSTILE_SEED");

	unsigned long long seed = s ? strtoull(s, NULL, 0) : 0x52414d4653ULL;

	/* xorshift stays at zero. */
	return seed ? seed : 1;
}

static void fuzz(struct opt_ctx *c, bool tmpfs)
{
	struct __test_metadata *_metadata = c->_metadata;
	struct fuzz_attempt *a;
	int errs[MAX_OPS + 1], i;
	struct rng g;
	char name[32];

	g.s = fuzz_seed();
	TH_LOG("seed %#llx (HOSTILE_SEED), %d rounds", (unsigned long long)g.s, FUZZ_ROUNDS);
	a = malloc(sizeof(*a));
	ASSERT_NE(NULL, a);
	for (i = 0; i < FUZZ_ROUNDS; i++) {
		rnd_attempt(&g, a, tmpfs);
		check_mount(c, a->flags, a->data);
		snprintf(name, sizeof(name), "round %d", i);
		check_fsconfig(c, a->ops, a->nops, true, name, false, errs);
	}
	free(a);
	EXPECT_EQ(0, c->diffs) {
		TH_LOG("%d attempts differ (the first %d logged)", c->diffs, MAX_LOGGED);
	}
}

TEST_F_TIMEOUT(hostile, mount_option_fuzz, 300)
{
	struct opt_ctx c;

	ASSERT_TRUE(opt_ctx_init(&c, _metadata, self->dir, variant->fstype, variant->ref,
				 variant->prefix, variant->cmp_opts));
	fuzz(&c, false);
}

TEST_F_TIMEOUT(hostile_tmpfs, mount_option_fuzz, 300)
{
	struct opt_ctx c;

	ASSERT_TRUE(opt_ctx_init(&c, _metadata, self->dir, variant->fstype, variant->ref,
				 variant->prefix, variant->cmp_opts));
	c.fs_extra = variant->fs_extra;
	fuzz(&c, true);
}

TEST_HARNESS_MAIN
