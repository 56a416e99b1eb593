#!/usr/bin/env bash
# Runs a command that can start 32-bit and 64-bit Windows programs under Wine, without
# installing wine32 machine-wide:
#   scripts/wine32.sh COMMAND [ARG...]     e.g. scripts/wine32.sh ctest --preset windows-i686
#
# Why not `apt-get install wine32:i386`: once installed, /usr/bin/wine picks the 32-bit loader
# and every existing 64-bit-only prefix (~/.wine, made by scripts/test.sh before) fails with
# "could not load kernel32.dll, status c0000135", for 64-bit programs too. So wine32 is unpacked
# into out/wine32 and bind-mounted over /usr/lib/wine in a private mount namespace (unshare -m,
# root needed): only the command and its children see it. libwine:i386 must be installed
# (scripts/install-deps.sh test does it); alone it changes nothing for anybody.
#
# The command runs with WINEPREFIX set to a WoW64 prefix of its own (out/wine-wow unless the
# caller set SHMLINK_WINE32_PREFIX), booted here on first use; 64-bit programs run there too.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/out/wine32"
export WINEPREFIX="${SHMLINK_WINE32_PREFIX:-$root/out/wine-wow}"
export WINEDEBUG="${WINEDEBUG:--all}"

if [ "$(id -u)" -ne 0 ]; then
  echo "wine32.sh: needs root (a private mount namespace with unshare -m)" >&2
  exit 1
fi
if [ ! -x "$dir/lib-wine/wine" ]; then
  # Debian's wine32 package for the installed wine version, unpacked, over a copy of the
  # 64-bit /usr/lib/wine.
  rm -rf "$dir" && mkdir -p "$dir/deb" "$dir/lib-wine"
  version=$(dpkg-query -W -f='${Version}' wine64)
  (cd "$dir/deb" && apt-get download -q "wine32:i386=$version" >/dev/null && dpkg-deb -x wine32_*.deb root)
  cp -a /usr/lib/wine/. "$dir/lib-wine/"
  cp -a "$dir/deb/root/usr/lib/wine/." "$dir/lib-wine/"
  rm -rf "$dir/deb"
fi

# Inside the namespace: wine32 in place; the prefix booted once (a WoW64 prefix must be made
# with the 32-bit loader present), under a lock so that parallel callers wait for it.
inner='
set -e
mount --bind "$1" /usr/lib/wine
shift
exec 9>"$WINEPREFIX.lock"
flock 9
if [ ! -d "$WINEPREFIX/drive_c/windows/syswow64" ]; then
  rm -rf "$WINEPREFIX"
  wineboot -i >/dev/null 2>&1
  wineserver -w
fi
flock -u 9
exec 9>&-
exec "$@"
'
exec unshare -m --propagation private bash -c "$inner" wine32 "$dir/lib-wine" "$@"
