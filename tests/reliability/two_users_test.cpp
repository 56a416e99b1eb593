// What another user can do to a user's objects on Linux (issue 12, points 1, 5 and 6), tried by
// a real second user: user A runs the program, user B is hostile. Each step runs in a child
// that is A or B and nothing more (two_users.h).
//
//  - B's own Global object, or B's rewrite of A's SHARE_ALL_USERS segment, naming a private
//    file of A's as the segment's file: A never maps that file (ACCESS_DENIED) and the file is
//    unchanged.
//  - B squatting A's Local names (the file names, the directories) denies A nothing, and two
//    processes of A still agree on the object of a name.
//  - B cannot list A's Local names.
//  - A segment's file that segment_from_file creates gets its mode from the share flags.
//  - What the share flags grant B still works.
#include "reliability/two_users.h"

#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

namespace shmlink_test {
namespace {

constexpr size_t kFileBytes = 8192;

std::string global(const std::string& name) { return "Global\\" + name; }

// The whole file as root sees it ("" if it cannot be read).
std::string contents_of(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string text;
  char chunk[4096];
  for (ssize_t got; (got = read(fd, chunk, sizeof chunk)) > 0;) text.append(chunk, static_cast<size_t>(got));
  close(fd);
  return text;
}

// In a child: makes `path` with `contents` and `mode`, exactly.
std::string make_file(const std::string& path, const std::string& contents, mode_t mode) {
  const int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0) return std::string("cannot create ") + path + ": " + std::strerror(errno);
  const bool written = write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size());
  const bool moded = fchmod(fd, mode) == 0;
  close(fd);
  return written && moded ? "ok" : "cannot write " + path;
}

// In a child: opens (or with `create`, creates with OPEN_OR_CREATE) the segment read-write and,
// if that works, writes into it, as a program that trusts what it opened would. Returns the
// status of the open or create.
std::string open_and_write(const std::string& name, bool create) {
  shmlink_handle segment = 0;
  const shmlink_status status = create ? shmlink_segment_create(name.c_str(), kFileBytes, SHMLINK_OPEN_OR_CREATE, &segment)
                                       : shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, &segment);
  const std::string result = status_text(status);
  if (SHMLINK_FAILED(status)) return result;
  shmlink_handle view = 0;
  void* address = nullptr;
  if (shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address) == SHMLINK_OK) {
    std::memcpy(address, "written by A through the segment", 32);
    shmlink_flush(view);
    shmlink_close(view);
  }
  shmlink_close(segment);
  return result;
}

// In a child: the same read-only.
std::string open_read_only(const std::string& name) {
  shmlink_handle segment = 0;
  const shmlink_status status = shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, &segment);
  if (SHMLINK_SUCCEEDED(status)) shmlink_close(segment);
  return status_text(status);
}

// Replaces every 8-byte-aligned occurrence of `from` in `page` outside [skip_at, skip_end).
int replace_words(std::string& page, uint64_t from, uint64_t to, size_t skip_at, size_t skip_end) {
  int replaced = 0;
  for (size_t at = 0; at + sizeof from <= page.size(); at += sizeof from) {
    if (at + sizeof from > skip_at && at < skip_end) continue;
    uint64_t word = 0;
    std::memcpy(&word, page.data() + at, sizeof word);
    if (word != from) continue;
    std::memcpy(page.data() + at, &to, sizeof to);
    ++replaced;
  }
  return replaced;
}

