// Reading what a started program (the peer helper, an example) prints, line by line, as
// assertions: every read is bounded by the process support's timeout.
#pragma once

#include "support/process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shmlink_test {

// Waits for the program's next line and expects it to be `expected`.
inline void expect_line(Process& program, const std::string& expected) {
  const std::optional<std::string> line = program.read_line();
  ASSERT_TRUE(line.has_value()) << "the program said nothing (expected \"" << expected << "\")";
  ASSERT_EQ(*line, expected);
}

// Lets a holding peer go and expects it to say so and exit cleanly.
inline void release(Process& peer) {
  peer.close_stdin();
  expect_line(peer, "closed");
  EXPECT_EQ(peer.wait(), std::optional<int>(0));
}

// Among `peers` whose entry in `done` is false, the first to print a line within `timeout`
// (all of them are watched, none is waited on alone): its index and the line, or nullopt.
inline std::optional<std::pair<size_t, std::string>> first_line_of(std::vector<std::unique_ptr<Process>>& peers,
                                                                   const std::vector<bool>& done,
                                                                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    for (size_t i = 0; i < peers.size(); ++i) {
      if (done[i]) continue;
      if (std::optional<std::string> line = peers[i]->read_line(std::chrono::milliseconds(5)))
        return std::make_pair(i, *line);
    }
  } while (std::chrono::steady_clock::now() < deadline);
  return std::nullopt;
}

}  // namespace shmlink_test
