# What the mingw-w64 toolchains (mingw-w64-x86_64.cmake, mingw-w64-i686.cmake) share; each sets
# CMAKE_SYSTEM_PROCESSOR and SHMLINK_MINGW_PREFIX, then includes this.
set(CMAKE_SYSTEM_NAME Windows)

# The posix threading variants: GCC 12's win32 variant has no std::mutex or std::thread.
set(CMAKE_C_COMPILER ${SHMLINK_MINGW_PREFIX}-gcc-posix)
set(CMAKE_CXX_COMPILER ${SHMLINK_MINGW_PREFIX}-g++-posix)
set(CMAKE_RC_COMPILER ${SHMLINK_MINGW_PREFIX}-windres)

# Libraries and headers come from the mingw-w64 sysroot only; programs from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${SHMLINK_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# libgcc, libstdc++ and winpthread linked in statically, so every .exe and .dll runs with
# nothing but system DLLs next to it (under Wine and on a bare Windows machine alike).
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static")

# Test programs (ctest, gtest_discover_tests, try_run) run under Wine through this wrapper,
# which sets WINEDEBUG itself.
set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_CURRENT_LIST_DIR}/wine-run.sh")
