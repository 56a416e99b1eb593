// Channels in one process: whole messages in order, zero-length and maximum-size messages,
// full and empty rings with timeouts, peers coming and going (CLOSED), roles, the zero-copy
// calls, waiting on a channel, closing with work outstanding, and bad input of every kind.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace shmlink_test {
namespace {

constexpr uint32_t kLongWaitMs = 20000;
constexpr uint32_t kBoth = SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_RECEIVER;

Handle create_channel(const std::string& name, uint64_t capacity, uint32_t max_message, uint32_t flags) {
  Handle channel;
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_create(name.c_str(), capacity, max_message, flags, channel.out()));
  return channel;
}

Handle open_channel(const std::string& name, uint32_t flags) {
  Handle channel;
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_open(name.c_str(), flags, channel.out()));
  return channel;
}

shmlink_status send_text(const Handle& channel, const std::string& text, uint32_t timeout_ms = 0) {
  return shmlink_channel_send(channel.get(), text.data(), static_cast<uint32_t>(text.size()), timeout_ms);
}

// The next message as text, or the failure's status name.
std::string receive_text(const Handle& channel, uint32_t timeout_ms = 0) {
  std::vector<char> buffer(1 << 16);
  uint32_t length = 0;
  const shmlink_status status =
      shmlink_channel_receive(channel.get(), buffer.data(), static_cast<uint32_t>(buffer.size()), &length, timeout_ms);
  if (status != SHMLINK_OK) return shmlink_status_name(status);
  return std::string(buffer.data(), length);
}

// A sender and a receiver handle on one new channel.
struct Pair {
  explicit Pair(uint64_t capacity = 4096, uint32_t max_message = 1024)
      : name(unique_name()), sender(create_channel(name, capacity, max_message, SHMLINK_CHANNEL_SENDER)),
        receiver(open_channel(name, SHMLINK_CHANNEL_RECEIVER)) {}
  std::string name;
  Handle sender;
  Handle receiver;
};

TEST(Channels, MessagesArriveWholeAndInOrder) {
  Pair pair;
  for (const char* text : {"first", "", "third message", "x"}) ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, text));
  EXPECT_EQ(receive_text(pair.receiver), "first");
  EXPECT_EQ(receive_text(pair.receiver), "");
  EXPECT_EQ(receive_text(pair.receiver), "third message");
  EXPECT_EQ(receive_text(pair.receiver), "x");
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT");
}

TEST(Channels, ManyLapsOfTheRingKeepEveryByte) {
  Pair pair(4096, 1000);
  std::vector<uint8_t> message(1000);
  std::vector<uint8_t> received(1000);
  for (uint32_t i = 0; i < 5000; ++i) {
    const uint32_t length = (i * 7919u) % 1001u;
    for (uint32_t b = 0; b < length; ++b) message[b] = static_cast<uint8_t>(i + b * 31);
    ASSERT_STATUS(SHMLINK_OK, shmlink_channel_send(pair.sender.get(), message.data(), length, 0)) << "message " << i;
    uint32_t got = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive(pair.receiver.get(), received.data(), 1000, &got, 0));
    ASSERT_EQ(got, length);
    ASSERT_EQ(0, std::memcmp(message.data(), received.data(), length)) << "message " << i;
  }
}

TEST(Channels, MaximumSizeMessagesFitAndLargerOnesAreRefused) {
  Pair pair(4096, 1024);
  std::vector<uint8_t> message(1025, 0x5A);
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_send(pair.sender.get(), message.data(), 1024, 0));
  EXPECT_STATUS(SHMLINK_ERR_TOO_LARGE, shmlink_channel_send(pair.sender.get(), message.data(), 1025, 0));
  void* buffer = nullptr;
  EXPECT_STATUS(SHMLINK_ERR_TOO_LARGE, shmlink_channel_reserve(pair.sender.get(), 1025, 0, &buffer));
  EXPECT_EQ(buffer, nullptr);
  EXPECT_EQ(receive_text(pair.receiver).size(), 1024u);
}

TEST(Channels, CapacityIsAtLeastWhatWasAskedFor) {
  // 10 messages of 80 bytes each take 128 bytes with their header and padding: 1280 bytes.
  Pair pair(1280, 80);
  const std::string message(80, 'm');
  for (int i = 0; i < 10; ++i) ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, message)) << i;
}

TEST(Channels, FullRingTimesOutThenHasRoomAgain) {
  Pair pair(1024, 100);
  const std::string message(100, 'f');
  int sent = 0;
  while (send_text(pair.sender, message) == SHMLINK_OK) ++sent;
  EXPECT_GE(sent, 1024 / 160);  // each takes 160 bytes with its header and padding
  const auto start = std::chrono::steady_clock::now();
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, send_text(pair.sender, message, 50));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  EXPECT_EQ(receive_text(pair.receiver), message);
  EXPECT_STATUS(SHMLINK_OK, send_text(pair.sender, message));
}

TEST(Channels, EmptyChannelTimesOutNeverEarly) {
  Pair pair;
  EXPECT_EQ(receive_text(pair.receiver, 0), "SHMLINK_ERR_TIMEOUT");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(receive_text(pair.receiver, 60), "SHMLINK_ERR_TIMEOUT");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(60));
  EXPECT_NE(std::string(shmlink_last_error_message()).find("SHMLINK_ERR_TIMEOUT"), std::string::npos);
}

TEST(Channels, BufferTooSmallSaysTheLengthAndKeepsTheMessage) {
  Pair pair;
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "twelve bytes"));
  char small[4] = {'a', 'b', 'c', 'd'};
  uint32_t length = 0;
  EXPECT_STATUS(SHMLINK_ERR_BUFFER_TOO_SMALL, shmlink_channel_receive(pair.receiver.get(), small, 4, &length, 0));
  EXPECT_EQ(length, 12u);
  EXPECT_EQ(std::string(small, 4), "abcd");
  EXPECT_EQ(receive_text(pair.receiver), "twelve bytes");
}

