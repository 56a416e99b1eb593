// Exported segment and view functions: argument checks, handle lookup, status mapping.
#include "guard.h"

#include "../core/handle_table.h"
#include "../core/platform.h"
#include "../core/kept_ranges.h"
#include "../core/segment.h"

#include <cstdio>
#include <string>

using namespace shmlink;

namespace {

constexpr uint32_t kShareFlags = SHMLINK_SHARE_GROUP | SHMLINK_SHARE_ALL_USERS;
constexpr uint32_t kSegmentCreateFlags = SHMLINK_OPEN_OR_CREATE | kShareFlags;
constexpr char kUnnamed[] = "(unnamed)";  // an unnamed segment's name in messages

shmlink_handle insert_segment(std::shared_ptr<SegmentBacking> backing, std::string name) {
  return handle_table().insert(std::make_shared<SegmentObject>(std::move(backing), std::move(name)));
}

// How a view tells its user that some of what was read through it were zeros standing in for
// pages another process cut off (see shmlink_view_info in shmlink.h).
void fail_if_truncated(const ViewObject& view) {
  if (view.truncated())
    fail(SHMLINK_ERR_CORRUPT, "the segment's file was truncated by another process while this view was mapped: "
                              "the view reads zeros from the first lost page to its end");
}

// The view shmlink_map and shmlink_map_at make (`at` null: anywhere). Throws Failure; a
// failure of the mapping names the segment, since the calls take only a handle.
std::shared_ptr<ViewObject> map_segment(shmlink_handle segment, uint64_t offset, uint64_t length, uint32_t access,
                                        void* at) {
  const bool keep_range = (access & SHMLINK_MAP_KEEP_RANGE) != 0;
  const Access parsed_access = parse_access(access & ~SHMLINK_MAP_KEEP_RANGE);
  std::string why;
  const auto object = find_as<SegmentObject>(segment, SHMLINK_KIND_SEGMENT, "segment", &why);
  if (!object) fail(SHMLINK_ERR_BAD_HANDLE, why);
  try {
    return map_view(*object, offset, length, parsed_access, keep_range, at);
  } catch (const Failure& failure) {
    throw Failure(failure.status(), "segment \"" + object->name() + "\": " + failure.detail(), failure.os_error(),
                  failure.os_text());
  }
}

}  // namespace

