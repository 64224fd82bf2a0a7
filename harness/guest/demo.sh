#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make run` demonstration, run inside the guest.
set -u
echo "### kernel: $(uname -r), Rust: $(grep -c . /proc/modules >/dev/null; [ -d /sys/module/rust_minimal ] || true; echo enabled)"
if modinfo rust_ramfs >/dev/null 2>&1; then
	set -x
	modprobe rust_ramfs
	grep ramfs /proc/filesystems
	mount -t tmpfs none /mnt && mkdir -p /mnt/rr
	mount -t rust_ramfs -o mode=1777 demo /mnt/rr
	grep /mnt/rr /proc/mounts
	mkdir /mnt/rr/dir
	echo "hello from rust_ramfs" >/mnt/rr/dir/hello.txt
	cat /mnt/rr/dir/hello.txt
	ln -s dir/hello.txt /mnt/rr/link
	ln /mnt/rr/dir/hello.txt /mnt/rr/hardlink
	mkfifo /mnt/rr/fifo
	mknod /mnt/rr/null c 1 3
	cat /mnt/rr/link
	echo discarded >/mnt/rr/null
	mv /mnt/rr/hardlink /mnt/rr/renamed
	dd if=/dev/zero of=/mnt/rr/big bs=1M count=8 status=none
	ls -la /mnt/rr /mnt/rr/dir
	stat /mnt/rr/big
	df -h /mnt/rr
	rm /mnt/rr/dir/hello.txt /mnt/rr/link /mnt/rr/renamed /mnt/rr/fifo /mnt/rr/null
	rmdir /mnt/rr/dir
	ls -la /mnt/rr
	# tmpfs's limits: 1 MiB and 16 inodes, with ENOSPC at the limit.
	mkdir -p /mnt/lim
	mount -t rust_ramfs -o size=1m,nr_inodes=16,xattr,acl limited /mnt/lim
	grep /mnt/lim /proc/mounts
	dd if=/dev/zero of=/mnt/lim/fill bs=64k count=32 status=none || true
	df -k /mnt/lim
	df -i /mnt/lim
	rm /mnt/lim/fill
	# Extended attributes and POSIX ACLs ("xattr,acl").
	touch /mnt/lim/file
	setfattr -n user.colour -v blue /mnt/lim/file
	getfattr -d /mnt/lim/file
	setfacl -m u:1000:rw /mnt/lim/file
	getfacl /mnt/lim/file
	# An overlay with rust_ramfs as its upper layer.
	mkdir /mnt/lim/lower /mnt/lim/upper /mnt/lim/work /mnt/ovl
	echo "from the lower layer" >/mnt/lim/lower/a
	mount -t overlay -o lowerdir=/mnt/lim/lower,upperdir=/mnt/lim/upper,workdir=/mnt/lim/work \
		overlay /mnt/ovl
	echo "changed in the overlay" >>/mnt/ovl/a
	mkdir /mnt/ovl/new
	ls -la /mnt/lim/upper
	cat /mnt/lim/lower/a /mnt/lim/upper/a
	rm /mnt/ovl/a
	ls -la /mnt/lim/upper
	dmesg | grep overlayfs || echo "no overlayfs messages"
	umount /mnt/ovl
	set +x
	if modprobe rust_rofs 2>/dev/null; then
		set -x
		mkdir -p /mnt/ro
		mount -t rust_rofs none /mnt/ro
		ls -laR /mnt/ro
		cat /mnt/ro/link
		# Read-only stays read-only: a remount,rw keeps it ro.
		mount -o remount,rw /mnt/ro
		grep /mnt/ro /proc/mounts
		touch /mnt/ro/README || true
		set +x
		echo "### the read-only sample rust_rofs is mounted at /mnt/ro"
	fi
	echo "### rust_ramfs is mounted at /mnt/rr"
else
	set -x
	cat /proc/filesystems
	modprobe rust_minimal
	lsmod
	dmesg | grep -E 'rust_minimal|rust_doctests_kernel: pass' | tail -n 5
	mount -t tmpfs none /mnt && mkdir -p /mnt/ram && mount -t ramfs -o mode=1777 none /mnt/ram
	grep /mnt/ram /proc/mounts
	set +x
fi
