// Lost wake-ups (Linux): a waiter that a set, release or unlock wakes but that dies before it
// takes the object must not leave the object set (or counted, or free) while another waiter
// sleeps on. A peer sleeping in its wait is made to stop the moment its wait ends (a ptrace
// syscall-exit stop: it runs none of its own code after the wake), is killed there, and a
// waiting thread of the test must then get the object.
//
// (Stopping the peer with SIGSTOP instead would not do: a stop signal takes a sleeper out of
// its futex wait, so the wake would go to the other waiter and nothing would be lost.)
#ifdef __linux__

#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/peer_output.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

namespace shmlink_test {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// The futex calls' numbers as /proc/<pid>/task/<tid>/syscall shows them. The calls a thread
// makes are those of its own architecture, whatever the test's: x86-64 futex and futex_waitv;
// i386 futex, futex_time64 (what a 32-bit library sleeps in) and futex_waitv. A 32-bit
// program run by qemu-i386 on x86-64 makes the host's calls.
bool is_futex_call(long number, bool i386_caller) {
  constexpr long kFutexWaitv = 449;  // the same on both
  if (i386_caller) return number == 240 || number == 422 || number == kFutexWaitv;
  return number == 202 || number == kFutexWaitv;
}

// Whether `pid` makes i386 system calls: its executable is a 32-bit ELF file. (A program run
// by qemu-i386 through binfmt_misc has qemu, a 64-bit program, as its executable.)
bool makes_i386_calls(pid_t pid) {
  std::ifstream executable("/proc/" + std::to_string(pid) + "/exe", std::ios::binary);
  char ident[5] = {};
  return executable.read(ident, sizeof ident) && ident[4] == 1;  // EI_CLASS: ELFCLASS32
}

// How long the second waiter gets once the woken peer is dead: far more than a wake takes.
constexpr milliseconds kHandOverTime{5000};
constexpr milliseconds kSettleTime{10000};

// Whether thread `tid` of process `pid` sleeps in a futex wait.
bool asleep_in_futex(pid_t pid, pid_t tid) {
  const std::string task = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/";
  std::ifstream syscall_file(task + "syscall");
  long number = -1;
  if (!(syscall_file >> number) || !is_futex_call(number, makes_i386_calls(pid))) return false;
  std::ifstream stat_file(task + "stat");
  std::string stat;
  std::getline(stat_file, stat);
  const size_t end_of_name = stat.rfind(')');
  return end_of_name != std::string::npos && end_of_name + 2 < stat.size() && stat[end_of_name + 2] == 'S';
}

// Waits until the thread sleeps in a futex wait, twice some milliseconds apart (a thread
// reads as sleeping a moment before it is queued on the futex).
bool wait_until_asleep(pid_t pid, pid_t tid) {
  const auto deadline = Clock::now() + kSettleTime;
  while (Clock::now() < deadline) {
    if (asleep_in_futex(pid, tid)) {
      std::this_thread::sleep_for(milliseconds(20));
      if (asleep_in_futex(pid, tid)) return true;
    }
    std::this_thread::sleep_for(milliseconds(1));
  }
  return false;
}

// Traces a peer (its main thread) that sleeps in a futex wait so that it stops as soon as
// that wait ends, and kills it at the end.
class WakeTrap {
 public:
  explicit WakeTrap(pid_t pid) : pid_(pid) {}
  ~WakeTrap() { kill_and_reap(); }
  WakeTrap(const WakeTrap&) = delete;
  WakeTrap& operator=(const WakeTrap&) = delete;

  // Call while the peer sleeps in its wait. Returns why it failed, or "".
  std::string arm() {
    if (ptrace(PTRACE_SEIZE, pid_, nullptr, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) != 0)
      return std::string("PTRACE_SEIZE: ") + std::strerror(errno);
    seized_ = true;
    // The interrupt takes the peer out of its wait; resumed, it enters the wait again (the
    // kernel restarts the call): stop at that entry, then let it sleep until the wait ends.
    if (ptrace(PTRACE_INTERRUPT, pid_, nullptr, nullptr) != 0) return std::string("PTRACE_INTERRUPT: ") + std::strerror(errno);
    int status = 0;
    if (!wait_for_stop(&status, kSettleTime)) return "the peer did not stop when interrupted";
    if (ptrace(PTRACE_SYSCALL, pid_, nullptr, nullptr) != 0) return std::string("PTRACE_SYSCALL: ") + std::strerror(errno);
    if (!wait_for_stop(&status, kSettleTime) || WSTOPSIG(status) != (SIGTRAP | 0x80))
      return "the peer did not enter its wait again";
    if (ptrace(PTRACE_SYSCALL, pid_, nullptr, nullptr) != 0) return std::string("PTRACE_SYSCALL: ") + std::strerror(errno);
    return "";
  }

