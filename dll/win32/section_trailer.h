// The exact size of a paging-file-backed segment, for processes that did not create it.
//
// The kernel keeps such a section's size in whole pages (NtQuerySection reports 4096 for a
// 100-byte section, on Windows and under Wine), and the section itself carries no other
// record, yet every process must see the size the creator asked for, as on Linux. So a
// segment's section is made one trailer longer than its data (then rounded to pages by the
// kernel), and the trailer, in the section's last bytes, records the data size. Nothing
// else is added: the data starts at offset 0, so programs using CreateFileMappingW /
// MapViewOfFile directly see the same bytes, and a section they made (no trailer) reports
// the kernel's size.
#pragma once

#include "section_info.h"

#include <windows.h>

#include <cstdint>

namespace shmlink::win32 {

// The section size to create for `data_bytes` of data (data_bytes <= INT64_MAX / 2).
uint64_t section_bytes_for(uint64_t data_bytes) noexcept;

// Records `data_bytes` at the end of a section just created with section_bytes_for(data_bytes)
// bytes; needs a handle that may map for writing. Throws Failure.
void write_trailer(HANDLE section, uint64_t data_bytes);

// The data size of an opened section: the trailer's if the section is paging-file-backed and
// has a valid one, else the kernel's size. Never throws for what it reads: a missing or
// forged trailer only means the kernel's size is reported (a forged one can only shrink it
// within the last page). A section whose last page is still zero up to the trailer may be
// one whose creator has not written the trailer yet: that is waited for, up to 20 ms.
uint64_t data_bytes_of(HANDLE section, const SectionInfo& info) noexcept;

}  // namespace shmlink::win32
