#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Prepare the kernel tree in the cache: a git repository whose first commit
# is the pristine source and whose following commits are this repository's
# series (patches/series).  Re-running re-creates the series commits in a
# private index and checks out only the files that changed, so the next
# build is incremental.
. "$(dirname "$0")/lib.sh"

G="git -C $TREE"
# One preparation at a time (make bench and make test may run side by side).
exec 9>"$CACHE/prepare.lock"
flock 9
export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-Rust RAMFS Developers}"
export GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-rust-ramfs@lists.invalid}"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"

check_tree_version() {
	_v=$(make -s -C "$1" kernelversion 2>/dev/null) ||
		die "$1 is not a kernel tree (make kernelversion failed)"
	case $_v in
	"$KERNEL_SERIES" | "$KERNEL_SERIES".*) echo "$_v" ;;
	*) die "$1 is Linux $_v, not a $KERNEL_SERIES tree" ;;
	esac
}

if [ -n "${KERNEL_SRC:-}" ]; then
	[ -d "$KERNEL_SRC" ] || die "KERNEL_SRC=$KERNEL_SRC is not a directory"
	[ -f "$KERNEL_SRC/Makefile" ] && [ -f "$KERNEL_SRC/Kconfig" ] ||
		die "KERNEL_SRC=$KERNEL_SRC is not a kernel tree (no Makefile/Kconfig)"
	srcver=$(check_tree_version "$KERNEL_SRC")
	origin="KERNEL_SRC=$(cd "$KERNEL_SRC" && pwd) ($srcver)"
else
	tarball=$("$REPO/harness/fetch-source.sh")
	srcver=$(cat "$CACHE/source/version")
	origin="Debian linux-source-$KERNEL_SERIES $srcver"
fi

# (Re)create the pristine commit when the source changed.
stamp="$origin $(cat "$CACHE/source/tarball.sha256" 2>/dev/null | cut -c1-16)"
[ -n "${KERNEL_SRC:-}" ] && stamp=$origin
if [ ! -d "$TREE/.git" ] || [ "$($G config --get rustramfs.origin 2>/dev/null)" != "$stamp" ] ||
	! $G rev-parse -q --verify refs/tags/pristine >/dev/null; then
	msg "preparing pristine tree in $TREE from $origin"
	rm -rf "$TREE" "$BUILD"
	mkdir -p "$TREE"
	if [ -n "${KERNEL_SRC:-}" ]; then
		(cd "$KERNEL_SRC" && git ls-files -z 2>/dev/null | grep -qz . &&
			git archive --format=tar HEAD || tar --exclude=.git -cf - .) |
			tar -xf - -C "$TREE"
	else
		msg "extracting $(basename "$tarball") (about 1 min)"
		tar -xJf "$tarball" -C "$TREE" --strip-components=1
	fi
	check_tree_version "$TREE" >/dev/null
	$G init -q -b series
	$G config core.autocrlf false
	$G config gc.auto 0
	msg "committing pristine source (about 1 min)"
	$G add -A -f . >/dev/null
	$G commit -q -m "Linux $srcver ($origin)" --no-verify
	$G tag -f pristine >/dev/null
	$G config rustramfs.origin "$stamp"
	echo "$srcver" >"$CACHE/kernel-version"
fi

# Build the series commits on top of pristine in a private index.
idx=$CACHE/series.index
rm -f "$idx"
export GIT_INDEX_FILE="$idx"
$G read-tree refs/tags/pristine
parent=$($G rev-parse refs/tags/pristine)
n=0
msgfile=
items=

commit_step() {
	[ -n "$msgfile" ] || return 0
	n=$((n + 1))
	for it in $items; do
		case $it in
		patch:*)
			p=${it#patch:}
			[ -f "$REPO/$p" ] || die "series: missing patch $p"
			if ! $G apply --cached --whitespace=nowarn "$REPO/$p" 2>"$LOGS/apply.err"; then
				cat "$LOGS/apply.err" >&2
				die "series does not apply: patch $p (commit $n, $(head -n1 "$REPO/$msgfile")); files: $(grep '^+++ ' "$REPO/$p" | sed 's,^+++ b/,,' | tr '\n' ' ')"
			fi
			;;
		file:*)
			f=${it#file:}
			[ -e "$REPO/$f" ] || die "series: missing file $f"
			for ff in $(cd "$REPO" && git ls-files --cached --others --exclude-standard -- "$f"); do
				[ -f "$REPO/$ff" ] || continue
				h=$($G hash-object -w --no-filters "$REPO/$ff")
				m=100644
				[ -x "$REPO/$ff" ] && m=100755
				$G update-index --add --cacheinfo "$m,$h,$ff"
			done
			;;
		esac
	done
	tree=$($G write-tree)
	parent=$(sed -e '/^#/d' "$REPO/$msgfile" | $G commit-tree "$tree" -p "$parent")
	msgfile=
	items=
}

if [ -f "$REPO/patches/series" ]; then
	while read -r kw arg; do
		case $kw in
		'' | '#'*) continue ;;
		commit) commit_step; msgfile=$arg ;;
		file | patch)
			[ -n "$msgfile" ] || die "series: '$kw $arg' before any 'commit'"
			items="$items $kw:$arg" ;;
		*) die "series: unknown keyword '$kw'" ;;
		esac
	done <"$REPO/patches/series"
	commit_step
fi
unset GIT_INDEX_FILE
rm -f "$idx"

# Move the work tree to the new series head, touching only changed files.
old=$($G rev-parse -q --verify HEAD 2>/dev/null || true)
if [ "$($G rev-parse "$parent^{tree}")" != "$($G rev-parse -q --verify "HEAD^{tree}" 2>/dev/null)" ] ||
	[ -n "$($G status --porcelain --untracked-files=no 2>/dev/null | head -n1)" ]; then
	$G checkout -q -B series "$parent" 2>/dev/null || $G reset -q --hard "$parent"
	$G reset -q --hard "$parent"
	changed=$($G diff --name-only "$old" "$parent" 2>/dev/null | wc -l)
	msg "prepared tree: $n series commits on $srcver, $changed files changed"
else
	$G update-ref refs/heads/series "$parent"
fi
