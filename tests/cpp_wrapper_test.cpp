// The C++ layer (shmlink.hpp) over signals, mutexes, semaphores, wait_any and channels:
// that each member does what its C function does, reports timeouts by its result and every
// failure as shmlink::Error with the C status, and that the RAII objects (MutexLock,
// Channel::Reservation, Channel::Message) give back what they hold exactly once.
#include <shmlink/shmlink.hpp>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/peer_output.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace shmlink {
// So that gtest prints LockResult values by name.
inline void PrintTo(LockResult result, std::ostream* out) {
  switch (result) {
    case LockResult::acquired: *out << "acquired"; return;
    case LockResult::abandoned: *out << "abandoned"; return;
    case LockResult::timed_out: *out << "timed_out"; return;
  }
  *out << "LockResult(" << static_cast<int>(result) << ")";
}
}  // namespace shmlink

namespace shmlink_test {
namespace {

using namespace std::chrono_literals;
using shmlink::Channel;
using shmlink::ChannelCondition;
using shmlink::LockResult;
using shmlink::Mutex;
using shmlink::MutexLock;
using shmlink::Semaphore;
using shmlink::Signal;

// A wait that should succeed: long enough for a loaded machine, short enough that a bug is a
// failure rather than a hang.
constexpr std::chrono::milliseconds kLongWait = 20s;

// The status of the shmlink::Error the call throws, or SHMLINK_OK if it throws none.
template <class Call>
shmlink_status status_thrown(Call call) {
  try {
    call();
  } catch (const shmlink::Error& error) {
    EXPECT_NE(std::string(error.what()), "") << "an Error says what went wrong";
    return error.status();
  }
  return SHMLINK_OK;
}

#define EXPECT_THROWS_STATUS(expected, statement) EXPECT_STATUS(expected, status_thrown([&] { statement; }))

std::chrono::steady_clock::duration time_of(const std::function<void()>& call) {
  const auto start = std::chrono::steady_clock::now();
  call();
  return std::chrono::steady_clock::now() - start;
}

// ---- Timeouts ----

TEST(CppTimeout, DurationsRoundUpToWholeMillisecondsAndLongOnesNeverExpire) {
  EXPECT_EQ(shmlink::Timeout(0ms).milliseconds(), 0u);
  EXPECT_EQ(shmlink::Timeout(-5s).milliseconds(), 0u) << "a negative timeout tries once";
  EXPECT_EQ(shmlink::Timeout(1ns).milliseconds(), 1u) << "never shorter than asked";
  EXPECT_EQ(shmlink::Timeout(1000us).milliseconds(), 1u);
  EXPECT_EQ(shmlink::Timeout(1001us).milliseconds(), 2u);
  EXPECT_EQ(shmlink::Timeout(2s).milliseconds(), 2000u);
  EXPECT_EQ(shmlink::Timeout(std::chrono::duration<double>(0.0015)).milliseconds(), 2u);
  EXPECT_EQ(shmlink::Timeout(std::chrono::milliseconds(SHMLINK_INFINITE - 1)).milliseconds(), SHMLINK_INFINITE - 1);
  EXPECT_TRUE(shmlink::Timeout(shmlink::forever).is_forever());
  EXPECT_EQ(shmlink::Timeout(shmlink::forever).milliseconds(), SHMLINK_INFINITE);
  EXPECT_TRUE(shmlink::Timeout(std::chrono::hours(2000)).is_forever()) << "past 49.7 days: no limit, not a wrap";
  EXPECT_TRUE(shmlink::Timeout(std::chrono::hours::max()).is_forever());
  EXPECT_FALSE(shmlink::Timeout(std::chrono::hours(1000)).is_forever());
}

// ---- Signals ----

TEST(CppSignal, AutoResetSetReleasesExactlyOneWait) {
  const Signal signal = Signal::create(unique_name(), Signal::Reset::automatic);
  EXPECT_FALSE(signal.wait(0ms)) << "a new signal is not set";
  signal.set();
  signal.set();
  EXPECT_TRUE(signal.wait(0ms));
  EXPECT_FALSE(signal.wait(0ms)) << "the wait reset it";
}

TEST(CppSignal, ManualResetStaysSetUntilReset) {
  const Signal signal = Signal::create(unique_name(), Signal::Reset::manual);
  signal.set();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(signal.wait(0ms)) << "wait " << i;
  signal.wait();
  signal.reset();
  EXPECT_FALSE(signal.wait(0ms));
  signal.reset();
  EXPECT_FALSE(signal.wait(0ms)) << "resetting an unset signal changes nothing";
}

TEST(CppSignal, ResetClearsASetAutoResetSignal) {
  const Signal signal = Signal::create(unique_name(), Signal::Reset::automatic, true);
  signal.reset();
  EXPECT_FALSE(signal.wait(0ms));
}

TEST(CppSignal, InitiallySetSignalReleasesTheFirstWait) {
  const Signal automatic = Signal::create(unique_name(), Signal::Reset::automatic, true);
  const Signal manual = Signal::create(unique_name(), Signal::Reset::manual, true);
  EXPECT_TRUE(automatic.wait(0ms));
  EXPECT_FALSE(automatic.wait(0ms));
  EXPECT_TRUE(manual.wait(0ms));
  EXPECT_TRUE(manual.wait(0ms));
}

TEST(CppSignal, TimedWaitTimesOutNeverEarly) {
  const Signal signal = Signal::create(unique_name(), Signal::Reset::manual);
  bool signalled = true;
  EXPECT_GE(time_of([&] { signalled = signal.wait(40ms); }), 40ms);
  EXPECT_FALSE(signalled);
  EXPECT_GE(time_of([&] { signalled = signal.wait(std::chrono::microseconds(20500)); }), 20500us)
      << "a wait of 20.5 ms waits 21";
  EXPECT_FALSE(signalled);
}

TEST(CppSignal, WaitingThreadIsReleasedBySetThroughAnotherHandle) {
  const std::string name = unique_name();
  const Signal waiter = Signal::create(name, Signal::Reset::automatic);
  auto woken = std::async(std::launch::async, [&] { return waiter.wait(kLongWait); });
  Signal::open(name).set();
  EXPECT_TRUE(woken.get());
  EXPECT_FALSE(waiter.wait(0ms)) << "the one wait it released reset it";
}

TEST(CppSignal, OpenOrCreateReportsCreatedThenExistingAndKeepsTheMode) {
  const std::string name = unique_name();
  auto [first, created] = Signal::open_or_create(name, Signal::Reset::manual);
  EXPECT_TRUE(created);
  auto [second, created_again] = Signal::open_or_create(name, Signal::Reset::automatic, true);
  EXPECT_FALSE(created_again);
  EXPECT_FALSE(first.wait(0ms)) << "the existing signal's state is its own";
  second.set();
  EXPECT_TRUE(first.wait(0ms));
  EXPECT_TRUE(first.wait(0ms)) << "still manual-reset";
}

TEST(CppSignal, AnUnnamedSignalCancelsAWaitAny) {
  const Signal cancel = Signal::create_unnamed(Signal::Reset::manual);
  const Signal named = Signal::create(unique_name(), Signal::Reset::automatic);
  EXPECT_FALSE(shmlink::wait_any({named, cancel}, 0ms).has_value());
  std::thread canceller([&] { cancel.set(); });
  const auto woken = shmlink::wait_any({named, cancel}, kLongWait);
  canceller.join();
  ASSERT_TRUE(woken.has_value());
  EXPECT_EQ(woken->index, 1u);
  EXPECT_TRUE(Signal::create_unnamed(Signal::Reset::automatic, true).wait(0ms));
}

TEST(CppUnnamed, SegmentsMutexesAndSemaphoresWithoutANameWork) {
  const shmlink::Segment segment = shmlink::Segment::create_unnamed(4096);
  const shmlink::View view = segment.map();
  ASSERT_EQ(view.size(), 4096u);
  view.data()[4095] = std::byte{7};
  EXPECT_EQ(segment.map(4000, 96).data()[95], std::byte{7});
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink::Segment::create_unnamed(0));
  // At a chosen address: where `view` is, the range is taken; where a view was, it is free.
  EXPECT_THROWS_STATUS(SHMLINK_ERR_ALREADY_EXISTS,
                       segment.map_at(view.data(), 0, 4096, shmlink::Access::read));
  void* free_range = nullptr;
  { free_range = segment.map().data(); }
  const shmlink::View at = segment.map_at(free_range, 0, 4096, shmlink::Access::read);
  EXPECT_EQ(static_cast<void*>(at.data()), free_range);
  EXPECT_EQ(at.data()[4095], std::byte{7});