  // Whether the peer's wait ended (it is now stopped at the end of the call) within `timeout`.
  bool wait_ended(milliseconds timeout) {
    int status = 0;
    return wait_for_stop(&status, timeout) && WSTOPSIG(status) == (SIGTRAP | 0x80);
  }

  // Whether the wait that ended was woken (a futex call's result >= 0: 0, or futex_waitv's
  // index) rather than ended by its own deadline or an error. Call after wait_ended().
  bool wait_was_woken() {
    user_regs_struct registers{};
    if (ptrace(PTRACE_GETREGS, pid_, nullptr, &registers) != 0) return false;
#if defined(__x86_64__)
    const unsigned long long result = registers.rax;
#elif defined(__i386__)
    const unsigned long long result = static_cast<unsigned long>(registers.eax);
#else
#error "the lost wake-up tests know the result register of x86 only"
#endif
    // An i386 peer's result is 32 bits wide, whatever the tracer's width.
    return static_cast<int32_t>(static_cast<uint32_t>(result)) >= 0;
  }

  // Kills the peer and reaps it (the Process then finds nothing left to wait for).
  void kill_and_reap() {
    if (reaped_) return;
    reaped_ = true;
    ::kill(pid_, SIGKILL);
    const auto deadline = Clock::now() + kSettleTime;
    while (Clock::now() < deadline) {
      int status = 0;
      const pid_t result = waitpid(pid_, &status, __WALL | WNOHANG);
      if (result < 0 || (result == pid_ && (WIFEXITED(status) || WIFSIGNALED(status)))) return;
      if (result == 0) std::this_thread::sleep_for(milliseconds(1));
    }
  }

 private:
  bool wait_for_stop(int* status, milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      const pid_t result = waitpid(pid_, status, __WALL | WNOHANG);
      if (result == pid_) return WIFSTOPPED(*status);
      if (result < 0) return false;
      std::this_thread::sleep_for(milliseconds(1));
    }
    return false;
  }

  pid_t pid_;
  bool seized_ = false;
  bool reaped_ = false;
};

// A thread of the test that waits without a time limit; `unblock` lets it go if it is still
// waiting when the test ends.
class InfiniteWaiter {
 public:
  InfiniteWaiter(std::function<shmlink_status()> wait, std::function<void()> unblock)
      : unblock_(std::move(unblock)), thread_([this, wait = std::move(wait)] {
          tid_.store(static_cast<pid_t>(syscall(SYS_gettid)));
          status_.store(wait());
          done_.store(true);
        }) {}
  ~InfiniteWaiter() {
    if (!done_.load()) unblock_();
    thread_.join();
  }
  InfiniteWaiter(const InfiniteWaiter&) = delete;
  InfiniteWaiter& operator=(const InfiniteWaiter&) = delete;

  bool asleep() {
    const auto deadline = Clock::now() + kSettleTime;
    while (tid_.load() == 0 && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(1));
    return tid_.load() != 0 && wait_until_asleep(getpid(), tid_.load());
  }
  // Whether the wait returned within `timeout`.
  bool done_within(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!done_.load() && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(1));
    return done_.load();
  }
  shmlink_status status() const { return status_.load(); }

 private:
  std::function<void()> unblock_;
  std::atomic<pid_t> tid_{0};
  std::atomic<shmlink_status> status_{SHMLINK_ERR_SYSTEM};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// The scenario: `peer` waits (says "ready"), sleeps, and is trapped; then `waiter` sleeps
// after it, `release` wakes the peer first, the peer dies before it takes anything, and the
// waiter must get what `release` gave.
// The peer's wait also ends by itself every so often (every wait looks at its objects again
// at least every second, in case their file was truncated: see dll/posix/sigbus_guard.h; a
// mutex in a wait-any every 100 ms), so it may stop at such an end instead of being woken
// by the release; then the waiter gets the object without anything being tested, and
// `*tested` is false: the caller tries again. (A sleep with a deadline that the trap
// interrupted is resumed as restart_syscall, not as a futex call: that is why the peer
// cannot be seen "asleep again" in it.)
void expect_the_other_waiter_gets_it(Process& peer, std::function<shmlink_status()> wait,
                                     const std::function<void()>& release, const std::function<void()>& unblock,
                                     bool* tested) {
  *tested = false;
  ASSERT_NO_FATAL_FAILURE(expect_line(peer, "ready"));
  ASSERT_TRUE(wait_until_asleep(peer.pid(), peer.pid())) << "the peer never went to sleep in its wait";
  WakeTrap trap(peer.pid());
  const std::string error = trap.arm();
  if (!error.empty()) {
    if (error.rfind("PTRACE_SEIZE", 0) == 0) GTEST_SKIP() << "cannot trace the peer here: " << error;
    FAIL() << error;
  }
  InfiniteWaiter waiter(std::move(wait), unblock);
  ASSERT_TRUE(waiter.asleep()) << "the test's waiter never went to sleep";
  release();
  ASSERT_TRUE(trap.wait_ended(kSettleTime)) << "the release did not end the peer's wait";
  const bool peer_was_woken = trap.wait_was_woken();
  trap.kill_and_reap();  // woken, it dies before running any of its own code
  ASSERT_TRUE(waiter.done_within(kHandOverTime))
      << "lost wake-up: the peer was woken and died, and the other waiter sleeps on";
  EXPECT_STATUS(SHMLINK_OK, waiter.status());
  *tested = peer_was_woken;
}

