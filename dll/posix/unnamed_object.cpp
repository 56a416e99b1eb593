#include "unnamed_object.h"

#include "../core/object_header.h"
#include "os_error.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace shmlink::posix {

UnnamedObject::~UnnamedObject() {
  if (fd_ >= 0) close(fd_);
}

std::unique_ptr<UnnamedObject> create_unnamed_object(int32_t kind, const std::function<void(int fd)>& initialize) {
  // The name is only what /proc/<pid>/fd shows. Sealing stays possible for issue 17, which
  // hands such files on and must keep their size from changing under the holders.
  const std::string label = std::string("shmlink.unnamed.") + kind_name(kind);
  const int fd = memfd_create(label.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) throw_errno(errno, "memfd_create for an unnamed " + std::string(kind_name(kind)));
  auto object = std::make_unique<UnnamedObject>(fd);
  // Owner-only, as a Local\\ object's file (a memfd starts with 0777): reachable anyway only
  // through /proc/<pid>/fd, by whoever may trace this process.
  if (fchmod(fd, 0600) != 0) throw_errno(errno, "fchmod of an unnamed " + std::string(kind_name(kind)));
  initialize(fd);
  return object;
}

}  // namespace shmlink::posix
