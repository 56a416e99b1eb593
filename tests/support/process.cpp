#include "support/process.h"

#include <stdexcept>

#ifdef _WIN32
#  ifndef WIN32_LEAN_AND_MEAN
#    define WIN32_LEAN_AND_MEAN
#  endif
#  include <windows.h>
#else
#  include <fcntl.h>
#  include <signal.h>
#  include <spawn.h>
#  include <sys/wait.h>
#  include <unistd.h>

#  include <cerrno>
#  include <climits>
#  include <cstdlib>
#  include <cstring>

extern char** environ;
#endif

namespace shmlink_test {

#ifdef _WIN32

namespace {

std::wstring widen(const std::string& text) {
  if (text.empty()) return {};
  const int length = MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
  std::wstring wide(static_cast<size_t>(length), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), wide.data(), length);
  return wide;
}

std::string narrow(const std::wstring& wide) {
  if (wide.empty()) return {};
  const int length =
      WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()), nullptr, 0, nullptr, nullptr);
  std::string text(static_cast<size_t>(length), '\0');
  WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()), text.data(), length, nullptr, nullptr);
  return text;
}

// One argument quoted the way the C runtime's command-line parser splits it again.
void append_quoted(std::wstring& command_line, const std::wstring& argument) {
  if (!command_line.empty()) command_line += L' ';
  if (!argument.empty() && argument.find_first_of(L" \t\n\v\"") == std::wstring::npos) {
    command_line += argument;
    return;
  }
  command_line += L'"';
  size_t backslashes = 0;
  for (const wchar_t c : argument) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    if (c == L'"') backslashes = backslashes * 2 + 1;  // escape them and the quote
    command_line.append(backslashes, L'\\');
    backslashes = 0;
    command_line += c;
  }
  command_line.append(backslashes * 2, L'\\');  // before the closing quote
  command_line += L'"';
}

[[noreturn]] void throw_last_error(const std::string& what) {
  throw std::runtime_error(what + " failed: Windows error " + std::to_string(GetLastError()));
}

// Inheritable pipe ends exist only while this is held, so that no other process started
// meanwhile (by another thread) inherits them and keeps a pipe open.
std::mutex& spawn_mutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace

struct Process::Os {
  HANDLE process = nullptr;
  HANDLE stdin_write = nullptr;
  HANDLE stdout_read = nullptr;
};

const std::string& bin_directory() {
  static const std::string directory = [] {
    std::wstring path(32768, L'\0');
    const DWORD length = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
    path.resize(length);
    return narrow(path.substr(0, path.find_last_of(L"\\/") + 1));
  }();
  return directory;
}

std::string program_path(const std::string& name) { return bin_directory() + name + ".exe"; }

uint32_t current_process_id() { return GetCurrentProcessId(); }

namespace {

std::string environment_variable(const wchar_t* name) {
  const DWORD length = GetEnvironmentVariableW(name, nullptr, 0);
  if (length == 0) return {};
  std::wstring value(length, L'\0');
  value.resize(GetEnvironmentVariableW(name, value.data(), length));
  return narrow(value);
}

}  // namespace

const std::string& peer_directory() {
  static const std::string directory = [] {
    std::string folder = environment_variable(L"SHMLINK_PEER_DIR");
    if (folder.empty()) return bin_directory();
    if (folder.back() != '\\' && folder.back() != '/') folder += '\\';
    return folder;
  }();
  return directory;
}

ProgramFile peer_program() { return {peer_directory() + "shmlink_peer.exe"}; }

