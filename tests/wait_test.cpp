// Waiting: shmlink_wait and shmlink_wait_any on signals, semaphores and mutexes, mixed;
// the lowest ready index wins and only that object is taken; time limits are never cut
// short; wakes are never lost, also when several threads wait on several objects.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/peer_output.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#ifdef _WIN32
#include <windows.h>
#else
#include <time.h>
#endif

namespace shmlink_test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr uint32_t kLongWaitMs = 20000;
constexpr uint32_t kNoIndex = 77;  // what out_index holds before a call that must not set it

Handle make_signal(uint32_t flags = SHMLINK_SIGNAL_AUTO_RESET) {
  Handle signal;
  EXPECT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(), flags, signal.out()));
  return signal;
}

Handle make_semaphore(uint32_t initial_count, uint32_t max_count = 1000) {
  Handle semaphore;
  EXPECT_STATUS(SHMLINK_OK,
                shmlink_semaphore_create(unique_name().c_str(), initial_count, max_count, 0, semaphore.out()));
  return semaphore;
}

Handle make_mutex(const std::string& name = unique_name()) {
  Handle mutex;
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_create(name.c_str(), 0, mutex.out()));
  return mutex;
}

// What shmlink_wait_any on `handles` returned, and its out_index (kNoIndex if not set).
struct WaitResult {
  shmlink_status status;
  uint32_t index;
};
WaitResult wait_any(const std::vector<shmlink_handle>& handles, uint32_t timeout_ms) {
  WaitResult result{SHMLINK_ERR_SYSTEM, kNoIndex};
  result.status = shmlink_wait_any(handles.data(), static_cast<uint32_t>(handles.size()), timeout_ms, &result.index);
  return result;
}

// Expects wait_any to take the object at `index` (immediately, with timeout 0).
void expect_takes(const std::vector<shmlink_handle>& handles, uint32_t index,
                  shmlink_status expected_status = SHMLINK_OK) {
  const WaitResult result = wait_any(handles, 0);
  EXPECT_STATUS(expected_status, result.status);
  EXPECT_EQ(result.index, index);
}

void expect_nothing_ready(const std::vector<shmlink_handle>& handles) {
  const WaitResult result = wait_any(handles, 0);
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, result.status);
  EXPECT_EQ(result.index, kNoIndex) << "a failed wait leaves out_index alone";
}

// A thread that locks a mutex and holds it until release().
class HoldingThread {
 public:
  explicit HoldingThread(shmlink_handle mutex) {
    std::future<void> locked = locked_.get_future();
    thread_ = std::thread([this, mutex, release = release_.get_future()] {
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex, kLongWaitMs));
      locked_.set_value();
      if (release.wait_for(milliseconds(kLongWaitMs)) != std::future_status::ready)
        ADD_FAILURE() << "nobody let the holding thread go";
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex));
    });
    locked.wait();
  }
  ~HoldingThread() { release(); }
  void release() {
    if (!thread_.joinable()) return;
    release_.set_value();
    thread_.join();
  }

 private:
  std::promise<void> locked_;
  std::promise<void> release_;
  std::thread thread_;
};

TEST(Waits, WaitTakesEachKind) {
  const Handle signal = make_signal(SHMLINK_SIGNAL_INITIALLY_SET);
  const Handle semaphore = make_semaphore(1);
  const Handle mutex = make_mutex();
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(signal.get(), 0));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(signal.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(semaphore.get(), 0));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(semaphore.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(mutex.get(), kLongWaitMs));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get())) << "the wait acquired it";
}

TEST(Waits, WaitAnyOnMixedKindsTakesTheOneThatIsReady) {
  const Handle signal = make_signal();
  const Handle semaphore = make_semaphore(0);
  const Handle mutex = make_mutex();
  const std::vector<shmlink_handle> handles = {signal.get(), semaphore.get(), mutex.get()};
  {
    HoldingThread holder(mutex.get());
    expect_nothing_ready(handles);
    ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 1, nullptr));
    expect_takes(handles, 1);
    expect_nothing_ready(handles);
    ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
    expect_takes(handles, 0);
    expect_nothing_ready(handles);
  }
  expect_takes(handles, 2);
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get())) << "wait_any acquired the mutex";
}

