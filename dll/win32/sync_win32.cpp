// Signals, mutexes, semaphores and waiting on Windows: each is the kernel's own event, mutex
// or semaphore object, under the shmlink name itself (kernel_name.h), so programs calling
// CreateEventW / OpenMutexW / ... directly meet the same objects. The kernel gives every
// semantic the contract asks for (auto/manual reset, recursive thread-owned mutexes that are
// abandoned when their owner dies, counted semaphores, lowest index wins); what is ours is
// the create/open rules, the status mapping and timeouts that never end early.
#include "../core/platform.h"
#include "channel_win32.h"
#include "kernel_name.h"
#include "os_error.h"
#include "security.h"
#include "unique_handle.h"

#include <windows.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace shmlink {
namespace {

using win32::ErrorCode;
using win32::throw_win32;
using win32::UniqueHandle;

// ---- The objects ----

// What every Windows waitable backing has: the kernel handle to wait on.
class Win32Waitable {
 public:
  explicit Win32Waitable(UniqueHandle handle) : handle_(std::move(handle)) {}
  virtual ~Win32Waitable() = default;
  HANDLE handle() const noexcept { return handle_.get(); }

 private:
  UniqueHandle handle_;
};

class Win32Signal final : public SignalBacking, public Win32Waitable {
 public:
  using Win32Waitable::Win32Waitable;
  void set() override {
    if (!SetEvent(handle())) throw_win32(GetLastError(), "SetEvent");
  }
  void reset() override {
    if (!ResetEvent(handle())) throw_win32(GetLastError(), "ResetEvent");
  }
};

class Win32Mutex final : public MutexBacking, public Win32Waitable {
 public:
  using Win32Waitable::Win32Waitable;
  void unlock() override {
    if (ReleaseMutex(handle())) return;
    const ErrorCode error = GetLastError();
    if (error == ERROR_NOT_OWNER)
      throw_win32(SHMLINK_ERR_NOT_OWNER, error, "ReleaseMutex (the calling thread does not own the mutex)");
    throw_win32(error, "ReleaseMutex");
  }
};

class Win32Semaphore final : public SemaphoreBacking, public Win32Waitable {
 public:
  using Win32Waitable::Win32Waitable;
  uint32_t release(uint32_t count) override {
    // Maxima are at most 0x7FFFFFFF, so a larger release passes any of them, whatever the
    // count; it would not even fit ReleaseSemaphore's LONG.
    if (count > 0x7FFFFFFFu)
      fail(SHMLINK_ERR_LIMIT_EXCEEDED, "releasing " + std::to_string(count) + " would pass any semaphore's maximum");
    LONG previous = 0;
    if (ReleaseSemaphore(handle(), static_cast<LONG>(count), &previous)) return static_cast<uint32_t>(previous);
    const ErrorCode error = GetLastError();
    // The kernel checks and adds atomically: on this error the count is unchanged.
    if (error == ERROR_TOO_MANY_POSTS)
      throw_win32(SHMLINK_ERR_LIMIT_EXCEEDED, error,
                  "ReleaseSemaphore of " + std::to_string(count) + " (the count would pass the semaphore's maximum)");
    throw_win32(error, "ReleaseSemaphore of " + std::to_string(count));
  }
};

// ---- Creating and opening ----

// The rights every shmlink handle to a sync object holds: wait on it and change its state.
// A user given a share flag gets the same, and may read the object's security; not delete
// it or change its DACL or owner.
struct KindTraits {
  const char* kind;         // "signal", for messages
  const char* create_call;  // "CreateEventExW"
  const char* open_call;    // "OpenEventW"
  ACCESS_MASK all_access;   // what the creator and SYSTEM get
  ACCESS_MASK handle_access;
};

constexpr KindTraits kSignal{"signal", "CreateEventExW", "OpenEventW", EVENT_ALL_ACCESS,
                             SYNCHRONIZE | EVENT_MODIFY_STATE};
constexpr KindTraits kMutex{"mutex", "CreateMutexExW", "OpenMutexW", MUTEX_ALL_ACCESS,
                            SYNCHRONIZE | MUTEX_MODIFY_STATE};
constexpr KindTraits kSemaphore{"semaphore", "CreateSemaphoreExW", "OpenSemaphoreW", SEMAPHORE_ALL_ACCESS,
                                SYNCHRONIZE | SEMAPHORE_MODIFY_STATE};

ACCESS_MASK shared_access(const KindTraits& traits) { return traits.handle_access | READ_CONTROL; }

[[noreturn]] void throw_wrong_kind(ErrorCode error, const char* call) {
  throw_win32(SHMLINK_ERR_WRONG_KIND, error, std::string(call) + " (the name belongs to another kind of object)");
}

// The Open*W call of a kind: (desired access, name) -> handle or null with GetLastError().
using OpenCall = HANDLE (*)(DWORD, const wchar_t*);

HANDLE open_event(DWORD access, const wchar_t* name) { return OpenEventW(access, FALSE, name); }
HANDLE open_mutex(DWORD access, const wchar_t* name) { return OpenMutexW(access, FALSE, name); }
HANDLE open_semaphore(DWORD access, const wchar_t* name) { return OpenSemaphoreW(access, FALSE, name); }

UniqueHandle open_object(const ObjectName& name, const KindTraits& traits, OpenCall open) {
  const std::wstring kernel_name = win32::kernel_object_name(name);
  UniqueHandle handle(open(traits.handle_access, kernel_name.c_str()));
  if (!handle) {
    const ErrorCode error = GetLastError();
    // ERROR_FILE_NOT_FOUND (and ERROR_PATH_NOT_FOUND) map to NOT_FOUND.
    if (error == ERROR_INVALID_HANDLE) throw_wrong_kind(error, traits.open_call);
    throw_win32(error, traits.open_call);
  }
  return handle;
}

struct CreatedObject {
  UniqueHandle handle;
  bool existed = false;
};

// The Create*ExW call with the OPEN_OR_CREATE / CREATE_NEW rules on top. `create` is
// (security attributes, name, desired access) -> handle or null, with GetLastError()
// ERROR_ALREADY_EXISTS when it opened an existing object of the kind. The Ex calls are
// used for their desired access: opening an existing object through them asks only for
// what a handle needs, as Open*W does, not for *_ALL_ACCESS (which the share flags do not
// grant other users).
template <class Create>
CreatedObject create_object(const ObjectName& name, uint32_t flags, const KindTraits& traits, OpenCall open,
                            Create&& create) {
  const std::wstring kernel_name = win32::kernel_object_name(name);
  const bool open_or_create = (flags & SHMLINK_OPEN_OR_CREATE) != 0;
  win32::ObjectSecurity security(flags, traits.all_access, shared_access(traits));
  const std::string exists_text = std::string("a ") + traits.kind + " of that name exists";
  // A bounded number of rounds: each one means the name vanished between two calls.
  for (int attempt = 0; attempt < 100; ++attempt) {
    // Cleared first: success does not promise to reset it, and ERROR_ALREADY_EXISTS on a
    // returned handle is the only way to tell "opened" from "created".
    SetLastError(ERROR_SUCCESS);
    UniqueHandle handle(create(security.attributes(), kernel_name.c_str(), traits.handle_access));
    const ErrorCode error = GetLastError();
    if (handle) {
      if (error != ERROR_ALREADY_EXISTS) return {std::move(handle), false};
      if (!open_or_create) fail(SHMLINK_ERR_ALREADY_EXISTS, exists_text);  // closes the handle
      return {std::move(handle), true};
    }
    // Documented: the name belongs to an object of another type.
    if (error == ERROR_INVALID_HANDLE) throw_wrong_kind(error, traits.create_call);
    if (error != ERROR_ACCESS_DENIED) throw_win32(error, traits.create_call);
    // Access denied: either an existing object denies us (another user's, without a share
    // flag) or we may not create here (Global\ without SeCreateGlobalPrivilege). Tell them
    // apart by opening it.
    if (!open_or_create) {
      const UniqueHandle probe(open(SYNCHRONIZE, kernel_name.c_str()));
      const ErrorCode probe_error = probe ? ERROR_SUCCESS : GetLastError();
      if (probe || probe_error == ERROR_ACCESS_DENIED) fail(SHMLINK_ERR_ALREADY_EXISTS, exists_text);
      if (probe_error == ERROR_INVALID_HANDLE) throw_wrong_kind(probe_error, traits.open_call);
      throw_win32(error, traits.create_call);
    }
    UniqueHandle existing(open(traits.handle_access, kernel_name.c_str()));
    if (existing) return {std::move(existing), true};
    const ErrorCode open_error = GetLastError();
    if (open_error == ERROR_FILE_NOT_FOUND) continue;  // it vanished meanwhile: create it
    if (open_error == ERROR_INVALID_HANDLE) throw_wrong_kind(open_error, traits.open_call);
    throw_win32(error, traits.create_call);
  }
  fail(SHMLINK_ERR_SYSTEM, "the name kept appearing and disappearing while creating it");
}

// ---- Waiting ----

// How often a wait that includes channels looks again, to notice dead peers.
constexpr DWORD kPeerCheckMs = 100;

// A deadline on the performance counter, the system's monotonic high-resolution clock:
// WaitFor* may return up to a timer tick before its timeout, so a wait that timed out early
// waits again for what is left.
class Deadline {
 public:
  explicit Deadline(uint32_t timeout_ms) : infinite_(timeout_ms == SHMLINK_INFINITE) {
    if (infinite_) return;
    LARGE_INTEGER frequency{};
    QueryPerformanceFrequency(&frequency);  // cannot fail since Windows XP
    frequency_ = static_cast<uint64_t>(frequency.QuadPart);
    // Rounded up, so that the deadline is never before the timeout; in two parts so that
    // nothing overflows at any frequency.
    const uint64_t ticks = timeout_ms / 1000u * frequency_ + ((timeout_ms % 1000u) * frequency_ + 999u) / 1000u;
    end_ = now() + ticks;
  }

