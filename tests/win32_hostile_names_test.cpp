// Windows only (issue 12, the Windows side of points 1 and 5): a Local\ name that someone
// else made first with plain Win32 calls - an object of another type, or of the very type
// shmlink uses but with a DACL of the squatter's choosing - gives shmlink's documented status
// on create, open-or-create and open: WRONG_KIND, ALREADY_EXISTS, ACCESS_DENIED or CORRUPT.
// Never a crash, never a handle with rights the DACL does not grant, and never a channel that
// silently shares a helper object (its section or its wake-up semaphores) with whoever made it.
// (Globbed on every platform; empty elsewhere.)
//
// Under Wine every process runs as the one user, so the squatter here is the test itself,
// owning what it made: the DACLs below deny even their owner what they do not grant (an owner
// keeps only READ_CONTROL and WRITE_DAC), which is what a squatting account's DACL does to us.
#ifdef _WIN32

#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <windows.h>

#include <sddl.h>

#include <chrono>
#include <cwchar>
#include <string>
#include <vector>

namespace {

using shmlink_test::Handle;

// The shmlink kinds, each with the Win32 type whose object holds its name.
enum class Kind { Segment, Signal, Mutex, Semaphore, Channel };
const std::vector<Kind> kKinds{Kind::Segment, Kind::Signal, Kind::Mutex, Kind::Semaphore, Kind::Channel};

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::Segment: return "segment (file mapping)";
    case Kind::Signal: return "signal (event)";
    case Kind::Mutex: return "mutex (mutex)";
    case Kind::Semaphore: return "semaphore (semaphore)";
    case Kind::Channel: return "channel (waitable timer)";
  }
  return "?";
}

std::wstring local_kernel_name(const std::string& base) {
  const std::string full = "Local\\" + base;
  return std::wstring(full.begin(), full.end());  // unique_name() is ASCII
}

// A Win32 handle, closed at the end of the scope.
class Win32Handle {
 public:
  explicit Win32Handle(HANDLE handle) : handle_(handle) {}
  ~Win32Handle() {
    if (handle_ != nullptr) CloseHandle(handle_);
  }
  Win32Handle(const Win32Handle&) = delete;
  Win32Handle& operator=(const Win32Handle&) = delete;
  HANDLE get() const { return handle_; }

 private:
  HANDLE handle_;
};

// The squatter: a plain object of the Win32 type `type` uses, at `name`, made with the default
// security, then given the DACL of `sddl` (nullptr: left as made). The DACL is set after
// creating because Wine refuses to create a waitable timer whose DACL denies its creator
// TIMER_ALL_ACCESS (error 5), where it makes the other types; Windows gives a creator its
// handle whatever the DACL. The squatter's own handle keeps all rights either way.
HANDLE squat(Kind type, const std::wstring& name, const wchar_t* sddl) {
  SetLastError(ERROR_SUCCESS);
  HANDLE handle = nullptr;
  switch (type) {
    case Kind::Segment:
      handle = CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0, 65536, name.c_str());
      break;
    case Kind::Signal: handle = CreateEventW(nullptr, TRUE, FALSE, name.c_str()); break;
    case Kind::Mutex: handle = CreateMutexW(nullptr, FALSE, name.c_str()); break;
    case Kind::Semaphore: handle = CreateSemaphoreW(nullptr, 0, 1, name.c_str()); break;
    case Kind::Channel: handle = CreateWaitableTimerW(nullptr, TRUE, name.c_str()); break;
  }
  EXPECT_NE(handle, nullptr) << "squatting " << kind_name(type) << ": error " << GetLastError();
  EXPECT_NE(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS)) << "the name was not free";
  if (handle == nullptr || sddl == nullptr) return handle;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  EXPECT_TRUE(ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &descriptor, nullptr))
      << "error " << GetLastError();
  EXPECT_TRUE(SetKernelObjectSecurity(handle, DACL_SECURITY_INFORMATION, descriptor))
      << "setting the DACL of a plain " << kind_name(type) << ": error " << GetLastError();
  LocalFree(descriptor);
  return handle;
}

// The shmlink calls of a kind, with what a handle of each needs: read-write for a segment, a
// sender for a channel.
shmlink_status create(Kind kind, const std::string& name, uint32_t flags, Handle& out) {
  switch (kind) {
    case Kind::Segment: return shmlink_segment_create(name.c_str(), 4096, flags, out.out());
    case Kind::Signal: return shmlink_signal_create(name.c_str(), flags, out.out());
    case Kind::Mutex: return shmlink_mutex_create(name.c_str(), flags, out.out());
    case Kind::Semaphore: return shmlink_semaphore_create(name.c_str(), 0, 1, flags, out.out());
    case Kind::Channel:
      return shmlink_channel_create(name.c_str(), 4096, 64, flags | SHMLINK_CHANNEL_SENDER, out.out());
  }
  return SHMLINK_ERR_INVALID_ARGUMENT;
}

