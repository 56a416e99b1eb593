#include "futex_pi.h"

#include <linux/futex.h>
#include <linux/time_types.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <ctime>

#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif

namespace shmlink::posix {
namespace {

int result_of(long result) { return result == 0 ? 0 : errno; }

// A PI futex operation with an absolute timeout (nullptr: none), in the kernel's 64-bit
// timespec. 32-bit x86 has that only in futex_time64 (Linux 5.1+; plain futex takes 32-bit
// seconds there); before 5.1 the 32-bit call is all there is.
int futex_pi_timed(uint32_t* word, int op, const timespec* at) {
  if (at == nullptr) return result_of(syscall(SYS_futex, word, op, 0, nullptr, nullptr, 0));
  __kernel_timespec at64{};
  at64.tv_sec = at->tv_sec;
  at64.tv_nsec = at->tv_nsec;
#if defined(SYS_futex_time64)
  if constexpr (sizeof(long) == 4) {
    static std::atomic<bool> no_time64{false};
    if (!no_time64.load(std::memory_order_relaxed)) {
      const int error = result_of(syscall(SYS_futex_time64, word, op, 0, &at64, nullptr, 0));
      // ENOSYS also means an operation the kernel lacks (FUTEX_LOCK_PI2 before 5.14): only
      // FUTEX_LOCK_PI, which every kernel with futex_time64 has, says that the call is missing.
      if (error != ENOSYS || op != FUTEX_LOCK_PI) return error;
      no_time64.store(true, std::memory_order_relaxed);
    }
    struct {
      long tv_sec;
      long tv_nsec;
    } at32{static_cast<long>(at->tv_sec), at->tv_nsec};
    return result_of(syscall(SYS_futex, word, op, 0, &at32, nullptr, 0));
  }
#endif
  return result_of(syscall(SYS_futex, word, op, 0, &at64, nullptr, 0));
}

// FUTEX_LOCK_PI (before FUTEX_LOCK_PI2) measures its deadline on CLOCK_REALTIME: the
// monotonic deadline is converted, and each sleep is kept under a second, after which the
// monotonic deadline is looked at again; a change of the wall clock can only stretch or cut
// the sleep under way.
int futex_lock_pi_realtime(uint32_t* word, const Deadline& deadline) {
  if (!deadline.has_deadline()) return futex_pi_timed(word, FUTEX_LOCK_PI, nullptr);
  for (;;) {
    timespec monotonic_now{};
    timespec realtime_now{};
    clock_gettime(CLOCK_MONOTONIC, &monotonic_now);
    clock_gettime(CLOCK_REALTIME, &realtime_now);
    const timespec* at = deadline.as_timespec();
    long long left_ns = (static_cast<long long>(at->tv_sec) - monotonic_now.tv_sec) * 1000000000LL +
                        (at->tv_nsec - monotonic_now.tv_nsec);
    if (left_ns <= 0) return ETIMEDOUT;
    const bool last = left_ns <= 1000000000LL;
    if (!last) left_ns = 1000000000LL;
    long long until_ns = static_cast<long long>(realtime_now.tv_nsec) + left_ns;
    timespec until{};
    until.tv_sec = realtime_now.tv_sec + static_cast<time_t>(until_ns / 1000000000LL);
    until.tv_nsec = static_cast<long>(until_ns % 1000000000LL);
    const int error = futex_pi_timed(word, FUTEX_LOCK_PI, &until);
    if (error != ETIMEDOUT || last) return error;
  }
}

thread_local uint32_t cached_thread_id = 0;

void forget_thread_id() { cached_thread_id = 0; }

}  // namespace

int futex_lock_pi(uint32_t* word, const Deadline& deadline) {
  static std::atomic<bool> no_lock_pi2{false};
  if (!no_lock_pi2.load(std::memory_order_relaxed)) {
    const int error = futex_pi_timed(word, FUTEX_LOCK_PI2, deadline.as_timespec());
    if (error != ENOSYS) return error;
    no_lock_pi2.store(true, std::memory_order_relaxed);  // Linux before 5.14
  }
  return futex_lock_pi_realtime(word, deadline);
}

int futex_trylock_pi(uint32_t* word) { return result_of(syscall(SYS_futex, word, FUTEX_TRYLOCK_PI, 0, nullptr, nullptr, 0)); }

int futex_unlock_pi(uint32_t* word) { return result_of(syscall(SYS_futex, word, FUTEX_UNLOCK_PI, 0, nullptr, nullptr, 0)); }

uint32_t current_thread_id() {
  if (cached_thread_id == 0) {
    // In a forked child the forking thread has a new id; the cache must not survive there.
    static const bool forgotten_at_fork = pthread_atfork(nullptr, nullptr, forget_thread_id) == 0;
    (void)forgotten_at_fork;
    cached_thread_id = static_cast<uint32_t>(syscall(SYS_gettid));
  }
  return cached_thread_id;
}

}  // namespace shmlink::posix
