// The security of a new named kernel object, from the share flags (SHMLINK_SHARE_*).
#pragma once

#include <windows.h>

#include <cstdint>

namespace shmlink::win32 {

class ObjectSecurity {
 public:
  // Without a share flag the object gets the default security (the creator's default DACL,
  // as with NULL security attributes): only the creating user (and SYSTEM, administrators)
  // may open it. With SHMLINK_SHARE_GROUP the creator's primary group, with
  // SHMLINK_SHARE_ALL_USERS everyone, also gets `shared_access`; the creating user and
  // SYSTEM get `owner_access`. Throws Failure.
  ObjectSecurity(uint32_t flags, ACCESS_MASK owner_access, ACCESS_MASK shared_access);
  ~ObjectSecurity();
  ObjectSecurity(const ObjectSecurity&) = delete;
  ObjectSecurity& operator=(const ObjectSecurity&) = delete;

  // For the create call: null means default security.
  SECURITY_ATTRIBUTES* attributes() noexcept { return descriptor_ != nullptr ? &attributes_ : nullptr; }

 private:
  PSECURITY_DESCRIPTOR descriptor_ = nullptr;  // LocalAlloc'ed by the SDDL conversion
  SECURITY_ATTRIBUTES attributes_{};
};

}  // namespace shmlink::win32
