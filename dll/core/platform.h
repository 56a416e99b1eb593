// What each OS backend (dll/posix, dll/win32) provides to the core. Nothing else in the
// core or the api layer depends on the OS.
#pragma once

#include "access.h"
#include "name.h"
#include "segment.h"

#include <cstdint>
#include <memory>

namespace shmlink {

// Mapping offsets must be multiples of this (page size on Linux, 64 KiB on Windows).
uint64_t allocation_granularity() noexcept;

struct OpenedSegment {
  std::shared_ptr<SegmentBacking> backing;
  bool existed = false;  // OPEN_OR_CREATE found an existing segment
};

// `flags` has been checked: only SHMLINK_OPEN_OR_CREATE and the share flags. size > 0.
OpenedSegment platform_create_segment(const ObjectName& name, uint64_t size, uint32_t flags);
std::shared_ptr<SegmentBacking> platform_open_segment(const ObjectName& name, Access access);
// name may be null (unnamed); size 0 means the file's size.
OpenedSegment platform_segment_from_file(const char* path, const ObjectName* name, uint64_t size,
                                         Access access, uint32_t flags);

}  // namespace shmlink