TEST(Channels, BlockedReceiveWakesForASend) {
  Pair pair;
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_STATUS(SHMLINK_OK, send_text(pair.sender, "wake up"));
  });
  EXPECT_EQ(receive_text(pair.receiver, kLongWaitMs), "wake up");
  sender.join();
}

TEST(Channels, BlockedSendWakesWhenRoomIsMade) {
  Pair pair(1024, 100);
  const std::string message(100, 'b');
  while (send_text(pair.sender, message) == SHMLINK_OK) {
  }
  std::thread receiver([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(receive_text(pair.receiver), message);
  });
  EXPECT_STATUS(SHMLINK_OK, send_text(pair.sender, message, kLongWaitMs));
  receiver.join();
}

// ---- Peers coming and going ----

// Before 1.4 both sides got CLOSED before the other side had ever attached.
TEST(Channels, SendBeforeAnyReceiverAttachedQueuesForTheReceiversThatCome) {
  const std::string name = unique_name();
  const Handle sender = create_channel(name, 4096, 100, SHMLINK_CHANNEL_SENDER);
  ASSERT_STATUS(SHMLINK_OK, send_text(sender, "before anyone listens", kLongWaitMs));
  void* buffer = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve(sender.get(), 10, 0, &buffer));
  std::memcpy(buffer, "zero copy!", 10);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_commit(sender.get(), 10));
  const Handle receiver = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
  EXPECT_EQ(receive_text(receiver), "before anyone listens");
  EXPECT_EQ(receive_text(receiver), "zero copy!");
  EXPECT_EQ(receive_text(receiver), "SHMLINK_ERR_TIMEOUT");
}

TEST(Channels, SendBeforeAnyReceiverFillsTheRingThenWaitsForRoomWithItsTimeout) {
  const std::string name = unique_name();
  const Handle sender = create_channel(name, 1024, 100, SHMLINK_CHANNEL_SENDER);
  const std::string message(100, 'q');
  int sent = 0;
  while (send_text(sender, message) == SHMLINK_OK) ++sent;
  EXPECT_GE(sent, 1024 / 160);
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, send_text(sender, message));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, send_text(sender, message, 50));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  // A receiver that comes while a send waits for room makes that room.
  std::thread receiver_thread([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const Handle receiver = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
    for (int i = 0; i <= sent; ++i) EXPECT_EQ(receive_text(receiver, kLongWaitMs), message) << i;
  });
  EXPECT_STATUS(SHMLINK_OK, send_text(sender, message, kLongWaitMs));
  receiver_thread.join();
}

TEST(Channels, ReceiveBeforeAnySenderAttachedWaitsForOne) {
  const std::string name = unique_name();
  const Handle receiver = create_channel(name, 4096, 100, SHMLINK_CHANNEL_RECEIVER);
  EXPECT_EQ(receive_text(receiver), "SHMLINK_ERR_TIMEOUT");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(receive_text(receiver, 50), "SHMLINK_ERR_TIMEOUT");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(receiver.get(), 0)) << "nothing to receive, and not closed";
  std::thread sender_thread([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const Handle sender = open_channel(name, SHMLINK_CHANNEL_SENDER);
    EXPECT_STATUS(SHMLINK_OK, send_text(sender, "here I am"));
  });
  EXPECT_EQ(receive_text(receiver, kLongWaitMs), "here I am");
  sender_thread.join();
  // That sender came and went: now the senders are gone.
  EXPECT_EQ(receive_text(receiver, kLongWaitMs), "SHMLINK_ERR_CLOSED");
}

TEST(Channels, SendAfterEveryReceiverLeftIsClosedUntilOneAttachesAgainAndTheQueueResumes) {
  Pair pair;
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "one"));
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "two"));
  EXPECT_EQ(receive_text(pair.receiver), "one");
  ASSERT_STATUS(SHMLINK_OK, pair.receiver.close());
  EXPECT_STATUS(SHMLINK_ERR_CLOSED, send_text(pair.sender, "lost", kLongWaitMs));
  void* buffer = nullptr;
  EXPECT_STATUS(SHMLINK_ERR_CLOSED, shmlink_channel_reserve(pair.sender.get(), 10, kLongWaitMs, &buffer));
  EXPECT_STATUS(SHMLINK_ERR_CLOSED, send_text(pair.sender, "lost too"));
  const Handle comeback = open_channel(pair.name, SHMLINK_CHANNEL_RECEIVER);
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "three"));
  EXPECT_EQ(receive_text(comeback), "two") << "what was queued before the receivers left is still there";
  EXPECT_EQ(receive_text(comeback), "three");
  EXPECT_EQ(receive_text(comeback), "SHMLINK_ERR_TIMEOUT") << "nothing sent while CLOSED was queued";
}

TEST(Channels, ReceiversDrainWhatIsQueuedThenSeeClosed) {
  Pair pair;
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "one"));
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "two"));
  ASSERT_STATUS(SHMLINK_OK, pair.sender.close());
  EXPECT_EQ(receive_text(pair.receiver), "one");
  EXPECT_EQ(receive_text(pair.receiver), "two");
  EXPECT_EQ(receive_text(pair.receiver, kLongWaitMs), "SHMLINK_ERR_CLOSED");
  // A sender that comes later makes the channel live again.
  const Handle late = open_channel(pair.name, SHMLINK_CHANNEL_SENDER);
  EXPECT_EQ(receive_text(pair.receiver, 0), "SHMLINK_ERR_TIMEOUT");
  ASSERT_STATUS(SHMLINK_OK, send_text(late, "three"));
  EXPECT_EQ(receive_text(pair.receiver), "three");
}

TEST(Channels, BlockedReceiverWakesWithClosedWhenTheLastSenderCloses) {
  Pair pair;
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_STATUS(SHMLINK_OK, pair.sender.close());
  });
  EXPECT_EQ(receive_text(pair.receiver, kLongWaitMs), "SHMLINK_ERR_CLOSED");
  closer.join();
}

