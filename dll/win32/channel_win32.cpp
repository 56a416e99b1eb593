// Channels on Windows: the ring of core/channel_ring.h in a section, two kernel semaphores
// that blocked peers sleep on, and a waitable timer that holds the channel's name.
//
// Kernel objects, for channel "Local\x":
//   "Local\x"                        a waitable timer, never set: it claims the name in the
//                                    kernel's one namespace, so that a segment, signal, mutex
//                                    or semaphore named "x" fails WRONG_KIND (no shmlink kind
//                                    is a timer), and the reverse.
//   "Local\x/shmlink.channel"        the section: layout of core/channel_layout.h at offset 0
//   "Local\x/shmlink.data", ".space" semaphores: a commit (or consume) releases one token per
//                                    sleeper counted in the ring's wake word
// No user name can contain '/', so the helper names are ours alone. Every handle holds all
// four, so the kernel keeps the channel exactly while any handle is open.
//
// Liveness of attachment slots and wake-ups: channel_host_win32.h.
#include "channel_win32.h"

#include "channel_host_win32.h"

#include "../core/channel.h"
#include "../core/platform.h"
#include "kernel_name.h"
#include "os_error.h"
#include "security.h"
#include "unique_handle.h"
#include "wide_string.h"

#include <windows.h>

#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace shmlink {
namespace {

using win32::ErrorCode;
using win32::throw_win32;
using win32::UniqueHandle;
using win32::Win32ChannelHost;

constexpr ACCESS_MASK kSharedSectionAccess = SECTION_QUERY | SECTION_MAP_READ | SECTION_MAP_WRITE | READ_CONTROL;
constexpr ACCESS_MASK kSemaphoreAccess = SYNCHRONIZE | SEMAPHORE_MODIFY_STATE;
constexpr ACCESS_MASK kTimerAccess = SYNCHRONIZE;
// How long an opener waits for a creator that has claimed the name to finish the layout.
constexpr int kCreatorGraceMs = 2000;

class Win32Channel final : public ChannelBacking,
                           public win32::ChannelWaitable,
                           public std::enable_shared_from_this<Win32Channel> {
 public:
  Win32Channel(UniqueHandle name_holder, UniqueHandle section, void* view, uint64_t region_bytes, UniqueHandle data,
               UniqueHandle space, uint32_t roles)
      : name_holder_(std::move(name_holder)), section_(std::move(section)), view_(view), data_(std::move(data)),
        space_(std::move(space)),
        host_(static_cast<channel::Control*>(view_), data_.get(), space_.get()),
        ring_(view_, region_bytes, host_) {
    ring_.attach(roles);
  }
  ~Win32Channel() override {
    ring_.detach();
    UnmapViewOfFile(view_);
  }

  ChannelRing& ring() override { return ring_; }
  std::shared_ptr<WaitBacking> condition_waitable(uint32_t condition) override;

  // A wait for `condition` (what a wait on this handle waits for, or one of
  // shmlink_channel_waitable's) takes nothing: it is ready while the condition holds.
  void register_sleeper_for(uint32_t condition) { host_.prepare_sleep(ring_.condition_word(condition)); }
  void unregister_sleeper_for(uint32_t condition) noexcept { host_.cancel_sleep(ring_.condition_word(condition)); }
  bool ready_for(uint32_t condition) {
    ring_.look_after_peers_if_due();
    return ring_.condition_holds(condition);
  }
  HANDLE wake_handle_for(uint32_t condition) noexcept {
    return &ring_.condition_word(condition) == &static_cast<channel::Control*>(view_)->space_word ? space_.get()
                                                                                                   : data_.get();
  }

  void register_sleeper() override { register_sleeper_for(ring_.handle_condition()); }
  void unregister_sleeper() noexcept override { unregister_sleeper_for(ring_.handle_condition()); }
  bool ready() override { return ready_for(ring_.handle_condition()); }
  HANDLE wake_handle() const noexcept override {
    return const_cast<Win32Channel*>(this)->wake_handle_for(ring_.handle_condition());
  }

 private:
  UniqueHandle name_holder_;
  UniqueHandle section_;
  void* view_;
  UniqueHandle data_;
  UniqueHandle space_;
  Win32ChannelHost host_;
  ChannelRing ring_;
};

// A channel waited on for one condition (shmlink_channel_waitable).
class Win32ChannelCondition final : public WaitBacking, public win32::ChannelWaitable {
 public:
  Win32ChannelCondition(std::shared_ptr<Win32Channel> channel, uint32_t condition)
      : channel_(std::move(channel)), condition_(condition) {}

  void register_sleeper() override { channel_->register_sleeper_for(condition_); }
  void unregister_sleeper() noexcept override { channel_->unregister_sleeper_for(condition_); }
  bool ready() override { return channel_->ready_for(condition_); }
  HANDLE wake_handle() const noexcept override { return channel_->wake_handle_for(condition_); }

