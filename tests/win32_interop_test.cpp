// Windows only: a shmlink name is the kernel object's own name, so shmlink and programs that
// call CreateFileMappingW / OpenFileMappingW / CreateEventW / CreateMutexW / ... directly meet
// the same objects. (Globbed on every platform; empty elsewhere.)
#ifdef _WIN32

#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <windows.h>

#include <aclapi.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

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

// The access the DACL of `object` grants to Everyone (0 if none): read back by a plain
// GetSecurityInfo, as any other program would see it. everyone_access(name) does it for the
// section named `name`, opened with a plain OpenFileMappingW. An object without a DACL (a NULL
// DACL: what Wine gives an object created without a security descriptor) lets everyone do
// everything: all bits.
ACCESS_MASK everyone_access_of(HANDLE object) {
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const DWORD error = GetSecurityInfo(object, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr, &dacl,
                                      nullptr, &descriptor);
  EXPECT_EQ(error, static_cast<DWORD>(ERROR_SUCCESS));
  if (error != ERROR_SUCCESS) return 0;
  if (dacl == nullptr) {
    LocalFree(descriptor);
    return ~ACCESS_MASK{0};
  }
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

ACCESS_MASK everyone_access(const std::wstring& name) {
  Win32Handle mapping(OpenFileMappingW(READ_CONTROL, FALSE, name.c_str()));
  EXPECT_NE(mapping.handle, nullptr) << "OpenFileMappingW: error " << GetLastError();
  if (mapping.handle == nullptr) return 0;
  return everyone_access_of(mapping.handle);
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

// ---- Signals, mutexes, semaphores: the kernel's own events, mutexes and semaphores ----

constexpr DWORD kLongWaitMs = 20000;

TEST(Win32Interop, SignalOpensEventMadeByCreateEventAndPlainSetEventReleasesItsWait) {
  const std::string name = shmlink_test::unique_name();
  Win32Handle event(CreateEventW(nullptr, FALSE, FALSE, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(event.handle, nullptr) << "CreateEventW: error " << GetLastError();

  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_open(name.c_str(), signal.out()));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(signal.get(), 0));

  // A thread asleep in shmlink_wait is woken by a plain SetEvent.
  std::atomic<shmlink_status> waited{SHMLINK_ERR_SYSTEM};
  std::thread waiter([&] { waited = shmlink_wait(signal.get(), kLongWaitMs); });
  Sleep(50);  // most likely asleep by now; the outcome is the same either way
  EXPECT_TRUE(SetEvent(event.handle)) << "SetEvent: error " << GetLastError();
  waiter.join();
  EXPECT_STATUS(SHMLINK_OK, waited.load());
  // Auto-reset, as its creator made it: the one wait consumed the set.
  EXPECT_EQ(WaitForSingleObject(event.handle, 0), static_cast<DWORD>(WAIT_TIMEOUT));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(signal.get(), 0));
}

TEST(Win32Interop, OpenEventSeesTheSetsAndResetsOfASignalMadeByShmlink) {
  const std::string name = shmlink_test::unique_name();
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_signal_create(("Local\\" + name).c_str(), SHMLINK_SIGNAL_MANUAL_RESET, signal.out()));
  Win32Handle event(OpenEventW(SYNCHRONIZE, FALSE, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(event.handle, nullptr) << "OpenEventW: error " << GetLastError();
  EXPECT_EQ(WaitForSingleObject(event.handle, 0), static_cast<DWORD>(WAIT_TIMEOUT));

  // A thread asleep in a plain WaitForSingleObject is woken by shmlink_signal_set.
  std::atomic<DWORD> waited{WAIT_FAILED};
  std::thread waiter([&] { waited = WaitForSingleObject(event.handle, kLongWaitMs); });
  Sleep(50);
  EXPECT_STATUS(SHMLINK_OK, shmlink_signal_set(signal.get()));
  waiter.join();
  EXPECT_EQ(waited.load(), static_cast<DWORD>(WAIT_OBJECT_0));
  // Manual reset: set for plain waits and shmlink's alike until shmlink resets it.
  EXPECT_EQ(WaitForSingleObject(event.handle, 0), static_cast<DWORD>(WAIT_OBJECT_0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(signal.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_signal_reset(signal.get()));
  EXPECT_EQ(WaitForSingleObject(event.handle, 0), static_cast<DWORD>(WAIT_TIMEOUT));
}

TEST(Win32Interop, SignalFlagsBecomeTheEventsResetModeAndInitialState) {
  const std::string name = shmlink_test::unique_name();
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(name.c_str(), SHMLINK_SIGNAL_INITIALLY_SET, signal.out()));
  Win32Handle event(OpenEventW(SYNCHRONIZE, FALSE, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(event.handle, nullptr) << "OpenEventW: error " << GetLastError();
  // Initially set and auto-reset: one plain wait takes it, the next finds it unset.
  EXPECT_EQ(WaitForSingleObject(event.handle, 0), static_cast<DWORD>(WAIT_OBJECT_0));
  EXPECT_EQ(WaitForSingleObject(event.handle, 0), static_cast<DWORD>(WAIT_TIMEOUT));
}

TEST(Win32Interop, OpenOrCreateOnAPlainEventOpensItWithItsOwnResetMode) {
  const std::string name = shmlink_test::unique_name();
  Win32Handle event(CreateEventW(nullptr, TRUE, TRUE, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(event.handle, nullptr) << "CreateEventW: error " << GetLastError();

  Handle signal;
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, shmlink_signal_create(name.c_str(), SHMLINK_CREATE_NEW, signal.out()));
  EXPECT_EQ(signal.get(), 0u);
  ASSERT_STATUS(SHMLINK_EXISTED,
                shmlink_signal_create(name.c_str(), SHMLINK_OPEN_OR_CREATE | SHMLINK_SIGNAL_AUTO_RESET, signal.out()));
  // Manual reset and set, as the plain creator made it; the flags asked for are ignored.
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(signal.get(), 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_wait(signal.get(), 0));
}

TEST(Win32Interop, NameOfAPlainMutexIsWrongKindForSignalsAndSemaphores) {
  const std::string name = shmlink_test::unique_name();
  Win32Handle mutex(CreateMutexW(nullptr, FALSE, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(mutex.handle, nullptr) << "CreateMutexW: error " << GetLastError();

  for (const uint32_t flags : {SHMLINK_CREATE_NEW, SHMLINK_OPEN_OR_CREATE,
                               SHMLINK_OPEN_OR_CREATE | SHMLINK_SIGNAL_MANUAL_RESET | SHMLINK_SIGNAL_INITIALLY_SET}) {
    Handle signal;
    EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_signal_create(name.c_str(), flags, signal.out()));
    EXPECT_EQ(signal.get(), 0u);
  }
  Handle other;
  EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_signal_open(name.c_str(), other.out()));
  EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND,
                shmlink_semaphore_create(name.c_str(), 0, 1, SHMLINK_OPEN_OR_CREATE, other.out()));
  EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_semaphore_open(name.c_str(), other.out()));
  EXPECT_EQ(other.get(), 0u);

  // As a mutex it is simply the same object: opened, and not created again.
  Handle as_mutex;
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_open(name.c_str(), as_mutex.out()));
  EXPECT_STATUS(
      SHMLINK_EXISTED,
      shmlink_mutex_create(name.c_str(), SHMLINK_OPEN_OR_CREATE | SHMLINK_MUTEX_INITIALLY_OWNED, as_mutex.out()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(as_mutex.get())) << "an existing mutex is not acquired";
}

TEST(Win32Interop, NameOfASegmentIsWrongKindForEverySyncCreateAndOpen) {
  const std::string name = shmlink_test::unique_name();
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, segment.out()));

  for (const uint32_t flags : {SHMLINK_CREATE_NEW, SHMLINK_OPEN_OR_CREATE}) {
    Handle object;
    EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_signal_create(name.c_str(), flags, object.out()));
    EXPECT_EQ(object.get(), 0u);
    EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_mutex_create(name.c_str(), flags, object.out()));
    EXPECT_EQ(object.get(), 0u);
    EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_semaphore_create(name.c_str(), 1, 2, flags, object.out()));
    EXPECT_EQ(object.get(), 0u);
  }
  Handle object;
  EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_signal_open(name.c_str(), object.out()));
  EXPECT_EQ(object.get(), 0u);
  EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_mutex_open(name.c_str(), object.out()));
  EXPECT_EQ(object.get(), 0u);
  EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, shmlink_semaphore_open(name.c_str(), object.out()));
  EXPECT_EQ(object.get(), 0u);

  // The segment is untouched by all that.
  Handle opened;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, opened.out()));
}

