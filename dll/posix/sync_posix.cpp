// Signals, mutexes, semaphores and waiting on Linux.
//
// Signals and semaphores are futex words in small named objects (object_file.h). A mutex
// is the library's own robust, recursive mutex on a priority-inheritance futex word
// (robust_mutex.h): when an owner dies the kernel hands it to a waiter at once. Waiting on
// several objects sleeps in futex_waitv on all their words (for a mutex, its wake word).
#include "../core/platform.h"
#include "../core/sync_layout.h"
#include "futex.h"
#include "object_file.h"
#include "os_error.h"
#include "robust_mutex.h"
#include "sync_steps.h"
#include "sigbus_guard.h"
#include "unnamed_object.h"
#include "waitable.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <climits>
#include <map>
#include <mutex>
#include <utility>

namespace shmlink {
namespace {

using posix::Deadline;
using posix::FutexWaitEntry;
using posix::NamedObject;
using posix::ObjectMapping;

using posix::PosixWaitable;
using posix::Take;
using posix::while_intact;

uint32_t load(const uint32_t* word) { return __atomic_load_n(word, __ATOMIC_ACQUIRE); }
bool compare_exchange(uint32_t* word, uint32_t& expected, uint32_t desired) {
  return __atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

// How long a wait keeps checking before it goes to sleep. Sleeping and being woken costs a
// context switch on each side, and far more when the waker has to bring an idle CPU back
// (~70 us on a VM): a peer that answers within this budget is seen without either.
constexpr auto kCheckBeforeSleep = std::chrono::microseconds(20);

// Checks the objects until one looks ready (true) or the budget or the deadline runs out.
// The CPU is yielded between checks, so a peer on the same CPU still gets to run; on a
// single CPU there is nobody to wait for by checking, and it returns at once.
bool check_before_sleep(PosixWaitable* const* objects, uint32_t count, const Deadline& deadline) {
  static const bool several_cpus = sysconf(_SC_NPROCESSORS_ONLN) > 1;
  if (!several_cpus) return false;
  const auto give_up = std::chrono::steady_clock::now() + kCheckBeforeSleep;
  do {
    for (uint32_t i = 0; i < count; ++i) {
      if (objects[i]->looks_ready()) return true;
    }
    sched_yield();
  } while (std::chrono::steady_clock::now() < give_up && !deadline.passed());
  return false;
}

// The wait loop: take the lowest-indexed ready object, else check for a short while, else
// sleep on all their words.
Take wait_generic(PosixWaitable* const* objects, uint32_t count, const Deadline& deadline, uint32_t timeout_ms,
                  uint32_t* out_index) {
  FutexWaitEntry entries[SHMLINK_MAX_WAIT_OBJECTS];
  bool slept = false;
  bool checked = false;  // the check before sleeping happens once per wait
  bool watches_peers = false;
  for (uint32_t i = 0; i < count; ++i) watches_peers = watches_peers || objects[i]->watches_peers();
  for (;;) {
    for (uint32_t i = 0; i < count; ++i) {
      const Take take = objects[i]->try_take(entries[i], slept);
      if (take == Take::NotReady) continue;
      // Wakes for several of the words may have reached us before we ran, and futex_waitv
      // names only one of them (the highest index): pass on every one we do not use.
      if (slept) {
        for (uint32_t j = 0; j < count; ++j) {
          if (j != i) objects[j]->pass_on_wake();
        }
      }
      *out_index = i;
      return take;
    }
    if (timeout_ms == 0 || deadline.passed()) return Take::NotReady;
    if (!checked && (checked = true, check_before_sleep(objects, count, deadline))) continue;
    // Objects that watch their peers (channels) must look again every so often; every object
    // now and then, since nobody can wake a sleeper on a truncated file (sigbus_guard.h).
    const Deadline sleep_until = deadline.sooner(watches_peers ? posix::kPeerCheckMs : posix::kLostMemoryCheckMs);
    if (count == 1) {
      posix::futex_wait(entries[0].word, entries[0].expected, sleep_until);
    } else {
      posix::futex_wait_any(entries, count, sleep_until);
    }
    SHMLINK_SYNC_STEP("wait-woken");
    slept = true;
  }
}

}  // namespace

Take PosixWaitable::wait_alone(const Deadline& deadline, uint32_t timeout_ms) {
  PosixWaitable* self = this;
  uint32_t index = 0;
  return wait_generic(&self, 1, deadline, timeout_ms, &index);
}

namespace {

// ---- Signals ----

class PosixSignal final : public SignalBacking, public PosixWaitable {
 public:
  // `object`: what keeps the object's file open while the handle lives, a NamedObject (with
  // its lock) or an UnnamedObject.
  PosixSignal(std::shared_ptr<void> object, std::unique_ptr<ObjectMapping> mapping, bool manual_reset)
      : object_(std::move(object)), mapping_(std::move(mapping)), manual_reset_(manual_reset),
        state_(&static_cast<SignalLayout*>(mapping_->data())->state) {}

