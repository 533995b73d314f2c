#!/bin/bash
# Regenerates the jextract bindings. The output is committed; run this only when a header or a filter
# changes, and commit the result unedited:
#
#   io.i2o2.uring.gen          from i2o2_uring.h (+ bindings.filter), with the host's headers: the io_uring
#                              and NVMe structs, the libc calls, and the constants that are the same on
#                              every architecture we support
#   io.i2o2.uring.gen.x86_64   from i2o2_arch.h (+ arch.filter), with the host's (x86-64) kernel headers
#   io.i2o2.uring.gen.aarch64  from i2o2_arch.h (+ arch.filter), with the arm64 kernel headers of
#                              linux-libc-dev-arm64-cross (/usr/aarch64-linux-gnu/include)
#
#   JEXTRACT_HOME=/path/to/jextract ./generate-bindings.sh
#
# jextract is in neither Maven Central nor Debian: build it from openjdk/jextract's source (JDK 22+ and
# libclang), then point JEXTRACT_HOME at it. The generated packages must never be edited by hand;
# io.i2o2.uring.ArchConstantsTest checks both architecture tables against each architecture's headers.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${JEXTRACT_HOME:?set JEXTRACT_HOME to a jextract install (bin/jextract)}"
out=$here/../java
gen=$out/io/i2o2/uring/gen
arm64_include=${ARM64_INCLUDE:-/usr/aarch64-linux-gnu/include}
[ -f "$arm64_include/asm/fcntl.h" ] || { echo "no arm64 kernel headers in $arm64_include: apt-get install linux-libc-dev-arm64-cross" >&2; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "run on x86-64: the host's headers make io.i2o2.uring.gen and gen.x86_64" >&2; exit 1; }

rm -f "$gen"/*.java
"$JEXTRACT_HOME/bin/jextract" \
  --output "$out" \
  --target-package io.i2o2.uring.gen \
  --header-class-name LinuxUring \
  @"$here/bindings.filter" \
  "$here/i2o2_uring.h"

arch() {  # package include-args...
  local pkg=$1; shift
  rm -rf "${gen:?}/$pkg"
  "$JEXTRACT_HOME/bin/jextract" "$@" \
    --output "$out" \
    --target-package "io.i2o2.uring.gen.$pkg" \
    --header-class-name ArchConstants \
    @"$here/arch.filter" \
    "$here/i2o2_arch.h"
}
arch x86_64
arch aarch64 -I "$arm64_include"
echo "generated $(find "$gen" -name '*.java' | wc -l) files under io.i2o2.uring.gen"
