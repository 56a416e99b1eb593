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
inline constexpr uint16_t kLayoutVersion = 1;
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
};
SHMLINK_SHARED_LAYOUT(ObjectHeader, 40, 8);
SHMLINK_SHARED_FIELD(ObjectHeader, magic, 0);
SHMLINK_SHARED_FIELD(ObjectHeader, layout_version, 4);
SHMLINK_SHARED_FIELD(ObjectHeader, kind, 6);
SHMLINK_SHARED_FIELD(ObjectHeader, state, 8);
SHMLINK_SHARED_FIELD(ObjectHeader, flags, 12);
SHMLINK_SHARED_FIELD(ObjectHeader, header_bytes, 16);
SHMLINK_SHARED_FIELD(ObjectHeader, data_bytes, 24);
SHMLINK_SHARED_FIELD(ObjectHeader, path_bytes, 32);
SHMLINK_SHARED_FIELD(ObjectHeader, reserved, 36);

// A file-backed segment's file as it was when the segment was made (st_dev, st_ino): an
// opener maps the file at the path only if it is still that file. It lies in the last bytes
// of the header page, where the libraries of earlier 1.x releases never look (they read the
// header and the path), so objects keep layout version 1 and every 1.x library still opens
// them (docs/versioning.md). All zero in objects those libraries made: nothing to check then.
struct FileIdentity {
  alignas(8) uint64_t device;
  alignas(8) uint64_t inode;
};
SHMLINK_SHARED_LAYOUT(FileIdentity, 16, 8);
SHMLINK_SHARED_FIELD(FileIdentity, device, 0);
SHMLINK_SHARED_FIELD(FileIdentity, inode, 8);

inline constexpr uint32_t kFileIdentityOffset = kHeaderPageBytes - sizeof(FileIdentity);
// The path lies between the header and the file identity.
inline constexpr uint32_t kMaxHeaderPathBytes = kFileIdentityOffset - sizeof(ObjectHeader);

// Checks a header read from shared memory of `object_bytes` total size (the object file's
// size) against what the caller expects. Throws Failure: INCOMPATIBLE for another layout
// version, WRONG_KIND for another kind, CORRUPT for anything inconsistent.
void validate_header(const ObjectHeader& header, uint64_t object_bytes, int32_t expected_kind);

const char* kind_name(int32_t kind);

}  // namespace shmlink
