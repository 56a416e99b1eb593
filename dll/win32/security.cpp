#include "security.h"

#include "os_error.h"
#include "unique_handle.h"

#include <shmlink/shmlink.h>

#include <sddl.h>

#include <cwchar>
#include <string>
#include <vector>

namespace shmlink::win32 {
namespace {

// The token objects are created under: the thread's while it impersonates, else the
// process's (the kernel makes the same choice for the new object's owner).
UniqueHandle open_effective_token() {
  HANDLE token = nullptr;
  if (OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token)) return UniqueHandle(token);
  const DWORD error = GetLastError();
  if (error != ERROR_NO_TOKEN) throw_win32(error, "OpenThreadToken");
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) throw_win32(GetLastError(), "OpenProcessToken");
  return UniqueHandle(token);
}

std::vector<unsigned char> token_information(HANDLE token, TOKEN_INFORMATION_CLASS what) {
  DWORD needed = 0;
  // The first call only asks for the size; it fails with ERROR_INSUFFICIENT_BUFFER.
  if (!GetTokenInformation(token, what, nullptr, 0, &needed) && GetLastError() != ERROR_INSUFFICIENT_BUFFER)
    throw_win32(GetLastError(), "GetTokenInformation");
  if (needed == 0) fail(SHMLINK_ERR_SYSTEM, "GetTokenInformation reported an empty result");
  std::vector<unsigned char> buffer(needed);  // new[] storage is aligned for any of the structs
  if (!GetTokenInformation(token, what, buffer.data(), needed, &needed))
    throw_win32(GetLastError(), "GetTokenInformation");
  return buffer;
}

std::wstring sid_string(PSID sid) {
  LPWSTR text = nullptr;
  if (!ConvertSidToStringSidW(sid, &text)) throw_win32(GetLastError(), "ConvertSidToStringSidW");
  std::wstring result;
  try {
    result = text;
  } catch (...) {
    LocalFree(text);
    throw;
  }
  LocalFree(text);
  return result;
}

std::wstring hex_rights(ACCESS_MASK rights) {
  wchar_t text[16];
  std::swprintf(text, sizeof text / sizeof text[0], L"0x%lX", static_cast<unsigned long>(rights));
  return text;
}

std::wstring allow(ACCESS_MASK rights, const std::wstring& sid) { return L"(A;;" + hex_rights(rights) + L";;;" + sid + L")"; }

}  // namespace

ObjectSecurity::ObjectSecurity(uint32_t flags, ACCESS_MASK owner_access, ACCESS_MASK shared_access) {
  const UniqueHandle token = open_effective_token();
  const std::vector<unsigned char> user = token_information(token.get(), TokenUser);
  const std::wstring user_sid = sid_string(reinterpret_cast<const TOKEN_USER*>(user.data())->User.Sid);
  std::wstring shared_sid;  // empty: shared with nobody
  if (flags & SHMLINK_SHARE_ALL_USERS) {
    shared_sid = L"WD";  // Everyone
  } else if (flags & SHMLINK_SHARE_GROUP) {
    // The Windows counterpart of a Unix group: the token's primary group ("None" on a
    // stand-alone machine, "Domain Users" in a domain).
    const std::vector<unsigned char> group = token_information(token.get(), TokenPrimaryGroup);
    shared_sid = sid_string(reinterpret_cast<const TOKEN_PRIMARY_GROUP*>(group.data())->PrimaryGroup);
  }
  // Explicit rights rather than GA/GR/GW: what a generic right means depends on the object
  // type, and these are granted exactly as written.
  std::wstring sddl = std::wstring(L"D:") + allow(owner_access, L"SY") + allow(owner_access, user_sid);
  if (!shared_sid.empty()) sddl += allow(shared_access, shared_sid);
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &descriptor_, nullptr))
    throw_win32(GetLastError(), "ConvertStringSecurityDescriptorToSecurityDescriptorW");
  attributes_.nLength = sizeof attributes_;
  attributes_.lpSecurityDescriptor = descriptor_;
  attributes_.bInheritHandle = FALSE;
}

ObjectSecurity::~ObjectSecurity() {
  if (descriptor_ != nullptr) LocalFree(descriptor_);
}

}  // namespace shmlink::win32
