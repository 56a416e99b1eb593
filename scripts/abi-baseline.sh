#!/usr/bin/env bash
# Writes the ABI gate's baseline from this tree, at a release only (docs/versioning.md):
#   abi/shmlink.abi.txt      from include/shmlink/shmlink.h (tests/abi/abi_list.cmake)
#   abi/libshmlink-linux-x86_64.abi  abidw of a Linux x86_64 build's library (default: out/linux)
# Usage: scripts/abi-baseline.sh [build dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-out/linux}
library="$build/lib/libshmlink.so.1"
[ -f "$library" ] || { echo "no $library: build the linux preset first" >&2; exit 1; }
cmake -DHEADER=include/shmlink/shmlink.h -DVERSION_HEADER=include/shmlink/shmlink_version.h \
  -DMODE=write -DOUT=abi/shmlink.abi.txt -P tests/abi/abi_list.cmake
# Only what the exported functions reach, without build paths, so the file reads as a diff.
abidw --no-corpus-path --no-comp-dir-path --short-locs --exported-interfaces-only \
  --headers-dir include/shmlink --drop-private-types --out-file abi/libshmlink-linux-x86_64.abi "$library"
echo "abi/shmlink.abi.txt and abi/libshmlink-linux-x86_64.abi now describe $(grep '^version' abi/shmlink.abi.txt)"
