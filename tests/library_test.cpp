// The library functions: version, status names, per-thread errors, granularity, get_api.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>

namespace shmlink_test {
namespace {

TEST(Library, VersionNumberMatchesTheHeaderMacros) {
  EXPECT_EQ(shmlink_version_number(), static_cast<uint32_t>(SHMLINK_VERSION_NUMBER));
  EXPECT_EQ(SHMLINK_VERSION_NUMBER,
            SHMLINK_VERSION_MAJOR * 10000 + SHMLINK_VERSION_MINOR * 100 + SHMLINK_VERSION_PATCH);
}

TEST(Library, VersionStringMatchesTheHeaderMacros) {
  const std::string expected = std::to_string(SHMLINK_VERSION_MAJOR) + "." + std::to_string(SHMLINK_VERSION_MINOR) +
                               "." + std::to_string(SHMLINK_VERSION_PATCH);
  ASSERT_NE(shmlink_version_string(), nullptr);
  EXPECT_EQ(std::string(shmlink_version_string()), expected);
  EXPECT_EQ(shmlink_version_string(), shmlink_version_string()) << "a static string";
}

TEST(Library, EveryStatusHasItsName) {
  const struct {
    shmlink_status status;
    const char* name;
  } statuses[] = {
      {SHMLINK_OK, "SHMLINK_OK"},
      {SHMLINK_ABANDONED, "SHMLINK_ABANDONED"},
      {SHMLINK_EXISTED, "SHMLINK_EXISTED"},
      {SHMLINK_ERR_INVALID_ARGUMENT, "SHMLINK_ERR_INVALID_ARGUMENT"},
      {SHMLINK_ERR_INVALID_NAME, "SHMLINK_ERR_INVALID_NAME"},
      {SHMLINK_ERR_NOT_FOUND, "SHMLINK_ERR_NOT_FOUND"},
      {SHMLINK_ERR_ALREADY_EXISTS, "SHMLINK_ERR_ALREADY_EXISTS"},
      {SHMLINK_ERR_WRONG_KIND, "SHMLINK_ERR_WRONG_KIND"},
      {SHMLINK_ERR_ACCESS_DENIED, "SHMLINK_ERR_ACCESS_DENIED"},
      {SHMLINK_ERR_BAD_HANDLE, "SHMLINK_ERR_BAD_HANDLE"},
      {SHMLINK_ERR_OUT_OF_RANGE, "SHMLINK_ERR_OUT_OF_RANGE"},
      {SHMLINK_ERR_TIMEOUT, "SHMLINK_ERR_TIMEOUT"},
      {SHMLINK_ERR_NO_RESOURCES, "SHMLINK_ERR_NO_RESOURCES"},
      {SHMLINK_ERR_TOO_LARGE, "SHMLINK_ERR_TOO_LARGE"},
      {SHMLINK_ERR_BUFFER_TOO_SMALL, "SHMLINK_ERR_BUFFER_TOO_SMALL"},
      {SHMLINK_ERR_CORRUPT, "SHMLINK_ERR_CORRUPT"},
      {SHMLINK_ERR_INCOMPATIBLE, "SHMLINK_ERR_INCOMPATIBLE"},
      {SHMLINK_ERR_NOT_OWNER, "SHMLINK_ERR_NOT_OWNER"},
      {SHMLINK_ERR_LIMIT_EXCEEDED, "SHMLINK_ERR_LIMIT_EXCEEDED"},
      {SHMLINK_ERR_CLOSED, "SHMLINK_ERR_CLOSED"},
      {SHMLINK_ERR_NOT_SUPPORTED, "SHMLINK_ERR_NOT_SUPPORTED"},
      {SHMLINK_ERR_OVERWRITTEN, "SHMLINK_ERR_OVERWRITTEN"},
      {SHMLINK_ERR_SYSTEM, "SHMLINK_ERR_SYSTEM"},
  };
  for (const auto& entry : statuses) {
    const char* name = shmlink_status_name(entry.status);
    ASSERT_NE(name, nullptr) << entry.status;
    EXPECT_STREQ(name, entry.name) << entry.status;
  }
}

TEST(Library, UnknownStatusHasTheUnknownName) {
  for (const shmlink_status status : {3, 4, 100, -20, -21, -98, -100, INT32_MAX, INT32_MIN}) {
    const char* name = shmlink_status_name(status);
    ASSERT_NE(name, nullptr) << status;
    EXPECT_STREQ(name, "SHMLINK_UNKNOWN_STATUS") << status;
  }
}

TEST(Library, SucceededAndFailedMacrosSplitOnZero) {
  EXPECT_TRUE(SHMLINK_SUCCEEDED(SHMLINK_OK));
  EXPECT_TRUE(SHMLINK_SUCCEEDED(SHMLINK_EXISTED));
  EXPECT_TRUE(SHMLINK_SUCCEEDED(SHMLINK_ABANDONED));
  EXPECT_TRUE(SHMLINK_FAILED(SHMLINK_ERR_INVALID_ARGUMENT));
  EXPECT_TRUE(SHMLINK_FAILED(SHMLINK_ERR_SYSTEM));
  EXPECT_FALSE(SHMLINK_FAILED(SHMLINK_OK));
}

TEST(Library, LastErrorIsEmptyBeforeAnyFailure) {
  // A new thread has had no failure yet.
  std::string message = "not set";
  int32_t os_error = -1;
  std::thread([&] {
    const char* text = shmlink_last_error_message();
    message = text != nullptr ? text : "(null)";
    os_error = shmlink_last_os_error();
  }).join();
  EXPECT_EQ(message, "");
  EXPECT_EQ(os_error, 0);
}

TEST(Library, LastErrorNamesOperationObjectAndOsError) {
  TempDir directory;
  const std::string missing = directory.path("missing.bin");
  shmlink_handle segment = 7;
  ASSERT_STATUS(SHMLINK_ERR_NOT_FOUND,
                shmlink_segment_from_file(missing.c_str(), nullptr, 0, SHMLINK_ACCESS_READ, 0, &segment));
  EXPECT_EQ(segment, 0u);
  const int32_t os_error = shmlink_last_os_error();
  EXPECT_NE(os_error, 0) << "a missing file is an OS failure";
  const std::string message = shmlink_last_error_message();
  EXPECT_NE(message.find("shmlink_segment_from_file"), std::string::npos) << message;
  EXPECT_NE(message.find(missing), std::string::npos) << message;
  const std::string os_text = os_error_text(os_error);
  ASSERT_FALSE(os_text.empty());
  EXPECT_NE(message.find(os_text), std::string::npos) << message << "\nshould contain: " << os_text;
}

TEST(Library, LastErrorNamesTheSegmentNotFound) {
  const std::string name = unique_name();
  shmlink_handle segment = 7;
  ASSERT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, &segment));
  EXPECT_EQ(segment, 0u);
  const std::string message = shmlink_last_error_message();
  EXPECT_NE(message.find("shmlink_segment_open"), std::string::npos) << message;
  EXPECT_NE(message.find(name), std::string::npos) << message;
  EXPECT_NE(message.find("SHMLINK_ERR_NOT_FOUND"), std::string::npos) << message;
}

