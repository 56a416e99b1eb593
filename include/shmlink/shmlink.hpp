// shmlink.hpp - a small header-only C++17 layer over the shmlink C API: owning handles that
// close themselves; segments, views, signals, mutexes, semaphores and channels as objects;
// failures as exceptions.
//
//   auto segment = shmlink::Segment::create("Local\\demo", 4096);
//   shmlink::View view = segment.map();
//   std::memcpy(view.data(), "hello", 5);
//
//   auto jobs = shmlink::Channel::open("Local\\jobs", shmlink::Channel::Role::receiver);
//   if (std::optional<std::string> job = jobs.receive_string(std::chrono::seconds(1))) ...
//
// Every function that can fail throws shmlink::Error, which carries the status, its name and
// the library's description of the failure. Destructors never throw. A call given a Timeout
// reports running out of time by its result (false, std::nullopt, LockResult::timed_out), not
// by an exception; the same call without a Timeout waits without a time limit. Nothing here
// adds state of its own: a Segment is its handle, a View its handle, address and length.
#ifndef SHMLINK_HPP
#define SHMLINK_HPP

#include "shmlink/shmlink.h"

#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace shmlink {

// A failed shmlink call. what() is the library's description of the failure, which names the
// operation, the object, the status and the OS error.
class Error : public std::runtime_error {
 public:
  // Captures this thread's last error now: it is only valid until the next failure.
  explicit Error(shmlink_status status)
      : Error(status, ::shmlink_last_error_message(), ::shmlink_last_os_error()) {}

  // A failure detected on this side of the C API; `message` is the whole description.
  Error(shmlink_status status, const std::string& message, std::int32_t os_error = 0)
      : std::runtime_error(message.empty() ? std::string(::shmlink_status_name(status)) : message),
        status_(status),
        os_error_(os_error),
        message_(message) {}

  // The status the call returned (SHMLINK_ERR_*; SHMLINK_ABANDONED from Mutex's std-style
  // lock(), try_lock() and try_lock_for(), which cannot report it otherwise).
  shmlink_status status() const noexcept { return status_; }
  // "SHMLINK_ERR_NOT_FOUND" etc.: a static string owned by the library.
  const char* status_name() const noexcept { return ::shmlink_status_name(status_); }
  // shmlink_last_error_message() at the time of the failure (or this layer's own message).
  const std::string& message() const noexcept { return message_; }
  // shmlink_last_os_error() at the time of the failure (errno / GetLastError(), or 0).
  std::int32_t os_error() const noexcept { return os_error_; }

 private:
  shmlink_status status_;
  std::int32_t os_error_;
  std::string message_;
};

// SHMLINK_ERR_BUFFER_TOO_SMALL from Channel::receive into a buffer: the message is longer than
// the buffer and stays queued; needed() is its length.
class BufferTooSmall : public Error {
 public:
  explicit BufferTooSmall(std::uint32_t needed) : Error(SHMLINK_ERR_BUFFER_TOO_SMALL), needed_(needed) {}

  // The message's length: a buffer of this many bytes receives it.
  std::size_t needed() const noexcept { return needed_; }

 private:
  std::size_t needed_;
};

// SHMLINK_INFINITE as a duration: a wait that never expires.
inline constexpr std::chrono::milliseconds forever{SHMLINK_INFINITE};

// How long a call may wait: any std::chrono duration (50ms, 2s, forever), rounded up to whole
// milliseconds so that a wait never ends before the time asked for. Zero or less tries once;
// forever, or anything from 2^32 - 1 ms (about 49.7 days) on, never expires.
class Timeout {
 public:
  template <class Rep, class Period>
  Timeout(std::chrono::duration<Rep, Period> duration) noexcept  // implicit: take any duration
      : milliseconds_(to_milliseconds(duration)) {}

  // The C API's timeout_ms: 0 tries once, SHMLINK_INFINITE never expires.
  std::uint32_t milliseconds() const noexcept { return milliseconds_; }
  bool is_forever() const noexcept { return milliseconds_ == SHMLINK_INFINITE; }

 private:
  template <class Rep, class Period>
  static std::uint32_t to_milliseconds(std::chrono::duration<Rep, Period> duration) noexcept {
    // In double no duration overflows, and below the limit a whole count of nanoseconds is
    // exact, so the rounding up is too.
    const double milliseconds = std::chrono::duration<double, std::milli>(duration).count();
    if (!(milliseconds > 0.0)) return 0;  // also NaN
    if (milliseconds >= static_cast<double>(SHMLINK_INFINITE)) return SHMLINK_INFINITE;
    return static_cast<std::uint32_t>(std::ceil(milliseconds));
  }

  std::uint32_t milliseconds_;
};

namespace detail {

// Returns `status` if it is a success (it may be SHMLINK_OK or SHMLINK_EXISTED); throws if not.
inline shmlink_status check(shmlink_status status) {
  if (SHMLINK_FAILED(status)) throw Error(status);
  return status;
}

// The C API takes NUL-terminated strings: a std::string holding a NUL would silently name
// something else.
inline const char* c_string(const std::string& text, const char* what) {
  if (text.find('\0') != std::string::npos)
    throw Error(SHMLINK_ERR_INVALID_ARGUMENT,
                std::string("shmlink.hpp: SHMLINK_ERR_INVALID_ARGUMENT: ") + what + " contains a NUL byte");
  return text.c_str();
}

// For a call that waits: true if it succeeded, false if it timed out; throws on any failure.
inline bool check_wait(shmlink_status status) {
  if (status == SHMLINK_ERR_TIMEOUT) return false;
  check(status);
  return true;
}

// A message length for the C API, which counts in 32 bits: a longer one is refused, not
// truncated.
inline std::uint32_t message_length(std::size_t length, const char* operation) {
  if (static_cast<std::uint64_t>(length) > std::numeric_limits<std::uint32_t>::max())
    throw Error(SHMLINK_ERR_TOO_LARGE, std::string(operation) + ": SHMLINK_ERR_TOO_LARGE: a message of " +
                                           std::to_string(length) + " bytes is longer than any channel takes");
  return static_cast<std::uint32_t>(length);
}

// A buffer's capacity for the C API: more than 2^32 - 1 bytes holds any message all the same.
inline std::uint32_t buffer_capacity(std::size_t capacity) noexcept {
  return static_cast<std::uint64_t>(capacity) > std::numeric_limits<std::uint32_t>::max()
             ? std::numeric_limits<std::uint32_t>::max()
             : static_cast<std::uint32_t>(capacity);
}

// A batch's count for the C API: at most 2^32 - 1 messages a call; a larger batch goes
// through in several calls anyway, so the rest are simply left for the next one.
inline std::uint32_t batch_count(std::size_t count) noexcept { return buffer_capacity(count); }

// Types whose data() and size() give contiguous trivially copyable elements (std::string,
// std::vector<std::byte>, std::array, std::string_view ...): a channel sends their bytes.
template <class Bytes, class = void>
struct is_byte_container : std::false_type {};
template <class Bytes>
struct is_byte_container<Bytes, std::void_t<decltype(std::declval<const Bytes&>().data()),
                                            decltype(std::declval<const Bytes&>().size())>>
    : std::bool_constant<std::is_pointer_v<decltype(std::declval<const Bytes&>().data())> &&
                         std::is_trivially_copyable_v<
                             std::remove_pointer_t<decltype(std::declval<const Bytes&>().data())>>> {};

}  // namespace detail

// An owning shmlink_handle of any kind: move-only, closed by the destructor (CloseHandle).
class Handle {
 public:
  Handle() noexcept = default;
  explicit Handle(shmlink_handle handle) noexcept : handle_(handle) {}
  ~Handle() { reset(); }

