#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The read-only sample file system (samples/rust/rust_rofs.rs): its own
# lookup, readdir, page reads, inode cache and per-inode data, checked
# from user space; it must stay read-only under every remount; its inode
# cache must be gone after the module is unloaded (kmem_cache_destroy()
# warns in dmesg if inodes leaked).
set -u
. "$(dirname "$0")/../lib.sh"
tap_plan 34
# Active objects of the file system's inode cache, "none" without one.
cache_objs() {
	awk '$1 == "rust_rofs" { print $2; f = 1 } END { if (!f) print "none" }' /proc/slabinfo
}
# The superblock's own options of the mount on $1 (the last field of
# its /proc/self/mountinfo line; the mount's own flags are field 6).
sb_opts() {
	awk -v m="$1" '$5 == m { for (i = 7; i <= NF; i++) if ($i == "-") o = $(i + 3) }
		END { print o }' /proc/self/mountinfo
}
# check_erofs NAME CMD...: a test that passed if CMD fails with EROFS.
check_erofs() {
	name=$1
	shift
	err=$("$@" 2>&1)
	st=$?
	case $st:$err in 0:*) r=1 ;; *"Read-only file system"*) r=0 ;; *) r=1 ;; esac
	check $r "$name"
	[ $r = 0 ] || echo "exit $st: $err" | comment
}
mnt=$(mktemp -d)
readme="Hello from rust_rofs, a read-only file system in Rust."

modprobe rust_rofs
check $? modprobe
mount -t rust_rofs none "$mnt"
check $? mount
check_eq readdir-root ". .. README data link" "$(ls -a -U "$mnt" | tr '\n' ' ' | sed 's/ $//')"
check_eq readdir-subdir ". .. pattern empty" "$(ls -a -U "$mnt/data" | tr '\n' ' ' | sed 's/ $//')"
check_eq read-file "$readme" "$(cat "$mnt/README")"
check_eq readlink README "$(readlink "$mnt/link")"
check_eq follow-link "$readme" "$(cat "$mnt/link")"
check_eq stat-modes "dir 555 3 0,dir 555 2 0,file 444 1 55,link 777 1 6" \
	"$(for f in "" data README link; do
		stat -c '%F %a %h %s' "$mnt/$f" | sed 's/regular file/file/;s/directory/dir/;s/symbolic link/link/'
	done | tr '\n' ',' | sed 's/,$//')"
check_eq inode-numbers "1 2 3 4 5 6" \
	"$(stat -c %i "$mnt" "$mnt/README" "$mnt/data" "$mnt/data/pattern" "$mnt/data/empty" \
		"$mnt/link" | tr '\n' ' ' | sed 's/ $//')"
