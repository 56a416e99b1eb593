// The peer helper's soak commands (see peer_protocol.h and soak_ledger.h): a sender and a
// receiver that run until killed, as tests/reliability/soak_test.cpp starts, kills, stops
// and restarts them at random.
#include "channel_messages.h"
#include "peer_support.h"
#include "soak_ledger.h"

#include <shmlink/shmlink.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#endif

namespace shmlink_test::peer {
namespace {

using soak::Ledger;

// Waits in each call are short so that a sender or receiver notices a side come back (and a
// receiver its cue to finish) soon; none of them is a failure.
constexpr uint32_t kStepWaitMs = 100;

// A soak peer must not outlive the test even when the test dies (or is stopped with its
// peers): the kernel kills it when the test's thread that started it ends.
void die_with_the_test() {
#ifdef __linux__
  prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
}

struct MappedLedger {
  shmlink_handle segment = 0;
  shmlink_handle view = 0;
  Ledger* ledger = nullptr;

  explicit MappedLedger(const char* name) {
    check(shmlink_segment_open(name, SHMLINK_ACCESS_READ_WRITE, &segment), "open the ledger");
    uint64_t bytes = 0;
    check(shmlink_segment_size(segment, &bytes), "size of the ledger");
    if (bytes < soak::kLedgerBytes) {
      say("error the ledger is " + std::to_string(bytes) + " bytes");
      std::exit(1);
    }
    void* address = nullptr;
    check(shmlink_map(segment, 0, soak::kLedgerBytes, SHMLINK_ACCESS_READ_WRITE, &view, &address), "map the ledger");
    ledger = static_cast<Ledger*>(address);
  }
  ~MappedLedger() {
    check(shmlink_unmap(view), "unmap the ledger");
    check(shmlink_close(segment), "close the ledger");
  }
};

[[noreturn]] void fail(const std::string& why) {
  say("error " + why);
  std::exit(1);
}

// Whether a wait's status means "try again": nobody there (CLOSED) or not yet (TIMEOUT).
bool retry(shmlink_status status) {
  if (status == SHMLINK_ERR_CLOSED) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return true;
  }
  return status == SHMLINK_ERR_TIMEOUT;
}

// soak-send CHANNEL LEDGER SENDER: sends messages 0 .. kPerSender - 1 of SENDER (copied and
// zero-copy in turn), recording each success in the ledger, then prints "sent N" and exits.
void soak_send(const char* channel_name, const char* ledger_name, uint32_t sender) {
  if (sender >= soak::kMaxSenders) usage("SENDER is below soak::kMaxSenders");
  die_with_the_test();
  MappedLedger mapped(ledger_name);
  shmlink_handle channel = 0;
  check(shmlink_channel_open(channel_name, SHMLINK_CHANNEL_SENDER, &channel), "open the channel");
  say("ready");
  std::vector<uint8_t> message(soak::kMaxLength);
  for (uint32_t sequence = 0; sequence < soak::kPerSender; ++sequence) {
    const uint32_t length = stress_length(sender, sequence, soak::kMaxLength);
    shmlink_status status;
    if (sequence % 2 == 1) {
      void* buffer = nullptr;
      do {
        status = shmlink_channel_reserve(channel, length, kStepWaitMs, &buffer);
      } while (retry(status));
      check(status, "reserve");
      fill_stress_message(static_cast<uint8_t*>(buffer), sender, sequence, length);
      status = shmlink_channel_commit(channel, length);
      check(status, "commit");
    } else {
      fill_stress_message(message.data(), sender, sequence, length);
      do {
        status = shmlink_channel_send(channel, message.data(), length, kStepWaitMs);
      } while (retry(status));
      check(status, "send");
    }
    __atomic_store_n(&mapped.ledger->committed[sender], sequence + 1, __ATOMIC_RELEASE);
  }
  check(shmlink_close(channel), "close the channel");
  say("sent " + std::to_string(soak::kPerSender));
}

// soak-receive CHANNEL LEDGER: receives (copying and peeking in turn) and checks every message:
// intact, in order per sender, never one its sender had not reached, never one another
// receiver had; marks it in the ledger. When stdin closes it drains the channel: it prints
// "received N" and exits at the first CLOSED (every sender gone, nothing queued).
void soak_receive(const char* channel_name, const char* ledger_name) {
  die_with_the_test();
  MappedLedger mapped(ledger_name);
  Ledger& ledger = *mapped.ledger;
  shmlink_handle channel = 0;
  check(shmlink_channel_open(channel_name, SHMLINK_CHANNEL_RECEIVER, &channel), "open the channel");
  static std::atomic<bool> draining{false};  // static: the reader thread outlives this call
  std::thread([] {
    while (std::fgetc(stdin) != EOF) {
    }
    draining = true;
  }).detach();
  say("ready");
  std::vector<uint8_t> buffer(soak::kMaxLength);
  std::map<uint32_t, uint32_t> next_sequence;
  uint64_t received = 0;
  for (uint64_t index = 0;; ++index) {
    const bool peek = index % 2 == 1;
    const bool drain = draining;  // read before the call: CLOSED then means nothing was left
    const uint8_t* data = nullptr;
    uint32_t length = 0;
    shmlink_status status;
    if (peek) {
      const void* peeked = nullptr;
      status = shmlink_channel_peek(channel, kStepWaitMs, &peeked, &length);
      data = static_cast<const uint8_t*>(peeked);
    } else {
      status = shmlink_channel_receive(channel, buffer.data(), soak::kMaxLength, &length, kStepWaitMs);
      data = buffer.data();
    }
    if (status == SHMLINK_ERR_CLOSED && drain) break;
    if (retry(status)) continue;
    check(status, peek ? "peek" : "receive");
    StressHead head{};
    if (!check_stress_message(data, length, soak::kMaxLength, &head))
      fail("corrupt message of " + std::to_string(length) + " bytes");
    const std::string which = "sender " + std::to_string(head.sender) + " #" + std::to_string(head.sequence);
    if (head.sender >= soak::kMaxSenders || head.sequence >= soak::kPerSender) fail("message out of range: " + which);
    // Its sender recorded message sequence - 1 before sending this one.
    const uint32_t committed = __atomic_load_n(&ledger.committed[head.sender], __ATOMIC_ACQUIRE);
    if (head.sequence > committed)
      fail("message never sent: " + which + ", its sender had committed " + std::to_string(committed));
    auto expected = next_sequence.find(head.sender);
    if (expected != next_sequence.end() && head.sequence < expected->second)
      fail("out of order: " + which + " after #" + std::to_string(expected->second - 1));
    next_sequence[head.sender] = head.sequence + 1;
    if (__atomic_fetch_add(&ledger.marks[uint64_t{head.sender} * soak::kPerSender + head.sequence], 1,
                           __ATOMIC_ACQ_REL) != 0)
      fail("duplicate: " + which);
    if (peek) check(shmlink_channel_consume(channel), "consume");
    ++received;
  }
  check(shmlink_close(channel), "close the channel");
  say("received " + std::to_string(received));
}

}  // namespace

bool run_soak_command(const std::string& command, int argc, char** argv) {
  if (command == "soak-send") {
    if (argc < 5) usage("soak-send CHANNEL LEDGER SENDER");
    soak_send(argv[2], argv[3], static_cast<uint32_t>(number(argv[4])));
  } else if (command == "soak-receive") {
    if (argc < 4) usage("soak-receive CHANNEL LEDGER");
    soak_receive(argv[2], argv[3]);
  } else {
    return false;
  }
  return true;
}

}  // namespace shmlink_test::peer
