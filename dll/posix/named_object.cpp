#include "named_object.h"

#include "../core/object_header.h"
#include "os_error.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace shmlink::posix {
namespace {

constexpr char kShmDirectory[] = "/dev/shm";
// Global\ objects: /dev/shm/shmlink.global.<name>.
constexpr char kGlobalPrefix[] = "shmlink.global.";
// Local\ objects: <this user's directory>/object.<name>. The prefix keeps every name a plain
// file name ("." and ".." are names too).
constexpr char kLocalPrefix[] = "object.";

// This user's directory for Local\ objects is the first of /dev/shm/shmlink.<uid>,
// /dev/shm/shmlink.<uid>.1, ... that is a directory of this user's. In the sticky /dev/shm any
// user can create any name first, and nobody can then remove it but its owner: another user
// who squats shmlink.<uid> (a file or a directory of theirs) costs this user that name only,
// and only one who squats all of them denies this user its Local\ names (and is named in the
// error). tests/support/names.h has the same number.
constexpr int kLocalDirectorySlots = 8;

// How long an opener waits for a closer or a cleaner that holds the exclusive lock. They
// hold it only for an unlink, so running out means someone holds it on purpose.
constexpr auto kExclusiveLockPatience = std::chrono::seconds(2);

// How many directory entries of /dev/shm one create looks at for objects that crashed
// processes left (remove_dead_objects).
constexpr int kEntriesPerScan = 16;

bool same_file(int fd, const std::string& path) {
  struct stat by_fd {};
  struct stat by_path {};
  if (fstat(fd, &by_fd) != 0) return false;
  if (fstatat(AT_FDCWD, path.c_str(), &by_path, AT_SYMLINK_NOFOLLOW) != 0) return false;
  return by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

int flock_retrying(int fd, int operation) {
  int result;
  do {
    result = flock(fd, operation);
  } while (result != 0 && errno == EINTR);
  return result;
}

bool is_global_path(const std::string& path) {
  const std::string global_prefix = std::string(kShmDirectory) + "/" + kGlobalPrefix;
  return path.compare(0, global_prefix.size(), global_prefix) == 0;
}

// A file in this user's Local\ directory that belongs to another user can only have been put
// there by root: it is never ours to remove, held or not, even when we could.
bool foreign_local_file(int fd, const std::string& path) {
  if (is_global_path(path)) return false;
  struct stat status {};
  return fstat(fd, &status) != 0 || status.st_uid != geteuid();
}

// Provably a shmlink object: a regular file with a ready header of ours. Anything else at one
// of our names (a plain shm_open object another program named shmlink.*, a file someone put
// there) is never removed by us, locked or not: nobody but us takes our locks.
bool is_shmlink_object(int fd) {
  struct stat status {};
  if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) return false;
  if (status.st_size < static_cast<off_t>(kHeaderPageBytes)) return false;
  ObjectHeader header{};
  if (pread(fd, &header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) return false;
  return header.magic == kHeaderMagic && header.state == kStateReady;
}

// Called with the exclusive lock held on `fd`: nobody else has the object open through the
// protocol, so its name can go (if it still refers to this file, the file is ours, and it is
// a shmlink object, or was when this process validated it: NamedObject::mark_validated).
void unlink_if_same(int fd, const std::string& path, bool validated) {
  if (same_file(fd, path) && !foreign_local_file(fd, path) && (validated || is_shmlink_object(fd)))
    unlink(path.c_str());
}

// Opens a new unnamed file in `directory` (that of the name it will get); falls back to a
// temporary name where O_TMPFILE is not supported (the temporary name is unlinked at once
// after publishing).
int open_unnamed(const std::string& directory, mode_t mode, std::string& temporary_path) {
  int fd = open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
  if (fd >= 0) return fd;
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
    throw_errno(errno, "open(O_TMPFILE) in " + directory);
  static std::atomic<unsigned> counter{0};
  temporary_path = directory + "/.shmlink-tmp." + std::to_string(getpid()) + "." +
                   std::to_string(counter.fetch_add(1));
  fd = open(temporary_path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) throw_errno(errno, "open " + temporary_path);
  return fd;
}

// Links the file behind `fd` under `path`; false if the name exists.
bool link_under_name(int fd, const std::string& temporary_path, const std::string& path) {
  int result;
  if (!temporary_path.empty()) {
    result = link(temporary_path.c_str(), path.c_str());
  } else {
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    result = linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW);
    if (result != 0 && errno == ENOENT) {  // no /proc: needs CAP_DAC_READ_SEARCH, try anyway
      result = linkat(fd, "", AT_FDCWD, path.c_str(), AT_EMPTY_PATH);
    }
  }
  if (result == 0) return true;
  if (errno == EEXIST) return false;
  throw_errno(errno, "link " + path);
}

std::string local_directory_slot(uid_t uid, int slot) {
  std::string path = std::string(kShmDirectory) + "/shmlink." + std::to_string(uid);
  if (slot > 0) path += "." + std::to_string(slot);
  return path;
}

// Whether the slot at `path` is this user's directory. Only this user (or root) can have made
// a directory of this user's there, and nobody else can remove or rename it (sticky /dev/shm),
// so a path found to be ours stays ours. Its mode is made 0700 if it is not: mkdir under a
// umask that takes owner bits away leaves it narrower until its maker's chmod, and another
// process of this user must take it as ours meanwhile, or the two would split.
// `owner` is set to the owner of what lies there, if anything.
bool slot_is_ours(const std::string& path, uid_t me, bool* exists, uid_t* owner) {
  struct stat status {};
  *exists = lstat(path.c_str(), &status) == 0 || errno != ENOENT;
  if (!*exists) return false;
  *owner = status.st_uid;
  if (!S_ISDIR(status.st_mode) || status.st_uid != me) return false;
  return (status.st_mode & 07777) == 0700 || chmod(path.c_str(), 0700) == 0;
}

bool slot_is_ours(const std::string& path, uid_t me) {
  bool exists = false;
  uid_t owner = 0;
  return slot_is_ours(path, me, &exists, &owner);
}

// The slot this process last found to be its user's directory, with the user: user << 8 |
// (slot + 1); 0 if none yet. An atomic word rather than a lock: safe in a forked child.
std::atomic<uint64_t> cached_local_slot{0};

// The lowest slot that is this user's directory, or -1.
int lowest_slot_of(uid_t me) {
  const uint64_t cached = cached_local_slot.load(std::memory_order_relaxed);
  if (cached != 0 && static_cast<uid_t>(cached >> 8) == me) {
    // Still ours, and no lower slot became ours meanwhile (a process of this user that found
    // none of them made one while another slot was made: see local_directory). In the usual
    // case, slot 0, that is one lstat.
    const int slot = static_cast<int>(cached & 0xFF) - 1;
    bool lowest = slot_is_ours(local_directory_slot(me, slot), me);
    for (int lower = 0; lowest && lower < slot; ++lower) lowest = !slot_is_ours(local_directory_slot(me, lower), me);
    if (lowest) return slot;
  }
  for (int slot = 0; slot < kLocalDirectorySlots; ++slot) {
    if (slot_is_ours(local_directory_slot(me, slot), me)) {
      cached_local_slot.store(static_cast<uint64_t>(me) << 8 | static_cast<uint64_t>(slot + 1),
                              std::memory_order_relaxed);
      return slot;
    }
  }
  return -1;
}

// This user's directory for Local\ objects (see kLocalDirectorySlots): with `create`, made if
// there is none, else "" if there is none. Throws Failure (ACCESS_DENIED naming the squatters)
// if other users hold every slot.
std::string local_directory(bool create) {
  const uid_t me = geteuid();
  // Twice at most: a second process of this user may make another slot while we make ours;
  // both then use the lower of the two, as every later process does.
  for (int round = 0; round < 2; ++round) {
    const int found = lowest_slot_of(me);
    if (found >= 0) return local_directory_slot(me, found);
    if (!create) return "";
    std::string squatters;
    for (int slot = 0; slot < kLocalDirectorySlots; ++slot) {
      const std::string path = local_directory_slot(me, slot);
      if (mkdir(path.c_str(), 0700) == 0) {
        chmod(path.c_str(), 0700);  // exactly, whatever the umask
        break;
      }
      if (errno != EEXIST) throw_errno(errno, "mkdir " + path);
      bool exists = false;
      uid_t owner = 0;
      if (slot_is_ours(path, me, &exists, &owner)) break;  // another process of ours made it
      squatters += "\n  " + path + (exists ? " (user " + std::to_string(owner) + ")" : " (just removed)");
      if (slot + 1 == kLocalDirectorySlots)
        fail(SHMLINK_ERR_ACCESS_DENIED,
             "this user's Local\\ objects live in a directory of its own in /dev/shm, and other users hold every "
             "name one can have:" + squatters);
    }
  }
  const int found = lowest_slot_of(me);
  if (found < 0) fail(SHMLINK_ERR_SYSTEM, "this user's directory in /dev/shm keeps disappearing");
  return local_directory_slot(me, found);
}

// The objects this process holds, so that their names can be let go of at exit: an
// intrusive list under a spin lock, all of it trivially destructible, so that it outlives
// every static destructor that may still close objects (and leaves nothing to free when the
// library is unloaded).
std::atomic_flag live_lock = ATOMIC_FLAG_INIT;
NamedObject* live_head = nullptr;

// Takes the list's lock; with `patient` false gives up after a while (false): a child of
// fork() gets it free (it is held across the fork), but in a child made without the C
// library's fork (a raw clone runs no atfork handlers) it may have been copied held by a
// thread that does not exist there.
bool lock_live_list(bool patient) {
  for (int attempt = 0; live_lock.test_and_set(std::memory_order_acquire); ++attempt) {
    if (!patient && attempt == 1000) return false;
    std::this_thread::yield();
  }
  return true;
}
void unlock_live_list() { live_lock.clear(std::memory_order_release); }

// Forks (see NamedObject): the list is locked across fork(), so that the child gets it whole,
// and in the child every object on it gets a hold of the child's own. The parent's fork()
// returns only once the child has them (or after kForkedChildPatienceMs): until then the
// parent's close of an object would still find itself its last holder, and free its name
// (or count a channel's shared attachment out) under the child.
constexpr int kForkedChildPatienceMs = 5000;
int forked_child_done[2] = {-1, -1};  // a pipe; under the list's lock

// fork()'s caller reads errno after a failed fork, which runs the parent's handler too.
class ErrnoKept {
 public:
  ErrnoKept() : saved_(errno) {}
  ~ErrnoKept() { errno = saved_; }
  ErrnoKept(const ErrnoKept&) = delete;
  ErrnoKept& operator=(const ErrnoKept&) = delete;

