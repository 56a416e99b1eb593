// Handing a segment to another process on Linux (issue 17): the token names a descriptor of
// the sharing process by number, device and inode,
//   shmlink1:L:<pid>:<kind>:<access>:<fd>:<device>:<inode>:<data offset>:<size>
// A child inherits the descriptor (made without O_CLOEXEC) and takes it over; a running
// process takes a copy with pidfd_getfd. Whatever the token says is checked against the
// descriptor it leads to (a token comes from the command line: anyone may have written it),
// and the file's own header where it has one.
#include "../core/free_range.h"
#include "../core/handoff_token.h"
#include "../core/object_header.h"
#include "../core/platform.h"
#include "object_file.h"
#include "os_error.h"
#include "segment_posix.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434  // the same number on every architecture (the unified syscall table)
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#endif

namespace shmlink {
namespace {

using posix::throw_errno;

constexpr char kLinuxTag[] = "L";

struct Token {
  uint64_t pid = 0;
  int32_t kind = 0;
  Access access = Access::Read;
  int fd = -1;
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t data_offset = 0;
  uint64_t size = 0;
};

Token parse_token(const char* text) {
  if (text == nullptr) fail(SHMLINK_ERR_INVALID_ARGUMENT, "token is NULL");
  const std::vector<std::string> fields = token_fields(text, kLinuxTag, 8);
  Token token;
  token.pid = token_number(fields[0], INT_MAX, "process id");
  token.kind = static_cast<int32_t>(token_number(fields[1], INT32_MAX, "kind"));
  token.access = token_access(fields[2]);
  token.fd = static_cast<int>(token_number(fields[3], INT_MAX, "descriptor"));
  token.device = token_number(fields[4], UINT64_MAX, "device");
  token.inode = token_number(fields[5], UINT64_MAX, "inode");
  token.data_offset = token_number(fields[6], UINT64_MAX, "offset");
  token.size = token_number(fields[7], static_cast<uint64_t>(INT64_MAX) - kHeaderPageBytes, "size");
  if (token.kind != SHMLINK_KIND_SEGMENT)
    fail(SHMLINK_ERR_NOT_SUPPORTED, std::string("the token names a ") + kind_name(token.kind) +
                                        ": only segments can be handed on");
  if (token.data_offset != 0 && token.data_offset != kHeaderPageBytes)
    fail(SHMLINK_ERR_INVALID_ARGUMENT, "not a shmlink token: bad offset");
  if (token.size == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "not a shmlink token: size 0");
  return token;
}

std::string format_token(const Token& token) {
  return make_token(kLinuxTag, {std::to_string(token.pid), std::to_string(token.kind),
                                std::string(1, token_access_letter(token.access)), std::to_string(token.fd),
                                std::to_string(token.device), std::to_string(token.inode),
                                std::to_string(token.data_offset), std::to_string(token.size)});
}

// The descriptors this process shared and has not unshared (or taken back itself), so that
// unshare closes only what share made, never a descriptor whose number was reused.
struct SharedDescriptor {
  int fd;
  uint64_t device;
  uint64_t inode;
};
std::mutex shared_mutex;
std::vector<SharedDescriptor> shared_descriptors;

// Forgets the shared descriptor `fd` of the token; true if it was there.
bool forget_shared(const Token& token) {
  std::lock_guard<std::mutex> lock(shared_mutex);
  for (auto it = shared_descriptors.begin(); it != shared_descriptors.end(); ++it) {
    if (it->fd == token.fd && it->device == token.device && it->inode == token.inode) {
      shared_descriptors.erase(it);
      return true;
    }
  }
  return false;
}

// A copy of `fd` numbered 3 or above (stdin, stdout and stderr are the child's own), with
// O_CLOEXEC. Throws Failure.
int duplicate(int fd) {
  const int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0) throw_errno(errno, "duplicating a segment's descriptor");
  return copy;
}

// A new read-only open file description of the file behind `fd` (a copy of `fd` would keep
// its write access, which the receiver could use: the access mode is the descriptor's).
int reopen_read_only(int fd) {
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const int reopened = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (reopened < 0) throw_errno(errno, "reopening a segment read-only through " + path);
  if (reopened >= 3) return reopened;
  try {
    const int copy = duplicate(reopened);
    close(reopened);
    return copy;
  } catch (...) {
    close(reopened);
    throw;
  }
}

// The file behind a received descriptor must be the one the token names, and have what the
// token says in it. Returns the access the handle gets. Throws Failure.
Access check_received(int fd, const Token& token, uint32_t flags) {
  struct stat status {};
  if (fstat(fd, &status) != 0) throw_errno(errno, "fstat of a received descriptor");
  if (static_cast<uint64_t>(status.st_dev) != token.device || static_cast<uint64_t>(status.st_ino) != token.inode)
    fail(SHMLINK_ERR_NOT_FOUND, "descriptor " + std::to_string(token.fd) +
                                    " is not the object the token names (the token is stale, used already, or forged)");
  if (!S_ISREG(status.st_mode)) fail(SHMLINK_ERR_NOT_FOUND, "the token's descriptor is not a segment's file");
  const int mode = fcntl(fd, F_GETFL) & O_ACCMODE;
  if (token.access == Access::ReadWrite && mode != O_RDWR)
    fail(SHMLINK_ERR_ACCESS_DENIED, "the token says read-write, but its descriptor may not write");
  if (mode != O_RDWR && mode != O_RDONLY) fail(SHMLINK_ERR_ACCESS_DENIED, "the token's descriptor may not read");
  const uint64_t file_bytes = static_cast<uint64_t>(status.st_size);
  if (file_bytes < token.data_offset || file_bytes - token.data_offset < token.size)
    fail(SHMLINK_ERR_CORRUPT, "the token's file has " + std::to_string(file_bytes) + " bytes, fewer than the " +
                                  std::to_string(token.size) + " of the segment it names");
  if (token.data_offset == kHeaderPageBytes) {
    // A segment object of shmlink (named or unnamed): its header says what it is.
    ObjectHeader header{};
    posix::read_exact(fd, &header, sizeof header, 0, "a received segment's header");
    validate_header(header, file_bytes, SHMLINK_KIND_SEGMENT);
    if ((header.flags & kHeaderFileBacked) != 0 || header.header_bytes != kHeaderPageBytes ||
        header.data_bytes != token.size)
      fail(SHMLINK_ERR_CORRUPT, "the token's segment is not the one its header describes");
  }
  if ((flags & SHMLINK_HANDOFF_READ_ONLY) != 0) return Access::Read;
  return token.access;
}

// A copy of descriptor `fd` of the running process `pid` (pidfd_getfd: the right to ptrace it
// is needed). Throws Failure.
int take_from_process(const Token& token) {
  const long pidfd = syscall(SYS_pidfd_open, static_cast<pid_t>(token.pid), 0);
  if (pidfd < 0) {
    const int error = errno;
    if (error == ENOSYS) throw_errno(SHMLINK_ERR_NOT_SUPPORTED, error, "pidfd_open (Linux 5.3 and later)");
    if (error == ESRCH) throw_errno(SHMLINK_ERR_NOT_FOUND, error, "the sharing process " + std::to_string(token.pid) + " is gone");
    throw_errno(error, "pidfd_open of process " + std::to_string(token.pid));
  }
  const long taken = syscall(SYS_pidfd_getfd, static_cast<int>(pidfd), token.fd, 0);
  const int error = errno;
  close(static_cast<int>(pidfd));
  if (taken >= 0) return static_cast<int>(taken);
  if (error == ENOSYS) throw_errno(SHMLINK_ERR_NOT_SUPPORTED, error, "pidfd_getfd (Linux 5.6 and later)");
  if (error == EPERM)
    throw_errno(SHMLINK_ERR_ACCESS_DENIED, error,
                "taking a descriptor from process " + std::to_string(token.pid) +
                    " needs the right to ptrace it (the same user; with Yama ptrace_scope 1 only its ancestors)");
  if (error == EBADF)
    throw_errno(SHMLINK_ERR_NOT_FOUND, error, "process " + std::to_string(token.pid) + " has no descriptor " +
                                                   std::to_string(token.fd) + " any more (unshared?)");
  if (error == ESRCH) throw_errno(SHMLINK_ERR_NOT_FOUND, error, "the sharing process is gone");
  throw_errno(error, "pidfd_getfd from process " + std::to_string(token.pid));
}

}  // namespace

