#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Module life cycle: load (the built-in KUnit suite of the module runs
# now and reports to dmesg), unload refused while mounted, allowed after.
set -u
. "$(dirname "$0")/../lib.sh"
tap_plan 5
mnt=$(mktemp -d)
modprobe rust_ramfs
check $? modprobe
grep -qw rust_ramfs /proc/filesystems
check $? registered
mount -t rust_ramfs none "$mnt"
rmmod rust_ramfs 2>/dev/null
[ $? -ne 0 ] && [ -d /sys/module/rust_ramfs ]
check $? rmmod-refused-while-mounted
umount "$mnt"
rmmod rust_ramfs
check $? rmmod-after-umount
! grep -qw rust_ramfs /proc/filesystems
check $? unregistered
rmdir "$mnt"
