// Win32 lifetime across processes: an object lives while any handle or view to it is open
// anywhere, and a process that dies (even killed hard) releases what it held.
#include <shmlink/shmlink.h>

#include "peer/peer_protocol.h"
#include "support/fixtures.h"
#include "support/names.h"
#include "support/peer_output.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#ifndef _WIN32
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace shmlink_test {
namespace {

shmlink_status open_status(const std::string& name) {
  Handle segment;
  return shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, segment.out());
}

TEST(Lifetime, LastCloseFreesTheName) {
  const std::string name = unique_name();
  shmlink_handle segment = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, &segment));
  ASSERT_STATUS(SHMLINK_OK, shmlink_close(segment));
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, open_status(name));
  Handle again;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, again.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(again.get(), 0, 0, SHMLINK_ACCESS_READ, view));
  EXPECT_EQ(view.bytes()[0], 0) << "a new segment, not the old one";
#ifndef _WIN32
  again.reset();
  view.handle.reset();
  EXPECT_FALSE(path_exists(local_object_path(name)));
#endif
}

TEST(Lifetime, SecondHandleKeepsTheSegmentAlive) {
  const std::string name = unique_name();
  Handle first;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, 0, first.out()));
  Handle second;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, second.out()));
  {
    View view;
    ASSERT_STATUS(SHMLINK_OK, map_view(first.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
    std::memcpy(view.bytes(), "kept", 4);
  }
  ASSERT_STATUS(SHMLINK_OK, first.close());
  EXPECT_STATUS(SHMLINK_OK, open_status(name));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(second.get(), 0, 0, SHMLINK_ACCESS_READ, view));
  EXPECT_EQ(std::string(view.bytes(), 4), "kept");
  view.handle.reset();
  second.reset();
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, open_status(name));
}

TEST(Lifetime, LastViewFreesTheName) {
  const std::string name = unique_name();
  shmlink_handle segment = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, 0, &segment));
  shmlink_handle view = 0;
  void* address = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address));
  ASSERT_STATUS(SHMLINK_OK, shmlink_close(segment));
  EXPECT_STATUS(SHMLINK_OK, open_status(name)) << "the view keeps it alive";
  ASSERT_STATUS(SHMLINK_OK, shmlink_unmap(view));
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, open_status(name));
  Handle again;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, again.out()));
}

TEST(Lifetime, PeerHoldingTheSegmentKeepsItAliveAfterWeClose) {
  const std::string name = unique_name();
  shmlink_handle segment = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, 0, &segment));
  {
    shmlink_handle view = 0;
    void* address = nullptr;
    ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address));
    std::memcpy(address, "ours", 4);
    ASSERT_STATUS(SHMLINK_OK, shmlink_unmap(view));
  }
  auto peer = start_peer({"hold", name});
  expect_line(*peer, "ready");
  ASSERT_STATUS(SHMLINK_OK, shmlink_close(segment));

  Handle again;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, again.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(again.get(), 0, 0, SHMLINK_ACCESS_READ, view));
  EXPECT_EQ(std::string(view.bytes(), 4), "ours");
  view.handle.reset();
  again.reset();

  release(*peer);
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, open_status(name));
}

TEST(Lifetime, PeerHoldingOnlyAViewKeepsTheSegmentAlive) {
  const std::string name = unique_name();
  shmlink_handle segment = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, 0, &segment));
  auto peer = start_peer({"hold-view", name});
  expect_line(*peer, "ready");
  ASSERT_STATUS(SHMLINK_OK, shmlink_close(segment));
  EXPECT_STATUS(SHMLINK_OK, open_status(name));
  release(*peer);
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, open_status(name));
}

TEST(Lifetime, SegmentCreatedByAPeerLivesUntilItsLastHolderCloses) {
  const std::string name = unique_name();
  auto creator = start_peer({"create", name, "4096", "made by the peer"});
  expect_line(*creator, "ready");
  Handle ours;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, ours.out()));
  release(*creator);  // the creator is gone; our handle keeps it
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(ours.get(), 0, 0, SHMLINK_ACCESS_READ, view));
  EXPECT_EQ(std::string(view.bytes(), 16), "made by the peer");
  view.handle.reset();
  ours.reset();
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, open_status(name));
}

TEST(Lifetime, NameOfAPeerKilledHoldingTheOnlyHandleCanBeCreatedAgain) {
  const std::string name = unique_name();
  auto peer = start_peer({"create", name, "4096", "dead"});
  expect_line(*peer, "ready");
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());

  Handle again;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, again.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(again.get(), 0, 0, SHMLINK_ACCESS_READ, view));
  EXPECT_EQ(view.bytes()[0], 0) << "a new segment, not the dead peer's";
  view.handle.reset();
  again.reset();
#ifndef _WIN32
  EXPECT_FALSE(path_exists(local_object_path(name))) << "nothing of it is left in /dev/shm";
