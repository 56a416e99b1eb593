// `shmlink ls` run by a second user does not show the first user's private objects (its Local
// ones, and the Global ones it did not share); root's `ls --all-users` does. Linux, as root
// (tests/reliability/two_users.h makes the users).
#include <shmlink/shmlink.h>

#include "reliability/two_users.h"
#include "support/names.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace {

using namespace shmlink_test;

// `shmlink` with `arguments` through popen: this runs in the users' forked children, which
// have no test support threads of their own.
std::string shmlink_output(const std::string& arguments) {
  const std::string command = program_path("shmlink") + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::string output;
  char buffer[4096];
  for (size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, got);
  const int status = pclose(pipe);
  return "exit " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + "\n" + output;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(CliTwoUsers, LsOfAnotherUserDoesNotShowPrivateObjects) {
  REQUIRE_TWO_USERS();
  const std::string local = unique_name(), global = "Global\\" + unique_name(), shared = "Global\\" + unique_name();
  UserProcess owner(user_a(), [&](UserProcess& self) {
    shmlink_handle a = 0, b = 0, c = 0;
    const bool made = shmlink_segment_create(local.c_str(), 64, 0, &a) == SHMLINK_OK &&
                      shmlink_segment_create(global.c_str(), 64, 0, &b) == SHMLINK_OK &&
                      shmlink_segment_create(shared.c_str(), 64, SHMLINK_SHARE_ALL_USERS, &c) == SHMLINK_OK;
    self.say(made ? "ready" : status_text(-1));
    self.hear();  // holds them until the test is done
    for (const shmlink_handle handle : {a, b, c})
      if (handle != 0) shmlink_close(handle);
  });
  ASSERT_EQ(owner.hear(), "ready");

  const std::string own_view = run_as(user_a(), [] { return shmlink_output("ls --json"); });
  EXPECT_TRUE(contains(own_view, "Local\\\\" + local)) << own_view;
  EXPECT_TRUE(contains(own_view, "Global\\\\" + global.substr(7))) << own_view;

  const std::string other_view = run_as(user_b(), [] { return shmlink_output("ls --json"); });
  EXPECT_TRUE(contains(other_view, "exit 0")) << other_view;
  EXPECT_FALSE(contains(other_view, local)) << other_view;
  EXPECT_FALSE(contains(other_view, global.substr(7))) << other_view;
  EXPECT_TRUE(contains(other_view, shared.substr(7))) << "shared with all users: listed\n" << other_view;
  const std::string other_all = run_as(user_b(), [] { return shmlink_output("ls --all-users --json"); });
  EXPECT_FALSE(contains(other_all, local)) << "another user's Local\\ directory stays closed\n" << other_all;
  EXPECT_TRUE(contains(other_all, global.substr(7))) << "--all-users names unshared Global\\ objects\n" << other_all;
  EXPECT_FALSE(contains(run_as(user_b(), [&] { return shmlink_output("info '" + local + "'"); }), "segment"));

  const std::string root_all = shmlink_output("ls --all-users --json");
  EXPECT_TRUE(contains(root_all, local)) << "root reads every user's directory\n" << root_all;
  owner.say("done");
  owner.finish();
}

}  // namespace
