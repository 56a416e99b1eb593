// Handles: generation-checked, kind-checked, closed exactly once, safe from many threads.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace shmlink_test {
namespace {

// Calls every function that takes `handle` as a segment and expects BAD_HANDLE from each,
// with handle outputs set to 0 and the other outputs untouched.
void expect_rejected_as_segment(shmlink_handle handle) {
  SCOPED_TRACE("as a segment handle: " + std::to_string(handle));
  uint64_t size = 12345;
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_segment_size(handle, &size));
  EXPECT_EQ(size, 12345u);
  shmlink_handle view = 99;
  void* address = &size;
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_map(handle, 0, 0, SHMLINK_ACCESS_READ, &view, &address));
  EXPECT_EQ(view, 0u);
  EXPECT_EQ(address, &size);
}

void expect_rejected_as_view(shmlink_handle handle) {
  SCOPED_TRACE("as a view handle: " + std::to_string(handle));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_flush(handle));
  void* address = &handle;
  uint64_t length = 12345;
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_view_info(handle, &address, &length));
  EXPECT_EQ(address, &handle);
  EXPECT_EQ(length, 12345u);
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_unmap(handle));
}

void expect_rejected_as_signal(shmlink_handle handle) {
  SCOPED_TRACE("as a signal handle: " + std::to_string(handle));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_signal_set(handle));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_signal_reset(handle));
}

void expect_rejected_as_mutex(shmlink_handle handle) {
  SCOPED_TRACE("as a mutex handle: " + std::to_string(handle));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_mutex_lock(handle, 0));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_mutex_lock(handle, SHMLINK_INFINITE));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_mutex_unlock(handle));
}

void expect_rejected_as_semaphore(shmlink_handle handle) {
  SCOPED_TRACE("as a semaphore handle: " + std::to_string(handle));
  uint32_t previous = 12345;
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_semaphore_release(handle, 1, &previous));
  EXPECT_EQ(previous, 12345u);
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_semaphore_release(handle, 1, nullptr));
}

// Not waitable: SHMLINK_INFINITE must not make the call hang.
void expect_rejected_as_waitable(shmlink_handle handle) {
  SCOPED_TRACE("as a waitable handle: " + std::to_string(handle));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_wait(handle, 0));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_wait(handle, SHMLINK_INFINITE));
  uint32_t index = 12345;
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_wait_any(&handle, 1, SHMLINK_INFINITE, &index));
  EXPECT_EQ(index, 12345u);
}

// A handle that is not open at all: every function that takes a handle refuses it.
void expect_rejected_everywhere(shmlink_handle handle) {
  EXPECT_EQ(shmlink_handle_kind(handle), SHMLINK_ERR_BAD_HANDLE) << handle;
  expect_rejected_as_segment(handle);
  expect_rejected_as_view(handle);
  expect_rejected_as_signal(handle);
  expect_rejected_as_mutex(handle);
  expect_rejected_as_semaphore(handle);
  expect_rejected_as_waitable(handle);
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_close(handle));
}

// One open handle of every kind.
struct EveryKind {
  EveryKind() {
    EXPECT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 100, 0, segment.out()));
    EXPECT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
    EXPECT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(), 0, signal.out()));
    EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_create(unique_name().c_str(), 0, mutex.out()));
    EXPECT_STATUS(SHMLINK_OK, shmlink_semaphore_create(unique_name().c_str(), 0, 1, 0, semaphore.out()));
  }
  Handle segment;
  View view;
  Handle signal;
  Handle mutex;
  Handle semaphore;
};

TEST(Handles, HandleZeroIsRejectedEverywhere) { expect_rejected_everywhere(0); }

TEST(Handles, KindsAreReported) {
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 100, 0, segment.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
  EXPECT_NE(segment.get(), 0u);
  EXPECT_NE(view.handle.get(), 0u);
  EXPECT_NE(segment.get(), view.handle.get());
  EXPECT_EQ(shmlink_handle_kind(segment.get()), SHMLINK_KIND_SEGMENT);
  EXPECT_EQ(shmlink_handle_kind(view.handle.get()), SHMLINK_KIND_VIEW);
}

