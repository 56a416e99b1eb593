// The example programs (examples/), run end to end as real processes: the writer/reader pairs
// in C and C++ exchange a message and clean up after themselves, and loader_demo loads the
// library by path.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace shmlink_test {
namespace {

#ifndef SHMLINK_TEST_HAVE_EXAMPLES
#  define SKIP_WITHOUT_EXAMPLES() GTEST_SKIP() << "configured with SHMLINK_BUILD_EXAMPLES=OFF"
#else
#  define SKIP_WITHOUT_EXAMPLES() (void)0
#endif

// The library's path, for loader_demo (tests/examples/CMakeLists.txt says where it is).
std::string library_path() {
#if !defined(SHMLINK_TEST_HAVE_EXAMPLES)
  return {};
#elif defined(_WIN32)
  return bin_directory() + SHMLINK_TEST_LIBRARY_FILE_NAME;  // beside the executables
#else
  return SHMLINK_TEST_LIBRARY_PATH;
#endif
}

// Waits until a started writer says it is ready.
void expect_ready(Process& writer) {
  const std::optional<std::string> line = writer.read_line();
  ASSERT_TRUE(line.has_value()) << "the writer never said it was ready";
  EXPECT_NE(line->find("ready"), std::string::npos) << *line;
}

// Runs `reader` on `name` and returns its exit code and output.
std::pair<std::optional<int>, std::string> run_reader(const std::string& reader, const std::string& name) {
  Process process(reader, {name});
  std::string output = process.read_all();
  return {process.wait(), std::move(output)};
}

// The writer's message, as the reader prints it (a line of its own).
std::string printed(const std::string& message) {
#if defined(_WIN32)
  return message + "\r\n";  // text-mode stdout
#else
  return message + "\n";
#endif
}

void expect_pair_exchanges_a_message(const std::string& writer_program, const std::string& reader_program) {
  const std::string name = unique_name();
  const std::string message = "Hello from " + writer_program + " to " + reader_program + ", with spaces";
  Process writer(writer_program, {name, message});
  ASSERT_NO_FATAL_FAILURE(expect_ready(writer));

  const auto [reader_exit, reader_output] = run_reader(reader_program, name);
  EXPECT_EQ(reader_exit, 0);
  EXPECT_EQ(reader_output, printed(message));

  // The writer holds the segment until its stdin ends, then closes everything.
  writer.close_stdin();
  EXPECT_EQ(writer.wait(), 0);
  EXPECT_EQ(writer.read_all(), "") << "the writer says nothing after it is ready";

  // With the writer gone, so is the segment (Win32 lifetime): the reader now fails.
  EXPECT_EQ(run_reader(reader_program, name).first, 1);
}

TEST(Examples, WriterAndReaderExchangeAMessage) {
  SKIP_WITHOUT_EXAMPLES();
  expect_pair_exchanges_a_message("shmlink_writer", "shmlink_reader");
}

TEST(Examples, CppWriterAndReaderExchangeAMessage) {
  SKIP_WITHOUT_EXAMPLES();
  expect_pair_exchanges_a_message("shmlink_cpp_writer", "shmlink_cpp_reader");
}

TEST(Examples, CAndCppExamplesShareTheMessageLayout) {
  SKIP_WITHOUT_EXAMPLES();
  expect_pair_exchanges_a_message("shmlink_writer", "shmlink_cpp_reader");
  expect_pair_exchanges_a_message("shmlink_cpp_writer", "shmlink_reader");
}

TEST(Examples, WriterSendsItsDefaultMessageAndAnEmptyOne) {
  SKIP_WITHOUT_EXAMPLES();
  {
    const std::string name = unique_name();
    Process writer("shmlink_writer", {name});
    ASSERT_NO_FATAL_FAILURE(expect_ready(writer));
    EXPECT_EQ(run_reader("shmlink_reader", name).second, printed("Message from first process."));
    writer.close_stdin();
    EXPECT_EQ(writer.wait(), 0);
  }
  {
    const std::string name = unique_name();
    Process writer("shmlink_writer", {name, ""});
    ASSERT_NO_FATAL_FAILURE(expect_ready(writer));
    EXPECT_EQ(run_reader("shmlink_reader", name).second, printed(""));
    writer.close_stdin();
    EXPECT_EQ(writer.wait(), 0);
  }
}

TEST(Examples, WriterTakesTheLargestMessageThatFitsAndRefusesOneByteMore) {
  SKIP_WITHOUT_EXAMPLES();
  const std::size_t capacity = 4096 - 4;  // the segment less the length prefix
  {
    const std::string name = unique_name();
    const std::string message(capacity, 'x');
    Process writer("shmlink_writer", {name, message});
    ASSERT_NO_FATAL_FAILURE(expect_ready(writer));
    EXPECT_EQ(run_reader("shmlink_reader", name).second, printed(message));
    writer.close_stdin();
    EXPECT_EQ(writer.wait(), 0);
  }
  {
    Process writer("shmlink_writer", {unique_name(), std::string(capacity + 1, 'x')});
    EXPECT_EQ(writer.read_all(), "") << "it must not say it is ready";
    EXPECT_EQ(writer.wait(), 1);
  }
}

TEST(Examples, SecondWriterOfTheSameNameFailsInsteadOfOverwriting) {
  SKIP_WITHOUT_EXAMPLES();
  const std::string name = unique_name();
  Process first("shmlink_writer", {name, "first"});
  ASSERT_NO_FATAL_FAILURE(expect_ready(first));
  {
    Process second("shmlink_writer", {name, "second"});
    EXPECT_EQ(second.wait(), 1);
  }
  EXPECT_EQ(run_reader("shmlink_reader", name).second, printed("first"));
  first.close_stdin();
  EXPECT_EQ(first.wait(), 0);
}

TEST(Examples, ReaderFailsWhenNoWriterHoldsTheName) {
  SKIP_WITHOUT_EXAMPLES();
  const auto [exit_code, output] = run_reader("shmlink_reader", unique_name());
  EXPECT_EQ(exit_code, 1);
  EXPECT_EQ(output, "");
}

// The channel pair: the producer sends `count` numbered messages to the consumer, which prints
// each and ends cleanly when the producer has left and everything was received. Either may
// start first, with no ready signal and no retry loop.
enum class Starts { producer_first, consumer_first };

void expect_channel_pair_delivers_everything(const std::string& consumer_program, int count, Starts order) {
  const std::string name = unique_name();
  std::optional<Process> producer;
  std::optional<Process> consumer;
  if (order == Starts::producer_first) {
    producer.emplace("shmlink_channel_producer", std::vector<std::string>{name, std::to_string(count)});
    ASSERT_NO_FATAL_FAILURE(expect_ready(*producer));  // and its messages are queued or queueing
    consumer.emplace(consumer_program, std::vector<std::string>{name});
  } else {
    consumer.emplace(consumer_program, std::vector<std::string>{name});
    producer.emplace("shmlink_channel_producer", std::vector<std::string>{name, std::to_string(count)});
    ASSERT_NO_FATAL_FAILURE(expect_ready(*producer));
  }
  std::string expected;
  for (int i = 1; i <= count; ++i) expected += printed("received message " + std::to_string(i));
  EXPECT_EQ(consumer->read_all(), expected);
  EXPECT_EQ(consumer->wait(), std::optional<int>(0));
  const std::optional<std::string> sent = producer->read_line();
  EXPECT_EQ(sent.value_or("(nothing)"), "sent " + std::to_string(count));
  EXPECT_EQ(producer->wait(), std::optional<int>(0));
  // Both gone: so is the channel.
  shmlink_handle channel = 0;
  EXPECT_EQ(shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, &channel), SHMLINK_ERR_NOT_FOUND);
}

