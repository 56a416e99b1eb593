// Inspection on Windows (docs/cli.md, "Windows"). Win32 has no call that enumerates named
// kernel objects, so listing reads the kernel's object directories through ntdll
// (NtOpenDirectoryObject / NtQueryDirectoryObject, documented, reached through GetProcAddress
// like NtQuerySection): the session's \Sessions\<id>\BaseNamedObjects holds the Local\ names,
// \BaseNamedObjects the Global\ ones. An object is described by opening it with query rights
// only and asking the kernel (NtQueryObject, NtQueryEvent, NtQueryMutant, NtQuerySemaphore),
// which changes nothing: no wait, no reset, no attachment. A channel's shared layout is read
// from a read-only view of its section.
//
// What Windows cannot tell: who made an object (no uid; owner_uid is SHMLINK_UNKNOWN), when
// (created_unix_ms 0), which processes hold a segment, signal, mutex or semaphore (the kernel
// counts handles, not processes), which thread holds a mutex, and whether an event, mutex or
// semaphore is shmlink's at all (they carry no mark: every one with a name shmlink accepts is
// listed). A kernel object's name lives exactly as long as its handles, so there is nothing
// stale, and nothing to remove.
#include "../core/error.h"
#include "../core/inspect.h"
#include "../core/inspect_channel.h"
#include "channel_win32.h"
#include "kernel_name.h"
#include "section_info.h"
#include "section_trailer.h"
#include "unique_handle.h"
#include "wide_string.h"

