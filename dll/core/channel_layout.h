// The shared layout of a channel: a control block, a table of attachment slots and the ring
// of message records. The same bytes on every OS (on Linux after the ObjectHeader page, on
// Windows at the start of the section). Fixed-width fields and offsets only, so 32-bit and
// 64-bit processes share it. Every value read from it is checked before use (channel_ring.cpp):
// peers may crash at any instruction, or lie.
//
// Positions (tail, read_claim, head) count bytes since the channel was created and only grow;
// a record at position p lives at ring offset p % ring_bytes. Invariant:
//   head <= read_claim <= tail <= head + ring_bytes
//  - [head, read_claim): records receivers have taken (claimed, consumed, padding, dropped);
//    head passes a record once it is consumed, and only then may senders reuse its bytes.
//  - [read_claim, tail): records senders have reserved, committed or not, in send order:
//    WRITING, COMMITTED, PADDING or DROPPED, never CLAIMED or CONSUMED.
// A peer may die between any two of its stores; whoever finds what it left takes over
// (ChannelRing::look_after_peers): a dead sender's WRITING record is dropped, a claim whose
// receiver died before moving read_claim is committed again, one it died holding is consumed,
// and head is moved past finished records the dead receiver did not move it past.
#pragma once

#include "shared_layout.h"

#include <cstddef>
#include <cstdint>

