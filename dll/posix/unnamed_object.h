// Objects without a name on Linux (CreateEvent(NULL, ...)): a memfd laid out exactly as a
// named object's file (object_file.h: the header page, then the data), so that whatever maps
// a named object's file maps this one alike, and a later handing of the descriptor to
// another process (issue 17) finds the same layout. Nothing appears in any namespace: the
// file goes with its last descriptor and mapping.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace shmlink::posix {

// Owns the memfd (its mapping is the caller's).
class UnnamedObject {
 public:
  explicit UnnamedObject(int fd) noexcept : fd_(fd) {}
  ~UnnamedObject();
  UnnamedObject(const UnnamedObject&) = delete;
  UnnamedObject& operator=(const UnnamedObject&) = delete;

  int fd() const noexcept { return fd_; }
  // Gives up the descriptor to the caller, who closes it.
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// Creates a new unnamed object of `kind`: `initialize(fd)` builds it (size, header,
// contents), as for a named object before it is published. Throws Failure.
std::unique_ptr<UnnamedObject> create_unnamed_object(int32_t kind, const std::function<void(int fd)>& initialize);

}  // namespace shmlink::posix