 private:
  std::shared_ptr<Win32Channel> channel_;
  uint32_t condition_;
};

std::shared_ptr<WaitBacking> Win32Channel::condition_waitable(uint32_t condition) {
  return std::make_shared<Win32ChannelCondition>(shared_from_this(), condition);
}

[[noreturn]] void throw_wrong_kind(ErrorCode error, const char* call) {
  throw_win32(SHMLINK_ERR_WRONG_KIND, error, std::string(call) + " (the name belongs to another kind of object)");
}

// The name holder: creates it (existed = false) or opens the existing one.
UniqueHandle claim_name(const std::wstring& kernel_name, uint32_t flags, bool create, bool* existed) {
  if (!create) {
    UniqueHandle timer(OpenWaitableTimerW(kTimerAccess, FALSE, kernel_name.c_str()));
    if (!timer) {
      const ErrorCode error = GetLastError();
      if (error == ERROR_INVALID_HANDLE) throw_wrong_kind(error, "OpenWaitableTimerW");
      throw_win32(error, "OpenWaitableTimerW");
    }
    *existed = true;
    return timer;
  }
  win32::ObjectSecurity security(flags, TIMER_ALL_ACCESS, kTimerAccess | READ_CONTROL);
  SetLastError(ERROR_SUCCESS);
  UniqueHandle timer(CreateWaitableTimerExW(security.attributes(), kernel_name.c_str(), 0, kTimerAccess));
  const ErrorCode error = GetLastError();
  if (!timer) {
    if (error == ERROR_INVALID_HANDLE) throw_wrong_kind(error, "CreateWaitableTimerExW");
    if (error == ERROR_ACCESS_DENIED && !(flags & SHMLINK_OPEN_OR_CREATE))
      fail(SHMLINK_ERR_ALREADY_EXISTS, "a channel of that name exists");
    if (error == ERROR_ACCESS_DENIED) return claim_name(kernel_name, flags, false, existed);
    throw_win32(error, "CreateWaitableTimerExW");
  }
  *existed = error == ERROR_ALREADY_EXISTS;
  if (*existed && !(flags & SHMLINK_OPEN_OR_CREATE)) fail(SHMLINK_ERR_ALREADY_EXISTS, "a channel of that name exists");
  return timer;
}

// A helper object's name ("<name>/shmlink.*") that is taken when this process has just made
// the channel's name holder: by a leftover of a channel whose last handles are closing, or by
// someone else's object squatting it (of any type, with any DACL). Never use such an object:
// whoever made a wake-up semaphore could take the wake-ups meant for our peers, and whoever made
// the section could read and write our messages. `error` is what the create call left.
bool helper_name_taken(ErrorCode error) {
  return error == ERROR_ALREADY_EXISTS || error == ERROR_INVALID_HANDLE || error == ERROR_ACCESS_DENIED;
}

[[noreturn]] void throw_helper_name_taken(ErrorCode error, const std::wstring& name) {
  throw_win32(SHMLINK_ERR_ALREADY_EXISTS, error,
              "creating the channel's helper object " + win32::wide_to_utf8(name.data(), name.size()) +
                  " (its name is taken: a channel of that name is still being closed, or another program made it)");
}

UniqueHandle make_semaphore(const std::wstring& name, uint32_t flags) {
  win32::ObjectSecurity security(flags, SEMAPHORE_ALL_ACCESS, kSemaphoreAccess | READ_CONTROL);
  SetLastError(ERROR_SUCCESS);
  UniqueHandle semaphore(CreateSemaphoreExW(security.attributes(), 0, LONG_MAX, name.c_str(), 0, kSemaphoreAccess));
  const ErrorCode error = GetLastError();
  if (helper_name_taken(error)) throw_helper_name_taken(error, name);
  if (!semaphore) throw_win32(error, "CreateSemaphoreExW for a channel");
  return semaphore;
}

void* map_whole(HANDLE section, uint64_t bytes) {
  // A size from shared memory, perhaps written by a 64-bit peer: never cut it to fit a 32-bit
  // SIZE_T (that would map less than the channel's layout then trusts).
  if (bytes > SIZE_MAX)
    fail(SHMLINK_ERR_NO_RESOURCES, "a channel of " + std::to_string(bytes) + " bytes does not fit in the address space");
  void* view = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, static_cast<SIZE_T>(bytes));
  if (view == nullptr) throw_win32(GetLastError(), "MapViewOfFile of a channel");
  return view;
}