  Mutex mutex = Mutex::create_unnamed(true);
  std::thread([&] { EXPECT_FALSE(mutex.try_lock()); }).join();
  mutex.unlock();
  std::thread([&] {
    EXPECT_TRUE(mutex.try_lock());
    mutex.unlock();
  }).join();

  const Semaphore semaphore = Semaphore::create_unnamed(1, 2);
  EXPECT_TRUE(semaphore.try_acquire());
  EXPECT_FALSE(semaphore.try_acquire());
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, Semaphore::create_unnamed(3, 2));
}

TEST(CppSignal, FailuresThrowTheirStatus) {
  const std::string name = unique_name();
  EXPECT_THROWS_STATUS(SHMLINK_ERR_NOT_FOUND, Signal::open(name));
  const Signal signal = Signal::create(name, Signal::Reset::automatic);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_ALREADY_EXISTS, Signal::create(name, Signal::Reset::automatic));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_WRONG_KIND, Mutex::open(name));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink::Segment::create(name, 10));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_NAME, Signal::create("bad/name", Signal::Reset::manual));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, Signal::create(std::string("a\0b", 3), Signal::Reset::manual));
}

TEST(CppSignal, MovingLeavesTheSourceEmptyAndCloseFreesTheName) {
  const std::string name = unique_name();
  Signal signal = Signal::create(name, Signal::Reset::automatic);
  const shmlink_handle handle = signal.handle().get();
  Signal moved = std::move(signal);
  EXPECT_FALSE(signal);
  EXPECT_TRUE(moved);
  EXPECT_EQ(moved.handle().get(), handle);
  EXPECT_EQ(shmlink_handle_kind(handle), SHMLINK_KIND_SIGNAL);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_BAD_HANDLE, signal.set());
  EXPECT_THROWS_STATUS(SHMLINK_ERR_BAD_HANDLE, (void)signal.wait(0ms));
  moved.close();
  EXPECT_FALSE(moved);
  EXPECT_EQ(shmlink_handle_kind(handle), SHMLINK_ERR_BAD_HANDLE);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_NOT_FOUND, Signal::open(name));
}

// ---- Mutexes ----

// Locks the mutex from a new thread, waiting at most `timeout`; if that thread gets it, it
// unlocks it again before it ends.
LockResult lock_from_another_thread(const Mutex& mutex, shmlink::Timeout timeout) {
  return std::async(std::launch::async, [&] {
           const LockResult result = mutex.lock(timeout);
           if (result != LockResult::timed_out) mutex.unlock();
           return result;
         })
      .get();
}

// A thread locks the mutex and ends holding it.
void abandon_from_a_thread(const Mutex& mutex) {
  run_on_a_thread_that_ends([&] { EXPECT_EQ(mutex.lock(0ms), LockResult::acquired); });
}

TEST(CppMutex, LockWithTimeoutReportsAcquiredOrTimedOut) {
  const Mutex mutex = Mutex::create(unique_name());
  ASSERT_EQ(mutex.lock(0ms), LockResult::acquired);
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::timed_out);
  EXPECT_GE(time_of([&] { EXPECT_EQ(lock_from_another_thread(mutex, 30ms), LockResult::timed_out); }), 30ms);
  EXPECT_EQ(mutex.lock(0ms), LockResult::acquired) << "recursive for its owner";
  mutex.unlock();
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::timed_out) << "one level still held";
  mutex.unlock();
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::acquired);
}

TEST(CppMutex, UnlockWithoutOwningThrowsNotOwner) {
  const Mutex mutex = Mutex::create(unique_name());
  EXPECT_THROWS_STATUS(SHMLINK_ERR_NOT_OWNER, mutex.unlock());
  ASSERT_EQ(mutex.lock(0ms), LockResult::acquired);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_NOT_OWNER, std::async(std::launch::async, [&] { mutex.unlock(); }).get());
  mutex.unlock();
}

