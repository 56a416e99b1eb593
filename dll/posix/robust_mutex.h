// The library's own process-shared mutex on a MutexLayout (core/sync_layout.h) in a mutex
// object: recursive, owned by a thread, robust (an owner that dies hands it on as abandoned),
// with no pointers in shared memory (a glibc robust mutex keeps its robust-list links there,
// and the owner's unlock and the kernel's exit walk write through them: a peer able to write
// the object could make them write anywhere in the owner's process).
//
// The lock word is a priority-inheritance futex: owner TID | FUTEX_WAITERS, taken and freed
// by compare-exchange when uncontended, by FUTEX_LOCK_PI2 / FUTEX_UNLOCK_PI when not. The
// kernel hands the word on when its owner dies with waiters in FUTEX_LOCK_PI (without saying
// so: the `owner` field, still set, tells the new owner), and answers ESRCH to a locker when
// the word names a thread that no longer exists (the owner died with nobody waiting).
//
// Limitations: TIDs belong to a PID namespace, so every process sharing a mutex must see the
// others' threads (one PID namespace); a locker that cannot see the owner takes its TID for a
// dead one. A TID reused by a new thread before anyone locks again makes the dead owner's
// mutex look held by that thread until it ends. A peer able to write the object can always
// deny the mutex to others (as by holding it); it cannot make us crash, spin or write outside
// the object: every value read back is checked, and garbage gives CORRUPT or a timeout.
#pragma once

#include "../core/sync_layout.h"
#include "futex.h"
#include "waitable.h"

#include <cstdint>

namespace shmlink::posix {

class RobustMutex {
 public:
  // `layout` lies in a mapping that outlives this object.
  explicit RobustMutex(MutexLayout* layout);
  RobustMutex(const RobustMutex&) = delete;
  RobustMutex& operator=(const RobustMutex&) = delete;

  // Lays out a new, free mutex in zero-filled memory no one else sees yet.
  static void initialize(MutexLayout* layout);

  // Acquires the mutex for the calling thread (recursively if it owns it), sleeping until the
  // deadline; timeout_ms 0 tries once. Taken, Abandoned (the previous owner died holding
  // it; this thread now holds one level) or NotReady (timed out). Throws Failure: CORRUPT
  // for shared state no correct peer writes, NO_RESOURCES at the most levels.
  Take lock(const Deadline& deadline, uint32_t timeout_ms);
  // One attempt that never sleeps.
  Take try_lock();
  // Releases one level. Throws Failure(NOT_OWNER) if the calling thread does not hold it, or
  // CORRUPT (after releasing it) if its state was overwritten while held.
  void unlock();

  // For wait_any, which sleeps on several plain futex words at once and so must not sleep on
  // the PI lock word (a plain waiter there makes the kernel refuse FUTEX_LOCK_PI with EINVAL):
  // announces a sleeper, whom the next unlock wakes, and returns the word and value to sleep
  // on. Call it before try_lock, then sleep only if that failed.
  FutexWaitEntry prepare_to_sleep();
  // Free as far as a read can tell (an abandoned mutex looks held).
  bool looks_free() const;

 private:
  Take acquire(const Deadline* deadline);
  Take relock(uint32_t self);
  Take acquired(uint32_t self, bool abandoned);
  void release(uint32_t self);

  MutexLayout* layout_;
};

}  // namespace shmlink::posix