TEST(Waits, TimeoutZeroPollsAndReturnsAtOnce) {
  const Handle signal = make_signal();
  const Handle semaphore = make_semaphore(0);
  const Handle mutex = make_mutex();
  HoldingThread holder(mutex.get());
  const auto start = Clock::now();
  for (int i = 0; i < 100; ++i) {
    ASSERT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(signal.get(), 0));
    ASSERT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(semaphore.get(), 0));
    ASSERT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(mutex.get(), 0));
    ASSERT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_mutex_lock(mutex.get(), 0));
    ASSERT_NO_FATAL_FAILURE(expect_nothing_ready({signal.get(), semaphore.get(), mutex.get()}));
  }
  // 500 polls; none of them sleeps (a generous bound: this is not a speed test).
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}

TEST(Waits, LowestReadyIndexWinsAndOnlyThatObjectIsTaken) {
  const Handle first = make_signal(SHMLINK_SIGNAL_INITIALLY_SET);
  const Handle semaphore = make_semaphore(2);
  const Handle manual = make_signal(SHMLINK_SIGNAL_MANUAL_RESET | SHMLINK_SIGNAL_INITIALLY_SET);
  const Handle mutex = make_mutex();
  const Handle last = make_signal(SHMLINK_SIGNAL_INITIALLY_SET);
  const std::vector<shmlink_handle> handles = {first.get(), semaphore.get(), manual.get(), mutex.get(), last.get()};

  expect_takes(handles, 0);  // resets the auto-reset signal only
  expect_takes(handles, 1);  // the semaphore, 2 -> 1
  expect_takes(handles, 1);  // 1 -> 0
  expect_takes(handles, 2);  // the manual-reset signal stays set
  expect_takes(handles, 2);
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_reset(manual.get()));
  expect_takes(handles, 3);  // the mutex, acquired
  expect_takes(handles, 3);  // and again: recursive for this thread
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  {
    HoldingThread holder(mutex.get());
    expect_takes(handles, 4);  // still set after all that: nothing took it on the way
    expect_nothing_ready(handles);
  }
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(mutex.get())) << "released by every level";
}

TEST(Waits, ReadyObjectsAfterTheWinnerAreLeftAlone) {
  const Handle a = make_semaphore(1);
  const Handle b = make_semaphore(1);
  const Handle c = make_signal(SHMLINK_SIGNAL_INITIALLY_SET);
  expect_takes({a.get(), b.get(), c.get()}, 0);
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(b.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(c.get(), 0));
  expect_nothing_ready({a.get(), b.get(), c.get()});
  // The order is the caller's, not the order of creation.
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(a.get(), 1, nullptr));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(c.get()));
  expect_takes({c.get(), b.get(), a.get()}, 0);
  expect_takes({c.get(), b.get(), a.get()}, 2);
}

TEST(Waits, CountOutsideOneToSixtyFourIsAnInvalidArgument) {
  std::vector<Handle> signals;
  std::vector<shmlink_handle> handles;
  for (int i = 0; i < 65; ++i) {
    signals.push_back(make_signal(SHMLINK_SIGNAL_INITIALLY_SET));
    handles.push_back(signals.back().get());
  }
  for (const uint32_t count : {0u, 65u, 1000u, UINT32_MAX}) {
    SCOPED_TRACE("count " + std::to_string(count));
    uint32_t index = kNoIndex;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_wait_any(handles.data(), count, 0, &index));
    EXPECT_EQ(index, kNoIndex);
  }
  // Nothing was taken by the refused calls.
  for (const Handle& signal : signals) EXPECT_STATUS(SHMLINK_OK, shmlink_wait(signal.get(), 0));
}

TEST(Waits, NullArraysAndOutputsAreInvalidArguments) {
  const Handle signal = make_signal(SHMLINK_SIGNAL_INITIALLY_SET);
  const shmlink_handle handles[] = {signal.get()};
  uint32_t index = kNoIndex;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_wait_any(nullptr, 1, 0, &index));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_wait_any(nullptr, 0, 0, &index));
  EXPECT_EQ(index, kNoIndex);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_wait_any(handles, 1, 0, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_wait_any(handles, 1, kLongWaitMs, nullptr));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(signal.get(), 0)) << "not taken by the refused calls";
}