  Handle(Handle&& other) noexcept : handle_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  shmlink_handle get() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return handle_ != 0; }

  // Gives up ownership without closing.
  shmlink_handle release() noexcept { return std::exchange(handle_, 0); }

  // Closes the current handle (ignoring failure) and takes `handle`.
  void reset(shmlink_handle handle = 0) noexcept {
    const shmlink_handle old = std::exchange(handle_, handle);
    if (old != 0) ::shmlink_close(old);
  }

  // Closes the handle and reports failure (reset() does not).
  void close() {
    const shmlink_handle old = release();
    if (old != 0) detail::check(::shmlink_close(old));
  }

 private:
  shmlink_handle handle_ = 0;
};

enum class Access : std::uint32_t {
  read = SHMLINK_ACCESS_READ,
  read_write = SHMLINK_ACCESS_READ_WRITE,
  copy_on_write = SHMLINK_ACCESS_COPY_ON_WRITE,  // writes stay private to the view
};

// Who besides the creating user may open a new object.
enum class Share : std::uint32_t {
  owner = 0,
  group = SHMLINK_SHARE_GROUP,
  all_users = SHMLINK_SHARE_ALL_USERS,
};

// Whom shmlink_handle_share hands an object to (since 1.4).
enum class Handoff : std::uint32_t {
  child = 0,                                          // a child started next inherits it
  running_process = SHMLINK_HANDOFF_RUNNING_PROCESS,  // a running process takes it
};

// Closes what Segment::share made for `token` in this process (shmlink_handle_unshare): once
// the child has started or the receiver has taken it, or when neither will happen.
inline void unshare(const std::string& token) {
  detail::check(::shmlink_handle_unshare(detail::c_string(token, "the token")));
}

// An address range free for `size` bytes here, to try with Segment::map_at in this and other
// processes (shmlink_find_free_range: see the protocol in shmlink.h).
inline void* find_free_range(std::uint64_t size) {
  void* address = nullptr;
  detail::check(::shmlink_find_free_range(size, &address));
  return address;
}

// A mapped range of a segment. Move-only; unmapped by the destructor. It stays valid after
// the Segment it came from is destroyed (and keeps the shared memory alive).
class View {
 public:
  View() noexcept = default;

  // Adopts an open view handle.
  explicit View(Handle handle) : handle_(std::move(handle)) {
    void* address = nullptr;
    std::uint64_t length = 0;
    detail::check(::shmlink_view_info(handle_.get(), &address, &length));
    data_ = static_cast<std::byte*>(address);
    size_ = static_cast<std::size_t>(length);  // it is mapped, so it fits the address space
  }

  View(View&& other) noexcept
      : handle_(std::move(other.handle_)),
        data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}
  View& operator=(View&& other) noexcept {
    if (this != &other) {
      handle_ = std::move(other.handle_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }

  // The first mapped byte (the one asked for at map time) and the number of bytes.
  std::byte* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::byte* begin() const noexcept { return data_; }
  std::byte* end() const noexcept { return data_ + size_; }
  std::byte& operator[](std::size_t index) const noexcept { return data_[index]; }

  // Bounds-checked access to `count` bytes at `offset`; throws SHMLINK_ERR_OUT_OF_RANGE.
  std::byte* at(std::size_t offset, std::size_t count = 1) const {
    if (offset > size_ || count > size_ - offset)
      throw Error(SHMLINK_ERR_OUT_OF_RANGE, "shmlink::View::at: SHMLINK_ERR_OUT_OF_RANGE: " + std::to_string(count) +
                                                " bytes at offset " + std::to_string(offset) + " pass the view's " +
                                                std::to_string(size_) + " bytes");
    return data_ + offset;
  }

  // Writes modified pages back to their backing (the file, for file-backed segments).
  void flush() const { detail::check(::shmlink_flush(handle_.get())); }

  // Unmaps now and reports failure; the View is empty afterwards.
  void close() {
    data_ = nullptr;
    size_ = 0;
    handle_.close();
  }

  const Handle& handle() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

 private:
  Handle handle_;
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

// A named (or file-backed) shared memory segment: CreateFileMapping / OpenFileMapping.
class Segment {
 public:
  struct OpenOrCreateResult;

  Segment() noexcept = default;

  // Adopts an open segment handle that has `access`.
  Segment(Handle handle, Access access) noexcept : handle_(std::move(handle)), access_(access) {}

  // Creates a new named segment of `size` zero bytes, read-write. Throws
  // SHMLINK_ERR_ALREADY_EXISTS if the name is taken.
  static Segment create(const std::string& name, std::uint64_t size, Share share = Share::owner) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_segment_create(detail::c_string(name, "the segment name"), size,
                                           SHMLINK_CREATE_NEW | static_cast<std::uint32_t>(share), &handle));
    return Segment(Handle(handle), Access::read_write);
  }

  // Creates an unnamed segment of `size` zero bytes, read-write (CreateFileMapping with no
  // name): only this object and its views reach it. Gone with its last handle and view.
  static Segment create_unnamed(std::uint64_t size) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_segment_create(nullptr, size, SHMLINK_CREATE_NEW, &handle));
    return Segment(Handle(handle), Access::read_write);
  }

  // Creates the segment, or opens it read-write if the name exists (then its size is its own).
  static OpenOrCreateResult open_or_create(const std::string& name, std::uint64_t size,
                                           Share share = Share::owner);

  // Opens an existing named segment. Throws SHMLINK_ERR_NOT_FOUND if there is none.
  static Segment open(const std::string& name, Access access = Access::read_write) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_segment_open(detail::c_string(name, "the segment name"),
                                         static_cast<std::uint32_t>(access), &handle));
    return Segment(Handle(handle), access);
  }

  // An unnamed segment backed by the file at `path` (UTF-8); with read_write access the file
  // is created if missing and grown to `size`. size 0: the file's size.
  static Segment from_file(const std::string& path, Access access = Access::read_write, std::uint64_t size = 0) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_segment_from_file(detail::c_string(path, "the path"), nullptr, size,
                                              static_cast<std::uint32_t>(access), 0, &handle));
    return Segment(Handle(handle), access);
  }

  // A segment backed by the file at `path` that other processes open by `name`. Throws
  // SHMLINK_ERR_ALREADY_EXISTS if the name is taken.
  static Segment from_file(const std::string& path, const std::string& name, Access access,
                           std::uint64_t size = 0, Share share = Share::owner) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_segment_from_file(detail::c_string(path, "the path"),
                                              detail::c_string(name, "the segment name"), size,
                                              static_cast<std::uint32_t>(access),
                                              SHMLINK_CREATE_NEW | static_cast<std::uint32_t>(share), &handle));
    return Segment(Handle(handle), access);
  }

  // The segment's size in bytes.
  std::uint64_t size() const {
    std::uint64_t bytes = 0;
    detail::check(::shmlink_segment_size(handle_.get(), &bytes));
    return bytes;
  }

  // Maps `length` bytes from `offset` (any offset; length 0: to the end) with the segment's
  // own access.
  View map(std::uint64_t offset = 0, std::uint64_t length = 0) const { return map(offset, length, access_); }

  // Maps with `access`, which may not be wider than the segment's.
  View map(std::uint64_t offset, std::uint64_t length, Access access) const {
    shmlink_handle view = 0;
    void* address = nullptr;
    detail::check(::shmlink_map(handle_.get(), offset, length, static_cast<std::uint32_t>(access), &view, &address));
    return View(Handle(view));
  }

  // Maps so that byte `offset` appears at `address` (shmlink_map_at: never elsewhere, never
  // over a mapping). Throws SHMLINK_ERR_ALREADY_EXISTS if the range is in use,
  // SHMLINK_ERR_INVALID_ARGUMENT if `address` does not lie as `offset` does within the
  // allocation granularity.
  View map_at(void* address, std::uint64_t offset, std::uint64_t length, Access access) const {
    shmlink_handle view = 0;
    detail::check(::shmlink_map_at(handle_.get(), offset, length, static_cast<std::uint32_t>(access), address, &view));
    return View(Handle(view));
  }

  // A token that hands this segment to a child started next, or to a running process
  // (shmlink_handle_share). Pass it on, then call unshare(token) once the child has started
  // or the receiver has taken it. read_only: the receiver may only read.
  std::string share(Handoff to = Handoff::child, bool read_only = false) const {
    char token[SHMLINK_TOKEN_MAX_BYTES];
    const std::uint32_t flags = static_cast<std::uint32_t>(to) | (read_only ? SHMLINK_HANDOFF_READ_ONLY : 0u);
    detail::check(::shmlink_handle_share(handle_.get(), flags, token, sizeof token, nullptr));
    return token;
  }

  // The segment a token from share() names, in the child or the receiving process
  // (shmlink_handle_from_token), with the token's access, or read access if `read_only`.
  static Segment from_token(const std::string& token, Handoff from = Handoff::child, bool read_only = false) {
    shmlink_handle handle = 0;
    const std::uint32_t flags = static_cast<std::uint32_t>(from) | (read_only ? SHMLINK_HANDOFF_READ_ONLY : 0u);
    detail::check(::shmlink_handle_from_token(detail::c_string(token, "the token"), flags, &handle));
    return Segment(Handle(handle), read_only ? Access::read : token_access(token));
  }

  // The access this segment was opened with.
  Access access() const noexcept { return access_; }

  // Closes the handle now and reports failure. Views already mapped stay valid.
  void close() { handle_.close(); }

  const Handle& handle() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

 private:
  // The access field of a token ("shmlink1:<os>:<pid>:<kind>:<access>:..."; checked by
  // shmlink_handle_from_token before this reads it).
  static Access token_access(const std::string& token) {
    std::size_t field = 0;
    for (std::size_t at = 0; at < token.size(); ++at) {
      if (token[at] == ':' && ++field == 4 && at + 1 < token.size()) {
        if (token[at + 1] == 'w') return Access::read_write;
        if (token[at + 1] == 'c') return Access::copy_on_write;
        break;
      }
    }
    return Access::read;
  }

  Handle handle_;
  Access access_ = Access::read;
};

