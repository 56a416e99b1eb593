// Bad input returns a status, quickly, never crashes; handle outputs become 0, other outputs
// stay as they were, and nothing that existed is lost.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#ifndef _WIN32
#  include <sys/resource.h>
#endif

#include <chrono>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

namespace shmlink_test {
namespace {

constexpr uint32_t kUnknownAccesses[] = {0u, 4u, 5u, 0x10u, 0x100u, 0x80000002u, UINT32_MAX};
constexpr uint32_t kUnknownFlags[] = {0x2u, 0x4u, 0x8u, 0x40u, 0x100u, 0x200u, 0x400u, 0x1000u, 0x2000u,
                                      0x80000000u, UINT32_MAX};

// A segment with known contents, to check that failed calls lose nothing.
class BadInput : public testing::Test {
 protected:
  void SetUp() override {
    name_ = unique_name();
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name_.c_str(), kSize, 0, segment_.out()));
    ASSERT_STATUS(SHMLINK_OK, map_view(segment_.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view_));
    std::memcpy(view_.bytes(), kContents, sizeof kContents);
    std::memcpy(view_.bytes() + kSize - sizeof kContents, kContents, sizeof kContents);
  }

  void TearDown() override {
    // Whatever failed, the segment is still there, of its size, with its data.
    Handle opened;
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name_.c_str(), SHMLINK_ACCESS_READ, opened.out()));
    uint64_t size = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(opened.get(), &size));
    EXPECT_EQ(size, kSize);
    View check;
    ASSERT_STATUS(SHMLINK_OK, map_view(opened.get(), 0, 0, SHMLINK_ACCESS_READ, check));
    EXPECT_EQ(std::memcmp(check.bytes(), kContents, sizeof kContents), 0);
    EXPECT_EQ(std::memcmp(check.bytes() + kSize - sizeof kContents, kContents, sizeof kContents), 0);
    EXPECT_EQ(shmlink_handle_kind(segment_.get()), SHMLINK_KIND_SEGMENT);
    EXPECT_EQ(shmlink_handle_kind(view_.handle.get()), SHMLINK_KIND_VIEW);
  }

  static constexpr uint64_t kSize = 10000;
  static constexpr char kContents[] = "precious data";
  std::string name_;
  Handle segment_;
  View view_;
};

TEST_F(BadInput, NullOutputsAreInvalidArguments) {
  const std::string fresh = unique_name();
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_create(fresh.c_str(), 100, 0, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_segment_create(fresh.c_str(), 100, SHMLINK_OPEN_OR_CREATE, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_create(name_.c_str(), 100, SHMLINK_OPEN_OR_CREATE, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_open(name_.c_str(), SHMLINK_ACCESS_READ, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_size(segment_.get(), nullptr));

  shmlink_handle view = 42;
  void* address = &view;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_map(segment_.get(), 0, 0, SHMLINK_ACCESS_READ, nullptr, &address));
  EXPECT_EQ(address, &view);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_map(segment_.get(), 0, 0, SHMLINK_ACCESS_READ, &view, nullptr));
  EXPECT_EQ(view, 0u);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_view_info(view_.handle.get(), nullptr, nullptr));

  TempDir directory;
  const std::string path = directory.path("file.bin");
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_segment_from_file(path.c_str(), nullptr, 100, SHMLINK_ACCESS_READ_WRITE, 0, nullptr));
  shmlink_handle segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_segment_from_file(nullptr, nullptr, 100, SHMLINK_ACCESS_READ_WRITE, 0, &segment));
  EXPECT_EQ(segment, 0u);
  segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_segment_from_file("", nullptr, 100, SHMLINK_ACCESS_READ_WRITE, 0, &segment));
  EXPECT_EQ(segment, 0u);
  EXPECT_FALSE(file_exists(path)) << "a refused call creates no file";

  // None of them created the fresh name.
  shmlink_handle missing = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open(fresh.c_str(), SHMLINK_ACCESS_READ, &missing));
}

TEST_F(BadInput, UnknownFlagBitsAreInvalidArguments) {
  TempDir directory;
  const std::string path = directory.path("file.bin");
  for (const uint32_t flags : kUnknownFlags) {
    SCOPED_TRACE("flags " + std::to_string(flags));
    shmlink_handle segment = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_create(unique_name().c_str(), 100, flags, &segment));
    EXPECT_EQ(segment, 0u);
    segment = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                  shmlink_segment_create(name_.c_str(), 100, flags | SHMLINK_OPEN_OR_CREATE, &segment));
    EXPECT_EQ(segment, 0u);
    segment = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_from_file(path.c_str(), unique_name().c_str(), 100,
                                                                          SHMLINK_ACCESS_READ_WRITE, flags, &segment));
    EXPECT_EQ(segment, 0u);
    segment = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                  shmlink_segment_from_file(path.c_str(), nullptr, 100, SHMLINK_ACCESS_READ_WRITE, flags, &segment));
    EXPECT_EQ(segment, 0u);
  }
  EXPECT_FALSE(file_exists(path)) << "a refused call creates no file";
}