// In B's child: the header page of a genuine file-backed segment of B's (the object file at
// `object_path`, made from `b_file`), turned into one that names `a_file`, a file of A's whose
// path has the same length, as the attacker would make it: the path replaced, and the file's
// device and inode numbers replaced wherever the header keeps them. Knows nothing of the
// header's layout. "" if it cannot be done.
std::string forged_page(const std::string& object_path, const std::string& b_file, const std::string& a_file) {
  const int fd = open(object_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string page(4096, '\0');
  const bool read_all = pread(fd, page.data(), page.size(), 0) == static_cast<ssize_t>(page.size());
  close(fd);
  struct stat b_status {};
  struct stat a_status {};
  if (!read_all || stat(b_file.c_str(), &b_status) != 0 || stat(a_file.c_str(), &a_status) != 0) return "";
  const size_t path_at = page.find(b_file);
  if (path_at == std::string::npos || a_file.size() != b_file.size()) return "";
  page.replace(path_at, a_file.size(), a_file);
  const size_t path_end = path_at + a_file.size();
  replace_words(page, static_cast<uint64_t>(b_status.st_ino), static_cast<uint64_t>(a_status.st_ino), path_at,
                path_end);
  if (a_status.st_dev != b_status.st_dev)
    replace_words(page, static_cast<uint64_t>(b_status.st_dev), static_cast<uint64_t>(a_status.st_dev), path_at,
                  path_end);
  return page;
}

std::string overwrite_page(const std::string& path, const std::string& page) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return std::string("cannot open ") + path + " for writing: " + std::strerror(errno);
  const bool written = pwrite(fd, page.data(), page.size(), 0) == static_cast<ssize_t>(page.size());
  close(fd);
  return written ? "ok" : "cannot write " + path;
}

class TwoUsers : public testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_TWO_USERS();
    // The same file name in A's and B's directories: paths of the same length.
    a_file_ = user_a().home + "/" + unique_name() + ".bin";
    b_file_ = user_b().home + a_file_.substr(user_a().home.size());
    ASSERT_EQ(a_file_.size(), b_file_.size());
    ASSERT_EQ(run_as(user_a(), [&] { return make_file(a_file_, secret_, 0600); }), "ok");
  }
  void TearDown() override {
    unlink(a_file_.c_str());
    unlink(b_file_.c_str());
  }

  void expect_a_refuses_the_object(const std::string& name) {
    EXPECT_EQ(first_word(run_as(user_a(), [&] { return open_and_write(name, false); })), "SHMLINK_ERR_ACCESS_DENIED")
        << "segment_open read-write";
    EXPECT_EQ(first_word(run_as(user_a(), [&] { return open_and_write(name, true); })), "SHMLINK_ERR_ACCESS_DENIED")
        << "segment_create OPEN_OR_CREATE";
    EXPECT_EQ(first_word(run_as(user_a(), [&] { return open_read_only(name); })), "SHMLINK_ERR_ACCESS_DENIED")
        << "segment_open read-only";
    EXPECT_TRUE(contents_of(a_file_) == secret_) << "A's private file was written through the segment";
  }

  const std::string secret_ = std::string(kFileBytes, 'a');
  std::string a_file_;  // A's private file (0600)
  std::string b_file_;  // B's file of the same name
};

TEST_F(TwoUsers, AGlobalObjectOfBNamingAPrivateFileOfAIsRefused) {
  const std::string name = unique_name();
  // B makes a genuine file-backed segment of its own, shared with everyone, then makes its
  // object (B's own file) name A's file.
  UserProcess b(user_b(), [&](UserProcess& self) {
    if (make_file(b_file_, std::string(kFileBytes, 'b'), 0666) != "ok") return self.say("no file");
    shmlink_handle segment = 0;
    const shmlink_status status = shmlink_segment_from_file(b_file_.c_str(), global(name).c_str(), kFileBytes,
                                                            SHMLINK_ACCESS_READ_WRITE, SHMLINK_SHARE_ALL_USERS, &segment);
    if (status != SHMLINK_OK) return self.say(status_text(status));
    const std::string page = forged_page(global_object_path(name), b_file_, a_file_);
    self.say(page.empty() ? "cannot forge" : overwrite_page(global_object_path(name), page));
    self.hear();  // holds its segment until the test ends
    shmlink_close(segment);
  });
  ASSERT_EQ(b.hear(), "ok");
  expect_a_refuses_the_object(global(name));
}

