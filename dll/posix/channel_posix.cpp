// Channels on Linux: the ring of core/channel_ring.h in a named object file (object_file.h),
// futex sleeps on its wake words, and liveness of attachment slots as open-file-description
// locks: each handle write-locks one byte of the object file (at kSlotLockBase + slot) through
// its own descriptor. The kernel drops the lock when the handle is closed or its process
// dies, so a peer learns whether a slot's holder is alive with one F_OFD_GETLK.
#include "../core/channel.h"
#include "../core/platform.h"
#include "futex.h"
#include "memory_limits.h"
#include "object_file.h"
#include "os_error.h"
#include "sigbus_guard.h"
#include "waitable.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <memory>

namespace shmlink {
namespace {

using posix::FutexWaitEntry;
using posix::NamedObject;
using posix::ObjectMapping;
using posix::PosixWaitable;
using posix::Take;

// Far beyond any object's size: byte-range locks need no data there.
constexpr off_t kSlotLockBase = off_t{1} << 50;
// Set in a wake word's sequence while someone may sleep on it.
constexpr uint32_t kSleepersBit = 0x80000000u;

class PosixChannelHost final : public ChannelHost {
 public:
  PosixChannelHost(int fd, uint64_t mapped_bytes, posix::GuardedRegion& guard)
      : fd_(fd), mapped_bytes_(mapped_bytes), guard_(guard) {}

  bool claim_slot(channel::Slot&, uint32_t index) override {
    struct flock lock = slot_lock(F_WRLCK, index);
    if (fcntl(fd_, F_OFD_SETLK, &lock) == 0) return true;
    if (errno == EAGAIN || errno == EACCES) return false;
    posix::throw_errno(errno, "locking a channel attachment slot");
  }
  void release_slot(channel::Slot&, uint32_t index) noexcept override {
    struct flock lock = slot_lock(F_UNLCK, index);
    fcntl(fd_, F_OFD_SETLK, &lock);
  }
  bool slot_alive(const channel::Slot&, uint32_t index) override {
    struct flock lock = slot_lock(F_WRLCK, index);
    if (fcntl(fd_, F_OFD_GETLK, &lock) != 0) return true;  // cannot tell: assume alive
    return lock.l_type != F_UNLCK;
  }

  // Both sides change the wake word with a read-modify-write: in its modification order
  // either the waker comes second and sees the sleeper's flag, or it comes first and the
  // sleeper, reading from it, sees everything the waker did before (the condition it checks
  // after prepare_sleep).
  void wake(channel::WakeWord& word) override {
    uint32_t sequence = __atomic_fetch_add(&word.sequence, 0u, __ATOMIC_ACQ_REL);
    if ((sequence & kSleepersBit) == 0) return;
    while (!__atomic_compare_exchange_n(&word.sequence, &sequence, (sequence + 1) & ~kSleepersBit, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
    }
    posix::futex_wake(&word.sequence, INT_MAX);
  }
  uint32_t prepare_sleep(channel::WakeWord& word) override {
    return __atomic_fetch_or(&word.sequence, kSleepersBit, __ATOMIC_ACQ_REL) | kSleepersBit;
  }
  void sleep(channel::WakeWord& word, uint32_t observed, Clock::time_point until) override {
    posix::futex_wait(&word.sequence, observed, posix::Deadline(until));
  }
  void cancel_sleep(channel::WakeWord&) noexcept override {}  // a stale flag costs one spare wake

  uint64_t coarse_now_ms() noexcept override {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1000u + static_cast<uint64_t>(now.tv_nsec) / 1000000u;
  }

  void check_intact() override { guard_.check("the channel"); }
  void look_for_lost_memory() override {
    struct stat status {};
    if (fstat(fd_, &status) == 0 && static_cast<uint64_t>(status.st_size) < mapped_bytes_) guard_.mark_truncated();
  }

 private:
  static struct flock slot_lock(short type, uint32_t index) {
    struct flock lock {};
    lock.l_type = type;
    lock.l_whence = SEEK_SET;
    lock.l_start = kSlotLockBase + index;
    lock.l_len = 1;
    return lock;
  }

  int fd_;
  uint64_t mapped_bytes_;  // the object file's bytes mapped, from its start
  posix::GuardedRegion& guard_;  // the mapping's, which outlives this host
};

// In the child of a fork, this handle's copy is an attachment of its own (ChannelRing::
// attach_again), whose slot lock it takes through the child's own open file description of
// the object (NamedObject), so that it lives and dies with the child.
class PosixChannel final : public ChannelBacking,
                           public PosixWaitable,
                           public std::enable_shared_from_this<PosixChannel>,
                           private posix::ForkedChildHook {
 public:
  PosixChannel(std::unique_ptr<NamedObject> object, std::unique_ptr<ObjectMapping> mapping, uint64_t region_bytes,
               uint32_t roles)
      : object_(std::move(object)), mapping_(std::move(mapping)), host_(object_->fd(), kHeaderPageBytes + region_bytes, mapping_->guard()),
        ring_(mapping_->data(), region_bytes, host_) {
    ring_.attach(roles);
    object_->set_forked_child_hook(this);
  }
  ~PosixChannel() override {
    object_->set_forked_child_hook(nullptr);
    ring_.detach();
  }

  ChannelRing& ring() override { return ring_; }
  std::shared_ptr<WaitBacking> condition_waitable(uint32_t condition) override;

  // A wait for `condition` takes nothing: it is ready while the condition holds.
  Take try_take_when(uint32_t condition, FutexWaitEntry& entry) {
    return posix::while_intact(mapping_->guard(), "the channel", [&] {
      ring_.look_after_peers_if_due();
      if (ring_.condition_holds(condition)) return Take::Taken;
      channel::WakeWord& word = ring_.condition_word(condition);
      const uint32_t observed = host_.prepare_sleep(word);
      if (ring_.condition_holds(condition)) return Take::Taken;
      entry = {&word.sequence, observed};
      return Take::NotReady;
    });
  }
  bool holds(uint32_t condition) { return ring_.condition_holds(condition); }

  Take try_take(FutexWaitEntry& entry, bool) override { return try_take_when(ring_.handle_condition(), entry); }
  bool looks_ready() const override {
    return const_cast<ChannelRing&>(ring_).condition_holds(ring_.handle_condition());
  }
  void pass_on_wake() override {}  // wakes reach every sleeper: there is nothing to pass on
  bool watches_peers() const override { return true; }

 private:
  void in_forked_child() noexcept override { ring_.attach_again(); }

  std::unique_ptr<NamedObject> object_;
  std::unique_ptr<ObjectMapping> mapping_;
  PosixChannelHost host_;
  ChannelRing ring_;
};

// A channel waited on for one condition (shmlink_channel_waitable).
class PosixChannelCondition final : public WaitBacking, public PosixWaitable {
 public:
  PosixChannelCondition(std::shared_ptr<PosixChannel> channel, uint32_t condition)
      : channel_(std::move(channel)), condition_(condition) {}