TEST_F(BadInput, NullOutputsOfSignalMutexAndSemaphoreFunctionsAreInvalidArguments) {
  const std::string fresh = unique_name();
  for (const uint32_t flags : {SHMLINK_CREATE_NEW, SHMLINK_OPEN_OR_CREATE}) {
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_signal_create(fresh.c_str(), flags, nullptr));
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_mutex_create(fresh.c_str(), flags, nullptr));
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                  shmlink_mutex_create(fresh.c_str(), flags | SHMLINK_MUTEX_INITIALLY_OWNED, nullptr));
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_semaphore_create(fresh.c_str(), 0, 1, flags, nullptr));
  }
  // Also for a name that exists (OPEN_OR_CREATE would open it).
  Handle signal;
  Handle mutex;
  Handle semaphore;
  const std::string signal_name = unique_name();
  const std::string mutex_name = unique_name();
  const std::string semaphore_name = unique_name();
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(signal_name.c_str(), 0, signal.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create(mutex_name.c_str(), 0, mutex.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_create(semaphore_name.c_str(), 0, 1, 0, semaphore.out()));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_signal_create(signal_name.c_str(), SHMLINK_OPEN_OR_CREATE, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_mutex_create(mutex_name.c_str(), SHMLINK_OPEN_OR_CREATE, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_semaphore_create(semaphore_name.c_str(), 0, 1, SHMLINK_OPEN_OR_CREATE, nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_signal_open(signal_name.c_str(), nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_mutex_open(mutex_name.c_str(), nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_semaphore_open(semaphore_name.c_str(), nullptr));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0)) << "no refused call acquired the mutex";
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));

  // None of them created the fresh name, as any kind.
  shmlink_handle missing = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_signal_open(fresh.c_str(), &missing));
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_mutex_open(fresh.c_str(), &missing));
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_semaphore_open(fresh.c_str(), &missing));
}

TEST_F(BadInput, UnknownFlagBitsOfSignalMutexAndSemaphoreCreatesAreInvalidArguments) {
  // Each kind's own flags are unknown to the other kinds.
  const uint32_t common[] = {0x2u, 0x4u, 0x8u, 0x40u, 0x800u, 0x1000u, 0x2000u, 0x80000000u, UINT32_MAX};
  const struct {
    const char* what;
    std::vector<uint32_t> unknown;
    shmlink_status (*create)(const char* name, uint32_t flags, shmlink_handle* out);
  } kinds[] = {
      {"signal", {SHMLINK_MUTEX_INITIALLY_OWNED}, shmlink_signal_create},
      {"mutex", {SHMLINK_SIGNAL_MANUAL_RESET, SHMLINK_SIGNAL_INITIALLY_SET}, shmlink_mutex_create},
      {"semaphore",
       {SHMLINK_SIGNAL_MANUAL_RESET, SHMLINK_SIGNAL_INITIALLY_SET, SHMLINK_MUTEX_INITIALLY_OWNED},
       [](const char* name, uint32_t flags, shmlink_handle* out) {
         return shmlink_semaphore_create(name, 0, 1, flags, out);
       }},
  };
  for (const auto& kind : kinds) {
    std::vector<uint32_t> unknown = kind.unknown;
    unknown.insert(unknown.end(), std::begin(common), std::end(common));
    const std::string existing = unique_name();
    Handle held;
    ASSERT_STATUS(SHMLINK_OK, kind.create(existing.c_str(), 0, held.out()));
    for (const uint32_t flags : unknown) {
      SCOPED_TRACE(std::string(kind.what) + ", flags " + std::to_string(flags));
      const std::string fresh = unique_name();
      shmlink_handle handle = 42;
      EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, kind.create(fresh.c_str(), flags, &handle));
      EXPECT_EQ(handle, 0u);
      handle = 42;
      EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, kind.create(fresh.c_str(), flags | SHMLINK_OPEN_OR_CREATE, &handle));
      EXPECT_EQ(handle, 0u);
      handle = 42;
      EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                    kind.create(existing.c_str(), flags | SHMLINK_OPEN_OR_CREATE, &handle));
      EXPECT_EQ(handle, 0u);
      EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_signal_open(fresh.c_str(), &handle)) << "nothing was created";
      EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_mutex_open(fresh.c_str(), &handle));
      EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_semaphore_open(fresh.c_str(), &handle));
    }
  }
}

