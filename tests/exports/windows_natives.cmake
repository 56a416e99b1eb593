# include()d by check scripts: shmlink_check_windows_dll() checks one Windows DLL statically,
# as far as it can be checked without Windows (no Windows JVM exists on the build machines):
#  - the architecture is the one its folder claims (pei-x86-64 for x64, pei-i386 for x86);
#  - it imports only DLLs that a stock Windows has, or the ones it ships beside (shmlink.dll):
#    a libgcc_s, libstdc++ or libwinpthread import would fail to load on a user's machine;
#  - if EXPORT_PREFIX is given, it exports names with that prefix, none of them decorated
#    (name@N): P/Invoke and the JVM look the plain names up.
#
#   shmlink_check_windows_dll(<objdump> <dll> <x64|x86> <shipped beside: list> [EXPORT_PREFIX p])
cmake_minimum_required(VERSION 3.20)

# Lower case; api-ms-win-* and ucrt are the Universal C runtime's, part of Windows 10 and later.
set(SHMLINK_WINDOWS_SYSTEM_DLLS kernel32.dll advapi32.dll msvcrt.dll ntdll.dll user32.dll
  ws2_32.dll bcrypt.dll shell32.dll ole32.dll ucrtbase.dll)

function(shmlink_check_windows_dll objdump dll machine beside)
  cmake_parse_arguments(PARSE_ARGV 4 arg "" "EXPORT_PREFIX" "")
  if(NOT EXISTS "${dll}")
    message(FATAL_ERROR "${dll} is missing")
  endif()
  execute_process(COMMAND "${objdump}" -p "${dll}" OUTPUT_VARIABLE dump RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${objdump} -p ${dll} failed (${status})")
  endif()
  if(machine STREQUAL "x64")
    set(format "pei-x86-64")
  elseif(machine STREQUAL "x86")
    set(format "pei-i386")
  else()
    message(FATAL_ERROR "unknown machine ${machine}")
  endif()
  if(NOT dump MATCHES "file format ${format}\n")
    string(REGEX MATCH "file format [^\n]*" seen "${dump}")
    message(FATAL_ERROR "${dll}: expected ${format}, found ${seen}")
  endif()

  string(REGEX MATCHALL "DLL Name: [^\n]+" imports "${dump}")
  set(allowed ${SHMLINK_WINDOWS_SYSTEM_DLLS})
  foreach(name IN LISTS beside)
    string(TOLOWER "${name}" name)
    list(APPEND allowed "${name}")
  endforeach()
  set(seen_imports "")
  foreach(line IN LISTS imports)
    string(REGEX REPLACE "DLL Name: ([^ \t\r]+).*" "\\1" name "${line}")
    string(TOLOWER "${name}" name)
    list(APPEND seen_imports "${name}")
    if(NOT name IN_LIST allowed AND NOT name MATCHES "^api-ms-win-")
      message(FATAL_ERROR "${dll} imports ${name}, which a stock Windows does not have "
        "(allowed: system DLLs and ${beside})")
    endif()
  endforeach()
  if(NOT seen_imports)
    message(FATAL_ERROR "${dll}: no import table found in the objdump output")
  endif()

  set(export_count 0)
  if(arg_EXPORT_PREFIX)
    # The export table lists "[  n] name" after "[Ordinal/Name Pointer] Table".
    string(FIND "${dump}" "[Ordinal/Name Pointer] Table" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${dll} has no export table")
    endif()
    string(SUBSTRING "${dump}" ${at} -1 table)
    string(REGEX MATCHALL "\\[ *[0-9]+\\] [^\n]+" exports "${table}")
    foreach(line IN LISTS exports)
      string(REGEX REPLACE "\\[ *[0-9]+\\] ([^ \t\r]+).*" "\\1" name "${line}")
      if(name MATCHES "@")
        message(FATAL_ERROR "${dll} exports the decorated name ${name}: callers look up the plain name")
      endif()
      if(name MATCHES "^${arg_EXPORT_PREFIX}")
        math(EXPR export_count "${export_count} + 1")
      endif()
    endforeach()
    if(export_count EQUAL 0)
      message(FATAL_ERROR "${dll} exports nothing named ${arg_EXPORT_PREFIX}*")
    endif()
  endif()
  message(STATUS "${dll}: ${format}, imports ${seen_imports}; ${export_count} exports named ${arg_EXPORT_PREFIX}*")
endfunction()
