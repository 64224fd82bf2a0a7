#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tmpfs's options on rust_ramfs (nr_inodes=, uid=, gid=, inode32/64, remount,
# /proc/mounts, statfs), each case run against tmpfs and rust_ramfs.
exec sh "$(dirname "$0")/50-kselftest.sh" tmpfs_options_test