TEST(CppMutex, LockWaitsForTheOwnerToUnlock) {
  const Mutex mutex = Mutex::create(unique_name());
  ASSERT_EQ(mutex.lock(0ms), LockResult::acquired);
  std::promise<void> trying;
  auto locker = std::async(std::launch::async, [&] {
    trying.set_value();
    const LockResult result = mutex.lock(kLongWait);
    if (result != LockResult::timed_out) mutex.unlock();
    return result;
  });
  trying.get_future().wait();
  mutex.unlock();
  EXPECT_EQ(locker.get(), LockResult::acquired);
}

TEST(CppMutex, WorksWithStdLockGuardUniqueLockAndScopedLock) {
  Mutex first = Mutex::create(unique_name());
  Mutex second = Mutex::create(unique_name());
  {
    const std::lock_guard<Mutex> guard(first);
    EXPECT_EQ(lock_from_another_thread(first, 0ms), LockResult::timed_out);
    EXPECT_FALSE(std::async(std::launch::async, [&] { return first.try_lock(); }).get());
  }
  EXPECT_EQ(lock_from_another_thread(first, 0ms), LockResult::acquired) << "the guard unlocked it";
  {
    std::unique_lock<Mutex> lock(first, 10ms);  // try_lock_for
    EXPECT_TRUE(lock.owns_lock());
    EXPECT_FALSE(std::async(std::launch::async, [&] { return first.try_lock_for(10ms); }).get());
    lock.unlock();
    EXPECT_EQ(lock_from_another_thread(first, 0ms), LockResult::acquired);
  }
  {
    const std::scoped_lock both(first, second);
    EXPECT_EQ(lock_from_another_thread(first, 0ms), LockResult::timed_out);
    EXPECT_EQ(lock_from_another_thread(second, 0ms), LockResult::timed_out);
  }
  EXPECT_EQ(lock_from_another_thread(first, 0ms), LockResult::acquired);
  EXPECT_EQ(lock_from_another_thread(second, 0ms), LockResult::acquired);
  EXPECT_TRUE(first.try_lock());
  first.unlock();
}

TEST(CppMutex, MutexLockOwnsOneLevelUntilItsEnd) {
  const Mutex mutex = Mutex::create(unique_name());
  {
    const MutexLock lock(mutex);
    EXPECT_TRUE(lock.owns_lock());
    EXPECT_FALSE(lock.abandoned());
    EXPECT_EQ(lock.result(), LockResult::acquired);
    EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::timed_out);
  }
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::acquired);
}

TEST(CppMutex, MutexLockThatTimesOutOwnsNothing) {
  const Mutex mutex = Mutex::create(unique_name());
  auto held = std::async(std::launch::async, [&] {
    MutexLock lock(mutex);
    auto in_another_thread = std::async(std::launch::async, [&] {
      const MutexLock late(mutex, 20ms);
      return std::make_pair(late.owns_lock(), late.result());
    });
    return in_another_thread.get();
  });
  const auto [owns, result] = held.get();
  EXPECT_FALSE(owns);
  EXPECT_EQ(result, LockResult::timed_out);
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::acquired) << "both ended: free";
}

TEST(CppMutex, MutexLockMovesUnlocksAndReleases) {
  const Mutex mutex = Mutex::create(unique_name());
  MutexLock lock(mutex, kLongWait);
  MutexLock moved = std::move(lock);
  EXPECT_FALSE(lock.owns_lock());
  EXPECT_TRUE(moved.owns_lock());
  EXPECT_THROWS_STATUS(SHMLINK_ERR_NOT_OWNER, lock.unlock());
  moved.unlock();
  EXPECT_FALSE(moved);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_NOT_OWNER, moved.unlock()) << "unlocked once only";
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::acquired);

  MutexLock kept(mutex);
  kept.release();
  EXPECT_FALSE(kept.owns_lock());
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::timed_out) << "released, still held";
  mutex.unlock();

  MutexLock target(mutex);
  target = MutexLock();  // the assignment unlocks what it held
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::acquired);
}

TEST(CppMutex, InitiallyOwnedMutexIsAdoptedByAMutexLock) {
  const Mutex mutex = Mutex::create(unique_name(), true);
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::timed_out);
  {
    const MutexLock adopted(mutex, std::adopt_lock);
    EXPECT_TRUE(adopted.owns_lock());
  }
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::acquired);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_NOT_OWNER, mutex.unlock()) << "adopted and unlocked once";
}

TEST(CppMutex, OpenOrCreateOfAnExistingMutexDoesNotAcquireIt) {
  const std::string name = unique_name();
  auto [created_mutex, created] = Mutex::open_or_create(name, true);
  EXPECT_TRUE(created);
  auto [opened, created_again] = Mutex::open_or_create(name, true);
  EXPECT_FALSE(created_again);
  EXPECT_EQ(lock_from_another_thread(opened, 0ms), LockResult::timed_out) << "owned by its creator, this thread";
  created_mutex.unlock();
  EXPECT_THROWS_STATUS(SHMLINK_ERR_NOT_OWNER, opened.unlock()) << "the open acquired nothing";
  EXPECT_EQ(lock_from_another_thread(opened, 0ms), LockResult::acquired);
}

TEST(CppMutex, FailuresThrowTheirStatus) {
  const std::string name = unique_name();
  EXPECT_THROWS_STATUS(SHMLINK_ERR_NOT_FOUND, Mutex::open(name));
  const Mutex mutex = Mutex::create(name);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_ALREADY_EXISTS, Mutex::create(name));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_WRONG_KIND, Semaphore::open(name));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_BAD_HANDLE, (void)Mutex().lock(0ms));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_BAD_HANDLE, const MutexLock lock{Mutex{}});
}

