# The bindings' release artifacts, made by scripts/package-nuget.sh, package-maven.sh and
# package-docs.sh into a dist/ of the test's own and used from outside the source tree as
# users do (release_bindings_test.sh says how). Label "release". Registered where the build
# tree has the binding each needs (the linux preset has both).
set(release_kinds "")
if(SHMLINK_BUILD_CSHARP)
  list(APPEND release_kinds nuget)
endif()
if(SHMLINK_BUILD_JAVA)
  list(APPEND release_kinds maven)
endif()
if(SHMLINK_BUILD_CSHARP AND SHMLINK_BUILD_JAVA)
  list(APPEND release_kinds docs)
endif()
foreach(kind IN LISTS release_kinds)
  add_test(NAME release.${kind}
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/release_bindings_test.sh ${kind} ${PROJECT_BINARY_DIR})
  # One at a time: each runs dotnet, Maven or docfx builds that want the whole machine.
  set_tests_properties(release.${kind} PROPERTIES LABELS release TIMEOUT 900
    RESOURCE_LOCK shmlink_release_build)
endforeach()