TEST_F(BadInput, KnownFlagsOfSignalMutexAndSemaphoreCreatesAreAccepted) {
  for (const uint32_t share : {0u, SHMLINK_SHARE_GROUP, SHMLINK_SHARE_ALL_USERS}) {
    for (const uint32_t open_or_create : {0u, SHMLINK_OPEN_OR_CREATE}) {
      const uint32_t flags = share | open_or_create;
      SCOPED_TRACE("flags " + std::to_string(flags));
      Handle handle;
      EXPECT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(),
                                                      flags | SHMLINK_SIGNAL_MANUAL_RESET | SHMLINK_SIGNAL_INITIALLY_SET,
                                                      handle.out()));
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_create(unique_name().c_str(), flags | SHMLINK_MUTEX_INITIALLY_OWNED,
                                                     handle.out()));
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(handle.get()));
      EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_create(unique_name().c_str(), 0, 1, flags, handle.out()));
    }
  }
}

TEST_F(BadInput, OpenOfAMissingSignalMutexOrSemaphoreIsNotFound) {
  const std::string name = unique_name();
  shmlink_handle handle = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_signal_open(name.c_str(), &handle));
  EXPECT_EQ(handle, 0u);
  handle = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_mutex_open(name.c_str(), &handle));
  EXPECT_EQ(handle, 0u);
  handle = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_semaphore_open(name.c_str(), &handle));
  EXPECT_EQ(handle, 0u);
}

TEST_F(BadInput, UnknownAccessValuesAreInvalidArguments) {
  TempDir directory;
  const std::string path = directory.path("file.bin");
  for (const uint32_t access : kUnknownAccesses) {
    SCOPED_TRACE("access " + std::to_string(access));
    shmlink_handle handle = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_open(name_.c_str(), access, &handle));
    EXPECT_EQ(handle, 0u);
    handle = 42;
    void* address = &handle;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_map(segment_.get(), 0, 0, access, &handle, &address));
    EXPECT_EQ(handle, 0u);
    EXPECT_EQ(address, &handle);
    handle = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                  shmlink_segment_from_file(path.c_str(), nullptr, 100, access, 0, &handle));
    EXPECT_EQ(handle, 0u);
  }
  EXPECT_FALSE(file_exists(path)) << "a refused call creates no file";
}

TEST_F(BadInput, SizeZeroIsAnInvalidArgument) {
  shmlink_handle segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_create(unique_name().c_str(), 0, 0, &segment));
  EXPECT_EQ(segment, 0u);
  segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_segment_create(name_.c_str(), 0, SHMLINK_OPEN_OR_CREATE, &segment));
  EXPECT_EQ(segment, 0u);
}

TEST_F(BadInput, SizesNoSystemCanProvideFailQuickly) {
  TempDir directory;
  const std::string path = directory.path("huge.bin");
  ASSERT_TRUE(write_file(path, "small file"));
  for (const uint64_t size : std::initializer_list<uint64_t>{UINT64_MAX, UINT64_MAX - 4096, UINT64_MAX / 2 + 1, static_cast<uint64_t>(INT64_MAX),
                              static_cast<uint64_t>(INT64_MAX) - 4096, 1ull << 62, 1ull << 56, 1ull << 50}) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string name = unique_name();
    const auto start = std::chrono::steady_clock::now();
    shmlink_handle segment = 42;
    EXPECT_STATUS(SHMLINK_ERR_NO_RESOURCES, shmlink_segment_create(name.c_str(), size, 0, &segment));
    EXPECT_EQ(segment, 0u);
    segment = 42;
    EXPECT_STATUS(SHMLINK_ERR_NO_RESOURCES,
                  shmlink_segment_from_file(path.c_str(), nullptr, size, SHMLINK_ACCESS_READ_WRITE, 0, &segment));
    EXPECT_EQ(segment, 0u);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(elapsed, std::chrono::seconds(10)) << "refusing must not try to allocate first";
    // Nothing half-made is left under the name.
    shmlink_handle missing = 42;
    EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, &missing));
    EXPECT_EQ(read_file(path), "small file") << "the file is left as it was";
  }
}

