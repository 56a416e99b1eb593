// The text of a token that hands an object to another process (shmlink_handle_share):
//   shmlink1:<OS>:<field>:<field>:...
// OS is L (Linux) or W (Windows); each backend decides its fields (dll/posix/handoff_posix.cpp,
// dll/win32/handoff_win32.cpp). A token comes from a command line, an environment or a
// message: anyone may have written it, so every field is checked here before any is used.
#pragma once

#include "access.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace shmlink {

inline constexpr char kTokenPrefix[] = "shmlink1";

// The fields after "shmlink1:<os>:" of `token` (not null), which must be `count`. Throws
// Failure: INVALID_ARGUMENT for anything else (another OS's token included).
std::vector<std::string> token_fields(const char* token, const char* os, size_t count);

// A decimal field: digits only, at most `maximum`. Throws Failure(INVALID_ARGUMENT).
uint64_t token_number(const std::string& field, uint64_t maximum, const char* what);

// An access field: r, w or c. Throws Failure(INVALID_ARGUMENT).
Access token_access(const std::string& field);
char token_access_letter(Access access);

// "shmlink1:<os>:" followed by `fields`, joined with ':'.
std::string make_token(const char* os, const std::vector<std::string>& fields);

}  // namespace shmlink