  // Wakes every sleeper, also for an auto-reset signal, of which one takes it and the others
  // sleep again: a single woken waiter that died before taking it would leave it set while
  // the others slept on (a lost wake-up). The same one system call when one waiter or none
  // sleeps; only several sleepers cost more.
  void set() override {
    while_intact(mapping_->guard(), kWhat, [&] {
      __atomic_store_n(state_, 1u, __ATOMIC_RELEASE);
      SHMLINK_SYNC_STEP("signal-set-stored");
      posix::futex_wake(state_, INT_MAX);
    });
  }
  void reset() override {
    while_intact(mapping_->guard(), kWhat, [&] { __atomic_store_n(state_, 0u, __ATOMIC_RELEASE); });
  }

  Take try_take(FutexWaitEntry& entry, bool) override {
    return while_intact(mapping_->guard(), kWhat, [&] {
      uint32_t state = load(state_);
      while (state != 0) {
        if (manual_reset_ || compare_exchange(state_, state, 0)) {
          SHMLINK_SYNC_STEP("signal-wait-taken");
          return Take::Taken;
        }
      }
      entry = {state_, 0};
      return Take::NotReady;
    });
  }
  bool looks_ready() const override { return load(state_) != 0; }
  // Every set wakes all who sleep on it: there is nobody to pass a wake on to.
  void pass_on_wake() override {}

 private:
  static constexpr const char* kWhat = "the signal";

  std::shared_ptr<void> object_;
  std::unique_ptr<ObjectMapping> mapping_;
  bool manual_reset_;  // read once at open: a peer cannot change it under us
  uint32_t* state_;
};

// ---- Semaphores ----

class PosixSemaphore final : public SemaphoreBacking, public PosixWaitable {
 public:
  // `object`: a NamedObject or an UnnamedObject, as for PosixSignal.
  PosixSemaphore(std::shared_ptr<void> object, std::unique_ptr<ObjectMapping> mapping, uint32_t max_count)
      : object_(std::move(object)), mapping_(std::move(mapping)), max_count_(max_count),
        count_(&static_cast<SemaphoreLayout*>(mapping_->data())->count) {}

  uint32_t release(uint32_t count) override {
    return while_intact(mapping_->guard(), kWhat, [&] {
      uint32_t current = load(count_);
      for (;;) {
        check(current);
        if (count > max_count_ - current)
          fail(SHMLINK_ERR_LIMIT_EXCEEDED, "releasing " + std::to_string(count) + " would take the count from " +
                                               std::to_string(current) + " past the maximum " +
                                               std::to_string(max_count_));
        if (compare_exchange(count_, current, current + count)) break;
      }
      SHMLINK_SYNC_STEP("semaphore-release-added");
      // Every sleeper, not `count` of them: a woken waiter that died before taking its unit
      // would leave the count up while others slept on (see PosixSignal::set).
      posix::futex_wake(count_, INT_MAX);
      return current;
    });
  }

