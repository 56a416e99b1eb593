# cmake -P run_package_test.cmake: installs a built shmlink tree into a fresh prefix, then builds
# and runs consumers of the installed copy the two ways users do: find_package(shmlink) and
# pkg-config. Run by ctest (tests/package/CMakeLists.txt passes the variables below).
#
#   BUILD_DIR CONFIG WORK_DIR CONSUMER_SOURCE GENERATOR MAKE_PROGRAM C_COMPILER CXX_COMPILER
#   LIBDIR PKG_CONFIG SANITIZE
cmake_minimum_required(VERSION 3.20)

# Segment names no concurrent run uses.
string(RANDOM LENGTH 12 NAME_SUFFIX)

set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/consumer-build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# Runs a command; stops the test with its output if it fails.
function(run description)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "${description} failed (${result}):\n  ${command}\n${output}")
  endif()
  message(STATUS "${description}: ok")
  set(run_output "${output}" PARENT_SCOPE)
endfunction()

set(sanitize_flags "")
if(SANITIZE)
  set(sanitize_flags "-fsanitize=${SANITIZE}")
endif()

# ---- Install ----
set(config_args "")
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()
run("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}" ${config_args})

# ---- find_package(shmlink) + shmlink::shmlink ----
set(generator_args -G "${GENERATOR}")
if(MAKE_PROGRAM)
  list(APPEND generator_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
run("configure the find_package consumer" "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE}" -B "${consumer_build}"
  ${generator_args}
  "-DCMAKE_PREFIX_PATH=${prefix}"
  "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_BUILD_TYPE=${CONFIG}"
  "-DCMAKE_C_FLAGS=${sanitize_flags}" "-DCMAKE_CXX_FLAGS=${sanitize_flags}"
  "-DCMAKE_EXE_LINKER_FLAGS=${sanitize_flags}")
# It must have found the copy just installed, not one installed elsewhere on this machine.
file(STRINGS "${consumer_build}/CMakeCache.txt" found_dir REGEX "^shmlink_DIR:")
string(REGEX REPLACE "^[^=]*=" "" found_dir "${found_dir}")
file(REAL_PATH "${found_dir}" found_dir)
file(REAL_PATH "${prefix}" real_prefix)
string(FIND "${found_dir}/" "${real_prefix}/" at)
if(NOT at EQUAL 0)
  message(FATAL_ERROR "find_package(shmlink) found ${found_dir}, not the copy installed in ${prefix}")
endif()
run("build the find_package consumer" "${CMAKE_COMMAND}" --build "${consumer_build}" ${config_args})
foreach(program consumer_c consumer_cpp)
  set(executable "${consumer_build}/${program}")
  if(CONFIG AND NOT EXISTS "${executable}")
    set(executable "${consumer_build}/${CONFIG}/${program}")
  endif()
  run("run ${program}" "${executable}" "shmlink-package-${program}-${NAME_SUFFIX}")
  message(STATUS "  ${run_output}")
endforeach()

# ---- pkg-config --cflags --libs shmlink ----
set(ENV{PKG_CONFIG_PATH} "${prefix}/${LIBDIR}/pkgconfig")
run("pkg-config --cflags --libs shmlink" "${PKG_CONFIG}" --cflags --libs shmlink)
string(STRIP "${run_output}" pkg_flags)
message(STATUS "  pkg-config: ${pkg_flags}")
# The flags must point into the prefix the package was installed to.
string(FIND "${pkg_flags}" "-I${prefix}/" include_at)
string(FIND "${pkg_flags}" "-L${prefix}/${LIBDIR}" lib_at)
if(include_at EQUAL -1 OR lib_at EQUAL -1)
  message(FATAL_ERROR "shmlink.pc installed in ${prefix} does not point there: pkg-config gives\n  ${pkg_flags}\n"
    "(shmlink.pc must follow the install prefix, e.g. prefix=\${pcfiledir}/../..)")
endif()
separate_arguments(pkg_flags UNIX_COMMAND "${pkg_flags}")
separate_arguments(sanitize_list UNIX_COMMAND "${sanitize_flags}")
run("compile the pkg-config consumer" "${C_COMPILER}" ${sanitize_list} "${CONSUMER_SOURCE}/consumer.c"
  ${pkg_flags} -o "${WORK_DIR}/consumer_pkgconfig")
set(ENV{LD_LIBRARY_PATH} "${prefix}/${LIBDIR}")
run("run the pkg-config consumer" "${WORK_DIR}/consumer_pkgconfig" "shmlink-package-pkgconfig-${NAME_SUFFIX}")
message(STATUS "  ${run_output}")

file(REMOVE_RECURSE "${WORK_DIR}")
