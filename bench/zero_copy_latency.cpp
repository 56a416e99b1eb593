// Zero-copy round trip from 64 B to 4 MiB (issue 16, point 5): is latency flat in the message's
// size when nothing is copied? Two processes on different CPUs, both busy-polling (peek with
// timeout 0): this process reserves a message of SIZE bytes on NAME.ping, writes into it,
// commits; the peer peeks it, reads it, consumes it, and answers with a message of the same size
// written the same way on NAME.pong, which this process peeks, reads and consumes.
// Two ways to touch a message, both real uses:
//   header  - one 64-byte line at its start (a user writing or reading a header, the payload
//             produced or used elsewhere);
//   pages   - one line at the start of every 4 KiB page (as a user touching each page's header).
// Prints p50 / p99 per size and touch, and p50 as a ratio of the 64-byte one (target <= 1.20x).
//
//   zero_copy_latency [round_trips_per_size (default 2000)]
#include <shmlink/shmlink.h>

#include "bench_support.h"

#include <sys/prctl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using bench::check;
using bench::die;

constexpr uint32_t kLine = 64;
constexpr uint32_t kPage = 4096;
constexpr uint32_t kMaxMessage = 4u << 20;
constexpr uint64_t kCapacity = 3ull * (kMaxMessage + 64);  // room for a message in flight and more
constexpr int kWarmup = 200;
constexpr uint8_t kStop = 0;     // the first byte of the message that ends the peer
constexpr uint8_t kHeader = 1;   // ... of one whose header line alone is touched
constexpr uint8_t kPages = 2;    // ... of one whose every page's first line is touched

const uint32_t kSizes[] = {64, 4096, 64u << 10, 1u << 20, 4u << 20};

// Writes the message as `touch` says: its first line always (the first byte says how to touch),
// and with kPages the first line of each later page too.
void write_message(uint8_t* data, uint32_t length, uint8_t touch, uint64_t sequence) {
  if (length == 0) return;
  data[0] = touch;
  if (length >= 16) std::memcpy(data + 8, &sequence, sizeof sequence);
  if (touch == kPages)
    for (uint32_t page = kPage; page < length; page += kPage) std::memset(data + page, static_cast<int>(sequence), 8);
}

// Reads what write_message wrote (so that the lines really travel); returns a checksum of it.
uint64_t read_message(const uint8_t* data, uint32_t length) {
  if (length == 0) return 0;
  uint64_t sum = data[0];
  if (length >= 16) {
    uint64_t sequence;
    std::memcpy(&sequence, data + 8, sizeof sequence);
    sum += sequence;
  }
  if (data[0] == kPages)
    for (uint32_t page = kPage; page < length; page += kPage) sum += data[page];
  return sum;
}

const uint8_t* poll(shmlink_handle channel, uint32_t* length) {
  const void* data;
  for (;;) {
    const shmlink_status status = shmlink_channel_peek(channel, 0, &data, length);
    if (status == SHMLINK_OK) return static_cast<const uint8_t*>(data);
    if (status != SHMLINK_ERR_TIMEOUT) die("channel_peek", status);
  }
}

void send(shmlink_handle channel, uint32_t length, uint8_t touch, uint64_t sequence) {
  void* room;
  check(shmlink_channel_reserve(channel, length, SHMLINK_INFINITE, &room), "channel_reserve");
  write_message(static_cast<uint8_t*>(room), length, touch, sequence);
  check(shmlink_channel_commit(channel, length), "channel_commit");
}

volatile uint64_t g_sink;  // keeps the reads