TEST(Channels, BlockedSenderWakesWithClosedWhenTheLastReceiverCloses) {
  Pair pair(1024, 100);
  const std::string message(100, 'c');
  while (send_text(pair.sender, message) == SHMLINK_OK) {
  }
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_STATUS(SHMLINK_OK, pair.receiver.close());
  });
  EXPECT_STATUS(SHMLINK_ERR_CLOSED, send_text(pair.sender, message, kLongWaitMs));
  closer.join();
}

TEST(Channels, OneHandleCanSendAndReceive) {
  const Handle both = create_channel(unique_name(), 4096, 100, kBoth);
  ASSERT_STATUS(SHMLINK_OK, send_text(both, "to myself"));
  EXPECT_EQ(receive_text(both), "to myself");
}

TEST(Channels, RolesAreEnforced) {
  Pair pair;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, send_text(pair.receiver, "not a sender"));
  void* buffer = nullptr;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_channel_reserve(pair.receiver.get(), 1, 0, &buffer));
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "queued"));
  EXPECT_EQ(receive_text(pair.sender), "SHMLINK_ERR_ACCESS_DENIED");
  const void* data = nullptr;
  uint32_t length = 0;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_channel_peek(pair.sender.get(), 0, &data, &length));
  EXPECT_EQ(receive_text(pair.receiver), "queued");
}

// ---- Zero copy ----

TEST(Channels, ReserveCommitAndPeekConsumeMoveNoExtraCopies) {
  Pair pair;
  void* buffer = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve(pair.sender.get(), 100, 0, &buffer));
  ASSERT_NE(buffer, nullptr);
  std::memcpy(buffer, "written in place", 16);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_commit(pair.sender.get(), 16));  // shorter than reserved
  const void* data = nullptr;
  uint32_t length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek(pair.receiver.get(), 0, &data, &length));
  EXPECT_EQ(std::string(static_cast<const char*>(data), length), "written in place");
  const void* again = nullptr;
  uint32_t again_length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek(pair.receiver.get(), 0, &again, &again_length));
  EXPECT_EQ(again, data);
  EXPECT_EQ(again_length, length);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_consume(pair.receiver.get()));
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT");
}

TEST(Channels, ZeroCopyCallsOutOfTurnAreRefused) {
  Pair pair;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_commit(pair.sender.get(), 0));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_consume(pair.receiver.get()));
  void* buffer = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve(pair.sender.get(), 8, 0, &buffer));
  void* second = nullptr;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_reserve(pair.sender.get(), 8, 0, &second));
  // Longer than reserved: refused, and the reservation stays.
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_commit(pair.sender.get(), 9));
  std::memcpy(buffer, "8 bytes!", 8);
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_commit(pair.sender.get(), 8));
  EXPECT_EQ(receive_text(pair.receiver), "8 bytes!");
}

TEST(Channels, AnOpenReservationHoldsBackLaterMessagesUntilCommitted) {
  const std::string name = unique_name();
  const Handle first = create_channel(name, 4096, 100, SHMLINK_CHANNEL_SENDER);
  const Handle second = open_channel(name, SHMLINK_CHANNEL_SENDER);
  const Handle receiver = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
  void* buffer = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve(first.get(), 5, 0, &buffer));
  ASSERT_STATUS(SHMLINK_OK, send_text(second, "later"));
  EXPECT_EQ(receive_text(receiver), "SHMLINK_ERR_TIMEOUT");
  std::memcpy(buffer, "first", 5);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_commit(first.get(), 5));
  EXPECT_EQ(receive_text(receiver), "first");
  EXPECT_EQ(receive_text(receiver), "later");
}

TEST(Channels, SendOnAHandleWithAReservationOutstandingIsInvalidAndLosesNothing) {
  // The handle's own copying send would otherwise slip in behind its open reservation.
  const std::string name = unique_name();
  const Handle sender = create_channel(name, 4096, 100, SHMLINK_CHANNEL_SENDER);
  const Handle receiver = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
  void* buffer = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve(sender.get(), 8, 0, &buffer));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, send_text(sender, "copied"));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, send_text(sender, "copied", 100));
  std::memcpy(buffer, "reserved", 8);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_commit(sender.get(), 8));
  ASSERT_STATUS(SHMLINK_OK, send_text(sender, "copied"));
  EXPECT_EQ(receive_text(receiver), "reserved");
  EXPECT_EQ(receive_text(receiver), "copied");
  EXPECT_EQ(receive_text(receiver), "SHMLINK_ERR_TIMEOUT");
}

TEST(Channels, ReceiveOnAHandleWithAPeekOutstandingIsInvalidAndLosesNothing) {
  // The handle's own copying receive would otherwise take the message after the peeked one.
  Pair pair(1024, 100);
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "peeked"));
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "next"));
  const void* data = nullptr;
  uint32_t length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek(pair.receiver.get(), 0, &data, &length));
  char buffer[100];
  uint32_t received = 12345;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_channel_receive(pair.receiver.get(), buffer, sizeof buffer, &received, 0));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_channel_receive(pair.receiver.get(), buffer, sizeof buffer, &received, 100));
  EXPECT_EQ(received, 12345u);
  // The peek still holds the same message, and nothing was taken behind it.
  const void* again = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek(pair.receiver.get(), 0, &again, &length));
  EXPECT_EQ(again, data);
  EXPECT_EQ(std::string(static_cast<const char*>(again), length), "peeked");
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_consume(pair.receiver.get()));
  EXPECT_EQ(receive_text(pair.receiver), "next");
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT");
}