TEST(Win32Interop, MutexOfAPlainThreadThatEndedIsAbandonedToShmlink) {
  const std::string name = shmlink_test::unique_name();
  Win32Handle mutex(CreateMutexW(nullptr, FALSE, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(mutex.handle, nullptr) << "CreateMutexW: error " << GetLastError();
  std::thread owner([&] {
    // Ends holding it.
    EXPECT_EQ(WaitForSingleObject(mutex.handle, 0), static_cast<DWORD>(WAIT_OBJECT_0));
  });
  owner.join();

  Handle opened;
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_open(name.c_str(), opened.out()));
  EXPECT_STATUS(SHMLINK_ABANDONED, shmlink_mutex_lock(opened.get(), kLongWaitMs));
  // This thread owns it now, for plain calls too: one recursive ownership across both APIs.
  EXPECT_EQ(WaitForSingleObject(mutex.handle, 0), static_cast<DWORD>(WAIT_OBJECT_0));
  EXPECT_TRUE(ReleaseMutex(mutex.handle));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(opened.get()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(opened.get()));
  EXPECT_FALSE(ReleaseMutex(mutex.handle));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_OWNER));
}

TEST(Win32Interop, InitiallyOwnedMutexIsOwnedForPlainWaitsOfOtherThreads) {
  const std::string name = shmlink_test::unique_name();
  Handle mutex;
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create(name.c_str(), SHMLINK_MUTEX_INITIALLY_OWNED, mutex.out()));
  Win32Handle plain(OpenMutexW(SYNCHRONIZE | MUTEX_MODIFY_STATE, FALSE, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(plain.handle, nullptr) << "OpenMutexW: error " << GetLastError();
  std::atomic<DWORD> while_owned{WAIT_FAILED};
  std::thread([&] { while_owned = WaitForSingleObject(plain.handle, 0); }).join();
  EXPECT_EQ(while_owned.load(), static_cast<DWORD>(WAIT_TIMEOUT));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  std::atomic<DWORD> after_unlock{WAIT_FAILED};
  std::thread([&] {
    after_unlock = WaitForSingleObject(plain.handle, 0);
    if (after_unlock == WAIT_OBJECT_0) ReleaseMutex(plain.handle);
  }).join();
  EXPECT_EQ(after_unlock.load(), static_cast<DWORD>(WAIT_OBJECT_0));
}

TEST(Win32Interop, SemaphoreCountsAndLimitsAreTheKernelsOwn) {
  const std::string name = shmlink_test::unique_name();
  Win32Handle plain(CreateSemaphoreW(nullptr, 1, 3, kernel_name("Local\\", name).c_str()));
  ASSERT_NE(plain.handle, nullptr) << "CreateSemaphoreW: error " << GetLastError();
  Handle semaphore;
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_open(name.c_str(), semaphore.out()));

  uint32_t previous = 77;
  EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(semaphore.get(), 3, &previous));
  EXPECT_EQ(previous, 77u) << "a failed release gives no previous count";
  EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(semaphore.get(), 0x80000000u, &previous));
  EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(semaphore.get(), 0xFFFFFFFFu, &previous));
  EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_release(semaphore.get(), 2, &previous));
  EXPECT_EQ(previous, 1u) << "the failed releases left the count alone";
  LONG plain_previous = -1;
  EXPECT_FALSE(ReleaseSemaphore(plain.handle, 1, &plain_previous)) << "the count is at the maximum of 3";
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_TOO_MANY_POSTS));
  for (int i = 0; i < 3; ++i) EXPECT_STATUS(SHMLINK_OK, shmlink_wait(semaphore.get(), 0)) << i;
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(semaphore.get(), 0));

  // The other way round: a plain program sees the counts shmlink gave a new semaphore.
  const std::string made_name = shmlink_test::unique_name();
  Handle made;
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_create(made_name.c_str(), 2, 5, SHMLINK_CREATE_NEW, made.out()));
  Win32Handle opened(
      OpenSemaphoreW(SYNCHRONIZE | SEMAPHORE_MODIFY_STATE, FALSE, kernel_name("Local\\", made_name).c_str()));
  ASSERT_NE(opened.handle, nullptr) << "OpenSemaphoreW: error " << GetLastError();
  EXPECT_TRUE(ReleaseSemaphore(opened.handle, 3, &plain_previous));
  EXPECT_EQ(plain_previous, 2);
  EXPECT_STATUS(SHMLINK_ERR_LIMIT_EXCEEDED, shmlink_semaphore_release(made.get(), 1, nullptr));
}

