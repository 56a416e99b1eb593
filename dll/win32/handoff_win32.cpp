// Handing a segment to another process on Windows (issue 17): the token names a handle of the
// sharing process, duplicated from the segment's section,
//   shmlink1:W:<pid>:<kind>:<access>:<handle>:<size>
// inheritable for a child started with bInheritHandles TRUE, or not, for a running process to
// duplicate out of the sharer. A parent written with raw Win32 can hand a section of its own
// to a shmlink child by writing such a token for an inheritable handle.
#include "../core/free_range.h"
#include "../core/handoff_token.h"
#include "../core/object_header.h"
#include "../core/platform.h"
#include "os_error.h"
#include "segment_win32.h"
#include "unique_handle.h"

#include <windows.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace shmlink {
namespace {

using win32::throw_win32;
using win32::UniqueHandle;

constexpr char kWindowsTag[] = "W";

struct Token {
  uint64_t pid = 0;
  int32_t kind = 0;
  Access access = Access::Read;
  uint64_t handle = 0;
  uint64_t size = 0;
};

HANDLE as_handle(uint64_t value) { return reinterpret_cast<HANDLE>(static_cast<uintptr_t>(value)); }

Token parse_token(const char* text) {
  if (text == nullptr) fail(SHMLINK_ERR_INVALID_ARGUMENT, "token is NULL");
  const std::vector<std::string> fields = token_fields(text, kWindowsTag, 5);
  Token token;
  token.pid = token_number(fields[0], UINT32_MAX, "process id");
  token.kind = static_cast<int32_t>(token_number(fields[1], INT32_MAX, "kind"));
  token.access = token_access(fields[2]);
  token.handle = token_number(fields[3], UINTPTR_MAX, "handle");
  token.size = token_number(fields[4], static_cast<uint64_t>(INT64_MAX), "size");
  if (token.kind != SHMLINK_KIND_SEGMENT)
    fail(SHMLINK_ERR_NOT_SUPPORTED, std::string("the token names a ") + kind_name(token.kind) +
                                        ": only segments can be handed on");
  if (token.handle == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "not a shmlink token: handle 0");
  if (token.size == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "not a shmlink token: size 0");
  return token;
}

// The handles this process shared and has not unshared (or taken back itself), so that
// unshare closes only what share made.
std::mutex shared_mutex;
std::vector<uint64_t> shared_handles;

bool forget_shared(uint64_t handle) {
  std::lock_guard<std::mutex> lock(shared_mutex);
  for (auto it = shared_handles.begin(); it != shared_handles.end(); ++it) {
    if (*it == handle) {
      shared_handles.erase(it);
      return true;
    }
  }
  return false;
}

// A segment over a handle received (owned here), if it is a section: anything else is not
// what the token names.
std::shared_ptr<SegmentBacking> segment_from_received(HANDLE received, const Token& token, uint32_t flags) {
  const Access access = (flags & SHMLINK_HANDOFF_READ_ONLY) != 0 ? Access::Read : token.access;
  try {
    return win32::segment_from_section(received, token.size, access);
  } catch (const Failure& failure) {
    if (failure.status() == SHMLINK_ERR_CORRUPT) throw;
    throw Failure(SHMLINK_ERR_NOT_FOUND, "handle " + std::to_string(token.handle) +
                                             " is not a section (the token is stale, used already, or forged): " +
                                             failure.detail());
  }
}

}  // namespace

std::string platform_share_segment(SegmentBacking& segment, uint32_t flags) {
  const HANDLE section = win32::segment_section(segment);
  const bool inheritable = (flags & SHMLINK_HANDOFF_RUNNING_PROCESS) == 0;
  Access access = segment.access();
  if ((flags & SHMLINK_HANDOFF_READ_ONLY) != 0) access = Access::Read;
  // A narrower copy where the receiver may not write; the same rights otherwise.
  const bool narrow = access != Access::ReadWrite;
  HANDLE copy = nullptr;
  if (!DuplicateHandle(GetCurrentProcess(), section, GetCurrentProcess(), &copy,
                       narrow ? SECTION_QUERY | SECTION_MAP_READ : 0, inheritable ? TRUE : FALSE,
                       narrow ? 0 : DUPLICATE_SAME_ACCESS))
    throw_win32(GetLastError(), "DuplicateHandle of a segment's section");
  const uint64_t value = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(copy));
  try {
    std::string text =
        make_token(kWindowsTag, {std::to_string(GetCurrentProcessId()), std::to_string(SHMLINK_KIND_SEGMENT),
                                 std::string(1, token_access_letter(access)), std::to_string(value),
                                 std::to_string(segment.size())});
    std::lock_guard<std::mutex> lock(shared_mutex);
    shared_handles.push_back(value);
    return text;
  } catch (...) {
    CloseHandle(copy);
    throw;
  }
}