#include <aclapi.h>
#include <windows.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace shmlink {
namespace {

using win32::UniqueHandle;

// ---- ntdll, declared here: mingw-w64's headers lack most of it ----

struct NtUnicodeString {
  USHORT length;  // bytes, without a terminator
  USHORT maximum_length;
  PWSTR buffer;
};

struct NtObjectAttributes {
  ULONG length;
  HANDLE root_directory;
  NtUnicodeString* object_name;
  ULONG attributes;
  PVOID security_descriptor;
  PVOID security_quality_of_service;
};

struct NtDirectoryEntry {  // OBJECT_DIRECTORY_INFORMATION
  NtUnicodeString name;
  NtUnicodeString type_name;
};

struct NtObjectBasicInformation {  // PUBLIC_OBJECT_BASIC_INFORMATION
  ULONG attributes;
  ACCESS_MASK granted_access;
  ULONG handle_count;
  ULONG pointer_count;
  ULONG reserved[10];
};

struct NtEventBasicInformation {
  int event_type;  // 0 NotificationEvent (manual reset), 1 SynchronizationEvent (auto reset)
  LONG event_state;
};

struct NtMutantBasicInformation {
  LONG current_count;  // 1 free; 1 - n while a thread holds it n times
  BOOLEAN owned_by_caller;
  BOOLEAN abandoned_state;
};

struct NtSemaphoreBasicInformation {
  LONG current_count;
  LONG maximum_count;
};

constexpr ACCESS_MASK kDirectoryQuery = 0x0001;  // DIRECTORY_QUERY
constexpr ACCESS_MASK kEventQueryState = 0x0001;  // EVENT_QUERY_STATE
constexpr ACCESS_MASK kMutantQueryState = 0x0001;  // MUTANT_QUERY_STATE
constexpr ACCESS_MASK kSemaphoreQueryState = 0x0001;  // SEMAPHORE_QUERY_STATE
constexpr ULONG kCaseInsensitive = 0x40;  // OBJ_CASE_INSENSITIVE
constexpr LONG kNoMoreEntries = static_cast<LONG>(0x8000001A);  // STATUS_NO_MORE_ENTRIES
constexpr int kObjectBasicInformation = 0;
constexpr int kBasicInformation = 0;  // EventBasicInformation, MutantBasicInformation, SemaphoreBasicInformation

using NtOpenDirectoryObjectFn = LONG(NTAPI*)(HANDLE*, ACCESS_MASK, NtObjectAttributes*);
using NtQueryDirectoryObjectFn = LONG(NTAPI*)(HANDLE, PVOID, ULONG, BOOLEAN, BOOLEAN, ULONG*, ULONG*);
using NtQueryFn = LONG(NTAPI*)(HANDLE, int, PVOID, ULONG, ULONG*);
using NtQuerySystemInformationFn = LONG(NTAPI*)(int, PVOID, ULONG, ULONG*);

struct NtHandleEntry {  // SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX
  PVOID object;
  ULONG_PTR process_id;
  ULONG_PTR handle_value;
  ULONG granted_access;
  USHORT creator_back_trace_index;
  USHORT object_type_index;
  ULONG handle_attributes;
  ULONG reserved;
};

struct NtHandleTableHeader {  // SYSTEM_HANDLE_INFORMATION_EX, before its entries
  ULONG_PTR handle_count;
  ULONG_PTR reserved;
};

constexpr int kSystemExtendedHandleInformation = 64;
constexpr LONG kInfoLengthMismatch = static_cast<LONG>(0xC0000004);  // STATUS_INFO_LENGTH_MISMATCH

struct NtFunctions {
  NtOpenDirectoryObjectFn open_directory = nullptr;
  NtQueryDirectoryObjectFn query_directory = nullptr;
  NtQueryFn query_object = nullptr;
  NtQueryFn query_event = nullptr;
  NtQueryFn query_mutant = nullptr;
  NtQueryFn query_semaphore = nullptr;
  NtQuerySystemInformationFn query_system = nullptr;
};

template <class Fn>
Fn resolve(HMODULE module, const char* name) {
  // Through a generic function pointer type: converting FARPROC to the real signature
  // directly trips -Wcast-function-type.
  return reinterpret_cast<Fn>(reinterpret_cast<void (*)()>(GetProcAddress(module, name)));
}

const NtFunctions& nt() {
  static const NtFunctions functions = [] {
    NtFunctions found;
    // ntdll is mapped into every process before any of our code runs; no reference to take.
    if (HMODULE ntdll = GetModuleHandleW(L"ntdll.dll")) {
      found.open_directory = resolve<NtOpenDirectoryObjectFn>(ntdll, "NtOpenDirectoryObject");
      found.query_directory = resolve<NtQueryDirectoryObjectFn>(ntdll, "NtQueryDirectoryObject");
      found.query_object = resolve<NtQueryFn>(ntdll, "NtQueryObject");
      found.query_event = resolve<NtQueryFn>(ntdll, "NtQueryEvent");
      found.query_mutant = resolve<NtQueryFn>(ntdll, "NtQueryMutant");
      found.query_semaphore = resolve<NtQueryFn>(ntdll, "NtQuerySemaphore");
      found.query_system = resolve<NtQuerySystemInformationFn>(ntdll, "NtQuerySystemInformation");
    }
    return found;
  }();
  return functions;
}

// Asks `query` for the fixed-size `info` of `handle`; false if it is missing or fails.
template <class Info>
bool query(NtQueryFn query, HANDLE handle, int information_class, Info& info) {
  if (query == nullptr) return false;
  ULONG returned = 0;
  return query(handle, information_class, &info, sizeof info, &returned) >= 0 && returned >= sizeof info;
}

// ---- Object directories ----

struct DirectoryEntry {
  std::wstring name;
  std::wstring type;  // "Section", "Event", "Mutant", "Semaphore", "Timer", ...
};

std::wstring local_directory_path() {
  DWORD session = 0;
  if (!ProcessIdToSessionId(GetCurrentProcessId(), &session)) session = 0;
  return L"\\Sessions\\" + std::to_wstring(session) + L"\\BaseNamedObjects";
}

constexpr wchar_t kGlobalDirectoryPath[] = L"\\BaseNamedObjects";

std::wstring from_counted(const NtUnicodeString& text, const unsigned char* buffer, std::size_t buffer_bytes) {
  // The strings point into the buffer; one that points elsewhere is not believed.
  const auto* start = reinterpret_cast<const unsigned char*>(text.buffer);
  if (text.buffer == nullptr || start < buffer || start + text.length > buffer + buffer_bytes) return {};
  return std::wstring(text.buffer, text.length / sizeof(wchar_t));
}

// The entries of the object directory `path`. Throws Failure(NOT_SUPPORTED) if ntdll lacks
// the calls, SYSTEM if the directory cannot be opened; an empty list if it does not exist.
std::vector<DirectoryEntry> read_directory(const std::wstring& path) {
  const NtFunctions& functions = nt();
  if (functions.open_directory == nullptr || functions.query_directory == nullptr)
    fail(SHMLINK_ERR_NOT_SUPPORTED, "ntdll.dll has no NtOpenDirectoryObject / NtQueryDirectoryObject");
  std::wstring name = path;
  NtUnicodeString counted{static_cast<USHORT>(name.size() * sizeof(wchar_t)),
                          static_cast<USHORT>(name.size() * sizeof(wchar_t)), name.data()};
  NtObjectAttributes attributes{sizeof(NtObjectAttributes), nullptr, &counted, kCaseInsensitive, nullptr, nullptr};
  HANDLE raw = nullptr;
  const LONG opened = functions.open_directory(&raw, kDirectoryQuery, &attributes);
  if (opened < 0) {
    // STATUS_OBJECT_NAME_NOT_FOUND / _PATH_NOT_FOUND: a session without named objects yet.
    if (opened == static_cast<LONG>(0xC0000034) || opened == static_cast<LONG>(0xC000003A)) return {};
    char text[96];
    std::snprintf(text, sizeof text, "NtOpenDirectoryObject failed with status 0x%08lX",
                  static_cast<unsigned long>(opened));
    fail(SHMLINK_ERR_SYSTEM, text);
  }
  const UniqueHandle directory(raw);
  std::vector<DirectoryEntry> entries;
  // One entry per call: the simplest way to never lose one at a buffer boundary. The buffer
  // is of ULONGs so that the entry at its start is aligned.
  std::vector<ULONG> buffer(2048);
  const auto* bytes = reinterpret_cast<const unsigned char*>(buffer.data());
  const std::size_t buffer_bytes = buffer.size() * sizeof(ULONG);
  ULONG context = 0;
  for (bool first = true; entries.size() < 1000000; first = false) {
    ULONG returned = 0;
    const LONG status = functions.query_directory(directory.get(), buffer.data(), static_cast<ULONG>(buffer_bytes),
                                                  TRUE, first ? TRUE : FALSE, &context, &returned);
    if (status == kNoMoreEntries) break;
    if (status < 0) {
      char text[96];
      std::snprintf(text, sizeof text, "NtQueryDirectoryObject failed with status 0x%08lX",
                    static_cast<unsigned long>(status));
      fail(SHMLINK_ERR_SYSTEM, text);
    }
    const auto& entry = *reinterpret_cast<const NtDirectoryEntry*>(buffer.data());
    entries.push_back({from_counted(entry.name, bytes, buffer_bytes), from_counted(entry.type_name, bytes, buffer_bytes)});
  }
  return entries;
}

// ---- Which processes hold an object ----

// The system's handle table (NtQuerySystemInformation, SystemExtendedHandleInformation), read
// once per listing: every handle of every process, with its object's type and (on Windows, not
// under Wine, docs/cli.md) its object's kernel address. The holders of an object are the
// processes with a handle to the same object as the handle the inspection opened: the same
// address where the table gives addresses, else (Wine) what NtCompareObjects says of a
// duplicate of each handle of the same type. Where neither works nobody is named.
class HandleTable {
 public:
  // The processes holding `inspected`'s object, apart from the inspection's own handle, in
  // `pids`, and how many handles they hold. False if the table cannot say.
  bool holders(HANDLE inspected, std::set<uint32_t>& pids, uint32_t& handle_count) {
    if (!loaded_) load();
    const ULONG_PTR self = GetCurrentProcessId();
    const auto is_inspected = [&](const NtHandleEntry& entry) {
      return entry.process_id == self && entry.handle_value == reinterpret_cast<ULONG_PTR>(inspected);
    };
    const NtHandleEntry* own = nullptr;
    for (const NtHandleEntry& entry : entries_) {
      if (is_inspected(entry)) {
        own = &entry;
        break;
      }
    }
    if (own == nullptr) return false;
    if (own->object == nullptr && compare_ == nullptr) return false;
    handle_count = 0;
    for (const NtHandleEntry& entry : entries_) {
      if (entry.object_type_index != own->object_type_index || is_inspected(entry)) continue;
      if (own->object != nullptr ? entry.object == own->object : same_object(entry, inspected)) {
        pids.insert(static_cast<uint32_t>(entry.process_id));
        ++handle_count;
      }
    }
    return true;
  }

