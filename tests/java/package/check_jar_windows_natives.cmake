# cmake -DJAR=<jar tool> -DSHMLINK_JAR=<shmlink.jar> -DPLATFORMS="windows-x86_64;windows-x86"
#       -DOBJDUMP=<objdump> -DWORK_DIR=<scratch folder> -P check_jar_windows_natives.cmake
# The Windows natives inside shmlink.jar, checked statically (no Windows JVM can run them here):
# each platform folder the build claims is there, with the right architecture, the JNI entry
# points under the names the JVM looks up, and no dependency a stock Windows lacks.
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/../../exports/windows_natives.cmake)

if(NOT PLATFORMS)
  message(FATAL_ERROR "no Windows platforms given: the jar was built without Windows natives")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
execute_process(COMMAND "${JAR}" xf "${SHMLINK_JAR}" native WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cannot extract native/ from ${SHMLINK_JAR}")
endif()
foreach(platform IN LISTS PLATFORMS)
  if(platform STREQUAL "windows-x86_64")
    set(machine x64)
  elseif(platform STREQUAL "windows-x86")
    set(machine x86)
  else()
    message(FATAL_ERROR "unknown platform ${platform}")
  endif()
  set(dir "${WORK_DIR}/native/${platform}")
  shmlink_check_windows_dll("${OBJDUMP}" "${dir}/shmlink.dll" ${machine} "" EXPORT_PREFIX shmlink_)
  shmlink_check_windows_dll("${OBJDUMP}" "${dir}/shmlink_java.dll" ${machine} "shmlink.dll"
    EXPORT_PREFIX Java_org_shmlink_)
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
