// Segments on Windows: a segment is a section (file mapping) kernel object, named with the
// segment's own name, so that programs calling CreateFileMappingW / OpenFileMappingW
// directly meet the same object, with the data at offset 0. The kernel keeps it alive while
// any handle or view is open. The only thing of ours inside is a size trailer past the end
// of the data of paging-file-backed segments (section_trailer.h).
#include "../core/platform.h"
#include "kernel_name.h"
#include "os_error.h"
#include "section_info.h"
#include "section_trailer.h"
#include "segment_win32.h"
#include "security.h"
#include "unique_handle.h"
#include "wide_string.h"

#include <windows.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace shmlink {
namespace {

using win32::ErrorCode;
using win32::throw_win32;
using win32::UniqueHandle;

// What a user given a share flag may do with a section: open it, map it for reading and
// writing, read its size and its security; not delete it, change its DACL or extend it.
constexpr ACCESS_MASK kSharedSectionAccess = SECTION_QUERY | SECTION_MAP_READ | SECTION_MAP_WRITE | READ_CONTROL;

DWORD high_part(uint64_t value) { return static_cast<DWORD>(value >> 32); }
DWORD low_part(uint64_t value) { return static_cast<DWORD>(value & 0xFFFFFFFFu); }

std::string describe_range(void* at, uint64_t length) {
  char where[64];
  std::snprintf(where, sizeof where, "%p", at);
  return std::to_string(length) + " bytes at " + where;
}

// Fails with INVALID_ARGUMENT unless [at, at + length) lies in the addresses a process may
// map (length > 0).
void check_in_address_space(void* at, uint64_t length) {
  SYSTEM_INFO info{};
  GetSystemInfo(&info);
  const auto first = reinterpret_cast<uintptr_t>(info.lpMinimumApplicationAddress);
  const auto last = reinterpret_cast<uintptr_t>(info.lpMaximumApplicationAddress);
  const auto start = reinterpret_cast<uintptr_t>(at);
  if (start < first || start > last || length - 1 > last - start)
    fail(SHMLINK_ERR_INVALID_ARGUMENT, describe_range(at, length) + " is not in this process's address space");
}

// Why MapViewOfFileEx at `at`, inside the address space, failed, as a status.
[[noreturn]] void throw_map_at_failure(ErrorCode error, void* at, uint64_t length) {
  if (error == ERROR_INVALID_ADDRESS)
    throw_win32(SHMLINK_ERR_ALREADY_EXISTS, error, "the address range of " + describe_range(at, length) + " is in use");
  throw_win32(error, "MapViewOfFileEx of " + describe_range(at, length));
}

class Win32Segment final : public SegmentBacking {
 public:
  // `file` is the backing file of a file-backed segment this process opened itself (kept
  // for FlushFileBuffers), else empty.
  Win32Segment(UniqueHandle section, UniqueHandle file, uint64_t size, Access access)
      : section_(std::move(section)), file_(std::move(file)), size_(size), access_(access) {}

  uint64_t size() const override { return size_; }
  Access access() const override { return access_; }
  HANDLE section() const noexcept { return section_.get(); }

  MappedRegion map(uint64_t aligned_offset, uint64_t length, Access access, void* at) override {
    if (length > SIZE_MAX) fail(SHMLINK_ERR_NO_RESOURCES, "the view does not fit in the address space");
    // FILE_MAP_WRITE gives a read-write view; FILE_MAP_COPY a private copy-on-write one.
    const DWORD desired = access == Access::Read        ? FILE_MAP_READ
                          : access == Access::ReadWrite ? FILE_MAP_WRITE
                                                        : FILE_MAP_COPY;
    if (at != nullptr) check_in_address_space(at, length);
    // MapViewOfFileEx never maps over anything.
    void* base = MapViewOfFileEx(section_.get(), desired, high_part(aligned_offset), low_part(aligned_offset),
                                 static_cast<SIZE_T>(length), at);
    if (base == nullptr && at != nullptr) throw_map_at_failure(GetLastError(), at, length);
    if (base == nullptr)
      throw_win32(GetLastError(), "MapViewOfFile of " + std::to_string(length) + " bytes at offset " +
                                      std::to_string(aligned_offset));
    if (at != nullptr && base != at) {
      // Never elsewhere than asked (Wine has been seen to place a view at another address).
      UnmapViewOfFile(base);
      fail(SHMLINK_ERR_ALREADY_EXISTS, "the view could not be placed at the address asked");
    }
    return {base, length};
  }

