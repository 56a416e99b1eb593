// Linux permissions of named objects: owner-only by default, share flags for Global\ names,
// Local\ objects in a directory only their user can list or write, a file-backed segment's
// object writable by its creator only, and objects someone else made at our names refused.
// (What another user can do is tried by a real second user in tests/reliability.)
#ifndef _WIN32

#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <cerrno>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace shmlink_test {
namespace {

constexpr uid_t kNobody = 65534;

struct stat stat_of(const std::string& path) {
  struct stat status {};
  EXPECT_EQ(lstat(path.c_str(), &status), 0) << path;
  return status;
}

mode_t permissions_of(const std::string& path) { return stat_of(path).st_mode & 07777; }

TEST(Permissions, LocalObjectsAreOwnerOnly) {
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, 0, segment.out()));
  const std::string path = local_object_path(name);
  const struct stat status = stat_of(path);
  EXPECT_EQ(status.st_mode & 07777, 0600u) << std::oct << (status.st_mode & 07777);
  EXPECT_EQ(status.st_uid, geteuid());
  EXPECT_TRUE(S_ISREG(status.st_mode));
}

TEST(Permissions, LocalObjectsStayOwnerOnlyWhateverTheShareFlags) {
  // Local\ names live in a per-user namespace: the share flags do not open them up.
  for (const uint32_t flags : {SHMLINK_SHARE_GROUP, SHMLINK_SHARE_ALL_USERS}) {
    const std::string name = unique_name();
    Handle segment;
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(("Local\\" + name).c_str(), 100, flags, segment.out()));
    EXPECT_EQ(permissions_of(local_object_path(name)), 0600u) << "flags " << flags;
  }
}

TEST(Permissions, OwnerOnlyWhateverTheUmask) {
  const mode_t old_mask = umask(0);
  const std::string name = unique_name();
  Handle segment;
  const shmlink_status status = shmlink_segment_create(("Global\\" + name).c_str(), 100, 0, segment.out());
  umask(old_mask);
  ASSERT_STATUS(SHMLINK_OK, status);
  EXPECT_EQ(permissions_of(global_object_path(name)), 0600u);
}

TEST(Permissions, GlobalObjectsAreOwnerOnlyByDefault) {
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(("Global\\" + name).c_str(), 100, 0, segment.out()));
  EXPECT_EQ(permissions_of(global_object_path(name)), 0600u);
  EXPECT_FALSE(path_exists(local_object_path(name)));
}

TEST(Permissions, GlobalShareAllUsersIsReadWriteForEveryone) {
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(("Global\\" + name).c_str(), 100, SHMLINK_SHARE_ALL_USERS,
                                                   segment.out()));
  EXPECT_EQ(permissions_of(global_object_path(name)), 0666u);
}

TEST(Permissions, GlobalShareGroupIsReadWriteForTheGroup) {
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_segment_create(("Global\\" + name).c_str(), 100, SHMLINK_SHARE_GROUP, segment.out()));
  EXPECT_EQ(permissions_of(global_object_path(name)), 0660u);
}

TEST(Permissions, LocalObjectsLiveInADirectoryOnlyTheUserCanList) {
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, 0, segment.out()));
  const std::string directory = local_directory();
  const struct stat status = stat_of(directory);
  EXPECT_TRUE(S_ISDIR(status.st_mode));
  EXPECT_EQ(status.st_mode & 07777, 0700u) << std::oct << (status.st_mode & 07777);
  EXPECT_EQ(status.st_uid, geteuid());
  EXPECT_EQ(local_object_path(name).compare(0, directory.size() + 1, directory + "/"), 0);
  EXPECT_TRUE(path_exists(local_object_path(name)));
  // Nothing of the name at the top of /dev/shm, where everyone can list it.
  EXPECT_FALSE(path_exists("/dev/shm/shmlink." + std::to_string(geteuid()) + "." + name));
}

TEST(Permissions, TheLocalDirectoryIsMadePrivateAgain) {
  const std::string name = unique_name();
  Handle first;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, 0, first.out()));
  const std::string directory = local_directory();
  ASSERT_EQ(chmod(directory.c_str(), 0755), 0);
  Handle second;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create((name + "-2").c_str(), 100, 0, second.out()));
  EXPECT_EQ(permissions_of(directory), 0700u);
  EXPECT_EQ(local_directory(), directory) << "still the same directory";
  EXPECT_TRUE(path_exists(local_object_path(name + "-2")));
}

