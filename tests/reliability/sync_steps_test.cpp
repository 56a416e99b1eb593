// Kill at every step of the sync objects (issue 12): a peer with a stepped copy of the library
// (tests/peer/sync_step/sync_step_peer.cpp) stops itself at a named instant inside a mutex's
// lock or unlock, a signal's set or wait, a semaphore's release or wait, or a wait (alone or
// wait-any) just woken; the test kills it there (SIGKILL), or keeps it stopped and lets it go
// on (SIGCONT). The survivors - the test itself and peers of the real library, asleep in the
// kernel's queue (mutex lock) or on the wake word (wait-any) - must then:
//  - never hang, nor miss a wake-up: what the dead peer set, released or unlocked is taken
//    by a sleeper within seconds (sleeps end at least every second, sigbus_guard.h);
//  - see a mutex whose owner died holding it as ABANDONED by exactly one of them; one whose
//    owner died inside lock or unlock as ABANDONED at most once (the dead peer never ran a
//    line under it), and never CORRUPT;
//  - see what the dead peer took as taken once (a signal reset, a semaphore unit gone);
//  - wait for a stopped peer (TIMEOUT), never take it for dead, and go on when it does.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace shmlink_test {
namespace {

using namespace std::chrono_literals;

// Long enough for a sleeper's one-second slices on a loaded machine under a sanitizer.
constexpr auto kWakeUpLimit = 10000ms;
// How long a sleeper is given to show that it was not woken.
constexpr auto kQuiet = 300ms;

// Kills the peers it was given at the end of the scope, stopped ones too, whatever way the test
// ends (a stopped peer would otherwise keep ~Process waiting for its whole time limit).
class KillAtExit {
 public:
  void add(Process& process) { processes_.push_back(&process); }
  ~KillAtExit() {
    for (Process* process : processes_) process->kill();
  }

 private:
  std::vector<Process*> processes_;
};

bool emulated() { return std::getenv("SHMLINK_I386_NAMESPACE") != nullptr; }

// A peer that stops at `step` (see sync_step_peer.cpp), once it has said "ready".
std::unique_ptr<Process> start_step_peer(const std::string& step, const std::vector<std::string>& command) {
  std::vector<std::string> arguments{step};
  arguments.insert(arguments.end(), command.begin(), command.end());
  auto peer = std::make_unique<Process>(ProgramFile{program_path("shmlink_sync_step_peer")}, arguments);
  EXPECT_EQ(peer->read_line().value_or("(nothing)"), "ready") << command[0];
  return peer;
}

// A peer of the real library (tests/peer) that has said `first_line`.
std::unique_ptr<Process> start_survivor(const std::vector<std::string>& arguments, const char* first_line = "ready") {
  auto peer = start_peer(arguments);
  if (first_line != nullptr) {
    EXPECT_EQ(peer->read_line().value_or("(nothing)"), first_line) << arguments[0];
  }
  return peer;
}

// Lets sleepers that said "ready" get to their sleep.
void let_them_fall_asleep() { std::this_thread::sleep_for(100ms); }

void expect_stopped_at(Process& peer, const std::string& step) {
  EXPECT_EQ(peer.read_line().value_or("(nothing)"), "at " + step);
}

class SyncSteps : public testing::Test {
 protected:
  void SetUp() override {
    if (emulated()) GTEST_SKIP() << "sync steps not run: under qemu-i386 (SHMLINK_I386_NAMESPACE) the futex and robust-list behaviour "
                    "they check is the emulator's, not the kernel's";
  }
};

// ---- Mutexes ----

// The two survivors of a mutex: one asleep in the kernel's queue of the lock word (a plain
// lock), one asleep on the wake word (wait-any). Returns how many of them got it ABANDONED.
int survivors_take_the_mutex(Process& locker, Process& waiter) {
  // Whichever gets it first: the waiter unlocks at once, the locker when its stdin closes.
  const std::string locked = locker.read_line(kWakeUpLimit).value_or("(nothing)");
  EXPECT_TRUE(locked == "locked SHMLINK_OK" || locked == "locked SHMLINK_ABANDONED") << locked;
  locker.close_stdin();
  EXPECT_EQ(locker.read_line().value_or("(nothing)"), "closed");
  const std::string waited = waiter.read_line(kWakeUpLimit).value_or("(nothing)");
  EXPECT_TRUE(waited == "wait SHMLINK_OK 0" || waited == "wait SHMLINK_ABANDONED 0") << waited;
  EXPECT_EQ(locker.wait(), 0);
  EXPECT_EQ(waiter.wait(), 0);
  return (locked == "locked SHMLINK_ABANDONED") + (waited == "wait SHMLINK_ABANDONED 0");
}

void expect_mutex_free_and_sound(shmlink_handle mutex) {
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex, 0)) << "free, and abandoned no more";
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex));
}