TEST(Handles, KindsOfSignalsMutexesAndSemaphoresAreReported) {
  const EveryKind handles;
  EXPECT_EQ(shmlink_handle_kind(handles.signal.get()), SHMLINK_KIND_SIGNAL);
  EXPECT_EQ(shmlink_handle_kind(handles.mutex.get()), SHMLINK_KIND_MUTEX);
  EXPECT_EQ(shmlink_handle_kind(handles.semaphore.get()), SHMLINK_KIND_SEMAPHORE);
}

TEST(Handles, ClosedSignalMutexAndSemaphoreHandlesAreRejectedEverywhere) {
  shmlink_handle signal = 0;
  shmlink_handle mutex = 0;
  shmlink_handle semaphore = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(), SHMLINK_SIGNAL_INITIALLY_SET, &signal));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_create(unique_name().c_str(), 0, &mutex));
  ASSERT_STATUS(SHMLINK_OK, shmlink_semaphore_create(unique_name().c_str(), 1, 1, 0, &semaphore));
  for (const shmlink_handle handle : {signal, mutex, semaphore}) {
    ASSERT_STATUS(SHMLINK_OK, shmlink_close(handle));
    expect_rejected_everywhere(handle);
  }
}

TEST(Handles, ClosedHandleIsRejectedEverywhere) {
  shmlink_handle segment = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 100, 0, &segment));
  shmlink_handle view = 0;
  void* address = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address));
  ASSERT_STATUS(SHMLINK_OK, shmlink_unmap(view));
  ASSERT_STATUS(SHMLINK_OK, shmlink_close(segment));
  expect_rejected_everywhere(segment);
  expect_rejected_everywhere(view);
}

TEST(Handles, DoubleCloseIsAnError) {
  shmlink_handle segment = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 100, 0, &segment));
  EXPECT_STATUS(SHMLINK_OK, shmlink_close(segment));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_close(segment));
}

TEST(Handles, DoubleUnmapIsAnError) {
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 100, 0, segment.out()));
  shmlink_handle view = 0;
  void* address = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment.get(), 0, 0, SHMLINK_ACCESS_READ, &view, &address));
  EXPECT_STATUS(SHMLINK_OK, shmlink_unmap(view));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_unmap(view));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_close(view));
}

TEST(Handles, CloseOnAViewUnmapsIt) {
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 100, 0, segment.out()));
  shmlink_handle view = 0;
  void* address = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment.get(), 0, 0, SHMLINK_ACCESS_READ, &view, &address));
  EXPECT_STATUS(SHMLINK_OK, shmlink_close(view));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_unmap(view));
}

TEST(Handles, ReusedSlotStillRejectsTheOldHandle) {
  // Close and create again and again: whichever slot the new handle lands in, none of the
  // closed handles may ever reach it, not even to close it.
  const std::string name = unique_name();
  std::vector<shmlink_handle> closed;
  Handle current;
  for (int round = 0; round < 50; ++round) {
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, 0, current.out()));
    for (const shmlink_handle old : closed) {
      ASSERT_NE(old, current.get()) << "a handle value came back after being closed";
      ASSERT_EQ(shmlink_handle_kind(old), SHMLINK_ERR_BAD_HANDLE);
      ASSERT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_close(old));
    }
    uint64_t size = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(current.get(), &size)) << "closing old handles hit the new one";
    EXPECT_EQ(size, 100u);
    closed.push_back(current.get());
    ASSERT_STATUS(SHMLINK_OK, current.close());
  }
  for (const shmlink_handle old : closed) expect_rejected_everywhere(old);
}

