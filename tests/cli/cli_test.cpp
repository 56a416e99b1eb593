// The `shmlink` command (tools/cli), run as a subprocess against live objects that another
// process (the peer helper, or this test) made: its output and its exit codes (docs/cli.md).
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace shmlink_test;

struct CliRun {
  int exit_code = -1;
  std::string output;
};

CliRun shmlink(const std::vector<std::string>& arguments, const std::optional<std::string>& input = std::string()) {
  Process process("shmlink", arguments, input);
  CliRun run;
  run.output = process.read_all();
  run.exit_code = process.wait().value_or(-1);
  return run;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Lines as recv prints them without --binary: text, so "\r\n" on Windows.
std::string text_lines(const std::string& lines) {
#ifdef _WIN32
  std::string out;
  for (const char c : lines) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return out;
#else
  return lines;
#endif
}

TEST(Cli, HelpForEveryVerbAndUsageErrors) {
  for (const char* verb : {"ls", "info", "dump", "send", "recv", "signal", "rm", "gc", "watch", "bench"}) {
    const CliRun help = shmlink({verb, "--help"});
    EXPECT_EQ(help.exit_code, 0) << verb;
    EXPECT_TRUE(contains(help.output, std::string("usage: shmlink ") + verb)) << help.output;
  }
  EXPECT_EQ(shmlink({}).exit_code, 2);
  EXPECT_EQ(shmlink({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(shmlink({"info"}).exit_code, 2) << "missing NAME";
  EXPECT_EQ(shmlink({"recv", "x", "--count", "lots"}).exit_code, 2);
  EXPECT_EQ(shmlink({"ls", "--bogus"}).exit_code, 2);
  EXPECT_EQ(shmlink({"info", "bad/name"}).exit_code, 2);
  EXPECT_EQ(shmlink({"info", unique_name()}).exit_code, 3) << "not found";
  EXPECT_EQ(shmlink({"send", "x", "message", "--binary"}).exit_code, 2) << "--binary reads stdin";
}

TEST(Cli, LsAndInfoShowAnotherProcesssSegment) {
  const std::string name = unique_name();
  auto creator = start_peer({"create", name, "5000", "hello"});
  ASSERT_EQ(creator->read_line(), "ready");
  const CliRun listed = shmlink({"ls"});
  ASSERT_EQ(listed.exit_code, 0);
  EXPECT_TRUE(contains(listed.output, "Local\\" + name)) << listed.output;
  const CliRun as_json = shmlink({"ls", "--json"});
  EXPECT_TRUE(contains(as_json.output, "\"name\":\"Local\\\\" + name + "\"")) << as_json.output;
  const CliRun info = shmlink({"info", name, "--json"});
  ASSERT_EQ(info.exit_code, 0);
  EXPECT_TRUE(contains(info.output, "\"kind\":\"segment\",\"size\":5000")) << info.output;
  EXPECT_TRUE(contains(info.output, "\"holders\":1")) << info.output;
  EXPECT_TRUE(contains(shmlink({"info", name}).output, "size:      5000 bytes"));
  const CliRun dump = shmlink({"dump", name, "--length", "16"});
  ASSERT_EQ(dump.exit_code, 0);
  EXPECT_TRUE(contains(dump.output, "68 65 6c 6c 6f")) << dump.output;
  EXPECT_TRUE(contains(dump.output, "|hello...........|")) << dump.output;
  EXPECT_EQ(shmlink({"dump", name, "--offset", "6000"}).exit_code, 2);
}

#ifndef _WIN32
TEST(Cli, RmRefusesWhileHeldAndGcTakesWhatTheDeadLeft) {
  const std::string held = unique_name(), dead = unique_name();
  auto holder = start_peer({"create", held, "64"});
  auto victim = start_peer({"create", dead, "64"});
  ASSERT_EQ(holder->read_line(), "ready");
  ASSERT_EQ(victim->read_line(), "ready");
  EXPECT_EQ(shmlink({"rm", held}).exit_code, 5) << "in use";
  victim->kill();
  victim->wait();
  EXPECT_TRUE(contains(shmlink({"info", dead}).output, "STALE"));
  const CliRun gc = shmlink({"gc"});
  EXPECT_EQ(gc.exit_code, 0);
  EXPECT_TRUE(contains(gc.output, "removed ")) << gc.output;
  EXPECT_EQ(shmlink({"info", dead}).exit_code, 3) << "gc removed it";
  EXPECT_EQ(shmlink({"info", held}).exit_code, 0) << "gc left the held one";
  EXPECT_EQ(shmlink({"rm", held, "--force"}).exit_code, 0);
  EXPECT_EQ(shmlink({"info", held}).exit_code, 3);
  Handle again;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_create(held.c_str(), 64, SHMLINK_CREATE_NEW, again.out()));
}
#else
TEST(Cli, RmSaysWhyItCannotAndGcHasNothingToDoOnWindows) {
  const std::string name = unique_name();
  auto holder = start_peer({"create", name, "64"});
  ASSERT_EQ(holder->read_line(), "ready");
  for (const bool force : {false, true}) {
    const CliRun rm = force ? shmlink({"rm", name, "--force"}) : shmlink({"rm", name});
    EXPECT_EQ(rm.exit_code, 8) << "not possible on Windows (the reason goes to stderr)";
  }
  EXPECT_EQ(shmlink({"rm", unique_name()}).exit_code, 3) << "not found comes first";
  const CliRun gc = shmlink({"gc"});
  EXPECT_EQ(gc.exit_code, 0);
  EXPECT_TRUE(contains(gc.output, "nothing to collect")) << gc.output;
  EXPECT_EQ(shmlink({"info", name}).exit_code, 0);
  holder->kill();
  holder->wait();
  EXPECT_EQ(shmlink({"info", name}).exit_code, 3) << "the name went with the last handle";
}
#endif

TEST(Cli, SendAndRecvTalkToALiveChannel) {
  const std::string name = unique_name();
  Handle channel;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create(name.c_str(), 8192, 256,
                                                   SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_RECEIVER, channel.out()));
  EXPECT_EQ(shmlink({"send", name, "one message"}).exit_code, 0);
  EXPECT_EQ(shmlink({"send", name, "-"}, std::string("line a\nline b\n")).exit_code, 0);
  const CliRun info = shmlink({"info", name});
  EXPECT_TRUE(contains(info.output, "queued:    3 message(s)")) << info.output;
  char buffer[256];
  uint32_t length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive(channel.get(), buffer, sizeof buffer, &length, 0));
  EXPECT_EQ(std::string(buffer, length), "one message");
  const CliRun received = shmlink({"recv", name, "--count", "2", "--timeout", "5000"});
  EXPECT_EQ(received.exit_code, 0);
  EXPECT_EQ(received.output, text_lines("line a\nline b\n"));
  EXPECT_EQ(shmlink({"recv", name, "--timeout", "50"}).exit_code, 6) << "nothing queued: timeout";
  const CliRun too_long = shmlink({"send", name, std::string(300, 'x')});
  EXPECT_EQ(too_long.exit_code, 2);
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create((name + "-s").c_str(), 0, signal.out()));
  EXPECT_EQ(shmlink({"send", name + "-s", "x"}).exit_code, 4) << "wrong kind";
}

