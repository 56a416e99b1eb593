// Creating objects bigger than the memory cgroup allows (Linux): the pages of a /dev/shm object
// are charged to its creator's memory cgroup, whose OOM killer would kill the creator when it
// reserves them. A create that cannot fit fails with NO_RESOURCES instead, and one that fits
// still succeeds. Each case makes a child cgroup of this process's memory cgroup with a small
// limit and no swap, moves a forked child into it, and removes it afterwards whatever
// happened. Where the machine does not allow that (not root, no memory controller where this
// process can make a child cgroup) the cases skip and say why.
#ifdef __linux__

#include <shmlink/shmlink.h>

#include "posix/memory_limits.h"
#include "support/fixtures.h"
#include "support/forked_child.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace shmlink_test {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

bool read_text(const std::string& path, std::string& out) {
  out.clear();
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[4096];
  ssize_t got;
  while ((got = read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(got));
  close(fd);
  return got == 0;
}

// One write(2) of `text` into a cgroup file: "" if it went through, else why not.
std::string write_text(const std::string& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return "cannot open " + path + ": " + std::strerror(errno);
  const ssize_t written = write(fd, text.data(), text.size());
  const int error = errno;
  close(fd);
  if (written != static_cast<ssize_t>(text.size()))
    return "cannot write '" + text + "' to " + path + ": " + std::strerror(error);
  return {};
}

bool lists(const std::string& path, const std::string& word) {
  std::string text;
  if (!read_text(path, text)) return false;
  for (size_t at = 0; (at = text.find(word, at)) != std::string::npos; at += word.size()) {
    const bool starts = at == 0 || text[at - 1] == ' ';
    const size_t end = at + word.size();
    if (starts && (end == text.size() || text[end] == ' ' || text[end] == '\n')) return true;
  }
  return false;
}

// A child cgroup with a memory limit and no swap, made under this process's memory cgroup
// (cgroup v1), or where the unified hierarchy (v2) lets a child have the memory controller.
// Its end moves whatever is still in it back to this process's cgroup and removes it.
class TemporaryMemoryCgroup {
 public:
  explicit TemporaryMemoryCgroup(uint64_t limit_bytes) {
    if (geteuid() != 0) {
      unavailable_ = "making a memory cgroup needs root";
      return;
    }
    const std::optional<shmlink::posix::MemoryCgroup> own = shmlink::posix::memory_cgroup_of_this_process();
    if (!own) {
      unavailable_ = "no memory cgroup controller is mounted where this process can see its cgroup";
      return;
    }
    home_ = own->directory;
    std::string parent = own->directory;
    if (own->version == 2) {
      // A v2 cgroup with processes in it (this one) cannot pass the memory controller to children; the root can.
      if (!lists(own->directory + "/cgroup.subtree_control", "memory")) parent = own->top;
      if (!lists(parent + "/cgroup.subtree_control", "memory")) {
        unavailable_ = "the memory controller is not enabled for child cgroups in " + parent +
                       "/cgroup.subtree_control (cgroup v2)";
        return;
      }
    }
    const std::string directory = parent + "/shmlink-" + unique_name();
    if (mkdir(directory.c_str(), 0755) != 0) {
      unavailable_ = "cannot make the cgroup " + directory + ": " + std::strerror(errno);
      return;
    }
    directory_ = directory;
    const std::string limit = std::to_string(limit_bytes);
    std::string why;
    if (own->version == 2) {
      why = write_text(directory_ + "/memory.max", limit);
      struct stat status {};
      if (why.empty() && stat((directory_ + "/memory.swap.max").c_str(), &status) == 0)
        why = write_text(directory_ + "/memory.swap.max", "0");
    } else {
      why = write_text(directory_ + "/memory.limit_in_bytes", limit);
      struct stat status {};
      if (why.empty() && stat((directory_ + "/memory.memsw.limit_in_bytes").c_str(), &status) == 0)
        why = write_text(directory_ + "/memory.memsw.limit_in_bytes", limit);
    }
    if (!why.empty()) unavailable_ = "cannot set the cgroup's limits: " + why;
  }

  ~TemporaryMemoryCgroup() {
    if (directory_.empty()) return;
    // Whatever is still in it goes back where this process is (a child that hung was killed
    // already, but may not have left yet); then it can go.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      std::string pids;
      read_text(directory_ + "/cgroup.procs", pids);
      for (size_t at = 0, end; at < pids.size(); at = end + 1) {
        end = pids.find('\n', at);
        if (end == std::string::npos) end = pids.size();
        if (end > at) write_text(home_ + "/cgroup.procs", pids.substr(at, end - at));
      }
      if (rmdir(directory_.c_str()) == 0 || errno == ENOENT) return;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "could not remove the test cgroup " << directory_ << ": " << std::strerror(errno);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  TemporaryMemoryCgroup(const TemporaryMemoryCgroup&) = delete;
  TemporaryMemoryCgroup& operator=(const TemporaryMemoryCgroup&) = delete;

  // Why it could not be made ("" if it was).
  const std::string& unavailable() const { return unavailable_; }
  // Moves the process `pid` into it: "" if done, else why not.
  std::string add(pid_t pid) const { return write_text(directory_ + "/cgroup.procs", std::to_string(pid)); }

 private:
  std::string unavailable_;
  std::string home_;
  std::string directory_;
};

// Where the library looks for this process's limits, from the texts of /proc/self/cgroup and
// /proc/self/mountinfo of the usual setups (the creates below try only this machine's).
TEST(MemoryCgroupLocation, UnifiedHierarchy) {
  const auto cgroup = shmlink::posix::memory_cgroup_from(
      "0::/user.slice/user-1000.slice/session-2.scope\n",
      "25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw\n"
      "30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
  ASSERT_TRUE(cgroup.has_value());
  EXPECT_EQ(cgroup->version, 2);
  EXPECT_EQ(cgroup->top, "/sys/fs/cgroup");
  EXPECT_EQ(cgroup->directory, "/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope");
}

TEST(MemoryCgroupLocation, HybridHierarchiesTakeTheV1MemoryController) {
  const auto cgroup = shmlink::posix::memory_cgroup_from(
      "9:name=systemd:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/\n0::/\n",
      "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
      "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
  ASSERT_TRUE(cgroup.has_value());
  EXPECT_EQ(cgroup->version, 1);
  EXPECT_EQ(cgroup->top, "/sys/fs/cgroup/memory");
  EXPECT_EQ(cgroup->directory, "/sys/fs/cgroup/memory/process_api/abc");
}

TEST(MemoryCgroupLocation, AContainerSeesItsOwnPartOfTheHierarchy) {
  // Without a cgroup namespace: the mount's root is the container's cgroup, /proc/self/cgroup
  // names the same one from the top; a mount point with a space is written \040.
  const auto cgroup = shmlink::posix::memory_cgroup_from(
      "0::/system.slice/docker-1234.scope/app\n",
      "700 690 0:26 /system.slice/docker-1234.scope /sys/fs/my\\040cgroup ro,nosuid - cgroup2 cgroup rw\n");
  ASSERT_TRUE(cgroup.has_value());
  EXPECT_EQ(cgroup->top, "/sys/fs/my cgroup");
  EXPECT_EQ(cgroup->directory, "/sys/fs/my cgroup/app");
}

TEST(MemoryCgroupLocation, NoMemoryControllerMountedIsNone) {
  EXPECT_FALSE(shmlink::posix::memory_cgroup_from("4:memory:/a\n",
                                                  "31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n")
                   .has_value());
  EXPECT_FALSE(shmlink::posix::memory_cgroup_from("", "").has_value());
}

// The limits as the library reads them, from a made-up hierarchy of cgroup files in a
// temporary directory: `top`, `top`/a and `top`/a/b, this process's.
class FakeHierarchy {
 public:
  explicit FakeHierarchy(int version) {
    cgroup_.version = version;
    cgroup_.top = directory_.path("top");
    cgroup_.directory = cgroup_.top + "/a/b";
    std::filesystem::create_directories(cgroup_.directory);
  }
  // Sets `file` of the level `level` ("", "a" or "a/b").
  void set(const std::string& level, const std::string& file, const std::string& contents) {
    ASSERT_TRUE(write_file(cgroup_.top + (level.empty() ? "" : "/" + level) + "/" + file, contents));
  }
  std::optional<std::string> shortfall(uint64_t bytes) const {
    return shmlink::posix::memory_shortfall(cgroup_, bytes);
  }

 private:
  TempDir directory_;
  shmlink::posix::MemoryCgroup cgroup_;
};

TEST(MemoryCgroupLimits, V2LimitLessUsageWithoutSwap) {
  FakeHierarchy hierarchy(2);
  hierarchy.set("", "memory.max", "max\n");  // the root has no such file; "max" says the same
  hierarchy.set("a", "memory.max", "max\n");
  hierarchy.set("a/b", "memory.max", std::to_string(48 * kMiB) + "\n");
  hierarchy.set("a/b", "memory.current", std::to_string(8 * kMiB) + "\n");
  hierarchy.set("a/b", "memory.stat", "anon 8388608\nactive_file 0\ninactive_file 0\n");
  hierarchy.set("a/b", "memory.swap.max", "0\n");
  EXPECT_FALSE(hierarchy.shortfall(40 * kMiB).has_value());
  const std::optional<std::string> why = hierarchy.shortfall(40 * kMiB + 1);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("/a/b allows 50331648 bytes, of which only 41943040 can be had"), std::string::npos) << *why;
}

TEST(MemoryCgroupLimits, V2PageCacheCountsAsRoom) {
  FakeHierarchy hierarchy(2);
  hierarchy.set("a/b", "memory.max", std::to_string(48 * kMiB));
  hierarchy.set("a/b", "memory.current", std::to_string(40 * kMiB));
  hierarchy.set("a/b", "memory.stat", "anon 4194304\nfile 37748736\nactive_file 10485760\ninactive_file 20971520\n");
  hierarchy.set("a/b", "memory.swap.max", "0");
  EXPECT_FALSE(hierarchy.shortfall(38 * kMiB).has_value());  // 48 - (40 - 30)
  EXPECT_TRUE(hierarchy.shortfall(38 * kMiB + 4096).has_value());
}

TEST(MemoryCgroupLimits, AnAncestorsLimitCountsToo) {
  FakeHierarchy hierarchy(2);
  hierarchy.set("a", "memory.max", std::to_string(20 * kMiB));
  hierarchy.set("a", "memory.current", std::to_string(4 * kMiB));
  hierarchy.set("a", "memory.swap.max", "0");
  hierarchy.set("a/b", "memory.max", "max");
  const std::optional<std::string> why = hierarchy.shortfall(32 * kMiB);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("/top/a allows 20971520 bytes"), std::string::npos) << *why;
  EXPECT_FALSE(hierarchy.shortfall(16 * kMiB).has_value());
}

TEST(MemoryCgroupLimits, V1LimitAndMemswLimit) {
  FakeHierarchy hierarchy(1);
  const std::string none = "9223372036854771712\n";  // v1's "no limit"
  hierarchy.set("", "memory.limit_in_bytes", none);
  hierarchy.set("a", "memory.limit_in_bytes", none);
  hierarchy.set("a/b", "memory.limit_in_bytes", std::to_string(48 * kMiB));
  hierarchy.set("a/b", "memory.usage_in_bytes", std::to_string(16 * kMiB));
  hierarchy.set("a/b", "memory.memsw.limit_in_bytes", std::to_string(48 * kMiB));
  // 8 MiB of it swapped out already: memory and swap together leave 48 - 24.
  hierarchy.set("a/b", "memory.memsw.usage_in_bytes", std::to_string(24 * kMiB));
  hierarchy.set("a/b", "memory.stat", "cache 0\nactive_file 0\ninactive_file 0\ntotal_active_file 0\n"
                                      "total_inactive_file 0\n");
  EXPECT_FALSE(hierarchy.shortfall(24 * kMiB).has_value());
  EXPECT_TRUE(hierarchy.shortfall(24 * kMiB + 4096).has_value());
}

TEST(MemoryCgroupLimits, UnreadableOrNoLimitsAreNoShortfall) {
  FakeHierarchy hierarchy(2);
  EXPECT_FALSE(hierarchy.shortfall(uint64_t{1} << 40).has_value());  // no files at all
  hierarchy.set("a/b", "memory.max", "garbage");
  hierarchy.set("a/b", "memory.current", "1");
  EXPECT_FALSE(hierarchy.shortfall(uint64_t{1} << 40).has_value());
}

// In the child: says on stderr what a create that went wrong gave, and gives `code`.
int report(const char* what, shmlink_status got, int code) {
  std::fprintf(stderr, "child: %s gave %d: %s\n", what, got, shmlink_last_error_message());
  return code;
}

TEST(MemoryCgroup, ObjectsBiggerThanTheCgroupAllowsFailWithNoResourcesAndSmallerOnesAreMade) {
  TemporaryMemoryCgroup cgroup(48 * kMiB);
  if (!cgroup.unavailable().empty()) GTEST_SKIP() << "cannot run here: " << cgroup.unavailable();
  const std::string name = unique_name();
  ForkedChild child(
      [&](ForkedChild& parent) {
        if (!parent.heard('g')) return 10;
        Handle segment;
        shmlink_status status = shmlink_segment_create((name + "-s128").c_str(), 128 * kMiB, 0, segment.out());
        if (status != SHMLINK_ERR_NO_RESOURCES) return report("a 128 MiB segment", status, 11);
        Handle channel;
        status = shmlink_channel_create((name + "-c128").c_str(), 128 * kMiB, 4096, SHMLINK_CHANNEL_SENDER,
                                        channel.out());
        if (status != SHMLINK_ERR_NO_RESOURCES) return report("a 128 MiB channel", status, 12);
        // A file-backed segment grows its file: in memory too when the file is on a tmpfs.
        const std::string file = "/dev/shm/" + name + "-file";
        status = shmlink_segment_from_file(file.c_str(), nullptr, 128 * kMiB, SHMLINK_ACCESS_READ_WRITE, 0,
                                           segment.out());
        unlink(file.c_str());
        if (status != SHMLINK_ERR_NO_RESOURCES) return report("a 128 MiB segment from a file in /dev/shm", status, 16);
        // What fits is still made, and its memory is there to use.
        status = shmlink_segment_create((name + "-s16").c_str(), 16 * kMiB, 0, segment.out());
        if (status != SHMLINK_OK) return report("a 16 MiB segment", status, 13);
        View view;
        status = map_view(segment.get(), 0, 16 * kMiB, SHMLINK_ACCESS_READ_WRITE, view);
        if (status != SHMLINK_OK) return report("mapping the 16 MiB segment", status, 14);
        // A byte in every MiB: writing it all would charge as much again of a TSan build's
        // shadow memory to the cgroup.
        for (uint64_t at = 0; at < 16 * kMiB; at += kMiB) view.bytes()[at] = 0x5A;
        status = shmlink_channel_create((name + "-c16").c_str(), 16 * kMiB, 4096, SHMLINK_CHANNEL_SENDER,
                                        channel.out());
        if (status != SHMLINK_OK) return report("a 16 MiB channel", status, 15);
        view.handle.reset();
        segment.reset();
        channel.reset();
        return 0;
      },
      ForkedChild::Exit::Immediately);
  ASSERT_TRUE(child.started());
  const std::string moved = cgroup.add(child.pid());
  ASSERT_EQ(moved, "");
  ASSERT_TRUE(child.say('g'));
  EXPECT_EQ(child.wait(), 0) << "(137: killed by SIGKILL, the cgroup's OOM killer; 11-16: see the child's message)";
  // A child killed while it held them left them: opening a dead object's name removes it.
  Handle left;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open((name + "-s16").c_str(), SHMLINK_ACCESS_READ, left.out()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND,
                shmlink_channel_open((name + "-c16").c_str(), SHMLINK_CHANNEL_RECEIVER, left.out()));
}

}  // namespace
}  // namespace shmlink_test

#endif  // __linux__
