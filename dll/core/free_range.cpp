#include "free_range.h"

#include <random>

namespace shmlink {

uintptr_t free_range_hint(uint64_t length, uint64_t granularity) {
  constexpr uint64_t kLow = uint64_t{0x350000000000};
  constexpr uint64_t kHigh = uint64_t{0x500000000000};
  if (sizeof(void*) != 8 || length >= uint64_t{0x10000000000} || granularity == 0) return 0;
  std::random_device random;
  std::uniform_int_distribution<uint64_t> pick(kLow / granularity, (kHigh - length) / granularity);
  return static_cast<uintptr_t>(pick(random) * granularity);
}

}  // namespace shmlink