 private:
  void load() {
    loaded_ = true;
    if (HMODULE ntdll = GetModuleHandleW(L"ntdll.dll")) compare_ = resolve<NtCompareObjectsFn>(ntdll, "NtCompareObjects");
    const NtQuerySystemInformationFn query_system = nt().query_system;
    if (query_system == nullptr) return;
    // The table grows between calls: ask again with what it said, plus room, a few times.
    std::vector<ULONG_PTR> buffer(64 * 1024);
    for (int attempt = 0; attempt < 8; ++attempt) {
      ULONG needed = 0;
      const ULONG bytes = static_cast<ULONG>(buffer.size() * sizeof(ULONG_PTR));
      const LONG status = query_system(kSystemExtendedHandleInformation, buffer.data(), bytes, &needed);
      if (status == kInfoLengthMismatch) {
        const std::size_t wanted = (std::max<std::size_t>(needed, std::size_t{bytes} * 2) + 65536) / sizeof(ULONG_PTR);
        if (wanted > (std::size_t{256} << 20) / sizeof(ULONG_PTR)) return;  // 256 MiB: give up
        buffer.assign(wanted, 0);
        continue;
      }
      if (status < 0) return;
      const auto* header = reinterpret_cast<const NtHandleTableHeader*>(buffer.data());
      const std::size_t room = (bytes - sizeof(NtHandleTableHeader)) / sizeof(NtHandleEntry);
      const std::size_t count = std::min<std::size_t>(header->handle_count, room);
      const auto* first = reinterpret_cast<const NtHandleEntry*>(header + 1);
      entries_.assign(first, first + count);
      return;
    }
  }