  Take try_take(FutexWaitEntry& entry, bool) override {
    return while_intact(mapping_->guard(), kWhat, [&] {
      uint32_t current = load(count_);
      while (current != 0) {
        check(current);
        if (compare_exchange(count_, current, current - 1)) {
          SHMLINK_SYNC_STEP("semaphore-wait-taken");
          return Take::Taken;
        }
      }
      entry = {count_, 0};
      return Take::NotReady;
    });
  }
  bool looks_ready() const override { return load(count_) != 0; }
  // Every release wakes all who sleep on it: there is nobody to pass a wake on to.
  void pass_on_wake() override {}

 private:
  static constexpr const char* kWhat = "the semaphore";

  void check(uint32_t count) const {
    if (count > max_count_)
      fail(SHMLINK_ERR_CORRUPT, "the semaphore's count " + std::to_string(count) + " is above its maximum " +
                                    std::to_string(max_count_));
  }

  std::shared_ptr<void> object_;
  std::unique_ptr<ObjectMapping> mapping_;
  uint32_t max_count_;  // read once at open
  uint32_t* count_;
};

// ---- Mutexes ----

// One mapping of a mutex object per process, shared by all its handles, so that they agree
// on the mutex's address (ThreadSanitizer knows a mutex by it). While a thread of this
// process holds the mutex, the mapping stays: if the last handle closes meanwhile, the pages
// stay mapped until the process exits, so that the address is not reused for another mutex
// while TSan still counts this one as held.
class MutexMapping {
 public:
  explicit MutexMapping(std::unique_ptr<ObjectMapping> mapping)
      : mapping_(std::move(mapping)), mutex_(static_cast<MutexLayout*>(mapping_->data())) {}
  ~MutexMapping() {
    if (owned_levels_.load() != 0) mapping_->keep_mapped_forever();
  }
  posix::RobustMutex& mutex() { return mutex_; }
  const posix::RobustMutex& mutex() const { return mutex_; }
  const posix::GuardedRegion& guard() const { return mapping_->guard(); }
  // Counts what lock and unlock return; Take::NotReady counts nothing.
  Take acquired(Take take) {
    if (take != Take::NotReady) owned_levels_.fetch_add(1);
    return take;
  }
  void released() { owned_levels_.fetch_sub(1); }

 private:
  std::unique_ptr<ObjectMapping> mapping_;
  posix::RobustMutex mutex_;
  std::atomic<int64_t> owned_levels_{0};  // lock levels held by threads of this process
};

class MutexMappings {
 public:
  // The process's mapping of the object behind `fd`, made by `make` if there is none yet.
  template <class Make>
  std::shared_ptr<MutexMapping> get(int fd, Make&& make) {
    struct stat status {};
    if (fstat(fd, &status) != 0) posix::throw_errno(errno, "fstat of a mutex");
    const std::pair<dev_t, ino_t> key(status.st_dev, status.st_ino);
    std::lock_guard<std::mutex> lock(mutex_);
    std::shared_ptr<MutexMapping> mapping = mappings_[key].lock();
    if (!mapping) {
      mapping = make();
      mappings_[key] = mapping;
    }
    // Forget mappings that no handle uses any more.
    for (auto it = mappings_.begin(); it != mappings_.end();) it = it->second.expired() ? mappings_.erase(it) : ++it;
    return mapping;
  }

 private:
  std::mutex mutex_;
  std::map<std::pair<dev_t, ino_t>, std::weak_ptr<MutexMapping>> mappings_;
};

MutexMappings& mutex_mappings() {
  static MutexMappings* mappings = new MutexMappings;  // never destroyed: see MutexMapping
  return *mappings;
}

class PosixMutex final : public MutexBacking, public PosixWaitable {
 public:
  // `object`: a NamedObject or an UnnamedObject, as for PosixSignal.
  PosixMutex(std::shared_ptr<void> object, std::shared_ptr<MutexMapping> mapping)
      : object_(std::move(object)), mapping_(std::move(mapping)) {}