void platform_unshare(const char* text) {
  const Token token = parse_token(text);
  if (token.pid != GetCurrentProcessId() || !forget_shared(token.handle))
    fail(SHMLINK_ERR_NOT_FOUND, "this process did not share that token, or unshared it already");
  CloseHandle(as_handle(token.handle));
}

std::shared_ptr<SegmentBacking> platform_segment_from_token(const char* text, uint32_t flags) {
  const Token token = parse_token(text);
  HANDLE received = nullptr;
  if ((flags & SHMLINK_HANDOFF_RUNNING_PROCESS) != 0) {
    UniqueHandle sharer(OpenProcess(PROCESS_DUP_HANDLE, FALSE, static_cast<DWORD>(token.pid)));
    if (!sharer) {
      const DWORD error = GetLastError();
      if (error == ERROR_INVALID_PARAMETER)
        throw_win32(SHMLINK_ERR_NOT_FOUND, error, "the sharing process " + std::to_string(token.pid) + " is gone");
      throw_win32(error, "OpenProcess(PROCESS_DUP_HANDLE) of process " + std::to_string(token.pid));
    }
    if (!DuplicateHandle(sharer.get(), as_handle(token.handle), GetCurrentProcess(), &received, 0, FALSE,
                         DUPLICATE_SAME_ACCESS)) {
      const DWORD error = GetLastError();
      if (error == ERROR_INVALID_HANDLE)
        throw_win32(SHMLINK_ERR_NOT_FOUND, error, "process " + std::to_string(token.pid) + " has no handle " +
                                                      std::to_string(token.handle) + " any more (unshared?)");
      throw_win32(error, "DuplicateHandle out of process " + std::to_string(token.pid));
    }
    return segment_from_received(received, token, flags);
  }
  // Inherited: the handle must be there and inheritable, unless this very process shared it.
  const HANDLE inherited = as_handle(token.handle);
  DWORD handle_flags = 0;
  if (!GetHandleInformation(inherited, &handle_flags))
    throw_win32(SHMLINK_ERR_NOT_FOUND, GetLastError(),
                "this process has no handle " + std::to_string(token.handle) +
                    " (the token was used already, unshared before the process started, or is for a running "
                    "process: SHMLINK_HANDOFF_RUNNING_PROCESS)");
  const bool shared_here = token.pid == GetCurrentProcessId();
  if ((handle_flags & HANDLE_FLAG_INHERIT) == 0 && !shared_here)
    fail(SHMLINK_ERR_NOT_FOUND, "handle " + std::to_string(token.handle) + " was not inherited: not the token's");
  if (!DuplicateHandle(GetCurrentProcess(), inherited, GetCurrentProcess(), &received, 0, FALSE, DUPLICATE_SAME_ACCESS))
    throw_win32(SHMLINK_ERR_NOT_FOUND, GetLastError(), "DuplicateHandle of handle " + std::to_string(token.handle));
  std::shared_ptr<SegmentBacking> segment = segment_from_received(received, token, flags);
  // Taken over: the inheritable handle goes, so that no child of this one inherits it and the
  // token cannot be used again.
  if (!shared_here || forget_shared(token.handle)) CloseHandle(inherited);
  return segment;
}

void* platform_find_free_range(uint64_t size) {
  const uint64_t granularity = allocation_granularity();
  if (size > SIZE_MAX - granularity) fail(SHMLINK_ERR_NO_RESOURCES, "no address range is that large");
  const SIZE_T length = static_cast<SIZE_T>((size + granularity - 1) / granularity * granularity);
  void* hint = reinterpret_cast<void*>(free_range_hint(length, granularity));
  // Where the hint is taken, anywhere the system finds room is as good an answer.
  void* found = hint != nullptr ? VirtualAlloc(hint, length, MEM_RESERVE, PAGE_NOACCESS) : nullptr;
  if (found == nullptr) found = VirtualAlloc(nullptr, length, MEM_RESERVE | MEM_TOP_DOWN, PAGE_NOACCESS);
  if (found == nullptr)
    throw_win32(SHMLINK_ERR_NO_RESOURCES, GetLastError(), "no free range of " + std::to_string(size) + " bytes");
  VirtualFree(found, 0, MEM_RELEASE);
  return found;
}

}  // namespace shmlink
