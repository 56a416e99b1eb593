// Signals (named events): auto-reset ones release exactly one wait per set, manual-reset
// ones every wait until reset; open-or-create keeps what exists; and the same across
// processes, with eight waiting peers at once.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/peer_output.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#ifndef _WIN32
#include <unistd.h>
#endif

namespace shmlink_test {
namespace {

// A wait that should succeed: long enough for a loaded machine, short enough that a bug is a
// failure rather than a hang.
constexpr uint32_t kLongWaitMs = 20000;
constexpr int kPeers = 8;

Handle create_signal(const std::string& name, uint32_t flags) {
  Handle signal;
  EXPECT_STATUS(SHMLINK_OK, shmlink_signal_create(name.c_str(), flags, signal.out()));
  return signal;
}

// Whether the signal is set now; an auto-reset signal is reset by asking.
bool take(const Handle& signal) {
  const shmlink_status status = shmlink_wait(signal.get(), 0);
  EXPECT_TRUE(status == SHMLINK_OK || status == SHMLINK_ERR_TIMEOUT) << describe_status(status);
  return status == SHMLINK_OK;
}

TEST(Signals, NewSignalIsNotSet) {
  const Handle automatic = create_signal(unique_name(), SHMLINK_SIGNAL_AUTO_RESET);
  const Handle manual = create_signal(unique_name(), SHMLINK_SIGNAL_MANUAL_RESET);
  EXPECT_FALSE(take(automatic));
  EXPECT_FALSE(take(manual));
}

TEST(Signals, AutoResetSetReleasesExactlyOneWaitThenResets) {
  const Handle signal = create_signal(unique_name(), SHMLINK_SIGNAL_AUTO_RESET);
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  EXPECT_TRUE(take(signal));
  EXPECT_FALSE(take(signal)) << "the wait reset it";
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  EXPECT_TRUE(take(signal)) << "set again, released again";
  EXPECT_FALSE(take(signal));
}

TEST(Signals, SettingASetAutoResetSignalChangesNothing) {
  const Handle signal = create_signal(unique_name(), SHMLINK_SIGNAL_AUTO_RESET);
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  EXPECT_TRUE(take(signal));
  EXPECT_FALSE(take(signal)) << "three sets of a set signal release one wait, not three";
}

TEST(Signals, ManualResetStaysSetUntilReset) {
  const Handle signal = create_signal(unique_name(), SHMLINK_SIGNAL_MANUAL_RESET);
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(take(signal)) << "wait " << i;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  EXPECT_TRUE(take(signal));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_reset(signal.get()));
  EXPECT_FALSE(take(signal));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  EXPECT_TRUE(take(signal));
}

TEST(Signals, ResetClearsAnAutoResetSignalAndAnUnsetOneStaysUnset) {
  const Handle signal = create_signal(unique_name(), SHMLINK_SIGNAL_AUTO_RESET);
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_reset(signal.get()));
  EXPECT_FALSE(take(signal));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_reset(signal.get()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_reset(signal.get()));
  EXPECT_FALSE(take(signal));
}

TEST(Signals, InitiallySetSignalIsSet) {
  const Handle automatic = create_signal(unique_name(), SHMLINK_SIGNAL_AUTO_RESET | SHMLINK_SIGNAL_INITIALLY_SET);
  EXPECT_TRUE(take(automatic));
  EXPECT_FALSE(take(automatic));
  const Handle manual = create_signal(unique_name(), SHMLINK_SIGNAL_MANUAL_RESET | SHMLINK_SIGNAL_INITIALLY_SET);
  EXPECT_TRUE(take(manual));
  EXPECT_TRUE(take(manual));
}

TEST(Signals, HandlesOfOneNameShareTheSignal) {
  const std::string name = unique_name();
  const Handle created = create_signal(name, SHMLINK_SIGNAL_AUTO_RESET);
  Handle opened;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_open(name.c_str(), opened.out()));
  EXPECT_NE(opened.get(), created.get());
  EXPECT_EQ(shmlink_handle_kind(opened.get()), SHMLINK_KIND_SIGNAL);
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(opened.get()));
  EXPECT_TRUE(take(created));
  EXPECT_FALSE(take(opened)) << "consumed through the other handle";
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(created.get()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_reset(opened.get()));
  EXPECT_FALSE(take(created));
}

TEST(Signals, OpenOrCreateOfANewNameCreatesWithTheFlags) {
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(),
                                                  SHMLINK_OPEN_OR_CREATE | SHMLINK_SIGNAL_MANUAL_RESET |
                                                      SHMLINK_SIGNAL_INITIALLY_SET,
                                                  signal.out()));
  EXPECT_TRUE(take(signal));
  EXPECT_TRUE(take(signal)) << "manual reset";
}

