#!/bin/bash
# Runs a Windows program under Wine: the CMAKE_CROSSCOMPILING_EMULATOR of the mingw-w64
# toolchain, so that ctest and gtest_discover_tests work without the caller setting anything.
#  - WINEDEBUG=-all unless the caller chose otherwise: Wine's fixme/err chatter would mix with
#    the program's output (and the Debian wrapper prints a wine32 hint without it).
#  - Carriage returns are stripped from stdout: the Windows C runtime writes "\r\n", and
#    gtest_discover_tests would otherwise read every suite name with a trailing "\r".
#  - The program writes into temporary files, printed once it has exited: Wine's system
#    processes (started whenever a wineserver starts) inherit the output handles of the
#    program that started them and can outlive it by minutes; holding ctest's pipe, they
#    would make a finished test look hung until its timeout. Holding a file, they hold nothing
#    anybody waits for.
#  - The exit status is the program's, so ctest sees failures.
#  - A wineserver that outlives each program by 30 s: Debian's wineserver exits as soon as
#    its last client does, and then every test pays for booting the prefix again (seconds,
#    against a tenth of one).
#  - When this starts the server, it also boots the prefix with a no-op program whose
#    output goes nowhere: the system processes started at boot (services.exe, winedevice,
#    ...) inherit stderr and live as long as the server, and if they inherited ctest's pipe,
#    ctest would wait for them after the test itself had ended.
export WINEDEBUG="${WINEDEBUG:--all}"
wine="${SHMLINK_WINE:-wine}"
#  - Starting the server and booting the prefix happen under a lock: with tests run in
#    parallel, a program started while another invocation boots a new server's prefix can
#    fail before it runs at all (seen once: a test with no output and a failing status).
lock="${TMPDIR:-/tmp}/shmlink-wine-run.$(id -u).lock"
exec 9>"$lock" && flock 9
# Exit status 0: a new server was started; 2: one is already running.
if "${SHMLINK_WINESERVER:-wineserver}" -p30 </dev/null >/dev/null 2>&1; then
  "$wine" cmd.exe /c exit 0 </dev/null >/dev/null 2>&1
fi
flock -u 9
exec 9>&-
output=$(mktemp) && errors=$(mktemp) || exit 125
"$wine" "$@" >"$output" 2>"$errors"
status=$?
tr -d '\r' <"$output"
tr -d '\r' <"$errors" >&2
rm -f "$output" "$errors"
exit "$status"
