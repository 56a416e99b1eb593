// Where shmlink_find_free_range first looks, on either OS (the backends then ask the OS for a
// free range there, or anywhere if that is taken).
#pragma once

#include <cstdint>

namespace shmlink {

// A random multiple of `granularity` for `length` bytes between the sanitizers' shadow memory
// and where position-independent programs are loaded (0x5555...), below the shared libraries
// and the OS's own choices (0x7f...): a range ordinary processes leave empty, so that another
// process likely has it free too; random, so that two programs doing this do not meet. 0
// (let the OS choose) on 32-bit systems and for lengths of a TiB or more.
uintptr_t free_range_hint(uint64_t length, uint64_t granularity);

}  // namespace shmlink
