#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hostile users: unprivileged user namespace mounts, device nodes, chown,
# set-id bits, sticky directories and fs.protected_*, O_NOFOLLOW, whiteouts,
# and malformed mount options, each case run against ramfs (or tmpfs) and
# rust_ramfs.
exec sh "$(dirname "$0")/50-kselftest.sh" hostile_test
