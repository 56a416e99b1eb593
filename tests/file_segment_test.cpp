// File-backed segments: sizes, growth, access, flush, persistence, named sharing.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace shmlink_test {
namespace {

class FileSegments : public testing::Test {
 protected:
  TempDir directory_;
};

TEST_F(FileSegments, UnnamedSegmentOfAnExistingFileHasTheFilesSizeAndData) {
  const std::string path = directory_.path("data.bin");
  ASSERT_TRUE(write_file(path, "hello, file"));
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_segment_from_file(path.c_str(), nullptr, 0, SHMLINK_ACCESS_READ, 0, segment.out()));
  uint64_t size = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(segment.get(), &size));
  EXPECT_EQ(size, 11u);
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ, view));
  EXPECT_EQ(std::string(view.bytes(), 11), "hello, file");
}

TEST_F(FileSegments, ReadWriteCreatesAMissingFileOfTheSizeAsked) {
  const std::string path = directory_.path("new.bin");
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_segment_from_file(path.c_str(), nullptr, 10000, SHMLINK_ACCESS_READ_WRITE, 0, segment.out()));
  EXPECT_TRUE(file_exists(path));
  EXPECT_EQ(file_size(path), 10000u);
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ, view));
  uint64_t nonzero = 0;
  for (int i = 0; i < 10000; ++i) nonzero += view.bytes()[i] != 0;
  EXPECT_EQ(nonzero, 0u);
}

TEST_F(FileSegments, LargerSizeGrowsTheFileAndKeepsItsData) {
  const std::string path = directory_.path("grow.bin");
  ASSERT_TRUE(write_file(path, "keep me"));
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_segment_from_file(path.c_str(), nullptr, 50000, SHMLINK_ACCESS_READ_WRITE, 0, segment.out()));
  uint64_t size = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(segment.get(), &size));
  EXPECT_EQ(size, 50000u);
  EXPECT_EQ(file_size(path), 50000u);
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
  EXPECT_EQ(std::string(view.bytes(), 7), "keep me");
  EXPECT_EQ(view.bytes()[7], 0);
  EXPECT_EQ(view.bytes()[49999], 0);
}

TEST_F(FileSegments, SmallerSizeMapsAPrefixAndLeavesTheFileAlone) {
  const std::string path = directory_.path("prefix.bin");
  ASSERT_TRUE(write_file(path, "0123456789"));
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_segment_from_file(path.c_str(), nullptr, 4, SHMLINK_ACCESS_READ_WRITE, 0, segment.out()));
  uint64_t size = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(segment.get(), &size));
  EXPECT_EQ(size, 4u);
  View view;
  EXPECT_STATUS(SHMLINK_ERR_OUT_OF_RANGE, map_view(segment.get(), 2, 3, SHMLINK_ACCESS_READ, view));
  segment.reset();
  EXPECT_EQ(read_file(path), "0123456789");
}

TEST_F(FileSegments, ReadOfAMissingFileIsNotFound) {
  const std::string path = directory_.path("missing.bin");
  for (const uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_COPY_ON_WRITE}) {
    shmlink_handle segment = 42;
    EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_from_file(path.c_str(), nullptr, 100, access, 0, &segment));
    EXPECT_EQ(segment, 0u);
    EXPECT_FALSE(file_exists(path)) << "only READ_WRITE creates the file";
  }
}

TEST_F(FileSegments, GrowingWithoutWriteAccessIsDenied) {
  const std::string path = directory_.path("short.bin");
  ASSERT_TRUE(write_file(path, "short"));
  for (const uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_COPY_ON_WRITE}) {
    shmlink_handle segment = 42;
    EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_segment_from_file(path.c_str(), nullptr, 100, access, 0, &segment));
    EXPECT_EQ(segment, 0u);
  }
  EXPECT_EQ(read_file(path), "short") << "the file is left as it was";
}

