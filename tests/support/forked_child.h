// A child process made with fork() for Linux-only tests that need the child to go on with
// what the test process holds (inherited handles, views, memory). The test process must be
// single-threaded when it forks for the child to call the library (GoogleTest runs tests on
// the main thread; the test must not have started threads of its own).
#pragma once

#ifndef _WIN32

#include <sys/types.h>

#include <functional>

namespace shmlink_test {

// How long either side waits for the other before it counts as a failure.
inline constexpr int kForkedChildTimeoutMs = 20000;

// Runs `body` in a child of fork(), which exits with what it returns. The two processes talk
// in single bytes over a socket pair (a closed peer is an error, never a SIGPIPE); every wait
// is bounded, and a child still running when this object ends is killed.
class ForkedChild {
 public:
  enum class Exit {
    Immediately,  // _exit: nothing of the library runs at exit (as when a process is killed)
    Normally      // exit(): the library's exit-time cleanup runs in the child
  };

  ForkedChild(const std::function<int(ForkedChild& parent)>& body, Exit how);
  ~ForkedChild();
  ForkedChild(const ForkedChild&) = delete;
  ForkedChild& operator=(const ForkedChild&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Either side: sends one byte to the other.
  bool say(char byte);
  // Either side: whether the other side sent `expected` next, within kForkedChildTimeoutMs.
  bool heard(char expected);

  // The parent: the child's exit status, or 128 + the signal that ended it; -1 if it had not
  // ended within kForkedChildTimeoutMs (it is killed then).
  int wait();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int socket_ = -1;
};

}  // namespace shmlink_test

#endif  // _WIN32
