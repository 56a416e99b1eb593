// Unnamed segments, mutexes and semaphores (issue 17, point 1; unnamed signals are in
// signal_test.cpp): created with a NULL name as CreateFileMapping / CreateMutex /
// CreateSemaphore(NULL, ...) make them, each its own object, reachable only through its
// handle, and nothing of them in any namespace.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#ifndef _WIN32
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#endif

namespace shmlink_test {
namespace {

constexpr uint32_t kLongWaitMs = 20000;

#ifndef _WIN32
// What this process holds in /dev/shm: the descriptors and mappings of files there, one
// line each. (Not a listing of /dev/shm: other processes' objects come and go in it.)
std::vector<std::string> held_in_dev_shm() {
  std::vector<std::string> held;
  for (int fd = 0; fd < 4096; ++fd) {
    char link[64];
    char target[512] = {};
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    const ssize_t length = readlink(link, target, sizeof target - 1);
    if (length > 0 && std::strncmp(target, "/dev/shm/", 9) == 0) held.push_back(std::string("fd ") + target);
  }
  if (FILE* maps = std::fopen("/proc/self/maps", "r")) {
    char line[1024];
    while (std::fgets(line, sizeof line, maps)) {
      if (const char* path = std::strstr(line, "/dev/shm/")) held.push_back(std::string("map ") + path);
    }
    std::fclose(maps);
  }
  std::sort(held.begin(), held.end());
  return held;
}
#endif

// ---- Segments ----

TEST(UnnamedSegments, MapReadWriteAndAreEachTheirOwn) {
  Handle first;
  Handle second;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(nullptr, 10000, SHMLINK_CREATE_NEW, first.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(nullptr, 10000, SHMLINK_CREATE_NEW, second.out()));
  EXPECT_EQ(shmlink_handle_kind(first.get()), SHMLINK_KIND_SEGMENT);
  uint64_t size = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(first.get(), &size));
  EXPECT_EQ(size, 10000u);

  View a, b, a_again;
  ASSERT_STATUS(SHMLINK_OK, map_view(first.get(), 0, 10000, SHMLINK_ACCESS_READ_WRITE, a));
  ASSERT_STATUS(SHMLINK_OK, map_view(second.get(), 0, 10000, SHMLINK_ACCESS_READ_WRITE, b));
  ASSERT_STATUS(SHMLINK_OK, map_view(first.get(), 5000, 5000, SHMLINK_ACCESS_READ, a_again));
  auto* bytes = static_cast<unsigned char*>(a.address);
  for (size_t i = 0; i < 10000; ++i) EXPECT_EQ(bytes[i], 0u) << "zero-filled, at " << i;
  std::memcpy(bytes + 5000, "unnamed", 8);
  EXPECT_STREQ(static_cast<const char*>(a_again.address), "unnamed") << "two views of one segment share memory";
  EXPECT_EQ(static_cast<const unsigned char*>(b.address)[5000], 0u) << "another unnamed segment is another object";

  // The view keeps the memory after the segment's handle is closed, as a named view does.
  first.reset();
  EXPECT_STREQ(static_cast<const char*>(a_again.address), "unnamed");
}

TEST(UnnamedSegments, RefuseFlagsThatNeedANameAndBadSizes) {
  for (const uint32_t flags : {SHMLINK_OPEN_OR_CREATE, SHMLINK_SHARE_GROUP, SHMLINK_SHARE_ALL_USERS, 0x80000000u}) {
    shmlink_handle handle = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_create(nullptr, 4096, flags, &handle)) << flags;
    EXPECT_EQ(handle, 0u);
  }
  shmlink_handle handle = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_create(nullptr, 0, 0, &handle));
  EXPECT_EQ(handle, 0u);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_create(nullptr, 4096, 0, nullptr));
  // Far more than any machine has: refused at create, not by the OOM killer later.
  handle = 42;
  EXPECT_STATUS(SHMLINK_ERR_NO_RESOURCES, shmlink_segment_create(nullptr, uint64_t{1} << 50, 0, &handle));
  EXPECT_EQ(handle, 0u);
}

#ifndef _WIN32
TEST(UnnamedSegments, LeaveNothingInAnyNamespaceAndGoWithTheirLastHolder) {
  const std::vector<std::string> before = held_in_dev_shm();
  const int files_before = unnamed_object_files("segment");
  {
    Handle segment;
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(nullptr, 1 << 20, 0, segment.out()));
    EXPECT_EQ(unnamed_object_files("segment"), files_before + 1) << "a memfd of its own";
    View view;
    ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 1 << 20, SHMLINK_ACCESS_READ_WRITE, view));
    segment.reset();
    // The view holds the memory; no descriptor is needed for that.
    static_cast<char*>(view.address)[(1 << 20) - 1] = 1;
    EXPECT_EQ(held_in_dev_shm(), before) << "nothing of it is a file in /dev/shm";
  }
  EXPECT_EQ(unnamed_object_files("segment"), files_before) << "gone with its handle";
  EXPECT_EQ(held_in_dev_shm(), before);
}
#endif