namespace shmlink::channel {

inline constexpr uint32_t kMagic = 0x4E484353u;  // "SCHN" in little-endian byte order
inline constexpr uint32_t kLayoutVersion = 1;
// A pub/sub channel (since 1.4; see "Pub/sub" below) has its own version, so that a library
// that knows only queues refuses it (INCOMPATIBLE) instead of taking it for one.
inline constexpr uint32_t kPubSubLayoutVersion = 2;

inline constexpr uint32_t kMaxSlots = 1024;             // handles attached at once, all processes
inline constexpr uint64_t kMaxRingBytes = 1ull << 40;  // 1 TiB
inline constexpr uint32_t kRecordAlign = 32;            // records start and end on this boundary (a header)
inline constexpr uint32_t kRecordHeaderBytes = 32;
// The largest message: its record's span must fit RecordHeader::span (32 bits).
inline constexpr uint32_t kMaxMessageBytes = 0xFFFFFF00u;

// The bytes a message of `length` takes in the ring.
inline constexpr uint64_t record_span(uint64_t length) {
  return kRecordHeaderBytes + ((length + kRecordAlign - 1) & ~uint64_t{kRecordAlign - 1});
}

// ---- Record states (RecordHeader::state) ----
// The top 4 bits are the state; WRITING and CLAIMED carry the owner's tag (OwnerTag) below.
inline constexpr uint32_t kStateMask = 0xF0000000u;
inline constexpr uint32_t kTagMask = 0x0FFFFFFFu;
inline constexpr uint32_t kWriting = 0x10000000u;    // reserved by a sender, being written
inline constexpr uint32_t kCommitted = 0x20000000u;  // ready for a receiver
inline constexpr uint32_t kClaimed = 0x30000000u;    // taken by a receiver, not yet consumed
inline constexpr uint32_t kConsumed = 0x40000000u;   // done; head may pass it
inline constexpr uint32_t kPadding = 0x50000000u;    // fills the ring's end before a wrap
inline constexpr uint32_t kDropped = 0x60000000u;    // its sender died or gave up before committing

// An owner tag names an attachment: its slot and the slot's generation when it attached, so
// that a tag outlives neither its attachment nor a reuse of the slot.
inline constexpr uint32_t kTagSlotBits = 10;  // kMaxSlots
inline constexpr uint32_t kTagGenerationMask = (1u << (28 - kTagSlotBits)) - 1;
inline constexpr uint32_t make_tag(uint32_t slot, uint32_t generation) {
  return ((generation & kTagGenerationMask) << kTagSlotBits) | slot;
}
inline constexpr uint32_t tag_slot(uint32_t tag) { return tag & ((1u << kTagSlotBits) - 1); }
inline constexpr uint32_t tag_generation(uint32_t tag) { return (tag & kTagMask) >> kTagSlotBits; }

struct RecordHeader {
  uint32_t state;   // kWriting | tag, kCommitted, ...: the only field changed after the reserve
  uint32_t length;  // message bytes (set again at commit)
  uint32_t span;    // bytes of the whole record, header included: a multiple of kRecordAlign
  uint32_t reserved;
  // The record's own position. Positions never repeat, so bytes left at this offset by an
  // earlier lap never carry it: a receiver that finds it here, with kCommitted, has found a
  // message without reading tail (a commit is published after tail).
  alignas(8) uint64_t position;
  // Pub/sub only: the message's sequence number (for padding: the next message's), from which
  // a lapped subscriber learns how many it lost. Queues leave it 0.
  alignas(8) uint64_t sequence;
};
SHMLINK_SHARED_LAYOUT(RecordHeader, 32, 8);
static_assert(sizeof(RecordHeader) == kRecordHeaderBytes, "RecordHeader is part of the shared layout");
SHMLINK_SHARED_FIELD(RecordHeader, state, 0);
SHMLINK_SHARED_FIELD(RecordHeader, length, 4);
SHMLINK_SHARED_FIELD(RecordHeader, span, 8);
SHMLINK_SHARED_FIELD(RecordHeader, reserved, 12);
SHMLINK_SHARED_FIELD(RecordHeader, position, 16);
SHMLINK_SHARED_FIELD(RecordHeader, sequence, 24);

// What blocked senders or receivers sleep on: a peer bumps `sequence` after every change
// they may wait for. How sleepers are counted is the backend's (Linux: a flag bit in the
// futex word; Windows: `sleepers` and a kernel semaphore).
struct WakeWord {
  uint32_t sequence;
  uint32_t sleepers;
};
SHMLINK_SHARED_LAYOUT(WakeWord, 8, 4);
SHMLINK_SHARED_FIELD(WakeWord, sequence, 0);
SHMLINK_SHARED_FIELD(WakeWord, sleepers, 4);

// Attachment slot: one per open channel handle in any process.
struct Slot {
  alignas(8) uint64_t owner;   // generation << 32 | roles (kRole*); roles 0 = free
  alignas(8) uint64_t holder;  // backend's liveness record (Windows: pid << 32 | process start)
};
SHMLINK_SHARED_LAYOUT(Slot, 16, 8);
SHMLINK_SHARED_FIELD(Slot, owner, 0);
SHMLINK_SHARED_FIELD(Slot, holder, 8);
inline constexpr uint32_t kRoleSender = 0x1;
inline constexpr uint32_t kRoleReceiver = 0x2;

struct alignas(64) Control {
  // Fixed at creation; `magic` is written last.
  uint32_t magic;
  uint32_t layout_version;
  alignas(8) uint64_t ring_bytes;    // multiple of kRecordAlign, >= record_span(max_message)
  alignas(8) uint64_t ring_offset;   // from the start of Control
  alignas(8) uint64_t region_bytes;  // Control + slots + ring
  uint32_t max_message;   // bytes
  uint32_t slot_count;    // kMaxSlots
  uint32_t pubsub_policy;  // pub/sub channels (kPubSubLayoutVersion) only: kPolicyBlock or kPolicyOverwrite
  uint8_t pad0[64 - 44];
  // Each word that one side writes and the other reads has a cache line of its own: a busy
  // receiver polls tail, and a sender's lock must not take that line away from it.
  alignas(64) uint64_t tail;
  uint8_t pad1[64 - 8];
  alignas(64) uint32_t send_lock;  // senders reserve one at a time: 0 or the holder's tag + 1
  uint32_t pad2a;
  // Pub/sub only: the sequence number the next message reserved gets (under send_lock).
  alignas(8) uint64_t next_sequence;
  uint8_t pad2[64 - 16];
  alignas(64) uint64_t read_claim;
  uint8_t pad3[64 - 8];
  alignas(64) uint32_t recv_lock;  // receivers take records one at a time: 0 or the holder's tag + 1
  uint8_t pad4[64 - 4];
  alignas(64) uint64_t head;
  uint8_t pad5[64 - 8];
  alignas(64) WakeWord data_word;  // receivers sleep here: bumped by commits and closes
  uint8_t pad6[64 - 8];
  alignas(64) WakeWord space_word;  // senders sleep here: bumped by consumes and closes
  uint8_t pad7[64 - 8];
  alignas(64) uint32_t senders;  // attached handles with kRoleSender
  uint32_t receivers;            // attached handles with kRoleReceiver
  uint32_t slot_high;            // slots [0, slot_high) have been used
  // 1 once a handle with that role has attached, and for ever after (since 1.4): the other side
  // is gone (CLOSED) only if it had peers and none is left, so a sender may send before any
  // receiver ever attached. Set after the count was raised, and read before the count, so a
  // first attachment is never taken for a departure. In what used to be padding (zero): a
  // channel made by an older library reads as "nobody yet" until a peer of this one attaches,
  // and an older library's peers neither read nor set them.
  uint32_t had_senders;
  uint32_t had_receivers;
};
SHMLINK_SHARED_LAYOUT(Control, 576, 64);
SHMLINK_SHARED_FIELD(Control, magic, 0);
SHMLINK_SHARED_FIELD(Control, layout_version, 4);
SHMLINK_SHARED_FIELD(Control, ring_bytes, 8);
SHMLINK_SHARED_FIELD(Control, ring_offset, 16);
SHMLINK_SHARED_FIELD(Control, region_bytes, 24);
SHMLINK_SHARED_FIELD(Control, max_message, 32);
SHMLINK_SHARED_FIELD(Control, slot_count, 36);
SHMLINK_SHARED_FIELD(Control, pubsub_policy, 40);
SHMLINK_SHARED_FIELD(Control, pad0, 44);
SHMLINK_SHARED_FIELD(Control, tail, 64);
SHMLINK_SHARED_FIELD(Control, pad1, 72);
SHMLINK_SHARED_FIELD(Control, send_lock, 128);
SHMLINK_SHARED_FIELD(Control, pad2a, 132);
SHMLINK_SHARED_FIELD(Control, next_sequence, 136);
SHMLINK_SHARED_FIELD(Control, pad2, 144);
SHMLINK_SHARED_FIELD(Control, read_claim, 192);
SHMLINK_SHARED_FIELD(Control, pad3, 200);
SHMLINK_SHARED_FIELD(Control, recv_lock, 256);
SHMLINK_SHARED_FIELD(Control, pad4, 260);
SHMLINK_SHARED_FIELD(Control, head, 320);
SHMLINK_SHARED_FIELD(Control, pad5, 328);
SHMLINK_SHARED_FIELD(Control, data_word, 384);
SHMLINK_SHARED_FIELD(Control, pad6, 392);
SHMLINK_SHARED_FIELD(Control, space_word, 448);
SHMLINK_SHARED_FIELD(Control, pad7, 456);
SHMLINK_SHARED_FIELD(Control, senders, 512);
SHMLINK_SHARED_FIELD(Control, receivers, 516);
SHMLINK_SHARED_FIELD(Control, slot_high, 520);
SHMLINK_SHARED_FIELD(Control, had_senders, 524);
SHMLINK_SHARED_FIELD(Control, had_receivers, 528);

// Running counters (since 1.4), for shmlink_object_describe and `shmlink info`: statistics
// only, never read by the library to decide anything, so a peer that writes nonsense here
// misleads an observer but breaks nothing. They lie in the control page after Control, where
// no earlier library writes (the page is zero-filled at creation), so the layout version stays
// 1: a peer of an earlier library (1.3) neither counts nor minds them, and its messages are
// missing from the counts.
// One cache line per side, written by that side only, so no sender's count takes a line a
// receiver uses and the other way round.
struct alignas(64) SendCounters {
  alignas(8) uint64_t messages;  // committed by senders
  alignas(8) uint64_t bytes;     // their lengths
  alignas(8) uint64_t waited;    // sends (and reserves) that found no room and waited for it
};
SHMLINK_SHARED_LAYOUT(SendCounters, 64, 64);
SHMLINK_SHARED_FIELD(SendCounters, messages, 0);
SHMLINK_SHARED_FIELD(SendCounters, bytes, 8);
SHMLINK_SHARED_FIELD(SendCounters, waited, 16);

struct alignas(64) ReceiveCounters {
  alignas(8) uint64_t messages;  // consumed by receivers
  alignas(8) uint64_t bytes;     // their lengths
  alignas(8) uint64_t waited;    // receives (and peeks) that found nothing and waited
  alignas(8) uint64_t peers_died;  // attachments counted out after their process died (any side)
};
SHMLINK_SHARED_LAYOUT(ReceiveCounters, 64, 64);
SHMLINK_SHARED_FIELD(ReceiveCounters, messages, 0);
SHMLINK_SHARED_FIELD(ReceiveCounters, bytes, 8);
SHMLINK_SHARED_FIELD(ReceiveCounters, waited, 16);
SHMLINK_SHARED_FIELD(ReceiveCounters, peers_died, 24);

// From the start of Control.
inline constexpr uint64_t kSendCountersOffset = 1024;
inline constexpr uint64_t kReceiveCountersOffset = kSendCountersOffset + sizeof(SendCounters);
static_assert(kSendCountersOffset >= sizeof(Control), "the counters follow Control");

inline constexpr uint64_t kSlotsOffset = 4096;  // Control is padded to a page
inline constexpr uint64_t kRingOffset = kSlotsOffset + uint64_t{kMaxSlots} * sizeof(Slot);
static_assert(kRingOffset % 4096 == 0, "the ring starts on a page");
static_assert(kReceiveCountersOffset + sizeof(ReceiveCounters) <= kSlotsOffset, "the counters stay in the control page");

// ---- Pub/sub (since 1.4) ----
// A pub/sub channel is chosen at creation (SHMLINK_CHANNEL_PUBSUB) and lives in the same
// namespace as queues; its Control says layout_version kPubSubLayoutVersion and its policy in
// pubsub_policy, both checked at every open. Publishers (senders) reserve and commit records
// exactly as in a queue: the ring, records, tail, send_lock and padding are the queue's. What
// differs is the reading side: nobody claims or consumes a record; a record stays COMMITTED
// until the ring's space is reused, and every subscriber (a handle with the receiver role)
// reads it in place at its own position. read_claim and recv_lock are unused.
//
// Subscribers: a table of kMaxSubscribers entries (SubscriberEntry, one cache line each, in the
// control page at kSubscribersOffset). A receiving handle takes a free entry when it attaches,
// under send_lock, with position = tail (and, in its process, next_sequence as the sequence it
// expects next): it receives every message reserved after it subscribed, and none before. A subscriber beyond kMaxSubscribers
// gets NO_RESOURCES from its create or open. The entry's `tag` names the attachment (owner tag
// + 1; 0 = free), so housekeeping (look_after_peers) frees the entry of a subscriber whose
// process died, as it counts out a dead queue receiver.
//
// head is written by publishers only, under send_lock, and only grows: [head, tail) is what may
// still be read; a publisher reuses bytes only below head + ring_bytes.
//  - kPolicyBlock: head is the lowest position of the attached subscribers (tail if none),
//    recomputed when a publisher runs out of room by the head it saw last. Publishers wait
//    for the slowest live subscriber; a dead one is dropped by housekeeping (within
//    kLookAfterPeersEvery of a waiting publisher's look) and stalls nobody after that. A
//    subscriber's position is its own to write: it is past what it consumed (peeks hold it back).
//  - kPolicyOverwrite: publishers never wait for subscribers. When a record does not fit, the
//    publisher moves head past the oldest records until it does (never past a record another
//    live publisher is still writing: then it waits for that one), then writes. Readers
//    check in seqlock style: a record read at position p was intact if head <= p after the
//    read (the publisher stores head, then a release fence, then writes; the reader reads,
//    then an acquire fence, then head). A subscriber that finds its position below head was
//    lapped: it skips to head and adds to its lost count the difference of sequence numbers
//    (shmlink_channel_lost). A peeked message overwritten before its consume is counted lost
//    too, and its consume says SHMLINK_ERR_OVERWRITTEN; a copying receive drops and counts such
//    a message and copies the next one.
// Every value read here is checked like the queue's: a position outside [head, tail] gives
// CORRUPT, as does a tag or policy no library writes.
inline constexpr uint32_t kPolicyBlock = 0;
inline constexpr uint32_t kPolicyOverwrite = 1;
inline constexpr uint32_t kMaxSubscribers = 32;

struct alignas(64) SubscriberEntry {
  uint32_t tag;  // owner tag + 1 of the subscribing attachment; 0: free
  uint32_t reserved;
  alignas(8) uint64_t position;  // what this subscriber has consumed up to (a record boundary)
  uint8_t pad[64 - 16];
};
SHMLINK_SHARED_LAYOUT(SubscriberEntry, 64, 64);
SHMLINK_SHARED_FIELD(SubscriberEntry, tag, 0);
SHMLINK_SHARED_FIELD(SubscriberEntry, position, 8);

inline constexpr uint64_t kSubscribersOffset = 2048;
static_assert(kSubscribersOffset >= kReceiveCountersOffset + sizeof(ReceiveCounters), "after the counters");
static_assert(kSubscribersOffset + kMaxSubscribers * sizeof(SubscriberEntry) <= kSlotsOffset,
              "the subscriber table stays in the control page");

inline constexpr uint64_t region_bytes_for(uint64_t ring_bytes) { return kRingOffset + ring_bytes; }

}  // namespace shmlink::channel