  // Whether `entry` is a handle to the object of `inspected`, by duplicating it (no access
  // asked) and asking the kernel. A process we may not open is not seen.
  bool same_object(const NtHandleEntry& entry, HANDLE inspected) {
    const auto handle = reinterpret_cast<HANDLE>(entry.handle_value);
    if (entry.process_id == GetCurrentProcessId()) return compare_(handle, inspected) == 0;
    auto found = processes_.find(entry.process_id);
    if (found == processes_.end())
      found = processes_
                  .emplace(entry.process_id, UniqueHandle(OpenProcess(PROCESS_DUP_HANDLE, FALSE,
                                                                      static_cast<DWORD>(entry.process_id))))
                  .first;
    if (!found->second) return false;
    HANDLE duplicate = nullptr;
    if (!DuplicateHandle(found->second.get(), handle, GetCurrentProcess(), &duplicate, 0, FALSE, 0)) return false;
    const UniqueHandle owned(duplicate);
    return compare_(owned.get(), inspected) == 0;
  }

  using NtCompareObjectsFn = LONG(NTAPI*)(HANDLE, HANDLE);
  bool loaded_ = false;
  NtCompareObjectsFn compare_ = nullptr;
  std::vector<NtHandleEntry> entries_;
  std::map<ULONG_PTR, UniqueHandle> processes_;
};

// ---- Describing one kernel object ----

enum class KernelType { None, Section, Event, Mutant, Semaphore, Timer };

KernelType type_from_name(const std::wstring& type) {
  if (type == L"Section") return KernelType::Section;
  if (type == L"Event") return KernelType::Event;
  if (type == L"Mutant") return KernelType::Mutant;
  if (type == L"Semaphore") return KernelType::Semaphore;
  if (type == L"Timer") return KernelType::Timer;
  return KernelType::None;
}

HANDLE open_kernel(KernelType type, ACCESS_MASK access, const wchar_t* name) {
  switch (type) {
    case KernelType::Section: return OpenFileMappingW(access, FALSE, name);
    case KernelType::Event: return OpenEventW(access, FALSE, name);
    case KernelType::Mutant: return OpenMutexW(access, FALSE, name);
    case KernelType::Semaphore: return OpenSemaphoreW(access, FALSE, name);
    case KernelType::Timer: return OpenWaitableTimerW(access, FALSE, name);
    default: SetLastError(ERROR_INVALID_HANDLE); return nullptr;
  }
}

// The rights to ask for: enough to read the state; the second set is what a user that the
// object is only shared with holds (sync_win32.cpp, segment_win32.cpp, channel_win32.cpp).
ACCESS_MASK query_access(KernelType type) {
  switch (type) {
    case KernelType::Section: return SECTION_QUERY | SECTION_MAP_READ | READ_CONTROL;
    case KernelType::Event: return kEventQueryState | READ_CONTROL;
    case KernelType::Mutant: return kMutantQueryState | READ_CONTROL;
    case KernelType::Semaphore: return kSemaphoreQueryState | READ_CONTROL;
    default: return SYNCHRONIZE | READ_CONTROL;
  }
}
constexpr ACCESS_MASK kSharedUserAccess = SYNCHRONIZE | READ_CONTROL;

// Opens for inspection: query rights if we have them, else what a shared user holds (then the
// state is unknown). `error` is set when both fail.
UniqueHandle open_for_inspection(KernelType type, const std::wstring& name, bool& state_readable, DWORD& error) {
  UniqueHandle handle(open_kernel(type, query_access(type), name.c_str()));
  state_readable = static_cast<bool>(handle);
  if (!handle && GetLastError() == ERROR_ACCESS_DENIED && type != KernelType::Section)
    handle = UniqueHandle(open_kernel(type, kSharedUserAccess, name.c_str()));
  error = handle ? ERROR_SUCCESS : GetLastError();
  return handle;
}

// Handles open on the object, ours excluded; SHMLINK_UNKNOWN if the kernel does not say.
uint32_t other_handles(HANDLE handle) {
  NtObjectBasicInformation info{};
  if (!query(nt().query_object, handle, kObjectBasicInformation, info) || info.handle_count == 0)
    return SHMLINK_UNKNOWN;
  return info.handle_count - 1;
}

// The share flags as shmlink's DACL spells them (security.cpp): SYSTEM and the creator, plus
// Everyone (SHMLINK_SHARE_ALL_USERS) or one group (SHMLINK_SHARE_GROUP).
uint32_t share_flags_of(HANDLE handle) {
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (GetSecurityInfo(handle, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr, &dacl, nullptr,
                      &descriptor) != ERROR_SUCCESS)
    return 0;
  uint32_t share = 0;
  uint32_t others = 0;  // allowed SIDs other than SYSTEM and Everyone
  if (dacl == nullptr) {
    share = SHMLINK_SHARE_ALL_USERS;  // a null DACL lets everyone in
  } else {
    for (DWORD i = 0; i < dacl->AceCount; ++i) {
      void* ace = nullptr;
      if (!GetAce(dacl, i, &ace)) break;
      const auto* header = static_cast<const ACE_HEADER*>(ace);
      if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) continue;
      PSID sid = &static_cast<ACCESS_ALLOWED_ACE*>(ace)->SidStart;
      if (IsWellKnownSid(sid, WinWorldSid)) share |= SHMLINK_SHARE_ALL_USERS;
      else if (!IsWellKnownSid(sid, WinLocalSystemSid)) ++others;
    }
  }
  LocalFree(descriptor);
  if (share == 0 && others >= 2) share = SHMLINK_SHARE_GROUP;  // the creator and a group
  return share;
}