TEST(Channels, InfoGivesTheCreatorsSizesAndThisHandlesRoles) {
  const std::string name = unique_name();
  const Handle creator = create_channel(name, 5000, 300, SHMLINK_CHANNEL_SENDER);
  const Handle receiver = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
  const Handle both = open_channel(name, kBoth);
  uint32_t max_message = 0, roles = 0;
  uint64_t capacity = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_info(creator.get(), &max_message, &capacity, &roles));
  EXPECT_EQ(max_message, 300u);
  EXPECT_GE(capacity, 5000u) << "at least what was asked";
  EXPECT_EQ(capacity % 32, 0u);
  EXPECT_EQ(roles, static_cast<uint32_t>(SHMLINK_CHANNEL_SENDER));
  // An opener learns the creator's sizes.
  uint32_t opened_max = 0;
  uint64_t opened_capacity = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_info(receiver.get(), &opened_max, &opened_capacity, &roles));
  EXPECT_EQ(opened_max, 300u);
  EXPECT_EQ(opened_capacity, capacity);
  EXPECT_EQ(roles, static_cast<uint32_t>(SHMLINK_CHANNEL_RECEIVER));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_info(both.get(), nullptr, nullptr, &roles));
  EXPECT_EQ(roles, kBoth);
  // The capacity is real: it holds as many 300-byte messages (352 bytes each with their header)
  // as it says, and then not one more that would need more than what is left.
  const std::string message(300, 'm');
  for (uint64_t i = 0; i < capacity / 352; ++i) ASSERT_STATUS(SHMLINK_OK, send_text(creator, message)) << i;
  const uint64_t left = capacity % 352;
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, send_text(creator, std::string(std::min<uint64_t>(left + 1, 300), 'x')));
  // Any output may be left out, but not all of them.
  max_message = 0;
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_info(receiver.get(), &max_message, nullptr, nullptr));
  EXPECT_EQ(max_message, 300u);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_info(receiver.get(), nullptr, nullptr, nullptr));
}

TEST(Channels, CancelGivesTheReservationUpAndLaterMessagesFlow) {
  const std::string name = unique_name();
  const Handle first = create_channel(name, 4096, 100, SHMLINK_CHANNEL_SENDER);
  const Handle second = open_channel(name, SHMLINK_CHANNEL_SENDER);
  const Handle receiver = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
  void* buffer = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve(first.get(), 50, 0, &buffer));
  std::memcpy(buffer, "never sent", 10);
  ASSERT_STATUS(SHMLINK_OK, send_text(second, "later"));
  EXPECT_EQ(receive_text(receiver), "SHMLINK_ERR_TIMEOUT") << "held back behind the reservation";
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_cancel(first.get()));
  EXPECT_EQ(receive_text(receiver), "later");
  EXPECT_EQ(receive_text(receiver), "SHMLINK_ERR_TIMEOUT") << "the cancelled message never comes";
  // Nothing is left to cancel or commit, and the handle sends as before.
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_cancel(first.get()));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_commit(first.get(), 0));
  ASSERT_STATUS(SHMLINK_OK, send_text(first, "copied"));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve(first.get(), 5, 0, &buffer));
  std::memcpy(buffer, "again", 5);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_commit(first.get(), 5));
  EXPECT_EQ(receive_text(receiver), "copied");
  EXPECT_EQ(receive_text(receiver), "again");
}

TEST(Channels, CancelWithoutAReservationIsInvalidOnEveryRole) {
  Pair pair(1024, 100);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_cancel(pair.sender.get()));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_cancel(pair.receiver.get()));
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "kept"));
  EXPECT_EQ(receive_text(pair.receiver), "kept");
}

TEST(Channels, CancelledRoomIsReusedLapAfterLap) {
  // A ring with room for about nine maximum messages: if cancelled records kept their room,
  // reserving would run out within ten rounds.
  Pair pair(1024, 100);
  for (int round = 0; round < 3000; ++round) {
    void* buffer = nullptr;
    ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve(pair.sender.get(), 100, 0, &buffer)) << "round " << round;
    std::memset(buffer, 'c', 100);
    ASSERT_STATUS(SHMLINK_OK, shmlink_channel_cancel(pair.sender.get())) << "round " << round;
    if (round % 7 == 0) {
      const std::string text = "message " + std::to_string(round);
      ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, text));
      ASSERT_EQ(receive_text(pair.receiver), text);
    }
  }
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT");
}

TEST(Channels, ClosingWithAReservationDropsItAndLaterMessagesFlow) {
  const std::string name = unique_name();
  Handle quitter = create_channel(name, 4096, 100, SHMLINK_CHANNEL_SENDER);
  const Handle sender = open_channel(name, SHMLINK_CHANNEL_SENDER);
  const Handle receiver = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
  void* buffer = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_reserve(quitter.get(), 50, 0, &buffer));
  ASSERT_STATUS(SHMLINK_OK, send_text(sender, "after the dropped one"));
  ASSERT_STATUS(SHMLINK_OK, quitter.close());
  EXPECT_EQ(receive_text(receiver), "after the dropped one");
}

TEST(Channels, ClosingWithAPeekConsumesIt) {
  Pair pair(1024, 100);
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "peeked"));
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "next"));
  Handle other = open_channel(pair.name, SHMLINK_CHANNEL_RECEIVER);
  const void* data = nullptr;
  uint32_t length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek(other.get(), 0, &data, &length));
  ASSERT_STATUS(SHMLINK_OK, other.close());
  EXPECT_EQ(receive_text(pair.receiver), "next");
  // Its room is free again: the ring takes as many messages as at the start.
  const std::string message(100, 'r');
  int sent = 0;
  while (send_text(pair.sender, message) == SHMLINK_OK) ++sent;
  EXPECT_GE(sent, 1024 / 160);  // each takes 160 bytes with its header and padding
}

// ---- Waiting ----

TEST(Channels, WaitReturnsWhenAMessageCanBeReceivedAndTakesNothing) {
  Pair pair;
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(pair.receiver.get(), 0));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(pair.receiver.get(), 30));
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "ready"));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(pair.receiver.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(pair.receiver.get(), 0));
  EXPECT_EQ(receive_text(pair.receiver), "ready");
}

