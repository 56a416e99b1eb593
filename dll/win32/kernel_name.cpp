#include "kernel_name.h"

#include "wide_string.h"

#include "../core/error.h"

namespace shmlink::win32 {

std::wstring kernel_object_name(const ObjectName& name) {
  std::wstring base;
  if (!utf8_to_wide(name.base, base)) fail(SHMLINK_ERR_INVALID_NAME, "the name is not valid UTF-8");
  // Always spell the prefix out: an unprefixed name means Local\ to Windows too, but saying
  // it keeps "x" and "Local\x" visibly the same object.
  return (name.scope == Namespace::Global ? L"Global\\" : L"Local\\") + base;
}

}  // namespace shmlink::win32
