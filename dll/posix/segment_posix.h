// What handing a segment to another process (handoff_posix.cpp) needs of the Linux segment
// backing (segment_posix.cpp): the descriptor its data is read through, and a backing over a
// descriptor received from another process.
#pragma once

#include "../core/access.h"
#include "../core/segment.h"

#include <cstdint>
#include <memory>

namespace shmlink::posix {

struct SegmentFile {
  int fd;                // the backing's own (O_CLOEXEC) descriptor: not to be closed
  uint64_t data_offset;  // where the data starts in that file: kHeaderPageBytes, or 0 (file-backed)
  uint64_t size;
  Access access;
  bool named;  // a /dev/shm object (else a memfd or a plain file)
};

// The descriptor behind a Linux segment. Throws Failure(NOT_SUPPORTED) for any other backing.
SegmentFile segment_file(SegmentBacking& segment);

// A segment over `fd`, which it takes over (closes, even when this throws), whose `size`
// bytes of data start at `data_offset`. The caller has checked the file.
std::shared_ptr<SegmentBacking> segment_from_descriptor(int fd, uint64_t data_offset, uint64_t size, Access access);

}  // namespace shmlink::posix
