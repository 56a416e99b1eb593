// Objects a forked child inherited (Linux): as on Windows, where an object keeps its name while
// any process holds it, the child holds every object it inherited, on its own. The parent's
// close must not free the name while the child still uses the object; the child's close (or
// exit) lets the name go once nobody else holds it; and a child's copy of a channel handle is
// an attachment of its own, counted and watched for liveness apart from its parent's.
//
// GoogleTest runs the tests on the main thread and these tests start no threads, so the test
// process is single-threaded when it forks and the child may call the library.
#ifdef __linux__

#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/forked_child.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <string>

namespace shmlink_test {
namespace {

constexpr int kTimeoutMs = kForkedChildTimeoutMs;

constexpr char kChildMarker[] = "written through the child's inherited view";
constexpr char kReopenerMarker[] = "written through the reopener's view";
constexpr uint64_t kReopenerMarkerAt = 1024;

TEST(Fork, AChildKeepsASegmentItsParentClosedUnderItsName) {
  const std::string name = unique_name();
  Handle segment;
  View view;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, segment.out()));
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 4096, SHMLINK_ACCESS_READ_WRITE, view));
  ForkedChild child(
      [&](ForkedChild& parent) {
        if (!parent.heard('w')) return 10;
        std::memcpy(view.bytes(), kChildMarker, sizeof kChildMarker);
        if (!parent.say('r')) return 11;
        if (!parent.heard('c')) return 12;
        if (std::memcmp(view.bytes() + kReopenerMarkerAt, kReopenerMarker, sizeof kReopenerMarker) != 0) return 13;
        if (!parent.say('k')) return 14;
        if (!parent.heard('x')) return 15;
        // Its own close, the last holder's: that frees the name.
        if (view.handle.close() != SHMLINK_OK || segment.close() != SHMLINK_OK) return 16;
        return 0;
      },
      ForkedChild::Exit::Immediately);
  ASSERT_TRUE(child.started());
  ASSERT_STATUS(SHMLINK_OK, view.handle.close());
  ASSERT_STATUS(SHMLINK_OK, segment.close());

  // The child still holds it: the name still leads to the same object.
  Handle reopened;
  View again;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, reopened.out()));
  ASSERT_STATUS(SHMLINK_OK, map_view(reopened.get(), 0, 4096, SHMLINK_ACCESS_READ_WRITE, again));
  ASSERT_TRUE(child.say('w'));
  ASSERT_TRUE(child.heard('r'));
  EXPECT_STREQ(again.bytes(), kChildMarker);
  std::memcpy(again.bytes() + kReopenerMarkerAt, kReopenerMarker, sizeof kReopenerMarker);
  ASSERT_TRUE(child.say('c'));
  EXPECT_TRUE(child.heard('k')) << "the child did not see what the reopener wrote";

  // Closed by the reopener too, while the child holds it: still there.
  EXPECT_STATUS(SHMLINK_OK, again.handle.close());
  EXPECT_STATUS(SHMLINK_OK, reopened.close());
  EXPECT_TRUE(path_exists(local_object_path(name)));
  ASSERT_TRUE(child.say('x'));
  EXPECT_EQ(child.wait(), 0);
  EXPECT_FALSE(path_exists(local_object_path(name)));
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, reopened.out()));
}

TEST(Fork, AChildKeepsASignalItsParentClosedUnderItsName) {
  const std::string name = unique_name();
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(name.c_str(), SHMLINK_CREATE_NEW, signal.out()));
  ForkedChild child(
      [&](ForkedChild& parent) {
        if (!parent.heard('s')) return 10;
        if (shmlink_signal_set(signal.get()) != SHMLINK_OK) return 11;
        if (!parent.heard('x')) return 12;
        return 0;  // exits still holding it, without any cleanup (as if killed)
      },
      ForkedChild::Exit::Immediately);
  ASSERT_TRUE(child.started());
  ASSERT_STATUS(SHMLINK_OK, signal.close());

  Handle reopened;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_open(name.c_str(), reopened.out()));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(reopened.get(), 0));
  ASSERT_TRUE(child.say('s'));
  // Set through the child's inherited handle: the same object.
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(reopened.get(), kTimeoutMs));
  EXPECT_STATUS(SHMLINK_OK, reopened.close());
  EXPECT_STATUS(SHMLINK_OK, shmlink_signal_open(name.c_str(), reopened.out())) << "the child still holds it";
  EXPECT_STATUS(SHMLINK_OK, reopened.close());

  ASSERT_TRUE(child.say('x'));
  EXPECT_EQ(child.wait(), 0);
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_signal_open(name.c_str(), reopened.out()));
  EXPECT_FALSE(path_exists(local_object_path(name)));  // the open above removed what the child left
}

