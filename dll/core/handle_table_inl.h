#pragma once

#include <string>

namespace shmlink {

// Why a handle was refused; null for a handle the table has.
inline const char* handle_problem(shmlink_handle handle, const std::shared_ptr<Object>& object) {
  if (object) return nullptr;
  return handle == 0 ? "handle 0 is never valid" : "the handle is closed or was never opened";
}

template <class T>
std::shared_ptr<T> find_as(shmlink_handle handle, int32_t kind, const char* kind_name, std::string* why) {
  std::shared_ptr<Object> object = handle_table().find(handle);
  if (const char* problem = handle_problem(handle, object)) {
    *why = problem;
    return nullptr;
  }
  if (object->kind() != kind) {
    *why = std::string("the handle is not a ") + kind_name;
    return nullptr;
  }
  return std::static_pointer_cast<T>(std::move(object));
}

}  // namespace shmlink
