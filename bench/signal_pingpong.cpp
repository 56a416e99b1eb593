// Two-process ping-pong round trip: shmlink signals against what a Linux programmer would
// otherwise use - raw futex wait/wake on shared words, and a pair of pipes - measured in one
// run. Prints p50 / p99 / p99.9 round-trip times and the ratios the targets are stated in.
//
//   signal_pingpong [round_trips]       (the peer is this program, started with --peer)
#include <shmlink/shmlink.h>

#include "bench_support.h"

#include <fcntl.h>
#include <sched.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

constexpr int kWarmup = 2000;



// The raw-futex baseline: one word per direction in a shared segment, 0 = empty, 1 = full.
struct FutexPair {
  alignas(64) uint32_t ping;
  alignas(64) uint32_t pong;
};
void futex_send(uint32_t* word) {
  __atomic_store_n(word, 1u, __ATOMIC_RELEASE);
  futex_wake(word);
}
void futex_receive(uint32_t* word) {
  while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == 0) futex_wait(word, 0);
  __atomic_store_n(word, 0u, __ATOMIC_RELAXED);
}

FutexPair* map_pair(const std::string& name, bool create, shmlink_handle* segment) {
  if (create) check(shmlink_segment_create(name.c_str(), sizeof(FutexPair), 0, segment), "segment_create");
  else check(shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, segment), "segment_open");
  shmlink_handle view;
  void* address;
  check(shmlink_map(*segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address), "map");
  return static_cast<FutexPair*>(address);
}

int run_peer(const std::string& mechanism, const std::string& name, int trips, int read_fd, int write_fd) {
  if (mechanism == "shmlink") {
    shmlink_handle ping, pong;
    check(shmlink_signal_open((name + ".ping").c_str(), &ping), "signal_open");
    check(shmlink_signal_open((name + ".pong").c_str(), &pong), "signal_open");
    for (int i = 0; i < trips; ++i) {
      check(shmlink_wait(ping, SHMLINK_INFINITE), "wait");
      check(shmlink_signal_set(pong), "set");
    }
  } else if (mechanism == "futex") {
    shmlink_handle segment;
    FutexPair* pair = map_pair(name, false, &segment);
    for (int i = 0; i < trips; ++i) {
      futex_receive(&pair->ping);
      futex_send(&pair->pong);
    }
  } else {
    char byte;
    for (int i = 0; i < trips; ++i) {
      if (read(read_fd, &byte, 1) != 1 || write(write_fd, &byte, 1) != 1) return 1;
    }
  }
  return 0;
}

pid_t spawn_peer(const char* self, const std::string& mechanism, const std::string& name, int trips, int read_fd,
                 int write_fd) {
  return bench::spawn_self(self, {mechanism, name, std::to_string(trips), std::to_string(read_fd),
                                  std::to_string(write_fd)});
}


// Runs `round_trip` `count` times, appending each round trip's time in nanoseconds.
template <class RoundTrip>
void measure_block(int count, std::vector<double>& samples, RoundTrip&& round_trip) {
  for (int i = 0; i < count; ++i) {
    const auto start = std::chrono::steady_clock::now();
    round_trip();
    samples.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count());
  }
}


struct Placement {
  Percentiles shmlink, futex, pipes;
};


