# cmake -DOBJDUMP=<objdump> -DMACHINE=x64|x86 -DDLLS="<dll>|<export prefix>|<shipped beside>;..."
#       -P check_windows_natives.cmake
# Checks each DLL with shmlink_check_windows_dll (windows_natives.cmake).
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/windows_natives.cmake)
foreach(entry IN LISTS DLLS)
  string(REPLACE "|" ";" fields "${entry}")
  list(GET fields 0 dll)
  list(GET fields 1 prefix)
  list(LENGTH fields count)
  set(beside "")
  if(count GREATER 2)
    list(GET fields 2 beside)
  endif()
  shmlink_check_windows_dll("${OBJDUMP}" "${dll}" ${MACHINE} "${beside}" EXPORT_PREFIX ${prefix})
endforeach()
