#include "wide_string.h"

#include <windows.h>

#include <climits>

namespace shmlink::win32 {

bool utf8_to_wide(const std::string& text, std::wstring& out) {
  out.clear();
  if (text.empty()) return true;
  if (text.size() > static_cast<std::size_t>(INT_MAX)) return false;
  const int length = static_cast<int>(text.size());
  const int needed = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), length, nullptr, 0);
  if (needed <= 0) return false;
  out.resize(static_cast<std::size_t>(needed));
  const int written = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), length, out.data(), needed);
  if (written != needed) return false;
  return true;
}

std::string wide_to_utf8(const wchar_t* text, std::size_t length) {
  if (length == 0 || length > static_cast<std::size_t>(INT_MAX)) return {};
  const int units = static_cast<int>(length);
  const int needed = WideCharToMultiByte(CP_UTF8, 0, text, units, nullptr, 0, nullptr, nullptr);
  if (needed <= 0) return {};
  std::string out(static_cast<std::size_t>(needed), '\0');
  const int written = WideCharToMultiByte(CP_UTF8, 0, text, units, out.data(), needed, nullptr, nullptr);
  if (written <= 0) return {};
  out.resize(static_cast<std::size_t>(written));
  return out;
}

}  // namespace shmlink::win32
