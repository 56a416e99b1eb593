#ifndef _WIN32

#include "forked_child.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>

namespace shmlink_test {

ForkedChild::ForkedChild(const std::function<int(ForkedChild& parent)>& body, Exit how) {
  int ends[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    close(ends[0]);
    socket_ = ends[1];
    const int code = body(*this);
    if (how == Exit::Normally) std::exit(code);
    _exit(code);
  }
  close(ends[1]);
  socket_ = ends[0];
}

ForkedChild::~ForkedChild() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (socket_ >= 0) close(socket_);
}

bool ForkedChild::say(char byte) { return send(socket_, &byte, 1, MSG_NOSIGNAL) == 1; }

bool ForkedChild::heard(char expected) {
  pollfd entry{socket_, POLLIN, 0};
  int ready;
  do {
    ready = poll(&entry, 1, kForkedChildTimeoutMs);
  } while (ready < 0 && errno == EINTR);
  char byte = 0;
  return ready == 1 && recv(socket_, &byte, 1, 0) == 1 && byte == expected;
}

int ForkedChild::wait() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kForkedChildTimeoutMs);
  int status = 0;
  for (;;) {
    const pid_t result = waitpid(pid_, &status, WNOHANG);
    if (result == pid_) break;
    if (result < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  reaped_ = true;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

}  // namespace shmlink_test

#endif  // _WIN32
