#!/usr/bin/env bash
# Makes a release into dist/, from this checkout, reproducibly: the same commit gives the same
# bytes (SOURCE_DATE_EPOCH is the last commit's time; archives have sorted entries, fixed
# times and owners; binaries are built with their paths mapped away, PE files without a link
# time stamp, and stripped deterministically).
#
#   scripts/package.sh            everything: the native packages below, then the bindings'
#                                 (scripts/package-nuget.sh, -maven.sh, -docs.sh, each if present)
#   scripts/package.sh --native   only the native packages
#
# Native packages (README.md, "Releases", says what each holds and how to use it):
#   dist/shmlink-<v>-linux-x86_64.tar.gz   relocatable: lib/, include/, CMake package, shmlink.pc
#   dist/shmlink_<v>_amd64.deb             the same under /usr
#   dist/shmlink-<v>-windows-sdk.zip       x64 and x86 DLLs (stripped, version resource), their
#                                          debug files, .def, MSVC and mingw import libraries,
#                                          headers, "use from Visual Studio" page
#   dist/SHA256SUMS
# Build trees go to out/release/ (SHMLINK_RELEASE_BUILD_DIR); dist/ is emptied first
# (SHMLINK_DIST_DIR to write elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

native_only=0
case "${1:-}" in
  --native) native_only=1 ;;
  "") ;;
  *) echo "usage: scripts/package.sh [--native]" >&2; exit 2 ;;
esac

scripts/install-deps.sh package

dist=$(realpath -m "${SHMLINK_DIST_DIR:-dist}")
build=$(realpath -m "${SHMLINK_RELEASE_BUILD_DIR:-out/release}")
jobs=${SHMLINK_JOBS:-$(nproc)}
version=$(sed -nE 's/^#define SHMLINK_VERSION_(MAJOR|MINOR|PATCH) ([0-9]+).*/\2/p' include/shmlink/shmlink_version.h | paste -sd.)
if git rev-parse --git-dir >/dev/null 2>&1; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
  if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "package.sh: note: the checkout has uncommitted changes; the packages hold them but are dated by the last commit"
  fi
else
  SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}
fi
export SOURCE_DATE_EPOCH TZ=UTC LC_ALL=C
umask 022
echo "=== shmlink $version release into $dist (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH) ==="
rm -rf "$dist"
mkdir -p "$dist" "$build"

# Compiler flags that keep the build folder out of the binaries.
map_paths="-ffile-prefix-map=$root=. -ffile-prefix-map=$build=out"

# Sets every file's and folder's time under $1 to SOURCE_DATE_EPOCH.
clamp_times() { find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }

# A .tar.gz of folder $2 (inside $1) that depends only on the files: sorted, fixed owners and times.
deterministic_tar() {
  local parent=$1 folder=$2 out=$3
  clamp_times "$parent/$folder"
  tar -C "$parent" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    --format=gnu -cf - "$folder" | gzip -9n >"$out"
}

# ---- Linux: CPack tarball and .deb from a Release build of the library ----
linux_build="$build/linux"
echo "=== Linux x86_64: build ==="
cmake -S . -B "$linux_build" -DCMAKE_BUILD_TYPE=Release -DSHMLINK_BUILD_TESTS=OFF \
  -DSHMLINK_BUILD_EXAMPLES=OFF -DSHMLINK_BUILD_BENCH=OFF -DSHMLINK_BUILD_CSHARP=OFF \
  -DSHMLINK_BUILD_JAVA=OFF -DSHMLINK_WERROR=ON "-DCMAKE_C_FLAGS=$map_paths" "-DCMAKE_CXX_FLAGS=$map_paths" \
  -DCMAKE_INSTALL_PREFIX=/usr/local >/dev/null
cmake --build "$linux_build" -j"$jobs"
echo "=== Linux x86_64: cpack ==="
cpack_out="$linux_build/cpack"
rm -rf "$cpack_out"
(cd "$linux_build" && cpack -G "TGZ;DEB" -B "$cpack_out" >/dev/null)
tarball_name="shmlink-$version-linux-x86_64"
# CPack's tarball keeps the files' times and the builder's owner: pack its tree again.
rm -rf "$cpack_out/retar" && mkdir -p "$cpack_out/retar"
tar -C "$cpack_out/retar" -xzf "$cpack_out/$tarball_name.tar.gz"
deterministic_tar "$cpack_out/retar" "$tarball_name" "$dist/$tarball_name.tar.gz"
# The .deb likewise: unpacked and built again with dpkg-deb, which dates and owns every entry
# by SOURCE_DATE_EPOCH and root.
deb=$(cd "$cpack_out" && ls shmlink_*.deb)
rm -rf "$cpack_out/redeb" && mkdir -p "$cpack_out/redeb"
dpkg-deb -R "$cpack_out/$deb" "$cpack_out/redeb/root"
clamp_times "$cpack_out/redeb/root"
dpkg-deb --root-owner-group -Zxz --build "$cpack_out/redeb/root" "$dist/$deb" >/dev/null

