// What handing a segment to another process (handoff_win32.cpp) needs of the Windows segment
// backing (segment_win32.cpp): its section handle, and a backing over a received one.
#pragma once

#include "../core/access.h"
#include "../core/segment.h"

#include <windows.h>

#include <memory>

namespace shmlink::win32 {

// The section behind a Windows segment (the backing's own handle: not to be closed). Throws
// Failure(NOT_SUPPORTED) for any other backing.
HANDLE segment_section(SegmentBacking& segment);

// A segment of `size` bytes over the section handle `section`, which it takes over (closes,
// even when this throws). Throws Failure: CORRUPT if the section (its trailer's size, for a
// segment shmlink made) is smaller, or `size` is 0; ACCESS_DENIED without SECTION_QUERY.
std::shared_ptr<SegmentBacking> segment_from_section(HANDLE section, uint64_t size, Access access);

}  // namespace shmlink::win32
