#include "segment.h"

#include "kept_ranges.h"

#include "error.h"
#include "platform.h"

#include <cstdint>
#include <string>

namespace shmlink {

std::shared_ptr<ViewObject> map_view(const SegmentObject& segment, uint64_t offset, uint64_t length,
                                     Access access, bool keep_range, void* at) {
  const std::shared_ptr<SegmentBacking>& backing = segment.backing();
  const uint64_t size = backing->size();
  if (offset > size || (offset == size && length != 0))
    fail(SHMLINK_ERR_OUT_OF_RANGE,
         "offset " + std::to_string(offset) + " is past the end of the segment (size " + std::to_string(size) + ")");
  if (length == 0) length = size - offset;
  if (length == 0) fail(SHMLINK_ERR_OUT_OF_RANGE, "offset " + std::to_string(offset) + " leaves nothing to map");
  if (length > size - offset)  // written so that offset + length cannot overflow
    fail(SHMLINK_ERR_OUT_OF_RANGE, "offset " + std::to_string(offset) + " + length " + std::to_string(length) +
                                       " passes the end of the segment (size " + std::to_string(size) + ")");
  if (!view_access_allowed(backing->access(), access))
    fail(SHMLINK_ERR_ACCESS_DENIED, std::string("a ") + access_name(access) + " view needs a read-write handle; this one is " +
                                        access_name(backing->access()));

  const uint64_t granularity = allocation_granularity();
  const uint64_t aligned_offset = offset - offset % granularity;
  const uint64_t lead = offset - aligned_offset;
  if (length > UINT64_MAX - lead || length + lead > static_cast<uint64_t>(PTRDIFF_MAX))
    fail(SHMLINK_ERR_NO_RESOURCES, "a view of " + std::to_string(length) + " bytes does not fit in the address space");
  void* base_at = nullptr;
  if (at != nullptr) {
    const auto at_number = reinterpret_cast<uintptr_t>(at);
    if (at_number % granularity != lead)
      fail(SHMLINK_ERR_INVALID_ARGUMENT,
           "the address must lie as the offset does within the allocation granularity of " +
               std::to_string(granularity) + " bytes (address % granularity == offset % granularity): it is " +
               std::to_string(at_number % granularity) + " bytes past a multiple, the offset " + std::to_string(lead));
    if (at_number - lead > UINTPTR_MAX - (length + lead))
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "the range at that address passes the end of the address space");
    base_at = reinterpret_cast<void*>(at_number - lead);
  }
  const MappedRegion region = backing->map(aligned_offset, length + lead, access, base_at);
  void* address = static_cast<unsigned char*>(region.base) + lead;
  try {
    return std::make_shared<ViewObject>(backing, region, address, length, access, keep_range);
  } catch (...) {
    backing->unmap(region);
    throw;
  }
}

ViewObject::~ViewObject() {
  if (!keep_range_) {
    backing_->unmap(region_);
    return;
  }
  switch (backing_->retire(region_)) {
    case Placeholder::Kept: keep_placeholder(address_, region_); break;
    case Placeholder::ViewUnmapped: break;
    case Placeholder::ViewMapped: backing_->unmap(region_); break;
  }
}

}  // namespace shmlink
