# Cross compiling for 64-bit Windows with mingw-w64; programs run under Wine.
#   cmake --preset windows   (or: cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=<this file>)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(SHMLINK_MINGW_PREFIX x86_64-w64-mingw32)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-w64-common.cmake)
