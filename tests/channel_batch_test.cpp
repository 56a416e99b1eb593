// Channel batches in one process: many messages sent, received, reserved and peeked per call,
// each still a whole message in order; partial batches (a full ring, nothing more queued, a
// message too long for its buffer); the batch as this handle's reservation or peek; and bad
// input of every kind. Across processes: tests/channel_process_test.cpp.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace shmlink_test {
namespace {

constexpr uint32_t kMax = 1024;

struct Pair {
  explicit Pair(uint64_t capacity = 4096, uint32_t max_message = kMax) : name(unique_name()) {
    EXPECT_STATUS(SHMLINK_OK, shmlink_channel_create(name.c_str(), capacity, max_message, SHMLINK_CHANNEL_SENDER,
                                                     sender.out()));
    EXPECT_STATUS(SHMLINK_OK, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, receiver.out()));
  }
  std::string name;
  Handle sender;
  Handle receiver;
};

// Messages to send, kept alive with their texts.
struct Outgoing {
  explicit Outgoing(std::vector<std::string> given) : texts(std::move(given)) {
    for (std::string& text : texts)
      messages.push_back({text.empty() ? nullptr : &text[0], static_cast<uint32_t>(text.size()), 0});
  }
  uint32_t count() const { return static_cast<uint32_t>(messages.size()); }
  std::vector<std::string> texts;
  std::vector<shmlink_channel_message> messages;
};

// Receive buffers of `capacity` bytes each.
struct Incoming {
  Incoming(uint32_t count, uint32_t capacity) : buffers(count, std::vector<char>(capacity)) {
    for (auto& buffer : buffers) messages.push_back({buffer.data(), 0, capacity});
  }
  std::string text(uint32_t i) const {
    return std::string(static_cast<const char*>(messages[i].data), messages[i].length);
  }
  std::vector<std::vector<char>> buffers;
  std::vector<shmlink_channel_message> messages;
};

std::string receive_text(const Handle& channel) {
  char buffer[kMax];
  uint32_t length = 0;
  const shmlink_status status = shmlink_channel_receive(channel.get(), buffer, sizeof buffer, &length, 0);
  if (status != SHMLINK_OK) return shmlink_status_name(status);
  return std::string(buffer, length);
}

std::string numbered(int i, size_t length = 0) {
  std::string text = "message " + std::to_string(i);
  if (text.size() < length) text.resize(length, static_cast<char>('a' + i % 26));
  return text;
}

TEST(ChannelBatches, SendBatchDeliversEachMessageWholeAndInOrder) {
  Pair pair;
  Outgoing out({"first", "", "third", std::string(kMax, 'm'), "x"});
  uint32_t sent = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_send_batch(pair.sender.get(), out.messages.data(), out.count(), 0, &sent));
  EXPECT_EQ(sent, out.count());
  for (const std::string& text : out.texts) EXPECT_EQ(receive_text(pair.receiver), text);
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT");
}

TEST(ChannelBatches, ReceiveBatchTakesWhatIsQueuedUpToItsCount) {
  Pair pair;
  for (int i = 0; i < 10; ++i) {
    const std::string text = numbered(i);
    ASSERT_STATUS(SHMLINK_OK, shmlink_channel_send(pair.sender.get(), text.data(), uint32_t(text.size()), 0));
  }
  Incoming four(4, 64);
  uint32_t received = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive_batch(pair.receiver.get(), four.messages.data(), 4, 0, &received));
  ASSERT_EQ(received, 4u);
  for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(four.text(i), numbered(int(i)));
  Incoming many(16, 64);
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_channel_receive_batch(pair.receiver.get(), many.messages.data(), 16, 0, &received));
  ASSERT_EQ(received, 6u) << "all that were queued, no more";
  for (uint32_t i = 0; i < 6; ++i) EXPECT_EQ(many.text(i), numbered(int(i) + 4));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT,
                shmlink_channel_receive_batch(pair.receiver.get(), many.messages.data(), 16, 0, &received));
  EXPECT_EQ(received, 0u);
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT,
                shmlink_channel_receive_batch(pair.receiver.get(), many.messages.data(), 16, 30, &received));
}