TEST(Signals, OpenOrCreateGivesExistedAndKeepsAnAutoResetSignalUnset) {
  const std::string name = unique_name();
  const Handle created = create_signal(name, SHMLINK_SIGNAL_AUTO_RESET);
  Handle opened;
  ASSERT_STATUS(SHMLINK_EXISTED,
                shmlink_signal_create(name.c_str(),
                                      SHMLINK_OPEN_OR_CREATE | SHMLINK_SIGNAL_MANUAL_RESET | SHMLINK_SIGNAL_INITIALLY_SET,
                                      opened.out()));
  EXPECT_FALSE(take(opened)) << "the existing state (unset), not the flags'";
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(opened.get()));
  EXPECT_TRUE(take(opened));
  EXPECT_FALSE(take(created)) << "the existing reset mode (auto), not the flags'";
}

TEST(Signals, OpenOrCreateGivesExistedAndKeepsASetManualResetSignal) {
  const std::string name = unique_name();
  const Handle created = create_signal(name, SHMLINK_SIGNAL_MANUAL_RESET | SHMLINK_SIGNAL_INITIALLY_SET);
  Handle opened;
  ASSERT_STATUS(SHMLINK_EXISTED, shmlink_signal_create(name.c_str(), SHMLINK_OPEN_OR_CREATE, opened.out()));
  EXPECT_TRUE(take(opened)) << "the existing state (set)";
  EXPECT_TRUE(take(opened)) << "the existing reset mode (manual)";
  EXPECT_TRUE(take(created));
}

TEST(Signals, RacingOpenOrCreatesCreateOneSignal) {
  constexpr int kThreads = 6;
  for (int round = 0; round < 20; ++round) {
    const std::string name = unique_name();
    std::atomic<int> created{0};
    std::atomic<int> existed{0};
    std::vector<Handle> handles(kThreads);
    run_together(kThreads, [&](int t) {
      const shmlink_status status =
          shmlink_signal_create(name.c_str(), SHMLINK_OPEN_OR_CREATE | SHMLINK_SIGNAL_AUTO_RESET, handles[t].out());
      if (status == SHMLINK_OK) created.fetch_add(1);
      else if (status == SHMLINK_EXISTED) existed.fetch_add(1);
      else ADD_FAILURE() << describe_status(status);
    });
    EXPECT_EQ(created.load(), 1) << "round " << round;
    EXPECT_EQ(existed.load(), kThreads - 1);
    // All handles reach the one signal.
    ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(handles[kThreads - 1].get()));
    EXPECT_TRUE(take(handles[0]));
    for (const Handle& handle : handles) EXPECT_FALSE(take(handle));
  }
}

TEST(Signals, CreateNewOfAnExistingNameIsAlreadyExistsAndChangesNothing) {
  const std::string name = unique_name();
  const Handle created = create_signal(name, SHMLINK_SIGNAL_AUTO_RESET);
  shmlink_handle again = 42;
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS,
                shmlink_signal_create(name.c_str(), SHMLINK_CREATE_NEW | SHMLINK_SIGNAL_INITIALLY_SET, &again));
  EXPECT_EQ(again, 0u);
  EXPECT_FALSE(take(created));
}

TEST(Signals, OpenOfAMissingNameIsNotFound) {
  shmlink_handle signal = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_signal_open(unique_name().c_str(), &signal));
  EXPECT_EQ(signal, 0u);
}

TEST(Signals, SetFromAnotherThreadWakesAWaitingThread) {
  const Handle signal = create_signal(unique_name(), SHMLINK_SIGNAL_AUTO_RESET);
  for (int round = 0; round < 50; ++round) {
    std::thread setter([&] { EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get())); });
    EXPECT_STATUS(SHMLINK_OK, shmlink_wait(signal.get(), kLongWaitMs)) << "round " << round;
    setter.join();
    EXPECT_FALSE(take(signal));
  }
}

TEST(Signals, ManualResetReleasesEveryWaitingThread) {
  const Handle signal = create_signal(unique_name(), SHMLINK_SIGNAL_MANUAL_RESET);
  std::atomic<int> released{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < kPeers; ++i) {
    waiters.emplace_back([&] {
      if (shmlink_wait(signal.get(), kLongWaitMs) == SHMLINK_OK) released.fetch_add(1);
    });
  }
  EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  for (std::thread& waiter : waiters) waiter.join();
  EXPECT_EQ(released.load(), kPeers);
  EXPECT_TRUE(take(signal)) << "still set";
}