#endif
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, open_status(name));
}

TEST(Lifetime, SegmentOfAPeerKilledHoldingTheOnlyHandleIsGone) {
  const std::string name = unique_name();
  auto peer = start_peer({"create", name, "4096"});
  expect_line(*peer, "ready");
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, open_status(name));
  Handle again;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, SHMLINK_OPEN_OR_CREATE, again.out()))
      << "created, not the dead peer's opened";
  again.reset();
#ifndef _WIN32
  EXPECT_FALSE(path_exists(local_object_path(name)));
#endif
}

TEST(Lifetime, PeerKilledWhileWeHoldTheSegmentLeavesItToUs) {
  const std::string name = unique_name();
  Handle ours;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, 0, ours.out()));
  auto peer = start_peer({"hold", name});
  expect_line(*peer, "ready");
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());
  EXPECT_STATUS(SHMLINK_OK, open_status(name)) << "we still hold it";
  ours.reset();
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, open_status(name));
}

TEST(Lifetime, DataWrittenByAPeerIsReadHere) {
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 3 * shmlink_allocation_granularity(), 0,
                                                   segment.out()));
  const uint64_t offset = shmlink_allocation_granularity() + 3;
  Process writer(peer_program(), {"write", name, std::to_string(offset), "written by the peer"});
  expect_line(writer, "done");
  EXPECT_EQ(writer.wait(), std::optional<int>(0));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), offset, 19, SHMLINK_ACCESS_READ, view));
  EXPECT_EQ(std::string(view.bytes(), 19), "written by the peer");
}

TEST(Lifetime, DataWrittenHereIsReadByAPeer) {
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 8192, 0, segment.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 5000, 0, SHMLINK_ACCESS_READ_WRITE, view));
  std::memcpy(view.bytes(), "from the test", 13);
  Process reader(peer_program(), {"read", name, "5000", "13"});
  expect_line(reader, "data from the test");
  EXPECT_EQ(reader.wait(), std::optional<int>(0));
}

TEST(Lifetime, PeerReportsAMissingNameAsNotFound) {
  Process opener(peer_program(), {"open", unique_name()});
  const std::string output = opener.read_all();
  EXPECT_NE(output.find("SHMLINK_ERR_NOT_FOUND"), std::string::npos) << output;
  EXPECT_EQ(opener.wait(), std::optional<int>(peer_exit_code(SHMLINK_ERR_NOT_FOUND)));
}

TEST(Lifetime, PeerCannotCreateANameWeHold) {
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, 0, segment.out()));
  Process creator(peer_program(), {"create", name, "100"});
  const std::string output = creator.read_all();
  EXPECT_NE(output.find("SHMLINK_ERR_ALREADY_EXISTS"), std::string::npos) << output;
  EXPECT_EQ(creator.wait(), std::optional<int>(peer_exit_code(SHMLINK_ERR_ALREADY_EXISTS)));
}

TEST(Lifetime, ProgramGetsItsStdinText) {
  // The support code can feed a program's stdin (the examples use it): a peer holding a
  // segment lets go as soon as the text has been read and stdin is at its end.
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, 0, segment.out()));
  Process holder(peer_program(), {"hold", name}, std::string("any text\n"));
  const std::string output = holder.read_all();
  const size_t ready = output.find("ready");
  const size_t closed = output.find("closed");
  EXPECT_NE(ready, std::string::npos) << output;
  EXPECT_NE(closed, std::string::npos) << output;
  EXPECT_LT(ready, closed) << output;
  EXPECT_EQ(holder.wait(), std::optional<int>(0));
}

// ---- Signals, mutexes, semaphores: the same lifetime as segments ----

// Creates a named object of each waitable kind; `open` opens one by name.
struct WaitableKind {
  const char* what;
  shmlink_status (*create)(const char* name, shmlink_handle* out);
  shmlink_status (*open)(const char* name, shmlink_handle* out);
};

const WaitableKind kWaitableKinds[] = {
    {"signal",
     [](const char* name, shmlink_handle* out) {
       return shmlink_signal_create(name, SHMLINK_SIGNAL_MANUAL_RESET | SHMLINK_SIGNAL_INITIALLY_SET, out);
     },
     shmlink_signal_open},
    {"mutex", [](const char* name, shmlink_handle* out) { return shmlink_mutex_create(name, 0, out); },
     shmlink_mutex_open},
    {"semaphore", [](const char* name, shmlink_handle* out) { return shmlink_semaphore_create(name, 1, 1, 0, out); },
     shmlink_semaphore_open},
};

