// Pub/sub channels (SHMLINK_CHANNEL_PUBSUB): every subscriber receives every message sent after
// it attached, at its own pace; the block policy bounds publishers by the slowest live
// subscriber, the overwrite policy never waits and counts what each subscriber lost; a
// subscriber that dies (SIGKILL, TerminateProcess) or leaves stalls nobody; hostile values in
// the shared layout give CORRUPT; bad input.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
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

constexpr uint32_t kMax = 64;
constexpr uint32_t kLongWaitMs = 20000;
constexpr uint32_t kPublisher = SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_PUBSUB;
constexpr uint32_t kOverwrite = kPublisher | SHMLINK_CHANNEL_OVERWRITE;

Handle create(const std::string& name, uint32_t flags, uint64_t capacity = 4096) {
  Handle channel;
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_create(name.c_str(), capacity, kMax, flags, channel.out()));
  return channel;
}

Handle subscribe(const std::string& name) {
  Handle channel;
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, channel.out()));
  return channel;
}

shmlink_status send_text(const Handle& channel, const std::string& text, uint32_t timeout_ms = 0) {
  return shmlink_channel_send(channel.get(), text.data(), static_cast<uint32_t>(text.size()), timeout_ms);
}

std::string receive_text(const Handle& channel, uint32_t timeout_ms = 0) {
  char buffer[kMax];
  uint32_t length = 0;
  const shmlink_status status = shmlink_channel_receive(channel.get(), buffer, sizeof buffer, &length, timeout_ms);
  if (status != SHMLINK_OK) return shmlink_status_name(status);
  return std::string(buffer, length);
}

uint64_t lost(const Handle& channel) {
  uint64_t count = 12345;
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_lost(channel.get(), &count));
  return count;
}

std::string numbered(int i) { return "message " + std::to_string(i); }

// The shmlink command's view (shmlink_object_describe) of a pub/sub channel: a channel with its
// peers and counters, not an object of an unknown layout.
TEST(ChannelPubSub, InspectionDescribesAPubSubChannel) {
  const std::string name = unique_name();
  Handle publisher = create(name, kPublisher, 64 * 1024);
  Handle first = subscribe(name), second = subscribe(name);
  shmlink_object_description described{};
  described.struct_size = sizeof described;
  for (int i = 0; i < 3; ++i) ASSERT_STATUS(SHMLINK_OK, send_text(publisher, numbered(i)));
  ASSERT_EQ(receive_text(first), numbered(0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_object_describe(name.c_str(), &described));
  EXPECT_EQ(described.kind, SHMLINK_KIND_CHANNEL);
  EXPECT_EQ(described.flags & (SHMLINK_OBJECT_INCOMPATIBLE | SHMLINK_OBJECT_CORRUPT), 0u);
  EXPECT_EQ(described.channel_max_message, kMax);
  EXPECT_EQ(described.channel_senders, 1u);
  EXPECT_EQ(described.channel_receivers, 2u);
  EXPECT_EQ(described.channel_peer_count, 3u);
  EXPECT_EQ(described.channel_messages_sent, 3u);
  EXPECT_EQ(described.channel_messages_received, 1u);
}

TEST(ChannelPubSub, EverySubscriberReceivesEveryMessageInOrder) {
  const std::string name = unique_name();
  Handle publisher = create(name, kPublisher, 64 * 1024);
  std::vector<Handle> subscribers;
  for (int i = 0; i < 4; ++i) subscribers.push_back(subscribe(name));
  for (int i = 0; i < 200; ++i) ASSERT_STATUS(SHMLINK_OK, send_text(publisher, numbered(i)));
  for (const Handle& subscriber : subscribers) {
    for (int i = 0; i < 200; ++i) ASSERT_EQ(receive_text(subscriber), numbered(i));
    EXPECT_EQ(receive_text(subscriber), "SHMLINK_ERR_TIMEOUT");
    EXPECT_EQ(lost(subscriber), 0u);
  }
}

TEST(ChannelPubSub, SubscribersPeekTheSameMessageInPlace) {
  const std::string name = unique_name();
  Handle publisher = create(name, kPublisher);
  Handle first = subscribe(name);
  Handle second = subscribe(name);
  ASSERT_STATUS(SHMLINK_OK, send_text(publisher, "shared"));
  const void* a = nullptr;
  const void* b = nullptr;
  uint32_t length_a = 0, length_b = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek(first.get(), 0, &a, &length_a));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek(second.get(), 0, &b, &length_b));
  // Each handle has its own mapping of the ring: the same record, at two addresses.
  EXPECT_EQ(std::string(static_cast<const char*>(a), length_a), "shared");
  EXPECT_EQ(std::string(static_cast<const char*>(b), length_b), "shared");
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_consume(first.get()));
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_consume(second.get()));
  // Batches too.
  for (int i = 0; i < 3; ++i) ASSERT_STATUS(SHMLINK_OK, send_text(publisher, numbered(i)));
  shmlink_channel_message messages[8] = {};
  uint32_t peeked = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek_batch(second.get(), messages, 8, 0, &peeked));
  ASSERT_EQ(peeked, 3u);
  for (uint32_t i = 0; i < 3; ++i)
    EXPECT_EQ(std::string(static_cast<const char*>(messages[i].data), messages[i].length), numbered(static_cast<int>(i)));
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_consume_batch(second.get(), 3));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(receive_text(first), numbered(i));
}

