#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Shared by the guest test scripts (harness/guest/test.d/*.sh, sourced):
# TAP output helpers, the Python to use and the kernel log patterns that
# are problems.

# Debian's python3, not one from a virtualenv on the host's PATH.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# Kernel log lines that are problems (as in harness/summarize.py).
SPLAT='WARNING:|BUG:|BUG |Oops|general protection fault|Kernel panic|KASAN:|UBSAN:|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|unreferenced object|Call Trace:|VFS: Busy inodes'

# tap_plan N: starts a TAP document of N tests.
tap_plan() {
	n=0
	echo "TAP version 13"
	echo "1..$1"
}
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); echo "not ok $n $*"; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
# Prefixes each line of stdin with "# ", a TAP comment.
comment() { sed 's/^/# /'; }
# check STATUS NAME: a test that passed if STATUS is 0.
check() {
	if [ "$1" = 0 ]; then ok "$2"; else nok "$2"; fi
}
# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		nok "$1"
		echo "#   expected '$2', got '$3'"
	fi
}
