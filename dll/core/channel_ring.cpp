#include "channel_ring.h"

#include "error.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

namespace shmlink {

using namespace channel;

namespace {

// A blocked peer looks after dead peers this often; a killed peer is noticed within it.
constexpr auto kLookAfterPeersEvery = std::chrono::milliseconds(100);
// How long a blocking call keeps checking before it sleeps (see check_before_sleep in
// dll/posix/sync_posix.cpp: on this kind of machine, waking a sleeper costs far more).
constexpr auto kSpinBeforeSleep = std::chrono::microseconds(20);
// Spins on a busy lock before each liveness check of its holder.
constexpr int kLockSpinsPerCheck = 4096;
// A live holder keeps a lock for a few instructions, unless it is preempted or stopped
// (SIGSTOP, a debugger): a stopped process is alive, and is waited for, never taken over. A
// wait for a lock gives up (TIMEOUT) once the caller's deadline has passed, but not before
// kLockPatience, so that a poll (timeout 0) does not fail only because a sibling was
// preempted holding the lock. After kLockNapAfter the waiter naps between looks rather than
// burning a CPU the holder may need.
constexpr auto kLockPatience = std::chrono::milliseconds(50);
constexpr auto kLockNapAfter = std::chrono::milliseconds(2);
constexpr auto kLockNap = std::chrono::microseconds(500);

template <class T>
T load_acquire(const T* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
template <class T>
T load_relaxed(const T* p) {
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}
template <class T>
void store_release(T* p, T value) {
  __atomic_store_n(p, value, __ATOMIC_RELEASE);
}
template <class T>
void store_relaxed(T* p, T value) {
  __atomic_store_n(p, value, __ATOMIC_RELAXED);
}
template <class T>
bool compare_exchange(T* p, T& expected, T desired) {
  return __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

std::string format(const char* pattern, unsigned long long a, unsigned long long b = 0, unsigned long long c = 0) {
  char text[200];
  std::snprintf(text, sizeof text, pattern, a, b, c);
  return text;
}

[[noreturn]] void corrupt(const std::string& what) {
  fail(SHMLINK_ERR_CORRUPT, "the channel's shared state is broken (a crashed or hostile peer?): " + what);
}

bool several_cpus() {
  static const bool several = std::thread::hardware_concurrency() > 1;
  return several;
}

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Takes 1 from a shared counter unless it is 0 already (a hostile peer may have zeroed it).
void decrement(uint32_t* counter) {
  uint32_t value = load_relaxed(counter);
  while (value != 0 && !compare_exchange(counter, value, value - 1)) {
  }
}

// Adds to a statistics counter (channel_layout.h): relaxed, it orders nothing.
void count(uint64_t* counter, uint64_t amount) { __atomic_fetch_add(counter, amount, __ATOMIC_RELAXED); }

SendCounters& send_counters(Control* control) {
  return *reinterpret_cast<SendCounters*>(reinterpret_cast<uint8_t*>(control) + kSendCountersOffset);
}
ReceiveCounters& receive_counters(Control* control) {
  return *reinterpret_cast<ReceiveCounters*>(reinterpret_cast<uint8_t*>(control) + kReceiveCountersOffset);
}

// A batch is counted once: two atomic adds per call, not per message (they are a measurable
// part of a small message's cost: bench/RESULTS.md).
void count_sent(Control* control, uint64_t messages, uint64_t bytes) {
  SendCounters& counters = send_counters(control);
  count(&counters.messages, messages);
  count(&counters.bytes, bytes);
}
void count_received(Control* control, uint64_t messages, uint64_t bytes) {
  ReceiveCounters& counters = receive_counters(control);
  count(&counters.messages, messages);
  count(&counters.bytes, bytes);
}

uint32_t owner_roles(uint64_t owner) { return static_cast<uint32_t>(owner); }
uint32_t owner_generation(uint64_t owner) { return static_cast<uint32_t>(owner >> 32); }

}  // namespace

// Named instants inside the algorithm where the step peer (tests/peer/channel_step_peer.cpp,
// which compiles this file once more with SHMLINK_CHANNEL_STEPS) stops itself, so that a test
// can kill it or keep it stopped exactly there. In the library they are nothing at all.
#ifdef SHMLINK_CHANNEL_STEPS
void channel_step(const char* step);
#define SHMLINK_STEP(step) ::shmlink::channel_step(step)
#else
#define SHMLINK_STEP(step) static_cast<void>(0)
#endif

// Holds a shared lock for a scope, if it could be taken before the deadline.
class ChannelRing::LockGuard {
 public:
  LockGuard(ChannelRing& ring, uint32_t* word, ChannelDeadline& deadline)
      : ring_(ring), word_(word), held_(ring_.lock(word_, deadline)) {}
  ~LockGuard() {
    if (held_) ring_.unlock(word_);
  }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;
  // False: the deadline passed with the lock held by a live handle all along.
  bool held() const { return held_; }

 private:
  ChannelRing& ring_;
  uint32_t* word_;
  bool held_;
};

uint64_t channel_ring_bytes(uint64_t capacity_bytes, uint32_t max_message_bytes) {
  if (max_message_bytes == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "max_message_bytes is 0");
  if (max_message_bytes > kMaxMessageBytes)
    fail(SHMLINK_ERR_INVALID_ARGUMENT, format("max_message_bytes %llu is above the limit of %llu (a record's size "
                                              "must fit in 32 bits)", max_message_bytes, kMaxMessageBytes));
  if (max_message_bytes > capacity_bytes)
    fail(SHMLINK_ERR_INVALID_ARGUMENT, format("max_message_bytes %llu is larger than capacity_bytes %llu",
                                              max_message_bytes, capacity_bytes));
  if (capacity_bytes > kMaxRingBytes)
    fail(SHMLINK_ERR_NO_RESOURCES, format("capacity_bytes %llu is above the limit of %llu", capacity_bytes,
                                          kMaxRingBytes));
  if (capacity_bytes < record_span(max_message_bytes))
    fail(SHMLINK_ERR_INVALID_ARGUMENT,
         format("capacity_bytes %llu cannot hold one message of max_message_bytes %llu (it takes %llu bytes)",
                capacity_bytes, max_message_bytes, record_span(max_message_bytes)));
  // Records never wrap: the end of the ring may go unused as padding, up to one record's
  // worth. The extra room keeps `capacity_bytes` of messages always possible.
  const uint64_t capacity = (capacity_bytes + kRecordAlign - 1) & ~uint64_t{kRecordAlign - 1};
  return capacity + record_span(max_message_bytes);
}

void initialize_channel(void* region, uint64_t ring_bytes, uint32_t max_message_bytes, uint32_t mode) {
  auto* control = static_cast<Control*>(region);
  const bool pubsub = (mode & SHMLINK_CHANNEL_PUBSUB) != 0;
  control->layout_version = pubsub ? kPubSubLayoutVersion : kLayoutVersion;
  control->pubsub_policy = pubsub && (mode & SHMLINK_CHANNEL_OVERWRITE) ? kPolicyOverwrite : kPolicyBlock;
  control->ring_bytes = ring_bytes;
  control->ring_offset = kRingOffset;
  control->region_bytes = region_bytes_for(ring_bytes);
  control->max_message = max_message_bytes;
  control->slot_count = kMaxSlots;
  store_release(&control->magic, kMagic);
}

bool channel_initialized(const void* region) {
  return load_acquire(&static_cast<const Control*>(region)->magic) != 0;
}

ChannelRing::ChannelRing(void* region, uint64_t region_bytes, ChannelHost& host)
    : control_(static_cast<Control*>(region)), host_(host) {
  if (region_bytes < kRingOffset) corrupt(format("the channel object is only %llu bytes", region_bytes));
  const uint32_t magic = load_acquire(&control_->magic);
  if (magic != kMagic) corrupt(format("the channel's magic number is 0x%llx", magic));
  const uint32_t version = load_relaxed(&control_->layout_version);
  if (version != kLayoutVersion && version != kPubSubLayoutVersion)
    fail(SHMLINK_ERR_INCOMPATIBLE, format("the channel has layout version %llu; this library uses %llu and %llu",
                                          version, kLayoutVersion, kPubSubLayoutVersion));
  pubsub_ = version == kPubSubLayoutVersion;
  if (pubsub_) {
    policy_ = load_relaxed(&control_->pubsub_policy);
    if (policy_ != kPolicyBlock && policy_ != kPolicyOverwrite)
      corrupt(format("the pub/sub channel's policy is %llu", policy_));
    subscribers_ = reinterpret_cast<SubscriberEntry*>(static_cast<uint8_t*>(region) + kSubscribersOffset);
  }
  ring_bytes_ = load_relaxed(&control_->ring_bytes);
  max_message_ = load_relaxed(&control_->max_message);
  if (load_relaxed(&control_->slot_count) != kMaxSlots || load_relaxed(&control_->ring_offset) != kRingOffset)
    fail(SHMLINK_ERR_INCOMPATIBLE, "the channel's slot table is laid out differently");
  if (ring_bytes_ == 0 || ring_bytes_ % kRecordAlign != 0 || ring_bytes_ > kMaxRingBytes + kRecordAlign * 2ull +
                                                                               record_span(0xFFFFFFFFu))
    corrupt(format("the ring size %llu is invalid", ring_bytes_));
  if (max_message_ == 0 || max_message_ > kMaxMessageBytes || record_span(max_message_) > ring_bytes_)
    corrupt(format("the maximum message %llu does not fit the ring of %llu bytes", max_message_, ring_bytes_));
  if (load_relaxed(&control_->region_bytes) != region_bytes_for(ring_bytes_) ||
      region_bytes_for(ring_bytes_) > region_bytes)
    corrupt(format("the channel says it spans %llu bytes; %llu are there", region_bytes_for(ring_bytes_),
                   region_bytes));
  slots_ = reinterpret_cast<Slot*>(static_cast<uint8_t*>(region) + kSlotsOffset);
  ring_ = static_cast<uint8_t*>(region) + kRingOffset;
}

ChannelRing::~ChannelRing() { detach(); }

// ---- Attachments ----

void ChannelRing::attach(uint32_t roles) {
  for (uint32_t index = 0; index < kMaxSlots; ++index) {
    Slot& slot = slots_[index];
    if (!host_.claim_slot(slot, index)) continue;
    // Its last holder died without leaving: count it out first.
    uint64_t owner = load_acquire(&slot.owner);
    if (owner_roles(owner) != 0) reap_slot(index, owner);
    owner = load_acquire(&slot.owner);
    uint64_t attached = (uint64_t{owner_generation(owner) + 1} << 32) | roles;
    while (!compare_exchange(&slot.owner, owner, attached)) {
      attached = (uint64_t{owner_generation(owner) + 1} << 32) | roles;
    }
    slot_ = index;
    roles_ = roles;
    tag_ = make_tag(index, owner_generation(attached));
    // The count first, then the flag: a peer that reads the flag set reads the count after it
    // (side_gone), so it never takes this first arrival for a departure.
    if (roles & kRoleSender) {
      __atomic_fetch_add(&control_->senders, 1u, __ATOMIC_ACQ_REL);
      store_release(&control_->had_senders, 1u);
    }
    if (roles & kRoleReceiver) {
      __atomic_fetch_add(&control_->receivers, 1u, __ATOMIC_ACQ_REL);
      store_release(&control_->had_receivers, 1u);
    }
    uint32_t high = load_relaxed(&control_->slot_high);
    while (high < index + 1 && !compare_exchange(&control_->slot_high, high, index + 1)) {
    }
    if (pubsub_ && (roles & kRoleReceiver)) {
      try {
        subscribe();
      } catch (...) {
        detach();
        throw;
      }
    }
    wake_everyone();  // waits for a peer's presence look again
    return;
  }
  fail(SHMLINK_ERR_NO_RESOURCES, format("all %llu attachment slots of the channel are in use", kMaxSlots));
}

void ChannelRing::detach() noexcept {
  if (slot_ == kMaxSlots) return;
  Slot& slot = slots_[slot_];
  uint64_t owner = load_acquire(&slot.owner);
  if (owner_roles(owner) != 0 && (owner_generation(owner) & kTagGenerationMask) == tag_generation(tag_)) {
    reap_slot(slot_, owner);
  }
  host_.release_slot(slot, slot_);
  slot_ = kMaxSlots;
}

void ChannelRing::attach_again() noexcept {
  if (slot_ == kMaxSlots) return;
  const uint32_t shared_slot = slot_;
  const uint32_t shared_tag = tag_;
  // No thread of this handle runs in the new process: none holds or takes a lock through it.
  local_send_lock_.store(0, std::memory_order_relaxed);
  local_recv_lock_.store(0, std::memory_order_relaxed);
  slot_ = kMaxSlots;
  try {
    attach(roles_);
  } catch (...) {
    slot_ = shared_slot;
    tag_ = shared_tag;
  }
}

// Counts a gone attachment out, exactly once however many peers notice it at the same time,
// and wakes everyone so that blocked peers re-check whether the other side is gone.
void ChannelRing::reap_slot(uint32_t index, uint64_t owner) {
  const uint64_t gone = owner & ~uint64_t{0xFFFFFFFFu};
  if (!compare_exchange(&slots_[index].owner, owner, gone)) return;
  if (index != slot_) count(&receive_counters(control_).peers_died, 1);  // not this handle's own detach
  if (owner_roles(owner) & kRoleSender) decrement(&control_->senders);
  if (owner_roles(owner) & kRoleReceiver) decrement(&control_->receivers);
  if (pubsub_ && (owner_roles(owner) & kRoleReceiver)) free_subscriber(make_tag(index, owner_generation(owner)));
  wake_everyone();
}

void ChannelRing::wake_everyone() noexcept {
  try {
    host_.wake(control_->data_word);
    host_.wake(control_->space_word);
  } catch (...) {
    // Waking is best effort here: sleepers look again within kLookAfterPeersEvery.
  }
}

// The flag before the count (see attach): "had peers and none is left".
bool ChannelRing::side_gone(const uint32_t* had, const uint32_t* count) const {
  if (load_acquire(had) == 0) return false;
  return load_acquire(count) == 0;
}

bool ChannelRing::tag_alive(uint32_t tag) {
  const uint32_t index = tag_slot(tag);
  if (index == slot_) return tag == tag_;  // another thread of this very handle
  const uint64_t owner = load_acquire(&slots_[index].owner);
  if (owner_roles(owner) == 0 || (owner_generation(owner) & kTagGenerationMask) != tag_generation(tag)) return false;
  if (host_.slot_alive(slots_[index], index)) return true;
  reap_slot(index, owner);
  return false;
}

void ChannelRing::look_after_peers_if_due() {
  const uint64_t now = host_.coarse_now_ms();
  uint64_t due = next_look_after_ms_.load(std::memory_order_relaxed);
  if (now < due) return;
  const uint64_t next = now + static_cast<uint64_t>(kLookAfterPeersEvery.count());
  if (!next_look_after_ms_.compare_exchange_strong(due, next)) return;  // another thread of this handle does it
  look_after_peers();
}

// Takes over what dead peers left: their attachments, the locks they held, a reservation
// that blocks the receivers and a claim that blocks head.
void ChannelRing::look_after_peers() {
  host_.look_for_lost_memory();
  const uint32_t high = std::min(load_acquire(&control_->slot_high), kMaxSlots);
  for (uint32_t index = 0; index < high; ++index) {
    if (index == slot_) continue;
    const uint64_t owner = load_acquire(&slots_[index].owner);
    if (owner_roles(owner) != 0 && !host_.slot_alive(slots_[index], index)) reap_slot(index, owner);
  }
  for (uint32_t* word : {&control_->send_lock, &control_->recv_lock}) {
    uint32_t holder = load_acquire(word);
    if (holder != 0 && !tag_alive(holder - 1)) compare_exchange(word, holder, 0u);
  }
  if (pubsub_) {
    look_after_subscribers();  // nothing below is a pub/sub channel's: nobody claims there
    return;
  }
  bool receivable_now = false;
  {
    // Not worth a wait: a live receiver holding the lock (even a stopped one) is left alone.
    ChannelDeadline now_only(0, ChannelDeadline::kImpatient);
    LockGuard guard(*this, &control_->recv_lock, now_only);
    const uint64_t front = guard.held() ? load_relaxed(&control_->read_claim) : 0;
    const uint64_t tail = guard.held() ? load_acquire(&control_->tail) : 0;
    if (front != tail && tail - front <= ring_bytes_ && front % kRecordAlign == 0) {
      RecordHeader* record = record_at(front);
      uint32_t state = load_acquire(&record->state);
      if ((state & kStateMask) == kWriting && !tag_alive(state & kTagMask)) {
        receivable_now = compare_exchange(&record->state, state, kDropped);
      } else if ((state & kStateMask) == kClaimed) {
        receivable_now = return_dead_claim(record, state);
      }
    }
  }
  if (receivable_now) host_.wake(control_->data_word);
  // Head passes every finished record at its front (invariant in channel_layout.h). The
  // receiver that finishes the record at head moves head itself, right after; one that died
  // in between - inside consume after marking its record consumed, or after skipping
  // padding or dropped records before advance_head - left head behind, and only the next
  // consume would move it: a sender whose message did not fit the room left waited for
  // someone to send a smaller one (issue 12, point 8). So housekeeping moves head too, after
  // finishing a claim whose receiver died.
  const uint64_t head = load_acquire(&control_->head);
  if (head != load_acquire(&control_->read_claim) && head % kRecordAlign == 0) {
    RecordHeader* record = record_at(head);
    uint32_t state = load_acquire(&record->state);
    // While the record at head is claimed nobody moves head past it, so it is the same record.
    if (load_acquire(&control_->head) == head && (state & kStateMask) == kClaimed && !tag_alive(state & kTagMask)) {
      compare_exchange(&record->state, state, kConsumed);
    }
    advance_head();
  }
}

// A record claimed at the receivers' position, found under the receivers' lock: nobody
// claims without that lock, and a claimer moves read_claim past its record before letting go,
// so its claimer died between its claim (the state's CAS) and that store, holding the lock
// that was taken over since. It never returned the message: the message is made committed
// again, to be received once, by another receiver (issue 12, point 7; before, every receiver
// found an unexpected state there and said CORRUPT, for ever). Restores the invariant that a
// record in [read_claim, tail) is WRITING, COMMITTED, PADDING or DROPPED, and CLAIMED only in
// [head, read_claim). A live claimer's tag there is no crash's doing: false, the caller says CORRUPT.
bool ChannelRing::return_dead_claim(RecordHeader* record, uint32_t state) {
  if ((state & kStateMask) != kClaimed || tag_alive(state & kTagMask)) return false;
  return compare_exchange(&record->state, state, kCommitted);
}

// ---- Locks ----

namespace {

// How a wait for a busy lock goes on: spins, then yields, then naps; and whether it is time
// to look at the holder (every kLockSpinsPerCheck spins, and at every nap) and to give up.
class LockWait {
 public:
  explicit LockWait(ChannelDeadline& deadline) : deadline_(deadline) {}
  // Whether this look should check the holder's liveness.
  bool check_due() const { return (spins_ != 0 && spins_ % kLockSpinsPerCheck == 0) || napping_; }
  // Waits a little before the next look; false if the wait is over (deadline and patience spent).
  bool pause() {
    ++spins_;
    if (spins_ < 64) {
      cpu_relax();
      return true;
    }
    if (spins_ % kLockSpinsPerCheck != 0 && !napping_) {
      std::this_thread::yield();  // the holder may be waiting for this CPU
      return true;
    }
    // Only a lock busy for thousands of looks gets here: the clock is read off the hot path.
    const Clock::time_point now = Clock::now();
    if (!started_) {
      started_ = true;
      since_ = now;
    }
    if ((!deadline_.patient() || now - since_ >= kLockPatience) && !deadline_.forever() && now >= deadline_.at())
      return false;
    if (now - since_ >= kLockNapAfter) {
      napping_ = true;
      std::this_thread::sleep_for(kLockNap);
    } else {
      std::this_thread::yield();
    }
    return true;
  }

 private:
  ChannelDeadline& deadline_;
  uint64_t spins_ = 0;
  bool started_ = false;
  bool napping_ = false;
  Clock::time_point since_;
};

}  // namespace

// A shared lock is taken by one thread of this handle at a time (the local flag first): so a
// lock word that names this handle while we try is stale (written by a hostile peer, or left
// by a thread of ours that died), never a sibling's, and is taken over rather than waited for.
//
// A lock whose holder is dead is taken over. A live holder is waited for, however long it
// keeps the lock - it may be stopped (SIGSTOP, a debugger) and a stopped process is alive -
// until the caller's deadline: then false (the caller says TIMEOUT). A lock held for long is
// something crashes and stops of honest peers produce, so it is never CORRUPT (issue 12,
// point 9; before, 2 s of a live holder gave CORRUPT). A hostile peer writing a live handle's
// tag here can make others wait, as it can by filling the ring; it cannot make them overrun.
bool ChannelRing::lock(uint32_t* word, ChannelDeadline& deadline) {
  std::atomic<uint32_t>& local = word == &control_->send_lock ? local_send_lock_ : local_recv_lock_;
  LockWait wait(deadline);
  for (uint32_t free = 0; !local.compare_exchange_weak(free, 1, std::memory_order_acquire); free = 0) {
    if (!wait.pause()) return false;  // a sibling thread waits for a stopped holder
  }
  const uint32_t mine = tag_ + 1;
  for (;;) {
    uint32_t holder = 0;
    if (compare_exchange(word, holder, mine)) return true;
    if (holder == mine) return true;  // stale: see above
    if (wait.check_due() && !tag_alive(holder - 1) && compare_exchange(word, holder, mine)) return true;
    if (!wait.pause()) {
      local.store(0, std::memory_order_release);
      return false;
    }
  }
}

void ChannelRing::unlock(uint32_t* word) {
  store_release(word, 0u);
  (word == &control_->send_lock ? local_send_lock_ : local_recv_lock_).store(0, std::memory_order_release);
}


// ---- Records ----

RecordHeader* ChannelRing::record_at(uint64_t position) const {
  return reinterpret_cast<RecordHeader*>(ring_ + position % ring_bytes_);
}

// The span of the record at `position`, checked: aligned, inside the ring and at most `limit`.
uint32_t ChannelRing::checked_span(const RecordHeader* record, uint64_t position, uint64_t limit) const {
  const uint32_t span = load_relaxed(&record->span);
  const uint64_t to_end = ring_bytes_ - position % ring_bytes_;
  if (span < kRecordHeaderBytes || span % kRecordAlign != 0 || span > to_end || span > limit)
    corrupt(format("the record at position %llu claims %llu bytes (at most %llu are possible)", position, span,
                   std::min(to_end, limit)));
  return span;
}

// ---- Sending ----

// Reserves up to `count` records, of length_of(i) bytes each, under one hold of the senders'
// lock: as many as fit now, in order. NotReady only if not even the first fits.
template <class LengthOf>
ChannelRing::Attempt ChannelRing::try_reserve(uint32_t count, LengthOf&& length_of, Reservation* out,
                                              uint32_t* reserved, shmlink_status* status, ChannelDeadline& deadline) {
  LockGuard guard(*this, &control_->send_lock, deadline);
  if (!guard.held()) {
    *status = SHMLINK_ERR_TIMEOUT;  // a live sender kept the lock until the deadline
    return Attempt::Done;
  }
  SHMLINK_STEP("reserve-locked");
  if (!pubsub_ && receivers_gone()) {  // publishers publish whether anyone listens or not
    *status = SHMLINK_ERR_CLOSED;
    return Attempt::Done;
  }
  uint64_t tail = load_relaxed(&control_->tail);
  if (tail % kRecordAlign != 0) corrupt(format("tail %llu is not on a record boundary", tail));
  uint32_t done = 0;
  for (; done < count; ++done) {
    const uint32_t length = length_of(done);
    const uint64_t span = record_span(length);
    uint64_t offset = tail % ring_bytes_;
    const uint64_t to_end = ring_bytes_ - offset;
    const uint64_t needed = span <= to_end ? span : to_end + span;
    // Room by the head this handle saw last (head only grows, so the room is at least that);
    // only when that is not enough is head read again: its cache line is the receivers'.
    uint64_t used = tail - cached_head_;
    if (used > ring_bytes_ || needed > ring_bytes_ - used) {
      cached_head_ = pubsub_ ? publisher_head(tail, needed) : load_acquire(&control_->head);
      used = tail - cached_head_;
      if (used > ring_bytes_) corrupt(format("tail is %llu bytes past head in a ring of %llu", used, ring_bytes_));
      if (needed > ring_bytes_ - used) break;
    }
    if (span > to_end) {
      // Records never wrap: fill the end of the ring and start again at its beginning.
      auto* padding = reinterpret_cast<RecordHeader*>(ring_ + offset);
      store_relaxed(&padding->length, 0u);
      store_relaxed(&padding->span, static_cast<uint32_t>(to_end));
      store_relaxed(&padding->position, tail);
      if (pubsub_) store_relaxed(&padding->sequence, load_relaxed(&control_->next_sequence));
      store_relaxed(&padding->state, kPadding);
      tail += to_end;
      offset = 0;
    }
    auto* record = reinterpret_cast<RecordHeader*>(ring_ + offset);
    store_relaxed(&record->length, length);
    store_relaxed(&record->span, static_cast<uint32_t>(span));
    store_relaxed(&record->position, tail);
    if (pubsub_) {
      const uint64_t sequence = load_relaxed(&control_->next_sequence);
      store_relaxed(&record->sequence, sequence);
      store_relaxed(&control_->next_sequence, sequence + 1);
    }
    store_relaxed(&record->state, kWriting | tag_);
    store_release(&control_->tail, tail + span);  // the reservation exists from here on
    out[done] = {tail, ring_ + offset + kRecordHeaderBytes, length};
    tail += span;
  }
  if (done == 0) return Attempt::NotReady;
  *reserved = done;
  *status = SHMLINK_OK;
  return Attempt::Done;
}

shmlink_status ChannelRing::reserve(uint32_t length, uint32_t timeout_ms, Reservation* out) {
  return intact([&] {
    ChannelDeadline deadline(timeout_ms);
    uint32_t reserved = 0;
    return block(control_->space_word, deadline, [&](shmlink_status* status, bool) {
      return try_reserve(1, [length](uint32_t) { return length; }, out, &reserved, status, deadline);
    });
  });
}

shmlink_status ChannelRing::reserve_batch(const shmlink_channel_message* messages, uint32_t count,
                                          uint32_t timeout_ms, Reservation* out, uint32_t* reserved) {
  return intact([&] {
    ChannelDeadline deadline(timeout_ms);
    return block(control_->space_word, deadline, [&](shmlink_status* status, bool) {
      return try_reserve(count, [messages](uint32_t i) { return messages[i].length; }, out, reserved, status,
                         deadline);
    });
  });
}

void ChannelRing::mark_committed(const Reservation& reservation, uint32_t length) {
  RecordHeader* record = record_at(reservation.position);
  store_relaxed(&record->length, length);
  uint32_t expected = kWriting | tag_;
  if (!compare_exchange(&record->state, expected, kCommitted))
    corrupt(format("this handle's reservation at position %llu was changed to state 0x%llx before its commit",
                   reservation.position, expected));
}

// The caller's writes to the reservation came before: a truncation they met is seen here.
void ChannelRing::commit(const Reservation& reservation, uint32_t length) {
  intact([&] {
    mark_committed(reservation, length);
    count_sent(control_, 1, length);
    host_.wake(control_->data_word);
  });
}

void ChannelRing::commit_batch(const Reservation* reservations, const shmlink_channel_message* messages,
                               uint32_t count) {
  intact([&] {
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < count; ++i) {
      mark_committed(reservations[i], messages[i].length);
      bytes += messages[i].length;
    }
    count_sent(control_, count, bytes);
    host_.wake(control_->data_word);  // once for all: sleepers look at every record when woken
  });
}

bool ChannelRing::drop(const Reservation& reservation) {
  return intact([&] {
    RecordHeader* record = record_at(reservation.position);
    uint32_t expected = kWriting | tag_;
    if (!compare_exchange(&record->state, expected, kDropped)) return false;
    host_.wake(control_->data_word);
    return true;
  });
}

// ---- Receiving ----

// Whether nothing can be taken at the receivers' position, from the record there alone: a
// record stamped with that position is still being written, or no record is there yet (any
// record or padding there is stamped before tail publishes it). False means "look closer".
// Reads no line a sender writes for every message except the record's own.
bool ChannelRing::nothing_queued() {
  if (pubsub_) return subscriber_nothing_queued();
  const uint64_t front = load_acquire(&control_->read_claim);
  if (front % kRecordAlign != 0) return false;  // broken: let the full path say so
  const RecordHeader* record = record_at(front);
  if (load_relaxed(&record->position) == front) return (load_acquire(&record->state) & kStateMask) == kWriting;
  return !senders_gone();
}

// Takes the committed record at `front` (at most `limit` bytes long) for this handle, or says
// how long a buffer it needs. Under the receivers' lock.
ChannelRing::Attempt ChannelRing::take_committed(RecordHeader* record, uint64_t front, uint64_t limit,
                                                 uint32_t max_length, Claim* out, uint32_t* needed,
                                                 shmlink_status* status) {
  const uint32_t span = checked_span(record, front, limit);
  const uint32_t length = load_relaxed(&record->length);
  if (length > max_message_ || record_span(length) > span)
    corrupt(format("the message at position %llu claims %llu bytes in a record of %llu", front, length, span));
  if (length > max_length) {
    *needed = length;
    *status = SHMLINK_ERR_BUFFER_TOO_SMALL;
    return Attempt::Done;
  }
  uint32_t expected = kCommitted;
  if (!compare_exchange(&record->state, expected, kClaimed | tag_))
    corrupt(format("the record at position %llu changed state under the receivers' lock", front));
  SHMLINK_STEP("claim-taken");  // a receiver dying here leaves its claim at read_claim: return_dead_claim
  store_release(&control_->read_claim, front + span);
  *out = {front, reinterpret_cast<const uint8_t*>(record) + kRecordHeaderBytes, length};
  *status = SHMLINK_OK;
  return Attempt::Done;
}

// Takes up to `count` committed records, the i-th at most max_length_of(i) bytes long, under
// one hold of the receivers' lock: as many as are ready, in order. A record too long for its
// limit stops the batch there (left queued); if it is the first, BUFFER_TOO_SMALL (*needed).
// NotReady only if nothing is ready.
template <class MaxLength>
ChannelRing::Attempt ChannelRing::try_claim(uint32_t count, MaxLength&& max_length_of, Claim* out, uint32_t* taken,
                                            uint32_t* needed, shmlink_status* status, bool thorough,
                                            ChannelDeadline& deadline) {
  // A poll's common answer, without the lock; a thorough look (the last before sleeping or
  // giving up) reads everything, so that a broken tail is noticed.
  if (!thorough && nothing_queued()) return Attempt::NotReady;
  bool skipped = false;
  Attempt attempt = Attempt::NotReady;
  uint32_t done = 0;
  {
    LockGuard guard(*this, &control_->recv_lock, deadline);
    if (!guard.held()) {
      *status = SHMLINK_ERR_TIMEOUT;  // a live receiver kept the lock until the deadline
      return Attempt::Done;
    }
    uint64_t front = load_relaxed(&control_->read_claim);
    if (front % kRecordAlign != 0) corrupt(format("the receivers' position %llu is not on a record boundary", front));
    // A committed message stamped with this position: its commit came after tail passed it,
    // so tail (the senders' line) need not be read. Bounded by the ring's end only; a lying
    // peer is caught by the next full look.
    RecordHeader* first = record_at(front);
    if (load_acquire(&first->state) == kCommitted && load_relaxed(&first->position) == front) {
      attempt = take_committed(first, front, ring_bytes_ - front % ring_bytes_, max_length_of(0), &out[0], needed,
                               status);
      if (*status != SHMLINK_OK || count == 1) {
        *taken = *status == SHMLINK_OK ? 1 : 0;
        return attempt;
      }
      done = 1;
      front = load_relaxed(&control_->read_claim);
    }
    // Read before tail: a sender's last reservation is published before it leaves.
    const bool no_sender = senders_gone();
    const uint64_t tail = load_acquire(&control_->tail);
    if (tail - front > ring_bytes_)
      corrupt(format("tail is %llu bytes past the receivers' position in a ring of %llu", tail - front, ring_bytes_));
    while (front != tail && done < count) {
      RecordHeader* record = record_at(front);
      const uint32_t state = load_acquire(&record->state);
      const uint32_t span = checked_span(record, front, tail - front);
      if ((state & kStateMask) == kPadding || state == kDropped) {
        if (state == kPadding && span != ring_bytes_ - front % ring_bytes_)
          corrupt(format("padding at position %llu does not reach the end of the ring", front));
        front += span;
        store_release(&control_->read_claim, front);
        skipped = true;
        continue;
      }
      if ((state & kStateMask) == kWriting) break;  // the next message is still being written
      if ((state & kStateMask) == kClaimed && return_dead_claim(record, state)) continue;  // committed again
      if (state != kCommitted)
        corrupt(format("the record at position %llu is in state 0x%llx, not yet received", front, state));
      uint32_t too_long = 0;
      shmlink_status taken_status = SHMLINK_OK;
      take_committed(record, front, tail - front, max_length_of(done), &out[done], &too_long, &taken_status);
      if (taken_status != SHMLINK_OK) {
        if (done == 0) {
          *needed = too_long;
          *status = taken_status;
          attempt = Attempt::Done;
        }
        break;  // a later message too long for its buffer waits for the next call
      }
      ++done;
      front += span;
    }
    if (done > 0) {
      *status = SHMLINK_OK;
      attempt = Attempt::Done;
    } else if (attempt == Attempt::NotReady && front == tail && no_sender) {
      *status = SHMLINK_ERR_CLOSED;
      attempt = Attempt::Done;
    }
  }
  *taken = done;
  if (skipped) advance_head();
  return attempt;
}

shmlink_status ChannelRing::claim(uint32_t max_length, uint32_t timeout_ms, Claim* out, uint32_t* needed) {
  return intact([&] {
    ChannelDeadline deadline(timeout_ms);
    uint32_t taken = 0;
    return block(control_->data_word, deadline, [&](shmlink_status* status, bool thorough) {
      const auto max_length_of = [max_length](uint32_t) { return max_length; };
      if (pubsub_) return try_subscriber_claim(1, max_length_of, out, &taken, needed, status, thorough);
      return try_claim(1, max_length_of, out, &taken, needed, status, thorough, deadline);
    });
  });
}

shmlink_status ChannelRing::claim_batch(const shmlink_channel_message* limits, uint32_t count, uint32_t timeout_ms,
                                        Claim* out, uint32_t* taken, uint32_t* needed) {
  return intact([&] {
    ChannelDeadline deadline(timeout_ms);
    return block(control_->data_word, deadline, [&](shmlink_status* status, bool thorough) {
      const auto max_length_of = [limits](uint32_t i) { return limits != nullptr ? limits[i].capacity : UINT32_MAX; };
      if (pubsub_) return try_subscriber_claim(count, max_length_of, out, taken, needed, status, thorough);
      return try_claim(count, max_length_of, out, taken, needed, status, thorough, deadline);
    });
  });
}

void ChannelRing::mark_consumed(const Claim& claim) {
  RecordHeader* record = record_at(claim.position);
  uint32_t expected = kClaimed | tag_;
  if (!compare_exchange(&record->state, expected, kConsumed))
    corrupt(format("this handle's message at position %llu was changed to state 0x%llx before it was consumed",
                   claim.position, expected));
}

// The caller's reads of the claimed message came before: a truncation they met is seen here.
bool ChannelRing::consume(const Claim& claim) {
  if (pubsub_) return intact([&] { return subscriber_consume(&claim, 1, true) == 0; });
  return intact([&] {
    mark_consumed(claim);
    count_received(control_, 1, claim.length);
    SHMLINK_STEP("consume-marked");  // a receiver dying here leaves head behind: look_after_peers moves it
    advance_head();
    return true;
  });
}

uint32_t ChannelRing::consume_batch(const Claim* claims, uint32_t count, bool already_checked) {
  if (pubsub_) return intact([&] { return subscriber_consume(claims, count, !already_checked); });
  return intact([&] {
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < count; ++i) {
      mark_consumed(claims[i]);
      bytes += claims[i].length;
    }
    count_received(control_, count, bytes);
    advance_head();
    return 0u;
  });
}

// Moves head past every finished record at its front and wakes senders waiting for room.
void ChannelRing::advance_head() {
  bool moved = false;
  for (;;) {
    const uint64_t head = load_acquire(&control_->head);
    const uint64_t front = load_acquire(&control_->read_claim);
    if (head == front) break;
    if (head % kRecordAlign != 0) corrupt(format("head %llu is not on a record boundary", head));
    const RecordHeader* record = record_at(head);
    const uint32_t state = load_acquire(&record->state);
    const uint32_t span = load_relaxed(&record->span);
    // If head moved meanwhile, the record may already be overwritten: start again. If not,
    // both reads above saw the record itself (head only grows).
    if (load_acquire(&control_->head) != head) continue;
    if (front - head > ring_bytes_)
      corrupt(format("the receivers' position is %llu bytes past head in a ring of %llu", front - head, ring_bytes_));
    const uint32_t kind = state & kStateMask;
    if (kind != kConsumed && kind != kPadding && kind != kDropped) break;
    const uint64_t to_end = ring_bytes_ - head % ring_bytes_;
    if (span < kRecordHeaderBytes || span % kRecordAlign != 0 || span > to_end || span > front - head)
      corrupt(format("the record at position %llu claims %llu bytes (at most %llu are possible)", head, span,
                     std::min(to_end, front - head)));
    uint64_t expected = head;
    if (compare_exchange(&control_->head, expected, head + span)) moved = true;
  }
  if (moved) host_.wake(control_->space_word);
}

bool ChannelRing::nothing_to_claim_now() {
  return intact(
      [&] { return nothing_queued() && host_.coarse_now_ms() < next_look_after_ms_.load(std::memory_order_relaxed); });
}

bool ChannelRing::sendable() {
  if (pubsub_) return publisher_sendable();
  if (receivers_gone()) return true;
  const uint64_t tail = load_acquire(&control_->tail);
  const uint64_t head = load_acquire(&control_->head);
  const uint64_t used = tail - head;
  if (used > ring_bytes_ || tail % kRecordAlign != 0) return true;  // broken: let the send say so
  const uint64_t to_end = ring_bytes_ - tail % ring_bytes_;
  const uint64_t span = record_span(max_message_);
  return (span <= to_end ? span : to_end + span) <= ring_bytes_ - used;
}

bool ChannelRing::receivable() {
  if (pubsub_) return subscriber_receivable();
  const bool no_sender = senders_gone();
  uint64_t front = load_acquire(&control_->read_claim);
  const uint64_t tail = load_acquire(&control_->tail);
  if (tail - front > ring_bytes_ || front % kRecordAlign != 0) return true;  // broken: let the receive say so
  for (int records = 0; front != tail && records < 64; ++records) {
    const RecordHeader* record = record_at(front);
    const uint32_t state = load_acquire(&record->state);
    if (state == kCommitted) return true;
    if (state != kDropped && (state & kStateMask) != kPadding) return false;
    const uint32_t span = load_relaxed(&record->span);
    if (span < kRecordHeaderBytes || span % kRecordAlign != 0 || span > tail - front) return true;
    front += span;
  }
  return front == tail && no_sender;
}

bool ChannelRing::condition_holds(uint32_t condition) {
  switch (condition) {
    case SHMLINK_CHANNEL_CAN_RECEIVE: return receivable();
    case SHMLINK_CHANNEL_CAN_SEND: return sendable();
    case SHMLINK_CHANNEL_SENDERS_PRESENT: return load_acquire(&control_->senders) != 0;
    case SHMLINK_CHANNEL_RECEIVERS_PRESENT: return load_acquire(&control_->receivers) != 0;
    case SHMLINK_CHANNEL_SENDERS_GONE: return senders_gone();
    case SHMLINK_CHANNEL_RECEIVERS_GONE: return receivers_gone();
    default: return false;
  }
}

WakeWord& ChannelRing::condition_word(uint32_t condition) {
  switch (condition) {
    case SHMLINK_CHANNEL_CAN_RECEIVE:
    case SHMLINK_CHANNEL_SENDERS_PRESENT:
    case SHMLINK_CHANNEL_SENDERS_GONE: return control_->data_word;
    default: return control_->space_word;
  }
}

// ---- Blocking ----

// Runs `attempt(status, thorough)` until it is done: at once, then for a short while with the CPU yielded
// between tries, then asleep on `word` (woken by the peers' changes, and at least every
// kLookAfterPeersEvery to notice dead ones) until the timeout.
template <class Try>
shmlink_status ChannelRing::block(WakeWord& word, ChannelDeadline& call_deadline, Try&& attempt) {
  shmlink_status status = SHMLINK_ERR_TIMEOUT;
  if (attempt(&status, false) == Attempt::Done) return status;
  const uint32_t timeout_ms = call_deadline.timeout_ms();
  if (timeout_ms == 0) {
    if (host_.coarse_now_ms() >= next_look_after_ms_.load(std::memory_order_relaxed)) {
      look_after_peers_if_due();
      if (attempt(&status, true) == Attempt::Done) return status;
    }
    return SHMLINK_ERR_TIMEOUT;
  }
  if (&word == &control_->space_word) count(&send_counters(control_).waited, 1);
  else if (&word == &control_->data_word) count(&receive_counters(control_).waited, 1);
  const bool forever = timeout_ms == SHMLINK_INFINITE;
  const Clock::time_point deadline = forever ? Clock::time_point::max() : call_deadline.at();
  if (several_cpus()) {
    const Clock::time_point spin_until = std::min(Clock::now() + kSpinBeforeSleep, forever ? Clock::time_point::max()
                                                                                           : deadline);
    do {
      std::this_thread::yield();
      if (attempt(&status, false) == Attempt::Done) return status;
    } while (Clock::now() < spin_until);
  }
  for (;;) {
    look_after_peers_if_due();
    host_.check_intact();  // a truncated file wakes nobody: the sleep below ends within kLookAfterPeersEvery
    const uint32_t observed = host_.prepare_sleep(word);
    Attempt last;
    try {
      last = attempt(&status, true);
    } catch (...) {
      host_.cancel_sleep(word);
      throw;
    }
    if (last == Attempt::Done) {
      host_.cancel_sleep(word);
      return status;
    }
    const Clock::time_point now = Clock::now();
    if (!forever && now >= deadline) {
      host_.cancel_sleep(word);
      return SHMLINK_ERR_TIMEOUT;
    }
    Clock::time_point until = now + kLookAfterPeersEvery;
    if (!forever && deadline < until) until = deadline;
    host_.sleep(word, observed, until);
    if (attempt(&status, true) == Attempt::Done) return status;
  }
}

}  // namespace shmlink

// Pub/sub's reading side and its housekeeping, in a file of its own for readability; it uses
// this file's helpers, so it is part of this translation unit (and of the step peer's copy).
#include "channel_pubsub.inl"
