# cmake -P abi_gate_selftest.cmake: the ABI gate (abi_list.cmake's check) is tried on altered
# copies of the current headers against a baseline written from the unaltered ones. An
# appended function with a minor bump must pass; every break must fail.
#   -DHEADER=<shmlink.h> -DVERSION_HEADER=<shmlink_version.h> -DLIST=<abi_list.cmake> -DWORK=<folder>
#   [-DVERBOSE=ON: print what the gate says in each case]
cmake_minimum_required(VERSION 3.20)

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
file(READ "${HEADER}" original)
file(READ "${VERSION_HEADER}" original_version)
execute_process(COMMAND ${CMAKE_COMMAND} -DHEADER=${HEADER} -DVERSION_HEADER=${VERSION_HEADER}
    -DMODE=write -DOUT=${WORK}/baseline.txt -P ${LIST}
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "writing the baseline failed")
endif()
if(NOT original_version MATCHES "#define SHMLINK_VERSION_MINOR ([0-9]+)")
  message(FATAL_ERROR "${VERSION_HEADER}: no minor version")
endif()
math(EXPR next_minor "${CMAKE_MATCH_1} + 1")
string(REGEX REPLACE "#define SHMLINK_VERSION_MINOR [0-9]+" "#define SHMLINK_VERSION_MINOR ${next_minor}"
  bumped_version "${original_version}")

set(appended_declaration "SHMLINK_API shmlink_status SHMLINK_CALL shmlink_selftest_added(shmlink_handle handle)<semi>\n")
set(appended_member "  shmlink_status(SHMLINK_CALL* selftest_added)(shmlink_handle handle)<semi>\n} shmlink_api<semi>")

set(failures 0)
# try(<case> <expect pass|fail> <bumped?> <from> <to> [<from> <to>]...): the texts spell ";" as
# <semi>, which a CMake list would split on.
function(try name expected bump)
  set(text "${original}")
  set(replacements ${ARGN})
  while(replacements)
    list(POP_FRONT replacements from to)
    string(REPLACE "<semi>" ";" from "${from}")
    string(REPLACE "<semi>" ";" to "${to}")
    string(FIND "${text}" "${from}" position)
    if(position EQUAL -1)
      message(FATAL_ERROR "${name}: the header has no `${from}` to alter")
    endif()
    string(REPLACE "${from}" "${to}" text "${text}")
  endwhile()
  file(MAKE_DIRECTORY "${WORK}/${name}/shmlink")
  file(WRITE "${WORK}/${name}/shmlink/shmlink.h" "${text}")
  if(bump)
    file(WRITE "${WORK}/${name}/shmlink/shmlink_version.h" "${bumped_version}")
  else()
    file(WRITE "${WORK}/${name}/shmlink/shmlink_version.h" "${original_version}")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -DHEADER=${WORK}/${name}/shmlink/shmlink.h
      -DVERSION_HEADER=${WORK}/${name}/shmlink/shmlink_version.h -DMODE=check -DBASELINE=${WORK}/baseline.txt
      -P ${LIST}
    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(status EQUAL 0)
    set(outcome passes)
  else()
    set(outcome fails)
  endif()
  if(outcome STREQUAL "${expected}es" OR outcome STREQUAL "${expected}s")
    message(STATUS "${name}: ${outcome}, as it must")
    if(VERBOSE)
      message(STATUS "${output}")
    endif()
  else()
    message(STATUS "WRONG: ${name} ${outcome}; it must ${expected}:\n${output}")
    math(EXPR count "${failures} + 1")
    set(failures ${count} PARENT_SCOPE)
  endif()
endfunction()

try(unchanged pass FALSE)
try(comment_and_parameter_names_changed pass FALSE
  "SHMLINK_CALL shmlink_close(shmlink_handle handle)<semi>" "SHMLINK_CALL shmlink_close(shmlink_handle any_handle)<semi> /* new words */")
try(function_appended_with_minor_bump pass TRUE
  "SHMLINK_API const shmlink_api* SHMLINK_CALL shmlink_get_api" "${appended_declaration}SHMLINK_API const shmlink_api* SHMLINK_CALL shmlink_get_api"
  "} shmlink_api<semi>" "${appended_member}")
try(function_appended_without_bump fail FALSE
  "SHMLINK_API const shmlink_api* SHMLINK_CALL shmlink_get_api" "${appended_declaration}SHMLINK_API const shmlink_api* SHMLINK_CALL shmlink_get_api"
  "} shmlink_api<semi>" "${appended_member}")
try(function_removed fail TRUE
  "SHMLINK_API shmlink_status SHMLINK_CALL shmlink_flush(shmlink_handle view)<semi>" "")
try(parameter_type_changed fail TRUE
  "SHMLINK_CALL shmlink_mutex_lock(shmlink_handle mutex, uint32_t timeout_ms)" "SHMLINK_CALL shmlink_mutex_lock(shmlink_handle mutex, uint64_t timeout_ms)")
try(return_type_changed fail TRUE
  "SHMLINK_API int32_t SHMLINK_CALL shmlink_last_os_error(void)<semi>" "SHMLINK_API int64_t SHMLINK_CALL shmlink_last_os_error(void)<semi>")
try(table_members_swapped fail TRUE
  "  shmlink_status(SHMLINK_CALL* unmap)(shmlink_handle view)<semi>\n  shmlink_status(SHMLINK_CALL* flush)(shmlink_handle view)<semi>"
  "  shmlink_status(SHMLINK_CALL* flush)(shmlink_handle view)<semi>\n  shmlink_status(SHMLINK_CALL* unmap)(shmlink_handle view)<semi>")
try(table_member_inserted_in_the_middle fail TRUE
  "  shmlink_status(SHMLINK_CALL* flush)(shmlink_handle view)<semi>" "  shmlink_status(SHMLINK_CALL* flush)(shmlink_handle view)<semi>\n  shmlink_status(SHMLINK_CALL* flush2)(shmlink_handle view)<semi>")
try(table_member_type_changed fail TRUE
  "shmlink_status(SHMLINK_CALL* wait)(shmlink_handle waitable, uint32_t timeout_ms)<semi>" "shmlink_status(SHMLINK_CALL* wait)(shmlink_handle waitable, uint64_t timeout_ms)<semi>")
try(status_code_value_changed fail TRUE
  "#define SHMLINK_ERR_TIMEOUT (-9)" "#define SHMLINK_ERR_TIMEOUT (-19)")
try(handle_type_changed fail TRUE
  "typedef uint64_t shmlink_handle<semi>" "typedef uint32_t shmlink_handle<semi>")

file(REMOVE_RECURSE "${WORK}")
if(failures GREATER 0)
  message(FATAL_ERROR "${failures} case(s) of the ABI gate went wrong")
endif()
message(STATUS "The ABI gate passes compatible changes and fails every break tried")