TEST_F(TwoUsers, BRewritingTheHeaderOfASharedSegmentOfACannotRedirectIt) {
  const std::string name = unique_name();
  const std::string template_name = unique_name();
  UserProcess a(user_a(), [&](UserProcess& self) {
    shmlink_handle segment = 0;
    self.say(status_text(
        shmlink_segment_create(global(name).c_str(), kFileBytes, SHMLINK_SHARE_ALL_USERS, &segment)));
    self.hear();
    shmlink_close(segment);
  });
  ASSERT_EQ(a.hear(), "SHMLINK_OK");
  // B writes the header page of a file-backed segment naming A's file over A's segment's,
  // which SHARE_ALL_USERS lets it write.
  EXPECT_EQ(run_as(user_b(),
                   [&] {
                     if (make_file(b_file_, std::string(kFileBytes, 'b'), 0644) != "ok") return std::string("no file");
                     shmlink_handle segment = 0;
                     const shmlink_status status =
                         shmlink_segment_from_file(b_file_.c_str(), global(template_name).c_str(), kFileBytes,
                                                   SHMLINK_ACCESS_READ_WRITE, 0, &segment);
                     if (status != SHMLINK_OK) return status_text(status);
                     const std::string page = forged_page(global_object_path(template_name), b_file_, a_file_);
                     shmlink_close(segment);
                     return page.empty() ? "cannot forge" : overwrite_page(global_object_path(name), page);
                   }),
            "ok");
  expect_a_refuses_the_object(global(name));
  // The process of A that made it, too.
  a.say("end");
  EXPECT_EQ(a.finish(), 0);
}

// In B's child: squats all of `victim`'s Local names it can: the file of `name` in the old layout
// (/dev/shm/shmlink.<uid>.<name>) and the first `directories` of the per-user directories.
std::string squat_local_names_of(uid_t victim, const std::string& name, int directories) {
  const std::string old_style = "/dev/shm/shmlink." + std::to_string(victim) + "." + name;
  const int fd = open(old_style.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return "cannot create " + old_style + ": " + std::strerror(errno);
  close(fd);
  for (int slot = 0; slot < directories; ++slot) {
    const std::string directory = local_directory_slot(victim, slot);
    // World-writable, as an invitation to use it.
    if (mkdir(directory.c_str(), 0777) != 0 || chmod(directory.c_str(), 0777) != 0)
      return "cannot create " + directory + ": " + std::strerror(errno);
    const std::string inside = directory + "/" + name;
    const int inside_fd = open(inside.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
    if (inside_fd >= 0) close(inside_fd);
  }
  return "ok";
}

TEST_F(TwoUsers, BSquattingTheLocalNamesOfADeniesANothing) {
  remove_users_dev_shm_entries();  // A has no Local directory yet
  const std::string name = unique_name();
  ASSERT_EQ(run_as(user_b(), [&] { return squat_local_names_of(user_a().uid, name, 2); }), "ok");

  UserProcess first(user_a(), [&](UserProcess& self) {
    shmlink_handle segment = 0;
    const shmlink_status status = shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, &segment);
    self.say(status_text(status));
    if (status != SHMLINK_OK) return;
    shmlink_handle view = 0;
    void* address = nullptr;
    if (shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address) == SHMLINK_OK)
      std::strcpy(static_cast<char*>(address), "made by A's first process");
    self.say("written");
    self.hear();
    shmlink_close(view);
    shmlink_close(segment);
  });
  ASSERT_EQ(first.hear(), "SHMLINK_OK");
  ASSERT_EQ(first.hear(), "written");

  EXPECT_EQ(run_as(user_a(),
                   [&] {
                     shmlink_handle segment = 0;
                     const shmlink_status status = shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, &segment);
                     if (status != SHMLINK_OK) return status_text(status);
                     shmlink_handle view = 0;
                     void* address = nullptr;
                     std::string seen = "cannot map";
                     if (shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ, &view, &address) == SHMLINK_OK) {
                       seen = static_cast<const char*>(address);
                       shmlink_close(view);
                     }
                     shmlink_close(segment);
                     return seen;
                   }),
            "made by A's first process")
      << "A's second process opens A's object";
  EXPECT_EQ(first_word(run_as(user_a(),
                              [&] {
                                shmlink_handle segment = 0;
                                const shmlink_status status =
                                    shmlink_segment_create(name.c_str(), 4096, SHMLINK_OPEN_OR_CREATE, &segment);
                                if (SHMLINK_SUCCEEDED(status)) shmlink_close(segment);
                                return status_text(status);
                              })),
            "SHMLINK_EXISTED");
  first.say("end");
  EXPECT_EQ(first.finish(), 0);
  // Every kind of object works under the squatted directories too.
  EXPECT_EQ(run_as(user_a(),
                   [&] {
                     shmlink_handle handles[4] = {};
                     const std::string text =
                         status_text(shmlink_signal_create((name + "-s").c_str(), 0, &handles[0])) + " " +
                         status_text(shmlink_mutex_create((name + "-m").c_str(), 0, &handles[1])) + " " +
                         status_text(shmlink_semaphore_create((name + "-e").c_str(), 0, 1, 0, &handles[2])) + " " +
                         status_text(shmlink_channel_create((name + "-c").c_str(), 4096, 256, 0, &handles[3]));
                     for (shmlink_handle handle : handles) shmlink_close(handle);
                     return text;
                   }),
            "SHMLINK_OK SHMLINK_OK SHMLINK_OK SHMLINK_OK");
  remove_users_dev_shm_entries();
}

