// One-way throughput of a shmlink channel between two processes, for 64 B, 4 KiB, 64 KiB and
// 1 MiB messages: send/receive (the message is copied in and copied out) and the zero-copy
// path (reserve/commit, peek/consume), each blocking (timeout SHMLINK_INFINITE) and polled
// (timeout 0 in a loop), against a raw single-producer single-consumer ring in shared memory
// between the same two processes on the same CPUs (bench/raw_ring.h: the physical limit) and
// single-thread memcpy of the same sizes. Prints messages/s and GB/s, every channel figure as a
// ratio of the raw ring's, and the ratios the targets are stated in.
//
//   channel_throughput [scale] [--csv FILE]   (scale multiplies the bytes moved, default 1;
//                                             the sender is this program, started with --peer)
#include <shmlink/shmlink.h>

#include "bench_support.h"
#include "raw_ring.h"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>


namespace {

using bench::check;
using bench::die;
using bench::fail;
using bench::futex_wait;
using bench::futex_wake;
using bench::pin_to_cpu;
using bench::wait_child;

constexpr int kRounds = 3;
constexpr uint32_t kLine = 64;


enum Mode { kCopy, kZeroCopy, kCopyPoll, kZeroCopyPoll, kBatchCopy, kBatchZeroCopy, kRawRing, kMemcpy, kModes };
const char* const kKeys[kModes] = {"channel-copy",       "channel-zero-copy", "channel-copy-poll",
                                   "channel-zero-copy-poll", "channel-batch-copy", "channel-batch-zero-copy",
                                   "raw-spsc-ring",      "memcpy"};
const char* const kTitles[kModes] = {"send/receive, blocking", "zero-copy, blocking",   "send/receive, polled",
                                     "zero-copy, polled",      "batch send/receive",    "batch zero-copy",
                                     "raw SPSC ring (spin)",   "memcpy (one thread)"};
// Batch modes send up to this many messages a call and receive up to this many a call.
constexpr uint32_t kBatch = 64;
bool batched(int mode) { return mode == kBatchCopy || mode == kBatchZeroCopy; }
bool copies(int mode) { return mode == kCopy || mode == kCopyPoll || mode == kBatchCopy || mode == kRawRing; }
bool is_channel(int mode) { return mode != kRawRing && mode != kMemcpy; }
bool polled(int mode) { return mode == kCopyPoll || mode == kZeroCopyPoll; }

// Calls `call(timeout)` until it gives anything but TIMEOUT: polled modes with timeout 0.
template <class Call>
shmlink_status until_done(int mode, Call&& call) {
  if (!polled(mode)) return call(SHMLINK_INFINITE);
  shmlink_status status;
  while ((status = call(0)) == SHMLINK_ERR_TIMEOUT) {
  }
  return status;
}

struct Size {
  uint32_t bytes;
  const char* label;
  uint64_t messages;  // at scale 1: 128 MiB of 64 B messages, 1 GiB of the others
};
const Size kSizes[] = {{64, "64 B", 2u << 20}, {4096, "4 KiB", 256u << 10}, {65536, "64 KiB", 16u << 10},
                       {1u << 20, "1 MiB", 1024}};

// Room for 4 messages and at least 256 KiB: the sender can run ahead while the receiver copies.
uint64_t capacity_for(uint32_t size) { return std::max<uint64_t>(256u << 10, 4 * (uint64_t{size} + 16)); }
// Enough messages to go around the ring twice, so that its pages are touched before timing.
uint64_t warmup_for(uint32_t size) { return 2 * capacity_for(size) / (size + 16) + 16; }

// Page-aligned buffers, so that memcpy's speed does not depend on where malloc put them (on
// this machine's CPU, glibc's memcpy runs ~20x slower when the destination lies 8..24 bytes
// past the source modulo 4 KiB).
struct PageBuffer {
  explicit PageBuffer(uint32_t size, char fill)
      : data(static_cast<char*>(std::aligned_alloc(4096, (size + 4095) / 4096 * 4096))) {
    if (data == nullptr) fail("aligned_alloc");
    std::memset(data, fill, size);
  }
  ~PageBuffer() { std::free(data); }
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;
  char* data;
};

// Where an address lies in shared memory: the mapped file (device, inode) and the offset in it.
// Equal places seen by the sender after reserve and by the receiver after peek are the same
// bytes, which is what shows that the zero-copy path copies nothing.
struct Place {
  uint64_t device, inode, offset;
};
struct Mapping {
  uintptr_t start = 0, end = 0;
  uint64_t file_offset = 0, device = 0, inode = 0;
};

Place place_of(const void* address, Mapping& cache) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(address);
  if (at < cache.start || at >= cache.end) {
    // Looked up once per mapping: the messages of one channel are in the same one.
    FILE* maps = std::fopen("/proc/self/maps", "r");
    if (maps == nullptr) fail("/proc/self/maps");
    char line[512];
    cache = Mapping{};
    while (std::fgets(line, sizeof line, maps) != nullptr) {
      unsigned long start, end, offset, inode;
      unsigned major, minor;
      if (std::sscanf(line, "%lx-%lx %*s %lx %x:%x %lu", &start, &end, &offset, &major, &minor, &inode) != 6) continue;
      if (at >= start && at < end) {
        cache = {start, end, offset, (uint64_t{major} << 32) | minor, inode};
        break;
      }
    }
    std::fclose(maps);
    if (cache.end == 0) {
      std::fprintf(stderr, "%p is in no mapping\n", address);
      std::exit(1);
    }
  }
  return {cache.device, cache.inode, cache.file_offset + (at - cache.start)};
}

