// Inspection on Linux: reads object files with pread (no mapping, so a file truncated under us
// costs a short read, not a SIGBUS), takes no lock of the lifetime protocol (a probe of the
// exclusive lock would make a closer believe it is not the last one and keep a dead name),
// and learns the holders from the kernel's lock table: every holder keeps a shared flock on the
// object file (named_object.h), and every attached channel handle an OFD lock on one byte far
// beyond the file's end (channel_posix.cpp), which /proc/<pid>/fdinfo shows.
// Every value read from an object is checked before it is reported: files may be hostile.
#include "../core/channel_layout.h"
#include "../core/error.h"
#include "../core/inspect.h"
#include "../core/inspect_channel.h"
#include "../core/object_header.h"
#include "../core/sync_layout.h"
#include "named_object.h"
#include "os_error.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

namespace shmlink {
namespace {

constexpr char kShmDirectory[] = "/dev/shm";
constexpr char kGlobalFilePrefix[] = "shmlink.global.";
constexpr char kLocalFilePrefix[] = "object.";
constexpr char kLocalDirectoryPrefix[] = "shmlink.";
// Where channel_posix.cpp puts a slot's liveness lock: kSlotLockBase + slot.
constexpr off_t kSlotLockBase = off_t{1} << 50;

// A file descriptor closed on every path out.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

template <class T>
bool read_at(int fd, T& value, uint64_t offset) {
  return pread(fd, &value, sizeof value, static_cast<off_t>(offset)) == static_cast<ssize_t>(sizeof value);
}

// Who holds a flock on which file, from one read of /proc/locks: a listing reads it once for
// all its objects (the table has a line per lock of the whole machine).
class FlockTable {
 public:
  FlockTable() {
    std::ifstream locks("/proc/locks");
    readable_ = static_cast<bool>(locks);
    std::string line;
    while (std::getline(locks, line)) {
      // "1: FLOCK  ADVISORY  READ  1234 00:1a:5678 0 EOF"; waiters carry "->" and hold nothing.
      std::istringstream fields(line);
      std::string number, type, advisory, access, pid_text, file;
      if (!(fields >> number >> type) || type != "FLOCK") continue;
      if (!(fields >> advisory >> access >> pid_text >> file)) continue;
      unsigned major_number = 0, minor_number = 0;
      unsigned long long file_inode = 0;
      if (std::sscanf(file.c_str(), "%x:%x:%llu", &major_number, &minor_number, &file_inode) != 3) continue;
      const long pid = std::strtol(pid_text.c_str(), nullptr, 10);
      if (pid > 0) holders_[FileKey{major_number, minor_number, file_inode}].insert(static_cast<uint32_t>(pid));
    }
  }

  // False if the table could not be read (then nobody can say whether an object is held).
  bool readable() const { return readable_; }

  // The processes holding a flock on the file (device, inode).
  std::set<uint32_t> holders(dev_t device, ino_t inode) const {
    const auto found = holders_.find(FileKey{major(device), minor(device), static_cast<unsigned long long>(inode)});
    return found != holders_.end() ? found->second : std::set<uint32_t>{};
  }

