// Named segments: create, open, open-or-create, access, size, shared data.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace shmlink_test {
namespace {

TEST(Segments, CreateNewGivesAReadWriteSegmentOfTheSizeAsked) {
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 5000, SHMLINK_CREATE_NEW, segment.out()));
  EXPECT_NE(segment.get(), 0u);
  uint64_t size = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(segment.get(), &size));
  EXPECT_EQ(size, 5000u) << "the size asked for, not rounded to pages";
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
  view.bytes()[4999] = 'z';
}

TEST(Segments, CreateIsZeroFilled) {
  const uint64_t size = 3 * shmlink_allocation_granularity() + 123;
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), size, 0, segment.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ, view));
  uint64_t nonzero = 0;
  for (uint64_t i = 0; i < size; ++i) nonzero += view.bytes()[i] != 0;
  EXPECT_EQ(nonzero, 0u);
}

TEST(Segments, CreateOfAOneByteSegmentWorks) {
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 1, 0, segment.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
  uint64_t length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_view_info(view.handle.get(), nullptr, &length));
  EXPECT_EQ(length, 1u);
  EXPECT_EQ(view.bytes()[0], 0);
  view.bytes()[0] = 1;
}

TEST(Segments, CreateNewOfAnExistingNameFails) {
  const std::string name = unique_name();
  Handle first;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, SHMLINK_CREATE_NEW, first.out()));
  shmlink_handle second = 42;
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, shmlink_segment_create(name.c_str(), 100, SHMLINK_CREATE_NEW, &second));
  EXPECT_EQ(second, 0u);
  EXPECT_NE(std::string(shmlink_last_error_message()).find(name), std::string::npos);
}

TEST(Segments, OpenOrCreateCreatesWhenMissing) {
  Handle segment;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 100, SHMLINK_OPEN_OR_CREATE, segment.out()));
  EXPECT_NE(segment.get(), 0u);
}

TEST(Segments, OpenOrCreateReportsExisting) {
  const std::string name = unique_name();
  Handle first;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, SHMLINK_OPEN_OR_CREATE, first.out()));
  Handle second;
  EXPECT_STATUS(SHMLINK_EXISTED, shmlink_segment_create(name.c_str(), 100, SHMLINK_OPEN_OR_CREATE, second.out()));
  EXPECT_NE(second.get(), 0u);
  EXPECT_NE(second.get(), first.get());
}

TEST(Segments, OpenOrCreateKeepsTheExistingSize) {
  const std::string name = unique_name();
  Handle first;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, 0, first.out()));
  for (const uint64_t asked : {8192ull, 10ull}) {
    Handle second;
    ASSERT_STATUS(SHMLINK_EXISTED, shmlink_segment_create(name.c_str(), asked, SHMLINK_OPEN_OR_CREATE, second.out()));
    uint64_t size = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(second.get(), &size));
    EXPECT_EQ(size, 4096u) << "asked for " << asked;
  }
}

TEST(Segments, OpenOrCreateOfAnExistingSegmentIsReadWriteAndShared) {
  const std::string name = unique_name();
  Handle first;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, 0, first.out()));
  Handle second;
  ASSERT_STATUS(SHMLINK_EXISTED, shmlink_segment_create(name.c_str(), 4096, SHMLINK_OPEN_OR_CREATE, second.out()));
  View writer;
  ASSERT_STATUS(SHMLINK_OK, map_view(second.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, writer));
  std::memcpy(writer.bytes() + 100, "existed", 7);
  View reader;
  ASSERT_STATUS(SHMLINK_OK, map_view(first.get(), 0, 0, SHMLINK_ACCESS_READ, reader));
  EXPECT_EQ(std::string(reader.bytes() + 100, 7), "existed");
}

TEST(Segments, OpenOfAMissingNameIsNotFound) {
  shmlink_handle segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open(unique_name().c_str(), SHMLINK_ACCESS_READ, &segment));
  EXPECT_EQ(segment, 0u);
}