std::string utf8(const std::wstring& text) { return win32::wide_to_utf8(text.data(), text.size()); }

void set_holders(const std::set<uint32_t>& pids, shmlink_object_description& out) {
  out.holder_count = static_cast<uint32_t>(pids.size());
  uint32_t i = 0;
  for (const uint32_t pid : pids) {
    if (i == SHMLINK_DESCRIBE_MAX_PIDS) break;
    out.holder_pids[i++] = pid;
  }
}

// A channel's state from a read-only view of its section. False if it has no section (a
// timer of someone else's: not a channel).
bool describe_channel(const std::wstring& kernel_name, shmlink_object_description& out) {
  const UniqueHandle section(
      OpenFileMappingW(SECTION_QUERY | SECTION_MAP_READ, FALSE, (kernel_name + L"/shmlink.channel").c_str()));
  if (!section) {
    const DWORD error = GetLastError();
    if (error == ERROR_FILE_NOT_FOUND || error == ERROR_INVALID_HANDLE) return false;
    out.flags |= SHMLINK_OBJECT_UNREADABLE;
    return true;
  }
  win32::SectionInfo info;
  try {
    info = win32::query_section(section.get());
  } catch (const Failure&) {
    out.flags |= SHMLINK_OBJECT_UNREADABLE;
    return true;
  }
  // A section never shrinks, so reading within its size cannot fault, whatever peers write.
  const void* view = MapViewOfFile(section.get(), FILE_MAP_READ, 0, 0, 0);
  if (view == nullptr) {
    out.flags |= SHMLINK_OBJECT_UNREADABLE;
    return true;
  }
  const auto* region = static_cast<const unsigned char*>(view);
  const uint64_t region_size = info.size;
  std::set<uint32_t> live_pids;
  describe_channel_region(
      [&](void* into, std::size_t bytes, uint64_t offset) {
        if (offset > region_size || bytes > region_size - offset) return false;
        std::memcpy(into, region + offset, bytes);
        return true;
      },
      [&](uint64_t region_bytes) { return region_bytes <= region_size; },
      [&](uint32_t, const channel::Slot& slot, shmlink_object_peer& peer) {
        peer.pid = static_cast<uint32_t>(slot.holder >> 32);
        if (win32::channel_holder_alive(slot.holder)) {
          peer.flags |= SHMLINK_PEER_ALIVE;
          if (peer.pid != 0) live_pids.insert(peer.pid);
        }
      },
      out);
  UnmapViewOfFile(view);
  if ((out.flags & (SHMLINK_OBJECT_CORRUPT | SHMLINK_OBJECT_INCOMPATIBLE)) == 0) {
    // The processes are known from the attachments, which every channel handle makes.
    set_holders(live_pids, out);
  }
  return true;
}