  // The milliseconds to wait now: INFINITE, else what is left rounded up (0 once passed).
  DWORD remaining_ms() const {
    if (infinite_) return INFINITE;
    const uint64_t current = now();
    if (current >= end_) return 0;
    const uint64_t left = end_ - current;
    const uint64_t ms = left / frequency_ * 1000u + ((left % frequency_) * 1000u + frequency_ - 1) / frequency_;
    // No more than the timeout, which is below INFINITE.
    return static_cast<DWORD>(ms < INFINITE ? ms : INFINITE - 1);
  }

  bool passed() const { return !infinite_ && now() >= end_; }

 private:
  static uint64_t now() {
    LARGE_INTEGER counter{};
    QueryPerformanceCounter(&counter);  // cannot fail since Windows XP
    return static_cast<uint64_t>(counter.QuadPart);
  }

  bool infinite_;
  uint64_t frequency_ = 1;
  uint64_t end_ = 0;
};

}  // namespace

namespace {

DWORD event_flags(uint32_t flags) {
  DWORD create_flags = 0;
  if (flags & SHMLINK_SIGNAL_MANUAL_RESET) create_flags |= CREATE_EVENT_MANUAL_RESET;
  if (flags & SHMLINK_SIGNAL_INITIALLY_SET) create_flags |= CREATE_EVENT_INITIAL_SET;
  return create_flags;
}

}  // namespace