TEST(Library, LastOsErrorIsZeroForFailuresNotFromTheOs) {
  TempDir directory;
  shmlink_handle segment = 0;
  ASSERT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_from_file(directory.path("missing").c_str(), nullptr, 0,
                                                                 SHMLINK_ACCESS_READ, 0, &segment));
  ASSERT_NE(shmlink_last_os_error(), 0);
  ASSERT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_create(unique_name().c_str(), 0, 0, &segment));
  EXPECT_EQ(shmlink_last_os_error(), 0);
  EXPECT_NE(std::string(shmlink_last_error_message()).find("shmlink_segment_create"), std::string::npos);
}

TEST(Library, LastErrorSurvivesLaterSuccesses) {
  const std::string name = unique_name();
  shmlink_handle segment = 0;
  ASSERT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, &segment));
  const std::string failure = shmlink_last_error_message();
  Handle created;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, 0, created.out()));
  uint64_t size = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(created.get(), &size));
  EXPECT_EQ(std::string(shmlink_last_error_message()), failure);
}

TEST(Library, LastErrorIsPerThread) {
  shmlink_handle segment = 0;
  ASSERT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_close(0));
  const std::string mine = shmlink_last_error_message();
  EXPECT_NE(mine.find("shmlink_close"), std::string::npos) << mine;
  std::string theirs;
  std::thread([&] {
    shmlink_segment_open(unique_name().c_str(), SHMLINK_ACCESS_READ, &segment);
    theirs = shmlink_last_error_message();
  }).join();
  EXPECT_NE(theirs.find("shmlink_segment_open"), std::string::npos) << theirs;
  EXPECT_EQ(std::string(shmlink_last_error_message()), mine);
}

