#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Races: processes racing on names, renames of directories into their own
# subtrees, exchanges, truncation under readers and mappings, getdents during
# churn, lazy unmount and module unload while busy, on ramfs, rust_ramfs,
# rust_ramfs with limits and tmpfs; then a consistency walk and a clean
# unmount (RACE_TIME seconds per case).
exec sh "$(dirname "$0")/50-kselftest.sh" race_test
