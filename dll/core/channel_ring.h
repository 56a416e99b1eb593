// The channel algorithm over the shared layout of channel_layout.h, without the OS: one
// ChannelRing per open handle. The backend supplies a ChannelHost (liveness of attachment
// slots, sleeping and waking); everything else is here, so that the fuzz target can drive it
// with an in-process host.
//
// Concurrency: senders reserve one at a time under the senders' lock and write their message
// outside it; receivers take records one at a time under the receivers' lock and read them
// outside it. The two sides share no lock, only positions, so a single sender and a single
// receiver never wait for each other except on a full or empty ring (the lock-free fast
// path: each side's lock is then only ever taken by its one owner, uncontended). A lock
// whose holder died is taken over; so are the records a dead peer left half done.
#pragma once

#include "channel_layout.h"
#include "error.h"

#include <shmlink/shmlink.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <utility>

namespace shmlink {

using Clock = std::chrono::steady_clock;

// A blocking call's time limit, fixed when it is first asked for: most calls never wait, and
// never read the clock for it.
class ChannelDeadline {
 public:
  // kImpatient: a busy lock is given up at the first look past the deadline (housekeeping),
  // without the patience a call's lock wait has (see kLockPatience in channel_ring.cpp).
  enum Patience { kPatient, kImpatient };
  explicit ChannelDeadline(uint32_t timeout_ms, Patience patience = kPatient)
      : timeout_ms_(timeout_ms), patient_(patience == kPatient) {}
  uint32_t timeout_ms() const { return timeout_ms_; }
  bool patient() const { return patient_; }
  bool forever() const { return timeout_ms_ == SHMLINK_INFINITE; }
  // Meaningless if forever().
  Clock::time_point at() {
    if (!fixed_) {
      at_ = Clock::now() + std::chrono::milliseconds(timeout_ms_);
      fixed_ = true;
    }
    return at_;
  }

 private:
  uint32_t timeout_ms_;
  bool patient_;
  bool fixed_ = false;
  Clock::time_point at_;
};

class ChannelHost {
 public:
  virtual ~ChannelHost() = default;
  // Takes slot `index`'s liveness token for this handle: false if a live handle holds it.
  virtual bool claim_slot(channel::Slot& slot, uint32_t index) = 0;
  virtual void release_slot(channel::Slot& slot, uint32_t index) noexcept = 0;
  // Whether the handle holding slot `index` (not this one) is alive.
  virtual bool slot_alive(const channel::Slot& slot, uint32_t index) = 0;

  // Wakes every sleeper on `word` after its sequence was bumped.
  virtual void wake(channel::WakeWord& word) = 0;
  // Sleeping on `word` is three steps around a last look at the condition:
  //   observed = prepare_sleep(word); if (still not ready) sleep(word, observed, until); else cancel_sleep(word);
  // A wake between prepare_sleep and sleep is never lost. sleep may return early.
  virtual uint32_t prepare_sleep(channel::WakeWord& word) = 0;
  virtual void sleep(channel::WakeWord& word, uint32_t observed, Clock::time_point until) = 0;
  virtual void cancel_sleep(channel::WakeWord& word) noexcept = 0;

  // A cheap monotonic clock in milliseconds, a tick or so coarse: polled with timeout 0 on
  // every empty look, to decide whether dead peers are due to be looked after.
  virtual uint64_t coarse_now_ms() noexcept = 0;

