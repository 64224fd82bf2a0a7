#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The read-only sample file system (samples/rust/rust_rofs.rs): its own
# lookup, readdir, page reads, inode cache and per-inode data, checked
# from user space; its inode cache must be gone after the module is
# unloaded (kmem_cache_destroy() warns in dmesg if inodes leaked).
set -u
. "$(dirname "$0")/../lib.sh"
tap_plan 23
# Active objects of the file system's inode cache, "none" without one.
cache_objs() {
	awk '$1 == "rust_rofs" { print $2; f = 1 } END { if (!f) print "none" }' /proc/slabinfo
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
err=$(touch "$mnt/new" 2>&1)
case $err in *"Read-only file system"*) r=0 ;; *) r=1 ;; esac
check $r create-erofs
err=$(sh -c "echo x >>'$mnt/README'" 2>&1)
case $err in *"Read-only file system"*) r=0 ;; *) r=1 ;; esac
check $r write-erofs
# Evict unused dentries and inodes; lookups read the inodes in again.
# (slabinfo's active objects include per-CPU slabs: informational only.
# A leaked inode makes kmem_cache_destroy() warn at rmmod, which fails
# the dmesg check.)
before=$(cache_objs)
echo 2 >/proc/sys/vm/drop_caches
echo "# inode cache objects before/after drop_caches: $before/$(cache_objs)"
check_eq reread-after-eviction "2 $readme" "$(stat -c %i "$mnt/README") $(cat "$mnt/README")"
mnt2=$(mktemp -d)
mount -t rust_rofs none "$mnt2" && [ "$(cat "$mnt2/link")" = "$readme" ] && umount "$mnt2"
check $? second-mount
rmdir "$mnt2"
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