int run_peer(const std::string& name) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the measuring process
  shmlink_handle ping, pong;
  check(shmlink_channel_open((name + ".ping").c_str(), SHMLINK_CHANNEL_RECEIVER, &ping), "channel_open");
  check(shmlink_channel_open((name + ".pong").c_str(), SHMLINK_CHANNEL_SENDER, &pong), "channel_open");
  for (uint64_t sequence = 0;; ++sequence) {
    uint32_t length;
    const uint8_t* data = poll(ping, &length);
    const uint8_t touch = length > 0 ? data[0] : kStop;
    g_sink = g_sink + read_message(data, length);
    check(shmlink_channel_consume(ping), "channel_consume");
    if (touch == kStop) break;
    send(pong, length, touch, sequence);
  }
  shmlink_close(pong);
  shmlink_close(ping);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--peer") == 0) return run_peer(argv[2]);
  const int trips = argc > 1 ? std::atoi(argv[1]) : 2000;
  if (trips <= 0) {
    std::fprintf(stderr, "usage: zero_copy_latency [round_trips_per_size]\n");
    return 2;
  }
  char self[4096];
  const ssize_t self_length = readlink("/proc/self/exe", self, sizeof self - 1);
  if (self_length <= 0) return 1;
  self[self_length] = '\0';
  const std::string name = "bench-zcl-" + std::to_string(getpid());
  shmlink_handle ping, pong;
  check(shmlink_channel_create((name + ".ping").c_str(), kCapacity, kMaxMessage, SHMLINK_CHANNEL_SENDER, &ping),
        "channel_create");
  check(shmlink_channel_create((name + ".pong").c_str(), kCapacity, kMaxMessage, SHMLINK_CHANNEL_RECEIVER, &pong),
        "channel_create");
  bench::pin_to_cpu(1);  // the peer inherits it
  const pid_t peer = bench::spawn_self(self, {name});
  bench::pin_to_cpu(0);

  // First a lap of each ring with every page touched by both processes: a page's first touch in
  // a process is a page fault (tens of microseconds), which would otherwise land in whichever
  // size first reaches that page.
  uint64_t sequence = 0;
  for (uint64_t lapped = 0; lapped < kCapacity + kMaxMessage; lapped += kMaxMessage) {
    send(ping, kMaxMessage, kPages, ++sequence);
    uint32_t length;
    const uint8_t* answer = poll(pong, &length);
    g_sink = g_sink + read_message(answer, length);
    check(shmlink_channel_consume(pong), "channel_consume");
  }

  std::printf("Zero-copy round trip, busy-polled, this process on CPU 0 and the peer on CPU 1 (cross-core)\n");
  std::printf("%d round trips per size after %d unmeasured, every page of both rings touched first by both\n"
              "processes (microseconds); ratio: p50 over the 64-byte p50\n",
              trips, kWarmup);
  std::printf("%-8s %-7s %9s %9s %8s\n", "size", "touch", "p50", "p99", "ratio");
  for (const uint8_t touch : {kHeader, kPages}) {
    double p50_of_64 = 0;
    for (const uint32_t size : kSizes) {
      std::vector<double> samples;
      samples.reserve(static_cast<size_t>(trips));
      for (int i = 0; i < kWarmup + trips; ++i) {
        const auto start = std::chrono::steady_clock::now();
        send(ping, size, touch, ++sequence);
        uint32_t length;
        const uint8_t* answer = poll(pong, &length);
        g_sink = g_sink + read_message(answer, length);
        check(shmlink_channel_consume(pong), "channel_consume");
        const auto end = std::chrono::steady_clock::now();
        if (length != size) {
          std::fprintf(stderr, "the peer answered %u bytes to %u\n", length, size);
          return 1;
        }
        if (i >= kWarmup) samples.push_back(std::chrono::duration<double, std::nano>(end - start).count());
      }
      const bench::Percentiles result = bench::summarize(samples);
      if (size == kSizes[0]) p50_of_64 = result.p50;
      char label[16];
      if (size >= (1u << 20)) std::snprintf(label, sizeof label, "%u MiB", size >> 20);
      else if (size >= 1024) std::snprintf(label, sizeof label, "%u KiB", size >> 10);
      else std::snprintf(label, sizeof label, "%u B", size);
      std::printf("%-8s %-7s %9.2f %9.2f %7.2fx%s\n", label, touch == kHeader ? "header" : "pages", result.p50,
                  result.p99, result.p50 / p50_of_64, touch == kHeader ? " (target <= 1.20x)" : "");
    }
  }
  send(ping, 0, kStop, 0);  // the empty message ends the peer
  bench::wait_child(peer);
  shmlink_close(ping);
  shmlink_close(pong);
  return 0;
}
