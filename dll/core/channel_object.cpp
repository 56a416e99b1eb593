// One handle's channel operations over its ChannelRing: roles, this handle's zero-copy state,
// and the copies in and out of the ring. The queue itself is ChannelRing (channel_ring.h).
#include "channel_object.h"

#include <cstring>
#include <string>

namespace shmlink {

namespace {
// Batch calls work through a copying batch in chunks of this many records, on the stack.
constexpr uint32_t kChunk = 64;
}  // namespace

ChannelObject::~ChannelObject() {
  try {
    drop_reservations();
    if (!claims_.empty()) ring().consume_batch(claims_.data(), static_cast<uint32_t>(claims_.size()));
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
  if (has_peek_.load(std::memory_order_acquire))
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has a peeked message outstanding: consume it first");
}

void ChannelObject::check_lengths(const shmlink_channel_message* messages, uint32_t count) const {
  for (uint32_t i = 0; i < count; ++i) {
    if (messages[i].length > ring().max_message())
      fail(SHMLINK_ERR_TOO_LARGE, "message " + std::to_string(i) + " of the batch has " +
                                      std::to_string(messages[i].length) + " bytes; the channel's maximum is " +
                                      std::to_string(ring().max_message()));
  }
}

uint32_t ChannelObject::most_records(uint32_t count) const {
  const uint64_t fit = ring().ring_bytes() / channel::kRecordHeaderBytes;
  return count < fit ? count : static_cast<uint32_t>(fit);
}

void ChannelObject::reservations_changed() {
  has_reservation_.store(!reservations_.empty(), std::memory_order_release);
}

void ChannelObject::claims_changed() {
  if (claims_.size() != 1) claim_held_ = false;
  has_claim_.store(!claims_.empty(), std::memory_order_release);
  has_peek_.store(!claims_.empty() && !claim_held_, std::memory_order_release);
}

bool ChannelObject::drop_reservations() {
  bool all = true;
  for (const ChannelRing::Reservation& reservation : reservations_) all &= ring().drop(reservation);
  reservations_.clear();
  reservations_changed();
  return all;
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
  for (;;) {
    ChannelRing::Claim claim;
    uint32_t needed = 0;
    const shmlink_status status = ring().claim(capacity, timeout_ms, &claim, &needed);
    if (status == SHMLINK_ERR_BUFFER_TOO_SMALL) *out_length = needed;
    if (status != SHMLINK_OK) return status;
    if (claim.length > 0) std::memcpy(buffer, claim.payload, claim.length);
    // Pub/sub with overwrites: a copy a publisher overwrote meanwhile is counted lost, and the
    // next message is copied instead.
    if (!ring().consume(claim)) continue;
    *out_length = claim.length;
    return SHMLINK_OK;
  }
}

shmlink_status ChannelObject::receive_whole(void* buffer, uint32_t capacity, uint32_t* out_length,
                                            uint32_t timeout_ms) {
  require_receiver();
  if (timeout_ms == 0 && nothing_to_peek_now()) return SHMLINK_ERR_TIMEOUT;
  std::unique_lock<std::mutex> lock(mutex_);
  if (!claims_.empty() && !claim_held_)
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has a peeked message outstanding: consume it first");
  if (claims_.empty()) {
    // Taken whatever its length, so that one too long for the buffer is held for this
    // handle, not left for another receiver to take between this call and the next.
    ChannelRing::Claim claim;
    uint32_t needed = 0;
    const shmlink_status status = ring().claim(UINT32_MAX, timeout_ms, &claim, &needed);
    if (status != SHMLINK_OK) return status;
    claims_.push_back(claim);
    claim_held_ = true;
    claims_changed();
  }
  const ChannelRing::Claim claim = claims_.front();
  *out_length = claim.length;
  if (claim.length > capacity) return SHMLINK_ERR_BUFFER_TOO_SMALL;
  if (claim.length > 0) std::memcpy(buffer, claim.payload, claim.length);
  claims_.clear();
  claims_changed();
  if (!ring().consume(claim)) {
    // Overwritten while copied (pub/sub, counted lost): the next message, if one is there now.
    lock.unlock();
    return receive_whole(buffer, capacity, out_length, 0);
  }
  return SHMLINK_OK;
}

shmlink_status ChannelObject::reserve(uint32_t length, uint32_t timeout_ms, void** out_buffer) {
  require_sender();
  check_length(length);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!reservations_.empty())
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle already has a reservation: commit it first");
  ChannelRing::Reservation reservation;
  const shmlink_status status = ring().reserve(length, timeout_ms, &reservation);
  if (status != SHMLINK_OK) return status;
  reservations_.push_back(reservation);
  reservations_changed();
  *out_buffer = reservation.payload;
  return SHMLINK_OK;
}

void ChannelObject::commit(uint32_t length) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reservations_.empty()) fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has no reservation to commit");
  if (reservations_.size() > 1)
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has a batch reserved: commit it with shmlink_channel_commit_batch");
  const ChannelRing::Reservation reservation = reservations_.front();
  if (length > reservation.capacity)
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "commit of " + std::to_string(length) + " bytes; only " +
                                           std::to_string(reservation.capacity) + " were reserved");
  reservations_.clear();
  reservations_changed();
  ring().commit(reservation, length);
}

