#include "reliability/two_users.h"

#include <shmlink/shmlink.h>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>
#include <vector>

namespace shmlink_test {
namespace {

namespace fs = std::filesystem;

// How long the test waits for a child's answer: long enough for a loaded machine under ASan.
constexpr auto kAnswerTimeout = std::chrono::seconds(20);
constexpr char kUserPrefixA[] = "shmlink-a-";
constexpr char kUserPrefixB[] = "shmlink-b-";
constexpr char kScratchPrefix[] = "/tmp/shmlink-users-";

struct State {
  bool ready = false;
  std::string reason = "the two-user environment was not set up";
  TestUser a;
  TestUser b;
  std::string scratch;  // /tmp/shmlink-users-<pid>
  bool cleaned = false;
};

State& state() {
  static State instance;
  return instance;
}

// Runs a program (useradd, userdel) without a shell and returns its exit status (-1 if it did
// not exit normally). Its output goes to the test's stderr.
int run_program(const std::vector<std::string>& arguments) {
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    std::vector<char*> argv;
    for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    const int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0) dup2(null_fd, STDOUT_FILENO);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// useradd and userdel refuse to run while another of them holds /etc/passwd's lock (tests of
// other programs may add users at the same time): a few tries, a little apart.
bool run_with_retries(const std::vector<std::string>& arguments, int success_alternative = -2) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const int status = run_program(arguments);
    if (status == 0 || status == success_alternative) return true;
    if (status == 127) return false;  // no such program
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + 50 * attempt));
  }
  return false;
}