TEST(Handles, ReusedViewSlotStillRejectsTheOldViewHandle) {
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 100, 0, segment.out()));
  shmlink_handle old_view = 0;
  void* address = nullptr;
  ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, &old_view, &address));
  ASSERT_STATUS(SHMLINK_OK, shmlink_unmap(old_view));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 10, 0, SHMLINK_ACCESS_READ_WRITE, view));
  expect_rejected_everywhere(old_view);
  uint64_t length = 0;
  EXPECT_STATUS(SHMLINK_OK, shmlink_view_info(view.handle.get(), nullptr, &length));
  EXPECT_EQ(length, 90u);
}

TEST(Handles, WrongKindIsRejectedByEveryFunction) {
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 100, 0, segment.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
  expect_rejected_as_view(segment.get());
  expect_rejected_as_segment(view.handle.get());
  // Both are still open and of their own kind.
  EXPECT_EQ(shmlink_handle_kind(segment.get()), SHMLINK_KIND_SEGMENT);
  EXPECT_EQ(shmlink_handle_kind(view.handle.get()), SHMLINK_KIND_VIEW);
  view.bytes()[0] = 'x';
  EXPECT_STATUS(SHMLINK_OK, shmlink_flush(view.handle.get()));
}

TEST(Handles, WrongKindIsRejectedBySignalMutexAndSemaphoreFunctions) {
  const EveryKind handles;
  const shmlink_handle segment = handles.segment.get();
  const shmlink_handle view = handles.view.handle.get();
  const shmlink_handle signal = handles.signal.get();
  const shmlink_handle mutex = handles.mutex.get();
  const shmlink_handle semaphore = handles.semaphore.get();
  for (const shmlink_handle other : {segment, view, mutex, semaphore}) expect_rejected_as_signal(other);
  for (const shmlink_handle other : {segment, view, signal, semaphore}) expect_rejected_as_mutex(other);
  for (const shmlink_handle other : {segment, view, signal, mutex}) expect_rejected_as_semaphore(other);
  for (const shmlink_handle other : {segment, view}) expect_rejected_as_waitable(other);
  for (const shmlink_handle other : {signal, mutex, semaphore}) {
    expect_rejected_as_segment(other);
    expect_rejected_as_view(other);
  }
  // All still open, of their own kind, and untouched: the mutex is free, the semaphore empty,
  // the signal unset.
  EXPECT_EQ(shmlink_handle_kind(segment), SHMLINK_KIND_SEGMENT);
  EXPECT_EQ(shmlink_handle_kind(view), SHMLINK_KIND_VIEW);
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(signal, 0));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_wait(semaphore, 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex, 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex));
}

TEST(Handles, MadeUpValuesAreRejectedEverywhere) {
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 100, 0, segment.out()));
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, view));
  const shmlink_handle open[] = {segment.get(), view.handle.get()};

  std::vector<shmlink_handle> values = {1,          2,           0xFFFFFFFFu,           0x100000000u,
                                        UINT64_MAX, UINT64_MAX - 1, 0x8000000000000000u, 0xFFFFFFFF00000000u};
  // Near the open handles: same slot with other generations, neighbouring slots.
  for (const shmlink_handle handle : open) {
    for (const uint64_t delta : {1ull, 2ull, 1ull << 32, 2ull << 32, 0xFFFFFFFFull << 32}) {
      values.push_back(handle + delta);
      values.push_back(handle - delta);
    }
    values.push_back(handle & 0xFFFFFFFFu);  // generation 0
    values.push_back(handle ^ (1ull << 63));
  }
  std::mt19937_64 random(20240611);
  for (int i = 0; i < 200; ++i) values.push_back(random());

  for (const shmlink_handle value : values) {
    if (value == open[0] || value == open[1]) continue;
    expect_rejected_everywhere(value);
  }
  EXPECT_EQ(shmlink_handle_kind(segment.get()), SHMLINK_KIND_SEGMENT);
  EXPECT_EQ(shmlink_handle_kind(view.handle.get()), SHMLINK_KIND_VIEW);
}

