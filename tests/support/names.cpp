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

// The files in `directory` whose names start with `prefix`.
void add_files_named(const std::string& directory, const std::string& prefix, std::vector<std::string>& found) {
  DIR* listing = opendir(directory.c_str());
  if (listing == nullptr) return;
  while (const dirent* entry = readdir(listing)) {
    const std::string file = entry->d_name;
    if (file.compare(0, prefix.size(), prefix) == 0) found.push_back(directory + "/" + file);
  }
  closedir(listing);
}

std::vector<std::string> leftover_objects() {
  std::vector<std::string> found;
  add_files_named(local_directory(), "object." + name_prefix(), found);
  add_files_named("/dev/shm", "shmlink.global." + name_prefix(), found);
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

std::string local_directory_slot(unsigned uid, int slot) {
  std::string path = kShmDirectory + ("shmlink." + std::to_string(uid));
  if (slot > 0) path += "." + std::to_string(slot);
  return path;
}

std::string local_directory() {
  for (int slot = 0; slot < kLocalDirectorySlots; ++slot) {
    const std::string path = local_directory_slot(geteuid(), slot);
    struct stat status {};
    if (lstat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode) && status.st_uid == geteuid()) return path;
  }
  return local_directory_slot(geteuid(), 0);
}

std::string local_object_path(const std::string& base_name) { return local_directory() + "/object." + base_name; }

std::string global_object_path(const std::string& base_name) {
  return kShmDirectory + std::string("shmlink.global.") + base_name;
}

bool path_exists(const std::string& path) {
  struct stat status {};
  return lstat(path.c_str(), &status) == 0;
}

int unnamed_object_files(const std::string& kind) {
  const std::string label = "shmlink.unnamed." + kind;
  int count = 0;
  for (int fd = 0; fd < 4096; ++fd) {
    char target[256] = {};
    const ssize_t length = readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), target, sizeof target - 1);
    if (length > 0 && std::string(target, static_cast<size_t>(length)).find(label) != std::string::npos) ++count;
  }
  return count;
}

#endif

}  // namespace shmlink_test
