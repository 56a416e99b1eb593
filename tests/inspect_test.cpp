// shmlink_object_list / _describe / _remove / _collect (since 1.4): what exists, seen from
// outside, with the holders other processes are, and files that lie.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

namespace {

using namespace shmlink_test;

static_assert(sizeof(shmlink_object_description) == 688, "the 1.4 description is 688 bytes everywhere");
static_assert(offsetof(shmlink_object_description, size) == 88, "64-bit fields on 8-byte offsets");
static_assert(offsetof(shmlink_object_description, channel_bytes_queued) == 360, "64-bit fields on 8-byte offsets");

shmlink_object_description blank() {
  shmlink_object_description description{};
  description.struct_size = sizeof description;
  return description;
}

// What the OS says of this process and thread, and what the description says of its objects'
// owner (Windows has no uid) and mutex owner (Windows does not say which thread).
#ifdef _WIN32
uint32_t this_pid() { return GetCurrentProcessId(); }
constexpr uint32_t kExpectedOwnerUid = SHMLINK_UNKNOWN;
uint32_t expected_mutex_owner() { return SHMLINK_UNKNOWN; }
#else
uint32_t this_pid() { return static_cast<uint32_t>(getpid()); }
const uint32_t kExpectedOwnerUid = static_cast<uint32_t>(geteuid());
uint32_t expected_mutex_owner() { return static_cast<uint32_t>(gettid()); }
#endif

shmlink_object_description describe(const std::string& name) {
  shmlink_object_description description = blank();
  EXPECT_STATUS(SHMLINK_OK, shmlink_object_describe(name.c_str(), &description));
  return description;
}

std::vector<shmlink_object_description> list_all(uint32_t flags = 0) {
  uint32_t count = 0;
  std::vector<shmlink_object_description> found;
  for (int attempt = 0; attempt < 5; ++attempt) {
    found.assign(count + 8, blank());
    const shmlink_status status = shmlink_object_list(flags, found.data(), sizeof found[0],
                                                      static_cast<uint32_t>(found.size()), &count);
    if (status == SHMLINK_OK) {
      found.resize(count);
      return found;
    }
    EXPECT_EQ(status, SHMLINK_ERR_BUFFER_TOO_SMALL);
  }
  ADD_FAILURE() << "objects kept coming";
  return {};
}

const shmlink_object_description* find(const std::vector<shmlink_object_description>& found, const std::string& name) {
  for (const auto& description : found)
    if (name == description.name) return &description;
  return nullptr;
}


TEST(Inspect, RefusesBadArguments) {
  shmlink_object_description description = blank();
  uint32_t count = 0;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_object_describe("x", nullptr));
  description.struct_size = 100;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_object_describe("x", &description));
  description.struct_size = sizeof description;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_NAME, shmlink_object_describe("a/b", &description));
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_object_describe(unique_name().c_str(), &description));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_object_list(0, nullptr, 0, 0, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_object_list(0x80, nullptr, 0, 0, &count));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_object_list(0, nullptr, sizeof description, 1, &count));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_object_list(0, &description, 100, 1, &count));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_object_remove("x", 0x2));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_object_collect(1, nullptr));
}

TEST(Inspect, DescribesEveryKind) {
  const std::string base = unique_name();
  shmlink_handle segment = 0, signal = 0, mutex = 0, semaphore = 0, channel = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create((base + "-seg").c_str(), 12345, 0, &segment));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create((base + "-sig").c_str(),
                                                  SHMLINK_SIGNAL_MANUAL_RESET | SHMLINK_SIGNAL_INITIALLY_SET, &signal));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create((base + "-mtx").c_str(), SHMLINK_MUTEX_INITIALLY_OWNED, &mutex));
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_create((base + "-sem").c_str(), 3, 7, 0, &semaphore));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create((base + "-ch").c_str(), 4096, 100,
                                                   SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_RECEIVER, &channel));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_send(channel, "hello", 5, 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_send(channel, "world!", 6, 0));

  const shmlink_object_description seg = describe(base + "-seg");
  EXPECT_EQ(seg.struct_size, sizeof seg);
  EXPECT_EQ(seg.kind, SHMLINK_KIND_SEGMENT);
  EXPECT_EQ(seg.size, 12345u);
  EXPECT_STREQ(seg.name, ("Local\\" + base + "-seg").c_str());
  EXPECT_EQ(seg.owner_uid, kExpectedOwnerUid);
  EXPECT_EQ(seg.holder_count, 1u);
  EXPECT_EQ(seg.flags & SHMLINK_OBJECT_STALE, 0u);
  EXPECT_EQ(seg.holder_pids[0], this_pid());
