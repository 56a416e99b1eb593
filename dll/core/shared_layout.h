// Compile-time checks for a structure that lives in shared memory, where 32-bit and 64-bit
// processes (x86_64, i686 Linux, i686 and x86_64 Windows) must see the same bytes. The
// expected values are literals, the same in every build, so a layout that differs between two
// architectures fails to compile in one of them. i686 Linux aligns a uint64_t inside a struct
// to 4 bytes only: 64-bit fields are alignas(8), which also keeps their atomic accesses whole.
#pragma once

#include <cstddef>
#include <type_traits>

// The size and alignment of `type`; it must be plain data.
#define SHMLINK_SHARED_LAYOUT(type, size, align)                                                                     \
  static_assert(std::is_standard_layout_v<type> && std::is_trivially_copyable_v<type>,                               \
                #type " lives in shared memory: plain fixed-width fields only");                                     \
  static_assert(sizeof(type) == (size), #type " is part of the shared layout: " #size " bytes on every architecture"); \
  static_assert(alignof(type) == (align), #type " is part of the shared layout: aligned to " #align " everywhere")

// The offset of one field of `type`.
#define SHMLINK_SHARED_FIELD(type, field, offset) \
  static_assert(offsetof(type, field) == (offset), #type "::" #field " is part of the shared layout: at " #offset)