// The section of a channel someone else created: waits for its creator to finish the
// layout, then reads the size from it.
std::shared_ptr<ChannelBacking> open_existing(UniqueHandle name_holder, const std::wstring& kernel_name,
                                              uint32_t roles) {
  const std::wstring section_name = kernel_name + L"/shmlink.channel";
  UniqueHandle section;
  for (int waited = 0; !section; ++waited) {
    section = UniqueHandle(OpenFileMappingW(FILE_MAP_WRITE | SECTION_QUERY, FALSE, section_name.c_str()));
    if (section) break;
    const ErrorCode error = GetLastError();
    if (error != ERROR_FILE_NOT_FOUND || waited >= kCreatorGraceMs) throw_win32(SHMLINK_ERR_CORRUPT, error,
                                                                                "OpenFileMappingW of the channel");
    Sleep(1);  // the creator holds the name and is making the section
  }
  void* header = map_whole(section.get(), channel::kRingOffset);
  for (int waited = 0; !channel_initialized(header); ++waited) {
    if (waited >= kCreatorGraceMs) {
      UnmapViewOfFile(header);
      fail(SHMLINK_ERR_CORRUPT, "the channel's creator never finished laying it out");
    }
    Sleep(1);
  }
  const uint64_t ring_bytes = __atomic_load_n(&static_cast<channel::Control*>(header)->ring_bytes, __ATOMIC_ACQUIRE);
  UnmapViewOfFile(header);
  if (ring_bytes == 0 || ring_bytes > channel::kMaxRingBytes * 2)
    fail(SHMLINK_ERR_CORRUPT, "the channel's ring size " + std::to_string(ring_bytes) + " is invalid");
  const uint64_t region_bytes = channel::region_bytes_for(ring_bytes);
  void* view = map_whole(section.get(), region_bytes);
  UniqueHandle data(OpenSemaphoreW(kSemaphoreAccess, FALSE, (kernel_name + L"/shmlink.data").c_str()));
  UniqueHandle space(OpenSemaphoreW(kSemaphoreAccess, FALSE, (kernel_name + L"/shmlink.space").c_str()));
  if (!data || !space) {
    const ErrorCode error = GetLastError();
    UnmapViewOfFile(view);
    throw_win32(SHMLINK_ERR_CORRUPT, error, "OpenSemaphoreW of the channel's wake-ups");
  }
  try {
    return std::make_shared<Win32Channel>(std::move(name_holder), std::move(section), view, region_bytes,
                                          std::move(data), std::move(space), roles);
  } catch (...) {
    UnmapViewOfFile(view);
    throw;
  }
}

}  // namespace

OpenedChannel platform_create_channel(const ObjectName& name, uint64_t ring_bytes, uint32_t max_message_bytes,
                                      uint32_t flags, uint32_t roles, uint32_t mode) {
  const std::wstring kernel_name = win32::kernel_object_name(name);
  bool existed = false;
  UniqueHandle name_holder = claim_name(kernel_name, flags, true, &existed);
  if (existed) return {open_existing(std::move(name_holder), kernel_name, roles), true};

  const uint64_t region_bytes = channel::region_bytes_for(ring_bytes);
  MEMORYSTATUSEX memory{};
  memory.dwLength = sizeof memory;
  if (GlobalMemoryStatusEx(&memory) && memory.ullTotalPageFile != 0 && region_bytes > memory.ullTotalPageFile)
    fail(SHMLINK_ERR_NO_RESOURCES, "a channel of " + std::to_string(region_bytes) + " bytes exceeds the commit limit");
  win32::ObjectSecurity security(flags, SECTION_ALL_ACCESS, kSharedSectionAccess);
  SetLastError(ERROR_SUCCESS);
  UniqueHandle section(CreateFileMappingW(INVALID_HANDLE_VALUE, security.attributes(), PAGE_READWRITE | SEC_COMMIT,
                                          static_cast<DWORD>(region_bytes >> 32),
                                          static_cast<DWORD>(region_bytes & 0xFFFFFFFFu),
                                          (kernel_name + L"/shmlink.channel").c_str()));
  const ErrorCode error = GetLastError();
  if (helper_name_taken(error)) throw_helper_name_taken(error, kernel_name + L"/shmlink.channel");
  if (!section) {
    throw_win32(error == ERROR_INVALID_PARAMETER || error == ERROR_NOT_ENOUGH_MEMORY || error == ERROR_COMMITMENT_LIMIT
                    ? SHMLINK_ERR_NO_RESOURCES
                    : win32::status_from_win32(error),
                error, "CreateFileMappingW of a channel of " + std::to_string(region_bytes) + " bytes");
  }
  UniqueHandle data = make_semaphore(kernel_name + L"/shmlink.data", flags);
  UniqueHandle space = make_semaphore(kernel_name + L"/shmlink.space", flags);
  void* view = map_whole(section.get(), region_bytes);
  initialize_channel(view, ring_bytes, max_message_bytes, mode);
  try {
    return {std::make_shared<Win32Channel>(std::move(name_holder), std::move(section), view, region_bytes,
                                           std::move(data), std::move(space), roles),
            false};
  } catch (...) {
    UnmapViewOfFile(view);
    throw;
  }
}

std::shared_ptr<ChannelBacking> platform_open_channel(const ObjectName& name, uint32_t roles) {
  const std::wstring kernel_name = win32::kernel_object_name(name);
  bool existed = false;
  UniqueHandle name_holder = claim_name(kernel_name, 0, false, &existed);
  return open_existing(std::move(name_holder), kernel_name, roles);
}

}  // namespace shmlink
