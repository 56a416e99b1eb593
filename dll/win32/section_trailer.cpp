#include "section_trailer.h"

#include "os_error.h"

#include "../core/object_header.h"
#include "../core/platform.h"
#include "../core/shared_layout.h"

#include <atomic>
#include <cstddef>
#include <cstring>
#include <string>

namespace shmlink::win32 {
namespace {

// Fixed-width fields at fixed offsets: 32-bit and 64-bit processes read it alike.
struct SectionTrailer {
  alignas(8) uint64_t data_bytes;        // the size the creator asked for
  alignas(8) uint64_t data_bytes_check;  // ~data_bytes: tells a trailer from data that happens to match
  uint32_t magic;             // kHeaderMagic
  uint16_t layout_version;    // kLayoutVersion
  uint16_t kind;              // SHMLINK_KIND_SEGMENT
};
SHMLINK_SHARED_LAYOUT(SectionTrailer, 24, 8);
SHMLINK_SHARED_FIELD(SectionTrailer, data_bytes, 0);
SHMLINK_SHARED_FIELD(SectionTrailer, data_bytes_check, 8);
SHMLINK_SHARED_FIELD(SectionTrailer, magic, 16);
SHMLINK_SHARED_FIELD(SectionTrailer, layout_version, 20);
SHMLINK_SHARED_FIELD(SectionTrailer, kind, 22);

uint64_t page_size() noexcept {
  static const uint64_t page = [] {
    SYSTEM_INFO info{};
    GetSystemInfo(&info);  // cannot fail
    return static_cast<uint64_t>(info.dwPageSize);
  }();
  return page;
}

// Maps the end of the section that holds the trailer (views start at granularity multiples).
struct TrailerView {
  void* base = nullptr;
  SectionTrailer* trailer = nullptr;

  TrailerView(HANDLE section, uint64_t section_bytes, DWORD access) noexcept {
    const uint64_t at = section_bytes - sizeof(SectionTrailer);
    const uint64_t offset = at - at % allocation_granularity();
    base = MapViewOfFile(section, access, static_cast<DWORD>(offset >> 32), static_cast<DWORD>(offset & 0xFFFFFFFFu),
                         static_cast<SIZE_T>(section_bytes - offset));
    if (base != nullptr) trailer = reinterpret_cast<SectionTrailer*>(static_cast<unsigned char*>(base) + (at - offset));
  }
  ~TrailerView() {
    if (base != nullptr) UnmapViewOfFile(base);
  }
  TrailerView(const TrailerView&) = delete;
  TrailerView& operator=(const TrailerView&) = delete;
};

}  // namespace

uint64_t section_bytes_for(uint64_t data_bytes) noexcept {
  const uint64_t page = page_size();
  const uint64_t needed = data_bytes + sizeof(SectionTrailer);
  return (needed + page - 1) / page * page;
}

void write_trailer(HANDLE section, uint64_t data_bytes) {
  const TrailerView view(section, section_bytes_for(data_bytes), FILE_MAP_WRITE);
  if (view.trailer == nullptr) throw_win32(GetLastError(), "MapViewOfFile of the segment's last page");
  const SectionTrailer trailer{data_bytes, ~data_bytes, kHeaderMagic, kLayoutVersion, SHMLINK_KIND_SEGMENT};
  // The sizes first, the magic last: a reader that sees the magic sees the sizes too.
  std::memcpy(view.trailer, &trailer, offsetof(SectionTrailer, magic));
  std::atomic_thread_fence(std::memory_order_release);
  std::memcpy(&view.trailer->magic, &trailer.magic, sizeof trailer - offsetof(SectionTrailer, magic));
}

namespace {

bool valid_trailer(const SectionTrailer& trailer, uint64_t section_bytes) {
  return trailer.magic == kHeaderMagic && trailer.layout_version == kLayoutVersion &&
         trailer.kind == SHMLINK_KIND_SEGMENT && trailer.data_bytes_check == ~trailer.data_bytes &&
         trailer.data_bytes != 0 && trailer.data_bytes <= section_bytes - sizeof(SectionTrailer) &&
         section_bytes_for(trailer.data_bytes) == section_bytes;
}

bool all_zero(const unsigned char* bytes, std::size_t length) {
  for (std::size_t i = 0; i < length; ++i)
    if (bytes[i] != 0) return false;
  return true;
}

// How long an opener waits for the trailer of a section that may still be initializing.
constexpr ULONGLONG kInitializingWaitMs = 20;

}  // namespace

uint64_t data_bytes_of(HANDLE section, const SectionInfo& info) noexcept {
  // Only committed paging-file sections: a file's last bytes are the file's own data, and
  // touching a page of a SEC_RESERVE section that nobody committed would fault.
  if ((info.attributes & SEC_FILE) != 0 || (info.attributes & SEC_COMMIT) == 0) return info.size;
  if (info.size < sizeof(SectionTrailer) || info.size % page_size() != 0) return info.size;
  const TrailerView view(section, info.size, FILE_MAP_READ);
  if (view.trailer == nullptr) return info.size;
  const unsigned char* last_page =
      reinterpret_cast<const unsigned char*>(view.trailer) + sizeof(SectionTrailer) - page_size();

  // A section gets its name before its creator can write the trailer, so an opener may come
  // in between. Then the last page is still zero up to the trailer (whose own bytes may be
  // half written); as long as it is (briefly), keep looking. A page with anything in it has
  // been used already: no trailer means none is coming. Only a plain section never written
  // to pays the whole wait, once per open.
  const ULONGLONG deadline = GetTickCount64() + kInitializingWaitMs;
  for (int attempt = 0;; ++attempt) {
    SectionTrailer trailer;  // read once per look: another process may change it meanwhile
    std::memcpy(&trailer, view.trailer, sizeof trailer);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (valid_trailer(trailer, info.size)) return trailer.data_bytes;
    if (!all_zero(last_page, static_cast<std::size_t>(page_size() - sizeof(SectionTrailer))) ||
        GetTickCount64() >= deadline)
      return info.size;
    if (attempt < 100)
      SwitchToThread();  // the creator is normally a few instructions away from writing it
    else
      Sleep(1);
  }
}

}  // namespace shmlink::win32
