// Segments on Linux: a named segment is a /dev/shm object (see named_object.h) whose first
// page is an ObjectHeader and whose data follows; a file-backed named segment's object holds
// only the header and the file's path, and every opener maps the file itself.
#include "../core/object_header.h"
#include "../core/platform.h"
#include "named_object.h"
#include "os_error.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace shmlink {
namespace {

using posix::NamedObject;
using posix::throw_errno;

class PosixSegment final : public SegmentBacking {
 public:
  // `data_fd` holds the data at `data_offset`; it is the named object's own fd unless the
  // segment is file-backed, in which case this backing owns it.
  PosixSegment(std::unique_ptr<NamedObject> named, int data_fd, bool owns_data_fd, uint64_t data_offset,
               uint64_t size, Access access)
      : named_(std::move(named)), data_fd_(data_fd), owns_data_fd_(owns_data_fd), data_offset_(data_offset),
        size_(size), access_(access) {}
  ~PosixSegment() override {
    if (owns_data_fd_) close(data_fd_);
  }

  uint64_t size() const override { return size_; }
  Access access() const override { return access_; }

  MappedRegion map(uint64_t aligned_offset, uint64_t length, Access access) override {
    if (length > SIZE_MAX) fail(SHMLINK_ERR_NO_RESOURCES, "the view does not fit in the address space");
    const int protection = access == Access::Read ? PROT_READ : PROT_READ | PROT_WRITE;
    const int sharing = access == Access::CopyOnWrite ? MAP_PRIVATE : MAP_SHARED;
    void* base = mmap(nullptr, static_cast<size_t>(length), protection, sharing, data_fd_,
                      static_cast<off_t>(data_offset_ + aligned_offset));
    if (base == MAP_FAILED) throw_errno(errno, "mmap of " + std::to_string(length) + " bytes");
    return {base, length};
  }

  void unmap(const MappedRegion& region) noexcept override { munmap(region.base, static_cast<size_t>(region.length)); }

  void flush(const MappedRegion& region) override {
    if (msync(region.base, static_cast<size_t>(region.length), MS_SYNC) != 0) throw_errno(errno, "msync");
  }

 private:
  std::unique_ptr<NamedObject> named_;  // null for unnamed file-backed segments
  int data_fd_;
  bool owns_data_fd_;
  uint64_t data_offset_;
  uint64_t size_;
  Access access_;
};

int open_flags_for(Access access) { return access == Access::ReadWrite ? O_RDWR : O_RDONLY; }

mode_t mode_for(const ObjectName& name, uint32_t flags) {
  // Local names live in a per-user namespace: nobody else ever looks there.
  if (name.scope == Namespace::Local) return 0600;
  if (flags & SHMLINK_SHARE_ALL_USERS) return 0666;
  if (flags & SHMLINK_SHARE_GROUP) return 0660;
  return 0600;
}

void write_all(int fd, const void* data, size_t length, off_t offset, const std::string& what) {
  const char* bytes = static_cast<const char*>(data);
  while (length > 0) {
    const ssize_t written = pwrite(fd, bytes, length, offset);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw_errno(errno, "writing " + what);
    }
    bytes += written;
    length -= static_cast<size_t>(written);
    offset += written;
  }
}

void read_exact(int fd, void* data, size_t length, off_t offset, const std::string& what) {
  char* bytes = static_cast<char*>(data);
  while (length > 0) {
    const ssize_t got = pread(fd, bytes, length, offset);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_errno(errno, "reading " + what);
    }
    if (got == 0) fail(SHMLINK_ERR_CORRUPT, what + " is shorter than its header");
    bytes += got;
    length -= static_cast<size_t>(got);
    offset += got;
  }
}

uint64_t file_size(int fd, const std::string& what) {
  struct stat status {};
  if (fstat(fd, &status) != 0) throw_errno(errno, "fstat " + what);
  return static_cast<uint64_t>(status.st_size);
}

// Reserves the bytes now, so that running out of memory (or disk) fails here with
// NO_RESOURCES rather than with SIGBUS when a page is first touched.
void reserve(int fd, uint64_t from, uint64_t length, const std::string& what) {
  const int error = posix_fallocate(fd, static_cast<off_t>(from), static_cast<off_t>(length));
  if (error != 0) {
    throw_errno(error == EINVAL || error == EFBIG || error == ENOSPC ? SHMLINK_ERR_NO_RESOURCES
                                                                     : posix::status_from_errno(error),
                error, "reserving " + std::to_string(length) + " bytes for " + what);
  }
}

