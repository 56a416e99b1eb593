# CPack: the Linux release packages, a tarball (relocatable: extract anywhere, point
# CMAKE_PREFIX_PATH or PKG_CONFIG_PATH at it) and a .deb (installs under /usr), each holding
# what the install rules install: the library with its soname links, the headers, the CMake
# package files, shmlink.pc and the documents. scripts/package.sh runs
# `cpack -G "TGZ;DEB"` in a Release build; the package test extracts and uses both.
if(WIN32 OR NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
  return()
endif()

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64)$" AND CMAKE_SIZEOF_VOID_P EQUAL 8)
  set(SHMLINK_PACKAGE_ARCH x86_64)
  set(SHMLINK_DEB_ARCH amd64)
elseif(CMAKE_SIZEOF_VOID_P EQUAL 4 AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(i.86|x86_64|AMD64)$")
  set(SHMLINK_PACKAGE_ARCH x86)
  set(SHMLINK_DEB_ARCH i386)
else()
  set(SHMLINK_PACKAGE_ARCH ${CMAKE_SYSTEM_PROCESSOR})
  set(SHMLINK_DEB_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()

set(CPACK_PACKAGE_NAME shmlink)
set(CPACK_PACKAGE_VENDOR "The shmlink authors")
set(CPACK_PACKAGE_CONTACT "The shmlink authors")  # no address published yet
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)
set(CPACK_PACKAGE_FILE_NAME shmlink-${PROJECT_VERSION}-linux-${SHMLINK_PACKAGE_ARCH})
set(CPACK_GENERATOR TGZ DEB)
set(CPACK_SOURCE_GENERATOR "")
# Release binaries carry no debug information (strip is deterministic).
set(CPACK_STRIP_FILES ON)
set(CPACK_THREADS 1)
# The tarball is relocatable; the .deb is installed under /usr (CPACK_PROJECT_CONFIG_FILE picks
# the prefix per generator).
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_BINARY_DIR}/ShmlinkCPackOptions.cmake)
file(WRITE ${PROJECT_BINARY_DIR}/ShmlinkCPackOptions.cmake "
if(CPACK_GENERATOR STREQUAL \"DEB\")
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
else()
  set(CPACK_PACKAGING_INSTALL_PREFIX /)
endif()
")

set(CPACK_DEBIAN_PACKAGE_NAME shmlink)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${SHMLINK_DEB_ARCH})
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
# The long description under the summary line (CPACK_PACKAGE_DESCRIPTION_SUMMARY); CPack
# indents it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Named shared memory, signals, mutexes, semaphores and message channels
between processes, with the same behaviour on Linux and Windows, behind a stable C ABI.
This package holds the shared library (libshmlink.so.1), its C and C++ headers, the
CMake package files (find_package(shmlink)) and shmlink.pc.")
# The library's dependencies (libc6, libstdc++6, libgcc-s1) from dpkg-shlibdeps.
find_program(SHMLINK_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(SHMLINK_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, libstdc++6, libgcc-s1")
endif()

include(CPack)
