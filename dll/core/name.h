// Object names: the contract's rules, checked identically on every platform before any
// backend sees a name.
#pragma once

#include <string>

namespace shmlink {

enum class Namespace { Local, Global };

struct ObjectName {
  Namespace scope = Namespace::Local;
  std::string base;  // the part after the prefix: 1..200 bytes of valid UTF-8
};

inline constexpr std::size_t kMaxNameBytes = 200;

// Parses and checks `text`; throws Failure(SHMLINK_ERR_INVALID_NAME) saying which rule it
// breaks, or SHMLINK_ERR_INVALID_ARGUMENT for NULL.
ObjectName parse_name(const char* text);

}  // namespace shmlink