TEST(Fork, AChildKeepsAChannelItsParentClosedAndIsASenderOfItsOwn) {
  const std::string name = unique_name();
  Handle channel;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create(name.c_str(), 4096, 256, SHMLINK_CHANNEL_SENDER, channel.out()));
  constexpr char kMessage[] = "sent through the child's inherited handle";
  ForkedChild child(
      [&](ForkedChild& parent) {
        if (!parent.heard('s')) return 10;
        if (shmlink_channel_send(channel.get(), kMessage, sizeof kMessage, kTimeoutMs) != SHMLINK_OK) return 11;
        if (!parent.heard('x')) return 12;
        if (channel.close() != SHMLINK_OK) return 13;
        return 0;
      },
      ForkedChild::Exit::Immediately);
  ASSERT_TRUE(child.started());
  ASSERT_STATUS(SHMLINK_OK, channel.close());

  Handle receiver;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, receiver.out()));
  char buffer[256] = {};
  uint32_t length = 0;
  // The child is a sender still attached: nothing yet, but not CLOSED.
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_channel_receive(receiver.get(), buffer, sizeof buffer, &length, 0));
  ASSERT_TRUE(child.say('s'));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive(receiver.get(), buffer, sizeof buffer, &length, kTimeoutMs));
  EXPECT_EQ(length, sizeof kMessage);
  EXPECT_STREQ(buffer, kMessage);

  ASSERT_TRUE(child.say('x'));
  EXPECT_EQ(child.wait(), 0);
  // The child's close counted out the last sender.
  EXPECT_STATUS(SHMLINK_ERR_CLOSED, shmlink_channel_receive(receiver.get(), buffer, sizeof buffer, &length, 0));
  EXPECT_STATUS(SHMLINK_OK, receiver.close());
  EXPECT_FALSE(path_exists(local_object_path(name)));
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, receiver.out()));
}

TEST(Fork, AChildsCloseOfAnInheritedChannelHandleLeavesTheParentsAttachment) {
  const std::string name = unique_name();
  Handle sender;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create(name.c_str(), 4096, 256, SHMLINK_CHANNEL_SENDER, sender.out()));
  ForkedChild child([&](ForkedChild&) { return sender.close() == SHMLINK_OK ? 0 : 10; },
                    ForkedChild::Exit::Immediately);
  ASSERT_TRUE(child.started());
  EXPECT_EQ(child.wait(), 0);

  Handle receiver;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, receiver.out()));
  char buffer[256] = {};
  uint32_t length = 0;
  // The parent's sender is still attached.
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_channel_receive(receiver.get(), buffer, sizeof buffer, &length, 0));
  constexpr char kMessage[] = "from the parent";
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_send(sender.get(), kMessage, sizeof kMessage, kTimeoutMs));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_receive(receiver.get(), buffer, sizeof buffer, &length, kTimeoutMs));
  EXPECT_STREQ(buffer, kMessage);
}

TEST(Fork, AChildThatExitsHoldingWhatItsParentClosedLetsTheNameGoAtExit) {
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, segment.out()));
  ForkedChild child([](ForkedChild& parent) { return parent.heard('x') ? 0 : 10; }, ForkedChild::Exit::Normally);
  ASSERT_TRUE(child.started());
  ASSERT_STATUS(SHMLINK_OK, segment.close());
  EXPECT_TRUE(path_exists(local_object_path(name)));
  ASSERT_TRUE(child.say('x'));
  EXPECT_EQ(child.wait(), 0);
  // Looked at before any call of ours could remove what a dead process left.
  EXPECT_FALSE(path_exists(local_object_path(name)));
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, segment.out()));
}

}  // namespace
}  // namespace shmlink_test

#endif  // __linux__
