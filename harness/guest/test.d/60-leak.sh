#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Leak check, run inside the guest: for each file system type, mount it,
# create files with data, unmount, LEAK_ITERS times; then check that the
# dentry and inode slab caches (inode_cache, for both) and the unevictable
# page count are back at their baseline, that kmemleak finds no leaked object allocated by file
# system code and that the kernel log has no new warnings.  TAP on stdout.
#
# Parameters (environment):
#   LEAK_ITERS       mount/fill/unmount iterations per fstype (default 100)
#   LEAK_FILES       files created per iteration (default 1000)
#   LEAK_FSTYPES     file system types (default "ramfs rust_ramfs")
#   LEAK_KMEMLEAK_SCANS  kmemleak scans after each fstype (default 2)
#   LEAK_DIAG        1: flush every slab cache, for the deltas of other caches
#                    (slow; default 1)
#   LEAK_SLAB_TOL    allowed growth of active dentry/inode objects (default 200)
#   LEAK_UNEVICT_TOL allowed growth of Unevictable in KiB (default 1024)
set -u
ITERS=${LEAK_ITERS:-100}
FILES=${LEAK_FILES:-1000}
FSTYPES=${LEAK_FSTYPES:-ramfs rust_ramfs}
SLAB_TOL=${LEAK_SLAB_TOL:-200}
SCANS=${LEAK_KMEMLEAK_SCANS:-2}
DIAG=${LEAK_DIAG:-1}
# Seconds to wait for RCU-deferred frees in each settling round.
SETTLE_SLEEP=$((DIAG + 1))
UNEVICT_TOL=${LEAK_UNEVICT_TOL:-1024}
# The slab caches counted for a file system type.
caches_of() {
	echo "dentry inode_cache"
}
. "$(dirname "$0")/../lib.sh"
KMEMLEAK=/sys/kernel/debug/kmemleak
# kmemleak backtraces of file system code: a leak with one of these in its
# backtrace fails the test (every new leak is printed anyway).
FS_RE='ramfs|RamFs|[^a-z_]d_alloc|__d_alloc|d_make_persistent|alloc_inode|new_inode|inode_init|simple_[a-z_]+|alloc_super|sget_fc|vfs_get_tree|get_tree_nodev|do_new_mount|path_mount|fs_context|vfs_parse_fs|fsconfig|do_mkdirat|vfs_mkdir|vfs_create|lookup_open|generic_perform_write|__filemap_add_folio|filemap_add_folio|security_inode_init|shrink_dcache|kill_litter_super|generic_shutdown_super|deactivate_locked_super'
# ... unless it is clearly 9p/overlayfs (the guest's root file system).
FS_NOISE_RE='v9fs|p9_|netfs|ovl_'

nfs=$(echo $FSTYPES | wc -w)
tap_plan $((nfs * 6))

tmp=$(mktemp -d /tmp/leak.XXXXXX)
mnt=$tmp/mnt
mkdir -p "$mnt"
trap 'umount "$mnt" 2>/dev/null; rm -rf "$tmp"' EXIT

modprobe rust_ramfs 2>&1 | comment
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug 2>/dev/null
[ -w "$KMEMLEAK" ] || echo "# $KMEMLEAK not available: kmemleak checks skipped"

# The mount/fill/unmount loop: python3 (one process, mount(2) through ctypes)
# is much faster than a shell loop under TCG.
cat >"$tmp/loop.py" <<'EOF'
import ctypes, os, sys, time
fstype, mnt, iters, nfiles = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
libc = ctypes.CDLL(None, use_errno=True)

def check(rc, what):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")

# rust_ramfs also gets extended attributes, to check that they are freed.
xattrs = fstype == "rust_ramfs"
opts = b"xattr" if xattrs else None

def mount():
    check(libc.mount(fstype.encode(), mnt.encode(), fstype.encode(), 0, opts), "mount")

def umount():
    check(libc.umount2(mnt.encode(), 0), "umount")

