#!/usr/bin/env bash
# Uses the released native packages in dist/ from outside, the way their users do, and
# prints one PASS/FAIL line per consumer and then "N passed, N failed":
#  - linux tarball: extracted to a temporary prefix; a CMake project with find_package(shmlink)
#    (C and C++) and a Makefile with pkg-config, each built against it and run;
#  - linux .deb: `dpkg-deb -x` into a temporary root (nothing is installed on this machine), the
#    same consumers against <root>/usr, and the package's metadata;
#  - windows SDK x64: a C program compiled by clang for x86_64-windows-msvc and linked by
#    lld-link against the MSVC import library, run under Wine next to the SDK's shmlink.dll;
#  - windows SDK x86: the same compiled and linked for i686 (this machine may run no 32-bit
#    code, so its import resolution is checked statically), and both DLLs' version resource,
#    debug link and .def.
# Usage: tests/release/run_consumers.sh [dist folder]   (default: dist, from scripts/package.sh)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dist=$(realpath -m "${1:-$root/dist}")
version=$(sed -nE 's/^#define SHMLINK_VERSION_(MAJOR|MINOR|PATCH) ([0-9]+).*/\2/p' "$root/include/shmlink/shmlink_version.h" | paste -sd.)
work=$(mktemp -d "${TMPDIR:-/tmp}/shmlink-release-consumers.XXXXXX")
trap 'rm -rf "$work"' EXIT
export WINEDEBUG=-all
passed=0
failed=0

# check <name> <function> [args]: runs the function with its output in a log, shown on failure.
check() {
  local name=$1
  shift
  if "$@" >"$work/log" 2>&1; then
    echo "PASS $name"
    sed 's/^/    /' "$work/log" | grep -E "consumer|shmlink [0-9]" || true
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    sed 's/^/    /' "$work/log"
    failed=$((failed + 1))
  fi
}