struct Segment::OpenOrCreateResult {
  Segment segment;
  bool created;  // false: an existing segment was opened (SHMLINK_EXISTED)
};

inline Segment::OpenOrCreateResult Segment::open_or_create(const std::string& name, std::uint64_t size,
                                                           Share share) {
  shmlink_handle handle = 0;
  const shmlink_status status =
      detail::check(::shmlink_segment_create(detail::c_string(name, "the segment name"), size,
                                             SHMLINK_OPEN_OR_CREATE | static_cast<std::uint32_t>(share), &handle));
  return OpenOrCreateResult{Segment(Handle(handle), Access::read_write), status == SHMLINK_OK};
}

// What Signal, Mutex, Semaphore and Channel have in common: an owning handle that waits and
// wait_any() accept. Not an object of its own (and not deleted through).
class Waitable {
 public:
  const Handle& handle() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

  // Closes the handle now and reports failure; the object is empty afterwards.
  void close() { handle_.close(); }

 protected:
  Waitable() noexcept = default;
  explicit Waitable(Handle handle) noexcept : handle_(std::move(handle)) {}
  ~Waitable() = default;
  Waitable(Waitable&&) noexcept = default;
  Waitable& operator=(Waitable&&) noexcept = default;

  Handle handle_;
};

// A named signal (an event): CreateEvent / OpenEvent, SetEvent, ResetEvent.
class Signal : public Waitable {
 public:
  // What a set releases: exactly one wait, which resets it (automatic), or every wait until
  // reset() (manual).
  enum class Reset : std::uint32_t {
    automatic = SHMLINK_SIGNAL_AUTO_RESET,
    manual = SHMLINK_SIGNAL_MANUAL_RESET,
  };
  struct OpenOrCreateResult;

  Signal() noexcept = default;
  // Adopts an open signal handle.
  explicit Signal(Handle handle) noexcept : Waitable(std::move(handle)) {}

  // Creates a new named signal. Throws SHMLINK_ERR_ALREADY_EXISTS if the name is taken,
  // SHMLINK_ERR_WRONG_KIND if another kind of object has it.
  static Signal create(const std::string& name, Reset mode, bool initially_set = false,
                       Share share = Share::owner) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_signal_create(detail::c_string(name, "the signal name"),
                                          SHMLINK_CREATE_NEW | flags(mode, initially_set, share), &handle));
    return Signal(Handle(handle));
  }

  // Creates the signal, or opens it if the name exists (then its mode and state are its own).
  static OpenOrCreateResult open_or_create(const std::string& name, Reset mode, bool initially_set = false,
                                           Share share = Share::owner);

  // Creates an unnamed signal (CreateEvent(NULL, ...)): only this object reaches it, for
  // example to cancel a wait_any() from another thread. Gone when it is closed.
  static Signal create_unnamed(Reset mode, bool initially_set = false) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_signal_create(nullptr, flags(mode, initially_set, Share::owner), &handle));
    return Signal(Handle(handle));
  }

  // Opens an existing named signal. Throws SHMLINK_ERR_NOT_FOUND if there is none.
  static Signal open(const std::string& name) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_signal_open(detail::c_string(name, "the signal name"), &handle));
    return Signal(Handle(handle));
  }

  // Sets it: releases one wait (now or the next one) or, manual, every wait until reset().
  // Setting a set signal changes nothing.
  void set() const { detail::check(::shmlink_signal_set(handle_.get())); }

  // Resets it. Resetting an unset signal changes nothing.
  void reset() const { detail::check(::shmlink_signal_reset(handle_.get())); }

  // Waits until the signal is set (an automatic one is reset by this wait).
  void wait() const { detail::check(::shmlink_wait(handle_.get(), SHMLINK_INFINITE)); }

  // Waits at most `timeout`: true if the signal was set (see wait()), false if the time ran
  // out.
  [[nodiscard]] bool wait(Timeout timeout) const {
    return detail::check_wait(::shmlink_wait(handle_.get(), timeout.milliseconds()));
  }

 private:
  static std::uint32_t flags(Reset mode, bool initially_set, Share share) noexcept {
    return static_cast<std::uint32_t>(mode) | (initially_set ? SHMLINK_SIGNAL_INITIALLY_SET : 0u) |
           static_cast<std::uint32_t>(share);
  }
};

struct Signal::OpenOrCreateResult {
  Signal signal;
  bool created;  // false: an existing signal was opened (SHMLINK_EXISTED)
};

inline Signal::OpenOrCreateResult Signal::open_or_create(const std::string& name, Reset mode, bool initially_set,
                                                         Share share) {
  shmlink_handle handle = 0;
  const shmlink_status status = detail::check(::shmlink_signal_create(
      detail::c_string(name, "the signal name"), SHMLINK_OPEN_OR_CREATE | flags(mode, initially_set, share), &handle));
  return OpenOrCreateResult{Signal(Handle(handle)), status == SHMLINK_OK};
}

// How Mutex::lock(timeout) went.
enum class LockResult {
  acquired,   // the calling thread owns the mutex (one more level)
  abandoned,  // acquired, but its previous owner died holding it: check the data it guards
  timed_out,  // not acquired
};

// A named mutex, robust across processes: CreateMutex / OpenMutex, ReleaseMutex. Owned by a
// thread and recursive for it (unlock as often as locked); a mutex whose owner thread or
// process ends goes to the next locker as abandoned.
//
// lock(timeout) reports abandonment in its LockResult, and MutexLock in abandoned(). The
// std::Lockable members lock(), try_lock() and try_lock_for() (for std::lock_guard,
// std::unique_lock, std::scoped_lock) cannot: for them abandonment is an error. They unlock
// the mutex again and throw Error with status SHMLINK_ABANDONED; the next lock succeeds
// normally, so repair the guarded data in the handler (locking again) or use MutexLock.
class Mutex : public Waitable {
 public:
  struct OpenOrCreateResult;

