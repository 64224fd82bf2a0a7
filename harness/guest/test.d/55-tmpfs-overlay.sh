#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rust_ramfs ("xattr") as the upper layer of overlayfs: a clean mount,
# copy-up, whiteouts, opaque and redirected directories, each case run with
# tmpfs and with rust_ramfs as the upper layer.
exec sh "$(dirname "$0")/50-kselftest.sh" tmpfs_overlay_test
