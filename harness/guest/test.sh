#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest for `make test`: loads the modules under test (their
# KUnit suites run on load), runs the kselftests and the stress/leak checks,
# and leaves their TAP output in $RR_OUT for the host to summarise.
set -u
export LEAK_ITERS LEAK_FILES STRESS_TIME LEAK_FSTYPES STRESS_FSTYPES LEAK_KMEMLEAK_SCANS LEAK_DIAG
export FUZZ_TIME FUZZ_SEQS FUZZ_OPS FUZZ_PAIRS FUZZ_SEED FUZZ_ARGS
export FAULT_OPS FAULT_SEED RACE_TIME RACE_SEED EXHAUST_FILES EXHAUST_DIR EXHAUST_OOM
[ -z "${STRESS_EXTRA_OPS:-}" ] || export STRESS_EXTRA_OPS
out=$RR_OUT
rm -f "$out"/*.tap "$out/finished"

# Hook directory: every executable harness/guest/test.d/*.sh runs in order
# and writes TAP to $RR_OUT/<name>.tap.
for t in "$RR_REPO"/harness/guest/test.d/*.sh; do
	[ -e "$t" ] || continue
	n=$(basename "$t" .sh)
	echo "--- $n" >&2
	sh "$t" >"$out/$n.tap" 2>"$out/$n.err"
	echo "$?" >"$out/$n.rc"
done
echo done >"$out/finished"
