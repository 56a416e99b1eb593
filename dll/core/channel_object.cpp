// One handle's channel operations over its ChannelRing: roles, this handle's zero-copy state,
// and the copies in and out of the ring. The queue itself is ChannelRing (channel_ring.h).
#include "channel_object.h"

#include <cstring>
#include <string>

namespace shmlink {

ChannelObject::~ChannelObject() {
  try {
    if (reservation_) ring().drop(*reservation_);
    if (claim_) ring().consume(*claim_);
  } catch (...) {
    // A broken channel: nothing more to give back.
  }
}

void ChannelObject::require_sender() const {
  if (!can_send()) fail(SHMLINK_ERR_ACCESS_DENIED, "the handle was not opened with SHMLINK_CHANNEL_SENDER");
}

void ChannelObject::require_receiver() const {
  if (!can_receive()) fail(SHMLINK_ERR_ACCESS_DENIED, "the handle was not opened with SHMLINK_CHANNEL_RECEIVER");
}

void ChannelObject::check_length(uint32_t length) const {
  if (length > ring().max_message())
    fail(SHMLINK_ERR_TOO_LARGE, "the message has " + std::to_string(length) + " bytes; the channel's maximum is " +
                                    std::to_string(ring().max_message()));
}

// send and receive copy whole messages; a zero-copy operation of the same handle left open
// would otherwise be passed over silently (the documented contract says INVALID_ARGUMENT).
void ChannelObject::require_no_reservation() const {
  if (has_reservation_.load(std::memory_order_acquire))
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has a reservation outstanding: commit it first");
}

void ChannelObject::require_no_peek() const {
  if (has_claim_.load(std::memory_order_acquire))
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has a peeked message outstanding: consume it first");
}

void ChannelObject::set_reservation(const ChannelRing::Reservation& value) {
  reservation_ = value;
  has_reservation_.store(true, std::memory_order_release);
}

ChannelRing::Reservation ChannelObject::take_reservation() {
  const ChannelRing::Reservation value = *reservation_;
  reservation_.reset();
  has_reservation_.store(false, std::memory_order_release);
  return value;
}

void ChannelObject::set_claim(const ChannelRing::Claim& value, bool held) {
  claim_ = value;
  claim_held_ = held;
  has_claim_.store(true, std::memory_order_release);
}

ChannelRing::Claim ChannelObject::take_claim() {
  const ChannelRing::Claim value = *claim_;
  claim_.reset();
  claim_held_ = false;
  has_claim_.store(false, std::memory_order_release);
  return value;
}

bool ChannelObject::nothing_to_peek_now() {
  return !has_claim_.load(std::memory_order_acquire) && ring().nothing_to_claim_now();
}

shmlink_status ChannelObject::send(const void* data, uint32_t length, uint32_t timeout_ms) {
  require_sender();
  check_length(length);
  require_no_reservation();
  ChannelRing::Reservation reservation;
  const shmlink_status status = ring().reserve(length, timeout_ms, &reservation);
  if (status != SHMLINK_OK) return status;
  if (length > 0) std::memcpy(reservation.payload, data, length);
  ring().commit(reservation, length);
  return SHMLINK_OK;
}

shmlink_status ChannelObject::receive(void* buffer, uint32_t capacity, uint32_t* out_length, uint32_t timeout_ms) {
  require_receiver();
  require_no_peek();
  if (timeout_ms == 0 && ring().nothing_to_claim_now()) return SHMLINK_ERR_TIMEOUT;
  ChannelRing::Claim claim;
  uint32_t needed = 0;
  const shmlink_status status = ring().claim(capacity, timeout_ms, &claim, &needed);
  if (status == SHMLINK_ERR_BUFFER_TOO_SMALL) *out_length = needed;
  if (status != SHMLINK_OK) return status;
  if (claim.length > 0) std::memcpy(buffer, claim.payload, claim.length);
  ring().consume(claim);
  *out_length = claim.length;
  return SHMLINK_OK;
}

shmlink_status ChannelObject::receive_whole(void* buffer, uint32_t capacity, uint32_t* out_length,
                                            uint32_t timeout_ms) {
  require_receiver();
  if (timeout_ms == 0 && nothing_to_peek_now()) return SHMLINK_ERR_TIMEOUT;
  std::lock_guard<std::mutex> lock(mutex_);
  if (claim_ && !claim_held_)
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has a peeked message outstanding: consume it first");
  if (!claim_) {
    // Taken whatever its length, so that one too long for the buffer is held for this
    // handle, not left for another receiver to take between this call and the next.
    ChannelRing::Claim claim;
    uint32_t needed = 0;
    const shmlink_status status = ring().claim(UINT32_MAX, timeout_ms, &claim, &needed);
    if (status != SHMLINK_OK) return status;
    set_claim(claim, true);
  }
  const uint32_t length = claim_->length;
  *out_length = length;
  if (length > capacity) return SHMLINK_ERR_BUFFER_TOO_SMALL;
  if (length > 0) std::memcpy(buffer, claim_->payload, length);
  ring().consume(take_claim());
  return SHMLINK_OK;
}

shmlink_status ChannelObject::reserve(uint32_t length, uint32_t timeout_ms, void** out_buffer) {
  require_sender();
  check_length(length);
  std::lock_guard<std::mutex> lock(mutex_);
  if (reservation_) fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle already has a reservation: commit it first");
  ChannelRing::Reservation reservation;
  const shmlink_status status = ring().reserve(length, timeout_ms, &reservation);
  if (status != SHMLINK_OK) return status;
  set_reservation(reservation);
  *out_buffer = reservation.payload;
  return SHMLINK_OK;
}

void ChannelObject::commit(uint32_t length) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!reservation_) fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has no reservation to commit");
  if (length > reservation_->capacity)
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "commit of " + std::to_string(length) + " bytes; only " +
                                           std::to_string(reservation_->capacity) + " were reserved");
  ring().commit(take_reservation(), length);
}

void ChannelObject::cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!reservation_) fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has no reservation to cancel");
  if (!ring().drop(take_reservation()))
    fail(SHMLINK_ERR_CORRUPT, "the channel's shared state is broken (a crashed or hostile peer?): this handle's "
                              "reservation was changed by someone else before its cancel");
}

shmlink_status ChannelObject::peek(uint32_t timeout_ms, const void** out_data, uint32_t* out_length) {
  require_receiver();
  if (timeout_ms == 0 && nothing_to_peek_now()) return SHMLINK_ERR_TIMEOUT;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!claim_) {
    ChannelRing::Claim claim;
    uint32_t needed = 0;
    const shmlink_status status = ring().claim(UINT32_MAX, timeout_ms, &claim, &needed);
    if (status != SHMLINK_OK) return status;
    set_claim(claim);
  }
  claim_held_ = false;  // a message held by receive_whole is now this peek's
  *out_data = claim_->payload;
  *out_length = claim_->length;
  return SHMLINK_OK;
}

void ChannelObject::consume() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!claim_) fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has no peeked message to consume");
  ring().consume(take_claim());
}

}  // namespace shmlink