// Describes the kernel object `kernel_name` ("Local\x") of `type`. False if it is not there
// (any more) or is not something shmlink makes.
bool describe_kernel_object(const std::wstring& kernel_name, KernelType type, HandleTable& handles,
                            shmlink_object_description& out) {
  bool state_readable = false;
  DWORD error = ERROR_SUCCESS;
  const UniqueHandle handle = open_for_inspection(type, kernel_name, state_readable, error);
  out.owner_uid = SHMLINK_UNKNOWN;  // Windows users are SIDs
  out.holder_count = SHMLINK_UNKNOWN;
  if (!handle) {
    if (error != ERROR_ACCESS_DENIED) return false;
    out.kind = type == KernelType::Section ? SHMLINK_KIND_SEGMENT
               : type == KernelType::Event ? SHMLINK_KIND_SIGNAL
               : type == KernelType::Mutant ? SHMLINK_KIND_MUTEX
               : type == KernelType::Semaphore ? SHMLINK_KIND_SEMAPHORE
                                               : SHMLINK_KIND_CHANNEL;
    out.flags |= SHMLINK_OBJECT_UNREADABLE;
    return true;
  }
  out.share_flags = share_flags_of(handle.get());
  out.holder_count = other_handles(handle.get());
  // The processes, where every other handle is found in the table (else only the count).
  std::set<uint32_t> pids;
  uint32_t attributed = 0;
  if (handles.holders(handle.get(), pids, attributed) && attributed == out.holder_count) set_holders(pids, out);
  switch (type) {
    case KernelType::Section: {
      out.kind = SHMLINK_KIND_SEGMENT;
      try {
        const win32::SectionInfo info = win32::query_section(handle.get());
        out.size = win32::data_bytes_of(handle.get(), info);
        if (info.attributes & SEC_FILE) out.flags |= SHMLINK_OBJECT_FILE_BACKED;
      } catch (const Failure&) {
        out.flags |= SHMLINK_OBJECT_UNREADABLE;
      }
      break;
    }
    case KernelType::Event: {
      out.kind = SHMLINK_KIND_SIGNAL;
      NtEventBasicInformation info{};
      if (state_readable && query(nt().query_event, handle.get(), kBasicInformation, info)) {
        out.signal_set = info.event_state != 0 ? 1 : 0;
        out.signal_manual_reset = info.event_type == 0 ? 1 : 0;
      } else {
        out.signal_set = SHMLINK_UNKNOWN;
        out.signal_manual_reset = SHMLINK_UNKNOWN;
      }
      break;
    }
    case KernelType::Mutant: {
      out.kind = SHMLINK_KIND_MUTEX;
      NtMutantBasicInformation info{};
      if (state_readable && query(nt().query_mutant, handle.get(), kBasicInformation, info)) {
        if (info.current_count <= 0) {
          out.flags |= SHMLINK_OBJECT_MUTEX_HELD;
          out.mutex_recursion = static_cast<uint32_t>(1 - static_cast<int64_t>(info.current_count));
          out.mutex_owner_tid = SHMLINK_UNKNOWN;  // the kernel does not say which thread
        }
        // Released by its owner's end: the next wait returns ABANDONED (and resets this).
        if (info.abandoned_state) out.flags |= SHMLINK_OBJECT_MUTEX_ABANDONED;
      } else {
        out.flags |= SHMLINK_OBJECT_UNREADABLE;
      }
      break;
    }
    case KernelType::Semaphore: {
      out.kind = SHMLINK_KIND_SEMAPHORE;
      NtSemaphoreBasicInformation info{};
      if (state_readable && query(nt().query_semaphore, handle.get(), kBasicInformation, info) &&
          info.maximum_count > 0 && info.current_count >= 0 && info.current_count <= info.maximum_count) {
        out.semaphore_count = static_cast<uint32_t>(info.current_count);
        out.semaphore_max = static_cast<uint32_t>(info.maximum_count);
      } else {
        out.flags |= SHMLINK_OBJECT_UNREADABLE;
      }
      break;
    }
    case KernelType::Timer:
      out.kind = SHMLINK_KIND_CHANNEL;
      if (!describe_channel(kernel_name, out)) return false;
      break;
    default: return false;
  }
  return true;
}

