// Two-process ping-pong round trip of a 64-byte message: shmlink channels (blocking, and the
// zero-copy path busy-polled) against what a Linux programmer would otherwise use - raw futex
// wait/wake, a raw shared cache line spun on, a raw single-producer single-consumer ring spun on
// (bench/raw_ring.h, the baseline the channel's throughput is stated against), a pipe, a Unix domain socket and Boost.Interprocess
// message_queue - measured in one run. Prints p50 / p99 / p99.9 round-trip times and the ratios
// the targets are stated in.
//
//   channel_pingpong [round_trips] [--csv FILE]   (the peers are this program, started with --peer)
#include <shmlink/shmlink.h>

#include "bench_support.h"
#include "raw_ring.h"

#include <boost/interprocess/ipc/message_queue.hpp>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
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
using bench::Percentiles;
using bench::summarize;

namespace bip = boost::interprocess;

constexpr int kWarmup = 2000;
constexpr int kBlock = 1000;
constexpr uint32_t kMessage = 64;


// The mechanisms, in the order they take turns and are printed.
enum Mechanism { kChannel, kChannelPoll, kFutex, kSpin, kRawRing, kPipe, kSocket, kBoostQueue, kMechanisms };
const char* const kKeys[kMechanisms] = {"channel", "channel-poll", "futex", "spin", "raw-spsc-ring",
                                        "pipe",    "uds",          "boost-mq"};
const char* const kTitles[kMechanisms] = {"shmlink channel blocking",
                                          "shmlink channel busy-poll",
                                          "raw futex wait/wake",
                                          "raw cache-line spin",
                                          "raw SPSC ring spin",
                                          "pipe",
                                          "Unix domain socket",
                                          "Boost message_queue"};

// Round trips are run as a warm-up block, then blocks of kBlock; every block starts with one
// untimed round trip. A spinning peer sleeps until that first message of a block arrives and
// spins for the rest, so it never steals the CPU from the other mechanisms' turns.
std::vector<int> blocks(int trips) {
  std::vector<int> sizes{kWarmup};
  for (int done = 0; done < trips; done += kBlock) sizes.push_back(std::min(kBlock, trips - done));
  return sizes;
}


// Raw futex: per direction a 0/1 word and the 64-byte payload on its own cache line.
struct FutexBox {
  alignas(64) uint32_t full;
  alignas(64) char payload[kMessage];
};
// Raw spin: per direction one cache line that is the whole 64-byte message, its first word a
// sequence number the receiver spins on (the least memory traffic a message can cost).
struct alignas(64) SpinLine {
  uint32_t sequence;
  char rest[kMessage - sizeof(uint32_t)];
};
// Raw ring: per direction a ring of 64 slots of one message (the channels' 4 KiB).
constexpr uint32_t kRingSlots = 64;
struct alignas(64) RingMemory {
  char bytes[bench::RawRing::bytes_for(kMessage, kRingSlots)];
};
struct Shared {
  FutexBox futex_ping, futex_pong;
  SpinLine spin_ping, spin_pong;
  RingMemory ring_ping, ring_pong;
};

// With `wake`, a peer asleep in ring_receive is woken (the first message of a block).
void ring_send(bench::RawRing& ring, const char* message, bool wake) {
  while (!ring.try_send(message)) {
  }
  if (wake) futex_wake(ring.tail_word());
}
// Spins (with `yield`: yielding the CPU between looks) or, with `sleep`, sleeps until a message is there.
void ring_receive(bench::RawRing& ring, char* message, bool yield, bool sleep) {
  for (;;) {
    const uint32_t seen = __atomic_load_n(ring.tail_word(), __ATOMIC_ACQUIRE);
    if (ring.try_receive(message)) return;
    if (sleep) futex_wait(ring.tail_word(), seen);
    else if (yield) sched_yield();
  }
}

void futex_send(FutexBox* box, const char* message) {
  std::memcpy(box->payload, message, kMessage);
  __atomic_store_n(&box->full, 1u, __ATOMIC_RELEASE);
  futex_wake(&box->full);
}
void futex_receive(FutexBox* box, char* message) {
  while (__atomic_load_n(&box->full, __ATOMIC_ACQUIRE) == 0) futex_wait(&box->full, 0);
  std::memcpy(message, box->payload, kMessage);
  __atomic_store_n(&box->full, 0u, __ATOMIC_RELAXED);
}

