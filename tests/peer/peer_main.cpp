// shmlink_peer: the second process of multi-process tests (see peer_protocol.h).
#include "peer_protocol.h"

#include <shmlink/shmlink.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using shmlink_test::peer_exit_code;

namespace {

void say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);  // the test waits for this line
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "shmlink_peer: %s (see tests/peer/peer_protocol.h)\n", why);
  std::exit(shmlink_test::kPeerUsageError);
}

// Exits with the status unless it is a success.
void check(shmlink_status status, const char* what) {
  if (SHMLINK_SUCCEEDED(status)) return;
  say(std::string("error ") + shmlink_status_name(status) + ": " + what + ": " + shmlink_last_error_message());
  std::exit(peer_exit_code(status));
}

uint64_t number(const char* text) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') usage("not a number");
  return value;
}

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
    shmlink_handle view = 0;
    void* address = nullptr;
    const uint64_t length = number(argv[4]);
    check(shmlink_map(segment, number(argv[3]), length, SHMLINK_ACCESS_READ, &view, &address), "map");
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
    check(shmlink_close(segment), "close");
    say(line);
  } else if (command == "open") {
    check(shmlink_segment_open(name, access_from(argc, argv, 3), &segment), "open");
    check(shmlink_close(segment), "close");
    say("opened");
  } else {
    usage("unknown command");
  }
  return 0;
}