// The raw ring in a segment named `name`, with the channel's capacity for `size`: created by
// the receiving process, opened by the sender.
bench::RawRing map_raw_ring(const std::string& name, uint32_t size, bool create, shmlink_handle* segment) {
  const uint32_t slots = bench::RawRing::slots_for(capacity_for(size), size);
  const uint64_t bytes = bench::RawRing::bytes_for(size, slots);
  if (create) check(shmlink_segment_create(name.c_str(), bytes, 0, segment), "segment_create");
  else check(shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, segment), "segment_open");
  shmlink_handle view;  // closed with the segment
  void* address;
  check(shmlink_map(*segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address), "map");
  return bench::RawRing(address, size, slots);
}

// The sender: sends `warmup` messages, waits for the go byte, then sends `count` more.
int run_peer(int mode, const char* name, uint32_t size, uint64_t warmup, uint64_t count, int go_fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // a main process that dies must not leave peers blocked forever
  shmlink_handle channel = 0, segment = 0;
  std::optional<bench::RawRing> ring;
  if (mode == kRawRing) ring.emplace(map_raw_ring(name, size, false, &segment));
  else check(shmlink_channel_open(name, SHMLINK_CHANNEL_SENDER, &channel), "channel_open");
  PageBuffer source(size, 'x');
  Mapping mapping;
  auto send = [&](uint64_t sequence) {
    if (mode == kRawRing) {
      std::memcpy(source.data, &sequence, sizeof sequence);
      while (!ring->try_send(source.data)) {
      }
      return;
    }
    if (copies(mode)) {
      std::memcpy(source.data, &sequence, sizeof sequence);
      check(until_done(mode,
                       [&](uint32_t timeout) { return shmlink_channel_send(channel, source.data, size, timeout); }),
            "channel_send");
      return;
    }
    void* buffer;
    check(until_done(mode, [&](uint32_t timeout) { return shmlink_channel_reserve(channel, size, timeout, &buffer); }),
          "channel_reserve");
    // The payload is written once, in place: a sequence number in every 64-byte line, so that
    // all of the message's memory is written here and has to travel to the receiver.
    char* bytes = static_cast<char*>(buffer);
    for (uint32_t at = 0; at + sizeof sequence <= size; at += kLine) {
      std::memcpy(bytes + at, &sequence, sizeof sequence);
    }
    if (size >= 4 * sizeof(uint64_t)) {
      const Place place = place_of(buffer, mapping);
      std::memcpy(bytes + 8, &place, sizeof place);
    }
    check(shmlink_channel_commit(channel, size), "channel_commit");
  };
  // Batches: messages [sequence, end) in calls of up to kBatch, blocking for the first of each.
  std::vector<char> sources(batched(mode) ? size_t{kBatch} * size : 0, 'x');
  auto send_batches = [&](uint64_t sequence, uint64_t end) {
    shmlink_channel_message messages[kBatch];
    while (sequence < end) {
      const uint32_t batch = static_cast<uint32_t>(std::min<uint64_t>(kBatch, end - sequence));
      uint32_t done = 0;
      for (uint32_t i = 0; i < batch; ++i) messages[i] = {sources.data() + size_t{i} * size, size, 0};
      if (mode == kBatchCopy) {
        for (uint32_t i = 0; i < batch; ++i) {
          const uint64_t value = sequence + i;
          std::memcpy(messages[i].data, &value, sizeof value);
        }
        check(shmlink_channel_send_batch(channel, messages, batch, SHMLINK_INFINITE, &done), "channel_send_batch");
      } else {
        check(shmlink_channel_reserve_batch(channel, messages, batch, SHMLINK_INFINITE, &done),
              "channel_reserve_batch");
        for (uint32_t i = 0; i < done; ++i) {
          const uint64_t value = sequence + i;
          char* bytes = static_cast<char*>(messages[i].data);
          for (uint32_t at = 0; at + sizeof value <= size; at += kLine) std::memcpy(bytes + at, &value, sizeof value);
        }
        check(shmlink_channel_commit_batch(channel, messages, done), "channel_commit_batch");
      }
      sequence += done;
    }
  };
  uint64_t sequence = 0;
  if (batched(mode)) send_batches(0, warmup);
  else for (uint64_t i = 0; i < warmup; ++i) send(sequence++);
  char go;
  if (read(go_fd, &go, 1) != 1) fail("read");
  if (batched(mode)) send_batches(warmup, warmup + count);
  else for (uint64_t i = 0; i < count; ++i) send(sequence++);
  shmlink_close(mode == kRawRing ? segment : channel);
  return 0;
}


