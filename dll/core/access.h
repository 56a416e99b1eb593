// Access modes and the rule for which views a segment handle may make.
#pragma once

#include <shmlink/shmlink.h>

#include <cstdint>

namespace shmlink {

enum class Access : uint32_t {
  Read = SHMLINK_ACCESS_READ,
  ReadWrite = SHMLINK_ACCESS_READ_WRITE,
  CopyOnWrite = SHMLINK_ACCESS_COPY_ON_WRITE,
};

// Throws Failure(INVALID_ARGUMENT) for anything but the three SHMLINK_ACCESS_* values.
Access parse_access(uint32_t access);

// Whether a handle opened with `handle_access` may map a view with `view_access`. A view
// never writes to the shared bytes unless its handle may: copy-on-write and read views
// need only read access, a read-write view needs a read-write handle.
constexpr bool view_access_allowed(Access handle_access, Access view_access) {
  return view_access != Access::ReadWrite || handle_access == Access::ReadWrite;
}

const char* access_name(Access access);

}  // namespace shmlink
