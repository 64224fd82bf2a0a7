#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Allocation failures: failslab and fail_page_alloc fail each allocation of
# create, mkdir, mknod, symlink, link, unlink, rmdir, write, truncate, the
# renames, O_TMPFILE and linkat, the xattr calls, mount and remount in turn
# (fail-nth), then random ones during FAULT_OPS mixed calls; each call must
# fail cleanly and all or nothing, against ramfs, tmpfs and rust_ramfs.
exec sh "$(dirname "$0")/50-kselftest.sh" fault_test
