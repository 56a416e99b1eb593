// libFuzzer target for the channel algorithm (dll/core/channel_ring.cpp): a sender and a
// receiver handle on one channel in a heap buffer, driven by the input through reserve /
// commit / drop / claim / consume / their batch forms / receivable / housekeeping / re-attaching, with
// "scribbles" between the operations that write arbitrary bytes into the shared state (the
// control block, the slot table and the ring), as a crashed or hostile peer could. The channel
// is a queue or a pub/sub channel (block or overwrite policy), as the input says; in pub/sub
// the reader is a subscriber.
//
// What must hold, whatever the input:
//  - nothing crashes, reads or writes out of bounds (AddressSanitizer) or hangs (-timeout);
//  - only shmlink::Failure escapes the ring (CORRUPT for a broken state); anything else aborts;
//  - while the input has neither scribbled nor killed a handle, no call fails at all and the
//    receiver gets exactly the committed messages, in order, with their bytes (queues only:
//    a subscriber that re-attaches starts at the tail, and one overwritten loses messages, so
//    pub/sub inputs are checked for the first two points alone).
//
// One thread plays every handle, so no lock is ever held between two operations: a lock word
// found set before an operation is a scribble. The ring spins on a held lock until its holder
// is dead; before each operation the fuzzer makes every such holder dead (or, if it names a
// handle of this very process, releases the lock as that handle's other thread would), so
// that no input can make it spin for ever. Timeouts are 0 or 1 ms, and the host's sleep
// returns at once.
//
// Build and run: scripts/fuzz.sh (clang's -fsanitize=fuzzer,address).

#include "core/channel_layout.h"
#include "core/channel_ring.h"
#include "core/error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <optional>

using namespace shmlink;
using namespace shmlink::channel;

namespace {

// ---- Input ----

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return size_ == 0; }
  uint8_t u8() {
    if (size_ == 0) return 0;
    --size_;
    return *data_++;
  }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  uint32_t u32() { return u16() | (uint32_t{u16()} << 16); }
  uint64_t u64() { return u32() | (uint64_t{u32()} << 32); }

 private:
  const uint8_t* data_;
  size_t size_;
};

// ---- Host: liveness in memory, no sleeping ----

class FuzzHost final : public ChannelHost {
 public:
  bool claim_slot(Slot&, uint32_t index) override {
    if (held_[index] || (index < 64 && (foreign_alive_ >> index & 1))) return false;
    held_[index] = true;
    dead_[index] = false;
    return true;
  }
  void release_slot(Slot&, uint32_t index) noexcept override { held_[index] = false; }
  bool slot_alive(const Slot&, uint32_t index) override { return alive(index); }
  void wake(WakeWord& word) override { __atomic_fetch_add(&word.sequence, 1u, __ATOMIC_RELEASE); }
  uint32_t prepare_sleep(WakeWord& word) override { return __atomic_load_n(&word.sequence, __ATOMIC_ACQUIRE); }
  void sleep(WakeWord&, uint32_t, Clock::time_point) override {}  // may return early
  void cancel_sleep(WakeWord&) noexcept override {}
  // Always due: the fuzzer has no time to wait (look_after_peers_if_due runs every time).
  uint64_t coarse_now_ms() noexcept override { return ++now_ms_ * 1000; }

  // Whether the holder of slot `index` is alive: a handle of this process unless the input
  // killed it, or a foreign peer the input declared alive (slots 0..63 only).
  bool alive(uint32_t index) const {
    if (held_[index]) return !dead_[index];
    return index < 64 && (foreign_alive_ >> index & 1);
  }
  bool held(uint32_t index) const { return held_[index]; }
  void kill(uint32_t index) {
    if (held_[index]) dead_[index] = true;
    if (index < 64) foreign_alive_ &= ~(uint64_t{1} << index);
  }
  void set_foreign_alive(uint64_t mask) { foreign_alive_ = mask; }

 private:
  bool held_[kMaxSlots] = {};
  bool dead_[kMaxSlots] = {};
  uint64_t foreign_alive_ = 0;
  uint64_t now_ms_ = 0;
};

// ---- One handle ----

