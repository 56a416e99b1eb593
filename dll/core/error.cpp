#include "error.h"

#include <cstdio>
#include <cstring>

namespace shmlink {
namespace {

struct ThreadError {
  std::string message;
  int32_t os_error = 0;
  // Used when formatting the message itself fails for lack of memory.
  char fallback[160] = {};
  bool use_fallback = false;
  // A failure recorded cheaply, formatted only if someone asks (record_quick_failure).
  const char* quick_operation = nullptr;
  const char* quick_text = nullptr;
  shmlink_status quick_status = 0;
};

ThreadError& thread_error() noexcept {
  thread_local ThreadError error;
  return error;
}

}  // namespace

void record_failure(const char* operation, const char* object_name, const Failure& failure) noexcept {
  ThreadError& error = thread_error();
  error.quick_operation = nullptr;
  error.os_error = failure.os_error();
  try {
    std::string message = operation;
    if (object_name != nullptr) {
      message += "(\"";
      message += object_name;
      message += "\")";
    }
    message += ": ";
    message += status_name(failure.status());
    message += ": ";
    message += failure.detail();
    if (failure.os_error() != 0) {
      message += " (";
      message += failure.os_text().empty() ? "OS error" : failure.os_text();
      message += ", error ";
      message += std::to_string(failure.os_error());
      message += ")";
    }
    error.message = std::move(message);
    error.use_fallback = false;
  } catch (...) {
    std::snprintf(error.fallback, sizeof error.fallback, "%s: %s (out of memory while formatting the message)",
                  operation, status_name(failure.status()));
    error.use_fallback = true;
  }
}

void record_static_failure(const char* operation, shmlink_status status, const char* text) noexcept {
  ThreadError& error = thread_error();
  error.quick_operation = nullptr;
  error.os_error = 0;
  std::snprintf(error.fallback, sizeof error.fallback, "%s: %s: %s", operation, status_name(status), text);
  error.use_fallback = true;
}

void record_quick_failure(const char* operation, shmlink_status status, const char* text) noexcept {
  ThreadError& error = thread_error();
  error.os_error = 0;
  error.quick_operation = operation;
  error.quick_status = status;
  error.quick_text = text;
}

const char* last_error_message() noexcept {
  ThreadError& error = thread_error();
  if (error.quick_operation != nullptr) {
    std::snprintf(error.fallback, sizeof error.fallback, "%s: %s: %s", error.quick_operation,
                  status_name(error.quick_status), error.quick_text);
    error.use_fallback = true;
    error.quick_operation = nullptr;
  }
  return error.use_fallback ? error.fallback : error.message.c_str();
}

int32_t last_os_error() noexcept { return thread_error().os_error; }

const char* status_name(shmlink_status status) noexcept {
  switch (status) {
    case SHMLINK_OK: return "SHMLINK_OK";
    case SHMLINK_ABANDONED: return "SHMLINK_ABANDONED";
    case SHMLINK_EXISTED: return "SHMLINK_EXISTED";
    case SHMLINK_ERR_INVALID_ARGUMENT: return "SHMLINK_ERR_INVALID_ARGUMENT";
    case SHMLINK_ERR_INVALID_NAME: return "SHMLINK_ERR_INVALID_NAME";
    case SHMLINK_ERR_NOT_FOUND: return "SHMLINK_ERR_NOT_FOUND";
    case SHMLINK_ERR_ALREADY_EXISTS: return "SHMLINK_ERR_ALREADY_EXISTS";
    case SHMLINK_ERR_WRONG_KIND: return "SHMLINK_ERR_WRONG_KIND";
    case SHMLINK_ERR_ACCESS_DENIED: return "SHMLINK_ERR_ACCESS_DENIED";
    case SHMLINK_ERR_BAD_HANDLE: return "SHMLINK_ERR_BAD_HANDLE";
    case SHMLINK_ERR_OUT_OF_RANGE: return "SHMLINK_ERR_OUT_OF_RANGE";
    case SHMLINK_ERR_TIMEOUT: return "SHMLINK_ERR_TIMEOUT";
    case SHMLINK_ERR_NO_RESOURCES: return "SHMLINK_ERR_NO_RESOURCES";
    case SHMLINK_ERR_TOO_LARGE: return "SHMLINK_ERR_TOO_LARGE";
    case SHMLINK_ERR_BUFFER_TOO_SMALL: return "SHMLINK_ERR_BUFFER_TOO_SMALL";
    case SHMLINK_ERR_CORRUPT: return "SHMLINK_ERR_CORRUPT";
    case SHMLINK_ERR_INCOMPATIBLE: return "SHMLINK_ERR_INCOMPATIBLE";
    case SHMLINK_ERR_NOT_OWNER: return "SHMLINK_ERR_NOT_OWNER";
    case SHMLINK_ERR_LIMIT_EXCEEDED: return "SHMLINK_ERR_LIMIT_EXCEEDED";
    case SHMLINK_ERR_CLOSED: return "SHMLINK_ERR_CLOSED";
    case SHMLINK_ERR_NOT_SUPPORTED: return "SHMLINK_ERR_NOT_SUPPORTED";
    case SHMLINK_ERR_OVERWRITTEN: return "SHMLINK_ERR_OVERWRITTEN";
    case SHMLINK_ERR_SYSTEM: return "SHMLINK_ERR_SYSTEM";
    default: return "SHMLINK_UNKNOWN_STATUS";
  }
}

}  // namespace shmlink
