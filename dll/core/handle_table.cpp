#include "handle_table.h"

#include "error.h"

#include <algorithm>

namespace shmlink {

// ---- Use ----

HandleTable::Use& HandleTable::Use::operator=(Use&& other) noexcept {
  if (this != &other) {
    reset();
    table_ = other.table_;
    slot_ = other.slot_;
    index_ = other.index_;
    other.slot_ = nullptr;
  }
  return *this;
}

Object* HandleTable::Use::get() const noexcept { return slot_ != nullptr ? slot_->object : nullptr; }

// The slot's owner cannot change while this use is counted: only retire() touches it.
std::shared_ptr<Object> HandleTable::Use::shared() const { return slot_ != nullptr ? slot_->owner : nullptr; }

void HandleTable::Use::reset() noexcept {
  if (slot_ == nullptr) return;
  table_->release(*slot_, index_);
  slot_ = nullptr;
}

// ---- The table ----

HandleTable::HandleTable() noexcept {
  Slot* first = reinterpret_cast<Slot*>(first_chunk_storage_);
  for (uint32_t index = 0; index < kSlotsPerChunk; ++index) new (first + index) Slot();
  chunks_[0].store(first, std::memory_order_relaxed);
}

shmlink_handle HandleTable::insert(std::shared_ptr<Object> object) {
  std::lock_guard<std::mutex> lock(mutex_);
  uint32_t index;
  Slot* slot;
  if (free_head_ != kNoSlot) {
    index = free_head_;
    slot = &chunks_[index / kSlotsPerChunk].load(std::memory_order_relaxed)[index % kSlotsPerChunk];
    free_head_ = slot->next_free;
  } else {
    if (slots_used_ >= kMaxHandles)
      fail(SHMLINK_ERR_NO_RESOURCES, "the process has " + std::to_string(kMaxHandles) + " handles open");
    index = slots_used_;
    std::atomic<Slot*>& chunk = chunks_[index / kSlotsPerChunk];
    if (chunk.load(std::memory_order_relaxed) == nullptr)
      chunk.store(new Slot[kSlotsPerChunk], std::memory_order_release);
    slot = &chunk.load(std::memory_order_relaxed)[index % kSlotsPerChunk];
    ++slots_used_;
  }
  slot->next_free = kNoSlot;
  slot->object = object.get();
  slot->owner = std::move(object);
  const uint64_t generation = slot->state.load(std::memory_order_relaxed) >> 32;
  // Publishes object and owner to the lookups that see kOpen.
  slot->state.store((generation << 32) | kOpen, std::memory_order_release);
  return (generation << 32) | (static_cast<uint64_t>(index) + 1);
}

HandleTable::Slot* HandleTable::slot_for(shmlink_handle handle) const noexcept {
  const uint32_t index = index_of(handle);  // handle 0 and a zero index give UINT32_MAX
  if (index >= kMaxHandles) return nullptr;
  Slot* chunk = chunks_[index / kSlotsPerChunk].load(std::memory_order_acquire);
  return chunk != nullptr ? &chunk[index % kSlotsPerChunk] : nullptr;
}

HandleTable::Use HandleTable::find(shmlink_handle handle) noexcept {
  Slot* slot = slot_for(handle);
  if (slot == nullptr) return {};
  uint64_t state = slot->state.load(std::memory_order_relaxed);
  for (;;) {
    if ((state >> 32) != generation_of(handle) || (state & kOpen) == 0) return {};
    // 2^31 uses at once would need as many threads inside calls: it cannot happen.
    if ((state & kUseMask) == kUseMask) return {};
    if (slot->state.compare_exchange_weak(state, state + 1, std::memory_order_acquire, std::memory_order_relaxed))
      return Use(this, slot, index_of(handle));
  }
}

bool HandleTable::remove(shmlink_handle handle) noexcept {
  Slot* slot = slot_for(handle);
  if (slot == nullptr) return false;
  uint64_t state = slot->state.load(std::memory_order_relaxed);
  do {
    if ((state >> 32) != generation_of(handle) || (state & kOpen) == 0) return false;
  } while (!slot->state.compare_exchange_weak(state, state & ~kOpen, std::memory_order_acq_rel,
                                              std::memory_order_relaxed));
  if ((state & kUseMask) == 0) retire(*slot, index_of(handle));
  return true;
}

void HandleTable::release(Slot& slot, uint32_t index) noexcept {
  const uint64_t before = slot.state.fetch_sub(1, std::memory_order_acq_rel);
  if ((before & kUseMask) == 1 && (before & kOpen) == 0) retire(slot, index);
}

void HandleTable::retire(Slot& slot, uint32_t index) noexcept {
  std::shared_ptr<Object> owner = std::move(slot.owner);
  slot.object = nullptr;
  uint32_t generation = static_cast<uint32_t>(slot.state.load(std::memory_order_relaxed) >> 32) + 1;
  if (generation == 0) generation = 1;  // a crafted handle with a zero upper half must never match
  slot.state.store(static_cast<uint64_t>(generation) << 32, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    slot.next_free = free_head_;
    free_head_ = index;
  }
  // The object goes here (unless a view still holds it), outside the lock: it may call into
  // the OS for a while.
}

void HandleTable::clear() noexcept {
  uint32_t used;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    used = slots_used_;
  }
  for (uint32_t index = 0; index < used; ++index) {
    Slot& slot = chunks_[index / kSlotsPerChunk].load(std::memory_order_acquire)[index % kSlotsPerChunk];
    const uint64_t before = slot.state.fetch_and(~kOpen, std::memory_order_acq_rel);
    if ((before & kOpen) != 0 && (before & kUseMask) == 0) retire(slot, index);
  }
}

void HandleTable::free_storage_if_unused() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  for (uint32_t index = 0; index < slots_used_; ++index) {
    const Slot& slot = chunks_[index / kSlotsPerChunk].load(std::memory_order_relaxed)[index % kSlotsPerChunk];
    if ((slot.state.load(std::memory_order_acquire) & (kOpen | kUseMask)) != 0) return;
  }
  for (uint32_t chunk = 1; chunk < kChunks; ++chunk)
    delete[] chunks_[chunk].exchange(nullptr, std::memory_order_acq_rel);
  slots_used_ = std::min(slots_used_, kSlotsPerChunk);
  // The free list may name slots of the freed blocks: start it again from the first block's.
  free_head_ = kNoSlot;
  Slot* first = chunks_[0].load(std::memory_order_relaxed);
  for (uint32_t index = slots_used_; index-- > 0;) {
    first[index].next_free = free_head_;
    free_head_ = index;
  }
}

const char* handle_problem(shmlink_handle handle, bool found) {
  if (found) return nullptr;
  return handle == 0 ? "handle 0 is never valid" : "the handle is closed or was never opened";
}

namespace {

// The table lives in static storage and is emptied when the library is unloaded or the
// process exits, so that named objects are released cleanly (on Linux their names removed)
// even if the program forgot to close them, and a plugin host that unloads the library
// leaks nothing.
struct StaticHandleTable {
  HandleTable table;
  ~StaticHandleTable() {
    table.clear();
    table.free_storage_if_unused();
  }
};
StaticHandleTable static_table;

}  // namespace

HandleTable& handle_table() { return static_table.table; }

}  // namespace shmlink
