# cmake -DJAVA= -DJAVAC= -DJAR= -DSHMLINK_JAR= -DWINDOWS_PLATFORMS=<windows-x86_64;windows-x86 or empty> -DSOURCE=App.java -DWORK_DIR= -P run_package_test.cmake
# Checks shmlink.jar's contents, then compiles App.java in a folder of its own against the jar
# and runs it with `java -cp shmlink.jar:. App`, with no library path set.
cmake_minimum_required(VERSION 3.20)
execute_process(COMMAND ${JAR} tf ${SHMLINK_JAR} OUTPUT_VARIABLE listing RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cannot list ${SHMLINK_JAR}")
endif()
set(expected native/linux-x86_64/libshmlink.so.1 native/linux-x86_64/libshmlink_java.so org/shmlink/Segment.class)
foreach(platform IN LISTS WINDOWS_PLATFORMS)
  list(APPEND expected native/${platform}/shmlink.dll native/${platform}/shmlink_java.dll)
endforeach()
foreach(entry IN LISTS expected)
  string(FIND "${listing}" "${entry}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${SHMLINK_JAR} lacks ${entry}")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
file(COPY ${SOURCE} ${SHMLINK_JAR} DESTINATION ${WORK_DIR})
execute_process(COMMAND ${JAVAC} -cp shmlink.jar App.java WORKING_DIRECTORY ${WORK_DIR} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "javac failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=LD_LIBRARY_PATH --unset=JAVA_TOOL_OPTIONS
    ${JAVA} -cp shmlink.jar:. App
  WORKING_DIRECTORY ${WORK_DIR} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status TIMEOUT 60)
message(STATUS "${out}${err}")
if(NOT status EQUAL 0 OR NOT out MATCHES "from the jar: ok")
  message(FATAL_ERROR "the program failed (${status})")
endif()