TEST_F(FileSegments, EmptyFileWithSizeZeroIsInvalid) {
  const std::string path = directory_.path("empty.bin");
  ASSERT_TRUE(write_file(path, ""));
  for (const uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_READ_WRITE, SHMLINK_ACCESS_COPY_ON_WRITE}) {
    shmlink_handle segment = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                  shmlink_segment_from_file(path.c_str(), nullptr, 0, access, 0, &segment));
    EXPECT_EQ(segment, 0u);
  }
}

TEST_F(FileSegments, ADirectoryIsNotAFileToMap) {
  // The temporary directory itself: a path that exists but is no regular file.
  const std::string path = directory_.path("");
  for (const uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_READ_WRITE, SHMLINK_ACCESS_COPY_ON_WRITE}) {
    shmlink_handle segment = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                  shmlink_segment_from_file(path.c_str(), nullptr, 4096, access, 0, &segment));
    EXPECT_EQ(segment, 0u);
  }
}

TEST_F(FileSegments, FlushReachesTheFile) {
  const std::string path = directory_.path("flush.bin");
  ASSERT_TRUE(write_file(path, std::string(8192, '.')));
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_segment_from_file(path.c_str(), nullptr, 0, SHMLINK_ACCESS_READ_WRITE, 0, segment.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 4000, 200, SHMLINK_ACCESS_READ_WRITE, view));
  std::memcpy(view.bytes(), "flushed", 7);
  std::memcpy(view.bytes() + 193, "the end", 7);
  ASSERT_STATUS(SHMLINK_OK, shmlink_flush(view.handle.get()));
  EXPECT_STATUS(SHMLINK_OK, shmlink_unmap(view.handle.release()));
  EXPECT_STATUS(SHMLINK_OK, segment.close());
  const std::string contents = read_file(path);
  ASSERT_EQ(contents.size(), 8192u);
  EXPECT_EQ(contents.substr(4000, 7), "flushed");
  EXPECT_EQ(contents.substr(4193, 7), "the end");
  EXPECT_EQ(contents.substr(0, 4000), std::string(4000, '.'));
  EXPECT_EQ(contents.substr(4200), std::string(8192 - 4200, '.'));
}

TEST_F(FileSegments, DataPersistsAfterEveryHandleCloses) {
  const std::string path = directory_.path("persist.bin");
  const std::string name = unique_name();
  {
    Handle segment;
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_from_file(path.c_str(), name.c_str(), 4096, SHMLINK_ACCESS_READ_WRITE,
                                                        SHMLINK_CREATE_NEW, segment.out()));
    View view;
    ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 1000, 0, SHMLINK_ACCESS_READ_WRITE, view));
    std::memcpy(view.bytes(), "persistent", 10);
  }
  // The name went with the last handle; the data did not.
  shmlink_handle gone = 0;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, &gone));
  EXPECT_EQ(read_file(path).substr(1000, 10), "persistent");
  Handle again;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_segment_from_file(path.c_str(), nullptr, 0, SHMLINK_ACCESS_READ, 0, again.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(again.get(), 1000, 10, SHMLINK_ACCESS_READ, view));
  EXPECT_EQ(std::string(view.bytes(), 10), "persistent");
}

TEST_F(FileSegments, NamedSegmentIsOpenedByNameWithTheFilesData) {
  const std::string path = directory_.path("named.bin");
  ASSERT_TRUE(write_file(path, "file contents"));
  const std::string name = unique_name();
  Handle creator;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_from_file(path.c_str(), name.c_str(), 0, SHMLINK_ACCESS_READ_WRITE,
                                                      SHMLINK_CREATE_NEW, creator.out()));
  Handle opener;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, opener.out()));
  uint64_t size = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(opener.get(), &size));
  EXPECT_EQ(size, 13u);
  View seen;
  ASSERT_STATUS(SHMLINK_OK, map_view(opener.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, seen));
  EXPECT_EQ(std::string(seen.bytes(), 13), "file contents");
  // Writes through either handle are the same bytes, and they are the file's.
  View mine;
  ASSERT_STATUS(SHMLINK_OK, map_view(creator.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, mine));
  std::memcpy(seen.bytes(), "FILE", 4);
  EXPECT_EQ(std::string(mine.bytes(), 13), "FILE contents");
  ASSERT_STATUS(SHMLINK_OK, shmlink_flush(seen.handle.get()));
  EXPECT_EQ(read_file(path), "FILE contents");
}

