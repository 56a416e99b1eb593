// shmlink_peer: the second process of multi-process tests (see peer_protocol.h).
#include "peer_protocol.h"
#include "peer_support.h"

#include <shmlink/shmlink.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#ifndef _WIN32
#include <dirent.h>
#include <sys/stat.h>
#endif

using namespace shmlink_test::peer;

namespace {

uint32_t access_from(int argc, char** argv, int index) {
  if (argc <= index) return SHMLINK_ACCESS_READ_WRITE;
  const std::string access = argv[index];
  if (access == "read") return SHMLINK_ACCESS_READ;
  if (access == "rw") return SHMLINK_ACCESS_READ_WRITE;
  if (access == "cow") return SHMLINK_ACCESS_COPY_ON_WRITE;
  usage("access is read, rw or cow");
}

// Until the test closes our stdin (or kills us).
void hold() {
  while (std::fgetc(stdin) != EOF) {
  }
}

void write_at(shmlink_handle segment, uint64_t offset, const std::string& text) {
  shmlink_handle view = 0;
  void* address = nullptr;
  check(shmlink_map(segment, offset, text.size(), SHMLINK_ACCESS_READ_WRITE, &view, &address), "map");
  std::memcpy(address, text.data(), text.size());
  check(shmlink_unmap(view), "unmap");
}

// Says "data " and `length` bytes at `offset` of the segment, printable ASCII as is, the rest
// (and '\\') as \\xHH.
void say_data(shmlink_handle segment, uint64_t offset, uint64_t length) {
  shmlink_handle view = 0;
  void* address = nullptr;
  check(shmlink_map(segment, offset, length, SHMLINK_ACCESS_READ, &view, &address), "map");
  std::string line = "data ";
  for (uint64_t i = 0; i < length; ++i) {
    const unsigned char c = static_cast<const unsigned char*>(address)[i];
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      line += static_cast<char>(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", c);
      line += escaped;
    }
  }
  check(shmlink_unmap(view), "unmap");
  say(line);
}

// The shmlink_handle_from_token flags named after a token on a command line.
uint32_t handoff_flags(int argc, char** argv, int first) {
  uint32_t flags = 0;
  for (int i = first; i < argc; ++i) {
    const std::string option = argv[i];
    if (option == "running") {
      flags |= SHMLINK_HANDOFF_RUNNING_PROCESS;
    } else if (option == "readonly") {
      flags |= SHMLINK_HANDOFF_READ_ONLY;
    } else {
      usage("handoff options are running and readonly");
    }
  }
  return flags;
}

// A wait's time limit: milliseconds, or "infinite".
uint32_t timeout_from(const char* text) {
  if (std::string(text) == "infinite") return SHMLINK_INFINITE;
  const uint64_t timeout = number(text);
  if (timeout >= SHMLINK_INFINITE) usage("a timeout is below 4294967295 ms, or \"infinite\"");
  return static_cast<uint32_t>(timeout);
}

// Like check(), but only SHMLINK_OK passes: an abandoned mutex is a failure here too.
void check_ok(shmlink_status status, const char* what) {
  check(status, what);
  if (status == SHMLINK_OK) return;
  say(std::string("error ") + shmlink_status_name(status) + ": " + what + ": not expected here");
  std::exit(1);
}

// Opens the waitable NAME, says "ready", waits once and says how that went.
void wait_once(shmlink_status (*open)(const char*, shmlink_handle*), const char* name, const char* timeout) {
  const uint32_t timeout_ms = timeout_from(timeout);
  shmlink_handle waitable = 0;
  check(open(name, &waitable), "open");
  say("ready");
  say(std::string("wait ") + shmlink_status_name(shmlink_wait(waitable, timeout_ms)));
  check(shmlink_close(waitable), "close");
}

// Increments the 64-bit counter at the start of SEGMENT `iterations` times under the mutex,
// with a plain read and a plain write: only mutual exclusion keeps every increment.
void count_under_mutex(const char* mutex_name, const char* segment_name, uint64_t iterations,
                       const char* start_name) {
  shmlink_handle mutex = 0;
  shmlink_handle segment = 0;
  shmlink_handle view = 0;
  shmlink_handle start = 0;
  void* address = nullptr;
  check(shmlink_mutex_open(mutex_name, &mutex), "open the mutex");
  check(shmlink_segment_open(segment_name, SHMLINK_ACCESS_READ_WRITE, &segment), "open the segment");
  check(shmlink_map(segment, 0, sizeof(uint64_t), SHMLINK_ACCESS_READ_WRITE, &view, &address), "map");
  if (start_name != nullptr) check(shmlink_signal_open(start_name, &start), "open the start signal");
  say("ready");
  if (start != 0) check(shmlink_wait(start, SHMLINK_INFINITE), "wait for the start signal");
  volatile uint64_t* counter = static_cast<volatile uint64_t*>(address);
  for (uint64_t i = 0; i < iterations; ++i) {
    check_ok(shmlink_mutex_lock(mutex, SHMLINK_INFINITE), "lock");
    const uint64_t value = *counter;
    *counter = value + 1;
    check(shmlink_mutex_unlock(mutex), "unlock");
  }
  check(shmlink_unmap(view), "unmap");
  check(shmlink_close(segment), "close the segment");
  check(shmlink_close(mutex), "close the mutex");
  if (start != 0) check(shmlink_close(start), "close the start signal");
  say("counted");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) usage("no command");
  const std::string command = argv[1];
  const char* name = argv[2];
  shmlink_handle segment = 0;

