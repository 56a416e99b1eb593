// Linux: what lies at one of our names in /dev/shm (or at a file a segment is made from) is not
// trusted to be ours. A FIFO there never blocks a call; a file that is not provably a shmlink
// object (a plain shm_open object another program named shmlink.*) is never removed or used.
#ifndef _WIN32

#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <future>
#include <string>

namespace shmlink_test {
namespace {

// Runs `call` on another thread and returns its status, failing the test if it has not returned
// within a few seconds. A call blocked in open(2) on the FIFO at `fifo` is then released by
// opening the FIFO for writing, so that the test ends either way.
shmlink_status returns_promptly(const std::function<shmlink_status()>& call, const std::string& fifo) {
  auto result = std::async(std::launch::async, call);
  if (result.wait_for(std::chrono::seconds(5)) == std::future_status::timeout) {
    ADD_FAILURE() << "the call blocked on the FIFO at " << fifo;
    const int writer = open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    const shmlink_status status = result.get();
    if (writer >= 0) close(writer);
    return status;
  }
  return result.get();
}

class Fifo {
 public:
  explicit Fifo(std::string path) : path_(std::move(path)) {
    if (mkfifo(path_.c_str(), 0600) != 0) ADD_FAILURE() << "mkfifo " << path_;
  }
  ~Fifo() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(UntrustedFiles, FifoAtALocalNameIsRefusedWithoutBlocking) {
  const std::string name = unique_name();
  Fifo fifo(local_object_path(name));
  Handle handle;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, returns_promptly([&] {
                  return shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, handle.out());
                }, fifo.path()));
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, returns_promptly([&] {
                  return shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, handle.out());
                }, fifo.path()));
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, returns_promptly([&] {
                  return shmlink_signal_open(name.c_str(), handle.out());
                }, fifo.path()));
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, returns_promptly([&] {
                  return shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, handle.out());
                }, fifo.path()));
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, returns_promptly([&] {
                  return shmlink_segment_create(name.c_str(), 4096, SHMLINK_OPEN_OR_CREATE, handle.out());
                }, fifo.path()));
  EXPECT_TRUE(path_exists(fifo.path())) << "the FIFO is not ours to remove";
}

TEST(UntrustedFiles, FifoAtAGlobalNameIsRefusedWithoutBlocking) {
  const std::string name = unique_name();
  Fifo fifo(global_object_path(name));
  const std::string global = "Global\\" + name;
  Handle handle;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, returns_promptly([&] {
                  return shmlink_segment_open(global.c_str(), SHMLINK_ACCESS_READ, handle.out());
                }, fifo.path()));
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, returns_promptly([&] {
                  return shmlink_semaphore_open(global.c_str(), handle.out());
                }, fifo.path()));
}

TEST(UntrustedFiles, FifoGivenAsTheFileOfASegmentIsRefusedWithoutBlocking) {
  char folder[] = "/tmp/shmlink-fifo-XXXXXX";
  ASSERT_NE(mkdtemp(folder), nullptr);
  {
    Fifo fifo(std::string(folder) + "/pipe");
    Handle handle;
    for (uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_READ_WRITE, SHMLINK_ACCESS_COPY_ON_WRITE}) {
      EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, returns_promptly([&] {
                      return shmlink_segment_from_file(fifo.path().c_str(), nullptr, 4096, access, 0, handle.out());
                    }, fifo.path()))
          << "access " << access;
    }
  }
  rmdir(folder);
}

// A plain shared memory object of another program that happens to be named like ours.
class PlainFile {
 public:
  explicit PlainFile(std::string path) : path_(std::move(path)) {
    const int fd = open(path_.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
      ADD_FAILURE() << "cannot create " << path_;
      return;
    }
    const std::string contents(8192, 'p');
    if (write(fd, contents.data(), contents.size()) != static_cast<ssize_t>(contents.size()))
      ADD_FAILURE() << "cannot write " << path_;
    close(fd);
  }
  ~PlainFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

size_t dev_shm_entries() {
  size_t count = 0;
  if (DIR* directory = opendir("/dev/shm")) {
    while (readdir(directory) != nullptr) ++count;
    closedir(directory);
  }
  return count;
}

TEST(UntrustedFiles, APlainFileNamedLikeOursIsNeverRemoved) {
  const std::string name = unique_name();
  PlainFile plain(local_object_path(name));
  // Creates look through /dev/shm for objects that crashed processes left, a few entries
  // each: enough creates to go through all of it twice.
  const size_t creates = 2 * (dev_shm_entries() / 4 + 2);
  const std::string other = unique_name();
  for (size_t i = 0; i < creates && path_exists(plain.path()); ++i) {
    Handle signal;
    ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(other.c_str(), SHMLINK_SIGNAL_AUTO_RESET, signal.out()));
  }
  EXPECT_TRUE(path_exists(plain.path())) << "a create removed a file that is no shmlink object";

  Handle handle;
  EXPECT_STATUS(SHMLINK_ERR_CORRUPT, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, handle.out()));
  EXPECT_TRUE(path_exists(plain.path())) << "open removed it";
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, handle.out()));
  EXPECT_STATUS(SHMLINK_ERR_CORRUPT, shmlink_segment_create(name.c_str(), 4096, SHMLINK_OPEN_OR_CREATE, handle.out()));
  EXPECT_STATUS(SHMLINK_ERR_CORRUPT, shmlink_signal_open(name.c_str(), handle.out()));
  ASSERT_TRUE(path_exists(plain.path())) << "a failed create or open removed it";

  struct stat status {};
  ASSERT_EQ(stat(plain.path().c_str(), &status), 0);
  EXPECT_EQ(status.st_size, 8192) << "its contents are untouched";
}

TEST(UntrustedFiles, AnObjectOfAnotherHeaderLayoutIsIncompatible) {
  // Layout version 1 is every 1.x library's (dll/core/object_header.h); another one is met with
  // INCOMPATIBLE, never misread.
  const std::string name = unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, 0, segment.out()));
  const int fd = open(local_object_path(name).c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const uint16_t other = 2;
  EXPECT_EQ(pwrite(fd, &other, sizeof other, 4), static_cast<ssize_t>(sizeof other));  // layout_version
  close(fd);
  Handle opened;
  EXPECT_STATUS(SHMLINK_ERR_INCOMPATIBLE, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, opened.out()));
}

}  // namespace
}  // namespace shmlink_test

#endif  // _WIN32