// Everything `uid` owns at the top of /dev/shm, and everything named for it there, with what
// is inside.
void remove_dev_shm_entries_of(uid_t uid) {
  const std::string named_for = "shmlink." + std::to_string(uid);
  const std::string named_for_slot = named_for + ".";
  std::vector<std::string> doomed;
  if (DIR* directory = opendir("/dev/shm")) {
    while (const dirent* entry = readdir(directory)) {
      const std::string file = entry->d_name;
      if (file == "." || file == "..") continue;
      struct stat status {};
      if (fstatat(dirfd(directory), entry->d_name, &status, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (status.st_uid == uid || file == named_for ||
          file.compare(0, named_for_slot.size(), named_for_slot) == 0)
        doomed.push_back("/dev/shm/" + file);
    }
    closedir(directory);
  }
  for (const std::string& path : doomed) {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
}

void remove_user(const std::string& name) {
  if (const passwd* entry = getpwnam(name.c_str())) remove_dev_shm_entries_of(entry->pw_uid);
  // 6: no such user (already gone).
  if (!run_with_retries({"userdel", name}, 6)) std::fprintf(stderr, "two_users: could not remove user %s\n", name.c_str());
}

// Users and scratch directories of earlier runs that were killed before they could clean up
// (the pid in their name is no process any more).
void remove_users_of_dead_runs() {
  std::vector<std::string> stale;
  setpwent();
  while (const passwd* entry = getpwent()) {
    const std::string name = entry->pw_name;
    for (const char* prefix : {kUserPrefixA, kUserPrefixB}) {
      const size_t length = std::strlen(prefix);
      if (name.compare(0, length, prefix) != 0) continue;
      char* end = nullptr;
      const long pid = std::strtol(name.c_str() + length, &end, 10);
      if (*end == '\0' && pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
        stale.push_back(name);
        std::error_code ignored;
        fs::remove_all(kScratchPrefix + std::to_string(pid), ignored);
      }
    }
  }
  endpwent();
  for (const std::string& name : stale) remove_user(name);
}

bool make_user(const std::string& name, const std::string& home, TestUser& user, std::string& reason) {
  if (!run_with_retries({"useradd", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", "--comment",
                         "shmlink two-user test (removed at its end)", name})) {
    reason = "useradd " + name + " failed (or useradd is missing: install the passwd package)";
    return false;
  }
  const passwd* entry = getpwnam(name.c_str());
  if (entry == nullptr) {
    reason = "useradd " + name + " succeeded but getpwnam does not find the user";
    return false;
  }
  user.name = name;
  user.uid = entry->pw_uid;
  user.gid = entry->pw_gid;
  user.home = home;
  if (user.uid == 0) {
    reason = name + " got user id 0";
    return false;
  }
  if (mkdir(home.c_str(), 0755) != 0 || chown(home.c_str(), user.uid, user.gid) != 0 || chmod(home.c_str(), 0755) != 0) {
    reason = "cannot make " + home + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

void clean_up() {
  State& s = state();
  if (s.cleaned) return;
  s.cleaned = true;
  if (!s.a.name.empty()) remove_user(s.a.name);
  if (!s.b.name.empty()) remove_user(s.b.name);
  if (!s.scratch.empty()) {
    std::error_code ignored;
    fs::remove_all(s.scratch, ignored);
  }
  s.ready = false;
}

class TwoUsersEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    State& s = state();
    if (geteuid() != 0) {
      s.reason = "the two-user tests create two throwaway users with useradd, which needs root; this runs as uid " +
                 std::to_string(geteuid());
      return;
    }
    remove_users_of_dead_runs();
    const std::string pid = std::to_string(getpid());
    s.scratch = kScratchPrefix + pid;
    std::error_code ignored;
    fs::remove_all(s.scratch, ignored);
    if (mkdir(s.scratch.c_str(), 0755) != 0 || chmod(s.scratch.c_str(), 0755) != 0) {
      s.reason = "cannot make " + s.scratch + ": " + std::strerror(errno);
      s.scratch.clear();
      return;
    }
    std::atexit(clean_up);  // also when the program exits before TearDown
    // Users of an earlier run that had this very pid and was killed.
    remove_user(kUserPrefixA + pid);
    remove_user(kUserPrefixB + pid);
    if (!make_user(kUserPrefixA + pid, s.scratch + "/a", s.a, s.reason) ||
        !make_user(kUserPrefixB + pid, s.scratch + "/b", s.b, s.reason)) {
      clean_up();
      return;
    }
    s.ready = true;
  }
  void TearDown() override {
    if (!state().ready) std::printf("two-user tests not run: %s\n", state().reason.c_str());
    clean_up();
  }
};

testing::Environment* const two_users_environment = testing::AddGlobalTestEnvironment(new TwoUsersEnvironment);

// In the child: becomes `user` for good, or exits.
void become(const TestUser& user) {
  if (setgroups(1, &user.gid) != 0 || setresgid(user.gid, user.gid, user.gid) != 0 ||
      setresuid(user.uid, user.uid, user.uid) != 0) {
    std::fprintf(stderr, "two_users: cannot become %s: %s\n", user.name.c_str(), std::strerror(errno));
    _exit(120);
  }
  if (geteuid() != user.uid || getegid() != user.gid || setuid(0) == 0) {
    std::fprintf(stderr, "two_users: still privileged after becoming %s\n", user.name.c_str());
    _exit(121);
  }
  umask(022);  // the usual one; a test that wants another sets it
  if (chdir(user.home.c_str()) != 0) _exit(122);
}

// The test's ends of the pipes to every child still running: a new child closes them, so that
// closing one child's input reaches it as the end of input whatever other children exist.
std::vector<int>& test_side_pipe_ends() {
  static std::vector<int> ends;
  return ends;
}

void forget_pipe_end(int fd) {
  std::vector<int>& ends = test_side_pipe_ends();
  for (size_t i = 0; i < ends.size(); ++i) {
    if (ends[i] == fd) {
      ends.erase(ends.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
}

bool write_whole(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t written = write(fd, text.data() + done, text.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    done += static_cast<size_t>(written);
  }
  return true;
}

}  // namespace

bool two_users_ready() { return state().ready; }
const std::string& two_users_unavailable_reason() { return state().reason; }
const TestUser& user_a() { return state().a; }
const TestUser& user_b() { return state().b; }

void remove_users_dev_shm_entries() {
  if (!two_users_ready()) return;
  remove_dev_shm_entries_of(user_a().uid);
  remove_dev_shm_entries_of(user_b().uid);
}

UserProcess::UserProcess(const TestUser& user, const std::function<void(UserProcess& child)>& body) {
  int to_child[2];
  int from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  if (pipe2(from_child, O_CLOEXEC) != 0) {
    close(to_child[0]);
    close(to_child[1]);
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  const pid_t parent = getpid();
  std::fflush(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid_ == 0) {
    // Never outlive the test, even if it is killed.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(123);
    close(to_child[1]);
    close(from_child[0]);
    for (const int fd : test_side_pipe_ends()) close(fd);
    read_fd_ = to_child[0];
    write_fd_ = from_child[1];
    become(user);
    try {
      body(*this);
    } catch (const std::exception& error) {
      say(std::string("exception: ") + error.what());
    }
    // _exit: the test program's static destructors and gtest's reporting belong to the test.
    _exit(0);
  }
  close(to_child[0]);
  close(from_child[1]);
  write_fd_ = to_child[1];
  read_fd_ = from_child[0];
  test_side_pipe_ends().push_back(write_fd_);
  test_side_pipe_ends().push_back(read_fd_);
}

UserProcess::~UserProcess() { finish(); }

void UserProcess::say(const std::string& line) {
  if (write_fd_ >= 0) write_whole(write_fd_, line + "\n");
}

std::string UserProcess::hear() {
  const auto deadline = std::chrono::steady_clock::now() + kAnswerTimeout;
  for (;;) {
    const size_t end = buffered_.find('\n');
    if (end != std::string::npos) {
      std::string line = buffered_.substr(0, end);
      buffered_.erase(0, end + 1);
      return line;
    }
    if (read_fd_ < 0) return "";
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "";
    pollfd readable{read_fd_, POLLIN, 0};
    const int ready = poll(&readable, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return "";
    char chunk[4096];
    const ssize_t got = read(read_fd_, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return "";
    buffered_.append(chunk, static_cast<size_t>(got));
  }
}

int UserProcess::finish() {
  if (pid_ <= 0) return -1;
  if (write_fd_ >= 0) {
    forget_pipe_end(write_fd_);
    close(write_fd_);
  }
  write_fd_ = -1;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + kAnswerTimeout;
  bool killed = false;
  for (;;) {
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) break;
    if (!killed && std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (read_fd_ >= 0) {
    forget_pipe_end(read_fd_);
    close(read_fd_);
  }
  read_fd_ = -1;
  pid_ = -1;
  if (killed || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

std::string run_as(const TestUser& user, const std::function<std::string()>& step) {
  UserProcess child(user, [&](UserProcess& self) {
    std::string answer = step();
    for (char& c : answer)
      if (c == '\n') c = ' ';
    self.say(answer);
  });
  const std::string answer = child.hear();
  const int status = child.finish();
  if (answer.empty()) return "child ended without an answer (exit status " + std::to_string(status) + ")";
  return answer;
}

std::string status_text(int status) {
  std::string text = shmlink_status_name(status);
  if (SHMLINK_FAILED(status)) text += std::string(": ") + shmlink_last_error_message();
  return text;
}

std::string first_word(const std::string& text) { return text.substr(0, text.find_first_of(": ")); }

}  // namespace shmlink_test