TEST(Segments, DataIsSeenAcrossHandles) {
  const std::string name = unique_name();
  Handle creator;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 10000, 0, creator.out()));
  Handle opener;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, opener.out()));
  View a;
  View b;
  ASSERT_STATUS(SHMLINK_OK, map_view(creator.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, a));
  ASSERT_STATUS(SHMLINK_OK, map_view(opener.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, b));
  EXPECT_NE(a.address, b.address);
  std::memcpy(a.bytes() + 9000, "from a", 6);
  EXPECT_EQ(std::string(b.bytes() + 9000, 6), "from a");
  std::memcpy(b.bytes(), "from b", 6);
  EXPECT_EQ(std::string(a.bytes(), 6), "from b");
}

TEST(Segments, OpenReportsTheSegmentSize) {
  const std::string name = unique_name();
  Handle creator;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 12345, 0, creator.out()));
  for (const uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_READ_WRITE, SHMLINK_ACCESS_COPY_ON_WRITE}) {
    Handle opened;
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), access, opened.out()));
    uint64_t size = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(opened.get(), &size));
    EXPECT_EQ(size, 12345u) << "access " << access;
  }
}

TEST(Segments, OpenForReadMapsReadAndCopyOnWriteOnly) {
  const std::string name = unique_name();
  Handle creator;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, 0, creator.out()));
  View writer;
  ASSERT_STATUS(SHMLINK_OK, map_view(creator.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, writer));
  std::memcpy(writer.bytes(), "shared", 6);

  Handle reader;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, reader.out()));
  View read_view;
  ASSERT_STATUS(SHMLINK_OK, map_view(reader.get(), 0, 0, SHMLINK_ACCESS_READ, read_view));
  EXPECT_EQ(std::string(read_view.bytes(), 6), "shared");
  View private_view;
  ASSERT_STATUS(SHMLINK_OK, map_view(reader.get(), 0, 0, SHMLINK_ACCESS_COPY_ON_WRITE, private_view));
  EXPECT_EQ(std::string(private_view.bytes(), 6), "shared");
  View denied;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, map_view(reader.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, denied));
  EXPECT_EQ(denied.handle.get(), 0u);
}

TEST(Segments, OpenForReadWriteMapsEveryAccess) {
  const std::string name = unique_name();
  Handle creator;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, 0, creator.out()));
  Handle opened;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, opened.out()));
  for (const uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_READ_WRITE, SHMLINK_ACCESS_COPY_ON_WRITE}) {
    View view;
    EXPECT_STATUS(SHMLINK_OK, map_view(opened.get(), 0, 0, access, view)) << "access " << access;
  }
  View writer;
  ASSERT_STATUS(SHMLINK_OK, map_view(opened.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, writer));
  std::memcpy(writer.bytes() + 1, "opened rw", 9);
  View check;
  ASSERT_STATUS(SHMLINK_OK, map_view(creator.get(), 0, 0, SHMLINK_ACCESS_READ, check));
  EXPECT_EQ(std::string(check.bytes() + 1, 9), "opened rw");
}

TEST(Segments, OpenForCopyOnWriteWritesStayPrivate) {
  const std::string name = unique_name();
  Handle creator;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, 0, creator.out()));
  View original;
  ASSERT_STATUS(SHMLINK_OK, map_view(creator.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, original));
  std::memcpy(original.bytes(), "original", 8);

  Handle cow;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_COPY_ON_WRITE, cow.out()));
  View denied;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, map_view(cow.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, denied));
  View read_view;
  EXPECT_STATUS(SHMLINK_OK, map_view(cow.get(), 0, 0, SHMLINK_ACCESS_READ, read_view));
  View private_view;
  ASSERT_STATUS(SHMLINK_OK, map_view(cow.get(), 0, 0, SHMLINK_ACCESS_COPY_ON_WRITE, private_view));
  EXPECT_EQ(std::string(private_view.bytes(), 8), "original");
  std::memcpy(private_view.bytes(), "PRIVATE!", 8);
  EXPECT_EQ(std::string(private_view.bytes(), 8), "PRIVATE!");
  EXPECT_EQ(std::string(original.bytes(), 8), "original");
  EXPECT_EQ(std::string(read_view.bytes(), 8), "original");
}

