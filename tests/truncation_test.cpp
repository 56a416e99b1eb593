// Truncation (Linux; issue 12, point 3): another process truncates an object's file while a
// process has it mapped. Every access to a page past the new end raises SIGBUS, which used to
// kill the process inside shmlink_signal_set or shmlink_channel_send. Now the library's calls
// report SHMLINK_ERR_CORRUPT, keep doing so, and close cleanly; the user's reads of a view
// read zeros and the view reports it (dll/posix/sigbus_guard.h).
//
// The process that has the object mapped is a peer (tests/peer/truncation_peer.cpp), so that
// this test binary lives to report it when the peer dies of SIGBUS; the test itself plays
// the process that truncates. Sizes: 0, and one inside the header page or the data.
#ifdef __linux__

#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/peer_output.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace shmlink_test {
namespace {

// qemu-i386 (cmake/toolchains/i386-run.sh, which sets SHMLINK_I386_NAMESPACE where it
// emulates) does not hand a SIGBUS raised in the code it runs to the program's handler: qemu
// 7.2 ends the program ("uncaught target signal 7"). The 32-bit suite and the interop runs with
// 32-bit peers run under it on machines without 32-bit execution.
bool sigbus_reaches_handlers_here() {
  const char* emulated = std::getenv("SHMLINK_I386_NAMESPACE");
  return emulated == nullptr || std::string(emulated) != "1";
}

#define SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED()                                                            \
  if (!sigbus_reaches_handlers_here())                                                                   \
  GTEST_SKIP() << "under qemu-i386 user-mode emulation a SIGBUS in emulated code never reaches the " \
                  "program's handler (qemu ends the program)"

using std::chrono::milliseconds;

// How long a peer gets to answer a command: a blocked wait notices the truncation within a
// second (kLostMemoryCheckMs), and a loaded machine under a sanitizer is slow.
constexpr milliseconds kAnswerTime{10000};
// Long enough for a peer told to wait to be asleep in it.
constexpr milliseconds kFallAsleep{300};

constexpr char kCorrupt[] = "SHMLINK_ERR_CORRUPT";
constexpr char kOk[] = "SHMLINK_OK";

// The channel's first page of attachment slots ends here (its header page, its control page,
// one page of slots): cut there, the control page survives and the ring is gone.
constexpr off_t kChannelCut = 3 * 4096;

void truncate_file(const std::string& path, off_t size) {
  const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
  EXPECT_EQ(ftruncate(fd, size), 0) << std::strerror(errno);
  close(fd);
}

// How a peer that stopped answering ended, for the failure message.
std::string fate(Process& peer) {
  const std::optional<int> code = peer.wait(milliseconds(1000));
  if (!code) return "the peer is still running (blocked?)";
  if (*code == 128 + SIGBUS) return "the peer died of SIGBUS";
  return "the peer exited with code " + std::to_string(*code);
}

// Sends one command to the peer and gives its answer, or what became of the peer.
std::string answer(Process& peer, const std::string& command, milliseconds timeout = kAnswerTime) {
  if (!peer.write_stdin(command + "\n")) return "(the command could not be sent: " + fate(peer) + ")";
  const std::optional<std::string> line = peer.read_line(timeout);
  return line ? *line : "(no answer: " + fate(peer) + ")";
}

std::string with_status(const std::string& command, const char* status) { return command + " " + status; }

// At the end of a test, removes the object's file if the library left it (a failure), so that
// a failing test leaves nothing behind either. Declared before the peer, so that it looks
// after the peer has ended.
class NoLeftover {
 public:
  explicit NoLeftover(std::string path) : path_(std::move(path)) {}
  ~NoLeftover() {
    if (!path_exists(path_)) return;
    ADD_FAILURE() << path_ << " was left behind";
    unlink(path_.c_str());
  }
  NoLeftover(const NoLeftover&) = delete;
  NoLeftover& operator=(const NoLeftover&) = delete;