TEST(CppMutex, AbandonmentByAThreadIsReportedByLockAndByMutexLock) {
  const Mutex mutex = Mutex::create(unique_name());
  abandon_from_a_thread(mutex);
  EXPECT_EQ(mutex.lock(kLongWait), LockResult::abandoned);
  mutex.unlock();
  EXPECT_EQ(mutex.lock(0ms), LockResult::acquired) << "reported once";
  mutex.unlock();

  abandon_from_a_thread(mutex);
  {
    const MutexLock lock(mutex);
    EXPECT_TRUE(lock.owns_lock());
    EXPECT_TRUE(lock.abandoned());
    EXPECT_EQ(lock.result(), LockResult::abandoned);
  }
  abandon_from_a_thread(mutex);
  {
    const MutexLock lock(mutex, 0ms);
    EXPECT_TRUE(lock.owns_lock());
    EXPECT_TRUE(lock.abandoned());
  }
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::acquired) << "each MutexLock unlocked it";
}

TEST(CppMutex, StdStyleLockOfAnAbandonedMutexThrowsAbandonedAndLeavesItFree) {
  Mutex mutex = Mutex::create(unique_name());
  abandon_from_a_thread(mutex);
  EXPECT_THROWS_STATUS(SHMLINK_ABANDONED, const std::lock_guard<Mutex> guard(mutex));
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::acquired) << "unlocked again, not abandoned";
  EXPECT_THROWS_STATUS(SHMLINK_ERR_NOT_OWNER, mutex.unlock());

  abandon_from_a_thread(mutex);
  EXPECT_THROWS_STATUS(SHMLINK_ABANDONED, (void)mutex.try_lock());
  abandon_from_a_thread(mutex);
  EXPECT_THROWS_STATUS(SHMLINK_ABANDONED, (void)mutex.try_lock_for(kLongWait));
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::acquired);
}

TEST(CppMutex, AbandonmentByAKilledProcessIsReported) {
  const std::string name = unique_name();
  const Mutex mutex = Mutex::create(name);
  auto peer = start_peer({"mutex-hold", name});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "locked SHMLINK_OK"));
  EXPECT_EQ(mutex.lock(0ms), LockResult::timed_out) << "the peer holds it";
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());
  const MutexLock lock(mutex, kLongWait);
  EXPECT_TRUE(lock.owns_lock());
  EXPECT_TRUE(lock.abandoned());
}

// ---- Semaphores ----

TEST(CppSemaphore, AcquireTakesOneAndReleaseGivesThePreviousCount) {
  const Semaphore semaphore = Semaphore::create(unique_name(), 2, 5);
  EXPECT_TRUE(semaphore.acquire(0ms));
  EXPECT_TRUE(semaphore.try_acquire());
  EXPECT_FALSE(semaphore.try_acquire());
  EXPECT_FALSE(semaphore.acquire(10ms));
  EXPECT_EQ(semaphore.release(3), 0u);
  EXPECT_EQ(semaphore.release(), 3u);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, semaphore.release(2));
  EXPECT_EQ(semaphore.release(1), 4u) << "the refused release changed nothing";
  EXPECT_THROWS_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, semaphore.release());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(semaphore.try_acquire()) << i;
  EXPECT_FALSE(semaphore.try_acquire());
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, semaphore.release(0));
}

TEST(CppSemaphore, AcquireWaitsForAReleaseFromAnotherThread) {
  const std::string name = unique_name();
  const Semaphore semaphore = Semaphore::create(name, 0, 1);
  auto acquirer = std::async(std::launch::async, [&] { semaphore.acquire(); });
  EXPECT_EQ(Semaphore::open(name).release(), 0u);
  acquirer.get();
  EXPECT_FALSE(semaphore.try_acquire()) << "the waiting thread took it";
}

TEST(CppSemaphore, OpenOrCreateKeepsTheExistingCounts) {
  const std::string name = unique_name();
  auto [created_semaphore, created] = Semaphore::open_or_create(name, 1, 1);
  EXPECT_TRUE(created);
  auto [opened, created_again] = Semaphore::open_or_create(name, 0, 10);
  EXPECT_FALSE(created_again);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, opened.release()) << "its maximum is still 1";
  EXPECT_TRUE(opened.try_acquire());
  EXPECT_FALSE(created_semaphore.try_acquire());
}

TEST(CppSemaphore, FailuresThrowTheirStatus) {
  const std::string name = unique_name();
  EXPECT_THROWS_STATUS(SHMLINK_ERR_NOT_FOUND, Semaphore::open(name));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, Semaphore::create(name, 2, 1));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, Semaphore::create(name, 0, 0));
  const Semaphore semaphore = Semaphore::create(name, 0, 1);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_ALREADY_EXISTS, Semaphore::create(name, 0, 1));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_WRONG_KIND, Signal::open(name));
}

// ---- wait_any ----

TEST(CppWaitAny, ReturnsTheIndexOfTheObjectTakenOrNulloptOnTimeout) {
  const Signal signal = Signal::create(unique_name(), Signal::Reset::automatic);
  const Semaphore semaphore = Semaphore::create(unique_name(), 0, 2);
  std::optional<shmlink::WaitAnyResult> woken;
  EXPECT_GE(time_of([&] { woken = shmlink::wait_any({signal, semaphore}, 30ms); }), 30ms);
  EXPECT_FALSE(woken);

  semaphore.release();
  woken = shmlink::wait_any({signal, semaphore}, 0ms);
  ASSERT_TRUE(woken);
  EXPECT_EQ(woken->index, 1u);
  EXPECT_FALSE(woken->abandoned);
  EXPECT_FALSE(semaphore.try_acquire()) << "wait_any took the one count";

  signal.set();
  semaphore.release();
  woken = shmlink::wait_any({signal, semaphore}, kLongWait);
  ASSERT_TRUE(woken);
  EXPECT_EQ(woken->index, 0u) << "the lowest index wins";
  EXPECT_FALSE(signal.wait(0ms)) << "and only it was taken";
  EXPECT_TRUE(semaphore.try_acquire());
}

TEST(CppWaitAny, TakesAChannelsReadinessWithoutItsMessage) {
  const std::string name = unique_name();
  const Signal signal = Signal::create(unique_name(), Signal::Reset::automatic);
  const Channel sender = Channel::create(name, 4096, 100, Channel::Role::sender);
  const Channel receiver = Channel::open(name, Channel::Role::receiver);
  EXPECT_FALSE(shmlink::wait_any({signal, receiver}, 0ms));
  sender.send("ready");
  const auto woken = shmlink::wait_any({signal, receiver}, kLongWait);
  ASSERT_TRUE(woken);
  EXPECT_EQ(woken->index, 1u);
  EXPECT_EQ(receiver.receive_string(0ms), std::optional<std::string>("ready"));
}

