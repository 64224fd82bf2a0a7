#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tmpfs's block limits on rust_ramfs (size=, nr_blocks=: ENOSPC, SIGBUS,
# exact accounting), each case run against tmpfs and rust_ramfs.
exec sh "$(dirname "$0")/50-kselftest.sh" tmpfs_limits_test