shmlink_status open(Kind kind, const std::string& name, Handle& out) {
  switch (kind) {
    case Kind::Segment: return shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, out.out());
    case Kind::Signal: return shmlink_signal_open(name.c_str(), out.out());
    case Kind::Mutex: return shmlink_mutex_open(name.c_str(), out.out());
    case Kind::Semaphore: return shmlink_semaphore_open(name.c_str(), out.out());
    case Kind::Channel: return shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_SENDER, out.out());
  }
  return SHMLINK_ERR_INVALID_ARGUMENT;
}

// Whether this runs under Wine (which has ntdll's wine_get_version).
bool under_wine() {
  const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

// What create (CREATE_NEW), open-or-create and open of `kind` give on a name squatted by
// `squatter` with `sddl`; each must give its expected status and no handle. Where Wine is known
// to grant what the DACL withholds, `under_wine` is what the opening calls may give there instead.
struct Expected {
  shmlink_status create_new;
  shmlink_status open_or_create;
  shmlink_status open;
  shmlink_status under_wine = SHMLINK_OK;  // none
};

void expect_opening(shmlink_status expected, const Expected& all, shmlink_status status) {
  if (all.under_wine != SHMLINK_OK && status == all.under_wine && under_wine()) return;
  EXPECT_STATUS(expected, status);
}

void expect_squatted_name_refused(Kind kind, Kind squatter, const wchar_t* sddl, const Expected& expected) {
  const std::string name = shmlink_test::unique_name();
  Win32Handle held(squat(squatter, local_kernel_name(name), sddl));
  SCOPED_TRACE(std::string("shmlink ") + kind_name(kind) + " on a name held by a plain " + kind_name(squatter) +
               (sddl == nullptr ? "" : " with the DACL " + std::string(sddl, sddl + std::wcslen(sddl))));
  Handle handle;
  EXPECT_STATUS(expected.create_new, create(kind, name, SHMLINK_CREATE_NEW, handle));
  EXPECT_EQ(handle.get(), shmlink_handle{0});
  expect_opening(expected.open_or_create, expected, create(kind, name, SHMLINK_OPEN_OR_CREATE, handle));
  EXPECT_EQ(handle.get(), shmlink_handle{0});
  expect_opening(expected.open, expected, open(kind, name, handle));
  EXPECT_EQ(handle.get(), shmlink_handle{0});
}

// Under Wine a DACL never withholds SYNCHRONIZE (seen with a probe: OpenEventW, OpenMutexW and
// OpenWaitableTimerW for SYNCHRONIZE succeed on objects whose DACL grants nothing, while every
// other specific right is refused as the DACL says). A channel's name holder is opened for
// SYNCHRONIZE alone, so under Wine a squatted one opens, and the channel behind it is not there:
// CORRUPT (after the creator's grace) instead of ACCESS_DENIED. Still no handle.
shmlink_status wine_gives(Kind kind) { return kind == Kind::Channel ? SHMLINK_ERR_CORRUPT : SHMLINK_OK; }

// Grants nobody anything: not even its owner may wait on, set, map or query it.
constexpr wchar_t kNobody[] = L"D:";
// Grants Everyone READ_CONTROL only: reading the security descriptor, nothing else. (Not
// GENERIC_READ: Wine maps that, for a mutex, to SYNCHRONIZE | MUTANT_QUERY_STATE, and
// MUTANT_QUERY_STATE is MUTEX_MODIFY_STATE: everything a mutex handle needs. Windows leaves
// SYNCHRONIZE out of it.)
constexpr wchar_t kEveryoneReadControlOnly[] = L"D:(A;;RC;;;WD)";
// Grants Everyone what maps a section for reading: READ_CONTROL, SECTION_QUERY, SECTION_MAP_READ.
constexpr wchar_t kEveryoneMapReadOnly[] = L"D:(A;;0x20005;;;WD)";

// Whatever the other type's DACL says: even one that grants nothing names another kind.
TEST(Win32HostileNames, ANameHeldByAnotherTypeIsWrongKindForEveryCall) {
  for (const wchar_t* sddl : {static_cast<const wchar_t*>(nullptr), kNobody}) {
    for (Kind kind : kKinds) {
      for (Kind squatter : kKinds) {
        if (squatter == kind) continue;
        expect_squatted_name_refused(kind, squatter, sddl,
                                     {SHMLINK_ERR_WRONG_KIND, SHMLINK_ERR_WRONG_KIND, SHMLINK_ERR_WRONG_KIND});
      }
    }
  }
}

// The same type, but its DACL lets us do nothing: the name exists (CREATE_NEW), and it is not
// ours to open (ACCESS_DENIED) - never a handle.
TEST(Win32HostileNames, ANameOfTheSameTypeWhoseDaclGrantsNothingIsNeverOpened) {
  for (Kind kind : kKinds) {
    expect_squatted_name_refused(kind, kind, kNobody,
                                 {SHMLINK_ERR_ALREADY_EXISTS, SHMLINK_ERR_ACCESS_DENIED, SHMLINK_ERR_ACCESS_DENIED,
                                  wine_gives(kind)});
  }
}

// The same type, whose DACL lets everyone read its security and nothing more: no handle of
// shmlink's (which each need to wait, set, map or hold a channel's name) may come of it.
TEST(Win32HostileNames, ANameOfTheSameTypeWhoseDaclGrantsOnlyReadingItsSecurityIsNeverOpened) {
  for (Kind kind : kKinds) {
    expect_squatted_name_refused(kind, kind, kEveryoneReadControlOnly,
                                 {SHMLINK_ERR_ALREADY_EXISTS, SHMLINK_ERR_ACCESS_DENIED, SHMLINK_ERR_ACCESS_DENIED,
                                  wine_gives(kind)});
  }
}

// What a DACL does grant is granted, and no more: a section everyone may map for reading opens
// for reading, maps for reading, and refuses to open or map for writing.
TEST(Win32HostileNames, ASectionEveryoneMayMapForReadingOpensForReadingOnly) {
  const std::string name = shmlink_test::unique_name();
  Win32Handle held(squat(Kind::Segment, local_kernel_name(name), kEveryoneMapReadOnly));
  Handle writable;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, writable.out()));
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, segment.out()));
  Handle view;
  void* address = nullptr;
  EXPECT_STATUS(SHMLINK_ERR_ACCESS_DENIED,
                shmlink_map(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view.out(), &address));
  ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment.get(), 0, 0, SHMLINK_ACCESS_READ, view.out(), &address));
  EXPECT_EQ(*static_cast<const unsigned char*>(address), 0u);
}

