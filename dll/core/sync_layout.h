// Shared layouts of the signal and semaphore objects (Linux; Windows uses kernel objects).
// They follow the ObjectHeader page. Fixed-width fields only; every value read back from
// shared memory is checked before use, since a peer may have crashed or may lie.
#pragma once

#include "shared_layout.h"

#include <cstdint>

namespace shmlink {

struct SignalLayout {
  uint32_t state;         // futex word: 0 unset, anything else set
  uint32_t manual_reset;  // 0 auto-reset, 1 manual-reset; fixed at creation
};
SHMLINK_SHARED_LAYOUT(SignalLayout, 8, 4);
SHMLINK_SHARED_FIELD(SignalLayout, state, 0);
SHMLINK_SHARED_FIELD(SignalLayout, manual_reset, 4);

struct SemaphoreLayout {
  uint32_t count;      // futex word: the current count, never above max_count
  uint32_t max_count;  // 1..0x7FFFFFFF; fixed at creation
};
SHMLINK_SHARED_LAYOUT(SemaphoreLayout, 8, 4);
SHMLINK_SHARED_FIELD(SemaphoreLayout, count, 0);
SHMLINK_SHARED_FIELD(SemaphoreLayout, max_count, 4);

}  // namespace shmlink
