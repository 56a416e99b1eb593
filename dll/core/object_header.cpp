#include "object_header.h"

#include "error.h"

#include <string>

namespace shmlink {

void validate_header(const ObjectHeader& header, uint64_t object_bytes, int32_t expected_kind) {
  if (header.magic != kHeaderMagic) fail(SHMLINK_ERR_CORRUPT, "the object's header has no shmlink magic");
  if (header.layout_version != kLayoutVersion)
    fail(SHMLINK_ERR_INCOMPATIBLE, "the object has layout version " + std::to_string(header.layout_version) +
                                       "; this library reads version " + std::to_string(kLayoutVersion));
  if (header.kind != expected_kind)
    fail(SHMLINK_ERR_WRONG_KIND, std::string("the name belongs to a ") + kind_name(header.kind) + ", not a " +
                                     kind_name(expected_kind));
  if (header.state != kStateReady) fail(SHMLINK_ERR_CORRUPT, "the object was never fully initialized");
  if (header.header_bytes != kHeaderPageBytes) fail(SHMLINK_ERR_CORRUPT, "the object's header size is wrong");
  if (header.path_bytes > kMaxHeaderPathBytes) fail(SHMLINK_ERR_CORRUPT, "the object's file path length is wrong");
  const bool file_backed = (header.flags & kHeaderFileBacked) != 0;
  if ((header.flags & ~(kHeaderFileBacked | kHeaderReadOnly)) != 0)
    fail(SHMLINK_ERR_CORRUPT, "the object's header has unknown flags");
  if ((header.flags & kHeaderReadOnly) != 0 && !file_backed)
    fail(SHMLINK_ERR_CORRUPT, "the object's header says read-only without a file");
  if (file_backed != (header.path_bytes != 0)) fail(SHMLINK_ERR_CORRUPT, "the object's file path is inconsistent");
  // The data must lie inside the object, unless it lives in a file (checked when opened).
  const uint64_t data_in_object = file_backed ? 0 : header.data_bytes;
  if (object_bytes < header.header_bytes || object_bytes - header.header_bytes < data_in_object)
    fail(SHMLINK_ERR_CORRUPT, "the object is smaller than its header says");
}

const char* kind_name(int32_t kind) {
  switch (kind) {
    case SHMLINK_KIND_SEGMENT: return "segment";
    case SHMLINK_KIND_VIEW: return "view";
    case SHMLINK_KIND_SIGNAL: return "signal";
    case SHMLINK_KIND_MUTEX: return "mutex";
    case SHMLINK_KIND_SEMAPHORE: return "semaphore";
    case SHMLINK_KIND_CHANNEL: return "channel";
    case SHMLINK_KIND_CHANNEL_CONDITION: return "channel condition";
    default: return "unknown kind of object";
  }
}

}  // namespace shmlink
