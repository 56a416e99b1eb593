// What the C++ benchmarks share: failing loudly, raw futex calls, CPU pinning and waiting
// for a peer process. Header-only; every benchmark is one program.
#pragma once

#include <shmlink/shmlink.h>

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

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

}  // namespace bench