  Take try_take(FutexWaitEntry& entry, bool) override { return channel_->try_take_when(condition_, entry); }
  bool looks_ready() const override { return channel_->holds(condition_); }
  void pass_on_wake() override {}
  bool watches_peers() const override { return true; }

 private:
  std::shared_ptr<PosixChannel> channel_;
  uint32_t condition_;
};

std::shared_ptr<WaitBacking> PosixChannel::condition_waitable(uint32_t condition) {
  return std::make_shared<PosixChannelCondition>(shared_from_this(), condition);
}

std::shared_ptr<ChannelBacking> channel_from(std::unique_ptr<NamedObject> object, const ObjectHeader& header,
                                             uint32_t roles) {
  const uint64_t region_bytes = header.data_bytes;
  if (region_bytes < channel::kRingOffset || region_bytes > channel::region_bytes_for(channel::kMaxRingBytes * 2))
    fail(SHMLINK_ERR_CORRUPT, "the channel object's size " + std::to_string(region_bytes) + " is invalid");
  if (posix::file_size(object->fd(), object->path()) < kHeaderPageBytes + region_bytes)
    fail(SHMLINK_ERR_CORRUPT, object->path() + " is smaller than its header says");
  auto mapping = std::make_unique<ObjectMapping>(object->fd(), kHeaderPageBytes + region_bytes, object->path());
  if (!channel_initialized(mapping->data()))
    fail(SHMLINK_ERR_CORRUPT, "the channel object " + object->path() + " was never initialized");
  return std::make_shared<PosixChannel>(std::move(object), std::move(mapping), region_bytes, roles);
}

}  // namespace

OpenedChannel platform_create_channel(const ObjectName& name, uint64_t ring_bytes, uint32_t max_message_bytes,
                                      uint32_t flags, uint32_t roles, uint32_t mode) {
  const uint64_t region_bytes = channel::region_bytes_for(ring_bytes);
  const uint64_t file_bytes = kHeaderPageBytes + region_bytes;
  std::unique_ptr<ObjectMapping> mapping;
  const auto initialize = [&](int fd) {
    if (ftruncate(fd, static_cast<off_t>(file_bytes)) != 0) posix::throw_errno(errno, "ftruncate");
    // Claim the memory now: a tmpfs that runs out later would kill a writer with SIGBUS.
    posix::check_memory_limits(fd, file_bytes, "a channel");
    const int result = posix_fallocate(fd, 0, static_cast<off_t>(file_bytes));
    if (result == ENOSPC || result == EFBIG)
      fail(SHMLINK_ERR_NO_RESOURCES, "there is no room for a channel of " + std::to_string(file_bytes) + " bytes");
    if (result != 0 && result != EOPNOTSUPP) posix::throw_errno(result, "posix_fallocate");
    const ObjectHeader header = posix::make_header(SHMLINK_KIND_CHANNEL, region_bytes, 0);
    posix::write_all(fd, &header, sizeof header, 0, "channel");
    mapping = std::make_unique<ObjectMapping>(fd, file_bytes, "channel");
    initialize_channel(mapping->data(), ring_bytes, max_message_bytes, mode);
  };
  posix::CreatedObject created = posix::create_named_object(name, flags, SHMLINK_KIND_CHANNEL, O_RDWR, initialize);
  if (created.existed) {
    const ObjectHeader header = posix::validate_object(*created.object, name, SHMLINK_KIND_CHANNEL);
    return {channel_from(std::move(created.object), header, roles), true};
  }
  return {std::make_shared<PosixChannel>(std::move(created.object), std::move(mapping), region_bytes, roles), false};
}

std::shared_ptr<ChannelBacking> platform_open_channel(const ObjectName& name, uint32_t roles) {
  ObjectHeader header{};
  std::unique_ptr<NamedObject> object = posix::open_validated(name, SHMLINK_KIND_CHANNEL, O_RDWR, &header);
  return channel_from(std::move(object), header, roles);
}

}  // namespace shmlink
