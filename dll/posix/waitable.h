// What the Linux wait loop (sync_posix.cpp) needs from every object that can be waited on:
// signals, semaphores, mutexes and channels.
#pragma once

#include "futex.h"

#include <cstdint>

namespace shmlink::posix {

enum class Take { Taken, Abandoned, NotReady };

// How often a sleeping wait wakes to look after objects that watch their peers (channels):
// a killed peer cannot wake anyone.
inline constexpr uint32_t kPeerCheckMs = 100;

class PosixWaitable {
 public:
  virtual ~PosixWaitable() = default;
  // Takes the object if it is ready; otherwise fills `entry` with the word and the value to
  // sleep on. `after_sleep`: this waiter has slept on it before (see PosixMutex).
  virtual Take try_take(FutexWaitEntry& entry, bool after_sleep) = 0;
  // Whether a try_take might succeed now; reads only (used while checking before a sleep).
  virtual bool looks_ready() const = 0;
  // This waiter may have been woken for the object but took another one: wake someone else
  // instead, if anyone may need it.
  virtual void pass_on_wake() = 0;
  // Waits for this object alone; the mutex has a better way than the generic loop.
  virtual Take wait_alone(const Deadline& deadline, uint32_t timeout_ms);
  // Whether sleeps must end every kPeerCheckMs so that the object can notice dead peers.
  virtual bool watches_peers() const { return false; }
};

}  // namespace shmlink::posix