TEST(Permissions, NamedFileSegmentObjectIsOwnerOnly) {
  TempDir directory;
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_from_file(directory.path("f.bin").c_str(), name.c_str(), 100,
                                                      SHMLINK_ACCESS_READ_WRITE, 0, segment.out()));
  EXPECT_EQ(permissions_of(local_object_path(name)), 0600u);
}

// A file someone else put at a Local\ name's path (in this user's own directory, which only
// root can do): removed at the end of the test.
class Squatter {
 public:
  explicit Squatter(const std::string& path) : path_(path) {
    fd_ = open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    EXPECT_GE(fd_, 0) << path;
  }
  ~Squatter() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  Squatter(const Squatter&) = delete;
  Squatter& operator=(const Squatter&) = delete;

  int fd() const { return fd_; }

 private:
  std::string path_;
  int fd_ = -1;
};

void expect_squatted_name_refused(const std::string& name) {
  shmlink_handle segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, &segment));
  EXPECT_EQ(segment, 0u);
  segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, &segment));
  EXPECT_EQ(segment, 0u);
  segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_segment_create(name.c_str(), 100, SHMLINK_CREATE_NEW, &segment));
  EXPECT_EQ(segment, 0u);
  segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED,
                shmlink_segment_create(name.c_str(), 100, SHMLINK_OPEN_OR_CREATE, &segment));
  EXPECT_EQ(segment, 0u);
  segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED,
                shmlink_segment_create(("Local\\" + name).c_str(), 100, SHMLINK_OPEN_OR_CREATE, &segment));
  EXPECT_EQ(segment, 0u);
}

TEST(Permissions, LocalNameSquattedByAnotherUserIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "making a file owned by another user needs root (fchown)";
  const std::string name = unique_name();
  const std::string path = local_object_path(name);
  Squatter squatter(path);
  ASSERT_GE(squatter.fd(), 0);
  if (fchown(squatter.fd(), kNobody, kNobody) != 0 && errno == EINVAL) {
    GTEST_SKIP() << "user " << kNobody << " does not exist in this user namespace (the 32-bit suite under qemu "
                 << "runs in one that maps only the caller)";
  }
  ASSERT_EQ(stat_of(path).st_uid, kNobody);
  close(dup(squatter.fd()));  // nobody holds it the way shmlink holders do
  expect_squatted_name_refused(name);
  // Not ours to remove either: the library leaves another user's file alone.
  EXPECT_TRUE(path_exists(path));
  EXPECT_EQ(stat_of(path).st_uid, kNobody);
}

TEST(Permissions, LocalNameSquattedByAnotherUserHoldingItIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "making a file owned by another user needs root (fchown)";
  const std::string name = unique_name();
  const std::string path = local_object_path(name);
  Squatter squatter(path);
  ASSERT_GE(squatter.fd(), 0);
  if (fchown(squatter.fd(), kNobody, kNobody) != 0 && errno == EINVAL) {
    GTEST_SKIP() << "user " << kNobody << " does not exist in this user namespace (the 32-bit suite under qemu "
                 << "runs in one that maps only the caller)";
  }
  ASSERT_EQ(stat_of(path).st_uid, kNobody);
  ASSERT_EQ(flock(squatter.fd(), LOCK_SH), 0);  // held, the way a live shmlink process holds it
  expect_squatted_name_refused(name);
  EXPECT_TRUE(path_exists(path));
}

TEST(Permissions, LocalObjectWritableByOthersIsRefused) {
  // Our own file, but writable by anyone: this library never makes a Local\ object like it.
  const std::string name = unique_name();
  const std::string path = local_object_path(name);
  Squatter squatter(path);
  ASSERT_GE(squatter.fd(), 0);
  ASSERT_EQ(fchmod(squatter.fd(), 0666), 0);
  ASSERT_EQ(flock(squatter.fd(), LOCK_SH), 0);  // alive: a holder has it open
  expect_squatted_name_refused(name);
  EXPECT_TRUE(path_exists(path));
  EXPECT_EQ(permissions_of(path), 0666u);
}

TEST(Permissions, LocalObjectWritableByTheGroupIsRefused) {
  const std::string name = unique_name();
  const std::string path = local_object_path(name);
  Squatter squatter(path);
  ASSERT_GE(squatter.fd(), 0);
  ASSERT_EQ(fchmod(squatter.fd(), 0620), 0);
  ASSERT_EQ(flock(squatter.fd(), LOCK_SH), 0);
  expect_squatted_name_refused(name);
  EXPECT_TRUE(path_exists(path));
}

