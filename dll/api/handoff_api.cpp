// Exported functions that hand objects to other processes (shmlink_handle_share and the
// rest): argument checks and handle lookup; the OS work is the backend's (platform.h).
#include "guard.h"

#include "../core/handle_table.h"
#include "../core/object_header.h"
#include "../core/platform.h"
#include "../core/segment.h"

#include <cstring>
#include <string>

using namespace shmlink;

namespace {

constexpr uint32_t kHandoffFlags = SHMLINK_HANDOFF_READ_ONLY | SHMLINK_HANDOFF_RUNNING_PROCESS;
constexpr char kReceived[] = "(handed over)";  // a received segment's name in messages

}  // namespace

extern "C" {

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_handle_share(shmlink_handle handle, uint32_t flags, char* out_token,
                                                             uint32_t capacity, uint32_t* out_length) {
  return guarded("shmlink_handle_share", nullptr, [&] {
    require_output(out_token, "out_token");
    check_flags(flags, kHandoffFlags);
    HandleTable::Use use = handle_table().find(handle);
    if (const char* problem = handle_problem(handle, static_cast<bool>(use))) fail(SHMLINK_ERR_BAD_HANDLE, problem);
    if (use.get()->kind() != SHMLINK_KIND_SEGMENT)
      fail(SHMLINK_ERR_NOT_SUPPORTED, std::string("a ") + kind_name(use.get()->kind()) +
                                          " cannot be handed on (only segments; named objects can be opened by name)");
    auto* segment = static_cast<SegmentObject*>(use.get());
    const std::string token = platform_share_segment(*segment->backing(), flags);
    if (out_length != nullptr) *out_length = static_cast<uint32_t>(token.size());
    if (token.size() >= capacity) {
      platform_unshare(token.c_str());  // a failure leaves nothing shared
      fail(SHMLINK_ERR_BUFFER_TOO_SMALL, "the token needs " + std::to_string(token.size() + 1) +
                                             " bytes (SHMLINK_TOKEN_MAX_BYTES always suffice)");
    }
    std::memcpy(out_token, token.c_str(), token.size() + 1);
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_handle_unshare(const char* token) {
  return guarded("shmlink_handle_unshare", nullptr, [&] {
    if (token == nullptr) fail(SHMLINK_ERR_INVALID_ARGUMENT, "token is NULL");
    platform_unshare(token);
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_handle_from_token(const char* token, uint32_t flags,
                                                                  shmlink_handle* out_handle) {
  clear_handle(out_handle);
  return guarded("shmlink_handle_from_token", nullptr, [&] {
    require_output(out_handle, "out_handle");
    if (token == nullptr) fail(SHMLINK_ERR_INVALID_ARGUMENT, "token is NULL");
    check_flags(flags, kHandoffFlags);
    std::shared_ptr<SegmentBacking> backing = platform_segment_from_token(token, flags);
    *out_handle = handle_table().insert(std::make_shared<SegmentObject>(std::move(backing), kReceived));
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_find_free_range(uint64_t size, void** out_address) {
  return guarded("shmlink_find_free_range", nullptr, [&] {
    require_output(out_address, "out_address");
    if (size == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "size 0");
    *out_address = platform_find_free_range(size);
    return SHMLINK_OK;
  });
}

}  // extern "C"
