// Starting other programs from a test: the peer helper for multi-process tests, and the
// example programs. posix_spawn on Linux, CreateProcessW on Windows (so the same tests run
// under Wine); never fork. Every wait is bounded, so a test fails instead of hanging.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace shmlink_test {

// Long enough for a loaded machine under ASan; a wait that runs out of it is a failure.
inline constexpr std::chrono::milliseconds kProcessTimeout{20000};

// The directory of the running test executable (the build's bin directory), with a trailing
// separator.
const std::string& bin_directory();

// `name` in bin_directory(), with ".exe" appended on Windows; on Linux an absolute path
// names the program itself (a peer of another build, such as the other width's).
std::string program_path(const std::string& name);

// The folder start_peer() takes shmlink_peer from, with a trailing separator: the one in the
// environment variable SHMLINK_PEER_DIR if it is set (the interop tests point it at a build of
// the other bitness; on Windows a Windows path, under Wine `Z:\...`), else bin_directory().
const std::string& peer_directory();

// The full path of a program to start.
struct ProgramFile {
  std::string path;
};

uint32_t current_process_id();

class Process {
 public:
  // Starts the program `name` of bin_directory() with `arguments`. Its stdout comes back
  // through a pipe (read_line, read_all); its stderr is the test's own. With `stdin_text`,
  // that text (small: it must fit in a pipe buffer) is written to the program's stdin,
  // which is then closed; without it stdin stays open until close_stdin() or the end of
  // this object, which is how a peer is told to let go of what it holds.
  // Throws std::runtime_error if the program cannot be started.
  Process(const std::string& name, const std::vector<std::string>& arguments,
          const std::optional<std::string>& stdin_text = std::nullopt)
      : Process(ProgramFile{program_path(name)}, arguments, stdin_text) {}
  // The same for the program at a full path.
  Process(const ProgramFile& program, const std::vector<std::string>& arguments,
          const std::optional<std::string>& stdin_text = std::nullopt);

  // Closes stdin and waits for the program to exit; kills it if it does not in time.
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // The next line of output without its line ending, or nullopt if the output ended or
  // nothing came within `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = kProcessTimeout);

  // Everything not read yet, up to the end of the output or until `timeout` runs out.
  std::string read_all(std::chrono::milliseconds timeout = kProcessTimeout);

  // Writes `text` to the program's stdin (which stays open). Returns false if it could not
  // all be written: stdin was closed, or the program has gone.
  bool write_stdin(const std::string& text);

  void close_stdin();

  // The exit code (128 + the signal on Linux if a signal ended it), or nullopt if it is still
  // running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout = kProcessTimeout);

  // Ends the program at once (SIGKILL / TerminateProcess), without giving it a chance to
  // clean up; wait() then reports how it ended.
  void kill();

#ifndef _WIN32
  // Lets a stopped program (SIGSTOP) go on: SIGCONT.
  void resume();
  // The program's process id (for tests that stop or trace it).
  int pid() const;
#endif

 private:
  struct Os;  // pid or process handle, pipe ends

  void read_output();  // the reader thread: stdout into output_

  std::unique_ptr<Os> os_;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable output_changed_;
  std::string output_;  // read but not yet handed out
  bool output_ended_ = false;
  std::optional<int> exit_code_;
};

// The peer helper (tests/peer) of peer_directory(): every test starts its peers from there.
ProgramFile peer_program();

// The peer helper with `arguments`.
inline std::unique_ptr<Process> start_peer(const std::vector<std::string>& arguments) {
  return std::make_unique<Process>(peer_program(), arguments);
}

}  // namespace shmlink_test