// ---- Across processes ----

TEST(Signals, SetHereWakesAWaiterInAnotherProcess) {
  const std::string name = unique_name();
  const Handle signal = create_signal(name, SHMLINK_SIGNAL_AUTO_RESET);
  auto peer = start_peer({"signal-wait", name, std::to_string(kLongWaitMs)});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "ready"));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "wait SHMLINK_OK"));
  EXPECT_EQ(peer->wait(), std::optional<int>(0));
  EXPECT_FALSE(take(signal)) << "the peer's wait reset it";
}

TEST(Signals, SetInAnotherProcessWakesAWaiterHere) {
  const std::string name = unique_name();
  const Handle signal = create_signal(name, SHMLINK_SIGNAL_AUTO_RESET);
  std::thread setter([&] {
    Process peer(peer_program(), {"signal-set", name});
    expect_line(peer, "done");
    EXPECT_EQ(peer.wait(), std::optional<int>(0));
  });
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(signal.get(), kLongWaitMs));
  setter.join();
  EXPECT_FALSE(take(signal));
}

TEST(Signals, WaiterInAnotherProcessTimesOutWhenNothingSetsIt) {
  const std::string name = unique_name();
  const Handle signal = create_signal(name, SHMLINK_SIGNAL_AUTO_RESET);
  auto peer = start_peer({"signal-wait", name, "100"});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "ready"));
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "wait SHMLINK_ERR_TIMEOUT"));
  EXPECT_EQ(peer->wait(), std::optional<int>(0));
}

// Starts `count` peers waiting on the signal `name` for `timeout_ms` and waits until each
// says it is about to wait.
std::vector<std::unique_ptr<Process>> start_waiters(const std::string& name, int count, uint32_t timeout_ms) {
  std::vector<std::unique_ptr<Process>> peers;
  for (int i = 0; i < count; ++i) peers.push_back(start_peer({"signal-wait", name, std::to_string(timeout_ms)}));
  for (auto& peer : peers) {
    expect_line(*peer, "ready");
    if (testing::Test::HasFatalFailure()) break;
  }
  return peers;
}

TEST(Signals, AutoResetSetWakesExactlyOneOfEightWaitingProcesses) {
  // Each set releases one peer; the next set comes only after that peer said so. A set that
  // released two would leave a later set with nobody to release: the signal would then stay
  // set, and one of the checks below would fail.
  const std::string name = unique_name();
  const Handle signal = create_signal(name, SHMLINK_SIGNAL_AUTO_RESET);
  std::vector<std::unique_ptr<Process>> peers = start_waiters(name, kPeers, kLongWaitMs);
  ASSERT_FALSE(HasFatalFailure());
  std::vector<bool> woken(kPeers, false);
  for (int set = 1; set <= kPeers; ++set) {
    SCOPED_TRACE("set " + std::to_string(set));
    ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
    const auto first = first_line_of(peers, woken, kProcessTimeout);
    ASSERT_TRUE(first.has_value()) << "no peer woke";
    EXPECT_EQ(first->second, "wait SHMLINK_OK");
    woken[first->first] = true;
    // Nobody else has woken (so far: a late second wake is caught by the next rounds).
    if (const auto second = first_line_of(peers, woken, std::chrono::milliseconds(0))) {
      ADD_FAILURE() << "peer " << second->first << " also woke: " << second->second;
      woken[second->first] = true;
    }
  }
  for (auto& peer : peers) EXPECT_EQ(peer->wait(), std::optional<int>(0));
  EXPECT_FALSE(take(signal)) << "eight sets, eight wakes: nothing left over";
}

TEST(Signals, AutoResetSetIsConsumedByOneOfEightProcessesAndTheOthersTimeOut) {
  // Set before anyone waits, so that whichever peer comes first takes it, however slow the
  // machine: exactly one gets it and the other seven time out.
  const std::string name = unique_name();
  const Handle signal = create_signal(name, SHMLINK_SIGNAL_AUTO_RESET | SHMLINK_SIGNAL_INITIALLY_SET);
  std::vector<std::unique_ptr<Process>> peers = start_waiters(name, kPeers, 500);
  ASSERT_FALSE(HasFatalFailure());
  int released = 0;
  int timed_out = 0;
  for (auto& peer : peers) {
    const std::optional<std::string> line = peer->read_line();
    ASSERT_TRUE(line.has_value());
    if (*line == "wait SHMLINK_OK") ++released;
    else if (*line == "wait SHMLINK_ERR_TIMEOUT") ++timed_out;
    else ADD_FAILURE() << *line;
    EXPECT_EQ(peer->wait(), std::optional<int>(0));
  }
  EXPECT_EQ(released, 1);
  EXPECT_EQ(timed_out, kPeers - 1);
  EXPECT_FALSE(take(signal));
}