TEST(Waits, AHandleGivenTwiceIsAnInvalidArgument) {
  // As WaitForMultipleObjects: one array may not hold the same handle twice.
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(), SHMLINK_SIGNAL_INITIALLY_SET, signal.out()));
  Handle other;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(), 0, other.out()));
  const shmlink_handle handles[] = {other.get(), signal.get(), signal.get()};
  uint32_t index = 77;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_wait_any(handles, 3, 0, &index));
  EXPECT_EQ(index, 77u) << "outputs are left alone on failure";
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(signal.get(), 0)) << "nothing was taken";
}

TEST(Waits, SegmentsAndViewsCannotBeWaitedOn) {
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 100, 0, segment.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
  const Handle signal = make_signal(SHMLINK_SIGNAL_INITIALLY_SET);
  for (const shmlink_handle bad : {segment.get(), view.handle.get()}) {
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_wait(bad, 0));
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_wait(bad, kLongWaitMs));
    for (const std::vector<shmlink_handle>& handles : std::vector<std::vector<shmlink_handle>>{
             {bad}, {signal.get(), bad}, {bad, signal.get()}}) {
      const WaitResult result = wait_any(handles, kLongWaitMs);
      EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, result.status);
      EXPECT_EQ(result.index, kNoIndex);
    }
  }
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(signal.get(), 0)) << "a refused wait takes nothing";
  EXPECT_EQ(shmlink_handle_kind(segment.get()), SHMLINK_KIND_SEGMENT);
  EXPECT_EQ(shmlink_handle_kind(view.handle.get()), SHMLINK_KIND_VIEW);
}

TEST(Waits, ClosedZeroAndMadeUpHandlesAreBadHandles) {
  shmlink_handle closed = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(), SHMLINK_SIGNAL_INITIALLY_SET, &closed));
  ASSERT_STATUS(SHMLINK_OK, shmlink_close(closed));
  const Handle signal = make_signal(SHMLINK_SIGNAL_INITIALLY_SET);
  const shmlink_handle bad_handles[] = {closed, 0, 0xDEADBEEF, signal.get() + 1, signal.get() ^ (1ull << 40)};
  for (const shmlink_handle bad : bad_handles) {
    SCOPED_TRACE("handle " + std::to_string(bad));
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_wait(bad, 0));
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_wait(bad, kLongWaitMs));
    const WaitResult at_end = wait_any({signal.get(), bad}, kLongWaitMs);
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, at_end.status);
    EXPECT_EQ(at_end.index, kNoIndex);
    const WaitResult at_start = wait_any({bad, signal.get()}, 0);
    EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, at_start.status);
  }
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(signal.get(), 0)) << "a refused wait takes nothing";
}

TEST(Waits, SixtyFourHandlesWork) {
  constexpr uint32_t kCount = SHMLINK_MAX_WAIT_OBJECTS;
  std::vector<Handle> objects;
  std::vector<shmlink_handle> handles;
  for (uint32_t i = 0; i < kCount; ++i) {
    objects.push_back(i % 2 == 0 ? make_signal() : make_semaphore(0));
    handles.push_back(objects.back().get());
  }
  auto make_ready = [&](uint32_t i) {
    if (i % 2 == 0) {
      EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(handles[i]));
    } else {
      EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_release(handles[i], 1, nullptr));
    }
  };
  expect_nothing_ready(handles);
  for (const uint32_t i : {kCount - 1, 0u, 31u, 32u, kCount - 2}) {
    make_ready(i);
    expect_takes(handles, i);
    expect_nothing_ready(handles);
  }
  make_ready(kCount - 1);
  make_ready(17);
  expect_takes(handles, 17);
  expect_takes(handles, kCount - 1);
  // Woken while asleep on all 64.
  for (const uint32_t i : {kCount - 1, 0u, 40u}) {
    std::thread waker([&] { make_ready(i); });
    const WaitResult result = wait_any(handles, kLongWaitMs);
    waker.join();
    EXPECT_STATUS(SHMLINK_OK, result.status);
    EXPECT_EQ(result.index, i);
  }
}

// ---- Time limits ----