TEST(ChannelBatches, ReceiveBatchStopsBeforeAMessageTooLongForItsBuffer) {
  Pair pair;
  Outgoing out({std::string(10, 'a'), std::string(100, 'b'), std::string(10, 'c')});
  uint32_t sent = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_send_batch(pair.sender.get(), out.messages.data(), 3, 0, &sent));
  Incoming in(3, 50);
  uint32_t received = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive_batch(pair.receiver.get(), in.messages.data(), 3, 0, &received));
  ASSERT_EQ(received, 1u);
  EXPECT_EQ(in.text(0), out.texts[0]);
  EXPECT_STATUS(SHMLINK_ERR_BUFFER_TOO_SMALL,
                shmlink_channel_receive_batch(pair.receiver.get(), in.messages.data(), 3, 0, &received));
  EXPECT_EQ(received, 0u);
  EXPECT_EQ(in.messages[0].length, 100u) << "the length needed";
  EXPECT_EQ(receive_text(pair.receiver), out.texts[1]) << "left queued";
  EXPECT_EQ(receive_text(pair.receiver), out.texts[2]);
}

TEST(ChannelBatches, ABatchLargerThanTheRingGoesThroughInSeveralCalls) {
  Pair pair(4096, 64);
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back(numbered(i, 64));
  Outgoing out(texts);
  uint32_t next_to_send = 0, next_to_receive = 0, calls = 0;
  Incoming in(64, 64);
  while (next_to_receive < out.count()) {
    if (next_to_send < out.count()) {
      uint32_t sent = 0;
      const shmlink_status status = shmlink_channel_send_batch(
          pair.sender.get(), out.messages.data() + next_to_send, out.count() - next_to_send, 0, &sent);
      if (status == SHMLINK_ERR_TIMEOUT) EXPECT_EQ(sent, 0u);
      else ASSERT_STATUS(SHMLINK_OK, status);
      EXPECT_LT(sent, out.count()) << "the ring holds fewer than 200 records of 96 bytes";
      next_to_send += sent;
      ++calls;
    }
    uint32_t received = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive_batch(pair.receiver.get(), in.messages.data(), 64, 0, &received));
    for (uint32_t i = 0; i < received; ++i) ASSERT_EQ(in.text(i), texts[next_to_receive + i]);
    next_to_receive += received;
  }
  EXPECT_GT(calls, 1u);
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT");
}

TEST(ChannelBatches, AFullRingGivesTimeoutAndSendsNothing) {
  Pair pair(4096, 64);
  const std::string text(64, 'f');
  while (shmlink_channel_send(pair.sender.get(), text.data(), 64, 0) == SHMLINK_OK) {
  }
  Outgoing out({std::string(64, '1'), std::string(64, '2')});  // no shorter: a shorter one may still fit
  uint32_t sent = 99;
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_channel_send_batch(pair.sender.get(), out.messages.data(), 2, 20, &sent));
  EXPECT_EQ(sent, 0u);
}

TEST(ChannelBatches, ReserveBatchAndCommitBatchSendInPlace) {
  Pair pair;
  shmlink_channel_message messages[3] = {{nullptr, 100, 0}, {nullptr, 0, 0}, {nullptr, 200, 0}};
  uint32_t reserved = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve_batch(pair.sender.get(), messages, 3, 0, &reserved));
  ASSERT_EQ(reserved, 3u);
  EXPECT_EQ(messages[0].capacity, 100u);
  EXPECT_EQ(messages[2].capacity, 200u);
  std::memcpy(messages[0].data, "zero", 4);
  messages[0].length = 4;  // shorter than reserved
  std::memset(messages[2].data, 'z', 200);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_commit_batch(pair.sender.get(), messages, 3));
  EXPECT_EQ(receive_text(pair.receiver), "zero");
  EXPECT_EQ(receive_text(pair.receiver), "");
  EXPECT_EQ(receive_text(pair.receiver), std::string(200, 'z'));
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT");
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_commit_batch(pair.sender.get(), messages, 1))
      << "committed already";
}