void ChannelObject::cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reservations_.empty()) fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has no reservation to cancel");
  if (!drop_reservations())
    fail(SHMLINK_ERR_CORRUPT, "the channel's shared state is broken (a crashed or hostile peer?): this handle's "
                              "reservation was changed by someone else before its cancel");
}

shmlink_status ChannelObject::peek(uint32_t timeout_ms, const void** out_data, uint32_t* out_length) {
  require_receiver();
  if (timeout_ms == 0 && nothing_to_peek_now()) return SHMLINK_ERR_TIMEOUT;
  std::lock_guard<std::mutex> lock(mutex_);
  if (claims_.empty()) {
    ChannelRing::Claim claim;
    uint32_t needed = 0;
    const shmlink_status status = ring().claim(UINT32_MAX, timeout_ms, &claim, &needed);
    if (status != SHMLINK_OK) return status;
    claims_.push_back(claim);
    claims_changed();
  }
  claim_held_ = false;  // a message held by receive_whole is now this peek's
  claims_changed();
  *out_data = claims_.front().payload;
  *out_length = claims_.front().length;
  return SHMLINK_OK;
}

shmlink_status ChannelObject::consume() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (claims_.empty()) fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has no peeked message to consume");
  const ChannelRing::Claim claim = claims_.front();
  claims_.erase(claims_.begin());
  claims_changed();
  return ring().consume(claim) ? SHMLINK_OK : SHMLINK_ERR_OVERWRITTEN;
}

uint64_t ChannelObject::lost() const {
  require_receiver();
  return ring().lost();
}

// ---- Batches ----

shmlink_status ChannelObject::send_batch(const shmlink_channel_message* messages, uint32_t count,
                                         uint32_t timeout_ms, uint32_t* out_sent) {
  require_sender();
  check_lengths(messages, count);
  require_no_reservation();
  uint32_t sent = 0;
  while (sent < count) {
    ChannelRing::Reservation reservations[kChunk];
    const uint32_t chunk = count - sent < kChunk ? count - sent : kChunk;
    uint32_t reserved = 0;
    // Only the first message is waited for; the rest go if they fit now.
    const shmlink_status status =
        ring().reserve_batch(messages + sent, chunk, sent == 0 ? timeout_ms : 0, reservations, &reserved);
    if (status != SHMLINK_OK) {
      if (sent == 0) return status;
      break;
    }
    for (uint32_t i = 0; i < reserved; ++i) {
      if (messages[sent + i].length > 0)
        std::memcpy(reservations[i].payload, messages[sent + i].data, messages[sent + i].length);
    }
    ring().commit_batch(reservations, messages + sent, reserved);
    sent += reserved;
    if (reserved < chunk) break;  // the ring is full
  }
  *out_sent = sent;
  return SHMLINK_OK;
}

