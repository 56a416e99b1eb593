#include "futex.h"

#include "os_error.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include <shmlink/shmlink.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

namespace shmlink::posix {
namespace {

// The layout of struct futex_waitv (linux/futex.h, 5.16+), declared here for older headers.
struct WaitvEntry {
  uint64_t value;
  uint64_t address;
  uint32_t flags;
  uint32_t reserved;
};
constexpr uint32_t kFutex32 = 2;  // FUTEX2_SIZE_U32; no FUTEX2_PRIVATE: the words are shared

}  // namespace

Deadline::Deadline(uint32_t timeout_ms) : finite_(timeout_ms != SHMLINK_INFINITE) {
  if (!finite_) return;
  clock_gettime(CLOCK_MONOTONIC, &at_);
  at_.tv_sec += timeout_ms / 1000;
  at_.tv_nsec += static_cast<long>(timeout_ms % 1000) * 1000000L;
  if (at_.tv_nsec >= 1000000000L) {
    at_.tv_sec += 1;
    at_.tv_nsec -= 1000000000L;
  }
}

Deadline::Deadline(std::chrono::steady_clock::time_point at) : finite_(true) {
  const auto since_epoch = at.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  at_.tv_sec = static_cast<time_t>(seconds.count());
  at_.tv_nsec = static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count());
}

Deadline Deadline::sooner(uint32_t ms) const {
  Deadline other(ms);
  if (!finite_) return other;
  const bool mine_first = at_.tv_sec < other.at_.tv_sec || (at_.tv_sec == other.at_.tv_sec && at_.tv_nsec <= other.at_.tv_nsec);
  return mine_first ? *this : other;
}

bool Deadline::passed() const {
  if (!finite_) return false;
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > at_.tv_sec || (now.tv_sec == at_.tv_sec && now.tv_nsec >= at_.tv_nsec);
}

bool futex_wait(uint32_t* word, uint32_t expected, const Deadline& deadline) {
  // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC timeout, unlike FUTEX_WAIT.
  const long result = syscall(SYS_futex, word, FUTEX_WAIT_BITSET, expected, deadline.as_timespec(), nullptr,
                              FUTEX_BITSET_MATCH_ANY);
  if (result == 0) return true;
  switch (errno) {
    case EAGAIN:
    case EINTR: return true;
    case ETIMEDOUT: return false;
    default: throw_errno(errno, "futex wait");
  }
}

void futex_wake(uint32_t* word, int count) { syscall(SYS_futex, word, FUTEX_WAKE, count, nullptr, nullptr, 0); }

int futex_wait_any(const FutexWaitEntry* entries, uint32_t count, const Deadline& deadline) {
  WaitvEntry waiters[128];
  for (uint32_t i = 0; i < count; ++i) {
    waiters[i] = {entries[i].expected, reinterpret_cast<uintptr_t>(entries[i].word), kFutex32, 0};
  }
  const long result =
      syscall(SYS_futex_waitv, waiters, count, 0, deadline.as_timespec(), static_cast<long>(CLOCK_MONOTONIC));
  if (result >= 0) return static_cast<int>(result);
  switch (errno) {
    case EAGAIN:
    case EINTR: return -1;
    case ETIMEDOUT: return -2;
    case ENOSYS: throw_errno(SHMLINK_ERR_NOT_SUPPORTED, errno, "futex_waitv (waiting on several objects needs Linux 5.16)");
    default: throw_errno(errno, "futex_waitv");
  }
}

}  // namespace shmlink::posix