 private:
  std::string path_;
};

// The peer that holds an object of `kind` (it creates it) while the test truncates its file.
// Once it stops answering (it died, or hangs), the test's later steps are skipped: each would
// only wait out kAnswerTime.
class Holder {
 public:
  Holder(const std::string& kind, const std::string& name) : peer_(start_peer({"truncation", kind, name})) {}

  Process& peer() { return *peer_; }

  // Expects every command's answer in order: "COMMAND STATUS" or a full line.
  void expect(const std::vector<std::pair<std::string, std::string>>& steps) {
    for (const auto& [command, expected] : steps) {
      if (gone_) return;
      expect_answer(answer(*peer_, command), expected, command);
    }
  }

  // Expects `answer` (from answer(), or a line read after a command sent by hand).
  void expect_answer(const std::string& given, const std::string& expected, const std::string& command) {
    EXPECT_EQ(given, expected) << "command: " << command;
    gone_ = gone_ || given.rfind('(', 0) == 0;
  }

  // The next line, for a command sent by hand: or what became of the peer.
  std::string next_line() {
    const std::optional<std::string> line = peer_->read_line(kAnswerTime);
    return line ? *line : "(no answer: " + fate(*peer_) + ")";
  }

  // Closes the view (if any) and the object; the peer must say both went fine and exit 0.
  void close(bool has_view) {
    if (gone_) return;
    if (has_view) {
      EXPECT_EQ(answer(*peer_, "close"), with_status("close-view", kOk));
      expect_line(*peer_, with_status("close", kOk));
    } else {
      EXPECT_EQ(answer(*peer_, "close"), with_status("close", kOk));
    }
    expect_line(*peer_, "closed");
    EXPECT_EQ(peer_->wait(), std::optional<int>(0));
  }

 private:
  std::unique_ptr<Process> peer_;
  bool gone_ = false;
};

// One scenario on a named object: the peer creates it and runs `before`, the test truncates
// its file to `size`, the peer runs `after`, closes everything and exits, and nothing of the
// object is left in /dev/shm.
void run_scenario(const std::string& kind, off_t size, const std::vector<std::pair<std::string, std::string>>& before,
                  const std::vector<std::pair<std::string, std::string>>& after) {
  SCOPED_TRACE(kind + " truncated to " + std::to_string(size) + " bytes");
  const std::string name = unique_name();
  const NoLeftover no_leftover(local_object_path(name));
  Holder holder(kind, name);
  expect_line(holder.peer(), "ready");
  holder.expect(before);
  truncate_file(local_object_path(name), size);
  holder.expect(after);
  holder.close(kind == "segment");
}

std::pair<std::string, std::string> corrupt(const std::string& command) {
  return {command, with_status(command, kCorrupt)};
}
std::pair<std::string, std::string> ok(const std::string& command) { return {command, with_status(command, kOk)}; }

TEST(Truncation, SignalReportsCorruptAndCloses) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  for (const off_t size : {off_t{0}, off_t{100}}) {
    run_scenario("signal", size, {ok("set"), ok("reset")},
                 {corrupt("set"), corrupt("set"), corrupt("reset"), corrupt("wait")});
  }
}

TEST(Truncation, SemaphoreReportsCorruptAndCloses) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  for (const off_t size : {off_t{0}, off_t{100}}) {
    run_scenario("semaphore", size, {ok("release"), ok("wait")},
                 {corrupt("release"), corrupt("release"), corrupt("wait")});
  }
}

TEST(Truncation, MutexReportsCorruptAndCloses) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  for (const off_t size : {off_t{0}, off_t{100}}) {
    // Held by the peer when its file is cut: the unlock reports it, and so does every call after.
    run_scenario("mutex", size, {{"lock 0", with_status("lock", kOk)}},
                 {corrupt("unlock"), {"lock 0", with_status("lock", kCorrupt)}, corrupt("unlock")});
  }
}

