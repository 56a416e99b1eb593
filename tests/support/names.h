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
// Where the Linux backend keeps the object of a Local\ (or unprefixed) name. Only Linux-only
// tests use it, to check what the library leaves in /dev/shm and with which permissions.
std::string local_object_path(const std::string& base_name);
std::string global_object_path(const std::string& base_name);
bool path_exists(const std::string& path);
#endif

}  // namespace shmlink_test
