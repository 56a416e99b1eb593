// Named objects on Linux: files in /dev/shm that emulate Win32 object lifetime.
//
// Protocol (every step is a kernel-held lock, so a crashed process leaves nothing held):
//  - Every process with a handle or view on an object holds a shared flock on its own open
//    file description of the object's file.
//  - A creator builds the object as an unnamed O_TMPFILE, initializes it completely, takes
//    its shared lock and only then links it under its name (failing if the name exists):
//    a name never refers to a half-built object.
//  - A closer that can upgrade to an exclusive lock is the last holder: it unlinks the name
//    (if the name still refers to its file) and the name is free.
//  - An opener first tries the exclusive lock: if it gets it, nobody holds the object, its
//    holders died, and the opener removes it as if the last of them had closed it.
//  - After taking its shared lock, an opener checks that the name still refers to the file
//    it opened (a closer may have unlinked it in between) and retries if not.
#pragma once

#include "../core/name.h"

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace shmlink::posix {

// What else a copy of an object in the child of a fork does once the child holds the object
// on its own (see NamedObject): a channel handle takes an attachment of its own. Runs in the
// child, while it is still single-threaded.
class ForkedChildHook {
 public:
  virtual void in_forked_child() noexcept = 0;

 protected:
  ~ForkedChildHook() = default;
};

// A file descriptor we hold a shared lock through, for as long as this object lives.
//
// A process that exits while one of its objects is still in use (a thread blocked in a wait
// keeps it alive past the handle table's cleanup) still lets go of its names: at exit, every
// object this process holds that nobody else holds loses its name. Only the process that
// holds an object through its own open file description does either.
//
// Forks: as on Windows, an object keeps its name while any process holds it, and a forked
// child holds what it inherited. A child shares its parent's open file descriptions, so
// with them alone the parent's close would find itself the last holder and free the name
// under the child. So in the child of a fork every object gets a hold of its own: a new open
// file description of the same file with its own shared lock, put at the same descriptor
// number, and the child becomes the process that lets the name go.
class NamedObject {
 public:
  NamedObject(int fd, std::string path);
  ~NamedObject();
  NamedObject(const NamedObject&) = delete;
  NamedObject& operator=(const NamedObject&) = delete;

  int fd() const { return fd_; }
  // Used at exit only (see above).
  void release_name_at_exit() noexcept;
  // Used in the child of a fork only (see above).
  void hold_in_forked_child() noexcept;
  // `hook` (or none: null) runs after hold_in_forked_child; it must be unset before it dies.
  void set_forked_child_hook(ForkedChildHook* hook) noexcept;
  NamedObject* next_live() const { return next_live_; }
  const std::string& path() const { return path_; }
  // This process created the object, or validated it as a shmlink object while holding its
  // lock: from then on its name is ours to remove at the last close even if its content no
  // longer proves it (a peer truncated the file: sigbus_guard.h). The same file, by inode.
  void mark_validated() noexcept { validated_ = true; }

 private:
  int fd_;
  std::string path_;
  bool validated_ = false;
  pid_t owner_;  // the process whose own open file description fd_ is
  ForkedChildHook* forked_child_hook_ = nullptr;
  // This process's list of live objects (named_object.cpp).
  NamedObject* previous_live_ = nullptr;
  NamedObject* next_live_ = nullptr;
};

// Where the object of `name` lives: /dev/shm/shmlink.global.<name> for Global names, and for
// Local names <dir>/object.<name> in this user's own directory, /dev/shm/shmlink.<euid> (mode
// 0700: nobody else can list, create or remove anything in it), or, if another user squatted
// that name, the first of /dev/shm/shmlink.<euid>.1 .. .7 that is this user's (made if none
// is). Throws Failure: ACCESS_DENIED if other users hold all of them.
std::string object_path(const ObjectName& name);

// Creates the object: `initialize(fd)` fills a new unnamed file (size, contents, mode) and
// it is then published under `path`. Returns null (and publishes nothing) if the name is
// taken by a live object. Throws Failure on OS errors.
std::unique_ptr<NamedObject> publish_new(const std::string& path, mode_t mode,
                                         const std::function<void(int fd)>& initialize);

// Opens the live object published under `path`, with O_RDONLY or O_RDWR in `open_flags`,
// and holds its shared lock. Returns null if there is no live object of that name.
std::unique_ptr<NamedObject> open_published(const std::string& path, int open_flags);

// For Local names: refuses (ACCESS_DENIED) an object not owned by this user or writable by
// group or others, which this library never creates there (only root could have put one in
// this user's directory).
void check_local_owner(int fd, const std::string& path);

// Removes objects of this user (Global ones in /dev/shm, Local ones in this user's directory)
// that no process holds any more (their holders died), looking at a few directory entries of
// each per call (every create calls it), so that the directories are looked through over
// many calls at a constant cost each. Only files that are provably shmlink objects are
// removed. Best effort, never throws.
void remove_dead_objects() noexcept;

// ---- Inspection (shmlink_object_*) ----

// Where the object of `name` would live, without making this user's directory: "" for a
// Local\ name when this user has no directory (so no Local\ object).
std::string existing_object_path(const ObjectName& name);

// This user's directory of Local\ objects, or "" if there is none.
std::string existing_local_directory();

// Removes the object at `path` (see shmlink_object_remove): only a provable shmlink object
// of this user; with `force` even while processes hold it. Throws Failure: NOT_FOUND,
// ACCESS_DENIED (held and not forced, naming `holders`; or not ours), SYSTEM.
void remove_object(const std::string& path, bool force, const std::string& holders);

// Removes every object of this user that no process holds (all of them, not a few entries
// as remove_dead_objects). Returns how many it removed. Never throws.
uint32_t remove_all_dead_objects() noexcept;

}  // namespace shmlink::posix
