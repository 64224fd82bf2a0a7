#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Idmapped mounts of rust_ramfs (owners of new inodes, stat, chown, chmod,
# set-group-ID directories), each case run against tmpfs and rust_ramfs.
exec sh "$(dirname "$0")/50-kselftest.sh" tmpfs_idmap_test