#ifdef _WIN32
  EXPECT_EQ(seg.created_unix_ms, 0u) << "not known";
#else
  EXPECT_GT(seg.created_unix_ms, 1600000000000ull);
#endif

  const shmlink_object_description sig = describe(base + "-sig");
  EXPECT_EQ(sig.kind, SHMLINK_KIND_SIGNAL);
  EXPECT_EQ(sig.signal_set, 1u);
  EXPECT_EQ(sig.signal_manual_reset, 1u);
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_reset(signal));
  EXPECT_EQ(describe(base + "-sig").signal_set, 0u);

  const shmlink_object_description mtx = describe(base + "-mtx");
  EXPECT_EQ(mtx.kind, SHMLINK_KIND_MUTEX);
  EXPECT_NE(mtx.flags & SHMLINK_OBJECT_MUTEX_HELD, 0u);
  EXPECT_EQ(mtx.flags & SHMLINK_OBJECT_MUTEX_ABANDONED, 0u);
  EXPECT_EQ(mtx.mutex_owner_tid, expected_mutex_owner());
  EXPECT_EQ(mtx.mutex_recursion, 1u);
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex));
  EXPECT_EQ(describe(base + "-mtx").flags & SHMLINK_OBJECT_MUTEX_HELD, 0u);

  const shmlink_object_description sem = describe(base + "-sem");
  EXPECT_EQ(sem.kind, SHMLINK_KIND_SEMAPHORE);
  EXPECT_EQ(sem.semaphore_count, 3u);
  EXPECT_EQ(sem.semaphore_max, 7u);
  EXPECT_EQ(describe(base + "-sem").semaphore_count, 3u) << "looking takes nothing";

  const shmlink_object_description ch = describe(base + "-ch");
  EXPECT_EQ(ch.kind, SHMLINK_KIND_CHANNEL);
  EXPECT_GE(ch.size, 4096u);
  EXPECT_EQ(ch.channel_max_message, 100u);
  EXPECT_EQ(ch.channel_senders, 1u);
  EXPECT_EQ(ch.channel_receivers, 1u);
  EXPECT_EQ(ch.channel_messages_queued, 2u);
  EXPECT_EQ(ch.channel_bytes_queued, 2u * 64u);
  ASSERT_EQ(ch.channel_peer_count, 1u);
  EXPECT_EQ(ch.channel_peers[0].flags, SHMLINK_PEER_SENDER | SHMLINK_PEER_RECEIVER | SHMLINK_PEER_ALIVE);
  EXPECT_EQ(ch.channel_peers[0].pid, this_pid());
  EXPECT_EQ(ch.holder_count, 1u);
  EXPECT_EQ(ch.channel_messages_sent, 2u);
  EXPECT_EQ(ch.channel_bytes_sent, 11u);
  EXPECT_EQ(ch.channel_messages_received, 0u);
  char buffer[100];
  uint32_t length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive(channel, buffer, sizeof buffer, &length, 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive(channel, buffer, sizeof buffer, &length, 0));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_channel_receive(channel, buffer, sizeof buffer, &length, 20));
  const shmlink_object_description drained = describe(base + "-ch");
  EXPECT_EQ(drained.channel_messages_received, 2u);
  EXPECT_EQ(drained.channel_bytes_received, 11u);
  EXPECT_EQ(drained.channel_receives_waited, 1u) << "the receive with a timeout waited";
  EXPECT_EQ(drained.channel_sends_waited, 0u);
  EXPECT_EQ(drained.channel_messages_queued, 0u);

  const auto found = list_all();
  for (const char* suffix : {"-seg", "-sig", "-mtx", "-sem", "-ch"})
    EXPECT_NE(find(found, "Local\\" + base + suffix), nullptr) << suffix;
  for (const shmlink_handle handle : {segment, signal, mutex, semaphore, channel})
    EXPECT_STATUS(SHMLINK_OK, shmlink_close(handle));
  EXPECT_EQ(find(list_all(), "Local\\" + base + "-seg"), nullptr);
}

