#!/usr/bin/env bash
# in_wine.sh RID COMMAND [ARG...]
# Runs COMMAND (which starts Windows programs with `wine`) where Windows .NET programs of RID
# (win-x64 or win-x86) run under Wine, with the prefix booted and its server started first:
#  - win-x64: the machine's 64-bit Wine and prefix, as the windows preset's tests use them;
#  - win-x86: scripts/wine32.sh (32-bit Wine in a private mount namespace, its WoW64 prefix;
#    root needed), where 64-bit programs run too. That needs a kernel that runs 32-bit
#    programs: where it runs none (no IA32 emulation: exec format error), this exits 77, which
#    ctest reports as a skipped test (scripts/test.sh counts it as skipped, not passed).
# .NET 10 under Wine 8 needs W^X off (or the finalizer thread dies: Internal CLR error
# 0x80131506); winedbg is disabled so that an unhandled exception is a failing exit status
# (0xE0434352), not a debugger and exit 0.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 win-x64|win-x86 COMMAND [ARG...]" >&2; exit 2; }
rid=$1
shift
root=$(cd "$(dirname "$0")/../../.." && pwd)
export DOTNET_EnableWriteXorExecute=0 WINEDLLOVERRIDES=winedbg.exe=d WINEDEBUG="${WINEDEBUG:--all}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Boots the prefix and starts a lingering server the way cmake/toolchains/wine-run.sh does
# (Wine's system processes must not inherit the caller's output), then runs the command.
boot='"$0/cmake/toolchains/wine-run.sh" cmd.exe /c exit 0 || { echo "in_wine.sh: Wine does not start" >&2; exit 125; }
exec "$@"'
case "$rid" in
  win-x64)
    exec bash -c "$boot" "$root" "$@"
    ;;
  win-x86)
    if [ ! -e /lib/ld-linux.so.2 ]; then
      echo "in_wine.sh: no /lib/ld-linux.so.2: libwine:i386 is not installed (scripts/install-deps.sh test)" >&2
      exit 1
    fi
    status=0
    /lib/ld-linux.so.2 --version >/dev/null 2>&1 || status=$?
    if [ "$status" -eq 126 ]; then
      echo "in_wine.sh: SKIPPED: this kernel runs no 32-bit programs (exec format error: no IA32 emulation), so 32-bit Wine cannot start" >&2
      exit 77
    fi
    exec "$root/scripts/wine32.sh" bash -c "$boot" "$root" "$@"
    ;;
  *)
    echo "in_wine.sh: unknown RID $rid" >&2
    exit 2
    ;;
esac
