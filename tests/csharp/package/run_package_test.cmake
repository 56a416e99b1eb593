# cmake -DDOTNET=... -DSOURCE_DIR=<repo> -DBUILD_DIR=<build tree> -DVERSION=x.y.z [-DWINDOWS=ON]
#       -P run_package_test.cmake
# Packs ShmLink, checks the package's contents, then builds and runs a console program outside
# the source tree that references only the package, from a local folder feed.
# Outside the source tree (and so outside the reach of its Directory.Build.props and NuGet.config).
if(DEFINED ENV{TMPDIR} AND IS_DIRECTORY "$ENV{TMPDIR}")
  set(temp "$ENV{TMPDIR}")
else()
  set(temp "/tmp")
endif()
string(RANDOM LENGTH 10 suffix)
set(work "${temp}/shmlink-csharp-package-${suffix}")
file(MAKE_DIRECTORY "${work}/feed" "${work}/consumer")

execute_process(COMMAND "${DOTNET}" pack "${SOURCE_DIR}/bindings/csharp/ShmLink.csproj" -c Release --no-build
    -nologo -v:minimal "-p:ShmLinkBuildDir=${BUILD_DIR}" -o "${work}/feed"
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "dotnet pack failed (${result})")
endif()
set(package "${work}/feed/ShmLink.${VERSION}.nupkg")
execute_process(COMMAND ${CMAKE_COMMAND} -E tar tf "${package}" OUTPUT_VARIABLE listing RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cannot list ${package}")
endif()
set(expected lib/net8.0/ShmLink.dll lib/net8.0/ShmLink.xml
  runtimes/linux-x64/native/libshmlink_csharp.so runtimes/linux-x64/native/libshmlink.so.1)
if(WINDOWS)
  list(APPEND expected runtimes/win-x64/native/shmlink.dll runtimes/win-x64/native/shmlink_csharp.dll)
endif()
foreach(entry IN LISTS expected)
  string(FIND "${listing}" "${entry}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${package} has no ${entry}:\n${listing}")
  endif()
endforeach()

configure_file("${CMAKE_CURRENT_LIST_DIR}/consumer.csproj.in" "${work}/consumer/consumer.csproj" @ONLY)
configure_file("${CMAKE_CURRENT_LIST_DIR}/Program.cs" "${work}/consumer/Program.cs" COPYONLY)
file(WRITE "${work}/consumer/NuGet.config" "<?xml version=\"1.0\" encoding=\"utf-8\"?>
<configuration>
  <packageSources>
    <clear />
    <add key=\"local\" value=\"${work}/feed\" />
  </packageSources>
</configuration>
")
# A package folder of its own, so the package just made is used, never a cached one.
set(ENV{NUGET_PACKAGES} "${work}/nuget-packages")
execute_process(COMMAND "${DOTNET}" run -c Release -nologo
  WORKING_DIRECTORY "${work}/consumer"
  OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE result)
if(NOT result EQUAL 0 OR NOT output MATCHES "package ok: shmlink ${VERSION}")
  message(FATAL_ERROR "the consumer program failed (${result}):\n${output}\n${errors}")
endif()
message(STATUS "${output}")
file(REMOVE_RECURSE "${work}")