TEST(Signals, ManualResetSetWakesAllEightWaitingProcesses) {
  const std::string name = unique_name();
  const Handle signal = create_signal(name, SHMLINK_SIGNAL_MANUAL_RESET);
  std::vector<std::unique_ptr<Process>> peers = start_waiters(name, kPeers, kLongWaitMs);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  for (auto& peer : peers) {
    EXPECT_NO_FATAL_FAILURE(expect_line(*peer, "wait SHMLINK_OK"));
    EXPECT_EQ(peer->wait(), std::optional<int>(0));
  }
  EXPECT_TRUE(take(signal)) << "still set";
}

TEST(Signals, ResetInAnotherProcessIsSeenHere) {
  // The state lives in the shared object, not in the handle: a peer's wait on an
  // auto-reset signal resets it for us too.
  const std::string name = unique_name();
  const Handle signal = create_signal(name, SHMLINK_SIGNAL_AUTO_RESET | SHMLINK_SIGNAL_INITIALLY_SET);
  auto peer = start_peer({"signal-wait", name, "0"});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "ready"));
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "wait SHMLINK_OK"));
  EXPECT_FALSE(take(signal));
}

}  // namespace
}  // namespace shmlink_test

namespace shmlink_test {
namespace {

// ---- Unnamed signals (CreateEvent(NULL, ...); since 1.4) ----

Handle create_unnamed_signal(uint32_t flags) {
  Handle signal;
  EXPECT_STATUS(SHMLINK_OK, shmlink_signal_create(nullptr, flags, signal.out()));
  return signal;
}


TEST(UnnamedSignals, FollowTheirResetModeAndAreEachTheirOwn) {
  const Handle automatic = create_unnamed_signal(SHMLINK_SIGNAL_AUTO_RESET);
  const Handle manual = create_unnamed_signal(SHMLINK_SIGNAL_MANUAL_RESET | SHMLINK_SIGNAL_INITIALLY_SET);
  EXPECT_EQ(shmlink_handle_kind(automatic.get()), SHMLINK_KIND_SIGNAL);
  EXPECT_FALSE(take(automatic));
  EXPECT_TRUE(take(manual));
  EXPECT_TRUE(take(manual)) << "manual reset: stays set";
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(automatic.get()));
  EXPECT_TRUE(take(automatic));
  EXPECT_FALSE(take(automatic)) << "auto reset: one wait, then reset";
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_reset(manual.get()));
  EXPECT_FALSE(take(manual));
  const Handle other = create_unnamed_signal(SHMLINK_SIGNAL_MANUAL_RESET);
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(other.get()));
  EXPECT_FALSE(take(manual)) << "another unnamed signal is another object";
}

TEST(UnnamedSignals, CancelAWaitAnyOnOtherObjectsFromAnotherThread) {
  const Handle cancel = create_unnamed_signal(SHMLINK_SIGNAL_MANUAL_RESET);
  Handle channel;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create(unique_name().c_str(), 4096, 64, SHMLINK_CHANNEL_RECEIVER,
                                                   channel.out()));
  const Handle named = create_signal(unique_name(), SHMLINK_SIGNAL_AUTO_RESET);
  const shmlink_handle handles[] = {channel.get(), named.get(), cancel.get()};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(cancel.get()));
  });
  uint32_t index = 99;
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait_any(handles, 3, kLongWaitMs, &index));
  EXPECT_EQ(index, 2u);
  canceller.join();
}

TEST(UnnamedSignals, RefuseFlagsThatNeedANameAndLeaveNothingBehind) {
  for (const uint32_t flags : {SHMLINK_OPEN_OR_CREATE, SHMLINK_SHARE_GROUP, SHMLINK_SHARE_ALL_USERS,
                               SHMLINK_MUTEX_INITIALLY_OWNED, 0x80000000u}) {
    shmlink_handle handle = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_signal_create(nullptr, flags, &handle)) << flags;
    EXPECT_EQ(handle, 0u);
  }
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_signal_create(nullptr, 0, nullptr));
#ifndef _WIN32
  const int before = unnamed_object_files("signal");
  {
    const Handle signal = create_unnamed_signal(0);
    EXPECT_EQ(unnamed_object_files("signal"), before + 1) << "a memfd of its own";
  }
  EXPECT_EQ(unnamed_object_files("signal"), before) << "gone with its handle";
#endif
}

}  // namespace
}  // namespace shmlink_test
