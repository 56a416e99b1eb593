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
    shmlink_signal_create,
    shmlink_signal_open,
    shmlink_signal_set,
    shmlink_signal_reset,
    shmlink_mutex_create,
    shmlink_mutex_open,
    shmlink_mutex_lock,
    shmlink_mutex_unlock,
    shmlink_semaphore_create,
    shmlink_semaphore_open,
    shmlink_semaphore_release,
    shmlink_wait,
    shmlink_wait_any,
    shmlink_channel_create,
    shmlink_channel_open,
    shmlink_channel_send,
    shmlink_channel_receive,
    shmlink_channel_reserve,
    shmlink_channel_commit,
    shmlink_channel_peek,
    shmlink_channel_consume,
    shmlink_channel_cancel,
    shmlink_channel_info,
    shmlink_release_range,
    shmlink_channel_waitable,
    shmlink_channel_receive_whole,
    shmlink_map_at,
    shmlink_channel_send_batch,
    shmlink_channel_receive_batch,
    shmlink_channel_reserve_batch,
    shmlink_channel_commit_batch,
    shmlink_channel_peek_batch,
    shmlink_channel_consume_batch,
    shmlink_object_list,
    shmlink_object_describe,
    shmlink_object_remove,
    shmlink_object_collect,
    shmlink_handle_share,
    shmlink_handle_unshare,
    shmlink_handle_from_token,
    shmlink_find_free_range,
    shmlink_channel_lost,
};

}  // namespace

extern "C" SHMLINK_API const shmlink_api* SHMLINK_CALL shmlink_get_api(uint32_t abi_major) {
  return abi_major == SHMLINK_ABI_MAJOR ? &kApiV1 : nullptr;
}
