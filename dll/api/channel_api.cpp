// Exported channel functions: argument checks, handle lookup and status mapping, as in
// sync_api.cpp. What one handle does is ChannelObject's (core/channel_object.h); the queue
// itself is ChannelRing (core/channel_ring.h).
#include "guard.h"

#include "../core/channel_object.h"
#include "../core/handle_table.h"
#include "../core/platform.h"

#include <cstdio>
#include <string>

using namespace shmlink;

namespace {

constexpr uint32_t kRoleFlags = SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_RECEIVER;
constexpr uint32_t kModeFlags = SHMLINK_CHANNEL_PUBSUB | SHMLINK_CHANNEL_OVERWRITE;
constexpr uint32_t kCreateFlags =
    SHMLINK_OPEN_OR_CREATE | SHMLINK_SHARE_GROUP | SHMLINK_SHARE_ALL_USERS | kRoleFlags | kModeFlags;

uint32_t roles_of(uint32_t flags) {
  return ((flags & SHMLINK_CHANNEL_SENDER) ? channel::kRoleSender : 0u) |
         ((flags & SHMLINK_CHANNEL_RECEIVER) ? channel::kRoleReceiver : 0u);
}

// Outcomes a caller polls for (empty with timeout 0, peers gone, buffer too small) are
// recorded without formatting anything: they are the busy loop's normal path.
shmlink_status quick(const char* operation, shmlink_status status) {
  switch (status) {
    case SHMLINK_ERR_TIMEOUT:
      record_quick_failure(operation, status, "nothing happened on the channel before the timeout");
      break;
    case SHMLINK_ERR_CLOSED:
      record_quick_failure(operation, status, "every peer on the other side of the channel is gone");
      break;
    case SHMLINK_ERR_BUFFER_TOO_SMALL:
      record_quick_failure(operation, status, "the message is longer than the buffer; *out_length says how long");
      break;
    default: break;
  }
  return status;
}

}  // namespace

#define FIND_CHANNEL(operation, handle)                                                                  \
  std::string why;                                                                                      \
  const auto channel = find_as<ChannelObject>(handle, SHMLINK_KIND_CHANNEL, "channel", &why);          \
  if (!channel) return bad_handle(operation, why)

