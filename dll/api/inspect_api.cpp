// Exported inspection functions (since 1.4): list, describe, remove, collect.
#include "guard.h"

#include "../core/inspect.h"

#include <cstddef>
#include <cstring>

using namespace shmlink;

namespace {

// The size of the description in 1.4, the first version: callers built against a later
// header pass more, never less.
constexpr uint32_t kFirstDescriptionBytes = 688;
static_assert(sizeof(shmlink_object_description) == kFirstDescriptionBytes,
              "a grown description keeps its 1.4 prefix: update kFirstDescriptionBytes only when appending");

// Copies as much of `description` as the caller's struct holds, and says how much that was.
void copy_out(const shmlink_object_description& description, void* out, uint32_t out_bytes) {
  const uint32_t filled = out_bytes < sizeof description ? out_bytes : static_cast<uint32_t>(sizeof description);
  std::memset(out, 0, out_bytes);
  std::memcpy(out, &description, filled);
  std::memcpy(out, &filled, sizeof filled);  // struct_size: the bytes filled
}

}  // namespace

extern "C" {

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_object_list(uint32_t flags, void* out_descriptions,
                                                          uint32_t element_size, uint32_t capacity,
                                                          uint32_t* out_count) {
  return guarded("shmlink_object_list", nullptr, [&] {
    require_output(out_count, "out_count");
    check_flags(flags, SHMLINK_LIST_ALL_USERS);
    if (capacity > 0 && out_descriptions == nullptr)
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "out_descriptions is NULL with a capacity above 0");
    if (capacity > 0 && element_size < kFirstDescriptionBytes)
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "element_size is below sizeof(shmlink_object_description) of 1.4 (688)");
    const std::vector<shmlink_object_description> found = list_objects(flags);
    const std::size_t filled = found.size() < capacity ? found.size() : capacity;
    for (std::size_t i = 0; i < filled; ++i)
      copy_out(found[i], static_cast<unsigned char*>(out_descriptions) + i * element_size, element_size);
    *out_count = static_cast<uint32_t>(found.size());
    if (found.size() > capacity)
      fail(SHMLINK_ERR_BUFFER_TOO_SMALL, std::to_string(found.size()) + " objects, room for " +
                                             std::to_string(capacity));
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_object_describe(const char* name,
                                                              shmlink_object_description* out_description) {
  return guarded("shmlink_object_describe", name, [&] {
    require_output(out_description, "out_description");
    const uint32_t out_bytes = out_description->struct_size;
    if (out_bytes < kFirstDescriptionBytes)
      fail(SHMLINK_ERR_INVALID_ARGUMENT,
           "out_description->struct_size is " + std::to_string(out_bytes) +
               "; set it to sizeof(shmlink_object_description) (688 or more)");
    const shmlink_object_description description = describe_object(parse_name(name));
    copy_out(description, out_description, out_bytes);
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_object_remove(const char* name, uint32_t flags) {
  return guarded("shmlink_object_remove", name, [&] {
    check_flags(flags, SHMLINK_REMOVE_FORCE);
    remove_named_object(parse_name(name), (flags & SHMLINK_REMOVE_FORCE) != 0);
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_object_collect(uint32_t flags, uint32_t* out_removed) {
  return guarded("shmlink_object_collect", nullptr, [&] {
    check_flags(flags, 0);
    const uint32_t removed = collect_dead_objects();
    if (out_removed != nullptr) *out_removed = removed;
    return SHMLINK_OK;
  });
}

}  // extern "C"