// One round of a mutex test: the mutex, a signal for the wait-any survivor, the owner (a step
// peer) and the two survivors of survivors_take_the_mutex. Peers are killed, stopped ones too,
// before the handles close, however the round ends.
class MutexRound {
 public:
  MutexRound() {
    EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_create(name_.c_str(), 0, mutex_.out()));
    EXPECT_STATUS(SHMLINK_OK, shmlink_signal_create(signal_name_.c_str(), 0, signal_.out()));
  }
  ~MutexRound() {
    if (owner_) owner_->kill();
  }

  shmlink_handle mutex() const { return mutex_.get(); }

  // The owner: locks the mutex, stopping at `step` on the way (mutex-lock in sync_step_peer.cpp).
  // With `until_locked`, returns once its lock has returned (a step in its unlock, or none).
  Process& start_owner(const std::string& step, bool until_locked) {
    owner_ = start_step_peer(step, {"mutex-lock", name_});
    if (until_locked) {
      EXPECT_EQ(owner_->read_line().value_or("(nothing)"), "locked SHMLINK_OK");
    }
    return *owner_;
  }
  // One survivor queued in the kernel (a plain lock), one asleep in wait-any.
  void start_survivors() {
    locker_ = start_survivor({"mutex-hold", name_}, nullptr);
    waiter_ = start_survivor({"mutex-wait-any", name_, signal_name_, "infinite"});
    let_them_fall_asleep();
  }
  // How many of the survivors got it ABANDONED.
  int survivors_take_the_mutex() { return shmlink_test::survivors_take_the_mutex(*locker_, *waiter_); }

 private:
  std::string name_ = unique_name();
  std::string signal_name_ = unique_name();
  Handle mutex_;
  Handle signal_;
  std::unique_ptr<Process> owner_;
  std::unique_ptr<Process> locker_;
  std::unique_ptr<Process> waiter_;
};

struct MutexCase {
  const char* step;
  bool in_unlock;         // the step is in the peer's unlock (else in its lock)
  int abandoned_at_most;  // ABANDONED reports the survivors may see, at most
};

constexpr MutexCase kMutexCases[] = {
    {"mutex-lock-word-taken", false, 1},
    {"mutex-lock-owner-set", false, 1},
    {"mutex-unlock-owner-cleared", true, 1},
    {"mutex-unlock-word-released", true, 0},
};

TEST_F(SyncSteps, MutexOwnerKilledInsideLockOrUnlock) {
  for (const MutexCase& step : kMutexCases) {
    SCOPED_TRACE(step.step);
    MutexRound round;
    Process& owner = round.start_owner(step.step, step.in_unlock);
    round.start_survivors();
    if (step.in_unlock) owner.close_stdin();
    expect_stopped_at(owner, step.step);
    owner.kill();
    EXPECT_EQ(owner.wait(), 128 + SIGKILL);
    const int abandoned = round.survivors_take_the_mutex();
    EXPECT_LE(abandoned, step.abandoned_at_most);
    std::printf("%s: killed there, %d survivor(s) saw ABANDONED\n", step.step, abandoned);
    expect_mutex_free_and_sound(round.mutex());
  }
}

// The owner killed holding it (after its lock returned), with one survivor queued in the
// kernel and one asleep in wait-any. The kernel hands the word to the queued one, which then
// writes its own id into the word: until it does, the word names the dead owner and the
// kernel has none for it, and a try-lock meanwhile got EINVAL, reported as CORRUPT (about one
// round in eight on the 2-core VM): rounds enough to meet that window.
TEST_F(SyncSteps, MutexOwnerKilledHoldingItIsReportedAbandonedExactlyOnce) {
  constexpr int kRounds = 24;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    MutexRound mutex_round;
    Process& owner = mutex_round.start_owner("none", true);
    mutex_round.start_survivors();
    owner.kill();
    ASSERT_EQ(mutex_round.survivors_take_the_mutex(), 1);
    expect_mutex_free_and_sound(mutex_round.mutex());
    if (HasFailure()) return;
  }
}

