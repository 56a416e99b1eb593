// Signals, mutexes and semaphores as the core sees them: handle objects around a backend's
// OS object. The backend (dll/posix, dll/win32) implements the *Backing interfaces and the
// waiting itself (platform_wait_any); the core checks arguments and kinds.
#pragma once

#include "handle_table.h"

#include <cstdint>
#include <memory>
#include <string>

namespace shmlink {

// Anything shmlink_wait / shmlink_wait_any can wait on. Backends downcast to their own type.
class WaitBacking {
 public:
  virtual ~WaitBacking() = default;
};

class SignalBacking : public WaitBacking {
 public:
  virtual void set() = 0;
  virtual void reset() = 0;
};

class MutexBacking : public WaitBacking {
 public:
  // Throws Failure(NOT_OWNER) if the calling thread does not hold it.
  virtual void unlock() = 0;
};

class SemaphoreBacking : public WaitBacking {
 public:
  // Adds `count`; returns the previous count. Throws Failure(LIMIT_EXCEEDED) past the maximum,
  // leaving the count unchanged.
  virtual uint32_t release(uint32_t count) = 0;
};

// A handle object whose backing can be waited on.
class WaitableObject : public Object {
 public:
  WaitableObject(int32_t kind, std::shared_ptr<WaitBacking> backing, std::string name)
      : Object(kind), backing_(std::move(backing)), name_(std::move(name)) {}

  WaitBacking& backing() const { return *backing_; }
  template <class T>
  T& backing_as() const { return static_cast<T&>(*backing_); }
  const std::string& name() const { return name_; }

 private:
  std::shared_ptr<WaitBacking> backing_;
  std::string name_;
};

inline bool is_waitable_kind(int32_t kind) {
  return kind == SHMLINK_KIND_SIGNAL || kind == SHMLINK_KIND_MUTEX || kind == SHMLINK_KIND_SEMAPHORE ||
         kind == SHMLINK_KIND_CHANNEL || kind == SHMLINK_KIND_CHANNEL_CONDITION;
}

}  // namespace shmlink
