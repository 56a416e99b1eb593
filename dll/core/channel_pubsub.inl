// Pub/sub channels (channel_layout.h, "Pub/sub"): the subscriber table, the publishers' head,
// and each subscriber reading at its own position. Included at the end of channel_ring.cpp,
// whose helpers it uses (load_acquire, corrupt, format, ...): not a header.

namespace shmlink {

namespace {
// The seqlock's fences (publisher_head, still_there). ThreadSanitizer does not model
// atomic_thread_fence (GCC refuses it there: -Wtsan), so its builds use a sequentially
// consistent read-modify-write of a word of this process instead: as strong on every target,
// and an operation it sees.
inline void seqlock_fence(std::memory_order order) {
#if defined(__SANITIZE_THREAD__)
  static std::atomic<uint32_t> fence_word{0};
  (void)order;
  fence_word.fetch_add(0, std::memory_order_seq_cst);
#else
  std::atomic_thread_fence(order);
#endif
}
}  // namespace

uint32_t ChannelRing::mode() const {
  if (!pubsub_) return 0;
  return SHMLINK_CHANNEL_PUBSUB | (policy_ == kPolicyOverwrite ? SHMLINK_CHANNEL_OVERWRITE : 0u);
}

// Takes a subscriber entry at the current tail. Under the senders' lock, so that no publisher
// computes head from the entries meanwhile: the new subscriber's position holds head back
// from the first reservation after it.
void ChannelRing::subscribe() {
  // An open does not wait for ever for a publisher that stopped holding the lock.
  ChannelDeadline deadline(5000);
  LockGuard guard(*this, &control_->send_lock, deadline);
  if (!guard.held()) fail(SHMLINK_ERR_TIMEOUT, "a publisher kept the channel's lock for 5 s: cannot subscribe");
  const uint64_t tail = load_relaxed(&control_->tail);
  if (tail % kRecordAlign != 0) corrupt(format("tail %llu is not on a record boundary", tail));
  for (uint32_t index = 0; index < kMaxSubscribers; ++index) {
    SubscriberEntry& entry = subscribers_[index];
    uint32_t tag = load_acquire(&entry.tag);
    if (tag != 0) {
      if (tag_alive(tag - 1)) continue;
      compare_exchange(&entry.tag, tag, 0u);  // its subscriber died unnoticed
      tag = 0;
    }
    store_relaxed(&entry.position, tail);
    if (!compare_exchange(&entry.tag, tag, tag_ + 1)) continue;
    subscriber_ = index;
    subscriber_next_.store(tail, std::memory_order_relaxed);
    subscriber_next_sequence_ = load_relaxed(&control_->next_sequence);
    return;
  }
  fail(SHMLINK_ERR_NO_RESOURCES,
       format("all %llu subscriber places of the pub/sub channel are taken", kMaxSubscribers));
}

// Frees the entry of attachment `tag` (it left or died): publishers stop waiting for it.
void ChannelRing::free_subscriber(uint32_t tag) {
  for (uint32_t index = 0; index < kMaxSubscribers; ++index) {
    uint32_t expected = tag + 1;
    if (compare_exchange(&subscribers_[index].tag, expected, 0u)) {
      if (tag == tag_) subscriber_ = kMaxSubscribers;
      return;
    }
  }
}

// Housekeeping: entries of dead subscribers are freed (their slots were reaped just before,
// but an entry may name an attachment whose process died between its reap and the free),
// and a dead publisher's unfinished record at head is dropped, so that a publisher waiting
// to overwrite it (overwrite policy) goes on.
void ChannelRing::look_after_subscribers() {
  for (uint32_t index = 0; index < kMaxSubscribers; ++index) {
    uint32_t tag = load_acquire(&subscribers_[index].tag);
    if (tag != 0 && !tag_alive(tag - 1)) {
      if (compare_exchange(&subscribers_[index].tag, tag, 0u)) wake_everyone();
    }
  }
  const uint64_t head = load_acquire(&control_->head);
  const uint64_t tail = load_acquire(&control_->tail);
  if (head != tail && tail - head <= ring_bytes_ && head % kRecordAlign == 0) {
    RecordHeader* record = record_at(head);
    uint32_t state = load_acquire(&record->state);
    if ((state & kStateMask) == kWriting && !tag_alive(state & kTagMask) &&
        compare_exchange(&record->state, state, kDropped))
      wake_everyone();
  }
}

// Where head is to be for a reservation of `needed` bytes at `tail`, under the senders' lock:
// the lowest subscriber position (block policy), or past as many of the oldest records as
// make room (overwrite policy). Stores it if it moved. Returns head.
uint64_t ChannelRing::publisher_head(uint64_t tail, uint64_t needed) {
  const uint64_t head = load_relaxed(&control_->head);  // written under this lock only
  if (tail - head > ring_bytes_) corrupt(format("tail is %llu bytes past head in a ring of %llu", tail - head, ring_bytes_));
  if (head % kRecordAlign != 0) corrupt(format("head %llu is not on a record boundary", head));
  uint64_t next = head;
  if (policy_ == kPolicyBlock) {
    next = tail;
    for (uint32_t index = 0; index < kMaxSubscribers; ++index) {
      const SubscriberEntry& entry = subscribers_[index];
      if (load_acquire(&entry.tag) == 0) continue;
      const uint64_t position = load_acquire(&entry.position);
      if (position < head || position > tail || position % kRecordAlign != 0)
        corrupt(format("subscriber %llu is at position %llu, not a record boundary in [head %llu, tail]", index,
                       position, head));
      if (position < next) next = position;
    }
  } else {
    while (needed > ring_bytes_ - (tail - next)) {
      RecordHeader* record = record_at(next);
      const uint32_t state = load_acquire(&record->state);
      const uint32_t span = checked_span(record, next, tail - next);
      if (load_relaxed(&record->position) != next)
        corrupt(format("the record at position %llu is stamped %llu", next, load_relaxed(&record->position)));
      // Another publisher is still writing there: wait for its commit (or its death).
      if ((state & kStateMask) == kWriting && tag_alive(state & kTagMask)) break;
      next += span;
    }
  }
  if (next != head) {
    store_release(&control_->head, next);
    // Readers check head after reading (still_there): the store above comes before every
    // write to the bytes it gives up.
    seqlock_fence(std::memory_order_release);
  }
  return next;
}

// Whether a record read at `position` was intact: no publisher moved head past it before the
// reads that came before this call (see publisher_head).
bool ChannelRing::still_there(uint64_t position) const {
  seqlock_fence(std::memory_order_acquire);
  return load_relaxed(&control_->head) <= position;
}

// A lapped subscriber (overwrite policy) goes on at head, and counts what it skipped from
// the sequence numbers. False if the record at head is not there yet (its publisher is
// writing its header this moment): try again.
bool ChannelRing::skip_to_head(uint64_t* position) {
  for (;;) {
    const uint64_t head = load_acquire(&control_->head);
    if (head % kRecordAlign != 0) corrupt(format("head %llu is not on a record boundary", head));
    const RecordHeader* record = record_at(head);
    const uint64_t stamp = load_relaxed(&record->position);
    const uint64_t sequence = load_relaxed(&record->sequence);
    if (!still_there(head)) continue;  // head moved on while we read: read the new one
    if (stamp != head) return false;
    if (sequence < subscriber_next_sequence_)
      corrupt(format("the record at head %llu has sequence %llu; this subscriber was at %llu", head, sequence,
                     subscriber_next_sequence_));
    lost_.fetch_add(sequence - subscriber_next_sequence_, std::memory_order_relaxed);
    subscriber_next_sequence_ = sequence;
    *position = head;
    return true;
  }
}

// Takes up to `count` messages at this subscriber's position, in order, as try_claim does for
// a queue (the i-th at most max_length_of(i) bytes; too long stops the batch there). Nothing is
// written to the shared state but a dead publisher's unfinished record, dropped.
template <class MaxLength>
ChannelRing::Attempt ChannelRing::try_subscriber_claim(uint32_t count, MaxLength&& max_length_of, Claim* out,
                                                       uint32_t* taken, uint32_t* needed, shmlink_status* status,
                                                       bool thorough) {
  if (subscriber_ == kMaxSubscribers)
    fail(SHMLINK_ERR_CORRUPT, "this handle's subscriber place was freed by another process (a hostile peer?)");
  std::lock_guard<std::mutex> lock(subscriber_mutex_);
  const bool no_sender = senders_gone();  // before tail: a publisher's last reservation comes before it leaves
  uint64_t position = subscriber_next_.load(std::memory_order_relaxed);
  uint32_t done = 0;
  Attempt attempt = Attempt::NotReady;
  bool at_end = false;
  while (done < count) {
    const uint64_t head = load_acquire(&control_->head);
    if (position < head) {
      if (policy_ != kPolicyOverwrite)
        corrupt(format("head %llu passed this subscriber's position %llu", head, position));
      if (!skip_to_head(&position)) break;
      continue;
    }
    const uint64_t tail = load_acquire(&control_->tail);
    if (position == tail) {
      at_end = true;
      break;
    }
    if (tail - position > ring_bytes_ || position % kRecordAlign != 0) {
      if (!still_there(position)) continue;  // lapped meanwhile
      corrupt(format("tail %llu and this subscriber's position %llu are inconsistent", tail, position));
    }
    RecordHeader* record = record_at(position);
    const uint32_t state = load_acquire(&record->state);
    const uint64_t stamp = load_relaxed(&record->position);
    const uint32_t span = load_relaxed(&record->span);
    const uint32_t length = load_relaxed(&record->length);
    const uint64_t sequence = load_relaxed(&record->sequence);
    if (!still_there(position)) continue;  // overwritten while we read it: lapped
    if (stamp != position) corrupt(format("the record at position %llu is stamped %llu", position, stamp));
    checked_span(record, position, tail - position);
    const uint32_t kind = state & kStateMask;
    if (kind == kPadding) {
      if (span != ring_bytes_ - position % ring_bytes_)
        corrupt(format("padding at position %llu does not reach the end of the ring", position));
      position += span;
      continue;
    }
    if (state == kDropped) {
      subscriber_next_sequence_ = sequence + 1;  // never sent: not lost
      position += span;
      continue;
    }
    if (kind == kWriting) {
      uint32_t writing = state;
      if (thorough && !tag_alive(state & kTagMask) && compare_exchange(&record->state, writing, kDropped)) continue;
      break;  // the next message is still being written
    }
    if (state != kCommitted)
      corrupt(format("the record at position %llu is in state 0x%llx in a pub/sub channel", position, state));
    if (length > max_message_ || record_span(length) > span)
      corrupt(format("the message at position %llu claims %llu bytes in a record of %llu", position, length, span));
    if (length > max_length_of(done)) {
      if (done == 0) {
        *needed = length;
        *status = SHMLINK_ERR_BUFFER_TOO_SMALL;
        attempt = Attempt::Done;
      }
      break;
    }
    out[done] = {position, reinterpret_cast<const uint8_t*>(record) + kRecordHeaderBytes, length, position + span};
    subscriber_next_sequence_ = sequence + 1;
    ++done;
    position += span;
  }
  subscriber_next_.store(position, std::memory_order_relaxed);
  // Padding and dropped records passed with nothing claimed are released at once: a publisher
  // must not wait for a subscriber that has nothing to consume.
  if (done == 0 && subscriber_claimed_.load(std::memory_order_acquire) == 0) advance_subscriber_position(position);
  subscriber_claimed_.fetch_add(done, std::memory_order_acq_rel);
  *taken = done;
  if (done > 0) {
    *status = SHMLINK_OK;
    attempt = Attempt::Done;
  } else if (attempt == Attempt::NotReady && at_end && no_sender) {
    *status = SHMLINK_ERR_CLOSED;
    attempt = Attempt::Done;
  }
  return attempt;
}

bool ChannelRing::overwritten(const Claim& claim) {
  if (!pubsub_ || policy_ != kPolicyOverwrite || still_there(claim.position)) return false;
  lost_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

// Moves this subscriber's shared position past the claims (publishers under the block policy
// may then reuse their bytes) and counts them. Returns how many were overwritten meanwhile.
uint32_t ChannelRing::subscriber_consume(const Claim* claims, uint32_t claim_count, bool check) {
  if (claim_count == 0) return 0;
  uint32_t lost = 0;
  uint64_t bytes = 0;
  // One look at head for all of them: those overwritten are then exactly the oldest ones (a
  // prefix of the batch, as publishers overwrite oldest first), which the caller can tell
  // from how much its lost count grew.
  const bool look = check && pubsub_ && policy_ == kPolicyOverwrite;
  seqlock_fence(std::memory_order_acquire);
  const uint64_t head = look ? load_relaxed(&control_->head) : 0;
  for (uint32_t i = 0; i < claim_count; ++i) {
    if (look && head > claims[i].position) ++lost;
    bytes += claims[i].length;
  }
  if (lost > 0) lost_.fetch_add(lost, std::memory_order_relaxed);
  advance_subscriber_position(claims[claim_count - 1].end);
  uint64_t claimed = subscriber_claimed_.load(std::memory_order_relaxed);
  while (!subscriber_claimed_.compare_exchange_weak(claimed, claimed >= claim_count ? claimed - claim_count : 0)) {
  }
  ReceiveCounters& counters = receive_counters(control_);
  count(&counters.messages, claim_count - lost);
  count(&counters.bytes, bytes);
  return lost;
}

// Publishes this subscriber's position (it only grows: threads of this handle may consume out
// of order) and wakes publishers waiting for room under the block policy.
void ChannelRing::advance_subscriber_position(uint64_t end) {
  if (subscriber_ == kMaxSubscribers) return;
  uint64_t* position = &subscriber_entry().position;
  uint64_t current = load_relaxed(position);
  bool moved = false;
  while (current < end && !(moved = compare_exchange(position, current, end))) {
  }
  if (moved && policy_ == kPolicyBlock) host_.wake(control_->space_word);
}

bool ChannelRing::subscriber_nothing_queued() {
  return load_acquire(&control_->tail) == subscriber_next_.load(std::memory_order_relaxed) && !senders_gone();
}

bool ChannelRing::subscriber_receivable() {
  const bool no_sender = senders_gone();
  uint64_t position = subscriber_next_.load(std::memory_order_relaxed);
  if (position < load_acquire(&control_->head)) return true;  // lapped: there is something newer
  const uint64_t tail = load_acquire(&control_->tail);
  if (tail - position > ring_bytes_ || position % kRecordAlign != 0) return true;  // let the receive say what
  for (int records = 0; position != tail && records < 64; ++records) {
    const RecordHeader* record = record_at(position);
    const uint32_t state = load_acquire(&record->state);
    if (state == kCommitted) return true;
    if (state != kDropped && (state & kStateMask) != kPadding) return false;
    const uint32_t span = load_relaxed(&record->span);
    if (span < kRecordHeaderBytes || span % kRecordAlign != 0 || span > tail - position) return true;
    position += span;
  }
  return position == tail && no_sender;
}

// A maximum-size message fits now: always under the overwrite policy; under the block policy,
// by the slowest subscriber. Reads only.
bool ChannelRing::publisher_sendable() {
  if (policy_ == kPolicyOverwrite) return true;
  const uint64_t tail = load_acquire(&control_->tail);
  uint64_t low = tail;
  for (uint32_t index = 0; index < kMaxSubscribers; ++index) {
    if (load_acquire(&subscribers_[index].tag) == 0) continue;
    const uint64_t position = load_acquire(&subscribers_[index].position);
    if (position > tail || tail - position > ring_bytes_) return true;  // broken: let the send say so
    if (position < low) low = position;
  }
  const uint64_t used = tail - low;
  if (tail % kRecordAlign != 0) return true;
  const uint64_t to_end = ring_bytes_ - tail % ring_bytes_;
  const uint64_t span = record_span(max_message_);
  return (span <= to_end ? span : to_end + span) <= ring_bytes_ - used;
}

}  // namespace shmlink
