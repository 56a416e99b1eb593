// The chat example pair (examples/c/chat_server.c, chat_client.c), run end to end: lines
// typed into the server come out of the client in order, "quit" ends both, and a client
// notices a server that died without saying so.
#include <shmlink/shmlink.h>

#include "support/names.h"
#include "support/peer_output.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace shmlink_test {
namespace {

#ifndef SHMLINK_TEST_HAVE_EXAMPLES
#  define SKIP_WITHOUT_EXAMPLES() GTEST_SKIP() << "configured with SHMLINK_BUILD_EXAMPLES=OFF"
#else
#  define SKIP_WITHOUT_EXAMPLES() (void)0
#endif

// Waits for the server's first line, which says it is ready for a client.
void expect_server_ready(Process& server, const std::string& name) {
  const std::optional<std::string> line = server.read_line();
  ASSERT_TRUE(line.has_value()) << "the server never said it was ready";
  EXPECT_EQ(line->rfind("chat_server: ready as \"" + name + "\"", 0), 0u) << *line;
}

// Nothing of the chat is left once both programs are gone (Win32 lifetime).
void expect_chat_gone(const std::string& name) {
  for (const std::string& object : {name + ".alive"}) {
    shmlink_handle mutex = 42;
    EXPECT_EQ(shmlink_mutex_open(object.c_str(), &mutex), SHMLINK_ERR_NOT_FOUND) << object;
  }
  for (const std::string& object : {name + ".ready", name + ".taken"}) {
    shmlink_handle signal = 42;
    EXPECT_EQ(shmlink_signal_open(object.c_str(), &signal), SHMLINK_ERR_NOT_FOUND) << object;
  }
  shmlink_handle segment = 42;
  EXPECT_EQ(shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, &segment), SHMLINK_ERR_NOT_FOUND);
}

TEST(ChatExample, ClientPrintsTheServersLinesUntilQuit) {
  SKIP_WITHOUT_EXAMPLES();
  const std::string name = unique_name();
  Process server("shmlink_chat_server", {name}, std::string("hello\nsecond line\nquit\n"));
  ASSERT_NO_FATAL_FAILURE(expect_server_ready(server, name));

  Process client("shmlink_chat_client", {name});
  ASSERT_NO_FATAL_FAILURE(expect_line(client, "chat_client: hello"));
  ASSERT_NO_FATAL_FAILURE(expect_line(client, "chat_client: second line"));
  ASSERT_NO_FATAL_FAILURE(expect_line(client, "chat_client: the server said quit"));
  EXPECT_EQ(client.read_all(), "");
  EXPECT_EQ(client.wait(), std::optional<int>(0));

  EXPECT_NO_FATAL_FAILURE(expect_line(server, "chat_server: done"));
  EXPECT_EQ(server.wait(), std::optional<int>(0));
  expect_chat_gone(name);
}

TEST(ChatExample, ClientNoticesAServerKilledWhileItWaits) {
  SKIP_WITHOUT_EXAMPLES();
  const std::string name = unique_name();
  Process server("shmlink_chat_server", {name});  // stdin stays open: it waits for lines
  ASSERT_NO_FATAL_FAILURE(expect_server_ready(server, name));

  Process client("shmlink_chat_client", {name});
  // One message through, so that we know the client is attached and back to waiting.
  ASSERT_TRUE(server.write_stdin("hello\n"));
  ASSERT_NO_FATAL_FAILURE(expect_line(client, "chat_client: hello"));

  server.kill();
  ASSERT_TRUE(server.wait().has_value());
  ASSERT_NO_FATAL_FAILURE(expect_line(client, "chat_client: the server is gone (it died)"));
  EXPECT_EQ(client.wait(), std::optional<int>(3));
  expect_chat_gone(name);
}

}  // namespace
}  // namespace shmlink_test