TEST(ChannelPubSub, ALateSubscriberStartsAtTheNextMessage) {
  const std::string name = unique_name();
  Handle publisher = create(name, kPublisher);
  Handle early = subscribe(name);
  for (int i = 0; i < 3; ++i) ASSERT_STATUS(SHMLINK_OK, send_text(publisher, numbered(i)));
  Handle late = subscribe(name);
  EXPECT_EQ(receive_text(late), "SHMLINK_ERR_TIMEOUT");
  ASSERT_STATUS(SHMLINK_OK, send_text(publisher, "after"));
  EXPECT_EQ(receive_text(late), "after");
  EXPECT_EQ(receive_text(late), "SHMLINK_ERR_TIMEOUT");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(receive_text(early), numbered(i));
  EXPECT_EQ(receive_text(early), "after");
}

TEST(ChannelPubSub, MessagesSentWithNoSubscriberReachNobodyAndNeverBlock) {
  const std::string name = unique_name();
  Handle publisher = create(name, kPublisher, 1024);
  for (int i = 0; i < 1000; ++i) ASSERT_STATUS(SHMLINK_OK, send_text(publisher, numbered(i)));
  Handle subscriber = subscribe(name);
  EXPECT_EQ(receive_text(subscriber), "SHMLINK_ERR_TIMEOUT");
}

// Fills the ring for `subscriber` and returns how many messages went in before a send found no room.
int fill(const Handle& publisher) {
  int sent = 0;
  while (send_text(publisher, numbered(sent)) == SHMLINK_OK) {
    ++sent;
    if (sent > 100000) break;
  }
  return sent;
}

TEST(ChannelPubSub, BlockPolicyBoundsPublishersByTheSlowestSubscriber) {
  const std::string name = unique_name();
  Handle publisher = create(name, kPublisher, 1024);
  Handle fast = subscribe(name);
  Handle slow = subscribe(name);
  const int sent = fill(publisher);
  EXPECT_GT(sent, 0);
  EXPECT_LE(sent, 1024 / 64 + 1);  // 64-byte records: a ring of ~1 KiB holds about 16
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, send_text(publisher, "no room"));
  // The fast one drains: no room still, the slow one holds it.
  for (int i = 0; i < sent; ++i) ASSERT_EQ(receive_text(fast), numbered(i));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, send_text(publisher, "no room"));
  Handle can_send;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_waitable(publisher.get(), SHMLINK_CHANNEL_CAN_SEND, can_send.out()));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(can_send.get(), 0));
  // A publisher blocked in a send goes on as soon as the slow one reads.
  std::thread reader([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(receive_text(slow), numbered(0));
  });
  EXPECT_STATUS(SHMLINK_OK, send_text(publisher, "room", kLongWaitMs));
  reader.join();
  for (int i = 1; i < sent; ++i) ASSERT_EQ(receive_text(slow), numbered(i));
  EXPECT_EQ(receive_text(slow), "room");
  EXPECT_EQ(receive_text(fast), "room");
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(can_send.get(), 0));
}

TEST(ChannelPubSub, APeekHoldsItsSubscribersPlaceUnderTheBlockPolicy) {
  const std::string name = unique_name();
  Handle publisher = create(name, kPublisher, 1024);
  Handle subscriber = subscribe(name);
  ASSERT_STATUS(SHMLINK_OK, send_text(publisher, "held"));
  const void* data = nullptr;
  uint32_t length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek(subscriber.get(), 0, &data, &length));
  int sent = 0;
  while (send_text(publisher, numbered(sent)) == SHMLINK_OK) ++sent;
  EXPECT_EQ(std::string(static_cast<const char*>(data), length), "held");
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_consume(subscriber.get()));
  EXPECT_STATUS(SHMLINK_OK, send_text(publisher, "then"));
}