  if (command == "create") {
    if (argc < 4) usage("create NAME SIZE [TEXT]");
    check(shmlink_segment_create(name, number(argv[3]), SHMLINK_CREATE_NEW, &segment), "create");
    if (argc > 4) write_at(segment, 0, argv[4]);
    say("ready");
    hold();
    check(shmlink_close(segment), "close");
    say("closed");
  } else if (command == "hold") {
    check(shmlink_segment_open(name, access_from(argc, argv, 3), &segment), "open");
    say("ready");
    hold();
    check(shmlink_close(segment), "close");
    say("closed");
  } else if (command == "hold-view") {
    check(shmlink_segment_open(name, SHMLINK_ACCESS_READ_WRITE, &segment), "open");
    shmlink_handle view = 0;
    void* address = nullptr;
    check(shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address), "map");
    check(shmlink_close(segment), "close");
    say("ready");
    hold();
    check(shmlink_unmap(view), "unmap");
    say("closed");
  } else if (command == "write") {
    if (argc < 5) usage("write NAME OFFSET TEXT");
    check(shmlink_segment_open(name, SHMLINK_ACCESS_READ_WRITE, &segment), "open");
    write_at(segment, number(argv[3]), argv[4]);
    check(shmlink_close(segment), "close");
    say("done");
  } else if (command == "read") {
    if (argc < 5) usage("read NAME OFFSET LENGTH");
    check(shmlink_segment_open(name, SHMLINK_ACCESS_READ, &segment), "open");
    say_data(segment, number(argv[3]), number(argv[4]));
    check(shmlink_close(segment), "close");
  } else if (command == "follow-list") {
    // A list built with plain pointers by another process that mapped NAME at ADDRESS
    // (tests/view_at_address_test.cpp): each node is {next, value}, the first at the start.
    if (argc < 4) usage("follow-list NAME ADDRESS");
    check(shmlink_segment_open(name, SHMLINK_ACCESS_READ, &segment), "open");
    shmlink_handle view = 0;
    void* at = reinterpret_cast<void*>(static_cast<uintptr_t>(number(argv[3])));
    check(shmlink_map_at(segment, 0, 0, SHMLINK_ACCESS_READ, at, &view), "map_at");
    struct Node {
      uint64_t next;  // the address of the next node, or 0 (64 bits in every process)
      uint64_t value;
    };
    std::string line = "list";
    int steps = 0;
    for (const Node* node = static_cast<const Node*>(at); node != nullptr && steps < 100;
         node = reinterpret_cast<const Node*>(static_cast<uintptr_t>(node->next)), ++steps)
      line += " " + std::to_string(node->value);
    check(shmlink_unmap(view), "unmap");
    check(shmlink_close(segment), "close");
    say(line);
  } else if (command == "open") {
    check(shmlink_segment_open(name, access_from(argc, argv, 3), &segment), "open");
    check(shmlink_close(segment), "close");
    say("opened");
  } else if (command == "signal-create") {
    uint32_t flags = SHMLINK_CREATE_NEW;
    for (int i = 3; i < argc; ++i) {
      const std::string option = argv[i];
      if (option == "manual") {
        flags |= SHMLINK_SIGNAL_MANUAL_RESET;
      } else if (option == "set") {
        flags |= SHMLINK_SIGNAL_INITIALLY_SET;
      } else {
        usage("signal-create NAME [manual] [set]");
      }
    }
    shmlink_handle signal = 0;
    check(shmlink_signal_create(name, flags, &signal), "create");
    say("ready");
    hold();
    check(shmlink_close(signal), "close");
    say("closed");
  } else if (command == "signal-wait") {
    if (argc < 4) usage("signal-wait NAME TIMEOUT_MS");
    wait_once(shmlink_signal_open, name, argv[3]);
  } else if (command == "semaphore-wait") {
    if (argc < 4) usage("semaphore-wait NAME TIMEOUT_MS");
    wait_once(shmlink_semaphore_open, name, argv[3]);
  } else if (command == "mutex-wait-any") {
    if (argc < 5) usage("mutex-wait-any NAME SIGNAL TIMEOUT_MS");
    const uint32_t timeout_ms = timeout_from(argv[4]);
    shmlink_handle handles[2] = {0, 0};
    check(shmlink_mutex_open(name, &handles[0]), "open");
    check(shmlink_signal_open(argv[3], &handles[1]), "open");
    say("ready");
    uint32_t index = 0;
    const shmlink_status status = shmlink_wait_any(handles, 2, timeout_ms, &index);
    say(std::string("wait ") + shmlink_status_name(status) + " " + std::to_string(index));
    if ((status == SHMLINK_OK || status == SHMLINK_ABANDONED) && index == 0)
      check(shmlink_mutex_unlock(handles[0]), "unlock");
    check(shmlink_close(handles[0]), "close");
    check(shmlink_close(handles[1]), "close");
  } else if (command == "signal-set") {
    shmlink_handle signal = 0;
    check(shmlink_signal_open(name, &signal), "open");
    check(shmlink_signal_set(signal), "set");
    check(shmlink_close(signal), "close");
    say("done");
  } else if (command == "semaphore-release") {
    if (argc < 4) usage("semaphore-release NAME COUNT");
    const uint64_t count = number(argv[3]);
    if (count > UINT32_MAX) usage("COUNT is a 32-bit number");
    shmlink_handle semaphore = 0;
    uint32_t previous = 0;
    check(shmlink_semaphore_open(name, &semaphore), "open");
    check(shmlink_semaphore_release(semaphore, static_cast<uint32_t>(count), &previous), "release");
    check(shmlink_close(semaphore), "close");
    say("done " + std::to_string(previous));
  } else if (command == "mutex-hold") {
    shmlink_handle mutex = 0;
    check(shmlink_mutex_open(name, &mutex), "open");
    const uint64_t levels = argc > 3 ? number(argv[3]) : 1;
    if (levels == 0 || levels > 1000) usage("LEVELS is 1 to 1000");
    const shmlink_status locked = shmlink_mutex_lock(mutex, SHMLINK_INFINITE);
    check(locked, "lock");
    for (uint64_t level = 1; level < levels; ++level) check_ok(shmlink_mutex_lock(mutex, 0), "lock again");
    say(std::string("locked ") + shmlink_status_name(locked));
    hold();
    for (uint64_t level = 0; level < levels; ++level) check(shmlink_mutex_unlock(mutex), "unlock");
    check(shmlink_close(mutex), "close");
    say("closed");
  } else if (command == "token-read") {
    // NAME is a token from shmlink_handle_share (tests/handoff_test.cpp).
    if (argc < 5) usage("token-read TOKEN OFFSET LENGTH [running] [readonly]");
    check(shmlink_handle_from_token(name, handoff_flags(argc, argv, 5), &segment), "from_token");
    say_data(segment, number(argv[3]), number(argv[4]));
    check(shmlink_close(segment), "close");
  } else if (command == "token-write") {
    if (argc < 5) usage("token-write TOKEN OFFSET TEXT [running]");
    check(shmlink_handle_from_token(name, handoff_flags(argc, argv, 5), &segment), "from_token");
    write_at(segment, number(argv[3]), argv[4]);
    check(shmlink_close(segment), "close");
    say("done");
  } else if (command == "token-try") {
    // What taking the token gives, twice (a token is good for one take in a child), and
    // whether the handle may map read-write.
    const uint32_t flags = handoff_flags(argc, argv, 3);
    const shmlink_status first = shmlink_handle_from_token(name, flags, &segment);
    std::string line = std::string("status ") + shmlink_status_name(first);
    if (SHMLINK_SUCCEEDED(first)) {
      shmlink_handle view = 0;
      void* address = nullptr;
      line += std::string(" rw ") + shmlink_status_name(shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address));
      if (view != 0) check(shmlink_unmap(view), "unmap");
      check(shmlink_close(segment), "close");
    }
    shmlink_handle again = 0;
    const shmlink_status second = shmlink_handle_from_token(name, flags, &again);
    if (again != 0) check(shmlink_close(again), "close");
    say(line + " again " + shmlink_status_name(second));
  } else if (command == "share-hold") {
    // An unnamed segment holding TEXT, shared for a running process to take: says its token,
    // then unshares it when the test closes our stdin.
    if (argc < 4) usage("share-hold SIZE TEXT");
    check(shmlink_segment_create(nullptr, number(name), SHMLINK_CREATE_NEW, &segment), "create");
    write_at(segment, 0, argv[3]);
    char token[SHMLINK_TOKEN_MAX_BYTES];
    check(shmlink_handle_share(segment, SHMLINK_HANDOFF_RUNNING_PROCESS, token, sizeof token, nullptr), "share");
    check(shmlink_close(segment), "close");
    say(std::string("token ") + token);
    hold();
    check(shmlink_handle_unshare(token), "unshare");
    say("closed");
#ifndef _WIN32
  } else if (command == "fd-inodes") {
    // "inodes" and DEVICE:INODE of every descriptor this process has (NAME is unused): what it
    // inherited, for the tests that check no object leaks into a child not meant to get it.
    std::string line = "inodes";
    DIR* directory = opendir("/proc/self/fd");
    if (directory == nullptr) usage("cannot list /proc/self/fd");
    const int own = dirfd(directory);
    while (const dirent* entry = readdir(directory)) {
      if (entry->d_name[0] == '.') continue;
      const int fd = std::atoi(entry->d_name);
      struct stat status {};
      if (fd == own || fstat(fd, &status) != 0) continue;
      line += " " + std::to_string(static_cast<uint64_t>(status.st_dev)) + ":" +
              std::to_string(static_cast<uint64_t>(status.st_ino));
    }
    closedir(directory);
    say(line);
#endif
  } else if (command == "mutex-count") {
    if (argc < 5) usage("mutex-count MUTEX SEGMENT ITERATIONS [START_SIGNAL]");
    count_under_mutex(name, argv[3], number(argv[4]), argc > 5 ? argv[5] : nullptr);
  } else if (!run_channel_command(command, argc, argv) && !run_channel_step_command(command, argc, argv) &&
             !run_truncation_command(command, argc, argv) && !run_soak_command(command, argc, argv)) {
    usage("unknown command");
  }
  return 0;
}
