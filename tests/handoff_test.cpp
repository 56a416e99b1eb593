// Handing a segment to another process without a name (issue 17, points 2 and 3): a token
// from shmlink_handle_share, turned back into a handle by shmlink_handle_from_token in a child
// that inherited the object, or in a running process that takes it; and the free address
// range helper of point 4 (shmlink_find_free_range).
#include <shmlink/shmlink.h>
#include <shmlink/shmlink.hpp>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#ifndef _WIN32
#include <sys/stat.h>
#include <unistd.h>

#include "support/forked_child.h"
#endif

namespace shmlink_test {
namespace {

constexpr uint64_t kSegmentBytes = 65536;

Handle unnamed_segment_holding(const std::string& text) {
  Handle segment;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_create(nullptr, kSegmentBytes, SHMLINK_CREATE_NEW, segment.out()));
  View view;
  EXPECT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, text.size(), SHMLINK_ACCESS_READ_WRITE, view));
  if (view.address != nullptr) std::memcpy(view.address, text.data(), text.size());
  return segment;
}

std::string share(shmlink_handle segment, uint32_t flags) {
  char token[SHMLINK_TOKEN_MAX_BYTES] = {};
  uint32_t length = 0;
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_share(segment, flags, token, sizeof token, &length));
  EXPECT_EQ(length, std::strlen(token));
  return token;
}

std::string read_bytes(shmlink_handle segment, uint64_t length) {
  View view;
  EXPECT_STATUS(SHMLINK_OK, map_view(segment, 0, length, SHMLINK_ACCESS_READ, view));
  return view.address != nullptr ? std::string(view.bytes(), length) : std::string();
}

// The line a peer says, after it has exited with 0.
std::string run_peer(const std::vector<std::string>& arguments) {
  auto peer = start_peer(arguments);
  const std::optional<std::string> line = peer->read_line();
  EXPECT_EQ(peer->wait(), std::optional<int>(0));
  return line.value_or("(nothing)");
}

// ---- To a child ----

TEST(Handoff, AChildReadsAndWritesAnUnnamedSegmentItWasHanded) {
  const Handle segment = unnamed_segment_holding("from the parent");
  std::string token = share(segment.get(), 0);
  EXPECT_EQ(run_peer({"token-read", token, "0", "15"}), "data from the parent");
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(token.c_str()));

  token = share(segment.get(), 0);
  EXPECT_EQ(run_peer({"token-write", token, "0", "from the child"}), "done");
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(token.c_str()));
  EXPECT_EQ(read_bytes(segment.get(), 15), std::string("from the child") + 't');
}

TEST(Handoff, NamedAndFileBackedSegmentsAreHandedAlike) {
  const std::string name = unique_name();
  Handle named;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), kSegmentBytes, SHMLINK_CREATE_NEW, named.out()));
  {
    View view;
    ASSERT_STATUS(SHMLINK_OK, map_view(named.get(), 100, 5, SHMLINK_ACCESS_READ_WRITE, view));
    std::memcpy(view.address, "named", 5);
  }
  std::string token = share(named.get(), 0);
  EXPECT_EQ(run_peer({"token-read", token, "100", "5"}), "data named");
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(token.c_str()));

  TempDir directory;
  const std::string path = directory.path("handed.bin");
  Handle file_backed;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_from_file(path.c_str(), nullptr, kSegmentBytes, SHMLINK_ACCESS_READ_WRITE,
                                                      0, file_backed.out()));
  token = share(file_backed.get(), 0);
  EXPECT_EQ(run_peer({"token-write", token, "3", "file"}), "done");
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(token.c_str()));
  EXPECT_EQ(read_bytes(file_backed.get(), 7), std::string(3, '\0') + "file");
}