TEST_F(TwoUsers, BSquattingEveryLocalDirectoryOfAIsReportedByName) {
  remove_users_dev_shm_entries();
  const std::string name = unique_name();
  ASSERT_EQ(run_as(user_b(), [&] { return squat_local_names_of(user_a().uid, name, kLocalDirectorySlots); }), "ok");
  const std::string result = run_as(user_a(), [&] {
    shmlink_handle segment = 0;
    const shmlink_status status = shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, &segment);
    if (SHMLINK_SUCCEEDED(status)) shmlink_close(segment);
    return status_text(status);
  });
  EXPECT_EQ(first_word(result), "SHMLINK_ERR_ACCESS_DENIED");
  EXPECT_NE(result.find("user " + std::to_string(user_b().uid)), std::string::npos) << result;
  remove_users_dev_shm_entries();
}

// In a child: every name it can see in /dev/shm and in the directories there it can read.
std::vector<std::string> visible_dev_shm_names() {
  std::vector<std::string> names;
  std::vector<std::string> directories{"/dev/shm"};
  for (size_t i = 0; i < directories.size(); ++i) {
    DIR* directory = opendir(directories[i].c_str());
    if (directory == nullptr) continue;
    while (const dirent* entry = readdir(directory)) {
      const std::string file = entry->d_name;
      if (file == "." || file == "..") continue;
      names.push_back(directories[i] + "/" + file);
      if (entry->d_type == DT_DIR && i == 0) directories.push_back(directories[i] + "/" + file);
    }
    closedir(directory);
  }
  return names;
}

TEST_F(TwoUsers, BCannotListTheLocalNamesOfA) {
  const std::string name = unique_name() + "-secret";
  UserProcess a(user_a(), [&](UserProcess& self) {
    shmlink_handle handles[3] = {};
    self.say(status_text(shmlink_segment_create(name.c_str(), 4096, 0, &handles[0])) + " " +
             status_text(shmlink_signal_create((name + "-signal").c_str(), 0, &handles[1])) + " " +
             status_text(shmlink_segment_from_file(a_file_.c_str(), (name + "-file").c_str(), 0,
                                                   SHMLINK_ACCESS_READ_WRITE, 0, &handles[2])));
    self.hear();
    for (shmlink_handle handle : handles) shmlink_close(handle);
  });
  ASSERT_EQ(a.hear(), "SHMLINK_OK SHMLINK_OK SHMLINK_OK");
  EXPECT_EQ(run_as(user_b(),
                   [&] {
                     std::string seen;
                     for (const std::string& path : visible_dev_shm_names())
                       if (path.find(name) != std::string::npos) seen += path + " ";
                     return seen.empty() ? "nothing" : seen;
                   }),
            "nothing");
}

