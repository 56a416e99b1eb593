// Every exported function runs its body through guarded(): nothing thrown inside the
// library crosses the C boundary. Failures are recorded for the calling thread and turned
// into their status.
#pragma once

#include "../core/error.h"

#include <new>

namespace shmlink {

template <class Body>
shmlink_status guarded(const char* operation, const char* object_name, Body&& body) noexcept {
  try {
    return body();
  } catch (const Failure& failure) {
    record_failure(operation, object_name, failure);
    return failure.status();
  } catch (const std::bad_alloc&) {
    record_static_failure(operation, SHMLINK_ERR_NO_RESOURCES, "out of memory");
    return SHMLINK_ERR_NO_RESOURCES;
  } catch (...) {
    record_static_failure(operation, SHMLINK_ERR_SYSTEM, "unexpected internal error");
    return SHMLINK_ERR_SYSTEM;
  }
}

// Outputs of handle type are set to 0 on failure (the contract); this clears one up front.
inline void clear_handle(shmlink_handle* out) noexcept {
  if (out != nullptr) *out = 0;
}

inline void require_output(const void* out, const char* what) {
  if (out == nullptr) fail(SHMLINK_ERR_INVALID_ARGUMENT, std::string(what) + " is NULL");
}

}  // namespace shmlink