TEST(CppWaitAny, ReportsAnAbandonedMutexAndLeavesItOwned) {
  const Signal signal = Signal::create(unique_name(), Signal::Reset::automatic);
  const Mutex mutex = Mutex::create(unique_name());
  abandon_from_a_thread(mutex);
  const std::vector<std::reference_wrapper<const shmlink::Waitable>> objects{signal, mutex};
  const auto woken = shmlink::wait_any(objects, kLongWait);
  ASSERT_TRUE(woken);
  EXPECT_EQ(woken->index, 1u);
  EXPECT_TRUE(woken->abandoned);
  EXPECT_EQ(lock_from_another_thread(mutex, 0ms), LockResult::timed_out) << "this thread owns it now";
  const MutexLock adopted(mutex, std::adopt_lock);
}

TEST(CppWaitAny, RefusesBadListsWithTheirStatus) {
  const Signal signal = Signal::create(unique_name(), Signal::Reset::manual);
  signal.set();
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, (void)shmlink::wait_any({}, 0ms));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, (void)shmlink::wait_any({signal, signal}, 0ms));
  const Signal empty;
  EXPECT_THROWS_STATUS(SHMLINK_ERR_BAD_HANDLE, (void)shmlink::wait_any({signal, empty}, 0ms));

  std::vector<Signal> many;
  for (int i = 0; i < 65; ++i) many.push_back(Signal::create(unique_name(), Signal::Reset::manual));
  std::vector<std::reference_wrapper<const shmlink::Waitable>> objects(many.begin(), many.end());
  many.back().set();
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, (void)shmlink::wait_any(objects, 0ms)) << "65 objects";
  objects.erase(objects.begin());
  const auto woken = shmlink::wait_any(objects, 0ms);
  ASSERT_TRUE(woken) << "64 objects";
  EXPECT_EQ(woken->index, 63u);
}

// ---- Channels ----

// A sender and a receiver on one new channel.
struct ChannelPair {
  explicit ChannelPair(std::uint64_t capacity = 4096, std::uint32_t max_message = 1024)
      : name(unique_name()),
        sender(Channel::create(name, capacity, max_message, Channel::Role::sender)),
        receiver(Channel::open(name, Channel::Role::receiver)) {}
  std::string name;
  Channel sender;
  Channel receiver;
};

std::vector<std::byte> bytes_of(const std::string& text) {
  std::vector<std::byte> bytes(text.size());
  if (!text.empty()) std::memcpy(bytes.data(), text.data(), text.size());
  return bytes;
}

TEST(CppChannel, SizesAreTheCreatorsWhoeverAsks) {
  const std::string name = unique_name();
  const Channel creator = Channel::create(name, 5000, 300, Channel::Role::sender);
  const Channel opener = Channel::open(name, Channel::Role::receiver);
  EXPECT_EQ(creator.max_message_bytes(), 300u);
  EXPECT_EQ(opener.max_message_bytes(), 300u);
  EXPECT_GE(opener.capacity_bytes(), 5000u);
  EXPECT_EQ(opener.capacity_bytes(), creator.capacity_bytes());
  Channel closed = Channel::open(name, Channel::Role::receiver);
  closed.close();
  EXPECT_THROWS_STATUS(SHMLINK_ERR_BAD_HANDLE, (void)closed.max_message_bytes());
}

TEST(CppChannel, MessagesOfEveryFormArriveWholeAndInOrder) {
  ChannelPair pair;
  pair.sender.send("pointer and length", 7);
  pair.sender.send(std::string_view("a view"));
  pair.sender.send("a literal");
  pair.sender.send(std::string("a string"));
  pair.sender.send(bytes_of("some bytes"));
  pair.sender.send(std::array<std::uint16_t, 2>{0x4241, 0x4443});  // 4 bytes, little-endian "ABCD"
  pair.sender.send(std::string());
  EXPECT_TRUE(pair.sender.send("with a timeout", 0ms));
  EXPECT_TRUE(pair.sender.send(bytes_of("bytes with a timeout"), 0ms));

  char buffer[64] = {};
  EXPECT_EQ(pair.receiver.receive(buffer, sizeof buffer), 7u);
  EXPECT_EQ(std::string(buffer, 7), "pointer");
  EXPECT_EQ(pair.receiver.receive_string(), "a view");
  EXPECT_EQ(pair.receiver.receive_string(0ms), std::optional<std::string>("a literal"));
  EXPECT_EQ(pair.receiver.receive(buffer, sizeof buffer, 0ms), std::optional<std::size_t>(8));
  EXPECT_EQ(std::string(buffer, 8), "a string");
  EXPECT_EQ(pair.receiver.receive(), bytes_of("some bytes"));
  EXPECT_EQ(pair.receiver.receive_string(), "ABCD");
  EXPECT_EQ(pair.receiver.receive(0ms), std::optional<std::vector<std::byte>>(std::vector<std::byte>()));
  EXPECT_EQ(pair.receiver.receive_string(kLongWait), std::optional<std::string>("with a timeout"));
  EXPECT_EQ(pair.receiver.receive(kLongWait), std::optional<std::vector<std::byte>>(bytes_of("bytes with a timeout")));
  EXPECT_EQ(pair.receiver.receive_string(0ms), std::nullopt);
}

