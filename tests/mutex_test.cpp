// Mutexes: owned by a thread, recursive for their owner, refused to anyone else; handed on
// as abandoned when the owner dies (a thread that ends, a process killed hard); and mutual
// exclusion between processes.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/peer_output.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace shmlink_test {
namespace {

constexpr uint32_t kLongWaitMs = 20000;

Handle create_mutex(const std::string& name, uint32_t flags = 0) {
  Handle mutex;
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_create(name.c_str(), flags, mutex.out()));
  return mutex;
}

// Tries to lock the mutex from a new thread for `timeout_ms`; if that thread gets it, it
// unlocks it again before it ends. Returns how the lock went.
shmlink_status lock_from_another_thread(const Handle& mutex, uint32_t timeout_ms) {
  return std::async(std::launch::async, [&] {
           const shmlink_status status = shmlink_mutex_lock(mutex.get(), timeout_ms);
           if (SHMLINK_SUCCEEDED(status)) {
             EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
           }
           return status;
         })
      .get();
}

shmlink_status unlock_from_another_thread(const Handle& mutex) {
  return std::async(std::launch::async, [&] { return shmlink_mutex_unlock(mutex.get()); }).get();
}

// A thread that locks the mutex and holds it until release().
class HoldingThread {
 public:
  explicit HoldingThread(shmlink_handle mutex) {
    std::future<void> locked = locked_.get_future();
    thread_ = std::thread([this, mutex, release = release_.get_future()] {
      lock_status_ = shmlink_mutex_lock(mutex, kLongWaitMs);
      locked_.set_value();
      if (release.wait_for(std::chrono::milliseconds(kLongWaitMs)) != std::future_status::ready)
        ADD_FAILURE() << "nobody let the holding thread go";
      if (SHMLINK_SUCCEEDED(lock_status_)) unlock_status_ = shmlink_mutex_unlock(mutex);
    });
    locked.wait();
  }
  ~HoldingThread() { release(); }

  shmlink_status lock_status() const { return lock_status_; }
  // Lets go of the mutex, ends the thread and says how the unlock went.
  shmlink_status release() {
    if (thread_.joinable()) {
      release_.set_value();
      thread_.join();
    }
    return unlock_status_;
  }

 private:
  std::promise<void> locked_;
  std::promise<void> release_;
  shmlink_status lock_status_ = SHMLINK_ERR_SYSTEM;
  shmlink_status unlock_status_ = SHMLINK_ERR_SYSTEM;
  std::thread thread_;
};

TEST(Mutexes, NewMutexIsFree) {
  const Handle mutex = create_mutex(unique_name());
  EXPECT_STATUS(SHMLINK_OK, lock_from_another_thread(mutex, 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

TEST(Mutexes, LockedMutexBelongsToTheLockingThread) {
  const Handle mutex = create_mutex(unique_name());
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), kLongWaitMs));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, lock_from_another_thread(mutex, 0));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, lock_from_another_thread(mutex, 50));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_OK, lock_from_another_thread(mutex, 0));
}

TEST(Mutexes, OwnerLocksRecursivelyAndMustUnlockAsOften) {
  const Handle mutex = create_mutex(unique_name());
  for (int level = 0; level < 3; ++level) ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_wait(mutex.get(), 0)) << "a wait on it is a fourth level";
  for (int level = 4; level > 1; --level) {
    ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
    EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, lock_from_another_thread(mutex, 0)) << level - 1 << " levels still held";
  }
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_OK, lock_from_another_thread(mutex, 0));
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(mutex.get()));
}

TEST(Mutexes, UnlockOfAFreeMutexIsNotOwner) {
  const Handle mutex = create_mutex(unique_name());
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_OK, lock_from_another_thread(mutex, 0)) << "the failed unlock changed nothing";
}

TEST(Mutexes, UnlockFromAThreadThatDoesNotHoldItIsNotOwner) {
  const Handle mutex = create_mutex(unique_name());
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, unlock_from_another_thread(mutex));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, lock_from_another_thread(mutex, 0)) << "still ours";
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

