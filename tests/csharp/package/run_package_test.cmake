# cmake -DDOTNET=... -DSOURCE_DIR=<repo> -DBUILD_DIR=<build tree> -DVERSION=x.y.z
#       -DPUBLISHED=<folder for the Windows publishes> -DOBJDUMP=<objdump that reads PE files>
#       [-DWINDOWS_X64_DIR=<mingw x86_64 build tree>] [-DWINDOWS_X86_DIR=<mingw i686 build tree>]
#       -P run_package_test.cmake
# Packs ShmLink, checks the package's contents, then builds a console program outside the source
# tree that references only the package (from a local folder feed) as a new user would:
#  - a framework-dependent build, run with dotnet;
#  - dotnet publish -r linux-x64, run alone and against the C channel producer;
#  - dotnet publish -r win-x64 and -r win-x86 (self-contained, .NET 10), copied to PUBLISHED/<rid>,
#    where the tests csharp_package.win-x64 / .win-x86 run them under Wine (run_windows_consumer.sh).
# None of them may fail, NETSDK1152 (the managed assembly and a native library with one file
# name) included. Every program runs with a time limit.
include("${SOURCE_DIR}/tests/exports/windows_natives.cmake")
if(DEFINED ENV{TMPDIR} AND IS_DIRECTORY "$ENV{TMPDIR}")
  set(temp "$ENV{TMPDIR}")
else()
  set(temp "/tmp")
endif()
# Outside the source tree (and so outside the reach of its Directory.Build.props and NuGet.config),
# one folder per build tree: emptied when a run starts and removed when it passes, so a failed
# run leaves its folder for a look, and only until the next run.
string(MD5 build_hash "${BUILD_DIR}")
string(SUBSTRING "${build_hash}" 0 10 suffix)
set(work "${temp}/shmlink-csharp-package-${suffix}")
file(REMOVE_RECURSE "${work}")
file(MAKE_DIRECTORY "${work}/feed" "${work}/consumer")
set(messages 200)