 private:
  using FileKey = std::tuple<unsigned, unsigned, unsigned long long>;  // major, minor, inode
  bool readable_ = false;
  std::map<FileKey, std::set<uint32_t>> holders_;
};

// Which process holds each channel slot's liveness lock: the OFD locks that /proc/<pid>/fdinfo
// lists for the descriptors of `holders` open on the file (dev, inode). Only processes this
// user may look into are seen.
std::map<uint32_t, uint32_t> slot_pids(const std::set<uint32_t>& holders, dev_t device, ino_t inode) {
  std::map<uint32_t, uint32_t> pid_of_slot;
  for (const uint32_t pid : holders) {
    const std::string fd_directory = "/proc/" + std::to_string(pid) + "/fd";
    DIR* directory = opendir(fd_directory.c_str());
    if (directory == nullptr) continue;
    while (const dirent* entry = readdir(directory)) {
      if (entry->d_name[0] == '.') continue;
      struct stat status {};
      if (fstatat(dirfd(directory), entry->d_name, &status, 0) != 0) continue;
      if (status.st_dev != device || status.st_ino != inode) continue;
      std::ifstream info("/proc/" + std::to_string(pid) + "/fdinfo/" + entry->d_name);
      std::string line;
      while (std::getline(info, line)) {
        // "lock:\t1: OFDLCK ADVISORY  WRITE -1 00:1a:5678 1125899906842624 1125899906842624"
        if (line.compare(0, 5, "lock:") != 0 || line.find("OFDLCK") == std::string::npos) continue;
        std::istringstream fields(line.substr(5));
        std::string number, type, advisory, access, pid_text, file, start_text;
        if (!(fields >> number >> type >> advisory >> access >> pid_text >> file >> start_text)) continue;
        const unsigned long long start = std::strtoull(start_text.c_str(), nullptr, 10);
        if (start < static_cast<unsigned long long>(kSlotLockBase)) continue;
        const unsigned long long slot = start - static_cast<unsigned long long>(kSlotLockBase);
        if (slot < channel::kMaxSlots) pid_of_slot[static_cast<uint32_t>(slot)] = pid;
      }
    }
    closedir(directory);
  }
  return pid_of_slot;
}

bool thread_exists(uint32_t tid) {
  if (tid == 0 || tid > 0x3FFFFFFF) return false;
  struct stat status {};
  return stat(("/proc/" + std::to_string(tid)).c_str(), &status) == 0;
}

uint64_t created_ms(const std::string& path, const struct stat& status) {
  struct statx extended {};
  if (statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BTIME, &extended) == 0 &&
      (extended.stx_mask & STATX_BTIME) != 0)
    return static_cast<uint64_t>(extended.stx_btime.tv_sec) * 1000 + extended.stx_btime.tv_nsec / 1000000;
  // tmpfs without birth times: the link that published the object changed its ctime last
  // (unless someone truncated or chmod-ed it since).
  return static_cast<uint64_t>(status.st_ctim.tv_sec) * 1000 + static_cast<uint64_t>(status.st_ctim.tv_nsec) / 1000000;
}

void describe_signal(int fd, const ObjectHeader& header, shmlink_object_description& out) {
  SignalLayout signal{};
  if (header.data_bytes < sizeof signal || !read_at(fd, signal, kHeaderPageBytes) || signal.manual_reset > 1) {
    out.flags |= SHMLINK_OBJECT_CORRUPT;
    return;
  }
  out.signal_set = __atomic_load_n(&signal.state, __ATOMIC_RELAXED) != 0 ? 1 : 0;
  out.signal_manual_reset = signal.manual_reset;
}

void describe_semaphore(int fd, const ObjectHeader& header, shmlink_object_description& out) {
  SemaphoreLayout semaphore{};
  if (header.data_bytes < sizeof semaphore || !read_at(fd, semaphore, kHeaderPageBytes) ||
      semaphore.max_count == 0 || semaphore.max_count > 0x7FFFFFFFu || semaphore.count > semaphore.max_count) {
    out.flags |= SHMLINK_OBJECT_CORRUPT;
    return;
  }
  out.semaphore_count = semaphore.count;
  out.semaphore_max = semaphore.max_count;
}

void describe_mutex(int fd, const ObjectHeader& header, shmlink_object_description& out) {
  MutexLayout mutex{};
  if (header.data_bytes != sizeof mutex) {
    out.flags |= SHMLINK_OBJECT_INCOMPATIBLE;  // an older library's pthread mutex (sync_layout.h)
    return;
  }
  if (!read_at(fd, mutex, kHeaderPageBytes) || mutex.protocol != kMutexProtocol) {
    out.flags |= SHMLINK_OBJECT_CORRUPT;
    return;
  }
  const uint32_t lock_owner = mutex.lock & FUTEX_TID_MASK;
  const uint32_t owner = lock_owner != 0 ? lock_owner : mutex.owner;
  // The kernel hands a dead owner's word on (or marks it OWNER_DIED); the owner field, still
  // set, names the thread that died holding it, as robust_mutex.cpp reads it.
  if (owner == 0) return;
  out.flags |= SHMLINK_OBJECT_MUTEX_HELD;
  out.mutex_owner_tid = owner;
  out.mutex_recursion = mutex.recursion;
  if ((mutex.lock & FUTEX_OWNER_DIED) != 0 || !thread_exists(owner)) out.flags |= SHMLINK_OBJECT_MUTEX_ABANDONED;
}

void describe_channel(int fd, const ObjectHeader& header, const std::set<uint32_t>& holders, dev_t device,
                      ino_t inode, shmlink_object_description& out) {
  std::map<uint32_t, uint32_t> pid_of_slot;
  bool pids_looked_up = false;
  describe_channel_region(
      [&](void* into, std::size_t bytes, uint64_t offset) {
        return pread(fd, into, bytes, static_cast<off_t>(kHeaderPageBytes + offset)) == static_cast<ssize_t>(bytes);
      },
      [&](uint64_t region_bytes) { return header.data_bytes == region_bytes; },
      [&](uint32_t index, const channel::Slot&, shmlink_object_peer& peer) {
        struct flock lock {};
        lock.l_type = F_WRLCK;
        lock.l_whence = SEEK_SET;
        lock.l_start = kSlotLockBase + index;
        lock.l_len = 1;
        // An OFD lock query needs no write access; a failed query counts as alive, as the library does.
        if (fcntl(fd, F_OFD_GETLK, &lock) != 0 || lock.l_type != F_UNLCK) peer.flags |= SHMLINK_PEER_ALIVE;
        if (!pids_looked_up) {  // only for a channel with peers: it walks the holders' descriptors
          pid_of_slot = slot_pids(holders, device, inode);
          pids_looked_up = true;
        }
        const auto found = pid_of_slot.find(index);
        peer.pid = found != pid_of_slot.end() ? found->second : 0;
      },
      out);
}

void set_name(shmlink_object_description& out, const char* prefix, const std::string& base) {
  std::snprintf(out.name, sizeof out.name, "%s%s", prefix, base.c_str());
}

// Describes the file at `path`. False if there is no regular file there (nothing to list).
bool describe_file(const std::string& path, const FlockTable& flocks, shmlink_object_description& out) {
  struct stat status {};
  if (lstat(path.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) return false;
  out.owner_uid = status.st_uid;
  if (status.st_mode & (S_IROTH | S_IWOTH)) out.share_flags = SHMLINK_SHARE_ALL_USERS;
  else if (status.st_mode & (S_IRGRP | S_IWGRP)) out.share_flags = SHMLINK_SHARE_GROUP;
  out.created_unix_ms = created_ms(path, status);

  std::set<uint32_t> holders;
  if (flocks.readable()) {
    holders = flocks.holders(status.st_dev, status.st_ino);
    // The table may predate the object (made while the listing ran): look again before
    // calling it stale, which only objects without holders pay for.
    if (holders.empty()) holders = FlockTable().holders(status.st_dev, status.st_ino);
    out.holder_count = static_cast<uint32_t>(holders.size());
    uint32_t i = 0;
    for (const uint32_t pid : holders) {
      if (i == SHMLINK_DESCRIBE_MAX_PIDS) break;
      out.holder_pids[i++] = pid;
    }
    if (holders.empty()) out.flags |= SHMLINK_OBJECT_STALE;
  } else {
    out.holder_count = SHMLINK_UNKNOWN;
  }

  const FileDescriptor fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat opened {};
  if (fd.get() < 0) {
    out.flags |= SHMLINK_OBJECT_UNREADABLE;
    return true;
  }
  if (fstat(fd.get(), &opened) != 0 || !S_ISREG(opened.st_mode) || opened.st_ino != status.st_ino ||
      opened.st_dev != status.st_dev)
    return false;  // replaced between the two looks: it will be listed next time

  ObjectHeader header{};
  if (!read_at(fd.get(), header, 0) || header.magic != kHeaderMagic) {
    out.flags |= SHMLINK_OBJECT_CORRUPT;
    return true;
  }
  if (header.layout_version != kLayoutVersion) {
    out.flags |= SHMLINK_OBJECT_INCOMPATIBLE;
    return true;
  }
  const int32_t kind = header.kind;
  if (kind != SHMLINK_KIND_SEGMENT && kind != SHMLINK_KIND_SIGNAL && kind != SHMLINK_KIND_MUTEX &&
      kind != SHMLINK_KIND_SEMAPHORE && kind != SHMLINK_KIND_CHANNEL) {
    out.flags |= SHMLINK_OBJECT_CORRUPT;
    return true;
  }
  try {
    validate_header(header, static_cast<uint64_t>(opened.st_size), kind);
  } catch (const Failure& failure) {
    out.flags |= failure.status() == SHMLINK_ERR_INCOMPATIBLE ? SHMLINK_OBJECT_INCOMPATIBLE : SHMLINK_OBJECT_CORRUPT;
    return true;
  }
  out.kind = kind;
  switch (kind) {
    case SHMLINK_KIND_SEGMENT:
      out.size = header.data_bytes;
      if (header.flags & kHeaderFileBacked) out.flags |= SHMLINK_OBJECT_FILE_BACKED;
      break;
    case SHMLINK_KIND_SIGNAL: describe_signal(fd.get(), header, out); break;
    case SHMLINK_KIND_SEMAPHORE: describe_semaphore(fd.get(), header, out); break;
    case SHMLINK_KIND_MUTEX: describe_mutex(fd.get(), header, out); break;
    case SHMLINK_KIND_CHANNEL:
      describe_channel(fd.get(), header, holders, status.st_dev, status.st_ino, out);
      break;
    default: break;
  }
  return true;
}

shmlink_object_description blank_description() {
  shmlink_object_description description{};
  description.struct_size = sizeof description;
  return description;
}

// The name part of a file name in a directory of objects, if it is a valid name.
bool name_from_file(const char* file_name, const char* prefix, std::string& base) {
  const std::size_t prefix_length = std::strlen(prefix);
  if (std::strncmp(file_name, prefix, prefix_length) != 0) return false;
  base = file_name + prefix_length;
  try {
    parse_name(base.c_str());  // a file someone else named badly is not one of our objects
  } catch (const Failure&) {
    return false;
  }
  return true;
}

// Lists the objects in one directory, named `name_prefix` + what follows `file_prefix`.
void list_directory(const std::string& directory_path, const char* file_prefix, const char* name_prefix,
                    uint32_t extra_flags, bool only_openable, const FlockTable& flocks,
                    std::vector<shmlink_object_description>& out) {
  DIR* directory = opendir(directory_path.c_str());
  if (directory == nullptr) return;
  std::vector<std::string> files;
  while (const dirent* entry = readdir(directory)) files.emplace_back(entry->d_name);
  closedir(directory);
  std::sort(files.begin(), files.end());
  for (const std::string& file : files) {
    std::string base;
    if (!name_from_file(file.c_str(), file_prefix, base)) continue;
    const std::string path = directory_path + "/" + file;
    if (only_openable && faccessat(AT_FDCWD, path.c_str(), R_OK, AT_EACCESS) != 0) continue;
    shmlink_object_description description = blank_description();
    set_name(description, name_prefix, base);
    if (!describe_file(path, flocks, description)) continue;
    description.flags |= extra_flags;
    out.push_back(description);
  }
}

// Other users' directories of Local\ objects (shmlink.<uid> and shmlink.<uid>.<n>, each a
// directory owned by that uid), which only a user allowed to read them (root) can list.
std::vector<std::string> other_local_directories(const std::string& own) {
  std::vector<std::string> found;
  DIR* directory = opendir(kShmDirectory);
  if (directory == nullptr) return found;
  const std::size_t prefix_length = std::strlen(kLocalDirectoryPrefix);
  while (const dirent* entry = readdir(directory)) {
    const char* name = entry->d_name;
    if (std::strncmp(name, kLocalDirectoryPrefix, prefix_length) != 0) continue;
    char* end = nullptr;
    const unsigned long uid = std::strtoul(name + prefix_length, &end, 10);
    if (end == name + prefix_length || (*end != '\0' && *end != '.')) continue;
    const std::string path = std::string(kShmDirectory) + "/" + name;
    struct stat status {};
    if (lstat(path.c_str(), &status) != 0 || !S_ISDIR(status.st_mode) || status.st_uid != uid) continue;
    if (path == own) continue;
    found.push_back(path);
  }
  closedir(directory);
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

std::vector<shmlink_object_description> list_objects(uint32_t flags) {
  std::vector<shmlink_object_description> found;
  const FlockTable flocks;
  const std::string own = posix::existing_local_directory();
  if (!own.empty()) list_directory(own, kLocalFilePrefix, "Local\\", 0, false, flocks, found);
  const bool all_users = (flags & SHMLINK_LIST_ALL_USERS) != 0;
  list_directory(kShmDirectory, kGlobalFilePrefix, "Global\\", 0, !all_users, flocks, found);
  if (all_users) {
    for (const std::string& directory : other_local_directories(own))
      list_directory(directory, kLocalFilePrefix, "Local\\", SHMLINK_OBJECT_OTHER_USER, false, flocks, found);
  }
  return found;
}

shmlink_object_description describe_object(const ObjectName& name) {
  const std::string path = posix::existing_object_path(name);
  shmlink_object_description description = blank_description();
  set_name(description, name.scope == Namespace::Global ? "Global\\" : "Local\\", name.base);
  if (path.empty() || !describe_file(path, FlockTable(), description))
    fail(SHMLINK_ERR_NOT_FOUND, "there is no object of that name");
  return description;
}

void remove_named_object(const ObjectName& name, bool force) {
  const std::string path = posix::existing_object_path(name);
  if (path.empty()) fail(SHMLINK_ERR_NOT_FOUND, "there is no object of that name");
  std::string holders;
  struct stat status {};
  const FlockTable flocks;
  if (lstat(path.c_str(), &status) == 0 && flocks.readable()) {
    const std::set<uint32_t> pids = flocks.holders(status.st_dev, status.st_ino);
    holders = "process ids:";
    for (const uint32_t pid : pids) holders += " " + std::to_string(pid);
  } else {
    holders = "process ids unknown";
  }
  posix::remove_object(path, force, holders);
}

uint32_t collect_dead_objects() { return posix::remove_all_dead_objects(); }

}  // namespace shmlink
