#!/bin/bash
# Regenerates io.i2o2.uring.gen from i2o2_uring.h with jextract. The output is committed; run this only
# when the header or the filter changes, and commit the result unedited.
#
#   JEXTRACT_HOME=/path/to/jextract ./generate-bindings.sh
#
# jextract is in neither Maven Central nor Debian: build it from openjdk/jextract's source (JDK 22+ and
# libclang), then point JEXTRACT_HOME at it. The generated package must never be edited by hand.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${JEXTRACT_HOME:?set JEXTRACT_HOME to a jextract install (bin/jextract)}"
out=$here/../java
rm -rf "$out/io/i2o2/uring/gen"
"$JEXTRACT_HOME/bin/jextract" \
  --output "$out" \
  --target-package io.i2o2.uring.gen \
  --header-class-name LinuxUring \
  @"$here/bindings.filter" \
  "$here/i2o2_uring.h"
echo "generated $(find "$out/io/i2o2/uring/gen" -name '*.java' | wc -l) files into io.i2o2.uring.gen"