TEST(Handles, ManyThreadsCreateMapAndCloseConcurrently) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 100;
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    const std::string name = unique_name();
    threads.emplace_back([&, t, name] {
      auto fail = [&](const std::string& what, shmlink_status status) {
        if (failures.fetch_add(1) < 20)
          errors[t] += what + ": " + shmlink_status_name(status) + " " + shmlink_last_error_message() + "\n";
      };
      for (int round = 0; round < kRounds; ++round) {
        shmlink_handle segment = 0;
        shmlink_status status = shmlink_segment_create(name.c_str(), 4096, SHMLINK_CREATE_NEW, &segment);
        if (status != SHMLINK_OK) {
          fail("create", status);
          continue;
        }
        shmlink_handle second = 0;
        if ((status = shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, &second)) != SHMLINK_OK)
          fail("open", status);
        shmlink_handle view = 0;
        void* address = nullptr;
        if ((status = shmlink_map(segment, 7, 100, SHMLINK_ACCESS_READ_WRITE, &view, &address)) != SHMLINK_OK) {
          fail("map", status);
        } else {
          std::memset(address, t + 1, 100);
          shmlink_handle reader = 0;
          void* read_address = nullptr;
          if ((status = shmlink_map(second, 0, 0, SHMLINK_ACCESS_READ, &reader, &read_address)) != SHMLINK_OK) {
            fail("map second", status);
          } else {
            if (static_cast<const char*>(read_address)[7] != t + 1 || static_cast<const char*>(read_address)[106] != t + 1)
              fail("data", SHMLINK_OK);
            if ((status = shmlink_unmap(reader)) != SHMLINK_OK) fail("unmap second", status);
          }
          if ((status = shmlink_unmap(view)) != SHMLINK_OK) fail("unmap", status);
        }
        if ((status = shmlink_close(second)) != SHMLINK_OK) fail("close second", status);
        if ((status = shmlink_close(segment)) != SHMLINK_OK) fail("close", status);
        if ((status = shmlink_close(segment)) != SHMLINK_ERR_BAD_HANDLE) fail("second close", status);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::string all;
  for (const std::string& error : errors) all += error;
  EXPECT_EQ(failures.load(), 0) << all;
}

TEST(Handles, CloseRacingWithUseGivesOkOrBadHandle) {
  // Threads use one segment handle while another thread closes it: every call either works
  // (and what it made is usable) or says BAD_HANDLE; exactly one close wins.
  constexpr int kRounds = 50;
  constexpr int kUsers = 4;
  for (int round = 0; round < kRounds; ++round) {
    shmlink_handle segment = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 8192, 0, &segment));
    std::atomic<bool> go{false};
    std::atomic<int> closes{0};
    std::atomic<int> unexpected{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kUsers; ++t) {
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        for (int i = 0; i < 20; ++i) {
          shmlink_handle view = 0;
          void* address = nullptr;
          const shmlink_status status = shmlink_map(segment, 100, 1000, SHMLINK_ACCESS_READ_WRITE, &view, &address);
          if (status == SHMLINK_OK) {
            static_cast<char*>(address)[999] = 1;  // the view stays usable after its segment handle closes
            if (shmlink_unmap(view) != SHMLINK_OK) unexpected.fetch_add(1);
          } else if (status != SHMLINK_ERR_BAD_HANDLE || view != 0) {
            unexpected.fetch_add(1);
          }
          uint64_t size = 0;
          const shmlink_status size_status = shmlink_segment_size(segment, &size);
          if (!(size_status == SHMLINK_OK && size == 8192) && size_status != SHMLINK_ERR_BAD_HANDLE)
            unexpected.fetch_add(1);
        }
      });
    }
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        const shmlink_status status = shmlink_close(segment);
        if (status == SHMLINK_OK) closes.fetch_add(1);
        else if (status != SHMLINK_ERR_BAD_HANDLE) unexpected.fetch_add(1);
      });
    }
    go.store(true);
    for (std::thread& thread : threads) thread.join();
    ASSERT_EQ(closes.load(), 1) << "round " << round;
    ASSERT_EQ(unexpected.load(), 0) << "round " << round;
  }
}


