// Pub/sub fan-out (issue 16, point 4): one publisher process sends 64-byte messages in batches
// to 1 and to 8 subscriber processes, under the block policy (every subscriber gets every
// message; the publisher waits for the slowest) and the overwrite policy (the publisher never
// waits; subscribers count what they lost). Prints the publisher's messages/s, the messages
// delivered per second summed over the subscribers (block policy; under overwrite, what each
// subscriber gets depends on its pace), and the 1-to-8 publisher figure as a ratio
// of the 1-to-1 (target: within 2x). Subscribers read in place (peek_batch / consume_batch) and
// check that sequence numbers only grow (and, under the block policy, that none is missing).
// Processes are not pinned: with fewer CPUs than subscribers the figures say as much about
// the scheduler as about the channel (the CPU count is printed).
//
//   channel_fanout [messages]   (default 2,000,000 per run; subscribers are this program
//                                started with --peer)
#include <shmlink/shmlink.h>

#include "bench_support.h"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using bench::check;
using bench::die;

constexpr uint32_t kMessageBytes = 64;
constexpr uint32_t kBatch = 64;
constexpr uint64_t kCapacity = 256u << 10;

// A subscriber: reads until the publisher is gone and everything is read (CLOSED).
int run_subscriber(const char* name, uint64_t expected, bool overwrite) {
  shmlink_handle channel = 0;
  check(shmlink_channel_open(name, SHMLINK_CHANNEL_RECEIVER, &channel), "open the channel");
  shmlink_handle ready = 0;
  check(shmlink_semaphore_open((std::string(name) + "-ready").c_str(), &ready), "open the ready semaphore");
  check(shmlink_semaphore_release(ready, 1, nullptr), "say ready");
  shmlink_channel_message messages[kBatch];
  uint64_t received = 0, last = 0;
  for (;;) {
    uint32_t peeked = 0;
    const shmlink_status status = shmlink_channel_peek_batch(channel, messages, kBatch, SHMLINK_INFINITE, &peeked);
    if (status == SHMLINK_ERR_CLOSED) break;
    check(status, "peek_batch");
    uint64_t newest = last;
    for (uint32_t i = 0; i < peeked; ++i) {
      uint64_t sequence = 0;
      if (messages[i].length != kMessageBytes) die("a message of the wrong length", SHMLINK_ERR_CORRUPT);
      std::memcpy(&sequence, messages[i].data, sizeof sequence);
      if (sequence <= newest && !overwrite) die("sequence numbers went back", SHMLINK_ERR_CORRUPT);
      newest = sequence;
    }
    uint64_t lost_before = 0;
    if (overwrite) check(shmlink_channel_lost(channel, &lost_before), "lost");
    const shmlink_status consumed = shmlink_channel_consume_batch(channel, peeked);
    uint32_t intact = peeked;
    if (consumed == SHMLINK_ERR_OVERWRITTEN) {
      // The oldest ones were overwritten (counted lost); the rest were intact.
      uint64_t lost_after = 0;
      check(shmlink_channel_lost(channel, &lost_after), "lost");
      intact = peeked - static_cast<uint32_t>(lost_after - lost_before);
    } else {
      check(consumed, "consume_batch");
    }
    if (intact == 0) continue;
    if (overwrite && newest <= last) die("sequence numbers went back", SHMLINK_ERR_CORRUPT);
    last = newest;
    received += intact;
  }
  uint64_t lost = 0;
  check(shmlink_channel_lost(channel, &lost), "lost");
  if (received + lost != expected) {
    std::fprintf(stderr, "subscriber: %llu received + %llu lost of %llu sent\n",
                 static_cast<unsigned long long>(received), static_cast<unsigned long long>(lost),
                 static_cast<unsigned long long>(expected));
    return 1;
  }
  shmlink_close(ready);
  shmlink_close(channel);
  return 0;
}

struct Result {
  double publisher_per_second;
  double delivered_per_second;
};

