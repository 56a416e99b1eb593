// Thin wrappers over the futex system calls, for words in memory shared between processes
// (never FUTEX_PRIVATE_FLAG). Deadlines are absolute CLOCK_MONOTONIC times.
#pragma once

#include <linux/time_types.h>

#include <chrono>
#include <cstdint>
#include <ctime>

namespace shmlink::posix {

// An absolute CLOCK_MONOTONIC deadline `timeout_ms` from now; has_deadline() is false for
// SHMLINK_INFINITE.
class Deadline {
 public:
  explicit Deadline(uint32_t timeout_ms);
  // An absolute CLOCK_MONOTONIC time (std::chrono::steady_clock's clock on Linux).
  explicit Deadline(std::chrono::steady_clock::time_point at);
  // This deadline or `ms` from now, whichever comes first.
  Deadline sooner(uint32_t ms) const;
  bool has_deadline() const { return finite_; }
  bool passed() const;
  // For the C library (pthread_mutex_clocklock): its timespec, whatever the width of time_t.
  const timespec* as_timespec() const { return finite_ ? &libc_at_ : nullptr; }
  // For system calls: the kernel's timespec, 64-bit on every architecture (futex_waitv reads
  // only this one, and on 32-bit systems so does futex_time64).
  const __kernel_timespec* as_kernel_timespec() const { return finite_ ? &at_ : nullptr; }

 private:
  void set(int64_t seconds, int64_t nanoseconds);

  bool finite_;
  __kernel_timespec at_{};
  timespec libc_at_{};
};

// Sleeps while *word == expected, until woken or the deadline. Returns false on timeout
// (true for a wake, a changed value, an interruption or a lost page: the caller looks again).
bool futex_wait(uint32_t* word, uint32_t expected, const Deadline& deadline);

// Wakes up to `count` waiters on `word`.
void futex_wake(uint32_t* word, int count);

struct FutexWaitEntry {
  uint32_t* word;
  uint32_t expected;
};

// The most words one futex_waitv call takes (FUTEX_WAITV_MAX).
inline constexpr uint32_t kMaxFutexWaitEntries = 128;

// Sleeps until any of the words differs from its expected value or is woken (futex_waitv,
// Linux 5.16+). Returns the index woken, -1 if a value had changed or the call was
// interrupted (look again), -2 on timeout. Where the kernel (or a sandbox) has no
// futex_waitv, sleeps on the first word in slices of a few milliseconds and looks at the
// others between them.
int futex_wait_any(const FutexWaitEntry* entries, uint32_t count, const Deadline& deadline);

}  // namespace shmlink::posix
