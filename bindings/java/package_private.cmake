# cmake -DFROM=<swig output dir> -DTO=<dir> -DNAMES=<files> -P package_private.cmake
# Copies SWIG's generated Java files, making the one type SWIG always declares public (the
# constants interface) package-private like the rest of the generated layer.
cmake_minimum_required(VERSION 3.20)
file(MAKE_DIRECTORY "${TO}")
foreach(name IN LISTS NAMES)
  if(NOT EXISTS "${FROM}/${name}")
    message(FATAL_ERROR "SWIG did not generate ${FROM}/${name}")
  endif()
  file(READ "${FROM}/${name}" text)
  string(REPLACE "public interface " "interface " text "${text}")
  file(WRITE "${TO}/${name}" "${text}")
endforeach()
file(GLOB all RELATIVE "${FROM}" "${FROM}/*.java")
foreach(name IN LISTS all)
  if(NOT name IN_LIST NAMES)
    message(FATAL_ERROR "SWIG generated ${name}, which bindings/java/CMakeLists.txt does not compile")
  endif()
endforeach()
