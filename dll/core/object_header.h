// The header at the start of every named object the library lays out in shared memory
// itself (on Linux: every named object; on Windows the kernel objects need none). Fixed-width
// fields at fixed offsets, no pointers, so 32-bit and 64-bit processes read it alike. Peers
// may have crashed or may lie: validate_header() checks every field before anything uses it.
#pragma once

#include <shmlink/shmlink.h>

#include "shared_layout.h"

#include <cstddef>
#include <cstdint>

namespace shmlink {

inline constexpr uint32_t kHeaderMagic = 0x4C4D4853u;  // "SHML" in little-endian byte order
// 2: the file of a file-backed segment is identified by its device and inode numbers too.
inline constexpr uint16_t kLayoutVersion = 2;
inline constexpr uint32_t kHeaderPageBytes = 4096;  // the data of a segment starts here
inline constexpr uint32_t kStateReady = 1;

// ObjectHeader::flags
inline constexpr uint32_t kHeaderFileBacked = 0x1;  // data lives in the file named after the header
// File-backed and made from a file opened without write access (a PAGE_READONLY or
// PAGE_WRITECOPY section): nobody may open it read-write by name.
inline constexpr uint32_t kHeaderReadOnly = 0x2;

struct ObjectHeader {
  uint32_t magic;           // kHeaderMagic
  uint16_t layout_version;  // kLayoutVersion
  uint16_t kind;            // SHMLINK_KIND_*
  uint32_t state;           // kStateReady once initialized (objects are published ready)
  uint32_t flags;           // kHeader* bits
  alignas(8) uint64_t header_bytes;  // where the data starts in this object (kHeaderPageBytes)
  alignas(8) uint64_t data_bytes;    // the size of the data the user sees
  uint32_t path_bytes;      // file-backed: length of the file's path that follows the header
  uint32_t reserved;
  // File-backed: the file's device and inode numbers (st_dev, st_ino) when the segment was
  // made; an opener maps the file at the path only if it is still that file. 0 otherwise.
  alignas(8) uint64_t file_device;
  alignas(8) uint64_t file_inode;
};
SHMLINK_SHARED_LAYOUT(ObjectHeader, 56, 8);
SHMLINK_SHARED_FIELD(ObjectHeader, magic, 0);
SHMLINK_SHARED_FIELD(ObjectHeader, layout_version, 4);
SHMLINK_SHARED_FIELD(ObjectHeader, kind, 6);
SHMLINK_SHARED_FIELD(ObjectHeader, state, 8);
SHMLINK_SHARED_FIELD(ObjectHeader, flags, 12);
SHMLINK_SHARED_FIELD(ObjectHeader, header_bytes, 16);
SHMLINK_SHARED_FIELD(ObjectHeader, data_bytes, 24);
SHMLINK_SHARED_FIELD(ObjectHeader, path_bytes, 32);
SHMLINK_SHARED_FIELD(ObjectHeader, reserved, 36);
SHMLINK_SHARED_FIELD(ObjectHeader, file_device, 40);
SHMLINK_SHARED_FIELD(ObjectHeader, file_inode, 48);

inline constexpr uint32_t kMaxHeaderPathBytes = kHeaderPageBytes - sizeof(ObjectHeader);

// Checks a header read from shared memory of `object_bytes` total size (the object file's
// size) against what the caller expects. Throws Failure: INCOMPATIBLE for another layout
// version, WRONG_KIND for another kind, CORRUPT for anything inconsistent.
void validate_header(const ObjectHeader& header, uint64_t object_bytes, int32_t expected_kind);

const char* kind_name(int32_t kind);

}  // namespace shmlink