OpenedWaitable platform_create_signal(const ObjectName& name, uint32_t flags) {
  const DWORD create_flags = event_flags(flags);
  CreatedObject created = create_object(name, flags, kSignal, open_event,
                                        [&](SECURITY_ATTRIBUTES* security, const wchar_t* kernel_name, DWORD access) {
                                          return CreateEventExW(security, kernel_name, create_flags, access);
                                        });
  return {std::make_shared<Win32Signal>(std::move(created.handle)), created.existed};
}

std::shared_ptr<WaitBacking> platform_create_unnamed_signal(uint32_t flags) {
  const DWORD create_flags = event_flags(flags);
  UniqueHandle handle(CreateEventExW(nullptr, nullptr, create_flags, kSignal.handle_access));
  if (!handle) throw_win32(GetLastError(), "CreateEventExW of an unnamed signal");
  return std::make_shared<Win32Signal>(std::move(handle));
}

std::shared_ptr<WaitBacking> platform_open_signal(const ObjectName& name) {
  return std::make_shared<Win32Signal>(open_object(name, kSignal, open_event));
}

OpenedWaitable platform_create_mutex(const ObjectName& name, uint32_t flags) {
  // The kernel gives initial ownership only to the call that creates the mutex.
  const DWORD create_flags = (flags & SHMLINK_MUTEX_INITIALLY_OWNED) ? CREATE_MUTEX_INITIAL_OWNER : 0;
  CreatedObject created = create_object(name, flags, kMutex, open_mutex,
                                        [&](SECURITY_ATTRIBUTES* security, const wchar_t* kernel_name, DWORD access) {
                                          return CreateMutexExW(security, kernel_name, create_flags, access);
                                        });
  return {std::make_shared<Win32Mutex>(std::move(created.handle)), created.existed};
}

