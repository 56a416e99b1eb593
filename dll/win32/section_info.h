// What the kernel knows about a section (file mapping) someone else may have created: its
// size and allocation attributes. Win32 has no call for it, so this asks ntdll's
// NtQuerySection (SectionBasicInformation), documented as reachable only through
// GetProcAddress. The handle needs SECTION_QUERY access.
#pragma once

#include <windows.h>

#include <cstdint>

namespace shmlink::win32 {

struct SectionInfo {
  // The kernel's size: a file-backed section's exact size; a paging-file-backed one's
  // rounded up to whole pages (Windows and Wine alike).
  uint64_t size = 0;
  ULONG attributes = 0;  // SEC_COMMIT, SEC_RESERVE, SEC_FILE, ...
};

// Throws Failure: ACCESS_DENIED without SECTION_QUERY, SYSTEM otherwise.
SectionInfo query_section(HANDLE section);

}  // namespace shmlink::win32