 private:
  int saved_;
};

void prepare_fork() {
  const ErrnoKept kept;
  lock_live_list(true);
  if (live_head != nullptr && pipe2(forked_child_done, O_CLOEXEC) != 0) {
    forked_child_done[0] = forked_child_done[1] = -1;
  }
}

void after_fork_in_parent() {
  const ErrnoKept kept;
  if (forked_child_done[0] >= 0) {
    close(forked_child_done[1]);  // so that a child that dies early (or no child at all) reads as the end
    pollfd done{forked_child_done[0], POLLIN, 0};
    while (poll(&done, 1, kForkedChildPatienceMs) < 0 && errno == EINTR) {
    }
    close(forked_child_done[0]);
    forked_child_done[0] = forked_child_done[1] = -1;
  }
  unlock_live_list();
}

void after_fork_in_child() {
  const ErrnoKept kept;
  for (NamedObject* object = live_head; object != nullptr; object = object->next_live()) {
    object->hold_in_forked_child();
  }
  if (forked_child_done[0] >= 0) {
    close(forked_child_done[0]);
    const char done = 1;
    while (write(forked_child_done[1], &done, 1) < 0 && errno == EINTR) {
    }
    close(forked_child_done[1]);
    forked_child_done[0] = forked_child_done[1] = -1;
  }
  unlock_live_list();
}

bool same_inode(int fd, int other_fd) {
  struct stat status {};
  struct stat other {};
  return fstat(fd, &status) == 0 && fstat(other_fd, &other) == 0 && status.st_dev == other.st_dev &&
         status.st_ino == other.st_ino;
}

// "/proc/self/fd/<fd>" into `out`, without allocating (in a forked child).
void self_fd_path(int fd, char (&out)[32]) {
  char digits[12];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + fd % 10);
    fd /= 10;
  } while (fd > 0 && count < static_cast<int>(sizeof digits));
  constexpr char kPrefix[] = "/proc/self/fd/";
  std::memcpy(out, kPrefix, sizeof kPrefix - 1);
  int at = sizeof kPrefix - 1;
  while (count > 0) out[at++] = digits[--count];
  out[at] = '\0';
}