std::shared_ptr<WaitBacking> platform_create_unnamed_mutex(uint32_t flags) {
  const DWORD create_flags = (flags & SHMLINK_MUTEX_INITIALLY_OWNED) ? CREATE_MUTEX_INITIAL_OWNER : 0;
  UniqueHandle handle(CreateMutexExW(nullptr, nullptr, create_flags, kMutex.handle_access));
  if (!handle) throw_win32(GetLastError(), "CreateMutexExW of an unnamed mutex");
  return std::make_shared<Win32Mutex>(std::move(handle));
}

std::shared_ptr<WaitBacking> platform_open_mutex(const ObjectName& name) {
  return std::make_shared<Win32Mutex>(open_object(name, kMutex, open_mutex));
}

OpenedWaitable platform_create_semaphore(const ObjectName& name, uint32_t initial_count, uint32_t max_count,
                                         uint32_t flags) {
  CreatedObject created =
      create_object(name, flags, kSemaphore, open_semaphore,
                    [&](SECURITY_ATTRIBUTES* security, const wchar_t* kernel_name, DWORD access) {
                      return CreateSemaphoreExW(security, static_cast<LONG>(initial_count),
                                                static_cast<LONG>(max_count), kernel_name, 0, access);
                    });
  return {std::make_shared<Win32Semaphore>(std::move(created.handle)), created.existed};
}

std::shared_ptr<WaitBacking> platform_create_unnamed_semaphore(uint32_t initial_count, uint32_t max_count) {
  UniqueHandle handle(CreateSemaphoreExW(nullptr, static_cast<LONG>(initial_count), static_cast<LONG>(max_count),
                                         nullptr, 0, kSemaphore.handle_access));
  if (!handle) throw_win32(GetLastError(), "CreateSemaphoreExW of an unnamed semaphore");
  return std::make_shared<Win32Semaphore>(std::move(handle));
}

std::shared_ptr<WaitBacking> platform_open_semaphore(const ObjectName& name) {
  return std::make_shared<Win32Semaphore>(open_object(name, kSemaphore, open_semaphore));
}

namespace {

// Counts the waiter as a sleeper on every channel of the wait, for as long as it waits.
class ChannelSleepers {
 public:
  ChannelSleepers(win32::ChannelWaitable* const* channels, uint32_t count) : channels_(channels), count_(count) {
    for (uint32_t i = 0; i < count_; ++i) {
      if (channels_[i] != nullptr) channels_[i]->register_sleeper();
    }
  }
  ~ChannelSleepers() {
    for (uint32_t i = 0; i < count_; ++i) {
      if (channels_[i] != nullptr) channels_[i]->unregister_sleeper();
    }
  }
  ChannelSleepers(const ChannelSleepers&) = delete;
  ChannelSleepers& operator=(const ChannelSleepers&) = delete;