// Runs `wait` (which must time out after `timeout_ms`) and checks that it took at least
// that long, and not far longer (a correctness bound for loaded machines, not a speed target).
template <class Wait>
void expect_times_out_on_time(uint32_t timeout_ms, const char* what, Wait&& wait) {
  SCOPED_TRACE(std::string(what) + ", " + std::to_string(timeout_ms) + " ms");
  const auto start = Clock::now();
  const shmlink_status status = wait();
  const auto waited = Clock::now() - start;
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, status);
  EXPECT_GE(waited, milliseconds(timeout_ms)) << "timed out early";
  EXPECT_LT(waited, milliseconds(timeout_ms + 1000)) << "timed out far too late";
}

TEST(Waits, TimeoutsAreNeverEarlyAndNotFarLate) {
  const Handle signal = make_signal();
  const Handle manual = make_signal(SHMLINK_SIGNAL_MANUAL_RESET);
  const Handle semaphore = make_semaphore(0);
  const Handle mutex = make_mutex();
  HoldingThread holder(mutex.get());
  const std::vector<shmlink_handle> mixed = {signal.get(), semaphore.get(), mutex.get(), manual.get()};
  for (const uint32_t timeout : {1u, 50u, 200u}) {
    expect_times_out_on_time(timeout, "signal", [&] { return shmlink_wait(signal.get(), timeout); });
    expect_times_out_on_time(timeout, "semaphore", [&] { return shmlink_wait(semaphore.get(), timeout); });
    expect_times_out_on_time(timeout, "mutex lock", [&] { return shmlink_mutex_lock(mutex.get(), timeout); });
    expect_times_out_on_time(timeout, "mutex wait", [&] { return shmlink_wait(mutex.get(), timeout); });
    expect_times_out_on_time(timeout, "wait_any", [&] { return wait_any(mixed, timeout).status; });
    expect_times_out_on_time(timeout, "wait_any without the mutex",
                             [&] { return wait_any({signal.get(), semaphore.get()}, timeout).status; });
  }
}

// The CPU time the calling thread has used so far.
std::chrono::nanoseconds thread_cpu_time() {
#ifdef _WIN32
  FILETIME creation, exit, kernel, user;
  if (!GetThreadTimes(GetCurrentThread(), &creation, &exit, &kernel, &user)) return {};
  const auto ticks = [](const FILETIME& time) {  // 100 ns each
    return (static_cast<uint64_t>(time.dwHighDateTime) << 32) | time.dwLowDateTime;
  };
  return std::chrono::nanoseconds((ticks(kernel) + ticks(user)) * 100);
#else
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
#endif
}

// Starts `wait` (which must time out after 1500 ms) just after a whole second of the steady
// clock (CLOCK_MONOTONIC on Linux), so that its deadline lies half-way through a second. A
// wait whose sleep lost the deadline's nanoseconds (a 64-bit timespec read as a 32-bit one)
// is woken at the whole second, 500 ms early, and then either returns early or spins.
template <class Wait>
void expect_sleeps_until_a_deadline_within_a_second(const char* what, Wait&& wait) {
  SCOPED_TRACE(what);
  constexpr uint32_t kTimeoutMs = 1500;
  const auto since_epoch = Clock::now().time_since_epoch();
  const auto next_second = std::chrono::duration_cast<std::chrono::seconds>(since_epoch) + std::chrono::seconds(1);
  std::this_thread::sleep_until(Clock::time_point(next_second + milliseconds(5)));
  const auto cpu_before = thread_cpu_time();
  const auto start = Clock::now();
  const shmlink_status status = wait(kTimeoutMs);
  const auto waited = Clock::now() - start;
  const auto cpu = thread_cpu_time() - cpu_before;
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, status);
  EXPECT_GE(waited, milliseconds(kTimeoutMs)) << "timed out early";
  EXPECT_LT(waited, milliseconds(kTimeoutMs + 1000)) << "timed out far too late";
  EXPECT_LT(cpu, milliseconds(250)) << "spent " << std::chrono::duration_cast<milliseconds>(cpu).count()
                                    << " ms of CPU in a wait that should sleep: woken before the deadline";
}

