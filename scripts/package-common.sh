# Sourced by scripts/package-nuget.sh, package-maven.sh and package-docs.sh: where the build
# trees and dist/ are, the version, the license, the project's addresses and a fixed time stamp.
# Every setting can be given from outside (scripts/package.sh and the release tests do):
#   SHMLINK_BUILD_DIR          the linux preset's build tree (default out/linux), built
#   SHMLINK_LINUX_X86_DIR      the linux-i686 build tree (default out/linux-i686), if built
#   SHMLINK_DIST_DIR           where the artifacts go (default dist/)
#   SHMLINK_RELEASE_WORK_DIR   scratch space (default <build tree>/release)
#   SHMLINK_PROJECT_URL, SHMLINK_REPOSITORY_URL   the project's addresses (see below)
#   SOURCE_DATE_EPOCH          the time stamp written into archives (default: the last commit's)

shmlink_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
note() { echo "$(basename "$0"): $*"; }

# An absolute path for $1, relative to the repository root when it is relative.
absolute_path() {
  case "$1" in
    /*) echo "$1" ;;
    *) echo "$shmlink_root/$1" ;;
  esac
}

build_dir=$(absolute_path "${SHMLINK_BUILD_DIR:-out/linux}")
linux_x86_dir=$(absolute_path "${SHMLINK_LINUX_X86_DIR:-out/linux-i686}")
dist_dir=$(absolute_path "${SHMLINK_DIST_DIR:-dist}")
work_dir=$(absolute_path "${SHMLINK_RELEASE_WORK_DIR:-$build_dir/release}")

[ -f "$build_dir/CMakeCache.txt" ] ||
  die "no build tree at $build_dir: build the linux preset first (cmake --preset linux && cmake --build --preset linux), or set SHMLINK_BUILD_DIR"

# The version the build tree was configured with (CMakeLists.txt's project()).
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
[ -n "$version" ] || die "$build_dir/CMakeCache.txt names no CMAKE_PROJECT_VERSION"

# The license: the SPDX identifier of the LICENSE file at the root, when there is one.
license_id=
if [ -f "$shmlink_root/LICENSE" ]; then
  license_id=$(sed -n 's/.*SPDX-License-Identifier: *\([A-Za-z0-9.+-]*\).*/\1/p' "$shmlink_root/LICENSE" | head -1)
  if [ -z "$license_id" ]; then
    if grep -q "Apache License" "$shmlink_root/LICENSE" && grep -q "Version 2.0" "$shmlink_root/LICENSE"; then
      license_id=Apache-2.0
    elif grep -q "^MIT License" "$shmlink_root/LICENSE" || grep -q "Permission is hereby granted, free of charge" "$shmlink_root/LICENSE"; then
      license_id=MIT
    elif grep -q "Redistribution and use in source and binary forms" "$shmlink_root/LICENSE"; then
      license_id=BSD-3-Clause
    else
      die "LICENSE names no license this script knows: add a line 'SPDX-License-Identifier: <id>'"
    fi
  fi
else
  license_id=MIT
  note "no LICENSE file at the repository root: the packages say MIT"
fi
case "$license_id" in
  MIT) license_name="MIT License"; license_url="https://opensource.org/licenses/MIT" ;;
  Apache-2.0) license_name="Apache License, Version 2.0"; license_url="https://www.apache.org/licenses/LICENSE-2.0.txt" ;;
  BSD-3-Clause) license_name="BSD 3-Clause License"; license_url="https://opensource.org/licenses/BSD-3-Clause" ;;
  *) license_name="$license_id"; license_url="https://spdx.org/licenses/$license_id.html" ;;
esac

# PLACEHOLDERS: the project has no public address yet. The .invalid top-level domain never
# resolves (RFC 2606), so nothing points anywhere by accident; set the real ones here (or
# through the environment) once the project is published.
project_url=${SHMLINK_PROJECT_URL:-https://shmlink.invalid/}
repository_url=${SHMLINK_REPOSITORY_URL:-https://shmlink.invalid/shmlink.git}

# One time stamp for every archive entry, so the same inputs give the same bytes.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$shmlink_root" log -1 --format=%ct 2>/dev/null || echo 315532800)
fi
export SOURCE_DATE_EPOCH
source_date_iso=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
source_commit=$(git -C "$shmlink_root" rev-parse HEAD 2>/dev/null || echo unknown)

# Copies the native library $1 into folder $2 (or strips it where it is, when $2 is its
# folder) without its debug information and local symbols, with the strip that knows its
# format (ELF or PE, by architecture).
strip_native_into() {
  local file=$1 into=$2 strip
  mkdir -p "$into"
  case "$(file -bL "$file")" in
    *PE32+*x86-64*) strip=x86_64-w64-mingw32-strip ;;
    *PE32*Intel*386*) strip=i686-w64-mingw32-strip ;;
    ELF*) strip=strip ;;
    *) die "$file: not an ELF or PE library" ;;
  esac
  command -v "$strip" >/dev/null || die "$strip is missing (scripts/install-deps.sh test)"
  if [ "$(cd "$into" && pwd)/$(basename "$file")" = "$(cd "$(dirname "$file")" && pwd)/$(basename "$file")" ]; then
    "$strip" --strip-unneeded "$file"
  else
    "$strip" --strip-unneeded -o "$into/$(basename "$file")" "$file"
  fi
}

# Writes checksum files beside $1 the way Maven repositories carry them (bare hex digests).
write_checksums() {
  local file=$1
  md5sum "$file" | cut -d' ' -f1 | tr -d '\n' >"$file.md5"
  sha1sum "$file" | cut -d' ' -f1 | tr -d '\n' >"$file.sha1"
  sha256sum "$file" | cut -d' ' -f1 | tr -d '\n' >"$file.sha256"
  sha512sum "$file" | cut -d' ' -f1 | tr -d '\n' >"$file.sha512"
}
