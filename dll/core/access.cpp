#include "access.h"

#include "error.h"

#include <string>

namespace shmlink {

Access parse_access(uint32_t access) {
  switch (access) {
    case SHMLINK_ACCESS_READ: return Access::Read;
    case SHMLINK_ACCESS_READ_WRITE: return Access::ReadWrite;
    case SHMLINK_ACCESS_COPY_ON_WRITE: return Access::CopyOnWrite;
    default:
      fail(SHMLINK_ERR_INVALID_ARGUMENT,
           "access " + std::to_string(access) + " is not SHMLINK_ACCESS_READ, _READ_WRITE or _COPY_ON_WRITE");
  }
}

const char* access_name(Access access) {
  switch (access) {
    case Access::Read: return "read";
    case Access::ReadWrite: return "read-write";
    case Access::CopyOnWrite: return "copy-on-write";
  }
  return "unknown";
}

}  // namespace shmlink
