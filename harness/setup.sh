#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install what the harness needs, idempotently: Debian packages, rust-src,
# bindgen-cli and virtme-ng (in a venv under the cache directory).
. "$(dirname "$0")/lib.sh"

PKGS="clang-19 lld-19 llvm-19 libclang-19-dev flex bison bc libelf-dev
libssl-dev cpio python3-venv qemu-system-x86 udev kmod busybox-static
xz-utils rsync make gcc libc6-dev git ca-certificates e2fsprogs attr acl
stress-ng python3-ply python3-git python3-matplotlib"

missing=
for p in $PKGS; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $s in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo "$@"
	else
		die "need root to install packages; run: sudo $*"
	fi
}

if [ -n "$missing" ]; then
	msg "installing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	if ! as_root apt-get install -y -q --no-install-recommends $missing \
		>"$LOGS/apt.log" 2>&1; then
		as_root apt-get update -q >>"$LOGS/apt.log" 2>&1 ||
			die "apt-get update failed, see $LOGS/apt.log"
		# shellcheck disable=SC2086
		as_root apt-get install -y -q --no-install-recommends $missing \
			>>"$LOGS/apt.log" 2>&1 ||
			die "apt-get install failed, see $LOGS/apt.log"
	fi
fi

command -v rustup >/dev/null || die "rustup not found; install Rust with rustup first"
if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
	msg "adding rustup component rust-src"
	rustup component add rust-src >"$LOGS/rustup.log" 2>&1 ||
		die "rustup component add rust-src failed, see $LOGS/rustup.log"
fi

if [ "$(bindgen --version 2>/dev/null)" != "bindgen $BINDGEN_VERSION" ]; then
	msg "installing bindgen-cli $BINDGEN_VERSION from crates.io (about 2 min)"
	run_logged "$LOGS/bindgen-install.log" \
		cargo install --locked --force --version "$BINDGEN_VERSION" bindgen-cli
fi

if [ "$("$VENV/bin/vng" --version 2>/dev/null | awk '{print $2}')" != "$VNG_VERSION" ]; then
	msg "installing virtme-ng $VNG_VERSION from PyPI into $VENV"
	py=/usr/bin/python3
	[ -x "$py" ] || py=python3
	"$py" -m venv "$VENV" >"$LOGS/venv.log" 2>&1 ||
		die "python3 -m venv failed, see $LOGS/venv.log"
	"$VENV/bin/pip" install -q "virtme-ng==$VNG_VERSION" >>"$LOGS/venv.log" 2>&1 ||
		die "pip install virtme-ng failed, see $LOGS/venv.log"
fi

for t in clang$LLVM_SUFFIX ld.lld$LLVM_SUFFIX bindgen vng rustc qemu-system-x86_64; do
	command -v "$t" >/dev/null || die "missing tool after setup: $t"
done