TEST(Channels, WaitOnASendOnlyHandleReturnsWhenAMaximumMessageFits) {
  Pair pair(1024, 100);
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(pair.sender.get(), 0));
  const std::string message(100, 'w');
  while (send_text(pair.sender, message) == SHMLINK_OK) {
  }
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(pair.sender.get(), 0));
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(), 0, signal.out()));
  const shmlink_handle handles[] = {signal.get(), pair.sender.get()};
  uint32_t index = 99;
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait_any(handles, 2, 20, &index));
  std::thread receiver([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(receive_text(pair.receiver), message);
  });
  ASSERT_STATUS(SHMLINK_OK, shmlink_wait_any(handles, 2, kLongWaitMs, &index));
  EXPECT_EQ(index, 1u);
  receiver.join();
  EXPECT_STATUS(SHMLINK_OK, send_text(pair.sender, message));
  // With no receiver left, sending would give CLOSED: the wait returns for that too.
  ASSERT_STATUS(SHMLINK_OK, pair.receiver.close());
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(pair.sender.get(), kLongWaitMs));
}

TEST(Channels, WaitAnyMixesChannelsAndSignals) {
  Pair first;
  Pair second;
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(), 0, signal.out()));
  const shmlink_handle handles[] = {signal.get(), first.receiver.get(), second.receiver.get()};
  uint32_t index = 99;
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait_any(handles, 3, 20, &index));
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_STATUS(SHMLINK_OK, send_text(second.sender, "second"));
  });
  ASSERT_STATUS(SHMLINK_OK, shmlink_wait_any(handles, 3, kLongWaitMs, &index));
  EXPECT_EQ(index, 2u);
  sender.join();
  EXPECT_EQ(receive_text(second.receiver), "second");
}

TEST(Channels, WaitOnAChannelWithNoSenderLeftReturnsSoReceiveCanSayClosed) {
  Pair pair;
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_STATUS(SHMLINK_OK, pair.sender.close());
  });
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(pair.receiver.get(), kLongWaitMs));
  closer.join();
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_CLOSED");
}

// ---- A whole message of unknown length ----

TEST(Channels, ReceiveWholeTakesAShortMessageInOneCallAndHoldsALongOneForTheNext) {
  Pair pair(8192, 2000);
  const Handle other_receiver = open_channel(pair.name, SHMLINK_CHANNEL_RECEIVER);
  const std::string long_message(1000, 'L');
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "short"));
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, long_message));
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "after"));
  char small[16] = {};
  uint32_t length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive_whole(pair.receiver.get(), small, sizeof small, &length, 0));
  EXPECT_EQ(std::string(small, length), "short");
  ASSERT_STATUS(SHMLINK_ERR_BUFFER_TOO_SMALL,
                shmlink_channel_receive_whole(pair.receiver.get(), small, sizeof small, &length, kLongWaitMs));
  EXPECT_EQ(length, 1000u);
  EXPECT_EQ(receive_text(other_receiver), "after") << "the long one is held for this handle, not left for others";
  // Asked again with too small a buffer: the same answer, and it stays held.
  ASSERT_STATUS(SHMLINK_ERR_BUFFER_TOO_SMALL,
                shmlink_channel_receive_whole(pair.receiver.get(), small, sizeof small, &length, 0));
  EXPECT_EQ(length, 1000u);
  // A copying receive on the same handle (another thread of it, say) is not refused: it takes
  // the next message, and the held one stays held for receive_whole.
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "later"));
  EXPECT_EQ(receive_text(pair.receiver), "later") << "a held message is not a peek";
  std::vector<char> buffer(length);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive_whole(pair.receiver.get(), buffer.data(), length, &length, 0));
  EXPECT_EQ(std::string(buffer.data(), length), long_message);
  EXPECT_EQ(receive_text(pair.receiver), "SHMLINK_ERR_TIMEOUT");
  EXPECT_EQ(receive_text(other_receiver), "SHMLINK_ERR_TIMEOUT");
}

TEST(Channels, ReceiveWholeWaitsLikeReceiveAndRefusesBesideAPeek) {
  Pair pair;
  char buffer[64];
  uint32_t length = 0;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_channel_receive_whole(pair.receiver.get(), buffer, 64, &length, 50));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_channel_receive_whole(pair.sender.get(), buffer, 64, &length, 0));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_receive_whole(pair.receiver.get(), buffer, 64, nullptr, 0));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_receive_whole(pair.receiver.get(), nullptr, 64, &length, 0));
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "peeked"));
  const void* data = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek(pair.receiver.get(), 0, &data, &length));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_receive_whole(pair.receiver.get(), buffer, 64, &length, 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_consume(pair.receiver.get()));
  // A held message is what a peek gives; closing the handle consumes it, as a peeked one.
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, std::string(100, 'h')));
  ASSERT_STATUS(SHMLINK_ERR_BUFFER_TOO_SMALL, shmlink_channel_receive_whole(pair.receiver.get(), buffer, 8, &length, 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek(pair.receiver.get(), 0, &data, &length));
  EXPECT_EQ(length, 100u);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_receive_whole(pair.receiver.get(), buffer, 64, &length, 0))
      << "now a peek";
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "next"));
  ASSERT_STATUS(SHMLINK_OK, pair.receiver.close());
  const Handle later = open_channel(pair.name, SHMLINK_CHANNEL_RECEIVER);
  EXPECT_EQ(receive_text(later), "next");
}

// ---- Conditions: a waitable per direction and for the peers' presence ----

Handle condition_of(const Handle& channel, uint32_t condition) {
  Handle waitable;
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_waitable(channel.get(), condition, waitable.out()));
  return waitable;
}

// What shmlink_wait with timeout 0 says: whether the condition holds now.
bool holds(const Handle& waitable) {
  const shmlink_status status = shmlink_wait(waitable.get(), 0);
  EXPECT_TRUE(status == SHMLINK_OK || status == SHMLINK_ERR_TIMEOUT) << shmlink_status_name(status);
  return status == SHMLINK_OK;
}