struct Side {
  std::unique_ptr<ChannelRing> ring;  // null: not open (the constructor or attach failed)
  uint32_t roles = 0;
  uint32_t tag = 0;  // its owner tag, as the ring computes it at attach
  std::optional<ChannelRing::Reservation> reservation;
  std::optional<ChannelRing::Claim> claim;
};

// A message as the fuzzer sent it, in the order of the reservations.
struct Message {
  enum State { Pending, Committed, Dropped };
  uint64_t position;
  uint32_t length;
  uint8_t seed;
  State state;
};

constexpr uint32_t kMaxBatch = 8;

volatile uint32_t g_sink;  // where the payloads' bytes go, so that reading them is not optimized out

uint8_t pattern(uint8_t seed, uint32_t i) { return static_cast<uint8_t>(seed + i * 31u); }

class Harness {
 public:
  Harness(uint8_t* region, uint64_t region_bytes, uint64_t ring_bytes, uint32_t max_message, bool exact)
      : region_(region), region_bytes_(region_bytes), ring_bytes_(ring_bytes), max_message_(max_message),
        dirty_(!exact) {}

  Control* control() const { return reinterpret_cast<Control*>(region_); }
  Slot* slots() const { return reinterpret_cast<Slot*>(region_ + kSlotsOffset); }

  // (Re)opens side `which` with `roles`; a Failure leaves it closed.
  void open(Side& side, uint32_t roles) {
    close(side);
    try {
      auto ring = std::make_unique<ChannelRing>(region_, region_bytes_, host_);
      ring->attach(roles);
      side.roles = roles;
      const uint64_t owner = __atomic_load_n(&slots()[ring->slot()].owner, __ATOMIC_ACQUIRE);
      side.tag = make_tag(ring->slot(), static_cast<uint32_t>(owner >> 32));
      side.ring = std::move(ring);
    } catch (const Failure&) {
      dirty_ = true;  // a clean channel always opens
      if (!scribbled_) std::abort();
    }
  }

  // Closes the handle: its reservation is given up (peers drop it once they notice).
  void close(Side& side) {
    if (side.reservation) set_state(side.reservation->position, Message::Dropped, 0);
    side.reservation.reset();
    side.claim.reset();
    side.ring.reset();  // detaches
  }

  void run(Input& in);

 private:
  void set_state(uint64_t position, Message::State state, uint32_t length) {
    for (Message& message : sent_) {
      if (message.position == position && message.state == Message::Pending) {
        message.state = state;
        if (state == Message::Committed) message.length = length;
        return;
      }
    }
  }
  // The message a receiver must get next on a clean channel.
  const Message& expected_next() {
    while (!sent_.empty() && sent_.front().state == Message::Dropped) sent_.pop_front();
    if (sent_.empty() || sent_.front().state != Message::Committed) {
      std::fprintf(stderr, "a message was received that was not sent\n");
      std::abort();
    }
    return sent_.front();
  }
  void operation(Input& in);
  void settle_locks();
  bool alive_for_someone(uint32_t tag) const;
  void scribble(Input& in);
  void reserve(Side& side, uint32_t length);
  void commit(Side& side, uint32_t length);
  void claim(Side& side, uint32_t max_length);
  void consume(Side& side);
  void send_batch(Side& side, Input& in, uint32_t count);
  void receive_batch(Side& side, uint32_t count);
  void check_claimed(const ChannelRing::Claim& claim, uint32_t max_length);
  void drop(Side& side);
  void check_clean() const {
    if (!dirty_) {
      std::fprintf(stderr, "a call failed on a channel nobody scribbled on or killed\n");
      std::abort();
    }
  }

  uint8_t* region_;
  uint64_t region_bytes_;
  uint64_t ring_bytes_;
  uint32_t max_message_;
  FuzzHost host_;
  Side sides_[2];  // 0: the writer, 1: the reader
  std::deque<Message> sent_;  // reserved, not yet claimed (checked while clean)
  uint8_t next_seed_ = 1;
  uint32_t timeout_ms_ = 0;
  bool scribbled_ = false;
  bool dirty_ = false;  // scribbled, or a handle killed: failures and lost messages are allowed
};