TEST(Waits, ATimeoutWithAFractionOfASecondSleepsUntilTheDeadline) {
  const Handle signal = make_signal();
  const Handle semaphore = make_semaphore(0);
  // Both at once, each measuring its own thread's CPU time: one wait alone (a futex wait), one
  // on several objects (futex_waitv).
  std::thread one([&] {
    expect_sleeps_until_a_deadline_within_a_second(
        "wait", [&](uint32_t timeout) { return shmlink_wait(signal.get(), timeout); });
  });
  expect_sleeps_until_a_deadline_within_a_second(
      "wait_any", [&](uint32_t timeout) { return wait_any({signal.get(), semaphore.get()}, timeout).status; });
  one.join();
}

// ---- Wakes ----

TEST(Waits, WakeFromAnotherThreadGivesTheRightIndex) {
  const Handle signal = make_signal();
  const Handle semaphore = make_semaphore(0);
  const Handle manual = make_signal(SHMLINK_SIGNAL_MANUAL_RESET);
  const Handle mutex = make_mutex();
  const std::vector<shmlink_handle> handles = {signal.get(), semaphore.get(), manual.get(), mutex.get()};
  std::mt19937 random(7);
  for (int round = 0; round < 100; ++round) {
    const uint32_t index = random() % 4;
    SCOPED_TRACE("round " + std::to_string(round) + ", index " + std::to_string(index));
    auto holder = std::make_unique<HoldingThread>(mutex.get());
    std::thread waker([&] {
      switch (index) {
        case 0: EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get())); break;
        case 1: EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 1, nullptr)); break;
        case 2: EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(manual.get())); break;
        default: holder->release(); break;
      }
    });
    const WaitResult result = wait_any(handles, kLongWaitMs);
    waker.join();
    holder.reset();
    ASSERT_STATUS(SHMLINK_OK, result.status);
    ASSERT_EQ(result.index, index);
    if (index == 2) {
      ASSERT_STATUS(SHMLINK_OK, shmlink_signal_reset(manual.get()));
    }
    if (index == 3) {
      ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
    }
    ASSERT_NO_FATAL_FAILURE(expect_nothing_ready({signal.get(), semaphore.get(), manual.get()}));
  }
}

TEST(Waits, ManualResetSignalReleasesEveryThreadWaitingOnSeveralObjects) {
  constexpr int kThreads = 6;
  const Handle manual = make_signal(SHMLINK_SIGNAL_MANUAL_RESET);
  std::vector<Handle> own;
  for (int i = 0; i < kThreads; ++i) own.push_back(make_semaphore(0));
  std::vector<WaitResult> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] { results[i] = wait_any({own[i].get(), manual.get()}, kLongWaitMs); });
  EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(manual.get()));
  for (std::thread& thread : threads) thread.join();
  for (const WaitResult& result : results) {
    EXPECT_STATUS(SHMLINK_OK, result.status);
    EXPECT_EQ(result.index, 1u);
  }
}

TEST(Waits, WakeForAnObjectThatAWaiterDidNotTakeIsPassedOn) {
  // Two threads wait on the same two objects, and both objects become ready: whatever
  // order the wakes come in, and whichever object each thread takes, both must finish.
  // A thread woken for one object that takes the other (lower index) must pass its wake on.
  for (const bool semaphores : {true, false}) {
    SCOPED_TRACE(semaphores ? "semaphores" : "auto-reset signals");
    const Handle a = semaphores ? make_semaphore(0) : make_signal();
    const Handle b = semaphores ? make_semaphore(0) : make_signal();
    const std::vector<shmlink_handle> handles = {a.get(), b.get()};
    for (int round = 0; round < 200; ++round) {
      WaitResult first{};
      WaitResult second{};
      std::thread one([&] { first = wait_any(handles, kLongWaitMs); });
      std::thread two([&] { second = wait_any(handles, kLongWaitMs); });
      for (const Handle* ready : {&b, &a}) {
        if (semaphores) {
          EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_release(ready->get(), 1, nullptr));
        } else {
          EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(ready->get()));
        }
      }
      one.join();
      two.join();
      ASSERT_STATUS(SHMLINK_OK, first.status) << "round " << round;
      ASSERT_STATUS(SHMLINK_OK, second.status) << "round " << round;
      EXPECT_NE(first.index, second.index) << "each object went to exactly one waiter";
      ASSERT_NO_FATAL_FAILURE(expect_nothing_ready(handles));
    }
  }
}

