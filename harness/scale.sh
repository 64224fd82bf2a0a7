#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The scale part of `make soak`: a million empty files and a directory of
# 100,000 entries on ramfs, rust_ramfs (with and without limits) and tmpfs,
# with the time and the memory per inode of each, on the performance kernel
# (harness/config/perf.config).
#
# It runs there, not on the test kernel, for two reasons: under TCG the
# test kernel takes 2.5-3 ms per create and 2 ms per unlink (KASAN, lockdep,
# kmemleak), so the four filesystems would take more than five hours; and
# its figures would be those of the debugging options, not of the
# filesystems.  The test kernel runs the same test at EXHAUST_FILES (50,000
# in make soak) with every debugging option on.
#
#   SCALE_FILES, SCALE_DIR   sizes (default 1000000 and 100000)
#   $1                       the exhaust_test binary (default: the test
#                            kernel's kselftest build)
# Writes exhaust-scale.tap and dmesg.txt to the cache's guest-scale/.
. "$(dirname "$0")/lib.sh"

bin=${1:-$CACHE/build/kselftest/rust_ramfs/exhaust_test}
[ -x "$bin" ] || die "$bin: not found; make build builds it"
out=$CACHE/guest-scale
mkdir -p "$out"
rm -f "$out/exhaust-scale.tap"
RUST_RAMFS_FLAVOUR=perf SKIP_SETUP=1 "$REPO/harness/build.sh"
# As make bench: without KVM, one vCPU under icount, so that the times are
# instruction counts, whatever else the host runs.
measuring_boot
msg "booting the performance kernel ($timing): ${SCALE_FILES:-1000000} files, a directory of ${SCALE_DIR:-100000}"
rc=0
RUST_RAMFS_FLAVOUR=perf BOOT_QUIET=1 "$REPO/harness/boot.sh" -t "${SCALE_TIMEOUT:-5400}" -o "$out" \
	"modprobe rust_ramfs && EXHAUST_FILES=${SCALE_FILES:-1000000} EXHAUST_DIR=${SCALE_DIR:-100000} \
'$bin' -t many_files >\"\$RR_OUT/exhaust-scale.tap\" 2>&1" || rc=$?
grep '^# .*bytes/inode\|^# .*stopped at\|^# .*readdir\|^# .*unlinked\|^ok\|^not ok' \
	"$out/exhaust-scale.tap" 2>/dev/null | sed 's/^/    /' >&2 || true
exit "$rc"
