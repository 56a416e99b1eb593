// The address ranges of closed SHMLINK_MAP_KEEP_RANGE views: each holds a placeholder (private
// zero-filled memory where the view was) until shmlink_release_range gives it back.
#pragma once

#include "segment.h"

namespace shmlink {

// Records the placeholder now at `region`, for the view whose address was `address`.
void keep_placeholder(void* address, const MappedRegion& region) noexcept;

// Gives back the placeholder of the view that had `address`. Throws Failure(INVALID_ARGUMENT)
// if there is none.
void release_placeholder(void* address);

}  // namespace shmlink