# ---- Windows SDK: x64 and x86 DLLs from the mingw-w64 builds ----
sdk_name="shmlink-$version-windows-sdk"
sdk="$build/$sdk_name"
rm -rf "$sdk"
mkdir -p "$sdk/include"
cp -r include/shmlink "$sdk/include/"
for arch in x64 x86; do
  if [ "$arch" = x64 ]; then
    prefix=x86_64-w64-mingw32 toolchain=mingw-w64-x86_64 machine=i386:x86-64
  else
    prefix=i686-w64-mingw32 toolchain=mingw-w64-i686 machine=i386
  fi
  windows_build="$build/windows-$arch"
  echo "=== Windows $arch: build ==="
  # RelWithDebInfo: the debug information goes into a separate file below. No link time stamp
  # in the PE header and a fixed preferred base address (ld derives its automatic one from the
  # output path), so the same sources give the same DLL wherever it is built (Windows relocates
  # it anyway: ASLR). -static as the toolchain's own flags (which this setting replaces):
  # libgcc, libstdc++ and winpthread linked in, so the DLL needs only system DLLs.
  cmake -S . -B "$windows_build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/$toolchain.cmake" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHMLINK_BUILD_TESTS=OFF -DSHMLINK_BUILD_EXAMPLES=OFF \
    -DSHMLINK_BUILD_CSHARP=OFF -DSHMLINK_BUILD_JAVA=OFF -DSHMLINK_WERROR=ON \
    "-DCMAKE_C_FLAGS=$map_paths" "-DCMAKE_CXX_FLAGS=$map_paths" \
    "-DCMAKE_SHARED_LINKER_FLAGS=-static -Wl,--no-insert-timestamp -Wl,--disable-auto-image-base" \
    "-DCMAKE_EXE_LINKER_FLAGS=-static -Wl,--no-insert-timestamp" >/dev/null
  cmake --build "$windows_build" -j"$jobs" --target shmlink shmlink_cli
  out="$sdk/$arch"
  mkdir -p "$out/bin" "$out/debug" "$out/lib/mingw"
  dll="$windows_build/bin/shmlink.dll"
  # Debug information apart (shmlink.dll.debug: DWARF, for gdb and for symbolising crash
  # addresses with addr2line), the DLL stripped and pointing at it by a .gnu_debuglink.
  "$prefix-objcopy" --only-keep-debug "$dll" "$out/debug/shmlink.dll.debug"
  "$prefix-strip" --strip-all -o "$out/bin/shmlink.dll" "$dll"
  (cd "$out/debug" && "$prefix-objcopy" --add-gnu-debuglink=shmlink.dll.debug "$out/bin/shmlink.dll")
  # The shmlink command (docs/cli.md) beside the DLL it uses.
  "$prefix-strip" --strip-all -o "$out/bin/shmlink.exe" "$windows_build/bin/shmlink.exe"
  # The .def from the DLL's export table: exactly what it exports, undecorated.
  {
    echo "LIBRARY shmlink.dll"
    echo "EXPORTS"
    "$prefix-objdump" -p "$out/bin/shmlink.dll" |
      sed -n '/^\[Ordinal\/Name Pointer\] Table/,/^$/p' | sed -nE 's/^\s*\[\s*[0-9]+\] (shmlink_[A-Za-z0-9_]+)$/  \1/p'
  } >"$out/lib/shmlink.def"
  if [ "$(grep -c '^  shmlink_' "$out/lib/shmlink.def")" -lt 10 ]; then
    echo "package.sh: could not read the exports of $out/bin/shmlink.dll" >&2
    exit 1
  fi
  # MSVC import library (link.exe, lld-link, clang-cl) and the mingw one (gcc, clang for mingw).
  llvm-dlltool -m "$machine" -d "$out/lib/shmlink.def" -D shmlink.dll -l "$out/lib/shmlink.lib"
  cp "$windows_build/lib/shmlink.lib" "$out/lib/mingw/libshmlink.dll.a"
done
cp LICENSE CHANGELOG.md "$sdk/"
cp docs/visual-studio.md "$sdk/README.md"
clamp_times "$sdk"
rm -f "$dist/$sdk_name.zip"
(cd "$build" && find "$sdk_name" -print | sort | zip -X -q -9 -@ "$dist/$sdk_name.zip")

# ---- The bindings' packages, when their scripts exist ----
# Each is run as `scripts/package-<part>.sh <dist folder>`, with SOURCE_DATE_EPOCH, TZ and
# LC_ALL as above and, should it want this run's native files: SHMLINK_VERSION, and
# SHMLINK_RELEASE_WINDOWS_DIR, the unpacked SDK (x64/bin/shmlink.dll, x86/bin/shmlink.dll:
# stripped, with their version resource).
if [ "$native_only" -eq 0 ]; then
  export SHMLINK_VERSION="$version" SHMLINK_RELEASE_WINDOWS_DIR="$sdk"
  for part in nuget maven docs; do
    script="scripts/package-$part.sh"
    if [ -f "$script" ]; then
      echo "=== $part: $script $dist ==="
      bash "$script" "$dist"
    else
      echo "=== $part: no $script (not part of this checkout): skipped ==="
    fi
  done
fi

(cd "$dist" && find . -type f ! -name SHA256SUMS -printf '%P\n' | sort | xargs -d '\n' sha256sum >SHA256SUMS)
echo "=== dist/ ==="
(cd "$dist" && cat SHA256SUMS)