TEST(ChannelPubSub, ASubscriberThatClosesStallsNobody) {
  const std::string name = unique_name();
  Handle publisher = create(name, kPublisher, 1024);
  Handle stays = subscribe(name);
  Handle leaves = subscribe(name);
  const int sent = fill(publisher);
  for (int i = 0; i < sent; ++i) ASSERT_EQ(receive_text(stays), numbered(i));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, send_text(publisher, "blocked"));
  leaves.reset();
  for (int i = 0; i < 100; ++i) {
    ASSERT_STATUS(SHMLINK_OK, send_text(publisher, numbered(i)));
    ASSERT_EQ(receive_text(stays), numbered(i));
  }
}

TEST(ChannelPubSub, OverwritePolicyNeverWaitsAndCountsLossesExactly) {
  const std::string name = unique_name();
  Handle publisher = create(name, kOverwrite, 1024);
  Handle subscriber = subscribe(name);
  Handle other = subscribe(name);
  constexpr int kSent = 1000;
  for (int i = 0; i < kSent; ++i) ASSERT_STATUS(SHMLINK_OK, send_text(publisher, numbered(i)));
  Handle can_send;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_waitable(publisher.get(), SHMLINK_CHANNEL_CAN_SEND, can_send.out()));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(can_send.get(), 0));
  // The subscriber receives the newest messages still in the ring, in order, and learns how
  // many it lost: together, every message sent.
  std::vector<std::string> received;
  for (std::string text = receive_text(subscriber); text != "SHMLINK_ERR_TIMEOUT"; text = receive_text(subscriber))
    received.push_back(text);
  ASSERT_FALSE(received.empty());
  EXPECT_LT(received.size(), 20u);
  const uint64_t lost_count = lost(subscriber);
  EXPECT_EQ(lost_count + received.size(), static_cast<uint64_t>(kSent));
  for (size_t i = 0; i < received.size(); ++i)
    EXPECT_EQ(received[i], numbered(static_cast<int>(lost_count + i)));
  // A second lap: counted again, per subscriber.
  for (int i = kSent; i < 2 * kSent; ++i) ASSERT_STATUS(SHMLINK_OK, send_text(publisher, numbered(i)));
  received.clear();
  for (std::string text = receive_text(subscriber); text != "SHMLINK_ERR_TIMEOUT"; text = receive_text(subscriber))
    received.push_back(text);
  EXPECT_EQ(lost(subscriber) + received.size() + (kSent - lost_count), static_cast<uint64_t>(2 * kSent));
  EXPECT_EQ(received.back(), numbered(2 * kSent - 1));
  // The other subscriber lost more, in one lap.
  uint32_t got = 0;
  while (receive_text(other) != "SHMLINK_ERR_TIMEOUT") ++got;
  EXPECT_EQ(lost(other) + got, static_cast<uint64_t>(2 * kSent));
}

TEST(ChannelPubSub, APeekOverwrittenBeforeItsConsumeSaysOverwrittenAndCountsLost) {
  const std::string name = unique_name();
  Handle publisher = create(name, kOverwrite, 1024);
  Handle subscriber = subscribe(name);
  ASSERT_STATUS(SHMLINK_OK, send_text(publisher, "first"));
  const void* data = nullptr;
  uint32_t length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek(subscriber.get(), 0, &data, &length));
  EXPECT_EQ(std::string(static_cast<const char*>(data), length), "first");
  for (int i = 0; i < 100; ++i) ASSERT_STATUS(SHMLINK_OK, send_text(publisher, numbered(i)));
  EXPECT_STATUS(SHMLINK_ERR_OVERWRITTEN, shmlink_channel_consume(subscriber.get()));
  EXPECT_EQ(lost(subscriber), 1u);
  // Then it goes on at the oldest message still there.
  std::vector<std::string> received;
  for (std::string text = receive_text(subscriber); text != "SHMLINK_ERR_TIMEOUT"; text = receive_text(subscriber))
    received.push_back(text);
  ASSERT_FALSE(received.empty());
  EXPECT_EQ(received.back(), numbered(99));
  EXPECT_EQ(lost(subscriber) + received.size(), 101u);
  // A peek batch, overwritten: OVERWRITTEN from its consume, every one counted.
  ASSERT_STATUS(SHMLINK_OK, send_text(publisher, "a"));
  ASSERT_STATUS(SHMLINK_OK, send_text(publisher, "b"));
  shmlink_channel_message messages[4] = {};
  uint32_t peeked = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_peek_batch(subscriber.get(), messages, 4, 0, &peeked));
  ASSERT_EQ(peeked, 2u);
  const uint64_t before = lost(subscriber);
  for (int i = 0; i < 100; ++i) ASSERT_STATUS(SHMLINK_OK, send_text(publisher, numbered(i)));
  EXPECT_STATUS(SHMLINK_ERR_OVERWRITTEN, shmlink_channel_consume_batch(subscriber.get(), 2));
  EXPECT_EQ(lost(subscriber), before + 2);
}