extern "C" {

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_create(const char* name, uint64_t capacity_bytes,
                                                               uint32_t max_message_bytes, uint32_t flags,
                                                               shmlink_handle* out_channel) {
  clear_handle(out_channel);
  return guarded("shmlink_channel_create", name, [&] {
    require_output(out_channel, "out_channel");
    const ObjectName parsed = parse_name(name);
    check_flags(flags, kCreateFlags);
    const uint32_t mode = flags & kModeFlags;
    if (mode == SHMLINK_CHANNEL_OVERWRITE)
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "SHMLINK_CHANNEL_OVERWRITE is a policy of SHMLINK_CHANNEL_PUBSUB channels");
    const uint64_t ring_bytes = channel_ring_bytes(capacity_bytes, max_message_bytes);
    const uint32_t roles = roles_of(flags);
    OpenedChannel opened = platform_create_channel(parsed, ring_bytes, max_message_bytes,
                                                   flags & ~(kRoleFlags | kModeFlags), roles, mode);
    if (opened.existed && opened.backing->ring().mode() != mode)
      fail(SHMLINK_ERR_INCOMPATIBLE, "a channel of that name exists in another mode (queue, pub/sub, policy)");
    *out_channel = handle_table().insert(std::make_shared<ChannelObject>(std::move(opened.backing), roles, name));
    return opened.existed ? SHMLINK_EXISTED : SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_open(const char* name, uint32_t flags,
                                                             shmlink_handle* out_channel) {
  clear_handle(out_channel);
  return guarded("shmlink_channel_open", name, [&] {
    require_output(out_channel, "out_channel");
    const ObjectName parsed = parse_name(name);
    check_flags(flags, kRoleFlags);
    const uint32_t roles = roles_of(flags);
    if (roles == 0)
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "flags give no role: SHMLINK_CHANNEL_SENDER and/or SHMLINK_CHANNEL_RECEIVER");
    *out_channel =
        handle_table().insert(std::make_shared<ChannelObject>(platform_open_channel(parsed, roles), roles, name));
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_info(shmlink_handle handle, uint32_t* out_max_message_bytes,
                                                             uint64_t* out_capacity_bytes, uint32_t* out_roles) {
  return guarded("shmlink_channel_info", nullptr, [&] {
    if (out_max_message_bytes == nullptr && out_capacity_bytes == nullptr && out_roles == nullptr)
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "out_max_message_bytes, out_capacity_bytes and out_roles are all NULL");
    FIND_CHANNEL("shmlink_channel_info", handle);
    if (out_max_message_bytes != nullptr) *out_max_message_bytes = channel->ring().max_message();
    if (out_capacity_bytes != nullptr) *out_capacity_bytes = channel->ring().ring_bytes();
    if (out_roles != nullptr)
      *out_roles = (channel->can_send() ? SHMLINK_CHANNEL_SENDER : 0u) |
                   (channel->can_receive() ? SHMLINK_CHANNEL_RECEIVER : 0u);
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_waitable(shmlink_handle handle, uint32_t condition,
                                                                 shmlink_handle* out_waitable) {
  clear_handle(out_waitable);
  return guarded("shmlink_channel_waitable", nullptr, [&] {
    require_output(out_waitable, "out_waitable");
    if (!ChannelRing::valid_condition(condition))
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "condition " + std::to_string(condition) + " is not a SHMLINK_CHANNEL_* condition");
    FIND_CHANNEL("shmlink_channel_waitable", handle);
    if (condition == SHMLINK_CHANNEL_CAN_RECEIVE) channel->require_receiver();
    if (condition == SHMLINK_CHANNEL_CAN_SEND) channel->require_sender();
    *out_waitable = handle_table().insert(std::make_shared<WaitableObject>(
        SHMLINK_KIND_CHANNEL_CONDITION, channel->channel_backing().condition_waitable(condition), channel->name()));
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_send(shmlink_handle handle, const void* data, uint32_t length,
                                                             uint32_t timeout_ms) {
  return guarded("shmlink_channel_send", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_send", handle);
    if (data == nullptr && length > 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "data is NULL and length is not 0");
    return quick("shmlink_channel_send", channel->send(data, length, timeout_ms));
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_receive(shmlink_handle handle, void* buffer, uint32_t capacity,
                                                                uint32_t* out_length, uint32_t timeout_ms) {
  return guarded("shmlink_channel_receive", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_receive", handle);
    require_output(out_length, "out_length");
    if (buffer == nullptr && capacity > 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "buffer is NULL and capacity is not 0");
    return quick("shmlink_channel_receive", channel->receive(buffer, capacity, out_length, timeout_ms));
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_receive_whole(shmlink_handle handle, void* buffer,
                                                                      uint32_t capacity, uint32_t* out_length,
                                                                      uint32_t timeout_ms) {
  return guarded("shmlink_channel_receive_whole", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_receive_whole", handle);
    require_output(out_length, "out_length");
    if (buffer == nullptr && capacity > 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "buffer is NULL and capacity is not 0");
    return quick("shmlink_channel_receive_whole", channel->receive_whole(buffer, capacity, out_length, timeout_ms));
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_reserve(shmlink_handle handle, uint32_t length,
                                                                uint32_t timeout_ms, void** out_buffer) {
  return guarded("shmlink_channel_reserve", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_reserve", handle);
    require_output(out_buffer, "out_buffer");
    return quick("shmlink_channel_reserve", channel->reserve(length, timeout_ms, out_buffer));
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_commit(shmlink_handle handle, uint32_t length) {
  return guarded("shmlink_channel_commit", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_commit", handle);
    channel->commit(length);
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_cancel(shmlink_handle handle) {
  return guarded("shmlink_channel_cancel", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_cancel", handle);
    channel->cancel();
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_peek(shmlink_handle handle, uint32_t timeout_ms,
                                                             const void** out_data, uint32_t* out_length) {
  return guarded("shmlink_channel_peek", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_peek", handle);
    require_output(out_data, "out_data");
    require_output(out_length, "out_length");
    return quick("shmlink_channel_peek", channel->peek(timeout_ms, out_data, out_length));
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_consume(shmlink_handle handle) {
  return guarded("shmlink_channel_consume", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_consume", handle);
    return channel->consume();
  });
}

// ---- Batches ----

namespace {

void check_batch(const void* messages, uint32_t count, const void* out_count, const char* out_name) {
  require_output(messages, "messages");
  require_output(out_count, out_name);
  if (count == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "count is 0: a batch has at least one message");
}

void clear_count(uint32_t* out_count) {
  if (out_count != nullptr) *out_count = 0;
}

}  // namespace

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_send_batch(shmlink_handle handle,
                                                                 const shmlink_channel_message* messages,
                                                                 uint32_t count, uint32_t timeout_ms,
                                                                 uint32_t* out_sent) {
  clear_count(out_sent);
  return guarded("shmlink_channel_send_batch", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_send_batch", handle);
    check_batch(messages, count, out_sent, "out_sent");
    for (uint32_t i = 0; i < count; ++i) {
      if (messages[i].data == nullptr && messages[i].length > 0)
        fail(SHMLINK_ERR_INVALID_ARGUMENT, "messages[" + std::to_string(i) + "].data is NULL and its length is not 0");
    }
    return quick("shmlink_channel_send_batch", channel->send_batch(messages, count, timeout_ms, out_sent));
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_receive_batch(shmlink_handle handle,
                                                                    shmlink_channel_message* messages,
                                                                    uint32_t count, uint32_t timeout_ms,
                                                                    uint32_t* out_received) {
  clear_count(out_received);
  return guarded("shmlink_channel_receive_batch", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_receive_batch", handle);
    check_batch(messages, count, out_received, "out_received");
    for (uint32_t i = 0; i < count; ++i) {
      if (messages[i].data == nullptr && messages[i].capacity > 0)
        fail(SHMLINK_ERR_INVALID_ARGUMENT,
             "messages[" + std::to_string(i) + "].data is NULL and its capacity is not 0");
    }
    return quick("shmlink_channel_receive_batch", channel->receive_batch(messages, count, timeout_ms, out_received));
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_reserve_batch(shmlink_handle handle,
                                                                    shmlink_channel_message* messages,
                                                                    uint32_t count, uint32_t timeout_ms,
                                                                    uint32_t* out_reserved) {
  clear_count(out_reserved);
  return guarded("shmlink_channel_reserve_batch", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_reserve_batch", handle);
    check_batch(messages, count, out_reserved, "out_reserved");
    return quick("shmlink_channel_reserve_batch", channel->reserve_batch(messages, count, timeout_ms, out_reserved));
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_commit_batch(shmlink_handle handle,
                                                                   const shmlink_channel_message* messages,
                                                                   uint32_t count) {
  return guarded("shmlink_channel_commit_batch", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_commit_batch", handle);
    uint32_t unused = 0;
    check_batch(messages, count, &unused, "");
    channel->commit_batch(messages, count);
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_peek_batch(shmlink_handle handle,
                                                                 shmlink_channel_message* messages, uint32_t count,
                                                                 uint32_t timeout_ms, uint32_t* out_peeked) {
  clear_count(out_peeked);
  return guarded("shmlink_channel_peek_batch", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_peek_batch", handle);
    check_batch(messages, count, out_peeked, "out_peeked");
    return quick("shmlink_channel_peek_batch", channel->peek_batch(messages, count, timeout_ms, out_peeked));
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_consume_batch(shmlink_handle handle, uint32_t count) {
  return guarded("shmlink_channel_consume_batch", nullptr, [&] {
    FIND_CHANNEL("shmlink_channel_consume_batch", handle);
    if (count == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "count is 0: a batch has at least one message");
    return channel->consume_batch(count);
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_lost(shmlink_handle handle, uint64_t* out_lost) {
  if (out_lost != nullptr) *out_lost = 0;
  return guarded("shmlink_channel_lost", nullptr, [&] {
    require_output(out_lost, "out_lost");
    FIND_CHANNEL("shmlink_channel_lost", handle);
    *out_lost = channel->lost();
    return SHMLINK_OK;
  });
}

}  // extern "C"
