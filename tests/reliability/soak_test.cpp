// The channel soak (issue 12): 4 senders and 4 receivers (the peer helper's soak-send and
// soak-receive) on one small channel, killed with SIGKILL, stopped with SIGSTOP and resumed,
// and restarted at random for a bounded time (SHMLINK_SOAK_SECONDS, 20 unless set; the seed is
// printed, SHMLINK_SOAK_SEED repeats a run). At most 8 peers live at once.
//
// What the channel guarantees (include/shmlink/shmlink.h, Channels; dll/core/channel_layout.h),
// and what is asserted, the receivers checking each message as it comes and the test the ledger
// (peer/soak_ledger.h) at the end:
//  - every message received is intact, was sent (its sender had got that far), and comes after
//    the ones its receiver had from the same sender (in order per sender);
//  - no message is received twice, by one receiver or two;
//  - every message whose send or commit returned success is received, except what a receiver
//    took and lost by being killed: each SIGKILLed receiver may lose at most one message (the
//    one it had claimed or peeked, or received but not yet marked). A sender killed after its
//    send succeeded but before recording that success may have committed one message more
//    than its record says: that one may arrive or not. Stopped peers lose nothing: they are
//    alive, and others wait for them (no CORRUPT, no lost wake-up, no hang);
//  - afterwards nothing of the channel or the ledger is left in /dev/shm.
// Any error a peer meets (CORRUPT among them) ends it with its reason, which fails the test.
#include <shmlink/shmlink.h>

#include "peer/soak_ledger.h"
#include "support/fixtures.h"
#include "support/names.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace shmlink_test {
namespace {

using namespace std::chrono_literals;
using soak::Ledger;

constexpr int kSenders = 4;
constexpr int kReceivers = 4;
constexpr uint32_t kCapacityBytes = 16 * 1024;  // small: senders often wait for room

uint64_t from_environment(const char* variable, uint64_t fallback) {
  const char* text = std::getenv(variable);
  if (text == nullptr || *text == '\0') return fallback;
  return std::strtoull(text, nullptr, 10);
}

struct Peer {
  bool sender = false;
  uint32_t sender_id = 0;
  std::unique_ptr<Process> process;
  std::optional<std::chrono::steady_clock::time_point> resume_at;  // set while stopped
};

// Every peer the soak has started. Whatever way the test ends (an assertion returning early,
// an exception), the destructor kills every peer still there, stopped ones too (SIGKILL ends a
// stopped process), before ~Process waits for it. The peers also die with the test process
// itself (parent-death signal, peer/soak_peer.cpp).
class Peers {
 public:
  ~Peers() {
    for (Peer& peer : peers_)
      if (peer.process) peer.process->kill();
  }
  std::vector<Peer>& all() { return peers_; }

 private:
  std::vector<Peer> peers_;
};

class Soak {
 public:
  Soak(std::string channel, std::string ledger) : channel_(std::move(channel)), ledger_(std::move(ledger)) {}

  // Starts peer `peer` (again), a sender with a fresh id; false with the reason if it did not
  // start. Once every sender id is used (a long soak), a sender's place stays empty.
  testing::AssertionResult start(Peer& peer) {
    std::vector<std::string> arguments;
    peer.resume_at.reset();
    peer.process.reset();
    if (peer.sender) {
      if (next_sender_id_ >= soak::kMaxSenders) return testing::AssertionSuccess();
      peer.sender_id = next_sender_id_++;
      arguments = {"soak-send", channel_, ledger_, std::to_string(peer.sender_id)};
    } else {
      arguments = {"soak-receive", channel_, ledger_};
    }
    peer.process = start_peer(arguments);
    const std::string line = peer.process->read_line().value_or("(nothing)");
    if (line != "ready") return testing::AssertionFailure() << arguments[0] << " said: " << line << peer.process->read_all(100ms);
    return testing::AssertionSuccess();
  }

  uint32_t senders_started() const { return next_sender_id_; }