TEST_F(SyncSteps, MutexOwnerStoppedInsideLockOrUnlockIsWaitedFor) {
  for (const MutexCase& step : kMutexCases) {
    SCOPED_TRACE(step.step);
    MutexRound round;
    Process& owner = round.start_owner(step.step, step.in_unlock);
    if (step.in_unlock) owner.close_stdin();
    expect_stopped_at(owner, step.step);
    if (std::string(step.step) != "mutex-unlock-word-released") {
      // The stopped owner still holds the word: a live owner, waited for.
      EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_mutex_lock(round.mutex(), 300));
    }
    round.start_survivors();
    owner.resume();
    if (!step.in_unlock) {
      EXPECT_EQ(owner.read_line().value_or("(nothing)"), "locked SHMLINK_OK");
      owner.close_stdin();
    }
    EXPECT_EQ(owner.read_line().value_or("(nothing)"), "unlocked");
    EXPECT_EQ(owner.wait(), 0);
    EXPECT_EQ(round.survivors_take_the_mutex(), 0) << "a stopped owner is alive";
    expect_mutex_free_and_sound(round.mutex());
  }
}

// ---- Signals and semaphores ----

struct Kind {
  const char* name;  // "signal", "semaphore"
  shmlink_status (*create)(const char* name, shmlink_handle* out);
  shmlink_status (*give)(shmlink_handle object);  // set / release one unit
};

shmlink_status create_signal(const char* name, shmlink_handle* out) { return shmlink_signal_create(name, 0, out); }
shmlink_status create_semaphore(const char* name, shmlink_handle* out) {
  return shmlink_semaphore_create(name, 0, 10, 0, out);
}
shmlink_status set_signal(shmlink_handle signal) { return shmlink_signal_set(signal); }
shmlink_status release_unit(shmlink_handle semaphore) { return shmlink_semaphore_release(semaphore, 1, nullptr); }

const Kind kKinds[] = {{"signal", create_signal, set_signal}, {"semaphore", create_semaphore, release_unit}};

std::string give_command(const Kind& kind) { return kind.name == std::string("signal") ? "signal-set" : "semaphore-release"; }
std::string wait_command(const Kind& kind) { return std::string(kind.name) + "-wait"; }
std::string give_step(const Kind& kind) {
  return kind.name == std::string("signal") ? "signal-set-stored" : "semaphore-release-added";
}
std::string take_step(const Kind& kind) { return std::string(kind.name) + "-wait-taken"; }

// A sleeper (a peer of the real library) waiting INFINITE on an object of `kind`, and a giver
// stopped after making the object available and before waking anyone; the giver is killed at
// the end of the round, however it ends.
struct GiverRound {
  explicit GiverRound(const Kind& kind) {
    EXPECT_STATUS(SHMLINK_OK, kind.create(name.c_str(), object.out()));
    sleeper = start_survivor({wait_command(kind), name, "infinite"});
    let_them_fall_asleep();
    giver = start_step_peer(give_step(kind), {give_command(kind), name});
    expect_stopped_at(*giver, give_step(kind));
  }
  ~GiverRound() { giver->kill(); }

  std::string name = unique_name();
  Handle object;
  std::unique_ptr<Process> sleeper;
  std::unique_ptr<Process> giver;
};

// Point 10's other half: the giver dies after making the object available and before waking
// anyone. The sleeper still gets it.
TEST_F(SyncSteps, GiverKilledBeforeItsWakeLosesNoWakeUp) {
  for (const Kind& kind : kKinds) {
    SCOPED_TRACE(kind.name);
    GiverRound round(kind);
    round.giver->kill();
    EXPECT_EQ(round.sleeper->read_line(kWakeUpLimit).value_or("(nothing)"), "wait SHMLINK_OK");
    EXPECT_EQ(round.sleeper->wait(), 0);
  }
}

TEST_F(SyncSteps, GiverStoppedBeforeItsWakeLosesNoWakeUp) {
  for (const Kind& kind : kKinds) {
    SCOPED_TRACE(kind.name);
    GiverRound round(kind);
    // What it gave is there already: the sleeper's next look finds it.
    EXPECT_EQ(round.sleeper->read_line(kWakeUpLimit).value_or("(nothing)"), "wait SHMLINK_OK");
    round.giver->resume();
    EXPECT_EQ(round.giver->read_line().value_or("(nothing)"), "done");
    EXPECT_EQ(round.giver->wait(), 0);
  }
}