TEST(ChannelPubSub, APublisherAndSubscribersOnThreadsUnderOverwriteNeverSeeATornMessage) {
  const std::string name = unique_name();
  Handle publisher = create(name, kOverwrite, 2048);
  constexpr int kSubscribers = 3;
  constexpr uint64_t kSent = 200000;
  std::vector<Handle> subscribers;
  for (int i = 0; i < kSubscribers; ++i) subscribers.push_back(subscribe(name));
  std::atomic<bool> done{false};
  std::vector<std::thread> readers;
  std::vector<uint64_t> received(kSubscribers, 0);
  for (int s = 0; s < kSubscribers; ++s) {
    readers.emplace_back([&, s] {
      uint64_t last = 0;
      bool any = false;
      uint64_t buffer[kMax / 8];
      for (;;) {
        uint32_t length = 0;
        const shmlink_status status = shmlink_channel_receive(subscribers[s].get(), buffer, sizeof buffer, &length, 10);
        if (status == SHMLINK_ERR_TIMEOUT) {
          if (done.load()) break;
          continue;
        }
        ASSERT_STATUS(SHMLINK_OK, status);
        ASSERT_EQ(length, sizeof buffer);
        // Every word of a message is its number: a torn copy mixes two.
        for (uint64_t word : buffer) ASSERT_EQ(word, buffer[0]);
        if (any) {
          ASSERT_GT(buffer[0], last);
        }
        last = buffer[0];
        any = true;
        ++received[s];
      }
    });
  }
  uint64_t message[kMax / 8];
  for (uint64_t i = 1; i <= kSent; ++i) {
    for (uint64_t& word : message) word = i;
    ASSERT_STATUS(SHMLINK_OK, shmlink_channel_send(publisher.get(), message, sizeof message, 0));
  }
  done = true;
  for (std::thread& reader : readers) reader.join();
  for (int s = 0; s < kSubscribers; ++s) EXPECT_EQ(received[s] + lost(subscribers[s]), kSent) << s;
}

TEST(ChannelPubSub, AtMost32SubscribersThenNoResources) {
  const std::string name = unique_name();
  Handle publisher = create(name, kPublisher);
  std::vector<Handle> subscribers;
  for (int i = 0; i < 32; ++i) subscribers.push_back(subscribe(name));
  Handle extra;
  EXPECT_STATUS(SHMLINK_ERR_NO_RESOURCES, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, extra.out()));
  EXPECT_EQ(extra.get(), 0u);
  // Publishers are not limited by it; a place freed is taken again.
  Handle second_publisher;
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_SENDER, second_publisher.out()));
  subscribers.pop_back();
  Handle again = subscribe(name);
  ASSERT_STATUS(SHMLINK_OK, send_text(second_publisher, "to all"));
  EXPECT_EQ(receive_text(again), "to all");
  for (const Handle& subscriber : subscribers) EXPECT_EQ(receive_text(subscriber), "to all");
}

TEST(ChannelPubSub, WaitsArePerSubscriber) {
  const std::string name = unique_name();
  Handle publisher = create(name, kPublisher);
  Handle first = subscribe(name);
  Handle second = subscribe(name);
  ASSERT_STATUS(SHMLINK_OK, send_text(publisher, "one"));
  EXPECT_EQ(receive_text(first), "one");
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(first.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(second.get(), 0));
  Handle can_receive;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_waitable(first.get(), SHMLINK_CHANNEL_CAN_RECEIVE, can_receive.out()));
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_STATUS(SHMLINK_OK, send_text(publisher, "two"));
  });
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(can_receive.get(), kLongWaitMs));
  sender.join();
  EXPECT_EQ(receive_text(first), "two");
  // The publishers gone and everything read: CLOSED. A publisher never gets CLOSED.
  publisher.reset();
  EXPECT_EQ(receive_text(first), "SHMLINK_ERR_CLOSED");
  EXPECT_EQ(receive_text(second), "one");
  EXPECT_EQ(receive_text(second), "two");
  EXPECT_EQ(receive_text(second), "SHMLINK_ERR_CLOSED");
  Handle again;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_SENDER, again.out()));
  first.reset();
  second.reset();
  EXPECT_STATUS(SHMLINK_OK, send_text(again, "nobody"));
}

