// Exported library functions: version, status names, errors, handle kinds, close.
#include "guard.h"

#include "../core/handle_table.h"
#include "../core/platform.h"

#define SHMLINK_STRINGIFY2(x) #x
#define SHMLINK_STRINGIFY(x) SHMLINK_STRINGIFY2(x)

using namespace shmlink;

extern "C" {

SHMLINK_API uint32_t SHMLINK_CALL shmlink_version_number(void) { return SHMLINK_VERSION_NUMBER; }

SHMLINK_API const char* SHMLINK_CALL shmlink_version_string(void) {
  return SHMLINK_STRINGIFY(SHMLINK_VERSION_MAJOR) "." SHMLINK_STRINGIFY(SHMLINK_VERSION_MINOR) "." SHMLINK_STRINGIFY(
      SHMLINK_VERSION_PATCH);
}

SHMLINK_API const char* SHMLINK_CALL shmlink_status_name(shmlink_status status) { return status_name(status); }

SHMLINK_API const char* SHMLINK_CALL shmlink_last_error_message(void) { return last_error_message(); }

SHMLINK_API int32_t SHMLINK_CALL shmlink_last_os_error(void) { return last_os_error(); }

SHMLINK_API uint64_t SHMLINK_CALL shmlink_allocation_granularity(void) { return allocation_granularity(); }

SHMLINK_API int32_t SHMLINK_CALL shmlink_handle_kind(shmlink_handle handle) {
  return guarded("shmlink_handle_kind", nullptr, [&]() -> int32_t {
    const HandleTable::Use use = handle_table().find(handle);
    if (const char* problem = handle_problem(handle, static_cast<bool>(use)))
      return bad_handle("shmlink_handle_kind", problem);
    return use.get()->kind();
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_close(shmlink_handle handle) {
  return guarded("shmlink_close", nullptr, [&] {
    // Releases the OS object now, unless another thread is still using it.
    const bool closed = handle_table().remove(handle);
    if (const char* problem = handle_problem(handle, closed)) return bad_handle("shmlink_close", problem);
    return SHMLINK_OK;
  });
}

}  // extern "C"
