// Linux permissions of named objects: owner-only by default, share flags for Global\ names,
// and squatted Local\ names refused.
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

TEST(Permissions, NamedFileSegmentObjectIsOwnerOnly) {
  TempDir directory;
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_from_file(directory.path("f.bin").c_str(), name.c_str(), 100,
                                                      SHMLINK_ACCESS_READ_WRITE, 0, segment.out()));
  EXPECT_EQ(permissions_of(local_object_path(name)), 0600u);
}

// A file someone else put at a Local\ name's path: removed at the end of the test.
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

}  // namespace
}  // namespace shmlink_test

#endif  // _WIN32
