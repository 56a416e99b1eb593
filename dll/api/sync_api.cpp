// Exported signal, mutex, semaphore and wait functions: argument checks, handle lookup,
// status mapping. The waiting itself is the backend's (platform_wait_any).
#include "guard.h"

#include "../core/handle_table.h"
#include "../core/object_header.h"
#include "../core/platform.h"
#include "../core/sync.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace shmlink;

namespace {

constexpr uint32_t kCommonCreateFlags = SHMLINK_OPEN_OR_CREATE | SHMLINK_SHARE_GROUP | SHMLINK_SHARE_ALL_USERS;
constexpr uint32_t kMaxSemaphoreCount = 0x7FFFFFFFu;  // Win32's LONG maximum, on every platform
constexpr char kUnnamed[] = "(unnamed)";  // an unnamed object's name in messages

shmlink_handle insert_waitable(int32_t kind, std::shared_ptr<WaitBacking> backing, const char* name) {
  return handle_table().insert(std::make_shared<WaitableObject>(kind, std::move(backing), name));
}

// The waitable object behind `handle`; otherwise null, with *why saying what is wrong.
Ref<WaitableObject> find_waitable(shmlink_handle handle, std::string* why) {
  HandleTable::Use use = handle_table().find(handle);
  if (const char* problem = handle_problem(handle, static_cast<bool>(use))) {
    *why = problem;
    return {};
  }
  Object* object = use.get();
  if (!is_waitable_kind(object->kind())) {
    *why = std::string("a ") + kind_name(object->kind()) + " cannot be waited on";
    return {};
  }
  return Ref<WaitableObject>(std::move(use), static_cast<WaitableObject*>(object));
}
// Creates or opens one kind of waitable object with the shared argument checks.
template <class Create>
shmlink_status create_waitable(const char* name, uint32_t flags, uint32_t allowed_flags, int32_t kind,
                               shmlink_handle* out_handle, const char* out_name, Create&& create) {
  require_output(out_handle, out_name);
  const ObjectName parsed = parse_name(name);
  check_flags(flags, allowed_flags);
  OpenedWaitable opened = create(parsed);
  *out_handle = insert_waitable(kind, std::move(opened.backing), name);
  return opened.existed ? SHMLINK_EXISTED : SHMLINK_OK;
}

template <class Open>
shmlink_status open_waitable(const char* name, int32_t kind, shmlink_handle* out_handle, const char* out_name,
                             Open&& open) {
  require_output(out_handle, out_name);
  const ObjectName parsed = parse_name(name);
  *out_handle = insert_waitable(kind, open(parsed), name);
  return SHMLINK_OK;
}

}  // namespace

