#include "memory_limits.h"

#include "../core/error.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

namespace shmlink::posix {
namespace {

constexpr uint64_t kUnlimited = UINT64_MAX;
// v1 writes "no limit" as the largest page count in bytes (9223372036854771712 with 4 KiB
// pages): any limit from here on is none.
constexpr uint64_t kNoLimitFrom = uint64_t{1} << 62;
// /proc/self/mountinfo of a container host can be long; cgroup files are a few KiB.
constexpr size_t kLargestFileRead = size_t{4} << 20;

bool read_small_file(const std::string& path, std::string& out) {
  out.clear();
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  char buffer[4096];
  for (;;) {
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0 || out.size() + static_cast<size_t>(got) > kLargestFileRead) {
      close(fd);
      return got == 0;
    }
    out.append(buffer, static_cast<size_t>(got));
  }
}

// A cgroup file's number: "max" (or v1's largest value) is kUnlimited. None if missing or
// not a number. One read: such a file gives all of its few bytes at once.
std::optional<uint64_t> read_number(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  char text[32];
  ssize_t got;
  do {
    got = read(fd, text, sizeof text);
  } while (got < 0 && errno == EINTR);
  close(fd);
  if (got <= 0 || got == static_cast<ssize_t>(sizeof text)) return std::nullopt;
  size_t length = static_cast<size_t>(got);
  while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == ' ')) --length;
  if (length == 3 && std::memcmp(text, "max", 3) == 0) return kUnlimited;
  if (length == 0) return std::nullopt;
  uint64_t value = 0;
  for (size_t at = 0; at < length; ++at) {
    if (text[at] < '0' || text[at] > '9') return std::nullopt;
    if (value >= kNoLimitFrom) return kUnlimited;  // and no overflow below
    value = value * 10 + static_cast<uint64_t>(text[at] - '0');
  }
  return value >= kNoLimitFrom ? kUnlimited : value;
}

// The value of `key` in a memory.stat ("key value" lines); 0 if absent.
uint64_t stat_value(const std::string& stat, const std::string& key) {
  for (size_t at = 0; at < stat.size();) {
    const size_t end = std::min(stat.find('\n', at), stat.size());
    if (stat.compare(at, key.size(), key) == 0 && at + key.size() < end && stat[at + key.size()] == ' ') {
      uint64_t value = 0;
      for (size_t digit = at + key.size() + 1; digit < end && stat[digit] >= '0' && stat[digit] <= '9'; ++digit) {
        value = value * 10 + static_cast<uint64_t>(stat[digit] - '0');
      }
      return value;
    }
    at = end + 1;
  }
  return 0;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t at = 0;
  for (size_t next; (next = text.find(separator, at)) != std::string::npos; at = next + 1) {
    parts.push_back(text.substr(at, next - at));
  }
  parts.push_back(text.substr(at));
  return parts;
}

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// mountinfo writes space, tab, newline and backslash in paths as \ooo.
std::string unescape(const std::string& text) {
  std::string plain;
  for (size_t at = 0; at < text.size(); ++at) {
    if (text[at] == '\\' && at + 3 < text.size() && is_octal(text[at + 1]) && is_octal(text[at + 2]) &&
        is_octal(text[at + 3])) {
      plain += static_cast<char>(((text[at + 1] - '0') << 6) | ((text[at + 2] - '0') << 3) | (text[at + 3] - '0'));
      at += 3;
    } else {
      plain += text[at];
    }
  }
  return plain;
}

bool has_item(const std::string& list, const std::string& item) {
  for (const std::string& each : split(list, ',')) {
    if (each == item) return true;
  }
  return false;
}

// What one level of the hierarchy lets this process add: its limit, less what it holds that
// the kernel cannot simply drop (page cache it can), plus the swap it may still use.
struct Level {
  uint64_t limit = kUnlimited;
  uint64_t room = kUnlimited;
};

