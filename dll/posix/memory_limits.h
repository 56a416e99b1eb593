// Memory cgroup limits on Linux. The pages of a tmpfs file (every object in /dev/shm) are
// charged to the memory cgroup of the process that allocates them: for a new object its
// creator, in posix_fallocate. A cgroup that cannot take them does not fail the allocation;
// its OOM killer kills a process in it (the creator, in practice). So a creator of a big
// object looks at its cgroups first and fails with NO_RESOURCES instead.
//
// Self-contained (the tests compile it too, to find the cgroup they make a small one under).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace shmlink::posix {

// Below this, a reservation is not worth the look (a few small files read): small objects
// fail cleanly on a full /dev/shm already, and any page at all may tip a full cgroup over.
inline constexpr uint64_t kMemoryLimitCheckFrom = uint64_t{1} << 20;

struct MemoryCgroup {
  int version = 0;        // 1 (the v1 memory controller's own hierarchy) or 2 (the unified one)
  std::string directory;  // this process's cgroup, e.g. /sys/fs/cgroup/user.slice/app.scope
  std::string top;        // where the hierarchy is mounted: the last ancestor one can look at
};

// Where this process's memory cgroup is: from /proc/self/cgroup and /proc/self/mountinfo.
// None where there is no memory controller, or it is not mounted where this process sees it.
std::optional<MemoryCgroup> memory_cgroup_of_this_process();

// The same from the text of /proc/self/cgroup (`membership`) and /proc/self/mountinfo.
std::optional<MemoryCgroup> memory_cgroup_from(const std::string& membership, const std::string& mountinfo);

// Why `bytes` more would not fit under the limits of `cgroup` or of an ancestor up to its top
// (see check_memory_limits); none if they fit or the limits cannot be read.
std::optional<std::string> memory_shortfall(const MemoryCgroup& cgroup, uint64_t bytes);

// Throws Failure(NO_RESOURCES) if `bytes` more in the file `fd` would not fit under the memory
// limit of this process's cgroup or of any ancestor (cgroup v2 memory.max, v1
// memory.limit_in_bytes; not v2 memory.high, which throttles a cgroup over it by reclaim but
// kills nothing, so an object above it is slow to fill, not fatal), counting the page cache the kernel would reclaim first and the swap
// that the limits and the machine still allow. Does nothing for files not in memory (not on
// tmpfs), below kMemoryLimitCheckFrom, or where the limits cannot be read.
void check_memory_limits(int fd, uint64_t bytes, const std::string& what);

}  // namespace shmlink::posix
