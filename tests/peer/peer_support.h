// Helpers the peer helper's commands share (peer_main.cpp, channel_peer.cpp).
#pragma once

#include "peer_protocol.h"

#include <shmlink/shmlink.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace shmlink_test::peer {

inline void say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);  // the test waits for this line
}

[[noreturn]] inline void usage(const char* why) {
  std::fprintf(stderr, "shmlink_peer: %s (see tests/peer/peer_protocol.h)\n", why);
  std::exit(shmlink_test::kPeerUsageError);
}

// Exits with the status unless it is a success.
inline void check(shmlink_status status, const char* what) {
  if (SHMLINK_SUCCEEDED(status)) return;
  say(std::string("error ") + shmlink_status_name(status) + ": " + what + ": " + shmlink_last_error_message());
  std::exit(peer_exit_code(status));
}

inline uint64_t number(const char* text) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') usage("not a number");
  return value;
}

// Runs the channel commands (channel_peer.cpp); false if `command` is not one of them.
bool run_channel_command(const std::string& command, int argc, char** argv);

// Runs the step commands (channel_step_peer.cpp, Linux only); false if `command` is not one of them.
bool run_channel_step_command(const std::string& command, int argc, char** argv);

// Runs the soak commands (soak_peer.cpp); false if `command` is not one of them.
bool run_soak_command(const std::string& command, int argc, char** argv);

// Runs the truncation commands (truncation_peer.cpp, Linux only); false if `command` is not one of them.
bool run_truncation_command(const std::string& command, int argc, char** argv);

}  // namespace shmlink_test::peer