TEST(ChannelConditions, AHandleWithBothRolesWaitsForAMessageAndForRoomWithoutASecondHandle) {
  const std::string name = unique_name();
  const Handle both = create_channel(name, 1024, 100, kBoth);
  const Handle message_there = condition_of(both, SHMLINK_CHANNEL_CAN_RECEIVE);
  const Handle room = condition_of(both, SHMLINK_CHANNEL_CAN_SEND);
  EXPECT_EQ(shmlink_handle_kind(room.get()), SHMLINK_KIND_CHANNEL_CONDITION);
  EXPECT_FALSE(holds(message_there));
  EXPECT_TRUE(holds(room));
  const std::string message(100, 'r');
  while (send_text(both, message) == SHMLINK_OK) {
  }
  EXPECT_TRUE(holds(message_there));
  EXPECT_FALSE(holds(room));
  EXPECT_TRUE(holds(message_there)) << "a wait takes nothing";
  const shmlink_handle handles[] = {room.get()};
  uint32_t index = 99;
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait_any(handles, 1, 30, &index));
  std::thread receiver([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(receive_text(both), message);
  });
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(room.get(), kLongWaitMs)) << "a receive makes room and wakes the wait";
  receiver.join();
  EXPECT_STATUS(SHMLINK_OK, send_text(both, message));
}

TEST(ChannelConditions, WaitAnyTellsAMessageFromRoomOnOneHandle) {
  Pair pair(1024, 100);
  const Handle both = open_channel(pair.name, kBoth);
  const Handle message_there = condition_of(both, SHMLINK_CHANNEL_CAN_RECEIVE);
  const Handle room = condition_of(both, SHMLINK_CHANNEL_CAN_SEND);
  const shmlink_handle handles[] = {message_there.get(), room.get()};
  uint32_t index = 99;
  ASSERT_STATUS(SHMLINK_OK, shmlink_wait_any(handles, 2, 0, &index));
  EXPECT_EQ(index, 1u) << "empty: only room";
  const std::string message(100, 'w');
  while (send_text(pair.sender, message) == SHMLINK_OK) {
  }
  ASSERT_STATUS(SHMLINK_OK, shmlink_wait_any(handles, 2, 0, &index));
  EXPECT_EQ(index, 0u) << "full: only a message";
}

TEST(ChannelConditions, PresenceOfEachSideIsWaitedForAndItsDepartureToo) {
  const std::string name = unique_name();
  const Handle sender = create_channel(name, 4096, 100, SHMLINK_CHANNEL_SENDER);
  const Handle receivers_present = condition_of(sender, SHMLINK_CHANNEL_RECEIVERS_PRESENT);
  const Handle receivers_gone = condition_of(sender, SHMLINK_CHANNEL_RECEIVERS_GONE);
  const Handle senders_present = condition_of(sender, SHMLINK_CHANNEL_SENDERS_PRESENT);
  EXPECT_FALSE(holds(receivers_present));
  EXPECT_FALSE(holds(receivers_gone)) << "never there is not gone";
  EXPECT_TRUE(holds(senders_present)) << "this handle counts";
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(receivers_present.get(), 30));
  Handle receiver;
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    receiver = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
  });
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(receivers_present.get(), kLongWaitMs)) << "an attach wakes the wait";
  opener.join();
  {
    // (Made from the receiver, it would keep the receiver attached while it lives.)
    const Handle senders_gone = condition_of(receiver, SHMLINK_CHANNEL_SENDERS_GONE);
    EXPECT_FALSE(holds(senders_gone));
  }
  EXPECT_FALSE(holds(receivers_gone));
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_STATUS(SHMLINK_OK, receiver.close());
  });
  const shmlink_handle handles[] = {receivers_present.get(), receivers_gone.get()};
  uint32_t index = 99;
  ASSERT_STATUS(SHMLINK_OK, shmlink_wait_any(handles, 2, 0, &index));
  EXPECT_EQ(index, 0u);
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(receivers_gone.get(), kLongWaitMs)) << "a close wakes the wait";
  closer.join();
  EXPECT_FALSE(holds(receivers_present));
  EXPECT_STATUS(SHMLINK_ERR_CLOSED, send_text(sender, "nobody")) << "gone is what CLOSED means";
  const Handle comeback = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
  EXPECT_TRUE(holds(receivers_present));
  EXPECT_FALSE(holds(receivers_gone)) << "a receiver came back";
}

TEST(ChannelConditions, AConditionHandleKeepsTheChannelAttachedUntilItIsClosedToo) {
  const std::string name = unique_name();
  Handle sender = create_channel(name, 4096, 100, SHMLINK_CHANNEL_SENDER);
  Handle room = condition_of(sender, SHMLINK_CHANNEL_CAN_SEND);
  const Handle receiver = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
  const Handle senders_gone = condition_of(receiver, SHMLINK_CHANNEL_SENDERS_GONE);
  ASSERT_STATUS(SHMLINK_OK, send_text(sender, "kept"));
  ASSERT_STATUS(SHMLINK_OK, sender.close());
  EXPECT_FALSE(holds(senders_gone)) << "the condition handle still holds the sender's attachment";
  EXPECT_TRUE(holds(room));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, send_text(sender, "closed handle"));
  ASSERT_STATUS(SHMLINK_OK, room.close());
  EXPECT_TRUE(holds(senders_gone));
  EXPECT_EQ(receive_text(receiver), "kept");
  EXPECT_EQ(receive_text(receiver), "SHMLINK_ERR_CLOSED");
}

TEST(ChannelConditions, BadConditionsRolesAndHandlesAreRefused) {
  Pair pair;
  Handle waitable;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_waitable(pair.sender.get(), 0, waitable.out()));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_waitable(pair.sender.get(), 7, waitable.out()));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_channel_waitable(pair.sender.get(), SHMLINK_CHANNEL_CAN_SEND, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED,
                shmlink_channel_waitable(pair.sender.get(), SHMLINK_CHANNEL_CAN_RECEIVE, waitable.out()));
  EXPECT_EQ(waitable.get(), 0u);
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED,
                shmlink_channel_waitable(pair.receiver.get(), SHMLINK_CHANNEL_CAN_SEND, waitable.out()));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_waitable(0, SHMLINK_CHANNEL_CAN_SEND, waitable.out()));
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(), 0, signal.out()));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE,
                shmlink_channel_waitable(signal.get(), SHMLINK_CHANNEL_SENDERS_PRESENT, waitable.out()));
  // A condition handle is no channel: the channel calls refuse it.
  const Handle room = condition_of(pair.sender, SHMLINK_CHANNEL_CAN_SEND);
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, send_text(room, "not a channel"));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE,
                shmlink_channel_waitable(room.get(), SHMLINK_CHANNEL_CAN_SEND, waitable.out()));
  const shmlink_handle twice[] = {room.get(), room.get()};
  uint32_t index = 0;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_wait_any(twice, 2, 0, &index));
}

