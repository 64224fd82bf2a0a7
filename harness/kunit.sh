#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make kunit`: the standard kunit.py run in the prepared tree.
. "$(dirname "$0")/lib.sh"

"$REPO/harness/setup.sh"
"$REPO/harness/prepare-tree.sh"
kc=${KUNITCONFIG:-}
if [ -z "$kc" ]; then
	kc=rust
	[ -f "$TREE/fs/rust_ramfs/.kunitconfig" ] && kc=fs/rust_ramfs
fi
set -- python3 tools/testing/kunit/kunit.py run --arch=x86_64 \
	--build_dir="$CACHE/kunit-build" --make_options "LLVM=$LLVM_SUFFIX" \
	--kunitconfig="$kc" --jobs="$(nproc)" "$@"
cd "$TREE"
if grep -qwE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ]; then
	exec "$@"
fi
# KVM is unusable here: hide /dev/kvm so QEMU falls back to TCG.
[ -e /dev/kvm ] || exec "$@"
exec unshare -m sh -c 'mount --bind /dev/null /dev/kvm && exec "$@"' sh "$@"