TEST(Mutexes, UnlockThroughAnotherHandleOfTheOwningThreadWorks) {
  // Ownership belongs to the thread, not to the handle.
  const std::string name = unique_name();
  const Handle created = create_mutex(name);
  Handle opened;
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_open(name.c_str(), opened.out()));
  EXPECT_EQ(shmlink_handle_kind(opened.get()), SHMLINK_KIND_MUTEX);
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(created.get(), 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(opened.get(), 0)) << "recursive through either handle";
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(opened.get()));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(opened.get()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(created.get()));
  EXPECT_STATUS(SHMLINK_OK, lock_from_another_thread(created, 0));
}

TEST(Mutexes, UnlockAfterReleasingFullyIsNotOwner) {
  const Handle mutex = create_mutex(unique_name());
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(mutex.get()));
  // Also while another thread holds it: our unlock must not release the other's lock.
  HoldingThread holder(mutex.get());
  ASSERT_STATUS(SHMLINK_OK, holder.lock_status());
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_mutex_lock(mutex.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, holder.release());
}

TEST(Mutexes, LockWaitsForTheOwnerToUnlock) {
  const Handle mutex = create_mutex(unique_name());
  for (int round = 0; round < 50; ++round) {
    HoldingThread holder(mutex.get());
    ASSERT_STATUS(SHMLINK_OK, holder.lock_status());
    std::thread releaser([&] { EXPECT_STATUS(SHMLINK_OK, holder.release()); });
    EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), kLongWaitMs)) << "round " << round;
    releaser.join();
    EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  }
}

TEST(Mutexes, InitiallyOwnedMutexBelongsToItsCreator) {
  const Handle mutex = create_mutex(unique_name(), SHMLINK_MUTEX_INITIALLY_OWNED);
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, lock_from_another_thread(mutex, 0));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, lock_from_another_thread(mutex, 50));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0)) << "recursive for its creator";
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, lock_from_another_thread(mutex, 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_OK, lock_from_another_thread(mutex, 0));
}

TEST(Mutexes, OpenOrCreateOfANewNameWithInitiallyOwnedCreatesItOwned) {
  Handle mutex;
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create(unique_name().c_str(),
                                                 SHMLINK_OPEN_OR_CREATE | SHMLINK_MUTEX_INITIALLY_OWNED, mutex.out()));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, lock_from_another_thread(mutex, 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

TEST(Mutexes, OpenOrCreateOfAnExistingMutexDoesNotAcquireIt) {
  const std::string name = unique_name();
  const Handle created = create_mutex(name);
  Handle opened;
  ASSERT_STATUS(SHMLINK_EXISTED,
                shmlink_mutex_create(name.c_str(), SHMLINK_OPEN_OR_CREATE | SHMLINK_MUTEX_INITIALLY_OWNED, opened.out()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(opened.get()));
  EXPECT_STATUS(SHMLINK_OK, lock_from_another_thread(created, 0)) << "still free";
}

TEST(Mutexes, OpenOrCreateOfAMutexHeldElsewhereNeitherWaitsNorAcquires) {
  const std::string name = unique_name();
  const Handle created = create_mutex(name);
  HoldingThread holder(created.get());
  ASSERT_STATUS(SHMLINK_OK, holder.lock_status());
  Handle opened;
  ASSERT_STATUS(SHMLINK_EXISTED,
                shmlink_mutex_create(name.c_str(), SHMLINK_OPEN_OR_CREATE | SHMLINK_MUTEX_INITIALLY_OWNED, opened.out()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(opened.get()));
  EXPECT_STATUS(SHMLINK_OK, holder.release());
}

TEST(Mutexes, RacingOpenOrCreatesWithInitiallyOwnedMakeOnlyTheCreatorTheOwner) {
  constexpr int kThreads = 6;
  for (int round = 0; round < 20; ++round) {
    const std::string name = unique_name();
    std::atomic<int> created{0};
    std::atomic<int> existed{0};
    std::atomic<int> wrong{0};
    std::vector<Handle> handles(kThreads);
    run_together(kThreads, [&](int t) {
      const shmlink_status status = shmlink_mutex_create(
          name.c_str(), SHMLINK_OPEN_OR_CREATE | SHMLINK_MUTEX_INITIALLY_OWNED, handles[t].out());
      // Only the creator owns it: its unlock works, everybody else's is refused.
      const shmlink_status unlocked = shmlink_mutex_unlock(handles[t].get());
      if (status == SHMLINK_OK && unlocked == SHMLINK_OK) {
        created.fetch_add(1);
      } else if (status == SHMLINK_EXISTED && unlocked == SHMLINK_ERR_NOT_OWNER) {
        existed.fetch_add(1);
      } else {
        wrong.fetch_add(1);
        ADD_FAILURE() << describe_status(status) << ", then unlock: " << describe_status(unlocked);
      }
    });
    EXPECT_EQ(created.load(), 1) << "round " << round;
    EXPECT_EQ(existed.load(), kThreads - 1);
    ASSERT_EQ(wrong.load(), 0);
    EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(handles[0].get(), 0)) << "free now, and not abandoned";
    EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(handles[0].get()));
  }
}

TEST(Mutexes, CreateNewOfAnExistingNameIsAlreadyExists) {
  const std::string name = unique_name();
  const Handle created = create_mutex(name);
  shmlink_handle again = 42;
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, shmlink_mutex_create(name.c_str(), SHMLINK_MUTEX_INITIALLY_OWNED, &again));
  EXPECT_EQ(again, 0u);
  EXPECT_STATUS(SHMLINK_OK, lock_from_another_thread(created, 0)) << "the refused create took nothing";
}