struct Result {
  double seconds = 0;
  uint64_t messages = 0;
  uint64_t same_place = 0;  // zero-copy: messages peeked at the very bytes the sender wrote
};

[[noreturn]] void corrupt(uint64_t expected) {
  std::fprintf(stderr, "message %llu arrived wrong\n", static_cast<unsigned long long>(expected));
  std::exit(1);
}

// One timed run of the channel in `mode`: a sender process on CPU 1, this process receiving on CPU 0.
Result run_channel(const char* self, const std::string& name, int mode, const Size& size, uint64_t count) {
  const uint64_t warmup = warmup_for(size.bytes);
  shmlink_handle channel = 0, segment = 0;
  if (mode != kRawRing)
    check(shmlink_channel_create(name.c_str(), capacity_for(size.bytes), size.bytes, SHMLINK_CHANNEL_RECEIVER,
                                 &channel),
          "channel_create");
  std::optional<bench::RawRing> ring;
  if (mode == kRawRing) ring.emplace(map_raw_ring(name, size.bytes, true, &segment));
  int go[2];
  if (pipe(go) != 0) fail("pipe");
  pin_to_cpu(1);  // the sender inherits it
  const pid_t peer = bench::spawn_self(self, {std::to_string(mode), name, std::to_string(size.bytes),
                                              std::to_string(warmup), std::to_string(count), std::to_string(go[0])});
  pin_to_cpu(0);
  close(go[0]);

  PageBuffer buffer(size.bytes, 0);
  Mapping mapping;
  Result result;
  uint64_t expected = 0;
  auto receive = [&] {
    if (mode == kRawRing) {
      while (!ring->try_receive(buffer.data)) {
      }
      uint64_t sequence;
      std::memcpy(&sequence, buffer.data, sizeof sequence);
      if (sequence != expected) corrupt(expected);
    } else if (copies(mode)) {
      uint32_t length;
      check(until_done(mode,
                       [&](uint32_t timeout) {
                         return shmlink_channel_receive(channel, buffer.data, size.bytes, &length, timeout);
                       }),
            "channel_receive");
      uint64_t sequence;
      std::memcpy(&sequence, buffer.data, sizeof sequence);
      if (length != size.bytes || sequence != expected) corrupt(expected);
    } else {
      const void* data;
      uint32_t length;
      check(until_done(mode, [&](uint32_t timeout) { return shmlink_channel_peek(channel, timeout, &data, &length); }),
            "channel_peek");
      if (length != size.bytes) corrupt(expected);
      // Read in place: the sequence number in every 64-byte line.
      const char* bytes = static_cast<const char*>(data);
      bool wrong = false;
      for (uint32_t at = 0; at + sizeof expected <= size.bytes; at += kLine) {
        uint64_t sequence;
        std::memcpy(&sequence, bytes + at, sizeof sequence);
        wrong |= sequence != expected;
      }
      if (wrong) corrupt(expected);
      if (size.bytes >= 4 * sizeof(uint64_t)) {
        Place sent;
        std::memcpy(&sent, bytes + 8, sizeof sent);
        const Place here = place_of(data, mapping);
        if (sent.device == here.device && sent.inode == here.inode && sent.offset == here.offset) ++result.same_place;
      }
      check(shmlink_channel_consume(channel), "channel_consume");
    }
    ++expected;
  };
  // Batches: as many as are there, up to kBatch a call, until `end` messages have come.
  std::vector<char> buffers(batched(mode) ? size_t{kBatch} * size.bytes : 0);
  auto receive_batches = [&](uint64_t end) {
    shmlink_channel_message messages[kBatch];
    while (expected < end) {
      const uint32_t batch = static_cast<uint32_t>(std::min<uint64_t>(kBatch, end - expected));
      uint32_t done = 0;
      if (mode == kBatchCopy) {
        for (uint32_t i = 0; i < batch; ++i) messages[i] = {buffers.data() + size_t{i} * size.bytes, 0, size.bytes};
        check(shmlink_channel_receive_batch(channel, messages, batch, SHMLINK_INFINITE, &done),
              "channel_receive_batch");
      } else {
        check(shmlink_channel_peek_batch(channel, messages, batch, SHMLINK_INFINITE, &done), "channel_peek_batch");
      }
      for (uint32_t i = 0; i < done; ++i, ++expected) {
        if (messages[i].length != size.bytes) corrupt(expected);
        const char* bytes = static_cast<const char*>(messages[i].data);
        bool wrong = false;
        // Copied: the first line's number; in place: every line's, as the single zero-copy mode.
        const uint32_t lines = mode == kBatchCopy ? sizeof expected : size.bytes;
        for (uint32_t at = 0; at + sizeof expected <= lines; at += kLine) {
          uint64_t value;
          std::memcpy(&value, bytes + at, sizeof value);
          wrong |= value != expected;
        }
        if (wrong) corrupt(expected);
      }
      if (mode == kBatchZeroCopy) check(shmlink_channel_consume_batch(channel, done), "channel_consume_batch");
    }
  };
  if (batched(mode)) receive_batches(warmup);
  else for (uint64_t i = 0; i < warmup; ++i) receive();
  result.same_place = 0;
  const auto start = std::chrono::steady_clock::now();
  if (write(go[1], "g", 1) != 1) fail("write");
  if (batched(mode)) receive_batches(warmup + count);
  else for (uint64_t i = 0; i < count; ++i) receive();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.messages = count;

  int status = 0;
  waitpid(peer, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "the sender failed\n");
    std::exit(1);
  }
  close(go[1]);
  shmlink_close(mode == kRawRing ? segment : channel);
  return result;
}

