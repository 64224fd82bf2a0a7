#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make run`: build if needed, boot, run the demonstration (or $CMD), and
# drop into a shell when stdin is a terminal.
. "$(dirname "$0")/lib.sh"

"$REPO/harness/build.sh"
cmd=${CMD:-"sh \"\$RR_REPO/harness/guest/demo.sh\""}
if [ -t 0 ] && [ -z "${CMD:-}" ]; then
	msg "booting; the demonstration runs, then a shell (exit it to power off)"
	exec "$REPO/harness/boot.sh" -i "$cmd"
fi
msg "booting (guest console: $CACHE/guest/console.log)"
exec "$REPO/harness/boot.sh" -t "${VNG_TIMEOUT:-600}" "$cmd"