shmlink_status ChannelObject::receive_batch(shmlink_channel_message* messages, uint32_t count, uint32_t timeout_ms,
                                            uint32_t* out_received) {
  require_receiver();
  require_no_peek();
  if (timeout_ms == 0 && ring().nothing_to_claim_now()) return SHMLINK_ERR_TIMEOUT;
  uint32_t received = 0;
  while (received < count) {
    ChannelRing::Claim claims[kChunk];
    const uint32_t chunk = count - received < kChunk ? count - received : kChunk;
    uint32_t taken = 0, needed = 0;
    const shmlink_status status =
        ring().claim_batch(messages + received, chunk, received == 0 ? timeout_ms : 0, claims, &taken, &needed);
    if (status != SHMLINK_OK) {
      if (received > 0) break;  // nothing more ready, or the next message is too long: the next call's
      if (status == SHMLINK_ERR_BUFFER_TOO_SMALL) messages[0].length = needed;
      return status;
    }
    uint32_t kept = 0;
    for (uint32_t i = 0; i < taken; ++i) {
      shmlink_channel_message& message = messages[received + kept];
      if (claims[i].length > 0) std::memcpy(message.data, claims[i].payload, claims[i].length);
      // Pub/sub with overwrites: a copy a publisher overwrote meanwhile is counted lost and
      // left out (its buffer takes the next message).
      if (ring().overwritten(claims[i])) continue;
      message.length = claims[i].length;
      ++kept;
    }
    ring().consume_batch(claims, taken, true);
    received += kept;
    if (taken < chunk) {
      if (received == 0) return receive_batch(messages, count, 0, out_received);  // all of it was overwritten
      break;  // all that was ready
    }
  }
  *out_received = received;
  return SHMLINK_OK;
}

shmlink_status ChannelObject::reserve_batch(shmlink_channel_message* messages, uint32_t count, uint32_t timeout_ms,
                                            uint32_t* out_reserved) {
  require_sender();
  check_lengths(messages, count);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!reservations_.empty())
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle already has a reservation: commit it first");
  const uint32_t most = most_records(count);
  reservations_.resize(most);
  uint32_t reserved = 0;
  const shmlink_status status = ring().reserve_batch(messages, most, timeout_ms, reservations_.data(), &reserved);
  reservations_.resize(status == SHMLINK_OK ? reserved : 0);
  reservations_changed();
  if (status != SHMLINK_OK) return status;
  for (uint32_t i = 0; i < reserved; ++i) {
    messages[i].data = reservations_[i].payload;
    messages[i].capacity = reservations_[i].capacity;
  }
  *out_reserved = reserved;
  return SHMLINK_OK;
}

void ChannelObject::commit_batch(const shmlink_channel_message* messages, uint32_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reservations_.empty()) fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has no reservation to commit");
  if (count > reservations_.size())
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "commit of " + std::to_string(count) + " messages; only " +
                                           std::to_string(reservations_.size()) + " were reserved");
  for (uint32_t i = 0; i < count; ++i) {
    if (messages[i].length > reservations_[i].capacity)
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "commit of " + std::to_string(messages[i].length) + " bytes for message " +
                                             std::to_string(i) + "; only " +
                                             std::to_string(reservations_[i].capacity) + " were reserved");
  }
  ring().commit_batch(reservations_.data(), messages, count);
  reservations_.erase(reservations_.begin(), reservations_.begin() + count);
  if (!drop_reservations())
    fail(SHMLINK_ERR_CORRUPT, "the channel's shared state is broken (a crashed or hostile peer?): a reservation of "
                              "this handle's batch was changed by someone else before the commit gave it up");
}

shmlink_status ChannelObject::peek_batch(shmlink_channel_message* messages, uint32_t count, uint32_t timeout_ms,
                                         uint32_t* out_peeked) {
  require_receiver();
  if (timeout_ms == 0 && nothing_to_peek_now()) return SHMLINK_ERR_TIMEOUT;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!claims_.empty())
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "this handle has peeked messages outstanding: consume them first");
  const uint32_t most = most_records(count);
  claims_.resize(most);
  uint32_t taken = 0, needed = 0;
  const shmlink_status status = ring().claim_batch(nullptr, most, timeout_ms, claims_.data(), &taken, &needed);
  claims_.resize(status == SHMLINK_OK ? taken : 0);
  claims_changed();
  if (status != SHMLINK_OK) return status;
  for (uint32_t i = 0; i < taken; ++i) {
    messages[i].data = const_cast<uint8_t*>(claims_[i].payload);  // documented: read only
    messages[i].length = claims_[i].length;
  }
  *out_peeked = taken;
  return SHMLINK_OK;
}

shmlink_status ChannelObject::consume_batch(uint32_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (count > claims_.size())
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "consume of " + std::to_string(count) + " messages; " +
                                           std::to_string(claims_.size()) + " are peeked");
  const uint32_t overwritten = ring().consume_batch(claims_.data(), count);
  claims_.erase(claims_.begin(), claims_.begin() + count);
  claims_changed();
  return overwritten == 0 ? SHMLINK_OK : SHMLINK_ERR_OVERWRITTEN;
}

}  // namespace shmlink