// In a child: makes a segment from a new file with `flags` under `umask_value` and says the
// modes of the file and of the segment's object file ("-" for an unnamed segment).
std::string modes_of_new_file_segment(const std::string& file, const char* name, uint32_t flags, mode_t umask_value) {
  umask(umask_value);
  shmlink_handle segment = 0;
  const shmlink_status status =
      shmlink_segment_from_file(file.c_str(), name, kFileBytes, SHMLINK_ACCESS_READ_WRITE, flags, &segment);
  if (status != SHMLINK_OK) return status_text(status);
  struct stat file_status {};
  struct stat object_status {};
  char text[64];
  std::string object_mode = "-";
  if (name != nullptr) {
    const std::string base = std::strchr(name, '\\') != nullptr ? std::strchr(name, '\\') + 1 : name;
    const std::string object = std::strncmp(name, "Global\\", 7) == 0 ? global_object_path(base) : local_object_path(base);
    if (stat(object.c_str(), &object_status) != 0) object_mode = "missing";
    else {
      std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(object_status.st_mode & 07777));
      object_mode = text;
    }
  }
  shmlink_close(segment);
  if (stat(file.c_str(), &file_status) != 0) return "no file";
  unlink(file.c_str());
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(file_status.st_mode & 07777));
  return std::string("file ") + text + " object " + object_mode;
}

TEST_F(TwoUsers, TheFileOfASegmentGetsItsModeFromTheShareFlags) {
  struct Case {
    bool global;
    bool named;
    uint32_t flags;
    const char* expected;
  };
  // The object file of a file-backed segment holds no data: it is writable by its creator only.
  const Case cases[] = {
      {true, true, 0, "file 0600 object 0600"},
      {true, true, SHMLINK_SHARE_GROUP, "file 0660 object 0640"},
      {true, true, SHMLINK_SHARE_ALL_USERS, "file 0666 object 0644"},
      {false, true, 0, "file 0600 object 0600"},
      {false, true, SHMLINK_SHARE_ALL_USERS, "file 0600 object 0600"},  // Local\ names are the user's own
      {false, false, 0, "file 0600 object -"},
      {false, false, SHMLINK_SHARE_GROUP, "file 0660 object -"},
      {false, false, SHMLINK_SHARE_ALL_USERS, "file 0666 object -"},
  };
  for (const mode_t umask_value : {mode_t{0}, mode_t{022}, mode_t{077}}) {
    for (const Case& c : cases) {
      const std::string base = unique_name();
      const std::string name = c.global ? global(base) : base;
      const std::string file = user_a().home + "/" + base + ".bin";
      EXPECT_EQ(run_as(user_a(),
                       [&] {
                         return modes_of_new_file_segment(file, c.named ? name.c_str() : nullptr, c.flags, umask_value);
                       }),
                c.expected)
          << "umask " << std::oct << umask_value << ", flags " << std::hex << c.flags << (c.global ? ", Global" : "")
          << (c.named ? "" : ", unnamed");
    }
  }
  // A file that exists keeps its mode.
  EXPECT_EQ(run_as(user_a(),
                   [&] {
                     const std::string file = user_a().home + "/existing.bin";
                     if (make_file(file, std::string(kFileBytes, 'e'), 0640) != "ok") return std::string("no file");
                     const std::string modes = modes_of_new_file_segment(file, nullptr, SHMLINK_SHARE_ALL_USERS, 0);
                     unlink(file.c_str());
                     return modes;
                   }),
            "file 0640 object -");
}

// In a child: opens the segment, writes `text` at its start and says how that went.
std::string write_into(const std::string& name, const std::string& text) {
  shmlink_handle segment = 0;
  const shmlink_status status = shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ_WRITE, &segment);
  if (status != SHMLINK_OK) return status_text(status);
  shmlink_handle view = 0;
  void* address = nullptr;
  const shmlink_status mapped = shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address);
  if (mapped == SHMLINK_OK) {
    std::memcpy(address, text.data(), text.size());
    shmlink_close(view);
  }
  shmlink_close(segment);
  return status_text(mapped);
}