TEST(Library, AllocationGranularityIsAPowerOfTwo) {
  const uint64_t granularity = shmlink_allocation_granularity();
  EXPECT_GE(granularity, 4096u);
  EXPECT_EQ(granularity & (granularity - 1), 0u) << granularity;
#ifdef _WIN32
  EXPECT_EQ(granularity, 65536u);
#endif
}

TEST(Library, GetApiGivesTheTableOfThisLibrary) {
  const shmlink_api* api = shmlink_get_api(SHMLINK_ABI_MAJOR);
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api, shmlink_get_api(SHMLINK_ABI_MAJOR)) << "a static table";
  EXPECT_EQ(api->struct_size, sizeof(shmlink_api));
  EXPECT_EQ(api->version_number, shmlink_version_number());
  EXPECT_EQ(api->version_number_fn, &shmlink_version_number);
  EXPECT_EQ(api->version_string, &shmlink_version_string);
  EXPECT_EQ(api->status_name, &shmlink_status_name);
  EXPECT_EQ(api->last_error_message, &shmlink_last_error_message);
  EXPECT_EQ(api->last_os_error, &shmlink_last_os_error);
  EXPECT_EQ(api->allocation_granularity, &shmlink_allocation_granularity);
  EXPECT_EQ(api->handle_kind, &shmlink_handle_kind);
  EXPECT_EQ(api->close, &shmlink_close);
  EXPECT_EQ(api->segment_create, &shmlink_segment_create);
  EXPECT_EQ(api->segment_open, &shmlink_segment_open);
  EXPECT_EQ(api->segment_from_file, &shmlink_segment_from_file);
  EXPECT_EQ(api->segment_size, &shmlink_segment_size);
  EXPECT_EQ(api->map, &shmlink_map);
  EXPECT_EQ(api->unmap, &shmlink_unmap);
  EXPECT_EQ(api->flush, &shmlink_flush);
  EXPECT_EQ(api->view_info, &shmlink_view_info);
  // 1.1
  EXPECT_EQ(api->signal_create, &shmlink_signal_create);
  EXPECT_EQ(api->signal_open, &shmlink_signal_open);
  EXPECT_EQ(api->signal_set, &shmlink_signal_set);
  EXPECT_EQ(api->signal_reset, &shmlink_signal_reset);
  EXPECT_EQ(api->mutex_create, &shmlink_mutex_create);
  EXPECT_EQ(api->mutex_open, &shmlink_mutex_open);
  EXPECT_EQ(api->mutex_lock, &shmlink_mutex_lock);
  EXPECT_EQ(api->mutex_unlock, &shmlink_mutex_unlock);
  EXPECT_EQ(api->semaphore_create, &shmlink_semaphore_create);
  EXPECT_EQ(api->semaphore_open, &shmlink_semaphore_open);
  EXPECT_EQ(api->semaphore_release, &shmlink_semaphore_release);
  EXPECT_EQ(api->wait, &shmlink_wait);
  EXPECT_EQ(api->wait_any, &shmlink_wait_any);
  // 1.2
  EXPECT_EQ(api->channel_create, &shmlink_channel_create);
  EXPECT_EQ(api->channel_open, &shmlink_channel_open);
  EXPECT_EQ(api->channel_send, &shmlink_channel_send);
  EXPECT_EQ(api->channel_receive, &shmlink_channel_receive);
  EXPECT_EQ(api->channel_reserve, &shmlink_channel_reserve);
  EXPECT_EQ(api->channel_commit, &shmlink_channel_commit);
  EXPECT_EQ(api->channel_peek, &shmlink_channel_peek);
  EXPECT_EQ(api->channel_consume, &shmlink_channel_consume);
  // 1.3
  EXPECT_EQ(api->channel_cancel, &shmlink_channel_cancel);
  EXPECT_EQ(api->channel_info, &shmlink_channel_info);
  // 1.4
  EXPECT_EQ(api->release_range, &shmlink_release_range);
  EXPECT_EQ(api->channel_waitable, &shmlink_channel_waitable);
  EXPECT_EQ(api->channel_receive_whole, &shmlink_channel_receive_whole);
  EXPECT_EQ(api->map_at, &shmlink_map_at);
  EXPECT_EQ(api->channel_send_batch, &shmlink_channel_send_batch);
  EXPECT_EQ(api->channel_receive_batch, &shmlink_channel_receive_batch);
  EXPECT_EQ(api->channel_reserve_batch, &shmlink_channel_reserve_batch);
  EXPECT_EQ(api->channel_commit_batch, &shmlink_channel_commit_batch);
  EXPECT_EQ(api->channel_peek_batch, &shmlink_channel_peek_batch);
  EXPECT_EQ(api->channel_consume_batch, &shmlink_channel_consume_batch);
  // 1.4, inspection
  EXPECT_EQ(api->object_list, &shmlink_object_list);
  EXPECT_EQ(api->object_describe, &shmlink_object_describe);
  EXPECT_EQ(api->object_remove, &shmlink_object_remove);
  EXPECT_EQ(api->object_collect, &shmlink_object_collect);
  // 1.4, handing objects to other processes
  EXPECT_EQ(api->handle_share, &shmlink_handle_share);
  EXPECT_EQ(api->handle_unshare, &shmlink_handle_unshare);
  EXPECT_EQ(api->handle_from_token, &shmlink_handle_from_token);
  EXPECT_EQ(api->find_free_range, &shmlink_find_free_range);
  EXPECT_EQ(api->channel_lost, &shmlink_channel_lost);
}

TEST(Library, GetApiFunctionsWork) {
  const shmlink_api* api = shmlink_get_api(SHMLINK_ABI_MAJOR);
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->version_number_fn(), shmlink_version_number());
  EXPECT_STREQ(api->status_name(SHMLINK_ERR_NOT_FOUND), "SHMLINK_ERR_NOT_FOUND");
  const std::string name = unique_name();
  shmlink_handle segment = 0;
  ASSERT_STATUS(SHMLINK_OK, api->segment_create(name.c_str(), 64, SHMLINK_CREATE_NEW, &segment));
  EXPECT_EQ(shmlink_handle_kind(segment), SHMLINK_KIND_SEGMENT) << "one handle table behind both";
  EXPECT_STATUS(SHMLINK_OK, api->close(segment));
}

TEST(Library, GetApiRefusesOtherMajors) {
  for (const uint32_t major : {0u, static_cast<uint32_t>(SHMLINK_ABI_MAJOR) + 1, 100u, UINT32_MAX})
    EXPECT_EQ(shmlink_get_api(major), nullptr) << major;
}

}  // namespace
}  // namespace shmlink_test