  Mutex() noexcept = default;
  // Adopts an open mutex handle.
  explicit Mutex(Handle handle) noexcept : Waitable(std::move(handle)) {}

  // Creates a new named mutex, owned by the calling thread if `initially_owned` (unlock() it,
  // or adopt it: MutexLock(mutex, std::adopt_lock)). Throws SHMLINK_ERR_ALREADY_EXISTS if the
  // name is taken.
  static Mutex create(const std::string& name, bool initially_owned = false, Share share = Share::owner) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_mutex_create(detail::c_string(name, "the mutex name"),
                                         SHMLINK_CREATE_NEW | flags(initially_owned, share), &handle));
    return Mutex(Handle(handle));
  }

  // Creates an unnamed mutex (CreateMutex(NULL, ...)), owned by the calling thread if
  // `initially_owned`: only this object reaches it.
  static Mutex create_unnamed(bool initially_owned = false) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_mutex_create(nullptr, flags(initially_owned, Share::owner), &handle));
    return Mutex(Handle(handle));
  }

  // Creates the mutex (owned if `initially_owned`), or opens it if the name exists (then it is
  // not acquired: owned only if created).
  static OpenOrCreateResult open_or_create(const std::string& name, bool initially_owned = false,
                                           Share share = Share::owner);

  // Opens an existing named mutex. Throws SHMLINK_ERR_NOT_FOUND if there is none.
  static Mutex open(const std::string& name) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_mutex_open(detail::c_string(name, "the mutex name"), &handle));
    return Mutex(Handle(handle));
  }

  // Acquires the mutex for the calling thread, waiting at most `timeout` (forever: no limit).
  [[nodiscard]] LockResult lock(Timeout timeout) const {
    const shmlink_status status = ::shmlink_mutex_lock(handle_.get(), timeout.milliseconds());
    if (!detail::check_wait(status)) return LockResult::timed_out;
    return status == SHMLINK_ABANDONED ? LockResult::abandoned : LockResult::acquired;
  }

  // Releases one level of the calling thread's ownership. Throws SHMLINK_ERR_NOT_OWNER if this
  // thread does not hold it.
  void unlock() const { detail::check(::shmlink_mutex_unlock(handle_.get())); }

  // std::Lockable: waits without a time limit. Abandoned: unlocks and throws (see above).
  void lock() const {
    const shmlink_status status = ::shmlink_mutex_lock(handle_.get(), SHMLINK_INFINITE);
    if (status == SHMLINK_ABANDONED) unlock_and_throw_abandoned("shmlink::Mutex::lock");
    detail::check(status);
  }

  // std::Lockable: true if acquired now, false if another thread holds it. Abandoned: unlocks
  // and throws (see above).
  [[nodiscard]] bool try_lock() const { return try_lock_for(std::chrono::milliseconds(0)); }

  // std::TimedLockable: true if acquired within `timeout`. Abandoned: unlocks and throws.
  [[nodiscard]] bool try_lock_for(Timeout timeout) const {
    const shmlink_status status = ::shmlink_mutex_lock(handle_.get(), timeout.milliseconds());
    if (status == SHMLINK_ABANDONED) unlock_and_throw_abandoned("shmlink::Mutex::try_lock");
    return detail::check_wait(status);
  }

 private:
  static std::uint32_t flags(bool initially_owned, Share share) noexcept {
    return (initially_owned ? SHMLINK_MUTEX_INITIALLY_OWNED : 0u) | static_cast<std::uint32_t>(share);
  }

  [[noreturn]] void unlock_and_throw_abandoned(const char* operation) const {
    unlock();
    throw Error(SHMLINK_ABANDONED, std::string(operation) +
                                       ": SHMLINK_ABANDONED: the previous owner died holding the mutex; it was "
                                       "unlocked again (lock(timeout) or MutexLock keep it while reporting this)");
  }
};

struct Mutex::OpenOrCreateResult {
  Mutex mutex;
  bool created;  // false: an existing mutex was opened (SHMLINK_EXISTED), and not acquired
};

inline Mutex::OpenOrCreateResult Mutex::open_or_create(const std::string& name, bool initially_owned, Share share) {
  shmlink_handle handle = 0;
  const shmlink_status status = detail::check(::shmlink_mutex_create(
      detail::c_string(name, "the mutex name"), SHMLINK_OPEN_OR_CREATE | flags(initially_owned, share), &handle));
  return OpenOrCreateResult{Mutex(Handle(handle)), status == SHMLINK_OK};
}

// One level of ownership of a Mutex, unlocked by the destructor (failure ignored), like
// std::unique_lock but reporting abandonment. Move-only. Ownership belongs to the thread, so
// a MutexLock must end (or unlock()) on the thread that locked. It keeps the mutex's handle
// value, not a reference to the Mutex object, which may move; it must stay open.
class MutexLock {
 public:
  // Owns nothing.
  MutexLock() noexcept = default;

  // Locks `mutex`, waiting without a time limit; abandoned() says if its owner had died.
  explicit MutexLock(const Mutex& mutex) {
    const shmlink_status status = detail::check(::shmlink_mutex_lock(mutex.handle().get(), SHMLINK_INFINITE));
    mutex_ = mutex.handle().get();
    result_ = status == SHMLINK_ABANDONED ? LockResult::abandoned : LockResult::acquired;
  }

  // Locks `mutex`, waiting at most `timeout`; owns_lock() is false if the time ran out.
  MutexLock(const Mutex& mutex, Timeout timeout) : result_(mutex.lock(timeout)) {
    if (result_ != LockResult::timed_out) mutex_ = mutex.handle().get();
  }

  // Takes over a level the calling thread holds already (from Mutex::lock(timeout), a create
  // with initially_owned, or wait_any()).
  MutexLock(const Mutex& mutex, std::adopt_lock_t) noexcept
      : mutex_(mutex.handle().get()), result_(LockResult::acquired) {}

  ~MutexLock() {
    if (mutex_ != 0) ::shmlink_mutex_unlock(mutex_);
  }

  MutexLock(MutexLock&& other) noexcept
      : mutex_(std::exchange(other.mutex_, 0)), result_(std::exchange(other.result_, LockResult::timed_out)) {}
  MutexLock& operator=(MutexLock&& other) noexcept {
    if (this != &other) {
      if (mutex_ != 0) ::shmlink_mutex_unlock(mutex_);
      mutex_ = std::exchange(other.mutex_, 0);
      result_ = std::exchange(other.result_, LockResult::timed_out);
    }
    return *this;
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  bool owns_lock() const noexcept { return mutex_ != 0; }
  explicit operator bool() const noexcept { return owns_lock(); }

  // True if the lock was acquired from an owner that died holding it: check the guarded data.
  bool abandoned() const noexcept { return result_ == LockResult::abandoned; }
  // How the lock went (timed_out for a MutexLock that owns nothing).
  LockResult result() const noexcept { return result_; }

  // Unlocks now and reports failure; owns nothing afterwards. Throws SHMLINK_ERR_NOT_OWNER if
  // it owns nothing.
  void unlock() {
    if (mutex_ == 0)
      throw Error(SHMLINK_ERR_NOT_OWNER, "shmlink::MutexLock::unlock: SHMLINK_ERR_NOT_OWNER: it holds no lock");
    result_ = LockResult::timed_out;
    detail::check(::shmlink_mutex_unlock(std::exchange(mutex_, 0)));
  }

  // Gives up the level without unlocking: the calling thread still holds it.
  void release() noexcept {
    mutex_ = 0;
    result_ = LockResult::timed_out;
  }

 private:
  shmlink_handle mutex_ = 0;
  LockResult result_ = LockResult::timed_out;
};

// A named counting semaphore: CreateSemaphore / OpenSemaphore, ReleaseSemaphore.
class Semaphore : public Waitable {
 public:
  struct OpenOrCreateResult;

