// The peer's side of the truncation tests (tests/truncation_test.cpp, Linux only): a process
// that holds an object while the test truncates its file, and then uses it on the test's
// command. Before the library survived truncation, this process died of SIGBUS here.
#include "peer_support.h"

#include <shmlink/shmlink.h>

#include <cstdio>
#include <cstring>
#include <string>

#ifdef __linux__
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace shmlink_test::peer {
namespace {

#ifdef __linux__

// What the peer holds: the object of the kind it was told, and for a segment a view of all of it.
struct Held {
  std::string kind;
  shmlink_handle object = 0;
  shmlink_handle view = 0;
  unsigned char* view_bytes = nullptr;
  uint64_t view_length = 0;
  // The zero-copy operation in progress on a channel.
  void* reserved = nullptr;
  const void* peeked = nullptr;
  uint32_t peeked_length = 0;
};

constexpr uint32_t kMessageBytes = 64;

void report(const std::string& operation, shmlink_status status, const std::string& extra = "") {
  say(operation + " " + shmlink_status_name(status) + (extra.empty() ? "" : " " + extra));
}

// Creates the object NAME of KIND: a channel with both roles (so that sending finds a
// receiver: this handle), a segment with a view of all of it; `file-segment` makes an unnamed
// segment of the existing file NAME.
void create_object(Held& held, const char* name) {
  const std::string& kind = held.kind;
  if (kind == "signal") {
    check(shmlink_signal_create(name, SHMLINK_CREATE_NEW, &held.object), "create");
  } else if (kind == "semaphore") {
    check(shmlink_semaphore_create(name, 0, 10, SHMLINK_CREATE_NEW, &held.object), "create");
  } else if (kind == "mutex") {
    check(shmlink_mutex_create(name, SHMLINK_CREATE_NEW, &held.object), "create");
  } else if (kind == "channel") {
    check(shmlink_channel_create(name, 65536, kMessageBytes, SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_RECEIVER,
                                 &held.object),
          "create");
  } else if (kind == "segment" || kind == "file-segment") {
    if (kind == "segment") {
      check(shmlink_segment_create(name, 3 * 4096, SHMLINK_CREATE_NEW, &held.object), "create");
    } else {
      check(shmlink_segment_from_file(name, nullptr, 0, SHMLINK_ACCESS_READ_WRITE, 0, &held.object), "from file");
    }
    void* address = nullptr;
    check(shmlink_map(held.object, 0, 0, SHMLINK_ACCESS_READ_WRITE, &held.view, &address), "map");
    check(shmlink_view_info(held.view, nullptr, &held.view_length), "view info");
    held.view_bytes = static_cast<unsigned char*>(address);
  } else {
    usage("truncation KIND: signal, semaphore, mutex, channel, segment or file-segment");
  }
}

// How many bytes of the view are not zero, reading every one of them.
uint64_t nonzero_bytes(const Held& held) {
  uint64_t count = 0;
  for (uint64_t i = 0; i < held.view_length; ++i) count += held.view_bytes[i] != 0;
  return count;
}

// Runs one command; false for "close".
bool run(Held& held, const std::string& command) {
  const shmlink_handle object = held.object;
  if (command == "set") {
    report(command, shmlink_signal_set(object));
  } else if (command == "reset") {
    report(command, shmlink_signal_reset(object));
  } else if (command == "release") {
    report(command, shmlink_semaphore_release(object, 1, nullptr));
  } else if (command == "unlock") {
    report(command, shmlink_mutex_unlock(object));
  } else if (command == "wait") {
    report(command, shmlink_wait(object, 0));
  } else if (command == "wait-infinite") {
    report(command, shmlink_wait(object, SHMLINK_INFINITE));
  } else if (command == "wait-any-infinite") {
    uint32_t index = 0;
    report(command, shmlink_wait_any(&object, 1, SHMLINK_INFINITE, &index));
  } else if (command == "send") {
    const char message[kMessageBytes] = "a message";
    report(command, shmlink_channel_send(object, message, sizeof message, 0));
  } else if (command == "receive" || command == "receive-infinite") {
    char buffer[kMessageBytes];
    uint32_t length = 0;
    report(command, shmlink_channel_receive(object, buffer, sizeof buffer, &length,
                                            command == "receive" ? 0 : SHMLINK_INFINITE));
  } else if (command == "reserve") {
    report(command, shmlink_channel_reserve(object, kMessageBytes, 0, &held.reserved));
  } else if (command == "write-reserved") {
    std::memset(held.reserved, 'r', kMessageBytes);  // the user's own writes into the ring
    say(command + " done");
  } else if (command == "commit") {
    report(command, shmlink_channel_commit(object, kMessageBytes));
  } else if (command == "peek") {
    report(command, shmlink_channel_peek(object, 0, &held.peeked, &held.peeked_length));
  } else if (command == "read-peeked") {
    uint64_t sum = 0;  // the user's own reads of the ring
    for (uint32_t i = 0; i < held.peeked_length; ++i) sum += static_cast<const unsigned char*>(held.peeked)[i];
    say(command + " done " + std::to_string(sum));
  } else if (command == "consume") {
    report(command, shmlink_channel_consume(object));
  } else if (command == "read-view") {
    say(command + " nonzero " + std::to_string(nonzero_bytes(held)));
  } else if (command == "write-view") {
    std::memset(held.view_bytes, 'w', static_cast<size_t>(held.view_length));
    say(command + " done");
  } else if (command == "view-info") {
    uint64_t length = 0;
    report(command, shmlink_view_info(held.view, nullptr, &length));
  } else if (command == "flush") {
    report(command, shmlink_flush(held.view));
  } else if (command.rfind("lock ", 0) == 0 || command.rfind("reopen ", 0) == 0) {
    const bool lock = command[0] == 'l';
    const std::string argument = command.substr(command.find(' ') + 1);
    if (lock) {
      report("lock", shmlink_mutex_lock(object, argument == "infinite" ? SHMLINK_INFINITE : 0));
    } else {
      shmlink_handle again = 0;
      report("reopen", shmlink_segment_open(argument.c_str(), SHMLINK_ACCESS_READ, &again));
      if (again != 0) shmlink_close(again);
    }
  } else if (command == "close") {
    if (held.view != 0) report("close-view", shmlink_close(held.view));
    report("close", shmlink_close(object));
    return false;
  } else {
    usage("unknown truncation command");
  }
  return true;
}

// `truncation KIND NAME`: creates NAME, prints "ready", then runs one command per line of stdin.
void truncation(int argc, char** argv) {
  if (argc < 4) usage("truncation KIND NAME");
  Held held;
  held.kind = argv[2];
  create_object(held, argv[3]);
  say("ready");
  char line[512];
  while (std::fgets(line, sizeof line, stdin) != nullptr) {
    std::string command(line);
    while (!command.empty() && (command.back() == '\n' || command.back() == '\r')) command.pop_back();
    if (!run(held, command)) break;
  }
  say("closed");
}

// ---- A SIGBUS that is not the library's ----

sigjmp_buf recovery;
volatile sig_atomic_t own_handler_calls = 0;

void own_handler(int, siginfo_t*, void*) {
  own_handler_calls = own_handler_calls + 1;
  siglongjmp(recovery, 1);
}

// Maps a file of its own outside the library, truncates it, and reads it: a SIGBUS in no
// region of the library's. MODE `handler`: the program installed a handler of its own before
// the library's first mapping, which must still get the fault (it jumps out and the peer says
// "survived N"); MODE `default`: there was none, and the fault must kill the process as it
// would without the library. MODE `sent`: a SIGBUS sent with raise() reaches the program's
// handler too. The library's handler is installed by the object FILE's segment (any mapping
// of the library's installs it).
void foreign_sigbus(int argc, char** argv) {
  if (argc < 4) usage("foreign-sigbus MODE FILE");
  const std::string mode = argv[2];
  if (mode != "handler" && mode != "default" && mode != "sent") usage("MODE is handler, default or sent");
  if (mode != "default") {
    struct sigaction action {};
    action.sa_sigaction = own_handler;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGBUS, &action, nullptr) != 0) usage("sigaction failed");
  }
  // The library's first mapping: its handler goes on top of whatever is there.
  shmlink_handle segment = 0;
  shmlink_handle view = 0;
  void* address = nullptr;
  check(shmlink_segment_from_file(argv[3], nullptr, 4096, SHMLINK_ACCESS_READ_WRITE, 0, &segment), "from file");
  check(shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address), "map");
  const std::string own_path = std::string(argv[3]) + ".own";
  const int fd = open(own_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || ftruncate(fd, 8192) != 0) usage("cannot make the peer's own file");
  auto* own = static_cast<volatile unsigned char*>(mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  if (own == MAP_FAILED || ftruncate(fd, 0) != 0) usage("cannot map or truncate the peer's own file");
  close(fd);
  unlink(own_path.c_str());
  say("ready");
  if (sigsetjmp(recovery, 1) == 0) {
    if (mode == "sent") {
      raise(SIGBUS);
    } else {
      const unsigned char byte = own[4096];  // past the end of the file: SIGBUS
      say("read " + std::to_string(byte) + " (the fault did not happen)");
    }
  }
  say("survived " + std::to_string(own_handler_calls));
  munmap(const_cast<unsigned char*>(own), 8192);
  check(shmlink_close(view), "unmap");
  check(shmlink_close(segment), "close");
}

#endif  // __linux__

}  // namespace

bool run_truncation_command(const std::string& command, int argc, char** argv) {
#ifdef __linux__
  if (command == "truncation") {
    truncation(argc, argv);
    return true;
  }
  if (command == "foreign-sigbus") {
    foreign_sigbus(argc, argv);
    return true;
  }
#else
  static_cast<void>(command);
  static_cast<void>(argc);
  static_cast<void>(argv);
#endif
  return false;
}

}  // namespace shmlink_test::peer