"$PY" - "$mnt/data/pattern" <<'EOF'
import mmap, os, sys
want = bytes((i * 7 + i // 4096) % 251 for i in range(100000))
with open(sys.argv[1], "rb") as f:
    assert f.read() == want, "read"
    f.seek(70000)
    assert f.read(5000) == want[70000:75000], "seek+read"
    m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    assert m[:] == want, "mmap"
    m.close()
assert os.pread(os.open(sys.argv[1], os.O_RDONLY), 10, 99995) == want[99995:], "tail"
EOF
check $? read-multipage-pattern
check_eq empty-file "0:" "$(stat -c %s "$mnt/data/empty"):$(cat "$mnt/data/empty")"
stat "$mnt/missing" >/dev/null 2>&1
check_eq lookup-missing-enoent 1 $?
check_eq statfs-magic 524f4653 "$(stat -f -c %t "$mnt")"
grep -q " $mnt rust_rofs ro[, ]" /proc/mounts
check $? mounted-read-only
check_erofs create-erofs touch "$mnt/new"
check_erofs write-erofs sh -c "echo x >>'$mnt/README'"
# Evict unused dentries and inodes; lookups read the inodes in again.
# (slabinfo's active objects include per-CPU slabs: informational only.
# A leaked inode makes kmem_cache_destroy() warn at rmmod, which fails
# the dmesg check.)
before=$(cache_objs)
echo 2 >/proc/sys/vm/drop_caches
echo "# inode cache objects before/after drop_caches: $before/$(cache_objs)"
check_eq reread-after-eviction "2 $readme" "$(stat -c %i "$mnt/README") $(cat "$mnt/README")"
# The symlink's target is kept with its inode (i_link) and read by path
# walks in RCU-walk mode, also while the inode is being evicted: it must
# be freed only after the grace period (KASAN reports a use after free in
# dmesg otherwise). Walk through the link while inodes are evicted.
evicted=$(mktemp -u)
(i=0; while [ $i -lt 50 ]; do echo 2 >/proc/sys/vm/drop_caches; i=$((i + 1)); done
	touch "$evicted") &
evictor=$!
bad=$("$PY" - "$mnt/link" "$evicted" "$readme" <<'EOF'
import os, sys
link, done, readme = sys.argv[1:4]
bad = n = 0
# Walk through the link until the evictor is done (at least 1000 times).
while n < 1000 or not os.path.exists(done):
    with open(link) as f:
        ok = f.read().rstrip("\n") == readme
    if not ok or os.readlink(link) != "README":
        bad += 1
    n += 1
print(bad)
print(f"# {n} walks through the link", file=sys.stderr)
EOF
)
wait $evictor
rm -f "$evicted"
check_eq link-walk-during-eviction 0 "$bad"
mnt2=$(mktemp -d)
mount -t rust_rofs none "$mnt2" && [ "$(cat "$mnt2/link")" = "$readme" ] && umount "$mnt2"
check $? second-mount
# A directory position at the very end (lseek(dir, LLONG_MAX), allowed since
# s_maxbytes is MAX_LFS_FILESIZE) lists nothing and does not overflow.
"$PY" - "$mnt/data" <<'EOF'
import ctypes, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
assert os.lseek(fd, 2**63 - 1, os.SEEK_SET) == 2**63 - 1, "lseek"
buf = ctypes.create_string_buffer(4096)
libc = ctypes.CDLL(None, use_errno=True)
n = libc.syscall(217, fd, buf, len(buf))  # getdents64
assert n == 0, f"getdents64 returned {n}, errno {ctypes.get_errno()}"
EOF
check $? readdir-at-llong-max
rmdir "$mnt2"
# Remounting must leave it read-only: its reconfigure forces SB_RDONLY
# (as romfs, cramfs and squashfs do), so a remount asking for rw may
# succeed, but the superblock stays read-only and nothing is writable.
err=$(mount -o remount,rw "$mnt" 2>&1)
echo "mount -o remount,rw: exit $? $err" | comment
# /proc/mounts says "ro" if the mount or its superblock is read-only.
grep -q " $mnt rust_rofs ro[, ]" /proc/mounts
check $? remount-rw-stays-ro
# mountinfo's superblock options: the superblock itself is read-only.
opts=$(sb_opts "$mnt")
case $opts in ro | ro,*) r=0 ;; *) r=1 ;; esac
check $r remount-rw-superblock-ro
[ $r = 0 ] || echo "#   superblock options '$opts'"
# After that remount, neither attributes nor data can be changed.
check_erofs remount-rw-chmod-erofs chmod 777 "$mnt/README"
check_erofs remount-rw-truncate-erofs truncate -s 0 "$mnt/README"
check_erofs remount-rw-touch-erofs touch "$mnt/README"
check_eq remount-rw-unchanged "444 55 $readme" \
	"$(stat -c '%a %s' "$mnt/README") $(cat "$mnt/README")"
# The superblock alone, through the new mount API: clear the mount's own
# read-only flag (mount_setattr()), so that statvfs() (mount | superblock
# flags) and EROFS can only come from the superblock, then ask for rw with
# fspick() + fsconfig(FSCONFIG_CMD_RECONFIGURE). The reconfigure may
# succeed or fail; the superblock must stay read-only either way.
"$PY" - "$mnt" <<'EOF'
import ctypes, errno, os, sys

mnt = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
# The same numbers on every architecture but alpha (asm-generic/unistd.h).
NR_fsconfig, NR_fspick, NR_mount_setattr = 431, 433, 442
AT_FDCWD, FSPICK_CLOEXEC, MOUNT_ATTR_RDONLY = -100, 1, 0x1
FSCONFIG_SET_FLAG, FSCONFIG_CMD_RECONFIGURE = 0, 7
failed = []