// The sequence word is stored last: the receiver that sees it sees the rest of the line.
void spin_send(SpinLine* line, const char* message, bool wake) {
  std::memcpy(line->rest, message + sizeof(uint32_t), sizeof line->rest);
  uint32_t sequence;
  std::memcpy(&sequence, message, sizeof sequence);
  __atomic_store_n(&line->sequence, sequence, __ATOMIC_RELEASE);
  if (wake) futex_wake(&line->sequence);
}
// Spins until the line holds `sequence`; with `yield` the CPU goes to whoever else wants it
// between looks; with `sleep` this waits on a futex instead (the first message of a block).
void spin_receive(SpinLine* line, uint32_t sequence, char* message, bool yield, bool sleep) {
  for (;;) {
    const uint32_t seen = __atomic_load_n(&line->sequence, __ATOMIC_ACQUIRE);
    if (seen == sequence) break;
    if (sleep) futex_wait(&line->sequence, seen);
    else if (yield) sched_yield();
  }
  std::memcpy(message, &sequence, sizeof sequence);
  std::memcpy(message + sizeof(uint32_t), line->rest, sizeof line->rest);
}

Shared* map_shared(const std::string& name, bool create, shmlink_handle* segment) {
  if (create) check(shmlink_segment_create(name.c_str(), sizeof(Shared), 0, segment), "segment_create");
  else check(shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, segment), "segment_open");
  shmlink_handle view;
  void* address;
  check(shmlink_map(*segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address), "map");
  return static_cast<Shared*>(address);
}

void write_full(int fd, const char* data, size_t length) {
  while (length > 0) {
    const ssize_t done = write(fd, data, length);
    if (done <= 0) fail("write");
    data += done;
    length -= static_cast<size_t>(done);
  }
}
void read_full(int fd, char* data, size_t length) {
  while (length > 0) {
    const ssize_t done = read(fd, data, length);
    if (done <= 0) fail("read");
    data += done;
    length -= static_cast<size_t>(done);
  }
}

void channel_send(shmlink_handle channel, const char* message, uint32_t timeout_ms) {
  check(shmlink_channel_send(channel, message, kMessage, timeout_ms), "channel_send");
}
void channel_receive(shmlink_handle channel, char* message) {
  uint32_t length;
  check(shmlink_channel_receive(channel, message, kMessage, &length, SHMLINK_INFINITE), "channel_receive");
}
// The zero-copy path polled: peek with timeout 0 until a message is there.
const char* channel_poll(shmlink_handle channel, bool yield, bool sleep) {
  const void* data;
  uint32_t length;
  for (;;) {
    const shmlink_status status = shmlink_channel_peek(channel, sleep ? SHMLINK_INFINITE : 0, &data, &length);
    if (status == SHMLINK_OK) return static_cast<const char*>(data);
    if (status != SHMLINK_ERR_TIMEOUT) die("channel_peek", status);
    if (yield) sched_yield();
  }
}

std::string queue_name(const std::string& name, const char* direction) { return name + ".mq." + direction; }

// What one peer is given on its command line.
struct PeerArgs {
  int mechanism;
  std::string name;
  int trips;
  int read_fd, write_fd;
  bool yield;
};

