// The security of a new named kernel object, from the share flags (SHMLINK_SHARE_*).
#pragma once

#include <windows.h>

#include <cstdint>

namespace shmlink::win32 {

class ObjectSecurity {
 public:
  // The creating user and SYSTEM get `owner_access`; with SHMLINK_SHARE_GROUP the creator's
  // primary group, with SHMLINK_SHARE_ALL_USERS everyone, also gets `shared_access`; nobody
  // else anything. Always an explicit DACL, never the default security of NULL attributes:
  // Wine gives an object created so no DACL at all (open to everyone), and on Windows the
  // token's default DACL may name more than the user. Throws Failure.
  ObjectSecurity(uint32_t flags, ACCESS_MASK owner_access, ACCESS_MASK shared_access);
  ~ObjectSecurity();
  ObjectSecurity(const ObjectSecurity&) = delete;
  ObjectSecurity& operator=(const ObjectSecurity&) = delete;

  // For the create call.
  SECURITY_ATTRIBUTES* attributes() noexcept { return descriptor_ != nullptr ? &attributes_ : nullptr; }

 private:
  PSECURITY_DESCRIPTOR descriptor_ = nullptr;  // LocalAlloc'ed by the SDDL conversion
  SECURITY_ATTRIBUTES attributes_{};
};

}  // namespace shmlink::win32
