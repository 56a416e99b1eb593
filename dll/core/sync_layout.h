// Shared layouts of the signal, semaphore and mutex objects (Linux; Windows uses kernel objects).
// They follow the ObjectHeader page. Fixed-width fields only; every value read back from
// shared memory is checked before use, since a peer may have crashed or may lie.
#pragma once

#include "shared_layout.h"

#include <cstddef>
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

// The library's own mutex (dll/posix/robust_mutex.h). Only 32-bit fields, so i686 and x86_64
// processes lay it out alike, and no pointers: nothing a peer writes here is ever followed.
// Its size differs from every glibc pthread_mutex_t (24 bytes on i386, 40 on x86_64) that
// earlier versions kept in a mutex object, so such an object is refused as INCOMPATIBLE by
// the data size in its header; `protocol` tells later layouts of this same size apart.
struct MutexLayout {
  uint32_t lock;       // priority-inheritance futex word: owner TID | FUTEX_WAITERS; 0 when free
  uint32_t owner;      // the owner's TID, written after acquiring and cleared before releasing:
                       // an acquirer that finds it set knows the previous owner died holding it
  uint32_t recursion;  // levels the owner holds (1 and up); written by the owner only
  uint32_t wake;       // plain futex word for wait_any sleepers: bit 0 "someone sleeps", the rest counts
  uint32_t protocol;   // kMutexProtocol; fixed at creation
  uint32_t reserved[3];
};
inline constexpr uint32_t kMutexProtocol = 0x31495046u;  // "FPI1": PI futex, owner field, wake word
static_assert(sizeof(MutexLayout) == 32, "MutexLayout is part of the shared layout");
static_assert(alignof(MutexLayout) == 4, "MutexLayout is part of the shared layout");
static_assert(offsetof(MutexLayout, lock) == 0, "MutexLayout is part of the shared layout");
static_assert(offsetof(MutexLayout, owner) == 4, "MutexLayout is part of the shared layout");
static_assert(offsetof(MutexLayout, recursion) == 8, "MutexLayout is part of the shared layout");
static_assert(offsetof(MutexLayout, wake) == 12, "MutexLayout is part of the shared layout");
static_assert(offsetof(MutexLayout, protocol) == 16, "MutexLayout is part of the shared layout");
static_assert(offsetof(MutexLayout, reserved) == 20, "MutexLayout is part of the shared layout");

}  // namespace shmlink