// A channel is its name holder (a waitable timer at the name) plus helper objects at
// "<name>/shmlink.channel" (section), "<name>/shmlink.data" and ".space" (semaphores). One
// that exists before the channel is made is someone else's: the creator must not use it (a
// squatter holding our wake-up semaphore could take every wake-up meant for our receivers):
// the name is taken (ALREADY_EXISTS), whatever the helper's type and DACL.
TEST(Win32HostileNames, AChannelNeverTakesOverAHelperObjectSomeoneElseMade) {
  struct Helper {
    const wchar_t* suffix;
    Kind type;
  };
  const std::vector<Helper> helpers{{L"/shmlink.channel", Kind::Segment}, {L"/shmlink.channel", Kind::Signal},
                                    {L"/shmlink.data", Kind::Semaphore},  {L"/shmlink.data", Kind::Signal},
                                    {L"/shmlink.space", Kind::Semaphore}, {L"/shmlink.space", Kind::Mutex}};
  for (const Helper& helper : helpers) {
    for (const wchar_t* sddl : {static_cast<const wchar_t*>(nullptr), kNobody}) {
      const std::string name = shmlink_test::unique_name();
      const std::wstring helper_name = local_kernel_name(name) + helper.suffix;
      Win32Handle held(squat(helper.type, helper_name, sddl));
      SCOPED_TRACE(std::string(helper_name.begin(), helper_name.end()) + " held by a plain " + kind_name(helper.type) +
                   (sddl == nullptr ? "" : " granting nothing"));
      for (uint32_t flags : {uint32_t{SHMLINK_CREATE_NEW}, uint32_t{SHMLINK_OPEN_OR_CREATE}}) {
        Handle channel;
        EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, create(Kind::Channel, name, flags, channel));
        EXPECT_EQ(channel.get(), shmlink_handle{0});
      }
    }
  }
}

// A name holder (a waitable timer) made by someone else, open to us, with no channel behind
// it: openers wait for a creator that never comes, up to the creator's grace, and say CORRUPT.
TEST(Win32HostileNames, AChannelNameHolderWithNoChannelBehindItIsCorrupt) {
  const auto start = std::chrono::steady_clock::now();
  expect_squatted_name_refused(Kind::Channel, Kind::Channel, nullptr,
                               {SHMLINK_ERR_ALREADY_EXISTS, SHMLINK_ERR_CORRUPT, SHMLINK_ERR_CORRUPT});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
}

// Once the squatter lets go, the name is free and shmlink's objects are made as usual.
TEST(Win32HostileNames, AfterTheSquatterLetsGoTheNameIsFree) {
  for (Kind kind : kKinds) {
    const std::string name = shmlink_test::unique_name();
    { Win32Handle held(squat(kind, local_kernel_name(name), kNobody)); }
    Handle handle;
    EXPECT_STATUS(SHMLINK_OK, create(kind, name, SHMLINK_CREATE_NEW, handle)) << kind_name(kind);
  }
}

}  // namespace

#endif  // _WIN32
