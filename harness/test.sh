#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make test`: build, boot once, run every suite, summarise.
. "$(dirname "$0")/lib.sh"

t0=$(now)
"$REPO/harness/build.sh"
out=$CACHE/guest
msg "booting the test kernel (log: $out/console.log)"
rc=0
BOOT_QUIET=1 "$REPO/harness/boot.sh" -t "${TEST_TIMEOUT:-1800}" -o "$out" \
	"sh \"\$RR_REPO/harness/guest/test.sh\"" || rc=$?
cp "$out/console.log" "$LOGS/console-test.log" 2>/dev/null || true
msg "guest exited with $rc after $(($(now) - t0))s; summarising"
python3 "$REPO/harness/summarize.py" "$out" "$TREE" "$REPO" "$rc"