// A new open file description of the file behind `fd`, with its access mode, or -1: through
// /proc, which reaches the file even if its name is gone; where /proc is missing, by its
// name, if that still leads to the same file.
int reopen_same_file(int fd, const std::string& path) {
  const int status_flags = fcntl(fd, F_GETFL);
  if (status_flags < 0) return -1;
  // O_NONBLOCK as every open of ours: never block in open(2) (it is a regular file anyway).
  const int flags = (status_flags & O_ACCMODE) | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  char self[32];
  self_fd_path(fd, self);
  int reopened = open(self, flags);
  if (reopened < 0 && errno == ENOENT) reopened = open(path.c_str(), flags | O_NOFOLLOW);
  if (reopened < 0) return -1;
  if (!same_inode(fd, reopened)) {
    close(reopened);
    return -1;
  }
  return reopened;
}

// Constructed with the first object, so destroyed (at exit, or when the library is unloaded)
// before the handle table, which closes what it still holds afterwards.
struct ReleaseNamesAtExit {
  ~ReleaseNamesAtExit() {
    if (!lock_live_list(false)) return;
    for (NamedObject* object = live_head; object != nullptr; object = object->next_live()) {
      object->release_name_at_exit();
    }
    unlock_live_list();
  }
};

}  // namespace

NamedObject::NamedObject(int fd, std::string path) : fd_(fd), path_(std::move(path)), owner_(getpid()) {
  static ReleaseNamesAtExit release_at_exit;
  // Unregistered by the C library when the library is unloaded.
  static const bool held_in_forked_children =
      pthread_atfork(prepare_fork, after_fork_in_parent, after_fork_in_child) == 0;
  (void)held_in_forked_children;
  lock_live_list(true);
  next_live_ = live_head;
  if (live_head != nullptr) live_head->previous_live_ = this;
  live_head = this;
  unlock_live_list();
}

