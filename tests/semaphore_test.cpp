// Semaphores: a count between 0 and a maximum; waits take one, releases add and say what
// the count was; a release past the maximum fails and changes nothing.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/peer_output.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace shmlink_test {
namespace {

constexpr uint32_t kLongWaitMs = 20000;
constexpr uint32_t kLargestMaximum = 0x7FFFFFFFu;

Handle create_semaphore(const std::string& name, uint32_t initial_count, uint32_t max_count, uint32_t flags = 0) {
  Handle semaphore;
  EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_create(name.c_str(), initial_count, max_count, flags, semaphore.out()));
  return semaphore;
}

// Takes the whole count with polls and says how much there was (at most `limit`).
uint32_t drain(const Handle& semaphore, uint32_t limit = 1000) {
  uint32_t taken = 0;
  while (taken < limit) {
    const shmlink_status status = shmlink_wait(semaphore.get(), 0);
    if (status == SHMLINK_ERR_TIMEOUT) break;
    EXPECT_STATUS(SHMLINK_OK, status);
    if (status != SHMLINK_OK) break;
    ++taken;
  }
  return taken;
}

TEST(Semaphores, InitialCountIsAvailable) {
  EXPECT_EQ(drain(create_semaphore(unique_name(), 0, 5)), 0u);
  EXPECT_EQ(drain(create_semaphore(unique_name(), 3, 5)), 3u);
  EXPECT_EQ(drain(create_semaphore(unique_name(), 5, 5)), 5u);
  EXPECT_EQ(drain(create_semaphore(unique_name(), 1, 1)), 1u);
}

TEST(Semaphores, EachWaitTakesOne) {
  const Handle semaphore = create_semaphore(unique_name(), 2, 10);
  uint32_t previous = 99;
  ASSERT_STATUS(SHMLINK_OK, shmlink_wait(semaphore.get(), 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 1, &previous));
  EXPECT_EQ(previous, 1u);
  ASSERT_STATUS(SHMLINK_OK, shmlink_wait(semaphore.get(), 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_wait(semaphore.get(), 0));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(semaphore.get(), 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 1, &previous));
  EXPECT_EQ(previous, 0u);
}

TEST(Semaphores, ReleaseGivesThePreviousCount) {
  const Handle semaphore = create_semaphore(unique_name(), 0, 100);
  uint32_t previous = 99;
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 2, &previous));
  EXPECT_EQ(previous, 0u);
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 5, &previous));
  EXPECT_EQ(previous, 2u);
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 1, nullptr)) << "the output may be NULL";
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 1, &previous));
  EXPECT_EQ(previous, 8u);
  EXPECT_EQ(drain(semaphore), 9u);
}

TEST(Semaphores, ReleasePastTheMaximumIsLimitExceededAndChangesNothing) {
  const Handle semaphore = create_semaphore(unique_name(), 3, 5);
  uint32_t previous = 99;
  EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(semaphore.get(), 3, &previous));
  EXPECT_EQ(previous, 99u) << "outputs stay as they were on failure";
  EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(semaphore.get(), UINT32_MAX, &previous));
  EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(semaphore.get(), kLargestMaximum, nullptr));
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 2, &previous)) << "exactly to the maximum";
  EXPECT_EQ(previous, 3u);
  EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(semaphore.get(), 1, &previous));
  EXPECT_EQ(previous, 3u);
  EXPECT_EQ(drain(semaphore), 5u) << "the refused releases added nothing";
}

TEST(Semaphores, LargestMaximumWorks) {
  {
    const Handle full = create_semaphore(unique_name(), kLargestMaximum, kLargestMaximum);
    EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(full.get(), 1, nullptr));
    ASSERT_STATUS(SHMLINK_OK, shmlink_wait(full.get(), 0));
    uint32_t previous = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(full.get(), 1, &previous));
    EXPECT_EQ(previous, kLargestMaximum - 1);
  }
  const Handle empty = create_semaphore(unique_name(), 0, kLargestMaximum);
  uint32_t previous = 99;
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(empty.get(), kLargestMaximum, &previous));
  EXPECT_EQ(previous, 0u);
  EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(empty.get(), 1, &previous));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(empty.get(), 0));
}