  Semaphore() noexcept = default;
  // Adopts an open semaphore handle.
  explicit Semaphore(Handle handle) noexcept : Waitable(std::move(handle)) {}

  // Creates a new named semaphore with a count of `initial_count` and a maximum of
  // `max_count` (1 to 0x7FFFFFFF). Throws SHMLINK_ERR_ALREADY_EXISTS if the name is taken,
  // SHMLINK_ERR_INVALID_ARGUMENT for counts that do not fit together.
  static Semaphore create(const std::string& name, std::uint32_t initial_count, std::uint32_t max_count,
                          Share share = Share::owner) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_semaphore_create(detail::c_string(name, "the semaphore name"), initial_count, max_count,
                                             SHMLINK_CREATE_NEW | static_cast<std::uint32_t>(share), &handle));
    return Semaphore(Handle(handle));
  }

  // Creates an unnamed semaphore (CreateSemaphore(NULL, ...)): only this object reaches it.
  static Semaphore create_unnamed(std::uint32_t initial_count, std::uint32_t max_count) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_semaphore_create(nullptr, initial_count, max_count, 0, &handle));
    return Semaphore(Handle(handle));
  }

  // Creates the semaphore, or opens it if the name exists (then its counts are its own).
  static OpenOrCreateResult open_or_create(const std::string& name, std::uint32_t initial_count,
                                           std::uint32_t max_count, Share share = Share::owner);

  // Opens an existing named semaphore. Throws SHMLINK_ERR_NOT_FOUND if there is none.
  static Semaphore open(const std::string& name) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_semaphore_open(detail::c_string(name, "the semaphore name"), &handle));
    return Semaphore(Handle(handle));
  }

  // Waits until the count is above zero and takes one.
  void acquire() const { detail::check(::shmlink_wait(handle_.get(), SHMLINK_INFINITE)); }

  // Waits at most `timeout`: true if one was taken, false if the time ran out.
  [[nodiscard]] bool acquire(Timeout timeout) const {
    return detail::check_wait(::shmlink_wait(handle_.get(), timeout.milliseconds()));
  }

  // Takes one if the count is above zero now.
  [[nodiscard]] bool try_acquire() const { return acquire(std::chrono::milliseconds(0)); }

  // Adds `count` and wakes as many waits; returns the count before. Throws
  // SHMLINK_ERR_LIMIT_EXCEEDED (and changes nothing) if it would pass the maximum,
  // SHMLINK_ERR_INVALID_ARGUMENT for a count of 0.
  std::uint32_t release(std::uint32_t count = 1) const {
    std::uint32_t previous = 0;
    detail::check(::shmlink_semaphore_release(handle_.get(), count, &previous));
    return previous;
  }
};

struct Semaphore::OpenOrCreateResult {
  Semaphore semaphore;
  bool created;  // false: an existing semaphore was opened (SHMLINK_EXISTED)
};

inline Semaphore::OpenOrCreateResult Semaphore::open_or_create(const std::string& name, std::uint32_t initial_count,
                                                               std::uint32_t max_count, Share share) {
  shmlink_handle handle = 0;
  const shmlink_status status = detail::check(
      ::shmlink_semaphore_create(detail::c_string(name, "the semaphore name"), initial_count, max_count,
                                 SHMLINK_OPEN_OR_CREATE | static_cast<std::uint32_t>(share), &handle));
  return OpenOrCreateResult{Semaphore(Handle(handle)), status == SHMLINK_OK};
}

// Which object ended a wait_any().
struct WaitAnyResult {
  std::size_t index;  // its position in the list (the lowest one when several were available)
  bool abandoned;     // it is a Mutex whose owner died holding it; acquired all the same
};

namespace detail {

template <class Iterator>
std::optional<WaitAnyResult> wait_any(Iterator first, Iterator last, Timeout timeout) {
  std::array<shmlink_handle, SHMLINK_MAX_WAIT_OBJECTS> handles{};
  std::uint32_t count = 0;
  for (; first != last; ++first) {
    if (count == handles.size())
      throw Error(SHMLINK_ERR_INVALID_ARGUMENT, "shmlink::wait_any: SHMLINK_ERR_INVALID_ARGUMENT: more than " +
                                                    std::to_string(SHMLINK_MAX_WAIT_OBJECTS) + " objects");
    handles[count++] = first->get().handle().get();
  }
  std::uint32_t index = 0;
  const shmlink_status status = ::shmlink_wait_any(handles.data(), count, timeout.milliseconds(), &index);
  if (!check_wait(status)) return std::nullopt;
  return WaitAnyResult{index, status == SHMLINK_ABANDONED};
}

}  // namespace detail

// Waits until any one of 1 to 64 objects (signals, mutexes, semaphores, channels; each once)
// is available and takes that one only, as a wait on it alone would (a Mutex is then owned by
// the calling thread: unlock it). Returns which, or std::nullopt if `timeout` ran out first.
// Throws SHMLINK_ERR_INVALID_ARGUMENT for no objects, more than 64 or one given twice,
// SHMLINK_ERR_BAD_HANDLE for an empty or closed one.
//
//   if (auto woken = shmlink::wait_any({stop, jobs}, std::chrono::seconds(1))) ... woken->index
[[nodiscard]] inline std::optional<WaitAnyResult> wait_any(
    std::initializer_list<std::reference_wrapper<const Waitable>> objects, Timeout timeout) {
  return detail::wait_any(objects.begin(), objects.end(), timeout);
}

[[nodiscard]] inline std::optional<WaitAnyResult> wait_any(
    const std::vector<std::reference_wrapper<const Waitable>>& objects, Timeout timeout) {
  return detail::wait_any(objects.begin(), objects.end(), timeout);
}

// One condition of a channel to wait for, alone or with others in wait_any(), from
// Channel::waitable(): a message is there, a maximum-size message fits, or the senders or
// receivers are present or gone (shmlink_channel_waitable). A wait takes nothing. It keeps
// the channel attached (this side still counts as a peer) until it is closed too.
class ChannelCondition : public Waitable {
 public:
  enum class Kind : std::uint32_t {
    can_receive = SHMLINK_CHANNEL_CAN_RECEIVE,              // a message is queued, or a receive would throw CLOSED
    can_send = SHMLINK_CHANNEL_CAN_SEND,                    // a maximum-size message fits, or a send would throw CLOSED
    senders_present = SHMLINK_CHANNEL_SENDERS_PRESENT,      // at least one sender is attached
    receivers_present = SHMLINK_CHANNEL_RECEIVERS_PRESENT,  // at least one receiver is attached
    senders_gone = SHMLINK_CHANNEL_SENDERS_GONE,            // senders had attached and none is left
    receivers_gone = SHMLINK_CHANNEL_RECEIVERS_GONE,        // receivers had attached and none is left
  };

  ChannelCondition() noexcept = default;
  // Adopts an open channel condition handle.
  explicit ChannelCondition(Handle handle) noexcept : Waitable(std::move(handle)) {}

  // Waits until the condition holds.
  void wait() const { detail::check(::shmlink_wait(handle_.get(), SHMLINK_INFINITE)); }
  // Waits at most `timeout`: false if it ran out.
  [[nodiscard]] bool wait(Timeout timeout) const {
    return detail::check_wait(::shmlink_wait(handle_.get(), timeout.milliseconds()));
  }
  // Whether it holds now.
  [[nodiscard]] bool holds() const { return detail::check_wait(::shmlink_wait(handle_.get(), 0)); }
};