// The peer echoes every message back.
int run_peer(const PeerArgs& args) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // a main process that dies must not leave peers blocked forever
  const std::vector<int> sizes = blocks(args.trips);
  char message[kMessage];
  // Calls `echo(first_of_block)` once per message the main process sends.
  auto for_each_message = [&](auto&& echo) {
    for (int size : sizes) {
      for (int i = 0; i <= size; ++i) echo(i == 0);
    }
  };
  switch (args.mechanism) {
    case kChannel:
    case kChannelPoll: {
      shmlink_handle ping, pong;
      check(shmlink_channel_open((args.name + ".ping").c_str(), SHMLINK_CHANNEL_RECEIVER, &ping), "channel_open");
      check(shmlink_channel_open((args.name + ".pong").c_str(), SHMLINK_CHANNEL_SENDER, &pong), "channel_open");
      if (args.mechanism == kChannel) {
        for_each_message([&](bool) {
          channel_receive(ping, message);
          channel_send(pong, message, SHMLINK_INFINITE);
        });
      } else {
        for_each_message([&](bool first) {
          check(shmlink_channel_send(pong, channel_poll(ping, args.yield, first), kMessage, 0), "channel_send");
          check(shmlink_channel_consume(ping), "channel_consume");
        });
      }
      break;
    }
    case kFutex:
    case kSpin:
    case kRawRing: {
      shmlink_handle segment;
      Shared* shared = map_shared(args.name, false, &segment);
      bench::RawRing ring_ping(shared->ring_ping.bytes, kMessage, kRingSlots);
      bench::RawRing ring_pong(shared->ring_pong.bytes, kMessage, kRingSlots);
      uint32_t sequence = 0;
      for_each_message([&](bool first) {
        if (args.mechanism == kRawRing) {
          ring_receive(ring_ping, message, args.yield, first);
          ring_send(ring_pong, message, false);
        } else if (args.mechanism == kFutex) {
          futex_receive(&shared->futex_ping, message);
          futex_send(&shared->futex_pong, message);
        } else {
          spin_receive(&shared->spin_ping, ++sequence, message, args.yield, first);
          spin_send(&shared->spin_pong, message, false);
        }
      });
      break;
    }
    case kPipe:
    case kSocket:
      for_each_message([&](bool) {
        read_full(args.read_fd, message, kMessage);
        write_full(args.write_fd, message, kMessage);
      });
      break;
    case kBoostQueue: {
      bip::message_queue ping(bip::open_only, queue_name(args.name, "ping").c_str());
      bip::message_queue pong(bip::open_only, queue_name(args.name, "pong").c_str());
      for_each_message([&](bool) {
        bip::message_queue::size_type length;
        unsigned priority;
        ping.receive(message, kMessage, length, priority);
        pong.send(message, length, 0);
      });
      break;
    }
    default:
      return 1;
  }
  return 0;
}

pid_t spawn_peer(const char* self, const PeerArgs& args) {
  return bench::spawn_self(self, {std::to_string(args.mechanism), args.name, std::to_string(args.trips),
                                  std::to_string(args.read_fd), std::to_string(args.write_fd), args.yield ? "1" : "0"});
}




struct Placement {
  Percentiles result[kMechanisms];
};