TEST(Mutexes, OpenOfAMissingNameIsNotFound) {
  shmlink_handle mutex = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_mutex_open(unique_name().c_str(), &mutex));
  EXPECT_EQ(mutex, 0u);
}

// ---- Abandonment ----

TEST(Mutexes, ThreadThatEndsHoldingTheMutexAbandonsIt) {
  const Handle mutex = create_mutex(unique_name());
  std::thread([&] {
    EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
    EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));  // ends holding two levels
  }).join();
  EXPECT_STATUS(SHMLINK_ABANDONED, shmlink_mutex_lock(mutex.get(), kLongWaitMs));
  // One level is ours now, whatever the dead owner held.
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, lock_from_another_thread(mutex, 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(mutex.get()));
  // And it works normally again: abandonment is reported once.
  EXPECT_STATUS(SHMLINK_OK, lock_from_another_thread(mutex, 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

TEST(Mutexes, AbandonmentByAThreadIsSeenByAPollAndByAWaitOnIt) {
  const Handle mutex = create_mutex(unique_name());
  run_on_a_thread_that_ends([&] { EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0)); });
  EXPECT_STATUS(SHMLINK_ABANDONED, shmlink_wait(mutex.get(), 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  run_on_a_thread_that_ends([&] { EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0)); });
  EXPECT_STATUS(SHMLINK_ABANDONED, shmlink_wait(mutex.get(), kLongWaitMs));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(mutex.get(), 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

TEST(Mutexes, PeerKilledHoldingTheMutexHandsItOverAsAbandonedPromptly) {
  const std::string name = unique_name();
  const Handle mutex = create_mutex(name);
  auto peer = start_peer({"mutex-hold", name});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "locked SHMLINK_OK"));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_mutex_lock(mutex.get(), 0)) << "the peer holds it";

  // A waiter with a long time limit: the death, not the limit, must end its wait.
  constexpr uint32_t kWaiterLimitMs = 60000;
  auto waiter = std::async(std::launch::async, [&] {
    const auto start = std::chrono::steady_clock::now();
    const shmlink_status status = shmlink_mutex_lock(mutex.get(), kWaiterLimitMs);
    const auto waited = std::chrono::steady_clock::now() - start;
    if (SHMLINK_SUCCEEDED(status)) {
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
    }
    return std::make_pair(status, waited);
  });
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());
  const auto [status, waited] = waiter.get();
  EXPECT_STATUS(SHMLINK_ABANDONED, status);
  EXPECT_LT(waited, std::chrono::milliseconds(kWaiterLimitMs / 4)) << "handed over when the owner died";

  // Usable again, and no longer abandoned.
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, lock_from_another_thread(mutex, 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_OK, lock_from_another_thread(mutex, 0));
}

TEST(Mutexes, PeerKilledHoldingTheMutexIsSeenByAPoll) {
  const std::string name = unique_name();
  const Handle mutex = create_mutex(name);
  auto peer = start_peer({"mutex-hold", name});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "locked SHMLINK_OK"));
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());
  EXPECT_STATUS(SHMLINK_ABANDONED, shmlink_mutex_lock(mutex.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

TEST(Mutexes, PeerWaitingForAKilledPeersMutexGetsItAbandoned) {
  const std::string name = unique_name();
  const Handle mutex = create_mutex(name);
  auto owner = start_peer({"mutex-hold", name});
  ASSERT_NO_FATAL_FAILURE(expect_line(*owner, "locked SHMLINK_OK"));
  auto waiter = start_peer({"mutex-hold", name});
  owner->kill();
  ASSERT_TRUE(owner->wait().has_value());
  ASSERT_NO_FATAL_FAILURE(expect_line(*waiter, "locked SHMLINK_ABANDONED"));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_mutex_lock(mutex.get(), 0)) << "the waiting peer holds it now";
  ASSERT_NO_FATAL_FAILURE(release(*waiter));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0)) << "released normally: not abandoned";
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

