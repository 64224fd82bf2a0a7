#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot the built kernel under virtme-ng and run a command in the guest.
#
#   boot.sh [-i] [-t SECONDS] [-o OUTDIR] COMMAND
#
# The guest command's exit status is returned; 124/137 mean the host-side
# timeout killed a hung guest, 255 that the guest died without a status.
# The guest's dmesg is saved to OUTDIR/dmesg.txt (and the console to
# OUTDIR/console.log unless -i).  OUTDIR is visible in the guest as
# $RR_OUT.  VNG_APPEND adds kernel parameters, VNG_CPUS/VNG_MEMORY size the
# guest, VNG_KVM=0/1 overrides the KVM detection, VNG_QEMU_OPTS passes
# options to QEMU (e.g. make bench's -icount).
. "$(dirname "$0")/lib.sh"

interactive=0
timeout=${VNG_TIMEOUT:-900}
out=$CACHE/guest
while getopts it:o: o; do
	case $o in
	i) interactive=1 ;;
	t) timeout=$OPTARG ;;
	o) out=$OPTARG ;;
	*) die "usage: boot.sh [-i] [-t SECONDS] [-o OUTDIR] COMMAND" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "usage: boot.sh [-i] [-t SECONDS] [-o OUTDIR] COMMAND"
cmd=$1
[ -f "$BUILD/arch/x86/boot/bzImage" ] || die "no kernel built in $BUILD; run 'make build'"
mkdir -p "$out"
rm -f "$out/dmesg.txt" "$out/status"

accel=--disable-kvm
case ${VNG_KVM:-auto} in
1) accel= ;;
0) ;;
*) grep -qwE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ] && accel= ;;
esac

# Save dmesg and the command's status from inside the guest.
gcmd="export RR_OUT='$out' RR_REPO='$REPO' RR_BUILD='$BUILD' RR_TREE='$TREE';
$1
rc=\$?; dmesg >\"\$RR_OUT/dmesg.txt\" 2>/dev/null; echo \$rc >\"\$RR_OUT/status\"; exit \$rc"

set -- vng --run "$BUILD" $accel --force-9p --cpus "${VNG_CPUS:-2}" \
	--memory "${VNG_MEMORY:-4G}" --rwdir "$out" --rwdir "$CACHE" \
	--append "log_buf_len=8M ${VNG_APPEND:-}" --cwd "$REPO"
[ -z "${VNG_QEMU_OPTS:-}" ] || set -- "$@" --qemu-opts "$VNG_QEMU_OPTS"
if [ "$interactive" = 1 ] && [ -t 0 ]; then
	# Interactive: the command runs first, then a shell on the console.
	icmd="export RR_OUT='$out' RR_REPO='$REPO' RR_BUILD='$BUILD' RR_TREE='$TREE';
$cmd
dmesg >\"\$RR_OUT/dmesg.txt\" 2>/dev/null
exec \${SHELL:-/bin/sh} -i"
	exec timeout --foreground "${VNG_SHELL_TIMEOUT:-86400}" "$@" --exec "$icmd"
fi
set +e
(
	timeout --kill-after=15 "$timeout" "$@" --verbose --exec "$gcmd" </dev/null 2>&1
	echo $? >"$out/vng.rc"
) | tee "$out/console.log" |
	if [ "${BOOT_QUIET:-0}" = 1 ]; then cat >/dev/null; else
		# Hide the kernel's console chatter; show the command's output.
		grep -vE '^\[ *[0-9]+\.[0-9]+\] |^(SeaBIOS|Booting from|iPXE|qboot)'
	fi
rc=$(cat "$out/vng.rc")
case $rc in
124 | 137) warn "guest did not finish within ${timeout}s (killed)" ;;
255) warn "guest died without an exit status (panic?); console: $out/console.log" ;;
esac
if [ -f "$out/dmesg.txt" ]; then
	cp "$out/dmesg.txt" "$LOGS/dmesg-last.txt"
else
	# Fall back to the console log, which has the kernel's messages.
	grep -E '^\[ *[0-9]+\.[0-9]+\] ' "$out/console.log" >"$LOGS/dmesg-last.txt" || true
fi
exit "$rc"