class MountAttr(ctypes.Structure):
    _fields_ = [(f, ctypes.c_uint64)
                for f in ("attr_set", "attr_clr", "propagation", "userns_fd")]


def strerror(e):
    return "%s (%s)" % (errno.errorcode.get(e, e), os.strerror(e))


def syscall(what, nr, *args):
    """Returns the result; on failure, a comment with the errno."""
    ret = libc.syscall(ctypes.c_long(nr), *args)
    if ret < 0:
        print("# %s: %s" % (what, strerror(ctypes.get_errno())))
    return ret


def fail(msg):
    failed.append(msg)
    print("# " + msg)


def flags():
    """(mount's own, superblock's) first option from mountinfo: ro or rw."""
    found = None
    path = os.path.realpath(mnt)
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == path:
                sep = fields.index("-", 6)
                found = (fields[5].split(",")[0], fields[sep + 3].split(",")[0])
    return found


def main():
    attr = MountAttr(attr_clr=MOUNT_ATTR_RDONLY)
    if syscall("mount_setattr(attr_clr=MOUNT_ATTR_RDONLY)", NR_mount_setattr,
               ctypes.c_long(AT_FDCWD), os.fsencode(mnt), ctypes.c_long(0),
               ctypes.byref(attr), ctypes.c_long(ctypes.sizeof(attr))) < 0:
        return fail("cannot clear the mount's read-only flag")
    if flags() is None or flags()[0] != "rw":
        return fail("mount still read-only (mountinfo %s): the superblock's "
                    "flag cannot be told apart" % (flags(),))
    fd = syscall("fspick", NR_fspick, ctypes.c_long(AT_FDCWD),
                 os.fsencode(mnt), ctypes.c_long(FSPICK_CLOEXEC))
    if fd < 0:
        return fail("fspick failed")
    try:
        if syscall("fsconfig(FSCONFIG_SET_FLAG, rw)", NR_fsconfig,
                   ctypes.c_long(fd), ctypes.c_long(FSCONFIG_SET_FLAG), b"rw",
                   None, ctypes.c_long(0)) < 0:
            return fail("fsconfig(FSCONFIG_SET_FLAG, rw) failed")
        if syscall("fsconfig(FSCONFIG_CMD_RECONFIGURE)", NR_fsconfig,
                   ctypes.c_long(fd), ctypes.c_long(FSCONFIG_CMD_RECONFIGURE),
                   None, None, ctypes.c_long(0)) == 0:
            print("# fsconfig(FSCONFIG_CMD_RECONFIGURE) succeeded")
    finally:
        os.close(fd)
    now = flags()
    print("# mountinfo (mount, superblock) after reconfigure: %s" % (now,))
    if now is None or now[1] != "ro":
        fail("superblock not read-only in mountinfo")
    if not os.statvfs(mnt).f_flag & os.ST_RDONLY:
        fail("statvfs f_flag lacks ST_RDONLY")
    try:
        os.close(os.open(os.path.join(mnt, "README"), os.O_WRONLY))
        fail("open(README, O_WRONLY) succeeded")
    except OSError as e:
        if e.errno != errno.EROFS:
            fail("open(README, O_WRONLY): %s, not EROFS" % strerror(e.errno))


try:
    main()
except Exception as e:
    fail("exception: %r" % (e,))
sys.exit(1 if failed else 0)
EOF
check $? fspick-reconfigure-rw-superblock-ro
# Remounting read-only again must succeed and leave the data readable.
mount -o remount,ro "$mnt"
check $? remount-ro
check_eq read-after-remount-ro "$readme" "$(cat "$mnt/README")"
rmmod rust_rofs 2>/dev/null
[ $? -ne 0 ] && [ -d /sys/module/rust_rofs ]
check $? rmmod-refused-while-mounted
umount "$mnt"
check $? umount
echo "# inode cache objects after umount: $(cache_objs)"
rmmod rust_rofs
check $? rmmod-after-umount
! grep -qw rust_rofs /proc/filesystems
check $? unregistered
check_eq inode-cache-destroyed none "$(cache_objs)"
rmdir "$mnt"