TEST_F(BadInput, RangesPastTheEndAreOutOfRange) {
  const struct {
    uint64_t offset;
    uint64_t length;
  } ranges[] = {
      {kSize, 0},           {kSize, 1},        {kSize + 1, 0},      {0, kSize + 1},
      {1, kSize},           {kSize - 1, 2},    {UINT64_MAX, 0},     {UINT64_MAX, 1},
      {1, UINT64_MAX},      {UINT64_MAX, UINT64_MAX}, {kSize / 2, UINT64_MAX - kSize / 2 + 1},
      {4096, UINT64_MAX - 4095}, {0, UINT64_MAX},
  };
  for (const auto& range : ranges) {
    for (const uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_READ_WRITE, SHMLINK_ACCESS_COPY_ON_WRITE}) {
      SCOPED_TRACE("offset " + std::to_string(range.offset) + ", length " + std::to_string(range.length));
      shmlink_handle view = 42;
      void* address = &view;
      EXPECT_STATUS(SHMLINK_ERR_OUT_OF_RANGE,
                    shmlink_map(segment_.get(), range.offset, range.length, access, &view, &address));
      EXPECT_EQ(view, 0u);
      EXPECT_EQ(address, &view);
    }
  }
  // The last byte is in range.
  View last;
  EXPECT_STATUS(SHMLINK_OK, map_view(segment_.get(), kSize - 1, 1, SHMLINK_ACCESS_READ, last));
  EXPECT_STATUS(SHMLINK_OK, map_view(segment_.get(), kSize - 1, 0, SHMLINK_ACCESS_READ, last));
}

TEST_F(BadInput, OpenOfAMissingNameIsNotFound) {
  for (const uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_READ_WRITE, SHMLINK_ACCESS_COPY_ON_WRITE}) {
    shmlink_handle segment = 42;
    EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open(unique_name().c_str(), access, &segment));
    EXPECT_EQ(segment, 0u);
  }
}

TEST_F(BadInput, WriteAccessThroughReadOnlyHandlesIsDenied) {
  for (const uint32_t handle_access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_COPY_ON_WRITE}) {
    SCOPED_TRACE("handle access " + std::to_string(handle_access));
    Handle read_only;
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name_.c_str(), handle_access, read_only.out()));
    for (const uint64_t offset : std::initializer_list<uint64_t>{0, 1, kSize - 1}) {
      shmlink_handle view = 42;
      void* address = &view;
      EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED,
                    shmlink_map(read_only.get(), offset, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address));
      EXPECT_EQ(view, 0u);
      EXPECT_EQ(address, &view);
    }
  }
}

TEST_F(BadInput, FailedCallsLeaveOtherOutputsAlone) {
  uint64_t size = 777;
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_segment_size(view_.handle.get(), &size));
  EXPECT_EQ(size, 777u);
  void* address = &size;
  uint64_t length = 777;
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_view_info(segment_.get(), &address, &length));
  EXPECT_EQ(address, &size);
  EXPECT_EQ(length, 777u);
}

TEST_F(BadInput, CreateOverAnExistingNameKeepsItsData) {
  shmlink_handle segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, shmlink_segment_create(name_.c_str(), 1, SHMLINK_CREATE_NEW, &segment));
  EXPECT_EQ(segment, 0u);
  TempDir directory;
  segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS,
                shmlink_segment_from_file(directory.path("f.bin").c_str(), name_.c_str(), 1,
                                          SHMLINK_ACCESS_READ_WRITE, SHMLINK_CREATE_NEW, &segment));
  EXPECT_EQ(segment, 0u);
  // TearDown checks the data.
}

#ifndef _WIN32
TEST_F(BadInput, RunningOutOfFileDescriptorsIsNoResources) {
  // Every segment handle holds a file descriptor on Linux: with few left, creating and
  // opening run out, say NO_RESOURCES, and work again once handles are closed.
#ifdef __SANITIZE_ADDRESS__
  // UBSan checks a vptr by writing the vtable to a pipe (IsAccessibleMemoryRange); with no
  // descriptor left it cannot make one and reports a false "invalid vptr".
  GTEST_SKIP() << "the sanitizer runtime itself needs free file descriptors";
#endif
  struct rlimit original {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original), 0);
  struct rlimit lowered = original;
  lowered.rlim_cur = 64;
  if (original.rlim_cur < lowered.rlim_cur) GTEST_SKIP() << "the descriptor limit is already below 64";
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  std::vector<Handle> handles;
  shmlink_status open_status = SHMLINK_OK;
  shmlink_status create_status = SHMLINK_OK;
  for (int i = 0; i < 200 && open_status == SHMLINK_OK; ++i) {
    Handle handle;
    open_status = shmlink_segment_open(name_.c_str(), SHMLINK_ACCESS_READ, handle.out());
    if (open_status == SHMLINK_OK) handles.push_back(std::move(handle));
    else EXPECT_EQ(handle.get(), 0u);
  }
  {
    Handle handle;
    create_status = shmlink_segment_create(unique_name().c_str(), 100, 0, handle.out());
  }
  handles.clear();
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &original), 0);
  EXPECT_STATUS(SHMLINK_ERR_NO_RESOURCES, open_status);
  EXPECT_STATUS(SHMLINK_ERR_NO_RESOURCES, create_status);
  Handle again;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_open(name_.c_str(), SHMLINK_ACCESS_READ, again.out()));
}
#endif

}  // namespace
}  // namespace shmlink_test
