#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest side of `make bench-profile` (harness/bench-profile.sh): runs
# each fsbench workload of $3 once per file system of $5 with marks (-m), so
# that the insnprof QEMU plugin writes the instruction counts of every timed
# loop to files of its own.  Each configuration runs twice, a warm-up and the
# profiled run; OUT/runs lists the runs in order ("label metric"), two marks
# each, and OUT/kallsyms maps the addresses.
#
# Usage: profile.sh FSBENCH OUT METRICS N "LABEL=TYPE[:OPTIONS] ..."
set -eu
fsbench=$1 out=$2 metrics=$3 n=$4 configs=$5
modprobe rust_ramfs
cat /proc/kallsyms >"$out/kallsyms"
: >"$out/runs"
for metric in $(echo "$metrics" | tr , ' '); do
	for cfg in $configs; do
		label=${cfg%%=*} spec=${cfg#*=}
		fstype=${spec%%:*} opts=
		[ "$fstype" = "$spec" ] || opts="-o ${spec#*:}"
		for run in warmup profiled; do
			dir=$(mktemp -d /tmp/profile.XXXXXX)
			mount -t "$fstype" $opts profile "$dir"
			"$fsbench" "$dir" -q -m -n "$n" -w "$metric" >/dev/null
			umount "$dir"
			rmdir "$dir"
			echo "$label $metric $run" >>"$out/runs"
		done
	done
done
echo "profiled $(wc -l <"$out/runs") runs"
