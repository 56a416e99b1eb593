# 32-bit Linux (i686) on an x86_64 Debian host with gcc-multilib/g++-multilib.
#   cmake --preset linux-i686       (or: cmake -S . -B out/x -DCMAKE_TOOLCHAIN_FILE=<this file>)
# CMAKE_SYSTEM_NAME makes CMake treat this as a cross build, so tests/CMakeLists.txt builds
# GoogleTest from Debian's sources (/usr/src/googletest) rather than finding the 64-bit libgtest.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_COMPILER gcc)
set(CMAKE_CXX_COMPILER g++)
set(CMAKE_C_FLAGS_INIT "-m32")
set(CMAKE_CXX_FLAGS_INIT "-m32")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-m32")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-m32")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-m32")
set(CMAKE_LIBRARY_ARCHITECTURE i386-linux-gnu)

# Test programs run through this wrapper: directly where the machine runs 32-bit code, else
# under qemu-i386-static in a private namespace (the script says why and how).
set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_CURRENT_LIST_DIR}/i386-run.sh")