TEST(ChannelBatches, CommittingPartOfABatchGivesTheRestUp) {
  Pair pair;
  shmlink_channel_message messages[4] = {{nullptr, 8, 0}, {nullptr, 8, 0}, {nullptr, 8, 0}, {nullptr, 8, 0}};
  uint32_t reserved = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve_batch(pair.sender.get(), messages, 4, 0, &reserved));
  ASSERT_EQ(reserved, 4u);
  for (uint32_t i = 0; i < 4; ++i) std::memcpy(messages[i].data, numbered(int(i)).data(), 8);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_commit_batch(pair.sender.get(), messages, 2));
  EXPECT_EQ(receive_text(pair.receiver), numbered(0).substr(0, 8));
  EXPECT_EQ(receive_text(pair.receiver), numbered(1).substr(0, 8));
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT");
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_send(pair.sender.get(), "after", 5, 0)) << "no reservation left";
  EXPECT_EQ(receive_text(pair.receiver), "after");
}

TEST(ChannelBatches, CancelGivesUpAWholeReservedBatch) {
  Pair pair(4096, 64);
  std::vector<shmlink_channel_message> messages(100, shmlink_channel_message{nullptr, 64, 0});
  uint32_t reserved = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve_batch(pair.sender.get(), messages.data(), 100, 0, &reserved));
  EXPECT_GT(reserved, 1u);
  EXPECT_LT(reserved, 100u) << "as many as fit";
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_commit(pair.sender.get(), 1)) << "a batch is reserved";
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_send(pair.sender.get(), "x", 1, 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_cancel(pair.sender.get()));
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT");
  // The room is back: as many again fit.
  uint32_t again = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve_batch(pair.sender.get(), messages.data(), 100, 0, &again));
  EXPECT_EQ(again, reserved);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_commit_batch(pair.sender.get(), messages.data(), again));
  Incoming in(100, 64);
  uint32_t received = 0;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_channel_receive_batch(pair.receiver.get(), in.messages.data(), 100, 0, &received));
  EXPECT_EQ(received, again);
}

TEST(ChannelBatches, PeekBatchGivesAllReadyInPlaceAndConsumeBatchReleasesTheOldest) {
  Pair pair;
  for (int i = 0; i < 5; ++i) {
    const std::string text = numbered(i);
    ASSERT_STATUS(SHMLINK_OK, shmlink_channel_send(pair.sender.get(), text.data(), uint32_t(text.size()), 0));
  }
  shmlink_channel_message messages[8] = {};
  uint32_t peeked = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek_batch(pair.receiver.get(), messages, 8, 0, &peeked));
  ASSERT_EQ(peeked, 5u);
  for (uint32_t i = 0; i < 5; ++i)
    EXPECT_EQ(std::string(static_cast<const char*>(messages[i].data), messages[i].length), numbered(int(i)));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_peek_batch(pair.receiver.get(), messages, 8, 0, &peeked))
      << "peeked messages outstanding";
  EXPECT_EQ(peeked, 0u);
  char buffer[64];
  uint32_t length = 0;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_receive(pair.receiver.get(), buffer, 64, &length, 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_consume_batch(pair.receiver.get(), 2));
  const void* data = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek(pair.receiver.get(), 0, &data, &length));
  EXPECT_EQ(std::string(static_cast<const char*>(data), length), numbered(2)) << "the oldest not consumed";
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_consume(pair.receiver.get()));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_consume_batch(pair.receiver.get(), 3))
      << "only 2 are peeked";
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_consume_batch(pair.receiver.get(), 2));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_consume(pair.receiver.get()));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_channel_peek_batch(pair.receiver.get(), messages, 8, 0, &peeked));
}

TEST(ChannelBatches, ConsumedBatchesGiveTheirRoomBackLapAfterLap) {
  Pair pair(4096, 200);
  uint32_t sequence = 0, expected = 0;
  for (int lap = 0; lap < 50; ++lap) {
    std::vector<shmlink_channel_message> reserve(30, shmlink_channel_message{nullptr, 0, 0});
    for (uint32_t i = 0; i < 30; ++i) reserve[i].length = 4 + (sequence + i) % 150;
    uint32_t reserved = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve_batch(pair.sender.get(), reserve.data(), 30, 0, &reserved));
    for (uint32_t i = 0; i < reserved; ++i) {
      const uint32_t value = sequence + i;
      std::memcpy(reserve[i].data, &value, 4);
    }
    ASSERT_STATUS(SHMLINK_OK, shmlink_channel_commit_batch(pair.sender.get(), reserve.data(), reserved));
    sequence += reserved;
    shmlink_channel_message peek[30] = {};
    uint32_t peeked = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek_batch(pair.receiver.get(), peek, 30, 0, &peeked));
    ASSERT_EQ(peeked, reserved);
    for (uint32_t i = 0; i < peeked; ++i, ++expected) {
      uint32_t value = 0;
      std::memcpy(&value, peek[i].data, 4);
      ASSERT_EQ(value, expected);
      ASSERT_EQ(peek[i].length, 4 + expected % 150);
    }
    ASSERT_STATUS(SHMLINK_OK, shmlink_channel_consume_batch(pair.receiver.get(), peeked));
  }
  EXPECT_GT(sequence, 200u) << "several laps of the ring";
}