// A token is good for one take in the child; the rights are the ones the sharer gave.
TEST(Handoff, AReadOnlyTokenGivesAReadOnlyHandleOnce) {
  const Handle segment = unnamed_segment_holding("x");
  std::string token = share(segment.get(), SHMLINK_HANDOFF_READ_ONLY);
  EXPECT_EQ(run_peer({"token-try", token}), "status SHMLINK_OK rw SHMLINK_ERR_ACCESS_DENIED again SHMLINK_ERR_NOT_FOUND");
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(token.c_str()));

  token = share(segment.get(), 0);
  EXPECT_EQ(run_peer({"token-try", token}), "status SHMLINK_OK rw SHMLINK_OK again SHMLINK_ERR_NOT_FOUND");
  EXPECT_EQ(run_peer({"token-try", token, "readonly"}),
            "status SHMLINK_OK rw SHMLINK_ERR_ACCESS_DENIED again SHMLINK_ERR_NOT_FOUND");
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(token.c_str()));
}

// Unshared before the child started: nothing to take. The same for a token made for a
// running process (never inherited).
TEST(Handoff, AChildStartedAfterUnshareOrWithARunningProcessTokenGetsNothing) {
  const Handle segment = unnamed_segment_holding("x");
  const std::string unshared = share(segment.get(), 0);
  ASSERT_STATUS(SHMLINK_OK, shmlink_handle_unshare(unshared.c_str()));
  EXPECT_EQ(run_peer({"token-try", unshared}), "status SHMLINK_ERR_NOT_FOUND again SHMLINK_ERR_NOT_FOUND");

  const std::string for_running = share(segment.get(), SHMLINK_HANDOFF_RUNNING_PROCESS);
  EXPECT_EQ(run_peer({"token-try", for_running}), "status SHMLINK_ERR_NOT_FOUND again SHMLINK_ERR_NOT_FOUND");
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(for_running.c_str()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_handle_unshare(for_running.c_str()));
}

// In the sharing process itself the token works as in a child: once, and the take ends the
// share (unshare then has nothing to close).
TEST(Handoff, TakingATokenInTheSharingProcessUsesItUp) {
  const Handle segment = unnamed_segment_holding("here");
  const std::string token = share(segment.get(), 0);
  Handle taken;
  ASSERT_STATUS(SHMLINK_OK, shmlink_handle_from_token(token.c_str(), 0, taken.out()));
  EXPECT_EQ(read_bytes(taken.get(), 4), "here");
  Handle again;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_handle_from_token(token.c_str(), 0, again.out()));
  EXPECT_EQ(again.get(), 0u);
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_handle_unshare(token.c_str()));
}

// The token keeps the object alive: the parent may close its handle before the child starts.
TEST(Handoff, TheTokenOutlivesTheSharersHandle) {
  Handle segment = unnamed_segment_holding("kept");
  const std::string token = share(segment.get(), 0);
  ASSERT_STATUS(SHMLINK_OK, segment.close());
  EXPECT_EQ(run_peer({"token-read", token, "0", "4"}), "data kept");
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(token.c_str()));
}

TEST(Handoff, BadArgumentsAndForgedTokensGetTheirStatus) {
  const Handle segment = unnamed_segment_holding("x");
  char token[SHMLINK_TOKEN_MAX_BYTES];
  Handle out;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_handle_share(segment.get(), 0, nullptr, 10, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_handle_share(segment.get(), 0x80, token, sizeof token, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_handle_share(0, 0, token, sizeof token, nullptr));
  uint32_t needed = 0;
  EXPECT_STATUS(SHMLINK_ERR_BUFFER_TOO_SMALL, shmlink_handle_share(segment.get(), 0, token, 4, &needed));
  EXPECT_GT(needed, 4u);
  EXPECT_LT(needed, SHMLINK_TOKEN_MAX_BYTES);
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(nullptr, 0, signal.out()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_SUPPORTED, shmlink_handle_share(signal.get(), 0, token, sizeof token, nullptr));

  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_handle_from_token(nullptr, 0, out.out()));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_handle_from_token("x", 0, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_handle_from_token("x", 0x80, out.out()));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_handle_unshare(nullptr));
  const std::string too_long(2 * SHMLINK_TOKEN_MAX_BYTES, '1');
  for (const std::string& forged :
       {std::string(""), std::string("shmlink1"), std::string("hello:world"), std::string("shmlink1:Z:1:1:w:3:1:1:0:1"),
        std::string("shmlink1:L:1:1:w:3:1:1:0"), std::string("shmlink1:L:-1:1:w:3:1:1:0:1"),
        std::string("shmlink1:L:1:1:x:3:1:1:0:1"), std::string("shmlink1:L:1:1:w:3:1:1:7:1"),
        std::string("shmlink1:L:1:1:w:99999999999999999999999:1:1:0:1"), std::string("shmlink1:L:1:1:w:3:1:1:0:0"),
        std::string("shmlink1:W:1:1:w:3"), std::string("shmlink1:L:1:1:w: 3:1:1:0:1"), too_long}) {
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_handle_from_token(forged.c_str(), 0, out.out())) << forged;
    EXPECT_EQ(out.get(), 0u);
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_handle_unshare(forged.c_str())) << forged;
  }
}

