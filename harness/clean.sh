#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Remove the build output; the source, the prepared tree and tools stay.
. "$(dirname "$0")/lib.sh"
rm -rf "$BUILD" "$CACHE/kunit-build" "$CACHE/guest"
msg "removed $BUILD"