// Measures every mechanism with its peer on `peer_cpu` and this process on CPU 0.
Placement run_placement(const char* self, const std::string& name, int trips, int peer_cpu) {
  const bool yield = peer_cpu == 0;  // spinning on the CPU the peer needs would starve it
  // Everything is set up and every peer runs at once, and the mechanisms take turns in
  // blocks, so that all of them see the same machine (load, CPU frequency, idle states).
  shmlink_handle ping, pong, poll_ping, poll_pong;
  constexpr uint64_t kCapacity = 4096;
  check(shmlink_channel_create((name + ".ch.ping").c_str(), kCapacity, kMessage, SHMLINK_CHANNEL_SENDER, &ping),
        "channel_create");
  check(shmlink_channel_create((name + ".ch.pong").c_str(), kCapacity, kMessage, SHMLINK_CHANNEL_RECEIVER, &pong),
        "channel_create");
  check(shmlink_channel_create((name + ".poll.ping").c_str(), kCapacity, kMessage, SHMLINK_CHANNEL_SENDER,
                               &poll_ping),
        "channel_create");
  check(shmlink_channel_create((name + ".poll.pong").c_str(), kCapacity, kMessage, SHMLINK_CHANNEL_RECEIVER,
                               &poll_pong),
        "channel_create");
  shmlink_handle segment;
  Shared* shared = map_shared(name + ".raw", true, &segment);
  int pipe_to[2], pipe_from[2], sockets[2];
  if (pipe(pipe_to) != 0 || pipe(pipe_from) != 0) fail("pipe");
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sockets) != 0) fail("socketpair");
  const std::string ping_queue = queue_name(name, "ping"), pong_queue = queue_name(name, "pong");
  bip::message_queue::remove(ping_queue.c_str());
  bip::message_queue::remove(pong_queue.c_str());
  auto queue_ping = std::make_unique<bip::message_queue>(bip::create_only, ping_queue.c_str(), 16, kMessage);
  auto queue_pong = std::make_unique<bip::message_queue>(bip::create_only, pong_queue.c_str(), 16, kMessage);

  // Peers inherit the CPU this process is pinned to when it starts them.
  pin_to_cpu(peer_cpu);
  pid_t peers[kMechanisms];
  for (int m = 0; m < kMechanisms; ++m) {
    PeerArgs args{m, name, trips, -1, -1, yield};
    if (m == kChannel) args.name = name + ".ch";
    if (m == kChannelPoll) args.name = name + ".poll";
    if (m == kFutex || m == kSpin || m == kRawRing) args.name = name + ".raw";
    if (m == kPipe) args.read_fd = pipe_to[0], args.write_fd = pipe_from[1];
    if (m == kSocket) args.read_fd = args.write_fd = sockets[1];
    peers[m] = spawn_peer(self, args);
  }
  pin_to_cpu(0);
  close(pipe_to[0]);
  close(pipe_from[1]);
  close(sockets[1]);
  // No hello: a channel queues before its first receiver attaches, and a receive waits for
  // the first sender (since 1.4), so the first round trip of the warm-up is the handshake.

  bench::RawRing ring_ping(shared->ring_ping.bytes, kMessage, kRingSlots);
  bench::RawRing ring_pong(shared->ring_pong.bytes, kMessage, kRingSlots);
  char message[kMessage] = {}, reply[kMessage];
  uint32_t sequence = 0;
  // One round trip of `mechanism`; every message carries a new sequence number, checked on return.
  auto round_trip = [&](int mechanism, bool first) {
    ++sequence;
    std::memcpy(message, &sequence, sizeof sequence);
    switch (mechanism) {
      case kChannel:
        channel_send(ping, message, SHMLINK_INFINITE);
        channel_receive(pong, reply);
        break;
      case kChannelPoll:
        channel_send(poll_ping, message, 0);
        std::memcpy(reply, channel_poll(poll_pong, yield, false), kMessage);
        check(shmlink_channel_consume(poll_pong), "channel_consume");
        break;
      case kFutex:
        futex_send(&shared->futex_ping, message);
        futex_receive(&shared->futex_pong, reply);
        break;
      case kSpin:
        spin_send(&shared->spin_ping, message, first);
        spin_receive(&shared->spin_pong, sequence, reply, yield, false);
        break;
      case kRawRing:
        ring_send(ring_ping, message, first);
        ring_receive(ring_pong, reply, yield, false);
        break;
      case kPipe:
        write_full(pipe_to[1], message, kMessage);
        read_full(pipe_from[0], reply, kMessage);
        break;
      case kSocket:
        write_full(sockets[0], message, kMessage);
        read_full(sockets[0], reply, kMessage);
        break;
      case kBoostQueue: {
        queue_ping->send(message, kMessage, 0);
        bip::message_queue::size_type length;
        unsigned priority;
        queue_pong->receive(reply, kMessage, length, priority);
        break;
      }
    }
    if (std::memcmp(message, reply, kMessage) != 0) {
      std::fprintf(stderr, "%s: the reply is not the message sent\n", kKeys[mechanism]);
      std::exit(1);
    }
  };
  // The raw spin's sequence numbers count per mechanism on the peer's side: keep them apart.
  uint32_t sequences[kMechanisms] = {};

  std::vector<double> samples[kMechanisms];
  const std::vector<int> sizes = blocks(trips);
  for (size_t b = 0; b < sizes.size(); ++b) {
    for (int m = 0; m < kMechanisms; ++m) {
      sequence = sequences[m];
      round_trip(m, true);
      for (int i = 0; i < sizes[b]; ++i) {
        const auto start = std::chrono::steady_clock::now();
        round_trip(m, false);
        const auto end = std::chrono::steady_clock::now();
        if (b > 0) samples[m].push_back(std::chrono::duration<double, std::nano>(end - start).count());
      }
      sequences[m] = sequence;
    }
  }
  for (pid_t peer : peers) wait_child(peer);
  for (shmlink_handle handle : {ping, pong, poll_ping, poll_pong, segment}) shmlink_close(handle);
  close(pipe_to[1]);
  close(pipe_from[0]);
  close(sockets[0]);
  queue_ping.reset();
  queue_pong.reset();
  bip::message_queue::remove(ping_queue.c_str());
  bip::message_queue::remove(pong_queue.c_str());

  Placement placement;
  for (int m = 0; m < kMechanisms; ++m) placement.result[m] = summarize(samples[m]);
  return placement;
}