TEST_F(FileSegments, NamedSegmentHonoursCreateNewAndOpenOrCreate) {
  const std::string first_path = directory_.path("first.bin");
  const std::string second_path = directory_.path("second.bin");
  const std::string name = unique_name();
  Handle first;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_from_file(first_path.c_str(), name.c_str(), 100, SHMLINK_ACCESS_READ_WRITE,
                                                      SHMLINK_OPEN_OR_CREATE, first.out()));
  shmlink_handle refused = 42;
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS,
                shmlink_segment_from_file(second_path.c_str(), name.c_str(), 100, SHMLINK_ACCESS_READ_WRITE,
                                          SHMLINK_CREATE_NEW, &refused));
  EXPECT_EQ(refused, 0u);
  // Like CreateFile + CreateFileMapping, the file is opened (and checked) first; then the
  // name decides.
  const std::string other_path = directory_.path("other.bin");
  ASSERT_TRUE(write_file(other_path, "another file"));
  Handle existing;
  EXPECT_STATUS(SHMLINK_EXISTED, shmlink_segment_from_file(other_path.c_str(), name.c_str(), 0, SHMLINK_ACCESS_READ,
                                                           SHMLINK_OPEN_OR_CREATE, existing.out()));
  uint64_t size = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(existing.get(), &size));
  EXPECT_EQ(size, 100u) << "the existing segment, not a new one of the second file";
  View denied;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, map_view(existing.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, denied))
      << "opened with READ";
  View writer;
  ASSERT_STATUS(SHMLINK_OK, map_view(first.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, writer));
  writer.bytes()[0] = 'w';
  View reader;
  ASSERT_STATUS(SHMLINK_OK, map_view(existing.get(), 0, 0, SHMLINK_ACCESS_READ, reader));
  EXPECT_EQ(reader.bytes()[0], 'w');
}

TEST_F(FileSegments, NamedFileSegmentAndMemorySegmentShareOneNamespace) {
  const std::string name = unique_name();
  Handle memory;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, 0, memory.out()));
  shmlink_handle refused = 42;
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS,
                shmlink_segment_from_file(directory_.path("x.bin").c_str(), name.c_str(), 100,
                                          SHMLINK_ACCESS_READ_WRITE, SHMLINK_CREATE_NEW, &refused));
  EXPECT_EQ(refused, 0u);
}

TEST_F(FileSegments, CopyOnWriteLeavesTheFileAlone) {
  const std::string path = directory_.path("cow.bin");
  ASSERT_TRUE(write_file(path, "pristine"));
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_from_file(path.c_str(), nullptr, 0, SHMLINK_ACCESS_COPY_ON_WRITE, 0,
                                                      segment.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_COPY_ON_WRITE, view));
  std::memcpy(view.bytes(), "modified", 8);
  EXPECT_STATUS(SHMLINK_OK, shmlink_flush(view.handle.get()));
  EXPECT_EQ(std::string(view.bytes(), 8), "modified");
  view.handle.reset();
  segment.reset();
  EXPECT_EQ(read_file(path), "pristine");
}

TEST_F(FileSegments, ReadOnlyFileHandleRefusesReadWriteViews) {
  const std::string path = directory_.path("ro.bin");
  ASSERT_TRUE(write_file(path, "read only"));
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_segment_from_file(path.c_str(), nullptr, 0, SHMLINK_ACCESS_READ, 0, segment.out()));
  View view;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
  EXPECT_EQ(view.handle.get(), 0u);
  EXPECT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ, view));
}