// A named, bounded queue of whole messages between any number of sending and receiving
// processes (see shmlink.h, Channels). Each message goes whole, once, to one receiver, in
// send order per sender; zero-length messages are valid.
//
// When the other side is gone (every receiver that attached has left, for a send; every
// sender has left and nothing is queued, for a receive) calls throw Error with
// SHMLINK_ERR_CLOSED: for a receiver that is the normal end of the stream. Before any peer of
// the other side has attached, sends queue and receives wait (either side may start first). A handle without the role for a call gives
// SHMLINK_ERR_ACCESS_DENIED.
//
// Zero-copy: reserve() then Reservation::commit(), and peek() then Message::consume(); one
// reservation and one peeked message per Channel at a time.
class Channel : public Waitable {
 public:
  // What this handle does.
  enum class Role : std::uint32_t {
    sender = SHMLINK_CHANNEL_SENDER,
    receiver = SHMLINK_CHANNEL_RECEIVER,
    both = SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_RECEIVER,
  };
  class Reservation;
  class Message;
  struct OpenOrCreateResult;

  Channel() noexcept = default;
  // Adopts an open channel handle.
  explicit Channel(Handle handle) noexcept : Waitable(std::move(handle)) {}

  // Creates a new named channel that buffers at least `capacity_bytes` of messages (each costs
  // its length rounded up to 32, plus 32) of up to `max_message_bytes` each. Throws
  // SHMLINK_ERR_ALREADY_EXISTS if the name is taken, SHMLINK_ERR_INVALID_ARGUMENT for sizes
  // that do not fit together.
  static Channel create(const std::string& name, std::uint64_t capacity_bytes, std::uint32_t max_message_bytes,
                        Role role, Share share = Share::owner) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_channel_create(detail::c_string(name, "the channel name"), capacity_bytes,
                                           max_message_bytes, SHMLINK_CREATE_NEW | flags(role, share), &handle));
    return Channel(Handle(handle));
  }

  // Pub/sub (since 1.4; see Pub/sub under Channels in shmlink.h): what a publisher does when a
  // subscriber is slow.
  enum class Policy : std::uint32_t {
    block = SHMLINK_CHANNEL_PUBSUB,                                 // waits for the slowest live subscriber
    overwrite = SHMLINK_CHANNEL_PUBSUB | SHMLINK_CHANNEL_OVERWRITE,  // overwrites the oldest; see lost()
  };
  // Creates a new named pub/sub channel: every receiving handle (subscriber, at most 32)
  // receives every message sent after it attached. Throws as create(), and
  // SHMLINK_ERR_NO_RESOURCES for a 33rd subscriber.
  static Channel create_pubsub(const std::string& name, std::uint64_t capacity_bytes,
                               std::uint32_t max_message_bytes, Role role, Policy policy = Policy::block,
                               Share share = Share::owner) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_channel_create(detail::c_string(name, "the channel name"), capacity_bytes,
                                           max_message_bytes,
                                           SHMLINK_CREATE_NEW | flags(role, share) | static_cast<std::uint32_t>(policy),
                                           &handle));
    return Channel(Handle(handle));
  }

  // Pub/sub with Policy::overwrite: the messages this subscriber lost to overwrites since it
  // attached (0 otherwise). A Message overwritten while peeked throws SHMLINK_ERR_OVERWRITTEN
  // from its consume().
  std::uint64_t lost() const {
    std::uint64_t lost = 0;
    detail::check(::shmlink_channel_lost(handle_.get(), &lost));
    return lost;
  }

  // Creates the channel, or opens it if the name exists (then its sizes are its own).
  static OpenOrCreateResult open_or_create(const std::string& name, std::uint64_t capacity_bytes,
                                           std::uint32_t max_message_bytes, Role role, Share share = Share::owner);

  // Opens an existing channel. Throws SHMLINK_ERR_NOT_FOUND if there is none,
  // SHMLINK_ERR_NO_RESOURCES if 1024 handles are attached already.
  static Channel open(const std::string& name, Role role) {
    shmlink_handle handle = 0;
    detail::check(::shmlink_channel_open(detail::c_string(name, "the channel name"),
                                         static_cast<std::uint32_t>(role), &handle));
    return Channel(Handle(handle));
  }

  // The longest message the channel takes: its creator's choice, which an opener learns here.
  std::size_t max_message_bytes() const {
    std::uint32_t max_message = 0;
    detail::check(::shmlink_channel_info(handle_.get(), &max_message, nullptr, nullptr));
    return max_message;
  }

  // How many bytes of messages the ring holds: at least the capacity it was created with. Each
  // message costs its length rounded up to 32, plus a 32-byte header.
  std::uint64_t capacity_bytes() const {
    std::uint64_t capacity = 0;
    detail::check(::shmlink_channel_info(handle_.get(), nullptr, &capacity, nullptr));
    return capacity;
  }

  // ---- Sending a copy ----
  // Sends `length` bytes from `data` as one message, waiting for room without a time limit.
  // Throws SHMLINK_ERR_TOO_LARGE above the channel's maximum, SHMLINK_ERR_CLOSED when every
  // receiver that attached is gone, SHMLINK_ERR_INVALID_ARGUMENT while a Reservation of this Channel is open.
  void send(const void* data, std::size_t length) const {
    detail::check(::shmlink_channel_send(handle_.get(), data, detail::message_length(length, "shmlink::Channel::send"),
                                         SHMLINK_INFINITE));
  }

  // The same, waiting at most `timeout` for room: false (and nothing sent) if it ran out.
  [[nodiscard]] bool send(const void* data, std::size_t length, Timeout timeout) const {
    return detail::check_wait(::shmlink_channel_send(
        handle_.get(), data, detail::message_length(length, "shmlink::Channel::send"), timeout.milliseconds()));
  }

  // Sends the characters of `message` (no terminating NUL).
  void send(std::string_view message) const { send(message.data(), message.size()); }
  [[nodiscard]] bool send(std::string_view message, Timeout timeout) const {
    return send(message.data(), message.size(), timeout);
  }

  // Sends the bytes of a contiguous container of trivially copyable elements
  // (std::vector<std::byte>, std::string, std::array ...).
  template <class Bytes, class = std::enable_if_t<detail::is_byte_container<Bytes>::value>>
  void send(const Bytes& message) const {
    send(message.data(), message.size() * sizeof *message.data());
  }
  template <class Bytes, class = std::enable_if_t<detail::is_byte_container<Bytes>::value>>
  [[nodiscard]] bool send(const Bytes& message, Timeout timeout) const {
    return send(message.data(), message.size() * sizeof *message.data(), timeout);
  }

  // ---- Receiving a copy ----
  // Receives the next message into `buffer`, waiting without a time limit, and returns its
  // length. Throws BufferTooSmall (status SHMLINK_ERR_BUFFER_TOO_SMALL, needed() the length)
  // if it does not fit: the message stays queued. Throws SHMLINK_ERR_CLOSED when the senders are
  // gone and nothing is queued, SHMLINK_ERR_INVALID_ARGUMENT while a peeked Message of
  // this Channel is not consumed.
  std::size_t receive(void* buffer, std::size_t capacity) const {
    std::uint32_t length = 0;
    const shmlink_status status =
        ::shmlink_channel_receive(handle_.get(), buffer, detail::buffer_capacity(capacity), &length, SHMLINK_INFINITE);
    check_receive(status, length);  // not in one expression: the status sets length
    return length;
  }

  // The same, waiting at most `timeout`: std::nullopt if it ran out.
  [[nodiscard]] std::optional<std::size_t> receive(void* buffer, std::size_t capacity, Timeout timeout) const {
    std::uint32_t length = 0;
    const shmlink_status status = ::shmlink_channel_receive(handle_.get(), buffer, detail::buffer_capacity(capacity),
                                                            &length, timeout.milliseconds());
    if (!check_receive(status, length)) return std::nullopt;
    return length;
  }

  // Receives the next message whole, as bytes, waiting without a time limit.
  std::vector<std::byte> receive() const { return receive_whole<std::vector<std::byte>>(); }
  // The same, waiting at most `timeout`: std::nullopt if it ran out.
  [[nodiscard]] std::optional<std::vector<std::byte>> receive(Timeout timeout) const {
    return receive_whole<std::vector<std::byte>>(timeout);
  }

  // Receives the next message whole, as a string of its bytes.
  std::string receive_string() const { return receive_whole<std::string>(); }
  [[nodiscard]] std::optional<std::string> receive_string(Timeout timeout) const {
    return receive_whole<std::string>(timeout);
  }

  // ---- Zero copy ----
  // Reserves room for a message of up to `length` bytes in the ring, waiting without a time
  // limit: write it through the Reservation, then commit(). Until then, messages other senders
  // reserve later wait behind it. The Reservation refers to this Channel, which must stay
  // where it is (not moved from, not destroyed) until the commit. Throws as send().
  [[nodiscard]] Reservation reserve(std::size_t length);
  // The same, waiting at most `timeout`: std::nullopt if it ran out.
  [[nodiscard]] std::optional<Reservation> reserve(std::size_t length, Timeout timeout);

  // Takes the next message for this handle and gives its bytes in place, waiting without a
  // time limit, until Message::consume() or the Message's end. Throws as receive() (never
  // BufferTooSmall). A peek() before the message is consumed gives the same message again (the
  // C API's rule), so hold one Message per Channel: a second one would consume the next message
  // at its end. Message::release() lets go without consuming.
  [[nodiscard]] Message peek() const;
  // The same, waiting at most `timeout`: std::nullopt if it ran out.
  [[nodiscard]] std::optional<Message> peek(Timeout timeout) const;

  // ---- Batches ----
  // Many messages a call, each a message of its own (see "Batches" in shmlink.h): a batch call
  // waits at most `timeout` for its first message (for room, or for one to be queued), then
  // takes as many more as it can at once, and returns how many; 0 only if the time ran out.
  // The arrays are the C API's shmlink_channel_message, as struct iovec is readv's.
  //
  // Sends messages[i] (data, length) for i below the number returned. Throws as send().
  std::size_t send_batch(const shmlink_channel_message* messages, std::size_t count, Timeout timeout = forever) const {
    std::uint32_t sent = 0;
    detail::check_wait(
        ::shmlink_channel_send_batch(handle_.get(), messages, detail::batch_count(count), timeout.milliseconds(), &sent));
    return sent;
  }
  // Receives into messages[i].data (messages[i].capacity bytes), setting messages[i].length.
  // A message longer than its buffer ends the batch before it; if it is the first, throws
  // BufferTooSmall (needed() its length) and it stays queued. Throws as receive().
  std::size_t receive_batch(shmlink_channel_message* messages, std::size_t count, Timeout timeout = forever) const {
    std::uint32_t received = 0;
    const shmlink_status status = ::shmlink_channel_receive_batch(handle_.get(), messages, detail::batch_count(count),
                                                                  timeout.milliseconds(), &received);
    check_receive(status, status == SHMLINK_ERR_BUFFER_TOO_SMALL ? messages[0].length : 0);
    return received;
  }
  // Zero copy: reserves messages[i].length bytes each, setting messages[i].data (where to write)
  // and messages[i].capacity; commit_batch() sends them, cancel_batch() gives them up, as does
  // the Channel's end. Until then this Channel sends and reserves nothing else.
  std::size_t reserve_batch(shmlink_channel_message* messages, std::size_t count, Timeout timeout = forever) {
    std::uint32_t reserved = 0;
    detail::check_wait(::shmlink_channel_reserve_batch(handle_.get(), messages, detail::batch_count(count),
                                                       timeout.milliseconds(), &reserved));
    return reserved;
  }
  // Sends the first `count` reserved messages with messages[i].length bytes (at most the
  // capacity reserved); the rest of the batch is given up.
  void commit_batch(const shmlink_channel_message* messages, std::size_t count) {
    detail::check(::shmlink_channel_commit_batch(handle_.get(), messages, detail::batch_count(count)));
  }
  void cancel_batch() { detail::check(::shmlink_channel_cancel(handle_.get())); }
  // Zero copy: takes as many messages as are queued, up to `count`, setting messages[i].data
  // (read only) and messages[i].length; they stay valid until consume_batch() releases them,
  // oldest first (or the Channel's end).
  std::size_t peek_batch(shmlink_channel_message* messages, std::size_t count, Timeout timeout = forever) const {
    std::uint32_t peeked = 0;
    detail::check_wait(::shmlink_channel_peek_batch(handle_.get(), messages, detail::batch_count(count),
                                                    timeout.milliseconds(), &peeked));
    return peeked;
  }
  void consume_batch(std::size_t count) const {
    detail::check(::shmlink_channel_consume_batch(handle_.get(), detail::batch_count(count)));
  }

  // ---- Waiting ----
  // A waitable for one condition of this channel (see ChannelCondition), for wait_any() with
  // other objects: for example a Channel with both roles waits for room with
  // waitable(ChannelCondition::Kind::can_send), and a sender for a receiver to come with
  // receivers_present. Throws SHMLINK_ERR_ACCESS_DENIED for can_receive without the receiver
  // role and can_send without the sender role.
  [[nodiscard]] ChannelCondition waitable(ChannelCondition::Kind condition) const {
    shmlink_handle handle = 0;
    detail::check(::shmlink_channel_waitable(handle_.get(), static_cast<std::uint32_t>(condition), &handle));
    return ChannelCondition(Handle(handle));
  }

  // Waits until a message can be received (or a receive would throw SHMLINK_ERR_CLOSED); on a
  // sender-only handle, until a message of the maximum size fits (or a send would throw
  // CLOSED). Takes nothing: with several receivers (senders) the call that follows may still
  // have to wait.
  void wait() const { detail::check(::shmlink_wait(handle_.get(), SHMLINK_INFINITE)); }
  // The same, waiting at most `timeout`: false if it ran out.
  [[nodiscard]] bool wait(Timeout timeout) const {
    return detail::check_wait(::shmlink_wait(handle_.get(), timeout.milliseconds()));
  }

 private:
  static std::uint32_t flags(Role role, Share share) noexcept {
    return static_cast<std::uint32_t>(role) | static_cast<std::uint32_t>(share);
  }

  // A receive's status: true if received, false if it timed out; throws otherwise.
  static bool check_receive(shmlink_status status, std::uint32_t length) {
    if (status == SHMLINK_ERR_BUFFER_TOO_SMALL) throw BufferTooSmall(length);
    return detail::check_wait(status);
  }

  // The next message whole, in a Bytes of its length (std::vector<std::byte> or std::string):
  // received into a small buffer first and, if it is longer, into one of the length the library
  // says, at once (shmlink_channel_receive_whole holds it for this handle meanwhile).
  template <class Bytes>
  std::optional<Bytes> receive_whole(Timeout timeout) const {
    constexpr std::uint32_t kSmall = 256;
    std::array<std::byte, kSmall> small;
    std::uint32_t length = 0;
    shmlink_status status =
        ::shmlink_channel_receive_whole(handle_.get(), small.data(), kSmall, &length, timeout.milliseconds());
    Bytes message;
    if (status == SHMLINK_OK) {
      message.resize(length);
      if (length > 0) std::memcpy(message.data(), small.data(), length);
    } else if (status == SHMLINK_ERR_BUFFER_TOO_SMALL) {
      message.resize(length);
      status = ::shmlink_channel_receive_whole(handle_.get(), message.data(), length, &length, 0);
    }
    if (!detail::check_wait(status)) return std::nullopt;
    return message;
  }

  template <class Bytes>
  Bytes receive_whole() const {
    std::optional<Bytes> message = receive_whole<Bytes>(forever);
    if (!message)  // an infinite wait does not time out
      throw Error(SHMLINK_ERR_TIMEOUT,
                  "shmlink::Channel::receive: SHMLINK_ERR_TIMEOUT: a wait without limit timed out");
    return std::move(*message);
  }
};