// ---- Threads ----

TEST(Channels, ThreadsSendingAndReceivingAtOnceLoseNothing) {
  const std::string name = unique_name();
  const Handle keeper = create_channel(name, 8192, 256, kBoth);
  constexpr int kThreads = 3;
  constexpr uint32_t kPerSender = 20000;
  std::vector<std::atomic<int>> seen(kThreads * kPerSender);
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  std::vector<Handle> senders;
  for (int t = 0; t < kThreads; ++t) senders.push_back(open_channel(name, SHMLINK_CHANNEL_SENDER));
  std::vector<Handle> receivers;
  for (int t = 0; t < kThreads; ++t) receivers.push_back(open_channel(name, SHMLINK_CHANNEL_RECEIVER));
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      uint8_t message[256];
      for (uint32_t i = 0; i < kPerSender; ++i) {
        const uint32_t id = t * kPerSender + i;
        const uint32_t length = 4 + id % 200;
        std::memset(message, static_cast<int>(id & 0xFF), length);
        std::memcpy(message, &id, 4);
        if (shmlink_channel_send(senders[t].get(), message, length, kLongWaitMs) != SHMLINK_OK) ++bad;
      }
      senders[t].close();
    });
    threads.emplace_back([&, t] {
      uint8_t message[256];
      std::vector<int64_t> last(kThreads, -1);
      for (;;) {
        uint32_t length = 0;
        const shmlink_status status =
            shmlink_channel_receive(receivers[t].get(), message, sizeof message, &length, 200);
        if (status == SHMLINK_ERR_TIMEOUT) {
          bool all_seen = true;
          for (auto& count : seen) all_seen = all_seen && count.load() > 0;
          if (all_seen) break;
          continue;
        }
        if (status != SHMLINK_OK) {
          ADD_FAILURE() << "receive: " << describe_status(status) << ": " << shmlink_last_error_message();
          ++bad;
          break;
        }
        uint32_t id = 0;
        std::memcpy(&id, message, 4);
        if (id >= kThreads * kPerSender || length != 4 + id % 200) {
          ++bad;
          continue;
        }
        for (uint32_t b = 4; b < length; ++b) {
          if (message[b] != static_cast<uint8_t>(id & 0xFF)) ++bad;
        }
        const int sender = static_cast<int>(id / kPerSender);
        if (static_cast<int64_t>(id) <= last[sender]) ++bad;  // per-sender order
        last[sender] = id;
        seen[id]++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(bad.load(), 0);
  int missing = 0;
  int repeated = 0;
  for (auto& count : seen) {
    missing += count.load() == 0;
    repeated += count.load() > 1;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(repeated, 0);
}

// ---- Names, lifetime, bad input ----

TEST(Channels, OpenOrCreateAndCreateNewFollowTheNamingRules) {
  const std::string name = unique_name();
  const Handle first = create_channel(name, 4096, 100, SHMLINK_CHANNEL_RECEIVER);
  Handle second;
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, shmlink_channel_create(name.c_str(), 4096, 100, 0, second.out()));
  EXPECT_EQ(second.get(), 0u);
  EXPECT_STATUS(SHMLINK_EXISTED, shmlink_channel_create(name.c_str(), 9999, 50,
                                                        SHMLINK_OPEN_OR_CREATE | SHMLINK_CHANNEL_SENDER, second.out()));
  ASSERT_STATUS(SHMLINK_OK, send_text(second, std::string(100, 'e')));  // the existing channel's sizes
  EXPECT_EQ(shmlink_handle_kind(first.get()), SHMLINK_KIND_CHANNEL);
}

TEST(Channels, NamesAreSharedWithOtherKinds) {
  const std::string name = unique_name();
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(name.c_str(), 0, signal.out()));
  Handle channel;
  EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_channel_create(name.c_str(), 4096, 100, 0, channel.out()));
  EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_SENDER, channel.out()));
  const std::string channel_name = unique_name();
  const Handle real = create_channel(channel_name, 4096, 100, 0);
  Handle segment;
  EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_segment_open(channel_name.c_str(), SHMLINK_ACCESS_READ, segment.out()));
}

TEST(Channels, TheNameIsFreeAgainWhenTheLastHandleCloses) {
  const std::string name = unique_name();
  {
    Pair pair;
    Handle channel = create_channel(name, 4096, 100, kBoth);
    ASSERT_STATUS(SHMLINK_OK, send_text(channel, "left behind"));
  }
  Handle channel;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, channel.out()));
  channel = create_channel(name, 4096, 100, kBoth);
  EXPECT_EQ(receive_text(channel), "SHMLINK_ERR_TIMEOUT");
}

TEST(Channels, CreateRefusesImpossibleSizes) {
  const std::string name = unique_name();
  Handle channel;
  auto create = [&](uint64_t capacity, uint32_t max_message, uint32_t flags = 0) {
    return shmlink_channel_create(name.c_str(), capacity, max_message, flags, channel.out());
  };
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, create(4096, 0));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, create(100, 101));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, create(100, 100));  // no room for the header
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, create(0, 0));
  EXPECT_STATUS(SHMLINK_ERR_NO_RESOURCES, create(uint64_t{1} << 41, 100));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, create(uint64_t{1} << 33, 0xFFFFFFFFu));  // its record would not fit 32 bits
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, create(4096, 100, 0x80000000u));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_create(name.c_str(), 4096, 100, 0, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_NAME, shmlink_channel_create("bad/name", 4096, 100, 0, channel.out()));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_create(nullptr, 4096, 100, 0, channel.out()));
  EXPECT_EQ(channel.get(), 0u);
  EXPECT_STATUS(SHMLINK_OK, create(128, 96));  // exactly one maximum message with its 32-byte header
}