void check_shm_space(uint64_t size) {
  struct statvfs info {};
  if (statvfs("/dev/shm", &info) != 0) return;  // let fallocate decide
  const uint64_t available = static_cast<uint64_t>(info.f_bavail) * info.f_frsize;
  if (size > available)
    fail(SHMLINK_ERR_NO_RESOURCES, "a segment of " + std::to_string(size) + " bytes does not fit: /dev/shm has " +
                                       std::to_string(available) + " bytes free");
}

ObjectHeader make_header(uint64_t data_bytes, uint32_t path_bytes, bool read_only = false) {
  ObjectHeader header{};
  header.magic = kHeaderMagic;
  header.layout_version = kLayoutVersion;
  header.kind = SHMLINK_KIND_SEGMENT;
  header.state = kStateReady;
  header.flags = (path_bytes != 0 ? kHeaderFileBacked : 0) | (read_only ? kHeaderReadOnly : 0);
  header.header_bytes = kHeaderPageBytes;
  header.data_bytes = data_bytes;
  header.path_bytes = path_bytes;
  return header;
}

// Turns an opened named object into a segment: checks who owns it and what its header
// says, and for a file-backed one opens the file.
std::shared_ptr<SegmentBacking> segment_from_object(std::unique_ptr<NamedObject> object, const ObjectName& name,
                                                    Access access) {
  const std::string& path = object->path();
  if (name.scope == Namespace::Local) posix::check_local_owner(object->fd(), path);
  const uint64_t object_bytes = file_size(object->fd(), path);
  if (object_bytes < sizeof(ObjectHeader)) fail(SHMLINK_ERR_CORRUPT, path + " is too small for a header");
  ObjectHeader header{};
  read_exact(object->fd(), &header, sizeof header, 0, path);
  validate_header(header, object_bytes, SHMLINK_KIND_SEGMENT);
  if (header.data_bytes == 0 || header.data_bytes > static_cast<uint64_t>(INT64_MAX) - kHeaderPageBytes)
    fail(SHMLINK_ERR_CORRUPT, path + " says its size is " + std::to_string(header.data_bytes));

  if ((header.flags & kHeaderFileBacked) == 0) {
    const int fd = object->fd();
    return std::make_shared<PosixSegment>(std::move(object), fd, false, header.header_bytes, header.data_bytes,
                                          access);
  }
  if ((header.flags & kHeaderReadOnly) != 0 && access == Access::ReadWrite)
    fail(SHMLINK_ERR_ACCESS_DENIED, "the segment was made from a file opened without write access; it cannot be "
                                    "opened read-write");
  std::string file_path(header.path_bytes, '\0');
  read_exact(object->fd(), file_path.data(), file_path.size(), sizeof header, path);
  if (file_path[0] != '/' || file_path.find('\0') != std::string::npos)
    fail(SHMLINK_ERR_CORRUPT, path + " names no absolute file path");
  const int file_fd = open(file_path.c_str(), open_flags_for(access) | O_CLOEXEC);
  if (file_fd < 0) throw_errno(errno, "open " + file_path);
  try {
    if (file_size(file_fd, file_path) < header.data_bytes)
      fail(SHMLINK_ERR_CORRUPT, file_path + " is shorter than the segment made from it");
  } catch (...) {
    close(file_fd);
    throw;
  }
  return std::make_shared<PosixSegment>(std::move(object), file_fd, true, 0, header.data_bytes, access);
}

// The name is taken: decide between EXISTED (open it), ALREADY_EXISTS and WRONG_KIND.
// Returns null if the object vanished meanwhile (the caller tries to create again).
std::shared_ptr<SegmentBacking> open_existing(const std::string& path, const ObjectName& name, uint32_t flags,
                                              Access access) {
  const bool open_or_create = (flags & SHMLINK_OPEN_OR_CREATE) != 0;
  std::unique_ptr<NamedObject> object =
      posix::open_published(path, open_or_create ? open_flags_for(access) : O_RDONLY);
  if (!object) return nullptr;
  if (!open_or_create) {
    // A squatted Local\ name is refused as such, not reported as a segment of ours.
    if (name.scope == Namespace::Local) posix::check_local_owner(object->fd(), path);
    ObjectHeader header{};
    const bool readable = pread(object->fd(), &header, sizeof header, 0) == static_cast<ssize_t>(sizeof header);
    if (readable && header.magic == kHeaderMagic && header.kind != SHMLINK_KIND_SEGMENT)
      fail(SHMLINK_ERR_WRONG_KIND, std::string("the name belongs to a ") + kind_name(header.kind));
    fail(SHMLINK_ERR_ALREADY_EXISTS, "a segment of that name exists");
  }
  return segment_from_object(std::move(object), name, access);
}

}  // namespace

uint64_t allocation_granularity() noexcept {
  static const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return page;
}