// ---- To a running process ----

// The peer shares an unnamed segment and this process takes it (Linux: a parent may take
// from its child even where Yama restricts ptrace to descendants; Windows: DuplicateHandle out
// of the peer). After the peer unshares, the token finds nothing.
TEST(Handoff, ARunningProcessTakesASegmentFromAnother) {
  auto peer = start_peer({"share-hold", std::to_string(kSegmentBytes), "held by the peer"});
  const std::optional<std::string> said = peer->read_line();
  ASSERT_TRUE(said.has_value());
  ASSERT_EQ(said->rfind("token ", 0), 0u) << *said;
  const std::string token = said->substr(6);
  Handle taken;
  const shmlink_status status = shmlink_handle_from_token(token.c_str(), SHMLINK_HANDOFF_RUNNING_PROCESS, taken.out());
  if (status == SHMLINK_ERR_NOT_SUPPORTED) GTEST_SKIP() << "no pidfd_getfd here: " << shmlink_last_error_message();
  ASSERT_STATUS(SHMLINK_OK, status);
  EXPECT_EQ(read_bytes(taken.get(), 16), "held by the peer");
  Handle second;
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_from_token(token.c_str(), SHMLINK_HANDOFF_RUNNING_PROCESS, second.out()));
  // Without the flag the token means an inherited descriptor, which this process has not.
  Handle inherited;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_handle_from_token(token.c_str(), 0, inherited.out()));
  peer->close_stdin();
  EXPECT_EQ(peer->read_line(), std::optional<std::string>("closed"));
  EXPECT_EQ(peer->wait(), std::optional<int>(0));
  Handle late;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_handle_from_token(token.c_str(), SHMLINK_HANDOFF_RUNNING_PROCESS, late.out()));
  // What was taken stays: the segment lives while a holder has it.
  EXPECT_EQ(read_bytes(taken.get(), 16), "held by the peer");
}

#ifndef _WIN32
// A token's descriptor number, device and inode (fields 5 to 7, counted from 0).
std::vector<std::string> token_fields(const std::string& token) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t end; (end = token.find(':', start)) != std::string::npos; start = end + 1)
    fields.push_back(token.substr(start, end - start));
  fields.push_back(token.substr(start));
  return fields;
}

std::string join(const std::vector<std::string>& fields) {
  std::string token;
  for (const std::string& field : fields) token += (token.empty() ? "" : ":") + field;
  return token;
}

