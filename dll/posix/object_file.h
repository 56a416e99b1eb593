// Creating and opening named objects of any kind on Linux: the /dev/shm file with its
// ObjectHeader (core/object_header.h), on top of the lifetime protocol of named_object.h.
#pragma once

#include "../core/object_header.h"
#include "named_object.h"
#include "sigbus_guard.h"

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace shmlink::posix {

// The mode the share flags ask for: 0600, 0660 with SHMLINK_SHARE_GROUP, 0666 with
// SHMLINK_SHARE_ALL_USERS.
mode_t shared_mode(uint32_t flags);

// The file mode a new object gets: owner-only, widened by the share flags for Global names.
mode_t mode_for(const ObjectName& name, uint32_t flags);

// What an object file holds, which decides who may write it.
enum class ObjectContents {
  // The object's data (a segment's memory, a signal's word, a channel's ring): writable by
  // everyone the share flags name.
  Data,
  // Only what the object is (a file-backed segment's header and file path; the data is in
  // the file): writable by its creator only, whatever the share flags, so that nobody else
  // can choose the file its openers map. Readable by everyone the share flags name.
  DescriptorOnly,
};

// A ready header; path_bytes != 0 marks a file-backed object. extra_flags: kHeader* bits.
ObjectHeader make_header(int32_t kind, uint64_t data_bytes, uint32_t path_bytes, uint32_t extra_flags = 0);

struct CreatedObject {
  std::unique_ptr<NamedObject> object;
  bool existed = false;  // OPEN_OR_CREATE opened an existing object (not yet validated)
};

// Creates the object `name` of `kind`: `initialize(fd)` builds the new unnamed file (size,
// header, contents) before it is published. If the name is taken: with OPEN_OR_CREATE in
// `flags` the existing object is opened with `open_flags` (as open_object does; the caller
// validates it); otherwise fails WRONG_KIND or ALREADY_EXISTS.
CreatedObject create_named_object(const ObjectName& name, uint32_t flags, int32_t kind, int open_flags,
                                  const std::function<void(int fd)>& initialize,
                                  ObjectContents contents = ObjectContents::Data);

// Opens the live object at `path` with `open_flags` (O_RDONLY / O_RDWR), or returns null if
// there is none. A segment's object this user may not write is opened read-only instead: a
// file-backed segment's object file is writable by its creator only, and whoever may write
// the segment's file may open the segment read-write. The caller refuses a read-only
// descriptor where the data is in the object file.
std::unique_ptr<NamedObject> open_object(const std::string& path, int32_t kind, int open_flags);

// Checks an opened object: its owner (Local names), its size and its header for `kind`.
// Returns the validated header and marks the object validated (NamedObject::mark_validated).
// Throws Failure (ACCESS_DENIED, WRONG_KIND, CORRUPT, ...).
ObjectHeader validate_object(NamedObject& object, const ObjectName& name, int32_t kind);

// Opens the live object `name` with `open_flags` (O_RDONLY / O_RDWR) and validates it as
// `kind`. Throws Failure(NOT_FOUND) if there is none.
std::unique_ptr<NamedObject> open_validated(const ObjectName& name, int32_t kind, int open_flags,
                                            ObjectHeader* out_header);

// A shared read-write mapping of a whole small object file (header page and data), guarded
// against the truncation of that file (sigbus_guard.h).
class ObjectMapping {
 public:
  ObjectMapping(int fd, uint64_t bytes, const std::string& what);
  ~ObjectMapping();
  ObjectMapping(const ObjectMapping&) = delete;
  ObjectMapping& operator=(const ObjectMapping&) = delete;

  // The data that follows the header page.
  void* data() const { return static_cast<unsigned char*>(base_) + kHeaderPageBytes; }
  // Keeps the pages mapped until the process exits (see the mutex's robust list).
  void keep_mapped_forever() {
    keep_ = true;
    guard_->keep_forever();
  }
  // Whether the file was truncated under the mapping; every operation checks it.
  GuardedRegion& guard() const { return *guard_; }

 private:
  void* base_;
  uint64_t bytes_;
  bool keep_ = false;
  std::unique_ptr<GuardedRegion> guard_;
};

void write_all(int fd, const void* data, size_t length, off_t offset, const std::string& what);
void read_exact(int fd, void* data, size_t length, off_t offset, const std::string& what);
uint64_t file_size(int fd, const std::string& what);

}  // namespace shmlink::posix