// Whether some handle of ours would find the lock holder `tag` alive (ChannelRing::tag_alive).
bool Harness::alive_for_someone(uint32_t tag) const {
  const uint32_t index = tag_slot(tag);
  for (const Side& side : sides_) {
    if (side.ring && index == side.ring->slot()) {
      if (tag == side.tag) return true;
    } else {
      const uint64_t owner = __atomic_load_n(&slots()[index].owner, __ATOMIC_ACQUIRE);
      if (static_cast<uint32_t>(owner) != 0 && ((owner >> 32) & kTagGenerationMask) == tag_generation(tag) &&
          host_.alive(index))
        return true;
    }
  }
  return false;
}

// No lock is held between operations: a set lock word with a live holder would make the
// next lock() spin for ever. A holder in this process "releases" it; a foreign one dies.
void Harness::settle_locks() {
  for (uint32_t* word : {&control()->send_lock, &control()->recv_lock}) {
    const uint32_t holder = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    if (holder == 0 || !alive_for_someone(holder - 1)) continue;
    if (host_.held(tag_slot(holder - 1))) {
      __atomic_store_n(word, 0u, __ATOMIC_RELEASE);
    } else {
      host_.kill(tag_slot(holder - 1));
    }
  }
}

void Harness::scribble(Input& in) {
  scribbled_ = true;
  dirty_ = true;
  Control* c = control();
  const uint8_t kind = in.u8();
  switch (kind % 4) {
    case 0: {  // raw bytes somewhere: the control block, the first slots, the ring, anywhere
      const uint8_t area = in.u8();
      uint64_t offset = in.u32();
      switch (area % 4) {
        case 0: offset %= sizeof(Control); break;
        case 1: offset = kSlotsOffset + offset % (64 * sizeof(Slot)); break;
        case 2: offset = kRingOffset + offset % ring_bytes_; break;
        default: offset %= region_bytes_; break;
      }
      const uint32_t length = 1 + (area >> 2) % 16;
      for (uint32_t i = 0; i < length && offset + i < region_bytes_; ++i) region_[offset + i] = in.u8();
      break;
    }
    case 1: {  // a position moved by a small amount, or set outright
      uint64_t* fields[] = {&c->tail, &c->read_claim, &c->head};
      uint64_t* field = fields[(kind >> 2) % 3];
      if (kind & 0x20) {
        *field = in.u64();
      } else {
        *field += static_cast<int64_t>(static_cast<int16_t>(in.u16()));
      }
      break;
    }
    case 2: {  // a record header rewritten at a position near one of the positions
      const uint64_t bases[] = {c->head, c->read_claim, c->tail, 0};
      const uint64_t position = bases[(kind >> 2) % 4] + static_cast<int64_t>(static_cast<int8_t>(in.u8())) * 16;
      uint8_t* at = region_ + kRingOffset + (position % ring_bytes_ & ~uint64_t{kRecordAlign - 1});
      RecordHeader header;
      std::memcpy(&header, at, sizeof header);
      const uint32_t states[] = {kWriting | sides_[0].tag, kCommitted, kClaimed | sides_[1].tag, kConsumed,
                                 kPadding, kDropped, kWriting | in.u32(), in.u32()};
      const uint8_t what = in.u8();
      if (what & 1) header.state = states[(what >> 1) % 8];
      if (what & 0x10) header.length = (what & 0x20) ? in.u32() : in.u16();
      if (what & 0x40) header.span = (what & 0x80) ? in.u32() : in.u16();
      std::memcpy(at, &header, sizeof header);
      break;
    }
    default: {  // a control word: a lock, a counter, slot_high, or a slot's owner
      const uint32_t value = in.u32();
      switch ((kind >> 2) % 6) {
        case 0: c->send_lock = value; break;
        case 1: c->recv_lock = value; break;
        case 2: c->senders = value; break;
        case 3: c->receivers = value; break;
        case 4: c->slot_high = value; break;
        default: slots()[value % 64].owner = (uint64_t{in.u32()} << 32) | in.u8(); break;
      }
      break;
    }
  }
}

void Harness::reserve(Side& side, uint32_t length) {
  // As the API: a sender's, one at a time, at most max_message bytes.
  if (!side.ring || !(side.roles & kRoleSender) || side.reservation) return;
  ChannelRing::Reservation reservation;
  if (side.ring->reserve(length, timeout_ms_, &reservation) != SHMLINK_OK) return;
  if (reservation.capacity != length) std::abort();
  const uint8_t seed = next_seed_++;
  for (uint32_t i = 0; i < reservation.capacity; ++i) reservation.payload[i] = pattern(seed, i);
  sent_.push_back({reservation.position, length, seed, Message::Pending});
  side.reservation = reservation;
}