// A token rewritten to name another file, a descriptor that is not inherited, more bytes
// than the file has, or another kind: refused, and the real share is left as it was.
TEST(Handoff, TokensThatDoNotMatchTheirDescriptorAreRefusedOnLinux) {
  const Handle segment = unnamed_segment_holding("x");
  const std::string token = share(segment.get(), 0);
  const std::vector<std::string> real = token_fields(token);
  ASSERT_EQ(real.size(), 10u) << token;
  Handle out;
  std::vector<std::string> forged = real;
  forged[7] = std::to_string(std::stoull(real[7]) + 1);  // another inode
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_handle_from_token(join(forged).c_str(), 0, out.out()));
  forged = real;
  forged[5] = "1";  // stdout: not inherited as a token's, and not the file
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_handle_from_token(join(forged).c_str(), 0, out.out()));
  forged = real;
  forged[5] = "1000000";  // no such descriptor
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_handle_from_token(join(forged).c_str(), 0, out.out()));
  forged = real;
  forged[9] = std::to_string(kSegmentBytes * 4);  // more than the file holds
  EXPECT_STATUS(SHMLINK_ERR_CORRUPT, shmlink_handle_from_token(join(forged).c_str(), 0, out.out()));
  forged = real;
  forged[9] = std::to_string(kSegmentBytes - 1);  // not what its header says
  EXPECT_STATUS(SHMLINK_ERR_CORRUPT, shmlink_handle_from_token(join(forged).c_str(), 0, out.out()));
  forged = real;
  forged[3] = std::to_string(SHMLINK_KIND_SIGNAL);
  EXPECT_STATUS(SHMLINK_ERR_NOT_SUPPORTED, shmlink_handle_from_token(join(forged).c_str(), 0, out.out()));
  forged = real;
  forged[8] = "0";  // the header page taken for data is allowed only for files: still the file, a bigger size fails
  forged[9] = std::to_string(kSegmentBytes + 8192);
  EXPECT_STATUS(SHMLINK_ERR_CORRUPT, shmlink_handle_from_token(join(forged).c_str(), 0, out.out()));
  EXPECT_EQ(out.get(), 0u);
  // None of that used the real token up.
  EXPECT_EQ(run_peer({"token-read", token, "0", "1"}), "data x");
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(token.c_str()));
}

std::string inode_of(const std::string& token) {
  const std::vector<std::string> fields = token_fields(token);
  return fields.size() == 10 ? fields[6] + ":" + fields[7] : "?";
}

// Only a child started between share and unshare gets the object: counted in the child's own
// descriptors. (The test is seen to work by the child started while it is shared.)
TEST(Handoff, OnlyAChildStartedWhileSharedInheritsTheDescriptor) {
  const Handle segment = unnamed_segment_holding("x");
  const std::string running = share(segment.get(), SHMLINK_HANDOFF_RUNNING_PROCESS);
  const std::string inode = inode_of(running);
  const std::string before = run_peer({"fd-inodes", "-"});
  EXPECT_EQ(before.rfind("inodes", 0), 0u) << before;
  EXPECT_EQ(before.find(" " + inode), std::string::npos) << before;
  const std::string inheritable = share(segment.get(), 0);
  EXPECT_NE(run_peer({"fd-inodes", "-"}).find(" " + inode), std::string::npos) << "a child started while shared";
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(inheritable.c_str()));
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(running.c_str()));
  const std::string after = run_peer({"fd-inodes", "-"});
  EXPECT_EQ(after.find(" " + inode), std::string::npos) << after;
}

// Another user may not take from this process: the kernel's ptrace check says no.
TEST(Handoff, AnotherUserCannotTakeFromThisProcess) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  const Handle segment = unnamed_segment_holding("x");
  const std::string token = share(segment.get(), SHMLINK_HANDOFF_RUNNING_PROCESS);
  ForkedChild child(
      [&](ForkedChild&) {
        if (setgid(65534) != 0 || setuid(65534) != 0) return errno == EINVAL ? 4 : 2;  // EINVAL: no such user here
        shmlink_handle out = 0;
        const shmlink_status status = shmlink_handle_from_token(token.c_str(), SHMLINK_HANDOFF_RUNNING_PROCESS, &out);
        if (status == SHMLINK_ERR_NOT_SUPPORTED) return 3;
        return status == SHMLINK_ERR_ACCESS_DENIED && out == 0 ? 0 : 1;
      },
      ForkedChild::Exit::Immediately);
  ASSERT_TRUE(child.started());
  const int exit_code = child.wait();
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(token.c_str()));
  if (exit_code == 3) GTEST_SKIP() << "no pidfd_getfd here";
  if (exit_code == 4) {
    GTEST_SKIP() << "user 65534 does not exist in this user namespace (the 32-bit suite under qemu runs in one "
                    "that maps only the caller)";
  }
  EXPECT_EQ(exit_code, 0) << "1: not ACCESS_DENIED, 2: could not become nobody";
}
#endif