  void unmap(const MappedRegion& region) noexcept override {
    // It fails only for an address that is not a view, which the core never passes.
    UnmapViewOfFile(region.base);
  }

  void flush(const MappedRegion& region) override {
    // FlushViewOfFile starts writing the dirty pages back and waits for that; only
    // FlushFileBuffers makes the file's own data and metadata durable.
    if (!FlushViewOfFile(region.base, static_cast<SIZE_T>(region.length)))
      throw_win32(GetLastError(), "FlushViewOfFile");
    // Only a handle with write access may flush a file; a read-only one has nothing to write.
    if (file_ && access_ == Access::ReadWrite && !FlushFileBuffers(file_.get()))
      throw_win32(GetLastError(), "FlushFileBuffers");
  }

 private:
  UniqueHandle section_;
  UniqueHandle file_;
  uint64_t size_;
  Access access_;
};

std::wstring wide_path(const char* path) {
  std::wstring wide;
  if (!win32::utf8_to_wide(path, wide)) fail(SHMLINK_ERR_INVALID_ARGUMENT, "the path is not valid UTF-8");
  return wide;
}

// What CreateFileMappingW's failure means for a name we checked ourselves.
[[noreturn]] void throw_create_failure(ErrorCode error, uint64_t size) {
  switch (error) {
    case ERROR_INVALID_HANDLE:
      // Documented: the name belongs to an object of another type (an event, a mutex, ...).
      throw_win32(SHMLINK_ERR_WRONG_KIND, error, "CreateFileMappingW (the name belongs to another kind of object)");
    case ERROR_INVALID_PARAMETER:
      // Everything but the size is ours and valid by now; this is how a size beyond any
      // section the system can make is refused.
      throw_win32(SHMLINK_ERR_NO_RESOURCES, error, "CreateFileMappingW of " + std::to_string(size) + " bytes");
    default: throw_win32(error, "CreateFileMappingW of " + std::to_string(size) + " bytes");
  }
}

UniqueHandle open_section(const std::wstring& kernel_name, Access access) {
  // SECTION_QUERY so that NtQuerySection can read the size. Copy-on-write views need only
  // read access to the section: the copies are private pages.
  const DWORD desired = SECTION_QUERY | FILE_MAP_READ | (access == Access::ReadWrite ? FILE_MAP_WRITE : 0);
  UniqueHandle section(OpenFileMappingW(desired, FALSE, kernel_name.c_str()));
  if (!section) {
    const ErrorCode error = GetLastError();
    if (error == ERROR_INVALID_HANDLE)
      throw_win32(SHMLINK_ERR_WRONG_KIND, error, "OpenFileMappingW (the name belongs to another kind of object)");
    throw_win32(error, "OpenFileMappingW");
  }
  return section;
}

// Sizes are int64 to the NT kernel (LARGE_INTEGER); anything above cannot exist anywhere.
void check_possible_size(uint64_t size) {
  if (size > static_cast<uint64_t>(INT64_MAX))
    fail(SHMLINK_ERR_NO_RESOURCES, "no system can provide a segment of " + std::to_string(size) + " bytes");
}

// Windows charges a SEC_COMMIT section against the commit limit at create; Wine does not
// (its sections are sparse files), so there a segment larger than all memory would be
// created and fail only when touched. What exceeds the whole commit limit (memory plus
// paging files) is refused up front; below it, the kernel's own charge decides, since only
// it knows what is free and whether a paging file may grow. If the limit cannot be read,
// CreateFileMappingW alone decides.
void check_commit_limit(uint64_t size, uint64_t section_bytes) {
  MEMORYSTATUSEX memory{};
  memory.dwLength = sizeof memory;
  if (GlobalMemoryStatusEx(&memory) && memory.ullTotalPageFile != 0 && section_bytes > memory.ullTotalPageFile)
    fail(SHMLINK_ERR_NO_RESOURCES, "a segment of " + std::to_string(size) + " bytes exceeds the commit limit (" +
                                       std::to_string(memory.ullTotalPageFile) + " bytes of memory and paging files)");
}

// CreateFileMappingW with the OPEN_OR_CREATE / CREATE_NEW rules on top: the section and
// whether it existed. `file` is INVALID_HANDLE_VALUE for a segment backed by the paging file.
struct CreatedSection {
  UniqueHandle section;
  bool existed = false;
};

CreatedSection create_section(HANDLE file, DWORD protection, uint64_t size, const std::wstring* kernel_name,
                              uint32_t flags, Access access_if_existing) {
  const bool open_or_create = (flags & SHMLINK_OPEN_OR_CREATE) != 0;
  win32::ObjectSecurity security(flags, SECTION_ALL_ACCESS, kSharedSectionAccess);
  const wchar_t* name = kernel_name != nullptr ? kernel_name->c_str() : nullptr;
  // A bounded number of rounds: each one means the name vanished between two calls.
  for (int attempt = 0; attempt < 100; ++attempt) {
    // Cleared first: success does not promise to reset it, and ERROR_ALREADY_EXISTS on a
    // returned handle is the only way to tell "opened" from "created".
    SetLastError(ERROR_SUCCESS);
    UniqueHandle section(
        CreateFileMappingW(file, security.attributes(), protection, high_part(size), low_part(size), name));
    const ErrorCode error = GetLastError();
    if (section) {
      if (error != ERROR_ALREADY_EXISTS) return {std::move(section), false};
      if (!open_or_create) fail(SHMLINK_ERR_ALREADY_EXISTS, "a segment of that name exists");
      return {std::move(section), true};
    }
    // Opening an existing section through CreateFileMappingW asks for more rights than the
    // share flags grant other users (delete, change the DACL); OpenFileMappingW asks only for
    // what a segment handle needs. CREATE_NEW must not open it at all.
    if (error != ERROR_ACCESS_DENIED || name == nullptr) throw_create_failure(error, size);
    if (!open_or_create) {
      // Tell "exists but is not ours" from "may not create here" (Global\ without the privilege).
      const UniqueHandle probe(OpenFileMappingW(SECTION_QUERY, FALSE, name));
      const ErrorCode probe_error = probe ? ERROR_SUCCESS : GetLastError();
      if (probe || probe_error == ERROR_ACCESS_DENIED) fail(SHMLINK_ERR_ALREADY_EXISTS, "a segment of that name exists");
      if (probe_error == ERROR_INVALID_HANDLE) throw_create_failure(probe_error, size);  // another kind
      throw_create_failure(error, size);
    }
    UniqueHandle existing(OpenFileMappingW(
        SECTION_QUERY | FILE_MAP_READ | (access_if_existing == Access::ReadWrite ? FILE_MAP_WRITE : 0), FALSE, name));
    if (existing) return {std::move(existing), true};
    const ErrorCode open_error = GetLastError();
    if (open_error == ERROR_FILE_NOT_FOUND) continue;  // it vanished meanwhile: create it
    if (open_error == ERROR_INVALID_HANDLE)
      throw_win32(SHMLINK_ERR_WRONG_KIND, open_error, "OpenFileMappingW (the name belongs to another kind of object)");
    throw_win32(error, "CreateFileMappingW of " + std::to_string(size) + " bytes");
  }
  fail(SHMLINK_ERR_SYSTEM, "the name kept appearing and disappearing while creating it");
}

// The bytes free for this user on the volume holding `path`, or UINT64_MAX if that cannot
// be told (then the write itself decides).
uint64_t free_disk_bytes(const std::wstring& path) {
  wchar_t full[MAX_PATH + 1];
  const DWORD full_length = GetFullPathNameW(path.c_str(), MAX_PATH + 1, full, nullptr);
  if (full_length == 0 || full_length > MAX_PATH) return UINT64_MAX;
  wchar_t volume[MAX_PATH + 1];
  if (!GetVolumePathNameW(full, volume, MAX_PATH + 1)) return UINT64_MAX;
  ULARGE_INTEGER available{};
  if (!GetDiskFreeSpaceExW(volume, &available, nullptr, nullptr)) return UINT64_MAX;
  return available.QuadPart;
}

// Grows the file from `current` to `size` bytes, claiming the disk space now so that a full
// disk fails here with NO_RESOURCES rather than when a page is written back.
void grow_file(HANDLE file, const std::wstring& wide, uint64_t current, uint64_t size, const std::string& path) {
  FILE_ALLOCATION_INFO allocation{};
  allocation.AllocationSize.QuadPart = static_cast<LONGLONG>(size);
  if (!SetFileInformationByHandle(file, FileAllocationInfo, &allocation, sizeof allocation)) {
    const ErrorCode error = GetLastError();
    if (error != ERROR_CALL_NOT_IMPLEMENTED && error != ERROR_NOT_SUPPORTED && error != ERROR_INVALID_FUNCTION &&
        error != ERROR_INVALID_PARAMETER)
      throw_win32(error, "reserving " + std::to_string(size) + " bytes for " + path);
    // No reservation here (Wine, some file systems): at least refuse what cannot fit now.
    const uint64_t available = free_disk_bytes(wide);
    if (size - current > available)
      fail(SHMLINK_ERR_NO_RESOURCES, "growing " + path + " by " + std::to_string(size - current) +
                                         " bytes does not fit: its disk has " + std::to_string(available) +
                                         " bytes free");
  }
  FILE_END_OF_FILE_INFO end{};
  end.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
  if (!SetFileInformationByHandle(file, FileEndOfFileInfo, &end, sizeof end)) {
    const ErrorCode error = GetLastError();
    throw_win32(error == ERROR_INVALID_PARAMETER ? SHMLINK_ERR_NO_RESOURCES : win32::status_from_win32(error), error,
                "growing " + path + " to " + std::to_string(size) + " bytes");
  }
}

// Whether `path` names an existing directory: CreateFileW refuses those with
// ERROR_ACCESS_DENIED, which would blame permissions for a wrong argument.
bool is_directory(const std::wstring& path) {
  const DWORD attributes = GetFileAttributesW(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

}  // namespace

// Windows cannot swap a view for private memory in one step (placeholders need the view to
// have been mapped into one): unmap, then reserve and commit the same range at once.
Placeholder platform_replace_with_placeholder(const MappedRegion& region) noexcept {
  if (!UnmapViewOfFile(region.base)) return Placeholder::ViewMapped;
  const void* placeholder =
      VirtualAlloc(region.base, static_cast<SIZE_T>(region.length), MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  return placeholder == region.base ? Placeholder::Kept : Placeholder::ViewUnmapped;
}

void platform_release_placeholder(const MappedRegion& region) noexcept { VirtualFree(region.base, 0, MEM_RELEASE); }

uint64_t allocation_granularity() noexcept {
  static const uint64_t granularity = [] {
    SYSTEM_INFO info{};
    GetSystemInfo(&info);  // cannot fail
    return static_cast<uint64_t>(info.dwAllocationGranularity);
  }();
  return granularity;
}

OpenedSegment platform_create_segment(const ObjectName& name, uint64_t size, uint32_t flags) {
  const std::wstring kernel_name = win32::kernel_object_name(name);
  check_possible_size(size);
  const uint64_t section_bytes = win32::section_bytes_for(size);
  check_commit_limit(size, section_bytes);
  // SEC_COMMIT charges the whole size against the commit limit now, so a segment the
  // system cannot back fails here rather than on first touch.
  CreatedSection created = create_section(INVALID_HANDLE_VALUE, PAGE_READWRITE | SEC_COMMIT, section_bytes,
                                          &kernel_name, flags, Access::ReadWrite);
  uint64_t actual = size;
  if (created.existed)  // its own size, whoever made it
    actual = win32::data_bytes_of(created.section.get(), win32::query_section(created.section.get()));
  else
    win32::write_trailer(created.section.get(), size);
  return {std::make_shared<Win32Segment>(std::move(created.section), UniqueHandle(), actual, Access::ReadWrite),
          created.existed};
}

std::shared_ptr<SegmentBacking> platform_create_unnamed_segment(uint64_t size) {
  check_possible_size(size);
  const uint64_t section_bytes = win32::section_bytes_for(size);
  check_commit_limit(size, section_bytes);
  CreatedSection created =
      create_section(INVALID_HANDLE_VALUE, PAGE_READWRITE | SEC_COMMIT, section_bytes, nullptr, 0, Access::ReadWrite);
  win32::write_trailer(created.section.get(), size);
  return std::make_shared<Win32Segment>(std::move(created.section), UniqueHandle(), size, Access::ReadWrite);
}

std::shared_ptr<SegmentBacking> platform_open_segment(const ObjectName& name, Access access) {
  UniqueHandle section = open_section(win32::kernel_object_name(name), access);
  const uint64_t size = win32::data_bytes_of(section.get(), win32::query_section(section.get()));
  return std::make_shared<Win32Segment>(std::move(section), UniqueHandle(), size, access);
}

OpenedSegment platform_segment_from_file(const char* path, const ObjectName* name, uint64_t size, Access access,
                                         uint32_t flags) {
  const std::wstring file_path = wide_path(path);
  std::wstring kernel_name;
  if (name != nullptr) kernel_name = win32::kernel_object_name(*name);
  const bool writable = access == Access::ReadWrite;

  // Sharing read, write and delete: a segment's file is meant to be used by other processes
  // at the same time, as it is on Linux.
  UniqueHandle file(CreateFileW(file_path.c_str(), writable ? GENERIC_READ | GENERIC_WRITE : GENERIC_READ,
                                FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                writable ? OPEN_ALWAYS : OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file) {
    const ErrorCode error = GetLastError();
    if (error == ERROR_ACCESS_DENIED && is_directory(file_path))
      fail(SHMLINK_ERR_INVALID_ARGUMENT, std::string(path) + " is not a regular file");
    if ((error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) && !writable)
      throw_win32(error, std::string("CreateFileW ") + path + " (only READ_WRITE access creates a missing file)");
    throw_win32(error, std::string("CreateFileW ") + path);
  }
  // Pipes and character devices open fine but cannot be mapped.
  SetLastError(NO_ERROR);  // FILE_TYPE_UNKNOWN is a failure only if it sets an error
  const DWORD type = GetFileType(file.get());
  if (type != FILE_TYPE_DISK) {
    const ErrorCode error = GetLastError();
    if (type == FILE_TYPE_UNKNOWN && error != NO_ERROR) throw_win32(error, std::string("GetFileType ") + path);
    fail(SHMLINK_ERR_INVALID_ARGUMENT, std::string(path) + " is not a regular file");
  }
  LARGE_INTEGER file_size{};
  if (!GetFileSizeEx(file.get(), &file_size)) throw_win32(GetLastError(), std::string("GetFileSizeEx ") + path);
  const uint64_t current = static_cast<uint64_t>(file_size.QuadPart);
  if (size == 0) size = current;
  if (size == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "the file is empty and size is 0: nothing to map");
  check_possible_size(size);
  if (size > current) {
    if (!writable)
      fail(SHMLINK_ERR_ACCESS_DENIED, "the file has " + std::to_string(current) + " bytes; growing it to " +
                                          std::to_string(size) + " needs READ_WRITE access");
    grow_file(file.get(), file_path, current, size, path);
  }

  // PAGE_WRITECOPY: copy-on-write views of a file opened read-only; the file never changes.
  const DWORD protection = access == Access::Read        ? PAGE_READONLY
                           : access == Access::ReadWrite ? PAGE_READWRITE
                                                         : PAGE_WRITECOPY;
  // An unnamed section can only be reached through our own handle: no DACL to widen.
  CreatedSection created = create_section(file.get(), protection, size, name != nullptr ? &kernel_name : nullptr,
                                          name != nullptr ? flags : 0, access);
  if (created.existed) {
    // Like OPEN_OR_CREATE on Linux: the existing segment, whatever backs it, with its own
    // size; our file handle has no part in it.
    const uint64_t existing_size = win32::data_bytes_of(created.section.get(), win32::query_section(created.section.get()));
    return {std::make_shared<Win32Segment>(std::move(created.section), UniqueHandle(), existing_size, access), true};
  }
  return {std::make_shared<Win32Segment>(std::move(created.section), std::move(file), size, access), false};
}

namespace win32 {

HANDLE segment_section(SegmentBacking& segment) {
  auto* win32_segment = dynamic_cast<Win32Segment*>(&segment);
  if (win32_segment == nullptr) fail(SHMLINK_ERR_NOT_SUPPORTED, "this segment has no section to hand on");
  return win32_segment->section();
}

std::shared_ptr<SegmentBacking> segment_from_section(HANDLE section, uint64_t size, Access access) {
  UniqueHandle owned(section);
  const uint64_t section_size = data_bytes_of(owned.get(), query_section(owned.get()));
  if (size == 0 || size > section_size)
    fail(SHMLINK_ERR_CORRUPT, "the token says " + std::to_string(size) + " bytes; the section has " +
                                  std::to_string(section_size));
  return std::make_shared<Win32Segment>(std::move(owned), UniqueHandle(), size, access);
}

}  // namespace win32

}  // namespace shmlink
