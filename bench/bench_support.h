// What the C++ benchmarks share: failing loudly, raw futex calls, CPU pinning and waiting
// for a peer process. Header-only; every benchmark is one program.
#pragma once

#include <shmlink/shmlink.h>

#include <linux/futex.h>
#include <sched.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace bench {

[[noreturn]] inline void die(const char* what, shmlink_status status) {
  std::fprintf(stderr, "%s: %s (%s)\n", what, shmlink_status_name(status), shmlink_last_error_message());
  std::exit(1);
}
inline void check(shmlink_status status, const char* what) {
  if (SHMLINK_FAILED(status)) die(what, status);
}
// For a failed system call: errno's text.
[[noreturn]] inline void fail(const char* what) {
  std::perror(what);
  std::exit(1);
}

inline void futex_wait(uint32_t* word, uint32_t expected) {
  syscall(SYS_futex, word, FUTEX_WAIT, expected, nullptr, nullptr, 0);
}
inline void futex_wake(uint32_t* word) { syscall(SYS_futex, word, FUTEX_WAKE, 1, nullptr, nullptr, 0); }

inline void pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) fail("sched_setaffinity");
}

// Waits for the peer process; a peer that failed fails the benchmark.
inline void wait_child(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "a peer failed\n");
    std::exit(1);
  }
}

// Starts this very program (`self`, argv[0]) again as `self --peer arguments...`.
inline pid_t spawn_self(const char* self, const std::vector<std::string>& arguments) {
  std::vector<const char*> argv{self, "--peer"};
  for (const std::string& argument : arguments) argv.push_back(argument.c_str());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, self, nullptr, nullptr, const_cast<char**>(argv.data()), environ) != 0) fail("posix_spawn");
  return pid;
}

struct Percentiles {
  double p50, p99, p999;
};

// The percentiles of round trips given in nanoseconds, in microseconds (sorts the samples).
inline Percentiles summarize(std::vector<double>& nanoseconds) {
  std::sort(nanoseconds.begin(), nanoseconds.end());
  auto at = [&](double q) { return nanoseconds[static_cast<size_t>(q * (nanoseconds.size() - 1))] / 1000.0; };
  return {at(0.50), at(0.99), at(0.999)};
}

}  // namespace bench