// Runs `attempt` (one scenario with objects of its own) until the release did wake the peer,
// a bounded number of times.
// `sliced_peer`: the peer's wait may sleep in slices of a few milliseconds (a wait-any without
// futex_waitv, as under qemu-i386, which has none): then every sleep the trap sees ends by its
// own deadline, the scenario cannot be made, and the test skips (such a wait looks at every
// object again after each slice, so it cannot lose a wake-up for good).
void until_the_peer_is_woken(const std::function<void(bool* tested)>& attempt, bool sliced_peer = false) {
  constexpr int kAttempts = 10;
  bool tested = false;
  for (int round = 0; round < kAttempts && !tested; ++round) {
    ASSERT_NO_FATAL_FAILURE(attempt(&tested));
    if (testing::Test::IsSkipped()) return;
  }
  if (!tested && sliced_peer)
    GTEST_SKIP() << "the peer's wait-any sleeps in short slices (no futex_waitv for it): a wake cannot be caught "
                    "in flight";
  ASSERT_TRUE(tested) << "in " << kAttempts << " rounds the peer's wait always ended by its own deadline "
                      << "before the release: the scenario never happened";
}

// Whether the peer helper's wait-any may be sliced: a peer of another build (the interop runs'
// SHMLINK_PEER_DIR), which may run under qemu-i386.
bool peer_may_sleep_in_slices() { return std::getenv("SHMLINK_PEER_DIR") != nullptr; }

TEST(LostWakeUps, AutoResetSignalSetGoesToAnotherWaiterWhenTheWokenOneDies) {
  until_the_peer_is_woken([](bool* tested) {
    const std::string name = unique_name();
    Handle signal;
    ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(name.c_str(), SHMLINK_SIGNAL_AUTO_RESET, signal.out()));
    auto peer = start_peer({"signal-wait", name, "infinite"});
    const shmlink_handle handle = signal.get();
    expect_the_other_waiter_gets_it(
        *peer, [handle] { return shmlink_wait(handle, SHMLINK_INFINITE); },
        [handle] { ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(handle)); },
        [handle] { shmlink_signal_set(handle); }, tested);
  });
}

TEST(LostWakeUps, SemaphoreReleaseGoesToAnotherWaiterWhenTheWokenOneDies) {
  until_the_peer_is_woken([](bool* tested) {
    const std::string name = unique_name();
    Handle semaphore;
    ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_create(name.c_str(), 0, 10, 0, semaphore.out()));
    auto peer = start_peer({"semaphore-wait", name, "infinite"});
    const shmlink_handle handle = semaphore.get();
    expect_the_other_waiter_gets_it(
        *peer, [handle] { return shmlink_wait(handle, SHMLINK_INFINITE); },
        [handle] { ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(handle, 1, nullptr)); },
        [handle] { shmlink_semaphore_release(handle, 1, nullptr); }, tested);
  });
}

TEST(LostWakeUps, MutexUnlockGoesToAnotherWaitAnyWhenTheWokenOneDies) {
  until_the_peer_is_woken([](bool* tested) {
    const std::string name = unique_name();
    const std::string other_name = unique_name();
    Handle mutex;
    Handle other;
    ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create(name.c_str(), SHMLINK_MUTEX_INITIALLY_OWNED, mutex.out()));
    ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(other_name.c_str(), SHMLINK_SIGNAL_AUTO_RESET, other.out()));
    auto peer = start_peer({"mutex-wait-any", name, other_name, "infinite"});
    const shmlink_handle handles[2] = {mutex.get(), other.get()};
    expect_the_other_waiter_gets_it(
        *peer,
        [handles] {
          uint32_t index = 99;
          const shmlink_status status = shmlink_wait_any(handles, 2, SHMLINK_INFINITE, &index);
          if (status != SHMLINK_OK) return status;
          if (index != 0) return SHMLINK_ERR_SYSTEM;  // only the watchdog sets the other object
          return shmlink_mutex_unlock(handles[0]);
        },
        [&handles] { ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(handles[0])); },
        [handles] { shmlink_signal_set(handles[1]); }, tested);
  }, peer_may_sleep_in_slices());
}

}  // namespace
}  // namespace shmlink_test

#endif  // __linux__
