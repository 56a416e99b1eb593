# shmlink_check_version_header(<header> <version>): stops the configure when the checked-in
# version header (what users compile against, straight from include/) does not say the
# version project() says (what the library reports and the packages are named after).
function(shmlink_check_version_header header version)
  file(STRINGS "${header}" lines REGEX "^#define SHMLINK_VERSION_(MAJOR|MINOR|PATCH) ")
  set(found "")
  foreach(part MAJOR MINOR PATCH)
    set(value "")
    foreach(line IN LISTS lines)
      if(line MATCHES "^#define SHMLINK_VERSION_${part} +([0-9]+)")
        set(value "${CMAKE_MATCH_1}")
      endif()
    endforeach()
    if(value STREQUAL "")
      message(FATAL_ERROR "${header} defines no SHMLINK_VERSION_${part}")
    endif()
    list(APPEND found "${value}")
  endforeach()
  list(JOIN found "." found)
  if(NOT found STREQUAL version)
    message(FATAL_ERROR "${header} says version ${found}, CMakeLists.txt's project() says "
      "${version}: a version bump changes both (docs/versioning.md)")
  endif()
endfunction()
