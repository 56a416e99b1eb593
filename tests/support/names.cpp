#include "support/names.h"

#include "support/process.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>

#ifndef _WIN32
#  include <dirent.h>
#  include <sys/stat.h>
#  include <unistd.h>

#  include <cstring>
#  include <vector>
#endif

namespace shmlink_test {

const std::string& name_prefix() {
  static const std::string prefix = "gt" + std::to_string(current_process_id()) + "-";
  return prefix;
}

std::string unique_name() {
  static std::atomic<unsigned> counter{0};
  std::string name = name_prefix() + std::to_string(counter.fetch_add(1)) + "-";
  if (const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info()) {
    // Parameterized tests have '/' in their names, which names may not contain.
    for (const char c : std::string(test->name()).substr(0, 80))
      name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  return name;
}

#ifndef _WIN32

namespace {

constexpr char kShmDirectory[] = "/dev/shm/";

std::vector<std::string> leftover_objects() {
  const std::string local = "shmlink." + std::to_string(geteuid()) + "." + name_prefix();
  const std::string global = "shmlink.global." + name_prefix();
  std::vector<std::string> found;
  DIR* directory = opendir(kShmDirectory);
  if (directory == nullptr) return found;
  while (const dirent* entry = readdir(directory)) {
    const std::string file = entry->d_name;
    if (file.compare(0, local.size(), local) == 0 || file.compare(0, global.size(), global) == 0)
      found.push_back(kShmDirectory + file);
  }
  closedir(directory);
  return found;
}

class NoLeftoversEnvironment : public testing::Environment {
 public:
  void TearDown() override {
    for (const std::string& path : leftover_objects()) {
      ADD_FAILURE() << "left behind in /dev/shm: " << path;
      unlink(path.c_str());  // so that one failing run does not litter the next ones
    }
  }
};

testing::Environment* const no_leftovers = testing::AddGlobalTestEnvironment(new NoLeftoversEnvironment);

}  // namespace

std::string local_object_path(const std::string& base_name) {
  return kShmDirectory + ("shmlink." + std::to_string(geteuid()) + ".") + base_name;
}

std::string global_object_path(const std::string& base_name) {
  return kShmDirectory + std::string("shmlink.global.") + base_name;
}

bool path_exists(const std::string& path) {
  struct stat status {};
  return lstat(path.c_str(), &status) == 0;
}

#endif

}  // namespace shmlink_test