TEST(Channels, OpenRefusesBadInput) {
  const std::string name = unique_name();
  Handle channel;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_SENDER, channel.out()));
  const Handle real = create_channel(name, 4096, 100, 0);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_open(name.c_str(), 0, channel.out()));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_SENDER | 0x1, channel.out()));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_SENDER, nullptr));
  EXPECT_EQ(channel.get(), 0u);
}

TEST(Channels, SendAndReceiveRefuseBadInputAndLoseNothing) {
  Pair pair;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_send(pair.sender.get(), nullptr, 5, 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_send(pair.sender.get(), nullptr, 0, 0));
  ASSERT_STATUS(SHMLINK_OK, send_text(pair.sender, "kept"));
  uint32_t length = 77;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_receive(pair.receiver.get(), nullptr, 10, &length, 0));
  EXPECT_EQ(length, 77u);
  char buffer[16];
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_receive(pair.receiver.get(), buffer, 16, nullptr, 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_receive(pair.receiver.get(), nullptr, 0, &length, 0));
  EXPECT_EQ(length, 0u);
  void* reserved = nullptr;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_reserve(pair.sender.get(), 1, 0, nullptr));
  const void* data = nullptr;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_peek(pair.receiver.get(), 0, nullptr, &length));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_peek(pair.receiver.get(), 0, &data, nullptr));
  (void)reserved;
  EXPECT_EQ(receive_text(pair.receiver), "kept");
}

TEST(Channels, BadHandlesAreRefusedByEveryFunction) {
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 4096, 0, segment.out()));
  Handle closed = create_channel(unique_name(), 4096, 100, kBoth);
  const shmlink_handle stale = closed.get();
  ASSERT_STATUS(SHMLINK_OK, closed.close());
  char buffer[8];
  uint32_t length = 0;
  void* reserved = nullptr;
  const void* data = nullptr;
  for (const shmlink_handle handle : {shmlink_handle{0}, stale, segment.get()}) {
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_send(handle, buffer, 1, 0));
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_receive(handle, buffer, 8, &length, 0));
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_reserve(handle, 1, 0, &reserved));
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_commit(handle, 1));
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_peek(handle, 0, &data, &length));
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_consume(handle));
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_cancel(handle));
    uint64_t capacity = 12345;
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_info(handle, &length, &capacity, nullptr));
    EXPECT_EQ(capacity, 12345u);
  }
}

#ifndef _WIN32
// A hostile peer on Linux: the channel's file mapped directly and its shared state overwritten.
// Offsets follow dll/core/channel_layout.h (the control block after the 4 KiB object header).
class ScribbledChannel : public testing::Test {
 protected:
  static constexpr size_t kControl = 4096;
  static constexpr size_t kTail = kControl + 64;
  static constexpr size_t kSendLock = kControl + 128;
  static constexpr size_t kRecvLock = kControl + 256;

  void SetUp() override {
    channel_ = create_channel(name_, 4096, 100, kBoth);
    const int fd = open(local_object_path(name_).c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    bytes_ = static_cast<uint8_t*>(mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    close(fd);
    ASSERT_NE(bytes_, MAP_FAILED);
  }
  void TearDown() override {
    if (bytes_ != MAP_FAILED) munmap(bytes_, 8192);
  }
  template <class T>
  void poke(size_t offset, T value) {
    std::memcpy(bytes_ + offset, &value, sizeof value);
  }

  std::string name_ = unique_name();
  Handle channel_;
  uint8_t* bytes_ = static_cast<uint8_t*>(MAP_FAILED);
};

TEST_F(ScribbledChannel, BrokenPositionsGiveCorruptNotACrash) {
  ASSERT_STATUS(SHMLINK_OK, send_text(channel_, "before"));
  poke<uint64_t>(kTail, 0xFFFFFFFFFFFF0007ull);
  // The queued message itself is intact (its header carries its own position): delivered.
  EXPECT_EQ(receive_text(channel_), "before");
  EXPECT_STATUS(SHMLINK_ERR_CORRUPT, send_text(channel_, "after"));
  EXPECT_EQ(receive_text(channel_, 50), "SHMLINK_ERR_CORRUPT");
  EXPECT_NE(std::string(shmlink_last_error_message()).find("broken"), std::string::npos);
  poke<uint64_t>(kTail, 8);  // inside a record, not on a boundary
  EXPECT_EQ(receive_text(channel_, 50), "SHMLINK_ERR_CORRUPT");
}

TEST_F(ScribbledChannel, LockWordsOfNobodyOrOfThisHandleAreTakenOver) {
  poke<uint32_t>(kRecvLock, 0x0ABCDE05u + 1);  // a tag of a slot nobody holds
  poke<uint32_t>(kSendLock, (1u << 10) + 1);   // this very handle's tag: slot 0, first attachment
  ASSERT_STATUS(SHMLINK_OK, send_text(channel_, "still works", kLongWaitMs));
  EXPECT_EQ(receive_text(channel_, kLongWaitMs), "still works");
}

// A lock held for seconds by a live handle is what a peer stopped with it (SIGSTOP, a
// debugger) leaves: waited for until the timeout, never CORRUPT (issue 12, point 9), and taken
// over once its holder is gone.
TEST_F(ScribbledChannel, ALockHeldForSecondsByALivePeerGivesTimeoutNotCorruptNorAHang) {
  ASSERT_STATUS(SHMLINK_OK, send_text(channel_, "queued"));
  Handle peer = open_channel(name_, SHMLINK_CHANNEL_RECEIVER);  // slot 1, first attachment
  poke<uint32_t>(kRecvLock, (1u << 10 | 1u) + 1);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(receive_text(channel_, 2500), "SHMLINK_ERR_TIMEOUT");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(2400));
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_EQ(receive_text(channel_, 0), "SHMLINK_ERR_TIMEOUT");
  peer.reset();
  EXPECT_EQ(receive_text(channel_, kLongWaitMs), "queued");
}
#endif

}  // namespace
}  // namespace shmlink_test
