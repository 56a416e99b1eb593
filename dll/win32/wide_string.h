// UTF-8 <-> UTF-16 for the W functions: the C ABI speaks UTF-8, Windows speaks UTF-16.
#pragma once

#include <string>

namespace shmlink::win32 {

// The UTF-16 form of `text`; false if it is not valid UTF-8 (MB_ERR_INVALID_CHARS) or too
// long for the conversion functions. `out` is unspecified on failure.
bool utf8_to_wide(const std::string& text, std::wstring& out);

// The UTF-8 form of `length` UTF-16 units at `text`; invalid UTF-16 becomes U+FFFD, since
// this is only used for text meant for people (messages from FormatMessageW).
std::string wide_to_utf8(const wchar_t* text, std::size_t length);

}  // namespace shmlink::win32