Result run_memcpy(const Size& size, uint64_t count) {
  pin_to_cpu(0);
  PageBuffer source(size.bytes, 'x'), destination(size.bytes, 0);
  auto copy = [&] {
    std::memcpy(destination.data, source.data, size.bytes);
    asm volatile("" : : "r"(destination.data) : "memory");  // the copy must happen every time
  };
  for (uint64_t i = 0; i < std::min<uint64_t>(count, 1000); ++i) copy();
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < count; ++i) copy();
  Result result;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.messages = count;
  return result;
}

struct Summary {
  double messages_per_second, gigabytes_per_second, low, high;  // median, and the rounds' range in GB/s
};

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--peer") == 0) {
    if (argc != 8) return 2;
    return run_peer(std::atoi(argv[2]), argv[3], static_cast<uint32_t>(std::atol(argv[4])),
                    std::strtoull(argv[5], nullptr, 10), std::strtoull(argv[6], nullptr, 10), std::atoi(argv[7]));
  }
  double scale = 1;
  const char* csv = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--csv") == 0 && i + 1 < argc) csv = argv[++i];
    else scale = std::atof(argv[i]);
  }
  if (!(scale > 0)) {
    std::fprintf(stderr, "usage: channel_throughput [scale] [--csv FILE]\n");
    return 2;
  }
  char self[4096];
  const ssize_t self_length = readlink("/proc/self/exe", self, sizeof self - 1);
  if (self_length <= 0) return 1;
  self[self_length] = '\0';
  const std::string name = "bench-chtp-" + std::to_string(getpid());
  constexpr int kSizeCount = sizeof kSizes / sizeof kSizes[0];

  // Rounds interleave sizes and modes, so that all of them see the same machine over the run.
  std::vector<double> rates[kSizeCount][kModes];
  uint64_t zero_copy_messages = 0, zero_copy_same_place = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (int s = 0; s < kSizeCount; ++s) {
      const Size& size = kSizes[s];
      const uint64_t count = std::max<uint64_t>(1, static_cast<uint64_t>(size.messages * scale));
      for (int mode = 0; mode < kModes; ++mode) {
        const std::string channel_name = name + "." + std::to_string(round) + "." + std::to_string(s) + "." +
                                         std::to_string(mode);
        const Result result =
            mode == kMemcpy ? run_memcpy(size, count) : run_channel(self, channel_name, mode, size, count);
        rates[s][mode].push_back(result.messages / result.seconds);
        if (!copies(mode) && is_channel(mode) && !batched(mode)) {
          zero_copy_messages += result.messages;
          zero_copy_same_place += result.same_place;
        }
      }
    }
  }

  Summary summary[kSizeCount][kModes];
  for (int s = 0; s < kSizeCount; ++s) {
    for (int mode = 0; mode < kModes; ++mode) {
      std::vector<double>& r = rates[s][mode];
      std::sort(r.begin(), r.end());
      const double bytes = kSizes[s].bytes;
      summary[s][mode] = {r[r.size() / 2], r[r.size() / 2] * bytes / 1e9, r.front() * bytes / 1e9,
                          r.back() * bytes / 1e9};
    }
  }

  std::printf("One-way throughput: a sender process on CPU 1, the receiving process on CPU 0;\n");
  std::printf("median of %d interleaved rounds (GB = 10^9 bytes; range = the rounds' lowest..highest GB/s)\n",
              kRounds);
  std::printf("(/ring: messages/s as a ratio of the raw SPSC ring's at that size, measured in the same run)\n");
  std::printf("%-8s %-22s %14s %9s %17s %16s %7s\n", "size", "mechanism", "messages/s", "GB/s", "range",
              "copied/message", "/ring");
  for (int s = 0; s < kSizeCount; ++s) {
    for (int mode = 0; mode < kModes; ++mode) {
      const Summary& m = summary[s][mode];
      char range[32], copied[32];
      std::snprintf(range, sizeof range, "%.2f..%.2f", m.low, m.high);
      // By the API: send copies the message in and receive copies it out; zero-copy neither.
      const uint64_t times = copies(mode) ? 2 : mode == kMemcpy ? 1 : 0;
      std::snprintf(copied, sizeof copied, "%llu B", static_cast<unsigned long long>(times * kSizes[s].bytes));
      std::printf("%-8s %-22s %14.0f %9.2f %17s %16s %6.2fx\n", kSizes[s].label, kTitles[mode],
                  m.messages_per_second, m.gigabytes_per_second, range, copied,
                  m.messages_per_second / summary[s][kRawRing].messages_per_second);
    }
  }
  const double ring64 = summary[0][kRawRing].messages_per_second;
  for (int mode : {kBatchCopy, kBatchZeroCopy, kCopy, kCopyPoll}) {
    std::printf("64 B %-22s / raw SPSC ring (messages/s): %.2fx (%.1f million/s; target %s)\n", kTitles[mode],
                summary[0][mode].messages_per_second / ring64, summary[0][mode].messages_per_second / 1e6,
                batched(mode) ? ">= 0.50x, and >= 30 million/s where the ring does >= 60" : ">= 0.25x");
  }
  const int largest = kSizeCount - 1;
  const double memcpy_rate = summary[largest][kMemcpy].gigabytes_per_second;
  for (int mode : {kCopy, kCopyPoll, kZeroCopy, kZeroCopyPoll}) {
    std::printf("%s %-22s / memcpy (GB/s): %.2fx%s\n", kSizes[largest].label, kTitles[mode],
                summary[largest][mode].gigabytes_per_second / memcpy_rate, copies(mode) ? " (target >= 0.70x)" : "");
  }
  std::printf("zero-copy path: %llu of %llu messages were peeked at the very shared-memory bytes the sender wrote "
              "after reserve (same file and offset): no copy (target: none)\n",
              static_cast<unsigned long long>(zero_copy_same_place),
              static_cast<unsigned long long>(zero_copy_messages));

  if (csv != nullptr) {
    FILE* file = std::fopen(csv, "w");
    if (file == nullptr) fail(csv);
    std::fprintf(file, "size_bytes,mechanism,messages_per_s,gb_per_s\n");
    for (int s = 0; s < kSizeCount; ++s) {
      for (int mode = 0; mode < kModes; ++mode) {
        std::fprintf(file, "%u,%s,%.1f,%.4f\n", kSizes[s].bytes, kKeys[mode], summary[s][mode].messages_per_second,
                     summary[s][mode].gigabytes_per_second);
      }
    }
    std::fclose(file);
  }
  return 0;
}