struct Channel::OpenOrCreateResult {
  Channel channel;
  bool created;  // false: an existing channel was opened (SHMLINK_EXISTED)
};

inline Channel::OpenOrCreateResult Channel::open_or_create(const std::string& name, std::uint64_t capacity_bytes,
                                                           std::uint32_t max_message_bytes, Role role, Share share) {
  shmlink_handle handle = 0;
  const shmlink_status status = detail::check(
      ::shmlink_channel_create(detail::c_string(name, "the channel name"), capacity_bytes, max_message_bytes,
                               SHMLINK_OPEN_OR_CREATE | flags(role, share), &handle));
  return OpenOrCreateResult{Channel(Handle(handle)), status == SHMLINK_OK};
}

// Room for one message in a Channel's ring, from Channel::reserve(): write the message through
// data(), then commit() sends it. Move-only.
//
// A Reservation that ends (or is assigned to) without a commit is cancelled
// (shmlink_channel_cancel): nothing is sent, the messages reserved after it flow on, and the
// Channel reserves and sends as before; its room goes back to the senders when the receivers
// pass it, as a received message's does. cancel() does it early. The Reservation refers to its
// Channel object, which must stay where it is until then.
class Channel::Reservation {
 public:
  // Holds nothing.
  Reservation() noexcept = default;

