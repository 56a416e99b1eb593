// shmlink_sync_step_peer (Linux): a peer with a copy of the library of its own, compiled with
// SHMLINK_SYNC_STEPS (tests/reliability/CMakeLists.txt), so that it stops itself (SIGSTOP) at
// a named instant inside a signal, semaphore, mutex or wait (dll/posix/sync_steps.h) and the
// test can kill it there (SIGKILL) or let it go on (SIGCONT). The objects are the library's
// own: the copy shares them with the real library of the test and the other peers.
//
//   shmlink_sync_step_peer STEP mutex-lock NAME
//       opens mutex NAME, prints "ready", locks it (no time limit), prints "locked STATUS",
//       holds it until stdin closes, unlocks it and prints "unlocked"
//   shmlink_sync_step_peer STEP signal-set NAME | semaphore-release NAME
//       opens NAME, prints "ready", sets it / releases one unit, prints "done"
//   shmlink_sync_step_peer STEP signal-wait NAME | semaphore-wait NAME
//       opens NAME, prints "ready", waits for it (no time limit), prints "wait STATUS"
//   shmlink_sync_step_peer STEP wait-any MUTEX SIGNAL
//       opens both, prints "ready", waits for either (no time limit), prints
//       "wait STATUS INDEX" and unlocks the mutex if it got it
// The first time the algorithm reaches STEP the peer prints "at STEP" and stops itself.
// Errors: "error STATUS_NAME: what", exit code 1. The peer dies with the test (parent-death
// signal).
#include <shmlink/shmlink.h>

#include <signal.h>
#include <sys/prctl.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

std::string g_stop_at;

void say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

shmlink_status check(shmlink_status status, const char* what) {
  if (SHMLINK_SUCCEEDED(status)) return status;
  say(std::string("error ") + shmlink_status_name(status) + ": " + what + ": " + shmlink_last_error_message());
  std::exit(1);
}

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: see tests/peer/sync_step/sync_step_peer.cpp\n");
  std::exit(2);
}

void hold_until_stdin_closes() {
  while (std::fgetc(stdin) != EOF) {
  }
}

}  // namespace

namespace shmlink::posix {

void sync_step(const char* step) {
  if (g_stop_at.empty() || g_stop_at != step) return;
  g_stop_at.clear();  // the first time only: once let go, the peer runs to the end
  say(std::string("at ") + step);
  raise(SIGSTOP);
}

}  // namespace shmlink::posix

int main(int argc, char** argv) {
  if (argc < 4) usage();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const std::string command = argv[2];
  const char* name = argv[3];
  shmlink_handle handle = 0;
  if (command == "mutex-lock") {
    check(shmlink_mutex_open(name, &handle), "open");
    say("ready");
    g_stop_at = argv[1];
    say(std::string("locked ") + shmlink_status_name(check(shmlink_mutex_lock(handle, SHMLINK_INFINITE), "lock")));
    hold_until_stdin_closes();
    check(shmlink_mutex_unlock(handle), "unlock");
    say("unlocked");
  } else if (command == "signal-set" || command == "semaphore-release") {
    const bool signal = command == "signal-set";
    check(signal ? shmlink_signal_open(name, &handle) : shmlink_semaphore_open(name, &handle), "open");
    say("ready");
    g_stop_at = argv[1];
    check(signal ? shmlink_signal_set(handle) : shmlink_semaphore_release(handle, 1, nullptr), "set");
    say("done");
  } else if (command == "signal-wait" || command == "semaphore-wait") {
    check(command == "signal-wait" ? shmlink_signal_open(name, &handle) : shmlink_semaphore_open(name, &handle),
          "open");
    say("ready");
    g_stop_at = argv[1];
    say(std::string("wait ") + shmlink_status_name(check(shmlink_wait(handle, SHMLINK_INFINITE), "wait")));
  } else if (command == "wait-any") {
    if (argc < 5) usage();
    shmlink_handle handles[2] = {0, 0};
    check(shmlink_mutex_open(name, &handles[0]), "open the mutex");
    check(shmlink_signal_open(argv[4], &handles[1]), "open the signal");
    say("ready");
    g_stop_at = argv[1];
    uint32_t index = 0;
    const shmlink_status status = check(shmlink_wait_any(handles, 2, SHMLINK_INFINITE, &index), "wait-any");
    say(std::string("wait ") + shmlink_status_name(status) + " " + std::to_string(index));
    if (index == 0) check(shmlink_mutex_unlock(handles[0]), "unlock");
    shmlink_close(handles[1]);
    handle = handles[0];
  } else {
    usage();
  }
  check(shmlink_close(handle), "close");
  return 0;
}
