# install(): the library, its headers, a CMake package (find_package(shmlink) gives
# shmlink::shmlink) and a pkg-config file.
include(CMakePackageConfigHelpers)

install(TARGETS shmlink EXPORT shmlinkTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES
  include/shmlink/shmlink.h
  include/shmlink/shmlink.hpp
  include/shmlink/shmlink_loader.h
  include/shmlink/shmlink_version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/shmlink)

set(SHMLINK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/shmlink)
install(EXPORT shmlinkTargets NAMESPACE shmlink:: DESTINATION ${SHMLINK_CMAKE_DIR})
configure_package_config_file(cmake/shmlinkConfig.cmake.in "${PROJECT_BINARY_DIR}/shmlinkConfig.cmake"
  INSTALL_DESTINATION ${SHMLINK_CMAKE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/shmlinkConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/shmlinkConfig.cmake" "${PROJECT_BINARY_DIR}/shmlinkConfigVersion.cmake"
  DESTINATION ${SHMLINK_CMAKE_DIR})

# shmlink.pc finds its prefix from where it is installed (${pcfiledir}), so a tree installed
# with `cmake --install --prefix <elsewhere>` or moved later still points at itself.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(SHMLINK_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH SHMLINK_PC_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  string(REGEX REPLACE "/$" "" SHMLINK_PC_PREFIX "${SHMLINK_PC_PREFIX}")
  set(SHMLINK_PC_PREFIX "\${pcfiledir}/${SHMLINK_PC_PREFIX}")
endif()
configure_file(cmake/shmlink.pc.in "${PROJECT_BINARY_DIR}/shmlink.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/shmlink.pc" DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The licence, the change log and the README go with every installed copy.
install(FILES LICENSE CHANGELOG.md README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
