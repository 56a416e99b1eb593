# Cross compiling for 32-bit Windows with mingw-w64; programs run under Wine.
#   cmake --preset windows-i686   (tests under 32-bit Wine: scripts/wine32.sh ctest --preset windows-i686)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(SHMLINK_MINGW_PREFIX i686-w64-mingw32)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-w64-common.cmake)