std::string platform_share_segment(SegmentBacking& segment, uint32_t flags) {
  const posix::SegmentFile file = posix::segment_file(segment);
  const bool inheritable = (flags & SHMLINK_HANDOFF_RUNNING_PROCESS) == 0;
  Access access = file.access;
  if ((flags & SHMLINK_HANDOFF_READ_ONLY) != 0) access = Access::Read;
  // An unnamed segment's memfd: once others hold it, nobody may change its size under them
  // (a shrink would leave them reading zeros). Not possible for other files: nothing to do.
  if (!file.named && file.data_offset == kHeaderPageBytes)
    fcntl(file.fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW);
  const bool descriptor_writes = (fcntl(file.fd, F_GETFL) & O_ACCMODE) == O_RDWR;
  const int fd = access != Access::ReadWrite && descriptor_writes ? reopen_read_only(file.fd) : duplicate(file.fd);
  try {
    struct stat status {};
    if (fstat(fd, &status) != 0) throw_errno(errno, "fstat of a shared segment");
    Token token;
    token.pid = static_cast<uint64_t>(getpid());
    token.kind = SHMLINK_KIND_SEGMENT;
    token.access = access;
    token.fd = fd;
    token.device = static_cast<uint64_t>(status.st_dev);
    token.inode = static_cast<uint64_t>(status.st_ino);
    token.data_offset = file.data_offset;
    token.size = file.size;
    std::string text = format_token(token);
    std::lock_guard<std::mutex> lock(shared_mutex);
    shared_descriptors.push_back({fd, token.device, token.inode});
    // Last: from here on every child started inherits it, until unshare.
    if (inheritable && fcntl(fd, F_SETFD, 0) != 0) {
      shared_descriptors.pop_back();
      throw_errno(errno, "making a shared descriptor inheritable");
    }
    return text;
  } catch (...) {
    close(fd);
    throw;
  }
}