uint64_t saturating_add(uint64_t a, uint64_t b) { return a > kUnlimited - b ? kUnlimited : a + b; }
uint64_t room_under(uint64_t limit, uint64_t held) { return limit > held ? limit - held : 0; }

uint64_t free_swap_bytes() {
  struct sysinfo info {};
  if (sysinfo(&info) != 0) return 0;
  return static_cast<uint64_t>(info.freeswap) * info.mem_unit;
}

// The level's room, looked at only as closely as `bytes` needs: the page cache and swap only
// when the plain room under the limit is too small (memory.stat is the costly file).
Level level_room(const MemoryCgroup& cgroup, const std::string& directory, uint64_t bytes) {
  Level level;
  const bool v2 = cgroup.version == 2;
  const std::optional<uint64_t> limit = read_number(directory + (v2 ? "/memory.max" : "/memory.limit_in_bytes"));
  if (!limit || *limit == kUnlimited) return level;
  const std::optional<uint64_t> usage = read_number(directory + (v2 ? "/memory.current" : "/memory.usage_in_bytes"));
  if (!usage) return level;
  level.limit = *limit;
  // v1's memsw limits memory and swap together (not on v2, whose swap has a limit of its own).
  std::optional<uint64_t> both_limit;
  std::optional<uint64_t> both_usage;
  if (!v2) {
    both_limit = read_number(directory + "/memory.memsw.limit_in_bytes");
    both_usage = read_number(directory + "/memory.memsw.usage_in_bytes");
    if (!both_usage || both_limit == kUnlimited) both_limit.reset();
  }
  level.room = room_under(*limit, *usage);
  if (both_limit) level.room = std::min(level.room, room_under(*both_limit, *both_usage));
  if (bytes <= level.room) return level;

  std::string stat;
  read_small_file(directory + "/memory.stat", stat);
  // v1's usage counts the level's children too, as its total_ counters do.
  const std::string prefix = v2 ? "" : "total_";
  const uint64_t reclaimable = std::min(
      *usage, saturating_add(stat_value(stat, prefix + "active_file"), stat_value(stat, prefix + "inactive_file")));
  const uint64_t memory_room = room_under(*limit, *usage - reclaimable);
  const uint64_t free_swap = free_swap_bytes();
  if (v2) {
    // No swap.max file: swap is not accounted, so only the machine's free swap counts.
    const uint64_t swap_limit = read_number(directory + "/memory.swap.max").value_or(kUnlimited);
    const uint64_t swap_used = read_number(directory + "/memory.swap.current").value_or(0);
    level.room = saturating_add(memory_room, std::min(room_under(swap_limit, swap_used), free_swap));
  } else {
    level.room = saturating_add(memory_room, free_swap);
    // Swapping out makes no room under memsw; dropping page cache does.
    if (both_limit)
      level.room = std::min(level.room, room_under(*both_limit, *both_usage - std::min(*both_usage, reclaimable)));
  }
  return level;
}

bool in_memory(int fd) {
  struct statfs filesystem {};
  if (fstatfs(fd, &filesystem) != 0) return false;
  const auto type = static_cast<uint64_t>(filesystem.f_type);
  return type == static_cast<uint64_t>(TMPFS_MAGIC) || type == static_cast<uint64_t>(RAMFS_MAGIC);
}

}  // namespace

