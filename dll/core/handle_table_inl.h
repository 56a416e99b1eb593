#pragma once

#include "error.h"

#include <string>

namespace shmlink {

template <class T>
std::shared_ptr<T> lookup(shmlink_handle handle, int32_t kind, const char* kind_name) {
  std::shared_ptr<Object> object = handle_table().find(handle);
  if (!object) {
    fail(SHMLINK_ERR_BAD_HANDLE, handle == 0 ? std::string("handle 0 is never valid")
                                             : std::string("the handle is closed or was never opened"));
  }
  if (object->kind() != kind) fail(SHMLINK_ERR_BAD_HANDLE, std::string("the handle is not a ") + kind_name);
  return std::static_pointer_cast<T>(object);
}

}  // namespace shmlink