// A process of `owner` that holds a segment `name` made with `flags` (from `file` if not empty)
// and, when told, says what its first bytes hold.
class HeldSegment {
 public:
  HeldSegment(const TestUser& owner, const std::string& name, const std::string& file, uint32_t flags)
      : process_(owner, [=](UserProcess& self) {
          shmlink_handle segment = 0;
          const shmlink_status status =
              file.empty() ? shmlink_segment_create(name.c_str(), kFileBytes, flags, &segment)
                           : shmlink_segment_from_file(file.c_str(), name.c_str(), kFileBytes,
                                                       SHMLINK_ACCESS_READ_WRITE, flags, &segment);
          self.say(status_text(status));
          shmlink_handle view = 0;
          void* address = nullptr;
          if (status != SHMLINK_OK || shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ, &view, &address) != SHMLINK_OK)
            return;
          while (self.hear() == "read") self.say(std::string(static_cast<const char*>(address), 12));
          shmlink_close(view);
          shmlink_close(segment);
        }) {}
  std::string created() { return process_.hear(); }
  std::string first_bytes() {
    process_.say("read");
    return process_.hear();
  }

 private:
  UserProcess process_;
};

TEST_F(TwoUsers, WhatTheShareFlagsGrantStillWorks) {
  // A's segments in memory and in a file of A's, shared with everyone: B writes, A reads.
  {
    const std::string name = global(unique_name());
    HeldSegment a(user_a(), name, "", SHMLINK_SHARE_ALL_USERS);
    ASSERT_EQ(a.created(), "SHMLINK_OK");
    EXPECT_EQ(run_as(user_b(), [&] { return write_into(name, "hello from B"); }), "SHMLINK_OK");
    EXPECT_EQ(a.first_bytes(), "hello from B");
  }
  {
    const std::string name = global(unique_name());
    const std::string file = user_a().home + "/" + unique_name() + ".bin";
    HeldSegment a(user_a(), name, file, SHMLINK_SHARE_ALL_USERS);
    ASSERT_EQ(a.created(), "SHMLINK_OK");
    EXPECT_EQ(run_as(user_b(), [&] { return write_into(name, "hello from B"); }), "SHMLINK_OK");
    EXPECT_EQ(a.first_bytes(), "hello from B");
    EXPECT_EQ(first_word(run_as(user_b(), [&] { return open_read_only(name); })), "SHMLINK_OK");
    unlink(file.c_str());
  }
  // B's own file-backed segment: A opens and writes it (B's data, in B's file).
  {
    const std::string name = global(unique_name());
    const std::string file = user_b().home + "/" + unique_name() + ".bin";
    HeldSegment b(user_b(), name, file, SHMLINK_SHARE_ALL_USERS);
    ASSERT_EQ(b.created(), "SHMLINK_OK");
    EXPECT_EQ(run_as(user_a(), [&] { return write_into(name, "hello from A"); }), "SHMLINK_OK");
    EXPECT_EQ(b.first_bytes(), "hello from A");
    unlink(file.c_str());
  }
  // Without share flags B gets nothing, neither the segment nor its file.
  {
    const std::string name = global(unique_name());
    const std::string file = user_a().home + "/" + unique_name() + ".bin";
    HeldSegment a(user_a(), name, file, 0);
    ASSERT_EQ(a.created(), "SHMLINK_OK");
    EXPECT_EQ(first_word(run_as(user_b(), [&] { return open_read_only(name); })), "SHMLINK_ERR_ACCESS_DENIED");
    EXPECT_EQ(run_as(user_b(),
                     [&] {
                       const int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
                       if (fd >= 0) close(fd);
                       return fd >= 0 ? "B read A's file" : "refused";
                     }),
              "refused");
    unlink(file.c_str());
  }
}

}  // namespace
}  // namespace shmlink_test
