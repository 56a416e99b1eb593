// A channel handle as the core sees it: the backend's mapping of the shared channel
// (ChannelBacking) with this handle's roles and its outstanding zero-copy operations, and the
// channel operations of one handle over its ChannelRing. dll/api/channel_api.cpp checks the
// caller's arguments, calls these and records the outcome.
//
// Every operation returns the outcomes a caller expects and polls for (TIMEOUT, CLOSED,
// BUFFER_TOO_SMALL) as statuses, and throws Failure for misuse (a role the handle lacks, a
// message over the maximum, a zero-copy operation left open) and for a broken shared state.
#pragma once

#include "channel.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace shmlink {

class ChannelObject final : public WaitableObject {
 public:
  ChannelObject(std::shared_ptr<ChannelBacking> backing, uint32_t roles, std::string name)
      : WaitableObject(SHMLINK_KIND_CHANNEL, backing, std::move(name)), channel_(std::move(backing)), roles_(roles) {}
  // A reservation still open is dropped; a peeked message counts as received.
  ~ChannelObject() override;

  ChannelRing& ring() const { return channel_->ring(); }
  ChannelBacking& channel_backing() const { return *channel_; }
  bool can_send() const { return (roles_ & channel::kRoleSender) != 0; }
  bool can_receive() const { return (roles_ & channel::kRoleReceiver) != 0; }
  // Throw Failure(ACCESS_DENIED) for a handle opened without the role.
  void require_sender() const;
  void require_receiver() const;

  // Copies one message in (`data` may be null only for length 0).
  shmlink_status send(const void* data, uint32_t length, uint32_t timeout_ms);
  // Copies the next message out if it fits `capacity`; BUFFER_TOO_SMALL leaves it queued
  // with *out_length set to its length.
  shmlink_status receive(void* buffer, uint32_t capacity, uint32_t* out_length, uint32_t timeout_ms);
  // Like receive, but a message too long for the buffer is taken and held for this handle's
  // next call (*out_length says how long), so that no other receiver takes it meanwhile.
  shmlink_status receive_whole(void* buffer, uint32_t capacity, uint32_t* out_length, uint32_t timeout_ms);

  // Zero-copy send: one reservation per handle at a time, then commit or cancel.
  shmlink_status reserve(uint32_t length, uint32_t timeout_ms, void** out_buffer);
  void commit(uint32_t length);
  void cancel();
  // Zero-copy receive: one peeked message per handle at a time, then consume.
  shmlink_status peek(uint32_t timeout_ms, const void** out_data, uint32_t* out_length);
  // OVERWRITTEN (pub/sub, overwrite policy): a publisher reused the message's bytes while it
  // was peeked; it was consumed all the same, and counted lost.
  shmlink_status consume();
  // Pub/sub: the messages this subscriber lost to overwrites (0 for a queue).
  uint64_t lost() const;

  // Batches, as the shmlink_channel_*_batch functions say (count >= 1 and the arrays checked
  // by the caller). A batch reserved or peeked is this handle's reservation or peek, several
  // records long.
  shmlink_status send_batch(const shmlink_channel_message* messages, uint32_t count, uint32_t timeout_ms,
                            uint32_t* out_sent);
  shmlink_status receive_batch(shmlink_channel_message* messages, uint32_t count, uint32_t timeout_ms,
                               uint32_t* out_received);
  shmlink_status reserve_batch(shmlink_channel_message* messages, uint32_t count, uint32_t timeout_ms,
                               uint32_t* out_reserved);
  void commit_batch(const shmlink_channel_message* messages, uint32_t count);
  shmlink_status peek_batch(shmlink_channel_message* messages, uint32_t count, uint32_t timeout_ms,
                            uint32_t* out_peeked);
  shmlink_status consume_batch(uint32_t count);  // OVERWRITTEN if any of them was (see consume)

 private:
  void check_length(uint32_t length) const;
  void check_lengths(const shmlink_channel_message* messages, uint32_t count) const;
  // The most records a batch call can take at once: a ring holds no more than this.
  uint32_t most_records(uint32_t count) const;
  void require_no_reservation() const;
  void require_no_peek() const;
  // The flags below follow reservations_ and claims_ through these (under mutex_).
  void reservations_changed();
  void claims_changed();
  // Gives every reservation up; false if a record was changed by someone else meanwhile.
  bool drop_reservations();
  // Whether a busy poll (timeout 0) would find nothing, answered without mutex_.
  bool nothing_to_peek_now();

  std::shared_ptr<ChannelBacking> channel_;
  uint32_t roles_;
  // This handle's zero-copy operations in progress: a reservation (one record, or a batch)
  // and the records peeked and not yet consumed, oldest first.
  std::mutex mutex_;
  std::vector<ChannelRing::Reservation> reservations_;
  std::vector<ChannelRing::Claim> claims_;
  // The one claim was taken by receive_whole for a buffer too small, to be received by its
  // next call (not a peek: receive_whole refuses beside a peek).
  bool claim_held_ = false;
  // Whether reservations_ / claims_ hold any: read without the mutex by send, receive and busy
  // polls. has_peek_: claims_ holds messages the user peeked, not receive_whole's hold, which
  // copying receives of other threads on this handle go past.
  std::atomic<bool> has_reservation_{false};
  std::atomic<bool> has_claim_{false};
  std::atomic<bool> has_peek_{false};
};

}  // namespace shmlink