NamedObject::~NamedObject() {
  lock_live_list(true);
  if (previous_live_ != nullptr) previous_live_->next_live_ = next_live_;
  else live_head = next_live_;
  if (next_live_ != nullptr) next_live_->previous_live_ = previous_live_;
  unlock_live_list();
  if (getpid() == owner_ && flock_retrying(fd_, LOCK_EX | LOCK_NB) == 0) unlink_if_same(fd_, path_, validated_);
  close(fd_);
}

void NamedObject::release_name_at_exit() noexcept {
  if (getpid() == owner_ && flock_retrying(fd_, LOCK_EX | LOCK_NB) == 0) unlink_if_same(fd_, path_, validated_);
}

void NamedObject::hold_in_forked_child() noexcept {
  const int own = reopen_same_file(fd_, path_);
  if (own < 0) return;  // keeps sharing its parent's hold: the parent alone lets the name go
  // Nobody can hold the exclusive lock while the parent holds its shared one: this succeeds.
  if (flock_retrying(own, LOCK_SH | LOCK_NB) != 0 || dup3(own, fd_, O_CLOEXEC) < 0) {
    close(own);
    return;
  }
  close(own);
  owner_ = getpid();
  if (forked_child_hook_ != nullptr) forked_child_hook_->in_forked_child();
}

void NamedObject::set_forked_child_hook(ForkedChildHook* hook) noexcept {
  lock_live_list(true);
  forked_child_hook_ = hook;
  unlock_live_list();
}

// A path rather than openat() on a descriptor of the directory: a directory found to be ours
// cannot be removed, renamed or replaced by anyone else (sticky /dev/shm) and only we can
// write in it, so its path keeps naming it, and the protocol's steps by path (link, unlink,
// same_file) stay as they are.
std::string object_path(const ObjectName& name) {
  if (name.scope == Namespace::Global) return std::string(kShmDirectory) + "/" + kGlobalPrefix + name.base;
  return local_directory(true) + "/" + kLocalPrefix + name.base;
}