  // Throws Failure(CORRUPT) if the channel's memory was lost under this handle (Linux: its
  // file was truncated by another process, and the pages read zeros since: see
  // dll/posix/sigbus_guard.h). Every operation calls it before and after it runs, and a
  // blocked one every time it wakes.
  virtual void check_intact() {}
  // Looks for memory lost without an access meeting it (a waiter on an empty ring reads only
  // the control page): check_intact() reports it from then on. Costs a system call; called
  // with the rate-limited housekeeping of look_after_peers.
  virtual void look_for_lost_memory() {}
};

// Checks the creator's sizes; throws Failure(INVALID_ARGUMENT / NO_RESOURCES). Returns the
// ring size for them.
uint64_t channel_ring_bytes(uint64_t capacity_bytes, uint32_t max_message_bytes);

// Lays out a new channel in zeroed memory of channel::region_bytes_for(ring_bytes) bytes.
// `mode`: 0 for a queue, or SHMLINK_CHANNEL_PUBSUB with SHMLINK_CHANNEL_OVERWRITE or not.
void initialize_channel(void* region, uint64_t ring_bytes, uint32_t max_message_bytes, uint32_t mode = 0);

// How far the creator has got: the region's first word is the magic once it is ready.
bool channel_initialized(const void* region);

class ChannelRing {
 public:
  // A message being written by this handle (zero-copy send).
  struct Reservation {
    uint64_t position = 0;
    uint8_t* payload = nullptr;
    uint32_t capacity = 0;
  };
  // A message taken by this handle (zero-copy receive).
  struct Claim {
    uint64_t position = 0;
    const uint8_t* payload = nullptr;
    uint32_t length = 0;
    uint64_t end = 0;  // pub/sub: the position after the record
  };

  // Checks the layout in `region` (`region_bytes` mapped); throws Failure(INCOMPATIBLE) for
  // another layout version and Failure(CORRUPT) for anything inconsistent.
  ChannelRing(void* region, uint64_t region_bytes, ChannelHost& host);
  ~ChannelRing();
  ChannelRing(const ChannelRing&) = delete;
  ChannelRing& operator=(const ChannelRing&) = delete;

  // Takes an attachment slot with kRole* `roles`; throws Failure(NO_RESOURCES) when all are
  // taken. detach() gives up this handle's reservation and claim and leaves (noexcept).
  void attach(uint32_t roles);
  void detach() noexcept;
  // For a copy of this handle in another process (the child of a fork): takes an attachment of
  // its own with the same roles, so that each process's close counts only itself out and peers
  // see the copy alive exactly as long as its process is. The shared attachment stays the
  // original's, and so do a reservation or a claim it had open. Where no slot is free, the
  // copy goes on sharing the original's.
  void attach_again() noexcept;
  uint32_t slot() const { return slot_; }
  // The channel's mode as initialize_channel takes it (0: a queue).
  uint32_t mode() const;
  bool pubsub() const { return pubsub_; }
  uint32_t max_message() const { return max_message_; }
  uint64_t ring_bytes() const { return ring_bytes_; }

  // Expected outcomes come back as statuses (TIMEOUT, CLOSED, BUFFER_TOO_SMALL); a broken
  // shared state throws Failure(CORRUPT).
  shmlink_status reserve(uint32_t length, uint32_t timeout_ms, Reservation* out);
  // Sends the reserved message with `length` bytes (<= its capacity, checked by the caller).
  void commit(const Reservation& reservation, uint32_t length);
  // Batches (one hold of the side's lock, one wake): waits for room for messages[0].length
  // bytes, then reserves as many of the `count` (>= 1; lengths checked by the caller) as fit
  // now, in order, into out[0..*reserved). commit_batch sends `count` of them, the i-th with
  // messages[i].length bytes (<= its capacity, checked by the caller).
  shmlink_status reserve_batch(const shmlink_channel_message* messages, uint32_t count, uint32_t timeout_ms,
                               Reservation* out, uint32_t* reserved);
  void commit_batch(const Reservation* reservations, const shmlink_channel_message* messages, uint32_t count);
  // Gives the reservation up: receivers skip it. False if its record was changed by someone
  // else meanwhile (a broken or hostile peer): then nothing was done.
  bool drop(const Reservation& reservation);

