#include "handle_table.h"

#include "error.h"

namespace shmlink {

shmlink_handle HandleTable::insert(std::shared_ptr<Object> object) {
  std::lock_guard<std::mutex> lock(mutex_);
  uint32_t index;
  if (!free_slots_.empty()) {
    index = free_slots_.back();
    free_slots_.pop_back();
  } else {
    if (slots_.size() >= kMaxHandles)
      fail(SHMLINK_ERR_NO_RESOURCES, "the process has " + std::to_string(kMaxHandles) + " handles open");
    slots_.emplace_back();
    index = static_cast<uint32_t>(slots_.size() - 1);
  }
  Slot& slot = slots_[index];
  slot.object = std::move(object);
  return (static_cast<uint64_t>(slot.generation) << 32) | (static_cast<uint64_t>(index) + 1);
}

std::shared_ptr<Object> HandleTable::find(shmlink_handle handle) const {
  if (handle == 0) return nullptr;
  const uint32_t index = index_of(handle);
  std::lock_guard<std::mutex> lock(mutex_);
  if (index >= slots_.size()) return nullptr;
  const Slot& slot = slots_[index];
  if (slot.generation != generation_of(handle)) return nullptr;
  return slot.object;
}

std::shared_ptr<Object> HandleTable::remove(shmlink_handle handle) {
  if (handle == 0) return nullptr;
  const uint32_t index = index_of(handle);
  std::lock_guard<std::mutex> lock(mutex_);
  if (index >= slots_.size()) return nullptr;
  Slot& slot = slots_[index];
  if (slot.generation != generation_of(handle) || !slot.object) return nullptr;
  std::shared_ptr<Object> object = std::move(slot.object);
  slot.object.reset();
  // Generation 0 would let a crafted handle with a zero upper half match; skip it.
  if (++slot.generation == 0) slot.generation = 1;
  free_slots_.push_back(index);
  return object;
}

void HandleTable::clear() noexcept {
  std::vector<Slot> slots;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    slots.swap(slots_);
    std::vector<uint32_t>().swap(free_slots_);
  }
  // The objects are destroyed here, outside the lock: they may call into the OS for a while.
}

namespace {

// The table lives in static storage and is emptied when the library is unloaded or the
// process exits, so that named objects are released cleanly (on Linux their names removed)
// even if the program forgot to close them, and a plugin host that unloads the library
// leaks nothing.
struct StaticHandleTable {
  HandleTable table;
  ~StaticHandleTable() { table.clear(); }
};
StaticHandleTable static_table;

}  // namespace

HandleTable& handle_table() { return static_table.table; }

}  // namespace shmlink