std::unique_ptr<NamedObject> publish_new(const std::string& path, mode_t mode,
                                         const std::function<void(int fd)>& initialize) {
  std::string temporary_path;
  const int fd = open_unnamed(path.substr(0, path.rfind('/')), mode, temporary_path);
  auto discard = [&] {
    if (!temporary_path.empty()) unlink(temporary_path.c_str());
    close(fd);
  };
  try {
    if (fchmod(fd, mode) != 0) throw_errno(errno, "fchmod " + path);  // exact mode, whatever the umask
    initialize(fd);
    if (flock_retrying(fd, LOCK_SH) != 0) throw_errno(errno, "flock " + path);
    if (!link_under_name(fd, temporary_path, path)) {
      discard();
      return nullptr;
    }
  } catch (...) {
    discard();
    throw;
  }
  if (!temporary_path.empty()) unlink(temporary_path.c_str());
  auto created = std::make_unique<NamedObject>(fd, path);
  created->mark_validated();
  return created;
}

std::unique_ptr<NamedObject> open_published(const std::string& path, int open_flags) {
  const auto deadline = std::chrono::steady_clock::now() + kExclusiveLockPatience;
  for (;;) {
    // O_NONBLOCK: a FIFO put at the name would block open(2) until a writer came.
    const int fd = open(path.c_str(), open_flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
      if (errno == ENOENT) return nullptr;
      if (errno == ENXIO) fail(SHMLINK_ERR_ACCESS_DENIED, path + " is a FIFO or socket, not a shmlink object");
      throw_errno(errno, "open " + path);
    }
    struct stat status {};
    if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
      close(fd);
      fail(SHMLINK_ERR_ACCESS_DENIED, path + " is not a regular file (a FIFO, device or directory someone put "
                                             "there), so not a shmlink object");
    }
    if (flock_retrying(fd, LOCK_EX | LOCK_NB) == 0) {
      // Nobody holds it: every holder died. Remove it as their last close would have. If it
      // is not provably a shmlink object, or we may not remove it (another user's file), it
      // is not ours to remove or to use: the caller's checks refuse it.
      if (foreign_local_file(fd, path) || !is_shmlink_object(fd) ||
          (same_file(fd, path) && unlink(path.c_str()) != 0 && (errno == EPERM || errno == EACCES))) {
        flock_retrying(fd, LOCK_SH);
        return std::make_unique<NamedObject>(fd, path);  // the caller's checks refuse it
      }
      close(fd);
      continue;
    }
    if (flock_retrying(fd, LOCK_SH | LOCK_NB) == 0) {
      if (same_file(fd, path)) return std::make_unique<NamedObject>(fd, path);
      close(fd);  // a closer removed it between our open and our lock: look again
      continue;
    }
    const int lock_error = errno;
    close(fd);
    if (lock_error != EWOULDBLOCK) throw_errno(lock_error, "flock " + path);
    if (std::chrono::steady_clock::now() > deadline)
      throw_errno(SHMLINK_ERR_SYSTEM, EWOULDBLOCK, "waiting for another process's exclusive lock on " + path);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a closer is unlinking it right now
  }
}

