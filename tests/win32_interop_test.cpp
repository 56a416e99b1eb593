// Windows only: a segment's name is the kernel object's own name, so shmlink and programs
// that call CreateFileMappingW / OpenFileMappingW / CreateEventW directly meet the same
// objects. (Globbed on every platform; empty elsewhere.)
#ifdef _WIN32

#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <windows.h>

#include <aclapi.h>

#include <cstring>
#include <string>

namespace {

using shmlink_test::Handle;
using shmlink_test::View;

// The UTF-16 kernel name of an ASCII shmlink name with `prefix` ("Local\\" or "Global\\").
std::wstring kernel_name(const std::string& prefix, const std::string& base) {
  const std::string full = prefix + base;
  return std::wstring(full.begin(), full.end());  // unique_name() is ASCII
}

// Closes a Win32 handle at the end of the scope.
struct Win32Handle {
  HANDLE handle;
  explicit Win32Handle(HANDLE h) : handle(h) {}
  ~Win32Handle() {
    if (handle != nullptr) CloseHandle(handle);
  }
  Win32Handle(const Win32Handle&) = delete;
  Win32Handle& operator=(const Win32Handle&) = delete;
};

// Unmaps a Win32 view at the end of the scope.
struct Win32View {
  void* address;
  explicit Win32View(void* a) : address(a) {}
  ~Win32View() {
    if (address != nullptr) UnmapViewOfFile(address);
  }
  Win32View(const Win32View&) = delete;
  Win32View& operator=(const Win32View&) = delete;
};

constexpr char kMessage[] = "written by the other side";

// The access the DACL of the section named `name` grants to Everyone (0 if none): read back
// by a plain OpenFileMappingW + GetSecurityInfo, as any other program would see it.
ACCESS_MASK everyone_access(const std::wstring& name) {
  Win32Handle mapping(OpenFileMappingW(READ_CONTROL, FALSE, name.c_str()));
  EXPECT_NE(mapping.handle, nullptr) << "OpenFileMappingW: error " << GetLastError();
  if (mapping.handle == nullptr) return 0;
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const DWORD error = GetSecurityInfo(mapping.handle, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr,
                                      &dacl, nullptr, &descriptor);
  EXPECT_EQ(error, static_cast<DWORD>(ERROR_SUCCESS));
  if (error != ERROR_SUCCESS) return 0;
  SID_IDENTIFIER_AUTHORITY world = SECURITY_WORLD_SID_AUTHORITY;
  PSID everyone = nullptr;
  ACCESS_MASK granted = 0;
  if (AllocateAndInitializeSid(&world, 1, SECURITY_WORLD_RID, 0, 0, 0, 0, 0, 0, 0, &everyone)) {
    for (DWORD index = 0; dacl != nullptr && index < dacl->AceCount; ++index) {
      void* ace = nullptr;
      if (!GetAce(dacl, index, &ace)) continue;
      auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
      if (allowed->Header.AceType == ACCESS_ALLOWED_ACE_TYPE && EqualSid(&allowed->SidStart, everyone))
        granted |= allowed->Mask;
    }
    FreeSid(everyone);
  }
  LocalFree(descriptor);
  return granted;
}

TEST(Win32Interop, SegmentOpensMappingMadeByCreateFileMapping) {
  const std::string name = shmlink_test::unique_name();
  Win32Handle mapping(
      CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0, 65536, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(mapping.handle, nullptr) << "CreateFileMappingW: error " << GetLastError();
  Win32View written(MapViewOfFile(mapping.handle, FILE_MAP_WRITE, 0, 0, 0));
  ASSERT_NE(written.address, nullptr) << "MapViewOfFile: error " << GetLastError();
  constexpr uint64_t kOffset = 4464;  // not a multiple of the granularity: shmlink aligns
  std::memcpy(static_cast<char*>(written.address) + kOffset, kMessage, sizeof kMessage);

  // Unprefixed means Local\ to both.
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, segment.out()));
  uint64_t size = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(segment.get(), &size));
  EXPECT_EQ(size, 65536u);
  View view;
  ASSERT_STATUS(SHMLINK_OK, shmlink_test::map_view(segment.get(), kOffset, sizeof kMessage,
                                                   SHMLINK_ACCESS_READ, view));
  EXPECT_STREQ(view.bytes(), kMessage);

  // And the other way round through the same object: what shmlink writes, the plain view sees.
  Handle writable;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_segment_open(("Local\\" + name).c_str(), SHMLINK_ACCESS_READ_WRITE, writable.out()));
  View write_view;
  ASSERT_STATUS(SHMLINK_OK, shmlink_test::map_view(writable.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, write_view));
  std::memcpy(write_view.bytes(), "back", 5);
  EXPECT_STREQ(static_cast<const char*>(written.address), "back");
}

