// Views: any offset and length, access no wider than the handle, copy-on-write, lifetime.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

namespace shmlink_test {
namespace {

// A segment whose byte i holds pattern(i), so any view can be checked against its offset.
unsigned char pattern(uint64_t i) { return static_cast<unsigned char>((i * 131 + i / 251) & 0xFF); }

class Views : public testing::Test {
 protected:
  void SetUp() override {
    granularity_ = shmlink_allocation_granularity();
    size_ = 3 * granularity_ + 1000;
    name_ = unique_name();
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name_.c_str(), size_, 0, segment_.out()));
    View all;
    ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, all));
    for (uint64_t i = 0; i < size_; ++i) all.bytes()[i] = static_cast<char>(pattern(i));
  }

  uint64_t granularity_ = 0;
  uint64_t size_ = 0;
  std::string name_;
  Handle segment_;
};

TEST_F(Views, AnyOffsetGivesTheByteAskedFor) {
  const std::vector<uint64_t> offsets = {0, 1, 7, 4095, 4096, 4097, granularity_ - 1, granularity_, granularity_ + 1,
                                         2 * granularity_ + 333, size_ - 1};
  for (const uint64_t offset : offsets) {
    for (const uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_READ_WRITE, SHMLINK_ACCESS_COPY_ON_WRITE}) {
      SCOPED_TRACE("offset " + std::to_string(offset) + ", access " + std::to_string(access));
      View view;
      ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), offset, 1, access, view));
      EXPECT_EQ(static_cast<unsigned char>(view.bytes()[0]), pattern(offset));
    }
  }
}

TEST_F(Views, UnalignedViewCoversExactlyItsRange) {
  const uint64_t offset = granularity_ + 17;
  const uint64_t length = granularity_ + 5;
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), offset, length, SHMLINK_ACCESS_READ_WRITE, view));
  for (uint64_t i = 0; i < length; ++i)
    ASSERT_EQ(static_cast<unsigned char>(view.bytes()[i]), pattern(offset + i)) << "byte " << i;
  // A write through the unaligned view lands at offset + i in the segment.
  view.bytes()[length - 1] = '!';
  View whole;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 0, 0, SHMLINK_ACCESS_READ, whole));
  EXPECT_EQ(whole.bytes()[offset + length - 1], '!');
}

TEST_F(Views, LengthZeroMapsToTheEnd) {
  for (const uint64_t offset : std::initializer_list<uint64_t>{0, 1, 4097, 2 * granularity_ + 999}) {
    View view;
    ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), offset, 0, SHMLINK_ACCESS_READ, view));
    uint64_t length = 0;
    void* address = nullptr;
    ASSERT_STATUS(SHMLINK_OK, shmlink_view_info(view.handle.get(), &address, &length));
    EXPECT_EQ(length, size_ - offset) << "offset " << offset;
    EXPECT_EQ(address, view.address);
    EXPECT_EQ(static_cast<unsigned char>(view.bytes()[length - 1]), pattern(size_ - 1));
  }
}

TEST_F(Views, WholeSegmentAsOneExplicitLength) {
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 0, size_, SHMLINK_ACCESS_READ, view));
  EXPECT_EQ(static_cast<unsigned char>(view.bytes()[size_ - 1]), pattern(size_ - 1));
}

TEST_F(Views, ViewInfoReportsAddressAndLength) {
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 10, 20, SHMLINK_ACCESS_READ, view));
  void* address = nullptr;
  uint64_t length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_view_info(view.handle.get(), &address, &length));
  EXPECT_EQ(address, view.address);
  EXPECT_EQ(length, 20u);
  address = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_view_info(view.handle.get(), &address, nullptr));
  EXPECT_EQ(address, view.address);
  length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_view_info(view.handle.get(), nullptr, &length));
  EXPECT_EQ(length, 20u);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_view_info(view.handle.get(), nullptr, nullptr));
}

TEST_F(Views, ReadHandleRefusesReadWriteViews) {
  Handle reader;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name_.c_str(), SHMLINK_ACCESS_READ, reader.out()));
  View view;
  shmlink_handle stale = 77;
  void* address = &stale;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED,
                shmlink_map(reader.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, &stale, &address));
  EXPECT_EQ(stale, 0u);
  EXPECT_EQ(address, &stale) << "a failed map leaves out_address alone";
  EXPECT_STATUS(SHMLINK_OK, map_view(reader.get(), 0, 0, SHMLINK_ACCESS_READ, view));
  EXPECT_STATUS(SHMLINK_OK, map_view(reader.get(), 0, 0, SHMLINK_ACCESS_COPY_ON_WRITE, view));
}

TEST_F(Views, CopyOnWriteWritesStayPrivate) {
  View shared;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, shared));
  View first;
  View second;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 0, 0, SHMLINK_ACCESS_COPY_ON_WRITE, first));
  ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 0, 0, SHMLINK_ACCESS_COPY_ON_WRITE, second));
  const uint64_t at = granularity_ + 5;
  first.bytes()[at] = 'P';
  EXPECT_EQ(first.bytes()[at], 'P');
  EXPECT_EQ(static_cast<unsigned char>(shared.bytes()[at]), pattern(at)) << "the shared bytes are untouched";
  EXPECT_EQ(static_cast<unsigned char>(second.bytes()[at]), pattern(at)) << "another private view is untouched";
  Handle other;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name_.c_str(), SHMLINK_ACCESS_READ, other.out()));
  View fresh;
  ASSERT_STATUS(SHMLINK_OK, map_view(other.get(), 0, 0, SHMLINK_ACCESS_READ, fresh));
  EXPECT_EQ(static_cast<unsigned char>(fresh.bytes()[at]), pattern(at));
  EXPECT_STATUS(SHMLINK_OK, shmlink_flush(first.handle.get())) << "nothing to write back";
  EXPECT_EQ(static_cast<unsigned char>(shared.bytes()[at]), pattern(at));
}