TEST(Waits, WakesForSeveralObjectsThatAWaiterDidNotTakeAreAllPassedOn) {
  // One thread waits on {first, middle, last}, another on the middle one alone; all three
  // become ready at once. The first thread takes `first` (the lowest ready index), so the
  // middle one must reach the other thread, even when the wakes for all three objects
  // landed on the first thread before it ran (the kernel tells it of one of them only).
  constexpr int kRounds = 300;
  constexpr uint32_t kMiddleLimitMs = 5000;
  for (const bool semaphores : {true, false}) {
    SCOPED_TRACE(semaphores ? "semaphores" : "auto-reset signals");
    const Handle first = semaphores ? make_semaphore(0) : make_signal();
    const Handle middle = semaphores ? make_semaphore(0) : make_signal();
    const Handle last = semaphores ? make_semaphore(0) : make_signal();
    auto make_ready = [&](const Handle& object) {
      if (semaphores) {
        EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_release(object.get(), 1, nullptr));
      } else {
        EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(object.get()));
      }
    };
    for (int round = 0; round < kRounds; ++round) {
      WaitResult any{};
      shmlink_status middle_status = SHMLINK_ERR_SYSTEM;
      Clock::duration middle_waited{};
      std::thread any_waiter([&] { any = wait_any({first.get(), middle.get(), last.get()}, kLongWaitMs); });
      std::thread middle_waiter([&] {
        const auto start = Clock::now();
        middle_status = shmlink_wait(middle.get(), kMiddleLimitMs);
        middle_waited = Clock::now() - start;
      });
      make_ready(first);
      make_ready(middle);
      make_ready(last);
      any_waiter.join();
      ASSERT_STATUS(SHMLINK_OK, any.status) << "round " << round;
      // Usually the first thread slept and takes `first`. If its scan ran while the objects
      // became ready, it may have seen a later one first (the scan is not one atomic look at
      // all objects); if it took the middle one, give the other thread one of its own.
      if (any.index == 1) make_ready(middle);
      middle_waiter.join();
      ASSERT_STATUS(SHMLINK_OK, middle_status) << "round " << round;
      // A lost wake shows as a waiter that slept to its time limit and only then found the
      // object ready (with SHMLINK_INFINITE it would sleep for ever).
      ASSERT_LT(std::chrono::duration_cast<milliseconds>(middle_waited).count(), int64_t{kMiddleLimitMs})
          << "round " << round << ": the middle object's wake was lost";
      // What the first thread did not take is still there, once.
      if (any.index != 0) {
        EXPECT_STATUS(SHMLINK_OK, shmlink_wait(first.get(), 0)) << "round " << round;
      }
      if (any.index != 2) {
        EXPECT_STATUS(SHMLINK_OK, shmlink_wait(last.get(), 0)) << "round " << round;
      }
      ASSERT_NO_FATAL_FAILURE(expect_nothing_ready({first.get(), middle.get(), last.get()}));
    }
  }
}

TEST(Waits, WakeForAMutexThatAWaiterDidNotTakeIsPassedOn) {
  // As above with a mutex in the middle: one thread waits on {signal, mutex, signal},
  // another locks the mutex; the owner unlocks it and both signals are set at once. If the
  // first thread takes a signal, the mutex's wake must still reach the locking thread.
  constexpr int kRounds = 300;
  constexpr uint32_t kLockLimitMs = 5000;
  const Handle first = make_signal();
  const Handle mutex = make_mutex();
  const Handle last = make_signal();
  for (int round = 0; round < kRounds; ++round) {
    auto holder = std::make_unique<HoldingThread>(mutex.get());
    WaitResult any{};
    shmlink_status locked = SHMLINK_ERR_SYSTEM;
    Clock::duration lock_waited{};
    std::thread any_waiter([&] {
      any = wait_any({first.get(), mutex.get(), last.get()}, kLongWaitMs);
      if (any.status == SHMLINK_OK && any.index == 1) {
        EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
      }
    });
    std::thread locker([&] {
      const auto start = Clock::now();
      locked = shmlink_mutex_lock(mutex.get(), kLockLimitMs);
      lock_waited = Clock::now() - start;
      if (locked == SHMLINK_OK) {
        EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
      }
    });
    holder->release();
    EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(first.get()));
    EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(last.get()));
    any_waiter.join();
    locker.join();
    EXPECT_STATUS(SHMLINK_OK, any.status);
    ASSERT_STATUS(SHMLINK_OK, locked) << "round " << round;
    ASSERT_LT(std::chrono::duration_cast<milliseconds>(lock_waited).count(), int64_t{kLockLimitMs})
        << "round " << round << ": the mutex's wake was lost";
    // Leave both signals unset for the next round.
    shmlink_wait(first.get(), 0);
    shmlink_wait(last.get(), 0);
  }
}