#ifdef _WIN32

// A kernel object lives exactly as long as its handles: nothing is left to remove or collect.
TEST(Inspect, HoldersInOtherProcessesAndNothingToRemoveOnWindows) {
  const std::string name = unique_name();
  auto creator = start_peer({"create", name, "4096"});
  ASSERT_EQ(creator->read_line(), "ready");
  const shmlink_object_description held = describe(name);
  EXPECT_EQ(held.kind, SHMLINK_KIND_SEGMENT);
  EXPECT_EQ(held.size, 4096u);
  EXPECT_EQ(held.holder_count, 1u) << "the creator's handle";
  EXPECT_NE(held.holder_pids[0], 0u);
  EXPECT_NE(held.holder_pids[0], this_pid());
  EXPECT_NE(find(list_all(), "Local\\" + name), nullptr);
  EXPECT_STATUS(SHMLINK_ERR_NOT_SUPPORTED, shmlink_object_remove(name.c_str(), 0));
  EXPECT_STATUS(SHMLINK_ERR_NOT_SUPPORTED, shmlink_object_remove(name.c_str(), SHMLINK_REMOVE_FORCE));
  EXPECT_STATUS(SHMLINK_ERR_NOT_SUPPORTED, shmlink_object_collect(0, nullptr));
  creator->kill();
  creator->wait();
  shmlink_object_description gone = blank();
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_object_describe(name.c_str(), &gone));
  EXPECT_EQ(find(list_all(), "Local\\" + name), nullptr);
}

TEST(Inspect, AbandonedMutexOnWindows) {
  const std::string name = unique_name();
  Handle mutex;
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create(name.c_str(), 0, mutex.out()));
  auto owner = start_peer({"mutex-hold", name});
  ASSERT_EQ(owner->read_line(), "locked SHMLINK_OK");
  EXPECT_NE(describe(name).flags & SHMLINK_OBJECT_MUTEX_HELD, 0u);
  owner->kill();
  owner->wait();
  const shmlink_object_description left = describe(name);
  EXPECT_EQ(left.flags & SHMLINK_OBJECT_MUTEX_HELD, 0u) << "the kernel released it for the dead owner";
  EXPECT_NE(left.flags & SHMLINK_OBJECT_MUTEX_ABANDONED, 0u);
  EXPECT_STATUS(SHMLINK_ABANDONED, shmlink_mutex_lock(mutex.get(), 0));
  EXPECT_EQ(describe(name).flags & SHMLINK_OBJECT_MUTEX_ABANDONED, 0u) << "the lock took the abandonment";
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

#else

TEST(Inspect, SeesHoldersInOtherProcessesAndWhatTheDeadLeft) {
  const std::string name = unique_name();
  auto creator = start_peer({"create", name, "4096"});
  ASSERT_EQ(creator->read_line(), "ready");
  shmlink_object_description held = describe(name);
  EXPECT_EQ(held.holder_count, 1u);
  EXPECT_NE(held.holder_pids[0], this_pid());
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_object_remove(name.c_str(), 0)) << "held: refused";
  EXPECT_NE(std::string(shmlink_last_error_message()).find(std::to_string(held.holder_pids[0])), std::string::npos)
      << shmlink_last_error_message();

  creator->kill();
  creator->wait();
  const shmlink_object_description left = describe(name);
  EXPECT_EQ(left.holder_count, 0u);
  EXPECT_NE(left.flags & SHMLINK_OBJECT_STALE, 0u);
  uint32_t removed = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_object_collect(0, &removed));
  EXPECT_GE(removed, 1u);
  shmlink_object_description gone = blank();
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_object_describe(name.c_str(), &gone));
}