TEST(CppChannel, BatchesMoveManyMessagesACallInEveryForm) {
  ChannelPair pair;
  std::string texts[3] = {"one", "", "three"};
  shmlink_channel_message out[3];
  for (int i = 0; i < 3; ++i) out[i] = {texts[i].data(), static_cast<std::uint32_t>(texts[i].size()), 0};
  EXPECT_EQ(pair.sender.send_batch(out, 3), 3u);
  char buffers[3][16];
  shmlink_channel_message in[3];
  for (int i = 0; i < 3; ++i) in[i] = {buffers[i], 0, 16};
  ASSERT_EQ(pair.receiver.receive_batch(in, 3, 0ms), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(std::string(buffers[i], in[i].length), texts[i]);
  EXPECT_EQ(pair.receiver.receive_batch(in, 3, 0ms), 0u) << "ran out";

  shmlink_channel_message reserve[2] = {{nullptr, 5, 0}, {nullptr, 5, 0}};
  ASSERT_EQ(pair.sender.reserve_batch(reserve, 2, 0ms), 2u);
  std::memcpy(reserve[0].data, "first", 5);
  std::memcpy(reserve[1].data, "other", 5);
  pair.sender.commit_batch(reserve, 2);
  shmlink_channel_message peek[4];
  ASSERT_EQ(pair.receiver.peek_batch(peek, 4, kLongWait), 2u);
  EXPECT_EQ(std::string(static_cast<const char*>(peek[1].data), peek[1].length), "other");
  pair.receiver.consume_batch(2);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, pair.receiver.consume_batch(1));

  ASSERT_EQ(pair.sender.reserve_batch(reserve, 2, 0ms), 2u);
  pair.sender.cancel_batch();
  EXPECT_EQ(pair.receiver.peek_batch(peek, 4, 0ms), 0u) << "cancelled: nothing sent";

  const std::string long_text(40, 'l');
  pair.sender.send(long_text);
  in[0].capacity = 8;
  try {
    (void)pair.receiver.receive_batch(in, 1, 0ms);
    ADD_FAILURE() << "no BufferTooSmall";
  } catch (const shmlink::BufferTooSmall& error) {
    EXPECT_EQ(error.needed(), 40u);
  }
  EXPECT_EQ(pair.receiver.receive_string(0ms), std::optional<std::string>(long_text));
}

TEST(CppChannel, MessagesLongerThanTheFirstBufferAreReceivedWhole) {
  ChannelPair pair(8192, 2000);
  for (const std::size_t length : {255u, 256u, 257u, 2000u}) {
    std::string message(length, '\0');
    for (std::size_t i = 0; i < length; ++i) message[i] = static_cast<char>('a' + i % 26);
    pair.sender.send(message);
    pair.sender.send(message);
    pair.sender.send(message);
    EXPECT_EQ(pair.receiver.receive_string(), message) << length;
    EXPECT_EQ(pair.receiver.receive_string(0ms), std::optional<std::string>(message)) << length;
    EXPECT_EQ(pair.receiver.receive(0ms), std::optional<std::vector<std::byte>>(bytes_of(message))) << length;
  }
}

TEST(CppChannel, BufferTooSmallSaysTheLengthAndKeepsTheMessage) {
  ChannelPair pair;
  pair.sender.send("twelve bytes");
  char small[4] = {'a', 'b', 'c', 'd'};
  try {
    (void)pair.receiver.receive(small, sizeof small);
    ADD_FAILURE() << "no BufferTooSmall";
  } catch (const shmlink::BufferTooSmall& error) {
    EXPECT_EQ(error.status(), SHMLINK_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(error.needed(), 12u);
  }
  EXPECT_EQ(std::string(small, 4), "abcd");
  EXPECT_THROWS_STATUS(SHMLINK_ERR_BUFFER_TOO_SMALL, (void)pair.receiver.receive(small, sizeof small, 0ms));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_BUFFER_TOO_SMALL, (void)pair.receiver.receive(nullptr, 0));
  EXPECT_EQ(pair.receiver.receive_string(), "twelve bytes");
}

TEST(CppChannel, TimedCallsReturnNothingWhenTheyRunOutNeverEarly) {
  ChannelPair pair(1024, 100);
  char buffer[100];
  EXPECT_EQ(pair.receiver.receive(buffer, sizeof buffer, 0ms), std::nullopt);
  EXPECT_EQ(pair.receiver.receive(0ms), std::nullopt);
  EXPECT_FALSE(pair.receiver.peek(0ms));
  EXPECT_FALSE(pair.receiver.wait(0ms));
  EXPECT_GE(time_of([&] { EXPECT_EQ(pair.receiver.receive_string(30ms), std::nullopt); }), 30ms);

  const std::string message(100, 'f');
  int sent = 0;
  while (pair.sender.send(message, 0ms)) ++sent;
  EXPECT_GE(sent, 1024 / 160) << "each takes 160 bytes with its header and padding";
  EXPECT_GE(time_of([&] { EXPECT_FALSE(pair.sender.send(message, 30ms)); }), 30ms);
  EXPECT_FALSE(pair.sender.reserve(100, 0ms));
  EXPECT_EQ(pair.receiver.receive_string(), message);
  EXPECT_TRUE(pair.sender.send(message, 0ms)) << "room again";
}

TEST(CppChannel, BlockedReceiveIsWokenBySendFromAnotherThread) {
  ChannelPair pair;
  constexpr int kMessages = 500;
  auto sender = std::async(std::launch::async, [&] {
    for (int i = 0; i < kMessages; ++i) pair.sender.send(std::to_string(i));
  });
  for (int i = 0; i < kMessages; ++i) ASSERT_EQ(pair.receiver.receive_string(kLongWait), std::to_string(i));
  sender.get();
}

TEST(CppChannel, NoPeerYetIsNotClosedAndPeersGoneGiveClosed) {
  const std::string receiver_name = unique_name();
  const Channel lonely_receiver = Channel::create(receiver_name, 4096, 100, Channel::Role::receiver);
  EXPECT_EQ(lonely_receiver.receive_string(0ms), std::nullopt) << "no sender yet: empty, not closed";
  EXPECT_FALSE(lonely_receiver.wait(0ms));
  Channel::open(receiver_name, Channel::Role::sender).close();  // a sender came and went
  EXPECT_THROWS_STATUS(SHMLINK_ERR_CLOSED, (void)lonely_receiver.receive_string(kLongWait));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_CLOSED, (void)lonely_receiver.peek());
  EXPECT_TRUE(lonely_receiver.wait(0ms)) << "ready: a receive would say CLOSED";
  const std::string sender_name = unique_name();
  Channel lonely_sender = Channel::create(sender_name, 4096, 100, Channel::Role::sender);
  lonely_sender.send("queued for a receiver to come");
  Channel::open(sender_name, Channel::Role::receiver).close();  // a receiver came and went
  EXPECT_THROWS_STATUS(SHMLINK_ERR_CLOSED, lonely_sender.send("nobody listens"));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_CLOSED, (void)lonely_sender.reserve(10));

  ChannelPair pair;
  pair.sender.send("last words");
  pair.sender.close();
  EXPECT_EQ(pair.receiver.receive_string(), "last words") << "what is queued is delivered first";
  EXPECT_THROWS_STATUS(SHMLINK_ERR_CLOSED, (void)pair.receiver.receive());
}

