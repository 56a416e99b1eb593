// Segments on Linux: a named segment is a /dev/shm object (see named_object.h) whose first
// page is an ObjectHeader and whose data follows; a file-backed named segment's object holds
// only the header and the file's path, and every opener maps the file itself.
#include "../core/object_header.h"
#include "../core/platform.h"
#include "memory_limits.h"
#include "named_object.h"
#include "object_file.h"
#include "os_error.h"
#include "segment_posix.h"
#include "sigbus_guard.h"
#include "unnamed_object.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace shmlink {
namespace {

using posix::NamedObject;
using posix::throw_errno;

// Why mmap at `at` failed, as a status: the range is in use (EEXIST), or it is not one this
// process may map at all (below vm.mmap_min_addr: EPERM; past the end of its address space:
// ENOMEM or EINVAL).
[[noreturn]] void throw_map_at_failure(int error, void* at, uint64_t length) {
  char where[64];
  std::snprintf(where, sizeof where, "%p", at);
  const std::string range = std::to_string(length) + " bytes at " + where;
  if (error == EEXIST) throw_errno(SHMLINK_ERR_ALREADY_EXISTS, error, "the address range of " + range + " is in use");
  if (error == EPERM || error == ENOMEM || error == EINVAL)
    throw_errno(SHMLINK_ERR_INVALID_ARGUMENT, error, range + " is not in this process's address space");
  throw_errno(error, "mmap of " + range);
}

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
  int data_fd() const noexcept { return data_fd_; }
  uint64_t data_offset() const noexcept { return data_offset_; }
  bool named() const noexcept { return named_ != nullptr; }

  // Views are guarded against the truncation of the file under them like the library's own
  // mappings (sigbus_guard.h): a reader meets zeros rather than death by SIGBUS, and the view
  // says so (truncated). A program cannot defend itself otherwise: it would need a SIGBUS
  // handler of its own, and the JVM and the CLR already have theirs.
  MappedRegion map(uint64_t aligned_offset, uint64_t length, Access access, void* at) override {
    if (length > SIZE_MAX) fail(SHMLINK_ERR_NO_RESOURCES, "the view does not fit in the address space");
    const int protection = access == Access::Read ? PROT_READ : PROT_READ | PROT_WRITE;
    const int sharing = access == Access::CopyOnWrite ? MAP_PRIVATE : MAP_SHARED;
    // Past the largest user address any x86-64 kernel gives (57 bits with 5-level paging) is
    // never asked of mmap: some interposers (ThreadSanitizer) would move such a hint elsewhere.
    if (at != nullptr && sizeof(void*) == 8 &&
        reinterpret_cast<uintptr_t>(at) + length > (static_cast<uint64_t>(1) << 56))
      throw_map_at_failure(EINVAL, at, length);
    // At a chosen address: never over an existing mapping (MAP_FIXED would replace it).
    void* base = mmap(at, static_cast<size_t>(length), protection, sharing | (at ? MAP_FIXED_NOREPLACE : 0), data_fd_,
                      static_cast<off_t>(data_offset_ + aligned_offset));
    if (base == MAP_FAILED && at != nullptr) throw_map_at_failure(errno, at, length);
    if (base == MAP_FAILED) throw_errno(errno, "mmap of " + std::to_string(length) + " bytes");
    if (at != nullptr && base != at) {
      // A kernel before 4.17 takes the flag as a hint and maps elsewhere when the range is taken.
      munmap(base, static_cast<size_t>(length));
      fail(SHMLINK_ERR_ALREADY_EXISTS, "the address range is in use");
    }
    try {
      auto guard = std::make_unique<posix::GuardedRegion>(base, static_cast<size_t>(length), protection);
      std::lock_guard<std::mutex> lock(guards_mutex_);
      guards_[base] = std::move(guard);
    } catch (...) {
      munmap(base, static_cast<size_t>(length));
      throw;
    }
    return {base, length};
  }

