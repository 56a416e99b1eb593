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
  std::vector<std::shared_ptr<Object>> objects;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (uint32_t index = 0; index < slots_.size(); ++index) {
      Slot& slot = slots_[index];
      if (!slot.object) continue;
      try {
        objects.push_back(std::move(slot.object));
        free_slots_.push_back(index);
      } catch (...) {
        slot.object.reset();  // out of memory at exit: release it here instead
      }
      slot.object.reset();
      if (++slot.generation == 0) slot.generation = 1;
    }
  }
  // Destructors run outside the lock: they may call back into the OS for a while.
}

namespace {

// The table itself is never destroyed, so a thread still calling in during process exit
// finds an empty table rather than a destroyed one; this object empties it at exit so that
// named objects are released (and on Linux their names removed) even if the program
// forgot to close them.
struct CloseAllAtExit {
  ~CloseAllAtExit() { handle_table().clear(); }
};
CloseAllAtExit close_all_at_exit;

}  // namespace

HandleTable& handle_table() {
  static HandleTable* table = new HandleTable;
  return *table;
}

}  // namespace shmlink
