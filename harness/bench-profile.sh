#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make bench-profile`: where the instructions of each fsbench workload go,
# per kernel function, ramfs next to rust_ramfs (and whatever PROFILE_CONFIGS
# lists).  Boots the performance kernel on one vCPU under QEMU's icount with
# the insnprof plugin (harness/bench/insnprof.c), which counts the executed
# instructions of every translated block between marks that fsbench -m sets
# around its timed loops; harness/bench/profile.py maps them to the guest's
# symbols and writes one table per workload.
#
#   PROFILE_METRICS    fsbench metadata workloads (default: the ones of
#                      `make bench` where rust_ramfs runs Rust code)
#   PROFILE_N          operations per workload (default 1000)
#   PROFILE_CONFIGS    "LABEL=TYPE[:OPTIONS] ...", the first is the base
#                      (default "ramfs=ramfs rust_ramfs=rust_ramfs")
#   PROFILE_TOP        functions per table (default 25)
RUST_RAMFS_FLAVOUR=${RUST_RAMFS_FLAVOUR:-perf}
export RUST_RAMFS_FLAVOUR
. "$(dirname "$0")/lib.sh"

metrics=${PROFILE_METRICS:-create,mkdir,rmdir,unlink,link,rename,symlink,readlink,open_close,stat}
n=${PROFILE_N:-1000}
configs=${PROFILE_CONFIGS:-ramfs=ramfs rust_ramfs=rust_ramfs}
out=$CACHE/profile
rm -rf "$out"
mkdir -p "$out"
"$REPO/harness/build.sh"
gcc -Wall -O2 -static -o "$out/fsbench" "$REPO/harness/bench/fsbench.c" ||
	die "cannot build harness/bench/fsbench.c"
gcc -Wall -O2 -shared -fPIC -fvisibility=hidden -o "$out/insnprof.so" \
	"$REPO/harness/bench/insnprof.c" || die "cannot build harness/bench/insnprof.c"

msg "profiling the $FLAVOUR kernel: $metrics, $n operations each, on $configs"
VNG_KVM=0 VNG_CPUS=1 \
VNG_QEMU_OPTS="-icount shift=0,sleep=off -plugin $out/insnprof.so,out=$out/m" \
	"$REPO/harness/boot.sh" -t "${PROFILE_TIMEOUT:-1800}" -o "$out/guest" \
	"sh \"\$RR_REPO/harness/guest/profile.sh\" '$out/fsbench' '$out' '$metrics' $n '$configs'" ||
	die "profiling failed; console: $out/guest/console.log"
/usr/bin/python3 "$REPO/harness/bench/profile.py" "$out" "$n" --top "${PROFILE_TOP:-25}" \
	>"$out/profile.md" || die "no profile"
cat "$out/profile.md"
msg "profile: $out/profile.md"