shmlink_object_description blank_description(const std::string& name) {
  shmlink_object_description description{};
  description.struct_size = sizeof description;
  std::snprintf(description.name, sizeof description.name, "%s", name.c_str());
  return description;
}

// Lists the objects of one directory with shmlink names, "`prefix`<entry name>".
void list_directory(const std::wstring& path, const char* prefix, bool only_openable, HandleTable& handles,
                    std::vector<shmlink_object_description>& out) {
  for (const DirectoryEntry& entry : read_directory(path)) {
    const KernelType type = type_from_name(entry.type);
    if (type == KernelType::None || entry.name.empty()) continue;
    const std::string name = prefix + utf8(entry.name);
    ObjectName parsed;
    try {
      parsed = parse_name(name.c_str());  // also leaves out a channel's own parts (their '/')
    } catch (const Failure&) {
      continue;
    }
    shmlink_object_description description = blank_description(name);
    if (!describe_kernel_object(win32::kernel_object_name(parsed), type, handles, description)) continue;
    if (only_openable && (description.flags & SHMLINK_OBJECT_UNREADABLE) != 0) continue;
    out.push_back(description);
  }
}

}  // namespace

std::vector<shmlink_object_description> list_objects(uint32_t flags) {
  std::vector<shmlink_object_description> found;
  HandleTable handles;
  const std::wstring local = local_directory_path();
  list_directory(local, "Local\\", false, handles, found);
  // In session 0 (services) Local\ and Global\ are one directory: list it once.
  if (local != kGlobalDirectoryPath)
    list_directory(kGlobalDirectoryPath, "Global\\", (flags & SHMLINK_LIST_ALL_USERS) == 0, handles, found);
  std::sort(found.begin(), found.end(), [](const shmlink_object_description& a, const shmlink_object_description& b) {
    return std::strcmp(a.name, b.name) < 0;
  });
  return found;
}

shmlink_object_description describe_object(const ObjectName& name) {
  const std::wstring kernel_name = win32::kernel_object_name(name);
  shmlink_object_description description =
      blank_description((name.scope == Namespace::Global ? "Global\\" : "Local\\") + name.base);
  // The name has one object in the kernel's namespace; opening it as the wrong type fails
  // with ERROR_INVALID_HANDLE. A channel's timer comes first: its section has another name.
  for (const KernelType type :
       {KernelType::Timer, KernelType::Section, KernelType::Event, KernelType::Mutant, KernelType::Semaphore}) {
    HandleTable handles;
    if (describe_kernel_object(kernel_name, type, handles, description)) return description;
    description = blank_description(description.name);
  }
  fail(SHMLINK_ERR_NOT_FOUND, "there is no object of that name");
}

void remove_named_object(const ObjectName&, bool) {
  fail(SHMLINK_ERR_NOT_SUPPORTED,
       "a Windows kernel object's name goes with its last handle: close the handles (end the processes holding "
       "it) and the name is free");
}

uint32_t collect_dead_objects() {
  fail(SHMLINK_ERR_NOT_SUPPORTED, "on Windows the kernel frees an object with its last handle: nothing is left "
                                  "behind to collect");
}

}  // namespace shmlink
