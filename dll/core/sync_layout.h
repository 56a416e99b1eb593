// Shared layouts of the signal and semaphore objects (Linux; Windows uses kernel objects).
// They follow the ObjectHeader page. Fixed-width fields only; every value read back from
// shared memory is checked before use, since a peer may have crashed or may lie.
#pragma once

#include <cstdint>

namespace shmlink {

struct SignalLayout {
  uint32_t state;         // futex word: 0 unset, anything else set
  uint32_t manual_reset;  // 0 auto-reset, 1 manual-reset; fixed at creation
};
static_assert(sizeof(SignalLayout) == 8, "SignalLayout is part of the shared layout");

struct SemaphoreLayout {
  uint32_t count;      // futex word: the current count, never above max_count
  uint32_t max_count;  // 1..0x7FFFFFFF; fixed at creation
};
static_assert(sizeof(SemaphoreLayout) == 8, "SemaphoreLayout is part of the shared layout");

}  // namespace shmlink
