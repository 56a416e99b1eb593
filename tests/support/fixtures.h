// Small helpers the suites share: a handle that closes itself, status assertions that print
// status names and the library's error message, and a temporary directory for files.
#pragma once

#include <shmlink/shmlink.h>

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace shmlink_test {

// Owns one shmlink handle of any kind and closes it at the end of the scope.
class Handle {
 public:
  Handle() = default;
  explicit Handle(shmlink_handle handle) : handle_(handle) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : handle_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = other.release();
    }
    return *this;
  }

  shmlink_handle get() const { return handle_; }
  // For an out_* argument: closes what is held first.
  shmlink_handle* out() {
    reset();
    return &handle_;
  }
  shmlink_handle release() {
    const shmlink_handle handle = handle_;
    handle_ = 0;
    return handle;
  }
  // Closes the handle and says how that went.
  shmlink_status close() {
    const shmlink_status status = shmlink_close(handle_);
    handle_ = 0;
    return status;
  }
  void reset() {
    if (handle_ != 0) shmlink_close(handle_);
    handle_ = 0;
  }

 private:
  shmlink_handle handle_ = 0;
};

// A view handle and the address shmlink_map gave for it.
struct View {
  Handle handle;
  void* address = nullptr;
  char* bytes() const { return static_cast<char*>(address); }
};

// shmlink_map into `view`.
inline shmlink_status map_view(shmlink_handle segment, uint64_t offset, uint64_t length, uint32_t access,
                               View& view) {
  return shmlink_map(segment, offset, length, access, view.handle.out(), &view.address);
}

// "SHMLINK_ERR_NOT_FOUND (-3)".
std::string describe_status(shmlink_status status);

// Runs body(0) .. body(threads - 1) on as many threads, released together so that their calls
// race as closely as possible, and returns when all have ended.
void run_together(int threads, const std::function<void(int)>& body);

// Runs `body` on a new thread and returns once the thread has ended for the kernel too: what
// a mutex owner's death depends on. (Under user-mode emulation, qemu tells the joiner that a
// thread has ended before the thread's host thread is gone; natively the join suffices.)
void run_on_a_thread_that_ends(const std::function<void()>& body);

testing::AssertionResult status_equal(const char* expected_text, const char* actual_text, shmlink_status expected,
                                      shmlink_status actual);

// EXPECT_STATUS(SHMLINK_OK, shmlink_segment_create(...)): on a mismatch, prints both status
// names and the library's last error message.
#define EXPECT_STATUS(expected, call) EXPECT_PRED_FORMAT2(::shmlink_test::status_equal, expected, call)
#define ASSERT_STATUS(expected, call) ASSERT_PRED_FORMAT2(::shmlink_test::status_equal, expected, call)

// The OS's description of an errno / GetLastError() value (on Windows without the line
// break and the final period FormatMessage adds).
std::string os_error_text(int32_t error);

// A fresh directory under the system's temporary directory, removed with everything in it
// at the end of the scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The UTF-8 path of `file_name` inside the directory.
  std::string path(const std::string& file_name) const;

 private:
  std::string directory_;
};

// Whole-file helpers through stdio, independent of the library.
bool write_file(const std::string& path, const std::string& contents);
std::string read_file(const std::string& path);  // "" if it cannot be read
bool file_exists(const std::string& path);
uint64_t file_size(const std::string& path);  // 0 if missing

}  // namespace shmlink_test
