#include "futex.h"

#include "os_error.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstddef>

#include <shmlink/shmlink.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

namespace shmlink::posix {
namespace {

// Every timeout given to the kernel here is a struct __kernel_timespec (64-bit seconds and
// nanoseconds), whatever the width of the C library's time_t. futex_waitv reads only that.
// The futex call that does is SYS_futex on 64-bit architectures, but futex_time64 (Linux 5.1)
// on 32-bit ones, where SYS_futex reads a 32-bit timespec.
#if defined(SYS_futex_time64)
constexpr long kFutexTimedCall = SYS_futex_time64;
#else
// SYS_futex reads the old timespec, of __kernel_long_t fields.
static_assert(sizeof(__kernel_long_t) == 8, "a 32-bit architecture without futex_time64: SYS_futex reads a 32-bit timespec");
constexpr long kFutexTimedCall = SYS_futex;
#endif
static_assert(sizeof(__kernel_timespec) == 16, "the kernel's timespec is 64-bit everywhere");

// The layout of struct futex_waitv (linux/futex.h, 5.16+), declared here for older headers.
// The same on 32-bit and 64-bit architectures: addresses are always 64-bit fields.
struct WaitvEntry {
  uint64_t value;
  uint64_t address;
  uint32_t flags;
  uint32_t reserved;
};
static_assert(sizeof(WaitvEntry) == 24, "struct futex_waitv is 24 bytes");
static_assert(offsetof(WaitvEntry, address) == 8 && offsetof(WaitvEntry, flags) == 16, "struct futex_waitv");
constexpr uint32_t kFutex32 = 2;  // FUTEX2_SIZE_U32; no FUTEX2_PRIVATE: the words are shared

constexpr int64_t kNanosecondsPerSecond = 1000000000;

__kernel_timespec monotonic_now() {
  // CLOCK_MONOTONIC counts from boot: its seconds fit a 32-bit time_t for 68 years of uptime.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  __kernel_timespec result{};
  result.tv_sec = static_cast<int64_t>(now.tv_sec);
  result.tv_nsec = static_cast<int64_t>(now.tv_nsec);
  return result;
}

bool not_after(const __kernel_timespec& a, const __kernel_timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

}  // namespace

void Deadline::set(int64_t seconds, int64_t nanoseconds) {
  seconds += nanoseconds / kNanosecondsPerSecond;
  nanoseconds %= kNanosecondsPerSecond;
  at_.tv_sec = seconds;
  at_.tv_nsec = nanoseconds;
  libc_at_.tv_sec = static_cast<time_t>(seconds);
  libc_at_.tv_nsec = static_cast<long>(nanoseconds);
}

Deadline::Deadline(uint32_t timeout_ms) : finite_(timeout_ms != SHMLINK_INFINITE) {
  if (!finite_) return;
  const __kernel_timespec now = monotonic_now();
  set(now.tv_sec + timeout_ms / 1000, now.tv_nsec + static_cast<int64_t>(timeout_ms % 1000) * 1000000);
}

Deadline::Deadline(std::chrono::steady_clock::time_point at) : finite_(true) {
  const auto since_epoch = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
  set(static_cast<int64_t>(since_epoch / kNanosecondsPerSecond), static_cast<int64_t>(since_epoch % kNanosecondsPerSecond));
}

Deadline Deadline::sooner(uint32_t ms) const {
  Deadline other(ms);
  if (!finite_) return other;
  return not_after(at_, other.at_) ? *this : other;
}

bool Deadline::passed() const {
  if (!finite_) return false;
  return not_after(at_, monotonic_now());
}

bool futex_wait(uint32_t* word, uint32_t expected, const Deadline& deadline) {
  // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC timeout, unlike FUTEX_WAIT.
  const long result = syscall(kFutexTimedCall, word, FUTEX_WAIT_BITSET, expected, deadline.as_kernel_timespec(),
                              nullptr, FUTEX_BITSET_MATCH_ANY);
  if (result == 0) return true;
  switch (errno) {
    case EAGAIN:
    case EINTR: return true;
    // The word's page is gone (its file was truncated): the caller's look at the word meets
    // that, and says so (sigbus_guard.h).
    case EFAULT: return true;
    case ETIMEDOUT: return false;
    case ENOSYS: throw_errno(SHMLINK_ERR_NOT_SUPPORTED, errno, "futex_time64 (32-bit programs need Linux 5.1)");
    default: throw_errno(errno, "futex wait");
  }
}

// Without a timeout, SYS_futex is the same call on every architecture and kernel.
void futex_wake(uint32_t* word, int count) { syscall(SYS_futex, word, FUTEX_WAKE, count, nullptr, nullptr, 0); }

namespace {

// Kernels before 5.16 have no futex_waitv, and some container sandboxes refuse it (older
// seccomp profiles answer EPERM for system calls they do not know). There a wait on several
// words sleeps on the first one in short slices and looks at all of them between slices: a
// change of the first word is seen at once, of the others within a slice.
std::atomic<bool> waitv_missing{false};
constexpr uint32_t kFirstSliceMs = 1;
constexpr uint32_t kLongestSliceMs = 8;

bool any_changed(const FutexWaitEntry* entries, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    if (__atomic_load_n(entries[i].word, __ATOMIC_ACQUIRE) != entries[i].expected) return true;
  }
  return false;
}

int wait_any_in_slices(const FutexWaitEntry* entries, uint32_t count, const Deadline& deadline) {
  uint32_t slice_ms = kFirstSliceMs;
  for (;;) {
    if (any_changed(entries, count)) return -1;
    if (deadline.passed()) return -2;
    const Deadline slice_end = deadline.sooner(slice_ms);
    // A wake, a changed first word or an interruption: the caller looks again.
    if (futex_wait(entries[0].word, entries[0].expected, slice_end)) return -1;
    slice_ms = slice_ms < kLongestSliceMs ? slice_ms * 2 : kLongestSliceMs;
  }
}

}  // namespace

int futex_wait_any(const FutexWaitEntry* entries, uint32_t count, const Deadline& deadline) {
  if (count == 0 || count > kMaxFutexWaitEntries) throw Failure(SHMLINK_ERR_INVALID_ARGUMENT, "futex_wait_any: bad count");
  if (waitv_missing.load(std::memory_order_relaxed)) return wait_any_in_slices(entries, count, deadline);
  WaitvEntry waiters[kMaxFutexWaitEntries];
  for (uint32_t i = 0; i < count; ++i) {
    waiters[i] = {entries[i].expected, reinterpret_cast<uintptr_t>(entries[i].word), kFutex32, 0};
  }
  const long result =
      syscall(SYS_futex_waitv, waiters, count, 0, deadline.as_kernel_timespec(), static_cast<long>(CLOCK_MONOTONIC));
  if (result >= 0) return static_cast<int>(result);
  switch (errno) {
    case EAGAIN:
    case EINTR:
    case EFAULT: return -1;  // EFAULT: a word's page is gone, see futex_wait
    case ETIMEDOUT: return -2;
    case ENOSYS:
    case EPERM:
      waitv_missing.store(true, std::memory_order_relaxed);
      return wait_any_in_slices(entries, count, deadline);
    default: throw_errno(errno, "futex_waitv");
  }
}

}  // namespace shmlink::posix