  // Takes the next message if it is at most `max_length` bytes; BUFFER_TOO_SMALL (with
  // *needed set) leaves it queued.
  shmlink_status claim(uint32_t max_length, uint32_t timeout_ms, Claim* out, uint32_t* needed);
  // Pub/sub with the overwrite policy: false if the message was overwritten since its claim
  // (counted lost); always true otherwise.
  bool consume(const Claim& claim);
  // Waits for a message, then takes as many as are ready, up to `count` (>= 1), into
  // out[0..*taken): the i-th at most limits[i].capacity bytes long (limits NULL: any length).
  // A message too long stops the batch before it, left queued; if it is the first,
  // BUFFER_TOO_SMALL with *needed set. consume_batch gives back `count` claims at once.
  shmlink_status claim_batch(const shmlink_channel_message* limits, uint32_t count, uint32_t timeout_ms, Claim* out,
                             uint32_t* taken, uint32_t* needed);
  // Returns how many of them were overwritten (pub/sub, overwrite policy), counted lost; with
  // `already_checked`, the caller checked them with overwritten() and counts nothing here.
  uint32_t consume_batch(const Claim* claims, uint32_t count, bool already_checked = false);
  // Pub/sub, overwrite policy: whether a publisher has reused the message's bytes since its
  // claim (what was read of it may be torn). Counts it lost if so. Always false otherwise.
  bool overwritten(const Claim& claim);
  // Pub/sub: the messages this subscriber lost to overwrites since it subscribed.
  uint64_t lost() const { return lost_.load(std::memory_order_relaxed); }

  // The busy poll's common answer, cheaply: true if nothing is queued, a sender is attached
  // and looking after dead peers is not due (a claim with timeout 0 would say TIMEOUT).
  bool nothing_to_claim_now();

  // For waits: whether a message is ready or receiving would give CLOSED. Reads only.
  bool receivable();
  // Whether a message of the maximum size fits now, or sending would give CLOSED. Reads only.
  bool sendable();
  // Whether SHMLINK_CHANNEL_CAN_RECEIVE ... _RECEIVERS_GONE (a valid one) holds now, and the
  // word a wait for it sleeps on: what the receivers' side changes (commits, senders coming
  // and going) wakes the data word, the rest the space word.
  bool condition_holds(uint32_t condition);
  channel::WakeWord& condition_word(uint32_t condition);
  static bool valid_condition(uint32_t condition) {
    return condition >= SHMLINK_CHANNEL_CAN_RECEIVE && condition <= SHMLINK_CHANNEL_RECEIVERS_GONE;
  }
  // What shmlink_wait waits for on the channel handle itself: a message for a handle that
  // receives, room for a send-only one.
  uint32_t handle_condition() const {
    return roles_ == channel::kRoleSender ? SHMLINK_CHANNEL_CAN_SEND : SHMLINK_CHANNEL_CAN_RECEIVE;
  }
  // Whether the side had peers and none is left (sending, or receiving once the queue is
  // drained, gives CLOSED). A side that never had a peer is not gone: it is not there yet.
  bool senders_gone() const { return side_gone(&control_->had_senders, &control_->senders); }
  bool receivers_gone() const { return side_gone(&control_->had_receivers, &control_->receivers); }
  // Housekeeping due (rate-limited): notices dead peers and takes over what they left.
  void look_after_peers_if_due();
  // The same housekeeping now, due or not: for the fuzz target (fuzz/), which has no time to wait.
  void look_after_peers_now() { look_after_peers(); }

 private:
  enum class Attempt { Done, NotReady };
  class LockGuard;

