// The error model inside the library: failures travel as `Failure` exceptions from wherever
// they are detected up to the exported function, which records them for this thread
// (shmlink_last_error_message / shmlink_last_os_error) and returns the status.
#pragma once

#include <shmlink/shmlink.h>

#include <cstdint>
#include <exception>
#include <string>
#include <type_traits>

namespace shmlink {

class Failure : public std::exception {
 public:
  // `detail` says what went wrong in words; `os_error` is the errno / GetLastError() behind
  // it (0 if none) and `os_text` that error's description.
  Failure(shmlink_status status, std::string detail, int32_t os_error = 0, std::string os_text = {})
      : status_(status), os_error_(os_error), detail_(std::move(detail)), os_text_(std::move(os_text)) {}

  shmlink_status status() const noexcept { return status_; }
  int32_t os_error() const noexcept { return os_error_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& os_text() const noexcept { return os_text_; }
  const char* what() const noexcept override { return detail_.c_str(); }

 private:
  shmlink_status status_;
  int32_t os_error_;
  std::string detail_;
  std::string os_text_;
};

[[noreturn]] inline void fail(shmlink_status status, std::string detail) {
  throw Failure(status, std::move(detail));
}

// Runs `operation` between two calls of `check` (which throws a Failure of its own when it
// finds something wrong): before it, and after it whether it returned or threw a Failure, so
// that what `check` knows to be the cause replaces whatever the operation made of it (Linux:
// an object whose file was truncated under its mapping, dll/posix/sigbus_guard.h). Returns
// what the operation returns.
template <class Check, class Operation>
auto between_checks(Check&& check, Operation&& operation) {
  check();
  const auto run = [&]() -> decltype(operation()) {
    try {
      return operation();
    } catch (const Failure&) {
      check();
      throw;
    }
  };
  if constexpr (std::is_void_v<decltype(operation())>) {
    run();
    check();
  } else {
    auto result = run();
    check();
    return result;
  }
}

// Records a failure of `operation` on `object_name` (may be null) for the calling thread.
void record_failure(const char* operation, const char* object_name, const Failure& failure) noexcept;

// Records a failure without allocating (for std::bad_alloc and unknown exceptions).
void record_static_failure(const char* operation, shmlink_status status, const char* text) noexcept;

// Records an expected failure that callers may poll for (a channel found empty with timeout
// 0) at the cost of three stores: the message is formatted when asked for. `operation` and
// `text` must be string literals.
void record_quick_failure(const char* operation, shmlink_status status, const char* text) noexcept;

const char* last_error_message() noexcept;
int32_t last_os_error() noexcept;

// "SHMLINK_ERR_NOT_FOUND" etc; "SHMLINK_UNKNOWN_STATUS" for anything else.
const char* status_name(shmlink_status status) noexcept;

}  // namespace shmlink