TEST(Semaphores, BadCountsAreInvalidArguments) {
  const struct {
    uint32_t initial;
    uint32_t maximum;
  } bad[] = {
      {0, 0}, {1, 0}, {2, 1}, {6, 5}, {UINT32_MAX, 5}, {0, kLargestMaximum + 1}, {0, UINT32_MAX},
      {kLargestMaximum + 1, kLargestMaximum + 1}, {UINT32_MAX, UINT32_MAX},
  };
  const std::string existing_name = unique_name();
  const Handle existing = create_semaphore(existing_name, 1, 2);
  for (const auto& counts : bad) {
    SCOPED_TRACE("initial " + std::to_string(counts.initial) + ", maximum " + std::to_string(counts.maximum));
    const std::string name = unique_name();
    shmlink_handle semaphore = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                  shmlink_semaphore_create(name.c_str(), counts.initial, counts.maximum, 0, &semaphore));
    EXPECT_EQ(semaphore, 0u);
    semaphore = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                  shmlink_semaphore_create(existing_name.c_str(), counts.initial, counts.maximum,
                                           SHMLINK_OPEN_OR_CREATE, &semaphore));
    EXPECT_EQ(semaphore, 0u);
    EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_semaphore_open(name.c_str(), &semaphore)) << "nothing created";
  }
  EXPECT_EQ(drain(existing), 1u) << "the existing one is untouched";
}

TEST(Semaphores, ReleaseOfZeroIsAnInvalidArgument) {
  const Handle semaphore = create_semaphore(unique_name(), 1, 5);
  uint32_t previous = 99;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_semaphore_release(semaphore.get(), 0, &previous));
  EXPECT_EQ(previous, 99u);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_semaphore_release(semaphore.get(), 0, nullptr));
  EXPECT_EQ(drain(semaphore), 1u);
}

TEST(Semaphores, OpenOrCreateGivesExistedAndKeepsTheCounts) {
  const std::string name = unique_name();
  const Handle created = create_semaphore(name, 1, 3);
  Handle opened;
  ASSERT_STATUS(SHMLINK_EXISTED, shmlink_semaphore_create(name.c_str(), 7, 10, SHMLINK_OPEN_OR_CREATE, opened.out()));
  uint32_t previous = 99;
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(opened.get(), 2, &previous));
  EXPECT_EQ(previous, 1u) << "the existing count, not 7";
  EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(opened.get(), 1, &previous))
      << "the existing maximum, not 10";
  EXPECT_EQ(drain(created), 3u);
}

TEST(Semaphores, OpenOrCreateOfANewNameCreatesWithTheCounts) {
  Handle semaphore;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_semaphore_create(unique_name().c_str(), 2, 4, SHMLINK_OPEN_OR_CREATE, semaphore.out()));
  uint32_t previous = 99;
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 2, &previous));
  EXPECT_EQ(previous, 2u);
  EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(semaphore.get(), 1, nullptr));
}

TEST(Semaphores, CreateNewOfAnExistingNameIsAlreadyExists) {
  const std::string name = unique_name();
  const Handle created = create_semaphore(name, 1, 3);
  shmlink_handle again = 42;
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, shmlink_semaphore_create(name.c_str(), 3, 3, 0, &again));
  EXPECT_EQ(again, 0u);
  EXPECT_EQ(drain(created), 1u);
}

TEST(Semaphores, HandlesOfOneNameShareTheCount) {
  const std::string name = unique_name();
  const Handle created = create_semaphore(name, 0, 5);
  Handle opened;
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_open(name.c_str(), opened.out()));
  EXPECT_EQ(shmlink_handle_kind(opened.get()), SHMLINK_KIND_SEMAPHORE);
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(opened.get(), 4, nullptr));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(created.get(), 0));
  EXPECT_EQ(drain(opened), 3u);
}

