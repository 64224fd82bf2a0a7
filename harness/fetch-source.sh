#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Download Debian's linux-source-7.2 with a private apt configuration (the
# machine's /etc/apt is not touched), verify it and cache the tarball.
# Prints the path of the cached tarball on stdout.
. "$(dirname "$0")/lib.sh"

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITES=${DEBIAN_SUITES:-"sid forky trixie-backports"}
APTDIR=$CACHE/apt
SRCDIR=$CACHE/source
mkdir -p "$APTDIR/lists/partial" "$APTDIR/archives/partial" "$SRCDIR"

if [ -f "$SRCDIR/version" ] && [ -f "$SRCDIR/linux-source-$KERNEL_SERIES.tar.xz" ] &&
	[ -f "$SRCDIR/tarball.sha256" ] &&
	(cd "$SRCDIR" && sha256sum -c --status tarball.sha256); then
	echo "$SRCDIR/linux-source-$KERNEL_SERIES.tar.xz"
	exit 0
fi

: >"$APTDIR/sources.list"
for s in $SUITES; do
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $s main" \
		>>"$APTDIR/sources.list"
done
mkdir -p "$APTDIR/empty.d" "$APTDIR/prefs.d"

apt_priv() {
	_cmd=apt-get
	[ "$1" = policy ] && _cmd=apt-cache
	$_cmd -q \
		-o Dir::Etc::SourceList="$APTDIR/sources.list" \
		-o Dir::Etc::SourceParts="$APTDIR/empty.d" \
		-o Dir::Etc::PreferencesParts="$APTDIR/prefs.d" \
		-o Dir::State::Lists="$APTDIR/lists" \
		-o Dir::Cache::Archives="$APTDIR/archives" \
		-o Dir::Cache::pkgcache="" -o Dir::Cache::srcpkgcache="" \
		-o APT::Get::List-Cleanup=0 \
		-o Debug::NoLocking=1 \
		-o APT::Sandbox::User=root \
		"$@"
}

msg "updating private apt lists ($SUITES) in $APTDIR"
apt_priv update >"$LOGS/apt-source.log" 2>&1 ||
	die "apt-get update with the private configuration failed, see $LOGS/apt-source.log"

pkg=linux-source-$KERNEL_SERIES
ver=$(apt_priv policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
[ -n "$ver" ] && [ "$ver" != "(none)" ] ||
	die "$pkg not found in $SUITES at $MIRROR"
msg "downloading $pkg $ver (about 150 MB)"
(cd "$APTDIR/archives" && apt_priv download "$pkg=$ver") >>"$LOGS/apt-source.log" 2>&1 ||
	die "apt-get download $pkg=$ver failed, see $LOGS/apt-source.log"
deb=$(ls -t "$APTDIR/archives/${pkg}_"*.deb | head -n1)

# apt-get download verified the .deb against the signed Release file's
# hashes; record the hash of the .deb too.
sha256sum "$deb" >"$SRCDIR/deb.sha256"
msg "extracting the tarball from $(basename "$deb")"
rm -rf "$SRCDIR/x"
mkdir -p "$SRCDIR/x"
dpkg-deb -x "$deb" "$SRCDIR/x"
tb=$(find "$SRCDIR/x" -name "linux-source-$KERNEL_SERIES.tar.*" | head -n1)
[ -n "$tb" ] || die "no linux-source tarball inside $deb"
xz -t "$tb" || die "corrupt tarball in $deb"
mv "$tb" "$SRCDIR/linux-source-$KERNEL_SERIES.tar.xz"
rm -rf "$SRCDIR/x"
(cd "$SRCDIR" && sha256sum "linux-source-$KERNEL_SERIES.tar.xz" >tarball.sha256)
echo "$ver" >"$SRCDIR/version"
msg "kernel source: $pkg $ver"
echo "$SRCDIR/linux-source-$KERNEL_SERIES.tar.xz"
