#include "kept_ranges.h"

#include "error.h"
#include "platform.h"

#include <map>
#include <mutex>

namespace shmlink {
namespace {

struct KeptRanges {
  std::mutex lock;
  std::map<void*, MappedRegion> by_address;  // the view's address -> its placeholder
};

KeptRanges& kept_ranges() {
  static KeptRanges* ranges = new KeptRanges;  // never destroyed: views may close at exit
  return *ranges;
}

}  // namespace

void keep_placeholder(void* address, const MappedRegion& region) noexcept {
  KeptRanges& ranges = kept_ranges();
  try {
    const std::lock_guard<std::mutex> guard(ranges.lock);
    ranges.by_address[address] = region;
  } catch (...) {
    // No memory to remember it: the placeholder stays for the life of the process, which
    // costs address space only.
  }
}

void release_placeholder(void* address) {
  KeptRanges& ranges = kept_ranges();
  MappedRegion region;
  {
    const std::lock_guard<std::mutex> guard(ranges.lock);
    const auto found = ranges.by_address.find(address);
    if (found == ranges.by_address.end())
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "no closed SHMLINK_MAP_KEEP_RANGE view had this address");
    region = found->second;
    ranges.by_address.erase(found);
  }
  platform_release_placeholder(region);
}

}  // namespace shmlink