TEST(Mutexes, PeerThatUnlocksBeforeExitingDoesNotAbandon) {
  const std::string name = unique_name();
  const Handle mutex = create_mutex(name);
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  auto peer = start_peer({"mutex-hold", name});
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));  // the peer gets it now
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "locked SHMLINK_OK"));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_mutex_lock(mutex.get(), 0));
  ASSERT_NO_FATAL_FAILURE(release(*peer));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

TEST(Mutexes, ClosingTheOnlyHandleWhileHoldingTheMutexFreesItsName) {
  const std::string name = unique_name();
  Handle mutex = create_mutex(name);
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  ASSERT_STATUS(SHMLINK_OK, mutex.close());
  shmlink_handle missing = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_mutex_open(name.c_str(), &missing));
  Handle again = create_mutex(name);
  EXPECT_STATUS(SHMLINK_OK, lock_from_another_thread(again, 0)) << "a new mutex, free";
}

// ---- Mutual exclusion between processes ----

TEST(Mutexes, FourProcessesIncrementingASharedCounterLoseNoIncrement) {
  constexpr int kProcesses = 4;
  constexpr uint64_t kIterations = 100000;
  const std::string mutex_name = unique_name();
  const std::string segment_name = unique_name();
  const std::string start_name = unique_name();
  const Handle mutex = create_mutex(mutex_name);
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(segment_name.c_str(), sizeof(uint64_t), 0, segment.out()));
  Handle start;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(start_name.c_str(), SHMLINK_SIGNAL_MANUAL_RESET, start.out()));

  std::vector<std::unique_ptr<Process>> peers;
  for (int i = 0; i < kProcesses; ++i)
    peers.push_back(start_peer({"mutex-count", mutex_name, segment_name, std::to_string(kIterations), start_name}));
  for (auto& peer : peers) ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "ready"));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(start.get()));  // all at once, for contention
  for (auto& peer : peers) {
    // Generous: 100,000 contended lock/unlock pairs each, maybe under a sanitizer.
    const std::optional<std::string> line = peer->read_line(std::chrono::minutes(3));
    ASSERT_TRUE(line.has_value()) << "a peer did not finish counting";
    EXPECT_EQ(*line, "counted");
    EXPECT_EQ(peer->wait(), std::optional<int>(0));
  }
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ, view));
  uint64_t count = 0;
  std::memcpy(&count, view.bytes(), sizeof count);
  EXPECT_EQ(count, kProcesses * kIterations);
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0)) << "free, not abandoned, after the peers";
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

#ifndef _WIN32
TEST(Mutexes, AnOwnerlessLockWordWrittenByABrokenPeerIsTakenAtOnceInsteadOfSpinning) {
  const std::string name = unique_name();
  Handle mutex = create_mutex(name);
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(), 0, signal.out()));
  // The futex "waiters" bit with no owner, written straight into the object's lock word (the
  // first word of the data page that follows the 4 KiB header page). The priority-inheritance
  // protocol takes a word without an owner for free, whatever its other bits.
  FILE* file = std::fopen(local_object_path(name).c_str(), "r+b");
  ASSERT_NE(file, nullptr);
  const uint32_t waiters_bit_only = 0x80000000u;
  ASSERT_EQ(std::fseek(file, 4096, SEEK_SET), 0);
  ASSERT_EQ(std::fwrite(&waiters_bit_only, sizeof waiters_bit_only, 1, file), 1u);
  std::fclose(file);

  const auto start = std::chrono::steady_clock::now();
  const shmlink_handle handles[] = {signal.get(), mutex.get()};
  uint32_t index = 77;
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait_any(handles, 2, kLongWaitMs, &index));
  EXPECT_EQ(index, 1u);
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_OK, lock_from_another_thread(mutex, 0));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}
#endif

}  // namespace
}  // namespace shmlink_test