TEST(ChannelBatches, ClosingAHandleGivesItsBatchesBack) {
  Pair pair(4096, 64);
  Handle second_sender;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_open(pair.name.c_str(), SHMLINK_CHANNEL_SENDER, second_sender.out()));
  std::vector<shmlink_channel_message> messages(100, shmlink_channel_message{nullptr, 64, 0});
  uint32_t reserved = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve_batch(second_sender.get(), messages.data(), 100, 0, &reserved));
  ASSERT_STATUS(SHMLINK_OK, second_sender.close());
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT") << "dropped, not sent";
  uint32_t again = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve_batch(pair.sender.get(), messages.data(), 100, 0, &again));
  EXPECT_EQ(again, reserved) << "the room came back";
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_commit_batch(pair.sender.get(), messages.data(), again));
  Handle second_receiver;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_open(pair.name.c_str(), SHMLINK_CHANNEL_RECEIVER, second_receiver.out()));
  uint32_t peeked = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek_batch(second_receiver.get(), messages.data(), 100, 0, &peeked));
  EXPECT_EQ(peeked, again);
  ASSERT_STATUS(SHMLINK_OK, second_receiver.close());
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT") << "consumed by the close";
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve_batch(pair.sender.get(), messages.data(), 100, 0, &again));
  EXPECT_EQ(again, reserved);
}

TEST(ChannelBatches, BadInputIsRefusedAndChangesNothing) {
  Pair pair(4096, 64);
  Outgoing out({"a", "b"});
  Incoming in(2, 64);
  shmlink_channel_message peek[2] = {};
  uint32_t count = 7;
  const shmlink_handle s = pair.sender.get(), r = pair.receiver.get();
  // Zero counts.
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_send_batch(s, out.messages.data(), 0, 0, &count));
  EXPECT_EQ(count, 0u);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_receive_batch(r, in.messages.data(), 0, 0, &count));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_reserve_batch(s, in.messages.data(), 0, 0, &count));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_commit_batch(s, in.messages.data(), 0));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_peek_batch(r, peek, 0, 0, &count));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_consume_batch(r, 0));
  // NULL arrays and NULL out counts.
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_send_batch(s, nullptr, 2, 0, &count));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_send_batch(s, out.messages.data(), 2, 0, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_receive_batch(r, nullptr, 2, 0, &count));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_receive_batch(r, in.messages.data(), 2, 0, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_reserve_batch(s, nullptr, 2, 0, &count));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_reserve_batch(s, in.messages.data(), 2, 0, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_commit_batch(s, nullptr, 2));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_peek_batch(r, nullptr, 2, 0, &count));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_peek_batch(r, peek, 2, 0, nullptr));
  // NULL data with a length or a capacity.
  shmlink_channel_message null_data[2] = {{nullptr, 0, 0}, {nullptr, 5, 0}};
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_send_batch(s, null_data, 2, 0, &count));
  shmlink_channel_message null_buffer[1] = {{nullptr, 0, 16}};
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_receive_batch(r, null_buffer, 1, 0, &count));
  // Lengths over the maximum: nothing of the batch is sent.
  Outgoing too_long({"fine", std::string(65, 'l')});
  EXPECT_STATUS(SHMLINK_ERR_TOO_LARGE, shmlink_channel_send_batch(s, too_long.messages.data(), 2, 0, &count));
  EXPECT_EQ(count, 0u);
  shmlink_channel_message reserve_too_long[2] = {{nullptr, 1, 0}, {nullptr, 65, 0}};
  EXPECT_STATUS(SHMLINK_ERR_TOO_LARGE, shmlink_channel_reserve_batch(s, reserve_too_long, 2, 0, &count));
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT");
  // Roles.
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_channel_send_batch(r, out.messages.data(), 2, 0, &count));
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_channel_reserve_batch(r, in.messages.data(), 2, 0, &count));
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_channel_receive_batch(s, in.messages.data(), 2, 0, &count));
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_channel_peek_batch(s, peek, 2, 0, &count));
  // Nothing to commit or consume.
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_commit_batch(s, out.messages.data(), 1));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_consume_batch(r, 1));
  // Committing more than was reserved, or longer: refused, the reservation stays.
  shmlink_channel_message reserve[2] = {{nullptr, 8, 0}, {nullptr, 8, 0}};
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve_batch(s, reserve, 2, 0, &count));
  ASSERT_EQ(count, 2u);
  shmlink_channel_message three[3] = {reserve[0], reserve[1], reserve[1]};
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_commit_batch(s, three, 3));
  reserve[1].length = 9;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_commit_batch(s, reserve, 2));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_reserve_batch(s, reserve, 2, 0, &count))
      << "a batch is reserved already";
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_send_batch(s, out.messages.data(), 2, 0, &count));
  reserve[1].length = 8;
  std::memcpy(reserve[0].data, "reserved", 8);
  std::memcpy(reserve[1].data, "batch!!!", 8);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_commit_batch(s, reserve, 2));
  EXPECT_EQ(receive_text(pair.receiver), "reserved");
  EXPECT_EQ(receive_text(pair.receiver), "batch!!!");
  // Closed handles.
  const shmlink_handle closed = pair.sender.release();
  ASSERT_STATUS(SHMLINK_OK, shmlink_close(closed));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_send_batch(closed, out.messages.data(), 2, 0, &count));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_commit_batch(closed, out.messages.data(), 2));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_consume_batch(closed, 1));
}

