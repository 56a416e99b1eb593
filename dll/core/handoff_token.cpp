#include "handoff_token.h"

#include "error.h"

#include <shmlink/shmlink.h>

#include <cstring>

namespace shmlink {
namespace {

[[noreturn]] void malformed(const std::string& why) {
  fail(SHMLINK_ERR_INVALID_ARGUMENT, "not a shmlink token: " + why);
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find(separator, start);
    fields.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return fields;
    start = end + 1;
  }
}

}  // namespace

std::vector<std::string> token_fields(const char* token, const char* os, size_t count) {
  size_t length = 0;
  while (length < SHMLINK_TOKEN_MAX_BYTES && token[length] != '\0') ++length;
  if (length == SHMLINK_TOKEN_MAX_BYTES) malformed("longer than any token");
  std::vector<std::string> fields = split(std::string(token, length), ':');
  if (fields.size() < 2 || fields[0] != kTokenPrefix) malformed("it does not start with shmlink1:");
  if (fields[1] != os) malformed("it was made on another operating system");
  if (fields.size() != count + 2) malformed("wrong number of fields");
  fields.erase(fields.begin(), fields.begin() + 2);
  return fields;
}

uint64_t token_number(const std::string& field, uint64_t maximum, const char* what) {
  if (field.empty() || field.size() > 20) malformed(std::string("bad ") + what);
  uint64_t value = 0;
  for (const char c : field) {
    if (c < '0' || c > '9') malformed(std::string("bad ") + what);
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) malformed(std::string(what) + " out of range");
    value = value * 10 + digit;
  }
  if (value > maximum) malformed(std::string(what) + " out of range");
  return value;
}

Access token_access(const std::string& field) {
  if (field == "w") return Access::ReadWrite;
  if (field == "c") return Access::CopyOnWrite;
  if (field == "r") return Access::Read;
  malformed("bad access");
}

char token_access_letter(Access access) {
  switch (access) {
    case Access::ReadWrite: return 'w';
    case Access::CopyOnWrite: return 'c';
    case Access::Read: break;
  }
  return 'r';
}

std::string make_token(const char* os, const std::vector<std::string>& fields) {
  std::string token = std::string(kTokenPrefix) + ":" + os;
  for (const std::string& field : fields) token += ":" + field;
  if (token.size() >= SHMLINK_TOKEN_MAX_BYTES) fail(SHMLINK_ERR_SYSTEM, "a token did not fit");
  return token;
}

}  // namespace shmlink
