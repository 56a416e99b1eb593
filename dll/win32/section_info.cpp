#include "section_info.h"

#include "os_error.h"

#include <string>

namespace shmlink::win32 {
namespace {

// SECTION_BASIC_INFORMATION, which no mingw-w64 header declares.
struct SectionBasicInformation {
  PVOID base_address;
  ULONG allocation_attributes;
  LARGE_INTEGER maximum_size;
};
constexpr int kSectionBasicInformation = 0;  // SECTION_INFORMATION_CLASS

using NtQuerySectionFn = LONG(NTAPI*)(HANDLE, int, PVOID, SIZE_T, SIZE_T*);
using RtlNtStatusToDosErrorFn = ULONG(NTAPI*)(LONG);

struct NtFunctions {
  NtQuerySectionFn query_section = nullptr;
  RtlNtStatusToDosErrorFn status_to_error = nullptr;
};

template <class Fn>
Fn resolve(HMODULE module, const char* name) {
  // Through a generic function pointer type: converting FARPROC to the real signature
  // directly trips -Wcast-function-type.
  return reinterpret_cast<Fn>(reinterpret_cast<void (*)()>(GetProcAddress(module, name)));
}

const NtFunctions& nt_functions() {
  static const NtFunctions functions = [] {
    NtFunctions found;
    // ntdll is mapped into every process before any of our code runs; no reference to take.
    if (HMODULE ntdll = GetModuleHandleW(L"ntdll.dll")) {
      found.query_section = resolve<NtQuerySectionFn>(ntdll, "NtQuerySection");
      found.status_to_error = resolve<RtlNtStatusToDosErrorFn>(ntdll, "RtlNtStatusToDosError");
    }
    return found;
  }();
  return functions;
}

}  // namespace

SectionInfo query_section(HANDLE section) {
  const NtFunctions& nt = nt_functions();
  if (nt.query_section == nullptr) fail(SHMLINK_ERR_NOT_SUPPORTED, "ntdll.dll has no NtQuerySection");
  SectionBasicInformation info{};
  SIZE_T returned = 0;
  const LONG status = nt.query_section(section, kSectionBasicInformation, &info, sizeof info, &returned);
  if (status < 0) {  // NT_SUCCESS is status >= 0
    const ErrorCode error = nt.status_to_error != nullptr ? nt.status_to_error(status) : ERROR_GEN_FAILURE;
    throw_win32(error, "NtQuerySection");
  }
  if (info.maximum_size.QuadPart <= 0)
    fail(SHMLINK_ERR_SYSTEM, "NtQuerySection reported a section of " + std::to_string(info.maximum_size.QuadPart) +
                                 " bytes");
  return {static_cast<uint64_t>(info.maximum_size.QuadPart), info.allocation_attributes};
}

}  // namespace shmlink::win32