void Harness::commit(Side& side, uint32_t length) {
  if (!side.reservation) return;
  const ChannelRing::Reservation reservation = *side.reservation;
  side.reservation.reset();
  length %= reservation.capacity + 1;  // the API checks it is at most the capacity
  set_state(reservation.position, Message::Committed, length);
  side.ring->commit(reservation, length);
}

void Harness::drop(Side& side) {
  if (!side.reservation) return;
  const ChannelRing::Reservation reservation = *side.reservation;
  side.reservation.reset();
  set_state(reservation.position, Message::Dropped, 0);
  side.ring->drop(reservation);
}

void Harness::claim(Side& side, uint32_t max_length) {
  if (!side.ring || !(side.roles & kRoleReceiver) || side.claim) return;
  ChannelRing::Claim claim;
  uint32_t needed = 0;
  const shmlink_status status = side.ring->claim(max_length, timeout_ms_, &claim, &needed);
  if (status == SHMLINK_ERR_BUFFER_TOO_SMALL) {
    if (needed <= max_length || needed > max_message_) std::abort();
    if (!dirty_ && expected_next().length != needed) std::abort();
    return;
  }
  if (status != SHMLINK_OK) return;
  check_claimed(claim, max_length);
  side.claim = claim;
}

// A message taken: within its limits, and while clean exactly the next one committed.
void Harness::check_claimed(const ChannelRing::Claim& claim, uint32_t max_length) {
  if (claim.length > max_length || claim.length > max_message_) std::abort();
  // Every byte is read, so that AddressSanitizer sees a payload outside the ring.
  uint32_t sum = 0;
  for (uint32_t i = 0; i < claim.length; ++i) sum += claim.payload[i];
  g_sink = sum;
  if (!dirty_) {
    const Message& expected = expected_next();
    if (expected.position != claim.position || expected.length != claim.length) std::abort();
    for (uint32_t i = 0; i < claim.length; ++i) {
      if (claim.payload[i] != pattern(expected.seed, i)) std::abort();
    }
    sent_.pop_front();
  }
}

// reserve_batch and commit_batch of `count` messages of lengths from the input, as the API.
void Harness::send_batch(Side& side, Input& in, uint32_t count) {
  shmlink_channel_message messages[kMaxBatch] = {};
  for (uint32_t i = 0; i < count; ++i) messages[i].length = in.u16() % (max_message_ + 1);
  if (!side.ring || !(side.roles & kRoleSender) || side.reservation) return;
  ChannelRing::Reservation reservations[kMaxBatch];
  uint32_t reserved = 0;
  if (side.ring->reserve_batch(messages, count, timeout_ms_, reservations, &reserved) != SHMLINK_OK) return;
  if (reserved == 0 || reserved > count) std::abort();
  for (uint32_t r = 0; r < reserved; ++r) {
    if (reservations[r].capacity != messages[r].length) std::abort();
    const uint8_t seed = next_seed_++;
    for (uint32_t i = 0; i < reservations[r].capacity; ++i) reservations[r].payload[i] = pattern(seed, i);
    sent_.push_back({reservations[r].position, messages[r].length, seed, Message::Pending});
  }
  for (uint32_t r = 0; r < reserved; ++r) set_state(reservations[r].position, Message::Committed, messages[r].length);
  side.ring->commit_batch(reservations, messages, reserved);
}

// claim_batch and consume_batch of up to `count` messages of any length.
void Harness::receive_batch(Side& side, uint32_t count) {
  if (!side.ring || !(side.roles & kRoleReceiver) || side.claim) return;
  ChannelRing::Claim claims[kMaxBatch];
  uint32_t taken = 0, needed = 0;
  if (side.ring->claim_batch(nullptr, count, timeout_ms_, claims, &taken, &needed) != SHMLINK_OK) return;
  if (taken == 0 || taken > count) std::abort();
  for (uint32_t i = 0; i < taken; ++i) check_claimed(claims[i], UINT32_MAX);
  side.ring->consume_batch(claims, taken);
}