TEST(Truncation, SegmentViewReadsZerosAndReportsCorrupt) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  for (const off_t size : {off_t{0}, off_t{100}}) {
    // The view holds all three pages of data after the header page: cut anywhere in the
    // header, all of them are gone.
    run_scenario("segment", size, {{"write-view", "write-view done"}, {"read-view", "read-view nonzero 12288"}, ok("view-info")},
                 {{"read-view", "read-view nonzero 0"},
                  corrupt("view-info"),
                  corrupt("flush"),
                  {"write-view", "write-view done"},
                  corrupt("view-info")});
  }
}

TEST(Truncation, SegmentHeaderCutMakesOpenReportCorrupt) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  for (const off_t size : {off_t{0}, off_t{100}}) {
    SCOPED_TRACE(size);
    const std::string name = unique_name();
    const NoLeftover no_leftover(local_object_path(name));
    Holder holder("segment", name);
    expect_line(holder.peer(), "ready");
    truncate_file(local_object_path(name), size);
    holder.expect({{"reopen " + name, with_status("reopen", kCorrupt)}, {"read-view", "read-view nonzero 0"}});
    holder.close(true);
  }
}

TEST(Truncation, FileBackedSegmentViewReadsZerosAndReportsCorrupt) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  TempDir directory;
  for (const off_t size : {off_t{0}, off_t{4096 + 100}}) {
    SCOPED_TRACE(size);
    const std::string file = directory.path("data" + std::to_string(size));
    ASSERT_TRUE(write_file(file, std::string(3 * 4096, 'x')));
    Holder holder("file-segment", file);  // an unnamed segment: nothing in /dev/shm
    expect_line(holder.peer(), "ready");
    holder.expect({{"read-view", "read-view nonzero 12288"}, ok("view-info")});
    truncate_file(file, size);
    // Nothing met the cut yet: what was read before it was the file's.
    holder.expect({ok("view-info"),
                   // The bytes still in the file read as they are; the page cut in the middle
                   // reads zeros after the end (the kernel's doing), the pages past it zeros (ours).
                   {"read-view", "read-view nonzero " + std::to_string(size)},
                   corrupt("view-info"),
                   corrupt("flush"),
                   {"read-view", "read-view nonzero " + std::to_string(size)}});
    holder.close(true);
  }
}

TEST(Truncation, ChannelSendAndReceiveReportCorrupt) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  for (const off_t size : {off_t{0}, kChannelCut}) {
    run_scenario("channel", size, {ok("send")},
                 {corrupt("receive"), corrupt("send"), corrupt("send"), corrupt("receive"), corrupt("wait")});
  }
}

TEST(Truncation, ChannelReserveAndCommitReportCorrupt) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  for (const off_t size : {off_t{0}, kChannelCut}) {
    // The user's own writes into the reservation meet the cut: they go to zero pages.
    run_scenario("channel", size, {ok("reserve")},
                 {{"write-reserved", "write-reserved done"}, corrupt("commit"), corrupt("reserve")});
  }
}

TEST(Truncation, ChannelPeekAndConsumeReportCorrupt) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  for (const off_t size : {off_t{0}, kChannelCut}) {
    // The user's own reads of the peeked message meet the cut: they read zeros.
    run_scenario("channel", size, {ok("send"), ok("peek")},
                 {{"read-peeked", "read-peeked done 0"}, corrupt("consume"), corrupt("peek")});
  }
}