TEST(CppChannel, BlockedReceiverWakesWithClosedWhenTheLastSenderCloses) {
  ChannelPair pair;
  auto receiver = std::async(std::launch::async, [&] { return status_thrown([&] { pair.receiver.receive(); }); });
  pair.sender.close();
  EXPECT_STATUS(SHMLINK_ERR_CLOSED, receiver.get());
}

TEST(CppChannel, RolesSizesAndNamesAreChecked) {
  ChannelPair pair(4096, 100);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_ACCESS_DENIED, pair.receiver.send("not a sender"));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_ACCESS_DENIED, (void)pair.receiver.reserve(1, 0ms));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_ACCESS_DENIED, (void)pair.sender.receive(0ms));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_ACCESS_DENIED, (void)pair.sender.peek(0ms));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_TOO_LARGE, pair.sender.send(std::string(101, 'x')));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_TOO_LARGE, (void)pair.sender.reserve(101));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_ALREADY_EXISTS, Channel::create(pair.name, 4096, 100, Channel::Role::sender));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_NOT_FOUND, Channel::open(unique_name(), Channel::Role::sender));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, Channel::create(unique_name(), 100, 200, Channel::Role::both));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_WRONG_KIND, Signal::open(pair.name));
  const std::string signal_name = unique_name();
  const Signal signal = Signal::create(signal_name, Signal::Reset::manual);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_WRONG_KIND, Channel::open(signal_name, Channel::Role::receiver));
}

TEST(CppChannel, OpenOrCreateReportsCreatedThenExistingWithItsOwnSizes) {
  const std::string name = unique_name();
  auto [created_channel, created] = Channel::open_or_create(name, 4096, 100, Channel::Role::receiver);
  EXPECT_TRUE(created);
  auto [opened, created_again] = Channel::open_or_create(name, 8192, 1000, Channel::Role::sender);
  EXPECT_FALSE(created_again);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_TOO_LARGE, opened.send(std::string(101, 'x'))) << "the maximum is still 100";
  opened.send("hello");
  EXPECT_EQ(created_channel.receive_string(), "hello");
}

TEST(CppChannel, OneHandleCanSendAndReceive) {
  const Channel both = Channel::create(unique_name(), 4096, 100, Channel::Role::both);
  both.send("to myself");
  EXPECT_EQ(both.receive_string(), "to myself");
}

TEST(CppChannel, ReservationCommitSendsWhatWasWrittenInPlace) {
  ChannelPair pair;
  Channel::Reservation reservation = pair.sender.reserve(100);
  ASSERT_TRUE(reservation);
  EXPECT_EQ(reservation.size(), 100u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(reservation.data()) % 32, 0u) << "32-byte aligned";
  std::memcpy(reservation.data(), "written in place", 16);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, reservation.commit(101));
  EXPECT_TRUE(reservation) << "a refused commit leaves the reservation open";
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, (void)pair.sender.reserve(1, 0ms)) << "one at a time";
  reservation.commit(16);
  EXPECT_FALSE(reservation);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, reservation.commit()) << "committed once only";
  EXPECT_EQ(pair.receiver.receive_string(), "written in place");

  std::optional<Channel::Reservation> timed = pair.sender.reserve(3, kLongWait);
  ASSERT_TRUE(timed);
  std::memcpy(timed->data(), "abc", 3);
  timed->commit();
  EXPECT_EQ(pair.receiver.receive_string(), "abc");
  EXPECT_TRUE(pair.sender) << "committed reservations leave the channel open";
}

TEST(CppChannel, UncommittedReservationIsCancelledByItsEndAndLaterMessagesFlow) {
  const std::string name = unique_name();
  Channel quitter = Channel::create(name, 4096, 100, Channel::Role::sender);
  const Channel sender = Channel::open(name, Channel::Role::sender);
  const Channel receiver = Channel::open(name, Channel::Role::receiver);
  {
    Channel::Reservation reservation = quitter.reserve(50);
    std::memcpy(reservation.data(), "never sent", 10);
    sender.send("after the cancelled one");
    EXPECT_EQ(receiver.receive_string(0ms), std::nullopt) << "held back behind the reservation";
  }
  EXPECT_EQ(receiver.receive_string(0ms), std::optional<std::string>("after the cancelled one"));
  EXPECT_EQ(receiver.receive_string(0ms), std::nullopt) << "the cancelled message never comes";
  ASSERT_TRUE(quitter) << "cancelling leaves the channel open";
  quitter.send("the quitter again");
  EXPECT_EQ(receiver.receive_string(0ms), std::optional<std::string>("the quitter again"));
}

TEST(CppChannel, ReservationCancelSendsNothingAndHoldsNothingAfterwards) {
  ChannelPair pair(1024, 100);
  Channel::Reservation reservation = pair.sender.reserve(20);
  std::memcpy(reservation.data(), "cancelled", 9);
  reservation.cancel();
  EXPECT_FALSE(reservation);
  EXPECT_EQ(reservation.data(), nullptr);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, reservation.cancel());
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, reservation.commit());
  EXPECT_EQ(pair.receiver.receive_string(0ms), std::nullopt);
  // Lap after lap: cancelled room is reused once the receiver passes it (the ring holds about
  // nine of these, so without the reuse a reserve would time out within ten rounds).
  for (int round = 0; round < 500; ++round) {
    {
      std::optional<Channel::Reservation> again = pair.sender.reserve(100, 5s);
      ASSERT_TRUE(again) << "round " << round;
      if (round % 2 == 0) again->cancel();  // the others are cancelled by their end
    }
    if (round % 5 == 0) {
      ASSERT_EQ(pair.receiver.receive_string(0ms), std::nullopt) << "round " << round;
    }
  }
  pair.sender.send("still flowing");
  EXPECT_EQ(pair.receiver.receive_string(0ms), std::optional<std::string>("still flowing"));
}