OpenedSegment platform_create_segment(const ObjectName& name, uint64_t size, uint32_t flags) {
  const std::string path = posix::object_path(name);
  if (size > static_cast<uint64_t>(INT64_MAX) - kHeaderPageBytes || size > SIZE_MAX)
    fail(SHMLINK_ERR_NO_RESOURCES, "no system can provide a segment of " + std::to_string(size) + " bytes");
  posix::remove_dead_objects();
  const uint64_t object_bytes = kHeaderPageBytes + size;
  // A bounded number of rounds: each one means the name vanished between two steps.
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::unique_ptr<NamedObject> created = posix::publish_new(path, mode_for(name, flags), [&](int fd) {
      check_shm_space(object_bytes);
      if (ftruncate(fd, static_cast<off_t>(object_bytes)) != 0) throw_errno(errno, "ftruncate " + path);
      reserve(fd, 0, object_bytes, path);
      const ObjectHeader header = make_header(size, 0);
      write_all(fd, &header, sizeof header, 0, path);
    });
    if (created) {
      const int fd = created->fd();
      return {std::make_shared<PosixSegment>(std::move(created), fd, false, kHeaderPageBytes, size, Access::ReadWrite),
              false};
    }
    if (auto existing = open_existing(path, name, flags, Access::ReadWrite)) return {std::move(existing), true};
  }
  fail(SHMLINK_ERR_SYSTEM, "the name kept appearing and disappearing while creating it");
}

std::shared_ptr<SegmentBacking> platform_open_segment(const ObjectName& name, Access access) {
  const std::string path = posix::object_path(name);
  std::unique_ptr<NamedObject> object = posix::open_published(path, open_flags_for(access));
  if (!object) fail(SHMLINK_ERR_NOT_FOUND, "no object of that name");
  return segment_from_object(std::move(object), name, access);
}

OpenedSegment platform_segment_from_file(const char* file_path, const ObjectName* name, uint64_t size, Access access,
                                         uint32_t flags) {
  const bool writable = access == Access::ReadWrite;
  const int file_fd = open(file_path, (writable ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0666);
  if (file_fd < 0) {
    if (errno == ENOENT && !writable)
      throw_errno(errno, std::string("open ") + file_path + " (only READ_WRITE access creates a missing file)");
    throw_errno(errno, std::string("open ") + file_path);
  }
  std::unique_ptr<NamedObject> named;
  try {
    struct stat status {};
    if (fstat(file_fd, &status) != 0) throw_errno(errno, std::string("fstat ") + file_path);
    if (!S_ISREG(status.st_mode)) fail(SHMLINK_ERR_INVALID_ARGUMENT, std::string(file_path) + " is not a regular file");
    const uint64_t current = static_cast<uint64_t>(status.st_size);
    if (size == 0) size = current;
    if (size == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "the file is empty and size is 0: nothing to map");
    if (size > static_cast<uint64_t>(INT64_MAX) || size > SIZE_MAX)
      fail(SHMLINK_ERR_NO_RESOURCES, "no system can provide a segment of " + std::to_string(size) + " bytes");
    if (size > current) {
      if (!writable)
        fail(SHMLINK_ERR_ACCESS_DENIED, "the file has " + std::to_string(current) + " bytes; growing it to " +
                                            std::to_string(size) + " needs READ_WRITE access");
      reserve(file_fd, current, size - current, file_path);
    }
    if (name == nullptr)
      return {std::make_shared<PosixSegment>(nullptr, file_fd, true, 0, size, access), false};

    char* resolved = realpath(file_path, nullptr);
    if (resolved == nullptr) throw_errno(errno, std::string("realpath ") + file_path);
    const std::string absolute(resolved);
    std::free(resolved);
    if (absolute.size() > kMaxHeaderPathBytes)
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "the file's absolute path is longer than " +
                                             std::to_string(kMaxHeaderPathBytes) + " bytes");
    const std::string path = posix::object_path(*name);
    posix::remove_dead_objects();
    for (int attempt = 0; attempt < 100; ++attempt) {
      named = posix::publish_new(path, mode_for(*name, flags), [&](int fd) {
        if (ftruncate(fd, kHeaderPageBytes) != 0) throw_errno(errno, "ftruncate " + path);
        const ObjectHeader header = make_header(size, static_cast<uint32_t>(absolute.size()), !writable);
        write_all(fd, &header, sizeof header, 0, path);
        write_all(fd, absolute.data(), absolute.size(), sizeof header, path);
      });
      if (named) return {std::make_shared<PosixSegment>(std::move(named), file_fd, true, 0, size, access), false};
      if (auto existing = open_existing(path, *name, flags, access)) {
        close(file_fd);
        return {std::move(existing), true};
      }
    }
    fail(SHMLINK_ERR_SYSTEM, "the name kept appearing and disappearing while creating it");
  } catch (...) {
    close(file_fd);
    throw;
  }
}

}  // namespace shmlink
