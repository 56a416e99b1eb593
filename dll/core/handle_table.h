// The process-wide table behind every shmlink_handle. A handle packs a slot index with the
// slot's generation, so a closed handle stays invalid after its slot is reused. Lookups
// hand out shared ownership: a handle closed by one thread while another is still using
// the object keeps the object alive until that use ends.
#pragma once

#include <shmlink/shmlink.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace shmlink {

// Anything a handle can refer to. The kind is one of SHMLINK_KIND_*.
class Object {
 public:
  explicit Object(int32_t kind) : kind_(kind) {}
  virtual ~Object() = default;
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  int32_t kind() const noexcept { return kind_; }

 private:
  int32_t kind_;
};

class HandleTable {
 public:
  // More open handles than this in one process gives SHMLINK_ERR_NO_RESOURCES.
  static constexpr uint32_t kMaxHandles = 1u << 20;

  // Stores the object and returns its new handle; throws Failure(NO_RESOURCES) when full.
  shmlink_handle insert(std::shared_ptr<Object> object);

  // The object behind the handle, or null for 0, closed or unknown handles.
  std::shared_ptr<Object> find(shmlink_handle handle) const;

  // Removes the handle and returns the object (the caller drops it outside the lock), or
  // null if the handle was not open.
  std::shared_ptr<Object> remove(shmlink_handle handle);

  // Closes every handle, when the library is unloaded or the process exits.
  void clear() noexcept;

 private:
  struct Slot {
    uint32_t generation = 1;
    std::shared_ptr<Object> object;
  };

  static uint32_t index_of(shmlink_handle handle) { return static_cast<uint32_t>(handle & 0xFFFFFFFFu) - 1; }
  static uint32_t generation_of(shmlink_handle handle) { return static_cast<uint32_t>(handle >> 32); }

  mutable std::mutex mutex_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
};

HandleTable& handle_table();

// The object behind `handle` if it is of `kind`; otherwise null, with *why saying what is
// wrong. Not an exception: a handle closed by one thread while another still uses it is an
// expected outcome of the C API (BAD_HANDLE), and callers report it without unwinding.
template <class T>
std::shared_ptr<T> find_as(shmlink_handle handle, int32_t kind, const char* kind_name, std::string* why);

}  // namespace shmlink

#include "handle_table_inl.h"
