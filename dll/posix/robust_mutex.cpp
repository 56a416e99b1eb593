#include "robust_mutex.h"

#include "../core/error.h"
#include "futex_pi.h"
#include "sync_steps.h"

#include <linux/futex.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <string>
#include <thread>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>

#include <algorithm>
#include <iterator>
#include <vector>
#endif

namespace shmlink::posix {
namespace {

constexpr uint32_t kMaxRecursion = 0x7FFFFFFFu;
// Attempts on a lock word that changes under a locker (a takeover lost to another locker):
// a few are normal, this many only when a peer keeps rewriting the word.
constexpr int kMaxAttempts = 10000;

// How long a lock attempt takes EINVAL for the kernel's hand-over of a dead owner's word (see
// RobustMutex::acquire) before it calls the word corrupt, and how long it pauses between looks:
// the pauses keep the attempts well below kMaxAttempts.
constexpr auto kHandOverLimit = std::chrono::milliseconds(500);
constexpr auto kHandOverPause = std::chrono::microseconds(100);

uint32_t load(const uint32_t* word) { return __atomic_load_n(word, __ATOMIC_ACQUIRE); }
// Sequentially consistent: an unlock's release of the lock word and its look at the wake
// word must not pass a wait_any sleeper's announcement and its look at the lock word.
bool compare_exchange(uint32_t* word, uint32_t& expected, uint32_t desired) {
  return __atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
uint32_t tid_of(uint32_t word) { return word & FUTEX_TID_MASK; }

[[noreturn]] void corrupt(const std::string& what) {
  fail(SHMLINK_ERR_CORRUPT, "the mutex's shared state is corrupt: " + what);
}

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer does not understand futexes: the mutex announces its locks and unlocks
// itself, keyed by the lock word's address (one mapping per object and process, so all
// handles of a process agree on it: see sync_posix.cpp).
constexpr unsigned kTsanFlags = __tsan_mutex_write_reentrant | __tsan_mutex_not_static;

// TSan keeps its own owner of each mutex, and a thread that ends holding the mutex never
// unlocks it there: the next locker would look like a second owner. So each thread keeps the
// levels it holds and, as it ends, tells TSan that it let go of them (the next locker gets
// the mutex ABANDONED, and TSan the ordering that the hand-over gives).
class TsanHeldLevels {
 public:
  ~TsanHeldLevels() {
    for (void* mutex : levels_) {
      __tsan_mutex_pre_unlock(mutex, 0);
      __tsan_mutex_post_unlock(mutex, 0);
    }
  }
  void add(void* mutex) { levels_.push_back(mutex); }
  void remove(void* mutex) {
    const auto it = std::find(levels_.rbegin(), levels_.rend(), mutex);
    if (it != levels_.rend()) levels_.erase(std::next(it).base());
  }

 private:
  std::vector<void*> levels_;
};
thread_local TsanHeldLevels tsan_held_levels;

// One lock attempt as TSan sees it: a try-lock when it may fail (timed and polling locks),
// failed unless result() says it took the mutex.
class TsanLock {
 public:
  TsanLock(void* mutex, bool may_fail)
      : mutex_(mutex), flags_(kTsanFlags | (may_fail ? __tsan_mutex_try_lock : 0u)) {
    __tsan_mutex_pre_lock(mutex_, flags_);
  }
  ~TsanLock() {
    __tsan_mutex_post_lock(mutex_, flags_ | (taken_ ? 0u : __tsan_mutex_try_lock_failed), 0);
    if (taken_) tsan_held_levels.add(mutex_);
  }
  TsanLock(const TsanLock&) = delete;
  TsanLock& operator=(const TsanLock&) = delete;
  Take result(Take take) {
    taken_ = take != Take::NotReady;
    return take;
  }

 private:
  void* mutex_;
  unsigned flags_;
  bool taken_ = false;
};

class TsanUnlock {
 public:
  explicit TsanUnlock(void* mutex) : mutex_(mutex) { __tsan_mutex_pre_unlock(mutex_, 0); }
  ~TsanUnlock() {
    __tsan_mutex_post_unlock(mutex_, 0);
    tsan_held_levels.remove(mutex_);
  }
  TsanUnlock(const TsanUnlock&) = delete;
  TsanUnlock& operator=(const TsanUnlock&) = delete;

 private:
  void* mutex_;
};
#else
class TsanLock {
 public:
  TsanLock(void*, bool) {}
  Take result(Take take) { return take; }
};
class TsanUnlock {
 public:
  explicit TsanUnlock(void*) {}
};
#endif

}  // namespace

RobustMutex::RobustMutex(MutexLayout* layout) : layout_(layout) {
#if defined(__SANITIZE_THREAD__)
  // No matching destroy: the mapping is unmapped (which TSan notices) only when no thread of
  // this process holds the mutex, and kept otherwise (see sync_posix.cpp).
  __tsan_mutex_create(&layout_->lock, kTsanFlags);
#endif
}

void RobustMutex::initialize(MutexLayout* layout) { layout->protocol = kMutexProtocol; }

Take RobustMutex::lock(const Deadline& deadline, uint32_t timeout_ms) {
  TsanLock tsan(&layout_->lock, deadline.has_deadline());
  return tsan.result(acquire(timeout_ms == 0 ? nullptr : &deadline));
}

Take RobustMutex::try_lock() {
  TsanLock tsan(&layout_->lock, true);
  return tsan.result(acquire(nullptr));
}

// Without a deadline: one attempt, in which the kernel only checks whether the owner lives.
Take RobustMutex::acquire(const Deadline* deadline) {
  uint32_t* const word = &layout_->lock;
  const uint32_t self = current_thread_id();
  uint32_t value = load(word);
  if (tid_of(value) == self) return relock(self);
  std::chrono::steady_clock::time_point refused_since{};  // the first EINVAL, if any
  for (int attempt = 0;; ++attempt) {
    if (attempt == kMaxAttempts) corrupt("its lock word keeps changing");
    if (value == 0) {
      if (compare_exchange(word, value, self)) return acquired(self, false);
      continue;  // taken meanwhile: `value` says by whom
    }
    // Held, or bits without an owner (which the kernel takes for free).
    const int error = deadline != nullptr ? futex_lock_pi(word, *deadline) : futex_trylock_pi(word);
    switch (error) {
      case 0: return acquired(self, false);
      case ETIMEDOUT: return Take::NotReady;
      case EAGAIN:  // EWOULDBLOCK from the try: held
        if (deadline == nullptr) return Take::NotReady;
        break;
      case EINTR: break;
      case ESRCH: {
        // The word names a thread that no longer exists: its owner died with nobody waiting.
        // Take it over, unless another locker has already (then the word names that one).
        uint32_t dead = load(word);
        if (tid_of(dead) == tid_of(value) && tid_of(dead) != self &&
            compare_exchange(word, dead, self | FUTEX_WAITERS)) {
          // FUTEX_WAITERS: the first unlock goes through the kernel, in case anyone queued.
          return acquired(self, true);
        }
        break;
      }
      case EINVAL: {
        // Also while the kernel hands the word of an owner that died on to a locker queued in
        // the kernel: from the owner's exit until that locker runs and writes its own id into
        // the word, the word names the dead owner while the kernel's state of it has no owner,
        // and every other attempt gets EINVAL (a try-lock in wait-any met it). That passes as
        // soon as the locker runs; a word that stays so is corrupt (a plain futex waiter on
        // it, or an owner id a peer wrote).
        const auto now = std::chrono::steady_clock::now();
        if (refused_since == std::chrono::steady_clock::time_point{}) refused_since = now;
        if (now - refused_since > kHandOverLimit)
          corrupt(std::string("the kernel refuses its lock word: ") + std::strerror(error));
        std::this_thread::sleep_for(kHandOverPause);
        break;
      }
      case EDEADLK: corrupt("its lock word names this thread, which does not hold it");
      case ENOMEM: fail(SHMLINK_ERR_NO_RESOURCES, "no kernel memory for the mutex's waiters");
      case ENOSYS: fail(SHMLINK_ERR_NOT_SUPPORTED, "this kernel has no priority-inheritance futexes");
      default:  // EPERM (a kernel thread's id), EFAULT
        corrupt(std::string("the kernel refuses its lock word: ") + std::strerror(error));
    }
    if (deadline != nullptr && deadline->passed()) return Take::NotReady;
    value = load(word);
  }
}

Take RobustMutex::relock(uint32_t self) {
  if (load(&layout_->owner) != self) corrupt("its lock word names this thread, its owner field another");
  const uint32_t levels = load(&layout_->recursion);
  if (levels == 0) corrupt("its owner holds no level");
  if (levels >= kMaxRecursion) fail(SHMLINK_ERR_NO_RESOURCES, "the mutex's recursion count is at its maximum");
  __atomic_store_n(&layout_->recursion, levels + 1, __ATOMIC_RELAXED);
  return Take::Taken;
}

// The owner field is cleared by every unlock: still set, it names an owner that died holding
// the mutex (the kernel hands the word on to a waiter without a word about it).
Take RobustMutex::acquired(uint32_t self, bool abandoned) {
  SHMLINK_SYNC_STEP("mutex-lock-word-taken");
  const uint32_t previous = __atomic_exchange_n(&layout_->owner, self, __ATOMIC_ACQ_REL);
  SHMLINK_SYNC_STEP("mutex-lock-owner-set");
  __atomic_store_n(&layout_->recursion, 1u, __ATOMIC_RELAXED);
  return abandoned || previous != 0 ? Take::Abandoned : Take::Taken;
}

void RobustMutex::unlock() {
  const uint32_t self = current_thread_id();
  if (tid_of(load(&layout_->lock)) != self) fail(SHMLINK_ERR_NOT_OWNER, "the calling thread does not own the mutex");
  TsanUnlock tsan(&layout_->lock);
  const uint32_t levels = load(&layout_->recursion);
  const bool consistent = levels != 0 && load(&layout_->owner) == self;
  if (consistent && levels > 1) {
    __atomic_store_n(&layout_->recursion, levels - 1, __ATOMIC_RELAXED);
    return;
  }
  release(self);
  if (!consistent) corrupt("its owner field or level count was overwritten while held (released)");
}

void RobustMutex::release(uint32_t self) {
  __atomic_store_n(&layout_->recursion, 0u, __ATOMIC_RELAXED);
  __atomic_store_n(&layout_->owner, 0u, __ATOMIC_RELEASE);
  SHMLINK_SYNC_STEP("mutex-unlock-owner-cleared");
  uint32_t* const wake = &layout_->wake;
  uint32_t expected = self;
  uint32_t sleepers = 0;
  if (compare_exchange(&layout_->lock, expected, 0)) {
    sleepers = __atomic_load_n(wake, __ATOMIC_SEQ_CST);
  } else {
    if (tid_of(expected) != self) corrupt("its lock word changed under its owner");
    // FUTEX_WAITERS: the kernel hands the word to the first waiter, or frees it.
    const int error = futex_unlock_pi(&layout_->lock);
    if (error != 0) corrupt(std::string("the kernel refuses to unlock its lock word: ") + std::strerror(error));
    // A read-modify-write, which (unlike a plain load) cannot be ordered before the kernel's
    // change of the lock word.
    sleepers = __atomic_fetch_or(wake, 0u, __ATOMIC_SEQ_CST);
  }
  SHMLINK_SYNC_STEP("mutex-unlock-word-released");
  // Wake every wait_any sleeper (they race for it); the flag tells whether there are any.
  if ((sleepers & 1u) != 0) {
    __atomic_fetch_add(wake, 1u, __ATOMIC_SEQ_CST);  // clears bit 0, changes the value slept on
    futex_wake(wake, INT_MAX);
  }
}

FutexWaitEntry RobustMutex::prepare_to_sleep() {
  uint32_t* const wake = &layout_->wake;
  return {wake, __atomic_fetch_or(wake, 1u, __ATOMIC_SEQ_CST) | 1u};
}

bool RobustMutex::looks_free() const { return tid_of(load(&layout_->lock)) == 0; }

}  // namespace shmlink::posix