TEST(Examples, ChannelProducerAndConsumerDeliverEveryMessageInOrder) {
  SKIP_WITHOUT_EXAMPLES();
  expect_channel_pair_delivers_everything("shmlink_channel_consumer", 200, Starts::producer_first);
}

TEST(Examples, ChannelConsumerStartedBeforeTheProducerGetsEveryMessage) {
  SKIP_WITHOUT_EXAMPLES();
  expect_channel_pair_delivers_everything("shmlink_channel_consumer", 200, Starts::consumer_first);
}

TEST(Examples, CppChannelConsumerReadsTheCProducersMessagesInPlace) {
  SKIP_WITHOUT_EXAMPLES();
  expect_channel_pair_delivers_everything("shmlink_cpp_channel_consumer", 200, Starts::producer_first);
}

TEST(Examples, CppChannelConsumerStartedBeforeTheProducerGetsEveryMessage) {
  SKIP_WITHOUT_EXAMPLES();
  expect_channel_pair_delivers_everything("shmlink_cpp_channel_consumer", 200, Starts::consumer_first);
}

TEST(Examples, LoaderDemoLoadsTheLibraryByPath) {
  SKIP_WITHOUT_EXAMPLES();
  const std::string path = library_path();
  ASSERT_FALSE(path.empty()) << "tests/examples/CMakeLists.txt did not say where the library is";
  Process demo("shmlink_loader_demo", {path, unique_name()});
  const std::string output = demo.read_all();
  EXPECT_EQ(demo.wait(), 0) << output;
  EXPECT_NE(output.find(std::string("loaded shmlink ") + shmlink_version_string()), std::string::npos) << output;
  EXPECT_NE(output.find("read back: Hello through the function table."), std::string::npos) << output;
}

TEST(Examples, LoaderDemoReportsALibraryItCannotLoad) {
  SKIP_WITHOUT_EXAMPLES();
  Process demo("shmlink_loader_demo", {library_path() + ".missing", unique_name()});
  EXPECT_EQ(demo.read_all(), "");
  EXPECT_EQ(demo.wait(), 1);
}

// README.md's C example (copied out by tests/examples/CMakeLists.txt) runs, twice (its
// OPEN_OR_CREATE finds nothing left by the first run), and leaves nothing behind. Its names are
// the README's own ("Local\\my-app", as the C# README's): the C# tests' lock on them is taken.
TEST(Examples, TheReadmesCExampleRunsAndLeavesNothing) {
  SKIP_WITHOUT_EXAMPLES();
  Handle gate;
  ASSERT_GE(shmlink_semaphore_create("shmlink-cs-test.readme-names", 1, 1, SHMLINK_OPEN_OR_CREATE, gate.out()), 0);
  ASSERT_STATUS(SHMLINK_OK, shmlink_wait(gate.get(), 120000)) << "another test held the README's names for 2 min";
  for (int run = 0; run < 2; ++run) {
    Process example("shmlink_readme_c_example", {});
    const std::string output = example.read_all();
    EXPECT_EQ(example.wait(), 0) << "run " << run << ": " << output;
  }
  Handle left;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open("Local\\my-app", SHMLINK_ACCESS_READ, left.out()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_signal_open("Local\\my-app.ready", left.out()));
  EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_release(gate.get(), 1, nullptr));
}

}  // namespace
}  // namespace shmlink_test