#ifdef _WIN32
// The <handle> field of a Windows token (shmlink1:W:<pid>:<kind>:<access>:<handle>:<size>).
std::string handle_field(const std::string& token) {
  size_t start = 0;
  for (int field = 0; field < 5; ++field) start = token.find(':', start) + 1;
  return token.substr(start, token.find(':', start) - start);
}

// A child written with plain Win32 (tests/raw_win32/raw_child.c) maps the section handle a
// shmlink parent handed it, as the seed's programs do, and writes into it.
TEST(Handoff, ARawWin32ChildMapsTheHandleAShmlinkParentHandedIt) {
  const Handle segment = unnamed_segment_holding("for a raw child");
  const std::string token = share(segment.get(), 0);
  Process child("shmlink_raw_win32_child", {"map", handle_field(token), "15", "raw reply"});
  EXPECT_EQ(child.read_line(), std::optional<std::string>("data for a raw child"));
  EXPECT_EQ(child.wait(), std::optional<int>(0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_handle_unshare(token.c_str()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 32, 9, SHMLINK_ACCESS_READ, view));
  EXPECT_EQ(std::string(view.bytes(), 9), "raw reply");
}

// The reverse: a raw Win32 parent's inheritable section, opened by a shmlink child.
TEST(Handoff, AShmlinkChildOpensTheSectionARawWin32ParentHandedIt) {
  Process parent("shmlink_raw_win32_child", {"parent", peer_program().path, "from a raw parent"});
  EXPECT_EQ(parent.read_line(), std::optional<std::string>("data from a raw parent"));
  EXPECT_EQ(parent.wait(), std::optional<int>(0));
}
#endif

// ---- The C++ forms ----

TEST(Handoff, TheCppFormsHandASegmentToAChild) {
  shmlink::Segment segment = shmlink::Segment::create_unnamed(kSegmentBytes);
  {
    shmlink::View view = segment.map(0, 3, shmlink::Access::read_write);
    std::memcpy(view.data(), "c++", 3);
  }
  const std::string token = segment.share(shmlink::Handoff::child, true);
  EXPECT_EQ(run_peer({"token-try", token}), "status SHMLINK_OK rw SHMLINK_ERR_ACCESS_DENIED again SHMLINK_ERR_NOT_FOUND");
  shmlink::unshare(token);
  EXPECT_THROW(shmlink::unshare(token), shmlink::Error);

  const std::string here = segment.share();
  const shmlink::Segment taken = shmlink::Segment::from_token(here);
  EXPECT_EQ(taken.access(), shmlink::Access::read_write);
  EXPECT_EQ(read_bytes(taken.handle().get(), 3), "c++");
}

// ---- A free address range for views at the same address everywhere ----

TEST(Handoff, AFreeRangeTakesAViewHereAndInAnotherProcess) {
  void* address = nullptr;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_find_free_range(0, &address));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_find_free_range(100, nullptr));
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), kSegmentBytes, SHMLINK_CREATE_NEW, segment.out()));
  std::vector<std::string> said;
  for (int round = 0; round < 8; ++round) {
    ASSERT_STATUS(SHMLINK_OK, shmlink_find_free_range(kSegmentBytes, &address));
    ASSERT_NE(address, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(address) % shmlink_allocation_granularity(), 0u);
    Handle view;
    ASSERT_STATUS(SHMLINK_OK, shmlink_map_at(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, address, view.out()));
    struct Node {
      uint64_t next;
      uint64_t value;
    };
    auto* nodes = static_cast<Node*>(address);
    nodes[0] = {static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&nodes[1])), 7};
    nodes[1] = {0, 8};
    // The peer fails (ALREADY_EXISTS) where it has something of its own at the address.
    auto peer = start_peer({"follow-list", name, std::to_string(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(address)))});
    const std::string line = peer->read_line().value_or("(nothing)");
    peer->wait();
    said.push_back(line);
    if (line == "list 7 8") return;
  }
  FAIL() << "no range found here was free in the peer: " << testing::PrintToString(said);
}

}  // namespace
}  // namespace shmlink_test
