// The raw baseline the channel benchmarks are stated against: a minimal single-producer
// single-consumer ring of fixed-size slots in shared memory, as fast as such a ring gets and
// no more (no locks, no liveness, no checks of what a peer wrote, no sleeping: the physical
// limit of moving messages through shared memory on this machine). Each side keeps the
// other's position as last read and reads it again only when that says full / empty, so in a
// stream the positions' cache lines move once per lap, not once per message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace bench {

class RawRing {
 public:
  // 32-bit positions, so that a sleeper can wait on one with a futex (the ping-pong peers
  // sleep between blocks); they wrap harmlessly, as `slots` is a power of two.
  struct Control {
    alignas(64) uint32_t tail;  // written by the producer only
    alignas(64) uint32_t head;  // written by the consumer only
  };
  static constexpr size_t bytes_for(uint32_t slot_bytes, uint32_t slots) {
    return sizeof(Control) + size_t{slot_bytes} * slots;
  }
  static uint32_t slots_for(uint64_t capacity_bytes, uint32_t slot_bytes) {
    uint32_t slots = 1;
    while (uint64_t{slots} * 2 * slot_bytes <= capacity_bytes) slots *= 2;
    return slots;
  }

  // `memory`: bytes_for(slot_bytes, slots) bytes, zeroed by its creator; 64-byte aligned.
  RawRing(void* memory, uint32_t slot_bytes, uint32_t slots)
      : control_(static_cast<Control*>(memory)),
        slots_(reinterpret_cast<char*>(control_ + 1)),
        slot_bytes_(slot_bytes),
        mask_(slots - 1) {}

  uint32_t* tail_word() { return &control_->tail; }

  // Producer: a slot to write the next message in place, or null if the ring is full; then publish().
  char* slot_to_write() {
    const uint32_t tail = __atomic_load_n(&control_->tail, __ATOMIC_RELAXED);
    if (tail - cached_head_ > mask_) {
      cached_head_ = __atomic_load_n(&control_->head, __ATOMIC_ACQUIRE);
      if (tail - cached_head_ > mask_) return nullptr;
    }
    return slots_ + size_t{tail & mask_} * slot_bytes_;
  }
  void publish() { __atomic_store_n(&control_->tail, __atomic_load_n(&control_->tail, __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE); }
  bool try_send(const void* message) {
    char* slot = slot_to_write();
    if (slot == nullptr) return false;
    std::memcpy(slot, message, slot_bytes_);
    publish();
    return true;
  }

  // Consumer: the next message in place, or null if the ring is empty; then release().
  const char* slot_to_read() {
    const uint32_t head = __atomic_load_n(&control_->head, __ATOMIC_RELAXED);
    if (head == cached_tail_) {
      cached_tail_ = __atomic_load_n(&control_->tail, __ATOMIC_ACQUIRE);
      if (head == cached_tail_) return nullptr;
    }
    return slots_ + size_t{head & mask_} * slot_bytes_;
  }
  void release() { __atomic_store_n(&control_->head, __atomic_load_n(&control_->head, __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE); }
  bool try_receive(void* message) {
    const char* slot = slot_to_read();
    if (slot == nullptr) return false;
    std::memcpy(message, slot, slot_bytes_);
    release();
    return true;
  }

 private:
  Control* control_;
  char* slots_;
  uint32_t slot_bytes_;
  uint32_t mask_;
  uint32_t cached_head_ = 0;  // producer's
  uint32_t cached_tail_ = 0;  // consumer's
};

}  // namespace bench
