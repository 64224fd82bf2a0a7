#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Differential fuzzing, run inside the guest: rust_ramfs_fuzz applies seeded
# random operation sequences in lockstep to ramfs and rust_ramfs, and to
# tmpfs and rust_ramfs (xattr,acl), and fails on the first difference, with
# a shrunk reproducer.  One TAP test point per pair, on stdout unchanged.
#
# Parameters (environment):
#   FUZZ_TIME    time budget in seconds of the whole run (default 60)
#   FUZZ_SEQS    sequences per pair (default 2)
#   FUZZ_OPS     operations per sequence (default 1000)
#   FUZZ_SEED    seed of the first sequence (default: time)
#   FUZZ_PAIRS   ramfs, tmpfs or all (default all)
#   FUZZ_ARGS    more arguments (-k: also the known differences from ramfs)
#
# The host builds the program into $RR_BUILD/kselftest/rust_ramfs with the
# other kselftests; if it is not there, it is compiled here, when a C
# compiler is at hand.
set -u
TIME=${FUZZ_TIME:-60}
SEQS=${FUZZ_SEQS:-2}
OPS=${FUZZ_OPS:-1000}
PAIRS=${FUZZ_PAIRS:-all}
bin=$RR_BUILD/kselftest/rust_ramfs/rust_ramfs_fuzz
src=$RR_REPO/tools/testing/selftests/rust_ramfs/rust_ramfs_fuzz.c
tmp=

if [ ! -x "$bin" ] && command -v cc >/dev/null && [ -r "$src" ]; then
	tmp=$(mktemp -d /tmp/fuzz.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	if cc -Wall -O2 -I "$RR_BUILD/usr/include" -o "$tmp/rust_ramfs_fuzz" "$src" \
		>"$tmp/cc.log" 2>&1; then
		bin=$tmp/rust_ramfs_fuzz
	else
		sed 's/^/# /' "$tmp/cc.log" >&2
	fi
fi
if [ ! -x "$bin" ]; then
	echo "$bin: not found; build it with" \
		"make -C tools/testing/selftests TARGETS=rust_ramfs O=\$RR_BUILD" >&2
	echo "TAP version 13"
	echo "1..1"
	echo "not ok 1 rust_ramfs_fuzz missing"
	exit 1
fi
modprobe rust_ramfs >/dev/null 2>&1
set -- -t "$TIME" -r "$SEQS" -n "$OPS" -p "$PAIRS"
[ -z "${FUZZ_SEED:-}" ] || set -- "$@" -s "$FUZZ_SEED"
# Not exec: the trap removes the binary compiled here.
# shellcheck disable=SC2086
"$bin" "$@" ${FUZZ_ARGS:-}
