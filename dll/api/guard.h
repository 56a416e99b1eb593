// Every exported function runs its body through guarded(): nothing thrown inside the
// library crosses the C boundary. Failures are recorded for the calling thread and turned
// into their status.
#pragma once

#include "../core/error.h"

#include <cstdio>
#include <new>
#include <string>

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

// Records an expected failure without throwing and returns its status: for outcomes that
// callers poll for (a wait that timed out), where an exception would be the slow part.
inline shmlink_status report_failure(const char* operation, shmlink_status status, std::string detail) {
  record_failure(operation, nullptr, Failure(status, std::move(detail)));
  return status;
}

// Reports a handle that is 0, closed, unknown or of the wrong kind.
inline shmlink_status bad_handle(const char* operation, std::string why) {
  return report_failure(operation, SHMLINK_ERR_BAD_HANDLE, std::move(why));
}

// Outputs of handle type are set to 0 on failure (the contract); this clears one up front.
inline void clear_handle(shmlink_handle* out) noexcept {
  if (out != nullptr) *out = 0;
}

inline void require_output(const void* out, const char* what) {
  if (out == nullptr) fail(SHMLINK_ERR_INVALID_ARGUMENT, std::string(what) + " is NULL");
}

// Refuses flag bits outside `allowed` (INVALID_ARGUMENT, naming the unknown bits).
inline void check_flags(uint32_t flags, uint32_t allowed) {
  if ((flags & ~allowed) != 0) {
    char text[64];
    std::snprintf(text, sizeof text, "unknown flag bits 0x%X", flags & ~allowed);
    fail(SHMLINK_ERR_INVALID_ARGUMENT, text);
  }
}

}  // namespace shmlink