  template <class LengthOf>
  Attempt try_reserve(uint32_t count, LengthOf&& length_of, Reservation* out, uint32_t* reserved,
                      shmlink_status* status, ChannelDeadline& deadline);
  template <class MaxLength>
  Attempt try_claim(uint32_t count, MaxLength&& max_length_of, Claim* out, uint32_t* taken, uint32_t* needed,
                    shmlink_status* status, bool thorough, ChannelDeadline& deadline);
  void mark_committed(const Reservation& reservation, uint32_t length);
  void mark_consumed(const Claim& claim);
  bool nothing_queued();
  Attempt take_committed(channel::RecordHeader* record, uint64_t front, uint64_t limit, uint32_t max_length,
                         Claim* out, uint32_t* needed, shmlink_status* status);
  template <class Try>
  shmlink_status block(channel::WakeWord& word, ChannelDeadline& deadline, Try&& attempt);
  // Runs an operation between the host's checks of the memory (ChannelHost::check_intact).
  template <class Operation>
  auto intact(Operation&& operation) {
    return between_checks([this] { host_.check_intact(); }, std::forward<Operation>(operation));
  }

  bool lock(uint32_t* word, ChannelDeadline& deadline);
  void unlock(uint32_t* word);
  void advance_head();
  void look_after_peers();
  bool tag_alive(uint32_t tag);
  void reap_slot(uint32_t index, uint64_t owner);
  void wake_everyone() noexcept;
  bool side_gone(const uint32_t* had, const uint32_t* count) const;
  bool return_dead_claim(channel::RecordHeader* record, uint32_t state);

  // ---- Pub/sub (channel_pubsub.cpp) ----
  void subscribe();
  void free_subscriber(uint32_t tag);
  void look_after_subscribers();
  uint64_t publisher_head(uint64_t tail, uint64_t needed);
  template <class MaxLength>
  Attempt try_subscriber_claim(uint32_t count, MaxLength&& max_length_of, Claim* out, uint32_t* taken,
                               uint32_t* needed, shmlink_status* status, bool thorough);
  bool skip_to_head(uint64_t* position);
  bool still_there(uint64_t position) const;
  uint32_t subscriber_consume(const Claim* claims, uint32_t claim_count, bool check);
  void advance_subscriber_position(uint64_t end);
  bool subscriber_nothing_queued();
  bool subscriber_receivable();
  bool publisher_sendable();
  channel::SubscriberEntry& subscriber_entry() const { return subscribers_[subscriber_]; }

  channel::RecordHeader* record_at(uint64_t position) const;
  uint32_t checked_span(const channel::RecordHeader* record, uint64_t position, uint64_t limit) const;

  channel::Control* control_;
  channel::Slot* slots_;
  uint8_t* ring_;
  uint64_t ring_bytes_;   // read once and checked: never re-read from shared memory
  uint32_t max_message_;  // likewise
  ChannelHost& host_;
  uint32_t slot_ = channel::kMaxSlots;  // kMaxSlots: not attached
  uint32_t roles_ = 0;
  uint32_t tag_ = 0;
  std::atomic<uint64_t> next_look_after_ms_{0};  // coarse_now_ms(); housekeeping is due from here on
  uint64_t cached_head_ = 0;  // the last head this handle read (under the send lock): head only grows
  // Which shared lock a thread of this handle holds or is taking (see lock()).
  std::atomic<uint32_t> local_send_lock_{0};
  std::atomic<uint32_t> local_recv_lock_{0};  // Clock ticks; housekeeping is due from here on
  // Pub/sub (read once and checked, like ring_bytes_).
  bool pubsub_ = false;
  uint32_t policy_ = channel::kPolicyBlock;
  channel::SubscriberEntry* subscribers_ = nullptr;
  uint32_t subscriber_ = channel::kMaxSubscribers;  // this handle's entry; kMaxSubscribers: none
  std::mutex subscriber_mutex_;                    // the threads of this handle claim one at a time
  std::atomic<uint64_t> subscriber_next_{0};       // the next position this handle claims at
  uint64_t subscriber_next_sequence_ = 0;          // the sequence number of the message expected there
  std::atomic<uint64_t> subscriber_claimed_{0};    // claimed and not yet consumed
  std::atomic<uint64_t> lost_{0};
};

}  // namespace shmlink