TEST(ChannelBatches, ABatchReceiveWaitsForItsFirstMessage) {
  Pair pair;
  Incoming in(4, 64);
  uint32_t received = 0;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT,
                shmlink_channel_receive_batch(pair.receiver.get(), in.messages.data(), 4, 50, &received));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(45));
  Outgoing out({"late"});
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    uint32_t sent = 0;
    EXPECT_STATUS(SHMLINK_OK, shmlink_channel_send_batch(pair.sender.get(), out.messages.data(), 1, 0, &sent));
  });
  EXPECT_STATUS(SHMLINK_OK,
                shmlink_channel_receive_batch(pair.receiver.get(), in.messages.data(), 4, 20000, &received));
  sender.join();
  ASSERT_EQ(received, 1u);
  EXPECT_EQ(in.text(0), "late");
}

// The running counters (shmlink_object_describe) count each message of a batch, though a
// batch adds to them once.
TEST(ChannelBatches, TheCountersCountEveryMessageOfABatch) {
  Pair pair;
  shmlink_object_description described{};
  described.struct_size = sizeof described;
  Outgoing out({"first", "", "third!"});
  uint32_t done = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_send_batch(pair.sender.get(), out.messages.data(), 3, 0, &done));
  shmlink_channel_message reserved[2] = {{nullptr, 10, 0}, {nullptr, 20, 0}};
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve_batch(pair.sender.get(), reserved, 2, 0, &done));
  reserved[1].length = 2;  // committed shorter than reserved: the committed length counts
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_commit_batch(pair.sender.get(), reserved, 2));
  Incoming in(2, 64);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive_batch(pair.receiver.get(), in.messages.data(), 2, 0, &done));
  ASSERT_EQ(done, 2u);
  shmlink_channel_message peeked[8] = {};
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek_batch(pair.receiver.get(), peeked, 8, 0, &done));
  ASSERT_EQ(done, 3u);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_consume_batch(pair.receiver.get(), 2));

  ASSERT_STATUS(SHMLINK_OK, shmlink_object_describe(pair.name.c_str(), &described));
  EXPECT_EQ(described.channel_messages_sent, 5u);
  EXPECT_EQ(described.channel_bytes_sent, 5u + 0u + 6u + 10u + 2u);
  EXPECT_EQ(described.channel_messages_received, 4u) << "the fifth is peeked, not consumed";
  EXPECT_EQ(described.channel_bytes_received, 5u + 0u + 6u + 10u);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_consume_batch(pair.receiver.get(), 1));
}

}  // namespace
}  // namespace shmlink_test
