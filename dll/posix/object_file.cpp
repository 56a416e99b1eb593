#include "object_file.h"

#include "os_error.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace shmlink::posix {

mode_t shared_mode(uint32_t flags) {
  if (flags & SHMLINK_SHARE_ALL_USERS) return 0666;
  if (flags & SHMLINK_SHARE_GROUP) return 0660;
  return 0600;
}

mode_t mode_for(const ObjectName& name, uint32_t flags) {
  // Local names live in a per-user namespace: nobody else ever looks there.
  if (name.scope == Namespace::Local) return 0600;
  return shared_mode(flags);
}

std::unique_ptr<NamedObject> open_object(const std::string& path, int32_t kind, int open_flags) {
  if (kind != SHMLINK_KIND_SEGMENT || (open_flags & O_ACCMODE) != O_RDWR) return open_published(path, open_flags);
  try {
    return open_published(path, open_flags);
  } catch (const Failure& failure) {
    if (failure.os_error() != EACCES) throw;
  }
  return open_published(path, (open_flags & ~O_ACCMODE) | O_RDONLY);
}

ObjectHeader make_header(int32_t kind, uint64_t data_bytes, uint32_t path_bytes, uint32_t extra_flags) {
  ObjectHeader header{};
  header.magic = kHeaderMagic;
  header.layout_version = kLayoutVersion;
  header.kind = static_cast<uint16_t>(kind);
  header.state = kStateReady;
  header.flags = (path_bytes != 0 ? kHeaderFileBacked : 0) | extra_flags;
  header.header_bytes = kHeaderPageBytes;
  header.data_bytes = data_bytes;
  header.path_bytes = path_bytes;
  return header;
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
    if (got == 0) fail(SHMLINK_ERR_CORRUPT, what + " is shorter than its header says");
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

namespace {

// CREATE_NEW found `existing` at the name: says what holds the name, never as an object of
// ours when another user squats a Local\ name.
[[noreturn]] void refuse_taken_name(NamedObject& existing, const ObjectName& name, const std::string& path,
                                    int32_t kind) {
  if (name.scope == Namespace::Local) check_local_owner(existing.fd(), path);
  ObjectHeader header{};
  const bool readable = pread(existing.fd(), &header, sizeof header, 0) == static_cast<ssize_t>(sizeof header);
  if (!readable || header.magic != kHeaderMagic)
    fail(SHMLINK_ERR_ALREADY_EXISTS, "the name is taken by a file that is not a shmlink object");
  if (header.kind != kind) fail(SHMLINK_ERR_WRONG_KIND, std::string("the name belongs to a ") + kind_name(header.kind));
  fail(SHMLINK_ERR_ALREADY_EXISTS, std::string("a ") + kind_name(kind) + " of that name exists");
}

}  // namespace

CreatedObject create_named_object(const ObjectName& name, uint32_t flags, int32_t kind, int open_flags,
                                  const std::function<void(int fd)>& initialize, ObjectContents contents) {
  const std::string path = object_path(name);
  const bool open_or_create = (flags & SHMLINK_OPEN_OR_CREATE) != 0;
  mode_t mode = mode_for(name, flags);
  if (contents == ObjectContents::DescriptorOnly) mode &= ~static_cast<mode_t>(S_IWGRP | S_IWOTH);
  remove_dead_objects();
  // A bounded number of rounds: each one means the name vanished between two steps. The name
  // is looked up before a new object is reserved, so that a taken name is reported as taken
  // (or opened) even when /dev/shm has no room left for a new object of that size.
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (std::unique_ptr<NamedObject> existing = open_or_create ? open_object(path, kind, open_flags)
                                                               : open_published(path, O_RDONLY)) {
      if (open_or_create) return {std::move(existing), true};
      refuse_taken_name(*existing, name, path, kind);
    }
    if (std::unique_ptr<NamedObject> created = publish_new(path, mode, initialize)) return {std::move(created), false};
  }
  fail(SHMLINK_ERR_SYSTEM, "the name kept appearing and disappearing while creating it");
}

ObjectHeader validate_object(NamedObject& object, const ObjectName& name, int32_t kind) {
  const std::string& path = object.path();
  if (name.scope == Namespace::Local) check_local_owner(object.fd(), path);
  const uint64_t object_bytes = file_size(object.fd(), path);
  if (object_bytes < sizeof(ObjectHeader)) fail(SHMLINK_ERR_CORRUPT, path + " is too small for a header");
  ObjectHeader header{};
  read_exact(object.fd(), &header, sizeof header, 0, path);
  validate_header(header, object_bytes, kind);
  object.mark_validated();
  return header;
}

std::unique_ptr<NamedObject> open_validated(const ObjectName& name, int32_t kind, int open_flags,
                                            ObjectHeader* out_header) {
  std::unique_ptr<NamedObject> object = open_published(object_path(name), open_flags);
  if (!object) fail(SHMLINK_ERR_NOT_FOUND, "no object of that name");
  *out_header = validate_object(*object, name, kind);
  return object;
}

ObjectMapping::ObjectMapping(int fd, uint64_t bytes, const std::string& what) : bytes_(bytes) {
  // A size from shared memory, perhaps written by a 64-bit peer: never cut it to fit a 32-bit
  // size_t (that would map less than the object's layout then trusts).
  if (bytes > SIZE_MAX)
    fail(SHMLINK_ERR_NO_RESOURCES, what + " of " + std::to_string(bytes) + " bytes does not fit in the address space");
  base_ = mmap(nullptr, static_cast<size_t>(bytes), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base_ == MAP_FAILED) throw_errno(errno, "mmap " + what);
  try {
    guard_ = std::make_unique<GuardedRegion>(base_, static_cast<size_t>(bytes), PROT_READ | PROT_WRITE);
  } catch (...) {
    munmap(base_, static_cast<size_t>(bytes));
    throw;
  }
}

ObjectMapping::~ObjectMapping() {
  if (keep_) return;
  guard_.reset();  // unguarded before it is unmapped: the address may be reused at once
  munmap(base_, static_cast<size_t>(bytes_));
}

}  // namespace shmlink::posix
