// Object names as the Windows kernel sees them: "Local\base" or "Global\base" in UTF-16.
// The name is the kernel object's own name, so programs that call CreateFileMappingW or
// CreateEventW with the same name meet the same object.
#pragma once

#include "../core/name.h"

#include <string>

namespace shmlink::win32 {

// Throws Failure(INVALID_NAME) if the base is not valid UTF-8 (parse_name checks it too;
// this is the conversion's own check).
std::wstring kernel_object_name(const ObjectName& name);

}  // namespace shmlink::win32
