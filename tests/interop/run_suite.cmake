# Runs a whole shmlink_tests with its peers from another folder (the interop tests of
# CMakeLists.txt beside this file):
#   cmake -DSUITE=<shmlink_tests> -DPEER_DIR=<folder as the suite sees it> -DREQUIRED=<files>
#         [-DEMULATOR=<command>] -DWORKING_DIRECTORY=<folder> -P run_suite.cmake
# REQUIRED and EMULATOR separate their items with '|'. A missing program fails the test.
string(REPLACE "|" ";" required "${REQUIRED}")
foreach(file IN LISTS required)
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "interop: ${file} does not exist. Build shmlink_tests and shmlink_peer in the build "
                        "tree of the other bitness first (SHMLINK_INTEROP_BUILD_DIR).")
  endif()
endforeach()
string(REPLACE "|" ";" emulator "${EMULATOR}")
message(STATUS "interop: ${SUITE} with SHMLINK_PEER_DIR=${PEER_DIR}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env "SHMLINK_PEER_DIR=${PEER_DIR}" ${emulator} "${SUITE}" --gtest_brief=1
  WORKING_DIRECTORY "${WORKING_DIRECTORY}"
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "interop: ${SUITE} with its peers from ${PEER_DIR} failed (${result})")
endif()
