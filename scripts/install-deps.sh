#!/usr/bin/env bash
# Installs the Debian packages shmlink needs that are missing. Usage:
#   scripts/install-deps.sh demo   what building the library and the examples needs
#   scripts/install-deps.sh fuzz   what the fuzz target needs (scripts/fuzz.sh)
#   scripts/install-deps.sh bench  what scripts/bench.sh needs: the benchmarks and their plot
#   scripts/install-deps.sh package  what scripts/package.sh needs to make a release
#   scripts/install-deps.sh test   everything the whole test suite needs (default), fuzzing and
#                                  packaging included
set -euo pipefail

profile=${1:-test}
packages=(cmake g++ make pkg-config)
if [ "$profile" = test ] || [ "$profile" = fuzz ]; then
  # libFuzzer and the sanitizers' runtimes are in libclang-rt-dev, which clang only recommends.
  packages+=(clang libclang-rt-dev)
fi
if [ "$profile" = test ]; then
  packages+=(libgtest-dev googletest g++-mingw-w64-x86-64 wine wine64 swig
    openjdk-17-jdk-headless junit5 libboost-dev
    g++-mingw-w64-i686 gcc-multilib g++-multilib qemu-user-static
    # wine32's libraries, never wine32 itself (scripts/wine32.sh says why)
    libwine:i386)
fi
if [ "$profile" = test ] || [ "$profile" = package ]; then
  # The release (scripts/package.sh) and the ABI gate: the Windows SDK's MSVC import libraries
  # (llvm-dlltool) and its consumer (clang for *-windows-msvc, lld-link), the .deb (dpkg-dev's
  # dpkg-shlibdeps), zip/unzip, abidiff. The Windows DLLs need the mingw-w64 compilers.
  packages+=(clang llvm lld dpkg-dev zip unzip abigail-tools g++-mingw-w64-x86-64 g++-mingw-w64-i686 wine wine64
    # the bindings' release scripts and their tests (scripts/package-{nuget,maven,docs}.sh):
    # the API reference, and Maven offline with Debian's plugins (/usr/share/maven-repo)
    doxygen maven libmaven-compiler-plugin-java libmaven-resources-plugin-java
    libmaven-install-plugin-java file swig openjdk-17-jdk-headless)
elif [ "$profile" = bench ]; then
  packages+=(libboost-dev python3-matplotlib)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing Debian packages: ${missing[*]}"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
# The 32-bit runs need i386 packages (libwine:i386; scripts/wine32.sh downloads wine32:i386).
if [[ " ${missing[*]} " == *":i386 "* ]] && ! dpkg --print-foreign-architectures | grep -qx i386; then
  "${sudo[@]}" dpkg --add-architecture i386
fi
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