  void unmap(const MappedRegion& region) noexcept override {
    {
      std::lock_guard<std::mutex> lock(guards_mutex_);
      guards_.erase(region.base);  // unguarded before it is unmapped: the address may be reused at once
    }
    munmap(region.base, static_cast<size_t>(region.length));
  }

  // The placeholder first: the range stays taken while its guard goes.
  Placeholder retire(const MappedRegion& region) noexcept override {
    const Placeholder result = platform_replace_with_placeholder(region);
    if (result != Placeholder::ViewMapped) {
      std::lock_guard<std::mutex> lock(guards_mutex_);
      guards_.erase(region.base);
    }
    return result;
  }

  bool truncated(const MappedRegion& region) const override {
    std::lock_guard<std::mutex> lock(guards_mutex_);
    const auto found = guards_.find(region.base);
    return found != guards_.end() && found->second->truncated();
  }

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
  mutable std::mutex guards_mutex_;
  std::map<void*, std::unique_ptr<posix::GuardedRegion>> guards_;  // one per mapped view, by its base
};

int open_flags_for(Access access) { return access == Access::ReadWrite ? O_RDWR : O_RDONLY; }


// Reserves the bytes now, so that running out of memory (or disk) fails here with
// NO_RESOURCES rather than with SIGBUS when a page is first touched.
void reserve(int fd, uint64_t from, uint64_t length, const std::string& what) {
  posix::check_memory_limits(fd, length, what);
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

// Fails with NO_RESOURCES if `size` is more than the machine's memory and swap together.
void check_machine_memory(uint64_t size) {
  struct sysinfo info {};
  if (sysinfo(&info) != 0) return;  // let fallocate decide
  const uint64_t total = (static_cast<uint64_t>(info.totalram) + info.totalswap) * info.mem_unit;
  if (size > total)
    fail(SHMLINK_ERR_NO_RESOURCES, "a segment of " + std::to_string(size) + " bytes does not fit: the machine has " +
                                       std::to_string(total) + " bytes of memory and swap");
}

// Opens the file a file-backed segment's object names, if the object may name it for this
// user. What a peer can write must not choose what this process maps (issue 12, point 1):
//  - the object file is writable by its creator only (ObjectContents::DescriptorOnly), so a
//    path in one that others may write (a rewritten data segment shared with them) was not
//    put there by its creator: refused;
//  - the file belongs to the object's owner (its creator), unless this user is that creator:
//    another user's object naming this user's own file (a private one it can open and the
//    other user cannot) is refused;
//  - the file is still the one the segment was made from (device and inode numbers, if the
//    object records them: those of earlier 1.x libraries do not), not another one put at its
//    path since.
// Throws Failure (ACCESS_DENIED, CORRUPT, ...).
int open_segment_file(const NamedObject& object, const ObjectHeader& header, Access access) {
  const std::string& path = object.path();
  struct stat descriptor {};
  if (fstat(object.fd(), &descriptor) != 0) throw_errno(errno, "fstat " + path);
  if ((descriptor.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    fail(SHMLINK_ERR_ACCESS_DENIED, path + " names a file for the segment's data, but users other than its owner "
                                           "may write it, so anyone may have put that there: refusing to open it");
  std::string file_path(header.path_bytes, '\0');
  posix::read_exact(object.fd(), file_path.data(), file_path.size(), sizeof header, path);
  if (file_path[0] != '/' || file_path.find('\0') != std::string::npos)
    fail(SHMLINK_ERR_CORRUPT, path + " names no absolute file path");
  FileIdentity identity{};
  posix::read_exact(object.fd(), &identity, sizeof identity, kFileIdentityOffset, path);
  const bool identified = identity.device != 0 || identity.inode != 0;  // else made by an earlier 1.x library
  const auto check = [&](const struct stat& file) {
    if (!S_ISREG(file.st_mode)) fail(SHMLINK_ERR_CORRUPT, file_path + " is not a regular file");
    if (file.st_uid != descriptor.st_uid && descriptor.st_uid != geteuid())
      fail(SHMLINK_ERR_ACCESS_DENIED, path + " of user " + std::to_string(descriptor.st_uid) + " names " + file_path +
                                          " of user " + std::to_string(file.st_uid) +
                                          ": a segment's file must belong to the segment's creator");
    if (identified &&
        (static_cast<uint64_t>(file.st_dev) != identity.device || static_cast<uint64_t>(file.st_ino) != identity.inode))
      fail(SHMLINK_ERR_ACCESS_DENIED, file_path + " is not the file the segment was made from (another was put at "
                                                  "its path since): refusing to map it");
  };
  // Looked at before it is opened, so that nothing is even opened (a device, another user's
  // file) that the checks refuse; and again after, which is what counts.
  struct stat before {};
  if (stat(file_path.c_str(), &before) != 0) throw_errno(errno, "stat " + file_path);
  check(before);
  // O_NONBLOCK: never block in open(2) on a FIFO put at the path since.
  const int file_fd = open(file_path.c_str(), open_flags_for(access) | O_CLOEXEC | O_NONBLOCK);
  if (file_fd < 0) throw_errno(errno, "open " + file_path);
  try {
    struct stat opened {};
    if (fstat(file_fd, &opened) != 0) throw_errno(errno, "fstat " + file_path);
    check(opened);
  } catch (...) {
    close(file_fd);
    throw;
  }
  return file_fd;
}

// Turns an opened named object into a segment: checks who owns it and what its header
// says, and for a file-backed one opens the file.
std::shared_ptr<SegmentBacking> segment_from_object(std::unique_ptr<NamedObject> object, const ObjectName& name,
                                                    Access access) {
  const std::string& path = object->path();
  const ObjectHeader header = posix::validate_object(*object, name, SHMLINK_KIND_SEGMENT);
  if (header.data_bytes == 0 || header.data_bytes > static_cast<uint64_t>(INT64_MAX) - kHeaderPageBytes)
    fail(SHMLINK_ERR_CORRUPT, path + " says its size is " + std::to_string(header.data_bytes));

  if ((header.flags & kHeaderFileBacked) == 0) {
    const int fd = object->fd();
    // open_object opens a segment's object read-only where this user may not write it.
    if (access == Access::ReadWrite && (fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDWR)
      fail(SHMLINK_ERR_ACCESS_DENIED, path + " may not be written by this user, so the segment cannot be opened "
                                             "read-write");
    return std::make_shared<PosixSegment>(std::move(object), fd, false, header.header_bytes, header.data_bytes,
                                          access);
  }
  if ((header.flags & kHeaderReadOnly) != 0 && access == Access::ReadWrite)
    fail(SHMLINK_ERR_ACCESS_DENIED, "the segment was made from a file opened without write access; it cannot be "
                                    "opened read-write");
  const int file_fd = open_segment_file(*object, header, access);
  try {
    if (posix::file_size(file_fd, path) < header.data_bytes)
      fail(SHMLINK_ERR_CORRUPT, path + " names a file shorter than the segment made from it");
  } catch (...) {
    close(file_fd);
    throw;
  }
  return std::make_shared<PosixSegment>(std::move(object), file_fd, true, 0, header.data_bytes, access);
}

// Opens a new segment's file, making it if it is missing and `writable`, with `mode` exactly
// (whatever the umask). A file that exists keeps its mode.
int open_or_make_file(const char* file_path, bool writable, mode_t mode) {
  // O_NONBLOCK: a FIFO would block open(2) until a writer came; the caller refuses it.
  const int flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK;
  if (writable) {
    // Made with O_EXCL, so that the mode is set only on a file this call made. A few rounds:
    // each means the file was removed between two opens.
    for (int attempt = 0; attempt < 3; ++attempt) {
      int fd = open(file_path, flags | O_CREAT | O_EXCL, mode);
      if (fd >= 0) {
        if (fchmod(fd, mode) != 0) {
          const int error = errno;
          close(fd);
          throw_errno(error, std::string("fchmod ") + file_path);
        }
        return fd;
      }
      if (errno != EEXIST) break;
      fd = open(file_path, flags);
      if (fd >= 0 || errno != ENOENT) return fd;
    }
    // Still neither there nor makeable with O_EXCL: a symbolic link to a missing file, which
    // open(2) makes through the link, with `mode` narrowed by the umask (never wider).
    if (errno == EEXIST || errno == ENOENT) return open(file_path, flags | O_CREAT, mode);
    return -1;
  }
  return open(file_path, flags);
}

}  // namespace

uint64_t allocation_granularity() noexcept {
  static const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return page;
}

// MAP_FIXED swaps the view's pages for anonymous ones in one step: the range is never free
// for another mapping in between. MAP_NORESERVE: pages nobody touches cost nothing.
Placeholder platform_replace_with_placeholder(const MappedRegion& region) noexcept {
  void* placeholder = mmap(region.base, static_cast<size_t>(region.length), PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
  return placeholder == region.base ? Placeholder::Kept : Placeholder::ViewMapped;
}

void platform_release_placeholder(const MappedRegion& region) noexcept {
  munmap(region.base, static_cast<size_t>(region.length));
}

OpenedSegment platform_create_segment(const ObjectName& name, uint64_t size, uint32_t flags) {
  if (size > static_cast<uint64_t>(INT64_MAX) - kHeaderPageBytes || size > SIZE_MAX)
    fail(SHMLINK_ERR_NO_RESOURCES, "no system can provide a segment of " + std::to_string(size) + " bytes");
  const uint64_t object_bytes = kHeaderPageBytes + size;
  posix::CreatedObject created =
      posix::create_named_object(name, flags, SHMLINK_KIND_SEGMENT, O_RDWR, [&](int fd) {
        check_shm_space(object_bytes);
        if (ftruncate(fd, static_cast<off_t>(object_bytes)) != 0) throw_errno(errno, "ftruncate of a segment");
        reserve(fd, 0, object_bytes, "a segment");
        const ObjectHeader header = posix::make_header(SHMLINK_KIND_SEGMENT, size, 0);
        posix::write_all(fd, &header, sizeof header, 0, "a segment's header");
      });
  if (created.existed) return {segment_from_object(std::move(created.object), name, Access::ReadWrite), true};
  const int fd = created.object->fd();
  return {std::make_shared<PosixSegment>(std::move(created.object), fd, false, kHeaderPageBytes, size, Access::ReadWrite),
          false};
}

std::shared_ptr<SegmentBacking> platform_create_unnamed_segment(uint64_t size) {
  if (size > static_cast<uint64_t>(INT64_MAX) - kHeaderPageBytes || size > SIZE_MAX)
    fail(SHMLINK_ERR_NO_RESOURCES, "no system can provide a segment of " + std::to_string(size) + " bytes");
  const uint64_t object_bytes = kHeaderPageBytes + size;
  // A memfd is not in /dev/shm: no file system of ours limits it, so a reservation beyond
  // what the machine could ever back would only bring the OOM killer.
  check_machine_memory(object_bytes);
  std::unique_ptr<posix::UnnamedObject> object = posix::create_unnamed_object(SHMLINK_KIND_SEGMENT, [&](int fd) {
    if (ftruncate(fd, static_cast<off_t>(object_bytes)) != 0) throw_errno(errno, "ftruncate of a segment");
    reserve(fd, 0, object_bytes, "an unnamed segment");
    const ObjectHeader header = posix::make_header(SHMLINK_KIND_SEGMENT, size, 0);
    posix::write_all(fd, &header, sizeof header, 0, "a segment's header");
  });
  const int fd = object->release();
  return std::make_shared<PosixSegment>(nullptr, fd, true, kHeaderPageBytes, size, Access::ReadWrite);
}

std::shared_ptr<SegmentBacking> platform_open_segment(const ObjectName& name, Access access) {
  const std::string path = posix::object_path(name);
  std::unique_ptr<NamedObject> object = posix::open_object(path, SHMLINK_KIND_SEGMENT, open_flags_for(access));
  if (!object) fail(SHMLINK_ERR_NOT_FOUND, "no object of that name");
  return segment_from_object(std::move(object), name, access);
}

OpenedSegment platform_segment_from_file(const char* file_path, const ObjectName* name, uint64_t size, Access access,
                                         uint32_t flags) {
  const bool writable = access == Access::ReadWrite;
  // A file made here is shared as the segment is: no wider than the share flags say (and
  // owner-only for a Local\ name, which nobody else can open).
  const mode_t file_mode = name != nullptr ? posix::mode_for(*name, flags) : posix::shared_mode(flags);
  const int file_fd = open_or_make_file(file_path, writable, file_mode);
  if (file_fd < 0) {
    if (errno == ENOENT && !writable)
      throw_errno(errno, std::string("open ") + file_path + " (only READ_WRITE access creates a missing file)");
    throw_errno(errno, std::string("open ") + file_path);
  }
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
    // Openers map the file at this path only while it is the one opened here.
    struct stat at_path {};
    if (stat(absolute.c_str(), &at_path) != 0) throw_errno(errno, "stat " + absolute);
    if (at_path.st_dev != status.st_dev || at_path.st_ino != status.st_ino)
      fail(SHMLINK_ERR_SYSTEM, absolute + " was replaced by another file while the segment was being made");
    if (absolute.size() > kMaxHeaderPathBytes)
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "the file's absolute path is longer than " +
                                             std::to_string(kMaxHeaderPathBytes) + " bytes");
    posix::CreatedObject created = posix::create_named_object(
        *name, flags, SHMLINK_KIND_SEGMENT, open_flags_for(access),
        [&](int fd) {
          if (ftruncate(fd, kHeaderPageBytes) != 0) throw_errno(errno, "ftruncate of a segment");
          // Made from a file opened without write access: nobody may open it read-write.
          const ObjectHeader header = posix::make_header(
              SHMLINK_KIND_SEGMENT, size, static_cast<uint32_t>(absolute.size()), writable ? 0 : kHeaderReadOnly);
          const FileIdentity identity{static_cast<uint64_t>(status.st_dev), static_cast<uint64_t>(status.st_ino)};
          posix::write_all(fd, &header, sizeof header, 0, "a segment's header");
          posix::write_all(fd, absolute.data(), absolute.size(), sizeof header, "a segment's file path");
          posix::write_all(fd, &identity, sizeof identity, kFileIdentityOffset, "a segment's file identity");
        },
        posix::ObjectContents::DescriptorOnly);
    if (created.existed) {
      std::shared_ptr<SegmentBacking> existing = segment_from_object(std::move(created.object), *name, access);
      close(file_fd);
      return {std::move(existing), true};
    }
    return {std::make_shared<PosixSegment>(std::move(created.object), file_fd, true, 0, size, access), false};
  } catch (...) {
    close(file_fd);
    throw;
  }
}

namespace posix {

SegmentFile segment_file(SegmentBacking& segment) {
  auto* posix_segment = dynamic_cast<PosixSegment*>(&segment);
  if (posix_segment == nullptr) fail(SHMLINK_ERR_NOT_SUPPORTED, "this segment has no descriptor to hand on");
  return {posix_segment->data_fd(), posix_segment->data_offset(), posix_segment->size(), posix_segment->access(),
          posix_segment->named()};
}

std::shared_ptr<SegmentBacking> segment_from_descriptor(int fd, uint64_t data_offset, uint64_t size, Access access) {
  try {
    return std::make_shared<PosixSegment>(nullptr, fd, true, data_offset, size, access);
  } catch (...) {
    close(fd);
    throw;
  }
}

}  // namespace posix

}  // namespace shmlink
