// errno to shmlink status and message.
#pragma once

#include "../core/error.h"

#include <string>

namespace shmlink::posix {

shmlink_status status_from_errno(int error_number) noexcept;

// Throws Failure with the status for `error_number`, `what` failed as the detail and the
// errno text.
[[noreturn]] void throw_errno(int error_number, const std::string& what);

// The same with an explicit status, where the errno alone would say the wrong thing.
[[noreturn]] void throw_errno(shmlink_status status, int error_number, const std::string& what);

}  // namespace shmlink::posix
