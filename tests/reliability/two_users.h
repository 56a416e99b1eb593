// Two throwaway users for tests of what one user can do to another (Linux, run as root).
//
// The environment creates the users `shmlink-a-<pid>` and `shmlink-b-<pid>` with useradd when
// the test program starts, each with a directory of its own under a scratch directory, and
// removes them (userdel), their scratch directory and everything they own in /dev/shm when it
// ends. Users left by a run that was killed are removed by the next run (their pid is gone).
// Run as any user but root it creates nothing: every test skips with the reason printed.
//
// Each step of a test runs in a forked child that is the user and nothing more: no
// supplementary groups, real, effective and saved ids all the user's (root would bypass the
// very permissions under test). A child reports back in lines through a pipe; every wait for
// it is bounded, and a child that does not answer in time is killed.
#pragma once

#include <gtest/gtest.h>

#include <sys/types.h>

#include <functional>
#include <string>

namespace shmlink_test {

struct TestUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  // A directory of the user's own (mode 0755) for its files: /tmp/shmlink-users-<pid>/a or /b,
  // so that the same file name has a path of the same length for both users.
  std::string home;
};

// Whether the users exist; if not, why not.
bool two_users_ready();
const std::string& two_users_unavailable_reason();

#define REQUIRE_TWO_USERS()                                                                              \
  if (!::shmlink_test::two_users_ready()) GTEST_SKIP() << ::shmlink_test::two_users_unavailable_reason(); \
  static_assert(true, "")

const TestUser& user_a();
const TestUser& user_b();

// Removes everything the two users own at the top of /dev/shm (objects, directories, squats),
// for a test that needs a clean start. Only call it while no child of theirs runs.
void remove_users_dev_shm_entries();

// A forked child that is `user`, running `body`, and the test's side of the pipes to it.
// The child and the test talk in lines: each side's say() is the other side's hear().
class UserProcess {
 public:
  UserProcess(const TestUser& user, const std::function<void(UserProcess& child)>& body);
  // Ends the child: closes its input (hear() returns "" there), waits a bounded time, then
  // kills it.
  ~UserProcess();
  UserProcess(const UserProcess&) = delete;
  UserProcess& operator=(const UserProcess&) = delete;

  void say(const std::string& line);
  // The next line, without its newline; "" at the end of input or after kTimeout (in the test:
  // the child died or hangs).
  std::string hear();
  // Closes the child's input and waits for it to exit: its exit status, or -1 if it had to be
  // killed.
  int finish();

 private:
  pid_t pid_ = -1;
  int read_fd_ = -1;
  int write_fd_ = -1;
  std::string buffered_;
};

// Runs `step` in a child as `user` and returns what it returned, or a description of how the
// child failed ("child ended without an answer", ...).
std::string run_as(const TestUser& user, const std::function<std::string()>& step);

// "SHMLINK_OK", "SHMLINK_ERR_ACCESS_DENIED: <the library's message>", ...: the status's name,
// and for a failure this thread's last error message.
std::string status_text(int status);

// The text up to the first ':' or space ("SHMLINK_ERR_ACCESS_DENIED" of the above).
std::string first_word(const std::string& text);

}  // namespace shmlink_test