TEST(Handles, ThousandsOfHandlesAtOnceAreDistinctWorkAndCloseInAnyOrder) {
  // Several thousand handles open together (the table grows in blocks of slots), closed in a
  // random order and opened again in the freed slots: every handle reaches its own view, and
  // none of the closed ones reaches anything.
  constexpr int kViews = 3000;
  shmlink_handle segment = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(unique_name().c_str(), 8192, 0, &segment));
  std::vector<shmlink_handle> views(kViews);
  std::vector<void*> addresses(kViews);
  for (int i = 0; i < kViews; ++i)
    ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment, 0, 4096, SHMLINK_ACCESS_READ_WRITE, &views[i], &addresses[i]));
  std::vector<shmlink_handle> sorted = views;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << "two views got the same handle";
  for (int i = 0; i < kViews; ++i) {
    void* address = nullptr;
    uint64_t length = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_view_info(views[i], &address, &length));
    ASSERT_EQ(address, addresses[i]) << "view " << i;
  }
  std::vector<shmlink_handle> closed = views;
  std::shuffle(closed.begin(), closed.end(), std::mt19937(12345));
  for (shmlink_handle view : closed) ASSERT_STATUS(SHMLINK_OK, shmlink_close(view));
  for (int i = 0; i < kViews; ++i)
    ASSERT_STATUS(SHMLINK_OK, shmlink_map(segment, 4096, 4096, SHMLINK_ACCESS_READ, &views[i], &addresses[i]));
  for (shmlink_handle old : closed) {
    ASSERT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_flush(old));
    ASSERT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_close(old));
  }
  for (int i = 0; i < kViews; ++i) {
    void* address = nullptr;
    uint64_t length = 0;
    ASSERT_STATUS(SHMLINK_OK, shmlink_view_info(views[i], &address, &length));
    ASSERT_EQ(address, addresses[i]) << "view " << i;
    ASSERT_STATUS(SHMLINK_OK, shmlink_unmap(views[i]));
  }
  EXPECT_STATUS(SHMLINK_OK, shmlink_close(segment));
}

TEST(Handles, AHandleClosedDuringABlockingCallKeepsItsObjectUntilTheCallReturns) {
  // A thread blocks in receive on a channel handle; another thread closes that handle. The
  // close is immediate for everyone else (BAD_HANDLE), but the blocked call keeps using the
  // object, and takes the message sent afterwards.
  const std::string name = unique_name();
  shmlink_handle sender = 0, receiver = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_create(name.c_str(), 4096, 64, SHMLINK_CHANNEL_SENDER, &sender));
  ASSERT_STATUS(SHMLINK_OK, shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, &receiver));
  std::atomic<bool> started{false};
  shmlink_status received = SHMLINK_OK;
  char message[64] = {};
  uint32_t length = 0;
  std::thread blocked([&] {
    started.store(true);
    received = shmlink_channel_receive(receiver, message, sizeof message, &length, 20000);
  });
  while (!started.load()) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // well into its sleep
  EXPECT_STATUS(SHMLINK_OK, shmlink_close(receiver));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_handle_kind(receiver));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE, shmlink_close(receiver));
  // The receiving side is still attached while the blocked call runs: sending works.
  EXPECT_STATUS(SHMLINK_OK, shmlink_channel_send(sender, "still here", 10, 5000));
  blocked.join();
  EXPECT_STATUS(SHMLINK_OK, received);
  EXPECT_EQ(std::string(message, length), "still here");
  // And once it returned, the receiver is gone for good.
  EXPECT_STATUS(SHMLINK_ERR_CLOSED, shmlink_channel_send(sender, "x", 1, 0));
  EXPECT_STATUS(SHMLINK_OK, shmlink_close(sender));
}

}  // namespace
}  // namespace shmlink_test