// Measures the three mechanisms with their peers on `peer_cpu` and this process on CPU 0.
Placement run_placement(const char* self, const std::string& name, int trips, int peer_cpu) {
  const int total = trips + kWarmup;
  // All three peers run at once, and the mechanisms take turns in blocks, so that every one
  // of them sees the same machine (load, CPU frequency, idle states) over the run.
  shmlink_handle ping, pong;
  check(shmlink_signal_create((name + ".ping").c_str(), 0, &ping), "signal_create");
  check(shmlink_signal_create((name + ".pong").c_str(), 0, &pong), "signal_create");
  shmlink_handle segment;
  FutexPair* pair = map_pair(name + ".futex", true, &segment);
  int to_peer[2], from_peer[2];
  if (pipe(to_peer) != 0 || pipe(from_peer) != 0) std::exit(1);
  // Peers inherit the CPU this process is pinned to when it starts them.
  pin_to_cpu(peer_cpu);
  const pid_t shmlink_peer = spawn_peer(self, "shmlink", name, total, -1, -1);
  const pid_t futex_peer = spawn_peer(self, "futex", name + ".futex", total, -1, -1);
  const pid_t pipe_peer = spawn_peer(self, "pipe", name, total, to_peer[0], from_peer[1]);
  pin_to_cpu(0);
  close(to_peer[0]);
  close(from_peer[1]);

  auto shmlink_trip = [&] {
    check(shmlink_signal_set(ping), "set");
    check(shmlink_wait(pong, SHMLINK_INFINITE), "wait");
  };
  auto futex_trip = [&] {
    futex_send(&pair->ping);
    futex_receive(&pair->pong);
  };
  char byte = 'x';
  auto pipe_trip = [&] {
    if (write(to_peer[1], &byte, 1) != 1 || read(from_peer[0], &byte, 1) != 1) std::exit(1);
  };

  std::vector<double> discard, shmlink_samples, futex_samples, pipe_samples;
  measure_block(kWarmup, discard, shmlink_trip);
  measure_block(kWarmup, discard, futex_trip);
  measure_block(kWarmup, discard, pipe_trip);
  constexpr int kBlock = 1000;
  for (int done = 0; done < trips; done += kBlock) {
    const int count = std::min(kBlock, trips - done);
    measure_block(count, shmlink_samples, shmlink_trip);
    measure_block(count, futex_samples, futex_trip);
    measure_block(count, pipe_samples, pipe_trip);
  }
  wait_child(shmlink_peer);
  wait_child(futex_peer);
  wait_child(pipe_peer);
  shmlink_close(ping);
  shmlink_close(pong);
  shmlink_close(segment);
  close(to_peer[1]);
  close(from_peer[0]);
  return {summarize(shmlink_samples), summarize(futex_samples), summarize(pipe_samples)};

}

void print_placement(const char* title, int trips, const Placement& result) {
  std::printf("Two-process ping-pong round trip, %s\n", title);
  std::printf("%d round trips each, mechanisms interleaved in blocks of 1000 (microseconds)\n", trips);
  std::printf("%-26s %9s %9s %9s\n", "mechanism", "p50", "p99", "p99.9");
  const auto row = [](const char* mechanism, const Percentiles& p) {
    std::printf("%-26s %9.2f %9.2f %9.2f\n", mechanism, p.p50, p.p99, p.p999);
  };
  row("shmlink signals", result.shmlink);
  row("raw futex wait/wake", result.futex);
  row("pipe", result.pipes);
  std::printf("shmlink / raw futex (p50): %.2fx (target <= 1.20x)\n", result.shmlink.p50 / result.futex.p50);
  std::printf("shmlink / pipe (p50):      %.2fx (target < 1.00x)\n\n", result.shmlink.p50 / result.pipes.p50);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 7 && std::strcmp(argv[1], "--peer") == 0)
    return run_peer(argv[2], argv[3], std::atoi(argv[4]), std::atoi(argv[5]), std::atoi(argv[6]));
  const int trips = argc > 1 ? std::atoi(argv[1]) : 100000;
  const std::string name = "bench-pingpong-" + std::to_string(getpid());
  char self[4096];
  const ssize_t self_length = readlink("/proc/self/exe", self, sizeof self - 1);
  if (self_length <= 0) return 1;
  self[self_length] = '\0';

  const Placement same = run_placement(self, name + ".same", trips, 0);
  const Placement cross = run_placement(self, name + ".cross", trips, 1);
  print_placement("both processes on CPU 0 (wake-up and kernel path cost)", trips, same);
  print_placement("peer on CPU 1 (cross-core wake-up; on a VM dominated by waking an idle vCPU)", trips, cross);
  return 0;
}
