#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Exhaustion: limits stop exactly at nr_inodes and size; EXHAUST_FILES empty
# files and a directory of EXHAUST_DIR entries, with time and slab memory per
# inode beside ramfs and tmpfs; with EXHAUST_OOM=1 (make soak) a writer fills
# memory in a memory cgroup and the guest survives it.
exec sh "$(dirname "$0")/50-kselftest.sh" exhaust_test
