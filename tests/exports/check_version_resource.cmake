# cmake -P check_version_resource.cmake -DDLL=<shmlink.dll> -DVERSION=<MAJOR.MINOR.PATCH>: the
# DLL carries a version resource (VS_VERSION_INFO) saying this version: its fixed part holds
# the VS_FIXEDFILEINFO signature 0xFEEF04BD and MAJOR,MINOR,PATCH,0 as FILEVERSION, its string
# part "FileVersion" and "ProductVersion" = VERSION in UTF-16.
cmake_minimum_required(VERSION 3.20)
file(READ "${DLL}" hex HEX)

# UTF-16LE of an ASCII text, as lowercase hex.
function(utf16 text out)
  string(HEX "${text}" ascii)
  string(REGEX REPLACE "(..)" "\\100" wide "${ascii}")
  set(${out} "${wide}" PARENT_SCOPE)
endfunction()

# A 16-bit little-endian number as hex.
function(le16 value out)
  math(EXPR low "${value} & 255" OUTPUT_FORMAT HEXADECIMAL)
  math(EXPR high "(${value} >> 8) & 255" OUTPUT_FORMAT HEXADECIMAL)
  foreach(byte low high)
    string(REGEX REPLACE "^0x" "" ${byte} "${${byte}}")
    string(LENGTH "${${byte}}" length)
    if(length EQUAL 1)
      set(${byte} "0${${byte}}")
    endif()
  endforeach()
  set(${out} "${low}${high}" PARENT_SCOPE)
endfunction()

string(REPLACE "." ";" parts "${VERSION}")
list(GET parts 0 major)
list(GET parts 1 minor)
list(GET parts 2 patch)
le16(${major} major_hex)
le16(${minor} minor_hex)
le16(${patch} patch_hex)
# dwSignature, dwStrucVersion, then dwFileVersionMS = MAJOR<<16 | MINOR, dwFileVersionLS = PATCH<<16.
set(fixed "bd04effe00000100${minor_hex}${major_hex}0000${patch_hex}")
set(problems "")
string(FIND "${hex}" "${fixed}" at)
if(at EQUAL -1)
  list(APPEND problems "no VS_FIXEDFILEINFO with FILEVERSION ${major},${minor},${patch},0")
endif()
foreach(key FileVersion ProductVersion)
  utf16("${key}" key_hex)
  utf16("${VERSION}" value_hex)
  # The key, its NUL and padding to 32 bits, then the value.
  if(NOT hex MATCHES "${key_hex}0000(0000)?${value_hex}0000")
    list(APPEND problems "no \"${key}\" = \"${VERSION}\" string")
  endif()
endforeach()
if(problems)
  list(JOIN problems "; " text)
  message(FATAL_ERROR "${DLL}: ${text}")
endif()
message(STATUS "${DLL}: version resource ${VERSION}")
