#include "inspect_channel.h"

namespace shmlink {
namespace {

template <class T>
bool read_value(const ChannelRegionReader& read, T& value, uint64_t offset) {
  return read(&value, sizeof value, offset);
}

// Counts the committed records in [read_claim, tail), walking at most
// SHMLINK_DESCRIBE_MAX_RECORDS of them; stops (as far as it got) at anything inconsistent,
// which a receiver taking records meanwhile also causes.
void count_queued(const ChannelRegionReader& read, const channel::Control& control, uint64_t read_claim, uint64_t tail,
                  shmlink_object_description& out) {
  uint64_t position = read_claim;
  uint32_t messages = 0;
  for (uint32_t walked = 0; position < tail; ++walked) {
    if (walked == SHMLINK_DESCRIBE_MAX_RECORDS) {
      out.flags |= SHMLINK_OBJECT_QUEUE_PARTIAL;
      break;
    }
    channel::RecordHeader record{};
    const uint64_t at = control.ring_offset + position % control.ring_bytes;
    if (!read_value(read, record, at) || record.position != position) break;
    if (record.span < channel::kRecordHeaderBytes || record.span % channel::kRecordAlign != 0 ||
        record.span > tail - position)
      break;
    if ((record.state & channel::kStateMask) == channel::kCommitted) ++messages;
    position += record.span;
  }
  out.channel_messages_queued = messages;
}

}  // namespace

void describe_channel_region(const ChannelRegionReader& read, const ChannelRegionSizeCheck& size_fits,
                             const ChannelPeerLookup& peer_of, shmlink_object_description& out) {
  using namespace channel;
  Control control{};
  if (!read_value(read, control, 0) || control.magic != kMagic) {
    out.flags |= SHMLINK_OBJECT_CORRUPT;
    return;
  }
  const bool pubsub = control.layout_version == channel::kPubSubLayoutVersion;
  if (control.layout_version != channel::kLayoutVersion && !pubsub) {
    out.flags |= SHMLINK_OBJECT_INCOMPATIBLE;
    return;
  }
  if (control.ring_offset != kRingOffset || control.ring_bytes == 0 || control.ring_bytes % kRecordAlign != 0 ||
      control.ring_bytes > kMaxRingBytes || control.region_bytes != region_bytes_for(control.ring_bytes) ||
      !size_fits(control.region_bytes) || control.max_message == 0 || control.max_message > kMaxMessageBytes ||
      record_span(control.max_message) > control.ring_bytes || control.slot_count != kMaxSlots ||
      control.senders > kMaxSlots || control.receivers > kMaxSlots || control.slot_high > kMaxSlots) {
    out.flags |= SHMLINK_OBJECT_CORRUPT;
    return;
  }
  out.size = control.ring_bytes;
  out.channel_max_message = control.max_message;
  out.channel_senders = control.senders;
  out.channel_receivers = control.receivers;

  // Positions only grow, so reading head, then read_claim, then tail gives head <= read_claim
  // <= tail even while peers move them; tail may have run past head + ring_bytes by then
  // (several laps), which a second look settles.
  // (A pub/sub channel has no one queue: each subscriber reads at its own position.)
  for (int attempt = 0; attempt < (pubsub ? 0 : 4); ++attempt) {
    uint64_t head = 0, read_claim = 0, tail = 0;
    if (!read_value(read, head, offsetof(Control, head)) || !read_value(read, read_claim, offsetof(Control, read_claim)) ||
        !read_value(read, tail, offsetof(Control, tail)))
      break;
    if (head > read_claim || read_claim > tail) break;  // cannot happen honestly: leave them 0
    if (tail - head > control.ring_bytes) continue;
    out.channel_bytes_queued = tail - read_claim;
    count_queued(read, control, read_claim, tail, out);
    break;
  }

  // Statistics only (channel_layout.h): any value is possible and none is used for anything.
  SendCounters sent{};
  ReceiveCounters received{};
  if (read_value(read, sent, kSendCountersOffset) && read_value(read, received, kReceiveCountersOffset)) {
    out.channel_messages_sent = sent.messages;
    out.channel_bytes_sent = sent.bytes;
    out.channel_sends_waited = sent.waited;
    out.channel_messages_received = received.messages;
    out.channel_bytes_received = received.bytes;
    out.channel_receives_waited = received.waited;
    out.channel_peers_died = received.peers_died;
  }

  uint32_t attached = 0;
  for (uint32_t index = 0; index < control.slot_high; ++index) {
    Slot slot{};
    if (!read_value(read, slot, kSlotsOffset + uint64_t{index} * sizeof(Slot))) break;
    const uint32_t roles = static_cast<uint32_t>(slot.owner) & (kRoleSender | kRoleReceiver);
    if (roles == 0) continue;
    shmlink_object_peer peer{};
    if (roles & kRoleSender) peer.flags |= SHMLINK_PEER_SENDER;
    if (roles & kRoleReceiver) peer.flags |= SHMLINK_PEER_RECEIVER;
    peer_of(index, slot, peer);
    if (attached < SHMLINK_DESCRIBE_MAX_PEERS) out.channel_peers[attached] = peer;
    ++attached;
  }
  out.channel_peer_count = attached;
}

}  // namespace shmlink
