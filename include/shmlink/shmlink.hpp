// shmlink.hpp - a small header-only C++17 layer over the shmlink C API: owning handles that
// close themselves, segments and views as objects, failures as exceptions.
//
//   auto segment = shmlink::Segment::create("Local\\demo", 4096);
//   shmlink::View view = segment.map();
//   std::memcpy(view.data(), "hello", 5);
//
// Every function that can fail throws shmlink::Error, which carries the status, its name and
// the library's description of the failure. Destructors never throw. Nothing here adds state
// of its own: a Segment is its handle, a View its handle, address and length.
#ifndef SHMLINK_HPP
#define SHMLINK_HPP

#include "shmlink/shmlink.h"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

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

  // The status the call returned (SHMLINK_ERR_*).
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

  // The access this segment was opened with.
  Access access() const noexcept { return access_; }

  // Closes the handle now and reports failure. Views already mapped stay valid.
  void close() { handle_.close(); }

  const Handle& handle() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

 private:
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

}  // namespace shmlink

#endif  // SHMLINK_HPP
