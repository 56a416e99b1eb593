// shmlink_get_api: the function table for runtime loaders (LoadLibrary / dlopen users).
#include <shmlink/shmlink.h>

namespace {

// Members are only ever appended; the order here is the ABI.
const shmlink_api kApiV1 = {
    sizeof(shmlink_api),
    SHMLINK_VERSION_NUMBER,
    shmlink_version_number,
    shmlink_version_string,
    shmlink_status_name,
    shmlink_last_error_message,
    shmlink_last_os_error,
    shmlink_allocation_granularity,
    shmlink_handle_kind,
    shmlink_close,
    shmlink_segment_create,
    shmlink_segment_open,
    shmlink_segment_from_file,
    shmlink_segment_size,
    shmlink_map,
    shmlink_unmap,
    shmlink_flush,
    shmlink_view_info,
};

}  // namespace

extern "C" SHMLINK_API const shmlink_api* SHMLINK_CALL shmlink_get_api(uint32_t abi_major) {
  return abi_major == SHMLINK_ABI_MAJOR ? &kApiV1 : nullptr;
}
