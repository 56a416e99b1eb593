# shmlink_warnings(target): the warning level every target of ours builds with.
function(shmlink_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>)
  if(SHMLINK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