TEST(CppChannel, ReservationMovesAndIsCommittedOrCancelledOnce) {
  ChannelPair pair;
  Channel::Reservation first = pair.sender.reserve(5);
  Channel::Reservation moved = std::move(first);
  EXPECT_FALSE(first);
  EXPECT_EQ(first.data(), nullptr);
  ASSERT_TRUE(moved);
  std::memcpy(moved.data(), "moved", 5);
  moved.commit();
  first = Channel::Reservation();  // holds nothing: cancels nothing
  EXPECT_EQ(pair.receiver.receive_string(), "moved");

  Channel::Reservation replaced = pair.sender.reserve(5);
  std::memcpy(replaced.data(), "dropt", 5);
  replaced = Channel::Reservation();  // the assignment cancels what it held
  EXPECT_FALSE(replaced);
  EXPECT_EQ(pair.receiver.receive_string(0ms), std::nullopt);
  pair.sender.send("next");
  EXPECT_EQ(pair.receiver.receive_string(0ms), std::optional<std::string>("next"));
}

TEST(CppChannel, CopyingSendOrReceiveBesideAnOpenZeroCopyOperationThrowsAndLosesNothing) {
  ChannelPair pair(1024, 100);
  Channel::Reservation reservation = pair.sender.reserve(8);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, pair.sender.send("copied"));
  std::memcpy(reservation.data(), "reserved", 8);
  reservation.commit();
  pair.sender.send("copied");
  Channel::Message message = pair.receiver.peek();
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, (void)pair.receiver.receive_string(0ms));
  EXPECT_EQ(message.as_string_view(), "reserved");
  message.consume();
  EXPECT_EQ(pair.receiver.receive_string(0ms), std::optional<std::string>("copied"));
}

TEST(CppChannel, PeekedMessageIsReadInPlaceUntilConsumed) {
  ChannelPair pair(1024, 100);
  pair.sender.send("peeked");
  pair.sender.send("next");
  Channel::Message message = pair.receiver.peek();
  ASSERT_TRUE(message);
  EXPECT_EQ(message.as_string_view(), "peeked");
  EXPECT_EQ(message.size(), 6u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(message.begin()), message.size()), "peeked");
  std::optional<Channel::Message> again = pair.receiver.peek(0ms);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->data(), message.data()) << "peeking again gives the same message";
  again->release();
  EXPECT_FALSE(*again);
  again.reset();  // released: consumes nothing
  EXPECT_EQ(message.as_string_view(), "peeked");
  message.consume();
  EXPECT_FALSE(message);
  EXPECT_THROWS_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, message.consume()) << "consumed once only";

  std::optional<Channel::Message> timed = pair.receiver.peek(kLongWait);
  ASSERT_TRUE(timed);
  EXPECT_EQ(timed->as_string_view(), "next");
  timed->consume();
  EXPECT_EQ(pair.receiver.receive_string(0ms), std::nullopt);
}

TEST(CppChannel, PeekedMessageIsConsumedByItsEndAndItsRoomIsFree) {
  ChannelPair pair(1024, 100);
  pair.sender.send("first");
  pair.sender.send("second");
  {
    const Channel::Message message = pair.receiver.peek();
    EXPECT_EQ(message.as_string_view(), "first");
  }
  EXPECT_EQ(pair.receiver.receive_string(0ms), std::optional<std::string>("second"));
  const std::string full(100, 'r');
  int sent = 0;
  while (pair.sender.send(full, 0ms)) ++sent;
  EXPECT_GE(sent, 1024 / 160) << "all the room is free again";
}

TEST(CppChannel, MessageMovesAndIsConsumedOnce) {
  ChannelPair pair;
  pair.sender.send("one");
  pair.sender.send("two");
  pair.sender.send("three");
  Channel::Message first = pair.receiver.peek();
  Channel::Message moved = std::move(first);
  EXPECT_FALSE(first);
  EXPECT_EQ(moved.as_string_view(), "one");
  moved = Channel::Message();  // the assignment consumes what it held
  first = pair.receiver.peek();
  EXPECT_EQ(first.as_string_view(), "two");
  first = Channel::Message();
  EXPECT_EQ(pair.receiver.receive_string(0ms), std::optional<std::string>("three"));
}

TEST(CppChannel, WaitReturnsWhenAMessageCanBeReceivedAndTakesNothing) {
  ChannelPair pair;
  EXPECT_FALSE(pair.receiver.wait(0ms));
  pair.sender.send("ready");
  EXPECT_TRUE(pair.receiver.wait(0ms));
  pair.receiver.wait();
  EXPECT_EQ(pair.receiver.receive_string(), "ready");
  EXPECT_TRUE(pair.sender.wait(0ms)) << "a sender-only handle is ready while a maximum message fits";
}

TEST(CppChannel, ConditionsWaitForEachDirectionAndForThePeersInWaitAny) {
  const std::string name = unique_name();
  const Channel both = Channel::create(name, 1024, 100, Channel::Role::both);
  const ChannelCondition message = both.waitable(ChannelCondition::Kind::can_receive);
  const ChannelCondition room = both.waitable(ChannelCondition::Kind::can_send);
  EXPECT_FALSE(message.holds());
  EXPECT_TRUE(room.holds());
  const std::string full(100, 'f');
  while (both.send(full, 0ms)) {
  }
  auto woken = shmlink::wait_any({message, room}, 0ms);
  ASSERT_TRUE(woken.has_value());
  EXPECT_EQ(woken->index, 0u);
  EXPECT_FALSE(room.wait(20ms));

  const Channel sender = Channel::create(unique_name(), 4096, 100, Channel::Role::sender);
  const ChannelCondition receivers = sender.waitable(ChannelCondition::Kind::receivers_present);
  EXPECT_FALSE(receivers.wait(0ms));
  EXPECT_THROWS_STATUS(SHMLINK_ERR_ACCESS_DENIED, (void)sender.waitable(ChannelCondition::Kind::can_receive));
}

}  // namespace
}  // namespace shmlink_test
