#include "name.h"

#include "error.h"

#include <cstring>

namespace shmlink {
namespace {

constexpr char kLocalPrefix[] = "Local\\";
constexpr char kGlobalPrefix[] = "Global\\";

bool starts_with(const std::string& text, const char* prefix) {
  return text.compare(0, std::strlen(prefix), prefix) == 0;
}

// Length of the UTF-8 sequence starting at text[i], or 0 if it is malformed (overlong forms,
// surrogates and code points past U+10FFFF included), so that both backends see the same
// names as valid: Windows must convert them to UTF-16.
std::size_t utf8_sequence_length(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length;
  uint32_t code_point;
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) { length = 2; code_point = lead & 0x1Fu; }
  else if ((lead & 0xF0) == 0xE0) { length = 3; code_point = lead & 0x0Fu; }
  else if ((lead & 0xF8) == 0xF0) { length = 4; code_point = lead & 0x07u; }
  else return 0;
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3Fu);
  }
  static const uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kSmallest[length] || code_point > 0x10FFFF) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  return length;
}

}  // namespace

ObjectName parse_name(const char* text) {
  if (text == nullptr) fail(SHMLINK_ERR_INVALID_ARGUMENT, "name is NULL");
  std::string full(text);
  ObjectName name;
  if (starts_with(full, kLocalPrefix)) {
    name.base = full.substr(std::strlen(kLocalPrefix));
  } else if (starts_with(full, kGlobalPrefix)) {
    name.scope = Namespace::Global;
    name.base = full.substr(std::strlen(kGlobalPrefix));
  } else {
    name.base = full;
  }
  if (name.base.empty()) fail(SHMLINK_ERR_INVALID_NAME, "the name is empty");
  if (name.base.size() > kMaxNameBytes)
    fail(SHMLINK_ERR_INVALID_NAME, "the name is " + std::to_string(name.base.size()) +
                                       " bytes long; at most 200 are allowed after the prefix");
  for (std::size_t i = 0; i < name.base.size();) {
    const unsigned char c = static_cast<unsigned char>(name.base[i]);
    if (c == '/' || c == '\\') fail(SHMLINK_ERR_INVALID_NAME, "names may not contain '/' or '\\'");
    if (c < 0x20 || c == 0x7F) fail(SHMLINK_ERR_INVALID_NAME, "names may not contain control characters");
    const std::size_t length = utf8_sequence_length(name.base, i);
    if (length == 0) fail(SHMLINK_ERR_INVALID_NAME, "the name is not valid UTF-8");
    i += length;
  }
  return name;
}

}  // namespace shmlink