ndirs = 10
pattern = bytes((i * 7 + 3) & 0xff for i in range(4096))
times = []
for it in range(iters):
    t0 = time.monotonic()
    mount()
    try:
        for d in range(ndirs):
            os.mkdir(f"{mnt}/d{d}", 0o755)
        for i in range(nfiles):
            # 1 KiB .. 4 KiB of data per file.
            size = 1024 + (i * 997 + it) % 3073
            fd = os.open(f"{mnt}/d{i % ndirs}/file{i}", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            try:
                if os.write(fd, pattern[:size]) != size:
                    raise OSError(f"short write to file{i}")
            finally:
                os.close(fd)
            if xattrs and i % 3 == 0:
                os.setxattr(f"{mnt}/d{i % ndirs}/file{i}", "user.i", pattern[:i % 200])
        names = sum(len(os.listdir(f"{mnt}/d{d}")) for d in range(ndirs))
        if names != nfiles:
            raise OSError(f"iteration {it}: readdir found {names} files, created {nfiles}")
        # Read back a few files, unlink every 10th file (the rest go with
        # the unmount) and remove an empty directory.
        for i in range(0, nfiles, 97):
            size = 1024 + (i * 997 + it) % 3073
            with open(f"{mnt}/d{i % ndirs}/file{i}", "rb") as f:
                if f.read() != pattern[:size]:
                    raise OSError(f"iteration {it}: file{i} has wrong contents")
        for i in range(0, nfiles, 10):
            os.unlink(f"{mnt}/d{i % ndirs}/file{i}")
        os.mkdir(f"{mnt}/d0/empty")
        os.rmdir(f"{mnt}/d0/empty")
    finally:
        umount()
    times.append(time.monotonic() - t0)
    if (it + 1) % 10 == 0 or it + 1 == iters:
        print(f"{fstype}: {it + 1}/{iters} iterations, last {times[-1]:.2f} s", file=sys.stderr, flush=True)
if times:
    print(f"{fstype}: per iteration min {min(times):.2f} s, "
          f"avg {sum(times) / len(times):.2f} s, max {max(times):.2f} s")
EOF

# Lists the kmemleak report blocks; "relevant" ones (file system code in
# the backtrace) are counted on the last line as "relevant N".
cat >"$tmp/kmemleak.py" <<'EOF'
import re, sys
fs_re, noise_re = re.compile(sys.argv[1]), re.compile(sys.argv[2])
text = open(sys.argv[3], errors="replace").read()
blocks = [b for b in re.split(r"(?m)^(?=unreferenced object)", text) if b.strip()]
relevant = 0
for b in blocks:
    fs = bool(fs_re.search(b)) and not (noise_re.search(b) and not re.search("ramfs", b))
    relevant += fs
    print(("[file system] " if fs else "[other] ") + b.rstrip().replace("\n", "\n    "))
print(f"relevant {relevant} of {len(blocks)}")
EOF

slab_active() { awk -v c="$1" '$1 == c { print $2; exit }' /proc/slabinfo; }
meminfo() { awk -v k="$1:" '$1 == k { print $2; exit }' /proc/meminfo; }
kmemleak_scan() {
	_t=$(date +%s)
	echo scan >"$KMEMLEAK"
	echo "# kmemleak scan took $(($(date +%s) - _t)) s"
}

# Sync, drop the caches, wait for RCU-deferred frees and flush the per-CPU
# slabs and the KASAN quarantine of the caches we count; repeat until the
# counts stop falling (evicting dentries frees inodes only in later rounds).
settle() {
	# All caches first, for the diagnostic deltas: most objects freed
	# during the loop sit in the KASAN quarantine until then.  (This
	# instantiates sysfs inodes that the rounds below drop again.)
	if [ "$DIAG" = 1 ]; then
		for _c in /sys/kernel/slab/*/shrink; do
			echo 1 >"$_c" 2>/dev/null
		done
	fi
	_prev=
	for _i in 1 2 3 4 5 6; do
		sync
		echo 3 >/proc/sys/vm/drop_caches
		sleep "$SETTLE_SLEEP"
		for _c in $CACHES; do
			echo 1 >"/sys/kernel/slab/$_c/shrink" 2>/dev/null
		done
		_cur=$(for _c in $CACHES; do slab_active "$_c"; done | tr '\n' ' ')
		[ "$_cur" = "$_prev" ] && break
		if [ -n "$_prev" ]; then
			# Stable within 10 objects per cache is good enough.
			echo "$_prev $_cur" | awk '{ n = NF / 2; for (i = 1; i <= n; i++)
				if ($i - $(i + n) > 10) exit 1 }' && break
		fi
		_prev=$_cur
	done
	echo "# settled after $_i rounds: $CACHES = $_cur"
}

# Forget the leaks suspected before we start (boot, earlier tests).
if [ -w "$KMEMLEAK" ]; then
	kmemleak_scan
	echo clear >"$KMEMLEAK"
fi

for fs in $FSTYPES; do
	CACHES=$(caches_of "$fs")
	if ! grep -qw "$fs" /proc/filesystems; then
		for t in loop slab-dentry slab-inode_cache unevictable kmemleak dmesg; do
			nok "$fs.$t # $fs not in /proc/filesystems"
		done
		continue
	fi
	# Warm up (first mount of a type allocates once), then take the baseline.
	"$PY" "$tmp/loop.py" "$fs" "$mnt" 1 10 >/dev/null 2>&1
	settle
	dmesg_start=$(dmesg | wc -l)
	for c in $CACHES; do eval "base_$c=\$(slab_active $c)"; done
	base_unev=$(meminfo Unevictable)
	base_free=$(meminfo MemFree)
	cp /proc/slabinfo "$tmp/slab0"

	t0=$(date +%s)
	if "$PY" "$tmp/loop.py" "$fs" "$mnt" "$ITERS" "$FILES" >"$tmp/loop.out" 2>"$tmp/loop.err"; then
		loop_ok=1
	else
		loop_ok=0
	fi
	t1=$(date +%s)
	comment <"$tmp/loop.out"
	echo "# $fs: $ITERS iterations x $FILES files took $((t1 - t0)) s"
	if [ $loop_ok = 1 ]; then
		ok "$fs.loop"
	else
		tail -n 20 "$tmp/loop.err" | comment
		umount "$mnt" 2>/dev/null
		nok "$fs.loop"
	fi

	settle
	cp /proc/slabinfo "$tmp/slab1"
	for c in $CACHES; do
		eval "b=\$base_$c"
		a=$(slab_active "$c")
		d=$((a - b))
		msg="$fs.slab-$c # active objects $b -> $a (delta $d, tolerance $SLAB_TOL)"
		if [ "$d" -le "$SLAB_TOL" ]; then ok "$msg"; else nok "$msg"; fi
	done
	# The other caches that changed, for diagnosis.
	awk 'FNR == 1 { f++ } FNR > 2 && f == 1 { a[$1] = $2 } FNR > 2 && f == 2 {
		d = $2 - a[$1]; if (d > 100 || d < -100) printf "%s %d -> %d (%+d)\n", $1, a[$1], $2, d }' \
		"$tmp/slab0" "$tmp/slab1" | sort | sed "s/^/# $fs: slab /"
	unev=$(meminfo Unevictable)
	free=$(meminfo MemFree)
	echo "# $fs: MemFree $base_free -> $free kB ($((free - base_free)) kB)"
	msg="$fs.unevictable # Unevictable $base_unev -> $unev kB (tolerance $UNEVICT_TOL kB)"
	if [ $((unev - base_unev)) -le "$UNEVICT_TOL" ] &&
		[ $((base_unev - unev)) -le "$UNEVICT_TOL" ]; then ok "$msg"; else nok "$msg"; fi

	if [ -w "$KMEMLEAK" ]; then
		# Objects younger than 5 s are not reported; scan twice (make soak)
		# to rule out transient references.
		_s=0
		while [ "$_s" -lt "$SCANS" ]; do
			sleep 5
			kmemleak_scan
			_s=$((_s + 1))
		done
		cat "$KMEMLEAK" >"$tmp/kmemleak"
		echo clear >"$KMEMLEAK"
		"$PY" "$tmp/kmemleak.py" "$FS_RE" "$FS_NOISE_RE" "$tmp/kmemleak" >"$tmp/kmemleak.txt"
		rel=$(tail -n 1 "$tmp/kmemleak.txt")
		head -n -1 "$tmp/kmemleak.txt" | head -n 400 | comment
		case $rel in
		"relevant 0 of "*) ok "$fs.kmemleak # $rel suspected leaks" ;;
		*) nok "$fs.kmemleak # $rel suspected leaks" ;;
		esac
	else
		skip "$fs.kmemleak" "no $KMEMLEAK"
	fi

	dmesg | tail -n +$((dmesg_start + 1)) | grep -E "$SPLAT" >"$tmp/splat"
	if [ -s "$tmp/splat" ]; then
		dmesg | tail -n +$((dmesg_start + 1)) | head -n 200 | comment
		nok "$fs.dmesg # $(wc -l <"$tmp/splat") new warning lines"
	else
		ok "$fs.dmesg"
	fi
done