TEST(Cli, InfoShowsChannelPeersOfOtherProcesses) {
  const std::string name = unique_name();
  Handle channel;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create(name.c_str(), 8192, 256, SHMLINK_CHANNEL_RECEIVER, channel.out()));
  auto sender = start_peer({"channel-hold", name, "sender"});
  ASSERT_EQ(sender->read_line(), "ready");
  const CliRun info = shmlink({"info", name, "--json"});
  EXPECT_TRUE(contains(info.output, "\"role\":\"sender\",\"alive\":true")) << info.output;
  EXPECT_TRUE(contains(info.output, "\"role\":\"receiver\",\"alive\":true")) << info.output;
  sender->kill();
  sender->wait();
  EXPECT_TRUE(contains(shmlink({"info", name, "--json"}).output, "\"role\":\"sender\",\"alive\":false"));
  const CliRun watch = shmlink({"watch", name, "--count", "2", "--interval", "50"});
  EXPECT_EQ(watch.exit_code, 0);
  EXPECT_EQ(std::count(watch.output.begin(), watch.output.end(), '\n'), 2) << "one line each when not a terminal";
  EXPECT_TRUE(contains(watch.output, "queued 0 msg")) << watch.output;
}

TEST(Cli, SignalSetResetWait) {
  const std::string name = unique_name();
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(name.c_str(), SHMLINK_SIGNAL_MANUAL_RESET, signal.out()));
  EXPECT_EQ(shmlink({"signal", "wait", name, "--timeout", "50"}).exit_code, 6);
  EXPECT_EQ(shmlink({"signal", "set", name}).exit_code, 0);
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(signal.get(), 0));
  EXPECT_EQ(shmlink({"signal", "wait", name, "--timeout", "50"}).exit_code, 0);
  EXPECT_TRUE(contains(shmlink({"info", name}).output, "signal:    set, manual-reset"));
  EXPECT_EQ(shmlink({"signal", "reset", name}).exit_code, 0);
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(signal.get(), 0));
  EXPECT_EQ(shmlink({"signal", "toggle", name}).exit_code, 2);
}