void Harness::consume(Side& side) {
  if (!side.claim) return;
  const ChannelRing::Claim claim = *side.claim;
  side.claim.reset();
  side.ring->consume(claim);
}

void Harness::operation(Input& in) {
  const uint8_t op = in.u8();
  Side& side = sides_[op >> 7];  // the top bit picks the handle
  // Bits 4-6 all set wait 1 ms instead of not at all: the blocking loop, with a host that never sleeps.
  timeout_ms_ = (op & 0x70) == 0x70 ? 1 : 0;
  switch (op % 16) {
    case 0:
      reserve(side, in.u16() % (max_message_ + 1));
      break;
    case 1:
      commit(side, in.u16());
      break;
    case 2:
      drop(side);
      break;
    case 3: {  // send
      const uint32_t length = in.u16() % (max_message_ + 1);
      if (side.reservation) break;
      reserve(side, length);
      commit(side, length);
      break;
    }
    case 4: {
      const uint16_t max = in.u16();
      claim(side, max == 0xFFFF ? UINT32_MAX : max);
      break;
    }
    case 5:
      consume(side);
      break;
    case 6:  // receive
      claim(side, UINT32_MAX);
      consume(side);
      break;
    case 7:
      if (side.ring) side.ring->receivable();
      break;
    case 8:
      if (side.ring) side.ring->look_after_peers_now();
      break;
    case 9:
      if (side.ring) side.ring->look_after_peers_if_due();
      break;
    case 10: {  // a batch sent (bit 0) or received, of 1 to kMaxBatch messages
      const uint8_t batch = in.u8();
      const uint32_t count = 1 + (batch >> 1) % kMaxBatch;
      if (batch & 1) send_batch(side, in, count);
      else receive_batch(side, count);
      break;
    }
    case 11:
      scribble(in);
      break;
    case 12: {  // a handle dies (its ring object lives on, as a peer that does not know)
      if (side.ring) host_.kill(side.ring->slot());
      dirty_ = true;
      break;
    }
    case 13: {  // foreign peers in slots 0..63 come and go
      host_.set_foreign_alive(in.u64());
      break;
    }
    case 14: {  // reopen, as the writer or reader it was or as both
      const uint32_t role = &side == &sides_[0] ? kRoleSender : kRoleReceiver;
      open(side, (in.u8() & 1) ? kRoleSender | kRoleReceiver : role);
      break;
    }
    default:
      close(side);
      break;
  }
}

void Harness::run(Input& in) {
  open(sides_[0], kRoleSender);
  open(sides_[1], kRoleReceiver);
  for (int operations = 0; !in.empty() && operations < 4096; ++operations) {
    settle_locks();
    try {
      operation(in);
    } catch (const Failure& failure) {
      check_clean();
      if (failure.status() != SHMLINK_ERR_CORRUPT) {
        std::fprintf(stderr, "unexpected failure %d: %s\n", failure.status(), failure.what());
        std::abort();
      }
    }
  }
  settle_locks();  // the destructors detach: no lock, but keep the state sane for them
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  // A small channel: the ring of a few hundred bytes to a few KiB, messages up to a third of it.
  const uint64_t capacity = 64 + in.u16() % 4033;
  const uint32_t max_message = 1 + static_cast<uint32_t>(in.u16() % (capacity / 3));
  uint64_t ring_bytes = 0;
  try {
    ring_bytes = channel_ring_bytes(capacity, max_message);
  } catch (const Failure&) {
    std::abort();  // these sizes are valid
  }
  const uint64_t region_bytes = region_bytes_for(ring_bytes);
  // Exactly the region, so that AddressSanitizer flags a byte past the ring.
  auto* region = static_cast<uint8_t*>(::operator new(region_bytes, std::align_val_t{64}));
  std::memset(region, 0, region_bytes);
  // 0: a queue; 1: pub/sub, block policy; 2: pub/sub, overwrite policy.
  const uint8_t mode = in.u8() % 3;
  initialize_channel(region, ring_bytes, max_message,
                     mode == 0 ? 0u : SHMLINK_CHANNEL_PUBSUB | (mode == 2 ? SHMLINK_CHANNEL_OVERWRITE : 0u));
  {
    Harness harness(region, region_bytes, ring_bytes, max_message, mode == 0);
    harness.run(in);
  }
  ::operator delete(region, std::align_val_t{64});
  return 0;
}