std::optional<MemoryCgroup> memory_cgroup_from(const std::string& membership, const std::string& mountinfo) {
  // "0::/path" (v2) and "N:controller,...:/path" (v1).
  std::optional<std::string> unified_path;
  std::optional<std::string> v1_memory_path;
  for (const std::string& line : split(membership, '\n')) {
    const size_t first = line.find(':');
    const size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    if (line.compare(0, first, "0") == 0 && controllers.empty()) unified_path = line.substr(second + 1);
    else if (has_item(controllers, "memory")) v1_memory_path = line.substr(second + 1);
  }
  // A v1 memory hierarchy, where there is one, has the memory controller (a hybrid system's
  // unified hierarchy then has none).
  for (const int version : {1, 2}) {
    const std::optional<std::string>& path = version == 1 ? v1_memory_path : unified_path;
    if (!path) continue;
    for (const std::string& line : split(mountinfo, '\n')) {
      // id parent major:minor root mount-point options [optional...] - type source super-options
      const std::vector<std::string> fields = split(line, ' ');
      const auto dash = std::find(fields.begin(), fields.end(), "-");
      if (fields.size() < 5 || dash == fields.end() || fields.end() - dash < 4) continue;
      if (version == 1 ? (dash[1] != "cgroup" || !has_item(dash[3], "memory")) : dash[1] != "cgroup2") continue;
      // The mount shows the hierarchy from `root` down (a container sees its own part).
      const std::string root = unescape(fields[3]);
      std::string relative;
      if (root == "/") relative = *path;
      else if (path->compare(0, root.size(), root) == 0 &&
               (path->size() == root.size() || (*path)[root.size()] == '/'))
        relative = path->substr(root.size());
      else
        continue;
      MemoryCgroup cgroup;
      cgroup.version = version;
      cgroup.top = unescape(fields[4]);
      cgroup.directory = cgroup.top + (relative == "/" ? "" : relative);
      return cgroup;
    }
  }
  return std::nullopt;
}

namespace {

// The last answer of memory_cgroup_from(): this process's cgroup may change (it is read every
// time), but the mounts hardly ever do, and reading and parsing them is most of the cost.
struct LocatedCgroup {
  std::mutex mutex;
  std::string membership;
  std::optional<MemoryCgroup> cgroup;
};

}  // namespace

std::optional<MemoryCgroup> memory_cgroup_of_this_process() {
  std::string membership;
  if (!read_small_file("/proc/self/cgroup", membership)) return std::nullopt;
  static LocatedCgroup* const last = new LocatedCgroup;  // never destroyed: creates may run at exit
  // Never waits: in a forked child the lock may have been copied held by another thread.
  std::unique_lock<std::mutex> lock(last->mutex, std::try_to_lock);
  if (lock.owns_lock() && last->membership == membership &&
      (!last->cgroup || access(last->cgroup->directory.c_str(), F_OK) == 0))
    return last->cgroup;
  std::string mountinfo;
  std::optional<MemoryCgroup> cgroup;
  if (read_small_file("/proc/self/mountinfo", mountinfo)) cgroup = memory_cgroup_from(membership, mountinfo);
  if (cgroup && access(cgroup->directory.c_str(), F_OK) != 0) cgroup.reset();  // not where this process looks
  if (lock.owns_lock()) {
    last->membership = membership;
    last->cgroup = cgroup;
  }
  return cgroup;
}

std::optional<std::string> memory_shortfall(const MemoryCgroup& cgroup, uint64_t bytes) {
  if (cgroup.directory.compare(0, cgroup.top.size(), cgroup.top) != 0) return std::nullopt;
  for (std::string directory = cgroup.directory;;) {
    const Level level = level_room(cgroup, directory, bytes);
    if (bytes > level.room)
      return "the memory cgroup " + directory + " allows " + std::to_string(level.limit) + " bytes, of which only " +
             std::to_string(level.room) + " can be had";
    if (directory.size() <= cgroup.top.size()) return std::nullopt;
    directory.erase(directory.rfind('/'));
  }
}

void check_memory_limits(int fd, uint64_t bytes, const std::string& what) {
  if (bytes < kMemoryLimitCheckFrom || !in_memory(fd)) return;
  const std::optional<MemoryCgroup> cgroup = memory_cgroup_of_this_process();
  if (!cgroup) return;
  if (const std::optional<std::string> shortfall = memory_shortfall(*cgroup, bytes))
    fail(SHMLINK_ERR_NO_RESOURCES, "reserving " + std::to_string(bytes) + " bytes for " + what + ": " + *shortfall);
}

}  // namespace shmlink::posix