extern "C" {

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_signal_create(const char* name, uint32_t flags,
                                                              shmlink_handle* out_signal) {
  clear_handle(out_signal);
  return guarded("shmlink_signal_create", name, [&] {
    if (name == nullptr) {
      // Unnamed: there is nothing to open or to share by name (so, for every kind, no
      // OPEN_OR_CREATE and no share flags).
      require_output(out_signal, "out_signal");
      check_flags(flags, SHMLINK_SIGNAL_MANUAL_RESET | SHMLINK_SIGNAL_INITIALLY_SET);
      *out_signal = insert_waitable(SHMLINK_KIND_SIGNAL, platform_create_unnamed_signal(flags), kUnnamed);
      return SHMLINK_OK;
    }
    return create_waitable(name, flags,
                           kCommonCreateFlags | SHMLINK_SIGNAL_MANUAL_RESET | SHMLINK_SIGNAL_INITIALLY_SET,
                           SHMLINK_KIND_SIGNAL, out_signal, "out_signal",
                           [&](const ObjectName& parsed) { return platform_create_signal(parsed, flags); });
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_signal_open(const char* name, shmlink_handle* out_signal) {
  clear_handle(out_signal);
  return guarded("shmlink_signal_open", name, [&] {
    return open_waitable(name, SHMLINK_KIND_SIGNAL, out_signal, "out_signal", platform_open_signal);
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_signal_set(shmlink_handle signal) {
  return guarded("shmlink_signal_set", nullptr, [&] {
    std::string why;
    const auto object = find_as<WaitableObject>(signal, SHMLINK_KIND_SIGNAL, "signal", &why);
    if (!object) return bad_handle("shmlink_signal_set", why);
    object->backing_as<SignalBacking>().set();
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_signal_reset(shmlink_handle signal) {
  return guarded("shmlink_signal_reset", nullptr, [&] {
    std::string why;
    const auto object = find_as<WaitableObject>(signal, SHMLINK_KIND_SIGNAL, "signal", &why);
    if (!object) return bad_handle("shmlink_signal_reset", why);
    object->backing_as<SignalBacking>().reset();
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_mutex_create(const char* name, uint32_t flags,
                                                             shmlink_handle* out_mutex) {
  clear_handle(out_mutex);
  return guarded("shmlink_mutex_create", name, [&] {
    if (name == nullptr) {
      require_output(out_mutex, "out_mutex");
      check_flags(flags, SHMLINK_MUTEX_INITIALLY_OWNED);
      *out_mutex = insert_waitable(SHMLINK_KIND_MUTEX, platform_create_unnamed_mutex(flags), kUnnamed);
      return SHMLINK_OK;
    }
    return create_waitable(name, flags, kCommonCreateFlags | SHMLINK_MUTEX_INITIALLY_OWNED, SHMLINK_KIND_MUTEX,
                           out_mutex, "out_mutex",
                           [&](const ObjectName& parsed) { return platform_create_mutex(parsed, flags); });
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_mutex_open(const char* name, shmlink_handle* out_mutex) {
  clear_handle(out_mutex);
  return guarded("shmlink_mutex_open", name, [&] {
    return open_waitable(name, SHMLINK_KIND_MUTEX, out_mutex, "out_mutex", platform_open_mutex);
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_mutex_lock(shmlink_handle mutex, uint32_t timeout_ms) {
  return guarded("shmlink_mutex_lock", nullptr, [&] {
    std::string why;
    const auto object = find_as<WaitableObject>(mutex, SHMLINK_KIND_MUTEX, "mutex", &why);
    if (!object) return bad_handle("shmlink_mutex_lock", why);

    WaitBacking* backing = &object->backing();
    uint32_t index = 0;
    const shmlink_status status = platform_wait_any(&backing, 1, timeout_ms, &index);
    if (status == SHMLINK_ERR_TIMEOUT)
      return report_failure("shmlink_mutex_lock", status,
                            "the mutex was not free within " + std::to_string(timeout_ms) + " ms");
    return status;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_mutex_unlock(shmlink_handle mutex) {
  return guarded("shmlink_mutex_unlock", nullptr, [&] {
    std::string why;
    const auto object = find_as<WaitableObject>(mutex, SHMLINK_KIND_MUTEX, "mutex", &why);
    if (!object) return bad_handle("shmlink_mutex_unlock", why);
    object->backing_as<MutexBacking>().unlock();
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_semaphore_create(const char* name, uint32_t initial_count,
                                                                 uint32_t max_count, uint32_t flags,
                                                                 shmlink_handle* out_semaphore) {
  clear_handle(out_semaphore);
  return guarded("shmlink_semaphore_create", name, [&] {
    if (max_count == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "max_count 0: a semaphore needs a maximum of at least 1");
    if (max_count > kMaxSemaphoreCount)
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "max_count " + std::to_string(max_count) + " is above 2147483647");
    if (initial_count > max_count)
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "initial_count " + std::to_string(initial_count) + " is above max_count " +
                                             std::to_string(max_count));
    if (name == nullptr) {
      require_output(out_semaphore, "out_semaphore");
      check_flags(flags, 0);
      *out_semaphore = insert_waitable(SHMLINK_KIND_SEMAPHORE,
                                       platform_create_unnamed_semaphore(initial_count, max_count), kUnnamed);
      return SHMLINK_OK;
    }
    return create_waitable(name, flags, kCommonCreateFlags, SHMLINK_KIND_SEMAPHORE, out_semaphore, "out_semaphore",
                           [&](const ObjectName& parsed) {
                             return platform_create_semaphore(parsed, initial_count, max_count, flags);
                           });
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_semaphore_open(const char* name, shmlink_handle* out_semaphore) {
  clear_handle(out_semaphore);
  return guarded("shmlink_semaphore_open", name, [&] {
    return open_waitable(name, SHMLINK_KIND_SEMAPHORE, out_semaphore, "out_semaphore", platform_open_semaphore);
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_semaphore_release(shmlink_handle semaphore, uint32_t count,
                                                                  uint32_t* out_previous_count) {
  return guarded("shmlink_semaphore_release", nullptr, [&] {
    if (count == 0) fail(SHMLINK_ERR_INVALID_ARGUMENT, "count 0: a release adds at least 1");
    std::string why;
    const auto object = find_as<WaitableObject>(semaphore, SHMLINK_KIND_SEMAPHORE, "semaphore", &why);
    if (!object) return bad_handle("shmlink_semaphore_release", why);
    const uint32_t previous = object->backing_as<SemaphoreBacking>().release(count);
    if (out_previous_count != nullptr) *out_previous_count = previous;
    return SHMLINK_OK;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_wait(shmlink_handle waitable, uint32_t timeout_ms) {
  return guarded("shmlink_wait", nullptr, [&] {
    std::string why;
    const Ref<WaitableObject> object = find_waitable(waitable, &why);
    if (!object) return bad_handle("shmlink_wait", why);
    WaitBacking* backing = &object->backing();
    uint32_t index = 0;
    const shmlink_status status = platform_wait_any(&backing, 1, timeout_ms, &index);
    if (status == SHMLINK_ERR_TIMEOUT)
      return report_failure("shmlink_wait", status,
                            std::string("the ") + kind_name(object->kind()) + " \"" + object->name() +
                                "\" was not ready within " + std::to_string(timeout_ms) + " ms");
    return status;
  });
}

SHMLINK_API shmlink_status SHMLINK_CALL shmlink_wait_any(const shmlink_handle* handles, uint32_t count,
                                                         uint32_t timeout_ms, uint32_t* out_index) {
  return guarded("shmlink_wait_any", nullptr, [&] {
    if (handles == nullptr) fail(SHMLINK_ERR_INVALID_ARGUMENT, "handles is NULL");
    require_output(out_index, "out_index");
    if (count == 0 || count > SHMLINK_MAX_WAIT_OBJECTS)
      fail(SHMLINK_ERR_INVALID_ARGUMENT, "count " + std::to_string(count) + " is not between 1 and 64");
    // Hold every object for the whole wait, so a concurrent close cannot free one under us.
    Ref<WaitableObject> objects[SHMLINK_MAX_WAIT_OBJECTS];
    WaitBacking* backings[SHMLINK_MAX_WAIT_OBJECTS];
    for (uint32_t i = 0; i < count; ++i) {
      for (uint32_t j = 0; j < i; ++j) {
        if (handles[j] == handles[i])
          fail(SHMLINK_ERR_INVALID_ARGUMENT,
               "handles[" + std::to_string(j) + "] and handles[" + std::to_string(i) + "] are the same handle");
      }
      std::string why;
      objects[i] = find_waitable(handles[i], &why);
      if (!objects[i]) return bad_handle("shmlink_wait_any", "handles[" + std::to_string(i) + "]: " + why);
      backings[i] = &objects[i]->backing();
    }
    const shmlink_status status = platform_wait_any(backings, count, timeout_ms, out_index);
    if (status == SHMLINK_ERR_TIMEOUT)
      return report_failure("shmlink_wait_any", status,
                            "none of the " + std::to_string(count) + " objects was ready within " +
                                std::to_string(timeout_ms) + " ms");
    return status;
  });
}

}  // extern "C"