Process::Process(const ProgramFile& program_file, const std::vector<std::string>& arguments,
                 const std::optional<std::string>& stdin_text)
    : os_(std::make_unique<Os>()) {
  const std::wstring program = widen(program_file.path);
  std::wstring command_line;
  append_quoted(command_line, program);
  for (const std::string& argument : arguments) append_quoted(command_line, widen(argument));

  {
    std::lock_guard<std::mutex> lock(spawn_mutex());
    SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    HANDLE stdin_read = nullptr;
    HANDLE stdout_write = nullptr;
    if (!CreatePipe(&stdin_read, &os_->stdin_write, &inheritable, 0)) throw_last_error("CreatePipe");
    if (!CreatePipe(&os_->stdout_read, &stdout_write, &inheritable, 0)) {
      CloseHandle(stdin_read);
      CloseHandle(os_->stdin_write);
      throw_last_error("CreatePipe");
    }
    SetHandleInformation(os_->stdin_write, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(os_->stdout_read, HANDLE_FLAG_INHERIT, 0);

    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = stdin_read;
    startup.hStdOutput = stdout_write;
    startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    PROCESS_INFORMATION info{};
    BOOL started = FALSE;
    DWORD error = ERROR_SUCCESS;
    // Wine's CreateProcessW now and then fails with ERROR_INTERNAL_ERROR on a heavily loaded
    // machine (seen at a load average of ~280); the same call a moment later succeeds.
    for (int attempt = 0; attempt < 3; ++attempt) {
      started = CreateProcessW(program.c_str(), command_line.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr,
                               &startup, &info);
      error = GetLastError();
      if (started || error != ERROR_INTERNAL_ERROR) break;
      Sleep(100);
    }
    CloseHandle(stdin_read);
    CloseHandle(stdout_write);
    if (!started) {
      CloseHandle(os_->stdin_write);
      CloseHandle(os_->stdout_read);
      SetLastError(error);
      throw_last_error("CreateProcessW " + program_file.path);
    }
    CloseHandle(info.hThread);
    os_->process = info.hProcess;
  }
  reader_ = std::thread([this] { read_output(); });
  if (stdin_text) {
    write_stdin(*stdin_text);
    close_stdin();
  }
}

bool Process::write_stdin(const std::string& text) {
  if (os_->stdin_write == nullptr) return false;
  DWORD written = 0;
  return WriteFile(os_->stdin_write, text.data(), static_cast<DWORD>(text.size()), &written, nullptr) &&
         written == text.size();
}

void Process::read_output() {
  char buffer[4096];
  for (;;) {
    DWORD got = 0;
    if (!ReadFile(os_->stdout_read, buffer, sizeof buffer, &got, nullptr) || got == 0) break;
    std::lock_guard<std::mutex> lock(mutex_);
    output_.append(buffer, got);
    output_changed_.notify_all();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  output_ended_ = true;
  output_changed_.notify_all();
}

void Process::close_stdin() {
  if (os_->stdin_write != nullptr) {
    CloseHandle(os_->stdin_write);
    os_->stdin_write = nullptr;
  }
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  if (WaitForSingleObject(os_->process, static_cast<DWORD>(timeout.count())) != WAIT_OBJECT_0) return std::nullopt;
  DWORD code = 0;
  GetExitCodeProcess(os_->process, &code);
  exit_code_ = static_cast<int>(code);
  return exit_code_;
}

void Process::kill() {
  if (!exit_code_) TerminateProcess(os_->process, 137);
}

Process::~Process() {
  close_stdin();
  if (!wait()) {
    kill();
    wait();
  }
  if (reader_.joinable()) reader_.join();
  CloseHandle(os_->stdout_read);
  CloseHandle(os_->process);
}

#else  // POSIX

namespace {

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::runtime_error(what + " failed: " + std::strerror(error));
}

}  // namespace

struct Process::Os {
  pid_t pid = -1;
  int stdin_write = -1;
  int stdout_read = -1;
};

const std::string& bin_directory() {
  static const std::string directory = [] {
    char path[PATH_MAX];
    const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
    if (length <= 0) return std::string("./");
    const std::string self(path, static_cast<size_t>(length));
    return self.substr(0, self.rfind('/') + 1);
  }();
  return directory;
}

std::string program_path(const std::string& name) { return name.rfind('/', 0) == 0 ? name : bin_directory() + name; }

uint32_t current_process_id() { return static_cast<uint32_t>(getpid()); }

const std::string& peer_directory() {
  static const std::string directory = [] {
    const char* value = std::getenv("SHMLINK_PEER_DIR");
    if (value == nullptr || *value == '\0') return bin_directory();
    std::string folder(value);
    if (folder.back() != '/') folder += '/';
    return folder;
  }();
  return directory;
}

ProgramFile peer_program() { return {peer_directory() + "shmlink_peer"}; }

Process::Process(const ProgramFile& program, const std::vector<std::string>& arguments,
                 const std::optional<std::string>& stdin_text)
    : os_(std::make_unique<Os>()) {
  // A program that exits before reading its stdin must fail our write, not kill the test.
  static const bool sigpipe_ignored = [] { return signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
  (void)sigpipe_ignored;

  const std::string& path = program.path;
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);

  // O_CLOEXEC: no other program started meanwhile inherits these; dup2 onto 0 and 1 in the
  // child clears the flag there.
  int stdin_pipe[2];
  int stdout_pipe[2];
  if (pipe2(stdin_pipe, O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
  if (pipe2(stdout_pipe, O_CLOEXEC) != 0) {
    const int error = errno;
    close(stdin_pipe[0]);
    close(stdin_pipe[1]);
    throw_errno(error, "pipe2");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, stdout_pipe[1], STDOUT_FILENO);
  const int error = posix_spawn(&os_->pid, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(stdin_pipe[0]);
  close(stdout_pipe[1]);
  if (error != 0) {
    close(stdin_pipe[1]);
    close(stdout_pipe[0]);
    throw_errno(error, "posix_spawn " + path);
  }
  os_->stdin_write = stdin_pipe[1];
  os_->stdout_read = stdout_pipe[0];
  reader_ = std::thread([this] { read_output(); });
  if (stdin_text) {
    write_stdin(*stdin_text);  // if the program is gone, it reads what it reads
    close_stdin();
  }
}

bool Process::write_stdin(const std::string& text) {
  if (os_->stdin_write < 0) return false;
  const char* data = text.data();
  size_t left = text.size();
  while (left > 0) {
    const ssize_t written = write(os_->stdin_write, data, left);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data += written;
    left -= static_cast<size_t>(written);
  }
  return true;
}

void Process::read_output() {
  char buffer[4096];
  for (;;) {
    const ssize_t got = read(os_->stdout_read, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    std::lock_guard<std::mutex> lock(mutex_);
    output_.append(buffer, static_cast<size_t>(got));
    output_changed_.notify_all();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  output_ended_ = true;
  output_changed_.notify_all();
}

void Process::close_stdin() {
  if (os_->stdin_write >= 0) {
    close(os_->stdin_write);
    os_->stdin_write = -1;
  }
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t result = waitpid(os_->pid, &status, WNOHANG);
    if (result == os_->pid) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (result < 0 && errno != EINTR) {
      exit_code_ = -1;  // not our child any more: nothing left to wait for
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    // Polling: there is no portable way to wait for one child with a timeout.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void Process::resume() {
  if (!exit_code_) ::kill(os_->pid, SIGCONT);
}

void Process::kill() {
  if (!exit_code_) ::kill(os_->pid, SIGKILL);  // not reaped yet, so the pid is still ours
}

int Process::pid() const { return os_->pid; }

Process::~Process() {
  close_stdin();
  if (!wait()) {
    kill();
    wait();
  }
  if (reader_.joinable()) reader_.join();
  close(os_->stdout_read);
}

#endif

std::optional<std::string> Process::read_line(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  size_t end = std::string::npos;
  output_changed_.wait_for(lock, timeout, [&] {
    end = output_.find('\n');
    return end != std::string::npos || output_ended_;
  });
  if (end == std::string::npos) return std::nullopt;
  std::string line = output_.substr(0, end);
  output_.erase(0, end + 1);
  if (!line.empty() && line.back() == '\r') line.pop_back();  // text-mode stdout on Windows
  return line;
}

std::string Process::read_all(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  output_changed_.wait_for(lock, timeout, [&] { return output_ended_; });
  std::string all;
  all.swap(output_);
  return all;
}

}  // namespace shmlink_test
