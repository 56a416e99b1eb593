#include "os_error.h"

#include <cerrno>
#include <cstring>

namespace shmlink::posix {

shmlink_status status_from_errno(int error_number) noexcept {
  switch (error_number) {
    case ENOENT: return SHMLINK_ERR_NOT_FOUND;
    case EEXIST: return SHMLINK_ERR_ALREADY_EXISTS;
    case EACCES:
    case EPERM:
    case EROFS: return SHMLINK_ERR_ACCESS_DENIED;
    case ENOMEM:
    case ENOSPC:
    case EMFILE:
    case ENFILE:
    case EFBIG:
    case EOVERFLOW:
    case EDQUOT: return SHMLINK_ERR_NO_RESOURCES;
    case ENAMETOOLONG: return SHMLINK_ERR_INVALID_NAME;
    case ENOTSUP: return SHMLINK_ERR_NOT_SUPPORTED;
    case EISDIR: return SHMLINK_ERR_INVALID_ARGUMENT;  // a directory given as a file, as on Windows
    default: return SHMLINK_ERR_SYSTEM;
  }
}

void throw_errno(shmlink_status status, int error_number, const std::string& what) {
  char buffer[256];
  // The GNU strerror_r returns its text (maybe not in buffer); it never fails.
  const char* text = strerror_r(error_number, buffer, sizeof buffer);
  throw Failure(status, what + " failed", error_number, text);
}

void throw_errno(int error_number, const std::string& what) {
  throw_errno(status_from_errno(error_number), error_number, what);
}

}  // namespace shmlink::posix