Result run(const char* self, uint32_t subscribers, uint64_t count, bool overwrite) {
  const std::string name = "Local\\shmlink-fanout-" + std::to_string(getpid()) + "-" + std::to_string(subscribers) +
                           (overwrite ? "-o" : "-b");
  shmlink_handle channel = 0;
  check(shmlink_channel_create(name.c_str(), kCapacity, kMessageBytes,
                               SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_PUBSUB | (overwrite ? SHMLINK_CHANNEL_OVERWRITE : 0u),
                               &channel),
        "create the channel");
  shmlink_handle ready = 0;
  check(shmlink_semaphore_create((name + "-ready").c_str(), 0, 64, 0, &ready), "create the ready semaphore");
  std::vector<pid_t> peers;
  for (uint32_t i = 0; i < subscribers; ++i)
    peers.push_back(bench::spawn_self(self, {name, std::to_string(count), overwrite ? "overwrite" : "block"}));
  for (uint32_t i = 0; i < subscribers; ++i) check(shmlink_wait(ready, 60000), "wait for the subscribers");

  std::vector<uint8_t> payload(uint64_t{kBatch} * kMessageBytes);
  shmlink_channel_message messages[kBatch];
  const auto start = std::chrono::steady_clock::now();
  uint64_t sent = 0;
  while (sent < count) {
    const uint32_t batch = static_cast<uint32_t>(std::min<uint64_t>(kBatch, count - sent));
    for (uint32_t i = 0; i < batch; ++i) {
      const uint64_t sequence = sent + i + 1;
      std::memcpy(&payload[uint64_t{i} * kMessageBytes], &sequence, sizeof sequence);
      messages[i] = {&payload[uint64_t{i} * kMessageBytes], kMessageBytes, 0};
    }
    uint32_t done = 0;
    check(shmlink_channel_send_batch(channel, messages, batch, SHMLINK_INFINITE, &done), "send_batch");
    sent += done;  // the rest are numbered again from `sent` in the next call
  }
  const auto published = std::chrono::steady_clock::now();
  check(shmlink_close(channel), "close the publisher");
  for (pid_t peer : peers) bench::wait_child(peer);
  const auto finished = std::chrono::steady_clock::now();
  shmlink_close(ready);
  const double publish_seconds = std::chrono::duration<double>(published - start).count();
  const double all_seconds = std::chrono::duration<double>(finished - start).count();
  return {count / publish_seconds, count * double(subscribers) / all_seconds};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--peer") == 0) {
    if (argc < 5) return 2;
    return run_subscriber(argv[2], std::strtoull(argv[3], nullptr, 10), std::strcmp(argv[4], "overwrite") == 0);
  }
  const uint64_t count = argc >= 2 ? std::strtoull(argv[1], nullptr, 10) : 2000000;
  std::printf("pub/sub fan-out, %u-byte messages in batches of %u, %llu messages per run, %u CPUs\n",
              kMessageBytes, kBatch, static_cast<unsigned long long>(count), std::thread::hardware_concurrency());
  for (const bool overwrite : {false, true}) {
    const Result one = run(argv[0], 1, count, overwrite);
    const Result eight = run(argv[0], 8, count, overwrite);
    const char* policy = overwrite ? "overwrite" : "block";
    std::printf("%-9s 1 subscriber : publisher %7.2f M msg/s", policy, one.publisher_per_second / 1e6);
    if (!overwrite) std::printf(", delivered %7.2f M msg/s", one.delivered_per_second / 1e6);
    std::printf("\n%-9s 8 subscribers: publisher %7.2f M msg/s", policy, eight.publisher_per_second / 1e6);
    if (!overwrite) std::printf(", delivered %7.2f M msg/s", eight.delivered_per_second / 1e6);
    std::printf("; 1-to-8 costs %.2fx of 1-to-1\n", one.publisher_per_second / eight.publisher_per_second);
  }
  return 0;
}