TEST(Win32Interop, OpenFileMappingSeesSegmentMadeByShmlink) {
  const std::string name = shmlink_test::unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100000, SHMLINK_CREATE_NEW, segment.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, shmlink_test::map_view(segment.get(), 99000, 0, SHMLINK_ACCESS_READ_WRITE, view));
  std::memcpy(view.bytes(), kMessage, sizeof kMessage);

  Win32Handle mapping(OpenFileMappingW(FILE_MAP_READ, FALSE, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(mapping.handle, nullptr) << "OpenFileMappingW: error " << GetLastError();
  Win32View read(MapViewOfFile(mapping.handle, FILE_MAP_READ, 0, 0, 100000));
  ASSERT_NE(read.address, nullptr) << "MapViewOfFile: error " << GetLastError();
  EXPECT_STREQ(static_cast<const char*>(read.address) + 99000, kMessage);
}

TEST(Win32Interop, GlobalNameIsTheKernelsGlobalName) {
  const std::string name = shmlink_test::unique_name();
  Handle segment;
  const shmlink_status created =
      shmlink_segment_create(("Global\\" + name).c_str(), 4096, SHMLINK_CREATE_NEW, segment.out());
  // Creating in Global\ needs SeCreateGlobalPrivilege on Windows (Wine grants it).
  if (created == SHMLINK_ERR_ACCESS_DENIED) GTEST_SKIP() << "no SeCreateGlobalPrivilege";
  ASSERT_STATUS(SHMLINK_OK, created);

  Win32Handle global(OpenFileMappingW(FILE_MAP_READ, FALSE, kernel_name("Global\\", name).c_str()));
  EXPECT_NE(global.handle, nullptr) << "OpenFileMappingW: error " << GetLastError();
  Win32Handle local(OpenFileMappingW(FILE_MAP_READ, FALSE, kernel_name("Local\\", name).c_str()));
  EXPECT_EQ(local.handle, nullptr);
}

TEST(Win32Interop, CreateOnNameHeldByPlainEventIsWrongKind) {
  const std::string name = shmlink_test::unique_name();
  Win32Handle event(CreateEventW(nullptr, TRUE, FALSE, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(event.handle, nullptr) << "CreateEventW: error " << GetLastError();

  Handle segment;
  EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, segment.out()));
  EXPECT_EQ(segment.get(), 0u);
  EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND,
                shmlink_segment_create(name.c_str(), 4096, SHMLINK_OPEN_OR_CREATE, segment.out()));
  EXPECT_EQ(segment.get(), 0u);
}

TEST(Win32Interop, OpenOnNameHeldByPlainEventIsWrongKind) {
  const std::string name = shmlink_test::unique_name();
  Win32Handle event(CreateEventW(nullptr, FALSE, FALSE, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(event.handle, nullptr) << "CreateEventW: error " << GetLastError();

  for (uint32_t access : {SHMLINK_ACCESS_READ, SHMLINK_ACCESS_READ_WRITE, SHMLINK_ACCESS_COPY_ON_WRITE}) {
    Handle segment;
    EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_segment_open(name.c_str(), access, segment.out()));
    EXPECT_EQ(segment.get(), 0u);
  }
}

TEST(Win32Interop, EveryOpenerSeesTheExactSizeTheCreatorAskedFor) {
  const std::string name = shmlink_test::unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, SHMLINK_CREATE_NEW, segment.out()));
  uint64_t size = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(segment.get(), &size));
  EXPECT_EQ(size, 100u);

  // The kernel keeps whole pages; the size asked for comes from the segment itself.
  Handle opened;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, opened.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(opened.get(), &size));
  EXPECT_EQ(size, 100u);
  Handle existing;
  ASSERT_STATUS(SHMLINK_EXISTED, shmlink_segment_create(name.c_str(), 5, SHMLINK_OPEN_OR_CREATE, existing.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(existing.get(), &size));
  EXPECT_EQ(size, 100u);
}

TEST(Win32Interop, PlainMappingReportsTheKernelsPageRoundedSize) {
  const std::string name = shmlink_test::unique_name();
  Win32Handle mapping(
      CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0, 100, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(mapping.handle, nullptr) << "CreateFileMappingW: error " << GetLastError();
  // Whatever a plain program leaves in the last bytes is data, not a size record.
  Win32View view(MapViewOfFile(mapping.handle, FILE_MAP_WRITE, 0, 0, 0));
  ASSERT_NE(view.address, nullptr) << "MapViewOfFile: error " << GetLastError();
  std::memset(view.address, 0xA5, 4096);

  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, segment.out()));
  uint64_t size = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(segment.get(), &size));
  EXPECT_EQ(size, 4096u) << "the creator's 100 bytes are not recorded anywhere";
}

TEST(Win32Interop, ShareAllUsersLetsEveryoneMapButNotRetakeTheSection) {
  const std::string name = shmlink_test::unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, SHMLINK_SHARE_ALL_USERS, segment.out()));
  const ACCESS_MASK granted = everyone_access(kernel_name("Local\\", name));
  EXPECT_EQ(granted & (SECTION_QUERY | SECTION_MAP_READ | SECTION_MAP_WRITE),
            static_cast<ACCESS_MASK>(SECTION_QUERY | SECTION_MAP_READ | SECTION_MAP_WRITE));
  EXPECT_EQ(granted & (WRITE_DAC | WRITE_OWNER | DELETE | SECTION_EXTEND_SIZE), 0u);
}

TEST(Win32Interop, WithoutShareFlagsEveryoneGetsNothing) {
  const std::string name = shmlink_test::unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, segment.out()));
  EXPECT_EQ(everyone_access(kernel_name("Local\\", name)), 0u);
}

}  // namespace

#endif  // _WIN32