// A wait that sleeps without a deadline when the file is cut: nobody can wake it through the
// lost page any more, so it must find out by itself.
void expect_blocked_call_ends_corrupt(const std::string& kind, off_t size, const std::string& command) {
  SCOPED_TRACE(kind + " " + command + ", truncated to " + std::to_string(size) + " bytes");
  const std::string name = unique_name();
  const NoLeftover no_leftover(local_object_path(name));
  Holder holder(kind, name);
  expect_line(holder.peer(), "ready");
  ASSERT_TRUE(holder.peer().write_stdin(command + "\n"));
  std::this_thread::sleep_for(kFallAsleep);
  truncate_file(local_object_path(name), size);
  holder.expect_answer(holder.next_line(), with_status(command, kCorrupt), command);
  holder.expect({corrupt("wait")});
  holder.close(false);
}

TEST(Truncation, InfiniteWaitsOnSignalAndSemaphoreEndCorrupt) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  expect_blocked_call_ends_corrupt("signal", 0, "wait-infinite");
  expect_blocked_call_ends_corrupt("semaphore", 100, "wait-infinite");
}

TEST(Truncation, InfiniteChannelWaitsEndCorrupt) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  for (const off_t size : {off_t{0}, kChannelCut}) {
    // kChannelCut leaves the control page that an empty ring's waiter reads: the waiter must
    // notice the cut without meeting it.
    expect_blocked_call_ends_corrupt("channel", size, "wait-infinite");
    expect_blocked_call_ends_corrupt("channel", size, "receive-infinite");
  }
}

TEST(Truncation, InfiniteMutexLockEndsCorrupt) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  const std::string name = unique_name();
  const NoLeftover no_leftover(local_object_path(name));
  Holder holder("mutex", name);
  expect_line(holder.peer(), "ready");
  // Another process holds it, so the holder's lock sleeps in the kernel.
  const std::unique_ptr<Process> owner = start_peer({"mutex-hold", name});
  expect_line(*owner, "locked SHMLINK_OK");
  ASSERT_TRUE(holder.peer().write_stdin("lock infinite\n"));
  std::this_thread::sleep_for(kFallAsleep);
  truncate_file(local_object_path(name), 0);
  holder.expect_answer(holder.next_line(), with_status("lock", kCorrupt), "lock infinite");
  owner->kill();  // its unlock would only report the truncation too
  owner->wait();
  holder.expect({corrupt("unlock")});
  holder.close(false);
}

// ---- A SIGBUS that is not the library's: it must go where it went before the library came ----
// Under the asan preset, ASan's own handler (its defaults, which the preset keeps:
// handle_sigbus=1, allow_user_segv_handler=1) is the one installed before the library's: a
// foreign fault still ends in ASan's report, so nothing is hidden.

void expect_foreign_sigbus(const std::string& mode, bool survives) {
  TempDir directory;
  const std::unique_ptr<Process> peer = start_peer({"foreign-sigbus", mode, directory.path("file")});
  expect_line(*peer, "ready");
  const std::optional<std::string> line = peer->read_line();
  const std::optional<int> code = peer->wait();
  if (survives) {
    EXPECT_EQ(line, std::optional<std::string>("survived 1")) << fate(*peer);
    EXPECT_EQ(code, std::optional<int>(0));
    return;
  }
  EXPECT_EQ(line, std::nullopt) << "the fault was swallowed";
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizer's own SIGBUS handler was there before the library's: it reports the fault
  // and ends the process its own way.
  ASSERT_TRUE(code.has_value());
  EXPECT_NE(*code, 0);
#else
  EXPECT_EQ(code, std::optional<int>(128 + SIGBUS)) << "the default action of SIGBUS kills the process";
#endif
}

TEST(Truncation, ForeignSigbusReachesTheProgramsOwnHandler) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  expect_foreign_sigbus("handler", true);
}

TEST(Truncation, SentSigbusReachesTheProgramsOwnHandler) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  expect_foreign_sigbus("sent", true);
}

TEST(Truncation, ForeignSigbusWithoutAHandlerStillKills) {
  SKIP_WHERE_SIGBUS_IS_NOT_DELIVERED();
  expect_foreign_sigbus("default", false);
}

}  // namespace
}  // namespace shmlink_test

#endif  // __linux__