TEST(Inspect, ForcedRemoveFreesTheNameWhileHolded) {
  const std::string name = unique_name();
  auto creator = start_peer({"create", name, "4096"});
  ASSERT_EQ(creator->read_line(), "ready");
  ASSERT_STATUS(SHMLINK_OK, shmlink_object_remove(name.c_str(), SHMLINK_REMOVE_FORCE));
  Handle fresh;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 64, SHMLINK_CREATE_NEW, fresh.out()))
      << "the name is free again";
  creator->close_stdin();
  EXPECT_EQ(creator->read_line(), "closed");
  EXPECT_EQ(describe(name).size, 64u) << "the old holder's close left the new object alone";
}

#endif

TEST(Inspect, ChannelPeersInOtherProcessesAndDeadOnes) {
  const std::string name = unique_name();
  Handle channel;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create(name.c_str(), 4096, 64, SHMLINK_CHANNEL_RECEIVER, channel.out()));
  auto sender = start_peer({"channel-hold", name, "sender"});
  ASSERT_EQ(sender->read_line(), "ready");
  shmlink_object_description described = describe(name);
  ASSERT_EQ(described.channel_peer_count, 2u);
  EXPECT_EQ(described.holder_count, 2u);
  bool saw_sender = false;
  for (uint32_t i = 0; i < 2; ++i) {
    const shmlink_object_peer& peer = described.channel_peers[i];
    EXPECT_NE(peer.flags & SHMLINK_PEER_ALIVE, 0u);
    if (peer.flags & SHMLINK_PEER_SENDER) {
      saw_sender = true;
      EXPECT_NE(peer.pid, 0u);
      EXPECT_NE(peer.pid, this_pid());
    } else {
      EXPECT_EQ(peer.pid, this_pid());
    }
  }
  EXPECT_TRUE(saw_sender);
  sender->kill();
  sender->wait();
  described = describe(name);
  ASSERT_EQ(described.channel_peer_count, 2u) << "a killed peer's slot stays until someone notices";
  for (uint32_t i = 0; i < 2; ++i) {
    const shmlink_object_peer& peer = described.channel_peers[i];
    if (peer.flags & SHMLINK_PEER_SENDER) {
      EXPECT_EQ(peer.flags & SHMLINK_PEER_ALIVE, 0u) << "dead";
    }
  }
  EXPECT_EQ(described.channel_peers_died, 0u);
  char buffer[64];
  uint32_t length = 0;
  EXPECT_STATUS(SHMLINK_ERR_CLOSED, shmlink_channel_receive(channel.get(), buffer, sizeof buffer, &length, 5000))
      << "the receiver's wait notices the dead sender";
  described = describe(name);
  EXPECT_EQ(described.channel_peers_died, 1u);
  EXPECT_EQ(described.channel_peer_count, 1u);
}

#ifndef _WIN32
// A file at an object's name that lies about itself is described as CORRUPT, never followed.
TEST(Inspect, HostileFilesAreReportedNotTrusted) {
  const std::string name = unique_name();
  Handle keep;  // makes this user's directory
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create((name + "-dir").c_str(), 0, keep.out()));
  const std::string path = local_object_path(name);
  const int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  std::vector<unsigned char> bytes(8192, 0xA5);
  const uint32_t magic = 0x4C4D4853u;  // a real magic, then garbage
  std::memcpy(bytes.data(), &magic, sizeof magic);
  ASSERT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  close(fd);
  const shmlink_object_description described = describe(name);
  EXPECT_NE(described.flags & (SHMLINK_OBJECT_CORRUPT | SHMLINK_OBJECT_INCOMPATIBLE), 0u);
  EXPECT_EQ(described.kind, 0);
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_object_remove(name.c_str(), SHMLINK_REMOVE_FORCE))
      << "not provably ours: never removed";
  unlink(path.c_str());
}

#endif

}  // namespace
