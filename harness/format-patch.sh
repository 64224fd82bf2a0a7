#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make format-patch`: write the series as mail-ready patches, with a cover
# letter filled in from patches/cover-letter.txt, to out/ (or $PATCH_OUT).
# Extra arguments go to git format-patch, e.g. `--rfc -v2`.  Prints the
# patch files, one per line.
. "$(dirname "$0")/lib.sh"

OUT=${PATCH_OUT:-$REPO/out}
# The cover letter is "From:" the committer; use the identity of the series
# (as prepare-tree.sh does) rather than whatever git is configured with.
export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-Rust RAMFS Developers}"
export GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-rust-ramfs@lists.invalid}"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
COVER=$REPO/patches/cover-letter.txt

"$REPO/harness/prepare-tree.sh"

[ -f "$COVER" ] || die "missing $COVER"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Subject: the first non-comment, non-empty line; body: what follows the
# blank line after it.
sed -e '/^#/d' "$COVER" | awk -v subj="$tmp/subject" -v body="$tmp/body" '
	state == 0 && NF { print > subj; state = 1; next }
	state == 1 && !NF { state = 2; next }
	state == 1 { print > subj; next }
	state == 2 { print > body }
'
[ -s "$tmp/subject" ] || die "$COVER: no subject line"
[ "$(wc -l <"$tmp/subject")" -eq 1 ] || die "$COVER: the subject must be one line followed by a blank line"
touch "$tmp/body"

mkdir -p "$OUT"
rm -f "$OUT"/*.patch
git -C "$TREE" format-patch -q --cover-letter -o "$OUT" "$@" refs/tags/pristine..series ||
	die "git format-patch failed"

cl=$(ls "$OUT"/0000-cover-letter.patch "$OUT"/v*-0000-cover-letter.patch 2>/dev/null | head -n1)
[ -n "$cl" ] || die "git format-patch wrote no cover letter"
awk -v subj="$(cat "$tmp/subject")" -v body="$tmp/body" '
	!done_subj && /^Subject: / && (i = index($0, "*** SUBJECT HERE ***")) {
		$0 = substr($0, 1, i - 1) subj substr($0, i + length("*** SUBJECT HERE ***"))
		done_subj = 1
	}
	!done_body && $0 == "*** BLURB HERE ***" {
		while ((getline l < body) > 0)
			print l
		done_body = 1
		next
	}
	{ print }
	END { if (!done_subj || !done_body) exit 1 }
' "$cl" >"$tmp/cover" || die "could not fill in the cover letter $cl"
cat "$tmp/cover" >"$cl"

ls "$OUT"/*.patch