  void unlock() override {
    while_intact(mapping_->guard(), kWhat, [&] { mapping_->mutex().unlock(); });
    mapping_->released();
  }

  // Waiting on several objects sleeps on the mutex's wake word, not on its lock word. A lock
  // taken on the zeros of a truncated file is reported as CORRUPT, but counted like any other
  // (acquired): ThreadSanitizer counts it as held too, so the mapping must stay (MutexMapping).
  Take try_take(FutexWaitEntry& entry, bool) override {
    return while_intact(mapping_->guard(), kWhat, [&] {
      entry = mapping_->mutex().prepare_to_sleep();
      return mapping_->acquired(mapping_->mutex().try_lock());
    });
  }
  bool looks_ready() const override { return mapping_->mutex().looks_free(); }
  // Every unlock wakes all who sleep on the wake word: there is nobody to pass a wake on to.
  void pass_on_wake() override {}
  // An owner that dies wakes no one on the wake word: look again every kPeerCheckMs.
  bool watches_peers() const override { return true; }

  // Sleeps in slices of kLostMemoryCheckMs at most: nobody can wake a sleeper on a
  // truncated file (sigbus_guard.h), and each slice's end looks at the lock word again.
  Take wait_alone(const Deadline& deadline, uint32_t timeout_ms) override {
    for (;;) {
      const Take take = while_intact(mapping_->guard(), kWhat, [&] {  // counted as in try_take
        return mapping_->acquired(mapping_->mutex().lock(deadline.sooner(posix::kLostMemoryCheckMs), timeout_ms));
      });
      if (take != Take::NotReady || timeout_ms == 0 || deadline.passed()) return take;
    }
  }

 private:
  static constexpr const char* kWhat = "the mutex";