TEST(ChannelPubSub, BadInput) {
  const std::string name = unique_name();
  Handle channel;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_channel_create(name.c_str(), 4096, kMax, SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_OVERWRITE,
                                       channel.out()));
  Handle publisher = create(name, kPublisher);
  // The mode is the channel's: another one with OPEN_OR_CREATE is refused.
  for (uint32_t mode : {0u, static_cast<uint32_t>(SHMLINK_CHANNEL_PUBSUB | SHMLINK_CHANNEL_OVERWRITE)}) {
    EXPECT_STATUS(SHMLINK_ERR_INCOMPATIBLE,
                  shmlink_channel_create(name.c_str(), 4096, kMax,
                                         SHMLINK_OPEN_OR_CREATE | SHMLINK_CHANNEL_RECEIVER | mode, channel.out()));
  }
  EXPECT_STATUS(SHMLINK_EXISTED, shmlink_channel_create(name.c_str(), 4096, kMax,
                                                        SHMLINK_OPEN_OR_CREATE | SHMLINK_CHANNEL_RECEIVER |
                                                            SHMLINK_CHANNEL_PUBSUB,
                                                        channel.out()));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_channel_lost(channel.get(), nullptr));
  uint64_t count = 7;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_channel_lost(publisher.get(), &count));
  EXPECT_EQ(count, 0u);
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_channel_lost(0, &count));
  // Open takes no mode flags.
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER | SHMLINK_CHANNEL_PUBSUB, channel.out()));
  // A queue's receiver loses nothing.
  const std::string queue_name = unique_name();
  Handle queue;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create(queue_name.c_str(), 4096, kMax, SHMLINK_CHANNEL_RECEIVER, queue.out()));
  EXPECT_EQ(lost(queue), 0u);
}

// A subscriber in another process, killed: the publisher (block policy) waits for it no
// longer than the housekeeping takes to notice, and the live subscriber gets everything.
TEST(ChannelPubSubProcesses, AKilledSubscriberNeverStallsTheOthers) {
  const std::string name = unique_name();
  Handle publisher = create(name, kPublisher, 1024);
  Handle live = subscribe(name);
  auto peer = start_peer({"channel-hold", name, "receiver"});
  ASSERT_EQ(peer->read_line().value_or("(nothing)"), "ready");
  const int sent = fill(publisher);
  for (int i = 0; i < sent; ++i) ASSERT_EQ(receive_text(live), numbered(i));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, send_text(publisher, "held back by the peer"));
  peer->kill();
  EXPECT_TRUE(peer->wait().has_value());
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) {
    ASSERT_STATUS(SHMLINK_OK, send_text(publisher, numbered(i), kLongWaitMs));
    ASSERT_EQ(receive_text(live), numbered(i));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

#ifndef _WIN32
// A hostile peer: the channel's file mapped directly and a subscriber's position overwritten.
// Offsets follow dll/core/channel_layout.h (the control block after the 4 KiB object header).
TEST(ChannelPubSub, HostilePositionsGiveCorruptNotACrash) {
  constexpr size_t kControl = 4096;
  constexpr size_t kSubscribers = kControl + 2048;
  constexpr size_t kHead = kControl + 320;
  const std::string name = unique_name();
  Handle publisher = create(name, kPublisher, 1024);
  Handle subscriber = subscribe(name);
  const int fd = open(local_object_path(name).c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  auto* bytes = static_cast<uint8_t*>(mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  close(fd);
  ASSERT_NE(bytes, MAP_FAILED);
  const auto poke = [&](size_t offset, uint64_t value) { std::memcpy(bytes + offset, &value, sizeof value); };
  // The subscriber's position (entry 0) far ahead of tail: the publisher says CORRUPT when it
  // looks at the positions (when the ring runs out of room by the head it saw last).
  poke(kSubscribers + 8, 0x7FFFFFFFFFFFFF00ull);
  shmlink_status status = SHMLINK_OK;
  for (int i = 0; i < 100 && status == SHMLINK_OK; ++i) status = send_text(publisher, numbered(i));
  EXPECT_STATUS(SHMLINK_ERR_CORRUPT, status);
  // head past the subscriber's position (block policy): CORRUPT for the subscriber.
  poke(kSubscribers + 8, 0);
  poke(kHead, 0x100000);
  EXPECT_EQ(receive_text(subscriber), "SHMLINK_ERR_CORRUPT");
  poke(kHead, 0);
  // The policy field: nonsense makes a new open CORRUPT.
  poke(kControl + 40, 7);
  Handle another;
  EXPECT_STATUS(SHMLINK_ERR_CORRUPT, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, another.out()));
  munmap(bytes, 8192);
}
#endif

}  // namespace
}  // namespace shmlink_test