# Builds and runs the CMake (find_package) and Makefile (pkg-config) consumers against <prefix>.
linux_consumers() {
  local prefix=$1 label=$2 out="$work/$2"
  mkdir -p "$out"
  cmake -S "$root/tests/package/consumer" -B "$out/cmake" -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_PREFIX_PATH=$prefix" -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF || return 1
  # find_package must have found this prefix's copy, not one installed on the machine.
  local found
  found=$(sed -n 's/^shmlink_DIR:[A-Z]*=//p' "$out/cmake/CMakeCache.txt")
  case "$(realpath "$found")/" in
    "$(realpath "$prefix")"/*) echo "find_package(shmlink) found $found" ;;
    *) echo "find_package(shmlink) found $found, not the copy in $prefix"; return 1 ;;
  esac
  cmake --build "$out/cmake" || return 1
  "$out/cmake/consumer_c" "shmlink-release-$label-c-$$" || return 1
  "$out/cmake/consumer_cpp" "shmlink-release-$label-cpp-$$" || return 1
  # pkg-config: only this prefix's shmlink.pc, and the flags must point into the prefix.
  local pc_dir
  pc_dir=$(dirname "$(find "$prefix" -name shmlink.pc | head -1)")
  PKG_CONFIG_PATH="$pc_dir" PKG_CONFIG_LIBDIR="$pc_dir" pkg-config --cflags --libs shmlink | tee "$out/flags"
  grep -q -- "-I$(realpath "$prefix")/\|-I$prefix/" "$out/flags" || { echo "pkg-config flags do not point into $prefix"; return 1; }
  PKG_CONFIG_PATH="$pc_dir" PKG_CONFIG_LIBDIR="$pc_dir" make -s -C "$root/tests/package/consumer" \
    -f Makefile "OUT=$out" || return 1
  LD_LIBRARY_PATH="$(dirname "$(find "$prefix" -name 'libshmlink.so.1' | head -1)")" \
    "$out/consumer_make" "shmlink-release-$label-make-$$" || return 1
  # The program built by the Makefile loads the packaged library, not another.
  LD_LIBRARY_PATH="$(dirname "$(find "$prefix" -name 'libshmlink.so.1' | head -1)")" ldd "$out/consumer_make" |
    grep "libshmlink.so.1 => $prefix" || { echo "consumer_make does not load $prefix's libshmlink.so.1"; return 1; }
}

tarball_consumers() {
  local tarball="$dist/shmlink-$version-linux-x86_64.tar.gz"
  [ -f "$tarball" ] || { echo "no $tarball"; return 1; }
  mkdir -p "$work/tar"
  tar -C "$work/tar" -xzf "$tarball" || return 1
  local prefix="$work/tar/shmlink-$version-linux-x86_64"
  for file in include/shmlink/shmlink.h include/shmlink/shmlink_version.h include/shmlink/shmlink_loader.h \
      lib/libshmlink.so lib/libshmlink.so.1 "lib/libshmlink.so.$version" lib/cmake/shmlink/shmlinkConfig.cmake \
      lib/cmake/shmlink/shmlinkConfigVersion.cmake lib/pkgconfig/shmlink.pc share/doc/shmlink/LICENSE; do
    [ -e "$prefix/$file" ] || { echo "the tarball has no $file"; return 1; }
  done
  objdump -p "$prefix/lib/libshmlink.so.1" | grep -q "SONAME *libshmlink.so.1" || { echo "no SONAME libshmlink.so.1"; return 1; }
  # Stripped: no debug sections in the released library.
  if objdump -h "$prefix/lib/libshmlink.so.$version" | grep -q "\.debug_"; then echo "not stripped"; return 1; fi
  linux_consumers "$prefix" tarball
}

deb_consumers() {
  local deb
  deb=$(ls "$dist"/shmlink_"$version"_*.deb 2>/dev/null | head -1)
  [ -n "$deb" ] || { echo "no shmlink_${version}_*.deb in $dist"; return 1; }
  dpkg-deb -I "$deb" | tee "$work/deb-info"
  grep -q "^ Package: shmlink$" "$work/deb-info" && grep -q "^ Version: $version$" "$work/deb-info" &&
    grep -q "^ Depends: .*libc6" "$work/deb-info" || { echo "unexpected package metadata"; return 1; }
  # Every file is root's.
  if dpkg-deb -c "$deb" | awk '{print $2}' | grep -v '^root/root$'; then echo "files not owned by root"; return 1; fi
  mkdir -p "$work/deb"
  dpkg-deb -x "$deb" "$work/deb" || return 1
  [ -e "$work/deb/usr/lib/libshmlink.so.1" ] || { echo "no /usr/lib/libshmlink.so.1"; return 1; }
  linux_consumers "$work/deb/usr" deb
}

# The SDK, unpacked once for the Windows checks.
sdk="$work/sdk/shmlink-$version-windows-sdk"
unpack_sdk() {
  local zip="$dist/shmlink-$version-windows-sdk.zip"
  [ -f "$zip" ] || { echo "no $zip"; return 1; }
  mkdir -p "$work/sdk"
  unzip -q "$zip" -d "$work/sdk" || return 1
  local missing=0
  for file in README.md LICENSE CHANGELOG.md include/shmlink/shmlink.h include/shmlink/shmlink_version.h \
      include/shmlink/shmlink_loader.h include/shmlink/shmlink.hpp; do
    [ -f "$sdk/$file" ] || { echo "the SDK has no $file"; missing=1; }
  done
  for arch in x64 x86; do
    for file in bin/shmlink.dll debug/shmlink.dll.debug lib/shmlink.lib lib/shmlink.def lib/mingw/libshmlink.dll.a; do
      [ -f "$sdk/$arch/$file" ] || { echo "the SDK has no $arch/$file"; missing=1; }
    done
  done
  [ "$missing" -eq 0 ]
}

# Static checks of one architecture's files.
sdk_files() {
  local arch=$1 prefix format
  if [ "$arch" = x64 ]; then prefix=x86_64-w64-mingw32 format=pei-x86-64; else prefix=i686-w64-mingw32 format=pei-i386; fi
  local dll="$sdk/$arch/bin/shmlink.dll"
  "$prefix-objdump" -f "$dll" | grep -q "file format $format" || { echo "$dll is not $format"; return 1; }
  if "$prefix-objdump" -h "$dll" | grep -q "\.debug_"; then echo "$dll is not stripped"; return 1; fi
  "$prefix-objdump" -h "$dll" | grep -q "\.gnu_debuglink" || { echo "$dll has no .gnu_debuglink"; return 1; }
  "$prefix-objdump" -h "$sdk/$arch/debug/shmlink.dll.debug" | grep -q "\.debug_info" || { echo "no DWARF in shmlink.dll.debug"; return 1; }
  cmake "-DDLL=$dll" "-DVERSION=$version" -P "$root/tests/exports/check_version_resource.cmake" || return 1
  # Its architecture, plain shmlink_ exports, and imports a stock Windows has (nothing of mingw's).
  cmake "-DOBJDUMP=$prefix-objdump" "-DMACHINE=$arch" "-DDLLS=$dll|shmlink_|" \
    -P "$root/tests/exports/check_windows_natives.cmake" || return 1
  # The .def lists exactly what shmlink.h declares, as the DLL exports it.
  cmake "-DHEADER=$root/include/shmlink/shmlink.h" "-DLIBRARY=$dll" -DFORMAT=pe "-DOBJDUMP=$prefix-objdump" \
    -P "$root/tests/exports/check_exports.cmake" || return 1
  sed -n 's/^  \(shmlink_[a-z_]*\)$/\1/p' "$sdk/$arch/lib/shmlink.def" | sort >"$work/def-$arch"
  "$prefix-objdump" -p "$dll" | sed -nE 's/^\s*\[\s*[0-9]+\] (shmlink_[a-z_]+)$/\1/p' | sort >"$work/exports-$arch"
  diff "$work/def-$arch" "$work/exports-$arch" || { echo "$arch/lib/shmlink.def differs from the DLL's exports"; return 1; }
  # The MSVC import library: COFF short import entries for shmlink.dll, for this machine.
  llvm-nm "$sdk/$arch/lib/shmlink.lib" | grep -q "__imp_.*shmlink_get_api" || { echo "shmlink.lib imports no shmlink_get_api"; return 1; }
}

# Compiles and links msvc_consumer.c for <arch> with clang and lld-link against the SDK.
build_msvc_consumer() {
  local arch=$1 target machine dlltool_args=() def="$work/kernel32-$arch.def"
  if [ "$arch" = x64 ]; then
    target=x86_64-pc-windows-msvc machine=i386:x86-64
    sed 's/@[0-9]*$//' "$root/tests/release/kernel32.def" >"$def"  # x64 names are plain
  else
    target=i686-pc-windows-msvc machine=i386 dlltool_args=(-k)
    cp "$root/tests/release/kernel32.def" "$def"
  fi
  local out="$work/msvc-$arch"
  mkdir -p "$out"
  llvm-dlltool -m "$machine" "${dlltool_args[@]}" -d "$def" -l "$out/kernel32.lib" || return 1
  clang --target="$target" -ffreestanding -fno-builtin -O1 -Wall -Wextra -Werror -I "$sdk/include" \
    -c "$root/tests/release/msvc_consumer.c" -o "$out/msvc_consumer.obj" || return 1
  lld-link /nologo /subsystem:console /entry:start /nodefaultlib "/out:$out/msvc_consumer.exe" \
    "$out/msvc_consumer.obj" "$sdk/$arch/lib/shmlink.lib" "$out/kernel32.lib" || return 1
  cp "$sdk/$arch/bin/shmlink.dll" "$out/"
  # It imports shmlink's functions from shmlink.dll by their plain names.
  objdump -p "$out/msvc_consumer.exe" | tee "$out/imports" | grep -q "DLL Name: shmlink.dll" &&
    grep -qE "^\s+[0-9a-f]+\s+[0-9]+\s+shmlink_segment_create$" "$out/imports" ||
    { echo "msvc_consumer.exe does not import shmlink_segment_create from shmlink.dll"; return 1; }
}

run_msvc_consumer() {
  build_msvc_consumer x64 || return 1
  "$root/cmake/toolchains/wine-run.sh" "$work/msvc-x64/msvc_consumer.exe" | tee "$work/msvc-x64/output"
  [ "${PIPESTATUS[0]}" -eq 0 ] || return 1
  grep -q "shmlink $version" "$work/msvc-x64/output" && grep -q "round trips ok" "$work/msvc-x64/output"
}

check "linux tarball: find_package and pkg-config consumers" tarball_consumers
check "linux .deb: find_package and pkg-config consumers" deb_consumers
check "windows SDK: contents" unpack_sdk
check "windows SDK x64: DLL, debug file, .def, import libraries" sdk_files x64
check "windows SDK x86: DLL, debug file, .def, import libraries" sdk_files x86
check "windows SDK x64: MSVC-target C program (clang, lld-link) run under Wine" run_msvc_consumer
check "windows SDK x86: MSVC-target C program (clang, lld-link) links against shmlink.lib" build_msvc_consumer x86

echo
echo "release consumers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