void print_placement(const char* title, const char* spin_note, int trips, const Placement& placement) {
  const Percentiles* r = placement.result;
  std::printf("Two-process ping-pong round trip of a %u-byte message, %s\n", kMessage, title);
  std::printf("%d round trips each, mechanisms interleaved in blocks of %d (microseconds)\n", trips, kBlock);
  std::printf("%s\n", spin_note);
  std::printf("%-28s %9s %9s %9s\n", "mechanism", "p50", "p99", "p99.9");
  for (int m = 0; m < kMechanisms; ++m)
    std::printf("%-28s %9.2f %9.2f %9.2f\n", kTitles[m], r[m].p50, r[m].p99, r[m].p999);
  std::printf("channel blocking / raw futex (p50):  %.2fx (target <= 1.20x)\n", r[kChannel].p50 / r[kFutex].p50);
  std::printf("channel blocking / Boost mq (p50):   %.2fx (target <= 0.50x)\n",
              r[kChannel].p50 / r[kBoostQueue].p50);
  std::printf("channel blocking / Unix socket (p50): %.2fx (target <= 0.50x)\n", r[kChannel].p50 / r[kSocket].p50);
  std::printf("channel busy-poll / raw spin (p50):  %.2fx (target <= 2.00x; stated for cross-core)\n",
              r[kChannelPoll].p50 / r[kSpin].p50);
  std::printf("channel busy-poll / raw SPSC ring (p50): %.2fx\n\n", r[kChannelPoll].p50 / r[kRawRing].p50);
}

void write_csv(const char* path, const Placement& same, const Placement& cross) {
  FILE* file = std::fopen(path, "w");
  if (file == nullptr) fail(path);
  std::fprintf(file, "placement,mechanism,p50_us,p99_us,p999_us\n");
  for (const auto& [placement, key] : {std::pair{&same, "same-core"}, std::pair{&cross, "cross-core"}}) {
    for (int m = 0; m < kMechanisms; ++m) {
      const Percentiles& p = placement->result[m];
      std::fprintf(file, "%s,%s,%.3f,%.3f,%.3f\n", key, kKeys[m], p.p50, p.p99, p.p999);
    }
  }
  std::fclose(file);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--peer") == 0) {
    if (argc != 8) return 2;
    return run_peer({std::atoi(argv[2]), argv[3], std::atoi(argv[4]), std::atoi(argv[5]), std::atoi(argv[6]),
                     std::strcmp(argv[7], "1") == 0});
  }
  int trips = 100000;
  const char* csv = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--csv") == 0 && i + 1 < argc) csv = argv[++i];
    else trips = std::atoi(argv[i]);
  }
  if (trips <= 0) {
    std::fprintf(stderr, "usage: channel_pingpong [round_trips] [--csv FILE]\n");
    return 2;
  }
  const std::string name = "bench-chpp-" + std::to_string(getpid());
  char self[4096];
  const ssize_t self_length = readlink("/proc/self/exe", self, sizeof self - 1);
  if (self_length <= 0) return 1;
  self[self_length] = '\0';

  const Placement same = run_placement(self, name + ".same", trips, 0);
  const Placement cross = run_placement(self, name + ".cross", trips, 1);
  print_placement("both processes on CPU 0 (wake-up and kernel path cost)",
                  "(same core: the busy-poll and spin loops call sched_yield between looks, or the spinner would "
                  "hold the only CPU until preempted)",
                  trips, same);
  print_placement("peer on CPU 1 (cross-core; on a VM a sleeping peer costs waking an idle vCPU)",
                  "(cross core: busy-poll and spin loops spin without yielding)", trips, cross);
  if (csv != nullptr) write_csv(csv, same, cross);
  return 0;
}