void platform_unshare(const char* text) {
  const Token token = parse_token(text);
  if (token.pid != static_cast<uint64_t>(getpid()) || !forget_shared(token))
    fail(SHMLINK_ERR_NOT_FOUND, "this process did not share that token, or unshared it already");
  close(token.fd);
}

std::shared_ptr<SegmentBacking> platform_segment_from_token(const char* text, uint32_t flags) {
  const Token token = parse_token(text);
  if ((flags & SHMLINK_HANDOFF_RUNNING_PROCESS) != 0) {
    const int fd = take_from_process(token);
    try {
      const Access access = check_received(fd, token, flags);
      return posix::segment_from_descriptor(fd, token.data_offset, token.size, access);
    } catch (...) {
      close(fd);
      throw;
    }
  }
  // Inherited: the descriptor must be there, and be one made to be inherited (the library's
  // own are O_CLOEXEC), unless this very process shared it.
  const int descriptor_flags = fcntl(token.fd, F_GETFD);
  if (descriptor_flags < 0)
    throw_errno(SHMLINK_ERR_NOT_FOUND, errno,
                "this process has no descriptor " + std::to_string(token.fd) +
                    " (the token was used already, unshared before the process started, or is for a running "
                    "process: SHMLINK_HANDOFF_RUNNING_PROCESS)");
  const bool shared_here = token.pid == static_cast<uint64_t>(getpid());
  if ((descriptor_flags & FD_CLOEXEC) != 0 && !shared_here)
    fail(SHMLINK_ERR_NOT_FOUND, "descriptor " + std::to_string(token.fd) + " was not inherited: not the token's");
  const int fd = duplicate(token.fd);
  try {
    const Access access = check_received(fd, token, flags);
    std::shared_ptr<SegmentBacking> segment = posix::segment_from_descriptor(fd, token.data_offset, token.size, access);
    // Taken over: the inherited number goes, so that no child of this one inherits it and
    // the token cannot be used again.
    if (!shared_here || forget_shared(token)) close(token.fd);
    return segment;
  } catch (...) {
    close(fd);
    throw;
  }
}

void* platform_find_free_range(uint64_t size) {
  const uint64_t granularity = allocation_granularity();
  if (size > SIZE_MAX - granularity) fail(SHMLINK_ERR_NO_RESOURCES, "no address range is that large");
  const size_t length = static_cast<size_t>((size + granularity - 1) / granularity * granularity);
  void* hint = reinterpret_cast<void*>(free_range_hint(length, granularity));
  // Without MAP_FIXED the hint is only a wish: where it is taken, the kernel picks a free
  // range elsewhere, which is as good an answer.
  void* found = mmap(hint, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (found == MAP_FAILED) throw_errno(SHMLINK_ERR_NO_RESOURCES, errno, "no free range of " + std::to_string(size) + " bytes");
  munmap(found, length);
  return found;
}

}  // namespace shmlink