TEST(Segments, CreateAcceptsTheShareFlags) {
  for (const uint32_t flags : {SHMLINK_SHARE_GROUP, SHMLINK_SHARE_ALL_USERS, SHMLINK_SHARE_GROUP | SHMLINK_OPEN_OR_CREATE,
                               SHMLINK_SHARE_ALL_USERS | SHMLINK_OPEN_OR_CREATE}) {
    const std::string name = unique_name();
    Handle segment;
    EXPECT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, flags, segment.out())) << "flags " << flags;
    Handle opened;
    EXPECT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, opened.out()));
  }
}

TEST(Segments, LargeSegmentIsUsableAtBothEnds) {
  const uint64_t size = 64ull << 20;
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), size, 0, segment.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
  view.bytes()[0] = 'a';
  view.bytes()[size - 1] = 'z';
  View tail;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), size - 1, 1, SHMLINK_ACCESS_READ, tail));
  EXPECT_EQ(tail.bytes()[0], 'z');
}

TEST(Segments, OpenOrCreateRaceHasExactlyOneCreator) {
  constexpr int kThreads = 8;
  for (int round = 0; round < 20; ++round) {
    const std::string name = unique_name();
    std::vector<shmlink_status> statuses(kThreads, SHMLINK_ERR_SYSTEM);
    std::vector<Handle> handles(kThreads);
    run_together(kThreads, [&](int t) {
      statuses[t] = shmlink_segment_create(name.c_str(), 4096, SHMLINK_OPEN_OR_CREATE, handles[t].out());
    });
    int created = 0;
    int existed = 0;
    for (int t = 0; t < kThreads; ++t) {
      if (statuses[t] == SHMLINK_OK) ++created;
      else if (statuses[t] == SHMLINK_EXISTED) ++existed;
      else ADD_FAILURE() << "thread " << t << ": " << describe_status(statuses[t]);
    }
    ASSERT_EQ(created, 1) << "round " << round;
    ASSERT_EQ(existed, kThreads - 1) << "round " << round;
    // All of them have the same segment.
    View first;
    ASSERT_STATUS(SHMLINK_OK, map_view(handles[0].get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, first));
    first.bytes()[0] = static_cast<char>(round + 1);
    for (int t = 1; t < kThreads; ++t) {
      View view;
      ASSERT_STATUS(SHMLINK_OK, map_view(handles[t].get(), 0, 1, SHMLINK_ACCESS_READ, view));
      EXPECT_EQ(view.bytes()[0], static_cast<char>(round + 1)) << "thread " << t;
    }
  }
}

TEST(Segments, OpenRacingWithLastCloseIsOkOrNotFound) {
  // One thread keeps creating and closing a name while others keep opening it: an opener
  // either gets the live segment or finds nothing, never an error from the race itself.
  const std::string name = unique_name();
  constexpr int kOpeners = 3;
  std::atomic<bool> stop{false};
  std::atomic<int> opened{0};
  std::vector<std::string> unexpected(kOpeners + 1);
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    for (int i = 0; i < 300; ++i) {
      shmlink_handle segment = 0;
      const shmlink_status status = shmlink_segment_create(name.c_str(), 4096, SHMLINK_OPEN_OR_CREATE, &segment);
      if (status != SHMLINK_OK && status != SHMLINK_EXISTED) {
        unexpected[0] += std::string("create: ") + shmlink_last_error_message() + "\n";
        continue;
      }
      if (shmlink_close(segment) != SHMLINK_OK) unexpected[0] += "close failed\n";
    }
    stop.store(true);
  });
  for (int t = 1; t <= kOpeners; ++t) {
    threads.emplace_back([&, t] {
      while (!stop.load()) {
        shmlink_handle segment = 0;
        const shmlink_status status = shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, &segment);
        if (status == SHMLINK_OK) {
          opened.fetch_add(1);
          uint64_t size = 0;
          if (shmlink_segment_size(segment, &size) != SHMLINK_OK || size != 4096) unexpected[t] += "wrong size\n";
          if (shmlink_close(segment) != SHMLINK_OK) unexpected[t] += "close failed\n";
        } else if (status != SHMLINK_ERR_NOT_FOUND) {
          unexpected[t] += std::string("open: ") + shmlink_last_error_message() + "\n";
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& text : unexpected) EXPECT_EQ(text, "");
  shmlink_handle gone = 0;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, &gone));
}

}  // namespace
}  // namespace shmlink_test