TEST(Cli, InfoShowsMutexOwnerAndAbandonment) {
  const std::string name = unique_name();
  Handle mutex;
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create(name.c_str(), 0, mutex.out()));
  auto owner = start_peer({"mutex-hold", name});
  ASSERT_EQ(owner->read_line(), "locked SHMLINK_OK");
  EXPECT_TRUE(contains(shmlink({"info", name}).output, "mutex:     held by thread")) ;
  owner->kill();
  owner->wait();
  EXPECT_TRUE(contains(shmlink({"info", name}).output, "ABANDONED"));
}

std::string record(const std::string& bytes) {
  const uint32_t length = static_cast<uint32_t>(bytes.size());
  std::string out;
  for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>((length >> shift) & 0xFF);
  return out + bytes;
}

TEST(Cli, BinarySendAndRecvKeepMessageBoundariesAndBytes) {
  const std::string name = unique_name();
  Handle channel;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create(name.c_str(), 8192, 256,
                                                   SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_RECEIVER, channel.out()));
  const std::string with_newlines("a\nb\r\n\0z", 7);
  const std::string all_bytes = [] {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    return bytes.substr(0, 256);
  }();
  const std::string input = record(with_newlines) + record("") + record(all_bytes);
  EXPECT_EQ(shmlink({"send", name, "--binary"}, input).exit_code, 0);
  char buffer[256];
  uint32_t length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive(channel.get(), buffer, sizeof buffer, &length, 0));
  EXPECT_EQ(std::string(buffer, length), with_newlines);
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive(channel.get(), buffer, sizeof buffer, &length, 0));
  EXPECT_EQ(length, 0u);
  // The third stays queued for recv --binary, with one more sent here.
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_send(channel.get(), "x\n", 2, 0));
  const CliRun received = shmlink({"recv", name, "--binary", "--count", "2", "--timeout", "5000"});
  EXPECT_EQ(received.exit_code, 0);
  EXPECT_EQ(received.output, record(all_bytes) + record("x\n")) << "exact bytes, no newline added or translated";
}

TEST(Cli, BinarySendRefusesBadRecordsAndSendsNothingOfThem) {
  const std::string name = unique_name();
  Handle channel;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create(name.c_str(), 8192, 256,
                                                   SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_RECEIVER, channel.out()));
  const auto queued = [&] {
    std::vector<std::string> messages;
    char buffer[256];
    uint32_t length = 0;
    while (shmlink_channel_receive(channel.get(), buffer, sizeof buffer, &length, 0) == SHMLINK_OK)
      messages.emplace_back(buffer, length);
    return messages;
  };
  const CliRun short_length = shmlink({"send", name, "--binary", "-"}, record("ok") + std::string("\x05\x00", 2));
  EXPECT_EQ(short_length.exit_code, 10);
  EXPECT_EQ(queued(), std::vector<std::string>{"ok"}) << "the good record before it was sent, nothing after";

  const CliRun short_body = shmlink({"send", name, "--binary"}, record("ok") + record("12345").substr(0, 7));
  EXPECT_EQ(short_body.exit_code, 10);
  EXPECT_EQ(queued(), std::vector<std::string>{"ok"});

  // A length past the maximum is refused before its bytes are read (none follow here).
  // (The messages go to stderr, which the test does not capture.)
  const CliRun too_long = shmlink({"send", name, "--binary"}, std::string("\xff\xff\xff\x7f", 4));
  EXPECT_EQ(too_long.exit_code, 10);
  EXPECT_EQ(shmlink({"send", name, "--binary"}, record(std::string(257, 'x'))).exit_code, 10);
  EXPECT_TRUE(queued().empty());
  EXPECT_EQ(shmlink({"send", name, "--binary"}, record(std::string(256, 'x'))).exit_code, 0) << "the maximum fits";
  EXPECT_EQ(queued(), std::vector<std::string>{std::string(256, 'x')});
}

TEST(Cli, InfoShowsSemaphoreCountWithoutTakingIt) {
  const std::string name = unique_name();
  Handle semaphore;
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_create(name.c_str(), 2, 5, 0, semaphore.out()));
  EXPECT_TRUE(contains(shmlink({"info", name}).output, "semaphore: count 2 of 5"));
  EXPECT_TRUE(contains(shmlink({"info", name}).output, "semaphore: count 2 of 5")) << "looking took nothing";
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(semaphore.get(), 0));
  EXPECT_TRUE(contains(shmlink({"ls"}).output, "semaphore Local\\" + name)) << "listed";
}

TEST(Cli, BenchRuns) {
  const CliRun bench = shmlink({"bench", "--messages", "2000"});
  EXPECT_EQ(bench.exit_code, 0);
  EXPECT_TRUE(contains(bench.output, "channel round trip")) << bench.output;
  EXPECT_TRUE(contains(bench.output, "signal round trip")) << bench.output;
}


}  // namespace
