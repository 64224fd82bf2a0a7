#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A rust_ramfs kselftest program, rust_ramfs_test unless named in $1: that
# one runs every case against C ramfs and rust_ramfs, the tmpfs_* ones
# against tmpfs and rust_ramfs.  The host builds them into
# $RR_BUILD/kselftest/rust_ramfs; the TAP goes to stdout unchanged.
set -u
prog=${1:-rust_ramfs_test}
bin=$RR_BUILD/kselftest/rust_ramfs/$prog
if [ ! -x "$bin" ]; then
	echo "$bin: not found; build it with" \
		"make -C tools/testing/selftests TARGETS=rust_ramfs O=\$RR_BUILD" >&2
	echo "TAP version 13"
	echo "1..1"
	echo "not ok 1 $prog missing"
	exit 1
fi
exec "$bin"
