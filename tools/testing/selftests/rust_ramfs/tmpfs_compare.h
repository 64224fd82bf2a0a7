/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the tests that run each case against a C file system
 * (tmpfs or ramfs) and rust_ramfs: tmpfs_*_test.c, hostile_test.c,
 * fault_test.c, race_test.c and exhaust_test.c.
 */
#ifndef TMPFS_COMPARE_H
#define TMPFS_COMPARE_H

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Is @fstype listed in /proc/filesystems? */
static inline bool fs_registered(const char *fstype)
{
	char line[256], name[64];
	bool found = false;
	FILE *f;

	f = fopen("/proc/filesystems", "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		/* "nodev\ttmpfs\n" or "\text4\n": the name is the last word. */
		if (sscanf(line, "nodev %63s", name) == 1 || sscanf(line, "%63s", name) == 1)
			found = !strcmp(name, fstype);
	}
	fclose(f);
	return found;
}

/* Loads the module of @fstype if needed; is the file system type available? */
static inline bool fs_available(const char *fstype)
{
	char cmd[128];

	if (fs_registered(fstype))
		return true;
	snprintf(cmd, sizeof(cmd), "modprobe %s >/dev/null 2>&1", fstype);
	return !system(cmd) && fs_registered(fstype);
}

/* @buf = @dir/@name; @buf has PATH_MAX bytes. */
static inline char *path_join(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_MAX)
		abort();
	return buf;
}

/* Writes the string @s to the existing file @path. */
static inline int write_string(const char *path, const char *s)
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

/* The monotonic clock, in seconds. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The positive integer @name in the environment, or @def. */
static inline long env_long(const char *name, long def)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	v = strtol(s, &end, 10);
	return *end || v <= 0 ? def : v;
}

/* Active objects of the slab cache @name in /proc/slabinfo, or -1. */
static inline long slab_active(const char *name)
{
	char line[512], cache[128];
	long active = -1, n;
	FILE *f;

	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -1;
	while (active < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %ld", cache, &n) == 2 && !strcmp(cache, name))
			active = n;
	fclose(f);
	return active;
}

/* The mount API (fsopen(2), fsconfig(2), fsmount(2)), which libc may lack. */
static inline int sys_fsopen(const char *fstype, unsigned int flags)
{
	return syscall(__NR_fsopen, fstype, flags);
}

static inline int sys_fsconfig(int fd, unsigned int cmd, const char *key, const void *value,
			       int aux)
{
	return syscall(__NR_fsconfig, fd, cmd, key, value, aux);
}

static inline int sys_fsmount(int fd, unsigned int flags, unsigned int attr)
{
	return syscall(__NR_fsmount, fd, flags, attr);
}

#endif /* TMPFS_COMPARE_H */
