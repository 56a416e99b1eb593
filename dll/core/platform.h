// What each OS backend (dll/posix, dll/win32) provides to the core. Nothing else in the
// core or the api layer depends on the OS.
#pragma once

#include "access.h"
#include "channel.h"
#include "name.h"
#include "segment.h"
#include "sync.h"

#include <cstdint>
#include <memory>
#include <string>

namespace shmlink {

// Mapping offsets must be multiples of this (page size on Linux, 64 KiB on Windows).
uint64_t allocation_granularity() noexcept;

struct OpenedSegment {
  std::shared_ptr<SegmentBacking> backing;
  bool existed = false;  // OPEN_OR_CREATE found an existing segment
};

// `flags` has been checked: only SHMLINK_OPEN_OR_CREATE and the share flags. size > 0.
OpenedSegment platform_create_segment(const ObjectName& name, uint64_t size, uint32_t flags);
std::shared_ptr<SegmentBacking> platform_open_segment(const ObjectName& name, Access access);
// An unnamed segment (CreateFileMapping(INVALID_HANDLE_VALUE, ..., NULL)), read-write; size > 0.
std::shared_ptr<SegmentBacking> platform_create_unnamed_segment(uint64_t size);
// name may be null (unnamed); size 0 means the file's size.
OpenedSegment platform_segment_from_file(const char* path, const ObjectName* name, uint64_t size,
                                         Access access, uint32_t flags);

// platform_replace_with_placeholder: see segment.h.
// Gives a placeholder's range back to the system. Never throws.
void platform_release_placeholder(const MappedRegion& region) noexcept;

// ---- Signals, mutexes, semaphores ----
// Each create returns the backing and whether an existing object was opened. `flags` has
// been checked: only OPEN_OR_CREATE, the share flags and the kind's own flags.
struct OpenedWaitable {
  std::shared_ptr<WaitBacking> backing;
  bool existed = false;
};

OpenedWaitable platform_create_signal(const ObjectName& name, uint32_t flags);
std::shared_ptr<WaitBacking> platform_open_signal(const ObjectName& name);
// An unnamed signal (CreateEvent(NULL, ...)); `flags` has been checked: only the reset mode
// and SHMLINK_SIGNAL_INITIALLY_SET.
std::shared_ptr<WaitBacking> platform_create_unnamed_signal(uint32_t flags);
OpenedWaitable platform_create_mutex(const ObjectName& name, uint32_t flags);
std::shared_ptr<WaitBacking> platform_open_mutex(const ObjectName& name);
// An unnamed mutex; `flags` has been checked: only SHMLINK_MUTEX_INITIALLY_OWNED.
std::shared_ptr<WaitBacking> platform_create_unnamed_mutex(uint32_t flags);
// 0 < max_count <= 0x7FFFFFFF and initial_count <= max_count have been checked.
OpenedWaitable platform_create_semaphore(const ObjectName& name, uint32_t initial_count, uint32_t max_count,
                                         uint32_t flags);
std::shared_ptr<WaitBacking> platform_open_semaphore(const ObjectName& name);
// An unnamed semaphore; the counts have been checked as for a named one.
std::shared_ptr<WaitBacking> platform_create_unnamed_semaphore(uint32_t initial_count, uint32_t max_count);

// ---- Channels ----
// `flags` has been checked: only OPEN_OR_CREATE and the share flags; `roles` is kRole* (not
// 0); the sizes come from channel_ring_bytes(). The backing comes back attached with `roles`.
struct OpenedChannel {
  std::shared_ptr<ChannelBacking> backing;
  bool existed = false;
};
// `mode`: 0 (a queue) or SHMLINK_CHANNEL_PUBSUB [| SHMLINK_CHANNEL_OVERWRITE], for initialize_channel.
OpenedChannel platform_create_channel(const ObjectName& name, uint64_t ring_bytes, uint32_t max_message_bytes,
                                      uint32_t flags, uint32_t roles, uint32_t mode);
std::shared_ptr<ChannelBacking> platform_open_channel(const ObjectName& name, uint32_t roles);

// Waits until one of `objects` (1..64, in the caller's order) can be taken and takes the
// lowest-indexed one that can. Returns SHMLINK_OK or SHMLINK_ABANDONED with *out_index set,
// or SHMLINK_ERR_TIMEOUT once `timeout_ms` (SHMLINK_INFINITE: never) has passed on a
// monotonic clock. Throws Failure for anything else.
shmlink_status platform_wait_any(WaitBacking* const* objects, uint32_t count, uint32_t timeout_ms,
                                 uint32_t* out_index);

// ---- Handing objects to other processes (shmlink_handle_share; dll/posix/handoff_posix.cpp,
// dll/win32/handoff_win32.cpp) ----
// A token for the segment's OS object (at most SHMLINK_TOKEN_MAX_BYTES - 1 characters):
// inheritable by children started from now on, or with SHMLINK_HANDOFF_RUNNING_PROCESS for a
// running process to take. `flags` has been checked. Throws Failure.
std::string platform_share_segment(SegmentBacking& segment, uint32_t flags);
// Closes what platform_share_segment made for `token` in this process. Throws Failure.
void platform_unshare(const char* token);
// The segment a token names, taken over from this process's inherited copy or (with
// SHMLINK_HANDOFF_RUNNING_PROCESS) from the sharer. `flags` has been checked. Throws Failure.
std::shared_ptr<SegmentBacking> platform_segment_from_token(const char* token, uint32_t flags);
// A range of `size` bytes (rounded up to the granularity) free in this process now, chosen at
// random high in the address space. Throws Failure.
void* platform_find_free_range(uint64_t size);

}  // namespace shmlink
