# SPDX-License-Identifier: GPL-2.0
# rust_ramfs: build, boot and test the series on a pristine 7.2 kernel.
# See README.md.

SHELL := /bin/sh
H := ./harness

.PHONY: help setup source prepare build run test soak bench bench-profile kunit check format-patch clean

help:
	@echo 'make run           build, boot under virtme-ng, show rust_ramfs (CMD=... to run a command)'
	@echo 'make test          build, boot once, run all tests; ends in "N passed, N failed"'
	@echo 'make soak          make test with the leak loop (100 x 1,000 files) and stress at full length'
	@echo 'make bench         ramfs, rust_ramfs and tmpfs side by side on a performance kernel'
	@echo 'make bench-profile  instructions per kernel function of each workload, ramfs next to rust_ramfs'
	@echo 'make kunit         tools/testing/kunit/kunit.py run in the prepared tree'
	@echo 'make check         rustfmt, clippy, rustdoc and checkpatch on the series'
	@echo 'make format-patch  write the series as mail-ready patches to out/'
	@echo 'make setup|source|prepare|build   the individual steps'
	@echo 'make clean         remove the build output (keeps the source and tools)'
	@echo 'Variables: KERNEL_SRC=<7.2 tree>, RUST_RAMFS_CACHE=<dir> (default ~/.cache/rust-ramfs)'

setup:
	@$(H)/setup.sh
source: setup
	@$(H)/fetch-source.sh >/dev/null
prepare: setup
	@$(H)/prepare-tree.sh
build:
	@$(H)/build.sh
run:
	@$(H)/run.sh
test:
	@$(H)/test.sh
soak:
	@SOAK=1 $(H)/test.sh
bench:
	@$(H)/bench.sh
bench-profile:
	@$(H)/bench-profile.sh
kunit:
	@$(H)/kunit.sh
check:
	@$(H)/check.sh
format-patch:
	@$(H)/format-patch.sh
clean:
	@$(H)/clean.sh

%:
	@echo "make: unknown target '$@'; see 'make help'" >&2; exit 2