TEST(Semaphores, OpenOfAMissingNameIsNotFound) {
  shmlink_handle semaphore = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_semaphore_open(unique_name().c_str(), &semaphore));
  EXPECT_EQ(semaphore, 0u);
}

TEST(Semaphores, ReleaseWakesWaitingThreadsOnePerCount) {
  constexpr int kWaiters = 6;
  const Handle semaphore = create_semaphore(unique_name(), 0, 100);
  std::atomic<int> woken{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([&] {
      if (shmlink_wait(semaphore.get(), kLongWaitMs) == SHMLINK_OK) woken.fetch_add(1);
    });
  }
  EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 2, nullptr));
  EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), kWaiters - 2, nullptr));
  for (std::thread& waiter : waiters) waiter.join();
  EXPECT_EQ(woken.load(), kWaiters);
  EXPECT_EQ(drain(semaphore), 0u) << "every count went to exactly one waiter";
}

TEST(Semaphores, ManyThreadsReleasingAndWaitingLoseNoCount) {
  constexpr int kProducers = 3;
  constexpr int kConsumers = 3;
  constexpr int kPerProducer = 3000;
  const Handle semaphore = create_semaphore(unique_name(), 0, kLargestMaximum);
  std::atomic<int> taken{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  // Bounded, so that a lost count is a failure rather than a hang.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  for (int i = 0; i < kConsumers; ++i) {
    threads.emplace_back([&] {
      while (taken.load() < kProducers * kPerProducer && std::chrono::steady_clock::now() < give_up) {
        const shmlink_status status = shmlink_wait(semaphore.get(), 100);
        if (status == SHMLINK_OK) taken.fetch_add(1);
        else if (status != SHMLINK_ERR_TIMEOUT) failures.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < kProducers; ++i) {
    threads.emplace_back([&] {
      for (int n = 0; n < kPerProducer; ++n) {
        if (shmlink_semaphore_release(semaphore.get(), 1, nullptr) != SHMLINK_OK) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(taken.load(), kProducers * kPerProducer);
  EXPECT_EQ(drain(semaphore), 0u);
}

TEST(Semaphores, ReleaseHereWakesAWaiterInAnotherProcess) {
  const std::string name = unique_name();
  const Handle semaphore = create_semaphore(name, 0, 1);
  auto peer = start_peer({"semaphore-wait", name, std::to_string(kLongWaitMs)});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "ready"));
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 1, nullptr));
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "wait SHMLINK_OK"));
  EXPECT_EQ(peer->wait(), std::optional<int>(0));
  EXPECT_EQ(drain(semaphore), 0u) << "the peer took it";
}

TEST(Semaphores, ReleaseInAnotherProcessIsCountedHere) {
  const std::string name = unique_name();
  const Handle semaphore = create_semaphore(name, 1, 10);
  Process peer(peer_program(), {"semaphore-release", name, "3"});
  ASSERT_NO_FATAL_FAILURE(expect_line(peer, "done 1"));
  EXPECT_EQ(peer.wait(), std::optional<int>(0));
  EXPECT_EQ(drain(semaphore), 4u);
}

TEST(Semaphores, WaitersInOtherProcessesShareTheCount) {
  constexpr int kPeers = 4;
  const std::string name = unique_name();
  const Handle semaphore = create_semaphore(name, 0, 10);
  std::vector<std::unique_ptr<Process>> peers;
  for (int i = 0; i < kPeers; ++i) peers.push_back(start_peer({"semaphore-wait", name, std::to_string(kLongWaitMs)}));
  for (auto& peer : peers) ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "ready"));
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), kPeers + 1, nullptr));
  for (auto& peer : peers) {
    EXPECT_NO_FATAL_FAILURE(expect_line(*peer, "wait SHMLINK_OK"));
    EXPECT_EQ(peer->wait(), std::optional<int>(0));
  }
  EXPECT_EQ(drain(semaphore), 1u) << "four taken by the peers, one left";
}

}  // namespace
}  // namespace shmlink_test
