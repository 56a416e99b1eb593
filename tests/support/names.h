// Object names unique to this test process and test, and the check that no test leaves an
// object behind: a gtest Environment whose TearDown fails (Linux) if anything with this
// process's name prefix is still in /dev/shm.
#pragma once

#include <string>

namespace shmlink_test {

// "gt<pid>-": every name unique_name() makes starts with it.
const std::string& name_prefix();

// A fresh name (no namespace prefix) for the running test: name_prefix(), a counter and the
// test's name, e.g. "gt4242-7-OpenOrCreateReportsExisting".
std::string unique_name();

#ifndef _WIN32
// Where the Linux backend keeps the object of a Local\ (or unprefixed) name: object.<name> in
// this user's directory /dev/shm/shmlink.<euid> (or the first of /dev/shm/shmlink.<euid>.1 .. .7 that is
// this user's, if another user squatted the ones before; see dll/posix/named_object.cpp).
// Only Linux-only tests use these, to check what the library leaves in /dev/shm and with
// which permissions.
std::string local_object_path(const std::string& base_name);
std::string global_object_path(const std::string& base_name);
bool path_exists(const std::string& path);

// The per-user directories the library tries, in order: slot 0 is /dev/shm/shmlink.<uid>,
// slot n > 0 /dev/shm/shmlink.<uid>.<n>. As many as named_object.cpp's kLocalDirectorySlots.
inline constexpr int kLocalDirectorySlots = 8;
std::string local_directory_slot(unsigned uid, int slot);
// The one this user's Local\ objects are in: the first slot that is a directory of this user
// (slot 0 if none is).
std::string local_directory();

// How many of this process's descriptors are unnamed objects' files of `kind` (the memfds
// named "shmlink.unnamed.<kind>": "signal", "segment", ...).
int unnamed_object_files(const std::string& kind);
#endif

}  // namespace shmlink_test
