/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the tests that run each case against tmpfs and
 * rust_ramfs (tmpfs_*_test.c).
 */
#ifndef TMPFS_COMPARE_H
#define TMPFS_COMPARE_H

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

#endif /* TMPFS_COMPARE_H */
