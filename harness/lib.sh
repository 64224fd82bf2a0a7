# SPDX-License-Identifier: GPL-2.0
# Common settings and helpers for the rust_ramfs harness (POSIX sh).

set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${RUST_RAMFS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rust-ramfs}
TREE=${RUST_RAMFS_TREE:-$CACHE/linux}
# The kernel to build and boot: "test" (make test, make run: KUnit and the
# debugging options) or "perf" (make bench: without them), each configured
# from its fragments in harness/config and built in a directory of its own.
FLAVOUR=${RUST_RAMFS_FLAVOUR:-test}
case $FLAVOUR in
test)
	BUILD=${RUST_RAMFS_BUILD:-$CACHE/build}
	CONFIG_FRAGMENTS="base rust_ramfs test"
	;;
perf)
	BUILD=${RUST_RAMFS_BUILD:-$CACHE/build-perf}
	CONFIG_FRAGMENTS="base rust_ramfs perf"
	;;
*)
	printf 'error: RUST_RAMFS_FLAVOUR=%s: not test or perf\n' "$FLAVOUR" >&2
	exit 1
	;;
esac
LOGS=$CACHE/logs
VENV=$CACHE/venv
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}

# Pinned tool versions.
BINDGEN_VERSION=0.73.2
VNG_VERSION=1.42
LLVM_SUFFIX=-19
KERNEL_SERIES=7.2

export LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm${LLVM_SUFFIX}/lib}
export PATH="$VENV/bin:$CARGO_HOME/bin:/usr/lib/llvm${LLVM_SUFFIX}/bin:$PATH"

KMAKE="make -C $TREE O=$BUILD LLVM=$LLVM_SUFFIX -j$(nproc)"

msg() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

mkdir -p "$CACHE" "$LOGS" "$CACHE/tmp"
# Temporary files stay in the cache too.
export TMPDIR="$CACHE/tmp"

# Seconds since the epoch, for timing steps.
now() { date +%s; }

# Run a long command with its output in a log file, showing a compact
# progress counter of the lines that look like build steps.
run_logged() {
	_log=$1
	shift
	msg "log: $_log"
	"$@" >"$_log" 2>&1 &
	_pid=$!
	_start=$(now)
	if [ -t 2 ]; then
		while kill -0 "$_pid" 2>/dev/null; do
			_n=$(grep -cE '^  [A-Z]' "$_log" 2>/dev/null || true)
			printf '\r    %s steps, %ss ' "$_n" $(($(now) - _start)) >&2
			sleep 5
		done
		printf '\n' >&2
	else
		_last=0
		while kill -0 "$_pid" 2>/dev/null; do
			sleep 5
			_t=$(($(now) - _start))
			if [ $((_t - _last)) -ge 60 ]; then
				_last=$_t
				_n=$(grep -cE '^  [A-Z]' "$_log" 2>/dev/null || true)
				printf '    %s steps, %ss\n' "$_n" "$_t" >&2
			fi
		done
	fi
	_rc=0
	wait "$_pid" || _rc=$?
	if [ "$_rc" -ne 0 ]; then
		tail -n 40 "$_log" >&2
		die "command failed ($_rc), full log: $_log"
	fi
}

# The clock of a measuring boot (make bench, make soak's scale run): with KVM,
# real time on VNG_CPUS (default 2) vCPUs; without, one vCPU under QEMU's
# -icount shift=0,sleep=off, so that in-guest nanoseconds are executed
# instructions, repeatable whatever else the host runs.  Sets $timing to
# kvm or icount and exports the VNG_* settings for boot.sh.
measuring_boot() {
	if grep -qwE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ] && [ "${VNG_KVM:-auto}" != 0 ]; then
		timing=kvm
		export VNG_CPUS=${VNG_CPUS:-2}
	else
		timing=icount
		export VNG_KVM=0 VNG_CPUS=1 VNG_QEMU_OPTS="-icount shift=0,sleep=off"
	fi
}