  Reservation(Reservation&& other) noexcept
      : channel_(std::exchange(other.channel_, nullptr)),
        data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}
  Reservation& operator=(Reservation&& other) noexcept {
    if (this != &other) {
      drop();
      channel_ = std::exchange(other.channel_, nullptr);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  ~Reservation() { drop(); }

  // Where to write the message (32-byte aligned), and how many bytes were reserved: the most
  // commit() sends.
  std::byte* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  std::byte* begin() const noexcept { return data_; }
  std::byte* end() const noexcept { return data_ + size_; }

  // Gives the reservation up without sending anything (see above); the Reservation holds
  // nothing afterwards. Throws SHMLINK_ERR_INVALID_ARGUMENT if it holds nothing.
  void cancel() {
    if (channel_ == nullptr)
      throw Error(SHMLINK_ERR_INVALID_ARGUMENT,
                  "shmlink::Channel::Reservation::cancel: SHMLINK_ERR_INVALID_ARGUMENT: nothing is reserved");
    data_ = nullptr;
    size_ = 0;
    detail::check(::shmlink_channel_cancel(std::exchange(channel_, nullptr)->handle_.get()));
  }

  // True until committed or cancelled.
  explicit operator bool() const noexcept { return channel_ != nullptr; }

  // Sends the message with all the reserved bytes; the Reservation holds nothing afterwards.
  void commit() { commit(size_); }

  // Sends the message with its first `length` bytes. Throws SHMLINK_ERR_INVALID_ARGUMENT if
  // that is more than was reserved (the reservation stays open) or nothing is reserved.
  void commit(std::size_t length) {
    if (channel_ == nullptr)
      throw Error(SHMLINK_ERR_INVALID_ARGUMENT,
                  "shmlink::Channel::Reservation::commit: SHMLINK_ERR_INVALID_ARGUMENT: nothing is reserved");
    detail::check(::shmlink_channel_commit(channel_->handle_.get(), detail::buffer_capacity(length)));
    channel_ = nullptr;
    data_ = nullptr;
    size_ = 0;
  }

 private:
  friend class Channel;

  Reservation(Channel& channel, void* data, std::size_t size) noexcept
      : channel_(&channel), data_(static_cast<std::byte*>(data)), size_(size) {}

  // Cancels what is still reserved; a failure (the channel broken by a peer) is ignored.
  void drop() noexcept {
    if (channel_ != nullptr) ::shmlink_channel_cancel(std::exchange(channel_, nullptr)->handle_.get());
    data_ = nullptr;
    size_ = 0;
  }

  Channel* channel_ = nullptr;
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

// A message taken by Channel::peek(), read in place in the channel's shared memory until
// consume(), which gives its room back to the senders; the destructor consumes it too (failure
// ignored), as closing the channel handle would. Move-only. It keeps the channel's handle
// value, so the Channel object may move, but its handle must stay open: the bytes are valid
// only until the consume or the handle's close. Another process wrote them: check before
// trusting them.
class Channel::Message {
 public:
  // Holds nothing.
  Message() noexcept = default;

  Message(Message&& other) noexcept
      : channel_(std::exchange(other.channel_, 0)),
        data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}
  Message& operator=(Message&& other) noexcept {
    if (this != &other) {
      if (channel_ != 0) ::shmlink_channel_consume(channel_);
      channel_ = std::exchange(other.channel_, 0);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;
  ~Message() {
    if (channel_ != 0) ::shmlink_channel_consume(channel_);
  }

  // The message's bytes and length (0 is a valid length).
  const std::byte* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  const std::byte* begin() const noexcept { return data_; }
  const std::byte* end() const noexcept { return data_ + size_; }
  std::string_view as_string_view() const noexcept { return {reinterpret_cast<const char*>(data_), size_}; }

  // True until consumed.
  explicit operator bool() const noexcept { return channel_ != 0; }

  // Gives the message's room back to the senders: the message is received. Holds nothing
  // afterwards. Throws SHMLINK_ERR_INVALID_ARGUMENT if it holds nothing.
  void consume() {
    if (channel_ == 0)
      throw Error(SHMLINK_ERR_INVALID_ARGUMENT,
                  "shmlink::Channel::Message::consume: SHMLINK_ERR_INVALID_ARGUMENT: no message is held");
    data_ = nullptr;
    size_ = 0;
    detail::check(::shmlink_channel_consume(std::exchange(channel_, 0)));
  }

  // Lets go of the message without consuming it: it stays taken by this channel handle, and
  // the next peek() on it gives the same message again.
  void release() noexcept {
    channel_ = 0;
    data_ = nullptr;
    size_ = 0;
  }

 private:
  friend class Channel;

  Message(shmlink_handle channel, const void* data, std::uint32_t size) noexcept
      : channel_(channel), data_(static_cast<const std::byte*>(data)), size_(size) {}

  shmlink_handle channel_ = 0;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

inline Channel::Reservation Channel::reserve(std::size_t length) {
  void* buffer = nullptr;
  detail::check(::shmlink_channel_reserve(handle_.get(), detail::message_length(length, "shmlink::Channel::reserve"),
                                          SHMLINK_INFINITE, &buffer));
  return Reservation(*this, buffer, length);
}

inline std::optional<Channel::Reservation> Channel::reserve(std::size_t length, Timeout timeout) {
  void* buffer = nullptr;
  if (!detail::check_wait(::shmlink_channel_reserve(
          handle_.get(), detail::message_length(length, "shmlink::Channel::reserve"), timeout.milliseconds(), &buffer)))
    return std::nullopt;
  return Reservation(*this, buffer, length);
}

inline Channel::Message Channel::peek() const {
  const void* data = nullptr;
  std::uint32_t length = 0;
  detail::check(::shmlink_channel_peek(handle_.get(), SHMLINK_INFINITE, &data, &length));
  return Message(handle_.get(), data, length);
}

inline std::optional<Channel::Message> Channel::peek(Timeout timeout) const {
  const void* data = nullptr;
  std::uint32_t length = 0;
  if (!detail::check_wait(::shmlink_channel_peek(handle_.get(), timeout.milliseconds(), &data, &length)))
    return std::nullopt;
  return Message(handle_.get(), data, length);
}

}  // namespace shmlink

#endif  // SHMLINK_HPP