// Each sync kind, as a plain program opens it for its DACL: (name) -> handle with READ_CONTROL.
struct SyncKind {
  const char* kind;
  shmlink_status (*create)(const std::string& name, uint32_t flags, Handle& out);
  HANDLE (*open_plain)(const std::wstring& name);
  ACCESS_MASK handle_rights;  // what a shmlink handle needs: wait and change the state
};

const SyncKind kSyncKinds[] = {
    {"signal",
     [](const std::string& name, uint32_t flags, Handle& out) {
       return shmlink_signal_create(name.c_str(), flags, out.out());
     },
     [](const std::wstring& name) { return OpenEventW(READ_CONTROL, FALSE, name.c_str()); },
     SYNCHRONIZE | EVENT_MODIFY_STATE},
    {"mutex",
     [](const std::string& name, uint32_t flags, Handle& out) {
       return shmlink_mutex_create(name.c_str(), flags, out.out());
     },
     [](const std::wstring& name) { return OpenMutexW(READ_CONTROL, FALSE, name.c_str()); },
     SYNCHRONIZE | MUTEX_MODIFY_STATE},
    {"semaphore",
     [](const std::string& name, uint32_t flags, Handle& out) {
       return shmlink_semaphore_create(name.c_str(), 0, 1, flags, out.out());
     },
     [](const std::wstring& name) { return OpenSemaphoreW(READ_CONTROL, FALSE, name.c_str()); },
     SYNCHRONIZE | SEMAPHORE_MODIFY_STATE},
};