void check_local_owner(int fd, const std::string& path) {
  struct stat status {};
  if (fstat(fd, &status) != 0) throw_errno(errno, "fstat " + path);
  if (status.st_uid != geteuid())
    fail(SHMLINK_ERR_ACCESS_DENIED, path + " belongs to user " + std::to_string(status.st_uid) +
                                        ", not to this user: a Local\\ name is this user's own");
  if ((status.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    fail(SHMLINK_ERR_ACCESS_DENIED, path + " is writable by other users; refusing it as a Local\\ object");
}

namespace {

// Removes the object at `path` if nobody holds it and it is provably ours; true if it did.
bool remove_if_dead(const std::string& path) noexcept {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  bool removed = false;
  if (flock_retrying(fd, LOCK_EX | LOCK_NB) == 0 && same_file(fd, path) && !foreign_local_file(fd, path) &&
      is_shmlink_object(fd))
    removed = unlink(path.c_str()) == 0;
  close(fd);
  return removed;
}

// Looks at the next few entries of `directory` (from where the last look stopped, wrapping
// around at the end) for objects of this user whose holders all died, named `prefix`<name>.
void remove_dead_objects_in(const std::string& directory_path, const char* prefix,
                            std::atomic<int64_t>& resume_at) noexcept {
  const int directory = open(directory_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory < 0) return;
  off_t offset = static_cast<off_t>(resume_at.load(std::memory_order_relaxed));
  if (lseek(directory, offset, SEEK_SET) < 0) offset = lseek(directory, 0, SEEK_SET);
  alignas(struct dirent64) char buffer[4096];
  const ssize_t got = getdents64(directory, buffer, sizeof buffer);
  if (got <= 0) {
    resume_at.store(0, std::memory_order_relaxed);  // the end (or an error): start over next time
    close(directory);
    return;
  }
  const uid_t me = geteuid();
  const size_t prefix_length = std::strlen(prefix);
  int examined = 0;
  for (ssize_t at = 0; at < got && examined < kEntriesPerScan; ++examined) {
    const auto* entry = reinterpret_cast<const struct dirent64*>(buffer + at);
    at += entry->d_reclen;
    offset = static_cast<off_t>(entry->d_off);
    const char* name = entry->d_name;
    if (std::strncmp(name, prefix, prefix_length) != 0) continue;
    struct stat status {};
    if (fstatat(directory, name, &status, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (status.st_uid != me || !S_ISREG(status.st_mode)) continue;
    remove_if_dead(directory_path + "/" + name);
  }
  resume_at.store(static_cast<int64_t>(offset), std::memory_order_relaxed);
  close(directory);
}

}  // namespace

void remove_dead_objects() noexcept {
  // Where the last looks stopped: each call looks at a few more entries of each directory,
  // so a create costs the same beside ten files or a hundred thousand.
  static std::atomic<int64_t> resume_global{0};
  static std::atomic<int64_t> resume_local{0};
  remove_dead_objects_in(kShmDirectory, kGlobalPrefix, resume_global);
  try {
    const std::string local = local_directory(false);
    if (!local.empty()) remove_dead_objects_in(local, kLocalPrefix, resume_local);
  } catch (...) {
    // Best effort: the directory is looked at again next time.
  }
}

}  // namespace shmlink::posix

namespace shmlink::posix {

std::string existing_local_directory() { return local_directory(false); }

std::string existing_object_path(const ObjectName& name) {
  if (name.scope == Namespace::Global) return std::string(kShmDirectory) + "/" + kGlobalPrefix + name.base;
  const std::string directory = local_directory(false);
  return directory.empty() ? std::string() : directory + "/" + kLocalPrefix + name.base;
}

void remove_object(const std::string& path, bool force, const std::string& holders) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) fail(SHMLINK_ERR_NOT_FOUND, "there is no object at " + path);
    throw_errno(errno, "open " + path);
  }
  struct stat status {};
  const bool ours = fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && status.st_uid == geteuid();
  if (!ours || !is_shmlink_object(fd)) {
    close(fd);
    fail(SHMLINK_ERR_ACCESS_DENIED, path + (ours ? " is not a shmlink object" : " is not this user's object"));
  }
  const bool nobody_holds = flock_retrying(fd, LOCK_EX | LOCK_NB) == 0;
  if (!nobody_holds && !force) {
    close(fd);
    fail(SHMLINK_ERR_ACCESS_DENIED, "processes still hold it (" + holders +
                                        "); it goes when they close it, or remove it with force");
  }
  const bool removed = same_file(fd, path) && unlink(path.c_str()) == 0;
  const int unlink_error = errno;
  close(fd);
  if (!removed && unlink_error != ENOENT) throw_errno(unlink_error, "unlink " + path);
}

uint32_t remove_all_dead_objects() noexcept {
  uint32_t removed = 0;
  const auto sweep = [&](const std::string& directory_path, const char* prefix) {
    DIR* directory = opendir(directory_path.c_str());
    if (directory == nullptr) return;
    const uid_t me = geteuid();
    const size_t prefix_length = std::strlen(prefix);
    while (const dirent* entry = readdir(directory)) {
      if (std::strncmp(entry->d_name, prefix, prefix_length) != 0) continue;
      struct stat status {};
      if (fstatat(dirfd(directory), entry->d_name, &status, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (status.st_uid != me || !S_ISREG(status.st_mode)) continue;
      if (remove_if_dead(directory_path + "/" + entry->d_name)) ++removed;
    }
    closedir(directory);
  };
  sweep(kShmDirectory, kGlobalPrefix);
  try {
    const std::string local = local_directory(false);
    if (!local.empty()) sweep(local, kLocalPrefix);
  } catch (...) {
    // Nothing of ours to sweep there.
  }
  return removed;
}

}  // namespace shmlink::posix