  std::shared_ptr<void> object_;
  std::shared_ptr<MutexMapping> mapping_;
};

// ---- Creating and opening ----

constexpr uint64_t kSmallObjectBytes = kHeaderPageBytes + 4096;  // the header page and one data page

// Builds a new object file: size, header, then `fill(data)` on its data page. The pages are
// reserved first: a file only sized with ftruncate gets its pages when first written, and a
// full /dev/shm then kills the writer with SIGBUS instead of failing the create.
template <class Fill>
std::function<void(int)> small_object_initializer(int32_t kind, uint64_t data_bytes,
                                                  std::unique_ptr<ObjectMapping>& mapping, Fill&& fill) {
  return [kind, data_bytes, &mapping, fill](int fd) {
    const int error = posix_fallocate(fd, 0, static_cast<off_t>(kSmallObjectBytes));
    if (error != 0)  // ENOSPC: NO_RESOURCES
      posix::throw_errno(error, std::string("reserving the pages of a ") + kind_name(kind));
    const ObjectHeader header = posix::make_header(kind, data_bytes, 0);
    posix::write_all(fd, &header, sizeof header, 0, kind_name(kind));
    mapping = std::make_unique<ObjectMapping>(fd, kSmallObjectBytes, kind_name(kind));
    fill(mapping->data());
  };
}

// Validates the data size of an existing object and maps it.
std::unique_ptr<ObjectMapping> map_existing(const NamedObject& object, const ObjectHeader& header,
                                            uint64_t expected_data_bytes, int32_t kind) {
  if (header.data_bytes != expected_data_bytes)
    fail(SHMLINK_ERR_INCOMPATIBLE, std::string("the ") + kind_name(kind) + " object has " +
                                       std::to_string(header.data_bytes) + " bytes of state; this library expects " +
                                       std::to_string(expected_data_bytes));
  if (posix::file_size(object.fd(), object.path()) < kSmallObjectBytes)
    fail(SHMLINK_ERR_CORRUPT, object.path() + " is smaller than a " + kind_name(kind) + " object");
  return std::make_unique<ObjectMapping>(object.fd(), kSmallObjectBytes, object.path());
}

std::shared_ptr<WaitBacking> signal_from(std::unique_ptr<NamedObject> object, const ObjectHeader& header) {
  std::unique_ptr<ObjectMapping> mapping = map_existing(*object, header, sizeof(SignalLayout), SHMLINK_KIND_SIGNAL);
  const uint32_t manual_reset = __atomic_load_n(&static_cast<SignalLayout*>(mapping->data())->manual_reset, __ATOMIC_ACQUIRE);
  if (manual_reset > 1) fail(SHMLINK_ERR_CORRUPT, "the signal's reset mode is neither auto nor manual");
  return std::make_shared<PosixSignal>(std::move(object), std::move(mapping), manual_reset == 1);
}

std::shared_ptr<WaitBacking> semaphore_from(std::unique_ptr<NamedObject> object, const ObjectHeader& header) {
  std::unique_ptr<ObjectMapping> mapping =
      map_existing(*object, header, sizeof(SemaphoreLayout), SHMLINK_KIND_SEMAPHORE);
  const uint32_t max_count = __atomic_load_n(&static_cast<SemaphoreLayout*>(mapping->data())->max_count, __ATOMIC_ACQUIRE);
  if (max_count == 0 || max_count > 0x7FFFFFFFu) fail(SHMLINK_ERR_CORRUPT, "the semaphore's maximum count is invalid");
  return std::make_shared<PosixSemaphore>(std::move(object), std::move(mapping), max_count);
}

std::shared_ptr<WaitBacking> mutex_from(std::unique_ptr<NamedObject> object, const ObjectHeader& header) {
  std::shared_ptr<MutexMapping> mapping = mutex_mappings().get(object->fd(), [&] {
    std::unique_ptr<ObjectMapping> mapped = map_existing(*object, header, sizeof(MutexLayout), SHMLINK_KIND_MUTEX);
    const uint32_t protocol = __atomic_load_n(&static_cast<MutexLayout*>(mapped->data())->protocol, __ATOMIC_ACQUIRE);
    if (protocol != kMutexProtocol)
      fail(SHMLINK_ERR_INCOMPATIBLE, "the mutex object speaks another mutex protocol (" + std::to_string(protocol) + ")");
    return std::make_shared<MutexMapping>(std::move(mapped));
  });
  return std::make_shared<PosixMutex>(std::move(object), std::move(mapping));
}

// Opens the existing object `name` of `kind` and makes its backing with `from`.
template <class From>
std::shared_ptr<WaitBacking> open_as(const ObjectName& name, int32_t kind, From&& from) {
  ObjectHeader header{};
  std::unique_ptr<NamedObject> object = posix::open_validated(name, kind, O_RDWR, &header);
  return from(std::move(object), header);
}

// The existing object that OPEN_OR_CREATE found, validated and made into a backing.
template <class From>
OpenedWaitable existing_as(posix::CreatedObject created, const ObjectName& name, int32_t kind, From&& from) {
  const ObjectHeader header = posix::validate_object(*created.object, name, kind);
  return {from(std::move(created.object), header), true};
}

}  // namespace

namespace {

// Builds a new signal's file (named or not) and maps it into `mapping`.
std::function<void(int)> signal_initializer(uint32_t flags, std::unique_ptr<ObjectMapping>& mapping) {
  return small_object_initializer(SHMLINK_KIND_SIGNAL, sizeof(SignalLayout), mapping, [flags](void* data) {
    auto* layout = static_cast<SignalLayout*>(data);
    layout->manual_reset = (flags & SHMLINK_SIGNAL_MANUAL_RESET) ? 1 : 0;
    layout->state = (flags & SHMLINK_SIGNAL_INITIALLY_SET) ? 1 : 0;
  });
}

// Builds a new semaphore's file (named or not) and maps it into `mapping`.
std::function<void(int)> semaphore_initializer(uint32_t initial_count, uint32_t max_count,
                                               std::unique_ptr<ObjectMapping>& mapping) {
  return small_object_initializer(SHMLINK_KIND_SEMAPHORE, sizeof(SemaphoreLayout), mapping, [=](void* data) {
    auto* layout = static_cast<SemaphoreLayout*>(data);
    layout->count = initial_count;
    layout->max_count = max_count;
  });
}

}  // namespace

OpenedWaitable platform_create_signal(const ObjectName& name, uint32_t flags) {
  std::unique_ptr<ObjectMapping> mapping;
  const auto initialize = signal_initializer(flags, mapping);
  posix::CreatedObject created = posix::create_named_object(name, flags, SHMLINK_KIND_SIGNAL, O_RDWR, initialize);
  if (created.existed) return existing_as(std::move(created), name, SHMLINK_KIND_SIGNAL, signal_from);
  const bool manual_reset = (flags & SHMLINK_SIGNAL_MANUAL_RESET) != 0;
  return {std::make_shared<PosixSignal>(std::move(created.object), std::move(mapping), manual_reset), false};
}

std::shared_ptr<WaitBacking> platform_create_unnamed_signal(uint32_t flags) {
  std::unique_ptr<ObjectMapping> mapping;
  std::unique_ptr<posix::UnnamedObject> object =
      posix::create_unnamed_object(SHMLINK_KIND_SIGNAL, signal_initializer(flags, mapping));
  return std::make_shared<PosixSignal>(std::move(object), std::move(mapping), (flags & SHMLINK_SIGNAL_MANUAL_RESET) != 0);
}

std::shared_ptr<WaitBacking> platform_open_signal(const ObjectName& name) {
  return open_as(name, SHMLINK_KIND_SIGNAL, signal_from);
}

OpenedWaitable platform_create_semaphore(const ObjectName& name, uint32_t initial_count, uint32_t max_count,
                                         uint32_t flags) {
  std::unique_ptr<ObjectMapping> mapping;
  const auto initialize = semaphore_initializer(initial_count, max_count, mapping);
  posix::CreatedObject created = posix::create_named_object(name, flags, SHMLINK_KIND_SEMAPHORE, O_RDWR, initialize);
  if (created.existed) return existing_as(std::move(created), name, SHMLINK_KIND_SEMAPHORE, semaphore_from);
  return {std::make_shared<PosixSemaphore>(std::move(created.object), std::move(mapping), max_count), false};
}

std::shared_ptr<WaitBacking> platform_create_unnamed_semaphore(uint32_t initial_count, uint32_t max_count) {
  std::unique_ptr<ObjectMapping> mapping;
  std::unique_ptr<posix::UnnamedObject> object = posix::create_unnamed_object(
      SHMLINK_KIND_SEMAPHORE, semaphore_initializer(initial_count, max_count, mapping));
  return std::make_shared<PosixSemaphore>(std::move(object), std::move(mapping), max_count);
}

std::shared_ptr<WaitBacking> platform_open_semaphore(const ObjectName& name) {
  return open_as(name, SHMLINK_KIND_SEMAPHORE, semaphore_from);
}

OpenedWaitable platform_create_mutex(const ObjectName& name, uint32_t flags) {
  std::unique_ptr<ObjectMapping> object_mapping;
  std::shared_ptr<MutexMapping> mapping;
  const auto initialize = small_object_initializer(
      SHMLINK_KIND_MUTEX, sizeof(MutexLayout), object_mapping,
      [](void* data) { posix::RobustMutex::initialize(static_cast<MutexLayout*>(data)); });
  // Taking initial ownership happens before the name is published, so that nobody can take
  // the mutex first. A mutex built in an attempt whose publishing failed is never seen by
  // anyone: let go of it.
  const auto discard_unpublished = [&] {
    if (mapping && (flags & SHMLINK_MUTEX_INITIALLY_OWNED)) {
      try {
        mapping->mutex().unlock();
        mapping->released();
      } catch (const Failure&) {
      }
    }
    mapping.reset();
  };
  const auto initialize_and_own = [&](int fd) {
    discard_unpublished();
    initialize(fd);
    mapping = std::make_shared<MutexMapping>(std::move(object_mapping));
    if ((flags & SHMLINK_MUTEX_INITIALLY_OWNED) && mapping->acquired(mapping->mutex().try_lock()) != Take::Taken)
      fail(SHMLINK_ERR_SYSTEM, "a new mutex could not be taken by its creator");
  };
  posix::CreatedObject created;
  try {
    created = posix::create_named_object(name, flags, SHMLINK_KIND_MUTEX, O_RDWR, initialize_and_own);
  } catch (...) {
    discard_unpublished();
    throw;
  }
  if (created.existed) {
    discard_unpublished();
    return existing_as(std::move(created), name, SHMLINK_KIND_MUTEX, mutex_from);
  }
  std::shared_ptr<MutexMapping> shared = mutex_mappings().get(created.object->fd(), [&] { return mapping; });
  return {std::make_shared<PosixMutex>(std::move(created.object), std::move(shared)), false};
}

std::shared_ptr<WaitBacking> platform_open_mutex(const ObjectName& name) {
  return open_as(name, SHMLINK_KIND_MUTEX, mutex_from);
}

std::shared_ptr<WaitBacking> platform_create_unnamed_mutex(uint32_t flags) {
  std::unique_ptr<ObjectMapping> object_mapping;
  const auto initialize = small_object_initializer(
      SHMLINK_KIND_MUTEX, sizeof(MutexLayout), object_mapping,
      [](void* data) { posix::RobustMutex::initialize(static_cast<MutexLayout*>(data)); });
  std::unique_ptr<posix::UnnamedObject> object = posix::create_unnamed_object(SHMLINK_KIND_MUTEX, initialize);
  std::shared_ptr<MutexMapping> mapping =
      mutex_mappings().get(object->fd(), [&] { return std::make_shared<MutexMapping>(std::move(object_mapping)); });
  // Nobody else can reach it yet: taking it now cannot lose a race.
  if ((flags & SHMLINK_MUTEX_INITIALLY_OWNED) && mapping->acquired(mapping->mutex().try_lock()) != Take::Taken)
    fail(SHMLINK_ERR_SYSTEM, "a new mutex could not be taken by its creator");
  return std::make_shared<PosixMutex>(std::move(object), std::move(mapping));
}

shmlink_status platform_wait_any(WaitBacking* const* objects, uint32_t count, uint32_t timeout_ms,
                                 uint32_t* out_index) {
  PosixWaitable* waitables[SHMLINK_MAX_WAIT_OBJECTS];
  for (uint32_t i = 0; i < count; ++i) {
    waitables[i] = dynamic_cast<PosixWaitable*>(objects[i]);
    if (waitables[i] == nullptr) fail(SHMLINK_ERR_BAD_HANDLE, "the object cannot be waited on");
  }
  const Deadline deadline(timeout_ms);
  Take take;
  if (count == 1) {
    take = waitables[0]->wait_alone(deadline, timeout_ms);
    *out_index = 0;
  } else {
    take = wait_generic(waitables, count, deadline, timeout_ms, out_index);
  }
  switch (take) {
    case Take::Taken: return SHMLINK_OK;
    case Take::Abandoned: return SHMLINK_ABANDONED;
    case Take::NotReady: break;
  }
  return SHMLINK_ERR_TIMEOUT;
}

}  // namespace shmlink