TEST(Lifetime, LastCloseFreesTheNameOfASignalMutexOrSemaphore) {
  for (const WaitableKind& kind : kWaitableKinds) {
    SCOPED_TRACE(kind.what);
    const std::string name = unique_name();
    Handle first;
    ASSERT_STATUS(SHMLINK_OK, kind.create(name.c_str(), first.out()));
    Handle second;
    ASSERT_STATUS(SHMLINK_OK, kind.open(name.c_str(), second.out()));
    ASSERT_STATUS(SHMLINK_OK, first.close());
    Handle third;
    EXPECT_STATUS(SHMLINK_OK, kind.open(name.c_str(), third.out())) << "the second handle keeps it";
    third.reset();
    ASSERT_STATUS(SHMLINK_OK, second.close());
    shmlink_handle missing = 42;
    EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, kind.open(name.c_str(), &missing));
    EXPECT_EQ(missing, 0u);
#ifndef _WIN32
    EXPECT_FALSE(path_exists(local_object_path(name)));
#endif
    Handle again;
    EXPECT_STATUS(SHMLINK_OK, kind.create(name.c_str(), again.out())) << "the name is free";
  }
}

TEST(Lifetime, SignalCreatedAgainAfterItsLastCloseIsNew) {
  const std::string name = unique_name();
  shmlink_handle signal = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(name.c_str(), SHMLINK_SIGNAL_MANUAL_RESET | SHMLINK_SIGNAL_INITIALLY_SET,
                                                  &signal));
  ASSERT_STATUS(SHMLINK_OK, shmlink_close(signal));
  Handle again;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(name.c_str(), SHMLINK_OPEN_OR_CREATE, again.out()))
      << "created, not the old one opened";
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(again.get(), 0)) << "unset, as the new flags say";
}

TEST(Lifetime, PeerHoldingASignalKeepsItAliveAfterWeClose) {
  const std::string name = unique_name();
  auto peer = start_peer({"signal-create", name, "manual", "set"});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "ready"));
  Handle ours;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_open(name.c_str(), ours.out()));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(ours.get(), 0)) << "set by its creator";
  ours.reset();
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_open(name.c_str(), ours.out())) << "the peer keeps it";
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(ours.get(), 0)) << "the same signal, still set";
  ours.reset();
  ASSERT_NO_FATAL_FAILURE(release(*peer));
  shmlink_handle missing = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_signal_open(name.c_str(), &missing));
}

TEST(Lifetime, SignalOfAPeerKilledHoldingTheOnlyHandleIsGone) {
  const std::string name = unique_name();
  auto peer = start_peer({"signal-create", name, "manual", "set"});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "ready"));
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());
  shmlink_handle missing = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_signal_open(name.c_str(), &missing));
  Handle again;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(name.c_str(), SHMLINK_CREATE_NEW, again.out()))
      << "the name can be created again";
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(again.get(), 0)) << "a new signal, not the dead peer's";
  again.reset();
#ifndef _WIN32
  EXPECT_FALSE(path_exists(local_object_path(name))) << "nothing of it is left in /dev/shm";
#endif
}

TEST(Lifetime, SignalNameOfAPeerKilledHoldingTheOnlyHandleIsFreeForAnotherKind) {
  const std::string name = unique_name();
  auto peer = start_peer({"signal-create", name});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "ready"));
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());
  Handle mutex;
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_create(name.c_str(), SHMLINK_OPEN_OR_CREATE, mutex.out()))
      << "created, not refused as the dead peer's signal";
}

TEST(Lifetime, PeerKilledWhileWeHoldTheSignalLeavesItToUs) {
  const std::string name = unique_name();
  Handle ours;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(name.c_str(), SHMLINK_SIGNAL_AUTO_RESET, ours.out()));
  auto peer = start_peer({"signal-wait", name, "infinite"});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "ready"));
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());
  // The dead waiter takes nothing with it: a set is still there for the next wait.
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(ours.get()));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(ours.get(), 0));
  ours.reset();
  shmlink_handle missing = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_signal_open(name.c_str(), &missing));
}

TEST(Lifetime, AProcessThatExitsWithAnObjectStillInUseLetsGoOfItsName) {
  // A thread blocked in a receive keeps the channel alive past the handle table's cleanup at
  // exit; the name must go anyway, since nobody else holds it.
  const std::string name = unique_name();
  Process peer(peer_program(), {"channel-exit-while-receiving", name});
  EXPECT_EQ(peer.read_line().value_or("(nothing)"), "exiting");
  EXPECT_EQ(peer.wait(), 0);
#ifndef _WIN32
  // Looked at before any call of ours could remove what a dead process left.
  EXPECT_FALSE(path_exists(local_object_path(name)));
#endif
  Handle channel;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, channel.out()));
}

#ifndef _WIN32
TEST(Lifetime, AForkedChildThatExitsLeavesItsParentsObjectsAlone) {
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, segment.out()));
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) std::exit(0);  // runs the library's exit-time cleanup in the child
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(path_exists(local_object_path(name)));
  EXPECT_STATUS(SHMLINK_OK, open_status(name));
}
#endif

}  // namespace
}  // namespace shmlink_test