extern "C" {

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_segment_create(const char* name, uint64_t size, uint32_t flags,
                                                               shmlink_handle* out_segment) {
  clear_handle(out_segment);
  return guarded("shmlink_segment_create", name, [&] {
    require_output(out_segment, "out_segment");
    if (name == nullptr) {
      check_flags(flags, 0);  // unnamed: nothing to open or to share by name
      if (size == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "size 0: a segment needs at least one byte");
      *out_segment = insert_segment(platform_create_unnamed_segment(size), kUnnamed);
      return SHMLINK_OK;
    }
    const ObjectName parsed = parse_name(name);
    check_flags(flags, kSegmentCreateFlags);
    if (size == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "size 0: a segment needs at least one byte");
    OpenedSegment opened = platform_create_segment(parsed, size, flags);
    *out_segment = insert_segment(std::move(opened.backing), name);
    return opened.existed ? SHMLINK_EXISTED : SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_segment_open(const char* name, uint32_t access,
                                                             shmlink_handle* out_segment) {
  clear_handle(out_segment);
  return guarded("shmlink_segment_open", name, [&] {
    require_output(out_segment, "out_segment");
    const ObjectName parsed = parse_name(name);
    const Access parsed_access = parse_access(access);
    *out_segment = insert_segment(platform_open_segment(parsed, parsed_access), name);
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_segment_from_file(const char* path, const char* name, uint64_t size,
                                                                  uint32_t access, uint32_t flags,
                                                                  shmlink_handle* out_segment) {
  clear_handle(out_segment);
  return guarded("shmlink_segment_from_file", path, [&] {
    require_output(out_segment, "out_segment");
    if (path == nullptr) fail(SHMLINK_ERR_INVALID_ARGUMENT, "path is NULL");
    if (path[0] == '\0') fail(SHMLINK_ERR_INVALID_ARGUMENT, "path is empty");
    const Access parsed_access = parse_access(access);
    ObjectName parsed;
    if (name != nullptr) {
      parsed = parse_name(name);
      check_flags(flags, kSegmentCreateFlags);
    } else {
      check_flags(flags, kShareFlags);  // an unnamed segment cannot be opened or created by name
    }
    OpenedSegment opened =
        platform_segment_from_file(path, name != nullptr ? &parsed : nullptr, size, parsed_access, flags);
    *out_segment = insert_segment(std::move(opened.backing), name != nullptr ? name : kUnnamed);
    return opened.existed ? SHMLINK_EXISTED : SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_segment_size(shmlink_handle segment, uint64_t* out_size) {
  return guarded("shmlink_segment_size", nullptr, [&] {
    require_output(out_size, "out_size");
    std::string why;
    const auto object = find_as<SegmentObject>(segment, SHMLINK_KIND_SEGMENT, "segment", &why);
    if (!object) return bad_handle("shmlink_segment_size", why);
    *out_size = object->backing()->size();
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_map(shmlink_handle segment, uint64_t offset, uint64_t length,
                                                    uint32_t access, shmlink_handle* out_view, void** out_address) {
  clear_handle(out_view);
  return guarded("shmlink_map", nullptr, [&] {
    require_output(out_view, "out_view");
    require_output(out_address, "out_address");
    const std::shared_ptr<ViewObject> view = map_segment(segment, offset, length, access, nullptr);
    void* address = view->address();
    *out_view = handle_table().insert(view);
    *out_address = address;
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_map_at(shmlink_handle segment, uint64_t offset, uint64_t length,
                                                       uint32_t access, void* address, shmlink_handle* out_view) {
  clear_handle(out_view);
  return guarded("shmlink_map_at", nullptr, [&] {
    require_output(out_view, "out_view");
    if (address == nullptr) fail(SHMLINK_ERR_INVALID_ARGUMENT, "address is NULL: use shmlink_map to map anywhere");
    *out_view = handle_table().insert(map_segment(segment, offset, length, access, address));
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_unmap(shmlink_handle view) {
  return guarded("shmlink_unmap", nullptr, [&] {
    std::string why;
    if (!find_as<ViewObject>(view, SHMLINK_KIND_VIEW, "view", &why)) return bad_handle("shmlink_unmap", why);
    // The kind is checked before removing; another thread may have closed it since.
    if (!handle_table().remove(view)) return bad_handle("shmlink_unmap", "the view was closed by another thread");
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_release_range(void* address) {
  return guarded("shmlink_release_range", nullptr, [&] {
    if (address == nullptr) fail(SHMLINK_ERR_INVALID_ARGUMENT, "address is NULL");
    release_placeholder(address);
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_flush(shmlink_handle view) {
  return guarded("shmlink_flush", nullptr, [&] {
    std::string why;
    const auto object = find_as<ViewObject>(view, SHMLINK_KIND_VIEW, "view", &why);
    if (!object) return bad_handle("shmlink_flush", why);
    fail_if_truncated(*object);
    object->flush();
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_view_info(shmlink_handle view, void** out_address,
                                                          uint64_t* out_length) {
  return guarded("shmlink_view_info", nullptr, [&] {
    if (out_address == nullptr && out_length == nullptr)
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "out_address and out_length are both NULL");
    std::string why;
    const auto object = find_as<ViewObject>(view, SHMLINK_KIND_VIEW, "view", &why);
    if (!object) return bad_handle("shmlink_view_info", why);
    fail_if_truncated(*object);
    if (out_address != nullptr) *out_address = object->address();
    if (out_length != nullptr) *out_length = object->length();
    return SHMLINK_OK;
  });
}

}  // extern "C"