 private:
  std::string channel_;
  std::string ledger_;
  uint32_t next_sender_id_ = 0;
};

std::string describe(const Peer& peer) {
  return peer.sender ? "sender " + std::to_string(peer.sender_id) : std::string("a receiver");
}

TEST(ChannelSoak, PeersKilledStoppedAndRestartedAtRandomLoseNothingCommitted) {
  const uint64_t seconds = from_environment("SHMLINK_SOAK_SECONDS", 20);
  const uint64_t seed = from_environment("SHMLINK_SOAK_SEED", static_cast<uint64_t>(std::random_device{}()));
  std::printf("soak: %llu s, seed %llu (SHMLINK_SOAK_SEED=%llu repeats it)\n", static_cast<unsigned long long>(seconds),
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  std::mt19937_64 random(seed);

  const std::string channel_name = unique_name();
  const std::string ledger_name = unique_name();
  Handle ledger_segment;
  Handle ledger_view;
  void* ledger_address = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(ledger_name.c_str(), soak::kLedgerBytes, 0, ledger_segment.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_map(ledger_segment.get(), 0, 0, SHMLINK_ACCESS_READ, ledger_view.out(), &ledger_address));
  const Ledger& ledger = *static_cast<const Ledger*>(ledger_address);
  // No role: keeps the channel through every death without counting as a sender or receiver.
  Handle keeper;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create(channel_name.c_str(), kCapacityBytes, soak::kMaxLength, 0, keeper.out()));

  Soak soak(channel_name, ledger_name);
  uint64_t receivers_killed = 0;
  uint64_t senders_killed = 0;
  uint64_t stops = 0;
  uint64_t senders_finished = 0;
  {
    Peers peers;
    for (int i = 0; i < kSenders + kReceivers; ++i) {
      peers.all().push_back(Peer{});
      peers.all().back().sender = i % 2 == 0;
      ASSERT_TRUE(soak.start(peers.all().back()));
    }

    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2 + random() % 40));
      const auto now = std::chrono::steady_clock::now();
      for (Peer& peer : peers.all()) {
        if (!peer.process) continue;
        if (peer.resume_at && now >= *peer.resume_at) {
          peer.process->resume();
          peer.resume_at.reset();
        }
        if (peer.resume_at) continue;
        // A running peer ends on its own only as a sender that sent all it had to.
        const std::optional<int> exit_code = peer.process->wait(0ms);
        if (!exit_code) continue;
        const std::string output = peer.process->read_all(100ms);
        ASSERT_TRUE(peer.sender && *exit_code == 0 && output.find("sent ") != std::string::npos)
            << describe(peer) << " ended by itself with " << *exit_code << ": " << output;
        ++senders_finished;
        ASSERT_TRUE(soak.start(peer));
      }
      Peer& victim = peers.all()[random() % peers.all().size()];
      if (!victim.process) continue;
      switch (random() % 8) {
        case 0:
        case 1:
        case 2: {  // killed wherever it is, stopped or not, and started again
          victim.process->kill();
          ASSERT_TRUE(victim.process->wait().has_value());
          ++(victim.sender ? senders_killed : receivers_killed);
          ASSERT_TRUE(soak.start(victim));
          break;
        }
        case 3:
        case 4:
          if (!victim.resume_at) {
            ASSERT_EQ(kill(victim.process->pid(), SIGSTOP), 0);
            // Mostly short; one in four outlasts the library's own waits and time limits
            // (seconds), which must not take a live peer for a dead or corrupt one.
            const uint64_t stop_ms = random() % 4 == 0 ? 2000 + random() % 1500 : 5 + random() % 400;
            victim.resume_at = now + std::chrono::milliseconds(stop_ms);
            ++stops;
          }
          break;
        default:
          break;
      }
    }

    // The end: every peer runs again; the senders die where they are (what they committed must
    // still arrive); the receivers, told to finish, drain the channel until CLOSED.
    for (Peer& peer : peers.all()) {
      if (!peer.process) continue;
      if (peer.resume_at) peer.process->resume();
      peer.resume_at.reset();
    }
    for (Peer& peer : peers.all()) {
      if (!peer.sender || !peer.process) continue;
      peer.process->kill();
      ASSERT_TRUE(peer.process->wait().has_value());
    }
    for (Peer& peer : peers.all()) {
      if (peer.sender) continue;
      peer.process->close_stdin();
      const std::string line = peer.process->read_line().value_or("(nothing)");
      EXPECT_EQ(line.rfind("received ", 0), 0u) << line << peer.process->read_all(100ms);
      EXPECT_EQ(peer.process->wait(), 0);
    }
  }  // every peer has exited (or is killed here)

  uint64_t committed = 0;
  uint64_t received = 0;
  uint64_t missing = 0;
  uint64_t repeated = 0;
  uint64_t beyond = 0;  // marked though its sender had not got that far
  for (uint32_t id = 0; id < soak.senders_started(); ++id) {
    const uint32_t count = ledger.committed[id];
    ASSERT_LE(count, soak::kPerSender);
    committed += count;
    for (uint32_t sequence = 0; sequence < soak::kPerSender; ++sequence) {
      const uint8_t mark = ledger.marks[uint64_t{id} * soak::kPerSender + sequence];
      received += mark;
      repeated += mark > 1;
      if (sequence < count) missing += mark == 0;
      // Message `count` may have been committed by a sender killed before it recorded it.
      if (sequence > count) beyond += mark != 0;
    }
  }
  if (soak.senders_started() == soak::kMaxSenders)
    std::printf("soak: every sender id was used; senders were not restarted after that\n");
  std::printf("soak: %u sender runs (%llu finished, %llu killed), %llu receivers killed, %llu stops; "
              "%llu messages committed, %llu received, %llu missing\n",
              soak.senders_started(), static_cast<unsigned long long>(senders_finished),
              static_cast<unsigned long long>(senders_killed), static_cast<unsigned long long>(receivers_killed),
              static_cast<unsigned long long>(stops), static_cast<unsigned long long>(committed),
              static_cast<unsigned long long>(received), static_cast<unsigned long long>(missing));
  EXPECT_EQ(repeated, 0u) << "messages received twice";
  EXPECT_EQ(beyond, 0u) << "messages received that were never sent";
  EXPECT_LE(missing, receivers_killed) << "committed messages lost, beyond one per killed receiver";
  EXPECT_GT(committed, 0u) << "the soak moved nothing";

  EXPECT_STATUS(SHMLINK_OK, keeper.close());
  EXPECT_STATUS(SHMLINK_OK, ledger_view.close());
  EXPECT_STATUS(SHMLINK_OK, ledger_segment.close());
  EXPECT_FALSE(path_exists(local_object_path(channel_name))) << "the channel is left in /dev/shm";
  EXPECT_FALSE(path_exists(local_object_path(ledger_name))) << "the ledger is left in /dev/shm";
}

}  // namespace
}  // namespace shmlink_test
