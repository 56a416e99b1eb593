#!/bin/bash
# Runs a Windows program under Wine: the CMAKE_CROSSCOMPILING_EMULATOR of the mingw-w64
# toolchain, so that ctest and gtest_discover_tests work without the caller setting anything.
#  - WINEDEBUG=-all unless the caller chose otherwise: Wine's fixme/err chatter would mix with
#    the program's output (and the Debian wrapper prints a wine32 hint without it).
#  - Carriage returns are stripped from stdout: the Windows C runtime writes "\r\n", and
#    gtest_discover_tests would otherwise read every suite name with a trailing "\r".
#  - The exit status is the program's (pipefail), so ctest sees failures.
set -o pipefail
export WINEDEBUG="${WINEDEBUG:--all}"
"${SHMLINK_WINE:-wine}" "$@" | tr -d '\r'