// Like a section made PAGE_READONLY / PAGE_WRITECOPY: opening it by name gives no way to
// write the file through it (the open or the read-write map is refused).
void expect_no_write_through_the_name(const std::string& name) {
  for (const bool open_or_create : {false, true}) {
    SCOPED_TRACE(open_or_create ? "opened by shmlink_segment_create(OPEN_OR_CREATE)" : "opened by shmlink_segment_open");
    Handle opened;
    const shmlink_status status =
        open_or_create ? shmlink_segment_create(name.c_str(), 100, SHMLINK_OPEN_OR_CREATE, opened.out())
                       : shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, opened.out());
    if (status == SHMLINK_ERR_ACCESS_DENIED) continue;
    ASSERT_STATUS(open_or_create ? SHMLINK_EXISTED : SHMLINK_OK, status);
    View view;
    EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, map_view(opened.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
  }
  Handle reader;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, reader.out()));
}

TEST_F(FileSegments, NamedReadOnlySegmentCannotBeWrittenThroughItsName) {
  const std::string path = directory_.path("readonly.bin");
  ASSERT_TRUE(write_file(path, "do not write"));
  for (const uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_COPY_ON_WRITE}) {
    SCOPED_TRACE("made with access " + std::to_string(access));
    const std::string name = unique_name();
    Handle creator;
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_from_file(path.c_str(), name.c_str(), 0, access, SHMLINK_CREATE_NEW,
                                                        creator.out()));
    expect_no_write_through_the_name(name);
  }
  EXPECT_EQ(read_file(path), "do not write");
}

// Offsets past 2 GiB: a 32-bit library needs a 64-bit off_t for them (and to open the file at
// all). The file is sparse, so it takes no disk space.
TEST_F(FileSegments, FileOfMoreThanTwoGibibytesIsMappedAndWrittenPastTwoGibibytes) {
  constexpr uint64_t kSize = (uint64_t{3} << 30) + 65536;
  constexpr uint64_t kOffset = kSize - 1000;
  const std::string path = directory_.path("large.bin");
  ASSERT_TRUE(write_file(path, "start"));
  std::error_code error;
  std::filesystem::resize_file(std::filesystem::u8path(path), kSize, error);
  ASSERT_FALSE(error) << "cannot make a sparse file of " << kSize << " bytes: " << error.message();

  Handle segment;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_segment_from_file(path.c_str(), nullptr, 0, SHMLINK_ACCESS_READ_WRITE, 0, segment.out()));
  uint64_t size = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(segment.get(), &size));
  EXPECT_EQ(size, kSize);
  View head;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 5, SHMLINK_ACCESS_READ, head));
  EXPECT_EQ(std::string(head.bytes(), 5), "start");
  View tail;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), kOffset, 0, SHMLINK_ACCESS_READ_WRITE, tail));
  EXPECT_EQ(tail.bytes()[999], 0);
  std::memcpy(tail.bytes(), "past two gibibytes", 18);
  EXPECT_STATUS(SHMLINK_OK, shmlink_flush(tail.handle.get()));
  tail.handle.reset();
  head.handle.reset();
  segment.reset();

  std::ifstream file(std::filesystem::u8path(path), std::ios::binary);
  file.seekg(static_cast<std::streamoff>(kOffset));
  std::string written(18, '\0');
  file.read(written.data(), 18);
  EXPECT_EQ(written, "past two gibibytes");
}

TEST_F(FileSegments, UnnamedSegmentRefusesNameFlags) {
  const std::string path = directory_.path("flags.bin");
  shmlink_handle segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_from_file(path.c_str(), nullptr, 100,
                                                                        SHMLINK_ACCESS_READ_WRITE,
                                                                        SHMLINK_OPEN_OR_CREATE, &segment));
  EXPECT_EQ(segment, 0u);
  Handle shared;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_from_file(path.c_str(), nullptr, 100, SHMLINK_ACCESS_READ_WRITE,
                                                      SHMLINK_SHARE_ALL_USERS, shared.out()));
}

}  // namespace
}  // namespace shmlink_test
