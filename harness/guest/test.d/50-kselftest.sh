#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The rust_ramfs kselftest: every case runs against C ramfs and rust_ramfs.
# The host builds it into $RR_BUILD/kselftest/rust_ramfs; its TAP goes to
# stdout unchanged.
set -u
bin=$RR_BUILD/kselftest/rust_ramfs/rust_ramfs_test
if [ ! -x "$bin" ]; then
	echo "$bin: not found; build it with" \
		"make -C tools/testing/selftests TARGETS=rust_ramfs O=\$RR_BUILD" >&2
	echo "TAP version 13"
	echo "1..1"
	echo "not ok 1 rust_ramfs_test missing"
	exit 1
fi
exec "$bin"
