// Inspection of named objects from outside (shmlink_object_*): the backend's part. Nothing
// here opens a handle, attaches to a channel or takes a lock of the lifetime protocol.
#pragma once

#include <shmlink/shmlink.h>

#include "name.h"

#include <cstdint>
#include <vector>

namespace shmlink {

// Every object the caller can see (SHMLINK_LIST_* flags), fully described.
std::vector<shmlink_object_description> list_objects(uint32_t flags);

// Describes the object `name`. Throws Failure: NOT_FOUND, SYSTEM.
shmlink_object_description describe_object(const ObjectName& name);

// See shmlink_object_remove. Throws Failure.
void remove_named_object(const ObjectName& name, bool force);

// See shmlink_object_collect: how many objects it removed.
uint32_t collect_dead_objects();

}  // namespace shmlink