TEST(Win32Interop, ShareAllUsersLetsEveryoneWaitAndSignalButNotRetakeSyncObjects) {
  for (const SyncKind& kind : kSyncKinds) {
    SCOPED_TRACE(kind.kind);
    const std::string name = shmlink_test::unique_name();
    Handle object;
    ASSERT_STATUS(SHMLINK_OK, kind.create(name, SHMLINK_SHARE_ALL_USERS, object));
    Win32Handle plain(kind.open_plain(kernel_name("Local\\", name)));
    ASSERT_NE(plain.handle, nullptr) << "open: error " << GetLastError();
    const ACCESS_MASK granted = everyone_access_of(plain.handle);
    EXPECT_EQ(granted & kind.handle_rights, kind.handle_rights);
    EXPECT_EQ(granted & (WRITE_DAC | WRITE_OWNER | DELETE), 0u);
  }
}

TEST(Win32Interop, WithoutShareFlagsEveryoneGetsNothingOfSyncObjects) {
  for (const SyncKind& kind : kSyncKinds) {
    SCOPED_TRACE(kind.kind);
    const std::string name = shmlink_test::unique_name();
    Handle object;
    ASSERT_STATUS(SHMLINK_OK, kind.create(name, SHMLINK_CREATE_NEW, object));
    Win32Handle plain(kind.open_plain(kernel_name("Local\\", name)));
    ASSERT_NE(plain.handle, nullptr) << "open: error " << GetLastError();
    EXPECT_EQ(everyone_access_of(plain.handle), 0u);
  }
}

TEST(Win32Interop, TimedOutWaitsLastTheFullTimeoutOnThePerformanceCounter) {
  // Plain WaitFor* may return up to a timer tick early; shmlink's waits never do.
  const std::string name = shmlink_test::unique_name();
  Handle signal;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(name.c_str(), SHMLINK_CREATE_NEW, signal.out()));
  LARGE_INTEGER frequency{};
  QueryPerformanceFrequency(&frequency);
  for (const uint32_t timeout : {1u, 5u, 15u, 16u, 17u, 31u, 100u}) {
    LARGE_INTEGER start{};
    LARGE_INTEGER end{};
    QueryPerformanceCounter(&start);
    const shmlink_status status = shmlink_wait(signal.get(), timeout);
    QueryPerformanceCounter(&end);
    EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, status);
    const double elapsed_ms =
        static_cast<double>(end.QuadPart - start.QuadPart) * 1000.0 / static_cast<double>(frequency.QuadPart);
    EXPECT_GE(elapsed_ms, static_cast<double>(timeout)) << "timeout " << timeout;
  }
}

}  // namespace

#endif  // _WIN32