// ---- Mutexes ----

TEST(UnnamedMutexes, LockExcludeOtherThreadsAndAreEachTheirOwn) {
  Handle mutex;
  Handle other;
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create(nullptr, 0, mutex.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create(nullptr, 0, other.out()));
  EXPECT_EQ(shmlink_handle_kind(mutex.get()), SHMLINK_KIND_MUTEX);
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0)) << "recursive for its owner";
  std::thread([&] {
    EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_mutex_lock(mutex.get(), 20));
    EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(mutex.get()));
    EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(other.get(), 0)) << "another unnamed mutex is another object";
    EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(other.get()));
  }).join();
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(mutex.get()));
}

TEST(UnnamedMutexes, InitiallyOwnedByTheCreatorAndAbandonedWhenItsThreadEnds) {
  Handle mutex;
  run_on_a_thread_that_ends(
      [&] { ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create(nullptr, SHMLINK_MUTEX_INITIALLY_OWNED, mutex.out())); });
  ASSERT_NE(mutex.get(), 0u);
  EXPECT_STATUS(SHMLINK_ABANDONED, shmlink_mutex_lock(mutex.get(), kLongWaitMs));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

TEST(UnnamedMutexes, RefuseFlagsThatNeedAName) {
  for (const uint32_t flags : {SHMLINK_OPEN_OR_CREATE, SHMLINK_SHARE_GROUP, SHMLINK_SHARE_ALL_USERS,
                               SHMLINK_SIGNAL_MANUAL_RESET, 0x80000000u}) {
    shmlink_handle handle = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_mutex_create(nullptr, flags, &handle)) << flags;
    EXPECT_EQ(handle, 0u);
  }
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_mutex_create(nullptr, 0, nullptr));
}

// ---- Semaphores ----

TEST(UnnamedSemaphores, CountUpToTheirMaximumAndAreEachTheirOwn) {
  Handle semaphore;
  Handle other;
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_create(nullptr, 1, 3, 0, semaphore.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_create(nullptr, 0, 1, 0, other.out()));
  EXPECT_EQ(shmlink_handle_kind(semaphore.get()), SHMLINK_KIND_SEMAPHORE);
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(semaphore.get(), 0));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(semaphore.get(), 0));
  uint32_t previous = 99;
  EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 3, &previous));
  EXPECT_EQ(previous, 0u);
  EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(semaphore.get(), 1, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(other.get(), 0)) << "another unnamed semaphore is another object";
}

TEST(UnnamedSemaphores, RefuseFlagsThatNeedANameAndBadCounts) {
  for (const uint32_t flags : {SHMLINK_OPEN_OR_CREATE, SHMLINK_SHARE_GROUP, SHMLINK_SHARE_ALL_USERS, 0x80000000u}) {
    shmlink_handle handle = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_semaphore_create(nullptr, 0, 1, flags, &handle)) << flags;
    EXPECT_EQ(handle, 0u);
  }
  shmlink_handle handle = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_semaphore_create(nullptr, 2, 1, 0, &handle));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_semaphore_create(nullptr, 0, 0, 0, &handle));
  EXPECT_EQ(handle, 0u);
}

// ---- Together ----

// Every unnamed kind works in a wait-any, here woken from another thread.
TEST(UnnamedObjects, EveryWaitableKindWakesAWaitAny) {
  Handle signal, mutex, semaphore;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(nullptr, 0, signal.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create(nullptr, 0, mutex.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_create(nullptr, 0, 1, 0, semaphore.out()));
  const shmlink_handle handles[] = {signal.get(), mutex.get(), semaphore.get()};
  for (uint32_t which = 0; which < 3; ++which) {
    ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));  // held here unless it is the one released
    std::atomic<bool> released{false};
    std::thread waiter([&] {
      uint32_t index = 99;
      EXPECT_STATUS(SHMLINK_OK, shmlink_wait_any(handles, 3, kLongWaitMs, &index));
      EXPECT_TRUE(released.load()) << "woken before anything was released";
      EXPECT_EQ(index, which);
      if (index == 1) {
        EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    released.store(true);
    if (which == 0) {
      EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
    } else if (which == 1) {
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
    } else {
      EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 1, nullptr));
    }
    waiter.join();
    if (which != 1) {
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
    }
  }
}

}  // namespace
}  // namespace shmlink_test