TEST(Permissions, ASegmentFileMadeHereIsOwnerOnlyWhateverTheUmask) {
  TempDir directory;
  const mode_t old_mask = umask(0);
  Handle segment;
  const shmlink_status status = shmlink_segment_from_file(directory.path("new.bin").c_str(), nullptr, 100,
                                                          SHMLINK_ACCESS_READ_WRITE, 0, segment.out());
  umask(old_mask);
  ASSERT_STATUS(SHMLINK_OK, status);
  EXPECT_EQ(permissions_of(directory.path("new.bin")), 0600u);
}

TEST(Permissions, AFileBackedSegmentObjectIsWritableByItsCreatorOnly) {
  TempDir directory;
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_from_file(directory.path("f.bin").c_str(), ("Global\\" + name).c_str(),
                                                      100, SHMLINK_ACCESS_READ_WRITE, SHMLINK_SHARE_ALL_USERS,
                                                      segment.out()));
  // It names the file every opener maps: readable by everyone it is shared with, writable by
  // its creator only. The file holds the data and is shared as the flags say.
  EXPECT_EQ(permissions_of(global_object_path(name)), 0644u);
  EXPECT_EQ(permissions_of(directory.path("f.bin")), 0666u);
}

TEST(Permissions, AFileBackedSegmentWhoseObjectOthersMayWriteIsRefused) {
  // Anyone who may write the object may have put another file's path in it (a data segment
  // shared with them, its header rewritten): such a path is never followed.
  TempDir directory;
  const std::string name = unique_name();
  const std::string global = "Global\\" + name;
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_from_file(directory.path("f.bin").c_str(), global.c_str(), 100,
                                                      SHMLINK_ACCESS_READ_WRITE, 0, segment.out()));
  for (const mode_t mode : {0666, 0620, 0602}) {
    ASSERT_EQ(chmod(global_object_path(name).c_str(), mode), 0);
    Handle opened;
    EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_segment_open(global.c_str(), SHMLINK_ACCESS_READ_WRITE, opened.out()))
        << std::oct << mode;
    EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_segment_open(global.c_str(), SHMLINK_ACCESS_READ, opened.out()))
        << std::oct << mode;
    EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED,
                  shmlink_segment_create(global.c_str(), 100, SHMLINK_OPEN_OR_CREATE, opened.out()))
        << std::oct << mode;
  }
  ASSERT_EQ(chmod(global_object_path(name).c_str(), 0600), 0);
  Handle opened;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_open(global.c_str(), SHMLINK_ACCESS_READ_WRITE, opened.out()));
}

TEST(Permissions, ASegmentFileReplacedSinceIsRefused) {
  TempDir directory;
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_from_file(directory.path("f.bin").c_str(), name.c_str(), 4096,
                                                      SHMLINK_ACCESS_READ_WRITE, 0, segment.out()));
  // Another file put at its path, as anyone who may write its directory could.
  ASSERT_TRUE(write_file(directory.path("other.bin"), std::string(4096, 'o')));
  ASSERT_EQ(rename(directory.path("other.bin").c_str(), directory.path("f.bin").c_str()), 0);
  Handle opened;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, opened.out()));
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, opened.out()));
  EXPECT_EQ(read_file(directory.path("f.bin")), std::string(4096, 'o')) << "the other file is untouched";
  // The creator's handle still has the file it was made from.
  View view;
  EXPECT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
}

TEST(Permissions, AFileBackedSegmentOfAnEarlierLibraryStillOpens) {
  // Earlier 1.x libraries write no file identity (the last 16 bytes of the header page stay
  // zero, dll/core/object_header.h): their segments open, without that check.
  TempDir directory;
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_from_file(directory.path("f.bin").c_str(), name.c_str(), 4096,
                                                      SHMLINK_ACCESS_READ_WRITE, 0, segment.out()));
  const int fd = open(local_object_path(name).c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const char zeros[16] = {};
  EXPECT_EQ(pwrite(fd, zeros, sizeof zeros, 4096 - 16), static_cast<ssize_t>(sizeof zeros));
  close(fd);
  Handle opened;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, opened.out()));
}

}  // namespace
}  // namespace shmlink_test

#endif  // _WIN32