TEST(Waits, AutoResetSetsReachThreadsWaitingOnSeveralObjectsWithoutLoss) {
  // Consumers wait on {stop, poke}; each poke must be taken by exactly one of them, which
  // says so on `ack` before the next poke: a lost wake shows as a timed-out ack.
  constexpr int kConsumers = 4;
  constexpr int kPokes = 500;
  const Handle stop = make_signal(SHMLINK_SIGNAL_MANUAL_RESET);
  const Handle poke = make_signal();
  const Handle ack = make_semaphore(0);
  std::atomic<int> taken{0};
  std::vector<std::thread> consumers;
  for (int i = 0; i < kConsumers; ++i) {
    consumers.emplace_back([&] {
      for (;;) {
        const WaitResult result = wait_any({stop.get(), poke.get()}, kLongWaitMs);
        if (result.status != SHMLINK_OK || result.index == 0) {
          EXPECT_STATUS(SHMLINK_OK, result.status);
          return;
        }
        taken.fetch_add(1);
        EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_release(ack.get(), 1, nullptr));
      }
    });
  }
  for (int i = 0; i < kPokes; ++i) {
    EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(poke.get()));
    const shmlink_status acked = shmlink_wait(ack.get(), kLongWaitMs);
    EXPECT_STATUS(SHMLINK_OK, acked) << "poke " << i << " was lost";
    if (acked != SHMLINK_OK) break;
  }
  EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(stop.get()));
  for (std::thread& consumer : consumers) consumer.join();
  EXPECT_EQ(taken.load(), kPokes);
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(ack.get(), 0));
}

TEST(Waits, WaitAnyOnAMutexAndASignalKeepsMutualExclusion) {
  // One thread takes the mutex through wait_any (beside a signal that another thread pokes),
  // another through shmlink_mutex_lock; both increment a plain counter under it.
  constexpr int kIterations = 20000;
  constexpr int kPokes = 200;
  const Handle mutex = make_mutex();
  const Handle poke = make_signal();
  const Handle ack = make_semaphore(0);
  uint64_t counter = 0;  // guarded by the mutex only
  std::atomic<int> failures{0};
  int any_waiter_acquired = 0;

  std::atomic<bool> give_up{false};  // the pokes failed: do not wait for the rest of them

  std::thread any_waiter([&] {
    int& acquired = any_waiter_acquired;
    int poked = 0;
    while (acquired < kIterations || (poked < kPokes && !give_up.load())) {
      const WaitResult result = wait_any({poke.get(), mutex.get()}, kLongWaitMs);
      if (result.status != SHMLINK_OK) {
        failures.fetch_add(1);
        ADD_FAILURE() << describe_status(result.status);
        return;
      }
      if (result.index == 0) {
        ++poked;
        shmlink_semaphore_release(ack.get(), 1, nullptr);
        continue;
      }
      ++acquired;
      counter = counter + 1;
      if (shmlink_mutex_unlock(mutex.get()) != SHMLINK_OK) failures.fetch_add(1);
    }
  });
  std::thread locker([&] {
    for (int i = 0; i < kIterations; ++i) {
      if (shmlink_mutex_lock(mutex.get(), kLongWaitMs) != SHMLINK_OK) {
        failures.fetch_add(1);
        return;
      }
      counter = counter + 1;
      if (shmlink_mutex_unlock(mutex.get()) != SHMLINK_OK) failures.fetch_add(1);
    }
  });
  for (int i = 0; i < kPokes; ++i) {
    EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(poke.get()));
    const shmlink_status acked = shmlink_wait(ack.get(), kLongWaitMs);
    EXPECT_STATUS(SHMLINK_OK, acked) << "poke " << i << " was lost";
    if (acked != SHMLINK_OK) {
      give_up.store(true);
      break;
    }
  }
  any_waiter.join();
  locker.join();
  EXPECT_EQ(failures.load(), 0);
  // The any-waiter may take the mutex more than kIterations times while it waits for the
  // last pokes: it counted each time.
  EXPECT_GE(any_waiter_acquired, kIterations);
  EXPECT_EQ(counter, static_cast<uint64_t>(any_waiter_acquired) + kIterations) << "increments were lost";
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0)) << "left free";
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

