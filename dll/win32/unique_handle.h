// Owns one Win32 kernel handle and closes it exactly once.
#pragma once

#include <windows.h>

#include <utility>

namespace shmlink::win32 {

class UniqueHandle {
 public:
  UniqueHandle() = default;
  // Takes `handle` as returned by the OS; null and INVALID_HANDLE_VALUE both mean none
  // (CreateFileW and CreateFileMappingW disagree on which one says "failed").
  explicit UniqueHandle(HANDLE handle) noexcept : handle_(handle == INVALID_HANDLE_VALUE ? nullptr : handle) {}
  UniqueHandle(UniqueHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  ~UniqueHandle() { reset(); }

  HANDLE get() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return handle_ != nullptr; }

  void reset() noexcept {
    // Nothing useful can be done if CloseHandle fails on a handle we own: it is gone either way.
    if (handle_ != nullptr) CloseHandle(handle_);
    handle_ = nullptr;
  }

 private:
  HANDLE handle_ = nullptr;
};

}  // namespace shmlink::win32
