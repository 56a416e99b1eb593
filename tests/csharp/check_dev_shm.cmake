# cmake -DPATTERNS=<glob;glob> -P check_dev_shm.cmake: fails if /dev/shm holds a shmlink object
# whose name matches one of the globs (shmlink names its files shmlink.global.<name> for
# Global\ names and shmlink.<uid>/object.<name>, in a per-user directory, for Local\ names).
set(left "")
foreach(pattern IN LISTS PATTERNS)
  file(GLOB found "/dev/shm/shmlink.global.${pattern}" "/dev/shm/shmlink.*/object.${pattern}")
  list(APPEND left ${found})
endforeach()
if(left)
  list(JOIN left "\n  " text)
  message(FATAL_ERROR "left behind in /dev/shm:\n  ${text}")
endif()
message(STATUS "nothing left in /dev/shm")