TEST(Waits, ClosingAHandleAnotherThreadWaitsOnDoesNotEndOrBreakTheWait) {
  // The waiting thread keeps what it waits on: a set through another handle still wakes it.
  const std::string name = unique_name();
  Handle setter;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(name.c_str(), 0, setter.out()));
  for (int round = 0; round < 20; ++round) {
    shmlink_handle waited = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_signal_open(name.c_str(), &waited));
    auto waiter = std::async(std::launch::async, [&] { return shmlink_wait(waited, kLongWaitMs); });
    EXPECT_STATUS(SHMLINK_OK, shmlink_close(waited));
    EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(setter.get()));
    const shmlink_status status = waiter.get();
    // Closed before the wait looked it up: BAD_HANDLE, and the set is still there.
    if (status == SHMLINK_ERR_BAD_HANDLE) {
      EXPECT_STATUS(SHMLINK_OK, shmlink_wait(setter.get(), 0));
    } else {
      EXPECT_STATUS(SHMLINK_OK, status);
    }
  }
}

// ---- Abandoned mutexes ----

TEST(Waits, WaitAnyReportsAnAbandonedMutexWithItsIndex) {
  const Handle signal = make_signal();
  const Handle mutex = make_mutex();
  run_on_a_thread_that_ends([&] { EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0)); });
  expect_takes({signal.get(), mutex.get()}, 1, SHMLINK_ABANDONED);
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  expect_takes({signal.get(), mutex.get()}, 1, SHMLINK_OK);
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

TEST(Waits, WaitAnyAsleepOnAMutexWakesAbandonedWhenItsOwnerIsKilled) {
  const std::string name = unique_name();
  const Handle mutex = make_mutex(name);
  const Handle signal = make_signal();
  auto peer = start_peer({"mutex-hold", name});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "locked SHMLINK_OK"));
  constexpr uint32_t kWaiterLimitMs = 60000;
  auto waiter = std::async(std::launch::async, [&] {
    const auto start = Clock::now();
    const WaitResult result = wait_any({signal.get(), mutex.get()}, kWaiterLimitMs);
    const auto waited = Clock::now() - start;
    if (SHMLINK_SUCCEEDED(result.status) && result.index == 1) {
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
    }
    return std::make_pair(result, waited);
  });
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());
  const auto [result, waited] = waiter.get();
  EXPECT_STATUS(SHMLINK_ABANDONED, result.status);
  EXPECT_EQ(result.index, 1u);
  EXPECT_LT(waited, milliseconds(kWaiterLimitMs / 4)) << "handed over when the owner died";
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

TEST(Waits, WaitAnyTakesAMutexAPeerUnlocks) {
  const std::string name = unique_name();
  const Handle mutex = make_mutex(name);
  const Handle signal = make_signal();
  auto peer = start_peer({"mutex-hold", name});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "locked SHMLINK_OK"));
  auto waiter = std::async(std::launch::async, [&] {
    const WaitResult result = wait_any({signal.get(), mutex.get()}, kLongWaitMs);
    if (result.status == SHMLINK_OK && result.index == 1) {
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
    }
    return result;
  });
  ASSERT_NO_FATAL_FAILURE(release(*peer));
  const WaitResult result = waiter.get();
  EXPECT_STATUS(SHMLINK_OK, result.status);
  EXPECT_EQ(result.index, 1u);
}

}  // namespace
}  // namespace shmlink_test