function(run what)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${work}/consumer" TIMEOUT 300
    OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE result)
  if(NOT result EQUAL 0 OR "${output}${errors}" MATCHES "NETSDK1152")
    message(FATAL_ERROR "${what} failed (${result}):\n${output}\n${errors}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()

run("dotnet pack" "${DOTNET}" pack "${SOURCE_DIR}/bindings/csharp/ShmLink.csproj" -c Release --no-build
    -nologo -v:minimal "-p:ShmLinkBuildDir=${BUILD_DIR}" -o "${work}/feed")
set(package "${work}/feed/ShmLink.${VERSION}.nupkg")
execute_process(COMMAND ${CMAKE_COMMAND} -E tar tf "${package}" OUTPUT_VARIABLE listing RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cannot list ${package}")
endif()
# The managed assembly is ShmLink.Managed.dll: ShmLink.dll would be the native shmlink.dll's
# file name on Windows.
set(expected lib/net8.0/ShmLink.Managed.dll lib/net8.0/ShmLink.Managed.xml
  runtimes/linux-x64/native/libshmlink_csharp.so runtimes/linux-x64/native/libshmlink.so.1)
if(WINDOWS_X64_DIR)
  list(APPEND expected runtimes/win-x64/native/shmlink.dll runtimes/win-x64/native/shmlink_csharp.dll)
endif()
if(WINDOWS_X86_DIR)
  list(APPEND expected runtimes/win-x86/native/shmlink.dll runtimes/win-x86/native/shmlink_csharp.dll)
endif()
foreach(entry IN LISTS expected)
  string(FIND "${listing}" "${entry}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${package} has no ${entry}:\n${listing}")
  endif()
endforeach()
string(TOLOWER "${listing}" lower_listing)
string(REGEX MATCHALL "lib/[^/\n]+/shmlink\\.dll" clashing "${lower_listing}")
if(clashing)
  message(FATAL_ERROR "${package} has a managed assembly named like the native library: ${clashing}")
endif()

configure_file("${CMAKE_CURRENT_LIST_DIR}/consumer.csproj.in" "${work}/consumer/consumer.csproj" @ONLY)
configure_file("${SOURCE_DIR}/tests/package/consumers/dotnet/Program.cs" "${work}/consumer/Program.cs" COPYONLY)
# A package folder of its own, so the package just made is used, never a cached one. The
# machine's package folder is a fallback for the rest (the Windows runtime packs of a
# self-contained publish, which the build's Windows test programs fetched already), unless it
# holds a ShmLink package, which would then be taken instead of this one.
if(DEFINED ENV{NUGET_PACKAGES})
  set(machine_packages "$ENV{NUGET_PACKAGES}")
else()
  set(machine_packages "$ENV{HOME}/.nuget/packages")
endif()
set(fallback "")
if(IS_DIRECTORY "${machine_packages}" AND NOT EXISTS "${machine_packages}/shmlink")
  set(fallback "  <fallbackPackageFolders>
    <clear />
    <add key=\"machine\" value=\"${machine_packages}\" />
  </fallbackPackageFolders>
")
endif()
file(WRITE "${work}/consumer/NuGet.config" "<?xml version=\"1.0\" encoding=\"utf-8\"?>
<configuration>
  <packageSources>
    <clear />
    <add key=\"local\" value=\"${work}/feed\" />
    <add key=\"nuget.org\" value=\"https://api.nuget.org/v3/index.json\" protocolVersion=\"3\" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key=\"local\">
      <package pattern=\"ShmLink\" />
    </packageSource>
    <packageSource key=\"nuget.org\">
      <package pattern=\"*\" />
    </packageSource>
  </packageSourceMapping>
${fallback}</configuration>
")
set(ENV{NUGET_PACKAGES} "${work}/nuget-packages")

# Framework-dependent and portable: dotnet picks the native libraries from runtimes/<rid>/native/.
run("dotnet build" "${DOTNET}" build -c Release -nologo -v:minimal -o "${work}/portable")
run("the framework-dependent consumer" "${DOTNET}" "${work}/portable/consumer.dll")
if(NOT output MATCHES "package ok: shmlink ${VERSION} \\(X64, Linux\\)")
  message(FATAL_ERROR "the framework-dependent consumer said:\n${output}")
endif()
message(STATUS "framework-dependent: ${output}")

# The publishes: everything in one folder, where ShmLink.dll and shmlink.dll would collide.
set(rids linux-x64)
if(WINDOWS_X64_DIR)
  list(APPEND rids win-x64)
endif()
if(WINDOWS_X86_DIR)
  list(APPEND rids win-x86)
endif()
foreach(rid IN LISTS rids)
  if(rid STREQUAL "linux-x64")
    set(self_contained --self-contained false)
    set(natives libshmlink.so.1 libshmlink_csharp.so)
  else()
    set(self_contained --self-contained true)
    set(natives shmlink.dll shmlink_csharp.dll consumer.exe)
  endif()
  run("dotnet publish -r ${rid}" "${DOTNET}" publish -c Release -nologo -v:minimal -r ${rid} ${self_contained}
    -o "${work}/publish/${rid}")
  foreach(file ShmLink.Managed.dll ${natives})
    if(NOT EXISTS "${work}/publish/${rid}/${file}")
      message(FATAL_ERROR "dotnet publish -r ${rid} made no ${file}")
    endif()
  endforeach()
  # The published Windows natives, checked without running them (also where Wine cannot run
  # them): the RID's architecture, plain export names, no imports beyond Windows and shmlink.dll.
  if(NOT rid STREQUAL "linux-x64")
    if(NOT OBJDUMP)
      message(FATAL_ERROR "no objdump that reads PE files (-DOBJDUMP): install binutils-mingw-w64")
    endif()
    string(REPLACE "win-" "" machine "${rid}")
    shmlink_check_windows_dll("${OBJDUMP}" "${work}/publish/${rid}/shmlink.dll" ${machine} "" EXPORT_PREFIX shmlink_)
    shmlink_check_windows_dll("${OBJDUMP}" "${work}/publish/${rid}/shmlink_csharp.dll" ${machine} shmlink.dll
      EXPORT_PREFIX CSharp_)
    message(STATUS "${rid}: shmlink.dll and shmlink_csharp.dll are ${machine}, with plain exports")
  endif()
endforeach()

string(RANDOM LENGTH 10 run_id)
# linux-x64: alone, then receiving the C producer's messages (the two run side by side).
run("the linux-x64 consumer" "${work}/publish/linux-x64/consumer")
message(STATUS "linux-x64: ${output}")
execute_process(
  COMMAND "${BUILD_DIR}/bin/shmlink_channel_producer" "shmlink-cs-test.package-${run_id}" ${messages}
  COMMAND "${work}/publish/linux-x64/consumer" receive "shmlink-cs-test.package-${run_id}" ${messages}
  TIMEOUT 60 OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULTS_VARIABLE results)
if(NOT results STREQUAL "0;0" OR NOT output STREQUAL "received ${messages} messages in order (X64, Linux)\n")
  message(FATAL_ERROR "the C producer and the linux-x64 consumer failed (${results}):\n${output}\n${errors}")
endif()
message(STATUS "linux-x64: ${output}")

# win-x64 and win-x86: kept for csharp_package.win-x64 / .win-x86, which run them under Wine.
file(REMOVE_RECURSE "${PUBLISHED}")
foreach(rid IN LISTS rids)
  if(NOT rid STREQUAL "linux-x64")
    file(COPY "${work}/publish/${rid}" DESTINATION "${PUBLISHED}")
  endif()
endforeach()
file(REMOVE_RECURSE "${work}")