 private:
  win32::ChannelWaitable* const* channels_;
  uint32_t count_;
};

// A wait that includes channels: a channel is ready when a message can be received (a
// send-only one: when a message fits), which only the ring can tell; its wake handle (released by commits while we count as a sleeper)
// only says "look again". Channels are checked first; a kernel object before the lowest
// ready channel still wins if it is signaled.
shmlink_status wait_with_channels(const HANDLE* handles, win32::ChannelWaitable* const* channels, uint32_t count,
                                  uint32_t timeout_ms, uint32_t* out_index) {
  const ChannelSleepers sleepers(channels, count);
  const Deadline deadline(timeout_ms);
  for (;;) {
    uint32_t ready = count;
    for (uint32_t i = 0; i < count && ready == count; ++i) {
      if (channels[i] != nullptr && channels[i]->ready()) ready = i;
    }
    DWORD wait_ms = ready < count ? 0 : deadline.remaining_ms();
    if (wait_ms > kPeerCheckMs) wait_ms = kPeerCheckMs;  // channels look after dead peers
    const DWORD waited = ready < count ? ready : count;
    DWORD result = WAIT_TIMEOUT;
    if (waited > 0) {
      result = waited == 1 ? WaitForSingleObject(handles[0], wait_ms)
                           : WaitForMultipleObjects(waited, handles, FALSE, wait_ms);
    }
    if (result - WAIT_OBJECT_0 < waited && channels[result - WAIT_OBJECT_0] == nullptr) {
      *out_index = result - WAIT_OBJECT_0;
      return SHMLINK_OK;
    }
    if (result - WAIT_ABANDONED_0 < waited) {
      *out_index = result - WAIT_ABANDONED_0;
      return SHMLINK_ABANDONED;
    }
    if (result == WAIT_FAILED) throw_win32(GetLastError(), "WaitForMultipleObjects");
    if (ready < count) {
      *out_index = ready;
      return SHMLINK_OK;
    }
    if (result == WAIT_TIMEOUT && (timeout_ms == 0 || deadline.passed())) return SHMLINK_ERR_TIMEOUT;
  }
}

}  // namespace

shmlink_status platform_wait_any(WaitBacking* const* objects, uint32_t count, uint32_t timeout_ms,
                                 uint32_t* out_index) {
  // The api layer has refused repeated handles, as WaitForMultipleObjects itself does.
  HANDLE handles[SHMLINK_MAX_WAIT_OBJECTS];
  win32::ChannelWaitable* channels[SHMLINK_MAX_WAIT_OBJECTS] = {};
  bool any_channel = false;
  for (uint32_t i = 0; i < count; ++i) {
    if (auto* channel = dynamic_cast<win32::ChannelWaitable*>(objects[i])) {
      channels[i] = channel;
      handles[i] = channel->wake_handle();
      any_channel = true;
      continue;
    }
    const auto* waitable = dynamic_cast<const Win32Waitable*>(objects[i]);
    if (waitable == nullptr) fail(SHMLINK_ERR_BAD_HANDLE, "the object cannot be waited on");
    handles[i] = waitable->handle();
  }
  if (any_channel) return wait_with_channels(handles, channels, count, timeout_ms, out_index);

  const Deadline deadline(timeout_ms);
  for (;;) {
    const DWORD wait_ms = deadline.remaining_ms();
    const DWORD result = count == 1 ? WaitForSingleObject(handles[0], wait_ms)
                                    : WaitForMultipleObjects(count, handles, FALSE, wait_ms);
    if (result - WAIT_OBJECT_0 < count) {
      *out_index = result - WAIT_OBJECT_0;
      return SHMLINK_OK;
    }
    if (result - WAIT_ABANDONED_0 < count) {
      // The mutex is ours now; its previous owner ended without releasing it.
      *out_index = result - WAIT_ABANDONED_0;
      return SHMLINK_ABANDONED;
    }
    if (result == WAIT_TIMEOUT) {
      if (timeout_ms == 0 || deadline.passed()) return SHMLINK_ERR_TIMEOUT;
      continue;  // woke before the full timeout: wait for the rest
    }
    if (result == WAIT_FAILED)
      throw_win32(GetLastError(), count == 1 ? "WaitForSingleObject" : "WaitForMultipleObjects");
    fail(SHMLINK_ERR_SYSTEM, "the wait returned the unexpected value " + std::to_string(result));
  }
}

}  // namespace shmlink