// A waiter killed right after taking the object took it: once, and no more.
TEST_F(SyncSteps, WaiterKilledRightAfterTakingTookItOnce) {
  for (const Kind& kind : kKinds) {
    SCOPED_TRACE(kind.name);
    const std::string name = unique_name();
    Handle object;
    ASSERT_STATUS(SHMLINK_OK, kind.create(name.c_str(), object.out()));
    auto taker = start_step_peer(take_step(kind), {wait_command(kind), name});
    KillAtExit kill_taker;
    kill_taker.add(*taker);
    let_them_fall_asleep();
    ASSERT_STATUS(SHMLINK_OK, kind.give(object.get()));
    expect_stopped_at(*taker, take_step(kind));
    auto sleeper = start_survivor({wait_command(kind), name, "infinite"});
    let_them_fall_asleep();
    taker->kill();
    EXPECT_EQ(sleeper->read_line(kQuiet), std::nullopt) << "what the dead waiter took was there twice";
    ASSERT_STATUS(SHMLINK_OK, kind.give(object.get()));
    EXPECT_EQ(sleeper->read_line(kWakeUpLimit).value_or("(nothing)"), "wait SHMLINK_OK");
    EXPECT_EQ(sleeper->wait(), 0);
    EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(object.get(), 0)) << "taken once each";
  }
}

// Point 10: a waiter woken and killed before it takes: the other sleeper still gets it. And a
// waiter stopped there: the other gets it, and the stopped one goes on waiting when resumed.
TEST_F(SyncSteps, WaiterKilledOrStoppedJustWokenLosesNoWakeUp) {
  for (const Kind& kind : kKinds) {
    for (const bool kill : {true, false}) {
      SCOPED_TRACE(std::string(kind.name) + (kill ? " killed" : " stopped"));
      const std::string name = unique_name();
      Handle object;
      ASSERT_STATUS(SHMLINK_OK, kind.create(name.c_str(), object.out()));
      auto woken = start_step_peer("wait-woken", {wait_command(kind), name});
      KillAtExit kill_woken;
      kill_woken.add(*woken);
      auto sleeper = start_survivor({wait_command(kind), name, "infinite"});
      let_them_fall_asleep();
      ASSERT_STATUS(SHMLINK_OK, kind.give(object.get()));
      // Its first wake (the give, or the end of a sleep slice) stops it before it takes.
      expect_stopped_at(*woken, "wait-woken");
      if (kill) woken->kill();
      EXPECT_EQ(sleeper->read_line(kWakeUpLimit).value_or("(nothing)"), "wait SHMLINK_OK");
      EXPECT_EQ(sleeper->wait(), 0);
      if (!kill) {
        woken->resume();
        EXPECT_EQ(woken->read_line(kQuiet), std::nullopt) << "it took what the other had taken";
        ASSERT_STATUS(SHMLINK_OK, kind.give(object.get()));
        EXPECT_EQ(woken->read_line(kWakeUpLimit).value_or("(nothing)"), "wait SHMLINK_OK");
        EXPECT_EQ(woken->wait(), 0);
      }
    }
  }
}

// Point 10 for mutexes waited for through wait-any: a waiter woken by the unlock and killed
// before it takes the mutex leaves it to the other sleeper, not abandoned.
TEST_F(SyncSteps, WaitAnyWaiterKilledJustWokenLeavesTheMutexToTheOthers) {
  const std::string name = unique_name();
  const std::string signal_name = unique_name();
  Handle mutex;
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create(name.c_str(), 0, mutex.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(signal_name.c_str(), 0, signal.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  auto woken = start_step_peer("wait-woken", {"wait-any", name, signal_name});
  KillAtExit kill_woken;
  kill_woken.add(*woken);
  auto sleeper = start_survivor({"mutex-wait-any", name, signal_name, "infinite"});
  let_them_fall_asleep();
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  expect_stopped_at(*woken, "wait-woken");
  woken->kill();
  EXPECT_EQ(sleeper->read_line(kWakeUpLimit).value_or("(nothing)"), "wait SHMLINK_OK 0");
  EXPECT_EQ(sleeper->wait(), 0);
  expect_mutex_free_and_sound(mutex.get());
}

}  // namespace
}  // namespace shmlink_test
