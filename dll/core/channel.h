// Channels as the core sees them: a handle object around the backend's mapping of the shared
// channel (ChannelBacking), with this handle's role and its outstanding zero-copy operations.
#pragma once

#include "channel_ring.h"
#include "sync.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace shmlink {

// The backend's channel: the mapping, the host services and the ring attached with this
// handle's roles. Detaches when destroyed.
class ChannelBacking : public WaitBacking {
 public:
  virtual ChannelRing& ring() = 0;
  // What shmlink_channel_waitable gives: a waitable for `condition` (a valid
  // SHMLINK_CHANNEL_* condition) of this channel, which keeps this backing (and so its
  // attachment) alive as long as it lives.
  virtual std::shared_ptr<WaitBacking> condition_waitable(uint32_t condition) = 0;
};

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

  // This handle's zero-copy operations in progress (one of each at a time), under `mutex`.
  // Set and taken only through these, which keep the flags below in step.
  std::mutex mutex;
  std::optional<ChannelRing::Reservation> reservation;
  std::optional<ChannelRing::Claim> claim;
  void set_reservation(const ChannelRing::Reservation& value) {
    reservation = value;
    has_reservation.store(true, std::memory_order_release);
  }
  ChannelRing::Reservation take_reservation() {
    const ChannelRing::Reservation value = *reservation;
    reservation.reset();
    has_reservation.store(false, std::memory_order_release);
    return value;
  }
  // `held`: taken by shmlink_channel_receive_whole for a buffer too small, to be received by
  // its next call (not a peek: shmlink_channel_receive_whole refuses beside a peek).
  void set_claim(const ChannelRing::Claim& value, bool held = false) {
    claim = value;
    claim_held = held;
    has_claim.store(true, std::memory_order_release);
  }
  ChannelRing::Claim take_claim() {
    const ChannelRing::Claim value = *claim;
    claim.reset();
    claim_held = false;
    has_claim.store(false, std::memory_order_release);
    return value;
  }
  bool claim_held = false;  // under `mutex`; see set_claim
  // Whether `reservation` / `claim` is set: read without the mutex by send, receive and busy polls.
  std::atomic<bool> has_reservation{false};
  std::atomic<bool> has_claim{false};

 private:
  std::shared_ptr<ChannelBacking> channel_;
  uint32_t roles_;
};

}  // namespace shmlink
