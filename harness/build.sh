#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Configure and build the prepared kernel tree out of tree (O=), with the
# series applied, incrementally.
. "$(dirname "$0")/lib.sh"

[ "${SKIP_SETUP:-0}" = 1 ] || "$REPO/harness/setup.sh"
"$REPO/harness/prepare-tree.sh"
mkdir -p "$BUILD"

# Configuration: allnoconfig + our fragments.  Symbols that do not survive
# (unknown or with unmet dependencies) are an error.
frag=$CACHE/fragment-$FLAVOUR.config
for f in $CONFIG_FRAGMENTS; do cat "$REPO/harness/config/$f.config"; done >"$frag"
[ -z "${EXTRA_CONFIG:-}" ] || printf '%s\n' $EXTRA_CONFIG >>"$frag"
cp "$BUILD/.config" "$CACHE/config.old" 2>/dev/null || : >"$CACHE/config.old"
$KMAKE KCONFIG_ALLCONFIG="$frag" allnoconfig >"$LOGS/config.log" 2>&1 ||
	{ tail -n 20 "$LOGS/config.log" >&2; die "configuration failed, see $LOGS/config.log"; }
bad=
while IFS= read -r l; do
	case $l in
	CONFIG_*=n) grep -q "^${l%=n}=" "$BUILD/.config" && bad="$bad $l" ;;
	CONFIG_*=*) grep -qx "$l" "$BUILD/.config" || bad="$bad $l" ;;
	esac
done <"$frag"
[ -z "$bad" ] || die "config options that did not survive allnoconfig:$bad (see $BUILD/.config)"
if ! cmp -s "$CACHE/config.old" "$BUILD/.config"; then
	msg "configuration changed ($(grep -c '^CONFIG' "$BUILD/.config") options set)"
fi

# Nothing to do when the prepared tree, the configuration and the harness's
# build steps are what the last successful build used.
stamp=$(printf '%s\n' "$(git -C "$TREE" rev-parse 'HEAD^{tree}')" \
	"$(sha256sum <"$BUILD/.config")" "$(sha256sum <"$0")" | sha256sum | cut -c1-32)
if [ -f "$BUILD/arch/x86/boot/bzImage" ] && [ "$(cat "$BUILD/.rust-ramfs-stamp" 2>/dev/null)" = "$stamp" ] &&
	[ "${FORCE_BUILD:-0}" != 1 ]; then
	msg "kernel up to date: $(cat "$BUILD/include/config/kernel.release") (FORCE_BUILD=1 to run make anyway)"
	exit 0
fi
rm -f "$BUILD/.rust-ramfs-stamp"

t0=$(now)
msg "building the $FLAVOUR kernel in $BUILD"
if [ "$FLAVOUR" = perf ]; then
	# make bench needs the kernel and its modules only.
	run_logged "$LOGS/build-perf.log" $KMAKE bzImage modules
else
	run_logged "$LOGS/build.log" $KMAKE bzImage modules
	run_logged "$LOGS/headers.log" $KMAKE headers
	if [ -d "$TREE/tools/testing/selftests/rust_ramfs" ]; then
		run_logged "$LOGS/kselftest.log" make -C "$TREE/tools/testing/selftests" \
			TARGETS=rust_ramfs O="$BUILD"
	fi
fi
echo "$stamp" >"$BUILD/.rust-ramfs-stamp"
msg "kernel built in $(($(now) - t0))s: $(cat "$BUILD/include/config/kernel.release")"
