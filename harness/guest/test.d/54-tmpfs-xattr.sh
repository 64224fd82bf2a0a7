#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Extended attributes and POSIX ACLs of rust_ramfs ("xattr,acl"): set, get,
# list, remove, the inode limit's share, ACLs, chmod and inheritance, each
# case run against tmpfs and rust_ramfs; and the options themselves.
exec sh "$(dirname "$0")/50-kselftest.sh" tmpfs_xattr_test
