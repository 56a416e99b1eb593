#include "os_error.h"

#include "wide_string.h"

#include <windows.h>

namespace shmlink::win32 {

shmlink_status status_from_win32(ErrorCode error) noexcept {
  switch (error) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND: return SHMLINK_ERR_NOT_FOUND;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS: return SHMLINK_ERR_ALREADY_EXISTS;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD:
    case ERROR_WRITE_PROTECT:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION: return SHMLINK_ERR_ACCESS_DENIED;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
    case ERROR_COMMITMENT_MINIMUM:
    case ERROR_NOT_ENOUGH_QUOTA:
    case ERROR_PAGEFILE_QUOTA:
    case ERROR_NO_SYSTEM_RESOURCES:
    case ERROR_TOO_MANY_OPEN_FILES:
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
    case ERROR_FILE_TOO_LARGE: return SHMLINK_ERR_NO_RESOURCES;
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_FILENAME_EXCED_RANGE: return SHMLINK_ERR_INVALID_NAME;
    case ERROR_NOT_SUPPORTED:
    case ERROR_CALL_NOT_IMPLEMENTED: return SHMLINK_ERR_NOT_SUPPORTED;
    default: return SHMLINK_ERR_SYSTEM;
  }
}

std::string win32_error_text(ErrorCode error) {
  wchar_t buffer[512];
  // IGNORE_INSERTS: some messages have %1 placeholders we have no arguments for.
  const DWORD length = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
                                      static_cast<DWORD>(error), MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), buffer,
                                      static_cast<DWORD>(sizeof buffer / sizeof buffer[0]), nullptr);
  if (length == 0) return {};
  std::string text = wide_to_utf8(buffer, length);
  // The system's messages end in ".\r\n"; the failure message adds its own punctuation.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '.'))
    text.pop_back();
  return text;
}

void throw_win32(shmlink_status status, ErrorCode error, const std::string& what) {
  throw Failure(status, what + " failed", static_cast<int32_t>(error), win32_error_text(error));
}

void throw_win32(ErrorCode error, const std::string& what) { throw_win32(status_from_win32(error), error, what); }

}  // namespace shmlink::win32
