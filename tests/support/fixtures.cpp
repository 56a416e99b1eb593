#include "support/fixtures.h"

#include "support/names.h"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>
#include <vector>

#ifndef _WIN32
#  include <sys/syscall.h>
#  include <unistd.h>
#  include <cerrno>
#  include <chrono>
#endif
#ifdef _WIN32
#  ifndef WIN32_LEAN_AND_MEAN
#    define WIN32_LEAN_AND_MEAN
#  endif
#  include <windows.h>
#endif

namespace shmlink_test {
namespace fs = std::filesystem;

std::string describe_status(shmlink_status status) {
  return std::string(shmlink_status_name(status)) + " (" + std::to_string(status) + ")";
}

testing::AssertionResult status_equal(const char* expected_text, const char* actual_text, shmlink_status expected,
                                      shmlink_status actual) {
  if (expected == actual) return testing::AssertionSuccess();
  testing::AssertionResult result = testing::AssertionFailure();
  result << actual_text << "\n  returned " << describe_status(actual) << "\n  expected " << expected_text << " = "
         << describe_status(expected);
  if (SHMLINK_FAILED(actual)) result << "\n  last error: " << shmlink_last_error_message();
  return result;
}

std::string os_error_text(int32_t error) {
#ifdef _WIN32
  wchar_t* text = nullptr;
  const DWORD length = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
      static_cast<DWORD>(error), 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::wstring wide(text != nullptr ? text : L"", length);
  LocalFree(text);
  while (!wide.empty() && (wide.back() == L'\n' || wide.back() == L'\r' || wide.back() == L' ' || wide.back() == L'.'))
    wide.pop_back();
  if (wide.empty()) return {};
  const int bytes =
      WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()), nullptr, 0, nullptr, nullptr);
  std::string narrow(static_cast<size_t>(bytes), '\0');
  WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()), narrow.data(), bytes, nullptr, nullptr);
  return narrow;
#else
  return std::strerror(error);
#endif
}

TempDir::TempDir() {
  const fs::path directory = fs::temp_directory_path() / ("shmlink-test-" + unique_name());
  fs::create_directories(directory);
  directory_ = directory.u8string();
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(fs::u8path(directory_), ignored);
}

std::string TempDir::path(const std::string& file_name) const {
  return (fs::u8path(directory_) / fs::u8path(file_name)).u8string();
}

namespace {

std::FILE* open_file(const std::string& path, const char* mode) {
#ifdef _WIN32
  const fs::path wide = fs::u8path(path);
  const std::wstring wide_mode(mode, mode + std::strlen(mode));
  return _wfopen(wide.c_str(), wide_mode.c_str());
#else
  return std::fopen(path.c_str(), mode);
#endif
}

}  // namespace

bool write_file(const std::string& path, const std::string& contents) {
  std::FILE* file = open_file(path, "wb");
  if (file == nullptr) return false;
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  return std::fclose(file) == 0 && written;
}

std::string read_file(const std::string& path) {
  std::FILE* file = open_file(path, "rb");
  if (file == nullptr) return {};
  std::string contents;
  char buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) contents.append(buffer, got);
  std::fclose(file);
  return contents;
}

bool file_exists(const std::string& path) {
  std::error_code ignored;
  return fs::exists(fs::u8path(path), ignored);
}

uint64_t file_size(const std::string& path) {
  std::error_code error;
  const auto size = fs::file_size(fs::u8path(path), error);
  return error ? 0 : static_cast<uint64_t>(size);
}

void run_together(int threads, const std::function<void(int)>& body) {
  std::atomic<int> ready{0};
  std::vector<std::thread> running;
  running.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < threads) std::this_thread::yield();
      body(t);
    });
  }
  for (std::thread& thread : running) thread.join();
}

void run_on_a_thread_that_ends(const std::function<void()>& body) {
#ifdef _WIN32
  std::thread(body).join();
#else
  std::atomic<long> thread_id{0};
  std::thread([&] {
    thread_id = syscall(SYS_gettid);
    body();
  }).join();
  const pid_t process = getpid();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (syscall(SYS_tgkill, process, thread_id.load(), 0) == 0 || errno != ESRCH) {
    ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "thread " << thread_id << " still exists 10 s after its join";
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
#endif
}

}  // namespace shmlink_test
