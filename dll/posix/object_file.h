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

// The file mode a new object gets: owner-only, widened by the share flags for Global names.
mode_t mode_for(const ObjectName& name, uint32_t flags);

// A ready header; path_bytes != 0 marks a file-backed object. extra_flags: kHeader* bits.
ObjectHeader make_header(int32_t kind, uint64_t data_bytes, uint32_t path_bytes, uint32_t extra_flags = 0);

struct CreatedObject {
  std::unique_ptr<NamedObject> object;
  bool existed = false;  // OPEN_OR_CREATE opened an existing object (not yet validated)
};

// Creates the object `name` of `kind`: `initialize(fd)` builds the new unnamed file (size,
// header, contents) before it is published. If the name is taken: with OPEN_OR_CREATE in
// `flags` the existing object is opened with `open_flags` (the caller validates it with
// open_validated); otherwise fails WRONG_KIND or ALREADY_EXISTS.
CreatedObject create_named_object(const ObjectName& name, uint32_t flags, int32_t kind, int open_flags,
                                  const std::function<void(int fd)>& initialize);

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
