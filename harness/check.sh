#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make check`: the checks a maintainer runs on the series before applying
# it.  Each check prints PASS, FAIL or SKIP; the exit status is 1 if any
# failed.
#
#   checkpatch   scripts/checkpatch.pl --strict on every patch of
#                format-patch.sh (not the cover letter)
#   rustfmt      make rustfmtcheck (no .config needed), counting only the
#                files of the series
#   clippy       make CLIPPY=1 fs/rust_ramfs/rust_ramfs.o in the build
#                directory; warnings located in files of the series
#   rustdoc      make rustdoc in the build directory; same
#   no-unsafe    fs/rust_ramfs and the rofs sample use neither `unsafe` nor `bindings::`
#   safety       every `unsafe {` / `unsafe impl` in rust/kernel/fs follows a
#                comment block that starts with `// SAFETY:` (harness/check_safety.py
#                --strict)
#
# clippy and rustdoc need a configured build directory (`make build`) and
# run only with CHECK_BUILD=1 (the default).  Building with CLIPPY=1
# changes the command line of every Rust object, so the next `make build`
# recompiles the Rust code once more.
. "$(dirname "$0")/lib.sh"

CHECK_BUILD=${CHECK_BUILD:-1}
nfail=0
nchecks=0

pass() {
	nchecks=$((nchecks + 1))
	printf 'PASS  %s\n' "$*"
}
fail() {
	nchecks=$((nchecks + 1))
	nfail=$((nfail + 1))
	printf 'FAIL  %s\n' "$*"
}
skip() { printf 'SKIP  %s\n' "$*"; }
# Indent details under a PASS/FAIL line.
detail() { sed -e 's/^/      /'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# format-patch.sh runs prepare-tree.sh, so the tree is at the current series.
patches=$("$REPO/harness/format-patch.sh") || die "format-patch.sh failed"
G="git -C $TREE"
$G diff --name-only refs/tags/pristine series >"$tmp/series-files"
$G diff --name-only refs/tags/pristine series -- '*.rs' >"$tmp/series-rs"

# --- checkpatch ------------------------------------------------------------
# New files make checkpatch ask whether MAINTAINERS needs updating in every
# patch that adds some; when the series itself updates MAINTAINERS (in its
# own patch, as usual), that question is answered.
cp_opts="--strict -q"
if grep -qx MAINTAINERS "$tmp/series-files"; then
	cp_opts="$cp_opts --ignore FILE_PATH_CHANGES"
fi
# checkpatch validates SPDX identifiers with scripts/spdxcheck.py, which
# needs python3-ply; without it every file prints a traceback and the
# identifier is accepted.
# Debian's python3 has them (python3-ply, python3-git from make setup); a
# python3 earlier in PATH (pyenv, venv) may not.
[ -x /usr/bin/python3 ] && PATH="/usr/bin:$PATH"
ply=1
python3 -c 'import ply, git' 2>/dev/null || ply=0
for p in $patches; do
	case ${p##*/} in
	0000-* | v*-0000-*) continue ;;
	esac
	rc=0
	(cd "$TREE" && ./scripts/checkpatch.pl $cp_opts "$p") >"$tmp/cp.out" 2>"$tmp/cp.err" || rc=$?
	if [ "$ply" = 0 ]; then
		grep -vE '^Traceback |^  File ".*spdxcheck\.py"|^    from ply import|^ModuleNotFoundError: No module named .ply.' \
			"$tmp/cp.err" >"$tmp/cp.err2" || true
		mv "$tmp/cp.err2" "$tmp/cp.err"
	fi
	if [ "$rc" -eq 0 ] && [ ! -s "$tmp/cp.err" ]; then
		pass "checkpatch ${p##*/}"
	else
		fail "checkpatch ${p##*/}"
		cat "$tmp/cp.out" "$tmp/cp.err" | detail
	fi
done
[ "$ply" = 1 ] || warn "python3 ply is missing: checkpatch did not validate SPDX identifiers (apt-get install python3-ply)"

# --- rustfmt ---------------------------------------------------------------
# Prints FILE:LINE for each "Diff in" of rustfmt --check output (both the
# current "Diff in F:N:" and the older "Diff in F at line N:" forms), with
# the tree's path removed.
rustfmt_diffs() {
	sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\x1b(B//g' "$1" |
		sed -n -E 's/^Diff in (.*)( at line |:)([0-9]+):$/\1:\3/p' |
		sed -e "s|^$TREE/||" -e 's|^\./||' | sort -u -t: -k1,1 -k2,2n
}
log=$LOGS/check-rustfmt.log
rc=0
make -C "$TREE" LLVM="$LLVM_SUFFIX" O="$CACHE/build-rustfmt" rustfmtcheck >"$log" 2>&1 || rc=$?
rustfmt_diffs "$log" >"$tmp/fmt-all"
: >"$tmp/fmt-ours"
: >"$tmp/fmt-other"
how="make rustfmtcheck"
if [ "$rc" -ne 0 ] && [ ! -s "$tmp/fmt-all" ]; then
	# The target itself failed: check the files of the series directly.
	how="rustfmt --check on the series' files (make rustfmtcheck failed, see $log)"
	rc=0
	(cd "$TREE" && xargs rustfmt --check --edition 2021 --config-path .rustfmt.toml \
		<"$tmp/series-rs") >>"$log" 2>&1 || rc=$?
	rustfmt_diffs "$log" >"$tmp/fmt-all"
	if [ "$rc" -ne 0 ] && [ ! -s "$tmp/fmt-all" ]; then
		# Not a formatting difference: a parse error or a missing rustfmt.
		echo "(rustfmt failed, see $log)" >"$tmp/fmt-all"
		tail -n 10 "$log" | sed -e 's/^/(rustfmt) /' >>"$tmp/fmt-all"
		cp "$tmp/fmt-all" "$tmp/fmt-ours"
	fi
fi
# rustfmt follows `mod` declarations, so files outside the series may show
# up; only the series' files count.
if [ ! -s "$tmp/fmt-ours" ]; then
	awk -F: 'NR == FNR { f[$0] = 1; next } ($1 in f)' "$tmp/series-rs" "$tmp/fmt-all" >"$tmp/fmt-ours"
	awk -F: 'NR == FNR { f[$0] = 1; next } !($1 in f)' "$tmp/series-rs" "$tmp/fmt-all" >"$tmp/fmt-other"
fi
if [ -s "$tmp/fmt-ours" ]; then
	fail "rustfmt ($how): $(wc -l <"$tmp/fmt-ours") places to reformat, diff in $log"
	detail <"$tmp/fmt-ours"
else
	pass "rustfmt ($how)"
fi
if [ -s "$tmp/fmt-other" ]; then
	echo "      (ignored, not files of the series:)"
	detail <"$tmp/fmt-other"
fi

# --- clippy and rustdoc ----------------------------------------------------
# Prints "FILE:LINE:COL: MESSAGE" for each rustc/clippy/rustdoc diagnostic
# (warning or error) whose primary location is a file of the series.
series_diags() {
	awk '
		NR == FNR { f[$0] = 1; next }
		/^(warning|error)(\[[^]]*\])?: / { msg = $0; pending = 1; next }
		pending && /^ *--> / {
			pending = 0
			loc = $0
			sub(/^ *--> /, "", loc)
			path = loc
			sub(/:[0-9]+:[0-9]+$/, "", path)
			for (s in f) {
				if (path == s || substr(path, length(path) - length(s)) == "/" s) {
					print s substr(loc, length(path) + 1) ": " msg
					break
				}
			}
		}
	' "$tmp/series-files" "$1"
}

build_check() { # NAME LOG MAKE-ARGS...
	_name=$1
	_log=$2
	shift 2
	_rc=0
	$KMAKE "$@" >"$_log" 2>&1 || _rc=$?
	series_diags "$_log" >"$tmp/diags"
	_all=$(grep -E '^(warning|error)(\[[^]]*\])?: ' "$_log" |
		grep -cvE '^warning: [0-9]+ warnings? emitted|^error: aborting due to' || true)
	_n=$(wc -l <"$tmp/diags")
	if [ "$_rc" -ne 0 ]; then
		fail "$_name: make failed ($_rc), see $_log"
		{
			cat "$tmp/diags"
			tail -n 20 "$_log"
		} | detail
	elif [ "$_n" -gt 0 ]; then
		fail "$_name: $_n warnings or errors in files of the series ($_all in all), see $_log"
		detail <"$tmp/diags"
	else
		pass "$_name: no warnings in files of the series ($_all elsewhere), log $_log"
	fi
}

if [ "$CHECK_BUILD" = 1 ]; then
	if [ ! -f "$BUILD/.config" ]; then
		fail "clippy: $BUILD is not configured, run 'make build' first"
		fail "rustdoc: $BUILD is not configured, run 'make build' first"
	else
		# CLIPPY=1 changes the command line of the Rust crates, so `prepare`
		# rebuilds the kernel crate (rust/kernel/fs/ included) with
		# clippy-driver before the file system itself.
		rm -f "$BUILD/.rust-ramfs-stamp"
		build_check clippy "$LOGS/check-clippy.log" CLIPPY=1 fs/rust_ramfs/rust_ramfs.o
		build_check rustdoc "$LOGS/check-rustdoc.log" rustdoc
	fi
else
	skip "clippy (CHECK_BUILD=$CHECK_BUILD)"
	skip "rustdoc (CHECK_BUILD=$CHECK_BUILD)"
fi

# --- no unsafe code in the file systems ------------------------------------
if (cd "$REPO" && grep -rn 'bindings::\|unsafe' fs/rust_ramfs samples/rust/rust_rofs.rs) \
	>"$tmp/grep"; then
	fail "no-unsafe: fs/rust_ramfs or samples/rust/rust_rofs.rs use unsafe or bindings::"
	detail <"$tmp/grep"
else
	pass "no-unsafe: fs/rust_ramfs and samples/rust/rust_rofs.rs have no 'unsafe' and no 'bindings::'"
fi

# --- SAFETY comments ---------------------------------------------------------
if (cd "$REPO" && find rust/kernel/fs -name '*.rs' -exec python3 harness/check_safety.py --strict {} +) \
	>"$tmp/safety" 2>&1; then
	pass "safety: every unsafe block and impl in rust/kernel/fs/ follows its // SAFETY: paragraph"
else
	fail "safety: unsafe without a // SAFETY: paragraph right above it"
	detail <"$tmp/safety"
fi

if [ "$nfail" -gt 0 ]; then
	printf '%s of %s checks failed\n' "$nfail" "$nchecks"
	exit 1
fi
printf 'all %s checks passed\n' "$nchecks"
