// GetLastError() codes to shmlink status and message (the Windows twin of posix/os_error.h).
#pragma once

#include "../core/error.h"

#include <cstdint>
#include <string>

namespace shmlink::win32 {

// DWORD without <windows.h>, so that this header stays light.
using ErrorCode = unsigned long;

// The status for `error` where nothing more specific is known. ERROR_INVALID_HANDLE is not
// mapped to WRONG_KIND here: that meaning holds only for calls that take a name, which pass
// the status explicitly.
shmlink_status status_from_win32(ErrorCode error) noexcept;

// The system's text for `error` (FormatMessageW, as UTF-8, without the trailing newline or
// period); empty if the system has none.
std::string win32_error_text(ErrorCode error);

// Throws Failure with the status for `error`, `what` failed as the detail and the error text.
[[noreturn]] void throw_win32(ErrorCode error, const std::string& what);

// The same with an explicit status, where the error code alone would say the wrong thing.
[[noreturn]] void throw_win32(shmlink_status status, ErrorCode error, const std::string& what);

}  // namespace shmlink::win32
