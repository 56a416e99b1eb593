// The process-wide table behind every shmlink_handle. A handle packs a slot index with the
// slot's generation, so a closed handle stays invalid after its slot is reused.
//
// A lookup is the hot path of every call (a busy poll makes millions a second), so it takes no
// lock and touches no shared_ptr: it counts one use in the slot's state word with a single
// compare-exchange, and the Use it returns gives that back. A handle closed while another
// thread still uses its object keeps the object alive until the last use ends; whoever ends it
// (the close or the last use) releases the table's ownership and frees the slot.
#pragma once

#include <shmlink/shmlink.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <string>

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
  struct Slot;

 public:
  // More open handles than this in one process gives SHMLINK_ERR_NO_RESOURCES.
  static constexpr uint32_t kMaxHandles = 1u << 20;

  // One counted use of an open handle's object, from find(): while it lives, the object does,
  // even if the handle is closed meanwhile. Empty if the handle was not open.
  class Use {
   public:
    Use() noexcept = default;
    ~Use() { reset(); }
    Use(Use&& other) noexcept : table_(other.table_), slot_(other.slot_), index_(other.index_) {
      other.slot_ = nullptr;
    }
    Use& operator=(Use&& other) noexcept;
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

    explicit operator bool() const noexcept { return slot_ != nullptr; }
    Object* get() const noexcept;
    // Shared ownership of the object, for what must outlive this call (a view keeps its segment).
    std::shared_ptr<Object> shared() const;
    void reset() noexcept;

   private:
    friend class HandleTable;
    Use(HandleTable* table, Slot* slot, uint32_t index) noexcept : table_(table), slot_(slot), index_(index) {}

    HandleTable* table_ = nullptr;
    Slot* slot_ = nullptr;
    uint32_t index_ = 0;
  };

  HandleTable() noexcept;
  HandleTable(const HandleTable&) = delete;
  HandleTable& operator=(const HandleTable&) = delete;

  // Stores the object and returns its new handle; throws Failure(NO_RESOURCES) when full.
  shmlink_handle insert(std::shared_ptr<Object> object);

  // A use of the object behind the handle; empty for 0, closed or unknown handles. Lock-free.
  Use find(shmlink_handle handle) noexcept;

  // Closes the handle: false if it was not open. The object goes now, or when its last use ends.
  bool remove(shmlink_handle handle) noexcept;

  // Closes every handle, when the library is unloaded or the process exits.
  void clear() noexcept;

  // Frees the slot storage beyond the first block, unless a thread is still inside a call (a
  // process exiting while a thread is blocked in the library): then it stays, as that thread
  // will touch it again.
  void free_storage_if_unused() noexcept;

 private:
  static constexpr uint32_t kSlotsPerChunk = 1024;
  static constexpr uint32_t kChunks = kMaxHandles / kSlotsPerChunk;
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  // The state word of a slot: generation (high 32 bits) | kOpen | number of uses.
  static constexpr uint64_t kOpen = 1u << 31;
  static constexpr uint64_t kUseMask = kOpen - 1;

  struct Slot {
    std::atomic<uint64_t> state{uint64_t{1} << 32};  // generation 0 never appears in a handle
    Object* object = nullptr;                        // while open or in use
    std::shared_ptr<Object> owner;                   // the table's ownership, likewise
    uint32_t next_free = kNoSlot;                    // under mutex_, while on the free list
  };

  static uint32_t index_of(shmlink_handle handle) { return static_cast<uint32_t>(handle & 0xFFFFFFFFu) - 1; }
  static uint32_t generation_of(shmlink_handle handle) { return static_cast<uint32_t>(handle >> 32); }

  Slot* slot_for(shmlink_handle handle) const noexcept;
  void release(Slot& slot, uint32_t index) noexcept;
  // The slot's last use is over and it is closed: drops the object and frees the slot.
  void retire(Slot& slot, uint32_t index) noexcept;

  // The first block of slots is part of the table itself, so the usual program never has its
  // slots freed under a thread that is still calling in while the process exits. It is raw
  // storage that is never destroyed: destroying a slot would destroy an object such a thread
  // still uses (clear() has released every other). Further blocks are allocated as handles
  // are first needed.
  alignas(Slot) unsigned char first_chunk_storage_[sizeof(Slot) * kSlotsPerChunk];
  std::atomic<Slot*> chunks_[kChunks] = {};
  std::mutex mutex_;                         // for inserting and freeing slots, never for lookups
  uint32_t slots_used_ = 0;                  // slots ever handed out, under mutex_
  uint32_t free_head_ = kNoSlot;             // freed slots, under mutex_
};

HandleTable& handle_table();

// The object behind a handle, of a known type, with the use that keeps it alive.
template <class T>
class Ref {
 public:
  Ref() noexcept = default;
  Ref(HandleTable::Use use, T* object) noexcept : use_(std::move(use)), object_(object) {}

  explicit operator bool() const noexcept { return object_ != nullptr; }
  T* get() const noexcept { return object_; }
  T* operator->() const noexcept { return object_; }
  T& operator*() const noexcept { return *object_; }
  std::shared_ptr<T> shared() const { return std::static_pointer_cast<T>(use_.shared()); }

 private:
  HandleTable::Use use_;
  T* object_ = nullptr;
};

// Why a handle was refused (`found` false); null for a handle the table has.
const char* handle_problem(shmlink_handle handle, bool found);

// The object behind `handle` if it is of `kind`; otherwise empty, with *why saying what is
// wrong. Not an exception: a handle closed by one thread while another still uses it is an
// expected outcome of the C API (BAD_HANDLE), and callers report it without unwinding.
template <class T>
Ref<T> find_as(shmlink_handle handle, int32_t kind, const char* kind_name, std::string* why) {
  HandleTable::Use use = handle_table().find(handle);
  if (const char* problem = handle_problem(handle, static_cast<bool>(use))) {
    *why = problem;
    return {};
  }
  Object* object = use.get();
  if (object->kind() != kind) {
    *why = std::string("the handle is not a ") + kind_name;
    return {};
  }
  return Ref<T>(std::move(use), static_cast<T*>(object));
}

}  // namespace shmlink
