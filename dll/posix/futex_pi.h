// The priority-inheritance futex operations, for the library's own mutex (robust_mutex.h):
// FUTEX_LOCK_PI2 (FUTEX_LOCK_PI before Linux 5.14), FUTEX_TRYLOCK_PI and FUTEX_UNLOCK_PI on a
// word in memory shared between processes (never FUTEX_PRIVATE_FLAG). The kernel keeps the
// word as owner TID | FUTEX_WAITERS; see Documentation/locking/pi-futex.rst.
//
// Each returns 0 or the errno, which only the caller can interpret: ESRCH, for instance,
// says that the word names a thread that does not exist (its owner died without handing it
// on), EDEADLK that it names the calling thread.
#pragma once

#include "futex.h"

#include <cstdint>

namespace shmlink::posix {

// Acquires `word` for the calling thread, sleeping until then or until the deadline (an
// absolute CLOCK_MONOTONIC time; ETIMEDOUT).
int futex_lock_pi(uint32_t* word, const Deadline& deadline);

// Acquires `word` if that needs no sleep; EWOULDBLOCK (EAGAIN) if another thread holds it.
int futex_trylock_pi(uint32_t* word);

// Releases `word`, which names the calling thread, and hands it to the first waiter if any.
int futex_unlock_pi(uint32_t* word);

// The calling thread's id (gettid) as the kernel writes it into PI futex words; cached per
// thread, and forgotten in the child of a fork.
uint32_t current_thread_id();

}  // namespace shmlink::posix
