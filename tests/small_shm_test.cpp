// Creating objects when /dev/shm is all but full (Linux): every kind fails with NO_RESOURCES
// and leaves nothing behind, instead of dying of SIGBUS when it first writes a page it never
// reserved. These cases fill /dev/shm, so they run only in a private mount namespace over a
// small tmpfs: tests/small_shm.sh (the ctest test shmlink_small_shm) mounts it and sets
// SHMLINK_TEST_SMALL_SHM to its size. Anywhere else they skip, and the normal ctest
// discovery leaves them out (tests/CMakeLists.txt).
#ifdef __linux__

#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace shmlink_test {
namespace {

constexpr const char* kFillerPath = "/dev/shm/small-shm-filler";

uint64_t free_bytes() {
  struct statvfs info {};
  if (statvfs("/dev/shm", &info) != 0) return 0;
  return static_cast<uint64_t>(info.f_bavail) * info.f_frsize;
}

uint64_t page_bytes() {
  struct statvfs info {};
  if (statvfs("/dev/shm", &info) != 0) return 0;
  return info.f_frsize;
}

// The paths in /dev/shm and in this user's directory for Local\ objects there, sorted.
std::vector<std::string> entries() {
  std::vector<std::string> names;
  for (const std::string& path : {std::string("/dev/shm"), local_directory()}) {
    if (DIR* directory = opendir(path.c_str())) {
      while (const dirent* entry = readdir(directory)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(path + "/" + name);
      }
      closedir(directory);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class SmallShm : public testing::Test {
 protected:
  void SetUp() override {
    const char* size = std::getenv("SHMLINK_TEST_SMALL_SHM");
    if (size == nullptr)
      GTEST_SKIP() << "fills /dev/shm: runs only inside the private small tmpfs of the ctest test shmlink_small_shm";
    // Never fill a /dev/shm that is not the small tmpfs the runner mounted.
    struct statfs filesystem {};
    ASSERT_EQ(statfs("/dev/shm", &filesystem), 0);
    ASSERT_EQ(static_cast<uint64_t>(filesystem.f_type), static_cast<uint64_t>(TMPFS_MAGIC)) << "/dev/shm is no tmpfs";
    ASSERT_EQ(static_cast<uint64_t>(filesystem.f_blocks) * static_cast<uint64_t>(filesystem.f_bsize),
              std::strtoull(size, nullptr, 10))
        << "/dev/shm is not the small tmpfs SHMLINK_TEST_SMALL_SHM names: refusing to fill it";
    // The first Local\ object makes this user's directory in /dev/shm, which then stays: made
    // here, so that a case sees only what its own create leaves.
    Handle made_directory;
    ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(), 0, made_directory.out()));
    made_directory.reset();
    ASSERT_NO_FATAL_FAILURE(fill_to_free_pages(1));
  }
  void TearDown() override { unlink(kFillerPath); }

  // Fills /dev/shm with one file until exactly `pages` pages are free.
  static void fill_to_free_pages(uint64_t pages) {
    unlink(kFillerPath);
    const uint64_t page = page_bytes();
    const uint64_t free = free_bytes();
    ASSERT_GT(free, pages * page);
    const int fd = open(kFillerPath, O_CREAT | O_EXCL | O_RDWR, 0600);
    ASSERT_GE(fd, 0);
    const int error = posix_fallocate(fd, 0, static_cast<off_t>(free - pages * page));
    close(fd);
    ASSERT_EQ(error, 0);
    ASSERT_EQ(free_bytes(), pages * page);
  }

  // `create` fails with NO_RESOURCES, and /dev/shm holds the same names and has the same
  // room as before.
  static void expect_no_resources_and_nothing_left(const std::function<shmlink_status(Handle&)>& create) {
    const std::vector<std::string> before = entries();
    const uint64_t free_before = free_bytes();
    Handle handle;
    EXPECT_STATUS(SHMLINK_ERR_NO_RESOURCES, create(handle));
    handle.reset();
    EXPECT_EQ(entries(), before);
    EXPECT_EQ(free_bytes(), free_before);
  }
};

TEST_F(SmallShm, SegmentWithOneFreePageIsNoResources) {
  const std::string name = unique_name();
  expect_no_resources_and_nothing_left(
      [&](Handle& handle) { return shmlink_segment_create(name.c_str(), 1, SHMLINK_CREATE_NEW, handle.out()); });
}

TEST_F(SmallShm, ChannelWithOneFreePageIsNoResources) {
  const std::string name = unique_name();
  expect_no_resources_and_nothing_left([&](Handle& handle) {
    return shmlink_channel_create(name.c_str(), 4096, 64, SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_RECEIVER,
                                  handle.out());
  });
}

TEST_F(SmallShm, SignalWithOneFreePageIsNoResources) {
  const std::string name = unique_name();
  expect_no_resources_and_nothing_left(
      [&](Handle& handle) { return shmlink_signal_create(name.c_str(), SHMLINK_SIGNAL_AUTO_RESET, handle.out()); });
}

TEST_F(SmallShm, SemaphoreWithOneFreePageIsNoResources) {
  const std::string name = unique_name();
  expect_no_resources_and_nothing_left(
      [&](Handle& handle) { return shmlink_semaphore_create(name.c_str(), 0, 1, 0, handle.out()); });
}

TEST_F(SmallShm, MutexWithOneFreePageIsNoResources) {
  const std::string name = unique_name();
  expect_no_resources_and_nothing_left(
      [&](Handle& handle) { return shmlink_mutex_create(name.c_str(), 0, handle.out()); });
}

TEST_F(SmallShm, InitiallyOwnedMutexWithOneFreePageIsNoResources) {
  const std::string name = unique_name();
  expect_no_resources_and_nothing_left(
      [&](Handle& handle) { return shmlink_mutex_create(name.c_str(), SHMLINK_MUTEX_INITIALLY_OWNED, handle.out()); });
}

// The control: two free pages are what a signal, semaphore or mutex takes.
TEST_F(SmallShm, WithTwoFreePagesEachSmallObjectIsCreated) {
  ASSERT_NO_FATAL_FAILURE(fill_to_free_pages(2));
  const std::vector<std::string> before = entries();
  const std::string name = unique_name();
  for (int kind = 0; kind < 3; ++kind) {
    Handle handle;
    const shmlink_status status = kind == 0   ? shmlink_signal_create(name.c_str(), 0, handle.out())
                                  : kind == 1 ? shmlink_semaphore_create(name.c_str(), 0, 1, 0, handle.out())
                                              : shmlink_mutex_create(name.c_str(), 0, handle.out());
    EXPECT_STATUS(SHMLINK_OK, status) << "kind " << kind;
    EXPECT_EQ(free_bytes(), 0u);
    handle.reset();
    EXPECT_EQ(entries(), before);
    EXPECT_EQ(free_bytes(), 2 * page_bytes());
  }
}

// A name that is taken is found before any room is reserved: in a full /dev/shm, opening an
// existing object with OPEN_OR_CREATE opens it, and CREATE_NEW says the name exists, where
// both used to fail with NO_RESOURCES while reserving a new object they never needed.
TEST_F(SmallShm, ExistingObjectsAreOpenedOrReportedTakenWhenThereIsNoRoom) {
  unlink(kFillerPath);
  const std::string segment_name = unique_name(), channel_name = unique_name(), signal_name = unique_name();
  const uint32_t both = SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_RECEIVER;
  const uint64_t segment_bytes = 2 * page_bytes();
  Handle segment, channel, signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(segment_name.c_str(), segment_bytes, SHMLINK_CREATE_NEW, segment.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create(channel_name.c_str(), 4096, 64, both, channel.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(signal_name.c_str(), 0, signal.out()));
  ASSERT_NO_FATAL_FAILURE(fill_to_free_pages(0));

  Handle opened;
  EXPECT_STATUS(SHMLINK_EXISTED,
                shmlink_segment_create(segment_name.c_str(), segment_bytes, SHMLINK_OPEN_OR_CREATE, opened.out()));
  opened.reset();
  EXPECT_STATUS(SHMLINK_EXISTED,
                shmlink_channel_create(channel_name.c_str(), 4096, 64, both | SHMLINK_OPEN_OR_CREATE, opened.out()));
  opened.reset();
  EXPECT_STATUS(SHMLINK_EXISTED, shmlink_signal_create(signal_name.c_str(), SHMLINK_OPEN_OR_CREATE, opened.out()));
  opened.reset();
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS,
                shmlink_segment_create(segment_name.c_str(), segment_bytes, SHMLINK_CREATE_NEW, opened.out()));
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, shmlink_channel_create(channel_name.c_str(), 4096, 64, both, opened.out()));
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, shmlink_signal_create(signal_name.c_str(), 0, opened.out()));
  EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_mutex_create(signal_name.c_str(), 0, opened.out()));
}

}  // namespace
}  // namespace shmlink_test

#endif  // __linux__