TEST_F(Views, ViewsSurviveClosingTheirSegmentHandle) {
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 100, 200, SHMLINK_ACCESS_READ_WRITE, view));
  ASSERT_STATUS(SHMLINK_OK, segment_.close());
  EXPECT_EQ(static_cast<unsigned char>(view.bytes()[0]), pattern(100));
  view.bytes()[0] = 'k';
  EXPECT_STATUS(SHMLINK_OK, shmlink_flush(view.handle.get()));
  uint64_t length = 0;
  EXPECT_STATUS(SHMLINK_OK, shmlink_view_info(view.handle.get(), nullptr, &length));
  EXPECT_EQ(length, 200u);
  // The view keeps the segment alive: it can still be opened by name and shows the write.
  Handle again;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name_.c_str(), SHMLINK_ACCESS_READ, again.out()));
  View check;
  ASSERT_STATUS(SHMLINK_OK, map_view(again.get(), 100, 1, SHMLINK_ACCESS_READ, check));
  EXPECT_EQ(check.bytes()[0], 'k');
}

TEST_F(Views, UnmapEndsTheViewButNotTheSegment) {
  shmlink_handle view = 0;
  void* address = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment_.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address));
  EXPECT_STATUS(SHMLINK_OK, shmlink_unmap(view));
  EXPECT_EQ(shmlink_handle_kind(view), SHMLINK_ERR_BAD_HANDLE);
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_view_info(view, &address, nullptr));
  uint64_t size = 0;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_size(segment_.get(), &size));
  View again;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 0, 0, SHMLINK_ACCESS_READ, again));
  EXPECT_EQ(static_cast<unsigned char>(again.bytes()[5]), pattern(5));
}

// SHMLINK_MAP_KEEP_RANGE (for runtimes whose pointers into a view may outlive it): after the
// close, the range reads zeros and takes writes that reach nobody, until released.
TEST_F(Views, AKeptRangeReadsZerosAfterTheCloseAndTakesHarmlessWrites) {
  shmlink_handle view = 0;
  void* address = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment_.get(), 10, 2 * granularity_,
                                        SHMLINK_ACCESS_READ_WRITE | SHMLINK_MAP_KEEP_RANGE, &view, &address));
  volatile unsigned char* bytes = static_cast<unsigned char*>(address);
  EXPECT_EQ(bytes[0], pattern(10));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_release_range(address)) << "the view is still open";
  ASSERT_STATUS(SHMLINK_OK, shmlink_close(view));
  // A late reader and writer: no crash, zeros, and the segment's bytes stay as they were.
  EXPECT_EQ(bytes[0], 0);
  EXPECT_EQ(bytes[2 * granularity_ - 1], 0);
  bytes[0] = 0xEE;
  View check;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 10, 1, SHMLINK_ACCESS_READ, check));
  EXPECT_EQ(static_cast<unsigned char>(check.bytes()[0]), pattern(10));
  EXPECT_STATUS(SHMLINK_OK, shmlink_release_range(address));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_release_range(address)) << "released twice";
}

TEST_F(Views, AKeptRangeIsKeptForEveryAccessAndOnlyForItsOwnAddress) {
  for (const uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_READ_WRITE, SHMLINK_ACCESS_COPY_ON_WRITE}) {
    shmlink_handle view = 0;
    void* address = nullptr;
    ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment_.get(), 0, 0, access | SHMLINK_MAP_KEEP_RANGE, &view, &address));
    ASSERT_STATUS(SHMLINK_OK, shmlink_unmap(view));
    EXPECT_EQ(static_cast<volatile unsigned char*>(address)[1], 0) << "access " << access;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_release_range(static_cast<char*>(address) + 1));
    EXPECT_STATUS(SHMLINK_OK, shmlink_release_range(address));
  }
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_release_range(nullptr));
  shmlink_handle view = 0;
  void* address = nullptr;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_map(segment_.get(), 0, 0, SHMLINK_ACCESS_READ | 0x200u, &view, &address))
      << "other bits stay refused";
}

// Without the flag nothing is kept: the address is not the library's to release.
TEST_F(Views, AViewWithoutTheFlagLeavesNoRangeBehind) {
  shmlink_handle view = 0;
  void* address = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment_.get(), 0, 0, SHMLINK_ACCESS_READ, &view, &address));
  ASSERT_STATUS(SHMLINK_OK, shmlink_close(view));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_release_range(address));
}

TEST_F(Views, ManyViewsOfOneSegmentShareTheBytes) {
  std::vector<View> views(16);
  for (size_t i = 0; i < views.size(); ++i)
    ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), i * 3, 0, SHMLINK_ACCESS_READ_WRITE, views[i]));
  views[0].bytes()[100] = 'q';
  for (size_t i = 0; i < views.size(); ++i) EXPECT_EQ(views[i].bytes()[100 - i * 3], 'q') << "view " << i;
}

TEST_F(Views, FlushOfASharedViewSucceeds) {
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 3, 10, SHMLINK_ACCESS_READ_WRITE, view));
  view.bytes()[0] = 1;
  EXPECT_STATUS(SHMLINK_OK, shmlink_flush(view.handle.get()));
  View reader;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 3, 10, SHMLINK_ACCESS_READ, reader));
  EXPECT_STATUS(SHMLINK_OK, shmlink_flush(reader.handle.get()));
}

}  // namespace
}  // namespace shmlink_test
